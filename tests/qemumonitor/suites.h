/* suites.h: the case files of the monitor suite (test-qemumonitor). */
#pragma once

void test_core_register(void);
void test_json_register(void);
void test_text_register(void);
void test_fakeserver_register(void);
void test_caps_register(void);
void test_domain_register(void);

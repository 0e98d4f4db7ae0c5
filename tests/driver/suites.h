/* suites.h: the case files of the driver suite; main.c calls each. */
#pragma once

void test_uri_register(void);
void test_typedparams_register(void);
void test_registry_register_cases(void);
void test_event_register_cases(void);
void test_migrate_register(void);
void test_blockjob_register(void);
void test_hostid_register(void);

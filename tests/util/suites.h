/* suites.h: registration functions of the util suite's case files. */
#pragma once

void test_error_register(void);
void test_process_register(void);
void test_uuid_register(void);
void test_strnum_register(void);
void test_xml_register(void);
void test_json_register(void);
void test_eventloop_register(void);
void test_workerpool_register(void);
void test_files_register(void);
void test_log_register(void);
void test_crashpoint_register(void);

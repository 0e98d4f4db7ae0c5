/* suites.h: registration functions of the util suite's case files. */
#pragma once

void test_error_register(void);
void test_log_register(void);

/* suites.h: the case groups of tests/daemon/test-daemon. */
#pragma once

void test_daemon_config_register(void);
void test_daemon_run_register(void);
void test_daemon_tls_register(void);

/* test-daemon.h: a qvirtd process for one test case of the daemon suite:
 * the shared TestDaemon (testdaemon.h) with an event loop for RPC clients. */
#pragma once

#include <glib.h>

#include "testdaemon.h"

/* Only guards against hangs; never a timing assertion. */
#define TEST_WAIT_MS QVIRT_TEST_DAEMON_WAIT_MS

/* The daemon's folder and notify socket, and TD->loop (see test-run.c). */
void test_daemon_setup(TestDaemon *td, gconstpointer data);
void test_daemon_teardown(TestDaemon *td, gconstpointer data);
/* Start qvirtd --session --foreground with EXTRA arguments (NULL-terminated,
 * may be NULL) and wait for its READY=1. */
#define test_daemon_start(td, extra) qvirt_test_daemon_start((td), (extra))

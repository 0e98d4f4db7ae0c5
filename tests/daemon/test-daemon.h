/* test-daemon.h: a qvirtd process for one test case (see test-run.c): its
 * temporary folder, sockets, pid, and an event loop for RPC clients. */
#pragma once

#include <glib.h>

#include "util/eventloop.h"

/* Only guards against hangs; never a timing assertion. */
#define TEST_WAIT_MS (30 * 1000)

typedef struct {
    char *dir;
    char *sock_rw;
    char *sock_ro;
    char *pid_file;
    char *notify_path;
    int notify_fd;
    GPid pid; /* 0 when not running */
    QvirtEventLoop *loop;
} TestDaemon;

void test_daemon_setup(TestDaemon *td, gconstpointer data);
void test_daemon_teardown(TestDaemon *td, gconstpointer data);
/* Start qvirtd --session --foreground with EXTRA arguments (NULL-terminated,
 * may be NULL) and wait for its READY=1. */
void test_daemon_start(TestDaemon *td, const char *const *extra);

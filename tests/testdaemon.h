/* testdaemon.h: the build tree's qvirtd run for one test case: a session
 * daemon in a temporary folder (its own XDG_RUNTIME_DIR, XDG_CONFIG_HOME,
 * XDG_STATE_HOME, XDG_CACHE_HOME and HOME), started in the foreground with
 * $NOTIFY_SOCKET pointing at the test's datagram socket, so the test waits
 * for its READY=1 instead of sleeping. The daemon gets PR_SET_PDEATHSIG, so
 * it dies with the test even when an assertion aborts it;
 * qvirt_test_daemon_clear kills it by pid otherwise. */
#pragma once

#include <glib.h>

#include "util/eventloop.h"

/* Only guards against hangs; never a timing assertion. */
#define QVIRT_TEST_DAEMON_WAIT_MS (30 * 1000)

typedef struct {
    char *dir;         /* the daemon's temporary folder */
    char *sock_rw;     /* its read-write socket */
    char *sock_ro;     /* its read-only socket */
    char *pid_file;    /* passed as --pid-file */
    char *config;      /* passed as --config when set (by the suite); freed by clear */
    char *notify_path; /* the test's $NOTIFY_SOCKET */
    int notify_fd;
    GPid pid;             /* 0 when not running */
    QvirtEventLoop *loop; /* for RPC clients when the suite makes one; freed by clear */
} TestDaemon;

/* Make TD's folder, its run/ folder and the notify socket; no daemon yet. */
void qvirt_test_daemon_init(TestDaemon *td);

/* Kill the daemon if it runs (by pid) and reap it, then remove the folder
 * and free everything TD holds. */
void qvirt_test_daemon_clear(TestDaemon *td);

/* The environment the daemon runs with (see above); free with g_strfreev. */
char **qvirt_test_daemon_env(TestDaemon *td);

/* Start qvirtd --session --foreground --pid-file (and --config when set)
 * with EXTRA arguments (NULL-terminated, may be NULL) and wait for its
 * READY=1; the test fails if the daemon dies first. */
void qvirt_test_daemon_start(TestDaemon *td, const char *const *extra);

/* Run qvirtd with ARGS (NULL-terminated) to its end in TD's environment;
 * its exit status, and its standard error in *RET_STDERR when not NULL. */
int qvirt_test_daemon_run_sync(TestDaemon *td, const char *const *args, char **ret_stderr);

/* Wait until our child PID exits, at most TIMEOUT_MS: TRUE with its wait
 * status in *RET_STATUS, FALSE when it is still running. */
gboolean qvirt_test_daemon_wait_exit(GPid pid, int timeout_ms, int *ret_status);

/* The qvirtd of the build tree. */
const char *qvirt_test_daemon_path(void);

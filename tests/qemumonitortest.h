/* qemumonitortest.h: a scripted fake QEMU monitor for tests.
 *
 * The server listens on a UNIX socket in a temporary folder, accepts one
 * connection on its own thread, sends QEMU's greeting (QMP) or banner and
 * prompt (HMP), then plays its script item by item:
 * - an expected command is read and checked: its name, its arguments
 *   against the QMP schema recorded from the installed QEMU
 *   (tests/qemucapabilities/qmp-schema.json), optionally its exact
 *   arguments and the number of descriptors passed with it; then the canned
 *   reply is sent with the command's id;
 * - events, error replies, delays, partial writes, garbage and EOF are
 *   injected where they stand in the script; a gate holds the script until
 *   the test releases it.
 * An unexpected or schema-invalid command is a failure (answered with a
 * GenericError so the client does not hang); so is an item left unused.
 * qemu_monitor_test_finish() asserts that there was none.
 *
 * Items are added before the client connects (the script is fixed then);
 * only qemu_monitor_test_release() may be called while it plays. */
#pragma once

#include <glib.h>

#include "qemu/qemu_monitor.h"
#include "util/json.h"

typedef struct _QemuMonitorTest QemuMonitorTest;

typedef enum {
    QEMU_MONITOR_TEST_NO_GREETING = 1 << 0, /* send no greeting/banner */
    QEMU_MONITOR_TEST_NO_SCHEMA_CHECK = 1 << 1,
} QemuMonitorTestFlags;

/* Computes the reply (JSON text without "id", new string) to command CMD
 * with arguments ARGS (NULL when none). */
typedef char *(*QemuMonitorTestHandler)(const char *cmd, QvirtJson *args, gpointer opaque);

QemuMonitorTest *qemu_monitor_test_new(QemuMonitorProtocol protocol);
QemuMonitorTest *qemu_monitor_test_new_full(QemuMonitorProtocol protocol, unsigned int flags);
/* Stop the server thread, close its sockets and remove its folder. Does not
 * check anything; NULL is accepted. */
void qemu_monitor_test_free(QemuMonitorTest *test);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorTest, qemu_monitor_test_free)

/* The socket to connect to. */
const char *qemu_monitor_test_get_path(QemuMonitorTest *test);
/* A monitor connected to TEST, on LOOP, with CONFIG (NULL: defaults and the
 * domain name "fake"); asserts success. */
QemuMonitor *qemu_monitor_test_open(QemuMonitorTest *test, QvirtEventLoop *loop,
                                    const QemuMonitorConfig *config);

/* ---- Script items (QMP) ---- */

/* Expect command CMD; ARGS (JSON text, NULL: not compared) must equal its
 * arguments; REPLY (JSON text, e.g. {"return": {}}) is sent with the id. */
void qemu_monitor_test_expect(QemuMonitorTest *test, const char *cmd, const char *args,
                              const char *reply);
/* The same, also requiring NFDS descriptors passed with the command. */
void qemu_monitor_test_expect_fds(QemuMonitorTest *test, const char *cmd, const char *args,
                                  unsigned int nfds, const char *reply);
/* Expect CMD and send QMP error CLASS with DESC. */
void qemu_monitor_test_expect_error(QemuMonitorTest *test, const char *cmd, const char *klass,
                                    const char *desc);
/* Expect CMD and answer it later with qemu_monitor_test_add_reply(). */
void qemu_monitor_test_expect_no_reply(QemuMonitorTest *test, const char *cmd);
/* Expect CMD and answer with what FUNC computes. */
void qemu_monitor_test_expect_func(QemuMonitorTest *test, const char *cmd,
                                   QemuMonitorTestHandler func, gpointer opaque);
/* Answer the WHICH-th command still unanswered (0: the oldest, -1: the
 * newest) with REPLY; with FUNC (may be NULL) computing it instead. */
void qemu_monitor_test_add_reply(QemuMonitorTest *test, int which, const char *reply);
void qemu_monitor_test_add_reply_func(QemuMonitorTest *test, int which, QemuMonitorTestHandler func,
                                      gpointer opaque);

/* ---- Script items (HMP) ---- */

/* Expect the command line CMDLINE and answer OUTPUT ("\n" line ends), with
 * QEMU's echo and prompt around it. */
void qemu_monitor_test_expect_hmp(QemuMonitorTest *test, const char *cmdline, const char *output);

/* ---- Injections (both protocols) ---- */

/* Send the QMP event NAME with DATA (JSON text or NULL) and a timestamp. */
void qemu_monitor_test_add_event(QemuMonitorTest *test, const char *name, const char *data);
/* Send LEN bytes of DATA as they are (-1: strlen). */
void qemu_monitor_test_add_raw(QemuMonitorTest *test, const char *data, gssize len);
/* Send DATA in pieces of CHUNK bytes, each a separate write after a short
 * pause, so that the client sees partial messages. */
void qemu_monitor_test_add_partial(QemuMonitorTest *test, const char *data, size_t chunk);
/* Pause the script for MS milliseconds. */
void qemu_monitor_test_add_delay(QemuMonitorTest *test, unsigned int ms);
/* Hold the script until qemu_monitor_test_release(). */
void qemu_monitor_test_add_gate(QemuMonitorTest *test);
/* Close the connection (what QEMU's exit looks like). */
void qemu_monitor_test_add_eof(QemuMonitorTest *test);

/* Let the script pass the gate it waits at (or the next one). */
void qemu_monitor_test_release(QemuMonitorTest *test);
/* Wait (up to 10 s) until every item has been played; FALSE on timeout. */
gboolean qemu_monitor_test_wait_done(QemuMonitorTest *test);
/* The first failure seen so far (e.g. "unexpected command 'stop'"), or NULL. */
char *qemu_monitor_test_get_failure(QemuMonitorTest *test);

/* Wait for the script to end, stop the server, assert that no failure
 * happened and no item was left unused, then free TEST. */
void qemu_monitor_test_finish(QemuMonitorTest *test);

/* ---- The QMP schema check, for tests of the fake server itself ---- */

/* The schema recorded from the installed QEMU (loaded once; borrowed). */
QvirtJson *qemu_monitor_test_get_schema(void);
/* NULL when command CMD with ARGS (may be NULL) is valid for SCHEMA, else
 * why not (new string). */
char *qemu_monitor_test_check_schema(QvirtJson *schema, const char *cmd, QvirtJson *args);

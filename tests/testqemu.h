/* testqemu.h: real QEMU processes in the integration suites: which binary
 * to test, a command line with the options every test QEMU shares
 * ("-machine none", TCG, no defaults, no display) and monitors on sockets
 * qvirt creates and passes, the QMP monitor made ready, and QEMU quit or
 * killed by its pid. Every QEMU spawned here is tracked, so that
 * qvirt_test_qemu_guard's signal handler kills those still alive when an
 * assertion or the suite's alarm ends the test. Link libqvirtqemu.la. */
#pragma once

#include <glib.h>

#include "qemu/qemu_monitor.h"
#include "util/process.h"

/* The QEMU to test: $QVIRT_TEST_QEMU when set, else qemu-system-x86_64
 * from PATH (canonical path), else NULL (the suite skips). g_free it. */
char *qvirt_test_qemu_find(void);

/* On SIGABRT, SIGALRM, SIGSEGV, SIGTERM and SIGTRAP (g_error), kill every
 * tracked QEMU, then die of the signal; and alarm(SECONDS) as the hang
 * guard of the whole suite. Call once from main(). */
void qvirt_test_qemu_guard(unsigned int seconds);

/* A command running BINARY with the shared options and LC_ALL=C; add the
 * suite's own arguments, then start it with qvirt_test_qemu_spawn. */
QvirtCommand *qvirt_test_qemu_command(const char *binary);

/* Listen on a new UNIX socket at PATH and give it to CMD as chardev ID with
 * a QMP (QMP TRUE) or HMP monitor on it. Returns the socket: pass it to
 * qvirt_test_qemu_spawn, which closes it once QEMU has its copy. */
int qvirt_test_qemu_add_monitor(QvirtCommand *cmd, const char *id, const char *path, gboolean qmp);

/* Start CMD (the test aborts when QEMU cannot start), track it, and close
 * the NFDS sockets in FDS. */
QvirtProcess *qvirt_test_qemu_spawn(QvirtCommand *cmd, const int *fds, size_t nfds);

/* Open the QMP monitor at PATH with CONFIG on LOOP, wait for QEMU's
 * greeting and negotiate capabilities: ready for commands. */
QemuMonitor *qvirt_test_qemu_open_qmp(QvirtEventLoop *loop, const char *path,
                                      const QemuMonitorConfig *config);

/* Ask the QEMU *PROC behind MON to quit (so its images are flushed and
 * closed), wait at most TIMEOUT_MS for it, untrack and free it; *PROC
 * becomes NULL. Nothing when *PROC is NULL. */
void qvirt_test_qemu_quit(QvirtProcess **proc, QemuMonitor *mon, gint64 timeout_ms);

/* Kill *PROC (SIGKILL, by its pid), reap it within TIMEOUT_MS, untrack and
 * free it; *PROC becomes NULL. Nothing when *PROC is NULL. */
void qvirt_test_qemu_kill(QvirtProcess **proc, gint64 timeout_ms);

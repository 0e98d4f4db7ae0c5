/* fixture.h: what the monitor suite's cases share: an event loop, a fake
 * QEMU (qemumonitortest.h), a monitor connected to it, and a record of the
 * callbacks the monitor made. */
#pragma once

#include <glib.h>

#include "qemu/qemu_monitor.h"
#include "qemumonitortest.h"
#include "util/threads.h"

typedef struct {
    QemuMonitorProtocol protocol;
    QvirtEventLoop *loop;
    QemuMonitorTest *server;
    QemuMonitor *mon;

    QvirtMutex lock;
    QvirtCond cond;
    GPtrArray *events; /* one summary string per event, in order */
    int eofs;
    int errors;
    char *error_message; /* of the last error callback */
} MonFixture;

/* A loop and a fake server; build the script, then mon_fixture_connect(). */
MonFixture *mon_fixture_new(QemuMonitorProtocol protocol, unsigned int server_flags);
/* Connect a monitor whose callbacks record into F. TIMEOUT_MS <= 0: default. */
void mon_fixture_connect(MonFixture *f, gint64 timeout_ms);
void mon_fixture_connect_full(MonFixture *f, gint64 timeout_ms, size_t max_reply);
/* Close the monitor, check the script (qemu_monitor_test_finish) and free. */
void mon_fixture_finish(MonFixture *f);
/* Free without checking the script (for tests that break it on purpose). */
void mon_fixture_free(MonFixture *f);

/* Wait (deadline 10 s) until N events, or one eof/error, were recorded. */
gboolean mon_fixture_wait_events(MonFixture *f, guint n);
gboolean mon_fixture_wait_closed(MonFixture *f);
/* The I-th event summary, e.g. "MIGRATION status=active" (borrowed). */
const char *mon_fixture_event(MonFixture *f, guint i);

/* The summary the fixture records for EVENT (new string). */
char *mon_fixture_event_summary(const QemuMonitorEvent *event);

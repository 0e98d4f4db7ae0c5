/* fixture.c: the monitor suite's shared set-up (see fixture.h). */
#include <config.h>

#include "fixture.h"
#include "util/error.h"

#define WAIT_MS 10000

char *
mon_fixture_event_summary(const QemuMonitorEvent *ev)
{
    GString *s = g_string_new(ev->name);

    if (ev->type == QEMU_MONITOR_EVENT_OTHER)
        g_string_append(s, " (other)");
    if (ev->guest)
        g_string_append(s, " guest");
#define STR(member)                                                                                \
    if (ev->member)                                                                                \
        g_string_append_printf(s, " " #member "=%s", ev->member);
#define NUM(member)                                                                                \
    if (ev->member)                                                                                \
        g_string_append_printf(s, " " #member "=%" G_GINT64_FORMAT, (gint64)ev->member);
    STR(reason)
    STR(status)
    STR(id)
    STR(device)
    STR(node)
    STR(path)
    STR(job_type)
    STR(operation)
    STR(action)
    NUM(pass)
    NUM(len)
    NUM(offset)
    NUM(speed)
    NUM(actual)
#undef STR
#undef NUM
    if (ev->nospace)
        g_string_append(s, " nospace");
    return g_string_free(s, FALSE);
}

static void
fixture_event(QemuMonitor *mon, const QemuMonitorEvent *event, gpointer opaque)
{
    MonFixture *f = opaque;
    char *summary = mon_fixture_event_summary(event);

    g_assert_true(event->seconds > 0);
    qvirt_mutex_lock(&f->lock);
    g_ptr_array_add(f->events, summary);
    qvirt_cond_broadcast(&f->cond);
    qvirt_mutex_unlock(&f->lock);
}

static void
fixture_eof(QemuMonitor *mon, gpointer opaque)
{
    MonFixture *f = opaque;

    qvirt_mutex_lock(&f->lock);
    f->eofs++;
    qvirt_cond_broadcast(&f->cond);
    qvirt_mutex_unlock(&f->lock);
}

static void
fixture_error(QemuMonitor *mon, const char *message, gpointer opaque)
{
    MonFixture *f = opaque;

    qvirt_mutex_lock(&f->lock);
    f->errors++;
    g_free(f->error_message);
    f->error_message = g_strdup(message);
    qvirt_cond_broadcast(&f->cond);
    qvirt_mutex_unlock(&f->lock);
}

static const QemuMonitorCallbacks fixture_callbacks = {
    .event = fixture_event,
    .eof = fixture_eof,
    .error = fixture_error,
};

MonFixture *
mon_fixture_new(QemuMonitorProtocol protocol, unsigned int server_flags)
{
    MonFixture *f = g_new0(MonFixture, 1);

    f->protocol = protocol;
    f->loop = qvirt_event_loop_new("test-loop");
    f->server = qemu_monitor_test_new_full(protocol, server_flags);
    f->events = g_ptr_array_new_with_free_func(g_free);
    qvirt_mutex_init(&f->lock);
    qvirt_cond_init(&f->cond);
    return f;
}

void
mon_fixture_connect_full(MonFixture *f, gint64 timeout_ms, size_t max_reply)
{
    QemuMonitorConfig config = {
        .protocol = f->protocol,
        .domain_name = "fake",
        .timeout_ms = timeout_ms,
        .max_reply_size = max_reply,
        .callbacks = &fixture_callbacks,
        .opaque = f,
    };
    f->mon = qemu_monitor_test_open(f->server, f->loop, &config);
}

void
mon_fixture_connect(MonFixture *f, gint64 timeout_ms)
{
    mon_fixture_connect_full(f, timeout_ms, 0);
}

void
mon_fixture_free(MonFixture *f)
{
    if (!f)
        return;
    qemu_monitor_close(g_steal_pointer(&f->mon));
    qemu_monitor_test_free(g_steal_pointer(&f->server));
    qvirt_event_loop_free(f->loop);
    g_ptr_array_unref(f->events);
    g_free(f->error_message);
    qvirt_cond_clear(&f->cond);
    qvirt_mutex_clear(&f->lock);
    g_free(f);
}

void
mon_fixture_finish(MonFixture *f)
{
    /* The test has made all its calls: closing first lets a server still
     * waiting for a command see the end and report it at once. */
    qemu_monitor_close(g_steal_pointer(&f->mon));
    qemu_monitor_test_finish(g_steal_pointer(&f->server));
    mon_fixture_free(f);
}

gboolean
mon_fixture_wait_events(MonFixture *f, guint n)
{
    gint64 deadline = qvirt_deadline_after_ms(WAIT_MS);
    gboolean ok;

    qvirt_mutex_lock(&f->lock);
    while (f->events->len < n && f->eofs == 0 && f->errors == 0) {
        if (!qvirt_cond_wait_until(&f->cond, &f->lock, deadline))
            break;
    }
    ok = f->events->len >= n;
    qvirt_mutex_unlock(&f->lock);
    return ok;
}

gboolean
mon_fixture_wait_closed(MonFixture *f)
{
    gint64 deadline = qvirt_deadline_after_ms(WAIT_MS);
    gboolean ok;

    qvirt_mutex_lock(&f->lock);
    while (f->eofs == 0 && f->errors == 0) {
        if (!qvirt_cond_wait_until(&f->cond, &f->lock, deadline))
            break;
    }
    ok = f->eofs > 0 || f->errors > 0;
    qvirt_mutex_unlock(&f->lock);
    return ok;
}

const char *
mon_fixture_event(MonFixture *f, guint i)
{
    const char *s = NULL;

    qvirt_mutex_lock(&f->lock);
    if (i < f->events->len)
        s = g_ptr_array_index(f->events, i);
    qvirt_mutex_unlock(&f->lock);
    return s;
}

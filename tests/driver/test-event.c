/* test-event.c: domain events: libvirt's numbers, dispatch to the matching
 * callbacks only (by driver, event id and domain), payloads, the dispatch
 * thread, deregistration and its guarantees, and flushing. */
#include <config.h>

#include <string.h>

#include "driver/api.h"
#include "driver/driver_priv.h"
#include "fakedriver.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/threads.h"

/* A bound for things that must happen; reaching it fails the test. */
#define TEST_WAIT_MS 20000

/* What callbacks saw, one line per call. */
typedef struct {
    QvirtMutex lock;
    GPtrArray *lines;
    GThread *thread; /* the thread of the last call */
    int frees;
} Recorder;

static Recorder *
recorder_new(void)
{
    Recorder *rec = g_new0(Recorder, 1);

    qvirt_mutex_init(&rec->lock);
    rec->lines = g_ptr_array_new_with_free_func(g_free);
    return rec;
}

static void
recorder_free(Recorder *rec)
{
    g_ptr_array_unref(rec->lines);
    qvirt_mutex_clear(&rec->lock);
    g_free(rec);
}

static void
recorder_count_free(gpointer opaque)
{
    Recorder *rec = opaque;

    qvirt_mutex_lock(&rec->lock);
    rec->frees++;
    qvirt_mutex_unlock(&rec->lock);
}

/* The lines so far joined with '|'. */
static char *
recorder_text(Recorder *rec)
{
    GString *out = g_string_new(NULL);

    g_assert_cmpint(qv_event_flush(TEST_WAIT_MS), ==, 0);
    qvirt_mutex_lock(&rec->lock);
    for (guint i = 0; i < rec->lines->len; i++)
        g_string_append_printf(out, "%s%s", i ? "|" : "", (char *)rec->lines->pdata[i]);
    g_ptr_array_set_size(rec->lines, 0);
    qvirt_mutex_unlock(&rec->lock);
    return g_string_free(out, FALSE);
}

static void
record_event(QvConnect *conn, QvDomain *dom, const QvEvent *event, gpointer opaque)
{
    Recorder *rec = opaque;
    char *line;

    g_assert_true(dom->conn == conn);
    g_assert_cmpstr(dom->name, ==, event->name);
    g_assert_cmpmem(dom->uuid, 16, event->uuid, 16);
    switch (event->event_id) {
    case QV_DOMAIN_EVENT_ID_LIFECYCLE:
        line = g_strdup_printf("%s:life:%d:%d:%d", dom->name, event->data.lifecycle.type,
                               event->data.lifecycle.detail, dom->id);
        break;
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB:
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        line = g_strdup_printf("%s:block%d:%s:%d:%d", dom->name, event->event_id,
                               event->data.block_job.disk, event->data.block_job.type,
                               event->data.block_job.status);
        break;
    case QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        line = g_strdup_printf("%s:iter:%d", dom->name, event->data.migration_iteration.iteration);
        break;
    case QV_DOMAIN_EVENT_ID_JOB_COMPLETED: {
        unsigned long long total = 0;

        qv_typed_params_get_ullong(event->data.job_completed.params,
                                   event->data.job_completed.nparams, "data_total", &total);
        line =
            g_strdup_printf("%s:done:%d:%llu", dom->name, event->data.job_completed.nparams, total);
        break;
    }
    default:
        line = g_strdup_printf("%s:id%d", dom->name, event->event_id);
        break;
    }
    qvirt_mutex_lock(&rec->lock);
    g_ptr_array_add(rec->lines, line);
    rec->thread = g_thread_self();
    qvirt_mutex_unlock(&rec->lock);
}

static const unsigned char *
uuid_of(const char *name)
{
    static unsigned char uuids[4][16];
    static int next;
    unsigned char *uuid = uuids[next++ % 4];

    fake_uuid(name, uuid);
    return uuid;
}

static void
push_lifecycle(gconstpointer driver, const char *name, int type, int detail)
{
    qv_event_queue_push(qv_event_new_lifecycle(driver, name, uuid_of(name), 3, type, detail));
}

static QvConnect *
event_open(void)
{
    qv_driver_registry_reset();
    fake_reset();
    g_assert_cmpint(qv_driver_register(&fake_driver, NULL), ==, 0);
    return qv_connect_open("fake:///ok", 0);
}

static void
test_event_numbers(void)
{
    g_assert_cmpint(QV_DOMAIN_EVENT_ID_LIFECYCLE, ==, 0);
    g_assert_cmpint(QV_DOMAIN_EVENT_ID_REBOOT, ==, 1);
    g_assert_cmpint(QV_DOMAIN_EVENT_ID_BLOCK_JOB, ==, 8);
    g_assert_cmpint(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, ==, 16);
    g_assert_cmpint(QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION, ==, 20);
    g_assert_cmpint(QV_DOMAIN_EVENT_ID_JOB_COMPLETED, ==, 21);
    g_assert_cmpint(QV_DOMAIN_EVENT_DEFINED, ==, 0);
    g_assert_cmpint(QV_DOMAIN_EVENT_STARTED, ==, 2);
    g_assert_cmpint(QV_DOMAIN_EVENT_STOPPED, ==, 5);
    g_assert_cmpint(QV_DOMAIN_EVENT_CRASHED, ==, 8);
    g_assert_cmpint(QV_DOMAIN_EVENT_STOPPED_DESTROYED, ==, 1);
    g_assert_cmpint(QV_DOMAIN_EVENT_STOPPED_SAVED, ==, 4);
    g_assert_cmpint(QV_DOMAIN_EVENT_STOPPED_FAILED, ==, 5);
    g_assert_cmpint(QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY, ==, 7);
    g_assert_cmpint(QV_DOMAIN_EVENT_RESUMED_POSTCOPY, ==, 3);
    g_assert_cmpint(QV_DOMAIN_EVENT_DEFINED_UPDATED, ==, 1);
    g_assert_cmpint(QV_DOMAIN_BLOCK_JOB_READY, ==, 3);
    g_assert_cmpint(QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT, ==, 4);
}

static void
test_event_dispatch_all(void)
{
    QvConnect *conn = event_open();
    Recorder *rec = recorder_new();
    g_autofree char *text = NULL;
    int id;

    id = qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                              record_event, rec, NULL);
    g_assert_cmpint(id, >, 0);
    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_DEFINED, QV_DOMAIN_EVENT_DEFINED_ADDED);
    push_lifecycle(&fake_driver, "b", QV_DOMAIN_EVENT_STARTED, QV_DOMAIN_EVENT_STARTED_BOOTED);
    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_STOPPED, QV_DOMAIN_EVENT_STOPPED_DESTROYED);
    /* Another driver's events and other event ids are not this callback's. */
    push_lifecycle(&fake_remote_driver, "a", QV_DOMAIN_EVENT_STARTED, 0);
    qv_event_queue_push(qv_event_new_reboot(&fake_driver, "a", uuid_of("a"), 3));
    text = recorder_text(rec);
    g_assert_cmpstr(text, ==, "a:life:0:0:3|b:life:2:0:3|a:life:5:1:3");
    /* Callbacks run on the dispatch thread, not the pushing one. */
    g_assert_true(rec->thread != g_thread_self());

    g_assert_cmpint(qv_connect_close(conn), ==, 0);
    recorder_free(rec);
}

static void
test_event_filters(void)
{
    QvConnect *conn = event_open();
    QvConnect *conn2 = qv_connect_open("fake:///ok", 0);
    g_autoptr(QvDomain) dom_a = qv_domain_lookup_by_name(conn, "a");
    Recorder *only_a = recorder_new();
    Recorder *reboots = recorder_new();
    Recorder *other_conn = recorder_new();
    g_autofree char *t1 = NULL;
    g_autofree char *t2 = NULL;
    g_autofree char *t3 = NULL;

    g_assert_cmpint(qv_connect_domain_event_register_any(conn, dom_a, QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                                         record_event, only_a, NULL),
                    >, 0);
    g_assert_cmpint(qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_REBOOT,
                                                         record_event, reboots, NULL),
                    >, 0);
    g_assert_cmpint(qv_connect_domain_event_register_any(conn2, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                                         record_event, other_conn, NULL),
                    >, 0);

    push_lifecycle(&fake_driver, "b", QV_DOMAIN_EVENT_SUSPENDED, 0);
    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_SUSPENDED, 0);
    qv_event_queue_push(qv_event_new_reboot(&fake_driver, "b", uuid_of("b"), 3));
    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_RESUMED, 0);

    t1 = recorder_text(only_a);
    g_assert_cmpstr(t1, ==, "a:life:3:0:3|a:life:4:0:3");
    t2 = recorder_text(reboots);
    g_assert_cmpstr(t2, ==, "b:id1");
    t3 = recorder_text(other_conn);
    g_assert_cmpstr(t3, ==, "b:life:3:0:3|a:life:3:0:3|a:life:4:0:3");

    g_clear_pointer(&dom_a, qv_domain_unref);
    qv_connect_close(conn);
    qv_connect_close(conn2);
    recorder_free(only_a);
    recorder_free(reboots);
    recorder_free(other_conn);
}

static void
test_event_payloads(void)
{
    QvConnect *conn = event_open();
    Recorder *rec = recorder_new();
    g_autofree char *text = NULL;
    const int ids[] = {QV_DOMAIN_EVENT_ID_BLOCK_JOB, QV_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                       QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION, QV_DOMAIN_EVENT_ID_JOB_COMPLETED};
    QvTypedParam *params = NULL;
    int n = 0;
    int max = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        g_assert_cmpint(
            qv_connect_domain_event_register_any(conn, NULL, ids[i], record_event, rec, NULL), >,
            0);
    qv_event_queue_push(qv_event_new_block_job(
        &fake_driver, "a", uuid_of("a"), 3, QV_DOMAIN_EVENT_ID_BLOCK_JOB, "/var/a.qcow2",
        QV_DOMAIN_BLOCK_JOB_TYPE_COPY, QV_DOMAIN_BLOCK_JOB_READY));
    qv_event_queue_push(qv_event_new_block_job(
        &fake_driver, "a", uuid_of("a"), 3, QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda",
        QV_DOMAIN_BLOCK_JOB_TYPE_COMMIT, QV_DOMAIN_BLOCK_JOB_COMPLETED));
    qv_event_queue_push(qv_event_new_migration_iteration(&fake_driver, "a", uuid_of("a"), 3, 4));
    qv_typed_params_add_ullong(&params, &n, &max, "data_total", 4096);
    qv_typed_params_add_boolean(&params, &n, &max, "success", TRUE);
    qv_event_queue_push(qv_event_new_job_completed(&fake_driver, "a", uuid_of("a"), 3, params, n));
    text = recorder_text(rec);
    g_assert_cmpstr(text, ==, "a:block8:/var/a.qcow2:2:3|a:block16:vda:3:0|a:iter:4|a:done:2:4096");
    qv_connect_close(conn);
    recorder_free(rec);
}

static void
test_event_deregister(void)
{
    QvConnect *conn = event_open();
    QvConnect *conn2 = qv_connect_open("fake:///ok", 0);
    Recorder *rec = recorder_new();
    Recorder *kept = recorder_new();
    g_autofree char *t1 = NULL;
    g_autofree char *t2 = NULL;
    int id;
    int id_kept;

    id = qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                              record_event, rec, recorder_count_free);
    id_kept = qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                                   record_event, kept, recorder_count_free);
    g_assert_cmpint(id_kept, !=, id);

    /* Another connection cannot remove it; an unknown id is an error. */
    g_assert_cmpint(qv_connect_domain_event_deregister_any(conn2, id), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "no event callback with id");
    g_assert_cmpint(qv_connect_domain_event_deregister_any(conn, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid event callback id 0");

    g_assert_cmpint(qv_connect_domain_event_deregister_any(conn, id), ==, 0);
    g_assert_cmpint(rec->frees, ==, 1);
    g_assert_cmpint(qv_connect_domain_event_deregister_any(conn, id), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "no event callback with id");

    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_STARTED, 0);
    t1 = recorder_text(rec);
    g_assert_cmpstr(t1, ==, "");
    t2 = recorder_text(kept);
    g_assert_cmpstr(t2, ==, "a:life:2:0:3");

    /* Closing the connection deregisters the rest; the driver closes. */
    g_assert_cmpint(qv_connect_close(conn), ==, 0);
    g_assert_cmpint(kept->frees, ==, 1);
    g_assert_cmpint(fake_counters.closes, ==, 1);
    g_assert_cmpint(rec->frees, ==, 1);
    qv_connect_close(conn2);
    recorder_free(rec);
    recorder_free(kept);
}

static void
test_event_bad_registrations(void)
{
    QvConnect *conn = event_open();
    QvConnect *conn2 = qv_connect_open("fake:///ok", 0);
    g_autoptr(QvDomain) dom2 = qv_domain_lookup_by_name(conn2, "a");
    Recorder *rec = recorder_new();

    g_assert_cmpint(qv_connect_domain_event_register_any(conn, NULL, -1, record_event, rec,
                                                         recorder_count_free),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unknown domain event id -1");
    g_assert_cmpint(qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LAST,
                                                         record_event, rec, recorder_count_free),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unknown domain event id 28");
    g_assert_cmpint(
        qv_connect_domain_event_register_any(conn, NULL, 0, NULL, rec, recorder_count_free), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "needs a callback");
    g_assert_cmpint(
        qv_connect_domain_event_register_any(conn, dom2, 0, record_event, rec, recorder_count_free),
        ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "belongs to another connection");
    g_assert_cmpint(qv_connect_domain_event_register_any(NULL, NULL, 0, record_event, rec, NULL),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_CONN, "invalid connection pointer");
    /* A failed registration does not free the opaque. */
    g_assert_cmpint(rec->frees, ==, 0);
    /* Ids qvirt never emits may still be registered (virsh event --all). */
    g_assert_cmpint(
        qv_connect_domain_event_register_any(conn, NULL, 2, record_event, rec, recorder_count_free),
        >, 0);

    g_clear_pointer(&dom2, qv_domain_unref);
    qv_connect_close(conn);
    g_assert_cmpint(rec->frees, ==, 1);
    qv_connect_close(conn2);
    recorder_free(rec);
}

/* A callback that blocks until the test lets it go. */
typedef struct {
    QvirtMutex lock;
    QvirtCond cond;
    gboolean entered;
    gboolean release;
} Gate;

static void
gate_event(QvConnect *conn, QvDomain *dom, const QvEvent *event, gpointer opaque)
{
    Gate *gate = opaque;
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_MS * G_TIME_SPAN_MILLISECOND;

    qvirt_mutex_lock(&gate->lock);
    gate->entered = TRUE;
    qvirt_cond_broadcast(&gate->cond);
    while (!gate->release && qvirt_cond_wait_until(&gate->cond, &gate->lock, deadline))
        ;
    qvirt_mutex_unlock(&gate->lock);
}

static void
test_event_flush_and_deregister_while_running(void)
{
    QvConnect *conn = event_open();
    Recorder *rec = recorder_new();
    Gate gate;
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_MS * G_TIME_SPAN_MILLISECOND;
    int gate_id;
    int rec_id;
    g_autofree char *text = NULL;

    qvirt_mutex_init(&gate.lock);
    qvirt_cond_init(&gate.cond);
    gate.entered = FALSE;
    gate.release = FALSE;
    gate_id = qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                                   gate_event, &gate, NULL);
    rec_id = qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                                  record_event, rec, recorder_count_free);
    g_assert_cmpint(gate_id, >, 0);

    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_STARTED, 0);
    qvirt_mutex_lock(&gate.lock);
    while (!gate.entered)
        g_assert_true(qvirt_cond_wait_until(&gate.cond, &gate.lock, deadline));
    qvirt_mutex_unlock(&gate.lock);

    /* The dispatcher is stuck in the first callback: a short flush fails. */
    g_assert_cmpint(qv_event_flush(50), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, "(1 pending)");

    /* Deregistering the next callback now: it is never called, and its
     * opaque is freed once, after the dispatcher dropped it. */
    g_assert_cmpint(qv_connect_domain_event_deregister_any(conn, rec_id), ==, 0);
    qvirt_mutex_lock(&gate.lock);
    gate.release = TRUE;
    qvirt_cond_broadcast(&gate.cond);
    qvirt_mutex_unlock(&gate.lock);
    text = recorder_text(rec);
    g_assert_cmpstr(text, ==, "");
    g_assert_cmpint(rec->frees, ==, 1);

    qv_connect_close(conn);
    qvirt_mutex_clear(&gate.lock);
    qvirt_cond_clear(&gate.cond);
    recorder_free(rec);
}

static void
test_event_only_later_events(void)
{
    QvConnect *conn = event_open();
    Recorder *rec = recorder_new();
    Gate gate;
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_MS * G_TIME_SPAN_MILLISECOND;
    g_autofree char *text = NULL;

    qvirt_mutex_init(&gate.lock);
    qvirt_cond_init(&gate.cond);
    gate.entered = FALSE;
    gate.release = FALSE;
    qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_REBOOT, gate_event, &gate,
                                         NULL);
    /* Hold the dispatcher, then queue an event before registering. */
    qv_event_queue_push(qv_event_new_reboot(&fake_driver, "a", uuid_of("a"), 3));
    qvirt_mutex_lock(&gate.lock);
    while (!gate.entered)
        g_assert_true(qvirt_cond_wait_until(&gate.cond, &gate.lock, deadline));
    qvirt_mutex_unlock(&gate.lock);
    push_lifecycle(&fake_driver, "early", QV_DOMAIN_EVENT_STARTED, 0);
    qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE, record_event,
                                         rec, NULL);
    push_lifecycle(&fake_driver, "late", QV_DOMAIN_EVENT_STARTED, 0);
    qvirt_mutex_lock(&gate.lock);
    gate.release = TRUE;
    qvirt_cond_broadcast(&gate.cond);
    qvirt_mutex_unlock(&gate.lock);

    /* The event queued before the registration is not delivered to it. */
    text = recorder_text(rec);
    g_assert_cmpstr(text, ==, "late:life:2:0:3");
    qv_connect_close(conn);
    qvirt_mutex_clear(&gate.lock);
    qvirt_cond_clear(&gate.cond);
    recorder_free(rec);
}

/* A callback that deregisters itself. */
typedef struct {
    int id;
    int calls;
} SelfRemove;

static void
self_remove_event(QvConnect *conn, QvDomain *dom, const QvEvent *event, gpointer opaque)
{
    SelfRemove *self = opaque;

    self->calls++;
    g_assert_cmpint(qv_connect_domain_event_deregister_any(conn, self->id), ==, 0);
}

static void
test_event_deregister_from_callback(void)
{
    QvConnect *conn = event_open();
    SelfRemove self = {0, 0};

    self.id = qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                                   self_remove_event, &self, NULL);
    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_STARTED, 0);
    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_STOPPED, 0);
    g_assert_cmpint(qv_event_flush(TEST_WAIT_MS), ==, 0);
    g_assert_cmpint(self.calls, ==, 1);
    qv_connect_close(conn);
}

static void
test_event_shutdown_restart(void)
{
    QvConnect *conn = event_open();
    Recorder *rec = recorder_new();
    g_autofree char *text = NULL;

    qv_connect_domain_event_register_any(conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE, record_event,
                                         rec, NULL);
    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_STARTED, 0);
    /* Shutting down dispatches what is queued first. */
    qv_event_shutdown();
    qvirt_mutex_lock(&rec->lock);
    g_assert_cmpuint(rec->lines->len, ==, 1);
    qvirt_mutex_unlock(&rec->lock);
    /* A later push starts a new dispatcher. */
    push_lifecycle(&fake_driver, "a", QV_DOMAIN_EVENT_STOPPED, 0);
    text = recorder_text(rec);
    g_assert_cmpstr(text, ==, "a:life:2:0:3|a:life:5:0:3");
    qv_connect_close(conn);
    recorder_free(rec);
}

void
test_event_register_cases(void)
{
    g_test_add_func("/driver/event/numbers", test_event_numbers);
    g_test_add_func("/driver/event/dispatch-all", test_event_dispatch_all);
    g_test_add_func("/driver/event/filters", test_event_filters);
    g_test_add_func("/driver/event/payloads", test_event_payloads);
    g_test_add_func("/driver/event/deregister", test_event_deregister);
    g_test_add_func("/driver/event/bad-registrations", test_event_bad_registrations);
    g_test_add_func("/driver/event/flush-and-deregister-while-running",
                    test_event_flush_and_deregister_while_running);
    g_test_add_func("/driver/event/only-later-events", test_event_only_later_events);
    g_test_add_func("/driver/event/deregister-from-callback", test_event_deregister_from_callback);
    g_test_add_func("/driver/event/shutdown-restart", test_event_shutdown_restart);
}

/* event.c: the event queue, its dispatch thread and the per-connection
 * callback registrations (see event.h for the contract). */
#include <config.h>

#include <string.h>

#include "driver/event.h"
#include "driver/locker.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_EVENT

QVIRT_LOG_INIT("driver.event");

typedef struct {
    gint refs; /* atomic: the registry's and the dispatcher's */
    int callback_id;
    QvConnect *conn; /* a reference */
    gboolean has_uuid;
    unsigned char uuid[16];
    int event_id;
    guint64 since; /* the last event pushed before the registration */
    QvDomainEventCallback cb;
    gpointer opaque;
    GDestroyNotify free_opaque;
    gboolean removed; /* under event_lock */
} EventReg;

/* event_lock guards everything below. */
static QvirtMutex event_lock = {PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t event_once = PTHREAD_ONCE_INIT;
static QvirtCond event_wake; /* the dispatcher: queue not empty, or quit */
static QvirtCond event_idle; /* flush waiters: event_done moved */
static GQueue event_queue = G_QUEUE_INIT;
static GPtrArray *event_regs; /* EventReg *, one reference each */
static GThread *event_thread;
static gboolean event_quit;
static guint64 event_pushed;
static guint64 event_done;
static int event_next_id = 1;

/* The conditions need a monotonic clock, set at run time: every function
 * that uses them calls this first. */
static void
event_init_once(void)
{
    qvirt_cond_init(&event_wake);
    qvirt_cond_init(&event_idle);
}

static void
event_init(void)
{
    pthread_once(&event_once, event_init_once);
}

/* ---- events ---- */

static QvEvent *
event_new(gconstpointer driver, int event_id, const char *name, const unsigned char *uuid, int id)
{
    QvEvent *event = g_new0(QvEvent, 1);

    event->source = driver;
    event->event_id = event_id;
    event->name = g_strdup(name);
    memcpy(event->uuid, uuid, sizeof(event->uuid));
    event->id = id;
    return event;
}

QvEvent *
qv_event_new_lifecycle(gconstpointer driver, const char *name, const unsigned char *uuid, int id,
                       int type, int detail)
{
    QvEvent *event = event_new(driver, QV_DOMAIN_EVENT_ID_LIFECYCLE, name, uuid, id);

    event->data.lifecycle.type = type;
    event->data.lifecycle.detail = detail;
    return event;
}

QvEvent *
qv_event_new_reboot(gconstpointer driver, const char *name, const unsigned char *uuid, int id)
{
    return event_new(driver, QV_DOMAIN_EVENT_ID_REBOOT, name, uuid, id);
}

QvEvent *
qv_event_new_block_job(gconstpointer driver, const char *name, const unsigned char *uuid, int id,
                       int event_id, const char *disk, int type, int status)
{
    QvEvent *event = event_new(driver, event_id, name, uuid, id);

    g_return_val_if_fail(event_id == QV_DOMAIN_EVENT_ID_BLOCK_JOB ||
                             event_id == QV_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                         event);
    event->data.block_job.disk = g_strdup(disk);
    event->data.block_job.type = type;
    event->data.block_job.status = status;
    return event;
}

QvEvent *
qv_event_new_migration_iteration(gconstpointer driver, const char *name, const unsigned char *uuid,
                                 int id, int iteration)
{
    QvEvent *event = event_new(driver, QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION, name, uuid, id);

    event->data.migration_iteration.iteration = iteration;
    return event;
}

QvEvent *
qv_event_new_job_completed(gconstpointer driver, const char *name, const unsigned char *uuid,
                           int id, QvTypedParam *params, int nparams)
{
    QvEvent *event = event_new(driver, QV_DOMAIN_EVENT_ID_JOB_COMPLETED, name, uuid, id);

    event->data.job_completed.params = params;
    event->data.job_completed.nparams = nparams;
    return event;
}

void
qv_event_free(QvEvent *event)
{
    if (!event)
        return;
    switch (event->event_id) {
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB:
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        g_free(event->data.block_job.disk);
        break;
    case QV_DOMAIN_EVENT_ID_JOB_COMPLETED:
        qv_typed_params_free(event->data.job_completed.params, event->data.job_completed.nparams);
        break;
    default:
        break;
    }
    g_free(event->name);
    g_free(event);
}

/* ---- registrations ---- */

static EventReg *
event_reg_ref(EventReg *reg)
{
    g_atomic_int_inc(&reg->refs);
    return reg;
}

/* Never called with event_lock held: it may run the opaque's free function
 * and the connection's close. */
static void
event_reg_unref(EventReg *reg)
{
    if (!reg || !g_atomic_int_dec_and_test(&reg->refs))
        return;
    if (reg->free_opaque)
        reg->free_opaque(reg->opaque);
    qv_connect_unref(reg->conn);
    g_free(reg);
}

static gboolean
event_reg_matches(const EventReg *reg, const QvEvent *event)
{
    if (reg->removed || reg->event_id != event->event_id || event->seq <= reg->since)
        return FALSE;
    if (reg->conn->driver != event->source)
        return FALSE;
    return !reg->has_uuid || memcmp(reg->uuid, event->uuid, sizeof(reg->uuid)) == 0;
}

int
qv_event_register(QvConnect *conn, QvDomain *dom, int event_id, QvDomainEventCallback cb,
                  gpointer opaque, GDestroyNotify free_opaque)
{
    EventReg *reg;
    int callback_id;

    if (event_id < 0 || event_id >= QV_DOMAIN_EVENT_ID_LAST) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unknown domain event id %d"), event_id);
        return -1;
    }
    if (!cb) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("an event registration needs a callback"));
        return -1;
    }
    if (dom && dom->conn != conn) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("domain '%s' belongs to another connection"),
                           dom->name);
        return -1;
    }

    reg = g_new0(EventReg, 1);
    reg->refs = 1;
    reg->conn = qv_connect_ref(conn);
    if (dom) {
        reg->has_uuid = TRUE;
        memcpy(reg->uuid, dom->uuid, sizeof(reg->uuid));
    }
    reg->event_id = event_id;
    reg->cb = cb;
    reg->opaque = opaque;
    reg->free_opaque = free_opaque;

    qvirt_mutex_lock(&event_lock);
    if (!event_regs)
        event_regs = g_ptr_array_new();
    callback_id = event_next_id++;
    if (event_next_id <= 0)
        event_next_id = 1;
    reg->callback_id = callback_id;
    reg->since = event_pushed;
    g_ptr_array_add(event_regs, reg);
    qvirt_mutex_unlock(&event_lock);
    QVIRT_DEBUG("registered event callback %d for event id %d", callback_id, event_id);
    return callback_id;
}

/* Take every registration of CONN (or only CALLBACK_ID when > 0) out of the
 * registry; returns them for the caller to unref outside the lock. */
static GPtrArray *
event_regs_take(QvConnect *conn, int callback_id)
{
    GPtrArray *taken = g_ptr_array_new();

    qvirt_mutex_lock(&event_lock);
    for (guint i = 0; event_regs && i < event_regs->len;) {
        EventReg *reg = event_regs->pdata[i];

        if (reg->conn == conn && (callback_id <= 0 || reg->callback_id == callback_id)) {
            reg->removed = TRUE;
            g_ptr_array_add(taken, reg);
            g_ptr_array_remove_index(event_regs, i);
            continue;
        }
        i++;
    }
    qvirt_mutex_unlock(&event_lock);
    return taken;
}

int
qv_event_deregister(QvConnect *conn, int callback_id)
{
    g_autoptr(GPtrArray) taken = NULL;

    if (callback_id <= 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid event callback id %d"), callback_id);
        return -1;
    }
    taken = event_regs_take(conn, callback_id);
    if (taken->len == 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("no event callback with id %d is registered on this connection"),
                           callback_id);
        return -1;
    }
    for (guint i = 0; i < taken->len; i++)
        event_reg_unref(taken->pdata[i]);
    return 0;
}

void
qv_event_deregister_all(QvConnect *conn)
{
    g_autoptr(GPtrArray) taken = event_regs_take(conn, 0);

    for (guint i = 0; i < taken->len; i++)
        event_reg_unref(taken->pdata[i]);
}

/* ---- dispatch ---- */

static void
event_dispatch_one(QvEvent *event)
{
    g_autoptr(GPtrArray) matches = g_ptr_array_new();

    qvirt_mutex_lock(&event_lock);
    for (guint i = 0; event_regs && i < event_regs->len; i++) {
        EventReg *reg = event_regs->pdata[i];

        if (event_reg_matches(reg, event))
            g_ptr_array_add(matches, event_reg_ref(reg));
    }
    qvirt_mutex_unlock(&event_lock);

    for (guint i = 0; i < matches->len; i++) {
        EventReg *reg = matches->pdata[i];
        gboolean removed;

        /* A registration removed since the snapshot is not called. */
        qvirt_mutex_lock(&event_lock);
        removed = reg->removed;
        qvirt_mutex_unlock(&event_lock);
        if (!removed) {
            QvDomain *dom = qv_domain_new(reg->conn, event->name, event->uuid, event->id);

            reg->cb(reg->conn, dom, event, reg->opaque);
            qv_domain_unref(dom);
        }
        event_reg_unref(reg);
    }
}

static gpointer
event_dispatch_thread(gpointer data)
{
    qvirt_mutex_lock(&event_lock);
    for (;;) {
        QvEvent *event;

        while (g_queue_is_empty(&event_queue) && !event_quit)
            qvirt_cond_wait(&event_wake, &event_lock);
        event = g_queue_pop_head(&event_queue);
        if (!event)
            break; /* quit with an empty queue */
        qvirt_mutex_unlock(&event_lock);

        event_dispatch_one(event);
        qv_event_free(event);

        qvirt_mutex_lock(&event_lock);
        event_done++;
        qvirt_cond_broadcast(&event_idle);
    }
    qvirt_mutex_unlock(&event_lock);
    return NULL;
}

void
qv_event_queue_push(QvEvent *event)
{
    g_return_if_fail(event != NULL);

    event_init();
    qvirt_mutex_lock(&event_lock);
    event->seq = ++event_pushed;
    g_queue_push_tail(&event_queue, event);
    if (!event_thread)
        event_thread = g_thread_new("qv-events", event_dispatch_thread, NULL);
    qvirt_cond_signal(&event_wake);
    qvirt_mutex_unlock(&event_lock);
}

int
qv_event_flush(gint64 timeout_ms)
{
    gint64 deadline = qvirt_deadline_after_ms(timeout_ms);
    g_autoptr(QvMutexLocker) locker = NULL;
    guint64 target;

    event_init();
    locker = qv_mutex_locker_new(&event_lock);
    target = event_pushed;

    while (event_done < target) {
        if (!qvirt_cond_wait_until(&event_idle, &event_lock, deadline) && event_done < target) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("domain events were not dispatched within %" G_GINT64_FORMAT
                                 " ms (%" G_GUINT64_FORMAT " pending)"),
                               timeout_ms, target - event_done);
            return -1;
        }
    }
    return 0;
}

void
qv_event_shutdown(void)
{
    GThread *thread;

    event_init();
    qvirt_mutex_lock(&event_lock);
    thread = event_thread;
    event_quit = TRUE;
    qvirt_cond_broadcast(&event_wake);
    qvirt_mutex_unlock(&event_lock);
    if (!thread)
        return;
    /* The thread drains the queue, then exits; pushes meanwhile still find
     * event_thread set and are drained too. */
    g_thread_join(thread);
    qvirt_mutex_lock(&event_lock);
    event_thread = NULL;
    event_quit = FALSE;
    qvirt_mutex_unlock(&event_lock);
}

/* qemu_process_events.c: what QEMU tells a running domain: the monitor's
 * events (state changes, shutdown, panic, and the migration and block job
 * events handed on to the migration code and the job waiters), its EOF and
 * errors; and the per-domain serial work queue those handlers fill, run by
 * the driver's workers (the contract is in qemu_process.h).
 *
 * The handlers run on the event-loop thread: they only update the domain
 * under its mutex, emit events, wake waiters and queue work; they never
 * take a job or talk to the monitor. */
#include <config.h>

#include "qemu/qemu_blockjob.h"
#include "qemu/qemu_dump.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process_priv.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.process.events");

/* Attempts at the destroy job when cleaning up after an exit (each waits
 * up to the job timeout). */
#define QEMU_PROCESS_EXIT_JOB_ATTEMPTS 10

typedef struct {
    QemuWorkKind kind;
    guint run;
} QemuWork;

/* ---- the per-domain work queue ---- */

void
qemu_process_queue_work_run(DomainObj *vm, QemuWorkKind kind, guint run)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuWork *work = g_new0(QemuWork, 1);
    gboolean start = FALSE;

    work->kind = kind;
    work->run = run;
    g_mutex_lock(&priv->work_lock);
    g_queue_push_tail(&priv->work, work);
    if (!priv->work_busy)
        start = priv->work_busy = TRUE;
    g_mutex_unlock(&priv->work_lock);
    if (!start)
        return;
    if (qvirt_worker_pool_push(priv->driver->workers, domain_obj_ref(vm)) < 0) {
        QVIRT_ERROR("domain '%s': work dropped: %s", domain_obj_get_name(vm),
                    qvirt_error_last_message());
        qvirt_error_reset();
        g_mutex_lock(&priv->work_lock);
        g_queue_clear_full(&priv->work, g_free);
        priv->work_busy = FALSE;
        g_mutex_unlock(&priv->work_lock);
        domain_obj_unref(vm);
    }
}

void
qemu_process_queue_work(DomainObj *vm, QemuWorkKind kind)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    qemu_process_queue_work_run(vm, kind, priv->run);
}

static int
suspended_detail(int reason)
{
    switch (reason) {
    case DOMAIN_PAUSED_MIGRATION:
        return QV_DOMAIN_EVENT_SUSPENDED_MIGRATED;
    case DOMAIN_PAUSED_IOERROR:
        return QV_DOMAIN_EVENT_SUSPENDED_IOERROR;
    case DOMAIN_PAUSED_WATCHDOG:
        return QV_DOMAIN_EVENT_SUSPENDED_WATCHDOG;
    case DOMAIN_PAUSED_API_ERROR:
        return QV_DOMAIN_EVENT_SUSPENDED_API_ERROR;
    case DOMAIN_PAUSED_POSTCOPY:
        return QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY;
    case DOMAIN_PAUSED_POSTCOPY_FAILED:
        return QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED;
    default:
        return QV_DOMAIN_EVENT_SUSPENDED_PAUSED;
    }
}

static int
resumed_detail(int reason)
{
    switch (reason) {
    case DOMAIN_RUNNING_MIGRATED:
        return QV_DOMAIN_EVENT_RESUMED_MIGRATED;
    case DOMAIN_RUNNING_POSTCOPY:
        return QV_DOMAIN_EVENT_RESUMED_POSTCOPY;
    case DOMAIN_RUNNING_POSTCOPY_FAILED:
        return QV_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED;
    default:
        return QV_DOMAIN_EVENT_RESUMED_UNPAUSED;
    }
}

/* Emit the lifecycle event that announces VM entering STATE/REASON. */
void
qemu_process_emit_state_change(QemuDriver *driver, DomainObj *vm, int state, int reason)
{
    switch ((DomainState)state) {
    case DOMAIN_STATE_RUNNING:
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_RESUMED, resumed_detail(reason));
        break;
    case DOMAIN_STATE_PAUSED:
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_SUSPENDED, suspended_detail(reason));
        break;
    case DOMAIN_STATE_SHUTDOWN:
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_SHUTDOWN,
                                   QV_DOMAIN_EVENT_SHUTDOWN_FINISHED);
        break;
    case DOMAIN_STATE_CRASHED:
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_CRASHED,
                                   QV_DOMAIN_EVENT_CRASHED_PANICKED);
        break;
    case DOMAIN_STATE_PMSUSPENDED:
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_PMSUSPENDED,
                                   QV_DOMAIN_EVENT_PMSUSPENDED_MEMORY);
        break;
    case DOMAIN_STATE_NOSTATE:
    case DOMAIN_STATE_BLOCKED:
    case DOMAIN_STATE_SHUTOFF:
    case DOMAIN_STATE_LAST:
        break;
    }
}

/* ---- monitor callbacks (event-loop thread) ---- */

static gboolean
event_during_start(DomainObj *vm)
{
    /* The start sets the state itself around its cont. */
    return domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_START;
}

/* Whether the migration out of VM has switched to post-copy. */
static gboolean
event_in_postcopy(DomainObj *vm)
{
    DomainJobStats *stats = domain_job_current_stats(vm);

    return stats && (stats->status == DOMAIN_JOB_STATUS_POSTCOPY ||
                     stats->status == DOMAIN_JOB_STATUS_POSTCOPY_PAUSED);
}

/* Why QEMU stopped the vCPUs, from the async job running now. */
static int
stop_reason(DomainObj *vm)
{
    switch (domain_job_get_async(vm->job)) {
    case DOMAIN_ASYNC_JOB_MIGRATION_OUT:
        /* QEMU stops the source at the switch-over. */
        return event_in_postcopy(vm) ? DOMAIN_PAUSED_POSTCOPY : DOMAIN_PAUSED_MIGRATION;
    case DOMAIN_ASYNC_JOB_SAVE:
        return DOMAIN_PAUSED_SAVE;
    case DOMAIN_ASYNC_JOB_DUMP:
        return DOMAIN_PAUSED_DUMP;
    case DOMAIN_ASYNC_JOB_NONE:
    case DOMAIN_ASYNC_JOB_MIGRATION_IN:
    case DOMAIN_ASYNC_JOB_START:
    case DOMAIN_ASYNC_JOB_BACKUP:
    case DOMAIN_ASYNC_JOB_LAST:
        break;
    }
    return DOMAIN_PAUSED_UNKNOWN;
}

/* Why QEMU ran the vCPUs again, from the async job running now. */
static int
resume_reason(DomainObj *vm)
{
    switch (domain_job_get_async(vm->job)) {
    case DOMAIN_ASYNC_JOB_MIGRATION_OUT:
        /* QEMU resumes the source itself when the migration fails. */
        return DOMAIN_RUNNING_MIGRATION_CANCELED;
    case DOMAIN_ASYNC_JOB_MIGRATION_IN:
        return event_in_postcopy(vm) ? DOMAIN_RUNNING_POSTCOPY : DOMAIN_RUNNING_MIGRATED;
    case DOMAIN_ASYNC_JOB_NONE:
    case DOMAIN_ASYNC_JOB_SAVE:
    case DOMAIN_ASYNC_JOB_DUMP:
    case DOMAIN_ASYNC_JOB_START:
    case DOMAIN_ASYNC_JOB_BACKUP:
    case DOMAIN_ASYNC_JOB_LAST:
        break;
    }
    return DOMAIN_RUNNING_UNPAUSED;
}

static void
handle_stop_event(QemuDriver *driver, DomainObj *vm, QemuDomainPrivate *priv)
{
    int reason;

    /* After SHUTDOWN, QEMU (-no-shutdown) pauses: that is no suspend. */
    if (priv->got_shutdown || event_during_start(vm) || vm->state != DOMAIN_STATE_RUNNING)
        return;
    reason = stop_reason(vm);
    domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, reason);
    qemu_process_emit_state_change(driver, vm, DOMAIN_STATE_PAUSED, reason);
    qemu_process_queue_work(vm, QEMU_WORK_SAVE_STATUS);
}

static void
handle_resume_event(QemuDriver *driver, DomainObj *vm, QemuDomainPrivate *priv)
{
    int reason;

    if (event_during_start(vm) || vm->state != DOMAIN_STATE_PAUSED)
        return;
    reason = resume_reason(vm);
    domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, reason);
    qemu_process_emit_state_change(driver, vm, DOMAIN_STATE_RUNNING, reason);
    qemu_process_queue_work(vm, QEMU_WORK_SAVE_STATUS);
}

static void
handle_shutdown_event(QemuDriver *driver, DomainObj *vm, QemuDomainPrivate *priv,
                      const QemuMonitorEvent *event)
{
    QVIRT_INFO("domain '%s': QEMU reports a shutdown (%s, %s)", domain_obj_get_name(vm),
               event->guest ? "guest" : "host", event->reason ? event->reason : "no reason");
    /* QEMU reports our own SIGTERM as a host shutdown: that is the destroy. */
    if (priv->stop_reason >= 0 && !event->guest)
        return;
    priv->got_shutdown = TRUE;
    priv->shutdown_is_reset = g_strcmp0(event->reason, "guest-reset") == 0;
    domain_obj_set_state(vm, DOMAIN_STATE_SHUTDOWN, DOMAIN_SHUTDOWN_UNKNOWN);
    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_SHUTDOWN,
                               event->guest ? QV_DOMAIN_EVENT_SHUTDOWN_GUEST
                                            : QV_DOMAIN_EVENT_SHUTDOWN_HOST);
    qemu_process_queue_work(vm, QEMU_WORK_SAVE_STATUS);
    qemu_process_queue_work(vm, QEMU_WORK_GUEST_SHUTDOWN);
}

static void
handle_reset_event(QemuDriver *driver, DomainObj *vm, QemuDomainPrivate *priv)
{
    qemu_driver_emit_reboot(driver, vm);
}

static void
handle_panic_event(QemuDriver *driver, DomainObj *vm, QemuDomainPrivate *priv)
{
    if (vm->state == DOMAIN_STATE_CRASHED)
        return;
    domain_obj_set_state(vm, DOMAIN_STATE_CRASHED, DOMAIN_CRASHED_PANICKED);
    qemu_process_emit_state_change(driver, vm, DOMAIN_STATE_CRASHED, DOMAIN_CRASHED_PANICKED);
    qemu_process_queue_work(vm, QEMU_WORK_SAVE_STATUS);
}

static void
monitor_event(QemuMonitor *mon, const QemuMonitorEvent *event, gpointer opaque)
{
    DomainObj *vm = opaque;
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuDriver *driver = priv->driver;

    domain_obj_lock(vm);
    /* A late callback of a monitor that was replaced or closed. */
    if (priv->base.mon != mon || !domain_obj_is_active(vm))
        goto unlock;
    switch (event->type) {
    case QEMU_MONITOR_EVENT_STOP:
        handle_stop_event(driver, vm, priv);
        break;
    case QEMU_MONITOR_EVENT_RESUME:
        handle_resume_event(driver, vm, priv);
        break;
    case QEMU_MONITOR_EVENT_SHUTDOWN:
        handle_shutdown_event(driver, vm, priv, event);
        break;
    case QEMU_MONITOR_EVENT_RESET:
        handle_reset_event(driver, vm, priv);
        break;
    case QEMU_MONITOR_EVENT_GUEST_PANICKED:
        handle_panic_event(driver, vm, priv);
        break;
    case QEMU_MONITOR_EVENT_MIGRATION:
    case QEMU_MONITOR_EVENT_MIGRATION_PASS:
        qemu_migration_handle_event(driver, vm, event);
        break;
    case QEMU_MONITOR_EVENT_JOB_STATUS_CHANGE:
    case QEMU_MONITOR_EVENT_BLOCK_JOB_COMPLETED:
    case QEMU_MONITOR_EVENT_BLOCK_JOB_CANCELLED:
    case QEMU_MONITOR_EVENT_BLOCK_JOB_READY:
    case QEMU_MONITOR_EVENT_BLOCK_JOB_ERROR:
    case QEMU_MONITOR_EVENT_BLOCK_JOB_PENDING:
        /* Storage migration (and later the block job APIs) waits on these
         * and re-reads the truth with query-jobs. */
        QVIRT_DEBUG("domain '%s': %s %s %s", domain_obj_get_name(vm), event->name,
                    event->device ? event->device : (event->id ? event->id : ""),
                    event->status ? event->status : "");
        qemu_blockjob_handle_event(driver, vm, event);
        domain_job_signal_event(vm);
        break;
    case QEMU_MONITOR_EVENT_DUMP_COMPLETED:
        qemu_dump_handle_event(driver, vm, event);
        break;
    default:
        QVIRT_DEBUG("domain '%s': event %s not handled here", domain_obj_get_name(vm), event->name);
        break;
    }
unlock:
    domain_obj_unlock(vm);
}

static void
monitor_eof(QemuMonitor *mon, gpointer opaque)
{
    DomainObj *vm = opaque;
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    domain_obj_lock(vm);
    QVIRT_DEBUG("domain '%s': EOF on the monitor", domain_obj_get_name(vm));
    /* With a pidfd the exit watch reports the exit itself; without one the
     * EOF is the only sign. */
    if (priv->base.mon == mon && domain_obj_is_active(vm) && priv->proc && priv->proc->pidfd < 0)
        qemu_process_queue_work(vm, QEMU_WORK_EXITED);
    domain_obj_unlock(vm);
}

static void
monitor_error(QemuMonitor *mon, const char *message, gpointer opaque)
{
    DomainObj *vm = opaque;

    domain_obj_lock(vm);
    QVIRT_ERROR("domain '%s': the QEMU monitor failed and is closed: %s", domain_obj_get_name(vm),
                message);
    domain_obj_unlock(vm);
}

static const QemuMonitorCallbacks qemu_process_monitor_callbacks = {
    .event = monitor_event,
    .eof = monitor_eof,
    .error = monitor_error,
};

/* Open the monitor of PROTOCOL on PATH for VM (locked). */
QemuMonitor *
qemu_process_open_monitor(QemuDriver *driver, DomainObj *vm, QemuMonitorProtocol protocol,
                          const char *path)
{
    QemuMonitorConfig config = {
        .protocol = protocol,
        .domain_name = domain_obj_get_name(vm),
        .timeout_ms = driver->config->monitor_timeout_ms,
        .callbacks = protocol == QEMU_MONITOR_PROTOCOL_QMP ? &qemu_process_monitor_callbacks : NULL,
        .opaque = protocol == QEMU_MONITOR_PROTOCOL_QMP ? domain_obj_ref(vm) : NULL,
        .opaque_free =
            protocol == QEMU_MONITOR_PROTOCOL_QMP ? (GDestroyNotify)domain_obj_unref : NULL,
    };
    QemuMonitor *mon = qemu_monitor_open_path(driver->loop, path, &config);

    if (!mon && config.opaque)
        domain_obj_unref(vm);
    return mon;
}

void
qemu_process_close_monitors(QemuDomainPrivate *priv)
{
    qemu_monitor_close(g_steal_pointer(&priv->base.mon));
    qemu_monitor_close(g_steal_pointer(&priv->base.hmp));
}

/* ---- queued work (worker threads) ---- */

static void
work_exited(QemuDriver *driver, DomainObj *vm, guint run)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    gboolean incoming;
    int attempt;
    int reason;

    domain_obj_lock(vm);
    for (attempt = 0; attempt < QEMU_PROCESS_EXIT_JOB_ATTEMPTS; attempt++) {
        if (priv->run != run || !domain_obj_is_active(vm) || vm->removing)
            goto unlock; /* stopped by someone else meanwhile */
        if (domain_job_begin(vm, DOMAIN_JOB_DESTROY) == 0)
            break;
        QVIRT_WARN("domain '%s': QEMU exited but the domain cannot be cleaned up yet: %s",
                   domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    if (attempt == QEMU_PROCESS_EXIT_JOB_ATTEMPTS) {
        QVIRT_ERROR("domain '%s': QEMU exited; giving up cleaning up", domain_obj_get_name(vm));
        goto unlock;
    }
    incoming = domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_IN;
    if (priv->run == run && domain_obj_is_active(vm)) {
        if (priv->stop_reason >= 0)
            reason = priv->stop_reason;
        else if (priv->got_shutdown)
            reason = DOMAIN_SHUTOFF_SHUTDOWN;
        else if (incoming || priv->starting)
            reason = DOMAIN_SHUTOFF_FAILED; /* as libvirt says of a start or incoming guest */
        else
            reason = DOMAIN_SHUTOFF_CRASHED;
        if (reason == DOMAIN_SHUTOFF_CRASHED || (incoming && priv->stop_reason < 0))
            QVIRT_WARN("domain '%s': QEMU exited unexpectedly", domain_obj_get_name(vm));
        /* A start that is still running reports the failure to its caller
         * and announced nothing yet: no STOPPED event either. */
        qemu_process_stop(driver, vm, reason, priv->starting ? QEMU_PROCESS_STOP_NO_EVENT : 0);
    }
    /* An incoming migration between Prepare and Finish has nobody to end
     * its job: the guest it was for is gone. */
    if (incoming && !domain_obj_is_active(vm) && !domain_job_async_has_owner(vm->job))
        domain_job_discard_async(vm);
    qemu_driver_remove_inactive(driver, vm);
    domain_job_end(vm);
unlock:
    domain_obj_unlock(vm);
}

static void
work_save_status(QemuDriver *driver, DomainObj *vm, guint run)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    domain_obj_lock(vm);
    if (priv->run == run && domain_obj_is_active(vm) && qemu_process_save_status(driver, vm) < 0) {
        QVIRT_ERROR("domain '%s': status not saved after a state change: %s",
                    domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    domain_obj_unlock(vm);
}

/* <on_poweroff> restart: reset and run again, as a fake reboot. */
static void
work_guest_restart(QemuDriver *driver, DomainObj *vm, guint run)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuMonitor *mon;
    int rc;

    if (domain_job_begin_flags(vm, DOMAIN_JOB_MODIFY, DOMAIN_JOB_BEGIN_NEED_ACTIVE) < 0) {
        QVIRT_ERROR("domain '%s': cannot restart after the guest powered off: %s",
                    domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
        return;
    }
    if (priv->run == run && (mon = qemu_domain_obj_enter_monitor(vm))) {
        rc = qemu_monitor_json_system_reset(mon);
        if (rc == 0)
            rc = qemu_monitor_json_cont(mon);
        qemu_domain_obj_exit_monitor(vm);
        if (rc == 0 && priv->run == run && domain_obj_is_active(vm)) {
            priv->got_shutdown = FALSE;
            priv->shutdown_is_reset = FALSE;
            domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
            if (qemu_process_save_status(driver, vm) < 0)
                rc = -1;
        }
        if (rc < 0) {
            QVIRT_ERROR("domain '%s': restart after power off failed: %s", domain_obj_get_name(vm),
                        qvirt_error_last_message());
            qvirt_error_reset();
        }
    }
    domain_job_end(vm);
}

static void
work_guest_shutdown(QemuDriver *driver, DomainObj *vm, guint run)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    int action;

    domain_obj_lock(vm);
    if (priv->run != run || !domain_obj_is_active(vm) || !priv->got_shutdown)
        goto unlock;
    /* A reboot that -action reboot=shutdown turned into a shutdown is
     * <on_reboot> destroy. */
    action = priv->shutdown_is_reset ? DOMAIN_LIFECYCLE_DESTROY : vm->def->on_poweroff;
    switch (action) {
    case DOMAIN_LIFECYCLE_RESTART:
    case DOMAIN_LIFECYCLE_RENAME_RESTART:
    case DOMAIN_LIFECYCLE_COREDUMP_RESTART:
        work_guest_restart(driver, vm, run);
        break;
    case DOMAIN_LIFECYCLE_PRESERVE:
        QVIRT_INFO("domain '%s': guest powered off, QEMU preserved", domain_obj_get_name(vm));
        break;
    default:
        /* The exit watch then stops the domain with reason shutdown. */
        if (priv->stop_reason < 0)
            priv->stop_reason = DOMAIN_SHUTOFF_SHUTDOWN;
        if (qemu_process_kill(vm, driver->config->destroy_grace_ms, FALSE) < 0) {
            QVIRT_ERROR("domain '%s': cannot stop QEMU after the guest powered off: %s",
                        domain_obj_get_name(vm), qvirt_error_last_message());
            qvirt_error_reset();
        }
        break;
    }
unlock:
    domain_obj_unlock(vm);
}

void
qemu_process_run_work(gpointer job, gpointer opaque)
{
    DomainObj *vm = job;
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuDriver *driver = opaque;

    for (;;) {
        QemuWork *work;

        g_mutex_lock(&priv->work_lock);
        work = g_queue_pop_head(&priv->work);
        if (!work)
            priv->work_busy = FALSE;
        g_mutex_unlock(&priv->work_lock);
        if (!work)
            break;
        switch (work->kind) {
        case QEMU_WORK_EXITED:
            work_exited(driver, vm, work->run);
            break;
        case QEMU_WORK_SAVE_STATUS:
            work_save_status(driver, vm, work->run);
            break;
        case QEMU_WORK_GUEST_SHUTDOWN:
            work_guest_shutdown(driver, vm, work->run);
            break;
        case QEMU_WORK_BLOCK_JOBS:
            qemu_blockjob_run_work(driver, vm, work->run);
            break;
        case QEMU_WORK_LAST:
            break;
        }
        g_free(work);
    }
    domain_obj_unref(vm);
}

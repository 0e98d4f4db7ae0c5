/* qemu_migration_progress.c: migration progress: QEMU's query-migrate
 * statistics turned into the job's statistics (DomainJobStats), and the
 * MIGRATION / MIGRATION_PASS events of a domain being migrated.
 *
 * Contract: everything here runs with the domain's mutex held and never
 * talks to QEMU or takes a job, so the event-loop thread may call it. The
 * memory figures come from query-migrate; the disk figures from
 * query-migrate only when QEMU reports some (old-style block migration),
 * else they stay what the storage migration wrote; the data totals are
 * memory plus disk. */
#include <config.h>

#include "driver/event.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_process.h"
#include "util/log.h"

QVIRT_LOG_INIT("qemu.migration.progress");

int
qemu_migration_progress_status(int qemu_status)
{
    switch ((QemuMonitorMigrationStatus)qemu_status) {
    case QEMU_MONITOR_MIGRATION_STATUS_NONE:
    case QEMU_MONITOR_MIGRATION_STATUS_SETUP:
        return DOMAIN_JOB_STATUS_ACTIVE;
    case QEMU_MONITOR_MIGRATION_STATUS_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLING:
    case QEMU_MONITOR_MIGRATION_STATUS_COLO:
    case QEMU_MONITOR_MIGRATION_STATUS_DEVICE:
    case QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG:
        return DOMAIN_JOB_STATUS_MIGRATING;
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER:
        return DOMAIN_JOB_STATUS_POSTCOPY;
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
        return DOMAIN_JOB_STATUS_POSTCOPY_PAUSED;
    case QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER:
        return DOMAIN_JOB_STATUS_PAUSED;
    case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
        return DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED;
    case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
        return DOMAIN_JOB_STATUS_FAILED;
    case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
        return DOMAIN_JOB_STATUS_CANCELED;
    case QEMU_MONITOR_MIGRATION_STATUS_LAST:
        break;
    }
    return DOMAIN_JOB_STATUS_ACTIVE;
}

void
qemu_migration_progress_to_stats(const QemuMonitorMigrationStats *mstats, DomainJobStats *stats)
{
    stats->status = qemu_migration_progress_status(mstats->status);

    stats->mem_total = mstats->ram_total;
    stats->mem_processed = mstats->ram_transferred;
    stats->mem_remaining = mstats->ram_remaining;
    /* QEMU's mbps are megabits (10^6) per second. */
    stats->mem_bps = mstats->ram_mbps > 0 ? (guint64)(mstats->ram_mbps * 1000 * 1000 / 8) : 0;
    stats->mem_dirty_rate = mstats->ram_dirty_rate;
    stats->mem_iteration = mstats->ram_iteration;
    stats->mem_page_size = mstats->ram_page_size;
    stats->mem_postcopy_requests = mstats->ram_postcopy_requests;

    if (mstats->disk_total > 0) {
        stats->disk_total = mstats->disk_total;
        stats->disk_processed = mstats->disk_transferred;
        stats->disk_remaining = mstats->disk_remaining;
    }

    stats->data_total = stats->mem_total + stats->disk_total;
    stats->data_processed = stats->mem_processed + stats->disk_processed;
    stats->data_remaining = stats->mem_remaining + stats->disk_remaining;

    if (mstats->downtime_set) {
        stats->downtime_set = TRUE;
        stats->downtime_ms = (gint64)mstats->downtime;
    }
    if (mstats->setup_time_set)
        stats->setup_time_ms = (gint64)mstats->setup_time;
    if (mstats->status == QEMU_MONITOR_MIGRATION_STATUS_FAILED && mstats->error_desc)
        g_strlcpy(stats->error_message, mstats->error_desc, sizeof(stats->error_message));
}

void
qemu_migration_progress_update(DomainObj *vm, const QemuMonitorMigrationStats *mstats)
{
    DomainJobStats *stats = domain_job_current_stats(vm);

    if (!stats)
        return;
    qemu_migration_progress_to_stats(mstats, stats);
}

/* ---- events ---- */

static void
progress_emit(QemuDriver *driver, DomainObj *vm, QemuDriverEvent *event)
{
    event->name = vm->def->name;
    event->uuid = vm->def->uuid;
    event->id = vm->def->id;
    if (driver && driver->event_func)
        driver->event_func(event, driver->event_opaque);
}

static void
progress_set_state(QemuDriver *driver, DomainObj *vm, int state, int reason, int event_type,
                   int event_detail)
{
    int cur_reason;
    int cur = domain_obj_get_state(vm, &cur_reason);

    if (cur == state && cur_reason == reason)
        return;
    QVIRT_DEBUG("domain '%s': migration moves the state to %d/%d", domain_obj_get_name(vm), state,
                reason);
    domain_obj_set_state(vm, state, reason);
    if (event_type >= 0) {
        QemuDriverEvent ev = {
            .event_id = QV_DOMAIN_EVENT_ID_LIFECYCLE,
            .type = event_type,
            .detail = event_detail,
        };

        progress_emit(driver, vm, &ev);
    }
    qemu_process_queue_work(vm, QEMU_WORK_SAVE_STATUS);
}

/* The domain state QEMU's migration status STATUS implies, as libvirt
 * keeps it: the source of a post-copy migration is paused (reason
 * postcopy, or postcopy-failed once it broke off); the destination runs
 * with the same reasons. */
static void
progress_handle_status(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job, int status)
{
    int state = domain_obj_get_state(vm, NULL);

    switch (status) {
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER:
        if (job == DOMAIN_ASYNC_JOB_MIGRATION_OUT && state == DOMAIN_STATE_PAUSED)
            progress_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_POSTCOPY,
                               QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY);
        break;
    case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
        if (job == DOMAIN_ASYNC_JOB_MIGRATION_OUT && state == DOMAIN_STATE_PAUSED)
            progress_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_POSTCOPY_FAILED,
                               QV_DOMAIN_EVENT_SUSPENDED,
                               QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED);
        else if (job == DOMAIN_ASYNC_JOB_MIGRATION_IN && state == DOMAIN_STATE_RUNNING)
            progress_set_state(driver, vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_POSTCOPY_FAILED,
                               QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED);
        break;
    case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
        /* QEMU stopped the source's vCPUs for the switch-over. */
        if (job == DOMAIN_ASYNC_JOB_MIGRATION_OUT && state == DOMAIN_STATE_PAUSED)
            progress_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION, -1, 0);
        break;
    default:
        break;
    }
}

void
qemu_migration_handle_event(QemuDriver *driver, DomainObj *vm, const QemuMonitorEvent *event)
{
    DomainAsyncJob job = domain_job_get_async(vm->job);
    DomainJobStats *stats;

    if (job != DOMAIN_ASYNC_JOB_MIGRATION_OUT && job != DOMAIN_ASYNC_JOB_MIGRATION_IN) {
        QVIRT_DEBUG("domain '%s': %s outside a migration job", domain_obj_get_name(vm),
                    event->name);
        return;
    }
    stats = domain_job_current_stats(vm);

    if (event->type == QEMU_MONITOR_EVENT_MIGRATION) {
        int status = qemu_monitor_migration_status_from_string(event->status);

        QVIRT_DEBUG("domain '%s': migration status %s", domain_obj_get_name(vm),
                    event->status ? event->status : "(none)");
        if (status < 0)
            return;
        if (stats)
            stats->status = qemu_migration_progress_status(status);
        progress_handle_status(driver, vm, job, status);
    } else if (event->type == QEMU_MONITOR_EVENT_MIGRATION_PASS) {
        QemuDriverEvent ev = {
            .event_id = QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
            .iteration = (int)event->pass,
        };

        if (stats)
            stats->mem_iteration = (guint64)event->pass;
        if (job == DOMAIN_ASYNC_JOB_MIGRATION_OUT)
            progress_emit(driver, vm, &ev);
    } else {
        return;
    }
    domain_job_signal_event(vm);
}

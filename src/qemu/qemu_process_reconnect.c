/* qemu_process_reconnect.c: taking over a QEMU that a previous daemon
 * started, from the domain's status file: trust its pid only with its
 * start time, reopen the monitors, reconcile the state with query-status,
 * and clean up a QEMU found gone (the contract is in qemu_process.h). */
#include <config.h>

#include "qemu/qemu_interface.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process_priv.h"
#include "qemu/qemu_recovery.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.process.reconnect");

/* ---- reconnect ---- */

/* The state a QEMU run state means, given the state VM had (locked). */
static void
reconnect_map_state(DomainObj *vm, bool running, QemuMonitorVMStatus status, int *ret_state,
                    int *ret_reason)
{
    int state = DOMAIN_STATE_PAUSED;
    int reason = DOMAIN_PAUSED_UNKNOWN;

    if (running) {
        state = DOMAIN_STATE_RUNNING;
        reason = DOMAIN_RUNNING_UNPAUSED;
    } else {
        switch (status) {
        case QEMU_MONITOR_VM_STATUS_SHUTDOWN:
            state = DOMAIN_STATE_SHUTDOWN;
            reason = DOMAIN_SHUTDOWN_UNKNOWN;
            break;
        case QEMU_MONITOR_VM_STATUS_GUEST_PANICKED:
            state = DOMAIN_STATE_CRASHED;
            reason = DOMAIN_CRASHED_PANICKED;
            break;
        case QEMU_MONITOR_VM_STATUS_SUSPENDED:
            state = DOMAIN_STATE_PMSUSPENDED;
            reason = 0;
            break;
        case QEMU_MONITOR_VM_STATUS_IO_ERROR:
            reason = DOMAIN_PAUSED_IOERROR;
            break;
        case QEMU_MONITOR_VM_STATUS_WATCHDOG:
            reason = DOMAIN_PAUSED_WATCHDOG;
            break;
        case QEMU_MONITOR_VM_STATUS_INMIGRATE:
        case QEMU_MONITOR_VM_STATUS_POSTMIGRATE:
        case QEMU_MONITOR_VM_STATUS_FINISH_MIGRATE:
            reason = DOMAIN_PAUSED_MIGRATION;
            break;
        case QEMU_MONITOR_VM_STATUS_SAVE_VM:
            reason = DOMAIN_PAUSED_SAVE;
            break;
        case QEMU_MONITOR_VM_STATUS_PRELAUNCH:
            reason = DOMAIN_PAUSED_STARTING_UP;
            break;
        default:
            break;
        }
    }
    /* The reason qvirt recorded is more precise than QEMU's run state. */
    if (state == vm->state && (state != DOMAIN_STATE_PAUSED || reason == DOMAIN_PAUSED_UNKNOWN))
        reason = vm->state_reason;
    *ret_state = state;
    *ret_reason = reason;
}

/* Stop VM (locked), whose QEMU is gone or must go, with REASON. */
static void
reconnect_stop(QemuDriver *driver, DomainObj *vm, int reason)
{
    if (domain_job_get_active(vm->job) == DOMAIN_JOB_DESTROY)
        domain_job_end(vm); /* the destroy the previous daemon was running */
    if (domain_job_begin(vm, DOMAIN_JOB_DESTROY) < 0) {
        QVIRT_ERROR("domain '%s': cannot clean up: %s", domain_obj_get_name(vm),
                    qvirt_error_last_message());
        qvirt_error_reset();
        return;
    }
    qemu_process_stop(driver, vm, reason, 0);
    if (domain_job_get_async(vm->job) != DOMAIN_ASYNC_JOB_NONE)
        domain_job_discard_async(vm);
    qemu_driver_remove_inactive(driver, vm);
    domain_job_end(vm);
}

/* Query QEMU's run state (VM locked). */
static int
reconnect_query(DomainObj *vm, bool *ret_running, QemuMonitorVMStatus *ret_status)
{
    DomainAsyncJob async = domain_job_get_async(vm->job);
    QemuMonitor *mon;
    int rc;

    if (async != DOMAIN_ASYNC_JOB_NONE)
        rc = domain_job_begin_nested(vm, async);
    else
        rc = domain_job_begin(vm, DOMAIN_JOB_QUERY);
    if (rc < 0)
        return -1;
    if (!(mon = qemu_domain_obj_enter_monitor(vm))) {
        domain_job_end(vm);
        return -1;
    }
    rc = qemu_monitor_json_set_capabilities(mon);
    if (rc == 0)
        rc = qemu_monitor_json_query_status(mon, ret_running, ret_status);
    qemu_domain_obj_exit_monitor(vm);
    domain_job_end(vm);
    return rc;
}

static void
reconnect_reconcile(QemuDriver *driver, DomainObj *vm, bool running, QemuMonitorVMStatus status)
{
    int state;
    int reason;

    reconnect_map_state(vm, running, status, &state, &reason);
    if (state == vm->state && reason == vm->state_reason)
        return;
    QVIRT_INFO("domain '%s': state %s/%s while the daemon was away, now %s/%s",
               domain_obj_get_name(vm), domain_state_to_string(vm->state),
               domain_state_reason_to_string(vm->state, vm->state_reason),
               domain_state_to_string(state), domain_state_reason_to_string(state, reason));
    if (state != vm->state)
        qemu_process_emit_state_change(driver, vm, state, reason);
    domain_obj_set_state(vm, state, reason);
    if (qemu_process_save_status(driver, vm) < 0) {
        QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
}

void
qemu_process_reconnect(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QvirtProcess *proc = NULL;
    QemuMonitorVMStatus status = QEMU_MONITOR_VM_STATUS_UNKNOWN;
    bool running = false;
    guint run;

    domain_obj_lock(vm);
    if (!domain_obj_is_active(vm) || vm->removing)
        goto unlock;
    run = ++priv->run;

    if (vm->pid > 0)
        proc = qvirt_process_open(vm->pid, vm->pid_start_time);
    if (!proc || !qvirt_process_is_alive(proc)) {
        QVIRT_INFO("domain '%s': its QEMU (pid %d) is gone: %s", domain_obj_get_name(vm),
                   (int)vm->pid, proc ? "it exited" : qvirt_error_last_message());
        qvirt_error_reset();
        qvirt_process_free(proc);
        reconnect_stop(driver, vm,
                       vm->state == DOMAIN_STATE_SHUTDOWN ? DOMAIN_SHUTOFF_SHUTDOWN
                                                          : DOMAIN_SHUTOFF_CRASHED);
        goto unlock;
    }
    priv->proc = qemu_process_handle_new(proc);
    g_clear_pointer(&priv->taps, g_hash_table_unref);
    priv->taps = qemu_interface_find_taps(vm->def);
    qemu_process_watch_exit(driver, vm);
    QVIRT_INFO("domain '%s': found its QEMU again, pid %d", domain_obj_get_name(vm), (int)vm->pid);

    if (domain_job_get_active(vm->job) == DOMAIN_JOB_DESTROY) {
        /* The previous daemon was destroying it: finish (qemu_recovery.h). */
        qemu_recovery_run(driver, vm);
        goto unlock;
    }

    if (!(priv->base.mon = qemu_process_open_monitor(driver, vm, QEMU_MONITOR_PROTOCOL_QMP,
                                                     priv->monitor_path)) ||
        (priv->hmp_path && !(priv->base.hmp = qemu_process_open_monitor(
                                 driver, vm, QEMU_MONITOR_PROTOCOL_HMP, priv->hmp_path))) ||
        reconnect_query(vm, &running, &status) < 0) {
        /* The guest may be fine: never kill it for this. */
        QVIRT_ERROR("domain '%s': left running without a usable monitor: %s",
                    domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
        goto unlock;
    }
    if (priv->run != run || !domain_obj_is_active(vm))
        goto unlock; /* it exited meanwhile: the exit watch cleans up */

    reconnect_reconcile(driver, vm, running, status);
    /* An interrupted async job: the recovery table (qemu_recovery.c). */
    qemu_recovery_run(driver, vm);
    if (priv->run != run || !domain_obj_is_active(vm))
        goto unlock;
    if (status == QEMU_MONITOR_VM_STATUS_SHUTDOWN) {
        /* The guest powered off while the daemon was away. */
        priv->got_shutdown = TRUE;
        qemu_process_queue_work(vm, QEMU_WORK_GUEST_SHUTDOWN);
    }

unlock:
    domain_obj_unlock(vm);
}

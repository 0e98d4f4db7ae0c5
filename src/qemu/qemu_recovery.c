/* qemu_recovery.c: the recovery table of interrupted async jobs, its pure
 * lookup, and the actions carried out on a reconnected domain (the
 * contract is in qemu_recovery.h; docs/recovery.md is the same table in
 * words). */
#include <config.h>

#include "driver/api.h"
#include "driver/event.h"
#include "driver/migrate.h"
#include "qemu/qemu_blockjob.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_migration_params.h"
#include "qemu/qemu_migration_resume.h"
#include "qemu/qemu_migration_storage.h"
#include "qemu/qemu_migration_tls.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_process_priv.h"
#include "qemu/qemu_recovery.h"
#include "util/enum.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.recovery");

/* How long a recovery waits for QEMU to leave a migration (after
 * migrate_cancel) or a dump, and how often it asks meanwhile. */
#define RECOVERY_CANCEL_TIMEOUT_MS 10000
#define RECOVERY_DUMP_TIMEOUT_MS 60000
#define RECOVERY_POLL_MS 200

/* ---- names ---- */

static const char *const recovery_action_names[] = {
    "none",
    "drop-job",
    "cancel-and-resume",
    "keep-paused-outcome-unknown",
    "resume",
    "stop-source-migrated",
    "keep-postcopy-failed",
    "kill-incoming",
    "keep-and-end-job",
    "cancel-save-and-resume",
    "wait-dump-and-resume",
    "kill",
    "finish-destroy",
};
G_STATIC_ASSERT(G_N_ELEMENTS(recovery_action_names) == QEMU_RECOVERY_ACTION_LAST);

static const char *const recovery_action_descriptions[] = {
    "nothing to recover",
    "drop the job",
    "cancel migration and resume",
    "keep paused, outcome unknown",
    "resume",
    "stop the source (migrated)",
    "keep the post-copy-failed state and the job",
    "kill the incoming QEMU",
    "keep it running and end the job",
    "cancel the save and resume",
    "wait for the dump and resume",
    "kill QEMU",
    "finish the destroy",
};
G_STATIC_ASSERT(G_N_ELEMENTS(recovery_action_descriptions) == QEMU_RECOVERY_ACTION_LAST);

const char *
qemu_recovery_action_to_string(int action)
{
    return qvirt_enum_to_string(recovery_action_names, G_N_ELEMENTS(recovery_action_names), action);
}

int
qemu_recovery_action_from_string(const char *str)
{
    return qvirt_enum_from_string(recovery_action_names, G_N_ELEMENTS(recovery_action_names), str);
}

const char *
qemu_recovery_action_describe(int action)
{
    return qvirt_enum_to_string(recovery_action_descriptions,
                                G_N_ELEMENTS(recovery_action_descriptions), action);
}

/* ---- the table ---- */

#define OUT DOMAIN_ASYNC_JOB_MIGRATION_OUT
#define IN DOMAIN_ASYNC_JOB_MIGRATION_IN
#define ANY_PHASE QEMU_RECOVERY_PHASE_ANY
#define RUN_ANY QEMU_RECOVERY_RUN_ANY
#define RUN_RUNNING QEMU_RECOVERY_RUN_RUNNING
#define RUN_PAUSED QEMU_RECOVERY_RUN_PAUSED
#define MIG_ANY QEMU_RECOVERY_MIG_ANY
#define MIG_POSTCOPY QEMU_RECOVERY_MIG_POSTCOPY
#define MIG_COMPLETED QEMU_RECOVERY_MIG_COMPLETED
#define PC_ANY QEMU_RECOVERY_POSTCOPY_ANY
#define PC_YES QEMU_RECOVERY_POSTCOPY_ALLOWED
#define PC_NO QEMU_RECOVERY_POSTCOPY_NOT_ALLOWED
#define A(x) QEMU_RECOVERY_ACTION_##x

/* First match wins: specific rows before the catch-all of their job. */
static const QemuRecoveryRule recovery_table[] = {
    /* Migration out (source). */
    {OUT, QEMU_MIGRATION_PHASE_BEGIN3, RUN_ANY, MIG_ANY, PC_ANY, A(DROP_JOB)},
    {OUT, QEMU_MIGRATION_PHASE_PERFORM3, RUN_ANY, MIG_POSTCOPY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    {OUT, QEMU_MIGRATION_PHASE_PERFORM3, RUN_ANY, MIG_ANY, PC_ANY, A(CANCEL_AND_RESUME)},
    {OUT, QEMU_MIGRATION_PHASE_PERFORM3_DONE, RUN_PAUSED, MIG_COMPLETED, PC_ANY,
     A(KEEP_PAUSED_OUTCOME_UNKNOWN)},
    /* An "outcome unknown" guest that the operator resumed meanwhile: the
     * source is the one that runs it; only the job is left to end. */
    {OUT, QEMU_MIGRATION_PHASE_PERFORM3_DONE, RUN_RUNNING, MIG_COMPLETED, PC_ANY,
     A(KEEP_AND_END_JOB)},
    {OUT, QEMU_MIGRATION_PHASE_PERFORM3_DONE, RUN_ANY, MIG_POSTCOPY, PC_ANY,
     A(KEEP_POSTCOPY_FAILED)},
    {OUT, QEMU_MIGRATION_PHASE_PERFORM3_DONE, RUN_ANY, MIG_ANY, PC_ANY, A(CANCEL_AND_RESUME)},
    {OUT, QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED, RUN_ANY, MIG_ANY, PC_ANY, A(RESUME)},
    {OUT, QEMU_MIGRATION_PHASE_CONFIRM3, RUN_ANY, MIG_ANY, PC_ANY, A(STOP_SOURCE_MIGRATED)},
    {OUT, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, RUN_ANY, MIG_ANY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    {OUT, QEMU_MIGRATION_PHASE_BEGIN_RESUME, RUN_ANY, MIG_ANY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    {OUT, QEMU_MIGRATION_PHASE_PERFORM_RESUME, RUN_ANY, MIG_ANY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    {OUT, QEMU_MIGRATION_PHASE_CONFIRM_RESUME, RUN_ANY, MIG_ANY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    {OUT, ANY_PHASE, RUN_ANY, MIG_ANY, PC_ANY, A(DROP_JOB)},

    /* Migration in (destination). */
    {IN, QEMU_MIGRATION_PHASE_PREPARE, RUN_ANY, MIG_ANY, PC_ANY, A(KILL_INCOMING)},
    {IN, QEMU_MIGRATION_PHASE_FINISH3, RUN_ANY, MIG_POSTCOPY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    /* Finish had resumed the guest but never answered: the source saw Finish
     * fail and resumed its own copy (Confirm, cancelled), so this one goes.
     * Unless post-copy was allowed: then the source's copy may be stale and
     * this one may be the only good one. */
    {IN, QEMU_MIGRATION_PHASE_FINISH3, RUN_RUNNING, MIG_ANY, PC_NO, A(KILL_INCOMING)},
    {IN, QEMU_MIGRATION_PHASE_FINISH3, RUN_RUNNING, MIG_ANY, PC_YES, A(KEEP_AND_END_JOB)},
    {IN, QEMU_MIGRATION_PHASE_FINISH3, RUN_PAUSED, MIG_ANY, PC_ANY, A(KILL_INCOMING)},
    {IN, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, RUN_ANY, MIG_ANY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    {IN, QEMU_MIGRATION_PHASE_PREPARE_RESUME, RUN_ANY, MIG_ANY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    {IN, QEMU_MIGRATION_PHASE_FINISH_RESUME, RUN_ANY, MIG_ANY, PC_ANY, A(KEEP_POSTCOPY_FAILED)},
    {IN, ANY_PHASE, RUN_ANY, MIG_ANY, PC_ANY, A(KILL_INCOMING)},

    /* Save and dump. */
    {DOMAIN_ASYNC_JOB_SAVE, ANY_PHASE, RUN_ANY, MIG_ANY, PC_ANY, A(CANCEL_SAVE_AND_RESUME)},
    {DOMAIN_ASYNC_JOB_DUMP, ANY_PHASE, RUN_ANY, MIG_ANY, PC_ANY, A(WAIT_DUMP_AND_RESUME)},

    /* Start: a start whose vCPUs never ran is killed; one that got as far
     * as running them only lost its job end. */
    {DOMAIN_ASYNC_JOB_START, ANY_PHASE, RUN_RUNNING, MIG_ANY, PC_ANY, A(KEEP_AND_END_JOB)},
    {DOMAIN_ASYNC_JOB_START, ANY_PHASE, RUN_PAUSED, MIG_ANY, PC_ANY, A(KILL)},

    /* Backup (not implemented): nothing of it survives in QEMU we know of. */
    {DOMAIN_ASYNC_JOB_BACKUP, ANY_PHASE, RUN_ANY, MIG_ANY, PC_ANY, A(DROP_JOB)},
};

#undef OUT
#undef IN
#undef ANY_PHASE
#undef RUN_ANY
#undef RUN_RUNNING
#undef RUN_PAUSED
#undef MIG_ANY
#undef MIG_POSTCOPY
#undef MIG_COMPLETED
#undef PC_ANY
#undef PC_YES
#undef PC_NO
#undef A

const QemuRecoveryRule *
qemu_recovery_table(size_t *ret_count)
{
    *ret_count = G_N_ELEMENTS(recovery_table);
    return recovery_table;
}

static gboolean
recovery_rule_matches(const QemuRecoveryRule *rule, const QemuRecoveryKey *key)
{
    if (rule->job != key->job)
        return FALSE;
    if (rule->phase != QEMU_RECOVERY_PHASE_ANY && rule->phase != key->phase)
        return FALSE;
    if (rule->run == QEMU_RECOVERY_RUN_RUNNING && !key->running)
        return FALSE;
    if (rule->run == QEMU_RECOVERY_RUN_PAUSED && key->running)
        return FALSE;
    if (rule->postcopy == QEMU_RECOVERY_POSTCOPY_ALLOWED && !key->postcopy)
        return FALSE;
    if (rule->postcopy == QEMU_RECOVERY_POSTCOPY_NOT_ALLOWED && key->postcopy)
        return FALSE;
    if (key->mig < 0 || key->mig >= QEMU_MONITOR_MIGRATION_STATUS_LAST)
        return rule->mig == QEMU_RECOVERY_MIG_ANY;
    return (rule->mig & QEMU_RECOVERY_MIG(key->mig)) != 0;
}

QemuRecoveryAction
qemu_recovery_lookup(const QemuRecoveryKey *key, const QemuRecoveryRule **ret_rule)
{
    if (ret_rule)
        *ret_rule = NULL;
    if (key->destroy)
        return QEMU_RECOVERY_ACTION_FINISH_DESTROY;
    if (key->job == DOMAIN_ASYNC_JOB_NONE)
        return QEMU_RECOVERY_ACTION_NONE;
    for (size_t i = 0; i < G_N_ELEMENTS(recovery_table); i++) {
        if (recovery_rule_matches(&recovery_table[i], key)) {
            if (ret_rule)
                *ret_rule = &recovery_table[i];
            return recovery_table[i].action;
        }
    }
    /* Only an async job type without rows gets here: leave QEMU alone. */
    return QEMU_RECOVERY_ACTION_DROP_JOB;
}

/* ---- helpers of the actions (VM locked) ---- */

/* Take the ownerless async job over for this thread. The nested jobs work
 * on an ownerless job too, so a failure is only logged. */
static void
recovery_take_job(DomainObj *vm)
{
    DomainAsyncJob async = domain_job_get_async(vm->job);

    if (async == DOMAIN_ASYNC_JOB_NONE || domain_job_is_async_owner(vm->job))
        return;
    if (domain_job_start_phase(vm, async, domain_job_get_phase(vm->job)) < 0) {
        QVIRT_WARN("domain '%s': cannot take over job '%s': %s", domain_obj_get_name(vm),
                   domain_async_job_to_string(async), qvirt_error_last_message());
        qvirt_error_reset();
    }
}

/* End the async job with final statistics STATUS and MESSAGE. */
static void
recovery_end_job(DomainObj *vm, DomainJobStatus status, const char *message)
{
    if (domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_NONE)
        return;
    domain_job_complete_stats(vm, status, message);
    domain_job_end_async(vm);
}

static void
recovery_save_status(QemuDriver *driver, DomainObj *vm)
{
    if (qemu_process_save_status(driver, vm) < 0) {
        QVIRT_WARN("domain '%s': cannot write its status after recovery: %s",
                   domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
}

/* Set the state, emitting the lifecycle event when the state changes. */
static void
recovery_set_state(QemuDriver *driver, DomainObj *vm, int state, int reason)
{
    int old = vm->state;

    domain_obj_set_state(vm, state, reason);
    if (old == state)
        return;
    if (state == DOMAIN_STATE_RUNNING && reason == DOMAIN_RUNNING_MIGRATION_CANCELED)
        /* What the migration source itself emits when it resumes. */
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_RESUMED,
                                   QV_DOMAIN_EVENT_RESUMED_MIGRATED);
    else
        qemu_process_emit_state_change(driver, vm, state, reason);
}

/* Send a command without arguments through the async job ASYNC. */
static int
recovery_simple(DomainObj *vm, DomainAsyncJob async, int (*cmd)(QemuMonitor *mon))
{
    QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async);
    int rc;

    if (!mon)
        return -1;
    rc = cmd(mon);
    qemu_domain_obj_exit_monitor(vm);
    if (rc == 0 && !domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("domain '%s' stopped during recovery"),
                           domain_obj_get_name(vm));
        return -1;
    }
    return rc;
}

/* cont, and the state RUNNING/REASON. */
static int
recovery_cont(QemuDriver *driver, DomainObj *vm, DomainAsyncJob async, int reason)
{
    if (recovery_simple(vm, async, qemu_monitor_json_cont) < 0)
        return -1;
    recovery_set_state(driver, vm, DOMAIN_STATE_RUNNING, reason);
    return 0;
}

static gboolean
recovery_mig_is_over(QemuMonitorMigrationStatus status)
{
    return status == QEMU_MONITOR_MIGRATION_STATUS_NONE ||
           status == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED ||
           status == QEMU_MONITOR_MIGRATION_STATUS_FAILED ||
           status == QEMU_MONITOR_MIGRATION_STATUS_CANCELLED;
}

/* migrate_cancel, then wait (with a deadline) until query-migrate says the
 * migration is over. Returns 0, or -1 with an error. */
static int
recovery_cancel_migration(DomainObj *vm, DomainAsyncJob async)
{
    gint64 deadline = qvirt_deadline_after_ms(RECOVERY_CANCEL_TIMEOUT_MS);

    if (recovery_simple(vm, async, qemu_monitor_json_migrate_cancel) < 0)
        return -1;
    while (TRUE) {
        QemuMonitorMigrationStats stats = {0};
        QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async);
        QemuMonitorMigrationStatus status;
        int rc;

        if (!mon)
            return -1;
        rc = qemu_monitor_json_query_migrate(mon, &stats);
        qemu_domain_obj_exit_monitor(vm);
        status = stats.status;
        qemu_monitor_migration_stats_clear(&stats);
        if (rc < 0)
            return -1;
        if (recovery_mig_is_over(status))
            return 0;
        if (g_get_monotonic_time() >= deadline) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("the migration of domain '%s' is still %s after migrate_cancel"),
                               domain_obj_get_name(vm),
                               qemu_monitor_migration_status_to_string(status));
            return -1;
        }
        /* Woken by QEMU's MIGRATION event; the poll covers a lost one. */
        if (domain_job_wait_event(vm, MIN(deadline, qvirt_deadline_after_ms(RECOVERY_POLL_MS))) < 0)
            return -1;
    }
}

static void
recovery_warn(DomainObj *vm, const char *what)
{
    QVIRT_WARN("domain '%s': recovery could not %s: %s", domain_obj_get_name(vm), what,
               qvirt_error_last_message());
    qvirt_error_reset();
}

/* Shut VM off with REASON: kill QEMU, drop the async job, forget a
 * transient domain. */
static int
recovery_stop(QemuDriver *driver, DomainObj *vm, int reason)
{
    if (domain_job_get_active(vm->job) == DOMAIN_JOB_DESTROY)
        domain_job_end(vm); /* the destroy the previous daemon was running */
    if (domain_job_begin(vm, DOMAIN_JOB_DESTROY) < 0)
        return -1;
    qemu_process_stop(driver, vm, reason, 0);
    domain_job_discard_async(vm);
    qemu_driver_remove_inactive(driver, vm);
    domain_job_end(vm);
    return 0;
}

/* ---- the actions ---- */

/* Undo the source's side of a migration that did not happen: mirrors, NBD
 * nodes, parameters, TLS object, and resume when the job paused it. */
static int
recovery_src_rollback(QemuDriver *driver, DomainObj *vm, gboolean cancel)
{
    QemuDomainJobPrivate *jpriv = qemu_domain_job_private(vm);
    DomainAsyncJob async = DOMAIN_ASYNC_JOB_MIGRATION_OUT;
    int ret = 0;

    if (cancel && recovery_cancel_migration(vm, async) < 0) {
        recovery_warn(vm, "cancel the migration");
        ret = -1;
    }
    if (!domain_obj_is_active(vm))
        return -1;
    if (jpriv->migrating_disks->len > 0)
        qemu_migration_storage_src_cancel(vm, async, TRUE);
    qemu_migration_params_restore(vm, async);
    if (domain_job_get_async_flags(vm->job) & QV_MIGRATE_TLS)
        qemu_migration_tls_remove(vm, async);
    if (!domain_obj_is_active(vm))
        return -1;
    if (ret == 0 && jpriv->paused_by_job && vm->state == DOMAIN_STATE_PAUSED) {
        if (recovery_cont(driver, vm, async, DOMAIN_RUNNING_MIGRATION_CANCELED) < 0) {
            recovery_warn(vm, "resume the guest");
            ret = -1;
        } else {
            jpriv->paused_by_job = FALSE;
        }
    }
    recovery_end_job(vm, DOMAIN_JOB_STATUS_CANCELED,
                     _("the migration was cancelled by recovery after a daemon restart"));
    return ret;
}

static void
recovery_keep_outcome_unknown(QemuDriver *driver, DomainObj *vm)
{
    DomainJobStats *stats = domain_job_current_stats(vm);

    if (vm->state != DOMAIN_STATE_PAUSED)
        recovery_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);
    /* The operator resolves it: resume (suspend jobs) or destroy. */
    domain_job_set_mask(vm, qemu_migration_job_mask(DOMAIN_ASYNC_JOB_MIGRATION_OUT));
    if (stats) {
        stats->status = DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED;
        stats->operation = DOMAIN_JOB_OPERATION_MIGRATION_OUT;
        g_strlcpy(stats->error_message, QEMU_RECOVERY_OUTCOME_UNKNOWN_MSG,
                  sizeof(stats->error_message));
    }
    QVIRT_WARN("domain '%s': %s", domain_obj_get_name(vm), QEMU_RECOVERY_OUTCOME_UNKNOWN_MSG);
    domain_job_release_async(vm);
}

static void
recovery_keep_postcopy_failed(QemuDriver *driver, DomainObj *vm, const QemuRecoveryKey *key)
{
    DomainJobStats *stats = domain_job_current_stats(vm);

    if (domain_job_get_phase(vm->job) != QEMU_MIGRATION_PHASE_POSTCOPY_FAILED &&
        domain_job_set_phase(vm, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) < 0)
        recovery_warn(vm, "record phase postcopy_failed");
    if (stats)
        stats->status = DOMAIN_JOB_STATUS_POSTCOPY_PAUSED;
    if (key->running)
        recovery_set_state(driver, vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_POSTCOPY_FAILED);
    else
        recovery_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_POSTCOPY_FAILED);
    domain_job_release_async(vm);
}

/* Save and dump: resume when the job paused the guest (REASON_PAUSED is
 * the reason the job's pause left). */
static int
recovery_resume_after(QemuDriver *driver, DomainObj *vm, DomainAsyncJob async, int reason_paused)
{
    QemuDomainJobPrivate *jpriv = qemu_domain_job_private(vm);

    if (vm->state != DOMAIN_STATE_PAUSED ||
        !(jpriv->paused_by_job || vm->state_reason == reason_paused))
        return 0;
    if (recovery_cont(driver, vm, async, DOMAIN_RUNNING_SAVE_CANCELED) < 0) {
        recovery_warn(vm, "resume the guest");
        return -1;
    }
    jpriv->paused_by_job = FALSE;
    return 0;
}

static int
recovery_cancel_save(QemuDriver *driver, DomainObj *vm)
{
    int ret = 0;

    if (recovery_cancel_migration(vm, DOMAIN_ASYNC_JOB_SAVE) < 0) {
        recovery_warn(vm, "cancel the save");
        ret = -1;
    } else {
        /* The save ran unthrottled (or at save_max_bandwidth). */
        qemu_migration_params_restore(vm, DOMAIN_ASYNC_JOB_SAVE);
        if (domain_obj_is_active(vm) &&
            recovery_resume_after(driver, vm, DOMAIN_ASYNC_JOB_SAVE, DOMAIN_PAUSED_SAVE) < 0)
            ret = -1;
    }
    /* The save's file (temporary, or renamed but the guest lives on): the
     * guest's state is the running QEMU's, so the image would be stale. */
    if (qemu_domain_job_remove_partial_files(vm) < 0)
        recovery_warn(vm, "remove the unfinished save image");
    recovery_end_job(vm, DOMAIN_JOB_STATUS_CANCELED,
                     _("the save was cancelled by recovery after a daemon restart"));
    return ret;
}

/* QEMU 7.2 has no command to cancel a dump: wait for it to end. */
static int
recovery_wait_dump(QemuDriver *driver, DomainObj *vm)
{
    gint64 deadline = qvirt_deadline_after_ms(RECOVERY_DUMP_TIMEOUT_MS);
    DomainAsyncJob async = DOMAIN_ASYNC_JOB_DUMP;
    int ret = 0;

    /* A full dump (no --memory-only) is a migration into a pipe the dead
     * daemon held: end it, and put back the bandwidth it changed. */
    if (!qemu_migration_params_is_empty(qemu_domain_job_private(vm)->mig_params)) {
        if (recovery_cancel_migration(vm, async) < 0)
            recovery_warn(vm, "cancel the migration of the full dump");
        qemu_migration_params_restore(vm, async);
    }
    while (TRUE) {
        QemuMonitorDumpStats stats = {0};
        QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async);
        gboolean active;
        int rc;

        if (!mon) {
            ret = -1;
            break;
        }
        rc = qemu_monitor_json_query_dump(mon, &stats);
        qemu_domain_obj_exit_monitor(vm);
        active = g_strcmp0(stats.status, "active") == 0;
        qemu_monitor_dump_stats_clear(&stats);
        if (rc < 0) {
            ret = -1;
            break;
        }
        if (!active)
            break;
        if (g_get_monotonic_time() >= deadline) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("the dump of domain '%s' is still active"),
                               domain_obj_get_name(vm));
            ret = -1;
            break;
        }
        /* Woken by DUMP_COMPLETED; the poll covers a lost one. */
        if (domain_job_wait_event(vm, MIN(deadline, qvirt_deadline_after_ms(RECOVERY_POLL_MS))) <
            0) {
            ret = -1;
            break;
        }
    }
    /* The dead daemon's copy thread was the only writer of the hidden
     * named file (a file system without O_TMPFILE): it is garbage. */
    (void)qemu_domain_job_remove_partial_files(vm);
    if (ret < 0)
        recovery_warn(vm, "see the dump end; the guest is left as it is");
    else if (recovery_resume_after(driver, vm, async, DOMAIN_PAUSED_DUMP) < 0)
        ret = -1;
    recovery_end_job(vm, ret < 0 ? DOMAIN_JOB_STATUS_FAILED : DOMAIN_JOB_STATUS_CANCELED,
                     _("the dump was interrupted by a daemon restart"));
    return ret;
}

static void
recovery_keep_and_end(QemuDriver *driver, DomainObj *vm, const QemuRecoveryKey *key)
{
    DomainAsyncJob async = domain_job_get_async(vm->job);

    if (async == DOMAIN_ASYNC_JOB_MIGRATION_IN && key->running)
        recovery_set_state(driver, vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_MIGRATED);
    else if (async == DOMAIN_ASYNC_JOB_START && key->running && vm->state != DOMAIN_STATE_RUNNING)
        recovery_set_state(driver, vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    if (async == DOMAIN_ASYNC_JOB_MIGRATION_OUT)
        /* The source runs the guest: as far as it knows, no migration. */
        recovery_end_job(vm, DOMAIN_JOB_STATUS_CANCELED,
                         _("the guest was resumed on the source after a daemon restart"));
    else
        recovery_end_job(vm, DOMAIN_JOB_STATUS_COMPLETED, NULL);
}

int
qemu_recovery_apply(QemuDriver *driver, DomainObj *vm, const QemuRecoveryKey *key,
                    QemuRecoveryAction action)
{
    int ret = 0;

    switch (action) {
    case QEMU_RECOVERY_ACTION_NONE:
        return 0;
    case QEMU_RECOVERY_ACTION_FINISH_DESTROY:
        qemu_domain_private(vm)->stop_reason = DOMAIN_SHUTOFF_DESTROYED;
        return recovery_stop(driver, vm, DOMAIN_SHUTOFF_DESTROYED);
    case QEMU_RECOVERY_ACTION_KILL:
    case QEMU_RECOVERY_ACTION_KILL_INCOMING:
        return recovery_stop(driver, vm, DOMAIN_SHUTOFF_FAILED);
    case QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED:
        domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_COMPLETED, NULL);
        return recovery_stop(driver, vm, DOMAIN_SHUTOFF_MIGRATED);
    case QEMU_RECOVERY_ACTION_DROP_JOB:
        domain_job_discard_async(vm);
        break;
    case QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME:
        recovery_take_job(vm);
        ret = recovery_src_rollback(driver, vm, TRUE);
        break;
    case QEMU_RECOVERY_ACTION_RESUME:
        recovery_take_job(vm);
        ret = recovery_src_rollback(driver, vm, FALSE);
        break;
    case QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN:
        recovery_take_job(vm);
        recovery_keep_outcome_unknown(driver, vm);
        break;
    case QEMU_RECOVERY_ACTION_KEEP_POSTCOPY_FAILED:
        recovery_take_job(vm);
        recovery_keep_postcopy_failed(driver, vm, key);
        break;
    case QEMU_RECOVERY_ACTION_KEEP_AND_END_JOB:
        recovery_take_job(vm);
        recovery_keep_and_end(driver, vm, key);
        break;
    case QEMU_RECOVERY_ACTION_CANCEL_SAVE_AND_RESUME:
        recovery_take_job(vm);
        ret = recovery_cancel_save(driver, vm);
        break;
    case QEMU_RECOVERY_ACTION_WAIT_DUMP_AND_RESUME:
        recovery_take_job(vm);
        ret = recovery_wait_dump(driver, vm);
        break;
    case QEMU_RECOVERY_ACTION_LAST:
    default:
        qvirt_report_internal(_("unknown recovery action %d for domain '%s'"), (int)action,
                              domain_obj_get_name(vm));
        return -1;
    }
    if (domain_obj_is_active(vm))
        recovery_save_status(driver, vm);
    if (ret < 0)
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("recovery of domain '%s' (%s) did not complete"),
                           domain_obj_get_name(vm), qemu_recovery_action_describe(action));
    return ret;
}

/* ---- from reconnect ---- */

/* query-status and query-migrate through the async job (VM locked). */
static int
recovery_query(DomainObj *vm, DomainAsyncJob async, QemuRecoveryKey *key)
{
    QemuMonitorMigrationStats stats = {0};
    QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async);
    bool running = false;
    int rc;

    if (!mon)
        return -1;
    rc = qemu_monitor_json_query_status(mon, &running, &key->vm_status);
    if (rc == 0)
        rc = qemu_monitor_json_query_migrate(mon, &stats);
    qemu_domain_obj_exit_monitor(vm);
    key->running = running;
    key->mig = stats.status;
    qemu_monitor_migration_stats_clear(&stats);
    return rc;
}

void
qemu_recovery_run(QemuDriver *driver, DomainObj *vm)
{
    QemuRecoveryKey key = {0};
    QemuRecoveryAction action;
    const char *phase;

    key.destroy = domain_job_get_active(vm->job) == DOMAIN_JOB_DESTROY;
    key.job = domain_job_get_async(vm->job);
    key.phase = domain_job_get_phase(vm->job);
    key.mig = QEMU_MONITOR_MIGRATION_STATUS_NONE;
    key.postcopy = (domain_job_get_async_flags(vm->job) & QV_MIGRATE_POSTCOPY) != 0;
    if (key.job == DOMAIN_ASYNC_JOB_NONE && !key.destroy) {
        qemu_recovery_block_jobs(driver, vm);
        return;
    }
    if (!key.destroy && recovery_query(vm, key.job, &key) < 0) {
        /* Never act blindly: the job stays, ownerless, for an abort. */
        QVIRT_ERROR("domain '%s': cannot recover job '%s': %s", domain_obj_get_name(vm),
                    domain_async_job_to_string(key.job), qvirt_error_last_message());
        qvirt_error_reset();
        return;
    }
    action = qemu_recovery_lookup(&key, NULL);
    phase = domain_job_phase_to_string(key.job, key.phase);
    QVIRT_INFO("domain '%s': recovering job '%s' phase '%s' (QEMU: %s/%s): %s",
               domain_obj_get_name(vm),
               key.destroy ? "destroy" : domain_async_job_to_string(key.job), phase ? phase : "?",
               key.running ? "running" : "paused",
               key.destroy ? "unknown" : qemu_monitor_migration_status_to_string(key.mig),
               qemu_recovery_action_describe(action));
    if (qemu_recovery_apply(driver, vm, &key, action) < 0) {
        QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    if (domain_obj_is_active(vm))
        qemu_recovery_block_jobs(driver, vm);
    if (action == QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN && domain_obj_is_active(vm))
        qemu_recovery_ask_peer(driver, vm);
}

gboolean
qemu_recovery_is_outcome_unknown(DomainObj *vm)
{
    DomainJobStats *stats = domain_job_current_stats(vm);

    return domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_OUT &&
           domain_job_get_phase(vm->job) == QEMU_MIGRATION_PHASE_PERFORM3_DONE &&
           !domain_job_async_has_owner(vm->job) && stats &&
           g_str_equal(stats->error_message, QEMU_RECOVERY_OUTCOME_UNKNOWN_MSG);
}

gboolean
qemu_recovery_abandon_outcome_unknown(QemuDriver *driver, DomainObj *vm)
{
    if (!qemu_recovery_is_outcome_unknown(vm))
        return FALSE;
    QVIRT_INFO("domain '%s': the operator gives up the migration whose outcome was unknown; "
               "the guest stays paused",
               domain_obj_get_name(vm));
    recovery_take_job(vm);
    recovery_end_job(vm, DOMAIN_JOB_STATUS_FAILED,
                     _("outcome unknown: the migration was abandoned by the operator"));
    recovery_save_status(driver, vm);
    return TRUE;
}

/* ---- "outcome unknown": asking the p2p peer ---- */

QemuRecoveryAction
qemu_recovery_peer_decide(QemuRecoveryPeerAnswer answer, int state, int reason,
                          const char **ret_why)
{
    QemuRecoveryAction action = QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN;
    const char *why = "the answer is ambiguous";

    switch (answer) {
    case QEMU_RECOVERY_PEER_UNREACHABLE:
        why = "the peer could not be asked";
        break;
    case QEMU_RECOVERY_PEER_ABSENT:
        why = "the peer has no such domain: the migration failed";
        action = QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME;
        break;
    case QEMU_RECOVERY_PEER_FOUND:
        if (state == DOMAIN_STATE_SHUTOFF) {
            why = "the domain is shut off on the peer: the migration failed";
            action = QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME;
        } else if (state == DOMAIN_STATE_RUNNING) {
            why = "the domain runs on the peer: the migration succeeded";
            action = QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED;
        } else if (state == DOMAIN_STATE_PAUSED &&
                   (reason == DOMAIN_PAUSED_MIGRATION || reason == DOMAIN_PAUSED_POSTCOPY ||
                    reason == DOMAIN_PAUSED_POSTCOPY_FAILED ||
                    reason == DOMAIN_PAUSED_STARTING_UP)) {
            why = "the domain is still paused by the incoming migration on the peer";
        } else if (state == DOMAIN_STATE_PAUSED) {
            why = "the domain is paused on the peer for another reason: the migration succeeded";
            action = QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED;
        } else {
            why = "the domain is in another state on the peer";
        }
        break;
    default:
        break;
    }
    if (ret_why)
        *ret_why = why;
    return action;
}

typedef struct {
    QemuDriver *driver;
    DomainObj *vm; /* a reference */
    char *name;
    char *peer_uri;
    unsigned char uuid[QVIRT_UUID_BUFLEN];
} RecoveryPeerWork;

static void
recovery_peer_work_free(RecoveryPeerWork *work)
{
    if (!work)
        return;
    domain_obj_unref(work->vm);
    g_free(work->name);
    g_free(work->peer_uri);
    g_free(work);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RecoveryPeerWork, recovery_peer_work_free)

/* Ask the peer (VM unlocked). Returns the answer; STATE and REASON are
 * set when FOUND. */
static QemuRecoveryPeerAnswer
recovery_peer_query(RecoveryPeerWork *work, int *ret_state, int *ret_reason)
{
    QemuRecoveryPeerAnswer answer = QEMU_RECOVERY_PEER_UNREACHABLE;
    QvConnect *conn;
    QvDomain *dom;
    int state = DOMAIN_STATE_NOSTATE, reason = 0;

    if (!(conn = qv_connect_open(work->peer_uri, 0))) {
        QVIRT_INFO("domain '%s': cannot open the peer %s: %s", work->name, work->peer_uri,
                   qvirt_error_last_message());
        qvirt_error_reset();
        return answer;
    }
    if (!(dom = qv_domain_lookup_by_uuid(conn, work->uuid))) {
        if (qvirt_error_last_code() == QVIRT_ERR_NO_DOMAIN)
            answer = QEMU_RECOVERY_PEER_ABSENT;
        else
            QVIRT_INFO("domain '%s': cannot look it up on the peer %s: %s", work->name,
                       work->peer_uri, qvirt_error_last_message());
    } else if (qv_domain_get_state(dom, &state, &reason, 0) < 0) {
        QVIRT_INFO("domain '%s': cannot read its state on the peer %s: %s", work->name,
                   work->peer_uri, qvirt_error_last_message());
    } else {
        answer = QEMU_RECOVERY_PEER_FOUND;
        *ret_state = state;
        *ret_reason = reason;
    }
    qvirt_error_reset();
    g_clear_pointer(&dom, qv_domain_unref);
    if (qv_connect_close(conn) < 0)
        qvirt_error_reset();
    return answer;
}

/* The migration succeeded: Confirm's end (phase confirm3 persisted first,
 * so a crash now ends in stop-source-migrated). VM locked. */
static void
recovery_peer_stop_source(QemuDriver *driver, DomainObj *vm)
{
    unsigned long long flags = domain_job_get_async_flags(vm->job);

    if (qemu_migration_job_start_phase(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                       QEMU_MIGRATION_PHASE_CONFIRM3) < 0) {
        recovery_warn(vm, "take over the migration job to confirm it");
        return;
    }
    if (domain_obj_is_active(vm) &&
        qemu_migration_src_stop_migrated(driver, vm, NULL, 0, (unsigned int)flags) < 0)
        recovery_warn(vm, "stop the source");
    if (domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_OUT)
        qemu_migration_job_finish(vm);
}

static gpointer
recovery_peer_thread(gpointer opaque)
{
    g_autoptr(RecoveryPeerWork) work = opaque;
    DomainObj *vm = work->vm;
    QemuRecoveryKey key = {0};
    QemuRecoveryPeerAnswer answer;
    QemuRecoveryAction action;
    const char *why = NULL, *st = "none", *rs = "none";
    int state = DOMAIN_STATE_NOSTATE, reason = 0;

    answer = recovery_peer_query(work, &state, &reason);
    action = qemu_recovery_peer_decide(answer, state, reason, &why);

    domain_obj_lock(vm);
    if (vm->removing || !domain_obj_is_active(vm) || !qemu_recovery_is_outcome_unknown(vm)) {
        QVIRT_INFO("domain '%s': the peer %s answered (%s) but the outcome-unknown job is no "
                   "longer there: nothing to do",
                   work->name, work->peer_uri, why);
        goto unlock;
    }
    if (answer == QEMU_RECOVERY_PEER_FOUND) {
        st = domain_state_to_string(state);
        rs = domain_state_reason_to_string(state, reason);
    }
    QVIRT_INFO("domain '%s': asked the peer %s about the migration whose outcome was unknown: "
               "%s (peer state %s/%s): %s",
               work->name, work->peer_uri, why, st ? st : "?", rs ? rs : "?",
               qemu_recovery_action_describe(action));
    switch (action) {
    case QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED:
        recovery_peer_stop_source(work->driver, vm);
        break;
    case QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME:
        key.job = DOMAIN_ASYNC_JOB_MIGRATION_OUT;
        key.phase = QEMU_MIGRATION_PHASE_PERFORM3_DONE;
        key.mig = QEMU_MONITOR_MIGRATION_STATUS_COMPLETED;
        if (qemu_recovery_apply(work->driver, vm, &key, action) < 0) {
            QVIRT_ERROR("domain '%s': %s", work->name, qvirt_error_last_message());
            qvirt_error_reset();
        }
        break;
    default:
        break; /* kept as it is: the operator resolves it */
    }
    if (domain_obj_is_active(vm) && action != QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN)
        recovery_save_status(work->driver, vm);

unlock:
    domain_obj_unlock(vm);
    return NULL;
}

gboolean
qemu_recovery_ask_peer(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainJobPrivate *jpriv;
    RecoveryPeerWork *work;
    GThread *thread;
    GError *err = NULL;

    if (!qemu_recovery_is_outcome_unknown(vm))
        return FALSE;
    jpriv = qemu_domain_job_private(vm);
    if (!jpriv->peer_uri || !*jpriv->peer_uri)
        return FALSE; /* client-driven: no peer to ask */
    work = g_new0(RecoveryPeerWork, 1);
    work->driver = driver;
    work->vm = domain_obj_ref(vm);
    work->name = g_strdup(domain_obj_get_name(vm));
    work->peer_uri = g_strdup(jpriv->peer_uri);
    memcpy(work->uuid, vm->def->uuid, QVIRT_UUID_BUFLEN);
    QVIRT_INFO("domain '%s': asking the peer %s whether the migration succeeded", work->name,
               work->peer_uri);
    if (!(thread = g_thread_try_new("qemu-recovery-peer", recovery_peer_thread, work, &err))) {
        QVIRT_WARN("domain '%s': cannot start asking the peer %s: %s", work->name, work->peer_uri,
                   err->message);
        g_error_free(err);
        recovery_peer_work_free(work);
        return FALSE;
    }
    qemu_driver_add_helper_thread(driver, thread);
    return TRUE;
}

void
qemu_recovery_block_jobs(QemuDriver *driver, DomainObj *vm)
{
    /* Issue #11: compare <blockjobs> with query-jobs, conclude the finished
     * jobs (emitting their events) and fail the vanished ones. */
    qemu_blockjob_reconcile(driver, vm);
}

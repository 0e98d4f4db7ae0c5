/* qemu_migration.c: the migration phases (names and the rule for going
 * back) and the job helpers both sides of a migration use (see
 * qemu_migration.h).
 *
 * Contract: one phase table serves MIGRATION_OUT and MIGRATION_IN, with
 * libvirt's names, so status XML written by either side reads back on both.
 * Phases only move forward, except (post-copy recovery) into a resume phase
 * from postcopy_failed or from another resume phase, and back to
 * postcopy_failed from a resume phase when a recovery attempt fails. The
 * helpers are thin: every persisting happens in conf/domain_job.c through
 * the driver's save_status callback. */
#include <config.h>

#include "qemu/qemu_migration.h"
#include "util/crashpoint.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration");

static const char *const qemu_migration_phase_names[QEMU_MIGRATION_PHASE_LAST] = {
    [QEMU_MIGRATION_PHASE_NONE] = "none",
    [QEMU_MIGRATION_PHASE_PERFORM2] = "perform2",
    [QEMU_MIGRATION_PHASE_BEGIN3] = "begin3",
    [QEMU_MIGRATION_PHASE_PERFORM3] = "perform3",
    [QEMU_MIGRATION_PHASE_PERFORM3_DONE] = "perform3_done",
    [QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED] = "confirm3_cancelled",
    [QEMU_MIGRATION_PHASE_CONFIRM3] = "confirm3",
    [QEMU_MIGRATION_PHASE_PREPARE] = "prepare",
    [QEMU_MIGRATION_PHASE_FINISH2] = "finish2",
    [QEMU_MIGRATION_PHASE_FINISH3] = "finish3",
    [QEMU_MIGRATION_PHASE_POSTCOPY_FAILED] = "postcopy_failed",
    [QEMU_MIGRATION_PHASE_BEGIN_RESUME] = "begin_resume",
    [QEMU_MIGRATION_PHASE_PERFORM_RESUME] = "perform_resume",
    [QEMU_MIGRATION_PHASE_CONFIRM_RESUME] = "confirm_resume",
    [QEMU_MIGRATION_PHASE_PREPARE_RESUME] = "prepare_resume",
    [QEMU_MIGRATION_PHASE_FINISH_RESUME] = "finish_resume",
};

const char *
qemu_migration_phase_to_string(int phase)
{
    if (phase < 0 || phase >= QEMU_MIGRATION_PHASE_LAST)
        return NULL;
    return qemu_migration_phase_names[phase];
}

int
qemu_migration_phase_from_string(const char *name)
{
    for (int i = 0; name && i < QEMU_MIGRATION_PHASE_LAST; i++) {
        if (g_str_equal(qemu_migration_phase_names[i], name))
            return i;
    }
    return -1;
}

static gboolean
phase_is_resume(int phase)
{
    return phase >= QEMU_MIGRATION_PHASE_BEGIN_RESUME &&
           phase <= QEMU_MIGRATION_PHASE_FINISH_RESUME;
}

gboolean
qemu_migration_phase_allow_backwards(int from, int to)
{
    if (phase_is_resume(to))
        return from == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED || phase_is_resume(from);
    /* A recovery attempt that fails leaves the job post-copy-failed again. */
    if (to == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED)
        return phase_is_resume(from);
    return FALSE;
}

void
qemu_migration_register_phases(void)
{
    static const DomainAsyncJob jobs[] = {DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                          DOMAIN_ASYNC_JOB_MIGRATION_IN};

    for (size_t i = 0; i < G_N_ELEMENTS(jobs); i++) {
        /* Only a malformed table fails, and this one is fixed. */
        if (domain_job_register_phases(jobs[i], qemu_migration_phase_names,
                                       QEMU_MIGRATION_PHASE_LAST,
                                       qemu_migration_phase_allow_backwards) < 0)
            g_error("cannot register the migration phases: %s", qvirt_error_last_message());
    }
}

/* ---- job helpers ---- */

unsigned int
qemu_migration_job_mask(DomainAsyncJob job)
{
    return job == DOMAIN_ASYNC_JOB_MIGRATION_OUT ? QEMU_MIGRATION_OUT_MASK : QEMU_MIGRATION_IN_MASK;
}

int
qemu_migration_job_start(DomainObj *vm, DomainAsyncJob job, unsigned long long api_flags)
{
    DomainJobOperation op;

    if (job != DOMAIN_ASYNC_JOB_MIGRATION_OUT && job != DOMAIN_ASYNC_JOB_MIGRATION_IN) {
        qvirt_report_internal(_("async job '%s' of domain '%s' is not a migration"),
                              domain_async_job_to_string(job), domain_obj_get_name(vm));
        return -1;
    }
    op = job == DOMAIN_ASYNC_JOB_MIGRATION_OUT ? DOMAIN_JOB_OPERATION_MIGRATION_OUT
                                               : DOMAIN_JOB_OPERATION_MIGRATION_IN;
    if (domain_job_begin_async(vm, job, op, api_flags) < 0)
        return -1;
    domain_job_set_mask(vm, qemu_migration_job_mask(job));
    return 0;
}

/* The crash point right after PHASE of JOB is persisted (docs/crashpoints.md). */
static void
migration_phase_crash_point(DomainAsyncJob job, int phase)
{
    qvirt_crash_point_join(job == DOMAIN_ASYNC_JOB_MIGRATION_OUT ? "migration-out" : "migration-in",
                           qemu_migration_phase_to_string(phase));
}

int
qemu_migration_job_set_phase(DomainObj *vm, int phase)
{
    if (domain_job_set_phase(vm, phase) < 0)
        return -1;
    migration_phase_crash_point(domain_job_get_async(vm->job), phase);
    return 0;
}

int
qemu_migration_job_start_phase(DomainObj *vm, DomainAsyncJob job, int phase)
{
    if (!qemu_migration_job_is_active(vm, job))
        return -1;
    if (domain_job_start_phase(vm, job, phase) < 0)
        return -1;
    migration_phase_crash_point(job, phase);
    return 0;
}

void
qemu_migration_job_continue(DomainObj *vm)
{
    domain_job_release_async(vm);
}

gboolean
qemu_migration_job_is_active(DomainObj *vm, DomainAsyncJob job)
{
    if (domain_job_get_async(vm->job) != job) {
        if (job == DOMAIN_ASYNC_JOB_MIGRATION_IN)
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("domain '%s' is not processing an incoming migration"),
                               domain_obj_get_name(vm));
        else
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain '%s' is not being migrated"),
                               domain_obj_get_name(vm));
        return FALSE;
    }
    return TRUE;
}

void
qemu_migration_job_finish(DomainObj *vm)
{
    DomainAsyncJob job = domain_job_get_async(vm->job);

    if (job != DOMAIN_ASYNC_JOB_MIGRATION_OUT && job != DOMAIN_ASYNC_JOB_MIGRATION_IN) {
        QVIRT_WARN("domain '%s': no migration job to finish (async job '%s')",
                   domain_obj_get_name(vm), domain_async_job_to_string(job));
        return;
    }
    /* An ownerless job (between two steps) is ended by whoever gives it up. */
    if (domain_job_async_has_owner(vm->job))
        domain_job_end_async(vm);
    else
        domain_job_discard_async(vm);
}

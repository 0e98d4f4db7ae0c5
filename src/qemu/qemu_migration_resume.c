/* qemu_migration_resume.c: recovery of a post-copy migration that broke
 * off (QV_MIGRATE_POSTCOPY_RESUME), as libvirt does it: the five steps run
 * again on the jobs both sides kept in phase postcopy_failed.
 *
 * Contract (entry points in qemu_migration_resume.h):
 * - Every step needs QV_MIGRATE_POSTCOPY with the resume flag, a running
 *   domain and its kept, ownerless migration job in the phase the step
 *   follows: Begin after postcopy_failed (or a begin_resume whose client
 *   went away), Perform after begin_resume, Confirm after perform_resume;
 *   Prepare after postcopy_failed (or an abandoned prepare_resume), Finish
 *   after prepare_resume. Otherwise OPERATION_INVALID naming the phase.
 * - Begin (source, begin_resume): QEMU must report postcopy-paused; returns
 *   the domain XML and a cookie.
 * - Prepare (destination, prepare_resume): the domain named by
 *   "destination_name", else the XML's, else the cookie's; QEMU must report
 *   postcopy-paused; `migrate-recover` listens on "migrate_uri" at
 *   "listen_address" (else qemu.conf's migration_address, else every
 *   address) on a port from the driver's range unless the URI names one;
 *   *RET_URI_OUT as a normal Prepare gives it. No connection lease: the
 *   guest runs only here now, so a vanished client never kills it.
 * - Perform (source, perform_resume): `migrate` with resume=true to
 *   "migrate_uri", then waits (MIGRATION events, query-migrate at least
 *   every 500 ms, the job statistics updated) until completed. QEMU must
 *   leave postcopy-paused within the job wait timeout; breaking off again
 *   fails at once. Returns a cookie with the statistics (and the
 *   persistent definition with QV_MIGRATE_PERSIST_DEST).
 * - Finish (destination, finish_resume): waits for completed (the reason
 *   is postcopy while the recovery runs), restores the parameters, removes
 *   the TLS object, releases the ports, runs the guest (running, reason
 *   migrated; left paused when the migration had QV_MIGRATE_PAUSED), saves
 *   the definition with QV_MIGRATE_PERSIST_DEST (from "persistent_xml" or
 *   Perform's cookie), emits JOB_COMPLETED, ends the job and returns the
 *   domain.
 * - Confirm (source, confirm_resume): stops the source (shut off, reason
 *   migrated; undefined with QV_MIGRATE_UNDEFINE_SOURCE) and ends the job.
 * - A step that fails, a cancelled Finish or Confirm, puts its side back
 *   in postcopy_failed (reason postcopy-failed, the guest paused or running
 *   as it was), the job kept ownerless for another attempt. A
 *   domain whose QEMU went away meanwhile has its job ended instead.
 * - qemu_migration_resume_dst_keep(): the destination's side of a break
 *   during the first attempt (see the header).
 * - qemu_migration_resume_pause(): libvirt's domjobabort --postcopy, the
 *   break on request (QMP migrate-pause under an abort job). */
#include <config.h>

#include "driver/event.h"
#include "driver/hostid.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration_cookie.h"
#include "qemu/qemu_migration_dst_priv.h"
#include "qemu/qemu_migration_params.h"
#include "qemu/qemu_migration_priv.h"
#include "qemu/qemu_migration_port.h"
#include "qemu/qemu_migration_resume.h"
#include "qemu/qemu_migration_storage.h"
#include "qemu/qemu_migration_tls.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration.resume");

#define JOB_OUT DOMAIN_ASYNC_JOB_MIGRATION_OUT
#define JOB_IN DOMAIN_ASYNC_JOB_MIGRATION_IN

/* How often a resumed migration is polled at least. */
#define RESUME_POLL_MS 500

/* What the resume steps accept: the flags of the migration being resumed
 * (a client repeats them), the resume flag among them. */
#define RESUME_FLAGS QEMU_MIGRATION_SRC_FLAGS

/* ---- small helpers ---- */

static int
resume_check_flags(unsigned int flags, const char *func)
{
    if (!qv_driver_check_flags(flags, RESUME_FLAGS, func))
        return -1;
    if (!(flags & QV_MIGRATE_POSTCOPY)) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("resuming a failed post-copy migration needs the post-copy flag"));
        return -1;
    }
    return 0;
}

static gint64
resume_timeout_ms(QemuDriver *driver)
{
    return driver->config->job_wait_timeout_ms > 0 ? driver->config->job_wait_timeout_ms : 30000;
}

/* The cookie of the previous step (the other host's), or NULL with an
 * error; an empty one is accepted as no cookie (RET stays NULL, 0). */
static int
resume_cookie_in(const char *cookie_in, int cookie_inlen, unsigned int sections,
                 QemuMigrationCookie **ret_cookie)
{
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];

    *ret_cookie = NULL;
    if (!cookie_in || cookie_inlen <= 0)
        return 0;
    qv_host_uuid_get(host_uuid);
    if (!(*ret_cookie = qemu_migration_cookie_parse(cookie_in, cookie_inlen, sections, host_uuid)))
        return -1;
    return 0;
}

/* Change VM's (locked) state, emitting EVENT/DETAIL when the state or its
 * reason changes. */
static void
resume_set_state(QemuDriver *driver, DomainObj *vm, int state, int reason, int event, int detail)
{
    int old_reason;
    int old = domain_obj_get_state(vm, &old_reason);

    if (old == state && old_reason == reason)
        return;
    domain_obj_set_state(vm, state, reason);
    qemu_driver_emit_lifecycle(driver, vm, event, detail);
}

/* Take over VM's (locked) kept migration JOB for the step that moves it to
 * PHASE, when the job is ownerless and in one of the phases that step may
 * follow (FROM, terminated by -1). */
static int
resume_take_job(DomainObj *vm, DomainAsyncJob job, int phase, const int *from)
{
    int cur;

    if (!qemu_migration_job_is_active(vm, job))
        return -1;
    cur = domain_job_get_phase(vm->job);
    if (domain_job_async_has_owner(vm->job)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("the migration of domain '%s' is being run by another call (phase "
                             "%s): its post-copy cannot be resumed now"),
                           domain_obj_get_name(vm), qemu_migration_phase_to_string(cur));
        return -1;
    }
    for (; *from >= 0; from++) {
        if (*from == cur)
            return qemu_migration_job_start_phase(vm, job, phase);
    }
    if (cur < QEMU_MIGRATION_PHASE_POSTCOPY_FAILED)
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("the post-copy migration of domain '%s' has not failed (phase %s): "
                             "there is nothing to resume"),
                           domain_obj_get_name(vm), qemu_migration_phase_to_string(cur));
    else
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("resuming the post-copy migration of domain '%s': step %s cannot "
                             "follow phase %s"),
                           domain_obj_get_name(vm), qemu_migration_phase_to_string(phase),
                           qemu_migration_phase_to_string(cur));
    return -1;
}

/* QEMU's migration status of VM (locked, JOB held) and its error text (a
 * new string or NULL). The source's query also refreshes the job's
 * statistics; the destination's is the destination side's own query. */
static int
resume_query(DomainObj *vm, DomainAsyncJob job, int *ret_status, char **ret_error)
{
    QemuMonitorMigrationStats mstats = {0};
    QemuMonitor *mon;
    int rc;

    if (job != JOB_OUT)
        return qemu_migration_dst_query(vm, job, ret_status, ret_error);
    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, job)))
        return -1;
    rc = qemu_monitor_json_query_migrate(mon, &mstats);
    qemu_domain_obj_exit_monitor(vm);
    if (rc == 0) {
        qemu_migration_progress_update(vm, &mstats);
        *ret_status = mstats.status;
        *ret_error = g_strdup(mstats.error_desc);
    }
    qemu_monitor_migration_stats_clear(&mstats);
    if (rc < 0)
        return -1;
    if (!domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("QEMU of domain '%s' exited"),
                           domain_obj_get_name(vm));
        g_clear_pointer(ret_error, g_free);
        return -1;
    }
    return 0;
}

/* QEMU of VM (locked, JOB held) must report postcopy-paused. */
static int
resume_check_paused(DomainObj *vm, DomainAsyncJob job)
{
    g_autofree char *error = NULL;
    int status;

    if (resume_query(vm, job, &status, &error) < 0)
        return -1;
    if (status != QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("QEMU reports the migration of domain '%s' as '%s', not "
                             "'postcopy-paused': there is nothing to resume"),
                           domain_obj_get_name(vm),
                           qemu_monitor_migration_status_to_string(status));
        return -1;
    }
    return 0;
}

/* Wait (VM locked, JOB held) until QEMU reports the resumed migration
 * completed. It must leave postcopy-paused within the job wait timeout;
 * breaking off again after that, failing or being cancelled is an error.
 * ON_RESUMED runs once when QEMU reports the recovery under way. */
static int
resume_wait(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job,
            void (*on_resumed)(QemuDriver *driver, DomainObj *vm))
{
    gint64 timeout_ms = resume_timeout_ms(driver);
    gint64 deadline = qvirt_deadline_after_ms(timeout_ms);
    gboolean resumed = FALSE;

    for (;;) {
        g_autofree char *error = NULL;
        gint64 wake;
        int status;

        if (resume_query(vm, job, &status, &error) < 0)
            return -1;
        switch ((QemuMonitorMigrationStatus)status) {
        case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
            return 0;
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER:
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
            if (!resumed) {
                QVIRT_INFO("domain '%s': post-copy migration resumed (%s)", domain_obj_get_name(vm),
                           qemu_monitor_migration_status_to_string(status));
                resumed = TRUE;
                if (on_resumed)
                    on_resumed(driver, vm);
            }
            break;
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
            if (resumed) {
                qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                                   _("post-copy migration of domain '%s' broke off again: %s"),
                                   domain_obj_get_name(vm), error ? error : "connection lost");
                return -1;
            }
            if (qvirt_deadline_expired(deadline)) {
                qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                                   _("post-copy migration of domain '%s' did not resume within "
                                     "%lld ms: %s"),
                                   domain_obj_get_name(vm), (long long)timeout_ms,
                                   error ? error : "QEMU still reports postcopy-paused");
                return -1;
            }
            break;
        case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
        case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
        case QEMU_MONITOR_MIGRATION_STATUS_CANCELLING:
        case QEMU_MONITOR_MIGRATION_STATUS_NONE:
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("resumed post-copy migration of domain '%s' failed: %s"),
                               domain_obj_get_name(vm),
                               error ? error : qemu_monitor_migration_status_to_string(status));
            return -1;
        default:
            break;
        }
        /* The MIGRATION event wakes us; without it, ask again soon. Once
         * the recovery runs, QEMU's progress is the limit, not a clock. */
        wake = qvirt_deadline_after_ms(RESUME_POLL_MS);
        if (domain_job_wait_event(vm, resumed ? wake : MIN(deadline, wake)) < 0)
            return -1;
    }
}

/* Run VM's (locked, JOB held) vCPUs in state running/REASON. */
static int
resume_cont(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job, int reason)
{
    int prev_reason;
    int prev = domain_obj_get_state(vm, &prev_reason);
    QemuMonitor *mon;
    int rc;

    /* Persist the state the guest is about to be in before acting. */
    domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, reason);
    if (qemu_process_save_status(driver, vm) < 0 ||
        !(mon = qemu_domain_obj_enter_monitor_async(vm, job))) {
        domain_obj_set_state(vm, prev, prev_reason);
        return -1;
    }
    rc = qemu_monitor_json_cont(mon);
    qemu_domain_obj_exit_monitor(vm);
    if (rc < 0) {
        if (domain_obj_is_active(vm))
            domain_obj_set_state(vm, prev, prev_reason);
        return -1;
    }
    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_RESUMED,
                               reason == DOMAIN_RUNNING_POSTCOPY_FAILED
                                   ? QV_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED
                                   : QV_DOMAIN_EVENT_RESUMED_MIGRATED);
    return 0;
}

/* Give VM (locked) the reason postcopy-failed (POSTCOPY false) or
 * postcopy (TRUE) in its present state, paused or running; the source of
 * a post-copy migration is always paused. */
static void
resume_mark(QemuDriver *driver, DomainObj *vm, gboolean postcopy)
{
    int state = domain_obj_get_state(vm, NULL);

    if (state == DOMAIN_STATE_PAUSED)
        resume_set_state(driver, vm, DOMAIN_STATE_PAUSED,
                         postcopy ? DOMAIN_PAUSED_POSTCOPY : DOMAIN_PAUSED_POSTCOPY_FAILED,
                         QV_DOMAIN_EVENT_SUSPENDED,
                         postcopy ? QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY
                                  : QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED);
    else if (state == DOMAIN_STATE_RUNNING)
        resume_set_state(driver, vm, DOMAIN_STATE_RUNNING,
                         postcopy ? DOMAIN_RUNNING_POSTCOPY : DOMAIN_RUNNING_POSTCOPY_FAILED,
                         QV_DOMAIN_EVENT_RESUMED,
                         postcopy ? QV_DOMAIN_EVENT_RESUMED_POSTCOPY
                                  : QV_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED);
}

static void
resume_mark_failed(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job)
{
    /* A running source is not in post-copy at all: leave it alone. */
    if (job == JOB_IN || domain_obj_get_state(vm, NULL) == DOMAIN_STATE_PAUSED)
        resume_mark(driver, vm, FALSE);
}

/* A resume step failed (VM locked, JOB the caller's): back to
 * postcopy_failed with the job kept ownerless, or, when QEMU went away,
 * the job ended. The pending error is kept. */
static void
resume_failed(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job)
{
    QvirtError *saved = qvirt_error_save();

    if (!domain_obj_is_active(vm)) {
        QVIRT_WARN("domain '%s': QEMU went away while its post-copy migration was resumed",
                   domain_obj_get_name(vm));
        domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_FAILED, saved ? saved->message : NULL);
        qemu_driver_remove_inactive(driver, vm);
        qemu_migration_job_finish(vm);
        qvirt_error_restore(saved);
        return;
    }
    QVIRT_WARN("domain '%s': resuming its post-copy migration failed: %s", domain_obj_get_name(vm),
               saved && saved->message ? saved->message : "?");
    resume_mark_failed(driver, vm, job);
    if (qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) < 0) {
        QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    qemu_migration_job_continue(vm);
    qvirt_error_restore(saved);
}

/* ---- the source ---- */

char *
qemu_migration_resume_src_begin(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                                int nparams, char **ret_cookie_out, int *ret_cookie_outlen,
                                unsigned int flags)
{
    /* begin_resume: an attempt whose client went away before Perform. */
    static const int from[] = {QEMU_MIGRATION_PHASE_POSTCOPY_FAILED,
                               QEMU_MIGRATION_PHASE_BEGIN_RESUME, -1};
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    const char *dest_xml = NULL;
    char *xml = NULL;

    if (resume_check_flags(flags, __func__) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_XML, &dest_xml) < 0 ||
        qemu_driver_lock_domain(vm) < 0)
        return NULL;
    if (qemu_driver_check_active(vm) < 0 ||
        resume_take_job(vm, JOB_OUT, QEMU_MIGRATION_PHASE_BEGIN_RESUME, from) < 0)
        goto unlock;
    if (resume_check_paused(vm, JOB_OUT) < 0) {
        resume_failed(driver, vm, JOB_OUT);
        goto unlock;
    }
    if (!(xml = qemu_migration_src_begin_xml(vm, dest_xml))) {
        resume_failed(driver, vm, JOB_OUT);
        goto unlock;
    }
    cookie = qemu_migration_local_cookie_new(vm);
    qemu_migration_cookie_give(cookie, ret_cookie_out, ret_cookie_outlen);
    QVIRT_INFO("domain '%s': resuming its failed post-copy migration (flags 0x%x)",
               domain_obj_get_name(vm), flags);
    qemu_migration_job_continue(vm);

unlock:
    domain_obj_unlock(vm);
    return xml;
}

int
qemu_migration_resume_src_perform(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                                  int nparams, const char *cookie_in, int cookie_inlen,
                                  char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags)
{
    static const int from[] = {QEMU_MIGRATION_PHASE_BEGIN_RESUME, -1};
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_autoptr(QemuMigrationCookie) cookie_out = NULL;
    g_autofree char *qemu_uri = NULL;
    const char *persist_xml = NULL;
    const char *uri = NULL;
    DomainJobStats *stats;
    QemuMonitor *mon;
    int rc;

    if (resume_check_flags(flags, __func__) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_URI, &uri) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_PERSIST_XML, &persist_xml) < 0)
        return -1;
    if (!uri) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("resuming a post-copy migration needs the destination's URI "
                             "(parameter '%s')"),
                           QV_MIGRATE_PARAM_URI);
        return -1;
    }
    if (qemu_migration_src_parse_uri(uri, &qemu_uri, NULL) < 0 ||
        resume_cookie_in(cookie_in, cookie_inlen, 0, &cookie) < 0 ||
        qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_driver_check_active(vm) < 0 ||
        resume_take_job(vm, JOB_OUT, QEMU_MIGRATION_PHASE_PERFORM_RESUME, from) < 0) {
        domain_obj_unlock(vm);
        return -1;
    }

    QVIRT_INFO("domain '%s': resuming the post-copy migration to %s", domain_obj_get_name(vm),
               qemu_uri);
    if ((stats = domain_job_current_stats(vm)))
        stats->status = DOMAIN_JOB_STATUS_POSTCOPY_PAUSED;
    rc = -1;
    if ((mon = qemu_domain_obj_enter_monitor_async(vm, JOB_OUT))) {
        rc = qemu_monitor_json_migrate(mon, qemu_uri, true);
        qemu_domain_obj_exit_monitor(vm);
    }
    if (rc < 0 || resume_wait(driver, vm, JOB_OUT, NULL) < 0) {
        resume_failed(driver, vm, JOB_OUT);
        domain_obj_unlock(vm);
        return -1;
    }

    QVIRT_INFO("domain '%s': the resumed post-copy migration completed", domain_obj_get_name(vm));
    if (vm->state == DOMAIN_STATE_PAUSED)
        domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);
    if ((stats = domain_job_current_stats(vm)))
        stats->status = DOMAIN_JOB_STATUS_COMPLETED;
    /* Persisted with the phase (status XML); a failed write is only logged:
     * the guest runs on the destination now whatever happens here. */
    if (qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM_RESUME) < 0) {
        QVIRT_WARN("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    cookie_out = qemu_migration_src_perform_cookie(vm, flags, persist_xml);
    qemu_migration_cookie_give(cookie_out, ret_cookie_out, ret_cookie_outlen);
    qemu_migration_job_continue(vm);
    domain_obj_unlock(vm);
    return 0;
}

int
qemu_migration_resume_src_confirm(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                                  int nparams, const char *cookie_in, int cookie_inlen,
                                  unsigned int flags, int cancelled)
{
    static const int from[] = {QEMU_MIGRATION_PHASE_PERFORM_RESUME, -1};
    static const int any[] = {QEMU_MIGRATION_PHASE_POSTCOPY_FAILED,
                              QEMU_MIGRATION_PHASE_BEGIN_RESUME,
                              QEMU_MIGRATION_PHASE_PERFORM_RESUME, -1};
    int ret = -1;

    if (resume_check_flags(flags, __func__) < 0 || qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (cancelled) {
        /* Nothing moved on: keep the job for another attempt. */
        if (resume_take_job(vm, JOB_OUT, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED, any) == 0) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("resuming the post-copy migration of domain '%s' was cancelled"),
                               domain_obj_get_name(vm));
            resume_failed(driver, vm, JOB_OUT);
            qvirt_error_reset();
            ret = 0;
        }
        goto unlock;
    }
    if (resume_take_job(vm, JOB_OUT, QEMU_MIGRATION_PHASE_CONFIRM_RESUME, from) < 0)
        goto unlock;
    if (!domain_obj_is_active(vm)) {
        qemu_migration_job_finish(vm);
        ret = 0;
        goto unlock;
    }
    ret = qemu_migration_src_stop_migrated(driver, vm, cookie_in, cookie_inlen, flags);
    qemu_migration_job_finish(vm);

unlock:
    domain_obj_unlock(vm);
    return ret;
}

/* ---- breaking a post-copy off (domjobabort --postcopy) ---- */

int
qemu_migration_resume_pause(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    DomainJobStats *stats;
    QemuMonitor *mon;
    int rc = -1;

    QV_CHECK_FLAGS(flags, QV_DOMAIN_ABORT_JOB_POSTCOPY, -1);
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_driver_check_active(vm) < 0 ||
        domain_job_begin_flags(vm, DOMAIN_JOB_ABORT, DOMAIN_JOB_BEGIN_NEED_ACTIVE) < 0)
        goto unlock;
    stats = domain_job_current_stats(vm);
    if (domain_job_get_async(vm->job) != JOB_OUT || !stats ||
        stats->status != DOMAIN_JOB_STATUS_POSTCOPY ||
        domain_job_get_phase(vm->job) >= QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("the current job of domain '%s' is not an outgoing migration in "
                             "post-copy mode"),
                           domain_obj_get_name(vm));
        goto end;
    }
    QVIRT_INFO("domain '%s': breaking its post-copy migration off on request",
               domain_obj_get_name(vm));
    if ((mon = qemu_domain_obj_enter_monitor(vm))) {
        rc = qemu_monitor_json_migrate_pause(mon);
        qemu_domain_obj_exit_monitor(vm);
    }
end:
    domain_job_end(vm);
unlock:
    domain_obj_unlock(vm);
    return rc;
}

/* ---- the destination ---- */

/* The name of the incoming domain: "destination_name", else the one in
 * "destination_xml", else the cookie's (a new string), or INVALID_ARG. */
static char *
resume_dst_name(const QvTypedParam *params, int nparams, const char *cookie_in, int cookie_inlen)
{
    const char *dname = NULL;
    const char *xml = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuMigrationCookie) cookie = NULL;

    if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_NAME, &dname) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_XML, &xml) < 0)
        return NULL;
    if (dname)
        return g_strdup(dname);
    if (xml && (def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE)))
        return g_strdup(def->name);
    qvirt_error_reset();
    if (cookie_in && cookie_inlen > 0 &&
        (cookie = qemu_migration_cookie_parse(cookie_in, cookie_inlen, 0, NULL)))
        return g_strdup(cookie->name);
    qvirt_error_reset();
    qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                       _("resuming a post-copy migration cannot tell which domain: give "
                         "parameter '%s'"),
                       QV_MIGRATE_PARAM_DEST_NAME);
    return NULL;
}

/* The listen URI for migrate-recover (a new string) and the port taken
 * from the driver's range (*RET_PORT, 0 when the URI named one). */
static char *
resume_listen_uri(QemuDriver *driver, const QemuMigrationDstUri *uri, const char *listen_address,
                  int *ret_port, int *ret_acquired)
{
    int port = 0;

    *ret_acquired = 0;
    if (uri && uri->is_unix) {
        *ret_port = 0;
        return g_strdup_printf("unix:%s", uri->path);
    }
    if (uri && uri->port > 0) {
        port = uri->port;
    } else {
        if (qemu_migration_port_acquire(driver->config->migration_port_min,
                                        driver->config->migration_port_max, listen_address,
                                        &port) < 0)
            return NULL;
        *ret_acquired = port;
    }
    *ret_port = port;
    return qemu_migration_dst_tcp_uri(listen_address, port);
}

int
qemu_migration_resume_dst_prepare(QemuDriver *driver, QvConnect *dconn, const QvTypedParam *params,
                                  int nparams, const char *cookie_in, int cookie_inlen,
                                  char **ret_cookie_out, int *ret_cookie_outlen, char **ret_uri_out,
                                  unsigned int flags)
{
    static const int from[] = {QEMU_MIGRATION_PHASE_POSTCOPY_FAILED,
                               QEMU_MIGRATION_PHASE_PREPARE_RESUME, -1};
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_autoptr(QemuMigrationCookie) cookie_out = NULL;
    g_autoptr(QemuMigrationDstUri) uri = NULL;
    g_autoptr(DomainObj) vm = NULL;
    g_autofree char *name = NULL;
    g_autofree char *listen_address = NULL;
    g_autofree char *listen_uri = NULL;
    g_autofree char *uri_out = NULL;
    const char *uri_str = NULL;
    const char *listen = NULL;
    QemuDomainPrivate *priv;
    QemuMonitor *mon;
    int acquired = 0;
    int port = 0;
    int rc = -1;

    if (resume_check_flags(flags, __func__) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_URI, &uri_str) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_LISTEN_ADDRESS, &listen) < 0)
        return -1;
    if (uri_str && !(uri = qemu_migration_dst_uri_parse(uri_str)))
        return -1;
    if (!cookie_in || cookie_inlen <= 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("resuming a post-copy migration needs the cookie of its Begin step"));
        return -1;
    }
    /* The cookie tells whether the source is this very host (refused). */
    if (resume_cookie_in(cookie_in, cookie_inlen, 0, &cookie) < 0 ||
        !(name = resume_dst_name(params, nparams, cookie_in, cookie_inlen)) ||
        !(vm = qemu_driver_lookup_by_name(driver, name)))
        return -1;
    if (listen)
        listen_address = qemu_migration_dst_address_bare(listen);
    else if (driver->config->migration_address)
        listen_address = qemu_migration_dst_address_bare(driver->config->migration_address);
    if (!listen_address || !*listen_address) {
        g_free(listen_address);
        listen_address = g_strdup(qemu_migration_any_address());
    }

    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    priv = qemu_domain_private(vm);
    if (qemu_driver_check_active(vm) < 0 ||
        resume_take_job(vm, JOB_IN, QEMU_MIGRATION_PHASE_PREPARE_RESUME, from) < 0)
        goto unlock;
    if (resume_check_paused(vm, JOB_IN) < 0 ||
        !(listen_uri = resume_listen_uri(driver, uri, listen_address, &port, &acquired)))
        goto failed;
    QVIRT_INFO("domain '%s': the recovered post-copy migration comes in on %s",
               domain_obj_get_name(vm), listen_uri);
    if ((mon = qemu_domain_obj_enter_monitor_async(vm, JOB_IN))) {
        rc = qemu_monitor_json_migrate_recover(mon, listen_uri);
        qemu_domain_obj_exit_monitor(vm);
    }
    if (rc < 0 || !domain_obj_is_active(vm)) {
        if (rc == 0)
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("QEMU of domain '%s' exited while preparing the recovery"),
                               domain_obj_get_name(vm));
        goto failed;
    }
    if (acquired) {
        /* The port of the broken stream is free for others now. */
        qemu_migration_port_release(priv->mig_port);
        priv->mig_port = acquired;
        acquired = 0;
    }
    if (qemu_process_save_status(driver, vm) < 0) {
        QVIRT_WARN("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    uri_out = qemu_migration_dst_uri_out(uri, listen_address, port, g_get_host_name());
    cookie_out = qemu_migration_local_cookie_new(vm);
    qemu_migration_cookie_give(cookie_out, ret_cookie_out, ret_cookie_outlen);
    if (ret_uri_out)
        *ret_uri_out = g_steal_pointer(&uri_out);
    /* No lease (priv->mig_lease): the guest lives only here now. */
    qemu_migration_job_continue(vm);
    rc = 0;
    goto unlock;

failed:
    rc = -1;
    if (acquired)
        qemu_migration_port_release(acquired);
    resume_failed(driver, vm, JOB_IN);
unlock:
    domain_obj_unlock(vm);
    return rc;
}

/* The destination's recovery runs: the guest's reason is post-copy again. */
static void
resume_dst_recovering(QemuDriver *driver, DomainObj *vm)
{
    resume_mark(driver, vm, TRUE);
}

DomainObj *
qemu_migration_resume_dst_finish(QemuDriver *driver, QvConnect *dconn, const QvTypedParam *params,
                                 int nparams, const char *cookie_in, int cookie_inlen,
                                 char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags,
                                 int cancelled)
{
    static const int from[] = {QEMU_MIGRATION_PHASE_PREPARE_RESUME, -1};
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_autoptr(QemuMigrationCookie) cookie_out = NULL;
    g_autofree char *name = NULL;
    unsigned long long job_flags;
    DomainObj *vm;

    if (resume_check_flags(flags, __func__) < 0 ||
        !(name = resume_dst_name(params, nparams, cookie_in, cookie_inlen)) ||
        !(vm = qemu_driver_lookup_by_name(driver, name)))
        return NULL;
    if (qemu_driver_lock_domain(vm) < 0) {
        domain_obj_unref(vm);
        return NULL;
    }
    if (qemu_driver_check_active(vm) < 0 ||
        resume_take_job(vm, JOB_IN, QEMU_MIGRATION_PHASE_FINISH_RESUME, from) < 0)
        goto error;
    if (cancelled) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("resuming the post-copy migration of domain '%s' failed on the "
                             "source"),
                           name);
        goto failed;
    }
    if (resume_cookie_in(cookie_in, cookie_inlen,
                         QEMU_MIGRATION_COOKIE_STATS | QEMU_MIGRATION_COOKIE_PERSISTENT,
                         &cookie) < 0 ||
        resume_wait(driver, vm, JOB_IN, resume_dst_recovering) < 0)
        goto failed;

    job_flags = domain_job_get_async_flags(vm->job);
    if (job_flags & (QV_MIGRATE_NON_SHARED_DISK | QV_MIGRATE_NON_SHARED_INC))
        qemu_migration_storage_dst_stop(vm, JOB_IN);
    qemu_migration_params_restore(vm, JOB_IN);
    if (job_flags & QV_MIGRATE_TLS)
        qemu_migration_tls_remove(vm, JOB_IN);
    if (!domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("QEMU of domain '%s' exited at the end of its migration"), name);
        goto failed;
    }
    /* The migration's own flags say whether the guest ends paused (a
     * client adds the paused flag to the recovery, its source being
     * paused by the break). */
    if (domain_obj_get_state(vm, NULL) == DOMAIN_STATE_RUNNING) {
        domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_MIGRATED);
    } else if (job_flags & QV_MIGRATE_PAUSED) {
        resume_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER,
                         QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_PAUSED);
    } else if (resume_cont(driver, vm, JOB_IN, DOMAIN_RUNNING_MIGRATED) < 0) {
        goto failed;
    }
    /* The guest runs here whatever happens now: a definition that cannot
     * be saved is only reported in the log. */
    if ((flags & QV_MIGRATE_PERSIST_DEST) &&
        qemu_migration_dst_persist(driver, vm, params, nparams, cookie) < 0) {
        QVIRT_ERROR("domain '%s': cannot make it persistent after its migration: %s", name,
                    qvirt_error_last_message());
        qvirt_error_reset();
    }
    cookie_out = qemu_migration_dst_finished(driver, vm, cookie);
    if (qemu_process_save_status(driver, vm) < 0) {
        QVIRT_WARN("domain '%s': %s", name, qvirt_error_last_message());
        qvirt_error_reset();
    }
    QVIRT_INFO("domain '%s': the resumed post-copy migration finished", name);
    domain_obj_unlock(vm);
    qemu_migration_cookie_give(cookie_out, ret_cookie_out, ret_cookie_outlen);
    return vm;

failed:
    resume_failed(driver, vm, JOB_IN);
error:
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
    return NULL;
}

gboolean
qemu_migration_resume_dst_keep(QemuDriver *driver, DomainObj *vm)
{
    QvirtError *saved = qvirt_error_save();
    g_autofree char *error = NULL;
    int status = QEMU_MONITOR_MIGRATION_STATUS_NONE;

    if (!domain_obj_is_active(vm) || resume_query(vm, JOB_IN, &status, &error) < 0 ||
        (status != QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE &&
         status != QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED &&
         status != QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER)) {
        qvirt_error_restore(saved);
        return FALSE;
    }
    qvirt_error_free(saved);
    QVIRT_WARN("domain '%s': its post-copy migration broke off after the switch-over (QEMU "
               "reports '%s'); the guest runs here and is kept for a recovery",
               domain_obj_get_name(vm), qemu_monitor_migration_status_to_string(status));
    qemu_domain_private(vm)->mig_lease = NULL;
    /* A guest that has not run here yet stays paused: its vCPUs would
     * block on pages that cannot come, and with them QEMU's monitor. */
    resume_mark_failed(driver, vm, JOB_IN);
    if (qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) < 0) {
        QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    qemu_migration_job_continue(vm);
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                       _("post-copy migration of domain '%s' broke off: the domain is kept "
                         "on the destination for a recovery (post-copy resume)"),
                       domain_obj_get_name(vm));
    return TRUE;
}

/* qemu_migration_src.c: the source side of a migration: Begin, Perform
 * (client-driven; peer-to-peer hands over to qemu_migration_p2p.c) and
 * Confirm, domjobabort, and the tuning calls (max downtime, max speed,
 * the switch to post-copy).
 *
 * Contract (see qemu_migration.h for the entry points):
 * - Begin takes MIGRATION_OUT (QEMU_MIGRATION_OUT_MASK), persists begin3,
 *   returns the migratable XML and the Begin cookie, and leaves the job
 *   ownerless for Perform. The job is always kept from Begin to Confirm
 *   (change protection).
 * - Perform persists perform3, applies the parameters (originals saved),
 *   mirrors the disks when storage is migrated, runs `migrate` and watches
 *   it: MIGRATION events wake it, query-migrate is polled at least every
 *   500 ms and fills the job statistics (at completion, until QEMU's
 *   final total time and downtime are there). pre-switchover completes the
 *   mirrors then continues; completed persists perform3_done. A failure or
 *   an abort cancels QEMU's migration and the mirrors, restores the
 *   parameters, removes the TLS object, resumes a guest that was running,
 *   and still leaves the job to Confirm (cancelled), as libvirt's
 *   client-driven protocol expects.
 * - Confirm persists confirm3 (stop the source: shut off, reason migrated,
 *   undefine with QV_MIGRATE_UNDEFINE_SOURCE, JOB_COMPLETED) or
 *   confirm3_cancelled (resume what the job paused), then ends the job. A
 *   guest paused by its user before the migration stays paused.
 * - A post-copy migration that breaks off leaves the job in
 *   postcopy_failed and the guest paused (reason postcopy-failed); the
 *   steps with QV_MIGRATE_POSTCOPY_RESUME recover it
 *   (qemu_migration_resume.c).
 * - The connection that called Begin is the migration's lease: when it
 *   closes before Confirm, a running step is aborted and the job is given
 *   up (rolled back, or after the switch-over ended with the guest left
 *   paused), so a vanished client never leaves the domain locked. */
#include <config.h>

#include <string.h>

#include "driver/event.h"
#include "driver/hostid.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_migration_cookie.h"
#include "qemu/qemu_migration_params.h"
#include "qemu/qemu_migration_priv.h"
#include "qemu/qemu_migration_resume.h"
#include "qemu/qemu_migration_storage.h"
#include "qemu/qemu_migration_tls.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_recovery.h"
#include "util/crashpoint.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration.src");

#define JOB_OUT DOMAIN_ASYNC_JOB_MIGRATION_OUT

/* How often the migration is polled at least. */
#define SRC_POLL_MS 500
/* How often, and how far apart, a completed migration's final figures are
 * asked for again while QEMU still reports them as 0 (src_wait_final_stats). */
#define SRC_FINAL_STATS_TRIES 50
#define SRC_FINAL_STATS_WAIT_MS 10
/* How long a cancelled migration may take to stop in QEMU. */
#define SRC_CANCEL_WAIT_MS 10000
/* The mirrors' overall limit to become ready (an abort ends it sooner). */
#define SRC_MIRROR_READY_MS 0

#define SRC_FLAGS QEMU_MIGRATION_SRC_FLAGS

#define SRC_STORAGE_FLAGS (QV_MIGRATE_NON_SHARED_DISK | QV_MIGRATE_NON_SHARED_INC)

/* ---- small helpers ---- */

static int
src_check_flags(unsigned int flags, const char *func)
{
    if (flags & QV_MIGRATE_TUNNELLED) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("tunnelled migration is not supported by the QEMU driver"));
        return -1;
    }
    if (flags & QV_MIGRATE_OFFLINE) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("offline migration is not supported by the QEMU driver"));
        return -1;
    }
    if (flags & QV_MIGRATE_ZEROCOPY) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("zero-copy migration is not supported by the QEMU driver"));
        return -1;
    }
    if ((flags & QV_MIGRATE_NON_SHARED_DISK) && (flags & QV_MIGRATE_NON_SHARED_INC)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("migrate the storage either fully or incrementally, not both"));
        return -1;
    }
    if (!qv_driver_check_flags(flags, SRC_FLAGS, func))
        return -1;
    return 0;
}

/* The capabilities of VM's running QEMU (a new reference). */
static QemuCaps *
src_caps(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    if (priv->caps)
        return qemu_caps_ref(priv->caps);
    return qemu_caps_cache_lookup(driver->caps_cache,
                                  vm->def->emulator ? vm->def->emulator : driver->config->emulator);
}

/* QEMU before 9.0 loses guest writes while it migrates a TCG guest (see
 * known issues in the docs): say so in the log, as the user cannot see it
 * otherwise. */
static void
src_warn_tcg(QemuDriver *driver, DomainObj *vm)
{
    g_autoptr(QemuCaps) caps = NULL;

    if (vm->def->virt_type != DOMAIN_VIRT_QEMU || !(caps = src_caps(driver, vm))) {
        qvirt_error_reset();
        return;
    }
    if (qemu_caps_get_version(caps) < 9000000)
        QVIRT_WARN("domain '%s' runs under TCG on QEMU %u.%u: QEMU before 9.0 may corrupt the "
                   "memory of a TCG guest during live migration",
                   domain_obj_get_name(vm), qemu_caps_get_version(caps) / 1000000,
                   qemu_caps_get_version(caps) / 1000 % 1000);
}

/* The values of every MIGRATE_DISKS parameter (NULL-terminated, borrowed
 * strings in a new array), or NULL when there is none. */
static const char **
src_migrate_disks(const QvTypedParam *params, int nparams)
{
    GPtrArray *list = g_ptr_array_new();

    for (int i = 0; i < nparams; i++) {
        if (params[i].type == QV_TYPED_PARAM_STRING &&
            strcmp(params[i].field, QV_MIGRATE_PARAM_MIGRATE_DISKS) == 0)
            g_ptr_array_add(list, params[i].value.s);
    }
    if (list->len == 0) {
        g_ptr_array_free(list, TRUE);
        return NULL;
    }
    g_ptr_array_add(list, NULL);
    return (const char **)g_ptr_array_free(list, FALSE);
}

int
qemu_migration_src_parse_uri(const char *uri, char **ret_qemu_uri, char **ret_host)
{
    g_autofree char *qemu_uri = NULL;
    g_autofree char *host = NULL;
    const char *rest;

    if (!uri || !*uri) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("missing migration URI"));
        return -1;
    }
    if (g_str_has_prefix(uri, "tcp:")) {
        const char *colon;

        rest = uri + strlen("tcp:");
        if (g_str_has_prefix(rest, "//"))
            rest += 2;
        qemu_uri = g_strdup_printf("tcp:%s", rest);
        /* Drop a trailing path ("tcp://host:port/"). */
        if (strchr(qemu_uri + 4, '/'))
            *strchr(qemu_uri + 4, '/') = '\0';
        rest = qemu_uri + 4;
        if (*rest == '[') {
            const char *end = strchr(rest, ']');

            if (!end || end[1] != ':') {
                qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("malformed migration URI '%s'"), uri);
                return -1;
            }
            host = g_strndup(rest + 1, end - rest - 1);
            colon = end + 1;
        } else {
            colon = strrchr(rest, ':');
            if (colon)
                host = g_strndup(rest, colon - rest);
        }
        if (!colon || !host || !*host || !colon[1] ||
            strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("migration URI '%s' must be tcp:HOST:PORT or tcp://HOST:PORT"),
                               uri);
            return -1;
        }
    } else if (g_str_has_prefix(uri, "unix:")) {
        rest = uri + strlen("unix:");
        if (g_str_has_prefix(rest, "//"))
            rest += 2;
        if (*rest != '/') {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("migration URI '%s' must name an absolute socket path"), uri);
            return -1;
        }
        qemu_uri = g_strdup_printf("unix:%s", rest);
    } else {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("unsupported migration URI '%s': use tcp:HOST:PORT or unix:PATH"),
                           uri);
        return -1;
    }
    *ret_qemu_uri = g_steal_pointer(&qemu_uri);
    if (ret_host)
        *ret_host = g_steal_pointer(&host);
    return 0;
}

char *
qemu_migration_src_begin_xml(DomainObj *vm, const char *dest_xml)
{
    g_autoptr(DomainDef) def = NULL;

    if (!dest_xml)
        return domain_def_format(vm->def, DOMAIN_DEF_FORMAT_INACTIVE);
    if (!(def = domain_def_parse_string(dest_xml, DOMAIN_DEF_PARSE_INACTIVE)))
        return NULL;
    if (memcmp(def->uuid, vm->def->uuid, QVIRT_UUID_BUFLEN) != 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the destination XML of domain '%s' describes another domain "
                             "('%s', another UUID)"),
                           domain_obj_get_name(vm), def->name);
        return NULL;
    }
    return g_strdup(dest_xml);
}

QemuMigrationCookie *
qemu_migration_src_perform_cookie(DomainObj *vm, unsigned int flags, const char *persist_xml)
{
    QemuMigrationCookie *cookie = qemu_migration_local_cookie_new(vm);
    DomainJobStats *stats;

    if ((stats = domain_job_current_stats(vm))) {
        cookie->stats = *stats;
        cookie->sections |= QEMU_MIGRATION_COOKIE_STATS;
    }
    if (flags & QV_MIGRATE_PERSIST_DEST) {
        cookie->persistent_xml =
            persist_xml
                ? g_strdup(persist_xml)
                : domain_def_format(domain_obj_get_persistent_def(vm), DOMAIN_DEF_FORMAT_INACTIVE);
        cookie->sections |= QEMU_MIGRATION_COOKIE_PERSISTENT;
    }
    return cookie;
}

/* Resume VM (locked, the async job held) after a migration that did not
 * happen, when the job paused it or it was running at the start. */
static void
src_resume(QemuDriver *driver, DomainObj *vm, gboolean was_running)
{
    QemuDomainJobPrivate *jpriv = qemu_domain_job_private(vm);
    QvirtError *saved;
    QemuMonitor *mon;
    int rc = -1;

    if (!domain_obj_is_active(vm) || (!was_running && !jpriv->paused_by_job))
        return;
    saved = qvirt_error_save();
    if ((mon = qemu_domain_obj_enter_monitor_async(vm, JOB_OUT))) {
        rc = qemu_monitor_json_cont(mon);
        qemu_domain_obj_exit_monitor(vm);
    }
    if (rc < 0) {
        QVIRT_ERROR("domain '%s': cannot resume the guest after the migration: %s",
                    domain_obj_get_name(vm), qvirt_error_last_message());
    } else if (domain_obj_is_active(vm)) {
        jpriv->paused_by_job = FALSE;
        qemu_driver_set_state(driver, vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_MIGRATION_CANCELED,
                              QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_MIGRATED);
        if (qemu_process_save_status(driver, vm) < 0)
            QVIRT_WARN("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
    }
    qvirt_error_restore(saved);
}

/* Emit JOB_COMPLETED with VM's completed statistics. */
static void
src_emit_job_completed(QemuDriver *driver, DomainObj *vm)
{
    DomainJobStats stats;
    QemuDriverEvent ev = {
        .event_id = QV_DOMAIN_EVENT_ID_JOB_COMPLETED,
        .name = vm->def->name,
        .uuid = vm->def->uuid,
        .id = vm->def->id,
        .stats = &stats,
    };

    domain_job_get_stats(vm, TRUE, &stats);
    if (driver->event_func)
        driver->event_func(&ev, driver->event_opaque);
}

/* ---- the source lease (client-driven migrations) ----
 *
 * The connection that called Begin drives the migration; when it closes
 * before Confirm, nobody will call the next step, so the job is given up
 * here: a step that runs is aborted and gives the job up when it ends; an
 * ownerless job is rolled back (guest resumed, parameters restored) or,
 * after a completed Perform, ended with the guest left paused, since it may
 * run on the destination (libvirt does the same). */

typedef struct {
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    QvConnect *conn; /* compared only, never dereferenced */
    gboolean closed;
} SrcLease;

static GMutex src_lease_lock;
static GPtrArray *src_leases; /* of SrcLease * */

static SrcLease *
src_lease_find(const unsigned char *uuid)
{
    for (guint i = 0; src_leases && i < src_leases->len; i++) {
        SrcLease *lease = g_ptr_array_index(src_leases, i);

        if (memcmp(lease->uuid, uuid, QVIRT_UUID_BUFLEN) == 0)
            return lease;
    }
    return NULL;
}

void
qemu_migration_src_lease_take(const unsigned char *uuid, QvConnect *conn)
{
    SrcLease *lease;

    g_mutex_lock(&src_lease_lock);
    if (!src_leases)
        src_leases = g_ptr_array_new_with_free_func(g_free);
    if (!(lease = src_lease_find(uuid))) {
        lease = g_new0(SrcLease, 1);
        memcpy(lease->uuid, uuid, QVIRT_UUID_BUFLEN);
        g_ptr_array_add(src_leases, lease);
    }
    lease->conn = conn;
    lease->closed = FALSE;
    g_mutex_unlock(&src_lease_lock);
}

static void
src_lease_drop(const unsigned char *uuid)
{
    SrcLease *lease;

    g_mutex_lock(&src_lease_lock);
    if ((lease = src_lease_find(uuid)))
        g_ptr_array_remove_fast(src_leases, lease);
    g_mutex_unlock(&src_lease_lock);
}

static gboolean
src_lease_closed(const unsigned char *uuid)
{
    SrcLease *lease;
    gboolean closed;

    g_mutex_lock(&src_lease_lock);
    lease = src_lease_find(uuid);
    closed = lease && lease->closed;
    g_mutex_unlock(&src_lease_lock);
    return closed;
}

static void src_confirm_cancelled(QemuDriver *driver, DomainObj *vm);

/* Give up VM's (locked) migration job, ownerless or the caller's, after
 * its driving connection closed. */
static void
src_abandon(QemuDriver *driver, DomainObj *vm)
{
    int phase = domain_job_get_phase(vm->job);
    QvirtError *saved = qvirt_error_save();

    switch (phase) {
    case QEMU_MIGRATION_PHASE_BEGIN3:
    case QEMU_MIGRATION_PHASE_PERFORM3:
        QVIRT_WARN("domain '%s': the client of its migration went away: cancelling",
                   domain_obj_get_name(vm));
        if (domain_job_start_phase(vm, JOB_OUT, QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED) < 0)
            break;
        src_confirm_cancelled(driver, vm);
        qemu_migration_job_finish(vm);
        break;
    case QEMU_MIGRATION_PHASE_PERFORM3_DONE:
        QVIRT_WARN("domain '%s': the client of its migration went away after the switch-over: "
                   "the guest may run on the destination, so it stays paused here",
                   domain_obj_get_name(vm));
        if (domain_job_start_phase(vm, JOB_OUT, QEMU_MIGRATION_PHASE_PERFORM3_DONE) < 0)
            break;
        if (domain_obj_is_active(vm))
            qemu_migration_params_restore(vm, JOB_OUT);
        domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_FAILED,
                                  _("the migration was not confirmed: its client went away"));
        qemu_migration_job_finish(vm);
        break;
    default:
        /* Post-copy failed: the job stays for recovery. */
        break;
    }
    if (qvirt_error_get_last())
        QVIRT_ERROR("domain '%s': giving up its migration: %s", domain_obj_get_name(vm),
                    qvirt_error_last_message());
    qvirt_error_restore(saved);
}

void
qemu_migration_src_connection_closed(QemuDriver *driver, QvConnect *conn)
{
    g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func(g_free);

    g_mutex_lock(&src_lease_lock);
    for (guint i = 0; src_leases && i < src_leases->len; i++) {
        SrcLease *lease = g_ptr_array_index(src_leases, i);

        if (lease->conn == conn && !lease->closed) {
            lease->closed = TRUE;
            g_ptr_array_add(uuids, g_memdup2(lease->uuid, QVIRT_UUID_BUFLEN));
        }
    }
    g_mutex_unlock(&src_lease_lock);

    for (guint i = 0; i < uuids->len; i++) {
        const unsigned char *uuid = g_ptr_array_index(uuids, i);
        g_autoptr(DomainObj) vm = qemu_driver_lookup_by_uuid(driver, uuid);

        if (!vm) {
            qvirt_error_reset();
            src_lease_drop(uuid);
            continue;
        }
        domain_obj_lock(vm);
        if (domain_job_get_async(vm->job) != JOB_OUT) {
            src_lease_drop(uuid);
        } else if (domain_job_async_has_owner(vm->job)) {
            /* The running step sees the closed lease when it ends. */
            if (domain_job_get_phase(vm->job) < QEMU_MIGRATION_PHASE_PERFORM3_DONE &&
                domain_job_request_abort(vm) < 0)
                qvirt_error_reset();
        } else {
            src_abandon(driver, vm);
            src_lease_drop(uuid);
        }
        domain_obj_unlock(vm);
    }
}

/* At the end of a client-driven step (VM locked, the job the caller's):
 * leave the job for the next step, or give it up when the client is gone
 * or the domain stopped. */
static void
src_step_done(QemuDriver *driver, DomainObj *vm)
{
    if (domain_job_get_async(vm->job) != JOB_OUT)
        return;
    if (!domain_obj_is_active(vm)) {
        qemu_migration_job_finish(vm);
        src_lease_drop(vm->def->uuid);
    } else if (src_lease_closed(vm->def->uuid)) {
        src_abandon(driver, vm);
        src_lease_drop(vm->def->uuid);
    } else {
        qemu_migration_job_continue(vm);
    }
}

/* ---- Begin ---- */

static char *
src_begin_locked(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params, int nparams,
                 char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags)
{
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_autofree const char **migrate_disks = NULL;
    const char *dest_xml = NULL;
    g_autofree char *xml = NULL;

    if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_XML, &dest_xml) < 0)
        return NULL;
    if (!(xml = qemu_migration_src_begin_xml(vm, dest_xml)))
        return NULL;

    cookie = qemu_migration_local_cookie_new(vm);
    if (flags & SRC_STORAGE_FLAGS) {
        g_autoptr(GPtrArray) disks = NULL;

        migrate_disks = src_migrate_disks(params, nparams);
        if (!(disks = qemu_migration_storage_disks(vm, migrate_disks)) ||
            qemu_migration_storage_src_cookie(vm, disks, cookie) < 0)
            return NULL;
        if (!domain_obj_is_active(vm)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("domain '%s' stopped while its migration began"),
                               domain_obj_get_name(vm));
            return NULL;
        }
    }
    qemu_migration_cookie_give(cookie, ret_cookie_out, ret_cookie_outlen);
    return g_steal_pointer(&xml);
}

char *
qemu_migration_src_begin(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params, int nparams,
                         char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags)
{
    char *xml = NULL;

    if (flags & QV_MIGRATE_POSTCOPY_RESUME)
        return qemu_migration_resume_src_begin(driver, vm, params, nparams, ret_cookie_out,
                                               ret_cookie_outlen, flags);
    if (src_check_flags(flags, __func__) < 0 || qemu_driver_lock_domain(vm) < 0)
        return NULL;
    if (qemu_driver_check_active(vm) < 0)
        goto unlock;
    if (qemu_migration_job_start(vm, JOB_OUT, flags) < 0)
        goto unlock;
    if (qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_BEGIN3) < 0 ||
        !(xml = src_begin_locked(driver, vm, params, nparams, ret_cookie_out, ret_cookie_outlen,
                                 flags))) {
        qemu_migration_job_finish(vm);
        goto unlock;
    }
    QVIRT_INFO("domain '%s': migration begins (flags 0x%x)", domain_obj_get_name(vm), flags);
    src_warn_tcg(driver, vm);
    /* A lease of an earlier migration of this domain is stale now. */
    src_lease_drop(vm->def->uuid);
    qemu_migration_job_continue(vm);

unlock:
    domain_obj_unlock(vm);
    return xml;
}

/* ---- Perform ---- */

typedef struct {
    gboolean was_running;    /* the guest ran when Perform started */
    gboolean tls_added;      /* the TLS object was added */
    gboolean params_applied; /* originals saved (restore them) */
    gboolean storage;        /* mirrors were started */
    gboolean migrating;      /* `migrate` was sent */
    gboolean postcopy;       /* QEMU reported post-copy */
    gboolean pre_switchover; /* QEMU paused before the switch-over */
} SrcRun;

/* Run one monitor command of the async job JOB (the migration's, or a
 * save's or dump's streaming to a file); -1 when it fails or the domain
 * stopped meanwhile. */
#define SRC_MONITOR_JOB(vm, job, rc, call)                                                         \
    do {                                                                                           \
        QemuMonitor *mon_ = qemu_domain_obj_enter_monitor_async((vm), (job));                      \
        (rc) = -1;                                                                                 \
        if (mon_) {                                                                                \
            QemuMonitor *mon = mon_;                                                               \
            (rc) = (call);                                                                         \
            qemu_domain_obj_exit_monitor(vm);                                                      \
            if ((rc) >= 0 && !domain_obj_is_active(vm)) {                                          \
                qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,                                     \
                                   _("domain '%s' stopped during its migration"),                  \
                                   domain_obj_get_name(vm));                                       \
                (rc) = -1;                                                                         \
            }                                                                                      \
        }                                                                                          \
    } while (0)
#define SRC_MONITOR(vm, rc, call) SRC_MONITOR_JOB(vm, JOB_OUT, rc, call)

static int
src_report_aborted_job(DomainObj *vm, DomainAsyncJob job)
{
    if (job == JOB_OUT)
        qvirt_report_error(QVIRT_ERR_OPERATION_ABORTED,
                           _("migration of domain '%s' was cancelled on request"),
                           domain_obj_get_name(vm));
    else
        qvirt_report_error(QVIRT_ERR_OPERATION_ABORTED,
                           _("%s of domain '%s' was cancelled on request"),
                           domain_async_job_to_string(job), domain_obj_get_name(vm));
    return -1;
}

static int
src_report_aborted(DomainObj *vm)
{
    return src_report_aborted_job(vm, JOB_OUT);
}

/* Whether the query-migrate answer MSTATS of a completed migration has
 * QEMU's final figures. QEMU sets the status "completed" (and sends its
 * MIGRATION event, which wakes src_wait_job at once) before its migration
 * thread computes the total time and the downtime; a query in between
 * reports both as 0. A real migration never takes 0 ms in all. */
static gboolean
src_stats_final(const QemuMonitorMigrationStats *mstats)
{
    return !(mstats->downtime_set && mstats->downtime == 0 && mstats->total_time == 0);
}

/* The migration of async JOB completed but QEMU's answer had no final
 * figures yet: ask again, SRC_FINAL_STATS_WAIT_MS apart, until it has them
 * (they come as soon as QEMU's migration thread gets the main lock). When
 * they do not come, or QEMU cannot be asked, the downtime is left unknown
 * rather than reported as 0. Best effort: the migration has completed
 * whatever happens here, so the thread's error slot is left as it was. */
static void
src_wait_final_stats(DomainObj *vm, DomainAsyncJob job)
{
    QvirtError *saved = qvirt_error_save();
    DomainJobStats *stats;

    for (int i = 0; i < SRC_FINAL_STATS_TRIES; i++) {
        QemuMonitorMigrationStats mstats = {0};
        gboolean final;
        int rc;

        if (domain_job_wait_event(vm, qvirt_deadline_after_ms(SRC_FINAL_STATS_WAIT_MS)) < 0)
            break;
        SRC_MONITOR_JOB(vm, job, rc, qemu_monitor_json_query_migrate(mon, &mstats));
        if (rc < 0) {
            qemu_monitor_migration_stats_clear(&mstats);
            break;
        }
        final =
            mstats.status == QEMU_MONITOR_MIGRATION_STATUS_COMPLETED && src_stats_final(&mstats);
        if (final) {
            QVIRT_DEBUG("domain '%s': final migration figures after %d more queries: "
                        "downtime %llu ms, total %llu ms",
                        domain_obj_get_name(vm), i + 1, mstats.downtime, mstats.total_time);
            qemu_migration_progress_update(vm, &mstats);
        }
        qemu_monitor_migration_stats_clear(&mstats);
        if (final) {
            qvirt_error_restore(saved);
            return;
        }
    }
    QVIRT_WARN("domain '%s': QEMU gave no final downtime of the completed migration",
               domain_obj_get_name(vm));
    if ((stats = domain_job_current_stats(vm)))
        stats->downtime_set = FALSE;
    qvirt_error_restore(saved);
}

/* Watch the running migration of async JOB until it completes (0), fails
 * or is aborted (-1), or breaks off in post-copy (-1, with RUN->postcopy
 * set). */
static int
src_wait_job(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job, SrcRun *run)
{
    for (;;) {
        QemuMonitorMigrationStats mstats = {0};
        gint64 deadline;
        int rc;

        if (domain_job_abort_requested(vm->job) && !run->postcopy)
            return src_report_aborted_job(vm, job);
        SRC_MONITOR_JOB(vm, job, rc, qemu_monitor_json_query_migrate(mon, &mstats));
        if (rc < 0) {
            qemu_monitor_migration_stats_clear(&mstats);
            return -1;
        }
        qemu_migration_progress_update(vm, &mstats);

        switch (mstats.status) {
        case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
            if (!src_stats_final(&mstats))
                src_wait_final_stats(vm, job);
            qemu_monitor_migration_stats_clear(&mstats);
            return 0;
        case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
        case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
        case QEMU_MONITOR_MIGRATION_STATUS_NONE:
            if (mstats.status == QEMU_MONITOR_MIGRATION_STATUS_CANCELLED &&
                domain_job_abort_requested(vm->job)) {
                qemu_monitor_migration_stats_clear(&mstats);
                return src_report_aborted_job(vm, job);
            }
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("migration of domain '%s' %s: %s"),
                               domain_obj_get_name(vm),
                               mstats.status == QEMU_MONITOR_MIGRATION_STATUS_FAILED
                                   ? "failed"
                                   : "was cancelled by QEMU",
                               mstats.error_desc ? mstats.error_desc : "no reason given");
            qemu_monitor_migration_stats_clear(&mstats);
            return -1;
        case QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER:
            qemu_monitor_migration_stats_clear(&mstats);
            if (!run->pre_switchover) {
                run->pre_switchover = TRUE;
                QVIRT_INFO("domain '%s': migration paused before the switch-over",
                           domain_obj_get_name(vm));
                if (run->storage) {
                    if (qemu_migration_storage_src_complete(vm, JOB_OUT) < 0)
                        return -1;
                    run->storage = FALSE;
                }
                qvirt_crash_point("migrate-continue-before");
                SRC_MONITOR(vm, rc,
                            qemu_monitor_json_migrate_continue(
                                mon, QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER));
                if (rc < 0)
                    return -1;
                qvirt_crash_point("migrate-continue-after");
            }
            continue;
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
            if (!run->postcopy) {
                run->postcopy = TRUE;
                QVIRT_INFO("domain '%s': migration switched to post-copy", domain_obj_get_name(vm));
                if (vm->state == DOMAIN_STATE_PAUSED)
                    qemu_driver_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_POSTCOPY,
                                          QV_DOMAIN_EVENT_SUSPENDED,
                                          QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY);
            }
            break;
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
            run->postcopy = TRUE;
            qvirt_report_error(
                QVIRT_ERR_OPERATION_FAILED, _("post-copy migration of domain '%s' broke off: %s"),
                domain_obj_get_name(vm), mstats.error_desc ? mstats.error_desc : "connection lost");
            qemu_monitor_migration_stats_clear(&mstats);
            return -1;
        default:
            break;
        }
        qemu_monitor_migration_stats_clear(&mstats);

        deadline = qvirt_deadline_after_ms(SRC_POLL_MS);
        if (domain_job_wait_event(vm, deadline) < 0)
            return -1;
    }
}

static int
src_wait(QemuDriver *driver, DomainObj *vm, SrcRun *run)
{
    return src_wait_job(driver, vm, JOB_OUT, run);
}

int
qemu_migration_src_wait_stream(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job)
{
    SrcRun run = {0};

    return src_wait_job(driver, vm, job, &run);
}

void
qemu_migration_src_cancel_stream(DomainObj *vm, DomainAsyncJob job)
{
    gint64 deadline = qvirt_deadline_after_ms(SRC_CANCEL_WAIT_MS);
    int rc;

    SRC_MONITOR_JOB(vm, job, rc, qemu_monitor_json_migrate_cancel(mon));
    if (rc < 0) {
        QVIRT_WARN("domain '%s': migrate_cancel failed: %s", domain_obj_get_name(vm),
                   qvirt_error_last_message());
        return;
    }
    while (domain_obj_is_active(vm)) {
        QemuMonitorMigrationStats mstats = {0};
        int status;

        SRC_MONITOR_JOB(vm, job, rc, qemu_monitor_json_query_migrate(mon, &mstats));
        status = mstats.status;
        qemu_monitor_migration_stats_clear(&mstats);
        if (rc < 0 || (status != QEMU_MONITOR_MIGRATION_STATUS_CANCELLING &&
                       status != QEMU_MONITOR_MIGRATION_STATUS_ACTIVE &&
                       status != QEMU_MONITOR_MIGRATION_STATUS_SETUP &&
                       status != QEMU_MONITOR_MIGRATION_STATUS_DEVICE &&
                       status != QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER))
            return;
        if (g_get_monotonic_time() >= deadline ||
            domain_job_wait_event(vm, MIN(deadline, qvirt_deadline_after_ms(100))) < 0) {
            QVIRT_WARN("domain '%s': the cancelled migration has not stopped yet",
                       domain_obj_get_name(vm));
            return;
        }
    }
}

/* Undo a Perform that failed (VM locked, the job held): the error in the
 * thread's slot is kept. */
static void
src_perform_cleanup(QemuDriver *driver, DomainObj *vm, SrcRun *run)
{
    QvirtError *saved = qvirt_error_save();
    DomainJobStats *stats;
    int status;

    if (!domain_obj_is_active(vm))
        goto out;
    if (run->migrating)
        qemu_migration_src_cancel_stream(vm, JOB_OUT);
    if (run->storage || qemu_domain_job_private(vm)->migrating_disks->len > 0)
        qemu_migration_storage_src_cancel(vm, JOB_OUT, TRUE);
    if (run->params_applied)
        qemu_migration_params_restore(vm, JOB_OUT);
    if (run->tls_added)
        qemu_migration_tls_remove(vm, JOB_OUT);
    src_resume(driver, vm, run->was_running);

out:
    status = saved && saved->code == QVIRT_ERR_OPERATION_ABORTED ? DOMAIN_JOB_STATUS_CANCELED
                                                                 : DOMAIN_JOB_STATUS_FAILED;
    if ((stats = domain_job_current_stats(vm))) {
        stats->status = status;
        g_strlcpy(stats->error_message, saved && saved->message ? saved->message : "",
                  sizeof(stats->error_message));
    }
    domain_job_complete_stats(vm, status, saved ? saved->message : NULL);
    qvirt_error_restore(saved);
}

/* Stop the vCPUs for a migration that is not live. */
static int
src_pause(QemuDriver *driver, DomainObj *vm)
{
    int rc;

    if (vm->state != DOMAIN_STATE_RUNNING)
        return 0;
    SRC_MONITOR(vm, rc, qemu_monitor_json_stop(mon));
    if (rc < 0)
        return -1;
    qemu_domain_job_private(vm)->paused_by_job = TRUE;
    qemu_driver_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION,
                          QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_MIGRATED);
    return 0;
}

static int
src_perform_run(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params, int nparams,
                const char *cookie_in, int cookie_inlen, char **ret_cookie_out,
                int *ret_cookie_outlen, unsigned int flags, SrcRun *run)
{
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_autoptr(QemuMigrationCookie) cookie_out = NULL;
    g_autoptr(QemuMigrationParams) mig = NULL;
    g_autoptr(QemuCaps) caps = NULL;
    g_autofree char *qemu_uri = NULL;
    g_autofree char *host = NULL;
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];
    const char *uri = NULL;
    const char *tls_host = NULL;
    unsigned long long bandwidth = 0;
    const char *persist_xml = NULL;
    DomainJobStats *stats;
    int rc;

    if (domain_job_abort_requested(vm->job))
        return src_report_aborted(vm);
    for (int i = 0; i < nparams; i++)
        QVIRT_DEBUG("domain '%s': Perform parameter '%s' (type %d)%s%s", domain_obj_get_name(vm),
                    params[i].field, params[i].type,
                    params[i].type == QV_TYPED_PARAM_STRING ? ": " : "",
                    params[i].type == QV_TYPED_PARAM_STRING &&
                            strcmp(params[i].field, QV_MIGRATE_PARAM_DEST_XML) != 0
                        ? params[i].value.s
                        : "");
    qv_host_uuid_get(host_uuid);
    if (!(cookie = qemu_migration_cookie_parse(
              cookie_in, cookie_inlen, QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CAPS,
              host_uuid)))
        return -1;
    if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_URI, &uri) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_TLS_DESTINATION, &tls_host) <
            0 ||
        qv_typed_params_get_ullong(params, nparams, QV_MIGRATE_PARAM_BANDWIDTH, &bandwidth) < 0)
        return -1;
    if (!uri) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("migration of domain '%s' needs the destination's URI (parameter "
                             "'%s')"),
                           domain_obj_get_name(vm), QV_MIGRATE_PARAM_URI);
        return -1;
    }
    if (qemu_migration_src_parse_uri(uri, &qemu_uri, &host) < 0)
        return -1;
    if ((flags & SRC_STORAGE_FLAGS) && cookie->nbd_port <= 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("the destination of domain '%s' offers no NBD server for its "
                             "storage"),
                           domain_obj_get_name(vm));
        return -1;
    }
    if (!(mig = qemu_migration_params_from_api(params, nparams, flags, QEMU_MIGRATION_SOURCE)) ||
        !(caps = src_caps(driver, vm)))
        return -1;
    if (qemu_caps_get(caps, QEMU_CAPS_MIGRATION_EVENTS))
        qemu_migration_params_set_cap(mig, "events", TRUE);
    if ((flags & SRC_STORAGE_FLAGS) && qemu_caps_get(caps, QEMU_CAPS_PAUSE_BEFORE_SWITCHOVER))
        qemu_migration_params_set_cap(mig, "pause-before-switchover", TRUE);
    if (flags & QV_MIGRATE_TLS) {
        if (qemu_migration_tls_check(driver->config, FALSE) < 0)
            return -1;
        qemu_migration_params_set_tls(mig, QEMU_MIGRATION_TLS_ALIAS, tls_host ? tls_host : host);
    }
    if (qemu_migration_params_check(mig, caps) < 0)
        return -1;

    run->was_running = vm->state == DOMAIN_STATE_RUNNING;
    if ((stats = domain_job_current_stats(vm)))
        stats->status = DOMAIN_JOB_STATUS_MIGRATING;

    if (flags & QV_MIGRATE_TLS) {
        if (qemu_migration_tls_add(vm, JOB_OUT, driver->config, FALSE) < 0)
            return -1;
        run->tls_added = TRUE;
    }
    if (qemu_migration_params_save_original(vm, JOB_OUT, mig) < 0)
        return -1;
    run->params_applied = TRUE;
    if (qemu_migration_params_apply(vm, JOB_OUT, mig) < 0)
        return -1;

    if (flags & SRC_STORAGE_FLAGS) {
        run->storage = TRUE;
        if (((flags & QV_MIGRATE_TLS)
                 ? qemu_migration_storage_src_start_tls(vm, JOB_OUT, host ? host : "localhost",
                                                        cookie,
                                                        !!(flags & QV_MIGRATE_NON_SHARED_INC),
                                                        bandwidth << 20, QEMU_MIGRATION_TLS_ALIAS)
                 : qemu_migration_storage_src_start(vm, JOB_OUT, host ? host : "localhost", cookie,
                                                    !!(flags & QV_MIGRATE_NON_SHARED_INC),
                                                    bandwidth << 20)) < 0 ||
            qemu_migration_storage_src_wait_ready(vm, JOB_OUT, SRC_MIRROR_READY_MS) < 0)
            return -1;
        qvirt_crash_point("mirrors-ready");
    }
    if (domain_job_abort_requested(vm->job))
        return src_report_aborted(vm);
    if (!(flags & QV_MIGRATE_LIVE) && src_pause(driver, vm) < 0)
        return -1;

    /* QEMU pauses the guest at the switch-over: from here it is the job's. */
    if (run->was_running)
        qemu_domain_job_private(vm)->paused_by_job = TRUE;
    QVIRT_INFO("domain '%s': migrating to %s", domain_obj_get_name(vm), qemu_uri);
    qvirt_crash_point("migrate-before");
    SRC_MONITOR(vm, rc, qemu_monitor_json_migrate(mon, qemu_uri, false));
    if (rc < 0)
        return -1;
    qvirt_crash_point("migrate-after");
    run->migrating = TRUE;

    if (src_wait(driver, vm, run) < 0)
        return -1;
    run->migrating = FALSE;
    /* Without pause-before-switchover the mirrors end after the switch. */
    if (run->storage && qemu_migration_storage_src_complete(vm, JOB_OUT) < 0)
        return -1;
    run->storage = FALSE;

    if (vm->state == DOMAIN_STATE_PAUSED)
        domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);
    if (qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM3_DONE) < 0)
        return -1;

    if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_PERSIST_XML,
                                   &persist_xml) < 0)
        return -1;
    cookie_out = qemu_migration_src_perform_cookie(vm, flags, persist_xml);
    qemu_migration_cookie_give(cookie_out, ret_cookie_out, ret_cookie_outlen);
    return 0;
}

int
qemu_migration_src_perform(QemuDriver *driver, DomainObj *vm, const char *dconnuri,
                           const QvTypedParam *params, int nparams, const char *cookie_in,
                           int cookie_inlen, char **ret_cookie_out, int *ret_cookie_outlen,
                           unsigned int flags)
{
    SrcRun run = {0};
    int ret = -1;

    if (src_check_flags(flags, __func__) < 0)
        return -1;
    if (flags & QV_MIGRATE_PEER2PEER)
        return qemu_migration_p2p_perform(driver, vm, dconnuri, params, nparams, flags);
    if (flags & QV_MIGRATE_POSTCOPY_RESUME)
        return qemu_migration_resume_src_perform(driver, vm, params, nparams, cookie_in,
                                                 cookie_inlen, ret_cookie_out, ret_cookie_outlen,
                                                 flags);
    if (dconnuri && *dconnuri) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("a destination daemon URI is only used by peer-to-peer migration"));
        return -1;
    }
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_migration_job_start_phase(vm, JOB_OUT, QEMU_MIGRATION_PHASE_PERFORM3) < 0)
        goto unlock;
    if (qemu_driver_check_active(vm) < 0) {
        qemu_migration_job_finish(vm);
        goto unlock;
    }
    ret = src_perform_run(driver, vm, params, nparams, cookie_in, cookie_inlen, ret_cookie_out,
                          ret_cookie_outlen, flags, &run);
    if (ret < 0) {
        if (run.postcopy && domain_obj_is_active(vm)) {
            /* Nothing is cancelled: the guest runs on the destination now. */
            QvirtError *saved = qvirt_error_save();

            if (vm->state == DOMAIN_STATE_PAUSED)
                qemu_driver_set_state(driver, vm, DOMAIN_STATE_PAUSED,
                                      DOMAIN_PAUSED_POSTCOPY_FAILED, QV_DOMAIN_EVENT_SUSPENDED,
                                      QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED);
            if (qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) < 0)
                QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
            qvirt_error_restore(saved);
        } else {
            /* As libvirt: a failed Perform rolls back and ends the job here,
             * because the stock client calls no Confirm after it. */
            src_perform_cleanup(driver, vm, &run);
            qemu_migration_job_finish(vm);
            src_lease_drop(vm->def->uuid);
            goto unlock;
        }
    }
    src_step_done(driver, vm);

unlock:
    domain_obj_unlock(vm);
    return ret;
}

/* ---- Confirm ---- */

static int
src_confirm_done(QemuDriver *driver, DomainObj *vm, const char *cookie_in, int cookie_inlen,
                 unsigned int flags)
{
    if (cookie_in && cookie_inlen > 0) {
        unsigned char host_uuid[QVIRT_UUID_BUFLEN];
        g_autoptr(QemuMigrationCookie) cookie = NULL;

        qv_host_uuid_get(host_uuid);
        if (!(cookie = qemu_migration_cookie_parse(cookie_in, cookie_inlen,
                                                   QEMU_MIGRATION_COOKIE_STATS, host_uuid))) {
            QVIRT_WARN("domain '%s': ignoring the Finish cookie: %s", domain_obj_get_name(vm),
                       qvirt_error_last_message());
            qvirt_error_reset();
        }
    }
    domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_COMPLETED, NULL);
    src_emit_job_completed(driver, vm);
    qvirt_crash_point("source-kill-before");
    qemu_process_stop(driver, vm, DOMAIN_SHUTOFF_MIGRATED, 0);
    qvirt_crash_point("source-kill-after");
    QVIRT_INFO("domain '%s': migrated away", domain_obj_get_name(vm));
    if ((flags & QV_MIGRATE_UNDEFINE_SOURCE) && vm->persistent) {
        if (domain_obj_list_delete_config(driver->config->config_dir, domain_obj_get_name(vm)) <
            0) {
            QVIRT_ERROR("domain '%s': cannot undefine the source after its migration: %s",
                        domain_obj_get_name(vm), qvirt_error_last_message());
            qvirt_error_reset();
        } else {
            vm->persistent = FALSE;
            vm->autostart = FALSE;
            qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_UNDEFINED,
                                       QV_DOMAIN_EVENT_UNDEFINED_REMOVED);
        }
    }
    qemu_driver_remove_inactive(driver, vm);
    return 0;
}

int
qemu_migration_src_stop_migrated(QemuDriver *driver, DomainObj *vm, const char *cookie_in,
                                 int cookie_inlen, unsigned int flags)
{
    return src_confirm_done(driver, vm, cookie_in, cookie_inlen, flags);
}

static void
src_confirm_cancelled(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainJobPrivate *jpriv = qemu_domain_job_private(vm);
    DomainJobStats *stats = domain_job_current_stats(vm);
    int status = DOMAIN_JOB_STATUS_FAILED;

    if (domain_obj_is_active(vm)) {
        if (jpriv->migrating_disks->len > 0)
            qemu_migration_storage_src_cancel(vm, JOB_OUT, TRUE);
        qemu_migration_params_restore(vm, JOB_OUT);
        if (domain_job_get_async_flags(vm->job) & QV_MIGRATE_TLS)
            qemu_migration_tls_remove(vm, JOB_OUT);
        if (jpriv->paused_by_job && vm->state == DOMAIN_STATE_PAUSED)
            src_resume(driver, vm, FALSE);
    }
    if (stats && stats->status == DOMAIN_JOB_STATUS_CANCELED)
        status = DOMAIN_JOB_STATUS_CANCELED;
    domain_job_complete_stats(vm, status,
                              stats && stats->error_message[0] ? stats->error_message
                                                               : _("the migration was cancelled"));
}

int
qemu_migration_src_confirm(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                           int nparams, const char *cookie_in, int cookie_inlen, unsigned int flags,
                           int cancelled)
{
    QvirtError *refused = NULL;
    int ret = 0;

    if (flags & QV_MIGRATE_POSTCOPY_RESUME)
        return qemu_migration_resume_src_confirm(driver, vm, params, nparams, cookie_in,
                                                 cookie_inlen, flags, cancelled);
    if (!qv_driver_check_flags(flags, SRC_FLAGS, __func__) || qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (cancelled && domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_NONE) {
        /* A failed Perform already rolled back and ended the job. */
        goto unlock;
    }
    if (!qemu_migration_job_is_active(vm, JOB_OUT)) {
        ret = -1;
        goto unlock;
    }
    if (domain_job_get_phase(vm->job) == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) {
        /* The guest runs on the destination: keep the job for recovery. */
        if (domain_job_start_phase(vm, JOB_OUT, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) < 0)
            ret = -1;
        else
            qemu_migration_job_continue(vm);
        goto unlock;
    }
    if (!cancelled && domain_job_get_phase(vm->job) != QEMU_MIGRATION_PHASE_PERFORM3_DONE) {
        /* Perform did not finish: nothing moved, so roll back, and say so. */
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("migration of domain '%s' cannot be confirmed in phase %s: it "
                             "was cancelled"),
                           domain_obj_get_name(vm),
                           qemu_migration_phase_to_string(domain_job_get_phase(vm->job)));
        refused = qvirt_error_save();
        cancelled = 1;
    }
    if (qemu_migration_job_start_phase(vm, JOB_OUT,
                                       cancelled ? QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED
                                                 : QEMU_MIGRATION_PHASE_CONFIRM3) < 0) {
        ret = -1;
        goto unlock;
    }
    src_lease_drop(vm->def->uuid);
    if (!cancelled && domain_obj_is_active(vm))
        ret = src_confirm_done(driver, vm, cookie_in, cookie_inlen, flags);
    else
        src_confirm_cancelled(driver, vm);
    qemu_migration_job_finish(vm);
    if (refused) {
        qvirt_error_restore(g_steal_pointer(&refused));
        ret = -1;
    }

unlock:
    if (refused)
        qvirt_error_free(refused);
    domain_obj_unlock(vm);
    return ret;
}

/* ---- abort ---- */

int
qemu_migration_abort(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    DomainAsyncJob job;
    DomainJobStats *stats;
    int ret = -1;
    int phase;

    if (flags & QV_DOMAIN_ABORT_JOB_POSTCOPY)
        return qemu_migration_resume_pause(driver, vm, flags);
    QV_CHECK_FLAGS(flags, 0, -1);
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_driver_check_active(vm) < 0)
        goto unlock;
    job = domain_job_get_async(vm->job);
    phase = domain_job_get_phase(vm->job);
    stats = domain_job_current_stats(vm);
    switch (job) {
    case DOMAIN_ASYNC_JOB_NONE:
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("no job is active on domain '%s'"),
                           domain_obj_get_name(vm));
        goto unlock;
    case DOMAIN_ASYNC_JOB_MIGRATION_IN:
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("cannot abort the incoming migration of domain '%s': destroy the "
                             "domain instead"),
                           domain_obj_get_name(vm));
        goto unlock;
    case DOMAIN_ASYNC_JOB_MIGRATION_OUT:
        /* Left by recovery after a restart (qemu_recovery.h): give it up. */
        if (qemu_recovery_abandon_outcome_unknown(driver, vm)) {
            ret = 0;
            goto unlock;
        }
        if ((stats && (stats->status == DOMAIN_JOB_STATUS_POSTCOPY ||
                       stats->status == DOMAIN_JOB_STATUS_POSTCOPY_PAUSED)) ||
            phase == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("cannot abort the migration of domain '%s' in post-copy mode"),
                               domain_obj_get_name(vm));
            goto unlock;
        }
        if (phase >= QEMU_MIGRATION_PHASE_PERFORM3_DONE) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("cannot abort the migration of domain '%s' in phase %s: the "
                                 "guest has switched over"),
                               domain_obj_get_name(vm), qemu_migration_phase_to_string(phase));
            goto unlock;
        }
        break;
    case DOMAIN_ASYNC_JOB_START:
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("cannot abort the start of domain '%s'"),
                           domain_obj_get_name(vm));
        goto unlock;
    default:
        break;
    }
    QVIRT_INFO("domain '%s': abort of async job '%s' requested", domain_obj_get_name(vm),
               domain_async_job_to_string(job));
    ret = domain_job_request_abort(vm);

unlock:
    domain_obj_unlock(vm);
    return ret;
}

/* ---- tuning ---- */

/* Take JOB_TYPE on the running VM (locked). */
static int
src_tune_begin(DomainObj *vm, DomainJob job_type)
{
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_driver_check_active(vm) < 0 ||
        domain_job_begin_flags(vm, job_type, DOMAIN_JOB_BEGIN_NEED_ACTIVE) < 0) {
        domain_obj_unlock(vm);
        return -1;
    }
    return 0;
}

static void
src_tune_end(DomainObj *vm)
{
    domain_job_end(vm);
    domain_obj_unlock(vm);
}

/* migrate-set-parameters NAME = VALUE under a migration-op job. */
static int
src_set_param(DomainObj *vm, const char *name, long long value)
{
    g_autoptr(QvirtJson) args = json_object_new_object();
    QemuMonitor *mon;
    int rc = -1;

    json_object_object_add(args, name, json_object_new_int64(value));
    if (src_tune_begin(vm, DOMAIN_JOB_MIGRATION_OP) < 0)
        return -1;
    if ((mon = qemu_domain_obj_enter_monitor(vm))) {
        rc = qemu_monitor_json_migrate_set_parameters(mon, args);
        qemu_domain_obj_exit_monitor(vm);
    }
    src_tune_end(vm);
    return rc;
}

/* query-migrate-parameters' NAME under a query job. */
static int
src_get_param(DomainObj *vm, const char *name, unsigned long long *ret_value)
{
    g_autoptr(QvirtJson) reply = NULL;
    QemuMonitor *mon;
    uint64_t value = 0;
    int rc = -1;

    if (src_tune_begin(vm, DOMAIN_JOB_QUERY) < 0)
        return -1;
    if ((mon = qemu_domain_obj_enter_monitor(vm))) {
        rc = qemu_monitor_json_query_migrate_parameters(mon, &reply);
        qemu_domain_obj_exit_monitor(vm);
    }
    if (rc == 0 && qvirt_json_get_uint64(reply, name, &value) < 0) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR,
                           _("QEMU of domain '%s' did not report migration parameter '%s'"),
                           domain_obj_get_name(vm), name);
        rc = -1;
    }
    src_tune_end(vm);
    if (rc == 0)
        *ret_value = value;
    return rc;
}

int
qemu_migration_set_max_downtime(QemuDriver *driver, DomainObj *vm, unsigned long long downtime_ms,
                                unsigned int flags)
{
    QV_CHECK_FLAGS(flags, 0, -1);
    /* QEMU's limit (2000 s). */
    if (downtime_ms > 2000000ULL) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("migration downtime %llu ms is more than the largest, 2000000 ms"),
                           downtime_ms);
        return -1;
    }
    return src_set_param(vm, "downtime-limit", (long long)downtime_ms);
}

int
qemu_migration_get_max_downtime(QemuDriver *driver, DomainObj *vm,
                                unsigned long long *ret_downtime_ms, unsigned int flags)
{
    QV_CHECK_FLAGS(flags, 0, -1);
    return src_get_param(vm, "downtime-limit", ret_downtime_ms);
}

int
qemu_migration_set_max_speed(QemuDriver *driver, DomainObj *vm, unsigned long long bandwidth_mibs,
                             unsigned int flags)
{
    QV_CHECK_FLAGS(flags, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, -1);
    if (bandwidth_mibs > (unsigned long long)G_MAXINT64 >> 20) {
        qvirt_report_error(QVIRT_ERR_OVERFLOW,
                           _("migration bandwidth %llu MiB/s is more than the largest, %llu MiB/s"),
                           bandwidth_mibs, (unsigned long long)G_MAXINT64 >> 20);
        return -1;
    }
    return src_set_param(vm,
                         flags & QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY ? "max-postcopy-bandwidth"
                                                                      : "max-bandwidth",
                         (long long)(bandwidth_mibs << 20));
}

int
qemu_migration_get_max_speed(QemuDriver *driver, DomainObj *vm,
                             unsigned long long *ret_bandwidth_mibs, unsigned int flags)
{
    unsigned long long bytes;

    QV_CHECK_FLAGS(flags, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, -1);
    if (src_get_param(vm,
                      flags & QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY ? "max-postcopy-bandwidth"
                                                                   : "max-bandwidth",
                      &bytes) < 0)
        return -1;
    *ret_bandwidth_mibs = bytes >> 20;
    return 0;
}

int
qemu_migration_start_post_copy(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    QemuMonitor *mon;
    int rc = -1;

    QV_CHECK_FLAGS(flags, 0, -1);
    if (src_tune_begin(vm, DOMAIN_JOB_MIGRATION_OP) < 0)
        return -1;
    if (domain_job_get_async(vm->job) != JOB_OUT) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain '%s' is not being migrated out"),
                           domain_obj_get_name(vm));
        goto end;
    }
    if (!(domain_job_get_async_flags(vm->job) & QV_MIGRATE_POSTCOPY)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("switching domain '%s' to post-copy needs a migration started with "
                             "the post-copy flag"),
                           domain_obj_get_name(vm));
        goto end;
    }
    if (domain_job_get_phase(vm->job) != QEMU_MIGRATION_PHASE_PERFORM3) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("domain '%s' cannot switch to post-copy in migration phase %s"),
                           domain_obj_get_name(vm),
                           qemu_migration_phase_to_string(domain_job_get_phase(vm->job)));
        goto end;
    }
    if ((mon = qemu_domain_obj_enter_monitor(vm))) {
        rc = qemu_monitor_json_migrate_start_postcopy(mon);
        qemu_domain_obj_exit_monitor(vm);
    }
end:
    src_tune_end(vm);
    return rc;
}

/* qemu_save.c: save, restore and managed save of a QEMU domain, and the
 * migration stream into a file descriptor that a full core dump shares
 * (the contract is in qemu_save.h; the file format in qemu_save_image.h).
 *
 * A save runs as an outgoing migration to "fd:NAME" (the file, passed to
 * QEMU with getfd) under the async job SAVE; the streaming and its cancel
 * are the migration source's (qemu_migration_priv.h). A restore starts
 * QEMU with `-incoming defer` under the async job START and feeds it the
 * file, positioned at the stream, with migrate-incoming "fd:NAME". */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver/event.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_migration_params.h"
#include "qemu/qemu_migration_priv.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_save.h"
#include "qemu/qemu_save_image.h"
#include "util/cachedrop.h"
#include "util/crashpoint.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.save");

/* The names QEMU keeps the passed descriptors under. */
#define SAVE_FD_NAME "qvirt-save-fd"
#define RESTORE_FD_NAME "qvirt-restore-fd"
/* How often a restore asks QEMU where it stands at least. */
#define RESTORE_POLL_MS 500
/* A restore may take this long at least, plus a second per 16 MiB. */
#define RESTORE_MIN_TIMEOUT_MS 120000
#define RESTORE_MS_PER_16MIB 1000

#define SAVE_FLAGS (QV_DOMAIN_SAVE_BYPASS_CACHE | QV_DOMAIN_SAVE_RUNNING | QV_DOMAIN_SAVE_PAUSED)

/* Run CALL on VM's monitor under async JOB; rc -1 when that fails or the
 * domain stopped meanwhile. */
#define SAVE_MONITOR(vm, job, rc, call)                                                            \
    do {                                                                                           \
        QemuMonitor *mon_ = qemu_domain_obj_enter_monitor_async((vm), (job));                      \
        (rc) = -1;                                                                                 \
        if (mon_) {                                                                                \
            QemuMonitor *mon = mon_;                                                               \
            (rc) = (call);                                                                         \
            qemu_domain_obj_exit_monitor(vm);                                                      \
            if ((rc) >= 0 && !domain_obj_is_active(vm)) {                                          \
                qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("QEMU of domain '%s' exited"),    \
                                   domain_obj_get_name(vm));                                       \
                (rc) = -1;                                                                         \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* ---- the stream into a descriptor ---- */

/* Lift QEMU's bandwidth cap for the stream (or set save_max_bandwidth);
 * the original is kept in the job and restored afterwards. */
static int
save_apply_bandwidth(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job)
{
    g_autoptr(QemuMigrationParams) mig = qemu_migration_params_new();
    guint mibs = driver->config->save_max_bandwidth;

    qemu_migration_params_set_int(mig, "max-bandwidth",
                                  mibs ? (long long)mibs << 20 : QEMU_MIGRATION_BANDWIDTH_UNLIMITED);
    if (qemu_migration_params_save_original(vm, job, mig) < 0)
        return -1;
    return qemu_migration_params_apply(vm, job, mig);
}

int
qemu_save_migrate_to_fd(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job, int fd)
{
    g_autofree char *uri = g_strdup_printf("fd:%s", SAVE_FD_NAME);
    DomainJobStats *stats;
    gboolean fd_sent = FALSE;
    gboolean migrating = FALSE;
    int rc;

    if (domain_job_abort_requested(vm->job)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_ABORTED,
                           _("%s of domain '%s' was cancelled on request"),
                           domain_async_job_to_string(job), domain_obj_get_name(vm));
        return -1;
    }
    if (save_apply_bandwidth(driver, vm, job) < 0)
        goto error;
    SAVE_MONITOR(vm, job, rc, qemu_monitor_json_send_fd(mon, SAVE_FD_NAME, fd));
    if (rc < 0)
        goto error;
    fd_sent = TRUE;
    if ((stats = domain_job_current_stats(vm)))
        stats->status = DOMAIN_JOB_STATUS_MIGRATING;
    QVIRT_INFO("domain '%s': %s: streaming QEMU's state into a file", domain_obj_get_name(vm),
               domain_async_job_to_string(job));
    SAVE_MONITOR(vm, job, rc, qemu_monitor_json_migrate(mon, uri, false));
    if (rc < 0)
        goto error;
    /* QEMU took the descriptor over with `migrate`. */
    fd_sent = FALSE;
    migrating = TRUE;
    if (job == DOMAIN_ASYNC_JOB_SAVE)
        qvirt_crash_point("save-started");

    if (qemu_migration_src_wait_stream(driver, vm, job) < 0)
        goto error;
    qemu_migration_params_restore(vm, job);
    return 0;

error : {
    QvirtError *saved = qvirt_error_save();

    if (domain_obj_is_active(vm)) {
        if (migrating)
            qemu_migration_src_cancel_stream(vm, job);
        if (fd_sent) {
            SAVE_MONITOR(vm, job, rc, qemu_monitor_json_close_fd(mon, SAVE_FD_NAME));
            qvirt_error_reset();
        }
        qemu_migration_params_restore(vm, job);
    }
    qvirt_error_restore(saved);
}
    return -1;
}

/* ---- save ---- */

/* Whether A and B describe the same domain (UUID and name). */
static gboolean
save_same_domain(const DomainDef *a, const DomainDef *b)
{
    return memcmp(a->uuid, b->uuid, QVIRT_UUID_BUFLEN) == 0 && g_strcmp0(a->name, b->name) == 0;
}

/* The XML to store for VM (locked): DXML when it describes the same
 * domain (UUID and name), else VM's running definition, both inactive. */
static char *
save_xml(DomainObj *vm, const char *dxml)
{
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *xml = NULL;

    if (!dxml) {
        xml = domain_def_format(vm->def, DOMAIN_DEF_FORMAT_INACTIVE);
    } else {
        if (!(def = domain_def_parse_string(dxml, DOMAIN_DEF_PARSE_INACTIVE)))
            return NULL;
        if (!save_same_domain(def, vm->def)) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("the XML given for the save image of domain '%s' describes "
                                 "another domain ('%s'): the name and UUID must stay"),
                               domain_obj_get_name(vm), def->name);
            return NULL;
        }
        xml = domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE);
    }
    if (xml && strlen(xml) > QEMU_SAVE_IMAGE_XML_MAX) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the XML of domain '%s' is too large for a save image"),
                           domain_obj_get_name(vm));
        return NULL;
    }
    return g_steal_pointer(&xml);
}

static int
save_check_path(const char *path)
{
    if (!path || !g_path_is_absolute(path)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("save image path '%s' must be an absolute path"), path ? path : "");
        return -1;
    }
    return 0;
}

static int
save_check_flags(unsigned int flags, const char *func)
{
    if (!qv_driver_check_flags(flags, SAVE_FLAGS, func))
        return -1;
    if ((flags & QV_DOMAIN_SAVE_RUNNING) && (flags & QV_DOMAIN_SAVE_PAUSED)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the flags 'running' and 'paused' are mutually exclusive"));
        return -1;
    }
    return 0;
}

/* Pause VM for the save (the job paused it). */
static int
save_pause(QemuDriver *driver, DomainObj *vm)
{
    int rc;

    if (vm->state != DOMAIN_STATE_RUNNING)
        return 0;
    SAVE_MONITOR(vm, DOMAIN_ASYNC_JOB_SAVE, rc, qemu_monitor_json_stop(mon));
    if (rc < 0)
        return -1;
    qemu_domain_job_private(vm)->paused_by_job = TRUE;
    qemu_driver_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_SAVE,
                          QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_PAUSED);
    return qemu_process_save_status(driver, vm);
}

/* Resume VM after a save that did not happen, when the job paused it. */
static void
save_resume(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainJobPrivate *jpriv = qemu_domain_job_private(vm);
    int rc;

    if (!domain_obj_is_active(vm) || !jpriv->paused_by_job)
        return;
    SAVE_MONITOR(vm, DOMAIN_ASYNC_JOB_SAVE, rc, qemu_monitor_json_cont(mon));
    if (rc < 0) {
        QVIRT_ERROR("domain '%s': cannot resume the guest after the failed save: %s",
                    domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
        return;
    }
    jpriv->paused_by_job = FALSE;
    qemu_driver_set_state(driver, vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_SAVE_CANCELED,
                          QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_UNPAUSED);
    if (qemu_process_save_status(driver, vm) < 0) {
        QVIRT_WARN("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
}

/* fsync FD (the file TMP) or, with DIR_OF, the folder of DIR_OF, with VM
 * unlocked meanwhile (a sync may take long); -1 also when the domain
 * stopped meanwhile. */
static int
save_sync_unlocked(DomainObj *vm, int fd, const char *tmp, const char *dir_of)
{
    int rc = 0;
    int err = 0;

    domain_obj_unlock(vm);
    if (dir_of) {
        g_autofree char *dir = g_path_get_dirname(dir_of);

        rc = qvirt_dir_sync(dir);
    } else if (fsync(fd) < 0) {
        rc = -1;
        err = errno;
    }
    domain_obj_lock(vm);
    if (rc < 0) {
        if (!dir_of)
            qvirt_report_system_error(err, _("cannot write save image '%s'"), tmp);
        return -1;
    }
    if (!domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("domain '%s' stopped during its save"),
                           domain_obj_get_name(vm));
        return -1;
    }
    return 0;
}

/* Write the image of VM (locked, the SAVE job held, paused) into the
 * temporary file FD at TMP, then rename it to PATH; with BYPASS_CACHE the
 * file's pages leave the page cache as QEMU writes them. */
static int
save_write_image(QemuDriver *driver, DomainObj *vm, int fd, const char *tmp, const char *path,
                 const char *xml, guint32 image_flags, gboolean bypass_cache)
{
    QemuDomainJobPrivate *jpriv = qemu_domain_job_private(vm);
    QvirtCacheDropper *dropper = NULL;
    guint8 header[QEMU_SAVE_IMAGE_HEADER_LEN];
    int rc;
    g_autofree guint8 *prefix = NULL;
    gsize prefix_len;
    struct stat st;

    prefix = qemu_save_image_format(xml, image_flags, 0, &prefix_len);
    if (qvirt_fd_write_all(fd, prefix, prefix_len) < 0) {
        qvirt_report_system_error(errno, _("cannot write save image '%s'"), tmp);
        return -1;
    }
    if (bypass_cache && !(dropper = qvirt_cache_dropper_start(fd)))
        return -1;
    rc = qemu_save_migrate_to_fd(driver, vm, DOMAIN_ASYNC_JOB_SAVE, fd);
    qvirt_cache_dropper_stop(dropper);
    if (rc < 0)
        return -1;
    if (fstat(fd, &st) < 0) {
        qvirt_report_system_error(errno, _("cannot read save image '%s'"), tmp);
        return -1;
    }
    if ((gsize)st.st_size <= prefix_len) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("QEMU wrote nothing into the save image '%s' of domain '%s'"), tmp,
                           domain_obj_get_name(vm));
        return -1;
    }
    /* Only now the header says the image is complete. */
    qemu_save_image_format_header((guint32)strlen(xml), image_flags,
                                  (guint64)st.st_size - prefix_len, header);
    if (pwrite(fd, header, sizeof(header), 0) != (ssize_t)sizeof(header)) {
        qvirt_report_system_error(errno, _("cannot write save image '%s'"), tmp);
        return -1;
    }
    if (save_sync_unlocked(vm, fd, tmp, NULL) < 0)
        return -1;
    /* Synced just now: only clean pages are left to drop. */
    if (bypass_cache && qvirt_fd_drop_cache_range(fd, st.st_size) < 0)
        QVIRT_WARN("domain '%s': cannot drop save image '%s' from the page cache: %s",
                   domain_obj_get_name(vm), tmp, g_strerror(errno));
    /* A restart before QEMU is stopped resumes the guest, so the image
     * must go then, renamed or not. The status names the file the rename
     * makes by its inode before the rename: an earlier file of the name
     * (a restart before the rename) is left alone. */
    jpriv->partial_final = g_strdup(path);
    jpriv->partial_inode = (guint64)st.st_ino;
    if (qemu_process_save_status(driver, vm) < 0)
        return -1;
    if (rename(tmp, path) < 0) {
        qvirt_report_system_error(errno, _("cannot rename save image '%s' to '%s'"), tmp, path);
        return -1;
    }
    qvirt_crash_point("save-renamed");
    if (save_sync_unlocked(vm, fd, tmp, path) < 0)
        return -1;
    return 0;
}

/* Save VM (locked) into PATH. */
static int
save_locked(QemuDriver *driver, DomainObj *vm, const char *path, const char *dxml,
            unsigned int flags)
{
    QemuDomainJobPrivate *jpriv;
    g_autofree char *xml = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    g_autofree char *tmp = NULL;
    guint32 image_flags = 0;
    QvirtError *saved;
    int status;
    int fd = -1;

    if (qemu_driver_check_active(vm) < 0 || !(xml = save_xml(vm, dxml)))
        return -1;
    if (domain_job_begin_async(vm, DOMAIN_ASYNC_JOB_SAVE, DOMAIN_JOB_OPERATION_SAVE, flags) < 0)
        return -1;
    jpriv = qemu_domain_job_private(vm);
    if (qemu_driver_check_active(vm) < 0)
        goto error;
    if (flags & QV_DOMAIN_SAVE_RUNNING)
        image_flags |= QEMU_SAVE_IMAGE_WAS_RUNNING;
    else if (!(flags & QV_DOMAIN_SAVE_PAUSED) && vm->state == DOMAIN_STATE_RUNNING)
        image_flags |= QEMU_SAVE_IMAGE_WAS_RUNNING;
    QVIRT_INFO("domain '%s': saving to '%s' (flags 0x%x)", domain_obj_get_name(vm), path, flags);

    /* A temporary name in the target's folder: a partial save never looks
     * valid, and the rename is atomic. */
    dir = g_path_get_dirname(path);
    base = g_path_get_basename(path);
    tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    if ((fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600)) < 0) {
        qvirt_report_system_error(errno, _("cannot create save image '%s' in '%s'"), base, dir);
        goto error;
    }
    jpriv->partial_file = g_strdup(tmp);
    if (qemu_process_save_status(driver, vm) < 0 || save_pause(driver, vm) < 0 ||
        save_write_image(driver, vm, fd, tmp, path, xml, image_flags,
                         !!(flags & QV_DOMAIN_SAVE_BYPASS_CACHE)) < 0)
        goto error;
    qvirt_fd_close(&fd);

    /* The image is complete: QEMU goes. */
    g_clear_pointer(&jpriv->partial_file, g_free);
    g_clear_pointer(&jpriv->partial_final, g_free);
    jpriv->paused_by_job = FALSE;
    domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_COMPLETED, NULL);
    qemu_process_stop(driver, vm, DOMAIN_SHUTOFF_SAVED, 0);
    QVIRT_INFO("domain '%s': saved to '%s'", domain_obj_get_name(vm), path);
    domain_job_end_async(vm);
    qemu_driver_remove_inactive(driver, vm);
    return 0;

error:
    saved = qvirt_error_save();
    qvirt_fd_close(&fd);
    (void)qemu_domain_job_remove_partial_files(vm);
    save_resume(driver, vm);
    status = saved && saved->code == QVIRT_ERR_OPERATION_ABORTED ? DOMAIN_JOB_STATUS_CANCELED
                                                                 : DOMAIN_JOB_STATUS_FAILED;
    domain_job_complete_stats(vm, status, saved ? saved->message : NULL);
    QVIRT_WARN("domain '%s': save to '%s' did not happen: %s", domain_obj_get_name(vm), path,
               saved && saved->message ? saved->message : "unknown error");
    domain_job_end_async(vm);
    qvirt_error_restore(saved);
    return -1;
}

int
qemu_save_domain(QemuDriver *driver, DomainObj *vm, const char *to, const char *dxml,
                 unsigned int flags)
{
    int rc;

    if (save_check_flags(flags, __func__) < 0 || save_check_path(to) < 0 ||
        qemu_driver_lock_domain(vm) < 0)
        return -1;
    rc = save_locked(driver, vm, to, dxml, flags);
    domain_obj_unlock(vm);
    return rc;
}

/* ---- restore ---- */

/* The definition to restore from IMAGE (read from PATH): the image's, or
 * DXML when it describes the same domain. */
static DomainDef *
restore_def(const QemuSaveImage *image, const char *path, const char *dxml)
{
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) alt = NULL;

    if (!(def = domain_def_parse_string(image->xml, DOMAIN_DEF_PARSE_INACTIVE))) {
        g_autofree char *why = g_strdup(qvirt_error_last_message());

        qvirt_error_reset();
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("save image '%s' is corrupt: its domain XML does not parse: %s"), path,
                           why);
        return NULL;
    }
    if (def->virt_type != DOMAIN_VIRT_QEMU && def->virt_type != DOMAIN_VIRT_KVM) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("save image '%s' holds domain '%s' of type '%s', which the QEMU "
                             "driver cannot run"),
                           path, def->name, domain_virt_to_string(def->virt_type));
        return NULL;
    }
    if (!dxml)
        return g_steal_pointer(&def);
    if (!(alt = domain_def_parse_string(dxml, DOMAIN_DEF_PARSE_INACTIVE)))
        return NULL;
    if (!save_same_domain(alt, def)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the XML given to restore '%s' describes domain '%s', not the saved "
                             "domain '%s' (the name and UUID must stay)"),
                           path, alt->name, def->name);
        return NULL;
    }
    return g_steal_pointer(&alt);
}

/* The restore's progress: QEMU reads the file through the same open file
 * description, so its offset is QEMU's read position. With BYPASS_CACHE
 * the pages QEMU has read leave the page cache. */
static void
restore_progress(DomainObj *vm, int fd, const QemuSaveImage *image, gboolean bypass_cache)
{
    DomainJobStats *stats = domain_job_current_stats(vm);
    off_t pos = lseek(fd, 0, SEEK_CUR);
    guint64 done;

    if (pos < 0)
        return;
    /* QEMU has read up to POS; what lies beyond may be its read-ahead. */
    if (bypass_cache)
        (void)qvirt_fd_drop_cache_range(fd, pos);
    if (!stats)
        return;
    done = (guint64)pos > image->stream_offset ? (guint64)pos - image->stream_offset : 0;
    done = MIN(done, image->stream_len);
    stats->status = DOMAIN_JOB_STATUS_MIGRATING;
    stats->data_total = image->stream_len;
    stats->data_processed = done;
    stats->data_remaining = image->stream_len - done;
    stats->mem_total = image->stream_len;
    stats->mem_processed = done;
    stats->mem_remaining = image->stream_len - done;
}

/* The failure of a restore QEMU gave up on: what QEMU wrote to its log
 * since LOG_OFFSET, else the log's name. */
static int
restore_report_exit(DomainObj *vm, const char *path, off_t log_offset)
{
    const char *log_path = qemu_domain_private(vm)->log_path;
    g_autofree char *tail = qemu_process_log_tail(log_path, log_offset);

    qvirt_error_reset();
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                       _("QEMU of domain '%s' exited while loading save image '%s': %s"),
                       domain_obj_get_name(vm), path,
                       tail ? tail : _("it wrote nothing to its log"));
    return -1;
}

/* Feed QEMU of VM (locked, START held, incoming) the stream of FD and wait
 * until it has loaded it; LOG_OFFSET: the end of QEMU's log when it
 * started. */
static int
restore_load(DomainObj *vm, int fd, const QemuSaveImage *image, const char *path, off_t log_offset,
             gboolean bypass_cache)
{
    g_autofree char *uri = g_strdup_printf("fd:%s", RESTORE_FD_NAME);
    gint64 timeout_ms =
        RESTORE_MIN_TIMEOUT_MS + (gint64)(image->stream_len >> 24) * RESTORE_MS_PER_16MIB;
    gint64 deadline = qvirt_deadline_after_ms(timeout_ms);
    int rc;

    if (lseek(fd, (off_t)image->stream_offset, SEEK_SET) < 0) {
        qvirt_report_system_error(errno, _("cannot read save image '%s'"), path);
        return -1;
    }
    SAVE_MONITOR(vm, DOMAIN_ASYNC_JOB_START, rc,
                 qemu_monitor_json_send_fd(mon, RESTORE_FD_NAME, fd));
    if (rc < 0)
        return domain_obj_is_active(vm) ? -1 : restore_report_exit(vm, path, log_offset);
    SAVE_MONITOR(vm, DOMAIN_ASYNC_JOB_START, rc, qemu_monitor_json_migrate_incoming(mon, uri));
    if (rc < 0)
        return domain_obj_is_active(vm) ? -1 : restore_report_exit(vm, path, log_offset);

    for (;;) {
        g_autofree char *error = NULL;
        int status;

        if (qemu_migration_dst_query(vm, DOMAIN_ASYNC_JOB_START, &status, &error) < 0)
            return domain_obj_is_active(vm) ? -1 : restore_report_exit(vm, path, log_offset);
        restore_progress(vm, fd, image, bypass_cache);
        switch (status) {
        case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
            return 0;
        case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
        case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED: {
            /* QEMU 7.2 gives no error-desc for a load: its log says why. */
            g_autofree char *tail = NULL;
            const char *why = error;

            if (!why)
                why = tail = qemu_process_log_tail(qemu_domain_private(vm)->log_path, log_offset);
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("QEMU of domain '%s' could not load save image '%s': %s"),
                               domain_obj_get_name(vm), path, why ? why : _("no reason given"));
            return -1;
        }
        default:
            break;
        }
        if (g_get_monotonic_time() >= deadline) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("QEMU of domain '%s' did not load save image '%s' within %lld "
                                 "s"),
                               domain_obj_get_name(vm), path, (long long)(timeout_ms / 1000));
            return -1;
        }
        /* No event tells an incoming migration's end: ask again soon. */
        if (domain_job_wait_event(vm, MIN(deadline, qvirt_deadline_after_ms(RESTORE_POLL_MS))) < 0)
            return restore_report_exit(vm, path, log_offset);
    }
}

/* Restore VM (locked, inactive, its live definition in place) from IMAGE
 * in FD under the async job START. */
static int
restore_locked(QemuDriver *driver, DomainObj *vm, int fd, const QemuSaveImage *image,
               const char *path, unsigned int flags)
{
    QvirtError *saved;
    gboolean run;
    gboolean announced = FALSE;
    off_t log_offset = 0;
    struct stat st;
    int rc;

    if (domain_job_begin_async(vm, DOMAIN_ASYNC_JOB_START, DOMAIN_JOB_OPERATION_RESTORE, flags) < 0)
        return -1;
    QVIRT_INFO("domain '%s': restoring from '%s'", domain_obj_get_name(vm), path);
    if (qemu_process_start(driver, vm, QEMU_PROCESS_START_RESTORE) < 0) {
        domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_FAILED, qvirt_error_last_message());
        domain_job_end_async(vm);
        return -1;
    }
    /* What QEMU writes from here on explains a load it gives up. */
    if (qemu_domain_private(vm)->log_path && stat(qemu_domain_private(vm)->log_path, &st) == 0)
        log_offset = st.st_size;
    rc = restore_load(vm, fd, image, path, log_offset, !!(flags & QV_DOMAIN_SAVE_BYPASS_CACHE));
    if (flags & QV_DOMAIN_SAVE_BYPASS_CACHE)
        (void)qvirt_fd_drop_cache_range(fd, (off_t)(image->stream_offset + image->stream_len));
    if (rc < 0)
        goto error;

    if (flags & QV_DOMAIN_SAVE_RUNNING)
        run = TRUE;
    else if (flags & QV_DOMAIN_SAVE_PAUSED)
        run = FALSE;
    else
        run = !!(image->flags & QEMU_SAVE_IMAGE_WAS_RUNNING);

    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_STARTED,
                               QV_DOMAIN_EVENT_STARTED_RESTORED);
    announced = TRUE;
    if (run) {
        /* Persist the state the guest is about to be in before acting. */
        domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_RESTORED);
        if (qemu_process_save_status(driver, vm) < 0)
            goto error;
        SAVE_MONITOR(vm, DOMAIN_ASYNC_JOB_START, rc, qemu_monitor_json_cont(mon));
        if (rc < 0)
            goto error;
    } else {
        domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
        if (qemu_process_save_status(driver, vm) < 0)
            goto error;
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_SUSPENDED,
                                   (flags & QV_DOMAIN_SAVE_PAUSED)
                                       ? QV_DOMAIN_EVENT_SUSPENDED_PAUSED
                                       : QV_DOMAIN_EVENT_SUSPENDED_RESTORED);
    }
    domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_COMPLETED, NULL);
    domain_job_end_async(vm);
    QVIRT_INFO("domain '%s': restored from '%s' (%s)", domain_obj_get_name(vm), path,
               run ? "running" : "paused");
    return 0;

error:
    saved = qvirt_error_save();
    if (domain_obj_is_active(vm))
        qemu_process_stop(driver, vm, DOMAIN_SHUTOFF_FAILED,
                          announced ? 0 : QEMU_PROCESS_STOP_NO_EVENT);
    domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_FAILED, saved ? saved->message : NULL);
    domain_job_end_async(vm);
    qvirt_error_restore(saved);
    return -1;
}

/* Open PATH and read its image. */
static int
restore_open(const char *path, int *ret_fd, QemuSaveImage **ret_image)
{
    g_autoptr(QemuSaveImage) image = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot open save image '%s'"), path);
        return -1;
    }
    if (qemu_save_image_read(fd, path, &image) < 0) {
        close(fd);
        return -1;
    }
    *ret_fd = fd;
    *ret_image = g_steal_pointer(&image);
    return 0;
}

/* Put back the persistent definition of VM (locked, inactive) after a
 * restore that did not start. */
static void
restore_revert_def(DomainObj *vm)
{
    if (domain_obj_is_active(vm) || !vm->new_def)
        return;
    domain_def_free(vm->def);
    vm->def = g_steal_pointer(&vm->new_def);
}

int
qemu_save_restore(QemuDriver *driver, const char *from, const char *dxml, unsigned int flags)
{
    g_autoptr(QemuSaveImage) image = NULL;
    g_autoptr(DomainDef) def = NULL;
    DomainObj *vm;
    int fd = -1;
    int rc;

    if (save_check_flags(flags, __func__) < 0 || save_check_path(from) < 0)
        return -1;
    /* Everything about the file is checked before anything changes. */
    if (restore_open(from, &fd, &image) < 0)
        return -1;
    if (!(def = restore_def(image, from, dxml)) ||
        !(vm = domain_obj_list_add(driver->domains, &def,
                                   DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE,
                                   NULL))) {
        qvirt_fd_close(&fd);
        return -1;
    }
    qemu_driver_prepare_domain(driver, vm);
    rc = restore_locked(driver, vm, fd, image, from, flags);
    qvirt_fd_close(&fd);
    if (rc < 0) {
        restore_revert_def(vm);
        qemu_driver_remove_inactive(driver, vm);
    }
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
    return rc;
}

/* ---- managed save ---- */

char *
qemu_save_managed_path(QemuDriver *driver, const char *name)
{
    g_autofree char *dir = qemu_driver_config_save_dir(driver->config);
    g_autofree char *file = g_strdup_printf("%s.save", name);

    return g_build_filename(dir, file, NULL);
}

int
qemu_save_managed_save(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    g_autofree char *path = NULL;
    int rc = -1;

    if (save_check_flags(flags, __func__) < 0 || qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (!vm->persistent) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("cannot do a managed save of transient domain '%s'"),
                           domain_obj_get_name(vm));
        goto unlock;
    }
    path = qemu_save_managed_path(driver, vm->def->name);
    rc = save_locked(driver, vm, path, NULL, flags);

unlock:
    domain_obj_unlock(vm);
    return rc;
}

int
qemu_save_has_managed_image(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    g_autofree char *path = NULL;

    if (!qv_driver_check_flags(flags, 0, __func__) || qemu_driver_lock_domain(vm) < 0)
        return -1;
    path = qemu_save_managed_path(driver, vm->def->name);
    domain_obj_unlock(vm);
    return qvirt_file_exists(path) ? 1 : 0;
}

int
qemu_save_managed_remove(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    g_autofree char *path = NULL;
    int rc;

    if (!qv_driver_check_flags(flags, 0, __func__) || qemu_driver_lock_domain(vm) < 0)
        return -1;
    /* Not while a start restores from it. */
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0) {
        domain_obj_unlock(vm);
        return -1;
    }
    path = qemu_save_managed_path(driver, vm->def->name);
    rc = qvirt_file_remove(path);
    if (rc == 0)
        QVIRT_INFO("domain '%s': managed save image removed", domain_obj_get_name(vm));
    domain_job_end(vm);
    domain_obj_unlock(vm);
    return rc;
}

int
qemu_save_managed_start(QemuDriver *driver, DomainObj *vm, unsigned int start_flags)
{
    g_autofree char *path = qemu_save_managed_path(driver, vm->def->name);
    g_autoptr(QemuSaveImage) image = NULL;
    g_autoptr(DomainDef) def = NULL;
    unsigned int flags = 0;
    int fd = -1;
    int rc;

    if (domain_obj_is_active(vm) || !qvirt_file_exists(path))
        return 0;
    if (start_flags & QV_DOMAIN_START_FORCE_BOOT) {
        QVIRT_INFO("domain '%s': booting afresh, discarding its managed save image",
                   domain_obj_get_name(vm));
        return qvirt_file_remove(path);
    }
    if (restore_open(path, &fd, &image) < 0 || !(def = restore_def(image, path, NULL)) ||
        !save_same_domain(def, vm->def)) {
        g_autofree char *why =
            g_strdup(def ? _("it holds another domain") : qvirt_error_last_message());

        qvirt_fd_close(&fd);
        qvirt_error_reset();
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("domain '%s' cannot start from its managed save image: %s; start "
                             "it with --force-boot to discard the image"),
                           domain_obj_get_name(vm), why);
        return -1;
    }
    /* The image's definition runs; the persistent one waits in new_def. */
    if (vm->persistent && !vm->new_def)
        vm->new_def = vm->def;
    else
        domain_def_free(vm->def);
    vm->def = g_steal_pointer(&def);
    if (start_flags & QV_DOMAIN_START_PAUSED)
        flags |= QV_DOMAIN_SAVE_PAUSED;
    if (start_flags & QV_DOMAIN_START_BYPASS_CACHE)
        flags |= QV_DOMAIN_SAVE_BYPASS_CACHE;
    rc = restore_locked(driver, vm, fd, image, path, flags);
    qvirt_fd_close(&fd);
    if (rc < 0) {
        restore_revert_def(vm);
        return -1;
    }
    if (qvirt_file_remove(path) < 0) {
        QVIRT_WARN("domain '%s': restored, but its managed save image stays: %s",
                   domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    return 1;
}

int
qemu_save_managed_undefine(QemuDriver *driver, DomainObj *vm, unsigned int undefine_flags)
{
    g_autofree char *path = qemu_save_managed_path(driver, vm->def->name);

    if (!qvirt_file_exists(path))
        return 0;
    if (!(undefine_flags & QV_DOMAIN_UNDEFINE_MANAGED_SAVE)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("refusing to undefine domain '%s' while it has a managed save "
                             "image: remove it first, or undefine with --managed-save"),
                           domain_obj_get_name(vm));
        return -1;
    }
    return qvirt_file_remove(path);
}

/* qemu_dump.c: virsh dump for the QEMU driver (the contract is in
 * qemu_dump.h): the async job DUMP, pausing and resuming the guest, the
 * memory-only dump through dump-guest-memory with its progress, the full
 * dump through QEMU's migration stream (qemu_save_migrate_to_fd()), the
 * crash and reset afterwards, and abort. The file itself is written by
 * qemu_dump_writer.c. */
#include <config.h>

#include <unistd.h>

#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_dump.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_save.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.dump");

#define JOB_DUMP DOMAIN_ASYNC_JOB_DUMP
/* How often query-dump is asked while nothing wakes the waiter. */
#define DUMP_POLL_MS 500
/* After a cancel, how long QEMU has to notice and end its dump. */
#define DUMP_CANCEL_TIMEOUT_MS (30 * 1000)
/* After QEMU reported the end, how long the copy may take to reach EOF. */
#define DUMP_FLUSH_TIMEOUT_MS (60 * 1000)
/* The name QEMU knows the pipe by (getfd). */
#define DUMP_FDNAME "qvirt-dump"

static const char *const dump_format_names[QV_DOMAIN_CORE_DUMP_FORMAT_LAST] = {
    [QV_DOMAIN_CORE_DUMP_FORMAT_RAW] = "elf",
    [QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB] = "kdump-zlib",
    [QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO] = "kdump-lzo",
    [QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY] = "kdump-snappy",
    [QV_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP] = "win-dmp",
};

const char *
qemu_dump_format_to_qmp(unsigned int dumpformat)
{
    if (dumpformat >= QV_DOMAIN_CORE_DUMP_FORMAT_LAST)
        return NULL;
    return dump_format_names[dumpformat];
}

/* Whether FLAGS has both A and B. */
static gboolean
dump_exclusive(unsigned int flags, unsigned int a, unsigned int b)
{
    return (flags & a) && (flags & b);
}

int
qemu_dump_check_args(const char *to, unsigned int dumpformat, unsigned int flags)
{
    if (!qv_driver_check_flags(flags, QV_DUMP_ALL, "qemu_dump_core"))
        return -1;
    if (dump_exclusive(flags, QV_DUMP_CRASH, QV_DUMP_LIVE)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("crash and live flags are mutually exclusive"));
        return -1;
    }
    if (dump_exclusive(flags, QV_DUMP_CRASH, QV_DUMP_RESET)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("crash and reset flags are mutually exclusive"));
        return -1;
    }
    if (dump_exclusive(flags, QV_DUMP_LIVE, QV_DUMP_RESET)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("live and reset flags are mutually exclusive"));
        return -1;
    }
    if (!qemu_dump_format_to_qmp(dumpformat)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("dump format %u is not supported"), dumpformat);
        return -1;
    }
    if (dumpformat != QV_DOMAIN_CORE_DUMP_FORMAT_RAW && !(flags & QV_DUMP_MEMORY_ONLY)) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("dump format '%s' needs a memory-only dump (--memory-only)"),
                           qemu_dump_format_to_qmp(dumpformat));
        return -1;
    }
    if (!to || !g_path_is_absolute(to)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("dump file path '%s' is not absolute"),
                           to ? to : "");
        return -1;
    }
    return 0;
}

/* ---- events ---- */

void
qemu_dump_handle_event(QemuDriver *driver, DomainObj *vm, const QemuMonitorEvent *event)
{
    DomainJobStats *stats;

    if (domain_job_get_async(vm->job) != JOB_DUMP) {
        QVIRT_DEBUG("domain '%s': %s outside a dump job", domain_obj_get_name(vm), event->name);
        return;
    }
    QVIRT_DEBUG("domain '%s': dump %s%s%s", domain_obj_get_name(vm),
                event->status ? event->status : "(no status)", event->reason ? ": " : "",
                event->reason ? event->reason : "");
    if ((stats = domain_job_current_stats(vm)) && event->reason)
        g_strlcpy(stats->error_message, event->reason, sizeof(stats->error_message));
    domain_job_signal_event(vm);
}

/* ---- monitor steps (VM locked, the job held) ---- */

/* Enter the monitor through the dump job: the monitor, or NULL with an
 * error. */
static QemuMonitor *
dump_enter(DomainObj *vm)
{
    return qemu_domain_obj_enter_monitor_async(vm, JOB_DUMP);
}

/* Leave it; -1 with an error when the domain stopped meanwhile. */
static int
dump_exit(DomainObj *vm, int rc)
{
    qemu_domain_obj_exit_monitor(vm);
    if (rc >= 0 && !domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("domain '%s' stopped during its dump"),
                           domain_obj_get_name(vm));
        return -1;
    }
    return rc;
}

static int
dump_simple(DomainObj *vm, int (*cmd)(QemuMonitor *mon))
{
    QemuMonitor *mon = dump_enter(vm);

    if (!mon)
        return -1;
    return dump_exit(vm, cmd(mon));
}

/* query-dump-guest-memory-capability: the formats QEMU offers (new
 * strv). */
static int
dump_query_formats(QemuMonitor *mon, char ***ret_formats)
{
    g_autoptr(QvirtJson) cmd =
        qemu_monitor_json_make_command("query-dump-guest-memory-capability", NULL);
    g_autoptr(QvirtJson) reply = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    QvirtJson *data = NULL;
    QvirtJson *formats = NULL;
    size_t n;

    if (!cmd || qemu_monitor_json_command(mon, cmd, &reply) < 0 ||
        qemu_monitor_json_check_reply(mon, "query-dump-guest-memory-capability", reply,
                                      json_type_object) < 0)
        return -1;
    json_object_object_get_ex(reply, "return", &data);
    if (qvirt_json_get_array(data, "formats", &formats) != 0) {
        qvirt_report_internal(_("QEMU command '%s' returned no '%s' array"),
                              "query-dump-guest-memory-capability", "formats");
        return -1;
    }
    n = json_object_array_length(formats);
    for (size_t i = 0; i < n; i++) {
        QvirtJson *item = json_object_array_get_idx(formats, i);

        if (!json_object_is_type(item, json_type_string)) {
            qvirt_report_internal(_("QEMU command '%s' returned a format that is not a string"),
                                  "query-dump-guest-memory-capability");
            return -1;
        }
        g_ptr_array_add(names, g_strdup(json_object_get_string(item)));
    }
    g_ptr_array_add(names, NULL);
    *ret_formats = (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
    return 0;
}

/* Refuse FORMAT (QMP name) when the QEMU of VM does not offer it. */
static int
dump_check_format(DomainObj *vm, const char *format)
{
    g_auto(GStrv) formats = NULL;
    g_autofree char *offered = NULL;
    QemuMonitor *mon = dump_enter(vm);

    if (!mon || dump_exit(vm, dump_query_formats(mon, &formats)) < 0)
        return -1;
    if (g_strv_contains((const char *const *)formats, format))
        return 0;
    offered = g_strjoinv(", ", formats);
    qvirt_report_error(QVIRT_ERR_OPERATION_UNSUPPORTED,
                       _("the QEMU of domain '%s' cannot write dump format '%s' (it offers: %s)"),
                       domain_obj_get_name(vm), format, offered[0] ? offered : _("none"));
    return -1;
}

/* ---- the guest's run state ---- */

/* Pause the running guest for the dump, recorded as paused by the job so
 * that restart recovery resumes it. */
static int
dump_pause(QemuDriver *driver, DomainObj *vm)
{
    if (vm->state != DOMAIN_STATE_RUNNING)
        return 0;
    /* Persist first: a daemon that dies right after the stop still knows. */
    qemu_domain_job_private(vm)->paused_by_job = TRUE;
    if (qemu_process_save_status(driver, vm) < 0 || dump_simple(vm, qemu_monitor_json_stop) < 0) {
        qemu_domain_job_private(vm)->paused_by_job = FALSE;
        return -1;
    }
    qemu_driver_set_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_DUMP,
                          QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_PAUSED);
    if (qemu_process_save_status(driver, vm) < 0) {
        QVIRT_WARN("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    return 0;
}

/* Run the guest again (it ran before the dump). The pending error stays. */
static void
dump_resume(QemuDriver *driver, DomainObj *vm)
{
    QvirtError *saved;

    if (!domain_obj_is_active(vm))
        return;
    saved = qvirt_error_save();
    if (dump_simple(vm, qemu_monitor_json_cont) < 0) {
        QVIRT_ERROR("domain '%s': cannot resume the guest after its dump: %s",
                    domain_obj_get_name(vm), qvirt_error_last_message());
    } else {
        qemu_domain_job_private(vm)->paused_by_job = FALSE;
        qemu_driver_set_state(driver, vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED,
                              QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_UNPAUSED);
        if (qemu_process_save_status(driver, vm) < 0) {
            QVIRT_WARN("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
            qvirt_error_reset();
        }
    }
    qvirt_error_restore(saved);
}

/* ---- the memory-only dump ---- */

static void
dump_progress(DomainObj *vm, const QemuMonitorDumpStats *ds)
{
    DomainJobStats *stats = domain_job_current_stats(vm);

    if (!stats)
        return;
    stats->status = DOMAIN_JOB_STATUS_MIGRATING;
    stats->mem_total = stats->data_total = ds->total;
    stats->mem_processed = stats->data_processed = ds->completed;
    stats->mem_remaining = stats->data_remaining =
        ds->total > ds->completed ? ds->total - ds->completed : 0;
}

/* Hand the pipe to QEMU and start dump-guest-memory in FORMAT. */
static int
dump_memory_start(DomainObj *vm, QemuDumpWriter *writer, const char *format)
{
    QemuMonitor *mon = dump_enter(vm);
    int rc;

    if (!mon)
        return -1;
    rc = qemu_monitor_json_send_fd(mon, DUMP_FDNAME, qemu_dump_writer_input_fd(writer));
    if (rc == 0) {
        /* QEMU's fd:NAME protocol wants the ELF default left out. */
        rc = qemu_monitor_json_dump_guest_memory(mon, "fd:" DUMP_FDNAME,
                                                 g_str_equal(format, "elf") ? NULL : format, false);
        if (rc < 0) {
            /* QEMU took the descriptor only if the dump started. */
            QvirtError *saved = qvirt_error_save();

            (void)qemu_monitor_json_close_fd(mon, DUMP_FDNAME);
            qvirt_error_restore(saved);
        }
    }
    /* QEMU has its own copy now (or none): ours would hide QEMU's EOF. */
    qemu_dump_writer_close_input(writer);
    return dump_exit(vm, rc);
}

/* Wait (VM locked) until QEMU's dump ends, with progress; an abort request
 * or a stall cancels it through the writer. 0 when QEMU completed. */
static int
dump_memory_wait(DomainObj *vm, QemuDumpWriter *writer)
{
    gint64 stall_deadline = qvirt_deadline_after_ms(QEMU_DUMP_STALL_TIMEOUT_MS);
    gint64 cancel_deadline = 0;
    guint64 last_completed = 0;
    guint64 last_bytes = 0;
    int cancelled = 0; /* 0, or the QvirtErrorCode of why we cancelled */

    while (TRUE) {
        QemuMonitorDumpStats ds = {0};
        QemuMonitor *mon = dump_enter(vm);
        g_autofree char *status = NULL;
        guint64 bytes;
        gint64 wake;

        if (!mon)
            break;
        if (dump_exit(vm, qemu_monitor_json_query_dump(mon, &ds)) < 0) {
            qemu_monitor_dump_stats_clear(&ds);
            break;
        }
        status = g_steal_pointer(&ds.status);
        dump_progress(vm, &ds);
        if (g_str_equal(status, "completed") && !cancelled)
            return 0;
        if (!g_str_equal(status, "active")) {
            DomainJobStats *stats = domain_job_current_stats(vm);

            if (cancelled == QVIRT_ERR_OPERATION_ABORTED)
                qvirt_report_error(QVIRT_ERR_OPERATION_ABORTED,
                                   _("the dump of domain '%s' was aborted"),
                                   domain_obj_get_name(vm));
            else if (cancelled)
                qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                                   _("the dump of domain '%s' made no progress for %d s"),
                                   domain_obj_get_name(vm), QEMU_DUMP_STALL_TIMEOUT_MS / 1000);
            else
                qvirt_report_error(
                    QVIRT_ERR_OPERATION_FAILED,
                    _("QEMU could not dump the memory of domain '%s': %s"), domain_obj_get_name(vm),
                    stats && stats->error_message[0] ? stats->error_message : status);
            return -1;
        }
        bytes = qemu_dump_writer_get_bytes(writer);
        if (cancelled) {
            if (qvirt_deadline_expired(cancel_deadline)) {
                qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                                   _("the dump of domain '%s' is still active %d s after it was "
                                     "cancelled"),
                                   domain_obj_get_name(vm), DUMP_CANCEL_TIMEOUT_MS / 1000);
                return -1;
            }
        } else if (domain_job_abort_requested(vm->job) || qvirt_deadline_expired(stall_deadline)) {
            cancelled = domain_job_abort_requested(vm->job) ? QVIRT_ERR_OPERATION_ABORTED
                                                            : QVIRT_ERR_OPERATION_TIMEOUT;
            QVIRT_INFO("domain '%s': cancelling its dump (%s)", domain_obj_get_name(vm),
                       cancelled == QVIRT_ERR_OPERATION_ABORTED ? "abort requested"
                                                                : "no progress");
            qemu_dump_writer_cancel(writer);
            cancel_deadline = qvirt_deadline_after_ms(DUMP_CANCEL_TIMEOUT_MS);
        } else if (ds.completed != last_completed || bytes != last_bytes) {
            last_completed = ds.completed;
            last_bytes = bytes;
            stall_deadline = qvirt_deadline_after_ms(QEMU_DUMP_STALL_TIMEOUT_MS);
        }
        /* Woken by DUMP_COMPLETED or an abort request; the poll follows the
         * progress. */
        wake = qvirt_deadline_after_ms(DUMP_POLL_MS);
        if (domain_job_wait_event(vm, MIN(wake, cancelled ? cancel_deadline : stall_deadline)) < 0)
            break;
    }
    /* The monitor or the domain is gone: make sure QEMU stops writing. */
    qemu_dump_writer_cancel(writer);
    return -1;
}

static int
dump_memory(DomainObj *vm, QemuDumpWriter *writer, const char *format)
{
    if (dump_memory_start(vm, writer, format) < 0)
        return -1;
    return dump_memory_wait(vm, writer);
}

/* ---- the full dump (QEMU's migration stream) ---- */

static int
dump_stream(QemuDriver *driver, DomainObj *vm, QemuDumpWriter *writer)
{
    int rc = qemu_save_migrate_to_fd(driver, vm, JOB_DUMP, qemu_dump_writer_input_fd(writer));

    /* QEMU has its own copy once `migrate` ran; ours would hide its EOF. */
    qemu_dump_writer_close_input(writer);
    if (rc < 0)
        qemu_dump_writer_cancel(writer);
    return rc;
}

/* ---- the job ---- */

/* Wait for the copy to end and give the file its name (VM locked on entry
 * and on return; unlocked meanwhile). */
static int
dump_publish(DomainObj *vm, QemuDumpWriter *writer)
{
    int rc;

    domain_obj_unlock(vm);
    rc = qemu_dump_writer_finish(writer, qvirt_deadline_after_ms(DUMP_FLUSH_TIMEOUT_MS));
    if (rc == 0)
        rc = qemu_dump_writer_commit(writer);
    domain_obj_lock(vm);
    return rc;
}

/* After a successful --crash dump: shut the domain off, reason crashed. */
static void
dump_crash(QemuDriver *driver, DomainObj *vm)
{
    if (!domain_obj_is_active(vm))
        return;
    qemu_domain_private(vm)->stop_reason = DOMAIN_SHUTOFF_CRASHED;
    qemu_process_stop(driver, vm, DOMAIN_SHUTOFF_CRASHED, QEMU_PROCESS_STOP_NO_EVENT);
    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_STOPPED,
                               QV_DOMAIN_EVENT_STOPPED_CRASHED);
}

static int
dump_run(QemuDriver *driver, DomainObj *vm, const char *to, unsigned int dumpformat,
         unsigned int flags)
{
    const char *format = qemu_dump_format_to_qmp(dumpformat);
    gboolean was_running = vm->state == DOMAIN_STATE_RUNNING;
    g_autoptr(QemuDumpWriter) writer = NULL;
    guint64 max_bps = 0;
    int ret = -1;

    if ((flags & QV_DUMP_MEMORY_ONLY) && dump_check_format(vm, format) < 0)
        return -1;
    /* save_max_bandwidth limits QEMU itself for the stream (qemu_save.c),
     * and the copy of a memory-only dump here. */
    if (flags & QV_DUMP_MEMORY_ONLY)
        max_bps = (guint64)driver->config->save_max_bandwidth << 20;
    if (!(writer = qemu_dump_writer_new(to, !!(flags & QV_DUMP_BYPASS_CACHE), max_bps)))
        return -1;
    if (qemu_dump_writer_get_temp_path(writer)) {
        /* A named file: a restart must know it to remove it. */
        qemu_domain_job_private(vm)->partial_file =
            g_strdup(qemu_dump_writer_get_temp_path(writer));
        if (qemu_process_save_status(driver, vm) < 0)
            goto cleanup;
    }
    if (!(flags & QV_DUMP_LIVE) && dump_pause(driver, vm) < 0)
        goto cleanup;
    QVIRT_INFO("domain '%s': dumping %s to '%s' (%s)", domain_obj_get_name(vm),
               (flags & QV_DUMP_MEMORY_ONLY) ? "its memory" : "its state", to,
               (flags & QV_DUMP_MEMORY_ONLY) ? format : "migration stream");
    if (flags & QV_DUMP_MEMORY_ONLY)
        ret = dump_memory(vm, writer, format);
    else
        ret = dump_stream(driver, vm, writer);
    if (ret == 0)
        ret = dump_publish(vm, writer);
    if (ret == 0 && !domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("domain '%s' stopped during its dump"),
                           domain_obj_get_name(vm));
        ret = -1;
    }
    if (ret == 0)
        QVIRT_INFO("domain '%s': dump written to '%s'", domain_obj_get_name(vm), to);

cleanup:
    /* Without the domain's lock: the copy thread may still be writing. */
    domain_obj_unlock(vm);
    g_clear_pointer(&writer, qemu_dump_writer_free);
    domain_obj_lock(vm);
    g_clear_pointer(&qemu_domain_job_private(vm)->partial_file, g_free);
    if (ret == 0 && (flags & QV_DUMP_CRASH)) {
        dump_crash(driver, vm);
        return 0;
    }
    if (ret == 0 && (flags & QV_DUMP_RESET) && domain_obj_is_active(vm) &&
        dump_simple(vm, qemu_monitor_json_system_reset) < 0)
        ret = -1;
    if (was_running && domain_obj_is_active(vm) && vm->state == DOMAIN_STATE_PAUSED)
        dump_resume(driver, vm);
    return ret;
}

/* Record the outcome in the completed statistics and end the job. */
static void
dump_end_job(DomainObj *vm, int ret)
{
    const QvirtError *err = qvirt_error_get_last();
    DomainJobStatus status = DOMAIN_JOB_STATUS_COMPLETED;

    if (ret < 0)
        status = err && err->code == QVIRT_ERR_OPERATION_ABORTED ? DOMAIN_JOB_STATUS_CANCELED
                                                                 : DOMAIN_JOB_STATUS_FAILED;
    domain_job_complete_stats(vm, status, ret < 0 && err ? err->message : NULL);
    domain_job_end_async(vm);
}

int
qemu_dump_core(QemuDriver *driver, DomainObj *vm, const char *to, unsigned int dumpformat,
               unsigned int flags)
{
    int ret = -1;

    if (qemu_dump_check_args(to, dumpformat, flags) < 0)
        return -1;
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_driver_check_active(vm) < 0 ||
        domain_job_begin_async(vm, JOB_DUMP, DOMAIN_JOB_OPERATION_DUMP, flags) < 0)
        goto unlock;
    ret = dump_run(driver, vm, to, dumpformat, flags);
    /* A transient domain that --crash stopped leaves the list before its
     * job ends. */
    qemu_driver_remove_inactive(driver, vm);
    dump_end_job(vm, ret);

unlock:
    domain_obj_unlock(vm);
    return ret;
}

/* qemu_process.c: starting, stopping and watching the QEMU process of a
 * domain, and the process handle and private data the other
 * qemu_process*.c files share (the contract is in qemu_process.h; monitor
 * events and queued work are in qemu_process_events.c, reconnecting in
 * qemu_process_reconnect.c).
 *
 * Threads: API threads and the driver's workers run start, stop and the
 * queued work, always holding a job; the event-loop thread only runs the
 * monitor callbacks and the exit watch, which update the domain under its
 * mutex and queue work. Every pass through the domain's mutex re-checks
 * `run`, which changes at each start, reconnect and stop, so work meant for
 * an earlier QEMU is dropped. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "qemu/qemu_alias.h"
#include "qemu/qemu_blockjob.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_interface.h"
#include "qemu/qemu_migration_params.h"
#include "qemu/qemu_migration_port.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process_priv.h"
#include "util/crashpoint.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.process");

/* How long a start that failed at the monitor waits for QEMU to finish
 * exiting, to quote its log rather than the monitor's EOF. */
#define QEMU_PROCESS_EXIT_SETTLE_MS 2000
/* The most of QEMU's log a start error quotes. */
#define QEMU_PROCESS_LOG_TAIL_MAX 1024

/* ---- the process handle ---- */

QemuProcessHandle *
qemu_process_handle_new(QvirtProcess *proc)
{
    QemuProcessHandle *h = g_new0(QemuProcessHandle, 1);

    h->refs = 1;
    g_mutex_init(&h->lock);
    h->proc = proc;
    h->pidfd = qvirt_process_pidfd(proc);
    return h;
}

QemuProcessHandle *
qemu_process_handle_ref(QemuProcessHandle *h)
{
    g_atomic_int_inc(&h->refs);
    return h;
}

void
qemu_process_handle_unref(QemuProcessHandle *h)
{
    if (!h || !g_atomic_int_dec_and_test(&h->refs))
        return;
    qvirt_process_free(h->proc);
    g_mutex_clear(&h->lock);
    g_free(h);
}

/* Whether the process still runs, without waiting for anyone: the pidfd
 * is polled (a zombie counts as gone). */
gboolean
qemu_process_handle_is_alive(QemuProcessHandle *h)
{
    gboolean alive;

    if (g_atomic_int_get(&h->exited))
        return FALSE;
    if (h->pidfd >= 0) {
        GPollFD pfd = {.fd = h->pidfd, .events = G_IO_IN};

        if (g_poll(&pfd, 1, 0) == 0)
            return TRUE;
        g_atomic_int_set(&h->exited, 1);
        return FALSE;
    }
    g_mutex_lock(&h->lock);
    alive = qvirt_process_is_alive(h->proc);
    g_mutex_unlock(&h->lock);
    if (!alive)
        g_atomic_int_set(&h->exited, 1);
    return alive;
}

/* See qemu_process_kill(). */
static int
handle_kill(QemuProcessHandle *h, gint64 grace_ms, gboolean graceful)
{
    int rc = 0;

    g_mutex_lock(&h->lock);
    if (!graceful) {
        rc = qvirt_process_kill_graceful(h->proc, grace_ms);
    } else if (qvirt_process_is_alive(h->proc)) {
        pid_t pid = qvirt_process_pid(h->proc);

#ifdef SYS_pidfd_send_signal
        if (h->pidfd >= 0)
            rc = syscall(SYS_pidfd_send_signal, h->pidfd, SIGTERM, NULL, 0);
        else
#endif
            rc = kill(pid, SIGTERM);
        if (rc < 0 && errno != ESRCH)
            qvirt_report_system_error(errno, _("cannot send SIGTERM to QEMU process %d"), (int)pid);
        else
            rc = qvirt_process_wait_exit(h->proc, grace_ms, NULL);
    }
    if (rc == 0)
        g_atomic_int_set(&h->exited, 1);
    g_mutex_unlock(&h->lock);
    return rc;
}

/* Reap the exited process; a description of how it ended (new string). */
static char *
handle_reap(QemuProcessHandle *h)
{
    int status = -1;

    g_mutex_lock(&h->lock);
    if (qvirt_process_wait_exit(h->proc, 0, &status) < 0) {
        QVIRT_WARN("QEMU process %d: %s", (int)qvirt_process_pid(h->proc),
                   qvirt_error_last_message());
        qvirt_error_reset();
        status = -1;
    }
    g_mutex_unlock(&h->lock);
    return qvirt_process_status_to_string(status);
}

/* ---- private data ---- */

QemuDomainPrivate *
qemu_domain_private(DomainObj *vm)
{
    return vm->private_data;
}

static void
qemu_domain_private_free(gpointer data)
{
    QemuDomainPrivate *priv = data;

    if (!priv)
        return;
    g_queue_clear_full(&priv->work, g_free);
    g_mutex_clear(&priv->work_lock);
    qemu_process_handle_unref(priv->proc);
    qemu_caps_unref(priv->caps);
    g_free(priv->monitor_path);
    g_free(priv->hmp_path);
    g_free(priv->log_path);
    g_free(priv->lib_dir);
    qemu_blockjobs_free(priv->block_jobs);
    g_clear_pointer(&priv->taps, g_hash_table_unref);
    /* Closes the monitors and frees the whole block (base is first). */
    qemu_domain_obj_private_free(&priv->base);
}

void
qemu_domain_private_init(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv;

    g_return_if_fail(vm->private_data == NULL);
    priv = g_new0(QemuDomainPrivate, 1);
    priv->driver = driver;
    priv->stop_reason = -1;
    g_mutex_init(&priv->work_lock);
    g_queue_init(&priv->work);
    vm->private_data = priv;
    vm->private_data_free = qemu_domain_private_free;
}

/* ---- status ---- */

int
qemu_process_save_status(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    DomainStatusExtra extra = {0};

    if (!priv || !domain_obj_is_active(vm))
        return 0;
    if (!priv->proc || !qemu_process_handle_is_alive(priv->proc)) {
        QVIRT_DEBUG("domain '%s': no status written, its QEMU is not running",
                    domain_obj_get_name(vm));
        return 0;
    }
    extra.monitor_path = priv->monitor_path;
    extra.block_jobs = qemu_blockjob_records(vm);
    return domain_status_save(vm, driver->config->state_dir, &extra, &driver->status_hooks);
}

/* ---- events ---- */

static int
stopped_detail(int reason)
{
    switch ((DomainShutoffReason)reason) {
    case DOMAIN_SHUTOFF_SHUTDOWN:
        return QV_DOMAIN_EVENT_STOPPED_SHUTDOWN;
    case DOMAIN_SHUTOFF_DESTROYED:
        return QV_DOMAIN_EVENT_STOPPED_DESTROYED;
    case DOMAIN_SHUTOFF_MIGRATED:
        return QV_DOMAIN_EVENT_STOPPED_MIGRATED;
    case DOMAIN_SHUTOFF_SAVED:
        return QV_DOMAIN_EVENT_STOPPED_SAVED;
    case DOMAIN_SHUTOFF_FROM_SNAPSHOT:
        return QV_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT;
    case DOMAIN_SHUTOFF_CRASHED: /* libvirt reports an unexpected exit as failed */
    case DOMAIN_SHUTOFF_FAILED:
    case DOMAIN_SHUTOFF_UNKNOWN:
    case DOMAIN_SHUTOFF_DAEMON:
    case DOMAIN_SHUTOFF_LAST:
        break;
    }
    return QV_DOMAIN_EVENT_STOPPED_FAILED;
}

/* ---- the exit watch ---- */

typedef struct {
    DomainObj *vm;
    QemuProcessHandle *h;
    guint run;
} QemuExitWatch;

static gboolean
exit_watch_ready(int fd, GIOCondition revents, gpointer opaque)
{
    QemuExitWatch *w = opaque;

    g_atomic_int_set(&w->h->exited, 1);
    qemu_process_queue_work_run(w->vm, QEMU_WORK_EXITED, w->run);
    return FALSE;
}

static void
exit_watch_free(gpointer opaque)
{
    QemuExitWatch *w = opaque;

    qemu_process_handle_unref(w->h);
    domain_obj_unref(w->vm);
    g_free(w);
}

/* Watch the exit of VM's (locked) process. */
void
qemu_process_watch_exit(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuExitWatch *w;

    if (priv->proc->pidfd < 0) {
        QVIRT_DEBUG("no pidfd for QEMU of domain '%s': its monitor's EOF tells its exit",
                    domain_obj_get_name(vm));
        return;
    }
    w = g_new0(QemuExitWatch, 1);
    w->vm = domain_obj_ref(vm);
    w->h = qemu_process_handle_ref(priv->proc);
    w->run = priv->run;
    priv->exit_watch = qvirt_event_loop_add_fd_watch(driver->loop, priv->proc->pidfd, G_IO_IN,
                                                     exit_watch_ready, w, exit_watch_free);
    if (!priv->exit_watch) {
        QVIRT_ERROR("domain '%s': cannot watch its QEMU: %s", domain_obj_get_name(vm),
                    qvirt_error_last_message());
        qvirt_error_reset();
        exit_watch_free(w);
    }
}

static void
process_unwatch_exit(QemuDriver *driver, QemuDomainPrivate *priv)
{
    guint id = priv->exit_watch;

    priv->exit_watch = 0;
    /* Never on the loop thread: stop and detach run on API and worker threads. */
    g_assert(!qvirt_event_loop_is_current(driver->loop));
    if (id)
        qvirt_event_loop_remove(driver->loop, id);
}

/* ---- the domain log ---- */

static void
log_append_line(const char *path, const char *line)
{
    int fd;

    if (!path)
        return;
    fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return;
    if (qvirt_fd_write_all(fd, line, strlen(line)) < 0)
        QVIRT_WARN("cannot write to '%s': %s", path, g_strerror(errno));
    close(fd);
}

static char *
log_timestamp(void)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();

    return g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f%z");
}

/* The last lines QEMU wrote to LOG_PATH after OFFSET, as one line. */
static char *
log_tail(const char *log_path, off_t offset)
{
    g_autofree char *data = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GString) tail = g_string_new(NULL);
    gsize len = 0;
    const char *start;

    if (!g_file_get_contents(log_path, &data, &len, NULL) || (gsize)offset >= len)
        return NULL;
    start = data + offset;
    if (len - offset > QEMU_PROCESS_LOG_TAIL_MAX)
        start = data + len - QEMU_PROCESS_LOG_TAIL_MAX;
    lines = g_strsplit(start, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_strstrip(lines[i]);
        /* Our own header and notes start with the timestamp and "qvirt:". */
        if (!*lines[i] || strstr(lines[i], "qvirt: "))
            continue;
        if (tail->len)
            g_string_append(tail, "; ");
        g_string_append(tail, lines[i]);
    }
    return tail->len ? g_strdup(tail->str) : NULL;
}

char *
qemu_process_log_tail(const char *log_path, off_t offset)
{
    return log_path ? log_tail(log_path, offset) : NULL;
}

/* ---- start ---- */

/* Fill the live pty paths from query-chardev (MON entered). */
static int
process_query_ptys(QemuMonitor *mon, GHashTable **ret_ptys)
{
    g_autoptr(QvirtJson) cmd = qemu_monitor_json_make_command("query-chardev", NULL);
    g_autoptr(QvirtJson) reply = NULL;
    g_autoptr(GHashTable) ptys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    QvirtJson *array;

    if (!cmd || qemu_monitor_json_command(mon, cmd, &reply) < 0 ||
        qemu_monitor_json_check_reply(mon, "query-chardev", reply, json_type_array) < 0)
        return -1;
    array = json_object_object_get(reply, "return");
    for (size_t i = 0; i < json_object_array_length(array); i++) {
        QvirtJson *entry = json_object_array_get_idx(array, i);
        const char *label = NULL;
        const char *filename = NULL;

        if (qvirt_json_get_string(entry, "label", &label) < 0 ||
            qvirt_json_get_string(entry, "filename", &filename) < 0)
            continue;
        if (g_str_has_prefix(filename, "pty:"))
            g_hash_table_insert(ptys, g_strdup(label), g_strdup(filename + 4));
    }
    *ret_ptys = g_steal_pointer(&ptys);
    return 0;
}

static gboolean
def_has_pty(const DomainDef *def)
{
    for (size_t i = 0; i < def->nserials; i++) {
        if (def->serials[i]->source.type == DOMAIN_CHR_TYPE_PTY)
            return TRUE;
    }
    for (size_t i = 0; i < def->nconsoles; i++) {
        if (def->consoles[i]->source.type == DOMAIN_CHR_TYPE_PTY)
            return TRUE;
    }
    return FALSE;
}

static void
chr_apply_pty(DomainChrDef *chr, GHashTable *ptys)
{
    g_autofree char *label = NULL;
    const char *path;

    if (chr->source.type != DOMAIN_CHR_TYPE_PTY || !chr->info.alias)
        return;
    label = qemu_alias_prefixed("char", &chr->info);
    if ((path = g_hash_table_lookup(ptys, label))) {
        g_free(chr->source.path);
        chr->source.path = g_strdup(path);
    }
}

static void
def_apply_ptys(DomainDef *def, GHashTable *ptys)
{
    for (size_t i = 0; i < def->nserials; i++)
        chr_apply_pty(def->serials[i], ptys);
    for (size_t i = 0; i < def->nconsoles; i++)
        chr_apply_pty(def->consoles[i], ptys);
}

/* Undo what a start that never spawned QEMU did (VM locked): back to the
 * persistent definition, if there is one. */
static void
start_revert(DomainObj *vm)
{
    if (vm->def)
        vm->def->id = -1;
    domain_obj_set_state(vm, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_FAILED);
    if (vm->new_def) {
        domain_def_free(vm->def);
        vm->def = g_steal_pointer(&vm->new_def);
    }
}

/* After a failure with QEMU spawned: if QEMU gave up by itself, replace the
 * error with what it wrote to its log. WAIT: give it time to finish exiting
 * (the failure was the monitor's). */
static void
start_explain_failure(DomainObj *vm, QemuDomainPrivate *priv, off_t log_offset, gboolean wait)
{
    QemuProcessHandle *h = priv->proc ? qemu_process_handle_ref(priv->proc) : NULL;
    g_autofree char *tail = NULL;
    gboolean alive;

    if (!h)
        return;
    alive = qemu_process_handle_is_alive(h);
    if (alive && wait && h->pidfd >= 0) {
        GPollFD pfd = {.fd = h->pidfd, .events = G_IO_IN};

        domain_obj_unlock(vm);
        alive = g_poll(&pfd, 1, QEMU_PROCESS_EXIT_SETTLE_MS) == 0;
        domain_obj_lock(vm);
    }
    qemu_process_handle_unref(h);
    if (alive)
        return;
    tail = log_tail(priv->log_path, log_offset);
    qvirt_error_reset();
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                       _("QEMU of domain '%s' exited while starting: %s"), domain_obj_get_name(vm),
                       tail ? tail : _("it wrote nothing to its log"));
}

static int
start_open_log(const QemuDriverConfig *cfg, const char *path, off_t *ret_offset)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_APPEND;
    int fd;

    if (!cfg->log_append)
        flags |= O_TRUNC;
    fd = open(path, flags, 0600);
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot open QEMU log '%s'"), path);
        return -1;
    }
    *ret_offset = lseek(fd, 0, SEEK_END);
    if (*ret_offset < 0)
        *ret_offset = 0;
    return fd;
}

static void
start_write_header(const QemuDriverConfig *cfg, int log_fd, const char *name, QvirtCommand *cmd)
{
    g_autofree char *cmdline = qvirt_command_to_string(cmd);
    g_autoptr(GString) text = g_string_new(NULL);

    if (cfg->log_timestamp) {
        g_autofree char *stamp = log_timestamp();

        g_string_append_printf(text, "%s: qvirt: starting domain '%s' (qvirt %s)\n", stamp, name,
                               PACKAGE_VERSION);
    }
    g_string_append_printf(text, "%s\n", cmdline);
    if (qvirt_fd_write_all(log_fd, text->str, text->len) < 0)
        QVIRT_WARN("domain '%s': cannot write to its log: %s", name, g_strerror(errno));
}

static void
close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Prepare the paths of this run in PRIV and the folders they live in. */
static int
start_prepare_paths(const QemuDriverConfig *cfg, QemuDomainPrivate *priv, const char *name)
{
    g_free(priv->lib_dir);
    priv->lib_dir = qemu_driver_config_domain_lib_dir(cfg, name);
    g_free(priv->log_path);
    priv->log_path = qemu_driver_config_domain_log(cfg, name);
    g_free(priv->monitor_path);
    priv->monitor_path = qemu_driver_config_monitor_path(cfg, name);
    g_clear_pointer(&priv->hmp_path, g_free);
    if (cfg->hmp_monitor)
        priv->hmp_path = qemu_driver_config_hmp_path(cfg, name);

    if (qvirt_dir_make_parents(priv->lib_dir, 0700) < 0 ||
        qvirt_dir_make_parents(cfg->log_dir, cfg->privileged ? 0755 : 0700) < 0 ||
        qvirt_dir_make_parents(cfg->state_dir, 0700) < 0)
        return -1;
    return 0;
}

/* Spawn QEMU for VM (locked) with CAPS (INCOMING: waiting for an incoming
 * migration). On success the domain has its id, pid, exit watch and state
 * paused/starting-up. */
static int
start_spawn(QemuDriver *driver, DomainObj *vm, QemuCaps *caps, gboolean incoming,
            off_t *ret_log_offset)
{
    QemuDriverConfig *cfg = driver->config;
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    g_autoptr(QemuCommandLine) cl = NULL;
    g_autoptr(QvirtCommand) cmd = NULL;
    g_autoptr(QemuInterfaceTaps) taps = NULL;
    QvirtProcess *proc = NULL;
    QemuCommandContext ctx = {0};
    int mon_fd = -1;
    int hmp_fd = -1;
    int log_fd = -1;
    int ret = -1;

    if ((log_fd = start_open_log(cfg, priv->log_path, ret_log_offset)) < 0 ||
        (mon_fd = qemu_monitor_listen_socket(priv->monitor_path)) < 0)
        goto cleanup;
    if (priv->hmp_path && (hmp_fd = qemu_monitor_listen_socket(priv->hmp_path)) < 0)
        goto cleanup;
    /* The taps exist before QEMU, also before an incoming migration. */
    if (!(taps = qemu_interface_prepare(cfg, vm->def)))
        goto cleanup;

    ctx.emulator = cfg->emulator;
    ctx.lib_dir = priv->lib_dir;
    ctx.monitor_fd = mon_fd;
    ctx.hmp_fd = hmp_fd;
    ctx.kvm_usable = qemu_command_kvm_usable(caps);
    ctx.tap_fds = qemu_interface_taps_fds(taps, &ctx.ntap_fds);
    ctx.vnc_listen = cfg->vnc_listen;
    ctx.sandbox = cfg->seccomp_sandbox;
    ctx.incoming = incoming ? "defer" : NULL;
    if (!(cl = qemu_command_build(vm->def, caps, &ctx)))
        goto cleanup;
    cmd = qemu_command_line_to_command(cl);
    qvirt_command_set_stdout_fd(cmd, log_fd);
    qvirt_command_set_stderr_fd(cmd, log_fd);
    qvirt_command_set_new_session(cmd, TRUE);
    qvirt_command_set_working_dir(cmd, priv->lib_dir);
    start_write_header(cfg, log_fd, vm->def->name, cmd);

    vm->def->id = domain_obj_list_next_id(driver->domains);
    domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_STARTING_UP);
    priv->run++;
    priv->got_shutdown = FALSE;
    priv->shutdown_is_reset = FALSE;
    priv->stop_reason = -1;
    if (qvirt_command_spawn(cmd, &proc) < 0) {
        vm->def->id = -1;
        goto cleanup;
    }
    priv->proc = qemu_process_handle_new(proc);
    g_clear_pointer(&priv->taps, g_hash_table_unref);
    priv->taps = qemu_interface_taps_commit(taps);
    vm->pid = qvirt_process_pid(proc);
    vm->pid_start_time = qvirt_process_start_time(proc);
    QVIRT_INFO("domain '%s': QEMU started, pid %d", vm->def->name, (int)vm->pid);
    qemu_process_watch_exit(driver, vm);
    ret = 0;

cleanup:
    close_fd(&log_fd);
    close_fd(&mon_fd);
    close_fd(&hmp_fd);
    return ret;
}

/* Lift QEMU's 128 MiB/s default cap on migration bandwidth, as libvirt
 * does: a migration or save without --bandwidth runs unthrottled, and
 * migrate-setspeed sets a lasting limit. */
static int
start_lift_migration_cap(QemuMonitor *mon)
{
    g_autoptr(QvirtJson) params = json_object_new_object();

    json_object_object_add(params, "max-bandwidth",
                           json_object_new_int64(QEMU_MIGRATION_BANDWIDTH_UNLIMITED));
    return qemu_monitor_json_migrate_set_parameters(mon, params);
}

/* Negotiate QMP and read the pty paths (VM locked, ASYNC_JOB held). */
static int
start_connect(QemuDriver *driver, DomainObj *vm, DomainAsyncJob async_job)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    g_autoptr(GHashTable) ptys = NULL;
    gboolean want_ptys = def_has_pty(vm->def);
    guint run = priv->run;
    QemuMonitor *mon;
    int rc;

    if (!(priv->base.mon =
              qemu_process_open_monitor(driver, vm, QEMU_MONITOR_PROTOCOL_QMP, priv->monitor_path)))
        return -1;
    if (priv->hmp_path && !(priv->base.hmp = qemu_process_open_monitor(
                                driver, vm, QEMU_MONITOR_PROTOCOL_HMP, priv->hmp_path)))
        return -1;

    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
        return -1;
    rc = qemu_monitor_json_set_capabilities(mon);
    if (rc == 0)
        rc = start_lift_migration_cap(mon);
    if (rc == 0 && want_ptys)
        rc = process_query_ptys(mon, &ptys);
    qemu_domain_obj_exit_monitor(vm);
    if (rc < 0)
        return -1;
    if (!domain_obj_is_active(vm) || priv->run != run) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("QEMU of domain '%s' exited while starting"), domain_obj_get_name(vm));
        return -1;
    }
    if (ptys)
        def_apply_ptys(vm->def, ptys);
    return 0;
}

static int
start_run_vcpus(DomainObj *vm, DomainAsyncJob async_job)
{
    QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async_job);
    int rc;

    if (!mon)
        return -1;
    rc = qemu_monitor_json_cont(mon);
    qemu_domain_obj_exit_monitor(vm);
    return rc;
}

int
qemu_process_start(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    g_autoptr(QemuCaps) caps = NULL;
    g_autofree char *emulator = NULL;
    g_autofree char *name = NULL;
    gboolean restore = !!(flags & QEMU_PROCESS_START_RESTORE);
    gboolean incoming = restore || (flags & QEMU_PROCESS_START_INCOMING);
    gboolean paused = incoming || (flags & QEMU_PROCESS_START_PAUSED);
    DomainAsyncJob async_job = (flags & QEMU_PROCESS_START_INCOMING) ? DOMAIN_ASYNC_JOB_MIGRATION_IN
                                                                     : DOMAIN_ASYNC_JOB_START;
    gboolean spawned = FALSE;
    gboolean monitor_step = FALSE;
    off_t log_offset = 0;
    guint run;

    if (domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain '%s' is already running"),
                           domain_obj_get_name(vm));
        return -1;
    }
    if (domain_job_get_async(vm->job) != async_job) {
        qvirt_report_internal(_("starting domain '%s' without the async job %s"),
                              domain_obj_get_name(vm), domain_async_job_to_string(async_job));
        return -1;
    }
    name = g_strdup(vm->def->name);

    /* The running definition is a copy; the persistent one waits in new_def. */
    if (vm->persistent && !vm->new_def) {
        DomainDef *copy = domain_def_copy(vm->def);

        if (!copy)
            return -1;
        vm->new_def = vm->def;
        vm->def = copy;
    }

    emulator = g_strdup(vm->def->emulator ? vm->def->emulator : driver->config->emulator);
    /* A first probe of the binary starts QEMU: not under the mutex. */
    domain_obj_unlock(vm);
    caps = qemu_caps_cache_lookup(driver->caps_cache, emulator);
    domain_obj_lock(vm);
    if (!caps || start_prepare_paths(driver->config, priv, name) < 0 ||
        start_spawn(driver, vm, caps, incoming, &log_offset) < 0)
        goto error;
    spawned = TRUE;
    priv->starting = TRUE;
    run = priv->run;
    priv->caps = qemu_caps_ref(caps);
    qvirt_crash_point("qemu-spawn-unrecorded");
    /* Recorded at once, before the QMP handshake (which may take long): a
     * daemon killed from here on leaves a status file from which the next
     * one finds this QEMU again, and kills it as an unfinished start
     * (before this write, it kills it as an orphan: qemu_process_orphans.c). */
    if (qemu_process_save_status(driver, vm) < 0)
        goto error;
    qvirt_crash_point("qemu-spawned");

    monitor_step = TRUE;
    if (start_connect(driver, vm, async_job) < 0)
        goto error;
    monitor_step = FALSE;

    /* Persist the state the guest is about to be in before acting. */
    if (incoming)
        domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);
    else if (paused)
        domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    else
        domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    if (qemu_process_save_status(driver, vm) < 0)
        goto error;
    if (!paused) {
        monitor_step = TRUE;
        if (start_run_vcpus(vm, async_job) < 0)
            goto error;
    }
    if (priv->run != run || !domain_obj_is_active(vm)) {
        /* It died meanwhile; the exit watch stopped it as our failure. */
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("QEMU of domain '%s' exited while starting"), domain_obj_get_name(vm));
        goto error;
    }
    priv->starting = FALSE;

    if (restore)
        return 0; /* the restore announces the domain once the state is in */
    if (incoming) {
        /* libvirt's Prepare announces the incoming domain; Finish resumes it. */
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_STARTED,
                                   QV_DOMAIN_EVENT_STARTED_MIGRATED);
        return 0;
    }
    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_STARTED, QV_DOMAIN_EVENT_STARTED_BOOTED);
    if (paused)
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_SUSPENDED,
                                   QV_DOMAIN_EVENT_SUSPENDED_PAUSED);
    return 0;

error:
    if (!spawned) {
        start_revert(vm);
        if (priv->monitor_path)
            g_unlink(priv->monitor_path);
        return -1;
    }
    {
        QvirtError *saved;

        start_explain_failure(vm, priv, log_offset, monitor_step);
        saved = qvirt_error_save();
        qemu_process_stop(driver, vm, DOMAIN_SHUTOFF_FAILED, QEMU_PROCESS_STOP_NO_EVENT);
        priv->starting = FALSE;
        qvirt_error_restore(saved);
    }
    return -1;
}

/* ---- stop and kill ---- */

void
qemu_process_stop(QemuDriver *driver, DomainObj *vm, int reason, unsigned int flags)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuProcessHandle *h;
    g_autofree char *how = NULL;
    QvirtError *saved;

    if (!domain_obj_is_active(vm))
        return;
    saved = qvirt_error_save();
    QVIRT_INFO("domain '%s': stopping (%s)", domain_obj_get_name(vm),
               domain_state_reason_to_string(DOMAIN_STATE_SHUTOFF, reason));
    priv->run++;
    qemu_process_close_monitors(priv);
    process_unwatch_exit(driver, priv);

    if ((h = g_steal_pointer(&priv->proc))) {
        domain_obj_unlock(vm);
        if (handle_kill(h, driver->config->destroy_grace_ms, FALSE) < 0) {
            QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
            qvirt_error_reset();
        }
        how = handle_reap(h);
        domain_obj_lock(vm);
        qemu_process_handle_unref(h);
    }
    if (priv->log_path) {
        g_autofree char *stamp = log_timestamp();
        g_autofree char *line =
            g_strdup_printf("%s: qvirt: domain stopped, reason %s, QEMU %s\n", stamp,
                            domain_state_reason_to_string(DOMAIN_STATE_SHUTOFF, reason),
                            how ? how : "was not running");

        log_append_line(priv->log_path, line);
    }
    if (domain_status_remove(driver->config->state_dir, domain_obj_get_name(vm)) < 0) {
        QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    if (priv->monitor_path)
        g_unlink(priv->monitor_path);
    if (priv->hmp_path)
        g_unlink(priv->hmp_path);
    /* QEMU is gone: its taps normally went with it. */
    qemu_interface_remove_taps(priv->taps, domain_obj_get_name(vm));
    g_clear_pointer(&priv->taps, g_hash_table_unref);

    /* Before the definition goes back to the persistent one. */
    qemu_blockjob_domain_stopped(driver, vm);
    vm->pid = 0;
    vm->pid_start_time = 0;
    vm->def->id = -1;
    domain_obj_set_state(vm, DOMAIN_STATE_SHUTOFF, reason);
    if (vm->new_def) {
        domain_def_free(vm->def);
        vm->def = g_steal_pointer(&vm->new_def);
    }
    g_clear_pointer(&priv->caps, qemu_caps_unref);
    qemu_migration_port_release(priv->mig_port);
    priv->mig_port = 0;
    priv->mig_lease = NULL;
    priv->got_shutdown = FALSE;
    priv->shutdown_is_reset = FALSE;
    priv->stop_reason = -1;
    if (!(flags & QEMU_PROCESS_STOP_NO_EVENT))
        qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_STOPPED, stopped_detail(reason));
    /* A migration job kept between two steps (or for post-copy recovery)
     * has nobody left to end it once its guest is gone. */
    if ((domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_OUT ||
         domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_IN) &&
        !domain_job_async_has_owner(vm->job))
        domain_job_discard_async(vm);
    domain_job_wake_all(vm);
    qvirt_error_restore(saved);
}

int
qemu_process_kill(DomainObj *vm, gint64 grace_ms, gboolean graceful)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuProcessHandle *h;
    int rc;

    if (!priv->proc)
        return 0;
    h = qemu_process_handle_ref(priv->proc);
    domain_obj_unlock(vm);
    rc = handle_kill(h, grace_ms, graceful);
    domain_obj_lock(vm);
    qemu_process_handle_unref(h);
    if (rc < 0 && graceful && qvirt_error_last_code() == QVIRT_ERR_OPERATION_TIMEOUT) {
        qvirt_error_reset();
        qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                           _("QEMU of domain '%s' did not stop within %lld ms of SIGTERM"),
                           domain_obj_get_name(vm), (long long)grace_ms);
    }
    return rc;
}

void
qemu_process_detach(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    if (!priv)
        return;
    priv->run++;
    qemu_process_close_monitors(priv);
    process_unwatch_exit(priv->driver, priv);
}

unsigned long long
qemu_process_cpu_time(pid_t pid, unsigned long long start_time)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *data = NULL;
    g_auto(GStrv) fields = NULL;
    const char *rest;
    guint64 utime;
    guint64 stime;
    guint64 start;
    long ticks = sysconf(_SC_CLK_TCK);

    if (pid <= 0 || ticks <= 0 || !g_file_get_contents(path, &data, NULL, NULL))
        return 0;
    /* Fields after the command name, which may hold anything: from the last ')'. */
    if (!(rest = strrchr(data, ')')))
        return 0;
    fields = g_strsplit(rest + 2, " ", -1);
    /* fields[0] is field 3 (state): utime is 14, stime 15, starttime 22. */
    if (g_strv_length(fields) < 20 ||
        !g_ascii_string_to_unsigned(fields[11], 10, 0, G_MAXUINT64, &utime, NULL) ||
        !g_ascii_string_to_unsigned(fields[12], 10, 0, G_MAXUINT64, &stime, NULL) ||
        !g_ascii_string_to_unsigned(fields[19], 10, 0, G_MAXUINT64, &start, NULL) ||
        start != start_time)
        return 0;
    return (utime + stime) * (1000000000ULL / (guint64)ticks);
}

/* qvirtd.c: the daemon: options, configuration, folders and their lock,
 * driver modules, the RPC server with its listeners, signals, and an orderly
 * exit.
 *
 * Contract:
 * - Modes: --system (root only: /run/qvirt, /var/lib/qvirt, /etc/qvirt) or
 *   --session, the default when not root (paths from the XDG variables, see
 *   daemon_paths.h). One daemon per state folder: a second one on the same
 *   folder exits at once with a message naming the holder.
 * - Without --foreground the daemon detaches; the starting process exits 0
 *   only once the daemon serves its sockets (or 1 with the daemon's error),
 *   so a script may use it right away. In the foreground, logs go to stderr;
 *   detached, to STATE/qvirtd.log unless log_outputs says otherwise. With
 *   $NOTIFY_SOCKET set it sends systemd's READY=1 when serving.
 * - SIGTERM and SIGINT: stop accepting, let calls in progress finish (at most
 *   shutdown_timeout seconds), clean up the state drivers (which never stop
 *   guests) and exit 0. SIGHUP re-reads the configuration file (logging
 *   settings) and reloads the state drivers.
 * - The host UUID (migration cookies) is host_uuid from the configuration,
 *   else the machine id (driver/hostid.h). The remote driver is registered
 *   beside the driver modules, so that a driver can open another daemon
 *   (the destination of a peer-to-peer migration); clients still reach only
 *   the local drivers (remote_dispatch.h).
 * - Any startup failure prints one clear message (naming the file, key,
 *   value or folder) and exits 1; bad options exit 2. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#include "daemon/daemon_config.h"
#include "daemon/daemon_paths.h"
#include "daemon/remote_dispatch.h"
#include "driver/api.h"
#include "driver/driver.h"
#include "driver/hostid.h"
#include "driver/module.h"
#include "remote/remote_driver.h"
#include "rpc/rpc_server.h"
#include "rpc/rpc_tls.h"
#include "util/crashpoint.h"
#include "util/error.h"
#include "util/eventloop.h"
#include "util/files.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/threads.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("daemon");

typedef struct {
    gboolean system;
    gboolean session;
    gboolean listen;
    gboolean foreground;
    gboolean verbose;
    gboolean version;
    char *config_file;
    char *pid_file;
} DaemonOptions;

typedef struct {
    DaemonOptions opts;
    DaemonPaths *paths;
    DaemonConfig *config;
    char *config_file; /* the file read, or NULL */
    QvirtDirLock *lock;
    QvirtEventLoop *loop;
    RpcServer *server;
    RemoteDispatch *dispatch;
    RpcTlsContext *tls;
    GMainLoop *main_loop;
    char *pid_file;
    gboolean drivers_up;
    int ready_fd; /* write end of the pipe to the starting process, or -1 */
} Daemon;

/* ---- logging ---- */

static int
daemon_apply_logging(Daemon *d)
{
    DaemonConfig *c = d->config;
    int level = c->log_level;

    if (d->opts.verbose && (level == 0 || level > QVIRT_LOG_INFO))
        level = QVIRT_LOG_INFO;
    if (level && qvirt_log_set_default_priority(level) < 0)
        return -1;
    if (c->log_filters && qvirt_log_set_filters(c->log_filters) < 0)
        return -1;
    if (c->log_outputs && qvirt_log_set_outputs(c->log_outputs) < 0)
        return -1;
    return 0;
}

/* Detached without configured outputs: log to STATE/qvirtd.log (the state
 * folder exists by then). */
static int
daemon_log_to_file(Daemon *d)
{
    g_autofree char *spec = NULL;

    if (d->opts.foreground || d->config->log_outputs || g_getenv("QVIRT_LOG_OUTPUTS"))
        return 0;
    spec = g_strdup_printf("1:file:%s/qvirtd.log", d->paths->state_dir);
    return qvirt_log_set_outputs(spec);
}

/* ---- configuration ---- */

/* Read the configuration: --config (must exist), else the mode's default
 * file when it exists, else the defaults. */
static DaemonConfig *
daemon_load_config(Daemon *d, char **ret_file)
{
    g_autoptr(DaemonConfig) config = daemon_config_new();
    const char *file = d->opts.config_file;

    if (!file && qvirt_file_exists(d->paths->config_file))
        file = d->paths->config_file;
    if (file && daemon_config_load_file(config, file) < 0)
        return NULL;
    *ret_file = g_strdup(file);
    return g_steal_pointer(&config);
}

/* ---- readiness ---- */

/* Tell systemd (Type=notify) that the daemon serves, when it asked. */
static void
daemon_notify_systemd(const char *state)
{
    const char *path = g_getenv("NOTIFY_SOCKET");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    socklen_t len;
    int fd;

    if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(addr.sun_path))
        return;
    memcpy(addr.sun_path, path, strlen(path));
    if (addr.sun_path[0] == '@')
        addr.sun_path[0] = '\0';
    len = (socklen_t)(G_STRUCT_OFFSET(struct sockaddr_un, sun_path) + strlen(path));
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return;
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, len) < 0)
        QVIRT_WARN("cannot notify systemd at %s: %s", path, g_strerror(errno));
    close(fd);
}

/* Tell the starting process how the start went: an empty message is
 * success, anything else the error to print. */
static void
daemon_report_ready(Daemon *d, const char *error)
{
    if (d->ready_fd < 0)
        return;
    if (error)
        (void)qvirt_fd_write_all(d->ready_fd, error, strlen(error));
    close(d->ready_fd);
    d->ready_fd = -1;
}

/* Detach: fork; the parent waits for the child's report and exits with it.
 * Returns in the child only. */
static int
daemon_detach(Daemon *d)
{
    int fds[2];
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) < 0) {
        qvirt_report_system_error(errno, _("cannot create a pipe"));
        return -1;
    }
    if ((pid = fork()) < 0) {
        qvirt_report_system_error(errno, _("cannot fork the daemon"));
        return -1;
    }
    if (pid > 0) {
        GString *msg = g_string_new(NULL);
        char buf[512];
        ssize_t n;

        close(fds[1]);
        while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            g_string_append_len(msg, buf, n);
        }
        if (msg->len > 0 || n < 0) {
            fprintf(stderr, "qvirtd: %s\n", msg->len ? msg->str : "the daemon failed to start");
            _exit(EXIT_FAILURE);
        }
        _exit(EXIT_SUCCESS);
    }
    close(fds[0]);
    d->ready_fd = fds[1];
    if (setsid() < 0) {
        qvirt_report_system_error(errno, _("cannot start a new session"));
        return -1;
    }
    if (chdir("/") < 0) {
        qvirt_report_system_error(errno, _("cannot change to the root folder"));
        return -1;
    }
    {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

        if (null < 0) {
            qvirt_report_system_error(errno, _("cannot open /dev/null"));
            return -1;
        }
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    return 0;
}

/* ---- drivers ---- */

/* host_uuid of the configuration, when set, becomes the host UUID. */
static int
daemon_set_host_uuid(Daemon *d)
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];

    if (!d->config->host_uuid)
        return 0;
    if (qvirt_uuid_parse(d->config->host_uuid, uuid) < 0)
        return -1;
    if (qv_host_uuid_set(uuid) < 0) {
        qvirt_error_reset();
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("host_uuid '%s' in %s is not usable: it must not be all zero"),
                           d->config->host_uuid, d->config_file ? d->config_file : "qvirtd.conf");
        return -1;
    }
    QVIRT_INFO("host UUID %s (from the configuration)", d->config->host_uuid);
    return 0;
}

static int
daemon_load_drivers(Daemon *d)
{
    static const char *const defaults[] = {"test", "qemu", NULL};
    const char *const *names =
        d->config->drivers ? (const char *const *)d->config->drivers : defaults;

    for (const char *const *n = names; *n; n++) {
        if (qv_driver_module_load(*n) == 0) {
            QVIRT_INFO("loaded driver module '%s'", *n);
            continue;
        }
        if (d->config->drivers_set || strcmp(*n, "test") == 0)
            return -1;
        /* Default set: the QEMU driver is optional, test:/// keeps working. */
        QVIRT_ERROR("cannot load driver module '%s', continuing without it: %s", *n,
                    qvirt_error_last_message());
        qvirt_error_reset();
    }
    /* After the local drivers: connections opened by the daemon itself to
     * other daemons (peer-to-peer migration) go through it. */
    if (qv_remote_register() < 0)
        return -1;
    if (qv_driver_state_initialize(d->paths->privileged, NULL) < 0)
        return -1;
    d->drivers_up = TRUE;
    return 0;
}

/* ---- listeners ---- */

static int
daemon_start_server(Daemon *d)
{
    DaemonConfig *c = d->config;
    RpcServerConfig sc = {
        .max_clients = c->max_clients,
        .max_client_requests = c->max_client_requests,
        .workers = c->max_workers,
        .priority_workers = c->prio_workers,
        .keepalive_interval_ms = c->keepalive_interval * 1000,
        .keepalive_count = c->keepalive_count,
    };
    mode_t rw_perms = c->unix_sock_rw_perms ? c->unix_sock_rw_perms : 0700;
    mode_t ro_perms =
        c->unix_sock_ro_perms ? c->unix_sock_ro_perms : (d->paths->privileged ? 0777 : 0700);
    g_autofree char *sock_rw = NULL;
    g_autofree char *sock_ro = NULL;

    if (c->unix_sock_dir) {
        if (qvirt_dir_make_parents(c->unix_sock_dir, 0755) < 0)
            return -1;
        sock_rw = g_build_filename(c->unix_sock_dir, "qvirt-sock", NULL);
        sock_ro = g_build_filename(c->unix_sock_dir, "qvirt-sock-ro", NULL);
    } else {
        sock_rw = g_strdup(d->paths->sock_rw);
        sock_ro = g_strdup(d->paths->sock_ro);
    }

    d->loop = qvirt_event_loop_new("qvirtd-rpc");
    d->server = rpc_server_new(d->loop, &sc);
    if (!(d->dispatch = remote_dispatch_new(d->server, d->paths->privileged)))
        return -1;
    if (rpc_server_add_unix_listener(d->server, sock_rw, rw_perms, FALSE) < 0 ||
        rpc_server_add_unix_listener(d->server, sock_ro, ro_perms, TRUE) < 0)
        return -1;
    QVIRT_INFO("listening on %s and %s (read-only)", sock_rw, sock_ro);

    if (d->opts.listen || c->listen_tls) {
        g_autofree char *cert_dir = NULL;
        int port = 0;

        if (c->tls_cert_dir)
            cert_dir = g_strdup(c->tls_cert_dir);
        else if (d->paths->privileged)
            cert_dir = g_build_filename(SYSCONFDIR, "pki", "qvirt", NULL);
        else
            cert_dir = g_build_filename(d->paths->config_dir, "pki", NULL);
        if (!(d->tls = rpc_tls_context_new_server(cert_dir)))
            return -1;
        if (rpc_server_add_tls_listener(d->server, c->listen_addr, c->tls_port, d->tls, FALSE,
                                        &port) < 0)
            return -1;
        QVIRT_INFO("listening with TLS on port %d (certificates in %s)", port, cert_dir);
    }
    return 0;
}

/* ---- signals ---- */

static gboolean
daemon_on_quit(gpointer opaque)
{
    Daemon *d = opaque;

    QVIRT_INFO("asked to stop");
    g_main_loop_quit(d->main_loop);
    return G_SOURCE_CONTINUE;
}

static gboolean
daemon_on_hangup(gpointer opaque)
{
    Daemon *d = opaque;

    QVIRT_INFO("reloading");
    if (d->config_file) {
        g_autoptr(DaemonConfig) fresh = daemon_config_new();

        if (daemon_config_load_file(fresh, d->config_file) < 0) {
            QVIRT_ERROR("keeping the old configuration: %s", qvirt_error_last_message());
            qvirt_error_reset();
        } else {
            /* Logging changes at once; listeners and limits at the next start. */
            g_free(d->config->log_filters);
            g_free(d->config->log_outputs);
            d->config->log_level = fresh->log_level;
            d->config->log_filters = g_steal_pointer(&fresh->log_filters);
            d->config->log_outputs = g_steal_pointer(&fresh->log_outputs);
            if (daemon_apply_logging(d) < 0) {
                QVIRT_ERROR("%s", qvirt_error_last_message());
                qvirt_error_reset();
            }
        }
    }
    if (qv_driver_state_reload() < 0) {
        QVIRT_ERROR("reloading the drivers failed: %s", qvirt_error_last_message());
        qvirt_error_reset();
    }
    return G_SOURCE_CONTINUE;
}

/* ---- exit ---- */

typedef struct {
    QvirtMutex lock;
    QvirtCond cond;
    gboolean done;
    RpcServer *server;
} DaemonStopper;

static gpointer
daemon_stopper_thread(gpointer opaque)
{
    DaemonStopper *st = opaque;

    rpc_server_free(st->server);
    qvirt_mutex_lock(&st->lock);
    st->done = TRUE;
    qvirt_cond_broadcast(&st->cond);
    qvirt_mutex_unlock(&st->lock);
    return NULL;
}

/* Close the server, letting calls in progress finish within the bound.
 * FALSE when they did not: the caller must not touch the drivers then. */
static gboolean
daemon_stop_server(Daemon *d)
{
    DaemonStopper *st;
    GThread *thread;
    gboolean done;
    gint64 deadline;

    if (!d->server)
        return TRUE;
    st = g_new0(DaemonStopper, 1);
    qvirt_mutex_init(&st->lock);
    qvirt_cond_init(&st->cond);
    st->server = g_steal_pointer(&d->server);
    thread = g_thread_new("qvirtd-stop", daemon_stopper_thread, st);
    deadline = qvirt_deadline_after_ms((gint64)d->config->shutdown_timeout * 1000);

    qvirt_mutex_lock(&st->lock);
    while (!st->done) {
        if (!qvirt_cond_wait_until(&st->cond, &st->lock, deadline))
            break;
    }
    done = st->done;
    qvirt_mutex_unlock(&st->lock);
    if (!done) {
        /* The stopper keeps running; the process exits around it. */
        g_thread_unref(thread);
        return FALSE;
    }
    g_thread_join(thread);
    qvirt_cond_clear(&st->cond);
    qvirt_mutex_clear(&st->lock);
    g_free(st);
    return TRUE;
}

static void
daemon_cleanup(Daemon *d, gboolean drivers_idle)
{
    if (drivers_idle) {
        remote_dispatch_free(g_steal_pointer(&d->dispatch));
        qv_event_shutdown();
        if (d->drivers_up && qv_driver_state_cleanup() < 0) {
            QVIRT_ERROR("cleaning up the drivers failed: %s", qvirt_error_last_message());
            qvirt_error_reset();
        }
        if (d->loop)
            qvirt_event_loop_free(g_steal_pointer(&d->loop));
        rpc_tls_context_unref(g_steal_pointer(&d->tls));
    }
    if (d->pid_file)
        unlink(d->pid_file);
    g_clear_pointer(&d->pid_file, g_free);
    qvirt_dir_lock_release(g_steal_pointer(&d->lock));
}

/* ---- main ---- */

static int
daemon_parse_options(DaemonOptions *opts, int *argc, char ***argv)
{
    GOptionEntry entries[] = {
        {"system", 0, 0, G_OPTION_ARG_NONE, &opts->system,
         N_("Run as the system daemon (root only)"), NULL},
        {"session", 0, 0, G_OPTION_ARG_NONE, &opts->session,
         N_("Run as a session daemon (the default when not root)"), NULL},
        {"listen", 'l', 0, G_OPTION_ARG_NONE, &opts->listen, N_("Also listen on TCP with TLS"),
         NULL},
        {"config", 'f', 0, G_OPTION_ARG_FILENAME, &opts->config_file, N_("Configuration file"),
         N_("FILE")},
        {"pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &opts->pid_file, N_("Pid file"), N_("FILE")},
        {"foreground", 'F', 0, G_OPTION_ARG_NONE, &opts->foreground,
         N_("Stay in the foreground and log to stderr"), NULL},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opts->verbose, N_("Log informational messages"),
         NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &opts->version, N_("Print the version and exit"),
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;

    g_option_context_set_summary(ctx, _("qvirtd: the qvirt daemon"));
    g_option_context_add_main_entries(ctx, entries, PACKAGE);
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        fprintf(stderr, "qvirtd: %s\n", err->message);
        return -1;
    }
    if (*argc > 1) {
        fprintf(stderr, _("qvirtd: unexpected argument '%s'\n"), (*argv)[1]);
        return -1;
    }
    if (opts->system && opts->session) {
        fprintf(stderr, "%s\n", _("qvirtd: --system and --session exclude each other"));
        return -1;
    }
    return 0;
}

static int
daemon_start(Daemon *d)
{
    g_autofree char *pid_text = NULL;

    if (d->opts.system && geteuid() != 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_DENIED, _("--system needs root"));
        return -1;
    }
    if (!(d->paths = daemon_paths_new(d->opts.system || (!d->opts.session && geteuid() == 0))))
        return -1;
    if (!(d->config = daemon_load_config(d, &d->config_file)))
        return -1;
    if (daemon_apply_logging(d) < 0)
        return -1;
    if (!d->opts.foreground && daemon_detach(d) < 0)
        return -1;

    if (qvirt_dir_make_parents(d->paths->runtime_dir, d->paths->privileged ? 0755 : 0700) < 0 ||
        qvirt_dir_make_parents(d->paths->state_dir, 0700) < 0)
        return -1;
    if (!(d->lock = qvirt_dir_lock_acquire(d->paths->state_dir, "qvirtd")))
        return -1;
    if (daemon_log_to_file(d) < 0)
        return -1;
    QVIRT_INFO("qvirtd %s starting (%s mode, state in %s%s%s)", PACKAGE_VERSION,
               d->paths->privileged ? "system" : "session", d->paths->state_dir,
               d->config_file ? ", configuration " : "", d->config_file ? d->config_file : "");

    if (daemon_set_host_uuid(d) < 0)
        return -1;
    if (daemon_load_drivers(d) < 0)
        return -1;
    if (daemon_start_server(d) < 0)
        return -1;

    d->pid_file = g_strdup(d->opts.pid_file ? d->opts.pid_file : d->paths->pid_file);
    pid_text = g_strdup_printf("%d\n", (int)getpid());
    if (qvirt_file_write_atomic_str(d->pid_file, pid_text, 0644) < 0) {
        g_clear_pointer(&d->pid_file, g_free);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    Daemon d = {.ready_fd = -1};
    gboolean idle;

    setlocale(LC_ALL, "");
    bindtextdomain(PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(PACKAGE, "UTF-8");
    textdomain(PACKAGE);
    signal(SIGPIPE, SIG_IGN);

    if (daemon_parse_options(&d.opts, &argc, &argv) < 0)
        return 2;
    if (d.opts.version) {
        printf("qvirtd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
        return 0;
    }
    if (qvirt_log_init_from_env() < 0) {
        fprintf(stderr, "qvirtd: %s\n", qvirt_error_last_message());
        return 1;
    }
    qvirt_crash_point_init(); /* QVIRT_CRASH_POINT, a testing aid: docs/crashpoints.md */

    if (daemon_start(&d) < 0) {
        g_autofree char *msg = g_strdup(qvirt_error_last_message());

        QVIRT_ERROR("%s", msg);
        if (d.ready_fd >= 0)
            daemon_report_ready(&d, msg);
        else
            fprintf(stderr, "qvirtd: %s\n", msg);
        daemon_stop_server(&d);
        daemon_cleanup(&d, TRUE);
        return 1;
    }

    d.main_loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, daemon_on_quit, &d);
    g_unix_signal_add(SIGINT, daemon_on_quit, &d);
    g_unix_signal_add(SIGHUP, daemon_on_hangup, &d);
    daemon_report_ready(&d, NULL);
    daemon_notify_systemd("READY=1");
    QVIRT_INFO("ready");

    g_main_loop_run(d.main_loop);

    daemon_notify_systemd("STOPPING=1");
    idle = daemon_stop_server(&d);
    if (!idle)
        QVIRT_ERROR("calls still in progress after %u s; exiting without waiting for them",
                    d.config->shutdown_timeout);
    daemon_cleanup(&d, idle);
    QVIRT_INFO("stopped");
    if (!idle)
        _exit(EXIT_FAILURE);

    g_main_loop_unref(d.main_loop);
    daemon_config_free(d.config);
    daemon_paths_free(d.paths);
    g_free(d.config_file);
    g_free(d.opts.config_file);
    g_free(d.opts.pid_file);
    return 0;
}

/* daemon_paths.c: the folder layout of qvirtd (see daemon_paths.h). */
#include <config.h>

#include "daemon/daemon_paths.h"
#include "util/error.h"
#include "util/i18n.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

#ifndef QVIRT_SYSCONFDIR
#define QVIRT_SYSCONFDIR "/etc"
#endif
#ifndef QVIRT_LOCALSTATEDIR
#define QVIRT_LOCALSTATEDIR "/var"
#endif
#ifndef QVIRT_RUNSTATEDIR
#define QVIRT_RUNSTATEDIR "/run"
#endif

/* $VAR when set; else HOME/FALLBACK when FALLBACK is given. */
static char *
daemon_paths_xdg(const char *var, const char *fallback)
{
    const char *value = g_getenv(var);
    const char *home;

    if (value && *value) {
        if (!g_path_is_absolute(value)) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("$%s must be an absolute path, not '%s'"), var, value);
            return NULL;
        }
        return g_strdup(value);
    }
    home = g_getenv("HOME");
    if (!fallback || !home || !g_path_is_absolute(home)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("cannot find the folders of the session daemon: $%s is not set"), var);
        return NULL;
    }
    return g_build_filename(home, fallback, NULL);
}

DaemonPaths *
daemon_paths_new(gboolean system)
{
    g_autoptr(DaemonPaths) paths = g_new0(DaemonPaths, 1);

    paths->privileged = system;
    if (system) {
        paths->runtime_dir = g_build_filename(QVIRT_RUNSTATEDIR, "qvirt", NULL);
        paths->state_dir = g_build_filename(QVIRT_LOCALSTATEDIR, "lib", "qvirt", NULL);
        paths->config_dir = g_build_filename(QVIRT_SYSCONFDIR, "qvirt", NULL);
    } else {
        g_autofree char *runtime = daemon_paths_xdg("XDG_RUNTIME_DIR", NULL);
        g_autofree char *config = NULL;
        g_autofree char *state = NULL;

        if (!runtime)
            return NULL;
        if (!(config = daemon_paths_xdg("XDG_CONFIG_HOME", ".config")))
            return NULL;
        if (!(state = daemon_paths_xdg("XDG_STATE_HOME", ".local/state")))
            return NULL;
        paths->runtime_dir = g_build_filename(runtime, "qvirt", NULL);
        paths->state_dir = g_build_filename(state, "qvirt", NULL);
        paths->config_dir = g_build_filename(config, "qvirt", NULL);
    }
    paths->config_file = g_build_filename(paths->config_dir, "qvirtd.conf", NULL);
    paths->sock_rw = g_build_filename(paths->runtime_dir, "qvirt-sock", NULL);
    paths->sock_ro = g_build_filename(paths->runtime_dir, "qvirt-sock-ro", NULL);
    paths->pid_file = g_build_filename(paths->runtime_dir, "qvirtd.pid", NULL);
    return g_steal_pointer(&paths);
}

void
daemon_paths_free(DaemonPaths *paths)
{
    if (!paths)
        return;
    g_free(paths->runtime_dir);
    g_free(paths->state_dir);
    g_free(paths->config_dir);
    g_free(paths->config_file);
    g_free(paths->sock_rw);
    g_free(paths->sock_ro);
    g_free(paths->pid_file);
    g_free(paths);
}

/* daemon_paths.h: where qvirtd keeps its sockets, state, configuration and
 * pid file, for the system daemon and for a session daemon.
 *
 * Contract:
 * - System mode: runtime folder /run/qvirt, state folder /var/lib/qvirt,
 *   configuration /etc/qvirt/qvirtd.conf (SYSCONFDIR and LOCALSTATEDIR are
 *   the configure-time prefixes).
 * - Session mode: every path derives from $XDG_RUNTIME_DIR,
 *   $XDG_CONFIG_HOME and $XDG_STATE_HOME (the last two fall back to
 *   $HOME/.config and $HOME/.local/state; the first must be set, else the
 *   session paths cannot be computed and an error is reported). It works
 *   for root too, so several daemons run side by side when each gets its
 *   own values.
 * - The read-write socket is RUNTIME/qvirt-sock, the read-only one
 *   RUNTIME/qvirt-sock-ro, the pid file RUNTIME/qvirtd.pid; the state
 *   folder is locked by the running daemon. Nothing is created here. */
#pragma once

#include <glib.h>

typedef struct {
    gboolean privileged; /* system mode */
    char *runtime_dir;   /* sockets and pid file */
    char *state_dir;     /* locked while the daemon runs */
    char *config_dir;
    char *config_file; /* CONFIG_DIR/qvirtd.conf */
    char *sock_rw;
    char *sock_ro;
    char *pid_file;
} DaemonPaths;

/* The paths of the system daemon (SYSTEM TRUE) or of a session daemon, from
 * the environment. NULL with an error reported when a needed variable is
 * missing or not an absolute path. */
DaemonPaths *daemon_paths_new(gboolean system);
void daemon_paths_free(DaemonPaths *paths);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DaemonPaths, daemon_paths_free)

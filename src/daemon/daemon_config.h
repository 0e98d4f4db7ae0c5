/* daemon_config.h: qvirtd.conf, the daemon's configuration.
 *
 * The file is a GKeyFile with one group, [daemon]. Every key is optional;
 * docs/qvirtd.md describes each one and data/qvirtd.conf is a commented
 * sample.
 *
 * Contract:
 * - daemon_config_new() gives the defaults; daemon_config_load_file()
 *   overlays a file on them. A file that does not parse, an unknown group or
 *   key, or a value of the wrong type or out of range fails with
 *   CONFIG_UNSUPPORTED naming the file, the key and the value; the config
 *   passed in is then unchanged.
 * - Pure data: no side effects (logging is applied by the daemon). */
#pragma once

#include <glib.h>

typedef struct {
    /* listeners */
    gboolean listen_tls;      /* TCP with TLS (also enabled by --listen) */
    char *listen_addr;        /* NULL: every address */
    char *tls_port;           /* "16514" */
    char *tls_cert_dir;       /* NULL: the default PKI folder */
    char *unix_sock_dir;      /* NULL: the runtime folder */
    guint unix_sock_rw_perms; /* 0: mode's default */
    guint unix_sock_ro_perms;
    /* limits */
    guint max_clients;
    guint max_workers;
    guint prio_workers;
    guint max_client_requests;
    guint keepalive_interval; /* seconds */
    guint keepalive_count;
    guint shutdown_timeout; /* seconds to finish calls in progress at exit */
    /* logging */
    int log_level; /* QvirtLogPriority; 0: unchanged */
    char *log_filters;
    char *log_outputs;
    /* drivers */
    char **drivers;       /* module names; NULL: "test" and "qemu" */
    gboolean drivers_set; /* the file named them: every one must load */
    char *host_uuid;      /* NULL: none */
} DaemonConfig;

DaemonConfig *daemon_config_new(void);
void daemon_config_free(DaemonConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DaemonConfig, daemon_config_free)

/* Overlay the keys of PATH onto CONFIG. 0, or -1 with an error reported. */
int daemon_config_load_file(DaemonConfig *config, const char *path);
/* The same from text (NAME is used in messages). */
int daemon_config_load_data(DaemonConfig *config, const char *data, const char *name);

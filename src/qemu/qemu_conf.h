/* qemu_conf.h: the QEMU driver's configuration: qemu.conf (GKeyFile syntax,
 * group [qemu]) and the folders the driver keeps its files in.
 *
 * Contract:
 * - qemu_driver_config_new() fills every setting with its default and every
 *   folder from the layout of the mode (see docs/qemu.conf.md):
 *     system:   /etc/qvirt/qemu.conf, /etc/qvirt/qemu (domain XML),
 *               /run/qvirt/qemu (status, monitors), /var/lib/qvirt/qemu,
 *               /var/log/qvirt/qemu, /var/cache/qvirt/qemu
 *     session:  $XDG_CONFIG_HOME/qvirt/qemu.conf, $XDG_CONFIG_HOME/qvirt/qemu,
 *               $XDG_RUNTIME_DIR/qvirt/qemu, $XDG_STATE_HOME/qvirt/{lib,log,cache}/qemu
 *   The XDG variables are read when the config is made (not cached by the
 *   process), so daemons started with different values never share files.
 *   With a ROOT_DIR every folder of the system layout lives under it.
 * - qemu_driver_config_load_file() reads qemu.conf over the defaults. A
 *   missing file is not an error. Everything else that is wrong is one
 *   CONF_SYNTAX error naming the file (and the key and the value): a syntax
 *   error, a group other than [qemu], an unknown key, a value of the wrong
 *   type or out of range, a relative path. On failure the config is left as
 *   it was. A second group, [networks], maps network names to host bridges
 *   (NAME = BRIDGE, for <interface type='network'>); a bridge name that is
 *   not a valid interface name is a CONF_SYNTAX error too.
 * - A config is reference counted and never changes once the driver uses
 *   it: a reload builds a new one and swaps it. */
#pragma once

#include <glib.h>

typedef struct {
    gint refs; /* atomic */

    gboolean privileged; /* the system daemon (root) */
    char *root_dir;      /* prefix of every folder, or NULL */

    char *config_file;   /* qemu.conf */
    char *config_dir;    /* persistent domain XML; autostart links in autostart/ */
    char *autostart_dir; /* config_dir/autostart */
    char *state_dir;     /* status XML, monitor sockets (a tmpfs in system mode) */
    char *lib_dir;       /* per-domain private folders "domain-NAME" */
    char *log_dir;       /* per-domain QEMU logs "NAME.log" */
    char *cache_dir;     /* the capabilities cache */

    char *emulator; /* QEMU binary for domains that name none */

    gint64 job_wait_timeout_ms; /* how long a job waits for another one */
    gint64 monitor_timeout_ms;  /* how long a monitor command waits for its reply */
    gint64 destroy_grace_ms;    /* SIGTERM to SIGKILL on destroy */
    guint max_queued_jobs;      /* threads waiting for one domain's jobs; 0: no limit */
    gboolean hmp_monitor;       /* give every domain an HMP monitor too */

    guint migration_port_min;
    guint migration_port_max;
    char *migration_address; /* where incoming migrations listen; NULL: any address */

    char *tls_x509_cert_dir; /* QEMU's x509 credentials for migration and NBD */
    gboolean tls_x509_verify;

    char *vnc_listen;    /* VNC address when <graphics> gives none; NULL: 127.0.0.1 */
    int seccomp_sandbox; /* QemuCommandSandbox */

    gboolean log_timestamp; /* a dated header line in the domain log at each start */
    gboolean log_append;    /* keep earlier runs in the domain log (else truncate) */

    char *save_dir;           /* managed save images "NAME.save"; NULL: <lib_dir>/save */
    guint save_max_bandwidth; /* MiB/s a save may write; 0: unlimited */

    GHashTable *networks; /* [networks]: network name -> bridge name; NULL when none */
} QemuDriverConfig;

#define QEMU_CONF_DEFAULT_EMULATOR "/usr/bin/qemu-system-x86_64"
#define QEMU_CONF_DEFAULT_JOB_WAIT_TIMEOUT_S 30
#define QEMU_CONF_DEFAULT_MONITOR_TIMEOUT_S 30
#define QEMU_CONF_DEFAULT_DESTROY_GRACE_S 10
#define QEMU_CONF_DEFAULT_MIGRATION_PORT_MIN 49152
#define QEMU_CONF_DEFAULT_MIGRATION_PORT_MAX 49215

/* The defaults of the system (PRIVILEGED) or session daemon; ROOT_DIR may be
 * NULL. NULL with an error when the session layout has no home folder. */
QemuDriverConfig *qemu_driver_config_new(gboolean privileged, const char *root_dir);
QemuDriverConfig *qemu_driver_config_ref(QemuDriverConfig *cfg);
void qemu_driver_config_unref(QemuDriverConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuDriverConfig, qemu_driver_config_unref)

/* Read PATH (NULL: cfg->config_file) over CFG (see the contract). */
int qemu_driver_config_load_file(QemuDriverConfig *cfg, const char *path);
/* The same from text already in memory; FILE_FOR_ERRORS names it. */
int qemu_driver_config_load_data(QemuDriverConfig *cfg, const char *data,
                                 const char *file_for_errors);

/* Create the folders the driver writes to (state 0700, others 0755 in the
 * system layout, 0700 in the session one). */
int qemu_driver_config_make_dirs(const QemuDriverConfig *cfg);

/* The bridge of network NAME from [networks]; NULL (no error) when the
 * config names no such network. */
const char *qemu_driver_config_network_bridge(const QemuDriverConfig *cfg, const char *name);

/* The folder of managed save images (a new string). */
char *qemu_driver_config_save_dir(const QemuDriverConfig *cfg);

/* Per-domain paths (new strings). */
char *qemu_driver_config_domain_lib_dir(const QemuDriverConfig *cfg, const char *name);
char *qemu_driver_config_domain_log(const QemuDriverConfig *cfg, const char *name);
char *qemu_driver_config_monitor_path(const QemuDriverConfig *cfg, const char *name);
char *qemu_driver_config_hmp_path(const QemuDriverConfig *cfg, const char *name);

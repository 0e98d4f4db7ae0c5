/* qemu_monitor_json.h: QMP over a QemuMonitor: building commands, checking
 * replies, and one typed wrapper per command the driver uses.
 *
 * Contract:
 * - Every wrapper sends one command, waits for its reply (see
 *   qemu_monitor.h for deadlines and failures) and checks it. A QMP error
 *   reply becomes OPERATION_FAILED "unable to execute QEMU command 'NAME':
 *   DESC"; a reply without the expected "return" type is INTERNAL_ERROR
 *   naming the command. Each returns 0 (or a count) on success, -1 with one
 *   error reported on failure; output parameters are written only on success.
 * - Inputs are borrowed. Parsed results are new objects owned by the caller;
 *   each result type has a free function and an autoptr cleanup.
 * - Call wrappers without the domain's mutex held (through the Enter/Exit
 *   wrappers of qemu_domain.h). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "qemu/qemu_monitor.h"
#include "util/json.h"

/* ---- Building and sending commands ---- */

/* A new command {"execute": NAME, "arguments": {...}} from key/value pairs
 * ending with NULL. Each key starts with its type and a colon:
 *   "s:key", const char *   string (NULL is an error)
 *   "S:key", const char *   optional string, left out when NULL
 *   "b:key", int            boolean
 *   "B:key", int            optional boolean, left out when false
 *   "i:key", int            integer;  "I:key", int   left out when 0
 *   "j:key", long long      integer;  "J:key", long long  left out when 0
 *   "u:key", unsigned long long       "U:key", same, left out when 0
 *   "a:key", QvirtJson *    any value (array, object), borrowed; NULL is an error
 *   "A:key", QvirtJson *    the same, left out when NULL
 * Returns NULL with INTERNAL_ERROR on a malformed list. */
QvirtJson *qemu_monitor_json_make_command(const char *name, ...) G_GNUC_NULL_TERMINATED;

/* Send CMD (borrowed; its "id" is set), passing FDS (SCM_RIGHTS), and return
 * the whole reply without looking at it. */
int qemu_monitor_json_command_with_fds(QemuMonitor *mon, QvirtJson *cmd, const int *fds,
                                       size_t nfds, QvirtJson **ret_reply);
int qemu_monitor_json_command(QemuMonitor *mon, QvirtJson *cmd, QvirtJson **ret_reply);

/* Check REPLY to command CMDNAME: a QMP error, or a "return" that is not of
 * type WANT (json_type_null: anything), is reported. */
int qemu_monitor_json_check_reply(QemuMonitor *mon, const char *cmdname, QvirtJson *reply,
                                  json_type want);
/* The "class" of a QMP error reply ("DeviceNotFound"), or NULL. Borrowed. */
const char *qemu_monitor_json_reply_error_class(QvirtJson *reply);

/* ---- Process and status ---- */

typedef enum {
    QEMU_MONITOR_VM_STATUS_UNKNOWN, /* a state this qvirt does not know (a newer QEMU) */
    QEMU_MONITOR_VM_STATUS_DEBUG,
    QEMU_MONITOR_VM_STATUS_INMIGRATE,
    QEMU_MONITOR_VM_STATUS_INTERNAL_ERROR,
    QEMU_MONITOR_VM_STATUS_IO_ERROR,
    QEMU_MONITOR_VM_STATUS_PAUSED,
    QEMU_MONITOR_VM_STATUS_POSTMIGRATE,
    QEMU_MONITOR_VM_STATUS_PRELAUNCH,
    QEMU_MONITOR_VM_STATUS_FINISH_MIGRATE,
    QEMU_MONITOR_VM_STATUS_RESTORE_VM,
    QEMU_MONITOR_VM_STATUS_RUNNING,
    QEMU_MONITOR_VM_STATUS_SAVE_VM,
    QEMU_MONITOR_VM_STATUS_SHUTDOWN,
    QEMU_MONITOR_VM_STATUS_SUSPENDED,
    QEMU_MONITOR_VM_STATUS_WATCHDOG,
    QEMU_MONITOR_VM_STATUS_GUEST_PANICKED,
    QEMU_MONITOR_VM_STATUS_COLO,
    QEMU_MONITOR_VM_STATUS_LAST
} QemuMonitorVMStatus;
const char *qemu_monitor_vm_status_to_string(int status);
int qemu_monitor_vm_status_from_string(const char *str);

int qemu_monitor_json_set_capabilities(QemuMonitor *mon); /* qmp_capabilities */
/* query-status: whether the vCPUs run, and QEMU's run state. */
int qemu_monitor_json_query_status(QemuMonitor *mon, bool *ret_running,
                                   QemuMonitorVMStatus *ret_status);
int qemu_monitor_json_cont(QemuMonitor *mon);
int qemu_monitor_json_stop(QemuMonitor *mon);
int qemu_monitor_json_system_powerdown(QemuMonitor *mon);
int qemu_monitor_json_system_reset(QemuMonitor *mon);
int qemu_monitor_json_quit(QemuMonitor *mon);

/* ---- File descriptors (SCM_RIGHTS) ---- */

/* getfd: QEMU keeps a copy of FD under FDNAME. */
int qemu_monitor_json_send_fd(QemuMonitor *mon, const char *fdname, int fd);
int qemu_monitor_json_close_fd(QemuMonitor *mon, const char *fdname); /* closefd */
/* add-fd: put FD into fd set FDSET_ID (-1: a new set). *ret_fdset_id and
 * *ret_fd (may be NULL) get the set and QEMU's descriptor number. */
int qemu_monitor_json_add_fd(QemuMonitor *mon, int fdset_id, int fd, const char *opaque,
                             int *ret_fdset_id, int *ret_fd);
int qemu_monitor_json_remove_fd(QemuMonitor *mon, int fdset_id, int fd); /* fd -1: all */

/* ---- Probing ---- */

typedef struct {
    int major;
    int minor;
    int micro;
    char *package;
} QemuMonitorVersion;
void qemu_monitor_version_free(QemuMonitorVersion *ver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorVersion, qemu_monitor_version_free)
int qemu_monitor_json_query_version(QemuMonitor *mon, QemuMonitorVersion **ret_version);

/* query-commands: the command names, NULL-terminated (free with g_strfreev). */
int qemu_monitor_json_query_commands(QemuMonitor *mon, char ***ret_names);
/* query-qmp-schema: the schema array (a new reference). */
int qemu_monitor_json_query_qmp_schema(QemuMonitor *mon, QvirtJson **ret_schema);
int qemu_monitor_json_query_kvm(QemuMonitor *mon, bool *ret_present, bool *ret_enabled);

typedef struct {
    char *name;
    char *alias; /* or NULL */
    bool is_default;
    int max_cpus;
    bool hotpluggable_cpus;
    bool deprecated;
    char *default_cpu_type; /* or NULL */
    char *default_ram_id;   /* or NULL */
} QemuMonitorMachineInfo;
void qemu_monitor_machine_info_free(QemuMonitorMachineInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorMachineInfo, qemu_monitor_machine_info_free)
/* query-machines: a new array of QemuMonitorMachineInfo (frees its items). */
int qemu_monitor_json_query_machines(QemuMonitor *mon, GPtrArray **ret_machines);

typedef struct {
    int cpu_index;
    char *qom_path;
    long long thread_id;
    char *target;  /* "x86_64" */
    int socket_id; /* -1 when not given */
    int core_id;
    int thread_in_core_id;
} QemuMonitorCpuInfo;
void qemu_monitor_cpu_info_free(QemuMonitorCpuInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorCpuInfo, qemu_monitor_cpu_info_free)
/* query-cpus-fast: a new array of QemuMonitorCpuInfo. */
int qemu_monitor_json_query_cpus_fast(QemuMonitor *mon, GPtrArray **ret_cpus);

typedef struct {
    char *name;
    char *type_name; /* QOM type, or NULL */
    char *alias_of;  /* or NULL */
    bool usable;     /* no unavailable features (when QEMU reported them) */
    char **blockers; /* the unavailable features (NULL-terminated, may be empty) */
    bool is_static;
    bool migration_safe;
    bool deprecated;
} QemuMonitorCpuModel;
void qemu_monitor_cpu_model_free(QemuMonitorCpuModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorCpuModel, qemu_monitor_cpu_model_free)
/* query-cpu-definitions: a new array of QemuMonitorCpuModel. */
int qemu_monitor_json_query_cpu_definitions(QemuMonitor *mon, GPtrArray **ret_models);

/* ---- Migration ---- */

typedef enum {
    QEMU_MONITOR_MIGRATION_STATUS_NONE,
    QEMU_MONITOR_MIGRATION_STATUS_SETUP,
    QEMU_MONITOR_MIGRATION_STATUS_CANCELLING,
    QEMU_MONITOR_MIGRATION_STATUS_CANCELLED,
    QEMU_MONITOR_MIGRATION_STATUS_ACTIVE,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED,
    QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER,
    QEMU_MONITOR_MIGRATION_STATUS_COMPLETED,
    QEMU_MONITOR_MIGRATION_STATUS_FAILED,
    QEMU_MONITOR_MIGRATION_STATUS_COLO,
    QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER,
    QEMU_MONITOR_MIGRATION_STATUS_DEVICE,
    QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG,
    QEMU_MONITOR_MIGRATION_STATUS_LAST
} QemuMonitorMigrationStatus;
const char *qemu_monitor_migration_status_to_string(int status);
int qemu_monitor_migration_status_from_string(const char *str);

/* query-migrate. Members QEMU did not report are 0. */
typedef struct {
    QemuMonitorMigrationStatus status;
    char *error_desc;                     /* why it failed, or NULL */
    unsigned long long total_time;        /* ms */
    unsigned long long setup_time;        /* ms */
    unsigned long long downtime;          /* ms, when completed */
    unsigned long long expected_downtime; /* ms, while active */
    bool downtime_set, expected_downtime_set, setup_time_set;
    unsigned long long ram_transferred;
    unsigned long long ram_remaining;
    unsigned long long ram_total;
    unsigned long long ram_duplicate;
    unsigned long long ram_normal;
    unsigned long long ram_normal_bytes;
    unsigned long long ram_dirty_rate; /* pages per second */
    unsigned long long ram_page_size;
    unsigned long long ram_iteration; /* dirty-sync-count */
    unsigned long long ram_postcopy_requests;
    double ram_mbps;
    unsigned long long disk_transferred;
    unsigned long long disk_remaining;
    unsigned long long disk_total;
    int cpu_throttle_percentage;
} QemuMonitorMigrationStats;
void qemu_monitor_migration_stats_clear(QemuMonitorMigrationStats *stats);
int qemu_monitor_json_query_migrate(QemuMonitor *mon, QemuMonitorMigrationStats *ret_stats);

/* migrate: start (or with RESUME, resume a paused post-copy) to URI, detached. */
int qemu_monitor_json_migrate(QemuMonitor *mon, const char *uri, bool resume);
int qemu_monitor_json_migrate_cancel(QemuMonitor *mon);
/* migrate-continue from STATUS (e.g. "pre-switchover"). */
int qemu_monitor_json_migrate_continue(QemuMonitor *mon, QemuMonitorMigrationStatus status);
int qemu_monitor_json_migrate_incoming(QemuMonitor *mon, const char *uri);
int qemu_monitor_json_migrate_start_postcopy(QemuMonitor *mon);
int qemu_monitor_json_migrate_recover(QemuMonitor *mon, const char *uri);
int qemu_monitor_json_migrate_pause(QemuMonitor *mon);

/* migrate-set-capabilities with the pairs NAMES[i] = STATES[i]. */
int qemu_monitor_json_migrate_set_capabilities(QemuMonitor *mon, const char *const *names,
                                               const bool *states, size_t n);
/* query-migrate-capabilities: name -> GINT_TO_POINTER(state) (a new table). */
int qemu_monitor_json_query_migrate_capabilities(QemuMonitor *mon, GHashTable **ret_caps);
/* migrate-set-parameters with the members of PARAMS (an object, borrowed). */
int qemu_monitor_json_migrate_set_parameters(QemuMonitor *mon, QvirtJson *params);
/* query-migrate-parameters: the parameters object (a new reference). */
int qemu_monitor_json_query_migrate_parameters(QemuMonitor *mon, QvirtJson **ret_params);

/* ---- NBD and block devices ---- */

/* nbd-server-start listening on HOST:PORT (TCP), or on the UNIX socket PATH
 * when PATH is not NULL; TLS_CREDS (may be NULL) names a tls-creds object. */
int qemu_monitor_json_nbd_server_start(QemuMonitor *mon, const char *host, unsigned int port,
                                       const char *path, const char *tls_creds,
                                       const char *tls_authz);
int qemu_monitor_json_nbd_server_stop(QemuMonitor *mon);
/* block-export-add of type nbd: export NODE_NAME under EXPORT_NAME. */
int qemu_monitor_json_block_export_add_nbd(QemuMonitor *mon, const char *id, const char *node_name,
                                           const char *export_name, bool writable,
                                           const char *bitmap);
int qemu_monitor_json_block_export_del(QemuMonitor *mon, const char *id, bool hard);
/* blockdev-add with the members of PROPS (an object, borrowed). */
int qemu_monitor_json_blockdev_add(QemuMonitor *mon, QvirtJson *props);
int qemu_monitor_json_blockdev_del(QemuMonitor *mon, const char *node_name);

typedef struct {
    char *device; /* block backend name, or NULL ("" in QEMU) */
    char *qdev;   /* device id or QOM path, or NULL */
    bool removable;
    bool locked;
    bool tray_open;
    char *io_status; /* "ok", "failed", "nospace", or NULL */
    bool inserted;   /* has a medium; the members below are valid */
    char *node_name;
    char *filename;
    char *format; /* "drv" */
    bool read_only;
} QemuMonitorBlockInfo;
void qemu_monitor_block_info_free(QemuMonitorBlockInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorBlockInfo, qemu_monitor_block_info_free)
/* query-block: a new array of QemuMonitorBlockInfo. */
int qemu_monitor_json_query_block(QemuMonitor *mon, GPtrArray **ret_blocks);

typedef struct {
    char *node_name;
    char *driver;       /* "drv" */
    char *filename;     /* "file" */
    char *backing_file; /* or NULL */
    bool read_only;
    unsigned long long virtual_size; /* image/virtual-size */
    unsigned long long actual_size;  /* image/actual-size, 0 when unknown */
} QemuMonitorBlockNode;
void qemu_monitor_block_node_free(QemuMonitorBlockNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorBlockNode, qemu_monitor_block_node_free)
/* query-named-block-nodes (flat): a new array of QemuMonitorBlockNode. */
int qemu_monitor_json_query_named_block_nodes(QemuMonitor *mon, GPtrArray **ret_nodes);

/* ---- Block jobs ---- */

/* Options shared by the job-starting commands. Strings may be NULL. */
typedef struct {
    const char *job_id;
    unsigned long long speed; /* bytes/s, 0: unlimited */
    bool manual_finalize;     /* auto-finalize: false */
    bool manual_dismiss;      /* auto-dismiss: false */
} QemuMonitorJobOptions;

/* blockdev-mirror DEVICE (node or job device) to the node TARGET; SYNC is
 * "full", "top" or "none"; GRANULARITY and BUF_SIZE 0 mean QEMU's default. */
int qemu_monitor_json_blockdev_mirror(QemuMonitor *mon, const QemuMonitorJobOptions *opts,
                                      const char *device, const char *target, const char *sync,
                                      unsigned int granularity, unsigned long long buf_size,
                                      bool write_blocking);
/* block-stream into DEVICE from BASE_NODE (NULL: everything). */
int qemu_monitor_json_block_stream(QemuMonitor *mon, const QemuMonitorJobOptions *opts,
                                   const char *device, const char *base_node,
                                   const char *backing_file);
/* block-commit TOP_NODE (NULL: the active layer) of DEVICE into BASE_NODE. */
int qemu_monitor_json_block_commit(QemuMonitor *mon, const QemuMonitorJobOptions *opts,
                                   const char *device, const char *top_node, const char *base_node,
                                   const char *backing_file);
int qemu_monitor_json_block_job_cancel(QemuMonitor *mon, const char *device, bool force);
int qemu_monitor_json_block_job_complete(QemuMonitor *mon, const char *device);
int qemu_monitor_json_block_job_set_speed(QemuMonitor *mon, const char *device,
                                          unsigned long long speed);

typedef struct {
    char *device; /* the job id */
    char *type;   /* "mirror", "stream", "commit", ... */
    char *status; /* job status: "running", "ready", "concluded", ... */
    unsigned long long len;
    unsigned long long offset;
    unsigned long long speed;
    bool busy;
    bool paused;
    bool ready;
    bool auto_finalize;
    bool auto_dismiss;
    char *io_status; /* or NULL */
    char *error;     /* or NULL */
} QemuMonitorBlockJobInfo;
void qemu_monitor_block_job_info_free(QemuMonitorBlockJobInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorBlockJobInfo, qemu_monitor_block_job_info_free)
/* query-block-jobs: a new array of QemuMonitorBlockJobInfo. */
int qemu_monitor_json_query_block_jobs(QemuMonitor *mon, GPtrArray **ret_jobs);

typedef struct {
    char *id;
    char *type;
    char *status;
    unsigned long long current_progress;
    unsigned long long total_progress;
    char *error; /* or NULL */
} QemuMonitorJobInfo;
void qemu_monitor_job_info_free(QemuMonitorJobInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorJobInfo, qemu_monitor_job_info_free)
/* query-jobs: a new array of QemuMonitorJobInfo. */
int qemu_monitor_json_query_jobs(QemuMonitor *mon, GPtrArray **ret_jobs);
int qemu_monitor_json_job_dismiss(QemuMonitor *mon, const char *id);
int qemu_monitor_json_job_finalize(QemuMonitor *mon, const char *id);
int qemu_monitor_json_job_complete(QemuMonitor *mon, const char *id);

/* ---- Memory, dump and objects ---- */

/* balloon: set the guest's memory target in bytes. */
int qemu_monitor_json_balloon(QemuMonitor *mon, unsigned long long bytes);
/* query-balloon: the guest's current memory in bytes. */
int qemu_monitor_json_query_balloon(QemuMonitor *mon, unsigned long long *ret_actual);
/* dump-guest-memory to PROTOCOL ("fd:name", "file:path"), detached; FORMAT
 * NULL is the ELF default. */
int qemu_monitor_json_dump_guest_memory(QemuMonitor *mon, const char *protocol, const char *format,
                                        bool paging);

typedef struct {
    char *status; /* "none", "active", "completed", "failed" */
    unsigned long long completed;
    unsigned long long total;
} QemuMonitorDumpStats;
void qemu_monitor_dump_stats_clear(QemuMonitorDumpStats *stats);
int qemu_monitor_json_query_dump(QemuMonitor *mon, QemuMonitorDumpStats *ret_stats);
/* object-add with the members of PROPS (an object with "qom-type" and "id"). */
int qemu_monitor_json_object_add(QemuMonitor *mon, QvirtJson *props);
int qemu_monitor_json_object_del(QemuMonitor *mon, const char *id);

/* ---- Passthrough ---- */

/* human-monitor-command: the HMP output, with "\r\n" turned into "\n". */
int qemu_monitor_json_human_command(QemuMonitor *mon, const char *cmdline, char **ret_output);
/* qemu-monitor-command: send the user's JSON text CMD (an object with
 * "execute") as it is, and return the reply as JSON text. The user's "id"
 * is replaced on the wire by the monitor's own and put back in the reply.
 * A QMP error reply is returned, not reported. */
int qemu_monitor_json_raw_command(QemuMonitor *mon, const char *cmd, char **ret_reply);

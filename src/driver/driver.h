/* driver.h: the hypervisor driver table, the state driver interface and the
 * registry of drivers.
 *
 * Contract:
 * - A hypervisor driver is a HypervisorDriver: a name and function pointers.
 *   A NULL entry means "not supported": the public API (api.h) then fails
 *   with NO_SUPPORT and never calls the driver. The table must stay valid
 *   for the life of the process (a static const in the driver module).
 * - The public API has already checked what it can before calling an entry:
 *   handles are not NULL, pointers to results are not NULL, flags hold only
 *   bits libvirt defines for that call, and mutating calls are refused on
 *   read-only connections. Drivers still check which of those flags they
 *   support (QV_CHECK_FLAGS) and everything about the domain.
 * - An entry that fails reports one error and returns -1 or NULL, exactly
 *   like every other qvirt function.
 * - connect_open decides from the parsed URI whether it serves it: it
 *   returns QVIRT_DRV_OPEN_DECLINED (nothing reported, nothing kept) for a
 *   URI that is not its own, QVIRT_DRV_OPEN_ERROR with an error for its own
 *   URI that it cannot serve, and QVIRT_DRV_OPEN_SUCCESS having set
 *   conn->private_data as it likes. Local drivers are only offered local
 *   URIs (qv_uri_is_remote() false), in registration order; drivers marked
 *   `remote` are tried after them and get every URI.
 * - A state driver holds daemon-wide work: state_initialize runs once at
 *   daemon start before any connection (loading status files, reconnecting
 *   to running guests), state_cleanup at shutdown, state_reload on SIGHUP.
 * - The registry is filled at start (module registration functions call
 *   qv_driver_register()) and only read afterwards. */
#pragma once

#include <glib.h>

#include "driver/blockjob.h"
#include "driver/connect.h"
#include "driver/migrate.h"
#include "driver/save.h"
#include "driver/typedparams.h"
#include "driver/uri.h"

/* ---- results of connect_open ---- */

#define QVIRT_DRV_OPEN_SUCCESS 0
#define QVIRT_DRV_OPEN_ERROR (-1)
#define QVIRT_DRV_OPEN_DECLINED (-2)

/* ---- libvirt's flag values, per call ---- */

/* virConnectListAllDomainsFlags: the DOMAIN_LIST_* bits of conf/domain_obj_list.h. */
#define QV_CONNECT_LIST_DOMAINS_ALL 0xffffU

/* virDomainCreateFlags (create_with_flags, create_xml). */
typedef enum {
    QV_DOMAIN_START_PAUSED = 1 << 0,
    QV_DOMAIN_START_AUTODESTROY = 1 << 1,
    QV_DOMAIN_START_BYPASS_CACHE = 1 << 2,
    QV_DOMAIN_START_FORCE_BOOT = 1 << 3,
    QV_DOMAIN_START_VALIDATE = 1 << 4,
    QV_DOMAIN_START_RESET_NVRAM = 1 << 5,
} QvDomainCreateFlags;
#define QV_DOMAIN_START_ALL 0x3fU

/* virDomainDefineFlags. */
#define QV_DOMAIN_DEFINE_VALIDATE 1U

/* virDomainUndefineFlagsValues. */
typedef enum {
    QV_DOMAIN_UNDEFINE_MANAGED_SAVE = 1 << 0,
    QV_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = 1 << 1,
    QV_DOMAIN_UNDEFINE_NVRAM = 1 << 2,
    QV_DOMAIN_UNDEFINE_KEEP_NVRAM = 1 << 3,
    QV_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA = 1 << 4,
    QV_DOMAIN_UNDEFINE_TPM = 1 << 5,
    QV_DOMAIN_UNDEFINE_KEEP_TPM = 1 << 6,
} QvDomainUndefineFlags;
#define QV_DOMAIN_UNDEFINE_ALL 0x7fU

/* virDomainDestroyFlagsValues. */
typedef enum {
    QV_DOMAIN_DESTROY_GRACEFUL = 1 << 0,
    QV_DOMAIN_DESTROY_REMOVE_LOGS = 1 << 1,
} QvDomainDestroyFlags;
#define QV_DOMAIN_DESTROY_ALL 0x3U

/* virDomainShutdownFlagValues, also used by reboot (virDomainRebootFlagValues). */
typedef enum {
    QV_DOMAIN_SHUTDOWN_ACPI_POWER_BTN = 1 << 0,
    QV_DOMAIN_SHUTDOWN_GUEST_AGENT = 1 << 1,
    QV_DOMAIN_SHUTDOWN_INITCTL = 1 << 2,
    QV_DOMAIN_SHUTDOWN_SIGNAL = 1 << 3,
    QV_DOMAIN_SHUTDOWN_PARAVIRT = 1 << 4,
} QvDomainShutdownFlags;
#define QV_DOMAIN_SHUTDOWN_ALL 0x1fU

/* virDomainXMLFlags. */
typedef enum {
    QV_DOMAIN_XML_SECURE = 1 << 0,
    QV_DOMAIN_XML_INACTIVE = 1 << 1,
    QV_DOMAIN_XML_UPDATE_CPU = 1 << 2,
    QV_DOMAIN_XML_MIGRATABLE = 1 << 3,
} QvDomainXMLFlags;
#define QV_DOMAIN_XML_ALL 0xfU

/* virDomainGetJobStatsFlags. */
typedef enum {
    QV_DOMAIN_JOB_STATS_COMPLETED = 1 << 0,
    QV_DOMAIN_JOB_STATS_KEEP_COMPLETED = 1 << 1,
} QvDomainJobStatsFlags;
#define QV_DOMAIN_JOB_STATS_ALL 0x3U

/* virDomainAbortJobFlagsValues. */
#define QV_DOMAIN_ABORT_JOB_POSTCOPY 1U

/* virDomainQemuMonitorCommandFlags. */
#define QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP 1U

/* virDomainJobType: what job info and job stats report. */
typedef enum {
    QV_DOMAIN_JOB_NONE = 0,
    QV_DOMAIN_JOB_BOUNDED = 1,
    QV_DOMAIN_JOB_UNBOUNDED = 2,
    QV_DOMAIN_JOB_COMPLETED = 3,
    QV_DOMAIN_JOB_FAILED = 4,
    QV_DOMAIN_JOB_CANCELLED = 5,
} QvDomainJobType;

/* virDrvFeature numbers (SUPPORTS_FEATURE). */
typedef enum {
    QV_DRV_FEATURE_MIGRATION_V1 = 1,
    QV_DRV_FEATURE_REMOTE = 2,
    QV_DRV_FEATURE_MIGRATION_V2 = 3,
    QV_DRV_FEATURE_MIGRATION_P2P = 4,
    QV_DRV_FEATURE_MIGRATION_DIRECT = 5,
    QV_DRV_FEATURE_MIGRATION_V3 = 6,
    QV_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION = 7,
    QV_DRV_FEATURE_FD_PASSING = 8,
    QV_DRV_FEATURE_TYPED_PARAM_STRING = 9,
    QV_DRV_FEATURE_PROGRAM_KEEPALIVE = 10,
    QV_DRV_FEATURE_XML_MIGRATABLE = 11,
    QV_DRV_FEATURE_MIGRATION_OFFLINE = 12,
    QV_DRV_FEATURE_MIGRATION_PARAMS = 13,
    QV_DRV_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    QV_DRV_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
} QvDrvFeature;

/* ---- results ---- */

/* virDomainInfo, with wider fields. */
typedef struct {
    int state; /* DomainState (conf/domain_state.h) */
    unsigned long long max_mem_kib;
    unsigned long long memory_kib;
    unsigned int nr_virt_cpu;
    unsigned long long cpu_time_ns;
} QvDomainInfo;

/* virNodeInfo. */
typedef struct {
    char model[32];
    unsigned long long memory_kib;
    unsigned int cpus;
    unsigned int mhz;
    unsigned int nodes;
    unsigned int sockets; /* per node */
    unsigned int cores;   /* per socket */
    unsigned int threads; /* per core */
} QvNodeInfo;

/* virDomainJobInfo: times in milliseconds, sizes in bytes. */
typedef struct {
    int type; /* QvDomainJobType */
    unsigned long long time_elapsed_ms;
    unsigned long long time_remaining_ms;
    unsigned long long data_total;
    unsigned long long data_processed;
    unsigned long long data_remaining;
    unsigned long long mem_total;
    unsigned long long mem_processed;
    unsigned long long mem_remaining;
    unsigned long long file_total;
    unsigned long long file_processed;
    unsigned long long file_remaining;
} QvDomainJobInfo;

/* ---- the table ---- */

struct _HypervisorDriver {
    const char *name; /* "qemu", "test": the module and URI scheme name */
    gboolean remote;  /* a client-side driver: offered remote URIs, tried last */

    /* The URI to open when the caller gives none (e.g. qemu:///session for
     * an unprivileged daemon): a new string, or NULL to pass. Optional. */
    char *(*connect_uri_probe)(void);
    int (*connect_open)(QvConnect *conn, const QvUri *uri, unsigned int flags);
    int (*connect_close)(QvConnect *conn);
    const char *(*connect_get_type)(QvConnect *conn);
    int (*connect_get_version)(QvConnect *conn, unsigned long long *ret_version);
    char *(*connect_get_hostname)(QvConnect *conn);
    char *(*connect_get_capabilities)(QvConnect *conn);
    int (*connect_get_max_vcpus)(QvConnect *conn, const char *type);
    int (*node_get_info)(QvConnect *conn, QvNodeInfo *ret_info);
    /* Returns the number of domains and a NULL-terminated array of handles. */
    int (*connect_list_all_domains)(QvConnect *conn, QvDomain ***ret_domains, unsigned int flags);
    int (*connect_num_of_domains)(QvConnect *conn);
    int (*connect_list_domains)(QvConnect *conn, int *ids, int maxids);
    int (*connect_num_of_defined_domains)(QvConnect *conn);
    /* NAMES receives up to MAXNAMES new strings. */
    int (*connect_list_defined_domains)(QvConnect *conn, char **names, int maxnames);
    /* 1 supported, 0 not. */
    int (*connect_supports_feature)(QvConnect *conn, int feature);
    char *(*connect_domain_xml_to_native)(QvConnect *conn, const char *format, const char *xml,
                                          unsigned int flags);

    QvDomain *(*domain_lookup_by_id)(QvConnect *conn, int id);
    QvDomain *(*domain_lookup_by_name)(QvConnect *conn, const char *name);
    QvDomain *(*domain_lookup_by_uuid)(QvConnect *conn, const unsigned char *uuid);
    QvDomain *(*domain_define_xml_flags)(QvConnect *conn, const char *xml, unsigned int flags);
    int (*domain_undefine_flags)(QvDomain *dom, unsigned int flags);
    int (*domain_create_with_flags)(QvDomain *dom, unsigned int flags);
    QvDomain *(*domain_create_xml)(QvConnect *conn, const char *xml, unsigned int flags);
    int (*domain_destroy_flags)(QvDomain *dom, unsigned int flags);
    int (*domain_shutdown_flags)(QvDomain *dom, unsigned int flags);
    int (*domain_reboot)(QvDomain *dom, unsigned int flags);
    int (*domain_reset)(QvDomain *dom, unsigned int flags);
    int (*domain_suspend)(QvDomain *dom);
    int (*domain_resume)(QvDomain *dom);
    int (*domain_get_info)(QvDomain *dom, QvDomainInfo *ret_info);
    int (*domain_get_state)(QvDomain *dom, int *ret_state, int *ret_reason, unsigned int flags);
    char *(*domain_get_xml_desc)(QvDomain *dom, unsigned int flags);
    int (*domain_get_autostart)(QvDomain *dom, int *ret_autostart);
    int (*domain_set_autostart)(QvDomain *dom, int autostart);
    /* 1 or 0. */
    int (*domain_is_active)(QvDomain *dom);
    int (*domain_is_persistent)(QvDomain *dom);

    int (*domain_get_job_info)(QvDomain *dom, QvDomainJobInfo *ret_info);
    /* *RET_TYPE is a QvDomainJobType; *RET_PARAMS a new array. */
    int (*domain_get_job_stats)(QvDomain *dom, int *ret_type, QvTypedParam **ret_params,
                                int *ret_nparams, unsigned int flags);
    int (*domain_abort_job_flags)(QvDomain *dom, unsigned int flags);

    /* QMP passthrough (HMP with QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP). */
    int (*domain_qemu_monitor_command)(QvDomain *dom, const char *cmd, char **ret_result,
                                       unsigned int flags);

    /* ---- migration, version 3 with parameters (driver/migrate.h) ----
     * Cookies are byte strings (*RET_COOKIE_OUT new, may be NULL with
     * length 0). DCONN is the destination connection; DCONNURI the
     * destination daemon's URI for peer-to-peer (NULL otherwise). */
    /* Source: the migratable XML (new string) and the Begin cookie. */
    char *(*domain_migrate_begin3_params)(QvDomain *dom, const QvTypedParam *params, int nparams,
                                          char **ret_cookie_out, int *ret_cookie_outlen,
                                          unsigned int flags);
    /* Destination: *RET_URI_OUT (new, may be NULL) is where the source
     * sends the migration stream when the parameters gave none. */
    int (*domain_migrate_prepare3_params)(QvConnect *dconn, const QvTypedParam *params,
                                          int nparams, const char *cookie_in, int cookie_inlen,
                                          char **ret_cookie_out, int *ret_cookie_outlen,
                                          char **ret_uri_out, unsigned int flags);
    int (*domain_migrate_perform3_params)(QvDomain *dom, const char *dconnuri,
                                          const QvTypedParam *params, int nparams,
                                          const char *cookie_in, int cookie_inlen,
                                          char **ret_cookie_out, int *ret_cookie_outlen,
                                          unsigned int flags);
    /* Destination: the migrated domain, or NULL (also when CANCELLED). */
    QvDomain *(*domain_migrate_finish3_params)(QvConnect *dconn, const QvTypedParam *params,
                                               int nparams, const char *cookie_in,
                                               int cookie_inlen, char **ret_cookie_out,
                                               int *ret_cookie_outlen, unsigned int flags,
                                               int cancelled);
    int (*domain_migrate_confirm3_params)(QvDomain *dom, const QvTypedParam *params, int nparams,
                                          const char *cookie_in, int cookie_inlen,
                                          unsigned int flags, int cancelled);
    int (*domain_migrate_set_max_downtime)(QvDomain *dom, unsigned long long downtime_ms,
                                           unsigned int flags);
    int (*domain_migrate_get_max_downtime)(QvDomain *dom, unsigned long long *ret_downtime_ms,
                                           unsigned int flags);
    /* MiB/s; QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY for the post-copy phase. */
    int (*domain_migrate_set_max_speed)(QvDomain *dom, unsigned long long bandwidth_mibs,
                                        unsigned int flags);
    int (*domain_migrate_get_max_speed)(QvDomain *dom, unsigned long long *ret_bandwidth_mibs,
                                        unsigned int flags);
    int (*domain_migrate_start_post_copy)(QvDomain *dom, unsigned int flags);

    /* ---- block jobs (driver/blockjob.h); DISK is a target ("vda") or a
     * source path; BANDWIDTH is MiB/s unless a BANDWIDTH_BYTES flag ---- */
    int (*domain_block_pull)(QvDomain *dom, const char *disk, unsigned long long bandwidth,
                             unsigned int flags);
    /* BASE may be NULL; with QV_DOMAIN_BLOCK_REBASE_COPY it is the copy's
     * destination path (libvirt's blockcopy through BlockRebase). */
    int (*domain_block_rebase)(QvDomain *dom, const char *disk, const char *base,
                               unsigned long long bandwidth, unsigned int flags);
    /* BASE and TOP may be NULL (the chain's base / the active layer). */
    int (*domain_block_commit)(QvDomain *dom, const char *disk, const char *base,
                               const char *top, unsigned long long bandwidth, unsigned int flags);
    /* DESTXML: a <disk> (or <disk type='file'><source file=.../>) for the copy. */
    int (*domain_block_copy)(QvDomain *dom, const char *disk, const char *destxml,
                             const QvTypedParam *params, int nparams, unsigned int flags);
    int (*domain_block_job_abort)(QvDomain *dom, const char *disk, unsigned int flags);
    /* 1 and *RET_INFO when DISK has a job, 0 when not (RET_INFO zeroed). */
    int (*domain_get_block_job_info)(QvDomain *dom, const char *disk,
                                     QvDomainBlockJobInfo *ret_info, unsigned int flags);
    int (*domain_block_job_set_speed)(QvDomain *dom, const char *disk,
                                      unsigned long long bandwidth, unsigned int flags);

    /* ---- save, restore, managed save and core dump (driver/save.h) ----
     * TO and FROM are paths on the daemon's host; DXML may be NULL (else an
     * alternative definition of the same domain for the restored guest). */
    int (*domain_save_flags)(QvDomain *dom, const char *to, const char *dxml, unsigned int flags);
    int (*domain_restore_flags)(QvConnect *conn, const char *from, const char *dxml,
                                unsigned int flags);
    int (*domain_managed_save)(QvDomain *dom, unsigned int flags);
    /* 1 when DOM has a managed save image, 0 when not. */
    int (*domain_has_managed_save_image)(QvDomain *dom, unsigned int flags);
    int (*domain_managed_save_remove)(QvDomain *dom, unsigned int flags);
    /* DUMPFORMAT is a QvDomainCoreDumpFormat; FLAGS QvDomainCoreDumpFlags. */
    int (*domain_core_dump_with_format)(QvDomain *dom, const char *to, unsigned int dumpformat,
                                        unsigned int flags);

    /* Later additions go here, at the end. */
};

/* Daemon-wide hooks of a driver; every entry is optional. Each returns 0, or
 * -1 with an error reported. */
typedef struct {
    const char *name;
    /* PRIVILEGED: the system daemon (root). ROOT_DIR: prefix of every
     * folder the driver uses, or NULL for the normal ones. */
    int (*state_initialize)(gboolean privileged, const char *root_dir);
    int (*state_cleanup)(void);
    int (*state_reload)(void);
} QvStateDriver;

/* Register DRIVER (and STATE, which may be NULL). Both must outlive the
 * process. INTERNAL_ERROR for a table without a name or connect_open, a
 * name already registered, or a full registry. */
int qv_driver_register(const HypervisorDriver *driver, const QvStateDriver *state);

/* The registered driver named NAME (case-insensitive), or NULL. */
const HypervisorDriver *qv_driver_find(const char *name);

/* Run state_initialize of every registered state driver, in registration
 * order. When one fails, the ones already initialized are cleaned up (in
 * reverse order) and its error is returned. */
int qv_driver_state_initialize(gboolean privileged, const char *root_dir);
/* state_cleanup of every initialized state driver, in reverse order. All
 * run; returns -1 (the first error kept) if any failed. */
int qv_driver_state_cleanup(void);
/* state_reload of every initialized state driver; all run; -1 if any failed. */
int qv_driver_state_reload(void);

/* For drivers: report INVALID_ARG "unsupported flags (0x..) in function F"
 * and return FALSE when FLAGS has bits outside SUPPORTED. */
gboolean qv_driver_check_flags(unsigned int flags, unsigned int supported, const char *func);
#define QV_CHECK_FLAGS(flags, supported, retval)                                                   \
    do {                                                                                           \
        if (!qv_driver_check_flags((flags), (supported), __func__))                                \
            return (retval);                                                                       \
    } while (0)

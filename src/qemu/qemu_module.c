/* qemu_module.c: the QEMU driver as a loadable module: the framework's
 * HypervisorDriver table and state driver over the entry points of
 * qemu_driver.h, and the registration function qvirt_driver_qemu_register.
 *
 * Contract: a thin index. Each entry turns the domain handle into the
 * domain object (looked up again by UUID: NO_DOMAIN when it is gone), calls
 * the matching qemu_driver_*() (or, for migration and job abort,
 * qemu_migration_*()) function and turns the result back into handles. A
 * closing connection gives up the migrations it drove (the incoming ones
 * it prepared, the outgoing ones it began). The state driver makes the one
 * QemuDriver of the process (state_initialize: register the migration
 * phases, read qemu.conf, reconnect, autostart) and frees it at
 * state_cleanup, leaving every QEMU running. The driver serves
 * qemu:///system in a privileged daemon and qemu:///session otherwise. */
#include <config.h>

#include <string.h>

#include "conf/domain_job.h"
#include "driver/driver.h"
#include "driver/event.h"
#include "driver/jobstats.h"
#include "driver/module.h"
#include "qemu/qemu_blockjob.h"
#include "qemu/qemu_dump.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_host.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_save.h"
#include "util/error.h"
#include "util/log.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.module");

QV_DRIVER_MODULE_DECLARE(qemu);

static const HypervisorDriver qemu_hypervisor_driver;

/* The process's QEMU driver, between state_initialize and state_cleanup. */
static GMutex qemu_state_lock;
static QemuDriver *qemu_state;
static gboolean qemu_state_privileged;

static void
qemu_module_event(const QemuDriverEvent *event, gpointer opaque)
{
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type;
    QvEvent *ev;

    switch (event->event_id) {
    case QV_DOMAIN_EVENT_ID_REBOOT:
        ev = qv_event_new_reboot(&qemu_hypervisor_driver, event->name, event->uuid, event->id);
        break;
    case QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        ev = qv_event_new_migration_iteration(&qemu_hypervisor_driver, event->name, event->uuid,
                                              event->id, event->iteration);
        break;
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB:
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        ev = qv_event_new_block_job(&qemu_hypervisor_driver, event->name, event->uuid, event->id,
                                    event->event_id, event->disk, event->type, event->detail);
        break;
    case QV_DOMAIN_EVENT_ID_JOB_COMPLETED:
        if (!event->stats)
            return;
        qv_job_stats_to_params(event->stats, &type, &params, &nparams);
        ev = qv_event_new_job_completed(&qemu_hypervisor_driver, event->name, event->uuid,
                                        event->id, params, nparams);
        break;
    default:
        ev = qv_event_new_lifecycle(&qemu_hypervisor_driver, event->name, event->uuid, event->id,
                                    event->type, event->detail);
        break;
    }
    qv_event_queue_push(ev);
}

/* ---- state driver ---- */

static int
qemu_state_initialize(gboolean privileged, const char *root_dir)
{
    g_autoptr(QemuDriverConfig) cfg = NULL;
    QemuDriver *driver;

    g_mutex_lock(&qemu_state_lock);
    if (qemu_state) {
        g_mutex_unlock(&qemu_state_lock);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("the QEMU driver is already running"));
        return -1;
    }
    g_mutex_unlock(&qemu_state_lock);

    /* Status files of migrating domains name these phases. */
    qemu_migration_register_phases();
    if (!(cfg = qemu_driver_config_new(privileged, root_dir)) ||
        qemu_driver_config_load_file(cfg, NULL) < 0 || !(driver = qemu_driver_new(cfg)))
        return -1;
    qemu_driver_set_event_func(driver, qemu_module_event, NULL);
    if (qemu_driver_start(driver, TRUE) < 0) {
        qemu_driver_free(driver);
        return -1;
    }
    g_mutex_lock(&qemu_state_lock);
    qemu_state = driver;
    qemu_state_privileged = privileged;
    g_mutex_unlock(&qemu_state_lock);
    return 0;
}

static int
qemu_state_cleanup(void)
{
    QemuDriver *driver;

    g_mutex_lock(&qemu_state_lock);
    driver = g_steal_pointer(&qemu_state);
    g_mutex_unlock(&qemu_state_lock);
    qemu_driver_free(driver);
    return 0;
}

static const QvStateDriver qemu_state_driver = {
    .name = "qemu",
    .state_initialize = qemu_state_initialize,
    .state_cleanup = qemu_state_cleanup,
};

/* ---- connections ---- */

static char *
qemu_connect_uri_probe(void)
{
    char *uri = NULL;

    g_mutex_lock(&qemu_state_lock);
    if (qemu_state)
        uri = g_strdup(qemu_state_privileged ? "qemu:///system" : "qemu:///session");
    g_mutex_unlock(&qemu_state_lock);
    return uri;
}

static int
qemu_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    const char *want;

    if (strcmp(uri->driver, "qemu") != 0)
        return QVIRT_DRV_OPEN_DECLINED;
    g_mutex_lock(&qemu_state_lock);
    if (!qemu_state) {
        g_mutex_unlock(&qemu_state_lock);
        qvirt_report_error(QVIRT_ERR_NO_CONNECT,
                           _("the QEMU driver is not running in this process"));
        return QVIRT_DRV_OPEN_ERROR;
    }
    want = qemu_state_privileged ? "/system" : "/session";
    if (strcmp(uri->path, want) != 0) {
        g_mutex_unlock(&qemu_state_lock);
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("unexpected QEMU URI path '%s': this daemon serves qemu://%s"),
                           uri->path, want);
        return QVIRT_DRV_OPEN_ERROR;
    }
    conn->private_data = qemu_state;
    g_mutex_unlock(&qemu_state_lock);
    return QVIRT_DRV_OPEN_SUCCESS;
}

static int
qemu_connect_close(QvConnect *conn)
{
    /* Incoming migrations whose lease this connection held die with it. */
    if (conn->private_data) {
        qemu_migration_dst_connection_closed(conn->private_data, conn);
        qemu_migration_src_connection_closed(conn->private_data, conn);
    }
    conn->private_data = NULL;
    return 0;
}

static const char *
qemu_connect_get_type(QvConnect *conn)
{
    return "QEMU";
}

static char *
qemu_connect_get_hostname(QvConnect *conn)
{
    return g_strdup(g_get_host_name());
}

static int
qemu_connect_get_version(QvConnect *conn, unsigned long long *ret_version)
{
    QemuDriver *driver = conn->private_data;
    g_autoptr(QemuCaps) caps = qemu_caps_cache_lookup(driver->caps_cache, driver->config->emulator);

    if (!caps)
        return -1;
    *ret_version = qemu_caps_get_version(caps);
    return 0;
}

static char *
qemu_connect_get_capabilities(QvConnect *conn)
{
    QemuDriver *driver = conn->private_data;
    g_autoptr(QemuCaps) caps = qemu_caps_cache_lookup(driver->caps_cache, driver->config->emulator);
    g_autoptr(Capabilities) host = NULL;

    if (!caps)
        return NULL;
    host = qemu_host_capabilities(caps, driver->config->emulator);
    return capabilities_format(host);
}

static int
qemu_connect_get_max_vcpus(QvConnect *conn, const char *type)
{
    QemuDriver *driver = conn->private_data;
    g_autoptr(QemuCaps) caps = NULL;
    unsigned int max;

    if (type && g_ascii_strcasecmp(type, "qemu") != 0 && g_ascii_strcasecmp(type, "kvm") != 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unknown domain type '%s'"), type);
        return -1;
    }
    if (!(caps = qemu_caps_cache_lookup(driver->caps_cache, driver->config->emulator)))
        return -1;
    if ((max = qemu_host_max_vcpus(caps)) == 0) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("QEMU '%s' reports no vCPU limit"),
                           driver->config->emulator);
        return -1;
    }
    return (int)max;
}

static int
qemu_node_get_info(QvConnect *conn, QvNodeInfo *ret_info)
{
    QemuHostNode node;
    QvNodeInfo info;

    if (qemu_host_node_info(&node) < 0)
        return -1;
    memset(&info, 0, sizeof(info));
    g_strlcpy(info.model, "x86_64", sizeof(info.model));
    info.memory_kib = node.memory_kib;
    info.cpus = node.cpus;
    info.mhz = node.mhz;
    info.nodes = 1;
    info.sockets = 1;
    info.cores = node.cpus;
    info.threads = 1;
    *ret_info = info;
    return 0;
}

static int
qemu_connect_supports_feature(QvConnect *conn, int feature)
{
    switch (feature) {
    case QV_DRV_FEATURE_MIGRATION_V3:
    case QV_DRV_FEATURE_MIGRATION_PARAMS:
    case QV_DRV_FEATURE_MIGRATION_P2P:
    case QV_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION:
    case QV_DRV_FEATURE_XML_MIGRATABLE:
        return 1;
    default:
        return 0;
    }
}

static char *
qemu_connect_domain_xml_to_native(QvConnect *conn, const char *format, const char *xml,
                                  unsigned int flags)
{
    return qemu_driver_domain_xml_to_native(conn->private_data, format, xml, flags);
}

/* ---- handles ---- */

static QvDomain *
qemu_handle(QvConnect *conn, DomainObj *vm)
{
    QvDomain *dom;

    domain_obj_lock(vm);
    dom = qv_domain_new(conn, vm->def->name, vm->def->uuid, vm->def->id);
    domain_obj_unlock(vm);
    return dom;
}

/* A handle for VM (a reference, taken), or NULL when VM is NULL. */
static QvDomain *
qemu_handle_take(QvConnect *conn, DomainObj *vm)
{
    QvDomain *dom;

    if (!vm)
        return NULL;
    dom = qemu_handle(conn, vm);
    domain_obj_unref(vm);
    return dom;
}

static DomainObj *
qemu_domain_get(QvDomain *dom)
{
    DomainObj *vm = qemu_driver_lookup_by_uuid(dom->conn->private_data, dom->uuid);
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    if (!vm) {
        qvirt_uuid_format(dom->uuid, uuidstr);
        qvirt_error_reset();
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("no domain with matching uuid '%s' (%s)"),
                           uuidstr, dom->name);
    }
    return vm;
}

static int
qemu_connect_list_all_domains(QvConnect *conn, QvDomain ***ret_domains, unsigned int flags)
{
    QemuDriver *driver = conn->private_data;
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(driver->domains, flags, NULL);
    GPtrArray *doms;
    int count;

    if (!vms)
        return -1;
    doms = g_ptr_array_new();
    for (guint i = 0; i < vms->len; i++)
        g_ptr_array_add(doms, qemu_handle(conn, g_ptr_array_index(vms, i)));
    count = doms->len;
    g_ptr_array_add(doms, NULL);
    *ret_domains = (QvDomain **)g_ptr_array_free(doms, FALSE);
    return count;
}

static int
qemu_connect_num_of_domains(QvConnect *conn)
{
    QemuDriver *driver = conn->private_data;

    return domain_obj_list_num_of_domains(driver->domains, TRUE);
}

static int
qemu_connect_num_of_defined_domains(QvConnect *conn)
{
    QemuDriver *driver = conn->private_data;

    return domain_obj_list_num_of_domains(driver->domains, FALSE);
}

static int
qemu_connect_list_domains(QvConnect *conn, int *ids, int maxids)
{
    QemuDriver *driver = conn->private_data;
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(driver->domains, DOMAIN_LIST_ACTIVE, NULL);
    int n = 0;

    for (guint i = 0; vms && i < vms->len && n < maxids; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);

        domain_obj_lock(vm);
        if (domain_obj_is_active(vm))
            ids[n++] = vm->def->id;
        domain_obj_unlock(vm);
    }
    return n;
}

static int
qemu_connect_list_defined_domains(QvConnect *conn, char **names, int maxnames)
{
    QemuDriver *driver = conn->private_data;
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(driver->domains, DOMAIN_LIST_INACTIVE, NULL);
    int n = 0;

    for (guint i = 0; vms && i < vms->len && n < maxnames; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);

        domain_obj_lock(vm);
        if (!domain_obj_is_active(vm))
            names[n++] = g_strdup(vm->def->name);
        domain_obj_unlock(vm);
    }
    return n;
}

/* ---- lookups and definitions ---- */

static QvDomain *
qemu_domain_lookup_by_id(QvConnect *conn, int id)
{
    return qemu_handle_take(conn, qemu_driver_lookup_by_id(conn->private_data, id));
}

static QvDomain *
qemu_domain_lookup_by_name(QvConnect *conn, const char *name)
{
    return qemu_handle_take(conn, qemu_driver_lookup_by_name(conn->private_data, name));
}

static QvDomain *
qemu_domain_lookup_by_uuid(QvConnect *conn, const unsigned char *uuid)
{
    return qemu_handle_take(conn, qemu_driver_lookup_by_uuid(conn->private_data, uuid));
}

static QvDomain *
qemu_domain_define_xml_flags(QvConnect *conn, const char *xml, unsigned int flags)
{
    return qemu_handle_take(conn, qemu_driver_define_xml(conn->private_data, xml, flags));
}

static int
qemu_domain_restore_flags(QvConnect *conn, const char *from, const char *dxml, unsigned int flags)
{
    return qemu_save_restore(conn->private_data, from, dxml, flags);
}

static QvDomain *
qemu_domain_create_xml(QvConnect *conn, const char *xml, unsigned int flags)
{
    return qemu_handle_take(conn, qemu_driver_create_xml(conn->private_data, xml, flags));
}

/* Declare an entry F(dom, ARGS) that calls qemu_driver_X(driver, vm, ARGS). */
#define QEMU_DOMAIN_ENTRY(entry, call, params, args)                                               \
    static int entry params                                                                        \
    {                                                                                              \
        g_autoptr(DomainObj) vm = qemu_domain_get(dom);                                            \
                                                                                                   \
        if (!vm)                                                                                   \
            return -1;                                                                             \
        return call args;                                                                          \
    }

QEMU_DOMAIN_ENTRY(qemu_domain_save_flags, qemu_save_domain,
                  (QvDomain * dom, const char *to, const char *dxml, unsigned int flags),
                  (dom->conn->private_data, vm, to, dxml, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_managed_save, qemu_save_managed_save,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_has_managed_save_image, qemu_save_has_managed_image,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_managed_save_remove, qemu_save_managed_remove,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_undefine_flags, qemu_driver_undefine,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_create_with_flags, qemu_driver_create,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_destroy_flags, qemu_driver_destroy,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_shutdown_flags, qemu_driver_shutdown,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_reboot, qemu_driver_reboot, (QvDomain * dom, unsigned int flags),
                  (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_reset, qemu_driver_reset, (QvDomain * dom, unsigned int flags),
                  (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_suspend, qemu_driver_suspend, (QvDomain * dom),
                  (dom->conn->private_data, vm))
QEMU_DOMAIN_ENTRY(qemu_domain_resume, qemu_driver_resume, (QvDomain * dom),
                  (dom->conn->private_data, vm))
QEMU_DOMAIN_ENTRY(qemu_domain_get_info, qemu_driver_get_info,
                  (QvDomain * dom, QvDomainInfo *ret_info), (dom->conn->private_data, vm, ret_info))
QEMU_DOMAIN_ENTRY(qemu_domain_get_state, qemu_driver_get_state,
                  (QvDomain * dom, int *ret_state, int *ret_reason, unsigned int flags),
                  (dom->conn->private_data, vm, ret_state, ret_reason, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_get_autostart, qemu_driver_get_autostart,
                  (QvDomain * dom, int *ret_autostart),
                  (dom->conn->private_data, vm, ret_autostart))
QEMU_DOMAIN_ENTRY(qemu_domain_set_autostart, qemu_driver_set_autostart,
                  (QvDomain * dom, int autostart), (dom->conn->private_data, vm, autostart))
QEMU_DOMAIN_ENTRY(qemu_domain_qemu_monitor_command, qemu_driver_monitor_command,
                  (QvDomain * dom, const char *cmd, char **ret_result, unsigned int flags),
                  (dom->conn->private_data, vm, cmd, ret_result, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_abort_job_flags, qemu_migration_abort,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_migrate_perform3_params, qemu_migration_src_perform,
                  (QvDomain * dom, const char *dconnuri, const QvTypedParam *params, int nparams,
                   const char *cookie_in, int cookie_inlen, char **ret_cookie_out,
                   int *ret_cookie_outlen, unsigned int flags),
                  (dom->conn->private_data, vm, dconnuri, params, nparams, cookie_in,
                   cookie_inlen, ret_cookie_out, ret_cookie_outlen, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_migrate_confirm3_params, qemu_migration_src_confirm,
                  (QvDomain * dom, const QvTypedParam *params, int nparams, const char *cookie_in,
                   int cookie_inlen, unsigned int flags, int cancelled),
                  (dom->conn->private_data, vm, params, nparams, cookie_in, cookie_inlen, flags,
                   cancelled))
QEMU_DOMAIN_ENTRY(qemu_domain_migrate_set_max_downtime, qemu_migration_set_max_downtime,
                  (QvDomain * dom, unsigned long long downtime_ms, unsigned int flags),
                  (dom->conn->private_data, vm, downtime_ms, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_migrate_get_max_downtime, qemu_migration_get_max_downtime,
                  (QvDomain * dom, unsigned long long *ret_downtime_ms, unsigned int flags),
                  (dom->conn->private_data, vm, ret_downtime_ms, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_migrate_set_max_speed, qemu_migration_set_max_speed,
                  (QvDomain * dom, unsigned long long bandwidth_mibs, unsigned int flags),
                  (dom->conn->private_data, vm, bandwidth_mibs, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_migrate_get_max_speed, qemu_migration_get_max_speed,
                  (QvDomain * dom, unsigned long long *ret_bandwidth_mibs, unsigned int flags),
                  (dom->conn->private_data, vm, ret_bandwidth_mibs, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_migrate_start_post_copy, qemu_migration_start_post_copy,
                  (QvDomain * dom, unsigned int flags), (dom->conn->private_data, vm, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_block_pull, qemu_blockjob_pull,
                  (QvDomain * dom, const char *disk, unsigned long long bandwidth,
                   unsigned int flags),
                  (dom->conn->private_data, vm, disk, bandwidth, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_block_rebase, qemu_blockjob_rebase,
                  (QvDomain * dom, const char *disk, const char *base,
                   unsigned long long bandwidth, unsigned int flags),
                  (dom->conn->private_data, vm, disk, base, bandwidth, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_block_commit, qemu_blockjob_commit,
                  (QvDomain * dom, const char *disk, const char *base, const char *top,
                   unsigned long long bandwidth, unsigned int flags),
                  (dom->conn->private_data, vm, disk, base, top, bandwidth, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_block_copy, qemu_blockjob_copy,
                  (QvDomain * dom, const char *disk, const char *destxml,
                   const QvTypedParam *params, int nparams, unsigned int flags),
                  (dom->conn->private_data, vm, disk, destxml, params, nparams, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_block_job_abort, qemu_blockjob_abort,
                  (QvDomain * dom, const char *disk, unsigned int flags),
                  (dom->conn->private_data, vm, disk, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_get_block_job_info, qemu_blockjob_get_info,
                  (QvDomain * dom, const char *disk, QvDomainBlockJobInfo *ret_info,
                   unsigned int flags),
                  (dom->conn->private_data, vm, disk, ret_info, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_block_job_set_speed, qemu_blockjob_set_speed,
                  (QvDomain * dom, const char *disk, unsigned long long bandwidth,
                   unsigned int flags),
                  (dom->conn->private_data, vm, disk, bandwidth, flags))
QEMU_DOMAIN_ENTRY(qemu_domain_core_dump_with_format, qemu_dump_core,
                  (QvDomain * dom, const char *to, unsigned int dumpformat, unsigned int flags),
                  (dom->conn->private_data, vm, to, dumpformat, flags))

#undef QEMU_DOMAIN_ENTRY

static char *
qemu_domain_get_xml_desc(QvDomain *dom, unsigned int flags)
{
    g_autoptr(DomainObj) vm = qemu_domain_get(dom);

    if (!vm)
        return NULL;
    return qemu_driver_get_xml_desc(dom->conn->private_data, vm, flags);
}

static int
qemu_domain_is_active(QvDomain *dom)
{
    g_autoptr(DomainObj) vm = qemu_domain_get(dom);
    int active;

    if (!vm)
        return -1;
    domain_obj_lock(vm);
    active = domain_obj_is_active(vm) ? 1 : 0;
    domain_obj_unlock(vm);
    return active;
}

static int
qemu_domain_is_persistent(QvDomain *dom)
{
    g_autoptr(DomainObj) vm = qemu_domain_get(dom);
    int persistent;

    if (!vm)
        return -1;
    domain_obj_lock(vm);
    persistent = vm->persistent ? 1 : 0;
    domain_obj_unlock(vm);
    return persistent;
}

/* Job statistics are pushed into the domain object by the job's own thread:
 * readers copy them under the object mutex and take no job. */
static int
qemu_domain_get_job_info(QvDomain *dom, QvDomainJobInfo *ret_info)
{
    g_autoptr(DomainObj) vm = qemu_domain_get(dom);
    DomainJobStats stats;

    if (!vm)
        return -1;
    domain_obj_lock(vm);
    domain_job_get_stats(vm, FALSE, &stats);
    domain_obj_unlock(vm);
    qv_job_stats_to_info(&stats, ret_info);
    return 0;
}

static int
qemu_domain_get_job_stats(QvDomain *dom, int *ret_type, QvTypedParam **ret_params,
                          int *ret_nparams, unsigned int flags)
{
    gboolean completed = (flags & QV_DOMAIN_JOB_STATS_COMPLETED) != 0;
    g_autoptr(DomainObj) vm = NULL;
    DomainJobStats stats;

    QV_CHECK_FLAGS(flags, QV_DOMAIN_JOB_STATS_ALL, -1);
    if (!(vm = qemu_domain_get(dom)))
        return -1;
    domain_obj_lock(vm);
    domain_job_get_stats(vm, completed, &stats);
    if (completed && !(flags & QV_DOMAIN_JOB_STATS_KEEP_COMPLETED))
        domain_job_clear_completed_stats(vm);
    domain_obj_unlock(vm);
    qv_job_stats_to_params(&stats, ret_type, ret_params, ret_nparams);
    return 0;
}

/* ---- migration (qemu_migration.h) ---- */

static char *
qemu_domain_migrate_begin3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                  char **ret_cookie_out, int *ret_cookie_outlen,
                                  unsigned int flags)
{
    g_autoptr(DomainObj) vm = qemu_domain_get(dom);
    char *xml;

    if (!vm)
        return NULL;
    xml = qemu_migration_src_begin(dom->conn->private_data, vm, params, nparams, ret_cookie_out,
                                   ret_cookie_outlen, flags);
    /* This connection drives the migration until Confirm. */
    if (xml)
        qemu_migration_src_lease_take(dom->uuid, dom->conn);
    return xml;
}

static int
qemu_domain_migrate_prepare3_params(QvConnect *dconn, const QvTypedParam *params, int nparams,
                                    const char *cookie_in, int cookie_inlen,
                                    char **ret_cookie_out, int *ret_cookie_outlen,
                                    char **ret_uri_out, unsigned int flags)
{
    return qemu_migration_dst_prepare(dconn->private_data, dconn, params, nparams, cookie_in,
                                      cookie_inlen, ret_cookie_out, ret_cookie_outlen,
                                      ret_uri_out, flags);
}

static QvDomain *
qemu_domain_migrate_finish3_params(QvConnect *dconn, const QvTypedParam *params, int nparams,
                                   const char *cookie_in, int cookie_inlen,
                                   char **ret_cookie_out, int *ret_cookie_outlen,
                                   unsigned int flags, int cancelled)
{
    return qemu_handle_take(dconn, qemu_migration_dst_finish(dconn->private_data, dconn, params,
                                                             nparams, cookie_in, cookie_inlen,
                                                             ret_cookie_out, ret_cookie_outlen,
                                                             flags, cancelled));
}

static const HypervisorDriver qemu_hypervisor_driver = {
    .name = "qemu",
    .connect_uri_probe = qemu_connect_uri_probe,
    .connect_open = qemu_connect_open,
    .connect_close = qemu_connect_close,
    .connect_get_type = qemu_connect_get_type,
    .connect_get_version = qemu_connect_get_version,
    .connect_get_capabilities = qemu_connect_get_capabilities,
    .connect_get_max_vcpus = qemu_connect_get_max_vcpus,
    .node_get_info = qemu_node_get_info,
    .connect_get_hostname = qemu_connect_get_hostname,
    .connect_list_all_domains = qemu_connect_list_all_domains,
    .connect_num_of_domains = qemu_connect_num_of_domains,
    .connect_list_domains = qemu_connect_list_domains,
    .connect_num_of_defined_domains = qemu_connect_num_of_defined_domains,
    .connect_list_defined_domains = qemu_connect_list_defined_domains,
    .connect_supports_feature = qemu_connect_supports_feature,
    .connect_domain_xml_to_native = qemu_connect_domain_xml_to_native,
    .domain_lookup_by_id = qemu_domain_lookup_by_id,
    .domain_lookup_by_name = qemu_domain_lookup_by_name,
    .domain_lookup_by_uuid = qemu_domain_lookup_by_uuid,
    .domain_define_xml_flags = qemu_domain_define_xml_flags,
    .domain_undefine_flags = qemu_domain_undefine_flags,
    .domain_create_with_flags = qemu_domain_create_with_flags,
    .domain_create_xml = qemu_domain_create_xml,
    .domain_destroy_flags = qemu_domain_destroy_flags,
    .domain_shutdown_flags = qemu_domain_shutdown_flags,
    .domain_reboot = qemu_domain_reboot,
    .domain_reset = qemu_domain_reset,
    .domain_suspend = qemu_domain_suspend,
    .domain_resume = qemu_domain_resume,
    .domain_get_info = qemu_domain_get_info,
    .domain_get_state = qemu_domain_get_state,
    .domain_get_xml_desc = qemu_domain_get_xml_desc,
    .domain_get_autostart = qemu_domain_get_autostart,
    .domain_set_autostart = qemu_domain_set_autostart,
    .domain_is_active = qemu_domain_is_active,
    .domain_is_persistent = qemu_domain_is_persistent,
    .domain_qemu_monitor_command = qemu_domain_qemu_monitor_command,
    .domain_get_job_info = qemu_domain_get_job_info,
    .domain_get_job_stats = qemu_domain_get_job_stats,
    .domain_abort_job_flags = qemu_domain_abort_job_flags,
    .domain_migrate_begin3_params = qemu_domain_migrate_begin3_params,
    .domain_migrate_prepare3_params = qemu_domain_migrate_prepare3_params,
    .domain_migrate_perform3_params = qemu_domain_migrate_perform3_params,
    .domain_migrate_finish3_params = qemu_domain_migrate_finish3_params,
    .domain_migrate_confirm3_params = qemu_domain_migrate_confirm3_params,
    .domain_migrate_set_max_downtime = qemu_domain_migrate_set_max_downtime,
    .domain_migrate_get_max_downtime = qemu_domain_migrate_get_max_downtime,
    .domain_migrate_set_max_speed = qemu_domain_migrate_set_max_speed,
    .domain_migrate_get_max_speed = qemu_domain_migrate_get_max_speed,
    .domain_migrate_start_post_copy = qemu_domain_migrate_start_post_copy,
    .domain_block_pull = qemu_domain_block_pull,
    .domain_block_rebase = qemu_domain_block_rebase,
    .domain_block_commit = qemu_domain_block_commit,
    .domain_block_copy = qemu_domain_block_copy,
    .domain_block_job_abort = qemu_domain_block_job_abort,
    .domain_get_block_job_info = qemu_domain_get_block_job_info,
    .domain_block_job_set_speed = qemu_domain_block_job_set_speed,
    .domain_save_flags = qemu_domain_save_flags,
    .domain_restore_flags = qemu_domain_restore_flags,
    .domain_managed_save = qemu_domain_managed_save,
    .domain_has_managed_save_image = qemu_domain_has_managed_save_image,
    .domain_managed_save_remove = qemu_domain_managed_save_remove,
    .domain_core_dump_with_format = qemu_domain_core_dump_with_format,
};

int
qvirt_driver_qemu_register(void)
{
    return qv_driver_register(&qemu_hypervisor_driver, &qemu_state_driver);
}

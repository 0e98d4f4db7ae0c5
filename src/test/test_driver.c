/* test_driver.c: the test driver's table, its connection to test:///default,
 * lookups, listing, and the lifecycle of its in-memory domains (define,
 * start, stop, suspend, resume, XML) with libvirt's states, reasons and
 * lifecycle events. Fake jobs and the monitor live in test_driver_job.c,
 * save, restore, managed save and core dump in test_driver_save.c.
 *
 * Contract: every domain call finds the domain by the handle's UUID, takes
 * the domain's mutex (and a job for changes, as the QEMU driver does), checks
 * the state, changes it and queues the matching events before it returns,
 * so events of one domain arrive in the order of the calls. The list lock is
 * never taken with a domain's mutex held. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf.h"
#include "conf/domain_state.h"
#include "driver/api.h"
#include "driver/locker.h"
#include "test/test_driver.h"
#include "test/test_driver_priv.h"
#include "util/error.h"
#include "util/log.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

QVIRT_LOG_INIT("test.driver");

/* libvirt's default test domain: same name, UUID, memory and vCPUs. */
static const char test_default_domain_xml[] =
    "<domain type='test'>\n"
    "  <name>test</name>\n"
    "  <uuid>6695eb01-f6a4-8304-79aa-97f3502e193f</uuid>\n"
    "  <memory unit='KiB'>8388608</memory>\n"
    "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
    "  <vcpu>2</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
    "  </os>\n"
    "</domain>\n";

static QvirtMutex test_default_lock = {PTHREAD_MUTEX_INITIALIZER};
static TestDriver *test_default; /* under test_default_lock */

/* ---- domain helpers ---- */

static void
test_domain_private_free(gpointer data)
{
    TestDomainPrivate *priv = data;

    qvirt_cond_clear(&priv->job_cond);
    qvirt_error_free(priv->job_error);
    g_free(priv);
}

void
test_domain_private_init(DomainObj *vm)
{
    TestDomainPrivate *priv;

    if (vm->private_data)
        return;
    priv = g_new0(TestDomainPrivate, 1);
    qvirt_cond_init(&priv->job_cond);
    vm->private_data = priv;
    vm->private_data_free = test_domain_private_free;
}

TestDomainPrivate *
test_domain_private(DomainObj *vm)
{
    return vm->private_data;
}

TestDriver *
test_driver_from_conn(QvConnect *conn)
{
    return conn->private_data;
}

DomainObj *
test_domain_obj_get(QvDomain *dom)
{
    TestDriver *driver = test_driver_from_conn(dom->conn);
    DomainObj *vm = domain_obj_list_find_by_uuid(driver->domains, dom->uuid);

    if (!vm)
        return NULL;
    domain_obj_lock(vm);
    if (vm->removing) {
        char uuidstr[QVIRT_UUID_STRING_BUFLEN];

        test_domain_obj_end(vm);
        qvirt_uuid_format(dom->uuid, uuidstr);
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("no domain with matching uuid '%s' (%s)"),
                           uuidstr, dom->name);
        return NULL;
    }
    return vm;
}

void
test_domain_obj_end(DomainObj *vm)
{
    if (!vm)
        return;
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
}

int
test_domain_check_active(DomainObj *vm)
{
    if (domain_obj_is_active(vm))
        return 0;
    qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain is not running"));
    return -1;
}

void
test_domain_emit_lifecycle(DomainObj *vm, int type, int detail)
{
    qv_event_queue_push(qv_event_new_lifecycle(&test_hypervisor_driver, vm->def->name,
                                               vm->def->uuid, vm->def->id, type, detail));
}

static QvDomain *
test_domain_handle(QvConnect *conn, DomainObj *vm)
{
    return qv_domain_new(conn, vm->def->name, vm->def->uuid, vm->def->id);
}

/* Account the CPU time of a running period that ends now. */
static void
test_domain_cpu_stop(DomainObj *vm)
{
    TestDomainPrivate *priv = test_domain_private(vm);

    if (priv->running_since) {
        priv->cpu_time_ns += (g_get_monotonic_time() - priv->running_since) * 1000;
        priv->running_since = 0;
    }
}

void
test_domain_start_reason(DomainObj *vm, int id, gboolean paused, int reason, int detail)
{
    TestDomainPrivate *priv = test_domain_private(vm);

    vm->def->id = id;
    priv->cpu_time_ns = 0;
    priv->running_since = g_get_monotonic_time();
    domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, reason);
    test_domain_emit_lifecycle(vm, QV_DOMAIN_EVENT_STARTED, detail);
    if (paused) {
        test_domain_cpu_stop(vm);
        domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
        test_domain_emit_lifecycle(vm, QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
}

/* Start VM (locked) with id ID: booted, running (or paused), with the events. */
static void
test_domain_start(DomainObj *vm, int id, gboolean paused)
{
    test_domain_start_reason(vm, id, paused, DOMAIN_RUNNING_BOOTED, QV_DOMAIN_EVENT_STARTED_BOOTED);
}

/* Stop VM (locked): shut off with REASON, a STOPPED/DETAIL event, the
 * pending persistent definition takes over, and a transient domain leaves
 * the list (VM's lock is dropped and taken back for that). */
void
test_domain_stop(TestDriver *driver, DomainObj *vm, int reason, int detail)
{
    test_domain_cpu_stop(vm);
    vm->def->id = -1;
    domain_obj_set_state(vm, DOMAIN_STATE_SHUTOFF, reason);
    test_domain_emit_lifecycle(vm, QV_DOMAIN_EVENT_STOPPED, detail);
    if (vm->new_def) {
        domain_def_free(vm->def);
        vm->def = g_steal_pointer(&vm->new_def);
        vm->def->id = -1;
    }
    domain_job_wake_all(vm);
    if (!vm->persistent)
        domain_obj_list_remove(driver->domains, vm);
}

/* Stop VM (locked, its job held) for the API call on DOM: test_domain_stop(),
 * wait for a fake async job to notice, and forget DOM's id. */
void
test_domain_stop_for(TestDriver *driver, QvDomain *dom, DomainObj *vm, int reason, int detail)
{
    test_domain_stop(driver, vm, reason, detail);
    test_domain_wait_fake_job_end(vm);
    dom->id = -1;
}

DomainDef *
test_parse_domain_xml(const char *xml)
{
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);

    if (!def)
        return NULL;
    if (def->virt_type != DOMAIN_VIRT_TEST) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("the test driver runs domains of type 'test', not '%s'"),
                           domain_virt_to_string(def->virt_type));
        return NULL;
    }
    return g_steal_pointer(&def);
}

/* ---- the driver state ---- */

static void
test_driver_free(TestDriver *driver)
{
    if (!driver)
        return;
    test_driver_stop_jobs(driver);
    g_ptr_array_unref(driver->job_threads);
    qvirt_mutex_clear(&driver->jobs_lock);
    domain_obj_list_free(driver->domains);
    capabilities_free(driver->caps);
    g_free(driver);
}

static Capabilities *
test_driver_caps_new(void)
{
    Capabilities *caps = capabilities_new("x86_64");
    CapsGuest *guest = capabilities_add_guest(caps, "hvm", "x86_64", 64, "/usr/bin/test-hv");

    capabilities_guest_add_machine(guest, "pc", NULL, 0);
    capabilities_guest_add_domain(guest, DOMAIN_VIRT_TEST, NULL);
    return caps;
}

static TestDriver *
test_driver_new(void)
{
    g_autoptr(DomainDef) def = NULL;
    TestDriver *driver = g_new0(TestDriver, 1);
    DomainObj *vm;
    int id;

    driver->domains = domain_obj_list_new();
    driver->caps = test_driver_caps_new();
    qvirt_mutex_init(&driver->jobs_lock);
    driver->job_threads = g_ptr_array_new();

    def = test_parse_domain_xml(test_default_domain_xml);
    if (!def) {
        test_driver_free(driver);
        return NULL;
    }
    /* Taken first: the list lock never nests inside a domain's mutex. */
    id = domain_obj_list_next_id(driver->domains);
    vm = domain_obj_list_add(driver->domains, &def, 0, NULL);
    if (!vm) {
        test_driver_free(driver);
        return NULL;
    }
    /* The default domain is running before anyone watches: no events. */
    test_domain_private_init(vm);
    vm->def->id = id;
    domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    test_domain_private(vm)->running_since = g_get_monotonic_time();
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
    return driver;
}

/* ---- connections ---- */

static int
test_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    g_autoptr(QvMutexLocker) locker = NULL;

    if (strcmp(uri->driver, "test") != 0)
        return QVIRT_DRV_OPEN_DECLINED;
    if (strcmp(uri->path, "/default") != 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("unsupported test driver URI path '%s': only test:///default is "
                             "available"),
                           uri->path);
        return QVIRT_DRV_OPEN_ERROR;
    }

    locker = qv_mutex_locker_new(&test_default_lock);
    if (!test_default) {
        test_default = test_driver_new();
        if (!test_default)
            return QVIRT_DRV_OPEN_ERROR;
    }
    test_default->conns++;
    conn->private_data = test_default;
    return QVIRT_DRV_OPEN_SUCCESS;
}

static int
test_connect_close(QvConnect *conn)
{
    TestDriver *driver = NULL;

    qvirt_mutex_lock(&test_default_lock);
    if (conn->private_data == test_default && --test_default->conns == 0)
        driver = g_steal_pointer(&test_default);
    qvirt_mutex_unlock(&test_default_lock);
    conn->private_data = NULL;
    test_driver_free(driver);
    return 0;
}

static const char *
test_connect_get_type(QvConnect *conn)
{
    return "TEST";
}

static int
test_connect_get_version(QvConnect *conn, unsigned long long *ret_version)
{
    *ret_version = 2;
    return 0;
}

static char *
test_connect_get_hostname(QvConnect *conn)
{
    return g_strdup(g_get_host_name());
}

static char *
test_connect_get_capabilities(QvConnect *conn)
{
    return capabilities_format(test_driver_from_conn(conn)->caps);
}

static int
test_connect_get_max_vcpus(QvConnect *conn, const char *type)
{
    return 32;
}

static int
test_node_get_info(QvConnect *conn, QvNodeInfo *ret_info)
{
    QvNodeInfo info;

    memset(&info, 0, sizeof(info));
    g_strlcpy(info.model, "x86_64", sizeof(info.model));
    info.memory_kib = 3ULL * 1024 * 1024;
    info.cpus = 16;
    info.mhz = 1400;
    info.nodes = 2;
    info.sockets = 2;
    info.cores = 2;
    info.threads = 2;
    *ret_info = info;
    return 0;
}

static int
test_connect_supports_feature(QvConnect *conn, int feature)
{
    switch (feature) {
    case QV_DRV_FEATURE_TYPED_PARAM_STRING:
    case QV_DRV_FEATURE_XML_MIGRATABLE:
        return 1;
    default:
        return 0;
    }
}

/* ---- listing and lookups ---- */

static int
test_connect_list_all_domains(QvConnect *conn, QvDomain ***ret_domains, unsigned int flags)
{
    g_autoptr(GPtrArray) vms = NULL;
    GPtrArray *doms;
    int count;

    vms = domain_obj_list_collect(test_driver_from_conn(conn)->domains, flags, NULL);
    if (!vms)
        return -1;
    doms = g_ptr_array_new();
    for (guint i = 0; i < vms->len; i++) {
        DomainObj *vm = vms->pdata[i];

        domain_obj_lock(vm);
        if (!vm->removing)
            g_ptr_array_add(doms, test_domain_handle(conn, vm));
        domain_obj_unlock(vm);
    }
    count = doms->len;
    g_ptr_array_add(doms, NULL);
    *ret_domains = (QvDomain **)g_ptr_array_free(doms, FALSE);
    return count;
}

static int
test_connect_num_of_domains(QvConnect *conn)
{
    return domain_obj_list_num_of_domains(test_driver_from_conn(conn)->domains, TRUE);
}

static int
test_connect_num_of_defined_domains(QvConnect *conn)
{
    return domain_obj_list_num_of_domains(test_driver_from_conn(conn)->domains, FALSE);
}

static int
test_connect_list_domains(QvConnect *conn, int *ids, int maxids)
{
    g_autoptr(GPtrArray) vms =
        domain_obj_list_collect(test_driver_from_conn(conn)->domains, DOMAIN_LIST_ACTIVE, NULL);
    int n = 0;

    for (guint i = 0; i < vms->len && n < maxids; i++) {
        DomainObj *vm = vms->pdata[i];

        domain_obj_lock(vm);
        if (!vm->removing && domain_obj_is_active(vm))
            ids[n++] = vm->def->id;
        domain_obj_unlock(vm);
    }
    return n;
}

static int
test_connect_list_defined_domains(QvConnect *conn, char **names, int maxnames)
{
    g_autoptr(GPtrArray) vms =
        domain_obj_list_collect(test_driver_from_conn(conn)->domains, DOMAIN_LIST_INACTIVE, NULL);
    int n = 0;

    for (guint i = 0; i < vms->len && n < maxnames; i++) {
        DomainObj *vm = vms->pdata[i];

        domain_obj_lock(vm);
        if (!vm->removing && !domain_obj_is_active(vm))
            names[n++] = g_strdup(vm->def->name);
        domain_obj_unlock(vm);
    }
    return n;
}

/* A handle on VM (a new reference, unlocked), or NULL (error reported). */
static QvDomain *
test_lookup_result(QvConnect *conn, DomainObj *vm)
{
    QvDomain *dom = NULL;

    if (!vm)
        return NULL;
    domain_obj_lock(vm);
    if (vm->removing)
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("no domain with matching name '%s'"),
                           vm->def->name);
    else
        dom = test_domain_handle(conn, vm);
    test_domain_obj_end(vm);
    return dom;
}

static QvDomain *
test_domain_lookup_by_id(QvConnect *conn, int id)
{
    return test_lookup_result(conn,
                              domain_obj_list_find_by_id(test_driver_from_conn(conn)->domains, id));
}

static QvDomain *
test_domain_lookup_by_name(QvConnect *conn, const char *name)
{
    return test_lookup_result(
        conn, domain_obj_list_find_by_name(test_driver_from_conn(conn)->domains, name));
}

static QvDomain *
test_domain_lookup_by_uuid(QvConnect *conn, const unsigned char *uuid)
{
    return test_lookup_result(
        conn, domain_obj_list_find_by_uuid(test_driver_from_conn(conn)->domains, uuid));
}

/* ---- definition ---- */

static QvDomain *
test_domain_define_xml_flags(QvConnect *conn, const char *xml, unsigned int flags)
{
    TestDriver *driver = test_driver_from_conn(conn);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) old_def = NULL;
    DomainObj *vm;
    QvDomain *dom;

    QV_CHECK_FLAGS(flags, QV_DOMAIN_DEFINE_VALIDATE, NULL);
    def = test_parse_domain_xml(xml);
    if (!def)
        return NULL;
    vm = domain_obj_list_add(driver->domains, &def, 0, &old_def);
    if (!vm)
        return NULL;
    test_domain_private_init(vm);
    vm->persistent = TRUE;
    test_domain_emit_lifecycle(vm, QV_DOMAIN_EVENT_DEFINED,
                               old_def ? QV_DOMAIN_EVENT_DEFINED_UPDATED
                                       : QV_DOMAIN_EVENT_DEFINED_ADDED);
    dom = test_domain_handle(conn, vm);
    test_domain_obj_end(vm);
    return dom;
}

static int
test_domain_undefine_flags(QvDomain *dom, unsigned int flags)
{
    TestDriver *driver = test_driver_from_conn(dom->conn);
    DomainObj *vm;
    int ret = -1;

    /* Nothing to remove for snapshots, NVRAM or TPM. */
    QV_CHECK_FLAGS(flags, QV_DOMAIN_UNDEFINE_ALL, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0)
        goto out;
    if (!vm->persistent) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("cannot undefine transient domain"));
        goto endjob;
    }
    if (test_domain_private(vm)->managed_save) {
        if (!(flags & QV_DOMAIN_UNDEFINE_MANAGED_SAVE)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("Refusing to undefine while domain managed save image exists"));
            goto endjob;
        }
        test_domain_private(vm)->managed_save = FALSE;
    }
    test_domain_emit_lifecycle(vm, QV_DOMAIN_EVENT_UNDEFINED, QV_DOMAIN_EVENT_UNDEFINED_REMOVED);
    vm->autostart = FALSE;
    if (domain_obj_is_active(vm)) {
        vm->persistent = FALSE;
        domain_def_free(g_steal_pointer(&vm->new_def));
    } else {
        domain_obj_list_remove(driver->domains, vm);
    }
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

/* ---- lifecycle ---- */

#define TEST_START_FLAGS                                                                           \
    (QV_DOMAIN_START_PAUSED | QV_DOMAIN_START_BYPASS_CACHE | QV_DOMAIN_START_FORCE_BOOT |          \
     QV_DOMAIN_START_VALIDATE)

static int
test_domain_create_with_flags(QvDomain *dom, unsigned int flags)
{
    TestDriver *driver = test_driver_from_conn(dom->conn);
    TestDomainPrivate *priv;
    DomainObj *vm;
    int id;
    int ret = -1;

    QV_CHECK_FLAGS(flags, TEST_START_FLAGS, -1);
    /* Taken before the domain's mutex: the list lock never nests inside it. */
    id = domain_obj_list_next_id(driver->domains);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0)
        goto out;
    if (domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain is already running"));
        goto endjob;
    }
    priv = test_domain_private(vm);
    if (priv->managed_save && !(flags & QV_DOMAIN_START_FORCE_BOOT)) {
        /* Restore from the managed save image, which is then gone. */
        test_domain_start_reason(vm, id,
                                 priv->managed_save_paused || (flags & QV_DOMAIN_START_PAUSED),
                                 DOMAIN_RUNNING_RESTORED, QV_DOMAIN_EVENT_STARTED_RESTORED);
    } else {
        test_domain_start(vm, id, (flags & QV_DOMAIN_START_PAUSED) != 0);
    }
    priv->managed_save = FALSE;
    dom->id = id;
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

static QvDomain *
test_domain_create_xml(QvConnect *conn, const char *xml, unsigned int flags)
{
    TestDriver *driver = test_driver_from_conn(conn);
    g_autoptr(DomainDef) def = NULL;
    DomainObj *vm;
    QvDomain *dom;
    int id;

    QV_CHECK_FLAGS(flags, TEST_START_FLAGS, NULL);
    def = test_parse_domain_xml(xml);
    if (!def)
        return NULL;
    id = domain_obj_list_next_id(driver->domains);
    vm = domain_obj_list_add(driver->domains, &def,
                             DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL);
    if (!vm)
        return NULL;
    test_domain_private_init(vm);
    test_domain_start(vm, id, (flags & QV_DOMAIN_START_PAUSED) != 0);
    dom = test_domain_handle(conn, vm);
    test_domain_obj_end(vm);
    return dom;
}

/* Stop DOM under a job of type JOB, with REASON and EVENT_DETAIL: destroy
 * and shutdown differ only in these (the fake guest agrees at once). */
static int
test_domain_stop_with_job(QvDomain *dom, DomainJob job, int reason, int event_detail)
{
    TestDriver *driver = test_driver_from_conn(dom->conn);
    DomainObj *vm;
    int ret = -1;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, job) < 0)
        goto out;
    if (test_domain_check_active(vm) < 0)
        goto endjob;
    test_domain_stop_for(driver, dom, vm, reason, event_detail);
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

static int
test_domain_destroy_flags(QvDomain *dom, unsigned int flags)
{
    /* Nothing here is graceful or has logs: both flags are accepted. */
    QV_CHECK_FLAGS(flags, QV_DOMAIN_DESTROY_ALL, -1);
    return test_domain_stop_with_job(dom, DOMAIN_JOB_DESTROY, DOMAIN_SHUTOFF_DESTROYED,
                                     QV_DOMAIN_EVENT_STOPPED_DESTROYED);
}

static int
test_domain_shutdown_flags(QvDomain *dom, unsigned int flags)
{
    /* The guest "agrees" at once, whichever way it is asked. */
    QV_CHECK_FLAGS(flags, QV_DOMAIN_SHUTDOWN_ALL, -1);
    return test_domain_stop_with_job(dom, DOMAIN_JOB_MODIFY, DOMAIN_SHUTOFF_SHUTDOWN,
                                     QV_DOMAIN_EVENT_STOPPED_SHUTDOWN);
}

/* Reboot and reset: the domain stays as it is and a REBOOT event is sent. */
static int
test_domain_reboot_common(QvDomain *dom)
{
    DomainObj *vm;
    int ret = -1;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0)
        goto out;
    if (test_domain_check_active(vm) < 0)
        goto endjob;
    qv_event_queue_push(
        qv_event_new_reboot(&test_hypervisor_driver, vm->def->name, vm->def->uuid, vm->def->id));
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

static int
test_domain_reboot(QvDomain *dom, unsigned int flags)
{
    QV_CHECK_FLAGS(flags, QV_DOMAIN_SHUTDOWN_ALL, -1);
    return test_domain_reboot_common(dom);
}

static int
test_domain_reset(QvDomain *dom, unsigned int flags)
{
    QV_CHECK_FLAGS(flags, 0, -1);
    return test_domain_reboot_common(dom);
}

static int
test_domain_suspend(QvDomain *dom)
{
    DomainObj *vm;
    int ret = -1;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_SUSPEND) < 0)
        goto out;
    if (test_domain_check_active(vm) < 0)
        goto endjob;
    if (vm->state == DOMAIN_STATE_PAUSED) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain is already paused"));
        goto endjob;
    }
    test_domain_cpu_stop(vm);
    domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    test_domain_emit_lifecycle(vm, QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_PAUSED);
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

static int
test_domain_resume(QvDomain *dom)
{
    DomainObj *vm;
    int ret = -1;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_begin(vm, DOMAIN_JOB_SUSPEND) < 0)
        goto out;
    if (test_domain_check_active(vm) < 0)
        goto endjob;
    if (vm->state != DOMAIN_STATE_PAUSED) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain is not paused"));
        goto endjob;
    }
    test_domain_private(vm)->running_since = g_get_monotonic_time();
    domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    test_domain_emit_lifecycle(vm, QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_UNPAUSED);
    ret = 0;
endjob:
    domain_job_end(vm);
out:
    test_domain_obj_end(vm);
    return ret;
}

/* ---- reading (no job: the domain's mutex only) ---- */

static int
test_domain_get_info(QvDomain *dom, QvDomainInfo *ret_info)
{
    DomainObj *vm;
    TestDomainPrivate *priv;
    QvDomainInfo info;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    priv = test_domain_private(vm);
    memset(&info, 0, sizeof(info));
    info.state = vm->state;
    info.max_mem_kib = vm->def->memory_kib;
    info.memory_kib = vm->def->current_memory_kib;
    info.nr_virt_cpu = vm->def->vcpus;
    if (domain_obj_is_active(vm)) {
        info.cpu_time_ns = priv->cpu_time_ns;
        if (priv->running_since)
            info.cpu_time_ns += (g_get_monotonic_time() - priv->running_since) * 1000;
    }
    test_domain_obj_end(vm);
    *ret_info = info;
    return 0;
}

static int
test_domain_get_state(QvDomain *dom, int *ret_state, int *ret_reason, unsigned int flags)
{
    DomainObj *vm;
    int state;
    int reason;

    QV_CHECK_FLAGS(flags, 0, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    state = domain_obj_get_state(vm, &reason);
    test_domain_obj_end(vm);
    *ret_state = state;
    *ret_reason = reason;
    return 0;
}

static char *
test_domain_get_xml_desc(QvDomain *dom, unsigned int flags)
{
    DomainObj *vm;
    char *xml;

    /* No secrets and no host CPU here: SECURE and UPDATE_CPU change nothing. */
    QV_CHECK_FLAGS(flags, QV_DOMAIN_XML_ALL, NULL);
    if (!(vm = test_domain_obj_get(dom)))
        return NULL;
    if (flags & QV_DOMAIN_XML_INACTIVE)
        xml = domain_def_format(domain_obj_get_persistent_def(vm), DOMAIN_DEF_FORMAT_INACTIVE);
    else if (flags & QV_DOMAIN_XML_MIGRATABLE)
        xml = domain_def_format(vm->def, DOMAIN_DEF_FORMAT_INACTIVE);
    else
        xml = domain_def_format(vm->def, 0);
    test_domain_obj_end(vm);
    return xml;
}

static int
test_domain_get_autostart(QvDomain *dom, int *ret_autostart)
{
    DomainObj *vm;
    int autostart;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    autostart = vm->autostart ? 1 : 0;
    test_domain_obj_end(vm);
    *ret_autostart = autostart;
    return 0;
}

static int
test_domain_set_autostart(QvDomain *dom, int autostart)
{
    DomainObj *vm;
    int ret = -1;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (!vm->persistent) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("cannot set autostart for transient domain"));
    } else {
        vm->autostart = autostart != 0;
        ret = 0;
    }
    test_domain_obj_end(vm);
    return ret;
}

static int
test_domain_is_active(QvDomain *dom)
{
    DomainObj *vm;
    int active;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    active = domain_obj_is_active(vm) ? 1 : 0;
    test_domain_obj_end(vm);
    return active;
}

static int
test_domain_is_persistent(QvDomain *dom)
{
    DomainObj *vm;
    int persistent;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    persistent = vm->persistent ? 1 : 0;
    test_domain_obj_end(vm);
    return persistent;
}

/* ---- the table ---- */

const HypervisorDriver test_hypervisor_driver = {
    .name = "test",
    .connect_open = test_connect_open,
    .connect_close = test_connect_close,
    .connect_get_type = test_connect_get_type,
    .connect_get_version = test_connect_get_version,
    .connect_get_hostname = test_connect_get_hostname,
    .connect_get_capabilities = test_connect_get_capabilities,
    .connect_get_max_vcpus = test_connect_get_max_vcpus,
    .node_get_info = test_node_get_info,
    .connect_list_all_domains = test_connect_list_all_domains,
    .connect_num_of_domains = test_connect_num_of_domains,
    .connect_list_domains = test_connect_list_domains,
    .connect_num_of_defined_domains = test_connect_num_of_defined_domains,
    .connect_list_defined_domains = test_connect_list_defined_domains,
    .connect_supports_feature = test_connect_supports_feature,
    /* connect_domain_xml_to_native: no native format (NO_SUPPORT). */
    .domain_lookup_by_id = test_domain_lookup_by_id,
    .domain_lookup_by_name = test_domain_lookup_by_name,
    .domain_lookup_by_uuid = test_domain_lookup_by_uuid,
    .domain_define_xml_flags = test_domain_define_xml_flags,
    .domain_undefine_flags = test_domain_undefine_flags,
    .domain_create_with_flags = test_domain_create_with_flags,
    .domain_create_xml = test_domain_create_xml,
    .domain_destroy_flags = test_domain_destroy_flags,
    .domain_shutdown_flags = test_domain_shutdown_flags,
    .domain_reboot = test_domain_reboot,
    .domain_reset = test_domain_reset,
    .domain_suspend = test_domain_suspend,
    .domain_resume = test_domain_resume,
    .domain_get_info = test_domain_get_info,
    .domain_get_state = test_domain_get_state,
    .domain_get_xml_desc = test_domain_get_xml_desc,
    .domain_get_autostart = test_domain_get_autostart,
    .domain_set_autostart = test_domain_set_autostart,
    .domain_is_active = test_domain_is_active,
    .domain_is_persistent = test_domain_is_persistent,
    .domain_get_job_info = test_domain_get_job_info,
    .domain_get_job_stats = test_domain_get_job_stats,
    .domain_abort_job_flags = test_domain_abort_job_flags,
    .domain_qemu_monitor_command = test_domain_qemu_monitor_command,
    .domain_save_flags = test_domain_save_flags,
    .domain_restore_flags = test_domain_restore_flags,
    .domain_managed_save = test_domain_managed_save,
    .domain_has_managed_save_image = test_domain_has_managed_save_image,
    .domain_managed_save_remove = test_domain_managed_save_remove,
    .domain_core_dump_with_format = test_domain_core_dump_with_format,
};

int
qvirt_driver_test_register(void)
{
    return qv_driver_register(&test_hypervisor_driver, NULL);
}

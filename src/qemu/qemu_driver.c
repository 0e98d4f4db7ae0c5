/* qemu_driver.c: the QEMU driver's state and its lifecycle entry points
 * (the contract is in qemu_driver.h). Process work lives in qemu_process.c;
 * this file checks arguments, takes the jobs, persists definitions and
 * answers the readers. */
#include <config.h>

#include "qemu/qemu_command.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_domain_status.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_monitor_text.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_save.h"
#include "util/error.h"
#include "util/log.h"
#include "util/memtrim.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.driver");

/* Workers that run the domains' queued work (each domain's work is serial). */
#define QEMU_DRIVER_WORKERS 16

/* INVALID_ARG for flags outside SUPPORTED, with libvirt's message. */
#define QEMU_CHECK_FLAGS(flags, supported, retval)                                                 \
    do {                                                                                           \
        if ((flags) & ~(unsigned int)(supported)) {                                                \
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,                                              \
                               _("unsupported flags (0x%x) in function %s"),                       \
                               (flags) & ~(unsigned int)(supported), __func__);                    \
            return (retval);                                                                       \
        }                                                                                          \
    } while (0)

/* ---- driver state ---- */

static int
driver_job_save_status(DomainObj *vm, gpointer opaque)
{
    return qemu_process_save_status(opaque, vm);
}

QemuDriver *
qemu_driver_new(QemuDriverConfig *cfg)
{
    QemuDriver *driver = g_new0(QemuDriver, 1);

    g_mutex_init(&driver->helper_lock);
    driver->config = qemu_driver_config_ref(cfg);
    if (qemu_driver_config_make_dirs(cfg) < 0 ||
        !(driver->state_lock = qvirt_dir_lock_acquire(cfg->state_dir, "qvirt QEMU driver")))
        goto error;
    driver->domains = domain_obj_list_new();
    driver->loop = qvirt_event_loop_new("qemu-events");
    if (!(driver->workers = qvirt_worker_pool_new("qemu-work", QEMU_DRIVER_WORKERS,
                                                  qemu_process_run_work, driver)))
        goto error;
    if (!(driver->caps_cache = qemu_caps_cache_new(cfg->cache_dir, driver->loop)))
        goto error;
    driver->job_callbacks.save_status = driver_job_save_status;
    qemu_domain_job_set_callbacks(&driver->job_callbacks);
    qemu_domain_status_hooks_init(&driver->status_hooks, driver);
    return driver;

error:
    qemu_driver_free(driver);
    return NULL;
}

void
qemu_driver_set_event_func(QemuDriver *driver, QemuDriverEventFunc func, gpointer opaque)
{
    driver->event_func = func;
    driver->event_opaque = opaque;
}

void
qemu_driver_prepare_domain(QemuDriver *driver, DomainObj *vm)
{
    if (!vm->private_data)
        qemu_domain_private_init(driver, vm);
    domain_job_obj_set_config(vm->job, driver->config->job_wait_timeout_ms,
                              driver->config->max_queued_jobs);
    domain_job_obj_set_callbacks(vm->job, &driver->job_callbacks, driver);
}

static gpointer
driver_reconnect_thread(gpointer data)
{
    DomainObj *vm = data;
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    qemu_process_reconnect(priv->driver, vm);
    domain_obj_unref(vm);
    return NULL;
}

/* Start every autostart domain that is not running; failures are logged. */
static void
driver_autostart(QemuDriver *driver)
{
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(
        driver->domains, DOMAIN_LIST_AUTOSTART | DOMAIN_LIST_INACTIVE, NULL);

    for (guint i = 0; vms && i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);

        if (qemu_driver_create(driver, vm, 0) < 0) {
            QVIRT_ERROR("autostart of domain '%s' failed: %s", domain_obj_get_name(vm),
                        qvirt_error_last_message());
            qvirt_error_reset();
        } else {
            QVIRT_INFO("domain '%s' autostarted", domain_obj_get_name(vm));
        }
    }
}

int
qemu_driver_start(QemuDriver *driver, gboolean autostart)
{
    g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func((GDestroyNotify)domain_obj_unref);
    g_autoptr(GPtrArray) threads = g_ptr_array_new();
    g_autoptr(GPtrArray) all = NULL;
    QemuDomainStatusLoad load = {driver, loaded};

    /* Status files of migrating domains name these phases (every caller,
     * not only the module, must have them before loading). */
    qemu_migration_register_phases();
    if (domain_obj_list_load_status(driver->domains, driver->config->state_dir,
                                    &driver->status_hooks, qemu_domain_status_loaded, &load) < 0 ||
        domain_obj_list_load_configs(driver->domains, driver->config->config_dir) < 0)
        return -1;
    /* QEMUs no status file accounts for: a daemon died while starting them. */
    qemu_process_kill_orphans(driver->config);
    all = domain_obj_list_collect(driver->domains, 0, NULL);
    for (guint i = 0; all && i < all->len; i++) {
        DomainObj *vm = g_ptr_array_index(all, i);

        domain_obj_lock(vm);
        qemu_driver_prepare_domain(driver, vm);
        domain_obj_unlock(vm);
    }

    /* One thread per domain: a QEMU that does not answer delays only itself. */
    for (guint i = 0; i < loaded->len; i++) {
        DomainObj *vm = domain_obj_ref(g_ptr_array_index(loaded, i));

        g_ptr_array_add(threads, g_thread_new("qemu-reconnect", driver_reconnect_thread, vm));
    }
    for (guint i = 0; i < threads->len; i++)
        g_thread_join(g_ptr_array_index(threads, i));

    if (autostart)
        driver_autostart(driver);
    /* Parsing every status and definition freed as much as it keeps. */
    qvirt_memory_trim();
    return 0;
}

void
qemu_driver_free(QemuDriver *driver)
{
    GPtrArray *threads;

    if (!driver)
        return;
    /* Helper threads use the domains and their monitors: they go first. */
    g_mutex_lock(&driver->helper_lock);
    threads = g_steal_pointer(&driver->helper_threads);
    g_mutex_unlock(&driver->helper_lock);
    for (guint i = 0; threads && i < threads->len; i++)
        g_thread_join(g_ptr_array_index(threads, i));
    if (threads)
        g_ptr_array_free(threads, TRUE);
    g_mutex_clear(&driver->helper_lock);
    if (driver->domains) {
        g_autoptr(GPtrArray) all = domain_obj_list_collect(driver->domains, 0, NULL);

        for (guint i = 0; all && i < all->len; i++) {
            DomainObj *vm = g_ptr_array_index(all, i);

            domain_obj_lock(vm);
            qemu_process_detach(vm);
            domain_obj_unlock(vm);
        }
    }
    qvirt_worker_pool_free(driver->workers, TRUE);
    domain_obj_list_free(driver->domains);
    qemu_caps_cache_free(driver->caps_cache);
    qvirt_event_loop_free(driver->loop);
    qvirt_dir_lock_release(driver->state_lock);
    qemu_driver_config_unref(driver->config);
    g_free(driver);
}

void
qemu_driver_add_helper_thread(QemuDriver *driver, GThread *thread)
{
    g_mutex_lock(&driver->helper_lock);
    if (!driver->helper_threads)
        driver->helper_threads = g_ptr_array_new();
    g_ptr_array_add(driver->helper_threads, thread);
    g_mutex_unlock(&driver->helper_lock);
}

/* ---- events ---- */

static void
driver_emit(QemuDriver *driver, DomainObj *vm, int event_id, int type, int detail)
{
    QemuDriverEvent event = {
        .event_id = event_id,
        .name = vm->def->name,
        .uuid = vm->def->uuid,
        .id = vm->def->id,
        .type = type,
        .detail = detail,
    };

    QVIRT_DEBUG("domain '%s': event %d %d/%d", vm->def->name, event_id, type, detail);
    if (driver->event_func)
        driver->event_func(&event, driver->event_opaque);
}

void
qemu_driver_emit_lifecycle(QemuDriver *driver, DomainObj *vm, int type, int detail)
{
    driver_emit(driver, vm, QV_DOMAIN_EVENT_ID_LIFECYCLE, type, detail);
}

void
qemu_driver_set_state(QemuDriver *driver, DomainObj *vm, int state, int reason, int type,
                      int detail)
{
    int old = vm->state;

    domain_obj_set_state(vm, state, reason);
    if (old != state)
        qemu_driver_emit_lifecycle(driver, vm, type, detail);
}

void
qemu_driver_emit_reboot(QemuDriver *driver, DomainObj *vm)
{
    driver_emit(driver, vm, QV_DOMAIN_EVENT_ID_REBOOT, 0, 0);
}

void
qemu_driver_remove_inactive(QemuDriver *driver, DomainObj *vm)
{
    if (vm->persistent || vm->removing || domain_obj_is_active(vm))
        return;
    domain_obj_list_remove(driver->domains, vm);
}

/* ---- lookups ---- */

DomainObj *
qemu_driver_lookup_by_name(QemuDriver *driver, const char *name)
{
    return domain_obj_list_find_by_name(driver->domains, name);
}

DomainObj *
qemu_driver_lookup_by_uuid(QemuDriver *driver, const unsigned char *uuid)
{
    return domain_obj_list_find_by_uuid(driver->domains, uuid);
}

DomainObj *
qemu_driver_lookup_by_id(QemuDriver *driver, int id)
{
    return domain_obj_list_find_by_id(driver->domains, id);
}

/* ---- helpers ---- */

int
qemu_driver_lock_domain(DomainObj *vm)
{
    domain_obj_lock(vm);
    if (vm->removing) {
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("domain '%s' no longer exists"),
                           domain_obj_get_name(vm));
        domain_obj_unlock(vm);
        return -1;
    }
    return 0;
}

int
qemu_driver_check_active(DomainObj *vm)
{
    if (!domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain '%s' is not running"),
                           domain_obj_get_name(vm));
        return -1;
    }
    return 0;
}

int
qemu_driver_begin_modify(DomainObj *vm)
{
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_driver_check_active(vm) < 0 ||
        domain_job_begin_flags(vm, DOMAIN_JOB_MODIFY, DOMAIN_JOB_BEGIN_NEED_ACTIVE) < 0) {
        domain_obj_unlock(vm);
        return -1;
    }
    return 0;
}

static DomainDef *
driver_parse_xml(const char *xml)
{
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);

    if (!def)
        return NULL;
    if (def->virt_type != DOMAIN_VIRT_QEMU && def->virt_type != DOMAIN_VIRT_KVM) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("domain '%s' of type '%s' cannot run on the QEMU driver: use type "
                             "'qemu' or 'kvm'"),
                           def->name, domain_virt_to_string(def->virt_type));
        return NULL;
    }
    return g_steal_pointer(&def);
}

/* ---- define and undefine ---- */

DomainObj *
qemu_driver_define_xml(QemuDriver *driver, const char *xml, unsigned int flags)
{
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) old_def = NULL;
    gboolean was_persistent;
    DomainObj *vm;

    QEMU_CHECK_FLAGS(flags, QV_DOMAIN_DEFINE_VALIDATE, NULL);
    if (!(def = driver_parse_xml(xml)))
        return NULL;
    if (!(vm = domain_obj_list_add(driver->domains, &def, 0, &old_def)))
        return NULL;
    /* A persistent domain had a persistent definition, which comes back as
     * OLD_DEF (a running one keeps it in new_def from its start on); a new
     * domain or a running transient one had none. */
    was_persistent = old_def != NULL;
    qemu_driver_prepare_domain(driver, vm);
    vm->persistent = TRUE;
    if (domain_obj_list_save_config(driver->config->config_dir, domain_obj_get_persistent_def(vm)) <
        0) {
        /* Put back what was there. */
        if (domain_obj_is_active(vm)) {
            domain_def_free(vm->new_def);
            vm->new_def = g_steal_pointer(&old_def);
            vm->persistent = was_persistent;
        } else if (old_def) {
            domain_def_free(vm->def);
            vm->def = g_steal_pointer(&old_def);
        } else {
            vm->persistent = FALSE;
            qemu_driver_remove_inactive(driver, vm);
        }
        domain_obj_unlock(vm);
        domain_obj_unref(vm);
        return NULL;
    }
    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_DEFINED,
                               was_persistent ? QV_DOMAIN_EVENT_DEFINED_UPDATED
                                              : QV_DOMAIN_EVENT_DEFINED_ADDED);
    domain_obj_unlock(vm);
    return vm;
}

int
qemu_driver_undefine(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    QEMU_CHECK_FLAGS(flags, QV_DOMAIN_UNDEFINE_ALL, -1);
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (!vm->persistent) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("cannot undefine transient domain '%s'"),
                           domain_obj_get_name(vm));
        goto error;
    }
    if (domain_job_begin(vm, DOMAIN_JOB_MODIFY) < 0)
        goto error;
    if (qemu_save_managed_undefine(driver, vm, flags) < 0 ||
        domain_obj_list_delete_config(driver->config->config_dir, domain_obj_get_name(vm)) < 0) {
        domain_job_end(vm);
        goto error;
    }
    vm->autostart = FALSE;
    vm->persistent = FALSE;
    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_UNDEFINED,
                               QV_DOMAIN_EVENT_UNDEFINED_REMOVED);
    /* A running domain stays, transient: it goes when it stops. */
    g_clear_pointer(&vm->new_def, domain_def_free);
    qemu_driver_remove_inactive(driver, vm);
    domain_job_end(vm);
    domain_obj_unlock(vm);
    return 0;

error:
    domain_obj_unlock(vm);
    return -1;
}

/* ---- start ---- */

/* Start VM (locked) under an async start job. */
static int
driver_start_locked(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    int rc;

    if (domain_job_begin_async(vm, DOMAIN_ASYNC_JOB_START, DOMAIN_JOB_OPERATION_START, flags) < 0)
        return -1;
    rc = qemu_process_start(driver, vm,
                            flags & QV_DOMAIN_START_PAUSED ? QEMU_PROCESS_START_PAUSED : 0);
    if (rc < 0)
        qemu_driver_remove_inactive(driver, vm);
    domain_job_end_async(vm);
    return rc;
}

int
qemu_driver_create(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    int rc;

    /* BYPASS_CACHE applies to the managed save image's restore. */
    QEMU_CHECK_FLAGS(flags,
                     QV_DOMAIN_START_PAUSED | QV_DOMAIN_START_FORCE_BOOT |
                         QV_DOMAIN_START_BYPASS_CACHE,
                     -1);
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    /* A managed save image is restored (qemu_save.h), else QEMU boots. */
    rc = qemu_save_managed_start(driver, vm, flags);
    if (rc == 0)
        rc = driver_start_locked(driver, vm, flags);
    else if (rc > 0)
        rc = 0;
    domain_obj_unlock(vm);
    return rc;
}

DomainObj *
qemu_driver_create_xml(QemuDriver *driver, const char *xml, unsigned int flags)
{
    g_autoptr(DomainDef) def = NULL;
    DomainObj *vm;

    QEMU_CHECK_FLAGS(flags,
                     QV_DOMAIN_START_PAUSED | QV_DOMAIN_START_FORCE_BOOT | QV_DOMAIN_START_VALIDATE,
                     NULL);
    if (!(def = driver_parse_xml(xml)))
        return NULL;
    if (!(vm =
              domain_obj_list_add(driver->domains, &def,
                                  DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL)))
        return NULL;
    qemu_driver_prepare_domain(driver, vm);
    if (driver_start_locked(driver, vm, flags & ~QV_DOMAIN_START_VALIDATE) < 0) {
        domain_obj_unlock(vm);
        domain_obj_unref(vm);
        return NULL;
    }
    domain_obj_unlock(vm);
    return vm;
}

/* ---- destroy, shutdown, reboot, reset ---- */

int
qemu_driver_destroy(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    QemuDomainPrivate *priv;
    gboolean graceful = !!(flags & QV_DOMAIN_DESTROY_GRACEFUL);
    guint run;
    int ret = -1;

    QEMU_CHECK_FLAGS(flags, QV_DOMAIN_DESTROY_GRACEFUL, -1);
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    priv = qemu_domain_private(vm);
    if (qemu_driver_check_active(vm) < 0)
        goto unlock;
    run = priv->run;

    /* Preempt: kill first, which fails every monitor waiter, then take the job. */
    priv->stop_reason = DOMAIN_SHUTOFF_DESTROYED;
    if (qemu_process_kill(vm, driver->config->destroy_grace_ms, graceful) < 0) {
        if (priv->run == run)
            priv->stop_reason = -1;
        goto unlock;
    }
    if (domain_job_begin(vm, DOMAIN_JOB_DESTROY) < 0) {
        /* The exit watch cleaned up meanwhile, and may be taking the
         * transient domain out of the list right now: finish that here
         * (removing twice is harmless), so the caller no longer finds it. */
        if (priv->run != run) {
            qvirt_error_reset();
            if (vm->removing)
                domain_obj_list_remove(driver->domains, vm);
            ret = 0;
        }
        goto unlock;
    }
    if (priv->run == run)
        qemu_process_stop(driver, vm, DOMAIN_SHUTOFF_DESTROYED, 0);
    qemu_driver_remove_inactive(driver, vm);
    domain_job_end(vm);
    ret = 0;

unlock:
    domain_obj_unlock(vm);
    return ret;
}

typedef enum {
    DRIVER_MONITOR_POWERDOWN,
    DRIVER_MONITOR_RESET,
} DriverMonitorAction;

/* Run one monitor command for VM under a modify job. */
static int
driver_monitor_action(DomainObj *vm, DriverMonitorAction action)
{
    QemuMonitor *mon;
    int rc = -1;

    if (qemu_driver_begin_modify(vm) < 0)
        return -1;
    if ((mon = qemu_domain_obj_enter_monitor(vm))) {
        if (action == DRIVER_MONITOR_POWERDOWN)
            rc = qemu_monitor_json_system_powerdown(mon);
        else
            rc = qemu_monitor_json_system_reset(mon);
        qemu_domain_obj_exit_monitor(vm);
    }
    domain_job_end(vm);
    domain_obj_unlock(vm);
    return rc;
}

int
qemu_driver_shutdown(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    QEMU_CHECK_FLAGS(flags, QV_DOMAIN_SHUTDOWN_ACPI_POWER_BTN, -1);
    return driver_monitor_action(vm, DRIVER_MONITOR_POWERDOWN);
}

int
qemu_driver_reboot(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    if (flags) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("reboot mode flags 0x%x are not supported: the QEMU driver reboots "
                             "with a system reset"),
                           flags);
        return -1;
    }
    return driver_monitor_action(vm, DRIVER_MONITOR_RESET);
}

int
qemu_driver_reset(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    QEMU_CHECK_FLAGS(flags, 0, -1);
    return driver_monitor_action(vm, DRIVER_MONITOR_RESET);
}

/* ---- suspend and resume ---- */

/* Move VM (locked, suspend job held) from FROM_STATE to TO_STATE/TO_REASON
 * with CMD (stop or cont): the new state is persisted first, so a failed
 * write leaves the guest as it was. */
static int
driver_change_run_state(QemuDriver *driver, DomainObj *vm, int to_state, int to_reason,
                        int (*cmd)(QemuMonitor *mon))
{
    int old_state = vm->state;
    int old_reason = vm->state_reason;
    QemuMonitor *mon;
    int rc;

    domain_obj_set_state(vm, to_state, to_reason);
    if (qemu_process_save_status(driver, vm) < 0) {
        domain_obj_set_state(vm, old_state, old_reason);
        return -1;
    }
    if (!(mon = qemu_domain_obj_enter_monitor(vm))) {
        rc = -1;
    } else {
        rc = cmd(mon);
        qemu_domain_obj_exit_monitor(vm);
    }
    if (!domain_obj_is_active(vm))
        return rc;
    if (rc < 0) {
        QvirtError *saved = qvirt_error_save();

        domain_obj_set_state(vm, old_state, old_reason);
        if (qemu_process_save_status(driver, vm) < 0)
            QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_restore(saved);
        return -1;
    }
    if (vm->state == to_state)
        qemu_driver_emit_lifecycle(
            driver, vm,
            to_state == DOMAIN_STATE_PAUSED ? QV_DOMAIN_EVENT_SUSPENDED : QV_DOMAIN_EVENT_RESUMED,
            to_state == DOMAIN_STATE_PAUSED ? QV_DOMAIN_EVENT_SUSPENDED_PAUSED
                                            : QV_DOMAIN_EVENT_RESUMED_UNPAUSED);
    return 0;
}

static int
driver_suspend_resume(QemuDriver *driver, DomainObj *vm, gboolean suspend)
{
    int rc = -1;

    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_driver_check_active(vm) < 0 ||
        domain_job_begin_flags(vm, DOMAIN_JOB_SUSPEND, DOMAIN_JOB_BEGIN_NEED_ACTIVE) < 0)
        goto unlock;
    if (suspend && vm->state == DOMAIN_STATE_PAUSED) {
        rc = 0; /* already paused, as libvirt answers */
    } else if (!suspend && vm->state == DOMAIN_STATE_RUNNING) {
        rc = 0;
    } else if (suspend && vm->state != DOMAIN_STATE_RUNNING) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("domain '%s' cannot be suspended: it is %s"), domain_obj_get_name(vm),
                           domain_state_to_string(vm->state));
    } else if (!suspend && vm->state != DOMAIN_STATE_PAUSED) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("domain '%s' cannot be resumed: it is %s"), domain_obj_get_name(vm),
                           domain_state_to_string(vm->state));
    } else if (suspend) {
        rc = driver_change_run_state(driver, vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER,
                                     qemu_monitor_json_stop);
    } else {
        rc = driver_change_run_state(driver, vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED,
                                     qemu_monitor_json_cont);
    }
    domain_job_end(vm);
unlock:
    domain_obj_unlock(vm);
    return rc;
}

int
qemu_driver_suspend(QemuDriver *driver, DomainObj *vm)
{
    return driver_suspend_resume(driver, vm, TRUE);
}

int
qemu_driver_resume(QemuDriver *driver, DomainObj *vm)
{
    return driver_suspend_resume(driver, vm, FALSE);
}

/* ---- readers ---- */

int
qemu_driver_get_info(QemuDriver *driver, DomainObj *vm, QvDomainInfo *ret_info)
{
    QvDomainInfo info = {0};
    pid_t pid;
    unsigned long long start;

    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    info.state = vm->state;
    info.max_mem_kib = vm->def->memory_kib;
    info.memory_kib = vm->def->current_memory_kib;
    info.nr_virt_cpu = vm->def->vcpus;
    pid = domain_obj_is_active(vm) ? vm->pid : 0;
    start = vm->pid_start_time;
    domain_obj_unlock(vm);
    if (pid > 0)
        info.cpu_time_ns = qemu_process_cpu_time(pid, start);
    *ret_info = info;
    return 0;
}

int
qemu_driver_get_state(QemuDriver *driver, DomainObj *vm, int *ret_state, int *ret_reason,
                      unsigned int flags)
{
    int reason;
    int state;

    QEMU_CHECK_FLAGS(flags, 0, -1);
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    state = domain_obj_get_state(vm, &reason);
    domain_obj_unlock(vm);
    *ret_state = state;
    if (ret_reason)
        *ret_reason = reason;
    return 0;
}

char *
qemu_driver_get_xml_desc(QemuDriver *driver, DomainObj *vm, unsigned int flags)
{
    char *xml;

    QEMU_CHECK_FLAGS(
        flags, QV_DOMAIN_XML_SECURE | QV_DOMAIN_XML_INACTIVE | QV_DOMAIN_XML_MIGRATABLE, NULL);
    if (qemu_driver_lock_domain(vm) < 0)
        return NULL;
    if (flags & QV_DOMAIN_XML_INACTIVE)
        xml = domain_def_format(domain_obj_get_persistent_def(vm), DOMAIN_DEF_FORMAT_INACTIVE);
    else if (flags & QV_DOMAIN_XML_MIGRATABLE)
        xml = domain_def_format(vm->def, DOMAIN_DEF_FORMAT_INACTIVE);
    else
        xml = domain_def_format(vm->def, 0);
    domain_obj_unlock(vm);
    return xml;
}

int
qemu_driver_get_autostart(QemuDriver *driver, DomainObj *vm, int *ret_autostart)
{
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    *ret_autostart = vm->autostart ? 1 : 0;
    domain_obj_unlock(vm);
    return 0;
}

int
qemu_driver_set_autostart(QemuDriver *driver, DomainObj *vm, int autostart)
{
    int rc = 0;

    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (!vm->persistent) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("cannot set autostart for transient domain '%s'"),
                           domain_obj_get_name(vm));
        rc = -1;
    } else if (!!vm->autostart != !!autostart) {
        rc = domain_obj_list_set_autostart(driver->config->config_dir, domain_obj_get_name(vm),
                                           !!autostart);
        if (rc == 0)
            vm->autostart = !!autostart;
    }
    domain_obj_unlock(vm);
    return rc;
}

/* ---- monitor passthrough and command line ---- */

int
qemu_driver_monitor_command(QemuDriver *driver, DomainObj *vm, const char *cmd, char **ret_result,
                            unsigned int flags)
{
    QemuDomainPrivate *priv;
    QemuMonitor *hmp = NULL;
    QemuMonitor *mon;
    char *result = NULL;
    int rc = -1;

    QEMU_CHECK_FLAGS(flags, QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP, -1);
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    priv = qemu_domain_private(vm);
    if (qemu_driver_check_active(vm) < 0 ||
        domain_job_begin_flags(vm, DOMAIN_JOB_QUERY, DOMAIN_JOB_BEGIN_NEED_ACTIVE) < 0)
        goto unlock;
    if (priv->base.hmp)
        hmp = qemu_monitor_ref(priv->base.hmp);
    if ((mon = qemu_domain_obj_enter_monitor(vm))) {
        if (flags & QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
            rc = qemu_monitor_hmp_passthrough(mon, hmp, cmd, &result);
        else
            rc = qemu_monitor_json_raw_command(mon, cmd, &result);
        qemu_domain_obj_exit_monitor(vm);
    }
    qemu_monitor_unref(hmp);
    domain_job_end(vm);
    if (rc == 0)
        *ret_result = result;
unlock:
    domain_obj_unlock(vm);
    return rc;
}

char *
qemu_driver_domain_xml_to_native(QemuDriver *driver, const char *format, const char *xml,
                                 unsigned int flags)
{
    QemuDriverConfig *cfg = driver->config;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuCaps) caps = NULL;
    g_autofree char *lib_dir = NULL;
    g_autofree char *monitor_path = NULL;
    g_autofree char *hmp_path = NULL;
    QemuCommandContext ctx = {0};

    QEMU_CHECK_FLAGS(flags, 0, NULL);
    if (g_strcmp0(format, "qemu-argv") != 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("unsupported native format '%s': the QEMU driver knows 'qemu-argv'"),
                           format ? format : "");
        return NULL;
    }
    if (!(def = driver_parse_xml(xml)))
        return NULL;
    if (!(caps = qemu_caps_cache_lookup(driver->caps_cache,
                                        def->emulator ? def->emulator : cfg->emulator)))
        return NULL;
    lib_dir = qemu_driver_config_domain_lib_dir(cfg, def->name);
    monitor_path = qemu_driver_config_monitor_path(cfg, def->name);
    if (cfg->hmp_monitor)
        hmp_path = qemu_driver_config_hmp_path(cfg, def->name);
    ctx.emulator = cfg->emulator;
    ctx.lib_dir = lib_dir;
    ctx.monitor_path = monitor_path;
    ctx.monitor_fd = -1;
    ctx.hmp_path = hmp_path;
    ctx.hmp_fd = -1;
    ctx.kvm_usable = qemu_command_kvm_usable(caps);
    ctx.vnc_listen = cfg->vnc_listen;
    ctx.sandbox = cfg->seccomp_sandbox;
    ctx.native = TRUE;
    return qemu_command_to_native(def, caps, &ctx);
}

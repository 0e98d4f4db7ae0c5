/* qemu_domain.c: the QEMU driver's per-domain private data and the monitor
 * Enter/Exit wrappers (the contract is in qemu_domain.h). */
#include <config.h>

#include "qemu/qemu_domain.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.domain");

QemuDomainObjPrivate *
qemu_domain_obj_private_new(void)
{
    return g_new0(QemuDomainObjPrivate, 1);
}

void
qemu_domain_obj_private_free(gpointer data)
{
    QemuDomainObjPrivate *priv = data;

    if (!priv)
        return;
    qemu_monitor_unref(priv->entered);
    qemu_monitor_close(priv->mon);
    qemu_monitor_close(priv->hmp);
    g_free(priv);
}

void
qemu_domain_obj_init_private(DomainObj *vm)
{
    g_return_if_fail(vm->private_data == NULL);
    vm->private_data = qemu_domain_obj_private_new();
    vm->private_data_free = qemu_domain_obj_private_free;
}

QemuDomainObjPrivate *
qemu_domain_obj_private(DomainObj *vm)
{
    return vm->private_data;
}

/* Check the caller's job and take a reference on the monitor, then unlock
 * VM. NESTED says whether a nested job was taken (and is ended on failure). */
static QemuMonitor *
qemu_domain_obj_enter_monitor_internal(DomainObj *vm, gboolean nested)
{
    QemuDomainObjPrivate *priv = qemu_domain_obj_private(vm);
    DomainJob active = domain_job_get_active(vm->job);

    /* A monitor command without a job races every other user of the domain. */
    g_assert(active != DOMAIN_JOB_NONE);
    if (active == DOMAIN_JOB_NONE) {
        qvirt_report_internal(_("monitor command for domain '%s' without a job"),
                              domain_obj_get_name(vm));
        return NULL;
    }
    g_assert(priv->entered == NULL);
    if (priv->entered) {
        qvirt_report_internal(_("monitor of domain '%s' entered twice"), domain_obj_get_name(vm));
        goto error;
    }
    if (!domain_obj_is_active(vm) || !priv->mon) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("domain '%s' is no longer running"),
                           domain_obj_get_name(vm));
        goto error;
    }

    priv->entered = qemu_monitor_ref(priv->mon);
    priv->entered_nested = nested;
    QVIRT_DEBUG("entering monitor of domain '%s' (job %s%s)", domain_obj_get_name(vm),
                domain_job_type_to_string(active), nested ? ", nested" : "");
    domain_obj_unlock(vm);
    return priv->entered;

error:
    if (nested)
        domain_job_end_nested(vm);
    return NULL;
}

QemuMonitor *
qemu_domain_obj_enter_monitor(DomainObj *vm)
{
    return qemu_domain_obj_enter_monitor_internal(vm, FALSE);
}

QemuMonitor *
qemu_domain_obj_enter_monitor_async(DomainObj *vm, DomainAsyncJob async_job)
{
    if (async_job == DOMAIN_ASYNC_JOB_NONE)
        return qemu_domain_obj_enter_monitor(vm);
    /* Waits (unlocked) for the running normal job admitted by the mask. */
    if (domain_job_begin_nested(vm, async_job) < 0)
        return NULL;
    return qemu_domain_obj_enter_monitor_internal(vm, TRUE);
}

void
qemu_domain_obj_exit_monitor(DomainObj *vm)
{
    QemuDomainObjPrivate *priv = qemu_domain_obj_private(vm);
    QemuMonitor *mon;

    domain_obj_lock(vm);
    g_assert(priv->entered != NULL);
    mon = g_steal_pointer(&priv->entered);
    if (priv->entered_nested) {
        priv->entered_nested = FALSE;
        domain_job_end_nested(vm);
    }
    QVIRT_DEBUG("left monitor of domain '%s'", domain_obj_get_name(vm));
    qemu_monitor_unref(mon);
}

/* qemu_domain.h: the QEMU driver's private data of a domain and the
 * Enter/Exit wrappers around monitor commands.
 *
 * Contract of the wrappers (all called with the domain's mutex held):
 *
 *     mon = qemu_domain_obj_enter_monitor(vm);         (caller holds a normal job)
 *     or mon = qemu_domain_obj_enter_monitor_async(vm, asyncJob);
 *     if (!mon)
 *         goto error;                                  (vm still locked, no exit)
 *     rc = qemu_monitor_json_xxx(mon, ...);            (vm unlocked meanwhile)
 *     qemu_domain_obj_exit_monitor(vm);                (vm locked again)
 *     ... re-check domain_obj_is_active(vm): anything may have changed ...
 *
 * - enter drops the domain's mutex and returns the QMP monitor, referenced
 *   until exit, so the command may run even if the domain dies meanwhile (it
 *   then fails with the monitor's error).
 * - enter_monitor_async takes a nested job of ASYNC_JOB first (waiting with
 *   the job deadline); with DOMAIN_ASYNC_JOB_NONE it is enter_monitor. It
 *   fails if the domain died while it waited.
 * - exit re-locks the mutex, drops the reference and ends the nested job.
 * - Entering without a job is a bug: debug builds (without G_DISABLE_ASSERT)
 *   abort on the spot; other builds fail with INTERNAL_ERROR. */
#pragma once

#include <glib.h>

#include "conf/domain_job.h"
#include "conf/domain_obj.h"
#include "qemu/qemu_monitor.h"

typedef struct {
    QemuMonitor *mon; /* QMP monitor while QEMU runs, else NULL (owner's reference) */
    QemuMonitor *hmp; /* optional HMP monitor (readline chardev), else NULL */

    /* Set between enter and exit (only one thread can be there: it holds the
     * domain's normal job). */
    QemuMonitor *entered; /* a reference */
    gboolean entered_nested;
} QemuDomainObjPrivate;

QemuDomainObjPrivate *qemu_domain_obj_private_new(void);
/* Closes the monitors still open; a GDestroyNotify for vm->private_data_free. */
void qemu_domain_obj_private_free(gpointer priv);

/* Attach new private data to VM (which must have none). */
void qemu_domain_obj_init_private(DomainObj *vm);
QemuDomainObjPrivate *qemu_domain_obj_private(DomainObj *vm);

QemuMonitor *qemu_domain_obj_enter_monitor(DomainObj *vm);
QemuMonitor *qemu_domain_obj_enter_monitor_async(DomainObj *vm, DomainAsyncJob async_job);
void qemu_domain_obj_exit_monitor(DomainObj *vm);

/* qemu_domain_status.h: the QEMU driver's part of a domain's status XML and
 * the hook through which loading a status file hands the domain over:
 *
 *   <domstatus ...>
 *     <monitor path='/run/qvirt/qemu/vm1.monitor' type='unix'/>
 *     <hmpMonitor path='/run/qvirt/qemu/vm1.hmp'/>     (only with an HMP monitor)
 *     <logFile path='/var/log/qvirt/qemu/vm1.log'/>
 *     <libDir path='/var/lib/qvirt/qemu/domain-vm1'/>
 *     <domain ...>
 *
 * Contract: the elements are formatted in that order, each only when set,
 * and parsed strictly: a duplicate element, an unknown attribute or a
 * missing or relative path is an XML_ERROR naming the file. A loaded domain
 * gets the driver's private data with these paths, the monitor's path from
 * <monitor> (a status without one, or with a monitor that is not a UNIX
 * socket, is refused: the domain is dropped, its file left alone), and is
 * queued for reconnecting. */
#pragma once

#include <glib.h>

#include "conf/domain_status.h"
#include "qemu/qemu_driver.h"

/* Fill HOOKS with the QEMU driver's status hooks for DRIVER. */
void qemu_domain_status_hooks_init(DomainStatusHooks *hooks, QemuDriver *driver);

/* The DomainObjListStatusFunc for domain_obj_list_load_status(): OPAQUE is
 * a QemuDomainStatusLoad. */
typedef struct {
    QemuDriver *driver;
    GPtrArray *loaded; /* DomainObj references, for reconnecting */
} QemuDomainStatusLoad;

int qemu_domain_status_loaded(DomainObj *vm, DomainStatusExtra *extra, gpointer opaque);

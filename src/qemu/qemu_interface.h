/* qemu_interface.h: the host side of a domain's tap-backed interfaces
 * (<interface> types bridge, network and ethernet): their tap devices, made
 * when QEMU starts and removed when it stops.
 *
 * Contract:
 * - qemu_interface_prepare() runs before QEMU is spawned (also for an
 *   incoming migration, before migrate-incoming). For every tap-backed
 *   interface it opens a tap (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR) named from
 *   <target dev> or "qvnet%d", gives it the host MAC (the guest MAC with
 *   its first byte 0xFE), the MTU of <mtu> or else of its bridge, brings it
 *   up and makes it a port of its bridge (<source bridge>, or for type
 *   network the bridge that [networks] of qemu.conf gives the name). The
 *   tap name is written to <target dev> of DEF (the live definition), so
 *   the status XML keeps it. An ethernet interface with <target dev='X'
 *   managed='no'/> opens the existing tap X and changes nothing on it.
 * - The taps are not persistent: they go away with the last descriptor, so
 *   a QEMU that dies (even by SIGKILL) takes its taps with it. Removal at
 *   stop (qemu_interface_remove_taps) deletes only a device that still has
 *   the ifindex recorded when it was made or found, so a name some other
 *   guest reused meanwhile is never touched. managed='no' taps are never
 *   recorded, hence never removed.
 * - Privilege: a daemon that is not the system daemon and has no
 *   CAP_NET_ADMIN (a normal session daemon) cannot create taps: a bridge or
 *   network interface, or a managed ethernet one, fails with
 *   OPERATION_DENIED saying it needs the system daemon (root).
 * - Every error names the interface (its alias, e.g. net0) and the domain:
 *   an unknown network name, a missing bridge, a tap name already taken, a
 *   missing managed='no' tap, a netlink failure. A failed prepare leaves no
 *   device behind. */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_conf.h"

/* The taps opened for one start of QEMU. */
typedef struct _QemuInterfaceTaps QemuInterfaceTaps;

/* Open the taps of every tap-backed interface of DEF (the live definition
 * of domain DEF->name; its aliases are assigned). NULL with one error and
 * nothing left behind on failure. */
QemuInterfaceTaps *qemu_interface_prepare(const QemuDriverConfig *cfg, DomainDef *def);

/* The descriptor of each interface, by index in def->nets (-1 for those
 * without a tap), and their number, for QemuCommandContext. */
const int *qemu_interface_taps_fds(const QemuInterfaceTaps *taps, size_t *ret_n);

/* QEMU holds the descriptors now: close ours and return the record of the
 * taps made (name -> ifindex; the caller owns it, pass it to
 * qemu_interface_remove_taps at stop). TAPS is then empty: freeing it
 * removes nothing. */
GHashTable *qemu_interface_taps_commit(QemuInterfaceTaps *taps);

/* Close the descriptors and remove the taps made, unless committed. */
void qemu_interface_taps_free(QemuInterfaceTaps *taps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuInterfaceTaps, qemu_interface_taps_free)

/* After a daemon restart: the record of the taps of DEF (the status XML's
 * live definition of a running domain) found again by name; a tap that is
 * gone is logged and left out. Never NULL. */
GHashTable *qemu_interface_find_taps(const DomainDef *def);

/* Remove (detach from its bridge, then delete) every tap of the record
 * TAPS (may be NULL) that still exists with its recorded ifindex. Failures
 * are logged, never reported: a stop always completes. DOMNAME is for the
 * log. */
void qemu_interface_remove_taps(GHashTable *taps, const char *domname);

/* qemu_alias.h: the names qvirt gives the QEMU objects of a domain: device
 * ids (aliases), chardev, netdev and object ids, block node names and bus
 * names.
 *
 * Contract: every name is derived from the domain definition alone (device
 * kind, target name, controller index, drive address, position in its device
 * list), so the same XML always gives the same names and other modules
 * (block jobs, hotplug, the monitor) can compute them again. Device aliases
 * follow libvirt: virtio-disk0, ide0-0-0, sata0-0-0, scsi0-0-0-0, usb-disk0,
 * net0, serial0, console1, input0, video0, balloon0, rng0; controllers
 * pci.0 (pcie.0 on Q35), ide, usb, scsi0, virtio-serial0, sata0 (on Q35 the
 * built-in SATA controller is QEMU's "ide"). qemu_assign_aliases() writes
 * them into the definition, where the live XML records them. */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"

/* Set info.alias of every device of DEF, replacing any alias it had. */
void qemu_assign_aliases(DomainDef *def);

/* The alias of each kind of device (new strings). */
char *qemu_alias_disk(const DomainDiskDef *disk);
char *qemu_alias_controller(const DomainDef *def, const DomainControllerDef *cont);

/* PREFIX followed by the device's alias ("char" + "serial0", "host" +
 * "net0", "obj" + "rng0"); the alias must be set. New string. */
char *qemu_alias_prefixed(const char *prefix, const DomainDeviceInfo *info);

/* The root PCI bus: "pci.0" on i440FX, "pcie.0" on Q35. */
const char *qemu_alias_pci_root_bus(const DomainDef *def);

/* Block nodes. Each image of each disk's chain has an index N > 0: disks
 * in document order, and within a chain the deepest backing image first,
 * so the base has the lowest index and the disk's own image the highest.
 * An empty cdrom has no image and takes no index. */
unsigned int qemu_alias_block_node_index(const DomainDef *def, const DomainStorageSource *src);
/* "qvirt-N-storage" (the protocol node) and "qvirt-N-format" (the format node). */
char *qemu_alias_storage_node(unsigned int index);
char *qemu_alias_format_node(unsigned int index);

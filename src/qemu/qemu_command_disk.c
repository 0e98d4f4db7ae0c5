/* qemu_command_disk.c: the -blockdev nodes and the -device of every disk.
 *
 * Contract: each image of a disk's chain becomes two -blockdev nodes, a
 * protocol node (file, host_device or host_cdrom) named qvirt-N-storage
 * and a format node (raw or qcow2) named qvirt-N-format on top of it (N
 * from qemu_alias_block_node_index). The chain is emitted base first, so
 * every "backing" names a node that exists already; a chain ending in
 * <backingStore/> says "backing": null, and a chain the XML does not give
 * is left to QEMU, which reads it from the image. Backing images are read
 * only. The disk's -device (virtio-blk-pci, ide-hd, ide-cd, scsi-hd,
 * scsi-cd, usb-storage) names the top format node in "drive"; an empty
 * cdrom has no node and no "drive". */
#include <config.h>

#include "qemu/qemu_command_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

/* What a cache mode means for the nodes (O_DIRECT, flushes ignored) and
 * for the guest (whether it sees a volatile write cache). */
typedef struct {
    gboolean direct;
    gboolean no_flush;
    gboolean write_cache;
} DiskCacheMode;

static const DiskCacheMode disk_cache_modes[DOMAIN_DISK_CACHE_LAST] = {
    [DOMAIN_DISK_CACHE_NONE] = {TRUE, FALSE, TRUE},
    [DOMAIN_DISK_CACHE_WRITETHROUGH] = {FALSE, FALSE, FALSE},
    [DOMAIN_DISK_CACHE_WRITEBACK] = {FALSE, FALSE, TRUE},
    [DOMAIN_DISK_CACHE_DIRECTSYNC] = {TRUE, FALSE, FALSE},
    [DOMAIN_DISK_CACHE_UNSAFE] = {FALSE, TRUE, TRUE},
};

static void
disk_add_cache(QvirtJson *node, const DomainDiskDef *disk)
{
    const DiskCacheMode *mode;
    QvirtJson *cache;

    if (disk->cache == DOMAIN_DISK_CACHE_DEFAULT)
        return;
    mode = &disk_cache_modes[disk->cache];
    cache = json_object_new_object();
    qemu_command_json_bool(cache, "direct", mode->direct);
    qemu_command_json_bool(cache, "no-flush", mode->no_flush);
    json_object_object_add(node, "cache", cache);
}

static const char *
disk_protocol_driver(const DomainDiskDef *disk, const DomainStorageSource *src)
{
    if (src->type != DOMAIN_DISK_TYPE_BLOCK)
        return "file";
    return disk->device == DOMAIN_DISK_DEVICE_CDROM ? "host_cdrom" : "host_device";
}

static int
disk_check(QemuCommandBuild *b, const DomainDiskDef *disk)
{
    gboolean cdrom = disk->device == DOMAIN_DISK_DEVICE_CDROM;

    if (!cdrom && disk->readonly &&
        (disk->bus == DOMAIN_DISK_BUS_IDE || disk->bus == DOMAIN_DISK_BUS_SATA)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s': read-only disks are not supported on bus '%s' (use a "
                             "cdrom, or bus virtio or scsi)"),
                           disk->dst, domain_disk_bus_to_string(disk->bus));
        return -1;
    }
    if (cdrom && disk->bus == DOMAIN_DISK_BUS_USB) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("cdrom '%s': a cdrom on bus 'usb' is not supported (use sata, ide "
                             "or scsi)"),
                           disk->dst);
        return -1;
    }
    if (disk->shareable && disk->src->path && disk->src->format != DOMAIN_DISK_FORMAT_RAW) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s': a shareable disk needs format 'raw', not '%s'"), disk->dst,
                           domain_disk_format_to_string(disk->src->format));
        return -1;
    }
    for (const DomainStorageSource *s = disk->src; s && s->path; s = s->backing) {
        if (s->format == DOMAIN_DISK_FORMAT_RAW && s->backing && s->backing->path) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("disk '%s': raw image '%s' cannot have a backing image"),
                               disk->dst, s->path);
            return -1;
        }
    }
    return 0;
}

/* The two nodes of one image. TOP: the disk's own image (writable unless
 * the disk is read only); else a backing image. */
static void
disk_build_image(QemuCommandBuild *b, const DomainDiskDef *disk, const DomainStorageSource *src,
                 gboolean top)
{
    unsigned int index = qemu_alias_block_node_index(b->def, src);
    g_autofree char *storage_name = qemu_alias_storage_node(index);
    g_autofree char *format_name = qemu_alias_format_node(index);
    QvirtJson *storage = json_object_new_object();
    QvirtJson *format = json_object_new_object();

    qemu_command_json_str(storage, "driver", disk_protocol_driver(disk, src));
    qemu_command_json_str(storage, "filename", src->path);
    qemu_command_json_str(storage, "node-name", storage_name);
    qemu_command_json_bool(storage, "auto-read-only", TRUE);
    qemu_command_json_str(storage, "discard", "unmap");
    disk_add_cache(storage, disk);
    qemu_command_add_json(b, "-blockdev", storage);

    qemu_command_json_str(format, "node-name", format_name);
    qemu_command_json_bool(format, "read-only", !top || disk->readonly);
    qemu_command_json_str(format, "driver", domain_disk_format_to_string(src->format));
    qemu_command_json_str(format, "file", storage_name);
    disk_add_cache(format, disk);
    if (src->format == DOMAIN_DISK_FORMAT_QCOW2) {
        if (src->backing && src->backing->path) {
            g_autofree char *backing =
                qemu_alias_format_node(qemu_alias_block_node_index(b->def, src->backing));

            qemu_command_json_str(format, "backing", backing);
        } else if (src->backing_end) {
            json_object_object_add(format, "backing", NULL);
        }
    }
    qemu_command_add_json(b, "-blockdev", format);
}

static void
disk_build_nodes(QemuCommandBuild *b, const DomainDiskDef *disk)
{
    g_autoptr(GPtrArray) chain = g_ptr_array_new();

    for (const DomainStorageSource *s = disk->src; s && s->path; s = s->backing)
        g_ptr_array_add(chain, (gpointer)s);
    for (guint i = chain->len; i > 0; i--)
        disk_build_image(b, disk, g_ptr_array_index(chain, i - 1), i == 1);
}

static const char *
disk_device_driver(const DomainDiskDef *disk)
{
    gboolean cdrom = disk->device == DOMAIN_DISK_DEVICE_CDROM;

    switch ((DomainDiskBus)disk->bus) {
    case DOMAIN_DISK_BUS_IDE:
    case DOMAIN_DISK_BUS_SATA:
        return cdrom ? "ide-cd" : "ide-hd";
    case DOMAIN_DISK_BUS_SCSI:
        return cdrom ? "scsi-cd" : "scsi-hd";
    case DOMAIN_DISK_BUS_USB:
        return "usb-storage";
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_LAST:
        break;
    }
    return "virtio-blk-pci";
}

/* The name of the controller of TYPE with INDEX (domain_addr.c adds every
 * controller a disk needs). */
static const char *
disk_controller_alias(QemuCommandBuild *b, int type, unsigned int index)
{
    const DomainControllerDef *cont = domain_def_find_controller(b->def, type, index);

    return cont && cont->info.alias ? cont->info.alias : "";
}

static int
disk_add_bus(QemuCommandBuild *b, QvirtJson *dev, const DomainDiskDef *disk)
{
    const DomainDriveAddress *drive = &disk->info.drive;
    g_autofree char *bus = NULL;

    switch ((DomainDiskBus)disk->bus) {
    case DOMAIN_DISK_BUS_IDE:
        bus = g_strdup_printf(
            "%s.%u", disk_controller_alias(b, DOMAIN_CONTROLLER_TYPE_IDE, drive->controller),
            drive->bus);
        qemu_command_json_str(dev, "bus", bus);
        qemu_command_json_int(dev, "unit", drive->unit);
        break;
    case DOMAIN_DISK_BUS_SATA:
        /* Each AHCI port is a bus of its own. */
        bus = g_strdup_printf(
            "%s.%u", disk_controller_alias(b, DOMAIN_CONTROLLER_TYPE_SATA, drive->controller),
            drive->unit);
        qemu_command_json_str(dev, "bus", bus);
        break;
    case DOMAIN_DISK_BUS_SCSI:
        bus = g_strdup_printf(
            "%s.0", disk_controller_alias(b, DOMAIN_CONTROLLER_TYPE_SCSI, drive->controller));
        qemu_command_json_str(dev, "bus", bus);
        qemu_command_json_int(dev, "channel", drive->bus);
        qemu_command_json_int(dev, "scsi-id", drive->target);
        qemu_command_json_int(dev, "lun", drive->unit);
        break;
    case DOMAIN_DISK_BUS_USB:
        return qemu_command_device_add_usb(b, dev, &disk->info);
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_LAST:
        qemu_command_device_add_pci(b, dev, &disk->info);
        break;
    }
    return 0;
}

static int
disk_build_device(QemuCommandBuild *b, const DomainDiskDef *disk)
{
    QvirtJson *dev = qemu_command_device_new(disk_device_driver(disk), disk->info.alias);

    if (disk_add_bus(b, dev, disk) < 0) {
        json_object_put(dev);
        return -1;
    }
    if (disk->src->path) {
        g_autofree char *node =
            qemu_alias_format_node(qemu_alias_block_node_index(b->def, disk->src));

        qemu_command_json_str(dev, "drive", node);
        if (disk->cache != DOMAIN_DISK_CACHE_DEFAULT)
            qemu_command_json_str(dev, "write-cache",
                                  disk_cache_modes[disk->cache].write_cache ? "on" : "off");
        if (disk->shareable)
            qemu_command_json_bool(dev, "share-rw", TRUE);
    }
    if (disk->serial)
        qemu_command_json_str(dev, "serial", disk->serial);
    qemu_command_device_add_bootindex(dev, &disk->info);
    qemu_command_add_json(b, "-device", dev);
    return 0;
}

int
qemu_command_build_disks(QemuCommandBuild *b)
{
    for (size_t i = 0; i < b->def->ndisks; i++) {
        const DomainDiskDef *disk = b->def->disks[i];

        if (disk_check(b, disk) < 0)
            return -1;
        disk_build_nodes(b, disk);
        if (disk_build_device(b, disk) < 0)
            return -1;
    }
    return 0;
}

/* qemu_alias.c: device aliases and the other QEMU object names of a domain
 * (the contract is in qemu_alias.h). */
#include <config.h>

#include "qemu/qemu_alias.h"

static unsigned int
alias_disk_index(const DomainDiskDef *disk)
{
    int idx = domain_disk_name_to_index(disk->dst);

    /* The parser only accepts targets with an index. */
    return idx < 0 ? 0 : (unsigned int)idx;
}

char *
qemu_alias_disk(const DomainDiskDef *disk)
{
    const DomainDriveAddress *drive = &disk->info.drive;

    switch ((DomainDiskBus)disk->bus) {
    case DOMAIN_DISK_BUS_IDE:
        return g_strdup_printf("ide%u-%u-%u", drive->controller, drive->bus, drive->unit);
    case DOMAIN_DISK_BUS_SATA:
        return g_strdup_printf("sata%u-%u-%u", drive->controller, drive->bus, drive->unit);
    case DOMAIN_DISK_BUS_SCSI:
        return g_strdup_printf("scsi%u-%u-%u-%u", drive->controller, drive->bus, drive->target,
                               drive->unit);
    case DOMAIN_DISK_BUS_USB:
        return g_strdup_printf("usb-disk%u", alias_disk_index(disk));
    case DOMAIN_DISK_BUS_VIRTIO:
    case DOMAIN_DISK_BUS_LAST:
        break;
    }
    return g_strdup_printf("virtio-disk%u", alias_disk_index(disk));
}

char *
qemu_alias_controller(const DomainDef *def, const DomainControllerDef *cont)
{
    switch ((DomainControllerType)cont->type) {
    case DOMAIN_CONTROLLER_TYPE_PCI:
        if (cont->index == 0)
            return g_strdup(qemu_alias_pci_root_bus(def));
        return g_strdup_printf("pci.%u", cont->index);
    case DOMAIN_CONTROLLER_TYPE_IDE:
        return g_strdup("ide");
    case DOMAIN_CONTROLLER_TYPE_SATA:
        /* QEMU names the ICH9 AHCI function of Q35 "ide". */
        if (cont->index == 0 && domain_def_is_q35(def))
            return g_strdup("ide");
        return g_strdup_printf("sata%u", cont->index);
    case DOMAIN_CONTROLLER_TYPE_USB:
        if (cont->index == 0)
            return g_strdup("usb");
        return g_strdup_printf("usb%u", cont->index);
    case DOMAIN_CONTROLLER_TYPE_SCSI:
        return g_strdup_printf("scsi%u", cont->index);
    case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
    case DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
    return g_strdup_printf("virtio-serial%u", cont->index);
}

char *
qemu_alias_prefixed(const char *prefix, const DomainDeviceInfo *info)
{
    return g_strconcat(prefix, info->alias ? info->alias : "", NULL);
}

const char *
qemu_alias_pci_root_bus(const DomainDef *def)
{
    return domain_def_is_q35(def) ? "pcie.0" : "pci.0";
}

static void
alias_set(DomainDeviceInfo *info, char *alias)
{
    g_free(info->alias);
    info->alias = alias;
}

void
qemu_assign_aliases(DomainDef *def)
{
    for (size_t i = 0; i < def->ndisks; i++)
        alias_set(&def->disks[i]->info, qemu_alias_disk(def->disks[i]));
    for (size_t i = 0; i < def->ncontrollers; i++)
        alias_set(&def->controllers[i]->info, qemu_alias_controller(def, def->controllers[i]));
    for (size_t i = 0; i < def->nnets; i++)
        alias_set(&def->nets[i]->info, g_strdup_printf("net%zu", i));
    for (size_t i = 0; i < def->nserials; i++)
        alias_set(&def->serials[i]->info, g_strdup_printf("serial%zu", i));
    for (size_t i = 0; i < def->nconsoles; i++) {
        DomainChrDef *console = def->consoles[i];

        /* The serial console is the first serial port itself. */
        if (i == 0 && console->target_type == DOMAIN_CHR_CONSOLE_TARGET_SERIAL && def->nserials > 0)
            alias_set(&console->info, g_strdup(def->serials[0]->info.alias));
        else
            alias_set(&console->info, g_strdup_printf("console%zu", i));
    }
    for (size_t i = 0; i < def->ninputs; i++)
        alias_set(&def->inputs[i]->info, g_strdup_printf("input%zu", i));
    for (size_t i = 0; i < def->nvideos; i++)
        alias_set(&def->videos[i]->info, g_strdup_printf("video%zu", i));
    if (def->memballoon)
        alias_set(&def->memballoon->info, g_strdup("balloon0"));
    for (size_t i = 0; i < def->nrngs; i++)
        alias_set(&def->rngs[i]->info, g_strdup_printf("rng%zu", i));
}

/* ---- Block nodes ---- */

static unsigned int
alias_chain_length(const DomainStorageSource *src)
{
    unsigned int n = 0;

    for (; src && src->path; src = src->backing)
        n++;
    return n;
}

unsigned int
qemu_alias_block_node_index(const DomainDef *def, const DomainStorageSource *src)
{
    unsigned int base = 0;

    for (size_t i = 0; i < def->ndisks; i++) {
        const DomainStorageSource *top = def->disks[i]->src;
        unsigned int len = alias_chain_length(top);
        unsigned int depth = 0;

        for (const DomainStorageSource *s = top; s && s->path; s = s->backing, depth++) {
            if (s == src)
                return base + len - depth;
        }
        base += len;
    }
    return 0;
}

char *
qemu_alias_storage_node(unsigned int index)
{
    return g_strdup_printf("qvirt-%u-storage", index);
}

char *
qemu_alias_format_node(unsigned int index)
{
    return g_strdup_printf("qvirt-%u-format", index);
}

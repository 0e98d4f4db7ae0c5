/* domain_addr.c: what every device carries (<boot>, <alias>, <address>),
 * and the placement of devices: drive addresses, the controllers they
 * imply, and PCI slots.
 *
 * Contract: domain_addr_assign() keeps every address the user gave (after
 * checking it) and assigns the missing ones deterministically, so that a
 * formatted definition parses back to the same addresses:
 * - ide/sata/scsi disks get a drive address from their target name
 *   (hda is 0:0:0:0, hdc 0:1:0:0, sdb on scsi unit 1, ...);
 * - every controller a device needs is added (root PCI, ide, sata, scsi
 *   virtio-scsi, usb, virtio-serial), with the machine's default model;
 * - PCI devices get a slot on bus 0, function 0, in libvirt's order
 *   (controllers, primary video, interfaces, other videos, virtio disks,
 *   virtio inputs, balloon, RNGs). Built-in functions keep their fixed
 *   place: on i440FX ('pc') slot 1 is the PIIX3 (IDE 1.1, USB UHCI 1.2) and
 *   slot 2 is kept for the primary video; on Q35 slot 0x1f is the ICH9
 *   (SATA 1f.2) and slot 1 is kept for the primary video.
 * qvirt adds no PCI bridges: devices that do not fit on bus 0 are refused. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "conf/domain_conf_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

#define PCI_SLOTS 32
#define PCI_FUNCTIONS 8

/* ---- <boot>, <alias>, <address> ---- */

static gboolean
addr_alias_valid(const char *alias)
{
    for (const char *p = alias; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
            return FALSE;
    }
    return *alias != '\0';
}

/* A USB port: up to four dot-separated numbers 1..255 (a hub path). */
static gboolean
addr_usb_port_valid(const char *port)
{
    g_auto(GStrv) parts = g_strsplit(port, ".", -1);
    guint n = g_strv_length(parts);

    if (n == 0 || n > 4)
        return FALSE;
    for (guint i = 0; i < n; i++) {
        size_t len = strlen(parts[i]);

        if (len == 0 || len > 3 || strspn(parts[i], "0123456789") != len)
            return FALSE;
        if (atoi(parts[i]) < 1 || atoi(parts[i]) > 255)
            return FALSE;
    }
    return TRUE;
}

static int
addr_parse_uint(xmlNodePtr node, const char *name, int base, unsigned int max, unsigned int *ret)
{
    unsigned int val = 0;
    int rc = domain_xml_attr_uint(node, name, base, &val);

    if (rc == -2)
        return -1;
    if (val > max) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%u' for attribute '%s' of <address>: expected "
                             "0 to %u"),
                           val, name, max);
        return -1;
    }
    *ret = val;
    return 0;
}

static int
addr_parse_pci(xmlNodePtr node, DomainPciAddress *pci)
{
    if (addr_parse_uint(node, "domain", 0, G_MAXUINT, &pci->domain) < 0 ||
        addr_parse_uint(node, "bus", 0, 255, &pci->bus) < 0 ||
        addr_parse_uint(node, "slot", 0, PCI_SLOTS - 1, &pci->slot) < 0 ||
        addr_parse_uint(node, "function", 0, PCI_FUNCTIONS - 1, &pci->function) < 0)
        return -1;
    if (domain_xml_attr_tristate(node, "multifunction", TRUE, &pci->multifunction) == -2)
        return -1;
    if (pci->domain != 0 || pci->bus != 0) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("PCI address %04x:%02x:%02x.%x is not supported: qvirt places "
                             "devices on bus 0 of domain 0 only"),
                           pci->domain, pci->bus, pci->slot, pci->function);
        return -1;
    }
    return 0;
}

static int
addr_parse_drive(xmlNodePtr node, DomainDriveAddress *drive)
{
    /* The bounds of libvirt's schema; each bus checks its own later. */
    if (addr_parse_uint(node, "controller", 10, 99, &drive->controller) < 0 ||
        addr_parse_uint(node, "bus", 10, 99, &drive->bus) < 0 ||
        addr_parse_uint(node, "target", 10, 99, &drive->target) < 0 ||
        addr_parse_uint(node, "unit", 10, 99999, &drive->unit) < 0)
        return -1;
    return 0;
}

static int
addr_parse_usb(xmlNodePtr node, DomainUsbAddress *usb)
{
    if (addr_parse_uint(node, "bus", 10, 99, &usb->bus) < 0)
        return -1;
    if (domain_xml_attr_string(node, "port", FALSE, &usb->port) == -2)
        return -1;
    if (usb->port && !addr_usb_port_valid(usb->port)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid USB port '%s': expected up to 4 numbers 1-255 "
                             "separated by '.'"),
                           usb->port);
        return -1;
    }
    return 0;
}

static int
addr_parse_address(xmlNodePtr dev, xmlNodePtr node, DomainDeviceInfo *info, unsigned int allowed)
{
    static const unsigned int needed[DOMAIN_ADDRESS_LAST] = {
        [DOMAIN_ADDRESS_PCI] = DOMAIN_INFO_PCI,
        [DOMAIN_ADDRESS_DRIVE] = DOMAIN_INFO_DRIVE,
        [DOMAIN_ADDRESS_USB] = DOMAIN_INFO_USB,
    };
    int type;
    int rc = domain_xml_attr_enum(node, "type", domain_address_type_to_string, DOMAIN_ADDRESS_PCI,
                                  DOMAIN_ADDRESS_LAST, &type);

    if (rc == -2)
        return -1;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <address>"));
        return -1;
    }
    if (!(allowed & needed[type])) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("an address of type '%s' is not valid for <%s>"),
                           domain_address_type_to_string(type), (const char *)dev->name);
        return -1;
    }
    switch ((DomainAddressType)type) {
    case DOMAIN_ADDRESS_PCI:
        rc = addr_parse_pci(node, &info->pci);
        break;
    case DOMAIN_ADDRESS_DRIVE:
        rc = addr_parse_drive(node, &info->drive);
        break;
    case DOMAIN_ADDRESS_USB:
        rc = addr_parse_usb(node, &info->usb);
        break;
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_LAST:
        rc = -1;
        break;
    }
    if (rc < 0)
        return -1;
    info->addr_type = type;
    return 0;
}

int
domain_device_info_parse(xmlNodePtr node, DomainDeviceInfo *info, unsigned int allowed,
                         unsigned int flags)
{
    xmlNodePtr child;
    int rc;

    if ((rc = domain_xml_child(node, "alias", &child)) < 0)
        return -1;
    if (rc > 0) {
        g_autofree char *alias = NULL;

        if (domain_xml_attr_string(child, "name", FALSE, &alias) == -2)
            return -1;
        if (!alias || !addr_alias_valid(alias)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("invalid or missing attribute 'name' of <alias> in <%s>"),
                               (const char *)node->name);
            return -1;
        }
        /* An alias is given by the driver when the domain starts. */
        if (flags & DOMAIN_DEF_PARSE_STATUS)
            info->alias = g_steal_pointer(&alias);
    }

    if (allowed & DOMAIN_INFO_BOOT) {
        if ((rc = domain_xml_child(node, "boot", &child)) < 0)
            return -1;
        if (rc > 0) {
            rc = domain_xml_attr_uint(child, "order", 10, &info->boot_order);
            if (rc == -2)
                return -1;
            if (rc == -1 || info->boot_order == 0) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("<boot> of <%s> needs an attribute 'order' of at least 1"),
                                   (const char *)node->name);
                return -1;
            }
        }
    }

    if (allowed & (DOMAIN_INFO_PCI | DOMAIN_INFO_DRIVE | DOMAIN_INFO_USB)) {
        if ((rc = domain_xml_child(node, "address", &child)) < 0)
            return -1;
        if (rc > 0 && addr_parse_address(node, child, info, allowed) < 0)
            return -1;
    }
    return 0;
}

void
domain_device_info_format(QvirtBuffer *buf, const DomainDeviceInfo *info, unsigned int flags)
{
    if (info->boot_order)
        qvirt_buffer_printf(buf, "<boot order='%u'/>\n", info->boot_order);
    if (info->alias && !(flags & DOMAIN_DEF_FORMAT_INACTIVE))
        qvirt_buffer_escape_string(buf, "<alias name='%s'/>\n", info->alias);

    switch ((DomainAddressType)info->addr_type) {
    case DOMAIN_ADDRESS_PCI:
        qvirt_buffer_printf(buf,
                            "<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                            "function='0x%x'",
                            info->pci.domain, info->pci.bus, info->pci.slot, info->pci.function);
        if (info->pci.multifunction)
            qvirt_buffer_printf(buf, " multifunction='%s'",
                                domain_tristate_switch_to_string(info->pci.multifunction));
        qvirt_buffer_add(buf, "/>\n");
        break;
    case DOMAIN_ADDRESS_DRIVE:
        qvirt_buffer_printf(buf,
                            "<address type='drive' controller='%u' bus='%u' target='%u' "
                            "unit='%u'/>\n",
                            info->drive.controller, info->drive.bus, info->drive.target,
                            info->drive.unit);
        break;
    case DOMAIN_ADDRESS_USB:
        qvirt_buffer_printf(buf, "<address type='usb' bus='%u'", info->usb.bus);
        qvirt_buffer_escape_string(buf, " port='%s'", info->usb.port);
        qvirt_buffer_add(buf, "/>\n");
        break;
    case DOMAIN_ADDRESS_NONE:
    case DOMAIN_ADDRESS_LAST:
        break;
    }
}

void
domain_device_info_copy(DomainDeviceInfo *dst, const DomainDeviceInfo *src)
{
    *dst = *src;
    dst->usb.port = g_strdup(src->usb.port);
    dst->alias = g_strdup(src->alias);
}

/* ---- Drive addresses and the controllers disks imply ---- */

/* The shape of a drive bus: how many units per controller, and bounds. */
typedef struct {
    int bus;             /* DomainDiskBus */
    int controller_type; /* DomainControllerType */
    unsigned int per_controller;
    unsigned int max_controller;
    unsigned int max_bus;
    unsigned int max_target;
    unsigned int max_unit;
} DriveBusShape;

static const DriveBusShape drive_buses[] = {
    {DOMAIN_DISK_BUS_IDE, DOMAIN_CONTROLLER_TYPE_IDE, 4, 0, 1, 0, 1},
    {DOMAIN_DISK_BUS_SATA, DOMAIN_CONTROLLER_TYPE_SATA, 6, 99, 0, 0, 5},
    {DOMAIN_DISK_BUS_SCSI, DOMAIN_CONTROLLER_TYPE_SCSI, 7, 99, 0, 255, 16383},
};

static const DriveBusShape *
addr_drive_shape(int bus)
{
    for (size_t i = 0; i < G_N_ELEMENTS(drive_buses); i++) {
        if (drive_buses[i].bus == bus)
            return &drive_buses[i];
    }
    return NULL;
}

static int
addr_assign_disk(DomainDef *def, DomainDiskDef *disk)
{
    const DriveBusShape *shape = addr_drive_shape(disk->bus);
    const char *bus = domain_disk_bus_to_string(disk->bus);
    int want = shape                              ? DOMAIN_ADDRESS_DRIVE
               : disk->bus == DOMAIN_DISK_BUS_USB ? DOMAIN_ADDRESS_USB
                                                  : DOMAIN_ADDRESS_PCI;
    DomainDriveAddress *drive = &disk->info.drive;

    if (disk->info.addr_type != DOMAIN_ADDRESS_NONE && disk->info.addr_type != want) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("disk '%s' on bus '%s' cannot have an address of type '%s' "
                             "(expected '%s')"),
                           disk->dst, bus, domain_address_type_to_string(disk->info.addr_type),
                           domain_address_type_to_string(want));
        return -1;
    }
    if (disk->bus == DOMAIN_DISK_BUS_IDE && domain_def_is_q35(def)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("disk '%s': machine type '%s' has no IDE bus (use bus 'sata')"),
                           disk->dst, def->os.machine);
        return -1;
    }
    if (!shape)
        return 0;

    if (disk->info.addr_type == DOMAIN_ADDRESS_NONE) {
        unsigned int idx = (unsigned int)domain_disk_name_to_index(disk->dst);

        disk->info.addr_type = DOMAIN_ADDRESS_DRIVE;
        drive->controller = idx / shape->per_controller;
        drive->target = 0;
        if (disk->bus == DOMAIN_DISK_BUS_IDE) {
            drive->bus = (idx % 4) / 2;
            drive->unit = idx % 2;
        } else {
            drive->bus = 0;
            drive->unit = idx % shape->per_controller;
        }
    }
    if (drive->controller > shape->max_controller || drive->bus > shape->max_bus ||
        drive->target > shape->max_target || drive->unit > shape->max_unit) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("drive address controller='%u' bus='%u' target='%u' unit='%u' of "
                             "disk '%s' is out of range for bus '%s' (controller 0-%u, bus 0-%u, "
                             "target 0-%u, unit 0-%u)"),
                           drive->controller, drive->bus, drive->target, drive->unit, disk->dst,
                           bus, shape->max_controller, shape->max_bus, shape->max_target,
                           shape->max_unit);
        return -1;
    }
    return 0;
}

static int
addr_check_drive_duplicates(const DomainDef *def)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        const DomainDiskDef *a = def->disks[i];

        if (a->info.addr_type != DOMAIN_ADDRESS_DRIVE)
            continue;
        for (size_t j = i + 1; j < def->ndisks; j++) {
            const DomainDiskDef *b = def->disks[j];

            if (b->info.addr_type == DOMAIN_ADDRESS_DRIVE &&
                addr_drive_shape(a->bus)->controller_type ==
                    addr_drive_shape(b->bus)->controller_type &&
                memcmp(&a->info.drive, &b->info.drive, sizeof(a->info.drive)) == 0) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("disks '%s' and '%s' have the same drive address "
                                     "controller='%u' bus='%u' target='%u' unit='%u'"),
                                   a->dst, b->dst, a->info.drive.controller, a->info.drive.bus,
                                   a->info.drive.target, a->info.drive.unit);
                return -1;
            }
        }
    }
    return 0;
}

/* The controller of TYPE and INDEX, added with the default model if missing. */
static DomainControllerDef *
addr_ensure_controller(DomainDef *def, int type, unsigned int index)
{
    DomainControllerDef *cont = domain_def_find_controller(def, type, index);

    if (cont)
        return cont;
    cont = g_new0(DomainControllerDef, 1);
    cont->type = type;
    cont->index = index;
    cont->model = domain_controller_default_model(def, type);
    def->controllers = g_renew(DomainControllerDef *, def->controllers, def->ncontrollers + 1);
    def->controllers[def->ncontrollers++] = cont;
    return cont;
}

static int
addr_ensure_usb(DomainDef *def, const DomainDeviceInfo *info, const char *what)
{
    unsigned int bus = info->addr_type == DOMAIN_ADDRESS_USB ? info->usb.bus : 0;
    DomainControllerDef *cont = addr_ensure_controller(def, DOMAIN_CONTROLLER_TYPE_USB, bus);

    if (cont->model == DOMAIN_CONTROLLER_MODEL_USB_NONE) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("%s needs a USB bus, but the USB controller model is 'none'"), what);
        return -1;
    }
    return 0;
}

/* Two USB devices cannot sit on one port. */
static int
addr_check_usb_duplicates(const DomainDef *def)
{
    g_autoptr(GHashTable) ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) infos = g_ptr_array_new();

    for (size_t i = 0; i < def->ndisks; i++)
        g_ptr_array_add(infos, &def->disks[i]->info);
    for (size_t i = 0; i < def->ninputs; i++)
        g_ptr_array_add(infos, &def->inputs[i]->info);
    for (guint i = 0; i < infos->len; i++) {
        const DomainDeviceInfo *info = g_ptr_array_index(infos, i);
        char *key;

        if (info->addr_type != DOMAIN_ADDRESS_USB || !info->usb.port)
            continue;
        key = g_strdup_printf("%u:%s", info->usb.bus, info->usb.port);
        if (!g_hash_table_add(ports, key)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("USB address bus='%u' port='%s' is used by more than one "
                                 "device"),
                               info->usb.bus, info->usb.port);
            return -1;
        }
    }
    return 0;
}

static int
addr_compare_controllers(gconstpointer a, gconstpointer b)
{
    const DomainControllerDef *x = *(DomainControllerDef *const *)a;
    const DomainControllerDef *y = *(DomainControllerDef *const *)b;

    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int
addr_check_controllers(DomainDef *def)
{
    gboolean q35 = domain_def_is_q35(def);

    for (size_t i = 0; i < def->ncontrollers; i++) {
        DomainControllerDef *cont = def->controllers[i];
        const char *type = domain_controller_type_to_string(cont->type);

        if (cont->model < 0)
            cont->model = domain_controller_default_model(def, cont->type);
        for (size_t j = i + 1; j < def->ncontrollers; j++) {
            if (def->controllers[j]->type == cont->type &&
                def->controllers[j]->index == cont->index) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("duplicate controller type='%s' index='%u'"), type,
                                   cont->index);
                return -1;
            }
        }
        switch ((DomainControllerType)cont->type) {
        case DOMAIN_CONTROLLER_TYPE_PCI:
            if (cont->index != 0) {
                qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                                   _("PCI controller index %u is not supported: qvirt uses "
                                     "the root bus (index 0) only"),
                                   cont->index);
                return -1;
            }
            if (cont->model != domain_controller_default_model(def, cont->type)) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("PCI root controller model '%s' does not match machine "
                                     "type '%s'"),
                                   domain_controller_model_pci_to_string(cont->model),
                                   def->os.machine);
                return -1;
            }
            break;
        case DOMAIN_CONTROLLER_TYPE_IDE:
            if (q35 || cont->index != 0) {
                qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                                   _("IDE controller index %u is not supported on machine type "
                                     "'%s' (only the built-in one of i440FX, index 0)"),
                                   cont->index, def->os.machine);
                return -1;
            }
            break;
        case DOMAIN_CONTROLLER_TYPE_USB:
            if (cont->ports && cont->model != DOMAIN_CONTROLLER_MODEL_USB_QEMU_XHCI &&
                cont->model != DOMAIN_CONTROLLER_MODEL_USB_NEC_XHCI) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("attribute 'ports' of <controller> is only valid for USB "
                                     "models qemu-xhci and nec-xhci"));
                return -1;
            }
            break;
        case DOMAIN_CONTROLLER_TYPE_SCSI:
        case DOMAIN_CONTROLLER_TYPE_SATA:
        case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        case DOMAIN_CONTROLLER_TYPE_LAST:
            break;
        }
    }
    return 0;
}

static int
addr_assign_drives_and_controllers(DomainDef *def)
{
    addr_ensure_controller(def, DOMAIN_CONTROLLER_TYPE_PCI, 0);
    for (size_t i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->model < 0)
            def->controllers[i]->model =
                domain_controller_default_model(def, def->controllers[i]->type);
    }

    for (size_t i = 0; i < def->ndisks; i++) {
        DomainDiskDef *disk = def->disks[i];
        const DriveBusShape *shape = addr_drive_shape(disk->bus);

        if (addr_assign_disk(def, disk) < 0)
            return -1;
        if (shape)
            addr_ensure_controller(def, shape->controller_type, disk->info.drive.controller);
        if (disk->bus == DOMAIN_DISK_BUS_USB) {
            g_autofree char *what = g_strdup_printf(_("disk '%s'"), disk->dst);

            if (addr_ensure_usb(def, &disk->info, what) < 0)
                return -1;
        }
    }
    if (addr_check_drive_duplicates(def) < 0)
        return -1;

    for (size_t i = 0; i < def->ninputs; i++) {
        if (def->inputs[i]->bus == DOMAIN_INPUT_BUS_USB) {
            g_autofree char *what = g_strdup_printf(
                _("input device '%s'"), domain_input_type_to_string(def->inputs[i]->type));

            if (addr_ensure_usb(def, &def->inputs[i]->info, what) < 0)
                return -1;
        }
    }
    for (size_t i = 0; i < def->nconsoles; i++) {
        if (def->consoles[i]->target_type == DOMAIN_CHR_CONSOLE_TARGET_VIRTIO)
            addr_ensure_controller(def, DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, 0);
    }

    if (addr_check_usb_duplicates(def) < 0 || addr_check_controllers(def) < 0)
        return -1;
    if (def->ncontrollers > 1)
        qsort(def->controllers, def->ncontrollers, sizeof(def->controllers[0]),
              addr_compare_controllers);
    return 0;
}

/* ---- PCI slots ---- */

/* One device that sits (or may sit) on the PCI bus. */
typedef struct {
    DomainDeviceInfo *info;
    const char *what;   /* element name, for errors */
    gboolean needs_pci; /* FALSE: must not have a PCI address */
    int builtin_slot;   /* >0: fixed at builtin_slot.builtin_function */
    int builtin_function;
    int preferred_slot; /* >0: try this slot first (the primary video) */
} PciDevice;

typedef struct {
    guint8 used[PCI_SLOTS]; /* bit per function in use */
    const char *owner[PCI_SLOTS][PCI_FUNCTIONS];
    gboolean reserved[PCI_SLOTS]; /* not for automatic assignment */
    int chipset_slot;             /* slot of the built-in chipset functions */
    const char *chipset;
} PciBus;

static void
addr_pci_add(GArray *devs, DomainDeviceInfo *info, const char *what, gboolean needs_pci,
             int builtin_slot, int builtin_function)
{
    PciDevice dev = {info, what, needs_pci, builtin_slot, builtin_function, 0};

    g_array_append_val(devs, dev);
}

static void
addr_pci_collect_controllers(const DomainDef *def, GArray *devs)
{
    gboolean q35 = domain_def_is_q35(def);

    for (size_t i = 0; i < def->ncontrollers; i++) {
        DomainControllerDef *cont = def->controllers[i];
        gboolean needs = TRUE;
        int slot = 0;
        int function = 0;

        switch ((DomainControllerType)cont->type) {
        case DOMAIN_CONTROLLER_TYPE_IDE:
            slot = 1; /* PIIX3 IDE */
            function = 1;
            break;
        case DOMAIN_CONTROLLER_TYPE_SATA:
            if (q35 && cont->index == 0) {
                slot = 0x1f; /* ICH9 AHCI */
                function = 2;
            }
            break;
        case DOMAIN_CONTROLLER_TYPE_USB:
            if (cont->model == DOMAIN_CONTROLLER_MODEL_USB_NONE) {
                needs = FALSE;
            } else if (!q35 && cont->index == 0 &&
                       cont->model == DOMAIN_CONTROLLER_MODEL_USB_PIIX3_UHCI) {
                slot = 1; /* PIIX3 USB */
                function = 2;
            }
            break;
        case DOMAIN_CONTROLLER_TYPE_PCI:
            needs = FALSE;
            break;
        case DOMAIN_CONTROLLER_TYPE_SCSI:
        case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        case DOMAIN_CONTROLLER_TYPE_LAST:
            break;
        }
        addr_pci_add(devs, &cont->info, "controller", needs, slot, function);
    }
}

/* Every device of DEF in the order slots are assigned. */
static GArray *
addr_pci_collect(const DomainDef *def)
{
    GArray *devs = g_array_new(FALSE, TRUE, sizeof(PciDevice));

    addr_pci_collect_controllers(def, devs);
    for (size_t i = 0; i < def->nvideos; i++) {
        DomainVideoDef *video = def->videos[i];

        addr_pci_add(devs, &video->info, "video", video->model != DOMAIN_VIDEO_MODEL_NONE, 0, 0);
        if (i == 0 && video->model != DOMAIN_VIDEO_MODEL_NONE)
            g_array_index(devs, PciDevice, devs->len - 1).preferred_slot =
                domain_def_is_q35(def) ? 1 : 2;
    }
    for (size_t i = 0; i < def->nnets; i++)
        addr_pci_add(devs, &def->nets[i]->info, "interface", TRUE, 0, 0);
    for (size_t i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->bus == DOMAIN_DISK_BUS_VIRTIO)
            addr_pci_add(devs, &def->disks[i]->info, "disk", TRUE, 0, 0);
    }
    for (size_t i = 0; i < def->ninputs; i++) {
        if (def->inputs[i]->bus == DOMAIN_INPUT_BUS_VIRTIO)
            addr_pci_add(devs, &def->inputs[i]->info, "input", TRUE, 0, 0);
    }
    if (def->memballoon)
        addr_pci_add(devs, &def->memballoon->info, "memballoon",
                     def->memballoon->model != DOMAIN_MEMBALLOON_MODEL_NONE, 0, 0);
    for (size_t i = 0; i < def->nrngs; i++)
        addr_pci_add(devs, &def->rngs[i]->info, "rng", TRUE, 0, 0);
    return devs;
}

static gboolean
addr_pci_is_wanted(const DomainDeviceInfo *info)
{
    /* libvirt's convention: an all-zero PCI address asks for one. */
    return info->addr_type == DOMAIN_ADDRESS_NONE ||
           (info->addr_type == DOMAIN_ADDRESS_PCI && info->pci.slot == 0 &&
            info->pci.function == 0);
}

/* Give INFO the address 0000:00:SLOT.FUNCTION, keeping a multifunction
 * setting that came with an all-zero address. */
static void
addr_pci_set(DomainDeviceInfo *info, int slot, int function)
{
    int multifunction = info->addr_type == DOMAIN_ADDRESS_PCI ? info->pci.multifunction : 0;

    info->addr_type = DOMAIN_ADDRESS_PCI;
    memset(&info->pci, 0, sizeof(info->pci));
    info->pci.slot = slot;
    info->pci.function = function;
    info->pci.multifunction = multifunction;
}

static int
addr_pci_reserve(PciBus *bus, const PciDevice *dev)
{
    const DomainPciAddress *pci = &dev->info->pci;
    const char *owner = bus->owner[pci->slot][pci->function];

    if (owner) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("PCI address 0000:00:%02x.%x of <%s> is already used by <%s>"),
                           pci->slot, pci->function, dev->what, owner);
        return -1;
    }
    if (pci->slot == (unsigned int)bus->chipset_slot && dev->builtin_slot == 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("PCI slot 0x%02x of <%s> is reserved for the built-in %s functions"),
                           pci->slot, dev->what, bus->chipset);
        return -1;
    }
    bus->used[pci->slot] |= 1u << pci->function;
    bus->owner[pci->slot][pci->function] = dev->what;
    return 0;
}

/* Check and record the addresses that are given or fixed. */
static int
addr_pci_reserve_given(PciBus *bus, GArray *devs)
{
    for (guint i = 0; i < devs->len; i++) {
        PciDevice *dev = &g_array_index(devs, PciDevice, i);
        DomainDeviceInfo *info = dev->info;

        if (!dev->needs_pci) {
            if (info->addr_type == DOMAIN_ADDRESS_PCI) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("this <%s> is not a PCI device and cannot have a PCI "
                                     "address"),
                                   dev->what);
                return -1;
            }
            continue;
        }
        if (dev->builtin_slot) {
            if (!addr_pci_is_wanted(info) &&
                (info->pci.slot != (unsigned int)dev->builtin_slot ||
                 info->pci.function != (unsigned int)dev->builtin_function)) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("this <%s> is built into the machine at PCI address "
                                     "0000:00:%02x.%x"),
                                   dev->what, dev->builtin_slot, dev->builtin_function);
                return -1;
            }
            addr_pci_set(info, dev->builtin_slot, dev->builtin_function);
        } else if (addr_pci_is_wanted(info)) {
            continue;
        }
        if (addr_pci_reserve(bus, dev) < 0)
            return -1;
    }
    return 0;
}

static int
addr_pci_assign_missing(PciBus *bus, GArray *devs)
{
    for (guint i = 0; i < devs->len; i++) {
        PciDevice *dev = &g_array_index(devs, PciDevice, i);
        int slot = -1;

        if (!dev->needs_pci || !addr_pci_is_wanted(dev->info))
            continue;
        if (dev->preferred_slot && !bus->used[dev->preferred_slot])
            slot = dev->preferred_slot;
        for (int s = 1; slot < 0 && s < PCI_SLOTS; s++) {
            if (!bus->used[s] && !bus->reserved[s])
                slot = s;
        }
        if (slot < 0) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("no free PCI slot on bus 0 for <%s>: qvirt does not add PCI "
                                 "bridges"),
                               dev->what);
            return -1;
        }
        addr_pci_set(dev->info, slot, 0);
        if (addr_pci_reserve(bus, dev) < 0)
            return -1;
    }
    return 0;
}

static int
addr_assign_pci(DomainDef *def)
{
    g_autoptr(GArray) devs = addr_pci_collect(def);
    PciBus bus = {0};

    bus.used[0] = 0xff; /* the host bridge */
    for (int f = 0; f < PCI_FUNCTIONS; f++)
        bus.owner[0][f] = "host bridge";
    if (domain_def_is_q35(def)) {
        bus.chipset_slot = 0x1f;
        bus.chipset = "ICH9";
        bus.reserved[1] = TRUE; /* the primary video */
    } else {
        bus.chipset_slot = 1;
        bus.chipset = "PIIX3";
        bus.reserved[2] = TRUE; /* the primary video */
    }
    bus.reserved[bus.chipset_slot] = TRUE;

    if (addr_pci_reserve_given(&bus, devs) < 0)
        return -1;
    return addr_pci_assign_missing(&bus, devs);
}

int
domain_addr_assign(DomainDef *def)
{
    if (addr_assign_drives_and_controllers(def) < 0)
        return -1;
    return addr_assign_pci(def);
}

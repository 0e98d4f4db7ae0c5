/* domain_conf_disk.c: <disk> (with its <backingStore> chain) and
 * <controller>: parse and format.
 *
 * Contract: a parsed disk always has a driver format (raw by default), a
 * bus (from the target name's prefix when not given: hd ide, sd scsi, vd
 * virtio), and a source unless it is an empty cdrom; a cdrom is always
 * read-only. A controller's missing model is filled in later from the
 * machine type (domain_controller_default_model). */
#include <config.h>

#include <string.h>

#include "conf/domain_conf_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

/* <driver name=...>: QEMU is the only driver. */
static const char *
disk_driver_name_to_string(int value)
{
    return value == 0 ? "qemu" : NULL;
}

/* The attribute of <source> that holds the path, by disk type. */
static const char *
disk_source_attr(int type)
{
    return type == DOMAIN_DISK_TYPE_BLOCK ? "dev" : "file";
}

/* <source file|dev='...'/> of NODE into SRC->path (NULL when absent or empty). */
static int
disk_parse_source(xmlNodePtr node, DomainStorageSource *src)
{
    xmlNodePtr source;
    int rc;

    if ((rc = domain_xml_child(node, "source", &source)) <= 0)
        return rc;
    if (domain_xml_attr_string(source, disk_source_attr(src->type), TRUE, &src->path) == -2)
        return -1;
    if (src->path && !*src->path)
        g_clear_pointer(&src->path, g_free);
    return domain_xml_check_path(src->path, "<source>");
}

static int
disk_parse_type(xmlNodePtr node, const char *element, gboolean required, int *ret)
{
    int rc = domain_xml_attr_enum(node, "type", domain_disk_type_to_string, 0,
                                  DOMAIN_DISK_TYPE_LAST, ret);

    if (rc == -2)
        return -1;
    if (rc == -1 && required) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <%s>"), element);
        return -1;
    }
    return 0;
}

/* The <backingStore> of NODE (a <disk> or a <backingStore>) into SRC. */
static int
disk_parse_backing(xmlNodePtr node, DomainStorageSource *src)
{
    g_autoptr(DomainStorageSource) backing = NULL;
    xmlNodePtr store;
    xmlNodePtr format;
    int rc;

    if ((rc = domain_xml_child(node, "backingStore", &store)) <= 0)
        return rc;
    if (!store->properties && !xmlFirstElementChild(store)) {
        src->backing_end = TRUE; /* <backingStore/>: no backing image */
        return 0;
    }
    backing = g_new0(DomainStorageSource, 1);
    if (disk_parse_type(store, "backingStore", TRUE, &backing->type) < 0)
        return -1;
    if ((rc = domain_xml_child(store, "format", &format)) < 0)
        return -1;
    if (rc == 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing <format> in <backingStore>"));
        return -1;
    }
    rc = domain_xml_attr_enum(format, "type", domain_disk_format_to_string, 0,
                              DOMAIN_DISK_FORMAT_LAST, &backing->format);
    if (rc == -2)
        return -1;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <format>"));
        return -1;
    }
    if (disk_parse_source(store, backing) < 0)
        return -1;
    if (!backing->path) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("<backingStore> has no source"));
        return -1;
    }
    if (disk_parse_backing(store, backing) < 0)
        return -1;
    src->backing = g_steal_pointer(&backing);
    return 0;
}

static int
disk_parse_driver(xmlNodePtr node, DomainDiskDef *disk)
{
    xmlNodePtr driver;
    int name;
    int rc;

    disk->src->format = DOMAIN_DISK_FORMAT_RAW;
    if ((rc = domain_xml_child(node, "driver", &driver)) <= 0)
        return rc;
    if (domain_xml_attr_enum(driver, "name", disk_driver_name_to_string, 0, 1, &name) == -2 ||
        domain_xml_attr_enum(driver, "type", domain_disk_format_to_string, 0,
                             DOMAIN_DISK_FORMAT_LAST, &disk->src->format) == -2 ||
        domain_xml_attr_enum(driver, "cache", domain_disk_cache_to_string, 0,
                             DOMAIN_DISK_CACHE_LAST, &disk->cache) == -2)
        return -1;
    return 0;
}

static int
disk_parse_target(xmlNodePtr node, DomainDiskDef *disk)
{
    xmlNodePtr target;
    int rc;

    if ((rc = domain_xml_child(node, "target", &target)) < 0)
        return -1;
    if (rc == 0 || domain_xml_attr_string(target, "dev", FALSE, &disk->dst) == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing <target dev='...'/> in <disk>"));
        return -1;
    }
    if (!disk->dst)
        return -1;
    if (domain_disk_name_to_index(disk->dst) < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid disk target '%s': expected hd, sd or vd followed by "
                             "lowercase letters"),
                           disk->dst);
        return -1;
    }
    rc = domain_xml_attr_enum(target, "bus", domain_disk_bus_to_string, 0, DOMAIN_DISK_BUS_LAST,
                              &disk->bus);
    if (rc == -2)
        return -1;
    if (rc == -1) {
        if (g_str_has_prefix(disk->dst, "hd"))
            disk->bus = DOMAIN_DISK_BUS_IDE;
        else if (g_str_has_prefix(disk->dst, "sd"))
            disk->bus = DOMAIN_DISK_BUS_SCSI;
        else
            disk->bus = DOMAIN_DISK_BUS_VIRTIO;
    }
    return 0;
}

static gboolean
disk_serial_valid(const char *serial)
{
    for (const char *p = serial; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("_.+- ", *p))
            return FALSE;
    }
    return TRUE;
}

DomainDiskDef *
domain_disk_parse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainDiskDef) disk = g_new0(DomainDiskDef, 1);
    xmlNodePtr child;
    int rc;

    disk->src = g_new0(DomainStorageSource, 1);
    if (disk_parse_type(node, "disk", FALSE, &disk->src->type) < 0 ||
        domain_xml_attr_enum(node, "device", domain_disk_device_to_string, 0,
                             DOMAIN_DISK_DEVICE_LAST, &disk->device) == -2)
        return NULL;
    if (disk_parse_driver(node, disk) < 0 || disk_parse_source(node, disk->src) < 0 ||
        disk_parse_backing(node, disk->src) < 0 || disk_parse_target(node, disk) < 0)
        return NULL;

    if ((rc = domain_xml_child(node, "readonly", &child)) < 0)
        return NULL;
    disk->readonly = rc > 0 || disk->device == DOMAIN_DISK_DEVICE_CDROM;
    if ((rc = domain_xml_child(node, "shareable", &child)) < 0)
        return NULL;
    disk->shareable = rc > 0;
    if (domain_xml_child_text(node, "serial", &disk->serial) < 0)
        return NULL;
    if (disk->serial && !disk_serial_valid(disk->serial)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid serial '%s' of disk '%s': use letters, digits, spaces "
                             "and _ . + - only"),
                           disk->serial, disk->dst);
        return NULL;
    }
    if (domain_device_info_parse(node, &disk->info,
                                 DOMAIN_INFO_BOOT | DOMAIN_INFO_PCI | DOMAIN_INFO_DRIVE |
                                     DOMAIN_INFO_USB | DOMAIN_INFO_ALIAS,
                                 flags) < 0)
        return NULL;

    if (!disk->src->path && disk->device != DOMAIN_DISK_DEVICE_CDROM) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("disk '%s' has no source"), disk->dst);
        return NULL;
    }
    if (!disk->src->path && (disk->src->backing || disk->src->backing_end)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("empty cdrom '%s' cannot have a <backingStore>"),
                           disk->dst);
        return NULL;
    }
    if (disk->device == DOMAIN_DISK_DEVICE_CDROM && disk->bus == DOMAIN_DISK_BUS_VIRTIO) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("cdrom '%s' cannot be on bus 'virtio' (use sata, ide or scsi)"),
                           disk->dst);
        return NULL;
    }
    return g_steal_pointer(&disk);
}

/* <source .../> and the <backingStore> chain of SRC. */
static void
disk_format_source(QvirtBuffer *buf, const DomainStorageSource *src)
{
    g_autofree char *attr = g_strdup_printf("<source %s='%%s'/>\n", disk_source_attr(src->type));

    qvirt_buffer_escape_string(buf, attr, src->path);
}

static void
disk_format_backing(QvirtBuffer *buf, const DomainStorageSource *src)
{
    int depth = 0;

    for (const DomainStorageSource *cur = src; cur; cur = cur->backing) {
        if (cur->backing_end && !cur->backing) {
            qvirt_buffer_add(buf, "<backingStore/>\n");
            break;
        }
        if (!cur->backing)
            break;
        qvirt_buffer_printf(buf, "<backingStore type='%s'>\n",
                            domain_disk_type_to_string(cur->backing->type));
        qvirt_buffer_add_indent(buf, 2);
        qvirt_buffer_printf(buf, "<format type='%s'/>\n",
                            domain_disk_format_to_string(cur->backing->format));
        disk_format_source(buf, cur->backing);
        depth++;
    }
    while (depth-- > 0) {
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</backingStore>\n");
    }
}

void
domain_disk_format(QvirtBuffer *buf, const DomainDiskDef *disk, unsigned int flags)
{
    qvirt_buffer_printf(buf, "<disk type='%s' device='%s'>\n",
                        domain_disk_type_to_string(disk->src->type),
                        domain_disk_device_to_string(disk->device));
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_printf(buf, "<driver name='qemu' type='%s'",
                        domain_disk_format_to_string(disk->src->format));
    if (disk->cache)
        qvirt_buffer_printf(buf, " cache='%s'", domain_disk_cache_to_string(disk->cache));
    qvirt_buffer_add(buf, "/>\n");
    disk_format_source(buf, disk->src);
    disk_format_backing(buf, disk->src);
    qvirt_buffer_escape_string(buf, "<target dev='%s'", disk->dst);
    qvirt_buffer_printf(buf, " bus='%s'/>\n", domain_disk_bus_to_string(disk->bus));
    if (disk->readonly)
        qvirt_buffer_add(buf, "<readonly/>\n");
    if (disk->shareable)
        qvirt_buffer_add(buf, "<shareable/>\n");
    qvirt_buffer_escape_string(buf, "<serial>%s</serial>\n", disk->serial);
    domain_device_info_format(buf, &disk->info, flags);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</disk>\n");
}

/* ---- Controllers ---- */

int
domain_controller_default_model(const DomainDef *def, int type)
{
    gboolean q35 = domain_def_is_q35(def);

    switch ((DomainControllerType)type) {
    case DOMAIN_CONTROLLER_TYPE_PCI:
        return q35 ? DOMAIN_CONTROLLER_MODEL_PCIE_ROOT : DOMAIN_CONTROLLER_MODEL_PCI_ROOT;
    case DOMAIN_CONTROLLER_TYPE_SCSI:
        return DOMAIN_CONTROLLER_MODEL_SCSI_VIRTIO_SCSI;
    case DOMAIN_CONTROLLER_TYPE_USB:
        return q35 ? DOMAIN_CONTROLLER_MODEL_USB_QEMU_XHCI : DOMAIN_CONTROLLER_MODEL_USB_PIIX3_UHCI;
    case DOMAIN_CONTROLLER_TYPE_IDE:
    case DOMAIN_CONTROLLER_TYPE_SATA:
    case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
    case DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
    return -1;
}

/* The string table of TYPE's models, or NULL when it has none. */
static DomainEnumToString
controller_model_table(int type, int *ret_last)
{
    switch ((DomainControllerType)type) {
    case DOMAIN_CONTROLLER_TYPE_PCI:
        *ret_last = DOMAIN_CONTROLLER_MODEL_PCI_LAST;
        return domain_controller_model_pci_to_string;
    case DOMAIN_CONTROLLER_TYPE_SCSI:
        *ret_last = DOMAIN_CONTROLLER_MODEL_SCSI_LAST;
        return domain_controller_model_scsi_to_string;
    case DOMAIN_CONTROLLER_TYPE_USB:
        *ret_last = DOMAIN_CONTROLLER_MODEL_USB_LAST;
        return domain_controller_model_usb_to_string;
    case DOMAIN_CONTROLLER_TYPE_IDE:
    case DOMAIN_CONTROLLER_TYPE_SATA:
    case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
    case DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
    *ret_last = 0;
    return NULL;
}

DomainControllerDef *
domain_controller_parse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainControllerDef) cont = g_new0(DomainControllerDef, 1);
    DomainEnumToString models;
    unsigned int allowed = DOMAIN_INFO_ALIAS;
    int last;
    int rc;

    rc = domain_xml_attr_enum(node, "type", domain_controller_type_to_string, 0,
                              DOMAIN_CONTROLLER_TYPE_LAST, &cont->type);
    if (rc == -2)
        return NULL;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <controller>"));
        return NULL;
    }
    if (domain_xml_attr_uint(node, "index", 10, &cont->index) == -2)
        return NULL;
    if (cont->index > 99) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%u' for attribute 'index' of <controller>: "
                             "expected 0 to 99"),
                           cont->index);
        return NULL;
    }
    cont->model = -1;
    if ((models = controller_model_table(cont->type, &last)) &&
        domain_xml_attr_enum(node, "model", models, 0, last, &cont->model) == -2)
        return NULL;
    if (cont->type == DOMAIN_CONTROLLER_TYPE_USB) {
        if (domain_xml_attr_uint(node, "ports", 10, &cont->ports) == -2)
            return NULL;
        if (cont->ports > DOMAIN_USB_PORTS_MAX) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("invalid value '%u' for attribute 'ports' of <controller>: "
                                 "expected 1 to %d"),
                               cont->ports, DOMAIN_USB_PORTS_MAX);
            return NULL;
        }
    }
    if (cont->type != DOMAIN_CONTROLLER_TYPE_PCI)
        allowed |= DOMAIN_INFO_PCI;
    if (domain_device_info_parse(node, &cont->info, allowed, flags) < 0)
        return NULL;
    return g_steal_pointer(&cont);
}

void
domain_controller_format(QvirtBuffer *buf, const DomainControllerDef *cont, unsigned int flags)
{
    g_auto(QvirtBuffer) attrs = QVIRT_BUFFER_INIT;
    g_auto(QvirtBuffer) children = QVIRT_BUFFER_INIT;
    DomainEnumToString models;
    int last;

    qvirt_buffer_init_child(&children, buf);
    qvirt_buffer_printf(&attrs, " type='%s' index='%u'",
                        domain_controller_type_to_string(cont->type), cont->index);
    if ((models = controller_model_table(cont->type, &last)) && cont->model >= 0)
        qvirt_buffer_printf(&attrs, " model='%s'", models(cont->model));
    if (cont->ports)
        qvirt_buffer_printf(&attrs, " ports='%u'", cont->ports);
    domain_device_info_format(&children, &cont->info, flags);
    qvirt_xml_format_element(buf, "controller", &attrs, &children);
}

/* domain_conf.c: DomainDef and its devices: lifetime, the enum string
 * tables, name validation, the top of the domain XML parser (which calls
 * the per-concept parsers in domain_conf_*.c), copying and small helpers.
 *
 * Contract: see domain_conf.h. A parse runs in three steps: read every
 * element into the DomainDef (marking what was understood), reject what
 * was not understood, then fill defaults and check rules across devices. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf.h"
#include "conf/domain_conf_priv.h"
#include "util/error.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

QVIRT_ENUM_IMPL(domain_virt, DOMAIN_VIRT_LAST, "qemu", "kvm", "test")
QVIRT_ENUM_IMPL(domain_tristate_bool, DOMAIN_TRISTATE_LAST, "default", "yes", "no")
QVIRT_ENUM_IMPL(domain_tristate_switch, DOMAIN_TRISTATE_LAST, "default", "on", "off")
QVIRT_ENUM_IMPL(domain_arch, DOMAIN_ARCH_LAST, "x86_64")
QVIRT_ENUM_IMPL(domain_boot_dev, DOMAIN_BOOT_LAST, "hd", "cdrom", "fd", "network")
QVIRT_ENUM_IMPL(domain_vcpu_placement, DOMAIN_VCPU_PLACEMENT_LAST, "static", "auto")
QVIRT_ENUM_IMPL(domain_feature, DOMAIN_FEATURE_LAST, "acpi", "apic", "pae")
QVIRT_ENUM_IMPL(domain_cpu_mode, DOMAIN_CPU_MODE_LAST, "custom", "host-model", "host-passthrough")
QVIRT_ENUM_IMPL(domain_cpu_match, DOMAIN_CPU_MATCH_LAST, "default", "minimum", "exact", "strict")
QVIRT_ENUM_IMPL(domain_cpu_check, DOMAIN_CPU_CHECK_LAST, "default", "none", "partial", "full")
QVIRT_ENUM_IMPL(domain_cpu_fallback, DOMAIN_CPU_FALLBACK_LAST, "default", "allow", "forbid")
QVIRT_ENUM_IMPL(domain_clock_offset, DOMAIN_CLOCK_OFFSET_LAST, "utc", "localtime")
QVIRT_ENUM_IMPL(domain_lifecycle_action, DOMAIN_LIFECYCLE_LAST, "destroy", "restart",
                 "rename-restart", "preserve", "coredump-destroy", "coredump-restart")
QVIRT_ENUM_IMPL(domain_address_type, DOMAIN_ADDRESS_LAST, "none", "pci", "drive", "usb")
QVIRT_ENUM_IMPL(domain_disk_type, DOMAIN_DISK_TYPE_LAST, "file", "block")
QVIRT_ENUM_IMPL(domain_disk_device, DOMAIN_DISK_DEVICE_LAST, "disk", "cdrom")
QVIRT_ENUM_IMPL(domain_disk_bus, DOMAIN_DISK_BUS_LAST, "ide", "scsi", "virtio", "usb", "sata")
QVIRT_ENUM_IMPL(domain_disk_format, DOMAIN_DISK_FORMAT_LAST, "raw", "qcow2")
QVIRT_ENUM_IMPL(domain_disk_cache, DOMAIN_DISK_CACHE_LAST, "default", "none", "writethrough",
                 "writeback", "directsync", "unsafe")
QVIRT_ENUM_IMPL(domain_controller_type, DOMAIN_CONTROLLER_TYPE_LAST, "ide", "scsi", "sata",
                 "virtio-serial", "usb", "pci")
QVIRT_ENUM_IMPL(domain_controller_model_pci, DOMAIN_CONTROLLER_MODEL_PCI_LAST, "pci-root",
                 "pcie-root")
QVIRT_ENUM_IMPL(domain_controller_model_scsi, DOMAIN_CONTROLLER_MODEL_SCSI_LAST, "virtio-scsi")
QVIRT_ENUM_IMPL(domain_controller_model_usb, DOMAIN_CONTROLLER_MODEL_USB_LAST, "piix3-uhci",
                 "qemu-xhci", "nec-xhci", "none")
QVIRT_ENUM_IMPL(domain_net_type, DOMAIN_NET_TYPE_LAST, "user", "ethernet", "network", "bridge")
QVIRT_ENUM_IMPL(domain_net_model, DOMAIN_NET_MODEL_LAST, "default", "virtio", "e1000", "e1000e",
                 "rtl8139")
QVIRT_ENUM_IMPL(domain_chr_device, DOMAIN_CHR_DEVICE_LAST, "serial", "console")
QVIRT_ENUM_IMPL(domain_chr_type, DOMAIN_CHR_TYPE_LAST, "pty", "file", "unix")
QVIRT_ENUM_IMPL(domain_chr_serial_target, DOMAIN_CHR_SERIAL_TARGET_LAST, "isa-serial")
QVIRT_ENUM_IMPL(domain_chr_console_target, DOMAIN_CHR_CONSOLE_TARGET_LAST, "serial", "virtio")
QVIRT_ENUM_IMPL(domain_input_type, DOMAIN_INPUT_TYPE_LAST, "mouse", "tablet", "keyboard")
QVIRT_ENUM_IMPL(domain_input_bus, DOMAIN_INPUT_BUS_LAST, "ps2", "usb", "virtio")
QVIRT_ENUM_IMPL(domain_graphics_type, DOMAIN_GRAPHICS_TYPE_LAST, "vnc")
QVIRT_ENUM_IMPL(domain_video_model, DOMAIN_VIDEO_MODEL_LAST, "vga", "cirrus", "virtio", "none")
QVIRT_ENUM_IMPL(domain_memballoon_model, DOMAIN_MEMBALLOON_MODEL_LAST, "virtio", "none")
QVIRT_ENUM_IMPL(domain_rng_model, DOMAIN_RNG_MODEL_LAST, "virtio")
QVIRT_ENUM_IMPL(domain_rng_backend, DOMAIN_RNG_BACKEND_LAST, "random", "builtin")

/* ---- Lifetime ---- */

DomainDef *
domain_def_new(void)
{
    DomainDef *def = g_new0(DomainDef, 1);

    def->id = -1;
    def->os.bootmenu_timeout = -1;
    return def;
}

void
domain_device_info_clear(DomainDeviceInfo *info)
{
    g_clear_pointer(&info->usb.port, g_free);
    g_clear_pointer(&info->alias, g_free);
}

void
domain_storage_source_free(DomainStorageSource *src)
{
    /* Iterative: a long backing chain must not recurse deeply. */
    while (src) {
        DomainStorageSource *next = src->backing;

        g_free(src->path);
        g_free(src);
        src = next;
    }
}

void
domain_disk_def_free(DomainDiskDef *disk)
{
    if (!disk)
        return;
    domain_storage_source_free(disk->src);
    g_free(disk->dst);
    g_free(disk->serial);
    domain_device_info_clear(&disk->info);
    g_free(disk);
}

void
domain_controller_def_free(DomainControllerDef *cont)
{
    if (!cont)
        return;
    domain_device_info_clear(&cont->info);
    g_free(cont);
}

void
domain_net_def_free(DomainNetDef *net)
{
    if (!net)
        return;
    g_free(net->source);
    g_free(net->ifname);
    domain_device_info_clear(&net->info);
    g_free(net);
}

void
domain_chr_def_free(DomainChrDef *chr)
{
    if (!chr)
        return;
    g_free(chr->source.path);
    domain_device_info_clear(&chr->info);
    g_free(chr);
}

void
domain_input_def_free(DomainInputDef *input)
{
    if (!input)
        return;
    domain_device_info_clear(&input->info);
    g_free(input);
}

void
domain_graphics_def_free(DomainGraphicsDef *graphics)
{
    if (!graphics)
        return;
    g_free(graphics->listen);
    g_free(graphics);
}

void
domain_video_def_free(DomainVideoDef *video)
{
    if (!video)
        return;
    domain_device_info_clear(&video->info);
    g_free(video);
}

void
domain_memballoon_def_free(DomainMemballoonDef *balloon)
{
    if (!balloon)
        return;
    domain_device_info_clear(&balloon->info);
    g_free(balloon);
}

void
domain_rng_def_free(DomainRngDef *rng)
{
    if (!rng)
        return;
    g_free(rng->path);
    domain_device_info_clear(&rng->info);
    g_free(rng);
}

void
domain_cpu_def_free(DomainCpuDef *cpu)
{
    if (!cpu)
        return;
    g_free(cpu->model);
    g_free(cpu);
}

#define FREE_DEVICES(array, count, free_func)                                                      \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (count); i_++)                                                    \
            free_func((array)[i_]);                                                                \
        g_free(array);                                                                             \
    } while (0)

void
domain_def_free(DomainDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    if (def->metadata)
        xmlFreeDoc(def->metadata);
    g_free(def->os.machine);
    g_free(def->os.kernel);
    g_free(def->os.initrd);
    g_free(def->os.cmdline);
    domain_cpu_def_free(def->cpu);
    g_free(def->emulator);
    FREE_DEVICES(def->disks, def->ndisks, domain_disk_def_free);
    FREE_DEVICES(def->controllers, def->ncontrollers, domain_controller_def_free);
    FREE_DEVICES(def->nets, def->nnets, domain_net_def_free);
    FREE_DEVICES(def->serials, def->nserials, domain_chr_def_free);
    FREE_DEVICES(def->consoles, def->nconsoles, domain_chr_def_free);
    FREE_DEVICES(def->inputs, def->ninputs, domain_input_def_free);
    FREE_DEVICES(def->graphics, def->ngraphics, domain_graphics_def_free);
    FREE_DEVICES(def->videos, def->nvideos, domain_video_def_free);
    domain_memballoon_def_free(def->memballoon);
    FREE_DEVICES(def->rngs, def->nrngs, domain_rng_def_free);
    g_free(def);
}

/* ---- Names and small helpers ---- */

int
domain_def_validate_name(const char *name)
{
    if (!name || !*name) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("domain name must not be empty"));
        return -1;
    }
    if (strlen(name) > DOMAIN_NAME_MAX_BYTES) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("domain name is longer than %d bytes"),
                           DOMAIN_NAME_MAX_BYTES);
        return -1;
    }
    if (!g_utf8_validate(name, -1, NULL)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("domain name is not valid UTF-8"));
        return -1;
    }
    if (strchr(name, '/')) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("domain name '%s' must not contain '/'"), name);
        return -1;
    }
    if (name[0] == '.') {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("domain name '%s' must not start with '.'"),
                           name);
        return -1;
    }
    if (strchr(name, '\n')) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("domain name must not contain a newline"));
        return -1;
    }
    return 0;
}

int
domain_disk_name_to_index(const char *name)
{
    static const char *const prefixes[] = {"hd", "sd", "vd"};
    const char *p = NULL;
    long long idx = -1;

    if (!name)
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        if (g_str_has_prefix(name, prefixes[i])) {
            p = name + strlen(prefixes[i]);
            break;
        }
    }
    if (!p || !*p)
        return -1;
    /* Bijective base 26: a..z are 0..25, aa is 26, ba is 52. */
    for (; *p; p++) {
        if (*p < 'a' || *p > 'z')
            return -1;
        idx = (idx + 1) * 26 + (*p - 'a');
        if (idx > G_MAXINT / 32)
            return -1;
    }
    return (int)idx;
}

int
domain_mac_parse(const char *str, unsigned char ret_mac[DOMAIN_MAC_BUFLEN])
{
    unsigned char mac[DOMAIN_MAC_BUFLEN];

    if (!str || strlen(str) != DOMAIN_MAC_STRING_BUFLEN - 1)
        return -1;
    for (size_t i = 0; i < DOMAIN_MAC_BUFLEN; i++) {
        const char *p = str + i * 3;
        int hi = g_ascii_xdigit_value(p[0]);
        int lo = g_ascii_xdigit_value(p[1]);

        if (hi < 0 || lo < 0 || (i < DOMAIN_MAC_BUFLEN - 1 && p[2] != ':'))
            return -1;
        mac[i] = (unsigned char)(hi * 16 + lo);
    }
    memcpy(ret_mac, mac, sizeof(mac));
    return 0;
}

void
domain_mac_format(const unsigned char mac[DOMAIN_MAC_BUFLEN],
                  char ret_str[DOMAIN_MAC_STRING_BUFLEN])
{
    g_snprintf(ret_str, DOMAIN_MAC_STRING_BUFLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
               mac[2], mac[3], mac[4], mac[5]);
}

DomainControllerDef *
domain_def_find_controller(const DomainDef *def, int type, unsigned int index)
{
    for (size_t i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type && def->controllers[i]->index == index)
            return def->controllers[i];
    }
    return NULL;
}

DomainDiskDef *
domain_def_find_disk(const DomainDef *def, const char *dst)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        if (g_strcmp0(def->disks[i]->dst, dst) == 0)
            return def->disks[i];
    }
    return NULL;
}

gboolean
domain_def_is_q35(const DomainDef *def)
{
    const char *machine = def->os.machine;

    return machine && (strcmp(machine, "q35") == 0 || g_str_has_prefix(machine, "pc-q35-"));
}

/* ---- Random values for generated UUIDs and MACs ---- */

static DomainRandomFunc domain_random_func;

void
domain_conf_set_random_func(DomainRandomFunc func)
{
    domain_random_func = func;
}

void
domain_conf_random_bytes(unsigned char *buf, size_t len)
{
    if (domain_random_func) {
        domain_random_func(buf, len);
        return;
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)g_random_int_range(0, 256);
}

/* ---- Parsing ---- */

/* The parser of one kind of device: NODE is its element. */
typedef gpointer (*DomainDeviceParseFunc)(xmlNodePtr node, unsigned int flags);

/* Parse every child NAME of DEVICES with PARSE into a new array. */
static int
domain_parse_device_list(xmlNodePtr devices, const char *name, DomainDeviceParseFunc parse,
                         GDestroyNotify free_func, unsigned int flags, gpointer **ret,
                         size_t *ret_count)
{
    g_autofree xmlNodePtr *nodes = NULL;
    size_t n = domain_xml_children(devices, name, &nodes);
    gpointer *list;

    if (n == 0)
        return 0;
    list = g_new0(gpointer, n);
    for (size_t i = 0; i < n; i++) {
        if (!(list[i] = parse(nodes[i], flags))) {
            for (size_t j = 0; j < i; j++)
                free_func(list[j]);
            g_free(list);
            return -1;
        }
    }
    *ret = list;
    *ret_count = n;
    return 0;
}

static gpointer
domain_serial_parse(xmlNodePtr node, unsigned int flags)
{
    return domain_chr_parse(node, DOMAIN_CHR_DEVICE_SERIAL, flags);
}

static gpointer
domain_console_parse(xmlNodePtr node, unsigned int flags)
{
    return domain_chr_parse(node, DOMAIN_CHR_DEVICE_CONSOLE, flags);
}

#define PARSE_DEVICES(name, parse, free_func, array, count)                                        \
    domain_parse_device_list(devices, (name), (DomainDeviceParseFunc)(parse),                      \
                             (GDestroyNotify)(free_func), flags, (gpointer **)&(array), &(count))

static int
domain_devices_parse(DomainDef *def, xmlNodePtr root, unsigned int flags)
{
    xmlNodePtr devices;
    xmlNodePtr node;
    int rc;

    if ((rc = domain_xml_child(root, "devices", &devices)) <= 0)
        return rc;
    if (domain_xml_child_text(devices, "emulator", &def->emulator) < 0)
        return -1;
    if (PARSE_DEVICES("disk", domain_disk_parse, domain_disk_def_free, def->disks, def->ndisks) <
            0 ||
        PARSE_DEVICES("controller", domain_controller_parse, domain_controller_def_free,
                      def->controllers, def->ncontrollers) < 0 ||
        PARSE_DEVICES("interface", domain_net_parse, domain_net_def_free, def->nets, def->nnets) <
            0 ||
        PARSE_DEVICES("serial", domain_serial_parse, domain_chr_def_free, def->serials,
                      def->nserials) < 0 ||
        PARSE_DEVICES("console", domain_console_parse, domain_chr_def_free, def->consoles,
                      def->nconsoles) < 0 ||
        PARSE_DEVICES("input", domain_input_parse, domain_input_def_free, def->inputs,
                      def->ninputs) < 0 ||
        PARSE_DEVICES("graphics", domain_graphics_parse, domain_graphics_def_free, def->graphics,
                      def->ngraphics) < 0 ||
        PARSE_DEVICES("video", domain_video_parse, domain_video_def_free, def->videos,
                      def->nvideos) < 0 ||
        PARSE_DEVICES("rng", domain_rng_parse, domain_rng_def_free, def->rngs, def->nrngs) < 0)
        return -1;

    if ((rc = domain_xml_child(devices, "memballoon", &node)) < 0)
        return -1;
    if (rc > 0 && !(def->memballoon = domain_memballoon_parse(node, flags)))
        return -1;
    return 0;
}

DomainDef *
domain_def_parse_node(xmlNodePtr root, unsigned int flags)
{
    g_autoptr(DomainDef) def = NULL;

    if (!root || root->type != XML_ELEMENT_NODE ||
        strcmp((const char *)root->name, "domain") != 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("unexpected root element <%s>, expected <domain>"),
                           root && root->name ? (const char *)root->name : "");
        return NULL;
    }
    if (root->ns) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("<domain> must not be in an XML namespace (found '%s')"),
                           root->ns->href ? (const char *)root->ns->href : "");
        return NULL;
    }
    domain_xml_mark(root);

    def = domain_def_new();
    if (domain_general_parse(def, root, flags) < 0 || domain_devices_parse(def, root, flags) < 0)
        return NULL;
    if (domain_xml_check_consumed(root) < 0)
        return NULL;
    if (domain_def_post_parse(def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

DomainDef *
domain_def_parse_string(const char *xml, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = qvirt_xml_parse_string(xml, _("domain definition"), NULL);

    if (!doc)
        return NULL;
    return domain_def_parse_node(xmlDocGetRootElement(doc), flags);
}

DomainDef *
domain_def_copy(const DomainDef *def)
{
    g_autofree char *xml = domain_def_format(def, DOMAIN_DEF_FORMAT_STATUS);

    return domain_def_parse_string(xml, DOMAIN_DEF_PARSE_STATUS);
}

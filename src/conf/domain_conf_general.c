/* domain_conf_general.c: the parts of a domain before <devices>: identity
 * (name, uuid, title, description, metadata), memory, vCPUs, <os>,
 * <features>, <cpu>, <clock> and the lifecycle actions.
 *
 * Contract: domain_general_parse() reads them from <domain> and fills their
 * defaults (generated UUID, x86_64 'pc', destroy/restart/destroy, clock
 * utc); domain_general_format() writes them in libvirt's order. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf_priv.h"
#include "util/error.h"
#include "util/strnum.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

/* <os><type>: qvirt runs full virtual machines only. */
static const char *
domain_os_type_to_string(int value)
{
    return value == 0 ? "hvm" : NULL;
}

static int
general_parse_identity(DomainDef *def, xmlNodePtr root, unsigned int flags)
{
    g_autofree char *uuid = NULL;
    xmlNodePtr metadata;
    int rc;

    if ((rc = domain_xml_attr_enum(root, "type", domain_virt_to_string, 0, DOMAIN_VIRT_LAST,
                                   &def->virt_type)) == -2)
        return -1;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <domain>"));
        return -1;
    }
    /* The id of a running domain is live data. */
    if ((rc = domain_xml_attr_int(root, "id", &def->id)) == -2)
        return -1;
    if (rc == 0 && def->id < -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("invalid domain id %d"), def->id);
        return -1;
    }
    if (!(flags & DOMAIN_DEF_PARSE_STATUS))
        def->id = -1;

    if (domain_xml_child_text(root, "name", &def->name) < 0)
        return -1;
    if (!def->name) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing domain name (<name>)"));
        return -1;
    }
    if (domain_def_validate_name(def->name) < 0)
        return -1;

    if (domain_xml_child_text(root, "uuid", &uuid) < 0)
        return -1;
    if (uuid) {
        if (qvirt_uuid_parse(uuid, def->uuid) < 0) {
            /* A more precise error than the generic one just reported. */
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("invalid UUID '%s' in <uuid>"), uuid);
            return -1;
        }
    } else {
        unsigned char bytes[QVIRT_UUID_BUFLEN];

        domain_conf_random_bytes(bytes, sizeof(bytes));
        bytes[6] = (bytes[6] & 0x0f) | 0x40; /* version 4 */
        bytes[8] = (bytes[8] & 0x3f) | 0x80; /* RFC 4122 variant */
        memcpy(def->uuid, bytes, sizeof(bytes));
    }

    if (domain_xml_child_text(root, "title", &def->title) < 0)
        return -1;
    if (def->title && strchr(def->title, '\n')) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("<title> must not contain a newline"));
        return -1;
    }
    if (domain_xml_child_text(root, "description", &def->description) < 0)
        return -1;

    if ((rc = domain_xml_child(root, "metadata", &metadata)) < 0)
        return -1;
    if (rc > 0 && domain_xml_copy_verbatim(metadata, &def->metadata) < 0)
        return -1;
    return 0;
}

/* A memory size element (<memory>, <currentMemory>) in KiB, rounded up. */
static int
general_parse_memory(xmlNodePtr root, const char *name, unsigned long long *ret_kib)
{
    g_autofree char *text = NULL;
    g_autofree char *unit = NULL;
    unsigned long long bytes;
    xmlNodePtr node;
    int rc;

    if ((rc = domain_xml_child(root, name, &node)) <= 0)
        return rc;
    if (domain_xml_attr_string(node, "unit", FALSE, &unit) == -2)
        return -1;
    if (!(text = domain_xml_text(node)))
        return -1;
    g_strstrip(text);
    if (qvirt_strtoull(text, 10, &bytes) < 0) {
        if (*text && strspn(text, "0123456789") == strlen(text))
            qvirt_report_error(QVIRT_ERR_OVERFLOW,
                               _("value of <%s> is too large: %s %s is more than %llu KiB"), name,
                               text, unit ? unit : "KiB", DOMAIN_MEMORY_MAX_KIB);
        else
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("invalid value '%s' of <%s>: expected an unsigned integer"), text,
                               name);
        return -1;
    }
    if (qvirt_scale_integer(&bytes, unit, 1024, DOMAIN_MEMORY_MAX_KIB * 1024) < 0) {
        if (qvirt_error_last_code() == QVIRT_ERR_OVERFLOW) {
            /* Say it in the element's terms rather than in bytes. */
            qvirt_report_error(QVIRT_ERR_OVERFLOW,
                               _("value of <%s> is too large: %s %s is more than %llu KiB"), name,
                               text, unit ? unit : "KiB", DOMAIN_MEMORY_MAX_KIB);
        }
        return -1;
    }
    *ret_kib = bytes / 1024 + (bytes % 1024 ? 1 : 0);
    return 1;
}

static int
general_parse_sizing(DomainDef *def, xmlNodePtr root)
{
    g_autofree char *vcpus = NULL;
    xmlNodePtr node;
    int rc;

    if ((rc = general_parse_memory(root, "memory", &def->memory_kib)) < 0)
        return -1;
    if (rc == 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing memory size (<memory>)"));
        return -1;
    }
    if (def->memory_kib == 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("memory size must be greater than 0"));
        return -1;
    }
    if ((rc = general_parse_memory(root, "currentMemory", &def->current_memory_kib)) < 0)
        return -1;
    if (rc == 0 || def->current_memory_kib == 0)
        def->current_memory_kib = def->memory_kib;
    if (def->current_memory_kib > def->memory_kib) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("current memory %llu KiB is larger than memory %llu KiB"),
                           def->current_memory_kib, def->memory_kib);
        return -1;
    }

    def->vcpus = 1;
    if ((rc = domain_xml_child(root, "vcpu", &node)) < 0)
        return -1;
    if (rc == 0)
        return 0;
    if (domain_xml_attr_enum(node, "placement", domain_vcpu_placement_to_string, 0,
                             DOMAIN_VCPU_PLACEMENT_LAST, &def->vcpu_placement) == -2)
        return -1;
    if (!(vcpus = domain_xml_text(node)))
        return -1;
    g_strstrip(vcpus);
    if (qvirt_strtoui(vcpus, 10, &def->vcpus) < 0 || def->vcpus == 0 ||
        def->vcpus > DOMAIN_VCPUS_MAX) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("invalid number of vCPUs '%s': expected 1 to %d"),
                           vcpus, DOMAIN_VCPUS_MAX);
        return -1;
    }
    return 0;
}

static gboolean
general_machine_supported(const char *machine)
{
    size_t len = strlen(machine);

    /* The characters libvirt's schema allows in a machine type. */
    if (strspn(machine, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
        len)
        return FALSE;
    return strcmp(machine, "pc") == 0 || strcmp(machine, "q35") == 0 ||
           g_str_has_prefix(machine, "pc-");
}

static int
general_parse_boot(DomainDef *def, xmlNodePtr os)
{
    g_autofree xmlNodePtr *boots = NULL;
    size_t nboots = domain_xml_children(os, "boot", &boots);
    xmlNodePtr menu;
    int rc;

    if (nboots > DOMAIN_BOOT_DEVS_MAX) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("at most %d <boot> devices can be given"),
                           DOMAIN_BOOT_DEVS_MAX);
        return -1;
    }
    for (size_t i = 0; i < nboots; i++) {
        rc = domain_xml_attr_enum(boots[i], "dev", domain_boot_dev_to_string, 0, DOMAIN_BOOT_LAST,
                                  &def->os.boot_devs[i]);
        if (rc == -2)
            return -1;
        if (rc == -1) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'dev' of <boot>"));
            return -1;
        }
    }
    def->os.nboot_devs = nboots;

    if ((rc = domain_xml_child(os, "bootmenu", &menu)) <= 0)
        return rc;
    if ((rc = domain_xml_attr_tristate(menu, "enable", FALSE, &def->os.bootmenu)) == -2)
        return -1;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'enable' of <bootmenu>"));
        return -1;
    }
    if ((rc = domain_xml_attr_int(menu, "timeout", &def->os.bootmenu_timeout)) == -2)
        return -1;
    if (rc == 0 && (def->os.bootmenu_timeout < 0 || def->os.bootmenu_timeout > 65535)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%d' for attribute 'timeout' of <bootmenu>: "
                             "expected 0 to 65535"),
                           def->os.bootmenu_timeout);
        return -1;
    }
    return 0;
}

static int
general_parse_os(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr os;
    xmlNodePtr type;
    int os_type;
    int rc;

    if ((rc = domain_xml_child(root, "os", &os)) < 0)
        return -1;
    if (rc == 0 || (rc = domain_xml_child(os, "type", &type)) == 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing OS type (<os><type>hvm</type></os>)"));
        return -1;
    }
    if (rc < 0)
        return -1;
    if (domain_xml_text_enum(type, domain_os_type_to_string, 0, 1, &os_type) < 0)
        return -1;
    def->os.arch = DOMAIN_ARCH_X86_64;
    if (domain_xml_attr_enum(type, "arch", domain_arch_to_string, 0, DOMAIN_ARCH_LAST,
                             &def->os.arch) == -2)
        return -1;
    if (domain_xml_attr_string(type, "machine", FALSE, &def->os.machine) == -2)
        return -1;
    if (!def->os.machine)
        def->os.machine = g_strdup("pc");
    if (!general_machine_supported(def->os.machine)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("machine type '%s' is not supported (expected pc, q35, "
                             "or a versioned pc-i440fx-* or pc-q35-* type)"),
                           def->os.machine);
        return -1;
    }

    if (domain_xml_child_text(os, "kernel", &def->os.kernel) < 0 ||
        domain_xml_child_text(os, "initrd", &def->os.initrd) < 0 ||
        domain_xml_child_text(os, "cmdline", &def->os.cmdline) < 0)
        return -1;
    return general_parse_boot(def, os);
}

static int
general_parse_features(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr features;
    xmlNodePtr node;
    int rc;

    if ((rc = domain_xml_child(root, "features", &features)) <= 0)
        return rc;
    for (int i = 0; i < DOMAIN_FEATURE_LAST; i++) {
        if ((rc = domain_xml_child(features, domain_feature_to_string(i), &node)) < 0)
            return -1;
        def->features[i] = rc > 0;
    }
    return 0;
}

static int
general_parse_topology(DomainCpuDef *cpu, xmlNodePtr node)
{
    struct {
        const char *name;
        unsigned int *value;
        gboolean required;
    } parts[] = {
        {"sockets", &cpu->sockets, TRUE},
        {"dies", &cpu->dies, FALSE},
        {"cores", &cpu->cores, TRUE},
        {"threads", &cpu->threads, TRUE},
    };

    cpu->dies = 1;
    for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
        int rc = domain_xml_attr_uint(node, parts[i].name, 10, parts[i].value);

        if (rc == -2)
            return -1;
        if (rc == -1 && parts[i].required) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute '%s' of <topology>"),
                               parts[i].name);
            return -1;
        }
        if (*parts[i].value == 0 || *parts[i].value > DOMAIN_VCPUS_MAX) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("invalid value '%u' for attribute '%s' of <topology>: "
                                 "expected 1 to %d"),
                               *parts[i].value, parts[i].name, DOMAIN_VCPUS_MAX);
            return -1;
        }
    }
    return 0;
}

static int
general_parse_cpu(DomainDef *def, xmlNodePtr root)
{
    g_autoptr(DomainCpuDef) cpu = g_new0(DomainCpuDef, 1);
    xmlNodePtr node;
    xmlNodePtr model;
    xmlNodePtr topology;
    int rc;

    if ((rc = domain_xml_child(root, "cpu", &node)) <= 0)
        return rc;
    if (domain_xml_attr_enum(node, "mode", domain_cpu_mode_to_string, 0, DOMAIN_CPU_MODE_LAST,
                             &cpu->mode) == -2 ||
        domain_xml_attr_enum(node, "match", domain_cpu_match_to_string, 1, DOMAIN_CPU_MATCH_LAST,
                             &cpu->match) == -2 ||
        domain_xml_attr_enum(node, "check", domain_cpu_check_to_string, 1, DOMAIN_CPU_CHECK_LAST,
                             &cpu->check) == -2)
        return -1;

    if ((rc = domain_xml_child(node, "model", &model)) < 0)
        return -1;
    if (rc > 0) {
        if (domain_xml_attr_enum(model, "fallback", domain_cpu_fallback_to_string, 1,
                                 DOMAIN_CPU_FALLBACK_LAST, &cpu->fallback) == -2)
            return -1;
        if (!(cpu->model = domain_xml_text(model)))
            return -1;
        g_strstrip(cpu->model);
        if (!*cpu->model)
            g_clear_pointer(&cpu->model, g_free);
    }
    if ((rc = domain_xml_child(node, "topology", &topology)) < 0)
        return -1;
    if (rc > 0 && general_parse_topology(cpu, topology) < 0)
        return -1;

    if (cpu->mode == DOMAIN_CPU_MODE_HOST_PASSTHROUGH && (cpu->model || cpu->fallback)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("<model> is not allowed in <cpu> of mode 'host-passthrough'"));
        return -1;
    }
    if (cpu->mode != DOMAIN_CPU_MODE_CUSTOM && cpu->match) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("attribute 'match' of <cpu> is only allowed with mode 'custom'"));
        return -1;
    }
    if (cpu->mode == DOMAIN_CPU_MODE_CUSTOM && !cpu->model) {
        if (!cpu->sockets) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("<cpu> of mode 'custom' needs a <model> or a <topology>"));
            return -1;
        }
        if (cpu->match || cpu->fallback || cpu->check) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("<cpu> without a <model> cannot have 'match', 'check' or "
                                 "'fallback'"));
            return -1;
        }
    }
    if (cpu->sockets) {
        unsigned long long total =
            (unsigned long long)cpu->sockets * cpu->dies * cpu->cores * cpu->threads;

        if (total != def->vcpus) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("CPU topology %u sockets x %u dies x %u cores x %u threads "
                                 "gives %llu vCPUs, but <vcpu> is %u"),
                               cpu->sockets, cpu->dies, cpu->cores, cpu->threads, total,
                               def->vcpus);
            return -1;
        }
    }
    def->cpu = g_steal_pointer(&cpu);
    return 0;
}

static int
general_parse_lifecycle(xmlNodePtr root, const char *name, int last, int fallback, int *ret)
{
    xmlNodePtr node;
    int rc;

    *ret = fallback;
    if ((rc = domain_xml_child(root, name, &node)) <= 0)
        return rc;
    return domain_xml_text_enum(node, domain_lifecycle_action_to_string, 0, last, ret) < 0 ? -1 : 0;
}

static int
general_parse_clock(DomainDef *def, xmlNodePtr root)
{
    xmlNodePtr clock;
    int rc;

    if ((rc = domain_xml_child(root, "clock", &clock)) <= 0)
        return rc;
    if (domain_xml_attr_enum(clock, "offset", domain_clock_offset_to_string, 0,
                             DOMAIN_CLOCK_OFFSET_LAST, &def->clock_offset) == -2)
        return -1;
    return 0;
}

int
domain_general_parse(DomainDef *def, xmlNodePtr root, unsigned int flags)
{
    if (general_parse_identity(def, root, flags) < 0 || general_parse_sizing(def, root) < 0 ||
        general_parse_os(def, root) < 0 || general_parse_features(def, root) < 0 ||
        general_parse_cpu(def, root) < 0 || general_parse_clock(def, root) < 0)
        return -1;
    if (general_parse_lifecycle(root, "on_poweroff", DOMAIN_LIFECYCLE_COREDUMP_DESTROY,
                                DOMAIN_LIFECYCLE_DESTROY, &def->on_poweroff) < 0 ||
        general_parse_lifecycle(root, "on_reboot", DOMAIN_LIFECYCLE_COREDUMP_DESTROY,
                                DOMAIN_LIFECYCLE_RESTART, &def->on_reboot) < 0 ||
        general_parse_lifecycle(root, "on_crash", DOMAIN_LIFECYCLE_LAST, DOMAIN_LIFECYCLE_DESTROY,
                                &def->on_crash) < 0)
        return -1;
    return 0;
}

/* ---- Formatting ---- */

void
domain_cpu_format(QvirtBuffer *buf, const DomainCpuDef *cpu)
{
    g_auto(QvirtBuffer) attrs = QVIRT_BUFFER_INIT;
    g_auto(QvirtBuffer) children = QVIRT_BUFFER_INIT;

    if (!cpu)
        return;
    qvirt_buffer_init_child(&children, buf);
    if (cpu->mode != DOMAIN_CPU_MODE_CUSTOM || cpu->model)
        domain_format_attr(&attrs, "mode", domain_cpu_mode_to_string(cpu->mode));
    if (cpu->match)
        domain_format_attr(&attrs, "match", domain_cpu_match_to_string(cpu->match));
    if (cpu->check)
        domain_format_attr(&attrs, "check", domain_cpu_check_to_string(cpu->check));

    if (cpu->model || cpu->fallback) {
        g_auto(QvirtBuffer) model_attrs = QVIRT_BUFFER_INIT;

        if (cpu->fallback)
            domain_format_attr(&model_attrs, "fallback",
                               domain_cpu_fallback_to_string(cpu->fallback));
        qvirt_buffer_add(&children, "<model");
        qvirt_buffer_add_buffer(&children, &model_attrs);
        if (cpu->model)
            qvirt_buffer_escape_string(&children, ">%s</model>\n", cpu->model);
        else
            qvirt_buffer_add(&children, "/>\n");
    }
    if (cpu->sockets)
        qvirt_buffer_printf(&children,
                            "<topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n",
                            cpu->sockets, cpu->dies, cpu->cores, cpu->threads);
    if (qvirt_buffer_is_empty(&attrs) && qvirt_buffer_is_empty(&children))
        return;
    /* <cpu/> alone would not validate; an attribute-less one always has children. */
    qvirt_xml_format_element(buf, "cpu", &attrs, &children);
}

static void
general_format_os(QvirtBuffer *buf, const DomainDef *def)
{
    qvirt_buffer_add(buf, "<os>\n");
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_printf(buf, "<type arch='%s'", domain_arch_to_string(def->os.arch));
    qvirt_buffer_escape_string(buf, " machine='%s'", def->os.machine);
    qvirt_buffer_add(buf, ">hvm</type>\n");
    qvirt_buffer_escape_string(buf, "<kernel>%s</kernel>\n", def->os.kernel);
    qvirt_buffer_escape_string(buf, "<initrd>%s</initrd>\n", def->os.initrd);
    qvirt_buffer_escape_string(buf, "<cmdline>%s</cmdline>\n", def->os.cmdline);
    for (size_t i = 0; i < def->os.nboot_devs; i++)
        qvirt_buffer_printf(buf, "<boot dev='%s'/>\n",
                            domain_boot_dev_to_string(def->os.boot_devs[i]));
    if (def->os.bootmenu) {
        qvirt_buffer_printf(buf, "<bootmenu enable='%s'",
                            domain_tristate_bool_to_string(def->os.bootmenu));
        if (def->os.bootmenu_timeout >= 0)
            qvirt_buffer_printf(buf, " timeout='%d'", def->os.bootmenu_timeout);
        qvirt_buffer_add(buf, "/>\n");
    }
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</os>\n");
}

void
domain_general_format(QvirtBuffer *buf, const DomainDef *def, unsigned int flags)
{
    char uuid[QVIRT_UUID_STRING_BUFLEN];
    gboolean any_feature = FALSE;

    qvirt_buffer_escape_string(buf, "<name>%s</name>\n", def->name);
    qvirt_uuid_format(def->uuid, uuid);
    qvirt_buffer_printf(buf, "<uuid>%s</uuid>\n", uuid);
    qvirt_buffer_escape_string(buf, "<title>%s</title>\n", def->title);
    qvirt_buffer_escape_string(buf, "<description>%s</description>\n", def->description);
    if (def->metadata) {
        qvirt_buffer_add(buf, "<metadata>\n");
        domain_xml_format_verbatim(buf, def->metadata);
        qvirt_buffer_add(buf, "</metadata>\n");
    }
    qvirt_buffer_printf(buf, "<memory unit='KiB'>%llu</memory>\n", def->memory_kib);
    qvirt_buffer_printf(buf, "<currentMemory unit='KiB'>%llu</currentMemory>\n",
                        def->current_memory_kib);
    qvirt_buffer_printf(buf, "<vcpu placement='%s'>%u</vcpu>\n",
                        domain_vcpu_placement_to_string(def->vcpu_placement), def->vcpus);
    general_format_os(buf, def);

    for (int i = 0; i < DOMAIN_FEATURE_LAST; i++)
        any_feature |= def->features[i];
    if (any_feature) {
        qvirt_buffer_add(buf, "<features>\n");
        qvirt_buffer_add_indent(buf, 2);
        for (int i = 0; i < DOMAIN_FEATURE_LAST; i++) {
            if (def->features[i])
                qvirt_buffer_printf(buf, "<%s/>\n", domain_feature_to_string(i));
        }
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</features>\n");
    }
    domain_cpu_format(buf, def->cpu);
    qvirt_buffer_printf(buf, "<clock offset='%s'/>\n",
                        domain_clock_offset_to_string(def->clock_offset));
    qvirt_buffer_printf(buf, "<on_poweroff>%s</on_poweroff>\n",
                        domain_lifecycle_action_to_string(def->on_poweroff));
    qvirt_buffer_printf(buf, "<on_reboot>%s</on_reboot>\n",
                        domain_lifecycle_action_to_string(def->on_reboot));
    qvirt_buffer_printf(buf, "<on_crash>%s</on_crash>\n",
                        domain_lifecycle_action_to_string(def->on_crash));
}

/* capabilities.c: host and domain capabilities data and their XML (see
 * capabilities.h). */
#include <config.h>

#include <string.h>

#include "conf/capabilities.h"
#include "conf/domain_conf.h"
#include "util/xml.h"

/* The strings of DomainVirtType, as <domain type=…> uses them. */
static const char *const caps_virt_type_names[DOMAIN_VIRT_LAST] = {
    "qemu",
    "kvm",
    "test",
};

static const char *
caps_virt_type_to_string(int type)
{
    if (type < 0 || type >= DOMAIN_VIRT_LAST)
        return "qemu";
    return caps_virt_type_names[type];
}

static const char *
caps_yes_no(gboolean value)
{
    return value ? "yes" : "no";
}

/* ---- host capabilities: data ---- */

static void
caps_guest_machine_free(gpointer data)
{
    CapsGuestMachine *machine = data;

    g_free(machine->name);
    g_free(machine->canonical);
    g_free(machine);
}

static void
caps_guest_domain_free(gpointer data)
{
    CapsGuestDomain *dom = data;

    g_free(dom->emulator);
    g_ptr_array_unref(dom->machines);
    g_free(dom);
}

static void
caps_guest_feature_free(gpointer data)
{
    CapsGuestFeature *feature = data;

    g_free(feature->name);
    g_free(feature);
}

static void
caps_guest_free(gpointer data)
{
    CapsGuest *guest = data;

    g_free(guest->os_type);
    g_free(guest->arch);
    g_free(guest->emulator);
    g_ptr_array_unref(guest->machines);
    g_ptr_array_unref(guest->domains);
    g_ptr_array_unref(guest->features);
    g_free(guest);
}

Capabilities *
capabilities_new(const char *host_arch)
{
    Capabilities *caps = g_new0(Capabilities, 1);

    caps->host_arch = g_strdup(host_arch);
    caps->migration_transports = g_ptr_array_new_with_free_func(g_free);
    caps->guests = g_ptr_array_new_with_free_func(caps_guest_free);
    return caps;
}

void
capabilities_free(Capabilities *caps)
{
    if (!caps)
        return;
    g_free(caps->host_arch);
    g_free(caps->host_cpu_model);
    g_free(caps->host_cpu_vendor);
    g_ptr_array_unref(caps->migration_transports);
    g_ptr_array_unref(caps->guests);
    g_free(caps);
}

CapsGuest *
capabilities_add_guest(Capabilities *caps, const char *os_type, const char *arch,
                       unsigned int wordsize, const char *emulator)
{
    CapsGuest *guest = g_new0(CapsGuest, 1);

    guest->os_type = g_strdup(os_type);
    guest->arch = g_strdup(arch);
    guest->wordsize = wordsize;
    guest->emulator = g_strdup(emulator);
    guest->machines = g_ptr_array_new_with_free_func(caps_guest_machine_free);
    guest->domains = g_ptr_array_new_with_free_func(caps_guest_domain_free);
    guest->features = g_ptr_array_new_with_free_func(caps_guest_feature_free);
    g_ptr_array_add(caps->guests, guest);
    return guest;
}

static CapsGuestMachine *
caps_machine_add(GPtrArray *machines, const char *name, const char *canonical,
                 unsigned int max_cpus)
{
    CapsGuestMachine *machine = g_new0(CapsGuestMachine, 1);

    machine->name = g_strdup(name);
    machine->canonical = g_strdup(canonical);
    machine->max_cpus = max_cpus;
    g_ptr_array_add(machines, machine);
    return machine;
}

CapsGuestMachine *
capabilities_guest_add_machine(CapsGuest *guest, const char *name, const char *canonical,
                               unsigned int max_cpus)
{
    return caps_machine_add(guest->machines, name, canonical, max_cpus);
}

CapsGuestDomain *
capabilities_guest_add_domain(CapsGuest *guest, int virt_type, const char *emulator)
{
    CapsGuestDomain *dom = g_new0(CapsGuestDomain, 1);

    dom->virt_type = virt_type;
    dom->emulator = g_strdup(emulator);
    dom->machines = g_ptr_array_new_with_free_func(caps_guest_machine_free);
    g_ptr_array_add(guest->domains, dom);
    return dom;
}

void
capabilities_guest_add_feature(CapsGuest *guest, const char *name, gboolean has_default,
                               gboolean default_on, gboolean toggle)
{
    CapsGuestFeature *feature = g_new0(CapsGuestFeature, 1);

    feature->name = g_strdup(name);
    feature->has_default = has_default;
    feature->default_on = default_on;
    feature->toggle = toggle;
    g_ptr_array_add(guest->features, feature);
}

CapsGuest *
capabilities_find_guest(const Capabilities *caps, const char *os_type, const char *arch)
{
    for (guint i = 0; i < caps->guests->len; i++) {
        CapsGuest *guest = g_ptr_array_index(caps->guests, i);

        if (g_strcmp0(guest->os_type, os_type) == 0 && g_strcmp0(guest->arch, arch) == 0)
            return guest;
    }
    return NULL;
}

gboolean
capabilities_guest_has_domain(const CapsGuest *guest, int virt_type)
{
    for (guint i = 0; i < guest->domains->len; i++) {
        const CapsGuestDomain *dom = g_ptr_array_index(guest->domains, i);

        if (dom->virt_type == virt_type)
            return TRUE;
    }
    return FALSE;
}

const CapsGuestMachine *
capabilities_guest_find_machine(const CapsGuest *guest, const char *name)
{
    for (guint i = 0; name && i < guest->machines->len; i++) {
        const CapsGuestMachine *machine = g_ptr_array_index(guest->machines, i);

        if (g_str_equal(machine->name, name))
            return machine;
    }
    return NULL;
}

/* ---- host capabilities: XML ---- */

static void
caps_format_machines(QvirtBuffer *buf, const GPtrArray *machines)
{
    for (guint i = 0; i < machines->len; i++) {
        const CapsGuestMachine *machine = g_ptr_array_index(machines, i);

        qvirt_buffer_add(buf, "<machine");
        qvirt_buffer_escape_string(buf, " canonical='%s'", machine->canonical);
        if (machine->max_cpus)
            qvirt_buffer_printf(buf, " maxCpus='%u'", machine->max_cpus);
        if (machine->deprecated)
            qvirt_buffer_add(buf, " deprecated='yes'");
        qvirt_buffer_escape_string(buf, ">%s</machine>\n", machine->name);
    }
}

static void
caps_format_host(QvirtBuffer *buf, const Capabilities *caps)
{
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    qvirt_buffer_add(buf, "<host>\n");
    qvirt_buffer_add_indent(buf, 2);
    if (caps->have_host_uuid) {
        qvirt_uuid_format(caps->host_uuid, uuidstr);
        qvirt_buffer_printf(buf, "<uuid>%s</uuid>\n", uuidstr);
    }
    qvirt_buffer_add(buf, "<cpu>\n");
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_escape_string(buf, "<arch>%s</arch>\n", caps->host_arch);
    qvirt_buffer_escape_string(buf, "<model>%s</model>\n", caps->host_cpu_model);
    qvirt_buffer_escape_string(buf, "<vendor>%s</vendor>\n", caps->host_cpu_vendor);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</cpu>\n");

    if (caps->live_migration || caps->migration_transports->len) {
        qvirt_buffer_add(buf, "<migration_features>\n");
        qvirt_buffer_add_indent(buf, 2);
        if (caps->live_migration)
            qvirt_buffer_add(buf, "<live/>\n");
        if (caps->migration_transports->len) {
            qvirt_buffer_add(buf, "<uri_transports>\n");
            qvirt_buffer_add_indent(buf, 2);
            for (guint i = 0; i < caps->migration_transports->len; i++)
                qvirt_buffer_escape_string(buf, "<uri_transport>%s</uri_transport>\n",
                                           g_ptr_array_index(caps->migration_transports, i));
            qvirt_buffer_add_indent(buf, -2);
            qvirt_buffer_add(buf, "</uri_transports>\n");
        }
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</migration_features>\n");
    }
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</host>\n");
}

static void
caps_format_guest(QvirtBuffer *buf, const CapsGuest *guest)
{
    qvirt_buffer_add(buf, "<guest>\n");
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_escape_string(buf, "<os_type>%s</os_type>\n", guest->os_type);
    qvirt_buffer_escape_string(buf, "<arch name='%s'>\n", guest->arch);
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_printf(buf, "<wordsize>%u</wordsize>\n", guest->wordsize);
    qvirt_buffer_escape_string(buf, "<emulator>%s</emulator>\n", guest->emulator);
    caps_format_machines(buf, guest->machines);
    for (guint i = 0; i < guest->domains->len; i++) {
        const CapsGuestDomain *dom = g_ptr_array_index(guest->domains, i);

        qvirt_buffer_printf(buf, "<domain type='%s'", caps_virt_type_to_string(dom->virt_type));
        if (!dom->emulator && dom->machines->len == 0) {
            qvirt_buffer_add(buf, "/>\n");
            continue;
        }
        qvirt_buffer_add(buf, ">\n");
        qvirt_buffer_add_indent(buf, 2);
        qvirt_buffer_escape_string(buf, "<emulator>%s</emulator>\n", dom->emulator);
        caps_format_machines(buf, dom->machines);
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</domain>\n");
    }
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</arch>\n");

    if (guest->features->len) {
        qvirt_buffer_add(buf, "<features>\n");
        qvirt_buffer_add_indent(buf, 2);
        for (guint i = 0; i < guest->features->len; i++) {
            const CapsGuestFeature *feature = g_ptr_array_index(guest->features, i);

            qvirt_buffer_escape_string(buf, "<%s", feature->name);
            if (feature->has_default)
                qvirt_buffer_printf(buf, " default='%s' toggle='%s'",
                                    feature->default_on ? "on" : "off",
                                    caps_yes_no(feature->toggle));
            qvirt_buffer_add(buf, "/>\n");
        }
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</features>\n");
    }
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</guest>\n");
}

char *
capabilities_format(const Capabilities *caps)
{
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;

    qvirt_buffer_add(&buf, "<capabilities>\n\n");
    qvirt_buffer_add_indent(&buf, 2);
    caps_format_host(&buf, caps);
    for (guint i = 0; i < caps->guests->len; i++) {
        qvirt_buffer_add(&buf, "\n");
        caps_format_guest(&buf, g_ptr_array_index(caps->guests, i));
    }
    qvirt_buffer_add_indent(&buf, -2);
    qvirt_buffer_add(&buf, "\n</capabilities>\n");
    return qvirt_buffer_steal(&buf);
}

/* ---- domain capabilities: data ---- */

static void
domain_caps_enum_free(gpointer data)
{
    DomainCapsEnum *e = data;

    g_free(e->name);
    g_ptr_array_unref(e->values);
    g_free(e);
}

static GPtrArray *
domain_caps_enum_list_new(void)
{
    return g_ptr_array_new_with_free_func(domain_caps_enum_free);
}

static void
domain_caps_item_free(gpointer data)
{
    DomainCapsItem *item = data;

    g_free(item->name);
    g_ptr_array_unref(item->enums);
    g_free(item);
}

static void
domain_caps_cpu_model_free(gpointer data)
{
    DomainCapsCpuModel *model = data;

    g_free(model->name);
    g_free(model->vendor);
    g_free(model);
}

DomainCaps *
domain_caps_new(const char *path, int virt_type, const char *machine, const char *arch)
{
    DomainCaps *caps = g_new0(DomainCaps, 1);

    caps->path = g_strdup(path);
    caps->virt_type = virt_type;
    caps->machine = g_strdup(machine);
    caps->arch = g_strdup(arch);
    caps->os_enums = domain_caps_enum_list_new();
    caps->loader_values = g_ptr_array_new_with_free_func(g_free);
    caps->loader_enums = domain_caps_enum_list_new();
    caps->cpu_custom_models = g_ptr_array_new_with_free_func(domain_caps_cpu_model_free);
    caps->devices = g_ptr_array_new_with_free_func(domain_caps_item_free);
    caps->features = g_ptr_array_new_with_free_func(domain_caps_item_free);
    return caps;
}

void
domain_caps_free(DomainCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->path);
    g_free(caps->machine);
    g_free(caps->arch);
    g_ptr_array_unref(caps->os_enums);
    g_ptr_array_unref(caps->loader_values);
    g_ptr_array_unref(caps->loader_enums);
    g_free(caps->cpu_host_model_name);
    g_free(caps->cpu_host_model_vendor);
    g_ptr_array_unref(caps->cpu_custom_models);
    g_ptr_array_unref(caps->devices);
    g_ptr_array_unref(caps->features);
    g_free(caps);
}

DomainCapsEnum *
domain_caps_enum_add(GPtrArray *enums, const char *name, const char *const *values)
{
    DomainCapsEnum *e = g_new0(DomainCapsEnum, 1);

    e->name = g_strdup(name);
    e->values = g_ptr_array_new_with_free_func(g_free);
    for (; values && *values; values++)
        g_ptr_array_add(e->values, g_strdup(*values));
    g_ptr_array_add(enums, e);
    return e;
}

DomainCapsItem *
domain_caps_item_add(GPtrArray *items, const char *name, gboolean supported)
{
    DomainCapsItem *item = g_new0(DomainCapsItem, 1);

    item->name = g_strdup(name);
    item->supported = supported;
    item->enums = domain_caps_enum_list_new();
    g_ptr_array_add(items, item);
    return item;
}

DomainCapsCpuModel *
domain_caps_add_cpu_model(DomainCaps *caps, const char *name, const char *vendor, int usable)
{
    DomainCapsCpuModel *model = g_new0(DomainCapsCpuModel, 1);

    model->name = g_strdup(name);
    model->vendor = g_strdup(vendor ? vendor : "unknown");
    model->usable = usable;
    g_ptr_array_add(caps->cpu_custom_models, model);
    return model;
}

/* ---- domain capabilities: XML ---- */

static void
domain_caps_format_enums(QvirtBuffer *buf, const GPtrArray *enums)
{
    for (guint i = 0; i < enums->len; i++) {
        const DomainCapsEnum *e = g_ptr_array_index(enums, i);

        if (e->values->len == 0) {
            qvirt_buffer_escape_string(buf, "<enum name='%s'/>\n", e->name);
            continue;
        }
        qvirt_buffer_escape_string(buf, "<enum name='%s'>\n", e->name);
        qvirt_buffer_add_indent(buf, 2);
        for (guint j = 0; j < e->values->len; j++)
            qvirt_buffer_escape_string(buf, "<value>%s</value>\n", g_ptr_array_index(e->values, j));
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</enum>\n");
    }
}

static void
domain_caps_format_items(QvirtBuffer *buf, const char *element, const GPtrArray *items)
{
    if (items->len == 0)
        return;
    qvirt_buffer_printf(buf, "<%s>\n", element);
    qvirt_buffer_add_indent(buf, 2);
    for (guint i = 0; i < items->len; i++) {
        const DomainCapsItem *item = g_ptr_array_index(items, i);

        qvirt_buffer_escape_string(buf, "<%s", item->name);
        qvirt_buffer_printf(buf, " supported='%s'", caps_yes_no(item->supported));
        if (item->enums->len == 0) {
            qvirt_buffer_add(buf, "/>\n");
            continue;
        }
        qvirt_buffer_add(buf, ">\n");
        qvirt_buffer_add_indent(buf, 2);
        domain_caps_format_enums(buf, item->enums);
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_escape_string(buf, "</%s>\n", item->name);
    }
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_printf(buf, "</%s>\n", element);
}

static void
domain_caps_format_os(QvirtBuffer *buf, const DomainCaps *caps)
{
    qvirt_buffer_printf(buf, "<os supported='%s'", caps_yes_no(caps->os_supported));
    if (caps->os_enums->len == 0 && !caps->have_loader) {
        qvirt_buffer_add(buf, "/>\n");
        return;
    }
    qvirt_buffer_add(buf, ">\n");
    qvirt_buffer_add_indent(buf, 2);
    domain_caps_format_enums(buf, caps->os_enums);
    if (caps->have_loader) {
        qvirt_buffer_printf(buf, "<loader supported='%s'", caps_yes_no(caps->loader_supported));
        if (caps->loader_values->len == 0 && caps->loader_enums->len == 0) {
            qvirt_buffer_add(buf, "/>\n");
        } else {
            qvirt_buffer_add(buf, ">\n");
            qvirt_buffer_add_indent(buf, 2);
            for (guint i = 0; i < caps->loader_values->len; i++)
                qvirt_buffer_escape_string(buf, "<value>%s</value>\n",
                                           g_ptr_array_index(caps->loader_values, i));
            domain_caps_format_enums(buf, caps->loader_enums);
            qvirt_buffer_add_indent(buf, -2);
            qvirt_buffer_add(buf, "</loader>\n");
        }
    }
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</os>\n");
}

static void
domain_caps_format_cpu(QvirtBuffer *buf, const DomainCaps *caps)
{
    static const char *const usable_names[] = {"unknown", "yes", "no"};

    qvirt_buffer_add(buf, "<cpu>\n");
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_printf(buf, "<mode name='host-passthrough' supported='%s'/>\n",
                        caps_yes_no(caps->cpu_host_passthrough));
    qvirt_buffer_printf(buf, "<mode name='maximum' supported='%s'/>\n",
                        caps_yes_no(caps->cpu_maximum));
    qvirt_buffer_printf(buf, "<mode name='host-model' supported='%s'",
                        caps_yes_no(caps->cpu_host_model));
    if (caps->cpu_host_model_name) {
        qvirt_buffer_add(buf, ">\n");
        qvirt_buffer_add_indent(buf, 2);
        qvirt_buffer_escape_string(buf, "<model fallback='forbid'>%s</model>\n",
                                   caps->cpu_host_model_name);
        qvirt_buffer_escape_string(buf, "<vendor>%s</vendor>\n", caps->cpu_host_model_vendor);
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</mode>\n");
    } else {
        qvirt_buffer_add(buf, "/>\n");
    }
    qvirt_buffer_printf(buf, "<mode name='custom' supported='%s'", caps_yes_no(caps->cpu_custom));
    if (caps->cpu_custom_models->len == 0) {
        qvirt_buffer_add(buf, "/>\n");
    } else {
        qvirt_buffer_add(buf, ">\n");
        qvirt_buffer_add_indent(buf, 2);
        for (guint i = 0; i < caps->cpu_custom_models->len; i++) {
            const DomainCapsCpuModel *model = g_ptr_array_index(caps->cpu_custom_models, i);
            int usable = model->usable >= 0 && model->usable <= DOMAIN_CAPS_CPU_USABLE_NO
                             ? model->usable
                             : DOMAIN_CAPS_CPU_USABLE_UNKNOWN;

            qvirt_buffer_printf(buf, "<model usable='%s'", usable_names[usable]);
            if (model->deprecated)
                qvirt_buffer_add(buf, " deprecated='yes'");
            qvirt_buffer_escape_string(buf, " vendor='%s'", model->vendor);
            qvirt_buffer_escape_string(buf, ">%s</model>\n", model->name);
        }
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</mode>\n");
    }
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</cpu>\n");
}

char *
domain_caps_format(const DomainCaps *caps)
{
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;

    qvirt_buffer_add(&buf, "<domainCapabilities>\n");
    qvirt_buffer_add_indent(&buf, 2);
    qvirt_buffer_escape_string(&buf, "<path>%s</path>\n", caps->path);
    qvirt_buffer_printf(&buf, "<domain>%s</domain>\n", caps_virt_type_to_string(caps->virt_type));
    qvirt_buffer_escape_string(&buf, "<machine>%s</machine>\n", caps->machine);
    qvirt_buffer_escape_string(&buf, "<arch>%s</arch>\n", caps->arch);
    if (caps->max_vcpus)
        qvirt_buffer_printf(&buf, "<vcpu max='%u'/>\n", caps->max_vcpus);
    qvirt_buffer_printf(&buf, "<iothreads supported='%s'/>\n", caps_yes_no(caps->iothreads));
    domain_caps_format_os(&buf, caps);
    domain_caps_format_cpu(&buf, caps);
    domain_caps_format_items(&buf, "devices", caps->devices);
    domain_caps_format_items(&buf, "features", caps->features);
    qvirt_buffer_add_indent(&buf, -2);
    qvirt_buffer_add(&buf, "</domainCapabilities>\n");
    return qvirt_buffer_steal(&buf);
}

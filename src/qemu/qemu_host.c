/* qemu_host.c: host capabilities from the probed QEMU and node facts (see
 * qemu_host.h). */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_host.h"
#include "util/error.h"
#include "util/files.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

Capabilities *
qemu_host_capabilities(const QemuCaps *caps, const char *emulator)
{
    g_autoptr(Capabilities) host = capabilities_new("x86_64");
    const GPtrArray *machines = qemu_caps_get_machines(caps);
    CapsGuest *guest;

    host->live_migration = TRUE;
    g_ptr_array_add(host->migration_transports, g_strdup("tcp"));
    guest = capabilities_add_guest(host, "hvm", "x86_64", 64, emulator);
    for (guint i = 0; machines && i < machines->len; i++) {
        const QemuCapsMachine *machine = g_ptr_array_index(machines, i);

        capabilities_guest_add_machine(guest, machine->name, NULL,
                                       machine->max_cpus > 0 ? machine->max_cpus : 0);
        if (machine->alias) {
            capabilities_guest_add_machine(guest, machine->alias, machine->name,
                                           machine->max_cpus > 0 ? machine->max_cpus : 0);
        }
    }
    capabilities_guest_add_domain(guest, DOMAIN_VIRT_QEMU, NULL);
    if (qemu_caps_get(caps, QEMU_CAPS_KVM))
        capabilities_guest_add_domain(guest, DOMAIN_VIRT_KVM, NULL);
    capabilities_guest_add_feature(guest, "acpi", TRUE, TRUE, TRUE);
    capabilities_guest_add_feature(guest, "apic", TRUE, TRUE, FALSE);
    capabilities_guest_add_feature(guest, "pae", FALSE, FALSE, FALSE);
    capabilities_guest_add_feature(guest, "cpuselection", FALSE, FALSE, FALSE);
    capabilities_guest_add_feature(guest, "deviceboot", FALSE, FALSE, FALSE);
    return g_steal_pointer(&host);
}

unsigned int
qemu_host_max_vcpus(const QemuCaps *caps)
{
    const char *default_name = qemu_caps_get_default_machine(caps);
    const QemuCapsMachine *machine = default_name ? qemu_caps_get_machine(caps, default_name)
                                                  : NULL;
    const GPtrArray *machines = qemu_caps_get_machines(caps);
    unsigned int best = 0;

    if (machine && machine->max_cpus > 0)
        return machine->max_cpus;
    for (guint i = 0; machines && i < machines->len; i++) {
        const QemuCapsMachine *m = g_ptr_array_index(machines, i);
        if (m->max_cpus > 0 && (unsigned int)m->max_cpus > best)
            best = m->max_cpus;
    }
    return best;
}

/* The number after KEY in a "KEY  : value" or "KEY: value" line of TEXT. */
static gboolean
qemu_host_proc_value(const char *text, const char *key, unsigned long long *ret_value)
{
    const char *line = text;

    while (line && *line) {
        if (g_str_has_prefix(line, key)) {
            const char *colon = strchr(line, ':');
            if (colon) {
                char *end = NULL;
                unsigned long long value = g_ascii_strtoull(colon + 1, &end, 10);
                if (end != colon + 1) {
                    *ret_value = value;
                    return TRUE;
                }
            }
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return FALSE;
}

int
qemu_host_node_info(QemuHostNode *ret_node)
{
    g_autofree char *meminfo = NULL;
    g_autofree char *cpuinfo = NULL;
    unsigned long long memory_kib = 0;
    unsigned long long mhz = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (qvirt_file_read_limited("/proc/meminfo", 1 << 20, &meminfo, NULL) < 0)
        return -1;
    if (!qemu_host_proc_value(meminfo, "MemTotal", &memory_kib)) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("no MemTotal line in /proc/meminfo"));
        return -1;
    }
    /* cpuinfo may lack "cpu MHz" (some virtual CPUs): then 0, as libvirt says. */
    if (qvirt_file_read_limited("/proc/cpuinfo", 16 << 20, &cpuinfo, NULL) == 0)
        qemu_host_proc_value(cpuinfo, "cpu MHz", &mhz);
    else
        qvirt_error_reset();
    ret_node->memory_kib = memory_kib;
    ret_node->cpus = cpus > 0 ? (unsigned int)cpus : 1;
    ret_node->mhz = (unsigned int)mhz;
    return 0;
}

/* qemu_host.h: what the QEMU driver tells about the host: the capabilities
 * XML built from the probed QEMU binary, and node facts read from /proc.
 * Both are read-only and touch no domain. */
#pragma once

#include "conf/capabilities.h"
#include "qemu/qemu_capabilities.h"

/* The host capabilities for the x86_64 guests EMULATOR runs: machines (with
 * their aliases), domain type qemu always and kvm where KVM works. */
Capabilities *qemu_host_capabilities(const QemuCaps *caps, const char *emulator);

/* The largest vCPU count of the default machine, or of any machine; 0 if unknown. */
unsigned int qemu_host_max_vcpus(const QemuCaps *caps);

typedef struct {
    unsigned long long memory_kib;
    unsigned int cpus;
    unsigned int mhz;
} QemuHostNode;

/* Memory from /proc/meminfo, online CPUs, and the first CPU's MHz. */
int qemu_host_node_info(QemuHostNode *ret_node);

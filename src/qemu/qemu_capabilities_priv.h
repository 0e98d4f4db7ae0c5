/* qemu_capabilities_priv.h: test and tool access to qemu_capabilities.c:
 * probing with a hook on each QEMU's monitor (to record fixtures), the
 * count of QEMUs started, and the cache's key and file name. */
#pragma once

#include "qemu/qemu_capabilities.h"

/* Called with each probed QEMU's monitor, after qmp_capabilities and before
 * the queries; KVM_PASS says which of the two QEMUs it is. */
typedef void (*QemuCapsProbeHook)(QemuMonitor *mon, bool kvm_pass, gpointer opaque);

QemuCaps *qemu_caps_probe_full(const char *binary, QvirtEventLoop *loop, QemuCapsProbeHook hook,
                               gpointer opaque);

/* How many QEMU processes probes started in this process so far. */
unsigned int qemu_caps_probe_count(void);

/* Set the cache key of CAPS from BINARY as it is now on disk. */
int qemu_caps_set_cache_key(QemuCaps *caps, const char *binary);

/* The file the cache keeps BINARY's capabilities in (new string). */
char *qemu_caps_cache_file(QemuCapsCache *cache, const char *binary);

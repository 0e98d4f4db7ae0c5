/* qemu_capabilities.h: what a QEMU binary can do, probed over QMP and
 * cached as XML.
 *
 * Contract:
 * - A probe starts the binary with "-machine none -S -nodefaults" and a QMP
 *   monitor, once under TCG (everything is queried) and once with
 *   "-accel kvm" (only whether KVM really works), and collects: version,
 *   commands, events and the flags derived from the QMP schema, machine
 *   types, KVM availability, CPU models, migration capabilities and
 *   parameters. Every QEMU started is killed before the probe returns.
 * - QemuCaps is immutable once built and reference counted, so it can be
 *   shared between threads.
 * - The cache keeps one XML file per binary in its folder, keyed by the
 *   binary's path, size and modification time and by qvirt's version: a
 *   lookup whose key still matches loads the file and starts no QEMU; any
 *   other is probed again and the file rewritten (atomically). An unreadable
 *   or stale cache file is never an error: it is probed again.
 * - Failing functions report one error and return NULL or -1. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qemu/qemu_monitor.h"
#include "util/eventloop.h"

/* Features the driver asks about. The strings are what the XML stores. */
typedef enum {
    QEMU_CAPS_KVM,                     /* "kvm": KVM works with this binary */
    QEMU_CAPS_BLOCKDEV_MIRROR,         /* "blockdev-mirror" command */
    QEMU_CAPS_BLOCK_EXPORT_ADD,        /* "block-export-add" command */
    QEMU_CAPS_BLOCKDEV_REOPEN,         /* "blockdev-reopen" command */
    QEMU_CAPS_QUERY_JOBS,              /* "query-jobs": the generic job API */
    QEMU_CAPS_QUERY_CPUS_FAST,         /* "query-cpus-fast" command */
    QEMU_CAPS_MIGRATE_RECOVER,         /* "migrate-recover" command */
    QEMU_CAPS_MIGRATE_PAUSE,           /* "migrate-pause" command */
    QEMU_CAPS_PAUSE_BEFORE_SWITCHOVER, /* migration capability */
    QEMU_CAPS_POSTCOPY_RAM,            /* migration capability */
    QEMU_CAPS_MIGRATION_EVENTS,        /* migration capability "events" */
    QEMU_CAPS_RETURN_PATH,             /* migration capability */
    QEMU_CAPS_MULTIFD,                 /* migration capability */
    QEMU_CAPS_MIGRATION_TLS,           /* migration parameter "tls-creds" */
    QEMU_CAPS_NBD_SERVER_TLS,          /* nbd-server-start takes "tls-creds" */
    QEMU_CAPS_MIRROR_COPY_MODE,        /* blockdev-mirror takes "copy-mode" */
    QEMU_CAPS_JOB_STATUS_CHANGE,       /* JOB_STATUS_CHANGE event */
    QEMU_CAPS_DUMP_COMPLETED,          /* DUMP_COMPLETED event */
    QEMU_CAPS_LAST
} QemuCapsFlag;

const char *qemu_caps_flag_to_string(int flag);
int qemu_caps_flag_from_string(const char *str);

typedef struct {
    char *name;
    char *alias; /* or NULL */
    bool is_default;
    int max_cpus;
    bool hotpluggable_cpus;
    bool deprecated;
    char *default_cpu_type; /* or NULL */
} QemuCapsMachine;

typedef struct {
    char *name;
    bool usable; /* under TCG */
    bool deprecated;
} QemuCapsCpuModel;

typedef struct _QemuCaps QemuCaps;

QemuCaps *qemu_caps_new(void);
QemuCaps *qemu_caps_ref(QemuCaps *caps);
void qemu_caps_unref(QemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCaps, qemu_caps_unref)

/* Probe BINARY (an absolute path), running its QEMU monitors on LOOP. A
 * binary that cannot start, or a QMP failure, is an error naming BINARY. */
QemuCaps *qemu_caps_probe(const char *binary, QvirtEventLoop *loop);

/* Query everything over MON, a QMP monitor of a "-machine none" QEMU whose
 * capabilities are already negotiated. With KVM_PASS only query-kvm is
 * asked and only the KVM flags are set. */
int qemu_caps_probe_monitor(QemuCaps *caps, QemuMonitor *mon, bool kvm_pass);

/* ---- Queries ---- */

bool qemu_caps_get(const QemuCaps *caps, QemuCapsFlag flag);
/* The version as major * 1000000 + minor * 1000 + micro (7002022). */
unsigned int qemu_caps_get_version(const QemuCaps *caps);
const char *qemu_caps_get_package(const QemuCaps *caps);
const char *qemu_caps_get_binary(const QemuCaps *caps);
bool qemu_caps_kvm_present(const QemuCaps *caps);
bool qemu_caps_has_command(const QemuCaps *caps, const char *name);
bool qemu_caps_has_event(const QemuCaps *caps, const char *name);
bool qemu_caps_has_migration_capability(const QemuCaps *caps, const char *name);
bool qemu_caps_has_migration_parameter(const QemuCaps *caps, const char *name);
/* Machines and CPU models, in QEMU's order (borrowed). */
const GPtrArray *qemu_caps_get_machines(const QemuCaps *caps);
const GPtrArray *qemu_caps_get_cpu_models(const QemuCaps *caps);
/* The machine NAME or whose alias is NAME; NULL when none. */
const QemuCapsMachine *qemu_caps_get_machine(const QemuCaps *caps, const char *name);
/* The default machine's name ("pc-i440fx-7.2"), or NULL. */
const char *qemu_caps_get_default_machine(const QemuCaps *caps);

/* ---- XML ---- */

/* The capabilities as XML (new string). WITH_CACHE_KEY adds the binary's
 * path, size and time and the qvirt version (the recorded test fixtures
 * leave them out: they are machine specific). */
char *qemu_caps_format(const QemuCaps *caps, bool with_cache_key);
/* Parse XML from qemu_caps_format(). XML_ERROR or INTERNAL_ERROR naming
 * WHAT (e.g. the file) on a malformed document. */
QemuCaps *qemu_caps_parse(const char *xml, const char *what);

/* ---- The cache ---- */

typedef struct _QemuCapsCache QemuCapsCache;

/* A cache storing its files in DIR (created when missing), probing on LOOP. */
QemuCapsCache *qemu_caps_cache_new(const char *dir, QvirtEventLoop *loop);
void qemu_caps_cache_free(QemuCapsCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCapsCache, qemu_caps_cache_free)

/* The capabilities of BINARY (a new reference), from memory or the cache
 * folder while their key matches, else probed (see the contract). Thread
 * safe; concurrent lookups of one binary probe it once. */
QemuCaps *qemu_caps_cache_lookup(QemuCapsCache *cache, const char *binary);

/* capabilities.h: the host capabilities (`<capabilities>`) and domain
 * capabilities (`<domainCapabilities>`) documents, as data and formatters,
 * with libvirt's element names so that libvirt's schemas (capability.rng,
 * domaincaps.rng) accept the output.
 *
 * Contract: these are plain data structures, filled by a hypervisor driver
 * (the QEMU driver from the probed emulator) and then only read; they have
 * no lock, so share one only after it is complete. Formatting never fails. */
#pragma once

#include <glib.h>

#include "util/uuid.h"

/* ---- host capabilities ---- */

typedef struct _CapsGuestMachine CapsGuestMachine;
struct _CapsGuestMachine {
    char *name;            /* "pc-q35-8.2" or an alias such as "q35" */
    char *canonical;       /* for an alias, the machine it stands for; else NULL */
    unsigned int max_cpus; /* 0 = unknown, not formatted */
    gboolean deprecated;
};

typedef struct _CapsGuestDomain CapsGuestDomain;
struct _CapsGuestDomain {
    int virt_type;       /* DomainVirtType: "qemu", "kvm" or "test" */
    char *emulator;      /* only when it differs from the guest's; else NULL */
    GPtrArray *machines; /* CapsGuestMachine *, only when they differ; may be empty */
};

typedef struct _CapsGuestFeature CapsGuestFeature;
struct _CapsGuestFeature {
    char *name;      /* "acpi", "apic", "pae", "cpuselection", "deviceboot", ... */
    gboolean toggle; /* formatted as default='on|off' toggle='yes|no' when HAS_DEFAULT */
    gboolean default_on;
    gboolean has_default;
};

typedef struct _CapsGuest CapsGuest;
struct _CapsGuest {
    char *os_type;         /* "hvm" */
    char *arch;            /* "x86_64" */
    unsigned int wordsize; /* 64 */
    char *emulator;        /* absolute path of the QEMU binary */
    GPtrArray *machines;   /* CapsGuestMachine * */
    GPtrArray *domains;    /* CapsGuestDomain *: at least one */
    GPtrArray *features;   /* CapsGuestFeature * */
};

typedef struct _Capabilities Capabilities;
struct _Capabilities {
    char *host_arch; /* "x86_64" */
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];
    gboolean have_host_uuid;
    char *host_cpu_model;            /* optional */
    char *host_cpu_vendor;           /* optional */
    gboolean live_migration;         /* <migration_features><live/> */
    GPtrArray *migration_transports; /* char *: "tcp", "rdma" */
    GPtrArray *guests;               /* CapsGuest * */
};

Capabilities *capabilities_new(const char *host_arch);
void capabilities_free(Capabilities *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Capabilities, capabilities_free)

/* A guest of OS_TYPE/ARCH run by EMULATOR, added to CAPS (which owns it). */
CapsGuest *capabilities_add_guest(Capabilities *caps, const char *os_type, const char *arch,
                                  unsigned int wordsize, const char *emulator);
/* A machine of GUEST; CANONICAL may be NULL; MAX_CPUS 0 = unknown. */
CapsGuestMachine *capabilities_guest_add_machine(CapsGuest *guest, const char *name,
                                                 const char *canonical, unsigned int max_cpus);
/* A domain type (DomainVirtType) GUEST supports; EMULATOR may be NULL. */
CapsGuestDomain *capabilities_guest_add_domain(CapsGuest *guest, int virt_type,
                                               const char *emulator);
void capabilities_guest_add_feature(CapsGuest *guest, const char *name, gboolean has_default,
                                    gboolean default_on, gboolean toggle);

/* The guest for OS_TYPE and ARCH, or NULL; borrowed. */
CapsGuest *capabilities_find_guest(const Capabilities *caps, const char *os_type, const char *arch);
/* Whether GUEST supports domain type VIRT_TYPE. */
gboolean capabilities_guest_has_domain(const CapsGuest *guest, int virt_type);
/* The machine NAME of GUEST (by name or alias), or NULL; borrowed. */
const CapsGuestMachine *capabilities_guest_find_machine(const CapsGuest *guest, const char *name);

char *capabilities_format(const Capabilities *caps);

/* ---- domain capabilities ---- */

/* <enum name='bus'><value>virtio</value>...</enum> */
typedef struct _DomainCapsEnum DomainCapsEnum;
struct _DomainCapsEnum {
    char *name;
    GPtrArray *values; /* char * */
};

/* A device or feature: <disk supported='yes'><enum .../></disk>. */
typedef struct _DomainCapsItem DomainCapsItem;
struct _DomainCapsItem {
    char *name;
    gboolean supported;
    GPtrArray *enums; /* DomainCapsEnum * */
};

typedef enum {
    DOMAIN_CAPS_CPU_USABLE_UNKNOWN = 0,
    DOMAIN_CAPS_CPU_USABLE_YES,
    DOMAIN_CAPS_CPU_USABLE_NO,
} DomainCapsCpuUsable;

typedef struct _DomainCapsCpuModel DomainCapsCpuModel;
struct _DomainCapsCpuModel {
    char *name;
    char *vendor; /* "Intel", "AMD" or "unknown" */
    int usable;   /* DomainCapsCpuUsable */
    gboolean deprecated;
};

typedef struct _DomainCaps DomainCaps;
struct _DomainCaps {
    char *path;    /* emulator */
    int virt_type; /* DomainVirtType */
    char *machine; /* canonical machine name; optional */
    char *arch;
    unsigned int max_vcpus; /* 0: no <vcpu> */
    gboolean iothreads;

    gboolean os_supported;
    GPtrArray *os_enums; /* DomainCapsEnum *, e.g. firmware */
    gboolean have_loader;
    gboolean loader_supported;
    GPtrArray *loader_values; /* char *: firmware paths */
    GPtrArray *loader_enums;  /* DomainCapsEnum *: type, readonly, secure */

    gboolean cpu_host_passthrough;
    gboolean cpu_maximum;
    gboolean cpu_host_model;
    char *cpu_host_model_name;   /* optional */
    char *cpu_host_model_vendor; /* optional */
    gboolean cpu_custom;
    GPtrArray *cpu_custom_models; /* DomainCapsCpuModel * */

    /* Formatted in the order added; libvirt's schema wants devices in the
     * order disk, graphics, video, hostdev, rng, filesystem, tpm, redirdev,
     * channel and features in the order gic, vmcoreinfo, genid,
     * backingStoreInput, backup, ... */
    GPtrArray *devices;  /* DomainCapsItem * */
    GPtrArray *features; /* DomainCapsItem * */
};

DomainCaps *domain_caps_new(const char *path, int virt_type, const char *machine, const char *arch);
void domain_caps_free(DomainCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainCaps, domain_caps_free)

/* Append a new enum NAME to ENUMS (a GPtrArray of DomainCapsEnum *) with the
 * NULL-terminated VALUES; returns it (owned by ENUMS). */
DomainCapsEnum *domain_caps_enum_add(GPtrArray *enums, const char *name, const char *const *values);
/* Append a device or feature NAME to ITEMS (caps->devices / caps->features). */
DomainCapsItem *domain_caps_item_add(GPtrArray *items, const char *name, gboolean supported);
DomainCapsCpuModel *domain_caps_add_cpu_model(DomainCaps *caps, const char *name,
                                              const char *vendor, int usable);

char *domain_caps_format(const DomainCaps *caps);

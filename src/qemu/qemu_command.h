/* qemu_command.h: the QEMU command line (environment and argv) of a domain,
 * from its definition, the probed capabilities of the binary and the
 * runtime context the driver prepared (sockets, descriptors, folders).
 *
 * Contract:
 * - The same definition, capabilities and context always give the same
 *   command line, argument for argument. Building reads no file and opens
 *   nothing; it only assigns the device aliases of the definition
 *   (qemu_assign_aliases), which the live XML records.
 * - QEMU 7.2's modern interfaces: -blockdev with explicit node names (a
 *   protocol node and a format node per image, backing chains linked by
 *   node name), and JSON for -blockdev, -device, -netdev and -object.
 *   Every PCI device carries its explicit address; every device its alias
 *   as id. Values given as key=value have their commas doubled.
 * - A domain of type 'kvm' runs with KVM and is refused where KVM is not
 *   usable; a domain of type 'qemu' runs with TCG (libvirt's semantics).
 * - A configuration QEMU cannot run (or qvirt does not support) fails with
 *   CONFIG_UNSUPPORTED naming the device before anything is started; a
 *   context that misses what the definition needs (e.g. the descriptor of
 *   a tap device) is INTERNAL_ERROR. Exactly one error is reported. */
#pragma once

#include <glib.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"
#include "util/process.h"

typedef enum {
    QEMU_COMMAND_SANDBOX_DEFAULT = 0, /* on (see qemu_command.c: the caps carry no
                                       * seccomp flag yet, and Debian's QEMU has it) */
    QEMU_COMMAND_SANDBOX_ON,
    QEMU_COMMAND_SANDBOX_OFF,
    QEMU_COMMAND_SANDBOX_LAST
} QemuCommandSandbox;

/* What the driver prepared for this run of QEMU. Paths must be absolute.
 * Descriptors are passed on at the same number; a value below 3 (-1, or
 * the 0 of a zeroed context) means none. */
typedef struct {
    const char *emulator;     /* the binary when the domain names none; NULL: the caps' binary */
    const char *lib_dir;      /* the domain's private folder: QEMU's HOME and XDG folders */
    const char *monitor_path; /* the QMP socket (QEMU listens on it) without monitor_fd */
    int monitor_fd;           /* the listening QMP socket qvirt created */
    const char *hmp_path;     /* the HMP socket without hmp_fd; neither: no HMP monitor */
    int hmp_fd;               /* the listening HMP socket qvirt created */
    gboolean kvm_usable;      /* KVM works here (see qemu_command_kvm_usable) */
    const int *tap_fds;       /* tap_fds[i]: the open tap device of def->nets[i] */
    size_t ntap_fds;
    const char *vnc_listen; /* VNC's address when <graphics> gives none; NULL: 127.0.0.1 */
    int sandbox;            /* QemuCommandSandbox */
    gboolean native;        /* for domxml-to-native: a tap interface without descriptor
                             * names its device (target dev, or vnetN) instead */
    const char *incoming;   /* -incoming's value for an incoming migration ("defer"), or NULL */
} QemuCommandContext;

/* A built command line. */
typedef struct {
    GPtrArray *env;  /* "KEY=VALUE" strings, in order */
    GPtrArray *args; /* argv strings; args[0] is the emulator */
    GArray *fds;     /* int: descriptors QEMU inherits (monitors, taps) */
} QemuCommandLine;

void qemu_command_line_free(QemuCommandLine *cl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCommandLine, qemu_command_line_free)

/* Build the command line of DEF (a parsed, complete definition) for QEMU
 * with capabilities CAPS, assigning DEF's aliases first. */
QemuCommandLine *qemu_command_build(DomainDef *def, QemuCaps *caps, const QemuCommandContext *ctx);

/* A command ready to spawn: CL's environment (only that), argv and fds. */
QvirtCommand *qemu_command_line_to_command(const QemuCommandLine *cl);

/* domxml-to-native's "qemu-argv" format: the environment and argv of DEF as
 * one shell-quoted line (new string). With CTX NULL the system daemon's
 * folders are named (/var/lib/qvirt/qemu/domain-NAME, its monitor.sock) and
 * KVM counts as usable when the capabilities say so. Assigns DEF's aliases. */
char *qemu_command_to_native(DomainDef *def, QemuCaps *caps, const QemuCommandContext *ctx);

/* Whether a domain of type 'kvm' can run: the capabilities say KVM works
 * with the binary and /dev/kvm opens read-write for this process. */
gboolean qemu_command_kvm_usable(const QemuCaps *caps);

/* STR with every ',' doubled, for a value inside a key=value option. */
char *qemu_command_escape_comma(const char *str);

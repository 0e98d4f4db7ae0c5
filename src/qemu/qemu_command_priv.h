/* qemu_command_priv.h: what the qemu_command*.c files share while they
 * build one command line: the build state, argument helpers and the JSON
 * -device skeleton. Not for use outside src/qemu/qemu_command*.c. */
#pragma once

#include <unistd.h>

#include "qemu/qemu_alias.h"
#include "qemu/qemu_command.h"
#include "util/json.h"

typedef struct {
    QemuCommandLine *cl;
    DomainDef *def;
    QemuCaps *caps;
    const QemuCommandContext *ctx;
} QemuCommandBuild;

/* Append one argument; or an option and its value. */
void qemu_command_add_arg(QemuCommandBuild *b, const char *arg);
void qemu_command_add_opt(QemuCommandBuild *b, const char *opt, const char *value);
void qemu_command_add_opt_printf(QemuCommandBuild *b, const char *opt, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Append OPT and OBJ as compact JSON; takes OBJ. */
void qemu_command_add_json(QemuCommandBuild *b, const char *opt, QvirtJson *obj);
/* Whether FD of the context is a descriptor to pass: stdio (0-2) never is,
 * so a zeroed context and -1 both mean "none". */
#define QEMU_COMMAND_FD_VALID(fd) ((fd) > STDERR_FILENO)

/* Pass FD on to QEMU (once, however often it is named). */
void qemu_command_add_fd(QemuCommandBuild *b, int fd);

/* JSON members. */
void qemu_command_json_str(QvirtJson *obj, const char *key, const char *value);
void qemu_command_json_int(QvirtJson *obj, const char *key, gint64 value);
void qemu_command_json_bool(QvirtJson *obj, const char *key, gboolean value);

/* A -device object {"driver":DRIVER,"id":ALIAS}, and its PCI place
 * ("bus", "addr", "multifunction") from INFO. */
QvirtJson *qemu_command_device_new(const char *driver, const char *alias);
void qemu_command_device_add_pci(QemuCommandBuild *b, QvirtJson *dev, const DomainDeviceInfo *info);
/* The USB bus ("usb.0") and port of a USB device from INFO; -1 with
 * CONFIG_UNSUPPORTED for a port that cannot exist. */
int qemu_command_device_add_usb(QemuCommandBuild *b, QvirtJson *dev, const DomainDeviceInfo *info);
/* "bootindex" when INFO carries a <boot order>. */
void qemu_command_device_add_bootindex(QvirtJson *dev, const DomainDeviceInfo *info);

/* The parts built in their own files; each returns 0 or -1 with one error. */
int qemu_command_build_disks(QemuCommandBuild *b);
int qemu_command_build_nets(QemuCommandBuild *b);
int qemu_command_build_monitors(QemuCommandBuild *b);
int qemu_command_build_chardevs(QemuCommandBuild *b);

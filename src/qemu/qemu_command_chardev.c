/* qemu_command_chardev.c: the -chardev backends: the monitors, the serial
 * ports and the virtio consoles.
 *
 * Contract: the QMP monitor is always there, on the listening socket
 * qvirt created and passes as a descriptor (or a path QEMU listens on),
 * as chardev "charmonitor" and monitor "monitor"; the HMP monitor
 * ("charhmp", "hmp", readline mode) only when the context asks for it.
 * A serial port or console is a -chardev (pty, file, or a unix socket that
 * QEMU listens on or connects to) named "char" + its alias, and its device:
 * isa-serial at its port's index, or virtconsole on the virtio-serial bus
 * at its port number. The serial console is the first serial port itself
 * and adds nothing. Paths have their commas doubled. */
#include <config.h>

#include "qemu/qemu_command_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

/* "socket,id=ID,fd=N,server=on,wait=off" or the same with path=PATH. */
static char *
chardev_listen_socket(QemuCommandBuild *b, const char *id, int fd, const char *path)
{
    g_autofree char *escaped = NULL;

    if (QEMU_COMMAND_FD_VALID(fd)) {
        qemu_command_add_fd(b, fd);
        return g_strdup_printf("socket,id=%s,fd=%d,server=on,wait=off", id, fd);
    }
    escaped = qemu_command_escape_comma(path);
    return g_strdup_printf("socket,id=%s,path=%s,server=on,wait=off", id, escaped);
}

int
qemu_command_build_monitors(QemuCommandBuild *b)
{
    const QemuCommandContext *ctx = b->ctx;
    g_autofree char *qmp = NULL;

    if (!QEMU_COMMAND_FD_VALID(ctx->monitor_fd) && !ctx->monitor_path) {
        qvirt_report_internal(_("no QMP monitor socket was prepared for domain '%s'"),
                              b->def->name);
        return -1;
    }
    qmp = chardev_listen_socket(b, "charmonitor", ctx->monitor_fd, ctx->monitor_path);
    qemu_command_add_opt(b, "-chardev", qmp);
    qemu_command_add_opt(b, "-mon", "chardev=charmonitor,id=monitor,mode=control");

    if (QEMU_COMMAND_FD_VALID(ctx->hmp_fd) || ctx->hmp_path) {
        g_autofree char *hmp = chardev_listen_socket(b, "charhmp", ctx->hmp_fd, ctx->hmp_path);

        qemu_command_add_opt(b, "-chardev", hmp);
        qemu_command_add_opt(b, "-mon", "chardev=charhmp,id=hmp,mode=readline");
    }
    return 0;
}

static void
chardev_build_backend(QemuCommandBuild *b, const DomainChrDef *chr, const char *id)
{
    const DomainChrSource *src = &chr->source;
    g_autofree char *path = src->path ? qemu_command_escape_comma(src->path) : NULL;
    g_autofree char *opt = NULL;

    switch ((DomainChrType)src->type) {
    case DOMAIN_CHR_TYPE_FILE:
        opt = g_strdup_printf("file,id=%s,path=%s", id, path);
        break;
    case DOMAIN_CHR_TYPE_UNIX:
        if (src->listen)
            opt = g_strdup_printf("socket,id=%s,path=%s,server=on,wait=off", id, path);
        else
            opt = g_strdup_printf("socket,id=%s,path=%s", id, path);
        break;
    case DOMAIN_CHR_TYPE_PTY:
    case DOMAIN_CHR_TYPE_LAST:
        opt = g_strdup_printf("pty,id=%s", id);
        break;
    }
    qemu_command_add_opt(b, "-chardev", opt);
}

static int
chardev_virtio_serial_bus(QemuCommandBuild *b, const DomainChrDef *chr, char **ret_bus)
{
    const DomainControllerDef *cont =
        domain_def_find_controller(b->def, DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, 0);

    if (!cont || !cont->info.alias) {
        qvirt_report_internal(_("console '%s' of domain '%s' has no virtio-serial controller"),
                              chr->info.alias, b->def->name);
        return -1;
    }
    *ret_bus = g_strdup_printf("%s.0", cont->info.alias);
    return 0;
}

int
qemu_command_build_chardevs(QemuCommandBuild *b)
{
    for (size_t i = 0; i < b->def->nserials; i++) {
        const DomainChrDef *serial = b->def->serials[i];
        g_autofree char *id = qemu_alias_prefixed("char", &serial->info);
        QvirtJson *dev;

        chardev_build_backend(b, serial, id);
        dev = qemu_command_device_new("isa-serial", serial->info.alias);
        qemu_command_json_str(dev, "chardev", id);
        qemu_command_json_int(dev, "index", serial->target_port);
        qemu_command_add_json(b, "-device", dev);
    }

    for (size_t i = 0; i < b->def->nconsoles; i++) {
        const DomainChrDef *console = b->def->consoles[i];
        g_autofree char *id = NULL;
        g_autofree char *bus = NULL;
        QvirtJson *dev;

        if (console->target_type != DOMAIN_CHR_CONSOLE_TARGET_VIRTIO)
            continue; /* the serial console: the first serial port */
        if (chardev_virtio_serial_bus(b, console, &bus) < 0)
            return -1;
        id = qemu_alias_prefixed("char", &console->info);
        chardev_build_backend(b, console, id);
        dev = qemu_command_device_new("virtconsole", console->info.alias);
        qemu_command_json_str(dev, "bus", bus);
        qemu_command_json_int(dev, "nr", console->target_port);
        qemu_command_json_str(dev, "chardev", id);
        qemu_command_add_json(b, "-device", dev);
    }
    return 0;
}

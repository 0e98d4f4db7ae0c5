/* domain_conf_chardev.c: character devices, <serial> and <console>, with
 * pty, file and unix sources: parse, pair and format.
 *
 * Contract (libvirt's rules): a <console> of target type 'serial' is the
 * first <serial> seen as a console, so it must be the first console and
 * carry the same source; a serial without any console gets that console
 * added, and a serial console without serials gets its serial added. When
 * formatted, the serial console repeats the first serial's source and
 * alias. Serial ports are isa-serial 0-3, assigned in order when missing;
 * other consoles are virtio consoles. A pty's path is live data. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

#define CHR_PORT_UNSET G_MAXUINT
#define CHR_SERIAL_PORT_MAX 3
#define CHR_CONSOLE_PORT_MAX 30

/* <source mode=...> of a unix socket. */
static const char *
chr_unix_mode_to_string(int value)
{
    return value == 0 ? "connect" : value == 1 ? "bind" : NULL;
}

static int
chr_parse_source(xmlNodePtr node, DomainChrDef *chr, unsigned int flags)
{
    DomainChrSource *src = &chr->source;
    g_autofree char *tty = NULL;
    xmlNodePtr source;
    int mode = 0;
    int rc;

    if ((rc = domain_xml_child(node, "source", &source)) < 0)
        return -1;
    if (rc > 0 && domain_xml_attr_string(source, "path", FALSE, &src->path) == -2)
        return -1;
    if (domain_xml_check_path(src->path, "<source>") < 0)
        return -1;
    if (src->type == DOMAIN_CHR_TYPE_UNIX && rc > 0) {
        if (domain_xml_attr_enum(source, "mode", chr_unix_mode_to_string, 0, 2, &mode) == -2)
            return -1;
        src->listen = mode == 1;
    }
    /* The console's tty= repeats the pty's live path. */
    if (chr->device == DOMAIN_CHR_DEVICE_CONSOLE && src->type == DOMAIN_CHR_TYPE_PTY &&
        domain_xml_attr_string(node, "tty", FALSE, &tty) == -2)
        return -1;
    if (domain_xml_check_path(tty, "attribute 'tty'") < 0)
        return -1;

    if (src->type == DOMAIN_CHR_TYPE_PTY) {
        if (!src->path && tty)
            src->path = g_steal_pointer(&tty);
        if (!(flags & DOMAIN_DEF_PARSE_STATUS))
            g_clear_pointer(&src->path, g_free);
    } else if (!src->path) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("<%s> of type '%s' needs <source path='...'/>"),
                           domain_chr_device_to_string(chr->device),
                           domain_chr_type_to_string(src->type));
        return -1;
    }
    return 0;
}

static int
chr_parse_target(xmlNodePtr node, DomainChrDef *chr)
{
    gboolean serial = chr->device == DOMAIN_CHR_DEVICE_SERIAL;
    xmlNodePtr target;
    xmlNodePtr model;
    int rc;

    chr->target_port = CHR_PORT_UNSET;
    if ((rc = domain_xml_child(node, "target", &target)) <= 0)
        return rc;
    if (serial) {
        if (domain_xml_attr_enum(target, "type", domain_chr_serial_target_to_string, 0,
                                 DOMAIN_CHR_SERIAL_TARGET_LAST, &chr->target_type) == -2)
            return -1;
        if ((rc = domain_xml_child(target, "model", &model)) < 0)
            return -1;
        if (rc > 0) {
            int name;

            rc = domain_xml_attr_enum(model, "name", domain_chr_serial_target_to_string, 0,
                                      DOMAIN_CHR_SERIAL_TARGET_LAST, &name);
            if (rc == -2)
                return -1;
            if (rc == -1) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'name' of <model>"));
                return -1;
            }
        }
    } else if (domain_xml_attr_enum(target, "type", domain_chr_console_target_to_string, 0,
                                    DOMAIN_CHR_CONSOLE_TARGET_LAST, &chr->target_type) == -2) {
        return -1;
    }
    /* A serial console is an isa-serial port too. */
    if (!serial && chr->target_type == DOMAIN_CHR_CONSOLE_TARGET_SERIAL)
        serial = TRUE;
    if ((rc = domain_xml_attr_uint(target, "port", 10, &chr->target_port)) == -2)
        return -1;
    if (rc == 0 && chr->target_port > (serial ? CHR_SERIAL_PORT_MAX : CHR_CONSOLE_PORT_MAX)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("%s port %u is not supported (expected 0 to %d)"),
                           domain_chr_device_to_string(chr->device), chr->target_port,
                           serial ? CHR_SERIAL_PORT_MAX : CHR_CONSOLE_PORT_MAX);
        return -1;
    }
    return 0;
}

DomainChrDef *
domain_chr_parse(xmlNodePtr node, int device, unsigned int flags)
{
    g_autoptr(DomainChrDef) chr = g_new0(DomainChrDef, 1);

    chr->device = device;
    if (domain_xml_attr_enum(node, "type", domain_chr_type_to_string, 0, DOMAIN_CHR_TYPE_LAST,
                             &chr->source.type) == -2)
        return NULL;
    if (chr_parse_source(node, chr, flags) < 0 || chr_parse_target(node, chr) < 0)
        return NULL;
    if (domain_device_info_parse(node, &chr->info, DOMAIN_INFO_ALIAS, flags) < 0)
        return NULL;
    return g_steal_pointer(&chr);
}

/* ---- Pairing and ports ---- */

static gboolean
chr_source_equal(const DomainChrSource *a, const DomainChrSource *b)
{
    if (a->type != b->type)
        return FALSE;
    if (a->type == DOMAIN_CHR_TYPE_PTY)
        return TRUE; /* the path is live and follows the serial's */
    return g_strcmp0(a->path, b->path) == 0 && a->listen == b->listen;
}

static void
chr_source_copy(DomainChrSource *dst, const DomainChrSource *src)
{
    g_free(dst->path);
    dst->type = src->type;
    dst->path = g_strdup(src->path);
    dst->listen = src->listen;
}

static DomainChrDef *
chr_new_like(const DomainChrDef *like, int device, int target_type)
{
    DomainChrDef *chr = g_new0(DomainChrDef, 1);

    chr->device = device;
    chr->target_type = target_type;
    chr->target_port = like->target_port;
    chr_source_copy(&chr->source, &like->source);
    return chr;
}

static int
chr_assign_ports(DomainChrDef **chrs, size_t n, int target_type, unsigned int max)
{
    for (size_t i = 0; i < n; i++) {
        if (chrs[i]->target_type != target_type || chrs[i]->target_port == CHR_PORT_UNSET)
            continue;
        for (size_t j = i + 1; j < n; j++) {
            if (chrs[j]->target_type == target_type &&
                chrs[j]->target_port == chrs[i]->target_port) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR, _("duplicate %s port %u"),
                                   domain_chr_device_to_string(chrs[i]->device),
                                   chrs[i]->target_port);
                return -1;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        unsigned int port = 0;

        if (chrs[i]->target_type != target_type || chrs[i]->target_port != CHR_PORT_UNSET)
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j != i && chrs[j]->target_type == target_type && chrs[j]->target_port == port) {
                port++;
                j = (size_t)-1; /* start over with the next candidate */
            }
        }
        if (port > max) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("too many %s devices: ports 0 to %u are all used"),
                               domain_chr_device_to_string(chrs[i]->device), max);
            return -1;
        }
        chrs[i]->target_port = port;
    }
    return 0;
}

int
domain_chr_post_parse(DomainDef *def)
{
    for (size_t i = 1; i < def->nconsoles; i++) {
        if (def->consoles[i]->target_type == DOMAIN_CHR_CONSOLE_TARGET_SERIAL) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("only the first <console> can have target type 'serial'"));
            return -1;
        }
    }
    if (def->nconsoles > 0 && def->consoles[0]->target_type == DOMAIN_CHR_CONSOLE_TARGET_SERIAL) {
        DomainChrDef *console = def->consoles[0];

        if (def->nserials == 0) {
            def->serials = g_new0(DomainChrDef *, 1);
            def->serials[def->nserials++] = chr_new_like(console, DOMAIN_CHR_DEVICE_SERIAL,
                                                         DOMAIN_CHR_SERIAL_TARGET_ISA_SERIAL);
        } else if (!chr_source_equal(&console->source, &def->serials[0]->source)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("a <console> of target type 'serial' must have the same "
                                 "source as the first <serial>"));
            return -1;
        }
    }
    if (chr_assign_ports(def->serials, def->nserials, DOMAIN_CHR_SERIAL_TARGET_ISA_SERIAL,
                         CHR_SERIAL_PORT_MAX) < 0)
        return -1;

    if (def->nserials > 0 && (def->nconsoles == 0 ||
                              def->consoles[0]->target_type != DOMAIN_CHR_CONSOLE_TARGET_SERIAL)) {
        DomainChrDef *console = chr_new_like(def->serials[0], DOMAIN_CHR_DEVICE_CONSOLE,
                                             DOMAIN_CHR_CONSOLE_TARGET_SERIAL);

        def->consoles = g_renew(DomainChrDef *, def->consoles, def->nconsoles + 1);
        memmove(def->consoles + 1, def->consoles, def->nconsoles * sizeof(def->consoles[0]));
        def->consoles[0] = console;
        def->nconsoles++;
    }
    if (def->nconsoles > 0 && def->consoles[0]->target_type == DOMAIN_CHR_CONSOLE_TARGET_SERIAL) {
        DomainChrDef *console = def->consoles[0];
        DomainChrDef *serial = def->serials[0];

        if (console->target_port != CHR_PORT_UNSET && console->target_port != serial->target_port) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("the serial <console> has port %u but the first <serial> "
                                 "has port %u"),
                               console->target_port, serial->target_port);
            return -1;
        }
        console->target_port = serial->target_port;
        chr_source_copy(&console->source, &serial->source);
    }
    return chr_assign_ports(def->consoles, def->nconsoles, DOMAIN_CHR_CONSOLE_TARGET_VIRTIO,
                            CHR_CONSOLE_PORT_MAX);
}

/* ---- Formatting ---- */

void
domain_chr_format(QvirtBuffer *buf, const DomainDef *def, const DomainChrDef *chr,
                  unsigned int flags)
{
    const char *element = domain_chr_device_to_string(chr->device);
    const DomainChrSource *src = &chr->source;
    const DomainDeviceInfo *info = &chr->info;
    gboolean live = !(flags & DOMAIN_DEF_FORMAT_INACTIVE);

    if (chr->device == DOMAIN_CHR_DEVICE_CONSOLE &&
        chr->target_type == DOMAIN_CHR_CONSOLE_TARGET_SERIAL && def->nserials > 0) {
        /* The same device as the first serial: show what the serial has. */
        src = &def->serials[0]->source;
        info = &def->serials[0]->info;
    }

    qvirt_buffer_printf(buf, "<%s type='%s'", element, domain_chr_type_to_string(src->type));
    if (chr->device == DOMAIN_CHR_DEVICE_CONSOLE && src->type == DOMAIN_CHR_TYPE_PTY && live)
        qvirt_buffer_escape_string(buf, " tty='%s'", src->path);
    qvirt_buffer_add(buf, ">\n");
    qvirt_buffer_add_indent(buf, 2);

    if (src->type == DOMAIN_CHR_TYPE_UNIX) {
        qvirt_buffer_printf(buf, "<source mode='%s'", src->listen ? "bind" : "connect");
        qvirt_buffer_escape_string(buf, " path='%s'", src->path);
        qvirt_buffer_add(buf, "/>\n");
    } else if (src->type == DOMAIN_CHR_TYPE_FILE || live) {
        qvirt_buffer_escape_string(buf, "<source path='%s'/>\n", src->path);
    }

    if (chr->device == DOMAIN_CHR_DEVICE_SERIAL) {
        const char *model = domain_chr_serial_target_to_string(chr->target_type);

        qvirt_buffer_printf(buf, "<target type='%s' port='%u'>\n", model, chr->target_port);
        qvirt_buffer_add_indent(buf, 2);
        qvirt_buffer_printf(buf, "<model name='%s'/>\n", model);
        qvirt_buffer_add_indent(buf, -2);
        qvirt_buffer_add(buf, "</target>\n");
    } else {
        qvirt_buffer_printf(buf, "<target type='%s' port='%u'/>\n",
                            domain_chr_console_target_to_string(chr->target_type),
                            chr->target_port);
    }
    domain_device_info_format(buf, info, flags);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_printf(buf, "</%s>\n", element);
}

/* domain_conf_devices.c: the smaller devices: <input>, <graphics> (VNC),
 * <video>, <memballoon> and <rng>: parse, defaults and format.
 *
 * Contract: defaults follow libvirt: a tablet is on usb and a mouse or
 * keyboard on ps2; the PS/2 mouse and keyboard every x86 machine has are
 * listed; a display gets a VGA video device; the first video is the
 * primary one; a memory balloon (virtio) is present unless model 'none';
 * an RNG's random backend reads /dev/urandom unless told otherwise. Without
 * <graphics> there is no display. With autoport the VNC port is live. */
#include <config.h>

#include <arpa/inet.h>
#include <string.h>

#include "conf/domain_conf_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

#define VNC_PORT_MIN 5900
#define VNC_PORT_MAX 65535
#define VIDEO_VRAM_DEFAULT 16384
#define VIDEO_VRAM_MIN 1024
#define VIDEO_VRAM_MAX (1024 * 1024)
#define VIDEO_HEADS_MAX 16

/* ---- Input ---- */

DomainInputDef *
domain_input_parse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainInputDef) input = g_new0(DomainInputDef, 1);
    unsigned int allowed = DOMAIN_INFO_ALIAS;
    int rc;

    rc = domain_xml_attr_enum(node, "type", domain_input_type_to_string, 0, DOMAIN_INPUT_TYPE_LAST,
                              &input->type);
    if (rc == -2)
        return NULL;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <input>"));
        return NULL;
    }
    rc = domain_xml_attr_enum(node, "bus", domain_input_bus_to_string, 0, DOMAIN_INPUT_BUS_LAST,
                              &input->bus);
    if (rc == -2)
        return NULL;
    if (rc == -1)
        input->bus =
            input->type == DOMAIN_INPUT_TYPE_TABLET ? DOMAIN_INPUT_BUS_USB : DOMAIN_INPUT_BUS_PS2;
    if (input->type == DOMAIN_INPUT_TYPE_TABLET && input->bus == DOMAIN_INPUT_BUS_PS2) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("ps2 bus does not support tablet input device"));
        return NULL;
    }
    if (input->bus == DOMAIN_INPUT_BUS_VIRTIO)
        allowed |= DOMAIN_INFO_PCI;
    else if (input->bus == DOMAIN_INPUT_BUS_USB)
        allowed |= DOMAIN_INFO_USB;
    if (domain_device_info_parse(node, &input->info, allowed, flags) < 0)
        return NULL;
    return g_steal_pointer(&input);
}

void
domain_input_format(QvirtBuffer *buf, const DomainInputDef *input, unsigned int flags)
{
    g_auto(QvirtBuffer) attrs = QVIRT_BUFFER_INIT;
    g_auto(QvirtBuffer) children = QVIRT_BUFFER_INIT;

    qvirt_buffer_init_child(&children, buf);
    qvirt_buffer_printf(&attrs, " type='%s' bus='%s'", domain_input_type_to_string(input->type),
                        domain_input_bus_to_string(input->bus));
    domain_device_info_format(&children, &input->info, flags);
    qvirt_xml_format_element(buf, "input", &attrs, &children);
}

/* ---- Graphics ---- */

static gboolean
graphics_listen_valid(const char *listen)
{
    unsigned char addr[16];

    if (inet_pton(AF_INET, listen, addr) == 1 || inet_pton(AF_INET6, listen, addr) == 1)
        return TRUE;
    /* Otherwise a host name, as libvirt's schema has it. */
    return *listen && strspn(listen, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789.-") == strlen(listen);
}

/* <listen type=...>: 'address' is the only one qvirt supports. */
static const char *
graphics_listen_type_to_string(int value)
{
    return value == 0 ? "address" : NULL;
}

/* <listen type='address' address='...'/> and the older listen= attribute. */
static int
graphics_parse_listen(xmlNodePtr node, DomainGraphicsDef *graphics)
{
    g_autofree char *address = NULL;
    xmlNodePtr listen;
    int type;
    int rc;

    if (domain_xml_attr_string(node, "listen", FALSE, &graphics->listen) == -2)
        return -1;
    if ((rc = domain_xml_child(node, "listen", &listen)) < 0)
        return -1;
    if (rc > 0) {
        rc = domain_xml_attr_enum(listen, "type", graphics_listen_type_to_string, 0, 1, &type);
        if (rc == -2)
            return -1;
        if (rc == -1) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <listen>"));
            return -1;
        }
        if (domain_xml_attr_string(listen, "address", FALSE, &address) == -2)
            return -1;
    }
    if (graphics->listen && address && strcmp(graphics->listen, address) != 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("graphics 'listen' attribute '%s' must match 'address' attribute "
                             "of first listen element (found '%s')"),
                           graphics->listen, address);
        return -1;
    }
    if (!graphics->listen)
        graphics->listen = g_steal_pointer(&address);
    if (graphics->listen && !graphics_listen_valid(graphics->listen)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid listen address '%s': expected an IP address or a host "
                             "name"),
                           graphics->listen);
        return -1;
    }
    return 0;
}

DomainGraphicsDef *
domain_graphics_parse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainGraphicsDef) graphics = g_new0(DomainGraphicsDef, 1);
    int autoport = DOMAIN_TRISTATE_ABSENT;
    int port = -1;
    int rc;

    rc = domain_xml_attr_enum(node, "type", domain_graphics_type_to_string, 0,
                              DOMAIN_GRAPHICS_TYPE_LAST, &graphics->type);
    if (rc == -2)
        return NULL;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <graphics>"));
        return NULL;
    }
    if (domain_xml_attr_int(node, "port", &port) == -2 ||
        domain_xml_attr_tristate(node, "autoport", FALSE, &autoport) == -2)
        return NULL;
    if (port != -1 && (port < VNC_PORT_MIN || port > VNC_PORT_MAX)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("VNC port %d is out of range %d-%d (or -1 for autoport)"), port,
                           VNC_PORT_MIN, VNC_PORT_MAX);
        return NULL;
    }
    if (autoport == DOMAIN_TRISTATE_ABSENT)
        graphics->autoport = port == -1;
    else
        graphics->autoport = autoport == DOMAIN_TRISTATE_YES;
    if (!graphics->autoport && port == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("VNC graphics with autoport='no' need a port"));
        return NULL;
    }
    /* With autoport, a port is the one a running domain got: live data. */
    graphics->port = graphics->autoport && !(flags & DOMAIN_DEF_PARSE_STATUS) ? -1 : port;

    if (graphics_parse_listen(node, graphics) < 0)
        return NULL;
    return g_steal_pointer(&graphics);
}

void
domain_graphics_format(QvirtBuffer *buf, const DomainGraphicsDef *graphics, unsigned int flags)
{
    int port = graphics->port;

    if (graphics->autoport && (flags & DOMAIN_DEF_FORMAT_INACTIVE))
        port = -1;
    qvirt_buffer_printf(buf, "<graphics type='%s' port='%d' autoport='%s'",
                        domain_graphics_type_to_string(graphics->type), port,
                        graphics->autoport ? "yes" : "no");
    if (!graphics->listen) {
        qvirt_buffer_add(buf, "/>\n");
        return;
    }
    qvirt_buffer_escape_string(buf, " listen='%s'>\n", graphics->listen);
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_escape_string(buf, "<listen type='address' address='%s'/>\n", graphics->listen);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</graphics>\n");
}

/* ---- Video ---- */

static int
video_parse_model(xmlNodePtr node, DomainVideoDef *video, int *ret_primary)
{
    xmlNodePtr model;
    int rc;

    video->model = DOMAIN_VIDEO_MODEL_VGA;
    video->heads = 1;
    if ((rc = domain_xml_child(node, "model", &model)) <= 0)
        return rc;
    if (domain_xml_attr_enum(model, "type", domain_video_model_to_string, 0,
                             DOMAIN_VIDEO_MODEL_LAST, &video->model) == -2 ||
        domain_xml_attr_uint(model, "vram", 10, &video->vram) == -2 ||
        domain_xml_attr_uint(model, "heads", 10, &video->heads) == -2 ||
        domain_xml_attr_tristate(model, "primary", FALSE, ret_primary) == -2)
        return -1;
    if (video->vram && video->model != DOMAIN_VIDEO_MODEL_VGA &&
        video->model != DOMAIN_VIDEO_MODEL_CIRRUS) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("attribute 'vram' of <model> is only valid for video models vga "
                             "and cirrus"));
        return -1;
    }
    if (video->vram && (video->vram < VIDEO_VRAM_MIN || video->vram > VIDEO_VRAM_MAX)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%u' for attribute 'vram' of <model>: expected "
                             "%d to %d"),
                           video->vram, VIDEO_VRAM_MIN, VIDEO_VRAM_MAX);
        return -1;
    }
    if (video->heads == 0 || video->heads > VIDEO_HEADS_MAX) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%u' for attribute 'heads' of <model>: expected "
                             "1 to %d"),
                           video->heads, VIDEO_HEADS_MAX);
        return -1;
    }
    return 0;
}

DomainVideoDef *
domain_video_parse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainVideoDef) video = g_new0(DomainVideoDef, 1);
    int primary = DOMAIN_TRISTATE_ABSENT;

    if (video_parse_model(node, video, &primary) < 0)
        return NULL;
    if (video->model == DOMAIN_VIDEO_MODEL_NONE) {
        video->heads = 0;
        if (primary != DOMAIN_TRISTATE_ABSENT) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("attribute 'primary' of <model> is not valid for video "
                                 "model none"));
            return NULL;
        }
    } else if (!video->vram && (video->model == DOMAIN_VIDEO_MODEL_VGA ||
                                video->model == DOMAIN_VIDEO_MODEL_CIRRUS)) {
        video->vram = VIDEO_VRAM_DEFAULT;
    }
    video->primary = primary == DOMAIN_TRISTATE_YES;
    if (domain_device_info_parse(node, &video->info, DOMAIN_INFO_ALIAS | DOMAIN_INFO_PCI, flags) <
        0)
        return NULL;
    return g_steal_pointer(&video);
}

void
domain_video_format(QvirtBuffer *buf, const DomainVideoDef *video, unsigned int flags)
{
    qvirt_buffer_add(buf, "<video>\n");
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_printf(buf, "<model type='%s'", domain_video_model_to_string(video->model));
    if (video->vram)
        qvirt_buffer_printf(buf, " vram='%u'", video->vram);
    if (video->heads)
        qvirt_buffer_printf(buf, " heads='%u'", video->heads);
    if (video->primary)
        qvirt_buffer_add(buf, " primary='yes'");
    qvirt_buffer_add(buf, "/>\n");
    domain_device_info_format(buf, &video->info, flags);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</video>\n");
}

/* ---- Memory balloon ---- */

DomainMemballoonDef *
domain_memballoon_parse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainMemballoonDef) balloon = g_new0(DomainMemballoonDef, 1);
    int rc;

    rc = domain_xml_attr_enum(node, "model", domain_memballoon_model_to_string, 0,
                              DOMAIN_MEMBALLOON_MODEL_LAST, &balloon->model);
    if (rc == -2)
        return NULL;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'model' of <memballoon>"));
        return NULL;
    }
    if (domain_device_info_parse(node, &balloon->info, DOMAIN_INFO_ALIAS | DOMAIN_INFO_PCI, flags) <
        0)
        return NULL;
    return g_steal_pointer(&balloon);
}

void
domain_memballoon_format(QvirtBuffer *buf, const DomainMemballoonDef *balloon, unsigned int flags)
{
    g_auto(QvirtBuffer) attrs = QVIRT_BUFFER_INIT;
    g_auto(QvirtBuffer) children = QVIRT_BUFFER_INIT;

    qvirt_buffer_init_child(&children, buf);
    qvirt_buffer_printf(&attrs, " model='%s'", domain_memballoon_model_to_string(balloon->model));
    domain_device_info_format(&children, &balloon->info, flags);
    qvirt_xml_format_element(buf, "memballoon", &attrs, &children);
}

/* ---- RNG ---- */

DomainRngDef *
domain_rng_parse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainRngDef) rng = g_new0(DomainRngDef, 1);
    g_autofree char *path = NULL;
    xmlNodePtr backend;
    int rc;

    rc = domain_xml_attr_enum(node, "model", domain_rng_model_to_string, 0, DOMAIN_RNG_MODEL_LAST,
                              &rng->model);
    if (rc == -2)
        return NULL;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'model' of <rng>"));
        return NULL;
    }
    if ((rc = domain_xml_child(node, "backend", &backend)) < 0)
        return NULL;
    if (rc == 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing <backend> in <rng>"));
        return NULL;
    }
    rc = domain_xml_attr_enum(backend, "model", domain_rng_backend_to_string, 0,
                              DOMAIN_RNG_BACKEND_LAST, &rng->backend);
    if (rc == -2)
        return NULL;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'model' of <backend>"));
        return NULL;
    }
    if (!(path = domain_xml_text(backend)))
        return NULL;
    g_strstrip(path);
    if (rng->backend == DOMAIN_RNG_BACKEND_RANDOM) {
        rng->path = *path ? g_steal_pointer(&path) : g_strdup(DOMAIN_RNG_DEFAULT_PATH);
        if (domain_xml_check_path(rng->path, "<backend>") < 0)
            return NULL;
    } else if (*path) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("the builtin <backend> of <rng> takes no path"));
        return NULL;
    }
    if (domain_device_info_parse(node, &rng->info, DOMAIN_INFO_ALIAS | DOMAIN_INFO_PCI, flags) < 0)
        return NULL;
    return g_steal_pointer(&rng);
}

void
domain_rng_format(QvirtBuffer *buf, const DomainRngDef *rng, unsigned int flags)
{
    qvirt_buffer_printf(buf, "<rng model='%s'>\n", domain_rng_model_to_string(rng->model));
    qvirt_buffer_add_indent(buf, 2);
    if (rng->backend == DOMAIN_RNG_BACKEND_RANDOM)
        qvirt_buffer_escape_string(buf, "<backend model='random'>%s</backend>\n", rng->path);
    else
        qvirt_buffer_printf(buf, "<backend model='%s'/>\n",
                            domain_rng_backend_to_string(rng->backend));
    domain_device_info_format(buf, &rng->info, flags);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</rng>\n");
}

/* ---- Defaults and checks ---- */

static void
devices_add_input(DomainDef *def, int type, int bus)
{
    DomainInputDef *input;

    for (size_t i = 0; i < def->ninputs; i++) {
        if (def->inputs[i]->type == type && def->inputs[i]->bus == bus)
            return;
    }
    input = g_new0(DomainInputDef, 1);
    input->type = type;
    input->bus = bus;
    def->inputs = g_renew(DomainInputDef *, def->inputs, def->ninputs + 1);
    def->inputs[def->ninputs++] = input;
}

static int
devices_post_parse_video(DomainDef *def)
{
    size_t primary = 0;
    size_t nprimary = 0;

    if (def->ngraphics > 0 && def->nvideos == 0) {
        DomainVideoDef *video = g_new0(DomainVideoDef, 1);

        video->model = DOMAIN_VIDEO_MODEL_VGA;
        video->vram = VIDEO_VRAM_DEFAULT;
        video->heads = 1;
        def->videos = g_new0(DomainVideoDef *, 1);
        def->videos[def->nvideos++] = video;
    }
    for (size_t i = 0; i < def->nvideos; i++) {
        if (def->videos[i]->primary) {
            primary = i;
            nprimary++;
        }
        if (def->videos[i]->model == DOMAIN_VIDEO_MODEL_NONE && def->nvideos > 1) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("video model 'none' cannot be combined with other video "
                                 "devices"));
            return -1;
        }
    }
    if (nprimary > 1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("only one primary video device is supported"));
        return -1;
    }
    if (def->nvideos == 0)
        return 0;
    if (primary > 0) {
        /* libvirt keeps the primary video first. */
        DomainVideoDef *video = def->videos[primary];

        memmove(def->videos + 1, def->videos, primary * sizeof(def->videos[0]));
        def->videos[0] = video;
    }
    if (def->videos[0]->model != DOMAIN_VIDEO_MODEL_NONE)
        def->videos[0]->primary = TRUE;
    for (size_t i = 1; i < def->nvideos; i++) {
        if (def->videos[i]->model != DOMAIN_VIDEO_MODEL_VIRTIO) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("video model '%s' can only be the primary video device"),
                               domain_video_model_to_string(def->videos[i]->model));
            return -1;
        }
    }
    return 0;
}

int
domain_devices_post_parse(DomainDef *def)
{
    if (def->ngraphics > 1) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("only one <graphics> device is supported"));
        return -1;
    }
    devices_add_input(def, DOMAIN_INPUT_TYPE_MOUSE, DOMAIN_INPUT_BUS_PS2);
    devices_add_input(def, DOMAIN_INPUT_TYPE_KEYBOARD, DOMAIN_INPUT_BUS_PS2);
    if (devices_post_parse_video(def) < 0)
        return -1;
    if (!def->memballoon)
        def->memballoon = g_new0(DomainMemballoonDef, 1); /* virtio */
    return 0;
}

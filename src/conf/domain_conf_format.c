/* domain_conf_format.c: writing a DomainDef as libvirt's domain XML.
 *
 * Contract: the output is canonical: libvirt's element order, 2-space
 * indentation, single-quoted attributes, every default explicit, devices
 * in libvirt's order (emulator, disks, controllers, interfaces, serials,
 * consoles, inputs, graphics, videos, memballoon, RNGs). Live data (id,
 * aliases, pty paths, the VNC port of autoport) is written unless
 * DOMAIN_DEF_FORMAT_INACTIVE is given. Formatting cannot fail. */
#include <config.h>

#include "conf/domain_conf_priv.h"

void
domain_format_attr(QvirtBuffer *buf, const char *name, const char *value)
{
    g_autofree char *fmt = NULL;

    if (!value)
        return;
    fmt = g_strdup_printf(" %s='%%s'", name);
    qvirt_buffer_escape_string(buf, fmt, value);
}

static void
format_devices(QvirtBuffer *buf, const DomainDef *def, unsigned int flags)
{
    qvirt_buffer_add(buf, "<devices>\n");
    qvirt_buffer_add_indent(buf, 2);
    qvirt_buffer_escape_string(buf, "<emulator>%s</emulator>\n", def->emulator);
    for (size_t i = 0; i < def->ndisks; i++)
        domain_disk_format(buf, def->disks[i], flags);
    for (size_t i = 0; i < def->ncontrollers; i++)
        domain_controller_format(buf, def->controllers[i], flags);
    for (size_t i = 0; i < def->nnets; i++)
        domain_net_format(buf, def->nets[i], flags);
    for (size_t i = 0; i < def->nserials; i++)
        domain_chr_format(buf, def, def->serials[i], flags);
    for (size_t i = 0; i < def->nconsoles; i++)
        domain_chr_format(buf, def, def->consoles[i], flags);
    for (size_t i = 0; i < def->ninputs; i++)
        domain_input_format(buf, def->inputs[i], flags);
    for (size_t i = 0; i < def->ngraphics; i++)
        domain_graphics_format(buf, def->graphics[i], flags);
    for (size_t i = 0; i < def->nvideos; i++)
        domain_video_format(buf, def->videos[i], flags);
    if (def->memballoon)
        domain_memballoon_format(buf, def->memballoon, flags);
    for (size_t i = 0; i < def->nrngs; i++)
        domain_rng_format(buf, def->rngs[i], flags);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</devices>\n");
}

void
domain_def_format_buf(QvirtBuffer *buf, const DomainDef *def, unsigned int flags)
{
    qvirt_buffer_printf(buf, "<domain type='%s'", domain_virt_to_string(def->virt_type));
    if (def->id != -1 && !(flags & DOMAIN_DEF_FORMAT_INACTIVE))
        qvirt_buffer_printf(buf, " id='%d'", def->id);
    qvirt_buffer_add(buf, ">\n");
    qvirt_buffer_add_indent(buf, 2);
    domain_general_format(buf, def, flags);
    format_devices(buf, def, flags);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</domain>\n");
}

char *
domain_def_format(const DomainDef *def, unsigned int flags)
{
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;

    domain_def_format_buf(&buf, def, flags);
    return qvirt_buffer_steal(&buf);
}

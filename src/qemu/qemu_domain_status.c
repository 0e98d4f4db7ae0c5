/* qemu_domain_status.c: the QEMU driver's elements of the status XML and
 * the hand-over of loaded domains (the contract is in qemu_domain_status.h). */
#include <config.h>

#include "qemu/qemu_domain_status.h"
#include "qemu/qemu_blockjob.h"
#include "qemu/qemu_process.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.domain_status");

/* The driver's elements, each holding one path in its 'path' attribute. */
typedef struct {
    const char *element;
    size_t offset; /* of the char * in QemuDomainPrivate */
} QemuStatusPath;

static const QemuStatusPath qemu_status_paths[] = {
    {"hmpMonitor", G_STRUCT_OFFSET(QemuDomainPrivate, hmp_path)},
    {"logFile", G_STRUCT_OFFSET(QemuDomainPrivate, log_path)},
    {"libDir", G_STRUCT_OFFSET(QemuDomainPrivate, lib_dir)},
};

static char **
status_path_field(QemuDomainPrivate *priv, const QemuStatusPath *p)
{
    return (char **)((char *)priv + p->offset);
}

static void
status_init(DomainObj *vm, const char *file, gpointer opaque)
{
    QemuDriver *driver = opaque;

    qemu_domain_private_init(driver, vm);
    /* Before <job> is parsed, so the driver's children of it are read. */
    domain_job_obj_set_callbacks(vm->job, &driver->job_callbacks, driver);
}

static void
status_format(DomainObj *vm, QvirtBuffer *buf, gpointer opaque)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    if (!priv)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_status_paths); i++) {
        const QemuStatusPath *p = &qemu_status_paths[i];
        const char *path = *status_path_field(priv, p);

        if (!path)
            continue;
        qvirt_buffer_printf(buf, "<%s", p->element);
        qvirt_buffer_escape_string(buf, " path='%s'", path);
        qvirt_buffer_add(buf, "/>\n");
    }
}

static int
status_parse_element(DomainObj *vm, xmlNodePtr node, const char *file, gpointer opaque)
{
    static const char *const allowed[] = {"path", NULL};
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    for (size_t i = 0; i < G_N_ELEMENTS(qemu_status_paths); i++) {
        const QemuStatusPath *p = &qemu_status_paths[i];
        char **field;
        g_autofree char *path = NULL;

        if (!xmlStrEqual(node->name, (const xmlChar *)p->element))
            continue;
        if (!priv) {
            qvirt_report_internal(_("status file '%s' parsed without the QEMU driver's data"),
                                  file);
            return -1;
        }
        field = status_path_field(priv, p);
        if (*field) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("duplicate element <%s> in status file '%s'"),
                               p->element, file);
            return -1;
        }
        if (domain_status_xml_check_node(node, allowed, file) < 0 ||
            domain_status_xml_prop_string(node, "path", TRUE, file, &path) < 0)
            return -1;
        if (!g_path_is_absolute(path)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("path '%s' of <%s> in status file '%s' is not absolute"), path,
                               p->element, file);
            return -1;
        }
        *field = g_steal_pointer(&path);
        return 1;
    }
    return 0;
}

void
qemu_domain_status_hooks_init(DomainStatusHooks *hooks, QemuDriver *driver)
{
    hooks->init = status_init;
    hooks->format = status_format;
    hooks->parse_element = status_parse_element;
    hooks->opaque = driver;
}

int
qemu_domain_status_loaded(DomainObj *vm, DomainStatusExtra *extra, gpointer opaque)
{
    g_autoptr(DomainStatusExtra) owned = extra;
    QemuDomainStatusLoad *load = opaque;
    QemuDomainPrivate *priv;

    qemu_driver_prepare_domain(load->driver, vm);
    priv = qemu_domain_private(vm);
    if (!extra || !extra->monitor_path) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("the status of running domain '%s' names no monitor"),
                           domain_obj_get_name(vm));
        return -1;
    }
    if (extra->monitor_type && !g_str_equal(extra->monitor_type, "unix")) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("monitor of domain '%s' is of type '%s': only 'unix' is supported"),
                           domain_obj_get_name(vm), extra->monitor_type);
        return -1;
    }
    /* Reconciled with QEMU after the reconnect (qemu_recovery_block_jobs). */
    qemu_blockjob_restore(vm, g_steal_pointer(&extra->block_jobs));
    g_free(priv->monitor_path);
    priv->monitor_path = g_steal_pointer(&extra->monitor_path);
    g_ptr_array_add(load->loaded, domain_obj_ref(vm));
    return 0;
}

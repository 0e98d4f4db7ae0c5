/* qemu_domain_job.c: the QEMU driver's private part of a domain's job and
 * its <job> children in the status XML (the contract is in
 * qemu_domain_job.h):
 *
 *   <job type='none' async='migration out' phase='perform3' ...>
 *     <disk dev='vda' migrating='yes'/>
 *     <migParams>...</migParams>
 *     <peer uri='qemu+tcp://dst/system'/>
 *     <pausedByJob/>
 *     <partialFile path='/var/lib/qvirt/qemu/save/.vm.save.XXXXXX'
 *                  final='/var/lib/qvirt/qemu/save/vm.save' inode='1234'/>
 *   </job>
 *
 * Written in that order, each only when set; read strictly: an unknown
 * element or attribute, a duplicate, or a missing attribute is an
 * XML_ERROR naming the document. */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu_domain_job.h"
#include "util/error.h"
#include "util/log.h"
#include "util/xml.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.domain_job");

static QemuDomainJobPrivate *
job_private_new(void)
{
    QemuDomainJobPrivate *priv = g_new0(QemuDomainJobPrivate, 1);

    priv->migrating_disks = g_ptr_array_new_with_free_func(g_free);
    return priv;
}

static void
job_private_free(gpointer data, gpointer opaque)
{
    QemuDomainJobPrivate *priv = data;

    if (!priv)
        return;
    qemu_migration_params_free(priv->mig_params);
    g_ptr_array_unref(priv->migrating_disks);
    g_free(priv->peer_uri);
    g_free(priv->partial_file);
    g_free(priv->partial_final);
    g_free(priv);
}

static QemuDomainJobPrivate *
job_private_get(DomainJobObj *job)
{
    QemuDomainJobPrivate *priv = domain_job_get_private(job);

    if (!priv) {
        priv = job_private_new();
        domain_job_set_private(job, priv);
    }
    return priv;
}

QemuDomainJobPrivate *
qemu_domain_job_private(DomainObj *vm)
{
    return job_private_get(vm->job);
}

/* ---- status XML -------------------------------------------------------- */

static void
job_append_attr(GString *buf, const char *name, const char *value)
{
    g_autofree char *escaped = g_markup_escape_text(value, -1);

    g_string_append_printf(buf, " %s='%s'", name, escaped);
}

static void
job_format_private(const DomainJobObj *job, GString *buf, int indent, gpointer opaque)
{
    QemuDomainJobPrivate *priv = domain_job_get_private(job);

    if (!priv)
        return;
    for (guint i = 0; i < priv->migrating_disks->len; i++) {
        g_string_append_printf(buf, "%*s<disk", indent, "");
        job_append_attr(buf, "dev", g_ptr_array_index(priv->migrating_disks, i));
        g_string_append(buf, " migrating='yes'/>\n");
    }
    qemu_migration_params_format(priv->mig_params, buf, indent);
    if (priv->peer_uri) {
        g_string_append_printf(buf, "%*s<peer", indent, "");
        job_append_attr(buf, "uri", priv->peer_uri);
        g_string_append(buf, "/>\n");
    }
    if (priv->paused_by_job)
        g_string_append_printf(buf, "%*s<pausedByJob/>\n", indent, "");
    if (priv->partial_file) {
        g_string_append_printf(buf, "%*s<partialFile", indent, "");
        job_append_attr(buf, "path", priv->partial_file);
        if (priv->partial_final) {
            job_append_attr(buf, "final", priv->partial_final);
            g_string_append_printf(buf, " inode='%" G_GUINT64_FORMAT "'", priv->partial_inode);
        }
        g_string_append(buf, "/>\n");
    }
}

char *
qemu_domain_job_status_where(xmlNodePtr node)
{
    xmlNodePtr root;

    if (node && node->doc && node->doc->URL)
        return g_strdup_printf(_("status file '%s'"), (const char *)node->doc->URL);
    root = node && node->doc ? xmlDocGetRootElement(node->doc) : NULL;
    for (xmlNodePtr dom = root ? root->children : NULL; dom; dom = dom->next) {
        if (dom->type != XML_ELEMENT_NODE || !xmlStrEqual(dom->name, (const xmlChar *)"domain"))
            continue;
        for (xmlNodePtr cur = dom->children; cur; cur = cur->next) {
            if (cur->type == XML_ELEMENT_NODE && xmlStrEqual(cur->name, (const xmlChar *)"name")) {
                xmlChar *content = xmlNodeGetContent(cur);
                char *where = g_strdup_printf(_("the status XML of domain '%s'"),
                                              content ? (const char *)content : "");

                xmlFree(content);
                return where;
            }
        }
    }
    return g_strdup(_("the status XML"));
}

/* NODE has only the attributes in ALLOWED (NULL-terminated) and no
 * children other than white space or comments. */
static int
job_check_node(xmlNodePtr node, const char *const *allowed, const char *where)
{
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        if (!allowed || !g_strv_contains(allowed, (const char *)attr->name)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("unexpected attribute '%s' of <%s> in <job> of %s"),
                               (const char *)attr->name, (const char *)node->name, where);
            return -1;
        }
    }
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_COMMENT_NODE)
            continue;
        if (cur->type == XML_TEXT_NODE) {
            xmlChar *content = xmlNodeGetContent(cur);
            gboolean blank = TRUE;

            for (const xmlChar *p = content; p && *p; p++) {
                if (!g_ascii_isspace(*p))
                    blank = FALSE;
            }
            xmlFree(content);
            if (blank)
                continue;
        }
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("unexpected content in <%s> in <job> of %s"),
                           (const char *)node->name, where);
        return -1;
    }
    return 0;
}

static int
job_parse_disk(QemuDomainJobPrivate *priv, xmlNodePtr node, const char *where)
{
    static const char *const attrs[] = {"dev", "migrating", NULL};
    g_autofree char *dev = NULL;
    g_autofree char *migrating = NULL;

    if (job_check_node(node, attrs, where) < 0)
        return -1;
    dev = qvirt_xml_prop(node, "dev");
    migrating = qvirt_xml_prop(node, "migrating");
    if (!dev || !*dev || !migrating) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("missing attribute '%s' of <disk> in <job> of %s"),
                           (!dev || !*dev) ? "dev" : "migrating", where);
        return -1;
    }
    if (g_str_equal(migrating, "no"))
        return 0; /* libvirt's shape: a disk not being migrated, nothing to keep */
    if (!g_str_equal(migrating, "yes")) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%s' of 'migrating' of disk '%s' in <job> of %s: "
                             "expected 'yes' or 'no'"),
                           migrating, dev, where);
        return -1;
    }
    for (guint i = 0; i < priv->migrating_disks->len; i++) {
        if (g_str_equal(g_ptr_array_index(priv->migrating_disks, i), dev)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("disk '%s' appears twice in <job> of %s"),
                               dev, where);
            return -1;
        }
    }
    g_ptr_array_add(priv->migrating_disks, g_steal_pointer(&dev));
    return 0;
}

static int
job_parse_peer(QemuDomainJobPrivate *priv, xmlNodePtr node, const char *where)
{
    static const char *const attrs[] = {"uri", NULL};
    g_autofree char *uri = NULL;

    if (priv->peer_uri) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("more than one <peer> in <job> of %s"), where);
        return -1;
    }
    if (job_check_node(node, attrs, where) < 0)
        return -1;
    uri = qvirt_xml_prop(node, "uri");
    if (!uri || !*uri) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("missing attribute 'uri' of <peer> in <job> of %s"), where);
        return -1;
    }
    priv->peer_uri = g_steal_pointer(&uri);
    return 0;
}

static int
job_parse_partial_file(QemuDomainJobPrivate *priv, xmlNodePtr node, const char *where)
{
    static const char *const attrs[] = {"path", "final", "inode", NULL};
    g_autofree char *path = NULL;
    g_autofree char *final = NULL;
    unsigned long long inode = 0;
    int rc;

    if (priv->partial_file) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("more than one <partialFile> in <job> of %s"),
                           where);
        return -1;
    }
    if (job_check_node(node, attrs, where) < 0)
        return -1;
    path = qvirt_xml_prop(node, "path");
    if (!path || !g_path_is_absolute(path)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("missing or relative attribute 'path' of <partialFile> in <job> of "
                             "%s"),
                           where);
        return -1;
    }
    final = qvirt_xml_prop(node, "final");
    rc = qvirt_xml_prop_ullong(node, "inode", &inode);
    if (rc == -2)
        return -1;
    if ((final != NULL) != (rc == 0) || (final && !g_path_is_absolute(final))) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("<partialFile> in <job> of %s needs both an absolute 'final' and "
                             "an 'inode', or neither"),
                           where);
        return -1;
    }
    priv->partial_file = g_steal_pointer(&path);
    priv->partial_final = g_steal_pointer(&final);
    priv->partial_inode = inode;
    return 0;
}

static int
job_parse_private(DomainJobObj *job, xmlXPathContextPtr ctxt, xmlNodePtr node, gpointer opaque)
{
    g_autofree char *where = qemu_domain_job_status_where(node);
    QemuDomainJobPrivate *priv = job_private_get(job);
    gboolean have_paused = FALSE;
    xmlNodePtr saved = ctxt->node;
    int rc;

    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal(name, "disk")) {
            if (job_parse_disk(priv, cur, where) < 0)
                return -1;
        } else if (g_str_equal(name, "peer")) {
            if (job_parse_peer(priv, cur, where) < 0)
                return -1;
        } else if (g_str_equal(name, "partialFile")) {
            if (job_parse_partial_file(priv, cur, where) < 0)
                return -1;
        } else if (g_str_equal(name, "pausedByJob")) {
            if (have_paused) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("more than one <pausedByJob> in <job> of %s"), where);
                return -1;
            }
            if (job_check_node(cur, NULL, where) < 0)
                return -1;
            have_paused = TRUE;
        } else if (!g_str_equal(name, "migParams")) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("unexpected element <%s> in <job> of %s"),
                               name, where);
            return -1;
        }
    }
    priv->paused_by_job = have_paused;

    ctxt->node = node;
    qemu_migration_params_free(g_steal_pointer(&priv->mig_params));
    rc = qemu_migration_params_parse(ctxt, &priv->mig_params);
    ctxt->node = saved;
    return rc;
}

/* Remove PATH (WHAT names it for the log) for VM. */
static int
job_remove_file(DomainObj *vm, const char *path, const char *what)
{
    if (unlink(path) == 0) {
        QVIRT_INFO("domain '%s': removed the %s '%s'", domain_obj_get_name(vm), what, path);
        return 0;
    }
    if (errno == ENOENT)
        return 0;
    QVIRT_WARN("domain '%s': cannot remove the %s '%s': %s", domain_obj_get_name(vm), what, path,
               g_strerror(errno));
    return -1;
}

int
qemu_domain_job_remove_partial_files(DomainObj *vm)
{
    QemuDomainJobPrivate *priv = qemu_domain_job_private(vm);
    struct stat st;
    int ret = 0;

    if (priv->partial_file && job_remove_file(vm, priv->partial_file, "unfinished file") < 0)
        ret = -1;
    if (priv->partial_final && stat(priv->partial_final, &st) == 0) {
        if ((guint64)st.st_ino != priv->partial_inode)
            QVIRT_INFO("domain '%s': '%s' is not the unfinished file (another inode): kept",
                       domain_obj_get_name(vm), priv->partial_final);
        else if (job_remove_file(vm, priv->partial_final, "renamed unfinished file") < 0)
            ret = -1;
    }
    g_clear_pointer(&priv->partial_file, g_free);
    g_clear_pointer(&priv->partial_final, g_free);
    priv->partial_inode = 0;
    return ret;
}

static void
job_reset_private(DomainJobObj *job, gpointer opaque)
{
    domain_job_set_private(job, NULL);
}

void
qemu_domain_job_set_callbacks(DomainJobCallbacks *cb)
{
    cb->format_private = job_format_private;
    cb->parse_private = job_parse_private;
    cb->reset_private = job_reset_private;
    cb->free_private = job_private_free;
}

/* domain_status.c: format, parse, write and remove the status XML of a
 * domain (see domain_status.h for the format and the contract).
 *
 * The live <domain> is formatted and parsed by the domain XML code, in place
 * (domain_def_format_buf, domain_def_parse_node), so the domain XML has
 * exactly one parser. The <job> element belongs to the job code
 * (domain_job.c), its children to the driver's job callbacks. */
#include <config.h>

#include <string.h>

#include "conf/domain_blockjob_record.h"
#include "conf/domain_job.h"
#include "conf/domain_status.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/strnum.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

QVIRT_LOG_INIT("conf.domain_status");

DomainStatusExtra *
domain_status_extra_new(void)
{
    return g_new0(DomainStatusExtra, 1);
}

void
domain_status_extra_free(DomainStatusExtra *extra)
{
    if (!extra)
        return;
    g_free(extra->monitor_path);
    g_free(extra->monitor_type);
    if (extra->block_jobs)
        g_ptr_array_unref(extra->block_jobs);
    g_free(extra);
}

/* ---- strict parsing helpers ---- */

static gboolean
status_name_in(const char *name, const char *const *allowed)
{
    for (; allowed && *allowed; allowed++) {
        if (g_str_equal(name, *allowed))
            return TRUE;
    }
    return FALSE;
}

int
domain_status_xml_check_node(xmlNodePtr node, const char *const *allowed, const char *file)
{
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        if (attr->ns || !status_name_in((const char *)attr->name, allowed)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("unexpected attribute '%s' of <%s> in status file '%s'"),
                               (const char *)attr->name, (const char *)node->name, file);
            return -1;
        }
    }
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_TEXT_NODE && cur->type != XML_CDATA_SECTION_NODE)
            continue;
        for (const xmlChar *p = cur->content; p && *p; p++) {
            if (!g_ascii_isspace(*p)) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("unexpected text in <%s> of status file '%s'"),
                                   (const char *)node->name, file);
                return -1;
            }
        }
    }
    return 0;
}

void
domain_status_xml_report_unexpected(xmlNodePtr node, const char *file)
{
    const char *parent = node->parent && node->parent->type == XML_ELEMENT_NODE
                             ? (const char *)node->parent->name
                             : "";

    qvirt_report_error(QVIRT_ERR_XML_ERROR,
                       _("unexpected element <%s> in <%s> of status file '%s'"),
                       (const char *)node->name, parent, file);
}

int
domain_status_xml_prop_string(xmlNodePtr node, const char *name, gboolean required,
                              const char *file, char **ret)
{
    g_autofree char *value = qvirt_xml_prop(node, name);

    if (required && (!value || !*value)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("missing attribute '%s' of <%s> in status file '%s'"), name,
                           (const char *)node->name, file);
        return -1;
    }
    *ret = g_steal_pointer(&value);
    return 0;
}

int
domain_status_xml_prop_ullong(xmlNodePtr node, const char *name, int base, gboolean required,
                              const char *file, unsigned long long *ret)
{
    g_autofree char *value = NULL;

    if (domain_status_xml_prop_string(node, name, required, file, &value) < 0)
        return -1;
    if (!value)
        return 0;
    if (qvirt_strtoull(value, base, ret) < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%s' for attribute '%s' of <%s> in status file "
                             "'%s'"),
                           value, name, (const char *)node->name, file);
        return -1;
    }
    return 0;
}

int
domain_status_xml_prop_uint(xmlNodePtr node, const char *name, int base, gboolean required,
                            const char *file, unsigned int *ret)
{
    unsigned long long value = *ret;

    if (domain_status_xml_prop_ullong(node, name, base, required, file, &value) < 0)
        return -1;
    if (value > G_MAXUINT) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("value %llu of attribute '%s' of <%s> is too large in status "
                             "file '%s'"),
                           value, name, (const char *)node->name, file);
        return -1;
    }
    *ret = (unsigned int)value;
    return 0;
}

int
domain_status_xml_prop_enum(xmlNodePtr node, const char *name, int (*from_string)(const char *),
                            gboolean required, const char *what, const char *file, int *ret)
{
    g_autofree char *value = NULL;
    int val;

    if (domain_status_xml_prop_string(node, name, required, file, &value) < 0)
        return -1;
    if (!value)
        return 0;
    if ((val = from_string(value)) < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("unknown %s '%s' in status file '%s'"), what,
                           value, file);
        return -1;
    }
    *ret = val;
    return 0;
}

/* ---- formatting ---- */

char *
domain_status_format(DomainObj *vm, const DomainStatusExtra *extra, const DomainStatusHooks *hooks)
{
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;
    g_autoptr(GString) job = g_string_new(NULL);
    const char *reason;

    if (!vm->def) {
        qvirt_report_internal(_("domain object has no definition to write a status file for"));
        return NULL;
    }

    reason = domain_state_reason_to_string(vm->state, vm->state_reason);
    qvirt_buffer_printf(&buf, "<domstatus state='%s' reason='%s' pid='%lld'",
                        domain_state_to_string(vm->state) ? domain_state_to_string(vm->state)
                                                          : "nostate",
                        reason ? reason : "unknown", (long long)vm->pid);
    if (vm->pid_start_time)
        qvirt_buffer_printf(&buf, " pidStartTime='%llu'", vm->pid_start_time);
    qvirt_buffer_add(&buf, ">\n");
    qvirt_buffer_add_indent(&buf, 2);

    if (extra && extra->monitor_path) {
        qvirt_buffer_escape_string(&buf, "<monitor path='%s'", extra->monitor_path);
        qvirt_buffer_escape_string(&buf, " type='%s'/>\n",
                                   extra->monitor_type ? extra->monitor_type : "unix");
    }

    /* The job code formats into a GString at an absolute indentation. */
    domain_job_format_status(vm->job, job, qvirt_buffer_get_indent(&buf));
    if (job->len) {
        qvirt_buffer_add_indent(&buf, -2);
        qvirt_buffer_add(&buf, job->str);
        qvirt_buffer_add_indent(&buf, 2);
    }

    if (extra)
        domain_blockjob_records_format(extra->block_jobs, &buf);
    if (hooks && hooks->format)
        hooks->format(vm, &buf, hooks->opaque);

    domain_def_format_buf(&buf, vm->def, DOMAIN_DEF_FORMAT_STATUS);

    qvirt_buffer_add_indent(&buf, -2);
    qvirt_buffer_add(&buf, "</domstatus>\n");
    return qvirt_buffer_steal(&buf);
}

/* ---- files ---- */

char *
domain_status_path(const char *state_dir, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.xml", name);

    return g_build_filename(state_dir, base, NULL);
}

int
domain_status_write(const char *state_dir, const char *name, const char *xml)
{
    g_autofree char *path = NULL;

    if (domain_def_validate_name(name) < 0)
        return -1;
    if (qvirt_dir_make_parents(state_dir, DOMAIN_STATUS_DIR_MODE) < 0)
        return -1;
    path = domain_status_path(state_dir, name);
    if (qvirt_file_write_atomic_str(path, xml, DOMAIN_STATUS_FILE_MODE) < 0)
        return -1;
    QVIRT_DEBUG("wrote status file '%s'", path);
    return 0;
}

int
domain_status_save(DomainObj *vm, const char *state_dir, const DomainStatusExtra *extra,
                   const DomainStatusHooks *hooks)
{
    g_autofree char *xml = domain_status_format(vm, extra, hooks);

    if (!xml)
        return -1;
    return domain_status_write(state_dir, domain_obj_get_name(vm), xml);
}

int
domain_status_remove(const char *state_dir, const char *name)
{
    g_autofree char *path = NULL;

    if (domain_def_validate_name(name) < 0)
        return -1;
    path = domain_status_path(state_dir, name);
    return qvirt_file_remove(path);
}

/* ---- parsing ---- */

static int
status_parse_monitor(xmlNodePtr node, const char *file, DomainStatusExtra *extra)
{
    static const char *const attrs[] = {"path", "type", NULL};
    g_autofree char *type = NULL;

    if (domain_status_xml_check_node(node, attrs, file) < 0)
        return -1;
    if (node->children) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("<monitor> must be empty in status file '%s'"),
                           file);
        return -1;
    }
    if (domain_status_xml_prop_string(node, "path", TRUE, file, &extra->monitor_path) < 0 ||
        domain_status_xml_prop_string(node, "type", TRUE, file, &type) < 0)
        return -1;
    if (!g_str_equal(type, "unix") && !g_str_equal(type, "pty")) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("unknown monitor type '%s' in status file '%s'"),
                           type, file);
        return -1;
    }
    extra->monitor_type = g_steal_pointer(&type);
    return 0;
}

static DomainDef *
status_parse_domain(xmlNodePtr node, const char *file)
{
    g_autoptr(QvirtError) cause = NULL;
    DomainDef *def;

    if ((def = domain_def_parse_node(node, DOMAIN_DEF_PARSE_STATUS)))
        return def;

    /* The domain parser does not know the file: say which one it was. */
    cause = qvirt_error_save();
    qvirt_report_error(cause && cause->code ? cause->code : QVIRT_ERR_XML_ERROR,
                       _("invalid <domain> in status file '%s': %s"), file,
                       cause && cause->message ? cause->message : _("unknown error"));
    return NULL;
}

/* Claim child NAME of <domstatus>, which may appear once. */
static int
status_claim_once(xmlNodePtr node, const char *file, gboolean *seen)
{
    if (*seen) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("more than one <%s> in <domstatus> of status file '%s'"),
                           (const char *)node->name, file);
        return -1;
    }
    *seen = TRUE;
    return 0;
}

static int
status_parse_children(xmlNodePtr root, const char *file, const DomainStatusHooks *hooks,
                      DomainObj *vm, DomainStatusExtra *extra)
{
    gboolean have_monitor = FALSE, have_job = FALSE, have_blockjobs = FALSE;
    gboolean have_domain = FALSE;

    for (xmlNodePtr cur = root->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;
        int rc;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (cur->ns) {
            /* Namespaced elements can only be the driver's. */
            name = "";
        }
        if (g_str_equal(name, "monitor")) {
            if (status_claim_once(cur, file, &have_monitor) < 0 ||
                status_parse_monitor(cur, file, extra) < 0)
                return -1;
        } else if (g_str_equal(name, "job")) {
            if (status_claim_once(cur, file, &have_job) < 0 ||
                domain_job_parse_status(vm->job, cur, file) < 0)
                return -1;
        } else if (g_str_equal(name, "blockjobs")) {
            if (status_claim_once(cur, file, &have_blockjobs) < 0 ||
                domain_blockjob_records_parse(cur, file, &extra->block_jobs) < 0)
                return -1;
        } else if (g_str_equal(name, "domain")) {
            if (status_claim_once(cur, file, &have_domain) < 0 ||
                !(vm->def = status_parse_domain(cur, file)))
                return -1;
        } else {
            rc = hooks && hooks->parse_element ? hooks->parse_element(vm, cur, file, hooks->opaque)
                                               : 0;
            if (rc < 0)
                return -1;
            if (rc == 0) {
                domain_status_xml_report_unexpected(cur, file);
                return -1;
            }
        }
    }
    if (!have_domain) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("status file '%s' has no <domain> element"),
                           file);
        return -1;
    }
    return 0;
}

static int
status_parse_root(xmlNodePtr root, const char *file, DomainObj *vm)
{
    static const char *const attrs[] = {"state", "reason", "pid", "pidStartTime", NULL};
    g_autofree char *reason = NULL;
    unsigned long long pid = 0;
    unsigned long long start_time = 0;
    int state = 0;
    int state_reason;

    if (root->ns || !g_str_equal((const char *)root->name, "domstatus")) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("status file '%s' has root element <%s>, expected <domstatus>"), file,
                           (const char *)root->name);
        return -1;
    }
    if (domain_status_xml_check_node(root, attrs, file) < 0)
        return -1;
    if (domain_status_xml_prop_enum(root, "state", domain_state_from_string, TRUE,
                                    _("domain state"), file, &state) < 0 ||
        domain_status_xml_prop_string(root, "reason", TRUE, file, &reason) < 0)
        return -1;
    if ((state_reason = domain_state_reason_from_string(state, reason)) < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("unknown reason '%s' for state '%s' in status file '%s'"), reason,
                           domain_state_to_string(state), file);
        return -1;
    }
    if (domain_status_xml_prop_ullong(root, "pid", 10, TRUE, file, &pid) < 0)
        return -1;
    if (domain_status_xml_prop_ullong(root, "pidStartTime", 10, FALSE, file, &start_time) < 0)
        return -1;
    if (pid > G_MAXINT32) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("invalid pid %llu in status file '%s'"), pid,
                           file);
        return -1;
    }
    if (domain_state_is_active(state) && pid == 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("status file '%s' has state '%s' but no pid"),
                           file, domain_state_to_string(state));
        return -1;
    }
    vm->pid = (pid_t)pid;
    vm->pid_start_time = start_time;
    domain_obj_set_state(vm, state, state_reason);
    return 0;
}

DomainObj *
domain_status_parse_string(const char *xml, const char *file_for_errors,
                           const DomainStatusHooks *hooks, DomainStatusExtra **ret_extra)
{
    g_autofree char *what = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainStatusExtra) extra = domain_status_extra_new();
    const char *file = file_for_errors ? file_for_errors : "";
    xmlNodePtr root;

    what = g_strdup_printf(_("status file '%s'"), file);
    if (!(doc = qvirt_xml_parse_string(xml, what, NULL)))
        return NULL;
    root = xmlDocGetRootElement(doc);

    vm = domain_obj_new(NULL);
    if (hooks && hooks->init)
        hooks->init(vm, file, hooks->opaque);
    if (status_parse_root(root, file, vm) < 0 ||
        status_parse_children(root, file, hooks, vm, extra) < 0)
        return NULL;

    if (domain_state_is_active(vm->state) && vm->def->id < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("the <domain> of running domain '%s' has no id in status file '%s'"),
                           vm->def->name, file);
        return NULL;
    }
    if (ret_extra)
        *ret_extra = g_steal_pointer(&extra);
    return g_steal_pointer(&vm);
}

DomainObj *
domain_status_parse_file(const char *path, const DomainStatusHooks *hooks,
                         DomainStatusExtra **ret_extra)
{
    g_autofree char *data = NULL;

    if (qvirt_file_read_limited(path, QVIRT_XML_MAX_FILE_SIZE, &data, NULL) < 0)
        return NULL;
    return domain_status_parse_string(data, path, hooks, ret_extra);
}

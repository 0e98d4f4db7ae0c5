/* domain_blockjob_record.c: block job records and their `<blockjobs>` XML
 * (see domain_blockjob_record.h).
 *
 *   <blockjobs>
 *     <blockjob disk='vda' name='copy-vda' type='copy' state='ready' flags='0x0'
 *               bandwidth='1048576'>
 *       <mirror path='/images/copy.qcow2' format='qcow2'/>
 *     </blockjob>
 *     <blockjob disk='vdb' name='commit-vdb' type='commit' state='failed' flags='0x0'>
 *       <base path='/images/base.qcow2'/>
 *       <top path='/images/mid.qcow2'/>
 *       <error>No space left on device</error>
 *     </blockjob>
 *   </blockjobs>
 */
#include <config.h>

#include "conf/domain_blockjob_record.h"
#include "conf/domain_status.h"
#include "util/enum.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

QVIRT_ENUM_IMPL(domain_blockjob_type, DOMAIN_BLOCKJOB_TYPE_LAST,
                "pull", "copy", "commit", "active-commit");

QVIRT_ENUM_IMPL(domain_blockjob_state, DOMAIN_BLOCKJOB_STATE_LAST,
                "new", "running", "ready", "aborting", "pivoting",
                "concluded", "completed", "failed", "cancelled");

DomainBlockJobRecord *
domain_blockjob_record_new(void)
{
    return g_new0(DomainBlockJobRecord, 1);
}

void
domain_blockjob_record_free(DomainBlockJobRecord *rec)
{
    if (!rec)
        return;
    g_free(rec->disk);
    g_free(rec->job_id);
    g_free(rec->mirror_path);
    g_free(rec->mirror_format);
    g_free(rec->base);
    g_free(rec->top);
    g_free(rec->error);
    g_free(rec);
}

DomainBlockJobRecord *
domain_blockjob_record_copy(const DomainBlockJobRecord *rec)
{
    DomainBlockJobRecord *copy = g_new0(DomainBlockJobRecord, 1);

    *copy = *rec;
    copy->disk = g_strdup(rec->disk);
    copy->job_id = g_strdup(rec->job_id);
    copy->mirror_path = g_strdup(rec->mirror_path);
    copy->mirror_format = g_strdup(rec->mirror_format);
    copy->base = g_strdup(rec->base);
    copy->top = g_strdup(rec->top);
    copy->error = g_strdup(rec->error);
    return copy;
}

GPtrArray *
domain_blockjob_record_list_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)domain_blockjob_record_free);
}

GPtrArray *
domain_blockjob_record_list_copy(const GPtrArray *records)
{
    GPtrArray *copy = domain_blockjob_record_list_new();

    for (guint i = 0; records && i < records->len; i++)
        g_ptr_array_add(copy, domain_blockjob_record_copy(g_ptr_array_index(records, i)));
    return copy;
}

DomainBlockJobRecord *
domain_blockjob_record_list_find(const GPtrArray *records, const char *disk)
{
    for (guint i = 0; records && disk && i < records->len; i++) {
        DomainBlockJobRecord *rec = g_ptr_array_index(records, i);

        if (g_strcmp0(rec->disk, disk) == 0)
            return rec;
    }
    return NULL;
}

static void
blockjob_record_format(const DomainBlockJobRecord *rec, QvirtBuffer *buf)
{
    g_auto(QvirtBuffer) attrs = QVIRT_BUFFER_INIT;
    g_auto(QvirtBuffer) children = QVIRT_BUFFER_INIT;

    qvirt_buffer_escape_string(&attrs, " disk='%s'", rec->disk);
    qvirt_buffer_escape_string(&attrs, " name='%s'", rec->job_id);
    qvirt_buffer_printf(&attrs, " type='%s' state='%s' flags='0x%x'",
                        domain_blockjob_type_to_string(rec->type),
                        domain_blockjob_state_to_string(rec->state), rec->flags);
    if (rec->bandwidth)
        qvirt_buffer_printf(&attrs, " bandwidth='%llu'", rec->bandwidth);

    qvirt_buffer_init_child(&children, buf);
    if (rec->mirror_path) {
        qvirt_buffer_escape_string(&children, "<mirror path='%s'", rec->mirror_path);
        qvirt_buffer_escape_string(&children, " format='%s'", rec->mirror_format);
        qvirt_buffer_add(&children, "/>\n");
    }
    qvirt_buffer_escape_string(&children, "<base path='%s'/>\n", rec->base);
    qvirt_buffer_escape_string(&children, "<top path='%s'/>\n", rec->top);
    qvirt_buffer_escape_string(&children, "<error>%s</error>\n", rec->error);
    qvirt_xml_format_element(buf, "blockjob", &attrs, &children);
}

void
domain_blockjob_records_format(const GPtrArray *records, QvirtBuffer *buf)
{
    g_auto(QvirtBuffer) children = QVIRT_BUFFER_INIT;

    if (!records || records->len == 0)
        return;
    qvirt_buffer_init_child(&children, buf);
    for (guint i = 0; i < records->len; i++)
        blockjob_record_format(g_ptr_array_index(records, i), &children);
    qvirt_xml_format_element(buf, "blockjobs", NULL, &children);
}

/* <mirror>, <base> or <top>: one element that may appear once. */
static int
blockjob_parse_image(xmlNodePtr node, const char *file, gboolean seen, char **ret_path,
                     char **ret_format)
{
    static const char *const mirror_attrs[] = {"path", "format", NULL};
    static const char *const image_attrs[] = {"path", NULL};

    if (seen) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("more than one <%s> in <blockjob> of status file '%s'"),
                           (const char *)node->name, file);
        return -1;
    }
    if (domain_status_xml_check_node(node, ret_format ? mirror_attrs : image_attrs, file) < 0)
        return -1;
    if (node->children) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("<%s> must be empty in status file '%s'"),
                           (const char *)node->name, file);
        return -1;
    }
    if (domain_status_xml_prop_string(node, "path", TRUE, file, ret_path) < 0)
        return -1;
    if (ret_format && domain_status_xml_prop_string(node, "format", FALSE, file, ret_format) < 0)
        return -1;
    return 0;
}

static int
blockjob_parse_error_text(xmlNodePtr node, const char *file, char **ret_error)
{
    xmlChar *text;

    if (*ret_error) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("more than one <error> in <blockjob> of status file '%s'"), file);
        return -1;
    }
    /* Text is the content here, so attributes and elements are checked by hand. */
    if (node->properties) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("unexpected attribute '%s' of <error> in status file '%s'"),
                           (const char *)node->properties->name, file);
        return -1;
    }
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE) {
            domain_status_xml_report_unexpected(cur, file);
            return -1;
        }
    }
    text = xmlNodeGetContent(node);
    *ret_error = g_strdup(text ? (const char *)text : "");
    xmlFree(text);
    return 0;
}

static DomainBlockJobRecord *
blockjob_record_parse(xmlNodePtr node, const char *file)
{
    static const char *const attrs[] = {
        "disk", "name", "type", "state", "flags", "bandwidth", NULL,
    };
    g_autoptr(DomainBlockJobRecord) rec = domain_blockjob_record_new();
    gboolean have_mirror = FALSE;
    gboolean have_base = FALSE;
    gboolean have_top = FALSE;

    if (domain_status_xml_check_node(node, attrs, file) < 0)
        return NULL;
    if (domain_status_xml_prop_string(node, "disk", TRUE, file, &rec->disk) < 0 ||
        domain_status_xml_prop_string(node, "name", TRUE, file, &rec->job_id) < 0)
        return NULL;
    if (domain_status_xml_prop_enum(node, "type", domain_blockjob_type_from_string, TRUE,
                                    _("block job type"), file, &rec->type) < 0 ||
        domain_status_xml_prop_enum(node, "state", domain_blockjob_state_from_string, TRUE,
                                    _("block job state"), file, &rec->state) < 0)
        return NULL;
    if (domain_status_xml_prop_uint(node, "flags", 16, FALSE, file, &rec->flags) < 0 ||
        domain_status_xml_prop_ullong(node, "bandwidth", 10, FALSE, file, &rec->bandwidth) < 0)
        return NULL;

    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        const char *name = (const char *)cur->name;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal(name, "mirror")) {
            if (blockjob_parse_image(cur, file, have_mirror, &rec->mirror_path,
                                     &rec->mirror_format) < 0)
                return NULL;
            have_mirror = TRUE;
        } else if (g_str_equal(name, "base")) {
            if (blockjob_parse_image(cur, file, have_base, &rec->base, NULL) < 0)
                return NULL;
            have_base = TRUE;
        } else if (g_str_equal(name, "top")) {
            if (blockjob_parse_image(cur, file, have_top, &rec->top, NULL) < 0)
                return NULL;
            have_top = TRUE;
        } else if (g_str_equal(name, "error")) {
            if (blockjob_parse_error_text(cur, file, &rec->error) < 0)
                return NULL;
        } else {
            domain_status_xml_report_unexpected(cur, file);
            return NULL;
        }
    }

    if (rec->type == DOMAIN_BLOCKJOB_TYPE_COPY && !have_mirror) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("copy block job on disk '%s' has no <mirror> in status file '%s'"),
                           rec->disk, file);
        return NULL;
    }
    if (rec->type != DOMAIN_BLOCKJOB_TYPE_COPY && have_mirror) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("%s block job on disk '%s' cannot have a <mirror> in status "
                             "file '%s'"),
                           domain_blockjob_type_to_string(rec->type), rec->disk, file);
        return NULL;
    }
    if (have_top && rec->type != DOMAIN_BLOCKJOB_TYPE_COMMIT &&
        rec->type != DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("%s block job on disk '%s' cannot have a <top> in status file '%s'"),
                           domain_blockjob_type_to_string(rec->type), rec->disk, file);
        return NULL;
    }
    if (have_base && rec->type == DOMAIN_BLOCKJOB_TYPE_COPY) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("copy block job on disk '%s' cannot have a <base> in status "
                             "file '%s'"),
                           rec->disk, file);
        return NULL;
    }
    return g_steal_pointer(&rec);
}

int
domain_blockjob_records_parse(xmlNodePtr node, const char *file_for_errors, GPtrArray **ret_records)
{
    static const char *const no_attrs[] = {NULL};
    g_autoptr(GPtrArray) records = domain_blockjob_record_list_new();

    if (domain_status_xml_check_node(node, no_attrs, file_for_errors) < 0)
        return -1;

    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        DomainBlockJobRecord *rec;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!g_str_equal((const char *)cur->name, "blockjob")) {
            domain_status_xml_report_unexpected(cur, file_for_errors);
            return -1;
        }
        if (!(rec = blockjob_record_parse(cur, file_for_errors)))
            return -1;
        for (guint i = 0; i < records->len; i++) {
            DomainBlockJobRecord *other = g_ptr_array_index(records, i);

            if (g_str_equal(other->disk, rec->disk) || g_str_equal(other->job_id, rec->job_id)) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR,
                                   _("block jobs '%s' and '%s' clash (same disk or name) in "
                                     "status file '%s'"),
                                   other->job_id, rec->job_id, file_for_errors);
                domain_blockjob_record_free(rec);
                return -1;
            }
        }
        g_ptr_array_add(records, rec);
    }
    *ret_records = g_steal_pointer(&records);
    return 0;
}

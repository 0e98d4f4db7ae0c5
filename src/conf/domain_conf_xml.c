/* domain_conf_xml.c: reading the domain document with a record of what was
 * understood, and the final walk that rejects everything else.
 *
 * Contract: every getter here marks what it reads in the node's _private
 * field (elements, attributes, text); domain_xml_check_consumed() then
 * reports the first element, attribute or non-blank text no getter marked,
 * as CONFIG_UNSUPPORTED naming it. Comments and processing instructions are
 * not configuration and are ignored. The <metadata> subtree is copied and
 * formatted back verbatim. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf_priv.h"
#include "util/error.h"
#include "util/strnum.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

/* The marks: their addresses are stored in _private. */
static const char mark_element = 'e';  /* understood; attributes and children checked */
static const char mark_text = 't';     /* understood with its text content */
static const char mark_verbatim = 'v'; /* understood; children kept verbatim */
static const char mark_attr = 'a';

#define MARK(x) ((void *)(x))

void
domain_xml_mark(xmlNodePtr element)
{
    if (element->_private != MARK(&mark_text) && element->_private != MARK(&mark_verbatim))
        element->_private = MARK(&mark_element);
}

static gboolean
xml_is_named(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns == NULL &&
           strcmp((const char *)node->name, name) == 0;
}

int
domain_xml_child(xmlNodePtr parent, const char *name, xmlNodePtr *ret)
{
    xmlNodePtr found = NULL;

    for (xmlNodePtr cur = parent->children; cur; cur = cur->next) {
        if (!xml_is_named(cur, name))
            continue;
        if (found) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("element <%s> appears more than once in <%s>"), name,
                               (const char *)parent->name);
            return -1;
        }
        found = cur;
    }
    *ret = found;
    if (!found)
        return 0;
    domain_xml_mark(found);
    return 1;
}

size_t
domain_xml_children(xmlNodePtr parent, const char *name, xmlNodePtr **ret)
{
    GPtrArray *nodes = g_ptr_array_new();
    size_t n;

    for (xmlNodePtr cur = parent->children; cur; cur = cur->next) {
        if (xml_is_named(cur, name)) {
            domain_xml_mark(cur);
            g_ptr_array_add(nodes, cur);
        }
    }
    n = nodes->len;
    *ret = n ? (xmlNodePtr *)g_ptr_array_free(nodes, FALSE) : NULL;
    if (!n)
        g_ptr_array_free(nodes, TRUE);
    return n;
}

/* The raw value of attribute NAME, marked; NULL when absent. */
static char *
xml_attr_raw(xmlNodePtr node, const char *name)
{
    xmlAttrPtr attr = xmlHasNsProp(node, BAD_CAST name, NULL);

    if (!attr || attr->type != XML_ATTRIBUTE_NODE)
        return NULL;
    attr->_private = MARK(&mark_attr);
    return qvirt_xml_prop(node, name);
}

static gboolean
xml_has_control_char(const char *str)
{
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        if (*p < 0x20)
            return TRUE;
    }
    return FALSE;
}

int
domain_xml_attr_string(xmlNodePtr node, const char *name, gboolean allow_empty, char **ret)
{
    g_autofree char *value = xml_attr_raw(node, name);

    if (!value)
        return -1;
    if (!allow_empty && !*value) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("attribute '%s' of <%s> must not be empty"), name,
                           (const char *)node->name);
        return -2;
    }
    if (xml_has_control_char(value)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("attribute '%s' of <%s> must not contain control characters"), name,
                           (const char *)node->name);
        return -2;
    }
    *ret = g_steal_pointer(&value);
    return 0;
}

/* "a", "a or b", "one of a, b, c": the accepted values of an enum. */
static char *
xml_enum_choices(DomainEnumToString to_string, int first, int last)
{
    GString *str = g_string_new(NULL);
    int n = last - first;

    if (n > 2)
        g_string_append(str, _("one of "));
    for (int i = first; i < last; i++) {
        if (i > first)
            g_string_append(str, n == 2 ? _(" or ") : ", ");
        g_string_append(str, to_string(i));
    }
    return g_string_free(str, FALSE);
}

static int
xml_enum_lookup(const char *value, DomainEnumToString to_string, int first, int last)
{
    for (int i = first; i < last; i++) {
        if (strcmp(to_string(i), value) == 0)
            return i;
    }
    return -1;
}

int
domain_xml_attr_enum(xmlNodePtr node, const char *name, DomainEnumToString to_string, int first,
                     int last, int *ret)
{
    g_autofree char *value = xml_attr_raw(node, name);
    g_autofree char *choices = NULL;
    int val;

    if (!value)
        return -1;
    val = xml_enum_lookup(value, to_string, first, last);
    if (val < 0) {
        choices = xml_enum_choices(to_string, first, last);
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("value '%s' of attribute '%s' of <%s> is not supported "
                             "(expected %s)"),
                           value, name, (const char *)node->name, choices);
        return -2;
    }
    *ret = val;
    return 0;
}

int
domain_xml_attr_tristate(xmlNodePtr node, const char *name, gboolean is_switch, int *ret)
{
    g_autofree char *value = xml_attr_raw(node, name);
    DomainEnumToString to_string =
        is_switch ? domain_tristate_switch_to_string : domain_tristate_bool_to_string;
    int val;

    if (!value)
        return -1;
    val = xml_enum_lookup(value, to_string, DOMAIN_TRISTATE_YES, DOMAIN_TRISTATE_LAST);
    if (val < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%s' for attribute '%s' of <%s>: expected %s or %s"),
                           value, name, (const char *)node->name, to_string(DOMAIN_TRISTATE_YES),
                           to_string(DOMAIN_TRISTATE_NO));
        return -2;
    }
    *ret = val;
    return 0;
}

int
domain_xml_attr_uint(xmlNodePtr node, const char *name, int base, unsigned int *ret)
{
    xmlAttrPtr attr = xmlHasNsProp(node, BAD_CAST name, NULL);

    if (!attr || attr->type != XML_ATTRIBUTE_NODE)
        return -1;
    attr->_private = MARK(&mark_attr);
    return qvirt_xml_prop_uint_base(node, name, base, ret);
}

int
domain_xml_attr_int(xmlNodePtr node, const char *name, int *ret)
{
    xmlAttrPtr attr = xmlHasNsProp(node, BAD_CAST name, NULL);

    if (!attr || attr->type != XML_ATTRIBUTE_NODE)
        return -1;
    attr->_private = MARK(&mark_attr);
    return qvirt_xml_prop_int(node, name, ret);
}

char *
domain_xml_text(xmlNodePtr element)
{
    GString *text = g_string_new(NULL);

    element->_private = MARK(&mark_text);
    for (xmlNodePtr cur = element->children; cur; cur = cur->next) {
        if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) && cur->content)
            g_string_append(text, (const char *)cur->content);
    }
    if (strchr(text->str, '\r')) {
        /* Only "&#13;" gets one here; written back raw it would read as '\n'. */
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("<%s> must not contain a carriage return"),
                           (const char *)element->name);
        g_string_free(text, TRUE);
        return NULL;
    }
    return g_string_free(text, FALSE);
}

int
domain_xml_child_text(xmlNodePtr parent, const char *name, char **ret)
{
    xmlNodePtr node;
    char *text;
    int rc = domain_xml_child(parent, name, &node);

    if (rc <= 0)
        return rc;
    if (!(text = domain_xml_text(node)))
        return -1;
    if (!*text)
        g_clear_pointer(&text, g_free);
    *ret = text;
    return 1;
}

int
domain_xml_text_enum(xmlNodePtr element, DomainEnumToString to_string, int first, int last,
                     int *ret)
{
    g_autofree char *text = domain_xml_text(element);
    g_autofree char *choices = NULL;
    int val;

    if (!text)
        return -2;
    g_strstrip(text);
    val = xml_enum_lookup(text, to_string, first, last);
    if (val < 0) {
        choices = xml_enum_choices(to_string, first, last);
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("value '%s' of <%s> is not supported (expected %s)"), text,
                           (const char *)element->name, choices);
        return -2;
    }
    *ret = val;
    return 0;
}

int
domain_xml_check_path(const char *path, const char *what)
{
    if (path && (path[0] != '/' || path[1] == '\0' || strchr(path, '\n'))) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("path '%s' of %s must be an absolute path"), path,
                           what);
        return -1;
    }
    return 0;
}

static gboolean
xml_is_blank(const xmlChar *text)
{
    for (const xmlChar *p = text; p && *p; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return FALSE;
    }
    return TRUE;
}

/* Drop blank text nodes that only separate elements, so libxml2 can indent
 * the subtree when it is formatted; text in leaf elements stays as it is. */
static void
xml_strip_blanks(xmlNodePtr node)
{
    gboolean has_element = FALSE;
    xmlNodePtr next;

    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            has_element = TRUE;
    }
    for (xmlNodePtr cur = node->children; cur; cur = next) {
        next = cur->next;
        if (cur->type == XML_ELEMENT_NODE) {
            xml_strip_blanks(cur);
        } else if (has_element && cur->type == XML_TEXT_NODE && xml_is_blank(cur->content)) {
            xmlUnlinkNode(cur);
            xmlFreeNode(cur);
        }
    }
}

/* The element name as written, with its namespace prefix. */
static char *
xml_qualified_name(xmlNodePtr node)
{
    if (node->ns && node->ns->prefix)
        return g_strdup_printf("%s:%s", (const char *)node->ns->prefix, (const char *)node->name);
    return g_strdup((const char *)node->name);
}

int
domain_xml_copy_verbatim(xmlNodePtr element, xmlDocPtr *ret)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;
    gboolean any = FALSE;

    element->_private = MARK(&mark_verbatim);
    for (xmlNodePtr cur = element->children; cur; cur = cur->next) {
        if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) &&
            !xml_is_blank(cur->content)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("<%s> may only contain elements, not text"),
                               (const char *)element->name);
            return -1;
        }
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!cur->ns || !cur->ns->href || !*cur->ns->href) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("element <%s> in <%s> must be in an XML namespace"),
                               (const char *)cur->name, (const char *)element->name);
            return -1;
        }
        any = TRUE;
    }
    if (!any) {
        *ret = NULL;
        return 0;
    }

    doc = xmlNewDoc(BAD_CAST "1.0");
    root = xmlNewDocNode(doc, NULL, element->name, NULL);
    xmlDocSetRootElement(doc, root);
    for (xmlNodePtr cur = element->children; cur; cur = cur->next) {
        xmlNodePtr copy;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        /* A copy made outside any tree declares the namespaces it uses on
         * itself, so each element stands alone. */
        copy = xmlDocCopyNode(cur, doc, 1);
        if (!copy)
            g_error("%s", "out of memory copying an XML element");
        xml_strip_blanks(copy);
        xmlAddChild(root, copy);
    }
    *ret = g_steal_pointer(&doc);
    return 0;
}

void
domain_xml_format_verbatim(QvirtBuffer *buf, xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int level = qvirt_buffer_get_indent(buf) / 2 + 1;

    qvirt_buffer_add_indent(buf, 2);
    for (xmlNodePtr cur = root ? root->children : NULL; cur; cur = cur->next) {
        xmlBufferPtr xbuf;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        xbuf = xmlBufferCreate();
        if (!xbuf)
            g_error("%s", "out of memory formatting XML");
        xmlNodeDump(xbuf, doc, cur, level, 1);
        qvirt_buffer_add(buf, (const char *)xmlBufferContent(xbuf));
        qvirt_buffer_add(buf, "\n");
        xmlBufferFree(xbuf);
    }
    qvirt_buffer_add_indent(buf, -2);
}

static int
xml_check_element(xmlNodePtr node)
{
    const void *mark = node->_private;
    g_autofree char *name = xml_qualified_name(node);

    if (mark != MARK(&mark_element) && mark != MARK(&mark_text) && mark != MARK(&mark_verbatim)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED, _("element <%s> is not supported"), name);
        return -1;
    }
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        if (attr->_private != MARK(&mark_attr)) {
            g_autofree char *attr_name =
                attr->ns && attr->ns->prefix
                    ? g_strdup_printf("%s:%s", (const char *)attr->ns->prefix,
                                      (const char *)attr->name)
                    : g_strdup((const char *)attr->name);

            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("attribute '%s' of <%s> is not supported"), attr_name, name);
            return -1;
        }
    }
    if (mark == MARK(&mark_verbatim))
        return 0;
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        switch (cur->type) {
        case XML_ELEMENT_NODE:
            if (xml_check_element(cur) < 0)
                return -1;
            break;
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
        case XML_ENTITY_REF_NODE:
            if (mark != MARK(&mark_text) &&
                (cur->type == XML_ENTITY_REF_NODE || !xml_is_blank(cur->content))) {
                qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                                   _("text content of <%s> is not supported"), name);
                return -1;
            }
            break;
        default:
            break; /* comments, processing instructions */
        }
    }
    return 0;
}

int
domain_xml_check_consumed(xmlNodePtr root)
{
    return xml_check_element(root);
}

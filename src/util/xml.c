/* xml.c: safe XML parsing, XPath and attribute getters, and the formatting
 * buffer (see xml.h for the contract).
 *
 * libxml2 reports problems through its error callbacks. During a parse or an
 * XPath evaluation this file routes them, for the calling thread only, into
 * an XmlCapture: the parser context's own structured handler catches the
 * parser's diagnostics, and the thread's structured handler (per thread in a
 * threaded libxml2) is swapped for the duration of the call to catch the
 * rest, then restored. Nothing reaches libxml2's default stderr printer. */
#include <config.h>

#include <limits.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/strnum.h"
#include "util/xml.h"

#define QVIRT_FROM_THIS QVIRT_FROM_XML

QVIRT_LOG_INIT("util.xml");

/* libxml2 2.12 made the structured handler's error argument const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *XmlErrorArg;
#else
typedef xmlErrorPtr XmlErrorArg;
#endif

/* The first error-level diagnostic of one call into libxml2. */
typedef struct {
    char *message;
    int line;
    gboolean failed; /* an error was seen, or we stopped the parser */
} XmlCapture;

/* The thread's structured handler, saved while an XmlCapture is active. */
typedef struct {
    xmlStructuredErrorFunc func;
    void *data;
} XmlSavedHandler;

void
qvirt_xml_init(void)
{
    static gsize initialised;

    if (g_once_init_enter(&initialised)) {
        xmlInitParser();
        g_once_init_leave(&initialised, 1);
    }
}

static void
xml_capture_store(XmlCapture *cap, int level, int line, const char *message)
{
    if (level < XML_ERR_ERROR)
        return; /* warnings do not fail anything */
    cap->failed = TRUE;
    if (cap->message)
        return; /* the first error is the cause; later ones follow from it */
    /* libxml2's messages may span lines; ours are one line. */
    cap->message = g_strdelimit(g_strstrip(g_strdup(message ? message : _("unknown error"))),
                                "\r\n", ' ');
    cap->line = line;
}

static void
xml_capture_clear(XmlCapture *cap)
{
    g_free(cap->message);
    cap->message = NULL;
}

/* The thread's handler: DATA is the XmlCapture. */
static void
xml_thread_error(void *data, XmlErrorArg err)
{
    if (data && err)
        xml_capture_store(data, err->level, err->line, err->message);
}

/* The parser context's handler: DATA is the parser context, whose _private
 * points to the XmlCapture. */
static void
xml_parser_error(void *data, XmlErrorArg err)
{
    xmlParserCtxtPtr pctxt = data;

    if (pctxt && pctxt->_private && err)
        xml_capture_store(pctxt->_private, err->level, err->line, err->message);
}

static void
xml_capture_begin(XmlCapture *cap, XmlSavedHandler *saved)
{
    saved->func = xmlStructuredError;
    saved->data = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(cap, xml_thread_error);
}

static void
xml_capture_end(const XmlSavedHandler *saved)
{
    xmlSetStructuredErrorFunc(saved->data, saved->func);
}

/* SAX callback for <!ENTITY ...>: entities are never needed by qvirt's
 * documents and are the tool of expansion bombs and file disclosure, so any
 * declaration stops the parse. */
static void
xml_entity_decl(void *data, const xmlChar *name, int type G_GNUC_UNUSED,
                const xmlChar *public_id G_GNUC_UNUSED, const xmlChar *system_id G_GNUC_UNUSED,
                xmlChar *content G_GNUC_UNUSED)
{
    xmlParserCtxtPtr pctxt = data;
    XmlCapture *cap = pctxt->_private;
    g_autofree char *message = g_strdup_printf(_("entity declarations are not allowed "
                                                 "(entity '%s')"),
                                               name ? (const char *)name : "");

    if (cap)
        xml_capture_store(cap, XML_ERR_FATAL, xmlSAX2GetLineNumber(pctxt), message);
    xmlStopParser(pctxt);
}

static xmlDocPtr
xml_parse(const char *text, size_t len, const char *url, const char *what,
          xmlXPathContextPtr *ret_ctxt)
{
    XmlCapture cap = { 0 };
    XmlSavedHandler saved;
    xmlParserCtxtPtr pctxt;
    xmlDocPtr doc;
    xmlNodePtr root = NULL;

    if (!what)
        what = _("document");
    if (len > INT_MAX) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("XML error in %s: the document is too large"),
                           what);
        return NULL;
    }

    qvirt_xml_init();
    pctxt = xmlNewParserCtxt();
    if (!pctxt)
        g_error("%s", "out of memory creating an XML parser");
    pctxt->_private = &cap;
    pctxt->sax->serror = xml_parser_error;
    pctxt->sax->entityDecl = xml_entity_decl;

    xml_capture_begin(&cap, &saved);
    /* No XML_PARSE_NOENT (substitution), XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR
     * or XML_PARSE_HUGE: the defaults keep libxml2's size and depth limits. */
    doc = xmlCtxtReadMemory(pctxt, text, (int)len, url, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOWARNING);
    xml_capture_end(&saved);

    if (doc)
        root = xmlDocGetRootElement(doc);
    if (!doc || !root || cap.failed || !pctxt->wellFormed) {
        if (cap.message && cap.line > 0)
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("XML error in %s at line %d: %s"), what,
                               cap.line, cap.message);
        else if (cap.message)
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("XML error in %s: %s"), what, cap.message);
        else if (doc && !root)
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("XML error in %s: no root element"),
                               what);
        else
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("XML error in %s: the document is not well formed"), what);
        xmlFreeDoc(doc);
        xml_capture_clear(&cap);
        xmlFreeParserCtxt(pctxt);
        return NULL;
    }
    xmlFreeParserCtxt(pctxt);

    if (ret_ctxt) {
        xmlXPathContextPtr ctxt = xmlXPathNewContext(doc);

        if (!ctxt)
            g_error("%s", "out of memory creating an XPath context");
        ctxt->node = root;
        *ret_ctxt = ctxt;
    }
    return doc;
}

xmlDocPtr
qvirt_xml_parse_string(const char *xml, const char *what, xmlXPathContextPtr *ret_ctxt)
{
    if (!xml) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("XML error in %s: no document given"),
                           what ? what : _("document"));
        return NULL;
    }
    return xml_parse(xml, strlen(xml), NULL, what, ret_ctxt);
}

xmlDocPtr
qvirt_xml_parse_file(const char *path, const char *what, xmlXPathContextPtr *ret_ctxt)
{
    g_autofree char *data = NULL;
    g_autofree char *description = NULL;
    size_t len = 0;

    if (qvirt_file_read_limited(path, QVIRT_XML_MAX_FILE_SIZE, &data, &len) < 0)
        return NULL;
    description = what ? g_strdup_printf("%s '%s'", what, path) : g_strdup_printf("'%s'", path);
    return xml_parse(data, len, path, description, ret_ctxt);
}

/* ---- XPath ---- */

/* Evaluate XPATH in CTXT; NULL with INTERNAL_ERROR when it is malformed. */
static xmlXPathObjectPtr
xml_xpath_eval(const char *xpath, xmlXPathContextPtr ctxt)
{
    XmlCapture cap = { 0 };
    XmlSavedHandler saved;
    xmlXPathObjectPtr obj;

    if (!xpath || !ctxt) {
        qvirt_report_internal(_("XPath evaluation of '%s' without an expression or context"),
                              xpath ? xpath : "(null)");
        return NULL;
    }
    xml_capture_begin(&cap, &saved);
    obj = xmlXPathEval(BAD_CAST xpath, ctxt);
    xml_capture_end(&saved);
    if (!obj) {
        qvirt_report_internal(_("invalid XPath expression '%s': %s"), xpath,
                              cap.message ? cap.message : _("evaluation failed"));
    }
    xml_capture_clear(&cap);
    return obj;
}

/* The string value of XPATH: 0 found (*ret set), -1 absent or empty, -2 on a
 * malformed expression (reported). */
static int
xml_xpath_get_string(const char *xpath, xmlXPathContextPtr ctxt, char **ret)
{
    g_autoptr(xmlXPathObject) obj = xml_xpath_eval(xpath, ctxt);
    xmlChar *value;

    if (!obj)
        return -2;
    value = xmlXPathCastToString(obj);
    if (!value || value[0] == '\0') {
        xmlFree(value);
        return -1;
    }
    *ret = g_strdup((const char *)value);
    xmlFree(value);
    return 0;
}

char *
qvirt_xpath_string(const char *xpath, xmlXPathContextPtr ctxt)
{
    char *value = NULL;

    if (xml_xpath_get_string(xpath, ctxt, &value) < 0)
        return NULL;
    return value;
}

static void
xml_report_bad_xpath_value(const char *xpath, const char *value, const char *expected)
{
    qvirt_report_error(QVIRT_ERR_XML_ERROR, _("invalid value '%s' for '%s': expected %s"), value,
                       xpath, expected);
}

int
qvirt_xpath_int(const char *xpath, xmlXPathContextPtr ctxt, int *ret)
{
    g_autofree char *value = NULL;
    int rc = xml_xpath_get_string(xpath, ctxt, &value);

    if (rc < 0)
        return rc;
    if (qvirt_strtoi(value, 10, ret) < 0) {
        xml_report_bad_xpath_value(xpath, value, _("an integer"));
        return -2;
    }
    return 0;
}

int
qvirt_xpath_uint(const char *xpath, xmlXPathContextPtr ctxt, unsigned int *ret)
{
    g_autofree char *value = NULL;
    int rc = xml_xpath_get_string(xpath, ctxt, &value);

    if (rc < 0)
        return rc;
    if (qvirt_strtoui(value, 10, ret) < 0) {
        xml_report_bad_xpath_value(xpath, value, _("an unsigned integer"));
        return -2;
    }
    return 0;
}

int
qvirt_xpath_ullong(const char *xpath, xmlXPathContextPtr ctxt, unsigned long long *ret)
{
    g_autofree char *value = NULL;
    int rc = xml_xpath_get_string(xpath, ctxt, &value);

    if (rc < 0)
        return rc;
    if (qvirt_strtoull(value, 10, ret) < 0) {
        xml_report_bad_xpath_value(xpath, value, _("an unsigned integer"));
        return -2;
    }
    return 0;
}

int
qvirt_xpath_boolean(const char *xpath, xmlXPathContextPtr ctxt)
{
    g_autoptr(xmlXPathObject) obj = xml_xpath_eval(xpath, ctxt);

    if (!obj)
        return -1;
    return xmlXPathCastToBoolean(obj) ? 1 : 0;
}

int
qvirt_xpath_node_set(const char *xpath, xmlXPathContextPtr ctxt, xmlNodePtr **ret_nodes)
{
    g_autoptr(xmlXPathObject) obj = xml_xpath_eval(xpath, ctxt);
    int count;

    if (!obj)
        return -1;
    if (obj->type != XPATH_NODESET) {
        qvirt_report_internal(_("XPath expression '%s' does not select nodes"), xpath);
        return -1;
    }
    count = obj->nodesetval ? obj->nodesetval->nodeNr : 0;
    if (ret_nodes) {
        xmlNodePtr *nodes = NULL;

        if (count > 0)
            nodes = g_memdup2(obj->nodesetval->nodeTab, sizeof(xmlNodePtr) * (size_t)count);
        *ret_nodes = nodes;
    }
    return count;
}

xmlNodePtr
qvirt_xpath_node(const char *xpath, xmlXPathContextPtr ctxt)
{
    g_autoptr(xmlXPathObject) obj = xml_xpath_eval(xpath, ctxt);

    if (!obj)
        return NULL;
    if (obj->type != XPATH_NODESET) {
        qvirt_report_internal(_("XPath expression '%s' does not select nodes"), xpath);
        return NULL;
    }
    if (!obj->nodesetval || obj->nodesetval->nodeNr == 0)
        return NULL;
    return obj->nodesetval->nodeTab[0];
}

void
qvirt_xpath_node_save_restore(QvirtXPathNodeSave *save)
{
    if (save->ctxt)
        save->ctxt->node = save->node;
}

/* ---- Attributes ---- */

char *
qvirt_xml_prop(xmlNodePtr node, const char *name)
{
    xmlChar *value;
    char *copy;

    if (!node || !name)
        return NULL;
    value = xmlGetNoNsProp(node, BAD_CAST name);
    if (!value)
        return NULL;
    copy = g_strdup((const char *)value);
    xmlFree(value);
    return copy;
}

static void
xml_report_bad_prop(xmlNodePtr node, const char *name, const char *value, const char *expected)
{
    const char *element = node->name ? (const char *)node->name : "";

    if (expected)
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%s' for attribute '%s' of <%s>: expected %s"), value,
                           name, element, expected);
    else
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("invalid value '%s' for attribute '%s' of <%s>"),
                           value, name, element);
}

int
qvirt_xml_prop_int(xmlNodePtr node, const char *name, int *ret)
{
    g_autofree char *value = qvirt_xml_prop(node, name);

    if (!value)
        return -1;
    if (qvirt_strtoi(value, 10, ret) < 0) {
        xml_report_bad_prop(node, name, value, _("an integer"));
        return -2;
    }
    return 0;
}

int
qvirt_xml_prop_uint_base(xmlNodePtr node, const char *name, int base, unsigned int *ret)
{
    g_autofree char *value = qvirt_xml_prop(node, name);

    if (!value)
        return -1;
    if (qvirt_strtoui(value, base, ret) < 0) {
        xml_report_bad_prop(node, name, value, _("an unsigned integer"));
        return -2;
    }
    return 0;
}

int
qvirt_xml_prop_uint(xmlNodePtr node, const char *name, unsigned int *ret)
{
    return qvirt_xml_prop_uint_base(node, name, 10, ret);
}

int
qvirt_xml_prop_ullong(xmlNodePtr node, const char *name, unsigned long long *ret)
{
    g_autofree char *value = qvirt_xml_prop(node, name);

    if (!value)
        return -1;
    if (qvirt_strtoull(value, 10, ret) < 0) {
        xml_report_bad_prop(node, name, value, _("an unsigned integer"));
        return -2;
    }
    return 0;
}

int
qvirt_xml_prop_enum(xmlNodePtr node, const char *name, int (*from_string)(const char *),
                    int *ret)
{
    g_autofree char *value = qvirt_xml_prop(node, name);
    int val;

    if (!value)
        return -1;
    val = from_string(value);
    if (val < 0) {
        xml_report_bad_prop(node, name, value, NULL);
        return -2;
    }
    *ret = val;
    return 0;
}

/* ---- Formatting buffer ---- */

void
qvirt_buffer_clear(QvirtBuffer *buf)
{
    if (!buf)
        return;
    if (buf->str)
        g_string_free(buf->str, TRUE);
    buf->str = NULL;
    buf->indent = 0;
}

void
qvirt_buffer_init_child(QvirtBuffer *child, const QvirtBuffer *parent)
{
    qvirt_buffer_clear(child);
    child->indent = parent->indent + 2;
}

void
qvirt_buffer_add_indent(QvirtBuffer *buf, int delta)
{
    if (delta < 0 && -delta > buf->indent) {
        QVIRT_WARN("indentation %d %+d would go below 0", buf->indent, delta);
        buf->indent = 0;
        return;
    }
    buf->indent += delta;
}

int
qvirt_buffer_get_indent(const QvirtBuffer *buf)
{
    return buf->indent;
}

/* Add LEN bytes of TEXT, indented when the buffer is at a line start. */
static void
buffer_append(QvirtBuffer *buf, const char *text, size_t len)
{
    if (len == 0)
        return;
    if (!buf->str)
        buf->str = g_string_sized_new(256);
    if ((buf->str->len == 0 || buf->str->str[buf->str->len - 1] == '\n') && text[0] != '\n')
        g_string_append_printf(buf->str, "%*s", buf->indent, "");
    g_string_append_len(buf->str, text, (gssize)len);
}

void
qvirt_buffer_add(QvirtBuffer *buf, const char *str)
{
    if (str)
        buffer_append(buf, str, strlen(str));
}

void
qvirt_buffer_printf(QvirtBuffer *buf, const char *fmt, ...)
{
    va_list args;
    g_autofree char *text = NULL;

    va_start(args, fmt);
    text = g_strdup_vprintf(fmt, args);
    va_end(args);
    buffer_append(buf, text, strlen(text));
}

void
qvirt_xml_escape_append(GString *out, const char *str, unsigned int flags)
{
    gboolean quotes = (flags & QVIRT_XML_ESCAPE_QUOTES) != 0;
    gboolean cr = (flags & QVIRT_XML_ESCAPE_CR) != 0;
    gboolean tab_nl = (flags & QVIRT_XML_ESCAPE_TAB_NL) != 0;

    for (const unsigned char *p = (const unsigned char *)str; p && *p; p++) {
        switch (*p) {
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '\'':
            g_string_append(out, quotes ? "&apos;" : "'");
            break;
        case '"':
            g_string_append(out, quotes ? "&quot;" : "\"");
            break;
        case '\r':
            g_string_append(out, cr ? "&#13;" : "\r");
            break;
        case '\n':
            g_string_append(out, tab_nl ? "&#10;" : "\n");
            break;
        case '\t':
            g_string_append(out, tab_nl ? "&#9;" : "\t");
            break;
        default:
            /* XML 1.0 cannot carry other control characters at all. */
            if (*p >= 0x20)
                g_string_append_c(out, (char)*p);
            break;
        }
    }
}

void
qvirt_buffer_escape_string(QvirtBuffer *buf, const char *fmt, const char *str)
{
    g_autoptr(GString) out = NULL;
    gboolean used = FALSE;

    if (!str)
        return;
    out = g_string_sized_new(strlen(fmt) + strlen(str) + 16);
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 's' && !used) {
            qvirt_xml_escape_append(out, str, QVIRT_XML_ESCAPE_QUOTES);
            used = TRUE;
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            g_string_append_c(out, '%');
            p++;
        } else {
            /* Any other directive is a bug in the caller: keep it literally. */
            g_string_append_c(out, *p);
        }
    }
    buffer_append(buf, out->str, out->len);
}

void
qvirt_buffer_add_buffer(QvirtBuffer *buf, QvirtBuffer *child)
{
    if (child->str && child->str->len > 0) {
        if (!buf->str)
            buf->str = g_string_sized_new(child->str->len + 1);
        g_string_append_len(buf->str, child->str->str, (gssize)child->str->len);
    }
    qvirt_buffer_clear(child);
}

gboolean
qvirt_buffer_is_empty(const QvirtBuffer *buf)
{
    return !buf->str || buf->str->len == 0;
}

const char *
qvirt_buffer_peek(const QvirtBuffer *buf)
{
    return buf->str ? buf->str->str : "";
}

char *
qvirt_buffer_steal(QvirtBuffer *buf)
{
    char *content;

    if (!buf->str) {
        content = g_strdup("");
    } else {
        content = g_string_free(buf->str, FALSE);
        buf->str = NULL;
    }
    buf->indent = 0;
    return content;
}

void
qvirt_xml_format_element(QvirtBuffer *buf, const char *name, QvirtBuffer *attr_buf,
                         QvirtBuffer *child_buf)
{
    gboolean no_attrs = !attr_buf || qvirt_buffer_is_empty(attr_buf);
    gboolean no_children = !child_buf || qvirt_buffer_is_empty(child_buf);

    if (no_attrs && no_children)
        return;
    qvirt_buffer_printf(buf, "<%s", name);
    if (!no_attrs)
        qvirt_buffer_add_buffer(buf, attr_buf);
    if (no_children) {
        qvirt_buffer_add(buf, "/>\n");
    } else {
        qvirt_buffer_add(buf, ">\n");
        qvirt_buffer_add_buffer(buf, child_buf);
        qvirt_buffer_printf(buf, "</%s>\n", name);
    }
    qvirt_buffer_clear(attr_buf);
    qvirt_buffer_clear(child_buf);
}

/* xml.h: safe XML parsing over libxml2, XPath and attribute getters, and the
 * buffer that formats XML with libvirt's indentation and escaping.
 *
 * Contract:
 * - Parsing never touches the network, never loads a DTD or an external
 *   entity, and never substitutes entities: a document that declares an
 *   entity (<!ENTITY ...>) is rejected outright, which also stops
 *   "billion laughs" expansion. libxml2 prints nothing: its diagnostics are
 *   captured for the calling thread only, and the first error becomes ONE
 *   qvirt error, XML_ERROR, "XML error in <what> at line N: <libxml2 text>".
 *   Any error-level diagnostic fails the parse, even one libxml2 could
 *   recover from (e.g. an undeclared namespace prefix).
 * - Getters that read an optional value return 0 when found (*ret written),
 *   -1 when absent (nothing reported) and -2 when present but invalid (an
 *   XML_ERROR naming the value and where it was, or INTERNAL_ERROR for a
 *   malformed XPath expression, which is a bug in the caller).
 * - Strings returned by the getters are plain C strings: free with g_free.
 * - Safe to use from several threads at once, each on its own documents. */
#pragma once

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)

/* Largest XML file qvirt_xml_parse_file reads. */
#define QVIRT_XML_MAX_FILE_SIZE (10 * 1024 * 1024)

/* Initialise libxml2 once per process; the parse functions call it. */
void qvirt_xml_init(void);

/* Parse the NUL-terminated XML. WHAT names the document in the error message
 * ("domain definition"); NULL means "document". On success returns the
 * document (free with xmlFreeDoc) and, when RET_CTXT is not NULL, a new XPath
 * context whose current node is the root element (free with
 * xmlXPathFreeContext, before the document). Returns NULL with XML_ERROR
 * reported on a document that is not well formed or declares entities. */
xmlDocPtr qvirt_xml_parse_string(const char *xml, const char *what, xmlXPathContextPtr *ret_ctxt);

/* The same for the file PATH (at most QVIRT_XML_MAX_FILE_SIZE bytes). Errors
 * name both WHAT and PATH; a file that cannot be read is a system error. */
xmlDocPtr qvirt_xml_parse_file(const char *path, const char *what, xmlXPathContextPtr *ret_ctxt);

/* ---- XPath getters, relative to ctxt->node ---- */

/* The string value of XPATH: for a node set, that of its first node. NULL
 * when absent or empty (nothing reported), or when XPATH is malformed
 * (INTERNAL_ERROR reported). */
char *qvirt_xpath_string(const char *xpath, xmlXPathContextPtr ctxt);

/* The value of XPATH as a decimal number: 0 found, -1 absent, -2 invalid
 * (XML_ERROR naming XPATH and the value, e.g. a negative or too large one). */
int qvirt_xpath_int(const char *xpath, xmlXPathContextPtr ctxt, int *ret);
int qvirt_xpath_uint(const char *xpath, xmlXPathContextPtr ctxt, unsigned int *ret);
int qvirt_xpath_ullong(const char *xpath, xmlXPathContextPtr ctxt, unsigned long long *ret);

/* The truth of XPATH ("boolean(./acpi)", "count(./disk) > 1", or a node set,
 * true when not empty): 1 or 0, or -1 with INTERNAL_ERROR if malformed. */
int qvirt_xpath_boolean(const char *xpath, xmlXPathContextPtr ctxt);

/* The nodes selected by XPATH, in document order: returns their count and,
 * when RET_NODES is not NULL, a new array of them (free with g_free; NULL
 * when the count is 0). -1 with INTERNAL_ERROR when XPATH is malformed or
 * does not select nodes. */
int qvirt_xpath_node_set(const char *xpath, xmlXPathContextPtr ctxt, xmlNodePtr **ret_nodes);

/* The first node selected by XPATH, or NULL when none (nothing reported) or
 * when XPATH is malformed (INTERNAL_ERROR reported). */
xmlNodePtr qvirt_xpath_node(const char *xpath, xmlXPathContextPtr ctxt);

/* Restore ctxt->node when the enclosing scope ends, so a parser function can
 * move the context to a child element without undoing it on every return. */
typedef struct {
    xmlXPathContextPtr ctxt;
    xmlNodePtr node;
} QvirtXPathNodeSave;
void qvirt_xpath_node_save_restore(QvirtXPathNodeSave *save);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(QvirtXPathNodeSave, qvirt_xpath_node_save_restore)
#define QVIRT_XPATH_NODE_AUTORESTORE(ctxt) \
    g_auto(QvirtXPathNodeSave) G_PASTE(qvirt_xpath_node_save_, __LINE__) = { (ctxt), (ctxt)->node }

/* ---- Attributes of one element (without namespace) ---- */

/* The value of attribute NAME of NODE, or NULL when absent (nothing
 * reported). A present but empty attribute gives "". */
char *qvirt_xml_prop(xmlNodePtr node, const char *name);

/* Attribute NAME as a number: 0 found, -1 absent, -2 invalid with XML_ERROR
 * "invalid value 'x' for attribute 'name' of <element>: expected ...". The
 * plain variants read decimal; qvirt_xml_prop_uint_base takes BASE as
 * strtoul does (16 accepts an optional "0x", 0 accepts C's prefixes). */
int qvirt_xml_prop_int(xmlNodePtr node, const char *name, int *ret);
int qvirt_xml_prop_uint(xmlNodePtr node, const char *name, unsigned int *ret);
int qvirt_xml_prop_uint_base(xmlNodePtr node, const char *name, int base, unsigned int *ret);
int qvirt_xml_prop_ullong(xmlNodePtr node, const char *name, unsigned long long *ret);

/* Attribute NAME converted by FROM_STRING (an enum's ..._from_string, which
 * returns a negative value for an unknown string): 0 found, -1 absent, -2
 * invalid with XML_ERROR "invalid value 'foo' for attribute 'bus' of <target>". */
int qvirt_xml_prop_enum(xmlNodePtr node, const char *name, int (*from_string)(const char *),
                        int *ret);

/* ---- Formatting ----
 *
 * QvirtBuffer collects text, starting each line with `indent` spaces: text
 * added while the buffer is at the start of a line (empty, or after '\n') is
 * indented; text after a '\n' inside one call is not, so multi-line text
 * content is kept as it is. Use one call per line. Declare as
 *   g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;
 * libvirt's style is 2 spaces per level: qvirt_buffer_add_indent(&buf, 2). */
typedef struct {
    GString *str; /* NULL while empty */
    int indent;
} QvirtBuffer;

#define QVIRT_BUFFER_INIT { NULL, 0 }

/* Drop the content and reset the indentation. */
void qvirt_buffer_clear(QvirtBuffer *buf);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(QvirtBuffer, qvirt_buffer_clear)

/* Make CHILD an empty buffer indented one level (2 spaces) deeper than PARENT,
 * for the content of an element formatted by qvirt_xml_format_element. */
void qvirt_buffer_init_child(QvirtBuffer *child, const QvirtBuffer *parent);

/* Change the indentation by DELTA spaces; it never goes below 0. */
void qvirt_buffer_add_indent(QvirtBuffer *buf, int delta);
int qvirt_buffer_get_indent(const QvirtBuffer *buf);

/* Add STR as it is (no escaping). */
void qvirt_buffer_add(QvirtBuffer *buf, const char *str);
void qvirt_buffer_printf(QvirtBuffer *buf, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Add FMT with its one "%s" replaced by STR escaped for XML text and
 * attributes (< > & ' " become entities; control characters that XML cannot
 * carry are dropped). "%%" gives "%". Nothing is added when STR is NULL, so
 * optional elements need no test. */
void qvirt_buffer_escape_string(QvirtBuffer *buf, const char *fmt, const char *str);

/* How qvirt_xml_escape_append escapes beyond & < > (always entities). */
typedef enum {
    QVIRT_XML_ESCAPE_QUOTES = 1 << 0, /* ' and " as entities (attribute values) */
    QVIRT_XML_ESCAPE_CR = 1 << 1,     /* \r as &#13; (a parser would drop it) */
    QVIRT_XML_ESCAPE_TAB_NL = 1 << 2, /* \t and \n as &#9; and &#10; (a parser
                                       * turns them into spaces in attributes) */
} QvirtXmlEscapeFlags;

/* Append STR (NULL appends nothing) to OUT escaped for XML as FLAGS
 * (QvirtXmlEscapeFlags) say; control characters XML 1.0 cannot carry are
 * dropped. */
void qvirt_xml_escape_append(GString *out, const char *str, unsigned int flags);

/* Append the content of CHILD verbatim, then clear CHILD. */
void qvirt_buffer_add_buffer(QvirtBuffer *buf, QvirtBuffer *child);

gboolean qvirt_buffer_is_empty(const QvirtBuffer *buf);
/* The content so far ("" when empty); valid until the buffer changes. */
const char *qvirt_buffer_peek(const QvirtBuffer *buf);
/* The content (never NULL; free with g_free); the buffer is left empty, its
 * indentation reset. */
char *qvirt_buffer_steal(QvirtBuffer *buf);

/* Format element NAME: "<NAME" ATTR_BUF "/>\n" when CHILD_BUF is empty (or
 * NULL), else "<NAME" ATTR_BUF ">\n" CHILD_BUF "</NAME>\n". ATTR_BUF holds
 * " key='value'" pairs; CHILD_BUF comes from qvirt_buffer_init_child. Nothing
 * is written when both are empty. Both buffers are cleared. */
void qvirt_xml_format_element(QvirtBuffer *buf, const char *name, QvirtBuffer *attr_buf,
                              QvirtBuffer *child_buf);

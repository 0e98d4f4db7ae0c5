/* test-xml.c: safe XML parsing, XPath and attribute getters, error capture
 * and the formatting buffer. */
#include <config.h>

#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/xml.h"

static const char xml_domain[] =
    "<domain type='kvm'>\n"
    "  <name>web1</name>\n"
    "  <memory unit='KiB'>1048576</memory>\n"
    "  <vcpu placement='static'>2</vcpu>\n"
    "  <offset>-5</offset>\n"
    "  <empty></empty>\n"
    "  <bad>12abc</bad>\n"
    "  <neg>-1</neg>\n"
    "  <big>4294967296</big>\n"
    "  <huge>18446744073709551615</huge>\n"
    "  <description>a &lt;b&gt; &amp; c</description>\n"
    "  <devices>\n"
    "    <disk bus='virtio' index='3' slot='0x1f' size='' neg='-1'/>\n"
    "    <disk bus='floppy' index='x'/>\n"
    "    <disk/>\n"
    "  </devices>\n"
    "</domain>\n";

typedef struct {
    xmlDocPtr doc;
    xmlXPathContextPtr ctxt;
} XmlFixture;

static void
xml_fixture_setup(XmlFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    fx->doc = qvirt_xml_parse_string(xml_domain, "domain definition", &fx->ctxt);
    g_assert_nonnull(fx->doc);
    g_assert_nonnull(fx->ctxt);
    qvirt_error_reset();
}

static void
xml_fixture_teardown(XmlFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    xmlXPathFreeContext(fx->ctxt);
    xmlFreeDoc(fx->doc);
}

static void
test_xml_xpath_string(XmlFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *name = qvirt_xpath_string("./name", fx->ctxt);
    g_autofree char *name2 = qvirt_xpath_string("string(/domain/name)", fx->ctxt);
    g_autofree char *type = qvirt_xpath_string("./@type", fx->ctxt);
    g_autofree char *desc = qvirt_xpath_string("./description", fx->ctxt);

    g_assert_cmpstr((const char *)xmlDocGetRootElement(fx->doc)->name, ==, "domain");
    g_assert_true(fx->ctxt->node == xmlDocGetRootElement(fx->doc));
    g_assert_cmpstr(name, ==, "web1");
    g_assert_cmpstr(name2, ==, "web1");
    g_assert_cmpstr(type, ==, "kvm");
    g_assert_cmpstr(desc, ==, "a <b> & c");
    /* Absent and empty are both NULL, and neither is an error. */
    g_assert_null(qvirt_xpath_string("./title", fx->ctxt));
    g_assert_null(qvirt_xpath_string("./empty", fx->ctxt));
    g_assert_null(qvirt_error_get_last());
}

static void
test_xml_xpath_numbers(XmlFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    unsigned int u = 77;
    unsigned long long ull = 77;
    int i = 77;

    g_assert_cmpint(qvirt_xpath_uint("./vcpu", fx->ctxt, &u), ==, 0);
    g_assert_cmpuint(u, ==, 2);
    g_assert_cmpint(qvirt_xpath_uint("count(./devices/disk)", fx->ctxt, &u), ==, 0);
    g_assert_cmpuint(u, ==, 3);
    g_assert_cmpint(qvirt_xpath_ullong("./memory", fx->ctxt, &ull), ==, 0);
    g_assert_cmpuint(ull, ==, 1048576);
    g_assert_cmpint(qvirt_xpath_ullong("./huge", fx->ctxt, &ull), ==, 0);
    g_assert_cmpuint(ull, ==, G_MAXUINT64);
    g_assert_cmpint(qvirt_xpath_int("./offset", fx->ctxt, &i), ==, 0);
    g_assert_cmpint(i, ==, -5);

    /* Absent: -1, output untouched, nothing reported. */
    u = 77;
    g_assert_cmpint(qvirt_xpath_uint("./currentMemory", fx->ctxt, &u), ==, -1);
    g_assert_cmpint(qvirt_xpath_int("./empty", fx->ctxt, &i), ==, -1);
    g_assert_cmpuint(u, ==, 77);
    g_assert_null(qvirt_error_get_last());

    /* Invalid: -2 with an error naming the value and the XPath. */
    g_assert_cmpint(qvirt_xpath_uint("./bad", fx->ctxt, &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "invalid value '12abc' for './bad'");
    g_assert_cmpint(qvirt_xpath_uint("./neg", fx->ctxt, &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "'-1'");
    g_assert_cmpint(qvirt_xpath_uint("./big", fx->ctxt, &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "'4294967296'");
    g_assert_cmpint(qvirt_xpath_ullong("./neg", fx->ctxt, &ull), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "expected an unsigned integer");
    g_assert_cmpint(qvirt_xpath_int("./huge", fx->ctxt, &i), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "'18446744073709551615' for './huge'");
    g_assert_cmpuint(u, ==, 77);
    g_assert_cmpint(i, ==, -5);
}

static void
test_xml_xpath_nodes(XmlFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree xmlNodePtr *nodes = NULL;
    xmlNodePtr devices;

    g_assert_cmpint(qvirt_xpath_node_set("./devices/disk", fx->ctxt, &nodes), ==, 3);
    g_assert_cmpstr((const char *)nodes[0]->name, ==, "disk");
    g_assert_cmpint(qvirt_xpath_node_set("./devices/disk", fx->ctxt, NULL), ==, 3);
    g_assert_cmpint(qvirt_xpath_node_set("./devices/controller", fx->ctxt, NULL), ==, 0);

    g_assert_cmpint(qvirt_xpath_boolean("count(./devices/disk) > 2", fx->ctxt), ==, 1);
    g_assert_cmpint(qvirt_xpath_boolean("./devices/disk", fx->ctxt), ==, 1);
    g_assert_cmpint(qvirt_xpath_boolean("boolean(./features/acpi)", fx->ctxt), ==, 0);

    devices = qvirt_xpath_node("./devices", fx->ctxt);
    g_assert_nonnull(devices);
    g_assert_null(qvirt_xpath_node("./features", fx->ctxt));
    g_assert_null(qvirt_error_get_last());

    /* Moving the current node is undone at the end of the scope. */
    {
        QVIRT_XPATH_NODE_AUTORESTORE(fx->ctxt);
        g_autofree char *bus = NULL;

        fx->ctxt->node = devices;
        bus = qvirt_xpath_string("./disk[2]/@bus", fx->ctxt);
        g_assert_cmpstr(bus, ==, "floppy");
    }
    g_assert_true(fx->ctxt->node == xmlDocGetRootElement(fx->doc));
}

static void
test_xml_xpath_malformed(XmlFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    unsigned int u = 5;
    xmlNodePtr *nodes = NULL;

    g_assert_null(qvirt_xpath_string("./name[", fx->ctxt));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "invalid XPath expression './name['");
    g_assert_cmpint(qvirt_xpath_uint("./vcpu)", fx->ctxt, &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'./vcpu)'");
    g_assert_cmpint(qvirt_xpath_boolean("count(", fx->ctxt), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "count(");
    g_assert_cmpint(qvirt_xpath_node_set("count(./devices/disk)", fx->ctxt, &nodes), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "does not select nodes");
    g_assert_null(nodes);
    g_assert_null(qvirt_xpath_node("string(./name)", fx->ctxt));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "does not select nodes");
    g_assert_cmpuint(u, ==, 5);
}

typedef enum {
    TEST_BUS_IDE,
    TEST_BUS_VIRTIO,
    TEST_BUS_SCSI,
} TestBus;

static int
test_bus_from_string(const char *str)
{
    static const char *const names[] = { "ide", "virtio", "scsi" };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (strcmp(str, names[i]) == 0)
            return (int)i;
    }
    return -1;
}

static void
test_xml_props(XmlFixture *fx, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree xmlNodePtr *disks = NULL;
    g_autofree char *bus = NULL;
    g_autofree char *size = NULL;
    unsigned int u = 9;
    unsigned long long ull = 9;
    int i = 9;
    int e = 9;

    g_assert_cmpint(qvirt_xpath_node_set("./devices/disk", fx->ctxt, &disks), ==, 3);

    bus = qvirt_xml_prop(disks[0], "bus");
    g_assert_cmpstr(bus, ==, "virtio");
    size = qvirt_xml_prop(disks[0], "size");
    g_assert_cmpstr(size, ==, "");
    g_assert_null(qvirt_xml_prop(disks[2], "bus"));

    g_assert_cmpint(qvirt_xml_prop_uint(disks[0], "index", &u), ==, 0);
    g_assert_cmpuint(u, ==, 3);
    g_assert_cmpint(qvirt_xml_prop_ullong(disks[0], "index", &ull), ==, 0);
    g_assert_cmpuint(ull, ==, 3);
    g_assert_cmpint(qvirt_xml_prop_int(disks[0], "neg", &i), ==, 0);
    g_assert_cmpint(i, ==, -1);
    g_assert_cmpint(qvirt_xml_prop_uint_base(disks[0], "slot", 16, &u), ==, 0);
    g_assert_cmpuint(u, ==, 0x1f);
    g_assert_cmpint(qvirt_xml_prop_enum(disks[0], "bus", test_bus_from_string, &e), ==, 0);
    g_assert_cmpint(e, ==, TEST_BUS_VIRTIO);

    /* Absent: -1, nothing reported. */
    qvirt_error_reset();
    u = 9;
    e = 9;
    g_assert_cmpint(qvirt_xml_prop_uint(disks[2], "index", &u), ==, -1);
    g_assert_cmpint(qvirt_xml_prop_enum(disks[2], "bus", test_bus_from_string, &e), ==, -1);
    g_assert_null(qvirt_error_get_last());

    /* Invalid: -2 naming value, attribute and element. */
    g_assert_cmpint(qvirt_xml_prop_uint(disks[1], "index", &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR,
                            "invalid value 'x' for attribute 'index' of <disk>: "
                            "expected an unsigned integer");
    g_assert_cmpint(qvirt_xml_prop_uint(disks[0], "neg", &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "invalid value '-1' for attribute 'neg'");
    g_assert_cmpint(qvirt_xml_prop_uint(disks[0], "size", &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "invalid value '' for attribute 'size'");
    g_assert_cmpint(qvirt_xml_prop_uint(disks[0], "slot", &u), ==, -2); /* hex needs base */
    g_assert_cmpint(qvirt_xml_prop_int(disks[1], "index", &i), ==, -2);
    g_assert_cmpint(qvirt_xml_prop_ullong(disks[0], "neg", &ull), ==, -2);
    g_assert_cmpint(qvirt_xml_prop_enum(disks[1], "bus", test_bus_from_string, &e), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR,
                            "invalid value 'floppy' for attribute 'bus' of <disk>");
    g_assert_cmpuint(u, ==, 9);
    g_assert_cmpint(i, ==, -1);
    g_assert_cmpuint(ull, ==, 3);
    g_assert_cmpint(e, ==, 9);
}

/* Parse XML expecting failure; assert an XML_ERROR containing NEEDLE. */
static void
xml_assert_rejected(const char *xml, const char *needle)
{
    xmlXPathContextPtr ctxt = NULL;

    qvirt_error_reset();
    g_assert_null(qvirt_xml_parse_string(xml, "domain definition", &ctxt));
    g_assert_null(ctxt);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, needle);
}

static void
test_xml_not_well_formed(void)
{
    xml_assert_rejected("<domain>\n  <name>x</name>\n  <a></b>\n</domain>\n",
                        "XML error in domain definition at line 3: "
                        "Opening and ending tag mismatch");
    xml_assert_rejected("<domain>\n<name>x</name>\n", "XML error in domain definition at line");
    xml_assert_rejected("", "XML error in domain definition");
    xml_assert_rejected("   ", "XML error in domain definition");
    xml_assert_rejected("<a b='1' b='2'/>", "at line 1: Attribute b redefined");
    xml_assert_rejected("<a>&undefined;</a>", "Entity 'undefined' not defined");
    xml_assert_rejected("<a/><b/>", "Extra content at the end of the document");
    xml_assert_rejected("<a>\xff\xfe</a>", "line 1");
    xml_assert_rejected("<q:a/>", "Namespace prefix q on a is not defined");
    xml_assert_rejected("just text", "Start tag expected");

    qvirt_error_reset();
    g_assert_null(qvirt_xml_parse_string(NULL, NULL, NULL));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "XML error in document");
}

static void
test_xml_deep_nesting(void)
{
    GString *xml = g_string_new(NULL);

    for (int i = 0; i < 100000; i++)
        g_string_append(xml, "<a>");
    xml_assert_rejected(xml->str, "XML error in domain definition");
    g_string_free(xml, TRUE);
}

static void
test_xml_billion_laughs(void)
{
    static const char laughs[] =
        "<?xml version='1.0'?>\n"
        "<!DOCTYPE domain [\n"
        " <!ENTITY a 'aaaaaaaaaa'>\n"
        " <!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n"
        " <!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>\n"
        " <!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>\n"
        " <!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>\n"
        " <!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>\n"
        " <!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>\n"
        " <!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'>\n"
        " <!ENTITY i '&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;'>\n"
        "]>\n"
        "<domain><name>&i;</name></domain>\n";
    const QvirtError *err;

    /* Fully expanded, <name> would hold 10^9 characters. The document is
     * rejected at the first declaration, before any expansion. */
    xml_assert_rejected(laughs, "at line 3: entity declarations are not allowed (entity 'a')");
    err = qvirt_error_get_last();
    g_assert_cmpuint(strlen(err->message), <, 200);
}

static void
test_xml_external_entity(void)
{
    static const char external[] =
        "<!DOCTYPE domain [\n"
        "<!ENTITY passwd SYSTEM 'file:///etc/passwd'>\n"
        "]>\n"
        "<domain><name>&passwd;</name></domain>\n";
    static const char parameter[] =
        "<!DOCTYPE domain [\n"
        "<!ENTITY % remote SYSTEM 'http://127.0.0.1:1/evil.dtd'>\n"
        "%remote;\n"
        "]>\n"
        "<domain/>\n";
    static const char external_dtd[] =
        "<!DOCTYPE domain SYSTEM 'file:///etc/passwd'>\n"
        "<domain><name>x</name></domain>\n";
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autofree char *name = NULL;

    xml_assert_rejected(external, "at line 2: entity declarations are not allowed "
                                  "(entity 'passwd')");
    g_assert_null(strstr(qvirt_error_last_message(), "root:"));
    xml_assert_rejected(parameter, "entity declarations are not allowed (entity 'remote')");

    /* A DOCTYPE naming an external DTD is harmless: the DTD is not loaded. */
    doc = qvirt_xml_parse_string(external_dtd, "domain definition", &ctxt);
    g_assert_nonnull(doc);
    g_assert_null(doc->extSubset);
    name = qvirt_xpath_string("./name", ctxt);
    g_assert_cmpstr(name, ==, "x");
}

/* In a child process, provoke every kind of libxml2 diagnostic; the parent
 * checks that libxml2 printed none of them itself. */
static void
test_xml_silent(void)
{
    if (g_test_subprocess()) {
        g_autoptr(xmlDoc) doc = NULL;
        g_autoptr(xmlXPathContext) ctxt = NULL;

        g_assert_null(qvirt_xml_parse_string("<a>\n</b>", "x", NULL));
        g_assert_null(qvirt_xml_parse_string("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "x",
                                             NULL));
        g_assert_null(qvirt_xml_parse_string("<a xmlns='not absolute'><q:b/></a>", "x", NULL));
        doc = qvirt_xml_parse_string("<a xmlns:x='relative'/>", "x", &ctxt);
        g_assert_nonnull(doc);
        g_assert_null(qvirt_xpath_string("./b[", ctxt));
        g_assert_cmpint(qvirt_xpath_boolean("))", ctxt), ==, -1);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr_unmatched("*parser error*");
    g_test_trap_assert_stderr_unmatched("*namespace error*");
    g_test_trap_assert_stderr_unmatched("*XPath error*");
    g_test_trap_assert_stderr_unmatched("*warning :*");
}

/* Each thread gets its own diagnostics, even while others parse. */
static gpointer
xml_thread_parse(gpointer data)
{
    int line = GPOINTER_TO_INT(data);
    g_autofree char *needle = g_strdup_printf("XML error in thread doc at line %d:", line);
    g_autoptr(GString) xml = g_string_new("<a>");

    for (int i = 1; i < line; i++)
        g_string_append(xml, "\n");
    g_string_append(xml, "</b>");
    for (int round = 0; round < 200; round++) {
        const QvirtError *err;

        if (qvirt_xml_parse_string(xml->str, "thread doc", NULL))
            return GINT_TO_POINTER(FALSE);
        err = qvirt_error_get_last();
        if (!err || err->code != QVIRT_ERR_XML_ERROR || !strstr(err->message, needle))
            return GINT_TO_POINTER(FALSE);
    }
    return GINT_TO_POINTER(TRUE);
}

static void
test_xml_threads(void)
{
    GThread *threads[4];

    for (int i = 0; i < 4; i++)
        threads[i] = g_thread_new("xml", xml_thread_parse, GINT_TO_POINTER(i + 2));
    for (int i = 0; i < 4; i++)
        g_assert_true(GPOINTER_TO_INT(g_thread_join(threads[i])));
}

static void
test_xml_parse_file(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *good = g_build_filename(dir, "web1.xml", NULL);
    g_autofree char *bad = g_build_filename(dir, "bad.xml", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.xml", NULL);
    g_autofree char *needle = NULL;
    xmlXPathContextPtr ctxt = NULL;
    xmlDocPtr doc;
    unsigned int vcpu = 0;

    g_assert_true(g_file_set_contents(good, xml_domain, -1, NULL));
    g_assert_true(g_file_set_contents(bad, "<domain>\n<vcpu>2</vcpu>\n<oops>\n</domain>\n", -1,
                                      NULL));

    doc = qvirt_xml_parse_file(good, "domain definition", &ctxt);
    g_assert_nonnull(doc);
    g_assert_cmpint(qvirt_xpath_uint("./vcpu", ctxt, &vcpu), ==, 0);
    g_assert_cmpuint(vcpu, ==, 2);
    xmlXPathFreeContext(ctxt);
    xmlFreeDoc(doc);

    /* Without RET_CTXT only the document is returned. */
    doc = qvirt_xml_parse_file(good, NULL, NULL);
    g_assert_nonnull(doc);
    xmlFreeDoc(doc);

    qvirt_error_reset();
    g_assert_null(qvirt_xml_parse_file(bad, "domain definition", NULL));
    needle = g_strdup_printf("XML error in domain definition '%s' at line 4: ", bad);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, needle);

    qvirt_error_reset();
    g_assert_null(qvirt_xml_parse_file(missing, "domain definition", NULL));
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, missing);

    qvirt_test_rmtree(dir);
}

static void
test_xml_buffer_escape(void)
{
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;
    g_autofree char *out = NULL;

    qvirt_buffer_escape_string(&buf, "<name>%s</name>\n", "a<b>&'c\"");
    qvirt_buffer_escape_string(&buf, "<title>%s</title>\n", NULL); /* skipped */
    qvirt_buffer_escape_string(&buf, "<d v='%s'/>\n", "x\001y\tz");
    qvirt_buffer_escape_string(&buf, "<p>100%% %s</p>\n", "sure");
    qvirt_buffer_escape_string(&buf, "<t>%s</t>\n", "");
    out = qvirt_buffer_steal(&buf);
    g_assert_cmpstr(out, ==,
                    "<name>a&lt;b&gt;&amp;&apos;c&quot;</name>\n"
                    "<d v='xy\tz'/>\n"
                    "<p>100% sure</p>\n"
                    "<t></t>\n");
    g_assert_true(qvirt_buffer_is_empty(&buf));
}

static void
test_xml_buffer_indent(void)
{
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;
    g_autofree char *out = NULL;
    g_autofree char *empty = NULL;

    empty = qvirt_buffer_steal(&buf);
    g_assert_cmpstr(empty, ==, "");

    qvirt_buffer_add(&buf, "<domain type='kvm'>\n");
    qvirt_buffer_add_indent(&buf, 2);
    qvirt_buffer_escape_string(&buf, "<name>%s</name>\n", "web&1");
    qvirt_buffer_printf(&buf, "<vcpu>%u</vcpu>\n", 4u);
    /* Several calls on one line: only the first is indented. */
    qvirt_buffer_add(&buf, "<memory");
    qvirt_buffer_printf(&buf, " unit='%s'", "KiB");
    qvirt_buffer_add(&buf, ">1024</memory>\n");
    /* Multi-line text is kept as it is. */
    qvirt_buffer_escape_string(&buf, "<description>%s</description>\n", "line1\nline2");
    qvirt_buffer_add(&buf, "\n");
    qvirt_buffer_add_indent(&buf, 2);
    qvirt_buffer_add(&buf, "<deeper/>\n");
    g_assert_cmpint(qvirt_buffer_get_indent(&buf), ==, 4);
    qvirt_buffer_add_indent(&buf, -4);
    qvirt_buffer_add(&buf, "</domain>\n");
    g_assert_cmpstr(qvirt_buffer_peek(&buf), ==,
                    "<domain type='kvm'>\n"
                    "  <name>web&amp;1</name>\n"
                    "  <vcpu>4</vcpu>\n"
                    "  <memory unit='KiB'>1024</memory>\n"
                    "  <description>line1\nline2</description>\n"
                    "\n"
                    "    <deeper/>\n"
                    "</domain>\n");

    /* The indentation never goes below zero. */
    qvirt_buffer_add_indent(&buf, -10);
    g_assert_cmpint(qvirt_buffer_get_indent(&buf), ==, 0);

    out = qvirt_buffer_steal(&buf);
    g_assert_nonnull(strstr(out, "<deeper/>"));
    g_assert_cmpstr(qvirt_buffer_peek(&buf), ==, "");
}

static void
test_xml_format_element(void)
{
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;
    g_auto(QvirtBuffer) attrs = QVIRT_BUFFER_INIT;
    g_auto(QvirtBuffer) child = QVIRT_BUFFER_INIT;
    g_autofree char *out = NULL;

    qvirt_buffer_add(&buf, "<devices>\n");
    qvirt_buffer_add_indent(&buf, 2);

    /* Attributes only: self-closing. */
    qvirt_buffer_escape_string(&attrs, " type='%s'", "file");
    qvirt_buffer_init_child(&child, &buf);
    qvirt_xml_format_element(&buf, "disk", &attrs, &child);

    /* Attributes and children. */
    qvirt_buffer_escape_string(&attrs, " bus='%s'", "virtio");
    qvirt_buffer_init_child(&child, &buf);
    qvirt_buffer_escape_string(&child, "<source file='%s'/>\n", "/img/a'b.qcow2");
    qvirt_xml_format_element(&buf, "disk", &attrs, &child);

    /* Neither: nothing at all. */
    qvirt_buffer_init_child(&child, &buf);
    qvirt_xml_format_element(&buf, "controller", &attrs, &child);
    qvirt_xml_format_element(&buf, "controller", NULL, NULL);

    qvirt_buffer_add_indent(&buf, -2);
    qvirt_buffer_add(&buf, "</devices>\n");
    g_assert_true(qvirt_buffer_is_empty(&attrs));
    g_assert_true(qvirt_buffer_is_empty(&child));
    out = qvirt_buffer_steal(&buf);
    g_assert_cmpstr(out, ==,
                    "<devices>\n"
                    "  <disk type='file'/>\n"
                    "  <disk bus='virtio'>\n"
                    "    <source file='/img/a&apos;b.qcow2'/>\n"
                    "  </disk>\n"
                    "</devices>\n");
}

/* What the buffer writes, libxml2 reads back to the same values. */
static void
test_xml_buffer_round_trip(void)
{
    static const char *const values[] = { "a<b", "x&y;", "it's \"quoted\"", "]]>", "&amp;" };
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;
    g_autofree char *xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;

    qvirt_buffer_add(&buf, "<r>\n");
    qvirt_buffer_add_indent(&buf, 2);
    for (size_t i = 0; i < G_N_ELEMENTS(values); i++)
        qvirt_buffer_escape_string(&buf, "<v a='%s'/>\n", values[i]);
    qvirt_buffer_escape_string(&buf, "<t>%s</t>\n", values[2]);
    qvirt_buffer_add_indent(&buf, -2);
    qvirt_buffer_add(&buf, "</r>\n");
    xml = qvirt_buffer_steal(&buf);

    doc = qvirt_xml_parse_string(xml, "round trip", &ctxt);
    g_assert_nonnull(doc);
    for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
        g_autofree char *xpath = g_strdup_printf("./v[%zu]/@a", i + 1);
        g_autofree char *value = qvirt_xpath_string(xpath, ctxt);

        g_assert_cmpstr(value, ==, values[i]);
    }
    {
        g_autofree char *text = qvirt_xpath_string("./t", ctxt);

        g_assert_cmpstr(text, ==, values[2]);
    }
}

void
test_xml_register(void)
{
    g_test_add("/util/xml/xpath-string", XmlFixture, NULL, xml_fixture_setup,
               test_xml_xpath_string, xml_fixture_teardown);
    g_test_add("/util/xml/xpath-numbers", XmlFixture, NULL, xml_fixture_setup,
               test_xml_xpath_numbers, xml_fixture_teardown);
    g_test_add("/util/xml/xpath-nodes", XmlFixture, NULL, xml_fixture_setup,
               test_xml_xpath_nodes, xml_fixture_teardown);
    g_test_add("/util/xml/xpath-malformed", XmlFixture, NULL, xml_fixture_setup,
               test_xml_xpath_malformed, xml_fixture_teardown);
    g_test_add("/util/xml/props", XmlFixture, NULL, xml_fixture_setup, test_xml_props,
               xml_fixture_teardown);
    g_test_add_func("/util/xml/not-well-formed", test_xml_not_well_formed);
    g_test_add_func("/util/xml/deep-nesting", test_xml_deep_nesting);
    g_test_add_func("/util/xml/billion-laughs", test_xml_billion_laughs);
    g_test_add_func("/util/xml/external-entity", test_xml_external_entity);
    g_test_add_func("/util/xml/silent", test_xml_silent);
    g_test_add_func("/util/xml/threads", test_xml_threads);
    g_test_add_func("/util/xml/parse-file", test_xml_parse_file);
    g_test_add_func("/util/xml/buffer-escape", test_xml_buffer_escape);
    g_test_add_func("/util/xml/buffer-indent", test_xml_buffer_indent);
    g_test_add_func("/util/xml/format-element", test_xml_format_element);
    g_test_add_func("/util/xml/buffer-round-trip", test_xml_buffer_round_trip);
}

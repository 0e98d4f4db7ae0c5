/* test-domainxml2xml.c: the domain XML parser and formatter against the
 * fixtures in data/, and unit tests of their helpers.
 *
 * For every data/NAME.xml there is exactly one of:
 * - NAME.out.xml: the canonical output. The input is parsed, formatted and
 *   compared; the output must parse and format identically (fixed point);
 *   a copy must format identically too. Inactive (PARSE_INACTIVE, then
 *   FORMAT_INACTIVE), or live (PARSE_STATUS, then the live format) when
 *   NAME contains "live".
 * - NAME.err: the expected error as virsh shows it, "<kind>: <message>"
 *   (e.g. "XML error: duplicate disk target 'vda'").
 * Any other file in data/, or a lone .out.xml/.err, fails the suite.
 * Generated UUIDs and MACs come from a fixed sequence, reset per case.
 * QVIRT_TEST_REGENERATE=1 rewrites the expected files from the results. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf.h"
#include "conf/domain_conf_priv.h"
#include "testfixture.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

static guint32 test_random_state;

/* A fixed sequence, so generated UUIDs and MACs are the same every run. */
static void
test_random_bytes(unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        test_random_state = test_random_state * 1103515245u + 12345u;
        buf[i] = (unsigned char)(test_random_state >> 16);
    }
}

static void
test_random_reset(void)
{
    test_random_state = 1;
}

/* ---- Fixture cases ---- */

typedef struct {
    char *name;     /* NAME of data/NAME.xml */
    gboolean error; /* NAME.err rather than NAME.out.xml */
} FixtureCase;

static void
fixture_case_free(gpointer data)
{
    FixtureCase *fc = data;

    g_free(fc->name);
    g_free(fc);
}

static void
test_fixture_output(const FixtureCase *fc)
{
    gboolean live = strstr(fc->name, "live") != NULL;
    unsigned int pflags = live ? DOMAIN_DEF_PARSE_STATUS : DOMAIN_DEF_PARSE_INACTIVE;
    unsigned int fflags = live ? 0 : DOMAIN_DEF_FORMAT_INACTIVE;
    g_autofree char *in_name = g_strdup_printf("%s.xml", fc->name);
    g_autofree char *out_name = g_strdup_printf("%s.out.xml", fc->name);
    g_autofree char *in_path = qvirt_test_fixture_path("domainxml2xml", in_name);
    g_autofree char *out_path = qvirt_test_fixture_path("domainxml2xml", out_name);
    g_autofree char *input = qvirt_test_fixture_read(in_path);
    g_autofree char *expected = qvirt_test_fixture_read(out_path);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) again = NULL;
    g_autoptr(DomainDef) copy = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *actual2 = NULL;
    g_autofree char *copied = NULL;
    g_autofree char *inactive = NULL;
    g_autofree char *inactive2 = NULL;

    test_random_reset();
    def = domain_def_parse_string(input, pflags);
    if (!def)
        g_error("%s: parse failed: %s", in_name, qvirt_error_last_message());
    actual = domain_def_format(def, fflags);
    qvirt_test_fixture_compare(out_path, expected, actual);

    /* Parse, format, parse again: a fixed point. */
    again = domain_def_parse_string(actual, pflags);
    if (!again)
        g_error("%s: output does not parse: %s", out_name, qvirt_error_last_message());
    actual2 = domain_def_format(again, fflags);
    g_assert_cmpstr(actual2, ==, actual);

    copy = domain_def_copy(def);
    g_assert_nonnull(copy);
    copied = domain_def_format(copy, fflags);
    g_assert_cmpstr(copied, ==, actual);

    /* The inactive form of any definition is a fixed point as well. */
    inactive = domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE);
    g_clear_pointer(&again, domain_def_free);
    again = domain_def_parse_string(inactive, DOMAIN_DEF_PARSE_INACTIVE);
    g_assert_nonnull(again);
    inactive2 = domain_def_format(again, DOMAIN_DEF_FORMAT_INACTIVE);
    g_assert_cmpstr(inactive2, ==, inactive);
    if (!live)
        g_assert_cmpstr(inactive, ==, actual);
}

static void
test_fixture_error(const FixtureCase *fc)
{
    g_autofree char *in_name = g_strdup_printf("%s.xml", fc->name);
    g_autofree char *err_name = g_strdup_printf("%s.err", fc->name);
    g_autofree char *in_path = qvirt_test_fixture_path("domainxml2xml", in_name);
    g_autofree char *err_path = qvirt_test_fixture_path("domainxml2xml", err_name);
    g_autofree char *input = qvirt_test_fixture_read(in_path);
    g_autofree char *expected = qvirt_test_fixture_read(err_path);
    g_autofree char *actual = NULL;
    unsigned int pflags =
        strstr(fc->name, "live") ? DOMAIN_DEF_PARSE_STATUS : DOMAIN_DEF_PARSE_INACTIVE;
    g_autoptr(DomainDef) def = NULL;

    test_random_reset();
    qvirt_error_reset();
    def = domain_def_parse_string(input, pflags);
    if (def) {
        g_autofree char *out = domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE);

        g_error("%s: parsed, but should fail with: %s\ngot:\n%s", in_name, expected, out);
    }
    actual = g_strdup_printf("%s: %s\n", qvirt_test_error_kind(qvirt_error_last_code()),
                             qvirt_error_last_message());
    qvirt_test_fixture_compare(err_path, expected, actual);
}

static void
test_fixture(gconstpointer data)
{
    const FixtureCase *fc = data;

    if (fc->error)
        test_fixture_error(fc);
    else
        test_fixture_output(fc);
}

/* Files of data/ that no case reads, found while registering. */
static GPtrArray *unused_fixtures;

static void
test_unused_fixtures(void)
{
    for (guint i = 0; i < unused_fixtures->len; i++)
        g_test_message("unused fixture file: data/%s",
                       (const char *)g_ptr_array_index(unused_fixtures, i));
    g_assert_cmpuint(unused_fixtures->len, ==, 0);
}

static int
test_compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
test_register_fixtures(GPtrArray *cases)
{
    g_autofree char *dir_path = qvirt_test_fixture_path("domainxml2xml", "");
    g_autoptr(GError) err = NULL;
    g_autoptr(GHashTable) files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(dir_path, 0, &err);
    const char *entry;

    if (!dir)
        g_error("cannot open %s: %s", dir_path, err->message);
    while ((entry = g_dir_read_name(dir))) {
        g_hash_table_add(files, g_strdup(entry));
        g_ptr_array_add(names, g_strdup(entry));
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, test_compare_names);

    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *base = NULL;
        g_autofree char *out = NULL;
        g_autofree char *errf = NULL;
        gboolean has_out;
        gboolean has_err;
        FixtureCase *fc;
        g_autofree char *path = NULL;

        if (!g_str_has_suffix(name, ".xml") || g_str_has_suffix(name, ".out.xml"))
            continue;
        base = g_strndup(name, strlen(name) - strlen(".xml"));
        out = g_strdup_printf("%s.out.xml", base);
        errf = g_strdup_printf("%s.err", base);
        has_out = g_hash_table_contains(files, out);
        has_err = g_hash_table_contains(files, errf);
        if (has_out == has_err)
            continue; /* neither or both: left unused, reported below */
        g_hash_table_remove(files, name);
        g_hash_table_remove(files, has_out ? out : errf);

        fc = g_new0(FixtureCase, 1);
        fc->name = g_steal_pointer(&base);
        fc->error = has_err;
        g_ptr_array_add(cases, fc);
        path = g_strdup_printf("/domainxml2xml/%s/%s", fc->error ? "error" : "output", fc->name);
        g_test_add_data_func(path, fc, test_fixture);
    }

    unused_fixtures = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);

        if (g_hash_table_contains(files, name))
            g_ptr_array_add(unused_fixtures, g_strdup(name));
    }
    g_test_add_func("/domainxml2xml/unused-fixtures", test_unused_fixtures);
}

/* ---- Unit tests ---- */

static const char minimal_xml[] =
    "<domain type='qemu'><name>t</name><memory>1024</memory><os><type>hvm</type></os>"
    "</domain>";

static void
test_disk_name_to_index(void)
{
    g_assert_cmpint(domain_disk_name_to_index("vda"), ==, 0);
    g_assert_cmpint(domain_disk_name_to_index("hdc"), ==, 2);
    g_assert_cmpint(domain_disk_name_to_index("sdz"), ==, 25);
    g_assert_cmpint(domain_disk_name_to_index("sdaa"), ==, 26);
    g_assert_cmpint(domain_disk_name_to_index("sdba"), ==, 52);
    g_assert_cmpint(domain_disk_name_to_index("vdzz"), ==, 701);
    g_assert_cmpint(domain_disk_name_to_index("vdaaa"), ==, 702);
    g_assert_cmpint(domain_disk_name_to_index("vd"), ==, -1);
    g_assert_cmpint(domain_disk_name_to_index("xvda"), ==, -1);
    g_assert_cmpint(domain_disk_name_to_index("vdA"), ==, -1);
    g_assert_cmpint(domain_disk_name_to_index("vda1"), ==, -1);
    g_assert_cmpint(domain_disk_name_to_index("vdzzzzzzzzzzzzzzzz"), ==, -1);
    g_assert_cmpint(domain_disk_name_to_index(NULL), ==, -1);
}

static void
test_mac(void)
{
    unsigned char mac[DOMAIN_MAC_BUFLEN] = {1, 2, 3, 4, 5, 6};
    unsigned char orig[DOMAIN_MAC_BUFLEN];
    char str[DOMAIN_MAC_STRING_BUFLEN];

    g_assert_cmpint(domain_mac_parse("52:54:00:AB:cd:0f", mac), ==, 0);
    domain_mac_format(mac, str);
    g_assert_cmpstr(str, ==, "52:54:00:ab:cd:0f");

    memcpy(orig, mac, sizeof(mac));
    g_assert_cmpint(domain_mac_parse("52:54:00:ab:cd", mac), ==, -1);
    g_assert_cmpint(domain_mac_parse("52:54:00:ab:cd:0g", mac), ==, -1);
    g_assert_cmpint(domain_mac_parse("52-54-00-ab-cd-0f", mac), ==, -1);
    g_assert_cmpint(domain_mac_parse("52:54:00:ab:cd:0f:", mac), ==, -1);
    g_assert_cmpint(domain_mac_parse(NULL, mac), ==, -1);
    g_assert_cmpmem(mac, sizeof(mac), orig, sizeof(orig));
}

static void
test_enums(void)
{
    /* The strings are what the XML carries: check a few, and round trips. */
    g_assert_cmpstr(domain_disk_bus_to_string(DOMAIN_DISK_BUS_SATA), ==, "sata");
    g_assert_cmpint(domain_disk_bus_from_string("virtio"), ==, DOMAIN_DISK_BUS_VIRTIO);
    g_assert_cmpint(domain_disk_bus_from_string("floppy"), ==, -1);
    g_assert_cmpint(domain_disk_bus_from_string(NULL), ==, -1);
    g_assert_null(domain_disk_bus_to_string(DOMAIN_DISK_BUS_LAST));
    g_assert_null(domain_disk_bus_to_string(-1));
    g_assert_cmpstr(domain_boot_dev_to_string(DOMAIN_BOOT_FLOPPY), ==, "fd");
    g_assert_cmpstr(domain_controller_model_usb_to_string(DOMAIN_CONTROLLER_MODEL_USB_QEMU_XHCI),
                    ==, "qemu-xhci");
    for (int i = 0; i < DOMAIN_LIFECYCLE_LAST; i++)
        g_assert_cmpint(domain_lifecycle_action_from_string(domain_lifecycle_action_to_string(i)),
                        ==, i);
    for (int i = 0; i < DOMAIN_NET_MODEL_LAST; i++)
        g_assert_cmpint(domain_net_model_from_string(domain_net_model_to_string(i)), ==, i);
}

static void
test_validate_name(void)
{
    g_autofree char *long_name = g_strnfill(DOMAIN_NAME_MAX_BYTES + 1, 'a');

    g_assert_cmpint(domain_def_validate_name("web-1 (test)"), ==, 0);
    g_assert_cmpint(domain_def_validate_name(""), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "must not be empty");
    g_assert_cmpint(domain_def_validate_name("a/b"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "must not contain '/'");
    g_assert_cmpint(domain_def_validate_name(".hidden"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "must not start with '.'");
    g_assert_cmpint(domain_def_validate_name(long_name), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "longer than 255 bytes");
    long_name[DOMAIN_NAME_MAX_BYTES] = '\0';
    g_assert_cmpint(domain_def_validate_name(long_name), ==, 0);
    g_assert_cmpint(domain_def_validate_name("caf\xc3"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "not valid UTF-8");
    g_assert_cmpint(domain_def_validate_name("a\nb"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "newline");
}

static void
test_generated_values(void)
{
    g_autoptr(DomainDef) a = NULL;
    g_autoptr(DomainDef) b = NULL;
    static const char xml[] =
        "<domain type='qemu'><name>t</name><memory>1024</memory><os><type>hvm</type></os>"
        "<devices><interface type='user'/></devices></domain>";

    /* The real random source: two parses differ, and are well-formed. */
    domain_conf_set_random_func(NULL);
    a = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);
    b = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_cmpmem(a->nets[0]->mac, 3, "\x52\x54\x00", 3);
    g_assert_false(memcmp(a->uuid, b->uuid, sizeof(a->uuid)) == 0 &&
                   memcmp(a->nets[0]->mac, b->nets[0]->mac, DOMAIN_MAC_BUFLEN) == 0);
    g_assert_cmpint(a->uuid[6] >> 4, ==, 4);
    g_assert_cmpint(a->uuid[8] & 0xc0, ==, 0x80);
    domain_conf_set_random_func(test_random_bytes);
}

static void
test_defaults_model(void)
{
    g_autoptr(DomainDef) def = domain_def_parse_string(minimal_xml, DOMAIN_DEF_PARSE_INACTIVE);

    g_assert_nonnull(def);
    g_assert_cmpint(def->virt_type, ==, DOMAIN_VIRT_QEMU);
    g_assert_cmpint(def->id, ==, -1);
    g_assert_cmpstr(def->os.machine, ==, "pc");
    g_assert_cmpuint(def->memory_kib, ==, 1024);
    g_assert_cmpuint(def->current_memory_kib, ==, 1024);
    g_assert_cmpuint(def->vcpus, ==, 1);
    g_assert_cmpuint(def->os.nboot_devs, ==, 1);
    g_assert_cmpint(def->os.boot_devs[0], ==, DOMAIN_BOOT_HD);
    g_assert_cmpint(def->on_reboot, ==, DOMAIN_LIFECYCLE_RESTART);
    g_assert_nonnull(def->memballoon);
    g_assert_cmpint(def->memballoon->info.addr_type, ==, DOMAIN_ADDRESS_PCI);
    g_assert_cmpuint(def->memballoon->info.pci.slot, ==, 3);
    g_assert_nonnull(domain_def_find_controller(def, DOMAIN_CONTROLLER_TYPE_PCI, 0));
    g_assert_null(domain_def_find_controller(def, DOMAIN_CONTROLLER_TYPE_IDE, 0));
    g_assert_null(domain_def_find_disk(def, "vda"));
    g_assert_false(domain_def_is_q35(def));
}

/* The live data a driver sets shows in the live XML only. */
static void
test_live_data(void)
{
    static const char xml[] =
        "<domain type='kvm'><name>t</name><memory>1024</memory><os><type>hvm</type></os>"
        "<devices><disk><source file='/a.img'/><target dev='vda'/></disk>"
        "<serial type='pty'/><graphics type='vnc'/></devices></domain>";
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);
    g_autoptr(DomainDef) back = NULL;
    g_autoptr(DomainDef) stripped = NULL;
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;
    g_autofree char *live2 = NULL;

    g_assert_nonnull(def);
    def->id = 7;
    def->disks[0]->info.alias = g_strdup("virtio-disk0");
    def->serials[0]->source.path = g_strdup("/dev/pts/9");
    def->serials[0]->info.alias = g_strdup("serial0");
    def->graphics[0]->port = 5901;

    live = domain_def_format(def, 0);
    g_assert_nonnull(strstr(live, "<domain type='kvm' id='7'>"));
    g_assert_nonnull(strstr(live, "<alias name='virtio-disk0'/>"));
    g_assert_nonnull(strstr(live, "<console type='pty' tty='/dev/pts/9'>"));
    g_assert_nonnull(strstr(live, "port='5901' autoport='yes'"));

    inactive = domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE);
    g_assert_null(strstr(inactive, "id='7'"));
    g_assert_null(strstr(inactive, "alias"));
    g_assert_null(strstr(inactive, "/dev/pts/9"));
    g_assert_nonnull(strstr(inactive, "port='-1' autoport='yes'"));

    /* A STATUS parse keeps all of it, any other parse drops it. */
    back = domain_def_parse_string(live, DOMAIN_DEF_PARSE_STATUS);
    g_assert_nonnull(back);
    live2 = domain_def_format(back, 0);
    g_assert_cmpstr(live2, ==, live);
    stripped = domain_def_parse_string(live, DOMAIN_DEF_PARSE_INACTIVE);
    g_assert_nonnull(stripped);
    g_assert_cmpint(stripped->id, ==, -1);
    g_assert_null(stripped->disks[0]->info.alias);
    g_assert_null(stripped->serials[0]->source.path);
    g_assert_cmpint(stripped->graphics[0]->port, ==, -1);
}

static void
test_format_buf_indent(void)
{
    g_autoptr(DomainDef) def = domain_def_parse_string(minimal_xml, DOMAIN_DEF_PARSE_INACTIVE);
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;
    g_autofree char *whole = NULL;
    g_autofree char *nested = NULL;
    g_auto(GStrv) lines = NULL;
    g_auto(GStrv) nested_lines = NULL;

    g_assert_nonnull(def);
    whole = domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE);
    qvirt_buffer_add_indent(&buf, 4);
    domain_def_format_buf(&buf, def, DOMAIN_DEF_FORMAT_INACTIVE);
    nested = qvirt_buffer_steal(&buf);
    lines = g_strsplit(whole, "\n", -1);
    nested_lines = g_strsplit(nested, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, g_strv_length(nested_lines));
    for (guint i = 0; lines[i]; i++) {
        g_autofree char *expected = *lines[i] ? g_strdup_printf("    %s", lines[i]) : g_strdup("");

        g_assert_cmpstr(nested_lines[i], ==, expected);
    }
}

/* domain_def_parse_node works inside a bigger document, and still rejects
 * what it does not understand under <domain>. */
static void
test_parse_node(void)
{
    static const char good[] =
        "<wrapper extra='1'><other/><domain type='qemu'><name>t</name><memory>1024</memory>"
        "<os><type>hvm</type></os></domain></wrapper>";
    static const char bad[] = "<wrapper><domain type='qemu'><name>t</name><memory>1024</memory>"
                              "<os><type>hvm</type></os><bogus/></domain></wrapper>";
    g_autoptr(xmlDoc) doc = qvirt_xml_parse_string(good, NULL, NULL);
    g_autoptr(xmlDoc) doc2 = qvirt_xml_parse_string(bad, NULL, NULL);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) def2 = NULL;
    xmlNodePtr root;

    g_assert_nonnull(doc);
    g_assert_nonnull(doc2);
    root = xmlDocGetRootElement(doc);
    g_assert_null(domain_def_parse_node(root, DOMAIN_DEF_PARSE_STATUS));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "unexpected root element <wrapper>");
    def = domain_def_parse_node(xmlLastElementChild(root), DOMAIN_DEF_PARSE_STATUS);
    g_assert_nonnull(def);
    g_assert_cmpstr(def->name, ==, "t");

    def2 = domain_def_parse_node(xmlLastElementChild(xmlDocGetRootElement(doc2)),
                                 DOMAIN_DEF_PARSE_STATUS);
    g_assert_null(def2);
    qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "element <bogus> is not supported");
}

static void
test_parse_not_xml(void)
{
    g_assert_null(domain_def_parse_string("<domain", DOMAIN_DEF_PARSE_INACTIVE));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "XML error in domain definition");
    g_assert_null(domain_def_parse_string(NULL, DOMAIN_DEF_PARSE_INACTIVE));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "no document");
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(fixture_case_free);
    int rc;

    qvirt_test_init(&argc, &argv);
    domain_conf_set_random_func(test_random_bytes);

    g_test_add_func("/domainxml2xml/unit/disk-name-to-index", test_disk_name_to_index);
    g_test_add_func("/domainxml2xml/unit/mac", test_mac);
    g_test_add_func("/domainxml2xml/unit/enums", test_enums);
    g_test_add_func("/domainxml2xml/unit/validate-name", test_validate_name);
    g_test_add_func("/domainxml2xml/unit/generated-values", test_generated_values);
    g_test_add_func("/domainxml2xml/unit/defaults-model", test_defaults_model);
    g_test_add_func("/domainxml2xml/unit/live-data", test_live_data);
    g_test_add_func("/domainxml2xml/unit/format-buf-indent", test_format_buf_indent);
    g_test_add_func("/domainxml2xml/unit/parse-node", test_parse_node);
    g_test_add_func("/domainxml2xml/unit/parse-not-xml", test_parse_not_xml);
    test_register_fixtures(cases);

    rc = g_test_run();
    g_clear_pointer(&unused_fixtures, g_ptr_array_unref);
    return rc;
}

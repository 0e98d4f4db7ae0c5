/* test-cookie.c: the migration cookie, driven by the files in cookies/:
 *
 *   NAME.xml          parse, format, and the output must equal NAME.out.xml
 *                     when there is one, else NAME.xml itself (without its
 *                     directive line, see below)
 *   bad/NAME.xml      must fail to parse, with the error in bad/NAME.err:
 *   bad/NAME.err        line 1 the error code name (XML_ERROR), line 2 a
 *                       part of the message
 *
 * A fixture parses with every section accepted and TEST_LOCAL_HOST_UUID as
 * the reader's host UUID, unless its first line is a directive
 * "<!-- accept: nbd statistics -->" naming the accepted sections by their
 * feature names ("none" for no section). Every formatted cookie must be a
 * fixed point: it parses to the same cookie, field by field, and formats to
 * the same text. Any other file, or half of a pair, is an unused fixture and
 * fails the suite. QVIRT_TEST_REGENERATE=1 rewrites the expected outputs.
 *
 * The cases after the fixtures use the API directly: building a cookie,
 * lengths and NUL bytes, the size limit, the accepted mask, escaping. */
#include <config.h>

#include <string.h>

#include "qemu/qemu_migration_cookie.h"
#include "testfixture.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"
#include "util/xml.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

/* The reader's host in every fixture; bad/same-host.xml comes from it. */
#define TEST_LOCAL_HOST_UUID "7a1d3a6e-0c0a-4b8e-9a39-1c2b3d4e5f60"
/* The source host of the fixtures and of the cookies built here. */
#define TEST_SOURCE_HOST_UUID "4c4c4544-0042-3510-8035-b2c04f4b3832"
#define TEST_DOMAIN_UUID "c7a5fdbd-edaf-9455-926a-d65c16db1809"

static char *data_dir;
static unsigned char local_host_uuid[QVIRT_UUID_BUFLEN];

/* ---- helpers ---- */

static void
test_uuid(const char *str, unsigned char ret_uuid[QVIRT_UUID_BUFLEN])
{
    if (qvirt_uuid_parse(str, ret_uuid) < 0)
        g_error("bad test UUID %s", str);
}

static char *
test_read(const char *path)
{
    g_autofree char *text = NULL;

    if (qvirt_file_read_limited(path, 1 << 20, &text, NULL) < 0)
        g_error("cannot read %s: %s", path, qvirt_error_last_message());
    return g_steal_pointer(&text);
}

static unsigned int
test_section_from_name(const char *name)
{
    static const struct {
        const char *name;
        unsigned int bit;
    } names[] = {
        {"lockstate", QEMU_MIGRATION_COOKIE_LOCKSTATE},
        {"persistent", QEMU_MIGRATION_COOKIE_PERSISTENT},
        {"nbd", QEMU_MIGRATION_COOKIE_NBD},
        {"statistics", QEMU_MIGRATION_COOKIE_STATS},
        {"capabilities", QEMU_MIGRATION_COOKIE_CAPS},
        {"cpu", QEMU_MIGRATION_COOKIE_CPU},
        {"none", 0},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (g_str_equal(name, names[i].name))
            return names[i].bit;
    }
    g_error("unknown section '%s' in an accept directive", name);
}

/* Split off the directive line of a fixture: the accepted sections go to
 * RET_ACCEPTED, and the text after the line is returned (the whole TEXT
 * when there is no directive). */
static const char *
test_directive(const char *text, unsigned int *ret_accepted)
{
    static const char prefix[] = "<!-- accept:";
    const char *end;
    g_autofree char *list = NULL;
    g_auto(GStrv) words = NULL;
    unsigned int accepted = 0;

    *ret_accepted = QEMU_MIGRATION_COOKIE_ALL;
    if (!g_str_has_prefix(text, prefix))
        return text;
    end = strstr(text, "-->\n");
    g_assert_nonnull(end);
    list = g_strndup(text + strlen(prefix), end - text - strlen(prefix));
    words = g_strsplit_set(g_strstrip(list), " ", -1);
    for (size_t i = 0; words[i]; i++) {
        if (*words[i])
            accepted |= test_section_from_name(words[i]);
    }
    *ret_accepted = accepted;
    return end + strlen("-->\n");
}

static QemuMigrationCookie *
test_parse_text(const char *text, unsigned int accepted)
{
    return qemu_migration_cookie_parse(text, (int)strlen(text), accepted, local_host_uuid);
}

static void
test_assert_same_stats(const DomainJobStats *a, const DomainJobStats *b)
{
    g_assert_cmpint(a->status, ==, b->status);
    g_assert_cmpint(a->started_ms, ==, b->started_ms);
    g_assert_cmpint(a->time_elapsed_ms, ==, b->time_elapsed_ms);
    g_assert_cmpint(a->downtime_set, ==, b->downtime_set);
    g_assert_cmpint(a->downtime_ms, ==, b->downtime_ms);
    g_assert_cmpint(a->setup_time_ms, ==, b->setup_time_ms);
    g_assert_cmpuint(a->data_total, ==, b->data_total);
    g_assert_cmpuint(a->data_processed, ==, b->data_processed);
    g_assert_cmpuint(a->data_remaining, ==, b->data_remaining);
    g_assert_cmpuint(a->mem_total, ==, b->mem_total);
    g_assert_cmpuint(a->mem_processed, ==, b->mem_processed);
    g_assert_cmpuint(a->mem_remaining, ==, b->mem_remaining);
    g_assert_cmpuint(a->mem_bps, ==, b->mem_bps);
    g_assert_cmpuint(a->mem_dirty_rate, ==, b->mem_dirty_rate);
    g_assert_cmpuint(a->mem_iteration, ==, b->mem_iteration);
    g_assert_cmpuint(a->mem_page_size, ==, b->mem_page_size);
    g_assert_cmpuint(a->mem_postcopy_requests, ==, b->mem_postcopy_requests);
    g_assert_cmpuint(a->disk_total, ==, b->disk_total);
    g_assert_cmpuint(a->disk_processed, ==, b->disk_processed);
    g_assert_cmpuint(a->disk_remaining, ==, b->disk_remaining);
    g_assert_cmpuint(a->disk_bps, ==, b->disk_bps);
}

static void
test_assert_same_cookie(const QemuMigrationCookie *a, const QemuMigrationCookie *b)
{
    g_assert_cmpuint(a->sections, ==, b->sections);
    g_assert_cmpuint(a->mandatory, ==, b->mandatory);
    g_assert_cmpstr(a->name, ==, b->name);
    g_assert_cmpmem(a->uuid, QVIRT_UUID_BUFLEN, b->uuid, QVIRT_UUID_BUFLEN);
    g_assert_cmpstr(a->hostname, ==, b->hostname);
    g_assert_cmpmem(a->host_uuid, QVIRT_UUID_BUFLEN, b->host_uuid, QVIRT_UUID_BUFLEN);
    g_assert_cmpstr(a->lock_driver, ==, b->lock_driver);
    g_assert_cmpstr(a->lock_state, ==, b->lock_state);
    g_assert_cmpstr(a->persistent_xml, ==, b->persistent_xml);
    g_assert_cmpint(a->nbd_port, ==, b->nbd_port);
    g_assert_cmpuint(a->nbd_disks->len, ==, b->nbd_disks->len);
    for (guint i = 0; i < a->nbd_disks->len; i++) {
        const QemuMigrationCookieDisk *da = g_ptr_array_index(a->nbd_disks, i);
        const QemuMigrationCookieDisk *db = g_ptr_array_index(b->nbd_disks, i);

        g_assert_cmpstr(da->target, ==, db->target);
        g_assert_cmpuint(da->capacity, ==, db->capacity);
    }
    if (a->sections & QEMU_MIGRATION_COOKIE_STATS)
        test_assert_same_stats(&a->stats, &b->stats);
    g_assert_cmpuint(a->caps->len, ==, b->caps->len);
    for (guint i = 0; i < a->caps->len; i++) {
        const QemuMigrationCookieCap *ca = g_ptr_array_index(a->caps, i);
        const QemuMigrationCookieCap *cb = g_ptr_array_index(b->caps, i);

        g_assert_cmpstr(ca->name, ==, cb->name);
        g_assert_cmpint(ca->enabled, ==, cb->enabled);
        g_assert_cmpint(ca->automatic, ==, cb->automatic);
    }
    g_assert_cmpstr(a->cpu_xml, ==, b->cpu_xml);
}

/* Format COOKIE; the text must parse (with ACCEPTED) to the same cookie and
 * format to the same text. Returns the text. */
static char *
test_format_fixed_point(const QemuMigrationCookie *cookie, unsigned int accepted)
{
    g_autofree char *out = qemu_migration_cookie_format(cookie);
    g_autoptr(QemuMigrationCookie) again = NULL;
    g_autofree char *out2 = NULL;

    g_assert_nonnull(out);
    again = test_parse_text(out, accepted);
    if (!again)
        g_error("formatted cookie does not parse: %s\n%s", qvirt_error_last_message(), out);
    test_assert_same_cookie(cookie, again);
    out2 = qemu_migration_cookie_format(again);
    g_assert_cmpstr(out, ==, out2);
    return g_steal_pointer(&out);
}

/* A domain or CPU text of a parsed cookie stands on its own. */
static void
test_assert_standalone(const char *xml, const char *root)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!xml)
        return;
    doc = qvirt_xml_parse_string(xml, "section", NULL);
    if (!doc)
        g_error("section text does not parse alone: %s\n%s", qvirt_error_last_message(), xml);
    g_assert_cmpstr((const char *)xmlDocGetRootElement(doc)->name, ==, root);
}

/* ---- fixtures ---- */

static void
test_good(gconstpointer data)
{
    const char *name = data; /* "NAME.xml" */
    g_autofree char *path = g_build_filename(data_dir, name, NULL);
    g_autofree char *stem = g_strndup(name, strlen(name) - strlen(".xml"));
    g_autofree char *out_name = g_strdup_printf("%s.out.xml", stem);
    g_autofree char *out_path = g_build_filename(data_dir, out_name, NULL);
    g_autofree char *input = test_read(path);
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    unsigned int accepted;
    const char *body = test_directive(input, &accepted);

    cookie = test_parse_text(input, accepted);
    if (!cookie) {
        g_test_message("%s: %s", path, qvirt_error_last_message());
        g_test_fail();
        return;
    }
    g_assert_cmpuint(cookie->sections & ~accepted, ==, 0);
    test_assert_standalone(cookie->persistent_xml, "domain");
    test_assert_standalone(cookie->cpu_xml, "cpu");

    actual = test_format_fixed_point(cookie, accepted);
    if (g_file_test(out_path, G_FILE_TEST_IS_REGULAR)) {
        expected = test_read(out_path);
        qvirt_test_fixture_compare(out_path, expected, actual);
    } else {
        qvirt_test_fixture_compare(path, body, actual);
    }
}

static void
test_bad(gconstpointer data)
{
    const char *name = data; /* "NAME" under bad/ */
    g_autofree char *xml_name = g_strdup_printf("%s.xml", name);
    g_autofree char *err_name = g_strdup_printf("%s.err", name);
    g_autofree char *path = g_build_filename(data_dir, "bad", xml_name, NULL);
    g_autofree char *err_path = g_build_filename(data_dir, "bad", err_name, NULL);
    g_autofree char *input = test_read(path);
    g_autofree char *expected = test_read(err_path);
    g_auto(GStrv) lines = g_strsplit(expected, "\n", 3);
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    const QvirtError *err;
    unsigned int accepted;

    g_assert_nonnull(lines[0]);
    g_assert_nonnull(lines[1]);
    g_assert_cmpstr(lines[1], !=, "");
    test_directive(input, &accepted);

    qvirt_error_reset();
    cookie = test_parse_text(input, accepted);
    g_assert_null(cookie);
    err = qvirt_error_get_last();
    g_assert_nonnull(err);
    if (!g_str_equal(qvirt_error_code_name(err->code), lines[0]) ||
        !strstr(err->message, lines[1])) {
        g_test_message("%s: expected %s '%s', got %s '%s'", path, lines[0], lines[1],
                       qvirt_error_code_name(err->code), err->message);
        g_test_fail();
    }
    /* One line, no trailing period. */
    g_assert_null(strchr(err->message, '\n'));
    g_assert_false(g_str_has_suffix(err->message, "."));
}

static void
test_add_unused(const char *name)
{
    g_autofree char *test_path = g_strdup_printf("/cookie/unused/%s", name);

    qvirt_test_fixture_add_unused(test_path, name);
}

/* Each file of bad/ is half of a pair (testfixture.h). */
static void
test_register_bad(const char *dir, const char *name, gpointer opaque G_GNUC_UNUSED)
{
    qvirt_test_fixture_add_pair(dir, name, "/cookie/bad/", "", "/cookie/unused/bad/", test_bad);
}

static void
test_register_fixture(const char *dir, const char *name, gpointer opaque G_GNUC_UNUSED)
{
    g_autofree char *stem = NULL;
    g_autofree char *test_path = NULL;

    if (g_str_equal(name, "bad")) {
        g_autofree char *bad_dir = g_build_filename(dir, "bad", NULL);

        qvirt_test_fixture_foreach(bad_dir, test_register_bad, NULL);
        return;
    }
    if (g_str_has_suffix(name, ".out.xml")) {
        /* Used when its input exists. */
        g_autofree char *input = g_strndup(name, strlen(name) - strlen(".out.xml"));
        g_autofree char *input_name = g_strdup_printf("%s.xml", input);
        g_autofree char *input_path = g_build_filename(dir, input_name, NULL);

        if (!g_file_test(input_path, G_FILE_TEST_IS_REGULAR))
            test_add_unused(name);
        return;
    }
    if (!g_str_has_suffix(name, ".xml")) {
        test_add_unused(name);
        return;
    }
    stem = g_strndup(name, strlen(name) - strlen(".xml"));
    test_path = g_strdup_printf("/cookie/good/%s", stem);
    g_test_add_data_func_full(test_path, g_strdup(name), test_good, g_free);
}

/* ---- the API ---- */

static QemuMigrationCookie *
test_cookie_new(void)
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];

    test_uuid(TEST_DOMAIN_UUID, uuid);
    test_uuid(TEST_SOURCE_HOST_UUID, host_uuid);
    return qemu_migration_cookie_new("guest1", uuid, "src.example.org", host_uuid);
}

/* Every section built through the API survives format and parse. */
static void
test_build_all_sections(void)
{
    g_autoptr(QemuMigrationCookie) cookie = test_cookie_new();
    g_autoptr(QemuMigrationCookie) back = NULL;
    g_autofree char *out = NULL;
    DomainJobStats *st = &cookie->stats;

    cookie->sections = QEMU_MIGRATION_COOKIE_ALL;
    cookie->mandatory = QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CPU;
    cookie->lock_driver = g_strdup("sanlock");
    cookie->lock_state = g_strdup("lockspace:resource:/var/lib/leases/disk1:0");
    cookie->persistent_xml = g_strdup("<domain type='kvm'>\n"
                                      "  <name>guest1</name>\n"
                                      "  <memory unit='KiB'>524288</memory>\n"
                                      "</domain>\n");
    cookie->nbd_port = 49153;
    qemu_migration_cookie_add_nbd_disk(cookie, "vda", 10737418240ULL);
    qemu_migration_cookie_add_nbd_disk(cookie, "vdb", 0);
    st->status = DOMAIN_JOB_STATUS_COMPLETED;
    st->started_ms = 1763856000123;
    st->time_elapsed_ms = 4321;
    st->downtime_set = TRUE;
    st->downtime_ms = 0;
    st->setup_time_ms = 12;
    st->mem_total = 1ULL << 30;
    st->mem_processed = 70000000;
    st->mem_remaining = 0;
    st->mem_bps = 125000000;
    st->mem_dirty_rate = 42;
    st->mem_iteration = 3;
    st->mem_page_size = 4096;
    st->mem_postcopy_requests = 7;
    st->disk_total = G_MAXUINT64;
    st->disk_processed = 5;
    st->disk_remaining = 1;
    st->disk_bps = 9;
    /* What parsing derives. */
    st->data_total = G_MAXUINT64;
    st->data_processed = 70000005;
    st->data_remaining = 1;
    qemu_migration_cookie_add_cap(cookie, "xbzrle", TRUE, FALSE);
    qemu_migration_cookie_add_cap(cookie, "pause-before-switchover", TRUE, TRUE);
    qemu_migration_cookie_add_cap(cookie, "postcopy-ram", FALSE, FALSE);
    cookie->cpu_xml = g_strdup("<cpu mode='custom' match='exact' check='partial'>\n"
                               "  <model fallback='forbid'>qemu64</model>\n"
                               "</cpu>");

    out = qemu_migration_cookie_format(cookie);
    g_assert_nonnull(strstr(out, "  <feature name='nbd' mandatory='yes'/>\n"
                                 "  <feature name='cpu' mandatory='yes'/>\n"));
    g_assert_nonnull(strstr(out, "    <disk target='vda' capacity='10737418240'/>\n"));
    g_assert_nonnull(strstr(out, "  <nbd port='49153'>\n"));
    g_assert_nonnull(strstr(out, "    <downtime>0</downtime>\n"));
    g_assert_nonnull(strstr(out, "    <cap name='postcopy-ram' auto='no' enabled='no'/>\n"));
    g_assert_nonnull(strstr(out, "  <domain type='kvm'>\n    <name>guest1</name>\n"));
    g_assert_nonnull(strstr(out, "<hostuuid>" TEST_SOURCE_HOST_UUID "</hostuuid>"));

    back = test_parse_text(out, QEMU_MIGRATION_COOKIE_ALL);
    g_assert_nonnull(back);
    /* The persistent text comes back without its trailing newline. */
    g_assert_cmpstr(back->persistent_xml, ==,
                    "<domain type='kvm'>\n"
                    "  <name>guest1</name>\n"
                    "  <memory unit='KiB'>524288</memory>\n"
                    "</domain>");
    g_free(cookie->persistent_xml);
    cookie->persistent_xml = g_strdup(back->persistent_xml);
    test_assert_same_cookie(cookie, back);
    g_free(test_format_fixed_point(back, QEMU_MIGRATION_COOKIE_ALL));

    g_assert_cmpuint(qemu_migration_cookie_find_nbd_disk(back, "vda")->capacity, ==,
                     10737418240ULL);
    g_assert_null(qemu_migration_cookie_find_nbd_disk(back, "vdc"));
    g_assert_null(qemu_migration_cookie_find_nbd_disk(back, NULL));
    g_assert_null(qemu_migration_cookie_find_nbd_disk(NULL, "vda"));
}

/* A cookie with no section is just the identity. */
static void
test_build_empty(void)
{
    g_autoptr(QemuMigrationCookie) cookie = test_cookie_new();
    g_autofree char *out = test_format_fixed_point(cookie, QEMU_MIGRATION_COOKIE_ALL);

    g_assert_cmpstr(out, ==,
                    "<qemu-migration>\n"
                    "  <name>guest1</name>\n"
                    "  <uuid>" TEST_DOMAIN_UUID "</uuid>\n"
                    "  <hostname>src.example.org</hostname>\n"
                    "  <hostuuid>" TEST_SOURCE_HOST_UUID "</hostuuid>\n"
                    "</qemu-migration>\n");
    /* A section bit without content writes an empty element, which reads
     * back as the same empty section. */
    cookie->sections =
        QEMU_MIGRATION_COOKIE_LOCKSTATE | QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CAPS;
    g_free(out);
    out = test_format_fixed_point(cookie, QEMU_MIGRATION_COOKIE_ALL);
    g_assert_nonnull(strstr(out, "  <lockstate/>\n  <nbd/>\n  <capabilities/>\n"));
    qemu_migration_cookie_free(NULL);
}

/* Adding a disk or capability again replaces it. */
static void
test_add_replaces(void)
{
    g_autoptr(QemuMigrationCookie) cookie = test_cookie_new();

    qemu_migration_cookie_add_nbd_disk(cookie, "vda", 1);
    qemu_migration_cookie_add_nbd_disk(cookie, "vda", 2);
    g_assert_cmpuint(cookie->nbd_disks->len, ==, 1);
    g_assert_cmpuint(qemu_migration_cookie_find_nbd_disk(cookie, "vda")->capacity, ==, 2);
    g_assert_cmpuint(cookie->sections, ==, QEMU_MIGRATION_COOKIE_NBD);

    qemu_migration_cookie_add_cap(cookie, "xbzrle", TRUE, FALSE);
    qemu_migration_cookie_add_cap(cookie, "xbzrle", FALSE, TRUE);
    g_assert_cmpuint(cookie->caps->len, ==, 1);
    g_assert_false(((QemuMigrationCookieCap *)g_ptr_array_index(cookie->caps, 0))->enabled);
    g_assert_true(((QemuMigrationCookieCap *)g_ptr_array_index(cookie->caps, 0))->automatic);
    g_assert_cmpuint(cookie->sections, ==, QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CAPS);
}

/* Characters XML must escape, in every place text goes. */
static void
test_escaping(void)
{
    g_autoptr(QemuMigrationCookie) cookie = test_cookie_new();
    g_autoptr(QemuMigrationCookie) back = NULL;
    g_autofree char *out = NULL;

    g_free(cookie->name);
    cookie->name = g_strdup("a<b>&'\"c\r\nd");
    g_free(cookie->hostname);
    cookie->hostname = g_strdup("host & <co>");
    cookie->sections =
        QEMU_MIGRATION_COOKIE_LOCKSTATE | QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CAPS;
    cookie->lock_driver = g_strdup("it's \"quoted\"\t<&>\n");
    cookie->lock_state = g_strdup("line1\nline2 <&> ']]>'\r");
    qemu_migration_cookie_add_nbd_disk(cookie, "v'd\"a&", 1);
    qemu_migration_cookie_add_cap(cookie, "<cap>", TRUE, TRUE);

    out = test_format_fixed_point(cookie, QEMU_MIGRATION_COOKIE_ALL);
    g_assert_nonnull(strstr(out, "<name>a&lt;b&gt;&amp;'\"c&#13;\nd</name>"));
    g_assert_nonnull(strstr(out, "<lockstate driver='it&apos;s &quot;quoted&quot;&#9;&lt;&amp;"
                                 "&gt;&#10;'>"));
    back = test_parse_text(out, QEMU_MIGRATION_COOKIE_ALL);
    g_assert_nonnull(back);
    g_assert_cmpstr(back->name, ==, "a<b>&'\"c\r\nd");
    g_assert_cmpstr(back->lock_state, ==, "line1\nline2 <&> ']]>'\r");
}

/* No data, or only NUL bytes, is a missing cookie. */
static void
test_missing(void)
{
    g_assert_null(qemu_migration_cookie_parse(NULL, 10, QEMU_MIGRATION_COOKIE_ALL, NULL));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "missing migration cookie");
    g_assert_null(qemu_migration_cookie_parse("<x/>", 0, QEMU_MIGRATION_COOKIE_ALL, NULL));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "missing migration cookie");
    g_assert_null(qemu_migration_cookie_parse("<x/>", -1, QEMU_MIGRATION_COOKIE_ALL, NULL));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "missing migration cookie");
    g_assert_null(qemu_migration_cookie_parse("\0\0", 2, QEMU_MIGRATION_COOKIE_ALL, NULL));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "missing migration cookie");
    g_assert_null(qemu_migration_cookie_parse("   ", 3, QEMU_MIGRATION_COOKIE_ALL, NULL));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "XML error in migration cookie");
}

/* LEN bytes are read, no more; a terminating NUL may be counted; a NUL
 * inside is refused. */
static void
test_lengths(void)
{
    g_autoptr(QemuMigrationCookie) cookie = test_cookie_new();
    g_autofree char *out = qemu_migration_cookie_format(cookie);
    int len = (int)strlen(out);
    g_autofree char *longer = g_strdup_printf("%s<garbage", out);
    g_autofree char *inner_nul = g_strdup(out);
    g_autoptr(QemuMigrationCookie) a = NULL;
    g_autoptr(QemuMigrationCookie) b = NULL;

    /* As libvirt sends it: with the NUL. */
    a = qemu_migration_cookie_parse(out, len + 1, QEMU_MIGRATION_COOKIE_ALL, local_host_uuid);
    g_assert_nonnull(a);
    /* Not NUL-terminated at LEN. */
    b = qemu_migration_cookie_parse(longer, len, QEMU_MIGRATION_COOKIE_ALL, local_host_uuid);
    g_assert_nonnull(b);
    test_assert_same_cookie(a, b);
    /* Past LEN, the garbage counts. */
    g_assert_null(qemu_migration_cookie_parse(longer, (int)strlen(longer),
                                              QEMU_MIGRATION_COOKIE_ALL, local_host_uuid));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "XML error in migration cookie");

    inner_nul[len - 3] = '\0';
    g_assert_null(
        qemu_migration_cookie_parse(inner_nul, len, QEMU_MIGRATION_COOKIE_ALL, local_host_uuid));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "contains a NUL byte");
}

/* The size limit is 4 MiB: a cookie of exactly that size parses, one byte
 * more does not. */
static void
test_size_limit(void)
{
    g_autoptr(QemuMigrationCookie) cookie = test_cookie_new();
    g_autofree char *out = qemu_migration_cookie_format(cookie);
    size_t len = strlen(out);
    g_autofree char *big = g_malloc(QEMU_MIGRATION_COOKIE_MAX_LEN + 2);
    g_autoptr(QemuMigrationCookie) parsed = NULL;

    memcpy(big, out, len);
    memset(big + len, ' ', QEMU_MIGRATION_COOKIE_MAX_LEN + 1 - len);
    big[QEMU_MIGRATION_COOKIE_MAX_LEN + 1] = '\0';

    parsed = qemu_migration_cookie_parse(big, QEMU_MIGRATION_COOKIE_MAX_LEN,
                                         QEMU_MIGRATION_COOKIE_ALL, local_host_uuid);
    g_assert_nonnull(parsed);
    g_assert_null(qemu_migration_cookie_parse(big, QEMU_MIGRATION_COOKIE_MAX_LEN + 1,
                                              QEMU_MIGRATION_COOKIE_ALL, local_host_uuid));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "too large");
}

/* Sections outside ACCEPTED are ignored without being checked; mandatory
 * ones are refused. */
static void
test_accepted(void)
{
    g_autofree char *path = g_build_filename(data_dir, "all-sections.xml", NULL);
    g_autofree char *text = test_read(path);
    g_autofree char *broken = NULL;
    g_autoptr(QemuMigrationCookie) all = NULL;
    g_autoptr(QemuMigrationCookie) some = NULL;
    g_autoptr(QemuMigrationCookie) none = NULL;
    g_autoptr(QemuMigrationCookie) ignored = NULL;
    const char *stats_start;
    const char *stats_end;

    all = test_parse_text(text, QEMU_MIGRATION_COOKIE_ALL);
    g_assert_nonnull(all);
    g_assert_cmpuint(all->sections, ==, QEMU_MIGRATION_COOKIE_ALL);
    /* all-sections.xml marks nbd and cpu mandatory. */
    g_assert_cmpuint(all->mandatory, ==, QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CPU);

    some = test_parse_text(text, QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CPU);
    g_assert_nonnull(some);
    g_assert_cmpuint(some->sections, ==, QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CPU);
    g_assert_null(some->persistent_xml);
    g_assert_null(some->lock_driver);
    g_assert_cmpuint(some->caps->len, ==, 0);
    g_assert_cmpint(some->stats.status, ==, DOMAIN_JOB_STATUS_NONE);
    g_assert_cmpint(some->nbd_port, ==, all->nbd_port);

    none = test_parse_text(text, QEMU_MIGRATION_COOKIE_NBD);
    g_assert_null(none);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "unsupported mandatory feature 'cpu'");

    /* A broken statistics section does not matter when it is not read. */
    stats_start = strstr(text, "<started>");
    stats_end = stats_start ? strstr(stats_start, "</started>") : NULL;
    g_assert_nonnull(stats_end);
    broken = g_strdup_printf("%.*s<started>-12%s", (int)(stats_start - text), text, stats_end);
    ignored = test_parse_text(broken, QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CPU);
    g_assert_nonnull(ignored);
    g_assert_null(test_parse_text(broken, QEMU_MIGRATION_COOKIE_ALL));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "invalid value '-12' of <started>");
}

/* Without a local host UUID, the same-host check is skipped. */
static void
test_no_local_uuid(void)
{
    g_autofree char *path = g_build_filename(data_dir, "bad", "same-host.xml", NULL);
    g_autofree char *text = test_read(path);
    g_autoptr(QemuMigrationCookie) cookie = NULL;

    cookie = qemu_migration_cookie_parse(text, (int)strlen(text), QEMU_MIGRATION_COOKIE_ALL, NULL);
    g_assert_nonnull(cookie);
    g_assert_cmpmem(cookie->host_uuid, QVIRT_UUID_BUFLEN, local_host_uuid, QVIRT_UUID_BUFLEN);
}

int
main(int argc, char **argv)
{
    int ret;

    qvirt_test_init(&argc, &argv);
    data_dir = qvirt_test_srcpath("qemumigration/cookies");
    test_uuid(TEST_LOCAL_HOST_UUID, local_host_uuid);

    qvirt_test_fixture_foreach(data_dir, test_register_fixture, NULL);
    g_test_add_func("/cookie/api/build-all-sections", test_build_all_sections);
    g_test_add_func("/cookie/api/build-empty", test_build_empty);
    g_test_add_func("/cookie/api/add-replaces", test_add_replaces);
    g_test_add_func("/cookie/api/escaping", test_escaping);
    g_test_add_func("/cookie/api/missing", test_missing);
    g_test_add_func("/cookie/api/lengths", test_lengths);
    g_test_add_func("/cookie/api/size-limit", test_size_limit);
    g_test_add_func("/cookie/api/accepted", test_accepted);
    g_test_add_func("/cookie/api/no-local-uuid", test_no_local_uuid);
    ret = g_test_run();
    g_free(data_dir);
    return ret;
}

/* test-caps.c: the capability probe replayed from the fixtures recorded
 * from the installed QEMU (tests/qemucapabilities, see
 * tools/record-qemu-caps), the capabilities XML, and the cache. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "qemu/qemu_capabilities_priv.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"

#define CAPS_DIR "qemucapabilities"

static char *
read_fixture(const char *name)
{
    g_autofree char *path = g_build_filename(CAPS_DIR, name, NULL);
    g_autofree char *full = qvirt_test_srcpath(path);
    char *text = NULL;

    if (qvirt_file_read_limited(full, 64 * 1024 * 1024, &text, NULL) < 0)
        g_error("%s", qvirt_error_last_message());
    return text;
}

/* Script the fake server with the recorded commands and replies of FILE. */
static void
script_from_replies(QemuMonitorTest *server, const char *file)
{
    g_autofree char *text = read_fixture(file);
    g_autoptr(QvirtJson) list = qvirt_json_parse(text, strlen(text), file);

    g_assert_nonnull(list);
    g_assert_true(json_object_is_type(list, json_type_array));
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        QvirtJson *entry = json_object_array_get_idx(list, i);
        QvirtJson *args = NULL;
        QvirtJson *reply = NULL;
        const char *execute = NULL;
        g_autofree char *args_text = NULL;
        g_autofree char *reply_text = NULL;

        g_assert_cmpint(qvirt_json_get_string(entry, "execute", &execute), ==, 0);
        g_assert_true(json_object_object_get_ex(entry, "reply", &reply));
        if (json_object_object_get_ex(entry, "arguments", &args))
            args_text = qvirt_json_to_string(args);
        if (json_object_is_type(reply, json_type_string)) {
            /* A reply kept in a file of its own (the QMP schema). */
            g_autofree char *content = read_fixture(json_object_get_string(reply));

            reply_text = g_strdup_printf("{\"return\": %s}", content);
        } else {
            reply_text = qvirt_json_to_string(reply);
        }
        qemu_monitor_test_expect(server, execute, args_text ? args_text : "{}", reply_text);
    }
}

/* Probe over a fake QEMU replaying FILE. */
static void
replay_pass(QemuCaps *caps, const char *file, bool kvm_pass)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);

    script_from_replies(f->server, file);
    mon_fixture_connect(f, 0);
    if (qemu_caps_probe_monitor(caps, f->mon, kvm_pass) < 0)
        g_error("probe of %s failed: %s", file, qvirt_error_last_message());
    mon_fixture_finish(f);
}

/* Compare ACTUAL with the fixture NAME; QVIRT_TEST_REGENERATE=1 rewrites it. */
static void
assert_matches_fixture(const char *actual, const char *name)
{
    g_autofree char *expected = NULL;

    if (g_strcmp0(g_getenv("QVIRT_TEST_REGENERATE"), "1") == 0) {
        g_autofree char *rel = g_build_filename(CAPS_DIR, name, NULL);
        g_autofree char *path = qvirt_test_srcpath(rel);

        g_assert_cmpint(qvirt_file_write_atomic_str(path, actual, 0644), ==, 0);
    }
    expected = read_fixture(name);
    g_assert_cmpstr(actual, ==, expected);
}

static void
test_caps_replay(gconstpointer data)
{
    const char *arch = data;
    g_autofree char *tcg = g_strdup_printf("caps.%s.tcg.json", arch);
    g_autofree char *kvm = g_strdup_printf("caps.%s.kvm.json", arch);
    g_autofree char *xmlname = g_strdup_printf("caps.%s.xml", arch);
    g_autoptr(QemuCaps) caps = qemu_caps_new();
    g_autofree char *xml = NULL;

    replay_pass(caps, tcg, false);
    replay_pass(caps, kvm, true);
    xml = qemu_caps_format(caps, false);
    assert_matches_fixture(xml, xmlname);
}

/* Every file in the fixture folder belongs to a test. */
static void
test_caps_fixture_files(void)
{
    g_autofree char *dir = qvirt_test_srcpath(CAPS_DIR);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GHashTable) archs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *name;
    guint n = 0;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_prefix(name, "caps.") && g_str_has_suffix(name, ".xml"))
            g_hash_table_add(archs, g_strndup(name + 5, strlen(name) - 9));
    }
    g_dir_rewind(d);
    while ((name = g_dir_read_name(d))) {
        gboolean known =
            strcmp(name, "qmp-schema.json") == 0 || strcmp(name, "qemucapsprobe.c") == 0;
        GHashTableIter iter;
        gpointer arch;

        g_hash_table_iter_init(&iter, archs);
        while (!known && g_hash_table_iter_next(&iter, &arch, NULL)) {
            g_autofree char *x = g_strdup_printf("caps.%s.xml", (char *)arch);
            g_autofree char *t = g_strdup_printf("caps.%s.tcg.json", (char *)arch);
            g_autofree char *k = g_strdup_printf("caps.%s.kvm.json", (char *)arch);

            known = strcmp(name, x) == 0 || strcmp(name, t) == 0 || strcmp(name, k) == 0;
        }
        if (!known)
            g_error("unused fixture file %s/%s", dir, name);
        n++;
    }
    g_assert_cmpuint(g_hash_table_size(archs), >=, 1);
    g_assert_cmpuint(n, ==, 2 + 3 * g_hash_table_size(archs));
}

static QemuCaps *
fixture_caps(void)
{
    g_autofree char *xml = read_fixture("caps.x86_64.xml");
    QemuCaps *caps = qemu_caps_parse(xml, "caps.x86_64.xml");

    if (!caps)
        g_error("%s", qvirt_error_last_message());
    return caps;
}

static void
test_caps_queries(void)
{
    g_autoptr(QemuCaps) caps = fixture_caps();
    const QemuCapsMachine *m;

    /* What the recorded Debian QEMU 7.2 offers and the driver relies on. */
    g_assert_cmpuint(qemu_caps_get_version(caps) / 1000, ==, 7002);
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_PAUSE_BEFORE_SWITCHOVER));
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_BLOCKDEV_MIRROR));
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_BLOCK_EXPORT_ADD));
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_QUERY_JOBS));
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_MIGRATION_TLS));
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_NBD_SERVER_TLS));
    g_assert_true(qemu_caps_kvm_present(caps));
    g_assert_false(qemu_caps_get(caps, QEMU_CAPS_LAST));
    g_assert_true(qemu_caps_has_command(caps, "migrate-set-capabilities"));
    g_assert_false(qemu_caps_has_command(caps, "no-such-command"));
    g_assert_true(qemu_caps_has_event(caps, "BLOCK_JOB_READY"));
    g_assert_true(qemu_caps_has_migration_capability(caps, "postcopy-ram"));
    g_assert_true(qemu_caps_has_migration_parameter(caps, "downtime-limit"));
    g_assert_cmpstr(qemu_caps_get_default_machine(caps), ==, "pc-i440fx-7.2");
    m = qemu_caps_get_machine(caps, "pc");
    g_assert_nonnull(m);
    g_assert_cmpstr(m->name, ==, "pc-i440fx-7.2");
    g_assert_nonnull(qemu_caps_get_machine(caps, "none"));
    g_assert_null(qemu_caps_get_machine(caps, "pc-9000"));
    g_assert_cmpuint(qemu_caps_get_cpu_models(caps)->len, >, 10);
    g_assert_null(qemu_caps_get_binary(caps));

    for (int i = 0; i < QEMU_CAPS_LAST; i++)
        g_assert_cmpint(qemu_caps_flag_from_string(qemu_caps_flag_to_string(i)), ==, i);
    g_assert_cmpint(qemu_caps_flag_from_string("warp-drive"), ==, -1);
}

static void
test_caps_xml_roundtrip(void)
{
    g_autoptr(QemuCaps) caps = fixture_caps();
    g_autoptr(QemuCaps) again = NULL;
    g_autofree char *xml = qemu_caps_format(caps, false);
    g_autofree char *expected = read_fixture("caps.x86_64.xml");
    g_autofree char *keyed = NULL;
    g_autofree char *keyed2 = NULL;
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *bin = g_build_filename(dir, "qemu-system-x86_64", NULL);

    g_assert_cmpstr(xml, ==, expected);
    g_assert_cmpint(qvirt_file_write_atomic_str(bin, "#!/bin/sh\nexit 1\n", 0755), ==, 0);
    g_assert_cmpint(qemu_caps_set_cache_key(caps, bin), ==, 0);
    keyed = qemu_caps_format(caps, true);
    g_assert_nonnull(strstr(keyed, "<qvirtVersion>" PACKAGE_VERSION "</qvirtVersion>"));
    again = qemu_caps_parse(keyed, "keyed");
    g_assert_nonnull(again);
    keyed2 = qemu_caps_format(again, true);
    g_assert_cmpstr(keyed, ==, keyed2);
    g_assert_cmpstr(qemu_caps_get_binary(again), ==, bin);
    qvirt_test_rmtree(dir);
}

static void
test_caps_parse_errors(void)
{
    static const struct {
        const char *xml;
        int code;
        const char *error;
    } cases[] = {
        {"<qemuCaps>", QVIRT_ERR_XML_ERROR, "XML error"},
        {"<caps/>", QVIRT_ERR_XML_ERROR, "expected root element <qemuCaps>"},
        {"<qemuCaps/>", QVIRT_ERR_XML_ERROR, "<version>"},
        {"<qemuCaps><version major='7' minor='x' micro='1'/></qemuCaps>", QVIRT_ERR_XML_ERROR,
         "minor"},
        {"<qemuCaps><version major='7' minor='2' micro='1'/><flag name='warp'/></qemuCaps>",
         QVIRT_ERR_XML_ERROR, "unknown flag 'warp'"},
        {"<qemuCaps><version major='7' minor='2' micro='1'/><kvm present='maybe'/></qemuCaps>",
         QVIRT_ERR_XML_ERROR, "invalid value 'maybe'"},
        {"<qemuCaps><version major='7' minor='2' micro='1'/><machine/></qemuCaps>",
         QVIRT_ERR_XML_ERROR, "<machine> without a name"},
        {"<qemuCaps><version major='7' minor='2' micro='1'/><command/></qemuCaps>",
         QVIRT_ERR_XML_ERROR, "<command> without a name"},
        {"<qemuCaps><binary path='/q'/><version major='7' minor='2' micro='1'/></qemuCaps>",
         QVIRT_ERR_XML_ERROR, "incomplete <binary>"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(QemuCaps) caps = qemu_caps_parse(cases[i].xml, "test caps");

        g_assert_null(caps);
        qvirt_test_assert_error(cases[i].code, cases[i].error);
    }
}

/* A warm cache starts no QEMU; a changed binary, a stale version or a
 * broken cache file is probed again. The "binary" here is a script that
 * fails at once, so a probe shows up as an error. */
static void
test_caps_cache(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("caps-cache");
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *cachedir = g_build_filename(dir, "cache", "qemu", NULL);
    g_autofree char *bin = g_build_filename(dir, "qemu-system-x86_64", NULL);
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *stale = NULL;
    g_auto(GStrv) parts = NULL;
    g_autoptr(QemuCapsCache) cache = NULL;
    g_autoptr(QemuCaps) caps = fixture_caps();
    g_autoptr(QemuCaps) got = NULL;
    unsigned int probes;

    g_assert_cmpint(qvirt_file_write_atomic_str(bin, "#!/bin/sh\nexit 1\n", 0755), ==, 0);
    cache = qemu_caps_cache_new(cachedir, loop);
    g_assert_nonnull(cache);
    g_assert_cmpint(qemu_caps_set_cache_key(caps, bin), ==, 0);
    file = qemu_caps_cache_file(cache, bin);
    g_assert_true(g_str_has_prefix(file, cachedir));
    xml = qemu_caps_format(caps, true);
    g_assert_cmpint(qvirt_file_write_atomic_str(file, xml, 0644), ==, 0);

    probes = qemu_caps_probe_count();
    got = qemu_caps_cache_lookup(cache, bin);
    g_assert_nonnull(got);
    g_assert_true(qemu_caps_get(got, QEMU_CAPS_PAUSE_BEFORE_SWITCHOVER));
    g_clear_pointer(&got, qemu_caps_unref);
    /* A new cache on the same folder (a daemon restart) loads the file. */
    g_clear_pointer(&cache, qemu_caps_cache_free);
    cache = qemu_caps_cache_new(cachedir, loop);
    got = qemu_caps_cache_lookup(cache, bin);
    g_assert_nonnull(got);
    g_clear_pointer(&got, qemu_caps_unref);
    got = qemu_caps_cache_lookup(cache, bin); /* from memory */
    g_assert_nonnull(got);
    g_clear_pointer(&got, qemu_caps_unref);
    g_assert_cmpuint(qemu_caps_probe_count(), ==, probes);

    /* The binary changed: probe again (and the script fails it). */
    g_assert_cmpint(qvirt_file_write_atomic_str(bin, "#!/bin/sh\n\nexit 1\n", 0755), ==, 0);
    got = qemu_caps_cache_lookup(cache, bin);
    g_assert_null(got);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "cannot probe QEMU binary");
    g_assert_cmpuint(qemu_caps_probe_count(), ==, probes + 1);

    /* Written by another qvirt version: probe again. */
    g_assert_cmpint(qemu_caps_set_cache_key(caps, bin), ==, 0);
    g_free(xml);
    xml = qemu_caps_format(caps, true);
    parts = g_strsplit(xml, "<qvirtVersion>" PACKAGE_VERSION "<", 2);
    g_assert_cmpuint(g_strv_length(parts), ==, 2);
    stale = g_strjoinv("<qvirtVersion>0.0.0-old<", parts);
    g_assert_cmpint(qvirt_file_write_atomic_str(file, stale, 0644), ==, 0);
    g_clear_pointer(&cache, qemu_caps_cache_free);
    cache = qemu_caps_cache_new(cachedir, loop);
    g_assert_null(qemu_caps_cache_lookup(cache, bin));
    g_assert_cmpuint(qemu_caps_probe_count(), ==, probes + 2);

    /* A broken cache file: probe again, no crash. */
    g_assert_cmpint(qvirt_file_write_atomic_str(file, "<qemuCaps><oops", 0644), ==, 0);
    g_assert_null(qemu_caps_cache_lookup(cache, bin));
    g_assert_cmpuint(qemu_caps_probe_count(), ==, probes + 3);

    /* A missing binary starts nothing. */
    g_assert_null(qemu_caps_cache_lookup(cache, "/nonexistent/qemu-system-x86_64"));
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "cannot find QEMU binary");
    g_assert_cmpuint(qemu_caps_probe_count(), ==, probes + 3);
    g_assert_null(qemu_caps_probe("relative/qemu", loop));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "not an absolute path");

    g_clear_pointer(&cache, qemu_caps_cache_free);
    qvirt_event_loop_free(g_steal_pointer(&loop));
    qvirt_test_rmtree(dir);
}

void
test_caps_register(void)
{
    g_autofree char *dir = qvirt_test_srcpath(CAPS_DIR);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *test = NULL;
        char *arch;

        if (!g_str_has_prefix(name, "caps.") || !g_str_has_suffix(name, ".xml"))
            continue;
        arch = g_strndup(name + 5, strlen(name) - 9); /* lives as long as the test */
        test = g_strdup_printf("/qemumonitor/caps/replay/%s", arch);
        g_test_add_data_func(test, arch, test_caps_replay);
    }
    g_test_add_func("/qemumonitor/caps/fixture-files", test_caps_fixture_files);
    g_test_add_func("/qemumonitor/caps/queries", test_caps_queries);
    g_test_add_func("/qemumonitor/caps/xml-roundtrip", test_caps_xml_roundtrip);
    g_test_add_func("/qemumonitor/caps/parse-errors", test_caps_parse_errors);
    g_test_add_func("/qemumonitor/caps/cache", test_caps_cache);
}

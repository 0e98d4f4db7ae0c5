/* testfixture.c: helpers of the data-driven suites (see testfixture.h). */
#include <config.h>

#include <string.h>

#include "testfixture.h"
#include "testutil.h"
#include "util/error.h"

char *
qvirt_test_fixture_path(const char *suite, const char *name)
{
    g_autofree char *rel = g_build_filename(suite, "data", name, NULL);

    return qvirt_test_srcpath(rel);
}

char *
qvirt_test_fixture_read(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("cannot read fixture: %s", err->message);
    return text;
}

void
qvirt_test_fixture_compare(const char *path, const char *expected, const char *actual)
{
    if (g_strcmp0(expected, actual) == 0)
        return;
    if (g_strcmp0(g_getenv("QVIRT_TEST_REGENERATE"), "1") == 0) {
        g_autoptr(GError) err = NULL;

        if (!g_file_set_contents(path, actual, -1, &err))
            g_error("cannot write %s: %s", path, err->message);
        return;
    }
    g_test_message("expected (%s):\n%s\nactual:\n%s", path, expected, actual);
    g_test_fail();
}

const char *
qvirt_test_error_kind(int code)
{
    switch (code) {
    case QVIRT_ERR_XML_ERROR:
        return "XML error";
    case QVIRT_ERR_CONFIG_UNSUPPORTED:
        return "unsupported configuration";
    case QVIRT_ERR_INVALID_ARG:
        return "invalid argument";
    case QVIRT_ERR_OVERFLOW:
        return "numerical overflow";
    case QVIRT_ERR_INTERNAL_ERROR:
        return "internal error";
    default:
        return qvirt_error_code_name(code);
    }
}

/* g_ptr_array_sort passes pointers to the elements. */
static gint
fixture_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
qvirt_test_fixture_foreach(const char *dir, QvirtTestFixtureFunc func, gpointer opaque)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *gdir = g_dir_open(dir, 0, &err);
    const char *entry;

    if (!gdir)
        g_error("cannot list fixtures: %s", err->message);
    while ((entry = g_dir_read_name(gdir)))
        g_ptr_array_add(names, g_strdup(entry));
    g_dir_close(gdir);
    g_ptr_array_sort(names, fixture_name_cmp);
    for (guint i = 0; i < names->len; i++)
        func(dir, g_ptr_array_index(names, i), opaque);
}

static void
fixture_unused(gconstpointer data)
{
    g_test_message("unused fixture file: %s", (const char *)data);
    g_test_fail();
}

void
qvirt_test_fixture_add_unused(const char *test_path, const char *name)
{
    g_test_add_data_func_full(test_path, g_strdup(name), fixture_unused, g_free);
}

void
qvirt_test_fixture_add_pair(const char *dir, const char *name, const char *case_prefix,
                            const char *strip, const char *unused_prefix, GTestDataFunc func)
{
    gboolean is_xml = g_str_has_suffix(name, ".xml");
    g_autofree char *stem = NULL;
    g_autofree char *partner = NULL;
    g_autofree char *partner_path = NULL;
    g_autofree char *test_path = NULL;

    if (is_xml || g_str_has_suffix(name, ".err")) {
        stem = g_strndup(name, strlen(name) - 4);
        partner = g_strdup_printf("%s%s", stem, is_xml ? ".err" : ".xml");
        partner_path = g_build_filename(dir, partner, NULL);
        if (g_file_test(partner_path, G_FILE_TEST_IS_REGULAR)) {
            const char *shown = stem;

            if (!is_xml)
                return;
            if (g_str_has_prefix(stem, strip))
                shown += strlen(strip);
            test_path = g_strdup_printf("%s%s", case_prefix, shown);
            g_test_add_data_func_full(test_path, g_steal_pointer(&stem), func, g_free);
            return;
        }
    }
    test_path = g_strdup_printf("%s%s", unused_prefix, name);
    qvirt_test_fixture_add_unused(test_path, name);
}

/* testfixture.c: helpers of the data-driven suites (see testfixture.h). */
#include <config.h>

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

/* test-log.c: log levels, module filters, outputs and the line format. */
#include <config.h>

#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/log.h"

QVIRT_LOG_INIT("qemu.monitor");

static char *
log_read_back(const char *path)
{
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static void
test_log_filters_and_file_output(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "out.log", NULL);
    g_autofree char *spec = g_strdup_printf("1:file:%s", path);
    g_autofree char *text = NULL;

    g_assert_cmpint(qvirt_log_set_outputs(spec), ==, 0);
    g_assert_cmpint(qvirt_log_set_default_priority(QVIRT_LOG_WARN), ==, 0);
    g_assert_cmpint(qvirt_log_set_filters("1:qemu.mon 4:qemu"), ==, 0);

    g_assert_true(qvirt_log_enabled(QVIRT_LOG_DEBUG, "qemu.monitor"));
    g_assert_false(qvirt_log_enabled(QVIRT_LOG_WARN, "qemu.driver"));
    g_assert_false(qvirt_log_enabled(QVIRT_LOG_INFO, "util.files"));
    g_assert_true(qvirt_log_enabled(QVIRT_LOG_WARN, "util.files"));

    QVIRT_DEBUG("hello %d", 42);
    qvirt_log_message(QVIRT_LOG_INFO, "util.files", __FILE__, __LINE__, __func__, "hidden");
    qvirt_log_reset();

    text = log_read_back(path);
    g_assert_nonnull(strstr(text, ": debug : qemu.monitor : test_log_filters_and_file_output:"));
    g_assert_nonnull(strstr(text, " : hello 42\n"));
    g_assert_null(strstr(text, "hidden"));
    /* "YYYY-MM-DD HH:MM:SS.mmm+0000: TID: " */
    g_assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000: \\d+: ",
                                       text, 0, 0));
    qvirt_test_rmtree(dir);
}

static void
test_log_bad_specs(void)
{
    g_assert_cmpint(qvirt_log_set_filters("9:qemu"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "9:qemu");
    g_assert_cmpint(qvirt_log_set_filters("qemu"), ==, -1);
    g_assert_cmpint(qvirt_log_set_filters("1:"), ==, -1);
    g_assert_cmpint(qvirt_log_set_outputs("1:syslog"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "1:syslog");
    g_assert_cmpint(qvirt_log_set_outputs("1:file:/nonexistent/dir/x.log"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "/nonexistent/dir/x.log");
    g_assert_cmpint(qvirt_log_set_default_priority(0), ==, -1);
    g_assert_cmpint(qvirt_log_priority_from_string("debug"), ==, QVIRT_LOG_DEBUG);
    g_assert_cmpint(qvirt_log_priority_from_string("3"), ==, QVIRT_LOG_WARN);
    g_assert_cmpint(qvirt_log_priority_from_string("33"), ==, -1);
    g_assert_cmpint(qvirt_log_priority_from_string(""), ==, -1);
}

static void
test_log_env(void)
{
    g_setenv("QVIRT_LOG_LEVEL", "nonsense", TRUE);
    g_assert_cmpint(qvirt_log_init_from_env(), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "QVIRT_LOG_LEVEL");
    g_setenv("QVIRT_LOG_LEVEL", "2", TRUE);
    g_setenv("QVIRT_LOG_FILTERS", "1:conf", TRUE);
    g_assert_cmpint(qvirt_log_init_from_env(), ==, 0);
    g_assert_true(qvirt_log_enabled(QVIRT_LOG_DEBUG, "conf.domain"));
    g_assert_true(qvirt_log_enabled(QVIRT_LOG_INFO, "util"));
    g_assert_false(qvirt_log_enabled(QVIRT_LOG_DEBUG, "util"));
    g_unsetenv("QVIRT_LOG_LEVEL");
    g_unsetenv("QVIRT_LOG_FILTERS");
    qvirt_log_reset();
}

void
test_log_register(void)
{
    g_test_add_func("/util/log/filters-and-file-output", test_log_filters_and_file_output);
    g_test_add_func("/util/log/bad-specs", test_log_bad_specs);
    g_test_add_func("/util/log/env", test_log_env);
}

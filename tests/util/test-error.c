/* test-error.c: the thread-local error slot, codes and system errors. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

static void
test_error_report_and_reset(void)
{
    qvirt_error_reset();
    g_assert_null(qvirt_error_get_last());
    g_assert_cmpint(qvirt_error_last_code(), ==, QVIRT_ERR_OK);

    qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, "domain '%s' is not running", "web1");
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain 'web1' is not running");
    g_assert_cmpint(qvirt_error_get_last()->level, ==, QVIRT_ERR_LEVEL_ERROR);
    g_assert_cmpint(qvirt_error_get_last()->domain, ==, QVIRT_FROM_NONE);

    qvirt_error_reset();
    g_assert_null(qvirt_error_get_last());
    g_assert_nonnull(qvirt_error_last_message());
}

static void
test_error_libvirt_numbers(void)
{
    /* Remote clients decode these numbers: they must never move. */
    g_assert_cmpint(QVIRT_ERR_XML_ERROR, ==, 27);
    g_assert_cmpint(QVIRT_ERR_SYSTEM_ERROR, ==, 38);
    g_assert_cmpint(QVIRT_ERR_NO_DOMAIN, ==, 42);
    g_assert_cmpint(QVIRT_ERR_OPERATION_INVALID, ==, 55);
    g_assert_cmpint(QVIRT_ERR_CONFIG_UNSUPPORTED, ==, 67);
    g_assert_cmpint(QVIRT_ERR_OPERATION_TIMEOUT, ==, 68);
    g_assert_cmpint(QVIRT_ERR_MIGRATE_FINISH_OK, ==, 93);
    g_assert_cmpint(QVIRT_FROM_QEMU, ==, 10);
    g_assert_cmpint(QVIRT_FROM_DOMAIN, ==, 20);
    g_assert_cmpint(QVIRT_FROM_REMOTE, ==, 13);
    g_assert_cmpstr(qvirt_error_code_name(QVIRT_ERR_OPERATION_TIMEOUT), ==, "OPERATION_TIMEOUT");
    g_assert_cmpstr(qvirt_error_code_name(12345), ==, "UNKNOWN");
}

static void
test_error_system(void)
{
    qvirt_report_system_error(ENOENT, "cannot open '%s'", "/nonexistent");
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "cannot open '/nonexistent': ");
    g_assert_nonnull(strstr(qvirt_error_last_message(), g_strerror(ENOENT)));
}

static void
test_error_save_restore(void)
{
    QvirtError *saved;

    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "first");
    saved = qvirt_error_save();
    qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, "cleanup failed too");
    qvirt_error_restore(saved);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "first");
}

static gpointer
error_other_thread(gpointer data)
{
    /* A fresh thread starts with no error, and its report stays its own. */
    gboolean clean = qvirt_error_get_last() == NULL;

    qvirt_report_error(QVIRT_ERR_RPC, "other thread");
    return GINT_TO_POINTER(clean && qvirt_error_last_code() == QVIRT_ERR_RPC);
}

static void
test_error_thread_local(void)
{
    GThread *thread;

    qvirt_report_error(QVIRT_ERR_NO_DOMAIN, "main thread");
    thread = g_thread_new("err", error_other_thread, NULL);
    g_assert_true(GPOINTER_TO_INT(g_thread_join(thread)));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "main thread");
}

void
test_error_register(void)
{
    g_test_add_func("/util/error/report-and-reset", test_error_report_and_reset);
    g_test_add_func("/util/error/libvirt-numbers", test_error_libvirt_numbers);
    g_test_add_func("/util/error/system", test_error_system);
    g_test_add_func("/util/error/save-restore", test_error_save_restore);
    g_test_add_func("/util/error/thread-local", test_error_thread_local);
}

/* test-registry.c: the driver registry and connection routing, the checks
 * of the public entry points (handles, arguments, flags, read-only
 * connections, NO_SUPPORT), connection lifetime and close callbacks, state
 * drivers, and the module loader with good, missing and broken modules. */
#include <config.h>

#include <glib/gstdio.h>
#include <string.h>

#include "driver/api.h"
#include "driver/driver_priv.h"
#include "driver/module.h"
#include "fakedriver.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

/* Every case starts from an empty registry and fresh counters. */
static void
registry_start(void)
{
    qv_driver_registry_reset();
    fake_reset();
    g_unsetenv("QVIRT_DEFAULT_URI");
}

static void
registry_start_fake(void)
{
    registry_start();
    g_assert_cmpint(qv_driver_register(&fake_driver, NULL), ==, 0);
}

/* ---- registration and routing ---- */

static int
noop_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    return QVIRT_DRV_OPEN_DECLINED;
}

static void
test_registry_register(void)
{
    HypervisorDriver nameless = {.connect_open = noop_open};
    HypervisorDriver noopen = {.name = "noopen"};
    HypervisorDriver same = {.name = "FAKE", .connect_open = noop_open};

    registry_start_fake();
    g_assert_true(qv_driver_find("fake") == &fake_driver);
    g_assert_true(qv_driver_find("Fake") == &fake_driver);
    g_assert_null(qv_driver_find("qemu"));
    g_assert_null(qv_driver_find(NULL));

    g_assert_cmpint(qv_driver_register(&nameless, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "needs a name and a connect_open");
    g_assert_cmpint(qv_driver_register(&noopen, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "needs a name and a connect_open");
    g_assert_cmpint(qv_driver_register(&same, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "driver 'FAKE' is already registered");
    g_assert_cmpint(qv_driver_registry_count(), ==, 1);
}

static void
test_registry_routing(void)
{
    QvConnect *conn;

    registry_start();
    /* The remote driver registers first but is tried after local ones. */
    g_assert_cmpint(qv_driver_register(&fake_remote_driver, NULL), ==, 0);
    g_assert_cmpint(qv_driver_register(&fake_driver, NULL), ==, 0);

    conn = qv_connect_open("fake:///ok", 0);
    g_assert_nonnull(conn);
    g_assert_true(conn->driver == &fake_driver);
    g_assert_cmpstr(conn->private_data, ==, "fake-private");
    g_assert_cmpstr(qv_connect_get_type(conn), ==, "fake"); /* no entry: the name */
    g_assert_cmpint(qv_connect_close(conn), ==, 0);
    g_assert_cmpint(fake_counters.closes, ==, 1);

    /* Remote forms never reach the local driver. */
    conn = qv_connect_open("fake+unix:///ok?socket=/run/x", 0);
    g_assert_nonnull(conn);
    g_assert_true(conn->driver == &fake_remote_driver);
    g_assert_cmpstr(qv_connect_get_type(conn), ==, "REMOTE");
    g_assert_cmpint(qv_connect_close(conn), ==, 0);
    g_assert_cmpint(fake_counters.opens, ==, 1);

    /* A URI no local driver serves goes to the remote driver too. */
    conn = qv_connect_open("other:///x", 0);
    g_assert_nonnull(conn);
    g_assert_true(conn->driver == &fake_remote_driver);
    qv_connect_close(conn);
}

static void
test_registry_routing_errors(void)
{
    g_autofree char *uri = NULL;

    registry_start_fake();
    g_assert_null(qv_connect_open("other:///x", 0));
    qvirt_test_assert_error(QVIRT_ERR_NO_CONNECT,
                            "no connection driver available for 'other:///x'");
    /* A remote form with only local drivers registered. */
    g_assert_null(qv_connect_open("fake+tls://host/ok", 0));
    qvirt_test_assert_error(QVIRT_ERR_NO_CONNECT, "'fake+tls://host/ok'");
    /* The driver's own refusal is its error; nothing is left open. */
    g_assert_null(qv_connect_open("fake:///fail", 0));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "fake refuses '/fail'");
    g_assert_null(qv_connect_open("fake:///silent", 0));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR,
                            "driver 'fake' failed to open 'fake:///silent' without saying why");
    g_assert_cmpint(fake_counters.closes, ==, 0);
    /* A bad URI never reaches a driver. */
    g_assert_null(qv_connect_open("fake:/ok", 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "has no '//'");
    g_assert_null(qv_connect_open("fake:///ok", 0x4));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x4) in function "
                                                   "qv_connect_open");
    g_assert_cmpint(fake_counters.opens, ==, 0);

    /* No URI: $QVIRT_DEFAULT_URI, else the driver's probe. */
    {
        QvConnect *conn;

        g_setenv("QVIRT_DEFAULT_URI", "fake:///fail", TRUE);
        g_assert_null(qv_connect_open(NULL, 0));
        qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "fake refuses");
        g_unsetenv("QVIRT_DEFAULT_URI");
        conn = qv_connect_open(NULL, 0);
        g_assert_nonnull(conn);
        uri = qv_connect_get_uri(conn);
        g_assert_cmpstr(uri, ==, "fake:///ok");
        qv_connect_close(conn);
    }
    qv_driver_registry_reset();
    g_assert_null(qv_connect_open("", 0));
    qvirt_test_assert_error(QVIRT_ERR_NO_CONNECT, "no driver offers a default one");
}

/* ---- the public entry points ---- */

static void
test_api_handles_and_lifetime(void)
{
    QvConnect *conn;
    QvDomain *dom;
    unsigned char uuid[16];
    unsigned char expect[16];

    registry_start_fake();
    conn = qv_connect_open("fake:///ok", 0);
    dom = qv_domain_lookup_by_name(conn, "web1");
    g_assert_nonnull(dom);
    g_assert_cmpstr(qv_domain_get_name(dom), ==, "web1");
    g_assert_cmpint(qv_domain_get_id(dom), ==, 7);
    g_assert_true(qv_domain_get_connect(dom) == conn);
    g_assert_cmpint(qv_domain_get_uuid(dom, uuid), ==, 0);
    fake_uuid("web1", expect);
    g_assert_cmpmem(uuid, 16, expect, 16);

    /* The handle keeps the connection: the driver closes when it goes. */
    g_assert_cmpint(qv_connect_close(conn), ==, 1);
    g_assert_cmpint(fake_counters.closes, ==, 0);
    g_assert_cmpint(qv_domain_suspend(dom), ==, 0);
    qv_domain_unref(dom);
    g_assert_cmpint(fake_counters.closes, ==, 1);
}

static void
test_api_argument_checks(void)
{
    QvConnect *conn;
    g_autoptr(QvDomain) dom = NULL;
    int state;
    QvDomainInfo info;

    registry_start_fake();
    conn = qv_connect_open("fake:///ok", 0);
    dom = qv_domain_lookup_by_name(conn, "web1");

    g_assert_null(qv_domain_lookup_by_name(NULL, "web1"));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_CONN,
                            "invalid connection pointer in qv_domain_lookup_by_name");
    g_assert_cmpint(qv_domain_suspend(NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_DOMAIN,
                            "invalid domain pointer in qv_domain_suspend");
    g_assert_null(qv_domain_lookup_by_name(conn, NULL));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "name in qv_domain_lookup_by_name must not");
    g_assert_null(qv_domain_lookup_by_id(conn, -1));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "id -1 in qv_domain_lookup_by_id");
    g_assert_null(qv_domain_lookup_by_uuid_string(conn, "not-a-uuid"));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "not-a-uuid");
    g_assert_cmpint(qv_domain_get_state(dom, NULL, NULL, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "ret_state in qv_domain_get_state");
    g_assert_cmpint(qv_domain_get_state(dom, &state, NULL, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG,
                            "unsupported flags (0x1) in function qv_domain_get_state");
    g_assert_cmpint(qv_domain_get_info(dom, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "ret_info");
    g_assert_cmpint(qv_connect_list_domains(conn, NULL, 3), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "maxids 3");
    g_assert_cmpint(qv_connect_list_all_domains(conn, NULL, 1U << 16), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x10000)");

    /* Flags outside libvirt's set never reach the driver. */
    g_assert_cmpint(qv_domain_destroy_flags(dom, 0x104), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG,
                            "unsupported flags (0x104) in function qv_domain_destroy_flags");
    g_assert_cmpint(fake_counters.destroys, ==, 0);
    g_assert_cmpint(qv_domain_destroy_flags(dom, QV_DOMAIN_DESTROY_GRACEFUL), ==, 0);
    g_assert_cmpuint(fake_counters.last_flags, ==, QV_DOMAIN_DESTROY_GRACEFUL);
    g_assert_null(qv_domain_get_xml_desc(dom, 0x10));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x10)");

    /* A failing call leaves its error; a good call starts clean. */
    g_assert_null(qv_domain_lookup_by_name(conn, "missing"));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name 'missing'");
    g_assert_cmpint(qv_domain_suspend(dom), ==, 0);
    g_assert_null(qvirt_error_get_last());

    /* A driver failing without a word gets an error filled in. */
    {
        g_autoptr(QvDomain) silent = qv_domain_lookup_by_name(conn, "silent");

        g_assert_cmpint(qv_domain_destroy(silent), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR,
                                "driver 'fake' failed in qv_domain_destroy_flags without "
                                "reporting an error");
    }
    (void)info;
    qv_connect_close(conn);
}

static void
test_api_read_only(void)
{
    QvConnect *conn;
    g_autoptr(QvDomain) dom = NULL;
    g_autofree char *xml = NULL;
    char *result = NULL;

    registry_start_fake();
    conn = qv_connect_open("fake:///ok", QV_CONNECT_RO);
    g_assert_nonnull(conn);
    g_assert_true(qv_connect_is_read_only(conn));
    /* Reading is allowed. */
    dom = qv_domain_lookup_by_name(conn, "web1");
    g_assert_nonnull(dom);
    xml = qv_domain_get_xml_desc(dom, QV_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(xml);

    /* Changing is not, and the driver is never asked. */
    g_assert_cmpint(qv_domain_suspend(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED,
                            "read only access prevents qv_domain_suspend");
    g_assert_cmpint(qv_domain_destroy(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED,
                            "read only access prevents qv_domain_destroy_flags");
    g_assert_cmpint(fake_counters.suspends, ==, 0);
    g_assert_cmpint(fake_counters.destroys, ==, 0);
    g_assert_null(qv_domain_get_xml_desc(dom, QV_DOMAIN_XML_SECURE));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "with the secure flag");
    g_assert_null(qv_domain_define_xml(conn, "<domain/>"));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_define_xml_flags");
    g_assert_cmpint(qv_domain_qemu_monitor_command(dom, "{}", &result, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_qemu_monitor_command");
    g_assert_null(result);
    g_assert_cmpint(qv_domain_set_autostart(dom, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_set_autostart");
    g_assert_cmpint(qv_domain_abort_job(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_abort_job_flags");
    qv_connect_close(conn);
}

static void
test_api_no_support(void)
{
    QvConnect *conn;
    g_autoptr(QvDomain) dom = NULL;
    QvNodeInfo node;
    QvDomainJobInfo job;
    unsigned long long version;
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type;
    char *result = NULL;

    registry_start_fake();
    conn = qv_connect_open("fake:///ok", 0);
    dom = qv_domain_lookup_by_name(conn, "web1");

#define ASSERT_NO_SUPPORT(api)                                                                     \
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT,                                                  \
                            "this function is not supported by the connection driver: " api)

    g_assert_cmpint(qv_domain_resume(dom), ==, -1);
    ASSERT_NO_SUPPORT("qv_domain_resume");
    g_assert_null(qv_connect_get_capabilities(conn));
    ASSERT_NO_SUPPORT("qv_connect_get_capabilities");
    g_assert_cmpint(qv_connect_get_version(conn, &version), ==, -1);
    ASSERT_NO_SUPPORT("qv_connect_get_version");
    g_assert_cmpint(qv_node_get_info(conn, &node), ==, -1);
    ASSERT_NO_SUPPORT("qv_node_get_info");
    g_assert_cmpint(qv_domain_get_job_info(dom, &job), ==, -1);
    ASSERT_NO_SUPPORT("qv_domain_get_job_info");
    g_assert_cmpint(qv_domain_get_job_stats(dom, &type, &params, &nparams, 0), ==, -1);
    ASSERT_NO_SUPPORT("qv_domain_get_job_stats");
    g_assert_cmpint(qv_domain_qemu_monitor_command(dom, "{}", &result, 0), ==, -1);
    ASSERT_NO_SUPPORT("qv_domain_qemu_monitor_command");
    g_assert_null(qv_domain_create_xml(conn, "<domain/>", 0));
    ASSERT_NO_SUPPORT("qv_domain_create_xml");
    g_assert_null(qv_connect_domain_xml_to_native(conn, "qemu-argv", "<domain/>", 0));
    ASSERT_NO_SUPPORT("qv_connect_domain_xml_to_native");
    g_assert_cmpint(qv_connect_list_all_domains(conn, NULL, 0), ==, -1);
    ASSERT_NO_SUPPORT("qv_connect_list_all_domains");
    g_assert_null(qv_domain_lookup_by_id(conn, 1));
    ASSERT_NO_SUPPORT("qv_domain_lookup_by_id");
    /* Without an entry, a feature is simply not supported. */
    g_assert_cmpint(qv_connect_supports_feature(conn, QV_DRV_FEATURE_MIGRATION_V3), ==, 0);
    g_assert_null(qvirt_error_get_last());
#undef ASSERT_NO_SUPPORT
    qv_connect_close(conn);
}

typedef struct {
    int calls;
    int reason;
    int frees;
} CloseRecord;

static void
close_cb(QvConnect *conn, int reason, gpointer opaque)
{
    CloseRecord *rec = opaque;

    rec->calls++;
    rec->reason = reason;
}

static void
close_cb_other(QvConnect *conn, int reason, gpointer opaque)
{
}

static void
close_free(gpointer opaque)
{
    ((CloseRecord *)opaque)->frees++;
}

static void
test_api_close_callback(void)
{
    CloseRecord rec = {0, -1, 0};
    CloseRecord rec2 = {0, -1, 0};
    QvConnect *conn;

    registry_start_fake();
    conn = qv_connect_open("fake:///ok", 0);
    g_assert_cmpint(qv_connect_register_close_callback(conn, close_cb, &rec, close_free), ==, 0);
    g_assert_cmpint(qv_connect_register_close_callback(conn, close_cb, &rec2, close_free), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "already registered");
    qv_connect_fire_close_callback(conn, QV_CONNECT_CLOSE_REASON_EOF);
    g_assert_cmpint(rec.calls, ==, 1);
    g_assert_cmpint(rec.reason, ==, QV_CONNECT_CLOSE_REASON_EOF);
    g_assert_cmpint(qv_connect_unregister_close_callback(conn, close_cb_other), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "not registered");
    g_assert_cmpint(qv_connect_unregister_close_callback(conn, close_cb), ==, 0);
    g_assert_cmpint(rec.frees, ==, 1);
    qv_connect_fire_close_callback(conn, QV_CONNECT_CLOSE_REASON_ERROR);
    g_assert_cmpint(rec.calls, ==, 1);

    /* Closing frees a callback still registered. */
    g_assert_cmpint(qv_connect_register_close_callback(conn, close_cb, &rec2, close_free), ==, 0);
    g_assert_cmpint(qv_connect_close(conn), ==, 0);
    g_assert_cmpint(rec2.frees, ==, 1);
    g_assert_cmpint(rec2.calls, ==, 0);
}

/* ---- state drivers ---- */

static GString *state_log;
static gboolean state_b_fails;

static int
state_a_init(gboolean privileged, const char *root)
{
    g_string_append_printf(state_log, "init:a(%d,%s) ", privileged, root ? root : "-");
    return 0;
}

static int
state_a_cleanup(void)
{
    g_string_append(state_log, "cleanup:a ");
    return 0;
}

static int
state_a_reload(void)
{
    g_string_append(state_log, "reload:a ");
    return 0;
}

static int
state_b_init(gboolean privileged, const char *root)
{
    g_string_append(state_log, "init:b ");
    if (state_b_fails) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "b cannot load its status files");
        return -1;
    }
    return 0;
}

static int
state_b_cleanup(void)
{
    g_string_append(state_log, "cleanup:b ");
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "b cleanup failed");
    return -1;
}

static const QvStateDriver state_a = {"a", state_a_init, state_a_cleanup, state_a_reload};
static const QvStateDriver state_b = {"b", state_b_init, state_b_cleanup, NULL};
static const HypervisorDriver state_drv_a = {.name = "a", .connect_open = noop_open};
static const HypervisorDriver state_drv_b = {.name = "b", .connect_open = noop_open};

static void
test_state_drivers(void)
{
    registry_start();
    state_log = g_string_new(NULL);
    state_b_fails = FALSE;
    g_assert_cmpint(qv_driver_register(&state_drv_a, &state_a), ==, 0);
    g_assert_cmpint(qv_driver_register(&fake_driver, NULL), ==, 0);
    g_assert_cmpint(qv_driver_register(&state_drv_b, &state_b), ==, 0);

    g_assert_cmpint(qv_driver_state_initialize(TRUE, "/tmp/root"), ==, 0);
    g_assert_cmpint(qv_driver_state_reload(), ==, 0);
    /* Every cleanup runs, in reverse order; the first error is kept. */
    g_assert_cmpint(qv_driver_state_cleanup(), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "b cleanup failed");
    g_assert_cmpstr(state_log->str, ==, "init:a(1,/tmp/root) init:b reload:a cleanup:b cleanup:a ");
    /* Nothing is initialized any more. */
    g_string_truncate(state_log, 0);
    g_assert_cmpint(qv_driver_state_cleanup(), ==, 0);
    g_assert_cmpstr(state_log->str, ==, "");

    /* A failing initialization undoes the ones before it, keeps its error. */
    state_b_fails = TRUE;
    g_assert_cmpint(qv_driver_state_initialize(FALSE, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "b cannot load its status files");
    g_assert_cmpstr(state_log->str, ==, "init:a(0,-) init:b cleanup:a ");
    g_string_free(state_log, TRUE);
    state_log = NULL;
}

/* ---- modules ---- */

static void
module_use_test_dir(void)
{
    g_setenv("QVIRT_DRIVER_DIR", TEST_MODULE_DIR, TRUE);
}

static void
test_module_good(void)
{
    QvConnect *conn;
    g_autofree char *dir = NULL;

    registry_start();
    module_use_test_dir();
    dir = qv_driver_module_dir();
    g_assert_cmpstr(dir, ==, TEST_MODULE_DIR);

    g_assert_cmpint(qv_driver_module_load("dummy"), ==, 0);
    g_assert_nonnull(qv_driver_find("dummy"));
    /* Loading again is a no-op, not a duplicate registration. */
    g_assert_cmpint(qv_driver_module_load("dummy"), ==, 0);
    g_assert_cmpint(qv_driver_registry_count(), ==, 1);

    /* The module's driver lives in this process's registry. */
    conn = qv_connect_open("dummy:///x", 0);
    g_assert_nonnull(conn);
    g_assert_cmpstr(qv_connect_get_type(conn), ==, "DUMMY");
    qv_connect_close(conn);
}

static void
test_module_missing(void)
{
    g_autofree char *path = g_build_filename(TEST_MODULE_DIR, "qvirt_driver_missing.so", NULL);

    registry_start();
    module_use_test_dir();
    g_assert_cmpint(qv_driver_module_load("missing"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, path);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "does not exist");
}

static void
test_module_no_symbol(void)
{
    g_autofree char *path = g_build_filename(TEST_MODULE_DIR, "qvirt_driver_nosym.so", NULL);

    registry_start();
    module_use_test_dir();
    g_assert_cmpint(qv_driver_module_load("nosym"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, path);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED,
                            "does not export 'qvirt_driver_nosym_register'");
    g_assert_cmpint(qv_driver_registry_count(), ==, 0);
}

static void
test_module_failed_registration(void)
{
    registry_start();
    module_use_test_dir();
    g_assert_cmpint(qv_driver_module_load("failreg"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "failreg refuses to register");
    /* What it registered before failing is gone. */
    g_assert_null(qv_driver_find("failreg"));
    g_assert_cmpint(qv_driver_registry_count(), ==, 0);
}

static void
test_module_not_a_library(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "qvirt_driver_garbage.so", NULL);

    registry_start();
    g_assert_true(g_file_set_contents(path, "this is not an ELF file\n", -1, NULL));
    g_setenv("QVIRT_DRIVER_DIR", dir, TRUE);
    g_assert_cmpint(qv_driver_module_load("garbage"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "cannot load driver module '");
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, path);
    qvirt_test_rmtree(dir);
}

static void
test_module_bad_names(void)
{
    const char *const bad[] = {"", "../dummy", "Dummy", "du mmy", "a/b", NULL};

    registry_start();
    for (size_t i = 0; bad[i]; i++) {
        g_assert_cmpint(qv_driver_module_load(bad[i]), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid driver module name");
    }
    g_assert_cmpint(qv_driver_module_load(NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid driver module name ''");

    /* Without QVIRT_DRIVER_DIR, the install folder. */
    {
        g_autofree char *dir = NULL;

        g_unsetenv("QVIRT_DRIVER_DIR");
        dir = qv_driver_module_dir();
        g_assert_true(g_str_has_suffix(dir, "/drivers"));
        g_assert_true(g_path_is_absolute(dir));
    }
}

void
test_registry_register_cases(void)
{
    g_test_add_func("/driver/registry/register", test_registry_register);
    g_test_add_func("/driver/registry/routing", test_registry_routing);
    g_test_add_func("/driver/registry/routing-errors", test_registry_routing_errors);
    g_test_add_func("/driver/api/handles-and-lifetime", test_api_handles_and_lifetime);
    g_test_add_func("/driver/api/argument-checks", test_api_argument_checks);
    g_test_add_func("/driver/api/read-only", test_api_read_only);
    g_test_add_func("/driver/api/no-support", test_api_no_support);
    g_test_add_func("/driver/api/close-callback", test_api_close_callback);
    g_test_add_func("/driver/state/order-and-errors", test_state_drivers);
    g_test_add_func("/driver/module/good", test_module_good);
    g_test_add_func("/driver/module/missing", test_module_missing);
    g_test_add_func("/driver/module/no-symbol", test_module_no_symbol);
    g_test_add_func("/driver/module/failed-registration", test_module_failed_registration);
    g_test_add_func("/driver/module/not-a-library", test_module_not_a_library);
    g_test_add_func("/driver/module/bad-names", test_module_bad_names);
}

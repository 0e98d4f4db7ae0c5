/* test-fakeserver.c: the fake QEMU's own checks must be able to fail: the
 * QMP schema check, unexpected commands and unused script items. */
#include <config.h>

#include <string.h>

#include "fixture.h"
#include "qemu/qemu_monitor_json.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

/* NULL when CMD with the JSON text ARGS passes the schema check. */
static char *
check(const char *cmd, const char *args)
{
    g_autoptr(QvirtJson) obj = NULL;

    if (args) {
        obj = qvirt_json_parse(args, strlen(args), "args");
        g_assert_nonnull(obj);
    }
    return qemu_monitor_test_check_schema(qemu_monitor_test_get_schema(), cmd, obj);
}

#define ASSERT_VALID(cmd, args)                                                                    \
    do {                                                                                           \
        g_autofree char *err_ = check(cmd, args);                                                  \
        if (err_)                                                                                  \
            g_error("%s %s should be valid: %s", cmd, args ? args : "", err_);                     \
    } while (0)

#define ASSERT_INVALID(cmd, args, needle)                                                          \
    do {                                                                                           \
        g_autofree char *err_ = check(cmd, args);                                                  \
        g_assert_nonnull(err_);                                                                    \
        if (!strstr(err_, needle))                                                                 \
            g_error("'%s' does not mention '%s'", err_, needle);                                   \
    } while (0)

static void
test_fakeserver_schema(void)
{
    ASSERT_VALID("query-status", NULL);
    ASSERT_VALID("migrate", "{\"uri\": \"tcp:h:1\", \"detach\": true}");
    ASSERT_VALID("blockdev-add", "{\"driver\": \"file\", \"node-name\": \"n\", "
                                 "\"filename\": \"/f\"}");
    ASSERT_VALID("blockdev-add", "{\"driver\": \"qcow2\", \"node-name\": \"n\", "
                                 "\"file\": \"other-node\"}");
    ASSERT_VALID("migrate-set-parameters", "{\"tls-creds\": null}");
    ASSERT_VALID("object-add", "{\"qom-type\": \"secret\", \"id\": \"s\", \"data\": \"x\"}");

    ASSERT_INVALID("no-such-command", NULL, "not a command");
    ASSERT_INVALID("STOP", NULL, "not a command");
    ASSERT_INVALID("migrate", NULL, "missing required member 'uri'");
    ASSERT_INVALID("migrate", "{\"uri\": 5}", "migrate.uri: expected a JSON string");
    ASSERT_INVALID("migrate", "{\"uri\": \"x\", \"speed\": 1}", "unknown member 'speed'");
    ASSERT_INVALID("migrate-continue", "{\"state\": \"flying\"}", "'flying' is not a valid");
    ASSERT_INVALID("migrate-set-capabilities",
                   "{\"capabilities\": [{\"capability\": "
                   "\"events\", \"state\": 1}]}",
                   "capabilities[0].state: expected a JSON boolean");
    ASSERT_INVALID("blockdev-add", "{\"driver\": \"file\", \"node-name\": \"n\"}",
                   "missing required member 'filename'");
    ASSERT_INVALID("blockdev-add", "{\"driver\": \"warp\", \"node-name\": \"n\"}",
                   "'warp' is not a valid value");
    ASSERT_INVALID("blockdev-add", "{\"driver\": \"qcow2\", \"file\": 3}",
                   "matches no alternative");
    ASSERT_INVALID("balloon", "{\"value\": 1.5}", "expected a JSON int");
    ASSERT_INVALID("query-status", "{\"x\": 1}", "unknown member 'x'");
}

/* The fake server flags a command the script did not expect. */
static void
test_fakeserver_unexpected(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *failure = NULL;

    qemu_monitor_test_expect(f->server, "cont", NULL, NULL);
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_stop(f->mon), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "unexpected command");
    g_assert_cmpint(qemu_monitor_json_cont(f->mon), ==, -1);
    failure = qemu_monitor_test_get_failure(f->server);
    g_assert_nonnull(strstr(failure, "expected command 'cont', got 'stop'"));
    mon_fixture_free(f);
}

/* ...a command with arguments the schema refuses, or other than expected... */
static void
test_fakeserver_bad_arguments(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *failure = NULL;
    g_autofree char *out = NULL;

    qemu_monitor_test_expect(f->server, "migrate", NULL, NULL);
    qemu_monitor_test_expect(f->server, "migrate-incoming", "{\"uri\": \"tcp:a:1\"}", NULL);
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_raw_command(f->mon,
                                                  "{\"execute\": \"migrate\", "
                                                  "\"arguments\": {\"uri\": 1}}",
                                                  &out),
                    ==, 0);
    g_assert_nonnull(strstr(out, "invalid arguments"));
    g_assert_cmpint(qemu_monitor_json_migrate_incoming(f->mon, "tcp:b:1"), ==, -1);
    failure = qemu_monitor_test_get_failure(f->server);
    g_assert_nonnull(strstr(failure, "does not match the QMP schema: migrate.uri"));
    mon_fixture_free(f);
}

static void
test_fakeserver_arguments_differ(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *failure = NULL;

    qemu_monitor_test_expect(f->server, "migrate-incoming", "{\"uri\": \"tcp:a:1\"}", NULL);
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_migrate_incoming(f->mon, "tcp:b:1"), ==, -1);
    failure = qemu_monitor_test_get_failure(f->server);
    g_assert_nonnull(strstr(failure, "arguments of 'migrate-incoming' differ"));
    mon_fixture_free(f);
}

/* ...and qemu_monitor_test_finish() fails the test on an unused item. */
static void
test_fakeserver_unused_item(void)
{
    if (g_test_subprocess()) {
        MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);

        qemu_monitor_test_expect(f->server, "cont", NULL, NULL);
        qemu_monitor_test_expect(f->server, "stop", NULL, NULL);
        mon_fixture_connect(f, 0);
        g_assert_cmpint(qemu_monitor_json_cont(f->mon), ==, 0);
        /* Not waiting for "stop": the script cannot end. */
        mon_fixture_finish(f);
        return;
    }
    g_test_trap_subprocess(NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stdout("*connection ended while expecting 'stop'*");
}

void
test_fakeserver_register(void)
{
    g_test_add_func("/qemumonitor/fakeserver/schema", test_fakeserver_schema);
    g_test_add_func("/qemumonitor/fakeserver/unexpected", test_fakeserver_unexpected);
    g_test_add_func("/qemumonitor/fakeserver/bad-arguments", test_fakeserver_bad_arguments);
    g_test_add_func("/qemumonitor/fakeserver/arguments-differ", test_fakeserver_arguments_differ);
    g_test_add_func("/qemumonitor/fakeserver/unused-item", test_fakeserver_unused_item);
}

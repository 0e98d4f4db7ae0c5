/* test-text.c: the HMP monitor against the fake QEMU: banner and prompt,
 * echo and escapes, command checks, timeouts, and the --hmp passthrough. */
#include <config.h>

#include <string.h>

#include "fixture.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_monitor_text.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

static void
test_text_commands(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_HMP, 0);
    g_autofree char *out = NULL;
    g_autofree char *banner = NULL;

    qemu_monitor_test_expect_hmp(f->server, "info status", "VM status: paused (prelaunch)\n");
    qemu_monitor_test_expect_hmp(f->server, "stop", "");
    qemu_monitor_test_expect_hmp(f->server, "cont", NULL);
    qemu_monitor_test_expect_hmp(f->server, "info migrate",
                                 "globals:\nstore-global-state: on\nonly-migratable: off\n");
    /* Output holding escapes and a "(qemu)" that is not a prompt. */
    qemu_monitor_test_expect_hmp(f->server, "info x", "a\033[Kb (qemu) c\n");
    mon_fixture_connect(f, 0);

    g_assert_cmpint(qemu_monitor_wait_ready(f->mon), ==, 0);
    banner = qemu_monitor_get_banner(f->mon);
    g_assert_cmpstr(banner, ==, "QEMU 7.2.22 monitor - type 'help' for more information");
    g_assert_null(qemu_monitor_get_greeting(f->mon));

    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: paused (prelaunch)\n");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "stop", &out), ==, 0);
    g_assert_cmpstr(out, ==, "");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "cont", &out), ==, 0);
    g_assert_cmpstr(out, ==, "");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info migrate", &out), ==, 0);
    g_assert_cmpstr(out, ==, "globals:\nstore-global-state: on\nonly-migratable: off\n");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info x", &out), ==, 0);
    g_assert_cmpstr(out, ==, "ab (qemu) c\n");
    mon_fixture_finish(f);
}

static void
test_text_bad_commands(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_HMP, 0);
    g_autofree char *out = NULL;
    g_autofree char *big = g_strnfill(QEMU_MONITOR_TEXT_MAX_COMMAND + 1, 'a');
    g_autoptr(QvirtJson) cmd = qemu_monitor_json_make_command("stop", NULL);
    g_autoptr(QvirtJson) reply = NULL;

    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "not 0");
    g_assert_cmpint(qemu_monitor_text_command(f->mon, big, &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "1 to 4000 characters");
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info status\nquit", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "control character 0x0a at offset 11");
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info\tstatus", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "0x09");
    /* The two protocols do not mix. */
    g_assert_cmpint(qemu_monitor_json_command(f->mon, cmd, &reply), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "QMP command sent to the HMP monitor");
    g_assert_null(out);
    mon_fixture_finish(f);
}

static void
test_text_on_qmp(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *out = NULL;

    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info status", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "HMP command sent to the QMP monitor");
    mon_fixture_finish(f);
}

/* A command that timed out: its late output is dropped, the next command
 * gets its own. */
static void
test_text_timeout(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_HMP, 0);
    g_autofree char *out = NULL;

    qemu_monitor_test_add_gate(f->server);
    qemu_monitor_test_expect_hmp(f->server, "info slow", "late output\n");
    qemu_monitor_test_expect_hmp(f->server, "info status", "VM status: running\n");
    mon_fixture_connect(f, 150);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info slow", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, "command 'info slow' of domain 'fake'");
    qemu_monitor_set_timeout(f->mon, 10000);
    qemu_monitor_test_release(f->server);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: running\n");
    mon_fixture_finish(f);
}

static void
test_text_eof(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_HMP, 0);
    g_autofree char *out = NULL;

    qemu_monitor_test_add_partial(f->server, "unsolicited\r\n(qemu) ", 4);
    qemu_monitor_test_add_eof(f->server);
    mon_fixture_connect(f, 0);
    g_assert_true(mon_fixture_wait_closed(f));
    g_assert_cmpint(f->eofs, ==, 1);
    g_assert_cmpint(qemu_monitor_text_command(f->mon, "info status", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "no longer running");
    mon_fixture_finish(f);
}

static void
test_text_passthrough(void)
{
    MonFixture *hmp = mon_fixture_new(QEMU_MONITOR_PROTOCOL_HMP, 0);
    MonFixture *qmp = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *out = NULL;

    qemu_monitor_test_expect_hmp(hmp->server, "info status", "VM status: running\n");
    qemu_monitor_test_expect(qmp->server, "human-monitor-command",
                             "{\"command-line\": \"info status\"}",
                             "{\"return\": \"VM status: paused\\r\\n\"}");
    mon_fixture_connect(hmp, 0);
    mon_fixture_connect(qmp, 0);
    /* With an HMP monitor the command goes there... */
    g_assert_cmpint(qemu_monitor_hmp_passthrough(qmp->mon, hmp->mon, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: running\n");
    g_clear_pointer(&out, g_free);
    /* ...and without one through QMP. */
    g_assert_cmpint(qemu_monitor_hmp_passthrough(qmp->mon, NULL, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: paused\n");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_hmp_passthrough(NULL, NULL, "info status", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "no QEMU monitor");
    mon_fixture_finish(hmp);
    mon_fixture_finish(qmp);
}

void
test_text_register(void)
{
    g_test_add_func("/qemumonitor/text/commands", test_text_commands);
    g_test_add_func("/qemumonitor/text/bad-commands", test_text_bad_commands);
    g_test_add_func("/qemumonitor/text/on-qmp", test_text_on_qmp);
    g_test_add_func("/qemumonitor/text/timeout", test_text_timeout);
    g_test_add_func("/qemumonitor/text/eof", test_text_eof);
    g_test_add_func("/qemumonitor/text/passthrough", test_text_passthrough);
}

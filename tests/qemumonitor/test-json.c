/* test-json.c: every QMP wrapper against the fake QEMU: the command and
 * arguments it sends (checked against the recorded QMP schema and, here,
 * exactly), the parsing of its reply, QMP errors and malformed replies. */
#include <config.h>

#include <string.h>

#include "fixture.h"
#include "qemu/qemu_monitor_json.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

#define OK "{\"return\": {}}"
#define STATUS_RUNNING                                                                             \
    "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}"

static MonFixture *
qmp_fixture(void)
{
    return mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
}

/* ---- Commands whose reply carries nothing: one table ---- */

typedef struct {
    const char *name; /* test case and QMP command */
    const char *args; /* exact arguments expected, NULL: none */
    int (*call)(QemuMonitor *mon);
} SimpleCase;

static int
call_migrate(QemuMonitor *m)
{
    return qemu_monitor_json_migrate(m, "tcp:[::1]:49152", false);
}

static int
call_migrate_resume(QemuMonitor *m)
{
    return qemu_monitor_json_migrate(m, "unix:/run/m.sock", true);
}

static int
call_migrate_continue(QemuMonitor *m)
{
    return qemu_monitor_json_migrate_continue(m, QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER);
}

static int
call_migrate_incoming(QemuMonitor *m)
{
    return qemu_monitor_json_migrate_incoming(m, "tcp:0.0.0.0:49152");
}

static int
call_migrate_recover(QemuMonitor *m)
{
    return qemu_monitor_json_migrate_recover(m, "tcp:0.0.0.0:49153");
}

static int
call_blockdev_del(QemuMonitor *m)
{
    return qemu_monitor_json_blockdev_del(m, "libvirt-1-format");
}

static int
call_object_del(QemuMonitor *m)
{
    return qemu_monitor_json_object_del(m, "sec0");
}

static int
call_job_dismiss(QemuMonitor *m)
{
    return qemu_monitor_json_job_dismiss(m, "copy-vda");
}

static int
call_job_finalize(QemuMonitor *m)
{
    return qemu_monitor_json_job_finalize(m, "copy-vda");
}

static int
call_job_complete(QemuMonitor *m)
{
    return qemu_monitor_json_job_complete(m, "copy-vda");
}

static int
call_bj_cancel(QemuMonitor *m)
{
    return qemu_monitor_json_block_job_cancel(m, "copy-vda", false);
}

static int
call_bj_cancel_force(QemuMonitor *m)
{
    return qemu_monitor_json_block_job_cancel(m, "copy-vda", true);
}

static int
call_bj_complete(QemuMonitor *m)
{
    return qemu_monitor_json_block_job_complete(m, "copy-vda");
}

static int
call_bj_speed(QemuMonitor *m)
{
    return qemu_monitor_json_block_job_set_speed(m, "copy-vda", 1048576);
}

static int
call_balloon(QemuMonitor *m)
{
    return qemu_monitor_json_balloon(m, 536870912ULL);
}

static int
call_export_del(QemuMonitor *m)
{
    return qemu_monitor_json_block_export_del(m, "exp-vda", false);
}

static int
call_export_del_hard(QemuMonitor *m)
{
    return qemu_monitor_json_block_export_del(m, "exp-vda", true);
}

static int
call_nbd_tcp(QemuMonitor *m)
{
    return qemu_monitor_json_nbd_server_start(m, "::", 10809, NULL, "objlibvirt_migrate_tls0",
                                              NULL);
}

static int
call_nbd_unix(QemuMonitor *m)
{
    return qemu_monitor_json_nbd_server_start(m, NULL, 0, "/run/qvirt/nbd.sock", NULL, NULL);
}

static int
call_export_add(QemuMonitor *m)
{
    return qemu_monitor_json_block_export_add_nbd(m, "exp-vda", "libvirt-1-format", "drive-vda",
                                                  true, NULL);
}

static int
call_export_add_bitmap(QemuMonitor *m)
{
    return qemu_monitor_json_block_export_add_nbd(m, "exp-vda", "libvirt-1-format", "drive-vda",
                                                  false, "bitmap0");
}

static int
call_dump(QemuMonitor *m)
{
    return qemu_monitor_json_dump_guest_memory(m, "fd:dump", NULL, false);
}

static int
call_dump_kdump(QemuMonitor *m)
{
    return qemu_monitor_json_dump_guest_memory(m, "file:/tmp/x", "kdump-zlib", true);
}

static int
call_migrate_caps(QemuMonitor *m)
{
    const char *names[] = {"pause-before-switchover", "events", "postcopy-ram"};
    bool states[] = {true, true, false};

    return qemu_monitor_json_migrate_set_capabilities(m, names, states, 3);
}

static int
call_migrate_params(QemuMonitor *m)
{
    g_autoptr(QvirtJson) params = json_object_new_object();

    json_object_object_add(params, "max-bandwidth", json_object_new_int64(1 << 30));
    json_object_object_add(params, "tls-creds", json_object_new_string("objlibvirt_tls0"));
    return qemu_monitor_json_migrate_set_parameters(m, params);
}

static int
call_blockdev_add(QemuMonitor *m)
{
    g_autoptr(QvirtJson) props = NULL;
    const char *text = "{\"driver\": \"qcow2\", \"node-name\": \"libvirt-1-format\", "
                       "\"file\": {\"driver\": \"file\", \"filename\": \"/var/lib/a.qcow2\"}, "
                       "\"read-only\": false}";

    props = qvirt_json_parse(text, strlen(text), "props");
    return qemu_monitor_json_blockdev_add(m, props);
}

static int
call_object_add(QemuMonitor *m)
{
    g_autoptr(QvirtJson) props = json_object_new_object();

    json_object_object_add(props, "qom-type", json_object_new_string("secret"));
    json_object_object_add(props, "id", json_object_new_string("sec0"));
    json_object_object_add(props, "data", json_object_new_string("c2VjcmV0"));
    json_object_object_add(props, "format", json_object_new_string("base64"));
    return qemu_monitor_json_object_add(m, props);
}

static int
call_mirror(QemuMonitor *m)
{
    QemuMonitorJobOptions opts = {
        .job_id = "copy-vda", .speed = 1 << 20, .manual_finalize = true, .manual_dismiss = true};

    return qemu_monitor_json_blockdev_mirror(m, &opts, "libvirt-1-format", "migration-vda", "full",
                                             65536, 0, true);
}

static int
call_stream(QemuMonitor *m)
{
    QemuMonitorJobOptions opts = {
        .job_id = "pull-vda", .manual_finalize = true, .manual_dismiss = true};

    return qemu_monitor_json_block_stream(m, &opts, "libvirt-3-format", "libvirt-1-format",
                                          "/img/base.qcow2");
}

static int
call_commit(QemuMonitor *m)
{
    QemuMonitorJobOptions opts = {.job_id = "commit-vda", .manual_dismiss = true};

    return qemu_monitor_json_block_commit(m, &opts, "libvirt-3-format", "libvirt-2-format",
                                          "libvirt-1-format", NULL);
}

static const SimpleCase simple_cases[] = {
    {"qmp_capabilities", NULL, qemu_monitor_json_set_capabilities},
    {"cont", NULL, qemu_monitor_json_cont},
    {"stop", NULL, qemu_monitor_json_stop},
    {"system_powerdown", NULL, qemu_monitor_json_system_powerdown},
    {"system_reset", NULL, qemu_monitor_json_system_reset},
    {"quit", NULL, qemu_monitor_json_quit},
    {"migrate", "{\"detach\": true, \"uri\": \"tcp:[::1]:49152\"}", call_migrate},
    {"migrate", "{\"detach\": true, \"uri\": \"unix:/run/m.sock\", \"resume\": true}",
     call_migrate_resume},
    {"migrate_cancel", NULL, qemu_monitor_json_migrate_cancel},
    {"migrate-continue", "{\"state\": \"pre-switchover\"}", call_migrate_continue},
    {"migrate-incoming", "{\"uri\": \"tcp:0.0.0.0:49152\"}", call_migrate_incoming},
    {"migrate-set-capabilities",
     "{\"capabilities\": [{\"capability\": \"pause-before-switchover\", \"state\": true}, "
     "{\"capability\": \"events\", \"state\": true}, "
     "{\"capability\": \"postcopy-ram\", \"state\": false}]}",
     call_migrate_caps},
    {"migrate-set-parameters",
     "{\"max-bandwidth\": 1073741824, \"tls-creds\": \"objlibvirt_tls0\"}", call_migrate_params},
    {"migrate-start-postcopy", NULL, qemu_monitor_json_migrate_start_postcopy},
    {"migrate-recover", "{\"uri\": \"tcp:0.0.0.0:49153\"}", call_migrate_recover},
    {"migrate-pause", NULL, qemu_monitor_json_migrate_pause},
    {"nbd-server-start",
     "{\"addr\": {\"type\": \"inet\", \"data\": {\"host\": \"::\", \"port\": \"10809\"}}, "
     "\"tls-creds\": \"objlibvirt_migrate_tls0\"}",
     call_nbd_tcp},
    {"nbd-server-start",
     "{\"addr\": {\"type\": \"unix\", \"data\": {\"path\": \"/run/qvirt/nbd.sock\"}}}",
     call_nbd_unix},
    {"nbd-server-stop", NULL, qemu_monitor_json_nbd_server_stop},
    {"block-export-add",
     "{\"type\": \"nbd\", \"id\": \"exp-vda\", \"node-name\": \"libvirt-1-format\", "
     "\"name\": \"drive-vda\", \"writable\": true}",
     call_export_add},
    {"block-export-add",
     "{\"type\": \"nbd\", \"id\": \"exp-vda\", \"node-name\": \"libvirt-1-format\", "
     "\"name\": \"drive-vda\", \"writable\": false, \"bitmaps\": [\"bitmap0\"]}",
     call_export_add_bitmap},
    {"block-export-del", "{\"id\": \"exp-vda\"}", call_export_del},
    {"block-export-del", "{\"id\": \"exp-vda\", \"mode\": \"hard\"}", call_export_del_hard},
    {"blockdev-add",
     "{\"driver\": \"qcow2\", \"node-name\": \"libvirt-1-format\", \"file\": {\"driver\": "
     "\"file\", \"filename\": \"/var/lib/a.qcow2\"}, \"read-only\": false}",
     call_blockdev_add},
    {"blockdev-del", "{\"node-name\": \"libvirt-1-format\"}", call_blockdev_del},
    {"blockdev-mirror",
     "{\"device\": \"libvirt-1-format\", \"target\": \"migration-vda\", \"sync\": \"full\", "
     "\"granularity\": 65536, \"copy-mode\": \"write-blocking\", \"job-id\": \"copy-vda\", "
     "\"speed\": 1048576, \"auto-finalize\": false, \"auto-dismiss\": false}",
     call_mirror},
    {"block-stream",
     "{\"device\": \"libvirt-3-format\", \"base-node\": \"libvirt-1-format\", "
     "\"backing-file\": \"/img/base.qcow2\", \"job-id\": \"pull-vda\", "
     "\"auto-finalize\": false, \"auto-dismiss\": false}",
     call_stream},
    {"block-commit",
     "{\"device\": \"libvirt-3-format\", \"top-node\": \"libvirt-2-format\", "
     "\"base-node\": \"libvirt-1-format\", \"job-id\": \"commit-vda\", "
     "\"auto-dismiss\": false}",
     call_commit},
    {"block-job-cancel", "{\"device\": \"copy-vda\"}", call_bj_cancel},
    {"block-job-cancel", "{\"device\": \"copy-vda\", \"force\": true}", call_bj_cancel_force},
    {"block-job-complete", "{\"device\": \"copy-vda\"}", call_bj_complete},
    {"block-job-set-speed", "{\"device\": \"copy-vda\", \"speed\": 1048576}", call_bj_speed},
    {"job-dismiss", "{\"id\": \"copy-vda\"}", call_job_dismiss},
    {"job-finalize", "{\"id\": \"copy-vda\"}", call_job_finalize},
    {"job-complete", "{\"id\": \"copy-vda\"}", call_job_complete},
    {"balloon", "{\"value\": 536870912}", call_balloon},
    {"dump-guest-memory", "{\"paging\": false, \"protocol\": \"fd:dump\", \"detach\": true}",
     call_dump},
    {"dump-guest-memory",
     "{\"paging\": true, \"protocol\": \"file:/tmp/x\", \"detach\": true, "
     "\"format\": \"kdump-zlib\"}",
     call_dump_kdump},
    {"object-add",
     "{\"qom-type\": \"secret\", \"id\": \"sec0\", \"data\": \"c2VjcmV0\", "
     "\"format\": \"base64\"}",
     call_object_add},
    {"object-del", "{\"id\": \"sec0\"}", call_object_del},
};

/* Success, then a QMP error reply mapped to OPERATION_FAILED naming it. */
static void
test_json_simple(gconstpointer data)
{
    const SimpleCase *sc = data;
    MonFixture *f = qmp_fixture();
    g_autofree char *needle = g_strdup_printf("unable to execute QEMU command '%s': "
                                              "it went wrong",
                                              sc->name);

    qemu_monitor_test_expect(f->server, sc->name, sc->args ? sc->args : "{}", OK);
    qemu_monitor_test_expect_error(f->server, sc->name, "GenericError", "it went wrong");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(sc->call(f->mon), ==, 0);
    g_assert_cmpint(sc->call(f->mon), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, needle);
    g_assert_false(qemu_monitor_is_closed(f->mon));
    mon_fixture_finish(f);
}

/* Bad inputs are refused before anything is sent. */
static void
test_json_bad_inputs(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(QvirtJson) arr = json_object_new_array();
    g_autoptr(QvirtJson) noid = json_object_new_object();
    g_autofree char *out = NULL;

    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_blockdev_add(f->mon, arr), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "must be a JSON object");
    json_object_object_add(noid, "qom-type", json_object_new_string("secret"));
    g_assert_cmpint(qemu_monitor_json_object_add(f->mon, noid), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "lack 'id'");
    g_assert_cmpint(qemu_monitor_json_nbd_server_start(f->mon, NULL, 10809, NULL, NULL, NULL), ==,
                    -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid NBD server address");
    g_assert_cmpint(qemu_monitor_json_migrate(f->mon, NULL, false), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "argument 'uri' of QEMU command "
                                                      "'migrate' is missing");
    g_assert_cmpint(qemu_monitor_json_migrate_continue(f->mon, 99), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "invalid migration status");
    g_assert_null(qemu_monitor_json_make_command("x", "bad", 1, NULL));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "malformed argument 'bad'");
    g_assert_null(qemu_monitor_json_make_command("x", "q:key", 1, NULL));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "malformed argument 'q:key'");
    mon_fixture_finish(f);
}

static void
test_json_make_command(void)
{
    g_autoptr(QvirtJson) cmd = NULL;
    g_autoptr(QvirtJson) arr = json_object_new_array();
    g_autofree char *text = NULL;

    cmd = qemu_monitor_json_make_command("x", "s:s", "str", "S:S", NULL, "b:b", 0, "B:B", 0, "i:i",
                                         -3, "I:I", 0, "j:j", 5000000000LL, "J:J", 0LL, "u:u",
                                         18446744073709551615ULL, "U:U", 0ULL, "a:a", arr, "A:A",
                                         NULL, NULL);
    text = qvirt_json_to_string(cmd);
    g_assert_cmpstr(text, ==,
                    "{\"execute\":\"x\",\"arguments\":{\"s\":\"str\",\"b\":false,\"i\":-3,"
                    "\"j\":5000000000,\"u\":18446744073709551615,\"a\":[]}}");
    g_clear_pointer(&cmd, json_object_put);
    g_clear_pointer(&text, g_free);
    cmd = qemu_monitor_json_make_command("y", NULL);
    text = qvirt_json_to_string(cmd);
    g_assert_cmpstr(text, ==, "{\"execute\":\"y\"}");
}

/* ---- Queries ---- */

static void
test_json_query_status(void)
{
    MonFixture *f = qmp_fixture();
    bool running = true;
    QemuMonitorVMStatus st = QEMU_MONITOR_VM_STATUS_RUNNING;

    qemu_monitor_test_expect(f->server, "query-status", NULL,
                             "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, "
                             "\"running\": false}}");
    qemu_monitor_test_expect(f->server, "query-status", NULL,
                             "{\"return\": {\"status\": \"brand-new-state\", \"running\": true}}");
    qemu_monitor_test_expect(f->server, "query-status", NULL,
                             "{\"return\": {\"status\": \"running\"}}");
    qemu_monitor_test_expect(f->server, "query-status", NULL,
                             "{\"return\": {\"status\": 1, \"running\": true}}");
    qemu_monitor_test_expect(f->server, "query-status", NULL, "{\"return\": []}");
    qemu_monitor_test_expect(f->server, "query-status", NULL, "{\"id2\": 1, \"error\": {}}");
    mon_fixture_connect(f, 0);

    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, &st), ==, 0);
    g_assert_false(running);
    g_assert_cmpint(st, ==, QEMU_MONITOR_VM_STATUS_PRELAUNCH);
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, &st), ==, 0);
    g_assert_true(running);
    g_assert_cmpint(st, ==, QEMU_MONITOR_VM_STATUS_UNKNOWN);
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, &st), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'query-status' returned no 'running'");
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, &st), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'status'");
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, &st), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "expected a JSON object");
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, &st), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "'query-status': unknown error");
    mon_fixture_finish(f);

    for (int i = 0; i < QEMU_MONITOR_VM_STATUS_LAST; i++)
        g_assert_cmpint(qemu_monitor_vm_status_from_string(qemu_monitor_vm_status_to_string(i)), ==,
                        i);
    g_assert_cmpint(qemu_monitor_vm_status_from_string("nope"), ==, -1);
}

static void
test_json_query_version(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(QemuMonitorVersion) ver = NULL;

    qemu_monitor_test_expect(f->server, "query-version", NULL,
                             "{\"return\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": "
                             "7}, \"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}}");
    qemu_monitor_test_expect(f->server, "query-version", NULL,
                             "{\"return\": {\"package\": \"x\"}}");
    qemu_monitor_test_expect(f->server, "query-version", NULL,
                             "{\"return\": {\"qemu\": {\"micro\": 1, \"minor\": 1e99, "
                             "\"major\": 7}}}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_version(f->mon, &ver), ==, 0);
    g_assert_cmpint(ver->major, ==, 7);
    g_assert_cmpint(ver->minor, ==, 2);
    g_assert_cmpint(ver->micro, ==, 22);
    g_assert_cmpstr(ver->package, ==, "Debian 1:7.2+dfsg-7+deb12u18+b3");
    g_clear_pointer(&ver, qemu_monitor_version_free);
    g_assert_cmpint(qemu_monitor_json_query_version(f->mon, &ver), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'qemu'");
    g_assert_cmpint(qemu_monitor_json_query_version(f->mon, &ver), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'minor'");
    g_assert_null(ver);
    mon_fixture_finish(f);
}

static void
test_json_query_commands(void)
{
    MonFixture *f = qmp_fixture();
    g_auto(GStrv) names = NULL;
    g_autoptr(QvirtJson) schema = NULL;

    qemu_monitor_test_expect(f->server, "query-commands", NULL,
                             "{\"return\": [{\"name\": \"qom-list-properties\"}, "
                             "{\"name\": \"blockdev-mirror\"}]}");
    qemu_monitor_test_expect(f->server, "query-commands", NULL,
                             "{\"return\": [{\"name\": \"ok\"}, {\"nome\": \"typo\"}]}");
    qemu_monitor_test_expect(f->server, "query-commands", NULL, "{\"return\": [1]}");
    qemu_monitor_test_expect(f->server, "query-qmp-schema", NULL,
                             "{\"return\": [{\"name\": \"query-status\", \"meta-type\": "
                             "\"command\", \"arg-type\": \"0\", \"ret-type\": \"1\"}]}");
    qemu_monitor_test_expect(f->server, "query-qmp-schema", NULL, "{\"return\": {}}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_commands(f->mon, &names), ==, 0);
    g_assert_cmpuint(g_strv_length(names), ==, 2);
    g_assert_cmpstr(names[1], ==, "blockdev-mirror");
    g_clear_pointer(&names, g_strfreev);
    g_assert_cmpint(qemu_monitor_json_query_commands(f->mon, &names), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'name'");
    g_assert_cmpint(qemu_monitor_json_query_commands(f->mon, &names), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "item 0 of the reply");
    g_assert_null(names);
    g_assert_cmpint(qemu_monitor_json_query_qmp_schema(f->mon, &schema), ==, 0);
    g_assert_cmpuint(json_object_array_length(schema), ==, 1);
    g_clear_pointer(&schema, json_object_put);
    g_assert_cmpint(qemu_monitor_json_query_qmp_schema(f->mon, &schema), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "expected a JSON array");
    mon_fixture_finish(f);
}

static void
test_json_query_kvm(void)
{
    MonFixture *f = qmp_fixture();
    bool present = false;
    bool enabled = false;

    qemu_monitor_test_expect(f->server, "query-kvm", NULL,
                             "{\"return\": {\"enabled\": true, \"present\": true}}");
    qemu_monitor_test_expect(f->server, "query-kvm", NULL,
                             "{\"return\": {\"enabled\": 1, "
                             "\"present\": true}}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_kvm(f->mon, &present, &enabled), ==, 0);
    g_assert_true(present && enabled);
    g_assert_cmpint(qemu_monitor_json_query_kvm(f->mon, &present, &enabled), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "enabled");
    mon_fixture_finish(f);
}

static void
test_json_query_machines(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(GPtrArray) machines = NULL;
    QemuMonitorMachineInfo *m;

    qemu_monitor_test_expect(
        f->server, "query-machines", NULL,
        "{\"return\": [{\"hotpluggable-cpus\": true, \"name\": \"pc-i440fx-7.2\", "
        "\"numa-mem-supported\": false, \"default-cpu-type\": \"qemu64-x86_64-cpu\", "
        "\"is-default\": true, \"cpu-max\": 255, \"deprecated\": false, \"alias\": \"pc\", "
        "\"default-ram-id\": \"pc.ram\"}, {\"hotpluggable-cpus\": false, \"name\": \"none\", "
        "\"numa-mem-supported\": false, \"cpu-max\": 1, \"deprecated\": false}]}");
    qemu_monitor_test_expect(f->server, "query-machines", NULL,
                             "{\"return\": [{\"name\": \"pc\"}]}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_machines(f->mon, &machines), ==, 0);
    g_assert_cmpuint(machines->len, ==, 2);
    m = g_ptr_array_index(machines, 0);
    g_assert_cmpstr(m->name, ==, "pc-i440fx-7.2");
    g_assert_cmpstr(m->alias, ==, "pc");
    g_assert_true(m->is_default);
    g_assert_cmpint(m->max_cpus, ==, 255);
    g_assert_true(m->hotpluggable_cpus);
    g_assert_cmpstr(m->default_cpu_type, ==, "qemu64-x86_64-cpu");
    g_assert_cmpstr(m->default_ram_id, ==, "pc.ram");
    m = g_ptr_array_index(machines, 1);
    g_assert_null(m->alias);
    g_assert_false(m->is_default);
    g_clear_pointer(&machines, g_ptr_array_unref);
    g_assert_cmpint(qemu_monitor_json_query_machines(f->mon, &machines), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'cpu-max'");
    mon_fixture_finish(f);
}

static void
test_json_query_cpus_fast(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(GPtrArray) cpus = NULL;
    QemuMonitorCpuInfo *c;

    qemu_monitor_test_expect(
        f->server, "query-cpus-fast", NULL,
        "{\"return\": [{\"thread-id\": 4035, \"props\": {\"core-id\": 0, \"thread-id\": 0, "
        "\"socket-id\": 0}, \"qom-path\": \"/machine/unattached/device[0]\", \"cpu-index\": 0, "
        "\"target\": \"x86_64\"}, {\"thread-id\": 4036, \"props\": {\"core-id\": 0, "
        "\"thread-id\": 0, \"socket-id\": 1}, \"qom-path\": \"/machine/unattached/device[1]\", "
        "\"cpu-index\": 1, \"target\": \"x86_64\"}]}");
    qemu_monitor_test_expect(f->server, "query-cpus-fast", NULL,
                             "{\"return\": [{\"cpu-index\": 0, \"qom-path\": \"/m\"}]}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_cpus_fast(f->mon, &cpus), ==, 0);
    g_assert_cmpuint(cpus->len, ==, 2);
    c = g_ptr_array_index(cpus, 1);
    g_assert_cmpint(c->cpu_index, ==, 1);
    g_assert_cmpint(c->thread_id, ==, 4036);
    g_assert_cmpint(c->socket_id, ==, 1);
    g_assert_cmpint(c->core_id, ==, 0);
    g_assert_cmpstr(c->qom_path, ==, "/machine/unattached/device[1]");
    g_assert_cmpstr(c->target, ==, "x86_64");
    g_clear_pointer(&cpus, g_ptr_array_unref);
    g_assert_cmpint(qemu_monitor_json_query_cpus_fast(f->mon, &cpus), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'thread-id'");
    mon_fixture_finish(f);
}

static void
test_json_query_cpu_definitions(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(GPtrArray) models = NULL;
    QemuMonitorCpuModel *m;

    qemu_monitor_test_expect(
        f->server, "query-cpu-definitions", NULL,
        "{\"return\": [{\"name\": \"Skylake-Client\", \"typename\": \"Skylake-Client-x86_64-cpu\","
        " \"unavailable-features\": [\"hle\", \"rtm\"], \"static\": false, \"migration-safe\": "
        "true, \"deprecated\": false}, {\"name\": \"qemu64\", \"typename\": "
        "\"qemu64-x86_64-cpu\", \"unavailable-features\": [], \"static\": false, "
        "\"migration-safe\": true, \"deprecated\": false, \"alias-of\": \"qemu64-v1\"}]}");
    qemu_monitor_test_expect(f->server, "query-cpu-definitions", NULL,
                             "{\"return\": [{\"name\": \"x\", \"unavailable-features\": [1]}]}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_cpu_definitions(f->mon, &models), ==, 0);
    g_assert_cmpuint(models->len, ==, 2);
    m = g_ptr_array_index(models, 0);
    g_assert_false(m->usable);
    g_assert_cmpuint(g_strv_length(m->blockers), ==, 2);
    g_assert_cmpstr(m->blockers[1], ==, "rtm");
    g_assert_true(m->migration_safe);
    m = g_ptr_array_index(models, 1);
    g_assert_true(m->usable);
    g_assert_cmpstr(m->alias_of, ==, "qemu64-v1");
    g_assert_cmpstr(m->type_name, ==, "qemu64-x86_64-cpu");
    g_clear_pointer(&models, g_ptr_array_unref);
    g_assert_cmpint(qemu_monitor_json_query_cpu_definitions(f->mon, &models), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "is not a string");
    mon_fixture_finish(f);
}

static void
test_json_query_migrate(void)
{
    MonFixture *f = qmp_fixture();
    QemuMonitorMigrationStats st;

    qemu_monitor_test_expect(f->server, "query-migrate", NULL, OK);
    qemu_monitor_test_expect(
        f->server, "query-migrate", NULL,
        "{\"return\": {\"expected-downtime\": 300, \"status\": \"active\", \"setup-time\": 2, "
        "\"total-time\": 1200, \"ram\": {\"total\": 269295616, \"postcopy-requests\": 0, "
        "\"dirty-sync-count\": 1, \"multifd-bytes\": 0, \"pages-per-second\": 32710, "
        "\"downtime-bytes\": 0, \"page-size\": 4096, \"remaining\": 138366976, "
        "\"postcopy-bytes\": 0, \"mbps\": 1073.5, \"transferred\": 130964201, "
        "\"dirty-sync-missed-zero-copy\": 0, \"precopy-bytes\": 130964201, \"duplicate\": 12, "
        "\"dirty-pages-rate\": 7, \"skipped\": 0, \"normal-bytes\": 130510848, "
        "\"normal\": 31863}}}");
    qemu_monitor_test_expect(
        f->server, "query-migrate", NULL,
        "{\"return\": {\"status\": \"completed\", \"setup-time\": 2, \"downtime\": 35, "
        "\"total-time\": 3000, \"ram\": {\"total\": 100, \"remaining\": 0, \"transferred\": 100,"
        " \"mbps\": 1000}, \"disk\": {\"total\": 50, \"remaining\": 0, \"transferred\": 50}}}");
    qemu_monitor_test_expect(f->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"failed\", \"error-desc\": "
                             "\"Unable to write to socket: Broken pipe\"}}");
    qemu_monitor_test_expect(f->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"pre-switchover\", \"ram\": {}}}");
    qemu_monitor_test_expect(f->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"bogus\"}}");
    qemu_monitor_test_expect(f->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"active\"}}");
    qemu_monitor_test_expect(f->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"active\", \"ram\": {\"total\": -1}}}");
    mon_fixture_connect(f, 0);

    g_assert_cmpint(qemu_monitor_json_query_migrate(f->mon, &st), ==, 0);
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_MIGRATION_STATUS_NONE);
    g_assert_cmpuint(st.ram_total, ==, 0);
    qemu_monitor_migration_stats_clear(&st);

    g_assert_cmpint(qemu_monitor_json_query_migrate(f->mon, &st), ==, 0);
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_MIGRATION_STATUS_ACTIVE);
    g_assert_cmpuint(st.total_time, ==, 1200);
    g_assert_true(st.expected_downtime_set);
    g_assert_cmpuint(st.expected_downtime, ==, 300);
    g_assert_false(st.downtime_set);
    g_assert_cmpuint(st.ram_total, ==, 269295616);
    g_assert_cmpuint(st.ram_remaining, ==, 138366976);
    g_assert_cmpuint(st.ram_transferred, ==, 130964201);
    g_assert_cmpuint(st.ram_normal, ==, 31863);
    g_assert_cmpuint(st.ram_page_size, ==, 4096);
    g_assert_cmpuint(st.ram_dirty_rate, ==, 7);
    g_assert_cmpuint(st.ram_iteration, ==, 1);
    g_assert_cmpfloat(st.ram_mbps, ==, 1073.5);
    qemu_monitor_migration_stats_clear(&st);

    g_assert_cmpint(qemu_monitor_json_query_migrate(f->mon, &st), ==, 0);
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_MIGRATION_STATUS_COMPLETED);
    g_assert_true(st.downtime_set);
    g_assert_cmpuint(st.downtime, ==, 35);
    g_assert_cmpuint(st.disk_total, ==, 50);
    qemu_monitor_migration_stats_clear(&st);

    g_assert_cmpint(qemu_monitor_json_query_migrate(f->mon, &st), ==, 0);
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_MIGRATION_STATUS_FAILED);
    g_assert_cmpstr(st.error_desc, ==, "Unable to write to socket: Broken pipe");
    qemu_monitor_migration_stats_clear(&st);

    g_assert_cmpint(qemu_monitor_json_query_migrate(f->mon, &st), ==, 0);
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER);
    qemu_monitor_migration_stats_clear(&st);

    g_assert_cmpint(qemu_monitor_json_query_migrate(f->mon, &st), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "unknown migration status 'bogus'");
    g_assert_cmpint(qemu_monitor_json_query_migrate(f->mon, &st), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'ram'");
    g_assert_cmpint(qemu_monitor_json_query_migrate(f->mon, &st), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'total'");
    mon_fixture_finish(f);

    for (int i = 0; i < QEMU_MONITOR_MIGRATION_STATUS_LAST; i++)
        g_assert_cmpint(
            qemu_monitor_migration_status_from_string(qemu_monitor_migration_status_to_string(i)),
            ==, i);
}

static void
test_json_query_migrate_caps_params(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(GHashTable) caps = NULL;
    g_autoptr(QvirtJson) params = NULL;
    int64_t bw = 0;

    qemu_monitor_test_expect(f->server, "query-migrate-capabilities", NULL,
                             "{\"return\": [{\"state\": false, \"capability\": \"xbzrle\"}, "
                             "{\"state\": true, \"capability\": \"events\"}, {\"state\": false, "
                             "\"capability\": \"pause-before-switchover\"}]}");
    qemu_monitor_test_expect(f->server, "query-migrate-capabilities", NULL,
                             "{\"return\": [{\"state\": \"yes\", \"capability\": \"events\"}]}");
    qemu_monitor_test_expect(f->server, "query-migrate-parameters", NULL,
                             "{\"return\": {\"downtime-limit\": 300, \"max-bandwidth\": "
                             "134217728, \"tls-creds\": \"\"}}");
    qemu_monitor_test_expect(f->server, "query-migrate-parameters", NULL, "{\"return\": 5}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_migrate_capabilities(f->mon, &caps), ==, 0);
    g_assert_cmpuint(g_hash_table_size(caps), ==, 3);
    g_assert_true(g_hash_table_contains(caps, "pause-before-switchover"));
    g_assert_false(GPOINTER_TO_INT(g_hash_table_lookup(caps, "pause-before-switchover")));
    g_assert_true(GPOINTER_TO_INT(g_hash_table_lookup(caps, "events")));
    g_clear_pointer(&caps, g_hash_table_unref);
    g_assert_cmpint(qemu_monitor_json_query_migrate_capabilities(f->mon, &caps), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "state");
    g_assert_cmpint(qemu_monitor_json_query_migrate_parameters(f->mon, &params), ==, 0);
    g_assert_cmpint(qvirt_json_get_int64(params, "max-bandwidth", &bw), ==, 0);
    g_assert_cmpint(bw, ==, 134217728);
    g_clear_pointer(&params, json_object_put);
    g_assert_cmpint(qemu_monitor_json_query_migrate_parameters(f->mon, &params), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "expected a JSON object");
    mon_fixture_finish(f);
}

static void
test_json_query_block(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(GPtrArray) blocks = NULL;
    QemuMonitorBlockInfo *b;

    qemu_monitor_test_expect(
        f->server, "query-block", NULL,
        "{\"return\": [{\"io-status\": \"ok\", \"device\": \"\", \"locked\": false, "
        "\"removable\": false, \"inserted\": {\"iops_rd\": 0, \"detect_zeroes\": \"off\", "
        "\"image\": {\"virtual-size\": 1073741824, \"filename\": \"/img/a.qcow2\", "
        "\"format\": \"qcow2\"}, \"node-name\": \"libvirt-1-format\", \"ro\": false, "
        "\"drv\": \"qcow2\", \"file\": \"/img/a.qcow2\", \"encrypted\": false}, "
        "\"qdev\": \"/machine/peripheral/virtio-disk0/virtio-backend\", \"type\": \"unknown\"}, "
        "{\"device\": \"ide0-cd0\", \"locked\": false, \"removable\": true, \"tray_open\": "
        "true, \"qdev\": \"ide0-0-0\", \"type\": \"unknown\"}]}");
    qemu_monitor_test_expect(f->server, "query-block", NULL,
                             "{\"return\": [{\"device\": \"x\", \"locked\": false, "
                             "\"removable\": false, \"inserted\": {\"ro\": true}}]}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_block(f->mon, &blocks), ==, 0);
    g_assert_cmpuint(blocks->len, ==, 2);
    b = g_ptr_array_index(blocks, 0);
    g_assert_null(b->device);
    g_assert_true(b->inserted);
    g_assert_cmpstr(b->node_name, ==, "libvirt-1-format");
    g_assert_cmpstr(b->filename, ==, "/img/a.qcow2");
    g_assert_cmpstr(b->format, ==, "qcow2");
    g_assert_cmpstr(b->io_status, ==, "ok");
    b = g_ptr_array_index(blocks, 1);
    g_assert_cmpstr(b->device, ==, "ide0-cd0");
    g_assert_false(b->inserted);
    g_assert_true(b->tray_open);
    g_assert_true(b->removable);
    g_clear_pointer(&blocks, g_ptr_array_unref);
    g_assert_cmpint(qemu_monitor_json_query_block(f->mon, &blocks), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'file'");
    mon_fixture_finish(f);
}

static void
test_json_query_named_block_nodes(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(GPtrArray) nodes = NULL;
    QemuMonitorBlockNode *n;

    qemu_monitor_test_expect(
        f->server, "query-named-block-nodes", "{\"flat\": true}",
        "{\"return\": [{\"iops_rd\": 0, \"detect_zeroes\": \"off\", \"image\": "
        "{\"virtual-size\": 1073741824, \"filename\": \"/img/top.qcow2\", \"cluster-size\": "
        "65536, \"format\": \"qcow2\", \"actual-size\": 200704, \"backing-filename\": "
        "\"/img/base.qcow2\"}, \"node-name\": \"libvirt-2-format\", \"backing_file_depth\": 1, "
        "\"drv\": \"qcow2\", \"ro\": false, \"encrypted\": false, \"file\": \"/img/top.qcow2\", "
        "\"backing_file\": \"/img/base.qcow2\"}, {\"image\": {\"virtual-size\": 197120, "
        "\"filename\": \"/img/top.qcow2\", \"format\": \"file\"}, \"node-name\": "
        "\"libvirt-2-storage\", \"drv\": \"file\", \"ro\": false, \"file\": "
        "\"/img/top.qcow2\"}]}");
    qemu_monitor_test_expect(f->server, "query-named-block-nodes", "{\"flat\": true}",
                             "{\"return\": [{\"node-name\": \"n\", \"drv\": \"file\", \"ro\": "
                             "false, \"file\": \"/f\", \"image\": {}}]}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_named_block_nodes(f->mon, &nodes), ==, 0);
    g_assert_cmpuint(nodes->len, ==, 2);
    n = g_ptr_array_index(nodes, 0);
    g_assert_cmpstr(n->node_name, ==, "libvirt-2-format");
    g_assert_cmpstr(n->driver, ==, "qcow2");
    g_assert_cmpstr(n->backing_file, ==, "/img/base.qcow2");
    g_assert_cmpuint(n->virtual_size, ==, 1073741824);
    g_assert_cmpuint(n->actual_size, ==, 200704);
    n = g_ptr_array_index(nodes, 1);
    g_assert_null(n->backing_file);
    g_assert_cmpuint(n->actual_size, ==, 0);
    g_clear_pointer(&nodes, g_ptr_array_unref);
    g_assert_cmpint(qemu_monitor_json_query_named_block_nodes(f->mon, &nodes), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'virtual-size'");
    mon_fixture_finish(f);
}

static void
test_json_query_block_jobs(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(GPtrArray) jobs = NULL;
    QemuMonitorBlockJobInfo *j;

    qemu_monitor_test_expect(
        f->server, "query-block-jobs", NULL,
        "{\"return\": [{\"auto-finalize\": false, \"io-status\": \"ok\", \"device\": "
        "\"copy-vda\", \"auto-dismiss\": false, \"busy\": false, \"len\": 1073741824, "
        "\"offset\": 1073741824, \"status\": \"ready\", \"paused\": false, \"speed\": 0, "
        "\"ready\": true, \"type\": \"mirror\"}]}");
    qemu_monitor_test_expect(f->server, "query-block-jobs", NULL,
                             "{\"return\": [{\"device\": \"d\", \"type\": \"mirror\", "
                             "\"len\": 1}]}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_block_jobs(f->mon, &jobs), ==, 0);
    g_assert_cmpuint(jobs->len, ==, 1);
    j = g_ptr_array_index(jobs, 0);
    g_assert_cmpstr(j->device, ==, "copy-vda");
    g_assert_cmpstr(j->type, ==, "mirror");
    g_assert_cmpstr(j->status, ==, "ready");
    g_assert_true(j->ready);
    g_assert_false(j->auto_finalize);
    g_assert_cmpuint(j->len, ==, 1073741824);
    g_assert_cmpuint(j->offset, ==, j->len);
    g_clear_pointer(&jobs, g_ptr_array_unref);
    g_assert_cmpint(qemu_monitor_json_query_block_jobs(f->mon, &jobs), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'offset'");
    mon_fixture_finish(f);
}

static void
test_json_query_jobs(void)
{
    MonFixture *f = qmp_fixture();
    g_autoptr(GPtrArray) jobs = NULL;
    QemuMonitorJobInfo *j;

    qemu_monitor_test_expect(
        f->server, "query-jobs", NULL,
        "{\"return\": [{\"current-progress\": 1073741824, \"status\": \"concluded\", "
        "\"total-progress\": 1073741824, \"type\": \"commit\", \"id\": \"commit-vda\", "
        "\"error\": \"No space left on device\"}, {\"current-progress\": 0, \"status\": "
        "\"running\", \"total-progress\": 1, \"type\": \"stream\", \"id\": \"pull-vdb\"}]}");
    qemu_monitor_test_expect(f->server, "query-jobs", NULL,
                             "{\"return\": [{\"id\": \"x\", \"type\": \"stream\", \"status\": "
                             "\"running\", \"current-progress\": 0}]}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_jobs(f->mon, &jobs), ==, 0);
    g_assert_cmpuint(jobs->len, ==, 2);
    j = g_ptr_array_index(jobs, 0);
    g_assert_cmpstr(j->id, ==, "commit-vda");
    g_assert_cmpstr(j->status, ==, "concluded");
    g_assert_cmpstr(j->error, ==, "No space left on device");
    j = g_ptr_array_index(jobs, 1);
    g_assert_null(j->error);
    g_assert_cmpuint(j->total_progress, ==, 1);
    g_clear_pointer(&jobs, g_ptr_array_unref);
    g_assert_cmpint(qemu_monitor_json_query_jobs(f->mon, &jobs), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'total-progress'");
    mon_fixture_finish(f);
}

static void
test_json_query_balloon_dump(void)
{
    MonFixture *f = qmp_fixture();
    unsigned long long actual = 0;
    QemuMonitorDumpStats dump = {0};

    qemu_monitor_test_expect(f->server, "query-balloon", NULL,
                             "{\"return\": {\"actual\": 1073741824}}");
    qemu_monitor_test_expect_error(f->server, "query-balloon", "DeviceNotActive",
                                   "No balloon device has been activated");
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"total\": 268435456, \"status\": \"active\", "
                             "\"completed\": 1048576}}");
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"none\", \"completed\": 0}}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_balloon(f->mon, &actual), ==, 0);
    g_assert_cmpuint(actual, ==, 1073741824);
    g_assert_cmpint(qemu_monitor_json_query_balloon(f->mon, &actual), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "No balloon device has been activated");
    g_assert_cmpint(qemu_monitor_json_query_dump(f->mon, &dump), ==, 0);
    g_assert_cmpstr(dump.status, ==, "active");
    g_assert_cmpuint(dump.completed, ==, 1048576);
    g_assert_cmpuint(dump.total, ==, 268435456);
    qemu_monitor_dump_stats_clear(&dump);
    g_assert_cmpint(qemu_monitor_json_query_dump(f->mon, &dump), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "returned no 'total'");
    g_assert_null(dump.status);
    mon_fixture_finish(f);
}

/* ---- Passthrough ---- */

static void
test_json_human_command(void)
{
    MonFixture *f = qmp_fixture();
    g_autofree char *out = NULL;

    qemu_monitor_test_expect(f->server, "human-monitor-command",
                             "{\"command-line\": \"info status\"}",
                             "{\"return\": \"VM status: paused (prelaunch)\\r\\n\"}");
    qemu_monitor_test_expect(f->server, "human-monitor-command", "{\"command-line\": \"stop\"}",
                             "{\"return\": \"\"}");
    qemu_monitor_test_expect(f->server, "human-monitor-command", "{\"command-line\": \"x\"}",
                             "{\"return\": {}}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_human_command(f->mon, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: paused (prelaunch)\n");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_json_human_command(f->mon, "stop", &out), ==, 0);
    g_assert_cmpstr(out, ==, "");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_json_human_command(f->mon, "x", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "expected a JSON string");
    mon_fixture_finish(f);
}

static void
test_json_raw_command(void)
{
    MonFixture *f = qmp_fixture();
    g_autofree char *out = NULL;

    qemu_monitor_test_expect(f->server, "query-kvm", NULL,
                             "{\"return\": {\"enabled\": false, \"present\": true}}");
    qemu_monitor_test_expect(f->server, "query-status", NULL, STATUS_RUNNING);
    qemu_monitor_test_expect_error(f->server, "stop", "GenericError", "nope");
    mon_fixture_connect(f, 0);

    g_assert_cmpint(qemu_monitor_json_raw_command(f->mon, "{\"execute\": \"query-kvm\"}", &out), ==,
                    0);
    g_assert_cmpstr(out, ==, "{\"return\":{\"enabled\":false,\"present\":true}}");
    g_clear_pointer(&out, g_free);
    /* The user's id comes back in the reply. */
    g_assert_cmpint(qemu_monitor_json_raw_command(f->mon,
                                                  "{\"execute\": \"query-status\", "
                                                  "\"id\": [\"mine\", 1]}",
                                                  &out),
                    ==, 0);
    g_assert_nonnull(strstr(out, "\"id\":[\"mine\",1]"));
    g_clear_pointer(&out, g_free);
    /* QMP errors are returned, not reported. */
    g_assert_cmpint(qemu_monitor_json_raw_command(f->mon, "{\"execute\": \"stop\"}", &out), ==, 0);
    g_assert_nonnull(strstr(out, "\"desc\":\"nope\""));
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_json_raw_command(f->mon, "not json", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "QEMU monitor command");
    g_assert_cmpint(qemu_monitor_json_raw_command(f->mon, "{\"exec\": \"stop\"}", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "with 'execute'");
    g_assert_cmpint(qemu_monitor_json_raw_command(f->mon, "[]", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "with 'execute'");
    mon_fixture_finish(f);
}

void
test_json_register(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(simple_cases); i++) {
        g_autofree char *name =
            g_strdup_printf("/qemumonitor/json/simple/%s/%zu", simple_cases[i].name, i);

        g_test_add_data_func(name, &simple_cases[i], test_json_simple);
    }
    g_test_add_func("/qemumonitor/json/bad-inputs", test_json_bad_inputs);
    g_test_add_func("/qemumonitor/json/make-command", test_json_make_command);
    g_test_add_func("/qemumonitor/json/query-status", test_json_query_status);
    g_test_add_func("/qemumonitor/json/query-version", test_json_query_version);
    g_test_add_func("/qemumonitor/json/query-commands-schema", test_json_query_commands);
    g_test_add_func("/qemumonitor/json/query-kvm", test_json_query_kvm);
    g_test_add_func("/qemumonitor/json/query-machines", test_json_query_machines);
    g_test_add_func("/qemumonitor/json/query-cpus-fast", test_json_query_cpus_fast);
    g_test_add_func("/qemumonitor/json/query-cpu-definitions", test_json_query_cpu_definitions);
    g_test_add_func("/qemumonitor/json/query-migrate", test_json_query_migrate);
    g_test_add_func("/qemumonitor/json/query-migrate-caps-params",
                    test_json_query_migrate_caps_params);
    g_test_add_func("/qemumonitor/json/query-block", test_json_query_block);
    g_test_add_func("/qemumonitor/json/query-named-block-nodes", test_json_query_named_block_nodes);
    g_test_add_func("/qemumonitor/json/query-block-jobs", test_json_query_block_jobs);
    g_test_add_func("/qemumonitor/json/query-jobs", test_json_query_jobs);
    g_test_add_func("/qemumonitor/json/query-balloon-dump", test_json_query_balloon_dump);
    g_test_add_func("/qemumonitor/json/human-command", test_json_human_command);
    g_test_add_func("/qemumonitor/json/raw-command", test_json_raw_command);
}

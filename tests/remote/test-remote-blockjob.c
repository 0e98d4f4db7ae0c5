/* test-remote-blockjob.c: the block job procedures end to end: the client
 * library (libqvirt, its remote driver) against the build tree's qvirtd
 * running only the test driver, which has no block jobs.
 *
 * Cases:
 * - xdr-layouts: the argument structs of BLOCK_PULL, BLOCK_REBASE,
 *   BLOCK_COMMIT, BLOCK_COPY, BLOCK_JOB_ABORT, GET_BLOCK_JOB_INFO and
 *   BLOCK_JOB_SET_SPEED, the info reply and the two event messages are
 *   compared byte for byte with libvirt's remote_protocol.x layout written
 *   out by hand (so a changed .x fails here), and decode back to the same.
 * - api-no-support: every block job call through the daemon comes back
 *   with the API's NO_SUPPORT naming the call (so each procedure reached
 *   its handler and decoded), too many copy parameters fail on the client,
 *   a read-only connection refuses the changing calls, and the connection
 *   keeps working after each of them.
 * - virsh: the stock virsh's blockpull, blockcopy, blockcommit and blockjob
 *   (info, abort, bandwidth) reach the daemon's handlers (their NO_SUPPORT
 *   names the API call), proving the argument layouts. Skipped without
 *   virsh.
 * - python: the same calls through libvirt-python (the first python3 on
 *   $PATH with the libvirt module; skipped without one), the copy with its
 *   typed parameters.
 *
 * The daemon is run by the shared helper (testdaemon.h); the teardown
 * kills it by pid. */
#include <config.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/api.h"
#include "rpc/remote_protocol.h"
#include "remote-testutil.h"
#include "testdaemon.h"
#include "testutil.h"
#include "util/error.h"

/* ---- XDR ---- */

/* DATA encodes to EXPECT, and EXPECT decodes into something that encodes
 * to EXPECT again (every byte used). */
static void
xdr_check(xdrproc_t proc, void *data, GByteArray *expect, void *scratch, size_t size)
{
    g_autoptr(GByteArray) got = remote_test_xdr_encode(proc, data);
    g_autoptr(GByteArray) again = NULL;
    XDR xdr;

    g_assert_cmpmem(got->data, got->len, expect->data, expect->len);
    memset(scratch, 0, size);
    xdrmem_create(&xdr, (char *)expect->data, expect->len, XDR_DECODE);
    g_assert_true(proc(&xdr, scratch));
    g_assert_cmpuint(xdr_getpos(&xdr), ==, expect->len);
    xdr_destroy(&xdr);
    again = remote_test_xdr_encode(proc, scratch);
    g_assert_cmpmem(again->data, again->len, expect->data, expect->len);
    xdr_free(proc, scratch);
    g_byte_array_set_size(expect, 0);
}


static void
test_xdr_layouts(void)
{
    remote_nonnull_domain dom = {.name = (char *)"vm", .id = 7};
    char *base = (char *)"/img/base.qcow2";
    char *top = (char *)"/img/mid.qcow2";
    g_autoptr(GByteArray) e = g_byte_array_new();

    memcpy(dom.uuid, remote_test_uuid, 16);

    /* BLOCK_JOB_ABORT / GET_BLOCK_JOB_INFO: dom, path, flags. */
    {
        remote_domain_block_job_abort_args a = {.dom = dom, .path = (char *)"vda", .flags = 2};
        remote_domain_block_job_abort_args b;
        remote_domain_get_block_job_info_args i = {.dom = dom, .path = (char *)"vdb", .flags = 1};
        remote_domain_get_block_job_info_args ib;

        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "vda");
        remote_test_put_u32(e, 2);
        xdr_check((xdrproc_t)xdr_remote_domain_block_job_abort_args, &a, e, &b, sizeof(b));
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "vdb");
        remote_test_put_u32(e, 1);
        xdr_check((xdrproc_t)xdr_remote_domain_get_block_job_info_args, &i, e, &ib, sizeof(ib));
    }
    /* The info reply: found, type, bandwidth, cur, end. */
    {
        remote_domain_get_block_job_info_ret r = {
            .found = 1, .type = 2, .bandwidth = 1048576, .cur = 45, .end = 100};
        remote_domain_get_block_job_info_ret rb;

        remote_test_put_u32(e, 1);
        remote_test_put_u32(e, 2);
        remote_test_put_u64(e, 1048576);
        remote_test_put_u64(e, 45);
        remote_test_put_u64(e, 100);
        xdr_check((xdrproc_t)xdr_remote_domain_get_block_job_info_ret, &r, e, &rb, sizeof(rb));
    }
    /* BLOCK_JOB_SET_SPEED and BLOCK_PULL: dom, path, bandwidth, flags. */
    {
        remote_domain_block_job_set_speed_args s = {
            .dom = dom, .path = (char *)"vda", .bandwidth = G_MAXUINT64, .flags = 1};
        remote_domain_block_job_set_speed_args sb;
        remote_domain_block_pull_args p = {
            .dom = dom, .path = (char *)"/img/top.qcow2", .bandwidth = 5, .flags = 0x40};
        remote_domain_block_pull_args pb;

        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "vda");
        remote_test_put_u64(e, G_MAXUINT64);
        remote_test_put_u32(e, 1);
        xdr_check((xdrproc_t)xdr_remote_domain_block_job_set_speed_args, &s, e, &sb, sizeof(sb));
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "/img/top.qcow2");
        remote_test_put_u64(e, 5);
        remote_test_put_u32(e, 0x40);
        xdr_check((xdrproc_t)xdr_remote_domain_block_pull_args, &p, e, &pb, sizeof(pb));
    }
    /* BLOCK_REBASE: dom, path, base (optional), bandwidth, flags. */
    {
        remote_domain_block_rebase_args r = {
            .dom = dom, .path = (char *)"vda", .base = &base, .bandwidth = 3, .flags = 8};
        remote_domain_block_rebase_args rb;

        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "vda");
        remote_test_put_u32(e, 1);
        remote_test_put_string(e, base);
        remote_test_put_u64(e, 3);
        remote_test_put_u32(e, 8);
        xdr_check((xdrproc_t)xdr_remote_domain_block_rebase_args, &r, e, &rb, sizeof(rb));
        r.base = NULL;
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "vda");
        remote_test_put_u32(e, 0);
        remote_test_put_u64(e, 3);
        remote_test_put_u32(e, 8);
        xdr_check((xdrproc_t)xdr_remote_domain_block_rebase_args, &r, e, &rb, sizeof(rb));
    }
    /* BLOCK_COMMIT: dom, disk, base, top (optional), bandwidth, flags. */
    {
        remote_domain_block_commit_args c = {.dom = dom,
                                             .disk = (char *)"vda",
                                             .base = NULL,
                                             .top = &top,
                                             .bandwidth = 0,
                                             .flags = 4};
        remote_domain_block_commit_args cb;

        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "vda");
        remote_test_put_u32(e, 0);
        remote_test_put_u32(e, 1);
        remote_test_put_string(e, top);
        remote_test_put_u64(e, 0);
        remote_test_put_u32(e, 4);
        xdr_check((xdrproc_t)xdr_remote_domain_block_commit_args, &c, e, &cb, sizeof(cb));
    }
    /* BLOCK_COPY: dom, path, destxml, params, flags. */
    {
        remote_typed_param params[2] = {
            {.field = (char *)"bandwidth",
             .value = {.type = REMOTE_TYPED_PARAM_ULLONG,
                       .remote_typed_param_value_u.ul = 1048576}},
            {.field = (char *)"granularity",
             .value = {.type = REMOTE_TYPED_PARAM_UINT, .remote_typed_param_value_u.ui = 65536}},
        };
        remote_domain_block_copy_args c = {.dom = dom,
                                           .path = (char *)"vda",
                                           .destxml = (char *)"<disk/>",
                                           .params = {.params_len = 2, .params_val = params},
                                           .flags = 6};
        remote_domain_block_copy_args cb;

        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "vda");
        remote_test_put_string(e, "<disk/>");
        remote_test_put_u32(e, 2);
        remote_test_put_string(e, "bandwidth");
        remote_test_put_u32(e, 4); /* VIR_TYPED_PARAM_ULLONG */
        remote_test_put_u64(e, 1048576);
        remote_test_put_string(e, "granularity");
        remote_test_put_u32(e, 2); /* VIR_TYPED_PARAM_UINT */
        remote_test_put_u32(e, 65536);
        remote_test_put_u32(e, 6);
        xdr_check((xdrproc_t)xdr_remote_domain_block_copy_args, &c, e, &cb, sizeof(cb));
    }
    /* The events: callbackID, {dom, path, type, status}; and BLOCK_JOB_2's
     * callbackID, dom, dst, type, status. */
    {
        remote_domain_event_callback_block_job_msg m = {
            .callbackID = 3,
            .msg = {.dom = dom, .path = (char *)"/img/top.qcow2", .type = 2, .status = 3}};
        remote_domain_event_callback_block_job_msg mb;
        remote_domain_event_block_job_2_msg m2 = {
            .callbackID = 4, .dom = dom, .dst = (char *)"vda", .type = 3, .status = 0};
        remote_domain_event_block_job_2_msg m2b;

        remote_test_put_u32(e, 3);
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "/img/top.qcow2");
        remote_test_put_u32(e, 2);
        remote_test_put_u32(e, 3);
        xdr_check((xdrproc_t)xdr_remote_domain_event_callback_block_job_msg, &m, e, &mb,
                  sizeof(mb));
        remote_test_put_u32(e, 4);
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "vda");
        remote_test_put_u32(e, 3);
        remote_test_put_u32(e, 0);
        xdr_check((xdrproc_t)xdr_remote_domain_event_block_job_2_msg, &m2, e, &m2b, sizeof(m2b));
    }
    /* libvirt's numbers. */
    g_assert_cmpint(REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT, ==, 237);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO, ==, 238);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED, ==, 239);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_BLOCK_PULL, ==, 240);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_BLOCK_REBASE, ==, 266);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_BLOCK_COMMIT, ==, 290);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_BLOCK_COPY, ==, 345);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB, ==, 326);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2, ==, 339);
    g_assert_cmpint(REMOTE_DOMAIN_BLOCK_COPY_PARAMETERS_MAX, ==, 16);
}

/* ---- the daemon ---- */

static QvConnect *
test_open(TestDaemon *td, unsigned int flags)
{
    g_autofree char *uri = g_strdup_printf("test+unix:///default?socket=%s", td->sock_rw);

    return qv_connect_open(uri, flags);
}

static void
test_api_no_support(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(QvConnect) conn = NULL;
    g_autoptr(QvConnect) ro = NULL;
    g_autoptr(QvDomain) dom = NULL;
    g_autoptr(QvDomain) rodom = NULL;
    QvTypedParam *params = NULL;
    int nparams = 0, maxparams = 0;
    QvDomainBlockJobInfo info;

    qvirt_test_daemon_start(td, NULL);
    conn = test_open(td, 0);
    g_assert_nonnull(conn);
    dom = qv_domain_lookup_by_name(conn, "test");
    g_assert_nonnull(dom);
    g_assert_cmpint(qv_typed_params_add_ullong(&params, &nparams, &maxparams,
                                               QV_DOMAIN_BLOCK_COPY_BANDWIDTH, 1 << 20),
                    ==, 0);

    g_assert_cmpint(qv_domain_block_pull(dom, "vda", 10, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_pull");
    remote_test_assert_alive(dom);
    g_assert_cmpint(qv_domain_block_rebase(dom, "vda", "/base", 1, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_rebase");
    g_assert_cmpint(qv_domain_block_rebase(dom, "vda", NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_rebase");
    g_assert_cmpint(
        qv_domain_block_commit(dom, "vda", NULL, "/top", 0, QV_DOMAIN_BLOCK_COMMIT_ACTIVE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_commit");
    g_assert_cmpint(qv_domain_block_copy(dom, "vda", "<disk type='file'><source file='/c'/></disk>",
                                         params, nparams, QV_DOMAIN_BLOCK_COPY_REUSE_EXT),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_copy");
    remote_test_assert_alive(dom);
    g_assert_cmpint(qv_domain_block_job_abort(dom, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_job_abort");
    info.cur = 77;
    g_assert_cmpint(qv_domain_get_block_job_info(dom, "vda", &info, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_get_block_job_info");
    g_assert_cmpuint(info.cur, ==, 77);
    g_assert_cmpint(qv_domain_block_job_set_speed(dom, "vda", 1, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_job_set_speed");
    remote_test_assert_alive(dom);

    /* More copy parameters than the protocol allows: refused on the client. */
    for (int i = nparams; i < 17; i++)
        g_assert_cmpint(qv_typed_params_add_uint(&params, &nparams, &maxparams,
                                                 QV_DOMAIN_BLOCK_COPY_GRANULARITY, 512),
                        ==, 0);
    g_assert_cmpint(qv_domain_block_copy(dom, "vda", "<disk/>", params, nparams, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "too many parameters: 17 (at most 16)");
    remote_test_assert_alive(dom);
    qv_typed_params_free(params, nparams);

    /* Read-only: the changing calls are refused, the info call is not. */
    ro = test_open(td, QV_CONNECT_RO);
    g_assert_nonnull(ro);
    rodom = qv_domain_lookup_by_name(ro, "test");
    g_assert_nonnull(rodom);
    g_assert_cmpint(qv_domain_block_pull(rodom, "vda", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_block_job_abort(rodom, "vda", 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_get_block_job_info(rodom, "vda", &info, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_get_block_job_info");
    remote_test_assert_alive(rodom);
}

/* ---- the stock virsh ---- */

static void
test_virsh(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    static const RemoteTestVirshCmd cmds[] = {
        {{"blockpull", "test", "vda", NULL}, "qv_domain_block_pull"},
        {{"blockpull", "test", "vda", "--base", "/b", NULL}, "qv_domain_block_rebase"},
        {{"blockcopy", "test", "vda", "/tmp/copy.img", NULL}, "qv_domain_block_rebase"},
        {{"blockcopy", "test", "vda", "/tmp/copy.img", "--transient-job", NULL},
         "qv_domain_block_copy"},
        {{"blockcommit", "test", "vda", "--active", NULL}, "qv_domain_block_commit"},
        {{"blockjob", "test", "vda", "--abort", NULL}, "qv_domain_block_job_abort"},
        {{"blockjob", "test", "vda", "--pivot", NULL}, "qv_domain_block_job_abort"},
        {{"blockjob", "test", "vda", "--info", NULL}, "qv_domain_get_block_job_info"},
        {{"blockjob", "test", "vda", "--bandwidth", "10", NULL}, "qv_domain_block_job_set_speed"},
    };

    remote_test_virsh_no_support(td, cmds, G_N_ELEMENTS(cmds));
}

/* ---- libvirt-python ---- */

/* The first python3 on $PATH that has the libvirt module, or NULL. */
static char *
find_python_libvirt(void)
{
    g_auto(GStrv) dirs = g_strsplit(g_getenv("PATH") ? g_getenv("PATH") : "", ":", -1);

    for (int i = 0; dirs[i]; i++) {
        g_autofree char *py = g_build_filename(dirs[i], "python3", NULL);
        const char *argv[] = {py, "-c", "import libvirt", NULL};
        int status = 0;

        if (!*dirs[i] || !g_file_test(py, G_FILE_TEST_IS_EXECUTABLE))
            continue;
        if (g_spawn_sync(NULL, (char **)argv, NULL,
                         G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                         NULL, &status, NULL) &&
            WIFEXITED(status) && WEXITSTATUS(status) == 0)
            return g_steal_pointer(&py);
    }
    return NULL;
}

/* Each block job call of the bindings, with one line per call: its name
 * and the error's message. */
static const char python_script[] =
    "import libvirt, sys\n"
    "libvirt.registerErrorHandler(lambda c, e: None, None)\n"
    "c = libvirt.open(sys.argv[1])\n"
    "d = c.lookupByName('test')\n"
    "calls = [\n"
    "  ('pull', lambda: d.blockPull('vda', 0, 0)),\n"
    "  ('rebase', lambda: d.blockRebase('vda', '/b', 0, 0)),\n"
    "  ('commit', lambda: d.blockCommit('vda', None, '/t', 0, 4)),\n"
    "  ('copy', lambda: d.blockCopy('vda', '<disk/>', {'bandwidth': 1048576,\n"
    "                                'granularity': 65536}, 4)),\n"
    "  ('abort', lambda: d.blockJobAbort('vda', 2)),\n"
    "  ('info', lambda: d.blockJobInfo('vda', 0)),\n"
    "  ('speed', lambda: d.blockJobSetSpeed('vda', 5, 0)),\n"
    "]\n"
    "for name, f in calls:\n"
    "    try:\n"
    "        f()\n"
    "        print(name, 'ok')\n"
    "    except libvirt.libvirtError as e:\n"
    "        print(name, e.get_error_message())\n"
    "print('state', d.state()[0])\n";

static void
test_python(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *py = find_python_libvirt();
    g_autofree char *uri = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err_text = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) env = NULL;
    g_auto(GStrv) lines = NULL;
    static const char *const expect[] = {
        "pull qv_domain_block_pull",           "rebase qv_domain_block_rebase",
        "commit qv_domain_block_commit",       "copy qv_domain_block_copy",
        "abort qv_domain_block_job_abort",     "info qv_domain_get_block_job_info",
        "speed qv_domain_block_job_set_speed",
    };
    int status = 0;

    if (!py) {
        g_test_skip("no python3 with the libvirt module");
        return;
    }
    qvirt_test_daemon_start(td, NULL);
    env = qvirt_test_daemon_env(td);
    uri = g_strdup_printf("test+unix:///default?socket=%s", td->sock_rw);
    {
        const char *argv[] = {"timeout", "60", py, "-c", python_script, uri, NULL};

        g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                                   &err_text, &status, &err));
    }
    g_assert_no_error(err);
    g_test_message("python: %s%s", out, err_text);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, G_N_ELEMENTS(expect) + 2);
    for (size_t i = 0; i < G_N_ELEMENTS(expect); i++) {
        g_autofree char *name = g_strndup(expect[i], strchr(expect[i], ' ') - expect[i]);

        g_assert_true(g_str_has_prefix(lines[i], name));
        g_assert_nonnull(strstr(lines[i], "not supported by the connection driver"));
        g_assert_nonnull(strstr(lines[i], strchr(expect[i], ' ') + 1));
    }
    /* The connection still works after every refusal. */
    g_assert_cmpstr(lines[G_N_ELEMENTS(expect)], ==, "state 1");
}

#define DAEMON_CASE(path, fn)                                                                      \
    g_test_add("/remote/blockjob/" path, TestDaemon, NULL, remote_test_daemon_setup, fn,           \
               remote_test_daemon_teardown)

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    g_test_add_func("/remote/blockjob/xdr-layouts", test_xdr_layouts);
    DAEMON_CASE("api-no-support", test_api_no_support);
    DAEMON_CASE("virsh", test_virsh);
    DAEMON_CASE("python", test_python);
    return g_test_run();
}

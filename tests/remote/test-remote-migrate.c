/* test-remote-migrate.c: the migration procedures end to end: the client
 * library (libqvirt, its remote driver) against the build tree's qvirtd
 * running only the test driver, which has no migration.
 *
 * Cases:
 * - xdr: each migration struct encodes and decodes back to itself, and
 *   three are compared byte for byte with the layout of libvirt's
 *   remote_protocol.x written out by hand (so a changed .x fails here).
 * - api: every migration call through the daemon comes back with the API's
 *   NO_SUPPORT naming the call, the orchestration refuses the test driver
 *   for its missing features, too many parameters fail on the client, and
 *   the connection keeps working after each of them.
 * - own-drivers: a daemon without the QEMU module refuses qemu:///session
 *   (NO_CONNECT) instead of handing it to the remote driver it links.
 * - host-uuid: a nil host_uuid in the configuration stops the daemon with
 *   a message naming the key.
 * - virsh: the stock virsh's migrate-setmaxdowntime, -getmaxdowntime,
 *   -setspeed, -getspeed and -postcopy reach the daemon's handlers (their
 *   NO_SUPPORT names the API call), proving the argument layouts. Skipped
 *   without virsh.
 *
 * The daemon is run by the shared helper (testdaemon.h): in the foreground
 * in a temporary folder, with $NOTIFY_SOCKET pointing at the test's socket
 * (the test waits for READY=1, never sleeps) and PR_SET_PDEATHSIG; the
 * teardown kills it by pid. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "driver/api.h"
#include "rpc/remote_protocol.h"
#include "remote-testutil.h"
#include "testdaemon.h"
#include "testutil.h"
#include "util/error.h"

/* ---- XDR ---- */

/* Decode BYTES with PROC into RET (zeroed first), using every byte. */
static void
xdr_decode(xdrproc_t proc, GByteArray *bytes, void *ret, size_t size)
{
    XDR xdr;

    memset(ret, 0, size);
    xdrmem_create(&xdr, (char *)bytes->data, bytes->len, XDR_DECODE);
    g_assert_true(proc(&xdr, ret));
    g_assert_cmpuint(xdr_getpos(&xdr), ==, bytes->len);
    xdr_destroy(&xdr);
}

/* Encode, decode, encode again: the same bytes. */
static void
xdr_round_trip(xdrproc_t proc, void *data, void *scratch, size_t size)
{
    g_autoptr(GByteArray) first = remote_test_xdr_encode(proc, data);
    g_autoptr(GByteArray) second = NULL;

    xdr_decode(proc, first, scratch, size);
    second = remote_test_xdr_encode(proc, scratch);
    g_assert_cmpmem(first->data, first->len, second->data, second->len);
    xdr_free(proc, scratch);
}


static void
test_xdr_layouts(void)
{
    remote_typed_param params[2] = {
        {.field = (char *)"bandwidth",
         .value = {.type = REMOTE_TYPED_PARAM_ULLONG, .remote_typed_param_value_u.ul = 1000}},
        {.field = (char *)"migrate_uri",
         .value = {.type = REMOTE_TYPED_PARAM_STRING,
                   .remote_typed_param_value_u.s = (char *)"tcp:h:1"}},
    };
    remote_nonnull_domain dom = {.name = (char *)"vm", .id = 7};
    char *dconnuri = (char *)"qemu+unix:///session";
    g_autoptr(GByteArray) expect = g_byte_array_new();
    g_autoptr(GByteArray) got = NULL;

    memcpy(dom.uuid, remote_test_uuid, 16);

    /* PERFORM3_PARAMS: dom, dconnuri (optional), params, cookie_in, flags. */
    {
        remote_domain_migrate_perform3_params_args a = {
            .dom = dom,
            .dconnuri = &dconnuri,
            .params = {.params_len = 2, .params_val = params},
            .cookie_in = {.cookie_in_len = 3, .cookie_in_val = (char *)"abc"},
            .flags = 0x103,
        };
        remote_domain_migrate_perform3_params_args back;

        remote_test_put_domain(expect, "vm", 7);
        remote_test_put_u32(expect, 1);
        remote_test_put_opaque(expect, dconnuri, strlen(dconnuri));
        remote_test_put_u32(expect, 2);
        remote_test_put_opaque(expect, "bandwidth", 9);
        remote_test_put_u32(expect, 4);
        remote_test_put_u64(expect, 1000);
        remote_test_put_opaque(expect, "migrate_uri", 11);
        remote_test_put_u32(expect, 7);
        remote_test_put_opaque(expect, "tcp:h:1", 7);
        remote_test_put_opaque(expect, "abc", 3);
        remote_test_put_u32(expect, 0x103);
        got = remote_test_xdr_encode((xdrproc_t)xdr_remote_domain_migrate_perform3_params_args, &a);
        g_assert_cmpmem(got->data, got->len, expect->data, expect->len);
        g_byte_array_unref(got);
        got = NULL;

        /* Without dconnuri (client-driven): a 0 word. */
        a.dconnuri = NULL;
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_perform3_params_args, &a, &back,
                       sizeof(back));
    }

    /* FINISH3_PARAMS: params, cookie_in, flags, cancelled -> dom, cookie_out. */
    {
        remote_domain_migrate_finish3_params_args a = {
            .params = {.params_len = 0, .params_val = NULL},
            .cookie_in = {.cookie_in_len = 0},
            .flags = 1,
            .cancelled = 1,
        };
        remote_domain_migrate_finish3_params_ret r = {
            .dom = dom, .cookie_out = {.cookie_out_len = 5, .cookie_out_val = (char *)"hello"}};

        g_byte_array_set_size(expect, 0);
        remote_test_put_u32(expect, 0);
        remote_test_put_u32(expect, 0);
        remote_test_put_u32(expect, 1);
        remote_test_put_u32(expect, 1);
        got = remote_test_xdr_encode((xdrproc_t)xdr_remote_domain_migrate_finish3_params_args, &a);
        g_assert_cmpmem(got->data, got->len, expect->data, expect->len);
        g_byte_array_unref(got);

        g_byte_array_set_size(expect, 0);
        remote_test_put_domain(expect, "vm", 7);
        remote_test_put_opaque(expect, "hello", 5);
        got = remote_test_xdr_encode((xdrproc_t)xdr_remote_domain_migrate_finish3_params_ret, &r);
        g_assert_cmpmem(got->data, got->len, expect->data, expect->len);
        g_byte_array_unref(got);
        got = NULL;
    }

    /* PREPARE3_PARAMS reply: cookie_out, uri_out (optional). */
    {
        char *uri = (char *)"tcp:dst:49152";
        remote_domain_migrate_prepare3_params_ret r = {
            .cookie_out = {.cookie_out_len = 1, .cookie_out_val = (char *)"x"}, .uri_out = &uri};

        g_byte_array_set_size(expect, 0);
        remote_test_put_opaque(expect, "x", 1);
        remote_test_put_u32(expect, 1);
        remote_test_put_opaque(expect, uri, strlen(uri));
        got = remote_test_xdr_encode((xdrproc_t)xdr_remote_domain_migrate_prepare3_params_ret, &r);
        g_assert_cmpmem(got->data, got->len, expect->data, expect->len);
    }
}

static void
test_xdr_round_trips(void)
{
    remote_typed_param params[1] = {
        {.field = (char *)"destination_xml",
         .value = {.type = REMOTE_TYPED_PARAM_STRING,
                   .remote_typed_param_value_u.s = (char *)"<domain/>"}},
    };
    remote_nonnull_domain dom = {.name = (char *)"guest", .id = -1};
    char *uri = (char *)"tcp:h:2";

    memcpy(dom.uuid, remote_test_uuid, 16);
    {
        remote_domain_migrate_begin3_params_args a = {
            .dom = dom, .params = {1, params}, .flags = 1};
        remote_domain_migrate_begin3_params_args b;
        remote_domain_migrate_begin3_params_ret r = {.cookie_out = {3, (char *)"c\0k"},
                                                     .xml = (char *)"<domain/>"};
        remote_domain_migrate_begin3_params_ret rb;

        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_begin3_params_args, &a, &b, sizeof(b));
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_begin3_params_ret, &r, &rb, sizeof(rb));
    }
    {
        remote_domain_migrate_prepare3_params_args a = {
            .params = {1, params}, .cookie_in = {2, (char *)"ck"}, .flags = 2};
        remote_domain_migrate_prepare3_params_args b;
        remote_domain_migrate_prepare3_params_ret r = {.cookie_out = {0, NULL}, .uri_out = &uri};
        remote_domain_migrate_prepare3_params_ret rb;

        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_prepare3_params_args, &a, &b,
                       sizeof(b));
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_prepare3_params_ret, &r, &rb,
                       sizeof(rb));
        r.uri_out = NULL;
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_prepare3_params_ret, &r, &rb,
                       sizeof(rb));
    }
    {
        remote_domain_migrate_perform3_params_ret r = {.cookie_out = {4, (char *)"perf"}};
        remote_domain_migrate_perform3_params_ret rb;
        remote_domain_migrate_confirm3_params_args a = {.dom = dom,
                                                        .params = {1, params},
                                                        .cookie_in = {4, (char *)"fini"},
                                                        .flags = 0x8000,
                                                        .cancelled = 1};
        remote_domain_migrate_confirm3_params_args b;

        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_perform3_params_ret, &r, &rb,
                       sizeof(rb));
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_confirm3_params_args, &a, &b,
                       sizeof(b));
    }
    {
        remote_domain_migrate_set_max_downtime_args sd = {.dom = dom, .downtime = 300};
        remote_domain_migrate_set_max_downtime_args sdb;
        remote_domain_migrate_get_max_downtime_args gd = {.dom = dom, .flags = 0};
        remote_domain_migrate_get_max_downtime_args gdb;
        remote_domain_migrate_get_max_downtime_ret gdr = {.downtime = G_MAXUINT64};
        remote_domain_migrate_get_max_downtime_ret gdrb;
        remote_domain_migrate_set_max_speed_args ss = {.dom = dom, .bandwidth = 8192, .flags = 1};
        remote_domain_migrate_set_max_speed_args ssb;
        remote_domain_migrate_get_max_speed_ret gsr = {.bandwidth = 42};
        remote_domain_migrate_get_max_speed_ret gsrb;
        remote_domain_migrate_start_post_copy_args pc = {.dom = dom, .flags = 0};
        remote_domain_migrate_start_post_copy_args pcb;
        g_autoptr(GByteArray) expect = g_byte_array_new();
        g_autoptr(GByteArray) got = NULL;

        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_set_max_downtime_args, &sd, &sdb,
                       sizeof(sdb));
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_get_max_downtime_args, &gd, &gdb,
                       sizeof(gdb));
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_get_max_downtime_ret, &gdr, &gdrb,
                       sizeof(gdrb));
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_set_max_speed_args, &ss, &ssb,
                       sizeof(ssb));
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_get_max_speed_ret, &gsr, &gsrb,
                       sizeof(gsrb));
        xdr_round_trip((xdrproc_t)xdr_remote_domain_migrate_start_post_copy_args, &pc, &pcb,
                       sizeof(pcb));

        /* SET_MAX_SPEED: dom, unsigned hyper bandwidth, unsigned int flags. */
        remote_test_put_domain(expect, "guest", -1);
        remote_test_put_u64(expect, 8192);
        remote_test_put_u32(expect, 1);
        got = remote_test_xdr_encode((xdrproc_t)xdr_remote_domain_migrate_set_max_speed_args, &ss);
        g_assert_cmpmem(got->data, got->len, expect->data, expect->len);
    }
}

/* ---- the daemon ---- */

static QvConnect *
test_open(TestDaemon *td, const char *driver)
{
    g_autofree char *uri =
        g_strdup_printf("%s+unix:///%s?socket=%s", driver,
                        strcmp(driver, "test") == 0 ? "default" : "session", td->sock_rw);

    return qv_connect_open(uri, 0);
}

static void
test_api_no_support(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(QvConnect) conn = NULL;
    g_autoptr(QvConnect) dconn = NULL;
    g_autoptr(QvDomain) dom = NULL;
    QvTypedParam *params = NULL;
    int nparams = 0, maxparams = 0;
    unsigned long long value = 7;
    char *cookie = NULL;
    int cookie_len = 0;
    char *uri_out = NULL;

    qvirt_test_daemon_start(td, NULL);
    conn = test_open(td, "test");
    g_assert_nonnull(conn);
    dconn = test_open(td, "test");
    g_assert_nonnull(dconn);
    dom = qv_domain_lookup_by_name(conn, "test");
    g_assert_nonnull(dom);
    g_assert_cmpint(qv_typed_params_add_string(&params, &nparams, &maxparams, QV_MIGRATE_PARAM_URI,
                                               "tcp:localhost:49152"),
                    ==, 0);
    g_assert_cmpint(
        qv_typed_params_add_ullong(&params, &nparams, &maxparams, QV_MIGRATE_PARAM_BANDWIDTH, 10),
        ==, 0);

    /* Each procedure reaches the daemon's API call, which finds no driver
     * entry: the message names that call. */
    g_assert_null(qv_domain_migrate_begin3_params(dom, params, nparams, &cookie, &cookie_len,
                                                  QV_MIGRATE_LIVE));
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_begin3_params");
    remote_test_assert_alive(dom);
    g_assert_cmpint(qv_domain_migrate_prepare3_params(dconn, params, nparams, "ck", 2, &cookie,
                                                      &cookie_len, &uri_out, QV_MIGRATE_LIVE),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_prepare3_params");
    g_assert_cmpint(qv_domain_migrate_perform3_params(dom, "qemu+unix:///session?socket=/nowhere",
                                                      params, nparams, NULL, 0, &cookie,
                                                      &cookie_len, QV_MIGRATE_PEER2PEER),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_perform3_params");
    g_assert_cmpint(qv_domain_migrate_perform3_params(dom, NULL, params, nparams, "ck", 2, &cookie,
                                                      &cookie_len, 0),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_perform3_params");
    g_assert_null(qv_domain_migrate_finish3_params(dconn, params, nparams, "ck", 2, &cookie,
                                                   &cookie_len, 0, 0));
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_finish3_params");
    g_assert_cmpint(qv_domain_migrate_confirm3_params(dom, params, nparams, "ck", 2, 0, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_confirm3_params");
    g_assert_null(cookie);
    g_assert_null(uri_out);
    remote_test_assert_alive(dom);

    g_assert_cmpint(qv_domain_migrate_set_max_downtime(dom, 100, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_set_max_downtime");
    g_assert_cmpint(qv_domain_migrate_get_max_downtime(dom, &value, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_get_max_downtime");
    g_assert_cmpint(qv_domain_migrate_set_max_speed(dom, 100, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_set_max_speed");
    g_assert_cmpint(
        qv_domain_migrate_get_max_speed(dom, &value, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_get_max_speed");
    g_assert_cmpint(qv_domain_migrate_start_post_copy(dom, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_start_post_copy");
    g_assert_cmpuint(value, ==, 7);
    remote_test_assert_alive(dom);

    /* The orchestration asks for the features first. */
    g_assert_null(qv_domain_migrate3(dom, dconn, params, nparams, QV_MIGRATE_LIVE));
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "feature MIGRATION_V3");
    g_assert_null(qv_domain_migrate3(dom, dconn, params, nparams, QV_MIGRATE_PEER2PEER));
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "feature MIGRATION_P2P");
    g_assert_cmpint(
        qv_domain_migrate_to_uri3(dom, "test:///default", params, nparams, QV_MIGRATE_PEER2PEER),
        ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "feature MIGRATION_P2P");
    remote_test_assert_alive(dom);

    /* More parameters than the protocol allows: refused before sending. */
    for (int i = nparams; i < 65; i++)
        g_assert_cmpint(
            qv_typed_params_add_int(&params, &nparams, &maxparams, QV_MIGRATE_PARAM_DISKS_PORT, i),
            ==, 0);
    g_assert_null(qv_domain_migrate_begin3_params(dom, params, nparams, &cookie, &cookie_len, 0));
    qvirt_test_assert_error(QVIRT_ERR_RPC, "too many parameters: 65 (at most 64)");
    remote_test_assert_alive(dom);
    qv_typed_params_free(params, nparams);
}

static void
test_own_drivers(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(QvConnect) conn = NULL;

    qvirt_test_daemon_start(td, NULL);
    g_assert_null(test_open(td, "qemu"));
    qvirt_test_assert_error(QVIRT_ERR_NO_CONNECT, "the 'qemu' driver is not loaded in this daemon");
    conn = test_open(td, "test");
    g_assert_nonnull(conn);
}

static void
test_host_uuid_nil(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    const char *args[] = {"--session", "--foreground", "--config", td->config, NULL};
    g_autofree char *err_text = NULL;

    g_assert_cmpint(qvirt_test_daemon_run_sync(td, args, &err_text), ==, 1);
    g_assert_nonnull(strstr(err_text, "host_uuid"));
    g_assert_nonnull(strstr(err_text, "must not be all zero"));
}

/* ---- the stock virsh ---- */

static void
test_virsh(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    static const RemoteTestVirshCmd cmds[] = {
        {{"migrate-setmaxdowntime", "test", "100", NULL}, "qv_domain_migrate_set_max_downtime"},
        {{"migrate-getmaxdowntime", "test", NULL, NULL}, "qv_domain_migrate_get_max_downtime"},
        {{"migrate-setspeed", "test", "10", NULL}, "qv_domain_migrate_set_max_speed"},
        {{"migrate-getspeed", "test", NULL, NULL}, "qv_domain_migrate_get_max_speed"},
        {{"migrate-postcopy", "test", NULL, NULL}, "qv_domain_migrate_start_post_copy"},
    };

    remote_test_virsh_no_support(td, cmds, G_N_ELEMENTS(cmds));
}

#define DAEMON_CASE(path, fn, data)                                                                \
    g_test_add("/remote/migrate/" path, TestDaemon, data, remote_test_daemon_setup, fn,            \
               remote_test_daemon_teardown)

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    g_test_add_func("/remote/migrate/xdr-layouts", test_xdr_layouts);
    g_test_add_func("/remote/migrate/xdr-round-trips", test_xdr_round_trips);
    DAEMON_CASE("api-no-support", test_api_no_support, NULL);
    DAEMON_CASE("own-drivers", test_own_drivers, NULL);
    DAEMON_CASE("host-uuid-nil", test_host_uuid_nil, "00000000-0000-0000-0000-000000000000");
    DAEMON_CASE("virsh", test_virsh, NULL);
    return g_test_run();
}

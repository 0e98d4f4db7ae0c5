/* test-server.c: a server and clients over UNIX sockets: calls and
 * replies, serial matching with pipelined and concurrent calls, error
 * replies (unknown procedure, read-only listener, handler errors, bad
 * arguments), malformed packets closing only their own client, clients and
 * servers going away mid-call, timeouts, the priority pool, the per-client
 * call limit, the client limit, events, descriptor passing and 200 clients
 * at once.
 *
 * Waits are on conditions the handlers signal or on packets and ends of
 * file, with deadlines that only guard against hangs; the one bounded
 * window is in /rpc/server/client-request-limit, which must show that
 * something does NOT happen. */
#include <config.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "suites.h"
#include "testutil.h"
#include "util/deadline.h"

static int
call_lookup(RpcClient *client, const char *name, remote_nonnull_domain *ret_dom)
{
    remote_domain_lookup_by_name_args args = {.name = (char *)name};
    remote_domain_lookup_by_name_ret ret = {0};

    if (rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                        (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &args,
                        (xdrproc_t)xdr_remote_domain_lookup_by_name_ret, &ret,
                        RPC_TEST_WAIT_MS) < 0)
        return -1;
    *ret_dom = ret.dom;
    return 0;
}

static void
assert_lookup(RpcClient *client, const char *name)
{
    remote_nonnull_domain dom = {0};

    if (call_lookup(client, name, &dom) < 0)
        g_error("lookup of '%s' failed: %s", name, qvirt_error_last_message());
    g_assert_cmpstr(dom.name, ==, name);
    g_assert_cmpint(dom.id, ==, (int)strlen(name));
    for (int i = 0; i < REMOTE_UUID_BUFLEN; i++)
        g_assert_cmpint(dom.uuid[i], ==, i);
    xdr_free((xdrproc_t)xdr_remote_nonnull_domain, (char *)&dom);
}

static int
call_suspend(RpcClient *client, gint64 timeout_ms)
{
    remote_domain_suspend_args args = {.dom = {.name = (char *)"vm", .id = 1}};

    return rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SUSPEND,
                           (xdrproc_t)xdr_remote_domain_suspend_args, &args, RPC_XDR_VOID, NULL,
                           timeout_ms);
}

static void
test_calls(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, FALSE);
    remote_domain_define_xml_args def = {.xml = (char *)"<domain/>"};
    remote_domain_define_xml_ret defret = {0};
    remote_connect_get_capabilities_ret caps = {0};

    rpc_test_assert_hostname(client);
    assert_lookup(client, "guest");
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML,
                                    (xdrproc_t)xdr_remote_domain_define_xml_args, &def,
                                    (xdrproc_t)xdr_remote_domain_define_xml_ret, &defret,
                                    RPC_TEST_WAIT_MS),
                    ==, 0);
    g_assert_cmpstr(defret.dom.name, ==, "<domain/>");
    g_assert_cmpint(defret.dom.id, ==, -1);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, (char *)&defret);

    /* A reply of several MiB, written and read in many pieces. */
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_CAPABILITIES,
                                    RPC_XDR_VOID, NULL,
                                    (xdrproc_t)xdr_remote_connect_get_capabilities_ret, &caps,
                                    RPC_TEST_WAIT_MS),
                    ==, 0);
    g_assert_cmpuint(strlen(caps.capabilities), ==, RPC_TEST_BIG_LEN);
    g_assert_cmpint(caps.capabilities[RPC_TEST_BIG_LEN - 1], ==, 'x');
    xdr_free((xdrproc_t)xdr_remote_connect_get_capabilities_ret, (char *)&caps);

    /* The built-in AUTH_LIST: "none". */
    {
        remote_auth_list_ret auth = {0};

        g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST, RPC_XDR_VOID,
                                        NULL, (xdrproc_t)xdr_remote_auth_list_ret, &auth,
                                        RPC_TEST_WAIT_MS),
                        ==, 0);
        g_assert_cmpuint(auth.types.types_len, ==, 1);
        g_assert_cmpint(auth.types.types_val[0], ==, REMOTE_AUTH_NONE);
        xdr_free((xdrproc_t)xdr_remote_auth_list_ret, (char *)&auth);
    }

    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

static int
test_feature_func(RpcServerClient *client, int feature, gpointer opaque)
{
    if (feature == 99) {
        qvirt_error_set(QVIRT_FROM_RPC, QVIRT_ERR_INVALID_ARG, QVIRT_ERR_LEVEL_ERROR,
                        "feature 99 cannot be asked");
        return -1;
    }
    return feature == 14 || feature == 15;
}

static int
ask_feature(RpcClient *client, int feature)
{
    remote_connect_supports_feature_args args = {.feature = feature};
    remote_connect_supports_feature_ret ret = {0};

    if (rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                        (xdrproc_t)xdr_remote_connect_supports_feature_args, &args,
                        (xdrproc_t)xdr_remote_connect_supports_feature_ret, &ret,
                        RPC_TEST_WAIT_MS) < 0)
        return -1;
    return ret.supported;
}

static void
test_supports_feature(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, TRUE);

    /* Without a feature function only the layer's own features. */
    g_assert_cmpint(ask_feature(client, 14), ==, 0);
    g_assert_cmpint(ask_feature(client, RPC_FEATURE_FD_PASSING), ==, 1);
    rpc_server_set_feature_func(ts->server, test_feature_func, NULL);
    g_assert_cmpint(ask_feature(client, 14), ==, 1);
    g_assert_cmpint(ask_feature(client, 15), ==, 1);
    g_assert_cmpint(ask_feature(client, 3), ==, 0);
    qvirt_error_reset();
    g_assert_cmpint(ask_feature(client, 99), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "feature 99 cannot be asked");
    /* Keepalive: yes, on the read-only socket too. */
    g_assert_cmpint(ask_feature(client, RPC_FEATURE_PROGRAM_KEEPALIVE), ==, 1);

    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

static void
test_pipelined_serials(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    int fd = rpc_test_raw_connect(ts);
    const char *names[] = {"a", "bb", "ccc", "dddd", "eeeee"};
    gboolean seen[G_N_ELEMENTS(names)] = {FALSE};

    /* All calls written before any reply is read; replies may come in any
     * order, each with its own serial. */
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        RpcHeader hdr =
            rpc_test_call_header(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 1000 + i);
        remote_domain_lookup_by_name_args args = {.name = (char *)names[i]};

        rpc_test_raw_send(fd, &hdr, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &args);
    }
    for (size_t n = 0; n < G_N_ELEMENTS(names); n++) {
        g_autoptr(RpcMessage) reply = rpc_test_raw_read(fd);
        remote_domain_lookup_by_name_ret ret = {0};
        size_t i = reply->header.serial - 1000;

        g_assert_cmpuint(i, <, G_N_ELEMENTS(names));
        g_assert_false(seen[i]);
        seen[i] = TRUE;
        g_assert_cmpint(reply->header.type, ==, RPC_WIRE_REPLY);
        g_assert_cmpint(reply->header.status, ==, RPC_WIRE_OK);
        g_assert_cmpint(reply->header.proc, ==, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME);
        g_assert_cmpint(rpc_message_decode_payload(
                            reply, (xdrproc_t)xdr_remote_domain_lookup_by_name_ret, &ret),
                        ==, 0);
        g_assert_cmpstr(ret.dom.name, ==, names[i]);
        xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_name_ret, (char *)&ret);
    }
    close(fd);
    rpc_test_server_free(ts);
}

#define TEST_THREADS 8
#define TEST_CALLS_PER_THREAD 100

typedef struct {
    RpcClient *client;
    int index;
    gint failures;
} TestWorker;

static gpointer
test_worker(gpointer opaque)
{
    TestWorker *w = opaque;

    for (int i = 0; i < TEST_CALLS_PER_THREAD; i++) {
        g_autofree char *name = g_strdup_printf("t%d-call%d", w->index, i);
        remote_nonnull_domain dom = {0};

        if (call_lookup(w->client, name, &dom) < 0 || !g_str_equal(dom.name, name) ||
            dom.id != (int)strlen(name))
            w->failures++;
        xdr_free((xdrproc_t)xdr_remote_nonnull_domain, (char *)&dom);
    }
    return NULL;
}

static void
test_concurrent_threads(void)
{
    RpcServerConfig config = {.max_client_requests = 4};
    RpcTestServer *ts = rpc_test_server_new(&config);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, FALSE);
    TestWorker workers[TEST_THREADS];
    GThread *threads[TEST_THREADS];

    for (int i = 0; i < TEST_THREADS; i++) {
        workers[i] = (TestWorker){.client = client, .index = i};
        threads[i] = g_thread_new("caller", test_worker, &workers[i]);
    }
    for (int i = 0; i < TEST_THREADS; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(workers[i].failures, ==, 0);
    }
    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

static void
test_unknown_procedure(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, FALSE);

    qvirt_error_reset();
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, RPC_TEST_PROC_UNKNOWN, RPC_XDR_VOID,
                                    NULL, RPC_XDR_VOID, NULL, RPC_TEST_WAIT_MS),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "unknown procedure: 4242");
    g_assert_cmpint(qvirt_error_get_last()->domain, ==, QVIRT_FROM_RPC);
    /* A known procedure nobody registered is unknown too. */
    qvirt_error_reset();
    g_assert_cmpint(rpc_client_call(client, QEMU_PROGRAM, QEMU_PROC_DOMAIN_MONITOR_COMMAND,
                                    RPC_XDR_VOID, NULL, RPC_XDR_VOID, NULL, RPC_TEST_WAIT_MS),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "unknown procedure: 1");
    /* The connection is fine. */
    rpc_test_assert_hostname(client);

    /* Registering needs a handler and a known program. */
    qvirt_error_reset();
    g_assert_cmpint(
        rpc_server_add_handler(ts->server, REMOTE_PROGRAM, RPC_TEST_PROC_UNKNOWN, NULL, NULL), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "not a call qvirt knows");
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM,
                                           REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, NULL, NULL),
                    ==, -1);
    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

static void
test_readonly(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) ro = rpc_test_client_new(ts, TRUE);
    remote_domain_define_xml_args def = {.xml = (char *)"<domain/>"};
    remote_domain_define_xml_ret defret = {0};

    rpc_test_assert_hostname(ro);
    assert_lookup(ro, "guest");
    qvirt_error_reset();
    g_assert_cmpint(rpc_client_call(ro, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML,
                                    (xdrproc_t)xdr_remote_domain_define_xml_args, &def,
                                    (xdrproc_t)xdr_remote_domain_define_xml_ret, &defret,
                                    RPC_TEST_WAIT_MS),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "DOMAIN_DEFINE_XML");
    qvirt_error_reset();
    g_assert_cmpint(call_suspend(ro, RPC_TEST_WAIT_MS), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read-only");
    g_assert_cmpuint(ts->blocked_total, ==, 0); /* the handler never ran */
    rpc_test_assert_hostname(ro);
    g_clear_pointer(&ro, rpc_client_free);
    rpc_test_server_free(ts);
}

static void
test_handler_error(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, FALSE);
    remote_nonnull_domain dom = {0};
    int fd;

    qvirt_error_reset();
    g_assert_cmpint(call_lookup(client, "missing", &dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name 'missing'");
    g_assert_cmpint(qvirt_error_get_last()->domain, ==, QVIRT_FROM_DOMAIN);

    /* Arguments that do not decode: an error reply, and the client stays. */
    fd = rpc_test_raw_connect(ts);
    {
        RpcHeader hdr = rpc_test_call_header(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, 5);
        guint8 bytes[32];
        guint32 v;
        g_autoptr(RpcMessage) reply = NULL;
        g_autoptr(QvirtError) err = NULL;

        v = GUINT32_TO_BE(32);
        memcpy(bytes, &v, 4);
        rpc_header_encode(&hdr, bytes + 4);
        v = GUINT32_TO_BE(0xfffffff0); /* a string longer than the packet */
        memcpy(bytes + 28, &v, 4);
        rpc_test_raw_write(fd, bytes, sizeof(bytes));
        reply = rpc_test_raw_read(fd);
        g_assert_cmpuint(reply->header.serial, ==, 5);
        g_assert_cmpint(reply->header.status, ==, RPC_WIRE_ERROR);
        err = rpc_message_decode_error(reply);
        g_assert_cmpint(err->code, ==, QVIRT_ERR_RPC);
        g_assert_nonnull(strstr(err->message, "cannot decode"));
    }
    {
        RpcHeader hdr = rpc_test_call_header(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, 6);
        g_autoptr(RpcMessage) reply = NULL;

        rpc_test_raw_send(fd, &hdr, RPC_XDR_VOID, NULL);
        reply = rpc_test_raw_read(fd);
        g_assert_cmpuint(reply->header.serial, ==, 6);
        g_assert_cmpint(reply->header.status, ==, RPC_WIRE_OK);
    }
    close(fd);
    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

typedef struct {
    const char *name;
    guint8 bytes[64];
    size_t len;
    gboolean half_close; /* then shut our side: the server sees EOF mid-packet */
} TestBadPacket;

static void
put_word(guint8 *p, guint32 v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}

/* length, prog, vers, proc, type, serial, status */
static void
make_packet(TestBadPacket *bp, guint32 len, guint32 prog, guint32 vers, guint32 proc, guint32 type,
            guint32 status, size_t bytes)
{
    guint32 words[7] = {len, prog, vers, proc, type, 1, status};

    memset(bp->bytes, 0, sizeof(bp->bytes));
    for (int i = 0; i < 7; i++)
        put_word(bp->bytes + 4 * i, words[i]);
    bp->len = bytes;
}

static void
test_bad_packets(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) good = rpc_test_client_new(ts, FALSE);
    TestBadPacket cases[12] = {0};
    guint n = 0;
    const guint32 R = REMOTE_PROGRAM;
    const guint32 HOST = REMOTE_PROC_CONNECT_GET_HOSTNAME;

    cases[n].name = "length under 28";
    make_packet(&cases[n++], 27, R, 1, HOST, 0, 0, 28);
    cases[n].name = "length 0";
    make_packet(&cases[n++], 0, R, 1, HOST, 0, 0, 4);
    cases[n].name = "length over 32 MiB";
    make_packet(&cases[n++], RPC_MESSAGE_MAX_LENGTH + 1, R, 1, HOST, 0, 0, 28);
    cases[n].name = "length 4 GiB";
    make_packet(&cases[n++], 0xffffffff, R, 1, HOST, 0, 0, 28);
    cases[n].name = "unknown program";
    make_packet(&cases[n++], 28, 0x20008088, 1, HOST, 0, 0, 28);
    cases[n].name = "bad version";
    make_packet(&cases[n++], 28, R, 2, HOST, 0, 0, 28);
    cases[n].name = "unknown type";
    make_packet(&cases[n++], 28, R, 1, HOST, 9, 0, 28);
    cases[n].name = "unknown status";
    make_packet(&cases[n++], 28, R, 1, HOST, 0, 5, 28);
    cases[n].name = "a REPLY from a client";
    make_packet(&cases[n++], 28, R, 1, HOST, RPC_WIRE_REPLY, 0, 28);
    cases[n].name = "a STREAM from a client";
    make_packet(&cases[n++], 28, R, 1, HOST, RPC_WIRE_STREAM, 0, 28);
    cases[n].name = "truncated packet";
    make_packet(&cases[n], 100, R, 1, HOST, 0, 0, 40);
    cases[n++].half_close = TRUE;
    cases[n].name = "too many descriptors";
    make_packet(&cases[n++], 32, R, 1, 9001, RPC_WIRE_CALL_WITH_FDS, 0, 32);
    put_word(cases[n - 1].bytes + 28, 40);

    for (guint i = 0; i < n; i++) {
        int fd = rpc_test_raw_connect(ts);

        g_test_message("bad packet: %s", cases[i].name);
        rpc_test_raw_write(fd, cases[i].bytes, cases[i].len);
        if (cases[i].half_close)
            shutdown(fd, SHUT_WR);
        g_assert_true(rpc_test_raw_wait_eof(fd));
        close(fd);
        rpc_test_server_wait_closed(ts, i + 1);
        /* Every other client keeps working. */
        rpc_test_assert_hostname(good);
    }
    g_assert_cmpuint(rpc_server_get_client_count(ts->server), ==, 1);
    g_clear_pointer(&good, rpc_client_free);
    rpc_test_server_free(ts);
}

static void
test_client_gone_mid_call(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) other = rpc_test_client_new(ts, FALSE);
    int fd = rpc_test_raw_connect(ts);
    RpcHeader hdr = rpc_test_call_header(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SUSPEND, 1);
    remote_domain_suspend_args args = {.dom = {.name = (char *)"vm"}};

    rpc_test_raw_send(fd, &hdr, (xdrproc_t)xdr_remote_domain_suspend_args, &args);
    rpc_test_server_wait_blocked(ts, 1);
    close(fd);
    rpc_test_server_wait_closed(ts, 1);
    /* The handler finishes after its client left; its reply goes nowhere. */
    rpc_test_server_open_gate(ts);
    rpc_test_assert_hostname(other);
    g_assert_cmpint(call_suspend(other, RPC_TEST_WAIT_MS), ==, 0);
    g_assert_cmpuint(rpc_server_get_client_count(ts->server), ==, 1);
    g_clear_pointer(&other, rpc_client_free);
    rpc_test_server_free(ts);
}

static void
test_call_timeout(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, FALSE);

    qvirt_error_reset();
    g_assert_cmpint(call_suspend(client, 100), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, "DOMAIN_SUSPEND");
    /* The late reply is dropped; the client carries on. */
    rpc_test_server_wait_blocked(ts, 1);
    rpc_test_server_open_gate(ts);
    rpc_test_assert_hostname(client);
    g_assert_cmpint(call_suspend(client, RPC_TEST_WAIT_MS), ==, 0);
    g_assert_true(rpc_client_is_open(client));
    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

typedef struct {
    RpcClient *client;
    int rc;
    int code;
} TestSuspend;

static gpointer
test_suspend_thread(gpointer opaque)
{
    TestSuspend *s = opaque;

    s->rc = call_suspend(s->client, RPC_TEST_WAIT_MS);
    s->code = qvirt_error_last_code();
    return NULL;
}

static void
test_priority_pool(void)
{
    RpcServerConfig config = {.workers = 1, .priority_workers = 1};
    RpcTestServer *ts = rpc_test_server_new(&config);
    g_autoptr(RpcClient) slow = rpc_test_client_new(ts, FALSE);
    g_autoptr(RpcClient) fast = rpc_test_client_new(ts, FALSE);
    TestSuspend s = {.client = slow};
    GThread *thread = g_thread_new("slow", test_suspend_thread, &s);

    /* The only worker is busy; priority calls still get through. */
    rpc_test_server_wait_blocked(ts, 1);
    rpc_test_assert_hostname(fast);
    assert_lookup(fast, "quick");
    rpc_test_server_open_gate(ts);
    g_thread_join(thread);
    g_assert_cmpint(s.rc, ==, 0);
    g_clear_pointer(&slow, rpc_client_free);
    g_clear_pointer(&fast, rpc_client_free);
    rpc_test_server_free(ts);
}

#define TEST_LIMIT_CALLS 5

static void
test_client_request_limit(void)
{
    RpcServerConfig config = {.max_client_requests = 2, .workers = 10};
    RpcTestServer *ts = rpc_test_server_new(&config);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, FALSE);
    g_autoptr(RpcClient) other = rpc_test_client_new(ts, FALSE);
    TestSuspend s[TEST_LIMIT_CALLS];
    GThread *threads[TEST_LIMIT_CALLS];
    gint64 window;
    guint total;

    for (int i = 0; i < TEST_LIMIT_CALLS; i++) {
        s[i] = (TestSuspend){.client = client};
        threads[i] = g_thread_new("limited", test_suspend_thread, &s[i]);
    }
    rpc_test_server_wait_blocked(ts, 2);
    /* Showing that a third call does NOT start needs a window of time: a
     * bounded wait on the condition a third handler would signal. */
    window = qvirt_deadline_after_ms(300);
    qvirt_mutex_lock(&ts->lock);
    while (ts->blocked_total < 3 && qvirt_cond_wait_until(&ts->cond, &ts->lock, window))
        ;
    total = ts->blocked_total;
    qvirt_mutex_unlock(&ts->lock);
    g_assert_cmpuint(total, ==, 2);
    /* Other clients are not held back. */
    rpc_test_assert_hostname(other);

    rpc_test_server_open_gate(ts);
    for (int i = 0; i < TEST_LIMIT_CALLS; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(s[i].rc, ==, 0);
    }
    g_assert_cmpuint(ts->blocked_total, ==, TEST_LIMIT_CALLS);
    g_assert_cmpuint(ts->blocked_max, ==, 2);
    g_clear_pointer(&client, rpc_client_free);
    g_clear_pointer(&other, rpc_client_free);
    rpc_test_server_free(ts);
}

static void
test_client_limit(void)
{
    RpcServerConfig config = {.max_clients = 2};
    RpcTestServer *ts = rpc_test_server_new(&config);
    RpcClient *a = rpc_test_client_new(ts, FALSE);
    g_autoptr(RpcClient) b = rpc_test_client_new(ts, TRUE);
    g_autoptr(RpcClient) c = NULL;
    g_autoptr(RpcClient) d = NULL;

    rpc_test_assert_hostname(a);
    rpc_test_assert_hostname(b);
    g_assert_cmpuint(rpc_server_get_client_count(ts->server), ==, 2);
    /* A third is accepted and closed at once. */
    c = rpc_test_client_new(ts, FALSE);
    qvirt_error_reset();
    g_assert_cmpint(rpc_client_call(c, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                    RPC_XDR_VOID, NULL, RPC_XDR_VOID, NULL, RPC_TEST_WAIT_MS),
                    ==, -1);
    g_assert_cmpint(qvirt_error_last_code(), ==, QVIRT_ERR_RPC);
    /* Once one leaves there is room again. */
    rpc_client_free(a);
    rpc_test_server_wait_closed(ts, 1);
    d = rpc_test_client_new(ts, FALSE);
    rpc_test_assert_hostname(d);
    g_clear_pointer(&b, rpc_client_free);
    g_clear_pointer(&c, rpc_client_free);
    g_clear_pointer(&d, rpc_client_free);
    rpc_test_server_free(ts);
}

typedef struct {
    guint count;
    int callback_id;
    char *dom;
    int event;
    int detail;
} TestEvents;

static void
test_event_func(RpcClient *client, RpcMessage *msg, gpointer opaque)
{
    TestEvents *ev = opaque;
    remote_domain_event_callback_lifecycle_msg data = {0};

    g_assert_cmpuint(msg->header.prog, ==, REMOTE_PROGRAM);
    g_assert_cmpint(msg->header.proc, ==, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE);
    g_assert_cmpuint(msg->header.serial, ==, 0);
    g_assert_cmpint(rpc_message_decode_payload(
                        msg, (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &data),
                    ==, 0);
    ev->count++;
    ev->callback_id = data.callbackID;
    g_free(ev->dom);
    ev->dom = g_strdup(data.msg.dom.name);
    ev->event = data.msg.event;
    ev->detail = data.msg.detail;
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, (char *)&data);
}

static void
test_events(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, TRUE);
    TestEvents ev = {0};
    remote_connect_domain_event_callback_register_any_args args = {.eventID = 0};
    remote_connect_domain_event_callback_register_any_ret ret = {0};

    rpc_client_set_event_func(client, test_event_func, &ev);
    g_assert_cmpint(
        rpc_client_call(client, REMOTE_PROGRAM,
                        REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                        (xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_args,
                        &args, (xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_ret,
                        &ret, RPC_TEST_WAIT_MS),
        ==, 0);
    g_assert_cmpint(ret.callbackID, ==, 7);
    /* The server queued the event before the reply: it has been handled. */
    g_assert_cmpuint(ev.count, ==, 1);
    g_assert_cmpint(ev.callback_id, ==, 7);
    g_assert_cmpstr(ev.dom, ==, "evdom");
    g_assert_cmpint(ev.event, ==, 2);
    g_assert_cmpint(ev.detail, ==, 3);
    g_clear_pointer(&client, rpc_client_free);
    g_free(ev.dom);
    rpc_test_server_free(ts);
}

static void
test_fd_passing(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) client = rpc_test_client_new(ts, FALSE);
    int pipefd[2];
    g_autofree int *fds = NULL;
    size_t nfds = 0;
    char buf[8] = {0};

    g_assert_cmpint(pipe(pipefd), ==, 0);
    g_assert_cmpint(rpc_client_call_with_fds(client, REMOTE_PROGRAM, RPC_TEST_PROC_FDS, &pipefd[1],
                                             1, RPC_XDR_VOID, NULL, RPC_XDR_VOID, NULL, &fds, &nfds,
                                             RPC_TEST_WAIT_MS),
                    ==, 0);
    close(pipefd[1]);
    /* The server wrote into the descriptor we sent... */
    g_assert_cmpint(read(pipefd[0], buf, sizeof(buf)), ==, 5);
    g_assert_cmpstr(buf, ==, "hello");
    close(pipefd[0]);
    /* ...and sent one back. */
    g_assert_cmpuint(nfds, ==, 1);
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(read(fds[0], buf, sizeof(buf)), ==, 5);
    g_assert_cmpstr(buf, ==, "world");
    close(fds[0]);

    /* Without a descriptor the handler refuses; the connection stays. */
    qvirt_error_reset();
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, RPC_TEST_PROC_FDS, RPC_XDR_VOID, NULL,
                                    RPC_XDR_VOID, NULL, RPC_TEST_WAIT_MS),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "expected 1 descriptor");
    rpc_test_assert_hostname(client);
    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

typedef struct {
    RpcClient *client;
    int rc;
    int code;
} TestHostCall;

static gpointer
test_host_thread(gpointer opaque)
{
    TestHostCall *h = opaque;
    remote_connect_get_hostname_ret ret = {0};

    h->rc = rpc_client_call(h->client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                            RPC_XDR_VOID, NULL, (xdrproc_t)xdr_remote_connect_get_hostname_ret,
                            &ret, RPC_TEST_WAIT_MS);
    h->code = qvirt_error_last_code();
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, (char *)&ret);
    return NULL;
}

static void
test_server_gone_mid_call(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("rpc-test");
    int sv[2];
    RpcClient *client;
    TestHostCall h = {0};
    GThread *thread;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = rpc_client_open_socket(loop, rpc_socket_new_fd(sv[0]));
    h.client = client;
    thread = g_thread_new("caller", test_host_thread, &h);
    {
        /* The "server" takes the call, then vanishes. */
        g_autoptr(RpcMessage) call = rpc_test_raw_read(sv[1]);

        g_assert_cmpint(call->header.proc, ==, REMOTE_PROC_CONNECT_GET_HOSTNAME);
        close(sv[1]);
    }
    g_thread_join(thread);
    g_assert_cmpint(h.rc, ==, -1);
    g_assert_cmpint(h.code, ==, QVIRT_ERR_RPC);
    g_assert_false(rpc_client_is_open(client));
    /* Later calls fail at once. */
    qvirt_error_reset();
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                    RPC_XDR_VOID, NULL, RPC_XDR_VOID, NULL, RPC_TEST_WAIT_MS),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "closed the connection");
    rpc_client_free(client);
}

static void
test_server_shutdown(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    RpcClient *client = rpc_test_client_new(ts, FALSE);
    TestSuspend s = {.client = client};
    GThread *thread = g_thread_new("caller", test_suspend_thread, &s);

    rpc_test_assert_hostname(client);
    rpc_test_server_wait_blocked(ts, 1);
    /* Freeing the server lets the running call finish, then drops the
     * client, whose waiting call and later calls fail cleanly. */
    rpc_test_server_open_gate(ts);
    g_clear_pointer(&ts->server, rpc_server_free);
    g_thread_join(thread);
    g_assert_true(s.rc == 0 || s.code == QVIRT_ERR_RPC);
    qvirt_error_reset();
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                    RPC_XDR_VOID, NULL, RPC_XDR_VOID, NULL, RPC_TEST_WAIT_MS),
                    ==, -1);
    g_assert_cmpint(qvirt_error_last_code(), ==, QVIRT_ERR_RPC);
    g_assert_false(g_file_test(ts->rw_path, G_FILE_TEST_EXISTS));
    rpc_client_free(client);
    rpc_test_server_free(ts);
}

#define TEST_MANY_CLIENTS 200

typedef struct {
    RpcTestServer *ts;
    int index;
    gboolean ok;
    QvirtMutex *lock;
    QvirtCond *cond;
    guint *connected;
} TestManyClient;

static gpointer
test_many_thread(gpointer opaque)
{
    TestManyClient *m = opaque;
    RpcClient *client = rpc_client_open_unix(m->ts->loop, m->ts->rw_path);
    g_autofree char *name = g_strdup_printf("client-%d", m->index);
    remote_nonnull_domain dom = {0};
    gint64 deadline = qvirt_deadline_after_ms(RPC_TEST_WAIT_MS);

    if (!client)
        return NULL;
    /* Every client connects before any calls: all 200 are open at once. */
    qvirt_mutex_lock(m->lock);
    (*m->connected)++;
    qvirt_cond_broadcast(m->cond);
    while (*m->connected < TEST_MANY_CLIENTS) {
        if (!qvirt_cond_wait_until(m->cond, m->lock, deadline))
            break;
    }
    qvirt_mutex_unlock(m->lock);
    if (call_lookup(client, name, &dom) == 0 && g_str_equal(dom.name, name))
        m->ok = TRUE;
    xdr_free((xdrproc_t)xdr_remote_nonnull_domain, (char *)&dom);
    rpc_client_free(client);
    return NULL;
}

static void
test_many_clients(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    TestManyClient *clients = g_new0(TestManyClient, TEST_MANY_CLIENTS);
    GThread **threads = g_new0(GThread *, TEST_MANY_CLIENTS);
    QvirtMutex lock;
    QvirtCond cond;
    guint connected = 0;

    qvirt_mutex_init(&lock);
    qvirt_cond_init(&cond);
    for (int i = 0; i < TEST_MANY_CLIENTS; i++) {
        clients[i] = (TestManyClient){
            .ts = ts, .index = i, .lock = &lock, .cond = &cond, .connected = &connected};
        threads[i] = g_thread_new("many", test_many_thread, &clients[i]);
    }
    for (int i = 0; i < TEST_MANY_CLIENTS; i++) {
        g_thread_join(threads[i]);
        if (!clients[i].ok)
            g_error("client %d failed", i);
    }
    g_assert_cmpuint(connected, ==, TEST_MANY_CLIENTS);
    rpc_test_server_wait_closed(ts, TEST_MANY_CLIENTS);
    g_assert_cmpuint(rpc_server_get_client_count(ts->server), ==, 0);
    qvirt_mutex_clear(&lock);
    qvirt_cond_clear(&cond);
    g_free(threads);
    g_free(clients);
    rpc_test_server_free(ts);
}

static void
test_listener_errors(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autofree char *file = g_build_filename(ts->dir, "plain-file", NULL);
    g_autofree char *longpath = g_strnfill(200, 'x');
    g_autoptr(RpcClient) client = NULL;

    g_assert_true(g_file_set_contents(file, "x", 1, NULL));
    qvirt_error_reset();
    g_assert_cmpint(rpc_server_add_unix_listener(ts->server, file, 0600, FALSE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "is not a socket");
    qvirt_error_reset();
    g_assert_cmpint(rpc_server_add_unix_listener(ts->server, longpath, 0600, FALSE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "longer than");
    /* An old socket at the path is replaced; the mode is applied. */
    g_assert_cmpint(rpc_server_add_unix_listener(ts->server, ts->rw_path, 0600, TRUE), ==, 0);
    {
        GStatBuf sb;

        g_assert_cmpint(g_stat(ts->ro_path, &sb), ==, 0);
        g_assert_cmpint(sb.st_mode & 0777, ==, 0666);
        g_assert_cmpint(g_stat(ts->rw_path, &sb), ==, 0);
        g_assert_cmpint(sb.st_mode & 0777, ==, 0600);
    }
    client = rpc_test_client_new(ts, FALSE);
    qvirt_error_reset();
    g_assert_cmpint(call_suspend(client, RPC_TEST_WAIT_MS), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read-only");
    qvirt_error_reset();
    g_assert_null(rpc_client_open_unix(ts->loop, file));
    g_assert_cmpint(qvirt_error_last_code(), ==, QVIRT_ERR_SYSTEM_ERROR);
    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

static void
test_peer_creds(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    g_autoptr(RpcClient) client = NULL;
    RpcSocket *sock = rpc_socket_connect_unix(ts->rw_path);
    uid_t uid = 12345;
    pid_t pid = 0;

    g_assert_nonnull(sock);
    g_assert_cmpint(rpc_socket_get_peer_creds(sock, &uid, NULL, &pid), ==, 0);
    g_assert_cmpuint(uid, ==, getuid());
    g_assert_cmpint(pid, ==, getpid()); /* the server is this process */
    g_assert_true(rpc_socket_is_unix(sock));
    g_assert_cmpint(rpc_socket_get_port(sock), ==, -1);
    client = rpc_client_open_socket(ts->loop, sock);
    rpc_test_assert_hostname(client);
    g_clear_pointer(&client, rpc_client_free);
    rpc_test_server_free(ts);
}

void
test_server_register(void)
{
    g_test_add_func("/rpc/server/calls", test_calls);
    g_test_add_func("/rpc/server/supports-feature", test_supports_feature);
    g_test_add_func("/rpc/server/pipelined-serials", test_pipelined_serials);
    g_test_add_func("/rpc/server/concurrent-threads", test_concurrent_threads);
    g_test_add_func("/rpc/server/unknown-procedure", test_unknown_procedure);
    g_test_add_func("/rpc/server/readonly", test_readonly);
    g_test_add_func("/rpc/server/handler-error", test_handler_error);
    g_test_add_func("/rpc/server/bad-packets", test_bad_packets);
    g_test_add_func("/rpc/server/client-gone-mid-call", test_client_gone_mid_call);
    g_test_add_func("/rpc/server/call-timeout", test_call_timeout);
    g_test_add_func("/rpc/server/priority-pool", test_priority_pool);
    g_test_add_func("/rpc/server/client-request-limit", test_client_request_limit);
    g_test_add_func("/rpc/server/client-limit", test_client_limit);
    g_test_add_func("/rpc/server/events", test_events);
    g_test_add_func("/rpc/server/fd-passing", test_fd_passing);
    g_test_add_func("/rpc/server/server-gone-mid-call", test_server_gone_mid_call);
    g_test_add_func("/rpc/server/server-shutdown", test_server_shutdown);
    g_test_add_func("/rpc/server/many-clients", test_many_clients);
    g_test_add_func("/rpc/server/listener-errors", test_listener_errors);
    g_test_add_func("/rpc/server/peer-creds", test_peer_creds);
}

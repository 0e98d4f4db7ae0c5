/* test-keepalive.c: the keepalive rules alone (with chosen times), PING
 * answered by the server and by the client, the server's own PINGs after
 * SUPPORTS_FEATURE(PROGRAM_KEEPALIVE) and the drop of a silent client, and a
 * client dropping a silent server (failing its waiting call).
 *
 * The silent peers are raw sockets the test holds; every wait is on a
 * message or an end of file, with a deadline that only guards against a
 * hang. Intervals are short so that the drops happen quickly. */
#include <config.h>

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "rpc/rpc_keepalive.h"
#include "suites.h"
#include "testutil.h"
#include "util/deadline.h"

#define MS G_TIME_SPAN_MILLISECOND

static void
test_rules(void)
{
    gint64 t0 = 1000 * MS;
    g_autoptr(RpcKeepalive) ka = rpc_keepalive_new(100, 3, t0);

    g_assert_cmpuint(rpc_keepalive_get_interval(ka), ==, 100);
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 50 * MS), ==, RPC_KEEPALIVE_NOTHING);
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 100 * MS), ==, RPC_KEEPALIVE_PING);
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 200 * MS), ==, RPC_KEEPALIVE_PING);
    /* Any message resets the count. */
    rpc_keepalive_seen(ka, t0 + 250 * MS);
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 300 * MS), ==, RPC_KEEPALIVE_NOTHING);
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 350 * MS), ==, RPC_KEEPALIVE_PING);
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 450 * MS), ==, RPC_KEEPALIVE_PING);
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 550 * MS), ==, RPC_KEEPALIVE_PING);
    /* Three unanswered: dead, and it stays dead. */
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 650 * MS), ==, RPC_KEEPALIVE_DEAD);
    g_assert_cmpint(rpc_keepalive_tick(ka, t0 + 750 * MS), ==, RPC_KEEPALIVE_DEAD);

    qvirt_error_reset();
    g_assert_null(rpc_keepalive_new(0, 3, t0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "above 0");
    g_assert_null(rpc_keepalive_new(100, 0, t0));
}

static void
test_messages(void)
{
    g_autoptr(RpcMessage) ping = rpc_keepalive_message_new(KEEPALIVE_PROC_PING);
    g_autoptr(RpcMessage) pong = rpc_keepalive_message_new(KEEPALIVE_PROC_PONG);

    g_assert_cmpuint(ping->length, ==, 28);
    ping->offset = 0;
    g_assert_cmpint(rpc_message_decode_header(ping), ==, 0);
    g_assert_cmpuint(ping->header.prog, ==, 0x6b656570);
    g_assert_cmpint(ping->header.type, ==, RPC_WIRE_MESSAGE);
    g_assert_cmpuint(ping->header.serial, ==, 0);
    g_assert_cmpint(rpc_keepalive_check_message(ping), ==, KEEPALIVE_PROC_PING);
    g_assert_cmpint(rpc_message_decode_header(pong), ==, 0);
    g_assert_cmpint(rpc_keepalive_check_message(pong), ==, KEEPALIVE_PROC_PONG);

    /* Wrong type, unknown procedure, a payload: broken. */
    ping->header.type = RPC_WIRE_CALL;
    qvirt_error_reset();
    g_assert_cmpint(rpc_keepalive_check_message(ping), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "invalid keepalive message");
    ping->header.type = RPC_WIRE_MESSAGE;
    ping->header.proc = 3;
    g_assert_cmpint(rpc_keepalive_check_message(ping), ==, -1);
    ping->header.proc = KEEPALIVE_PROC_PING;
    ping->offset = 20;
    g_assert_cmpint(rpc_keepalive_check_message(ping), ==, -1);
}

static void
test_server_answers_ping(void)
{
    RpcTestServer *ts = rpc_test_server_new(NULL);
    int fd = rpc_test_raw_connect(ts);
    RpcHeader ping = {.prog = KEEPALIVE_PROGRAM,
                      .vers = 1,
                      .proc = KEEPALIVE_PROC_PING,
                      .type = RPC_WIRE_MESSAGE};
    g_autoptr(RpcMessage) pong = NULL;

    rpc_test_raw_send(fd, &ping, RPC_XDR_VOID, NULL);
    pong = rpc_test_raw_read(fd);
    g_assert_cmpuint(pong->header.prog, ==, KEEPALIVE_PROGRAM);
    g_assert_cmpint(pong->header.proc, ==, KEEPALIVE_PROC_PONG);
    g_assert_cmpint(pong->header.type, ==, RPC_WIRE_MESSAGE);
    g_assert_cmpuint(pong->length, ==, 28);

    /* A keepalive CALL is a protocol error: that client is dropped. */
    ping.type = RPC_WIRE_CALL;
    rpc_test_raw_send(fd, &ping, RPC_XDR_VOID, NULL);
    g_assert_true(rpc_test_raw_wait_eof(fd));
    close(fd);
    rpc_test_server_free(ts);
}

/* Ask for keepalive as virsh does; returns the answer. */
static int
test_ask_keepalive(int fd)
{
    remote_connect_supports_feature_args args = {.feature = RPC_FEATURE_PROGRAM_KEEPALIVE};
    remote_connect_supports_feature_ret ret = {0};
    RpcHeader hdr = rpc_test_call_header(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, 1);
    g_autoptr(RpcMessage) reply = NULL;

    rpc_test_raw_send(fd, &hdr, (xdrproc_t)xdr_remote_connect_supports_feature_args, &args);
    reply = rpc_test_raw_read(fd);
    g_assert_cmpuint(reply->header.serial, ==, 1);
    g_assert_cmpint(reply->header.status, ==, RPC_WIRE_OK);
    g_assert_cmpint(
        rpc_message_decode_payload(reply, (xdrproc_t)xdr_remote_connect_supports_feature_ret, &ret),
        ==, 0);
    return ret.supported;
}

static void
test_server_pings(void)
{
    RpcServerConfig config = {.keepalive_interval_ms = 40, .keepalive_count = 2};
    RpcTestServer *ts = rpc_test_server_new(&config);
    int fd = rpc_test_raw_connect(ts);
    RpcHeader pong = {.prog = KEEPALIVE_PROGRAM,
                      .vers = 1,
                      .proc = KEEPALIVE_PROC_PONG,
                      .type = RPC_WIRE_MESSAGE};
    g_autoptr(RpcClient) good = rpc_test_client_new(ts, FALSE);

    g_assert_cmpint(test_ask_keepalive(fd), ==, 1);
    /* While we answer, the server keeps PINGing and keeps us. */
    for (int i = 0; i < 4; i++) {
        g_autoptr(RpcMessage) ping = rpc_test_raw_read(fd);

        g_assert_cmpuint(ping->header.prog, ==, KEEPALIVE_PROGRAM);
        g_assert_cmpint(ping->header.proc, ==, KEEPALIVE_PROC_PING);
        rpc_test_raw_send(fd, &pong, RPC_XDR_VOID, NULL);
    }
    /* Silent from now on: dropped after two more PINGs. */
    g_assert_true(rpc_test_raw_wait_eof(fd));
    rpc_test_server_wait_closed(ts, 1);
    /* Only that client. */
    rpc_test_assert_hostname(good);
    close(fd);
    g_clear_pointer(&good, rpc_client_free);
    rpc_test_server_free(ts);
}

typedef struct {
    QvirtMutex lock;
    QvirtCond cond;
    gboolean closed;
    int code;
    char *message;
} TestCloseWatch;

static void
test_close_func(RpcClient *client, const QvirtError *err, gpointer opaque)
{
    TestCloseWatch *w = opaque;

    qvirt_mutex_lock(&w->lock);
    w->closed = TRUE;
    w->code = err ? err->code : 0;
    w->message = g_strdup(err ? err->message : "");
    qvirt_cond_broadcast(&w->cond);
    qvirt_mutex_unlock(&w->lock);
}

typedef struct {
    RpcClient *client;
    int rc;
    int code;
    char *message;
} TestCall;

static gpointer
test_call_thread(gpointer opaque)
{
    TestCall *call = opaque;
    remote_connect_get_hostname_ret ret = {0};

    call->rc = rpc_client_call(call->client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                               RPC_XDR_VOID, NULL, (xdrproc_t)xdr_remote_connect_get_hostname_ret,
                               &ret, RPC_TEST_WAIT_MS);
    call->code = qvirt_error_last_code();
    call->message = g_strdup(qvirt_error_last_message());
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, (char *)&ret);
    return NULL;
}

static void
test_client_drops_silent_server(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("rpc-test");
    int sv[2];
    RpcClient *client;
    TestCloseWatch w = {0};
    TestCall call = {0};
    GThread *thread;
    gint64 deadline = qvirt_deadline_after_ms(RPC_TEST_WAIT_MS);
    RpcHeader ping = {.prog = KEEPALIVE_PROGRAM,
                      .vers = 1,
                      .proc = KEEPALIVE_PROC_PING,
                      .type = RPC_WIRE_MESSAGE};

    qvirt_mutex_init(&w.lock);
    qvirt_cond_init(&w.cond);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    client = rpc_client_open_socket(loop, rpc_socket_new_fd(sv[0]));
    g_assert_nonnull(client);
    rpc_client_set_close_func(client, test_close_func, &w);

    /* The client answers a PING from the "server". */
    rpc_test_raw_send(sv[1], &ping, RPC_XDR_VOID, NULL);
    {
        g_autoptr(RpcMessage) pong = rpc_test_raw_read(sv[1]);

        g_assert_cmpint(pong->header.proc, ==, KEEPALIVE_PROC_PONG);
    }

    /* A call the silent server never answers fails when keepalive gives up. */
    g_assert_cmpint(rpc_client_start_keepalive(client, 30, 2), ==, 0);
    call.client = client;
    thread = g_thread_new("caller", test_call_thread, &call);
    g_thread_join(thread);
    g_assert_cmpint(call.rc, ==, -1);
    g_assert_cmpint(call.code, ==, QVIRT_ERR_RPC);
    g_assert_nonnull(strstr(call.message, "keepalive"));

    qvirt_mutex_lock(&w.lock);
    while (!w.closed && qvirt_cond_wait_until(&w.cond, &w.lock, deadline))
        ;
    g_assert_true(w.closed);
    g_assert_cmpint(w.code, ==, QVIRT_ERR_RPC);
    g_assert_nonnull(strstr(w.message, "keepalive"));
    qvirt_mutex_unlock(&w.lock);
    g_assert_false(rpc_client_is_open(client));

    /* What reached the silent side: the call (unless keepalive won the
     * race) and exactly two PINGs, then the end. */
    {
        guint calls = 0;
        guint pings = 0;
        RpcMessage *msg;

        while ((msg = rpc_test_raw_read_or_eof(sv[1]))) {
            if (msg->header.prog == KEEPALIVE_PROGRAM && msg->header.proc == KEEPALIVE_PROC_PING)
                pings++;
            else if (msg->header.type == RPC_WIRE_CALL)
                calls++;
            else
                g_assert_not_reached();
            rpc_message_free(msg);
        }
        g_assert_cmpuint(calls, <=, 1);
        g_assert_cmpuint(pings, ==, 2);
    }

    rpc_client_free(client);
    close(sv[1]);
    g_free(call.message);
    g_free(w.message);
    qvirt_cond_clear(&w.cond);
    qvirt_mutex_clear(&w.lock);
}

void
test_keepalive_register(void)
{
    g_test_add_func("/rpc/keepalive/rules", test_rules);
    g_test_add_func("/rpc/keepalive/messages", test_messages);
    g_test_add_func("/rpc/keepalive/server-answers-ping", test_server_answers_ping);
    g_test_add_func("/rpc/keepalive/server-pings", test_server_pings);
    g_test_add_func("/rpc/keepalive/client-drops-silent-server", test_client_drops_silent_server);
}

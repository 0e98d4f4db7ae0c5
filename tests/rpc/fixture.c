/* fixture.c: the test RPC server and raw-socket helpers (see fixture.h). */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixture.h"
#include "testutil.h"
#include "util/deadline.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

static int
test_get_hostname(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    remote_connect_get_hostname_ret *r = ret;

    r->hostname = g_strdup("test-host");
    return 0;
}

static void
test_fill_domain(remote_nonnull_domain *dom, const char *name, int id)
{
    dom->name = g_strdup(name);
    for (int i = 0; i < REMOTE_UUID_BUFLEN; i++)
        dom->uuid[i] = (char)i;
    dom->id = id;
}

static int
test_lookup_by_name(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    remote_domain_lookup_by_name_args *a = args;
    remote_domain_lookup_by_name_ret *r = ret;

    if (g_str_equal(a->name, "missing")) {
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name '%s'", a->name);
        return -1;
    }
    test_fill_domain(&r->dom, a->name, (int)strlen(a->name));
    return 0;
}

static int
test_define_xml(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    remote_domain_define_xml_args *a = args;
    remote_domain_define_xml_ret *r = ret;

    test_fill_domain(&r->dom, a->xml, -1);
    return 0;
}

static int
test_get_capabilities(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    remote_connect_get_capabilities_ret *r = ret;

    r->capabilities = g_malloc(RPC_TEST_BIG_LEN + 1);
    memset(r->capabilities, 'x', RPC_TEST_BIG_LEN);
    r->capabilities[RPC_TEST_BIG_LEN] = '\0';
    return 0;
}

static int
test_suspend(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    RpcTestServer *ts = opaque;
    gint64 deadline = qvirt_deadline_after_ms(RPC_TEST_WAIT_MS);
    gboolean open;

    qvirt_mutex_lock(&ts->lock);
    ts->blocked_now++;
    ts->blocked_total++;
    ts->blocked_max = MAX(ts->blocked_max, ts->blocked_now);
    qvirt_cond_broadcast(&ts->cond);
    while (!ts->gate_open) {
        if (!qvirt_cond_wait_until(&ts->cond, &ts->lock, deadline))
            break;
    }
    open = ts->gate_open;
    ts->blocked_now--;
    qvirt_mutex_unlock(&ts->lock);
    if (!open) {
        qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT, "the test never opened the gate");
        return -1;
    }
    return 0;
}

static int
test_register_event(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    remote_connect_domain_event_callback_register_any_ret *r = ret;
    remote_domain_event_callback_lifecycle_msg ev = {0};
    int rc;

    ev.callbackID = 7;
    test_fill_domain(&ev.msg.dom, "evdom", 3);
    ev.msg.event = 2;
    ev.msg.detail = 3;
    rc = rpc_server_client_send_event(rpc_server_call_get_client(call), REMOTE_PROGRAM,
                                      REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                                      (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg,
                                      &ev);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, (char *)&ev);
    if (rc < 0)
        return -1;
    r->callbackID = 7;
    return 0;
}

static int
test_fds(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    int fd;
    int pipefd[2];

    if (rpc_server_call_get_nfds(call) != 1) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, "expected 1 descriptor, got %zu",
                           rpc_server_call_get_nfds(call));
        return -1;
    }
    fd = rpc_server_call_steal_fd(call, 0);
    g_assert_cmpint(write(fd, "hello", 5), ==, 5);
    close(fd);
    g_assert_cmpint(pipe(pipefd), ==, 0);
    g_assert_cmpint(write(pipefd[1], "world", 5), ==, 5);
    close(pipefd[1]);
    return rpc_server_call_add_reply_fd(call, pipefd[0]);
}

static void
test_client_closed(RpcServerClient *client, gpointer opaque)
{
    RpcTestServer *ts = opaque;

    qvirt_mutex_lock(&ts->lock);
    ts->closed_clients++;
    qvirt_cond_broadcast(&ts->cond);
    qvirt_mutex_unlock(&ts->lock);
}

RpcTestServer *
rpc_test_server_new(const RpcServerConfig *config)
{
    RpcTestServer *ts = g_new0(RpcTestServer, 1);
    RpcServerProc fds = {
        .prog = REMOTE_PROGRAM,
        .proc = RPC_TEST_PROC_FDS,
        .handler = test_fds,
        .args_proc = RPC_XDR_VOID,
        .ret_proc = RPC_XDR_VOID,
        .flags = RPC_PROC_READONLY_OK,
        .opaque = ts,
    };

    qvirt_mutex_init(&ts->lock);
    qvirt_cond_init(&ts->cond);
    ts->dir = qvirt_test_mkdtemp();
    ts->rw_path = g_build_filename(ts->dir, "rw.sock", NULL);
    ts->ro_path = g_build_filename(ts->dir, "ro.sock", NULL);
    ts->loop = qvirt_event_loop_new("rpc-test");
    ts->server = rpc_server_new(ts->loop, config);
    rpc_server_set_client_funcs(ts->server, NULL, test_client_closed, ts);

    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM,
                                           REMOTE_PROC_CONNECT_GET_HOSTNAME, test_get_hostname, ts),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM,
                                           REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, test_lookup_by_name,
                                           ts),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM,
                                           REMOTE_PROC_DOMAIN_DEFINE_XML, test_define_xml, ts),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM,
                                           REMOTE_PROC_CONNECT_GET_CAPABILITIES,
                                           test_get_capabilities, ts),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SUSPEND,
                                           test_suspend, ts),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM,
                                           REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                                           test_register_event, ts),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_proc(ts->server, &fds), ==, 0);

    g_assert_cmpint(rpc_server_add_unix_listener(ts->server, ts->rw_path, 0600, FALSE), ==, 0);
    g_assert_cmpint(rpc_server_add_unix_listener(ts->server, ts->ro_path, 0666, TRUE), ==, 0);
    return ts;
}

void
rpc_test_server_free(RpcTestServer *ts)
{
    if (!ts)
        return;
    rpc_test_server_open_gate(ts); /* never leave a handler waiting */
    rpc_server_free(ts->server);
    qvirt_event_loop_free(ts->loop);
    qvirt_test_rmtree(ts->dir);
    g_free(ts->dir);
    g_free(ts->rw_path);
    g_free(ts->ro_path);
    qvirt_cond_clear(&ts->cond);
    qvirt_mutex_clear(&ts->lock);
    g_free(ts);
}

void
rpc_test_server_open_gate(RpcTestServer *ts)
{
    qvirt_mutex_lock(&ts->lock);
    ts->gate_open = TRUE;
    qvirt_cond_broadcast(&ts->cond);
    qvirt_mutex_unlock(&ts->lock);
}

void
rpc_test_server_wait_blocked(RpcTestServer *ts, guint n)
{
    gint64 deadline = qvirt_deadline_after_ms(RPC_TEST_WAIT_MS);

    qvirt_mutex_lock(&ts->lock);
    while (ts->blocked_now < n) {
        if (!qvirt_cond_wait_until(&ts->cond, &ts->lock, deadline))
            break;
    }
    g_assert_cmpuint(ts->blocked_now, >=, n);
    qvirt_mutex_unlock(&ts->lock);
}

void
rpc_test_server_wait_closed(RpcTestServer *ts, guint n)
{
    gint64 deadline = qvirt_deadline_after_ms(RPC_TEST_WAIT_MS);

    qvirt_mutex_lock(&ts->lock);
    while (ts->closed_clients < n) {
        if (!qvirt_cond_wait_until(&ts->cond, &ts->lock, deadline))
            break;
    }
    g_assert_cmpuint(ts->closed_clients, >=, n);
    qvirt_mutex_unlock(&ts->lock);
}

RpcClient *
rpc_test_client_new(RpcTestServer *ts, gboolean readonly)
{
    RpcClient *client = rpc_client_open_unix(ts->loop, readonly ? ts->ro_path : ts->rw_path);

    if (!client)
        g_error("cannot connect to the test server: %s", qvirt_error_last_message());
    return client;
}

int
rpc_test_raw_connect(RpcTestServer *ts)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(ts->rw_path), <, sizeof(addr.sun_path));
    memcpy(addr.sun_path, ts->rw_path, strlen(ts->rw_path) + 1);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

void
rpc_test_raw_write(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= n;
    }
}

void
rpc_test_raw_send(int fd, const RpcHeader *hdr, xdrproc_t proc, void *data)
{
    g_autoptr(RpcMessage) msg = rpc_message_new();

    g_assert_cmpint(rpc_message_encode(msg, hdr, proc, data), ==, 0);
    rpc_test_raw_write(fd, msg->buffer, msg->length);
}

/* Read exactly LEN bytes before the deadline; FALSE at end of file. */
static gboolean
rpc_test_raw_read_exact(int fd, void *buf, size_t len, gint64 deadline)
{
    char *p = buf;

    while (len > 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n;
        int rc = poll(&pfd, 1, qvirt_deadline_remaining_ms(deadline));

        if (rc < 0 && errno == EINTR)
            continue;
        g_assert_cmpint(rc, ==, 1);
        n = recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        p += n;
        len -= n;
    }
    return TRUE;
}

RpcMessage *
rpc_test_raw_read_or_eof(int fd)
{
    gint64 deadline = qvirt_deadline_from_now_ms(RPC_TEST_WAIT_MS);
    g_autoptr(RpcMessage) msg = rpc_message_new();
    guint8 lenbuf[4];
    size_t length;

    if (!rpc_test_raw_read_exact(fd, lenbuf, sizeof(lenbuf), deadline))
        return NULL;
    g_assert_cmpint(rpc_message_decode_length(lenbuf, &length), ==, 0);
    msg->buffer = g_malloc(length);
    msg->length = length;
    memcpy(msg->buffer, lenbuf, sizeof(lenbuf));
    g_assert_true(rpc_test_raw_read_exact(fd, msg->buffer + 4, length - 4, deadline));
    g_assert_cmpint(rpc_message_decode_header(msg), ==, 0);
    return g_steal_pointer(&msg);
}

RpcMessage *
rpc_test_raw_read(int fd)
{
    RpcMessage *msg = rpc_test_raw_read_or_eof(fd);

    if (!msg)
        g_error("the peer closed the connection instead of sending a packet");
    return msg;
}

gboolean
rpc_test_raw_wait_eof(int fd)
{
    gint64 deadline = qvirt_deadline_from_now_ms(RPC_TEST_WAIT_MS);
    char buf[4096];

    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int rc = poll(&pfd, 1, qvirt_deadline_remaining_ms(deadline));
        ssize_t n;

        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return FALSE;
        n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return TRUE;
        if (n < 0 && errno != EINTR)
            return FALSE;
        /* data the server sent before closing: skip it */
    }
}

RpcHeader
rpc_test_call_header(guint32 prog, int proc, guint32 serial)
{
    RpcHeader hdr = {
        .prog = prog,
        .vers = rpc_program_version(prog),
        .proc = proc,
        .type = RPC_WIRE_CALL,
        .serial = serial,
        .status = RPC_WIRE_OK,
    };

    return hdr;
}

void
rpc_test_assert_hostname(RpcClient *client)
{
    remote_connect_get_hostname_ret ret = {0};

    if (rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, RPC_XDR_VOID,
                        NULL, (xdrproc_t)xdr_remote_connect_get_hostname_ret, &ret,
                        RPC_TEST_WAIT_MS) < 0)
        g_error("GET_HOSTNAME failed: %s", qvirt_error_last_message());
    g_assert_cmpstr(ret.hostname, ==, "test-host");
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, (char *)&ret);
}

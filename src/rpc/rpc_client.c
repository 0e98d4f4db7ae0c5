/* rpc_client.c: calls, replies, events (the contract is in rpc_client.h).
 *
 * How it keeps the contract: client->lock guards the table of calls waiting
 * for a reply (serial -> RpcClientPending) and the closed state; callers
 * wait on client->cond. The loop thread files each reply with its call and
 * broadcasts; when the connection ends every waiting call gets the error.
 * A call that times out takes itself out of the table, so its late reply
 * finds nobody and is dropped. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "rpc/rpc_client.h"
#include "rpc/rpc_conn.h"
#include "rpc/rpc_program.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_RPC

QVIRT_LOG_INIT("rpc.client");

typedef struct {
    guint32 serial;
    guint32 prog;
    int proc;
    gboolean done;
    RpcMessage *reply;
    QvirtError *error; /* the connection ended first */
} RpcClientPending;

struct _RpcClient {
    gint refs; /* atomic */
    QvirtEventLoop *loop;
    RpcConn *conn;

    QvirtMutex lock;
    QvirtCond cond;
    gboolean closed;
    gboolean ready;
    QvirtError *close_error;
    GHashTable *pending; /* serial -> RpcClientPending* (not owned) */
    guint32 next_serial;
    RpcClientEventFunc event_func;
    gpointer event_opaque;
    RpcClientCloseFunc close_func;
    gpointer close_opaque;
};

static RpcClient *
rpc_client_ref(RpcClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

static void
rpc_client_unref(RpcClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    rpc_conn_unref(client->conn);
    qvirt_error_free(client->close_error);
    g_hash_table_destroy(client->pending);
    qvirt_cond_clear(&client->cond);
    qvirt_mutex_clear(&client->lock);
    g_free(client);
}

static void
rpc_client_unref_cb(gpointer opaque)
{
    rpc_client_unref(opaque);
}

/* Mark CLIENT closed with ERR and fail every waiting call (lock held).
 * Returns FALSE when it was already closed. */
static gboolean
rpc_client_fail_locked(RpcClient *client, const QvirtError *err)
{
    GHashTableIter iter;
    gpointer value;

    if (client->closed)
        return FALSE;
    client->closed = TRUE;
    client->close_error = qvirt_error_copy(err);
    g_hash_table_iter_init(&iter, client->pending);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        RpcClientPending *pending = value;

        pending->error = qvirt_error_copy(err);
        pending->done = TRUE;
    }
    g_hash_table_remove_all(client->pending);
    qvirt_cond_broadcast(&client->cond);
    return TRUE;
}

/* ---- Connection callbacks (loop thread) ---- */

static gboolean
rpc_client_on_message(RpcConn *conn, RpcMessage *msg, gpointer opaque)
{
    RpcClient *client = opaque;
    RpcClientPending *pending;
    RpcClientEventFunc func;
    gpointer func_opaque;

    switch ((int)msg->header.type) {
    case RPC_WIRE_REPLY:
    case RPC_WIRE_REPLY_WITH_FDS:
        qvirt_mutex_lock(&client->lock);
        pending = g_hash_table_lookup(client->pending, GUINT_TO_POINTER(msg->header.serial));
        if (pending && pending->prog == msg->header.prog && pending->proc == msg->header.proc) {
            g_hash_table_remove(client->pending, GUINT_TO_POINTER(msg->header.serial));
            pending->reply = msg;
            pending->done = TRUE;
            qvirt_cond_broadcast(&client->cond);
            qvirt_mutex_unlock(&client->lock);
            return TRUE;
        }
        qvirt_mutex_unlock(&client->lock);
        QVIRT_INFO("dropping a reply nobody waits for (serial %u, procedure %d)",
                   msg->header.serial, msg->header.proc);
        rpc_message_free(msg);
        return TRUE;

    case RPC_WIRE_MESSAGE:
        qvirt_mutex_lock(&client->lock);
        func = client->event_func;
        func_opaque = client->event_opaque;
        qvirt_mutex_unlock(&client->lock);
        if (func)
            func(client, msg, func_opaque);
        else
            QVIRT_DEBUG("ignoring event %d of program 0x%x", msg->header.proc, msg->header.prog);
        rpc_message_free(msg);
        return TRUE;

    default:
        qvirt_report_error(QVIRT_ERR_RPC, _("unexpected %s message from the server"),
                           rpc_message_type_to_string(msg->header.type));
        rpc_message_free(msg);
        return FALSE;
    }
}

static void
rpc_client_on_closed(RpcConn *conn, const QvirtError *err, gpointer opaque)
{
    RpcClient *client = opaque;
    g_autoptr(QvirtError) copy = NULL;
    RpcClientCloseFunc func;
    gpointer func_opaque;
    gboolean newly;

    if (!err) {
        copy = g_new0(QvirtError, 1);
        copy->code = QVIRT_ERR_RPC;
        copy->domain = QVIRT_FROM_RPC;
        copy->level = QVIRT_ERR_LEVEL_ERROR;
        copy->message = g_strdup(_("the server closed the connection"));
    }
    qvirt_mutex_lock(&client->lock);
    newly = rpc_client_fail_locked(client, err ? err : copy);
    func = client->close_func;
    func_opaque = client->close_opaque;
    qvirt_mutex_unlock(&client->lock);
    if (newly && func)
        func(client, err, func_opaque);
}

static void
rpc_client_on_ready(RpcConn *conn, gpointer opaque)
{
    RpcClient *client = opaque;

    qvirt_mutex_lock(&client->lock);
    client->ready = TRUE;
    qvirt_cond_broadcast(&client->cond);
    qvirt_mutex_unlock(&client->lock);
}

static const RpcConnCallbacks rpc_client_callbacks = {
    .message = rpc_client_on_message,
    .closed = rpc_client_on_closed,
    .ready = rpc_client_on_ready,
};

/* ---- Opening and closing ---- */

RpcClient *
rpc_client_open_socket(QvirtEventLoop *loop, RpcSocket *sock)
{
    RpcClient *client = g_new0(RpcClient, 1);

    client->refs = 1;
    client->loop = loop;
    qvirt_mutex_init(&client->lock);
    qvirt_cond_init(&client->cond);
    client->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
    client->ready = !rpc_socket_get_tls(sock);
    client->conn = rpc_conn_new(loop, sock, &rpc_client_callbacks, rpc_client_ref(client),
                                rpc_client_unref_cb);
    if (!client->conn) {
        client->refs = 1; /* the connection took no reference */
        rpc_client_unref(client);
        return NULL;
    }
    return client;
}

RpcClient *
rpc_client_open_unix(QvirtEventLoop *loop, const char *path)
{
    RpcSocket *sock = rpc_socket_connect_unix(path);

    if (!sock)
        return NULL;
    return rpc_client_open_socket(loop, sock);
}

RpcClient *
rpc_client_open_tls(QvirtEventLoop *loop, const char *host, const char *service, RpcTlsContext *tls,
                    gint64 timeout_ms)
{
    gint64 deadline = qvirt_deadline_after_ms(timeout_ms);
    RpcTlsSession *sess;
    RpcSocket *sock;
    RpcClient *client;
    gboolean ready;
    g_autoptr(QvirtError) err = NULL;

    if (!tls || rpc_tls_context_is_server(tls)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("a TLS client needs a client TLS context"));
        return NULL;
    }
    sock = rpc_socket_connect_tcp(host, service, timeout_ms);
    if (!sock)
        return NULL;
    sess = rpc_tls_session_new(tls, rpc_socket_get_fd(sock), host);
    if (!sess) {
        rpc_socket_free(sock);
        return NULL;
    }
    rpc_socket_set_tls(sock, sess);
    client = rpc_client_open_socket(loop, sock);
    if (!client)
        return NULL;

    qvirt_mutex_lock(&client->lock);
    while (!client->ready && !client->closed) {
        if (!qvirt_cond_wait_until(&client->cond, &client->lock, deadline))
            break;
    }
    ready = client->ready && !client->closed;
    if (client->closed)
        err = qvirt_error_copy(client->close_error);
    qvirt_mutex_unlock(&client->lock);
    if (!ready) {
        rpc_client_free(client);
        if (err)
            qvirt_error_set(err->domain, err->code, err->level, err->message);
        else
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("TLS handshake with '%s' port '%s' did not finish within %lld ms"),
                               host, service, (long long)timeout_ms);
        return NULL;
    }
    return client;
}

void
rpc_client_close(RpcClient *client)
{
    g_autoptr(QvirtError) err = g_new0(QvirtError, 1);

    err->code = QVIRT_ERR_RPC;
    err->domain = QVIRT_FROM_RPC;
    err->level = QVIRT_ERR_LEVEL_ERROR;
    err->message = g_strdup(_("the connection to the server was closed"));
    qvirt_mutex_lock(&client->lock);
    rpc_client_fail_locked(client, err);
    qvirt_mutex_unlock(&client->lock);
    rpc_conn_close(client->conn);
}

void
rpc_client_free(RpcClient *client)
{
    if (!client)
        return;
    rpc_client_close(client);
    rpc_client_unref(client);
}

gboolean
rpc_client_is_open(RpcClient *client)
{
    gboolean open;

    qvirt_mutex_lock(&client->lock);
    open = !client->closed;
    qvirt_mutex_unlock(&client->lock);
    return open;
}

void
rpc_client_set_event_func(RpcClient *client, RpcClientEventFunc func, gpointer opaque)
{
    qvirt_mutex_lock(&client->lock);
    client->event_func = func;
    client->event_opaque = opaque;
    qvirt_mutex_unlock(&client->lock);
}

void
rpc_client_set_close_func(RpcClient *client, RpcClientCloseFunc func, gpointer opaque)
{
    qvirt_mutex_lock(&client->lock);
    client->close_func = func;
    client->close_opaque = opaque;
    qvirt_mutex_unlock(&client->lock);
}

int
rpc_client_start_keepalive(RpcClient *client, guint interval_ms, guint count)
{
    return rpc_conn_start_keepalive(client->conn, interval_ms, count);
}

/* ---- Calls ---- */

static void
rpc_client_set_error(const QvirtError *err)
{
    qvirt_error_set(err->domain, err->code, err->level, err->message);
}

int
rpc_client_call_with_fds(RpcClient *client, guint32 prog, int proc, const int *fds, size_t nfds,
                         xdrproc_t args_proc, void *args, xdrproc_t ret_proc, void *ret,
                         int **ret_fds, size_t *ret_nfds, gint64 timeout_ms)
{
    g_autoptr(RpcMessage) msg = rpc_message_new();
    g_autoptr(RpcMessage) reply = NULL;
    g_autoptr(QvirtError) err = NULL;
    RpcClientPending pending = {0};
    RpcHeader hdr = {
        .prog = prog,
        .vers = rpc_program_version(prog),
        .proc = proc,
        .type = nfds ? RPC_WIRE_CALL_WITH_FDS : RPC_WIRE_CALL,
        .status = RPC_WIRE_OK,
    };
    gint64 deadline = timeout_ms > 0 ? qvirt_deadline_after_ms(timeout_ms) : G_MAXINT64;
    gboolean timed_out = FALSE;

    if (qvirt_event_loop_is_current(client->loop)) {
        qvirt_report_internal(_("RPC calls cannot be made from the event loop thread"));
        return -1;
    }
    if (!rpc_program_is_known(prog)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unknown RPC program 0x%x"), prog);
        return -1;
    }
    for (size_t i = 0; i < nfds; i++) {
        int copy = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);

        if (copy < 0) {
            qvirt_report_system_error(errno, _("cannot duplicate descriptor %d"), fds[i]);
            return -1;
        }
        if (rpc_message_add_fd(msg, copy) < 0) {
            close(copy);
            return -1;
        }
    }

    qvirt_mutex_lock(&client->lock);
    if (client->closed) {
        err = qvirt_error_copy(client->close_error);
        qvirt_mutex_unlock(&client->lock);
        rpc_client_set_error(err);
        return -1;
    }
    /* Serials are never 0 (events use 0) and wrap after 2^32 - 1 calls. */
    if (++client->next_serial == 0)
        client->next_serial = 1;
    hdr.serial = client->next_serial;
    qvirt_mutex_unlock(&client->lock);

    if (rpc_message_encode(msg, &hdr, args_proc, args) < 0)
        return -1;

    pending.serial = hdr.serial;
    pending.prog = prog;
    pending.proc = proc;
    qvirt_mutex_lock(&client->lock);
    if (client->closed) {
        err = qvirt_error_copy(client->close_error);
        qvirt_mutex_unlock(&client->lock);
        rpc_client_set_error(err);
        return -1;
    }
    g_hash_table_insert(client->pending, GUINT_TO_POINTER(pending.serial), &pending);
    qvirt_mutex_unlock(&client->lock);

    if (rpc_conn_send(client->conn, g_steal_pointer(&msg)) < 0) {
        qvirt_mutex_lock(&client->lock);
        g_hash_table_remove(client->pending, GUINT_TO_POINTER(pending.serial));
        qvirt_mutex_unlock(&client->lock);
        return -1;
    }

    qvirt_mutex_lock(&client->lock);
    while (!pending.done) {
        if (!qvirt_cond_wait_until(&client->cond, &client->lock, deadline) && !pending.done) {
            g_hash_table_remove(client->pending, GUINT_TO_POINTER(pending.serial));
            timed_out = TRUE;
            break;
        }
    }
    reply = g_steal_pointer(&pending.reply);
    err = g_steal_pointer(&pending.error);
    qvirt_mutex_unlock(&client->lock);

    if (timed_out) {
        const RpcProcInfo *info = rpc_program_lookup(prog, proc);

        qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                           _("no reply to RPC procedure %s (%d) within %lld ms"),
                           info ? info->name : "?", proc, (long long)timeout_ms);
        return -1;
    }
    if (err) {
        rpc_client_set_error(err);
        return -1;
    }
    if (reply->header.status == RPC_WIRE_ERROR)
        return rpc_message_raise_error(reply);
    if (reply->header.status != RPC_WIRE_OK) {
        qvirt_report_error(QVIRT_ERR_RPC, _("unexpected status %d in the reply to procedure %d"),
                           (int)reply->header.status, proc);
        return -1;
    }
    if (rpc_message_decode_payload(reply, ret_proc, ret) < 0) {
        xdr_free(ret_proc, ret);
        return -1;
    }
    if (ret_nfds) {
        *ret_nfds = reply->nfds;
        *ret_fds = NULL;
        if (reply->nfds) {
            *ret_fds = g_new(int, reply->nfds);
            for (size_t i = 0; i < reply->nfds; i++)
                (*ret_fds)[i] = rpc_message_steal_fd(reply, i);
        }
    }
    return 0;
}

int
rpc_client_call(RpcClient *client, guint32 prog, int proc, xdrproc_t args_proc, void *args,
                xdrproc_t ret_proc, void *ret, gint64 timeout_ms)
{
    return rpc_client_call_with_fds(client, prog, proc, NULL, 0, args_proc, args, ret_proc, ret,
                                    NULL, NULL, timeout_ms);
}

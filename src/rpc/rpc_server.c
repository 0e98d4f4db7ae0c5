/* rpc_server.c: listeners, clients and call dispatch (the contract is in
 * rpc_server.h).
 *
 * How it keeps the contract:
 * - The loop thread accepts connections and receives messages. A CALL is
 *   checked there (known procedure, allowed on the listener) and either
 *   answered at once with an error reply or queued as an RpcServerCall on a
 *   pool; the pool thread decodes the arguments, runs the handler, encodes
 *   the reply and queues it on the client's connection.
 * - Per-client flow control: client->inflight counts queued and running
 *   calls; reaching max_client_requests pauses reading from that client,
 *   finishing a call below the limit resumes it.
 * - Lifetimes: the server holds a reference on each live client; each
 *   connection holds one on its client until it is torn down; each queued
 *   call holds one. Clients never outlive the server's use of them:
 *   rpc_server_free() closes every client, waits for the loop thread to
 *   finish the callback it may be running, then frees the pools, which
 *   runs every queued call. Lock order: server->lock, then client->lock,
 *   then the connection's lock. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "rpc/rpc_conn.h"
#include "rpc/rpc_server.h"
#include "rpc/rpc_socket.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"
#include "util/workerpool.h"

#define QVIRT_FROM_THIS QVIRT_FROM_RPC

QVIRT_LOG_INIT("rpc.server");

typedef struct {
    RpcServer *server;
    RpcSocket *sock;
    RpcTlsContext *tls;
    gboolean readonly;
    guint watch;
} RpcServerListener;

struct _RpcServer {
    QvirtEventLoop *loop;
    RpcServerConfig config;
    QvirtWorkerPool *workers;
    QvirtWorkerPool *prio_workers;

    QvirtMutex lock;
    GHashTable *procs; /* RpcServerProc* by (prog << 32 | proc) */
    GPtrArray *listeners;
    GHashTable *clients; /* id -> RpcServerClient* (one reference) */
    guint64 next_id;
    gboolean closing;
    RpcServerFeatureFunc feature_func;
    gpointer feature_opaque;
    RpcServerClientFunc connected_func;
    RpcServerClientFunc closed_func;
    gpointer client_opaque;
};

struct _RpcServerClient {
    gint refs;         /* atomic */
    RpcServer *server; /* not a reference: see the lifetimes above */
    guint64 id;
    gboolean readonly;
    RpcConn *conn;

    QvirtMutex lock;
    guint inflight;
    gboolean paused;
    gboolean gone; /* the closed function has run */
    gpointer priv;
    GDestroyNotify priv_free;
};

struct _RpcServerCall {
    RpcServerClient *client;
    RpcMessage *msg;
    RpcServerProc proc;
    GArray *reply_fds;
};

static void rpc_server_client_gone(RpcServerClient *client);

/* ---- Configuration and table ---- */

static guint64
rpc_server_proc_key(guint32 prog, int proc)
{
    return ((guint64)prog << 32) | (guint32)proc;
}

int
rpc_server_add_proc(RpcServer *server, const RpcServerProc *proc)
{
    RpcServerProc *copy;
    guint64 *key;

    if (!proc->handler || !proc->args_proc || !proc->ret_proc) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("procedure %d of program 0x%x needs a handler and XDR functions"),
                           proc->proc, proc->prog);
        return -1;
    }
    if (!rpc_program_is_known(proc->prog)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unknown RPC program 0x%x"), proc->prog);
        return -1;
    }
    copy = g_memdup2(proc, sizeof(*proc));
    key = g_new(guint64, 1);
    *key = rpc_server_proc_key(proc->prog, proc->proc);
    qvirt_mutex_lock(&server->lock);
    g_hash_table_replace(server->procs, key, copy);
    qvirt_mutex_unlock(&server->lock);
    return 0;
}

int
rpc_server_add_handler(RpcServer *server, guint32 prog, int proc, RpcServerHandler handler,
                       gpointer opaque)
{
    const RpcProcInfo *info = rpc_program_lookup(prog, proc);
    RpcServerProc entry;

    if (!info || (info->flags & RPC_PROC_EVENT)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("procedure %d of program 0x%x is not a call qvirt knows"), proc, prog);
        return -1;
    }
    entry = (RpcServerProc){
        .prog = prog,
        .proc = proc,
        .handler = handler,
        .args_proc = info->args_proc,
        .args_size = info->args_size,
        .ret_proc = info->ret_proc,
        .ret_size = info->ret_size,
        .flags = info->flags,
        .opaque = opaque,
    };
    return rpc_server_add_proc(server, &entry);
}

/* A copy of the entry for PROG/PROC, FALSE when there is none. */
static gboolean
rpc_server_find_proc(RpcServer *server, guint32 prog, int proc, RpcServerProc *ret_proc)
{
    guint64 key = rpc_server_proc_key(prog, proc);
    RpcServerProc *entry;

    qvirt_mutex_lock(&server->lock);
    entry = g_hash_table_lookup(server->procs, &key);
    if (entry)
        *ret_proc = *entry;
    qvirt_mutex_unlock(&server->lock);
    return entry != NULL;
}

void
rpc_server_set_feature_func(RpcServer *server, RpcServerFeatureFunc func, gpointer opaque)
{
    qvirt_mutex_lock(&server->lock);
    server->feature_func = func;
    server->feature_opaque = opaque;
    qvirt_mutex_unlock(&server->lock);
}

void
rpc_server_set_client_funcs(RpcServer *server, RpcServerClientFunc connected,
                            RpcServerClientFunc closed, gpointer opaque)
{
    qvirt_mutex_lock(&server->lock);
    server->connected_func = connected;
    server->closed_func = closed;
    server->client_opaque = opaque;
    qvirt_mutex_unlock(&server->lock);
}

/* ---- Clients ---- */

RpcServerClient *
rpc_server_client_ref(RpcServerClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

void
rpc_server_client_unref(RpcServerClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    if (client->priv_free && client->priv)
        client->priv_free(client->priv);
    rpc_conn_unref(client->conn);
    qvirt_mutex_clear(&client->lock);
    g_free(client);
}

static void
rpc_server_client_unref_cb(gpointer opaque)
{
    rpc_server_client_unref(opaque);
}

guint64
rpc_server_client_get_id(RpcServerClient *client)
{
    return client->id;
}

gboolean
rpc_server_client_is_readonly(RpcServerClient *client)
{
    return client->readonly;
}

gboolean
rpc_server_client_is_secure(RpcServerClient *client)
{
    RpcSocket *sock = rpc_conn_get_socket(client->conn);

    return rpc_socket_is_unix(sock) || rpc_socket_get_tls(sock) != NULL;
}

int
rpc_server_client_get_peer_creds(RpcServerClient *client, uid_t *ret_uid, gid_t *ret_gid,
                                 pid_t *ret_pid)
{
    return rpc_socket_get_peer_creds(rpc_conn_get_socket(client->conn), ret_uid, ret_gid, ret_pid);
}

char *
rpc_server_client_get_tls_dn(RpcServerClient *client)
{
    RpcTlsSession *tls = rpc_socket_get_tls(rpc_conn_get_socket(client->conn));

    return tls ? rpc_tls_session_get_peer_dn(tls) : NULL;
}

void
rpc_server_client_set_private(RpcServerClient *client, gpointer data, GDestroyNotify free_func)
{
    gpointer old;
    GDestroyNotify old_free;

    qvirt_mutex_lock(&client->lock);
    old = client->priv;
    old_free = client->priv_free;
    client->priv = data;
    client->priv_free = free_func;
    qvirt_mutex_unlock(&client->lock);
    if (old_free && old)
        old_free(old);
}

gpointer
rpc_server_client_get_private(RpcServerClient *client)
{
    gpointer data;

    qvirt_mutex_lock(&client->lock);
    data = client->priv;
    qvirt_mutex_unlock(&client->lock);
    return data;
}

int
rpc_server_client_send_event(RpcServerClient *client, guint32 prog, int proc, xdrproc_t proc_xdr,
                             void *data)
{
    g_autoptr(RpcMessage) msg = rpc_message_new();
    RpcHeader hdr = {
        .prog = prog,
        .vers = rpc_program_version(prog),
        .proc = proc,
        .type = RPC_WIRE_MESSAGE,
        .serial = 0,
        .status = RPC_WIRE_OK,
    };

    if (rpc_message_encode(msg, &hdr, proc_xdr, data) < 0)
        return -1;
    return rpc_conn_send(client->conn, g_steal_pointer(&msg));
}

int
rpc_server_client_start_keepalive(RpcServerClient *client)
{
    RpcServer *server = client->server;

    return rpc_conn_start_keepalive(client->conn, server->config.keepalive_interval_ms,
                                    server->config.keepalive_count);
}

void
rpc_server_client_close(RpcServerClient *client)
{
    rpc_conn_close(client->conn);
    rpc_server_client_gone(client);
}

gboolean
rpc_server_client_is_closed(RpcServerClient *client)
{
    return rpc_conn_is_closed(client->conn);
}

/* The client ended: take it off the list and tell the layer above, once. */
static void
rpc_server_client_gone(RpcServerClient *client)
{
    RpcServer *server = client->server;
    RpcServerClientFunc closed_func;
    gpointer opaque;
    gboolean first;

    qvirt_mutex_lock(&client->lock);
    first = !client->gone;
    client->gone = TRUE;
    qvirt_mutex_unlock(&client->lock);
    if (!first)
        return;

    QVIRT_DEBUG("client %" G_GUINT64_FORMAT " is gone", client->id);
    qvirt_mutex_lock(&server->lock);
    closed_func = server->closed_func;
    opaque = server->client_opaque;
    /* Drops the server's reference (the caller holds another). */
    g_hash_table_remove(server->clients, &client->id);
    qvirt_mutex_unlock(&server->lock);
    if (closed_func)
        closed_func(client, opaque);
}

/* ---- Calls ---- */

RpcServerClient *
rpc_server_call_get_client(RpcServerCall *call)
{
    return call->client;
}

const RpcHeader *
rpc_server_call_get_header(RpcServerCall *call)
{
    return &call->msg->header;
}

size_t
rpc_server_call_get_nfds(RpcServerCall *call)
{
    return call->msg->nfds;
}

int
rpc_server_call_steal_fd(RpcServerCall *call, size_t index)
{
    return rpc_message_steal_fd(call->msg, index);
}

int
rpc_server_call_add_reply_fd(RpcServerCall *call, int fd)
{
    if (fd < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid descriptor %d for a reply"), fd);
        return -1;
    }
    if (!call->reply_fds)
        call->reply_fds = g_array_new(FALSE, FALSE, sizeof(int));
    if (call->reply_fds->len >= RPC_WIRE_NUM_FDS_MAX) {
        qvirt_report_error(QVIRT_ERR_RPC, _("a reply carries at most %d descriptors"),
                           RPC_WIRE_NUM_FDS_MAX);
        return -1;
    }
    g_array_append_val(call->reply_fds, fd);
    return 0;
}

static void
rpc_server_call_free(RpcServerCall *call)
{
    if (!call)
        return;
    if (call->reply_fds) {
        for (guint i = 0; i < call->reply_fds->len; i++)
            close(g_array_index(call->reply_fds, int, i));
        g_array_free(call->reply_fds, TRUE);
    }
    rpc_message_free(call->msg);
    rpc_server_client_unref(call->client);
    g_free(call);
}

/* A call of CLIENT ended (answered or dropped): resume reading below the
 * limit. */
static void
rpc_server_client_call_done(RpcServerClient *client)
{
    gboolean resume;

    /* The connection is paused and resumed under client->lock, so that
     * its state always matches client->paused. */
    qvirt_mutex_lock(&client->lock);
    client->inflight--;
    resume = client->paused && client->inflight < client->server->config.max_client_requests;
    if (resume) {
        client->paused = FALSE;
        rpc_conn_set_read_paused(client->conn, FALSE);
    }
    qvirt_mutex_unlock(&client->lock);
}

/* Queue the error reply to HDR with CODE and MESSAGE on CLIENT. */
static void
rpc_server_send_error(RpcServerClient *client, const RpcHeader *hdr, int code, const char *message)
{
    QvirtError err = {
        .code = code,
        .domain = QVIRT_FROM_RPC,
        .level = QVIRT_ERR_LEVEL_ERROR,
        .message = (char *)message,
    };
    RpcMessage *reply = rpc_message_new();

    QVIRT_DEBUG("client %" G_GUINT64_FORMAT ": error reply to serial %u: %s", client->id,
                hdr->serial, message);
    rpc_message_encode_error(reply, hdr, &err);
    if (rpc_conn_send(client->conn, reply) < 0)
        qvirt_error_reset();
}

/* Pool thread: run CALL and send its reply. */
static void
rpc_server_run_call(gpointer job, gpointer pool_opaque)
{
    RpcServerCall *call = job;
    RpcServerProc *proc = &call->proc;
    RpcServerClient *client = call->client;
    const RpcHeader *hdr = &call->msg->header;
    g_autofree void *args = g_malloc0(MAX(proc->args_size, 1));
    g_autofree void *ret = g_malloc0(MAX(proc->ret_size, 1));
    g_autoptr(RpcMessage) reply = rpc_message_new();
    int rc;

    qvirt_error_reset();
    rc = rpc_message_decode_payload(call->msg, proc->args_proc, args);
    if (rc == 0 && !rpc_server_client_is_closed(client))
        rc = proc->handler(call, args, ret, proc->opaque);
    else if (rc == 0)
        rc = -1; /* nobody to answer */

    if (rc == 0) {
        RpcHeader rhdr = *hdr;

        if (call->reply_fds) {
            for (guint i = 0; i < call->reply_fds->len; i++)
                rpc_message_add_fd(reply, g_array_index(call->reply_fds, int, i));
            g_array_set_size(call->reply_fds, 0);
        }
        rhdr.type = reply->nfds ? RPC_WIRE_REPLY_WITH_FDS : RPC_WIRE_REPLY;
        rhdr.status = RPC_WIRE_OK;
        if (rpc_message_encode(reply, &rhdr, proc->ret_proc, ret) < 0)
            rc = -1;
    }
    if (rc < 0)
        rpc_message_encode_error(reply, hdr, NULL);
    xdr_free(proc->args_proc, args);
    xdr_free(proc->ret_proc, ret);

    if (rpc_conn_send(client->conn, g_steal_pointer(&reply)) < 0)
        qvirt_error_reset();
    rpc_server_client_call_done(client);
    rpc_server_call_free(call);
}

/* Loop thread: a CALL arrived. Returns FALSE when it breaks the protocol. */
static gboolean
rpc_server_client_dispatch_call(RpcServerClient *client, RpcMessage *msg)
{
    RpcServer *server = client->server;
    RpcServerCall *call;
    RpcServerProc proc;
    QvirtWorkerPool *pool;
    gboolean pause;
    const RpcHeader *hdr = &msg->header;

    if (hdr->status != RPC_WIRE_OK) {
        qvirt_report_error(QVIRT_ERR_RPC, _("client sent a call with status %d"), (int)hdr->status);
        rpc_message_free(msg);
        return FALSE;
    }
    if (!rpc_server_find_proc(server, hdr->prog, hdr->proc, &proc)) {
        g_autofree char *text = g_strdup_printf(_("unknown procedure: %d"), hdr->proc);

        rpc_server_send_error(client, hdr, QVIRT_ERR_NO_SUPPORT, text);
        rpc_message_free(msg);
        return TRUE;
    }
    if (client->readonly && !(proc.flags & RPC_PROC_READONLY_OK)) {
        const RpcProcInfo *info = rpc_program_lookup(hdr->prog, hdr->proc);
        g_autofree char *text = NULL;

        if (info)
            text = g_strdup_printf(_("procedure %s is not allowed on a read-only connection"),
                                   info->name);
        else
            text = g_strdup_printf(_("procedure %d is not allowed on a read-only connection"),
                                   hdr->proc);
        rpc_server_send_error(client, hdr, QVIRT_ERR_OPERATION_DENIED, text);
        rpc_message_free(msg);
        return TRUE;
    }

    call = g_new0(RpcServerCall, 1);
    call->client = rpc_server_client_ref(client);
    call->msg = msg;
    call->proc = proc;

    qvirt_mutex_lock(&client->lock);
    client->inflight++;
    pause = !client->paused && client->inflight >= server->config.max_client_requests;
    if (pause) {
        client->paused = TRUE;
        rpc_conn_set_read_paused(client->conn, TRUE);
    }
    qvirt_mutex_unlock(&client->lock);
    if (pause)
        QVIRT_DEBUG("client %" G_GUINT64_FORMAT " has %u calls in progress: pausing it", client->id,
                    server->config.max_client_requests);

    pool = (proc.flags & RPC_PROC_PRIORITY) ? server->prio_workers : server->workers;
    if (qvirt_worker_pool_push(pool, call) < 0) {
        rpc_server_send_error(client, hdr, qvirt_error_last_code(), qvirt_error_last_message());
        qvirt_error_reset();
        rpc_server_client_call_done(client);
        rpc_server_call_free(call);
    }
    return TRUE;
}

/* Loop thread: a message from a client. */
static gboolean
rpc_server_client_message(RpcConn *conn, RpcMessage *msg, gpointer opaque)
{
    RpcServerClient *client = opaque;

    switch ((int)msg->header.type) {
    case RPC_WIRE_CALL:
    case RPC_WIRE_CALL_WITH_FDS:
        return rpc_server_client_dispatch_call(client, msg);
    default:
        qvirt_report_error(QVIRT_ERR_RPC, _("unexpected %s message from client %" G_GUINT64_FORMAT),
                           rpc_message_type_to_string(msg->header.type), client->id);
        rpc_message_free(msg);
        return FALSE;
    }
}

static void
rpc_server_client_closed(RpcConn *conn, const QvirtError *err, gpointer opaque)
{
    RpcServerClient *client = opaque;

    if (err)
        QVIRT_INFO("client %" G_GUINT64_FORMAT " dropped: %s", client->id, err->message);
    rpc_server_client_gone(client);
}

static const RpcConnCallbacks rpc_server_client_callbacks = {
    .message = rpc_server_client_message,
    .closed = rpc_server_client_closed,
};

/* ---- Listeners ---- */

/* Loop thread: set up a client on SOCK (taken). */
static void
rpc_server_accept_one(RpcServerListener *listener, RpcSocket *sock)
{
    RpcServer *server = listener->server;
    RpcServerClient *client;
    RpcServerClientFunc connected_func;
    gpointer opaque;
    guint count;

    qvirt_mutex_lock(&server->lock);
    count = g_hash_table_size(server->clients);
    qvirt_mutex_unlock(&server->lock);
    if (count >= server->config.max_clients) {
        QVIRT_WARN("refusing a connection from %s: already %u clients",
                   rpc_socket_get_peer_name(sock), count);
        rpc_socket_free(sock);
        return;
    }
    if (listener->tls) {
        RpcTlsSession *tls = rpc_tls_session_new(listener->tls, rpc_socket_get_fd(sock), NULL);

        if (!tls) {
            QVIRT_WARN("refusing a connection from %s: %s", rpc_socket_get_peer_name(sock),
                       qvirt_error_last_message());
            qvirt_error_reset();
            rpc_socket_free(sock);
            return;
        }
        rpc_socket_set_tls(sock, tls);
    }

    client = g_new0(RpcServerClient, 1);
    client->refs = 1;
    client->server = server;
    client->readonly = listener->readonly;
    qvirt_mutex_init(&client->lock);
    qvirt_mutex_lock(&server->lock);
    client->id = ++server->next_id;
    qvirt_mutex_unlock(&server->lock);

    client->conn = rpc_conn_new(server->loop, sock, &rpc_server_client_callbacks,
                                rpc_server_client_ref(client), rpc_server_client_unref_cb);
    if (!client->conn) {
        QVIRT_WARN("cannot serve a connection: %s", qvirt_error_last_message());
        qvirt_error_reset();
        rpc_server_client_unref(client); /* the reference the connection did not take */
        rpc_server_client_unref(client);
        return;
    }
    QVIRT_DEBUG("client %" G_GUINT64_FORMAT " connected from %s%s", client->id,
                rpc_socket_get_peer_name(sock), client->readonly ? " (read-only)" : "");

    qvirt_mutex_lock(&server->lock);
    g_hash_table_insert(server->clients, &client->id, client); /* takes our reference */
    connected_func = server->connected_func;
    opaque = server->client_opaque;
    qvirt_mutex_unlock(&server->lock);
    if (connected_func)
        connected_func(client, opaque);
}

static gboolean
rpc_server_listener_io(int fd, GIOCondition revents, gpointer opaque)
{
    RpcServerListener *listener = opaque;

    for (;;) {
        RpcSocket *sock = NULL;
        int rc = rpc_socket_accept(listener->sock, &sock);

        if (rc == RPC_IO_AGAIN)
            break;
        if (rc < 0) {
            QVIRT_WARN("%s", qvirt_error_last_message());
            qvirt_error_reset();
            break;
        }
        rpc_server_accept_one(listener, sock);
    }
    return G_SOURCE_CONTINUE;
}

static void
rpc_server_listener_free(RpcServerListener *listener)
{
    if (!listener)
        return;
    qvirt_event_loop_remove(listener->server->loop, listener->watch);
    rpc_socket_free(listener->sock);
    rpc_tls_context_unref(listener->tls);
    g_free(listener);
}

static int
rpc_server_add_listener(RpcServer *server, RpcSocket *sock, RpcTlsContext *tls, gboolean readonly)
{
    RpcServerListener *listener = g_new0(RpcServerListener, 1);

    listener->server = server;
    listener->sock = sock;
    listener->tls = tls ? rpc_tls_context_ref(tls) : NULL;
    listener->readonly = readonly;
    listener->watch = qvirt_event_loop_add_fd_watch(server->loop, rpc_socket_get_fd(sock), G_IO_IN,
                                                    rpc_server_listener_io, listener, NULL);
    if (listener->watch == 0) {
        rpc_server_listener_free(listener);
        return -1;
    }
    qvirt_mutex_lock(&server->lock);
    g_ptr_array_add(server->listeners, listener);
    qvirt_mutex_unlock(&server->lock);
    return 0;
}

int
rpc_server_add_unix_listener(RpcServer *server, const char *path, mode_t mode, gboolean readonly)
{
    RpcSocket *sock = rpc_socket_listen_unix(path, mode);

    if (!sock)
        return -1;
    return rpc_server_add_listener(server, sock, NULL, readonly);
}

int
rpc_server_add_tls_listener(RpcServer *server, const char *host, const char *service,
                            RpcTlsContext *tls, gboolean readonly, int *ret_port)
{
    RpcSocket *sock;
    int port;

    if (!tls || !rpc_tls_context_is_server(tls)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("a TLS listener needs a server TLS context"));
        return -1;
    }
    sock = rpc_socket_listen_tcp(host, service);
    if (!sock)
        return -1;
    port = rpc_socket_get_port(sock);
    if (rpc_server_add_listener(server, sock, tls, readonly) < 0)
        return -1;
    if (ret_port)
        *ret_port = port;
    return 0;
}

guint
rpc_server_get_client_count(RpcServer *server)
{
    guint count;

    qvirt_mutex_lock(&server->lock);
    count = g_hash_table_size(server->clients);
    qvirt_mutex_unlock(&server->lock);
    return count;
}

/* ---- Built-in procedures ---- */

static int
rpc_server_auth_list(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    remote_auth_list_ret *r = ret;

    r->types.types_len = 1;
    r->types.types_val = g_new0(remote_auth_type, 1);
    r->types.types_val[0] = REMOTE_AUTH_NONE;
    return 0;
}

static int
rpc_server_supports_feature(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    RpcServer *server = opaque;
    RpcServerClient *client = call->client;
    remote_connect_supports_feature_args *a = args;
    remote_connect_supports_feature_ret *r = ret;
    RpcServerFeatureFunc func;
    gpointer func_opaque;
    int supported = 0;

    switch (a->feature) {
    case RPC_FEATURE_PROGRAM_KEEPALIVE:
        if (rpc_server_client_start_keepalive(client) < 0)
            return -1;
        supported = 1;
        break;
    case RPC_FEATURE_FD_PASSING:
        supported = rpc_socket_is_unix(rpc_conn_get_socket(client->conn)) ? 1 : 0;
        break;
    default:
        qvirt_mutex_lock(&server->lock);
        func = server->feature_func;
        func_opaque = server->feature_opaque;
        qvirt_mutex_unlock(&server->lock);
        if (func) {
            supported = func(client, a->feature, func_opaque);
            if (supported < 0)
                return -1;
        }
        break;
    }
    r->supported = supported ? 1 : 0;
    return 0;
}

/* ---- The server ---- */

static void
rpc_server_call_free_cb(gpointer job)
{
    RpcServerCall *call = job;
    RpcServerClient *client = call->client;

    rpc_server_client_call_done(client);
    rpc_server_call_free(call);
}

RpcServer *
rpc_server_new(QvirtEventLoop *loop, const RpcServerConfig *config)
{
    RpcServer *server = g_new0(RpcServer, 1);
    RpcServerConfig *c = &server->config;

    server->loop = loop;
    if (config)
        *c = *config;
    if (!c->max_clients)
        c->max_clients = 5000;
    if (!c->max_client_requests)
        c->max_client_requests = 5;
    if (!c->workers)
        c->workers = 20;
    if (!c->priority_workers)
        c->priority_workers = 5;
    if (!c->keepalive_interval_ms)
        c->keepalive_interval_ms = 5000;
    if (!c->keepalive_count)
        c->keepalive_count = 5;

    qvirt_mutex_init(&server->lock);
    server->procs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    server->listeners = g_ptr_array_new();
    server->clients =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, rpc_server_client_unref_cb);
    server->workers = qvirt_worker_pool_new("rpc-workers", c->workers, rpc_server_run_call, server);
    server->prio_workers =
        qvirt_worker_pool_new("rpc-priority", c->priority_workers, rpc_server_run_call, server);
    if (!server->workers || !server->prio_workers)
        g_error("cannot create the RPC worker pools: %s", qvirt_error_last_message());
    qvirt_worker_pool_set_job_free(server->workers, rpc_server_call_free_cb);
    qvirt_worker_pool_set_job_free(server->prio_workers, rpc_server_call_free_cb);

    rpc_server_add_handler(server, REMOTE_PROGRAM, REMOTE_PROC_AUTH_LIST, rpc_server_auth_list,
                           server);
    rpc_server_add_handler(server, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                           rpc_server_supports_feature, server);
    return server;
}

static gboolean
rpc_server_sync_cb(gpointer opaque)
{
    return G_SOURCE_REMOVE;
}

void
rpc_server_free(RpcServer *server)
{
    g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func(rpc_server_client_unref_cb);
    GHashTableIter iter;
    gpointer value;

    if (!server)
        return;
    qvirt_mutex_lock(&server->lock);
    server->closing = TRUE;
    qvirt_mutex_unlock(&server->lock);

    /* No new clients: removing a watch waits for its callback. */
    for (guint i = 0; i < server->listeners->len; i++)
        rpc_server_listener_free(g_ptr_array_index(server->listeners, i));
    g_ptr_array_set_size(server->listeners, 0);

    qvirt_mutex_lock(&server->lock);
    g_hash_table_iter_init(&iter, server->clients);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(clients, rpc_server_client_ref(value));
    qvirt_mutex_unlock(&server->lock);
    for (guint i = 0; i < clients->len; i++)
        rpc_server_client_close(g_ptr_array_index(clients, i));

    /* A message callback may still have been running on the loop thread;
     * once this returns it has finished, and no other can start. */
    qvirt_event_loop_invoke_sync(server->loop, rpc_server_sync_cb, NULL);

    /* Runs every queued call (their replies go nowhere). */
    qvirt_worker_pool_free(server->prio_workers, TRUE);
    qvirt_worker_pool_free(server->workers, TRUE);

    g_hash_table_destroy(server->clients);
    g_hash_table_destroy(server->procs);
    g_ptr_array_free(server->listeners, TRUE);
    qvirt_mutex_clear(&server->lock);
    g_free(server);
}

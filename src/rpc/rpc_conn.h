/* rpc_conn.h: one RPC connection driven by the event loop: incremental
 * reading of packets (length first, then the rest, then any descriptors), a
 * write queue any thread may add to, the TLS handshake, and keepalive.
 * Both the server (one per client) and the client use it.
 *
 * Contract:
 * - The socket is read only on the loop thread, and written there, except
 *   that a sender may write its message at once on a plain socket when
 *   nothing is queued before it (see rpc_conn.c). Complete
 *   messages go to callbacks.message on the loop thread, in order; messages
 *   of the KEEPALIVE program never reach it (PING is answered here).
 * - rpc_conn_send() may be called from any thread; messages are written in
 *   the order they were queued, each with its descriptors.
 * - A connection that ends by itself (end of file, I/O error, a malformed
 *   packet, a message callback returning FALSE, a failed TLS handshake, a
 *   keepalive timeout) calls callbacks.closed once, on the loop thread, with
 *   the error (NULL at a clean end of file). rpc_conn_close() ends it
 *   without that call. After rpc_conn_close() returns no callback starts any
 *   more (one already running on the loop thread may finish).
 * - Either way, once closed, queued messages are dropped, sends fail, and
 *   the owner's opaque is released (opaque_free) on the loop thread when no
 *   callback can run any more; the socket is closed with the last reference.
 * - Flow control: while reading is paused (rpc_conn_set_read_paused) nothing
 *   is read, so a peer that keeps sending is held back by the socket.
 * - The queue of outgoing messages is not bounded. */
#pragma once

#include <glib.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_socket.h"
#include "util/eventloop.h"

typedef struct _RpcConn RpcConn;

typedef struct {
    /* A complete message; takes MSG. Return FALSE after reporting an error
     * to close the connection as broken. */
    gboolean (*message)(RpcConn *conn, RpcMessage *msg, gpointer opaque);
    /* The connection ended by itself (see the contract); ERR is NULL at a
     * clean end of file. Optional. */
    void (*closed)(RpcConn *conn, const QvirtError *err, gpointer opaque);
    /* The TLS handshake completed (immediately for a plain socket: not
     * called). Optional. */
    void (*ready)(RpcConn *conn, gpointer opaque);
} RpcConnCallbacks;

/* Start driving SOCK (taken, freed on failure too) on LOOP. CALLBACKS must
 * outlive the connection; OPAQUE is released with OPAQUE_FREE as described
 * above, and stays the caller's when this fails. Returns NULL with an error
 * reported. */
RpcConn *rpc_conn_new(QvirtEventLoop *loop, RpcSocket *sock, const RpcConnCallbacks *callbacks,
                      gpointer opaque, GDestroyNotify opaque_free);

RpcConn *rpc_conn_ref(RpcConn *conn);
void rpc_conn_unref(RpcConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcConn, rpc_conn_unref)

/* Queue MSG (taken, an encoded packet) for sending. Returns 0, or -1 with
 * an error reported when the connection is closed (MSG is freed). */
int rpc_conn_send(RpcConn *conn, RpcMessage *msg);

/* End the connection now (see the contract). Any thread; idempotent. */
void rpc_conn_close(RpcConn *conn);
gboolean rpc_conn_is_closed(RpcConn *conn);
/* Whether the TLS handshake is done (always TRUE without TLS). */
gboolean rpc_conn_is_ready(RpcConn *conn);

/* Stop or resume reading from the peer. Any thread. */
void rpc_conn_set_read_paused(RpcConn *conn, gboolean paused);

/* Send PINGs every INTERVAL_MS while the peer is silent and close the
 * connection after COUNT unanswered ones (see rpc_keepalive.h). Starting
 * again replaces the settings. Returns 0, or -1 with an error reported. */
int rpc_conn_start_keepalive(RpcConn *conn, guint interval_ms, guint count);
gboolean rpc_conn_has_keepalive(RpcConn *conn);

/* The socket, e.g. for peer credentials; valid while CONN is referenced. */
RpcSocket *rpc_conn_get_socket(RpcConn *conn);
QvirtEventLoop *rpc_conn_get_loop(RpcConn *conn);

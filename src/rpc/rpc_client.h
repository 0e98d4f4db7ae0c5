/* rpc_client.h: the client side of RPC: one connection to a server, calls
 * that wait for their reply with a deadline, events and keepalive. The
 * client library (the remote driver) is built on it.
 *
 * Contract:
 * - Calls may be made from any thread except the event loop's, several at
 *   once; each gets a fresh serial and the reply with that serial. A call
 *   returns 0 with the reply decoded, or -1 with the thread's error set:
 *   the server's error for an error reply (its code, domain and message),
 *   OPERATION_TIMEOUT when no reply came before the deadline (a late reply
 *   is then dropped), QVIRT_ERR_RPC when the connection is or gets closed
 *   (every waiting call fails at once when the server goes away).
 * - MESSAGEs from the server (events) go to the event function on the
 *   loop thread, in order. It must not make calls on the same client (they
 *   would wait for the loop thread): hand the event to another thread.
 *   PINGs are answered by the connection itself.
 * - The close function runs once, on the loop thread, when the connection
 *   ends by itself (not after rpc_client_close()).
 * - rpc_client_free() closes the connection; calls still waiting fail. */
#pragma once

#include <glib.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_socket.h"
#include "rpc/rpc_tls.h"
#include "util/eventloop.h"

typedef struct _RpcClient RpcClient;

/* An event (MSG is borrowed: decode it with rpc_message_decode_payload). */
typedef void (*RpcClientEventFunc)(RpcClient *client, RpcMessage *msg, gpointer opaque);
/* The connection ended by itself; ERR is NULL at a clean end of file. */
typedef void (*RpcClientCloseFunc)(RpcClient *client, const QvirtError *err, gpointer opaque);

RpcClient *rpc_client_open_unix(QvirtEventLoop *loop, const char *path);
/* Connect to HOST:SERVICE and complete the TLS handshake (verifying the
 * server against TLS's CA and HOST) before TIMEOUT_MS. */
RpcClient *rpc_client_open_tls(QvirtEventLoop *loop, const char *host, const char *service,
                               RpcTlsContext *tls, gint64 timeout_ms);
/* Run over SOCK (taken, freed on failure too): any connected stream. */
RpcClient *rpc_client_open_socket(QvirtEventLoop *loop, RpcSocket *sock);

void rpc_client_free(RpcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcClient, rpc_client_free)

/* Set these before the first call; FUNC may be NULL. */
void rpc_client_set_event_func(RpcClient *client, RpcClientEventFunc func, gpointer opaque);
void rpc_client_set_close_func(RpcClient *client, RpcClientCloseFunc func, gpointer opaque);

/* Call PROC of PROG with ARGS (encoded by ARGS_PROC; RPC_XDR_VOID and NULL for
 * none) and decode the reply into RET (zeroed storage for RET_PROC; free
 * its contents with xdr_free). TIMEOUT_MS <= 0 means no deadline. */
int rpc_client_call(RpcClient *client, guint32 prog, int proc, xdrproc_t args_proc, void *args,
                    xdrproc_t ret_proc, void *ret, gint64 timeout_ms);

/* The same, sending NFDS descriptors FDS (the caller keeps them; copies are
 * sent) and receiving the descriptors of the reply into *ret_fds (g_free'd
 * array, may be NULL when *ret_nfds is 0; both may be NULL to close them). */
int rpc_client_call_with_fds(RpcClient *client, guint32 prog, int proc, const int *fds, size_t nfds,
                             xdrproc_t args_proc, void *args, xdrproc_t ret_proc, void *ret,
                             int **ret_fds, size_t *ret_nfds, gint64 timeout_ms);

/* PING the server while it is silent (see rpc_keepalive.h). */
int rpc_client_start_keepalive(RpcClient *client, guint interval_ms, guint count);

/* Whether the connection is up. */
gboolean rpc_client_is_open(RpcClient *client);
/* Close the connection (waiting calls fail); idempotent. */
void rpc_client_close(RpcClient *client);

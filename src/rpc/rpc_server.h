/* rpc_server.h: the server side of RPC: listeners, clients, the dispatch
 * table and the worker pools that run calls.
 *
 * Contract:
 * - Listeners: UNIX sockets (path, mode) and TCP with TLS (client
 *   certificates required), each read-write or read-only. A read-only
 *   listener refuses every procedure without RPC_PROC_READONLY_OK with
 *   OPERATION_DENIED.
 * - The dispatch table maps (program, procedure) to a handler with the XDR
 *   functions and sizes of its arguments and reply and its flags. A CALL
 *   for a procedure not in the table gets an error reply NO_SUPPORT
 *   "unknown procedure: N"; the client stays connected.
 * - Calls run on the worker pool, or on the priority pool for procedures
 *   with RPC_PROC_PRIORITY. The reply carries the call's serial. A handler
 *   returns 0 with its reply filled in, or -1 with the thread's error set,
 *   which the client receives as an error reply.
 * - Limits: at most max_clients clients (one more is accepted and closed at
 *   once); at most max_client_requests calls of one client in progress;
 *   while a client is at that limit, nothing more is read from it, so its
 *   further calls wait in the socket until one finishes (they are not
 *   refused). Packets are at most 32 MiB.
 * - A malformed packet (bad length, unknown program, version, type or
 *   status, a truncated packet) closes that client only.
 * - Built in: AUTH_LIST answers [REMOTE_AUTH_NONE]; SUPPORTS_FEATURE answers
 *   PROGRAM_KEEPALIVE (10) with 1 and starts keepalive on that client (the
 *   server then PINGs it), FD_PASSING (8) with 1 on UNIX sockets, and any
 *   other feature through the feature function (0 without one). Both can be
 *   replaced with rpc_server_add_proc().
 * - Thread safety: every function may be called from any thread, except
 *   rpc_server_free(), which must not run on the event loop's thread nor in
 *   a handler. Handlers run on pool threads, several at once. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_program.h"
#include "rpc/rpc_tls.h"
#include "util/eventloop.h"

typedef struct _RpcServer RpcServer;
typedef struct _RpcServerClient RpcServerClient;
typedef struct _RpcServerCall RpcServerCall;

/* Run one call: ARGS holds the decoded arguments, RET is zeroed storage for
 * the reply (its contents are freed with xdr_free after sending, so strings
 * and arrays must come from malloc/g_malloc). */
typedef int (*RpcServerHandler)(RpcServerCall *call, void *args, void *ret, gpointer opaque);

typedef struct {
    guint32 prog;
    int proc;
    RpcServerHandler handler;
    xdrproc_t args_proc; /* RPC_XDR_VOID for none */
    size_t args_size;
    xdrproc_t ret_proc; /* RPC_XDR_VOID for none */
    size_t ret_size;
    unsigned int flags; /* RpcProcFlags */
    gpointer opaque;    /* handed to the handler */
} RpcServerProc;

/* Whether a driver feature (SUPPORTS_FEATURE) is supported for CLIENT:
 * 1 or 0, or -1 with an error set (sent as the reply). */
typedef int (*RpcServerFeatureFunc)(RpcServerClient *client, int feature, gpointer opaque);
/* A client connected / is gone (end of file, error, or closed by us): called
 * once each, on the event loop's thread or the closing thread. */
typedef void (*RpcServerClientFunc)(RpcServerClient *client, gpointer opaque);

typedef struct {
    guint max_clients;           /* 0: 5000 */
    guint max_client_requests;   /* 0: 5 */
    guint workers;               /* 0: 20 */
    guint priority_workers;      /* 0: 5 */
    guint keepalive_interval_ms; /* 0: 5000 */
    guint keepalive_count;       /* 0: 5 */
} RpcServerConfig;

/* Driver features asked through SUPPORTS_FEATURE (virDrvFeature). */
#define RPC_FEATURE_FD_PASSING 8
#define RPC_FEATURE_PROGRAM_KEEPALIVE 10

/* CONFIG may be NULL for the defaults. LOOP must outlive the server. Never
 * fails. */
RpcServer *rpc_server_new(QvirtEventLoop *loop, const RpcServerConfig *config);
/* Close every listener and client, wait for calls in progress to end, free.
 * NULL is accepted. */
void rpc_server_free(RpcServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcServer, rpc_server_free)

/* Add or replace an entry of the dispatch table. Returns 0, or -1 with an
 * error reported (no handler, a size without an XDR function). */
int rpc_server_add_proc(RpcServer *server, const RpcServerProc *proc);
/* Add HANDLER for a procedure of the catalog (rpc_program.h), with the
 * catalog's types and flags. -1 with an error when it is not there. */
int rpc_server_add_handler(RpcServer *server, guint32 prog, int proc, RpcServerHandler handler,
                           gpointer opaque);

void rpc_server_set_feature_func(RpcServer *server, RpcServerFeatureFunc func, gpointer opaque);
/* Either function may be NULL. Set them before adding listeners. */
void rpc_server_set_client_funcs(RpcServer *server, RpcServerClientFunc connected,
                                 RpcServerClientFunc closed, gpointer opaque);

/* Listen on the UNIX socket PATH with MODE (see rpc_socket_listen_unix). */
int rpc_server_add_unix_listener(RpcServer *server, const char *path, mode_t mode,
                                 gboolean readonly);
/* Listen on HOST (NULL: all) and SERVICE with TLS from TLS (a server
 * context). *ret_port (may be NULL) gets the port, useful with "0". */
int rpc_server_add_tls_listener(RpcServer *server, const char *host, const char *service,
                                RpcTlsContext *tls, gboolean readonly, int *ret_port);

guint rpc_server_get_client_count(RpcServer *server);

/* ---- Clients ---- */

RpcServerClient *rpc_server_client_ref(RpcServerClient *client);
void rpc_server_client_unref(RpcServerClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcServerClient, rpc_server_client_unref)

/* Unique for the server's lifetime, starting at 1. */
guint64 rpc_server_client_get_id(RpcServerClient *client);
gboolean rpc_server_client_is_readonly(RpcServerClient *client);
/* TRUE on UNIX sockets and TLS: what CONNECT_IS_SECURE reports. */
gboolean rpc_server_client_is_secure(RpcServerClient *client);
/* Credentials of a client on a UNIX socket (see rpc_socket_get_peer_creds). */
int rpc_server_client_get_peer_creds(RpcServerClient *client, uid_t *ret_uid, gid_t *ret_gid,
                                     pid_t *ret_pid);
/* The distinguished name of a TLS client's certificate, or NULL. */
char *rpc_server_client_get_tls_dn(RpcServerClient *client);

/* Data of the layer above (e.g. the driver connection). FREE runs when the
 * client is freed, or when replaced. */
void rpc_server_client_set_private(RpcServerClient *client, gpointer data, GDestroyNotify free);
gpointer rpc_server_client_get_private(RpcServerClient *client);

/* Send an event: a MESSAGE of PROG/PROC with payload DATA encoded by
 * PROC_XDR. Returns 0, or -1 with an error reported (client gone, payload
 * too large). */
int rpc_server_client_send_event(RpcServerClient *client, guint32 prog, int proc,
                                 xdrproc_t proc_xdr, void *data);
/* Start keepalive with the server's settings (done by SUPPORTS_FEATURE 10). */
int rpc_server_client_start_keepalive(RpcServerClient *client);
/* Disconnect the client; calls in progress finish but their replies are
 * dropped. Idempotent. */
void rpc_server_client_close(RpcServerClient *client);
gboolean rpc_server_client_is_closed(RpcServerClient *client);

/* ---- Calls (inside a handler) ---- */

RpcServerClient *rpc_server_call_get_client(RpcServerCall *call);
const RpcHeader *rpc_server_call_get_header(RpcServerCall *call);
/* Descriptors that came with the call (CALL_WITH_FDS). */
size_t rpc_server_call_get_nfds(RpcServerCall *call);
int rpc_server_call_steal_fd(RpcServerCall *call, size_t index);
/* Send FD (taken) with the reply, which becomes REPLY_WITH_FDS. */
int rpc_server_call_add_reply_fd(RpcServerCall *call, int fd);

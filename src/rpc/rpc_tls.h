/* rpc_tls.h: TLS (gnutls, x509) for RPC connections over TCP.
 *
 * A context holds the credentials read from one certificate folder:
 *   cacert.pem                 the CA every peer certificate must chain to
 *   servercert.pem, serverkey.pem   a server's certificate and key
 *   clientcert.pem, clientkey.pem   a client's certificate and key
 * A server context always requires a client certificate that the CA signed;
 * a client context verifies the server certificate against the CA and the
 * host name it connected to, and presents its own certificate when the
 * folder has one.
 *
 * A session wraps one non-blocking socket: the handshake is driven step by
 * step from the event loop (rpc_tls_session_handshake() until it returns 0;
 * in between, wait for the socket in the direction
 * rpc_tls_session_get_direction() says), then reads and writes go through
 * the session. The I/O functions return a byte count, 0 at end of file (read
 * only), RPC_IO_AGAIN when the socket is not ready, or RPC_IO_ERROR with an
 * error reported. A session is used by one thread at a time. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Results of the non-blocking I/O functions besides a byte count. */
#define RPC_IO_ERROR (-1) /* an error was reported */
#define RPC_IO_AGAIN (-2) /* not ready: wait for the socket, then retry the same call */

typedef struct _RpcTlsContext RpcTlsContext;
typedef struct _RpcTlsSession RpcTlsSession;

/* Contexts read DIR's files at once; NULL with an error reported (naming
 * the file) when one that is required is missing or invalid. */
RpcTlsContext *rpc_tls_context_new_server(const char *dir);
RpcTlsContext *rpc_tls_context_new_client(const char *dir);
RpcTlsContext *rpc_tls_context_ref(RpcTlsContext *ctx);
void rpc_tls_context_unref(RpcTlsContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcTlsContext, rpc_tls_context_unref)
gboolean rpc_tls_context_is_server(RpcTlsContext *ctx);

/* A session on the connected, non-blocking socket FD (not owned). For a
 * client, HOSTNAME is what the server certificate must name. */
RpcTlsSession *rpc_tls_session_new(RpcTlsContext *ctx, int fd, const char *hostname);
void rpc_tls_session_free(RpcTlsSession *sess);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcTlsSession, rpc_tls_session_free)

/* One handshake step: 0 when complete (and the peer verified), 1 when it
 * must be called again once the socket is ready, -1 with an error
 * (QVIRT_ERR_AUTH_FAILED for a refused certificate, QVIRT_ERR_GNUTLS_ERROR
 * otherwise). */
int rpc_tls_session_handshake(RpcTlsSession *sess);
/* G_IO_IN or G_IO_OUT: what the last step that returned 1 waits for. */
GIOCondition rpc_tls_session_get_direction(RpcTlsSession *sess);
gboolean rpc_tls_session_is_established(RpcTlsSession *sess);

ssize_t rpc_tls_session_read(RpcTlsSession *sess, void *buf, size_t len);
ssize_t rpc_tls_session_write(RpcTlsSession *sess, const void *buf, size_t len);
/* Bytes already decrypted and waiting in the session (poll() cannot see them). */
size_t rpc_tls_session_pending(RpcTlsSession *sess);

/* The distinguished name of the peer's certificate, or NULL. */
char *rpc_tls_session_get_peer_dn(RpcTlsSession *sess);

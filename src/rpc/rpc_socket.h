/* rpc_socket.h: the stream sockets RPC runs on: UNIX and TCP listeners,
 * connecting, non-blocking reads and writes (through TLS when a session is
 * attached), descriptor passing and the peer's credentials.
 *
 * Contract:
 * - Every socket is non-blocking and close-on-exec. An RpcSocket owns its
 *   descriptor (and its TLS session) and closes it when freed; a UNIX
 *   listener also removes its path then, unless another socket replaced it.
 * - read/write return a byte count, 0 at end of file (read; a reset by the
 *   peer counts as one), RPC_IO_AGAIN when the socket is not ready, or
 *   RPC_IO_ERROR with an error reported (RPC "closed by the peer" for a
 *   write to a closed connection). They never raise SIGPIPE.
 * - Descriptors travel as libvirt sends them: after the packet, one
 *   sendmsg() per descriptor carrying one zero byte and SCM_RIGHTS. Only on
 *   UNIX sockets without TLS.
 * - One reading and one writing thread at a time per socket. A plain
 *   socket may be read and written by two threads at once (rpc_conn.c
 *   does); a TLS session is used by one thread at a time. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "rpc/rpc_tls.h"

typedef struct _RpcSocket RpcSocket;

/* Listen on the UNIX socket PATH with permissions MODE (e.g. 0600 for the
 * read-write socket, 0666 for the read-only one). The socket is created
 * under a temporary name (PATH.PID.new, which must fit sun_path too), given
 * MODE, then renamed to PATH, so it never exists at PATH with other
 * permissions. An old socket at PATH is replaced; any other file there is
 * an error. */
RpcSocket *rpc_socket_listen_unix(const char *path, mode_t mode);
/* Listen on HOST (NULL: every address) and SERVICE (a port number or name;
 * "0" picks a free port, see rpc_socket_get_port()). */
RpcSocket *rpc_socket_listen_tcp(const char *host, const char *service);

/* Accept one connection: 0 with *ret_sock set, RPC_IO_AGAIN when none is
 * waiting, RPC_IO_ERROR with an error reported. */
int rpc_socket_accept(RpcSocket *listener, RpcSocket **ret_sock);

/* Connect (blocking until connected or TIMEOUT_MS passed), then switch the
 * socket to non-blocking. */
RpcSocket *rpc_socket_connect_unix(const char *path);
RpcSocket *rpc_socket_connect_tcp(const char *host, const char *service, gint64 timeout_ms);

/* Wrap FD, an already connected stream socket; takes ownership (closed on
 * failure too). */
RpcSocket *rpc_socket_new_fd(int fd);

void rpc_socket_free(RpcSocket *sock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcSocket, rpc_socket_free)

int rpc_socket_get_fd(RpcSocket *sock);
gboolean rpc_socket_is_unix(RpcSocket *sock);
/* The local TCP port of a TCP socket, or -1. */
int rpc_socket_get_port(RpcSocket *sock);
/* A short text naming the peer for logs, e.g. "unix" or "127.0.0.1;43210". */
const char *rpc_socket_get_peer_name(RpcSocket *sock);

/* The credentials of the process at the other end of a UNIX socket, taken
 * when it connected. Any output pointer may be NULL. Returns 0, or -1 with an
 * error reported (not a UNIX socket). */
int rpc_socket_get_peer_creds(RpcSocket *sock, uid_t *ret_uid, gid_t *ret_gid, pid_t *ret_pid);

/* Run SESS (taken) over this socket from now on. */
void rpc_socket_set_tls(RpcSocket *sock, RpcTlsSession *sess);
RpcTlsSession *rpc_socket_get_tls(RpcSocket *sock);

ssize_t rpc_socket_read(RpcSocket *sock, void *buf, size_t len);
ssize_t rpc_socket_write(RpcSocket *sock, const void *buf, size_t len);
/* Bytes a read would return without waiting for the socket (TLS buffers). */
size_t rpc_socket_pending(RpcSocket *sock);

/* Send FD (the caller keeps it) / receive one descriptor (close-on-exec):
 * 0, RPC_IO_AGAIN or RPC_IO_ERROR. End of file while waiting for a
 * descriptor is an error. */
int rpc_socket_send_fd(RpcSocket *sock, int fd);
int rpc_socket_recv_fd(RpcSocket *sock, int *ret_fd);

/* Stop both directions now (the peer sees end of file); the descriptor stays
 * open until the socket is freed. */
void rpc_socket_shutdown(RpcSocket *sock);

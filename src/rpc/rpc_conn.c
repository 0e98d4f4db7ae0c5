/* rpc_conn.c: an RPC connection on the event loop (the contract is in
 * rpc_conn.h).
 *
 * How it keeps the contract:
 * - conn->lock guards the state shared with other threads: closed, the
 *   outgoing queue, the watch and its events, pausing and keepalive. The
 *   receive state (conn->rx...) belongs to the loop thread alone.
 * - Only the loop thread removes the watch and the keepalive timer, in
 *   rpc_conn_teardown(); a close from another thread marks the connection
 *   closed, shuts the socket down and queues the teardown with a zero-delay
 *   timer (a timer, not an invoke, so that its reference is released even
 *   when the loop is freed first). Callbacks run one at a time on the loop
 *   thread, so once the teardown has run none can start again, and the
 *   owner's opaque can go.
 * - Writes: a message queued when nothing waits before it on a plain
 *   socket is written at once by the sending thread, under conn->lock (the
 *   loop's flush only writes what is queued, so the two never write at the
 *   same time and the order holds); that saves a loop wake-up and two
 *   watch changes per reply. TLS sessions and descriptors are written by
 *   the loop thread only.
 * - The watch asks for G_IO_OUT only while something waits to be written,
 *   and for G_IO_IN only while reading is not paused; during the TLS
 *   handshake it follows the direction gnutls waits for.
 * - Packets are read in exact pieces (the length word, then the rest), so
 *   the one-byte messages carrying descriptors after a packet are never
 *   swallowed by a packet read. The buffer grows as bytes arrive, so a
 *   packet that only announces 32 MiB does not cost 32 MiB. */
#include <config.h>

#include "rpc/rpc_conn.h"
#include "rpc/rpc_keepalive.h"
#include "rpc/rpc_program.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_RPC

QVIRT_LOG_INIT("rpc.conn");

/* The first allocation for a packet's bytes; doubled as they arrive. */
#define RPC_CONN_RX_CHUNK (64 * 1024)

typedef enum {
    RPC_CONN_RX_LENGTH,
    RPC_CONN_RX_BODY,
    RPC_CONN_RX_FDS,
} RpcConnRxPhase;

struct _RpcConn {
    gint refs; /* atomic */
    QvirtEventLoop *loop;
    RpcSocket *sock;
    const RpcConnCallbacks *cb;

    QvirtMutex lock;
    gboolean closed;    /* no more I/O, no more callbacks */
    gboolean torn_down; /* watch and timer gone, opaque released */
    guint watch;
    GIOCondition watch_cond;
    GIOCondition hs_dir; /* what the TLS handshake waits for */
    gboolean ready;      /* TLS handshake done, or no TLS */
    gboolean read_paused;
    GQueue tx; /* RpcMessage*, head being written */
    RpcKeepalive *ka;
    guint ka_timer;
    guint ka_interval;
    gpointer opaque;
    GDestroyNotify opaque_free;

    /* Loop thread only. */
    RpcMessage *rx;
    RpcConnRxPhase rx_phase;
    size_t rx_have;
    size_t rx_cap; /* bytes allocated in rx->buffer, grown as they arrive */
};

static void rpc_conn_teardown(RpcConn *conn);

/* ---- References ---- */

RpcConn *
rpc_conn_ref(RpcConn *conn)
{
    g_atomic_int_inc(&conn->refs);
    return conn;
}

static void
rpc_conn_dispose(RpcConn *conn)
{
    RpcMessage *msg;

    while ((msg = g_queue_pop_head(&conn->tx)))
        rpc_message_free(msg);
    rpc_message_free(conn->rx);
    rpc_keepalive_free(conn->ka);
    if (conn->opaque_free && conn->opaque)
        conn->opaque_free(conn->opaque);
    rpc_socket_free(conn->sock);
    qvirt_mutex_clear(&conn->lock);
    g_free(conn);
}

void
rpc_conn_unref(RpcConn *conn)
{
    if (conn && g_atomic_int_dec_and_test(&conn->refs))
        rpc_conn_dispose(conn);
}

static void
rpc_conn_unref_cb(gpointer opaque)
{
    rpc_conn_unref(opaque);
}

/* ---- Watch ---- */

/* Ask the loop for the events the state calls for (lock held). */
static void
rpc_conn_update_watch_locked(RpcConn *conn)
{
    GIOCondition want = 0;

    if (conn->closed || conn->watch == 0)
        return;
    if (!conn->ready) {
        want = conn->hs_dir;
    } else {
        if (!conn->read_paused)
            want |= G_IO_IN;
        if (!g_queue_is_empty(&conn->tx))
            want |= G_IO_OUT;
    }
    if (want == conn->watch_cond)
        return;
    if (qvirt_event_loop_update_fd_watch(conn->loop, conn->watch, want) < 0) {
        QVIRT_WARN("cannot update the watch of connection with %s: %s",
                   rpc_socket_get_peer_name(conn->sock), qvirt_error_last_message());
        qvirt_error_reset();
        return;
    }
    conn->watch_cond = want;
}

/* ---- Failing and closing ---- */

/* Loop thread: the connection ended by itself with ERR (NULL: clean EOF). */
static void
rpc_conn_fail(RpcConn *conn, const QvirtError *err)
{
    qvirt_mutex_lock(&conn->lock);
    if (conn->closed) {
        qvirt_mutex_unlock(&conn->lock);
        return;
    }
    conn->closed = TRUE;
    qvirt_mutex_unlock(&conn->lock);

    if (err)
        QVIRT_INFO("connection with %s failed: %s", rpc_socket_get_peer_name(conn->sock),
                   err->message);
    else
        QVIRT_DEBUG("connection with %s ended", rpc_socket_get_peer_name(conn->sock));
    rpc_socket_shutdown(conn->sock);
    if (conn->cb->closed)
        conn->cb->closed(conn, err, conn->opaque);
    rpc_conn_teardown(conn);
}

/* Loop thread: fail with the calling thread's last error. */
static void
rpc_conn_fail_last(RpcConn *conn)
{
    g_autoptr(QvirtError) err = qvirt_error_save();

    if (!err) {
        qvirt_report_internal(_("connection with %s failed for an unknown reason"),
                              rpc_socket_get_peer_name(conn->sock));
        err = qvirt_error_save();
    }
    rpc_conn_fail(conn, err);
}

/* Loop thread, CONN closed: stop watching, drop what is queued, release the
 * owner's opaque. */
static void
rpc_conn_teardown(RpcConn *conn)
{
    guint watch;
    guint timer;
    GQueue tx = G_QUEUE_INIT;
    RpcKeepalive *ka;
    gpointer opaque;
    GDestroyNotify opaque_free;
    RpcMessage *msg;

    qvirt_mutex_lock(&conn->lock);
    if (conn->torn_down) {
        qvirt_mutex_unlock(&conn->lock);
        return;
    }
    conn->torn_down = TRUE;
    watch = conn->watch;
    conn->watch = 0;
    timer = conn->ka_timer;
    conn->ka_timer = 0;
    ka = g_steal_pointer(&conn->ka);
    tx = conn->tx;
    g_queue_init(&conn->tx);
    opaque = g_steal_pointer(&conn->opaque);
    opaque_free = g_steal_pointer(&conn->opaque_free);
    qvirt_mutex_unlock(&conn->lock);

    qvirt_event_loop_remove(conn->loop, watch);
    qvirt_event_loop_remove(conn->loop, timer);
    rpc_keepalive_free(ka);
    while ((msg = g_queue_pop_head(&tx)))
        rpc_message_free(msg);
    g_clear_pointer(&conn->rx, rpc_message_free);
    if (opaque_free && opaque)
        opaque_free(opaque);
}

static gboolean
rpc_conn_teardown_cb(gpointer opaque)
{
    rpc_conn_teardown(opaque);
    return G_SOURCE_REMOVE;
}

void
rpc_conn_close(RpcConn *conn)
{
    if (!conn)
        return;
    qvirt_mutex_lock(&conn->lock);
    if (conn->closed) {
        qvirt_mutex_unlock(&conn->lock);
        return;
    }
    conn->closed = TRUE;
    qvirt_mutex_unlock(&conn->lock);

    QVIRT_DEBUG("closing connection with %s", rpc_socket_get_peer_name(conn->sock));
    rpc_socket_shutdown(conn->sock);
    if (qvirt_event_loop_is_current(conn->loop))
        rpc_conn_teardown(conn);
    else
        qvirt_event_loop_add_timeout(conn->loop, 0, rpc_conn_teardown_cb, rpc_conn_ref(conn),
                                     rpc_conn_unref_cb);
}

gboolean
rpc_conn_is_closed(RpcConn *conn)
{
    gboolean closed;

    qvirt_mutex_lock(&conn->lock);
    closed = conn->closed;
    qvirt_mutex_unlock(&conn->lock);
    return closed;
}

gboolean
rpc_conn_is_ready(RpcConn *conn)
{
    gboolean ready;

    qvirt_mutex_lock(&conn->lock);
    ready = conn->ready;
    qvirt_mutex_unlock(&conn->lock);
    return ready;
}

/* ---- Sending ---- */

/* Any thread, lock held: write MSG straight away when nothing is queued
 * before it, the socket is plain and MSG carries no descriptors. TRUE when
 * all of it went out; otherwise MSG->offset says how far it got and the
 * loop thread writes the rest (and meets any write error again there). */
static gboolean
rpc_conn_write_now_locked(RpcConn *conn, RpcMessage *msg)
{
    if (!conn->ready || !g_queue_is_empty(&conn->tx) || msg->nfds > 0 ||
        rpc_socket_get_tls(conn->sock))
        return FALSE;
    while (msg->offset < msg->length) {
        ssize_t n = rpc_socket_write(conn->sock, msg->buffer + msg->offset,
                                     msg->length - msg->offset);

        if (n == RPC_IO_AGAIN)
            return FALSE;
        if (n < 0) {
            qvirt_error_reset();
            return FALSE;
        }
        msg->offset += n;
    }
    return TRUE;
}

int
rpc_conn_send(RpcConn *conn, RpcMessage *msg)
{
    qvirt_mutex_lock(&conn->lock);
    if (conn->closed) {
        qvirt_mutex_unlock(&conn->lock);
        rpc_message_free(msg);
        qvirt_report_error(QVIRT_ERR_RPC, _("connection with %s is closed"),
                           rpc_socket_get_peer_name(conn->sock));
        return -1;
    }
    msg->offset = 0;
    msg->donefds = 0;
    if (rpc_conn_write_now_locked(conn, msg)) {
        qvirt_mutex_unlock(&conn->lock);
        rpc_message_free(msg);
        return 0;
    }
    g_queue_push_tail(&conn->tx, msg);
    rpc_conn_update_watch_locked(conn);
    qvirt_mutex_unlock(&conn->lock);
    return 0;
}

/* Loop thread: write queued messages until the socket is full. Returns 0,
 * or -1 when the connection failed. */
static int
rpc_conn_flush(RpcConn *conn)
{
    for (;;) {
        RpcMessage *msg;
        ssize_t n;

        qvirt_mutex_lock(&conn->lock);
        msg = conn->closed || !conn->ready ? NULL : g_queue_peek_head(&conn->tx);
        qvirt_mutex_unlock(&conn->lock);
        if (!msg)
            return 0;

        if (msg->offset < msg->length) {
            n = rpc_socket_write(conn->sock, msg->buffer + msg->offset, msg->length - msg->offset);
            if (n == RPC_IO_AGAIN)
                return 0;
            if (n < 0) {
                rpc_conn_fail_last(conn);
                return -1;
            }
            msg->offset += n;
            continue;
        }
        if (msg->donefds < msg->nfds) {
            int rc = rpc_socket_send_fd(conn->sock, msg->fds[msg->donefds]);

            if (rc == RPC_IO_AGAIN)
                return 0;
            if (rc < 0) {
                rpc_conn_fail_last(conn);
                return -1;
            }
            msg->donefds++;
            continue;
        }
        qvirt_mutex_lock(&conn->lock);
        g_queue_pop_head(&conn->tx);
        qvirt_mutex_unlock(&conn->lock);
        rpc_message_free(msg);
    }
}

/* ---- Receiving ---- */

/* Loop thread: hand a complete message on. Returns 0, or -1 when the
 * connection failed or was closed. */
static int
rpc_conn_deliver(RpcConn *conn, RpcMessage *msg)
{
    gboolean closed;

    qvirt_mutex_lock(&conn->lock);
    closed = conn->closed;
    if (conn->ka)
        rpc_keepalive_seen(conn->ka, g_get_monotonic_time());
    qvirt_mutex_unlock(&conn->lock);
    if (closed) {
        rpc_message_free(msg);
        return -1;
    }

    if (msg->header.prog == KEEPALIVE_PROGRAM) {
        int proc = rpc_keepalive_check_message(msg);

        rpc_message_free(msg);
        if (proc < 0) {
            rpc_conn_fail_last(conn);
            return -1;
        }
        if (proc == KEEPALIVE_PROC_PING) {
            QVIRT_DEBUG("answering PING from %s", rpc_socket_get_peer_name(conn->sock));
            if (rpc_conn_send(conn, rpc_keepalive_message_new(KEEPALIVE_PROC_PONG)) < 0)
                qvirt_error_reset();
        }
        return 0;
    }

    if (!conn->cb->message(conn, msg, conn->opaque)) {
        rpc_conn_fail_last(conn);
        return -1;
    }
    return 0;
}

/* Loop thread: one read. Returns 1 after progress, 0 when the socket has
 * nothing more, -1 when the connection ended. */
static int
rpc_conn_read_step(RpcConn *conn)
{
    RpcMessage *rx;
    ssize_t n;

    if (!conn->rx) {
        conn->rx = rpc_message_new();
        conn->rx->buffer = g_malloc(RPC_WIRE_LEN_SIZE);
        conn->rx->length = RPC_WIRE_LEN_SIZE;
        conn->rx_phase = RPC_CONN_RX_LENGTH;
        conn->rx_have = 0;
        conn->rx_cap = RPC_WIRE_LEN_SIZE;
    }
    rx = conn->rx;

    if (conn->rx_phase == RPC_CONN_RX_FDS) {
        int fd = -1;
        int rc = rpc_socket_recv_fd(conn->sock, &fd);

        if (rc == RPC_IO_AGAIN)
            return 0;
        if (rc < 0) {
            rpc_conn_fail_last(conn);
            return -1;
        }
        rx->fds[rx->donefds++] = fd;
    } else {
        /* A packet may announce 32 MiB: memory is given as bytes arrive. */
        if (conn->rx_have == conn->rx_cap) {
            conn->rx_cap = MIN(rx->length, MAX(conn->rx_cap * 2, RPC_CONN_RX_CHUNK));
            rx->buffer = g_realloc(rx->buffer, conn->rx_cap);
        }
        n = rpc_socket_read(conn->sock, rx->buffer + conn->rx_have, conn->rx_cap - conn->rx_have);
        if (n == RPC_IO_AGAIN)
            return 0;
        if (n < 0) {
            rpc_conn_fail_last(conn);
            return -1;
        }
        if (n == 0) {
            if (conn->rx_phase == RPC_CONN_RX_LENGTH && conn->rx_have == 0) {
                rpc_conn_fail(conn, NULL);
            } else {
                qvirt_report_error(QVIRT_ERR_RPC,
                                   _("connection with %s ended in the middle of a packet"),
                                   rpc_socket_get_peer_name(conn->sock));
                rpc_conn_fail_last(conn);
            }
            return -1;
        }
        conn->rx_have += n;
        if (conn->rx_have < rx->length)
            return 1;

        if (conn->rx_phase == RPC_CONN_RX_LENGTH) {
            size_t length;

            if (rpc_message_decode_length(rx->buffer, &length) < 0) {
                rpc_conn_fail_last(conn);
                return -1;
            }
            rx->length = length;
            conn->rx_phase = RPC_CONN_RX_BODY;
            return 1;
        }
        /* The whole packet is here. */
        if (rpc_message_decode_header(rx) < 0) {
            rpc_conn_fail_last(conn);
            return -1;
        }
        if (rx->nfds > 0) {
            if (!rpc_socket_is_unix(conn->sock) || rpc_socket_get_tls(conn->sock)) {
                qvirt_report_error(QVIRT_ERR_RPC,
                                   _("%s sent descriptors over a connection that cannot carry "
                                     "them"),
                                   rpc_socket_get_peer_name(conn->sock));
                rpc_conn_fail_last(conn);
                return -1;
            }
            conn->rx_phase = RPC_CONN_RX_FDS;
            return 1;
        }
    }
    if (conn->rx_phase == RPC_CONN_RX_FDS && rx->donefds < rx->nfds)
        return 1;

    rx->donefds = 0;
    conn->rx = NULL;
    return rpc_conn_deliver(conn, rx) < 0 ? -1 : 1;
}

/* Loop thread: read while there is something and reading is not paused.
 * Returns 0, or -1 when the connection ended. */
static int
rpc_conn_read(RpcConn *conn, GIOCondition revents)
{
    for (;;) {
        gboolean paused;
        int rc;

        qvirt_mutex_lock(&conn->lock);
        paused = conn->read_paused || conn->closed;
        qvirt_mutex_unlock(&conn->lock);
        if (paused) {
            /* The peer is gone while we wait for our own work: nobody will
             * read the replies, and a hung-up socket would wake us forever. */
            if (revents & (G_IO_HUP | G_IO_ERR) && !rpc_conn_is_closed(conn)) {
                rpc_conn_fail(conn, NULL);
                return -1;
            }
            return 0;
        }
        rc = rpc_conn_read_step(conn);
        if (rc <= 0)
            return rc;
    }
}

/* ---- TLS handshake ---- */

/* Loop thread: one handshake step. Returns 0 (done or waiting), or -1 when
 * the connection failed. */
static int
rpc_conn_handshake(RpcConn *conn)
{
    RpcTlsSession *tls = rpc_socket_get_tls(conn->sock);
    int rc = rpc_tls_session_handshake(tls);

    if (rc < 0) {
        rpc_conn_fail_last(conn);
        return -1;
    }
    qvirt_mutex_lock(&conn->lock);
    if (rc == 1) {
        conn->hs_dir = rpc_tls_session_get_direction(tls);
    } else {
        conn->ready = TRUE;
        QVIRT_DEBUG("TLS connection with %s established", rpc_socket_get_peer_name(conn->sock));
    }
    rpc_conn_update_watch_locked(conn);
    qvirt_mutex_unlock(&conn->lock);
    if (rc == 0 && conn->cb->ready && !rpc_conn_is_closed(conn))
        conn->cb->ready(conn, conn->opaque);
    return 0;
}

/* ---- The watch ---- */

static void
rpc_conn_dispatch(RpcConn *conn, GIOCondition revents)
{
    if (rpc_conn_is_closed(conn))
        return;
    if (!rpc_conn_is_ready(conn)) {
        if (rpc_conn_handshake(conn) < 0 || !rpc_conn_is_ready(conn))
            return;
        revents |= G_IO_IN | G_IO_OUT; /* whatever arrived with the handshake */
    }
    if (rpc_conn_read(conn, revents) < 0)
        return;
    if (rpc_conn_flush(conn) < 0)
        return;
    qvirt_mutex_lock(&conn->lock);
    rpc_conn_update_watch_locked(conn);
    qvirt_mutex_unlock(&conn->lock);
}

static gboolean
rpc_conn_io(int fd, GIOCondition revents, gpointer opaque)
{
    rpc_conn_dispatch(opaque, revents);
    /* Only the teardown removes the watch (it keeps the id until then). */
    return G_SOURCE_CONTINUE;
}

static gboolean
rpc_conn_kick_cb(gpointer opaque)
{
    RpcConn *conn = opaque;

    /* Data TLS already decrypted is invisible to poll(): read it now. */
    rpc_conn_dispatch(conn, rpc_socket_pending(conn->sock) ? G_IO_IN : 0);
    return G_SOURCE_REMOVE;
}

void
rpc_conn_set_read_paused(RpcConn *conn, gboolean paused)
{
    gboolean kick;

    qvirt_mutex_lock(&conn->lock);
    kick = conn->read_paused && !paused && !conn->closed;
    conn->read_paused = paused;
    rpc_conn_update_watch_locked(conn);
    qvirt_mutex_unlock(&conn->lock);
    if (kick)
        qvirt_event_loop_add_timeout(conn->loop, 0, rpc_conn_kick_cb, rpc_conn_ref(conn),
                                     rpc_conn_unref_cb);
}

/* ---- Keepalive ---- */

static gboolean
rpc_conn_keepalive_cb(gpointer opaque)
{
    RpcConn *conn = opaque;
    RpcKeepaliveAction action = RPC_KEEPALIVE_NOTHING;
    guint interval = 0;

    qvirt_mutex_lock(&conn->lock);
    if (!conn->closed && conn->ka) {
        action = rpc_keepalive_tick(conn->ka, g_get_monotonic_time());
        interval = rpc_keepalive_get_interval(conn->ka);
    }
    qvirt_mutex_unlock(&conn->lock);

    switch (action) {
    case RPC_KEEPALIVE_NOTHING:
        break;
    case RPC_KEEPALIVE_PING:
        QVIRT_DEBUG("sending PING to %s", rpc_socket_get_peer_name(conn->sock));
        if (rpc_conn_send(conn, rpc_keepalive_message_new(KEEPALIVE_PROC_PING)) < 0)
            qvirt_error_reset();
        break;
    case RPC_KEEPALIVE_DEAD:
        qvirt_report_error(QVIRT_ERR_RPC,
                           _("connection with %s closed: no answer to keepalive for %u ms"),
                           rpc_socket_get_peer_name(conn->sock), interval);
        rpc_conn_fail_last(conn);
        break;
    }
    /* Only the teardown removes the timer. */
    return G_SOURCE_CONTINUE;
}

int
rpc_conn_start_keepalive(RpcConn *conn, guint interval_ms, guint count)
{
    RpcKeepalive *ka = rpc_keepalive_new(interval_ms, count, g_get_monotonic_time());
    guint old_timer = 0;

    if (!ka)
        return -1;
    qvirt_mutex_lock(&conn->lock);
    if (conn->closed) {
        qvirt_mutex_unlock(&conn->lock);
        rpc_keepalive_free(ka);
        qvirt_report_error(QVIRT_ERR_RPC, _("connection with %s is closed"),
                           rpc_socket_get_peer_name(conn->sock));
        return -1;
    }
    rpc_keepalive_free(conn->ka);
    conn->ka = ka;
    if (conn->ka_timer == 0 || conn->ka_interval != interval_ms) {
        old_timer = conn->ka_timer;
        conn->ka_interval = interval_ms;
        conn->ka_timer = qvirt_event_loop_add_timeout(
            conn->loop, interval_ms, rpc_conn_keepalive_cb, rpc_conn_ref(conn), rpc_conn_unref_cb);
    }
    qvirt_mutex_unlock(&conn->lock);
    qvirt_event_loop_remove(conn->loop, old_timer);
    QVIRT_DEBUG("keepalive with %s: every %u ms, %u misses", rpc_socket_get_peer_name(conn->sock),
                interval_ms, count);
    return 0;
}

gboolean
rpc_conn_has_keepalive(RpcConn *conn)
{
    gboolean ret;

    qvirt_mutex_lock(&conn->lock);
    ret = conn->ka != NULL;
    qvirt_mutex_unlock(&conn->lock);
    return ret;
}

/* ---- Creation ---- */

RpcConn *
rpc_conn_new(QvirtEventLoop *loop, RpcSocket *sock, const RpcConnCallbacks *callbacks,
             gpointer opaque, GDestroyNotify opaque_free)
{
    RpcConn *conn = g_new0(RpcConn, 1);
    RpcTlsSession *tls = rpc_socket_get_tls(sock);

    conn->refs = 1;
    conn->loop = loop;
    conn->sock = sock;
    conn->cb = callbacks;
    qvirt_mutex_init(&conn->lock);
    g_queue_init(&conn->tx);
    conn->ready = !tls || rpc_tls_session_is_established(tls);
    /* The first dispatch of a TLS connection takes the first handshake step. */
    conn->hs_dir = G_IO_IN | G_IO_OUT;
    conn->opaque = opaque;
    conn->opaque_free = opaque_free;

    qvirt_mutex_lock(&conn->lock);
    conn->watch_cond = conn->ready ? G_IO_IN : conn->hs_dir;
    conn->watch = qvirt_event_loop_add_fd_watch(loop, rpc_socket_get_fd(sock), conn->watch_cond,
                                                rpc_conn_io, rpc_conn_ref(conn), rpc_conn_unref_cb);
    if (conn->watch == 0) {
        qvirt_mutex_unlock(&conn->lock);
        conn->opaque = NULL; /* stays the caller's */
        conn->refs = 0;
        rpc_conn_dispose(conn);
        return NULL;
    }
    QVIRT_DEBUG("connection %p with %s started%s", conn, rpc_socket_get_peer_name(sock),
                conn->ready ? "" : " (TLS handshake)");
    qvirt_mutex_unlock(&conn->lock);
    return conn;
}

RpcSocket *
rpc_conn_get_socket(RpcConn *conn)
{
    return conn->sock;
}

QvirtEventLoop *
rpc_conn_get_loop(RpcConn *conn)
{
    return conn->loop;
}

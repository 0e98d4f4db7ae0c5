/* rpc_keepalive.h: the KEEPALIVE program's rules, as a small state machine
 * the connection (rpc_conn.c) drives from the event loop.
 *
 * Rules: every PING is answered with a PONG, by both sides, always. Once
 * keepalive is started on a connection (interval I, count N), a timer runs
 * every I: when nothing at all arrived from the peer during the last I, a
 * PING is sent; when N PINGs in a row went unanswered (nothing arrived for
 * about I * (N + 1)), the connection is dead and is closed. Any message
 * from the peer counts as a sign of life, not only PONG.
 *
 * Contract: an RpcKeepalive is used by one thread (the loop's); times are
 * g_get_monotonic_time() microseconds, passed in so tests choose them. */
#pragma once

#include <glib.h>

#include "rpc/rpc_message.h"

typedef struct _RpcKeepalive RpcKeepalive;

typedef enum {
    RPC_KEEPALIVE_NOTHING, /* the peer was heard from recently */
    RPC_KEEPALIVE_PING,    /* send a PING now */
    RPC_KEEPALIVE_DEAD,    /* close the connection */
} RpcKeepaliveAction;

/* INTERVAL_MS > 0 and COUNT > 0, else NULL with an error reported. NOW is
 * when keepalive starts (it counts as having heard from the peer). */
RpcKeepalive *rpc_keepalive_new(guint interval_ms, guint count, gint64 now);
void rpc_keepalive_free(RpcKeepalive *ka);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcKeepalive, rpc_keepalive_free)

guint rpc_keepalive_get_interval(RpcKeepalive *ka);
/* A message of any kind arrived from the peer at NOW. */
void rpc_keepalive_seen(RpcKeepalive *ka, gint64 now);
/* The timer fired at NOW: what to do. */
RpcKeepaliveAction rpc_keepalive_tick(RpcKeepalive *ka, gint64 now);

/* A new, encoded PING or PONG (PROC is KEEPALIVE_PROC_PING or _PONG). */
RpcMessage *rpc_keepalive_message_new(int proc);

/* Check a received message of the KEEPALIVE program: a MESSAGE, status OK,
 * PING or PONG, nothing after the header. Returns the procedure, or -1 with
 * an error reported (the connection is then broken). */
int rpc_keepalive_check_message(const RpcMessage *msg);

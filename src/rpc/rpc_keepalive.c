/* rpc_keepalive.c: keepalive rules (the contract is in rpc_keepalive.h). */
#include <config.h>

#include "rpc/keepalive_protocol.h"
#include "rpc/rpc_keepalive.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_RPC

QVIRT_LOG_INIT("rpc.keepalive");

struct _RpcKeepalive {
    guint interval_ms;
    guint count;
    guint missed; /* PINGs sent since the peer was last heard from */
    gint64 last_seen;
};

RpcKeepalive *
rpc_keepalive_new(guint interval_ms, guint count, gint64 now)
{
    RpcKeepalive *ka;

    if (interval_ms == 0 || count == 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("keepalive needs an interval and a count above 0 (got %u ms, %u)"),
                           interval_ms, count);
        return NULL;
    }
    ka = g_new0(RpcKeepalive, 1);
    ka->interval_ms = interval_ms;
    ka->count = count;
    ka->last_seen = now;
    return ka;
}

void
rpc_keepalive_free(RpcKeepalive *ka)
{
    g_free(ka);
}

guint
rpc_keepalive_get_interval(RpcKeepalive *ka)
{
    return ka->interval_ms;
}

void
rpc_keepalive_seen(RpcKeepalive *ka, gint64 now)
{
    ka->last_seen = now;
    ka->missed = 0;
}

RpcKeepaliveAction
rpc_keepalive_tick(RpcKeepalive *ka, gint64 now)
{
    if (now - ka->last_seen < (gint64)ka->interval_ms * G_TIME_SPAN_MILLISECOND)
        return RPC_KEEPALIVE_NOTHING;
    if (ka->missed >= ka->count)
        return RPC_KEEPALIVE_DEAD;
    ka->missed++;
    return RPC_KEEPALIVE_PING;
}

RpcMessage *
rpc_keepalive_message_new(int proc)
{
    RpcMessage *msg = rpc_message_new();
    RpcHeader hdr = {
        .prog = KEEPALIVE_PROGRAM,
        .vers = KEEPALIVE_PROTOCOL_VERSION,
        .proc = proc,
        .type = RPC_WIRE_MESSAGE,
        .serial = 0,
        .status = RPC_WIRE_OK,
    };

    /* An empty payload always encodes. */
    if (rpc_message_encode(msg, &hdr, RPC_XDR_VOID, NULL) < 0)
        g_error("cannot encode a keepalive message: %s", qvirt_error_last_message());
    return msg;
}

int
rpc_keepalive_check_message(const RpcMessage *msg)
{
    const RpcHeader *hdr = &msg->header;

    if (hdr->type != RPC_WIRE_MESSAGE || hdr->status != RPC_WIRE_OK ||
        (hdr->proc != KEEPALIVE_PROC_PING && hdr->proc != KEEPALIVE_PROC_PONG) ||
        msg->offset != msg->length) {
        qvirt_report_error(QVIRT_ERR_RPC,
                           _("invalid keepalive message (procedure %d, type %d, status %d)"),
                           hdr->proc, (int)hdr->type, (int)hdr->status);
        return -1;
    }
    return hdr->proc;
}

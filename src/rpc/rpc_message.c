/* rpc_message.c: packets, headers, payloads and error payloads (the
 * contract is in rpc_message.h).
 *
 * Encoding grows the buffer from 64 KiB, doubling whenever XDR runs out of
 * room, up to the packet limit; the length word is written last. Decoding
 * always goes through xdrmem over the received bytes, so XDR's own bounds
 * (string and array limits from the .x files) cap every allocation. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "rpc/rpc_message.h"
#include "rpc/rpc_program.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_RPC

QVIRT_LOG_INIT("rpc.message");

/* The first encoding attempt: most messages fit (a bigger one doubles it),
 * and a small buffer keeps a no-op call cheap (bench/RESULTS.md, B1). */
#define RPC_MESSAGE_INITIAL_BUFFER (8 * 1024)
/* What an error message is cut to when it would not fit a packet. */
#define RPC_MESSAGE_ERROR_TEXT_MAX (64 * 1024)

bool_t
rpc_xdr_void(XDR *xdrs, void *data)
{
    return TRUE;
}

RpcMessage *
rpc_message_new(void)
{
    return g_new0(RpcMessage, 1);
}

void
rpc_message_free(RpcMessage *msg)
{
    if (!msg)
        return;
    for (size_t i = 0; i < msg->nfds; i++) {
        if (msg->fds[i] >= 0)
            close(msg->fds[i]);
    }
    g_free(msg->fds);
    g_free(msg->buffer);
    g_free(msg);
}

int
rpc_message_add_fd(RpcMessage *msg, int fd)
{
    if (fd < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid descriptor %d for an RPC message"),
                           fd);
        return -1;
    }
    if (msg->nfds >= RPC_WIRE_NUM_FDS_MAX) {
        qvirt_report_error(QVIRT_ERR_RPC, _("an RPC message carries at most %d descriptors"),
                           RPC_WIRE_NUM_FDS_MAX);
        return -1;
    }
    msg->fds = g_renew(int, msg->fds, msg->nfds + 1);
    msg->fds[msg->nfds++] = fd;
    return 0;
}

int
rpc_message_steal_fd(RpcMessage *msg, size_t index)
{
    int fd;

    if (index >= msg->nfds)
        return -1;
    fd = msg->fds[index];
    msg->fds[index] = -1;
    return fd;
}

/* ---- Header ---- */

static const char *const rpc_message_type_names[] = {
    [RPC_WIRE_CALL] = "CALL",
    [RPC_WIRE_REPLY] = "REPLY",
    [RPC_WIRE_MESSAGE] = "MESSAGE",
    [RPC_WIRE_STREAM] = "STREAM",
    [RPC_WIRE_CALL_WITH_FDS] = "CALL_WITH_FDS",
    [RPC_WIRE_REPLY_WITH_FDS] = "REPLY_WITH_FDS",
    [RPC_WIRE_STREAM_HOLE] = "STREAM_HOLE",
};

const char *
rpc_message_type_to_string(int type)
{
    if (type < 0 || type >= (int)G_N_ELEMENTS(rpc_message_type_names))
        return NULL;
    return rpc_message_type_names[type];
}

gboolean
rpc_message_type_has_fds(int type)
{
    return type == RPC_WIRE_CALL_WITH_FDS || type == RPC_WIRE_REPLY_WITH_FDS;
}

void
rpc_header_encode(const RpcHeader *hdr, guint8 *buf)
{
    XDR xdr;
    RpcHeader copy = *hdr;
    gboolean ok;

    xdrmem_create(&xdr, (char *)buf, RPC_WIRE_HEADER_SIZE, XDR_ENCODE);
    /* Six 4-byte words always fit 24 bytes. */
    ok = xdr_rpc_wire_header(&xdr, &copy);
    g_assert(ok && xdr_getpos(&xdr) == RPC_WIRE_HEADER_SIZE);
    xdr_destroy(&xdr);
}

int
rpc_header_decode(const guint8 *buf, RpcHeader *ret_hdr)
{
    XDR xdr;
    RpcHeader hdr = {0};
    bool_t ok;
    guint32 vers;

    xdrmem_create(&xdr, (char *)buf, RPC_WIRE_HEADER_SIZE, XDR_DECODE);
    ok = xdr_rpc_wire_header(&xdr, &hdr);
    xdr_destroy(&xdr);
    if (!ok) {
        qvirt_report_error(QVIRT_ERR_RPC, _("cannot decode the header of an RPC packet"));
        return -1;
    }
    if (!rpc_program_is_known(hdr.prog)) {
        qvirt_report_error(QVIRT_ERR_RPC, _("unknown RPC program 0x%x"), hdr.prog);
        return -1;
    }
    vers = rpc_program_version(hdr.prog);
    if (hdr.vers != vers) {
        qvirt_report_error(QVIRT_ERR_RPC,
                           _("unsupported version %u of RPC program %s (expected %u)"), hdr.vers,
                           rpc_program_name(hdr.prog), vers);
        return -1;
    }
    if (!rpc_message_type_to_string(hdr.type)) {
        qvirt_report_error(QVIRT_ERR_RPC, _("unknown RPC message type %d"), (int)hdr.type);
        return -1;
    }
    if ((int)hdr.status < RPC_WIRE_OK || (int)hdr.status > RPC_WIRE_CONTINUE) {
        qvirt_report_error(QVIRT_ERR_RPC, _("unknown RPC message status %d"), (int)hdr.status);
        return -1;
    }
    *ret_hdr = hdr;
    return 0;
}

/* ---- Encoding ---- */

static void
rpc_message_put_length(RpcMessage *msg)
{
    guint32 be = GUINT32_TO_BE((guint32)msg->length);

    memcpy(msg->buffer, &be, sizeof(be));
}

/* One attempt at encoding into SIZE bytes; FALSE when XDR refused. */
static gboolean
rpc_message_try_encode(RpcMessage *msg, size_t size, const RpcHeader *hdr, xdrproc_t proc,
                       void *data)
{
    XDR xdr;
    RpcHeader copy = *hdr;
    gboolean ok;

    g_free(msg->buffer);
    msg->buffer = g_malloc0(size);
    xdrmem_create(&xdr, (char *)msg->buffer + RPC_WIRE_LEN_SIZE, size - RPC_WIRE_LEN_SIZE,
                  XDR_ENCODE);
    ok = xdr_rpc_wire_header(&xdr, &copy);
    if (ok && rpc_message_type_has_fds(hdr->type)) {
        u_int nfds = msg->nfds;

        ok = xdr_u_int(&xdr, &nfds);
    }
    if (ok)
        ok = proc(&xdr, data);
    if (ok)
        msg->length = RPC_WIRE_LEN_SIZE + xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    return ok;
}

int
rpc_message_encode(RpcMessage *msg, const RpcHeader *hdr, xdrproc_t proc, void *data)
{
    size_t size = RPC_MESSAGE_INITIAL_BUFFER;

    if (msg->nfds > 0 && !rpc_message_type_has_fds(hdr->type)) {
        qvirt_report_internal(_("RPC message of type %d cannot carry descriptors"), (int)hdr->type);
        return -1;
    }
    for (;;) {
        if (rpc_message_try_encode(msg, size, hdr, proc, data))
            break;
        if (size >= RPC_MESSAGE_MAX_LENGTH) {
            g_clear_pointer(&msg->buffer, g_free);
            msg->length = 0;
            qvirt_report_error(QVIRT_ERR_RPC,
                               _("cannot encode the payload of RPC procedure %d of program "
                                 "0x%x: too large or invalid"),
                               hdr->proc, hdr->prog);
            return -1;
        }
        size = MIN(size * 2, (size_t)RPC_MESSAGE_MAX_LENGTH);
    }
    msg->header = *hdr;
    msg->offset = 0;
    msg->donefds = 0;
    rpc_message_put_length(msg);
    return 0;
}

void
rpc_message_encode_error(RpcMessage *msg, const RpcHeader *call, const QvirtError *err)
{
    RpcHeader hdr = *call;
    rpc_wire_error wire = {0};
    g_autofree char *text = NULL;

    if (!err)
        err = qvirt_error_get_last();
    hdr.type = RPC_WIRE_REPLY;
    hdr.status = RPC_WIRE_ERROR;
    if (err && err->code != QVIRT_ERR_OK) {
        wire.code = err->code;
        wire.domain = err->domain;
        wire.level = err->level ? err->level : QVIRT_ERR_LEVEL_ERROR;
        text = g_strdup(err->message ? err->message : _("unknown error"));
    } else {
        wire.code = QVIRT_ERR_INTERNAL_ERROR;
        wire.domain = QVIRT_FROM_RPC;
        wire.level = QVIRT_ERR_LEVEL_ERROR;
        text = g_strdup(_("an error occurred, but the cause is unknown"));
    }
    if (strlen(text) > RPC_MESSAGE_ERROR_TEXT_MAX)
        text[RPC_MESSAGE_ERROR_TEXT_MAX] = '\0';
    wire.message = &text;

    /* Descriptors never go with an error. */
    for (size_t i = 0; i < msg->nfds; i++) {
        if (msg->fds[i] >= 0)
            close(msg->fds[i]);
    }
    g_clear_pointer(&msg->fds, g_free);
    msg->nfds = 0;
    /* A bounded message in a fresh buffer always fits. */
    if (rpc_message_encode(msg, &hdr, (xdrproc_t)xdr_rpc_wire_error, &wire) < 0)
        g_error("cannot encode an RPC error reply: %s", qvirt_error_last_message());
}

/* ---- Decoding ---- */

int
rpc_message_decode_length(const guint8 *buf, size_t *ret_length)
{
    guint32 be;
    guint32 len;

    memcpy(&be, buf, sizeof(be));
    len = GUINT32_FROM_BE(be);
    if (len < RPC_MESSAGE_MIN_LENGTH) {
        qvirt_report_error(QVIRT_ERR_RPC, _("RPC packet too short: %u bytes (at least %d)"), len,
                           RPC_MESSAGE_MIN_LENGTH);
        return -1;
    }
    if (len > RPC_MESSAGE_MAX_LENGTH) {
        qvirt_report_error(QVIRT_ERR_RPC, _("RPC packet too large: %u bytes (at most %d)"), len,
                           RPC_MESSAGE_MAX_LENGTH);
        return -1;
    }
    *ret_length = len;
    return 0;
}

int
rpc_message_decode_header(RpcMessage *msg)
{
    RpcHeader hdr;
    size_t length;

    if (!msg->buffer || msg->length < RPC_MESSAGE_MIN_LENGTH ||
        rpc_message_decode_length(msg->buffer, &length) < 0 || length != msg->length) {
        if (qvirt_error_last_code() != QVIRT_ERR_RPC)
            qvirt_report_error(QVIRT_ERR_RPC, _("incomplete RPC packet"));
        return -1;
    }
    if (rpc_header_decode(msg->buffer + RPC_WIRE_LEN_SIZE, &hdr) < 0)
        return -1;
    msg->offset = RPC_MESSAGE_MIN_LENGTH;

    if (rpc_message_type_has_fds(hdr.type)) {
        guint32 be;
        guint32 nfds;

        if (msg->length - msg->offset < sizeof(be)) {
            qvirt_report_error(QVIRT_ERR_RPC, _("RPC packet of type %s lacks its descriptor count"),
                               rpc_message_type_to_string(hdr.type));
            return -1;
        }
        memcpy(&be, msg->buffer + msg->offset, sizeof(be));
        nfds = GUINT32_FROM_BE(be);
        if (nfds > RPC_WIRE_NUM_FDS_MAX) {
            qvirt_report_error(QVIRT_ERR_RPC, _("RPC packet announces %u descriptors (at most %d)"),
                               nfds, RPC_WIRE_NUM_FDS_MAX);
            return -1;
        }
        msg->offset += sizeof(be);
        for (size_t i = 0; i < msg->nfds; i++) {
            if (msg->fds[i] >= 0)
                close(msg->fds[i]);
        }
        g_free(msg->fds);
        msg->fds = nfds ? g_new(int, nfds) : NULL;
        for (guint32 i = 0; i < nfds; i++)
            msg->fds[i] = -1;
        msg->nfds = nfds;
        msg->donefds = 0;
    }
    msg->header = hdr;
    return 0;
}

int
rpc_message_decode_payload(RpcMessage *msg, xdrproc_t proc, void *data)
{
    XDR xdr;
    bool_t ok;

    if (!msg->buffer || msg->offset > msg->length) {
        qvirt_report_internal(_("RPC message has no payload to decode"));
        return -1;
    }
    xdrmem_create(&xdr, (char *)msg->buffer + msg->offset, msg->length - msg->offset, XDR_DECODE);
    ok = proc(&xdr, data);
    if (ok)
        msg->offset += xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    if (!ok) {
        qvirt_report_error(QVIRT_ERR_RPC,
                           _("cannot decode the payload of RPC procedure %d of program 0x%x"),
                           msg->header.proc, msg->header.prog);
        return -1;
    }
    return 0;
}

QvirtError *
rpc_message_decode_error(RpcMessage *msg)
{
    rpc_wire_error wire = {0};
    QvirtError *err = NULL;

    if (rpc_message_decode_payload(msg, (xdrproc_t)xdr_rpc_wire_error, &wire) == 0) {
        err = g_new0(QvirtError, 1);
        err->code = wire.code;
        err->domain = wire.domain;
        err->level = wire.level;
        err->message = g_strdup(wire.message && *wire.message ? *wire.message : _("unknown error"));
        if (err->code == QVIRT_ERR_OK)
            err->code = QVIRT_ERR_INTERNAL_ERROR;
    }
    xdr_free((xdrproc_t)xdr_rpc_wire_error, (char *)&wire);
    return err;
}

int
rpc_message_raise_error(RpcMessage *msg)
{
    g_autoptr(QvirtError) err = rpc_message_decode_error(msg);

    if (err)
        qvirt_error_set(err->domain, err->code, err->level, err->message);
    return -1;
}

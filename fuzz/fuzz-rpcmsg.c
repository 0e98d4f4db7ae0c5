/* fuzz-rpcmsg.c: libFuzzer target for the RPC message decoders, the code
 * that reads what a peer sends before anything trusts it.
 *
 * The input is a byte stream as it arrives on a connection: packets one
 * after the other, each with its length word. Every packet goes through
 * what a server or client does with it: the length check, the header check
 * (program, version, type, status, the descriptor count of *_WITH_FDS
 * types), then the payload is decoded with the XDR functions of the
 * catalog: a CALL's arguments, a REPLY's result or error, an event's
 * payload, a keepalive message's emptiness. A packet whose length runs
 * past the input is decoded from what there is, as a truncated read would
 * be. Whatever the input, nothing may crash, leak, or read out of bounds. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_keepalive.h"
#include "rpc/rpc_message.h"
#include "rpc/rpc_program.h"
#include "util/error.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t fuzz_sink;

/* Decode the payload of MSG with PROC into fresh storage of SIZE bytes. */
static void
fuzz_decode(RpcMessage *msg, xdrproc_t proc, size_t size)
{
    void *storage = g_malloc0(size ? size : 1);

    if (rpc_message_decode_payload(msg, proc, storage) == 0)
        fuzz_sink += msg->offset;
    xdr_free(proc, storage);
    g_free(storage);
}

static void
fuzz_packet(RpcMessage *msg)
{
    const RpcProcInfo *info;
    size_t payload;

    if (rpc_message_decode_header(msg) < 0)
        return;
    payload = msg->offset;
    fuzz_sink += msg->nfds;

    if (msg->header.prog == KEEPALIVE_PROGRAM) {
        fuzz_sink += rpc_keepalive_check_message(msg) + 1;
        return;
    }
    if (msg->header.type == RPC_WIRE_REPLY && msg->header.status == RPC_WIRE_ERROR) {
        g_autoptr(QvirtError) err = rpc_message_decode_error(msg);

        if (err)
            fuzz_sink += strlen(err->message);
        return;
    }
    info = rpc_program_lookup(msg->header.prog, msg->header.proc);
    if (!info)
        return;
    switch ((int)msg->header.type) {
    case RPC_WIRE_CALL:
    case RPC_WIRE_CALL_WITH_FDS:
    case RPC_WIRE_MESSAGE:
        fuzz_decode(msg, info->args_proc, info->args_size);
        break;
    case RPC_WIRE_REPLY:
    case RPC_WIRE_REPLY_WITH_FDS:
        fuzz_decode(msg, info->ret_proc, info->ret_size);
        break;
    default:
        break;
    }
    /* Both directions: the same bytes read as the other kind of payload. */
    msg->offset = payload;
    fuzz_decode(msg, info->ret_proc, info->ret_size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gboolean initialized;

    if (!initialized) {
        /* Rejected input logs errors; keep the fuzzer's output readable. */
        qvirt_log_set_outputs("4:file:/dev/null");
        initialized = TRUE;
    }
    while (size >= RPC_WIRE_LEN_SIZE) {
        g_autoptr(RpcMessage) msg = NULL;
        size_t length;
        size_t have;

        if (rpc_message_decode_length(data, &length) < 0)
            break;
        have = MIN(length, size);
        msg = rpc_message_new();
        msg->buffer = g_memdup2(data, have);
        msg->length = have;
        if (have < length) {
            /* A truncated packet: its length word says more than arrived. */
            fuzz_packet(msg);
            break;
        }
        fuzz_packet(msg);
        data += length;
        size -= length;
    }
    qvirt_error_reset();
    return 0;
}

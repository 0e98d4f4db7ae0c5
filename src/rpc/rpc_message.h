/* rpc_message.h: one RPC packet: framing, header, payload and error
 * payloads, encoded and decoded with XDR (libvirt's wire format).
 *
 * A packet is a 4-byte length (the whole packet, this word included), the
 * 24-byte header (program, version, procedure, type, serial, status), for
 * the *_WITH_FDS types a word with the number of descriptors, then the
 * payload. The descriptors travel after the packet, one SCM_RIGHTS message
 * each (rpc_socket.h).
 *
 * Contract:
 * - A decoder never trusts the input: a length under 28 or over
 *   RPC_MESSAGE_MAX_LENGTH, an unknown program, a wrong version, an unknown
 *   type or status, too many descriptors and any payload XDR cannot decode
 *   fail with one QVIRT_ERR_RPC error (from QVIRT_FROM_RPC); nothing is
 *   allocated beyond the limits of the protocol definitions, and strings are
 *   at most 4 MiB.
 * - Encoding fails (QVIRT_ERR_RPC) only when the packet would exceed the
 *   limit or XDR refuses the data (e.g. a string over its bound).
 * - An RpcMessage belongs to one thread at a time; it owns its buffer and
 *   its descriptors (closed by rpc_message_free unless stolen). */
#pragma once

#include <glib.h>

#include "rpc/rpc_protocol.h"
#include "util/error.h"

/* The XDR function of an empty payload (tirpc's xdr_void takes no
 * arguments, which does not cast cleanly to xdrproc_t). */
bool_t rpc_xdr_void(XDR *xdrs, void *data);
#define RPC_XDR_VOID ((xdrproc_t)rpc_xdr_void)

/* The header, as XDR decodes it. */
typedef rpc_wire_header RpcHeader;

/* Largest packet, length word included (libvirt: 32 MiB after the word). */
#define RPC_MESSAGE_MAX_LENGTH (RPC_WIRE_LEN_SIZE + RPC_WIRE_MESSAGE_MAX)
/* Smallest packet: the length word and the header. */
#define RPC_MESSAGE_MIN_LENGTH (RPC_WIRE_LEN_SIZE + RPC_WIRE_HEADER_SIZE)

typedef struct {
    RpcHeader header;
    guint8 *buffer; /* the whole packet, length word included */
    size_t length;  /* bytes in buffer: the packet's length once complete */
    size_t offset;  /* reading: next payload byte; writing: bytes already sent */
    int *fds;       /* descriptors carried (-1 for one stolen or not yet received) */
    size_t nfds;
    size_t donefds; /* descriptors already sent or received */
} RpcMessage;

RpcMessage *rpc_message_new(void);
/* Frees the buffer and closes every descriptor still held. NULL is accepted. */
void rpc_message_free(RpcMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RpcMessage, rpc_message_free)

/* Take ownership of FD (>= 0) to send it with MSG; call before encoding.
 * At most RPC_WIRE_NUM_FDS_MAX; returns 0, or -1 with an error reported (the
 * caller keeps FD). */
int rpc_message_add_fd(RpcMessage *msg, int fd);
/* Give the caller descriptor INDEX (it becomes -1 in MSG), or -1 when out of
 * range or already taken. */
int rpc_message_steal_fd(RpcMessage *msg, size_t index);

/* ---- Header ---- */

/* Encode HDR into exactly RPC_WIRE_HEADER_SIZE bytes at BUF. */
void rpc_header_encode(const RpcHeader *hdr, guint8 *buf);
/* Decode RPC_WIRE_HEADER_SIZE bytes at BUF and check them: a known program
 * with its version, a known type and status. Returns 0, or -1 with an error
 * reported (ret_hdr untouched). */
int rpc_header_decode(const guint8 *buf, RpcHeader *ret_hdr);

/* Whether TYPE is one of the *_WITH_FDS types. */
gboolean rpc_message_type_has_fds(int type);
/* "CALL", "REPLY", ... or NULL. */
const char *rpc_message_type_to_string(int type);

/* ---- Encoding (the sender) ---- */

/* Make MSG the packet HDR + payload DATA encoded by PROC (RPC_XDR_VOID for
 * none). When MSG holds descriptors the header type must be a *_WITH_FDS
 * type, and the reverse. Resets offset and donefds for sending. Returns 0,
 * or -1 with an error reported. */
int rpc_message_encode(RpcMessage *msg, const RpcHeader *hdr, xdrproc_t proc, void *data);

/* Make MSG the error REPLY (status ERROR) to CALL (same program, version,
 * procedure and serial) carrying ERR, or when ERR is NULL the calling
 * thread's last error (or an internal error when none is set). Never fails:
 * a message too long for the packet is cut. */
void rpc_message_encode_error(RpcMessage *msg, const RpcHeader *call, const QvirtError *err);

/* ---- Decoding (the receiver) ---- */

/* Check the length word at BUF (4 bytes) and return the packet length. */
int rpc_message_decode_length(const guint8 *buf, size_t *ret_length);

/* With MSG->buffer holding a complete packet of MSG->length bytes: decode
 * and check the header, and for *_WITH_FDS types the descriptor count (then
 * MSG->fds holds that many -1 slots to receive into). Leaves offset at the
 * payload. Returns 0, or -1 with an error reported. */
int rpc_message_decode_header(RpcMessage *msg);

/* Decode the payload of MSG with PROC into DATA (zeroed storage of the
 * right type; free its contents with xdr_free(PROC, DATA) even on failure).
 * Returns 0, or -1 with an error reported. */
int rpc_message_decode_payload(RpcMessage *msg, xdrproc_t proc, void *data);

/* Decode an error payload into a new QvirtError (code, domain, level and
 * message from the peer). Returns NULL with an error reported when the
 * payload is not a valid error. */
QvirtError *rpc_message_decode_error(RpcMessage *msg);

/* For a reply with status ERROR: set the calling thread's error to the one
 * the peer sent (or to an RPC error when the payload is malformed). Always
 * returns -1, so callers can `return rpc_message_raise_error(msg);`. */
int rpc_message_raise_error(RpcMessage *msg);

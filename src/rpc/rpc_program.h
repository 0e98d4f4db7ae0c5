/* rpc_program.h: the catalog of the programs and procedures qvirt speaks
 * (REMOTE, QEMU, KEEPALIVE): for each procedure its name, the XDR functions
 * and C sizes of its arguments and reply, and whether it may run on a
 * read-only listener and on the priority pool.
 *
 * Contract: the catalog is constant data, safe from any thread. A procedure
 * missing from it is one qvirt does not implement (the server answers
 * NO_SUPPORT). Events (MESSAGEs the server sends) are listed with their
 * payload as "args" and the flag RPC_PROC_EVENT. The server's dispatch
 * table (rpc_server.h) is built from these entries. */
#pragma once

#include <glib.h>

#include "rpc/keepalive_protocol.h"
#include "rpc/qemu_protocol.h"
#include "rpc/remote_protocol.h"
#include "rpc/rpc_protocol.h"

/* Flags of a procedure. */
typedef enum {
    RPC_PROC_PRIORITY = 1 << 0,    /* served by the priority pool: never starved */
    RPC_PROC_READONLY_OK = 1 << 1, /* changes nothing: allowed on read-only listeners */
    RPC_PROC_EVENT = 1 << 2,       /* a MESSAGE from the server; never called */
} RpcProcFlags;

typedef struct {
    guint32 prog;
    int proc;
    const char *name; /* e.g. "CONNECT_OPEN" */
    xdrproc_t args_proc;
    size_t args_size; /* 0 with RPC_XDR_VOID */
    xdrproc_t ret_proc;
    size_t ret_size;    /* 0 with RPC_XDR_VOID */
    unsigned int flags; /* RpcProcFlags */
} RpcProcInfo;

/* The entry of PROC in PROG, or NULL when qvirt does not implement it. */
const RpcProcInfo *rpc_program_lookup(guint32 prog, int proc);

/* Every entry, sorted by program then procedure number. */
const RpcProcInfo *rpc_program_list(size_t *ret_count);

/* Whether PROG is one of the three programs, and its version (1), or 0
 * when PROG is unknown. */
gboolean rpc_program_is_known(guint32 prog);
guint32 rpc_program_version(guint32 prog);
/* "REMOTE", "QEMU", "KEEPALIVE", or NULL. */
const char *rpc_program_name(guint32 prog);

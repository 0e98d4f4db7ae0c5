/* remote_dispatch.h: the daemon's handlers for the REMOTE and QEMU programs:
 * each procedure decodes into a call of the in-process API (driver/api.h)
 * on the client's connection and encodes the answer.
 *
 * Contract:
 * - One connection per client: CONNECT_OPEN opens a QvConnect (read-only on
 *   a read-only listener) and keeps it as the client's private data; closing
 *   the client (or CONNECT_CLOSE) closes it. Calls before CONNECT_OPEN fail
 *   with INTERNAL_ERROR "connection not open".
 * - URIs: a session daemon serves qemu:///session, a system daemon
 *   qemu:///system, both test:///default; anything else is NO_CONNECT.
 * - On a read-only listener every procedure not flagged READONLY_OK in the
 *   catalog fails with OPERATION_DENIED.
 * - Errors leave as error replies with libvirt's codes, and with libvirt's
 *   message prefix for the code ("Domain not found: ..."), added here in one
 *   place (remote_dispatch_error_prefix()).
 * - Domain events registered through CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY
 *   are sent to the client as MESSAGEs (lifecycle, reboot, block job, block
 *   job 2, migration iteration, job completed). */
#pragma once

#include <glib.h>

#include "rpc/rpc_server.h"

typedef struct _RemoteDispatch RemoteDispatch;

/* Register every handler on SERVER, and its client and feature functions.
 * PRIVILEGED: a system daemon (decides the qemu URI served). The result
 * must outlive the server. Returns NULL with an error reported on failure. */
RemoteDispatch *remote_dispatch_new(RpcServer *server, gboolean privileged);
void remote_dispatch_free(RemoteDispatch *dispatch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemoteDispatch, remote_dispatch_free)

/* The libvirt prefix of an error code ("Domain not found"), or NULL when
 * the code has none. */
const char *remote_dispatch_error_prefix(int code);

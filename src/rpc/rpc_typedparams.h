/* rpc_typedparams.h: typed parameters (driver/typedparams.h) to and from
 * their wire form (remote_typed_param), shared by the daemon's dispatch and
 * the client's remote driver.
 *
 * Contract: a type outside libvirt's INT..STRING is an RPC error naming the
 * field; nothing is returned then. */
#pragma once

#include <glib.h>

#include "driver/typedparams.h"
#include "rpc/remote_protocol.h"

/* A new list from N wire parameters. 0, or -1 with an error. */
int rpc_typed_params_from_wire(const remote_typed_param *wire, u_int n, QvTypedParam **ret_params,
                               int *ret_nparams);

/* A new wire array of NPARAMS entries (at least one element is allocated).
 * With COPY_STRINGS the field names and string values are copies, for
 * xdr_free(); without, they point into PARAMS and only the array is to be
 * freed (g_free). MAX > 0 bounds NPARAMS (RPC error beyond it). 0 or -1. */
int rpc_typed_params_to_wire(const QvTypedParam *params, int nparams, int max,
                             gboolean copy_strings, remote_typed_param **ret_val, u_int *ret_len);

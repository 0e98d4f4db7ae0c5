/* remote_driver_migrate.c: the remote driver's migration entries (see
 * remote_driver.h): the five steps of version 3 with parameters, and the
 * tuning calls (downtime, bandwidth, post-copy), each one REMOTE procedure
 * with libvirt's number and layout.
 *
 * Cookies travel as opaque bytes; a cookie the daemon returns empty is
 * NULL with length 0 here. Peer-to-peer Perform passes DCONNURI unchanged:
 * it is the URI the source daemon itself opens to reach the destination. */
#include <config.h>

#include <string.h>

#include "remote/remote_driver_priv.h"
#include "util/error.h"
#include "util/i18n.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

/* ---- conversions ---- */

/* The parameters of a migration step in wire form. */
static int
remote_mig_params(const QvTypedParam *params, int nparams, remote_typed_param **ret_val,
                  u_int *ret_len)
{
    return rpc_typed_params_to_wire(params, nparams, REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX, FALSE,
                                    ret_val, ret_len);
}

/* A cookie from the wire: a copy, or NULL when empty. */
static void
remote_cookie_from_wire(const char *val, u_int len, char **ret_cookie, int *ret_len)
{
    *ret_cookie = len ? g_memdup2(val, len) : NULL;
    *ret_len = (int)len;
}

/* ---- the five steps ---- */

char *
remote_domain_migrate_begin3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                    char **ret_cookie_out, int *ret_cookie_outlen,
                                    unsigned int flags)
{
    remote_domain_migrate_begin3_params_args args = {0};
    remote_domain_migrate_begin3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;
    char *xml;

    if (remote_mig_params(params, nparams, &wire, &args.params.params_len) < 0)
        return NULL;
    args.params.params_val = wire;
    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS,
                    (xdrproc_t)xdr_remote_domain_migrate_begin3_params_args, &args,
                    (xdrproc_t)xdr_remote_domain_migrate_begin3_params_ret, &ret) < 0)
        return NULL;
    xml = g_strdup(ret.xml);
    remote_cookie_from_wire(ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                            ret_cookie_out, ret_cookie_outlen);
    xdr_free((xdrproc_t)xdr_remote_domain_migrate_begin3_params_ret, (char *)&ret);
    return xml;
}

int
remote_domain_migrate_prepare3_params(QvConnect *dconn, const QvTypedParam *params, int nparams,
                                      const char *cookie_in, int cookie_inlen,
                                      char **ret_cookie_out, int *ret_cookie_outlen,
                                      char **ret_uri_out, unsigned int flags)
{
    remote_domain_migrate_prepare3_params_args args = {0};
    remote_domain_migrate_prepare3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;

    if (remote_mig_params(params, nparams, &wire, &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    args.cookie_in.cookie_in_val = (char *)cookie_in;
    args.cookie_in.cookie_in_len = (u_int)cookie_inlen;
    args.flags = flags;
    if (remote_call(dconn, REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS,
                    (xdrproc_t)xdr_remote_domain_migrate_prepare3_params_args, &args,
                    (xdrproc_t)xdr_remote_domain_migrate_prepare3_params_ret, &ret) < 0)
        return -1;
    remote_cookie_from_wire(ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                            ret_cookie_out, ret_cookie_outlen);
    *ret_uri_out = ret.uri_out ? g_strdup(*ret.uri_out) : NULL;
    xdr_free((xdrproc_t)xdr_remote_domain_migrate_prepare3_params_ret, (char *)&ret);
    return 0;
}

int
remote_domain_migrate_perform3_params(QvDomain *dom, const char *dconnuri,
                                      const QvTypedParam *params, int nparams,
                                      const char *cookie_in, int cookie_inlen,
                                      char **ret_cookie_out, int *ret_cookie_outlen,
                                      unsigned int flags)
{
    remote_domain_migrate_perform3_params_args args = {0};
    remote_domain_migrate_perform3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;
    char *uri = (char *)dconnuri;

    if (remote_mig_params(params, nparams, &wire, &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    remote_dom_to_wire(dom, &args.dom);
    args.dconnuri = dconnuri ? &uri : NULL;
    args.cookie_in.cookie_in_val = (char *)cookie_in;
    args.cookie_in.cookie_in_len = (u_int)cookie_inlen;
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS,
                    (xdrproc_t)xdr_remote_domain_migrate_perform3_params_args, &args,
                    (xdrproc_t)xdr_remote_domain_migrate_perform3_params_ret, &ret) < 0)
        return -1;
    remote_cookie_from_wire(ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                            ret_cookie_out, ret_cookie_outlen);
    xdr_free((xdrproc_t)xdr_remote_domain_migrate_perform3_params_ret, (char *)&ret);
    return 0;
}

QvDomain *
remote_domain_migrate_finish3_params(QvConnect *dconn, const QvTypedParam *params, int nparams,
                                     const char *cookie_in, int cookie_inlen, char **ret_cookie_out,
                                     int *ret_cookie_outlen, unsigned int flags, int cancelled)
{
    remote_domain_migrate_finish3_params_args args = {0};
    remote_domain_migrate_finish3_params_ret ret = {0};
    g_autofree remote_typed_param *wire = NULL;
    QvDomain *ddom;

    if (remote_mig_params(params, nparams, &wire, &args.params.params_len) < 0)
        return NULL;
    args.params.params_val = wire;
    args.cookie_in.cookie_in_val = (char *)cookie_in;
    args.cookie_in.cookie_in_len = (u_int)cookie_inlen;
    args.flags = flags;
    args.cancelled = cancelled;
    if (remote_call(dconn, REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS,
                    (xdrproc_t)xdr_remote_domain_migrate_finish3_params_args, &args,
                    (xdrproc_t)xdr_remote_domain_migrate_finish3_params_ret, &ret) < 0)
        return NULL;
    ddom = remote_dom_from_wire(dconn, &ret.dom);
    remote_cookie_from_wire(ret.cookie_out.cookie_out_val, ret.cookie_out.cookie_out_len,
                            ret_cookie_out, ret_cookie_outlen);
    xdr_free((xdrproc_t)xdr_remote_domain_migrate_finish3_params_ret, (char *)&ret);
    return ddom;
}

int
remote_domain_migrate_confirm3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                      const char *cookie_in, int cookie_inlen, unsigned int flags,
                                      int cancelled)
{
    remote_domain_migrate_confirm3_params_args args = {0};
    g_autofree remote_typed_param *wire = NULL;

    if (remote_mig_params(params, nparams, &wire, &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    remote_dom_to_wire(dom, &args.dom);
    args.cookie_in.cookie_in_val = (char *)cookie_in;
    args.cookie_in.cookie_in_len = (u_int)cookie_inlen;
    args.flags = flags;
    args.cancelled = cancelled;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS,
                       (xdrproc_t)xdr_remote_domain_migrate_confirm3_params_args, &args,
                       RPC_XDR_VOID, NULL);
}

/* ---- tuning ---- */

int
remote_domain_migrate_set_max_downtime(QvDomain *dom, unsigned long long downtime_ms,
                                       unsigned int flags)
{
    remote_domain_migrate_set_max_downtime_args args = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.downtime = downtime_ms;
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
                       (xdrproc_t)xdr_remote_domain_migrate_set_max_downtime_args, &args,
                       RPC_XDR_VOID, NULL);
}

int
remote_domain_migrate_get_max_downtime(QvDomain *dom, unsigned long long *ret_downtime_ms,
                                       unsigned int flags)
{
    remote_domain_migrate_get_max_downtime_args args = {0};
    remote_domain_migrate_get_max_downtime_ret ret = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_DOWNTIME,
                    (xdrproc_t)xdr_remote_domain_migrate_get_max_downtime_args, &args,
                    (xdrproc_t)xdr_remote_domain_migrate_get_max_downtime_ret, &ret) < 0)
        return -1;
    *ret_downtime_ms = ret.downtime;
    return 0;
}

int
remote_domain_migrate_set_max_speed(QvDomain *dom, unsigned long long bandwidth_mibs,
                                    unsigned int flags)
{
    remote_domain_migrate_set_max_speed_args args = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.bandwidth = bandwidth_mibs;
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_SPEED,
                       (xdrproc_t)xdr_remote_domain_migrate_set_max_speed_args, &args, RPC_XDR_VOID,
                       NULL);
}

int
remote_domain_migrate_get_max_speed(QvDomain *dom, unsigned long long *ret_bandwidth_mibs,
                                    unsigned int flags)
{
    remote_domain_migrate_get_max_speed_args args = {0};
    remote_domain_migrate_get_max_speed_ret ret = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED,
                    (xdrproc_t)xdr_remote_domain_migrate_get_max_speed_args, &args,
                    (xdrproc_t)xdr_remote_domain_migrate_get_max_speed_ret, &ret) < 0)
        return -1;
    *ret_bandwidth_mibs = ret.bandwidth;
    return 0;
}

int
remote_domain_migrate_start_post_copy(QvDomain *dom, unsigned int flags)
{
    remote_domain_migrate_start_post_copy_args args = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY,
                       (xdrproc_t)xdr_remote_domain_migrate_start_post_copy_args, &args,
                       RPC_XDR_VOID, NULL);
}

/* remote_dispatch_migrate.c: handlers of the migration procedures of the
 * REMOTE program: the five steps of version 3 with parameters (BEGIN3,
 * PREPARE3, PERFORM3, FINISH3 and CONFIRM3_PARAMS) and the tuning calls
 * (SET/GET_MAX_DOWNTIME, SET/GET_MAX_SPEED, START_POST_COPY). Each one
 * decodes into one call of the API (driver/api.h) on the client's
 * connection; see remote_dispatch.h for the rules.
 *
 * Contract: the destination connection of a peer-to-peer PERFORM3 is the
 * dconnuri the client sent, passed on unchanged (the driver opens it with
 * the remote driver qvirtd links). A FINISH3 told that the migration was
 * cancelled answers, as libvirt's daemon does, with the error
 * MIGRATE_FINISH_OK when the driver returned no domain and no error. */
#include <config.h>

#include <string.h>

#include "daemon/remote_dispatch_priv.h"
#include "rpc/rpc_typedparams.h"
#include "util/error.h"
#include "util/i18n.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

/* ---- the five steps ---- */

static int
migrate_begin3_params(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_migrate_begin3_params_args *a = args;
    remote_domain_migrate_begin3_params_ret *r = ret;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);
    g_auto(RemoteDispatchParams) p = {0};
    char *cookie = NULL;
    int cookie_len = 0;
    char *xml;

    if (!dom ||
        rpc_typed_params_from_wire(a->params.params_val, a->params.params_len, &p.params, &p.n) < 0)
        return -1;
    if (!(xml =
              qv_domain_migrate_begin3_params(dom, p.params, p.n, &cookie, &cookie_len, a->flags)))
        return -1;
    r->xml = xml;
    r->cookie_out.cookie_out_val = cookie;
    r->cookie_out.cookie_out_len = (u_int)cookie_len;
    return 0;
}

static int
migrate_prepare3_params(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_migrate_prepare3_params_args *a = args;
    remote_domain_migrate_prepare3_params_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_auto(RemoteDispatchParams) p = {0};
    char *cookie = NULL;
    int cookie_len = 0;
    char *uri_out = NULL;

    if (!conn ||
        rpc_typed_params_from_wire(a->params.params_val, a->params.params_len, &p.params, &p.n) < 0)
        return -1;
    if (qv_domain_migrate_prepare3_params(conn, p.params, p.n, a->cookie_in.cookie_in_val,
                                          (int)a->cookie_in.cookie_in_len, &cookie, &cookie_len,
                                          &uri_out, a->flags) < 0)
        return -1;
    r->cookie_out.cookie_out_val = cookie;
    r->cookie_out.cookie_out_len = (u_int)cookie_len;
    if (uri_out) {
        r->uri_out = g_new0(char *, 1);
        *r->uri_out = uri_out;
    }
    return 0;
}

static int
migrate_perform3_params(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_migrate_perform3_params_args *a = args;
    remote_domain_migrate_perform3_params_ret *r = ret;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);
    g_auto(RemoteDispatchParams) p = {0};
    const char *dconnuri = remote_dispatch_opt_string(a->dconnuri);
    char *cookie = NULL;
    int cookie_len = 0;

    if (!dom ||
        rpc_typed_params_from_wire(a->params.params_val, a->params.params_len, &p.params, &p.n) < 0)
        return -1;
    if (qv_domain_migrate_perform3_params(dom, dconnuri, p.params, p.n, a->cookie_in.cookie_in_val,
                                          (int)a->cookie_in.cookie_in_len, &cookie, &cookie_len,
                                          a->flags) < 0)
        return -1;
    r->cookie_out.cookie_out_val = cookie;
    r->cookie_out.cookie_out_len = (u_int)cookie_len;
    return 0;
}

static int
migrate_finish3_params(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_migrate_finish3_params_args *a = args;
    remote_domain_migrate_finish3_params_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autoptr(QvDomain) ddom = NULL;
    g_auto(RemoteDispatchParams) p = {0};
    char *cookie = NULL;
    int cookie_len = 0;

    if (!conn ||
        rpc_typed_params_from_wire(a->params.params_val, a->params.params_len, &p.params, &p.n) < 0)
        return -1;
    ddom = qv_domain_migrate_finish3_params(conn, p.params, p.n, a->cookie_in.cookie_in_val,
                                            (int)a->cookie_in.cookie_in_len, &cookie, &cookie_len,
                                            a->flags, a->cancelled);
    if (!ddom) {
        g_free(cookie);
        if (a->cancelled && !qvirt_error_get_last())
            qvirt_report_error(QVIRT_ERR_MIGRATE_FINISH_OK, _("migration successfully aborted"));
        return -1;
    }
    remote_dispatch_make_domain(&r->dom, ddom);
    r->cookie_out.cookie_out_val = cookie;
    r->cookie_out.cookie_out_len = (u_int)cookie_len;
    return 0;
}

static int
migrate_confirm3_params(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                        void *ret G_GNUC_UNUSED)
{
    remote_domain_migrate_confirm3_params_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);
    g_auto(RemoteDispatchParams) p = {0};

    if (!dom ||
        rpc_typed_params_from_wire(a->params.params_val, a->params.params_len, &p.params, &p.n) < 0)
        return -1;
    return qv_domain_migrate_confirm3_params(dom, p.params, p.n, a->cookie_in.cookie_in_val,
                                             (int)a->cookie_in.cookie_in_len, a->flags,
                                             a->cancelled);
}

/* ---- tuning ---- */

static int
migrate_set_max_downtime(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                         void *ret G_GNUC_UNUSED)
{
    remote_domain_migrate_set_max_downtime_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_migrate_set_max_downtime(dom, a->downtime, a->flags) : -1;
}

static int
migrate_get_max_downtime(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_migrate_get_max_downtime_args *a = args;
    remote_domain_migrate_get_max_downtime_ret *r = ret;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);
    unsigned long long downtime;

    if (!dom || qv_domain_migrate_get_max_downtime(dom, &downtime, a->flags) < 0)
        return -1;
    r->downtime = downtime;
    return 0;
}

static int
migrate_set_max_speed(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                      void *ret G_GNUC_UNUSED)
{
    remote_domain_migrate_set_max_speed_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_migrate_set_max_speed(dom, a->bandwidth, a->flags) : -1;
}

static int
migrate_get_max_speed(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_migrate_get_max_speed_args *a = args;
    remote_domain_migrate_get_max_speed_ret *r = ret;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);
    unsigned long long bandwidth;

    if (!dom || qv_domain_migrate_get_max_speed(dom, &bandwidth, a->flags) < 0)
        return -1;
    r->bandwidth = bandwidth;
    return 0;
}

static int
migrate_start_post_copy(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                        void *ret G_GNUC_UNUSED)
{
    remote_domain_migrate_start_post_copy_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_migrate_start_post_copy(dom, a->flags) : -1;
}

const RemoteDispatchProc remote_dispatch_migrate_procs[] = {
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_DOWNTIME, migrate_set_max_downtime},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_SPEED, migrate_set_max_speed},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED, migrate_get_max_speed},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS, migrate_begin3_params},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS, migrate_prepare3_params},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS, migrate_perform3_params},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS, migrate_finish3_params},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS, migrate_confirm3_params},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY, migrate_start_post_copy},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_DOWNTIME, migrate_get_max_downtime},
    {0, 0, NULL},
};

/* remote_dispatch_blockjob.c: handlers of the block job procedures of the
 * REMOTE program: BLOCK_PULL, BLOCK_REBASE, BLOCK_COMMIT, BLOCK_COPY,
 * BLOCK_JOB_ABORT, GET_BLOCK_JOB_INFO and BLOCK_JOB_SET_SPEED. Each one
 * decodes into one call of the API (driver/api.h) on the client's
 * connection; see remote_dispatch.h for the rules (read-only refusal is
 * the API's).
 *
 * Contract: GET_BLOCK_JOB_INFO answers found 0 with zero figures when the
 * disk has no job, as libvirt's daemon does; absent optional strings reach
 * the API as NULL. */
#include <config.h>

#include "daemon/remote_dispatch_priv.h"
#include "rpc/rpc_typedparams.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

static int
block_pull(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret G_GNUC_UNUSED)
{
    remote_domain_block_pull_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_block_pull(dom, a->path, a->bandwidth, a->flags) : -1;
}

static int
block_rebase(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
             void *ret G_GNUC_UNUSED)
{
    remote_domain_block_rebase_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_block_rebase(dom, a->path, remote_dispatch_opt_string(a->base),
                                        a->bandwidth, a->flags)
               : -1;
}

static int
block_commit(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
             void *ret G_GNUC_UNUSED)
{
    remote_domain_block_commit_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    if (!dom)
        return -1;
    return qv_domain_block_commit(dom, a->disk, remote_dispatch_opt_string(a->base),
                                  remote_dispatch_opt_string(a->top), a->bandwidth, a->flags);
}

static int
block_copy(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret G_GNUC_UNUSED)
{
    remote_domain_block_copy_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);
    g_auto(RemoteDispatchParams) p = {0};

    if (!dom ||
        rpc_typed_params_from_wire(a->params.params_val, a->params.params_len, &p.params, &p.n) < 0)
        return -1;
    return qv_domain_block_copy(dom, a->path, a->destxml, p.params, p.n, a->flags);
}

static int
block_job_abort(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                void *ret G_GNUC_UNUSED)
{
    remote_domain_block_job_abort_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_block_job_abort(dom, a->path, a->flags) : -1;
}

static int
get_block_job_info(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_get_block_job_info_args *a = args;
    remote_domain_get_block_job_info_ret *r = ret;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);
    QvDomainBlockJobInfo info = {0};
    int found;

    if (!dom || (found = qv_domain_get_block_job_info(dom, a->path, &info, a->flags)) < 0)
        return -1;
    r->found = found;
    if (found) {
        r->type = info.type;
        r->bandwidth = info.bandwidth;
        r->cur = info.cur;
        r->end = info.end;
    }
    return 0;
}

static int
block_job_set_speed(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                    void *ret G_GNUC_UNUSED)
{
    remote_domain_block_job_set_speed_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_block_job_set_speed(dom, a->path, a->bandwidth, a->flags) : -1;
}

const RemoteDispatchProc remote_dispatch_blockjob_procs[] = {
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT, block_job_abort},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO, get_block_job_info},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED, block_job_set_speed},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_PULL, block_pull},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_REBASE, block_rebase},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_COMMIT, block_commit},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_BLOCK_COPY, block_copy},
    {0, 0, NULL},
};

/* remote_driver_blockjob.c: the remote driver's block job entries (see
 * remote_driver.h): PULL, REBASE, COMMIT, COPY, JOB_ABORT, GET_BLOCK_JOB_INFO
 * and JOB_SET_SPEED, each one REMOTE procedure with libvirt's number and
 * layout.
 *
 * Optional strings (a rebase's base, a commit's base and top) travel as
 * absent when NULL. A copy's typed parameters are bounded by
 * REMOTE_DOMAIN_BLOCK_COPY_PARAMETERS_MAX. The info call answers 1 with the
 * job's figures when the daemon found a job, else 0 with *RET_INFO zeroed. */
#include <config.h>

#include <string.h>

#include "remote/remote_driver_priv.h"

int
remote_domain_block_pull(QvDomain *dom, const char *disk, unsigned long long bandwidth,
                         unsigned int flags)
{
    remote_domain_block_pull_args args = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.path = (char *)disk;
    args.bandwidth = bandwidth;
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_PULL,
                       (xdrproc_t)xdr_remote_domain_block_pull_args, &args, RPC_XDR_VOID, NULL);
}

int
remote_domain_block_rebase(QvDomain *dom, const char *disk, const char *base,
                           unsigned long long bandwidth, unsigned int flags)
{
    remote_domain_block_rebase_args args = {0};
    char *b = (char *)base;

    remote_dom_to_wire(dom, &args.dom);
    args.path = (char *)disk;
    args.base = base ? &b : NULL;
    args.bandwidth = bandwidth;
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_REBASE,
                       (xdrproc_t)xdr_remote_domain_block_rebase_args, &args, RPC_XDR_VOID, NULL);
}

int
remote_domain_block_commit(QvDomain *dom, const char *disk, const char *base, const char *top,
                           unsigned long long bandwidth, unsigned int flags)
{
    remote_domain_block_commit_args args = {0};
    char *b = (char *)base;
    char *t = (char *)top;

    remote_dom_to_wire(dom, &args.dom);
    args.disk = (char *)disk;
    args.base = base ? &b : NULL;
    args.top = top ? &t : NULL;
    args.bandwidth = bandwidth;
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_COMMIT,
                       (xdrproc_t)xdr_remote_domain_block_commit_args, &args, RPC_XDR_VOID, NULL);
}

int
remote_domain_block_copy(QvDomain *dom, const char *disk, const char *destxml,
                         const QvTypedParam *params, int nparams, unsigned int flags)
{
    remote_domain_block_copy_args args = {0};
    g_autofree remote_typed_param *wire = NULL;

    if (rpc_typed_params_to_wire(params, nparams, REMOTE_DOMAIN_BLOCK_COPY_PARAMETERS_MAX, FALSE,
                                 &wire, &args.params.params_len) < 0)
        return -1;
    args.params.params_val = wire;
    remote_dom_to_wire(dom, &args.dom);
    args.path = (char *)disk;
    args.destxml = (char *)destxml;
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_COPY,
                       (xdrproc_t)xdr_remote_domain_block_copy_args, &args, RPC_XDR_VOID, NULL);
}

int
remote_domain_block_job_abort(QvDomain *dom, const char *disk, unsigned int flags)
{
    remote_domain_block_job_abort_args args = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.path = (char *)disk;
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT,
                       (xdrproc_t)xdr_remote_domain_block_job_abort_args, &args, RPC_XDR_VOID,
                       NULL);
}

int
remote_domain_get_block_job_info(QvDomain *dom, const char *disk, QvDomainBlockJobInfo *ret_info,
                                 unsigned int flags)
{
    remote_domain_get_block_job_info_args args = {0};
    remote_domain_get_block_job_info_ret ret = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.path = (char *)disk;
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO,
                    (xdrproc_t)xdr_remote_domain_get_block_job_info_args, &args,
                    (xdrproc_t)xdr_remote_domain_get_block_job_info_ret, &ret) < 0)
        return -1;
    memset(ret_info, 0, sizeof(*ret_info));
    if (!ret.found)
        return 0;
    ret_info->type = ret.type;
    ret_info->bandwidth = ret.bandwidth;
    ret_info->cur = ret.cur;
    ret_info->end = ret.end;
    return 1;
}

int
remote_domain_block_job_set_speed(QvDomain *dom, const char *disk, unsigned long long bandwidth,
                                  unsigned int flags)
{
    remote_domain_block_job_set_speed_args args = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.path = (char *)disk;
    args.bandwidth = bandwidth;
    args.flags = flags;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED,
                       (xdrproc_t)xdr_remote_domain_block_job_set_speed_args, &args, RPC_XDR_VOID,
                       NULL);
}

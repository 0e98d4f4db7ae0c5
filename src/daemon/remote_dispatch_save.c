/* remote_dispatch_save.c: handlers of the save, restore, managed save and
 * core dump procedures of the REMOTE program: SAVE, SAVE_FLAGS, RESTORE,
 * RESTORE_FLAGS, MANAGED_SAVE, HAS_MANAGED_SAVE_IMAGE, MANAGED_SAVE_REMOVE,
 * CORE_DUMP and CORE_DUMP_WITH_FORMAT. Each one decodes into one call of the
 * API (driver/api.h) on the client's connection; see remote_dispatch.h for
 * the rules (read-only refusal is the API's).
 *
 * Contract: these calls can take long (a save writes all of the guest's
 * memory), so the procedure catalog (rpc_program.c) gives them no
 * RPC_PROC_PRIORITY: they run on the worker pool, while the queries other
 * clients make meanwhile (GET_INFO, GET_JOB_INFO, GET_JOB_STATS,
 * HAS_MANAGED_SAVE_IMAGE...) and ABORT_JOB run on the priority pool and are
 * never held up behind them. An absent XML reaches the API as NULL. */
#include <config.h>

#include "daemon/remote_dispatch_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

static int
domain_save(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
            void *ret G_GNUC_UNUSED)
{
    remote_domain_save_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_save(dom, a->to) : -1;
}

static int
domain_save_flags(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                  void *ret G_GNUC_UNUSED)
{
    remote_domain_save_flags_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_save_flags(dom, a->to, remote_dispatch_opt_string(a->dxml), a->flags)
               : -1;
}

static int
domain_restore(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
               void *ret G_GNUC_UNUSED)
{
    remote_domain_restore_args *a = args;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    return conn ? qv_domain_restore(conn, a->from) : -1;
}

static int
domain_restore_flags(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                     void *ret G_GNUC_UNUSED)
{
    remote_domain_restore_flags_args *a = args;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    return conn ? qv_domain_restore_flags(conn, a->from, remote_dispatch_opt_string(a->dxml),
                                          a->flags)
                : -1;
}

static int
domain_managed_save(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                    void *ret G_GNUC_UNUSED)
{
    remote_domain_managed_save_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_managed_save(dom, a->flags) : -1;
}

static int
domain_has_managed_save_image(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                              void *ret)
{
    remote_domain_has_managed_save_image_args *a = args;
    remote_domain_has_managed_save_image_ret *r = ret;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);
    int rc;

    if (!dom || (rc = qv_domain_has_managed_save_image(dom, a->flags)) < 0)
        return -1;
    r->result = rc;
    return 0;
}

static int
domain_managed_save_remove(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                           void *ret G_GNUC_UNUSED)
{
    remote_domain_managed_save_remove_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_managed_save_remove(dom, a->flags) : -1;
}

static int
domain_core_dump(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                 void *ret G_GNUC_UNUSED)
{
    remote_domain_core_dump_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_core_dump(dom, a->to, a->flags) : -1;
}

static int
domain_core_dump_with_format(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                             void *ret G_GNUC_UNUSED)
{
    remote_domain_core_dump_with_format_args *a = args;
    g_autoptr(QvDomain) dom = remote_dispatch_client_domain(dc, &a->dom);

    return dom ? qv_domain_core_dump_with_format(dom, a->to, a->dumpformat, a->flags) : -1;
}

const RemoteDispatchProc remote_dispatch_save_procs[] = {
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CORE_DUMP, domain_core_dump},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_RESTORE, domain_restore},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SAVE, domain_save},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MANAGED_SAVE, domain_managed_save},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, domain_has_managed_save_image},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_MANAGED_SAVE_REMOVE, domain_managed_save_remove},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SAVE_FLAGS, domain_save_flags},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_RESTORE_FLAGS, domain_restore_flags},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CORE_DUMP_WITH_FORMAT, domain_core_dump_with_format},
    {0, 0, NULL},
};

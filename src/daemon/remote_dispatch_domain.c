/* remote_dispatch_domain.c: handlers of the domain procedures of the REMOTE
 * program (lookups, define, undefine, start, stop, suspend, queries, jobs)
 * and of the QEMU program's monitor pass-through. Each one turns the wire
 * handle into an API handle (no lookup: the driver finds the domain by
 * UUID) and calls the API; see remote_dispatch.h for the rules. */
#include <config.h>

#include <string.h>

#include "daemon/remote_dispatch_priv.h"
#include "util/error.h"
#include "util/i18n.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

/* The API handle of the wire handle D on DC's connection, or NULL. */
static QvDomain *
dom_get(DaemonClient *dc, const remote_nonnull_domain *d)
{
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    if (!conn)
        return NULL;
    return remote_dispatch_get_domain(conn, d);
}

/* ---- lookups ---- */

static int
domain_lookup_by_id(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_lookup_by_id_args *a = args;
    remote_domain_lookup_by_id_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autoptr(QvDomain) dom = NULL;

    if (!conn || !(dom = qv_domain_lookup_by_id(conn, a->id)))
        return -1;
    remote_dispatch_make_domain(&r->dom, dom);
    return 0;
}

static int
domain_lookup_by_name(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_lookup_by_name_args *a = args;
    remote_domain_lookup_by_name_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autoptr(QvDomain) dom = NULL;

    if (!conn || !(dom = qv_domain_lookup_by_name(conn, a->name)))
        return -1;
    remote_dispatch_make_domain(&r->dom, dom);
    return 0;
}

static int
domain_lookup_by_uuid(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_lookup_by_uuid_args *a = args;
    remote_domain_lookup_by_uuid_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autoptr(QvDomain) dom = NULL;

    if (!conn || !(dom = qv_domain_lookup_by_uuid(conn, (const unsigned char *)a->uuid)))
        return -1;
    remote_dispatch_make_domain(&r->dom, dom);
    return 0;
}

/* ---- define, undefine, start ---- */

static int
domain_define_xml(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_define_xml_args *a = args;
    remote_domain_define_xml_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autoptr(QvDomain) dom = NULL;

    if (!conn || !(dom = qv_domain_define_xml(conn, a->xml)))
        return -1;
    remote_dispatch_make_domain(&r->dom, dom);
    return 0;
}

static int
domain_define_xml_flags(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_define_xml_flags_args *a = args;
    remote_domain_define_xml_flags_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autoptr(QvDomain) dom = NULL;

    if (!conn || !(dom = qv_domain_define_xml_flags(conn, a->xml, a->flags)))
        return -1;
    remote_dispatch_make_domain(&r->dom, dom);
    return 0;
}

static int
domain_create_xml(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_create_xml_args *a = args;
    remote_domain_create_xml_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autoptr(QvDomain) dom = NULL;

    if (!conn || !(dom = qv_domain_create_xml(conn, a->xml_desc, a->flags)))
        return -1;
    remote_dispatch_make_domain(&r->dom, dom);
    return 0;
}

static int
domain_undefine(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                void *ret G_GNUC_UNUSED)
{
    remote_domain_undefine_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_undefine(dom) : -1;
}

static int
domain_undefine_flags(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                      void *ret G_GNUC_UNUSED)
{
    remote_domain_undefine_flags_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_undefine_flags(dom, a->flags) : -1;
}

static int
domain_create(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
              void *ret G_GNUC_UNUSED)
{
    remote_domain_create_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_create(dom) : -1;
}

/* The reply carries the handle again, now with the domain's id. */
static int
domain_create_with_flags(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_create_with_flags_args *a = args;
    remote_domain_create_with_flags_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);
    g_autoptr(QvDomain) fresh = NULL;

    if (!dom || qv_domain_create_with_flags(dom, a->flags) < 0)
        return -1;
    fresh =
        qv_domain_lookup_by_uuid(qv_domain_get_connect(dom), (const unsigned char *)a->dom.uuid);
    if (!fresh) {
        /* Started, then gone at once (e.g. destroyed meanwhile): the old
         * handle is still a true answer to "which domain". */
        qvirt_error_reset();
        remote_dispatch_make_domain(&r->dom, dom);
        return 0;
    }
    remote_dispatch_make_domain(&r->dom, fresh);
    return 0;
}

/* ---- life cycle ---- */

static int
domain_destroy(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
               void *ret G_GNUC_UNUSED)
{
    remote_domain_destroy_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_destroy(dom) : -1;
}

static int
domain_destroy_flags(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                     void *ret G_GNUC_UNUSED)
{
    remote_domain_destroy_flags_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_destroy_flags(dom, a->flags) : -1;
}

static int
domain_shutdown(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                void *ret G_GNUC_UNUSED)
{
    remote_domain_shutdown_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_shutdown(dom) : -1;
}

static int
domain_shutdown_flags(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                      void *ret G_GNUC_UNUSED)
{
    remote_domain_shutdown_flags_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_shutdown_flags(dom, a->flags) : -1;
}

static int
domain_reboot(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
              void *ret G_GNUC_UNUSED)
{
    remote_domain_reboot_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_reboot(dom, a->flags) : -1;
}

static int
domain_reset(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
             void *ret G_GNUC_UNUSED)
{
    remote_domain_reset_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_reset(dom, a->flags) : -1;
}

static int
domain_suspend(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
               void *ret G_GNUC_UNUSED)
{
    remote_domain_suspend_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_suspend(dom) : -1;
}

static int
domain_resume(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
              void *ret G_GNUC_UNUSED)
{
    remote_domain_resume_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_resume(dom) : -1;
}

/* ---- queries ---- */

static int
domain_get_info(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_get_info_args *a = args;
    remote_domain_get_info_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);
    QvDomainInfo info = {0};

    if (!dom || qv_domain_get_info(dom, &info) < 0)
        return -1;
    r->state = (u_char)info.state;
    r->maxMem = info.max_mem_kib;
    r->memory = info.memory_kib;
    r->nrVirtCpu = (u_short)MIN(info.nr_virt_cpu, G_MAXUSHORT);
    r->cpuTime = info.cpu_time_ns;
    return 0;
}

static int
domain_get_state(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_get_state_args *a = args;
    remote_domain_get_state_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);
    int state, reason;

    if (!dom || qv_domain_get_state(dom, &state, &reason, a->flags) < 0)
        return -1;
    r->state = state;
    r->reason = reason;
    return 0;
}

static int
domain_get_xml_desc(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_get_xml_desc_args *a = args;
    remote_domain_get_xml_desc_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    if (!dom || !(r->xml = qv_domain_get_xml_desc(dom, a->flags)))
        return -1;
    return 0;
}

static int
domain_get_autostart(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_get_autostart_args *a = args;
    remote_domain_get_autostart_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);
    int autostart;

    if (!dom || qv_domain_get_autostart(dom, &autostart) < 0)
        return -1;
    r->autostart = autostart;
    return 0;
}

static int
domain_set_autostart(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                     void *ret G_GNUC_UNUSED)
{
    remote_domain_set_autostart_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_set_autostart(dom, a->autostart) : -1;
}

static int
domain_is_active(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_is_active_args *a = args;
    remote_domain_is_active_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    if (!dom || (r->active = qv_domain_is_active(dom)) < 0)
        return -1;
    return 0;
}

static int
domain_is_persistent(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_is_persistent_args *a = args;
    remote_domain_is_persistent_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    if (!dom || (r->persistent = qv_domain_is_persistent(dom)) < 0)
        return -1;
    return 0;
}

/* ---- jobs ---- */

static int
domain_get_job_info(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_get_job_info_args *a = args;
    remote_domain_get_job_info_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);
    QvDomainJobInfo info = {0};

    if (!dom || qv_domain_get_job_info(dom, &info) < 0)
        return -1;
    r->type = info.type;
    r->timeElapsed = info.time_elapsed_ms;
    r->timeRemaining = info.time_remaining_ms;
    r->dataTotal = info.data_total;
    r->dataProcessed = info.data_processed;
    r->dataRemaining = info.data_remaining;
    r->memTotal = info.mem_total;
    r->memProcessed = info.mem_processed;
    r->memRemaining = info.mem_remaining;
    r->fileTotal = info.file_total;
    r->fileProcessed = info.file_processed;
    r->fileRemaining = info.file_remaining;
    return 0;
}

static int
domain_get_job_stats(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_domain_get_job_stats_args *a = args;
    remote_domain_get_job_stats_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type;

    if (!dom || qv_domain_get_job_stats(dom, &type, &params, &nparams, a->flags) < 0)
        return -1;
    if (nparams > REMOTE_DOMAIN_JOB_STATS_MAX) {
        qv_typed_params_free(params, nparams);
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("too many job statistics: %d (at most %d)"),
                           nparams, REMOTE_DOMAIN_JOB_STATS_MAX);
        return -1;
    }
    r->type = type;
    remote_dispatch_make_params(params, nparams, &r->params.params_val, &r->params.params_len);
    qv_typed_params_free(params, nparams);
    return 0;
}

static int
domain_abort_job(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                 void *ret G_GNUC_UNUSED)
{
    remote_domain_abort_job_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_abort_job(dom) : -1;
}

static int
domain_abort_job_flags(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                       void *ret G_GNUC_UNUSED)
{
    remote_domain_abort_job_flags_args *a = args;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);

    return dom ? qv_domain_abort_job_flags(dom, a->flags) : -1;
}

/* ---- QEMU program ---- */

static int
domain_monitor_command(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    qemu_domain_monitor_command_args *a = args;
    qemu_domain_monitor_command_ret *r = ret;
    g_autoptr(QvDomain) dom = dom_get(dc, &a->dom);
    char *result = NULL;

    if (!dom || qv_domain_qemu_monitor_command(dom, a->cmd, &result, a->flags) < 0)
        return -1;
    r->result = result;
    return 0;
}

const RemoteDispatchProc remote_dispatch_domain_procs[] = {
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, domain_lookup_by_id},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, domain_lookup_by_name},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, domain_lookup_by_uuid},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML, domain_define_xml},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, domain_define_xml_flags},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_UNDEFINE, domain_undefine},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, domain_undefine_flags},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CREATE, domain_create},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, domain_create_with_flags},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_CREATE_XML, domain_create_xml},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY, domain_destroy},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY_FLAGS, domain_destroy_flags},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SHUTDOWN, domain_shutdown},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, domain_shutdown_flags},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_REBOOT, domain_reboot},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_RESET, domain_reset},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SUSPEND, domain_suspend},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_RESUME, domain_resume},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_INFO, domain_get_info},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_STATE, domain_get_state},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_XML_DESC, domain_get_xml_desc},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_AUTOSTART, domain_get_autostart},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_SET_AUTOSTART, domain_set_autostart},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_IS_ACTIVE, domain_is_active},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_IS_PERSISTENT, domain_is_persistent},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_JOB_INFO, domain_get_job_info},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_JOB_STATS, domain_get_job_stats},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_ABORT_JOB, domain_abort_job},
    {REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_ABORT_JOB_FLAGS, domain_abort_job_flags},
    {QEMU_PROGRAM, QEMU_PROC_DOMAIN_MONITOR_COMMAND, domain_monitor_command},
    {0, 0, NULL},
};

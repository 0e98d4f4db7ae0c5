/* remote_dispatch_connect.c: handlers of the connection procedures of the
 * REMOTE program (type, versions, host, capabilities, node info, URI, domain
 * lists, close callback, XML to native). Each one calls the API on the
 * client's connection; see remote_dispatch.h for the rules. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "daemon/remote_dispatch_priv.h"
#include "util/error.h"
#include "util/i18n.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

static int
connect_get_type(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args G_GNUC_UNUSED,
                 void *ret)
{
    remote_connect_get_type_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    const char *type;

    if (!conn || !(type = qv_connect_get_type(conn)))
        return -1;
    r->type = g_strdup(type);
    return 0;
}

static int
connect_get_version(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args G_GNUC_UNUSED,
                    void *ret)
{
    remote_connect_get_version_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    unsigned long long version;

    if (!conn || qv_connect_get_version(conn, &version) < 0)
        return -1;
    r->hv_ver = version;
    return 0;
}

/* qvirt's own version in libvirt's encoding (major * 1000000 + minor * 1000
 * + micro). */
static int
connect_get_lib_version(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc G_GNUC_UNUSED,
                        void *args G_GNUC_UNUSED, void *ret)
{
    remote_connect_get_lib_version_ret *r = ret;
    unsigned int major = 0, minor = 0, micro = 0;

    if (sscanf(PACKAGE_VERSION, "%u.%u.%u", &major, &minor, &micro) < 1) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("cannot parse the version '%s'"),
                           PACKAGE_VERSION);
        return -1;
    }
    r->lib_ver = major * 1000000ULL + minor * 1000ULL + micro;
    return 0;
}

static int
connect_get_hostname(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args G_GNUC_UNUSED,
                     void *ret)
{
    remote_connect_get_hostname_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    if (!conn || !(r->hostname = qv_connect_get_hostname(conn)))
        return -1;
    return 0;
}

static int
connect_get_capabilities(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc,
                         void *args G_GNUC_UNUSED, void *ret)
{
    remote_connect_get_capabilities_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    if (!conn || !(r->capabilities = qv_connect_get_capabilities(conn)))
        return -1;
    return 0;
}

static int
connect_get_max_vcpus(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_connect_get_max_vcpus_args *a = args;
    remote_connect_get_max_vcpus_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    int n;

    if (!conn || (n = qv_connect_get_max_vcpus(conn, remote_dispatch_opt_string(a->type))) < 0)
        return -1;
    r->max_vcpus = n;
    return 0;
}

static int
node_get_info(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args G_GNUC_UNUSED,
              void *ret)
{
    remote_node_get_info_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    QvNodeInfo info = {0};

    if (!conn || qv_node_get_info(conn, &info) < 0)
        return -1;
    G_STATIC_ASSERT(sizeof(r->model) == sizeof(info.model));
    memcpy(r->model, info.model, sizeof(r->model));
    r->model[sizeof(r->model) - 1] = '\0';
    r->memory = info.memory_kib;
    r->cpus = (int)info.cpus;
    r->mhz = (int)info.mhz;
    r->nodes = (int)info.nodes;
    r->sockets = (int)info.sockets;
    r->cores = (int)info.cores;
    r->threads = (int)info.threads;
    return 0;
}

static int
connect_get_uri(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args G_GNUC_UNUSED,
                void *ret)
{
    remote_connect_get_uri_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    if (!conn || !(r->uri = qv_connect_get_uri(conn)))
        return -1;
    return 0;
}

static int
connect_is_secure(RpcServerCall *call, DaemonClient *dc G_GNUC_UNUSED, void *args G_GNUC_UNUSED,
                  void *ret)
{
    remote_connect_is_secure_ret *r = ret;

    r->secure = rpc_server_client_is_secure(rpc_server_call_get_client(call)) ? 1 : 0;
    return 0;
}

static int
connect_list_all_domains(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_connect_list_all_domains_args *a = args;
    remote_connect_list_all_domains_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    QvDomain **doms = NULL;
    int n;

    if (!conn)
        return -1;
    if ((n = qv_connect_list_all_domains(conn, a->need_results ? &doms : NULL, a->flags)) < 0)
        return -1;
    if (n > REMOTE_DOMAIN_LIST_MAX) {
        qv_domain_list_free(doms);
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("too many domains: %d (at most %d)"), n,
                           REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (doms) {
        r->domains.domains_val = g_new0(remote_nonnull_domain, MAX(n, 1));
        r->domains.domains_len = (u_int)n;
        for (int i = 0; i < n; i++)
            remote_dispatch_make_domain(&r->domains.domains_val[i], doms[i]);
        qv_domain_list_free(doms);
    }
    r->ret = (unsigned int)n;
    return 0;
}

static int
connect_num_of_domains(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc,
                       void *args G_GNUC_UNUSED, void *ret)
{
    remote_connect_num_of_domains_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    if (!conn || (r->num = qv_connect_num_of_domains(conn)) < 0)
        return -1;
    return 0;
}

static int
connect_num_of_defined_domains(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc,
                               void *args G_GNUC_UNUSED, void *ret)
{
    remote_connect_num_of_defined_domains_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    if (!conn || (r->num = qv_connect_num_of_defined_domains(conn)) < 0)
        return -1;
    return 0;
}

static gboolean
check_list_max(int max)
{
    if (max < 0 || max > REMOTE_DOMAIN_LIST_MAX) {
        qvirt_report_error(QVIRT_ERR_RPC, _("list length %d out of range (0 to %d)"), max,
                           REMOTE_DOMAIN_LIST_MAX);
        return FALSE;
    }
    return TRUE;
}

static int
connect_list_domains(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_connect_list_domains_args *a = args;
    remote_connect_list_domains_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autofree int *ids = NULL;
    int n;

    if (!conn || !check_list_max(a->maxids))
        return -1;
    ids = g_new0(int, MAX(a->maxids, 1));
    if ((n = qv_connect_list_domains(conn, ids, a->maxids)) < 0)
        return -1;
    r->ids.ids_len = (u_int)n;
    r->ids.ids_val = g_steal_pointer(&ids);
    return 0;
}

static int
connect_list_defined_domains(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                             void *ret)
{
    remote_connect_list_defined_domains_args *a = args;
    remote_connect_list_defined_domains_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    char **names;
    int n;

    if (!conn || !check_list_max(a->maxnames))
        return -1;
    names = g_new0(char *, MAX(a->maxnames, 1));
    if ((n = qv_connect_list_defined_domains(conn, names, a->maxnames)) < 0) {
        g_free(names);
        return -1;
    }
    r->names.names_len = (u_int)n;
    r->names.names_val = names;
    return 0;
}

static int
connect_domain_xml_to_native(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                             void *ret)
{
    remote_connect_domain_xml_to_native_args *a = args;
    remote_connect_domain_xml_to_native_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    if (!conn)
        return -1;
    r->nativeConfig =
        qv_connect_domain_xml_to_native(conn, a->nativeFormat, a->domainXml, a->flags);
    return r->nativeConfig ? 0 : -1;
}

/* The close callback of a remote client: the client learns of a broken
 * connection from its own socket, so the daemon only records it. */
static int
connect_register_close_callback(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc,
                                void *args G_GNUC_UNUSED, void *ret G_GNUC_UNUSED)
{
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    if (!conn)
        return -1;
    qvirt_mutex_lock(&dc->lock);
    dc->close_cb = TRUE;
    qvirt_mutex_unlock(&dc->lock);
    return 0;
}

static int
connect_unregister_close_callback(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc,
                                  void *args G_GNUC_UNUSED, void *ret G_GNUC_UNUSED)
{
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    gboolean had;

    if (!conn)
        return -1;
    qvirt_mutex_lock(&dc->lock);
    had = dc->close_cb;
    dc->close_cb = FALSE;
    qvirt_mutex_unlock(&dc->lock);
    if (!had) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("no close callback is registered"));
        return -1;
    }
    return 0;
}

const RemoteDispatchProc remote_dispatch_connect_procs[] = {
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_TYPE, connect_get_type},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_VERSION, connect_get_version},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_LIB_VERSION, connect_get_lib_version},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, connect_get_hostname},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_CAPABILITIES, connect_get_capabilities},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_MAX_VCPUS, connect_get_max_vcpus},
    {REMOTE_PROGRAM, REMOTE_PROC_NODE_GET_INFO, node_get_info},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_URI, connect_get_uri},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_IS_SECURE, connect_is_secure},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, connect_list_all_domains},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, connect_num_of_domains},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_DOMAINS, connect_list_domains},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, connect_num_of_defined_domains},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS, connect_list_defined_domains},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_DOMAIN_XML_TO_NATIVE, connect_domain_xml_to_native},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, connect_register_close_callback},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
     connect_unregister_close_callback},
    {0, 0, NULL},
};

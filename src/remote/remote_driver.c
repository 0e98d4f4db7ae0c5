/* remote_driver.c: the remote driver (see remote_driver.h): connection set-up
 * over a UNIX socket or TLS, one forwarding function per table entry, and
 * the daemon's event MESSAGEs turned into framework events. The migration
 * entries are in remote_driver_migrate.c, the block job entries in
 * remote_driver_blockjob.c, save, restore and dump in remote_driver_save.c.
 *
 * Every entry encodes the REMOTE (or QEMU) procedure with the rpcgen types
 * and waits for the reply without a deadline: a dead daemon is noticed by
 * end of file or by keepalive, which fail the call with QVIRT_ERR_RPC. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "driver/api.h"
#include "remote/remote_driver.h"
#include "remote/remote_driver_priv.h"
#include "rpc/qemu_protocol.h"
#include "rpc/remote_protocol.h"
#include "rpc/rpc_client.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

QVIRT_LOG_INIT("remote.driver");

#define REMOTE_KEEPALIVE_INTERVAL_MS 5000
#define REMOTE_KEEPALIVE_COUNT 5
#define REMOTE_TLS_TIMEOUT_MS (30 * 1000)
/* Deadline of each call while opening, before keepalive runs (a server that
 * accepts and never answers must not hang the caller); the environment
 * variable QVIRT_REMOTE_OPEN_TIMEOUT_MS overrides it. */
#define REMOTE_OPEN_TIMEOUT_MS (30 * 1000)

typedef struct {
    RpcClient *client;
    QvirtMutex lock;        /* guards conn and type */
    QvConnect *conn;        /* borrowed; NULL once closing */
    char *type;             /* cached answer of GET_TYPE */
    gint64 call_timeout_ms; /* while opening; 0 (none) afterwards */
} RemotePriv;

static const HypervisorDriver remote_driver;

/* ---- the process-wide RPC loop ---- */

static QvirtEventLoop *
remote_loop(void)
{
    static gsize once;
    static QvirtEventLoop *loop;

    if (g_once_init_enter(&once)) {
        loop = qvirt_event_loop_new("qvirt-remote");
        g_once_init_leave(&once, 1);
    }
    return loop;
}

/* ---- wire conversions ---- */

void
remote_dom_to_wire(QvDomain *dom, remote_nonnull_domain *ret_wire)
{
    ret_wire->name = dom->name;
    memcpy(ret_wire->uuid, dom->uuid, REMOTE_UUID_BUFLEN);
    ret_wire->id = dom->id;
}

QvDomain *
remote_dom_from_wire(QvConnect *conn, const remote_nonnull_domain *wire)
{
    return qv_domain_new(conn, wire->name, (const unsigned char *)wire->uuid, wire->id);
}

/* ---- calls ---- */

static RpcClient *
remote_client(QvConnect *conn)
{
    return ((RemotePriv *)conn->private_data)->client;
}

int
remote_call(QvConnect *conn, int proc, xdrproc_t args_proc, void *args, xdrproc_t ret_proc,
            void *ret)
{
    RemotePriv *priv = conn->private_data;

    return rpc_client_call(priv->client, REMOTE_PROGRAM, proc, args_proc, args, ret_proc, ret,
                           priv->call_timeout_ms);
}

static gint64
remote_open_timeout(void)
{
    const char *env = g_getenv("QVIRT_REMOTE_OPEN_TIMEOUT_MS");
    guint64 ms;

    if (env && g_ascii_string_to_unsigned(env, 10, 1, G_MAXINT, &ms, NULL))
        return (gint64)ms;
    return REMOTE_OPEN_TIMEOUT_MS;
}

/* A procedure whose arguments are only the domain (the layout of every
 * remote_domain_X_args holding just `dom`) and which returns nothing. */
static int
remote_dom_call(QvDomain *dom, int proc)
{
    remote_nonnull_domain args;

    remote_dom_to_wire(dom, &args);
    return remote_call(dom->conn, proc, (xdrproc_t)xdr_remote_nonnull_domain, &args, RPC_XDR_VOID,
                       NULL);
}

/* The same for the {dom, flags} layout (see remote_driver_priv.h). */
int
remote_dom_flags_call(QvDomain *dom, int proc, unsigned int flags)
{
    remote_domain_destroy_flags_args args;

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    return remote_call(dom->conn, proc, (xdrproc_t)xdr_remote_domain_destroy_flags_args, &args,
                       RPC_XDR_VOID, NULL);
}

/* A procedure without arguments returning one string. */
static char *
remote_string_call(QvConnect *conn, int proc)
{
    remote_nonnull_string ret = NULL;
    char *str;

    if (remote_call(conn, proc, RPC_XDR_VOID, NULL, (xdrproc_t)xdr_remote_nonnull_string, &ret) < 0)
        return NULL;
    str = g_strdup(ret);
    xdr_free((xdrproc_t)xdr_remote_nonnull_string, (char *)&ret);
    return str;
}

static int
remote_supports_feature_call(QvConnect *conn, int feature)
{
    remote_connect_supports_feature_args args = {.feature = feature};
    remote_connect_supports_feature_ret ret = {0};

    if (remote_call(conn, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                    (xdrproc_t)xdr_remote_connect_supports_feature_args, &args,
                    (xdrproc_t)xdr_remote_connect_supports_feature_ret, &ret) < 0)
        return -1;
    return ret.supported ? 1 : 0;
}

/* ---- events ---- */

static void
remote_push(QvEvent *event)
{
    if (event)
        qv_event_queue_push(event);
}

static void
remote_event_func(RpcClient *client, RpcMessage *msg, gpointer opaque)
{
    int proc = msg->header.proc;
    (void)client;
    (void)opaque;

    if (msg->header.prog != REMOTE_PROGRAM)
        return;
    switch (proc) {
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE: {
        remote_domain_event_callback_lifecycle_msg m = {0};
        if (rpc_message_decode_payload(
                msg, (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &m) == 0)
            remote_push(qv_event_new_lifecycle(&remote_driver, m.msg.dom.name,
                                               (const unsigned char *)m.msg.dom.uuid, m.msg.dom.id,
                                               m.msg.event, m.msg.detail));
        xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, (char *)&m);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT: {
        remote_domain_event_callback_reboot_msg m = {0};
        if (rpc_message_decode_payload(msg, (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg,
                                       &m) == 0)
            remote_push(qv_event_new_reboot(&remote_driver, m.msg.dom.name,
                                            (const unsigned char *)m.msg.dom.uuid, m.msg.dom.id));
        xdr_free((xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, (char *)&m);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB: {
        remote_domain_event_callback_block_job_msg m = {0};
        if (rpc_message_decode_payload(
                msg, (xdrproc_t)xdr_remote_domain_event_callback_block_job_msg, &m) == 0)
            remote_push(qv_event_new_block_job(
                &remote_driver, m.msg.dom.name, (const unsigned char *)m.msg.dom.uuid, m.msg.dom.id,
                QV_DOMAIN_EVENT_ID_BLOCK_JOB, m.msg.path, m.msg.type, m.msg.status));
        xdr_free((xdrproc_t)xdr_remote_domain_event_callback_block_job_msg, (char *)&m);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2: {
        remote_domain_event_block_job_2_msg m = {0};
        if (rpc_message_decode_payload(msg, (xdrproc_t)xdr_remote_domain_event_block_job_2_msg,
                                       &m) == 0)
            remote_push(qv_event_new_block_job(
                &remote_driver, m.dom.name, (const unsigned char *)m.dom.uuid, m.dom.id,
                QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, m.dst, m.type, m.status));
        xdr_free((xdrproc_t)xdr_remote_domain_event_block_job_2_msg, (char *)&m);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION: {
        remote_domain_event_callback_migration_iteration_msg m = {0};
        if (rpc_message_decode_payload(
                msg, (xdrproc_t)xdr_remote_domain_event_callback_migration_iteration_msg, &m) == 0)
            remote_push(qv_event_new_migration_iteration(&remote_driver, m.dom.name,
                                                         (const unsigned char *)m.dom.uuid,
                                                         m.dom.id, m.iteration));
        xdr_free((xdrproc_t)xdr_remote_domain_event_callback_migration_iteration_msg, (char *)&m);
        break;
    }
    case REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED: {
        remote_domain_event_callback_job_completed_msg m = {0};
        QvTypedParam *params = NULL;
        int nparams = 0;

        if (rpc_message_decode_payload(
                msg, (xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg, &m) == 0 &&
            rpc_typed_params_from_wire(m.params.params_val, m.params.params_len, &params, &nparams) ==
                0)
            remote_push(qv_event_new_job_completed(&remote_driver, m.dom.name,
                                                   (const unsigned char *)m.dom.uuid, m.dom.id,
                                                   params, nparams));
        xdr_free((xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg, (char *)&m);
        break;
    }
    default:
        QVIRT_DEBUG("ignoring event procedure %d", proc);
        break;
    }
    qvirt_error_reset();
}

static void
remote_close_func(RpcClient *client, const QvirtError *err, gpointer opaque)
{
    RemotePriv *priv = opaque;
    (void)client;

    QVIRT_INFO("connection to the daemon ended: %s", err ? err->message : "end of file");
    qvirt_mutex_lock(&priv->lock);
    if (priv->conn)
        qv_connect_fire_close_callback(priv->conn, err ? QV_CONNECT_CLOSE_REASON_ERROR
                                                       : QV_CONNECT_CLOSE_REASON_EOF);
    qvirt_mutex_unlock(&priv->lock);
}

static void
remote_register_events(QvConnect *conn)
{
    static const int ids[] = {
        QV_DOMAIN_EVENT_ID_LIFECYCLE,           QV_DOMAIN_EVENT_ID_REBOOT,
        QV_DOMAIN_EVENT_ID_BLOCK_JOB,           QV_DOMAIN_EVENT_ID_BLOCK_JOB_2,
        QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION, QV_DOMAIN_EVENT_ID_JOB_COMPLETED,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        remote_connect_domain_event_callback_register_any_args args = {.eventID = ids[i]};
        remote_connect_domain_event_callback_register_any_ret ret = {0};

        if (remote_call(conn, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                        (xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_args,
                        &args, (xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_ret,
                        &ret) < 0) {
            QVIRT_DEBUG("daemon refused event id %d: %s", ids[i], qvirt_error_last_message());
            qvirt_error_reset();
        }
    }
}

/* ---- opening ---- */

char *
qv_remote_socket_path(const QvUri *uri, unsigned int flags)
{
    const char *sock = qv_uri_get_param(uri, "socket");
    const char *rundir;

    if (sock)
        return g_strdup(sock);
    if (uri->server || (uri->transport && strcmp(uri->transport, "unix") != 0)) {
        g_autofree char *str = qv_uri_format(uri);

        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("URI '%s' does not use a UNIX socket"), str);
        return NULL;
    }
    if (strcmp(uri->path, "/system") == 0)
        return g_strdup((flags & QV_CONNECT_RO) ? QV_REMOTE_SYSTEM_SOCKET_RO
                                                : QV_REMOTE_SYSTEM_SOCKET);
    rundir = g_getenv("XDG_RUNTIME_DIR");
    if (!rundir || !*rundir)
        rundir = g_get_user_runtime_dir();
    return g_build_filename(rundir, "qvirt", "qvirt-sock", NULL);
}

static RpcClient *
remote_open_tls(const QvUri *uri)
{
    const char *pki = qv_uri_get_param(uri, "pkipath");
    g_autofree char *dir = NULL;
    g_autofree char *port = NULL;
    RpcTlsContext *tls;
    RpcClient *client;

    if (!uri->server) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("a TLS URI needs a host name"));
        return NULL;
    }
    if (pki)
        dir = g_strdup(pki);
    else if (geteuid() == 0)
        dir = g_strdup("/etc/pki/qvirt");
    else
        dir = g_build_filename(g_get_user_config_dir(), "qvirt", "pki", NULL);
    tls = rpc_tls_context_new_client(dir);
    if (!tls)
        return NULL;
    port = uri->port > 0 ? g_strdup_printf("%d", uri->port) : g_strdup(QV_REMOTE_TLS_PORT);
    client = rpc_client_open_tls(remote_loop(), uri->server, port, tls, REMOTE_TLS_TIMEOUT_MS);
    rpc_tls_context_unref(tls);
    return client;
}

static gboolean
remote_loop_barrier(gpointer opaque)
{
    (void)opaque;
    return G_SOURCE_REMOVE;
}

/* Close and free PRIV. The RPC client may have fetched its close function
 * just before the close and still be running it on the loop thread (it
 * locks PRIV): one round trip through the loop thread waits for that. */
static void
remote_priv_free(RemotePriv *priv)
{
    if (!priv)
        return;
    rpc_client_close(priv->client);
    if (!qvirt_event_loop_is_current(remote_loop()))
        qvirt_event_loop_invoke_sync(remote_loop(), remote_loop_barrier, NULL);
    rpc_client_free(priv->client);
    qvirt_mutex_clear(&priv->lock);
    g_free(priv->type);
    g_free(priv);
}

/* Undo a half-done open, keeping the error that stopped it. */
static void
remote_open_fail(QvConnect *conn, RemotePriv *priv)
{
    g_autoptr(QvirtError) saved = qvirt_error_save();

    qvirt_mutex_lock(&priv->lock);
    priv->conn = NULL;
    qvirt_mutex_unlock(&priv->lock);
    conn->private_data = NULL;
    remote_priv_free(priv);
    qvirt_error_restore(g_steal_pointer(&saved));
}

/* Whether the AUTH_LIST answer lets us in: qvirt speaks no SASL or polkit,
 * so "none" must be offered (an empty list means none too). */
static gboolean
remote_auth_ok(const remote_auth_list_ret *auth)
{
    if (auth->types.types_len == 0)
        return TRUE;
    for (u_int i = 0; i < auth->types.types_len; i++) {
        if (auth->types.types_val[i] == REMOTE_AUTH_NONE)
            return TRUE;
    }
    qvirt_report_error(QVIRT_ERR_AUTH_FAILED,
                       _("the daemon asks for an authentication method qvirt does not support"));
    return FALSE;
}

static int
remote_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    const char *transport = uri->transport;
    g_autofree char *daemon_uri = NULL;
    RemotePriv *priv;
    RpcClient *client;
    remote_connect_open_args args = {0};
    remote_auth_list_ret auth = {0};

    if (transport && strcmp(transport, "unix") != 0 && strcmp(transport, "tls") != 0) {
        qvirt_report_error(QVIRT_ERR_NO_SUPPORT, _("transport '%s' is not supported"), transport);
        return QVIRT_DRV_OPEN_ERROR;
    }
    if ((transport && strcmp(transport, "tls") == 0) || (!transport && uri->server)) {
        client = remote_open_tls(uri);
    } else {
        g_autofree char *path = qv_remote_socket_path(uri, flags);

        if (!path)
            return QVIRT_DRV_OPEN_ERROR;
        client = rpc_client_open_unix(remote_loop(), path);
    }
    if (!client)
        return QVIRT_DRV_OPEN_ERROR;

    priv = g_new0(RemotePriv, 1);
    qvirt_mutex_init(&priv->lock);
    priv->client = client;
    priv->conn = conn;
    priv->call_timeout_ms = remote_open_timeout();
    rpc_client_set_event_func(client, remote_event_func, priv);
    rpc_client_set_close_func(client, remote_close_func, priv);
    conn->private_data = priv;

    /* As libvirt's client: authentication list (always "none" here), then
     * keepalive, then the open itself. */
    if (remote_call(conn, REMOTE_PROC_AUTH_LIST, RPC_XDR_VOID, NULL,
                    (xdrproc_t)xdr_remote_auth_list_ret, &auth) < 0) {
        xdr_free((xdrproc_t)xdr_remote_auth_list_ret, (char *)&auth);
        if (qvirt_error_last_code() != QVIRT_ERR_NO_SUPPORT)
            goto error;
        qvirt_error_reset();
    } else {
        gboolean auth_ok = remote_auth_ok(&auth);

        xdr_free((xdrproc_t)xdr_remote_auth_list_ret, (char *)&auth);
        if (!auth_ok)
            goto error;
    }
    if (remote_supports_feature_call(conn, QV_DRV_FEATURE_PROGRAM_KEEPALIVE) == 1)
        rpc_client_start_keepalive(client, REMOTE_KEEPALIVE_INTERVAL_MS, REMOTE_KEEPALIVE_COUNT);
    qvirt_error_reset();

    daemon_uri = qv_uri_daemon_uri(uri);
    args.name = &daemon_uri;
    args.flags = flags;
    if (remote_call(conn, REMOTE_PROC_CONNECT_OPEN, (xdrproc_t)xdr_remote_connect_open_args, &args,
                    RPC_XDR_VOID, NULL) < 0)
        goto error;

    if (remote_supports_feature_call(conn, QV_DRV_FEATURE_REMOTE_EVENT_CALLBACK) == 1)
        remote_register_events(conn);
    qvirt_error_reset();
    priv->call_timeout_ms = 0;
    return QVIRT_DRV_OPEN_SUCCESS;

error:
    remote_open_fail(conn, priv);
    return QVIRT_DRV_OPEN_ERROR;
}

static int
remote_connect_close(QvConnect *conn)
{
    RemotePriv *priv = conn->private_data;

    if (!priv)
        return 0;
    if (rpc_client_is_open(priv->client))
        remote_call(conn, REMOTE_PROC_CONNECT_CLOSE, RPC_XDR_VOID, NULL, RPC_XDR_VOID, NULL);
    qvirt_error_reset();
    qvirt_mutex_lock(&priv->lock);
    priv->conn = NULL;
    qvirt_mutex_unlock(&priv->lock);
    rpc_client_close(priv->client);
    conn->private_data = NULL;
    remote_priv_free(priv);
    return 0;
}

/* ---- the connection ---- */

static const char *
remote_connect_get_type(QvConnect *conn)
{
    RemotePriv *priv = conn->private_data;
    g_autofree char *type = NULL;
    const char *result;

    qvirt_mutex_lock(&priv->lock);
    result = priv->type;
    qvirt_mutex_unlock(&priv->lock);
    if (result)
        return result;
    type = remote_string_call(conn, REMOTE_PROC_CONNECT_GET_TYPE);
    if (!type)
        return NULL;
    qvirt_mutex_lock(&priv->lock);
    if (!priv->type)
        priv->type = g_steal_pointer(&type);
    result = priv->type;
    qvirt_mutex_unlock(&priv->lock);
    return result;
}

static int
remote_connect_get_version(QvConnect *conn, unsigned long long *ret_version)
{
    remote_connect_get_version_ret ret = {0};

    if (remote_call(conn, REMOTE_PROC_CONNECT_GET_VERSION, RPC_XDR_VOID, NULL,
                    (xdrproc_t)xdr_remote_connect_get_version_ret, &ret) < 0)
        return -1;
    *ret_version = ret.hv_ver;
    return 0;
}

static char *
remote_connect_get_hostname(QvConnect *conn)
{
    return remote_string_call(conn, REMOTE_PROC_CONNECT_GET_HOSTNAME);
}

static char *
remote_connect_get_capabilities(QvConnect *conn)
{
    return remote_string_call(conn, REMOTE_PROC_CONNECT_GET_CAPABILITIES);
}

static int
remote_connect_get_max_vcpus(QvConnect *conn, const char *type)
{
    char *t = (char *)type;
    remote_connect_get_max_vcpus_args args = {.type = type ? &t : NULL};
    remote_connect_get_max_vcpus_ret ret = {0};

    if (remote_call(conn, REMOTE_PROC_CONNECT_GET_MAX_VCPUS,
                    (xdrproc_t)xdr_remote_connect_get_max_vcpus_args, &args,
                    (xdrproc_t)xdr_remote_connect_get_max_vcpus_ret, &ret) < 0)
        return -1;
    return ret.max_vcpus;
}

static int
remote_node_get_info(QvConnect *conn, QvNodeInfo *ret_info)
{
    remote_node_get_info_ret ret = {0};
    QvNodeInfo info = {0};

    if (remote_call(conn, REMOTE_PROC_NODE_GET_INFO, RPC_XDR_VOID, NULL,
                    (xdrproc_t)xdr_remote_node_get_info_ret, &ret) < 0)
        return -1;
    memcpy(info.model, ret.model, sizeof(info.model));
    info.model[sizeof(info.model) - 1] = '\0';
    info.memory_kib = ret.memory;
    info.cpus = ret.cpus;
    info.mhz = ret.mhz;
    info.nodes = ret.nodes;
    info.sockets = ret.sockets;
    info.cores = ret.cores;
    info.threads = ret.threads;
    *ret_info = info;
    return 0;
}

static int
remote_connect_list_all_domains(QvConnect *conn, QvDomain ***ret_domains, unsigned int flags)
{
    remote_connect_list_all_domains_args args = {.need_results = ret_domains != NULL,
                                                 .flags = flags};
    remote_connect_list_all_domains_ret ret = {0};
    int count;

    if (remote_call(conn, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                    (xdrproc_t)xdr_remote_connect_list_all_domains_args, &args,
                    (xdrproc_t)xdr_remote_connect_list_all_domains_ret, &ret) < 0)
        return -1;
    count = ret.ret;
    if (ret_domains) {
        QvDomain **doms = g_new0(QvDomain *, ret.domains.domains_len + 1);

        for (u_int i = 0; i < ret.domains.domains_len; i++)
            doms[i] = remote_dom_from_wire(conn, &ret.domains.domains_val[i]);
        *ret_domains = doms;
        count = ret.domains.domains_len;
    }
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, (char *)&ret);
    return count;
}

static int
remote_int_call(QvConnect *conn, int proc)
{
    remote_connect_num_of_domains_ret ret = {0};

    if (remote_call(conn, proc, RPC_XDR_VOID, NULL,
                    (xdrproc_t)xdr_remote_connect_num_of_domains_ret, &ret) < 0)
        return -1;
    return ret.num;
}

static int
remote_connect_num_of_domains(QvConnect *conn)
{
    return remote_int_call(conn, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS);
}

static int
remote_connect_num_of_defined_domains(QvConnect *conn)
{
    return remote_int_call(conn, REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS);
}

static int
remote_connect_list_domains(QvConnect *conn, int *ids, int maxids)
{
    remote_connect_list_domains_args args = {.maxids = maxids};
    remote_connect_list_domains_ret ret = {0};
    int n;

    if (remote_call(conn, REMOTE_PROC_CONNECT_LIST_DOMAINS,
                    (xdrproc_t)xdr_remote_connect_list_domains_args, &args,
                    (xdrproc_t)xdr_remote_connect_list_domains_ret, &ret) < 0)
        return -1;
    n = MIN((int)ret.ids.ids_len, maxids);
    for (int i = 0; i < n; i++)
        ids[i] = ret.ids.ids_val[i];
    xdr_free((xdrproc_t)xdr_remote_connect_list_domains_ret, (char *)&ret);
    return n;
}

static int
remote_connect_list_defined_domains(QvConnect *conn, char **names, int maxnames)
{
    remote_connect_list_defined_domains_args args = {.maxnames = maxnames};
    remote_connect_list_defined_domains_ret ret = {0};
    int n;

    if (remote_call(conn, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
                    (xdrproc_t)xdr_remote_connect_list_defined_domains_args, &args,
                    (xdrproc_t)xdr_remote_connect_list_defined_domains_ret, &ret) < 0)
        return -1;
    n = MIN((int)ret.names.names_len, maxnames);
    for (int i = 0; i < n; i++)
        names[i] = g_strdup(ret.names.names_val[i]);
    xdr_free((xdrproc_t)xdr_remote_connect_list_defined_domains_ret, (char *)&ret);
    return n;
}

static int
remote_connect_supports_feature(QvConnect *conn, int feature)
{
    return remote_supports_feature_call(conn, feature);
}

static char *
remote_connect_domain_xml_to_native(QvConnect *conn, const char *format, const char *xml,
                                    unsigned int flags)
{
    remote_connect_domain_xml_to_native_args args = {
        .nativeFormat = (char *)format, .domainXml = (char *)xml, .flags = flags};
    remote_connect_domain_xml_to_native_ret ret = {0};
    char *str;

    if (remote_call(conn, REMOTE_PROC_CONNECT_DOMAIN_XML_TO_NATIVE,
                    (xdrproc_t)xdr_remote_connect_domain_xml_to_native_args, &args,
                    (xdrproc_t)xdr_remote_connect_domain_xml_to_native_ret, &ret) < 0)
        return NULL;
    str = g_strdup(ret.nativeConfig);
    xdr_free((xdrproc_t)xdr_remote_connect_domain_xml_to_native_ret, (char *)&ret);
    return str;
}

/* ---- looking domains up and defining them ---- */

/* Every remote_domain_*_ret holding only `dom` shares this layout. */
static QvDomain *
remote_dom_result_call(QvConnect *conn, int proc, xdrproc_t args_proc, void *args)
{
    remote_nonnull_domain ret = {0};
    QvDomain *dom;

    if (remote_call(conn, proc, args_proc, args, (xdrproc_t)xdr_remote_nonnull_domain, &ret) < 0)
        return NULL;
    dom = remote_dom_from_wire(conn, &ret);
    xdr_free((xdrproc_t)xdr_remote_nonnull_domain, (char *)&ret);
    return dom;
}

static QvDomain *
remote_domain_lookup_by_id(QvConnect *conn, int id)
{
    remote_domain_lookup_by_id_args args = {.id = id};

    return remote_dom_result_call(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
                                  (xdrproc_t)xdr_remote_domain_lookup_by_id_args, &args);
}

static QvDomain *
remote_domain_lookup_by_name(QvConnect *conn, const char *name)
{
    remote_domain_lookup_by_name_args args = {.name = (char *)name};

    return remote_dom_result_call(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                  (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &args);
}

static QvDomain *
remote_domain_lookup_by_uuid(QvConnect *conn, const unsigned char *uuid)
{
    remote_domain_lookup_by_uuid_args args;

    memcpy(args.uuid, uuid, REMOTE_UUID_BUFLEN);
    return remote_dom_result_call(conn, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID,
                                  (xdrproc_t)xdr_remote_domain_lookup_by_uuid_args, &args);
}

static QvDomain *
remote_domain_define_xml_flags(QvConnect *conn, const char *xml, unsigned int flags)
{
    remote_domain_define_xml_flags_args args = {.xml = (char *)xml, .flags = flags};

    return remote_dom_result_call(conn, REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS,
                                  (xdrproc_t)xdr_remote_domain_define_xml_flags_args, &args);
}

static QvDomain *
remote_domain_create_xml(QvConnect *conn, const char *xml, unsigned int flags)
{
    remote_domain_create_xml_args args = {.xml_desc = (char *)xml, .flags = flags};

    return remote_dom_result_call(conn, REMOTE_PROC_DOMAIN_CREATE_XML,
                                  (xdrproc_t)xdr_remote_domain_create_xml_args, &args);
}

static int
remote_domain_undefine_flags(QvDomain *dom, unsigned int flags)
{
    return remote_dom_flags_call(dom, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, flags);
}

static int
remote_domain_create_with_flags(QvDomain *dom, unsigned int flags)
{
    remote_domain_create_with_flags_args args;
    remote_domain_create_with_flags_ret ret = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS,
                    (xdrproc_t)xdr_remote_domain_create_with_flags_args, &args,
                    (xdrproc_t)xdr_remote_domain_create_with_flags_ret, &ret) < 0)
        return -1;
    /* The handle learns its new id, as libvirt's client does. */
    dom->id = ret.dom.id;
    xdr_free((xdrproc_t)xdr_remote_domain_create_with_flags_ret, (char *)&ret);
    return 0;
}

/* ---- life cycle ---- */

static int
remote_domain_destroy_flags(QvDomain *dom, unsigned int flags)
{
    if (remote_dom_flags_call(dom, REMOTE_PROC_DOMAIN_DESTROY_FLAGS, flags) < 0)
        return -1;
    dom->id = -1;
    return 0;
}

static int
remote_domain_shutdown_flags(QvDomain *dom, unsigned int flags)
{
    return remote_dom_flags_call(dom, REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, flags);
}

static int
remote_domain_reboot(QvDomain *dom, unsigned int flags)
{
    return remote_dom_flags_call(dom, REMOTE_PROC_DOMAIN_REBOOT, flags);
}

static int
remote_domain_reset(QvDomain *dom, unsigned int flags)
{
    return remote_dom_flags_call(dom, REMOTE_PROC_DOMAIN_RESET, flags);
}

static int
remote_domain_suspend(QvDomain *dom)
{
    return remote_dom_call(dom, REMOTE_PROC_DOMAIN_SUSPEND);
}

static int
remote_domain_resume(QvDomain *dom)
{
    return remote_dom_call(dom, REMOTE_PROC_DOMAIN_RESUME);
}

/* ---- queries ---- */

static int
remote_domain_get_info(QvDomain *dom, QvDomainInfo *ret_info)
{
    remote_nonnull_domain args;
    remote_domain_get_info_ret ret = {0};

    remote_dom_to_wire(dom, &args);
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_GET_INFO, (xdrproc_t)xdr_remote_nonnull_domain,
                    &args, (xdrproc_t)xdr_remote_domain_get_info_ret, &ret) < 0)
        return -1;
    ret_info->state = ret.state;
    ret_info->max_mem_kib = ret.maxMem;
    ret_info->memory_kib = ret.memory;
    ret_info->nr_virt_cpu = ret.nrVirtCpu;
    ret_info->cpu_time_ns = ret.cpuTime;
    return 0;
}

static int
remote_domain_get_state(QvDomain *dom, int *ret_state, int *ret_reason, unsigned int flags)
{
    remote_domain_get_state_args args;
    remote_domain_get_state_ret ret = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_GET_STATE,
                    (xdrproc_t)xdr_remote_domain_get_state_args, &args,
                    (xdrproc_t)xdr_remote_domain_get_state_ret, &ret) < 0)
        return -1;
    *ret_state = ret.state;
    if (ret_reason)
        *ret_reason = ret.reason;
    return 0;
}

static char *
remote_domain_get_xml_desc(QvDomain *dom, unsigned int flags)
{
    remote_domain_get_xml_desc_args args;
    remote_domain_get_xml_desc_ret ret = {0};
    char *xml;

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_GET_XML_DESC,
                    (xdrproc_t)xdr_remote_domain_get_xml_desc_args, &args,
                    (xdrproc_t)xdr_remote_domain_get_xml_desc_ret, &ret) < 0)
        return NULL;
    xml = g_strdup(ret.xml);
    xdr_free((xdrproc_t)xdr_remote_domain_get_xml_desc_ret, (char *)&ret);
    return xml;
}

/* Procedures taking only the domain and returning one int. */
static int
remote_dom_int_call(QvDomain *dom, int proc, int *ret_value)
{
    remote_nonnull_domain args;
    remote_domain_is_active_ret ret = {0};

    remote_dom_to_wire(dom, &args);
    if (remote_call(dom->conn, proc, (xdrproc_t)xdr_remote_nonnull_domain, &args,
                    (xdrproc_t)xdr_remote_domain_is_active_ret, &ret) < 0)
        return -1;
    *ret_value = ret.active;
    return 0;
}

static int
remote_domain_get_autostart(QvDomain *dom, int *ret_autostart)
{
    return remote_dom_int_call(dom, REMOTE_PROC_DOMAIN_GET_AUTOSTART, ret_autostart);
}

static int
remote_domain_set_autostart(QvDomain *dom, int autostart)
{
    remote_domain_set_autostart_args args;

    remote_dom_to_wire(dom, &args.dom);
    args.autostart = autostart;
    return remote_call(dom->conn, REMOTE_PROC_DOMAIN_SET_AUTOSTART,
                       (xdrproc_t)xdr_remote_domain_set_autostart_args, &args, RPC_XDR_VOID, NULL);
}

static int
remote_domain_is_active(QvDomain *dom)
{
    int value;

    if (remote_dom_int_call(dom, REMOTE_PROC_DOMAIN_IS_ACTIVE, &value) < 0)
        return -1;
    return value ? 1 : 0;
}

static int
remote_domain_is_persistent(QvDomain *dom)
{
    int value;

    if (remote_dom_int_call(dom, REMOTE_PROC_DOMAIN_IS_PERSISTENT, &value) < 0)
        return -1;
    return value ? 1 : 0;
}

/* ---- jobs ---- */

static int
remote_domain_get_job_info(QvDomain *dom, QvDomainJobInfo *ret_info)
{
    remote_nonnull_domain args;
    remote_domain_get_job_info_ret ret = {0};

    remote_dom_to_wire(dom, &args);
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_GET_JOB_INFO,
                    (xdrproc_t)xdr_remote_nonnull_domain, &args,
                    (xdrproc_t)xdr_remote_domain_get_job_info_ret, &ret) < 0)
        return -1;
    ret_info->type = ret.type;
    ret_info->time_elapsed_ms = ret.timeElapsed;
    ret_info->time_remaining_ms = ret.timeRemaining;
    ret_info->data_total = ret.dataTotal;
    ret_info->data_processed = ret.dataProcessed;
    ret_info->data_remaining = ret.dataRemaining;
    ret_info->mem_total = ret.memTotal;
    ret_info->mem_processed = ret.memProcessed;
    ret_info->mem_remaining = ret.memRemaining;
    ret_info->file_total = ret.fileTotal;
    ret_info->file_processed = ret.fileProcessed;
    ret_info->file_remaining = ret.fileRemaining;
    return 0;
}

static int
remote_domain_get_job_stats(QvDomain *dom, int *ret_type, QvTypedParam **ret_params,
                            int *ret_nparams, unsigned int flags)
{
    remote_domain_get_job_stats_args args;
    remote_domain_get_job_stats_ret ret = {0};
    int rc;

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_GET_JOB_STATS,
                    (xdrproc_t)xdr_remote_domain_get_job_stats_args, &args,
                    (xdrproc_t)xdr_remote_domain_get_job_stats_ret, &ret) < 0)
        return -1;
    rc = rpc_typed_params_from_wire(ret.params.params_val, ret.params.params_len, ret_params,
                                 ret_nparams);
    if (rc == 0)
        *ret_type = ret.type;
    xdr_free((xdrproc_t)xdr_remote_domain_get_job_stats_ret, (char *)&ret);
    return rc;
}

static int
remote_domain_abort_job_flags(QvDomain *dom, unsigned int flags)
{
    /* Older daemons know only ABORT_JOB; use it when no flag is asked. */
    if (flags == 0)
        return remote_dom_call(dom, REMOTE_PROC_DOMAIN_ABORT_JOB);
    return remote_dom_flags_call(dom, REMOTE_PROC_DOMAIN_ABORT_JOB_FLAGS, flags);
}

static int
remote_domain_qemu_monitor_command(QvDomain *dom, const char *cmd, char **ret_result,
                                   unsigned int flags)
{
    qemu_domain_monitor_command_args args;
    qemu_domain_monitor_command_ret ret = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.cmd = (char *)cmd;
    args.flags = flags;
    if (rpc_client_call(remote_client(dom->conn), QEMU_PROGRAM, QEMU_PROC_DOMAIN_MONITOR_COMMAND,
                        (xdrproc_t)xdr_qemu_domain_monitor_command_args, &args,
                        (xdrproc_t)xdr_qemu_domain_monitor_command_ret, &ret, 0) < 0)
        return -1;
    *ret_result = g_strdup(ret.result);
    xdr_free((xdrproc_t)xdr_qemu_domain_monitor_command_ret, (char *)&ret);
    return 0;
}

/* ---- the table ---- */

static const HypervisorDriver remote_driver = {
    .name = "remote",
    .remote = TRUE,
    .connect_open = remote_connect_open,
    .connect_close = remote_connect_close,
    .connect_get_type = remote_connect_get_type,
    .connect_get_version = remote_connect_get_version,
    .connect_get_hostname = remote_connect_get_hostname,
    .connect_get_capabilities = remote_connect_get_capabilities,
    .connect_get_max_vcpus = remote_connect_get_max_vcpus,
    .node_get_info = remote_node_get_info,
    .connect_list_all_domains = remote_connect_list_all_domains,
    .connect_num_of_domains = remote_connect_num_of_domains,
    .connect_list_domains = remote_connect_list_domains,
    .connect_num_of_defined_domains = remote_connect_num_of_defined_domains,
    .connect_list_defined_domains = remote_connect_list_defined_domains,
    .connect_supports_feature = remote_connect_supports_feature,
    .connect_domain_xml_to_native = remote_connect_domain_xml_to_native,
    .domain_lookup_by_id = remote_domain_lookup_by_id,
    .domain_lookup_by_name = remote_domain_lookup_by_name,
    .domain_lookup_by_uuid = remote_domain_lookup_by_uuid,
    .domain_define_xml_flags = remote_domain_define_xml_flags,
    .domain_undefine_flags = remote_domain_undefine_flags,
    .domain_create_with_flags = remote_domain_create_with_flags,
    .domain_create_xml = remote_domain_create_xml,
    .domain_destroy_flags = remote_domain_destroy_flags,
    .domain_shutdown_flags = remote_domain_shutdown_flags,
    .domain_reboot = remote_domain_reboot,
    .domain_reset = remote_domain_reset,
    .domain_suspend = remote_domain_suspend,
    .domain_resume = remote_domain_resume,
    .domain_get_info = remote_domain_get_info,
    .domain_get_state = remote_domain_get_state,
    .domain_get_xml_desc = remote_domain_get_xml_desc,
    .domain_get_autostart = remote_domain_get_autostart,
    .domain_set_autostart = remote_domain_set_autostart,
    .domain_is_active = remote_domain_is_active,
    .domain_is_persistent = remote_domain_is_persistent,
    .domain_get_job_info = remote_domain_get_job_info,
    .domain_get_job_stats = remote_domain_get_job_stats,
    .domain_abort_job_flags = remote_domain_abort_job_flags,
    .domain_qemu_monitor_command = remote_domain_qemu_monitor_command,
    .domain_migrate_begin3_params = remote_domain_migrate_begin3_params,
    .domain_migrate_prepare3_params = remote_domain_migrate_prepare3_params,
    .domain_migrate_perform3_params = remote_domain_migrate_perform3_params,
    .domain_migrate_finish3_params = remote_domain_migrate_finish3_params,
    .domain_migrate_confirm3_params = remote_domain_migrate_confirm3_params,
    .domain_migrate_set_max_downtime = remote_domain_migrate_set_max_downtime,
    .domain_migrate_get_max_downtime = remote_domain_migrate_get_max_downtime,
    .domain_migrate_set_max_speed = remote_domain_migrate_set_max_speed,
    .domain_migrate_get_max_speed = remote_domain_migrate_get_max_speed,
    .domain_migrate_start_post_copy = remote_domain_migrate_start_post_copy,
    .domain_block_pull = remote_domain_block_pull,
    .domain_block_rebase = remote_domain_block_rebase,
    .domain_block_commit = remote_domain_block_commit,
    .domain_block_copy = remote_domain_block_copy,
    .domain_block_job_abort = remote_domain_block_job_abort,
    .domain_get_block_job_info = remote_domain_get_block_job_info,
    .domain_block_job_set_speed = remote_domain_block_job_set_speed,
    .domain_save_flags = remote_domain_save_flags,
    .domain_restore_flags = remote_domain_restore_flags,
    .domain_managed_save = remote_domain_managed_save,
    .domain_has_managed_save_image = remote_domain_has_managed_save_image,
    .domain_managed_save_remove = remote_domain_managed_save_remove,
    .domain_core_dump_with_format = remote_domain_core_dump_with_format,
};

int
qv_remote_register(void)
{
    static QvirtMutex lock = {PTHREAD_MUTEX_INITIALIZER};
    static gboolean done;
    int rc = 0;

    qvirt_mutex_lock(&lock);
    if (!done) {
        rc = qv_driver_register(&remote_driver, NULL);
        if (rc == 0)
            done = TRUE;
    }
    qvirt_mutex_unlock(&lock);
    return rc;
}

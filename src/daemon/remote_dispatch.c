/* remote_dispatch.c: the RPC boundary of the daemon: registering the
 * handlers, per-client state, the read-only rule, the URIs a daemon serves,
 * and libvirt's error message prefixes (see remote_dispatch.h). */
#include <config.h>

#include <string.h>

#include "daemon/remote_dispatch_priv.h"
#include "rpc/rpc_typedparams.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

QVIRT_LOG_INIT("daemon.dispatch");

/* libvirt's message prefixes (virErrorMsg), keyed by code: clients print the
 * message as they receive it, and in-process messages carry no prefix. */
static const struct {
    int code;
    const char *prefix;
} remote_dispatch_prefixes[] = {
    {QVIRT_ERR_INTERNAL_ERROR, N_("internal error")},
    {QVIRT_ERR_NO_SUPPORT, N_("this function is not supported by the connection driver")},
    {QVIRT_ERR_OPERATION_FAILED, N_("operation failed")},
    {QVIRT_ERR_XML_ERROR, N_("XML error")},
    {QVIRT_ERR_OPERATION_DENIED, N_("operation forbidden")},
    {QVIRT_ERR_NO_DOMAIN, N_("Domain not found")},
    {QVIRT_ERR_OPERATION_INVALID, N_("Requested operation is not valid")},
    {QVIRT_ERR_CONFIG_UNSUPPORTED, N_("unsupported configuration")},
    {QVIRT_ERR_OPERATION_TIMEOUT, N_("Timed out during operation")},
};

const char *
remote_dispatch_error_prefix(int code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(remote_dispatch_prefixes); i++) {
        if (remote_dispatch_prefixes[i].code == code)
            return _(remote_dispatch_prefixes[i].prefix);
    }
    return NULL;
}

/* Put the prefix of the thread's error code in front of its message, unless
 * it is there already (a message repeating the prefix, e.g. the API's own
 * "this function is not supported by the connection driver: F"). */
static void
remote_dispatch_apply_prefix(void)
{
    const QvirtError *err = qvirt_error_get_last();
    const char *prefix;
    g_autofree char *text = NULL;

    if (!err) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("a call failed without reporting why"));
        err = qvirt_error_get_last();
    }
    prefix = remote_dispatch_error_prefix(err->code);
    if (!prefix || !err->message || g_str_has_prefix(err->message, prefix))
        return;
    text = g_strdup_printf("%s: %s", prefix, err->message);
    qvirt_error_set(err->domain, err->code, err->level, text);
}

/* ---- per-client state ---- */

static void
daemon_client_free(gpointer data)
{
    DaemonClient *dc = data;

    if (!dc)
        return;
    /* The close function dropped the connection already; this covers a
     * client freed without it. */
    if (dc->conn)
        qv_connect_close(dc->conn);
    g_hash_table_unref(dc->callbacks);
    qvirt_mutex_clear(&dc->lock);
    g_free(dc);
}

static void
remote_dispatch_client_connected(RpcServerClient *client, gpointer opaque G_GNUC_UNUSED)
{
    DaemonClient *dc = g_new0(DaemonClient, 1);

    qvirt_mutex_init(&dc->lock);
    dc->client = client;
    dc->callbacks = g_hash_table_new(g_direct_hash, g_direct_equal);
    dc->next_callback_id = 1;
    rpc_server_client_set_private(client, dc, daemon_client_free);
}

/* Close the client's connection (CONNECT_CLOSE or the client going away). */
static void
remote_dispatch_close_conn(DaemonClient *dc)
{
    QvConnect *conn;

    remote_dispatch_event_deregister_all(dc);
    qvirt_mutex_lock(&dc->lock);
    conn = g_steal_pointer(&dc->conn);
    dc->close_cb = FALSE;
    qvirt_mutex_unlock(&dc->lock);
    if (conn)
        qv_connect_close(conn);
}

static void
remote_dispatch_client_closed(RpcServerClient *client, gpointer opaque G_GNUC_UNUSED)
{
    DaemonClient *dc = rpc_server_client_get_private(client);

    if (dc)
        remote_dispatch_close_conn(dc);
}

QvConnect *
remote_dispatch_get_conn(DaemonClient *dc)
{
    QvConnect *conn = NULL;

    qvirt_mutex_lock(&dc->lock);
    if (dc->conn)
        conn = qv_connect_ref(dc->conn);
    qvirt_mutex_unlock(&dc->lock);
    if (!conn)
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("connection not open"));
    return conn;
}

QvDomain *
remote_dispatch_get_domain(QvConnect *conn, const remote_nonnull_domain *d)
{
    return qv_domain_new(conn, d->name, (const unsigned char *)d->uuid, d->id);
}

void
remote_dispatch_make_domain(remote_nonnull_domain *ret, QvDomain *dom)
{
    ret->name = g_strdup(qv_domain_get_name(dom));
    qv_domain_get_uuid(dom, (unsigned char *)ret->uuid);
    ret->id = qv_domain_get_id(dom);
}

void
remote_dispatch_make_params(const QvTypedParam *params, int nparams, remote_typed_param **ret_val,
                            u_int *ret_len)
{
    /* Drivers make only known types: a failure here is a driver bug. */
    if (rpc_typed_params_to_wire(params, nparams, 0, TRUE, ret_val, ret_len) < 0) {
        QVIRT_ERROR("dropping typed parameters: %s", qvirt_error_last_message());
        qvirt_error_reset();
        *ret_val = g_new0(remote_typed_param, 1);
        *ret_len = 0;
    }
}

/* ---- connection open and close ---- */

/* Whether this daemon serves URI; reports NO_CONNECT when it does not.
 * The daemon links the remote driver too (for peer-to-peer migration), so
 * a URI whose driver is not loaded here must be refused before opening:
 * the remote driver would take it and connect the daemon to a daemon. */
static gboolean
remote_dispatch_uri_allowed(RemoteDispatch *rd, const char *uri)
{
    const char *qemu_uri = rd->privileged ? "qemu:///system" : "qemu:///session";

    if (strcmp(uri, qemu_uri) == 0 || strcmp(uri, "test:///default") == 0) {
        g_autofree char *scheme = g_strndup(uri, strcspn(uri, ":"));
        const HypervisorDriver *drv = qv_driver_find(scheme);

        if (drv && !drv->remote)
            return TRUE;
        qvirt_report_error(QVIRT_ERR_NO_CONNECT,
                           _("the '%s' driver is not loaded in this daemon, so it cannot serve "
                             "'%s'"),
                           scheme, uri);
        return FALSE;
    }
    qvirt_report_error(QVIRT_ERR_NO_CONNECT,
                       _("this %s daemon does not serve the URI '%s': it serves '%s' and "
                         "'test:///default'"),
                       rd->privileged ? "system" : "session", uri, qemu_uri);
    return FALSE;
}

/* The one dispatch of the process (a daemon has one server): CONNECT_OPEN
 * needs its mode, and handlers get only the client. */
static RemoteDispatch *remote_dispatch_current;

static int
remote_dispatch_connect_open(RpcServerCall *call, DaemonClient *dc, void *args,
                             void *ret G_GNUC_UNUSED)
{
    remote_connect_open_args *a = args;
    RemoteDispatch *rd = remote_dispatch_current;
    const char *uri = a->name && *a->name && **a->name ? *a->name : NULL;
    unsigned int flags = a->flags & (QV_CONNECT_RO | QV_CONNECT_NO_ALIASES);
    g_autofree char *default_uri = NULL;
    QvConnect *conn;

    if (!uri) {
        default_uri = g_strdup(rd->privileged ? "qemu:///system" : "qemu:///session");
        uri = default_uri;
    }
    if (!remote_dispatch_uri_allowed(rd, uri))
        return -1;
    if (rpc_server_client_is_readonly(rpc_server_call_get_client(call)))
        flags |= QV_CONNECT_RO;

    qvirt_mutex_lock(&dc->lock);
    if (dc->conn) {
        qvirt_mutex_unlock(&dc->lock);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("connection already open"));
        return -1;
    }
    qvirt_mutex_unlock(&dc->lock);

    if (!(conn = qv_connect_open(uri, flags)))
        return -1;
    qvirt_mutex_lock(&dc->lock);
    if (dc->conn) {
        qvirt_mutex_unlock(&dc->lock);
        qv_connect_close(conn);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("connection already open"));
        return -1;
    }
    dc->conn = conn;
    qvirt_mutex_unlock(&dc->lock);
    QVIRT_INFO("client %" G_GUINT64_FORMAT " opened '%s'%s", rpc_server_client_get_id(dc->client),
               uri, (flags & QV_CONNECT_RO) ? " read-only" : "");
    return 0;
}

static int
remote_dispatch_connect_close(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc,
                              void *args G_GNUC_UNUSED, void *ret G_GNUC_UNUSED)
{
    remote_dispatch_close_conn(dc);
    return 0;
}

static const RemoteDispatchProc remote_dispatch_core_procs[] = {
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN, remote_dispatch_connect_open},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_CLOSE, remote_dispatch_connect_close},
    {0, 0, NULL},
};

/* ---- the trampoline every call goes through ---- */

typedef struct {
    const RemoteDispatchProc *proc;
    const RpcProcInfo *info;
} RemoteDispatchEntry;

static int
remote_dispatch_call(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    const RemoteDispatchEntry *entry = opaque;
    RpcServerClient *client = rpc_server_call_get_client(call);
    DaemonClient *dc = rpc_server_client_get_private(client);
    int rc;

    if (!dc) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("client has no state"));
        rc = -1;
    } else if (rpc_server_client_is_readonly(client) &&
               !(entry->info->flags & RPC_PROC_READONLY_OK)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_DENIED,
                           _("procedure %s is not allowed on a read-only connection"),
                           entry->info->name);
        rc = -1;
    } else {
        rc = entry->proc->func(call, dc, args, ret);
    }
    if (rc < 0) {
        remote_dispatch_apply_prefix();
        QVIRT_DEBUG("%s failed: %s", entry->info->name, qvirt_error_last_message());
    }
    return rc;
}

static int
remote_dispatch_feature(RpcServerClient *client, int feature, gpointer opaque G_GNUC_UNUSED)
{
    DaemonClient *dc = rpc_server_client_get_private(client);
    g_autoptr(QvConnect) conn = NULL;
    int rc;

    if (feature == QV_DRV_FEATURE_REMOTE_EVENT_CALLBACK ||
        feature == QV_DRV_FEATURE_REMOTE_CLOSE_CALLBACK)
        return 1;
    if (!dc)
        return 0;
    qvirt_mutex_lock(&dc->lock);
    if (dc->conn)
        conn = qv_connect_ref(dc->conn);
    qvirt_mutex_unlock(&dc->lock);
    if (!conn)
        return 0;
    rc = qv_connect_supports_feature(conn, feature);
    if (rc < 0)
        remote_dispatch_apply_prefix();
    return rc;
}

static int
remote_dispatch_add_table(RemoteDispatch *rd, const RemoteDispatchProc *table)
{
    for (const RemoteDispatchProc *p = table; p->func; p++) {
        const RpcProcInfo *info = rpc_program_lookup(p->prog, p->proc);
        RemoteDispatchEntry *entry;
        RpcServerProc sp;

        if (!info) {
            qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR,
                               _("procedure %d of program 0x%x is not in the catalog"), p->proc,
                               p->prog);
            return -1;
        }
        entry = g_new0(RemoteDispatchEntry, 1);
        entry->proc = p;
        entry->info = info;
        g_ptr_array_add(rd->entries, entry);

        sp = (RpcServerProc){
            .prog = info->prog,
            .proc = info->proc,
            .handler = remote_dispatch_call,
            .args_proc = info->args_proc,
            .args_size = info->args_size,
            .ret_proc = info->ret_proc,
            .ret_size = info->ret_size,
            /* The read-only rule is applied by remote_dispatch_call(), so that
             * its error carries libvirt's prefix. */
            .flags = info->flags | RPC_PROC_READONLY_OK,
            .opaque = entry,
        };
        if (rpc_server_add_proc(rd->server, &sp) < 0)
            return -1;
    }
    return 0;
}

RemoteDispatch *
remote_dispatch_new(RpcServer *server, gboolean privileged)
{
    g_autoptr(RemoteDispatch) rd = g_new0(RemoteDispatch, 1);

    if (remote_dispatch_current) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("the dispatch is already set up"));
        return NULL;
    }
    rd->privileged = privileged;
    rd->server = server;
    remote_dispatch_current = rd;
    rd->entries = g_ptr_array_new_with_free_func(g_free);

    rpc_server_set_client_funcs(server, remote_dispatch_client_connected,
                                remote_dispatch_client_closed, rd);
    rpc_server_set_feature_func(server, remote_dispatch_feature, rd);
    if (remote_dispatch_add_table(rd, remote_dispatch_core_procs) < 0 ||
        remote_dispatch_add_table(rd, remote_dispatch_connect_procs) < 0 ||
        remote_dispatch_add_table(rd, remote_dispatch_domain_procs) < 0 ||
        remote_dispatch_add_table(rd, remote_dispatch_event_procs) < 0 ||
        remote_dispatch_add_table(rd, remote_dispatch_migrate_procs) < 0 ||
        remote_dispatch_add_table(rd, remote_dispatch_blockjob_procs) < 0 ||
        remote_dispatch_add_table(rd, remote_dispatch_save_procs) < 0)
        return NULL;
    return g_steal_pointer(&rd);
}

void
remote_dispatch_free(RemoteDispatch *dispatch)
{
    if (!dispatch)
        return;
    if (remote_dispatch_current == dispatch)
        remote_dispatch_current = NULL;
    if (dispatch->entries)
        g_ptr_array_unref(dispatch->entries);
    g_free(dispatch);
}

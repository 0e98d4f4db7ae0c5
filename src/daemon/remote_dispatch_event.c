/* remote_dispatch_event.c: domain event registration for remote clients
 * (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY / DEREGISTER_ANY) and the
 * event MESSAGEs sent to them.
 *
 * Contract: a client's callback ids are its own (counted from 1 per
 * client); each maps to one registration of the API on the client's
 * connection, whose callback encodes the event and sends it to the client.
 * Closing the connection or the client removes them all. */
#include <config.h>

#include <string.h>

#include "daemon/remote_dispatch_priv.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_REMOTE

QVIRT_LOG_INIT("daemon.event");

/* What one registration's callback needs. */
typedef struct {
    RpcServerClient *client; /* a reference */
    int callback_id;         /* the client's id */
} RemoteEventCallback;

static void
remote_event_callback_free(gpointer data)
{
    RemoteEventCallback *cb = data;

    rpc_server_client_unref(cb->client);
    g_free(cb);
}

static void
remote_event_make_domain(remote_nonnull_domain *ret, const QvEvent *event)
{
    ret->name = (char *)event->name;
    memcpy(ret->uuid, event->uuid, sizeof(ret->uuid));
    ret->id = event->id;
}

/* Dispatch thread: encode EVENT and send it to the client. The payloads
 * borrow the event's strings (nothing is freed after sending). */
static void
remote_event_send(QvConnect *conn G_GNUC_UNUSED, QvDomain *dom G_GNUC_UNUSED, const QvEvent *event,
                  gpointer opaque)
{
    RemoteEventCallback *cb = opaque;
    int rc = 0;

    if (rpc_server_client_is_closed(cb->client))
        return;

    switch (event->event_id) {
    case QV_DOMAIN_EVENT_ID_LIFECYCLE: {
        remote_domain_event_callback_lifecycle_msg msg = {0};

        msg.callbackID = cb->callback_id;
        remote_event_make_domain(&msg.msg.dom, event);
        msg.msg.event = event->data.lifecycle.type;
        msg.msg.detail = event->data.lifecycle.detail;
        rc = rpc_server_client_send_event(
            cb->client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
            (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &msg);
        break;
    }
    case QV_DOMAIN_EVENT_ID_REBOOT: {
        remote_domain_event_callback_reboot_msg msg = {0};

        msg.callbackID = cb->callback_id;
        remote_event_make_domain(&msg.msg.dom, event);
        rc = rpc_server_client_send_event(
            cb->client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
            (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, &msg);
        break;
    }
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB: {
        remote_domain_event_callback_block_job_msg msg = {0};

        msg.callbackID = cb->callback_id;
        remote_event_make_domain(&msg.msg.dom, event);
        msg.msg.path = event->data.block_job.disk ? event->data.block_job.disk : (char *)"";
        msg.msg.type = event->data.block_job.type;
        msg.msg.status = event->data.block_job.status;
        rc = rpc_server_client_send_event(
            cb->client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB,
            (xdrproc_t)xdr_remote_domain_event_callback_block_job_msg, &msg);
        break;
    }
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB_2: {
        remote_domain_event_block_job_2_msg msg = {0};

        msg.callbackID = cb->callback_id;
        remote_event_make_domain(&msg.dom, event);
        msg.dst = event->data.block_job.disk ? event->data.block_job.disk : (char *)"";
        msg.type = event->data.block_job.type;
        msg.status = event->data.block_job.status;
        rc = rpc_server_client_send_event(cb->client, REMOTE_PROGRAM,
                                          REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2,
                                          (xdrproc_t)xdr_remote_domain_event_block_job_2_msg, &msg);
        break;
    }
    case QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION: {
        remote_domain_event_callback_migration_iteration_msg msg = {0};

        msg.callbackID = cb->callback_id;
        remote_event_make_domain(&msg.dom, event);
        msg.iteration = event->data.migration_iteration.iteration;
        rc = rpc_server_client_send_event(
            cb->client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION,
            (xdrproc_t)xdr_remote_domain_event_callback_migration_iteration_msg, &msg);
        break;
    }
    case QV_DOMAIN_EVENT_ID_JOB_COMPLETED: {
        remote_domain_event_callback_job_completed_msg msg = {0};
        int n = MIN(event->data.job_completed.nparams, REMOTE_DOMAIN_JOB_STATS_MAX);

        msg.callbackID = cb->callback_id;
        msg.dom.name = g_strdup(event->name);
        memcpy(msg.dom.uuid, event->uuid, sizeof(msg.dom.uuid));
        msg.dom.id = event->id;
        remote_dispatch_make_params(event->data.job_completed.params, n, &msg.params.params_val,
                                    &msg.params.params_len);
        rc = rpc_server_client_send_event(
            cb->client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
            (xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg, &msg);
        xdr_free((xdrproc_t)xdr_remote_domain_event_callback_job_completed_msg, (char *)&msg);
        break;
    }
    default:
        return;
    }
    if (rc < 0) {
        QVIRT_DEBUG("cannot send event %d to client %" G_GUINT64_FORMAT ": %s", event->event_id,
                    rpc_server_client_get_id(cb->client), qvirt_error_last_message());
        qvirt_error_reset();
    }
}

static gboolean
remote_event_id_supported(int event_id)
{
    switch (event_id) {
    case QV_DOMAIN_EVENT_ID_LIFECYCLE:
    case QV_DOMAIN_EVENT_ID_REBOOT:
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB:
    case QV_DOMAIN_EVENT_ID_BLOCK_JOB_2:
    case QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
    case QV_DOMAIN_EVENT_ID_JOB_COMPLETED:
        return TRUE;
    default:
        return FALSE;
    }
}

static int
event_register_any(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args, void *ret)
{
    remote_connect_domain_event_callback_register_any_args *a = args;
    remote_connect_domain_event_callback_register_any_ret *r = ret;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    g_autoptr(QvDomain) dom = NULL;
    RemoteEventCallback *cb;
    int api_id;

    if (!conn)
        return -1;
    /* Every libvirt id may be registered; the ones qvirt never emits just
     * stay silent (libvirt's clients register several at once). */
    if (a->eventID < 0 || a->eventID >= QV_DOMAIN_EVENT_ID_LAST) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported event ID %d"), a->eventID);
        return -1;
    }
    if (a->dom)
        dom = remote_dispatch_get_domain(conn, a->dom);

    cb = g_new0(RemoteEventCallback, 1);
    cb->client = rpc_server_client_ref(dc->client);
    qvirt_mutex_lock(&dc->lock);
    cb->callback_id = dc->next_callback_id++;
    qvirt_mutex_unlock(&dc->lock);

    if (!remote_event_id_supported(a->eventID))
        QVIRT_DEBUG("event %d is never emitted; registering anyway", a->eventID);
    api_id = qv_connect_domain_event_register_any(conn, dom, a->eventID, remote_event_send, cb,
                                                  remote_event_callback_free);
    if (api_id < 0) {
        remote_event_callback_free(cb);
        return -1;
    }
    qvirt_mutex_lock(&dc->lock);
    g_hash_table_insert(dc->callbacks, GINT_TO_POINTER(cb->callback_id), GINT_TO_POINTER(api_id));
    r->callbackID = cb->callback_id;
    qvirt_mutex_unlock(&dc->lock);
    return 0;
}

static int
event_deregister_any(RpcServerCall *call G_GNUC_UNUSED, DaemonClient *dc, void *args,
                     void *ret G_GNUC_UNUSED)
{
    remote_connect_domain_event_callback_deregister_any_args *a = args;
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);
    gpointer api_id = NULL;
    gboolean found;

    if (!conn)
        return -1;
    qvirt_mutex_lock(&dc->lock);
    found =
        g_hash_table_lookup_extended(dc->callbacks, GINT_TO_POINTER(a->callbackID), NULL, &api_id);
    if (found)
        g_hash_table_remove(dc->callbacks, GINT_TO_POINTER(a->callbackID));
    qvirt_mutex_unlock(&dc->lock);
    if (!found) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("no domain event callback with id %d"),
                           a->callbackID);
        return -1;
    }
    return qv_connect_domain_event_deregister_any(conn, GPOINTER_TO_INT(api_id));
}

void
remote_dispatch_event_deregister_all(DaemonClient *dc)
{
    g_autoptr(QvConnect) conn = NULL;
    g_autoptr(GList) ids = NULL;

    qvirt_mutex_lock(&dc->lock);
    if (dc->conn)
        conn = qv_connect_ref(dc->conn);
    ids = g_hash_table_get_values(dc->callbacks);
    g_hash_table_steal_all(dc->callbacks);
    qvirt_mutex_unlock(&dc->lock);
    if (!conn)
        return;
    for (GList *l = ids; l; l = l->next) {
        if (qv_connect_domain_event_deregister_any(conn, GPOINTER_TO_INT(l->data)) < 0)
            qvirt_error_reset();
    }
}

const RemoteDispatchProc remote_dispatch_event_procs[] = {
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, event_register_any},
    {REMOTE_PROGRAM, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
     event_deregister_any},
    {0, 0, NULL},
};

/* remote_dispatch_priv.h: what the remote_dispatch_*.c files share: the
 * client's state, the handler type and helpers that turn wire handles into
 * API handles and back. Not for other layers. */
#pragma once

#include "daemon/remote_dispatch.h"
#include "driver/api.h"
#include "util/threads.h"

/* The state kept per RPC client (its private data). */
typedef struct {
    QvirtMutex lock;
    RpcServerClient *client; /* not a reference: the client owns us */
    QvConnect *conn;         /* NULL until CONNECT_OPEN */
    gboolean close_cb;       /* REGISTER_CLOSE_CALLBACK was called */
    GHashTable *callbacks;   /* our callback id -> the API's callback id */
    int next_callback_id;
} DaemonClient;

typedef int (*RemoteDispatchFunc)(RpcServerCall *call, DaemonClient *dc, void *args, void *ret);

typedef struct {
    guint32 prog;
    int proc;
    RemoteDispatchFunc func;
} RemoteDispatchProc;

struct _RemoteDispatch {
    gboolean privileged;
    RpcServer *server;
    GPtrArray *entries; /* what each registered procedure's handler gets */
};

/* The handler tables of each file, ended by an entry with func NULL. */
extern const RemoteDispatchProc remote_dispatch_connect_procs[];
extern const RemoteDispatchProc remote_dispatch_domain_procs[];
extern const RemoteDispatchProc remote_dispatch_event_procs[];
extern const RemoteDispatchProc remote_dispatch_migrate_procs[];
extern const RemoteDispatchProc remote_dispatch_blockjob_procs[];
extern const RemoteDispatchProc remote_dispatch_save_procs[];

/* The client's connection, referenced, or NULL with INTERNAL_ERROR. */
QvConnect *remote_dispatch_get_conn(DaemonClient *dc);
/* An API handle for the wire handle D on CONN (no lookup). */
QvDomain *remote_dispatch_get_domain(QvConnect *conn, const remote_nonnull_domain *d);
/* The API handle of the wire handle D on DC's connection, or NULL with an
 * error. */
static inline QvDomain *
remote_dispatch_client_domain(DaemonClient *dc, const remote_nonnull_domain *d)
{
    g_autoptr(QvConnect) conn = remote_dispatch_get_conn(dc);

    return conn ? remote_dispatch_get_domain(conn, d) : NULL;
}

/* The typed parameters of a call (from rpc_typed_params_from_wire()),
 * freed when the scope ends: g_auto(RemoteDispatchParams) p = {0}. */
typedef struct {
    QvTypedParam *params;
    int n;
} RemoteDispatchParams;

static inline void
remote_dispatch_params_clear(RemoteDispatchParams *p)
{
    qv_typed_params_free(p->params, p->n);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RemoteDispatchParams, remote_dispatch_params_clear)

/* The string of the optional wire string S, or NULL when it is absent. */
static inline const char *
remote_dispatch_opt_string(remote_string s)
{
    return s ? *s : NULL;
}

/* Fill the wire handle RET from DOM (strings allocated for xdr_free). */
void remote_dispatch_make_domain(remote_nonnull_domain *ret, QvDomain *dom);
/* Typed parameters to their wire form (allocated for xdr_free). */
void remote_dispatch_make_params(const QvTypedParam *params, int nparams,
                                 remote_typed_param **ret_val, u_int *ret_len);
/* Drop every event registration of DC (on close). */
void remote_dispatch_event_deregister_all(DaemonClient *dc);

/* connect.h: connection objects (QvConnect) and domain handles (QvDomain).
 *
 * Contract:
 * - A QvConnect is reference counted. qv_connect_open() (api.h) returns it
 *   with one reference owned by the opener, who gives it back with
 *   qv_connect_close(). Domain handles and event registrations hold their
 *   own references, so the driver's connect_close runs when the last one
 *   goes. The fields driver, uri, uri_str and flags are set before the
 *   driver's connect_open and never change afterwards; private_data belongs
 *   to the driver (set in connect_open, released in connect_close).
 * - A QvDomain is a handle like libvirt's virDomainPtr: the connection (a
 *   reference), the name, the UUID and the id (-1 when inactive) as they were
 *   when the handle was made. It is not the domain: drivers look the domain
 *   up again by UUID on every call and report NO_DOMAIN when it is gone.
 * - Both kinds are safe to ref and unref from any thread. */
#pragma once

#include <glib.h>

#include "driver/uri.h"
#include "util/threads.h"

typedef struct _HypervisorDriver HypervisorDriver; /* driver.h */

/* libvirt's virConnectFlags. */
typedef enum {
    QV_CONNECT_RO = 1 << 0,
    QV_CONNECT_NO_ALIASES = 1 << 1,
} QvConnectFlags;

/* libvirt's virConnectCloseReason. */
typedef enum {
    QV_CONNECT_CLOSE_REASON_ERROR = 0,
    QV_CONNECT_CLOSE_REASON_EOF = 1,
    QV_CONNECT_CLOSE_REASON_KEEPALIVE = 2,
    QV_CONNECT_CLOSE_REASON_CLIENT = 3,
} QvConnectCloseReason;

typedef struct _QvConnect QvConnect;

typedef void (*QvConnectCloseFunc)(QvConnect *conn, int reason, gpointer opaque);

struct _QvConnect {
    gint refs;       /* atomic */
    QvirtMutex lock; /* guards the close callback */

    const HypervisorDriver *driver;
    QvUri *uri;
    char *uri_str;      /* canonical form of uri */
    unsigned int flags; /* QvConnectFlags */

    gpointer private_data; /* the driver's */

    QvConnectCloseFunc close_cb;
    gpointer close_opaque;
    GDestroyNotify close_free;
};

typedef struct {
    gint refs;       /* atomic */
    QvConnect *conn; /* a reference */
    char *name;
    unsigned char uuid[16];
    int id; /* -1 when inactive */
} QvDomain;

/* A connection with one reference to URI (taken) and FLAGS; no driver yet. */
QvConnect *qv_connect_new(QvUri *uri, unsigned int flags);
QvConnect *qv_connect_ref(QvConnect *conn);
/* Drop a reference; the last one calls the driver's connect_close (when a
 * driver accepted the connection) and frees. Accepts NULL. */
void qv_connect_unref(QvConnect *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvConnect, qv_connect_unref)

gboolean qv_connect_is_read_only(const QvConnect *conn);

/* Run the close callback, if any, with REASON (for drivers whose connection
 * can break, such as a remote one). The callback stays registered. */
void qv_connect_fire_close_callback(QvConnect *conn, int reason);

/* A new handle on CONN (referenced) with one reference. */
QvDomain *qv_domain_new(QvConnect *conn, const char *name, const unsigned char *uuid, int id);
QvDomain *qv_domain_ref(QvDomain *dom);
void qv_domain_unref(QvDomain *dom);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvDomain, qv_domain_unref)

/* Unref each handle of the NULL-terminated array DOMS, then free it. */
void qv_domain_list_free(QvDomain **doms);

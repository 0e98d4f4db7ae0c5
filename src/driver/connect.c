/* connect.c: connection objects and domain handles (see connect.h for the
 * contract). */
#include <config.h>

#include <string.h>

#include "driver/connect.h"
#include "driver/driver.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("driver.connect");

QvConnect *
qv_connect_new(QvUri *uri, unsigned int flags)
{
    QvConnect *conn = g_new0(QvConnect, 1);

    conn->refs = 1;
    qvirt_mutex_init(&conn->lock);
    conn->uri = uri;
    conn->uri_str = qv_uri_format(uri);
    conn->flags = flags;
    return conn;
}

QvConnect *
qv_connect_ref(QvConnect *conn)
{
    g_atomic_int_inc(&conn->refs);
    return conn;
}

void
qv_connect_unref(QvConnect *conn)
{
    if (!conn || !g_atomic_int_dec_and_test(&conn->refs))
        return;

    if (conn->driver && conn->driver->connect_close) {
        g_autoptr(QvirtError) saved = qvirt_error_save();

        /* Closing has nobody to report to: log a failure and keep the
         * caller's error. */
        if (conn->driver->connect_close(conn) < 0)
            QVIRT_WARN("driver '%s' failed to close '%s': %s", conn->driver->name, conn->uri_str,
                       qvirt_error_last_message());
        qvirt_error_restore(g_steal_pointer(&saved));
    }
    if (conn->close_free)
        conn->close_free(conn->close_opaque);
    qv_uri_free(conn->uri);
    g_free(conn->uri_str);
    qvirt_mutex_clear(&conn->lock);
    g_free(conn);
}

gboolean
qv_connect_is_read_only(const QvConnect *conn)
{
    return (conn->flags & QV_CONNECT_RO) != 0;
}

void
qv_connect_fire_close_callback(QvConnect *conn, int reason)
{
    QvConnectCloseFunc cb;
    gpointer opaque;

    qvirt_mutex_lock(&conn->lock);
    cb = conn->close_cb;
    opaque = conn->close_opaque;
    qvirt_mutex_unlock(&conn->lock);
    if (cb)
        cb(conn, reason, opaque);
}

QvDomain *
qv_domain_new(QvConnect *conn, const char *name, const unsigned char *uuid, int id)
{
    QvDomain *dom = g_new0(QvDomain, 1);

    dom->refs = 1;
    dom->conn = qv_connect_ref(conn);
    dom->name = g_strdup(name);
    memcpy(dom->uuid, uuid, sizeof(dom->uuid));
    dom->id = id;
    return dom;
}

QvDomain *
qv_domain_ref(QvDomain *dom)
{
    g_atomic_int_inc(&dom->refs);
    return dom;
}

void
qv_domain_unref(QvDomain *dom)
{
    if (!dom || !g_atomic_int_dec_and_test(&dom->refs))
        return;
    qv_connect_unref(dom->conn);
    g_free(dom->name);
    g_free(dom);
}

void
qv_domain_list_free(QvDomain **doms)
{
    if (!doms)
        return;
    for (size_t i = 0; doms[i]; i++)
        qv_domain_unref(doms[i]);
    g_free(doms);
}

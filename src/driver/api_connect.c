/* api_connect.c: the public entry points on connections, and the checks
 * every entry point shares (see api.h for the contract). */
#include <config.h>

#include "driver/api_priv.h"
#include "driver/driver_priv.h"
#include "driver/locker.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("driver.api");

/* ---- shared checks ---- */

gboolean
qv_api_check_conn(QvConnect *conn, const char *api)
{
    if (conn && conn->driver)
        return TRUE;
    qvirt_report_error(QVIRT_ERR_INVALID_CONN, _("invalid connection pointer in %s"), api);
    return FALSE;
}

gboolean
qv_api_check_domain(QvDomain *dom, const char *api)
{
    if (dom && dom->conn && dom->conn->driver)
        return TRUE;
    qvirt_report_error(QVIRT_ERR_INVALID_DOMAIN, _("invalid domain pointer in %s"), api);
    return FALSE;
}

gboolean
qv_api_check_arg(gconstpointer arg, const char *name, const char *api)
{
    if (arg)
        return TRUE;
    qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("%s in %s must not be NULL"), name, api);
    return FALSE;
}

gboolean
qv_api_check_flags(unsigned int flags, unsigned int known, const char *api)
{
    return qv_driver_check_flags(flags, known, api);
}

gboolean
qv_api_check_writable(QvConnect *conn, const char *api)
{
    if (!qv_connect_is_read_only(conn))
        return TRUE;
    qvirt_report_error(QVIRT_ERR_OPERATION_DENIED, _("read only access prevents %s"), api);
    return FALSE;
}

int
qv_api_no_support(const char *api)
{
    qvirt_report_error(QVIRT_ERR_NO_SUPPORT,
                       _("this function is not supported by the connection driver: %s"), api);
    return -1;
}

void
qv_api_failed(QvConnect *conn, const char *api)
{
    if (qvirt_error_get_last())
        return;
    qvirt_report_internal(_("driver '%s' failed in %s without reporting an error"),
                          conn->driver->name, api);
}

/* Results of a driver call, with a forgotten error filled in. */
static int
api_int_result(QvConnect *conn, int rc, const char *api)
{
    if (rc < 0)
        qv_api_failed(conn, api);
    return rc;
}

static char *
api_str_result(QvConnect *conn, char *str, const char *api)
{
    if (!str)
        qv_api_failed(conn, api);
    return str;
}

/* ---- opening and closing ---- */

QvConnect *
qv_connect_open(const char *uri, unsigned int flags)
{
    g_autofree char *default_uri = NULL;
    QvUri *parsed;
    QvConnect *conn;

    qvirt_error_reset();
    if (!qv_api_check_flags(flags, QV_CONNECT_RO | QV_CONNECT_NO_ALIASES, __func__))
        return NULL;
    if (!uri || !*uri) {
        default_uri = qv_driver_default_uri();
        if (!default_uri)
            return NULL;
        uri = default_uri;
    }
    parsed = qv_uri_parse(uri);
    if (!parsed)
        return NULL;
    conn = qv_connect_new(parsed, flags);
    if (qv_driver_open_connection(conn, flags) < 0) {
        g_autoptr(QvirtError) saved = qvirt_error_save();

        qv_connect_unref(conn);
        qvirt_error_restore(g_steal_pointer(&saved));
        return NULL;
    }
    return conn;
}

int
qv_connect_close(QvConnect *conn)
{
    QvConnectCloseFunc cb;
    gpointer opaque;
    GDestroyNotify free_opaque;
    int left;

    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    qv_event_deregister_all(conn);

    qvirt_mutex_lock(&conn->lock);
    cb = g_steal_pointer(&conn->close_cb);
    opaque = g_steal_pointer(&conn->close_opaque);
    free_opaque = g_steal_pointer(&conn->close_free);
    qvirt_mutex_unlock(&conn->lock);
    if (cb && free_opaque)
        free_opaque(opaque);

    left = g_atomic_int_get(&conn->refs) - 1;
    qv_connect_unref(conn);
    return MAX(left, 0);
}

char *
qv_connect_get_uri(QvConnect *conn)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return NULL;
    return g_strdup(conn->uri_str);
}

int
qv_connect_register_close_callback(QvConnect *conn, QvConnectCloseFunc cb, gpointer opaque,
                                   GDestroyNotify free_opaque)
{
    g_autoptr(QvMutexLocker) locker = NULL;

    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(cb, "cb", __func__))
        return -1;
    locker = qv_mutex_locker_new(&conn->lock);
    if (conn->close_cb) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("a close callback is already registered on this connection"));
        return -1;
    }
    conn->close_cb = cb;
    conn->close_opaque = opaque;
    conn->close_free = free_opaque;
    return 0;
}

int
qv_connect_unregister_close_callback(QvConnect *conn, QvConnectCloseFunc cb)
{
    gpointer opaque;
    GDestroyNotify free_opaque;

    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(cb, "cb", __func__))
        return -1;
    qvirt_mutex_lock(&conn->lock);
    if (conn->close_cb != cb) {
        qvirt_mutex_unlock(&conn->lock);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("this close callback is not registered on this connection"));
        return -1;
    }
    conn->close_cb = NULL;
    opaque = g_steal_pointer(&conn->close_opaque);
    free_opaque = g_steal_pointer(&conn->close_free);
    qvirt_mutex_unlock(&conn->lock);
    if (free_opaque)
        free_opaque(opaque);
    return 0;
}

/* ---- information ---- */

const char *
qv_connect_get_type(QvConnect *conn)
{
    const char *type;

    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return NULL;
    if (!conn->driver->connect_get_type)
        return conn->driver->name;
    type = conn->driver->connect_get_type(conn);
    if (!type)
        qv_api_failed(conn, __func__);
    return type;
}

int
qv_connect_get_version(QvConnect *conn, unsigned long long *ret_version)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) ||
        !qv_api_check_arg(ret_version, "ret_version", __func__))
        return -1;
    if (!conn->driver->connect_get_version)
        return qv_api_no_support(__func__);
    return api_int_result(conn, conn->driver->connect_get_version(conn, ret_version), __func__);
}

char *
qv_connect_get_hostname(QvConnect *conn)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return NULL;
    if (!conn->driver->connect_get_hostname) {
        qv_api_no_support(__func__);
        return NULL;
    }
    return api_str_result(conn, conn->driver->connect_get_hostname(conn), __func__);
}

char *
qv_connect_get_capabilities(QvConnect *conn)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return NULL;
    if (!conn->driver->connect_get_capabilities) {
        qv_api_no_support(__func__);
        return NULL;
    }
    return api_str_result(conn, conn->driver->connect_get_capabilities(conn), __func__);
}

int
qv_connect_get_max_vcpus(QvConnect *conn, const char *type)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    if (!conn->driver->connect_get_max_vcpus)
        return qv_api_no_support(__func__);
    return api_int_result(conn, conn->driver->connect_get_max_vcpus(conn, type), __func__);
}

int
qv_node_get_info(QvConnect *conn, QvNodeInfo *ret_info)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(ret_info, "ret_info", __func__))
        return -1;
    if (!conn->driver->node_get_info)
        return qv_api_no_support(__func__);
    return api_int_result(conn, conn->driver->node_get_info(conn, ret_info), __func__);
}

int
qv_connect_supports_feature(QvConnect *conn, int feature)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    if (!conn->driver->connect_supports_feature)
        return 0;
    return api_int_result(conn, conn->driver->connect_supports_feature(conn, feature), __func__);
}

char *
qv_connect_domain_xml_to_native(QvConnect *conn, const char *format, const char *xml,
                                unsigned int flags)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(format, "format", __func__) ||
        !qv_api_check_arg(xml, "xml", __func__) || !qv_api_check_flags(flags, 0, __func__) ||
        !qv_api_check_writable(conn, __func__))
        return NULL;
    if (!conn->driver->connect_domain_xml_to_native) {
        qv_api_no_support(__func__);
        return NULL;
    }
    return api_str_result(
        conn, conn->driver->connect_domain_xml_to_native(conn, format, xml, flags), __func__);
}

/* ---- listing ---- */

int
qv_connect_list_all_domains(QvConnect *conn, QvDomain ***ret_domains, unsigned int flags)
{
    QvDomain **doms = NULL;
    int count;

    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) ||
        !qv_api_check_flags(flags, QV_CONNECT_LIST_DOMAINS_ALL, __func__))
        return -1;
    if (!conn->driver->connect_list_all_domains)
        return qv_api_no_support(__func__);
    count = conn->driver->connect_list_all_domains(conn, &doms, flags);
    if (count < 0)
        return api_int_result(conn, count, __func__);
    if (ret_domains)
        *ret_domains = doms;
    else
        qv_domain_list_free(doms);
    return count;
}

int
qv_connect_num_of_domains(QvConnect *conn)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    if (!conn->driver->connect_num_of_domains)
        return qv_api_no_support(__func__);
    return api_int_result(conn, conn->driver->connect_num_of_domains(conn), __func__);
}

int
qv_connect_list_domains(QvConnect *conn, int *ids, int maxids)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    if (maxids < 0 || (maxids > 0 && !ids)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid id array (maxids %d) in %s"), maxids,
                           __func__);
        return -1;
    }
    if (!conn->driver->connect_list_domains)
        return qv_api_no_support(__func__);
    return api_int_result(conn, conn->driver->connect_list_domains(conn, ids, maxids), __func__);
}

int
qv_connect_num_of_defined_domains(QvConnect *conn)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    if (!conn->driver->connect_num_of_defined_domains)
        return qv_api_no_support(__func__);
    return api_int_result(conn, conn->driver->connect_num_of_defined_domains(conn), __func__);
}

int
qv_connect_list_defined_domains(QvConnect *conn, char **names, int maxnames)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    if (maxnames < 0 || (maxnames > 0 && !names)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid name array (maxnames %d) in %s"),
                           maxnames, __func__);
        return -1;
    }
    if (!conn->driver->connect_list_defined_domains)
        return qv_api_no_support(__func__);
    return api_int_result(conn, conn->driver->connect_list_defined_domains(conn, names, maxnames),
                          __func__);
}

/* ---- events ---- */

int
qv_connect_domain_event_register_any(QvConnect *conn, QvDomain *dom, int event_id,
                                     QvDomainEventCallback cb, gpointer opaque,
                                     GDestroyNotify free_opaque)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    if (dom && !qv_api_check_domain(dom, __func__))
        return -1;
    return qv_event_register(conn, dom, event_id, cb, opaque, free_opaque);
}

int
qv_connect_domain_event_deregister_any(QvConnect *conn, int callback_id)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return -1;
    return qv_event_deregister(conn, callback_id);
}

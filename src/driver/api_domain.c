/* api_domain.c: the public entry points on domains (see api.h for the
 * contract). Each one checks its arguments, refuses changes on read-only
 * connections, then calls the driver table entry of the same name. */
#include <config.h>

#include <string.h>

#include "driver/api_priv.h"
#include "util/error.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOM

/* The driver's result, with a forgotten error filled in. */
static int
dom_int_result(QvDomain *dom, int rc, const char *api)
{
    if (rc < 0)
        qv_api_failed(dom->conn, api);
    return rc;
}

static QvDomain *
conn_dom_result(QvConnect *conn, QvDomain *dom, const char *api)
{
    if (!dom)
        qv_api_failed(conn, api);
    return dom;
}

/* A domain call that changes the domain: handle, flags, read-only. */
static gboolean
dom_check_mutating(QvDomain *dom, unsigned int flags, unsigned int known, const char *api)
{
    return qv_api_check_domain(dom, api) && qv_api_check_flags(flags, known, api) &&
           qv_api_check_writable(dom->conn, api);
}

/* ---- handle accessors ---- */

const char *
qv_domain_get_name(QvDomain *dom)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__))
        return NULL;
    return dom->name;
}

int
qv_domain_get_uuid(QvDomain *dom, unsigned char *ret_uuid)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) || !qv_api_check_arg(ret_uuid, "ret_uuid", __func__))
        return -1;
    memcpy(ret_uuid, dom->uuid, sizeof(dom->uuid));
    return 0;
}

int
qv_domain_get_id(QvDomain *dom)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__))
        return -1;
    return dom->id;
}

QvConnect *
qv_domain_get_connect(QvDomain *dom)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__))
        return NULL;
    return dom->conn;
}

/* ---- lookups ---- */

QvDomain *
qv_domain_lookup_by_id(QvConnect *conn, int id)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__))
        return NULL;
    if (id < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("id %d in %s must not be negative"), id,
                           __func__);
        return NULL;
    }
    if (!conn->driver->domain_lookup_by_id) {
        qv_api_no_support(__func__);
        return NULL;
    }
    return conn_dom_result(conn, conn->driver->domain_lookup_by_id(conn, id), __func__);
}

QvDomain *
qv_domain_lookup_by_name(QvConnect *conn, const char *name)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(name, "name", __func__))
        return NULL;
    if (!conn->driver->domain_lookup_by_name) {
        qv_api_no_support(__func__);
        return NULL;
    }
    return conn_dom_result(conn, conn->driver->domain_lookup_by_name(conn, name), __func__);
}

QvDomain *
qv_domain_lookup_by_uuid(QvConnect *conn, const unsigned char *uuid)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(uuid, "uuid", __func__))
        return NULL;
    if (!conn->driver->domain_lookup_by_uuid) {
        qv_api_no_support(__func__);
        return NULL;
    }
    return conn_dom_result(conn, conn->driver->domain_lookup_by_uuid(conn, uuid), __func__);
}

QvDomain *
qv_domain_lookup_by_uuid_string(QvConnect *conn, const char *uuid)
{
    unsigned char raw[QVIRT_UUID_BUFLEN];

    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(uuid, "uuid", __func__))
        return NULL;
    if (qvirt_uuid_parse(uuid, raw) < 0)
        return NULL;
    return qv_domain_lookup_by_uuid(conn, raw);
}

/* ---- definition and lifecycle ---- */

QvDomain *
qv_domain_define_xml_flags(QvConnect *conn, const char *xml, unsigned int flags)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(xml, "xml", __func__) ||
        !qv_api_check_flags(flags, QV_DOMAIN_DEFINE_VALIDATE, __func__) ||
        !qv_api_check_writable(conn, __func__))
        return NULL;
    if (!conn->driver->domain_define_xml_flags) {
        qv_api_no_support(__func__);
        return NULL;
    }
    return conn_dom_result(conn, conn->driver->domain_define_xml_flags(conn, xml, flags), __func__);
}

QvDomain *
qv_domain_define_xml(QvConnect *conn, const char *xml)
{
    return qv_domain_define_xml_flags(conn, xml, 0);
}

int
qv_domain_undefine_flags(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, flags, QV_DOMAIN_UNDEFINE_ALL, __func__))
        return -1;
    if (!dom->conn->driver->domain_undefine_flags)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_undefine_flags(dom, flags), __func__);
}

int
qv_domain_undefine(QvDomain *dom)
{
    return qv_domain_undefine_flags(dom, 0);
}

int
qv_domain_create_with_flags(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, flags, QV_DOMAIN_START_ALL, __func__))
        return -1;
    if (!dom->conn->driver->domain_create_with_flags)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_create_with_flags(dom, flags), __func__);
}

int
qv_domain_create(QvDomain *dom)
{
    return qv_domain_create_with_flags(dom, 0);
}

QvDomain *
qv_domain_create_xml(QvConnect *conn, const char *xml, unsigned int flags)
{
    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(xml, "xml", __func__) ||
        !qv_api_check_flags(flags, QV_DOMAIN_START_ALL, __func__) ||
        !qv_api_check_writable(conn, __func__))
        return NULL;
    if (!conn->driver->domain_create_xml) {
        qv_api_no_support(__func__);
        return NULL;
    }
    return conn_dom_result(conn, conn->driver->domain_create_xml(conn, xml, flags), __func__);
}

int
qv_domain_destroy_flags(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, flags, QV_DOMAIN_DESTROY_ALL, __func__))
        return -1;
    if (!dom->conn->driver->domain_destroy_flags)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_destroy_flags(dom, flags), __func__);
}

int
qv_domain_destroy(QvDomain *dom)
{
    return qv_domain_destroy_flags(dom, 0);
}

int
qv_domain_shutdown_flags(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, flags, QV_DOMAIN_SHUTDOWN_ALL, __func__))
        return -1;
    if (!dom->conn->driver->domain_shutdown_flags)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_shutdown_flags(dom, flags), __func__);
}

int
qv_domain_shutdown(QvDomain *dom)
{
    return qv_domain_shutdown_flags(dom, 0);
}

int
qv_domain_reboot(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, flags, QV_DOMAIN_SHUTDOWN_ALL, __func__))
        return -1;
    if (!dom->conn->driver->domain_reboot)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_reboot(dom, flags), __func__);
}

int
qv_domain_reset(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, flags, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_reset)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_reset(dom, flags), __func__);
}

int
qv_domain_suspend(QvDomain *dom)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, 0, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_suspend)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_suspend(dom), __func__);
}

int
qv_domain_resume(QvDomain *dom)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, 0, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_resume)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_resume(dom), __func__);
}

/* ---- reading ---- */

int
qv_domain_get_info(QvDomain *dom, QvDomainInfo *ret_info)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) || !qv_api_check_arg(ret_info, "ret_info", __func__))
        return -1;
    if (!dom->conn->driver->domain_get_info)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_get_info(dom, ret_info), __func__);
}

int
qv_domain_get_state(QvDomain *dom, int *ret_state, int *ret_reason, unsigned int flags)
{
    int reason = 0;
    int rc;

    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) ||
        !qv_api_check_arg(ret_state, "ret_state", __func__) ||
        !qv_api_check_flags(flags, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_get_state)
        return qv_api_no_support(__func__);
    rc = dom->conn->driver->domain_get_state(dom, ret_state, &reason, flags);
    if (rc < 0)
        return dom_int_result(dom, rc, __func__);
    if (ret_reason)
        *ret_reason = reason;
    return rc;
}

char *
qv_domain_get_xml_desc(QvDomain *dom, unsigned int flags)
{
    char *xml;

    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) ||
        !qv_api_check_flags(flags, QV_DOMAIN_XML_ALL, __func__))
        return NULL;
    if ((flags & QV_DOMAIN_XML_SECURE) && qv_connect_is_read_only(dom->conn)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_DENIED,
                           _("read only access prevents %s with the secure flag"), __func__);
        return NULL;
    }
    if (!dom->conn->driver->domain_get_xml_desc) {
        qv_api_no_support(__func__);
        return NULL;
    }
    xml = dom->conn->driver->domain_get_xml_desc(dom, flags);
    if (!xml)
        qv_api_failed(dom->conn, __func__);
    return xml;
}

int
qv_domain_get_autostart(QvDomain *dom, int *ret_autostart)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) ||
        !qv_api_check_arg(ret_autostart, "ret_autostart", __func__))
        return -1;
    if (!dom->conn->driver->domain_get_autostart)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_get_autostart(dom, ret_autostart),
                          __func__);
}

int
qv_domain_set_autostart(QvDomain *dom, int autostart)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, 0, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_set_autostart)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_set_autostart(dom, autostart ? 1 : 0),
                          __func__);
}

int
qv_domain_is_active(QvDomain *dom)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__))
        return -1;
    if (!dom->conn->driver->domain_is_active)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_is_active(dom), __func__);
}

int
qv_domain_is_persistent(QvDomain *dom)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__))
        return -1;
    if (!dom->conn->driver->domain_is_persistent)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_is_persistent(dom), __func__);
}

/* ---- jobs ---- */

int
qv_domain_get_job_info(QvDomain *dom, QvDomainJobInfo *ret_info)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) || !qv_api_check_arg(ret_info, "ret_info", __func__))
        return -1;
    if (!dom->conn->driver->domain_get_job_info)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_get_job_info(dom, ret_info), __func__);
}

int
qv_domain_get_job_stats(QvDomain *dom, int *ret_type, QvTypedParam **ret_params, int *ret_nparams,
                        unsigned int flags)
{
    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) || !qv_api_check_arg(ret_type, "ret_type", __func__) ||
        !qv_api_check_arg(ret_params, "ret_params", __func__) ||
        !qv_api_check_arg(ret_nparams, "ret_nparams", __func__) ||
        !qv_api_check_flags(flags, QV_DOMAIN_JOB_STATS_ALL, __func__))
        return -1;
    if ((flags & QV_DOMAIN_JOB_STATS_KEEP_COMPLETED) && !(flags & QV_DOMAIN_JOB_STATS_COMPLETED)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("flag KEEP_COMPLETED needs flag COMPLETED in %s"), __func__);
        return -1;
    }
    if (!dom->conn->driver->domain_get_job_stats)
        return qv_api_no_support(__func__);
    return dom_int_result(
        dom, dom->conn->driver->domain_get_job_stats(dom, ret_type, ret_params, ret_nparams, flags),
        __func__);
}

int
qv_domain_abort_job_flags(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, flags, QV_DOMAIN_ABORT_JOB_POSTCOPY, __func__))
        return -1;
    if (!dom->conn->driver->domain_abort_job_flags)
        return qv_api_no_support(__func__);
    return dom_int_result(dom, dom->conn->driver->domain_abort_job_flags(dom, flags), __func__);
}

int
qv_domain_abort_job(QvDomain *dom)
{
    return qv_domain_abort_job_flags(dom, 0);
}

/* ---- monitor passthrough ---- */

int
qv_domain_qemu_monitor_command(QvDomain *dom, const char *cmd, char **ret_result,
                               unsigned int flags)
{
    qvirt_error_reset();
    if (!dom_check_mutating(dom, flags, QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP, __func__) ||
        !qv_api_check_arg(cmd, "cmd", __func__) ||
        !qv_api_check_arg(ret_result, "ret_result", __func__))
        return -1;
    if (!dom->conn->driver->domain_qemu_monitor_command)
        return qv_api_no_support(__func__);
    return dom_int_result(
        dom, dom->conn->driver->domain_qemu_monitor_command(dom, cmd, ret_result, flags), __func__);
}

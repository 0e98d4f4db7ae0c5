/* api_save.c: the public entry points of save, restore, managed save and
 * core dump (see api.h for the contract shared by every entry point, and
 * driver/save.h for the flags and dump formats).
 *
 * Besides the common checks (handle, path not NULL, known flags, read-only
 * refusal for everything but has_managed_save_image), the checks libvirt's
 * client library makes before the driver are made here too:
 * - QV_DOMAIN_SAVE_RUNNING with QV_DOMAIN_SAVE_PAUSED is INVALID_ARG;
 * - for a core dump, CRASH, LIVE and RESET are mutually exclusive in pairs
 *   (INVALID_ARG), a format >= QV_DOMAIN_CORE_DUMP_FORMAT_LAST is
 *   INVALID_ARG, and a format other than RAW needs QV_DUMP_MEMORY_ONLY.
 * - A relative file path (save to, restore from, dump to) is made absolute
 *   against the caller's current folder before the driver sees it: the
 *   daemon that opens the file runs in another folder.
 * qv_domain_save() and qv_domain_restore() are the _flags calls without an
 * alternative XML and flags; qv_domain_core_dump() is the _with_format call
 * with the RAW format. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "driver/api_priv.h"
#include "driver/save.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOM

QVIRT_LOG_INIT("driver.save");

/* The flags each call knows. */
#define SAVE_FLAGS QV_DOMAIN_SAVE_ALL
#define DUMP_FLAGS QV_DUMP_ALL

/* ---- helpers ---- */

static int
save_result(QvConnect *conn, int rc, const char *api)
{
    if (rc < 0) {
        qv_api_failed(conn, api);
        return -1;
    }
    return rc;
}

/* PATH made absolute against the current folder (a new string), or NULL
 * with a system error. Only the folder is prepended, nothing is resolved:
 * libvirt's client does the same. */
static char *
save_abs_path(const char *path)
{
    g_autofree char *cwd = NULL;

    if (g_path_is_absolute(path))
        return g_strdup(path);
    cwd = getcwd(NULL, 0);
    if (!cwd) {
        qvirt_report_system_error(errno, _("cannot find the current folder to complete '%s'"),
                                  path);
        return NULL;
    }
    return g_build_filename(cwd, path, NULL);
}

/* SAVE_RUNNING and SAVE_PAUSED contradict each other. */
static gboolean
save_check_state_flags(unsigned int flags, const char *api)
{
    if ((flags & QV_DOMAIN_SAVE_RUNNING) && (flags & QV_DOMAIN_SAVE_PAUSED)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("flags 'running' and 'paused' are mutually exclusive in %s"), api);
        return FALSE;
    }
    return TRUE;
}

/* A call that changes DOM: handle, flags, writable connection. */
static gboolean
save_check_domain(QvDomain *dom, unsigned int flags, unsigned int known, const char *api)
{
    return qv_api_check_domain(dom, api) && qv_api_check_flags(flags, known, api) &&
           qv_api_check_writable(dom->conn, api);
}

/* ---- save and restore ---- */

int
qv_domain_save_flags(QvDomain *dom, const char *to, const char *dxml, unsigned int flags)
{
    g_autofree char *path = NULL;

    qvirt_error_reset();
    if (!save_check_domain(dom, flags, SAVE_FLAGS, __func__) ||
        !qv_api_check_arg(to, "to", __func__) || !save_check_state_flags(flags, __func__))
        return -1;
    if (!dom->conn->driver->domain_save_flags)
        return qv_api_no_support(__func__);
    if (!(path = save_abs_path(to)))
        return -1;
    QVIRT_DEBUG("save %s to %s flags=0x%x%s", dom->name, path, flags, dxml ? " with XML" : "");
    return save_result(dom->conn, dom->conn->driver->domain_save_flags(dom, path, dxml, flags),
                       __func__);
}

int
qv_domain_save(QvDomain *dom, const char *to)
{
    return qv_domain_save_flags(dom, to, NULL, 0);
}

int
qv_domain_restore_flags(QvConnect *conn, const char *from, const char *dxml, unsigned int flags)
{
    g_autofree char *path = NULL;

    qvirt_error_reset();
    if (!qv_api_check_conn(conn, __func__) || !qv_api_check_arg(from, "from", __func__) ||
        !qv_api_check_flags(flags, SAVE_FLAGS, __func__) ||
        !qv_api_check_writable(conn, __func__) || !save_check_state_flags(flags, __func__))
        return -1;
    if (!conn->driver->domain_restore_flags)
        return qv_api_no_support(__func__);
    if (!(path = save_abs_path(from)))
        return -1;
    QVIRT_DEBUG("restore from %s flags=0x%x%s", path, flags, dxml ? " with XML" : "");
    return save_result(conn, conn->driver->domain_restore_flags(conn, path, dxml, flags), __func__);
}

int
qv_domain_restore(QvConnect *conn, const char *from)
{
    return qv_domain_restore_flags(conn, from, NULL, 0);
}

/* ---- managed save ---- */

int
qv_domain_managed_save(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!save_check_domain(dom, flags, SAVE_FLAGS, __func__) ||
        !save_check_state_flags(flags, __func__))
        return -1;
    if (!dom->conn->driver->domain_managed_save)
        return qv_api_no_support(__func__);
    QVIRT_DEBUG("managed save of %s flags=0x%x", dom->name, flags);
    return save_result(dom->conn, dom->conn->driver->domain_managed_save(dom, flags), __func__);
}

int
qv_domain_has_managed_save_image(QvDomain *dom, unsigned int flags)
{
    int rc;

    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) || !qv_api_check_flags(flags, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_has_managed_save_image)
        return qv_api_no_support(__func__);
    rc = dom->conn->driver->domain_has_managed_save_image(dom, flags);
    if (rc < 0)
        return save_result(dom->conn, rc, __func__);
    return rc > 0 ? 1 : 0;
}

int
qv_domain_managed_save_remove(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!save_check_domain(dom, flags, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_managed_save_remove)
        return qv_api_no_support(__func__);
    return save_result(dom->conn, dom->conn->driver->domain_managed_save_remove(dom, flags),
                       __func__);
}

/* ---- core dump ---- */

/* The pairs of dump flags that exclude each other, with their names. */
static const struct {
    unsigned int a;
    unsigned int b;
    const char *names;
} dump_exclusive[] = {
    {QV_DUMP_CRASH, QV_DUMP_LIVE, "'crash' and 'live'"},
    {QV_DUMP_CRASH, QV_DUMP_RESET, "'crash' and 'reset'"},
    {QV_DUMP_LIVE, QV_DUMP_RESET, "'live' and 'reset'"},
};

int
qv_domain_core_dump_with_format(QvDomain *dom, const char *to, unsigned int dumpformat,
                                unsigned int flags)
{
    g_autofree char *path = NULL;

    qvirt_error_reset();
    if (!save_check_domain(dom, flags, DUMP_FLAGS, __func__) ||
        !qv_api_check_arg(to, "to", __func__))
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(dump_exclusive); i++) {
        if ((flags & dump_exclusive[i].a) && (flags & dump_exclusive[i].b)) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("flags %s are mutually exclusive in %s"),
                               dump_exclusive[i].names, __func__);
            return -1;
        }
    }
    if (dumpformat >= QV_DOMAIN_CORE_DUMP_FORMAT_LAST) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("dump format %u is not supported in %s"),
                           dumpformat, __func__);
        return -1;
    }
    if (dumpformat != QV_DOMAIN_CORE_DUMP_FORMAT_RAW && !(flags & QV_DUMP_MEMORY_ONLY)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("dump format %u needs a memory-only dump (flag 0x%x) in %s"),
                           dumpformat, QV_DUMP_MEMORY_ONLY, __func__);
        return -1;
    }
    if (!dom->conn->driver->domain_core_dump_with_format)
        return qv_api_no_support(__func__);
    if (!(path = save_abs_path(to)))
        return -1;
    QVIRT_DEBUG("dump %s to %s format=%u flags=0x%x", dom->name, path, dumpformat, flags);
    return save_result(
        dom->conn, dom->conn->driver->domain_core_dump_with_format(dom, path, dumpformat, flags),
        __func__);
}

int
qv_domain_core_dump(QvDomain *dom, const char *to, unsigned int flags)
{
    return qv_domain_core_dump_with_format(dom, to, QV_DOMAIN_CORE_DUMP_FORMAT_RAW, flags);
}

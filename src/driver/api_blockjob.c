/* api_blockjob.c: the public entry points of block jobs (pull, rebase,
 * commit, copy, abort, info, speed); see api.h for the contract shared by
 * every entry point, and driver/blockjob.h for the flags.
 *
 * Besides the common checks (handle, DISK not NULL, known flags, read-only
 * refusal for everything but the info call), the checks libvirt makes before
 * the driver are made here too: a rebase with copy-only flags but without
 * QV_DOMAIN_BLOCK_REBASE_COPY, or a copy rebase without a destination, is
 * INVALID_ARG; a copy needs its destination XML and a sane parameter list.
 * The info call zeroes *RET_INFO when the disk has no job. */
#include <config.h>

#include <string.h>

#include "driver/api_priv.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOM

QVIRT_LOG_INIT("driver.blockjob");

#define BJ_PULL_FLAGS QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES
#define BJ_REBASE_FLAGS                                                                            \
    (QV_DOMAIN_BLOCK_REBASE_SHALLOW | QV_DOMAIN_BLOCK_REBASE_REUSE_EXT |                           \
     QV_DOMAIN_BLOCK_REBASE_COPY_RAW | QV_DOMAIN_BLOCK_REBASE_COPY |                               \
     QV_DOMAIN_BLOCK_REBASE_RELATIVE | QV_DOMAIN_BLOCK_REBASE_COPY_DEV |                           \
     QV_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES)
#define BJ_REBASE_COPY_ONLY                                                                        \
    (QV_DOMAIN_BLOCK_REBASE_SHALLOW | QV_DOMAIN_BLOCK_REBASE_REUSE_EXT |                           \
     QV_DOMAIN_BLOCK_REBASE_COPY_RAW | QV_DOMAIN_BLOCK_REBASE_COPY_DEV)
#define BJ_COMMIT_FLAGS                                                                            \
    (QV_DOMAIN_BLOCK_COMMIT_SHALLOW | QV_DOMAIN_BLOCK_COMMIT_DELETE |                              \
     QV_DOMAIN_BLOCK_COMMIT_ACTIVE | QV_DOMAIN_BLOCK_COMMIT_RELATIVE |                             \
     QV_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES)
#define BJ_COPY_FLAGS                                                                              \
    (QV_DOMAIN_BLOCK_COPY_SHALLOW | QV_DOMAIN_BLOCK_COPY_REUSE_EXT |                               \
     QV_DOMAIN_BLOCK_COPY_TRANSIENT_JOB | QV_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES)
#define BJ_ABORT_FLAGS (QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC | QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT)

/* A call that changes a disk: handle, DISK, flags, writable connection. */
static gboolean
bj_check(QvDomain *dom, const char *disk, unsigned int flags, unsigned int known, const char *api)
{
    return qv_api_check_domain(dom, api) && qv_api_check_arg(disk, "disk", api) &&
           qv_api_check_flags(flags, known, api) && qv_api_check_writable(dom->conn, api);
}

static int
bj_result(QvConnect *conn, int rc, const char *api)
{
    if (rc < 0) {
        qv_api_failed(conn, api);
        return -1;
    }
    return rc;
}

int
qv_domain_block_pull(QvDomain *dom, const char *disk, unsigned long long bandwidth,
                     unsigned int flags)
{
    qvirt_error_reset();
    if (!bj_check(dom, disk, flags, BJ_PULL_FLAGS, __func__))
        return -1;
    if (!dom->conn->driver->domain_block_pull)
        return qv_api_no_support(__func__);
    QVIRT_DEBUG("pull %s bandwidth=%llu flags=0x%x", disk, bandwidth, flags);
    return bj_result(dom->conn, dom->conn->driver->domain_block_pull(dom, disk, bandwidth, flags),
                     __func__);
}

int
qv_domain_block_rebase(QvDomain *dom, const char *disk, const char *base,
                       unsigned long long bandwidth, unsigned int flags)
{
    qvirt_error_reset();
    if (!bj_check(dom, disk, flags, BJ_REBASE_FLAGS, __func__))
        return -1;
    if (flags & QV_DOMAIN_BLOCK_REBASE_COPY) {
        if (!qv_api_check_arg(base, "base", __func__))
            return -1;
    } else if (flags & BJ_REBASE_COPY_ONLY) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("flags 0x%x in function %s need a copy job (flag 0x%x)"),
                           flags & BJ_REBASE_COPY_ONLY, __func__, QV_DOMAIN_BLOCK_REBASE_COPY);
        return -1;
    }
    if (!dom->conn->driver->domain_block_rebase)
        return qv_api_no_support(__func__);
    QVIRT_DEBUG("rebase %s base=%s bandwidth=%llu flags=0x%x", disk, base ? base : "(null)",
                bandwidth, flags);
    return bj_result(dom->conn,
                     dom->conn->driver->domain_block_rebase(dom, disk, base, bandwidth, flags),
                     __func__);
}

int
qv_domain_block_commit(QvDomain *dom, const char *disk, const char *base, const char *top,
                       unsigned long long bandwidth, unsigned int flags)
{
    qvirt_error_reset();
    if (!bj_check(dom, disk, flags, BJ_COMMIT_FLAGS, __func__))
        return -1;
    if (!dom->conn->driver->domain_block_commit)
        return qv_api_no_support(__func__);
    QVIRT_DEBUG("commit %s base=%s top=%s bandwidth=%llu flags=0x%x", disk, base ? base : "(null)",
                top ? top : "(null)", bandwidth, flags);
    return bj_result(dom->conn,
                     dom->conn->driver->domain_block_commit(dom, disk, base, top, bandwidth, flags),
                     __func__);
}

int
qv_domain_block_copy(QvDomain *dom, const char *disk, const char *destxml,
                     const QvTypedParam *params, int nparams, unsigned int flags)
{
    qvirt_error_reset();
    if (!bj_check(dom, disk, flags, BJ_COPY_FLAGS, __func__) ||
        !qv_api_check_arg(destxml, "destxml", __func__))
        return -1;
    if (nparams < 0 || (nparams > 0 && !params)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid parameter list (nparams %d) in %s"),
                           nparams, __func__);
        return -1;
    }
    if (!dom->conn->driver->domain_block_copy)
        return qv_api_no_support(__func__);
    QVIRT_DEBUG("copy %s nparams=%d flags=0x%x", disk, nparams, flags);
    return bj_result(
        dom->conn, dom->conn->driver->domain_block_copy(dom, disk, destxml, params, nparams, flags),
        __func__);
}

int
qv_domain_block_job_abort(QvDomain *dom, const char *disk, unsigned int flags)
{
    qvirt_error_reset();
    if (!bj_check(dom, disk, flags, BJ_ABORT_FLAGS, __func__))
        return -1;
    if (!dom->conn->driver->domain_block_job_abort)
        return qv_api_no_support(__func__);
    QVIRT_DEBUG("abort %s flags=0x%x", disk, flags);
    return bj_result(dom->conn, dom->conn->driver->domain_block_job_abort(dom, disk, flags),
                     __func__);
}

int
qv_domain_get_block_job_info(QvDomain *dom, const char *disk, QvDomainBlockJobInfo *ret_info,
                             unsigned int flags)
{
    QvDomainBlockJobInfo info = {0};
    int rc;

    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) || !qv_api_check_arg(disk, "disk", __func__) ||
        !qv_api_check_arg(ret_info, "ret_info", __func__) ||
        !qv_api_check_flags(flags, QV_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES, __func__))
        return -1;
    if (!dom->conn->driver->domain_get_block_job_info)
        return qv_api_no_support(__func__);
    rc = dom->conn->driver->domain_get_block_job_info(dom, disk, &info, flags);
    if (rc < 0)
        return bj_result(dom->conn, rc, __func__);
    if (rc == 0)
        memset(&info, 0, sizeof(info));
    *ret_info = info;
    return rc > 0 ? 1 : 0;
}

int
qv_domain_block_job_set_speed(QvDomain *dom, const char *disk, unsigned long long bandwidth,
                              unsigned int flags)
{
    qvirt_error_reset();
    if (!bj_check(dom, disk, flags, QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, __func__))
        return -1;
    if (!dom->conn->driver->domain_block_job_set_speed)
        return qv_api_no_support(__func__);
    return bj_result(dom->conn,
                     dom->conn->driver->domain_block_job_set_speed(dom, disk, bandwidth, flags),
                     __func__);
}

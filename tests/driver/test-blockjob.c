/* test-blockjob.c: the block job entry points (driver/api_blockjob.c)
 * against a tiny driver "bj" built here, which records the last call it
 * got (operation, disk, base, top, bandwidth, flags, destination XML and
 * parameters) and can be told to fail, with or without reporting. "bjbare"
 * has no block job entries.
 *
 * Cases: each call reaches the driver with its arguments unchanged;
 * argument checks (NULL handle, disk, info pointer, destination XML,
 * parameter list) and unknown flags fail before the driver; the rebase's
 * copy-only flags need QV_DOMAIN_BLOCK_REBASE_COPY and a destination; a
 * read-only connection refuses all but the info call; the info call's
 * found / not found answers (zeroed info); a driver failure keeps its
 * error, a silent one becomes INTERNAL_ERROR; NO_SUPPORT naming each call. */
#include <config.h>

#include <string.h>

#include "driver/api.h"
#include "driver/driver_priv.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

/* ---- the driver ---- */

typedef enum {
    BJ_FAIL_NONE,
    BJ_FAIL_REPORTED,
    BJ_FAIL_SILENT,
} BjFail;

typedef struct {
    int calls;
    char *op;
    char *disk;
    char *base;
    char *top;
    char *destxml;
    unsigned long long bandwidth;
    unsigned int flags;
    int nparams;
    unsigned long long param_bandwidth;
    BjFail fail;
} BjRecord;

static BjRecord bj;

static void
bj_reset(void)
{
    g_free(bj.op);
    g_free(bj.disk);
    g_free(bj.base);
    g_free(bj.top);
    g_free(bj.destxml);
    memset(&bj, 0, sizeof(bj));
}

static int
bj_record(const char *op, const char *disk, const char *base, const char *top,
          unsigned long long bandwidth, unsigned int flags)
{
    bj.calls++;
    g_free(bj.op);
    g_free(bj.disk);
    g_free(bj.base);
    g_free(bj.top);
    bj.op = g_strdup(op);
    bj.disk = g_strdup(disk);
    bj.base = g_strdup(base ? base : "(null)");
    bj.top = g_strdup(top ? top : "(null)");
    bj.bandwidth = bandwidth;
    bj.flags = flags;
    if (bj.fail == BJ_FAIL_REPORTED) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, "disk '%s' already has a block job", disk);
        return -1;
    }
    return bj.fail == BJ_FAIL_SILENT ? -1 : 0;
}

static int
bj_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    (void)conn;
    (void)flags;
    return strcmp(uri->driver, "bj") == 0 ? QVIRT_DRV_OPEN_SUCCESS : QVIRT_DRV_OPEN_DECLINED;
}

static int
bjbare_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    (void)conn;
    (void)flags;
    return strcmp(uri->driver, "bjbare") == 0 ? QVIRT_DRV_OPEN_SUCCESS : QVIRT_DRV_OPEN_DECLINED;
}

static QvDomain *
bj_lookup_by_name(QvConnect *conn, const char *name)
{
    unsigned char uuid[16];

    memset(uuid, 0x17, sizeof(uuid));
    return qv_domain_new(conn, name, uuid, 5);
}

static int
bj_pull(QvDomain *dom, const char *disk, unsigned long long bandwidth, unsigned int flags)
{
    (void)dom;
    return bj_record("pull", disk, NULL, NULL, bandwidth, flags);
}

static int
bj_rebase(QvDomain *dom, const char *disk, const char *base, unsigned long long bandwidth,
          unsigned int flags)
{
    (void)dom;
    return bj_record("rebase", disk, base, NULL, bandwidth, flags);
}

static int
bj_commit(QvDomain *dom, const char *disk, const char *base, const char *top,
          unsigned long long bandwidth, unsigned int flags)
{
    (void)dom;
    return bj_record("commit", disk, base, top, bandwidth, flags);
}

static int
bj_copy(QvDomain *dom, const char *disk, const char *destxml, const QvTypedParam *params,
        int nparams, unsigned int flags)
{
    unsigned long long bw = 0;

    (void)dom;
    g_free(bj.destxml);
    bj.destxml = g_strdup(destxml);
    bj.nparams = nparams;
    if (qv_typed_params_get_ullong(params, nparams, QV_DOMAIN_BLOCK_COPY_BANDWIDTH, &bw) > 0)
        bj.param_bandwidth = bw;
    return bj_record("copy", disk, NULL, NULL, 0, flags);
}

static int
bj_abort(QvDomain *dom, const char *disk, unsigned int flags)
{
    (void)dom;
    return bj_record("abort", disk, NULL, NULL, 0, flags);
}

static int
bj_info(QvDomain *dom, const char *disk, QvDomainBlockJobInfo *ret_info, unsigned int flags)
{
    (void)dom;
    if (bj_record("info", disk, NULL, NULL, 0, flags) < 0)
        return -1;
    if (strcmp(disk, "vda") != 0) {
        /* A careless driver: the API must still hand back zeroes. */
        ret_info->cur = 99;
        return 0;
    }
    ret_info->type = QV_DOMAIN_BLOCK_JOB_TYPE_COPY;
    ret_info->bandwidth = flags ? 1048576 : 1;
    ret_info->cur = 40;
    ret_info->end = 100;
    return 1;
}

static int
bj_set_speed(QvDomain *dom, const char *disk, unsigned long long bandwidth, unsigned int flags)
{
    (void)dom;
    return bj_record("speed", disk, NULL, NULL, bandwidth, flags);
}

static const HypervisorDriver bj_driver = {
    .name = "bj",
    .connect_open = bj_connect_open,
    .domain_lookup_by_name = bj_lookup_by_name,
    .domain_block_pull = bj_pull,
    .domain_block_rebase = bj_rebase,
    .domain_block_commit = bj_commit,
    .domain_block_copy = bj_copy,
    .domain_block_job_abort = bj_abort,
    .domain_get_block_job_info = bj_info,
    .domain_block_job_set_speed = bj_set_speed,
};

static const HypervisorDriver bjbare_driver = {
    .name = "bjbare",
    .connect_open = bjbare_connect_open,
    .domain_lookup_by_name = bj_lookup_by_name,
};

/* ---- fixture ---- */

typedef struct {
    QvConnect *conn;
    QvDomain *dom;
    QvConnect *ro;
    QvDomain *rodom;
} BjFixture;

static void
bj_setup(BjFixture *f, gconstpointer data)
{
    (void)data;
    qv_driver_registry_reset();
    bj_reset();
    g_assert_cmpint(qv_driver_register(&bj_driver, NULL), ==, 0);
    g_assert_cmpint(qv_driver_register(&bjbare_driver, NULL), ==, 0);
    f->conn = qv_connect_open("bj:///x", 0);
    g_assert_nonnull(f->conn);
    f->dom = qv_domain_lookup_by_name(f->conn, "guest");
    g_assert_nonnull(f->dom);
    f->ro = qv_connect_open("bj:///x", QV_CONNECT_RO);
    g_assert_nonnull(f->ro);
    f->rodom = qv_domain_lookup_by_name(f->ro, "guest");
    g_assert_nonnull(f->rodom);
}

static void
bj_teardown(BjFixture *f, gconstpointer data)
{
    (void)data;
    qv_domain_unref(f->dom);
    qv_domain_unref(f->rodom);
    qv_connect_close(f->conn);
    qv_connect_close(f->ro);
    bj_reset();
}

/* ---- cases ---- */

static void
test_bj_calls(BjFixture *f, gconstpointer data)
{
    QvTypedParam *params = NULL;
    int n = 0, max = 0;

    (void)data;
    g_assert_cmpint(qv_domain_block_pull(f->dom, "vda", 7, QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES),
                    ==, 0);
    g_assert_cmpstr(bj.op, ==, "pull");
    g_assert_cmpstr(bj.disk, ==, "vda");
    g_assert_cmpuint(bj.bandwidth, ==, 7);
    g_assert_cmpuint(bj.flags, ==, QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES);

    g_assert_cmpint(qv_domain_block_rebase(f->dom, "vdb", "/img/base.qcow2", 3,
                                           QV_DOMAIN_BLOCK_REBASE_RELATIVE),
                    ==, 0);
    g_assert_cmpstr(bj.op, ==, "rebase");
    g_assert_cmpstr(bj.base, ==, "/img/base.qcow2");
    g_assert_cmpuint(bj.flags, ==, QV_DOMAIN_BLOCK_REBASE_RELATIVE);
    g_assert_cmpint(qv_domain_block_rebase(f->dom, "vdb", NULL, 0, 0), ==, 0);
    g_assert_cmpstr(bj.base, ==, "(null)");
    g_assert_cmpint(qv_domain_block_rebase(f->dom, "vda", "/img/copy.qcow2", 0,
                                           QV_DOMAIN_BLOCK_REBASE_COPY |
                                               QV_DOMAIN_BLOCK_REBASE_SHALLOW |
                                               QV_DOMAIN_BLOCK_REBASE_REUSE_EXT),
                    ==, 0);
    g_assert_cmpuint(bj.flags, ==, 0xb);

    g_assert_cmpint(
        qv_domain_block_commit(f->dom, "vda", "/b", NULL, 9,
                               QV_DOMAIN_BLOCK_COMMIT_ACTIVE | QV_DOMAIN_BLOCK_COMMIT_DELETE),
        ==, 0);
    g_assert_cmpstr(bj.op, ==, "commit");
    g_assert_cmpstr(bj.base, ==, "/b");
    g_assert_cmpstr(bj.top, ==, "(null)");
    g_assert_cmpuint(bj.bandwidth, ==, 9);
    g_assert_cmpuint(bj.flags, ==, 0x6);

    g_assert_cmpint(
        qv_typed_params_add_ullong(&params, &n, &max, QV_DOMAIN_BLOCK_COPY_BANDWIDTH, 1048576), ==,
        0);
    g_assert_cmpint(qv_domain_block_copy(f->dom, "vda", "<disk type='file'/>", params, n,
                                         QV_DOMAIN_BLOCK_COPY_TRANSIENT_JOB),
                    ==, 0);
    g_assert_cmpstr(bj.op, ==, "copy");
    g_assert_cmpstr(bj.destxml, ==, "<disk type='file'/>");
    g_assert_cmpint(bj.nparams, ==, 1);
    g_assert_cmpuint(bj.param_bandwidth, ==, 1048576);
    g_assert_cmpuint(bj.flags, ==, QV_DOMAIN_BLOCK_COPY_TRANSIENT_JOB);
    qv_typed_params_free(params, n);
    g_assert_cmpint(qv_domain_block_copy(f->dom, "vda", "<disk/>", NULL, 0, 0), ==, 0);
    g_assert_cmpint(bj.nparams, ==, 0);

    g_assert_cmpint(qv_domain_block_job_abort(f->dom, "vda",
                                              QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT |
                                                  QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC),
                    ==, 0);
    g_assert_cmpstr(bj.op, ==, "abort");
    g_assert_cmpuint(bj.flags, ==, 3);

    g_assert_cmpint(
        qv_domain_block_job_set_speed(f->dom, "vda", 5, QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES),
        ==, 0);
    g_assert_cmpstr(bj.op, ==, "speed");
    g_assert_cmpuint(bj.bandwidth, ==, 5);
    g_assert_cmpuint(bj.flags, ==, 1);
    g_assert_null(qvirt_error_get_last());
}

static void
test_bj_info(BjFixture *f, gconstpointer data)
{
    QvDomainBlockJobInfo info;

    (void)data;
    memset(&info, 0xff, sizeof(info));
    g_assert_cmpint(qv_domain_get_block_job_info(f->dom, "vda", &info, 0), ==, 1);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_BLOCK_JOB_TYPE_COPY);
    g_assert_cmpuint(info.bandwidth, ==, 1);
    g_assert_cmpuint(info.cur, ==, 40);
    g_assert_cmpuint(info.end, ==, 100);
    g_assert_cmpint(qv_domain_get_block_job_info(f->dom, "vda", &info,
                                                 QV_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES),
                    ==, 1);
    g_assert_cmpuint(info.bandwidth, ==, 1048576);

    /* No job: 0, and the info zeroed whatever the driver left there. */
    memset(&info, 0xff, sizeof(info));
    g_assert_cmpint(qv_domain_get_block_job_info(f->dom, "vdz", &info, 0), ==, 0);
    g_assert_cmpint(info.type, ==, 0);
    g_assert_cmpuint(info.cur, ==, 0);
    g_assert_cmpuint(info.end, ==, 0);

    /* Allowed on a read-only connection. */
    g_assert_cmpint(qv_domain_get_block_job_info(f->rodom, "vda", &info, 0), ==, 1);
    g_assert_null(qvirt_error_get_last());

    /* A failure leaves the info alone. */
    bj.fail = BJ_FAIL_REPORTED;
    info.cur = 1234;
    g_assert_cmpint(qv_domain_get_block_job_info(f->dom, "vda", &info, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "already has a block job");
    g_assert_cmpuint(info.cur, ==, 1234);
}

static void
test_bj_argument_checks(BjFixture *f, gconstpointer data)
{
    QvDomainBlockJobInfo info;

    (void)data;
    g_assert_cmpint(qv_domain_block_pull(NULL, "vda", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_DOMAIN, "qv_domain_block_pull");
    g_assert_cmpint(qv_domain_block_pull(f->dom, NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "disk");
    g_assert_cmpint(qv_domain_block_pull(f->dom, "vda", 0, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x1)");

    g_assert_cmpint(qv_domain_block_rebase(f->dom, "vda", NULL, 0, 0x80), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x80)");
    /* Copy-only flags without a copy; a copy without destination. */
    g_assert_cmpint(qv_domain_block_rebase(f->dom, "vda", "/b", 0, QV_DOMAIN_BLOCK_REBASE_SHALLOW),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "need a copy job");
    g_assert_cmpint(qv_domain_block_rebase(f->dom, "vda", NULL, 0, QV_DOMAIN_BLOCK_REBASE_COPY), ==,
                    -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "base");

    g_assert_cmpint(qv_domain_block_commit(f->dom, NULL, NULL, NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "disk");
    g_assert_cmpint(qv_domain_block_commit(f->dom, "vda", NULL, NULL, 0, 0x20), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x20)");

    g_assert_cmpint(qv_domain_block_copy(f->dom, "vda", NULL, NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "destxml");
    g_assert_cmpint(qv_domain_block_copy(f->dom, "vda", "<disk/>", NULL, 2, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid parameter list (nparams 2)");
    g_assert_cmpint(qv_domain_block_copy(f->dom, "vda", "<disk/>", NULL, -1, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid parameter list (nparams -1)");
    g_assert_cmpint(qv_domain_block_copy(f->dom, "vda", "<disk/>", NULL, 0, 0x10), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x10)");

    g_assert_cmpint(qv_domain_block_job_abort(f->dom, "vda", 4), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x4)");
    g_assert_cmpint(qv_domain_get_block_job_info(f->dom, "vda", NULL, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "ret_info");
    g_assert_cmpint(qv_domain_get_block_job_info(f->dom, NULL, &info, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "disk");
    g_assert_cmpint(qv_domain_get_block_job_info(f->dom, "vda", &info, 2), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x2)");
    g_assert_cmpint(qv_domain_block_job_set_speed(f->dom, "vda", 1, 2), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x2)");
    g_assert_cmpint(qv_domain_block_job_set_speed(NULL, "vda", 1, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_DOMAIN, "qv_domain_block_job_set_speed");
    /* None of these reached the driver. */
    g_assert_cmpint(bj.calls, ==, 0);
}

static void
test_bj_read_only(BjFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(qv_domain_block_pull(f->rodom, "vda", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_block_rebase(f->rodom, "vda", NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_block_rebase");
    g_assert_cmpint(qv_domain_block_commit(f->rodom, "vda", NULL, NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_block_commit");
    g_assert_cmpint(qv_domain_block_copy(f->rodom, "vda", "<disk/>", NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_block_copy");
    g_assert_cmpint(qv_domain_block_job_abort(f->rodom, "vda", 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_block_job_abort");
    g_assert_cmpint(qv_domain_block_job_set_speed(f->rodom, "vda", 1, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "qv_domain_block_job_set_speed");
    g_assert_cmpint(bj.calls, ==, 0);
}

static void
test_bj_driver_errors(BjFixture *f, gconstpointer data)
{
    (void)data;
    bj.fail = BJ_FAIL_REPORTED;
    g_assert_cmpint(qv_domain_block_pull(f->dom, "vda", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "disk 'vda' already has a block job");
    bj.fail = BJ_FAIL_SILENT;
    g_assert_cmpint(qv_domain_block_copy(f->dom, "vda", "<disk/>", NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "qv_domain_block_copy");
    g_assert_cmpint(qv_domain_block_job_abort(f->dom, "vda", 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "qv_domain_block_job_abort");
}

static void
test_bj_no_support(BjFixture *f, gconstpointer data)
{
    QvConnect *bare = qv_connect_open("bjbare:///x", 0);
    g_autoptr(QvDomain) dom = NULL;
    QvDomainBlockJobInfo info;

    (void)f;
    (void)data;
    g_assert_nonnull(bare);
    dom = qv_domain_lookup_by_name(bare, "b");
    g_assert_cmpint(qv_domain_block_pull(dom, "vda", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_pull");
    g_assert_cmpint(qv_domain_block_rebase(dom, "vda", NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_rebase");
    g_assert_cmpint(qv_domain_block_commit(dom, "vda", NULL, NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_commit");
    g_assert_cmpint(qv_domain_block_copy(dom, "vda", "<disk/>", NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_copy");
    g_assert_cmpint(qv_domain_block_job_abort(dom, "vda", 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_job_abort");
    g_assert_cmpint(qv_domain_get_block_job_info(dom, "vda", &info, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_get_block_job_info");
    g_assert_cmpint(qv_domain_block_job_set_speed(dom, "vda", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_block_job_set_speed");
    qv_domain_unref(g_steal_pointer(&dom));
    qv_connect_close(bare);
}

#define BJ_CASE(path, fn)                                                                          \
    g_test_add("/driver/blockjob/" path, BjFixture, NULL, bj_setup, fn, bj_teardown)

void
test_blockjob_register(void)
{
    BJ_CASE("calls", test_bj_calls);
    BJ_CASE("info", test_bj_info);
    BJ_CASE("argument-checks", test_bj_argument_checks);
    BJ_CASE("read-only", test_bj_read_only);
    BJ_CASE("driver-errors", test_bj_driver_errors);
    BJ_CASE("no-support", test_bj_no_support);
}

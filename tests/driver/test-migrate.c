/* test-migrate.c: the migration entry points (driver/api_migrate.c) against
 * a tiny migration driver "mig" built here. It serves mig:///src and
 * mig:///dst (mig:///old: a driver that answers no migration feature),
 * records every step it is asked for, with the cookie and the parameters
 * it got, and can be told to fail any one step.
 *
 * Cases: the client-driven order of the five steps and the cookies handed
 * on; destination_xml, migrate_uri (uri_out, else the caller's) and
 * destination_name in the parameters; the cancelled flags and the error
 * kept when Prepare, Perform or Finish fail; a Finish ignoring the
 * cancellation; Begin failing; missing features; peer-to-peer (one Perform
 * with the destination URI) and migrate_to_uri3; argument checks; the
 * tuning calls. */
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
    MIG_STEP_NONE,
    MIG_STEP_BEGIN,
    MIG_STEP_PREPARE,
    MIG_STEP_PERFORM,
    MIG_STEP_FINISH,
    MIG_STEP_CONFIRM,
} MigStep;

typedef struct {
    GString *log;           /* "begin prepare perform finish confirm" */
    MigStep fail;           /* the step that fails */
    gboolean no_uri_out;    /* Prepare gives no uri_out */
    gboolean ignore_cancel; /* Finish resumes the guest even when cancelled */
    /* What the steps received. */
    char *prepare_cookie;
    char *prepare_xml;
    char *perform_cookie;
    char *perform_uri;
    char *perform_dconnuri;
    unsigned int perform_flags;
    char *finish_cookie;
    char *finish_uri;
    char *finish_name;
    int finish_cancelled;
    char *confirm_cookie;
    int confirm_cancelled;
    unsigned int prepare_flags;
    /* tuning */
    unsigned long long downtime;
    unsigned long long speed;
    unsigned int speed_flags;
    int postcopy;
} MigRecord;

static MigRecord rec;

static void
mig_record_reset(void)
{
    if (rec.log)
        g_string_free(rec.log, TRUE);
    g_free(rec.prepare_cookie);
    g_free(rec.prepare_xml);
    g_free(rec.perform_cookie);
    g_free(rec.perform_uri);
    g_free(rec.perform_dconnuri);
    g_free(rec.finish_cookie);
    g_free(rec.finish_uri);
    g_free(rec.finish_name);
    g_free(rec.confirm_cookie);
    memset(&rec, 0, sizeof(rec));
    rec.log = g_string_new(NULL);
    rec.finish_cancelled = -1;
    rec.confirm_cancelled = -1;
}

static void
mig_log(const char *step)
{
    if (rec.log->len)
        g_string_append_c(rec.log, ' ');
    g_string_append(rec.log, step);
}

static char *
mig_cookie_text(const char *cookie, int len)
{
    return cookie ? g_strndup(cookie, len) : g_strdup("(none)");
}

static char *
mig_param(const QvTypedParam *params, int nparams, const char *field)
{
    const char *value = NULL;

    if (qv_typed_params_get_string(params, nparams, field, &value) <= 0)
        return g_strdup("(none)");
    return g_strdup(value);
}

static void
mig_make_cookie(const char *text, char **ret_cookie, int *ret_len)
{
    *ret_cookie = g_strdup(text);
    *ret_len = (int)strlen(text);
}

static int
mig_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    if (strcmp(uri->driver, "mig") != 0)
        return QVIRT_DRV_OPEN_DECLINED;
    conn->private_data = (gpointer)(strcmp(uri->path, "/old") == 0 ? "old" : "new");
    return QVIRT_DRV_OPEN_SUCCESS;
}

static int
mig_supports_feature(QvConnect *conn, int feature)
{
    if (strcmp(conn->private_data, "old") == 0)
        return 0;
    switch (feature) {
    case QV_DRV_FEATURE_MIGRATION_V3:
    case QV_DRV_FEATURE_MIGRATION_PARAMS:
    case QV_DRV_FEATURE_MIGRATION_P2P:
    case QV_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION:
        return 1;
    default:
        return 0;
    }
}

static QvDomain *
mig_lookup_by_name(QvConnect *conn, const char *name)
{
    unsigned char uuid[16];

    memset(uuid, 0x42, sizeof(uuid));
    return qv_domain_new(conn, name, uuid, 3);
}

static int
mig_get_state(QvDomain *dom, int *ret_state, int *ret_reason, unsigned int flags)
{
    *ret_state = strcmp(dom->name, "paused") == 0 ? 3 : 1;
    *ret_reason = 0;
    return 0;
}

static char *
mig_begin(QvDomain *dom, const QvTypedParam *params, int nparams, char **ret_cookie_out,
          int *ret_cookie_outlen, unsigned int flags)
{
    mig_log("begin");
    if (rec.fail == MIG_STEP_BEGIN) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, "begin refused for '%s'", dom->name);
        return NULL;
    }
    mig_make_cookie("cookie-begin", ret_cookie_out, ret_cookie_outlen);
    return g_strdup_printf("<domain><name>%s</name></domain>", dom->name);
}

static int
mig_prepare(QvConnect *dconn, const QvTypedParam *params, int nparams, const char *cookie_in,
            int cookie_inlen, char **ret_cookie_out, int *ret_cookie_outlen, char **ret_uri_out,
            unsigned int flags)
{
    mig_log("prepare");
    rec.prepare_cookie = mig_cookie_text(cookie_in, cookie_inlen);
    rec.prepare_xml = mig_param(params, nparams, QV_MIGRATE_PARAM_DEST_XML);
    rec.prepare_flags = flags;
    if (rec.fail == MIG_STEP_PREPARE) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "prepare could not start QEMU");
        return -1;
    }
    mig_make_cookie("cookie-prepare", ret_cookie_out, ret_cookie_outlen);
    if (rec.no_uri_out) {
        *ret_uri_out = NULL;
    } else {
        /* Like QEMU's driver: complete the caller's URI with a port. */
        const char *uri = NULL;

        if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_URI, &uri) > 0)
            *ret_uri_out = g_strdup_printf("%s:49152", uri);
        else
            *ret_uri_out = g_strdup("tcp:dst.example:49152");
    }
    return 0;
}

static int
mig_perform(QvDomain *dom, const char *dconnuri, const QvTypedParam *params, int nparams,
            const char *cookie_in, int cookie_inlen, char **ret_cookie_out, int *ret_cookie_outlen,
            unsigned int flags)
{
    mig_log("perform");
    rec.perform_cookie = mig_cookie_text(cookie_in, cookie_inlen);
    rec.perform_uri = mig_param(params, nparams, QV_MIGRATE_PARAM_URI);
    rec.perform_dconnuri = g_strdup(dconnuri ? dconnuri : "(none)");
    rec.perform_flags = flags;
    if (rec.fail == MIG_STEP_PERFORM) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "perform: migration stream broke");
        return -1;
    }
    if (!dconnuri)
        mig_make_cookie("cookie-perform", ret_cookie_out, ret_cookie_outlen);
    return 0;
}

static QvDomain *
mig_finish(QvConnect *dconn, const QvTypedParam *params, int nparams, const char *cookie_in,
           int cookie_inlen, char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags,
           int cancelled)
{
    mig_log("finish");
    rec.finish_cookie = mig_cookie_text(cookie_in, cookie_inlen);
    rec.finish_uri = mig_param(params, nparams, QV_MIGRATE_PARAM_URI);
    rec.finish_name = mig_param(params, nparams, QV_MIGRATE_PARAM_DEST_NAME);
    rec.finish_cancelled = cancelled;
    if (cancelled && !rec.ignore_cancel) {
        /* A driver may report why it killed the incoming guest. */
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "finish: incoming guest killed");
        return NULL;
    }
    if (rec.fail == MIG_STEP_FINISH) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "finish could not resume the guest");
        return NULL;
    }
    mig_make_cookie("cookie-finish", ret_cookie_out, ret_cookie_outlen);
    return mig_lookup_by_name(dconn, rec.finish_name);
}

static int
mig_confirm(QvDomain *dom, const QvTypedParam *params, int nparams, const char *cookie_in,
            int cookie_inlen, unsigned int flags, int cancelled)
{
    mig_log("confirm");
    rec.confirm_cookie = mig_cookie_text(cookie_in, cookie_inlen);
    rec.confirm_cancelled = cancelled;
    if (rec.fail == MIG_STEP_CONFIRM || cancelled) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "confirm: %s",
                           cancelled ? "source resumed" : "could not stop the source");
        return -1;
    }
    return 0;
}

static int
mig_set_max_downtime(QvDomain *dom, unsigned long long downtime_ms, unsigned int flags)
{
    rec.downtime = downtime_ms;
    return 0;
}

static int
mig_get_max_downtime(QvDomain *dom, unsigned long long *ret_downtime_ms, unsigned int flags)
{
    *ret_downtime_ms = rec.downtime;
    return 0;
}

static int
mig_set_max_speed(QvDomain *dom, unsigned long long bandwidth, unsigned int flags)
{
    rec.speed = bandwidth;
    rec.speed_flags = flags;
    return 0;
}

static int
mig_get_max_speed(QvDomain *dom, unsigned long long *ret_bandwidth, unsigned int flags)
{
    *ret_bandwidth = rec.speed + flags;
    return 0;
}

/* Fails without reporting: the framework must fill an error in. */
static int
mig_start_post_copy(QvDomain *dom, unsigned int flags)
{
    rec.postcopy++;
    return -1;
}

static const HypervisorDriver mig_driver = {
    .name = "mig",
    .connect_open = mig_connect_open,
    .connect_supports_feature = mig_supports_feature,
    .domain_lookup_by_name = mig_lookup_by_name,
    .domain_get_state = mig_get_state,
    .domain_migrate_begin3_params = mig_begin,
    .domain_migrate_prepare3_params = mig_prepare,
    .domain_migrate_perform3_params = mig_perform,
    .domain_migrate_finish3_params = mig_finish,
    .domain_migrate_confirm3_params = mig_confirm,
    .domain_migrate_set_max_downtime = mig_set_max_downtime,
    .domain_migrate_get_max_downtime = mig_get_max_downtime,
    .domain_migrate_set_max_speed = mig_set_max_speed,
    .domain_migrate_get_max_speed = mig_get_max_speed,
    .domain_migrate_start_post_copy = mig_start_post_copy,
};

/* A driver with no migration entries at all. */
static int
bare_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    return strcmp(uri->driver, "bare") == 0 ? QVIRT_DRV_OPEN_SUCCESS : QVIRT_DRV_OPEN_DECLINED;
}

static const HypervisorDriver bare_driver = {
    .name = "bare",
    .connect_open = bare_connect_open,
    .domain_lookup_by_name = mig_lookup_by_name,
};

/* ---- fixture ---- */

typedef struct {
    QvConnect *src;
    QvConnect *dst;
    QvDomain *dom;
} MigFixture;

static void
mig_setup(MigFixture *f, gconstpointer data)
{
    qv_driver_registry_reset();
    mig_record_reset();
    g_assert_cmpint(qv_driver_register(&mig_driver, NULL), ==, 0);
    g_assert_cmpint(qv_driver_register(&bare_driver, NULL), ==, 0);
    f->src = qv_connect_open("mig:///src", 0);
    f->dst = qv_connect_open("mig:///dst", 0);
    g_assert_nonnull(f->src);
    g_assert_nonnull(f->dst);
    f->dom = qv_domain_lookup_by_name(f->src, data ? data : "guest");
    g_assert_nonnull(f->dom);
}

static void
mig_teardown(MigFixture *f, gconstpointer data)
{
    qv_domain_unref(f->dom);
    qv_connect_close(f->src);
    qv_connect_close(f->dst);
    mig_record_reset();
}

/* A parameter list with bandwidth, and (when URI) migrate_uri. */
static QvTypedParam *
mig_params(const char *uri, int *ret_n)
{
    QvTypedParam *params = NULL;
    int n = 0, max = 0;

    g_assert_cmpint(qv_typed_params_add_ullong(&params, &n, &max, QV_MIGRATE_PARAM_BANDWIDTH, 100),
                    ==, 0);
    if (uri)
        g_assert_cmpint(qv_typed_params_add_string(&params, &n, &max, QV_MIGRATE_PARAM_URI, uri),
                        ==, 0);
    *ret_n = n;
    return params;
}

/* ---- client-driven ---- */

static void
test_migrate_order_and_cookies(MigFixture *f, gconstpointer data)
{
    int n;
    QvTypedParam *params = mig_params(NULL, &n);
    QvTypedParam *copy = qv_typed_params_copy(params, n);
    QvDomain *ddom;

    ddom = qv_domain_migrate3(f->dom, f->dst, params, n, QV_MIGRATE_LIVE);
    g_assert_nonnull(ddom);
    g_assert_null(qvirt_error_get_last());
    g_assert_true(qv_domain_get_connect(ddom) == f->dst);
    g_assert_cmpstr(qv_domain_get_name(ddom), ==, "guest");
    qv_domain_unref(ddom);

    g_assert_cmpstr(rec.log->str, ==, "begin prepare perform finish confirm");
    /* Each step got the cookie of the step before. */
    g_assert_cmpstr(rec.prepare_cookie, ==, "cookie-begin");
    g_assert_cmpstr(rec.perform_cookie, ==, "cookie-prepare");
    g_assert_cmpstr(rec.finish_cookie, ==, "cookie-perform");
    g_assert_cmpstr(rec.confirm_cookie, ==, "cookie-finish");
    /* Begin's XML went to Prepare; uri_out became migrate_uri. */
    g_assert_cmpstr(rec.prepare_xml, ==, "<domain><name>guest</name></domain>");
    g_assert_cmpstr(rec.perform_uri, ==, "tcp:dst.example:49152");
    g_assert_cmpstr(rec.perform_dconnuri, ==, "(none)");
    g_assert_cmpstr(rec.finish_uri, ==, "tcp:dst.example:49152");
    g_assert_cmpstr(rec.finish_name, ==, "guest");
    g_assert_cmpint(rec.finish_cancelled, ==, 0);
    g_assert_cmpint(rec.confirm_cancelled, ==, 0);
    /* Change protection on the source side only. */
    g_assert_true(rec.perform_flags & QV_MIGRATE_CHANGE_PROTECTION);
    g_assert_true(rec.perform_flags & QV_MIGRATE_LIVE);
    g_assert_false(rec.prepare_flags & QV_MIGRATE_CHANGE_PROTECTION);
    g_assert_false(rec.perform_flags & QV_MIGRATE_PAUSED);

    /* The caller's list is untouched. */
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(params[0].field, ==, copy[0].field);
    g_assert_cmpuint(params[0].value.ul, ==, 100);
    qv_typed_params_free(params, n);
    qv_typed_params_free(copy, 1);
}

static void
test_migrate_caller_uri(MigFixture *f, gconstpointer data)
{
    int n;
    g_autofree QvTypedParam *params = mig_params("tcp:chosen", &n);
    QvDomain *ddom;

    /* No answer from the destination: the caller's URI is used. */
    rec.no_uri_out = TRUE;
    ddom = qv_domain_migrate3(f->dom, f->dst, params, n, QV_MIGRATE_LIVE);
    g_assert_nonnull(ddom);
    qv_domain_unref(ddom);
    g_assert_cmpstr(rec.perform_uri, ==, "tcp:chosen");

    /* The destination completed the caller's URI: its answer is used, and
     * the caller's list is untouched. */
    mig_record_reset();
    ddom =
        qv_domain_migrate3(f->dom, f->dst, params, n, QV_MIGRATE_LIVE | QV_MIGRATE_AUTO_CONVERGE);
    g_assert_nonnull(ddom);
    qv_domain_unref(ddom);
    g_assert_cmpstr(rec.perform_uri, ==, "tcp:chosen:49152");
    g_assert_cmpstr(rec.finish_uri, ==, "tcp:chosen:49152");
    g_assert_cmpstr(params[1].value.s, ==, "tcp:chosen");
    /* AUTO_CONVERGE is the source's business only. */
    g_assert_true(rec.perform_flags & QV_MIGRATE_AUTO_CONVERGE);
    g_assert_false(rec.prepare_flags & QV_MIGRATE_AUTO_CONVERGE);
    qv_typed_params_clear(params, n);
}

static void
test_migrate_paused_source(MigFixture *f, gconstpointer data)
{
    QvDomain *ddom = qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_LIVE);

    g_assert_nonnull(ddom);
    qv_domain_unref(ddom);
    g_assert_true(rec.perform_flags & QV_MIGRATE_PAUSED);
    g_assert_true(rec.prepare_flags & QV_MIGRATE_PAUSED);
}

static void
test_migrate_perform_fails(MigFixture *f, gconstpointer data)
{
    rec.fail = MIG_STEP_PERFORM;
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_LIVE));
    /* Finish ran and reported an error of its own; the caller sees
     * Perform's. As libvirt, no Confirm follows a failed Perform: the
     * source rolled back by itself. */
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "perform: migration stream broke");
    g_assert_cmpstr(rec.log->str, ==, "begin prepare perform finish");
    g_assert_cmpint(rec.finish_cancelled, ==, 1);
    g_assert_cmpint(rec.confirm_cancelled, ==, -1);
    /* No cookie from a failed Perform. */
    g_assert_cmpstr(rec.finish_cookie, ==, "(none)");
}

static void
test_migrate_finish_fails(MigFixture *f, gconstpointer data)
{
    rec.fail = MIG_STEP_FINISH;
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_LIVE));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "finish could not resume the guest");
    g_assert_cmpstr(rec.log->str, ==, "begin prepare perform finish confirm");
    g_assert_cmpint(rec.finish_cancelled, ==, 0);
    g_assert_cmpint(rec.confirm_cancelled, ==, 1);
    g_assert_cmpstr(rec.confirm_cookie, ==, "(none)");
}

static void
test_migrate_prepare_fails(MigFixture *f, gconstpointer data)
{
    rec.fail = MIG_STEP_PREPARE;
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_LIVE));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "prepare could not start QEMU");
    /* The source still hears that it is over (Begin took its job). */
    g_assert_cmpstr(rec.log->str, ==, "begin prepare confirm");
    g_assert_cmpint(rec.confirm_cancelled, ==, 1);
    g_assert_cmpstr(rec.confirm_cookie, ==, "cookie-begin");
}

static void
test_migrate_begin_fails(MigFixture *f, gconstpointer data)
{
    rec.fail = MIG_STEP_BEGIN;
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_LIVE));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "begin refused for 'guest'");
    g_assert_cmpstr(rec.log->str, ==, "begin");
}

static void
test_migrate_no_uri(MigFixture *f, gconstpointer data)
{
    rec.no_uri_out = TRUE;
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_LIVE));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "did not give a migration URI");
    g_assert_cmpstr(rec.log->str, ==, "begin prepare finish confirm");
    g_assert_cmpint(rec.finish_cancelled, ==, 1);
    g_assert_cmpint(rec.confirm_cancelled, ==, 1);
}

static void
test_migrate_confirm_fails(MigFixture *f, gconstpointer data)
{
    QvDomain *ddom;

    /* The guest runs on the destination: the caller still gets it. */
    rec.fail = MIG_STEP_CONFIRM;
    ddom = qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_LIVE);
    g_assert_nonnull(ddom);
    g_assert_null(qvirt_error_get_last());
    qv_domain_unref(ddom);
    g_assert_cmpstr(rec.log->str, ==, "begin prepare perform finish confirm");
}

static void
test_migrate_finish_ignores_cancel(MigFixture *f, gconstpointer data)
{
    QvDomain *ddom;

    /* Perform failed, yet the destination runs the guest: as libvirt, the
     * caller gets the domain, and no Confirm follows the failed Perform. */
    rec.fail = MIG_STEP_PERFORM;
    rec.ignore_cancel = TRUE;
    ddom = qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_LIVE);
    g_assert_nonnull(ddom);
    g_assert_null(qvirt_error_get_last());
    qv_domain_unref(ddom);
    g_assert_cmpint(rec.finish_cancelled, ==, 1);
    g_assert_cmpint(rec.confirm_cancelled, ==, -1);
}

static void
test_migrate_features(MigFixture *f, gconstpointer data)
{
    QvConnect *old = qv_connect_open("mig:///old", 0);
    QvConnect *bare = qv_connect_open("bare:///x", 0);
    QvDomain *bdom;

    g_assert_nonnull(old);
    g_assert_null(qv_domain_migrate3(f->dom, old, NULL, 0, QV_MIGRATE_LIVE));
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT,
                            "destination connection 'mig:///old' does not support migration "
                            "feature MIGRATION_V3");
    g_assert_cmpstr(rec.log->str, ==, "");

    /* A driver without supports_feature answers 0: refused too. */
    bdom = qv_domain_lookup_by_name(bare, "b");
    g_assert_null(qv_domain_migrate3(bdom, f->dst, NULL, 0, QV_MIGRATE_LIVE));
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "source connection 'bare:///x'");
    g_assert_null(qv_domain_migrate3(bdom, f->dst, NULL, 0, QV_MIGRATE_PEER2PEER));
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "feature MIGRATION_P2P");
    g_assert_cmpint(qv_domain_migrate_to_uri3(bdom, "mig:///dst", NULL, 0, QV_MIGRATE_PEER2PEER),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "feature MIGRATION_P2P");
    /* Each step alone: NO_SUPPORT naming the call. */
    {
        char *cookie = NULL;
        int len = 0;
        char *uri = NULL;

        g_assert_null(qv_domain_migrate_begin3_params(bdom, NULL, 0, &cookie, &len, 0));
        qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_begin3_params");
        g_assert_cmpint(
            qv_domain_migrate_prepare3_params(bare, NULL, 0, NULL, 0, &cookie, &len, &uri, 0), ==,
            -1);
        qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_prepare3_params");
        g_assert_null(
            qv_domain_migrate_finish3_params(bare, NULL, 0, NULL, 0, &cookie, &len, 0, 1));
        qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_finish3_params");
        g_assert_cmpint(qv_domain_migrate_confirm3_params(bdom, NULL, 0, NULL, 0, 0, 1), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_confirm3_params");
        g_assert_null(cookie);
    }
    qv_domain_unref(bdom);
    qv_connect_close(bare);
    qv_connect_close(old);
}

/* ---- peer-to-peer ---- */

static void
test_migrate_p2p(MigFixture *f, gconstpointer data)
{
    int n;
    QvTypedParam *params = mig_params(NULL, &n);
    int max = n;
    QvDomain *ddom;

    g_assert_cmpint(
        qv_typed_params_add_string(&params, &n, &max, QV_MIGRATE_PARAM_DEST_NAME, "renamed"), ==,
        0);
    ddom = qv_domain_migrate3(f->dom, f->dst, params, n, QV_MIGRATE_LIVE | QV_MIGRATE_PEER2PEER);
    g_assert_nonnull(ddom);
    g_assert_cmpstr(rec.log->str, ==, "perform");
    g_assert_cmpstr(rec.perform_dconnuri, ==, "mig:///dst");
    g_assert_cmpstr(rec.perform_cookie, ==, "(none)");
    /* The answer is the destination's domain, by the new name. */
    g_assert_true(qv_domain_get_connect(ddom) == f->dst);
    g_assert_cmpstr(qv_domain_get_name(ddom), ==, "renamed");
    qv_domain_unref(ddom);

    mig_record_reset();
    g_assert_cmpint(qv_domain_migrate_to_uri3(f->dom, "mig+unix:///dst?socket=/run/x", params, n,
                                              QV_MIGRATE_PEER2PEER),
                    ==, 0);
    g_assert_cmpstr(rec.log->str, ==, "perform");
    g_assert_cmpstr(rec.perform_dconnuri, ==, "mig+unix:///dst?socket=/run/x");

    mig_record_reset();
    rec.fail = MIG_STEP_PERFORM;
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, params, n, QV_MIGRATE_PEER2PEER));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "perform: migration stream broke");
    g_assert_cmpstr(rec.log->str, ==, "perform");
    qv_typed_params_free(params, n);
}

static void
test_migrate_to_uri_needs_p2p(MigFixture *f, gconstpointer data)
{
    g_assert_cmpint(qv_domain_migrate_to_uri3(f->dom, "mig:///dst", NULL, 0, QV_MIGRATE_LIVE), ==,
                    -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "needs flag PEER2PEER");
    g_assert_cmpint(qv_domain_migrate_to_uri3(f->dom, NULL, NULL, 0, QV_MIGRATE_PEER2PEER), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "dconnuri");
    g_assert_cmpstr(rec.log->str, ==, "");
}

/* ---- argument checks ---- */

static void
test_migrate_argument_checks(MigFixture *f, gconstpointer data)
{
    QvConnect *ro = qv_connect_open("mig:///dst", QV_CONNECT_RO);
    g_autoptr(QvDomain) rodom = qv_domain_lookup_by_name(ro, "guest");
    char *cookie = NULL;
    int len = 0;

    g_assert_null(qv_domain_migrate3(NULL, f->dst, NULL, 0, 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_DOMAIN, "qv_domain_migrate3");
    g_assert_null(qv_domain_migrate3(f->dom, NULL, NULL, 0, 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_CONN, "qv_domain_migrate3");
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 0, 0x80000000U));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x80000000)");
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 2, 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid parameter list (nparams 2)");
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 0,
                                     QV_MIGRATE_NON_SHARED_DISK | QV_MIGRATE_NON_SHARED_INC));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "exclude each other");
    g_assert_null(qv_domain_migrate3(f->dom, f->dst, NULL, 0, QV_MIGRATE_TUNNELLED));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "tunnelled migration needs flag PEER2PEER");
    /* Read-only on either side. */
    g_assert_null(qv_domain_migrate3(f->dom, ro, NULL, 0, 0));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_null(qv_domain_migrate3(rodom, f->dst, NULL, 0, 0));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    /* The steps alone. */
    g_assert_null(qv_domain_migrate_begin3_params(f->dom, NULL, 0, NULL, &len, 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "ret_cookie_out");
    g_assert_cmpint(
        qv_domain_migrate_perform3_params(f->dom, NULL, NULL, 0, NULL, 4, &cookie, &len, 0), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid cookie (length 4)");
    g_assert_cmpint(qv_domain_migrate_perform3_params(f->dom, NULL, NULL, 0, NULL, 0, &cookie, &len,
                                                      QV_MIGRATE_PEER2PEER),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "needs the destination URI");
    g_assert_cmpint(qv_domain_migrate_confirm3_params(rodom, NULL, 0, NULL, 0, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpstr(rec.log->str, ==, "");
    qv_connect_close(ro);
}

static void
test_migrate_finish_cancelled(MigFixture *f, gconstpointer data)
{
    char *cookie = NULL;
    int len = -1;

    /* NULL after a cancelled migration is the expected answer: the driver's
     * own error stays, and nothing is added. */
    g_assert_null(qv_domain_migrate_finish3_params(f->dst, NULL, 0, NULL, 0, &cookie, &len, 0, 1));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "incoming guest killed");
    g_assert_null(cookie);
    g_assert_cmpint(len, ==, 0);
    g_assert_cmpint(rec.finish_cancelled, ==, 1);
}

/* ---- tuning ---- */

static void
test_migrate_tuning(MigFixture *f, gconstpointer data)
{
    unsigned long long value = 0;
    QvConnect *bare = qv_connect_open("bare:///x", 0);
    g_autoptr(QvDomain) bdom = qv_domain_lookup_by_name(bare, "b");

    g_assert_cmpint(qv_domain_migrate_set_max_downtime(f->dom, 250, 0), ==, 0);
    g_assert_cmpint(qv_domain_migrate_get_max_downtime(f->dom, &value, 0), ==, 0);
    g_assert_cmpuint(value, ==, 250);
    g_assert_cmpint(qv_domain_migrate_set_max_downtime(f->dom, 1, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x1)");
    g_assert_cmpint(
        qv_domain_migrate_set_max_speed(f->dom, 64, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY), ==, 0);
    g_assert_cmpuint(rec.speed_flags, ==, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY);
    g_assert_cmpint(
        qv_domain_migrate_get_max_speed(f->dom, &value, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY), ==,
        0);
    g_assert_cmpuint(value, ==, 65);
    g_assert_cmpint(qv_domain_migrate_get_max_speed(f->dom, NULL, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "ret_bandwidth_mibs");
    g_assert_cmpint(qv_domain_migrate_get_max_speed(f->dom, &value, 2), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x2)");
    g_assert_cmpint(qv_domain_migrate_start_post_copy(f->dom, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR,
                            "failed in qv_domain_migrate_start_post_copy without reporting");
    g_assert_cmpint(rec.postcopy, ==, 1);

    g_assert_cmpint(qv_domain_migrate_get_max_downtime(bdom, &value, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_get_max_downtime");
    g_assert_cmpint(qv_domain_migrate_start_post_copy(bdom, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_domain_migrate_start_post_copy");
    qv_connect_close(bare);
}

#define MIG_CASE(path, fn, data)                                                                   \
    g_test_add("/driver/migrate/" path, MigFixture, data, mig_setup, fn, mig_teardown)

void
test_migrate_register(void)
{
    MIG_CASE("order-and-cookies", test_migrate_order_and_cookies, NULL);
    MIG_CASE("caller-uri", test_migrate_caller_uri, NULL);
    MIG_CASE("paused-source", test_migrate_paused_source, "paused");
    MIG_CASE("perform-fails", test_migrate_perform_fails, NULL);
    MIG_CASE("finish-fails", test_migrate_finish_fails, NULL);
    MIG_CASE("prepare-fails", test_migrate_prepare_fails, NULL);
    MIG_CASE("begin-fails", test_migrate_begin_fails, NULL);
    MIG_CASE("no-uri", test_migrate_no_uri, NULL);
    MIG_CASE("confirm-fails", test_migrate_confirm_fails, NULL);
    MIG_CASE("finish-ignores-cancel", test_migrate_finish_ignores_cancel, NULL);
    MIG_CASE("features", test_migrate_features, NULL);
    MIG_CASE("p2p", test_migrate_p2p, NULL);
    MIG_CASE("to-uri-needs-p2p", test_migrate_to_uri_needs_p2p, NULL);
    MIG_CASE("argument-checks", test_migrate_argument_checks, NULL);
    MIG_CASE("finish-cancelled", test_migrate_finish_cancelled, NULL);
    MIG_CASE("tuning", test_migrate_tuning, NULL);
}

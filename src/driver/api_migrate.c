/* api_migrate.c: the public entry points of live migration (see api.h for
 * the contract shared by every entry point, and driver/migrate.h for the
 * flags and parameter names).
 *
 * The five steps (Begin, Prepare, Perform, Finish, Confirm) are one call
 * each into the driver table. qv_domain_migrate3() drives them as libvirt's
 * virDomainMigrate3 does for version 3 with parameters:
 * - client-driven: Begin on the source gives the XML and a cookie; the XML
 *   goes into the parameters as "destination_xml"; Prepare on the
 *   destination (its uri_out, when it gives one, becomes "migrate_uri",
 *   replacing the caller's, which the destination may have completed: a
 *   port added); Perform on the source; Finish on the destination, told whether
 *   Perform failed; Confirm on the source, told whether Finish failed. Each
 *   step hands its cookie to the next. The first real error (Prepare's,
 *   Perform's, else Finish's) is the one the caller sees, even though the
 *   later steps still run. A domain returned by Finish is success (the
 *   guest runs there; Confirm is told so), whatever failed before.
 *   Unlike libvirt's client, Confirm also runs after a failed Perform, so
 *   that the source driver always hears how the migration ended.
 * - peer-to-peer (QV_MIGRATE_PEER2PEER): one Perform on the source with the
 *   destination connection's URI; the source daemon runs the steps itself.
 * Client-driven needs the features MIGRATION_V3 and MIGRATION_PARAMS on
 * both connections, peer-to-peer MIGRATION_P2P and MIGRATION_PARAMS on the
 * source; without them the call fails with NO_SUPPORT before any step. */
#include <config.h>

#include <string.h>

#include "conf/domain_state.h"
#include "driver/api_priv.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOM

QVIRT_LOG_INIT("driver.migrate");

/* ---- helpers ---- */

static int
mig_int_result(QvConnect *conn, int rc, const char *api)
{
    if (rc < 0)
        qv_api_failed(conn, api);
    return rc;
}

/* A migration step changes the domain: handle, flags, read-only. */
static gboolean
mig_check_domain(QvDomain *dom, unsigned int flags, unsigned int known, const char *api)
{
    return qv_api_check_domain(dom, api) && qv_api_check_flags(flags, known, api) &&
           qv_api_check_writable(dom->conn, api);
}

static gboolean
mig_check_dconn(QvConnect *dconn, unsigned int flags, const char *api)
{
    return qv_api_check_conn(dconn, api) && qv_api_check_flags(flags, QV_MIGRATE_ALL, api) &&
           qv_api_check_writable(dconn, api);
}

/* PARAMS with NPARAMS > 0 must not be NULL, and NPARAMS not negative. */
static gboolean
mig_check_params(const QvTypedParam *params, int nparams, const char *api)
{
    if (nparams >= 0 && (nparams == 0 || params))
        return TRUE;
    qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid parameter list (nparams %d) in %s"),
                       nparams, api);
    return FALSE;
}

/* A cookie of COOKIE_LEN bytes must have its bytes. */
static gboolean
mig_check_cookie(const char *cookie, int cookie_len, const char *api)
{
    if (cookie_len >= 0 && (cookie_len == 0 || cookie))
        return TRUE;
    qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid cookie (length %d) in %s"), cookie_len,
                       api);
    return FALSE;
}

/* Set the string parameter FIELD of the list (*PARAMS, *NPARAMS), replacing
 * the first one of that name or appending it. */
static int
mig_params_replace_string(QvTypedParam **params, int *nparams, const char *field, const char *value)
{
    int maxparams = *nparams;

    for (int i = 0; i < *nparams; i++) {
        QvTypedParam *p = &(*params)[i];

        if (strcmp(p->field, field) != 0)
            continue;
        if (p->type == QV_TYPED_PARAM_STRING)
            g_free(p->value.s);
        p->type = QV_TYPED_PARAM_STRING;
        p->value.s = g_strdup(value);
        return 0;
    }
    return qv_typed_params_add_string(params, nparams, &maxparams, field, value);
}

/* ---- the five steps ---- */

char *
qv_domain_migrate_begin3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags)
{
    char *cookie = NULL;
    int cookie_len = 0;
    char *xml;

    qvirt_error_reset();
    if (!mig_check_domain(dom, flags, QV_MIGRATE_ALL, __func__) ||
        !mig_check_params(params, nparams, __func__) ||
        !qv_api_check_arg(ret_cookie_out, "ret_cookie_out", __func__) ||
        !qv_api_check_arg(ret_cookie_outlen, "ret_cookie_outlen", __func__))
        return NULL;
    if (!dom->conn->driver->domain_migrate_begin3_params) {
        qv_api_no_support(__func__);
        return NULL;
    }
    xml = dom->conn->driver->domain_migrate_begin3_params(dom, params, nparams, &cookie,
                                                          &cookie_len, flags);
    if (!xml) {
        g_free(cookie);
        qv_api_failed(dom->conn, __func__);
        return NULL;
    }
    *ret_cookie_out = cookie;
    *ret_cookie_outlen = cookie ? cookie_len : 0;
    return xml;
}

int
qv_domain_migrate_prepare3_params(QvConnect *dconn, const QvTypedParam *params, int nparams,
                                  const char *cookie_in, int cookie_inlen, char **ret_cookie_out,
                                  int *ret_cookie_outlen, char **ret_uri_out, unsigned int flags)
{
    char *cookie = NULL;
    int cookie_len = 0;
    char *uri_out = NULL;

    qvirt_error_reset();
    if (!mig_check_dconn(dconn, flags, __func__) || !mig_check_params(params, nparams, __func__) ||
        !mig_check_cookie(cookie_in, cookie_inlen, __func__) ||
        !qv_api_check_arg(ret_cookie_out, "ret_cookie_out", __func__) ||
        !qv_api_check_arg(ret_cookie_outlen, "ret_cookie_outlen", __func__) ||
        !qv_api_check_arg(ret_uri_out, "ret_uri_out", __func__))
        return -1;
    if (!dconn->driver->domain_migrate_prepare3_params)
        return qv_api_no_support(__func__);
    if (dconn->driver->domain_migrate_prepare3_params(dconn, params, nparams, cookie_in,
                                                      cookie_inlen, &cookie, &cookie_len, &uri_out,
                                                      flags) < 0) {
        g_free(cookie);
        g_free(uri_out);
        return mig_int_result(dconn, -1, __func__);
    }
    *ret_cookie_out = cookie;
    *ret_cookie_outlen = cookie ? cookie_len : 0;
    *ret_uri_out = uri_out;
    return 0;
}

int
qv_domain_migrate_perform3_params(QvDomain *dom, const char *dconnuri, const QvTypedParam *params,
                                  int nparams, const char *cookie_in, int cookie_inlen,
                                  char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags)
{
    char *cookie = NULL;
    int cookie_len = 0;

    qvirt_error_reset();
    if (!mig_check_domain(dom, flags, QV_MIGRATE_ALL, __func__) ||
        !mig_check_params(params, nparams, __func__) ||
        !mig_check_cookie(cookie_in, cookie_inlen, __func__) ||
        !qv_api_check_arg(ret_cookie_out, "ret_cookie_out", __func__) ||
        !qv_api_check_arg(ret_cookie_outlen, "ret_cookie_outlen", __func__))
        return -1;
    if ((flags & QV_MIGRATE_PEER2PEER) && !dconnuri) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("peer-to-peer migration needs the destination URI in %s"), __func__);
        return -1;
    }
    if (!dom->conn->driver->domain_migrate_perform3_params)
        return qv_api_no_support(__func__);
    if (dom->conn->driver->domain_migrate_perform3_params(dom, dconnuri, params, nparams, cookie_in,
                                                          cookie_inlen, &cookie, &cookie_len,
                                                          flags) < 0) {
        g_free(cookie);
        return mig_int_result(dom->conn, -1, __func__);
    }
    *ret_cookie_out = cookie;
    *ret_cookie_outlen = cookie ? cookie_len : 0;
    return 0;
}

/* As libvirt: a NULL result after a cancelled migration is the expected
 * answer, not a failure. */
QvDomain *
qv_domain_migrate_finish3_params(QvConnect *dconn, const QvTypedParam *params, int nparams,
                                 const char *cookie_in, int cookie_inlen, char **ret_cookie_out,
                                 int *ret_cookie_outlen, unsigned int flags, int cancelled)
{
    char *cookie = NULL;
    int cookie_len = 0;
    QvDomain *ddom;

    qvirt_error_reset();
    if (!mig_check_dconn(dconn, flags, __func__) || !mig_check_params(params, nparams, __func__) ||
        !mig_check_cookie(cookie_in, cookie_inlen, __func__) ||
        !qv_api_check_arg(ret_cookie_out, "ret_cookie_out", __func__) ||
        !qv_api_check_arg(ret_cookie_outlen, "ret_cookie_outlen", __func__))
        return NULL;
    if (!dconn->driver->domain_migrate_finish3_params) {
        qv_api_no_support(__func__);
        return NULL;
    }
    ddom = dconn->driver->domain_migrate_finish3_params(dconn, params, nparams, cookie_in,
                                                        cookie_inlen, &cookie, &cookie_len, flags,
                                                        cancelled ? 1 : 0);
    if (!ddom && !cancelled) {
        g_free(cookie);
        qv_api_failed(dconn, __func__);
        return NULL;
    }
    *ret_cookie_out = cookie;
    *ret_cookie_outlen = cookie ? cookie_len : 0;
    return ddom;
}

int
qv_domain_migrate_confirm3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                  const char *cookie_in, int cookie_inlen, unsigned int flags,
                                  int cancelled)
{
    qvirt_error_reset();
    if (!mig_check_domain(dom, flags, QV_MIGRATE_ALL, __func__) ||
        !mig_check_params(params, nparams, __func__) ||
        !mig_check_cookie(cookie_in, cookie_inlen, __func__))
        return -1;
    if (!dom->conn->driver->domain_migrate_confirm3_params)
        return qv_api_no_support(__func__);
    return mig_int_result(
        dom->conn,
        dom->conn->driver->domain_migrate_confirm3_params(dom, params, nparams, cookie_in,
                                                          cookie_inlen, flags, cancelled ? 1 : 0),
        __func__);
}

/* ---- tuning a migration in progress ---- */

int
qv_domain_migrate_set_max_downtime(QvDomain *dom, unsigned long long downtime_ms,
                                   unsigned int flags)
{
    qvirt_error_reset();
    if (!mig_check_domain(dom, flags, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_migrate_set_max_downtime)
        return qv_api_no_support(__func__);
    return mig_int_result(
        dom->conn, dom->conn->driver->domain_migrate_set_max_downtime(dom, downtime_ms, flags),
        __func__);
}

int
qv_domain_migrate_get_max_downtime(QvDomain *dom, unsigned long long *ret_downtime_ms,
                                   unsigned int flags)
{
    unsigned long long value = 0;

    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) ||
        !qv_api_check_arg(ret_downtime_ms, "ret_downtime_ms", __func__) ||
        !qv_api_check_flags(flags, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_migrate_get_max_downtime)
        return qv_api_no_support(__func__);
    if (dom->conn->driver->domain_migrate_get_max_downtime(dom, &value, flags) < 0)
        return mig_int_result(dom->conn, -1, __func__);
    *ret_downtime_ms = value;
    return 0;
}

int
qv_domain_migrate_set_max_speed(QvDomain *dom, unsigned long long bandwidth_mibs,
                                unsigned int flags)
{
    qvirt_error_reset();
    if (!mig_check_domain(dom, flags, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, __func__))
        return -1;
    if (!dom->conn->driver->domain_migrate_set_max_speed)
        return qv_api_no_support(__func__);
    return mig_int_result(
        dom->conn, dom->conn->driver->domain_migrate_set_max_speed(dom, bandwidth_mibs, flags),
        __func__);
}

int
qv_domain_migrate_get_max_speed(QvDomain *dom, unsigned long long *ret_bandwidth_mibs,
                                unsigned int flags)
{
    unsigned long long value = 0;

    qvirt_error_reset();
    if (!qv_api_check_domain(dom, __func__) ||
        !qv_api_check_arg(ret_bandwidth_mibs, "ret_bandwidth_mibs", __func__) ||
        !qv_api_check_flags(flags, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, __func__))
        return -1;
    if (!dom->conn->driver->domain_migrate_get_max_speed)
        return qv_api_no_support(__func__);
    if (dom->conn->driver->domain_migrate_get_max_speed(dom, &value, flags) < 0)
        return mig_int_result(dom->conn, -1, __func__);
    *ret_bandwidth_mibs = value;
    return 0;
}

int
qv_domain_migrate_start_post_copy(QvDomain *dom, unsigned int flags)
{
    qvirt_error_reset();
    if (!mig_check_domain(dom, flags, 0, __func__))
        return -1;
    if (!dom->conn->driver->domain_migrate_start_post_copy)
        return qv_api_no_support(__func__);
    return mig_int_result(dom->conn, dom->conn->driver->domain_migrate_start_post_copy(dom, flags),
                          __func__);
}

/* ---- orchestration ---- */

/* Whether CONN's driver supports FEATURE; NO_SUPPORT naming the side, the
 * feature and the connection otherwise. */
static gboolean
mig_require_feature(QvConnect *conn, int feature, const char *feature_name, const char *side)
{
    int rc = qv_connect_supports_feature(conn, feature);

    if (rc > 0)
        return TRUE;
    if (rc == 0) {
        qvirt_report_error(QVIRT_ERR_NO_SUPPORT,
                           _("the %s connection '%s' does not support migration feature %s"), side,
                           conn->uri_str, feature_name);
    }
    return FALSE;
}

/* Flag rules that do not need a driver (as libvirt checks them). */
static gboolean
mig_check_flag_rules(unsigned int flags, const char *api)
{
    if ((flags & QV_MIGRATE_NON_SHARED_DISK) && (flags & QV_MIGRATE_NON_SHARED_INC)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("flags NON_SHARED_DISK and NON_SHARED_INC exclude each other in %s"),
                           api);
        return FALSE;
    }
    if ((flags & QV_MIGRATE_TUNNELLED) && !(flags & QV_MIGRATE_PEER2PEER)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("tunnelled migration needs flag PEER2PEER in %s"), api);
        return FALSE;
    }
    return TRUE;
}

/* The source side of a peer-to-peer migration: Perform with DCONNURI. */
static int
mig_peer2peer(QvDomain *dom, const char *dconnuri, const QvTypedParam *params, int nparams,
              unsigned int flags)
{
    char *cookie = NULL;
    int cookie_len = 0;
    int rc;

    if (!mig_require_feature(dom->conn, QV_DRV_FEATURE_MIGRATION_P2P, "MIGRATION_P2P", "source") ||
        !mig_require_feature(dom->conn, QV_DRV_FEATURE_MIGRATION_PARAMS, "MIGRATION_PARAMS",
                             "source"))
        return -1;
    QVIRT_DEBUG("peer-to-peer migration of '%s' to '%s' (flags 0x%x)", dom->name, dconnuri, flags);
    rc = qv_domain_migrate_perform3_params(dom, dconnuri, params, nparams, NULL, 0, &cookie,
                                           &cookie_len, flags);
    g_free(cookie);
    return rc;
}

/* The steps' state: the parameters (a copy we may change) and the cookie
 * handed from one step to the next. */
typedef struct {
    QvTypedParam *params;
    int nparams;
    char *cookie;
    int cookie_len;
} MigState;

static void
mig_state_clear(MigState *st)
{
    qv_typed_params_free(st->params, st->nparams);
    g_free(st->cookie);
}

/* Take the cookie a step produced as the next step's input. */
static void
mig_state_take_cookie(MigState *st, char *cookie, int cookie_len)
{
    g_free(st->cookie);
    st->cookie = cookie;
    st->cookie_len = cookie ? cookie_len : 0;
}

/* Keep the thread's error as the first one unless one is kept already. */
static void
mig_keep_error(QvirtError **kept)
{
    if (!*kept && qvirt_error_get_last())
        *kept = qvirt_error_save();
}

/* Source paused: the destination should start paused too (libvirt adds
 * the flag the same way). Errors here change nothing. */
static unsigned int
mig_paused_flag(QvDomain *dom)
{
    int state = DOMAIN_STATE_NOSTATE;

    if (dom->conn->driver->domain_get_state && qv_domain_get_state(dom, &state, NULL, 0) == 0 &&
        state == DOMAIN_STATE_PAUSED)
        return QV_MIGRATE_PAUSED;
    qvirt_error_reset();
    return 0;
}

static QvDomain *
mig_client_driven(QvDomain *dom, QvConnect *dconn, const QvTypedParam *params, int nparams,
                  unsigned int flags)
{
    MigState st = {0};
    g_autoptr(QvirtError) kept = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *uri_out = NULL;
    unsigned int protection = 0;
    unsigned int destflags;
    char *cookie = NULL;
    int cookie_len = 0;
    QvDomain *ddom = NULL;
    gboolean perform_failed = FALSE;
    int cancelled;
    int rc;

    if (!mig_require_feature(dom->conn, QV_DRV_FEATURE_MIGRATION_V3, "MIGRATION_V3", "source") ||
        !mig_require_feature(dom->conn, QV_DRV_FEATURE_MIGRATION_PARAMS, "MIGRATION_PARAMS",
                             "source") ||
        !mig_require_feature(dconn, QV_DRV_FEATURE_MIGRATION_V3, "MIGRATION_V3", "destination") ||
        !mig_require_feature(dconn, QV_DRV_FEATURE_MIGRATION_PARAMS, "MIGRATION_PARAMS",
                             "destination"))
        return NULL;
    if (qv_connect_supports_feature(dom->conn, QV_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION) > 0)
        protection = QV_MIGRATE_CHANGE_PROTECTION;
    qvirt_error_reset();
    /* A post-copy recovery finds the source paused because its migration
     * broke off: the guest runs on the destination, so that says nothing. */
    if (!(flags & QV_MIGRATE_POSTCOPY_RESUME))
        flags |= mig_paused_flag(dom);
    destflags = flags & ~(QV_MIGRATE_ABORT_ON_ERROR | QV_MIGRATE_AUTO_CONVERGE);

    st.params = qv_typed_params_copy(params, nparams);
    st.nparams = nparams;

    /* Begin: the XML and the first cookie. */
    QVIRT_DEBUG("begin: '%s' (flags 0x%x)", dom->name, flags | protection);
    xml = qv_domain_migrate_begin3_params(dom, st.params, st.nparams, &cookie, &cookie_len,
                                          flags | protection);
    if (!xml) {
        mig_state_clear(&st);
        return NULL;
    }
    mig_state_take_cookie(&st, cookie, cookie_len);
    if (mig_params_replace_string(&st.params, &st.nparams, QV_MIGRATE_PARAM_DEST_XML, xml) < 0) {
        mig_keep_error(&kept);
        cancelled = 1;
        goto confirm;
    }

    /* Prepare: the destination waits for the stream. */
    QVIRT_DEBUG("prepare on '%s' (flags 0x%x)", dconn->uri_str, destflags);
    cookie = NULL;
    cookie_len = 0;
    rc = qv_domain_migrate_prepare3_params(dconn, st.params, st.nparams, st.cookie, st.cookie_len,
                                           &cookie, &cookie_len, &uri_out, destflags);
    if (rc < 0) {
        /* Confirm still runs, so that the source ends what Begin started. */
        mig_keep_error(&kept);
        cancelled = 1;
        goto confirm;
    }
    mig_state_take_cookie(&st, cookie, cookie_len);
    if (uri_out) {
        /* As libvirt: the destination's answer wins, also over the caller's
         * migrate_uri, which it may have completed (tcp:HOST -> tcp:HOST:PORT). */
        if (mig_params_replace_string(&st.params, &st.nparams, QV_MIGRATE_PARAM_URI, uri_out) < 0) {
            mig_keep_error(&kept);
            cancelled = 1;
            goto finish;
        }
    } else if (!qv_typed_params_get(st.params, st.nparams, QV_MIGRATE_PARAM_URI) &&
               !(flags & QV_MIGRATE_OFFLINE)) {
        qvirt_report_internal(_("the destination '%s' did not give a migration URI in its "
                                "prepare step"),
                              dconn->uri_str);
        mig_keep_error(&kept);
        cancelled = 1;
        goto finish;
    }

    /* Perform: the migration itself. */
    if (flags & QV_MIGRATE_OFFLINE) {
        QVIRT_DEBUG("offline migration: no perform step");
        mig_state_take_cookie(&st, NULL, 0);
        cancelled = 0;
    } else {
        QVIRT_DEBUG("perform: '%s' (flags 0x%x)", dom->name, flags | protection);
        cookie = NULL;
        cookie_len = 0;
        rc = qv_domain_migrate_perform3_params(dom, NULL, st.params, st.nparams, st.cookie,
                                               st.cookie_len, &cookie, &cookie_len,
                                               flags | protection);
        if (rc < 0) {
            mig_keep_error(&kept);
            mig_state_take_cookie(&st, NULL, 0);
            cancelled = 1;
            perform_failed = TRUE;
        } else {
            mig_state_take_cookie(&st, cookie, cookie_len);
            cancelled = 0;
        }
    }

finish:
    /* Finish: the destination resumes the guest, or kills it if cancelled. */
    if (!qv_typed_params_get(st.params, st.nparams, QV_MIGRATE_PARAM_DEST_NAME) &&
        mig_params_replace_string(&st.params, &st.nparams, QV_MIGRATE_PARAM_DEST_NAME, dom->name) <
            0) {
        mig_keep_error(&kept);
        cancelled = 1;
    }
    QVIRT_DEBUG("finish on '%s' (cancelled %d)", dconn->uri_str, cancelled);
    cookie = NULL;
    cookie_len = 0;
    ddom = qv_domain_migrate_finish3_params(dconn, st.params, st.nparams, st.cookie, st.cookie_len,
                                            &cookie, &cookie_len, destflags, cancelled);
    mig_state_take_cookie(&st, cookie, cookie_len);
    if (cancelled && ddom)
        QVIRT_ERROR("the destination finished the migration of '%s' that was cancelled", dom->name);
    if (!ddom)
        mig_keep_error(&kept);
    cancelled = ddom ? 0 : 1;

confirm:
    /* Confirm: the source stops the guest on success, resumes it otherwise.
     * As libvirt: not after a failed Perform, which rolled back itself. */
    QVIRT_DEBUG("confirm: '%s' (cancelled %d)", dom->name, cancelled);
    if (!perform_failed &&
        qv_domain_migrate_confirm3_params(dom, st.params, st.nparams, st.cookie, st.cookie_len,
                                          flags | protection, cancelled) < 0) {
        /* As libvirt: the guest runs on the destination by now, so this
         * only matters to the source; the caller still gets the domain. */
        QVIRT_WARN("confirm of the migration of '%s' failed, the guest may be left paused on "
                   "the source: %s",
                   dom->name, qvirt_error_last_message());
        if (!ddom)
            mig_keep_error(&kept);
    }
    mig_state_clear(&st);

    /* A domain on the destination is the answer even when an earlier step
     * reported an error (a Finish that ignored the cancellation): Confirm
     * was told the migration succeeded, so the source has stopped. */
    if (!ddom) {
        if (kept)
            qvirt_error_restore(g_steal_pointer(&kept));
        else if (!qvirt_error_get_last())
            qvirt_report_internal(_("migration of '%s' failed without an error"), dom->name);
        return NULL;
    }
    qvirt_error_reset();
    return ddom;
}

QvDomain *
qv_domain_migrate3(QvDomain *dom, QvConnect *dconn, const QvTypedParam *params, int nparams,
                   unsigned int flags)
{
    qvirt_error_reset();
    if (!mig_check_domain(dom, flags, QV_MIGRATE_ALL, __func__) ||
        !mig_check_dconn(dconn, flags, __func__) || !mig_check_params(params, nparams, __func__) ||
        !mig_check_flag_rules(flags, __func__))
        return NULL;

    if (flags & QV_MIGRATE_PEER2PEER) {
        g_autofree char *dconnuri = qv_connect_get_uri(dconn);
        const char *dname = NULL;
        QvDomain *ddom;

        if (!dconnuri)
            return NULL;
        if (mig_peer2peer(dom, dconnuri, params, nparams, flags) < 0)
            return NULL;
        /* As libvirt: the result is the destination's handle, by name. */
        if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_NAME, &dname) <= 0)
            dname = dom->name;
        qvirt_error_reset();
        ddom = qv_domain_lookup_by_name(dconn, dname);
        return ddom;
    }
    return mig_client_driven(dom, dconn, params, nparams, flags);
}

int
qv_domain_migrate_to_uri3(QvDomain *dom, const char *dconnuri, const QvTypedParam *params,
                          int nparams, unsigned int flags)
{
    qvirt_error_reset();
    if (!mig_check_domain(dom, flags, QV_MIGRATE_ALL, __func__) ||
        !qv_api_check_arg(dconnuri, "dconnuri", __func__) ||
        !mig_check_params(params, nparams, __func__) || !mig_check_flag_rules(flags, __func__))
        return -1;
    if (!(flags & QV_MIGRATE_PEER2PEER)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("migration to a URI needs flag PEER2PEER in %s: without it, open "
                             "the destination and use qv_domain_migrate3"),
                           __func__);
        return -1;
    }
    return mig_peer2peer(dom, dconnuri, params, nparams, flags);
}

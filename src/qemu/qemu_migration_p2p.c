/* qemu_migration_p2p.c: peer-to-peer migration (QV_MIGRATE_PEER2PEER):
 * the source daemon connects to the destination daemon with the client
 * library and runs the five steps itself.
 *
 * Contract: Begin, Perform and Confirm run in-process (the entry points of
 * qemu_migration_src.c); Prepare and Finish go to the destination
 * connection, always without the domain's lock held. The destination URI
 * is kept in the job's private data (<peer uri=''/> in the status) before
 * Perform. The migration fails cleanly when the destination cannot be
 * reached or its connection is lost (remote calls fail with RPC errors):
 * Finish is told that Perform failed, Confirm that the migration was
 * cancelled, and the source guest is resumed. The first error is what the
 * caller sees. */
#include <config.h>

#include "driver/api.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration.p2p");

/* Set the string FIELD of the list to VALUE (replaced or added). */
static void
p2p_params_set(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
               const char *value)
{
    for (int i = 0; i < *nparams; i++) {
        if (g_str_equal((*params)[i].field, field) && (*params)[i].type == QV_TYPED_PARAM_STRING) {
            g_free((*params)[i].value.s);
            (*params)[i].value.s = g_strdup(value);
            return;
        }
    }
    qv_typed_params_add_string(params, nparams, maxparams, field, value);
}

/* Watches the destination connection during the migration. */
typedef struct {
    DomainObj *vm; /* a reference */
    gint lost;     /* atomic: the connection broke */
} P2PWatch;

/* The destination connection broke (the remote driver's thread): abort
 * the migration, which wakes Perform's wait at once. */
static void
p2p_connection_lost(QvConnect *conn, int reason, gpointer opaque)
{
    P2PWatch *watch = opaque;
    DomainObj *vm = watch->vm;

    g_atomic_int_set(&watch->lost, 1);
    domain_obj_lock(vm);
    QVIRT_WARN("domain '%s': lost the connection to the migration destination (reason %d)",
               domain_obj_get_name(vm), reason);
    if (domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_OUT &&
        domain_job_get_phase(vm->job) < QEMU_MIGRATION_PHASE_PERFORM3_DONE &&
        domain_job_request_abort(vm) < 0)
        qvirt_error_reset();
    domain_obj_unlock(vm);
}

/* Keep the first error of the migration in *FIRST. */
static void
p2p_keep_error(QvirtError **first)
{
    if (!*first && qvirt_error_get_last())
        *first = qvirt_error_save();
    else
        qvirt_error_reset();
}

int
qemu_migration_p2p_perform(QemuDriver *driver, DomainObj *vm, const char *dconnuri,
                           const QvTypedParam *params, int nparams, unsigned int flags)
{
    unsigned int local_flags = flags & ~QV_MIGRATE_PEER2PEER;
    g_autoptr(QvConnect) dconn = NULL;
    g_autoptr(QvDomain) ddom = NULL;
    QvTypedParam *dparams = NULL;
    int ndparams = 0;
    int maxdparams = 0;
    g_autofree char *xml = NULL;
    g_autofree char *cookie_begin = NULL;
    g_autofree char *cookie_prepare = NULL;
    g_autofree char *cookie_perform = NULL;
    g_autofree char *cookie_finish = NULL;
    g_autofree char *uri_out = NULL;
    int len_begin = 0, len_prepare = 0, len_perform = 0, len_finish = 0;
    QvirtError *first = NULL;
    QvirtError *ignored = NULL;
    P2PWatch watch = {vm, 0};
    gboolean watching = FALSE;
    g_autofree char *name = NULL;
    const char *uri = NULL;
    int perform_rc;
    int ret = -1;

    if (!dconnuri || !*dconnuri) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("peer-to-peer migration needs the destination daemon's URI"));
        return -1;
    }
    domain_obj_lock(vm);
    name = g_strdup(domain_obj_get_name(vm));
    domain_obj_unlock(vm);
    QVIRT_INFO("domain '%s': peer-to-peer migration to %s", name, dconnuri);
    if (!(dconn = qv_connect_open(dconnuri, 0)))
        return -1;
    if (qv_connect_register_close_callback(dconn, p2p_connection_lost, &watch, NULL) == 0)
        watching = TRUE;
    else
        qvirt_error_reset();

    if (!(xml = qemu_migration_src_begin(driver, vm, params, nparams, &cookie_begin, &len_begin,
                                         local_flags))) {
        p2p_keep_error(&first);
        goto out;
    }

    domain_obj_lock(vm);
    if (domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_OUT) {
        QemuDomainJobPrivate *jpriv = qemu_domain_job_private(vm);

        g_free(jpriv->peer_uri);
        jpriv->peer_uri = g_strdup(dconnuri);
    }
    domain_obj_unlock(vm);

    dparams = qv_typed_params_copy(params, nparams);
    ndparams = maxdparams = nparams;
    if (!qv_typed_params_get(params, nparams, QV_MIGRATE_PARAM_DEST_XML))
        p2p_params_set(&dparams, &ndparams, &maxdparams, QV_MIGRATE_PARAM_DEST_XML, xml);

    if (qv_domain_migrate_prepare3_params(dconn, dparams, ndparams, cookie_begin, len_begin,
                                          &cookie_prepare, &len_prepare, &uri_out, flags) < 0) {
        p2p_keep_error(&first);
        qemu_migration_src_confirm(driver, vm, params, nparams, NULL, 0, local_flags, 1);
        goto out;
    }
    /* As libvirt: the destination's answer wins over the caller's URI,
     * which it may have completed (tcp:HOST -> tcp:HOST:PORT). */
    if (uri_out) {
        p2p_params_set(&dparams, &ndparams, &maxdparams, QV_MIGRATE_PARAM_URI, uri_out);
    } else {
        if (qv_typed_params_get_string(dparams, ndparams, QV_MIGRATE_PARAM_URI, &uri) < 0)
            goto cancel;
        if (!uri) {
            qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR,
                               _("the destination %s gave no migration URI for domain '%s'"),
                               dconnuri, name);
            goto cancel;
        }
    }

    perform_rc =
        qemu_migration_src_perform(driver, vm, NULL, dparams, ndparams, cookie_prepare, len_prepare,
                                   &cookie_perform, &len_perform, local_flags);
    if (perform_rc < 0 && g_atomic_int_get(&watch.lost)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("lost the connection to the destination %s during the migration of "
                             "domain '%s'"),
                           dconnuri, name);
    }
    if (perform_rc < 0)
        p2p_keep_error(&first);

    ddom = qv_domain_migrate_finish3_params(dconn, dparams, ndparams, cookie_perform, len_perform,
                                            &cookie_finish, &len_finish, flags, perform_rc < 0);
    if (!ddom && perform_rc == 0)
        p2p_keep_error(&first);
    else
        qvirt_error_reset();

    if (qemu_migration_src_confirm(driver, vm, params, nparams, cookie_finish, len_finish,
                                   local_flags, ddom == NULL) < 0) {
        /* With the guest running on the destination the migration is done. */
        if (ddom)
            QVIRT_WARN("domain '%s': confirming the migration failed: %s", name,
                       qvirt_error_last_message());
        p2p_keep_error(ddom ? &ignored : &first);
        g_clear_pointer(&ignored, qvirt_error_free);
    }
    ret = ddom && !first ? 0 : -1;
    goto out;

cancel:
    p2p_keep_error(&first);
    /* Prepare started the incoming QEMU: Finish(cancelled) kills it. */
    ddom = qv_domain_migrate_finish3_params(dconn, dparams, ndparams, NULL, 0, &cookie_finish,
                                            &len_finish, flags, 1);
    qvirt_error_reset();
    g_clear_pointer(&ddom, qv_domain_unref);
    qemu_migration_src_confirm(driver, vm, params, nparams, NULL, 0, local_flags, 1);

out:
    qv_typed_params_free(dparams, ndparams);
    /* Public API calls reset the thread's error: close before restoring. */
    g_clear_pointer(&ddom, qv_domain_unref);
    if (watching && qv_connect_unregister_close_callback(dconn, p2p_connection_lost) < 0)
        qvirt_error_reset();
    if (qv_connect_close(g_steal_pointer(&dconn)) < 0)
        qvirt_error_reset();
    if (first) {
        qvirt_error_restore(first);
        ret = -1;
    } else if (ret < 0 && !qvirt_error_get_last()) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("peer-to-peer migration of domain '%s' to %s failed"), name, dconnuri);
    }
    if (ret == 0)
        QVIRT_INFO("domain '%s': migrated to %s", name, dconnuri);
    return ret;
}

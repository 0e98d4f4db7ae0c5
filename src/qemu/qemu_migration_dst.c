/* qemu_migration_dst.c: the destination side of a migration: Prepare
 * starts the incoming QEMU and makes it listen, Finish waits for the
 * stream's end and resumes the guest (or kills it), and the lease ties the
 * incoming guest to the connection that prepared it.
 *
 * Contract (see also qemu_migration.h):
 * - Prepare: the cookie from Begin (a cookie from this host is refused),
 *   the domain XML from "destination_xml" (required) named
 *   "destination_name" when given; a domain of that name or UUID running
 *   here is refused (OPERATION_INVALID). The domain is added transient (or
 *   runs over an inactive persistent definition of the same UUID), under
 *   the async job MIGRATION_IN in phase prepare; storage migration
 *   pre-creates the images, QEMU starts with -incoming defer (paused,
 *   reason migration, STARTED/MIGRATED), the destination's capabilities
 *   and parameters (TLS as the server) are applied, the NBD server started
 *   (on "disks_uri", else the listen address and "disks_port"), and
 *   migrate-incoming listens on "migrate_uri" (tcp:HOST[:PORT],
 *   tcp://HOST[:PORT], unix:PATH) at "listen_address", else qemu.conf's
 *   migration_address, else every address, on a port from the driver's
 *   range unless the URI names one. The cookie out carries the NBD port
 *   and the capabilities; *RET_URI_OUT is "tcp:HOST:PORT" (HOST: the URI's
 *   host, else a specific listen address, else this host's name). Any
 *   failure undoes all of it: QEMU killed, the domain removed (or back to
 *   its persistent definition), the job ended.
 * - The lease: until Finish, the incoming domain belongs to DCONN; when
 *   DCONN closes, qemu_migration_dst_connection_closed() kills its QEMU and
 *   removes the domain.
 * - Finish finds the domain by "destination_name" (else the cookie's, else
 *   the XML's name, else the one domain whose lease DCONN holds).
 *   CANCELLED: QEMU killed (STOPPED/FAILED), the domain removed, NULL with
 *   OPERATION_FAILED. Else it waits (the job wait
 *   timeout after the last progress) until query-migrate says completed,
 *   stops the NBD server, restores the parameters, and unless
 *   QV_MIGRATE_PAUSED runs the vCPUs (running/migrated, RESUMED/MIGRATED;
 *   paused: paused/user, SUSPENDED/PAUSED); with QV_MIGRATE_PERSIST_DEST
 *   the definition ("persistent_xml", the cookie's, or the running one) is
 *   saved (DEFINED). Any failure kills the incoming QEMU, as libvirt does,
 *   and so does CANCELLED, except once that QEMU is in post-copy (the
 *   guest's state lives only here): the domain stays, paused or running
 *   with reason postcopy-failed, its job kept in phase postcopy_failed for
 *   a recovery (qemu_migration_resume.c, which also serves Prepare and
 *   Finish with QV_MIGRATE_POSTCOPY_RESUME). */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "driver/hostid.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_migration_cookie.h"
#include "qemu/qemu_migration_dst_priv.h"
#include "qemu/qemu_migration_priv.h"
#include "qemu/qemu_migration_params.h"
#include "qemu/qemu_migration_port.h"
#include "qemu/qemu_migration_resume.h"
#include "qemu/qemu_migration_storage.h"
#include "qemu/qemu_migration_tls.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process.h"
#include "util/crashpoint.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration.dst");

/* The flags Prepare and Finish accept. */
#define DST_FLAGS                                                                                  \
    (QV_MIGRATE_LIVE | QV_MIGRATE_PEER2PEER | QV_MIGRATE_PERSIST_DEST |                            \
     QV_MIGRATE_UNDEFINE_SOURCE | QV_MIGRATE_PAUSED | QV_MIGRATE_NON_SHARED_DISK |                 \
     QV_MIGRATE_NON_SHARED_INC | QV_MIGRATE_CHANGE_PROTECTION | QV_MIGRATE_UNSAFE |                \
     QV_MIGRATE_COMPRESSED | QV_MIGRATE_ABORT_ON_ERROR | QV_MIGRATE_AUTO_CONVERGE |                \
     QV_MIGRATE_POSTCOPY | QV_MIGRATE_TLS | QV_MIGRATE_PARALLEL |                                  \
     QV_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES)
#define DST_STORAGE_FLAGS (QV_MIGRATE_NON_SHARED_DISK | QV_MIGRATE_NON_SHARED_INC)
/* How often Finish asks QEMU when no event came. */
#define DST_POLL_MS 200

/* ---- URIs (pure) ---- */

void
qemu_migration_dst_uri_free(QemuMigrationDstUri *uri)
{
    if (!uri)
        return;
    g_free(uri->host);
    g_free(uri->path);
    g_free(uri);
}

static QemuMigrationDstUri *
uri_invalid(const char *uri, const char *why)
{
    qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid migration URI '%s': %s"), uri, why);
    return NULL;
}

QemuMigrationDstUri *
qemu_migration_dst_uri_parse(const char *uri)
{
    g_autoptr(QemuMigrationDstUri) ret = g_new0(QemuMigrationDstUri, 1);
    g_autofree char *rest = NULL;
    const char *port = NULL;
    char *slash;

    if (!uri || !*uri) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("missing migration URI"));
        return NULL;
    }
    if (g_str_has_prefix(uri, "unix:")) {
        const char *path = uri + strlen("unix:");

        if (g_str_has_prefix(path, "//"))
            path += 2;
        if (*path != '/')
            return uri_invalid(uri, _("a unix socket needs an absolute path"));
        ret->is_unix = TRUE;
        ret->path = g_strdup(path);
        return g_steal_pointer(&ret);
    }
    if (!g_str_has_prefix(uri, "tcp:"))
        return uri_invalid(uri, _("use tcp:HOST[:PORT], tcp://HOST[:PORT] or unix:PATH"));
    rest = g_strdup(uri + strlen("tcp:"));
    if (g_str_has_prefix(rest, "//"))
        memmove(rest, rest + 2, strlen(rest + 2) + 1);
    /* A trailing path ("tcp://host:port/") means nothing here. */
    if ((slash = strchr(rest, '/'))) {
        if (slash[1])
            return uri_invalid(uri, _("a tcp URI has no path"));
        *slash = '\0';
    }
    if (rest[0] == '[') {
        char *end = strchr(rest, ']');

        if (!end || end == rest + 1 || (end[1] && end[1] != ':'))
            return uri_invalid(uri, _("malformed IPv6 address"));
        ret->host = g_strndup(rest + 1, end - rest - 1);
        if (end[1] == ':')
            port = end + 2;
    } else {
        char *colon = strchr(rest, ':');

        if (colon && strchr(colon + 1, ':'))
            return uri_invalid(uri, _("an IPv6 address must be in brackets"));
        if (colon) {
            *colon = '\0';
            port = colon + 1;
        }
        if (*rest)
            ret->host = g_strdup(rest);
    }
    if (port) {
        guint64 value;

        if (!*port || !g_ascii_string_to_unsigned(port, 10, 1, 65535, &value, NULL))
            return uri_invalid(uri, _("the port must be a number from 1 to 65535"));
        ret->port = (int)value;
    }
    return g_steal_pointer(&ret);
}

gboolean
qemu_migration_dst_address_is_wildcard(const char *address)
{
    return !address || !*address || strcmp(address, "::") == 0 || strcmp(address, "[::]") == 0 ||
           strcmp(address, "0.0.0.0") == 0;
}

char *
qemu_migration_dst_address_bare(const char *address)
{
    size_t len;

    if (!address)
        return NULL;
    len = strlen(address);
    if (len > 2 && address[0] == '[' && address[len - 1] == ']')
        return g_strndup(address + 1, len - 2);
    return g_strdup(address);
}

char *
qemu_migration_dst_tcp_uri(const char *host, int port)
{
    g_autofree char *bare = qemu_migration_dst_address_bare(host);

    if (strchr(bare, ':'))
        return g_strdup_printf("tcp:[%s]:%d", bare, port);
    return g_strdup_printf("tcp:%s:%d", bare, port);
}

char *
qemu_migration_dst_uri_out(const QemuMigrationDstUri *uri, const char *listen_address, int port,
                           const char *hostname)
{
    if (uri && uri->is_unix)
        return g_strdup_printf("unix:%s", uri->path);
    if (uri && uri->host)
        return qemu_migration_dst_tcp_uri(uri->host, port);
    if (!qemu_migration_dst_address_is_wildcard(listen_address))
        return qemu_migration_dst_tcp_uri(listen_address, port);
    return qemu_migration_dst_tcp_uri(hostname, port);
}

const char *
qemu_migration_any_address(void)
{
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    gboolean ipv6 = FALSE;

    if (fd >= 0) {
        ipv6 = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
        close(fd);
    }
    return ipv6 ? "::" : "0.0.0.0";
}

/* ---- small helpers ---- */

static int
dst_check_flags(unsigned int flags)
{
    if (flags & ~(unsigned int)DST_FLAGS) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("unsupported migration flags 0x%x on the destination"),
                           flags & ~(unsigned int)DST_FLAGS);
        return -1;
    }
    return 0;
}

void
qemu_migration_cookie_give(QemuMigrationCookie *cookie, char **ret_cookie_out,
                           int *ret_cookie_outlen)
{
    char *text = qemu_migration_cookie_format(cookie);

    if (!ret_cookie_out || !ret_cookie_outlen) {
        g_free(text);
        return;
    }
    *ret_cookie_outlen = (int)strlen(text) + 1;
    *ret_cookie_out = text;
}

QemuMigrationCookie *
qemu_migration_local_cookie_new(DomainObj *vm)
{
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];

    qv_host_uuid_get(host_uuid);
    return qemu_migration_cookie_new(vm->def->name, vm->def->uuid, g_get_host_name(), host_uuid);
}

/* The definition of the incoming domain from XML, renamed DNAME. */
static DomainDef *
dst_parse_def(const char *xml, const char *dname)
{
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);

    if (!def)
        return NULL;
    if (def->virt_type != DOMAIN_VIRT_QEMU && def->virt_type != DOMAIN_VIRT_KVM) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("domain '%s' of type '%s' cannot run on the QEMU driver"), def->name,
                           domain_virt_to_string(def->virt_type));
        return NULL;
    }
    if (dname && strcmp(dname, def->name) != 0) {
        if (domain_def_validate_name(dname) < 0)
            return NULL;
        g_free(def->name);
        def->name = g_strdup(dname);
    }
    def->id = -1;
    return g_steal_pointer(&def);
}

/* OPERATION_INVALID when a domain named NAME or with UUID runs here. */
static int
dst_check_not_running(QemuDriver *driver, const char *name, const unsigned char *uuid)
{
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(driver->domains, DOMAIN_LIST_ACTIVE, NULL);
    int ret = 0;

    for (guint i = 0; vms && i < vms->len && ret == 0; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);

        domain_obj_lock(vm);
        if (!vm->removing && domain_obj_is_active(vm) &&
            (strcmp(vm->def->name, name) == 0 ||
             memcmp(vm->def->uuid, uuid, QVIRT_UUID_BUFLEN) == 0)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("domain '%s' is already running on the destination"),
                               domain_obj_get_name(vm));
            ret = -1;
        }
        domain_obj_unlock(vm);
    }
    return ret;
}

/* Undo a Prepare or end a failed Finish (VM locked, the migration job
 * held, if any): kill QEMU (STOPPED/FAILED), put back the persistent
 * definition the incoming one ran over, drop a transient domain from the
 * list, end the job. The pending error is kept. */
static void
dst_abandon(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QvirtError *saved = qvirt_error_save();

    if (domain_obj_is_active(vm)) {
        if (priv->stop_reason < 0)
            priv->stop_reason = DOMAIN_SHUTOFF_FAILED;
        qemu_process_stop(driver, vm, DOMAIN_SHUTOFF_FAILED, 0);
    } else if (vm->new_def) {
        /* Failed before QEMU started. */
        domain_def_free(vm->def);
        vm->def = g_steal_pointer(&vm->new_def);
    }
    qemu_migration_port_release(priv->mig_port);
    priv->mig_port = 0;
    priv->mig_lease = NULL;
    qemu_driver_remove_inactive(driver, vm);
    if (domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_IN)
        qemu_migration_job_finish(vm);
    qvirt_error_restore(saved);
}

/* Run migrate-incoming on URI (VM locked, the job held). */
static int
dst_migrate_incoming(DomainObj *vm, const char *uri)
{
    QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    int rc;

    if (!mon)
        return -1;
    rc = qemu_monitor_json_migrate_incoming(mon, uri);
    qemu_domain_obj_exit_monitor(vm);
    if (rc == 0 && !domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("QEMU of domain '%s' exited while preparing the migration"),
                           domain_obj_get_name(vm));
        return -1;
    }
    return rc;
}

/* ---- Prepare ---- */

/* What Prepare works from. */
typedef struct {
    const QvTypedParam *params;
    int nparams;
    unsigned int flags;
    QemuMigrationCookie *cookie_in;
    QemuMigrationDstUri *uri; /* "migrate_uri", or NULL */
    char *listen_address;     /* bare, never NULL once resolved */
} DstPrepare;

/* Apply the destination's capabilities and parameters (and TLS) to the
 * running incoming QEMU; add the enabled capabilities to COOKIE_OUT. */
static int
dst_prepare_params(QemuDriver *driver, DomainObj *vm, DstPrepare *prep,
                   QemuMigrationCookie *cookie_out)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    g_autoptr(QemuMigrationParams) mig = NULL;
    g_autofree const char **names = NULL;
    g_autofree bool *states = NULL;
    size_t n = 0;

    if (!(mig = qemu_migration_params_from_api(prep->params, prep->nparams, prep->flags,
                                               QEMU_MIGRATION_DESTINATION)))
        return -1;
    if (priv->caps && qemu_caps_has_migration_capability(priv->caps, "events"))
        qemu_migration_params_set_cap(mig, "events", TRUE);
    if (prep->flags & QV_MIGRATE_TLS) {
        if (qemu_migration_tls_add(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, driver->config, TRUE) < 0)
            return -1;
        qemu_migration_params_set_tls(mig, QEMU_MIGRATION_TLS_ALIAS, NULL);
    }
    if ((priv->caps && qemu_migration_params_check(mig, priv->caps) < 0) ||
        qemu_migration_params_save_original(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, mig) < 0 ||
        qemu_migration_params_apply(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, mig) < 0)
        return -1;
    qemu_migration_params_caps_to_arrays(mig, &names, &states, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], "events") != 0)
            qemu_migration_cookie_add_cap(cookie_out, names[i], states[i], FALSE);
    }
    return 0;
}

/* Where the NBD server of a storage migration listens: "disks_uri"
 * (tcp:HOST[:PORT]), else the migration's listen address and
 * "disks_port" (0: a port from the driver's range). */
static int
dst_disks_listen(const DstPrepare *prep, char **ret_address, int *ret_port)
{
    const char *disks_uri = NULL;
    int port = 0;

    if (qv_typed_params_get_string(prep->params, prep->nparams, QV_MIGRATE_PARAM_DISKS_URI,
                                   &disks_uri) < 0 ||
        qv_typed_params_get_int(prep->params, prep->nparams, QV_MIGRATE_PARAM_DISKS_PORT, &port) <
            0)
        return -1;
    if (port < 0 || port > 65535) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid %s %d: use 0 to 65535"),
                           QV_MIGRATE_PARAM_DISKS_PORT, port);
        return -1;
    }
    if (disks_uri) {
        g_autoptr(QemuMigrationDstUri) uri = qemu_migration_dst_uri_parse(disks_uri);

        if (!uri)
            return -1;
        if (uri->is_unix) {
            qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                               _("storage migration over a unix socket ('%s') is not supported"),
                               disks_uri);
            return -1;
        }
        if (uri->host) {
            *ret_address = g_strdup(uri->host);
            *ret_port = uri->port > 0 ? uri->port : port;
            return 0;
        }
        if (uri->port > 0)
            port = uri->port;
    }
    *ret_address = g_strdup(prep->listen_address);
    *ret_port = port;
    return 0;
}

/* Everything Prepare does once the domain and its job exist (VM locked).
 * On success *RET_URI_OUT is set and COOKIE_OUT filled. */
static int
dst_prepare_run(QemuDriver *driver, QvConnect *dconn, DomainObj *vm, DstPrepare *prep,
                QemuMigrationCookie *cookie_out, char **ret_uri_out)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuDriverConfig *cfg = driver->config;
    g_autofree char *listen_uri = NULL;
    g_autofree char *disks_address = NULL;
    gboolean storage = (prep->flags & DST_STORAGE_FLAGS) != 0;
    int port = 0;
    int disks_port = 0;

    if (qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PREPARE) < 0)
        return -1;
    if ((prep->flags & QV_MIGRATE_TLS) && qemu_migration_tls_check(cfg, TRUE) < 0)
        return -1;
    if (storage && dst_disks_listen(prep, &disks_address, &disks_port) < 0)
        return -1;
    if (storage && qemu_migration_storage_dst_precreate(vm, prep->cookie_in) < 0)
        return -1;

    /* The port first: a migration that cannot listen starts no QEMU. */
    if (prep->uri && prep->uri->is_unix) {
        listen_uri = g_strdup_printf("unix:%s", prep->uri->path);
    } else {
        if (prep->uri && prep->uri->port > 0) {
            port = prep->uri->port;
        } else {
            if (qemu_migration_port_acquire(cfg->migration_port_min, cfg->migration_port_max,
                                            prep->listen_address, &port) < 0)
                return -1;
            priv->mig_port = port;
        }
        listen_uri = qemu_migration_dst_tcp_uri(prep->listen_address, port);
    }

    if (qemu_process_start(driver, vm, QEMU_PROCESS_START_INCOMING) < 0)
        return -1;

    if (dst_prepare_params(driver, vm, prep, cookie_out) < 0)
        return -1;
    if (storage) {
        const char *tls = (prep->flags & QV_MIGRATE_TLS) ? QEMU_MIGRATION_TLS_ALIAS : NULL;

        if (qemu_migration_storage_dst_start_tls(driver, vm, DOMAIN_ASYNC_JOB_MIGRATION_IN,
                                                 disks_address, disks_port, prep->cookie_in,
                                                 cookie_out, tls) < 0)
            return -1;
    }
    QVIRT_INFO("domain '%s': incoming migration listens on %s", domain_obj_get_name(vm),
               listen_uri);
    if (dst_migrate_incoming(vm, listen_uri) < 0)
        return -1;
    if (qemu_process_save_status(driver, vm) < 0)
        return -1;

    *ret_uri_out =
        qemu_migration_dst_uri_out(prep->uri, prep->listen_address, port, g_get_host_name());
    priv->mig_lease = dconn;
    return 0;
}

int
qemu_migration_dst_prepare(QemuDriver *driver, QvConnect *dconn, const QvTypedParam *params,
                           int nparams, const char *cookie_in, int cookie_inlen,
                           char **ret_cookie_out, int *ret_cookie_outlen, char **ret_uri_out,
                           unsigned int flags)
{
    g_autoptr(QemuMigrationCookie) cookie_in_parsed = NULL;
    g_autoptr(QemuMigrationCookie) cookie_out = NULL;
    g_autoptr(QemuMigrationDstUri) uri = NULL;
    g_autoptr(QemuMigrationParams) check = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *uri_out = NULL;
    g_autofree char *listen_address = NULL;
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];
    const char *xml = NULL;
    const char *dname = NULL;
    const char *uri_str = NULL;
    const char *listen = NULL;
    DstPrepare prep = {params, nparams, flags, NULL, NULL, NULL};
    DomainObj *vm;

    if (flags & QV_MIGRATE_POSTCOPY_RESUME)
        return qemu_migration_resume_dst_prepare(driver, dconn, params, nparams, cookie_in,
                                                 cookie_inlen, ret_cookie_out, ret_cookie_outlen,
                                                 ret_uri_out, flags);
    if (dst_check_flags(flags) < 0)
        return -1;
    if (flags & (QV_MIGRATE_OFFLINE | QV_MIGRATE_TUNNELLED)) {
        qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED,
                           _("offline and tunnelled migrations are not supported"));
        return -1;
    }
    if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_XML, &xml) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_NAME, &dname) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_URI, &uri_str) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_LISTEN_ADDRESS, &listen) < 0)
        return -1;
    if (!xml) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the destination needs the domain XML (parameter '%s')"),
                           QV_MIGRATE_PARAM_DEST_XML);
        return -1;
    }
    /* Validate the parameters before anything starts. */
    if (!(check =
              qemu_migration_params_from_api(params, nparams, flags, QEMU_MIGRATION_DESTINATION)))
        return -1;
    if (uri_str && !(uri = qemu_migration_dst_uri_parse(uri_str)))
        return -1;
    qv_host_uuid_get(host_uuid);
    if (!(cookie_in_parsed = qemu_migration_cookie_parse(
              cookie_in, cookie_inlen,
              QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CAPS | QEMU_MIGRATION_COOKIE_CPU |
                  QEMU_MIGRATION_COOKIE_PERSISTENT,
              host_uuid)))
        return -1;
    if (!(def = dst_parse_def(xml, dname)))
        return -1;
    if (dst_check_not_running(driver, def->name, def->uuid) < 0)
        return -1;

    if (listen)
        listen_address = qemu_migration_dst_address_bare(listen);
    else if (driver->config->migration_address)
        listen_address = qemu_migration_dst_address_bare(driver->config->migration_address);
    else
        listen_address = g_strdup(qemu_migration_any_address());
    if (!*listen_address) {
        g_free(listen_address);
        listen_address = g_strdup(qemu_migration_any_address());
    }
    prep.cookie_in = cookie_in_parsed;
    prep.uri = uri;
    prep.listen_address = listen_address;

    if (!(vm =
              domain_obj_list_add(driver->domains, &def,
                                  DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL)))
        return -1;
    qemu_driver_prepare_domain(driver, vm);
    if (qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, flags) < 0) {
        dst_abandon(driver, vm);
        goto error_unlocked;
    }
    cookie_out = qemu_migration_local_cookie_new(vm);
    if (dst_prepare_run(driver, dconn, vm, &prep, cookie_out, &uri_out) < 0) {
        QVIRT_INFO("domain '%s': Prepare failed: %s", domain_obj_get_name(vm),
                   qvirt_error_last_message());
        dst_abandon(driver, vm);
        goto error_unlocked;
    }
    qemu_migration_job_continue(vm);
    QVIRT_INFO("domain '%s': prepared for an incoming migration, the source sends to %s",
               domain_obj_get_name(vm), uri_out);
    domain_obj_unlock(vm);
    domain_obj_unref(vm);

    qemu_migration_cookie_give(cookie_out, ret_cookie_out, ret_cookie_outlen);
    if (ret_uri_out)
        *ret_uri_out = g_steal_pointer(&uri_out);
    return 0;

error_unlocked:
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
    return -1;
}

/* ---- Finish ---- */

/* The name Finish looks the domain up by: "destination_name", else the
 * cookie's, else the one of "destination_xml". 0 and *RET_NAME (NULL when
 * none says), or -1 for a parameter of the wrong type. */
static int
dst_finish_name(const QvTypedParam *params, int nparams, const char *cookie_in, int cookie_inlen,
                char **ret_name)
{
    const char *dname = NULL;
    const char *xml = NULL;
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_autoptr(DomainDef) def = NULL;

    *ret_name = NULL;
    if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_NAME, &dname) < 0 ||
        qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_XML, &xml) < 0)
        return -1;
    if (dname) {
        *ret_name = g_strdup(dname);
    } else if (cookie_in && cookie_inlen > 0 &&
               (cookie = qemu_migration_cookie_parse(cookie_in, cookie_inlen,
                                                     QEMU_MIGRATION_COOKIE_ALL, NULL))) {
        *ret_name = g_strdup(cookie->name);
    } else if (xml && *xml && (def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE))) {
        *ret_name = g_strdup(def->name);
    }
    qvirt_error_reset(); /* a cookie or XML that did not parse only names nothing */
    return 0;
}

/* The one incoming domain whose lease DCONN holds (a reference), or NULL. */
static DomainObj *
dst_find_by_lease(QemuDriver *driver, QvConnect *dconn)
{
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(driver->domains, DOMAIN_LIST_ACTIVE, NULL);
    DomainObj *found = NULL;
    guint count = 0;

    for (guint i = 0; dconn && vms && i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);
        QemuDomainPrivate *priv;

        domain_obj_lock(vm);
        priv = qemu_domain_private(vm);
        if (priv && !vm->removing && priv->mig_lease == dconn) {
            count++;
            found = vm;
        }
        domain_obj_unlock(vm);
    }
    return count == 1 ? domain_obj_ref(found) : NULL;
}

int
qemu_migration_dst_query(DomainObj *vm, DomainAsyncJob job, int *ret_status, char **ret_error)
{
    g_autoptr(QvirtJson) cmd = qemu_monitor_json_make_command("query-migrate", NULL);
    g_autoptr(QvirtJson) reply = NULL;
    QemuMonitor *mon;
    QvirtJson *ret;
    const char *status = NULL;
    const char *error = NULL;
    int rc;

    if (!cmd || !(mon = qemu_domain_obj_enter_monitor_async(vm, job)))
        return -1;
    rc = qemu_monitor_json_command(mon, cmd, &reply);
    if (rc == 0)
        rc = qemu_monitor_json_check_reply(mon, "query-migrate", reply, json_type_object);
    qemu_domain_obj_exit_monitor(vm);
    if (rc < 0)
        return -1;
    if (!domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("QEMU of domain '%s' exited during the incoming migration"),
                           domain_obj_get_name(vm));
        return -1;
    }
    ret = json_object_object_get(reply, "return");
    /* Before anything arrived QEMU may answer {}: status none. */
    if (qvirt_json_get_string(ret, "status", &status) < 0) {
        *ret_status = QEMU_MONITOR_MIGRATION_STATUS_NONE;
    } else if ((*ret_status = qemu_monitor_migration_status_from_string(status)) < 0) {
        qvirt_report_internal(_("unknown migration status '%s' reported by domain '%s'"), status,
                              domain_obj_get_name(vm));
        return -1;
    }
    if (qvirt_json_get_string(ret, "error-desc", &error) < 0)
        error = NULL;
    *ret_error = g_strdup(error);
    return 0;
}

typedef enum {
    DST_WAIT_COMPLETED,
    DST_WAIT_POSTCOPY, /* post-copy runs: the guest may run here */
} DstWaitResult;

/* Wait until the incoming migration completed (or, with POSTCOPY_OK,
 * switched to post-copy). The deadline is the job wait timeout after the
 * last change QEMU reported. A post-copy that broke off is
 * OPERATION_FAILED with *RET_POSTCOPY_FAILED set. */
static int
dst_wait(QemuDriver *driver, DomainObj *vm, gboolean postcopy_ok, DstWaitResult *ret_result,
         gboolean *ret_postcopy_failed)
{
    gint64 timeout_ms =
        driver->config->job_wait_timeout_ms > 0 ? driver->config->job_wait_timeout_ms : 30000;
    gint64 deadline = qvirt_deadline_after_ms(timeout_ms);
    int last_status = -1;

    *ret_postcopy_failed = FALSE;
    for (;;) {
        g_autofree char *error = NULL;
        int status;
        int rc;

        if (qemu_migration_dst_query(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, &status, &error) < 0)
            return -1;
        if (status != last_status) {
            QVIRT_DEBUG("domain '%s': incoming migration %s", domain_obj_get_name(vm),
                        qemu_monitor_migration_status_to_string(status));
            last_status = status;
            deadline = qvirt_deadline_after_ms(timeout_ms);
        }
        switch ((QemuMonitorMigrationStatus)status) {
        case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
            *ret_result = DST_WAIT_COMPLETED;
            return 0;
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE:
            if (postcopy_ok) {
                *ret_result = DST_WAIT_POSTCOPY;
                return 0;
            }
            break;
        case QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED:
            *ret_postcopy_failed = TRUE;
            G_GNUC_FALLTHROUGH;
        case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
        case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("incoming migration of domain '%s' failed: %s"),
                               domain_obj_get_name(vm),
                               error ? error : qemu_monitor_migration_status_to_string(status));
            return -1;
        default:
            break;
        }
        if (qvirt_deadline_expired(deadline)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("incoming migration of domain '%s' did not complete: QEMU "
                                 "still reports '%s' after %lld ms"),
                               domain_obj_get_name(vm),
                               qemu_monitor_migration_status_to_string(last_status),
                               (long long)timeout_ms);
            return -1;
        }
        /* The MIGRATION event wakes us; without it (no "events" capability),
         * ask again soon. */
        rc = domain_job_wait_event(vm, MIN(deadline, qvirt_deadline_after_ms(DST_POLL_MS)));
        if (rc < 0)
            return -1;
    }
}

/* Run the vCPUs (VM locked, the job held) in state running/REASON. */
static int
dst_resume(QemuDriver *driver, DomainObj *vm, int reason)
{
    QemuMonitor *mon;
    int prev_reason;
    int prev = domain_obj_get_state(vm, &prev_reason);
    int rc;

    /* Persist the state the guest is about to be in before acting. */
    domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, reason);
    if (qemu_process_save_status(driver, vm) < 0) {
        domain_obj_set_state(vm, prev, prev_reason);
        return -1;
    }
    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN))) {
        domain_obj_set_state(vm, prev, prev_reason);
        return -1;
    }
    qvirt_crash_point("dst-cont-before");
    rc = qemu_monitor_json_cont(mon);
    qemu_domain_obj_exit_monitor(vm);
    if (rc < 0) {
        if (domain_obj_is_active(vm))
            domain_obj_set_state(vm, prev, prev_reason);
        return -1;
    }
    qvirt_crash_point("dst-cont-after");
    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_RESUMED,
                               reason == DOMAIN_RUNNING_POSTCOPY
                                   ? QV_DOMAIN_EVENT_RESUMED_POSTCOPY
                                   : QV_DOMAIN_EVENT_RESUMED_MIGRATED);
    return 0;
}

/* QV_MIGRATE_PERSIST_DEST: make VM (locked, running) persistent with the
 * definition from "persistent_xml", the cookie, or the running one. */
static int
dst_persist(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params, int nparams,
            const QemuMigrationCookie *cookie)
{
    const char *xml = NULL;
    g_autoptr(DomainDef) def = NULL;
    gboolean was_persistent = vm->persistent;

    if (qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_PERSIST_XML, &xml) < 0)
        return -1;
    if (!xml && cookie && (cookie->sections & QEMU_MIGRATION_COOKIE_PERSISTENT))
        xml = cookie->persistent_xml;
    if (xml) {
        if (!(def = dst_parse_def(xml, domain_obj_get_name(vm))))
            return -1;
        if (memcmp(def->uuid, vm->def->uuid, QVIRT_UUID_BUFLEN) != 0) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("the persistent definition of domain '%s' has another UUID"),
                               domain_obj_get_name(vm));
            return -1;
        }
    } else if (!(def = domain_def_copy(vm->def))) {
        return -1;
    }
    def->id = -1;
    if (domain_obj_list_save_config(driver->config->config_dir, def) < 0)
        return -1;
    domain_def_free(vm->new_def);
    vm->new_def = g_steal_pointer(&def);
    vm->persistent = TRUE;
    qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_DEFINED,
                               was_persistent ? QV_DOMAIN_EVENT_DEFINED_UPDATED
                                              : QV_DOMAIN_EVENT_DEFINED_ADDED);
    return 0;
}

int
qemu_migration_dst_persist(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                           int nparams, const QemuMigrationCookie *cookie)
{
    return dst_persist(driver, vm, params, nparams, cookie);
}

void
qemu_migration_dst_complete_stats(QemuDriver *driver, DomainObj *vm,
                                  const QemuMigrationCookie *cookie)
{
    DomainJobStats stats;
    QemuDriverEvent ev = {.event_id = QV_DOMAIN_EVENT_ID_JOB_COMPLETED};

    if (cookie && (cookie->sections & QEMU_MIGRATION_COOKIE_STATS)) {
        DomainJobStats *cur = domain_job_current_stats(vm);

        stats = cookie->stats;
        stats.status = DOMAIN_JOB_STATUS_COMPLETED;
        stats.async_job = DOMAIN_ASYNC_JOB_MIGRATION_IN;
        stats.operation = DOMAIN_JOB_OPERATION_MIGRATION_IN;
        if (cur && cur->started_ms)
            stats.started_ms = cur->started_ms;
        if (stats.time_elapsed_ms <= 0 && stats.started_ms > 0)
            stats.time_elapsed_ms = g_get_real_time() / 1000 - stats.started_ms;
        domain_job_set_completed_stats(vm, &stats);
    } else {
        domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_COMPLETED, NULL);
    }
    domain_job_get_stats(vm, TRUE, &stats);
    ev.name = vm->def->name;
    ev.uuid = vm->def->uuid;
    ev.id = vm->def->id;
    ev.stats = &stats;
    if (driver->event_func)
        driver->event_func(&ev, driver->event_opaque);
}

QemuMigrationCookie *
qemu_migration_dst_finished(QemuDriver *driver, DomainObj *vm, const QemuMigrationCookie *cookie)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    QemuMigrationCookie *cookie_out;

    qemu_migration_port_release(priv->mig_port);
    priv->mig_port = 0;
    qemu_migration_dst_complete_stats(driver, vm, cookie);
    cookie_out = qemu_migration_local_cookie_new(vm);
    domain_job_get_stats(vm, TRUE, &cookie_out->stats);
    cookie_out->sections |= QEMU_MIGRATION_COOKIE_STATS;
    qemu_migration_job_finish(vm);
    return cookie_out;
}

/* A post-copy migration broke off after the guest ran here: keep the
 * domain and its job for a recovery (VM locked). */
static void
dst_postcopy_failed(QemuDriver *driver, DomainObj *vm)
{
    QvirtError *saved = qvirt_error_save();

    QVIRT_WARN("domain '%s': post-copy migration broke off; the domain is kept for a recovery",
               domain_obj_get_name(vm));
    if (domain_obj_is_active(vm)) {
        int reason;

        if (domain_obj_get_state(vm, &reason) == DOMAIN_STATE_RUNNING &&
            reason != DOMAIN_RUNNING_POSTCOPY_FAILED) {
            domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_POSTCOPY_FAILED);
            qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_RESUMED,
                                       QV_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED);
        }
        if (qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED) < 0) {
            QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
            qvirt_error_reset();
        }
        qemu_migration_job_continue(vm);
    } else {
        dst_abandon(driver, vm);
    }
    qvirt_error_restore(saved);
}

/* Finish of a migration that went through (VM locked, phase finish3). */
static int
dst_finish_run(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params, int nparams,
               const QemuMigrationCookie *cookie, unsigned int flags, gboolean *ret_postcopy)
{
    gboolean postcopy_failed = FALSE;
    DstWaitResult result = DST_WAIT_COMPLETED;

    *ret_postcopy = FALSE;
    if (dst_wait(driver, vm, (flags & QV_MIGRATE_POSTCOPY) != 0, &result, &postcopy_failed) < 0)
        return -1;
    if (result == DST_WAIT_POSTCOPY) {
        /* The guest must run here for post-copy to fetch its pages. */
        if (dst_resume(driver, vm, DOMAIN_RUNNING_POSTCOPY) < 0)
            return -1;
        *ret_postcopy = TRUE;
        if (dst_wait(driver, vm, FALSE, &result, &postcopy_failed) < 0)
            return -1;
        domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_MIGRATED);
    }
    *ret_postcopy = FALSE;

    if (flags & DST_STORAGE_FLAGS)
        qemu_migration_storage_dst_stop(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    qemu_migration_params_restore(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    if (flags & QV_MIGRATE_TLS)
        qemu_migration_tls_remove(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    if (!domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("QEMU of domain '%s' exited during the incoming migration"),
                           domain_obj_get_name(vm));
        return -1;
    }

    if (domain_obj_get_state(vm, NULL) != DOMAIN_STATE_RUNNING) {
        if (!(flags & QV_MIGRATE_PAUSED)) {
            if (dst_resume(driver, vm, DOMAIN_RUNNING_MIGRATED) < 0)
                return -1;
        } else {
            domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
            qemu_driver_emit_lifecycle(driver, vm, QV_DOMAIN_EVENT_SUSPENDED,
                                       QV_DOMAIN_EVENT_SUSPENDED_PAUSED);
        }
    }
    if ((flags & QV_MIGRATE_PERSIST_DEST) && dst_persist(driver, vm, params, nparams, cookie) < 0)
        return -1;
    return qemu_process_save_status(driver, vm);
}

DomainObj *
qemu_migration_dst_finish(QemuDriver *driver, QvConnect *dconn, const QvTypedParam *params,
                          int nparams, const char *cookie_in, int cookie_inlen,
                          char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags,
                          int cancelled)
{
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_autoptr(QemuMigrationCookie) cookie_out = NULL;
    g_autofree char *name = NULL;
    unsigned char host_uuid[QVIRT_UUID_BUFLEN];
    QemuDomainPrivate *priv;
    gboolean postcopy = FALSE;
    DomainObj *vm;

    if (flags & QV_MIGRATE_POSTCOPY_RESUME)
        return qemu_migration_resume_dst_finish(driver, dconn, params, nparams, cookie_in,
                                                cookie_inlen, ret_cookie_out, ret_cookie_outlen,
                                                flags, cancelled);
    if (dst_check_flags(flags) < 0 ||
        dst_finish_name(params, nparams, cookie_in, cookie_inlen, &name) < 0)
        return NULL;
    if (name) {
        if (!(vm = qemu_driver_lookup_by_name(driver, name)))
            return NULL;
    } else if ((vm = dst_find_by_lease(driver, dconn))) {
        /* Nothing names it (a peer-to-peer Finish after a failed Perform
         * may not): the domain this connection prepared. */
        domain_obj_lock(vm);
        name = g_strdup(domain_obj_get_name(vm));
        domain_obj_unlock(vm);
    } else {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("Finish cannot tell which domain: give parameter '%s'"),
                           QV_MIGRATE_PARAM_DEST_NAME);
        return NULL;
    }
    domain_obj_lock(vm);
    priv = qemu_domain_private(vm);
    if (vm->removing) {
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("domain '%s' is gone"), name);
        goto error;
    }
    if (qemu_migration_job_start_phase(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN,
                                       QEMU_MIGRATION_PHASE_FINISH3) < 0)
        goto error;
    if (dconn && priv->mig_lease && priv->mig_lease != dconn)
        QVIRT_DEBUG("domain '%s': Finish on another connection than Prepare", name);
    priv->mig_lease = NULL; /* Finish decides its fate now */

    if (cancelled) {
        /* After the switch-over the guest's state lives only here. */
        if (qemu_migration_resume_dst_keep(driver, vm))
            goto error;
        QVIRT_INFO("domain '%s': the source cancelled the migration; stopping the incoming QEMU",
                   name);
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("migration of domain '%s' was cancelled by the source"), name);
        domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_CANCELED, NULL);
        dst_abandon(driver, vm);
        goto error;
    }

    qv_host_uuid_get(host_uuid);
    if (cookie_in && cookie_inlen > 0 &&
        !(cookie = qemu_migration_cookie_parse(
              cookie_in, cookie_inlen,
              QEMU_MIGRATION_COOKIE_STATS | QEMU_MIGRATION_COOKIE_PERSISTENT, host_uuid))) {
        dst_abandon(driver, vm);
        goto error;
    }
    if (dst_finish_run(driver, vm, params, nparams, cookie, flags, &postcopy) < 0) {
        if (postcopy) {
            dst_postcopy_failed(driver, vm);
        } else if (qemu_migration_resume_dst_keep(driver, vm)) {
            /* Kept for a recovery; its error replaces the wait's. */
        } else {
            domain_job_complete_stats(vm, DOMAIN_JOB_STATUS_FAILED, qvirt_error_last_message());
            dst_abandon(driver, vm);
        }
        goto error;
    }
    cookie_out = qemu_migration_dst_finished(driver, vm, cookie);
    QVIRT_INFO("domain '%s': incoming migration finished", name);
    domain_obj_unlock(vm);
    qemu_migration_cookie_give(cookie_out, ret_cookie_out, ret_cookie_outlen);
    return vm;

error:
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
    return NULL;
}

/* ---- the lease ---- */

/* Kill the incoming QEMU of VM (a reference, unlocked) if CONN still holds
 * its lease. */
static void
dst_lease_expire(QemuDriver *driver, DomainObj *vm, QvConnect *conn)
{
    QemuDomainPrivate *priv;
    guint run;

    domain_obj_lock(vm);
    priv = qemu_domain_private(vm);
    if (!priv || vm->removing || !domain_obj_is_active(vm) || priv->mig_lease != conn)
        goto unlock;
    priv->mig_lease = NULL;
    QVIRT_WARN("domain '%s': the connection that prepared its incoming migration closed; "
               "killing the incoming QEMU",
               domain_obj_get_name(vm));
    run = priv->run;
    /* As a destroy: kill first, which fails every monitor waiter, then
     * take the job (destroy is always admitted). */
    priv->stop_reason = DOMAIN_SHUTOFF_FAILED;
    if (qemu_process_kill(vm, driver->config->destroy_grace_ms, FALSE) < 0) {
        QVIRT_ERROR("domain '%s': %s", domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
    if (domain_job_begin(vm, DOMAIN_JOB_DESTROY) < 0) {
        /* The exit watch cleaned up meanwhile, and may be taking the
         * transient domain out of the list right now: finish that here
         * (removing twice is harmless), so nobody finds it afterwards. */
        qvirt_error_reset();
        if (vm->removing)
            domain_obj_list_remove(driver->domains, vm);
        goto unlock;
    }
    if (priv->run == run)
        qemu_process_stop(driver, vm, DOMAIN_SHUTOFF_FAILED, 0);
    if (domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_MIGRATION_IN &&
        !domain_job_async_has_owner(vm->job))
        domain_job_discard_async(vm);
    qemu_driver_remove_inactive(driver, vm);
    domain_job_end(vm);
unlock:
    domain_obj_unlock(vm);
}

void
qemu_migration_dst_connection_closed(QemuDriver *driver, QvConnect *conn)
{
    g_autoptr(GPtrArray) vms = NULL;

    if (!driver || !conn)
        return;
    vms = domain_obj_list_collect(driver->domains, DOMAIN_LIST_ACTIVE, NULL);
    for (guint i = 0; vms && i < vms->len; i++)
        dst_lease_expire(driver, g_ptr_array_index(vms, i), conn);
}

/* qemu_migration_tls.c: the certificate check and QEMU's tls-creds-x509
 * object for migration (the contract is in qemu_migration_tls.h).
 *
 * The check reads the files QEMU will read and refuses, naming the file and
 * the reason: a missing or unreadable file, a file that holds no PEM
 * certificate (or key), a certificate not yet valid or expired, and a
 * certificate that the CA in ca-cert.pem did not sign. On the client side
 * (the source of a migration) the client certificate is optional, as it is
 * for QEMU: it is checked when present. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qemu/qemu_domain.h"
#include "qemu/qemu_migration_tls.h"
#include "qemu/qemu_monitor_json.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration_tls");

/* Larger PEM files than this are not certificates. */
#define TLS_FILE_MAX (1024 * 1024)
/* At most this many certificates in ca-cert.pem. */
#define TLS_CA_MAX 64

/* Read PATH whole into *RET_DATA; OPERATION_INVALID naming WHAT and PATH
 * when it cannot be. With OPTIONAL, a missing file is 0 and *RET_DATA NULL. */
static int
tls_read(const char *path, const char *what, gboolean optional, char **ret_data, size_t *ret_len)
{
    g_autofree char *data = NULL;
    struct stat st;
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        if (optional && errno == ENOENT) {
            *ret_data = NULL;
            *ret_len = 0;
            return 0;
        }
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("cannot read %s '%s': %s"), what, path,
                           g_strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        int err = errno;

        close(fd);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("cannot read %s '%s': %s"), what, path,
                           g_strerror(err));
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > TLS_FILE_MAX) {
        close(fd);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("cannot read %s '%s': %s"), what, path,
                           !S_ISREG(st.st_mode) ? _("not a regular file") : _("too large"));
        return -1;
    }
    data = g_malloc((size_t)st.st_size + 1);
    while (len < (size_t)st.st_size) {
        ssize_t n = read(fd, data + len, (size_t)st.st_size - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;

            close(fd);
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("cannot read %s '%s': %s"), what,
                               path, g_strerror(err));
            return -1;
        }
        len += (size_t)n;
    }
    close(fd);
    data[len] = '\0';
    *ret_data = g_steal_pointer(&data);
    *ret_len = len;
    return 0;
}

/* Activation and expiration of CRT (from PATH) against NOW. */
static int
tls_check_times(gnutls_x509_crt_t crt, const char *path, time_t now)
{
    time_t activation = gnutls_x509_crt_get_activation_time(crt);
    time_t expiration = gnutls_x509_crt_get_expiration_time(crt);

    if (activation == (time_t)-1 || expiration == (time_t)-1) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("certificate '%s' has no valid activation or expiration time"), path);
        return -1;
    }
    if (activation > now) {
        g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc(activation);
        g_autofree char *text = when ? g_date_time_format_iso8601(when) : NULL;

        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("certificate '%s' is not yet valid: it is valid from %s"), path,
                           text ? text : "?");
        return -1;
    }
    if (expiration < now) {
        g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc(expiration);
        g_autofree char *text = when ? g_date_time_format_iso8601(when) : NULL;

        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("certificate '%s' has expired: it was valid until %s"), path,
                           text ? text : "?");
        return -1;
    }
    return 0;
}

typedef struct {
    gnutls_x509_crt_t *certs;
    unsigned int n;
} TlsCertList;

static void
tls_cert_list_clear(TlsCertList *list)
{
    for (unsigned int i = 0; i < list->n; i++)
        gnutls_x509_crt_deinit(list->certs[i]);
    gnutls_free(list->certs);
    list->certs = NULL;
    list->n = 0;
}

/* The PEM certificates of PATH (ONE_ONLY: the first), each within its
 * validity period. */
static int
tls_load_certs(const char *path, const char *what, gboolean one_only, time_t now,
               TlsCertList *ret_list)
{
    g_autofree char *data = NULL;
    size_t len = 0;
    gnutls_datum_t datum;
    TlsCertList list = {NULL, 0};
    int rc;

    if (tls_read(path, what, FALSE, &data, &len) < 0)
        return -1;
    datum.data = (unsigned char *)data;
    datum.size = (unsigned int)len;
    rc = gnutls_x509_crt_list_import2(&list.certs, &list.n, &datum, GNUTLS_X509_FMT_PEM, 0);
    if (rc < 0 || list.n == 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("%s '%s' holds no valid PEM certificate: %s"), what, path,
                           rc < 0 ? gnutls_strerror(rc) : _("none found"));
        tls_cert_list_clear(&list);
        return -1;
    }
    if (list.n > TLS_CA_MAX) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("%s '%s' holds %u certificates, more than %d"), what, path, list.n,
                           TLS_CA_MAX);
        tls_cert_list_clear(&list);
        return -1;
    }
    for (unsigned int i = 0; i < (one_only ? 1 : list.n); i++) {
        if (tls_check_times(list.certs[i], path, now) < 0) {
            tls_cert_list_clear(&list);
            return -1;
        }
    }
    *ret_list = list;
    return 0;
}

static int
tls_check_key(const char *path)
{
    g_autofree char *data = NULL;
    size_t len = 0;
    gnutls_x509_privkey_t key;
    gnutls_datum_t datum;
    int rc;

    if (tls_read(path, _("TLS private key"), FALSE, &data, &len) < 0)
        return -1;
    if ((rc = gnutls_x509_privkey_init(&key)) < 0) {
        qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR, _("cannot initialise a private key: %s"),
                           gnutls_strerror(rc));
        return -1;
    }
    datum.data = (unsigned char *)data;
    datum.size = (unsigned int)len;
    rc = gnutls_x509_privkey_import(key, &datum, GNUTLS_X509_FMT_PEM);
    gnutls_x509_privkey_deinit(key);
    /* Wipe the key from memory before it is freed. */
    memset(data, 0, len);
    if (rc < 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("TLS private key '%s' holds no valid unencrypted PEM key: %s"), path,
                           gnutls_strerror(rc));
        return -1;
    }
    return 0;
}

/* CERT (first of PATH) must be signed by one of CAS. */
static int
tls_check_signed(gnutls_x509_crt_t cert, const char *path, const TlsCertList *cas,
                 const char *ca_path)
{
    unsigned int status = 0;
    int rc = gnutls_x509_crt_verify(cert, cas->certs, cas->n, 0, &status);

    if (rc < 0 || status != 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("certificate '%s' is not signed by the CA in '%s'"), path, ca_path);
        return -1;
    }
    return 0;
}

int
qemu_migration_tls_check(const QemuDriverConfig *cfg, gboolean server)
{
    const char *dir = cfg->tls_x509_cert_dir;
    const char *side = server ? "server" : "client";
    g_autofree char *ca_path = NULL;
    g_autofree char *cert_name = g_strdup_printf("%s-cert.pem", side);
    g_autofree char *key_name = g_strdup_printf("%s-key.pem", side);
    g_autofree char *cert_path = NULL;
    g_autofree char *key_path = NULL;
    TlsCertList cas = {NULL, 0};
    TlsCertList cert = {NULL, 0};
    time_t now = time(NULL);
    struct stat st;
    int ret = -1;

    if (!dir || !*dir) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("no TLS certificate folder is configured (tls_x509_cert_dir)"));
        return -1;
    }
    if (stat(dir, &st) < 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("TLS certificate folder '%s' cannot be used: %s"), dir,
                           g_strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("TLS certificate folder '%s' cannot be used: %s"), dir,
                           _("not a folder"));
        return -1;
    }
    ca_path = g_build_filename(dir, "ca-cert.pem", NULL);
    cert_path = g_build_filename(dir, cert_name, NULL);
    key_path = g_build_filename(dir, key_name, NULL);

    if (tls_load_certs(ca_path, _("TLS CA certificate"), FALSE, now, &cas) < 0)
        goto cleanup;
    if (!server && access(cert_path, F_OK) < 0 && errno == ENOENT && access(key_path, F_OK) < 0 &&
        errno == ENOENT) {
        /* QEMU's client needs no certificate of its own. */
        QVIRT_DEBUG("no client certificate in '%s': the peer must not require one", dir);
        ret = 0;
        goto cleanup;
    }
    if (tls_load_certs(cert_path, _("TLS certificate"), TRUE, now, &cert) < 0 ||
        tls_check_signed(cert.certs[0], cert_path, &cas, ca_path) < 0 ||
        tls_check_key(key_path) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    tls_cert_list_clear(&cas);
    tls_cert_list_clear(&cert);
    return ret;
}

int
qemu_migration_tls_add(DomainObj *vm, DomainAsyncJob async_job, const QemuDriverConfig *cfg,
                       gboolean server)
{
    g_autoptr(QvirtJson) props = NULL;
    QemuMonitor *mon;
    int rc;

    if (qemu_migration_tls_check(cfg, server) < 0)
        return -1;

    props = json_object_new_object();
    json_object_object_add(props, "qom-type", json_object_new_string("tls-creds-x509"));
    json_object_object_add(props, "id", json_object_new_string(QEMU_MIGRATION_TLS_ALIAS));
    json_object_object_add(props, "dir", json_object_new_string(cfg->tls_x509_cert_dir));
    json_object_object_add(props, "endpoint", json_object_new_string(server ? "server" : "client"));
    /* The server asks for client certificates as configured; a client
     * always checks the server it talks to. */
    json_object_object_add(props, "verify-peer",
                           json_object_new_boolean(server ? cfg->tls_x509_verify : TRUE));

    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
        return -1;
    rc = qemu_monitor_json_object_add(mon, props);
    qemu_domain_obj_exit_monitor(vm);
    return rc;
}

void
qemu_migration_tls_remove(DomainObj *vm, DomainAsyncJob async_job)
{
    g_autoptr(QvirtError) saved = NULL;
    QemuMonitor *mon;
    int rc = -1;

    if (!domain_obj_is_active(vm))
        return;
    saved = qvirt_error_save();
    if ((mon = qemu_domain_obj_enter_monitor_async(vm, async_job))) {
        rc = qemu_monitor_json_object_del(mon, QEMU_MIGRATION_TLS_ALIAS);
        qemu_domain_obj_exit_monitor(vm);
    }
    if (rc < 0)
        QVIRT_WARN("cannot remove TLS object '%s' of domain '%s': %s", QEMU_MIGRATION_TLS_ALIAS,
                   domain_obj_get_name(vm), qvirt_error_last_message());
    qvirt_error_restore(g_steal_pointer(&saved));
}

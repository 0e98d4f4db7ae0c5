/* test-tls.c: qemu_migration_tls.h: the certificate folder check with
 * certificates made here by certtool (Debian gnutls-bin): valid, missing
 * files, expired, not yet valid, from another CA, garbage; and the
 * tls-creds-x509 object added and removed over a scripted fake QEMU.
 * Skipped only when certtool is missing. */
#include <config.h>

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "params-suites.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_migration_tls.h"
#include "testcerts.h"
#include "testutil.h"
#include "util/error.h"

#define VALID "expiration_days = 30\n"
#define EXPIRED                                                                                    \
    "activation_date = \"2001-01-01 00:00:00\"\nexpiration_date = \"2002-01-01 00:00:00\"\n"
#define FUTURE                                                                                     \
    "activation_date = \"2098-01-01 00:00:00\"\nexpiration_date = \"2099-01-01 00:00:00\"\n"

typedef struct {
    char *dir; /* where certtool works */
    char *pki; /* the folder under test (tls_x509_cert_dir) */
    QemuDriverConfig cfg;
} TlsFixture;

/* NAME-key.pem and NAME-cert.pem in F->dir: a CA when CA is NULL (self
 * signed), else signed by CA; VALIDITY is the template's dates. */
static void
tls_make(TlsFixture *f, const char *name, const char *ca, const char *validity)
{
    g_autofree char *stem = g_strdup_printf("%s-", name);
    g_autofree char *ca_stem = ca ? g_strdup_printf("%s-", ca) : NULL;
    g_autofree char *text = NULL;

    if (ca)
        text = g_strdup_printf("organization = qvirt test\ncn = %s\ndns_name = localhost\n"
                               "tls_www_server\ntls_www_client\nencryption_key\nsigning_key\n%s",
                               name, validity);
    else
        text = qvirt_test_cert_ca_template(name, validity);
    qvirt_test_cert_make(f->dir, stem, ca_stem, text);
}

/* Copy F->dir/FROM to F->pki/TO. */
static void
tls_install(TlsFixture *f, const char *from, const char *to)
{
    qvirt_test_cert_copy(f->dir, from, f->pki, to);
}

static void
tls_remove(TlsFixture *f, const char *name)
{
    g_autofree char *path = g_build_filename(f->pki, name, NULL);

    g_assert_cmpint(unlink(path), ==, 0);
}

/* A valid server and client set in F->pki, and spare certificates (expired,
 * future, other CA) in F->dir. NULL when certtool is missing. */
static TlsFixture *
tls_fixture_new(void)
{
    TlsFixture *f;

    if (!qvirt_test_certs_available())
        return NULL;
    f = g_new0(TlsFixture, 1);
    f->dir = qvirt_test_mkdtemp();
    f->pki = g_build_filename(f->dir, "pki", NULL);
    g_assert_cmpint(g_mkdir(f->pki, 0700), ==, 0);
    f->cfg.tls_x509_cert_dir = f->pki;
    f->cfg.tls_x509_verify = TRUE;

    tls_make(f, "ca", NULL, VALID);
    tls_make(f, "server", "ca", VALID);
    tls_make(f, "client", "ca", VALID);
    tls_install(f, "ca-cert.pem", "ca-cert.pem");
    tls_install(f, "server-cert.pem", "server-cert.pem");
    tls_install(f, "server-key.pem", "server-key.pem");
    tls_install(f, "client-cert.pem", "client-cert.pem");
    tls_install(f, "client-key.pem", "client-key.pem");
    return f;
}

static void
tls_fixture_free(TlsFixture *f)
{
    if (!f)
        return;
    qvirt_test_rmtree(f->dir);
    g_free(f->dir);
    g_free(f->pki);
    g_free(f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsFixture, tls_fixture_free)

/* The check fails with OPERATION_INVALID and a message holding NEEDLE and,
 * when FILE is set, the path of F->pki/FILE. */
static void
tls_assert_fails(TlsFixture *f, gboolean server, const char *file, const char *needle)
{
    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_tls_check(&f->cfg, server), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, needle);
    if (file) {
        g_autofree char *path = g_build_filename(f->pki, file, NULL);

        qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, path);
    }
}

static void
test_tls_valid(void)
{
    g_autoptr(TlsFixture) f = tls_fixture_new();

    if (!f)
        return;
    g_assert_cmpint(qemu_migration_tls_check(&f->cfg, TRUE), ==, 0);
    g_assert_cmpint(qemu_migration_tls_check(&f->cfg, FALSE), ==, 0);
    /* A client needs no certificate of its own. */
    tls_remove(f, "client-cert.pem");
    tls_remove(f, "client-key.pem");
    g_assert_cmpint(qemu_migration_tls_check(&f->cfg, FALSE), ==, 0);
}

static void
test_tls_missing(void)
{
    g_autoptr(TlsFixture) f = tls_fixture_new();
    QemuDriverConfig none = {0};
    g_autofree char *nodir = NULL;

    if (!f)
        return;
    tls_remove(f, "server-key.pem");
    tls_assert_fails(f, TRUE, "server-key.pem", "cannot read TLS private key");
    tls_assert_fails(f, TRUE, "server-key.pem", "No such file or directory");

    tls_remove(f, "server-cert.pem");
    tls_assert_fails(f, TRUE, "server-cert.pem", "cannot read TLS certificate");

    /* A client key without its certificate. */
    tls_remove(f, "client-cert.pem");
    tls_assert_fails(f, FALSE, "client-cert.pem", "cannot read TLS certificate");

    tls_remove(f, "ca-cert.pem");
    tls_assert_fails(f, FALSE, "ca-cert.pem", "cannot read TLS CA certificate");

    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_tls_check(&none, TRUE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "tls_x509_cert_dir");

    nodir = g_build_filename(f->dir, "nowhere", NULL);
    f->cfg.tls_x509_cert_dir = nodir;
    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_tls_check(&f->cfg, TRUE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, nodir);
    f->cfg.tls_x509_cert_dir = f->pki;
}

static void
test_tls_expired(void)
{
    g_autoptr(TlsFixture) f = tls_fixture_new();

    if (!f)
        return;
    tls_make(f, "old", "ca", EXPIRED);
    tls_install(f, "old-cert.pem", "server-cert.pem");
    tls_install(f, "old-key.pem", "server-key.pem");
    tls_assert_fails(f, TRUE, "server-cert.pem", "has expired: it was valid until 2002-01-01");
    /* The client side is unaffected. */
    g_assert_cmpint(qemu_migration_tls_check(&f->cfg, FALSE), ==, 0);

    tls_make(f, "oldca", NULL, EXPIRED);
    tls_install(f, "oldca-cert.pem", "ca-cert.pem");
    tls_assert_fails(f, FALSE, "ca-cert.pem", "has expired");
}

static void
test_tls_not_yet_valid(void)
{
    g_autoptr(TlsFixture) f = tls_fixture_new();

    if (!f)
        return;
    tls_make(f, "later", "ca", FUTURE);
    tls_install(f, "later-cert.pem", "client-cert.pem");
    tls_install(f, "later-key.pem", "client-key.pem");
    tls_assert_fails(f, FALSE, "client-cert.pem", "is not yet valid: it is valid from 2098-01-01");
}

static void
test_tls_other_ca(void)
{
    g_autoptr(TlsFixture) f = tls_fixture_new();

    if (!f)
        return;
    tls_make(f, "otherca", NULL, VALID);
    tls_make(f, "rogue", "otherca", VALID);
    tls_install(f, "rogue-cert.pem", "server-cert.pem");
    tls_install(f, "rogue-key.pem", "server-key.pem");
    tls_assert_fails(f, TRUE, "server-cert.pem", "is not signed by the CA in");
}

static void
test_tls_garbage(void)
{
    g_autoptr(TlsFixture) f = tls_fixture_new();

    if (!f)
        return;
    qvirt_test_cert_write(f->pki, "server-key.pem", "-----BEGIN PRIVATE KEY-----\nnope\n");
    tls_assert_fails(f, TRUE, "server-key.pem", "holds no valid unencrypted PEM key");
    qvirt_test_cert_write(f->pki, "ca-cert.pem", "not a certificate\n");
    tls_assert_fails(f, TRUE, "ca-cert.pem", "holds no valid PEM certificate");
}

/* ---- the QEMU object ---- */

static void
test_tls_object(void)
{
    g_autoptr(TlsFixture) f = tls_fixture_new();
    g_autofree char *server_args = NULL;
    g_autofree char *client_args = NULL;
    ParamsDom *d;

    if (!f)
        return;
    f->cfg.tls_x509_verify = FALSE;
    server_args = g_strdup_printf("{\"qom-type\": \"tls-creds-x509\", \"id\": \"%s\","
                                  " \"dir\": \"%s\", \"endpoint\": \"server\","
                                  " \"verify-peer\": false}",
                                  QEMU_MIGRATION_TLS_ALIAS, f->pki);
    /* A client always checks its server. */
    client_args = g_strdup_printf("{\"qom-type\": \"tls-creds-x509\", \"id\": \"%s\","
                                  " \"dir\": \"%s\", \"endpoint\": \"client\","
                                  " \"verify-peer\": true}",
                                  QEMU_MIGRATION_TLS_ALIAS, f->pki);

    d = params_dom_new();
    qemu_monitor_test_expect(d->server, "object-add", server_args, "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "object-del", "{\"id\": \"" QEMU_MIGRATION_TLS_ALIAS "\"}",
                             "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "object-add", client_args, "{\"return\": {}}");
    qemu_monitor_test_expect_error(d->server, "object-del", "GenericError",
                                   "object 'qvirt-migrate-tls' not found");
    params_dom_connect(d);

    domain_obj_lock(d->vm);
    g_assert_cmpint(domain_job_begin_async(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_IN,
                                           DOMAIN_JOB_OPERATION_MIGRATION_IN, 0),
                    ==, 0);
    g_assert_cmpint(qemu_migration_tls_add(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, &f->cfg, TRUE), ==,
                    0);
    qemu_migration_tls_remove(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    g_assert_cmpint(qemu_migration_tls_add(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, &f->cfg, FALSE),
                    ==, 0);
    /* A failed removal is only logged. */
    qvirt_error_reset();
    qemu_migration_tls_remove(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    g_assert_null(qvirt_error_get_last());

    /* A bad folder: refused before QEMU hears of it (the script has no
     * more commands: one would be a failure). */
    tls_remove(f, "server-cert.pem");
    g_assert_cmpint(qemu_migration_tls_add(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, &f->cfg, TRUE), ==,
                    -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "server-cert.pem");
    g_assert_true(qemu_monitor_test_wait_done(d->server));
    domain_job_end_async(d->vm);
    domain_obj_unlock(d->vm);
    params_dom_finish(d);
}

void
test_tls_register(void)
{
    g_test_add_func("/qemumigration/tls/valid", test_tls_valid);
    g_test_add_func("/qemumigration/tls/missing", test_tls_missing);
    g_test_add_func("/qemumigration/tls/expired", test_tls_expired);
    g_test_add_func("/qemumigration/tls/not-yet-valid", test_tls_not_yet_valid);
    g_test_add_func("/qemumigration/tls/other-ca", test_tls_other_ca);
    g_test_add_func("/qemumigration/tls/garbage", test_tls_garbage);
    g_test_add_func("/qemumigration/tls/object", test_tls_object);
}

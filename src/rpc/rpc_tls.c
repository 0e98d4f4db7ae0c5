/* rpc_tls.c: gnutls credentials and sessions (the contract is in rpc_tls.h).
 *
 * Verification is gnutls's own: gnutls_session_set_verify_cert() makes the
 * handshake fail unless the peer's certificate chains to the CA (and, for a
 * client, names the host); a server also sets GNUTLS_CERT_REQUIRE so that a
 * client without a certificate fails the handshake. */
#include <config.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "rpc/rpc_tls.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_RPC

QVIRT_LOG_INIT("rpc.tls");

struct _RpcTlsContext {
    gint refs; /* atomic */
    gboolean server;
    gnutls_certificate_credentials_t creds;
};

struct _RpcTlsSession {
    RpcTlsContext *ctx;
    gnutls_session_t session;
    char *hostname;
    gboolean established;
};

static void
rpc_tls_context_dispose(RpcTlsContext *ctx)
{
    if (ctx->creds)
        gnutls_certificate_free_credentials(ctx->creds);
    g_free(ctx);
}

RpcTlsContext *
rpc_tls_context_ref(RpcTlsContext *ctx)
{
    g_atomic_int_inc(&ctx->refs);
    return ctx;
}

void
rpc_tls_context_unref(RpcTlsContext *ctx)
{
    if (ctx && g_atomic_int_dec_and_test(&ctx->refs))
        rpc_tls_context_dispose(ctx);
}

gboolean
rpc_tls_context_is_server(RpcTlsContext *ctx)
{
    return ctx->server;
}

static RpcTlsContext *
rpc_tls_context_new(const char *dir, gboolean server)
{
    g_autofree char *ca = g_build_filename(dir, "cacert.pem", NULL);
    g_autofree char *cert =
        g_build_filename(dir, server ? "servercert.pem" : "clientcert.pem", NULL);
    g_autofree char *key = g_build_filename(dir, server ? "serverkey.pem" : "clientkey.pem", NULL);
    RpcTlsContext *ctx = g_new0(RpcTlsContext, 1);
    int rc;

    ctx->refs = 1;
    ctx->server = server;
    rc = gnutls_certificate_allocate_credentials(&ctx->creds);
    if (rc < 0) {
        qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR, _("cannot allocate TLS credentials: %s"),
                           gnutls_strerror(rc));
        goto error;
    }
    if (!g_file_test(ca, G_FILE_TEST_IS_REGULAR)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("CA certificate '%s' does not exist"), ca);
        goto error;
    }
    rc = gnutls_certificate_set_x509_trust_file(ctx->creds, ca, GNUTLS_X509_FMT_PEM);
    if (rc <= 0) {
        qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR, _("cannot load CA certificate '%s': %s"), ca,
                           rc < 0 ? gnutls_strerror(rc) : _("no certificate found"));
        goto error;
    }
    if (server || g_file_test(cert, G_FILE_TEST_EXISTS)) {
        if (!g_file_test(cert, G_FILE_TEST_IS_REGULAR) ||
            !g_file_test(key, G_FILE_TEST_IS_REGULAR)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("certificate '%s' or its key '%s' does not exist"), cert, key);
            goto error;
        }
        rc = gnutls_certificate_set_x509_key_file(ctx->creds, cert, key, GNUTLS_X509_FMT_PEM);
        if (rc < 0) {
            qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR,
                               _("cannot load certificate '%s' with key '%s': %s"), cert, key,
                               gnutls_strerror(rc));
            goto error;
        }
    }
    return ctx;

error:
    rpc_tls_context_unref(ctx);
    return NULL;
}

RpcTlsContext *
rpc_tls_context_new_server(const char *dir)
{
    return rpc_tls_context_new(dir, TRUE);
}

RpcTlsContext *
rpc_tls_context_new_client(const char *dir)
{
    return rpc_tls_context_new(dir, FALSE);
}

RpcTlsSession *
rpc_tls_session_new(RpcTlsContext *ctx, int fd, const char *hostname)
{
    g_autoptr(RpcTlsSession) sess = g_new0(RpcTlsSession, 1);
    int rc;

    sess->ctx = rpc_tls_context_ref(ctx);
    rc = gnutls_init(&sess->session,
                     (ctx->server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK);
    if (rc < 0) {
        sess->session = NULL;
        qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR, _("cannot start a TLS session: %s"),
                           gnutls_strerror(rc));
        return NULL;
    }
    rc = gnutls_set_default_priority(sess->session);
    if (rc >= 0)
        rc = gnutls_credentials_set(sess->session, GNUTLS_CRD_CERTIFICATE, ctx->creds);
    if (rc < 0) {
        qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR, _("cannot set up a TLS session: %s"),
                           gnutls_strerror(rc));
        return NULL;
    }
    if (ctx->server) {
        gnutls_certificate_server_set_request(sess->session, GNUTLS_CERT_REQUIRE);
        gnutls_session_set_verify_cert(sess->session, NULL, 0);
    } else {
        sess->hostname = g_strdup(hostname);
        if (hostname && !g_hostname_is_ip_address(hostname))
            gnutls_server_name_set(sess->session, GNUTLS_NAME_DNS, hostname, strlen(hostname));
        gnutls_session_set_verify_cert(sess->session, hostname, 0);
    }
    gnutls_transport_set_int(sess->session, fd);
    return g_steal_pointer(&sess);
}

void
rpc_tls_session_free(RpcTlsSession *sess)
{
    if (!sess)
        return;
    if (sess->session)
        gnutls_deinit(sess->session);
    rpc_tls_context_unref(sess->ctx);
    g_free(sess->hostname);
    g_free(sess);
}

int
rpc_tls_session_handshake(RpcTlsSession *sess)
{
    int rc;

    if (sess->established)
        return 0;
    do {
        rc = gnutls_handshake(sess->session);
    } while (rc == GNUTLS_E_INTERRUPTED);
    if (rc == GNUTLS_E_AGAIN)
        return 1;
    if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
        gnutls_datum_t text = {0};
        unsigned int status = gnutls_session_get_verify_cert_status(sess->session);

        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0);
        qvirt_report_error(QVIRT_ERR_AUTH_FAILED, _("TLS peer certificate refused: %s"),
                           text.data ? (const char *)text.data : gnutls_strerror(rc));
        gnutls_free(text.data);
        return -1;
    }
    if (rc == GNUTLS_E_NO_CERTIFICATE_FOUND || rc == GNUTLS_E_CERTIFICATE_REQUIRED) {
        qvirt_report_error(QVIRT_ERR_AUTH_FAILED, _("TLS peer did not present a certificate: %s"),
                           gnutls_strerror(rc));
        return -1;
    }
    if (rc < 0) {
        qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR, _("TLS handshake failed: %s"),
                           gnutls_strerror(rc));
        return -1;
    }
    sess->established = TRUE;
    QVIRT_DEBUG("TLS handshake done (%s)", sess->ctx->server ? "server" : "client");
    return 0;
}

GIOCondition
rpc_tls_session_get_direction(RpcTlsSession *sess)
{
    return gnutls_record_get_direction(sess->session) ? G_IO_OUT : G_IO_IN;
}

gboolean
rpc_tls_session_is_established(RpcTlsSession *sess)
{
    return sess->established;
}

ssize_t
rpc_tls_session_read(RpcTlsSession *sess, void *buf, size_t len)
{
    ssize_t rc;

    do {
        rc = gnutls_record_recv(sess->session, buf, len);
    } while (rc == GNUTLS_E_INTERRUPTED);
    if (rc >= 0)
        return rc;
    if (rc == GNUTLS_E_AGAIN)
        return RPC_IO_AGAIN;
    if (rc == GNUTLS_E_PREMATURE_TERMINATION)
        return 0; /* the peer closed without a TLS goodbye: still the end */
    qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR, _("cannot read from TLS connection: %s"),
                       gnutls_strerror((int)rc));
    return RPC_IO_ERROR;
}

ssize_t
rpc_tls_session_write(RpcTlsSession *sess, const void *buf, size_t len)
{
    ssize_t rc;

    do {
        rc = gnutls_record_send(sess->session, buf, len);
    } while (rc == GNUTLS_E_INTERRUPTED);
    if (rc >= 0)
        return rc;
    if (rc == GNUTLS_E_AGAIN)
        return RPC_IO_AGAIN;
    qvirt_report_error(QVIRT_ERR_GNUTLS_ERROR, _("cannot write to TLS connection: %s"),
                       gnutls_strerror((int)rc));
    return RPC_IO_ERROR;
}

size_t
rpc_tls_session_pending(RpcTlsSession *sess)
{
    return gnutls_record_check_pending(sess->session);
}

char *
rpc_tls_session_get_peer_dn(RpcTlsSession *sess)
{
    const gnutls_datum_t *certs;
    unsigned int ncerts = 0;
    gnutls_x509_crt_t crt;
    char dn[1024];
    size_t dnlen = sizeof(dn);
    char *ret = NULL;

    if (!sess->established)
        return NULL;
    certs = gnutls_certificate_get_peers(sess->session, &ncerts);
    if (!certs || ncerts == 0)
        return NULL;
    if (gnutls_x509_crt_init(&crt) < 0)
        return NULL;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) >= 0 &&
        gnutls_x509_crt_get_dn(crt, dn, &dnlen) >= 0)
        ret = g_strndup(dn, dnlen);
    gnutls_x509_crt_deinit(crt);
    return ret;
}

/* test-tls.c: RPC over TCP with TLS. Certificates are made at test time
 * with certtool (Debian gnutls-bin): a CA, a server certificate for
 * localhost / 127.0.0.1, a client certificate, and a second CA with its own
 * client certificate. A client with a certificate from the CA works; one
 * without a certificate, or with one from the other CA, is refused; a
 * client refuses a server whose certificate does not name the host it
 * dialled. Skipped (TAP SKIP) only when certtool is missing. */
#include <config.h>

#include <glib/gstdio.h>
#include <string.h>

#include "fixture.h"
#include "rpc/rpc_tls.h"
#include "suites.h"
#include "testcerts.h"
#include "testutil.h"

typedef struct {
    char *dir;
    char *server_dir; /* cacert, servercert, serverkey */
    char *client_dir; /* cacert, clientcert, clientkey */
    char *nocert_dir; /* cacert only */
    char *rogue_dir;  /* cacert of the real CA, client cert from another CA */
} TestCerts;

static gboolean
test_certs_make(TestCerts *tc)
{
    g_autofree char *ca = NULL;
    g_autofree char *otherca = NULL;

    if (!qvirt_test_certs_available())
        return FALSE;
    tc->dir = qvirt_test_mkdtemp();
    tc->server_dir = g_build_filename(tc->dir, "server", NULL);
    tc->client_dir = g_build_filename(tc->dir, "client", NULL);
    tc->nocert_dir = g_build_filename(tc->dir, "nocert", NULL);
    tc->rogue_dir = g_build_filename(tc->dir, "rogue", NULL);
    g_assert_cmpint(g_mkdir(tc->server_dir, 0700), ==, 0);
    g_assert_cmpint(g_mkdir(tc->client_dir, 0700), ==, 0);
    g_assert_cmpint(g_mkdir(tc->nocert_dir, 0700), ==, 0);
    g_assert_cmpint(g_mkdir(tc->rogue_dir, 0700), ==, 0);

    ca = qvirt_test_cert_ca_template("qvirt test CA", "expiration_days = 30\n");
    otherca = qvirt_test_cert_ca_template("another CA", "expiration_days = 30\n");
    qvirt_test_cert_make(tc->dir, "ca", NULL, ca);
    qvirt_test_cert_make(tc->dir, "otherca", NULL, otherca);
    qvirt_test_cert_make(tc->dir, "server", "ca",
                         "organization = qvirt test\ncn = localhost\ndns_name = localhost\n"
                         "ip_address = 127.0.0.1\ntls_www_server\nencryption_key\nsigning_key\n"
                         "expiration_days = 30\n");
    qvirt_test_cert_make(tc->dir, "client", "ca",
                         "organization = qvirt test\ncn = test client\ntls_www_client\n"
                         "encryption_key\nsigning_key\nexpiration_days = 30\n");
    qvirt_test_cert_make(tc->dir, "rogue", "otherca",
                         "organization = elsewhere\ncn = rogue client\ntls_www_client\n"
                         "encryption_key\nsigning_key\nexpiration_days = 30\n");

    qvirt_test_cert_copy(tc->dir, "cacert.pem", tc->server_dir, "cacert.pem");
    qvirt_test_cert_copy(tc->dir, "servercert.pem", tc->server_dir, "servercert.pem");
    qvirt_test_cert_copy(tc->dir, "serverkey.pem", tc->server_dir, "serverkey.pem");
    qvirt_test_cert_copy(tc->dir, "cacert.pem", tc->client_dir, "cacert.pem");
    qvirt_test_cert_copy(tc->dir, "clientcert.pem", tc->client_dir, "clientcert.pem");
    qvirt_test_cert_copy(tc->dir, "clientkey.pem", tc->client_dir, "clientkey.pem");
    qvirt_test_cert_copy(tc->dir, "cacert.pem", tc->nocert_dir, "cacert.pem");
    qvirt_test_cert_copy(tc->dir, "cacert.pem", tc->rogue_dir, "cacert.pem");
    qvirt_test_cert_copy(tc->dir, "roguecert.pem", tc->rogue_dir, "clientcert.pem");
    qvirt_test_cert_copy(tc->dir, "roguekey.pem", tc->rogue_dir, "clientkey.pem");
    return TRUE;
}

static void
test_certs_clear(TestCerts *tc)
{
    qvirt_test_rmtree(tc->dir);
    g_free(tc->dir);
    g_free(tc->server_dir);
    g_free(tc->client_dir);
    g_free(tc->nocert_dir);
    g_free(tc->rogue_dir);
}

/* Open a TLS client from DIR to 127.0.0.1:PORT (as HOST) and make one call:
 * 0 when it works, -1 with the error set when the connection or the call
 * was refused. */
static int
test_tls_call(QvirtEventLoop *loop, const char *dir, const char *host, int port)
{
    g_autoptr(RpcTlsContext) ctx = rpc_tls_context_new_client(dir);
    g_autofree char *service = g_strdup_printf("%d", port);
    g_autoptr(RpcClient) client = NULL;
    remote_connect_get_hostname_ret ret = {0};
    int rc;

    g_assert_nonnull(ctx);
    client = rpc_client_open_tls(loop, host, service, ctx, RPC_TEST_WAIT_MS);
    if (!client)
        return -1;
    rc = rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, RPC_XDR_VOID,
                         NULL, (xdrproc_t)xdr_remote_connect_get_hostname_ret, &ret,
                         RPC_TEST_WAIT_MS);
    if (rc == 0)
        g_assert_cmpstr(ret.hostname, ==, "test-host");
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, (char *)&ret);
    return rc;
}

static char *test_seen_dn;

static void
test_connected(RpcServerClient *client, gpointer opaque)
{
    g_assert_true(rpc_server_client_is_secure(client));
}

static int
test_dn_feature(RpcServerClient *client, int feature, gpointer opaque)
{
    g_free(test_seen_dn);
    test_seen_dn = rpc_server_client_get_tls_dn(client);
    return 1;
}

static void
test_tls(void)
{
    TestCerts tc = {0};
    RpcTestServer *ts;
    g_autoptr(RpcTlsContext) server_ctx = NULL;
    int port = 0;
    int port2 = 0;

    if (!test_certs_make(&tc))
        return;
    ts = rpc_test_server_new(NULL);
    server_ctx = rpc_tls_context_new_server(tc.server_dir);
    g_assert_nonnull(server_ctx);
    rpc_server_set_client_funcs(ts->server, test_connected, NULL, NULL);
    g_assert_cmpint(
        rpc_server_add_tls_listener(ts->server, "127.0.0.1", "0", server_ctx, FALSE, &port), ==, 0);
    g_assert_cmpint(port, >, 0);

    /* A client certificate from the CA: works, by IP and by name. */
    if (test_tls_call(ts->loop, tc.client_dir, "127.0.0.1", port) < 0)
        g_error("TLS call failed: %s", qvirt_error_last_message());
    {
        g_autoptr(RpcTlsContext) ctx = rpc_tls_context_new_client(tc.client_dir);
        g_autofree char *service = g_strdup_printf("%d", port);
        g_autoptr(RpcClient) client =
            rpc_client_open_tls(ts->loop, "localhost", service, ctx, RPC_TEST_WAIT_MS);
        remote_connect_supports_feature_args args = {.feature = 14};
        remote_connect_supports_feature_ret ret = {0};

        g_assert_nonnull(client);
        rpc_server_set_feature_func(ts->server, test_dn_feature, NULL);
        g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM,
                                        REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                                        (xdrproc_t)xdr_remote_connect_supports_feature_args, &args,
                                        (xdrproc_t)xdr_remote_connect_supports_feature_ret, &ret,
                                        RPC_TEST_WAIT_MS),
                        ==, 0);
        g_assert_nonnull(test_seen_dn);
        g_assert_nonnull(strstr(test_seen_dn, "CN=test client"));
        /* No descriptors over TCP. */
        args.feature = RPC_FEATURE_FD_PASSING;
        g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM,
                                        REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
                                        (xdrproc_t)xdr_remote_connect_supports_feature_args, &args,
                                        (xdrproc_t)xdr_remote_connect_supports_feature_ret, &ret,
                                        RPC_TEST_WAIT_MS),
                        ==, 0);
        g_assert_cmpint(ret.supported, ==, 0);
    }

    /* No client certificate: refused. */
    qvirt_error_reset();
    g_assert_cmpint(test_tls_call(ts->loop, tc.nocert_dir, "127.0.0.1", port), ==, -1);
    g_test_message("without a certificate: %s", qvirt_error_last_message());
    g_assert_true(qvirt_error_last_code() == QVIRT_ERR_RPC ||
                  qvirt_error_last_code() == QVIRT_ERR_GNUTLS_ERROR ||
                  qvirt_error_last_code() == QVIRT_ERR_AUTH_FAILED);

    /* A certificate from another CA: refused. */
    qvirt_error_reset();
    g_assert_cmpint(test_tls_call(ts->loop, tc.rogue_dir, "127.0.0.1", port), ==, -1);
    g_test_message("with a foreign certificate: %s", qvirt_error_last_message());

    /* The server's certificate must name the host we dialled: the same
     * server reached as 127.0.0.2, which its certificate does not name. */
    g_assert_cmpint(
        rpc_server_add_tls_listener(ts->server, "127.0.0.2", "0", server_ctx, FALSE, &port2), ==,
        0);
    qvirt_error_reset();
    g_assert_cmpint(test_tls_call(ts->loop, tc.client_dir, "127.0.0.2", port2), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_AUTH_FAILED, "certificate");

    /* Still serving good clients. */
    if (test_tls_call(ts->loop, tc.client_dir, "127.0.0.1", port) < 0)
        g_error("TLS call failed: %s", qvirt_error_last_message());

    g_clear_pointer(&test_seen_dn, g_free);
    rpc_test_server_free(ts);
    test_certs_clear(&tc);
}

static void
test_tls_bad_folders(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();

    qvirt_error_reset();
    g_assert_null(rpc_tls_context_new_server(dir));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "cacert.pem");
    qvirt_test_cert_write(dir, "cacert.pem", "not a certificate\n");
    qvirt_error_reset();
    g_assert_null(rpc_tls_context_new_client(dir));
    qvirt_test_assert_error(QVIRT_ERR_GNUTLS_ERROR, "cacert.pem");
    qvirt_test_rmtree(dir);
}

void
test_tls_register(void)
{
    g_test_add_func("/rpc/tls/client-certificates", test_tls);
    g_test_add_func("/rpc/tls/bad-folders", test_tls_bad_folders);
}

/* test-tls.c: qvirtd listening on TCP with TLS (listen_tls in the
 * configuration, certificates made with certtool at test time): a client
 * with a certificate of the test CA opens test:///default and lists its
 * domains; CONNECT_IS_SECURE says 1. Skipped when certtool (Debian
 * gnutls-bin) is missing. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "rpc/rpc_client.h"
#include "rpc/rpc_program.h"
#include "rpc/rpc_tls.h"
#include "suites.h"
#include "test-daemon.h"
#include "testutil.h"

/* Run certtool in DIR with ARGS (NULL-terminated); fail the test if it fails. */
static void
tls_certtool(const char *dir, const char *const *args)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_auto(GStrv) argv = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_strv_builder_add(b, "certtool");
    for (; *args; args++)
        g_strv_builder_add(b, *args);
    argv = g_strv_builder_end(b);
    g_assert_true(g_spawn_sync(dir, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
    g_assert_no_error(error);
    if (!g_spawn_check_wait_status(status, &error))
        g_error("certtool failed: %s\n%s", error->message, err);
}

/* In DIR: NAMEkey.pem and NAMEcert.pem from TEMPLATE, signed by the CA
 * (cakey.pem, cacert.pem) or self-signed when SELF. */
static void
tls_make(const char *dir, const char *name, const char *template, gboolean self)
{
    g_autofree char *key = g_strdup_printf("%skey.pem", name);
    g_autofree char *cert = g_strdup_printf("%scert.pem", name);
    g_autofree char *tmpl = g_strdup_printf("%s.tmpl", name);
    g_autofree char *tmpl_path = g_build_filename(dir, tmpl, NULL);
    const char *genkey[] = {"--generate-privkey", "--key-type=ecdsa", "--outfile", key, NULL};
    const char *selfsign[] = {"--generate-self-signed",
                              "--load-privkey",
                              key,
                              "--template",
                              tmpl,
                              "--outfile",
                              cert,
                              NULL};
    const char *casign[] = {"--generate-certificate",
                            "--load-privkey",
                            key,
                            "--load-ca-certificate",
                            "cacert.pem",
                            "--load-ca-privkey",
                            "cakey.pem",
                            "--template",
                            tmpl,
                            "--outfile",
                            cert,
                            NULL};

    g_assert_true(g_file_set_contents(tmpl_path, template, -1, NULL));
    tls_certtool(dir, genkey);
    tls_certtool(dir, self ? selfsign : casign);
}

/* A TCP port free right now on 127.0.0.1 (another process could take it
 * before the daemon does; unlikely enough for a test). */
static int
tls_free_port(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static void
test_tls_listen(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *certtool = g_find_program_in_path("certtool");
    g_autofree char *pki = NULL;
    g_autofree char *conf = NULL;
    g_autofree char *text = NULL;
    g_autofree char *port = NULL;
    g_autoptr(RpcTlsContext) ctx = NULL;
    g_autoptr(RpcClient) client = NULL;
    char *uri = (char *)"test:///default";
    remote_connect_open_args oa = {.name = &uri, .flags = 0};
    remote_connect_is_secure_ret sr = {0};
    remote_connect_list_all_domains_args la = {.need_results = 1, .flags = 0};
    remote_connect_list_all_domains_ret lr = {0};
    const char *extra[] = {"--config", NULL, NULL};

    if (!certtool) {
        g_test_skip("certtool (Debian package gnutls-bin) is not installed");
        return;
    }
    pki = g_build_filename(td->dir, "pki", NULL);
    g_assert_cmpint(g_mkdir(pki, 0700), ==, 0);
    tls_make(pki, "ca", "cn = qvirtd test CA\nca\ncert_signing_key\nexpiration_days = 2\n", TRUE);
    tls_make(pki, "server",
             "cn = 127.0.0.1\nip_address = 127.0.0.1\ntls_www_server\nencryption_key\n"
             "signing_key\nexpiration_days = 2\n",
             FALSE);
    tls_make(pki, "client",
             "cn = qvirtd test client\ntls_www_client\nencryption_key\nsigning_key\n"
             "expiration_days = 2\n",
             FALSE);

    port = g_strdup_printf("%d", tls_free_port());
    conf = g_build_filename(td->dir, "tls.conf", NULL);
    text = g_strdup_printf("[daemon]\nlisten_tls = true\nlisten_addr = 127.0.0.1\n"
                           "tls_port = %s\ntls_cert_dir = %s\n",
                           port, pki);
    g_assert_true(g_file_set_contents(conf, text, -1, NULL));
    extra[1] = conf;
    test_daemon_start(td, extra);

    /* The client side reads cacert, clientcert and clientkey from the same
     * folder. */
    ctx = rpc_tls_context_new_client(pki);
    g_assert_nonnull(ctx);
    client = rpc_client_open_tls(td->loop, "127.0.0.1", port, ctx, TEST_WAIT_MS);
    g_assert_nonnull(client);
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN,
                                    (xdrproc_t)xdr_remote_connect_open_args, &oa, RPC_XDR_VOID,
                                    NULL, TEST_WAIT_MS),
                    ==, 0);
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_IS_SECURE,
                                    RPC_XDR_VOID, NULL, (xdrproc_t)xdr_remote_connect_is_secure_ret,
                                    &sr, TEST_WAIT_MS),
                    ==, 0);
    g_assert_cmpint(sr.secure, ==, 1);
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                                    (xdrproc_t)xdr_remote_connect_list_all_domains_args, &la,
                                    (xdrproc_t)xdr_remote_connect_list_all_domains_ret, &lr,
                                    TEST_WAIT_MS),
                    ==, 0);
    g_assert_cmpuint(lr.ret, ==, 1);
    g_assert_cmpstr(lr.domains.domains_val[0].name, ==, "test");
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, (char *)&lr);
}

void
test_daemon_tls_register(void)
{
    g_test_add("/daemon/run/tls", TestDaemon, NULL, test_daemon_setup, test_tls_listen,
               test_daemon_teardown);
}

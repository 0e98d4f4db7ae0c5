/* test-run.c: qvirtd as a process. A session daemon runs in a temporary
 * folder (its own XDG_RUNTIME_DIR, XDG_CONFIG_HOME, XDG_STATE_HOME and
 * HOME), started in the foreground with $NOTIFY_SOCKET pointing at the
 * test's datagram socket, so the test waits for its READY=1 instead of
 * sleeping. Then: calls through the RPC client (open, list, a lookup that
 * fails with libvirt's message prefix, a URI it does not serve, a call
 * before open, the read-only socket refusing a change), a second daemon on
 * the same state folder refused, a bad configuration refused, SIGHUP
 * leaving it serving, and SIGTERM ending the daemon with status 0 and
 * removing its pid file.
 *
 * The daemon is run by the shared helper (testdaemon.h): it gets
 * PR_SET_PDEATHSIG, so it dies with the test even when an assertion aborts
 * it; the teardown kills it by pid otherwise. */
#include <config.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rpc/rpc_client.h"
#include "rpc/rpc_program.h"
#include "suites.h"
#include "test-daemon.h"
#include "testutil.h"
#include "util/error.h"

void
test_daemon_setup(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    qvirt_test_daemon_init(td);
    td->loop = qvirt_event_loop_new("test-daemon");
}

void
test_daemon_teardown(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    qvirt_test_daemon_clear(td);
}

static RpcClient *
test_open(TestDaemon *td, const char *sock, const char *uri)
{
    RpcClient *client = rpc_client_open_unix(td->loop, sock);
    char *name = (char *)uri;
    remote_connect_open_args args = {.name = &name, .flags = 0};

    g_assert_nonnull(client);
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN,
                                    (xdrproc_t)xdr_remote_connect_open_args, &args, RPC_XDR_VOID,
                                    NULL, TEST_WAIT_MS),
                    ==, 0);
    return client;
}

static void
test_run_calls(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(RpcClient) client = NULL;
    g_autoptr(RpcClient) ro = NULL;
    g_autoptr(RpcClient) bad = NULL;
    remote_connect_list_all_domains_args la = {.need_results = 1, .flags = 0};
    remote_connect_list_all_domains_ret lr = {0};
    remote_domain_lookup_by_name_args na = {.name = (char *)"nosuch"};
    remote_domain_lookup_by_name_ret nr = {0};
    remote_domain_define_xml_args da = {.xml = (char *)"<domain type='test'/>"};
    remote_domain_define_xml_ret dr = {0};
    remote_connect_get_hostname_ret hr = {0};
    char *qemu_system = (char *)"qemu:///system";
    remote_connect_open_args oa = {.name = &qemu_system, .flags = 0};
    g_autofree char *pid_text = NULL;
    int status;

    test_daemon_start(td, NULL);
    g_assert_true(g_file_get_contents(td->pid_file, &pid_text, NULL, NULL));
    g_assert_cmpint(atoi(pid_text), ==, td->pid);
    g_assert_true(g_file_test(td->sock_rw, G_FILE_TEST_EXISTS));

    /* A call before CONNECT_OPEN. */
    bad = rpc_client_open_unix(td->loop, td->sock_rw);
    g_assert_nonnull(bad);
    g_assert_cmpint(
        rpc_client_call(bad, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, RPC_XDR_VOID, NULL,
                        (xdrproc_t)xdr_remote_connect_get_hostname_ret, &hr, TEST_WAIT_MS),
        ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "internal error: connection not open");
    /* A URI a session daemon does not serve. */
    g_assert_cmpint(rpc_client_call(bad, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN,
                                    (xdrproc_t)xdr_remote_connect_open_args, &oa, RPC_XDR_VOID,
                                    NULL, TEST_WAIT_MS),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_CONNECT, "'qemu:///system'");

    client = test_open(td, td->sock_rw, "test:///default");
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                                    (xdrproc_t)xdr_remote_connect_list_all_domains_args, &la,
                                    (xdrproc_t)xdr_remote_connect_list_all_domains_ret, &lr,
                                    TEST_WAIT_MS),
                    ==, 0);
    g_assert_cmpuint(lr.ret, ==, 1);
    g_assert_cmpuint(lr.domains.domains_len, ==, 1);
    g_assert_cmpstr(lr.domains.domains_val[0].name, ==, "test");
    g_assert_cmpint(lr.domains.domains_val[0].id, ==, 1);
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, (char *)&lr);

    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
                                    (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &na,
                                    (xdrproc_t)xdr_remote_domain_lookup_by_name_ret, &nr,
                                    TEST_WAIT_MS),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "Domain not found: ");
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "'nosuch'");

    /* The read-only socket answers queries and refuses changes. */
    ro = test_open(td, td->sock_ro, "test:///default");
    g_assert_cmpint(
        rpc_client_call(ro, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, RPC_XDR_VOID, NULL,
                        (xdrproc_t)xdr_remote_connect_get_hostname_ret, &hr, TEST_WAIT_MS),
        ==, 0);
    g_assert_cmpstr(hr.hostname, !=, "");
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, (char *)&hr);
    g_assert_cmpint(rpc_client_call(ro, REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DEFINE_XML,
                                    (xdrproc_t)xdr_remote_domain_define_xml_args, &da,
                                    (xdrproc_t)xdr_remote_domain_define_xml_ret, &dr, TEST_WAIT_MS),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "operation forbidden: ");

    /* SIGHUP reloads. The signal is handled asynchronously, so this only
     * shows that a reload ends neither the daemon nor the connection. */
    g_assert_cmpint(kill(td->pid, SIGHUP), ==, 0);
    g_assert_cmpint(rpc_client_call(client, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
                                    (xdrproc_t)xdr_remote_connect_list_all_domains_args, &la,
                                    (xdrproc_t)xdr_remote_connect_list_all_domains_ret, &lr,
                                    TEST_WAIT_MS),
                    ==, 0);
    g_assert_cmpuint(lr.ret, ==, 1);
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, (char *)&lr);

    /* SIGTERM: a clean exit, the pid file gone. */
    g_assert_cmpint(kill(td->pid, SIGTERM), ==, 0);
    g_assert_true(qvirt_test_daemon_wait_exit(td->pid, TEST_WAIT_MS, &status));
    td->pid = 0;
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_false(g_file_test(td->pid_file, G_FILE_TEST_EXISTS));
}

static void
test_run_lock(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    const char *args[] = {"--session", "--foreground", "--pid-file", NULL, NULL};
    g_autofree char *other_pid = g_build_filename(td->dir, "other.pid", NULL);
    g_autofree char *err = NULL;

    test_daemon_start(td, NULL);
    args[3] = other_pid;
    g_assert_cmpint(qvirt_test_daemon_run_sync(td, args, &err), ==, 1);
    g_assert_nonnull(strstr(err, "in use by another qvirtd"));
    g_assert_false(g_file_test(other_pid, G_FILE_TEST_EXISTS));
    /* The first one is unharmed. */
    g_assert_true(g_file_test(td->pid_file, G_FILE_TEST_EXISTS));
    g_assert_cmpint(kill(td->pid, 0), ==, 0);
}

static void
test_run_bad_config(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *conf = g_build_filename(td->dir, "bad.conf", NULL);
    const char *args[] = {"--session", "--foreground", "--config", conf, NULL};
    const char *missing[] = {"--session", "--foreground", "--config", "/nonexistent.conf", NULL};
    const char *bad_opt[] = {"--no-such-option", NULL};
    g_autofree char *err = NULL;
    g_autofree char *err2 = NULL;
    g_autofree char *err3 = NULL;

    g_assert_true(g_file_set_contents(conf, "[daemon]\nmax_clients = many\n", -1, NULL));
    g_assert_cmpint(qvirt_test_daemon_run_sync(td, args, &err), ==, 1);
    g_assert_nonnull(strstr(err, conf));
    g_assert_nonnull(strstr(err, "'max_clients'"));
    g_assert_nonnull(strstr(err, "'many'"));

    g_assert_cmpint(qvirt_test_daemon_run_sync(td, missing, &err2), ==, 1);
    g_assert_nonnull(strstr(err2, "/nonexistent.conf"));

    g_assert_cmpint(qvirt_test_daemon_run_sync(td, bad_opt, &err3), ==, 2);
}

/* max_clients = 1: a second client is accepted and closed at once, so its
 * call fails with an RPC error; the first one keeps working. */
static void
test_run_limits(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *conf = g_build_filename(td->dir, "limits.conf", NULL);
    const char *extra[] = {"--config", conf, NULL};
    g_autoptr(RpcClient) first = NULL;
    g_autoptr(RpcClient) second = NULL;
    remote_connect_get_hostname_ret hr = {0};

    g_assert_true(g_file_set_contents(conf, "[daemon]\nmax_clients = 1\n", -1, NULL));
    test_daemon_start(td, extra);
    first = test_open(td, td->sock_rw, "test:///default");

    second = rpc_client_open_unix(td->loop, td->sock_rw);
    if (second) {
        g_assert_cmpint(rpc_client_call(second, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME,
                                        RPC_XDR_VOID, NULL,
                                        (xdrproc_t)xdr_remote_connect_get_hostname_ret, &hr,
                                        TEST_WAIT_MS),
                        ==, -1);
        /* Closed before or while it reads: end of file or a reset. */
        g_assert_true(qvirt_error_last_code() == QVIRT_ERR_RPC ||
                      qvirt_error_last_code() == QVIRT_ERR_SYSTEM_ERROR);
    }
    g_assert_cmpint(
        rpc_client_call(first, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_HOSTNAME, RPC_XDR_VOID, NULL,
                        (xdrproc_t)xdr_remote_connect_get_hostname_ret, &hr, TEST_WAIT_MS),
        ==, 0);
    xdr_free((xdrproc_t)xdr_remote_connect_get_hostname_ret, (char *)&hr);
}

static void
test_run_version(TestDaemon *td G_GNUC_UNUSED, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    const char *argv[] = {qvirt_test_daemon_path(), "--version", NULL};
    int status;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                               &status, &err));
    g_assert_no_error(err);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_nonnull(strstr(out, PACKAGE_VERSION));
}

void
test_daemon_run_register(void)
{
    g_test_add("/daemon/run/calls", TestDaemon, NULL, test_daemon_setup, test_run_calls,
               test_daemon_teardown);
    g_test_add("/daemon/run/lock", TestDaemon, NULL, test_daemon_setup, test_run_lock,
               test_daemon_teardown);
    g_test_add("/daemon/run/bad-config", TestDaemon, NULL, test_daemon_setup, test_run_bad_config,
               test_daemon_teardown);
    g_test_add("/daemon/run/limits", TestDaemon, NULL, test_daemon_setup, test_run_limits,
               test_daemon_teardown);
    g_test_add("/daemon/run/version", TestDaemon, NULL, test_daemon_setup, test_run_version,
               test_daemon_teardown);
}

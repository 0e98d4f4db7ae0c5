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
 * The daemon gets PR_SET_PDEATHSIG, so it dies with the test even when an
 * assertion aborts it; the teardown kills it by pid otherwise. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "rpc/rpc_client.h"
#include "rpc/rpc_program.h"
#include "suites.h"
#include "test-daemon.h"
#include "testutil.h"
#include "util/error.h"

static void
test_daemon_child_setup(gpointer opaque G_GNUC_UNUSED)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static char **
test_daemon_env(TestDaemon *td)
{
    char **env = g_get_environ();
    g_autofree char *run = g_build_filename(td->dir, "run", NULL);
    g_autofree char *cfg = g_build_filename(td->dir, "config", NULL);
    g_autofree char *state = g_build_filename(td->dir, "state", NULL);

    env = g_environ_setenv(env, "XDG_RUNTIME_DIR", run, TRUE);
    env = g_environ_setenv(env, "XDG_CONFIG_HOME", cfg, TRUE);
    env = g_environ_setenv(env, "XDG_STATE_HOME", state, TRUE);
    env = g_environ_setenv(env, "HOME", td->dir, TRUE);
    env = g_environ_setenv(env, "NOTIFY_SOCKET", td->notify_path, TRUE);
    env = g_environ_unsetenv(env, "QVIRT_DEFAULT_URI");
    return env;
}

static const char *
test_qvirtd_path(void)
{
    return QVIRTD_PATH;
}

void
test_daemon_setup(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    g_autofree char *run = NULL;

    td->dir = qvirt_test_mkdtemp();
    run = g_build_filename(td->dir, "run", NULL);
    g_assert_cmpint(g_mkdir(run, 0700), ==, 0);
    td->sock_rw = g_build_filename(run, "qvirt", "qvirt-sock", NULL);
    td->sock_ro = g_build_filename(run, "qvirt", "qvirt-sock-ro", NULL);
    td->pid_file = g_build_filename(td->dir, "qvirtd.pid", NULL);
    td->notify_path = g_build_filename(td->dir, "notify", NULL);
    g_assert_cmpuint(strlen(td->notify_path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, td->notify_path);
    td->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(td->notify_fd, >=, 0);
    g_assert_cmpint(bind(td->notify_fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    td->loop = qvirt_event_loop_new("test-daemon");
}

/* Wait until PID exits, at most TIMEOUT_MS: TRUE with *ret_status. */
static gboolean
test_wait_exit(GPid pid, int timeout_ms, int *ret_status)
{
    struct pollfd pfd = {.events = POLLIN};
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    int status;

    g_assert_cmpint(fd, >=, 0);
    pfd.fd = fd;
    if (poll(&pfd, 1, timeout_ms) <= 0) {
        close(fd);
        return FALSE;
    }
    close(fd);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    *ret_status = status;
    return TRUE;
}

void
test_daemon_teardown(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    if (td->pid > 0) {
        int status;

        kill(td->pid, SIGKILL);
        test_wait_exit(td->pid, TEST_WAIT_MS, &status);
        td->pid = 0;
    }
    qvirt_event_loop_free(td->loop);
    close(td->notify_fd);
    qvirt_test_rmtree(td->dir);
    g_free(td->dir);
    g_free(td->sock_rw);
    g_free(td->sock_ro);
    g_free(td->pid_file);
    g_free(td->notify_path);
}

/* Start the daemon in the foreground with EXTRA arguments and wait for its
 * READY=1. */
void
test_daemon_start(TestDaemon *td, const char *const *extra)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) env = test_daemon_env(td);
    g_autoptr(GError) err = NULL;
    struct pollfd pfd[2] = {{.fd = td->notify_fd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
    char buf[256] = "";
    ssize_t n;

    g_ptr_array_add(argv, (gpointer)test_qvirtd_path());
    g_ptr_array_add(argv, (gpointer) "--session");
    g_ptr_array_add(argv, (gpointer) "--foreground");
    g_ptr_array_add(argv, (gpointer) "--pid-file");
    g_ptr_array_add(argv, td->pid_file);
    for (; extra && *extra; extra++)
        g_ptr_array_add(argv, (gpointer)*extra);
    g_ptr_array_add(argv, NULL);

    g_assert_true(g_spawn_async(NULL, (char **)argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                test_daemon_child_setup, NULL, &td->pid, &err));
    g_assert_no_error(err);
    /* Wait for READY=1, or for the daemon to die first (its pidfd). */
    pfd[1].fd = (int)syscall(SYS_pidfd_open, td->pid, 0);
    g_assert_cmpint(pfd[1].fd, >=, 0);
    g_assert_cmpint(poll(pfd, 2, TEST_WAIT_MS), >, 0);
    close(pfd[1].fd);
    if (!(pfd[0].revents & POLLIN))
        g_error("qvirtd exited before it was ready (QVIRT_DRIVER_DIR=%s)",
                g_getenv("QVIRT_DRIVER_DIR"));
    n = recv(td->notify_fd, buf, sizeof(buf) - 1, 0);
    g_assert_cmpint(n, >, 0);
    g_assert_cmpstr(buf, ==, "READY=1");
}

/* Run qvirtd with ARGS to its end; returns its exit status, *ret_stderr. */
static int
test_daemon_run_sync(TestDaemon *td, const char *const *args, char **ret_stderr)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) env = test_daemon_env(td);
    g_autoptr(GError) err = NULL;
    int status = -1;

    g_ptr_array_add(argv, (gpointer)test_qvirtd_path());
    for (; *args; args++)
        g_ptr_array_add(argv, (gpointer)*args);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT,
                               test_daemon_child_setup, NULL, NULL, ret_stderr, &status, &err));
    g_assert_no_error(err);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
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
    g_assert_true(test_wait_exit(td->pid, TEST_WAIT_MS, &status));
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
    g_assert_cmpint(test_daemon_run_sync(td, args, &err), ==, 1);
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
    g_assert_cmpint(test_daemon_run_sync(td, args, &err), ==, 1);
    g_assert_nonnull(strstr(err, conf));
    g_assert_nonnull(strstr(err, "'max_clients'"));
    g_assert_nonnull(strstr(err, "'many'"));

    g_assert_cmpint(test_daemon_run_sync(td, missing, &err2), ==, 1);
    g_assert_nonnull(strstr(err2, "/nonexistent.conf"));

    g_assert_cmpint(test_daemon_run_sync(td, bad_opt, &err3), ==, 2);
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
    const char *argv[] = {test_qvirtd_path(), "--version", NULL};
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

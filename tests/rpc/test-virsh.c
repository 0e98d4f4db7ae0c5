/* test-virsh.c: the stock virsh (Debian libvirt-clients) as a client of an
 * RPC server that answers only what connecting needs, with dummy answers:
 * AUTH_LIST and SUPPORTS_FEATURE (built in), CONNECT_OPEN, GET_URI,
 * CONNECT_CLOSE and REGISTER/UNREGISTER_CLOSE_CALLBACK. An early proof that
 * the framing, header, XDR layouts, error replies and keepalive are what
 * libvirt's client library expects: `virsh -c URI uri` must connect (the
 * server sees CONNECT_OPEN "qemu:///system"), print the URI it was given
 * (virsh formats it itself) and disconnect cleanly; `virsh hostname` gets
 * the fixture's dummy answer; `virsh sysinfo` (GET_SYSINFO, not served)
 * fails with the server's NO_SUPPORT message. Skipped when virsh is not
 * installed.
 *
 * virsh runs under timeout(1) so that a hang fails the test instead of
 * blocking it; it gets a private HOME and XDG folders in the temp folder. */
#include <config.h>

#include <string.h>
#include <sys/wait.h>

#include "fixture.h"
#include "suites.h"
#include "testutil.h"

typedef struct {
    QvirtMutex lock;
    GArray *procs; /* procedures served, in order */
    char *open_name;
    gboolean keepalive_asked;
} TestVirsh;

static void
test_virsh_record(TestVirsh *tv, int proc)
{
    qvirt_mutex_lock(&tv->lock);
    g_array_append_val(tv->procs, proc);
    qvirt_mutex_unlock(&tv->lock);
}

static int
test_open(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    TestVirsh *tv = opaque;
    remote_connect_open_args *a = args;

    test_virsh_record(tv, REMOTE_PROC_CONNECT_OPEN);
    qvirt_mutex_lock(&tv->lock);
    g_free(tv->open_name);
    tv->open_name = g_strdup(a->name ? *a->name : "(null)");
    qvirt_mutex_unlock(&tv->lock);
    return 0;
}

static int
test_close(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    test_virsh_record(opaque, REMOTE_PROC_CONNECT_CLOSE);
    return 0;
}

static int
test_get_uri(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    remote_connect_get_uri_ret *r = ret;

    test_virsh_record(opaque, REMOTE_PROC_CONNECT_GET_URI);
    r->uri = g_strdup("qemu:///system");
    return 0;
}

static int
test_close_callback(RpcServerCall *call, void *args, void *ret, gpointer opaque)
{
    test_virsh_record(opaque, rpc_server_call_get_header(call)->proc);
    return 0;
}

static int
test_features(RpcServerClient *client, int feature, gpointer opaque)
{
    /* REMOTE_EVENT_CALLBACK and REMOTE_CLOSE_CALLBACK, as qvirtd will. */
    return feature == 14 || feature == 15;
}

/* Run virsh ARGS... against TS; returns its exit status, output in
 * *ret_out / *ret_err. */
static int
test_run_virsh(RpcTestServer *ts, const char *const *args, char **ret_out, char **ret_err)
{
    g_autofree char *uri = g_strdup_printf("qemu+unix:///system?socket=%s", ts->rw_path);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) envp = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    envp =
        g_environ_setenv(NULL, "PATH", g_getenv("PATH") ? g_getenv("PATH") : "/usr/bin:/bin", TRUE);
    envp = g_environ_setenv(envp, "HOME", ts->dir, TRUE);
    envp = g_environ_setenv(envp, "XDG_CONFIG_HOME", ts->dir, TRUE);
    envp = g_environ_setenv(envp, "XDG_CACHE_HOME", ts->dir, TRUE);
    envp = g_environ_setenv(envp, "XDG_RUNTIME_DIR", ts->dir, TRUE);
    envp = g_environ_setenv(envp, "LC_ALL", "C", TRUE);

    g_ptr_array_add(argv, (char *)"timeout");
    g_ptr_array_add(argv, (char *)"60");
    g_ptr_array_add(argv, (char *)"virsh");
    g_ptr_array_add(argv, (char *)"-c");
    g_ptr_array_add(argv, uri);
    for (size_t i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(ts->dir, (char **)argv->pdata, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, ret_out,
                      ret_err, &status, &error))
        g_error("cannot run virsh: %s", error->message);
    g_test_message("virsh %s: status %d\nstdout: %s\nstderr: %s", args[0], status, *ret_out,
                   *ret_err);
    if (!WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static gboolean
test_virsh_served(TestVirsh *tv, int proc)
{
    gboolean found = FALSE;

    qvirt_mutex_lock(&tv->lock);
    for (guint i = 0; i < tv->procs->len; i++)
        found |= g_array_index(tv->procs, int, i) == proc;
    qvirt_mutex_unlock(&tv->lock);
    return found;
}

static void
test_virsh_uri(void)
{
    g_autofree char *virsh = g_find_program_in_path("virsh");
    g_autofree char *timeout = g_find_program_in_path("timeout");
    RpcTestServer *ts;
    TestVirsh tv = {0};
    const char *uri_args[] = {"uri", NULL};
    const char *host_args[] = {"hostname", NULL};
    const char *sysinfo_args[] = {"sysinfo", NULL};
    g_autofree char *uri = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    if (!virsh || !timeout) {
        g_test_skip("virsh (Debian package libvirt-clients) or timeout is not installed");
        return;
    }
    qvirt_mutex_init(&tv.lock);
    tv.procs = g_array_new(FALSE, FALSE, sizeof(int));
    ts = rpc_test_server_new(NULL);
    rpc_server_set_feature_func(ts->server, test_features, &tv);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN,
                                           test_open, &tv),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_CLOSE,
                                           test_close, &tv),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM, REMOTE_PROC_CONNECT_GET_URI,
                                           test_get_uri, &tv),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM,
                                           REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK,
                                           test_close_callback, &tv),
                    ==, 0);
    g_assert_cmpint(rpc_server_add_handler(ts->server, REMOTE_PROGRAM,
                                           REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
                                           test_close_callback, &tv),
                    ==, 0);

    uri = g_strdup_printf("qemu+unix:///system?socket=%s", ts->rw_path);
    g_assert_cmpint(test_run_virsh(ts, uri_args, &out, &err), ==, 0);
    g_assert_cmpstr(g_strstrip(out), ==, uri);
    qvirt_mutex_lock(&tv.lock);
    g_assert_cmpstr(tv.open_name, ==, "qemu:///system");
    qvirt_mutex_unlock(&tv.lock);
    g_assert_true(test_virsh_served(&tv, REMOTE_PROC_CONNECT_OPEN));
    g_assert_true(test_virsh_served(&tv, REMOTE_PROC_CONNECT_CLOSE));
    g_assert_true(test_virsh_served(&tv, REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK));
    g_assert_true(test_virsh_served(&tv, REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK));
    rpc_test_server_wait_closed(ts, 1);
    {
        g_autoptr(GString) seq = g_string_new("procedures served:");

        qvirt_mutex_lock(&tv.lock);
        for (guint i = 0; i < tv.procs->len; i++)
            g_string_append_printf(seq, " %d", g_array_index(tv.procs, int, i));
        qvirt_mutex_unlock(&tv.lock);
        g_test_message("%s", seq->str);
    }

    /* A procedure the fixture serves. */
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    g_assert_cmpint(test_run_virsh(ts, host_args, &out, &err), ==, 0);
    g_assert_cmpstr(g_strstrip(out), ==, "test-host");

    /* One nobody serves: the NO_SUPPORT error reaches the user. */
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    g_assert_cmpint(test_run_virsh(ts, sysinfo_args, &out, &err), !=, 0);
    g_assert_nonnull(strstr(err, "unknown procedure: 203"));
    rpc_test_server_wait_closed(ts, 3);

    rpc_test_server_free(ts);
    g_array_free(tv.procs, TRUE);
    g_free(tv.open_name);
    qvirt_mutex_clear(&tv.lock);
}

void
test_virsh_register(void)
{
    g_test_add_func("/rpc/virsh/uri", test_virsh_uri);
}

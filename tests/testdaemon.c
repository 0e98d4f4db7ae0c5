/* testdaemon.c: a qvirtd process for one test case (see testdaemon.h). */
#include <config.h>

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "testdaemon.h"
#include "testutil.h"

#ifndef QVIRTD_PATH
#error "QVIRTD_PATH must name the build tree's qvirtd"
#endif

const char *
qvirt_test_daemon_path(void)
{
    return QVIRTD_PATH;
}

static void
daemon_child_setup(gpointer opaque G_GNUC_UNUSED)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void
qvirt_test_daemon_init(TestDaemon *td)
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
}

gboolean
qvirt_test_daemon_wait_exit(GPid pid, int timeout_ms, int *ret_status)
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
qvirt_test_daemon_clear(TestDaemon *td)
{
    if (td->pid > 0) {
        int status;

        kill(td->pid, SIGKILL);
        if (!qvirt_test_daemon_wait_exit(td->pid, QVIRT_TEST_DAEMON_WAIT_MS, &status))
            g_test_message("qvirtd %d did not exit after SIGKILL", (int)td->pid);
        td->pid = 0;
    }
    g_clear_pointer(&td->loop, qvirt_event_loop_free);
    if (td->notify_fd >= 0)
        close(td->notify_fd);
    td->notify_fd = -1;
    if (td->dir)
        qvirt_test_rmtree(td->dir);
    g_clear_pointer(&td->dir, g_free);
    g_clear_pointer(&td->sock_rw, g_free);
    g_clear_pointer(&td->sock_ro, g_free);
    g_clear_pointer(&td->pid_file, g_free);
    g_clear_pointer(&td->config, g_free);
    g_clear_pointer(&td->notify_path, g_free);
}

char **
qvirt_test_daemon_env(TestDaemon *td)
{
    char **env = g_get_environ();
    g_autofree char *run = g_build_filename(td->dir, "run", NULL);
    g_autofree char *cfg = g_build_filename(td->dir, "config", NULL);
    g_autofree char *state = g_build_filename(td->dir, "state", NULL);

    env = g_environ_setenv(env, "XDG_RUNTIME_DIR", run, TRUE);
    env = g_environ_setenv(env, "XDG_CONFIG_HOME", cfg, TRUE);
    env = g_environ_setenv(env, "XDG_STATE_HOME", state, TRUE);
    env = g_environ_setenv(env, "XDG_CACHE_HOME", state, TRUE);
    env = g_environ_setenv(env, "HOME", td->dir, TRUE);
    env = g_environ_setenv(env, "NOTIFY_SOCKET", td->notify_path, TRUE);
    env = g_environ_unsetenv(env, "QVIRT_DEFAULT_URI");
    env = g_environ_unsetenv(env, "LIBVIRT_DEFAULT_URI");
    return env;
}

void
qvirt_test_daemon_start(TestDaemon *td, const char *const *extra)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) env = qvirt_test_daemon_env(td);
    g_autoptr(GError) err = NULL;
    struct pollfd pfd[2] = {{.fd = td->notify_fd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
    char buf[256] = "";
    ssize_t n;

    g_ptr_array_add(argv, (gpointer)qvirt_test_daemon_path());
    g_ptr_array_add(argv, (gpointer) "--session");
    g_ptr_array_add(argv, (gpointer) "--foreground");
    g_ptr_array_add(argv, (gpointer) "--pid-file");
    g_ptr_array_add(argv, td->pid_file);
    if (td->config) {
        g_ptr_array_add(argv, (gpointer) "--config");
        g_ptr_array_add(argv, td->config);
    }
    for (; extra && *extra; extra++)
        g_ptr_array_add(argv, (gpointer)*extra);
    g_ptr_array_add(argv, NULL);

    g_assert_true(g_spawn_async(NULL, (char **)argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                daemon_child_setup, NULL, &td->pid, &err));
    g_assert_no_error(err);
    /* Wait for READY=1, or for the daemon to die first (its pidfd). */
    pfd[1].fd = (int)syscall(SYS_pidfd_open, td->pid, 0);
    g_assert_cmpint(pfd[1].fd, >=, 0);
    g_assert_cmpint(poll(pfd, 2, QVIRT_TEST_DAEMON_WAIT_MS), >, 0);
    close(pfd[1].fd);
    if (!(pfd[0].revents & POLLIN))
        g_error("qvirtd exited before it was ready (QVIRT_DRIVER_DIR=%s)",
                g_getenv("QVIRT_DRIVER_DIR"));
    n = recv(td->notify_fd, buf, sizeof(buf) - 1, 0);
    g_assert_cmpint(n, >, 0);
    g_assert_cmpstr(buf, ==, "READY=1");
}

int
qvirt_test_daemon_run_sync(TestDaemon *td, const char *const *args, char **ret_stderr)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) env = qvirt_test_daemon_env(td);
    g_autoptr(GError) err = NULL;
    int status = -1;

    g_ptr_array_add(argv, (gpointer)qvirt_test_daemon_path());
    for (; *args; args++)
        g_ptr_array_add(argv, (gpointer)*args);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, daemon_child_setup,
                               NULL, NULL, ret_stderr, &status, &err));
    g_assert_no_error(err);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

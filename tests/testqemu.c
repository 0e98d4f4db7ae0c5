/* testqemu.c: real QEMU processes in the integration suites (see
 * testqemu.h). */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "qemu/qemu_monitor_json.h"
#include "testqemu.h"
#include "util/error.h"

/* Pids of the QEMUs alive, for the signal handler (async-signal safe
 * reads). */
#define TEST_QEMU_MAX_PIDS 16
static volatile sig_atomic_t test_qemu_pids[TEST_QEMU_MAX_PIDS];

static void
test_qemu_track(pid_t pid, gboolean alive)
{
    for (int i = 0; i < TEST_QEMU_MAX_PIDS; i++) {
        if (alive && test_qemu_pids[i] == 0) {
            test_qemu_pids[i] = pid;
            return;
        }
        if (!alive && test_qemu_pids[i] == pid) {
            test_qemu_pids[i] = 0;
            return;
        }
    }
    if (alive)
        g_error("more than %d QEMUs at once in one test", TEST_QEMU_MAX_PIDS);
}

static void
test_qemu_kill_all(int sig)
{
    for (int i = 0; i < TEST_QEMU_MAX_PIDS; i++) {
        if (test_qemu_pids[i] > 0)
            kill(test_qemu_pids[i], SIGKILL);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

char *
qvirt_test_qemu_find(void)
{
    const char *env = g_getenv("QVIRT_TEST_QEMU");
    g_autofree char *found = NULL;

    if (env && *env)
        return g_strdup(env);
    found = g_find_program_in_path("qemu-system-x86_64");
    return found ? g_canonicalize_filename(found, NULL) : NULL;
}

void
qvirt_test_qemu_guard(unsigned int seconds)
{
    signal(SIGABRT, test_qemu_kill_all);
    signal(SIGALRM, test_qemu_kill_all);
    signal(SIGSEGV, test_qemu_kill_all);
    signal(SIGTERM, test_qemu_kill_all);
    signal(SIGTRAP, test_qemu_kill_all); /* g_error() */
    alarm(seconds);
}

QvirtCommand *
qvirt_test_qemu_command(const char *binary)
{
    QvirtCommand *cmd = qvirt_command_new(binary);

    qvirt_command_add_args(cmd, "-machine", "none", "-nodefaults", "-no-user-config", "-display",
                           "none", "-accel", "tcg", NULL);
    qvirt_command_add_env(cmd, "LC_ALL=C");
    return cmd;
}

int
qvirt_test_qemu_add_monitor(QvirtCommand *cmd, const char *id, const char *path, gboolean qmp)
{
    int fd = qemu_monitor_listen_socket(path);
    g_autofree char *dev = NULL;
    g_autofree char *mon = NULL;

    if (fd < 0)
        g_error("cannot listen on %s: %s", path, qvirt_error_last_message());
    dev = g_strdup_printf("socket,id=%s,fd=%d,server=on,wait=off", id, fd);
    mon = g_strdup_printf("chardev=%s,mode=%s", id, qmp ? "control" : "readline");
    qvirt_command_add_args(cmd, "-chardev", dev, "-mon", mon, NULL);
    qvirt_command_pass_fd(cmd, fd);
    return fd;
}

QvirtProcess *
qvirt_test_qemu_spawn(QvirtCommand *cmd, const int *fds, size_t nfds)
{
    QvirtProcess *proc = NULL;

    if (qvirt_command_spawn(cmd, &proc) < 0)
        g_error("cannot start QEMU: %s", qvirt_error_last_message());
    test_qemu_track(qvirt_process_pid(proc), TRUE);
    for (size_t i = 0; i < nfds; i++)
        close(fds[i]);
    return proc;
}

QemuMonitor *
qvirt_test_qemu_open_qmp(QvirtEventLoop *loop, const char *path, const QemuMonitorConfig *config)
{
    QemuMonitor *mon = qemu_monitor_open_path(loop, path, config);

    g_assert_nonnull(mon);
    g_assert_cmpint(qemu_monitor_wait_ready(mon), ==, 0);
    g_assert_cmpint(qemu_monitor_json_set_capabilities(mon), ==, 0);
    return mon;
}

void
qvirt_test_qemu_quit(QvirtProcess **proc, QemuMonitor *mon, gint64 timeout_ms)
{
    int status = -1;

    if (!*proc)
        return;
    g_assert_cmpint(qemu_monitor_json_quit(mon), ==, 0);
    g_assert_cmpint(qvirt_process_wait_exit(*proc, timeout_ms, &status), ==, 0);
    test_qemu_track(qvirt_process_pid(*proc), FALSE);
    g_clear_pointer(proc, qvirt_process_free);
}

void
qvirt_test_qemu_kill(QvirtProcess **proc, gint64 timeout_ms)
{
    pid_t pid;

    if (!*proc)
        return;
    pid = qvirt_process_pid(*proc);
    if (kill(pid, SIGKILL) < 0 && errno != ESRCH)
        g_test_message("cannot kill QEMU %d: %s", (int)pid, g_strerror(errno));
    if (qvirt_process_wait_exit(*proc, timeout_ms, NULL) < 0)
        g_test_message("QEMU %d: %s", (int)pid, qvirt_error_last_message());
    test_qemu_track(pid, FALSE);
    g_clear_pointer(proc, qvirt_process_free);
}

/* test-process.c: spawning (explicit environment, passed and closed
 * descriptors, exec failures, sessions), start times and the stat parser,
 * waits with deadlines, graceful kills, processes that are not our children,
 * the no-pidfd fallbacks and run_sync. Every process started here is killed
 * and reaped by the test that started it. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/process.h"
#include "util/process_priv.h"

/* Generous: only a broken implementation comes near it. */
#define TEST_DEADLINE_MS 10000

/* No child of ours is a zombie (none left unreaped). */
static void
test_assert_no_zombie(void)
{
    g_assert_cmpint(waitpid(-1, NULL, WNOHANG), <=, 0);
}

/* Our child PID is reaped: waitpid has nothing left for it. */
static void
test_assert_reaped(pid_t pid)
{
    g_assert_cmpint(waitpid(pid, NULL, WNOHANG), ==, -1);
    g_assert_cmpint(errno, ==, ECHILD);
}

/* Read one line from FD (a pipe), waiting at most TEST_DEADLINE_MS. */
static char *
test_read_line(int fd)
{
    GString *line = g_string_new(NULL);
    char c;

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        g_assert_cmpint(poll(&pfd, 1, TEST_DEADLINE_MS), ==, 1);
        n = read(fd, &c, 1);
        g_assert_cmpint(n, ==, 1);
        if (c == '\n')
            break;
        g_string_append_c(line, c);
    }
    return g_string_free(line, FALSE);
}

static void
test_process_explicit_env(void)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("env");
    g_autoptr(QvirtCommand) sh = qvirt_command_new("/bin/sh");
    g_autofree char *out = NULL;
    g_autofree char *sh_out = NULL;
    g_autofree char *expected = NULL;
    const char *path = g_getenv("PATH");
    int status = -1;

    /* (No setenv here: other cases have started threads already.) */
    g_assert_nonnull(path);
    g_assert_null(g_getenv("QVIRT_TEST_SURELY_UNSET"));
    expected = g_strdup_printf("A=3\nB=two words\nPATH=%s\n", path);

    /* `env` prints exactly its environment: nothing else may be inherited,
     * though this process has plenty (PATH at least). */
    qvirt_command_add_env(cmd, "A=1");
    qvirt_command_add_env(cmd, "B=two words");
    qvirt_command_add_env(cmd, "A=3");
    qvirt_command_inherit_env(cmd, "PATH");
    qvirt_command_inherit_env(cmd, "QVIRT_TEST_SURELY_UNSET");
    g_assert_cmpint(qvirt_process_run_sync(cmd, TEST_DEADLINE_MS, &status, &out, NULL), ==, 0);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpstr(out, ==, expected);

    /* The same through a shell (which sets PATH itself when it has none). */
    qvirt_command_add_env(sh, "A=x y");
    qvirt_command_add_args(sh, "-c",
                           "printf '%s|%s|%s\\n' \"$A\" \"${HOME-unset}\" \"${LANG-unset}\"",
                           NULL);
    g_assert_cmpint(qvirt_process_run_sync(sh, TEST_DEADLINE_MS, NULL, &sh_out, NULL), ==, 0);
    g_assert_cmpstr(sh_out, ==, "x y|unset|unset\n");
}

/* A descriptor passed stays open at its number; one not passed, even without
 * close-on-exec, is closed in the child. */
static void
test_process_pass_fd_common(gboolean use_close_range)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("/bin/sh");
    g_autofree char *out = NULL;
    g_autofree char *env_p = NULL;
    g_autofree char *line = NULL;
    g_auto(GStrv) listed = NULL;
    int pass_pipe[2];
    int leak_pipe[2];
    int passed, leaked;
    guint extra = 0;
    gboolean saw_passed = FALSE;

    g_assert_cmpint(pipe2(pass_pipe, O_CLOEXEC), ==, 0);
    passed = fcntl(pass_pipe[1], F_DUPFD_CLOEXEC, 40);
    g_assert_cmpint(passed, >=, 40);
    close(pass_pipe[1]);
    g_assert_cmpint(pipe(leak_pipe), ==, 0);
    leaked = fcntl(leak_pipe[1], F_DUPFD, 50);
    g_assert_cmpint(leaked, >=, 50);
    close(leak_pipe[1]);

    env_p = g_strdup_printf("P=%d", passed);
    qvirt_command_add_env(cmd, env_p);
    qvirt_command_pass_fd(cmd, passed);
    qvirt_command_add_args(cmd, "-c",
                           "echo hello >/proc/self/fd/$P; "
                           "for f in /proc/self/fd/*; do echo \"${f##*/}\"; done",
                           NULL);
    qvirt_process_test_set_close_range_enabled(use_close_range);
    g_assert_cmpint(qvirt_process_run_sync(cmd, TEST_DEADLINE_MS, NULL, &out, NULL), ==, 0);
    qvirt_process_test_set_close_range_enabled(TRUE);

    /* Our copy of the passed descriptor is untouched. */
    g_assert_cmpint(fcntl(passed, F_GETFD), ==, FD_CLOEXEC);
    close(passed);
    line = test_read_line(pass_pipe[0]);
    g_assert_cmpstr(line, ==, "hello");
    close(pass_pipe[0]);
    close(leaked);
    close(leak_pipe[0]);

    /* 0, 1, 2, the passed one, and at most the folder the glob read. */
    listed = g_strsplit(g_strstrip(out), "\n", -1);
    for (guint i = 0; listed[i]; i++) {
        int fd = atoi(listed[i]);

        g_assert_cmpint(fd, !=, leaked);
        g_assert_cmpint(fd, !=, leak_pipe[0]);
        if (fd == passed)
            saw_passed = TRUE;
        else if (fd > 2)
            extra++;
    }
    g_assert_true(saw_passed);
    g_assert_cmpuint(extra, <=, 1);
    test_assert_no_zombie();
}

static void
test_process_pass_fd(void)
{
    test_process_pass_fd_common(TRUE);
}

static void
test_process_pass_fd_listed(void)
{
    test_process_pass_fd_common(FALSE);
}

/* Spawn CMD expecting failure with CODE and a message holding NEEDLE. */
static void
test_spawn_fails(QvirtCommand *cmd, int code, const char *needle)
{
    QvirtProcess *proc = NULL;

    qvirt_error_reset();
    g_assert_cmpint(qvirt_command_spawn(cmd, &proc), ==, -1);
    g_assert_null(proc);
    qvirt_test_assert_error(code, needle);
    test_assert_no_zombie();
}

static void
test_process_exec_failure(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *noexec = g_build_filename(dir, "not-executable", NULL);
    g_autofree char *noexec_msg = g_strdup_printf("cannot execute '%s'", noexec);
    QvirtCommand *cmd;
    int fds[2];

    cmd = qvirt_command_new("/nonexistent-qvirt-dir/no-such-binary");
    test_spawn_fails(cmd, QVIRT_ERR_SYSTEM_ERROR,
                     "cannot execute '/nonexistent-qvirt-dir/no-such-binary'");
    g_assert_nonnull(strstr(qvirt_error_last_message(), g_strerror(ENOENT)));
    qvirt_command_free(cmd);

    cmd = qvirt_command_new("qvirt-no-such-binary-in-path");
    test_spawn_fails(cmd, QVIRT_ERR_SYSTEM_ERROR, "'qvirt-no-such-binary-in-path'");
    qvirt_command_free(cmd);

    g_assert_true(g_file_set_contents(noexec, "#!/bin/sh\n", -1, NULL));
    g_assert_cmpint(chmod(noexec, 0644), ==, 0);
    cmd = qvirt_command_new(noexec);
    test_spawn_fails(cmd, QVIRT_ERR_SYSTEM_ERROR, noexec_msg);
    g_assert_nonnull(strstr(qvirt_error_last_message(), g_strerror(EACCES)));
    qvirt_command_free(cmd);

    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_set_working_dir(cmd, "/nonexistent-qvirt-dir");
    test_spawn_fails(cmd, QVIRT_ERR_SYSTEM_ERROR, "'/nonexistent-qvirt-dir'");
    qvirt_command_free(cmd);

    /* Bad builder calls surface at spawn, naming the bad value. */
    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_add_env(cmd, "NOEQUALS");
    test_spawn_fails(cmd, QVIRT_ERR_INVALID_ARG, "'NOEQUALS'");
    qvirt_command_free(cmd);

    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_inherit_env(cmd, "A=B");
    test_spawn_fails(cmd, QVIRT_ERR_INVALID_ARG, "'A=B'");
    qvirt_command_free(cmd);

    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_pass_fd(cmd, 1);
    test_spawn_fails(cmd, QVIRT_ERR_INVALID_ARG, "descriptor 1");
    qvirt_command_free(cmd);

    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_set_stdout_fd(cmd, -5);
    test_spawn_fails(cmd, QVIRT_ERR_INVALID_ARG, "-5");
    qvirt_command_free(cmd);

    cmd = qvirt_command_new("");
    test_spawn_fails(cmd, QVIRT_ERR_INVALID_ARG, "empty");
    qvirt_command_free(cmd);

    /* A descriptor closed after it was named is caught before the fork. */
    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_pass_fd(cmd, fds[1]);
    close(fds[0]);
    close(fds[1]);
    test_spawn_fails(cmd, QVIRT_ERR_SYSTEM_ERROR, "is not open");
    qvirt_command_free(cmd);

    qvirt_test_rmtree(dir);
}

static void
test_process_start_time(void)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("/bin/sh");
    g_autoptr(QvirtProcess) self = NULL;
    QvirtProcess *child = NULL;
    QvirtProcess *gone;
    unsigned long long start = 0, again = 0, child_start = 0;
    pid_t child_pid;
    g_autofree char *pid_str = NULL;

    g_assert_cmpint(qvirt_process_get_start_time(getpid(), &start), ==, 0);
    g_assert_cmpint(qvirt_process_get_start_time(getpid(), &again), ==, 0);
    g_assert_cmpuint(start, ==, again);
    g_assert_cmpuint(start, >, 0);
    g_assert_true(qvirt_process_is_same(getpid(), start));
    g_assert_false(qvirt_process_is_same(getpid(), start + 1));

    self = qvirt_process_open(getpid(), start);
    g_assert_nonnull(self);
    g_assert_cmpint(qvirt_process_pid(self), ==, getpid());
    g_assert_cmpuint(qvirt_process_start_time(self), ==, start);
    g_assert_false(qvirt_process_is_child(self));
    g_assert_true(qvirt_process_is_alive(self));

    pid_str = g_strdup_printf("process %d", (int)getpid());
    g_assert_null(qvirt_process_open(getpid(), start + 1));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "the pid was reused");
    g_assert_nonnull(strstr(qvirt_error_last_message(), pid_str));

    g_assert_null(qvirt_process_open(0, start));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid pid 0");
    g_assert_cmpint(qvirt_process_get_start_time(-1, &again), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid pid -1");

    /* A child's recorded start time is the one /proc reports; once it is
     * reaped its pid is no longer that process. */
    qvirt_command_add_args(cmd, "-c", "exit 0", NULL);
    g_assert_cmpint(qvirt_command_spawn(cmd, &child), ==, 0);
    child_pid = qvirt_process_pid(child);
    g_assert_true(qvirt_process_is_child(child));
    g_assert_cmpint(qvirt_process_get_start_time(child_pid, &child_start), ==, 0);
    g_assert_cmpuint(child_start, ==, qvirt_process_start_time(child));
    g_assert_cmpint(qvirt_process_wait_exit(child, TEST_DEADLINE_MS, NULL), ==, 0);
    qvirt_process_free(child);
    test_assert_reaped(child_pid);

    g_assert_false(qvirt_process_is_same(child_pid, child_start));
    gone = qvirt_process_open(child_pid, child_start);
    g_assert_null(gone);
    /* Gone, or (rarely) already reused by another process. */
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, NULL);
}

static QvirtProcess *
test_spawn_sleep(gboolean new_session)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("sleep");
    QvirtProcess *proc = NULL;

    qvirt_command_add_arg(cmd, "30");
    qvirt_command_set_new_session(cmd, new_session);
    g_assert_cmpint(qvirt_command_spawn(cmd, &proc), ==, 0);
    g_assert_nonnull(proc);
    return proc;
}

static void
test_process_wait_timeout_then_kill(void)
{
    g_autoptr(QvirtProcess) proc = test_spawn_sleep(FALSE);
    pid_t pid = qvirt_process_pid(proc);
    g_autofree char *needle = g_strdup_printf("process %d did not exit within 100 ms", (int)pid);
    int status = 0;

    g_assert_cmpint(qvirt_process_pidfd(proc), >=, 0);
    g_assert_true(qvirt_process_is_alive(proc));
    g_assert_cmpint(qvirt_process_wait_exit(proc, 100, &status), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, needle);
    g_assert_cmpint(status, ==, 0); /* untouched on failure */
    g_assert_cmpint(qvirt_process_wait_exit(proc, -1, &status), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, NULL);
    g_assert_true(qvirt_process_is_alive(proc));

    g_assert_cmpint(qvirt_process_kill_graceful(proc, TEST_DEADLINE_MS), ==, 0);
    g_assert_false(qvirt_process_is_alive(proc));
    test_assert_reaped(pid);
    g_assert_cmpint(qvirt_process_wait_exit(proc, 0, &status), ==, 0);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGTERM);
    /* Killing what is gone is done at once. */
    g_assert_cmpint(qvirt_process_kill_graceful(proc, 0), ==, 0);
}

static void
test_process_kill_ignores_term(void)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("/bin/sh");
    g_autoptr(QvirtProcess) proc = NULL;
    g_autofree char *line = NULL;
    int out[2];
    int status = 0;

    g_assert_cmpint(pipe2(out, O_CLOEXEC), ==, 0);
    qvirt_command_inherit_env(cmd, "PATH");
    qvirt_command_set_stdout_fd(cmd, out[1]);
    /* exec keeps the ignored SIGTERM and leaves no shell behind. */
    qvirt_command_add_args(cmd, "-c", "trap '' TERM; echo ready; exec sleep 30", NULL);
    g_assert_cmpint(qvirt_command_spawn(cmd, &proc), ==, 0);
    close(out[1]);
    line = test_read_line(out[0]);
    g_assert_cmpstr(line, ==, "ready");

    g_assert_cmpint(qvirt_process_kill_graceful(proc, 200), ==, 0);
    g_assert_cmpint(qvirt_process_wait_exit(proc, 0, &status), ==, 0);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);
    test_assert_reaped(qvirt_process_pid(proc));
    close(out[0]);
}

static void
test_process_new_session(void)
{
    g_autoptr(QvirtProcess) leader = test_spawn_sleep(TRUE);
    g_autoptr(QvirtProcess) member = test_spawn_sleep(FALSE);
    QvirtProcessStat st;

    /* spawn returns after exec, so setsid has happened. */
    g_assert_cmpint(qvirt_process_read_stat(qvirt_process_pid(leader), &st), ==, 0);
    g_assert_cmpint(st.session, ==, qvirt_process_pid(leader));
    g_assert_cmpint(st.pgrp, ==, qvirt_process_pid(leader));
    g_assert_cmpint(st.ppid, ==, getpid());

    g_assert_cmpint(qvirt_process_read_stat(qvirt_process_pid(member), &st), ==, 0);
    g_assert_cmpint(st.session, ==, getsid(0));
    g_assert_cmpint(st.session, !=, qvirt_process_pid(member));

    g_assert_cmpint(qvirt_process_kill_graceful(leader, TEST_DEADLINE_MS), ==, 0);
    g_assert_cmpint(qvirt_process_kill_graceful(member, TEST_DEADLINE_MS), ==, 0);
    test_assert_reaped(qvirt_process_pid(leader));
    test_assert_reaped(qvirt_process_pid(member));
}

/* Start `sleep 30` as a grandchild (its shell exits at once) and return its pid. */
static pid_t
test_spawn_grandchild(void)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("/bin/sh");
    g_autofree char *out = NULL;
    char *end = NULL;
    long pid;

    qvirt_command_inherit_env(cmd, "PATH");
    qvirt_command_add_args(cmd, "-c", "sleep 30 & echo $!", NULL);
    g_assert_cmpint(qvirt_process_run_sync(cmd, TEST_DEADLINE_MS, NULL, &out, NULL), ==, 0);
    pid = strtol(out, &end, 10);
    g_assert_cmpint(pid, >, 0);
    g_assert_cmpstr(end, ==, "\n");
    return (pid_t)pid;
}

static void
test_process_non_child(void)
{
    pid_t pid = test_spawn_grandchild();
    g_autoptr(QvirtProcess) proc = NULL;
    unsigned long long start;
    struct pollfd pfd;
    int status = 0;

    g_assert_cmpint(qvirt_process_get_start_time(pid, &start), ==, 0);
    proc = qvirt_process_open(pid, start);
    g_assert_nonnull(proc);
    g_assert_false(qvirt_process_is_child(proc));
    g_assert_cmpint(qvirt_process_pidfd(proc), >=, 0);
    g_assert_true(qvirt_process_is_alive(proc));

    g_assert_cmpint(qvirt_process_wait_exit(proc, 50, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, NULL);

    /* Not our child: no waitpid, yet the pidfd sees the exit, even while the
     * process lingers as a zombie of its reaper. */
    g_assert_cmpint(qvirt_process_kill_graceful(proc, TEST_DEADLINE_MS), ==, 0);
    g_assert_false(qvirt_process_is_alive(proc));
    pfd = (struct pollfd){ .fd = qvirt_process_pidfd(proc), .events = POLLIN };
    g_assert_cmpint(poll(&pfd, 1, 0), ==, 1);
    g_assert_cmpint(qvirt_process_wait_exit(proc, 0, &status), ==, 0);
    g_assert_cmpint(status, ==, -1);
    test_assert_no_zombie();
}

/* Wait for our child PID to exit without reaping it (it stays a zombie). */
static void
test_wait_zombie(pid_t pid)
{
    siginfo_t info;

    memset(&info, 0, sizeof(info));
    g_assert_cmpint(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), ==, 0);
    g_assert_cmpint(info.si_pid, ==, pid);
}

static void
test_process_zombie_common(gboolean use_pidfd)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("/bin/sh");
    g_autoptr(QvirtProcess) proc = NULL;
    QvirtProcessStat st;
    char state = 0;
    int status = 0;
    pid_t pid;

    qvirt_process_test_set_pidfd_enabled(use_pidfd);
    qvirt_command_add_args(cmd, "-c", "exit 7", NULL);
    g_assert_cmpint(qvirt_command_spawn(cmd, &proc), ==, 0);
    qvirt_process_test_set_pidfd_enabled(TRUE);
    g_assert_cmpint(qvirt_process_pidfd(proc) >= 0, ==, use_pidfd);
    pid = qvirt_process_pid(proc);
    test_wait_zombie(pid);

    /* The trap this module avoids: kill(pid, 0) calls a zombie alive. */
    g_assert_cmpint(kill(pid, 0), ==, 0);
    g_assert_cmpint(qvirt_process_read_stat(pid, &st), ==, 0);
    state = st.state;
    g_assert_cmpint(state, ==, 'Z');
    g_assert_true(qvirt_process_is_same(pid, qvirt_process_start_time(proc)));
    g_assert_false(qvirt_process_is_alive(proc));

    g_assert_cmpint(qvirt_process_wait_exit(proc, TEST_DEADLINE_MS, &status), ==, 0);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 7);
    test_assert_reaped(pid);
}

static void
test_process_zombie(void)
{
    test_process_zombie_common(TRUE);
}

static void
test_process_no_pidfd(void)
{
    g_autoptr(QvirtProcess) child = NULL;
    g_autoptr(QvirtProcess) other = NULL;
    unsigned long long start;
    int status = 0;
    pid_t pid;

    test_process_zombie_common(FALSE);

    qvirt_process_test_set_pidfd_enabled(FALSE);
    child = test_spawn_sleep(FALSE);
    pid = test_spawn_grandchild();
    g_assert_cmpint(qvirt_process_get_start_time(pid, &start), ==, 0);
    other = qvirt_process_open(pid, start);
    qvirt_process_test_set_pidfd_enabled(TRUE);
    g_assert_nonnull(other);
    g_assert_cmpint(qvirt_process_pidfd(child), ==, -1);
    g_assert_cmpint(qvirt_process_pidfd(other), ==, -1);

    g_assert_true(qvirt_process_is_alive(child));
    g_assert_cmpint(qvirt_process_wait_exit(child, 50, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, NULL);
    g_assert_cmpint(qvirt_process_kill_graceful(child, TEST_DEADLINE_MS), ==, 0);
    g_assert_cmpint(qvirt_process_wait_exit(child, 0, &status), ==, 0);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGTERM);
    test_assert_reaped(qvirt_process_pid(child));

    /* Not our child and no pidfd: /proc tells exit (gone, or a zombie). */
    g_assert_true(qvirt_process_is_alive(other));
    g_assert_cmpint(qvirt_process_wait_exit(other, 50, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, NULL);
    g_assert_cmpint(qvirt_process_kill_graceful(other, TEST_DEADLINE_MS), ==, 0);
    g_assert_false(qvirt_process_is_alive(other));
    g_assert_cmpint(qvirt_process_wait_exit(other, 0, &status), ==, 0);
    g_assert_cmpint(status, ==, -1);
}

static void
test_process_parse_stat_line(void)
{
    static const char *const junk[] = {
        "",
        "garbage",
        "12 (x",
        "12 x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        "(x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        "12 (x) S",
        "12 (x) S 1 2 3",
        "12 (x) 5 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        "12 (x) SS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        "12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
        "12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 -19",
        "12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19x",
        "12 (x) S 1  2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        "12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99999999999999999999999",
        "12 (x) S -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        "12 (x) S 1 2 3 4 x 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
    };
    QvirtProcessStat st;
    unsigned long long start = 42;
    char state = '?';

    /* The command name holds ") (", and even a fake state and fields:
     * only the last ')' ends it. */
    g_assert_cmpint(qvirt_process_parse_stat_line(
                        "1234 (a) (b) Z 9 9 9) R 1 1234 1200 0 -1 4194560 100 0 0 0 5 3 0 0 20 "
                        "-5 4 0 98765 1000 200\n",
                        &start, &state),
                    ==, 0);
    g_assert_cmpuint(start, ==, 98765);
    g_assert_cmpint(state, ==, 'R');
    g_assert_cmpint(qvirt_process_parse_stat("7 ()) (( ) S 3 4 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
                                             "18446744073709551615", &st),
                    ==, 0);
    g_assert_cmpint(st.state, ==, 'S');
    g_assert_cmpint(st.ppid, ==, 3);
    g_assert_cmpint(st.pgrp, ==, 4);
    g_assert_cmpint(st.session, ==, 5);
    g_assert_cmpuint(st.start_time, ==, G_MAXUINT64);

    for (guint i = 0; i < G_N_ELEMENTS(junk); i++) {
        start = 42;
        state = '?';
        qvirt_error_reset();
        if (qvirt_process_parse_stat_line(junk[i], &start, &state) != -1)
            g_error("junk line accepted: '%s'", junk[i]);
        qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "malformed /proc stat line");
        g_assert_cmpuint(start, ==, 42);
        g_assert_cmpint(state, ==, '?');
    }
    g_assert_cmpint(qvirt_process_parse_stat_line(NULL, &start, &state), ==, -1);
}

/* A real process whose name holds ") (" and a fake state is parsed right. */
static void
test_process_stat_odd_name(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *link = g_build_filename(dir, "x) (y) Z 9", NULL);
    g_autofree char *comm_path = NULL;
    g_autofree char *comm = NULL;
    g_autoptr(QvirtCommand) cmd = NULL;
    g_autoptr(QvirtProcess) proc = NULL;
    unsigned long long start = 0;
    QvirtProcessStat st;
    int in[2];

    g_assert_cmpint(symlink("/bin/sh", link), ==, 0);
    g_assert_cmpint(pipe2(in, O_CLOEXEC), ==, 0);
    cmd = qvirt_command_new(link);
    qvirt_command_set_stdin_fd(cmd, in[0]);
    /* A builtin that blocks until we close the pipe: no grandchild. */
    qvirt_command_add_args(cmd, "-c", "read x", NULL);
    g_assert_cmpint(qvirt_command_spawn(cmd, &proc), ==, 0);
    close(in[0]);

    comm_path = g_strdup_printf("/proc/%d/comm", (int)qvirt_process_pid(proc));
    g_assert_true(g_file_get_contents(comm_path, &comm, NULL, NULL));
    g_assert_cmpstr(comm, ==, "x) (y) Z 9\n");
    g_assert_cmpint(qvirt_process_get_start_time(qvirt_process_pid(proc), &start), ==, 0);
    g_assert_cmpuint(start, ==, qvirt_process_start_time(proc));
    g_assert_cmpint(qvirt_process_read_stat(qvirt_process_pid(proc), &st), ==, 0);
    g_assert_cmpint(st.state, !=, 'Z');
    g_assert_cmpint(st.ppid, ==, getpid());

    close(in[1]);
    g_assert_cmpint(qvirt_process_wait_exit(proc, TEST_DEADLINE_MS, NULL), ==, 0);
    qvirt_test_rmtree(dir);
}

static void
test_process_run_sync(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *real_dir = realpath(dir, NULL);
    g_autofree char *expected_pwd = g_strdup_printf("%s\n", real_dir);
    QvirtCommand *cmd;
    char *out = NULL;
    char *err = NULL;
    int status = 0;
    int in[2];

    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_add_args(cmd, "-c", "echo out; echo err >&2; exit 3", NULL);
    g_assert_cmpint(qvirt_process_run_sync(cmd, TEST_DEADLINE_MS, &status, &out, &err), ==, 0);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 3);
    g_assert_cmpstr(out, ==, "out\n");
    g_assert_cmpstr(err, ==, "err\n");
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);

    /* Without RET_STATUS a failure is an error quoting stderr. */
    out = (char *)"untouched";
    g_assert_cmpint(qvirt_process_run_sync(cmd, TEST_DEADLINE_MS, NULL, &out, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED,
                            "'/bin/sh' failed: exited with status 3: err");
    g_assert_cmpstr(out, ==, "untouched");
    out = NULL;
    qvirt_command_free(cmd);

    /* More than a pipe holds, on both streams at once. */
    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_inherit_env(cmd, "PATH");
    qvirt_command_add_args(cmd, "-c",
                           "head -c 300000 /dev/zero | tr '\\0' a; "
                           "head -c 200000 /dev/zero | tr '\\0' b >&2",
                           NULL);
    g_assert_cmpint(qvirt_process_run_sync(cmd, TEST_DEADLINE_MS, NULL, &out, &err), ==, 0);
    g_assert_cmpuint(strlen(out), ==, 300000);
    g_assert_cmpuint(strlen(err), ==, 200000);
    g_assert_cmpint(out[299999], ==, 'a');
    g_assert_cmpint(err[0], ==, 'b');
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    qvirt_command_free(cmd);

    /* stdin from a descriptor, and a working folder. */
    g_assert_cmpint(pipe2(in, O_CLOEXEC), ==, 0);
    g_assert_cmpint(write(in[1], "abc", 3), ==, 3);
    close(in[1]);
    cmd = qvirt_command_new("/bin/sh");
    qvirt_command_set_stdin_fd(cmd, in[0]);
    qvirt_command_set_working_dir(cmd, dir);
    qvirt_command_add_args(cmd, "-c", "read x; pwd; echo \"$x\"", NULL);
    g_assert_cmpint(qvirt_process_run_sync(cmd, TEST_DEADLINE_MS, NULL, &out, NULL), ==, 0);
    close(in[0]);
    g_assert_true(g_str_has_prefix(out, expected_pwd));
    g_assert_cmpstr(out + strlen(expected_pwd), ==, "abc\n");
    g_clear_pointer(&out, g_free);
    qvirt_command_free(cmd);

    test_assert_no_zombie();
    qvirt_test_rmtree(dir);
}

static void
test_process_run_sync_timeout(void)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("sleep");
    g_autofree char *out = NULL;
    int status = 12345;

    qvirt_command_add_arg(cmd, "30");
    g_assert_cmpint(qvirt_process_run_sync(cmd, 200, &status, &out, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, "did not finish within 200 ms");
    g_assert_nonnull(strstr(qvirt_error_last_message(), "'sleep'"));
    g_assert_cmpint(status, ==, 12345);
    g_assert_null(out);
    test_assert_no_zombie();

    g_assert_cmpint(qvirt_process_run_sync(cmd, -1, &status, NULL, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, NULL);
}

static void
test_process_to_string(void)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("/bin/sh");
    g_autofree char *str = NULL;
    g_autofree char *bare = NULL;
    g_autoptr(QvirtCommand) plain = qvirt_command_new("qemu-img");

    qvirt_command_add_env(cmd, "LC_ALL=C");
    qvirt_command_add_env(cmd, "B=two words");
    qvirt_command_add_env(cmd, "E=");
    qvirt_command_add_args(cmd, "-c", "echo 'hi'", "", "$HOME", "a,b=c:d/e.f_g-h@1%+", NULL);
    str = qvirt_command_to_string(cmd);
    g_assert_cmpstr(str, ==,
                    "LC_ALL=C B='two words' E= /bin/sh -c 'echo '\\''hi'\\''' '' '$HOME' "
                    "a,b=c:d/e.f_g-h@1%+");

    qvirt_command_add_args(plain, "info", "--output=json", NULL);
    bare = qvirt_command_to_string(plain);
    g_assert_cmpstr(bare, ==, "qemu-img info --output=json");
}

static void
test_process_status_to_string(void)
{
    g_autofree char *unknown = qvirt_process_status_to_string(-1);
    g_autofree char *exited = qvirt_process_status_to_string(3 << 8);
    g_autofree char *killed = qvirt_process_status_to_string(SIGKILL);

    g_assert_cmpstr(unknown, ==, "exit status not known");
    g_assert_cmpstr(exited, ==, "exited with status 3");
    g_assert_true(g_str_has_prefix(killed, "killed by signal 9 ("));
}

void
test_process_register(void)
{
    g_test_add_func("/util/process/explicit-env", test_process_explicit_env);
    g_test_add_func("/util/process/pass-fd", test_process_pass_fd);
    g_test_add_func("/util/process/pass-fd-listed", test_process_pass_fd_listed);
    g_test_add_func("/util/process/exec-failure", test_process_exec_failure);
    g_test_add_func("/util/process/start-time", test_process_start_time);
    g_test_add_func("/util/process/wait-timeout-then-kill", test_process_wait_timeout_then_kill);
    g_test_add_func("/util/process/kill-ignores-term", test_process_kill_ignores_term);
    g_test_add_func("/util/process/new-session", test_process_new_session);
    g_test_add_func("/util/process/non-child", test_process_non_child);
    g_test_add_func("/util/process/zombie", test_process_zombie);
    g_test_add_func("/util/process/no-pidfd", test_process_no_pidfd);
    g_test_add_func("/util/process/parse-stat-line", test_process_parse_stat_line);
    g_test_add_func("/util/process/stat-odd-name", test_process_stat_odd_name);
    g_test_add_func("/util/process/run-sync", test_process_run_sync);
    g_test_add_func("/util/process/run-sync-timeout", test_process_run_sync_timeout);
    g_test_add_func("/util/process/to-string", test_process_to_string);
    g_test_add_func("/util/process/status-to-string", test_process_status_to_string);
}

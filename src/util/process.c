/* process.c: spawning children and watching processes by pidfd (see
 * process.h for the contract).
 *
 * Spawning is fork + execve. Everything the child needs (argv, envp, the
 * resolved path, the sorted list of descriptors to keep) is built before the
 * fork, so that between fork and exec the child makes only async-signal-safe
 * calls: it may be forked from a threaded daemon, where another thread can
 * hold the malloc lock at the moment of the fork. A failure in the child is
 * written as {step, errno} to a close-on-exec pipe: the parent reads nothing
 * when exec succeeded. Needs /proc. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/log.h"
#include "util/process.h"
#include "util/process_priv.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("util.process");

/* How long kill_graceful waits after SIGKILL: a process in uninterruptible
 * sleep (e.g. on a hung NFS server) dies only when the kernel lets it. */
#define PROCESS_KILL_WAIT_MS 10000
/* Grace run_sync gives a command that missed its deadline before SIGKILL. */
#define PROCESS_RUN_SYNC_KILL_GRACE_MS 1000
/* Most output run_sync keeps per stream. */
#define PROCESS_RUN_SYNC_MAX_OUTPUT (16 * 1024 * 1024)
/* Back-off bounds of the /proc polling used without a pidfd. */
#define PROCESS_POLL_FIRST_US 1000
#define PROCESS_POLL_MAX_US 100000

struct QvirtCommand {
    char *binary;
    GPtrArray *args;   /* char *; args[0] is the binary */
    GPtrArray *env;    /* char *, "KEY=VALUE" */
    GArray *pass_fds;  /* int */
    int std_fds[3];    /* -1: /dev/null */
    gboolean new_session;
    char *working_dir;
    char *error;       /* first bad builder call, reported by spawn */
};

struct QvirtProcess {
    pid_t pid;
    int pidfd;                     /* -1 without kernel support */
    unsigned long long start_time; /* field 22 of /proc/PID/stat */
    gboolean is_child;
    gboolean exited;               /* exit seen (and reaped if is_child) */
    int status;                    /* wait status once exited, -1 if not known */
};

static gint process_pidfd_enabled = 1;
static gint process_close_range_enabled = 1;

void
qvirt_process_test_set_pidfd_enabled(gboolean enabled)
{
    g_atomic_int_set(&process_pidfd_enabled, enabled ? 1 : 0);
}

void
qvirt_process_test_set_close_range_enabled(gboolean enabled)
{
    g_atomic_int_set(&process_close_range_enabled, enabled ? 1 : 0);
}

/* ---- /proc/PID/stat ---------------------------------------------------- */

/* Parse a decimal field at *P (no sign, no leading blanks) and move *P past it. */
static gboolean
process_parse_unsigned(const char **p, unsigned long long *ret)
{
    char *end;
    unsigned long long value;

    if (!g_ascii_isdigit(**p))
        return FALSE;
    errno = 0;
    value = g_ascii_strtoull(*p, &end, 10);
    if (errno != 0)
        return FALSE;
    *p = end;
    *ret = value;
    return TRUE;
}

static gboolean
process_parse_signed(const char **p, long long *ret)
{
    char *end;
    long long value;
    const char *digits = **p == '-' ? *p + 1 : *p;

    if (!g_ascii_isdigit(*digits))
        return FALSE;
    errno = 0;
    value = g_ascii_strtoll(*p, &end, 10);
    if (errno != 0)
        return FALSE;
    *p = end;
    *ret = value;
    return TRUE;
}

/* The parser proper; reports nothing. */
static gboolean
process_parse_stat_quiet(const char *line, QvirtProcessStat *ret_stat)
{
    QvirtProcessStat st = { 0 };
    const char *p = line;
    const char *close_paren;
    unsigned long long pid;

    /* Field 1 (pid), then " (" and the command name, which may hold anything
     * including ") (": only the LAST ')' of the line ends it. */
    if (!line || !process_parse_unsigned(&p, &pid) || p[0] != ' ' || p[1] != '(')
        return FALSE;
    close_paren = strrchr(p, ')');
    if (!close_paren)
        return FALSE;
    p = close_paren + 1;

    /* Field 3: one letter. */
    if (p[0] != ' ' || !g_ascii_isalpha(p[1]) || p[2] != ' ')
        return FALSE;
    st.state = p[1];
    p += 3;

    /* Fields 4 to 21 are signed numbers; field 22 is the start time. */
    for (int field = 4; field <= 21; field++) {
        long long value;

        if (field > 4 && *p++ != ' ')
            return FALSE;
        if (!process_parse_signed(&p, &value))
            return FALSE;
        if (field >= 4 && field <= 6) {
            if (value < 0 || value > G_MAXINT32)
                return FALSE;
            if (field == 4)
                st.ppid = (pid_t)value;
            else if (field == 5)
                st.pgrp = (pid_t)value;
            else
                st.session = (pid_t)value;
        }
    }
    if (*p++ != ' ' || !process_parse_unsigned(&p, &st.start_time))
        return FALSE;
    if (*p != '\0' && *p != ' ' && *p != '\n')
        return FALSE;
    *ret_stat = st;
    return TRUE;
}

int
qvirt_process_parse_stat(const char *line, QvirtProcessStat *ret_stat)
{
    if (!process_parse_stat_quiet(line, ret_stat)) {
        qvirt_report_internal(_("malformed /proc stat line '%s'"), line ? line : "");
        return -1;
    }
    return 0;
}

int
qvirt_process_parse_stat_line(const char *line, unsigned long long *ret_start, char *ret_state)
{
    QvirtProcessStat st;

    if (qvirt_process_parse_stat(line, &st) < 0)
        return -1;
    if (ret_start)
        *ret_start = st.start_time;
    if (ret_state)
        *ret_state = st.state;
    return 0;
}

/* Read /proc/PID/stat; reports nothing. Returns 0, -ENOENT or -ESRCH when the
 * pid is gone, -EBADMSG for a malformed line, or another -errno. */
static int
process_read_stat_quiet(pid_t pid, QvirtProcessStat *ret_stat)
{
    char path[64];
    char buf[4096];
    size_t len = 0;
    int fd;

    g_snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    /* The fields we need come within the first few hundred bytes: a line
     * longer than the buffer is cut, and the cut never reaches field 22. */
    while (len < sizeof(buf) - 1) {
        ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;

            close(fd);
            return -err;
        }
        if (n == 0)
            break;
        len += n;
    }
    close(fd);
    buf[len] = '\0';
    if (!process_parse_stat_quiet(buf, ret_stat))
        return -EBADMSG;
    return 0;
}

int
qvirt_process_read_stat(pid_t pid, QvirtProcessStat *ret_stat)
{
    int rc;

    if (pid <= 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid pid %d"), (int)pid);
        return -1;
    }
    rc = process_read_stat_quiet(pid, ret_stat);
    if (rc == -ENOENT || rc == -ESRCH) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("no process with pid %d"), (int)pid);
        return -1;
    }
    if (rc == -EBADMSG) {
        qvirt_report_internal(_("cannot parse /proc/%d/stat"), (int)pid);
        return -1;
    }
    if (rc < 0) {
        qvirt_report_system_error(-rc, _("cannot read /proc/%d/stat"), (int)pid);
        return -1;
    }
    return 0;
}

int
qvirt_process_get_start_time(pid_t pid, unsigned long long *ret_start)
{
    QvirtProcessStat st;

    if (qvirt_process_read_stat(pid, &st) < 0)
        return -1;
    *ret_start = st.start_time;
    return 0;
}

gboolean
qvirt_process_is_same(pid_t pid, unsigned long long start)
{
    QvirtProcessStat st;

    if (pid <= 0 || process_read_stat_quiet(pid, &st) < 0)
        return FALSE;
    return st.start_time == start;
}

/* Whether PID is still the process that started at START and has not exited.
 * Reports nothing; an unreadable entry counts as gone. */
static gboolean
process_stat_alive(pid_t pid, unsigned long long start)
{
    QvirtProcessStat st;

    if (process_read_stat_quiet(pid, &st) < 0)
        return FALSE;
    return st.start_time == start && st.state != 'Z' && st.state != 'X';
}

/* ---- pidfds ---------------------------------------------------------- */

/* A pidfd for PID, or -1 with errno; ENOSYS means "no pidfds here". */
static int
process_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
    long fd;

    if (!g_atomic_int_get(&process_pidfd_enabled)) {
        errno = ENOSYS;
        return -1;
    }
    fd = syscall(SYS_pidfd_open, pid, 0);
    /* Container seccomp profiles that predate pidfds answer EPERM. */
    if (fd < 0 && errno == EPERM)
        errno = ENOSYS;
    return (int)fd;
#else
    errno = ENOSYS;
    return -1;
#endif
}

/* poll() PIDFD for TIMEOUT_MS: 1 exited, 0 not yet, -1 with errno. */
static int
process_pidfd_poll(int pidfd, int timeout_ms)
{
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
    int rc = poll(&pfd, 1, timeout_ms);

    if (rc < 0)
        return -1;
    return rc > 0 ? 1 : 0;
}

/* ---- commands ---------------------------------------------------------- */

static void G_GNUC_PRINTF(2, 3)
process_command_invalid(QvirtCommand *cmd, const char *fmt, ...)
{
    va_list ap;

    if (cmd->error)
        return;
    va_start(ap, fmt);
    cmd->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

QvirtCommand *
qvirt_command_new(const char *binary)
{
    QvirtCommand *cmd;

    g_return_val_if_fail(binary != NULL, NULL);
    cmd = g_new0(QvirtCommand, 1);
    cmd->binary = g_strdup(binary);
    cmd->args = g_ptr_array_new_with_free_func(g_free);
    cmd->env = g_ptr_array_new_with_free_func(g_free);
    cmd->pass_fds = g_array_new(FALSE, FALSE, sizeof(int));
    for (int i = 0; i < 3; i++)
        cmd->std_fds[i] = -1;
    g_ptr_array_add(cmd->args, g_strdup(binary));
    if (!*binary)
        process_command_invalid(cmd, _("the binary name is empty"));
    return cmd;
}

void
qvirt_command_free(QvirtCommand *cmd)
{
    if (!cmd)
        return;
    g_free(cmd->binary);
    g_ptr_array_unref(cmd->args);
    g_ptr_array_unref(cmd->env);
    g_array_unref(cmd->pass_fds);
    g_free(cmd->working_dir);
    g_free(cmd->error);
    g_free(cmd);
}

void
qvirt_command_add_arg(QvirtCommand *cmd, const char *arg)
{
    g_return_if_fail(cmd != NULL && arg != NULL);
    g_ptr_array_add(cmd->args, g_strdup(arg));
}

void
qvirt_command_add_args(QvirtCommand *cmd, ...)
{
    va_list ap;
    const char *arg;

    g_return_if_fail(cmd != NULL);
    va_start(ap, cmd);
    while ((arg = va_arg(ap, const char *)))
        g_ptr_array_add(cmd->args, g_strdup(arg));
    va_end(ap);
}

void
qvirt_command_add_env(QvirtCommand *cmd, const char *key_value)
{
    const char *eq;
    size_t key_len;

    g_return_if_fail(cmd != NULL && key_value != NULL);
    eq = strchr(key_value, '=');
    if (!eq || eq == key_value) {
        process_command_invalid(cmd, _("environment entry '%s' is not KEY=VALUE"), key_value);
        return;
    }
    key_len = eq - key_value + 1; /* with the '=' */
    for (guint i = 0; i < cmd->env->len; i++) {
        char *old = g_ptr_array_index(cmd->env, i);

        if (strncmp(old, key_value, key_len) == 0) {
            g_free(old);
            cmd->env->pdata[i] = g_strdup(key_value);
            return;
        }
    }
    g_ptr_array_add(cmd->env, g_strdup(key_value));
}

void
qvirt_command_inherit_env(QvirtCommand *cmd, const char *name)
{
    const char *value;
    g_autofree char *entry = NULL;

    g_return_if_fail(cmd != NULL && name != NULL);
    if (!*name || strchr(name, '=')) {
        process_command_invalid(cmd, _("invalid environment variable name '%s'"), name);
        return;
    }
    value = g_getenv(name);
    if (!value)
        return;
    entry = g_strdup_printf("%s=%s", name, value);
    qvirt_command_add_env(cmd, entry);
}

void
qvirt_command_pass_fd(QvirtCommand *cmd, int fd)
{
    g_return_if_fail(cmd != NULL);
    if (fd <= STDERR_FILENO) {
        process_command_invalid(cmd, _("descriptor %d cannot be passed: use the stdio setters "
                                       "for 0, 1 and 2"), fd);
        return;
    }
    for (guint i = 0; i < cmd->pass_fds->len; i++) {
        if (g_array_index(cmd->pass_fds, int, i) == fd)
            return;
    }
    g_array_append_val(cmd->pass_fds, fd);
}

static void
process_command_set_std_fd(QvirtCommand *cmd, int which, int fd)
{
    g_return_if_fail(cmd != NULL);
    if (fd < -1) {
        process_command_invalid(cmd, _("invalid descriptor %d for the child's stdio"), fd);
        return;
    }
    cmd->std_fds[which] = fd;
}

void
qvirt_command_set_stdin_fd(QvirtCommand *cmd, int fd)
{
    process_command_set_std_fd(cmd, STDIN_FILENO, fd);
}

void
qvirt_command_set_stdout_fd(QvirtCommand *cmd, int fd)
{
    process_command_set_std_fd(cmd, STDOUT_FILENO, fd);
}

void
qvirt_command_set_stderr_fd(QvirtCommand *cmd, int fd)
{
    process_command_set_std_fd(cmd, STDERR_FILENO, fd);
}

void
qvirt_command_set_new_session(QvirtCommand *cmd, gboolean new_session)
{
    g_return_if_fail(cmd != NULL);
    cmd->new_session = new_session;
}

void
qvirt_command_set_working_dir(QvirtCommand *cmd, const char *dir)
{
    g_return_if_fail(cmd != NULL);
    g_free(cmd->working_dir);
    cmd->working_dir = g_strdup(dir);
}

/* Append ARG so that a POSIX shell reads it back as one word. */
static void
process_append_quoted(GString *str, const char *arg)
{
    gboolean plain = *arg != '\0';

    for (const char *p = arg; *p && plain; p++)
        plain = g_ascii_isalnum(*p) || strchr("@%+=:,./_-", *p);
    if (plain) {
        g_string_append(str, arg);
        return;
    }
    g_string_append_c(str, '\'');
    for (const char *p = arg; *p; p++) {
        if (*p == '\'')
            g_string_append(str, "'\\''");
        else
            g_string_append_c(str, *p);
    }
    g_string_append_c(str, '\'');
}

char *
qvirt_command_to_string(const QvirtCommand *cmd)
{
    GString *str;

    g_return_val_if_fail(cmd != NULL, NULL);
    str = g_string_new(NULL);
    for (guint i = 0; i < cmd->env->len; i++) {
        const char *entry = g_ptr_array_index(cmd->env, i);
        const char *eq = strchr(entry, '=');

        g_string_append_len(str, entry, eq - entry + 1);
        if (eq[1])
            process_append_quoted(str, eq + 1);
        g_string_append_c(str, ' ');
    }
    for (guint i = 0; i < cmd->args->len; i++) {
        if (i > 0)
            g_string_append_c(str, ' ');
        process_append_quoted(str, g_ptr_array_index(cmd->args, i));
    }
    return g_string_free(str, FALSE);
}

/* ---- the child, between fork and exec ------------------------------------
 * Only async-signal-safe calls below this line until the end of
 * process_child_exec: no malloc, no stdio, no GLib, no locks. */

typedef enum {
    PROCESS_STEP_SETSID,
    PROCESS_STEP_STDIO,
    PROCESS_STEP_PASS_FDS,
    PROCESS_STEP_CLOSE_FDS,
    PROCESS_STEP_CHDIR,
    PROCESS_STEP_EXEC,
    PROCESS_STEP_LAST,
} ProcessChildStep;

static const char *const process_child_step_names[] = {
    "setsid", "stdio", "passing descriptors", "closing descriptors", "chdir", "exec",
};
G_STATIC_ASSERT(G_N_ELEMENTS(process_child_step_names) == PROCESS_STEP_LAST);

typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    int std_fds[3];
    const int *keep_fds; /* sorted, unique, all >= 3: the passed ones and err_fd */
    guint n_keep;
    const int *pass_fds;
    guint n_pass;
    int err_fd;          /* close-on-exec pipe to the parent, >= 3 */
    gboolean new_session;
    const char *working_dir;
    gboolean use_close_range;
} ProcessChildPlan;

typedef struct {
    int step; /* ProcessChildStep */
    int err;  /* errno */
} ProcessChildFailure;

static void G_GNUC_NORETURN
process_child_fail(const ProcessChildPlan *plan, int step, int err)
{
    ProcessChildFailure failure = { step, err };

    /* Smaller than PIPE_BUF, so written whole or not at all. */
    while (write(plan->err_fd, &failure, sizeof(failure)) < 0 && errno == EINTR)
        continue;
    _exit(127);
}

static gboolean
process_child_keeps(const ProcessChildPlan *plan, int fd)
{
    for (guint i = 0; i < plan->n_keep; i++) {
        if (plan->keep_fds[i] == fd)
            return TRUE;
    }
    return FALSE;
}

/* Close every descriptor >= 3 not in the keep list by reading
 * /proc/self/fd with getdents64 (opendir would allocate). */
static int
process_child_close_fds_listed(const ProcessChildPlan *plan)
{
    union {
        char bytes[4096];
        uint64_t align;
    } buf;
    int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd < 0)
        return -1;
    for (;;) {
        long n = syscall(SYS_getdents64, dfd, buf.bytes, sizeof(buf.bytes));
        long off = 0;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;

            close(dfd);
            errno = err;
            return -1;
        }
        if (n == 0)
            break;
        /* struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name. */
        while (off < n) {
            unsigned short reclen;
            const char *name = buf.bytes + off + 19;
            int fd = 0;
            gboolean number = *name != '\0';

            memcpy(&reclen, buf.bytes + off + 16, sizeof(reclen));
            for (const char *p = name; *p; p++) {
                if (*p < '0' || *p > '9' || fd > (G_MAXINT - 9) / 10) {
                    number = FALSE;
                    break;
                }
                fd = fd * 10 + (*p - '0');
            }
            if (number && fd > STDERR_FILENO && fd != dfd && !process_child_keeps(plan, fd))
                close(fd);
            off += reclen;
        }
    }
    close(dfd);
    return 0;
}

/* Close every descriptor >= 3 not in the keep list. */
static int
process_child_close_fds(const ProcessChildPlan *plan)
{
#ifdef SYS_close_range
    unsigned int from = STDERR_FILENO + 1;

    if (!plan->use_close_range)
        return process_child_close_fds_listed(plan);
    for (guint i = 0; i <= plan->n_keep; i++) {
        unsigned int to = i < plan->n_keep ? (unsigned int)plan->keep_fds[i] - 1 : ~0U;

        if (from <= to && syscall(SYS_close_range, from, to, 0) < 0) {
            if (errno == ENOSYS || errno == EPERM)
                return process_child_close_fds_listed(plan);
            return -1;
        }
        if (i < plan->n_keep)
            from = (unsigned int)plan->keep_fds[i] + 1;
    }
    return 0;
#else
    return process_child_close_fds_listed(plan);
#endif
}

static void G_GNUC_NORETURN
process_child_exec(const ProcessChildPlan *plan)
{
    struct sigaction dfl;
    sigset_t none;
    int tmp[3];

    /* Every signal back to its default: the daemon may ignore SIGPIPE or
     * handle SIGTERM, which its children must not inherit. This fails, as
     * it may, for SIGKILL, SIGSTOP and the C library's internal signals. */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);

    if (plan->new_session && setsid() < 0)
        process_child_fail(plan, PROCESS_STEP_SETSID, errno);

    /* Copy the stdio sources above 2 first, so that no dup2 below overwrites
     * a source still needed, and so that dup2 never sees equal numbers
     * (which would leave close-on-exec set). The copies are closed below. */
    for (int i = 0; i < 3; i++) {
        tmp[i] = fcntl(plan->std_fds[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        if (tmp[i] < 0)
            process_child_fail(plan, PROCESS_STEP_STDIO, errno);
    }
    for (int i = 0; i < 3; i++) {
        while (dup2(tmp[i], i) < 0) {
            if (errno != EINTR && errno != EBUSY)
                process_child_fail(plan, PROCESS_STEP_STDIO, errno);
        }
    }
    for (guint i = 0; i < plan->n_pass; i++) {
        if (fcntl(plan->pass_fds[i], F_SETFD, 0) < 0)
            process_child_fail(plan, PROCESS_STEP_PASS_FDS, errno);
    }
    if (process_child_close_fds(plan) < 0)
        process_child_fail(plan, PROCESS_STEP_CLOSE_FDS, errno);
    if (plan->working_dir && chdir(plan->working_dir) < 0)
        process_child_fail(plan, PROCESS_STEP_CHDIR, errno);

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(plan->path, plan->argv, plan->envp);
    process_child_fail(plan, PROCESS_STEP_EXEC, errno);
}

/* ---- spawning ------------------------------------------------------------ */

static int
process_compare_int(gconstpointer a, gconstpointer b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;

    return (x > y) - (x < y);
}

static void
process_close(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static QvirtProcess *
process_new(pid_t pid, int pidfd, unsigned long long start_time, gboolean is_child)
{
    QvirtProcess *proc = g_new0(QvirtProcess, 1);

    proc->pid = pid;
    proc->pidfd = pidfd;
    proc->start_time = start_time;
    proc->is_child = is_child;
    proc->status = -1;
    return proc;
}

/* Kill and reap our child PID after a failure in the parent's setup. */
static void
process_abandon_child(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        continue;
}

static void
process_report_child_failure(const QvirtCommand *cmd, const char *path,
                             const ProcessChildFailure *failure)
{
    switch (failure->step) {
    case PROCESS_STEP_EXEC:
        qvirt_report_system_error(failure->err, _("cannot execute '%s'"), path);
        break;
    case PROCESS_STEP_CHDIR:
        qvirt_report_system_error(failure->err, _("cannot enter working folder '%s' to run '%s'"),
                                  cmd->working_dir, cmd->binary);
        break;
    default:
        if (failure->step < 0 || failure->step >= PROCESS_STEP_LAST) {
            qvirt_report_internal(_("the child for '%s' failed at unknown step %d"), cmd->binary,
                                  failure->step);
            break;
        }
        qvirt_report_system_error(failure->err, _("cannot set up the child for '%s' (%s)"),
                                  cmd->binary, process_child_step_names[failure->step]);
        break;
    }
}

/* Spawn CMD; a STD_OVERRIDE entry >= 0 replaces the command's stdio fd. */
static int
process_spawn(QvirtCommand *cmd, const int std_override[3], QvirtProcess **ret_proc)
{
    ProcessChildPlan plan = { 0 };
    ProcessChildFailure failure;
    g_autofree char *found = NULL;
    g_autoptr(GPtrArray) argv = NULL;
    g_autoptr(GPtrArray) envp = NULL;
    g_autoptr(GArray) keep = NULL;
    int err_pipe[2] = { -1, -1 };
    int devnull = -1;
    sigset_t all, old;
    size_t got = 0;
    pid_t pid;
    int fork_errno;
    int pidfd;
    QvirtProcessStat st;
    int rc;

    if (cmd->error) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid command '%s': %s"), cmd->binary,
                           cmd->error);
        return -1;
    }
    for (guint i = 0; i < cmd->pass_fds->len; i++) {
        int fd = g_array_index(cmd->pass_fds, int, i);

        if (fcntl(fd, F_GETFD) < 0) {
            qvirt_report_system_error(errno, _("descriptor %d to pass to '%s' is not open"), fd,
                                      cmd->binary);
            return -1;
        }
    }
    for (int i = 0; i < 3; i++) {
        int fd = std_override[i] >= 0 ? std_override[i] : cmd->std_fds[i];

        if (fd >= 0 && fcntl(fd, F_GETFD) < 0) {
            qvirt_report_system_error(errno, _("descriptor %d for the stdio of '%s' is not open"),
                                      fd, cmd->binary);
            return -1;
        }
        if (fd < 0) {
            if (devnull < 0)
                devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
            if (devnull < 0) {
                qvirt_report_system_error(errno, _("cannot open '%s'"), "/dev/null");
                return -1;
            }
            fd = devnull;
        }
        plan.std_fds[i] = fd;
    }

    /* A bare name is looked up in our own PATH; one not found goes to execve
     * as it is, which fails and is reported like any exec failure. */
    if (!strchr(cmd->binary, '/'))
        found = g_find_program_in_path(cmd->binary);
    plan.path = found ? found : cmd->binary;

    argv = g_ptr_array_new();
    for (guint i = 0; i < cmd->args->len; i++)
        g_ptr_array_add(argv, g_ptr_array_index(cmd->args, i));
    g_ptr_array_add(argv, NULL);
    envp = g_ptr_array_new();
    for (guint i = 0; i < cmd->env->len; i++)
        g_ptr_array_add(envp, g_ptr_array_index(cmd->env, i));
    g_ptr_array_add(envp, NULL);
    plan.argv = (char *const *)argv->pdata;
    plan.envp = (char *const *)envp->pdata;

    if (pipe2(err_pipe, O_CLOEXEC) < 0) {
        qvirt_report_system_error(errno, _("cannot create a pipe to run '%s'"), cmd->binary);
        process_close(&devnull);
        return -1;
    }
    if (err_pipe[1] <= STDERR_FILENO) {
        /* Our own stdio was closed: keep the pipe clear of the child's 0-2. */
        int high = fcntl(err_pipe[1], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

        if (high < 0) {
            qvirt_report_system_error(errno, _("cannot create a pipe to run '%s'"), cmd->binary);
            process_close(&err_pipe[0]);
            process_close(&err_pipe[1]);
            process_close(&devnull);
            return -1;
        }
        close(err_pipe[1]);
        err_pipe[1] = high;
    }

    keep = g_array_new(FALSE, FALSE, sizeof(int));
    g_array_append_vals(keep, cmd->pass_fds->data, cmd->pass_fds->len);
    g_array_append_val(keep, err_pipe[1]);
    g_array_sort(keep, process_compare_int);
    plan.keep_fds = (const int *)keep->data;
    plan.n_keep = keep->len;
    plan.pass_fds = (const int *)cmd->pass_fds->data;
    plan.n_pass = cmd->pass_fds->len;
    plan.err_fd = err_pipe[1];
    plan.new_session = cmd->new_session;
    plan.working_dir = cmd->working_dir;
    plan.use_close_range = g_atomic_int_get(&process_close_range_enabled);

    /* With every signal blocked, no handler of ours runs in the child before
     * it resets them; the child unblocks them just before exec. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = fork();
    if (pid == 0)
        process_child_exec(&plan);
    fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    process_close(&err_pipe[1]);
    process_close(&devnull);
    if (pid < 0) {
        process_close(&err_pipe[0]);
        qvirt_report_system_error(fork_errno, _("cannot fork to run '%s'"), cmd->binary);
        return -1;
    }

    /* EOF: the exec succeeded and closed the pipe. */
    while (got < sizeof(failure)) {
        ssize_t n = read(err_pipe[0], (char *)&failure + got, sizeof(failure) - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    process_close(&err_pipe[0]);
    if (got > 0) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            continue;
        if (got == sizeof(failure))
            process_report_child_failure(cmd, plan.path, &failure);
        else
            qvirt_report_internal(_("short failure report from the child for '%s'"),
                                  cmd->binary);
        return -1;
    }

    /* Our unreaped child: its pid cannot be reused under us here. */
    pidfd = process_pidfd_open(pid);
    if (pidfd < 0 && errno != ENOSYS) {
        qvirt_report_system_error(errno, _("cannot open a pidfd for process %d ('%s')"),
                                  (int)pid, cmd->binary);
        process_abandon_child(pid);
        return -1;
    }
    rc = process_read_stat_quiet(pid, &st);
    if (rc < 0) {
        qvirt_report_system_error(rc == -EBADMSG ? EINVAL : -rc,
                                  _("cannot read the start time of process %d ('%s')"),
                                  (int)pid, cmd->binary);
        if (pidfd >= 0)
            close(pidfd);
        process_abandon_child(pid);
        return -1;
    }
    if (qvirt_log_enabled(QVIRT_LOG_DEBUG, qvirt_log_module)) {
        g_autofree char *str = qvirt_command_to_string(cmd);

        QVIRT_DEBUG("spawned process %d (pidfd %d): %s", (int)pid, pidfd, str);
    }
    *ret_proc = process_new(pid, pidfd, st.start_time, TRUE);
    return 0;
}

int
qvirt_command_spawn(QvirtCommand *cmd, QvirtProcess **ret_proc)
{
    static const int no_override[3] = { -1, -1, -1 };

    g_return_val_if_fail(cmd != NULL && ret_proc != NULL, -1);
    return process_spawn(cmd, no_override, ret_proc);
}

/* ---- processes ----------------------------------------------------------- */

QvirtProcess *
qvirt_process_open(pid_t pid, unsigned long long expected_start_time)
{
    QvirtProcessStat st;
    int pidfd;

    if (pid <= 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid pid %d"), (int)pid);
        return NULL;
    }
    /* The pidfd first, the start time second: a pidfd taken before the check
     * refers to the process the check then confirms, since that process
     * existed before we began. */
    pidfd = process_pidfd_open(pid);
    if (pidfd < 0 && errno == ESRCH) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("no process with pid %d"), (int)pid);
        return NULL;
    }
    if (pidfd < 0 && errno != ENOSYS) {
        qvirt_report_system_error(errno, _("cannot open a pidfd for process %d"), (int)pid);
        return NULL;
    }
    if (qvirt_process_read_stat(pid, &st) < 0)
        goto error;
    if (st.start_time != expected_start_time) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("process %d started at tick %llu, not %llu: the pid was reused"),
                           (int)pid, st.start_time, expected_start_time);
        goto error;
    }
    return process_new(pid, pidfd, st.start_time, st.ppid == getpid());

error:
    if (pidfd >= 0)
        close(pidfd);
    return NULL;
}

void
qvirt_process_free(QvirtProcess *proc)
{
    if (!proc)
        return;
    /* Reap a child that already exited, so it leaves no zombie. */
    if (proc->is_child && !proc->exited)
        waitpid(proc->pid, NULL, WNOHANG);
    if (proc->pidfd >= 0)
        close(proc->pidfd);
    g_free(proc);
}

pid_t
qvirt_process_pid(const QvirtProcess *proc)
{
    return proc->pid;
}

int
qvirt_process_pidfd(const QvirtProcess *proc)
{
    return proc->pidfd;
}

unsigned long long
qvirt_process_start_time(const QvirtProcess *proc)
{
    return proc->start_time;
}

gboolean
qvirt_process_is_child(const QvirtProcess *proc)
{
    return proc->is_child;
}

gboolean
qvirt_process_is_alive(const QvirtProcess *proc)
{
    if (!proc || proc->exited)
        return FALSE;
    if (proc->pidfd >= 0) {
        int rc;

        do {
            rc = process_pidfd_poll(proc->pidfd, 0);
        } while (rc < 0 && errno == EINTR);
        if (rc >= 0)
            return rc == 0;
    }
    return process_stat_alive(proc->pid, proc->start_time);
}

/* Reap our child with waitpid FLAGS: 1 reaped, 0 still running (WNOHANG),
 * -1 error. A child reaped elsewhere counts as exited, status unknown. */
static int
process_reap(QvirtProcess *proc, int flags)
{
    int status = -1;
    pid_t rc;

    do {
        rc = waitpid(proc->pid, &status, flags);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return 0;
    if (rc < 0) {
        if (errno != ECHILD) {
            qvirt_report_system_error(errno, _("cannot reap process %d"), (int)proc->pid);
            return -1;
        }
        QVIRT_WARN("process %d was reaped elsewhere: its exit status is lost", (int)proc->pid);
        status = -1;
    }
    proc->exited = TRUE;
    proc->status = status;
    QVIRT_DEBUG("process %d exited, wait status %d", (int)proc->pid, status);
    return 1;
}

static gint64
process_remaining_us(gint64 deadline)
{
    gint64 now = g_get_monotonic_time();

    return deadline > now ? deadline - now : 0;
}

/* Milliseconds for poll() until DEADLINE, rounded up so as never to wake early. */
static int
process_remaining_ms(gint64 deadline)
{
    gint64 ms = (process_remaining_us(deadline) + 999) / 1000;

    return (int)MIN(ms, (gint64)G_MAXINT);
}

/* Wait until DEADLINE (monotonic us) for PROC to exit: 0 exited (reaped if
 * ours), 1 deadline passed, -1 error reported. */
static int
process_wait_until(QvirtProcess *proc, gint64 deadline)
{
    gint64 delay_us = PROCESS_POLL_FIRST_US;

    if (proc->exited)
        return 0;
    if (proc->pidfd >= 0) {
        for (;;) {
            int rc = process_pidfd_poll(proc->pidfd, process_remaining_ms(deadline));

            if (rc < 0 && errno == EINTR)
                continue;
            if (rc < 0) {
                qvirt_report_system_error(errno, _("cannot wait for process %d"),
                                          (int)proc->pid);
                return -1;
            }
            if (rc > 0)
                break;
            if (process_remaining_us(deadline) == 0)
                return 1;
        }
        if (proc->is_child)
            /* The pidfd reported the exit, so this returns at once. */
            return process_reap(proc, 0) < 0 ? -1 : 0;
        proc->exited = TRUE;
        return 0;
    }

    /* REAL BACK-OFF: without a pidfd the kernel offers no event for the exit
     * of a process that is not our child (and SIGCHLD for ours belongs to the
     * daemon's loop), so this polls waitpid or /proc with a growing sleep,
     * bounded by the deadline. Only kernels older than 5.3 get here. */
    for (;;) {
        gint64 remaining;

        if (proc->is_child) {
            int rc = process_reap(proc, WNOHANG);

            if (rc != 0)
                return rc < 0 ? -1 : 0;
        } else if (!process_stat_alive(proc->pid, proc->start_time)) {
            proc->exited = TRUE;
            return 0;
        }
        remaining = process_remaining_us(deadline);
        if (remaining == 0)
            return 1;
        g_usleep(MIN(delay_us, remaining));
        delay_us = MIN(delay_us * 2, PROCESS_POLL_MAX_US);
    }
}

static gint64
process_deadline(gint64 timeout_ms)
{
    return g_get_monotonic_time() + MIN(timeout_ms, G_MAXINT64 / 2000) * 1000;
}

int
qvirt_process_wait_exit(QvirtProcess *proc, gint64 timeout_ms, int *ret_status)
{
    int rc;

    g_return_val_if_fail(proc != NULL, -1);
    if (timeout_ms < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("invalid timeout %lld ms to wait for process %d"),
                           (long long)timeout_ms, (int)proc->pid);
        return -1;
    }
    rc = process_wait_until(proc, process_deadline(timeout_ms));
    if (rc < 0)
        return -1;
    if (rc > 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                           _("process %d did not exit within %lld ms"), (int)proc->pid,
                           (long long)timeout_ms);
        return -1;
    }
    if (ret_status)
        *ret_status = proc->status;
    return 0;
}

/* Send SIG to PROC: 0 sent, 1 the process is gone already, -1 error. */
static int
process_send_signal(QvirtProcess *proc, int sig)
{
    if (proc->exited)
        return 1;
#ifdef SYS_pidfd_send_signal
    if (proc->pidfd >= 0) {
        if (syscall(SYS_pidfd_send_signal, proc->pidfd, sig, NULL, 0) == 0)
            return 0;
        if (errno == ESRCH)
            return 1;
        if (errno != ENOSYS) {
            qvirt_report_system_error(errno, _("cannot send signal %d to process %d"), sig,
                                      (int)proc->pid);
            return -1;
        }
    }
#endif
    /* Our unreaped child keeps its pid. For another process, a pid that is
     * reused between this check and kill() would get the signal: only a
     * pidfd closes that window, and we have none here. */
    if (!proc->is_child && !qvirt_process_is_same(proc->pid, proc->start_time))
        return 1;
    if (kill(proc->pid, sig) == 0)
        return 0;
    if (errno == ESRCH)
        return 1;
    qvirt_report_system_error(errno, _("cannot send signal %d to process %d"), sig,
                              (int)proc->pid);
    return -1;
}

int
qvirt_process_kill_graceful(QvirtProcess *proc, gint64 grace_ms)
{
    int rc;

    g_return_val_if_fail(proc != NULL, -1);
    if (grace_ms < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid grace time %lld ms for process %d"),
                           (long long)grace_ms, (int)proc->pid);
        return -1;
    }
    rc = process_send_signal(proc, SIGTERM);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        rc = process_wait_until(proc, process_deadline(grace_ms));
        if (rc <= 0)
            return rc;
        QVIRT_INFO("process %d still runs %lld ms after SIGTERM: sending SIGKILL",
                   (int)proc->pid, (long long)grace_ms);
        if (process_send_signal(proc, SIGKILL) < 0)
            return -1;
    }
    rc = process_wait_until(proc, process_deadline(PROCESS_KILL_WAIT_MS));
    if (rc > 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                           _("process %d did not exit within %d ms of SIGKILL"), (int)proc->pid,
                           PROCESS_KILL_WAIT_MS);
        return -1;
    }
    return rc;
}

char *
qvirt_process_status_to_string(int status)
{
    if (status == -1)
        return g_strdup(_("exit status not known"));
    if (WIFEXITED(status))
        return g_strdup_printf(_("exited with status %d"), WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        return g_strdup_printf(_("killed by signal %d (%s)"), WTERMSIG(status),
                               g_strsignal(WTERMSIG(status)));
    }
    return g_strdup_printf(_("unexpected wait status %d"), status);
}

/* ---- run_sync ------------------------------------------------------------ */

typedef struct {
    int fd;        /* read end, -1 once at EOF or not captured */
    GString *data;
} ProcessCapture;

/* Read what FD has now: 0 at EOF, 1 when it would block, -1 error reported. */
static int
process_capture_drain(ProcessCapture *cap, const char *binary)
{
    char buf[65536];

    for (;;) {
        ssize_t n = read(cap->fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        if (n < 0) {
            qvirt_report_system_error(errno, _("cannot read the output of '%s'"), binary);
            return -1;
        }
        if (n == 0) {
            process_close(&cap->fd);
            return 0;
        }
        if (cap->data->len + n > PROCESS_RUN_SYNC_MAX_OUTPUT) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("the output of '%s' exceeds %d bytes"), binary,
                               PROCESS_RUN_SYNC_MAX_OUTPUT);
            return -1;
        }
        g_string_append_len(cap->data, buf, n);
    }
}

/* Collect output until both streams end or our child PROC exits: 0 done,
 * 1 deadline passed, -1 error reported. */
static int
process_capture_all(QvirtProcess *proc, ProcessCapture caps[2], const char *binary,
                    gint64 deadline)
{
    int slice_ms = PROCESS_POLL_FIRST_US / 1000;

    for (;;) {
        struct pollfd pfds[3];
        int timeout_ms = process_remaining_ms(deadline);
        gboolean exited;
        int rc;

        if (caps[0].fd < 0 && caps[1].fd < 0)
            return 0;
        /* REAL BACK-OFF without a pidfd: the exit of a child whose
         * descendants keep the pipes open shows no event we can poll, so the
         * poll is cut into growing slices with a waitpid check after each. */
        if (proc->pidfd < 0)
            timeout_ms = MIN(timeout_ms, slice_ms);
        pfds[0] = (struct pollfd){ .fd = caps[0].fd, .events = POLLIN };
        pfds[1] = (struct pollfd){ .fd = caps[1].fd, .events = POLLIN };
        pfds[2] = (struct pollfd){ .fd = proc->pidfd, .events = POLLIN };
        rc = poll(pfds, 3, timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0) {
            qvirt_report_system_error(errno, _("cannot wait for the output of '%s'"), binary);
            return -1;
        }
        for (int i = 0; i < 2; i++) {
            if (caps[i].fd >= 0 && pfds[i].revents && process_capture_drain(&caps[i], binary) < 0)
                return -1;
        }
        if (proc->pidfd >= 0) {
            exited = pfds[2].revents != 0;
        } else {
            int reaped = process_reap(proc, WNOHANG);

            if (reaped < 0)
                return -1;
            exited = reaped > 0;
            slice_ms = MIN(slice_ms * 2, PROCESS_POLL_MAX_US / 1000);
        }
        if (exited) {
            /* All it wrote is in the pipes now. What is left open belongs to
             * descendants that inherited the pipes, and is not waited for. */
            for (int i = 0; i < 2; i++) {
                if (caps[i].fd >= 0 && process_capture_drain(&caps[i], binary) < 0)
                    return -1;
                process_close(&caps[i].fd);
            }
            return 0;
        }
        if (process_remaining_us(deadline) == 0)
            return 1;
    }
}

int
qvirt_process_run_sync(QvirtCommand *cmd, gint64 timeout_ms, int *ret_status, char **ret_stdout,
                       char **ret_stderr)
{
    ProcessCapture caps[2] = { { -1, NULL }, { -1, NULL } };
    int write_ends[2] = { -1, -1 };
    int override[3] = { -1, -1, -1 };
    g_autoptr(QvirtProcess) proc = NULL;
    gint64 deadline;
    int ret = -1;
    int rc;

    g_return_val_if_fail(cmd != NULL, -1);
    if (timeout_ms < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid timeout %lld ms to run '%s'"),
                           (long long)timeout_ms, cmd->binary);
        return -1;
    }
    deadline = process_deadline(timeout_ms);
    for (int i = 0; i < 2; i++) {
        int pipefd[2];

        caps[i].data = g_string_new(NULL);
        if (cmd->std_fds[i + 1] >= 0)
            continue;
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
            qvirt_report_system_error(errno, _("cannot create a pipe to run '%s'"), cmd->binary);
            goto cleanup;
        }
        caps[i].fd = pipefd[0];
        write_ends[i] = pipefd[1];
        override[i + 1] = pipefd[1];
        if (fcntl(caps[i].fd, F_SETFL, O_NONBLOCK) < 0) {
            qvirt_report_system_error(errno, _("cannot create a pipe to run '%s'"), cmd->binary);
            goto cleanup;
        }
    }

    if (process_spawn(cmd, override, &proc) < 0)
        goto cleanup;
    process_close(&write_ends[0]);
    process_close(&write_ends[1]);

    rc = process_capture_all(proc, caps, cmd->binary, deadline);
    if (rc == 0)
        rc = process_wait_until(proc, deadline);
    if (rc != 0) {
        g_autoptr(QvirtError) saved = rc < 0 ? qvirt_error_save() : NULL;

        if (qvirt_process_kill_graceful(proc, PROCESS_RUN_SYNC_KILL_GRACE_MS) < 0)
            QVIRT_ERROR("cannot stop '%s' (pid %d): %s", cmd->binary, (int)proc->pid,
                        qvirt_error_last_message());
        if (rc < 0) {
            qvirt_error_restore(g_steal_pointer(&saved));
        } else {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("'%s' (pid %d) did not finish within %lld ms"), cmd->binary,
                               (int)proc->pid, (long long)timeout_ms);
        }
        goto cleanup;
    }

    if (!ret_status && !(WIFEXITED(proc->status) && WEXITSTATUS(proc->status) == 0)) {
        g_autofree char *how = qvirt_process_status_to_string(proc->status);
        g_auto(GStrv) lines = g_strsplit(caps[1].data->str, "\n", 2);
        const char *first = lines[0] ? g_strstrip(lines[0]) : "";

        if (*first) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("'%s' failed: %s: %s"), cmd->binary,
                               how, first);
        } else {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("'%s' failed: %s"), cmd->binary, how);
        }
        goto cleanup;
    }

    if (ret_status)
        *ret_status = proc->status;
    if (ret_stdout)
        *ret_stdout = g_string_free(g_steal_pointer(&caps[0].data), FALSE);
    if (ret_stderr)
        *ret_stderr = g_string_free(g_steal_pointer(&caps[1].data), FALSE);
    ret = 0;

cleanup:
    for (int i = 0; i < 2; i++) {
        process_close(&caps[i].fd);
        process_close(&write_ends[i]);
        if (caps[i].data)
            g_string_free(caps[i].data, TRUE);
    }
    return ret;
}

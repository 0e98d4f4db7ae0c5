/* process.h: spawning child processes and watching processes by pidfd.
 *
 * QvirtCommand builds one child: binary, arguments, an EXPLICIT environment
 * (the child gets only what was added or named for inheritance), the
 * descriptors it keeps, its stdio, its session and working folder. Every
 * other descriptor is closed in the child, and every signal is back to its
 * default and unblocked. A failure in the child before exec (missing binary,
 * bad working folder) comes back to the parent as one error naming the
 * binary and errno; the failed child is reaped.
 *
 * QvirtProcess is one process, trusted only together with its start time
 * (field 22 of /proc/PID/stat), and watched through a pidfd where the kernel
 * has them: the pidfd becomes readable at exit whether or not we are the
 * parent, and signals sent through it never reach a process that reused the
 * pid. Liveness is never tested with kill(pid, 0), which is true for a
 * zombie. Our own children are reaped as soon as their exit is seen.
 *
 * Contract: a failing function reports one error and returns -1 or NULL;
 * output parameters are written only on success. Every wait has a deadline.
 * Builder calls never fail: a bad value is remembered and reported by the
 * first spawn or run. Nothing here is thread safe per object; different
 * objects may be used from different threads. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct QvirtCommand QvirtCommand;
typedef struct QvirtProcess QvirtProcess;

/* A command that runs BINARY (argv[0]). A BINARY without '/' is looked up in
 * the PATH of the calling process at spawn time (not the child's PATH). */
QvirtCommand *qvirt_command_new(const char *binary);
void qvirt_command_free(QvirtCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvirtCommand, qvirt_command_free)

void qvirt_command_add_arg(QvirtCommand *cmd, const char *arg);
/* Append every argument up to the terminating NULL. */
void qvirt_command_add_args(QvirtCommand *cmd, ...) G_GNUC_NULL_TERMINATED;

/* Add "KEY=VALUE" to the child's environment, replacing an earlier KEY. */
void qvirt_command_add_env(QvirtCommand *cmd, const char *key_value);
/* Copy NAME from the calling process's environment now; nothing if unset. */
void qvirt_command_inherit_env(QvirtCommand *cmd, const char *name);

/* Keep FD (>= 3, open, owned by the caller) open in the child at the same
 * number. The caller's copy is left as it is. */
void qvirt_command_pass_fd(QvirtCommand *cmd, int fd);

/* The child's stdin/stdout/stderr become copies of FD (the caller keeps FD).
 * Not set, or -1: /dev/null. */
void qvirt_command_set_stdin_fd(QvirtCommand *cmd, int fd);
void qvirt_command_set_stdout_fd(QvirtCommand *cmd, int fd);
void qvirt_command_set_stderr_fd(QvirtCommand *cmd, int fd);

/* With TRUE the child calls setsid(): it leads a new session and process
 * group, so it outlives its parent's session and signals sent to its group. */
void qvirt_command_set_new_session(QvirtCommand *cmd, gboolean new_session);
void qvirt_command_set_working_dir(QvirtCommand *cmd, const char *dir);

/* Environment then argv, shell-quoted, e.g. "LC_ALL=C /bin/sh -c 'echo hi'".
 * For logs and tests; free with g_free. */
char *qvirt_command_to_string(const QvirtCommand *cmd);

/* Start the child. On success *ret_proc is the new process (our child). */
int qvirt_command_spawn(QvirtCommand *cmd, QvirtProcess **ret_proc);

/* Run CMD to completion within TIMEOUT_MS (>= 0), capturing its stdout and
 * stderr (unless the command set its own descriptors for them) into new
 * strings (*ret_stdout, *ret_stderr; each may be NULL). *ret_status gets the
 * wait status (see qvirt_process_wait_exit). With RET_STATUS NULL, an exit
 * other than status 0 is an error quoting the start of stderr. A command that
 * misses its deadline is killed (qvirt_process_kill_graceful) and reported
 * as OPERATION_TIMEOUT. Output beyond 16 MiB per stream is an error. */
int qvirt_process_run_sync(QvirtCommand *cmd, gint64 timeout_ms, int *ret_status,
                           char **ret_stdout, char **ret_stderr);

/* Find again a process we did not start (e.g. QEMU after a daemon restart):
 * fails if PID is gone or its start time is not EXPECTED_START_TIME (the pid
 * was reused). A zombie with the right start time is opened: it has exited,
 * and qvirt_process_is_alive says so. */
QvirtProcess *qvirt_process_open(pid_t pid, unsigned long long expected_start_time);
/* Close the pidfd. Does not kill; reaps our child only if it already exited. */
void qvirt_process_free(QvirtProcess *proc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvirtProcess, qvirt_process_free)

pid_t qvirt_process_pid(const QvirtProcess *proc);
/* The pidfd, or -1 when the kernel has none; owned by PROC. Readable once the
 * process has exited, e.g. for an event loop. */
int qvirt_process_pidfd(const QvirtProcess *proc);
/* The start time (clock ticks after boot) that identifies the process, as
 * read when it was spawned or opened. */
unsigned long long qvirt_process_start_time(const QvirtProcess *proc);
/* Whether we are its parent (and so reap it). */
gboolean qvirt_process_is_child(const QvirtProcess *proc);

/* Field 22 (starttime) of /proc/PID/stat. A gone pid is OPERATION_FAILED. */
int qvirt_process_get_start_time(pid_t pid, unsigned long long *ret_start);
/* Whether PID still exists (possibly as a zombie) with start time START.
 * Reports nothing. */
gboolean qvirt_process_is_same(pid_t pid, unsigned long long start);
/* FALSE once the process has exited, zombies included. Reports nothing. */
gboolean qvirt_process_is_alive(const QvirtProcess *proc);

/* Wait up to TIMEOUT_MS (>= 0; 0 only checks) for PROC to exit. Our child is
 * reaped and *ret_status (may be NULL) gets its wait status for WIFEXITED()
 * and friends; for a process that is not our child, or that was reaped
 * elsewhere, *ret_status is -1 (not known). Waiting again after an exit
 * returns the same status at once. Missing the deadline is OPERATION_TIMEOUT
 * naming the pid. */
int qvirt_process_wait_exit(QvirtProcess *proc, gint64 timeout_ms, int *ret_status);

/* Stop PROC: SIGTERM, up to GRACE_MS (>= 0) for it to exit, then SIGKILL and
 * a bounded wait (10 s, for a process stuck in the kernel). Returns 0 once it
 * is gone (and reaped if it is our child), including when it was gone already. */
int qvirt_process_kill_graceful(QvirtProcess *proc, gint64 grace_ms);

/* "exited with status N", "killed by signal N (NAME)" or "exit status not
 * known" for a status from qvirt_process_wait_exit; free with g_free. */
char *qvirt_process_status_to_string(int status);

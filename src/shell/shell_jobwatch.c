/* shell_jobwatch.c: one long API call in a worker thread, watched from the
 * shell's thread (see shell_jobwatch.h): the progress bar of --verbose,
 * the caller's hook at each look, and Ctrl-C aborting the job. Used by
 * migrate (shell_migrate.c) and by save, managedsave and dump
 * (shell_save.c). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shell/shell_jobwatch.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* How often the watch reads the job's statistics (virsh's period). */
#define SHELL_JOB_POLL_MS 500

int
shell_job_progress_percent(unsigned long long remaining, unsigned long long total)
{
    double done;

    if (total == 0)
        return -1;
    if (remaining == 0)
        return 100;
    if (remaining >= total)
        return 0;
    /* In floating point: remaining * 100 may not fit 64 bits. */
    done = 100.0 - (double)remaining * 100.0 / (double)total;
    return MIN((int)done, 99);
}

/* The write end of the running call's wake-up pipe, for the SIGINT
 * handler; -1 when no call runs. */
static volatile sig_atomic_t shell_job_sigint_fd = -1;

static void
shell_job_sigint(int signum)
{
    int saved_errno = errno;
    int fd = shell_job_sigint_fd;
    char byte = 'i';
    (void)signum;

    if (fd >= 0) {
        /* Non-blocking: a full pipe already holds a wake-up. */
        ssize_t n = write(fd, &byte, 1);
        (void)n;
    }
    errno = saved_errno;
}

typedef struct {
    const ShellJobWatch *w;
    int notify_fd; /* written once the call returned */
    gboolean ok;
    QvirtError *error; /* the call's error, when it failed */
} ShellJobRun;

static gpointer
shell_job_thread(gpointer opaque)
{
    ShellJobRun *run = opaque;
    char byte = 'd';

    run->ok = run->w->call(run->w->opaque);
    if (!run->ok)
        run->error = qvirt_error_save();
    while (write(run->notify_fd, &byte, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* One look at the job: the progress bar, then the caller's hook. */
static void
shell_job_poll(Shell *sh, QvDomain *dom, const ShellJobWatch *w, gint64 elapsed_ms,
               gboolean *printed)
{
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type = QV_DOMAIN_JOB_NONE;
    unsigned long long remaining = 0;
    unsigned long long total = 0;

    if (qv_domain_get_job_stats(dom, &type, &params, &nparams, 0) < 0) {
        QvDomainJobInfo info;
        int maxparams = 0;

        type = QV_DOMAIN_JOB_NONE;
        if (qvirt_error_last_code() == QVIRT_ERR_NO_SUPPORT &&
            qv_domain_get_job_info(dom, &info) == 0) {
            /* The same figures from the older call, under the statistics' names. */
            type = info.type;
            qv_typed_params_add_ullong(&params, &nparams, &maxparams, "data_remaining",
                                       info.data_remaining);
            qv_typed_params_add_ullong(&params, &nparams, &maxparams, "data_total",
                                       info.data_total);
        }
    }
    qv_typed_params_get_ullong(params, nparams, "data_remaining", &remaining);
    qv_typed_params_get_ullong(params, nparams, "data_total", &total);
    /* A failed look (the job just ended, say) is not the call's error. */
    qvirt_error_reset();

    if (w->verbose && (type == QV_DOMAIN_JOB_BOUNDED || type == QV_DOMAIN_JOB_UNBOUNDED)) {
        int percent = shell_job_progress_percent(remaining, total);

        if (percent >= 0) {
            fflush(sh->out);
            fprintf(sh->err, "\r%s: [%3d %%]", w->label, percent);
            fflush(sh->err);
            *printed = TRUE;
        }
    }
    if (w->poll)
        w->poll(sh, dom, elapsed_ms, params, nparams, printed, w->opaque);
    qv_typed_params_free(params, nparams);
}

static void
shell_job_abort(Shell *sh, QvDomain *dom)
{
    if (qv_domain_abort_job(dom) < 0) {
        shell_error(sh, _("failed to abort job"));
        shell_report_last(sh);
    }
}

gboolean
shell_job_watch_run(Shell *sh, QvDomain *dom, const ShellJobWatch *w)
{
    ShellJobRun run = {.w = w};
    gboolean watching = w->verbose || w->watch;
    gboolean printed = FALSE;
    gboolean done = FALSE;
    struct sigaction sa;
    struct sigaction old_sa;
    GThread *thread;
    gint64 start;
    gint64 next_poll;
    int fds[2];

    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        qvirt_report_system_error(errno, _("cannot create a pipe"));
        return FALSE;
    }
    run.notify_fd = fds[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = shell_job_sigint;
    sigemptyset(&sa.sa_mask);
    shell_job_sigint_fd = fds[1];
    sigaction(SIGINT, &sa, &old_sa);

    start = g_get_monotonic_time();
    next_poll = start + SHELL_JOB_POLL_MS * G_TIME_SPAN_MILLISECOND;
    thread = g_thread_new("shell-job", shell_job_thread, &run);
    while (!done) {
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        gint64 now = g_get_monotonic_time();
        int wait_ms = -1;
        int rc;

        if (watching)
            wait_ms = now >= next_poll ? 0 : (int)((next_poll - now + 999) / 1000);
        rc = poll(&pfd, 1, wait_ms);
        if (rc > 0) {
            gboolean interrupted = FALSE;
            char buf[16];
            ssize_t n;

            while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
                for (ssize_t i = 0; i < n; i++) {
                    if (buf[i] == 'd')
                        done = TRUE;
                    else
                        interrupted = TRUE;
                }
            }
            /* Ctrl-C: abort the job as virsh does; the call then returns
             * with the job's error. */
            if (interrupted && !done)
                shell_job_abort(sh, dom);
            continue;
        }
        if (rc < 0 || !watching)
            continue; /* EINTR */
        now = g_get_monotonic_time();
        if (now < next_poll)
            continue;
        next_poll = now + SHELL_JOB_POLL_MS * G_TIME_SPAN_MILLISECOND;
        shell_job_poll(sh, dom, w, (now - start) / G_TIME_SPAN_MILLISECOND, &printed);
    }
    g_thread_join(thread);
    sigaction(SIGINT, &old_sa, NULL);
    shell_job_sigint_fd = -1;
    close(fds[0]);
    close(fds[1]);

    if (!run.ok) {
        if (printed)
            fputc('\n', sh->err);
        qvirt_error_restore(g_steal_pointer(&run.error));
        return FALSE;
    }
    if (w->verbose) {
        fprintf(sh->err, "\r%s: [%3d %%]\n", w->label, 100);
        fflush(sh->err);
    }
    return TRUE;
}

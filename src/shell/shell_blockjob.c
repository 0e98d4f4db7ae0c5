/* shell_blockjob.c: the shell's block job commands (see shell.h), with
 * virsh's options, messages and output:
 * - blockpull (qv_domain_block_pull, or qv_domain_block_rebase with
 *   --base), blockcopy (qv_domain_block_copy with a <disk> built from DEST,
 *   --format and --blockdev, or read from --xml) and blockcommit
 *   (qv_domain_block_commit). With --wait (implied by --timeout, and for
 *   copy by --pivot/--finish, for commit by --pivot/--keep-overlay) the
 *   command watches the job: it reads the job's figures every 500 ms (the
 *   progress bar of --verbose on the error stream), and ends early on the
 *   disk's BLOCK_JOB / BLOCK_JOB_2 event when the connection has events.
 *   At --timeout or Ctrl-C the job is aborted (asynchronously with
 *   --async). A copy
 *   or active commit that is ready is pivoted (--pivot) or finished
 *   (--finish / --keep-overlay) through qv_domain_block_job_abort.
 * - blockjob: --info (the default; --raw for the figures), --abort (with
 *   --async, --pivot) and --bandwidth.
 *
 * Contract: option combinations are checked before connecting
 * (shell_blockjob_priv.h). A job that ends failed or cancelled makes the
 * command fail. The SIGINT handler is installed only while a watch runs,
 * and the previous one is put back. */
#include <config.h>

#include <signal.h>
#include <string.h>

#include "shell/shell_blockjob_priv.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* How often --wait reads the job's figures (virsh's period). */
#define SHELL_BLOCK_POLL_MS 500
/* How long a watch whose job vanished waits for the job's event, which
 * tells how it ended (bounded: without it the job counts as completed). */
#define SHELL_BLOCK_EVENT_GRACE_MS 500

/* ---- options ---- */

const ShellOpt opts_blockpull[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"path", SHELL_OPT_STRING, TRUE, TRUE},
    {"bandwidth", SHELL_OPT_STRING, FALSE, FALSE},
    {"base", SHELL_OPT_STRING, FALSE, FALSE},
    {"wait", SHELL_OPT_BOOL, FALSE, FALSE},
    {"verbose", SHELL_OPT_BOOL, FALSE, FALSE},
    {"timeout", SHELL_OPT_STRING, FALSE, FALSE},
    {"async", SHELL_OPT_BOOL, FALSE, FALSE},
    {"keep-relative", SHELL_OPT_BOOL, FALSE, FALSE},
    {"bytes", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_blockcopy[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"path", SHELL_OPT_STRING, TRUE, TRUE},
    {"dest", SHELL_OPT_STRING, FALSE, TRUE},
    {"bandwidth", SHELL_OPT_STRING, FALSE, FALSE},
    {"shallow", SHELL_OPT_BOOL, FALSE, FALSE},
    {"reuse-external", SHELL_OPT_BOOL, FALSE, FALSE},
    {"raw", SHELL_OPT_BOOL, FALSE, FALSE},
    {"blockdev", SHELL_OPT_BOOL, FALSE, FALSE},
    {"wait", SHELL_OPT_BOOL, FALSE, FALSE},
    {"verbose", SHELL_OPT_BOOL, FALSE, FALSE},
    {"timeout", SHELL_OPT_STRING, FALSE, FALSE},
    {"pivot", SHELL_OPT_BOOL, FALSE, FALSE},
    {"finish", SHELL_OPT_BOOL, FALSE, FALSE},
    {"async", SHELL_OPT_BOOL, FALSE, FALSE},
    {"xml", SHELL_OPT_STRING, FALSE, FALSE},
    {"format", SHELL_OPT_STRING, FALSE, FALSE},
    {"granularity", SHELL_OPT_STRING, FALSE, FALSE},
    {"buf-size", SHELL_OPT_STRING, FALSE, FALSE},
    {"bytes", SHELL_OPT_BOOL, FALSE, FALSE},
    {"transient-job", SHELL_OPT_BOOL, FALSE, FALSE},
    {"synchronous-writes", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_blockcommit[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"path", SHELL_OPT_STRING, TRUE, TRUE},
    {"bandwidth", SHELL_OPT_STRING, FALSE, FALSE},
    {"base", SHELL_OPT_STRING, FALSE, FALSE},
    {"shallow", SHELL_OPT_BOOL, FALSE, FALSE},
    {"top", SHELL_OPT_STRING, FALSE, FALSE},
    {"active", SHELL_OPT_BOOL, FALSE, FALSE},
    {"delete", SHELL_OPT_BOOL, FALSE, FALSE},
    {"wait", SHELL_OPT_BOOL, FALSE, FALSE},
    {"verbose", SHELL_OPT_BOOL, FALSE, FALSE},
    {"timeout", SHELL_OPT_STRING, FALSE, FALSE},
    {"pivot", SHELL_OPT_BOOL, FALSE, FALSE},
    {"keep-overlay", SHELL_OPT_BOOL, FALSE, FALSE},
    {"async", SHELL_OPT_BOOL, FALSE, FALSE},
    {"keep-relative", SHELL_OPT_BOOL, FALSE, FALSE},
    {"bytes", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_blockjob[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},      {"path", SHELL_OPT_STRING, TRUE, TRUE},
    {"abort", SHELL_OPT_BOOL, FALSE, FALSE},       {"async", SHELL_OPT_BOOL, FALSE, FALSE},
    {"pivot", SHELL_OPT_BOOL, FALSE, FALSE},       {"info", SHELL_OPT_BOOL, FALSE, FALSE},
    {"raw", SHELL_OPT_BOOL, FALSE, FALSE},         {"bytes", SHELL_OPT_BOOL, FALSE, FALSE},
    {"bandwidth", SHELL_OPT_STRING, FALSE, FALSE}, {NULL, 0, FALSE, FALSE},
};

/* ---- the request ---- */

/* The numeric option NAME up to MAX: 1 with *RET_VALUE when given, 0 when
 * absent, -1 after printing the error. */
static int
block_opt_number(Shell *sh, const ShellArgs *args, const char *name, guint64 max,
                 guint64 *ret_value)
{
    const char *str = shell_opt_str(args, name);
    guint64 value;

    if (!str)
        return 0;
    if (!g_ascii_string_to_unsigned(str, 10, 0, max, &value, NULL)) {
        shell_error(sh, _("Numeric value '%s' for <%s> option is malformed or out of range"), str,
                    name);
        return -1;
    }
    *ret_value = value;
    return 1;
}

void
shell_block_request_free(ShellBlockRequest *req)
{
    if (!req)
        return;
    g_free(req->base);
    g_free(req->top);
    g_free(req->destxml);
    qv_typed_params_free(req->params, req->nparams);
    g_free(req);
}

char *
shell_block_copy_dest_xml(const char *dest, const char *format, gboolean blockdev)
{
    g_autofree char *d = g_markup_escape_text(dest, -1);
    GString *xml = g_string_new(NULL);

    g_string_append_printf(xml, "<disk type='%s'>\n", blockdev ? "block" : "file");
    g_string_append_printf(xml, "  <source %s='%s'/>\n", blockdev ? "dev" : "file", d);
    if (format) {
        g_autofree char *f = g_markup_escape_text(format, -1);

        g_string_append_printf(xml, "  <driver type='%s'/>\n", f);
    }
    g_string_append(xml, "</disk>\n");
    return g_string_free(xml, FALSE);
}

/* The options every kind shares: bandwidth, wait, verbose, timeout, async. */
static gboolean
block_request_common(Shell *sh, ShellBlockRequest *req, const ShellArgs *args)
{
    guint64 value = 0;
    int rc;

    req->disk = shell_opt_str(args, "path");
    req->verbose = shell_opt_bool(args, "verbose");
    req->async = shell_opt_bool(args, "async");
    req->wait = req->wait || shell_opt_bool(args, "wait");
    if ((rc = block_opt_number(sh, args, "timeout", G_MAXINT32 / 1000, &value)) < 0)
        return FALSE;
    if (rc > 0) {
        if (value == 0) {
            shell_error(sh, _("invalid timeout"));
            return FALSE;
        }
        req->timeout_ms = (gint64)value * 1000;
        req->wait = TRUE;
    }
    if (!req->wait && (req->verbose || req->async)) {
        const char *opt = req->verbose ? "verbose" : "async";

        switch (req->kind) {
        case SHELL_BLOCK_PULL:
            shell_error(sh, _("Option --%s requires option --wait"), opt);
            break;
        case SHELL_BLOCK_COPY:
            shell_error(sh,
                        _("--%s requires at least one of --timeout, --wait, --pivot, or "
                          "--finish"),
                        opt);
            break;
        case SHELL_BLOCK_COMMIT:
            shell_error(sh,
                        _("--%s requires at least one of --timeout, --wait, --pivot, or "
                          "--keep-overlay"),
                        opt);
            break;
        }
        return FALSE;
    }
    return TRUE;
}

static gboolean
block_request_pull(Shell *sh, ShellBlockRequest *req, const ShellArgs *args)
{
    guint64 bw = 0;

    if (!block_request_common(sh, req, args) ||
        block_opt_number(sh, args, "bandwidth", G_MAXUINT64, &bw) < 0)
        return FALSE;
    req->bandwidth = bw;
    req->base = g_strdup(shell_opt_str(args, "base"));
    if (shell_opt_bool(args, "bytes"))
        req->flags |= QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES;
    if (shell_opt_bool(args, "keep-relative")) {
        if (!req->base) {
            shell_error(sh, _("Option --keep-relative requires option --base"));
            return FALSE;
        }
        req->flags |= QV_DOMAIN_BLOCK_REBASE_RELATIVE;
    }
    req->use_rebase = req->base != NULL;
    return TRUE;
}

static gboolean
block_request_commit(Shell *sh, ShellBlockRequest *req, const ShellArgs *args)
{
    guint64 bw = 0;

    req->pivot = shell_opt_bool(args, "pivot");
    req->finish = shell_opt_bool(args, "keep-overlay");
    if (!shell_opts_exclusive(sh, args, "pivot", "keep-overlay"))
        return FALSE;
    req->wait = req->pivot || req->finish;
    if (!block_request_common(sh, req, args) ||
        block_opt_number(sh, args, "bandwidth", G_MAXUINT64, &bw) < 0)
        return FALSE;
    req->bandwidth = bw;
    req->base = g_strdup(shell_opt_str(args, "base"));
    req->top = g_strdup(shell_opt_str(args, "top"));
    if (shell_opt_bool(args, "shallow"))
        req->flags |= QV_DOMAIN_BLOCK_COMMIT_SHALLOW;
    if (shell_opt_bool(args, "delete"))
        req->flags |= QV_DOMAIN_BLOCK_COMMIT_DELETE;
    if (shell_opt_bool(args, "active") || req->pivot || req->finish)
        req->flags |= QV_DOMAIN_BLOCK_COMMIT_ACTIVE;
    if (shell_opt_bool(args, "keep-relative"))
        req->flags |= QV_DOMAIN_BLOCK_COMMIT_RELATIVE;
    if (shell_opt_bool(args, "bytes"))
        req->flags |= QV_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES;
    return TRUE;
}

static gboolean
block_request_copy(Shell *sh, ShellBlockRequest *req, const ShellArgs *args)
{
    const char *dest = shell_opt_str(args, "dest");
    const char *xml = shell_opt_str(args, "xml");
    const char *format = shell_opt_str(args, "format");
    gboolean blockdev = shell_opt_bool(args, "blockdev");
    guint64 bw = 0;
    guint64 value = 0;
    int rc;

    req->pivot = shell_opt_bool(args, "pivot");
    req->finish = shell_opt_bool(args, "finish");
    if (!shell_opts_exclusive(sh, args, "pivot", "finish") ||
        !shell_opts_exclusive(sh, args, "raw", "xml") ||
        !shell_opts_exclusive(sh, args, "blockdev", "xml"))
        return FALSE;
    if (dest && xml) {
        shell_error(sh, _("Options --%s and --%s are mutually exclusive"), "dest", "xml");
        return FALSE;
    }
    if (format && xml) {
        shell_error(sh, _("Options --%s and --%s are mutually exclusive"), "format", "xml");
        return FALSE;
    }
    if (format && shell_opt_bool(args, "raw")) {
        shell_error(sh, _("Options --%s and --%s are mutually exclusive"), "format", "raw");
        return FALSE;
    }
    if (!dest && !xml) {
        shell_error(sh, _("need either --dest or --xml"));
        return FALSE;
    }
    req->wait = req->pivot || req->finish;
    if (!block_request_common(sh, req, args) ||
        block_opt_number(sh, args, "bandwidth", G_MAXUINT64, &bw) < 0)
        return FALSE;
    if (shell_opt_str(args, "bandwidth")) {
        if (!shell_opt_bool(args, "bytes")) {
            if (bw > (G_MAXUINT64 >> 20)) {
                shell_error(sh, _("bandwidth must be less than %llu"),
                            (unsigned long long)(G_MAXUINT64 >> 20));
                return FALSE;
            }
            bw <<= 20;
        }
        qv_typed_params_add_ullong(&req->params, &req->nparams, &req->maxparams,
                                   QV_DOMAIN_BLOCK_COPY_BANDWIDTH, bw);
    }
    if ((rc = block_opt_number(sh, args, "granularity", G_MAXUINT32, &value)) < 0)
        return FALSE;
    if (rc > 0)
        qv_typed_params_add_uint(&req->params, &req->nparams, &req->maxparams,
                                 QV_DOMAIN_BLOCK_COPY_GRANULARITY, (unsigned int)value);
    if ((rc = block_opt_number(sh, args, "buf-size", G_MAXUINT64, &value)) < 0)
        return FALSE;
    if (rc > 0)
        qv_typed_params_add_ullong(&req->params, &req->nparams, &req->maxparams,
                                   QV_DOMAIN_BLOCK_COPY_BUF_SIZE, value);
    if (shell_opt_bool(args, "shallow"))
        req->flags |= QV_DOMAIN_BLOCK_COPY_SHALLOW;
    if (shell_opt_bool(args, "reuse-external"))
        req->flags |= QV_DOMAIN_BLOCK_COPY_REUSE_EXT;
    if (shell_opt_bool(args, "transient-job"))
        req->flags |= QV_DOMAIN_BLOCK_COPY_TRANSIENT_JOB;
    if (shell_opt_bool(args, "synchronous-writes"))
        req->flags |= QV_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES;
    if (xml) {
        req->destxml = shell_read_file(sh, xml);
        if (!req->destxml)
            return FALSE;
    } else {
        req->destxml =
            shell_block_copy_dest_xml(dest, shell_opt_bool(args, "raw") ? "raw" : format, blockdev);
    }
    return TRUE;
}

ShellBlockRequest *
shell_block_request_new(Shell *sh, ShellBlockKind kind, const ShellArgs *args)
{
    g_autoptr(ShellBlockRequest) req = g_new0(ShellBlockRequest, 1);
    gboolean ok = FALSE;

    req->kind = kind;
    switch (kind) {
    case SHELL_BLOCK_PULL:
        ok = block_request_pull(sh, req, args);
        break;
    case SHELL_BLOCK_COPY:
        ok = block_request_copy(sh, req, args);
        break;
    case SHELL_BLOCK_COMMIT:
        ok = block_request_commit(sh, req, args);
        break;
    }
    return ok ? g_steal_pointer(&req) : NULL;
}

int
shell_blockjob_mode(Shell *sh, const ShellArgs *args)
{
    gboolean abort_mode = shell_opt_bool(args, "abort") || shell_opt_bool(args, "async") ||
                          shell_opt_bool(args, "pivot");
    gboolean info_mode = shell_opt_bool(args, "info") || shell_opt_bool(args, "raw");
    gboolean speed_mode = shell_opt_str(args, "bandwidth") != NULL;

    if ((int)abort_mode + (int)info_mode + (int)speed_mode > 1) {
        shell_error(sh, _("conflict in --abort, --info, and --bandwidth modes"));
        return -1;
    }
    if (abort_mode)
        return SHELL_BLOCKJOB_ABORT;
    if (speed_mode)
        return SHELL_BLOCKJOB_SPEED;
    return SHELL_BLOCKJOB_INFO;
}

int
shell_block_progress_percent(unsigned long long cur, unsigned long long end)
{
    double done;

    if (cur >= end)
        return 100;
    /* In floating point: the figures times 100 may not fit 64 bits. */
    done = 100.0 - (double)(end - cur) * 100.0 / (double)end;
    return MIN((int)done, 99);
}

/* ---- the watch of --wait ---- */

static const char *
block_job_label(int type)
{
    static const char *const labels[] = {N_("Unknown job"),         N_("Block Pull"),
                                         N_("Block Copy"),          N_("Block Commit"),
                                         N_("Active Block Commit"), N_("Backup")};

    if (type < 0 || type >= (int)G_N_ELEMENTS(labels))
        return _(labels[0]);
    return _(labels[type]);
}

typedef struct {
    const char *disk;
    GMutex lock;
    GCond cond;
    guint events; /* how many of the disk's events arrived */
    int status;   /* the last one's QvDomainBlockJobStatus; -1 before */
} ShellBlockWatch;

static void
block_watch_event_cb(QvConnect *conn, QvDomain *dom, const QvEvent *event, gpointer opaque)
{
    ShellBlockWatch *w = opaque;
    (void)conn;
    (void)dom;

    if (event->event_id != QV_DOMAIN_EVENT_ID_BLOCK_JOB &&
        event->event_id != QV_DOMAIN_EVENT_ID_BLOCK_JOB_2)
        return;
    if (!event->data.block_job.disk || strcmp(event->data.block_job.disk, w->disk) != 0)
        return;
    g_mutex_lock(&w->lock);
    w->status = event->data.block_job.status;
    w->events++;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
}

/* The count of events and the last status, read together. */
static int
block_watch_status(ShellBlockWatch *w, guint *ret_events)
{
    int status;

    g_mutex_lock(&w->lock);
    status = w->status;
    *ret_events = w->events;
    g_mutex_unlock(&w->lock);
    return status;
}

/* Wait until an event after the first SEEN ones arrived, or DEADLINE
 * (monotonic) passed; the last event's status. */
static int
block_watch_wait(ShellBlockWatch *w, guint seen, gint64 deadline)
{
    int status;

    g_mutex_lock(&w->lock);
    while (w->events == seen && g_get_monotonic_time() < deadline)
        g_cond_wait_until(&w->cond, &w->lock, deadline);
    status = w->status;
    g_mutex_unlock(&w->lock);
    return status;
}

static void
block_print_progress(Shell *sh, int type, unsigned long long cur, unsigned long long end)
{
    fflush(sh->out);
    fprintf(sh->err, "\r%s: [%3d %%]", block_job_label(type),
            shell_block_progress_percent(cur, end));
    fflush(sh->err);
}

/* Set by SIGINT while a watch runs: the watch then aborts the job, as at
 * the timeout (checked at each look, so within one period). */
static volatile sig_atomic_t shell_block_interrupted;

static void
shell_block_sigint(int signum)
{
    (void)signum;
    shell_block_interrupted = 1;
}

/* Watch the job of REQ on DOM until it is ready, gone, or aborted at the
 * timeout. Returns a QvDomainBlockJobStatus, or -1 after printing an
 * error. */
static int
block_watch(Shell *sh, QvDomain *dom, const ShellBlockRequest *req)
{
    ShellBlockWatch w = {.disk = req->disk, .status = -1};
    int ids[2] = {-1, -1};
    gboolean have_events;
    int job_type = req->kind == SHELL_BLOCK_PULL   ? QV_DOMAIN_BLOCK_JOB_TYPE_PULL
                   : req->kind == SHELL_BLOCK_COPY ? QV_DOMAIN_BLOCK_JOB_TYPE_COPY
                                                   : QV_DOMAIN_BLOCK_JOB_TYPE_COMMIT;
    gint64 start = g_get_monotonic_time();
    int result = -1;

    struct sigaction sa;
    struct sigaction old_sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = shell_block_sigint;
    sigemptyset(&sa.sa_mask);
    shell_block_interrupted = 0;
    sigaction(SIGINT, &sa, &old_sa);
    g_mutex_init(&w.lock);
    g_cond_init(&w.cond);
    ids[0] = qv_connect_domain_event_register_any(sh->conn, dom, QV_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                                  block_watch_event_cb, &w, NULL);
    ids[1] = qv_connect_domain_event_register_any(sh->conn, dom, QV_DOMAIN_EVENT_ID_BLOCK_JOB,
                                                  block_watch_event_cb, &w, NULL);
    have_events = ids[0] > 0 || ids[1] > 0;
    qvirt_error_reset(); /* without events, polling alone ends the watch */

    for (;;) {
        QvDomainBlockJobInfo info = {0};
        guint seen;
        int status = block_watch_status(&w, &seen);
        int rc = qv_domain_get_block_job_info(dom, req->disk, &info, 0);
        gint64 now;
        gint64 deadline;

        if (rc < 0) {
            shell_report_last(sh);
            break;
        }
        if (rc == 0) {
            /* The job is gone; its event says how it ended. */
            if (status < 0 && have_events)
                status = block_watch_wait(&w, seen,
                                          g_get_monotonic_time() +
                                              SHELL_BLOCK_EVENT_GRACE_MS * G_TIME_SPAN_MILLISECOND);
            else
                status = block_watch_status(&w, &seen);
            result = status >= 0 && status != QV_DOMAIN_BLOCK_JOB_READY
                         ? status
                         : QV_DOMAIN_BLOCK_JOB_COMPLETED;
            if (req->verbose && result == QV_DOMAIN_BLOCK_JOB_COMPLETED)
                block_print_progress(sh, job_type, 1, 1);
            break;
        }
        job_type = info.type;
        if (req->verbose)
            block_print_progress(sh, info.type, info.cur, info.end);
        if ((info.type == QV_DOMAIN_BLOCK_JOB_TYPE_COPY ||
             info.type == QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT || req->kind == SHELL_BLOCK_COPY ||
             (req->flags & QV_DOMAIN_BLOCK_COMMIT_ACTIVE && req->kind == SHELL_BLOCK_COMMIT)) &&
            ((info.end > 0 && info.cur == info.end) || status == QV_DOMAIN_BLOCK_JOB_READY)) {
            if (req->verbose && info.cur != info.end)
                block_print_progress(sh, info.type, 1, 1);
            result = QV_DOMAIN_BLOCK_JOB_READY;
            break;
        }
        if (status == QV_DOMAIN_BLOCK_JOB_FAILED || status == QV_DOMAIN_BLOCK_JOB_CANCELED) {
            result = status;
            break;
        }
        now = g_get_monotonic_time();
        if (shell_block_interrupted ||
            (req->timeout_ms > 0 && now - start >= req->timeout_ms * G_TIME_SPAN_MILLISECOND)) {
            unsigned int flags = req->async ? QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0;

            if (qv_domain_block_job_abort(dom, req->disk, flags) < 0) {
                shell_report_last(sh);
                shell_error(sh, _("failed to abort job for disk %s"), req->disk);
                break;
            }
            result = QV_DOMAIN_BLOCK_JOB_CANCELED;
            break;
        }
        deadline = now + SHELL_BLOCK_POLL_MS * G_TIME_SPAN_MILLISECOND;
        if (req->timeout_ms > 0)
            deadline = MIN(deadline, start + req->timeout_ms * G_TIME_SPAN_MILLISECOND);
        /* The next look comes after the period, or at once on an event. */
        block_watch_wait(&w, seen, deadline);
    }
    for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
        if (ids[i] > 0)
            qv_connect_domain_event_deregister_any(sh->conn, ids[i]);
    }
    qvirt_error_reset();
    sigaction(SIGINT, &old_sa, NULL);
    shell_block_interrupted = 0;
    g_cond_clear(&w.cond);
    g_mutex_clear(&w.lock);
    return result;
}

/* ---- blockpull, blockcopy, blockcommit ---- */

static int
block_start(QvDomain *dom, const ShellBlockRequest *req)
{
    switch (req->kind) {
    case SHELL_BLOCK_PULL:
        if (req->use_rebase)
            return qv_domain_block_rebase(dom, req->disk, req->base, req->bandwidth, req->flags);
        return qv_domain_block_pull(dom, req->disk, req->bandwidth, req->flags);
    case SHELL_BLOCK_COPY:
        return qv_domain_block_copy(dom, req->disk, req->destxml, req->params, req->nparams,
                                    req->flags);
    case SHELL_BLOCK_COMMIT:
        return qv_domain_block_commit(dom, req->disk, req->base, req->top, req->bandwidth,
                                      req->flags);
    }
    return -1;
}

static gboolean
block_run(Shell *sh, ShellArgs *args, ShellBlockKind kind)
{
    g_autoptr(ShellBlockRequest) req = shell_block_request_new(sh, kind, args);
    g_autoptr(QvDomain) dom = NULL;
    int status;

    if (!req || !shell_connect(sh) || !(dom = shell_args_domain(sh, args)))
        return FALSE;
    if (block_start(dom, req) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    if (!req->wait) {
        shell_print_extra(sh, "%s\n",
                          kind == SHELL_BLOCK_PULL   ? _("Block Pull started")
                          : kind == SHELL_BLOCK_COPY ? _("Block Copy started")
                                                     : _("Block Commit started"));
        return TRUE;
    }
    status = block_watch(sh, dom, req);
    if (status < 0)
        return FALSE;
    if (status == QV_DOMAIN_BLOCK_JOB_FAILED) {
        fputc('\n', sh->err);
        shell_error(sh, "%s",
                    kind == SHELL_BLOCK_PULL   ? _("Pull failed")
                    : kind == SHELL_BLOCK_COPY ? _("Copy failed")
                                               : _("Commit failed"));
        return FALSE;
    }
    if (status == QV_DOMAIN_BLOCK_JOB_CANCELED) {
        /* As virsh: a message on standard output, and a failed command. */
        shell_print_extra(sh, "\n%s\n",
                          kind == SHELL_BLOCK_PULL   ? _("Pull aborted")
                          : kind == SHELL_BLOCK_COPY ? _("Copy aborted")
                                                     : _("Commit aborted"));
        return FALSE;
    }
    if (status == QV_DOMAIN_BLOCK_JOB_READY && (req->pivot || req->finish)) {
        unsigned int flags = req->pivot ? QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT : 0;

        if (qv_domain_block_job_abort(dom, req->disk, flags) < 0) {
            shell_report_last(sh);
            if (req->pivot)
                shell_error(sh, _("failed to pivot job for disk %s"), req->disk);
            else
                shell_error(sh, _("failed to finish job for disk %s"), req->disk);
            return FALSE;
        }
    }
    switch (kind) {
    case SHELL_BLOCK_PULL:
        shell_print_extra(sh, "\n%s\n", _("Pull complete"));
        break;
    case SHELL_BLOCK_COPY:
        shell_print_extra(sh, "\n%s\n",
                          req->pivot    ? _("Successfully pivoted")
                          : req->finish ? _("Successfully copied")
                                        : _("Now in mirroring phase"));
        break;
    case SHELL_BLOCK_COMMIT:
        if (status != QV_DOMAIN_BLOCK_JOB_READY)
            shell_print_extra(sh, "\n%s\n", _("Commit complete"));
        else
            shell_print_extra(sh, "\n%s\n",
                              req->pivot    ? _("Successfully pivoted")
                              : req->finish ? _("Commit complete, overlay image kept")
                                            : _("Now in synchronized phase"));
        break;
    }
    return TRUE;
}

gboolean
cmd_blockpull(Shell *sh, ShellArgs *args)
{
    return block_run(sh, args, SHELL_BLOCK_PULL);
}

gboolean
cmd_blockcopy(Shell *sh, ShellArgs *args)
{
    return block_run(sh, args, SHELL_BLOCK_COPY);
}

gboolean
cmd_blockcommit(Shell *sh, ShellArgs *args)
{
    return block_run(sh, args, SHELL_BLOCK_COMMIT);
}

/* ---- blockjob ---- */

/* virsh's human figure of a rate in bytes. */
static double
block_pretty(unsigned long long value, const char **ret_unit)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)value;
    guint i = 0;

    while (v >= 1024.0 && i + 1 < G_N_ELEMENTS(units)) {
        v /= 1024.0;
        i++;
    }
    *ret_unit = units[i];
    return v;
}

static gboolean
blockjob_info(Shell *sh, QvDomain *dom, const char *disk, gboolean raw, gboolean bytes)
{
    QvDomainBlockJobInfo info = {0};
    unsigned int flags = (raw && !bytes) ? 0 : QV_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES;
    int rc = qv_domain_get_block_job_info(dom, disk, &info, flags);

    if (rc < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    if (rc == 0) {
        if (raw)
            fprintf(sh->out, _(" No current block job for %s\n"), disk);
        else
            shell_print_extra(sh, _("No current block job for %s\n"), disk);
        return TRUE;
    }
    if (raw) {
        static const char *const types[] = {"Unknown job",  "Block Pull",          "Block Copy",
                                            "Block Commit", "Active Block Commit", "Backup"};
        int t = info.type >= 0 && info.type < (int)G_N_ELEMENTS(types) ? info.type : 0;

        fprintf(sh->out, " type=%s\n bandwidth=%llu\n cur=%llu\n end=%llu\n", types[t],
                info.bandwidth, info.cur, info.end);
        return TRUE;
    }
    block_print_progress(sh, info.type, info.cur, info.end);
    if (info.bandwidth) {
        const char *unit;
        double v = block_pretty(info.bandwidth, &unit);

        fprintf(sh->out, _("    Bandwidth limit: %llu bytes/s (%-.3f %s/s)"), info.bandwidth, v,
                unit);
    }
    fputc('\n', sh->out);
    return TRUE;
}

gboolean
cmd_blockjob(Shell *sh, ShellArgs *args)
{
    const char *disk = shell_opt_str(args, "path");
    gboolean bytes = shell_opt_bool(args, "bytes");
    g_autoptr(QvDomain) dom = NULL;
    int mode = shell_blockjob_mode(sh, args);
    guint64 bw = 0;

    if (mode < 0)
        return FALSE;
    if (mode == SHELL_BLOCKJOB_SPEED &&
        block_opt_number(sh, args, "bandwidth", G_MAXUINT64, &bw) < 0)
        return FALSE;
    if (!shell_connect(sh) || !(dom = shell_args_domain(sh, args)))
        return FALSE;
    switch (mode) {
    case SHELL_BLOCKJOB_ABORT: {
        unsigned int flags = 0;

        if (shell_opt_bool(args, "async"))
            flags |= QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC;
        if (shell_opt_bool(args, "pivot"))
            flags |= QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT;
        if (qv_domain_block_job_abort(dom, disk, flags) < 0) {
            shell_report_last(sh);
            return FALSE;
        }
        return TRUE;
    }
    case SHELL_BLOCKJOB_SPEED:
        if (qv_domain_block_job_set_speed(
                dom, disk, bw, bytes ? QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES : 0) < 0) {
            shell_report_last(sh);
            return FALSE;
        }
        return TRUE;
    default:
        return blockjob_info(sh, dom, disk, shell_opt_bool(args, "raw"), bytes);
    }
}

/* qemu_dump_writer.c: the image writer of a core dump (see qemu_dump.h):
 * an unnamed file in the target's folder, a pipe whose write end goes to
 * QEMU, and a thread that copies the pipe into the file until EOF, an
 * error or a cancel; the file gets its name only when everything is on
 * disk.
 *
 * Contract details:
 * - The file is opened with O_TMPFILE, so nothing is visible in the folder
 *   until qemu_dump_writer_commit() links it under a hidden temporary name
 *   and renames that over the target: a daemon killed meanwhile leaves no
 *   file at all. Filesystems without O_TMPFILE get a hidden named file
 *   (".NAME.XXXXXX") instead, removed on failure; the dump job records its
 *   name, so recovery after a killed daemon removes it.
 * - Cancel closes the read end of the pipe (from the copy thread itself,
 *   so no descriptor number is reused under anyone's feet): QEMU's next
 *   write fails with EPIPE and its dump or migration ends with an error.
 *   QEMU ignores SIGPIPE.
 * - The copy thread holds no lock while it reads or writes; the counters
 *   and the outcome are under the writer's mutex. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu_dump.h"
#include "util/cachedrop.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.dump.writer");

/* One read from the pipe, and the pipe's size we ask for. */
#define WRITER_CHUNK (1024 * 1024)
/* With BYPASS_CACHE, written pages are flushed and dropped this often. */
#define WRITER_DROP_EVERY (8 * 1024 * 1024)
/* Attempts at a free hidden name when the unnamed file is linked. */
#define WRITER_NAME_ATTEMPTS 100

struct _QemuDumpWriter {
    char *path;     /* the final name */
    char *dir;      /* its folder */
    char *tmp_path; /* the hidden named file (no O_TMPFILE), or NULL */
    int file_fd;
    int pipe_rd; /* the copy thread's; it closes it when it ends */
    int pipe_wr; /* for QEMU, until qemu_dump_writer_close_input() */
    int wake_rd; /* a byte here tells the copy thread to stop */
    int wake_wr;
    gboolean bypass_cache;
    guint64 max_bps;
    GThread *thread;
    gboolean committed;

    GMutex lock; /* guards the members below */
    GCond cond;
    gboolean done;      /* the copy thread has ended */
    gboolean eof;       /* ... after reading EOF */
    gboolean cancelled; /* qemu_dump_writer_cancel() was called */
    int error_errno;    /* a read or write failed with this errno */
    const char *error_what;
    guint64 bytes; /* copied into the file so far */
};

/* How long to hold off before the next read so that the copy stays under
 * max_bps (ms, 0: read now). */
static int
writer_throttle_ms(QemuDumpWriter *w, gint64 started, guint64 copied)
{
    gint64 elapsed_us;
    gint64 due_us;

    if (w->max_bps == 0)
        return 0;
    elapsed_us = g_get_monotonic_time() - started;
    due_us = (gint64)(copied * (double)G_USEC_PER_SEC / (double)w->max_bps);
    if (due_us <= elapsed_us)
        return 0;
    return (int)MIN((due_us - elapsed_us + 999) / 1000, 1000);
}

static void
writer_fail(QemuDumpWriter *w, int errnum, const char *what)
{
    g_mutex_lock(&w->lock);
    if (!w->error_errno) {
        w->error_errno = errnum;
        w->error_what = what;
    }
    g_mutex_unlock(&w->lock);
}

static gpointer
writer_thread(gpointer opaque)
{
    QemuDumpWriter *w = opaque;
    g_autofree char *buf = g_malloc(WRITER_CHUNK);
    size_t chunk = WRITER_CHUNK;
    gint64 started = g_get_monotonic_time();
    guint64 copied = 0;
    guint64 since_drop = 0;
    gboolean eof = FALSE;

    /* A throttled copy reads about a tenth of a second's worth at a time. */
    if (w->max_bps > 0)
        chunk = CLAMP(w->max_bps / 10, 4096, WRITER_CHUNK);
    while (TRUE) {
        struct pollfd pfd[2] = {{.fd = w->pipe_rd, .events = POLLIN},
                                {.fd = w->wake_rd, .events = POLLIN}};
        int wait_ms = writer_throttle_ms(w, started, copied);
        ssize_t n;

        if (wait_ms > 0)
            pfd[0].events = 0; /* only a cancel ends the pause early */
        if (poll(pfd, 2, wait_ms > 0 ? wait_ms : -1) < 0) {
            if (errno == EINTR)
                continue;
            writer_fail(w, errno, "poll");
            break;
        }
        if (pfd[1].revents)
            break; /* cancelled */
        if (wait_ms > 0 || !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        n = read(w->pipe_rd, buf, chunk);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            writer_fail(w, errno, "read");
            break;
        }
        if (n == 0) {
            eof = TRUE;
            break;
        }
        if (qvirt_fd_write_all(w->file_fd, buf, (size_t)n) < 0) {
            writer_fail(w, errno ? errno : EIO, "write");
            break;
        }
        copied += (guint64)n;
        since_drop += (guint64)n;
        if (w->bypass_cache && since_drop >= WRITER_DROP_EVERY) {
            (void)qvirt_fd_drop_cache(w->file_fd);
            since_drop = 0;
        }
        g_mutex_lock(&w->lock);
        w->bytes = copied;
        g_mutex_unlock(&w->lock);
    }
    /* From now on QEMU's writes fail with EPIPE. */
    qvirt_fd_close(&w->pipe_rd);
    if (eof && w->bypass_cache)
        (void)qvirt_fd_drop_cache(w->file_fd);
    g_mutex_lock(&w->lock);
    w->bytes = copied;
    w->eof = eof;
    w->done = TRUE;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
    return NULL;
}

/* Open the unnamed file in W->dir (or a hidden named one). */
static int
writer_open_file(QemuDumpWriter *w)
{
    g_autofree char *base = g_path_get_basename(w->path);
    g_autofree char *tmpl = NULL;

#ifdef O_TMPFILE
    w->file_fd = open(w->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (w->file_fd >= 0)
        return 0;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        qvirt_report_system_error(errno, _("cannot create the dump file in folder '%s'"), w->dir);
        return -1;
    }
#endif
    tmpl = g_strdup_printf("%s/.%s.XXXXXX", w->dir, base);
    w->file_fd = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, 0600);
    if (w->file_fd < 0) {
        qvirt_report_system_error(errno, _("cannot create the dump file in folder '%s'"), w->dir);
        return -1;
    }
    w->tmp_path = g_steal_pointer(&tmpl);
    return 0;
}

QemuDumpWriter *
qemu_dump_writer_new(const char *path, gboolean bypass_cache, guint64 max_bps)
{
    g_autoptr(QemuDumpWriter) w = g_new0(QemuDumpWriter, 1);
    g_autoptr(GError) err = NULL;
    int fds[2];
    struct stat st;

    g_mutex_init(&w->lock);
    g_cond_init(&w->cond);
    w->file_fd = w->pipe_rd = w->pipe_wr = w->wake_rd = w->wake_wr = -1;
    if (!path || !g_path_is_absolute(path)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("dump file path '%s' is not absolute"),
                           path ? path : "");
        return NULL;
    }
    w->path = g_strdup(path);
    w->dir = g_path_get_dirname(path);
    w->bypass_cache = bypass_cache;
    w->max_bps = max_bps;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("dump file path '%s' is a folder"), path);
        return NULL;
    }
    if (writer_open_file(w) < 0)
        return NULL;
    if (pipe2(fds, O_CLOEXEC) < 0) {
        qvirt_report_system_error(errno, _("cannot create a pipe for the dump to '%s'"), path);
        return NULL;
    }
    w->pipe_rd = fds[0];
    w->pipe_wr = fds[1];
    /* Fewer, larger writes from QEMU; the default size works too. */
    (void)fcntl(w->pipe_wr, F_SETPIPE_SZ, WRITER_CHUNK);
    if (pipe2(fds, O_CLOEXEC) < 0) {
        qvirt_report_system_error(errno, _("cannot create a pipe for the dump to '%s'"), path);
        return NULL;
    }
    w->wake_rd = fds[0];
    w->wake_wr = fds[1];
    if (!(w->thread = g_thread_try_new("qemu-dump-copy", writer_thread, w, &err))) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("cannot start the dump copy thread: %s"),
                           err->message);
        return NULL;
    }
    return g_steal_pointer(&w);
}

int
qemu_dump_writer_input_fd(QemuDumpWriter *w)
{
    return w->pipe_wr;
}

void
qemu_dump_writer_close_input(QemuDumpWriter *w)
{
    qvirt_fd_close(&w->pipe_wr);
}

const char *
qemu_dump_writer_get_path(QemuDumpWriter *w)
{
    return w->path;
}

const char *
qemu_dump_writer_get_temp_path(QemuDumpWriter *w)
{
    return w->tmp_path;
}

void
qemu_dump_writer_cancel(QemuDumpWriter *w)
{
    char byte = 1;

    g_mutex_lock(&w->lock);
    if (!w->cancelled && !w->done) {
        w->cancelled = TRUE;
        if (write(w->wake_wr, &byte, 1) < 0)
            QVIRT_WARN("cannot wake the dump copy thread of '%s': %s", w->path, g_strerror(errno));
    }
    g_mutex_unlock(&w->lock);
}

guint64
qemu_dump_writer_get_bytes(QemuDumpWriter *w)
{
    guint64 bytes;

    g_mutex_lock(&w->lock);
    bytes = w->bytes;
    g_mutex_unlock(&w->lock);
    return bytes;
}

gboolean
qemu_dump_writer_is_done(QemuDumpWriter *w)
{
    gboolean done;

    g_mutex_lock(&w->lock);
    done = w->done;
    g_mutex_unlock(&w->lock);
    return done;
}

int
qemu_dump_writer_finish(QemuDumpWriter *w, gint64 deadline)
{
    int ret = 0;

    /* QEMU holds the only write end from now on: its close is our EOF. */
    qemu_dump_writer_close_input(w);
    g_mutex_lock(&w->lock);
    while (!w->done) {
        if (!g_cond_wait_until(&w->cond, &w->lock, deadline) && !w->done) {
            g_mutex_unlock(&w->lock);
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("the dump to '%s' did not end: QEMU keeps its end of the pipe "
                                 "open"),
                               w->path);
            return -1;
        }
    }
    if (w->error_errno) {
        qvirt_report_system_error(w->error_errno, _("cannot %s the dump file '%s'"),
                                  g_str_equal(w->error_what, "write") ? "write" : "copy", w->path);
        ret = -1;
    } else if (!w->eof) {
        qvirt_report_error(QVIRT_ERR_OPERATION_ABORTED, _("the dump to '%s' was cancelled"),
                           w->path);
        ret = -1;
    }
    g_mutex_unlock(&w->lock);
    if (ret == 0 && w->thread) {
        g_thread_join(w->thread);
        w->thread = NULL;
    }
    return ret;
}

/* Give the unnamed file a hidden name in its folder (new string). */
static char *
writer_link_unnamed(QemuDumpWriter *w)
{
    g_autofree char *base = g_path_get_basename(w->path);
    g_autofree char *proc = g_strdup_printf("/proc/self/fd/%d", w->file_fd);

    for (int i = 0; i < WRITER_NAME_ATTEMPTS; i++) {
        g_autofree char *tmp = g_strdup_printf("%s/.%s.%08x", w->dir, base, g_random_int());

        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
            return g_steal_pointer(&tmp);
        if (errno != EEXIST) {
            qvirt_report_system_error(errno, _("cannot give the dump file '%s' a name"), w->path);
            return NULL;
        }
    }
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                       _("cannot give the dump file '%s' a name: every temporary name is taken"),
                       w->path);
    return NULL;
}

int
qemu_dump_writer_commit(QemuDumpWriter *w)
{
    g_autofree char *linked = NULL;
    gboolean complete;

    g_mutex_lock(&w->lock);
    complete = w->done && w->eof && !w->error_errno;
    g_mutex_unlock(&w->lock);
    if (!complete || w->committed) {
        qvirt_report_internal(_("the dump to '%s' cannot be committed now"), w->path);
        return -1;
    }
    if (fsync(w->file_fd) < 0) {
        qvirt_report_system_error(errno, _("cannot sync the dump file '%s'"), w->path);
        return -1;
    }
    if (!w->tmp_path && !(linked = writer_link_unnamed(w)))
        return -1;
    if (rename(w->tmp_path ? w->tmp_path : linked, w->path) < 0) {
        qvirt_report_system_error(errno, _("cannot rename the dump file to '%s'"), w->path);
        if (linked)
            unlink(linked);
        return -1;
    }
    w->committed = TRUE;
    g_clear_pointer(&w->tmp_path, g_free);
    if (qvirt_dir_sync(w->dir) < 0) {
        QVIRT_WARN("after the dump to '%s': %s", w->path, qvirt_error_last_message());
        qvirt_error_reset();
    }
    return 0;
}

void
qemu_dump_writer_free(QemuDumpWriter *w)
{
    if (!w)
        return;
    if (w->thread) {
        if (w->wake_wr >= 0)
            qemu_dump_writer_cancel(w);
        g_thread_join(w->thread);
    }
    qvirt_fd_close(&w->pipe_rd);
    qvirt_fd_close(&w->pipe_wr);
    qvirt_fd_close(&w->wake_rd);
    qvirt_fd_close(&w->wake_wr);
    qvirt_fd_close(&w->file_fd);
    if (w->tmp_path && !w->committed && unlink(w->tmp_path) < 0 && errno != ENOENT)
        QVIRT_WARN("cannot remove the partial dump file '%s': %s", w->tmp_path, g_strerror(errno));
    g_free(w->tmp_path);
    g_free(w->path);
    g_free(w->dir);
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->cond);
    g_free(w);
}

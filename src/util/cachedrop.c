/* cachedrop.c: dropping a file's pages from the page cache as it is
 * written or read (see cachedrop.h). The dropper thread holds no lock of
 * anyone else's: it only syncs and advises on the descriptor it was given,
 * and its own mutex guards the stop request. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cachedrop.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* The dropper looks at the file this often... */
#define DROPPER_INTERVAL_MS 200
/* ...and drops once it has grown by this much since the last drop. */
#define DROPPER_GROWTH (8 * 1024 * 1024)

struct _QvirtCacheDropper {
    int fd;
    GThread *thread;
    GMutex lock; /* guards stop */
    GCond cond;
    gboolean stop;
};

int
qvirt_fd_drop_cache(int fd)
{
    int rc;

    if (fdatasync(fd) < 0)
        return -1;
    rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

int
qvirt_fd_drop_cache_range(int fd, off_t len)
{
    int rc;

    if (len <= 0)
        return 0;
    rc = posix_fadvise(fd, 0, len, POSIX_FADV_DONTNEED);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

static gpointer
dropper_thread(gpointer opaque)
{
    QvirtCacheDropper *d = opaque;
    off_t dropped_at = 0;

    g_mutex_lock(&d->lock);
    while (!d->stop) {
        gint64 until = g_get_monotonic_time() + DROPPER_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
        struct stat st;

        if (g_cond_wait_until(&d->cond, &d->lock, until) || d->stop)
            continue;
        g_mutex_unlock(&d->lock);
        /* A failed sync only leaves pages in the cache: the save itself
         * syncs (and reports) when it completes. */
        if (fstat(d->fd, &st) == 0 && st.st_size - dropped_at >= DROPPER_GROWTH &&
            qvirt_fd_drop_cache(d->fd) == 0)
            dropped_at = st.st_size;
        g_mutex_lock(&d->lock);
    }
    g_mutex_unlock(&d->lock);
    return NULL;
}

QvirtCacheDropper *
qvirt_cache_dropper_start(int fd)
{
    QvirtCacheDropper *d = g_new0(QvirtCacheDropper, 1);
    g_autoptr(GError) err = NULL;

    d->fd = fd;
    g_mutex_init(&d->lock);
    g_cond_init(&d->cond);
    if (!(d->thread = g_thread_try_new("cache-dropper", dropper_thread, d, &err))) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, _("cannot start the page cache thread: %s"),
                           err->message);
        g_mutex_clear(&d->lock);
        g_cond_clear(&d->cond);
        g_free(d);
        return NULL;
    }
    return d;
}

void
qvirt_cache_dropper_stop(QvirtCacheDropper *d)
{
    if (!d)
        return;
    g_mutex_lock(&d->lock);
    d->stop = TRUE;
    g_cond_signal(&d->cond);
    g_mutex_unlock(&d->lock);
    g_thread_join(d->thread);
    g_mutex_clear(&d->lock);
    g_cond_clear(&d->cond);
    g_free(d);
}

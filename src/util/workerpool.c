/* workerpool.c: worker threads over a non-exclusive GThreadPool, with our
 * own counters for the queue bound and statistics (see workerpool.h).
 *
 * The counters live under pool->lock: a push counts the job as queued before
 * handing it to GLib, and the job moves from queued to running when a worker
 * picks it up. Push holds pool->lock while calling g_thread_pool_push(), so
 * once free has set `closing` no job can reach the GThreadPool any more.
 * Lock order: pool->lock, then GLib's queue lock; GLib calls our run function
 * without its queue lock held. */
#include <config.h>

#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"
#include "util/workerpool.h"

#define QVIRT_FROM_THIS QVIRT_FROM_THREAD

QVIRT_LOG_INIT("util.workerpool");

struct _QvirtWorkerPool {
    char *name;
    GThreadPool *pool;
    QvirtWorkerFunc func;
    gpointer opaque;

    guint max_threads;

    QvirtMutex lock;  /* pthread-based so that ThreadSanitizer sees it */
    guint max_queued; /* 0: unbounded */
    guint queued;     /* pushed, not yet started */
    guint running;
    gboolean closing; /* free has begun: pushes fail */
    gboolean discard; /* free(wait=FALSE): drop jobs not yet started */
    GDestroyNotify job_free;
    /* Atomic, set last in new() and read first in run(): non-exclusive
     * threads may predate the pool and receive jobs through GLib's queue,
     * whose futex locks ThreadSanitizer cannot see; this store/load pair
     * shows it that the pool's setup comes before any use by a worker. */
    gint published;
};

/* The pool whose job the current thread is running, to catch free from a job. */
static GPrivate qvirt_worker_pool_current;

/* Every job ends with a pass through pool->lock, which free() takes after
 * GLib's wait: that orders everything a job did before the pool is freed. */
static void
qvirt_worker_pool_run(gpointer job, gpointer data)
{
    QvirtWorkerPool *pool = data;
    GDestroyNotify discard_free = NULL;
    gboolean discard;

    g_assert(g_atomic_int_get(&pool->published));
    qvirt_mutex_lock(&pool->lock);
    discard = pool->discard;
    if (discard) {
        discard_free = pool->job_free; /* still counted as queued until dropped */
    } else {
        pool->queued--;
        pool->running++;
    }
    qvirt_mutex_unlock(&pool->lock);

    if (discard) {
        if (discard_free)
            discard_free(job);
        qvirt_mutex_lock(&pool->lock);
        pool->queued--;
        qvirt_mutex_unlock(&pool->lock);
        return;
    }

    g_private_set(&qvirt_worker_pool_current, pool);
    pool->func(job, pool->opaque);
    g_private_set(&qvirt_worker_pool_current, NULL);

    qvirt_mutex_lock(&pool->lock);
    pool->running--;
    qvirt_mutex_unlock(&pool->lock);
}

QvirtWorkerPool *
qvirt_worker_pool_new(const char *name, guint max_threads, QvirtWorkerFunc func,
                      gpointer pool_opaque)
{
    g_autoptr(GError) err = NULL;
    QvirtWorkerPool *pool;

    g_return_val_if_fail(func != NULL, NULL);

    if (!name)
        name = "workers";
    if (max_threads == 0 || max_threads > G_MAXINT) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("invalid number of threads %u for worker pool '%s': expected 1 to %d"),
                           max_threads, name, G_MAXINT);
        return NULL;
    }

    pool = g_new0(QvirtWorkerPool, 1);
    pool->name = g_strdup(name);
    pool->func = func;
    pool->opaque = pool_opaque;
    pool->max_threads = max_threads;
    qvirt_mutex_init(&pool->lock);
    /* Non-exclusive: threads are started on demand and shared with GLib's
     * other non-exclusive pools when idle; the bound per pool still holds. */
    pool->pool = g_thread_pool_new(qvirt_worker_pool_run, pool, (gint)max_threads, FALSE, &err);
    if (!pool->pool) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("cannot create worker pool '%s': %s"),
                           name, err ? err->message : _("unknown error"));
        qvirt_mutex_clear(&pool->lock);
        g_free(pool->name);
        g_free(pool);
        return NULL;
    }
    g_atomic_int_set(&pool->published, 1);
    QVIRT_DEBUG("worker pool '%s' created with up to %u threads", pool->name, max_threads);
    return pool;
}

int
qvirt_worker_pool_push(QvirtWorkerPool *pool, gpointer job)
{
    g_autoptr(GError) err = NULL;

    g_return_val_if_fail(pool != NULL, -1);

    if (!job) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("cannot queue an empty job to worker pool '%s'"), pool->name);
        return -1;
    }

    qvirt_mutex_lock(&pool->lock);
    if (pool->closing) {
        qvirt_mutex_unlock(&pool->lock);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("cannot queue a job: worker pool '%s' is shutting down"), pool->name);
        return -1;
    }
    /* Jobs just pushed count as queued until a thread picks them up, so
     * the bound is on the whole pool: with every thread busy, it is a bound
     * on the jobs waiting; with idle threads, a burst is not refused. */
    if (pool->max_queued > 0 &&
        (guint64)pool->running + pool->queued >= (guint64)pool->max_threads + pool->max_queued) {
        guint running = pool->running;
        guint queued = pool->queued;
        guint max_queued = pool->max_queued;

        qvirt_mutex_unlock(&pool->lock);
        qvirt_report_error(
            QVIRT_ERR_RESOURCE_BUSY,
            _("worker pool '%s' is full: %u running, %u waiting, at most %u may wait"), pool->name,
            running, queued, max_queued);
        return -1;
    }
    pool->queued++;
    /* On failure to start a new thread GLib still queues the job, which then
     * runs on one of the pool's existing threads: the push has succeeded. */
    if (!g_thread_pool_push(pool->pool, job, &err))
        QVIRT_WARN("worker pool '%s': cannot start a thread, job left queued: %s", pool->name,
                   err ? err->message : "unknown error");
    qvirt_mutex_unlock(&pool->lock);
    return 0;
}

void
qvirt_worker_pool_set_max_queued(QvirtWorkerPool *pool, guint max)
{
    g_return_if_fail(pool != NULL);

    qvirt_mutex_lock(&pool->lock);
    pool->max_queued = max;
    qvirt_mutex_unlock(&pool->lock);
}

void
qvirt_worker_pool_set_job_free(QvirtWorkerPool *pool, GDestroyNotify job_free)
{
    g_return_if_fail(pool != NULL);

    qvirt_mutex_lock(&pool->lock);
    pool->job_free = job_free;
    qvirt_mutex_unlock(&pool->lock);
}

void
qvirt_worker_pool_get_stats(QvirtWorkerPool *pool, guint *ret_running, guint *ret_queued)
{
    guint running;
    guint queued;

    g_return_if_fail(pool != NULL);

    qvirt_mutex_lock(&pool->lock);
    running = pool->running;
    queued = pool->queued;
    qvirt_mutex_unlock(&pool->lock);

    if (ret_running)
        *ret_running = running;
    if (ret_queued)
        *ret_queued = queued;
}

void
qvirt_worker_pool_free(QvirtWorkerPool *pool, gboolean wait)
{
    guint queued;

    if (!pool)
        return;
    /* GLib would wait for the calling job to finish: a deadlock. */
    g_return_if_fail(g_private_get(&qvirt_worker_pool_current) != pool);

    qvirt_mutex_lock(&pool->lock);
    pool->closing = TRUE;
    pool->discard = !wait;
    queued = pool->queued;
    qvirt_mutex_unlock(&pool->lock);

    QVIRT_DEBUG("worker pool '%s' stopping: %u jobs queued, %s", pool->name, queued,
                wait ? "running them" : "discarding them");
    /* Not immediate: every queued job is handed to qvirt_worker_pool_run,
     * which runs it or discards it; wait until all of them are done. */
    g_thread_pool_free(pool->pool, FALSE, TRUE);

    /* Every job has returned; taking the lock once orders their last
     * accesses to POOL before the free below for ThreadSanitizer, which
     * cannot see GLib's futex-based wait inside g_thread_pool_free. */
    qvirt_mutex_lock(&pool->lock);
    qvirt_mutex_unlock(&pool->lock);

    qvirt_mutex_clear(&pool->lock);
    g_free(pool->name);
    g_free(pool);
}

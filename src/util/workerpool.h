/* workerpool.h: a named pool of worker threads that run queued jobs (RPC
 * calls, domain work), over GThreadPool.
 *
 * Contract:
 * - Jobs run on at most max_threads threads at once, each job exactly once,
 *   unless the pool is freed without waiting (then jobs not yet started are
 *   discarded and given to the job free function, if one is set).
 * - With a bound MAX set by qvirt_worker_pool_set_max_queued(), a push fails
 *   at once with QVIRT_ERR_RESOURCE_BUSY when max_threads + MAX jobs are
 *   already in the pool (running or waiting), i.e. when the job would have
 *   to wait behind MAX others; the caller keeps the job.
 * - Every function may be called from any thread, including from a job;
 *   qvirt_worker_pool_free() must not be called from one of the pool's own
 *   jobs nor race with other calls on the same pool (a push from a job
 *   while free waits fails cleanly with QVIRT_ERR_OPERATION_INVALID).
 * - Threads are not named (GThreadPool offers no way to); the pool's name is
 *   used in errors and logs. */
#pragma once

#include <glib.h>

typedef struct _QvirtWorkerPool QvirtWorkerPool;

/* Runs JOB on a worker thread; POOL_OPAQUE is the pool's opaque. */
typedef void (*QvirtWorkerFunc)(gpointer job, gpointer pool_opaque);

/* A pool that runs FUNC(job, POOL_OPAQUE) on up to MAX_THREADS threads.
 * Returns NULL with an error reported when MAX_THREADS is 0 or too large. */
QvirtWorkerPool *qvirt_worker_pool_new(const char *name, guint max_threads, QvirtWorkerFunc func,
                                       gpointer pool_opaque);

/* Queue JOB (not NULL). Returns 0, or -1 with an error reported: NULL job
 * (INVALID_ARG), queue full (RESOURCE_BUSY), pool shutting down
 * (OPERATION_INVALID). On failure the caller keeps JOB. */
int qvirt_worker_pool_push(QvirtWorkerPool *pool, gpointer job);

/* Bound the number of waiting jobs (see the contract above); 0, the
 * default, means unbounded. Jobs already queued beyond a lowered bound stay
 * queued. */
void qvirt_worker_pool_set_max_queued(QvirtWorkerPool *pool, guint max);

/* Function that frees a job discarded by qvirt_worker_pool_free(pool, FALSE);
 * without one, discarded jobs are simply dropped. */
void qvirt_worker_pool_set_job_free(QvirtWorkerPool *pool, GDestroyNotify job_free);

/* Jobs running now and jobs waiting to start; either pointer may be NULL. */
void qvirt_worker_pool_get_stats(QvirtWorkerPool *pool, guint *ret_running, guint *ret_queued);

/* Stop accepting jobs and free the pool. WAIT=TRUE runs every queued job
 * first; WAIT=FALSE discards jobs not yet started. Either way it returns only
 * once running jobs have finished. NULL is accepted. */
void qvirt_worker_pool_free(QvirtWorkerPool *pool, gboolean wait);

/* For g_autoptr: free the pool, letting queued jobs finish. */
static inline void
qvirt_worker_pool_free_wait(QvirtWorkerPool *pool)
{
    qvirt_worker_pool_free(pool, TRUE);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvirtWorkerPool, qvirt_worker_pool_free_wait)

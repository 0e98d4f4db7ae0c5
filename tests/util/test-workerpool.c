/* test-workerpool.c: the worker pool (every job once, the thread bound, the
 * queue bound, freeing with and without waiting) and deadline waits.
 *
 * Jobs that must stay busy wait on a gate that the test opens. Test state
 * uses QvirtMutex/QvirtCond and atomics, which ThreadSanitizer can see; the
 * deadline cases use GMutex/GCond because that is what they test. Every wait
 * has a generous deadline that only turns a hang into a failure. Nothing
 * here measures time. */
#include <config.h>

#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/threads.h"
#include "util/workerpool.h"

/* Only guards against a hang; never a timing assertion. */
#define TEST_WAIT_MS (30 * 1000)
#define TEST_JOBS 1000

typedef struct {
    QvirtMutex lock;
    QvirtCond cond;
    gboolean open;   /* the gate: gated jobs wait until it opens */
    guint started;   /* jobs that began */
    gint current;    /* atomic: jobs running now */
    gint max_seen;   /* atomic: highest value of current */
    gint total;      /* atomic */
    gint gated_runs; /* atomic */
    gint *runs;      /* atomic, per job index */
    gboolean gate_timed_out;
} TestPool;

static void
test_pool_init(TestPool *tp)
{
    memset(tp, 0, sizeof(*tp));
    qvirt_mutex_init(&tp->lock);
    qvirt_cond_init(&tp->cond);
    tp->runs = g_new0(gint, TEST_JOBS + 1);
}

static void
test_pool_clear(TestPool *tp)
{
    g_free(tp->runs);
    qvirt_cond_clear(&tp->cond);
    qvirt_mutex_clear(&tp->lock);
}

static void
test_pool_open_gate(TestPool *tp)
{
    qvirt_mutex_lock(&tp->lock);
    tp->open = TRUE;
    qvirt_cond_broadcast(&tp->cond);
    qvirt_mutex_unlock(&tp->lock);
}

/* Wait until at least N jobs have started. */
static void
test_pool_wait_started(TestPool *tp, guint n)
{
    gint64 deadline = qvirt_deadline_from_now_ms(TEST_WAIT_MS);

    qvirt_mutex_lock(&tp->lock);
    while (tp->started < n && qvirt_cond_wait_until(&tp->cond, &tp->lock, deadline))
        ;
    g_assert_cmpuint(tp->started, >=, n);
    qvirt_mutex_unlock(&tp->lock);
}

/* Jobs are indexes 1..TEST_JOBS in a pointer, or gated jobs above that. */
static void
test_pool_job(gpointer job, gpointer pool_opaque)
{
    TestPool *tp = pool_opaque;
    guint index = GPOINTER_TO_UINT(job);
    gint now = g_atomic_int_add(&tp->current, 1) + 1;
    gint seen = g_atomic_int_get(&tp->max_seen);

    while (now > seen && !g_atomic_int_compare_and_exchange(&tp->max_seen, seen, now))
        seen = g_atomic_int_get(&tp->max_seen);

    qvirt_mutex_lock(&tp->lock);
    tp->started++;
    qvirt_cond_broadcast(&tp->cond);
    if (index > TEST_JOBS) {
        /* A gated job holds its thread until the gate opens. */
        gint64 deadline = qvirt_deadline_from_now_ms(TEST_WAIT_MS);

        while (!tp->open) {
            if (!qvirt_cond_wait_until(&tp->cond, &tp->lock, deadline)) {
                tp->gate_timed_out = TRUE;
                break;
            }
        }
    }
    qvirt_mutex_unlock(&tp->lock);

    if (index > TEST_JOBS)
        g_atomic_int_inc(&tp->gated_runs);
    else
        g_atomic_int_inc(&tp->runs[index]);
    g_atomic_int_inc(&tp->total);
    g_atomic_int_add(&tp->current, -1);
}

/* Gated job number I: waits for the gate. */
#define TEST_GATED(i) GUINT_TO_POINTER(TEST_JOBS + (i))

static void
test_workerpool_all_jobs_once(void)
{
    TestPool tp;
    QvirtWorkerPool *pool;
    guint running = 99;
    guint queued = 99;

    test_pool_init(&tp);
    pool = qvirt_worker_pool_new("test-pool", 4, test_pool_job, &tp);
    g_assert_nonnull(pool);
    for (guint i = 1; i <= TEST_JOBS; i++)
        g_assert_cmpint(qvirt_worker_pool_push(pool, GUINT_TO_POINTER(i)), ==, 0);
    qvirt_worker_pool_free(pool, TRUE);

    g_assert_cmpint(g_atomic_int_get(&tp.total), ==, TEST_JOBS);
    for (guint i = 1; i <= TEST_JOBS; i++)
        g_assert_cmpint(g_atomic_int_get(&tp.runs[i]), ==, 1);
    g_assert_cmpint(g_atomic_int_get(&tp.max_seen), >=, 1);
    g_assert_cmpint(g_atomic_int_get(&tp.max_seen), <=, 4);
    g_assert_cmpint(g_atomic_int_get(&tp.current), ==, 0);

    /* A fresh pool reports nothing running or waiting. */
    pool = qvirt_worker_pool_new("test-pool", 4, test_pool_job, &tp);
    qvirt_worker_pool_get_stats(pool, &running, &queued);
    g_assert_cmpuint(running, ==, 0);
    g_assert_cmpuint(queued, ==, 0);
    qvirt_worker_pool_get_stats(pool, NULL, NULL);
    qvirt_worker_pool_free(pool, TRUE);
    test_pool_clear(&tp);
}

static void
test_workerpool_max_threads(void)
{
    TestPool tp;
    g_autoptr(QvirtWorkerPool) pool = NULL;
    guint running;
    guint queued;

    test_pool_init(&tp);
    pool = qvirt_worker_pool_new("test-pool", 2, test_pool_job, &tp);
    for (guint i = 1; i <= 8; i++)
        g_assert_cmpint(qvirt_worker_pool_push(pool, TEST_GATED(i)), ==, 0);

    /* Two jobs hold both threads: the other six must wait. */
    test_pool_wait_started(&tp, 2);
    qvirt_worker_pool_get_stats(pool, &running, &queued);
    g_assert_cmpuint(running, ==, 2);
    g_assert_cmpuint(queued, ==, 6);
    g_assert_cmpint(g_atomic_int_get(&tp.current), ==, 2);

    test_pool_open_gate(&tp);
    g_clear_pointer(&pool, qvirt_worker_pool_free_wait);
    g_assert_cmpint(g_atomic_int_get(&tp.total), ==, 8);
    g_assert_cmpint(g_atomic_int_get(&tp.gated_runs), ==, 8);
    g_assert_cmpint(g_atomic_int_get(&tp.max_seen), ==, 2);
    g_assert_false(tp.gate_timed_out);
    test_pool_clear(&tp);
}

static void
test_workerpool_bounded_queue(void)
{
    TestPool tp;
    QvirtWorkerPool *pool;
    guint running;
    guint queued;

    test_pool_init(&tp);
    pool = qvirt_worker_pool_new("bounded", 1, test_pool_job, &tp);
    qvirt_worker_pool_set_max_queued(pool, 3);

    g_assert_cmpint(qvirt_worker_pool_push(pool, TEST_GATED(1)), ==, 0);
    test_pool_wait_started(&tp, 1);
    for (guint i = 2; i <= 4; i++)
        g_assert_cmpint(qvirt_worker_pool_push(pool, TEST_GATED(i)), ==, 0);

    /* The fourth waiting job is one too many. */
    qvirt_error_reset();
    g_assert_cmpint(qvirt_worker_pool_push(pool, TEST_GATED(5)), ==, -1);
    qvirt_test_assert_error(
        QVIRT_ERR_RESOURCE_BUSY,
        "worker pool 'bounded' is full: 1 running, 3 waiting, at most 3 may wait");
    qvirt_worker_pool_get_stats(pool, &running, &queued);
    g_assert_cmpuint(running, ==, 1);
    g_assert_cmpuint(queued, ==, 3);

    /* Unbounded again: the push goes through. */
    qvirt_worker_pool_set_max_queued(pool, 0);
    g_assert_cmpint(qvirt_worker_pool_push(pool, TEST_GATED(5)), ==, 0);

    test_pool_open_gate(&tp);
    qvirt_worker_pool_free(pool, TRUE);
    g_assert_cmpint(g_atomic_int_get(&tp.total), ==, 5);
    g_assert_false(tp.gate_timed_out);
    test_pool_clear(&tp);
}

static void
test_workerpool_bounded_burst(void)
{
    TestPool tp;
    QvirtWorkerPool *pool;

    /* 4 threads and room for 1 waiting job: a burst of 5 is accepted whether
     * or not the threads picked their jobs up yet; with all 5 gated (4
     * running, 1 waiting, or still on their way), the 6th is refused. */
    test_pool_init(&tp);
    pool = qvirt_worker_pool_new("burst", 4, test_pool_job, &tp);
    qvirt_worker_pool_set_max_queued(pool, 1);
    for (guint i = 1; i <= 5; i++)
        g_assert_cmpint(qvirt_worker_pool_push(pool, TEST_GATED(i)), ==, 0);
    g_assert_cmpint(qvirt_worker_pool_push(pool, TEST_GATED(6)), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RESOURCE_BUSY, "worker pool 'burst' is full");

    test_pool_open_gate(&tp);
    qvirt_worker_pool_free(pool, TRUE);
    g_assert_cmpint(g_atomic_int_get(&tp.gated_runs), ==, 5);
    g_assert_cmpint(g_atomic_int_get(&tp.max_seen), <=, 4);
    g_assert_false(tp.gate_timed_out);
    test_pool_clear(&tp);
}

/* Freeing, made deterministic: a "closer" job keeps pushing filler jobs
 * into its own pool until a push fails, which happens exactly when free has
 * begun (it sets `closing` and the discard choice together). Until then the
 * closer holds the only thread, so every filler is still queued when free
 * begins. The push loop is a bounded busy loop because nothing can signal
 * "free has begun" from inside the pool. */
typedef struct {
    QvirtWorkerPool *pool;
    QvirtMutex lock;
    QvirtCond cond;
    gboolean closer_started;
    gint pushed;      /* atomic: fillers the closer queued */
    gint filler_runs; /* atomic */
    gint freed;       /* atomic: fillers given to the job free function */
    int result;       /* the closer's last push, read after free */
    int code;
} TestClose;

#define TEST_CLOSER GUINT_TO_POINTER(1)
#define TEST_FILLER GUINT_TO_POINTER(2)

static TestClose *test_close_current;

static void
test_close_job(gpointer job, gpointer pool_opaque)
{
    TestClose *tc = pool_opaque;
    gint64 deadline = qvirt_deadline_from_now_ms(TEST_WAIT_MS);

    if (job == TEST_FILLER) {
        g_atomic_int_inc(&tc->filler_runs);
        return;
    }
    qvirt_mutex_lock(&tc->lock);
    tc->closer_started = TRUE;
    qvirt_cond_broadcast(&tc->cond);
    qvirt_mutex_unlock(&tc->lock);

    tc->result = 0;
    while (!qvirt_deadline_expired(deadline)) {
        tc->result = qvirt_worker_pool_push(tc->pool, TEST_FILLER);
        if (tc->result < 0)
            break;
        g_atomic_int_inc(&tc->pushed);
        g_thread_yield();
    }
    tc->code = qvirt_error_last_code();
}

static void
test_close_free_job(gpointer job)
{
    g_assert_true(job == TEST_FILLER);
    g_atomic_int_inc(&test_close_current->freed);
}

/* Start the closer plus 20 fillers, free with WAIT, check what happened. */
static void
test_close_run(TestClose *tc, gboolean wait)
{
    gint64 deadline = qvirt_deadline_from_now_ms(TEST_WAIT_MS);
    guint queued;

    memset(tc, 0, sizeof(*tc));
    qvirt_mutex_init(&tc->lock);
    qvirt_cond_init(&tc->cond);
    test_close_current = tc;
    tc->pool = qvirt_worker_pool_new("closing", 1, test_close_job, tc);
    qvirt_worker_pool_set_job_free(tc->pool, test_close_free_job);

    g_assert_cmpint(qvirt_worker_pool_push(tc->pool, TEST_CLOSER), ==, 0);
    qvirt_mutex_lock(&tc->lock);
    while (!tc->closer_started && qvirt_cond_wait_until(&tc->cond, &tc->lock, deadline))
        ;
    g_assert_true(tc->closer_started);
    qvirt_mutex_unlock(&tc->lock);
    for (guint i = 0; i < 20; i++)
        g_assert_cmpint(qvirt_worker_pool_push(tc->pool, TEST_FILLER), ==, 0);
    qvirt_worker_pool_get_stats(tc->pool, NULL, &queued);
    g_assert_cmpuint(queued, >=, 20);

    qvirt_worker_pool_free(tc->pool, wait);
    test_close_current = NULL;

    /* The closer's push during free failed cleanly. */
    g_assert_cmpint(tc->result, ==, -1);
    g_assert_cmpint(tc->code, ==, QVIRT_ERR_OPERATION_INVALID);
    qvirt_cond_clear(&tc->cond);
    qvirt_mutex_clear(&tc->lock);
}

static void
test_workerpool_free_wait(void)
{
    TestClose tc;

    /* Every job queued before free began has run, none was discarded. */
    test_close_run(&tc, TRUE);
    g_assert_cmpint(g_atomic_int_get(&tc.filler_runs), ==, 20 + g_atomic_int_get(&tc.pushed));
    g_assert_cmpint(g_atomic_int_get(&tc.freed), ==, 0);
}

static void
test_workerpool_free_discard(void)
{
    TestClose tc;

    /* Every queued job was discarded through the job free function. */
    test_close_run(&tc, FALSE);
    g_assert_cmpint(g_atomic_int_get(&tc.filler_runs), ==, 0);
    g_assert_cmpint(g_atomic_int_get(&tc.freed), ==, 20 + g_atomic_int_get(&tc.pushed));
}

static void
test_workerpool_bad_input(void)
{
    QvirtWorkerPool *pool;

    qvirt_error_reset();
    g_assert_null(qvirt_worker_pool_new("zero", 0, test_pool_job, NULL));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG,
                            "invalid number of threads 0 for worker pool 'zero'");

    pool = qvirt_worker_pool_new("nulljob", 1, test_pool_job, NULL);
    g_assert_nonnull(pool);
    g_assert_cmpint(qvirt_worker_pool_push(pool, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "empty job to worker pool 'nulljob'");
    qvirt_worker_pool_free(pool, TRUE);

    qvirt_worker_pool_free(NULL, TRUE);
    qvirt_worker_pool_free(NULL, FALSE);
}

typedef struct {
    GMutex lock;
    GCond cond;
    gint flag;
} TestSignal;

static gpointer
test_signal_thread(gpointer opaque)
{
    TestSignal *ts = opaque;

    g_mutex_lock(&ts->lock);
    g_atomic_int_set(&ts->flag, TRUE); /* atomic: GMutex is invisible to TSan */
    g_cond_signal(&ts->cond);
    g_mutex_unlock(&ts->lock);
    return NULL;
}

static void
test_deadline_wait_timeout(void)
{
    GMutex lock;
    GCond cond;
    gint64 deadline;
    gboolean woke;

    g_mutex_init(&lock);
    g_cond_init(&cond);
    deadline = qvirt_deadline_from_now_ms(50);
    g_assert_cmpint(deadline, >, g_get_monotonic_time() - 1);

    /* Never signalled: the wait ends with FALSE (possibly after spurious
     * wake-ups, which return TRUE and are retried). */
    g_mutex_lock(&lock);
    do {
        woke = qvirt_cond_wait_deadline(&cond, &lock, deadline);
    } while (woke);
    g_mutex_unlock(&lock);
    g_assert_false(woke);
    g_assert_true(qvirt_deadline_expired(deadline));
    g_assert_cmpint(qvirt_deadline_remaining_ms(deadline), ==, 0);

    /* A deadline already in the past: FALSE at once. */
    g_mutex_lock(&lock);
    g_assert_false(qvirt_cond_wait_deadline(&cond, &lock, qvirt_deadline_from_now_ms(-5)));
    g_mutex_unlock(&lock);

    g_cond_clear(&cond);
    g_mutex_clear(&lock);
}

static void
test_deadline_signalled(void)
{
    TestSignal ts = {0};
    gint64 deadline = qvirt_deadline_from_now_ms(TEST_WAIT_MS);
    GThread *thread;

    g_assert_false(qvirt_deadline_expired(deadline));
    g_assert_cmpint(qvirt_deadline_remaining_ms(deadline), >, 0);
    /* Saturates rather than wrapping into the past. */
    g_assert_cmpint(qvirt_deadline_from_now_ms(G_MAXINT64), ==, G_MAXINT64);
    g_assert_false(qvirt_deadline_expired(qvirt_deadline_from_now_ms(G_MAXINT64)));
    g_assert_cmpint(qvirt_deadline_remaining_ms(G_MAXINT64), ==, G_MAXINT);

    g_mutex_init(&ts.lock);
    g_cond_init(&ts.cond);
    thread = g_thread_new("test-signal", test_signal_thread, &ts);
    g_mutex_lock(&ts.lock);
    while (!g_atomic_int_get(&ts.flag) && qvirt_cond_wait_deadline(&ts.cond, &ts.lock, deadline))
        ;
    g_assert_true(g_atomic_int_get(&ts.flag));
    g_mutex_unlock(&ts.lock);
    g_thread_join(thread);
    g_cond_clear(&ts.cond);
    g_mutex_clear(&ts.lock);
}

void
test_workerpool_register(void)
{
    g_test_add_func("/util/workerpool/all-jobs-once", test_workerpool_all_jobs_once);
    g_test_add_func("/util/workerpool/max-threads", test_workerpool_max_threads);
    g_test_add_func("/util/workerpool/bounded-queue", test_workerpool_bounded_queue);
    g_test_add_func("/util/workerpool/bounded-burst", test_workerpool_bounded_burst);
    g_test_add_func("/util/workerpool/free-wait", test_workerpool_free_wait);
    g_test_add_func("/util/workerpool/free-discard", test_workerpool_free_discard);
    g_test_add_func("/util/workerpool/bad-input", test_workerpool_bad_input);
    g_test_add_func("/util/deadline/wait-timeout", test_deadline_wait_timeout);
    g_test_add_func("/util/deadline/signalled", test_deadline_signalled);
}

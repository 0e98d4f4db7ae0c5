/* test-stress.c: many threads taking random jobs on one domain. After every
 * acquisition the invariants are checked under the domain's mutex: at most
 * one normal job; a normal job during an async job only if its mask admits it
 * or it is the async job's nested job; at most one async job. At the end the
 * counters balance: every begin has its end, nobody is queued, nothing is
 * held, and save_status ran exactly once per tracked transition. */
#include <config.h>

#include <pthread.h>

#include "jobtest.h"
#include "testutil.h"
#include "util/error.h"

#define STRESS_THREADS 16
#define STRESS_OPS 10000
#define STRESS_YIELD_ONE_IN 8

static const DomainJob stress_normal_jobs[] = {
    DOMAIN_JOB_QUERY,
    DOMAIN_JOB_DESTROY,
    DOMAIN_JOB_SUSPEND,
    DOMAIN_JOB_MODIFY,
    DOMAIN_JOB_ABORT,
    DOMAIN_JOB_MIGRATION_OP,
    DOMAIN_JOB_MODIFY_MIGRATION_SAFE,
};

typedef struct {
    TestVm *t;
    pthread_barrier_t start;
    /* Under vm->lock. */
    int normal_holders;
    int async_holders;
    guint violations;
    char *first_violation;
} StressShared;

typedef struct {
    StressShared *sh;
    GThread *thread;
    guint32 rng;
    guint64 begun[DOMAIN_JOB_LAST];
    guint64 ended[DOMAIN_JOB_LAST];
    guint64 async_begun;
    guint64 async_ended;
    guint64 failures;
    guint64 saves; /* transitions that must have called save_status */
    char *first_failure;
} StressThread;

static guint32
stress_rand(StressThread *st, guint32 n)
{
    /* xorshift32: cheap, per thread, reproducible from the seed. */
    st->rng ^= st->rng << 13;
    st->rng ^= st->rng >> 17;
    st->rng ^= st->rng << 5;
    return st->rng % n;
}

/* With vm->lock held. */
static void
stress_violation(StressShared *sh, const char *what)
{
    if (sh->violations++ == 0)
        sh->first_violation = g_strdup(what);
}

static void
stress_failure(StressThread *st)
{
    if (st->failures++ == 0)
        st->first_failure = g_strdup(qvirt_error_last_message());
}

/* With vm->lock held, right after taking normal job TYPE. */
static void
stress_check_normal(StressShared *sh, DomainJob type)
{
    DomainJobObj *job = sh->t->vm->job;
    DomainAsyncJob async = domain_job_get_async(job);

    if (sh->normal_holders++ != 0)
        stress_violation(sh, "two normal jobs at once");
    if (domain_job_get_active(job) != type)
        stress_violation(sh, "the job taken is not the active one");
    if (type == DOMAIN_JOB_ASYNC_NESTED) {
        if (async == DOMAIN_ASYNC_JOB_NONE || !domain_job_is_async_owner(job))
            stress_violation(sh, "a nested job outside its own async job");
    } else if (async != DOMAIN_ASYNC_JOB_NONE && type != DOMAIN_JOB_DESTROY &&
               !(domain_job_get_mask(job) & DOMAIN_JOB_MASK(type))) {
        stress_violation(sh, "a normal job the async job's mask does not admit");
    }
    if (domain_job_get_queued(job) >= STRESS_THREADS)
        stress_violation(sh, "more queued waiters than threads");
}

static void
stress_normal(StressThread *st)
{
    StressShared *sh = st->sh;
    DomainObj *vm = sh->t->vm;
    DomainJob type = stress_normal_jobs[stress_rand(st, G_N_ELEMENTS(stress_normal_jobs))];

    domain_obj_lock(vm);
    if (domain_job_begin(vm, type) < 0) {
        stress_failure(st);
        domain_obj_unlock(vm);
        return;
    }
    st->begun[type]++;
    st->saves += type == DOMAIN_JOB_DESTROY;
    stress_check_normal(sh, type);
    domain_obj_unlock(vm);

    /* The job is held across an unlock, as real API calls do; yielding
     * there now and then lets the other threads pile up behind it. */
    if (stress_rand(st, STRESS_YIELD_ONE_IN) == 0)
        g_thread_yield();
    domain_obj_lock(vm);
    sh->normal_holders--;
    if (domain_job_get_active(vm->job) != type)
        stress_violation(sh, "the normal job changed while held");
    domain_job_end(vm);
    st->ended[type]++;
    st->saves += type == DOMAIN_JOB_DESTROY;
    domain_obj_unlock(vm);
}

static void
stress_async_step(StressThread *st, DomainAsyncJob type)
{
    StressShared *sh = st->sh;
    DomainObj *vm = sh->t->vm;
    int phase;

    domain_obj_lock(vm);
    switch (stress_rand(st, 4)) {
    case 0: /* a monitor command */
        if (domain_job_begin_nested(vm, type) < 0) {
            stress_failure(st);
            break;
        }
        st->begun[DOMAIN_JOB_ASYNC_NESTED]++;
        stress_check_normal(sh, DOMAIN_JOB_ASYNC_NESTED);
        domain_obj_unlock(vm);
        g_thread_yield();
        domain_obj_lock(vm);
        sh->normal_holders--;
        domain_job_end_nested(vm);
        st->ended[DOMAIN_JOB_ASYNC_NESTED]++;
        break;
    case 1: /* the next phase, where the type has phases */
        phase = domain_job_get_phase(vm->job);
        if (type == DOMAIN_ASYNC_JOB_MIGRATION_OUT && phase + 1 < TPH_LAST) {
            if (domain_job_set_phase(vm, phase + 1) < 0)
                stress_failure(st);
            else
                st->saves++;
        }
        break;
    case 2: /* admit other normal jobs */
        domain_job_set_mask(vm, stress_rand(st, 1U << (DOMAIN_JOB_LAST - 1)));
        break;
    case 3: /* hand the job over between two "API calls" */
        domain_job_release_async(vm);
        domain_obj_unlock(vm);
        g_thread_yield();
        domain_obj_lock(vm);
        if (domain_job_start_phase(vm, type, domain_job_get_phase(vm->job)) < 0)
            stress_failure(st);
        else
            st->saves++;
        break;
    }
    domain_obj_unlock(vm);
}

static void
stress_async(StressThread *st)
{
    StressShared *sh = st->sh;
    DomainObj *vm = sh->t->vm;
    DomainAsyncJob type = 1 + stress_rand(st, DOMAIN_ASYNC_JOB_LAST - 1);
    guint steps = stress_rand(st, 4);

    domain_obj_lock(vm);
    if (domain_job_begin_async(vm, type, DOMAIN_JOB_OPERATION_UNKNOWN, 0) < 0) {
        stress_failure(st);
        domain_obj_unlock(vm);
        return;
    }
    st->async_begun++;
    st->saves++;
    if (sh->async_holders++ != 0)
        stress_violation(sh, "two async jobs at once");
    if (domain_job_get_active(vm->job) != DOMAIN_JOB_NONE)
        stress_violation(sh, "an async job began while a normal job ran");
    domain_obj_unlock(vm);

    for (guint i = 0; i < steps; i++) {
        g_thread_yield();
        stress_async_step(st, type);
    }
    g_thread_yield();

    domain_obj_lock(vm);
    sh->async_holders--;
    if (domain_job_get_async(vm->job) != type || !domain_job_is_async_owner(vm->job))
        stress_violation(sh, "the async job changed while held");
    domain_job_end_async(vm);
    st->async_ended++;
    st->saves++;
    domain_obj_unlock(vm);
}

static gpointer
stress_main(gpointer data)
{
    StressThread *st = data;

    domain_job_set_current_api("stress");
    pthread_barrier_wait(&st->sh->start);
    for (guint i = 0; i < STRESS_OPS; i++) {
        if (stress_rand(st, 100) < 90)
            stress_normal(st);
        else
            stress_async(st);
    }
    return NULL;
}

static void
test_stress(void)
{
    StressShared sh = {0};
    StressThread threads[STRESS_THREADS] = {0};
    guint64 saves = 0;
    guint64 begun = 0;

    sh.t = test_vm_new("web1", TRUE);
    /* Only counts: the recorder would hold a line per save. */
    g_clear_pointer(&sh.t->saves, g_ptr_array_unref);
    domain_job_obj_set_config(sh.t->vm->job, DOMAIN_JOB_DEFAULT_WAIT_TIMEOUT_MS, 0);
    g_assert_cmpint(pthread_barrier_init(&sh.start, NULL, STRESS_THREADS), ==, 0);

    for (guint i = 0; i < STRESS_THREADS; i++) {
        threads[i].sh = &sh;
        threads[i].rng = 0x9e3779b9u * (i + 1);
        threads[i].thread = g_thread_new("stress", stress_main, &threads[i]);
    }
    for (guint i = 0; i < STRESS_THREADS; i++)
        g_thread_join(threads[i].thread);
    pthread_barrier_destroy(&sh.start);

    if (sh.violations)
        g_error("%u invariant violations, the first: %s", sh.violations, sh.first_violation);
    for (guint i = 0; i < STRESS_THREADS; i++) {
        StressThread *st = &threads[i];

        if (st->failures)
            g_error("thread %u: %" G_GUINT64_FORMAT " failed begins, the first: %s", i,
                    st->failures, st->first_failure);
        for (int type = 0; type < DOMAIN_JOB_LAST; type++) {
            g_assert_cmpuint(st->begun[type], ==, st->ended[type]);
            begun += st->begun[type];
        }
        g_assert_cmpuint(st->async_begun, ==, st->async_ended);
        g_free(st->first_failure);
        begun += st->async_begun;
        saves += st->saves;
    }
    /* Every operation took its job (the mix makes async ones rarer). */
    g_assert_cmpuint(begun, >=, STRESS_THREADS * STRESS_OPS);
    g_assert_cmpuint(sh.t->save_count, ==, saves);
    g_test_message("%" G_GUINT64_FORMAT " jobs taken, %u waits", begun, sh.t->hook_waits);
    g_assert_cmpint(sh.normal_holders, ==, 0);
    g_assert_cmpint(sh.async_holders, ==, 0);
    g_assert_cmpint(vm_active(sh.t), ==, DOMAIN_JOB_NONE);
    g_assert_cmpint(vm_async(sh.t), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_cmpuint(vm_queued(sh.t), ==, 0);
    g_free(sh.first_violation);
    test_vm_free(sh.t);
}

void
test_stress_register(void)
{
    g_test_add_func("/domainjob/stress/random-jobs", test_stress);
}

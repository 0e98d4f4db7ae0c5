/* test-rules.c: the job control rules, one multi-threaded case per rule:
 * admission during async jobs, nested jobs, deadlines and their message,
 * phases and hand-over, persistence, removal, abort and statistics. */
#include <config.h>

#include <string.h>

#include "jobtest.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

#define MIG_OUT DOMAIN_ASYNC_JOB_MIGRATION_OUT

/* Normal job types an async job with the default mask does not admit. */
static const DomainJob incompatible_jobs[] = {
    DOMAIN_JOB_SUSPEND,
    DOMAIN_JOB_MODIFY,
    DOMAIN_JOB_MIGRATION_OP,
    DOMAIN_JOB_MODIFY_MIGRATION_SAFE,
};

static void
test_rules_incompatible_waits(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *a = actor_new(t, "suspend");

    domain_job_set_current_api("migrate");
    for (guint i = 0; i < G_N_ELEMENTS(incompatible_jobs); i++) {
        g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);

        actor_start(a, ACT_BEGIN, incompatible_jobs[i], 0);
        g_assert_true(test_vm_wait_queued(t, 1));
        g_assert_false(actor_is_done(a));
        g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);

        vm_end_async(t);
        g_assert_cmpint(actor_finish(a), ==, 0);
        /* It got the job only once the async job was gone. */
        g_assert_cmpint(actor_seen_active(a), ==, incompatible_jobs[i]);
        g_assert_cmpint(actor_seen_async(a), ==, DOMAIN_ASYNC_JOB_NONE);
        g_assert_cmpint(actor_do(a, ACT_END, 0, 0), ==, 0);
        g_assert_cmpuint(vm_queued(t), ==, 0);
    }
    domain_job_set_current_api(NULL);
    actor_free(a);
    test_vm_free(t);
}

static void
test_rules_compatible_runs(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *a = actor_new(t, "domjobinfo");
    const DomainJob admitted[] = {DOMAIN_JOB_QUERY, DOMAIN_JOB_ABORT, DOMAIN_JOB_DESTROY};

    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS(admitted); i++) {
        g_assert_cmpint(actor_do(a, ACT_BEGIN, admitted[i], 0), ==, 0);
        g_assert_cmpint(actor_seen_active(a), ==, admitted[i]);
        g_assert_cmpint(actor_seen_async(a), ==, MIG_OUT);
        g_assert_cmpint(actor_do(a, ACT_END, 0, 0), ==, 0);
    }
    /* Nobody ever waited. */
    g_assert_cmpuint(t->hook_waits, ==, 0);
    vm_end_async(t);
    actor_free(a);
    test_vm_free(t);
}

static void
test_rules_mask_admits_waiter(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *a = actor_new(t, "setmem");

    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    g_assert_cmpuint(domain_job_get_mask(t->vm->job), ==, DOMAIN_JOB_DEFAULT_MASK);
    actor_start(a, ACT_BEGIN, DOMAIN_JOB_MODIFY_MIGRATION_SAFE, 0);
    g_assert_true(test_vm_wait_queued(t, 1));
    g_assert_false(actor_is_done(a));

    /* Widening the mask lets the waiter in while the async job still runs. */
    vm_set_mask(t, DOMAIN_JOB_DEFAULT_MASK | DOMAIN_JOB_MASK(DOMAIN_JOB_MODIFY_MIGRATION_SAFE));
    g_assert_cmpint(actor_finish(a), ==, 0);
    g_assert_cmpint(actor_seen_active(a), ==, DOMAIN_JOB_MODIFY_MIGRATION_SAFE);
    g_assert_cmpint(actor_seen_async(a), ==, MIG_OUT);
    g_assert_cmpint(actor_do(a, ACT_END, 0, 0), ==, 0);

    /* Destroy stays in any mask; nested never enters it. */
    vm_set_mask(t, DOMAIN_JOB_MASK(DOMAIN_JOB_ASYNC_NESTED));
    g_assert_cmpuint(domain_job_get_mask(t->vm->job), ==, DOMAIN_JOB_MASK(DOMAIN_JOB_DESTROY));
    vm_end_async(t);
    g_assert_cmpuint(domain_job_get_mask(t->vm->job), ==, DOMAIN_JOB_DEFAULT_MASK);
    actor_free(a);
    test_vm_free(t);
}

static void
test_rules_destroy_always(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *a = actor_new(t, "destroy");

    domain_job_obj_set_config(t->vm->job, 50, 0);
    for (int type = DOMAIN_ASYNC_JOB_NONE + 1; type < DOMAIN_ASYNC_JOB_LAST; type++) {
        g_assert_cmpint(vm_begin_async(t, type), ==, 0);
        vm_set_mask(t, 0);

        g_assert_cmpint(actor_do(a, ACT_BEGIN, DOMAIN_JOB_DESTROY, 0), ==, 0);
        g_assert_cmpint(actor_seen_active(a), ==, DOMAIN_JOB_DESTROY);
        g_assert_cmpint(actor_seen_async(a), ==, type);
        g_assert_cmpint(actor_do(a, ACT_END, 0, 0), ==, 0);

        /* The empty mask really shuts out everything else, even queries. */
        g_assert_cmpint(actor_do(a, ACT_BEGIN, DOMAIN_JOB_QUERY, 0), ==, -1);
        g_assert_cmpint(actor_error_code(a), ==, QVIRT_ERR_OPERATION_TIMEOUT);
        vm_end_async(t);
    }
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);
    actor_free(a);
    test_vm_free(t);
}

static void
test_rules_nested_excludes(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *owner = actor_new(t, "migrate");
    Actor *q = actor_new(t, "qemu-monitor-command");

    g_assert_cmpint(actor_do(owner, ACT_BEGIN_ASYNC, MIG_OUT, 0), ==, 0);
    g_assert_cmpint(actor_do(owner, ACT_BEGIN_NESTED, MIG_OUT, 0), ==, 0);
    g_assert_cmpint(actor_seen_active(owner), ==, DOMAIN_JOB_ASYNC_NESTED);

    /* A nested job excludes an admitted normal job... */
    actor_start(q, ACT_BEGIN, DOMAIN_JOB_QUERY, 0);
    g_assert_true(test_vm_wait_queued(t, 1));
    g_assert_false(actor_is_done(q));
    g_assert_cmpint(actor_do(owner, ACT_END_NESTED, 0, 0), ==, 0);
    g_assert_cmpint(actor_finish(q), ==, 0);
    g_assert_cmpint(actor_seen_active(q), ==, DOMAIN_JOB_QUERY);

    /* ...and a normal job excludes the nested one, whatever the mask says. */
    vm_set_mask(t, 0);
    actor_start(owner, ACT_BEGIN_NESTED, MIG_OUT, 0);
    g_assert_true(test_vm_wait_queued(t, 1));
    g_assert_false(actor_is_done(owner));
    g_assert_cmpint(actor_do(q, ACT_END, 0, 0), ==, 0);
    g_assert_cmpint(actor_finish(owner), ==, 0);
    g_assert_cmpint(actor_seen_active(owner), ==, DOMAIN_JOB_ASYNC_NESTED);
    g_assert_cmpint(actor_do(owner, ACT_END_NESTED, 0, 0), ==, 0);

    /* An empty mask does not stop a nested job when the slot is free. */
    g_assert_cmpint(actor_do(owner, ACT_BEGIN_NESTED, MIG_OUT, 0), ==, 0);
    g_assert_cmpint(actor_do(owner, ACT_END_NESTED, 0, 0), ==, 0);
    g_assert_cmpint(actor_do(owner, ACT_END_ASYNC, 0, 0), ==, 0);
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);
    actor_free(q);
    actor_free(owner);
    test_vm_free(t);
}

static void
test_rules_nested_needs_its_async_job(void)
{
    TestVm *t = test_vm_new("web1", TRUE);

    g_assert_cmpint(vm_begin_nested(t, MIG_OUT), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "async job 'none', not 'migration out'");
    g_assert_cmpint(vm_begin_async(t, DOMAIN_ASYNC_JOB_SAVE), ==, 0);
    g_assert_cmpint(vm_begin_nested(t, MIG_OUT), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "async job 'save', not 'migration out'");
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);

    /* Nested, none and out-of-range types are refused by the plain calls. */
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_ASYNC_NESTED), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "invalid normal job type");
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_NONE), ==, -1);
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_LAST), ==, -1);
    g_assert_cmpint(vm_begin_nested(t, DOMAIN_ASYNC_JOB_NONE), ==, -1);
    vm_end_async(t);
    g_assert_cmpint(vm_begin_async(t, DOMAIN_ASYNC_JOB_NONE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "invalid async job type");
    g_assert_cmpint(vm_async(t), ==, DOMAIN_ASYNC_JOB_NONE);

    /* Ending what is not held is a logged no-op, not a crash. */
    vm_end(t);
    vm_end_nested(t);
    vm_end_async(t);
    vm_release(t);
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);
    test_vm_free(t);
}

static void
test_rules_async_waits(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *a = actor_new(t, "dump");

    /* A second async job waits for the first... */
    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    actor_start(a, ACT_BEGIN_ASYNC, DOMAIN_ASYNC_JOB_DUMP, 0);
    g_assert_true(test_vm_wait_queued(t, 1));
    g_assert_false(actor_is_done(a));
    g_assert_cmpint(vm_async(t), ==, MIG_OUT);
    vm_end_async(t);
    g_assert_cmpint(actor_finish(a), ==, 0);
    g_assert_cmpint(actor_seen_async(a), ==, DOMAIN_ASYNC_JOB_DUMP);
    g_assert_cmpint(actor_do(a, ACT_END_ASYNC, 0, 0), ==, 0);

    /* ...and for a normal job, even one an async job would admit. */
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_QUERY), ==, 0);
    actor_start(a, ACT_BEGIN_ASYNC, DOMAIN_ASYNC_JOB_SAVE, 0);
    g_assert_true(test_vm_wait_queued(t, 1));
    g_assert_false(actor_is_done(a));
    vm_end(t);
    g_assert_cmpint(actor_finish(a), ==, 0);
    g_assert_cmpint(actor_seen_async(a), ==, DOMAIN_ASYNC_JOB_SAVE);
    g_assert_cmpint(actor_seen_active(a), ==, DOMAIN_JOB_NONE);
    g_assert_cmpint(actor_do(a, ACT_END_ASYNC, 0, 0), ==, 0);
    actor_free(a);
    test_vm_free(t);
}

static void
test_rules_one_normal_job(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *a = actor_new(t, "setvcpus");
    Actor *b = actor_new(t, "dommemstat");

    g_assert_cmpint(actor_do(a, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0), ==, 0);
    actor_start(b, ACT_BEGIN, DOMAIN_JOB_QUERY, 0);
    g_assert_true(test_vm_wait_queued(t, 1));
    g_assert_false(actor_is_done(b));
    g_assert_cmpint(actor_do(a, ACT_END, 0, 0), ==, 0);
    g_assert_cmpint(actor_finish(b), ==, 0);
    g_assert_cmpint(actor_seen_active(b), ==, DOMAIN_JOB_QUERY);
    g_assert_cmpint(actor_do(b, ACT_END, 0, 0), ==, 0);
    actor_free(b);
    actor_free(a);
    test_vm_free(t);
}

/* Ending a normal job wakes one waiter; one that does not take the normal
 * slot must pass the turn on, or the others would wait for their deadline
 * with the slot free. The waiter queued first is the likely one to be woken,
 * so it is the one that does not take the slot. */
static void
test_rules_turn_passed_on(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *first = actor_new(t, "save");
    Actor *second = actor_new(t, "dominfo");

    /* A waiter left behind would get through at its deadline (the slot is
     * free by then): make that later than actor_finish() waits. */
    domain_job_obj_set_config(t->vm->job, 3 * JOBTEST_WAIT_MS, 0);

    /* The first waiter takes the async job, which leaves the slot free. */
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_MODIFY), ==, 0);
    actor_start(first, ACT_BEGIN_ASYNC, DOMAIN_ASYNC_JOB_SAVE, 0);
    g_assert_true(test_vm_wait_queued(t, 1));
    actor_start(second, ACT_BEGIN, DOMAIN_JOB_QUERY, 0);
    g_assert_true(test_vm_wait_queued(t, 2));
    vm_end(t);
    g_assert_cmpint(actor_finish(second), ==, 0);
    g_assert_cmpint(actor_do(second, ACT_END, 0, 0), ==, 0);
    g_assert_cmpint(actor_finish(first), ==, 0);
    g_assert_cmpint(actor_do(first, ACT_END_ASYNC, 0, 0), ==, 0);

    /* The first waiter gives up because the domain stopped. */
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_MODIFY), ==, 0);
    actor_start(first, ACT_BEGIN, DOMAIN_JOB_QUERY, DOMAIN_JOB_BEGIN_NEED_ACTIVE);
    g_assert_true(test_vm_wait_queued(t, 1));
    actor_start(second, ACT_BEGIN, DOMAIN_JOB_QUERY, 0);
    g_assert_true(test_vm_wait_queued(t, 2));
    domain_obj_lock(t->vm);
    t->vm->def->id = -1;
    domain_job_end(t->vm); /* no wake_all: only the end's own wake-up */
    domain_obj_unlock(t->vm);
    g_assert_cmpint(actor_finish(second), ==, 0);
    g_assert_cmpint(actor_do(second, ACT_END, 0, 0), ==, 0);
    g_assert_cmpint(actor_finish(first), ==, -1);
    g_assert_cmpint(actor_error_code(first), ==, QVIRT_ERR_NO_DOMAIN);
    actor_free(second);
    actor_free(first);
    test_vm_free(t);
}

/* Run OP on A, expect a timeout and return its message (owned by A). */
static const char *
expect_timeout(TestVm *t, Actor *a, ActorOp op, int arg)
{
    gint64 start = g_get_monotonic_time();

    g_assert_cmpint(actor_do(a, op, arg, 0), ==, -1);
    g_assert_cmpint(actor_error_code(a), ==, QVIRT_ERR_OPERATION_TIMEOUT);
    /* The waiter really waited for its deadline (50 ms) and left no trace. */
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 50 * 1000);
    g_assert_cmpuint(vm_queued(t), ==, 0);
    return actor_error_message(a);
}

#define BUSY "cannot acquire state change lock: domain 'web1' is busy with "

static void
test_deadline_holder_text(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *s = actor_new(t, "suspend");
    Actor *w = actor_new(t, "reboot");
    Actor *c = actor_new(t, "migrate-confirm");
    Actor *anon = actor_new(t, NULL);

    test_clock_install();
    domain_job_obj_set_config(t->vm->job, 50, 0);

    domain_job_set_current_api("migrate");
    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    g_assert_cmpint(vm_set_phase(t, TPH_PERFORM3), ==, 0);
    vm_set_mask(t, DOMAIN_JOB_DEFAULT_MASK | DOMAIN_JOB_MASK(DOMAIN_JOB_MODIFY));
    test_clock_advance_ms(38200);
    g_assert_cmpint(actor_do(s, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0), ==, 0);
    test_clock_advance_ms(3000);

    /* Both holders, as in the example. */
    g_assert_cmpstr(expect_timeout(t, w, ACT_BEGIN, DOMAIN_JOB_SUSPEND), ==,
                    BUSY "async job 'migration out' (phase perform3, started by migrate 41.2 s "
                         "ago); normal job 'modify' held by suspend for 3.0 s");
    g_assert_cmpint(actor_do(s, ACT_END, 0, 0), ==, 0);

    /* Between API calls the async job has no owner. */
    vm_release(t);
    g_assert_cmpstr(expect_timeout(t, w, ACT_BEGIN, DOMAIN_JOB_SUSPEND), ==,
                    BUSY "async job 'migration out' (phase perform3, started by migrate 41.2 s "
                         "ago, no owner between API calls)");

    /* Taken over by the next API call of the migration. */
    g_assert_cmpint(actor_do(c, ACT_START_PHASE, MIG_OUT, TPH_CONFIRM3), ==, 0);
    test_clock_advance_ms(100);
    g_assert_cmpstr(expect_timeout(t, w, ACT_BEGIN_ASYNC, DOMAIN_ASYNC_JOB_SAVE), ==,
                    BUSY "async job 'migration out' (phase confirm3, started by migrate 41.3 s "
                         "ago, now owned by migrate-confirm)");

    /* Its nested job is a holder too. */
    g_assert_cmpint(actor_do(c, ACT_BEGIN_NESTED, MIG_OUT, 0), ==, 0);
    test_clock_advance_ms(1949);
    g_assert_cmpstr(expect_timeout(t, w, ACT_BEGIN, DOMAIN_JOB_QUERY), ==,
                    BUSY "async job 'migration out' (phase confirm3, started by migrate 43.2 s "
                         "ago, now owned by migrate-confirm); normal job 'async nested' held by "
                         "migrate-confirm for 1.9 s");
    g_assert_cmpint(actor_do(c, ACT_END_NESTED, 0, 0), ==, 0);
    g_assert_cmpint(actor_do(c, ACT_END_ASYNC, 0, 0), ==, 0);

    /* A normal job alone, also from a thread that named no API. */
    g_assert_cmpint(actor_do(anon, ACT_BEGIN, DOMAIN_JOB_QUERY, 0), ==, 0);
    test_clock_advance_ms(1234);
    g_assert_cmpstr(expect_timeout(t, w, ACT_BEGIN, DOMAIN_JOB_MODIFY), ==,
                    BUSY "normal job 'query' held by an unnamed API for 1.2 s");
    g_assert_cmpstr(expect_timeout(t, w, ACT_BEGIN_ASYNC, DOMAIN_ASYNC_JOB_DUMP), ==,
                    BUSY "normal job 'query' held by an unnamed API for 1.2 s");
    g_assert_cmpint(actor_do(anon, ACT_END, 0, 0), ==, 0);

    /* Nothing held any more: no trace of the failed attempts. */
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);
    g_assert_cmpint(vm_async(t), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_job_set_current_api(NULL);
    actor_free(anon);
    actor_free(c);
    actor_free(w);
    actor_free(s);
    test_clock_uninstall();
    test_vm_free(t);
}

static void
test_deadline_max_queued(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *a = actor_new(t, "domblkinfo");
    Actor *b = actor_new(t, "domblkinfo");

    domain_job_obj_set_config(t->vm->job, 0, 1);
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_MODIFY), ==, 0);
    actor_start(a, ACT_BEGIN, DOMAIN_JOB_QUERY, 0);
    g_assert_true(test_vm_wait_queued(t, 1));

    /* The queue is full: the second waiter is refused at once. */
    g_assert_cmpint(actor_do(b, ACT_BEGIN, DOMAIN_JOB_QUERY, 0), ==, -1);
    g_assert_cmpint(actor_error_code(b), ==, QVIRT_ERR_OPERATION_FAILED);
    g_assert_cmpstr(actor_error_message(b), ==,
                    "cannot acquire state change lock: domain 'web1' already has 1 queued jobs "
                    "(max_queued_jobs)");
    g_assert_cmpuint(vm_queued(t), ==, 1);
    g_assert_false(actor_is_done(a));

    vm_end(t);
    g_assert_cmpint(actor_finish(a), ==, 0);
    g_assert_cmpint(actor_do(a, ACT_END, 0, 0), ==, 0);
    /* A free slot needs no queue, whatever the limit. */
    g_assert_cmpint(actor_do(b, ACT_BEGIN, DOMAIN_JOB_QUERY, 0), ==, 0);
    g_assert_cmpint(actor_do(b, ACT_END, 0, 0), ==, 0);
    actor_free(b);
    actor_free(a);
    test_vm_free(t);
}

static void
test_phases_forward_only(void)
{
    TestVm *t = test_vm_new("web1", TRUE);

    g_assert_cmpint(vm_set_phase(t, TPH_BEGIN3), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain 'web1' has no async job");

    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    g_assert_cmpint(vm_phase(t), ==, TPH_NONE);
    g_assert_cmpint(vm_set_phase(t, TPH_BEGIN3), ==, 0);
    g_assert_cmpint(vm_set_phase(t, TPH_PERFORM3), ==, 0);
    g_assert_cmpint(vm_set_phase(t, TPH_PERFORM3), ==, 0);
    g_assert_cmpint(vm_set_phase(t, TPH_BEGIN3), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID,
                            "async job 'migration out' of domain 'web1' cannot go back from "
                            "phase perform3 to begin3");
    g_assert_cmpint(vm_phase(t), ==, TPH_PERFORM3);
    g_assert_cmpint(vm_set_phase(t, TPH_NONE), ==, -1);
    g_assert_cmpint(vm_set_phase(t, TPH_LAST), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "unknown phase 8");
    g_assert_cmpint(vm_set_phase(t, -1), ==, -1);
    g_assert_cmpint(vm_phase(t), ==, TPH_PERFORM3);

    /* Post-copy recovery is the one way back, and only that one. */
    g_assert_cmpint(vm_set_phase(t, TPH_POSTCOPY_FAILED), ==, 0);
    g_assert_cmpint(vm_set_phase(t, TPH_BEGIN_RESUME), ==, 0);
    g_assert_cmpint(vm_set_phase(t, TPH_BEGIN3), ==, -1);
    g_assert_cmpint(vm_phase(t), ==, TPH_BEGIN_RESUME);
    vm_end_async(t);

    /* A type without a phase table only has phase 0. */
    g_assert_cmpint(vm_begin_async(t, DOMAIN_ASYNC_JOB_SAVE), ==, 0);
    g_assert_cmpint(vm_set_phase(t, 0), ==, 0);
    g_assert_cmpint(vm_set_phase(t, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "unknown phase 1 of async job 'save'");
    vm_end_async(t);
    test_vm_free(t);
}

static void
test_phases_handover(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *perform = actor_new(t, "migrate-perform");
    Actor *confirm = actor_new(t, "migrate-confirm");

    domain_job_set_current_api("migrate-begin");
    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    g_assert_true(domain_job_is_async_owner(t->vm->job));
    g_assert_cmpint(vm_set_phase(t, TPH_BEGIN3), ==, 0);
    vm_release(t);
    g_assert_false(vm_has_owner(t));
    g_assert_false(domain_job_is_async_owner(t->vm->job));
    g_assert_cmpint(vm_async(t), ==, MIG_OUT);

    g_assert_cmpint(actor_do(perform, ACT_START_PHASE, MIG_OUT, TPH_PERFORM3), ==, 0);
    g_assert_true(actor_seen_owner(perform));
    g_assert_true(vm_has_owner(t));
    g_assert_false(domain_job_is_async_owner(t->vm->job));

    /* Owned jobs are not taken over, by anyone. */
    g_assert_cmpint(actor_do(confirm, ACT_START_PHASE, MIG_OUT, TPH_CONFIRM3), ==, -1);
    g_assert_cmpint(actor_error_code(confirm), ==, QVIRT_ERR_OPERATION_INVALID);
    g_assert_cmpstr(actor_error_message(confirm), ==,
                    "async job 'migration out' of domain 'web1' is already owned by "
                    "migrate-perform");
    g_assert_cmpint(vm_start_phase(t, MIG_OUT, TPH_CONFIRM3), ==, -1);
    g_assert_cmpint(vm_phase(t), ==, TPH_PERFORM3);

    g_assert_cmpint(actor_do(perform, ACT_RELEASE, 0, 0), ==, 0);
    g_assert_false(actor_seen_owner(perform));
    /* Taking over still obeys the phase order and the job type. */
    g_assert_cmpint(actor_do(confirm, ACT_START_PHASE, MIG_OUT, TPH_BEGIN3), ==, -1);
    g_assert_cmpint(actor_error_code(confirm), ==, QVIRT_ERR_OPERATION_INVALID);
    g_assert_false(vm_has_owner(t));
    g_assert_cmpint(actor_do(confirm, ACT_START_PHASE, DOMAIN_ASYNC_JOB_MIGRATION_IN, TPH_CONFIRM3),
                    ==, -1);
    g_assert_cmpstr(actor_error_message(confirm), ==,
                    "domain 'web1' has no 'migration in' job running");
    g_assert_false(vm_has_owner(t));

    g_assert_cmpint(actor_do(confirm, ACT_START_PHASE, MIG_OUT, TPH_CONFIRM3), ==, 0);
    g_assert_true(actor_seen_owner(confirm));
    g_assert_cmpint(vm_phase(t), ==, TPH_CONFIRM3);
    g_assert_cmpint(actor_do(confirm, ACT_END_ASYNC, 0, 0), ==, 0);
    g_assert_cmpint(vm_async(t), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_false(vm_has_owner(t));
    domain_job_set_current_api(NULL);
    actor_free(confirm);
    actor_free(perform);
    test_vm_free(t);
}

#define SAVED(job, async, phase) "job=" job " async=" async " phase=" phase

static void
test_persist_order(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *d = actor_new(t, "destroy");
    Actor *p = actor_new(t, "migrate-perform");
    static const char *const expected[] = {
        SAVED("none", "migration out", "none"),
        SAVED("none", "migration out", "begin3"),
        SAVED("destroy", "migration out", "begin3"),
        SAVED("none", "migration out", "begin3"),
        SAVED("none", "migration out", "perform3"),
        SAVED("none", "migration out", "confirm3"),
        SAVED("none", "none", "none"),
        SAVED("destroy", "none", "none"),
        SAVED("none", "none", "none"),
        NULL,
    };
    g_autofree char *saves = NULL;
    g_autofree char *want = NULL;

#define EXPECT_SAVES(count) g_assert_cmpuint(t->saves->len, ==, (count))

    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    EXPECT_SAVES(1);
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_QUERY), ==, 0);
    vm_end(t);
    EXPECT_SAVES(1);
    g_assert_cmpint(vm_set_phase(t, TPH_BEGIN3), ==, 0);
    EXPECT_SAVES(2);
    g_assert_cmpint(actor_do(d, ACT_BEGIN, DOMAIN_JOB_DESTROY, 0), ==, 0);
    EXPECT_SAVES(3);
    g_assert_cmpint(actor_do(d, ACT_END, 0, 0), ==, 0);
    EXPECT_SAVES(4);
    vm_release(t);
    EXPECT_SAVES(4);
    g_assert_cmpint(actor_do(p, ACT_START_PHASE, MIG_OUT, TPH_PERFORM3), ==, 0);
    EXPECT_SAVES(5);
    g_assert_cmpint(actor_do(p, ACT_BEGIN_NESTED, MIG_OUT, 0), ==, 0);
    g_assert_cmpint(actor_do(p, ACT_END_NESTED, 0, 0), ==, 0);
    vm_set_mask(t, 0);
    g_assert_cmpint(actor_do(p, ACT_RELEASE, 0, 0), ==, 0);
    EXPECT_SAVES(5);
    g_assert_cmpint(vm_start_phase(t, MIG_OUT, TPH_CONFIRM3), ==, 0);
    EXPECT_SAVES(6);
    vm_end_async(t);
    EXPECT_SAVES(7);
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_DESTROY), ==, 0);
    EXPECT_SAVES(8);
    vm_end(t);
    EXPECT_SAVES(9);
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_MODIFY), ==, 0);
    vm_end(t);
    EXPECT_SAVES(9);
#undef EXPECT_SAVES

    saves = test_vm_saves(t);
    want = g_strjoinv("\n", (char **)expected);
    g_assert_cmpstr(saves, ==, want);
    actor_free(p);
    actor_free(d);
    test_vm_free(t);
}

static void
test_persist_failure(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *a = actor_new(t, "migrate-perform");

    /* A start that cannot be saved does not happen. */
    t->fail_saves = 1;
    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_WRITE_FAILED, "disk full");
    g_assert_cmpint(vm_async(t), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_cmpint(actor_do(a, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0), ==, 0);
    g_assert_cmpint(actor_do(a, ACT_END, 0, 0), ==, 0);

    t->fail_saves = 1;
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_DESTROY), ==, -1);
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);

    /* A phase change that cannot be saved keeps the old phase and owner. */
    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    g_assert_cmpint(vm_set_phase(t, TPH_BEGIN3), ==, 0);
    t->fail_saves = 1;
    g_assert_cmpint(vm_set_phase(t, TPH_PERFORM3), ==, -1);
    g_assert_cmpint(vm_phase(t), ==, TPH_BEGIN3);
    vm_release(t);
    t->fail_saves = 1;
    g_assert_cmpint(actor_do(a, ACT_START_PHASE, MIG_OUT, TPH_PERFORM3), ==, -1);
    g_assert_cmpint(actor_error_code(a), ==, QVIRT_ERR_WRITE_FAILED);
    g_assert_false(vm_has_owner(t));
    g_assert_cmpint(vm_phase(t), ==, TPH_BEGIN3);

    /* A destroy job during it: its end cannot fail even if the save does. */
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_DESTROY), ==, 0);
    t->fail_saves = 1;
    vm_end(t);
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);

    /* Ending the async job cannot fail either, and keeps the caller's error. */
    g_assert_cmpint(vm_start_phase(t, MIG_OUT, TPH_CONFIRM3_CANCELLED), ==, 0);
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "migration failed: connection reset");
    t->fail_saves = 1;
    vm_end_async(t);
    g_assert_cmpint(vm_async(t), ==, DOMAIN_ASYNC_JOB_NONE);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "migration failed: connection reset");
    g_assert_cmpuint(t->fail_saves, ==, 0);
    actor_free(a);
    test_vm_free(t);
}

static void
test_removal_wakes_waiters(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *ev = actor_new(t, "migrate");
    Actor *modify = actor_new(t, "setvcpus");
    Actor *async = actor_new(t, "save");
    Actor *query = actor_new(t, "dominfo");
    Actor *all[] = {ev, modify, async, query};

    g_assert_cmpint(vm_begin_async(t, MIG_OUT), ==, 0);
    g_assert_cmpint(vm_begin_nested(t, MIG_OUT), ==, 0);
    actor_start(ev, ACT_WAIT_EVENT, 0, 0);
    g_assert_true(test_vm_wait_hook_count(t, 1));
    actor_start(modify, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0);
    actor_start(async, ACT_BEGIN_ASYNC, DOMAIN_ASYNC_JOB_SAVE, 0);
    actor_start(query, ACT_BEGIN, DOMAIN_JOB_QUERY, 0);
    g_assert_true(test_vm_wait_queued(t, 3));
    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        g_assert_false(actor_is_done(all[i]));

    domain_obj_lock(t->vm);
    t->vm->removing = TRUE;
    domain_job_wake_all(t->vm);
    domain_obj_unlock(t->vm);

    for (guint i = 0; i < G_N_ELEMENTS(all); i++) {
        g_assert_cmpint(actor_finish(all[i]), ==, -1);
        g_assert_cmpint(actor_error_code(all[i]), ==, QVIRT_ERR_NO_DOMAIN);
        g_assert_cmpstr(actor_error_message(all[i]), ==, "domain 'web1' is being removed");
    }
    g_assert_cmpuint(vm_queued(t), ==, 0);
    /* Newcomers fail at once; the holders can still end their jobs. */
    g_assert_cmpint(actor_do(query, ACT_BEGIN, DOMAIN_JOB_QUERY, 0), ==, -1);
    g_assert_cmpint(actor_error_code(query), ==, QVIRT_ERR_NO_DOMAIN);
    vm_end_nested(t);
    vm_end_async(t);
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);
    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        actor_free(all[i]);
    test_vm_free(t);
}

static void
test_removal_domain_stopped(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *needs = actor_new(t, "dominfo");
    Actor *any = actor_new(t, "undefine");
    guint waits;

    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_MODIFY), ==, 0);
    actor_start(needs, ACT_BEGIN, DOMAIN_JOB_QUERY, DOMAIN_JOB_BEGIN_NEED_ACTIVE);
    actor_start(any, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0);
    g_assert_true(test_vm_wait_queued(t, 2));

    domain_obj_lock(t->vm);
    t->vm->def->id = -1; /* QEMU went away */
    waits = t->hook_waits;
    domain_job_wake_all(t->vm);
    domain_obj_unlock(t->vm);

    /* The waiter that needs a running domain gives up... */
    g_assert_cmpint(actor_finish(needs), ==, -1);
    g_assert_cmpint(actor_error_code(needs), ==, QVIRT_ERR_NO_DOMAIN);
    g_assert_cmpstr(actor_error_message(needs), ==, "domain 'web1' is not running");
    /* ...the other one went back to waiting, and gets the job in turn. */
    g_assert_true(test_vm_wait_hook_count(t, waits + 1));
    g_assert_false(actor_is_done(any));
    g_assert_cmpuint(vm_queued(t), ==, 1);
    vm_end(t);
    g_assert_cmpint(actor_finish(any), ==, 0);
    g_assert_cmpint(actor_do(any, ACT_END, 0, 0), ==, 0);

    /* Jobs that need a running domain are refused at once. */
    g_assert_cmpint(vm_begin_async(t, DOMAIN_ASYNC_JOB_SAVE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "domain 'web1' is not running");
    g_assert_cmpint(vm_begin_async(t, DOMAIN_ASYNC_JOB_START), ==, 0);
    g_assert_cmpint(vm_begin_nested(t, DOMAIN_ASYNC_JOB_START), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "domain 'web1' is not running");
    domain_obj_lock(t->vm);
    g_assert_cmpint(domain_job_wait_event(t->vm, qvirt_deadline_after_ms(JOBTEST_WAIT_MS)), ==, -1);
    domain_obj_unlock(t->vm);
    vm_end_async(t);
    actor_free(any);
    actor_free(needs);
    test_vm_free(t);
}

static void
test_abort_wakes_event_waiters(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *mig = actor_new(t, "migrate");
    guint waits;

    domain_obj_lock(t->vm);
    g_assert_cmpint(domain_job_request_abort(t->vm), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "no job is active on domain 'web1'");
    /* A deadline in the past: returns at once with 1. */
    g_assert_cmpint(domain_job_wait_event(t->vm, g_get_monotonic_time()), ==, 1);
    domain_obj_unlock(t->vm);

    g_assert_cmpint(actor_do(mig, ACT_BEGIN_ASYNC, MIG_OUT, 0), ==, 0);
    waits = t->hook_waits;
    actor_start(mig, ACT_WAIT_EVENT, 0, 0);
    g_assert_true(test_vm_wait_hook_count(t, waits + 1));
    domain_obj_lock(t->vm);
    domain_job_signal_event(t->vm);
    domain_obj_unlock(t->vm);
    g_assert_cmpint(actor_finish(mig), ==, 0);
    g_assert_false(actor_seen_abort(mig));

    waits = t->hook_waits;
    actor_start(mig, ACT_WAIT_EVENT, 0, 0);
    g_assert_true(test_vm_wait_hook_count(t, waits + 1));
    domain_obj_lock(t->vm);
    g_assert_cmpint(domain_job_request_abort(t->vm), ==, 0);
    domain_obj_unlock(t->vm);
    g_assert_cmpint(actor_finish(mig), ==, 0);
    g_assert_true(actor_seen_abort(mig));

    g_assert_cmpint(actor_do(mig, ACT_END_ASYNC, 0, 0), ==, 0);
    g_assert_false(domain_job_abort_requested(t->vm->job));
    /* A new async job starts without the old request. */
    g_assert_cmpint(actor_do(mig, ACT_BEGIN_ASYNC, MIG_OUT, 0), ==, 0);
    g_assert_false(actor_seen_abort(mig));
    g_assert_cmpint(actor_do(mig, ACT_END_ASYNC, 0, 0), ==, 0);
    actor_free(mig);
    test_vm_free(t);
}

static void
test_stats_slots(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    DomainJobStats st;
    DomainJobStats *cur;

    test_clock_install();
    domain_obj_lock(t->vm);
    g_assert_null(domain_job_current_stats(t->vm));
    domain_job_get_stats(t->vm, FALSE, &st);
    g_assert_cmpint(st.status, ==, DOMAIN_JOB_STATUS_NONE);

    g_assert_cmpint(domain_job_begin_async(t->vm, MIG_OUT, DOMAIN_JOB_OPERATION_MIGRATION_OUT, 0),
                    ==, 0);
    domain_job_get_stats(t->vm, FALSE, &st);
    g_assert_cmpint(st.status, ==, DOMAIN_JOB_STATUS_ACTIVE);
    g_assert_cmpint(st.operation, ==, DOMAIN_JOB_OPERATION_MIGRATION_OUT);
    g_assert_cmpint(st.async_job, ==, MIG_OUT);
    g_assert_cmpint(st.started_ms, ==, G_GINT64_CONSTANT(1700000000000));
    g_assert_cmpint(st.time_elapsed_ms, ==, 0);

    /* The job's thread fills in its slot; readers get copies. */
    cur = domain_job_current_stats(t->vm);
    g_assert_nonnull(cur);
    cur->status = DOMAIN_JOB_STATUS_MIGRATING;
    cur->mem_total = 1 << 30;
    cur->mem_processed = 1 << 28;
    test_clock_advance_ms(2500);
    domain_job_get_stats(t->vm, FALSE, &st);
    cur->mem_processed = 1 << 29;
    g_assert_cmpint(st.status, ==, DOMAIN_JOB_STATUS_MIGRATING);
    g_assert_cmpuint(st.mem_processed, ==, 1 << 28);
    g_assert_cmpint(st.time_elapsed_ms, ==, 2500);

    domain_job_complete_stats(t->vm, DOMAIN_JOB_STATUS_COMPLETED, NULL);
    domain_job_end_async(t->vm);
    g_assert_null(domain_job_current_stats(t->vm));
    domain_job_get_stats(t->vm, FALSE, &st);
    g_assert_cmpint(st.status, ==, DOMAIN_JOB_STATUS_NONE);
    test_clock_advance_ms(1000);
    domain_job_get_stats(t->vm, TRUE, &st);
    g_assert_cmpint(st.status, ==, DOMAIN_JOB_STATUS_COMPLETED);
    g_assert_cmpint(st.time_elapsed_ms, ==, 2500);
    g_assert_cmpuint(st.mem_processed, ==, 1 << 29);
    g_assert_cmpstr(st.error_message, ==, "");

    /* A failure keeps its message, cut to the slot's size. */
    g_assert_cmpint(
        domain_job_begin_async(t->vm, DOMAIN_ASYNC_JOB_DUMP, DOMAIN_JOB_OPERATION_DUMP, 0), ==, 0);
    {
        g_autofree char *long_msg = g_strnfill(2 * DOMAIN_JOB_STATS_ERROR_MAX, 'x');

        domain_job_complete_stats(t->vm, DOMAIN_JOB_STATUS_FAILED, long_msg);
    }
    domain_job_end_async(t->vm);
    domain_job_get_stats(t->vm, TRUE, &st);
    g_assert_cmpint(st.status, ==, DOMAIN_JOB_STATUS_FAILED);
    g_assert_cmpint(st.operation, ==, DOMAIN_JOB_OPERATION_DUMP);
    g_assert_cmpuint(strlen(st.error_message), ==, DOMAIN_JOB_STATS_ERROR_MAX - 1);

    st.status = DOMAIN_JOB_STATUS_COMPLETED;
    st.downtime_set = TRUE;
    st.downtime_ms = 42;
    domain_job_set_completed_stats(t->vm, &st);
    domain_job_get_stats(t->vm, TRUE, &st);
    g_assert_cmpint(st.downtime_ms, ==, 42);
    domain_job_clear_completed_stats(t->vm);
    domain_job_get_stats(t->vm, TRUE, &st);
    g_assert_cmpint(st.status, ==, DOMAIN_JOB_STATUS_NONE);
    domain_obj_unlock(t->vm);
    test_clock_uninstall();
    test_vm_free(t);
}

void
test_rules_register(void)
{
    g_test_add_func("/domainjob/rules/incompatible-waits", test_rules_incompatible_waits);
    g_test_add_func("/domainjob/rules/compatible-runs", test_rules_compatible_runs);
    g_test_add_func("/domainjob/rules/mask-admits-waiter", test_rules_mask_admits_waiter);
    g_test_add_func("/domainjob/rules/destroy-always", test_rules_destroy_always);
    g_test_add_func("/domainjob/rules/nested-excludes", test_rules_nested_excludes);
    g_test_add_func("/domainjob/rules/nested-needs-its-async-job",
                    test_rules_nested_needs_its_async_job);
    g_test_add_func("/domainjob/rules/async-waits", test_rules_async_waits);
    g_test_add_func("/domainjob/rules/one-normal-job", test_rules_one_normal_job);
    g_test_add_func("/domainjob/rules/turn-passed-on", test_rules_turn_passed_on);
    g_test_add_func("/domainjob/deadline/holder-text", test_deadline_holder_text);
    g_test_add_func("/domainjob/deadline/max-queued", test_deadline_max_queued);
    g_test_add_func("/domainjob/phases/forward-only", test_phases_forward_only);
    g_test_add_func("/domainjob/phases/handover", test_phases_handover);
    g_test_add_func("/domainjob/persist/order", test_persist_order);
    g_test_add_func("/domainjob/persist/failure", test_persist_failure);
    g_test_add_func("/domainjob/removal/wakes-waiters", test_removal_wakes_waiters);
    g_test_add_func("/domainjob/removal/domain-stopped", test_removal_domain_stopped);
    g_test_add_func("/domainjob/abort/wakes-event-waiters", test_abort_wakes_event_waiters);
    g_test_add_func("/domainjob/stats/slots", test_stats_slots);
}

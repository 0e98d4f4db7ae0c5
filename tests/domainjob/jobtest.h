/* jobtest.h: helpers of the job control suite: a test domain that records
 * its save_status calls and notices queued waiters, "actors" (threads that
 * run one job operation at a time on request), and a fake clock.
 *
 * Synchronisation is by conditions only: a test learns that an actor is
 * blocked from the job code's wait hook (domain_job_priv.h), never by
 * sleeping. */
#pragma once

#include <glib.h>

#include "conf/domain_job.h"
#include "conf/domain_job_priv.h"

/* Generous bounds for things that must happen; reaching one fails the test. */
#define JOBTEST_WAIT_MS 20000

typedef struct {
    DomainObj *vm;
    QvirtCond hook_cond; /* broadcast by the wait hook (vm->lock) */
    guint hook_waits;    /* times a thread began waiting (vm->lock) */
    GPtrArray *saves;    /* one line per save_status call, or NULL (vm->lock) */
    guint save_count;    /* save_status calls (vm->lock) */
    guint fail_saves;    /* fail this many coming save_status calls (vm->lock) */
} TestVm;

/* A domain named NAME, running when ACTIVE, with the wait hook and
 * save_status recorder installed and a 5 s job wait timeout. */
TestVm *test_vm_new(const char *name, gboolean active);
void test_vm_free(TestVm *t);
/* Wait (bounded) until N threads are queued for a job; TRUE when they are. */
gboolean test_vm_wait_queued(TestVm *t, guint n);
/* Wait (bounded) until the wait hook has run N times in total. */
gboolean test_vm_wait_hook_count(TestVm *t, guint n);
/* The recorded save_status lines joined by '\n' (vm->lock taken inside). */
char *test_vm_saves(TestVm *t);
void test_vm_clear_saves(TestVm *t);

typedef enum {
    ACT_BEGIN, /* arg: DomainJob, arg2: DomainJobBeginFlags */
    ACT_END,
    ACT_BEGIN_ASYNC, /* arg: DomainAsyncJob */
    ACT_END_ASYNC,
    ACT_BEGIN_NESTED, /* arg: DomainAsyncJob */
    ACT_END_NESTED,
    ACT_SET_PHASE,   /* arg: phase */
    ACT_START_PHASE, /* arg: DomainAsyncJob, arg2: phase */
    ACT_RELEASE,
    ACT_WAIT_EVENT, /* waits JOBTEST_WAIT_MS at most */
} ActorOp;

typedef struct _Actor Actor;

/* A thread that runs operations on T's domain as API API. */
Actor *actor_new(TestVm *t, const char *api);
/* Stop and join the thread. */
void actor_free(Actor *a);
/* Post an operation and return at once. */
void actor_start(Actor *a, ActorOp op, int arg, int arg2);
/* Wait (bounded; the test fails otherwise) for the posted operation's result. */
int actor_finish(Actor *a);
int actor_do(Actor *a, ActorOp op, int arg, int arg2);
gboolean actor_is_done(Actor *a);
/* Error of the last failed operation. */
int actor_error_code(Actor *a);
const char *actor_error_message(Actor *a);
/* Job state seen right after the last operation returned (under vm->lock). */
DomainJob actor_seen_active(Actor *a);
DomainAsyncJob actor_seen_async(Actor *a);
gboolean actor_seen_owner(Actor *a);
gboolean actor_seen_abort(Actor *a);

/* The same operations from the calling thread, taking vm->lock around each. */
int vm_begin(TestVm *t, DomainJob type);
void vm_end(TestVm *t);
int vm_begin_async(TestVm *t, DomainAsyncJob type);
void vm_end_async(TestVm *t);
int vm_begin_nested(TestVm *t, DomainAsyncJob type);
void vm_end_nested(TestVm *t);
int vm_set_phase(TestVm *t, int phase);
int vm_start_phase(TestVm *t, DomainAsyncJob type, int phase);
void vm_release(TestVm *t);
void vm_set_mask(TestVm *t, unsigned int mask);
/* State read under vm->lock. */
DomainJob vm_active(TestVm *t);
DomainAsyncJob vm_async(TestVm *t);
int vm_phase(TestVm *t);
guint vm_queued(TestVm *t);
gboolean vm_has_owner(TestVm *t);

/* The fake clock: both clocks stand still until advanced. */
void test_clock_install(void);
void test_clock_uninstall(void);
void test_clock_advance_ms(gint64 ms);

/* Migration-out phases the suite registers (index = phase). */
enum {
    TPH_NONE,
    TPH_BEGIN3,
    TPH_BEGIN_RESUME,
    TPH_PERFORM3,
    TPH_PERFORM3_DONE,
    TPH_CONFIRM3_CANCELLED,
    TPH_CONFIRM3,
    TPH_POSTCOPY_FAILED,
    TPH_LAST
};
void test_register_phases(void);

void test_rules_register(void);
void test_status_register(void);
void test_stress_register(void);

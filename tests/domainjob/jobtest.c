/* jobtest.c: helpers of the job control suite (see jobtest.h). */
#include <config.h>

#include <string.h>

#include "jobtest.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* ---- the test domain --------------------------------------------------- */

static void
test_vm_wait_hook(DomainObj *vm, gpointer opaque G_GNUC_UNUSED)
{
    TestVm *t = vm->private_data;

    t->hook_waits++;
    qvirt_cond_broadcast(&t->hook_cond);
}

static int
test_vm_save_status(DomainObj *vm, gpointer opaque)
{
    TestVm *t = opaque;
    DomainJobObj *job = vm->job;

    g_assert_true(t->vm == vm);
    t->save_count++;
    if (t->fail_saves > 0) {
        t->fail_saves--;
        qvirt_report_error(QVIRT_ERR_WRITE_FAILED, "cannot write status of '%s': disk full",
                           domain_obj_get_name(vm));
        return -1;
    }
    if (t->saves) {
        g_ptr_array_add(t->saves,
                        g_strdup_printf("job=%s async=%s phase=%s",
                                        domain_job_type_to_string(domain_job_get_active(job)),
                                        domain_async_job_to_string(domain_job_get_async(job)),
                                        domain_job_phase_to_string(domain_job_get_async(job),
                                                                   domain_job_get_phase(job))));
    }
    return 0;
}

TestVm *
test_vm_new(const char *name, gboolean active)
{
    TestVm *t = g_new0(TestVm, 1);
    DomainDef *def = domain_def_new();
    DomainJobCallbacks cb = {.save_status = test_vm_save_status};

    def->name = g_strdup(name);
    def->id = active ? 1 : -1;
    t->vm = domain_obj_new(def);
    t->vm->private_data = t;
    t->saves = g_ptr_array_new_with_free_func(g_free);
    qvirt_cond_init(&t->hook_cond);
    domain_job_obj_set_callbacks(t->vm->job, &cb, t);
    domain_job_obj_set_config(t->vm->job, 5000, 0);
    domain_job_priv_set_wait_hook(test_vm_wait_hook, NULL);
    return t;
}

void
test_vm_free(TestVm *t)
{
    if (!t)
        return;
    domain_job_priv_set_wait_hook(NULL, NULL);
    domain_obj_unref(t->vm);
    if (t->saves)
        g_ptr_array_unref(t->saves);
    qvirt_cond_clear(&t->hook_cond);
    g_free(t);
}

gboolean
test_vm_wait_queued(TestVm *t, guint n)
{
    gint64 deadline = qvirt_deadline_after_ms(JOBTEST_WAIT_MS);
    gboolean ok;

    domain_obj_lock(t->vm);
    while (domain_job_get_queued(t->vm->job) < n &&
           qvirt_cond_wait_until(&t->hook_cond, &t->vm->lock, deadline))
        ;
    ok = domain_job_get_queued(t->vm->job) >= n;
    domain_obj_unlock(t->vm);
    return ok;
}

gboolean
test_vm_wait_hook_count(TestVm *t, guint n)
{
    gint64 deadline = qvirt_deadline_after_ms(JOBTEST_WAIT_MS);
    gboolean ok;

    domain_obj_lock(t->vm);
    while (t->hook_waits < n && qvirt_cond_wait_until(&t->hook_cond, &t->vm->lock, deadline))
        ;
    ok = t->hook_waits >= n;
    domain_obj_unlock(t->vm);
    return ok;
}

char *
test_vm_saves(TestVm *t)
{
    GString *str = g_string_new(NULL);

    domain_obj_lock(t->vm);
    for (guint i = 0; i < t->saves->len; i++) {
        if (i)
            g_string_append_c(str, '\n');
        g_string_append(str, g_ptr_array_index(t->saves, i));
    }
    domain_obj_unlock(t->vm);
    return g_string_free(str, FALSE);
}

void
test_vm_clear_saves(TestVm *t)
{
    domain_obj_lock(t->vm);
    g_ptr_array_set_size(t->saves, 0);
    domain_obj_unlock(t->vm);
}

/* ---- actors ------------------------------------------------------------ */

struct _Actor {
    QvirtMutex lock;
    QvirtCond cond;
    GThread *thread;
    TestVm *t;
    char *api;

    /* Under lock. */
    gboolean has_op;
    gboolean quit;
    gboolean done;
    ActorOp op;
    int arg;
    int arg2;
    int result;
    int err_code;
    char *err_msg;
    DomainJob seen_active;
    DomainAsyncJob seen_async;
    gboolean seen_owner;
    gboolean seen_abort;
};

static int
actor_run_op(Actor *a, ActorOp op, int arg, int arg2)
{
    DomainObj *vm = a->t->vm;

    switch (op) {
    case ACT_BEGIN:
        return domain_job_begin_flags(vm, arg, arg2);
    case ACT_END:
        domain_job_end(vm);
        return 0;
    case ACT_BEGIN_ASYNC:
        return domain_job_begin_async(vm, arg, DOMAIN_JOB_OPERATION_UNKNOWN, 0);
    case ACT_END_ASYNC:
        domain_job_end_async(vm);
        return 0;
    case ACT_BEGIN_NESTED:
        return domain_job_begin_nested(vm, arg);
    case ACT_END_NESTED:
        domain_job_end_nested(vm);
        return 0;
    case ACT_SET_PHASE:
        return domain_job_set_phase(vm, arg);
    case ACT_START_PHASE:
        return domain_job_start_phase(vm, arg, arg2);
    case ACT_RELEASE:
        domain_job_release_async(vm);
        return 0;
    case ACT_WAIT_EVENT:
        return domain_job_wait_event(vm, qvirt_deadline_after_ms(JOBTEST_WAIT_MS));
    }
    g_assert_not_reached();
}

static gpointer
actor_main(gpointer data)
{
    Actor *a = data;

    domain_job_set_current_api(a->api);
    for (;;) {
        ActorOp op;
        int arg, arg2, result;
        DomainJob seen_active;
        DomainAsyncJob seen_async;
        gboolean seen_owner, seen_abort;
        char *msg = NULL;
        int code = 0;

        qvirt_mutex_lock(&a->lock);
        while (!a->has_op && !a->quit)
            qvirt_cond_wait(&a->cond, &a->lock);
        if (a->quit && !a->has_op) {
            qvirt_mutex_unlock(&a->lock);
            break;
        }
        op = a->op;
        arg = a->arg;
        arg2 = a->arg2;
        a->has_op = FALSE;
        qvirt_mutex_unlock(&a->lock);

        qvirt_error_reset();
        domain_obj_lock(a->t->vm);
        result = actor_run_op(a, op, arg, arg2);
        seen_active = domain_job_get_active(a->t->vm->job);
        seen_async = domain_job_get_async(a->t->vm->job);
        seen_owner = domain_job_is_async_owner(a->t->vm->job);
        seen_abort = domain_job_abort_requested(a->t->vm->job);
        domain_obj_unlock(a->t->vm);
        if (result < 0) {
            code = qvirt_error_last_code();
            msg = g_strdup(qvirt_error_last_message());
        }

        qvirt_mutex_lock(&a->lock);
        a->result = result;
        a->err_code = code;
        g_free(a->err_msg);
        a->err_msg = msg;
        a->seen_active = seen_active;
        a->seen_async = seen_async;
        a->seen_owner = seen_owner;
        a->seen_abort = seen_abort;
        a->done = TRUE;
        qvirt_cond_broadcast(&a->cond);
        qvirt_mutex_unlock(&a->lock);
    }
    return NULL;
}

Actor *
actor_new(TestVm *t, const char *api)
{
    Actor *a = g_new0(Actor, 1);

    qvirt_mutex_init(&a->lock);
    qvirt_cond_init(&a->cond);
    a->t = t;
    a->api = g_strdup(api);
    a->done = TRUE;
    a->thread = g_thread_new("actor", actor_main, a);
    return a;
}

void
actor_free(Actor *a)
{
    if (!a)
        return;
    qvirt_mutex_lock(&a->lock);
    a->quit = TRUE;
    qvirt_cond_broadcast(&a->cond);
    qvirt_mutex_unlock(&a->lock);
    g_thread_join(a->thread);
    qvirt_cond_clear(&a->cond);
    qvirt_mutex_clear(&a->lock);
    g_free(a->err_msg);
    g_free(a->api);
    g_free(a);
}

void
actor_start(Actor *a, ActorOp op, int arg, int arg2)
{
    qvirt_mutex_lock(&a->lock);
    g_assert_true(a->done);
    a->op = op;
    a->arg = arg;
    a->arg2 = arg2;
    a->has_op = TRUE;
    a->done = FALSE;
    qvirt_cond_broadcast(&a->cond);
    qvirt_mutex_unlock(&a->lock);
}

int
actor_finish(Actor *a)
{
    gint64 deadline = qvirt_deadline_after_ms(JOBTEST_WAIT_MS);
    int result;

    qvirt_mutex_lock(&a->lock);
    while (!a->done && qvirt_cond_wait_until(&a->cond, &a->lock, deadline))
        ;
    if (!a->done)
        g_error("actor '%s' did not finish operation %d in time", a->api, a->op);
    result = a->result;
    qvirt_mutex_unlock(&a->lock);
    return result;
}

int
actor_do(Actor *a, ActorOp op, int arg, int arg2)
{
    actor_start(a, op, arg, arg2);
    return actor_finish(a);
}

gboolean
actor_is_done(Actor *a)
{
    gboolean done;

    qvirt_mutex_lock(&a->lock);
    done = a->done;
    qvirt_mutex_unlock(&a->lock);
    return done;
}

#define ACTOR_GETTER(type, name, field)                                                            \
    type name(Actor *a)                                                                            \
    {                                                                                              \
        type value;                                                                                \
        qvirt_mutex_lock(&a->lock);                                                                \
        value = a->field;                                                                          \
        qvirt_mutex_unlock(&a->lock);                                                              \
        return value;                                                                              \
    }

ACTOR_GETTER(int, actor_error_code, err_code)
ACTOR_GETTER(DomainJob, actor_seen_active, seen_active)
ACTOR_GETTER(DomainAsyncJob, actor_seen_async, seen_async)
ACTOR_GETTER(gboolean, actor_seen_owner, seen_owner)
ACTOR_GETTER(gboolean, actor_seen_abort, seen_abort)

const char *
actor_error_message(Actor *a)
{
    const char *msg;

    /* The message stays until the next operation, which the caller starts. */
    qvirt_mutex_lock(&a->lock);
    msg = a->err_msg ? a->err_msg : "";
    qvirt_mutex_unlock(&a->lock);
    return msg;
}

/* ---- main-thread operations ------------------------------------------- */

#define VM_LOCKED_INT(t, expr)                                                                     \
    do {                                                                                           \
        int rc_;                                                                                   \
        domain_obj_lock((t)->vm);                                                                  \
        rc_ = (expr);                                                                              \
        domain_obj_unlock((t)->vm);                                                                \
        return rc_;                                                                                \
    } while (0)

#define VM_LOCKED_VOID(t, stmt)                                                                    \
    do {                                                                                           \
        domain_obj_lock((t)->vm);                                                                  \
        stmt;                                                                                      \
        domain_obj_unlock((t)->vm);                                                                \
    } while (0)

int
vm_begin(TestVm *t, DomainJob type)
{
    VM_LOCKED_INT(t, domain_job_begin(t->vm, type));
}

void
vm_end(TestVm *t)
{
    VM_LOCKED_VOID(t, domain_job_end(t->vm));
}

int
vm_begin_async(TestVm *t, DomainAsyncJob type)
{
    VM_LOCKED_INT(t, domain_job_begin_async(t->vm, type, DOMAIN_JOB_OPERATION_UNKNOWN, 0));
}

void
vm_end_async(TestVm *t)
{
    VM_LOCKED_VOID(t, domain_job_end_async(t->vm));
}

int
vm_begin_nested(TestVm *t, DomainAsyncJob type)
{
    VM_LOCKED_INT(t, domain_job_begin_nested(t->vm, type));
}

void
vm_end_nested(TestVm *t)
{
    VM_LOCKED_VOID(t, domain_job_end_nested(t->vm));
}

int
vm_set_phase(TestVm *t, int phase)
{
    VM_LOCKED_INT(t, domain_job_set_phase(t->vm, phase));
}

int
vm_start_phase(TestVm *t, DomainAsyncJob type, int phase)
{
    VM_LOCKED_INT(t, domain_job_start_phase(t->vm, type, phase));
}

void
vm_release(TestVm *t)
{
    VM_LOCKED_VOID(t, domain_job_release_async(t->vm));
}

void
vm_set_mask(TestVm *t, unsigned int mask)
{
    VM_LOCKED_VOID(t, domain_job_set_mask(t->vm, mask));
}

DomainJob
vm_active(TestVm *t)
{
    VM_LOCKED_INT(t, domain_job_get_active(t->vm->job));
}

DomainAsyncJob
vm_async(TestVm *t)
{
    VM_LOCKED_INT(t, domain_job_get_async(t->vm->job));
}

int
vm_phase(TestVm *t)
{
    VM_LOCKED_INT(t, domain_job_get_phase(t->vm->job));
}

guint
vm_queued(TestVm *t)
{
    VM_LOCKED_INT(t, (int)domain_job_get_queued(t->vm->job));
}

gboolean
vm_has_owner(TestVm *t)
{
    VM_LOCKED_INT(t, domain_job_async_has_owner(t->vm->job));
}

/* ---- the fake clock ---------------------------------------------------- */

static gint64 test_clock_us;

static gint64
test_clock_now(void)
{
    return __atomic_load_n(&test_clock_us, __ATOMIC_SEQ_CST);
}

void
test_clock_install(void)
{
    /* Any fixed point will do; this one reads well as a date (2023-11-14). */
    __atomic_store_n(&test_clock_us, G_GINT64_CONSTANT(1700000000000000), __ATOMIC_SEQ_CST);
    domain_job_priv_set_clocks(test_clock_now, test_clock_now);
}

void
test_clock_uninstall(void)
{
    domain_job_priv_set_clocks(NULL, NULL);
}

void
test_clock_advance_ms(gint64 ms)
{
    __atomic_add_fetch(&test_clock_us, ms * 1000, __ATOMIC_SEQ_CST);
}

/* ---- phases ------------------------------------------------------------ */

static const char *const test_phase_names[TPH_LAST] = {
    "none",     "begin3",          "begin_resume",
    "perform3", "perform3_done",   "confirm3_cancelled",
    "confirm3", "postcopy_failed",
};

/* Post-copy recovery: from postcopy_failed back to begin_resume. */
static gboolean
test_phase_allow_backwards(int from, int to)
{
    return from == TPH_POSTCOPY_FAILED && to == TPH_BEGIN_RESUME;
}

void
test_register_phases(void)
{
    g_assert_cmpint(domain_job_register_phases(DOMAIN_ASYNC_JOB_MIGRATION_OUT, test_phase_names,
                                               TPH_LAST, test_phase_allow_backwards),
                    ==, 0);
}

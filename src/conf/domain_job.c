/* domain_job.c: job control for a domain object (see domain_job.h).
 *
 * One function decides whether a waiter may proceed (job_blocker()) and one
 * loop waits for it (job_wait()); every transition goes through a small
 * helper that also wakes the waiters concerned and calls save_status for the
 * transitions the status XML tracks.
 *
 * Wake-ups: threads blocked by the normal slot wait on `cond`, threads
 * blocked by the async job (or its mask) on `async_cond`. Ending a normal job
 * signals ONE waiter on `cond`, so a busy domain does not wake every queued
 * call for each job. That waiter holds a baton: if it leaves `cond` without
 * taking the normal slot (it timed out, the domain went away, an async job
 * now blocks it, or it took the async job) while the slot is free, it
 * signals `cond` again (job_pass_baton()). Rare transitions (an async job
 * ends, the mask changes, the domain is removed) broadcast to everyone. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "conf/domain_job_priv.h"
#include "util/enum.h"
#include "util/error.h"
#include "util/log.h"
#include "util/xml.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

QVIRT_LOG_INIT("conf.domain_job");

struct _DomainJobObj {
    QvirtCond cond;       /* the normal slot was freed, or the async job ended */
    QvirtCond async_cond; /* the async job ended, or its mask changed */
    QvirtCond event_cond; /* an event or an abort request for the async job's thread */

    gint64 wait_timeout_ms;
    guint max_queued; /* 0: no limit */
    guint queued;     /* threads now waiting for a job */

    DomainJobCallbacks cb;
    gpointer cb_opaque;
    gpointer private_data;

    /* The normal job. */
    DomainJob active;
    unsigned long long owner; /* kernel thread id; 0 when none (parsed from a file) */
    char *owner_api;
    gint64 started; /* job clock (µs) */

    /* The async job. */
    DomainAsyncJob async_job;
    int phase;
    unsigned int mask;
    unsigned long long async_flags;
    unsigned long long async_owner; /* 0 between API calls */
    char *async_owner_api;
    char *async_start_api;
    gint64 async_started;         /* job clock (µs) */
    gint64 async_started_real_ms; /* ms since the epoch, for the status XML */
    gboolean abort_requested;

    DomainJobStats current;
    DomainJobStats completed;
};

/* ---- string tables ----------------------------------------------------- */

QVIRT_ENUM_IMPL(domain_job_type, DOMAIN_JOB_LAST,
                "none", "query", "destroy", "suspend", "modify", "abort",
                "migration operation", "modify migration safe", "async nested");

QVIRT_ENUM_IMPL(domain_async_job, DOMAIN_ASYNC_JOB_LAST,
                "none", "migration out", "migration in", "save", "dump", "start", "backup");

QVIRT_ENUM_IMPL(domain_job_status, DOMAIN_JOB_STATUS_LAST,
                "none", "active", "migrating", "postcopy", "postcopy paused", "paused",
                "hypervisor completed", "completed", "failed", "canceled");

/* ---- phase tables ------------------------------------------------------ */

typedef struct {
    const char *const *names; /* NULL: only phase 0, "none" */
    int count;
    DomainJobPhaseBackwardsFunc allow_backwards;
} JobPhaseTable;

static QvirtMutex job_phase_lock = {PTHREAD_MUTEX_INITIALIZER};
static JobPhaseTable job_phase_tables[DOMAIN_ASYNC_JOB_LAST];

int
domain_job_register_phases(DomainAsyncJob type, const char *const *names, int count,
                           DomainJobPhaseBackwardsFunc allow_backwards)
{
    if (type <= DOMAIN_ASYNC_JOB_NONE || type >= DOMAIN_ASYNC_JOB_LAST) {
        qvirt_report_internal(_("cannot register phases of invalid async job %d"), type);
        return -1;
    }
    if (!names || count < 1 || !names[0] || !g_str_equal(names[0], "none")) {
        qvirt_report_internal(_("phase table of async job '%s' must start with 'none'"),
                              domain_async_job_to_string(type));
        return -1;
    }
    for (int i = 1; i < count; i++) {
        if (!names[i] || qvirt_enum_from_string(names, i, names[i]) >= 0) {
            qvirt_report_internal(_("phase table of async job '%s' has a missing or repeated "
                                    "name at index %d"),
                                  domain_async_job_to_string(type), i);
            return -1;
        }
    }
    qvirt_mutex_lock(&job_phase_lock);
    job_phase_tables[type].names = names;
    job_phase_tables[type].count = count;
    job_phase_tables[type].allow_backwards = allow_backwards;
    qvirt_mutex_unlock(&job_phase_lock);
    return 0;
}

static JobPhaseTable
job_phase_table(DomainAsyncJob type)
{
    JobPhaseTable table = {0};

    if (type > DOMAIN_ASYNC_JOB_NONE && type < DOMAIN_ASYNC_JOB_LAST) {
        qvirt_mutex_lock(&job_phase_lock);
        table = job_phase_tables[type];
        qvirt_mutex_unlock(&job_phase_lock);
    }
    return table;
}

const char *
domain_job_phase_to_string(DomainAsyncJob type, int phase)
{
    JobPhaseTable table;

    if (phase == 0)
        return "none";
    table = job_phase_table(type);
    return qvirt_enum_to_string(table.names, table.names ? table.count : 0, phase);
}

int
domain_job_phase_from_string(DomainAsyncJob type, const char *name)
{
    JobPhaseTable table;

    if (name && g_str_equal(name, "none"))
        return 0;
    table = job_phase_table(type);
    if (!table.names)
        return -1;
    return qvirt_enum_from_string(table.names, table.count, name);
}

/* ---- clocks, thread identity, test hooks ------------------------------- */

static gint64 (*job_clock_mono)(void) = g_get_monotonic_time;
static gint64 (*job_clock_real)(void) = g_get_real_time;
static void (*job_wait_hook)(DomainObj *vm, gpointer opaque);
static gpointer job_wait_hook_opaque;

void
domain_job_priv_set_clocks(gint64 (*mono)(void), gint64 (*real)(void))
{
    job_clock_mono = mono ? mono : g_get_monotonic_time;
    job_clock_real = real ? real : g_get_real_time;
}

void
domain_job_priv_set_wait_hook(void (*hook)(DomainObj *vm, gpointer opaque), gpointer opaque)
{
    job_wait_hook = hook;
    job_wait_hook_opaque = opaque;
}

static _Thread_local const char *job_current_api;
static _Thread_local unsigned long long job_self_tid;

void
domain_job_set_current_api(const char *api)
{
    job_current_api = api;
}

const char *
domain_job_get_current_api(void)
{
    return job_current_api;
}

static unsigned long long
job_self(void)
{
    if (!job_self_tid)
        job_self_tid = (unsigned long long)syscall(SYS_gettid);
    return job_self_tid;
}

static const char *
job_api_name(const char *api)
{
    return api ? api : _("an unnamed API");
}

/* "41.2": seconds with one decimal, rounded, independent of the locale. */
static char *
job_format_seconds(gint64 usec)
{
    gint64 tenths = (MAX(usec, 0) + 50000) / 100000;

    return g_strdup_printf("%" G_GINT64_FORMAT ".%d", tenths / 10, (int)(tenths % 10));
}

static const char *
job_async_name(int type)
{
    const char *name = domain_async_job_to_string(type);

    return name ? name : "?";
}

static const char *
job_phase_name(const DomainJobObj *job)
{
    const char *name = domain_job_phase_to_string(job->async_job, job->phase);

    return name ? name : "?";
}

/* ---- the job object ---------------------------------------------------- */

DomainJobObj *
domain_job_obj_new(void)
{
    DomainJobObj *job = g_new0(DomainJobObj, 1);

    qvirt_cond_init(&job->cond);
    qvirt_cond_init(&job->async_cond);
    qvirt_cond_init(&job->event_cond);
    job->wait_timeout_ms = DOMAIN_JOB_DEFAULT_WAIT_TIMEOUT_MS;
    job->mask = DOMAIN_JOB_DEFAULT_MASK;
    return job;
}

void
domain_job_obj_free(DomainJobObj *job)
{
    if (!job)
        return;
    if (job->private_data && job->cb.free_private)
        job->cb.free_private(job->private_data, job->cb_opaque);
    g_free(job->owner_api);
    g_free(job->async_owner_api);
    g_free(job->async_start_api);
    qvirt_cond_clear(&job->cond);
    qvirt_cond_clear(&job->async_cond);
    qvirt_cond_clear(&job->event_cond);
    g_free(job);
}

void
domain_job_obj_set_config(DomainJobObj *job, gint64 wait_timeout_ms, guint max_queued)
{
    job->wait_timeout_ms =
        wait_timeout_ms > 0 ? wait_timeout_ms : DOMAIN_JOB_DEFAULT_WAIT_TIMEOUT_MS;
    job->max_queued = max_queued;
}

void
domain_job_obj_set_callbacks(DomainJobObj *job, const DomainJobCallbacks *cb, gpointer opaque)
{
    if (cb)
        job->cb = *cb;
    else
        memset(&job->cb, 0, sizeof(job->cb));
    job->cb_opaque = opaque;
}

void
domain_job_set_private(DomainJobObj *job, gpointer private_data)
{
    if (job->private_data && job->private_data != private_data && job->cb.free_private)
        job->cb.free_private(job->private_data, job->cb_opaque);
    job->private_data = private_data;
}

gpointer
domain_job_get_private(const DomainJobObj *job)
{
    return job->private_data;
}

/* ---- state helpers ----------------------------------------------------- */

static void
job_set_normal(DomainJobObj *job, DomainJob type, const char *api)
{
    job->active = type;
    job->owner = job_self();
    g_free(job->owner_api);
    job->owner_api = g_strdup(api);
    job->started = job_clock_mono();
}

static void
job_reset_normal(DomainJobObj *job)
{
    job->active = DOMAIN_JOB_NONE;
    job->owner = 0;
    g_clear_pointer(&job->owner_api, g_free);
    job->started = 0;
}

static void
job_reset_async(DomainJobObj *job)
{
    job->async_job = DOMAIN_ASYNC_JOB_NONE;
    job->phase = 0;
    job->mask = DOMAIN_JOB_DEFAULT_MASK;
    job->async_flags = 0;
    job->async_owner = 0;
    g_clear_pointer(&job->async_owner_api, g_free);
    g_clear_pointer(&job->async_start_api, g_free);
    job->async_started = 0;
    job->async_started_real_ms = 0;
    job->abort_requested = FALSE;
    memset(&job->current, 0, sizeof(job->current));
}

/* The normal slot may be free: let one waiter on `cond` try it. */
static void
job_pass_baton(DomainJobObj *job)
{
    if (job->active == DOMAIN_JOB_NONE)
        qvirt_cond_signal(&job->cond);
}

/* Whatever a waiter may be waiting for changed: let each re-check. */
static void
job_wake_job_waiters(DomainJobObj *job)
{
    qvirt_cond_broadcast(&job->cond);
    qvirt_cond_broadcast(&job->async_cond);
}

static int
job_save_status(DomainObj *vm)
{
    DomainJobObj *job = vm->job;

    if (!job->cb.save_status)
        return 0;
    if (job->cb.save_status(vm, job->cb_opaque) < 0) {
        if (!qvirt_error_get_last())
            qvirt_report_internal(_("cannot save the status of domain '%s'"),
                                  domain_obj_get_name(vm));
        return -1;
    }
    return 0;
}

/* For ends, which cannot fail: a failed save is logged and forgotten, and the
 * caller's own error (if it ends a job because something failed) is kept. */
static void
job_save_status_on_end(DomainObj *vm, const char *what)
{
    QvirtError *saved = qvirt_error_save();

    if (job_save_status(vm) < 0)
        QVIRT_WARN("domain '%s': status not saved after ending %s: %s", domain_obj_get_name(vm),
                   what, qvirt_error_last_message());
    qvirt_error_restore(saved);
}

/* The holders of DOMAIN's jobs, for a timeout message. */
static char *
job_describe_holders(const DomainJobObj *job)
{
    GString *str = g_string_new(NULL);
    gint64 now = job_clock_mono();

    if (job->async_job != DOMAIN_ASYNC_JOB_NONE) {
        const char *name = domain_async_job_to_string(job->async_job);
        g_autofree char *ago = job_format_seconds(now - job->async_started);

        if (!job->async_owner && !job->async_start_api) {
            g_string_append_printf(str,
                                   _("async job '%s' (phase %s, started %s s ago, "
                                     "no owner between API calls)"),
                                   name, job_phase_name(job), ago);
        } else if (!job->async_owner) {
            g_string_append_printf(str,
                                   _("async job '%s' (phase %s, started by %s %s s ago, "
                                     "no owner between API calls)"),
                                   name, job_phase_name(job), job->async_start_api, ago);
        } else if (g_strcmp0(job->async_owner_api, job->async_start_api) != 0) {
            g_string_append_printf(str,
                                   _("async job '%s' (phase %s, started by %s %s s ago, "
                                     "now owned by %s)"),
                                   name, job_phase_name(job), job_api_name(job->async_start_api),
                                   ago, job_api_name(job->async_owner_api));
        } else {
            g_string_append_printf(str, _("async job '%s' (phase %s, started by %s %s s ago)"),
                                   name, job_phase_name(job), job_api_name(job->async_owner_api),
                                   ago);
        }
    }
    if (job->active != DOMAIN_JOB_NONE) {
        g_autofree char *held = job_format_seconds(now - job->started);

        if (str->len)
            g_string_append(str, "; ");
        g_string_append_printf(str, _("normal job '%s' held by %s for %s s"),
                               domain_job_type_to_string(job->active), job_api_name(job->owner_api),
                               held);
    }
    return g_string_free(str, FALSE);
}

/* ---- waiting ----------------------------------------------------------- */

typedef enum {
    JOB_WAIT_NORMAL, /* a normal job of some type */
    JOB_WAIT_ASYNC,  /* an async job */
    JOB_WAIT_NESTED, /* a nested job of the running async job */
} JobWaitKind;

/* The condition to wait on while the request is blocked, NULL when it may
 * proceed. This is the whole admission rule. */
static QvirtCond *
job_blocker(DomainJobObj *job, JobWaitKind kind, DomainJob type)
{
    switch (kind) {
    case JOB_WAIT_NORMAL:
        if (job->async_job != DOMAIN_ASYNC_JOB_NONE && type != DOMAIN_JOB_DESTROY &&
            !(job->mask & DOMAIN_JOB_MASK(type)))
            return &job->async_cond;
        return job->active != DOMAIN_JOB_NONE ? &job->cond : NULL;
    case JOB_WAIT_ASYNC:
        if (job->async_job != DOMAIN_ASYNC_JOB_NONE)
            return &job->async_cond;
        return job->active != DOMAIN_JOB_NONE ? &job->cond : NULL;
    case JOB_WAIT_NESTED:
        return job->active != DOMAIN_JOB_NONE ? &job->cond : NULL;
    }
    return NULL;
}

static int
job_check_domain(DomainObj *vm, gboolean need_active)
{
    if (vm->removing) {
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("domain '%s' is being removed"),
                           domain_obj_get_name(vm));
        return -1;
    }
    if (need_active && !domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, _("domain '%s' is not running"),
                           domain_obj_get_name(vm));
        return -1;
    }
    return 0;
}

/* Wait, dropping vm->lock, until the request may proceed. For JOB_WAIT_NESTED,
 * the async job must stay NESTED_FOR throughout. */
static int
job_wait(DomainObj *vm, JobWaitKind kind, DomainJob type, DomainAsyncJob nested_for,
         gboolean need_active)
{
    DomainJobObj *job = vm->job;
    gint64 deadline = qvirt_deadline_after_ms(job->wait_timeout_ms);
    gboolean queued = FALSE;
    gboolean timed_out = FALSE;
    QvirtCond *waited_on = NULL;
    int ret = -1;

    for (;;) {
        QvirtCond *cond;

        if (job_check_domain(vm, need_active) < 0)
            goto out;
        if (kind == JOB_WAIT_NESTED && job->async_job != nested_for) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("domain '%s' has async job '%s', not '%s': no nested job "
                                 "for it"),
                               domain_obj_get_name(vm), domain_async_job_to_string(job->async_job),
                               domain_async_job_to_string(nested_for));
            goto out;
        }
        cond = job_blocker(job, kind, type);
        if (!cond)
            break;
        if (timed_out) {
            g_autofree char *holders = job_describe_holders(job);

            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("cannot acquire state change lock: domain '%s' is busy with %s"),
                               domain_obj_get_name(vm), holders);
            goto out;
        }
        if (!queued) {
            if (job->max_queued && job->queued >= job->max_queued) {
                qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                                   _("cannot acquire state change lock: domain '%s' already "
                                     "has %u queued jobs (max_queued_jobs)"),
                                   domain_obj_get_name(vm), job->queued);
                goto out;
            }
            job->queued++;
            queued = TRUE;
        }
        if (waited_on == &job->cond && cond != &job->cond)
            job_pass_baton(job);
        if (job_wait_hook)
            job_wait_hook(vm, job_wait_hook_opaque);
        waited_on = cond;
        if (!qvirt_cond_wait_until(cond, &vm->lock, deadline))
            timed_out = TRUE;
    }
    ret = 0;

out:
    if (queued)
        job->queued--;
    /* A normal or nested job takes the slot right after a success; anyone
     * else who may have been signalled on `cond` passes the turn on. */
    if (waited_on == &job->cond && (ret < 0 || kind == JOB_WAIT_ASYNC))
        job_pass_baton(job);
    return ret;
}

/* ---- normal jobs ------------------------------------------------------- */

int
domain_job_begin(DomainObj *vm, DomainJob type)
{
    return domain_job_begin_flags(vm, type, 0);
}

int
domain_job_begin_flags(DomainObj *vm, DomainJob type, unsigned int flags)
{
    DomainJobObj *job = vm->job;

    if (type <= DOMAIN_JOB_NONE || type >= DOMAIN_JOB_LAST || type == DOMAIN_JOB_ASYNC_NESTED) {
        qvirt_report_internal(_("invalid normal job type %d for domain '%s'"), type,
                              domain_obj_get_name(vm));
        return -1;
    }
    if (job_wait(vm, JOB_WAIT_NORMAL, type, DOMAIN_ASYNC_JOB_NONE,
                 !!(flags & DOMAIN_JOB_BEGIN_NEED_ACTIVE)) < 0)
        return -1;

    job_set_normal(job, type, job_current_api);
    if (type == DOMAIN_JOB_DESTROY && job_save_status(vm) < 0) {
        job_reset_normal(job);
        job_pass_baton(job);
        return -1;
    }
    QVIRT_DEBUG("domain '%s': began job '%s' for %s", domain_obj_get_name(vm),
                domain_job_type_to_string(type), job_api_name(job_current_api));
    return 0;
}

void
domain_job_end(DomainObj *vm)
{
    DomainJobObj *job = vm->job;
    DomainJob was = job->active;

    if (was == DOMAIN_JOB_NONE) {
        QVIRT_ERROR("domain '%s': ending a normal job while none is active",
                    domain_obj_get_name(vm));
        return;
    }
    if (job->owner && job->owner != job_self())
        QVIRT_WARN("domain '%s': job '%s' ended by a thread that does not own it",
                   domain_obj_get_name(vm), domain_job_type_to_string(was));
    job_reset_normal(job);
    if (was == DOMAIN_JOB_DESTROY)
        job_save_status_on_end(vm, "a destroy job");
    QVIRT_DEBUG("domain '%s': ended job '%s'", domain_obj_get_name(vm),
                domain_job_type_to_string(was));
    job_pass_baton(job);
}

/* ---- async jobs -------------------------------------------------------- */

static gboolean
job_async_needs_active(DomainAsyncJob type)
{
    return type == DOMAIN_ASYNC_JOB_MIGRATION_OUT || type == DOMAIN_ASYNC_JOB_SAVE ||
           type == DOMAIN_ASYNC_JOB_DUMP || type == DOMAIN_ASYNC_JOB_BACKUP;
}

int
domain_job_begin_async(DomainObj *vm, DomainAsyncJob type, DomainJobOperation operation,
                       unsigned long long api_flags)
{
    DomainJobObj *job = vm->job;

    if (type <= DOMAIN_ASYNC_JOB_NONE || type >= DOMAIN_ASYNC_JOB_LAST) {
        qvirt_report_internal(_("invalid async job type %d for domain '%s'"), type,
                              domain_obj_get_name(vm));
        return -1;
    }
    if (job_wait(vm, JOB_WAIT_ASYNC, DOMAIN_JOB_NONE, DOMAIN_ASYNC_JOB_NONE,
                 job_async_needs_active(type)) < 0)
        return -1;

    job_reset_async(job);
    job->async_job = type;
    job->async_flags = api_flags;
    job->async_owner = job_self();
    job->async_owner_api = g_strdup(job_current_api);
    job->async_start_api = g_strdup(job_current_api);
    job->async_started = job_clock_mono();
    job->async_started_real_ms = job_clock_real() / 1000;
    job->current.status = DOMAIN_JOB_STATUS_ACTIVE;
    job->current.async_job = type;
    job->current.operation = operation;
    job->current.started_ms = job->async_started_real_ms;

    if (job_save_status(vm) < 0) {
        job_reset_async(job);
        job_wake_job_waiters(job);
        return -1;
    }
    QVIRT_DEBUG("domain '%s': began async job '%s' for %s", domain_obj_get_name(vm),
                domain_async_job_to_string(type), job_api_name(job_current_api));
    return 0;
}

static void
job_finish_async(DomainObj *vm)
{
    DomainJobObj *job = vm->job;
    DomainAsyncJob was = job->async_job;

    if (job->cb.reset_private)
        job->cb.reset_private(job, job->cb_opaque);
    job_reset_async(job);
    job_save_status_on_end(vm, "an async job");
    QVIRT_DEBUG("domain '%s': ended async job '%s'", domain_obj_get_name(vm),
                domain_async_job_to_string(was));
    job_wake_job_waiters(job);
    qvirt_cond_broadcast(&job->event_cond);
}

void
domain_job_end_async(DomainObj *vm)
{
    DomainJobObj *job = vm->job;

    if (job->async_job == DOMAIN_ASYNC_JOB_NONE) {
        QVIRT_ERROR("domain '%s': ending an async job while none is active",
                    domain_obj_get_name(vm));
        return;
    }
    if (job->async_owner && job->async_owner != job_self())
        QVIRT_WARN("domain '%s': async job '%s' ended by a thread that does not own it",
                   domain_obj_get_name(vm), domain_async_job_to_string(job->async_job));
    job_finish_async(vm);
}

void
domain_job_discard_async(DomainObj *vm)
{
    if (vm->job->async_job == DOMAIN_ASYNC_JOB_NONE)
        return;
    job_finish_async(vm);
}

/* ---- nested jobs ------------------------------------------------------- */

int
domain_job_begin_nested(DomainObj *vm, DomainAsyncJob type)
{
    DomainJobObj *job = vm->job;

    if (type <= DOMAIN_ASYNC_JOB_NONE || type >= DOMAIN_ASYNC_JOB_LAST) {
        qvirt_report_internal(_("invalid async job type %d for a nested job of domain '%s'"), type,
                              domain_obj_get_name(vm));
        return -1;
    }
    if (job->async_owner && job->async_owner != job_self())
        QVIRT_WARN("domain '%s': nested job taken by a thread that does not own async job '%s'",
                   domain_obj_get_name(vm), domain_async_job_to_string(job->async_job));
    if (job_wait(vm, JOB_WAIT_NESTED, DOMAIN_JOB_ASYNC_NESTED, type, TRUE) < 0)
        return -1;
    job_set_normal(job, DOMAIN_JOB_ASYNC_NESTED,
                   job_current_api ? job_current_api : job->async_owner_api);
    return 0;
}

void
domain_job_end_nested(DomainObj *vm)
{
    if (vm->job->active != DOMAIN_JOB_ASYNC_NESTED) {
        QVIRT_ERROR("domain '%s': ending a nested job while job '%s' is active",
                    domain_obj_get_name(vm), domain_job_type_to_string(vm->job->active));
        return;
    }
    domain_job_end(vm);
}

/* ---- phases and ownership ---------------------------------------------- */

/* Check that the async job may move to PHASE. */
static int
job_check_phase(DomainObj *vm, int phase)
{
    DomainJobObj *job = vm->job;
    JobPhaseTable table = job_phase_table(job->async_job);
    int count = table.names ? table.count : 1;

    if (phase < 0 || phase >= count) {
        qvirt_report_internal(_("unknown phase %d of async job '%s' of domain '%s'"), phase,
                              domain_async_job_to_string(job->async_job), domain_obj_get_name(vm));
        return -1;
    }
    if (phase < job->phase &&
        !(table.allow_backwards && table.allow_backwards(job->phase, phase))) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("async job '%s' of domain '%s' cannot go back from phase %s to %s"),
                           domain_async_job_to_string(job->async_job), domain_obj_get_name(vm),
                           job_phase_name(job), domain_job_phase_to_string(job->async_job, phase));
        return -1;
    }
    return 0;
}

/* Move to PHASE owned by OWNER/API and persist; on failure restore all. */
static int
job_move_phase(DomainObj *vm, int phase, unsigned long long owner, const char *api)
{
    DomainJobObj *job = vm->job;
    int old_phase = job->phase;
    unsigned long long old_owner = job->async_owner;
    char *old_api = job->async_owner_api;

    job->phase = phase;
    job->async_owner = owner;
    job->async_owner_api = g_strdup(api);
    if (job_save_status(vm) < 0) {
        g_free(job->async_owner_api);
        job->async_owner_api = old_api;
        job->async_owner = old_owner;
        job->phase = old_phase;
        return -1;
    }
    g_free(old_api);
    QVIRT_DEBUG("domain '%s': async job '%s' now in phase %s", domain_obj_get_name(vm),
                domain_async_job_to_string(job->async_job), job_phase_name(job));
    return 0;
}

int
domain_job_set_phase(DomainObj *vm, int phase)
{
    DomainJobObj *job = vm->job;

    if (job->async_job == DOMAIN_ASYNC_JOB_NONE) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("domain '%s' has no async job to set phase %d of"),
                           domain_obj_get_name(vm), phase);
        return -1;
    }
    if (job_check_phase(vm, phase) < 0)
        return -1;
    if (!job->async_owner)
        return job_move_phase(vm, phase, job_self(), job_current_api);
    if (job->async_owner != job_self())
        QVIRT_WARN("domain '%s': phase of async job '%s' set by a thread that does not own it",
                   domain_obj_get_name(vm), domain_async_job_to_string(job->async_job));
    return job_move_phase(vm, phase, job->async_owner, job->async_owner_api);
}

int
domain_job_start_phase(DomainObj *vm, DomainAsyncJob type, int phase)
{
    DomainJobObj *job = vm->job;

    if (job->async_job != type || type == DOMAIN_ASYNC_JOB_NONE) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain '%s' has no '%s' job running"),
                           domain_obj_get_name(vm), job_async_name(type));
        return -1;
    }
    if (job->async_owner && job->async_owner != job_self()) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("async job '%s' of domain '%s' is already owned by %s"),
                           domain_async_job_to_string(type), domain_obj_get_name(vm),
                           job_api_name(job->async_owner_api));
        return -1;
    }
    if (job_check_phase(vm, phase) < 0)
        return -1;
    return job_move_phase(vm, phase, job_self(), job_current_api);
}

void
domain_job_release_async(DomainObj *vm)
{
    DomainJobObj *job = vm->job;

    if (job->async_job == DOMAIN_ASYNC_JOB_NONE) {
        QVIRT_ERROR("domain '%s': releasing an async job while none is active",
                    domain_obj_get_name(vm));
        return;
    }
    if (job->async_owner && job->async_owner != job_self())
        QVIRT_WARN("domain '%s': async job '%s' released by a thread that does not own it",
                   domain_obj_get_name(vm), domain_async_job_to_string(job->async_job));
    job->async_owner = 0;
    g_clear_pointer(&job->async_owner_api, g_free);
}

void
domain_job_set_mask(DomainObj *vm, unsigned int mask)
{
    DomainJobObj *job = vm->job;

    if (job->async_job == DOMAIN_ASYNC_JOB_NONE)
        return;
    job->mask =
        (mask | DOMAIN_JOB_MASK(DOMAIN_JOB_DESTROY)) & ~DOMAIN_JOB_MASK(DOMAIN_JOB_ASYNC_NESTED);
    job_wake_job_waiters(job);
}

/* ---- abort and events -------------------------------------------------- */

int
domain_job_request_abort(DomainObj *vm)
{
    DomainJobObj *job = vm->job;

    if (job->async_job == DOMAIN_ASYNC_JOB_NONE) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("no job is active on domain '%s'"),
                           domain_obj_get_name(vm));
        return -1;
    }
    job->abort_requested = TRUE;
    qvirt_cond_broadcast(&job->event_cond);
    return 0;
}

gboolean
domain_job_abort_requested(const DomainJobObj *job)
{
    return job->abort_requested;
}

int
domain_job_wait_event(DomainObj *vm, gint64 deadline)
{
    if (job_check_domain(vm, TRUE) < 0)
        return -1;
    if (job_wait_hook)
        job_wait_hook(vm, job_wait_hook_opaque);
    if (!qvirt_cond_wait_until(&vm->job->event_cond, &vm->lock, deadline))
        return 1;
    return job_check_domain(vm, TRUE);
}

void
domain_job_signal_event(DomainObj *vm)
{
    qvirt_cond_broadcast(&vm->job->event_cond);
}

void
domain_job_wake_all(DomainObj *vm)
{
    job_wake_job_waiters(vm->job);
    qvirt_cond_broadcast(&vm->job->event_cond);
}

/* ---- inspection -------------------------------------------------------- */

DomainJob
domain_job_get_active(const DomainJobObj *job)
{
    return job->active;
}

DomainAsyncJob
domain_job_get_async(const DomainJobObj *job)
{
    return job->async_job;
}

int
domain_job_get_phase(const DomainJobObj *job)
{
    return job->phase;
}

unsigned int
domain_job_get_mask(const DomainJobObj *job)
{
    return job->mask;
}

unsigned long long
domain_job_get_async_flags(const DomainJobObj *job)
{
    return job->async_flags;
}

gboolean
domain_job_async_has_owner(const DomainJobObj *job)
{
    return job->async_job != DOMAIN_ASYNC_JOB_NONE && job->async_owner != 0;
}

gboolean
domain_job_is_async_owner(const DomainJobObj *job)
{
    return job->async_job != DOMAIN_ASYNC_JOB_NONE && job->async_owner == job_self();
}

guint
domain_job_get_queued(const DomainJobObj *job)
{
    return job->queued;
}

/* ---- statistics -------------------------------------------------------- */

DomainJobStats *
domain_job_current_stats(DomainObj *vm)
{
    if (vm->job->async_job == DOMAIN_ASYNC_JOB_NONE)
        return NULL;
    return &vm->job->current;
}

void
domain_job_complete_stats(DomainObj *vm, DomainJobStatus status, const char *error_message)
{
    DomainJobObj *job = vm->job;

    if (job->async_job == DOMAIN_ASYNC_JOB_NONE)
        return;
    job->completed = job->current;
    job->completed.status = status;
    job->completed.time_elapsed_ms = (job_clock_mono() - job->async_started) / 1000;
    job->completed.time_remaining_ms = 0;
    g_strlcpy(job->completed.error_message, error_message ? error_message : "",
              sizeof(job->completed.error_message));
}

void
domain_job_set_completed_stats(DomainObj *vm, const DomainJobStats *stats)
{
    vm->job->completed = *stats;
}

void
domain_job_clear_completed_stats(DomainObj *vm)
{
    memset(&vm->job->completed, 0, sizeof(vm->job->completed));
}

void
domain_job_get_stats(DomainObj *vm, gboolean completed, DomainJobStats *ret_stats)
{
    DomainJobObj *job = vm->job;
    DomainJobStats stats = completed ? job->completed : job->current;

    if (!completed && job->async_job != DOMAIN_ASYNC_JOB_NONE &&
        stats.status != DOMAIN_JOB_STATUS_NONE)
        stats.time_elapsed_ms = (job_clock_mono() - job->async_started) / 1000;
    *ret_stats = stats;
}

/* ---- status XML -------------------------------------------------------- */

void
domain_job_format_status(const DomainJobObj *job, GString *buf, int indent)
{
    DomainJob type = job->active == DOMAIN_JOB_DESTROY ? DOMAIN_JOB_DESTROY : DOMAIN_JOB_NONE;
    g_autoptr(GString) children = g_string_new(NULL);

    if (type == DOMAIN_JOB_NONE && job->async_job == DOMAIN_ASYNC_JOB_NONE)
        return;

    g_string_append_printf(buf, "%*s<job type='%s' async='%s'", indent, "",
                           domain_job_type_to_string(type),
                           domain_async_job_to_string(job->async_job));
    if (job->async_job != DOMAIN_ASYNC_JOB_NONE) {
        if (job->phase != 0)
            g_string_append_printf(buf, " phase='%s'", job_phase_name(job));
        g_string_append_printf(buf, " flags='0x%llx' asyncStarted='%" G_GINT64_FORMAT "'",
                               job->async_flags, job->async_started_real_ms);
    }
    if (job->cb.format_private)
        job->cb.format_private(job, children, indent + 2, job->cb_opaque);
    if (children->len == 0) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    g_string_append_len(buf, children->str, children->len);
    g_string_append_printf(buf, "%*s</job>\n", indent, "");
}

static int
job_parse_number(const char *str, int base, guint64 *ret_value)
{
    char *end = NULL;
    guint64 value;

    if (!str || !(base == 16 ? g_ascii_isxdigit(*str) : g_ascii_isdigit(*str)))
        return -1;
    errno = 0;
    value = g_ascii_strtoull(str, &end, base);
    if (errno != 0 || !end || *end != '\0')
        return -1;
    *ret_value = value;
    return 0;
}

int
domain_job_parse_status(DomainJobObj *job, xmlNodePtr job_node, const char *file_for_errors)
{
    const char *file = file_for_errors ? file_for_errors : "?";
    g_autofree char *type_str = NULL;
    g_autofree char *async_str = NULL;
    g_autofree char *phase_str = NULL;
    g_autofree char *flags_str = NULL;
    g_autofree char *started_str = NULL;
    int type;
    int async_job;
    int phase = 0;
    guint64 flags = 0;
    guint64 started = 0;

    if (job->active != DOMAIN_JOB_NONE || job->async_job != DOMAIN_ASYNC_JOB_NONE) {
        qvirt_report_internal(_("cannot load a job from status file '%s' into a busy job object"),
                              file);
        return -1;
    }
    if (!job_node || job_node->type != XML_ELEMENT_NODE ||
        !xmlStrEqual(job_node->name, (const xmlChar *)"job")) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("expected a <job> element in status file '%s'"),
                           file);
        return -1;
    }

    type_str = qvirt_xml_prop(job_node, "type");
    async_str = qvirt_xml_prop(job_node, "async");
    phase_str = qvirt_xml_prop(job_node, "phase");
    flags_str = qvirt_xml_prop(job_node, "flags");
    started_str = qvirt_xml_prop(job_node, "asyncStarted");

    if (!type_str || !async_str) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("missing attribute '%s' of <job> in status file '%s'"),
                           type_str ? "async" : "type", file);
        return -1;
    }
    type = domain_job_type_from_string(type_str);
    if (type < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("unknown job type '%s' in status file '%s'"),
                           type_str, file);
        return -1;
    }
    if (type != DOMAIN_JOB_NONE && type != DOMAIN_JOB_DESTROY) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("job type '%s' in status file '%s' is never saved: only 'destroy' "
                             "is"),
                           type_str, file);
        return -1;
    }
    async_job = domain_async_job_from_string(async_str);
    if (async_job < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("unknown async job '%s' in status file '%s'"),
                           async_str, file);
        return -1;
    }
    if (phase_str) {
        phase = domain_job_phase_from_string(async_job, phase_str);
        if (phase < 0 || (async_job == DOMAIN_ASYNC_JOB_NONE && phase != 0)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("unknown phase '%s' of async job '%s' in status file '%s'"),
                               phase_str, async_str, file);
            return -1;
        }
    }
    if (flags_str &&
        (!g_str_has_prefix(flags_str, "0x") || job_parse_number(flags_str + 2, 16, &flags) < 0)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid job flags '%s' in status file '%s': expected 0x and hex "
                             "digits"),
                           flags_str, file);
        return -1;
    }
    if (started_str &&
        (job_parse_number(started_str, 10, &started) < 0 || started > G_MAXINT64 / 1000)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid asyncStarted '%s' in status file '%s': expected "
                             "milliseconds since the epoch"),
                           started_str, file);
        return -1;
    }
    if (async_job == DOMAIN_ASYNC_JOB_NONE && (flags || started)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("job flags or asyncStarted without an async job in status file "
                             "'%s'"),
                           file);
        return -1;
    }

    if (job->cb.parse_private) {
        xmlXPathContextPtr ctxt = xmlXPathNewContext(job_node->doc);
        int rc;

        if (!ctxt) {
            qvirt_report_internal(_("cannot create an XPath context for status file '%s'"), file);
            return -1;
        }
        ctxt->node = job_node;
        rc = job->cb.parse_private(job, ctxt, job_node, job->cb_opaque);
        xmlXPathFreeContext(ctxt);
        if (rc < 0) {
            if (job->cb.reset_private)
                job->cb.reset_private(job, job->cb_opaque);
            return -1;
        }
    }

    if (type == DOMAIN_JOB_DESTROY) {
        job->active = DOMAIN_JOB_DESTROY;
        job->owner = 0;
        job->started = job_clock_mono();
    }
    if (async_job != DOMAIN_ASYNC_JOB_NONE) {
        gint64 now_ms = job_clock_real() / 1000;
        gint64 age_ms = (gint64)started <= now_ms ? now_ms - (gint64)started : 0;

        job->async_job = async_job;
        job->phase = phase;
        job->mask = DOMAIN_JOB_DEFAULT_MASK;
        job->async_flags = flags;
        job->async_owner = 0;
        job->async_started_real_ms = (gint64)started;
        job->async_started = started ? job_clock_mono() - age_ms * 1000 : job_clock_mono();
        job->current.status = DOMAIN_JOB_STATUS_ACTIVE;
        job->current.async_job = async_job;
        job->current.started_ms = (gint64)started;
    }
    return 0;
}

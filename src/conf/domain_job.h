/* domain_job.h: job control for a domain object: the normal job, the async
 * job with its phases and mask, nested jobs, deadlines, the status XML
 * fragment of a job and the job statistics slots.
 *
 * Contract:
 * - Every function here that takes a DomainObj is called with the object's
 *   mutex held (vm->lock) and returns with it held. Functions that wait drop
 *   the mutex while waiting (qvirt_cond_wait_until) and re-check every
 *   condition after each wake-up: anything may have changed meanwhile.
 * - One normal job at a time. An async job admits the normal jobs in its mask
 *   (default query | destroy | abort; destroy is always admitted) and, for its
 *   own work, nested jobs, which take the normal slot but ignore the mask.
 * - Every wait has a deadline (wait_timeout_ms, default 30 s). A timeout fails
 *   with OPERATION_TIMEOUT and a message naming every holder. A waiter gives up
 *   with NO_DOMAIN when vm->removing is set, or when the job needs a running
 *   domain and the domain has stopped (see domain_job_wake_all()).
 * - Starting, ending or changing the phase of the async job, and starting or
 *   ending a destroy job, call the driver's save_status callback before the
 *   function returns. If it fails, a start or a phase change fails and leaves
 *   the previous state; an end still ends (a warning is logged).
 * - The owning API of a job is the calling thread's "current API" name
 *   (domain_job_set_current_api(), set by the RPC dispatcher per call); the
 *   owner thread is the kernel thread id of the caller.
 * - Readers of state, info, XML and statistics take no job: they copy what
 *   they need under the object mutex (domain_job_get_stats()). */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "conf/domain_obj.h"

/* Normal jobs, one at a time. Numbering is qvirt's own; the strings are what
 * the status XML and messages use. */
typedef enum {
    DOMAIN_JOB_NONE = 0,
    DOMAIN_JOB_QUERY,                 /* read-only monitor work */
    DOMAIN_JOB_DESTROY,               /* kills the domain; always admitted */
    DOMAIN_JOB_SUSPEND,               /* pause or resume */
    DOMAIN_JOB_MODIFY,                /* anything that changes the domain */
    DOMAIN_JOB_ABORT,                 /* aborts the async job */
    DOMAIN_JOB_MIGRATION_OP,          /* changes migration parameters */
    DOMAIN_JOB_MODIFY_MIGRATION_SAFE, /* modify, but safe during migration */
    DOMAIN_JOB_ASYNC_NESTED,          /* the async job's own work; only via begin_nested */
    DOMAIN_JOB_LAST
} DomainJob;

/* The bit of a normal job type in an async job's mask. */
#define DOMAIN_JOB_MASK(job) ((job) == DOMAIN_JOB_NONE ? 0U : 1U << ((job)-1))
/* What an async job admits unless told otherwise. */
#define DOMAIN_JOB_DEFAULT_MASK                                                                    \
    (DOMAIN_JOB_MASK(DOMAIN_JOB_QUERY) | DOMAIN_JOB_MASK(DOMAIN_JOB_DESTROY) |                     \
     DOMAIN_JOB_MASK(DOMAIN_JOB_ABORT))

typedef enum {
    DOMAIN_ASYNC_JOB_NONE = 0,
    DOMAIN_ASYNC_JOB_MIGRATION_OUT,
    DOMAIN_ASYNC_JOB_MIGRATION_IN,
    DOMAIN_ASYNC_JOB_SAVE,
    DOMAIN_ASYNC_JOB_DUMP,
    DOMAIN_ASYNC_JOB_START,
    DOMAIN_ASYNC_JOB_BACKUP,
    DOMAIN_ASYNC_JOB_LAST
} DomainAsyncJob;

/* libvirt's virDomainJobOperation numbers: what an async job does, as the
 * job statistics report it. */
typedef enum {
    DOMAIN_JOB_OPERATION_UNKNOWN = 0,
    DOMAIN_JOB_OPERATION_START = 1,
    DOMAIN_JOB_OPERATION_SAVE = 2,
    DOMAIN_JOB_OPERATION_RESTORE = 3,
    DOMAIN_JOB_OPERATION_MIGRATION_IN = 4,
    DOMAIN_JOB_OPERATION_MIGRATION_OUT = 5,
    DOMAIN_JOB_OPERATION_SNAPSHOT = 6,
    DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT = 7,
    DOMAIN_JOB_OPERATION_DUMP = 8,
    DOMAIN_JOB_OPERATION_BACKUP = 9,
    DOMAIN_JOB_OPERATION_LAST
} DomainJobOperation;

/* Where a job's statistics stand. */
typedef enum {
    DOMAIN_JOB_STATUS_NONE = 0,             /* slot empty */
    DOMAIN_JOB_STATUS_ACTIVE,               /* running, nothing transferred yet */
    DOMAIN_JOB_STATUS_MIGRATING,            /* transferring */
    DOMAIN_JOB_STATUS_POSTCOPY,             /* running in post-copy mode */
    DOMAIN_JOB_STATUS_POSTCOPY_PAUSED,      /* post-copy interrupted, recoverable */
    DOMAIN_JOB_STATUS_PAUSED,               /* waiting before switch-over */
    DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED, /* QEMU is done, qvirt is finishing */
    DOMAIN_JOB_STATUS_COMPLETED,
    DOMAIN_JOB_STATUS_FAILED,
    DOMAIN_JOB_STATUS_CANCELED,
    DOMAIN_JOB_STATUS_LAST
} DomainJobStatus;

#define DOMAIN_JOB_STATS_ERROR_MAX 512

/* Statistics of an async job. A plain struct, copied by value. Sizes are in
 * bytes, times in milliseconds; a field that does not apply stays 0. */
typedef struct {
    int status;             /* DomainJobStatus */
    int async_job;          /* DomainAsyncJob the statistics belong to */
    int operation;          /* DomainJobOperation */
    gint64 started_ms;      /* wall clock, ms since the epoch */
    gint64 time_elapsed_ms; /* current slot: computed when read; completed: final */
    gint64 time_remaining_ms;

    guint64 data_total;
    guint64 data_processed;
    guint64 data_remaining;

    guint64 mem_total;
    guint64 mem_processed;
    guint64 mem_remaining;
    guint64 mem_bps;
    guint64 mem_dirty_rate; /* pages per second */
    guint64 mem_iteration;
    guint64 mem_page_size;
    guint64 mem_postcopy_requests;

    guint64 disk_total;
    guint64 disk_processed;
    guint64 disk_remaining;
    guint64 disk_bps;

    gboolean downtime_set;
    gint64 downtime_ms;
    gint64 setup_time_ms;

    char error_message[DOMAIN_JOB_STATS_ERROR_MAX]; /* "" unless failed */
} DomainJobStats;

typedef struct _DomainJobObj DomainJobObj;

/* Hooks a hypervisor driver sets on each domain's job. All are optional and
 * are called with the domain's mutex held. */
typedef struct {
    /* Write the domain's status XML now. Return 0, or -1 with an error reported. */
    int (*save_status)(DomainObj *vm, gpointer opaque);
    /* Append driver-private children of <job> (each line indented by INDENT). */
    void (*format_private)(const DomainJobObj *job, GString *buf, int indent, gpointer opaque);
    /* Read them back: CTXT->node is the <job> element NODE. Return 0, or -1
     * with an error reported. */
    int (*parse_private)(DomainJobObj *job, xmlXPathContextPtr ctxt, xmlNodePtr node,
                         gpointer opaque);
    /* Forget per-async-job private state when the async job ends. */
    void (*reset_private)(DomainJobObj *job, gpointer opaque);
    /* Free private_data when it is replaced or the job object is freed. */
    void (*free_private)(gpointer private_data, gpointer opaque);
} DomainJobCallbacks;

/* Backwards phase moves an async job type allows (post-copy recovery). */
typedef gboolean (*DomainJobPhaseBackwardsFunc)(int from, int to);

/* ---- string tables (what the status XML stores) ------------------------ */

const char *domain_job_type_to_string(int type);
int domain_job_type_from_string(const char *str);
const char *domain_async_job_to_string(int type);
int domain_async_job_from_string(const char *str);
const char *domain_job_status_to_string(int status);
int domain_job_status_from_string(const char *str);

/* Register the phase names of an async job type: NAMES[0] must be "none" and
 * NAMES must stay valid for the life of the process (a static table). ALLOW
 * may be NULL. Registering again replaces the table. Returns 0, or -1 with
 * INTERNAL_ERROR on a bad table. Called when a driver loads. */
int domain_job_register_phases(DomainAsyncJob type, const char *const *names, int count,
                               DomainJobPhaseBackwardsFunc allow_backwards);
/* "none" for phase 0 of any type; NULL for an unregistered phase. */
const char *domain_job_phase_to_string(DomainAsyncJob type, int phase);
/* -1 for an unknown name. */
int domain_job_phase_from_string(DomainAsyncJob type, const char *name);

/* ---- the job object ---------------------------------------------------- */

DomainJobObj *domain_job_obj_new(void);
void domain_job_obj_free(DomainJobObj *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainJobObj, domain_job_obj_free)

#define DOMAIN_JOB_DEFAULT_WAIT_TIMEOUT_MS 30000

/* WAIT_TIMEOUT_MS <= 0 selects the default (30 s); MAX_QUEUED 0 means no
 * limit on threads waiting for this domain's jobs. */
void domain_job_obj_set_config(DomainJobObj *job, gint64 wait_timeout_ms, guint max_queued);
/* CB is copied; OPAQUE is passed to every callback. */
void domain_job_obj_set_callbacks(DomainJobObj *job, const DomainJobCallbacks *cb, gpointer opaque);
/* Replaces (and frees via free_private) the driver-private data. */
void domain_job_set_private(DomainJobObj *job, gpointer private_data);
gpointer domain_job_get_private(const DomainJobObj *job);

/* The calling thread's API name, recorded as the owner of the jobs it takes
 * ("suspend", "migrate", ...). API must be a string constant or outlive the
 * call; NULL clears it. */
void domain_job_set_current_api(const char *api);
const char *domain_job_get_current_api(void);

/* ---- taking and ending jobs (vm mutex held) ---------------------------- */

typedef enum {
    /* Fail with NO_DOMAIN, at once or when woken, if the domain is not running. */
    DOMAIN_JOB_BEGIN_NEED_ACTIVE = 1 << 0,
} DomainJobBeginFlags;

/* Take normal job TYPE (not ASYNC_NESTED). Waits while a normal job runs, or
 * while an async job runs whose mask does not admit TYPE. Returns 0, or -1
 * with OPERATION_TIMEOUT, NO_DOMAIN, OPERATION_FAILED (max_queued_jobs) or,
 * for destroy, the save_status error. */
int domain_job_begin(DomainObj *vm, DomainJob type);
int domain_job_begin_flags(DomainObj *vm, DomainJob type, unsigned int flags);
/* End the normal job (a nested one too, though domain_job_end_nested() says
 * so and checks it) and let the next waiter in. Never fails; a destroy job's
 * end is persisted. */
void domain_job_end(DomainObj *vm);

/* Take async job TYPE: waits until neither an async nor a normal job runs.
 * OPERATION goes into the statistics, API_FLAGS into the status XML. The
 * mask is the default; the phase is 0 ("none"); the caller owns the job.
 * Migration out, save, dump and backup need a running domain. Returns 0, or
 * -1 (errors as domain_job_begin(), or save_status's). */
int domain_job_begin_async(DomainObj *vm, DomainAsyncJob type, DomainJobOperation operation,
                           unsigned long long api_flags);
/* End the async job (its owner does this) and wake waiters. Never fails. */
void domain_job_end_async(DomainObj *vm);
/* Drop the async job whoever owns it, or nobody (recovery after a restart
 * decided to give it up). Same effects as domain_job_end_async(); a no-op
 * without an async job. Never fails. */
void domain_job_discard_async(DomainObj *vm);

/* Take the normal slot for the async job's own work (a monitor command).
 * The async job must be TYPE; the mask is ignored; the domain must be
 * running. Returns 0 or -1 (OPERATION_FAILED if the async job is not TYPE,
 * or as domain_job_begin()). */
int domain_job_begin_nested(DomainObj *vm, DomainAsyncJob type);
void domain_job_end_nested(DomainObj *vm);

/* Change the phase of the running async job. Refuses to go backwards unless
 * the type's allow_backwards says so (OPERATION_INVALID). An ownerless job
 * becomes the caller's. Persists; on failure the old phase stays. */
int domain_job_set_phase(DomainObj *vm, int phase);
/* Take over the ownerless async job TYPE for a new API call and set PHASE
 * (same rules as set_phase). OPERATION_INVALID when no such job runs or
 * another thread owns it. */
int domain_job_start_phase(DomainObj *vm, DomainAsyncJob type, int phase);
/* Leave the async job active with no owner until the next API call. */
void domain_job_release_async(DomainObj *vm);

/* Normal job types admitted during the async job; destroy is always added.
 * Wakes waiters so newly admitted ones proceed. */
void domain_job_set_mask(DomainObj *vm, unsigned int mask);

/* ---- abort and event waits -------------------------------------------- */

/* Flag the async job for abort and wake threads in domain_job_wait_event().
 * OPERATION_INVALID when no async job runs. The flag clears when an async
 * job begins or ends. */
int domain_job_request_abort(DomainObj *vm);
gboolean domain_job_abort_requested(const DomainJobObj *job);

/* Wait for domain_job_signal_event() (a QEMU event arrived), an abort
 * request, or DEADLINE (monotonic, µs; see qvirt_deadline_after_ms()).
 * Returns 0 when woken (re-check what you wait for), 1 at the deadline, -1
 * with NO_DOMAIN when the domain is being removed or is no longer running. */
int domain_job_wait_event(DomainObj *vm, gint64 deadline);
void domain_job_signal_event(DomainObj *vm);

/* Wake every waiter to re-check: call after setting vm->removing or after
 * the domain stopped. */
void domain_job_wake_all(DomainObj *vm);

/* ---- inspection (vm mutex held) ---------------------------------------- */

DomainJob domain_job_get_active(const DomainJobObj *job);
DomainAsyncJob domain_job_get_async(const DomainJobObj *job);
int domain_job_get_phase(const DomainJobObj *job);
unsigned int domain_job_get_mask(const DomainJobObj *job);
unsigned long long domain_job_get_async_flags(const DomainJobObj *job);
/* Whether the async job has an owner thread / the caller is that thread. */
gboolean domain_job_async_has_owner(const DomainJobObj *job);
gboolean domain_job_is_async_owner(const DomainJobObj *job);
/* Threads now waiting for a job of this domain. */
guint domain_job_get_queued(const DomainJobObj *job);

/* ---- statistics (vm mutex held) ---------------------------------------- */

/* The running async job's slot, for its own thread to fill in while holding
 * the mutex; NULL when no async job runs. Cleared when the async job ends. */
DomainJobStats *domain_job_current_stats(DomainObj *vm);
/* Copy the current slot into the completed one with final STATUS and
 * ERROR_MESSAGE (may be NULL). Call before ending the async job. */
void domain_job_complete_stats(DomainObj *vm, DomainJobStatus status, const char *error_message);
/* Set the completed slot from elsewhere (e.g. the migration cookie). */
void domain_job_set_completed_stats(DomainObj *vm, const DomainJobStats *stats);
void domain_job_clear_completed_stats(DomainObj *vm);
/* Copy the current (or completed) slot into RET; status NONE when empty. */
void domain_job_get_stats(DomainObj *vm, gboolean completed, DomainJobStats *ret_stats);

/* ---- status XML -------------------------------------------------------- */

/* Append <job .../> at INDENT spaces: type (only destroy is tracked), async,
 * phase, flags, asyncStarted and the driver's children. Nothing when there
 * is neither an async job nor a destroy job. */
void domain_job_format_status(const DomainJobObj *job, GString *buf, int indent);
/* Read a <job> element into an idle JOB. Strict: an unknown or untracked job
 * type, async job or phase, or a bad number, is an XML_ERROR naming
 * FILE_FOR_ERRORS and the value. Afterwards the async job (and a destroy
 * job) are active with no owner, for recovery to take over or end. */
int domain_job_parse_status(DomainJobObj *job, xmlNodePtr job_node, const char *file_for_errors);

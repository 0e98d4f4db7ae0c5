/* qemu_blockjob.c: the block jobs of a running domain after they started:
 * the state machine (a table), QEMU's events, the queued work that
 * finalizes and dismisses jobs and applies their outcome to the disk,
 * abort and pivot, speed and the job information. Starting jobs is in
 * qemu_blockjob_start.c. The contract is in qemu_blockjob.h. */
#include <config.h>

#include "qemu/qemu_blockjob_priv.h"
#include "qemu/qemu_domain.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.blockjob");

/* ---- the state machine ---- */

/* QEMU's job statuses (JobStatus). */
typedef enum {
    QJOB_CREATED = 0,
    QJOB_RUNNING,
    QJOB_PAUSED,
    QJOB_READY,
    QJOB_STANDBY,
    QJOB_WAITING,
    QJOB_PENDING,
    QJOB_ABORTING,
    QJOB_CONCLUDED,
    QJOB_NULL,
    QJOB_LAST
} QemuJobStatus;

static const char *const qjob_status_names[QJOB_LAST] = {
    "created", "running", "paused",   "ready",     "standby",
    "waiting", "pending", "aborting", "concluded", "null",
};

static int
qjob_status_from_string(const char *str)
{
    for (int i = 0; i < QJOB_LAST; i++) {
        if (g_strcmp0(str, qjob_status_names[i]) == 0)
            return i;
    }
    return -1;
}

#define K -1 /* keep the state */
#define R DOMAIN_BLOCKJOB_STATE_RUNNING
#define Y DOMAIN_BLOCKJOB_STATE_READY
#define C DOMAIN_BLOCKJOB_STATE_CONCLUDED

/* The next state of a job in a state (column) when QEMU reports a status
 * (row). Aborting and pivoting are our own states: QEMU's statuses on the
 * way to the end keep them; only concluded ends them. READY may go back to
 * running (QEMU allows it, e.g. on heavy guest writes). The terminal
 * states never change. */
/* clang-format off */
static const int qemu_blockjob_next[QJOB_LAST][DOMAIN_BLOCKJOB_STATE_LAST] = {
    /* columns: new running ready aborting pivoting concluded completed failed cancelled */
    [QJOB_CREATED]   = {R, K, R, K, K, K, K, K, K},
    [QJOB_RUNNING]   = {R, K, R, K, K, K, K, K, K},
    [QJOB_PAUSED]    = {R, K, K, K, K, K, K, K, K},
    [QJOB_READY]     = {Y, Y, K, K, K, K, K, K, K},
    [QJOB_STANDBY]   = {Y, Y, K, K, K, K, K, K, K},
    [QJOB_WAITING]   = {R, K, K, K, K, K, K, K, K},
    [QJOB_PENDING]   = {R, K, K, K, K, K, K, K, K},
    [QJOB_ABORTING]  = {R, K, K, K, K, K, K, K, K},
    [QJOB_CONCLUDED] = {C, C, C, C, C, K, K, K, K},
    [QJOB_NULL]      = {K, K, K, K, K, K, K, K, K},
};
/* clang-format on */

/* Whether a status needs the queued work (finalize, dismiss, reconcile). */
static const gboolean qemu_blockjob_needs_work[QJOB_LAST] = {
    [QJOB_PENDING] = TRUE,
    [QJOB_CONCLUDED] = TRUE,
    [QJOB_NULL] = TRUE,
};

#undef K
#undef R
#undef Y
#undef C

/* The next state of STATE on QEMU status QSTATUS (QemuJobStatus). */
static int
qemu_blockjob_transition(int state, int qstatus)
{
    int next;

    if (state < 0 || state >= DOMAIN_BLOCKJOB_STATE_LAST || qstatus < 0 || qstatus >= QJOB_LAST)
        return state;
    next = qemu_blockjob_next[qstatus][state];
    return next < 0 ? state : next;
}

int
qemu_blockjob_next_state(int state, const char *qemu_status)
{
    int qstatus = qjob_status_from_string(qemu_status);

    return qstatus < 0 ? -1 : qemu_blockjob_transition(state, qstatus);
}

static gboolean
state_is_terminal(int state)
{
    return state == DOMAIN_BLOCKJOB_STATE_COMPLETED || state == DOMAIN_BLOCKJOB_STATE_FAILED ||
           state == DOMAIN_BLOCKJOB_STATE_CANCELLED;
}

/* ---- the list ---- */

static void
blockjob_free(QemuBlockJob *job)
{
    if (!job)
        return;
    domain_blockjob_record_free(job->rec);
    g_free(job->mirror_storage);
    g_free(job->mirror_format);
    g_free(job->base_format);
    if (job->chain_drop)
        g_ptr_array_unref(job->chain_drop);
    if (job->drop_nodes)
        g_ptr_array_unref(job->drop_nodes);
    g_free(job);
}

void
qemu_blockjobs_free(QemuBlockJobs *jobs)
{
    if (!jobs)
        return;
    g_ptr_array_unref(jobs->records);
    g_ptr_array_unref(jobs->jobs);
    g_hash_table_unref(jobs->ended);
    g_free(jobs);
}

QemuBlockJobs *
qemu_blockjob_list(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    if (!priv->block_jobs) {
        priv->block_jobs = g_new0(QemuBlockJobs, 1);
        priv->block_jobs->jobs = g_ptr_array_new_with_free_func((GDestroyNotify)blockjob_free);
        priv->block_jobs->records = g_ptr_array_new();
        priv->block_jobs->ended = g_hash_table_new(NULL, NULL);
    }
    return priv->block_jobs;
}

GPtrArray *
qemu_blockjob_records(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    if (!priv || !priv->block_jobs || priv->block_jobs->records->len == 0)
        return NULL;
    return priv->block_jobs->records;
}

QemuBlockJob *
qemu_blockjob_find(QemuBlockJobs *jobs, const char *disk)
{
    for (guint i = 0; jobs && i < jobs->jobs->len; i++) {
        QemuBlockJob *job = g_ptr_array_index(jobs->jobs, i);

        if (g_str_equal(job->rec->disk, disk))
            return job;
    }
    return NULL;
}

static QemuBlockJob *
find_by_id(QemuBlockJobs *jobs, const char *id)
{
    for (guint i = 0; id && jobs && i < jobs->jobs->len; i++) {
        QemuBlockJob *job = g_ptr_array_index(jobs->jobs, i);

        if (g_str_equal(job->rec->job_id, id))
            return job;
    }
    return NULL;
}

static void
save_status_or_warn(QemuDriver *driver, DomainObj *vm)
{
    if (qemu_process_save_status(driver, vm) < 0) {
        QVIRT_WARN("domain '%s': status not saved after a block job transition: %s",
                   domain_obj_get_name(vm), qvirt_error_last_message());
        qvirt_error_reset();
    }
}

static gint blockjob_next_serial;

QemuBlockJob *
qemu_blockjob_add(QemuDriver *driver, DomainObj *vm, const char *disk, int type, unsigned int flags,
                  unsigned long long bandwidth)
{
    QemuBlockJobs *jobs = qemu_blockjob_list(vm);
    QemuBlockJob *job = g_new0(QemuBlockJob, 1);

    job->rec = domain_blockjob_record_new();
    job->rec->disk = g_strdup(disk);
    job->rec->job_id = g_strdup_printf("qvirt-%s-%s", domain_blockjob_type_to_string(type), disk);
    job->rec->type = type;
    job->rec->state = DOMAIN_BLOCKJOB_STATE_NEW;
    job->rec->flags = flags;
    job->rec->bandwidth = bandwidth;
    job->serial = (guint)g_atomic_int_add(&blockjob_next_serial, 1) + 1;
    job->intent = -1;
    g_ptr_array_add(jobs->jobs, job);
    g_ptr_array_add(jobs->records, job->rec);
    if (qemu_process_save_status(driver, vm) < 0) {
        g_ptr_array_remove(jobs->records, job->rec);
        g_ptr_array_remove(jobs->jobs, job);
        return NULL;
    }
    return job;
}

void
qemu_blockjob_remove(DomainObj *vm, QemuBlockJob *job)
{
    QemuBlockJobs *jobs = qemu_blockjob_list(vm);

    g_ptr_array_remove(jobs->records, job->rec);
    g_ptr_array_remove(jobs->jobs, job);
    domain_job_signal_event(vm);
}

static gboolean
poll_timer(gpointer opaque)
{
    DomainObj *vm = opaque;
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    gboolean keep = TRUE;

    domain_obj_lock(vm);
    if (!priv->block_jobs)
        keep = FALSE;
    else if (!domain_obj_is_active(vm) || priv->block_jobs->jobs->len == 0)
        keep = FALSE;
    if (keep)
        qemu_process_queue_work(vm, QEMU_WORK_BLOCK_JOBS);
    else if (priv->block_jobs)
        priv->block_jobs->timer = 0;
    domain_obj_unlock(vm);
    return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
qemu_blockjob_started(QemuDriver *driver, DomainObj *vm, QemuBlockJob *job)
{
    QemuBlockJobs *jobs = qemu_blockjob_list(vm);

    if (job->rec->state == DOMAIN_BLOCKJOB_STATE_NEW)
        job->rec->state = DOMAIN_BLOCKJOB_STATE_RUNNING;
    save_status_or_warn(driver, vm);
    if (!jobs->timer)
        jobs->timer =
            qvirt_event_loop_add_timeout(driver->loop, QEMU_BLOCKJOB_POLL_MS, poll_timer,
                                         domain_obj_ref(vm), (GDestroyNotify)domain_obj_unref);
    /* A job that moved on before we recorded it being started. */
    qemu_process_queue_work(vm, QEMU_WORK_BLOCK_JOBS);
}

/* ---- common steps of the entry points ---- */

DomainDiskDef *
qemu_blockjob_find_disk(DomainObj *vm, const char *name)
{
    DomainDiskDef *disk;

    if (name && (disk = domain_def_find_disk(vm->def, name)))
        return disk;
    for (size_t i = 0; name && i < vm->def->ndisks; i++) {
        disk = vm->def->disks[i];
        if (disk->src && g_strcmp0(disk->src->path, name) == 0)
            return disk;
    }
    qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("disk '%s' not found in domain '%s'"),
                       name ? name : "", domain_obj_get_name(vm));
    return NULL;
}

int
qemu_blockjob_begin(DomainObj *vm, const char *name, DomainDiskDef **ret_disk)
{
    DomainDiskDef *disk;

    if (qemu_driver_begin_modify(vm) < 0)
        return -1;
    if (!(disk = qemu_blockjob_find_disk(vm, name))) {
        qemu_blockjob_end(vm);
        return -1;
    }
    *ret_disk = disk;
    return 0;
}

void
qemu_blockjob_end(DomainObj *vm)
{
    domain_job_end(vm);
    domain_obj_unlock(vm);
}

int
qemu_blockjob_bandwidth_bytes(unsigned long long bandwidth, gboolean bytes, unsigned long long *ret)
{
    if (!bytes && bandwidth > (G_MAXUINT64 >> 20)) {
        qvirt_report_error(QVIRT_ERR_OVERFLOW, _("bandwidth %llu MiB/s is too large"), bandwidth);
        return -1;
    }
    *ret = bytes ? bandwidth : bandwidth << 20;
    return 0;
}

/* ---- events (event-loop thread, VM locked) ---- */

static int
job_type_public(int type)
{
    switch ((DomainBlockJobType)type) {
    case DOMAIN_BLOCKJOB_TYPE_PULL:
        return QV_DOMAIN_BLOCK_JOB_TYPE_PULL;
    case DOMAIN_BLOCKJOB_TYPE_COPY:
        return QV_DOMAIN_BLOCK_JOB_TYPE_COPY;
    case DOMAIN_BLOCKJOB_TYPE_COMMIT:
        return QV_DOMAIN_BLOCK_JOB_TYPE_COMMIT;
    case DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT:
        return QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT;
    case DOMAIN_BLOCKJOB_TYPE_LAST:
        break;
    }
    return QV_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN;
}

/* Emit BLOCK_JOB (with PATH) and BLOCK_JOB_2 (with the target). */
static void
emit_block_job(QemuDriver *driver, DomainObj *vm, const QemuBlockJob *job, const char *path,
               int status)
{
    QemuDriverEvent event = {
        .name = vm->def->name,
        .uuid = vm->def->uuid,
        .id = vm->def->id,
        .type = job_type_public(job->rec->type),
        .detail = status,
    };

    QVIRT_INFO("domain '%s': block job %s on %s: status %d", domain_obj_get_name(vm),
               job->rec->job_id, job->rec->disk, status);
    if (!driver->event_func)
        return;
    if (path) {
        event.event_id = QV_DOMAIN_EVENT_ID_BLOCK_JOB;
        event.disk = path;
        driver->event_func(&event, driver->event_opaque);
    }
    event.event_id = QV_DOMAIN_EVENT_ID_BLOCK_JOB_2;
    event.disk = job->rec->disk;
    driver->event_func(&event, driver->event_opaque);
}

static const char *
disk_path(DomainObj *vm, const char *target)
{
    DomainDiskDef *disk = domain_def_find_disk(vm->def, target);

    return disk && disk->src ? disk->src->path : NULL;
}

void
qemu_blockjob_handle_event(QemuDriver *driver, DomainObj *vm, const QemuMonitorEvent *event)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    const char *id =
        event->type == QEMU_MONITOR_EVENT_JOB_STATUS_CHANGE ? event->id : event->device;
    QemuBlockJob *job = find_by_id(priv->block_jobs, id);
    int qstatus;
    int next;

    if (!job)
        return;
    if (event->type != QEMU_MONITOR_EVENT_JOB_STATUS_CHANGE) {
        /* BLOCK_JOB_*: progress only; the status change tells the rest. */
        if (event->len) {
            job->cur = event->offset;
            job->end = event->len;
        }
        return;
    }
    qstatus = qjob_status_from_string(event->status);
    if (qstatus < 0) {
        QVIRT_WARN("domain '%s': block job %s: unknown status '%s'", domain_obj_get_name(vm),
                   job->rec->job_id, event->status ? event->status : "");
        return;
    }
    next = qemu_blockjob_transition(job->rec->state, qstatus);
    QVIRT_DEBUG("domain '%s': block job %s: %s, %s -> %s", domain_obj_get_name(vm),
                job->rec->job_id, event->status, domain_blockjob_state_to_string(job->rec->state),
                domain_blockjob_state_to_string(next));
    if (next != job->rec->state) {
        job->rec->state = next;
        if (next == DOMAIN_BLOCKJOB_STATE_READY)
            emit_block_job(driver, vm, job, disk_path(vm, job->rec->disk),
                           QV_DOMAIN_BLOCK_JOB_READY);
        qemu_process_queue_work(vm, QEMU_WORK_SAVE_STATUS);
    }
    if (qemu_blockjob_needs_work[qstatus])
        qemu_process_queue_work(vm, QEMU_WORK_BLOCK_JOBS);
}

/* JOB concluded with OUTCOME (a terminal state): update the disk, emit the
 * events, drop the job. */
static void
blockjob_finish(QemuDriver *driver, DomainObj *vm, QemuBlockJob *job, int outcome,
                const char *error)
{
    DomainDiskDef *disk = domain_def_find_disk(vm->def, job->rec->disk);
    g_autofree char *path = g_strdup(disk && disk->src ? disk->src->path : NULL);
    int status;

    job->rec->state = outcome;
    if (error) {
        g_free(job->rec->error);
        job->rec->error = g_strdup(error);
    }
    if (outcome == DOMAIN_BLOCKJOB_STATE_COMPLETED && disk)
        qemu_blockjob_apply_completed(vm, disk, job);
    if (outcome == DOMAIN_BLOCKJOB_STATE_FAILED)
        QVIRT_WARN("domain '%s': block job %s failed: %s", domain_obj_get_name(vm),
                   job->rec->job_id, error ? error : "unknown error");
    status = outcome == DOMAIN_BLOCKJOB_STATE_COMPLETED   ? QV_DOMAIN_BLOCK_JOB_COMPLETED
             : outcome == DOMAIN_BLOCKJOB_STATE_CANCELLED ? QV_DOMAIN_BLOCK_JOB_CANCELED
                                                          : QV_DOMAIN_BLOCK_JOB_FAILED;
    emit_block_job(driver, vm, job, path, status);
    if (job->waited)
        g_hash_table_insert(qemu_blockjob_list(vm)->ended, GUINT_TO_POINTER(job->serial),
                            GINT_TO_POINTER(outcome + 1));
    qemu_blockjob_remove(vm, job);
    save_status_or_warn(driver, vm);
}

/* The outcome of a concluded job: our intent and QEMU's error. */
static int
concluded_outcome(const QemuBlockJob *job, const char *error)
{
    if (job->intent == DOMAIN_BLOCKJOB_STATE_ABORTING)
        return DOMAIN_BLOCKJOB_STATE_CANCELLED;
    if (error)
        return DOMAIN_BLOCKJOB_STATE_FAILED;
    /* Copy and active commit finish only by a pivot; without one (e.g. an
     * abort QEMU saw before we recorded it) the original stays. */
    if ((job->rec->type == DOMAIN_BLOCKJOB_TYPE_COPY ||
         job->rec->type == DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT) &&
        job->intent != DOMAIN_BLOCKJOB_STATE_PIVOTING)
        return DOMAIN_BLOCKJOB_STATE_CANCELLED;
    return DOMAIN_BLOCKJOB_STATE_COMPLETED;
}

/* ---- the queued work (worker thread) ---- */

typedef struct {
    QemuBlockJob *job;
    int outcome; /* terminal state, or -1: still running */
    char *error;
    unsigned long long cur, end;
    gboolean have_progress;
    int qstatus; /* QemuJobStatus from query-jobs, or -1 */
} WorkResult;

static void
work_result_clear(gpointer data)
{
    WorkResult *r = data;

    g_free(r->error);
}

static const QemuMonitorJobInfo *
find_info(GPtrArray *infos, const char *id)
{
    for (guint i = 0; infos && i < infos->len; i++) {
        const QemuMonitorJobInfo *info = g_ptr_array_index(infos, i);

        if (g_strcmp0(info->id, id) == 0)
            return info;
    }
    return NULL;
}

/* In the monitor: finalize pending jobs, dismiss concluded ones, read
 * progress. Fills RESULTS (one per job of JOBS). */
static void
work_monitor(QemuMonitor *mon, GPtrArray *jobs, GArray *results)
{
    for (int round = 0; round < 3; round++) {
        g_autoptr(GPtrArray) infos = NULL;
        gboolean again = FALSE;

        if (qemu_monitor_json_query_jobs(mon, &infos) < 0) {
            QVIRT_WARN("block jobs: query-jobs failed: %s", qvirt_error_last_message());
            qvirt_error_reset();
            return;
        }
        for (guint i = 0; i < jobs->len; i++) {
            WorkResult *r = &g_array_index(results, WorkResult, i);
            QemuBlockJob *job = r->job;
            const QemuMonitorJobInfo *info;
            int qstatus;

            if (r->outcome >= 0)
                continue;
            if (!(info = find_info(infos, job->rec->job_id))) {
                if (job->rec->state != DOMAIN_BLOCKJOB_STATE_NEW) {
                    r->outcome = DOMAIN_BLOCKJOB_STATE_FAILED;
                    r->error = g_strdup(_("the job vanished from QEMU"));
                }
                continue;
            }
            qstatus = qjob_status_from_string(info->status);
            r->qstatus = qstatus;
            r->cur = info->current_progress;
            r->end = info->total_progress;
            r->have_progress = TRUE;
            if (qstatus == QJOB_PENDING) {
                if (qemu_monitor_json_job_finalize(mon, job->rec->job_id) < 0) {
                    QVIRT_WARN("block job %s: job-finalize failed: %s", job->rec->job_id,
                               qvirt_error_last_message());
                    qvirt_error_reset();
                } else {
                    again = TRUE;
                }
            } else if (qstatus == QJOB_CONCLUDED) {
                r->error = g_strdup(info->error);
                r->outcome = concluded_outcome(job, info->error);
                if (qemu_monitor_json_job_dismiss(mon, job->rec->job_id) < 0) {
                    QVIRT_WARN("block job %s: job-dismiss failed: %s", job->rec->job_id,
                               qvirt_error_last_message());
                    qvirt_error_reset();
                }
                if (r->outcome == DOMAIN_BLOCKJOB_STATE_COMPLETED)
                    qemu_blockjob_drop_nodes(mon, job);
                /* A copy that did not pivot leaves its destination nodes. */
                if (job->mirror_format && r->outcome != DOMAIN_BLOCKJOB_STATE_COMPLETED) {
                    if (qemu_monitor_json_blockdev_del(mon, job->mirror_format) < 0 ||
                        qemu_monitor_json_blockdev_del(mon, job->mirror_storage) < 0) {
                        QVIRT_DEBUG("block job %s: destination nodes not removed: %s",
                                    job->rec->job_id, qvirt_error_last_message());
                        qvirt_error_reset();
                    }
                }
            }
        }
        if (!again)
            return;
    }
}

void
qemu_blockjob_run_work(QemuDriver *driver, DomainObj *vm, guint run)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    g_autoptr(GPtrArray) jobs = g_ptr_array_new();
    g_autoptr(GArray) results = g_array_new(FALSE, TRUE, sizeof(WorkResult));
    QemuMonitor *mon;

    g_array_set_clear_func(results, work_result_clear);
    domain_obj_lock(vm);
    if (priv->run != run || !domain_obj_is_active(vm) || vm->removing || !priv->block_jobs ||
        priv->block_jobs->jobs->len == 0)
        goto unlock;
    if (domain_job_begin_flags(vm, DOMAIN_JOB_MODIFY, DOMAIN_JOB_BEGIN_NEED_ACTIVE) < 0) {
        QVIRT_DEBUG("domain '%s': block job work postponed: %s", domain_obj_get_name(vm),
                    qvirt_error_last_message());
        qvirt_error_reset();
        goto unlock;
    }
    if (priv->run != run || !priv->block_jobs)
        goto endjob;
    for (guint i = 0; i < priv->block_jobs->jobs->len; i++) {
        WorkResult r = {
            .job = g_ptr_array_index(priv->block_jobs->jobs, i),
            .outcome = -1,
            .qstatus = -1,
        };

        g_ptr_array_add(jobs, r.job);
        g_array_append_val(results, r);
    }
    if (!(mon = qemu_domain_obj_enter_monitor(vm))) {
        qvirt_error_reset();
        goto endjob;
    }
    for (guint i = 0; i < jobs->len; i++) {
        QemuBlockJob *job = g_ptr_array_index(jobs, i);

        if (job->plan_pending)
            qemu_blockjob_plan_restored(mon, vm, job);
    }
    work_monitor(mon, jobs, results);
    qemu_domain_obj_exit_monitor(vm);
    if (priv->run != run || !domain_obj_is_active(vm))
        goto endjob;
    for (guint i = 0; i < results->len; i++) {
        WorkResult *r = &g_array_index(results, WorkResult, i);

        if (r->have_progress) {
            r->job->cur = r->cur;
            r->job->end = r->end;
        }
        /* What an event should have said (e.g. one missed over a restart). */
        if (r->outcome < 0 && r->qstatus >= 0 && r->qstatus != QJOB_CONCLUDED) {
            int next = qemu_blockjob_transition(r->job->rec->state, r->qstatus);

            if (next != r->job->rec->state) {
                r->job->rec->state = next;
                if (next == DOMAIN_BLOCKJOB_STATE_READY)
                    emit_block_job(driver, vm, r->job, disk_path(vm, r->job->rec->disk),
                                   QV_DOMAIN_BLOCK_JOB_READY);
                save_status_or_warn(driver, vm);
            }
        }
        if (r->outcome >= 0)
            blockjob_finish(driver, vm, r->job, r->outcome, r->error);
    }
endjob:
    domain_job_end(vm);
unlock:
    domain_obj_unlock(vm);
}

void
qemu_blockjob_domain_stopped(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    if (!priv || !priv->block_jobs)
        return;
    while (priv->block_jobs->jobs->len > 0) {
        QemuBlockJob *job = g_ptr_array_index(priv->block_jobs->jobs, 0);

        job->rec->state = DOMAIN_BLOCKJOB_STATE_FAILED;
        emit_block_job(driver, vm, job, disk_path(vm, job->rec->disk), QV_DOMAIN_BLOCK_JOB_FAILED);
        if (job->waited)
            g_hash_table_insert(priv->block_jobs->ended, GUINT_TO_POINTER(job->serial),
                                GINT_TO_POINTER(DOMAIN_BLOCKJOB_STATE_FAILED + 1));
        qemu_blockjob_remove(vm, job);
    }
}

void
qemu_blockjob_restore(DomainObj *vm, GPtrArray *records)
{
    QemuBlockJobs *jobs;

    if (!records)
        return;
    jobs = qemu_blockjob_list(vm);
    for (guint i = 0; i < records->len; i++) {
        DomainBlockJobRecord *rec = g_ptr_array_index(records, i);
        QemuBlockJob *job;

        if (qemu_blockjob_find(jobs, rec->disk))
            continue;
        job = g_new0(QemuBlockJob, 1);
        job->rec = domain_blockjob_record_copy(rec);
        job->serial = (guint)g_atomic_int_add(&blockjob_next_serial, 1) + 1;
        job->intent = -1;
        job->plan_pending = TRUE;
        if (rec->state == DOMAIN_BLOCKJOB_STATE_ABORTING ||
            rec->state == DOMAIN_BLOCKJOB_STATE_PIVOTING)
            job->intent = rec->state;
        /* Whether it started is for query-jobs to say. */
        if (rec->state == DOMAIN_BLOCKJOB_STATE_NEW)
            job->rec->state = DOMAIN_BLOCKJOB_STATE_RUNNING;
        g_ptr_array_add(jobs->jobs, job);
        g_ptr_array_add(jobs->records, job->rec);
    }
    g_ptr_array_unref(records);
}

void
qemu_blockjob_reconcile(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    if (!priv || !priv->block_jobs || priv->block_jobs->jobs->len == 0 || !domain_obj_is_active(vm))
        return;
    QVIRT_INFO("domain '%s': reconciling %u block jobs with QEMU", domain_obj_get_name(vm),
               priv->block_jobs->jobs->len);
    qemu_blockjob_started(driver, vm, g_ptr_array_index(priv->block_jobs->jobs, 0));
}

/* ---- abort and pivot ---- */

/* Wait, without a job, until the job SERIAL on DISK is gone. VM locked.
 * Its outcome must be EXPECTED (a terminal state). */
static int
wait_job_gone(DomainObj *vm, const char *disk, guint serial, int expected)
{
    gint64 deadline = qvirt_deadline_after_ms(QEMU_BLOCKJOB_WAIT_MS);
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    for (;;) {
        QemuBlockJob *job = qemu_blockjob_find(priv->block_jobs, disk);
        gpointer ended;
        int rc;

        if (!job || job->serial != serial) {
            QemuBlockJobs *jobs = qemu_blockjob_list(vm);
            int outcome;

            if (!g_hash_table_steal_extended(jobs->ended, GUINT_TO_POINTER(serial), NULL, &ended))
                return 0; /* ended with the domain */
            outcome = GPOINTER_TO_INT(ended) - 1;
            if (outcome == expected)
                return 0;
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("block job on disk '%s' of domain '%s' ended %s"), disk,
                               domain_obj_get_name(vm), domain_blockjob_state_to_string(outcome));
            return -1;
        }
        rc = domain_job_wait_event(vm, deadline);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("block job on disk '%s' of domain '%s' did not end in time"), disk,
                               domain_obj_get_name(vm));
            return -1;
        }
    }
}

static int
report_no_job(DomainObj *vm, const char *disk)
{
    qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                       _("disk '%s' of domain '%s' has no active block job"), disk,
                       domain_obj_get_name(vm));
    return -1;
}

/* Begin a modify job on VM and find the block job running on disk NAME:
 * the job, with VM locked, the job held and *RET_TARGET the disk's target
 * (a new string); or NULL with an error, VM unlocked and no job held. */
static QemuBlockJob *
begin_running_job(DomainObj *vm, const char *name, char **ret_target)
{
    DomainDiskDef *disk;
    QemuBlockJob *job;

    if (qemu_blockjob_begin(vm, name, &disk) < 0)
        return NULL;
    job = qemu_blockjob_find(qemu_domain_private(vm)->block_jobs, disk->dst);
    if (!job || state_is_terminal(job->rec->state)) {
        report_no_job(vm, disk->dst);
        qemu_blockjob_end(vm);
        return NULL;
    }
    *ret_target = g_strdup(disk->dst);
    return job;
}

/* Bring the state of the job on TARGET up to date with query-jobs (a
 * READY whose event came before a daemon restart and whose poll did not
 * run yet). VM locked, a job held. The job again, or NULL with an error. */
static QemuBlockJob *
refresh_state(QemuDriver *driver, DomainObj *vm, const char *target)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    g_autoptr(GPtrArray) infos = NULL;
    const QemuMonitorJobInfo *info;
    QemuBlockJob *job;
    QemuMonitor *mon;
    int rc;

    if (!(mon = qemu_domain_obj_enter_monitor(vm)))
        return NULL;
    rc = qemu_monitor_json_query_jobs(mon, &infos);
    qemu_domain_obj_exit_monitor(vm);
    if (rc < 0)
        return NULL;
    if (!(job = qemu_blockjob_find(priv->block_jobs, target))) {
        report_no_job(vm, target);
        return NULL;
    }
    if ((info = find_info(infos, job->rec->job_id))) {
        int qstatus = qjob_status_from_string(info->status);
        int next = qemu_blockjob_transition(job->rec->state, qstatus);

        job->cur = info->current_progress;
        job->end = info->total_progress;
        if (qstatus != QJOB_CONCLUDED && next != job->rec->state) {
            job->rec->state = next;
            save_status_or_warn(driver, vm);
        }
    }
    return job;
}

int
qemu_blockjob_abort(QemuDriver *driver, DomainObj *vm, const char *name, unsigned int flags)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);
    gboolean pivot = (flags & QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT) != 0;
    QemuBlockJob *job;
    QemuMonitor *mon;
    g_autofree char *target = NULL;
    g_autofree char *id = NULL;
    guint serial;
    int old_intent;
    int rc = -1;

    if (flags & ~(QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC | QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT)) {
        qvirt_report_error(
            QVIRT_ERR_INVALID_ARG, _("unsupported flags 0x%x"),
            flags & ~(QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC | QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT));
        return -1;
    }
    if (!(job = begin_running_job(vm, name, &target)))
        return -1;
    priv = qemu_domain_private(vm);
    if (job->intent >= 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("block job on disk '%s' of domain '%s' is already ending"), target,
                           domain_obj_get_name(vm));
        goto endjob;
    }
    if (pivot && job->rec->state == DOMAIN_BLOCKJOB_STATE_RUNNING &&
        !(job = refresh_state(driver, vm, target)))
        goto endjob;
    if (pivot && job->rec->state != DOMAIN_BLOCKJOB_STATE_READY) {
        qvirt_report_error(QVIRT_ERR_BLOCK_COPY_ACTIVE,
                           _("block job on disk '%s' of domain '%s' is not ready to pivot "
                             "(state %s)"),
                           target, domain_obj_get_name(vm),
                           domain_blockjob_state_to_string(job->rec->state));
        goto endjob;
    }
    if (pivot && job->rec->type != DOMAIN_BLOCKJOB_TYPE_COPY &&
        job->rec->type != DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("block job on disk '%s' of domain '%s' cannot pivot"), target,
                           domain_obj_get_name(vm));
        goto endjob;
    }
    serial = job->serial;
    id = g_strdup(job->rec->job_id);
    old_intent = job->intent;
    job->intent = pivot ? DOMAIN_BLOCKJOB_STATE_PIVOTING : DOMAIN_BLOCKJOB_STATE_ABORTING;
    job->waited = !(flags & QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC);
    job->rec->state = job->intent;
    if (qemu_process_save_status(driver, vm) < 0) {
        job->intent = old_intent;
        goto endjob;
    }
    if (!(mon = qemu_domain_obj_enter_monitor(vm)))
        goto endjob;
    if (pivot)
        rc = qemu_monitor_json_job_complete(mon, id);
    else
        rc = qemu_monitor_json_block_job_cancel(mon, id, false);
    qemu_domain_obj_exit_monitor(vm);
    job = qemu_blockjob_find(priv->block_jobs, target);
    if (rc < 0 && job && job->serial == serial && !state_is_terminal(job->rec->state) &&
        job->rec->state != DOMAIN_BLOCKJOB_STATE_CONCLUDED) {
        /* QEMU refused: the job goes on as it was. */
        job->intent = -1;
        job->rec->state = pivot ? DOMAIN_BLOCKJOB_STATE_READY : DOMAIN_BLOCKJOB_STATE_RUNNING;
        save_status_or_warn(driver, vm);
    }
    if (rc < 0)
        goto endjob;
    domain_job_end(vm);
    if (!(flags & QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC))
        rc = wait_job_gone(vm, target, serial,
                           pivot ? DOMAIN_BLOCKJOB_STATE_COMPLETED
                                 : DOMAIN_BLOCKJOB_STATE_CANCELLED);
    domain_obj_unlock(vm);
    return rc;

endjob:
    qemu_blockjob_end(vm);
    return -1;
}

/* ---- information and speed ---- */

int
qemu_blockjob_get_info(QemuDriver *driver, DomainObj *vm, const char *name,
                       QvDomainBlockJobInfo *ret_info, unsigned int flags)
{
    QemuDomainPrivate *priv;
    DomainDiskDef *disk;
    QemuBlockJob *job;
    QvDomainBlockJobInfo info = {0};
    int rc = -1;

    (void)driver;
    if (flags & ~QV_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported flags 0x%x"),
                           flags & ~QV_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES);
        return -1;
    }
    if (qemu_driver_lock_domain(vm) < 0)
        return -1;
    if (qemu_driver_check_active(vm) < 0 || !(disk = qemu_blockjob_find_disk(vm, name)))
        goto unlock;
    priv = qemu_domain_private(vm);
    job = qemu_blockjob_find(priv->block_jobs, disk->dst);
    rc = 0;
    if (job) {
        gboolean ready = job->rec->state == DOMAIN_BLOCKJOB_STATE_READY ||
                         job->rec->state == DOMAIN_BLOCKJOB_STATE_PIVOTING ||
                         job->rec->state == DOMAIN_BLOCKJOB_STATE_CONCLUDED ||
                         state_is_terminal(job->rec->state);

        info.type = job_type_public(job->rec->type);
        info.bandwidth = (flags & QV_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES)
                             ? job->rec->bandwidth
                             : job->rec->bandwidth >> 20;
        info.cur = job->cur;
        info.end = job->end;
        /* Pollers take cur == end for "done": never before ready. */
        if (!ready && info.cur >= info.end)
            info.end = info.cur + 1;
        rc = 1;
    }
    *ret_info = info;
unlock:
    domain_obj_unlock(vm);
    return rc;
}

int
qemu_blockjob_set_speed(QemuDriver *driver, DomainObj *vm, const char *name,
                        unsigned long long bandwidth, unsigned int flags)
{
    QemuDomainPrivate *priv;
    QemuBlockJob *job;
    QemuMonitor *mon;
    g_autofree char *target = NULL;
    g_autofree char *id = NULL;
    unsigned long long bytes;
    int rc = -1;

    if (flags & ~QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported flags 0x%x"),
                           flags & ~QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES);
        return -1;
    }
    if (qemu_blockjob_bandwidth_bytes(bandwidth, flags & QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES,
                                      &bytes) < 0)
        return -1;
    if (!(job = begin_running_job(vm, name, &target)))
        return -1;
    priv = qemu_domain_private(vm);
    id = g_strdup(job->rec->job_id);
    if (!(mon = qemu_domain_obj_enter_monitor(vm)))
        goto endjob;
    rc = qemu_monitor_json_block_job_set_speed(mon, id, bytes);
    qemu_domain_obj_exit_monitor(vm);
    if (rc == 0 && (job = qemu_blockjob_find(priv->block_jobs, target))) {
        job->rec->bandwidth = bytes;
        save_status_or_warn(driver, vm);
    }
endjob:
    qemu_blockjob_end(vm);
    return rc;
}

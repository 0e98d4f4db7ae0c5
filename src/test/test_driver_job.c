/* test_driver_job.c: the test driver's fake async jobs, its job info, job
 * statistics and abort, and the monitor passthrough that starts and steps
 * the fake jobs (the commands are in docs/drivers.md).
 *
 * Contract:
 * - A fake job is an async job of the domain (conf/domain_job.h) run by its
 *   own thread: "migration-out", "save", "dump" or "backup". It admits
 *   query, destroy, abort, suspend and migration-op jobs meanwhile.
 * - Progress lives in the job statistics, written by the job thread under
 *   the domain's mutex, so job info and stats read it with no job. A timed
 *   job advances with the clock over its "seconds"; a manual one only when
 *   x-fake-job-step asks, and that command returns once the thread has
 *   applied the step.
 * - At 100 % the job completes: completed statistics, then a JOB_COMPLETED
 *   event. An abort ends it as cancelled and a stopped domain as failed; the
 *   domain itself is never changed by a fake job.
 * - x-fake-job returns once the async job is held (or failed to start), and
 *   abort returns once the job has ended. */
#include <config.h>

#include <string.h>

#include "driver/jobstats.h"
#include "test/test_driver_priv.h"
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

QVIRT_LOG_INIT("test.job");

/* How long a caller waits for the job thread to react; reaching it means a
 * bug, reported as OPERATION_TIMEOUT. */
#define TEST_JOB_REACT_MS 30000
/* How often a timed job updates its progress. */
#define TEST_JOB_TICK_MS 100

typedef struct {
    const char *name;
    DomainAsyncJob async_job;
    DomainJobOperation operation;
} TestFakeJobKind;

static const TestFakeJobKind test_fake_job_kinds[] = {
    {"migration-out", DOMAIN_ASYNC_JOB_MIGRATION_OUT, DOMAIN_JOB_OPERATION_MIGRATION_OUT},
    {"save", DOMAIN_ASYNC_JOB_SAVE, DOMAIN_JOB_OPERATION_SAVE},
    {"dump", DOMAIN_ASYNC_JOB_DUMP, DOMAIN_JOB_OPERATION_DUMP},
    {"backup", DOMAIN_ASYNC_JOB_BACKUP, DOMAIN_JOB_OPERATION_BACKUP},
};

typedef struct {
    DomainObj *vm; /* a reference */
    const TestFakeJobKind *kind;
    gint64 seconds; /* 0: manual */
    guint64 total;  /* bytes */
} TestFakeJob;

/* ---- the job thread ---- */

/* Write PERCENT into the current statistics (vm locked). */
static void
test_fake_job_apply(DomainObj *vm, const TestFakeJob *job, int percent, gint64 elapsed_ms)
{
    DomainJobStats *stats = domain_job_current_stats(vm);
    TestDomainPrivate *priv = test_domain_private(vm);
    guint64 done = job->total / 100 * percent + job->total % 100 * percent / 100;

    stats->status = DOMAIN_JOB_STATUS_MIGRATING;
    stats->data_total = job->total;
    stats->data_processed = done;
    stats->data_remaining = job->total - done;
    stats->mem_total = job->total;
    stats->mem_processed = done;
    stats->mem_remaining = job->total - done;
    stats->mem_page_size = 4096;
    if (job->seconds > 0) {
        stats->mem_bps = job->total / job->seconds;
        stats->time_remaining_ms = MAX(job->seconds * 1000 - elapsed_ms, 0);
    }
    if (percent > priv->job_applied) {
        stats->mem_iteration++;
        if (job->kind->async_job == DOMAIN_ASYNC_JOB_MIGRATION_OUT)
            qv_event_queue_push(qv_event_new_migration_iteration(
                &test_hypervisor_driver, vm->def->name, vm->def->uuid, vm->def->id,
                (int)stats->mem_iteration));
    }
    priv->job_applied = percent;
    qvirt_cond_broadcast(&priv->job_cond);
}

/* Finish with STATUS (vm locked); a completed job sends JOB_COMPLETED. */
static void
test_fake_job_finish(DomainObj *vm, DomainJobStatus status, const char *error_message)
{
    domain_job_complete_stats(vm, status, error_message);
    if (status == DOMAIN_JOB_STATUS_COMPLETED) {
        DomainJobStats stats;
        QvTypedParam *params = NULL;
        int nparams = 0;
        int type;

        domain_job_get_stats(vm, TRUE, &stats);
        qv_job_stats_to_params(&stats, &type, &params, &nparams);
        qv_event_queue_push(qv_event_new_job_completed(
            &test_hypervisor_driver, vm->def->name, vm->def->uuid, vm->def->id, params, nparams));
    }
}

static gpointer
test_fake_job_thread(gpointer data)
{
    g_autofree TestFakeJob *job = data;
    DomainObj *vm = job->vm;
    TestDomainPrivate *priv;
    gint64 started;

    domain_job_set_current_api("x-fake-job");
    domain_obj_lock(vm);
    priv = test_domain_private(vm);
    if (domain_job_begin_async(vm, job->kind->async_job, job->kind->operation, 0) < 0) {
        priv->job_error = qvirt_error_save();
        priv->job_state = TEST_FAKE_JOB_IDLE;
        qvirt_cond_broadcast(&priv->job_cond);
        goto out;
    }
    domain_job_set_mask(vm, DOMAIN_JOB_DEFAULT_MASK | DOMAIN_JOB_MASK(DOMAIN_JOB_SUSPEND) |
                                DOMAIN_JOB_MASK(DOMAIN_JOB_MIGRATION_OP));
    priv->job_state = TEST_FAKE_JOB_RUNNING;
    priv->job_applied = 0;
    started = g_get_monotonic_time();
    test_fake_job_apply(vm, job, 0, 0);
    QVIRT_DEBUG("domain '%s': fake %s job started", vm->def->name, job->kind->name);

    for (;;) {
        gint64 elapsed_ms = (g_get_monotonic_time() - started) / 1000;
        int percent;

        if (domain_job_abort_requested(vm->job) || priv->job_cancel) {
            test_fake_job_finish(vm, DOMAIN_JOB_STATUS_CANCELED, NULL);
            break;
        }
        if (vm->removing || !domain_obj_is_active(vm)) {
            test_fake_job_finish(vm, DOMAIN_JOB_STATUS_FAILED, "domain is not running");
            break;
        }
        if (job->seconds > 0)
            percent = (int)MIN(100, elapsed_ms / (job->seconds * 10));
        else
            percent = priv->job_target;
        if (percent != priv->job_applied)
            test_fake_job_apply(vm, job, percent, elapsed_ms);
        if (percent >= 100) {
            test_fake_job_finish(vm, DOMAIN_JOB_STATUS_COMPLETED, NULL);
            break;
        }
        /* Woken by a step, an abort or the domain stopping; the loop
         * re-checks all of them, so the result does not matter. */
        if (domain_job_wait_event(
                vm, qvirt_deadline_after_ms(job->seconds > 0 ? TEST_JOB_TICK_MS : 1000)) < 0)
            qvirt_error_reset();
    }
    QVIRT_DEBUG("domain '%s': fake %s job ended", vm->def->name, job->kind->name);
    domain_job_end_async(vm);
    priv->job_state = TEST_FAKE_JOB_IDLE;
    qvirt_cond_broadcast(&priv->job_cond);
out:
    domain_obj_unlock(vm);
    domain_obj_unref(vm);
    domain_job_set_current_api(NULL);
    return NULL;
}

/* Wait (vm locked) while the fake job's state is STATE. */
static int
test_fake_job_wait_leave(DomainObj *vm, int state)
{
    TestDomainPrivate *priv = test_domain_private(vm);
    gint64 deadline = qvirt_deadline_after_ms(TEST_JOB_REACT_MS);

    while (priv->job_state == state) {
        if (!qvirt_cond_wait_until(&priv->job_cond, &vm->lock, deadline) &&
            priv->job_state == state) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("the fake job of domain '%s' did not react within %d ms"),
                               vm->def->name, TEST_JOB_REACT_MS);
            return -1;
        }
    }
    return 0;
}

void
test_domain_wait_fake_job_end(DomainObj *vm)
{
    if (test_domain_private(vm)->job_state != TEST_FAKE_JOB_RUNNING)
        return;
    /* The domain is already stopped; a job that does not notice is a bug,
     * worth a log line but not a failed destroy. */
    if (test_fake_job_wait_leave(vm, TEST_FAKE_JOB_RUNNING) < 0) {
        QVIRT_WARN("%s", qvirt_error_last_message());
        qvirt_error_reset();
    }
}

void
test_driver_stop_jobs(TestDriver *driver)
{
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(driver->domains, 0, NULL);
    GPtrArray *threads;

    for (guint i = 0; vms && i < vms->len; i++) {
        DomainObj *vm = vms->pdata[i];

        domain_obj_lock(vm);
        if (vm->private_data) {
            test_domain_private(vm)->job_cancel = TRUE;
            domain_job_signal_event(vm);
        }
        domain_obj_unlock(vm);
    }
    qvirt_mutex_lock(&driver->jobs_lock);
    threads = g_steal_pointer(&driver->job_threads);
    driver->job_threads = g_ptr_array_new();
    qvirt_mutex_unlock(&driver->jobs_lock);
    for (guint i = 0; i < threads->len; i++)
        g_thread_join(threads->pdata[i]);
    g_ptr_array_unref(threads);
}

/* ---- job info, stats, abort ---- */

int
test_domain_get_job_info(QvDomain *dom, QvDomainJobInfo *ret_info)
{
    DomainObj *vm;
    DomainJobStats stats;

    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    domain_job_get_stats(vm, FALSE, &stats);
    test_domain_obj_end(vm);
    qv_job_stats_to_info(&stats, ret_info);
    return 0;
}

int
test_domain_get_job_stats(QvDomain *dom, int *ret_type, QvTypedParam **ret_params, int *ret_nparams,
                          unsigned int flags)
{
    gboolean completed = (flags & QV_DOMAIN_JOB_STATS_COMPLETED) != 0;
    DomainObj *vm;
    DomainJobStats stats;

    QV_CHECK_FLAGS(flags, QV_DOMAIN_JOB_STATS_ALL, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    domain_job_get_stats(vm, completed, &stats);
    if (completed && !(flags & QV_DOMAIN_JOB_STATS_KEEP_COMPLETED))
        domain_job_clear_completed_stats(vm);
    test_domain_obj_end(vm);
    qv_job_stats_to_params(&stats, ret_type, ret_params, ret_nparams);
    return 0;
}

int
test_domain_abort_job_flags(QvDomain *dom, unsigned int flags)
{
    DomainObj *vm;
    int ret = -1;

    QV_CHECK_FLAGS(flags, 0, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (domain_job_get_async(vm->job) == DOMAIN_ASYNC_JOB_NONE) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("no job is active on the domain"));
        goto out;
    }
    if (domain_job_begin(vm, DOMAIN_JOB_ABORT) < 0)
        goto out;
    if (domain_job_request_abort(vm) < 0) {
        domain_job_end(vm);
        goto out;
    }
    domain_job_end(vm);
    if (test_fake_job_wait_leave(vm, TEST_FAKE_JOB_RUNNING) < 0)
        goto out;
    ret = 0;
out:
    test_domain_obj_end(vm);
    return ret;
}

/* ---- the monitor ---- */

/* {"error": {"class": CLASS, "desc": DESC}}, as QEMU answers. */
static char *
test_qmp_error(const char *klass, const char *desc)
{
    g_autoptr(QvirtJson) reply = json_object_new_object();
    struct json_object *error = json_object_new_object();

    json_object_object_add(error, "class", json_object_new_string(klass));
    json_object_object_add(error, "desc", json_object_new_string(desc));
    json_object_object_add(reply, "error", error);
    return qvirt_json_to_string(reply);
}

/* {"return": RET}; RET is taken (NULL: an empty object). */
static char *
test_qmp_return(struct json_object *ret)
{
    g_autoptr(QvirtJson) reply = json_object_new_object();

    json_object_object_add(reply, "return", ret ? ret : json_object_new_object());
    return qvirt_json_to_string(reply);
}

/* A QMP error reply carrying the thread's last error, which is cleared. */
static char *
test_qmp_error_from_last(void)
{
    char *reply = test_qmp_error("GenericError", qvirt_error_last_message());

    qvirt_error_reset();
    return reply;
}

static char *
test_qmp_query_status(DomainObj *vm)
{
    struct json_object *ret = json_object_new_object();
    gboolean running = vm->state == DOMAIN_STATE_RUNNING;

    json_object_object_add(ret, "status", json_object_new_string(running ? "running" : "paused"));
    json_object_object_add(ret, "singlestep", json_object_new_boolean(FALSE));
    json_object_object_add(ret, "running", json_object_new_boolean(running));
    return test_qmp_return(ret);
}

/* x-fake-job: start a fake job; NULL with an error when it cannot start. */
static char *
test_qmp_fake_job(TestDriver *driver, DomainObj *vm, struct json_object *args)
{
    TestDomainPrivate *priv = test_domain_private(vm);
    const TestFakeJobKind *kind = &test_fake_job_kinds[0];
    const char *kind_name = NULL;
    int64_t seconds = 0;
    uint64_t size_mib = 0;
    TestFakeJob *job;
    GThread *thread;

    if (args) {
        if (qvirt_json_get_int64(args, "seconds", &seconds) == -2 ||
            qvirt_json_get_string(args, "job", &kind_name) == -2 ||
            qvirt_json_get_uint64(args, "size-mib", &size_mib) == -2)
            return test_qmp_error_from_last();
    }
    if (seconds < 0 || seconds > 86400)
        return test_qmp_error("GenericError",
                              "Parameter 'seconds' expects a number from 0 to 86400");
    if (kind_name) {
        kind = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(test_fake_job_kinds); i++) {
            if (strcmp(test_fake_job_kinds[i].name, kind_name) == 0)
                kind = &test_fake_job_kinds[i];
        }
        if (!kind)
            return test_qmp_error("GenericError", "Parameter 'job' expects one of "
                                                  "migration-out, save, dump, backup");
    }
    if (priv->job_state != TEST_FAKE_JOB_IDLE ||
        domain_job_get_async(vm->job) != DOMAIN_ASYNC_JOB_NONE) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("another async job is already running on domain '%s'"), vm->def->name);
        return NULL;
    }

    job = g_new0(TestFakeJob, 1);
    job->vm = domain_obj_ref(vm);
    job->kind = kind;
    job->seconds = seconds;
    job->total = size_mib ? size_mib * 1024 * 1024 : vm->def->current_memory_kib * 1024;
    priv->job_state = TEST_FAKE_JOB_STARTING;
    priv->job_manual = seconds == 0;
    priv->job_target = 0;
    priv->job_applied = 0;
    priv->job_cancel = FALSE;
    qvirt_error_free(g_steal_pointer(&priv->job_error));

    thread = g_thread_new("test-fake-job", test_fake_job_thread, job);
    qvirt_mutex_lock(&driver->jobs_lock);
    g_ptr_array_add(driver->job_threads, thread);
    qvirt_mutex_unlock(&driver->jobs_lock);

    if (test_fake_job_wait_leave(vm, TEST_FAKE_JOB_STARTING) < 0)
        return NULL;
    if (priv->job_error) {
        qvirt_error_restore(g_steal_pointer(&priv->job_error));
        return NULL;
    }
    return test_qmp_return(NULL);
}

/* x-fake-job-step: advance the manual fake job by "percent" (default 10). */
static char *
test_qmp_fake_job_step(DomainObj *vm, struct json_object *args)
{
    TestDomainPrivate *priv = test_domain_private(vm);
    gint64 deadline = qvirt_deadline_after_ms(TEST_JOB_REACT_MS);
    int64_t percent = 10;
    int target;

    if (args && qvirt_json_get_int64(args, "percent", &percent) == -2)
        return test_qmp_error_from_last();
    if (percent < 1 || percent > 100)
        return test_qmp_error("GenericError", "Parameter 'percent' expects a number from 1 to 100");
    if (priv->job_state != TEST_FAKE_JOB_RUNNING || !priv->job_manual)
        return test_qmp_error("GenericError", "No manual fake job is running");

    target = (int)MIN(100, priv->job_target + percent);
    priv->job_target = target;
    domain_job_signal_event(vm);
    while (priv->job_state == TEST_FAKE_JOB_RUNNING && priv->job_applied < target) {
        if (!qvirt_cond_wait_until(&priv->job_cond, &vm->lock, deadline) &&
            priv->job_state == TEST_FAKE_JOB_RUNNING && priv->job_applied < target) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("the fake job of domain '%s' did not react within %d ms"),
                               vm->def->name, TEST_JOB_REACT_MS);
            return NULL;
        }
    }
    {
        struct json_object *ret = json_object_new_object();

        json_object_object_add(ret, "percent", json_object_new_int(priv->job_applied));
        return test_qmp_return(ret);
    }
}

static char *
test_qmp_command(TestDriver *driver, DomainObj *vm, const char *cmd)
{
    g_autoptr(QvirtJson) obj = qvirt_json_parse(cmd, strlen(cmd), "QMP command");
    struct json_object *args = NULL;
    const char *execute = NULL;
    g_autofree char *desc = NULL;

    if (!obj)
        return test_qmp_error_from_last();
    if (!json_object_is_type(obj, json_type_object) ||
        qvirt_json_get_string(obj, "execute", &execute) < 0) {
        qvirt_error_reset();
        return test_qmp_error("GenericError", "QMP input lacks member 'execute'");
    }
    if (qvirt_json_get_object(obj, "arguments", &args) == -2)
        return test_qmp_error_from_last();

    if (strcmp(execute, "query-status") == 0)
        return test_qmp_query_status(vm);
    if (strcmp(execute, "x-fake-job") == 0)
        return test_qmp_fake_job(driver, vm, args);
    if (strcmp(execute, "x-fake-job-step") == 0)
        return test_qmp_fake_job_step(vm, args);
    desc = g_strdup_printf("The command %s has not been found", execute);
    return test_qmp_error("CommandNotFound", desc);
}

/* The human monitor knows "info status" only. */
static char *
test_hmp_command(DomainObj *vm, const char *cmd)
{
    g_autofree char *line = g_strstrip(g_strdup(cmd));
    g_auto(GStrv) words = NULL;

    if (strcmp(line, "info status") == 0)
        return g_strdup_printf("VM status: %s\r\n",
                               vm->state == DOMAIN_STATE_RUNNING ? "running" : "paused");
    words = g_strsplit(line, " ", 2);
    return g_strdup_printf("unknown command: '%s'\r\n", words[0] ? words[0] : "");
}

int
test_domain_qemu_monitor_command(QvDomain *dom, const char *cmd, char **ret_result,
                                 unsigned int flags)
{
    DomainObj *vm;
    char *result = NULL;

    QV_CHECK_FLAGS(flags, QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP, -1);
    if (!(vm = test_domain_obj_get(dom)))
        return -1;
    if (test_domain_check_active(vm) == 0) {
        if (flags & QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
            result = test_hmp_command(vm, cmd);
        else
            result = test_qmp_command(test_driver_from_conn(dom->conn), vm, cmd);
    }
    test_domain_obj_end(vm);
    if (!result)
        return -1;
    *ret_result = result;
    return 0;
}

/* test-jobs.c: the test driver's fake jobs: progress through job info and
 * job stats while the job runs, events (migration iteration, job
 * completed), completed statistics and their clearing, abort, a domain
 * destroyed under a job, a timed job, and the monitor commands. */
#include <config.h>

#include <string.h>

#include "conf/domain_state.h"
#include "testdriver.h"

/* The default domain "test" has 2097152 KiB of current memory. */
#define TEST_MEM_BYTES (2097152ULL * 1024)

static QvDomain *
lookup_test(QvConnect *conn)
{
    QvDomain *dom = qv_domain_lookup_by_name(conn, "test");

    g_assert_nonnull(dom);
    return dom;
}

/* Run monitor command CMD and return its reply (asserting success). */
static char *
monitor(QvDomain *dom, const char *cmd, unsigned int flags)
{
    char *reply = NULL;

    if (qv_domain_qemu_monitor_command(dom, cmd, &reply, flags) < 0)
        g_error("monitor command '%s' failed: %s", cmd, qvirt_error_last_message());
    return reply;
}

static void
assert_reply(QvDomain *dom, const char *cmd, const char *expected)
{
    g_autofree char *reply = monitor(dom, cmd, 0);

    g_assert_cmpstr(reply, ==, expected);
}

static unsigned long long
stat_ullong(const QvTypedParam *params, int n, const char *field)
{
    unsigned long long value = 0;

    if (qv_typed_params_get_ullong(params, n, field, &value) != 1)
        g_error("job stats have no ullong '%s'", field);
    return value;
}

static void
test_job_manual_progress(void)
{
    QvConnect *conn = open_default(0);
    Recorder *rec = recorder_new();
    QvDomain *dom = lookup_test(conn);
    QvDomainJobInfo info;
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type = -1;
    int op = -1;
    gboolean success = FALSE;
    char *reply = NULL;
    g_autofree char *events = NULL;

    recorder_watch(conn, rec, QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION);
    recorder_watch(conn, rec, QV_DOMAIN_EVENT_ID_JOB_COMPLETED);

    g_assert_cmpint(qv_domain_get_job_info(dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_JOB_NONE);

    /* A manual job: held as soon as the command returns, at 0 %. */
    assert_reply(dom, "{\"execute\":\"x-fake-job\"}", "{\"return\":{}}");
    g_assert_cmpint(qv_domain_get_job_info(dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_JOB_UNBOUNDED);
    g_assert_cmpuint(info.data_total, ==, TEST_MEM_BYTES);
    g_assert_cmpuint(info.data_processed, ==, 0);
    g_assert_cmpuint(info.data_remaining, ==, TEST_MEM_BYTES);

    assert_reply(dom, "{\"execute\":\"x-fake-job-step\",\"arguments\":{\"percent\":25}}",
                 "{\"return\":{\"percent\":25}}");
    g_assert_cmpint(qv_domain_get_job_info(dom, &info), ==, 0);
    g_assert_cmpuint(info.data_processed, ==, TEST_MEM_BYTES / 4);
    g_assert_cmpuint(info.mem_remaining, ==, TEST_MEM_BYTES / 4 * 3);

    g_assert_cmpint(qv_domain_get_job_stats(dom, &type, &params, &nparams, 0), ==, 0);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_UNBOUNDED);
    g_assert_cmpint(qv_typed_params_get_int(params, nparams, "operation", &op), ==, 1);
    g_assert_cmpint(op, ==, 5); /* migration out */
    g_assert_cmpuint(stat_ullong(params, nparams, "memory_processed"), ==, TEST_MEM_BYTES / 4);
    g_assert_cmpuint(stat_ullong(params, nparams, "memory_iteration"), ==, 1);
    qv_typed_params_free(params, nparams);

    /* Only one async job at a time; suspend and resume are admitted. */
    g_assert_cmpint(qv_domain_qemu_monitor_command(dom, "{\"execute\":\"x-fake-job\"}", &reply, 0),
                    ==, -1);
    g_assert_null(reply);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "another async job is already running");
    g_assert_cmpint(qv_domain_suspend(dom), ==, 0);
    g_assert_cmpint(qv_domain_resume(dom), ==, 0);

    assert_reply(dom, "{\"execute\":\"x-fake-job-step\",\"arguments\":{\"percent\":50}}",
                 "{\"return\":{\"percent\":75}}");
    /* The step past 100 % completes the job before the command returns. */
    assert_reply(dom, "{\"execute\":\"x-fake-job-step\",\"arguments\":{\"percent\":60}}",
                 "{\"return\":{\"percent\":100}}");
    g_assert_cmpint(qv_domain_get_job_info(dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_JOB_NONE);
    events = recorder_take(rec);
    g_assert_cmpstr(events, ==,
                    "test:iteration:1|test:iteration:2|test:iteration:3"
                    "|test:completed:2147483648:1");

    /* Completed statistics, kept on request, cleared by a plain read. */
    g_assert_cmpint(
        qv_domain_get_job_stats(dom, &type, &params, &nparams,
                                QV_DOMAIN_JOB_STATS_COMPLETED | QV_DOMAIN_JOB_STATS_KEEP_COMPLETED),
        ==, 0);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_COMPLETED);
    g_assert_cmpint(qv_typed_params_get_boolean(params, nparams, "success", &success), ==, 1);
    g_assert_true(success);
    g_assert_cmpuint(stat_ullong(params, nparams, "data_remaining"), ==, 0);
    qv_typed_params_free(params, nparams);
    g_assert_cmpint(
        qv_domain_get_job_stats(dom, &type, &params, &nparams, QV_DOMAIN_JOB_STATS_COMPLETED), ==,
        0);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_COMPLETED);
    qv_typed_params_free(params, nparams);
    g_assert_cmpint(
        qv_domain_get_job_stats(dom, &type, &params, &nparams, QV_DOMAIN_JOB_STATS_COMPLETED), ==,
        0);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_NONE);
    g_assert_cmpint(nparams, ==, 0);

    qv_domain_unref(dom);
    close_last(conn);
    recorder_free(rec);
}

static void
test_job_abort(void)
{
    QvConnect *conn = open_default(0);
    QvDomain *dom = lookup_test(conn);
    QvDomainJobInfo info;
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type = -1;
    int op = -1;
    gboolean success = TRUE;

    g_assert_cmpint(qv_domain_abort_job(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "no job is active on the domain");

    assert_reply(dom, "{\"execute\":\"x-fake-job\",\"arguments\":{\"job\":\"save\"}}",
                 "{\"return\":{}}");
    assert_reply(dom, "{\"execute\":\"x-fake-job-step\"}", "{\"return\":{\"percent\":10}}");
    g_assert_cmpint(qv_domain_abort_job_flags(dom, QV_DOMAIN_ABORT_JOB_POSTCOPY), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x1)");

    /* Abort returns once the job is over. */
    g_assert_cmpint(qv_domain_abort_job(dom), ==, 0);
    g_assert_cmpint(qv_domain_get_job_info(dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_JOB_NONE);
    g_assert_cmpint(
        qv_domain_get_job_stats(dom, &type, &params, &nparams, QV_DOMAIN_JOB_STATS_COMPLETED), ==,
        0);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_CANCELLED);
    g_assert_cmpint(qv_typed_params_get_int(params, nparams, "operation", &op), ==, 1);
    g_assert_cmpint(op, ==, 2); /* save */
    g_assert_cmpint(qv_typed_params_get_boolean(params, nparams, "success", &success), ==, 1);
    g_assert_false(success);
    g_assert_cmpuint(stat_ullong(params, nparams, "data_processed"), ==, TEST_MEM_BYTES / 10);
    qv_typed_params_free(params, nparams);
    /* The domain itself is untouched. */
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    assert_reply(dom, "{\"execute\":\"x-fake-job-step\"}",
                 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"No manual fake job is "
                 "running\"}}");

    qv_domain_unref(dom);
    close_last(conn);
}

static void
test_job_destroyed_domain(void)
{
    QvConnect *conn = open_default(0);
    QvDomain *dom = lookup_test(conn);
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type = -1;
    const char *errmsg = NULL;
    char *reply = NULL;

    assert_reply(dom, "{\"execute\":\"x-fake-job\",\"arguments\":{\"size-mib\":100}}",
                 "{\"return\":{}}");
    /* Destroy is admitted during the job and returns once it has failed. */
    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
    g_assert_cmpint(
        qv_domain_get_job_stats(dom, &type, &params, &nparams, QV_DOMAIN_JOB_STATS_COMPLETED), ==,
        0);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_FAILED);
    g_assert_cmpint(qv_typed_params_get_string(params, nparams, "errmsg", &errmsg), ==, 1);
    g_assert_cmpstr(errmsg, ==, "domain is not running");
    g_assert_cmpuint(stat_ullong(params, nparams, "data_total"), ==, 100ULL * 1024 * 1024);
    qv_typed_params_free(params, nparams);

    /* No monitor without a running domain. */
    g_assert_cmpint(qv_domain_qemu_monitor_command(dom, "{\"execute\":\"x-fake-job\"}", &reply, 0),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is not running");
    g_assert_null(reply);

    qv_domain_unref(dom);
    close_last(conn);
}

static void
test_job_timed(void)
{
    QvConnect *conn = open_default(0);
    Recorder *rec = recorder_new();
    QvDomain *dom = lookup_test(conn);
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type = -1;
    g_autofree char *events = NULL;

    recorder_watch(conn, rec, QV_DOMAIN_EVENT_ID_JOB_COMPLETED);
    assert_reply(dom, "{\"execute\":\"x-fake-job\",\"arguments\":{\"seconds\":1,\"job\":\"dump\"}}",
                 "{\"return\":{}}");
    /* It completes by itself; a dump sends no iteration events. */
    recorder_wait(rec, 1);
    events = recorder_take(rec);
    g_assert_cmpstr(events, ==, "test:completed:2147483648:1");
    g_assert_cmpint(
        qv_domain_get_job_stats(dom, &type, &params, &nparams, QV_DOMAIN_JOB_STATS_COMPLETED), ==,
        0);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_COMPLETED);
    /* By construction it cannot finish before its second is up. */
    g_assert_cmpuint(stat_ullong(params, nparams, "time_elapsed"), >=, 1000);
    g_assert_cmpuint(stat_ullong(params, nparams, "memory_bps"), ==, TEST_MEM_BYTES);
    qv_typed_params_free(params, nparams);

    qv_domain_unref(dom);
    close_last(conn);
    recorder_free(rec);
}

static void
test_job_monitor(void)
{
    QvConnect *conn = open_default(0);
    QvConnect *ro = open_default(QV_CONNECT_RO);
    QvDomain *dom = lookup_test(conn);
    QvDomain *ro_dom = lookup_test(ro);
    g_autofree char *hmp = NULL;
    g_autofree char *hmp_bad = NULL;
    g_autofree char *bad_json = NULL;
    char *reply = NULL;

    assert_reply(dom, "{\"execute\":\"query-status\"}",
                 "{\"return\":{\"status\":\"running\",\"singlestep\":false,\"running\":true}}");
    g_assert_cmpint(qv_domain_suspend(dom), ==, 0);
    assert_reply(dom, "{\"execute\":\"query-status\"}",
                 "{\"return\":{\"status\":\"paused\",\"singlestep\":false,\"running\":false}}");
    hmp = monitor(dom, "info status", QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP);
    g_assert_cmpstr(hmp, ==, "VM status: paused\r\n");
    hmp_bad = monitor(dom, "frobnicate now", QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP);
    g_assert_cmpstr(hmp_bad, ==, "unknown command: 'frobnicate'\r\n");
    g_assert_cmpint(qv_domain_resume(dom), ==, 0);

    /* Like QEMU, mistakes come back as QMP errors. */
    assert_reply(dom, "{\"execute\":\"nope\"}",
                 "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command nope has "
                 "not been found\"}}");
    assert_reply(dom, "{\"arguments\":{}}",
                 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input lacks member "
                 "'execute'\"}}");
    assert_reply(dom, "{\"execute\":\"x-fake-job\",\"arguments\":{\"seconds\":-1}}",
                 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'seconds' expects "
                 "a number from 0 to 86400\"}}");
    assert_reply(dom, "{\"execute\":\"x-fake-job\",\"arguments\":{\"job\":\"bogus\"}}",
                 "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'job' expects one "
                 "of migration-out, save, dump, backup\"}}");
    bad_json = monitor(dom, "{\"execute\":", 0);
    g_assert_true(g_str_has_prefix(bad_json, "{\"error\":{\"class\":\"GenericError\""));
    g_assert_null(qvirt_error_get_last());

    g_assert_cmpint(qv_domain_qemu_monitor_command(dom, "{}", &reply, 2), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x2)");
    g_assert_cmpint(
        qv_domain_qemu_monitor_command(ro_dom, "{\"execute\":\"query-status\"}", &reply, 0), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_null(reply);

    qv_domain_unref(ro_dom);
    qv_domain_unref(dom);
    g_assert_cmpint(qv_connect_close(ro), ==, 0);
    close_last(conn);
}

/* Closing the last connection while a manual job runs stops it. */
static void
test_job_left_running(void)
{
    QvConnect *conn = open_default(0);
    QvDomain *dom = lookup_test(conn);
    QvDomainJobInfo info;

    assert_reply(dom, "{\"execute\":\"x-fake-job\",\"arguments\":{\"job\":\"backup\"}}",
                 "{\"return\":{}}");
    qv_domain_unref(dom);
    close_last(conn);

    conn = open_default(0);
    dom = lookup_test(conn);
    g_assert_cmpint(qv_domain_get_job_info(dom, &info), ==, 0);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_JOB_NONE);
    qv_domain_unref(dom);
    close_last(conn);
}

void
test_jobs_register_cases(void)
{
    g_test_add_func("/testdriver/job/manual-progress", test_job_manual_progress);
    g_test_add_func("/testdriver/job/abort", test_job_abort);
    g_test_add_func("/testdriver/job/destroyed-domain", test_job_destroyed_domain);
    g_test_add_func("/testdriver/job/timed", test_job_timed);
    g_test_add_func("/testdriver/job/monitor", test_job_monitor);
    g_test_add_func("/testdriver/job/left-running", test_job_left_running);
}

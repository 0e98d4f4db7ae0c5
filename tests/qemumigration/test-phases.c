/* test-phases.c: the migration phases and job helpers of qemu_migration.c
 * (names, the rule for going back, the masks, persisting each phase), the
 * progress mapping of qemu_migration_progress.c (a query-migrate reply from
 * the scripted fake QEMU turned into job statistics, and the MIGRATION /
 * MIGRATION_PASS events), and from qemu_migration_src.c: the tuning calls
 * (max speed and downtime, the switch to post-copy), domjobabort and the
 * wait for a completed migration's final figures (downtime) against the
 * fake QEMU, the source lease (what a vanished client leaves
 * behind in each phase), and the migration URIs Perform accepts. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "driver/migrate.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_migration_priv.h"
#include "qemu/qemu_monitor_json.h"
#include "qemumonitortest.h"
#include "testutil.h"
#include "util/error.h"
#include "util/uuid.h"

/* libvirt's names, in libvirt's order. */
static const char *const expected_names[] = {
    "none",           "perform2",        "begin3",
    "perform3",       "perform3_done",   "confirm3_cancelled",
    "confirm3",       "prepare",         "finish2",
    "finish3",        "postcopy_failed", "begin_resume",
    "perform_resume", "confirm_resume",  "prepare_resume",
    "finish_resume",
};
G_STATIC_ASSERT(G_N_ELEMENTS(expected_names) == QEMU_MIGRATION_PHASE_LAST);

/* ---- a domain whose status writes are counted ---- */

typedef struct {
    DomainObj *vm;
    guint saves;
    int last_saved_phase;
    gboolean fail_save;
} PhaseVm;

static int
phase_vm_save(DomainObj *vm, gpointer opaque)
{
    PhaseVm *t = opaque;

    if (t->fail_save) {
        qvirt_error_report_full(QVIRT_FROM_NONE, QVIRT_ERR_OPERATION_FAILED, __FILE__, __func__,
                                __LINE__, "injected status write failure");
        return -1;
    }
    t->saves++;
    t->last_saved_phase = domain_job_get_phase(vm->job);
    return 0;
}

static PhaseVm *
phase_vm_new(void)
{
    PhaseVm *t = g_new0(PhaseVm, 1);
    DomainDef *def = domain_def_new();
    DomainJobCallbacks cb = {.save_status = phase_vm_save};

    def->name = g_strdup("mig1");
    def->id = 1;
    t->vm = domain_obj_new(def);
    t->vm->pid = 1;
    t->last_saved_phase = -1;
    domain_job_obj_set_callbacks(t->vm->job, &cb, t);
    /* Short: the mask test waits for a job that must not come. */
    domain_job_obj_set_config(t->vm->job, 200, 0);
    return t;
}

static void
phase_vm_free(PhaseVm *t)
{
    domain_obj_unref(t->vm);
    g_free(t);
}

/* ---- names ---- */

static void
test_names(void)
{
    qemu_migration_register_phases();
    for (int i = 0; i < QEMU_MIGRATION_PHASE_LAST; i++) {
        g_assert_cmpstr(qemu_migration_phase_to_string(i), ==, expected_names[i]);
        g_assert_cmpint(qemu_migration_phase_from_string(expected_names[i]), ==, i);
        /* The job layer knows them for both directions (the status XML). */
        g_assert_cmpstr(domain_job_phase_to_string(DOMAIN_ASYNC_JOB_MIGRATION_OUT, i), ==,
                        expected_names[i]);
        g_assert_cmpstr(domain_job_phase_to_string(DOMAIN_ASYNC_JOB_MIGRATION_IN, i), ==,
                        expected_names[i]);
        g_assert_cmpint(
            domain_job_phase_from_string(DOMAIN_ASYNC_JOB_MIGRATION_IN, expected_names[i]), ==, i);
    }
    g_assert_null(qemu_migration_phase_to_string(-1));
    g_assert_null(qemu_migration_phase_to_string(QEMU_MIGRATION_PHASE_LAST));
    g_assert_null(
        domain_job_phase_to_string(DOMAIN_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_PHASE_LAST));
    g_assert_cmpint(qemu_migration_phase_from_string("perform4"), ==, -1);
    g_assert_cmpint(qemu_migration_phase_from_string("Begin3"), ==, -1);
    g_assert_cmpint(qemu_migration_phase_from_string(""), ==, -1);
    g_assert_cmpint(qemu_migration_phase_from_string(NULL), ==, -1);
    g_assert_cmpint(domain_job_phase_from_string(DOMAIN_ASYNC_JOB_MIGRATION_OUT, "nonsense"), ==,
                    -1);
    /* Registering twice is harmless. */
    qemu_migration_register_phases();
    g_assert_cmpstr(domain_job_phase_to_string(DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                               QEMU_MIGRATION_PHASE_FINISH_RESUME),
                    ==, "finish_resume");
}

/* ---- going back ---- */

static gboolean
is_resume(int p)
{
    return p == QEMU_MIGRATION_PHASE_BEGIN_RESUME || p == QEMU_MIGRATION_PHASE_PERFORM_RESUME ||
           p == QEMU_MIGRATION_PHASE_CONFIRM_RESUME || p == QEMU_MIGRATION_PHASE_PREPARE_RESUME ||
           p == QEMU_MIGRATION_PHASE_FINISH_RESUME;
}

static void
test_backwards_rule(void)
{
    guint allowed = 0;

    /* Spot checks, written out. */
    g_assert_true(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_POSTCOPY_FAILED,
                                                       QEMU_MIGRATION_PHASE_BEGIN_RESUME));
    g_assert_true(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_FINISH_RESUME,
                                                       QEMU_MIGRATION_PHASE_PREPARE_RESUME));
    g_assert_true(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_CONFIRM_RESUME,
                                                       QEMU_MIGRATION_PHASE_POSTCOPY_FAILED));
    g_assert_false(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_CONFIRM3,
                                                        QEMU_MIGRATION_PHASE_PERFORM3));
    g_assert_false(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_FINISH3,
                                                        QEMU_MIGRATION_PHASE_PREPARE));
    g_assert_false(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_PERFORM3_DONE,
                                                        QEMU_MIGRATION_PHASE_BEGIN3));
    g_assert_false(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_POSTCOPY_FAILED,
                                                        QEMU_MIGRATION_PHASE_PERFORM3));
    g_assert_false(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_BEGIN_RESUME,
                                                        QEMU_MIGRATION_PHASE_BEGIN3));
    g_assert_false(qemu_migration_phase_allow_backwards(QEMU_MIGRATION_PHASE_FINISH3,
                                                        QEMU_MIGRATION_PHASE_NONE));

    /* Every backward pair: allowed exactly into a resume phase from
     * postcopy_failed or a resume phase, or back to postcopy_failed from a
     * resume phase. */
    for (int from = 0; from < QEMU_MIGRATION_PHASE_LAST; from++) {
        for (int to = 0; to < from; to++) {
            gboolean want = (is_resume(to) &&
                             (from == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED || is_resume(from))) ||
                            (to == QEMU_MIGRATION_PHASE_POSTCOPY_FAILED && is_resume(from));

            if (qemu_migration_phase_allow_backwards(from, to) != want)
                g_error("backwards %s -> %s: expected %s", expected_names[from], expected_names[to],
                        want ? "allowed" : "refused");
            allowed += want;
        }
    }
    /* 4+3+2+1 between the five resume phases, and 5 from them back to
     * postcopy_failed (the resume phases all lie after postcopy_failed, so
     * entering one from it is a forward move). */
    g_assert_cmpuint(allowed, ==, 15);
}

/* ---- masks ---- */

static void
test_masks(void)
{
    unsigned int out = DOMAIN_JOB_MASK(DOMAIN_JOB_QUERY) | DOMAIN_JOB_MASK(DOMAIN_JOB_DESTROY) |
                       DOMAIN_JOB_MASK(DOMAIN_JOB_ABORT) | DOMAIN_JOB_MASK(DOMAIN_JOB_SUSPEND) |
                       DOMAIN_JOB_MASK(DOMAIN_JOB_MIGRATION_OP) |
                       DOMAIN_JOB_MASK(DOMAIN_JOB_MODIFY_MIGRATION_SAFE);
    unsigned int in = DOMAIN_JOB_MASK(DOMAIN_JOB_QUERY) | DOMAIN_JOB_MASK(DOMAIN_JOB_DESTROY) |
                      DOMAIN_JOB_MASK(DOMAIN_JOB_ABORT);

    g_assert_cmpuint(QEMU_MIGRATION_OUT_MASK, ==, out);
    g_assert_cmpuint(QEMU_MIGRATION_IN_MASK, ==, in);
    g_assert_cmpuint(qemu_migration_job_mask(DOMAIN_ASYNC_JOB_MIGRATION_OUT), ==, out);
    g_assert_cmpuint(qemu_migration_job_mask(DOMAIN_ASYNC_JOB_MIGRATION_IN), ==, in);
    g_assert_false(out & DOMAIN_JOB_MASK(DOMAIN_JOB_MODIFY));
    g_assert_false(in & DOMAIN_JOB_MASK(DOMAIN_JOB_SUSPEND));
    g_assert_false(in & DOMAIN_JOB_MASK(DOMAIN_JOB_MIGRATION_OP));
}

/* The job started by the helper admits exactly its mask. */
static void
check_admitted(DomainAsyncJob async, unsigned int mask)
{
    PhaseVm *t = phase_vm_new();
    DomainObj *vm = t->vm;

    domain_obj_lock(vm);
    g_assert_cmpint(qemu_migration_job_start(vm, async, 0), ==, 0);
    g_assert_cmpuint(domain_job_get_mask(vm->job), ==, mask);
    /* Leave it ownerless, as between two steps, then try each job type. */
    qemu_migration_job_continue(vm);
    for (int type = DOMAIN_JOB_QUERY; type < DOMAIN_JOB_ASYNC_NESTED; type++) {
        gboolean admitted = (mask & DOMAIN_JOB_MASK(type)) != 0;
        int rc = domain_job_begin(vm, type);

        if (admitted) {
            g_assert_cmpint(rc, ==, 0);
            domain_job_end(vm);
        } else {
            g_assert_cmpint(rc, ==, -1);
            qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, NULL);
        }
    }
    qemu_migration_job_finish(vm);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(vm);
    phase_vm_free(t);
}

static void
test_masks_admit(void)
{
    check_admitted(DOMAIN_ASYNC_JOB_MIGRATION_OUT, QEMU_MIGRATION_OUT_MASK);
    check_admitted(DOMAIN_ASYNC_JOB_MIGRATION_IN, QEMU_MIGRATION_IN_MASK);
}

/* ---- the helpers over a source job ---- */

static void
test_job_helpers(void)
{
    PhaseVm *t = phase_vm_new();
    DomainObj *vm = t->vm;
    guint saves;

    qemu_migration_register_phases();
    domain_obj_lock(vm);

    g_assert_false(qemu_migration_job_is_active(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "is not being migrated");
    g_assert_cmpint(qemu_migration_job_start_phase(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                                   QEMU_MIGRATION_PHASE_PERFORM3),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "mig1");
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_SAVE, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "not a migration");

    /* Begin. */
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0x101), ==, 0);
    g_assert_cmpuint(domain_job_get_async_flags(vm->job), ==, 0x101);
    g_assert_true(qemu_migration_job_is_active(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT));
    g_assert_false(qemu_migration_job_is_active(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "incoming migration");
    saves = t->saves;
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_BEGIN3), ==, 0);
    /* Persisted in the phase it announces. */
    g_assert_cmpuint(t->saves, ==, saves + 1);
    g_assert_cmpint(t->last_saved_phase, ==, QEMU_MIGRATION_PHASE_BEGIN3);
    qemu_migration_job_continue(vm);
    g_assert_false(domain_job_async_has_owner(vm->job));

    /* Perform takes it over; a failed status write leaves the phase. */
    t->fail_save = TRUE;
    g_assert_cmpint(qemu_migration_job_start_phase(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                                   QEMU_MIGRATION_PHASE_PERFORM3),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "injected");
    g_assert_cmpint(domain_job_get_phase(vm->job), ==, QEMU_MIGRATION_PHASE_BEGIN3);
    t->fail_save = FALSE;
    g_assert_cmpint(qemu_migration_job_start_phase(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                                   QEMU_MIGRATION_PHASE_PERFORM3),
                    ==, 0);
    g_assert_cmpint(t->last_saved_phase, ==, QEMU_MIGRATION_PHASE_PERFORM3);
    g_assert_true(domain_job_is_async_owner(vm->job));
    /* No going back to begin3; the wrong direction is refused too. */
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_BEGIN3), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "cannot go back");
    g_assert_cmpint(qemu_migration_job_start_phase(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN,
                                                   QEMU_MIGRATION_PHASE_FINISH3),
                    ==, -1);
    g_assert_cmpint(domain_job_get_phase(vm->job), ==, QEMU_MIGRATION_PHASE_PERFORM3);

    /* Post-copy breaks off, recovery runs and fails, and runs again. */
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_BEGIN_RESUME), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM_RESUME), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_BEGIN_RESUME), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM3), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "perform3");
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_CONFIRM_RESUME), ==, 0);

    /* Finish, owned or not. */
    qemu_migration_job_continue(vm);
    qemu_migration_job_finish(vm);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_false(qemu_migration_job_is_active(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT));
    qvirt_error_reset();
    /* Finishing with no migration job is a harmless no-op. */
    qemu_migration_job_finish(vm);

    domain_obj_unlock(vm);
    phase_vm_free(t);
}

/* Migration out needs a running domain. */
static void
test_job_inactive(void)
{
    PhaseVm *t = phase_vm_new();

    t->vm->def->id = -1;
    domain_obj_lock(t->vm);
    g_assert_cmpint(qemu_migration_job_start(t->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, NULL);
    g_assert_cmpint(domain_job_get_async(t->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(t->vm);
    phase_vm_free(t);
}

/* ---- progress ---- */

static void
test_progress_status(void)
{
    static const struct {
        int qemu;
        int want;
    } map[] = {
        {QEMU_MONITOR_MIGRATION_STATUS_NONE, DOMAIN_JOB_STATUS_ACTIVE},
        {QEMU_MONITOR_MIGRATION_STATUS_SETUP, DOMAIN_JOB_STATUS_ACTIVE},
        {QEMU_MONITOR_MIGRATION_STATUS_ACTIVE, DOMAIN_JOB_STATUS_MIGRATING},
        {QEMU_MONITOR_MIGRATION_STATUS_CANCELLING, DOMAIN_JOB_STATUS_MIGRATING},
        {QEMU_MONITOR_MIGRATION_STATUS_DEVICE, DOMAIN_JOB_STATUS_MIGRATING},
        {QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG, DOMAIN_JOB_STATUS_MIGRATING},
        {QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE, DOMAIN_JOB_STATUS_POSTCOPY},
        {QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER, DOMAIN_JOB_STATUS_POSTCOPY},
        {QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED, DOMAIN_JOB_STATUS_POSTCOPY_PAUSED},
        {QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER, DOMAIN_JOB_STATUS_PAUSED},
        {QEMU_MONITOR_MIGRATION_STATUS_COMPLETED, DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED},
        {QEMU_MONITOR_MIGRATION_STATUS_FAILED, DOMAIN_JOB_STATUS_FAILED},
        {QEMU_MONITOR_MIGRATION_STATUS_CANCELLED, DOMAIN_JOB_STATUS_CANCELED},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
        g_assert_cmpint(qemu_migration_progress_status(map[i].qemu), ==, map[i].want);
    /* Out of range: nothing better than "active". */
    g_assert_cmpint(qemu_migration_progress_status(-1), ==, DOMAIN_JOB_STATUS_ACTIVE);
    g_assert_cmpint(qemu_migration_progress_status(QEMU_MONITOR_MIGRATION_STATUS_LAST), ==,
                    DOMAIN_JOB_STATUS_ACTIVE);
}

/* Ask the fake QEMU for query-migrate answering REPLY. */
static int
query_migrate(const char *reply, QemuMonitorMigrationStats *ret)
{
    QemuMonitorTest *server = qemu_monitor_test_new(QEMU_MONITOR_PROTOCOL_QMP);
    QvirtEventLoop *loop = qvirt_event_loop_new("progress-loop");
    QemuMonitor *mon;
    int rc;

    qemu_monitor_test_expect(server, "query-migrate", NULL, reply);
    mon = qemu_monitor_test_open(server, loop, NULL);
    g_assert_nonnull(mon);
    rc = qemu_monitor_json_query_migrate(mon, ret);
    qemu_monitor_close(mon);
    qemu_monitor_test_finish(server);
    qvirt_event_loop_free(loop);
    return rc;
}

static void
test_progress_active(void)
{
    QemuMonitorMigrationStats m = {0};
    DomainJobStats s = {0};

    g_assert_cmpint(query_migrate("{\"return\": {\"status\": \"active\", \"total-time\": 5000, "
                                  "\"setup-time\": 12, \"expected-downtime\": 300, "
                                  "\"ram\": {\"transferred\": 1000, \"remaining\": 3000, "
                                  "\"total\": 4096, \"duplicate\": 5, \"normal\": 7, "
                                  "\"normal-bytes\": 28672, \"dirty-pages-rate\": 250, "
                                  "\"mbps\": 80.0, \"dirty-sync-count\": 3, \"page-size\": 4096, "
                                  "\"multifd-bytes\": 0, \"pages-per-second\": 10, "
                                  "\"precopy-bytes\": 1000, \"downtime-bytes\": 0, "
                                  "\"postcopy-bytes\": 0, \"dirty-sync-missed-zero-copy\": 0, "
                                  "\"postcopy-requests\": 2, \"skipped\": 0}}}",
                                  &m),
                    ==, 0);
    /* Disk figures the storage migration wrote stay. */
    s.disk_total = 100;
    s.disk_processed = 40;
    s.disk_remaining = 60;
    qemu_migration_progress_to_stats(&m, &s);
    g_assert_cmpint(s.status, ==, DOMAIN_JOB_STATUS_MIGRATING);
    g_assert_cmpuint(s.mem_total, ==, 4096);
    g_assert_cmpuint(s.mem_processed, ==, 1000);
    g_assert_cmpuint(s.mem_remaining, ==, 3000);
    g_assert_cmpuint(s.mem_bps, ==, 10000000); /* 80 Mbit/s */
    g_assert_cmpuint(s.mem_dirty_rate, ==, 250);
    g_assert_cmpuint(s.mem_iteration, ==, 3);
    g_assert_cmpuint(s.mem_page_size, ==, 4096);
    g_assert_cmpuint(s.mem_postcopy_requests, ==, 2);
    g_assert_cmpuint(s.disk_total, ==, 100);
    g_assert_cmpuint(s.data_total, ==, 4196);
    g_assert_cmpuint(s.data_processed, ==, 1040);
    g_assert_cmpuint(s.data_remaining, ==, 3060);
    g_assert_cmpint(s.setup_time_ms, ==, 12);
    /* Downtime is only known once completed. */
    g_assert_false(s.downtime_set);
    g_assert_cmpstr(s.error_message, ==, "");
    qemu_monitor_migration_stats_clear(&m);
}

static void
test_progress_completed(void)
{
    QemuMonitorMigrationStats m = {0};
    DomainJobStats s = {0};

    g_assert_cmpint(query_migrate("{\"return\": {\"status\": \"completed\", \"total-time\": 9000, "
                                  "\"downtime\": 42, \"setup-time\": 3, "
                                  "\"disk\": {\"transferred\": 10, \"remaining\": 0, "
                                  "\"total\": 10, \"duplicate\": 0, \"skipped\": 0, "
                                  "\"normal\": 0, \"normal-bytes\": 0, "
                                  "\"dirty-pages-rate\": 0, \"mbps\": 0, "
                                  "\"dirty-sync-count\": 0, \"postcopy-requests\": 0, "
                                  "\"multifd-bytes\": 0, \"pages-per-second\": 0, "
                                  "\"page-size\": 0, \"precopy-bytes\": 0, "
                                  "\"downtime-bytes\": 0, \"postcopy-bytes\": 0, "
                                  "\"dirty-sync-missed-zero-copy\": 0}}}",
                                  &m),
                    ==, 0);
    qemu_migration_progress_to_stats(&m, &s);
    g_assert_cmpint(s.status, ==, DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED);
    g_assert_true(s.downtime_set);
    g_assert_cmpint(s.downtime_ms, ==, 42);
    g_assert_cmpint(s.setup_time_ms, ==, 3);
    /* QEMU's own block migration figures replace the disk ones. */
    g_assert_cmpuint(s.disk_total, ==, 10);
    g_assert_cmpuint(s.data_total, ==, 10);
    qemu_monitor_migration_stats_clear(&m);
}

static void
test_progress_failed(void)
{
    QemuMonitorMigrationStats m = {0};
    DomainJobStats s = {0};

    g_assert_cmpint(query_migrate("{\"return\": {\"status\": \"failed\", "
                                  "\"error-desc\": \"Connection refused\"}}",
                                  &m),
                    ==, 0);
    qemu_migration_progress_to_stats(&m, &s);
    g_assert_cmpint(s.status, ==, DOMAIN_JOB_STATUS_FAILED);
    g_assert_cmpstr(s.error_message, ==, "Connection refused");
    g_assert_cmpuint(s.data_total, ==, 0);
    qemu_monitor_migration_stats_clear(&m);

    /* A status QEMU never sends is the monitor's error, not a mapping. */
    g_assert_cmpint(query_migrate("{\"return\": {\"status\": \"teleporting\"}}", &m), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "teleporting");
}

/* ---- events ---- */

typedef struct {
    guint count;
    int event_id;
    int iteration;
} EventSeen;

static void
record_event(const QemuDriverEvent *event, gpointer opaque)
{
    EventSeen *seen = opaque;

    seen->count++;
    seen->event_id = event->event_id;
    seen->iteration = event->iteration;
    g_assert_cmpstr(event->name, ==, "mig1");
}

static void
test_progress_events(void)
{
    PhaseVm *t = phase_vm_new();
    DomainObj *vm = t->vm;
    QemuDriver driver = {0};
    EventSeen seen = {0};
    QemuMonitorEvent pass = {
        .type = QEMU_MONITOR_EVENT_MIGRATION_PASS, .name = "MIGRATION_PASS", .pass = 4};
    QemuMonitorEvent mig = {
        .type = QEMU_MONITOR_EVENT_MIGRATION, .name = "MIGRATION", .status = "active"};
    QemuMonitorEvent bad = {
        .type = QEMU_MONITOR_EVENT_MIGRATION, .name = "MIGRATION", .status = "bogus"};
    DomainJobStats stats;

    driver.event_func = record_event;
    driver.event_opaque = &seen;
    domain_obj_lock(vm);

    /* Outside a migration job: ignored. */
    qemu_migration_handle_event(&driver, vm, &pass);
    g_assert_cmpuint(seen.count, ==, 0);

    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0), ==, 0);
    qemu_migration_handle_event(&driver, vm, &mig);
    domain_job_get_stats(vm, FALSE, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_MIGRATING);
    qemu_migration_handle_event(&driver, vm, &bad);
    domain_job_get_stats(vm, FALSE, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_MIGRATING);

    qemu_migration_handle_event(&driver, vm, &pass);
    g_assert_cmpuint(seen.count, ==, 1);
    g_assert_cmpint(seen.event_id, ==, QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION);
    g_assert_cmpint(seen.iteration, ==, 4);
    domain_job_get_stats(vm, FALSE, &stats);
    g_assert_cmpuint(stats.mem_iteration, ==, 4);
    qemu_migration_job_finish(vm);

    /* The destination does not announce iterations. */
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, 0), ==, 0);
    qemu_migration_handle_event(&driver, vm, &pass);
    g_assert_cmpuint(seen.count, ==, 1);
    qemu_migration_job_finish(vm);

    domain_obj_unlock(vm);
    phase_vm_free(t);
}

/* ---- tuning and abort, against the fake QEMU ---- */

typedef struct {
    PhaseVm *t;
    QemuMonitorTest *server;
    QvirtEventLoop *loop;
} TuneDom;

static TuneDom *
tune_dom_new(void)
{
    TuneDom *d = g_new0(TuneDom, 1);

    d->t = phase_vm_new();
    qemu_domain_obj_init_private(d->t->vm);
    d->loop = qvirt_event_loop_new("tune-loop");
    d->server = qemu_monitor_test_new(QEMU_MONITOR_PROTOCOL_QMP);
    return d;
}

/* Connect once the script is written. */
static void
tune_dom_connect(TuneDom *d)
{
    qemu_domain_obj_private(d->t->vm)->mon = qemu_monitor_test_open(d->server, d->loop, NULL);
    g_assert_nonnull(qemu_domain_obj_private(d->t->vm)->mon);
}

static void
tune_dom_free(TuneDom *d)
{
    phase_vm_free(d->t); /* closes the monitor */
    qemu_monitor_test_finish(d->server);
    qvirt_event_loop_free(d->loop);
    g_free(d);
}

static void
test_tuning(void)
{
    TuneDom *d = tune_dom_new();
    DomainObj *vm = d->t->vm;
    unsigned long long value = 0;

    /* MiB/s to bytes/s and back, the post-copy limit separately. */
    qemu_monitor_test_expect(d->server, "migrate-set-parameters", "{\"max-bandwidth\": 104857600}",
                             "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "query-migrate-parameters", NULL,
                             "{\"return\": {\"max-bandwidth\": 209715200, "
                             "\"max-postcopy-bandwidth\": 0, \"downtime-limit\": 300}}");
    qemu_monitor_test_expect(d->server, "migrate-set-parameters",
                             "{\"max-postcopy-bandwidth\": 1048576}", "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "migrate-set-parameters", "{\"downtime-limit\": 450}",
                             "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "query-migrate-parameters", NULL,
                             "{\"return\": {\"max-bandwidth\": 209715200, "
                             "\"downtime-limit\": 450}}");
    /* QEMU's refusal is the caller's error. */
    qemu_monitor_test_expect_error(d->server, "migrate-set-parameters", "GenericError",
                                   "Parameter 'downtime_limit' expects an integer in the range");
    /* A reply without the value asked for. */
    qemu_monitor_test_expect(d->server, "query-migrate-parameters", NULL,
                             "{\"return\": {\"max-bandwidth\": 1}}");
    tune_dom_connect(d);

    g_assert_cmpint(qemu_migration_set_max_speed(NULL, vm, 100, 0), ==, 0);
    g_assert_cmpint(qemu_migration_get_max_speed(NULL, vm, &value, 0), ==, 0);
    g_assert_cmpuint(value, ==, 200);
    g_assert_cmpint(qemu_migration_set_max_speed(NULL, vm, 1, QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY),
                    ==, 0);
    g_assert_cmpint(qemu_migration_set_max_downtime(NULL, vm, 450, 0), ==, 0);
    g_assert_cmpint(qemu_migration_get_max_downtime(NULL, vm, &value, 0), ==, 0);
    g_assert_cmpuint(value, ==, 450);
    g_assert_cmpint(qemu_migration_set_max_downtime(NULL, vm, 1999, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "downtime_limit");
    value = 7;
    g_assert_cmpint(qemu_migration_get_max_downtime(NULL, vm, &value, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "downtime-limit");
    g_assert_cmpuint(value, ==, 7);

    /* Refused before QEMU is asked (the script has nothing more). */
    g_assert_cmpint(qemu_migration_set_max_speed(NULL, vm, G_MAXUINT64, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OVERFLOW, "MiB/s");
    g_assert_cmpint(qemu_migration_set_max_downtime(NULL, vm, 2000001, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "2000001");
    g_assert_cmpint(qemu_migration_set_max_downtime(NULL, vm, 10, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags");
    g_assert_cmpint(qemu_migration_get_max_speed(NULL, vm, &value, 4), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags");
    g_assert_cmpint(qemu_migration_start_post_copy(NULL, vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "not being migrated");

    /* Every job ended: another one can start at once. */
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_get_active(vm->job), ==, DOMAIN_JOB_NONE);
    domain_obj_unlock(vm);
    tune_dom_free(d);
}

static void
test_start_post_copy(void)
{
    TuneDom *d = tune_dom_new();
    DomainObj *vm = d->t->vm;

    qemu_monitor_test_expect(d->server, "migrate-start-postcopy", NULL, "{\"return\": {}}");
    tune_dom_connect(d);

    domain_obj_lock(vm);
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM3), ==, 0);
    domain_obj_unlock(vm);
    /* Without the post-copy flag. */
    g_assert_cmpint(qemu_migration_start_post_copy(NULL, vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "post-copy flag");

    domain_obj_lock(vm);
    qemu_migration_job_finish(vm);
    g_assert_cmpint(
        qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, QV_MIGRATE_POSTCOPY), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_BEGIN3), ==, 0);
    domain_obj_unlock(vm);
    /* Not before Perform runs. */
    g_assert_cmpint(qemu_migration_start_post_copy(NULL, vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "begin3");

    domain_obj_lock(vm);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM3), ==, 0);
    /* Perform's thread waits for events; the switch comes from another. */
    qemu_migration_job_continue(vm);
    domain_obj_unlock(vm);
    g_assert_cmpint(qemu_migration_start_post_copy(NULL, vm, 0), ==, 0);

    domain_obj_lock(vm);
    qemu_migration_job_finish(vm);
    domain_obj_unlock(vm);
    tune_dom_free(d);
}

/* query-migrate answers of a completed migration: QEMU's final figures,
 * and what it says before its migration thread has computed them. */
#define COMPLETED_EARLY                                                                            \
    "{\"return\": {\"status\": \"completed\", \"total-time\": 0, \"downtime\": 0, "                \
    "\"setup-time\": 4, \"ram\": {\"total\": 1000, \"remaining\": 0, "                             \
    "\"transferred\": 1000}}}"
#define COMPLETED_FINAL(downtime, total)                                                           \
    "{\"return\": {\"status\": \"completed\", \"total-time\": " total ", \"downtime\": " downtime  \
    ", \"setup-time\": 4, \"ram\": {\"total\": 1000, \"remaining\": 0, "                           \
    "\"transferred\": 1000, \"mbps\": 800.5}}}"

/* Run the source's wait on the fake QEMU of D (its script written) and
 * return the job's statistics at the end. */
static void
wait_completed(TuneDom *d, DomainJobStats *ret_stats)
{
    DomainObj *vm = d->t->vm;

    tune_dom_connect(d);
    domain_obj_lock(vm);
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM3), ==, 0);
    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_src_wait_stream(NULL, vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT), ==,
                    0);
    /* The migration completed: whatever happened after, no error is left. */
    g_assert_null(qvirt_error_get_last());
    domain_job_get_stats(vm, FALSE, ret_stats);
    qemu_migration_job_finish(vm);
    domain_obj_unlock(vm);
}

/* QEMU announces "completed" (and its MIGRATION event wakes the wait)
 * before it has the total time and the downtime: both read 0 until then.
 * The wait asks again until they are there, so that the downtime the job
 * and the Perform cookie report is QEMU's, not 0. */
static void
test_wait_final_stats(void)
{
    TuneDom *d = tune_dom_new();
    DomainJobStats stats;

    qemu_monitor_test_expect(d->server, "query-migrate", NULL, COMPLETED_EARLY);
    qemu_monitor_test_expect(d->server, "query-migrate", NULL, COMPLETED_EARLY);
    qemu_monitor_test_expect(d->server, "query-migrate", NULL, COMPLETED_FINAL("17", "900"));
    wait_completed(d, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED);
    g_assert_true(stats.downtime_set);
    g_assert_cmpint(stats.downtime_ms, ==, 17);
    g_assert_cmpuint(stats.mem_bps, ==, 100062500); /* 800.5 Mbit/s */
    tune_dom_free(d);
}

/* Final figures at once (even a downtime of 0 with a total time): one
 * query, the downtime as QEMU says. Without any downtime (an old QEMU, a
 * short script): one query, no downtime. The fake QEMU fails the test on
 * a query more than scripted. */
static void
test_wait_final_at_once(void)
{
    TuneDom *d = tune_dom_new();
    DomainJobStats stats;

    qemu_monitor_test_expect(d->server, "query-migrate", NULL, COMPLETED_FINAL("0", "350"));
    wait_completed(d, &stats);
    g_assert_true(stats.downtime_set);
    g_assert_cmpint(stats.downtime_ms, ==, 0);
    tune_dom_free(d);

    d = tune_dom_new();
    qemu_monitor_test_expect(d->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"completed\"}}");
    wait_completed(d, &stats);
    g_assert_false(stats.downtime_set);
    tune_dom_free(d);
}

/* QEMU fails the query for the final figures: the migration still
 * completed (0, no error left), and its downtime is unknown, not 0. */
static void
test_wait_final_unknown(void)
{
    TuneDom *d = tune_dom_new();
    DomainJobStats stats;

    qemu_monitor_test_expect(d->server, "query-migrate", NULL, COMPLETED_EARLY);
    qemu_monitor_test_expect(d->server, "query-migrate", NULL, COMPLETED_EARLY);
    qemu_monitor_test_expect_error(d->server, "query-migrate", "GenericError", "injected failure");
    wait_completed(d, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED);
    g_assert_false(stats.downtime_set);
    g_assert_cmpuint(stats.mem_processed, ==, 1000);
    tune_dom_free(d);
}

static void
test_abort(void)
{
    PhaseVm *t = phase_vm_new();
    DomainObj *vm = t->vm;
    DomainJobStats *stats;

    g_assert_cmpint(qemu_migration_abort(NULL, vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "no job");
    g_assert_cmpint(qemu_migration_abort(NULL, vm, 2), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags");
    /* --postcopy pauses a post-copy migration; there is none here. */
    g_assert_cmpint(qemu_migration_abort(NULL, vm, QV_DOMAIN_ABORT_JOB_POSTCOPY), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "post-copy");

    /* The destination is not aborted: it is destroyed. */
    domain_obj_lock(vm);
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_IN, 0), ==, 0);
    qemu_migration_job_continue(vm);
    domain_obj_unlock(vm);
    g_assert_cmpint(qemu_migration_abort(NULL, vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "destroy");
    domain_obj_lock(vm);
    g_assert_false(domain_job_abort_requested(vm->job));
    qemu_migration_job_finish(vm);

    /* Between Begin and Perform, and while Perform runs: flagged. */
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_BEGIN3), ==, 0);
    qemu_migration_job_continue(vm);
    domain_obj_unlock(vm);
    g_assert_cmpint(qemu_migration_abort(NULL, vm, 0), ==, 0);
    domain_obj_lock(vm);
    g_assert_true(domain_job_abort_requested(vm->job));
    qemu_migration_job_finish(vm);

    /* In post-copy: refused. */
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM3), ==, 0);
    stats = domain_job_current_stats(vm);
    stats->status = DOMAIN_JOB_STATUS_POSTCOPY;
    domain_obj_unlock(vm);
    g_assert_cmpint(qemu_migration_abort(NULL, vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "post-copy");

    /* After the switch-over: refused. */
    domain_obj_lock(vm);
    stats->status = DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED;
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM3_DONE), ==, 0);
    domain_obj_unlock(vm);
    g_assert_cmpint(qemu_migration_abort(NULL, vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "switched over");
    domain_obj_lock(vm);
    g_assert_false(domain_job_abort_requested(vm->job));
    qemu_migration_job_finish(vm);
    domain_obj_unlock(vm);

    /* Not running: nothing to abort. */
    vm->def->id = -1;
    g_assert_cmpint(qemu_migration_abort(NULL, vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "not running");
    phase_vm_free(t);
}

/* ---- the source lease ---- */

typedef struct {
    QemuDriver driver;
    DomainObj *vm; /* a reference */
    guint saves;
} LeaseFix;

static int
lease_save(DomainObj *vm, gpointer opaque)
{
    LeaseFix *f = opaque;

    f->saves++;
    return 0;
}

static LeaseFix *
lease_fix_new(void)
{
    LeaseFix *f = g_new0(LeaseFix, 1);
    DomainDef *def = domain_def_new();
    DomainJobCallbacks cb = {.save_status = lease_save};

    def->name = g_strdup("leased");
    qvirt_uuid_generate(def->uuid);
    f->driver.domains = domain_obj_list_new();
    f->vm = domain_obj_list_add(f->driver.domains, &def, DOMAIN_OBJ_LIST_ADD_LIVE, NULL);
    g_assert_nonnull(f->vm);
    f->vm->def->id = 7;
    f->vm->pid = 1;
    /* No monitor: nothing here may need QEMU (restoring no saved
     * parameters sends nothing). */
    qemu_domain_obj_init_private(f->vm);
    qemu_domain_job_set_callbacks(&cb);
    domain_job_obj_set_callbacks(f->vm->job, &cb, f);
    domain_obj_unlock(f->vm);
    return f;
}

static void
lease_fix_free(LeaseFix *f)
{
    domain_obj_unref(f->vm);
    domain_obj_list_free(f->driver.domains);
    g_free(f);
}

/* Start a migration job in PHASE, left ownerless as between two steps. */
static void
lease_job(LeaseFix *f, int phase)
{
    domain_obj_lock(f->vm);
    g_assert_cmpint(qemu_migration_job_start(f->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(f->vm, QEMU_MIGRATION_PHASE_BEGIN3), ==, 0);
    if (phase != QEMU_MIGRATION_PHASE_BEGIN3)
        g_assert_cmpint(qemu_migration_job_set_phase(f->vm, phase), ==, 0);
    qemu_migration_job_continue(f->vm);
    domain_obj_unlock(f->vm);
}

static void
test_lease(void)
{
    LeaseFix *f = lease_fix_new();
    DomainObj *vm = f->vm;
    int conn_a, conn_b; /* two connections: only their addresses matter */
    QvConnect *a = (QvConnect *)&conn_a;
    QvConnect *b = (QvConnect *)&conn_b;
    DomainJobStats stats;

    /* Another connection closing leaves the migration alone. */
    lease_job(f, QEMU_MIGRATION_PHASE_BEGIN3);
    qemu_migration_src_lease_take(vm->def->uuid, a);
    qemu_migration_src_connection_closed(&f->driver, b);
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_cmpint(domain_job_get_phase(vm->job), ==, QEMU_MIGRATION_PHASE_BEGIN3);
    domain_obj_unlock(vm);

    /* Its own client going away between Begin and Perform rolls it back. */
    qemu_migration_src_connection_closed(&f->driver, a);
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_job_get_stats(vm, TRUE, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_FAILED);
    g_assert_true(domain_obj_is_active(vm));
    domain_obj_unlock(vm);
    /* The lease went with it: closing again does nothing. */
    lease_job(f, QEMU_MIGRATION_PHASE_BEGIN3);
    qemu_migration_src_connection_closed(&f->driver, a);
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    qemu_migration_job_finish(vm);
    domain_obj_unlock(vm);

    /* A step that runs (the job has an owner) is aborted, not ended. */
    domain_obj_lock(vm);
    g_assert_cmpint(qemu_migration_job_start(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 0), ==, 0);
    g_assert_cmpint(qemu_migration_job_set_phase(vm, QEMU_MIGRATION_PHASE_PERFORM3), ==, 0);
    domain_obj_unlock(vm);
    qemu_migration_src_lease_take(vm->def->uuid, a);
    qemu_migration_src_connection_closed(&f->driver, a);
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_true(domain_job_abort_requested(vm->job));
    qemu_migration_job_finish(vm);
    domain_obj_unlock(vm);

    /* After the switch-over the job ends, the guest state untouched. */
    lease_job(f, QEMU_MIGRATION_PHASE_PERFORM3_DONE);
    domain_obj_lock(vm);
    domain_obj_set_state(vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);
    domain_obj_unlock(vm);
    qemu_migration_src_lease_take(vm->def->uuid, b);
    qemu_migration_src_connection_closed(&f->driver, b);
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_cmpint(domain_obj_get_state(vm, NULL), ==, DOMAIN_STATE_PAUSED);
    domain_job_get_stats(vm, TRUE, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_FAILED);
    g_assert_nonnull(strstr(stats.error_message, "client went away"));
    domain_obj_unlock(vm);

    /* Post-copy failed: the job stays for recovery. */
    lease_job(f, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED);
    qemu_migration_src_lease_take(vm->def->uuid, b);
    qemu_migration_src_connection_closed(&f->driver, b);
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_get_phase(vm->job), ==, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED);
    qemu_migration_job_finish(vm);
    domain_obj_unlock(vm);

    lease_fix_free(f);
}

/* ---- URIs ---- */

static void
check_uri(const char *uri, const char *want_qemu, const char *want_host)
{
    g_autofree char *qemu_uri = NULL;
    g_autofree char *host = NULL;

    if (qemu_migration_src_parse_uri(uri, &qemu_uri, &host) < 0)
        g_error("URI '%s' refused: %s", uri, qvirt_error_last_message());
    g_assert_cmpstr(qemu_uri, ==, want_qemu);
    g_assert_cmpstr(host, ==, want_host);
}

static void
test_uris(void)
{
    static const char *const bad[] = {
        "",         "tcp:",          "tcp:host",      "tcp://host:", "tcp://:4444",
        "tcp:h:x1", "tcp:[::1:4444", "unix:relative", "rdma:h:1",    "http://h:1",
        "unix://",  "exec:cat",
    };

    check_uri("tcp:10.0.0.2:49152", "tcp:10.0.0.2:49152", "10.0.0.2");
    check_uri("tcp://dst.example:49153", "tcp:dst.example:49153", "dst.example");
    check_uri("tcp://dst.example:49153/", "tcp:dst.example:49153", "dst.example");
    check_uri("tcp:[::1]:4444", "tcp:[::1]:4444", "::1");
    check_uri("unix:/run/qvirt/mig.sock", "unix:/run/qvirt/mig.sock", NULL);
    check_uri("unix:///run/qvirt/mig.sock", "unix:/run/qvirt/mig.sock", NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *qemu_uri = NULL;

        if (qemu_migration_src_parse_uri(bad[i], &qemu_uri, NULL) == 0)
            g_error("URI '%s' accepted as '%s'", bad[i], qemu_uri);
        qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, NULL);
        g_assert_null(qemu_uri);
    }
    g_assert_cmpint(qemu_migration_src_parse_uri(NULL, NULL, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "missing");
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    /* A hang guard, not a timing check. */
    alarm(300);
    qemu_migration_register_phases();
    g_test_add_func("/qemumigration/phases/names", test_names);
    g_test_add_func("/qemumigration/phases/backwards", test_backwards_rule);
    g_test_add_func("/qemumigration/phases/masks", test_masks);
    g_test_add_func("/qemumigration/phases/masks-admit", test_masks_admit);
    g_test_add_func("/qemumigration/phases/job-helpers", test_job_helpers);
    g_test_add_func("/qemumigration/phases/job-inactive", test_job_inactive);
    g_test_add_func("/qemumigration/progress/status", test_progress_status);
    g_test_add_func("/qemumigration/progress/active", test_progress_active);
    g_test_add_func("/qemumigration/progress/completed", test_progress_completed);
    g_test_add_func("/qemumigration/progress/failed", test_progress_failed);
    g_test_add_func("/qemumigration/progress/events", test_progress_events);
    g_test_add_func("/qemumigration/uri", test_uris);
    g_test_add_func("/qemumigration/tuning/speed-downtime", test_tuning);
    g_test_add_func("/qemumigration/tuning/start-post-copy", test_start_post_copy);
    g_test_add_func("/qemumigration/wait/final-stats", test_wait_final_stats);
    g_test_add_func("/qemumigration/wait/final-at-once", test_wait_final_at_once);
    g_test_add_func("/qemumigration/wait/final-unknown", test_wait_final_unknown);
    g_test_add_func("/qemumigration/abort", test_abort);
    g_test_add_func("/qemumigration/lease", test_lease);
    return g_test_run();
}

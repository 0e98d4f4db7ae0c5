/* test-recovery.c: the recovery table of interrupted async jobs
 * (qemu_recovery.h): one case per table cell, from a list written here
 * (not derived from the table), the action names, the check that
 * docs/recovery.md gives the same table row by row, and the actions
 * carried out against the scripted fake QEMU, asserting the exact
 * commands sent, the resulting state and reason, the job and the events. */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>

#include "util/xml.h"

#include "conf/domain_job.h"
#include "driver/event.h"
#include "driver/jobstats.h"
#include "driver/migrate.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_recovery.h"
#include "qemumonitortest.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

/* ---- the cells ---- */

typedef struct {
    const char *job;    /* DomainAsyncJob name, or "destroy" / "none" */
    const char *phase;  /* phase name ("none" for the jobs without phases) */
    gboolean running;   /* query-status */
    const char *mig;    /* query-migrate status */
    const char *action; /* expected */
    gboolean postcopy;  /* the job's flags allowed post-copy */
} Cell;

/* Every row of the issue, with the QEMU states that reach it. */
static const Cell table_cells[] = {
    /* Migration out. */
    {"migration out", "begin3", TRUE, "none", "drop-job", FALSE},
    {"migration out", "begin3", FALSE, "none", "drop-job", FALSE},
    {"migration out", "perform3", TRUE, "setup", "cancel-and-resume", FALSE},
    {"migration out", "perform3", TRUE, "active", "cancel-and-resume", FALSE},
    {"migration out", "perform3", FALSE, "active", "cancel-and-resume", FALSE},
    {"migration out", "perform3", FALSE, "pre-switchover", "cancel-and-resume", FALSE},
    {"migration out", "perform3", FALSE, "device", "cancel-and-resume", FALSE},
    {"migration out", "perform3", FALSE, "completed", "cancel-and-resume", FALSE},
    {"migration out", "perform3", TRUE, "failed", "cancel-and-resume", FALSE},
    {"migration out", "perform3", TRUE, "cancelled", "cancel-and-resume", FALSE},
    {"migration out", "perform3", TRUE, "none", "cancel-and-resume", FALSE},
    {"migration out", "perform3", FALSE, "postcopy-active", "keep-postcopy-failed", FALSE},
    {"migration out", "perform3", FALSE, "postcopy-paused", "keep-postcopy-failed", FALSE},
    {"migration out", "perform3_done", FALSE, "completed", "keep-paused-outcome-unknown", FALSE},
    {"migration out", "perform3_done", TRUE, "completed", "keep-and-end-job", FALSE},
    {"migration out", "perform3_done", FALSE, "active", "cancel-and-resume", FALSE},
    {"migration out", "perform3_done", FALSE, "pre-switchover", "cancel-and-resume", FALSE},
    {"migration out", "perform3_done", FALSE, "device", "cancel-and-resume", FALSE},
    {"migration out", "perform3_done", TRUE, "failed", "cancel-and-resume", FALSE},
    {"migration out", "perform3_done", TRUE, "cancelled", "cancel-and-resume", FALSE},
    {"migration out", "perform3_done", FALSE, "postcopy-active", "keep-postcopy-failed", FALSE},
    {"migration out", "perform3_done", FALSE, "postcopy-paused", "keep-postcopy-failed", FALSE},
    {"migration out", "confirm3_cancelled", FALSE, "failed", "resume", FALSE},
    {"migration out", "confirm3_cancelled", TRUE, "cancelled", "resume", FALSE},
    {"migration out", "confirm3", FALSE, "completed", "stop-source-migrated", FALSE},
    {"migration out", "postcopy_failed", FALSE, "postcopy-paused", "keep-postcopy-failed", FALSE},
    {"migration out", "postcopy_failed", TRUE, "postcopy-active", "keep-postcopy-failed", FALSE},
    {"migration out", "begin_resume", FALSE, "postcopy-paused", "keep-postcopy-failed", FALSE},
    {"migration out", "perform_resume", FALSE, "postcopy-recover", "keep-postcopy-failed", FALSE},
    {"migration out", "confirm_resume", TRUE, "completed", "keep-postcopy-failed", FALSE},
    {"migration out", "none", TRUE, "none", "drop-job", FALSE},
    /* Migration in. */
    {"migration in", "prepare", FALSE, "none", "kill-incoming", FALSE},
    {"migration in", "prepare", FALSE, "active", "kill-incoming", FALSE},
    /* Finish resumed it but never answered: the source resumed its copy. */
    {"migration in", "finish3", TRUE, "completed", "kill-incoming", FALSE},
    {"migration in", "finish3", TRUE, "none", "kill-incoming", FALSE},
    /* ... unless post-copy was allowed: the source's copy may be stale. */
    {"migration in", "finish3", TRUE, "completed", "keep-and-end-job", TRUE},
    {"migration in", "finish3", TRUE, "none", "keep-and-end-job", TRUE},
    {"migration in", "finish3", FALSE, "completed", "kill-incoming", TRUE},
    {"migration in", "finish3", TRUE, "postcopy-active", "keep-postcopy-failed", TRUE},
    {"migration in", "finish3", FALSE, "completed", "kill-incoming", FALSE},
    {"migration in", "finish3", FALSE, "active", "kill-incoming", FALSE},
    {"migration in", "finish3", TRUE, "postcopy-active", "keep-postcopy-failed", FALSE},
    {"migration in", "finish3", FALSE, "postcopy-paused", "keep-postcopy-failed", FALSE},
    {"migration in", "postcopy_failed", TRUE, "postcopy-paused", "keep-postcopy-failed", FALSE},
    {"migration in", "prepare_resume", TRUE, "postcopy-paused", "keep-postcopy-failed", FALSE},
    {"migration in", "finish_resume", TRUE, "postcopy-recover", "keep-postcopy-failed", FALSE},
    {"migration in", "none", FALSE, "none", "kill-incoming", FALSE},
    /* Save and dump. */
    {"save", "none", FALSE, "active", "cancel-save-and-resume", FALSE},
    {"save", "none", FALSE, "completed", "cancel-save-and-resume", FALSE},
    {"save", "none", TRUE, "none", "cancel-save-and-resume", FALSE},
    {"dump", "none", FALSE, "none", "wait-dump-and-resume", FALSE},
    {"dump", "none", TRUE, "none", "wait-dump-and-resume", FALSE},
    /* Start. */
    {"start", "none", FALSE, "none", "kill", FALSE},
    {"start", "none", TRUE, "none", "keep-and-end-job", FALSE},
    /* Backup. */
    {"backup", "none", TRUE, "none", "drop-job", FALSE},
    /* Outside the table. */
    {"destroy", "none", TRUE, "none", "finish-destroy", FALSE},
    {"none", "none", TRUE, "none", "none", FALSE},
};

static void
cell_to_key(const Cell *c, QemuRecoveryKey *key)
{
    memset(key, 0, sizeof(*key));
    key->destroy = g_str_equal(c->job, "destroy");
    key->job = key->destroy ? DOMAIN_ASYNC_JOB_NONE : domain_async_job_from_string(c->job);
    g_assert_cmpint(key->job, >=, 0);
    key->phase = domain_job_phase_from_string(key->job, c->phase);
    g_assert_cmpint(key->phase, >=, 0);
    key->running = c->running;
    key->postcopy = c->postcopy;
    key->vm_status = c->running ? QEMU_MONITOR_VM_STATUS_RUNNING : QEMU_MONITOR_VM_STATUS_PAUSED;
    key->mig = qemu_monitor_migration_status_from_string(c->mig);
    g_assert_cmpint(key->mig, >=, 0);
}

static void
test_cell(gconstpointer data)
{
    const Cell *c = data;
    QemuRecoveryKey key;
    const QemuRecoveryRule *rule = (const QemuRecoveryRule *)&key; /* must be overwritten */
    QemuRecoveryAction action;

    cell_to_key(c, &key);
    action = qemu_recovery_lookup(&key, &rule);
    g_assert_cmpstr(qemu_recovery_action_to_string(action), ==, c->action);
    if (key.destroy || key.job == DOMAIN_ASYNC_JOB_NONE) {
        g_assert_null(rule);
    } else {
        g_assert_nonnull(rule);
        g_assert_cmpint(rule->action, ==, action);
        g_assert_cmpint(rule->job, ==, key.job);
    }
    /* The lookup without the row gives the same answer. */
    g_assert_cmpint(qemu_recovery_lookup(&key, NULL), ==, action);
}

/* A migration status qvirt does not know (a newer QEMU) matches only the
 * rows that take any status. */
static void
test_unknown_status(void)
{
    QemuRecoveryKey key = {0};

    key.job = DOMAIN_ASYNC_JOB_MIGRATION_OUT;
    key.phase = QEMU_MIGRATION_PHASE_PERFORM3_DONE;
    key.mig = QEMU_MONITOR_MIGRATION_STATUS_LAST;
    g_assert_cmpint(qemu_recovery_lookup(&key, NULL), ==, QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME);
    key.mig = (QemuMonitorMigrationStatus)-1;
    g_assert_cmpint(qemu_recovery_lookup(&key, NULL), ==, QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME);
    /* A phase number no row names falls to the catch-all. */
    key.phase = 99;
    g_assert_cmpint(qemu_recovery_lookup(&key, NULL), ==, QEMU_RECOVERY_ACTION_DROP_JOB);
    key.job = DOMAIN_ASYNC_JOB_MIGRATION_IN;
    g_assert_cmpint(qemu_recovery_lookup(&key, NULL), ==, QEMU_RECOVERY_ACTION_KILL_INCOMING);
}

static void
test_action_names(void)
{
    for (int i = 0; i < QEMU_RECOVERY_ACTION_LAST; i++) {
        const char *name = qemu_recovery_action_to_string(i);

        g_assert_nonnull(name);
        g_assert_cmpint(qemu_recovery_action_from_string(name), ==, i);
        g_assert_nonnull(qemu_recovery_action_describe(i));
    }
    g_assert_null(qemu_recovery_action_to_string(QEMU_RECOVERY_ACTION_LAST));
    g_assert_null(qemu_recovery_action_to_string(-1));
    g_assert_null(qemu_recovery_action_describe(QEMU_RECOVERY_ACTION_LAST));
    g_assert_cmpint(qemu_recovery_action_from_string("cancel"), ==, -1);
    g_assert_cmpint(qemu_recovery_action_from_string(""), ==, -1);
}

/* Every action but NONE and FINISH_DESTROY (outside the table) is used by
 * a row, and each job's rows end with a catch-all. */
static void
test_table_shape(void)
{
    size_t n = 0;
    const QemuRecoveryRule *table = qemu_recovery_table(&n);
    gboolean used[QEMU_RECOVERY_ACTION_LAST] = {FALSE};

    g_assert_cmpuint(n, >, 0);
    for (size_t i = 0; i < n; i++)
        used[table[i].action] = TRUE;
    for (int a = 0; a < QEMU_RECOVERY_ACTION_LAST; a++)
        g_assert_true(used[a] ==
                      (a != QEMU_RECOVERY_ACTION_NONE && a != QEMU_RECOVERY_ACTION_FINISH_DESTROY));
    for (int job = DOMAIN_ASYNC_JOB_NONE + 1; job < DOMAIN_ASYNC_JOB_LAST; job++) {
        QemuRecoveryKey key = {.job = job, .phase = 12345};
        const QemuRecoveryRule *rule = NULL;

        for (int running = 0; running < 2; running++) {
            key.running = running;
            qemu_recovery_lookup(&key, &rule);
            g_assert_nonnull(rule);
            g_assert_cmpint(rule->phase, ==, QEMU_RECOVERY_PHASE_ANY);
        }
    }
}

/* ---- docs/recovery.md ---- */

static char *
rule_mig_text(unsigned int mig)
{
    if (mig == QEMU_RECOVERY_MIG_ANY)
        return g_strdup("any");
    if (mig == QEMU_RECOVERY_MIG_POSTCOPY)
        return g_strdup("postcopy");
    if (mig == QEMU_RECOVERY_MIG_COMPLETED)
        return g_strdup("completed");
    return g_strdup_printf("0x%x", mig); /* a set the doc has no word for: a mismatch */
}

static const char *
rule_postcopy_text(QemuRecoveryPostcopy postcopy)
{
    switch (postcopy) {
    case QEMU_RECOVERY_POSTCOPY_ALLOWED:
        return "yes";
    case QEMU_RECOVERY_POSTCOPY_NOT_ALLOWED:
        return "no";
    case QEMU_RECOVERY_POSTCOPY_ANY:
    default:
        return "any";
    }
}

static const char *
rule_run_text(QemuRecoveryRun run)
{
    switch (run) {
    case QEMU_RECOVERY_RUN_RUNNING:
        return "running";
    case QEMU_RECOVERY_RUN_PAUSED:
        return "paused";
    case QEMU_RECOVERY_RUN_ANY:
    default:
        return "any";
    }
}

/* The rows of the markdown table in TEXT ("| 1 | ... |" lines), each a
 * NULL-terminated array of the trimmed cells. */
static GPtrArray *
doc_rows(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) cells = NULL;
        GPtrArray *row;
        const char *line = lines[i];

        if (line[0] != '|' || !g_ascii_isdigit(line[strspn(line, "| ")]))
            continue;
        cells = g_strsplit(line, "|", -1);
        row = g_ptr_array_new();
        /* Skip the empty cell before the first bar and after the last. */
        for (size_t j = 1; cells[j] && cells[j + 1]; j++)
            g_ptr_array_add(row, g_strdup(g_strstrip(cells[j])));
        g_ptr_array_add(row, NULL);
        g_ptr_array_add(rows, g_ptr_array_free(row, FALSE));
    }
    return rows;
}

/* Compare the table of the doc TEXT with the code's: NULL when they agree,
 * else the first difference (new string). */
static char *
doc_compare(const char *text)
{
    g_autoptr(GPtrArray) rows = doc_rows(text);
    size_t n = 0;
    const QemuRecoveryRule *table = qemu_recovery_table(&n);

    if (rows->len != n)
        return g_strdup_printf("the doc has %u rows, the code %zu", rows->len, n);
    for (size_t i = 0; i < n; i++) {
        const QemuRecoveryRule *r = &table[i];
        GStrv cells = g_ptr_array_index(rows, i);
        g_autofree char *num = g_strdup_printf("%zu", i + 1);
        g_autofree char *mig = rule_mig_text(r->mig);
        const char *phase = r->phase == QEMU_RECOVERY_PHASE_ANY
                                ? "any"
                                : domain_job_phase_to_string(r->job, r->phase);
        const char *want[] = {num,
                              domain_async_job_to_string(r->job),
                              phase,
                              rule_run_text(r->run),
                              mig,
                              rule_postcopy_text(r->postcopy),
                              qemu_recovery_action_to_string(r->action),
                              NULL};

        if (g_strv_length(cells) != G_N_ELEMENTS(want) - 1)
            return g_strdup_printf("row %zu has %u cells, expected %zu", i + 1,
                                   g_strv_length(cells), G_N_ELEMENTS(want) - 1);
        for (size_t j = 0; want[j]; j++) {
            if (g_strcmp0(cells[j], want[j]) != 0)
                return g_strdup_printf("row %zu, column %zu: the doc says '%s', the code '%s'",
                                       i + 1, j + 1, cells[j], want[j]);
        }
    }
    return NULL;
}

static void
test_doc_table(void)
{
    g_autofree char *path = qvirt_test_srcpath("../docs/recovery.md");
    g_autofree char *text = NULL;
    g_autofree char *diff = NULL;
    g_autofree char *edited = NULL;
    g_autofree char *diff2 = NULL;
    char *p;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    diff = doc_compare(text);
    if (diff)
        g_error("%s and src/qemu/qemu_recovery.c disagree: %s", path, diff);

    /* The check can fail: one changed action, and one row missing. */
    edited = g_strdup(text);
    p = strstr(edited, "| stop-source-migrated |");
    g_assert_nonnull(p);
    memcpy(p + 2, "drop-job            ", strlen("stop-source-migrated"));
    diff2 = doc_compare(edited);
    g_assert_nonnull(diff2);
    g_assert_nonnull(strstr(diff2, "row 9, column 7"));
    g_clear_pointer(&diff2, g_free);
    p = strstr(edited, "| 28 |");
    g_assert_nonnull(p);
    *p = '\0';
    diff2 = doc_compare(edited);
    g_assert_nonnull(diff2);
    g_assert_nonnull(strstr(diff2, "27 rows"));
}

/* ---- the actions against the fake QEMU ---- */

typedef struct {
    QemuDriver driver;
    DomainObj *vm; /* a reference */
    QemuMonitorTest *server;
    QvirtEventLoop *loop;
    GArray *events; /* of QemuDriverEvent copies (type, detail) */
    guint saves;
} Fix;

static void
fix_record_event(const QemuDriverEvent *event, gpointer opaque)
{
    Fix *f = opaque;

    if (event->event_id == QV_DOMAIN_EVENT_ID_LIFECYCLE)
        g_array_append_val(f->events, *event);
}

static int
fix_save(DomainObj *vm, gpointer opaque)
{
    Fix *f = opaque;

    (void)vm;
    f->saves++;
    return 0;
}

/* A running domain whose status file held JOB_XML (a <job> element), as
 * reconnect leaves it: the job active without an owner. STATE/REASON is
 * what reconnect reconciled. */
static Fix *
fix_new(const char *job_xml, int state, int reason)
{
    Fix *f = g_new0(Fix, 1);
    DomainDef *def = domain_def_new();
    DomainJobCallbacks cb = {.save_status = fix_save};
    g_autoptr(xmlDoc) doc = NULL;

    def->name = g_strdup("vm1");
    def->id = 3;
    f->events = g_array_new(FALSE, TRUE, sizeof(QemuDriverEvent));
    f->driver.event_func = fix_record_event;
    f->driver.event_opaque = f;
    f->vm = domain_obj_new(def);
    f->vm->pid = 1;
    f->vm->persistent = TRUE;
    domain_obj_set_state(f->vm, state, reason);
    qemu_domain_private_init(&f->driver, f->vm);
    qemu_domain_job_set_callbacks(&cb);
    domain_job_obj_set_callbacks(f->vm->job, &cb, f);

    doc = xmlReadMemory(job_xml, strlen(job_xml), "status.xml", NULL, XML_PARSE_NONET);
    g_assert_nonnull(doc);
    g_assert_cmpint(domain_job_parse_status(f->vm->job, xmlDocGetRootElement(doc), "status.xml"),
                    ==, 0);
    g_assert_false(domain_job_async_has_owner(f->vm->job));

    f->loop = qvirt_event_loop_new("recovery-loop");
    f->server = qemu_monitor_test_new(QEMU_MONITOR_PROTOCOL_QMP);
    return f;
}

static void
fix_connect(Fix *f)
{
    qemu_domain_obj_private(f->vm)->mon = qemu_monitor_test_open(f->server, f->loop, NULL);
    g_assert_nonnull(qemu_domain_obj_private(f->vm)->mon);
}

static void
fix_free(Fix *f)
{
    domain_obj_unref(f->vm); /* closes the monitor */
    qemu_monitor_test_finish(f->server);
    qvirt_event_loop_free(f->loop);
    g_array_unref(f->events);
    g_free(f);
}

static void
assert_events(Fix *f, guint count, int type, int detail)
{
    g_assert_cmpuint(f->events->len, ==, count);
    if (count > 0) {
        const QemuDriverEvent *ev = &g_array_index(f->events, QemuDriverEvent, count - 1);

        g_assert_cmpint(ev->type, ==, type);
        g_assert_cmpint(ev->detail, ==, detail);
    }
}

static int
fix_apply(Fix *f, QemuRecoveryAction want, gboolean running, const char *mig)
{
    QemuRecoveryKey key = {0};
    int rc;

    domain_obj_lock(f->vm);
    key.job = domain_job_get_async(f->vm->job);
    key.phase = domain_job_get_phase(f->vm->job);
    key.running = running;
    key.mig = qemu_monitor_migration_status_from_string(mig);
    key.postcopy = (domain_job_get_async_flags(f->vm->job) & QV_MIGRATE_POSTCOPY) != 0;
    g_assert_cmpint(qemu_recovery_lookup(&key, NULL), ==, want);
    rc = qemu_recovery_apply(&f->driver, f->vm, &key, want);
    domain_obj_unlock(f->vm);
    return rc;
}

#define OK "{\"return\": {}}"

#define JOB_PERFORM3                                                                               \
    "<job type='none' async='migration out' phase='%s' flags='0x10002' "                           \
    "asyncStarted='1700000000123'>"                                                                \
    "<disk dev='vda' migrating='yes'/>"                                                            \
    "<migParams><cap name='return-path' enabled='no'/>"                                            \
    "<param name='max-bandwidth' value='134217728'/></migParams>"                                  \
    "<pausedByJob/></job>"

/* perform3, pre-copy: every piece of the migration is undone, in order. */
static void
test_apply_cancel_and_resume(void)
{
    g_autofree char *xml = g_strdup_printf(JOB_PERFORM3, "perform3");
    Fix *f = fix_new(xml, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);
    DomainJobStats stats;
    QemuMonitorTest *s = f->server;

    qemu_monitor_test_expect(s, "migrate_cancel", NULL, OK);
    qemu_monitor_test_expect(s, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"cancelling\"}}");
    qemu_monitor_test_expect(s, "query-migrate", NULL, "{\"return\": {\"status\": \"cancelled\"}}");
    /* The mirror of vda and its NBD node. */
    qemu_monitor_test_expect(s, "query-jobs", NULL,
                             "{\"return\": [{\"id\": \"qvirt-mirror-vda\", \"type\": \"mirror\", "
                             "\"status\": \"running\", \"current-progress\": 1, "
                             "\"total-progress\": 10}]}");
    qemu_monitor_test_expect(s, "query-named-block-nodes", NULL,
                             "{\"return\": [{\"node-name\": \"qvirt-migrate-vda\", \"drv\": "
                             "\"nbd\", \"file\": \"nbd://dst\", \"ro\": false}]}");
    qemu_monitor_test_expect(s, "block-job-cancel",
                             "{\"device\": \"qvirt-mirror-vda\", \"force\": true}", OK);
    qemu_monitor_test_expect(s, "query-jobs", NULL,
                             "{\"return\": [{\"id\": \"qvirt-mirror-vda\", \"type\": \"mirror\", "
                             "\"status\": \"concluded\", \"current-progress\": 1, "
                             "\"total-progress\": 10, \"error\": \"cancelled\"}]}");
    qemu_monitor_test_expect(s, "query-jobs", NULL,
                             "{\"return\": [{\"id\": \"qvirt-mirror-vda\", \"type\": \"mirror\", "
                             "\"status\": \"concluded\", \"current-progress\": 1, "
                             "\"total-progress\": 10}]}");
    qemu_monitor_test_expect(s, "query-named-block-nodes", NULL,
                             "{\"return\": [{\"node-name\": \"qvirt-migrate-vda\", \"drv\": "
                             "\"nbd\", \"file\": \"nbd://dst\", \"ro\": false}]}");
    qemu_monitor_test_expect(s, "job-dismiss", "{\"id\": \"qvirt-mirror-vda\"}", OK);
    qemu_monitor_test_expect(s, "blockdev-del", "{\"node-name\": \"qvirt-migrate-vda\"}", OK);
    /* The original parameters, then the TLS object, then the guest. */
    qemu_monitor_test_expect(s, "migrate-set-capabilities",
                             "{\"capabilities\": [{\"capability\": \"return-path\", "
                             "\"state\": false}]}",
                             OK);
    qemu_monitor_test_expect(s, "migrate-set-parameters", "{\"max-bandwidth\": 134217728}", OK);
    qemu_monitor_test_expect(s, "object-del", "{\"id\": \"qvirt-migrate-tls\"}", OK);
    qemu_monitor_test_expect(s, "cont", NULL, OK);
    fix_connect(f);

    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME, FALSE, "active"), ==, 0);

    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_RUNNING_MIGRATION_CANCELED);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_cmpint(domain_job_get_active(f->vm->job), ==, DOMAIN_JOB_NONE);
    g_assert_cmpuint(qemu_domain_job_private(f->vm)->migrating_disks->len, ==, 0);
    domain_job_get_stats(f->vm, TRUE, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_CANCELED);
    domain_obj_unlock(f->vm);
    assert_events(f, 1, QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_MIGRATED);
    g_assert_cmpuint(f->saves, >, 0);
    fix_free(f);
}

/* A failed migrate_cancel: no cont (the migration may still run), the job
 * still ends, one error is reported. */
static void
test_apply_cancel_fails(void)
{
    Fix *f = fix_new("<job type='none' async='migration out' phase='perform3' flags='0x0' "
                     "asyncStarted='1'><pausedByJob/></job>",
                     DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);

    qemu_monitor_test_expect_error(f->server, "migrate_cancel", "GenericError", "no way");
    fix_connect(f);

    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME, FALSE, "active"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "cancel migration and resume");
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_PAUSED);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(f->vm);
    assert_events(f, 0, 0, 0);
    fix_free(f);
}

/* perform3_done and QEMU completed: nothing is sent, the guest stays
 * paused, the job stays (ownerless) and says "outcome unknown". */
static void
test_apply_outcome_unknown(void)
{
    g_autofree char *xml = g_strdup_printf(JOB_PERFORM3, "perform3_done");
    Fix *f = fix_new(xml, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);
    DomainJobStats stats;
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type = -1;
    const char *errmsg = NULL;

    fix_connect(f);
    g_assert_cmpint(
        fix_apply(f, QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN, FALSE, "completed"), ==, 0);

    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_PAUSED);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_PAUSED_MIGRATION);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_cmpint(domain_job_get_phase(f->vm->job), ==, QEMU_MIGRATION_PHASE_PERFORM3_DONE);
    g_assert_false(domain_job_async_has_owner(f->vm->job));
    domain_job_get_stats(f->vm, FALSE, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_HYPERVISOR_COMPLETED);
    g_assert_true(g_str_has_prefix(stats.error_message, "outcome unknown:"));
    /* domjobinfo: an unbounded job with the message. */
    qv_job_stats_to_params(&stats, &type, &params, &nparams);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_UNBOUNDED);
    g_assert_cmpint(qv_typed_params_get_string(params, nparams, "errmsg", &errmsg), ==, 1);
    g_assert_cmpstr(errmsg, ==, QEMU_RECOVERY_OUTCOME_UNKNOWN_MSG);
    qv_typed_params_free(params, nparams);
    /* The operator can resume (a suspend job) while it stays. */
    g_assert_true(domain_job_get_mask(f->vm->job) & DOMAIN_JOB_MASK(DOMAIN_JOB_SUSPEND));
    /* The mirrors were not touched: they still are the job's. */
    g_assert_cmpuint(qemu_domain_job_private(f->vm)->migrating_disks->len, ==, 1);
    g_assert_true(qemu_recovery_is_outcome_unknown(f->vm));
    /* Client-driven (no <peer> recorded): there is no peer to ask. */
    g_assert_null(qemu_domain_job_private(f->vm)->peer_uri);
    g_assert_false(qemu_recovery_ask_peer(&f->driver, f->vm));
    domain_obj_unlock(f->vm);
    assert_events(f, 0, 0, 0);

    /* domjobabort gives the migration up: the job ends, the guest stays
     * paused for the operator; a second abort finds no job. */
    g_assert_cmpint(qemu_migration_abort(&f->driver, f->vm, 0), ==, 0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_PAUSED);
    domain_job_get_stats(f->vm, TRUE, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_FAILED);
    g_assert_nonnull(strstr(stats.error_message, "abandoned"));
    g_assert_false(qemu_recovery_is_outcome_unknown(f->vm));
    g_assert_false(qemu_recovery_abandon_outcome_unknown(&f->driver, f->vm));
    domain_obj_unlock(f->vm);
    g_assert_cmpint(qemu_migration_abort(&f->driver, f->vm, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "no job");
    fix_free(f);
}

/* perform3_done, QEMU completed but running (the operator resumed an
 * "outcome unknown" guest): nothing is sent, the job ends. */
static void
test_apply_resumed_source(void)
{
    g_autofree char *xml = g_strdup_printf(JOB_PERFORM3, "perform3_done");
    Fix *f = fix_new(xml, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    DomainJobStats stats;

    fix_connect(f);
    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_KEEP_AND_END_JOB, TRUE, "completed"), ==, 0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_RUNNING_UNPAUSED);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_job_get_stats(f->vm, TRUE, &stats);
    g_assert_cmpint(stats.status, ==, DOMAIN_JOB_STATUS_CANCELED);
    domain_obj_unlock(f->vm);
    assert_events(f, 0, 0, 0);
    fix_free(f);
}

/* confirm3_cancelled: no migrate_cancel; parameters restored, resumed. */
static void
test_apply_resume(void)
{
    Fix *f = fix_new("<job type='none' async='migration out' phase='confirm3_cancelled' "
                     "flags='0x0' asyncStarted='1'><migParams>"
                     "<param name='downtime-limit' value='300'/></migParams>"
                     "<pausedByJob/></job>",
                     DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);

    qemu_monitor_test_expect(f->server, "migrate-set-parameters", "{\"downtime-limit\": 300}", OK);
    qemu_monitor_test_expect(f->server, "cont", NULL, OK);
    fix_connect(f);

    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_RESUME, FALSE, "failed"), ==, 0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_RUNNING_MIGRATION_CANCELED);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(f->vm);
    assert_events(f, 1, QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_MIGRATED);
    fix_free(f);
}

/* The guest was paused by the user, not by the job: it stays paused. */
static void
test_apply_resume_user_paused(void)
{
    Fix *f = fix_new("<job type='none' async='migration out' phase='confirm3_cancelled' "
                     "flags='0x0' asyncStarted='1'/>",
                     DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);

    fix_connect(f);
    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_RESUME, FALSE, "cancelled"), ==, 0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_PAUSED);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_PAUSED_USER);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(f->vm);
    assert_events(f, 0, 0, 0);
    fix_free(f);
}

static void
test_apply_drop(void)
{
    Fix *f = fix_new("<job type='none' async='migration out' phase='begin3' flags='0x0' "
                     "asyncStarted='1'/>",
                     DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);

    fix_connect(f);
    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_DROP_JOB, TRUE, "none"), ==, 0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(f->vm);
    assert_events(f, 0, 0, 0);
    fix_free(f);
}

/* Post-copy: nothing is sent; phase postcopy_failed, job kept. */
static void
test_apply_postcopy(void)
{
    Fix *f = fix_new("<job type='none' async='migration out' phase='perform3' flags='0x0' "
                     "asyncStarted='1'/>",
                     DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_POSTCOPY);

    fix_connect(f);
    g_assert_cmpint(
        fix_apply(f, QEMU_RECOVERY_ACTION_KEEP_POSTCOPY_FAILED, FALSE, "postcopy-active"), ==, 0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_PAUSED);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_PAUSED_POSTCOPY_FAILED);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_cmpint(domain_job_get_phase(f->vm->job), ==, QEMU_MIGRATION_PHASE_POSTCOPY_FAILED);
    g_assert_false(domain_job_async_has_owner(f->vm->job));
    domain_job_discard_async(f->vm);
    domain_obj_unlock(f->vm);
    fix_free(f);
}

/* finish3 with the vCPUs running: kept, running/migrated, job ended. */
static void
test_apply_keep_incoming(void)
{
    Fix *f = fix_new("<job type='none' async='migration in' phase='finish3' flags='0x8000' "
                     "asyncStarted='1'/>",
                     DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);

    fix_connect(f);
    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_KEEP_AND_END_JOB, TRUE, "completed"), ==, 0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_RUNNING_MIGRATED);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(f->vm);
    fix_free(f);
}

/* A save: migrate_cancel, wait, cont with save-canceled. */
static void
test_apply_cancel_save(void)
{
    Fix *f = fix_new("<job type='none' async='save' phase='none' flags='0x0' asyncStarted='1'>"
                     "<pausedByJob/></job>",
                     DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_SAVE);

    qemu_monitor_test_expect(f->server, "migrate_cancel", NULL, OK);
    qemu_monitor_test_expect(f->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"cancelled\"}}");
    qemu_monitor_test_expect(f->server, "cont", NULL, OK);
    fix_connect(f);

    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_CANCEL_SAVE_AND_RESUME, FALSE, "active"), ==,
                    0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_RUNNING_SAVE_CANCELED);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(f->vm);
    assert_events(f, 1, QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_UNPAUSED);
    fix_free(f);
}

/* A dump cannot be cancelled: query-dump until it is over, then cont. */
static void
test_apply_dump(void)
{
    Fix *f = fix_new("<job type='none' async='dump' phase='none' flags='0x0' asyncStarted='1'/>",
                     DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_DUMP);

    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"active\", \"completed\": 1, "
                             "\"total\": 4}}");
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"completed\", \"completed\": 4, "
                             "\"total\": 4}}");
    qemu_monitor_test_expect(f->server, "cont", NULL, OK);
    fix_connect(f);

    g_assert_cmpint(fix_apply(f, QEMU_RECOVERY_ACTION_WAIT_DUMP_AND_RESUME, FALSE, "none"), ==, 0);
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_RUNNING_SAVE_CANCELED);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(f->vm);
    fix_free(f);
}

/* qemu_recovery_run(): the queries come first, the right row is applied. */
static void
test_run(void)
{
    g_autofree char *xml = g_strdup_printf(JOB_PERFORM3, "perform3_done");
    Fix *f = fix_new(xml, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION);

    qemu_monitor_test_expect(f->server, "query-status", NULL,
                             "{\"return\": {\"running\": false, \"singlestep\": false, "
                             "\"status\": \"postmigrate\"}}");
    qemu_monitor_test_expect(f->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"completed\"}}");
    fix_connect(f);

    domain_obj_lock(f->vm);
    qemu_recovery_run(&f->driver, f->vm);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_PAUSED);
    domain_job_discard_async(f->vm);
    /* Without a job, nothing is asked. */
    qemu_recovery_run(&f->driver, f->vm);
    domain_obj_unlock(f->vm);
    fix_free(f);
}

/* A query that fails: the job is kept, nothing else is sent. */
static void
test_run_query_fails(void)
{
    Fix *f = fix_new("<job type='none' async='migration out' phase='perform3' flags='0x0' "
                     "asyncStarted='1'/>",
                     DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);

    qemu_monitor_test_expect_error(f->server, "query-status", "GenericError", "broken");
    fix_connect(f);

    domain_obj_lock(f->vm);
    qemu_recovery_run(&f->driver, f->vm);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_cmpint(domain_job_get_phase(f->vm->job), ==, QEMU_MIGRATION_PHASE_PERFORM3);
    domain_job_discard_async(f->vm);
    domain_obj_unlock(f->vm);
    fix_free(f);
}

/* ---- the p2p peer's answer to an "outcome unknown" source ---- */

typedef struct {
    QemuRecoveryPeerAnswer answer;
    int state;
    int reason;
    QemuRecoveryAction action; /* expected */
} PeerCell;

static const PeerCell peer_cells[] = {
    /* could not ask: keep it */
    {QEMU_RECOVERY_PEER_UNREACHABLE, DOMAIN_STATE_NOSTATE, 0,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    /* a bogus state with an unreachable peer still keeps it */
    {QEMU_RECOVERY_PEER_UNREACHABLE, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_MIGRATED,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    /* failed */
    {QEMU_RECOVERY_PEER_ABSENT, DOMAIN_STATE_NOSTATE, 0, QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_FAILED,
     QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED,
     QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME},
    /* succeeded */
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_MIGRATED,
     QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED,
     QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER,
     QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_IOERROR,
     QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED},
    /* still in the incoming migration, or another state: ambiguous */
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_MIGRATION,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_STARTING_UP,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_POSTCOPY,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_POSTCOPY_FAILED,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_CRASHED, 0,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    {QEMU_RECOVERY_PEER_FOUND, DOMAIN_STATE_NOSTATE, 0,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    /* bad input: out-of-range state or answer */
    {QEMU_RECOVERY_PEER_FOUND, 99, 0, QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    {QEMU_RECOVERY_PEER_FOUND, -1, 0, QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
    {(QemuRecoveryPeerAnswer)42, DOMAIN_STATE_RUNNING, 0,
     QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN},
};

static void
test_peer_decide(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(peer_cells); i++) {
        const PeerCell *c = &peer_cells[i];
        const char *why = NULL;
        QemuRecoveryAction got = qemu_recovery_peer_decide(c->answer, c->state, c->reason, &why);

        g_test_message("peer answer %d, state %d, reason %d: %s (%s)", (int)c->answer, c->state,
                       c->reason, qemu_recovery_action_to_string(got), why ? why : "-");
        g_assert_cmpstr(qemu_recovery_action_to_string(got), ==,
                        qemu_recovery_action_to_string(c->action));
        g_assert_nonnull(why);
        g_assert_cmpstr(why, !=, "");
        /* RET_WHY is optional */
        g_assert_cmpint(qemu_recovery_peer_decide(c->answer, c->state, c->reason, NULL), ==,
                        c->action);
    }
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    qemu_migration_register_phases();

    for (size_t i = 0; i < G_N_ELEMENTS(table_cells); i++) {
        const Cell *c = &table_cells[i];
        g_autofree char *job = g_strdelimit(g_strdup(c->job), " ", '-');
        g_autofree char *name = g_strdup_printf("/qemurecovery/cell/%s/%s/%s/%s%s", job, c->phase,
                                                c->running ? "running" : "paused", c->mig,
                                                c->postcopy ? "/postcopy-allowed" : "");

        g_test_add_data_func(name, c, test_cell);
    }
    g_test_add_func("/qemurecovery/lookup/unknown-status", test_unknown_status);
    g_test_add_func("/qemurecovery/lookup/action-names", test_action_names);
    g_test_add_func("/qemurecovery/lookup/table-shape", test_table_shape);
    g_test_add_func("/qemurecovery/doc/table", test_doc_table);
    g_test_add_func("/qemurecovery/apply/cancel-and-resume", test_apply_cancel_and_resume);
    g_test_add_func("/qemurecovery/apply/cancel-fails", test_apply_cancel_fails);
    g_test_add_func("/qemurecovery/apply/outcome-unknown", test_apply_outcome_unknown);
    g_test_add_func("/qemurecovery/apply/resumed-source", test_apply_resumed_source);
    g_test_add_func("/qemurecovery/apply/resume", test_apply_resume);
    g_test_add_func("/qemurecovery/apply/resume-user-paused", test_apply_resume_user_paused);
    g_test_add_func("/qemurecovery/apply/drop", test_apply_drop);
    g_test_add_func("/qemurecovery/apply/postcopy", test_apply_postcopy);
    g_test_add_func("/qemurecovery/apply/keep-incoming", test_apply_keep_incoming);
    g_test_add_func("/qemurecovery/apply/cancel-save", test_apply_cancel_save);
    g_test_add_func("/qemurecovery/apply/dump", test_apply_dump);
    g_test_add_func("/qemurecovery/run/outcome-unknown", test_run);
    g_test_add_func("/qemurecovery/run/query-fails", test_run_query_fails);
    g_test_add_func("/qemurecovery/peer/decide", test_peer_decide);
    return g_test_run();
}

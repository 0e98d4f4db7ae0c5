/* test-domain.c: the Enter/Exit wrappers of qemu_domain.h with a fake QEMU:
 * the domain's mutex is dropped while a command runs, nested jobs around
 * commands of an async job, a domain that dies while a caller waits, and
 * the assertion against monitor calls made without a job. */
#include <config.h>

#include <pthread.h>
#include <string.h>

#include "conf/domain_job.h"
#include "fixture.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_monitor_json.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

#define STATUS_RUNNING                                                                             \
    "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}}"

typedef struct {
    MonFixture *f;
    DomainObj *vm;
} DomFixture;

static DomFixture *
dom_fixture_new(void)
{
    DomFixture *d = g_new0(DomFixture, 1);
    DomainDef *def = domain_def_new();

    def->name = g_strdup("dom1");
    def->id = 1;
    d->vm = domain_obj_new(def);
    d->vm->pid = 1;
    qemu_domain_obj_init_private(d->vm);
    d->f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    return d;
}

/* After the script is set: connect and hand the monitor to the domain. */
static void
dom_fixture_connect(DomFixture *d)
{
    mon_fixture_connect(d->f, 0);
    qemu_domain_obj_private(d->vm)->mon = g_steal_pointer(&d->f->mon);
}

static void
dom_fixture_finish(DomFixture *d)
{
    domain_obj_unref(d->vm); /* closes the monitor */
    mon_fixture_finish(d->f);
    g_free(d);
}

/* The fake QEMU's handler runs while the command is in flight: the domain's
 * mutex must be free then. */
static char *
check_unlocked(const char *cmd, QvirtJson *args, gpointer opaque)
{
    DomainObj *vm = opaque;

    if (pthread_mutex_trylock(&vm->lock.lock) != 0)
        return g_strdup("{\"error\": {\"class\": \"GenericError\", \"desc\": \"locked\"}}");
    pthread_mutex_unlock(&vm->lock.lock);
    return g_strdup(STATUS_RUNNING);
}

static void
test_domain_enter_exit(void)
{
    DomFixture *d = dom_fixture_new();
    QemuMonitor *mon;
    bool running = false;

    qemu_monitor_test_expect_func(d->f->server, "query-status", check_unlocked, d->vm);
    dom_fixture_connect(d);

    domain_obj_lock(d->vm);
    g_assert_cmpint(domain_job_begin(d->vm, DOMAIN_JOB_QUERY), ==, 0);
    mon = qemu_domain_obj_enter_monitor(d->vm);
    g_assert_nonnull(mon);
    g_assert_cmpint(qemu_monitor_json_query_status(mon, &running, NULL), ==, 0);
    qemu_domain_obj_exit_monitor(d->vm);
    g_assert_true(running);
    g_assert_null(qemu_domain_obj_private(d->vm)->entered);
    domain_job_end(d->vm);
    domain_obj_unlock(d->vm);
    dom_fixture_finish(d);
}

static void
test_domain_enter_not_running(void)
{
    DomFixture *d = dom_fixture_new();

    dom_fixture_connect(d);
    domain_obj_lock(d->vm);
    g_assert_cmpint(domain_job_begin(d->vm, DOMAIN_JOB_MODIFY), ==, 0);
    d->vm->def->id = -1; /* the domain stopped */
    g_assert_null(qemu_domain_obj_enter_monitor(d->vm));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "domain 'dom1' is no longer running");
    domain_job_end(d->vm);
    domain_obj_unlock(d->vm);
    dom_fixture_finish(d);
}

static void
test_domain_enter_async(void)
{
    DomFixture *d = dom_fixture_new();
    QemuMonitor *mon;
    QemuMonitorDumpStats stats = {0};

    qemu_monitor_test_expect(d->f->server, "dump-guest-memory", NULL, NULL);
    qemu_monitor_test_expect(d->f->server, "query-dump", NULL,
                             "{\"return\": {\"total\": 10, \"status\": \"active\", "
                             "\"completed\": 5}}");
    dom_fixture_connect(d);

    domain_obj_lock(d->vm);
    g_assert_cmpint(
        domain_job_begin_async(d->vm, DOMAIN_ASYNC_JOB_DUMP, DOMAIN_JOB_OPERATION_DUMP, 0), ==, 0);
    mon = qemu_domain_obj_enter_monitor_async(d->vm, DOMAIN_ASYNC_JOB_DUMP);
    g_assert_nonnull(mon);
    g_assert_cmpint(qemu_monitor_json_dump_guest_memory(mon, "fd:dump", NULL, false), ==, 0);
    qemu_domain_obj_exit_monitor(d->vm);
    g_assert_cmpint(domain_job_get_active(d->vm->job), ==, DOMAIN_JOB_NONE);

    mon = qemu_domain_obj_enter_monitor_async(d->vm, DOMAIN_ASYNC_JOB_DUMP);
    g_assert_nonnull(mon);
    g_assert_cmpint(domain_job_get_active(d->vm->job), ==, DOMAIN_JOB_ASYNC_NESTED);
    g_assert_cmpint(qemu_monitor_json_query_dump(mon, &stats), ==, 0);
    qemu_domain_obj_exit_monitor(d->vm);
    g_assert_cmpint(domain_job_get_active(d->vm->job), ==, DOMAIN_JOB_NONE);
    g_assert_cmpuint(stats.completed, ==, 5);
    qemu_monitor_dump_stats_clear(&stats);

    /* The wrong async job type is refused, and no nested job is left. */
    g_assert_null(qemu_domain_obj_enter_monitor_async(d->vm, DOMAIN_ASYNC_JOB_SAVE));
    g_assert_cmpint(domain_job_get_active(d->vm->job), ==, DOMAIN_JOB_NONE);
    domain_job_end_async(d->vm);
    domain_obj_unlock(d->vm);
    dom_fixture_finish(d);
}

/* A thread holding a normal job while the async job's thread waits to
 * enter; the domain dies meanwhile. */
typedef struct {
    DomainObj *vm;
    QvirtMutex lock;
    QvirtCond cond;
    gboolean has_job;
} Killer;

static gpointer
killer_thread(gpointer data)
{
    Killer *k = data;
    QemuDomainObjPrivate *priv = qemu_domain_obj_private(k->vm);

    domain_obj_lock(k->vm);
    g_assert_cmpint(domain_job_begin(k->vm, DOMAIN_JOB_DESTROY), ==, 0);
    qvirt_mutex_lock(&k->lock);
    k->has_job = TRUE;
    qvirt_cond_broadcast(&k->cond);
    qvirt_mutex_unlock(&k->lock);

    /* Wait until the other thread queues for the nested job. A short poll:
     * the job code offers no event for "someone started waiting". */
    while (domain_job_get_queued(k->vm->job) == 0) {
        domain_obj_unlock(k->vm);
        g_usleep(1000);
        domain_obj_lock(k->vm);
    }
    k->vm->def->id = -1;
    qemu_monitor_close(g_steal_pointer(&priv->mon));
    domain_job_end(k->vm);
    domain_job_wake_all(k->vm);
    domain_obj_unlock(k->vm);
    return NULL;
}

static void
test_domain_died_while_waiting(void)
{
    DomFixture *d = dom_fixture_new();
    Killer k = {.vm = d->vm};
    gint64 deadline = qvirt_deadline_after_ms(10000);
    GThread *t;

    qvirt_mutex_init(&k.lock);
    qvirt_cond_init(&k.cond);
    dom_fixture_connect(d);
    domain_obj_lock(d->vm);
    g_assert_cmpint(
        domain_job_begin_async(d->vm, DOMAIN_ASYNC_JOB_DUMP, DOMAIN_JOB_OPERATION_DUMP, 0), ==, 0);
    domain_obj_unlock(d->vm);

    t = g_thread_new("killer", killer_thread, &k);
    qvirt_mutex_lock(&k.lock);
    while (!k.has_job && qvirt_cond_wait_until(&k.cond, &k.lock, deadline))
        ;
    g_assert_true(k.has_job);
    qvirt_mutex_unlock(&k.lock);

    domain_obj_lock(d->vm);
    g_assert_null(qemu_domain_obj_enter_monitor_async(d->vm, DOMAIN_ASYNC_JOB_DUMP));
    g_assert_cmpint(qvirt_error_last_code(), !=, QVIRT_ERR_OK);
    g_assert_cmpint(domain_job_get_active(d->vm->job), ==, DOMAIN_JOB_NONE);
    domain_job_end_async(d->vm);
    domain_obj_unlock(d->vm);
    g_thread_join(t);
    qvirt_cond_clear(&k.cond);
    qvirt_mutex_clear(&k.lock);
    dom_fixture_finish(d);
}

/* QEMU goes away in the middle of a command: the caller gets the error and
 * leaves the monitor normally. */
static void
test_domain_eof_inside(void)
{
    DomFixture *d = dom_fixture_new();
    QemuMonitor *mon;
    bool running;

    qemu_monitor_test_expect_no_reply(d->f->server, "query-status");
    qemu_monitor_test_add_eof(d->f->server);
    dom_fixture_connect(d);
    domain_obj_lock(d->vm);
    g_assert_cmpint(domain_job_begin(d->vm, DOMAIN_JOB_QUERY), ==, 0);
    mon = qemu_domain_obj_enter_monitor(d->vm);
    g_assert_cmpint(qemu_monitor_json_query_status(mon, &running, NULL), ==, -1);
    qemu_domain_obj_exit_monitor(d->vm);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "no longer running");
    domain_job_end(d->vm);
    domain_obj_unlock(d->vm);
    dom_fixture_finish(d);
}

/* A monitor call without a job is caught by an assertion. */
static void
test_domain_no_job_asserts(void)
{
    if (g_test_subprocess()) {
        DomFixture *d = dom_fixture_new();

        dom_fixture_connect(d);
        domain_obj_lock(d->vm);
        qemu_domain_obj_enter_monitor(d->vm);
        return;
    }
    {
        /* The child dies with its fixture's folder in place: give it a
         * temporary folder of ours to make it in, and remove that. */
        g_autofree char *tmp = qvirt_test_mkdtemp();
        g_autofree char *old_tmp = g_strdup(g_getenv("TMPDIR"));

        g_setenv("TMPDIR", tmp, TRUE);
        g_test_trap_subprocess(NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
        if (old_tmp)
            g_setenv("TMPDIR", old_tmp, TRUE);
        else
            g_unsetenv("TMPDIR");
        qvirt_test_rmtree(tmp);
    }
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*DOMAIN_JOB_NONE*");
}

void
test_domain_register(void)
{
    g_test_add_func("/qemumonitor/domain/enter-exit", test_domain_enter_exit);
    g_test_add_func("/qemumonitor/domain/enter-not-running", test_domain_enter_not_running);
    g_test_add_func("/qemumonitor/domain/enter-async", test_domain_enter_async);
    g_test_add_func("/qemumonitor/domain/died-while-waiting", test_domain_died_while_waiting);
    g_test_add_func("/qemumonitor/domain/eof-inside", test_domain_eof_inside);
    g_test_add_func("/qemumonitor/domain/no-job-asserts", test_domain_no_job_asserts);
}

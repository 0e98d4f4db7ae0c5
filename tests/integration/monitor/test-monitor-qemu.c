/* test-monitor-qemu.c: the monitor against the installed QEMU (TCG,
 * "-machine none"): QMP and HMP commands and events, descriptor passing,
 * the Enter/Exit wrappers, the capability probe and its cache, and QEMU
 * killed while commands wait: every waiter must get an error quickly, none
 * may hang.
 *
 * Every QEMU started here (testqemu.h) is killed by its pid in the
 * fixture's teardown; should an assertion abort the test, a signal handler
 * kills them too. */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "qemu/qemu_capabilities_priv.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_monitor_text.h"
#include "testqemu.h"
#include "testutil.h"
#include "util/error.h"
#include "util/process.h"
#include "util/threads.h"

/* Hang guard for a waiter after QEMU was killed (the bound). */
#define KILL_GUARD_MS 1000
/* Hang guard for anything else that waits here. */
#define WAIT_MS 20000

static char *qemu_binary;

typedef struct {
    char *dir;
    QvirtEventLoop *loop;
    QvirtProcess *proc;
    QemuMonitor *qmp;
    QemuMonitor *hmp;

    QvirtMutex lock;
    QvirtCond cond;
    GPtrArray *events; /* event names */
    int eofs;
} QemuFixture;

static void
fixture_event(QemuMonitor *mon, const QemuMonitorEvent *event, gpointer opaque)
{
    QemuFixture *fx = opaque;

    qvirt_mutex_lock(&fx->lock);
    g_ptr_array_add(fx->events, g_strdup(event->name));
    qvirt_cond_broadcast(&fx->cond);
    qvirt_mutex_unlock(&fx->lock);
}

static void
fixture_eof(QemuMonitor *mon, gpointer opaque)
{
    QemuFixture *fx = opaque;

    qvirt_mutex_lock(&fx->lock);
    fx->eofs++;
    qvirt_cond_broadcast(&fx->cond);
    qvirt_mutex_unlock(&fx->lock);
}

static const QemuMonitorCallbacks fixture_callbacks = {
    .event = fixture_event,
    .eof = fixture_eof,
};

static void
fixture_setup(QemuFixture *fx, gconstpointer data)
{
    g_autofree char *qmp_path = NULL;
    g_autofree char *hmp_path = NULL;
    g_autoptr(QvirtCommand) cmd = NULL;
    QemuMonitorConfig qmp_config = {
        .protocol = QEMU_MONITOR_PROTOCOL_QMP,
        .domain_name = "real",
        .callbacks = &fixture_callbacks,
        .opaque = fx,
    };
    QemuMonitorConfig hmp_config = {
        .protocol = QEMU_MONITOR_PROTOCOL_HMP,
        .domain_name = "real",
    };
    int fds[2];

    memset(fx, 0, sizeof(*fx));
    qvirt_mutex_init(&fx->lock);
    qvirt_cond_init(&fx->cond);
    fx->events = g_ptr_array_new_with_free_func(g_free);
    if (!qemu_binary)
        return;

    fx->dir = qvirt_test_mkdtemp();
    fx->loop = qvirt_event_loop_new("qemu-test");
    qmp_path = g_build_filename(fx->dir, "qmp.sock", NULL);
    hmp_path = g_build_filename(fx->dir, "hmp.sock", NULL);
    /* qvirt creates the sockets and passes them to QEMU. */
    cmd = qvirt_test_qemu_command(qemu_binary);
    qvirt_command_add_arg(cmd, "-S");
    fds[0] = qvirt_test_qemu_add_monitor(cmd, "qmp", qmp_path, TRUE);
    fds[1] = qvirt_test_qemu_add_monitor(cmd, "hmp", hmp_path, FALSE);
    fx->proc = qvirt_test_qemu_spawn(cmd, fds, G_N_ELEMENTS(fds));

    fx->hmp = qemu_monitor_open_path(fx->loop, hmp_path, &hmp_config);
    g_assert_nonnull(fx->hmp);
    fx->qmp = qvirt_test_qemu_open_qmp(fx->loop, qmp_path, &qmp_config);
}

static void
fixture_kill_qemu(QemuFixture *fx)
{
    qvirt_test_qemu_kill(&fx->proc, WAIT_MS);
}

static void
fixture_teardown(QemuFixture *fx, gconstpointer data)
{
    fixture_kill_qemu(fx);
    qemu_monitor_close(g_steal_pointer(&fx->qmp));
    qemu_monitor_close(g_steal_pointer(&fx->hmp));
    qvirt_event_loop_free(g_steal_pointer(&fx->loop));
    qvirt_test_rmtree(fx->dir);
    g_free(fx->dir);
    g_ptr_array_unref(fx->events);
    qvirt_cond_clear(&fx->cond);
    qvirt_mutex_clear(&fx->lock);
}

#define SKIP_WITHOUT_QEMU()                                                                        \
    do {                                                                                           \
        if (!qemu_binary) {                                                                        \
            g_test_skip("qemu-system-x86_64 is not installed");                                    \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Wait for event NAME (not yet consumed) and consume it. */
static gboolean
wait_event(QemuFixture *fx, const char *name)
{
    gint64 deadline = qvirt_deadline_after_ms(WAIT_MS);
    gboolean found = FALSE;

    qvirt_mutex_lock(&fx->lock);
    for (;;) {
        for (guint i = 0; i < fx->events->len && !found; i++) {
            if (strcmp(g_ptr_array_index(fx->events, i), name) == 0) {
                g_ptr_array_remove_index(fx->events, i);
                found = TRUE;
            }
        }
        if (found || !qvirt_cond_wait_until(&fx->cond, &fx->lock, deadline))
            break;
    }
    qvirt_mutex_unlock(&fx->lock);
    return found;
}

/* ---- QMP ---- */

static void
test_qmp(QemuFixture *fx, gconstpointer data)
{
    g_autoptr(QemuMonitorVersion) ver = NULL;
    g_autofree char *out = NULL;
    g_auto(GStrv) commands = NULL;
    QemuMonitorMigrationStats st = {0};
    QemuMonitorVMStatus status;
    bool running = true;
    bool present;
    bool enabled;
    int pipefd[2];

    SKIP_WITHOUT_QEMU();
    g_assert_cmpint(qemu_monitor_json_query_version(fx->qmp, &ver), ==, 0);
    g_assert_cmpint(ver->major, >=, 7);
    g_assert_cmpint(qemu_monitor_json_query_status(fx->qmp, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpint(status, ==, QEMU_MONITOR_VM_STATUS_PRELAUNCH);

    g_assert_cmpint(qemu_monitor_json_cont(fx->qmp), ==, 0);
    g_assert_true(wait_event(fx, "RESUME"));
    g_assert_cmpint(qemu_monitor_json_query_status(fx->qmp, &running, &status), ==, 0);
    g_assert_true(running);
    g_assert_cmpint(qemu_monitor_json_stop(fx->qmp), ==, 0);
    g_assert_true(wait_event(fx, "STOP"));
    g_assert_cmpint(qemu_monitor_json_query_status(fx->qmp, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpint(status, ==, QEMU_MONITOR_VM_STATUS_PAUSED);

    /* HMP through QMP. */
    g_assert_cmpint(qemu_monitor_json_human_command(fx->qmp, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: paused\n");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_json_human_command(fx->qmp, "info migrate", &out), ==, 0);
    g_assert_nonnull(strstr(out, "globals:"));
    g_clear_pointer(&out, g_free);

    g_assert_cmpint(qemu_monitor_json_query_migrate(fx->qmp, &st), ==, 0);
    g_assert_cmpint(st.status, ==, QEMU_MONITOR_MIGRATION_STATUS_NONE);
    qemu_monitor_migration_stats_clear(&st);
    g_assert_cmpint(qemu_monitor_json_query_kvm(fx->qmp, &present, &enabled), ==, 0);
    g_assert_false(enabled); /* -accel tcg */
    g_assert_cmpint(qemu_monitor_json_query_commands(fx->qmp, &commands), ==, 0);
    g_assert_true(g_strv_contains((const char *const *)commands, "blockdev-mirror"));

    /* A QMP error names the command. */
    g_assert_cmpint(qemu_monitor_json_blockdev_del(fx->qmp, "no-such-node"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED,
                            "unable to execute QEMU command 'blockdev-del'");
    g_assert_cmpint(qemu_monitor_json_raw_command(fx->qmp,
                                                  "{\"execute\": \"query-name\", "
                                                  "\"id\": \"user-7\"}",
                                                  &out),
                    ==, 0);
    g_assert_cmpstr(out, ==, "{\"return\":{},\"id\":\"user-7\"}");
    g_clear_pointer(&out, g_free);

    /* Descriptors over SCM_RIGHTS. */
    g_assert_cmpint(pipe(pipefd), ==, 0);
    g_assert_cmpint(qemu_monitor_json_send_fd(fx->qmp, "testfd", pipefd[1]), ==, 0);
    g_assert_cmpint(qemu_monitor_json_close_fd(fx->qmp, "testfd"), ==, 0);
    g_assert_cmpint(qemu_monitor_json_close_fd(fx->qmp, "testfd"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "'closefd'");
    close(pipefd[0]);
    close(pipefd[1]);
    g_assert_false(qemu_monitor_is_closed(fx->qmp));
}

/* ---- HMP ---- */

static void
test_hmp(QemuFixture *fx, gconstpointer data)
{
    g_autofree char *out = NULL;
    g_autofree char *banner = NULL;

    SKIP_WITHOUT_QEMU();
    g_assert_cmpint(qemu_monitor_wait_ready(fx->hmp), ==, 0);
    banner = qemu_monitor_get_banner(fx->hmp);
    g_assert_true(g_str_has_prefix(banner, "QEMU "));

    g_assert_cmpint(qemu_monitor_text_command(fx->hmp, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: paused (prelaunch)\n");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_text_command(fx->hmp, "cont", &out), ==, 0);
    g_assert_cmpstr(out, ==, "");
    g_clear_pointer(&out, g_free);
    g_assert_true(wait_event(fx, "RESUME")); /* seen on the QMP monitor */
    g_assert_cmpint(qemu_monitor_text_command(fx->hmp, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: running\n");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_text_command(fx->hmp, "stop", &out), ==, 0);
    g_assert_cmpstr(out, ==, "");
    g_clear_pointer(&out, g_free);
    g_assert_true(wait_event(fx, "STOP"));
    g_assert_cmpint(qemu_monitor_text_command(fx->hmp, "info migrate", &out), ==, 0);
    g_assert_true(g_str_has_prefix(out, "globals:\n"));
    g_assert_null(strchr(out, '\r'));
    g_assert_null(strchr(out, '\033'));
    g_clear_pointer(&out, g_free);
    /* HMP reports its errors as output. */
    g_assert_cmpint(qemu_monitor_text_command(fx->hmp, "no-such-command", &out), ==, 0);
    g_assert_nonnull(strstr(out, "unknown command"));
    g_clear_pointer(&out, g_free);

    /* --hmp passthrough picks the HMP monitor, else QMP. */
    g_assert_cmpint(qemu_monitor_hmp_passthrough(fx->qmp, fx->hmp, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: paused\n");
    g_clear_pointer(&out, g_free);
    g_assert_cmpint(qemu_monitor_hmp_passthrough(fx->qmp, NULL, "info status", &out), ==, 0);
    g_assert_cmpstr(out, ==, "VM status: paused\n");
}

/* ---- Enter/Exit ---- */

static DomainObj *
make_domain(QemuFixture *fx)
{
    DomainDef *def = domain_def_new();
    DomainObj *vm;

    def->name = g_strdup("real");
    def->id = 1;
    vm = domain_obj_new(def);
    vm->pid = qvirt_process_pid(fx->proc);
    qemu_domain_obj_init_private(vm);
    qemu_domain_obj_private(vm)->mon = qemu_monitor_ref(fx->qmp);
    return vm;
}

static void
test_enter_exit(QemuFixture *fx, gconstpointer data)
{
    g_autoptr(DomainObj) vm = NULL;
    QemuMonitor *mon;
    bool running = true;

    SKIP_WITHOUT_QEMU();
    vm = make_domain(fx);
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_begin(vm, DOMAIN_JOB_QUERY), ==, 0);
    mon = qemu_domain_obj_enter_monitor(vm);
    g_assert_nonnull(mon);
    g_assert_cmpint(qemu_monitor_json_query_status(mon, &running, NULL), ==, 0);
    qemu_domain_obj_exit_monitor(vm);
    g_assert_false(running);
    domain_job_end(vm);

    g_assert_cmpint(domain_job_begin_async(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                           DOMAIN_JOB_OPERATION_MIGRATION_OUT, 0),
                    ==, 0);
    mon = qemu_domain_obj_enter_monitor_async(vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_nonnull(mon);
    g_assert_cmpint(qemu_monitor_json_cont(mon), ==, 0);
    qemu_domain_obj_exit_monitor(vm);
    g_assert_cmpint(domain_job_get_active(vm->job), ==, DOMAIN_JOB_NONE);
    domain_job_end_async(vm);
    domain_obj_unlock(vm);
    g_assert_true(wait_event(fx, "RESUME"));
}

/* ---- QEMU killed mid-command ---- */

typedef enum {
    WAITER_QMP,
    WAITER_HMP,
    WAITER_DOMAIN,
} WaiterKind;

typedef struct {
    QemuFixture *fx;
    DomainObj *vm;
    WaiterKind kind;
    QvirtMutex *lock;
    QvirtCond *cond;
    int *started;
    int *finished;
    int rc;
    int code;
} Waiter;

static gpointer
waiter_thread(gpointer data)
{
    Waiter *w = data;
    g_autofree char *out = NULL;
    bool running;

    qvirt_mutex_lock(w->lock);
    (*w->started)++;
    qvirt_cond_broadcast(w->cond);
    qvirt_mutex_unlock(w->lock);

    switch (w->kind) {
    case WAITER_QMP:
        w->rc = qemu_monitor_json_query_status(w->fx->qmp, &running, NULL);
        break;
    case WAITER_HMP:
        w->rc = qemu_monitor_text_command(w->fx->hmp, "info status", &out);
        break;
    case WAITER_DOMAIN: {
        QemuMonitor *mon;

        domain_obj_lock(w->vm);
        w->rc = domain_job_begin(w->vm, DOMAIN_JOB_QUERY);
        if (w->rc == 0) {
            mon = qemu_domain_obj_enter_monitor(w->vm);
            w->rc = mon ? qemu_monitor_json_query_status(mon, &running, NULL) : -1;
            if (mon)
                qemu_domain_obj_exit_monitor(w->vm);
            domain_job_end(w->vm);
        }
        domain_obj_unlock(w->vm);
        break;
    }
    }
    w->code = qvirt_error_last_code();

    qvirt_mutex_lock(w->lock);
    (*w->finished)++;
    qvirt_cond_broadcast(w->cond);
    qvirt_mutex_unlock(w->lock);
    return NULL;
}

static void
test_kill_mid_command(QemuFixture *fx, gconstpointer data)
{
    static const WaiterKind kinds[] = {WAITER_QMP, WAITER_QMP,    WAITER_QMP,
                                       WAITER_HMP, WAITER_DOMAIN, WAITER_QMP};
    Waiter waiters[G_N_ELEMENTS(kinds)];
    GThread *threads[G_N_ELEMENTS(kinds)];
    g_autoptr(DomainObj) vm = NULL;
    QvirtMutex lock;
    QvirtCond cond;
    int started = 0;
    int finished = 0;
    gint64 deadline;
    pid_t pid;

    SKIP_WITHOUT_QEMU();
    g_assert_cmpint(qemu_monitor_wait_ready(fx->hmp), ==, 0);
    vm = make_domain(fx);
    qvirt_mutex_init(&lock);
    qvirt_cond_init(&cond);

    /* A stopped QEMU reads nothing: every command stays in flight. */
    pid = qvirt_process_pid(fx->proc);
    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        waiters[i] = (Waiter){fx, vm, kinds[i], &lock, &cond, &started, &finished, 0, 0};
        threads[i] = g_thread_new("waiter", waiter_thread, &waiters[i]);
    }
    deadline = qvirt_deadline_after_ms(WAIT_MS);
    qvirt_mutex_lock(&lock);
    while (started < (int)G_N_ELEMENTS(kinds) && qvirt_cond_wait_until(&cond, &lock, deadline))
        ;
    g_assert_cmpint(finished, ==, 0); /* nobody got an answer from a stopped QEMU */
    qvirt_mutex_unlock(&lock);

    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    deadline = qvirt_deadline_after_ms(KILL_GUARD_MS);
    qvirt_mutex_lock(&lock);
    while (finished < (int)G_N_ELEMENTS(kinds) && qvirt_cond_wait_until(&cond, &lock, deadline))
        ;
    if (finished < (int)G_N_ELEMENTS(kinds))
        g_error("%d of %zu waiters still hang %d ms after QEMU was killed",
                (int)G_N_ELEMENTS(kinds) - finished, G_N_ELEMENTS(kinds), KILL_GUARD_MS);
    qvirt_mutex_unlock(&lock);

    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(waiters[i].rc, ==, -1);
        g_assert_cmpint(waiters[i].code, !=, QVIRT_ERR_OK);
        g_assert_cmpint(waiters[i].code, !=, QVIRT_ERR_OPERATION_TIMEOUT);
    }
    g_assert_true(qemu_monitor_is_closed(fx->qmp));
    g_assert_true(qemu_monitor_is_closed(fx->hmp));
    /* The driver hears of it too (right after the waiters were failed). */
    deadline = qvirt_deadline_after_ms(WAIT_MS);
    qvirt_mutex_lock(&fx->lock);
    while (fx->eofs == 0 && qvirt_cond_wait_until(&fx->cond, &fx->lock, deadline))
        ;
    g_assert_cmpint(fx->eofs, ==, 1);
    qvirt_mutex_unlock(&fx->lock);
    fixture_kill_qemu(fx);
    qvirt_cond_clear(&cond);
    qvirt_mutex_clear(&lock);
}

/* ---- Capabilities ---- */

static void
test_caps_probe(void)
{
    g_autoptr(QvirtEventLoop) loop = NULL;
    g_autoptr(QemuCaps) caps = NULL;
    g_autoptr(QemuCaps) again = NULL;
    g_autoptr(QemuCapsCache) cache = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;
    unsigned int probes;

    SKIP_WITHOUT_QEMU();
    loop = qvirt_event_loop_new("caps");
    dir = qvirt_test_mkdtemp();
    path = g_build_filename(dir, "caps", NULL);
    probes = qemu_caps_probe_count();

    cache = qemu_caps_cache_new(path, loop);
    caps = qemu_caps_cache_lookup(cache, qemu_binary);
    g_assert_nonnull(caps);
    g_assert_cmpuint(qemu_caps_probe_count(), ==, probes + 2); /* TCG and KVM */
    g_assert_cmpuint(qemu_caps_get_version(caps), >=, 7000000);
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_BLOCKDEV_MIRROR));
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_PAUSE_BEFORE_SWITCHOVER));
    g_assert_true(qemu_caps_get(caps, QEMU_CAPS_BLOCK_EXPORT_ADD));
    g_assert_nonnull(qemu_caps_get_machine(caps, "pc"));
    g_assert_nonnull(qemu_caps_get_default_machine(caps));

    /* A daemon restart with a warm cache starts no QEMU. */
    g_clear_pointer(&cache, qemu_caps_cache_free);
    cache = qemu_caps_cache_new(path, loop);
    again = qemu_caps_cache_lookup(cache, qemu_binary);
    g_assert_nonnull(again);
    g_assert_cmpuint(qemu_caps_probe_count(), ==, probes + 2);
    g_assert_cmpuint(qemu_caps_get_version(again), ==, qemu_caps_get_version(caps));
    {
        g_autofree char *a = qemu_caps_format(caps, true);
        g_autofree char *b = qemu_caps_format(again, true);

        g_assert_cmpstr(a, ==, b);
    }
    g_clear_pointer(&cache, qemu_caps_cache_free);
    qvirt_event_loop_free(g_steal_pointer(&loop));
    qvirt_test_rmtree(dir);
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    qemu_binary = qvirt_test_qemu_find();
    qvirt_test_qemu_guard(600); /* hang guard for the whole suite */

    g_test_add("/integration/monitor/qmp", QemuFixture, NULL, fixture_setup, test_qmp,
               fixture_teardown);
    g_test_add("/integration/monitor/hmp", QemuFixture, NULL, fixture_setup, test_hmp,
               fixture_teardown);
    g_test_add("/integration/monitor/enter-exit", QemuFixture, NULL, fixture_setup, test_enter_exit,
               fixture_teardown);
    g_test_add("/integration/monitor/kill-mid-command", QemuFixture, NULL, fixture_setup,
               test_kill_mid_command, fixture_teardown);
    g_test_add_func("/integration/monitor/caps-probe", test_caps_probe);
    return g_test_run();
}

/* test-lifecycle.c: the QEMU driver against real QEMU (TCG) and the test
 * guest, through the framework's public API with the driver loaded as a
 * module (qvirt_driver_qemu.so), as the daemon will run it.
 *
 * Cases: define/start/info/suspend/resume/reboot/reset/shutdown/destroy/
 * undefine; a transient domain and a start that QEMU refuses; autostart
 * with a failing domain among good ones; QEMU killed with SIGKILL (the
 * crash path); a full state folder (a 1 MiB tmpfs; root only), where the
 * operation fails and the guest lives; the driver stopped with guests
 * running and started again, once in this process (a QEMU gone meanwhile, a
 * corrupt status file) and once as two runs of qemudrv-helper with 5
 * guests (pids unchanged, monitors working, no event emitted).
 *
 * Every wait has a deadline and waits for something (an event, a line on
 * the guest's serial console); nothing sleeps. Every QEMU started is
 * killed by pid in the teardown; if the program dies before that, its
 * guardian process kills them (and unmounts the tmpfs). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/domain_state.h"
#include "driver/api.h"
#include "driver/module.h"
#include "lifecycle-util.h"
#include "testutil.h"
#include "util/deadline.h"
#include "util/error.h"

static char *guest_dir;
static char *skip_reason;

/* ---- last-resort cleanup: the guardian ----
 *
 * A child process, in its own session, that waits for this program to end
 * however it ends (an assertion, a signal, SIGKILL from a harness) and then
 * kills every QEMU noted in its file and unmounts what was mounted. The
 * file holds lines "pid PID START", "root DIR" (kill the QEMU of each status
 * file under DIR) and "mount DIR". */

static char *guardian_file;
static int guardian_fd = -1;
static pid_t guardian_pid;

static void G_GNUC_PRINTF(1, 2) guardian_note(const char *fmt, ...)
{
    g_autofree char *line = NULL;
    va_list args;
    int fd;

    va_start(args, fmt);
    line = g_strdup_vprintf(fmt, args);
    va_end(args);
    fd = open(guardian_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, line, strlen(line)), ==, (ssize_t)strlen(line));
    g_assert_cmpint(write(fd, "\n", 1), ==, 1);
    close(fd);
}

static void
guardian_cleanup(void)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(guardian_file, &text, NULL, NULL))
        return;
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], " ", 3);

        if (g_strv_length(f) == 3 && g_str_equal(f[0], "pid")) {
            lifecycle_kill_pid((pid_t)g_ascii_strtoll(f[1], NULL, 10),
                               g_ascii_strtoull(f[2], NULL, 10));
        } else if (g_strv_length(f) >= 2 && g_str_equal(f[0], "root")) {
            g_autofree char *dir = g_build_filename(lines[i] + 5, "run", "qvirt", "qemu", NULL);

            lifecycle_kill_all(dir);
        }
    }
    for (size_t i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "mount "))
            umount2(lines[i] + 6, MNT_DETACH);
    }
    unlink(guardian_file);
}

static void
guardian_start(void)
{
    int fds[2];
    char byte;

    guardian_file =
        g_strdup_printf("%s/qvirt-lifecycle-guardian-%d", g_get_tmp_dir(), (int)getpid());
    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    guardian_pid = fork();
    g_assert_cmpint(guardian_pid, >=, 0);
    if (guardian_pid == 0) {
        close(fds[1]);
        setsid();
        while (read(fds[0], &byte, 1) != 0 && errno == EINTR)
            ;
        guardian_cleanup();
        _exit(0);
    }
    close(fds[0]);
    guardian_fd = fds[1];
}

static void
guardian_stop(void)
{
    close(guardian_fd);
    while (waitpid(guardian_pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* ---- fixture ---- */

typedef struct {
    char *name;
    int event_id;
    int type;
    int detail;
} TestEvent;

static void
test_event_free(gpointer data)
{
    TestEvent *ev = data;

    g_free(ev->name);
    g_free(ev);
}

typedef struct {
    char *root;
    char *state_dir;
    char *config_dir;
    char *log_dir;
    QvConnect *conn;
    gboolean running;
    char *mount;  /* the tmpfs of the full-disk case */
    GArray *pids; /* pid_t of every QEMU seen, killed in the teardown */

    GMutex lock;
    GCond cond;
    GPtrArray *events; /* TestEvent */
} Fixture;

static void
on_event(QvConnect *conn, QvDomain *dom, const QvEvent *event, gpointer opaque)
{
    Fixture *fx = opaque;
    TestEvent *ev = g_new0(TestEvent, 1);

    ev->name = g_strdup(event->name);
    ev->event_id = event->event_id;
    if (event->event_id == QV_DOMAIN_EVENT_ID_LIFECYCLE) {
        ev->type = event->data.lifecycle.type;
        ev->detail = event->data.lifecycle.detail;
    }
    g_mutex_lock(&fx->lock);
    g_ptr_array_add(fx->events, ev);
    g_cond_broadcast(&fx->cond);
    g_mutex_unlock(&fx->lock);
}

static guint
events_mark(Fixture *fx)
{
    guint mark;

    g_mutex_lock(&fx->lock);
    mark = fx->events->len;
    g_mutex_unlock(&fx->lock);
    return mark;
}

/* Wait for an event of NAME (EVENT_ID, TYPE, DETAIL; -1 matches any detail)
 * at index MARK or later. */
static gboolean
wait_event_ms(Fixture *fx, guint mark, const char *name, int event_id, int type, int detail,
              gint64 timeout_ms)
{
    gint64 deadline = qvirt_deadline_from_now_ms(timeout_ms);
    gboolean found = FALSE;

    g_mutex_lock(&fx->lock);
    while (!found) {
        for (guint i = mark; i < fx->events->len && !found; i++) {
            TestEvent *ev = g_ptr_array_index(fx->events, i);

            found = g_str_equal(ev->name, name) && ev->event_id == event_id &&
                    (event_id != QV_DOMAIN_EVENT_ID_LIFECYCLE ||
                     (ev->type == type && (detail < 0 || ev->detail == detail)));
        }
        if (!found && !qvirt_cond_wait_deadline(&fx->cond, &fx->lock, deadline))
            break;
    }
    g_mutex_unlock(&fx->lock);
    return found;
}

static gboolean
wait_event(Fixture *fx, guint mark, const char *name, int event_id, int type, int detail)
{
    return wait_event_ms(fx, mark, name, event_id, type, detail, LIFECYCLE_WAIT_TIMEOUT_MS);
}

#define WAIT_LIFECYCLE(fx, mark, name, type, detail)                                               \
    g_assert_true(wait_event((fx), (mark), (name), QV_DOMAIN_EVENT_ID_LIFECYCLE, (type), (detail)))

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
    memset(fx, 0, sizeof(*fx));
    g_mutex_init(&fx->lock);
    g_cond_init(&fx->cond);
    fx->events = g_ptr_array_new_with_free_func(test_event_free);
    fx->pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    fx->root = qvirt_test_mkdtemp();
    guardian_note("root %s", fx->root);
    fx->state_dir = g_build_filename(fx->root, "run", "qvirt", "qemu", NULL);
    fx->config_dir = g_build_filename(fx->root, "etc", "qvirt", "qemu", NULL);
    fx->log_dir = g_build_filename(fx->root, "var", "log", "qvirt", "qemu", NULL);
}

/* Start the driver (qemu.conf from CONF, may be NULL) and connect. */
static void
fixture_start_driver(Fixture *fx, const char *conf)
{
    g_autofree char *etc = g_build_filename(fx->root, "etc", "qvirt", NULL);
    g_autofree char *conf_path = g_build_filename(etc, "qemu.conf", NULL);

    if (conf) {
        g_assert_cmpint(g_mkdir_with_parents(etc, 0755), ==, 0);
        g_assert_true(g_file_set_contents(conf_path, conf, -1, NULL));
    }
    if (qv_driver_state_initialize(FALSE, fx->root) < 0)
        g_error("cannot start the QEMU driver: %s", qvirt_error_last_message());
    fx->running = TRUE;
    fx->conn = qv_connect_open("qemu:///session", 0);
    if (!fx->conn)
        g_error("cannot connect: %s", qvirt_error_last_message());
    g_assert_cmpint(qv_connect_domain_event_register_any(
                        fx->conn, NULL, QV_DOMAIN_EVENT_ID_LIFECYCLE, on_event, fx, NULL),
                    >, 0);
    g_assert_cmpint(qv_connect_domain_event_register_any(fx->conn, NULL, QV_DOMAIN_EVENT_ID_REBOOT,
                                                         on_event, fx, NULL),
                    >, 0);
}

/* Disconnect and stop the driver; QEMUs keep running. */
static void
fixture_stop_driver(Fixture *fx)
{
    if (fx->conn) {
        qv_connect_close(g_steal_pointer(&fx->conn));
        g_assert_cmpint(qv_event_flush(LIFECYCLE_WAIT_TIMEOUT_MS), ==, 0);
    }
    if (fx->running)
        qv_driver_state_cleanup();
    fx->running = FALSE;
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
    fixture_stop_driver(fx);
    lifecycle_kill_all(fx->state_dir);
    for (guint i = 0; i < fx->pids->len; i++)
        lifecycle_kill_pid(g_array_index(fx->pids, pid_t, i), 0);
    g_array_unref(fx->pids);
    if (fx->mount) {
        if (umount2(fx->mount, MNT_DETACH) < 0)
            g_test_message("cannot unmount '%s': %s", fx->mount, g_strerror(errno));
        g_free(fx->mount);
    }
    qvirt_test_rmtree(fx->root);
    g_free(fx->root);
    g_free(fx->state_dir);
    g_free(fx->config_dir);
    g_free(fx->log_dir);
    g_ptr_array_unref(fx->events);
    g_cond_clear(&fx->cond);
    g_mutex_clear(&fx->lock);
}

#define SKIP_WITHOUT_GUEST()                                                                       \
    do {                                                                                           \
        if (!guest_dir) {                                                                          \
            g_test_skip(skip_reason);                                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* ---- helpers ---- */

static char *
serial_path(Fixture *fx, const char *name)
{
    g_autofree char *base = g_strdup_printf("serial-%s.log", name);

    return g_build_filename(fx->root, base, NULL);
}

static QvDomain *
define_guest(Fixture *fx, const char *name, const char *kernel)
{
    g_autofree char *serial = serial_path(fx, name);
    g_autofree char *xml = lifecycle_domain_xml(name, guest_dir, serial, kernel);
    guint mark = events_mark(fx);
    QvDomain *dom = qv_domain_define_xml(fx->conn, xml);

    if (!dom)
        g_error("cannot define '%s': %s", name, qvirt_error_last_message());
    WAIT_LIFECYCLE(fx, mark, name, QV_DOMAIN_EVENT_DEFINED, QV_DOMAIN_EVENT_DEFINED_ADDED);
    return dom;
}

static void
track_pid(Fixture *fx, pid_t pid, unsigned long long start)
{
    g_array_append_val(fx->pids, pid);
    guardian_note("pid %d %llu", (int)pid, start);
}

/* The pid of NAME's QEMU from its status file; tracked for the cleanup. */
static pid_t
guest_pid(Fixture *fx, const char *name, unsigned long long *ret_start)
{
    unsigned long long start = 0;
    pid_t pid = 0;

    g_assert_true(lifecycle_status_pid(fx->state_dir, name, &pid, &start));
    track_pid(fx, pid, start);
    if (ret_start)
        *ret_start = start;
    return pid;
}

static void
start_guest(Fixture *fx, QvDomain *dom)
{
    g_autofree char *serial = serial_path(fx, qv_domain_get_name(dom));
    guint mark = events_mark(fx);

    /* QEMU empties the console file at each start anyway. */
    unlink(serial);
    if (qv_domain_create(dom) < 0)
        g_error("cannot start '%s': %s", qv_domain_get_name(dom), qvirt_error_last_message());
    guest_pid(fx, qv_domain_get_name(dom), NULL);
    WAIT_LIFECYCLE(fx, mark, qv_domain_get_name(dom), QV_DOMAIN_EVENT_STARTED,
                   QV_DOMAIN_EVENT_STARTED_BOOTED);
    g_assert_true(lifecycle_wait_for_text(serial, LIFECYCLE_BOOTED, 1, LIFECYCLE_BOOT_TIMEOUT_MS));
}

static void
assert_state(QvDomain *dom, int state, int reason)
{
    int actual_state = -1;
    int actual_reason = -1;

    g_assert_cmpint(qv_domain_get_state(dom, &actual_state, &actual_reason, 0), ==, 0);
    g_assert_cmpint(actual_state, ==, state);
    g_assert_cmpint(actual_reason, ==, reason);
}

/* QEMU's own run state, through the QMP passthrough. */
static void
assert_qmp_status(QvDomain *dom, const char *status)
{
    g_autofree char *reply = NULL;
    g_autofree char *want = g_strdup_printf("\"status\":\"%s\"", status);

    g_assert_cmpint(
        qv_domain_qemu_monitor_command(dom, "{\"execute\":\"query-status\"}", &reply, 0), ==, 0);
    if (!strstr(reply, want))
        g_error("query-status of '%s' says %s, expected %s", qv_domain_get_name(dom), reply,
                status);
}

static gboolean
status_file_exists(Fixture *fx, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(fx->state_dir, base, NULL);

    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* Shut DOM down and wait for the guest's SHUTDOWN event. The guest prints
 * "booted" only once its power-button watcher is running (start_guest waited
 * for that line), so one press is enough. */
static void
press_power_button(Fixture *fx, QvDomain *dom)
{
    guint mark = events_mark(fx);

    g_assert_cmpint(qv_domain_shutdown(dom), ==, 0);
    g_assert_true(wait_event_ms(fx, mark, qv_domain_get_name(dom), QV_DOMAIN_EVENT_ID_LIFECYCLE,
                                QV_DOMAIN_EVENT_SHUTDOWN, -1, 60000));
}

/* ---- cases ---- */

static void
test_basic(Fixture *fx, gconstpointer data)
{
    g_autoptr(QvDomain) dom = NULL;
    g_autofree char *serial = NULL;
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;
    g_autofree char *hmp = NULL;
    g_autofree char *native = NULL;
    g_autofree char *log = NULL;
    g_autofree char *log_path = NULL;
    g_autofree char *config_path = NULL;
    unsigned long long start;
    QvDomainInfo info;
    QvDomainJobInfo job_info;
    guint mark;
    pid_t pid;

    SKIP_WITHOUT_GUEST();
    fixture_start_driver(fx, NULL);
    dom = define_guest(fx, "basic", NULL);
    serial = serial_path(fx, "basic");
    assert_state(dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_UNKNOWN);
    g_assert_cmpint(qv_domain_is_persistent(dom), ==, 1);
    g_assert_cmpint(qv_domain_is_active(dom), ==, 0);

    /* Refused while shut off. */
    g_assert_cmpint(qv_domain_suspend(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "is not running");
    g_assert_cmpint(qv_domain_shutdown(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "is not running");

    start_guest(fx, dom);
    pid = guest_pid(fx, "basic", &start);
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(qv_domain_is_active(dom), ==, 1);
    g_assert_cmpint(qv_domain_create(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "already");

    /* Info and XML come from the domain object. */
    g_assert_cmpint(qv_domain_get_info(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpuint(info.max_mem_kib, ==, 262144);
    g_assert_cmpuint(info.nr_virt_cpu, ==, 1);
    g_assert_cmpuint(info.cpu_time_ns, >, 0);
    /* No job runs now: job info answers "none" without taking a job. */
    job_info.type = -1;
    g_assert_cmpint(qv_domain_get_job_info(dom, &job_info), ==, 0);
    g_assert_cmpint(job_info.type, ==, 0);
    live = qv_domain_get_xml_desc(dom, 0);
    inactive = qv_domain_get_xml_desc(dom, QV_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(strstr(live, "<alias name='serial0'/>"));
    g_assert_nonnull(strstr(live, "<domain type='qemu' id='"));
    g_assert_null(strstr(inactive, "<alias"));
    g_assert_null(strstr(inactive, " id='"));
    g_assert_true(status_file_exists(fx, "basic"));
    log_path = g_build_filename(fx->log_dir, "basic.log", NULL);
    g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "qemu-system-x86_64"));
    g_assert_nonnull(strstr(log, "qvirt: starting domain 'basic'"));

    /* domxml-to-native: the command line a start would run. */
    native = qv_connect_domain_xml_to_native(fx->conn, "qemu-argv", inactive, 0);
    g_assert_nonnull(native);
    g_assert_nonnull(strstr(native, "-name guest=basic"));
    g_assert_nonnull(strstr(native, "basic.monitor"));
    g_assert_nonnull(strstr(native, " -S "));
    g_assert_null(qv_connect_domain_xml_to_native(fx->conn, "xen-xm", inactive, 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'xen-xm'");

    /* Monitor passthrough, QMP and HMP (through QMP: no HMP monitor here). */
    assert_qmp_status(dom, "running");
    g_assert_cmpint(qv_domain_qemu_monitor_command(dom, "info status", &hmp,
                                                   QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP),
                    ==, 0);
    g_assert_nonnull(strstr(hmp, "VM status: running"));

    /* Suspend and resume. */
    mark = events_mark(fx);
    g_assert_cmpint(qv_domain_suspend(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    WAIT_LIFECYCLE(fx, mark, "basic", QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_PAUSED);
    assert_qmp_status(dom, "paused");
    g_assert_cmpint(qv_domain_suspend(dom), ==, 0); /* already paused: nothing to do */
    mark = events_mark(fx);
    g_assert_cmpint(qv_domain_resume(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    WAIT_LIFECYCLE(fx, mark, "basic", QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_UNPAUSED);
    assert_qmp_status(dom, "running");

    /* Reboot and reset: the guest boots again. */
    g_assert_cmpint(qv_domain_reboot(dom, QV_DOMAIN_SHUTDOWN_ACPI_POWER_BTN), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED, "system reset");
    mark = events_mark(fx);
    g_assert_cmpint(qv_domain_reboot(dom, 0), ==, 0);
    g_assert_true(wait_event(fx, mark, "basic", QV_DOMAIN_EVENT_ID_REBOOT, 0, 0));
    g_assert_true(lifecycle_wait_for_text(serial, LIFECYCLE_BOOTED, 2, LIFECYCLE_BOOT_TIMEOUT_MS));
    mark = events_mark(fx);
    g_assert_cmpint(qv_domain_reset(dom, 0), ==, 0);
    g_assert_true(wait_event(fx, mark, "basic", QV_DOMAIN_EVENT_ID_REBOOT, 0, 0));
    g_assert_true(lifecycle_wait_for_text(serial, LIFECYCLE_BOOTED, 3, LIFECYCLE_BOOT_TIMEOUT_MS));
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    {
        /* A handle made now carries the running domain's id. */
        g_autoptr(QvDomain) fresh = qv_domain_lookup_by_name(fx->conn, "basic");
        g_autoptr(QvDomain) by_id = NULL;

        g_assert_cmpint(qv_domain_get_id(fresh), >, 0);
        by_id = qv_domain_lookup_by_id(fx->conn, qv_domain_get_id(fresh));
        g_assert_nonnull(by_id);
        g_assert_cmpstr(qv_domain_get_name(by_id), ==, "basic");
    }

    /* ACPI shutdown: the guest powers off, the driver stops QEMU. */
    mark = events_mark(fx);
    press_power_button(fx, dom);
    WAIT_LIFECYCLE(fx, mark, "basic", QV_DOMAIN_EVENT_SHUTDOWN, QV_DOMAIN_EVENT_SHUTDOWN_GUEST);
    WAIT_LIFECYCLE(fx, mark, "basic", QV_DOMAIN_EVENT_STOPPED, QV_DOMAIN_EVENT_STOPPED_SHUTDOWN);
    assert_state(dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SHUTDOWN);
    g_assert_false(lifecycle_pid_alive(pid, start));
    g_assert_false(status_file_exists(fx, "basic"));
    g_clear_pointer(&log, g_free);
    g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "domain stopped, reason shutdown"));

    /* Start again and destroy. */
    start_guest(fx, dom);
    pid = guest_pid(fx, "basic", &start);
    mark = events_mark(fx);
    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
    WAIT_LIFECYCLE(fx, mark, "basic", QV_DOMAIN_EVENT_STOPPED, QV_DOMAIN_EVENT_STOPPED_DESTROYED);
    assert_state(dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED);
    g_assert_false(lifecycle_pid_alive(pid, start));
    g_assert_false(status_file_exists(fx, "basic"));
    g_assert_cmpint(qv_domain_destroy(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "is not running");

    /* Undefine: the domain and its config file are gone. */
    config_path = g_build_filename(fx->config_dir, "basic.xml", NULL);
    g_assert_true(g_file_test(config_path, G_FILE_TEST_EXISTS));
    mark = events_mark(fx);
    g_assert_cmpint(qv_domain_undefine(dom), ==, 0);
    WAIT_LIFECYCLE(fx, mark, "basic", QV_DOMAIN_EVENT_UNDEFINED, QV_DOMAIN_EVENT_UNDEFINED_REMOVED);
    g_assert_false(g_file_test(config_path, G_FILE_TEST_EXISTS));
    g_assert_null(qv_domain_lookup_by_name(fx->conn, "basic"));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "basic");
}

static void
test_transient(Fixture *fx, gconstpointer data)
{
    g_autofree char *serial = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *bad_xml = NULL;
    g_autoptr(QvDomain) dom = NULL;
    g_autoptr(QvDomain) bad = NULL;
    g_autofree char *config_path = NULL;
    guint mark;

    SKIP_WITHOUT_GUEST();
    fixture_start_driver(fx, NULL);
    serial = serial_path(fx, "transient");
    xml = lifecycle_domain_xml("transient", guest_dir, serial, NULL);
    mark = events_mark(fx);
    dom = qv_domain_create_xml(fx->conn, xml, 0);
    if (!dom)
        g_error("create-xml: %s", qvirt_error_last_message());
    guest_pid(fx, "transient", NULL);
    WAIT_LIFECYCLE(fx, mark, "transient", QV_DOMAIN_EVENT_STARTED, QV_DOMAIN_EVENT_STARTED_BOOTED);
    g_assert_true(lifecycle_wait_for_text(serial, LIFECYCLE_BOOTED, 1, LIFECYCLE_BOOT_TIMEOUT_MS));
    g_assert_cmpint(qv_domain_is_persistent(dom), ==, 0);
    config_path = g_build_filename(fx->config_dir, "transient.xml", NULL);
    g_assert_false(g_file_test(config_path, G_FILE_TEST_EXISTS));

    g_assert_cmpint(qv_domain_set_autostart(dom, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "transient");
    g_assert_cmpint(qv_domain_undefine(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "transient");
    /* A second domain of the same name is refused (the XML has no UUID:
     * each parse makes a new one). */
    g_assert_null(qv_domain_create_xml(fx->conn, xml, 0));
    qvirt_test_assert_error(QVIRT_ERR_DOM_EXIST, "already exists");

    mark = events_mark(fx);
    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
    WAIT_LIFECYCLE(fx, mark, "transient", QV_DOMAIN_EVENT_STOPPED,
                   QV_DOMAIN_EVENT_STOPPED_DESTROYED);
    g_assert_null(qv_domain_lookup_by_name(fx->conn, "transient"));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "transient");

    /* QEMU refuses to start: the error quotes its log; nothing is left. */
    bad_xml = lifecycle_domain_xml("refused", guest_dir, serial, "/nonexistent/vmlinuz");
    mark = events_mark(fx);
    bad = qv_domain_create_xml(fx->conn, bad_xml, 0);
    g_assert_null(bad);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "exited while starting");
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "/nonexistent/vmlinuz");
    g_assert_null(qv_domain_lookup_by_name(fx->conn, "refused"));
    g_assert_false(status_file_exists(fx, "refused"));
    /* A start that failed emits no STARTED or STOPPED. */
    g_assert_cmpint(qv_event_flush(LIFECYCLE_WAIT_TIMEOUT_MS), ==, 0);
    g_assert_cmpuint(events_mark(fx), ==, mark);
}

static void
test_autostart(Fixture *fx, gconstpointer data)
{
    g_autoptr(QvDomain) bad = NULL;
    g_autoptr(QvDomain) good = NULL;
    g_autoptr(QvDomain) manual = NULL;
    g_autofree char *link = NULL;
    g_autofree char *serial = NULL;
    int autostart = -1;

    SKIP_WITHOUT_GUEST();
    fixture_start_driver(fx, NULL);
    /* Started in name order: the failing one comes first. */
    bad = define_guest(fx, "a-bad", "/nonexistent/vmlinuz");
    good = define_guest(fx, "b-good", NULL);
    manual = define_guest(fx, "c-manual", NULL);
    g_assert_cmpint(qv_domain_set_autostart(bad, 1), ==, 0);
    g_assert_cmpint(qv_domain_set_autostart(good, 1), ==, 0);
    g_assert_cmpint(qv_domain_get_autostart(good, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 1);
    g_assert_cmpint(qv_domain_get_autostart(manual, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 0);
    link = g_build_filename(fx->config_dir, "autostart", "b-good.xml", NULL);
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    g_clear_pointer(&bad, qv_domain_unref);
    g_clear_pointer(&good, qv_domain_unref);
    g_clear_pointer(&manual, qv_domain_unref);

    /* A new driver starts the autostart domains. */
    fixture_stop_driver(fx);
    fixture_start_driver(fx, NULL);
    good = qv_domain_lookup_by_name(fx->conn, "b-good");
    bad = qv_domain_lookup_by_name(fx->conn, "a-bad");
    manual = qv_domain_lookup_by_name(fx->conn, "c-manual");
    g_assert_nonnull(good);
    g_assert_nonnull(bad);
    g_assert_nonnull(manual);
    guest_pid(fx, "b-good", NULL);
    assert_state(good, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    assert_state(bad, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_FAILED);
    g_assert_cmpint(qv_domain_is_active(manual), ==, 0);
    serial = serial_path(fx, "b-good");
    g_assert_true(lifecycle_wait_for_text(serial, LIFECYCLE_BOOTED, 1, LIFECYCLE_BOOT_TIMEOUT_MS));

    /* Turning it off removes the link. */
    g_assert_cmpint(qv_domain_set_autostart(good, 0), ==, 0);
    g_assert_false(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    g_assert_cmpint(qv_domain_destroy(good), ==, 0);
}

static void
test_crash(Fixture *fx, gconstpointer data)
{
    g_autoptr(QvDomain) dom = NULL;
    g_autofree char *monitor = NULL;
    unsigned long long start;
    guint mark;
    pid_t pid;

    SKIP_WITHOUT_GUEST();
    fixture_start_driver(fx, NULL);
    dom = define_guest(fx, "crash", NULL);
    start_guest(fx, dom);
    pid = guest_pid(fx, "crash", &start);
    monitor = g_build_filename(fx->state_dir, "crash.monitor", NULL);
    g_assert_true(g_file_test(monitor, G_FILE_TEST_EXISTS));

    mark = events_mark(fx);
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    WAIT_LIFECYCLE(fx, mark, "crash", QV_DOMAIN_EVENT_STOPPED, QV_DOMAIN_EVENT_STOPPED_FAILED);
    assert_state(dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_CRASHED);
    g_assert_false(lifecycle_pid_alive(pid, start)); /* reaped, not a zombie */
    g_assert_false(status_file_exists(fx, "crash"));
    g_assert_false(g_file_test(monitor, G_FILE_TEST_EXISTS));
    g_assert_cmpint(qv_domain_is_persistent(dom), ==, 1);

    /* It starts again. */
    start_guest(fx, dom);
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
}

/* Fill the file system of DIR until it has no space left. */
static char *
fill_disk(const char *dir)
{
    char *path = g_build_filename(dir, "filler", NULL);
    char block[16384];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    g_assert_cmpint(fd, >=, 0);
    memset(block, 'x', sizeof(block));
    for (;;) {
        ssize_t n = write(fd, block, sizeof(block));

        if (n < 0) {
            g_assert_cmpint(errno, ==, ENOSPC);
            break;
        }
    }
    /* The last bytes of a partial page. */
    while (write(fd, block, 1) == 1)
        ;
    close(fd);
    return path;
}

static void
test_full_disk(Fixture *fx, gconstpointer data)
{
    g_autoptr(QvDomain) dom = NULL;
    g_autofree char *filler = NULL;
    g_autofree char *serial = NULL;
    unsigned long long start;
    guint beats;
    pid_t pid;

    SKIP_WITHOUT_GUEST();
    if (geteuid() != 0) {
        g_test_skip("the full-disk case mounts a tmpfs: it needs root");
        return;
    }
    g_assert_cmpint(g_mkdir_with_parents(fx->state_dir, 0700), ==, 0);
    if (mount("tmpfs", fx->state_dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700") < 0) {
        g_autofree char *why = g_strdup_printf("cannot mount a tmpfs: %s", g_strerror(errno));

        g_test_skip(why);
        return;
    }
    fx->mount = g_strdup(fx->state_dir);
    guardian_note("mount %s", fx->mount);

    fixture_start_driver(fx, NULL);
    dom = define_guest(fx, "full", NULL);
    start_guest(fx, dom);
    pid = guest_pid(fx, "full", &start);
    serial = serial_path(fx, "full");

    filler = fill_disk(fx->state_dir);
    g_assert_cmpint(qv_domain_suspend(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "No space left on device");
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "full.xml");
    /* The operation failed before acting: the guest runs on. */
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    assert_qmp_status(dom, "running");
    g_assert_true(lifecycle_pid_alive(pid, start));
    beats = lifecycle_count_text(serial, LIFECYCLE_HEARTBEAT);
    g_assert_true(
        lifecycle_wait_for_text(serial, LIFECYCLE_HEARTBEAT, beats + 2, LIFECYCLE_WAIT_TIMEOUT_MS));

    /* With space again, it works. */
    g_assert_cmpint(unlink(filler), ==, 0);
    g_assert_cmpint(qv_domain_suspend(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_cmpint(qv_domain_resume(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);

    /* Destroy works on a full disk: there is nothing left to persist. */
    g_free(fill_disk(fx->state_dir));
    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED);
    g_assert_false(lifecycle_pid_alive(pid, start));
    g_assert_false(status_file_exists(fx, "full"));
}

/* The driver goes away and comes back in this process: one QEMU was killed
 * meanwhile, one status file was damaged, one guest is untouched. */
static void
test_reconnect_inprocess(Fixture *fx, gconstpointer data)
{
    g_autoptr(QvDomain) gone = NULL;
    g_autoptr(QvDomain) corrupt = NULL;
    g_autoptr(QvDomain) kept = NULL;
    g_autofree char *corrupt_status = NULL;
    g_autofree char *hmp_path = NULL;
    g_autofree char *hmp = NULL;
    g_autoptr(GDir) dir = NULL;
    unsigned long long gone_start;
    unsigned long long corrupt_start;
    unsigned long long kept_start;
    const char *file;
    gboolean moved_aside = FALSE;
    pid_t gone_pid;
    pid_t corrupt_pid;
    pid_t kept_pid;
    guint mark;

    SKIP_WITHOUT_GUEST();
    /* With an HMP monitor too, which must be found again as well. */
    fixture_start_driver(fx, "[qemu]\nhmp_monitor = true\n");
    gone = define_guest(fx, "gone", NULL);
    corrupt = define_guest(fx, "corrupt", NULL);
    kept = define_guest(fx, "kept", NULL);
    start_guest(fx, gone);
    start_guest(fx, corrupt);
    start_guest(fx, kept);
    g_assert_cmpint(qv_domain_suspend(kept), ==, 0);
    gone_pid = guest_pid(fx, "gone", &gone_start);
    corrupt_pid = guest_pid(fx, "corrupt", &corrupt_start);
    kept_pid = guest_pid(fx, "kept", &kept_start);
    g_clear_pointer(&gone, qv_domain_unref);
    g_clear_pointer(&corrupt, qv_domain_unref);
    g_clear_pointer(&kept, qv_domain_unref);

    fixture_stop_driver(fx);
    g_assert_true(lifecycle_pid_alive(kept_pid, kept_start));
    g_assert_true(lifecycle_kill_pid(gone_pid, gone_start));
    corrupt_status = g_build_filename(fx->state_dir, "corrupt.xml", NULL);
    g_assert_true(g_file_set_contents(corrupt_status, "<domstatus state='running'", -1, NULL));

    fixture_start_driver(fx, "[qemu]\nhmp_monitor = true\n");
    mark = events_mark(fx);
    gone = qv_domain_lookup_by_name(fx->conn, "gone");
    corrupt = qv_domain_lookup_by_name(fx->conn, "corrupt");
    kept = qv_domain_lookup_by_name(fx->conn, "kept");
    g_assert_nonnull(gone);
    g_assert_nonnull(corrupt);
    g_assert_nonnull(kept);
    /* Gone: cleaned up, shut off with a reason. */
    assert_state(gone, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_CRASHED);
    g_assert_false(status_file_exists(fx, "gone"));
    /* Corrupt: moved aside, reported, its QEMU never killed. */
    g_assert_false(status_file_exists(fx, "corrupt"));
    dir = g_dir_open(fx->state_dir, 0, NULL);
    while ((file = g_dir_read_name(dir)))
        moved_aside = moved_aside || g_str_has_prefix(file, "corrupt.xml.corrupt-");
    g_assert_true(moved_aside);
    g_assert_true(lifecycle_pid_alive(corrupt_pid, corrupt_start));
    assert_state(corrupt, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_UNKNOWN);
    /* Kept: the same QEMU, still paused by the user, a working monitor. */
    assert_state(kept, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_true(lifecycle_status_pid(fx->state_dir, "kept", &kept_pid, &kept_start));
    g_assert_true(lifecycle_pid_alive(kept_pid, kept_start));
    assert_qmp_status(kept, "paused");
    hmp_path = g_build_filename(fx->state_dir, "kept.hmp", NULL);
    g_assert_true(g_file_test(hmp_path, G_FILE_TEST_EXISTS));
    g_assert_cmpint(qv_domain_qemu_monitor_command(kept, "info status", &hmp,
                                                   QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP),
                    ==, 0);
    g_assert_nonnull(strstr(hmp, "VM status: paused"));
    g_assert_cmpint(qv_domain_resume(kept), ==, 0);
    assert_qmp_status(kept, "running");
    WAIT_LIFECYCLE(fx, mark, "kept", QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_UNPAUSED);
    g_assert_cmpint(qv_domain_destroy(kept), ==, 0);
}

/* Run the helper; its stdout as lines. */
static char **
run_helper(const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_ptr_array_add(argv, (gpointer)HELPER_PATH);
    for (size_t i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                      &status, &error))
        g_error("cannot run %s: %s", HELPER_PATH, error->message);
    g_test_message("qemudrv-helper %s:\n%s%s", args[0], out, err);
    /* Kill what it started even if it failed half-way (see the teardown). */
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("qemudrv-helper %s failed: %s", args[0], err);
    return g_strsplit(g_strstrip(out), "\n", -1);
}

#define RECONNECT_GUESTS 5

static void
test_reconnect_daemon(Fixture *fx, gconstpointer data)
{
    g_auto(GStrv) started = NULL;
    g_auto(GStrv) checked = NULL;
    const char *start_args[] = {"start", fx->root, guest_dir, G_STRINGIFY(RECONNECT_GUESTS), NULL};
    const char *check_args[] = {"check", fx->root, NULL};
    GHashTable *pids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint domains = 0;

    SKIP_WITHOUT_GUEST();
    started = run_helper(start_args);
    for (size_t i = 0; started[i]; i++) {
        g_auto(GStrv) f = g_strsplit(started[i], " ", -1);
        pid_t pid;

        g_assert_cmpuint(g_strv_length(f), ==, 4);
        g_assert_cmpstr(f[0], ==, "domain");
        pid = (pid_t)g_ascii_strtoll(f[2], NULL, 10);
        track_pid(fx, pid, g_ascii_strtoull(f[3], NULL, 10));
        g_assert_true(lifecycle_pid_alive(pid, g_ascii_strtoull(f[3], NULL, 10)));
        g_hash_table_insert(pids, g_strdup(f[1]), GINT_TO_POINTER(pid));
    }
    g_assert_cmpuint(g_hash_table_size(pids), ==, RECONNECT_GUESTS);

    /* The first "daemon" is gone; the second finds every guest again. */
    checked = run_helper(check_args);
    for (size_t i = 0; checked[i]; i++) {
        g_auto(GStrv) f = g_strsplit(checked[i], " ", -1);

        if (g_str_equal(f[0], "domain")) {
            g_assert_cmpuint(g_strv_length(f), ==, 6);
            g_assert_cmpstr(f[2], ==, "running");
            g_assert_cmpstr(f[3], ==, "booted");
            g_assert_cmpint(g_ascii_strtoll(f[4], NULL, 10), ==,
                            GPOINTER_TO_INT(g_hash_table_lookup(pids, f[1])));
            g_assert_cmpstr(f[5], ==, "running"); /* query-status over the monitor */
            domains++;
        } else if (g_str_equal(f[0], "events")) {
            g_assert_cmpstr(f[1], ==, "0"); /* nothing spurious */
        } else {
            g_error("unexpected line from qemudrv-helper check: %s", checked[i]);
        }
    }
    g_assert_cmpuint(domains, ==, RECONNECT_GUESTS);
    g_hash_table_unref(pids);
}

int
main(int argc, char **argv)
{
    int rc;

    qvirt_test_init(&argc, &argv);
    guardian_start();
    if (!g_getenv("QVIRT_DRIVER_DIR"))
        g_setenv("QVIRT_DRIVER_DIR", MODULE_DIR, TRUE);
    if (qv_driver_module_load("qemu") < 0)
        g_error("cannot load the QEMU driver module: %s", qvirt_error_last_message());
    guest_dir = lifecycle_find_guest(&skip_reason);

#define ADD(path, func)                                                                            \
    g_test_add("/lifecycle/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
    ADD("basic", test_basic);
    ADD("transient", test_transient);
    ADD("autostart", test_autostart);
    ADD("crash", test_crash);
    ADD("full-disk", test_full_disk);
    ADD("reconnect-inprocess", test_reconnect_inprocess);
    ADD("reconnect-daemon", test_reconnect_daemon);
#undef ADD
    rc = g_test_run();
    guardian_stop();
    return rc;
}

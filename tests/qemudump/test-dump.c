/* test-dump.c: core dumps (qemu_dump.h): the argument checks, the image
 * writer (copy, replace, cancel, a write error, an uncommitted file, bad
 * paths), and qemu_dump_core() against the scripted fake QEMU: the exact
 * commands of a memory-only dump, the state, events, job and statistics
 * around it, a format QEMU does not offer, a dump QEMU fails, domjobabort
 * and --crash. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "driver/event.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_dump.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_process_priv.h"
#include "qemumonitortest.h"
#include "testutil.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/files.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

#define WAIT_MS (20 * 1000)

/* ---- arguments ---- */

typedef struct {
    unsigned int format;
    unsigned int flags;
    int code;           /* 0: accepted */
    const char *needle; /* in the error */
} ArgCase;

static void
test_args(void)
{
    static const ArgCase cases[] = {
        {QV_DOMAIN_CORE_DUMP_FORMAT_RAW, 0, 0, NULL},
        {QV_DOMAIN_CORE_DUMP_FORMAT_RAW, QV_DUMP_LIVE | QV_DUMP_BYPASS_CACHE, 0, NULL},
        {QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, QV_DUMP_MEMORY_ONLY | QV_DUMP_CRASH, 0, NULL},
        {QV_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP, QV_DUMP_MEMORY_ONLY | QV_DUMP_RESET, 0, NULL},
        {QV_DOMAIN_CORE_DUMP_FORMAT_RAW, QV_DUMP_CRASH | QV_DUMP_LIVE, QVIRT_ERR_INVALID_ARG,
         "crash and live"},
        {QV_DOMAIN_CORE_DUMP_FORMAT_RAW, QV_DUMP_CRASH | QV_DUMP_RESET, QVIRT_ERR_INVALID_ARG,
         "crash and reset"},
        {QV_DOMAIN_CORE_DUMP_FORMAT_RAW, QV_DUMP_LIVE | QV_DUMP_RESET, QVIRT_ERR_INVALID_ARG,
         "live and reset"},
        {QV_DOMAIN_CORE_DUMP_FORMAT_RAW, 0x20, QVIRT_ERR_INVALID_ARG, "unsupported flags (0x20)"},
        {QV_DOMAIN_CORE_DUMP_FORMAT_LAST, QV_DUMP_MEMORY_ONLY, QVIRT_ERR_INVALID_ARG,
         "dump format 5"},
        {QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, 0, QVIRT_ERR_ARGUMENT_UNSUPPORTED,
         "'kdump-zlib' needs a memory-only dump"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ArgCase *c = &cases[i];
        int rc = qemu_dump_check_args("/tmp/core", c->format, c->flags);

        g_test_message("case %zu", i);
        if (c->code == 0) {
            g_assert_cmpint(rc, ==, 0);
        } else {
            g_assert_cmpint(rc, ==, -1);
            qvirt_test_assert_error(c->code, c->needle);
            qvirt_error_reset();
        }
    }
    g_assert_cmpint(qemu_dump_check_args("core", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'core' is not absolute");
    qvirt_error_reset();
    g_assert_cmpint(qemu_dump_check_args(NULL, 0, 0), ==, -1);
    qvirt_error_reset();

    g_assert_cmpstr(qemu_dump_format_to_qmp(QV_DOMAIN_CORE_DUMP_FORMAT_RAW), ==, "elf");
    g_assert_cmpstr(qemu_dump_format_to_qmp(QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB), ==,
                    "kdump-zlib");
    g_assert_cmpstr(qemu_dump_format_to_qmp(QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO), ==, "kdump-lzo");
    g_assert_cmpstr(qemu_dump_format_to_qmp(QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY), ==,
                    "kdump-snappy");
    g_assert_cmpstr(qemu_dump_format_to_qmp(QV_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP), ==, "win-dmp");
    g_assert_null(qemu_dump_format_to_qmp(QV_DOMAIN_CORE_DUMP_FORMAT_LAST));
}

/* ---- the writer ---- */

/* The names in DIR, hidden ones included, sorted and joined by spaces. */
static char *
dir_listing(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

/* Bytes 0..LEN-1 of a recognisable pattern. */
static guchar *
pattern(size_t len)
{
    guchar *buf = g_malloc(len);

    for (size_t i = 0; i < len; i++)
        buf[i] = (guchar)(i * 7 + i / 4096);
    return buf;
}

typedef struct {
    int fd;
    const guchar *buf;
    size_t len;
    int result; /* 0, or the errno of the failed write */
} Feeder;

/* Write the whole buffer into the pipe, as QEMU would, then close it. */
static gpointer
feeder_thread(gpointer opaque)
{
    Feeder *fd = opaque;

    fd->result = qvirt_fd_write_all(fd->fd, fd->buf, fd->len) < 0 ? errno : 0;
    close(fd->fd);
    return NULL;
}

static GThread *
feeder_start(Feeder *feeder, QemuDumpWriter *w, const guchar *buf, size_t len)
{
    feeder->fd = dup(qemu_dump_writer_input_fd(w));
    g_assert_cmpint(feeder->fd, >=, 0);
    feeder->buf = buf;
    feeder->len = len;
    qemu_dump_writer_close_input(w);
    g_assert_cmpint(qemu_dump_writer_input_fd(w), ==, -1);
    return g_thread_new("feeder", feeder_thread, feeder);
}

static void
test_writer_copy(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "core", NULL);
    size_t len = 5 * 1024 * 1024 + 123;
    g_autofree guchar *buf = pattern(len);
    g_autofree char *got = NULL;
    g_autofree char *listing = NULL;
    gsize got_len = 0;
    Feeder feeder;
    GThread *t;
    QemuDumpWriter *w;

    /* An earlier file of that name is replaced. */
    g_assert_true(g_file_set_contents(path, "old", -1, NULL));
    w = qemu_dump_writer_new(path, TRUE, 0);
    g_assert_nonnull(w);
    g_assert_cmpstr(qemu_dump_writer_get_path(w), ==, path);
    t = feeder_start(&feeder, w, buf, len);
    g_assert_cmpint(qemu_dump_writer_finish(w, qvirt_deadline_after_ms(WAIT_MS)), ==, 0);
    g_thread_join(t);
    g_assert_cmpint(feeder.result, ==, 0);
    g_assert_true(qemu_dump_writer_is_done(w));
    g_assert_cmpuint(qemu_dump_writer_get_bytes(w), ==, len);
    /* Nothing new is visible before the commit. */
    g_assert_true(g_file_get_contents(path, &got, &got_len, NULL));
    g_assert_cmpstr(got, ==, "old");
    g_clear_pointer(&got, g_free);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "core");
    g_clear_pointer(&listing, g_free);

    g_assert_cmpint(qemu_dump_writer_commit(w), ==, 0);
    /* A second commit is a bug of the caller. */
    g_assert_cmpint(qemu_dump_writer_commit(w), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "cannot be committed");
    qvirt_error_reset();
    qemu_dump_writer_free(w);

    g_assert_true(g_file_get_contents(path, &got, &got_len, NULL));
    g_assert_cmpuint(got_len, ==, len);
    g_assert_true(memcmp(got, buf, len) == 0);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "core");
    qvirt_test_rmtree(dir);
}

/* Cancel while QEMU writes: its writes fail with EPIPE, no file is left. */
static void
test_writer_cancel(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "core", NULL);
    size_t len = 64 * 1024 * 1024;
    g_autofree guchar *buf = pattern(len);
    g_autofree char *listing = NULL;
    Feeder feeder;
    GThread *t;
    g_autoptr(QemuDumpWriter) w = NULL;

    /* Throttled to 1 MiB/s, 64 MiB cannot be done before the cancel. */
    w = qemu_dump_writer_new(path, FALSE, 1024 * 1024);
    g_assert_nonnull(w);
    t = feeder_start(&feeder, w, buf, len);
    qemu_dump_writer_cancel(w);
    g_assert_cmpint(qemu_dump_writer_finish(w, qvirt_deadline_after_ms(WAIT_MS)), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_ABORTED, "was cancelled");
    qvirt_error_reset();
    g_thread_join(t);
    g_assert_cmpint(feeder.result, ==, EPIPE);
    g_assert_cmpint(qemu_dump_writer_commit(w), ==, -1);
    qvirt_error_reset();
    g_clear_pointer(&w, qemu_dump_writer_free);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "");
    qvirt_test_rmtree(dir);
}

/* A file that is complete but never committed is not left behind. */
static void
test_writer_uncommitted(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "core", NULL);
    g_autofree guchar *buf = pattern(4096);
    g_autofree char *listing = NULL;
    Feeder feeder;
    GThread *t;
    QemuDumpWriter *w = qemu_dump_writer_new(path, FALSE, 0);

    g_assert_nonnull(w);
    t = feeder_start(&feeder, w, buf, 4096);
    g_assert_cmpint(qemu_dump_writer_finish(w, qvirt_deadline_after_ms(WAIT_MS)), ==, 0);
    g_thread_join(t);
    qemu_dump_writer_free(w);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "");
    /* Freeing one that never saw any data works too. */
    qemu_dump_writer_free(qemu_dump_writer_new(path, FALSE, 0));
    qemu_dump_writer_free(NULL);
    g_clear_pointer(&listing, g_free);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "");
    qvirt_test_rmtree(dir);
}

/* A write that fails (the file size limit) fails the copy, naming the file. */
static void
test_writer_write_error(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "core", NULL);
    size_t len = 4 * 1024 * 1024;
    g_autofree guchar *buf = pattern(len);
    g_autofree char *listing = NULL;
    struct rlimit old;
    struct rlimit small = {.rlim_cur = 256 * 1024, .rlim_max = RLIM_INFINITY};
    Feeder feeder;
    GThread *t;
    QemuDumpWriter *w;

    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    w = qemu_dump_writer_new(path, FALSE, 0);
    g_assert_nonnull(w);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &small), ==, 0);
    t = feeder_start(&feeder, w, buf, len);
    g_assert_cmpint(qemu_dump_writer_finish(w, qvirt_deadline_after_ms(WAIT_MS)), ==, -1);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "cannot write the dump file");
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, path);
    qvirt_error_reset();
    g_thread_join(t);
    g_assert_cmpint(feeder.result, ==, EPIPE);
    qemu_dump_writer_free(w);
    listing = dir_listing(dir);
    g_assert_cmpstr(listing, ==, "");
    qvirt_test_rmtree(dir);
}

static void
test_writer_bad_path(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *missing = g_build_filename(dir, "nosuch", "core", NULL);

    g_assert_null(qemu_dump_writer_new("relative/core", FALSE, 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "is not absolute");
    qvirt_error_reset();
    g_assert_null(qemu_dump_writer_new(dir, FALSE, 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "is a folder");
    qvirt_error_reset();
    g_assert_null(qemu_dump_writer_new(missing, FALSE, 0));
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "cannot create the dump file in folder");
    qvirt_error_reset();
    qvirt_test_rmtree(dir);
}

/* ---- qemu_dump_core() against the fake QEMU ---- */

typedef struct {
    QemuDriver driver;
    DomainObj *vm; /* a reference */
    QemuMonitorTest *server;
    QvirtEventLoop *loop;
    GArray *events; /* of QemuDriverEvent copies (type, detail) */
    char *dir;
    char *path; /* dir/core */

    GMutex lock;
    GCond cond;
    gboolean dump_started; /* QEMU got dump-guest-memory */
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
    return 0;
}

/* A running domain with the fake QEMU as its monitor. */
static Fix *
fix_new(void)
{
    Fix *f = g_new0(Fix, 1);
    DomainDef *def = domain_def_new();
    DomainJobCallbacks cb = {.save_status = fix_save};

    g_mutex_init(&f->lock);
    g_cond_init(&f->cond);
    f->dir = qvirt_test_mkdtemp();
    f->path = g_build_filename(f->dir, "core", NULL);
    f->driver.config = qemu_driver_config_new(TRUE, f->dir);
    g_assert_nonnull(f->driver.config);
    def->name = g_strdup("vm1");
    def->id = 3;
    f->events = g_array_new(FALSE, TRUE, sizeof(QemuDriverEvent));
    f->driver.event_func = fix_record_event;
    f->driver.event_opaque = f;
    f->vm = domain_obj_new(def);
    f->vm->pid = 1;
    f->vm->persistent = TRUE;
    domain_obj_set_state(f->vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    qemu_domain_private_init(&f->driver, f->vm);
    qemu_domain_job_set_callbacks(&cb);
    domain_job_obj_set_callbacks(f->vm->job, &cb, f);
    f->loop = qvirt_event_loop_new("dump-loop");
    f->driver.loop = f->loop;
    f->server = qemu_monitor_test_new(QEMU_MONITOR_PROTOCOL_QMP);
    return f;
}

/* Connect the domain to the fake QEMU as the driver does, so that QEMU's
 * events reach the driver's handlers. */
static void
fix_connect(Fix *f)
{
    QemuMonitor *mon;

    domain_obj_lock(f->vm);
    mon = qemu_process_open_monitor(&f->driver, f->vm, QEMU_MONITOR_PROTOCOL_QMP,
                                    qemu_monitor_test_get_path(f->server));
    g_assert_nonnull(mon);
    qemu_domain_obj_private(f->vm)->mon = mon;
    domain_obj_unlock(f->vm);
}

static void
fix_free(Fix *f)
{
    /* The monitor holds a reference to the domain: close it first. */
    domain_obj_lock(f->vm);
    qemu_process_close_monitors(qemu_domain_private(f->vm));
    domain_obj_unlock(f->vm);
    domain_obj_unref(f->vm);
    qemu_monitor_test_finish(f->server);
    qvirt_event_loop_free(f->loop);
    g_array_unref(f->events);
    qemu_driver_config_unref(f->driver.config);
    qvirt_test_rmtree(f->dir);
    g_free(f->dir);
    g_free(f->path);
    g_mutex_clear(&f->lock);
    g_cond_clear(&f->cond);
    g_free(f);
}

/* The lifecycle events so far as "type/detail ..." */
static char *
fix_events(Fix *f)
{
    GString *s = g_string_new("");

    for (guint i = 0; i < f->events->len; i++) {
        const QemuDriverEvent *ev = &g_array_index(f->events, QemuDriverEvent, i);

        g_string_append_printf(s, "%s%d/%d", i ? " " : "", ev->type, ev->detail);
    }
    return g_string_free(s, FALSE);
}

#define OK "{\"return\": {}}"
#define CAPS "{\"return\": {\"formats\": [\"elf\", \"kdump-zlib\", \"win-dmp\"]}}"
#define DUMP_ARGS "{\"paging\": false, \"protocol\": \"fd:qvirt-dump\", \"detach\": true}"

/* The script up to and including dump-guest-memory of FORMAT_ARGS. */
static void
script_start(Fix *f, const char *dump_args)
{
    qemu_monitor_test_expect(f->server, "query-dump-guest-memory-capability", NULL, CAPS);
    qemu_monitor_test_expect(f->server, "stop", NULL, OK);
    qemu_monitor_test_expect_fds(f->server, "getfd", "{\"fdname\": \"qvirt-dump\"}", 1, OK);
    qemu_monitor_test_expect(f->server, "dump-guest-memory", dump_args, OK);
}

static void
assert_job_done(Fix *f, int status)
{
    DomainJobStats stats;

    domain_obj_lock(f->vm);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_job_get_stats(f->vm, TRUE, &stats);
    g_assert_cmpint(stats.status, ==, status);
    g_assert_cmpint(stats.operation, ==, DOMAIN_JOB_OPERATION_DUMP);
    g_assert_false(qemu_domain_job_private(f->vm)->paused_by_job);
    domain_obj_unlock(f->vm);
}

static void
assert_state(Fix *f, int state, int reason)
{
    domain_obj_lock(f->vm);
    g_assert_cmpint(f->vm->state, ==, state);
    g_assert_cmpint(f->vm->state_reason, ==, reason);
    domain_obj_unlock(f->vm);
}

static void
test_core_elf(void)
{
    Fix *f = fix_new();
    g_autofree char *events = NULL;
    DomainJobStats stats;

    script_start(f, DUMP_ARGS);
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"completed\", \"completed\": 4096, "
                             "\"total\": 4096}}");
    qemu_monitor_test_expect(f->server, "cont", NULL, OK);
    fix_connect(f);

    g_assert_cmpint(qemu_dump_core(&f->driver, f->vm, f->path, 0, QV_DUMP_MEMORY_ONLY), ==, 0);
    /* The fake QEMU wrote nothing: the file is there, empty. */
    g_assert_true(g_file_test(f->path, G_FILE_TEST_IS_REGULAR));
    assert_state(f, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    assert_job_done(f, DOMAIN_JOB_STATUS_COMPLETED);
    domain_obj_lock(f->vm);
    domain_job_get_stats(f->vm, TRUE, &stats);
    domain_obj_unlock(f->vm);
    g_assert_cmpuint(stats.mem_total, ==, 4096);
    g_assert_cmpuint(stats.mem_processed, ==, 4096);
    g_assert_cmpuint(stats.data_remaining, ==, 0);
    events = fix_events(f);
    g_assert_cmpstr(events, ==, "3/0 4/0"); /* SUSPENDED/PAUSED, RESUMED/UNPAUSED */
    fix_free(f);
}

/* kdump-zlib, live: no stop, no cont; the format is named. */
static void
test_core_kdump_live(void)
{
    Fix *f = fix_new();

    qemu_monitor_test_expect(f->server, "query-dump-guest-memory-capability", NULL, CAPS);
    qemu_monitor_test_expect_fds(f->server, "getfd", "{\"fdname\": \"qvirt-dump\"}", 1, OK);
    qemu_monitor_test_expect(f->server, "dump-guest-memory",
                             "{\"paging\": false, \"protocol\": \"fd:qvirt-dump\", "
                             "\"detach\": true, \"format\": \"kdump-zlib\"}",
                             OK);
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"active\", \"completed\": 0, "
                             "\"total\": 8192}}");
    qemu_monitor_test_add_event(f->server, "DUMP_COMPLETED",
                                "{\"result\": {\"status\": \"completed\", \"completed\": 8192, "
                                "\"total\": 8192}}");
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"completed\", \"completed\": 8192, "
                             "\"total\": 8192}}");
    fix_connect(f);

    g_assert_cmpint(qemu_dump_core(&f->driver, f->vm, f->path,
                                   QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
                                   QV_DUMP_MEMORY_ONLY | QV_DUMP_LIVE),
                    ==, 0);
    g_assert_true(g_file_test(f->path, G_FILE_TEST_IS_REGULAR));
    assert_state(f, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    assert_job_done(f, DOMAIN_JOB_STATUS_COMPLETED);
    g_assert_cmpuint(f->events->len, ==, 0);
    fix_free(f);
}

/* A format QEMU does not offer: refused before anything changes. */
static void
test_core_format_refused(void)
{
    Fix *f = fix_new();
    g_autofree char *listing = NULL;

    qemu_monitor_test_expect(f->server, "query-dump-guest-memory-capability", NULL, CAPS);
    fix_connect(f);

    g_assert_cmpint(qemu_dump_core(&f->driver, f->vm, f->path, QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO,
                                   QV_DUMP_MEMORY_ONLY),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_UNSUPPORTED,
                            "cannot write dump format 'kdump-lzo' (it offers: elf, kdump-zlib, "
                            "win-dmp)");
    qvirt_error_reset();
    assert_state(f, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    assert_job_done(f, DOMAIN_JOB_STATUS_FAILED);
    g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
    fix_free(f);
}

/* QEMU fails the dump: its error text is reported, the guest resumed, no file. */
static void
test_core_qemu_fails(void)
{
    Fix *f = fix_new();

    script_start(f, DUMP_ARGS);
    qemu_monitor_test_add_event(f->server, "DUMP_COMPLETED",
                                "{\"result\": {\"status\": \"failed\", \"completed\": 0, "
                                "\"total\": 8192}, \"error\": \"dump: no space\"}");
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"failed\", \"completed\": 0, "
                             "\"total\": 8192}}");
    qemu_monitor_test_expect(f->server, "cont", NULL, OK);
    fix_connect(f);

    g_assert_cmpint(qemu_dump_core(&f->driver, f->vm, f->path, 0, QV_DUMP_MEMORY_ONLY), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "dump: no space");
    qvirt_error_reset();
    assert_state(f, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    assert_job_done(f, DOMAIN_JOB_STATUS_FAILED);
    g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
    fix_free(f);
}

static char *
dump_started(const char *cmd, QvirtJson *args, gpointer opaque)
{
    Fix *f = opaque;

    g_mutex_lock(&f->lock);
    f->dump_started = TRUE;
    g_cond_broadcast(&f->cond);
    g_mutex_unlock(&f->lock);
    return g_strdup(OK);
}

typedef struct {
    Fix *f;
    int rc;
    QvirtError *err;
} DumpRun;

static gpointer
dump_thread(gpointer opaque)
{
    DumpRun *run = opaque;

    run->rc = qemu_dump_core(&run->f->driver, run->f->vm, run->f->path, 0, QV_DUMP_MEMORY_ONLY);
    run->err = qvirt_error_copy(qvirt_error_get_last());
    return NULL;
}

/* domjobabort while QEMU dumps: the dump fails as aborted, the guest runs. */
static void
test_core_abort(void)
{
    Fix *f = fix_new();
    gint64 deadline = qvirt_deadline_after_ms(WAIT_MS);
    DumpRun run = {.f = f};
    GThread *t;

    qemu_monitor_test_expect(f->server, "query-dump-guest-memory-capability", NULL, CAPS);
    qemu_monitor_test_expect(f->server, "stop", NULL, OK);
    qemu_monitor_test_expect_fds(f->server, "getfd", "{\"fdname\": \"qvirt-dump\"}", 1, OK);
    qemu_monitor_test_expect_func(f->server, "dump-guest-memory", dump_started, f);
    qemu_monitor_test_expect_no_reply(f->server, "query-dump");
    qemu_monitor_test_add_gate(f->server);
    qemu_monitor_test_add_reply(f->server, 0,
                                "{\"return\": {\"status\": \"active\", \"completed\": 10, "
                                "\"total\": 8192}}");
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"failed\", \"completed\": 10, "
                             "\"total\": 8192}}");
    qemu_monitor_test_expect(f->server, "cont", NULL, OK);
    fix_connect(f);

    t = g_thread_new("dump", dump_thread, &run);
    g_mutex_lock(&f->lock);
    while (!f->dump_started)
        g_assert_true(g_cond_wait_until(&f->cond, &f->lock, deadline));
    g_mutex_unlock(&f->lock);
    domain_obj_lock(f->vm);
    g_assert_cmpint(domain_job_get_async(f->vm->job), ==, DOMAIN_ASYNC_JOB_DUMP);
    g_assert_cmpint(f->vm->state, ==, DOMAIN_STATE_PAUSED);
    g_assert_cmpint(f->vm->state_reason, ==, DOMAIN_PAUSED_DUMP);
    g_assert_true(qemu_domain_job_private(f->vm)->paused_by_job);
    g_assert_cmpint(domain_job_request_abort(f->vm), ==, 0);
    domain_obj_unlock(f->vm);
    qemu_monitor_test_release(f->server);
    g_thread_join(t);

    g_assert_cmpint(run.rc, ==, -1);
    g_assert_nonnull(run.err);
    g_assert_cmpint(run.err->code, ==, QVIRT_ERR_OPERATION_ABORTED);
    g_assert_nonnull(strstr(run.err->message, "was aborted"));
    qvirt_error_free(run.err);
    assert_state(f, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    assert_job_done(f, DOMAIN_JOB_STATUS_CANCELED);
    g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
    fix_free(f);
}

/* --crash: the file is written, the domain shut off (crashed), STOPPED/CRASHED. */
static void
test_core_crash(void)
{
    Fix *f = fix_new();
    g_autofree char *events = NULL;

    script_start(f, DUMP_ARGS);
    qemu_monitor_test_expect(f->server, "query-dump", NULL,
                             "{\"return\": {\"status\": \"completed\", \"completed\": 1, "
                             "\"total\": 1}}");
    fix_connect(f);

    g_assert_cmpint(
        qemu_dump_core(&f->driver, f->vm, f->path, 0, QV_DUMP_MEMORY_ONLY | QV_DUMP_CRASH), ==, 0);
    g_assert_true(g_file_test(f->path, G_FILE_TEST_IS_REGULAR));
    domain_obj_lock(f->vm);
    g_assert_false(domain_obj_is_active(f->vm));
    domain_obj_unlock(f->vm);
    assert_state(f, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_CRASHED);
    events = fix_events(f);
    g_assert_cmpstr(events, ==, "3/0 5/2"); /* SUSPENDED/PAUSED, STOPPED/CRASHED */
    fix_free(f);
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    /* A cancelled copy makes the feeder's writes fail with EPIPE, as QEMU's. */
    signal(SIGPIPE, SIG_IGN);
    g_test_add_func("/qemudump/args", test_args);
    g_test_add_func("/qemudump/writer/copy", test_writer_copy);
    g_test_add_func("/qemudump/writer/cancel", test_writer_cancel);
    g_test_add_func("/qemudump/writer/uncommitted", test_writer_uncommitted);
    g_test_add_func("/qemudump/writer/write-error", test_writer_write_error);
    g_test_add_func("/qemudump/writer/bad-path", test_writer_bad_path);
    g_test_add_func("/qemudump/core/elf", test_core_elf);
    g_test_add_func("/qemudump/core/kdump-live", test_core_kdump_live);
    g_test_add_func("/qemudump/core/format-refused", test_core_format_refused);
    g_test_add_func("/qemudump/core/qemu-fails", test_core_qemu_fails);
    g_test_add_func("/qemudump/core/abort", test_core_abort);
    g_test_add_func("/qemudump/core/crash", test_core_crash);
    return g_test_run();
}

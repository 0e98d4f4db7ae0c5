/* test-storage-nbd.c: storage migration over NBD (qemu_migration_storage.c)
 * between two real QEMU processes ("-machine none", TCG, no daemon): the
 * destination's image pre-creation, NBD server on a port of the migration
 * range and exports; the source's NBD client nodes and mirrors, the wait
 * for ready, the graceful completion, and the cancel, abort, timeout and
 * failure paths. Data equality is checked with `qemu-img compare` after
 * both QEMUs quit; every path must leave no mirror job and no NBD node.
 *
 * Each domain is a DomainObj with the driver's private data and a monitor
 * but no driver (the status is not written: there is no QEMU handle).
 * Mirror progress is polled: no event reaches these domains, so the code
 * must not depend on one. Every QEMU started here (testqemu.h) is killed
 * by its pid in the teardown; should an assertion abort the test, a signal handler kills
 * them too. Skipped when qemu-system-x86_64 or qemu-img is missing. */
#include <config.h>

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration_storage.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process.h"
#include "testqemu.h"
#include "testutil.h"
#include "util/error.h"
#include "util/json.h"
#include "util/process.h"
#include "util/threads.h"

/* Hang guard for anything that waits here. */
#define WAIT_MS 60000
#define MIB (1024ULL * 1024ULL)

static char *qemu_binary;
static char *qemu_img;

/* The disks every domain here has: two qcow2 images and an empty cdrom
 * (which storage migration must leave alone). */
static const struct {
    const char *target;
    unsigned long long size;
    unsigned char seed;
} test_disks[] = {
    {"vda", 8 * MIB, 17},
    {"vdb", 4 * MIB, 101},
};

typedef struct {
    QvirtProcess *proc;
    QemuMonitor *mon;
    DomainObj *vm;
} TestQemu;

typedef struct {
    char *dir;
    QvirtEventLoop *loop;
    TestQemu src;
    TestQemu dst;
    QemuDriverConfig cfg; /* only the migration port range is read */
    QemuDriver driver;
    int port_holder; /* a listening socket on the top port of the range, or -1 */

    QvirtMutex lock;
    QvirtCond cond;
    GPtrArray *concluded; /* ids of jobs seen concluding (JOB_STATUS_CHANGE) */
} StorageFixture;

/* Record concluded jobs, for the test's own waits. The domains hear no
 * events: the code under test must poll. */
static void
fixture_event(QemuMonitor *mon, const QemuMonitorEvent *event, gpointer opaque)
{
    StorageFixture *fx = opaque;

    if (g_strcmp0(event->name, "JOB_STATUS_CHANGE") != 0 ||
        g_strcmp0(event->status, "concluded") != 0)
        return;
    qvirt_mutex_lock(&fx->lock);
    g_ptr_array_add(fx->concluded, g_strdup(event->id));
    qvirt_cond_broadcast(&fx->cond);
    qvirt_mutex_unlock(&fx->lock);
}

static const QemuMonitorCallbacks fixture_callbacks = {
    .event = fixture_event,
};

/* Wait until job ID concluded. */
static gboolean
wait_concluded(StorageFixture *fx, const char *id)
{
    gint64 deadline = qvirt_deadline_after_ms(WAIT_MS);
    gboolean found = FALSE;

    qvirt_mutex_lock(&fx->lock);
    for (;;) {
        for (guint i = 0; i < fx->concluded->len && !found; i++)
            found = g_strcmp0(g_ptr_array_index(fx->concluded, i), id) == 0;
        if (found || !qvirt_cond_wait_until(&fx->cond, &fx->lock, deadline))
            break;
    }
    qvirt_mutex_unlock(&fx->lock);
    return found;
}

#define SKIP_WITHOUT_QEMU()                                                                        \
    do {                                                                                           \
        if (!qemu_binary || !qemu_img) {                                                           \
            g_test_skip("qemu-system-x86_64 or qemu-img is not installed");                        \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* ---- images ---- */

static char *
image_path(StorageFixture *fx, const char *side, const char *target)
{
    g_autofree char *name = g_strdup_printf("%s-%s.qcow2", side, target);

    return g_build_filename(fx->dir, name, NULL);
}

/* Run qemu-img with ARGS; its exit status. */
static int
run_qemu_img(const char *const *args)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new(qemu_img);
    int status = -1;

    for (size_t i = 0; args[i]; i++)
        qvirt_command_add_arg(cmd, args[i]);
    qvirt_command_add_env(cmd, "LC_ALL=C");
    if (qvirt_process_run_sync(cmd, WAIT_MS, &status, NULL, NULL) < 0)
        g_error("qemu-img failed: %s", qvirt_error_last_message());
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* A qcow2 image of SIZE bytes filled with a pattern made from SEED. */
static void
make_image(StorageFixture *fx, const char *path, unsigned long long size, unsigned char seed)
{
    g_autofree char *raw = g_build_filename(fx->dir, "pattern.raw", NULL);
    g_autofree unsigned char *data = g_malloc(size);
    g_autoptr(GError) err = NULL;

    for (unsigned long long i = 0; i < size; i++)
        data[i] = (unsigned char)((i / 4096) * seed + i % 251);
    if (!g_file_set_contents(raw, (const char *)data, size, &err))
        g_error("cannot write %s: %s", raw, err->message);
    {
        const char *args[] = {"convert", "-q", "-f", "raw", "-O", "qcow2", raw, path, NULL};

        g_assert_cmpint(run_qemu_img(args), ==, 0);
    }
    unlink(raw);
}

static unsigned long long
image_virtual_size(const char *path)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new(qemu_img);
    g_autofree char *out = NULL;
    g_autoptr(QvirtJson) info = NULL;
    const char *format = NULL;
    int64_t size = 0;

    qvirt_command_add_args(cmd, "info", "-U", "--output=json", path, NULL);
    qvirt_command_add_env(cmd, "LC_ALL=C");
    if (qvirt_process_run_sync(cmd, WAIT_MS, NULL, &out, NULL) < 0)
        g_error("qemu-img info failed: %s", qvirt_error_last_message());
    info = qvirt_json_parse(out, strlen(out), "qemu-img info");
    g_assert_nonnull(info);
    g_assert_cmpint(qvirt_json_get_string(info, "format", &format), ==, 0);
    g_assert_cmpstr(format, ==, "qcow2");
    g_assert_cmpint(qvirt_json_get_int64(info, "virtual-size", &size), ==, 0);
    return (unsigned long long)size;
}

/* Whether images A and B hold the same guest-visible data. */
static gboolean
images_equal(const char *a, const char *b)
{
    const char *args[] = {"compare", "-q", "-f", "qcow2", "-F", "qcow2", a, b, NULL};
    int rc = run_qemu_img(args);

    g_assert_cmpint(rc, <=, 1); /* 2 and up: qemu-img itself failed */
    return rc == 0;
}

/* ---- domains ---- */

static DomainDef *
make_def(StorageFixture *fx, const char *side)
{
    DomainDef *def = domain_def_new();
    size_t n = G_N_ELEMENTS(test_disks);

    def->name = g_strdup("storage");
    memset(def->uuid, 0x42, sizeof(def->uuid));
    def->disks = g_new0(DomainDiskDef *, n + 1);
    for (size_t i = 0; i < n; i++) {
        DomainDiskDef *disk = g_new0(DomainDiskDef, 1);

        disk->device = DOMAIN_DISK_DEVICE_DISK;
        disk->bus = DOMAIN_DISK_BUS_VIRTIO;
        disk->dst = g_strdup(test_disks[i].target);
        disk->src = g_new0(DomainStorageSource, 1);
        disk->src->type = DOMAIN_DISK_TYPE_FILE;
        disk->src->format = DOMAIN_DISK_FORMAT_QCOW2;
        disk->src->path = image_path(fx, side, test_disks[i].target);
        disk->src->backing_end = TRUE;
        def->disks[def->ndisks++] = disk;
    }
    {
        DomainDiskDef *cdrom = g_new0(DomainDiskDef, 1);

        cdrom->device = DOMAIN_DISK_DEVICE_CDROM;
        cdrom->bus = DOMAIN_DISK_BUS_SATA;
        cdrom->dst = g_strdup("sda");
        cdrom->readonly = TRUE;
        cdrom->src = g_new0(DomainStorageSource, 1);
        cdrom->src->format = DOMAIN_DISK_FORMAT_RAW;
        def->disks[def->ndisks++] = cdrom;
    }
    return def;
}

static DomainObj *
make_vm(StorageFixture *fx, const char *side)
{
    DomainObj *vm = domain_obj_new(make_def(fx, side));
    DomainJobCallbacks cb = {0};

    qemu_domain_private_init(NULL, vm);
    qemu_domain_job_set_callbacks(&cb);
    domain_job_obj_set_callbacks(vm->job, &cb, NULL);
    return vm;
}

/* Start QEMU for Q's domain with a -blockdev pair per disk image (named as
 * qemu_command_disk.c names them) and attach its monitor. */
static void
start_qemu(StorageFixture *fx, TestQemu *q, const char *side)
{
    g_autofree char *qmp_name = g_strdup_printf("%s.qmp", side);
    g_autofree char *qmp_path = g_build_filename(fx->dir, qmp_name, NULL);
    g_autoptr(QvirtCommand) cmd = qvirt_test_qemu_command(qemu_binary);
    QemuMonitorConfig config = {
        .protocol = QEMU_MONITOR_PROTOCOL_QMP,
        .domain_name = side,
        .callbacks = &fixture_callbacks,
        .opaque = fx,
    };
    DomainDef *def = q->vm->def;
    int qmp_fd;

    qmp_fd = qvirt_test_qemu_add_monitor(cmd, "qmp", qmp_path, TRUE);
    for (size_t i = 0; i < G_N_ELEMENTS(test_disks); i++) {
        g_autoptr(QvirtJson) file = json_object_new_object();
        g_autoptr(QvirtJson) fmt = json_object_new_object();
        g_autofree char *storage = g_strdup_printf("qvirt-%zu-storage", i + 1);
        g_autofree char *format = g_strdup_printf("qvirt-%zu-format", i + 1);

        json_object_object_add(file, "driver", json_object_new_string("file"));
        json_object_object_add(file, "filename", json_object_new_string(def->disks[i]->src->path));
        json_object_object_add(file, "node-name", json_object_new_string(storage));
        json_object_object_add(fmt, "driver", json_object_new_string("qcow2"));
        json_object_object_add(fmt, "file", json_object_new_string(storage));
        json_object_object_add(fmt, "node-name", json_object_new_string(format));
        qvirt_command_add_args(cmd, "-blockdev", json_object_to_json_string(file), "-blockdev",
                               json_object_to_json_string(fmt), NULL);
    }
    q->proc = qvirt_test_qemu_spawn(cmd, &qmp_fd, 1);
    q->mon = qvirt_test_qemu_open_qmp(fx->loop, qmp_path, &config);

    q->vm->def->id = 1;
    q->vm->pid = qvirt_process_pid(q->proc);
    qemu_domain_obj_private(q->vm)->mon = qemu_monitor_ref(q->mon);
}

/* Quit QEMU cleanly, so every image is flushed and closed. */
static void
quit_qemu(TestQemu *q)
{
    qvirt_test_qemu_quit(&q->proc, q->mon, WAIT_MS);
}

static void
kill_qemu(TestQemu *q)
{
    qvirt_test_qemu_kill(&q->proc, WAIT_MS);
}

/* A listening TCP socket on PORT (all IPv4 addresses), or -1. */
static int
listen_on(unsigned int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A socket bound to a free loopback port without listening: connecting
 * to *RET_PORT is refused for as long as it stays open. */
static int
closed_port(unsigned int *ret_port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &len), ==, 0);
    *ret_port = ntohs(sa.sin_port);
    return fd;
}

/* Both domains, the source's images with data, the source's QEMU. The
 * destination's images are left to dst_precreate() and its QEMU to
 * start_dst(). */
static void
fixture_setup(StorageFixture *fx, gconstpointer data)
{
    unsigned int base;

    memset(fx, 0, sizeof(*fx));
    fx->port_holder = -1;
    qvirt_mutex_init(&fx->lock);
    qvirt_cond_init(&fx->cond);
    fx->concluded = g_ptr_array_new_with_free_func(g_free);
    if (!qemu_binary || !qemu_img)
        return;
    fx->dir = qvirt_test_mkdtemp();
    fx->loop = qvirt_event_loop_new("storage-test");
    /* A small range of its own, so parallel test runs rarely collide; its
     * top port is taken, which the allocator must skip. */
    base = 42000 + (unsigned int)(getpid() % 2000) * 4;
    fx->cfg.migration_port_min = base;
    fx->cfg.migration_port_max = base + 3;
    fx->driver.config = &fx->cfg;
    fx->port_holder = listen_on(base + 3);

    fx->src.vm = make_vm(fx, "src");
    fx->dst.vm = make_vm(fx, "dst");
    for (size_t i = 0; i < G_N_ELEMENTS(test_disks); i++) {
        g_autofree char *path = image_path(fx, "src", test_disks[i].target);

        make_image(fx, path, test_disks[i].size, test_disks[i].seed);
    }
    start_qemu(fx, &fx->src, "src");
    domain_obj_lock(fx->src.vm);
    g_assert_cmpint(domain_job_begin_async(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                           DOMAIN_JOB_OPERATION_MIGRATION_OUT, 0),
                    ==, 0);
    domain_obj_lock(fx->dst.vm);
    g_assert_cmpint(domain_job_begin_async(fx->dst.vm, DOMAIN_ASYNC_JOB_MIGRATION_IN,
                                           DOMAIN_JOB_OPERATION_MIGRATION_IN, 0),
                    ==, 0);
    domain_obj_unlock(fx->dst.vm);
    /* The source's VM stays locked for the test body, as the migration
     * code holds it; the destination's is locked around its calls. */
}

static void
start_dst(StorageFixture *fx)
{
    start_qemu(fx, &fx->dst, "dst");
}

static void
fixture_teardown(StorageFixture *fx, gconstpointer data)
{
    if (fx->src.vm) {
        domain_job_end_async(fx->src.vm);
        domain_obj_unlock(fx->src.vm);
    }
    if (fx->dst.vm) {
        domain_obj_lock(fx->dst.vm);
        domain_job_end_async(fx->dst.vm);
        domain_obj_unlock(fx->dst.vm);
    }
    kill_qemu(&fx->src);
    kill_qemu(&fx->dst);
    g_clear_pointer(&fx->src.vm, domain_obj_unref);
    g_clear_pointer(&fx->dst.vm, domain_obj_unref);
    qemu_monitor_close(g_steal_pointer(&fx->src.mon));
    qemu_monitor_close(g_steal_pointer(&fx->dst.mon));
    if (fx->loop)
        qvirt_event_loop_free(g_steal_pointer(&fx->loop));
    if (fx->port_holder >= 0)
        close(fx->port_holder);
    if (fx->dir)
        qvirt_test_rmtree(fx->dir);
    g_free(fx->dir);
    g_ptr_array_unref(fx->concluded);
    qvirt_cond_clear(&fx->cond);
    qvirt_mutex_clear(&fx->lock);
}

/* The source's cookie as Begin makes it (every migratable disk). */
static QemuMigrationCookie *
make_src_cookie(StorageFixture *fx)
{
    static const unsigned char host_uuid[16] = {1, 2, 3};
    QemuMigrationCookie *cookie =
        qemu_migration_cookie_new("storage", fx->src.vm->def->uuid, "source-host", host_uuid);
    g_autoptr(GPtrArray) disks = qemu_migration_storage_disks(fx->src.vm, NULL);

    g_assert_nonnull(disks);
    g_assert_cmpint(qemu_migration_storage_src_cookie(fx->src.vm, disks, cookie), ==, 0);
    return cookie;
}

/* Prepare on the destination: precreate, start QEMU, start the NBD server.
 * Returns the destination's cookie. */
static QemuMigrationCookie *
prepare_dst(StorageFixture *fx, const QemuMigrationCookie *cookie_src)
{
    static const unsigned char host_uuid[16] = {9, 8, 7};
    QemuMigrationCookie *cookie =
        qemu_migration_cookie_new("storage", fx->dst.vm->def->uuid, "dest-host", host_uuid);

    domain_obj_lock(fx->dst.vm);
    g_assert_cmpint(qemu_migration_storage_dst_precreate(fx->dst.vm, cookie_src), ==, 0);
    domain_obj_unlock(fx->dst.vm);
    start_dst(fx);
    domain_obj_lock(fx->dst.vm);
    g_assert_cmpint(qemu_migration_storage_dst_start(&fx->driver, fx->dst.vm,
                                                     DOMAIN_ASYNC_JOB_MIGRATION_IN, "127.0.0.1", 0,
                                                     cookie_src, cookie),
                    ==, 0);
    domain_obj_unlock(fx->dst.vm);
    return cookie;
}

/* Assert that the source's QEMU has no mirror job and no NBD client node
 * left, and that no disk is recorded as migrating. */
static void
assert_src_clean(StorageFixture *fx)
{
    g_autoptr(GPtrArray) jobs = NULL;
    g_autoptr(GPtrArray) nodes = NULL;

    g_assert_cmpuint(qemu_domain_job_private(fx->src.vm)->migrating_disks->len, ==, 0);
    g_assert_cmpint(qemu_monitor_json_query_jobs(fx->src.mon, &jobs), ==, 0);
    for (guint i = 0; i < jobs->len; i++) {
        const QemuMonitorJobInfo *job = g_ptr_array_index(jobs, i);

        g_assert_false(g_str_has_prefix(job->id, "qvirt-mirror-"));
    }
    g_assert_cmpint(qemu_monitor_json_query_named_block_nodes(fx->src.mon, &nodes), ==, 0);
    g_assert_cmpuint(nodes->len, >=, 2 * G_N_ELEMENTS(test_disks)); /* the disks' own */
    for (guint i = 0; i < nodes->len; i++) {
        const QemuMonitorBlockNode *node = g_ptr_array_index(nodes, i);

        g_assert_false(g_str_has_prefix(node->node_name, "qvirt-migrate-"));
    }
}

/* ---- the disks ---- */

static void
test_disks_selection(StorageFixture *fx, gconstpointer data)
{
    static const char *const only_vdb[] = {"vdb", NULL};
    static const char *const cdrom[] = {"vda", "sda", NULL};
    static const char *const unknown[] = {"vdz", NULL};
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GPtrArray) some = NULL;
    g_autoptr(QemuMigrationCookie) cookie = NULL;

    SKIP_WITHOUT_QEMU();
    all = qemu_migration_storage_disks(fx->src.vm, NULL);
    g_assert_nonnull(all);
    g_assert_cmpuint(all->len, ==, 2); /* not the cdrom */
    g_assert_cmpstr(g_ptr_array_index(all, 0), ==, "vda");
    g_assert_cmpstr(g_ptr_array_index(all, 1), ==, "vdb");
    some = qemu_migration_storage_disks(fx->src.vm, only_vdb);
    g_assert_nonnull(some);
    g_assert_cmpuint(some->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(some, 0), ==, "vdb");
    g_assert_null(qemu_migration_storage_disks(fx->src.vm, cdrom));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'sda'");
    g_assert_null(qemu_migration_storage_disks(fx->src.vm, unknown));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'vdz'");

    /* The capacities come from the running QEMU. */
    cookie = make_src_cookie(fx);
    g_assert_cmpuint(cookie->nbd_disks->len, ==, 2);
    for (guint i = 0; i < cookie->nbd_disks->len; i++) {
        const QemuMigrationCookieDisk *cd = g_ptr_array_index(cookie->nbd_disks, i);

        g_assert_cmpstr(cd->target, ==, test_disks[i].target);
        g_assert_cmpuint(cd->capacity, ==, test_disks[i].size);
    }
    g_assert_true(cookie->sections & QEMU_MIGRATION_COOKIE_NBD);
}

/* ---- pre-creation ---- */

static void
test_precreate(StorageFixture *fx, gconstpointer data)
{
    static const unsigned char host_uuid[16] = {5};
    g_autoptr(QemuMigrationCookie) cookie_src = NULL;
    g_autoptr(QemuMigrationCookie) bad = NULL;
    g_autofree char *vda = image_path(fx, "dst", "vda");
    g_autofree char *vdb = image_path(fx, "dst", "vdb");

    SKIP_WITHOUT_QEMU();
    cookie_src = make_src_cookie(fx);

    /* A disk the domain lacks: nothing is created. */
    bad = qemu_migration_cookie_new("storage", fx->dst.vm->def->uuid, "h", host_uuid);
    qemu_migration_cookie_add_nbd_disk(bad, "vda", 8 * MIB);
    qemu_migration_cookie_add_nbd_disk(bad, "vdq", 8 * MIB);
    domain_obj_lock(fx->dst.vm);
    g_assert_cmpint(qemu_migration_storage_dst_precreate(fx->dst.vm, bad), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'vdq'");
    g_assert_false(g_file_test(vda, G_FILE_TEST_EXISTS));
    g_clear_pointer(&bad, qemu_migration_cookie_free);

    /* An unknown capacity cannot make an image. */
    bad = qemu_migration_cookie_new("storage", fx->dst.vm->def->uuid, "h", host_uuid);
    qemu_migration_cookie_add_nbd_disk(bad, "vdb", 0);
    g_assert_cmpint(qemu_migration_storage_dst_precreate(fx->dst.vm, bad), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "capacity");
    g_assert_false(g_file_test(vdb, G_FILE_TEST_EXISTS));

    g_assert_cmpint(qemu_migration_storage_dst_precreate(fx->dst.vm, cookie_src), ==, 0);
    domain_obj_unlock(fx->dst.vm);
    g_assert_cmpuint(image_virtual_size(vda), ==, 8 * MIB);
    g_assert_cmpuint(image_virtual_size(vdb), ==, 4 * MIB);

    /* Existing images are kept as they are (here: a different size). */
    unlink(vdb);
    make_image(fx, vdb, 2 * MIB, 3);
    domain_obj_lock(fx->dst.vm);
    g_assert_cmpint(qemu_migration_storage_dst_precreate(fx->dst.vm, cookie_src), ==, 0);
    domain_obj_unlock(fx->dst.vm);
    g_assert_cmpuint(image_virtual_size(vdb), ==, 2 * MIB);
}

/* ---- the destination's NBD server ---- */

/* Whether the destination's QEMU runs an NBD server (stopping it tells). */
static gboolean
dst_has_server(StorageFixture *fx)
{
    if (qemu_monitor_json_nbd_server_stop(fx->dst.mon) == 0)
        return TRUE;
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "NBD server not running");
    return FALSE;
}

static int
dst_start_server(StorageFixture *fx, const QemuMigrationCookie *cookie_src, int port,
                 QemuMigrationCookie **ret_cookie)
{
    static const unsigned char host_uuid[16] = {9, 8, 7};
    g_autoptr(QemuMigrationCookie) cookie =
        qemu_migration_cookie_new("storage", fx->dst.vm->def->uuid, "dest-host", host_uuid);
    int rc;

    domain_obj_lock(fx->dst.vm);
    rc = qemu_migration_storage_dst_start(&fx->driver, fx->dst.vm, DOMAIN_ASYNC_JOB_MIGRATION_IN,
                                          "[127.0.0.1]", port, cookie_src, cookie);
    domain_obj_unlock(fx->dst.vm);
    if (rc == 0 && ret_cookie)
        *ret_cookie = g_steal_pointer(&cookie);
    return rc;
}

static void
test_nbd_server(StorageFixture *fx, gconstpointer data)
{
    static const unsigned char host_uuid[16] = {5};
    g_autoptr(QemuMigrationCookie) cookie_src = NULL;
    g_autoptr(QemuMigrationCookie) bad = NULL;
    g_autoptr(QemuMigrationCookie) cookie_dst = NULL;
    unsigned int min = fx->cfg.migration_port_min;
    int holders[3] = {-1, -1, -1};
    gboolean all_held = fx->port_holder >= 0;

    SKIP_WITHOUT_QEMU();
    cookie_src = make_src_cookie(fx);
    domain_obj_lock(fx->dst.vm);
    g_assert_cmpint(qemu_migration_storage_dst_precreate(fx->dst.vm, cookie_src), ==, 0);
    domain_obj_unlock(fx->dst.vm);
    start_dst(fx);

    /* A disk the destination lacks: no server is started. */
    bad = qemu_migration_cookie_new("storage", fx->dst.vm->def->uuid, "h", host_uuid);
    qemu_migration_cookie_add_nbd_disk(bad, "vdq", MIB);
    g_assert_cmpint(dst_start_server(fx, bad, 0, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'vdq'");
    g_assert_false(dst_has_server(fx));

    /* A bad range. */
    fx->cfg.migration_port_min = 0;
    g_assert_cmpint(dst_start_server(fx, cookie_src, 0, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "port range");
    fx->cfg.migration_port_min = min;
    g_assert_false(dst_has_server(fx));

    /* Every port of the range taken. */
    for (unsigned int i = 0; i < G_N_ELEMENTS(holders); i++) {
        holders[i] = listen_on(min + i);
        all_held = all_held && holders[i] >= 0;
    }
    if (all_held) {
        g_assert_cmpint(dst_start_server(fx, cookie_src, 0, NULL), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "no free port");
        g_assert_false(dst_has_server(fx));
    } else {
        g_test_message("some port of %u-%u is in use elsewhere: not testing a full range", min,
                       fx->cfg.migration_port_max);
    }
    for (unsigned int i = 0; i < G_N_ELEMENTS(holders); i++) {
        if (holders[i] >= 0)
            close(holders[i]);
    }

    /* A port given by the caller is used as it is. */
    g_assert_cmpint(dst_start_server(fx, cookie_src, (int)min + 1, &cookie_dst), ==, 0);
    g_assert_cmpint(cookie_dst->nbd_port, ==, (int)min + 1);
    g_assert_cmpuint(cookie_dst->nbd_disks->len, ==, 2);
    domain_obj_lock(fx->dst.vm);
    qemu_migration_storage_dst_stop(fx->dst.vm, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    domain_obj_unlock(fx->dst.vm);
    g_assert_false(dst_has_server(fx));
    g_assert_cmpint(dst_start_server(fx, cookie_src, 70000, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "70000");
}

/* ---- the whole copy ---- */

static void
test_mirror(StorageFixture *fx, gconstpointer data)
{
    g_autoptr(QemuMigrationCookie) cookie_src = NULL;
    g_autoptr(QemuMigrationCookie) cookie_dst = NULL;
    g_autoptr(GPtrArray) jobs = NULL;
    g_autofree char *blank = g_build_filename(fx->dir, "blank.qcow2", NULL);
    QemuDomainJobPrivate *jp;
    DomainJobStats *stats;

    SKIP_WITHOUT_QEMU();
    cookie_src = make_src_cookie(fx);
    cookie_dst = prepare_dst(fx, cookie_src);

    /* The port is from the range, and not the one taken. */
    g_assert_cmpint(cookie_dst->nbd_port, >=, (int)fx->cfg.migration_port_min);
    g_assert_cmpint(cookie_dst->nbd_port, <=, (int)fx->cfg.migration_port_max);
    if (fx->port_holder >= 0)
        g_assert_cmpint(cookie_dst->nbd_port, !=, (int)fx->cfg.migration_port_max);
    g_assert_cmpuint(cookie_dst->nbd_disks->len, ==, 2);
    g_assert_true(cookie_dst->sections & QEMU_MIGRATION_COOKIE_NBD);

    g_assert_cmpint(qemu_migration_storage_src_start(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                                     "127.0.0.1", cookie_dst, FALSE, 0),
                    ==, 0);
    jp = qemu_domain_job_private(fx->src.vm);
    g_assert_cmpuint(jp->migrating_disks->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(jp->migrating_disks, 0), ==, "vda");
    g_assert_cmpint(qemu_monitor_json_query_jobs(fx->src.mon, &jobs), ==, 0);
    g_assert_cmpuint(jobs->len, ==, 2);

    g_assert_cmpint(
        qemu_migration_storage_src_wait_ready(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, WAIT_MS),
        ==, 0);
    stats = domain_job_current_stats(fx->src.vm);
    g_assert_nonnull(stats);
    g_assert_cmpuint(stats->disk_total, >=, 12 * MIB);
    g_assert_cmpuint(stats->disk_processed, ==, stats->disk_total);
    g_assert_cmpint(qemu_migration_storage_src_check(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT),
                    ==, 0);

    g_assert_cmpint(qemu_migration_storage_src_complete(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT),
                    ==, 0);
    assert_src_clean(fx);
    g_assert_cmpuint(stats->disk_remaining, ==, 0);
    /* Nothing left to complete: a second call does nothing. */
    g_assert_cmpint(qemu_migration_storage_src_complete(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT),
                    ==, 0);

    /* stop() keeps the caller's error and leaves no server behind. */
    domain_obj_lock(fx->dst.vm);
    qvirt_error_set(QVIRT_FROM_QEMU, QVIRT_ERR_OPERATION_ABORTED, QVIRT_ERR_LEVEL_ERROR,
                    "the caller's error");
    qemu_migration_storage_dst_stop(fx->dst.vm, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_ABORTED, "the caller's error");
    domain_obj_unlock(fx->dst.vm);
    g_assert_cmpint(qemu_monitor_json_nbd_server_stop(fx->dst.mon), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "nbd-server-stop");

    quit_qemu(&fx->src);
    quit_qemu(&fx->dst);
    for (size_t i = 0; i < G_N_ELEMENTS(test_disks); i++) {
        g_autofree char *a = image_path(fx, "src", test_disks[i].target);
        g_autofree char *b = image_path(fx, "dst", test_disks[i].target);

        g_assert_true(images_equal(a, b));
    }
    /* The comparison can fail: a blank image of the same size differs. */
    {
        g_autofree char *vda = image_path(fx, "src", "vda");
        const char *args[] = {"create", "-q", "-f", "qcow2", blank, "8M", NULL};

        g_assert_cmpint(run_qemu_img(args), ==, 0);
        g_assert_false(images_equal(vda, blank));
    }
}

/* ---- cancel, abort, timeout, failure ---- */

/* Start slow mirrors (64 KiB/s: never ready within the test). */
static void
start_slow(StorageFixture *fx, const QemuMigrationCookie *cookie_dst)
{
    g_assert_cmpint(qemu_migration_storage_src_start(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                                     "127.0.0.1", cookie_dst, FALSE, 64 * 1024),
                    ==, 0);
    g_assert_cmpuint(qemu_domain_job_private(fx->src.vm)->migrating_disks->len, ==, 2);
}

static void
test_cancel(StorageFixture *fx, gconstpointer data)
{
    g_autoptr(QemuMigrationCookie) cookie_src = NULL;
    g_autoptr(QemuMigrationCookie) cookie_dst = NULL;
    g_autoptr(QemuMigrationCookie) wrong = NULL;
    static const unsigned char host_uuid[16] = {9, 8, 7};
    unsigned int closed = 0;
    int closed_fd;

    SKIP_WITHOUT_QEMU();
    cookie_src = make_src_cookie(fx);
    cookie_dst = prepare_dst(fx, cookie_src);

    /* No port from the destination. */
    wrong = qemu_migration_cookie_new("storage", fx->dst.vm->def->uuid, "dest-host", host_uuid);
    qemu_migration_cookie_add_nbd_disk(wrong, "vda", 8 * MIB);
    g_assert_cmpint(qemu_migration_storage_src_start(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                                     "127.0.0.1", wrong, FALSE, 0),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "NBD port");
    /* Nothing listens there (a port we hold bound but not listening): the
     * start fails and leaves nothing behind. */
    closed_fd = closed_port(&closed);
    wrong->nbd_port = (int)closed;
    g_assert_cmpint(qemu_migration_storage_src_start(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                                     "127.0.0.1", wrong, FALSE, 0),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "blockdev-add");
    close(closed_fd);
    assert_src_clean(fx);

    /* A forced cancel of running mirrors. */
    start_slow(fx, cookie_dst);
    qemu_migration_storage_src_cancel(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, TRUE);
    assert_src_clean(fx);

    /* A timeout, then a soft cancel (of mirrors that are not ready). */
    start_slow(fx, cookie_dst);
    g_assert_cmpint(
        qemu_migration_storage_src_wait_ready(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, 300), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, "did not become ready");
    qemu_migration_storage_src_cancel(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, FALSE);
    assert_src_clean(fx);

    /* An abort request ends the wait. */
    start_slow(fx, cookie_dst);
    g_assert_cmpint(domain_job_request_abort(fx->src.vm), ==, 0);
    g_assert_cmpint(
        qemu_migration_storage_src_wait_ready(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, WAIT_MS),
        ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_ABORTED, "'storage'");
    qemu_migration_storage_src_cancel(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, TRUE);
    assert_src_clean(fx);
}

static void
test_destination_gone(StorageFixture *fx, gconstpointer data)
{
    g_autoptr(QemuMigrationCookie) cookie_src = NULL;
    g_autoptr(QemuMigrationCookie) cookie_dst = NULL;
    g_autofree char *out = NULL;

    SKIP_WITHOUT_QEMU();
    cookie_src = make_src_cookie(fx);
    cookie_dst = prepare_dst(fx, cookie_src);
    g_assert_cmpint(qemu_migration_storage_src_start(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                                     "127.0.0.1", cookie_dst, FALSE, 0),
                    ==, 0);
    g_assert_cmpint(
        qemu_migration_storage_src_wait_ready(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, WAIT_MS),
        ==, 0);

    /* The destination's QEMU dies, then vda is written: its mirror fails
     * (vdb's stays ready). */
    kill_qemu(&fx->dst);
    g_assert_cmpint(qemu_monitor_json_human_command(
                        fx->src.mon, "qemu-io qvirt-1-format \"write -P 0x55 0 64k\"", &out),
                    ==, 0);
    g_assert_null(strstr(out, "rror")); /* qemu-io prints its result to QEMU's stdout */
    g_assert_true(wait_concluded(fx, "qvirt-mirror-vda"));

    /* The check, the wait and the completion name the disk; the completion
     * then leaves nothing behind. */
    g_assert_cmpint(qemu_migration_storage_src_check(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "the mirror of disk 'vda'");
    g_assert_cmpint(
        qemu_migration_storage_src_wait_ready(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, WAIT_MS),
        ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "the mirror of disk 'vda'");
    g_assert_cmpuint(qemu_domain_job_private(fx->src.vm)->migrating_disks->len, ==, 2);
    g_assert_cmpint(qemu_migration_storage_src_complete(fx->src.vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "the mirror of disk 'vda'");
    assert_src_clean(fx);
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    qemu_binary = qvirt_test_qemu_find();
    qemu_img = g_find_program_in_path("qemu-img");
    qvirt_test_qemu_guard(600); /* hang guard for the whole suite */

    g_test_add("/integration/migration/storage/disks", StorageFixture, NULL, fixture_setup,
               test_disks_selection, fixture_teardown);
    g_test_add("/integration/migration/storage/precreate", StorageFixture, NULL, fixture_setup,
               test_precreate, fixture_teardown);
    g_test_add("/integration/migration/storage/nbd-server", StorageFixture, NULL, fixture_setup,
               test_nbd_server, fixture_teardown);
    g_test_add("/integration/migration/storage/mirror", StorageFixture, NULL, fixture_setup,
               test_mirror, fixture_teardown);
    g_test_add("/integration/migration/storage/cancel", StorageFixture, NULL, fixture_setup,
               test_cancel, fixture_teardown);
    g_test_add("/integration/migration/storage/destination-gone", StorageFixture, NULL,
               fixture_setup, test_destination_gone, fixture_teardown);
    return g_test_run();
}

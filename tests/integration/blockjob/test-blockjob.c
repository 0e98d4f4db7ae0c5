/* test-blockjob.c: block jobs (qemu_blockjob.h) against real QEMU (TCG).
 * Each case builds a qcow2 chain base <- mid <- top with qemu-img, writes a
 * different pattern into each layer with qemu-io, starts a paused domain
 * on top through the QEMU driver's own entry points (no daemon), runs a
 * job and checks the images' content with qemu-img compare, the live XML,
 * the status XML, the events and the errors. Every QEMU is destroyed at
 * the end of its case, and killed by pid at exit if anything was left.
 * Skipped without qemu-system-x86_64, qemu-img or qemu-io. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lifecycle/lifecycle-util.h"
#include "conf/domain_blockjob_record.h"
#include "qemu/qemu_blockjob.h"
#include "qemu/qemu_driver.h"
#include "testutil.h"
#include "util/error.h"
#include "util/process.h"

#define MIB (1024ULL * 1024ULL)
/* Deadline of each wait: generous for TCG on busy cores. */
#define BJ_WAIT_MS (120 * 1000)

static char *bj_root;
static QemuDriver *bj_driver;
static QemuDriverConfig *bj_cfg;

/* ---- events ---- */

typedef struct {
    int event_id;
    char *disk;
    int type;
    int status;
} BjEvent;

static GMutex ev_lock;
static GCond ev_cond;
static GPtrArray *ev_list;

static void
bj_event_free(gpointer data)
{
    BjEvent *ev = data;

    g_free(ev->disk);
    g_free(ev);
}

static void
record_event(const QemuDriverEvent *event, gpointer opaque)
{
    BjEvent *ev;

    (void)opaque;
    if (event->event_id != QV_DOMAIN_EVENT_ID_BLOCK_JOB &&
        event->event_id != QV_DOMAIN_EVENT_ID_BLOCK_JOB_2)
        return;
    ev = g_new0(BjEvent, 1);
    ev->event_id = event->event_id;
    ev->disk = g_strdup(event->disk);
    ev->type = event->type;
    ev->status = event->detail;
    g_mutex_lock(&ev_lock);
    g_ptr_array_add(ev_list, ev);
    g_cond_broadcast(&ev_cond);
    g_mutex_unlock(&ev_lock);
}

static void
events_clear(void)
{
    g_mutex_lock(&ev_lock);
    g_ptr_array_set_size(ev_list, 0);
    g_mutex_unlock(&ev_lock);
}

/* Whether an event EVENT_ID for DISK with STATUS (and TYPE, unless -1) was
 * received. ev_lock held. */
static gboolean
event_seen_locked(int event_id, const char *disk, int type, int status)
{
    for (guint i = 0; i < ev_list->len; i++) {
        BjEvent *ev = g_ptr_array_index(ev_list, i);

        if (ev->event_id == event_id && g_strcmp0(ev->disk, disk) == 0 && ev->status == status &&
            (type < 0 || ev->type == type))
            return TRUE;
    }
    return FALSE;
}

static gboolean
event_seen(int event_id, const char *disk, int type, int status)
{
    gboolean seen;

    g_mutex_lock(&ev_lock);
    seen = event_seen_locked(event_id, disk, type, status);
    g_mutex_unlock(&ev_lock);
    return seen;
}

/* Wait for BLOCK_JOB_2 on vda with STATUS. */
static gboolean
wait_event(int type, int status)
{
    gint64 deadline = g_get_monotonic_time() + BJ_WAIT_MS * 1000;
    gboolean seen;

    g_mutex_lock(&ev_lock);
    while (!(seen = event_seen_locked(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", type, status)) &&
           g_cond_wait_until(&ev_cond, &ev_lock, deadline))
        ;
    g_mutex_unlock(&ev_lock);
    return seen;
}

/* ---- images ---- */

typedef struct {
    char *dir;
    char *base, *mid, *top;
    char *ref_top; /* raw image of what the guest sees through top */
    char *ref_mid; /* ... through mid */
    DomainObj *vm;
} BjFixture;

/* Run ARGV; TRUE when it exits with status 0. */
static gboolean
run(const char *const *argv)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new(argv[0]);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = -1;

    for (int i = 1; argv[i]; i++)
        qvirt_command_add_arg(cmd, argv[i]);
    if (qvirt_process_run_sync(cmd, BJ_WAIT_MS, &status, &out, &err) < 0) {
        g_test_message("%s: %s", argv[0], qvirt_error_last_message());
        qvirt_error_reset();
        return FALSE;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_test_message("%s %s: status 0x%x: %s%s", argv[0], argv[1], (unsigned int)status,
                       out ? out : "", err ? err : "");
        return FALSE;
    }
    return TRUE;
}

static void
create_qcow2(const char *path, const char *backing)
{
    const char *argv_b[] = {"qemu-img", "create", "-q",    "-f", "qcow2", "-b",
                            backing,    "-F",     "qcow2", path, "64M",   NULL};
    const char *argv_n[] = {"qemu-img", "create", "-q", "-f", "qcow2", path, "64M", NULL};

    g_assert_true(run(backing ? argv_b : argv_n));
}

static void
write_pattern(const char *path, const char *pattern, const char *offset, const char *len)
{
    g_autofree char *cmd = g_strdup_printf("write -P %s %s %s", pattern, offset, len);
    const char *argv[] = {"qemu-io", "-f", "qcow2", "-c", cmd, path, NULL};

    g_assert_true(run(argv));
}

static void
to_raw(const char *image, const char *raw)
{
    const char *argv[] = {"qemu-img", "convert", "-U", "-O", "raw", image, raw, NULL};

    g_assert_true(run(argv));
}

/* Whether IMAGE shows the same content as the raw image REF. */
static gboolean
same_content(const char *ref, const char *image)
{
    const char *argv[] = {"qemu-img", "compare", "-U", "-q", ref, image, NULL};

    return run(argv);
}

/* IMAGE's backing file as qemu-img reads it from its header, or NULL. */
static char *
backing_of(const char *image)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("qemu-img");
    g_autofree char *out = NULL;
    const char *p;
    const char *key = "\"backing-filename\": \"";

    qvirt_command_add_args(cmd, "info", "-U", "--output=json", image, NULL);
    g_assert_cmpint(qvirt_process_run_sync(cmd, BJ_WAIT_MS, NULL, &out, NULL), ==, 0);
    if (!(p = strstr(out, key)))
        return NULL;
    p += strlen(key);
    return g_strndup(p, strchr(p, '"') - p);
}

static char *
domain_xml(const char *name, const char *top)
{
    return g_strdup_printf("<domain type='qemu'>\n"
                           "  <name>%s</name>\n"
                           "  <memory unit='KiB'>131072</memory>\n"
                           "  <vcpu>1</vcpu>\n"
                           "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                           "  <devices>\n"
                           "    <disk type='file' device='disk'>\n"
                           "      <driver name='qemu' type='qcow2'/>\n"
                           "      <source file='%s'/>\n"
                           "      <target dev='vda' bus='virtio'/>\n"
                           "    </disk>\n"
                           "  </devices>\n"
                           "</domain>\n",
                           name, top);
}

/* base: 0x11 at 0-4M and 0x44 at 12-16M; mid: 0x22 at 4-8M; top: 0x33
 * at 8-12M and 0x55 over the base's 12-14M. Then a paused domain on top. */
static void
fixture_setup(BjFixture *f, gconstpointer data)
{
    g_autofree char *xml = NULL;
    g_autofree char *name = NULL;
    static int counter;

    (void)data;
    f->dir = g_build_filename(bj_root, "img-XXXXXX", NULL);
    g_assert_nonnull(g_mkdtemp(f->dir));
    f->base = g_build_filename(f->dir, "base.qcow2", NULL);
    f->mid = g_build_filename(f->dir, "mid.qcow2", NULL);
    f->top = g_build_filename(f->dir, "top.qcow2", NULL);
    f->ref_top = g_build_filename(f->dir, "ref-top.raw", NULL);
    f->ref_mid = g_build_filename(f->dir, "ref-mid.raw", NULL);
    create_qcow2(f->base, NULL);
    write_pattern(f->base, "0x11", "0", "4M");
    write_pattern(f->base, "0x44", "12M", "4M");
    create_qcow2(f->mid, f->base);
    write_pattern(f->mid, "0x22", "4M", "4M");
    create_qcow2(f->top, f->mid);
    write_pattern(f->top, "0x33", "8M", "4M");
    write_pattern(f->top, "0x55", "12M", "2M");
    to_raw(f->top, f->ref_top);
    to_raw(f->mid, f->ref_mid);
    g_assert_false(same_content(f->ref_top, f->ref_mid)); /* the check can fail */

    name = g_strdup_printf("bj%d", ++counter);
    xml = domain_xml(name, f->top);
    events_clear();
    f->vm = qemu_driver_create_xml(bj_driver, xml, QV_DOMAIN_START_PAUSED);
    if (!f->vm)
        g_error("domain start failed: %s", qvirt_error_last_message());
}

static void
fixture_teardown(BjFixture *f, gconstpointer data)
{
    (void)data;
    if (f->vm) {
        if (qemu_driver_destroy(bj_driver, f->vm, 0) < 0)
            qvirt_error_reset();
        domain_obj_unref(f->vm);
    }
    qvirt_test_rmtree(f->dir);
    g_free(f->dir);
    g_free(f->base);
    g_free(f->mid);
    g_free(f->top);
    g_free(f->ref_top);
    g_free(f->ref_mid);
}

/* ---- helpers on the domain ---- */

static char *
live_xml(BjFixture *f)
{
    char *xml = qemu_driver_get_xml_desc(bj_driver, f->vm, 0);

    g_assert_nonnull(xml);
    return xml;
}

/* Stop the domain: QEMU flushes its caches as it exits, so the images can
 * be read from the outside afterwards. */
static void
stop_domain(BjFixture *f)
{
    g_assert_cmpint(qemu_driver_destroy(bj_driver, f->vm, 0), ==, 0);
    g_clear_pointer(&f->vm, domain_obj_unref);
}

static char *
status_xml(BjFixture *f)
{
    g_autofree char *path =
        g_strdup_printf("%s/%s.xml", bj_driver->config->state_dir, domain_obj_get_name(f->vm));
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

/* The status file, once it contains NEEDLE. The READY event is emitted
 * before the status is written (the save is queued work on the driver's
 * loop, and nothing announces that it ran), so this polls the file, bounded. */
static char *
status_xml_with(BjFixture *f, const char *needle)
{
    gint64 deadline = g_get_monotonic_time() + BJ_WAIT_MS * 1000;

    for (;;) {
        char *text = status_xml(f);

        if (strstr(text, needle) || g_get_monotonic_time() >= deadline)
            return text;
        g_free(text);
        g_usleep(20 * 1000);
    }
}

static char *
query_jobs(BjFixture *f)
{
    char *out = NULL;

    g_assert_cmpint(
        qemu_driver_monitor_command(bj_driver, f->vm, "{\"execute\":\"query-jobs\"}", &out, 0), ==,
        0);
    return out;
}

static gboolean
jobs_empty(const char *reply)
{
    return strstr(reply, "\"return\": []") || strstr(reply, "\"return\":[]");
}

static int
job_info(BjFixture *f, QvDomainBlockJobInfo *info)
{
    return qemu_blockjob_get_info(bj_driver, f->vm, "vda", info, 0);
}

/* TRUE when QEMU's job list shows no job still in the "running" state.
 * QEMU's job states only move forward (running -> ready -> ... ->
 * concluded -> gone), so a job seen past "running" now was past it at
 * any earlier sample too. */
static gboolean
qemu_job_past_running(BjFixture *f)
{
    g_autofree char *jobs = query_jobs(f);

    return !strstr(jobs, "\"status\": \"running\"") && !strstr(jobs, "\"status\":\"running\"");
}

/* Poll the job information until the job is gone or READY arrived,
 * asserting that cur == end is never reported while QEMU's job was still
 * running. The READY event reaches this test's listener a moment after
 * the daemon's job state changed, so a sample with cur == end is checked
 * against QEMU's own job state rather than against the event. The
 * interval is a poll of a reader, the way a client polls; nothing is
 * synchronised by it. */
static void
poll_info_until_ready_or_gone(BjFixture *f, int type)
{
    gint64 deadline = g_get_monotonic_time() + BJ_WAIT_MS * 1000;
    guint samples = 0;

    for (;;) {
        QvDomainBlockJobInfo info;
        gboolean ready =
            event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", -1, QV_DOMAIN_BLOCK_JOB_READY);
        int rc = job_info(f, &info);

        g_assert_cmpint(rc, >=, 0);
        if (rc == 0 || ready)
            break;
        samples++;
        g_assert_cmpint(info.type, ==, type);
        if (info.cur == info.end) {
            g_assert_true(qemu_job_past_running(f));
            break;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(20 * 1000);
    }
    g_test_message("%u info samples before ready/end", samples);
}

/* ---- cases ---- */

static void
test_pull_full(BjFixture *f, gconstpointer data)
{
    g_autofree char *backing = NULL;
    g_autofree char *xml = NULL;

    (void)data;
    g_assert_cmpint(qemu_blockjob_pull(bj_driver, f->vm, "vda", 0, 0), ==, 0);
    poll_info_until_ready_or_gone(f, QV_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_PULL, QV_DOMAIN_BLOCK_JOB_COMPLETED));
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB, f->top, QV_DOMAIN_BLOCK_JOB_TYPE_PULL,
                             QV_DOMAIN_BLOCK_JOB_COMPLETED));
    xml = live_xml(f);
    g_assert_nonnull(strstr(xml, "<backingStore/>"));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, f->top));
    backing = backing_of(f->top);
    g_assert_null(backing);
}

static void
test_pull_to_base(BjFixture *f, gconstpointer data)
{
    g_autofree char *backing = NULL;

    (void)data;
    g_assert_cmpint(qemu_blockjob_rebase(bj_driver, f->vm, "vda", f->base, 0, 0), ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_PULL, QV_DOMAIN_BLOCK_JOB_COMPLETED));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, f->top));
    backing = backing_of(f->top);
    g_assert_cmpstr(backing, ==, f->base);
    /* mid is out of the chain: without it top still reads the same. */
    g_assert_cmpint(unlink(f->mid), ==, 0);
    g_assert_true(same_content(f->ref_top, f->top));
}

static void
test_pull_to_mid(BjFixture *f, gconstpointer data)
{
    g_autofree char *backing = NULL;
    QvDomainBlockJobInfo info;

    (void)data;
    /* Unknown disk and an image not in the chain. */
    g_assert_cmpint(qemu_blockjob_pull(bj_driver, f->vm, "vdz", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "vdz");
    g_assert_cmpint(qemu_blockjob_rebase(bj_driver, f->vm, "vda", "/nonexistent.qcow2", 0, 0), ==,
                    -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "not in the backing chain");
    g_assert_cmpint(job_info(f, &info), ==, 0);
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "no active block job");

    g_assert_cmpint(qemu_blockjob_rebase(bj_driver, f->vm, f->top, f->mid, 0, 0), ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_PULL, QV_DOMAIN_BLOCK_JOB_COMPLETED));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, f->top));
    backing = backing_of(f->top);
    g_assert_cmpstr(backing, ==, f->mid);
}

static char *
copy_dest_xml(const char *path)
{
    return g_strdup_printf("<disk type='file'><driver type='qcow2'/><source file='%s'/></disk>",
                           path);
}

static void
test_copy_pivot(BjFixture *f, gconstpointer data)
{
    g_autofree char *dest = g_build_filename(f->dir, "copy.qcow2", NULL);
    g_autofree char *dxml = copy_dest_xml(dest);
    g_autofree char *xml = NULL;
    g_autofree char *status = NULL;
    g_autofree char *needle = NULL;

    (void)data;
    g_assert_cmpint(qemu_blockjob_copy(bj_driver, f->vm, "vda", dxml, NULL, 0, 0), ==, 0);
    poll_info_until_ready_or_gone(f, QV_DOMAIN_BLOCK_JOB_TYPE_COPY);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_COPY, QV_DOMAIN_BLOCK_JOB_READY));
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB, f->top, QV_DOMAIN_BLOCK_JOB_TYPE_COPY,
                             QV_DOMAIN_BLOCK_JOB_READY));
    status = status_xml_with(f, "state='ready'");
    g_assert_nonnull(strstr(status, "name='qvirt-copy-vda'"));
    g_assert_nonnull(strstr(status, "state='ready'"));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, 0);
    /* Synchronous: the outcome is processed at return. */
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", QV_DOMAIN_BLOCK_JOB_TYPE_COPY,
                             QV_DOMAIN_BLOCK_JOB_COMPLETED));
    xml = live_xml(f);
    needle = g_strdup_printf("<source file='%s'/>", dest);
    g_assert_nonnull(strstr(xml, needle));
    g_free(status);
    status = status_xml(f);
    g_assert_nonnull(strstr(status, needle));
    g_assert_null(strstr(status, "<blockjobs>"));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, dest));
    g_assert_null(backing_of(dest));
}

static void
test_copy_abort(BjFixture *f, gconstpointer data)
{
    g_autofree char *dest = g_build_filename(f->dir, "copy.qcow2", NULL);
    g_autofree char *dxml = copy_dest_xml(dest);
    g_autofree char *xml = NULL;
    g_autofree char *needle = NULL;
    g_autofree char *jobs = NULL;

    (void)data;
    g_assert_cmpint(
        qemu_blockjob_copy(bj_driver, f->vm, "vda", dxml, NULL, 0, QV_DOMAIN_BLOCK_COPY_SHALLOW),
        ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_COPY, QV_DOMAIN_BLOCK_JOB_READY));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", 0), ==, 0);
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", QV_DOMAIN_BLOCK_JOB_TYPE_COPY,
                             QV_DOMAIN_BLOCK_JOB_CANCELED));
    jobs = query_jobs(f);
    g_assert_true(jobs_empty(jobs));
    xml = live_xml(f);
    needle = g_strdup_printf("<source file='%s'/>", f->top);
    g_assert_nonnull(strstr(xml, needle));
    stop_domain(f);
    /* A shallow copy holds the top layer only, over mid. */
    {
        g_autofree char *dest_backing = backing_of(dest);

        g_assert_cmpstr(dest_backing, ==, f->mid);
    }
    g_assert_true(same_content(f->ref_top, f->top));
    g_assert_true(same_content(f->ref_top, dest));
}

/* blockcopy --reuse-external --shallow through BlockRebase with the copy
 * flag (as the stock virsh does): the destination exists, over mid. */
static void
test_copy_reuse_shallow(BjFixture *f, gconstpointer data)
{
    g_autofree char *dest = g_build_filename(f->dir, "reuse.qcow2", NULL);
    g_autofree char *missing = g_build_filename(f->dir, "missing.qcow2", NULL);
    const unsigned int flags = QV_DOMAIN_BLOCK_REBASE_COPY | QV_DOMAIN_BLOCK_REBASE_REUSE_EXT |
                               QV_DOMAIN_BLOCK_REBASE_SHALLOW;
    g_autofree char *xml = NULL;
    g_autofree char *needle = NULL;
    g_autofree char *status = NULL;

    (void)data;
    create_qcow2(dest, f->mid);
    g_assert_cmpint(qemu_blockjob_rebase(bj_driver, f->vm, "vda", missing, 0, flags), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "does not exist");
    g_assert_cmpint(qemu_blockjob_rebase(bj_driver, f->vm, "vda", "relative.qcow2", 0, flags), ==,
                    -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "not absolute");
    g_assert_cmpint(qemu_blockjob_rebase(bj_driver, f->vm, "vda", dest, 0, flags), ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_COPY, QV_DOMAIN_BLOCK_JOB_READY));
    status = status_xml(f);
    needle = g_strdup_printf("<mirror path='%s' format='qcow2'/>", dest);
    g_assert_nonnull(strstr(status, needle));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, 0);
    xml = live_xml(f);
    g_free(needle);
    needle = g_strdup_printf("<source file='%s'/>", dest);
    g_assert_nonnull(strstr(xml, needle));
    stop_domain(f);
    {
        g_autofree char *dest_backing = backing_of(dest);

        g_assert_cmpstr(dest_backing, ==, f->mid);
    }
    g_assert_true(same_content(f->ref_top, dest));
}

static void
test_copy_refusals(BjFixture *f, gconstpointer data)
{
    g_autofree char *dest = g_build_filename(f->dir, "copy.qcow2", NULL);
    g_autofree char *dxml = copy_dest_xml(dest);
    QvTypedParam bw = {.field = QV_DOMAIN_BLOCK_COPY_BANDWIDTH,
                       .type = QV_TYPED_PARAM_ULLONG,
                       .value.ul = 256 * 1024};
    g_autofree char *status = NULL;
    g_autofree char *jobs = NULL;

    (void)data;
    g_assert_cmpint(qemu_blockjob_copy(bj_driver, f->vm, "vda", dxml, &bw, 1, 0), ==, 0);
    /* Second job on the disk, pivot before ready. */
    g_assert_cmpint(qemu_blockjob_pull(bj_driver, f->vm, "vda", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_BLOCK_COPY_ACTIVE, "already has an active block job");
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_BLOCK_COPY_ACTIVE, "not ready");
    g_assert_cmpint(qemu_blockjob_copy(bj_driver, f->vm, "vda", "<disk/>", NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "destination");
    status = status_xml(f);
    g_assert_nonnull(strstr(status, "<blockjob disk='vda' name='qvirt-copy-vda' type='copy'"));
    g_assert_nonnull(strstr(status, "bandwidth='262144'"));
    /* Unthrottled, it gets ready. */
    g_assert_cmpint(qemu_blockjob_set_speed(bj_driver, f->vm, "vda", 0, 0), ==, 0);
    poll_info_until_ready_or_gone(f, QV_DOMAIN_BLOCK_JOB_TYPE_COPY);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_COPY, QV_DOMAIN_BLOCK_JOB_READY));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", 0), ==, 0);
    jobs = query_jobs(f);
    g_assert_true(jobs_empty(jobs));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, f->top));
}

static void
test_commit_inactive(BjFixture *f, gconstpointer data)
{
    g_autofree char *backing = NULL;

    (void)data;
    g_assert_cmpint(qemu_blockjob_commit(bj_driver, f->vm, "vda", f->base, f->mid, 0,
                                         QV_DOMAIN_BLOCK_COMMIT_DELETE),
                    ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_COMMIT, QV_DOMAIN_BLOCK_JOB_COMPLETED));
    /* base now holds what mid showed; top reads the same over base. */
    stop_domain(f);
    g_assert_true(same_content(f->ref_mid, f->base));
    g_assert_true(same_content(f->ref_top, f->top));
    backing = backing_of(f->top);
    g_assert_cmpstr(backing, ==, f->base);
    g_assert_false(g_file_test(f->mid, G_FILE_TEST_EXISTS));
}

static void
test_commit_active_pivot(BjFixture *f, gconstpointer data)
{
    g_autofree char *xml = NULL;
    g_autofree char *needle = NULL;

    (void)data;
    g_assert_cmpint(qemu_blockjob_commit(bj_driver, f->vm, "vda", NULL, NULL, 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "active");
    g_assert_cmpint(
        qemu_blockjob_commit(bj_driver, f->vm, "vda", NULL, NULL, 0, QV_DOMAIN_BLOCK_COMMIT_ACTIVE),
        ==, 0);
    poll_info_until_ready_or_gone(f, QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT, QV_DOMAIN_BLOCK_JOB_READY));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, 0);
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda",
                             QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT,
                             QV_DOMAIN_BLOCK_JOB_COMPLETED));
    xml = live_xml(f);
    needle = g_strdup_printf("<source file='%s'/>", f->base);
    g_assert_nonnull(strstr(xml, needle));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, f->base));
}

/* Regression: an active commit pivoted, then a pull, then a copy of the
 * same disk. The copy must mirror from the disk's current root node
 * (once "blockdev-mirror: Need a root block node"). */
static void
test_commit_pull_copy(BjFixture *f, gconstpointer data)
{
    g_autofree char *dest = g_build_filename(f->dir, "copy.qcow2", NULL);
    g_autofree char *nodes = NULL;
    g_autofree char *dxml = copy_dest_xml(dest);
    g_autofree char *xml = NULL;
    g_autofree char *needle = NULL;

    (void)data;
    /* Commit top into mid only, so the pull has a backing to pull from. */
    g_assert_cmpint(qemu_blockjob_commit(bj_driver, f->vm, "vda", f->mid, NULL, 0,
                                         QV_DOMAIN_BLOCK_COMMIT_ACTIVE),
                    ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT, QV_DOMAIN_BLOCK_JOB_READY));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, 0);
    xml = live_xml(f);
    needle = g_strdup_printf("<source file='%s'/>", f->mid);
    g_assert_nonnull(strstr(xml, needle));
    g_clear_pointer(&xml, g_free);

    events_clear();
    g_assert_cmpint(qemu_blockjob_pull(bj_driver, f->vm, "vda", 0, 0), ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_PULL, QV_DOMAIN_BLOCK_JOB_COMPLETED));

    /* The image that left the chain has no node left in QEMU. */
    g_assert_cmpint(qemu_driver_monitor_command(
                        bj_driver, f->vm, "{\"execute\":\"query-named-block-nodes\"}", &nodes, 0),
                    ==, 0);
    g_assert_nonnull(strstr(nodes, f->mid));
    g_assert_null(strstr(nodes, f->top));

    events_clear();
    if (qemu_blockjob_copy(bj_driver, f->vm, "vda", dxml, NULL, 0, 0) < 0)
        g_error("copy after commit and pull: %s", qvirt_error_last_message());
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_COPY, QV_DOMAIN_BLOCK_JOB_READY));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, 0);
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", QV_DOMAIN_BLOCK_JOB_TYPE_COPY,
                             QV_DOMAIN_BLOCK_JOB_COMPLETED));
    xml = live_xml(f);
    g_free(needle);
    needle = g_strdup_printf("<source file='%s'/>", dest);
    g_assert_nonnull(strstr(xml, needle));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, dest));
    g_assert_null(backing_of(dest));
}

/* Aborting a ready active commit keeps the overlay (--keep-overlay). */
static void
test_commit_active_abort(BjFixture *f, gconstpointer data)
{
    g_autofree char *xml = NULL;
    g_autofree char *needle = NULL;
    g_autofree char *base_before = g_build_filename(f->dir, "base-before.raw", NULL);

    (void)data;
    to_raw(f->base, base_before);
    g_assert_cmpint(qemu_blockjob_commit(bj_driver, f->vm, "vda", NULL, f->top, 0,
                                         QV_DOMAIN_BLOCK_COMMIT_ACTIVE),
                    ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT, QV_DOMAIN_BLOCK_JOB_READY));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, f->top, 0), ==, 0);
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda",
                             QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT, QV_DOMAIN_BLOCK_JOB_CANCELED));
    xml = live_xml(f);
    needle = g_strdup_printf("<source file='%s'/>", f->top);
    g_assert_nonnull(strstr(xml, needle));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, f->top));
    /* The base took the data all the same: it now reads like top. */
    g_assert_true(same_content(f->ref_top, f->base));
    g_assert_false(same_content(base_before, f->base));
}

/* A throttled pull (64 KiB/s over 12 MiB) runs long enough to watch. */
static void
start_throttled_pull(BjFixture *f)
{
    g_assert_cmpint(qemu_blockjob_pull(bj_driver, f->vm, "vda", 64 * 1024,
                                       QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES),
                    ==, 0);
}

static void
test_abort_sync(BjFixture *f, gconstpointer data)
{
    g_autofree char *status = NULL;
    g_autofree char *jobs = NULL;
    QvDomainBlockJobInfo info;

    (void)data;
    start_throttled_pull(f);
    status = status_xml(f);
    g_assert_nonnull(strstr(status, "name='qvirt-pull-vda' type='pull'"));
    g_assert_cmpint(job_info(f, &info), ==, 1);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_BLOCK_JOB_TYPE_PULL);
    g_assert_cmpuint(info.cur, !=, info.end);
    g_assert_cmpint(qemu_blockjob_set_speed(bj_driver, f->vm, "vda", 1, 0), ==, 0);
    g_assert_cmpint(job_info(f, &info), ==, 1);
    g_assert_cmpuint(info.bandwidth, ==, 1);
    g_assert_cmpint(qemu_blockjob_set_speed(bj_driver, f->vm, "vda", 32 * 1024,
                                            QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES),
                    ==, 0);
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", 0), ==, 0);
    /* Gone at return: from QEMU, from the record, from the status. */
    jobs = query_jobs(f);
    g_assert_true(jobs_empty(jobs));
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", QV_DOMAIN_BLOCK_JOB_TYPE_PULL,
                             QV_DOMAIN_BLOCK_JOB_CANCELED));
    g_assert_cmpint(job_info(f, &info), ==, 0);
    g_free(status);
    status = status_xml(f);
    g_assert_null(strstr(status, "<blockjobs>"));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, f->top));
}

static void
test_abort_async(BjFixture *f, gconstpointer data)
{
    g_autofree char *jobs = NULL;

    (void)data;
    start_throttled_pull(f);
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC),
                    ==, 0);
    /* A second abort while it ends is refused. */
    if (!event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", -1, QV_DOMAIN_BLOCK_JOB_CANCELED))
        g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", 0), ==, -1);
    qvirt_error_reset();
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_PULL, QV_DOMAIN_BLOCK_JOB_CANCELED));
    jobs = query_jobs(f);
    g_assert_true(jobs_empty(jobs));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, f->top));
}

/* Free the driver (QEMU keeps running) and start a new one on the same
 * folders, as a daemon restart does; F's domain is looked up again. */
static void
restart_driver(BjFixture *f)
{
    g_autofree char *name = g_strdup(domain_obj_get_name(f->vm));

    g_clear_pointer(&f->vm, domain_obj_unref);
    qemu_driver_free(bj_driver);
    if (!(bj_driver = qemu_driver_new(bj_cfg)))
        g_error("driver: %s", qvirt_error_last_message());
    qemu_driver_set_event_func(bj_driver, record_event, NULL);
    g_assert_cmpint(qemu_driver_start(bj_driver, FALSE), ==, 0);
    f->vm = qemu_driver_lookup_by_name(bj_driver, name);
    g_assert_nonnull(f->vm);
}

static void
test_restart_copy(BjFixture *f, gconstpointer data)
{
    g_autofree char *dest = g_build_filename(f->dir, "copy.qcow2", NULL);
    g_autofree char *dxml = copy_dest_xml(dest);
    QvTypedParam bw = {.field = QV_DOMAIN_BLOCK_COPY_BANDWIDTH,
                       .type = QV_TYPED_PARAM_ULLONG,
                       .value.ul = 64 * 1024};
    g_autofree char *xml = NULL;
    g_autofree char *needle = NULL;
    QvDomainBlockJobInfo info;

    (void)data;
    g_assert_cmpint(qemu_blockjob_copy(bj_driver, f->vm, "vda", dxml, &bw, 1, 0), ==, 0);
    /* Restart while it runs: the job is still there, and still ours. */
    restart_driver(f);
    g_assert_cmpint(job_info(f, &info), ==, 1);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_BLOCK_JOB_TYPE_COPY);
    g_assert_cmpuint(info.bandwidth, ==, 0); /* 64 KiB/s is 0 MiB/s */
    g_assert_cmpint(qemu_blockjob_pull(bj_driver, f->vm, "vda", 0, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_BLOCK_COPY_ACTIVE, "already");
    g_assert_cmpint(qemu_blockjob_set_speed(bj_driver, f->vm, "vda", 0, 0), ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_COPY, QV_DOMAIN_BLOCK_JOB_READY));
    /* Restart while ready: pivot still works. */
    restart_driver(f);
    g_assert_cmpint(job_info(f, &info), ==, 1);
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, 0);
    g_assert_true(event_seen(QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", QV_DOMAIN_BLOCK_JOB_TYPE_COPY,
                             QV_DOMAIN_BLOCK_JOB_COMPLETED));
    xml = live_xml(f);
    needle = g_strdup_printf("<source file='%s'/>", dest);
    g_assert_nonnull(strstr(xml, needle));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, dest));
}

/* The regression of /blockjob/commit/pull-copy over a restart: the node
 * names of the images an active commit drops are planned again by the
 * restarted driver, so a copy after the pivot still finds a root node. */
static void
test_restart_commit_copy(BjFixture *f, gconstpointer data)
{
    g_autofree char *dest = g_build_filename(f->dir, "copy.qcow2", NULL);
    g_autofree char *dxml = copy_dest_xml(dest);
    g_autofree char *nodes = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *needle = NULL;

    (void)data;
    g_assert_cmpint(qemu_blockjob_commit(bj_driver, f->vm, "vda", f->mid, NULL, 0,
                                         QV_DOMAIN_BLOCK_COMMIT_ACTIVE),
                    ==, 0);
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT, QV_DOMAIN_BLOCK_JOB_READY));
    restart_driver(f);
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, 0);
    g_assert_cmpint(qemu_driver_monitor_command(
                        bj_driver, f->vm, "{\"execute\":\"query-named-block-nodes\"}", &nodes, 0),
                    ==, 0);
    g_assert_null(strstr(nodes, f->top));
    events_clear();
    if (qemu_blockjob_copy(bj_driver, f->vm, "vda", dxml, NULL, 0, 0) < 0)
        g_error("copy after a restart and a commit: %s", qvirt_error_last_message());
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_COPY, QV_DOMAIN_BLOCK_JOB_READY));
    g_assert_cmpint(qemu_blockjob_abort(bj_driver, f->vm, "vda", QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT),
                    ==, 0);
    xml = live_xml(f);
    needle = g_strdup_printf("<source file='%s'/>", dest);
    g_assert_nonnull(strstr(xml, needle));
    stop_domain(f);
    g_assert_true(same_content(f->ref_top, dest));
}

static void
test_qemu_killed(BjFixture *f, gconstpointer data)
{
    pid_t pid;
    unsigned long long start;

    (void)data;
    start_throttled_pull(f);
    g_assert_true(lifecycle_status_pid(bj_driver->config->state_dir, domain_obj_get_name(f->vm),
                                       &pid, &start));
    g_assert_true(lifecycle_kill_pid(pid, start));
    g_assert_true(wait_event(QV_DOMAIN_BLOCK_JOB_TYPE_PULL, QV_DOMAIN_BLOCK_JOB_FAILED));
    g_clear_pointer(&f->vm, domain_obj_unref);
}

/* The state table, cell by cell where it matters. */
static void
test_state_table(void)
{
    static const struct {
        int state;
        const char *status;
        int next;
    } cells[] = {
        {DOMAIN_BLOCKJOB_STATE_NEW, "created", DOMAIN_BLOCKJOB_STATE_RUNNING},
        {DOMAIN_BLOCKJOB_STATE_NEW, "running", DOMAIN_BLOCKJOB_STATE_RUNNING},
        {DOMAIN_BLOCKJOB_STATE_NEW, "ready", DOMAIN_BLOCKJOB_STATE_READY},
        {DOMAIN_BLOCKJOB_STATE_RUNNING, "ready", DOMAIN_BLOCKJOB_STATE_READY},
        {DOMAIN_BLOCKJOB_STATE_RUNNING, "standby", DOMAIN_BLOCKJOB_STATE_READY},
        {DOMAIN_BLOCKJOB_STATE_READY, "running", DOMAIN_BLOCKJOB_STATE_RUNNING},
        {DOMAIN_BLOCKJOB_STATE_READY, "paused", DOMAIN_BLOCKJOB_STATE_READY},
        {DOMAIN_BLOCKJOB_STATE_RUNNING, "pending", DOMAIN_BLOCKJOB_STATE_RUNNING},
        {DOMAIN_BLOCKJOB_STATE_RUNNING, "aborting", DOMAIN_BLOCKJOB_STATE_RUNNING},
        {DOMAIN_BLOCKJOB_STATE_ABORTING, "ready", DOMAIN_BLOCKJOB_STATE_ABORTING},
        {DOMAIN_BLOCKJOB_STATE_ABORTING, "running", DOMAIN_BLOCKJOB_STATE_ABORTING},
        {DOMAIN_BLOCKJOB_STATE_PIVOTING, "running", DOMAIN_BLOCKJOB_STATE_PIVOTING},
        {DOMAIN_BLOCKJOB_STATE_PIVOTING, "waiting", DOMAIN_BLOCKJOB_STATE_PIVOTING},
        {DOMAIN_BLOCKJOB_STATE_CONCLUDED, "running", DOMAIN_BLOCKJOB_STATE_CONCLUDED},
        {DOMAIN_BLOCKJOB_STATE_RUNNING, "null", DOMAIN_BLOCKJOB_STATE_RUNNING},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cells); i++)
        g_assert_cmpint(qemu_blockjob_next_state(cells[i].state, cells[i].status), ==,
                        cells[i].next);
    for (int st = 0; st < DOMAIN_BLOCKJOB_STATE_LAST; st++) {
        gboolean terminal = st == DOMAIN_BLOCKJOB_STATE_COMPLETED ||
                            st == DOMAIN_BLOCKJOB_STATE_FAILED ||
                            st == DOMAIN_BLOCKJOB_STATE_CANCELLED;

        /* Only concluded ends a job; the terminal states never change. */
        g_assert_cmpint(qemu_blockjob_next_state(st, "concluded"), ==,
                        terminal ? st : DOMAIN_BLOCKJOB_STATE_CONCLUDED);
        if (terminal)
            g_assert_cmpint(qemu_blockjob_next_state(st, "running"), ==, st);
        g_assert_cmpint(qemu_blockjob_next_state(st, "bogus"), ==, -1);
        g_assert_cmpint(qemu_blockjob_next_state(st, NULL), ==, -1);
    }
}

/* ---- main ---- */

static gboolean
have_tools(char **ret_why)
{
    const char *tools[] = {"qemu-system-x86_64", "qemu-img", "qemu-io"};

    for (size_t i = 0; i < G_N_ELEMENTS(tools); i++) {
        g_autofree char *p = g_find_program_in_path(tools[i]);

        if (!p) {
            *ret_why = g_strdup_printf("%s not found", tools[i]);
            return FALSE;
        }
    }
    return TRUE;
}

#define ADD(name, fn) g_test_add(name, BjFixture, NULL, fixture_setup, fn, fixture_teardown)

/* The cases, in a child process: the driver and its threads live there. */
static int
run_cases(QemuDriverConfig *cfg)
{
    int rc;

    bj_cfg = cfg;
    if (!(bj_driver = qemu_driver_new(cfg)))
        g_error("driver: %s", qvirt_error_last_message());
    qemu_driver_set_event_func(bj_driver, record_event, NULL);
    if (qemu_driver_start(bj_driver, FALSE) < 0)
        g_error("driver start: %s", qvirt_error_last_message());
    g_test_add_func("/blockjob/state-table", test_state_table);
    ADD("/blockjob/pull/full", test_pull_full);
    ADD("/blockjob/pull/to-base", test_pull_to_base);
    ADD("/blockjob/pull/to-mid", test_pull_to_mid);
    ADD("/blockjob/copy/pivot", test_copy_pivot);
    ADD("/blockjob/copy/abort", test_copy_abort);
    ADD("/blockjob/copy/refusals", test_copy_refusals);
    ADD("/blockjob/copy/reuse-shallow", test_copy_reuse_shallow);
    ADD("/blockjob/commit/inactive", test_commit_inactive);
    ADD("/blockjob/commit/active-pivot", test_commit_active_pivot);
    ADD("/blockjob/commit/active-abort", test_commit_active_abort);
    ADD("/blockjob/commit/pull-copy", test_commit_pull_copy);
    ADD("/blockjob/abort/sync", test_abort_sync);
    ADD("/blockjob/abort/async", test_abort_async);
    ADD("/blockjob/restart/copy", test_restart_copy);
    ADD("/blockjob/restart/commit-copy", test_restart_commit_copy);
    ADD("/blockjob/qemu-killed", test_qemu_killed);
    rc = g_test_run();
    qemu_driver_free(bj_driver);
    return rc;
}

int
main(int argc, char **argv)
{
    g_autofree char *why = NULL;
    g_autoptr(QemuDriverConfig) cfg = NULL;
    int status = 0;
    pid_t child;

    qvirt_test_init(&argc, &argv);
    if (!have_tools(&why)) {
        g_test_message("skipped: %s", why);
        return 77;
    }
    ev_list = g_ptr_array_new_with_free_func(bj_event_free);
    bj_root = qvirt_test_mkdtemp();
    cfg = qemu_driver_config_new(FALSE, bj_root);
    if (!cfg || qemu_driver_config_load_file(cfg, NULL) < 0)
        g_error("config: %s", qvirt_error_last_message());
    /* A failed assertion aborts the child; the parent then still kills
     * every QEMU the cases left and removes the folders. */
    fflush(NULL);
    if (g_getenv("QVIRT_TEST_NO_FORK")) /* for a debugger */
        return run_cases(cfg);
    if ((child = fork()) < 0)
        g_error("fork: %s", g_strerror(errno));
    if (child == 0)
        _exit(run_cases(cfg));
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    lifecycle_kill_all(cfg->state_dir);
    qvirt_test_rmtree(bj_root);
    g_free(bj_root);
    g_ptr_array_unref(ev_list);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    fprintf(stderr, "test-blockjob: the cases died (status 0x%x)\n", (unsigned int)status);
    return 1;
}

/* test-save.c: the save image format (qemu_save_image.c) and the parts of
 * save and restore (qemu_save.c) that need no real QEMU:
 * - the header and XML round trip, and every bad file the parser and the
 *   reader refuse (foreign, truncated, wrong version, incomplete, corrupt
 *   lengths, offsets, flags and reserved bytes, NUL in the XML, a file
 *   shorter than its stream, not a regular file);
 * - restore refuses bad files, bad XML and a foreign --xml before touching
 *   any driver state (called with no driver at all); save and restore
 *   refuse bad flags and relative paths;
 * - qemu_save_migrate_to_fd() against the scripted fake QEMU: bandwidth
 *   lifted and put back, the descriptor passed with getfd, `migrate
 *   fd:NAME`, progress polled until completed; a failure and a domjobabort
 *   cancel QEMU's migration and still put the bandwidth back.
 * Real saves and restores are in tests/integration/save. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_save.h"
#include "qemu/qemu_save_image.h"
#include "qemumonitortest.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"

#define TEST_XML                                                                                   \
    "<domain type='qemu'>\n  <name>savevm</name>\n"                                                \
    "  <uuid>5c1d1fc0-62c5-4d3c-9d6b-2b1f0ad5c9a1</uuid>\n"                                        \
    "  <memory unit='KiB'>65536</memory>\n  <vcpu>1</vcpu>\n"                                      \
    "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n</domain>\n"

/* A whole image of TEST_XML with a stream of STREAM_LEN bytes (new). */
static guint8 *
make_image(guint32 flags, gsize stream_len, gsize *ret_len)
{
    gsize prefix_len;
    g_autofree guint8 *prefix = qemu_save_image_format(TEST_XML, flags, stream_len, &prefix_len);
    guint8 *buf = g_malloc(prefix_len + stream_len);

    memcpy(buf, prefix, prefix_len);
    for (gsize i = 0; i < stream_len; i++)
        buf[prefix_len + i] = (guint8)(i * 7);
    *ret_len = prefix_len + stream_len;
    return buf;
}

static void
put_le32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, 4);
}

static void
put_le64(guint8 *p, guint64 v)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, 8);
}

/* ---- the format ---- */

static void
test_image_round_trip(void)
{
    gsize len;
    g_autofree guint8 *buf = make_image(QEMU_SAVE_IMAGE_WAS_RUNNING, 100, &len);
    g_autoptr(QemuSaveImage) image = NULL;

    g_assert_cmpmem(buf, 16, "QvirtSaveImage\0\0", 16);
    g_assert_cmpuint(len, ==, QEMU_SAVE_IMAGE_ALIGN + 100);
    g_assert_cmpint(qemu_save_image_parse(buf, len, "img", &image), ==, 0);
    g_assert_cmpuint(image->version, ==, 1);
    g_assert_cmpuint(image->flags, ==, QEMU_SAVE_IMAGE_WAS_RUNNING);
    g_assert_cmpstr(image->xml, ==, TEST_XML);
    g_assert_cmpuint(image->stream_offset, ==, QEMU_SAVE_IMAGE_ALIGN);
    g_assert_cmpuint(image->stream_len, ==, 100);
    /* The header and XML alone are enough for the parser. */
    g_clear_pointer(&image, qemu_save_image_free);
    g_assert_cmpint(
        qemu_save_image_parse(buf, QEMU_SAVE_IMAGE_HEADER_LEN + strlen(TEST_XML), "img", &image),
        ==, 0);
    g_assert_cmpuint(image->flags, ==, QEMU_SAVE_IMAGE_WAS_RUNNING);
}

static void
test_image_large_xml(void)
{
    g_autofree char *xml = g_strnfill(QEMU_SAVE_IMAGE_ALIGN, 'x');
    g_autofree guint8 *buf = NULL;
    g_autoptr(QemuSaveImage) image = NULL;
    gsize len;

    /* 64 + 4096 bytes: the stream starts at the next 4 KiB boundary. */
    buf = qemu_save_image_format(xml, 0, 5, &len);
    g_assert_cmpuint(len, ==, 2 * QEMU_SAVE_IMAGE_ALIGN);
    g_assert_cmpint(qemu_save_image_parse(buf, len, "img", &image), ==, 0);
    g_assert_cmpstr(image->xml, ==, xml);
    g_assert_cmpuint(image->stream_offset, ==, 2 * QEMU_SAVE_IMAGE_ALIGN);
}

typedef struct {
    const char *name;
    gsize offset; /* where to write VALUE (with WIDTH bytes) */
    int width;    /* 1, 4 or 8; 0: write nothing */
    guint64 value;
    gsize cut; /* parse only this many bytes (ALL: every byte) */
    int code;
    const char *message;
} BadImage;

#define ALL G_MAXSIZE

static const BadImage bad_images[] = {
    {"foreign", 0, 1, 'L', ALL, QVIRT_ERR_OPERATION_FAILED, "'img' is not a qvirt save image"},
    {"empty", 0, 0, 0, 0, QVIRT_ERR_OPERATION_FAILED, "'img' is not a qvirt save image"},
    {"short-magic", 0, 0, 0, 10, QVIRT_ERR_OPERATION_FAILED, "save image 'img' is truncated"},
    {"short-header", 0, 0, 0, 40, QVIRT_ERR_OPERATION_FAILED, "save image 'img' is truncated"},
    {"short-xml", 0, 0, 0, 100, QVIRT_ERR_OPERATION_FAILED, "save image 'img' is truncated"},
    {"version-0", 16, 4, 0, ALL, QVIRT_ERR_OPERATION_FAILED,
     "save image 'img' has version 0; this qvirt reads version 1"},
    {"version-2", 16, 4, 2, ALL, QVIRT_ERR_OPERATION_FAILED, "has version 2"},
    {"flags", 20, 4, 0x80, ALL, QVIRT_ERR_OPERATION_FAILED, "is corrupt: unknown flags"},
    {"xml-len-0", 24, 4, 0, ALL, QVIRT_ERR_OPERATION_FAILED, "is corrupt: invalid XML length"},
    {"xml-len-huge", 24, 4, G_MAXUINT32, ALL, QVIRT_ERR_OPERATION_FAILED,
     "is corrupt: invalid XML length"},
    {"xml-len-other", 24, 4, 5000, ALL, QVIRT_ERR_OPERATION_FAILED,
     "is corrupt: invalid stream offset"},
    {"reserved-28", 28, 4, 1, ALL, QVIRT_ERR_OPERATION_FAILED, "reserved bytes are set"},
    {"offset-0", 32, 8, 0, ALL, QVIRT_ERR_OPERATION_FAILED, "invalid stream offset"},
    {"offset-unaligned", 32, 8, 4097, ALL, QVIRT_ERR_OPERATION_FAILED, "invalid stream offset"},
    {"offset-far", 32, 8, 8192, ALL, QVIRT_ERR_OPERATION_FAILED, "invalid stream offset"},
    {"incomplete", 40, 8, 0, ALL, QVIRT_ERR_OPERATION_FAILED,
     "save image 'img' is incomplete: the save that wrote it did not finish"},
    {"stream-len-huge", 40, 8, G_MAXUINT64, ALL, QVIRT_ERR_OPERATION_FAILED,
     "invalid stream length"},
    {"reserved-48", 48, 1, 1, ALL, QVIRT_ERR_OPERATION_FAILED, "reserved bytes are set"},
    {"reserved-63", 63, 1, 0xff, ALL, QVIRT_ERR_OPERATION_FAILED, "reserved bytes are set"},
    {"nul-in-xml", 70, 1, 0, ALL, QVIRT_ERR_OPERATION_FAILED, "the XML contains a NUL byte"},
};

static void
test_image_bad(gconstpointer data)
{
    const BadImage *bad = data;
    gsize len;
    g_autofree guint8 *buf = make_image(0, 10, &len);
    g_autoptr(QemuSaveImage) image = NULL;

    if (bad->width == 1)
        buf[bad->offset] = (guint8)bad->value;
    else if (bad->width == 4)
        put_le32(buf + bad->offset, (guint32)bad->value);
    else if (bad->width == 8)
        put_le64(buf + bad->offset, bad->value);
    if (bad->cut != ALL)
        len = bad->cut;
    g_assert_cmpint(qemu_save_image_parse(buf, len, "img", &image), ==, -1);
    g_assert_null(image);
    qvirt_test_assert_error(bad->code, bad->message);
}

/* ---- reading a file ---- */

static char *
write_file(const char *dir, const char *name, const guint8 *data, gsize len)
{
    char *path = g_build_filename(dir, name, NULL);

    g_assert_cmpint(qvirt_file_write_atomic(path, data, len, 0600), ==, 0);
    return path;
}

static int
read_path(const char *path, QemuSaveImage **ret_image)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    g_assert_cmpint(fd, >=, 0);
    rc = qemu_save_image_read(fd, path, ret_image);
    close(fd);
    return rc;
}

static void
test_image_read(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    gsize len;
    g_autofree guint8 *buf = make_image(QEMU_SAVE_IMAGE_WAS_RUNNING, 5000, &len);
    g_autofree char *good = write_file(dir, "good.img", buf, len);
    g_autofree char *cut = write_file(dir, "cut.img", buf, len - 1);
    g_autofree char *header = write_file(dir, "header.img", buf, 30);
    g_autofree char *nothing = write_file(dir, "empty.img", buf, 0);
    g_autoptr(QemuSaveImage) image = NULL;

    g_assert_cmpint(read_path(good, &image), ==, 0);
    g_assert_cmpstr(image->xml, ==, TEST_XML);
    g_assert_cmpuint(image->stream_len, ==, 5000);
    g_clear_pointer(&image, qemu_save_image_free);

    /* One byte of the stream missing: refused before anything starts. */
    g_assert_cmpint(read_path(cut, &image), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED,
                            "is truncated: 5000 bytes of QEMU's stream expected, 4999 present");
    g_assert_cmpint(read_path(header, &image), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "is truncated");
    g_assert_cmpint(read_path(nothing, &image), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "not a qvirt save image");
    /* A folder is no image. */
    g_assert_cmpint(read_path(dir, &image), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "is not a regular file");
    g_assert_null(image);
    qvirt_test_rmtree(dir);
}

/* ---- restore and save refuse before touching anything ---- */

static void
test_restore_refuses(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    gsize len;
    g_autofree guint8 *buf = make_image(0, 10, &len);
    g_autofree char *missing = g_build_filename(dir, "missing.img", NULL);
    g_autofree char *foreign = NULL;
    g_autofree char *badxml = NULL;
    g_autofree char *good = write_file(dir, "good.img", buf, len);
    g_autofree guint8 *garbled = NULL;
    const char *other_uuid = "<domain type='qemu'><name>savevm</name>"
                             "<uuid>11111111-62c5-4d3c-9d6b-2b1f0ad5c9a1</uuid>"
                             "<memory>65536</memory><os><type>hvm</type></os></domain>";
    const char *other_name = "<domain type='qemu'><name>other</name>"
                             "<uuid>5c1d1fc0-62c5-4d3c-9d6b-2b1f0ad5c9a1</uuid>"
                             "<memory>65536</memory><os><type>hvm</type></os></domain>";

    foreign = write_file(dir, "foreign.img", (const guint8 *)"LibvirtQemudSave\0\0\0\0", 20);
    garbled = qemu_save_image_format("<domain type='qemu'><name>x</nam", 0, 10, &len);
    garbled = g_realloc(garbled, len + 10);
    memset(garbled + len, 0, 10);
    badxml = write_file(dir, "badxml.img", garbled, len + 10);

    /* No driver: any use of it would crash the test. */
    g_assert_cmpint(qemu_save_restore(NULL, missing, NULL, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "cannot open save image");
    g_assert_cmpint(qemu_save_restore(NULL, foreign, NULL, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "not a qvirt save image");
    g_assert_cmpint(qemu_save_restore(NULL, badxml, NULL, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "its domain XML does not parse");
    g_assert_cmpint(qemu_save_restore(NULL, good, other_uuid, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "the name and UUID must stay");
    g_assert_cmpint(qemu_save_restore(NULL, good, other_name, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "describes domain 'other'");
    g_assert_cmpint(qemu_save_restore(NULL, good, "<domain", 0), ==, -1);
    g_assert_nonnull(qvirt_error_get_last());
    qvirt_error_reset();

    /* Flags and paths. */
    g_assert_cmpint(
        qemu_save_restore(NULL, good, NULL, QV_DOMAIN_SAVE_RUNNING | QV_DOMAIN_SAVE_PAUSED), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "mutually exclusive");
    g_assert_cmpint(qemu_save_restore(NULL, good, NULL, QV_DOMAIN_SAVE_RESET_NVRAM), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags");
    g_assert_cmpint(qemu_save_restore(NULL, "good.img", NULL, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "must be an absolute path");
    g_assert_cmpint(qemu_save_domain(NULL, NULL, "rel.img", NULL, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "must be an absolute path");
    g_assert_cmpint(qemu_save_domain(NULL, NULL, good, NULL, 0x100), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags");
    qvirt_test_rmtree(dir);
}

/* ---- the stream into a descriptor, against the fake QEMU ---- */

#define UNLIMITED "9223372036853727232"

typedef struct {
    QemuDriver driver; /* only its config is used */
    DomainObj *vm;
    QemuMonitorTest *server;
    QvirtEventLoop *loop;
    int fd;
    char *dir;
} StreamDom;

static int
stream_save_status(DomainObj *vm, gpointer opaque)
{
    return 0;
}

/* A domain whose save streams at MIBS MiB/s (0: unlimited). */
static StreamDom *
stream_dom_new_full(guint mibs)
{
    StreamDom *d = g_new0(StreamDom, 1);
    DomainDef *def = domain_def_new();
    DomainJobCallbacks cb = {.save_status = stream_save_status};
    g_autofree char *path = NULL;

    d->driver.config = qemu_driver_config_new(TRUE, "/ROOT");
    d->driver.config->save_max_bandwidth = mibs;
    def->name = g_strdup("savevm");
    def->id = 1;
    d->vm = domain_obj_new(def);
    d->vm->pid = 1;
    domain_obj_set_state(d->vm, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_SAVE);
    qemu_domain_job_set_callbacks(&cb);
    domain_job_obj_set_callbacks(d->vm->job, &cb, d);
    qemu_domain_obj_init_private(d->vm);
    d->loop = qvirt_event_loop_new("save-loop");
    d->server = qemu_monitor_test_new(QEMU_MONITOR_PROTOCOL_QMP);
    d->dir = qvirt_test_mkdtemp();
    path = g_build_filename(d->dir, "image", NULL);
    d->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    g_assert_cmpint(d->fd, >=, 0);
    /* The originals save_original reads, and the lifted cap. */
    qemu_monitor_test_expect(d->server, "query-migrate-capabilities", NULL,
                             "{\"return\": [{\"capability\": \"xbzrle\", \"state\": false}]}");
    qemu_monitor_test_expect(d->server, "query-migrate-parameters", NULL,
                             "{\"return\": {\"max-bandwidth\": 33554432}}");
    if (mibs) {
        g_autofree char *args =
            g_strdup_printf("{\"max-bandwidth\": %llu}", (unsigned long long)mibs << 20);

        qemu_monitor_test_expect(d->server, "migrate-set-parameters", args, "{\"return\": {}}");
    } else {
        qemu_monitor_test_expect(d->server, "migrate-set-parameters",
                                 "{\"max-bandwidth\": " UNLIMITED "}", "{\"return\": {}}");
    }
    return d;
}

static StreamDom *
stream_dom_new(void)
{
    return stream_dom_new_full(0);
}

static void
stream_dom_connect(StreamDom *d)
{
    qemu_domain_obj_private(d->vm)->mon = qemu_monitor_test_open(d->server, d->loop, NULL);
    g_assert_nonnull(qemu_domain_obj_private(d->vm)->mon);
    domain_obj_lock(d->vm);
    g_assert_cmpint(
        domain_job_begin_async(d->vm, DOMAIN_ASYNC_JOB_SAVE, DOMAIN_JOB_OPERATION_SAVE, 0), ==, 0);
    domain_obj_unlock(d->vm);
}

static void
stream_dom_free(StreamDom *d)
{
    domain_obj_lock(d->vm);
    domain_job_end_async(d->vm);
    domain_obj_unlock(d->vm);
    domain_obj_unref(d->vm); /* closes the monitor */
    qemu_monitor_test_finish(d->server);
    qvirt_event_loop_free(d->loop);
    close(d->fd);
    qvirt_test_rmtree(d->dir);
    g_free(d->dir);
    qemu_driver_config_unref(d->driver.config);
    g_free(d);
}

static void
expect_getfd_migrate(StreamDom *d)
{
    qemu_monitor_test_expect_fds(d->server, "getfd", "{\"fdname\": \"qvirt-save-fd\"}", 1,
                                 "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "migrate",
                             "{\"detach\": true, \"uri\": \"fd:qvirt-save-fd\"}",
                             "{\"return\": {}}");
}

static void
expect_restore_bandwidth(StreamDom *d)
{
    qemu_monitor_test_expect(d->server, "migrate-set-parameters", "{\"max-bandwidth\": 33554432}",
                             "{\"return\": {}}");
}

static int
stream_run(StreamDom *d)
{
    int rc;

    domain_obj_lock(d->vm);
    rc = qemu_save_migrate_to_fd(&d->driver, d->vm, DOMAIN_ASYNC_JOB_SAVE, d->fd);
    domain_obj_unlock(d->vm);
    return rc;
}

static void
test_stream_completed(void)
{
    StreamDom *d = stream_dom_new();
    DomainJobStats stats;

    expect_getfd_migrate(d);
    qemu_monitor_test_expect(d->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"active\", \"ram\": {\"total\": 1000, "
                             "\"remaining\": 600, \"transferred\": 400}}}");
    qemu_monitor_test_expect(d->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"completed\", \"ram\": {\"total\": 1000, "
                             "\"remaining\": 0, \"transferred\": 1000}}}");
    expect_restore_bandwidth(d);
    stream_dom_connect(d);

    g_assert_cmpint(stream_run(d), ==, 0);
    domain_obj_lock(d->vm);
    domain_job_get_stats(d->vm, FALSE, &stats);
    g_assert_cmpint(stats.operation, ==, DOMAIN_JOB_OPERATION_SAVE);
    g_assert_cmpuint(stats.mem_total, ==, 1000);
    g_assert_cmpuint(stats.mem_processed, ==, 1000);
    /* The originals are put back and forgotten. */
    g_assert_null(qemu_domain_job_private(d->vm)->mig_params);
    domain_obj_unlock(d->vm);
    stream_dom_free(d);
}

/* save_max_bandwidth (MiB/s) becomes QEMU's max-bandwidth (bytes/s). */
static void
test_stream_throttled(void)
{
    StreamDom *d = stream_dom_new_full(32);

    expect_getfd_migrate(d);
    qemu_monitor_test_expect(d->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"completed\"}}");
    expect_restore_bandwidth(d);
    stream_dom_connect(d);
    g_assert_cmpint(stream_run(d), ==, 0);
    stream_dom_free(d);
}

static void
test_stream_failed(void)
{
    StreamDom *d = stream_dom_new();

    expect_getfd_migrate(d);
    qemu_monitor_test_expect(d->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"failed\", "
                             "\"error-desc\": \"No space left on device\"}}");
    /* Cancelled (QEMU has stopped already), bandwidth back. */
    qemu_monitor_test_expect(d->server, "migrate_cancel", NULL, "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"failed\"}}");
    expect_restore_bandwidth(d);
    stream_dom_connect(d);

    g_assert_cmpint(stream_run(d), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "No space left on device");
    stream_dom_free(d);
}

static void
test_stream_getfd_refused(void)
{
    StreamDom *d = stream_dom_new();

    qemu_monitor_test_expect_error(d->server, "getfd", "GenericError", "No file descriptor");
    expect_restore_bandwidth(d);
    stream_dom_connect(d);

    g_assert_cmpint(stream_run(d), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "No file descriptor");
    stream_dom_free(d);
}

/* QEMU refuses `migrate`: the descriptor it holds is closed again. */
static void
test_stream_migrate_refused(void)
{
    StreamDom *d = stream_dom_new();

    qemu_monitor_test_expect_fds(d->server, "getfd", NULL, 1, "{\"return\": {}}");
    qemu_monitor_test_expect_error(d->server, "migrate", "GenericError",
                                   "There's a migration process in progress");
    qemu_monitor_test_expect(d->server, "closefd", "{\"fdname\": \"qvirt-save-fd\"}",
                             "{\"return\": {}}");
    expect_restore_bandwidth(d);
    stream_dom_connect(d);

    g_assert_cmpint(stream_run(d), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "migration process in progress");
    stream_dom_free(d);
}

/* The fake QEMU's answer to `migrate`, asking for the job's abort
 * meanwhile (the caller's thread waits with the domain unlocked). */
static char *
migrate_and_abort(const char *cmd, QvirtJson *args, gpointer opaque)
{
    StreamDom *d = opaque;

    domain_obj_lock(d->vm);
    g_assert_cmpint(domain_job_request_abort(d->vm), ==, 0);
    domain_obj_unlock(d->vm);
    return g_strdup("{\"return\": {}}");
}

static void
test_stream_aborted(void)
{
    StreamDom *d = stream_dom_new();
    DomainJobStats stats;

    qemu_monitor_test_expect_fds(d->server, "getfd", NULL, 1, "{\"return\": {}}");
    qemu_monitor_test_expect_func(d->server, "migrate", migrate_and_abort, d);
    qemu_monitor_test_expect(d->server, "migrate_cancel", NULL, "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"cancelling\"}}");
    qemu_monitor_test_expect(d->server, "query-migrate", NULL,
                             "{\"return\": {\"status\": \"cancelled\"}}");
    expect_restore_bandwidth(d);
    stream_dom_connect(d);

    g_assert_cmpint(stream_run(d), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_ABORTED, "save of domain 'savevm' was cancelled");
    domain_obj_lock(d->vm);
    domain_job_get_stats(d->vm, FALSE, &stats);
    g_assert_cmpint(stats.async_job, ==, DOMAIN_ASYNC_JOB_SAVE);
    domain_obj_unlock(d->vm);
    stream_dom_free(d);
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    /* A hang guard, not a timing check. */
    alarm(300);
    g_test_add_func("/qemusave/image/round-trip", test_image_round_trip);
    g_test_add_func("/qemusave/image/large-xml", test_image_large_xml);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_images); i++) {
        g_autofree char *path = g_strdup_printf("/qemusave/image/bad/%s", bad_images[i].name);

        g_test_add_data_func(path, &bad_images[i], test_image_bad);
    }
    g_test_add_func("/qemusave/image/read", test_image_read);
    g_test_add_func("/qemusave/restore/refuses", test_restore_refuses);
    g_test_add_func("/qemusave/stream/completed", test_stream_completed);
    g_test_add_func("/qemusave/stream/throttled", test_stream_throttled);
    g_test_add_func("/qemusave/stream/failed", test_stream_failed);
    g_test_add_func("/qemusave/stream/getfd-refused", test_stream_getfd_refused);
    g_test_add_func("/qemusave/stream/migrate-refused", test_stream_migrate_refused);
    g_test_add_func("/qemusave/stream/aborted", test_stream_aborted);
    return g_test_run();
}

/* test-remote-save.c: save, restore, managed save and core dump end to end:
 * the client library (libqvirt, its remote driver) against the build tree's
 * qvirtd running only the test driver, whose images are small files.
 *
 * Cases:
 * - xdr-layouts: the argument structs of SAVE, SAVE_FLAGS, RESTORE,
 *   RESTORE_FLAGS, MANAGED_SAVE, HAS_MANAGED_SAVE_IMAGE (and its reply),
 *   MANAGED_SAVE_REMOVE, CORE_DUMP and CORE_DUMP_WITH_FORMAT compared byte
 *   for byte with libvirt's layout written out by hand; libvirt's procedure
 *   numbers; and the catalog keeps the long calls off the priority pool
 *   while the reads made during them stay on it.
 * - save-restore: save stops the domain (shut off, saved) and writes the
 *   image; restore starts it (running, restored); the PAUSED and RUNNING
 *   flags and an alternative XML travel (SAVE_FLAGS, RESTORE_FLAGS).
 * - managed-save: has-image, undefine refused while an image exists,
 *   start restores from it and clears it, remove, undefine with
 *   QV_DOMAIN_UNDEFINE_MANAGED_SAVE.
 * - core-dump: CORE_DUMP writes the file, CORE_DUMP_WITH_FORMAT reaches the
 *   driver (which refuses other formats), QV_DUMP_CRASH stops the domain.
 * - relative-paths: relative paths are completed against the client's
 *   folder (not the daemon's) for save, restore and dump.
 * - bad-input: flags and combinations refused on the client, a read-only
 *   connection, foreign, truncated and missing image files (no domain
 *   starts), restore over a running domain, a domain that does not exist.
 *
 * The daemon is run by the shared helper (testdaemon.h); the teardown
 * kills it by pid. Image files go to a temporary folder removed at the
 * end. */
#include <config.h>

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/domain_state.h"
#include "driver/api.h"
#include "driver/save.h"
#include "remote-testutil.h"
#include "rpc/remote_protocol.h"
#include "rpc/rpc_program.h"
#include "testdaemon.h"
#include "testutil.h"
#include "util/error.h"

/* ---- XDR ---- */

/* DATA encodes to EXPECT, and EXPECT decodes into something that encodes
 * to EXPECT again (every byte used). */
static void
xdr_check(xdrproc_t proc, void *data, GByteArray *expect, void *scratch, size_t size)
{
    g_autoptr(GByteArray) got = remote_test_xdr_encode(proc, data);
    g_autoptr(GByteArray) again = NULL;
    XDR xdr;

    g_assert_cmpmem(got->data, got->len, expect->data, expect->len);
    memset(scratch, 0, size);
    xdrmem_create(&xdr, (char *)expect->data, expect->len, XDR_DECODE);
    g_assert_true(proc(&xdr, scratch));
    g_assert_cmpuint(xdr_getpos(&xdr), ==, expect->len);
    xdr_destroy(&xdr);
    again = remote_test_xdr_encode(proc, scratch);
    g_assert_cmpmem(again->data, again->len, expect->data, expect->len);
    xdr_free(proc, scratch);
    g_byte_array_set_size(expect, 0);
}

static void
test_xdr_layouts(void)
{
    remote_nonnull_domain dom = {.name = (char *)"vm", .id = 7};
    char *dxml = (char *)"<domain/>";
    g_autoptr(GByteArray) e = g_byte_array_new();
    static const int long_calls[] = {
        REMOTE_PROC_DOMAIN_SAVE,
        REMOTE_PROC_DOMAIN_SAVE_FLAGS,
        REMOTE_PROC_DOMAIN_RESTORE,
        REMOTE_PROC_DOMAIN_RESTORE_FLAGS,
        REMOTE_PROC_DOMAIN_MANAGED_SAVE,
        REMOTE_PROC_DOMAIN_CORE_DUMP,
        REMOTE_PROC_DOMAIN_CORE_DUMP_WITH_FORMAT,
    };
    static const int reads[] = {
        REMOTE_PROC_DOMAIN_GET_INFO,      REMOTE_PROC_DOMAIN_GET_JOB_INFO,
        REMOTE_PROC_DOMAIN_GET_JOB_STATS, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
        REMOTE_PROC_DOMAIN_GET_STATE,     REMOTE_PROC_DOMAIN_ABORT_JOB,
    };

    memcpy(dom.uuid, remote_test_uuid, 16);

    /* SAVE: dom, to. SAVE_FLAGS: dom, to, dxml (optional), flags. */
    {
        remote_domain_save_args s = {.dom = dom, .to = (char *)"/img/a.sav"};
        remote_domain_save_args sb;
        remote_domain_save_flags_args f = {
            .dom = dom, .to = (char *)"/img/a.sav", .dxml = &dxml, .flags = 4};
        remote_domain_save_flags_args fb;

        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "/img/a.sav");
        xdr_check((xdrproc_t)xdr_remote_domain_save_args, &s, e, &sb, sizeof(sb));
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "/img/a.sav");
        remote_test_put_u32(e, 1);
        remote_test_put_string(e, dxml);
        remote_test_put_u32(e, 4);
        xdr_check((xdrproc_t)xdr_remote_domain_save_flags_args, &f, e, &fb, sizeof(fb));
        f.dxml = NULL;
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "/img/a.sav");
        remote_test_put_u32(e, 0);
        remote_test_put_u32(e, 4);
        xdr_check((xdrproc_t)xdr_remote_domain_save_flags_args, &f, e, &fb, sizeof(fb));
    }
    /* RESTORE: from. RESTORE_FLAGS: from, dxml (optional), flags. */
    {
        remote_domain_restore_args r = {.from = (char *)"/img/b"};
        remote_domain_restore_args rb;
        remote_domain_restore_flags_args f = {.from = (char *)"/img/b", .dxml = &dxml, .flags = 2};
        remote_domain_restore_flags_args fb;

        remote_test_put_string(e, "/img/b");
        xdr_check((xdrproc_t)xdr_remote_domain_restore_args, &r, e, &rb, sizeof(rb));
        remote_test_put_string(e, "/img/b");
        remote_test_put_u32(e, 1);
        remote_test_put_string(e, dxml);
        remote_test_put_u32(e, 2);
        xdr_check((xdrproc_t)xdr_remote_domain_restore_flags_args, &f, e, &fb, sizeof(fb));
    }
    /* MANAGED_SAVE, HAS_MANAGED_SAVE_IMAGE, MANAGED_SAVE_REMOVE: dom, flags;
     * the has-image reply: int result. */
    {
        remote_domain_managed_save_args m = {.dom = dom, .flags = 1};
        remote_domain_managed_save_args mb;
        remote_domain_has_managed_save_image_args h = {.dom = dom, .flags = 0};
        remote_domain_has_managed_save_image_args hb;
        remote_domain_has_managed_save_image_ret hr = {.result = 1};
        remote_domain_has_managed_save_image_ret hrb;
        remote_domain_managed_save_remove_args r = {.dom = dom, .flags = 0};
        remote_domain_managed_save_remove_args rb;

        remote_test_put_domain(e, "vm", 7);
        remote_test_put_u32(e, 1);
        xdr_check((xdrproc_t)xdr_remote_domain_managed_save_args, &m, e, &mb, sizeof(mb));
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_u32(e, 0);
        xdr_check((xdrproc_t)xdr_remote_domain_has_managed_save_image_args, &h, e, &hb, sizeof(hb));
        remote_test_put_u32(e, 1);
        xdr_check((xdrproc_t)xdr_remote_domain_has_managed_save_image_ret, &hr, e, &hrb,
                  sizeof(hrb));
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_u32(e, 0);
        xdr_check((xdrproc_t)xdr_remote_domain_managed_save_remove_args, &r, e, &rb, sizeof(rb));
    }
    /* CORE_DUMP: dom, to, flags. CORE_DUMP_WITH_FORMAT: dom, to, dumpformat, flags. */
    {
        remote_domain_core_dump_args d = {.dom = dom, .to = (char *)"/c", .flags = 0x12};
        remote_domain_core_dump_args db;
        remote_domain_core_dump_with_format_args f = {
            .dom = dom, .to = (char *)"/c", .dumpformat = 3, .flags = 0x10};
        remote_domain_core_dump_with_format_args fb;

        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "/c");
        remote_test_put_u32(e, 0x12);
        xdr_check((xdrproc_t)xdr_remote_domain_core_dump_args, &d, e, &db, sizeof(db));
        remote_test_put_domain(e, "vm", 7);
        remote_test_put_string(e, "/c");
        remote_test_put_u32(e, 3);
        remote_test_put_u32(e, 0x10);
        xdr_check((xdrproc_t)xdr_remote_domain_core_dump_with_format_args, &f, e, &fb, sizeof(fb));
    }
    /* libvirt's numbers. */
    g_assert_cmpint(REMOTE_PROC_DOMAIN_CORE_DUMP, ==, 53);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_RESTORE, ==, 54);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_SAVE, ==, 55);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_MANAGED_SAVE, ==, 182);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, ==, 183);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_MANAGED_SAVE_REMOVE, ==, 184);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_SAVE_FLAGS, ==, 232);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_RESTORE_FLAGS, ==, 233);
    g_assert_cmpint(REMOTE_PROC_DOMAIN_CORE_DUMP_WITH_FORMAT, ==, 334);

    /* The long calls run on the worker pool; what other clients ask while
     * one runs is served by the priority pool. */
    for (size_t i = 0; i < G_N_ELEMENTS(long_calls); i++) {
        const RpcProcInfo *info = rpc_program_lookup(REMOTE_PROGRAM, long_calls[i]);

        g_assert_nonnull(info);
        g_assert_false(info->flags & RPC_PROC_PRIORITY);
        g_assert_false(info->flags & RPC_PROC_READONLY_OK);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(reads); i++) {
        const RpcProcInfo *info = rpc_program_lookup(REMOTE_PROGRAM, reads[i]);

        g_assert_nonnull(info);
        g_assert_true(info->flags & RPC_PROC_PRIORITY);
    }
    g_assert_true(
        rpc_program_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE)->flags &
        RPC_PROC_READONLY_OK);
}

/* ---- the daemon ---- */

typedef struct {
    TestDaemon td;
    char *dir; /* the images */
    QvConnect *conn;
    QvDomain *dom; /* the test driver's running "test" */
} SaveFixture;

static void
save_setup(SaveFixture *f, gconstpointer data)
{
    g_autofree char *uri = NULL;

    remote_test_daemon_setup(&f->td, data);
    qvirt_test_daemon_start(&f->td, NULL);
    f->dir = qvirt_test_mkdtemp();
    uri = g_strdup_printf("test+unix:///default?socket=%s", f->td.sock_rw);
    f->conn = qv_connect_open(uri, 0);
    g_assert_nonnull(f->conn);
    f->dom = qv_domain_lookup_by_name(f->conn, "test");
    g_assert_nonnull(f->dom);
}

static void
save_teardown(SaveFixture *f, gconstpointer data)
{
    qv_domain_unref(f->dom);
    if (f->conn)
        qv_connect_close(f->conn);
    qvirt_test_rmtree(f->dir);
    g_free(f->dir);
    remote_test_daemon_teardown(&f->td, data);
}

static void
assert_state(QvDomain *dom, int state, int reason)
{
    int s = -1;
    int r = -1;

    g_assert_cmpint(qv_domain_get_state(dom, &s, &r, 0), ==, 0);
    g_assert_cmpint(s, ==, state);
    g_assert_cmpint(r, ==, reason);
}

static char *
read_text(const char *path)
{
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static void
test_save_restore(SaveFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *img = g_build_filename(f->dir, "a.sav", NULL);
    g_autofree char *img2 = g_build_filename(f->dir, "b.sav", NULL);
    g_autofree char *text = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *dxml = NULL;
    g_autofree char *desc = NULL;

    g_assert_cmpint(qv_domain_save(f->dom, img), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SAVED);
    text = read_text(img);
    g_assert_true(g_str_has_prefix(text, "QVIRT-TEST-SAVE 1 running "));
    g_assert_nonnull(strstr(text, "<name>test</name>"));
    /* Saving a domain that is not running fails. */
    g_assert_cmpint(qv_domain_save(f->dom, img2), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is not running");
    g_assert_false(g_file_test(img2, G_FILE_TEST_EXISTS));

    g_assert_cmpint(qv_domain_restore(f->conn, img), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_RESTORED);

    /* SAVE_FLAGS with PAUSED and an alternative XML (more vCPUs). */
    xml = qv_domain_get_xml_desc(f->dom, QV_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(xml);
    g_assert_nonnull(strstr(xml, ">2</vcpu>"));
    {
        g_auto(GStrv) parts = g_strsplit(xml, ">2</vcpu>", 2);

        dxml = g_strjoinv(">3</vcpu>", parts);
    }
    g_assert_cmpint(qv_domain_save_flags(f->dom, img2, dxml, QV_DOMAIN_SAVE_PAUSED), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SAVED);
    g_free(text);
    text = read_text(img2);
    g_assert_true(g_str_has_prefix(text, "QVIRT-TEST-SAVE 1 paused "));
    g_assert_nonnull(strstr(text, ">3</vcpu>"));
    /* RESTORE (no flags): paused as saved, with the XML of the image. */
    g_assert_cmpint(qv_domain_restore(f->conn, img2), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    desc = qv_domain_get_xml_desc(f->dom, 0);
    g_assert_nonnull(strstr(desc, ">3</vcpu>"));
    g_assert_cmpint(qv_domain_destroy(f->dom), ==, 0);
    /* RESTORE_FLAGS: RUNNING wins over the image; the caller's XML wins too. */
    g_assert_cmpint(qv_domain_restore_flags(f->conn, img2, xml, QV_DOMAIN_SAVE_RUNNING), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_RESTORED);
    g_free(desc);
    desc = qv_domain_get_xml_desc(f->dom, 0);
    g_assert_nonnull(strstr(desc, ">2</vcpu>"));
    /* An alternative XML of another domain is refused, nothing written. */
    g_free(dxml);
    dxml = g_strdup("<domain type='test'><name>other</name><memory>1024</memory>"
                    "<os><type>hvm</type></os></domain>");
    g_assert_cmpint(qv_domain_save_flags(f->dom, img, dxml, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "defines domain 'other', not 'test'");
    assert_state(f->dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_RESTORED);
}

static void
test_managed_save(SaveFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_assert_cmpint(qv_domain_has_managed_save_image(f->dom, 0), ==, 0);
    g_assert_cmpint(qv_domain_managed_save(f->dom, QV_DOMAIN_SAVE_BYPASS_CACHE), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SAVED);
    g_assert_cmpint(qv_domain_has_managed_save_image(f->dom, 0), ==, 1);

    /* Undefine refuses while the image exists. */
    g_assert_cmpint(qv_domain_undefine(f->dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "managed save image exists");

    /* Start restores from the image, which is then gone. */
    g_assert_cmpint(qv_domain_create(f->dom), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_RESTORED);
    g_assert_cmpint(qv_domain_has_managed_save_image(f->dom, 0), ==, 0);

    /* A paused guest comes back paused. */
    g_assert_cmpint(qv_domain_suspend(f->dom), ==, 0);
    g_assert_cmpint(qv_domain_managed_save(f->dom, 0), ==, 0);
    g_assert_cmpint(qv_domain_create(f->dom), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);

    /* Remove: the next start boots. */
    g_assert_cmpint(qv_domain_managed_save(f->dom, QV_DOMAIN_SAVE_RUNNING), ==, 0);
    g_assert_cmpint(qv_domain_managed_save_remove(f->dom, 0), ==, 0);
    g_assert_cmpint(qv_domain_has_managed_save_image(f->dom, 0), ==, 0);
    g_assert_cmpint(qv_domain_create(f->dom), ==, 0);
    assert_state(f->dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);

    /* Undefine with QV_DOMAIN_UNDEFINE_MANAGED_SAVE drops the image too. */
    g_assert_cmpint(qv_domain_managed_save(f->dom, 0), ==, 0);
    g_assert_cmpint(qv_domain_undefine_flags(f->dom, QV_DOMAIN_UNDEFINE_MANAGED_SAVE), ==, 0);
    g_assert_cmpint(qv_domain_has_managed_save_image(f->dom, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "6695eb01-f6a4-8304-79aa-97f3502e193f");
}

static void
test_core_dump(SaveFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *core = g_build_filename(f->dir, "a.core", NULL);
    g_autofree char *core2 = g_build_filename(f->dir, "b.core", NULL);
    g_autofree char *text = NULL;

    g_assert_cmpint(qv_domain_core_dump(f->dom, core, QV_DUMP_LIVE), ==, 0);
    text = read_text(core);
    g_assert_cmpstr(text, ==, "qvirt test driver core dump of domain 'test'\n");
    assert_state(f->dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);

    /* CORE_DUMP_WITH_FORMAT reaches the driver, which writes only ELF. */
    g_assert_cmpint(qv_domain_core_dump_with_format(
                        f->dom, core2, QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, QV_DUMP_MEMORY_ONLY),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED, "not format 1");
    g_assert_false(g_file_test(core2, G_FILE_TEST_EXISTS));

    /* CRASH: the domain stops, crashed. */
    g_assert_cmpint(qv_domain_core_dump(f->dom, core2, QV_DUMP_CRASH), ==, 0);
    g_assert_true(g_file_test(core2, G_FILE_TEST_EXISTS));
    assert_state(f->dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_CRASHED);
    g_assert_cmpint(qv_domain_core_dump(f->dom, core2, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is not running");
}

static void
test_relative_paths(SaveFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *old_cwd = g_get_current_dir();
    g_autofree char *sub = g_build_filename(f->dir, "client", NULL);
    g_autofree char *img = g_build_filename(sub, "rel.sav", NULL);
    g_autofree char *core = g_build_filename(sub, "rel.core", NULL);

    /* The daemon runs in the folder the test started in; the client moves. */
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    g_assert_cmpint(chdir(sub), ==, 0);
    g_assert_cmpint(qv_domain_save(f->dom, "rel.sav"), ==, 0);
    g_assert_cmpint(qv_domain_restore_flags(f->conn, "rel.sav", NULL, QV_DOMAIN_SAVE_PAUSED), ==,
                    0);
    assert_state(f->dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_cmpint(qv_domain_core_dump(f->dom, "./rel.core", 0), ==, 0);
    /* A relative path that names nothing: the error names the full path. */
    g_assert_cmpint(qv_domain_restore(f->conn, "none.sav"), ==, -1);
    g_assert_cmpint(chdir(old_cwd), ==, 0);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, sub);

    g_assert_true(g_file_test(img, G_FILE_TEST_IS_REGULAR));
    g_assert_true(g_file_test(core, G_FILE_TEST_IS_REGULAR));
}

static void
test_bad_input(SaveFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *img = g_build_filename(f->dir, "a.sav", NULL);
    g_autofree char *foreign = g_build_filename(f->dir, "foreign.sav", NULL);
    g_autofree char *trunc = g_build_filename(f->dir, "trunc.sav", NULL);
    g_autofree char *version = g_build_filename(f->dir, "v2.sav", NULL);
    g_autofree char *missing = g_build_filename(f->dir, "missing.sav", NULL);
    g_autofree char *text = NULL;
    g_autofree char *uri = g_strdup_printf("test+unix:///default?socket=%s", f->td.sock_rw);
    g_autoptr(QvConnect) ro = NULL;
    g_autoptr(QvDomain) rodom = NULL;
    g_autoptr(QvDomain) nosuch = NULL;
    static const unsigned char other_uuid[16] = {1, 2, 3};

    /* Checked on the client. */
    g_assert_cmpint(qv_domain_save_flags(f->dom, img, NULL, 0x100), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x100)");
    g_assert_cmpint(
        qv_domain_save_flags(f->dom, img, NULL, QV_DOMAIN_SAVE_RUNNING | QV_DOMAIN_SAVE_PAUSED), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'running' and 'paused'");
    g_assert_cmpint(qv_domain_managed_save(f->dom, QV_DOMAIN_SAVE_RUNNING | QV_DOMAIN_SAVE_PAUSED),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "mutually exclusive");
    g_assert_cmpint(qv_domain_save(f->dom, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "to");
    g_assert_cmpint(qv_domain_restore(f->conn, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "from");
    g_assert_cmpint(qv_domain_has_managed_save_image(f->dom, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x1)");
    g_assert_cmpint(qv_domain_managed_save_remove(f->dom, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x1)");
    g_assert_cmpint(qv_domain_core_dump(f->dom, img, QV_DUMP_CRASH | QV_DUMP_LIVE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'crash' and 'live'");
    g_assert_cmpint(qv_domain_core_dump(f->dom, img, QV_DUMP_CRASH | QV_DUMP_RESET), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'crash' and 'reset'");
    g_assert_cmpint(qv_domain_core_dump(f->dom, img, QV_DUMP_LIVE | QV_DUMP_RESET), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'live' and 'reset'");
    g_assert_cmpint(qv_domain_core_dump(f->dom, img, 0x20), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x20)");
    g_assert_cmpint(qv_domain_core_dump_with_format(f->dom, img, QV_DOMAIN_CORE_DUMP_FORMAT_LAST,
                                                    QV_DUMP_MEMORY_ONLY),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "dump format 5 is not supported");
    g_assert_cmpint(
        qv_domain_core_dump_with_format(f->dom, img, QV_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP, 0), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "needs a memory-only dump");
    g_assert_false(g_file_test(img, G_FILE_TEST_EXISTS));
    assert_state(f->dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);

    /* Read-only: everything but the has-image query is refused. */
    ro = qv_connect_open(uri, QV_CONNECT_RO);
    g_assert_nonnull(ro);
    rodom = qv_domain_lookup_by_name(ro, "test");
    g_assert_nonnull(rodom);
    g_assert_cmpint(qv_domain_save(rodom, img), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_restore(ro, img), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_managed_save(rodom, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_managed_save_remove(rodom, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_core_dump(rodom, img, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_has_managed_save_image(rodom, 0), ==, 0);

    /* Bad images: refused with a clear error, and nothing starts. */
    g_assert_cmpint(qv_domain_save(f->dom, img), ==, 0);
    text = read_text(img);
    g_assert_true(g_file_set_contents(foreign,
                                      "\x7f"
                                      "ELF not a save image\n",
                                      -1, NULL));
    g_assert_true(g_file_set_contents(trunc, text, (gssize)strlen(text) - 10, NULL));
    g_assert_true(g_file_set_contents(version, "QVIRT-TEST-SAVE 2 running 3\nabc", -1, NULL));
    g_assert_cmpint(qv_domain_restore(f->conn, foreign), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "is not a save image of the test driver");
    g_assert_cmpint(qv_domain_restore(f->conn, trunc), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "is truncated");
    g_assert_cmpint(qv_domain_restore(f->conn, version), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "has version 2");
    g_assert_cmpint(qv_domain_restore(f->conn, missing), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, "missing.sav");
    assert_state(f->dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SAVED);

    /* Restore over a running domain is refused. */
    g_assert_cmpint(qv_domain_restore(f->conn, img), ==, 0);
    g_assert_cmpint(qv_domain_restore(f->conn, img), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "");
    assert_state(f->dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_RESTORED);

    /* A domain the daemon does not know. */
    nosuch = qv_domain_new(f->conn, "nosuch", other_uuid, -1);
    g_assert_cmpint(qv_domain_save(nosuch, img), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "");
    g_assert_cmpint(qv_domain_managed_save(nosuch, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "");
    remote_test_assert_alive(f->dom);
}

#define SAVE_CASE(path, fn)                                                                        \
    g_test_add("/remote/save/" path, SaveFixture, NULL, save_setup, fn, save_teardown)

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    g_test_add_func("/remote/save/xdr-layouts", test_xdr_layouts);
    SAVE_CASE("save-restore", test_save_restore);
    SAVE_CASE("managed-save", test_managed_save);
    SAVE_CASE("core-dump", test_core_dump);
    SAVE_CASE("relative-paths", test_relative_paths);
    SAVE_CASE("bad-input", test_bad_input);
    return g_test_run();
}

/* test-jobpriv.c: qemu_domain_job.h: the QEMU job's private data in the
 * status XML, through the real status document code with the QEMU driver's
 * job callbacks:
 *
 *   data/status-*.xml   parse, format, and the output equals the file;
 *                       parsed again, the private data is the same
 *
 * plus format -> parse -> format of data built in code, <migParams> read
 * and written on its own, and bad <job> children that must fail with an
 * XML_ERROR naming the document. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/domain_job.h"
#include "conf/domain_status.h"
#include "params-suites.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration_params.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"
#include "util/xml.h"

/* libvirt's migration phases, registered here so this suite does not depend
 * on the migration core's table. */
static const char *const test_phases[] = {
    "none",           "begin3",         "perform3",       "perform3_done",   "confirm3_cancelled",
    "confirm3",       "prepare",        "finish3",        "postcopy_failed", "begin_resume",
    "perform_resume", "confirm_resume", "prepare_resume", "finish_resume",
};

static DomainJobCallbacks test_job_cb;

static void
test_status_init(DomainObj *vm, const char *file, gpointer opaque)
{
    domain_job_obj_set_callbacks(vm->job, &test_job_cb, NULL);
}

static const DomainStatusHooks test_hooks = {
    .init = test_status_init,
};

static const char *const fixtures[] = {
    "status-migration-out.xml",
    "status-migration-in.xml",
};

static void
assert_same_private(DomainObj *a, DomainObj *b)
{
    QemuDomainJobPrivate *pa = qemu_domain_job_private(a);
    QemuDomainJobPrivate *pb = qemu_domain_job_private(b);
    g_autoptr(GString) xa = g_string_new(NULL);
    g_autoptr(GString) xb = g_string_new(NULL);

    g_assert_cmpuint(pa->migrating_disks->len, ==, pb->migrating_disks->len);
    for (guint i = 0; i < pa->migrating_disks->len; i++)
        g_assert_cmpstr(g_ptr_array_index(pa->migrating_disks, i), ==,
                        g_ptr_array_index(pb->migrating_disks, i));
    g_assert_cmpstr(pa->peer_uri, ==, pb->peer_uri);
    g_assert_cmpint(pa->paused_by_job, ==, pb->paused_by_job);
    g_assert_cmpstr(pa->partial_file, ==, pb->partial_file);
    g_assert_cmpstr(pa->partial_final, ==, pb->partial_final);
    g_assert_cmpuint(pa->partial_inode, ==, pb->partial_inode);
    qemu_migration_params_format(pa->mig_params, xa, 0);
    qemu_migration_params_format(pb->mig_params, xb, 0);
    g_assert_cmpstr(xa->str, ==, xb->str);
}

static void
test_fixture(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_build_filename("qemumigration", "data", name, NULL);
    g_autofree char *path = qvirt_test_srcpath(rel);
    g_autofree char *xml = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainObj) vm2 = NULL;
    g_autoptr(DomainStatusExtra) extra = NULL;

    g_assert_cmpint(qvirt_file_read_limited(path, 1 << 20, &xml, NULL), ==, 0);
    vm = domain_status_parse_string(xml, path, &test_hooks, &extra);
    if (!vm)
        g_error("%s: %s", path, qvirt_error_last_message());
    domain_obj_lock(vm);
    out = domain_status_format(vm, extra, &test_hooks);
    domain_obj_unlock(vm);
    g_assert_cmpstr(out, ==, xml);

    vm2 = domain_status_parse_string(out, path, &test_hooks, NULL);
    g_assert_nonnull(vm2);
    domain_obj_lock(vm);
    domain_obj_lock(vm2);
    assert_same_private(vm, vm2);
    out2 = domain_status_format(vm2, extra, &test_hooks);
    domain_obj_unlock(vm2);
    domain_obj_unlock(vm);
    g_assert_cmpstr(out2, ==, out);
}

/* What the out fixture holds, read field by field. */
static void
test_fixture_content(void)
{
    g_autofree char *path = qvirt_test_srcpath("qemumigration/data/status-migration-out.xml");
    g_autoptr(DomainObj) vm = domain_status_parse_file(path, &test_hooks, NULL);
    QemuDomainJobPrivate *priv;
    gboolean on = FALSE;
    long long v = 0;
    const char *s = NULL;

    g_assert_nonnull(vm);
    domain_obj_lock(vm);
    priv = qemu_domain_job_private(vm);
    g_assert_cmpuint(priv->migrating_disks->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(priv->migrating_disks, 1), ==, "vdb");
    g_assert_cmpstr(priv->peer_uri, ==, "qemu+tls://dst.example.org/system?no_verify=0&x='1'");
    g_assert_true(priv->paused_by_job);
    g_assert_cmpint(qemu_migration_params_get_cap(priv->mig_params, "return-path", &on), ==, 1);
    g_assert_true(on);
    g_assert_cmpint(qemu_migration_params_get_int(priv->mig_params, "x-checkpoint-delay", &v), ==,
                    1);
    g_assert_cmpint(v, ==, -20000);
    g_assert_cmpint(qemu_migration_params_get_string(priv->mig_params, "tls-creds", &s), ==, 1);
    g_assert_cmpstr(s, ==, "");
    /* Ending the async job forgets all of it. */
    domain_job_discard_async(vm);
    g_assert_null(domain_job_get_private(vm->job));
    domain_obj_unlock(vm);
}

/* Removal of the recorded files: the partial file always, the final name
 * only while it holds the recorded inode. */
static void
test_remove_partial_files(void)
{
    g_autofree char *path = qvirt_test_srcpath("qemumigration/data/status-migration-in.xml");
    g_autoptr(DomainObj) vm = domain_status_parse_file(path, &test_hooks, NULL);
    g_autofree char *dir = g_dir_make_tmp("qvirt-test-jobpriv-XXXXXX", NULL);
    g_autofree char *tmp = g_build_filename(dir, ".img.XXXXXX", NULL);
    g_autofree char *final = g_build_filename(dir, "img", NULL);
    QemuDomainJobPrivate *priv;
    struct stat st;

    g_assert_nonnull(vm);
    g_assert_nonnull(dir);
    domain_obj_lock(vm);
    priv = qemu_domain_job_private(vm);

    /* Before the rename: the final name holds an earlier file. */
    g_assert_true(g_file_set_contents(tmp, "new", -1, NULL));
    g_assert_true(g_file_set_contents(final, "earlier", -1, NULL));
    g_assert_cmpint(stat(tmp, &st), ==, 0);
    priv->partial_file = g_strdup(tmp);
    priv->partial_final = g_strdup(final);
    priv->partial_inode = (guint64)st.st_ino;
    g_assert_cmpint(qemu_domain_job_remove_partial_files(vm), ==, 0);
    g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(final, G_FILE_TEST_EXISTS));
    g_assert_null(priv->partial_file);
    g_assert_null(priv->partial_final);

    /* After the rename: the final name is the recorded inode. */
    g_assert_true(g_file_set_contents(tmp, "new", -1, NULL));
    g_assert_cmpint(stat(tmp, &st), ==, 0);
    g_assert_cmpint(rename(tmp, final), ==, 0);
    priv->partial_file = g_strdup(tmp);
    priv->partial_final = g_strdup(final);
    priv->partial_inode = (guint64)st.st_ino;
    g_assert_cmpint(qemu_domain_job_remove_partial_files(vm), ==, 0);
    g_assert_false(g_file_test(final, G_FILE_TEST_EXISTS));

    /* Nothing recorded: nothing to do. */
    g_assert_cmpint(qemu_domain_job_remove_partial_files(vm), ==, 0);
    domain_obj_unlock(vm);
    g_assert_cmpint(rmdir(dir), ==, 0);
}

/* Built in code: format -> parse -> format. */
static void
test_round_trip_built(void)
{
    g_autofree char *path = qvirt_test_srcpath("qemumigration/data/status-migration-in.xml");
    g_autoptr(DomainObj) vm = domain_status_parse_file(path, &test_hooks, NULL);
    g_autoptr(DomainObj) back = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    QemuDomainJobPrivate *priv;

    g_assert_nonnull(vm);
    domain_obj_lock(vm);
    priv = qemu_domain_job_private(vm);
    g_ptr_array_add(priv->migrating_disks, g_strdup("sda"));
    g_ptr_array_add(priv->migrating_disks, g_strdup("vd<x>"));
    priv->peer_uri = g_strdup("qemu+ssh://root@dst/system");
    priv->paused_by_job = TRUE;
    priv->partial_file = g_strdup("/var/lib/save/.a&b.save.XyZ123");
    priv->partial_final = g_strdup("/var/lib/save/a&b.save");
    priv->partial_inode = G_MAXUINT64;
    qemu_migration_params_set_tls(priv->mig_params, "qvirt-migrate-tls", "host'\"&<>");
    qemu_migration_params_set_cap(priv->mig_params, "compress", TRUE);
    qemu_migration_params_set_int(priv->mig_params, "max-bandwidth", G_MAXINT64);
    xml = domain_status_format(vm, NULL, &test_hooks);
    g_assert_nonnull(xml);
    g_assert_nonnull(strstr(xml, "    <disk dev='vd&lt;x&gt;' migrating='yes'/>\n"));
    g_assert_nonnull(strstr(
        xml, "    <pausedByJob/>\n    <partialFile path='/var/lib/save/.a&amp;b.save.XyZ123' "
             "final='/var/lib/save/a&amp;b.save' inode='18446744073709551615'/>\n"
             "  </job>\n"));

    back = domain_status_parse_string(xml, "built", &test_hooks, NULL);
    if (!back)
        g_error("%s\n%s", qvirt_error_last_message(), xml);
    domain_obj_lock(back);
    assert_same_private(vm, back);
    xml2 = domain_status_format(back, NULL, &test_hooks);
    domain_obj_unlock(back);
    domain_obj_unlock(vm);
    g_assert_cmpstr(xml2, ==, xml);
}

/* Nothing private: <job> has no children. */
static void
test_empty_private(void)
{
    g_autoptr(DomainJobObj) job = domain_job_obj_new();
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autoptr(GString) params_xml = g_string_new(NULL);
    g_autoptr(QemuMigrationParams) empty = qemu_migration_params_new();

    domain_job_obj_set_callbacks(job, &test_job_cb, NULL);
    domain_job_set_private(job, NULL);
    qemu_migration_params_format(NULL, params_xml, 2);
    qemu_migration_params_format(empty, params_xml, 2);
    g_assert_cmpuint(params_xml->len, ==, 0);
    domain_job_format_status(job, buf, 0);
    g_assert_cmpstr(buf->str, ==, "");
}

typedef struct {
    const char *name;
    const char *children; /* inside <job> */
    const char *message;  /* exact, @WHERE@ for the document */
} BadJob;

static const BadJob bad_jobs[] = {
    {"unknown-element", "<bogus/>", "unexpected element <bogus> in <job> of @WHERE@"},
    {"disk-no-dev", "<disk migrating='yes'/>",
     "missing attribute 'dev' of <disk> in <job> of "
     "@WHERE@"},
    {"disk-no-migrating", "<disk dev='vda'/>",
     "missing attribute 'migrating' of <disk> in <job> of @WHERE@"},
    {"disk-bad-migrating", "<disk dev='vda' migrating='maybe'/>",
     "invalid value 'maybe' of 'migrating' of disk 'vda' in <job> of @WHERE@: expected 'yes' or "
     "'no'"},
    {"disk-twice", "<disk dev='vda' migrating='yes'/><disk dev='vda' migrating='yes'/>",
     "disk 'vda' appears twice in <job> of @WHERE@"},
    {"disk-extra-attr", "<disk dev='vda' migrating='yes' size='1'/>",
     "unexpected attribute 'size' of <disk> in <job> of @WHERE@"},
    {"peer-no-uri", "<peer/>", "missing attribute 'uri' of <peer> in <job> of @WHERE@"},
    {"peer-twice", "<peer uri='a'/><peer uri='b'/>", "more than one <peer> in <job> of @WHERE@"},
    {"paused-twice", "<pausedByJob/><pausedByJob/>",
     "more than one <pausedByJob> in <job> of @WHERE@"},
    {"paused-attr", "<pausedByJob value='yes'/>",
     "unexpected attribute 'value' of <pausedByJob> in <job> of @WHERE@"},
    {"paused-text", "<pausedByJob>yes</pausedByJob>",
     "unexpected content in <pausedByJob> in <job> of @WHERE@"},
    {"partial-no-path", "<partialFile/>",
     "missing or relative attribute 'path' of <partialFile> in <job> of @WHERE@"},
    {"partial-relative", "<partialFile path='x.save'/>",
     "missing or relative attribute 'path' of <partialFile> in <job> of @WHERE@"},
    {"partial-twice", "<partialFile path='/a'/><partialFile path='/b'/>",
     "more than one <partialFile> in <job> of @WHERE@"},
    {"partial-attr", "<partialFile path='/a' size='1'/>",
     "unexpected attribute 'size' of <partialFile> in <job> of @WHERE@"},
    {"partial-final-no-inode", "<partialFile path='/a' final='/b'/>",
     "<partialFile> in <job> of @WHERE@ needs both an absolute 'final' and an 'inode', or "
     "neither"},
    {"partial-inode-no-final", "<partialFile path='/a' inode='3'/>",
     "<partialFile> in <job> of @WHERE@ needs both an absolute 'final' and an 'inode', or "
     "neither"},
    {"partial-final-relative", "<partialFile path='/a' final='b' inode='3'/>",
     "<partialFile> in <job> of @WHERE@ needs both an absolute 'final' and an 'inode', or "
     "neither"},
    {"partial-inode-bad", "<partialFile path='/a' final='/b' inode='-1'/>",
     "invalid value '-1' for attribute 'inode' of <partialFile>: expected an unsigned integer"},
    {"migparams-twice", "<migParams/><migParams/>", "more than one <migParams> in @WHERE@"},
    {"migparams-attr", "<migParams version='1'/>",
     "unexpected attribute 'version' of <migParams> in @WHERE@"},
    {"migparams-text", "<migParams>fast</migParams>", "unexpected text in <migParams> of @WHERE@"},
    {"migparams-unknown", "<migParams><capability name='x' enabled='yes'/></migParams>",
     "unexpected element <capability> in <migParams> of @WHERE@"},
    {"cap-no-name", "<migParams><cap enabled='yes'/></migParams>",
     "missing attribute 'name' of <cap> in <migParams> of @WHERE@"},
    {"cap-no-enabled", "<migParams><cap name='xbzrle'/></migParams>",
     "missing attribute 'enabled' of <cap> in <migParams> of @WHERE@"},
    {"cap-bad-enabled", "<migParams><cap name='xbzrle' enabled='on'/></migParams>",
     "invalid value 'on' of 'enabled' of capability 'xbzrle' in <migParams> of @WHERE@: "
     "expected 'yes' or 'no'"},
    {"cap-twice",
     "<migParams><cap name='xbzrle' enabled='yes'/><cap name='xbzrle' enabled='no'/></migParams>",
     "migration capability 'xbzrle' appears twice in <migParams> of @WHERE@"},
    {"cap-extra-attr", "<migParams><cap name='xbzrle' enabled='yes' value='1'/></migParams>",
     "unexpected attribute 'value' of <cap> in <migParams> of @WHERE@"},
    {"param-no-value", "<migParams><param name='max-bandwidth'/></migParams>",
     "missing attribute 'value' of <param> in <migParams> of @WHERE@"},
    {"param-not-int", "<migParams><param name='max-bandwidth' value='12k'/></migParams>",
     "invalid value '12k' of migration parameter 'max-bandwidth' in <migParams> of @WHERE@: "
     "expected an integer"},
    {"param-overflow",
     "<migParams><param name='downtime-limit' value='99999999999999999999'/></migParams>",
     "invalid value '99999999999999999999' of migration parameter 'downtime-limit' in "
     "<migParams> of @WHERE@: expected an integer"},
    {"param-twice",
     "<migParams><param name='tls-creds' value=''/><param name='tls-creds' value='x'/>"
     "</migParams>",
     "migration parameter 'tls-creds' appears twice in <migParams> of @WHERE@"},
};

static char *
bad_document(const BadJob *c)
{
    g_autofree char *path = qvirt_test_srcpath("qemumigration/data/status-migration-in.xml");
    g_autofree char *xml = NULL;
    const char *start;
    const char *end;

    g_assert_cmpint(qvirt_file_read_limited(path, 1 << 20, &xml, NULL), ==, 0);
    start = strstr(xml, "<migParams>");
    end = strstr(xml, "  </job>");
    g_assert_nonnull(start);
    g_assert_nonnull(end);
    return g_strdup_printf("%.*s%s\n%s", (int)(start - xml), xml, c->children, end);
}

static void
test_bad_job(gconstpointer data)
{
    const BadJob *c = data;
    g_autofree char *xml = bad_document(c);
    g_autofree char *tmp = qvirt_test_mkdtemp();
    g_autofree char *file = g_build_filename(tmp, "bad.xml", NULL);
    g_auto(GStrv) parts = g_strsplit(c->message, "@WHERE@", -1);
    g_autofree char *by_name = NULL;
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainObj) vm2 = NULL;
    const QvirtError *err;

    /* From a string: the document is named by its domain. */
    qvirt_error_reset();
    vm = domain_status_parse_string(xml, "ignored", &test_hooks, NULL);
    g_assert_null(vm);
    err = qvirt_error_get_last();
    g_assert_nonnull(err);
    g_assert_cmpstr(qvirt_error_code_name(err->code), ==, "XML_ERROR");
    by_name = g_strjoinv("the status XML of domain 'vm1'", parts);
    g_assert_cmpstr(err->message, ==, by_name);

    /* From a file: the same (the job callbacks are not told the path; the
     * loader logs it). */
    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    qvirt_error_reset();
    vm2 = domain_status_parse_file(file, &test_hooks, NULL);
    g_assert_null(vm2);
    err = qvirt_error_get_last();
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, by_name);
    qvirt_test_rmtree(tmp);
}

void
test_jobpriv_register(void)
{
    qemu_domain_job_set_callbacks(&test_job_cb);
    g_assert_cmpint(domain_job_register_phases(DOMAIN_ASYNC_JOB_MIGRATION_OUT, test_phases,
                                               G_N_ELEMENTS(test_phases), NULL),
                    ==, 0);
    g_assert_cmpint(domain_job_register_phases(DOMAIN_ASYNC_JOB_MIGRATION_IN, test_phases,
                                               G_N_ELEMENTS(test_phases), NULL),
                    ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
        g_autofree char *path = g_strdup_printf("/qemumigration/jobpriv/fixture/%s", fixtures[i]);

        g_test_add_data_func(path, fixtures[i], test_fixture);
    }
    g_test_add_func("/qemumigration/jobpriv/fixture-content", test_fixture_content);
    g_test_add_func("/qemumigration/jobpriv/round-trip-built", test_round_trip_built);
    g_test_add_func("/qemumigration/jobpriv/empty", test_empty_private);
    g_test_add_func("/qemumigration/jobpriv/remove-partial-files", test_remove_partial_files);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_jobs); i++) {
        g_autofree char *path = g_strdup_printf("/qemumigration/jobpriv/bad/%s", bad_jobs[i].name);

        g_test_add_data_func(path, &bad_jobs[i], test_bad_job);
    }
}

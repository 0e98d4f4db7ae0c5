/* test-shell-save.c: the shell's save, restore, managedsave,
 * managedsave-remove and dump commands without a daemon: the flags, format
 * and XML their options build (driver/save.h), every refused option
 * combination with its message (checked before any connection is tried),
 * and the help. Then whole commands against an in-process fake driver
 * ("fakesave://") whose save, managed save and dump wait until the shell
 * has looked at the job twice: the progress bar of --verbose (each with
 * its label), virsh's messages, relative paths made absolute before the
 * driver sees them, failures, Ctrl-C aborting the job, restore, and
 * managedsave-remove with and without an image. */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "driver/driver.h"
#include "driver/save.h"
#include "fixture.h"
#include "qvirt/qvirt.h"
#include "shell/shell_jobwatch.h"
#include "shell/shell_save_priv.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

static void *
make_request(Shell *sh, ShellArgs *args, gconstpointer kind)
{
    return shell_save_request_new(sh, GPOINTER_TO_INT(kind), args);
}

/* The request of LINE, or NULL (its errors are in f->err_buf). */
static ShellSaveRequest *
request(ShellFixture *f, ShellSaveKind kind, const char *line, GStrv *ret_argv)
{
    return shell_fixture_request(f, line, ret_argv, make_request, GINT_TO_POINTER(kind));
}

/* ---- the requests ---- */

static void
test_request_save(ShellFixture *f, gconstpointer data)
{
    g_auto(GStrv) a1 = NULL;
    g_auto(GStrv) a2 = NULL;
    g_auto(GStrv) a3 = NULL;
    g_autofree char *xml = g_build_filename(f->dir, "alt.xml", NULL);
    g_autofree char *line = g_strdup_printf("save vm1 x.sav --xml %s --running", xml);
    g_autoptr(ShellSaveRequest) r1 = request(f, SHELL_SAVE_SAVE, "save vm1 /img/a.sav", &a1);
    g_autoptr(ShellSaveRequest) r2 = NULL;
    g_autoptr(ShellSaveRequest) r3 = NULL;
    (void)data;

    g_assert_nonnull(r1);
    g_assert_cmpstr(r1->domain, ==, "vm1");
    g_assert_cmpstr(r1->file, ==, "/img/a.sav");
    g_assert_cmpuint(r1->flags, ==, 0);
    g_assert_null(r1->xml);
    g_assert_false(r1->verbose);

    r2 = request(f, SHELL_SAVE_SAVE,
                 "save --file b.sav --domain vm1 --bypass-cache --paused --verbose", &a2);
    g_assert_nonnull(r2);
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpstr(r2->file, ==, "b.sav");
    g_assert_cmpuint(r2->flags, ==, QV_DOMAIN_SAVE_BYPASS_CACHE | QV_DOMAIN_SAVE_PAUSED);
    g_assert_true(r2->verbose);

    g_assert_true(g_file_set_contents(xml, "<domain type='test'/>", -1, NULL));
    r3 = request(f, SHELL_SAVE_SAVE, line, &a3);
    g_assert_nonnull(r3);
    g_assert_cmpstr(r3->xml, ==, "<domain type='test'/>");
    g_assert_cmpuint(r3->flags, ==, QV_DOMAIN_SAVE_RUNNING);
}

static void
test_request_others(ShellFixture *f, gconstpointer data)
{
    g_auto(GStrv) a1 = NULL;
    g_auto(GStrv) a2 = NULL;
    g_auto(GStrv) a3 = NULL;
    g_auto(GStrv) a4 = NULL;
    g_auto(GStrv) a5 = NULL;
    g_autoptr(ShellSaveRequest) r = NULL;
    (void)data;

    r = request(f, SHELL_SAVE_RESTORE, "restore a.sav --bypass-cache --paused --reset-nvram", &a1);
    g_assert_nonnull(r);
    g_assert_null(r->domain);
    g_assert_cmpstr(r->file, ==, "a.sav");
    g_assert_cmpuint(r->flags, ==,
                     QV_DOMAIN_SAVE_BYPASS_CACHE | QV_DOMAIN_SAVE_PAUSED |
                         QV_DOMAIN_SAVE_RESET_NVRAM);
    g_clear_pointer(&r, shell_save_request_free);

    r = request(f, SHELL_SAVE_MANAGED, "managedsave vm1 --running --verbose", &a2);
    g_assert_nonnull(r);
    g_assert_cmpstr(r->domain, ==, "vm1");
    g_assert_null(r->file);
    g_assert_cmpuint(r->flags, ==, QV_DOMAIN_SAVE_RUNNING);
    g_assert_true(r->verbose);
    g_clear_pointer(&r, shell_save_request_free);

    r = request(f, SHELL_SAVE_DUMP, "dump vm1 /c --live --bypass-cache --verbose", &a3);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->flags, ==, QV_DUMP_LIVE | QV_DUMP_BYPASS_CACHE);
    g_assert_false(r->with_format);
    g_clear_pointer(&r, shell_save_request_free);

    r = request(f, SHELL_SAVE_DUMP, "dump vm1 /c --memory-only --format kdump-lzo --reset", &a4);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->flags, ==, QV_DUMP_MEMORY_ONLY | QV_DUMP_RESET);
    g_assert_true(r->with_format);
    g_assert_cmpuint(r->dumpformat, ==, QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO);
    g_clear_pointer(&r, shell_save_request_free);

    r = request(f, SHELL_SAVE_DUMP, "dump vm1 /c --crash --memory-only --format elf", &a5);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->flags, ==, QV_DUMP_MEMORY_ONLY | QV_DUMP_CRASH);
    g_assert_true(r->with_format);
    g_assert_cmpuint(r->dumpformat, ==, QV_DOMAIN_CORE_DUMP_FORMAT_RAW);

    g_assert_cmpint(shell_dump_format_from_string("elf"), ==, 0);
    g_assert_cmpint(shell_dump_format_from_string("kdump-zlib"), ==, 1);
    g_assert_cmpint(shell_dump_format_from_string("kdump-snappy"), ==, 3);
    g_assert_cmpint(shell_dump_format_from_string("win-dmp"), ==, 4);
    g_assert_cmpint(shell_dump_format_from_string("raw"), ==, -1);
    g_assert_cmpint(shell_dump_format_from_string(""), ==, -1);
}

static void
test_request_errors(ShellFixture *f, gconstpointer data)
{
    static const struct {
        ShellSaveKind kind;
        const char *line;
        const char *err;
    } cases[] = {
        {SHELL_SAVE_SAVE, "save vm1 f --running --paused",
         "error: Options --running and --paused are mutually exclusive\n"},
        {SHELL_SAVE_RESTORE, "restore f --paused --running",
         "error: Options --running and --paused are mutually exclusive\n"},
        {SHELL_SAVE_MANAGED, "managedsave vm1 --running --paused",
         "error: Options --running and --paused are mutually exclusive\n"},
        {SHELL_SAVE_SAVE, "save vm1 ''", "error: the file name (--file) is empty\n"},
        {SHELL_SAVE_DUMP, "dump vm1 c --live --crash",
         "error: Options --live and --crash are mutually exclusive\n"},
        {SHELL_SAVE_DUMP, "dump vm1 c --reset --live",
         "error: Options --live and --reset are mutually exclusive\n"},
        {SHELL_SAVE_DUMP, "dump vm1 c --crash --reset",
         "error: Options --crash and --reset are mutually exclusive\n"},
        {SHELL_SAVE_DUMP, "dump vm1 c --format elf",
         "error: --format only works with --memory-only\n"},
        {SHELL_SAVE_DUMP, "dump vm1 c --memory-only --format zip",
         "error: format 'zip' is not supported, expecting 'kdump-zlib', 'kdump-lzo', "
         "'kdump-snappy', 'win-dmp' or 'elf'\n"},
        {SHELL_SAVE_SAVE, "save vm1", "error: command 'save' requires <file> option\n"},
        {SHELL_SAVE_RESTORE, "restore", "error: command 'restore' requires <file> option\n"},
        {SHELL_SAVE_DUMP, "dump vm1 c --bogus",
         "error: command 'dump' doesn't support option --bogus\n"},
        {SHELL_SAVE_RESTORE, "restore f --verbose",
         "error: command 'restore' doesn't support option --verbose\n"},
        {SHELL_SAVE_MANAGED, "managedsave vm1 --xml x",
         "error: command 'managedsave' doesn't support option --xml\n"},
    };
    (void)data;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_auto(GStrv) argv = NULL;
        g_autoptr(ShellSaveRequest) r = request(f, cases[i].kind, cases[i].line, &argv);

        g_test_message("%s", cases[i].line);
        g_assert_null(r);
        g_assert_cmpstr(f->err_buf, ==, cases[i].err);
    }
    /* An --xml file that cannot be read. */
    {
        g_auto(GStrv) argv = NULL;
        g_autofree char *line = g_strdup_printf("save vm1 f --xml %s/none.xml", f->dir);
        g_autoptr(ShellSaveRequest) r = request(f, SHELL_SAVE_SAVE, line, &argv);
        g_autofree char *want =
            g_strdup_printf("error: Failed to read file '%s/none.xml': ", f->dir);

        g_assert_null(r);
        g_assert_true(g_str_has_prefix(f->err_buf, want));
    }
}

static void
test_help(ShellFixture *f, gconstpointer data)
{
    static const char *const cmds[] = {"save", "restore", "managedsave", "managedsave-remove",
                                       "dump"};
    (void)data;

    g_assert_true(shell_fixture_run(f, "help"));
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        g_autofree char *needle = g_strdup_printf("    %s ", cmds[i]);

        g_assert_nonnull(strstr(f->out_buf, needle));
    }
}

/* ---- the fake driver ---- */

static struct {
    GMutex lock;
    GCond cond;
    char *op;   /* "save", "managedsave", "dump", "restore", "remove" */
    char *path; /* the path the driver got */
    char *dxml;
    unsigned int flags;
    unsigned int dumpformat;
    int looks;      /* get_job_stats calls */
    int wait_looks; /* the long calls wait until the shell looked this often */
    int aborts;
    gboolean fail;   /* the call fails once the shell looked twice */
    gboolean sigint; /* raise SIGINT at the first look */
    gboolean image;  /* has a managed save image */
} fake;

static void
fake_reset(void)
{
    g_mutex_lock(&fake.lock);
    g_clear_pointer(&fake.op, g_free);
    g_clear_pointer(&fake.path, g_free);
    g_clear_pointer(&fake.dxml, g_free);
    fake.flags = fake.dumpformat = 0;
    fake.looks = fake.aborts = 0;
    fake.wait_looks = 2;
    fake.fail = fake.sigint = fake.image = FALSE;
    g_mutex_unlock(&fake.lock);
}

static int
fake_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    (void)conn;
    (void)flags;
    return g_strcmp0(uri->driver, "fakesave") == 0 ? QVIRT_DRV_OPEN_SUCCESS
                                                   : QVIRT_DRV_OPEN_DECLINED;
}

/* Record the call, then wait until the shell looked at the job
 * FAKE.WAIT_LOOKS times or aborted it. */
static int
fake_long_call(const char *op, const char *path, const char *dxml, unsigned int flags)
{
    int ret = 0;

    g_mutex_lock(&fake.lock);
    g_free(fake.op);
    fake.op = g_strdup(op);
    g_free(fake.path);
    fake.path = g_strdup(path);
    g_free(fake.dxml);
    fake.dxml = g_strdup(dxml);
    fake.flags = flags;
    while (fake.looks < fake.wait_looks && fake.aborts == 0)
        g_cond_wait(&fake.cond, &fake.lock);
    if (fake.aborts) {
        qvirt_report_error(QVIRT_ERR_OPERATION_ABORTED, "operation aborted: %s job", op);
        ret = -1;
    } else if (fake.fail) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "no space left for '%s'",
                           path ? path : "image");
        ret = -1;
    }
    g_mutex_unlock(&fake.lock);
    return ret;
}

static int
fake_save(QvDomain *dom, const char *to, const char *dxml, unsigned int flags)
{
    (void)dom;
    return fake_long_call("save", to, dxml, flags);
}

static int
fake_managed_save(QvDomain *dom, unsigned int flags)
{
    (void)dom;
    return fake_long_call("managedsave", NULL, NULL, flags);
}

static int
fake_dump(QvDomain *dom, const char *to, unsigned int dumpformat, unsigned int flags)
{
    (void)dom;
    g_mutex_lock(&fake.lock);
    fake.dumpformat = dumpformat;
    g_mutex_unlock(&fake.lock);
    return fake_long_call("dump", to, NULL, flags);
}

static int
fake_restore(QvConnect *conn, const char *from, const char *dxml, unsigned int flags)
{
    (void)conn;
    g_mutex_lock(&fake.lock);
    g_free(fake.op);
    fake.op = g_strdup("restore");
    g_free(fake.path);
    fake.path = g_strdup(from);
    g_free(fake.dxml);
    fake.dxml = g_strdup(dxml);
    fake.flags = flags;
    g_mutex_unlock(&fake.lock);
    if (g_str_has_suffix(from, "bad.sav")) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "'%s' is not a save image", from);
        return -1;
    }
    return 0;
}

static int
fake_has_image(QvDomain *dom, unsigned int flags)
{
    (void)dom;
    (void)flags;
    return fake.image ? 1 : 0;
}

static int
fake_remove(QvDomain *dom, unsigned int flags)
{
    (void)dom;
    (void)flags;
    g_free(fake.op);
    fake.op = g_strdup("remove");
    fake.image = FALSE;
    return 0;
}

/* A bounded job: 200 bytes, 150 left at the first look, 50 at the second. */
static int
fake_job_stats(QvDomain *dom, int *ret_type, QvTypedParam **ret_params, int *ret_nparams,
               unsigned int flags)
{
    QvTypedParam *params = NULL;
    int nparams = 0;
    int maxparams = 0;
    gboolean sigint;
    int looks;

    (void)dom;
    (void)flags;
    g_mutex_lock(&fake.lock);
    looks = ++fake.looks;
    sigint = fake.sigint && looks == 1;
    g_cond_broadcast(&fake.cond);
    g_mutex_unlock(&fake.lock);
    if (sigint)
        raise(SIGINT); /* the shell's handler runs now, in this thread */
    qv_typed_params_add_ullong(&params, &nparams, &maxparams, "data_total", 200);
    qv_typed_params_add_ullong(&params, &nparams, &maxparams, "data_remaining",
                               looks == 1 ? 150 : 50);
    *ret_type = QV_DOMAIN_JOB_BOUNDED;
    *ret_params = params;
    *ret_nparams = nparams;
    return 0;
}

static int
fake_abort(QvDomain *dom, unsigned int flags)
{
    (void)dom;
    (void)flags;
    g_mutex_lock(&fake.lock);
    fake.aborts++;
    g_cond_broadcast(&fake.cond);
    g_mutex_unlock(&fake.lock);
    return 0;
}

static const HypervisorDriver fake_driver = {
    .name = "fakesave",
    .connect_open = fake_open,
    .connect_close = shell_fixture_drv_close,
    .domain_lookup_by_name = shell_fixture_drv_lookup_vm1,
    .domain_get_job_stats = fake_job_stats,
    .domain_abort_job_flags = fake_abort,
    .domain_save_flags = fake_save,
    .domain_restore_flags = fake_restore,
    .domain_managed_save = fake_managed_save,
    .domain_has_managed_save_image = fake_has_image,
    .domain_managed_save_remove = fake_remove,
    .domain_core_dump_with_format = fake_dump,
};

static void
fake_setup(ShellFixture *f, gconstpointer data)
{
    shell_fixture_setup_uri(f, data, "fakesave:///x");
    f->sh->quiet = FALSE;
    fake_reset();
}

static void
test_fake_save(ShellFixture *f, gconstpointer data)
{
    g_autofree char *cwd = g_get_current_dir();
    g_autofree char *abs = g_build_filename(cwd, "rel.sav", NULL);
    (void)data;

    g_assert_true(shell_fixture_run(f, "save vm1 /img/a.sav --verbose --paused"));
    g_assert_cmpstr(fake.op, ==, "save");
    g_assert_cmpstr(fake.path, ==, "/img/a.sav");
    g_assert_null(fake.dxml);
    g_assert_cmpuint(fake.flags, ==, QV_DOMAIN_SAVE_PAUSED);
    g_assert_cmpint(fake.looks, ==, 2);
    g_assert_cmpstr(f->err_buf, ==, "\rSave: [ 25 %]\rSave: [ 75 %]\rSave: [100 %]\n");
    g_assert_cmpstr(f->out_buf, ==, "\nDomain 'vm1' saved to /img/a.sav\n\n");

    /* A relative path reaches the driver completed; the message keeps it. */
    fake_reset();
    fake.wait_looks = 0; /* without --verbose nobody looks */
    g_assert_true(shell_fixture_run(f, "save vm1 rel.sav"));
    g_assert_cmpstr(fake.path, ==, abs);
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpstr(f->out_buf, ==, "\nDomain 'vm1' saved to rel.sav\n\n");

    /* A failure: the open progress line is ended, then virsh's two lines. */
    fake_reset();
    fake.fail = TRUE;
    g_assert_false(shell_fixture_run(f, "save vm1 /full/a.sav --verbose"));
    g_assert_cmpstr(f->err_buf, ==,
                    "\rSave: [ 25 %]\rSave: [ 75 %]\n"
                    "error: Failed to save domain 'vm1' to /full/a.sav\n"
                    "error: operation failed: no space left for '/full/a.sav'\n");

    /* A missing domain: nothing reaches the driver. */
    fake_reset();
    g_assert_false(shell_fixture_run(f, "save nosuch /a.sav"));
    g_assert_null(fake.op);
    g_assert_true(g_str_has_prefix(f->err_buf, "error: failed to get domain 'nosuch'\n"));
}

static void
test_fake_managed_and_dump(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(shell_fixture_run(f, "managedsave vm1 --verbose --bypass-cache"));
    g_assert_cmpstr(fake.op, ==, "managedsave");
    g_assert_cmpuint(fake.flags, ==, QV_DOMAIN_SAVE_BYPASS_CACHE);
    g_assert_cmpstr(f->err_buf, ==,
                    "\rManagedsave: [ 25 %]\rManagedsave: [ 75 %]\rManagedsave: [100 %]\n");
    g_assert_cmpstr(f->out_buf, ==, "\nDomain 'vm1' state saved by qvirt\n\n");

    fake_reset();
    g_assert_true(
        shell_fixture_run(f, "dump vm1 /c.core --memory-only --format win-dmp --verbose"));
    g_assert_cmpstr(fake.op, ==, "dump");
    g_assert_cmpstr(fake.path, ==, "/c.core");
    g_assert_cmpuint(fake.flags, ==, QV_DUMP_MEMORY_ONLY);
    g_assert_cmpuint(fake.dumpformat, ==, QV_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP);
    g_assert_cmpstr(f->err_buf, ==, "\rDump: [ 25 %]\rDump: [ 75 %]\rDump: [100 %]\n");
    g_assert_cmpstr(f->out_buf, ==, "\nDomain 'vm1' dumped to /c.core\n\n");

    /* Without --verbose: no bar, and a plain dump is RAW. */
    fake_reset();
    fake.wait_looks = 0;
    g_assert_true(shell_fixture_run(f, "dump vm1 /c.core --crash"));
    g_assert_cmpuint(fake.flags, ==, QV_DUMP_CRASH);
    g_assert_cmpuint(fake.dumpformat, ==, QV_DOMAIN_CORE_DUMP_FORMAT_RAW);
    g_assert_cmpstr(f->err_buf, ==, "");

    fake_reset();
    fake.wait_looks = 0;
    fake.fail = TRUE;
    g_assert_false(shell_fixture_run(f, "dump vm1 /c.core"));
    g_assert_cmpstr(f->err_buf, ==,
                    "error: Failed to core dump domain 'vm1' to /c.core\n"
                    "error: operation failed: no space left for '/c.core'\n");
    fake_reset();
    fake.wait_looks = 0;
    fake.fail = TRUE;
    g_assert_false(shell_fixture_run(f, "managedsave vm1"));
    g_assert_cmpstr(f->err_buf, ==,
                    "error: Failed to save domain 'vm1' state\n"
                    "error: operation failed: no space left for 'image'\n");
}

static void
test_fake_ctrl_c(ShellFixture *f, gconstpointer data)
{
    struct sigaction before;
    struct sigaction now;

    (void)data;
    g_assert_cmpint(sigaction(SIGINT, NULL, &before), ==, 0);
    fake.sigint = TRUE;
    g_assert_false(shell_fixture_run(f, "save vm1 /a.sav --verbose"));
    g_assert_cmpint(fake.aborts, ==, 1);
    g_assert_cmpint(fake.looks, ==, 1);
    g_assert_cmpstr(f->err_buf, ==,
                    "\rSave: [ 25 %]\n"
                    "error: Failed to save domain 'vm1' to /a.sav\n"
                    "error: operation aborted: save job\n");
    g_assert_cmpint(sigaction(SIGINT, NULL, &now), ==, 0);
    g_assert_true(now.sa_handler == before.sa_handler);
}

static void
test_fake_restore_and_remove(ShellFixture *f, gconstpointer data)
{
    g_autofree char *cwd = g_get_current_dir();
    g_autofree char *abs = g_build_filename(cwd, "img", "r.sav", NULL);
    g_autofree char *xml = g_build_filename(f->dir, "alt.xml", NULL);
    g_autofree char *line = g_strdup_printf("restore /r.sav --xml %s --running", xml);
    (void)data;

    g_assert_true(shell_fixture_run(f, "restore img/r.sav"));
    g_assert_cmpstr(fake.op, ==, "restore");
    g_assert_cmpstr(fake.path, ==, abs);
    g_assert_cmpuint(fake.flags, ==, 0);
    g_assert_cmpstr(f->out_buf, ==, "Domain restored from img/r.sav\n\n");

    fake_reset();
    g_assert_true(g_file_set_contents(xml, "<domain type='test'/>", -1, NULL));
    g_assert_true(shell_fixture_run(f, line));
    g_assert_cmpstr(fake.dxml, ==, "<domain type='test'/>");
    g_assert_cmpuint(fake.flags, ==, QV_DOMAIN_SAVE_RUNNING);

    fake_reset();
    g_assert_false(shell_fixture_run(f, "restore /bad.sav"));
    g_assert_cmpstr(f->err_buf, ==,
                    "error: Failed to restore domain from /bad.sav\n"
                    "error: operation failed: '/bad.sav' is not a save image\n");

    fake_reset();
    g_assert_true(shell_fixture_run(f, "managedsave-remove vm1"));
    g_assert_null(fake.op);
    g_assert_cmpstr(f->out_buf, ==, "Domain 'vm1' has no manage save image; removal skipped\n\n");
    fake.image = TRUE;
    g_assert_true(shell_fixture_run(f, "managedsave-remove vm1"));
    g_assert_cmpstr(fake.op, ==, "remove");
    g_assert_false(fake.image);
    g_assert_cmpstr(f->out_buf, ==, "Removed managedsave image for domain 'vm1'\n\n");
    g_assert_false(shell_fixture_run(f, "managedsave-remove nosuch"));
    g_assert_true(g_str_has_prefix(f->err_buf, "error: failed to get domain 'nosuch'\n"));
}

static void
test_progress_percent(void)
{
    g_assert_cmpint(shell_job_progress_percent(0, 0), ==, -1);
    g_assert_cmpint(shell_job_progress_percent(0, 100), ==, 100);
    g_assert_cmpint(shell_job_progress_percent(100, 100), ==, 0);
    g_assert_cmpint(shell_job_progress_percent(58, 100), ==, 42);
    g_assert_cmpint(shell_job_progress_percent(1, 1000000), ==, 99);
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    g_assert_cmpint(qvirt_initialize(), ==, 0);
    g_assert_cmpint(qv_driver_register(&fake_driver, NULL), ==, 0);

#define ADD(path, fn)                                                                              \
    g_test_add(path, ShellFixture, NULL, shell_fixture_setup_tmp, fn, shell_fixture_teardown)
    ADD("/shell/save/request/save", test_request_save);
    ADD("/shell/save/request/others", test_request_others);
    ADD("/shell/save/request/errors", test_request_errors);
    ADD("/shell/save/help", test_help);
#undef ADD
#define ADD(path, fn) g_test_add(path, ShellFixture, NULL, fake_setup, fn, shell_fixture_teardown)
    ADD("/shell/save/fake/save", test_fake_save);
    ADD("/shell/save/fake/managedsave-dump", test_fake_managed_and_dump);
    ADD("/shell/save/fake/ctrl-c", test_fake_ctrl_c);
    ADD("/shell/save/fake/restore-remove", test_fake_restore_and_remove);
#undef ADD
    g_test_add_func("/shell/save/progress", test_progress_percent);
    return g_test_run();
}

/* test-shell-blockjob.c: the shell's block job commands without a daemon:
 * the flags, bandwidth, typed parameters and destination XML the options
 * of blockpull, blockcopy and blockcommit build (driver/blockjob.h), every
 * refused option combination with its message (checked before any
 * connection is tried), blockjob's modes, and virsh's progress figure.
 * Then whole commands against an in-process fake driver ("fakebj://")
 * whose jobs advance by half at each look: --wait with --verbose for pull,
 * copy (mirroring, --pivot, --finish) and commit (inactive, active), a
 * failure told by the BLOCK_JOB_2 event, --timeout aborting a stuck job
 * (synchronously, and with --async), and blockjob's info, raw, abort and
 * bandwidth. */
#include <config.h>

#include <signal.h>
#include <string.h>

#include "driver/driver.h"
#include "fixture.h"
#include "qvirt/qvirt.h"
#include "shell/shell_blockjob_priv.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

static void *
make_request(Shell *sh, ShellArgs *args, gconstpointer kind)
{
    return shell_block_request_new(sh, GPOINTER_TO_INT(kind), args);
}

/* The request of LINE, or NULL (its errors are in f->err_buf). */
static ShellBlockRequest *
request(ShellFixture *f, ShellBlockKind kind, const char *line, GStrv *ret_argv)
{
    return shell_fixture_request(f, line, ret_argv, make_request, GINT_TO_POINTER(kind));
}

/* ---- the requests ---- */

static void
test_request_pull(ShellFixture *f, gconstpointer data)
{
    g_auto(GStrv) a1 = NULL;
    g_auto(GStrv) a2 = NULL;
    g_autoptr(ShellBlockRequest) r1 = request(f, SHELL_BLOCK_PULL, "blockpull vm1 vda", &a1);
    g_autoptr(ShellBlockRequest) r2 = NULL;
    (void)data;

    g_assert_nonnull(r1);
    g_assert_cmpstr(r1->disk, ==, "vda");
    g_assert_false(r1->use_rebase);
    g_assert_false(r1->wait);
    g_assert_cmpuint(r1->flags, ==, 0);
    r2 = request(f, SHELL_BLOCK_PULL,
                 "blockpull vm1 /img/top.qcow2 --base /img/base.qcow2 --bandwidth 1048576 --bytes "
                 "--keep-relative --verbose --timeout 3 --async",
                 &a2);
    g_assert_nonnull(r2);
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_true(r2->use_rebase);
    g_assert_cmpstr(r2->base, ==, "/img/base.qcow2");
    g_assert_cmpuint(r2->bandwidth, ==, 1048576);
    g_assert_cmpuint(r2->flags, ==,
                     QV_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES | QV_DOMAIN_BLOCK_REBASE_RELATIVE);
    /* --timeout implies --wait. */
    g_assert_true(r2->wait);
    g_assert_true(r2->verbose);
    g_assert_true(r2->async);
    g_assert_cmpint(r2->timeout_ms, ==, 3000);
}

static void
test_request_copy(ShellFixture *f, gconstpointer data)
{
    g_auto(GStrv) a1 = NULL;
    g_auto(GStrv) a2 = NULL;
    g_auto(GStrv) a3 = NULL;
    g_autoptr(ShellBlockRequest) r1 = NULL;
    g_autoptr(ShellBlockRequest) r2 = NULL;
    g_autoptr(ShellBlockRequest) r3 = NULL;
    g_autofree char *xml = g_build_filename(f->dir, "dest.xml", NULL);
    g_autofree char *line = g_strdup_printf("blockcopy vm1 vda --xml %s --finish", xml);
    unsigned long long ul = 0;
    unsigned int ui = 0;
    (void)data;

    r1 = request(f, SHELL_BLOCK_COPY,
                 "blockcopy vm1 vda /img/c<1>.qcow2 --format qcow2 --bandwidth 2 --shallow "
                 "--reuse-external --transient-job --granularity 65536 --buf-size 1024 --pivot",
                 &a1);
    g_assert_nonnull(r1);
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpstr(r1->destxml, ==,
                    "<disk type='file'>\n  <source file='/img/c&lt;1&gt;.qcow2'/>\n"
                    "  <driver type='qcow2'/>\n</disk>\n");
    g_assert_cmpuint(r1->flags, ==,
                     QV_DOMAIN_BLOCK_COPY_SHALLOW | QV_DOMAIN_BLOCK_COPY_REUSE_EXT |
                         QV_DOMAIN_BLOCK_COPY_TRANSIENT_JOB);
    /* MiB/s on the command line, bytes/s in the parameter. */
    g_assert_cmpint(
        qv_typed_params_get_ullong(r1->params, r1->nparams, QV_DOMAIN_BLOCK_COPY_BANDWIDTH, &ul),
        ==, 1);
    g_assert_cmpuint(ul, ==, 2 * 1048576);
    g_assert_cmpint(
        qv_typed_params_get_uint(r1->params, r1->nparams, QV_DOMAIN_BLOCK_COPY_GRANULARITY, &ui),
        ==, 1);
    g_assert_cmpuint(ui, ==, 65536);
    g_assert_cmpint(
        qv_typed_params_get_ullong(r1->params, r1->nparams, QV_DOMAIN_BLOCK_COPY_BUF_SIZE, &ul), ==,
        1);
    g_assert_cmpuint(ul, ==, 1024);
    /* --pivot implies --wait. */
    g_assert_true(r1->wait);
    g_assert_true(r1->pivot);

    r2 =
        request(f, SHELL_BLOCK_COPY,
                "blockcopy vm1 vda --dest /dev/sdz --blockdev --raw --bandwidth 4096 --bytes", &a2);
    g_assert_nonnull(r2);
    g_assert_cmpstr(
        r2->destxml, ==,
        "<disk type='block'>\n  <source dev='/dev/sdz'/>\n  <driver type='raw'/>\n</disk>\n");
    g_assert_cmpint(
        qv_typed_params_get_ullong(r2->params, r2->nparams, QV_DOMAIN_BLOCK_COPY_BANDWIDTH, &ul),
        ==, 1);
    g_assert_cmpuint(ul, ==, 4096);
    g_assert_false(r2->wait);

    g_assert_true(
        g_file_set_contents(xml, "<disk type='file'><source file='/x'/></disk>", -1, NULL));
    r3 = request(f, SHELL_BLOCK_COPY, line, &a3);
    g_assert_nonnull(r3);
    g_assert_cmpstr(r3->destxml, ==, "<disk type='file'><source file='/x'/></disk>");
    g_assert_true(r3->finish);
    g_assert_true(r3->wait);
    g_assert_cmpint(r3->nparams, ==, 0);
}

static void
test_request_commit(ShellFixture *f, gconstpointer data)
{
    g_auto(GStrv) a1 = NULL;
    g_auto(GStrv) a2 = NULL;
    g_autoptr(ShellBlockRequest) r1 = NULL;
    g_autoptr(ShellBlockRequest) r2 = NULL;
    (void)data;

    r1 = request(f, SHELL_BLOCK_COMMIT,
                 "blockcommit vm1 vda --base /b --top /t --delete --shallow --bandwidth 3 --wait",
                 &a1);
    g_assert_nonnull(r1);
    g_assert_cmpstr(r1->base, ==, "/b");
    g_assert_cmpstr(r1->top, ==, "/t");
    g_assert_cmpuint(r1->bandwidth, ==, 3);
    g_assert_cmpuint(r1->flags, ==, QV_DOMAIN_BLOCK_COMMIT_DELETE | QV_DOMAIN_BLOCK_COMMIT_SHALLOW);
    g_assert_true(r1->wait);
    /* --keep-overlay (and --pivot) imply --active and --wait. */
    r2 = request(f, SHELL_BLOCK_COMMIT, "blockcommit vm1 vda --keep-overlay --bytes", &a2);
    g_assert_nonnull(r2);
    g_assert_cmpuint(r2->flags, ==,
                     QV_DOMAIN_BLOCK_COMMIT_ACTIVE | QV_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES);
    g_assert_true(r2->wait);
    g_assert_true(r2->finish);
    g_assert_null(r2->base);
    g_assert_null(r2->top);
}

static void
test_request_errors(ShellFixture *f, gconstpointer data)
{
    static const struct {
        ShellBlockKind kind;
        const char *line;
        const char *err;
    } cases[] = {
        {SHELL_BLOCK_PULL, "blockpull vm1 vda --verbose",
         "error: Option --verbose requires option --wait\n"},
        {SHELL_BLOCK_PULL, "blockpull vm1 vda --async",
         "error: Option --async requires option --wait\n"},
        {SHELL_BLOCK_PULL, "blockpull vm1 vda --bandwidth x",
         "error: Numeric value 'x' for <bandwidth> option is malformed or out of range\n"},
        {SHELL_BLOCK_PULL, "blockpull vm1 vda --bandwidth -1",
         "error: Numeric value '-1' for <bandwidth> option is malformed or out of range\n"},
        {SHELL_BLOCK_PULL, "blockpull vm1 vda --timeout 0", "error: invalid timeout\n"},
        {SHELL_BLOCK_PULL, "blockpull vm1 vda --keep-relative",
         "error: Option --keep-relative requires option --base\n"},
        {SHELL_BLOCK_COPY, "blockcopy vm1 vda", "error: need either --dest or --xml\n"},
        {SHELL_BLOCK_COPY, "blockcopy vm1 vda /d --pivot --finish",
         "error: Options --pivot and --finish are mutually exclusive\n"},
        {SHELL_BLOCK_COPY, "blockcopy vm1 vda /d --xml /x.xml",
         "error: Options --dest and --xml are mutually exclusive\n"},
        {SHELL_BLOCK_COPY, "blockcopy vm1 vda --xml /x.xml --blockdev",
         "error: Options --blockdev and --xml are mutually exclusive\n"},
        {SHELL_BLOCK_COPY, "blockcopy vm1 vda /d --format raw --raw",
         "error: Options --format and --raw are mutually exclusive\n"},
        {SHELL_BLOCK_COPY, "blockcopy vm1 vda /d --verbose",
         "error: --verbose requires at least one of --timeout, --wait, --pivot, or --finish\n"},
        {SHELL_BLOCK_COPY, "blockcopy vm1 vda /d --bandwidth 17592186044416",
         "error: bandwidth must be less than 17592186044415\n"},
        {SHELL_BLOCK_COPY, "blockcopy vm1 vda /d --granularity 4294967296",
         "error: Numeric value '4294967296' for <granularity> option is malformed or out of "
         "range\n"},
        {SHELL_BLOCK_COMMIT, "blockcommit vm1 vda --pivot --keep-overlay",
         "error: Options --pivot and --keep-overlay are mutually exclusive\n"},
        {SHELL_BLOCK_COMMIT, "blockcommit vm1 vda --async",
         "error: --async requires at least one of --timeout, --wait, --pivot, or "
         "--keep-overlay\n"},
    };
    (void)data;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_auto(GStrv) argv = NULL;
        g_autoptr(ShellBlockRequest) req = request(f, cases[i].kind, cases[i].line, &argv);

        g_test_message("%s", cases[i].line);
        g_assert_null(req);
        g_assert_cmpstr(f->err_buf, ==, cases[i].err);
    }
    /* A missing --xml file: the read error, before any connection. */
    {
        g_auto(GStrv) argv = NULL;
        g_autofree char *line = g_strdup_printf("blockcopy vm1 vda --xml %s/missing.xml", f->dir);
        g_autoptr(ShellBlockRequest) req = request(f, SHELL_BLOCK_COPY, line, &argv);

        g_assert_null(req);
        g_assert_true(g_str_has_prefix(f->err_buf, "error: "));
        g_assert_nonnull(strstr(f->err_buf, "missing.xml"));
    }
}

static void
test_blockjob_modes(ShellFixture *f, gconstpointer data)
{
    static const struct {
        const char *line;
        int mode;
    } cases[] = {
        {"blockjob vm1 vda", SHELL_BLOCKJOB_INFO},
        {"blockjob vm1 vda --info", SHELL_BLOCKJOB_INFO},
        {"blockjob vm1 vda --raw", SHELL_BLOCKJOB_INFO},
        {"blockjob vm1 vda --abort", SHELL_BLOCKJOB_ABORT},
        {"blockjob vm1 vda --async", SHELL_BLOCKJOB_ABORT},
        {"blockjob vm1 vda --pivot", SHELL_BLOCKJOB_ABORT},
        {"blockjob vm1 vda --bandwidth 10", SHELL_BLOCKJOB_SPEED},
        {"blockjob vm1 vda --abort --info", -1},
        {"blockjob vm1 vda --raw --bandwidth 1", -1},
        {"blockjob vm1 vda --pivot --bandwidth 1", -1},
    };
    (void)data;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_auto(GStrv) argv = NULL;
        g_autoptr(GError) gerr = NULL;
        ShellArgs args = {0};
        int argc;
        int mode;

        shell_fixture_rewind(f);
        g_assert_true(g_shell_parse_argv(cases[i].line, &argc, &argv, &gerr));
        g_assert_true(shell_args_parse(f->sh, argc, argv, &args));
        mode = shell_blockjob_mode(f->sh, &args);
        shell_args_clear(&args);
        shell_fixture_take(f);
        g_assert_cmpint(mode, ==, cases[i].mode);
        g_assert_cmpstr(f->err_buf, ==,
                        mode < 0 ? "error: conflict in --abort, --info, and --bandwidth modes\n"
                                 : "");
    }
    /* The whole command refuses before connecting (nobody listens). */
    g_assert_false(shell_fixture_run(f, "blockjob vm1 vda --abort --raw"));
    g_assert_cmpstr(f->err_buf, ==, "error: conflict in --abort, --info, and --bandwidth modes\n");
    g_assert_false(shell_fixture_run(f, "blockcopy vm1 vda"));
    g_assert_cmpstr(f->err_buf, ==, "error: need either --dest or --xml\n");
}

static void
test_progress_percent(void)
{
    g_assert_cmpint(shell_block_progress_percent(0, 100), ==, 0);
    g_assert_cmpint(shell_block_progress_percent(45, 100), ==, 45);
    g_assert_cmpint(shell_block_progress_percent(999, 1000), ==, 99);
    g_assert_cmpint(shell_block_progress_percent(100, 100), ==, 100);
    g_assert_cmpint(shell_block_progress_percent(0, 0), ==, 100);
    g_assert_cmpint(shell_block_progress_percent(G_MAXUINT64 - 1, G_MAXUINT64), ==, 99);
}

static void
test_help(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(shell_fixture_run(f, "help"));
    g_assert_nonnull(strstr(f->out_buf, "blockcopy"));
    g_assert_nonnull(strstr(f->out_buf, "blockcommit"));
    g_assert_nonnull(strstr(f->out_buf, "blockjob"));
    g_assert_nonnull(strstr(f->out_buf, "blockpull"));
}

/* ---- whole commands against a fake driver ---- */

/* One job at a time, on disk "vda": each look at it advances it by half. */
typedef struct {
    GMutex lock;
    gboolean present;
    gboolean stuck;      /* never advances */
    gboolean fail_event; /* at its end, a BLOCK_JOB_2 FAILED event */
    gboolean sigint;     /* raise SIGINT at the second look */
    int type;            /* QvDomainBlockJobType */
    unsigned long long cur;
    unsigned long long bandwidth;
    char *op; /* the starting call */
    unsigned int start_flags;
    char *destxml;
    int nparams;
    int aborts;
    unsigned int abort_flags;
    int speeds;
    unsigned long long speed;
    unsigned int speed_flags;
    int looks;
} FakeBj;

static FakeBj fake;

static void
fake_reset(void)
{
    g_mutex_lock(&fake.lock);
    g_free(fake.op);
    g_free(fake.destxml);
    fake.op = fake.destxml = NULL;
    fake.present = fake.stuck = fake.fail_event = fake.sigint = FALSE;
    fake.type = 0;
    fake.cur = fake.bandwidth = fake.speed = 0;
    fake.start_flags = fake.abort_flags = fake.speed_flags = 0;
    fake.nparams = fake.aborts = fake.speeds = fake.looks = 0;
    g_mutex_unlock(&fake.lock);
}

static const HypervisorDriver fake_driver;

static int
fake_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    (void)conn;
    (void)flags;
    return g_strcmp0(uri->driver, "fakebj") == 0 ? QVIRT_DRV_OPEN_SUCCESS : QVIRT_DRV_OPEN_DECLINED;
}

static int
fake_start(const char *op, const char *disk, int type, unsigned int flags)
{
    g_mutex_lock(&fake.lock);
    if (fake.present || strcmp(disk, "vda") != 0) {
        g_mutex_unlock(&fake.lock);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, "disk '%s' already has a block job", disk);
        return -1;
    }
    g_free(fake.op);
    fake.op = g_strdup(op);
    fake.start_flags = flags;
    fake.present = TRUE;
    fake.type = type;
    fake.cur = 0;
    g_mutex_unlock(&fake.lock);
    return 0;
}

static int
fake_pull(QvDomain *dom, const char *disk, unsigned long long bandwidth, unsigned int flags)
{
    (void)dom;
    fake.bandwidth = bandwidth;
    return fake_start("pull", disk, QV_DOMAIN_BLOCK_JOB_TYPE_PULL, flags);
}

static int
fake_rebase(QvDomain *dom, const char *disk, const char *base, unsigned long long bandwidth,
            unsigned int flags)
{
    (void)dom;
    (void)base;
    fake.bandwidth = bandwidth;
    return fake_start("rebase", disk, QV_DOMAIN_BLOCK_JOB_TYPE_PULL, flags);
}

static int
fake_commit(QvDomain *dom, const char *disk, const char *base, const char *top,
            unsigned long long bandwidth, unsigned int flags)
{
    (void)dom;
    (void)base;
    (void)top;
    fake.bandwidth = bandwidth;
    return fake_start("commit", disk,
                      flags & QV_DOMAIN_BLOCK_COMMIT_ACTIVE ? QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT
                                                            : QV_DOMAIN_BLOCK_JOB_TYPE_COMMIT,
                      flags);
}

static int
fake_copy(QvDomain *dom, const char *disk, const char *destxml, const QvTypedParam *params,
          int nparams, unsigned int flags)
{
    (void)dom;
    (void)params;
    g_free(fake.destxml);
    fake.destxml = g_strdup(destxml);
    fake.nparams = nparams;
    return fake_start("copy", disk, QV_DOMAIN_BLOCK_JOB_TYPE_COPY, flags);
}

static int
fake_abort(QvDomain *dom, const char *disk, unsigned int flags)
{
    (void)dom;
    g_mutex_lock(&fake.lock);
    if (!fake.present || strcmp(disk, "vda") != 0) {
        g_mutex_unlock(&fake.lock);
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, "disk '%s' has no block job", disk);
        return -1;
    }
    fake.aborts++;
    fake.abort_flags = flags;
    fake.present = FALSE;
    g_mutex_unlock(&fake.lock);
    return 0;
}

/* 0 % at the first look, 50 % at the second, then the end: a copy or an
 * active commit stays ready (cur == end); other jobs are gone. */
static int
fake_info(QvDomain *dom, const char *disk, QvDomainBlockJobInfo *ret_info, unsigned int flags)
{
    QvEvent *event = NULL;
    int rc = 1;

    g_mutex_lock(&fake.lock);
    fake.looks++;
    if (!fake.present || strcmp(disk, "vda") != 0) {
        rc = 0;
    } else {
        ret_info->type = fake.type;
        ret_info->bandwidth = flags ? fake.bandwidth << 20 : fake.bandwidth;
        ret_info->end = 100;
        ret_info->cur = fake.cur;
        if (fake.cur > 100 && fake.type != QV_DOMAIN_BLOCK_JOB_TYPE_COPY &&
            fake.type != QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT) {
            fake.present = FALSE;
            rc = 0;
            if (fake.fail_event)
                event = qv_event_new_block_job(&fake_driver, dom->name, shell_fixture_vm1_uuid, 1,
                                               QV_DOMAIN_EVENT_ID_BLOCK_JOB_2, "vda", fake.type,
                                               QV_DOMAIN_BLOCK_JOB_FAILED);
        }
        ret_info->cur = MIN(fake.cur, 100);
        if (!fake.stuck)
            fake.cur += 50;
    }
    if (fake.sigint && fake.looks == 2)
        raise(SIGINT); /* the shell's handler runs now, in this thread */
    g_mutex_unlock(&fake.lock);
    if (event)
        qv_event_queue_push(event);
    if (rc == 0)
        memset(ret_info, 0, sizeof(*ret_info));
    return rc;
}

static int
fake_set_speed(QvDomain *dom, const char *disk, unsigned long long bandwidth, unsigned int flags)
{
    (void)dom;
    (void)disk;
    g_mutex_lock(&fake.lock);
    fake.speeds++;
    fake.speed = bandwidth;
    fake.speed_flags = flags;
    g_mutex_unlock(&fake.lock);
    return 0;
}

static const HypervisorDriver fake_driver = {
    .name = "fakebj",
    .connect_open = fake_open,
    .connect_close = shell_fixture_drv_close,
    .domain_lookup_by_name = shell_fixture_drv_lookup_vm1,
    .domain_block_pull = fake_pull,
    .domain_block_rebase = fake_rebase,
    .domain_block_commit = fake_commit,
    .domain_block_copy = fake_copy,
    .domain_block_job_abort = fake_abort,
    .domain_get_block_job_info = fake_info,
    .domain_block_job_set_speed = fake_set_speed,
};

static void
fake_setup(ShellFixture *f, gconstpointer data)
{
    shell_fixture_setup_uri(f, data, "fakebj:///x");
    f->sh->quiet = FALSE;
    fake_reset();
}

static void
test_fake_pull_wait(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(shell_fixture_run(f, "blockpull vm1 vda --bandwidth 5 --wait --verbose"));
    g_assert_cmpstr(fake.op, ==, "pull");
    g_assert_cmpuint(fake.bandwidth, ==, 5);
    g_assert_cmpstr(f->err_buf, ==,
                    "\rBlock Pull: [  0 %]\rBlock Pull: [ 50 %]\rBlock Pull: [100 %]"
                    "\rBlock Pull: [100 %]");
    g_assert_cmpstr(f->out_buf, ==, "\nPull complete\n\n");
    g_assert_cmpint(fake.aborts, ==, 0);

    /* Without --wait: started, and no look at the job. */
    fake_reset();
    g_assert_true(shell_fixture_run(f, "blockpull vm1 vda --base /b"));
    g_assert_cmpstr(fake.op, ==, "rebase");
    g_assert_cmpstr(f->out_buf, ==, "Block Pull started\n\n");
    g_assert_cmpint(fake.looks, ==, 0);

    /* A second job on the disk: the driver's error. */
    g_assert_false(shell_fixture_run(f, "blockpull vm1 vda"));
    g_assert_cmpstr(f->err_buf, ==,
                    "error: Requested operation is not valid: disk 'vda' already has a block "
                    "job\n");
}

static void
test_fake_pull_failed_event(ShellFixture *f, gconstpointer data)
{
    (void)data;
    fake.fail_event = TRUE;
    g_assert_false(shell_fixture_run(f, "blockpull vm1 vda --wait"));
    g_assert_cmpstr(f->err_buf, ==, "\nerror: Pull failed\n");
}

static void
test_fake_copy(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(shell_fixture_run(f, "blockcopy vm1 vda /img/copy.qcow2 --wait --verbose"));
    g_assert_cmpstr(fake.op, ==, "copy");
    g_assert_cmpstr(fake.destxml, ==,
                    "<disk type='file'>\n  <source file='/img/copy.qcow2'/>\n</disk>\n");
    g_assert_cmpstr(f->err_buf, ==,
                    "\rBlock Copy: [  0 %]\rBlock Copy: [ 50 %]\rBlock Copy: [100 %]");
    g_assert_cmpstr(f->out_buf, ==, "\nNow in mirroring phase\n\n");
    g_assert_cmpint(fake.aborts, ==, 0);

    fake_reset();
    g_assert_true(shell_fixture_run(f, "blockcopy vm1 vda /img/copy.qcow2 --pivot"));
    g_assert_cmpint(fake.aborts, ==, 1);
    g_assert_cmpuint(fake.abort_flags, ==, QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT);
    g_assert_cmpstr(f->out_buf, ==, "\nSuccessfully pivoted\n\n");

    fake_reset();
    g_assert_true(shell_fixture_run(f, "blockcopy vm1 vda /img/copy.qcow2 --finish"));
    g_assert_cmpint(fake.aborts, ==, 1);
    g_assert_cmpuint(fake.abort_flags, ==, 0);
    g_assert_cmpstr(f->out_buf, ==, "\nSuccessfully copied\n\n");
}

static void
test_fake_commit(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(shell_fixture_run(f, "blockcommit vm1 vda --wait"));
    g_assert_cmpstr(fake.op, ==, "commit");
    g_assert_cmpuint(fake.start_flags, ==, 0);
    g_assert_cmpstr(f->out_buf, ==, "\nCommit complete\n\n");

    fake_reset();
    g_assert_true(shell_fixture_run(f, "blockcommit vm1 vda --active --wait"));
    g_assert_cmpuint(fake.start_flags, ==, QV_DOMAIN_BLOCK_COMMIT_ACTIVE);
    g_assert_cmpstr(f->out_buf, ==, "\nNow in synchronized phase\n\n");
    g_assert_cmpint(fake.aborts, ==, 0);

    fake_reset();
    g_assert_true(shell_fixture_run(f, "blockcommit vm1 vda --pivot"));
    g_assert_cmpuint(fake.abort_flags, ==, QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT);
    g_assert_cmpstr(f->out_buf, ==, "\nSuccessfully pivoted\n\n");

    fake_reset();
    g_assert_true(shell_fixture_run(f, "blockcommit vm1 vda --keep-overlay"));
    g_assert_cmpint(fake.aborts, ==, 1);
    g_assert_cmpuint(fake.abort_flags, ==, 0);
    g_assert_cmpstr(f->out_buf, ==, "\nCommit complete, overlay image kept\n\n");
}

static void
test_fake_timeout(ShellFixture *f, gconstpointer data)
{
    (void)data;
    fake.stuck = TRUE;
    g_assert_false(shell_fixture_run(f, "blockcopy vm1 vda /c --timeout 1"));
    g_assert_cmpint(fake.aborts, ==, 1);
    g_assert_cmpuint(fake.abort_flags, ==, 0);
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpstr(f->out_buf, ==, "\nCopy aborted\n\n");
    /* At least the first look and the one at the deadline. */
    g_assert_cmpint(fake.looks, >=, 2);

    fake_reset();
    fake.stuck = TRUE;
    g_assert_false(shell_fixture_run(f, "blockpull vm1 vda --timeout 1 --async"));
    g_assert_cmpuint(fake.abort_flags, ==, QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC);
    g_assert_cmpstr(f->out_buf, ==, "\nPull aborted\n\n");
}

/* Ctrl-C during --wait aborts the job (with --async, asynchronously), and
 * the handler is gone afterwards. */
static void
test_fake_ctrl_c(ShellFixture *f, gconstpointer data)
{
    struct sigaction before;
    struct sigaction now;

    (void)data;
    /* What was there before comes back (SIG_IGN when the test runs in the
     * background of a non-interactive shell). */
    g_assert_cmpint(sigaction(SIGINT, NULL, &before), ==, 0);
    fake.stuck = TRUE;
    fake.sigint = TRUE;
    g_assert_false(shell_fixture_run(f, "blockcommit vm1 vda --active --wait --async"));
    g_assert_cmpint(fake.aborts, ==, 1);
    g_assert_cmpuint(fake.abort_flags, ==, QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC);
    g_assert_cmpint(fake.looks, ==, 2);
    g_assert_cmpstr(f->out_buf, ==, "\nCommit aborted\n\n");
    g_assert_cmpint(sigaction(SIGINT, NULL, &now), ==, 0);
    g_assert_true(now.sa_handler == before.sa_handler);
}

static void
test_fake_blockjob(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(shell_fixture_run(f, "blockjob vm1 vda"));
    g_assert_cmpstr(f->out_buf, ==, "No current block job for vda\n\n");

    g_assert_true(shell_fixture_run(f, "blockcopy vm1 vda /c --bandwidth 1"));
    g_assert_true(shell_fixture_run(f, "blockjob vm1 vda --info"));
    g_assert_cmpstr(f->err_buf, ==, "\rBlock Copy: [  0 %]");
    g_assert_cmpstr(f->out_buf, ==, "\n\n");
    fake.bandwidth = 1;
    g_assert_true(shell_fixture_run(f, "blockjob vm1 vda"));
    g_assert_cmpstr(f->err_buf, ==, "\rBlock Copy: [ 50 %]");
    g_assert_cmpstr(f->out_buf, ==, "    Bandwidth limit: 1048576 bytes/s (1.000 MiB/s)\n\n");
    g_assert_true(shell_fixture_run(f, "blockjob vm1 vda --raw"));
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpstr(f->out_buf, ==, " type=Block Copy\n bandwidth=1\n cur=100\n end=100\n\n");
    g_assert_true(shell_fixture_run(f, "blockjob vm1 vda --raw --bytes"));
    g_assert_cmpstr(f->out_buf, ==, " type=Block Copy\n bandwidth=1048576\n cur=100\n end=100\n\n");

    g_assert_true(shell_fixture_run(f, "blockjob vm1 vda --bandwidth 7 --bytes"));
    g_assert_cmpint(fake.speeds, ==, 1);
    g_assert_cmpuint(fake.speed, ==, 7);
    g_assert_cmpuint(fake.speed_flags, ==, QV_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES);
    g_assert_false(shell_fixture_run(f, "blockjob vm1 vda --bandwidth nope"));
    g_assert_cmpstr(f->err_buf, ==,
                    "error: Numeric value 'nope' for <bandwidth> option is malformed or out of "
                    "range\n");

    g_assert_true(shell_fixture_run(f, "blockjob vm1 vda --pivot --async"));
    g_assert_cmpuint(fake.abort_flags, ==,
                     QV_DOMAIN_BLOCK_JOB_ABORT_PIVOT | QV_DOMAIN_BLOCK_JOB_ABORT_ASYNC);
    g_assert_false(shell_fixture_run(f, "blockjob vm1 vda --abort"));
    g_assert_cmpstr(f->err_buf, ==,
                    "error: Requested operation is not valid: disk 'vda' has no block job\n");
    g_assert_true(shell_fixture_run(f, "blockjob vm1 vdb --raw"));
    g_assert_cmpstr(f->out_buf, ==, " No current block job for vdb\n\n");
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    g_assert_cmpint(qvirt_initialize(), ==, 0);
    g_assert_cmpint(qv_driver_register(&fake_driver, NULL), ==, 0);

#define ADD(path, fn)                                                                              \
    g_test_add(path, ShellFixture, NULL, shell_fixture_setup_tmp, fn, shell_fixture_teardown)
    ADD("/shell/blockjob/request/pull", test_request_pull);
    ADD("/shell/blockjob/request/copy", test_request_copy);
    ADD("/shell/blockjob/request/commit", test_request_commit);
    ADD("/shell/blockjob/request/errors", test_request_errors);
    ADD("/shell/blockjob/modes", test_blockjob_modes);
    ADD("/shell/blockjob/help", test_help);
#undef ADD
#define ADD(path, fn) g_test_add(path, ShellFixture, NULL, fake_setup, fn, shell_fixture_teardown)
    ADD("/shell/blockjob/fake/pull-wait", test_fake_pull_wait);
    ADD("/shell/blockjob/fake/pull-failed-event", test_fake_pull_failed_event);
    ADD("/shell/blockjob/fake/copy", test_fake_copy);
    ADD("/shell/blockjob/fake/commit", test_fake_commit);
    ADD("/shell/blockjob/fake/timeout", test_fake_timeout);
    ADD("/shell/blockjob/fake/ctrl-c", test_fake_ctrl_c);
    ADD("/shell/blockjob/fake/blockjob", test_fake_blockjob);
#undef ADD
    g_test_add_func("/shell/blockjob/progress", test_progress_percent);
    return g_test_run();
}

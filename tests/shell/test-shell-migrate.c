/* test-shell-migrate.c: the shell's migration commands without a daemon:
 * the flags and typed parameters the migrate options build (names and
 * types of driver/migrate.h), every refused option combination with its
 * message (checked before any connection is tried), virsh's progress
 * figure, the watch's timeout and post-copy decisions, and domjobinfo's
 * migration figures. Then whole migrations against an in-process fake
 * driver ("fakemig://") whose Perform waits until it is told to end: the
 * client-driven and peer-to-peer calls, Ctrl-C aborting the job, --timeout
 * suspending or switching to post-copy, --postcopy-after-precopy and the
 * --verbose progress bar. Against the daemon's test driver (which has no
 * migration) the commands are checked by test-shell.sh. */
#include <config.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "qvirt/qvirt.h"
#include "shell/shell_migrate_priv.h"
#include "testutil.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

/* ---- a shell writing to memory (fixture.h) ---- */

static void *
make_request(Shell *sh, ShellArgs *args, gconstpointer opaque G_GNUC_UNUSED)
{
    return shell_migrate_request_new(sh, args);
}

/* The request of LINE, or NULL (its errors are in f->err_buf). ARGV is
 * kept in *RET_ARGV because the parsed options borrow its words. */
static ShellMigrateRequest *
request(ShellFixture *f, const char *line, GStrv *ret_argv)
{
    return shell_fixture_request(f, line, ret_argv, make_request, NULL);
}

/* The values of every parameter named FIELD, in order, as text. */
static char *
param_values(const ShellMigrateRequest *req, const char *field, int type)
{
    GString *s = g_string_new(NULL);

    for (int i = 0; i < req->nparams; i++) {
        const QvTypedParam *p = &req->params[i];

        if (strcmp(p->field, field) != 0)
            continue;
        g_assert_cmpint(p->type, ==, type);
        if (s->len)
            g_string_append_c(s, '|');
        switch (p->type) {
        case QV_TYPED_PARAM_STRING:
            g_string_append(s, p->value.s);
            break;
        case QV_TYPED_PARAM_INT:
            g_string_append_printf(s, "%d", p->value.i);
            break;
        case QV_TYPED_PARAM_ULLONG:
            g_string_append_printf(s, "%llu", p->value.ul);
            break;
        default:
            g_assert_not_reached();
        }
    }
    return g_string_free(s, FALSE);
}

#define assert_param(req, field, type, expected)                                                   \
    do {                                                                                           \
        g_autofree char *got_ = param_values((req), (field), (type));                              \
        g_assert_cmpstr(got_, ==, (expected));                                                     \
    } while (0)

/* ---- the request ---- */

static void
test_request_plain(ShellFixture *f, gconstpointer data)
{
    g_auto(GStrv) argv = NULL;
    g_autoptr(ShellMigrateRequest) req = request(f, "migrate vm1 qemu:///system", &argv);
    (void)data;

    g_assert_nonnull(req);
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpstr(req->domain, ==, "vm1");
    g_assert_cmpstr(req->desturi, ==, "qemu:///system");
    g_assert_cmpuint(req->flags, ==, 0);
    g_assert_cmpint(req->nparams, ==, 0);
    g_assert_false(req->verbose);
    g_assert_cmpint(req->timeout_ms, ==, 0);
    g_assert_false(req->postcopy_after_precopy);
}

static void
test_request_flags(ShellFixture *f, gconstpointer data)
{
    static const struct {
        const char *opts;
        unsigned int flags;
    } cases[] = {
        {"--live", QV_MIGRATE_LIVE},
        {"--offline --persistent", QV_MIGRATE_OFFLINE | QV_MIGRATE_PERSIST_DEST},
        {"--p2p", QV_MIGRATE_PEER2PEER},
        {"--p2p --tunnelled", QV_MIGRATE_PEER2PEER | QV_MIGRATE_TUNNELLED},
        {"--undefinesource", QV_MIGRATE_UNDEFINE_SOURCE},
        {"--suspend", QV_MIGRATE_PAUSED},
        {"--copy-storage-all", QV_MIGRATE_NON_SHARED_DISK},
        {"--copy-storage-inc --copy-storage-synchronous-writes",
         QV_MIGRATE_NON_SHARED_INC | QV_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES},
        {"--change-protection", QV_MIGRATE_CHANGE_PROTECTION},
        {"--unsafe", QV_MIGRATE_UNSAFE},
        {"--compressed", QV_MIGRATE_COMPRESSED},
        {"--auto-converge", QV_MIGRATE_AUTO_CONVERGE},
        {"--abort-on-error", QV_MIGRATE_ABORT_ON_ERROR},
        {"--postcopy", QV_MIGRATE_POSTCOPY},
        {"--postcopy --postcopy-resume", QV_MIGRATE_POSTCOPY | QV_MIGRATE_POSTCOPY_RESUME},
        {"--zerocopy", QV_MIGRATE_ZEROCOPY},
        {"--tls", QV_MIGRATE_TLS},
        {"--parallel", QV_MIGRATE_PARALLEL},
        /* Options of the shell only: no flag. */
        {"--verbose", 0},
        {"--live --postcopy --postcopy-after-precopy", QV_MIGRATE_LIVE | QV_MIGRATE_POSTCOPY},
        {"--live --p2p --persistent --undefinesource --copy-storage-all --tls --verbose",
         QV_MIGRATE_LIVE | QV_MIGRATE_PEER2PEER | QV_MIGRATE_PERSIST_DEST |
             QV_MIGRATE_UNDEFINE_SOURCE | QV_MIGRATE_NON_SHARED_DISK | QV_MIGRATE_TLS},
    };
    (void)data;

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *line = g_strdup_printf("migrate %s vm1 qemu:///system", cases[i].opts);
        g_auto(GStrv) argv = NULL;
        g_autoptr(ShellMigrateRequest) req = request(f, line, &argv);

        if (!req)
            g_error("%s: %s", line, f->err_buf);
        g_assert_cmpuint(req->flags, ==, cases[i].flags);
        g_assert_cmpint(req->nparams, ==, 0);
    }
}

static void
test_request_params(ShellFixture *f, gconstpointer data)
{
    g_autofree char *xml = g_build_filename(f->dir, "dest.xml", NULL);
    g_autofree char *pxml = g_build_filename(f->dir, "persist.xml", NULL);
    g_autofree char *line = NULL;
    g_auto(GStrv) argv = NULL;
    g_autoptr(ShellMigrateRequest) req = NULL;
    (void)data;

    g_assert_true(g_file_set_contents(xml, "<domain>dest</domain>", -1, NULL));
    g_assert_true(g_file_set_contents(pxml, "<domain>persist</domain>", -1, NULL));
    /* DOM DESTURI MIGRATEURI DNAME positionally, as virsh takes them. */
    line = g_strdup_printf(
        "migrate --live --copy-storage-all --migrate-disks vda,vdb --disks-port 49153 "
        "--listen-address 0.0.0.0 --graphicsuri spice://h --disks-uri tcp://h:1 "
        "--bandwidth 100 --postcopy-bandwidth 200 --parallel --parallel-connections 4 "
        "--compressed --comp-methods xbzrle,mt --comp-mt-level 3 --comp-mt-threads 2 "
        "--comp-mt-dthreads 1 --comp-xbzrle-cache 67108864 --auto-converge "
        "--auto-converge-initial 20 --auto-converge-increment 10 --tls "
        "--tls-destination dst.example.org --xml %s --persistent --persistent-xml %s "
        "vm1 qemu+tls://dst/system tcp://dst:49152 vm2",
        xml, pxml);
    req = request(f, line, &argv);
    if (!req)
        g_error("%s", f->err_buf);
    g_assert_cmpstr(req->domain, ==, "vm1");
    g_assert_cmpstr(req->desturi, ==, "qemu+tls://dst/system");
    g_assert_cmpuint(req->flags, ==,
                     QV_MIGRATE_LIVE | QV_MIGRATE_NON_SHARED_DISK | QV_MIGRATE_PARALLEL |
                         QV_MIGRATE_COMPRESSED | QV_MIGRATE_AUTO_CONVERGE | QV_MIGRATE_TLS |
                         QV_MIGRATE_PERSIST_DEST);

    assert_param(req, QV_MIGRATE_PARAM_URI, QV_TYPED_PARAM_STRING, "tcp://dst:49152");
    assert_param(req, QV_MIGRATE_PARAM_DEST_NAME, QV_TYPED_PARAM_STRING, "vm2");
    assert_param(req, QV_MIGRATE_PARAM_MIGRATE_DISKS, QV_TYPED_PARAM_STRING, "vda|vdb");
    assert_param(req, QV_MIGRATE_PARAM_DISKS_PORT, QV_TYPED_PARAM_INT, "49153");
    assert_param(req, QV_MIGRATE_PARAM_DISKS_URI, QV_TYPED_PARAM_STRING, "tcp://h:1");
    assert_param(req, QV_MIGRATE_PARAM_LISTEN_ADDRESS, QV_TYPED_PARAM_STRING, "0.0.0.0");
    assert_param(req, QV_MIGRATE_PARAM_GRAPHICS_URI, QV_TYPED_PARAM_STRING, "spice://h");
    assert_param(req, QV_MIGRATE_PARAM_BANDWIDTH, QV_TYPED_PARAM_ULLONG, "100");
    assert_param(req, QV_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, QV_TYPED_PARAM_ULLONG, "200");
    assert_param(req, QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS, QV_TYPED_PARAM_INT, "4");
    assert_param(req, QV_MIGRATE_PARAM_COMPRESSION, QV_TYPED_PARAM_STRING, "xbzrle|mt");
    assert_param(req, QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, QV_TYPED_PARAM_INT, "3");
    assert_param(req, QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS, QV_TYPED_PARAM_INT, "2");
    assert_param(req, QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, QV_TYPED_PARAM_INT, "1");
    assert_param(req, QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, QV_TYPED_PARAM_ULLONG, "67108864");
    assert_param(req, QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, QV_TYPED_PARAM_INT, "20");
    assert_param(req, QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, QV_TYPED_PARAM_INT, "10");
    assert_param(req, QV_MIGRATE_PARAM_TLS_DESTINATION, QV_TYPED_PARAM_STRING, "dst.example.org");
    assert_param(req, QV_MIGRATE_PARAM_DEST_XML, QV_TYPED_PARAM_STRING, "<domain>dest</domain>");
    assert_param(req, QV_MIGRATE_PARAM_PERSIST_XML, QV_TYPED_PARAM_STRING,
                 "<domain>persist</domain>");
    /* 22 values: nothing else was added. */
    g_assert_cmpint(req->nparams, ==, 22);
}

static void
test_request_options_by_name(ShellFixture *f, gconstpointer data)
{
    g_auto(GStrv) argv = NULL;
    g_autoptr(ShellMigrateRequest) req =
        request(f,
                "migrate --desturi qemu:///system --domain vm1 --dname vm3 "
                "--migrateuri=unix:/run/x.sock --disks-port 0",
                &argv);
    (void)data;

    g_assert_nonnull(req);
    g_assert_cmpstr(req->domain, ==, "vm1");
    g_assert_cmpstr(req->desturi, ==, "qemu:///system");
    assert_param(req, QV_MIGRATE_PARAM_DEST_NAME, QV_TYPED_PARAM_STRING, "vm3");
    assert_param(req, QV_MIGRATE_PARAM_URI, QV_TYPED_PARAM_STRING, "unix:/run/x.sock");
    /* Port 0 lets the destination choose: not sent, as virsh. */
    assert_param(req, QV_MIGRATE_PARAM_DISKS_PORT, QV_TYPED_PARAM_INT, "");
    g_assert_cmpint(req->nparams, ==, 2);
}

static void
test_request_timeout(ShellFixture *f, gconstpointer data)
{
    g_auto(GStrv) argv1 = NULL;
    g_auto(GStrv) argv2 = NULL;
    g_auto(GStrv) argv3 = NULL;
    g_autoptr(ShellMigrateRequest) suspend = request(f, "migrate --live --timeout 30 a b", &argv1);
    g_autoptr(ShellMigrateRequest) suspend2 =
        request(f, "migrate --live --timeout 1 --timeout-suspend a b", &argv2);
    g_autoptr(ShellMigrateRequest) postcopy = request(
        f, "migrate --live --postcopy --timeout 5 --timeout-postcopy --verbose a b", &argv3);
    (void)data;

    g_assert_nonnull(suspend);
    g_assert_cmpint(suspend->timeout_ms, ==, 30000);
    g_assert_cmpint(suspend->timeout_action, ==, SHELL_MIGRATE_TIMEOUT_SUSPEND);
    g_assert_nonnull(suspend2);
    g_assert_cmpint(suspend2->timeout_ms, ==, 1000);
    g_assert_cmpint(suspend2->timeout_action, ==, SHELL_MIGRATE_TIMEOUT_SUSPEND);
    g_assert_nonnull(postcopy);
    g_assert_cmpint(postcopy->timeout_ms, ==, 5000);
    g_assert_cmpint(postcopy->timeout_action, ==, SHELL_MIGRATE_TIMEOUT_POSTCOPY);
    g_assert_true(postcopy->verbose);
}

/* Each refused command line and its one error line. They run through the
 * whole command (shell_run_line): the shell's connection goes to a socket
 * nobody listens on, so reaching it would print a connection error
 * instead. */
static void
test_request_errors(ShellFixture *f, gconstpointer data)
{
    g_autofree char *missing = g_build_filename(f->dir, "missing.xml", NULL);
    g_autofree char *missing_line = g_strdup_printf("migrate --xml %s vm1 qemu:///system", missing);
    const struct {
        const char *line;
        const char *err; /* the whole of standard error, or a prefix ending in '*' */
    } cases[] = {
        {"migrate --direct vm1 xen://h/",
         "error: direct migration is not supported: use --p2p or a client-driven migration\n"},
        {"migrate --copy-storage-all --copy-storage-inc vm1 qemu:///system",
         "error: Options --copy-storage-all and --copy-storage-inc are mutually exclusive\n"},
        {"migrate --live --offline vm1 qemu:///system",
         "error: Options --live and --offline are mutually exclusive\n"},
        {"migrate --live --timeout 5 --timeout-suspend --timeout-postcopy --postcopy vm1 u",
         "error: Options --timeout-suspend and --timeout-postcopy are mutually exclusive\n"},
        {"migrate --timeout 10 vm1 qemu:///system",
         "error: Option --live is required by option --timeout\n"},
        {"migrate --live --timeout-suspend vm1 qemu:///system",
         "error: Option --timeout is required by option --timeout-suspend\n"},
        {"migrate --live --timeout 5 --timeout-postcopy vm1 qemu:///system",
         "error: Option --postcopy is required by option --timeout-postcopy\n"},
        {"migrate --live --postcopy-after-precopy vm1 qemu:///system",
         "error: Option --postcopy is required by option --postcopy-after-precopy\n"},
        {"migrate --postcopy-resume vm1 qemu:///system",
         "error: Option --postcopy is required by option --postcopy-resume\n"},
        {"migrate --tunnelled vm1 qemu:///system",
         "error: Option --p2p is required by option --tunnelled\n"},
        {"migrate --persistent-xml /x.xml vm1 qemu:///system",
         "error: Option --persistent is required by option --persistent-xml\n"},
        {"migrate --parallel-connections 4 vm1 qemu:///system",
         "error: Option --parallel is required by option --parallel-connections\n"},
        {"migrate --copy-storage-synchronous-writes vm1 qemu:///system",
         "error: Option --copy-storage-synchronous-writes requires --copy-storage-all or "
         "--copy-storage-inc\n"},
        {"migrate --migrate-disks vda vm1 qemu:///system",
         "error: Option --migrate-disks requires --copy-storage-all or --copy-storage-inc\n"},
        {"migrate --copy-storage-all --migrate-disks vda,,vdb vm1 qemu:///system",
         "error: Invalid list 'vda,,vdb' for <migrate-disks> option: an item is empty\n"},
        {"migrate --comp-methods , vm1 qemu:///system",
         "error: Invalid list ',' for <comp-methods> option: an item is empty\n"},
        {"migrate --live --timeout 0 vm1 qemu:///system",
         "error: Numeric value '0' for <timeout> option is malformed or out of range\n"},
        {"migrate --live --timeout soon vm1 qemu:///system",
         "error: Numeric value 'soon' for <timeout> option is malformed or out of range\n"},
        {"migrate --bandwidth -1 vm1 qemu:///system",
         "error: Numeric value '-1' for <bandwidth> option is malformed or out of range\n"},
        {"migrate --postcopy-bandwidth 1x vm1 qemu:///system",
         "error: Numeric value '1x' for <postcopy-bandwidth> option is malformed or out of "
         "range\n"},
        {"migrate --copy-storage-all --disks-port 70000 vm1 qemu:///system",
         "error: Numeric value '70000' for <disks-port> option is malformed or out of range\n"},
        {"migrate --parallel --parallel-connections 4294967296 vm1 qemu:///system",
         "error: Numeric value '4294967296' for <parallel-connections> option is malformed or "
         "out of range\n"},
        {"migrate vm1 ''", "error: the destination URI (--desturi) is empty\n"},
        {missing_line, "error: cannot read the file of --xml: *"},
        /* The parser's own errors. */
        {"migrate --p2p vm1", "error: command 'migrate' requires <desturi> option\n"},
        {"migrate", "error: command 'migrate' requires <domain> option\n"},
        {"migrate --frobnicate vm1 u", "error: command 'migrate' doesn't support option "
                                       "--frobnicate\n"},
        {"migrate vm1 u m d extra", "error: unexpected data 'extra'\n"},
        {"migrate --live=yes vm1 u", "error: option --live doesn't take a value\n"},
        {"migrate-setmaxdowntime vm1 0",
         "error: Numeric value '0' for <downtime> option is malformed or out of range\n"},
        {"migrate-setspeed vm1 fast",
         "error: Numeric value 'fast' for <bandwidth> option is malformed or out of range\n"},
        {"migrate-setspeed vm1", "error: command 'migrate-setspeed' requires <bandwidth> option\n"},
        {"migrate-getspeed", "error: command 'migrate-getspeed' requires <domain> option\n"},
    };
    (void)data;

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *want = cases[i].err;
        gsize len = strlen(want);

        if (shell_fixture_run(f, cases[i].line))
            g_error("accepted: %s", cases[i].line);
        if (want[len - 1] == '*') {
            g_autofree char *prefix = g_strndup(want, len - 1);

            if (!g_str_has_prefix(f->err_buf, prefix) ||
                strchr(f->err_buf, '\n') != f->err_buf + strlen(f->err_buf) - 1)
                g_error("%s:\n got: %s", cases[i].line, f->err_buf);
        } else if (strcmp(f->err_buf, want) != 0) {
            g_error("%s:\n got: %s want: %s", cases[i].line, f->err_buf, want);
        }
        g_assert_cmpstr(f->out_buf, ==, "");
        /* Refused before connecting. */
        g_assert_null(f->sh->conn);
    }
}

/* Good options: the command then goes for the connection (and fails, as
 * nothing listens), so the checks above are not what refused them. */
static void
test_migrate_needs_daemon(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_false(shell_fixture_run(f, "migrate --live --verbose --timeout 3 vm1 qemu:///system"));
    g_assert_true(g_str_has_suffix(f->err_buf, "error: failed to connect to the hypervisor\n"));
    g_assert_false(shell_fixture_run(f, "migrate-getmaxdowntime vm1"));
    g_assert_true(g_str_has_suffix(f->err_buf, "error: failed to connect to the hypervisor\n"));
}

static void
test_help(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(shell_fixture_run(f, "help"));
    for (const char *const *name =
             (const char *const[]){"migrate ", "migrate-setmaxdowntime ", "migrate-getmaxdowntime ",
                                   "migrate-setspeed ", "migrate-getspeed ", "migrate-postcopy ",
                                   NULL};
         *name; name++) {
        g_autofree char *needle = g_strconcat("    ", *name, NULL);

        if (!strstr(f->out_buf, needle))
            g_error("help lacks %s", *name);
    }
    g_assert_true(shell_fixture_run(f, "help migrate"));
    g_assert_nonnull(strstr(f->out_buf, "migrate - migrate domain to another host"));
    g_assert_nonnull(strstr(f->out_buf, "[--postcopy-after-precopy]"));
    g_assert_nonnull(strstr(f->out_buf, "[--timeout <timeout>]"));
}

/* ---- progress and the watch ---- */

static void
test_progress_percent(void)
{
    g_assert_cmpint(shell_migrate_progress_percent(0, 0), ==, -1);
    g_assert_cmpint(shell_migrate_progress_percent(10, 0), ==, -1);
    g_assert_cmpint(shell_migrate_progress_percent(0, 100), ==, 100);
    g_assert_cmpint(shell_migrate_progress_percent(100, 100), ==, 0);
    g_assert_cmpint(shell_migrate_progress_percent(200, 100), ==, 0);
    g_assert_cmpint(shell_migrate_progress_percent(55, 100), ==, 45);
    /* Never 100 while something remains. */
    g_assert_cmpint(shell_migrate_progress_percent(1, 1000000), ==, 99);
    /* Sizes whose product with 100 does not fit 64 bits. */
    g_assert_cmpint(shell_migrate_progress_percent(G_MAXUINT64 / 4, G_MAXUINT64), ==, 75);
}

static void
test_watch_timeout_suspend(void)
{
    ShellMigrateRequest req = {.timeout_ms = 3000, .timeout_action = SHELL_MIGRATE_TIMEOUT_SUSPEND};
    ShellMigrateWatch w = {.req = &req};

    g_assert_cmpuint(shell_migrate_watch_step(&w, 0, 0), ==, SHELL_MIGRATE_ACT_NONE);
    g_assert_cmpuint(shell_migrate_watch_step(&w, 2999, 5), ==, SHELL_MIGRATE_ACT_NONE);
    g_assert_cmpuint(shell_migrate_watch_step(&w, 3000, 5), ==, SHELL_MIGRATE_ACT_SUSPEND);
    /* Once only. */
    g_assert_cmpuint(shell_migrate_watch_step(&w, 3500, 6), ==, SHELL_MIGRATE_ACT_NONE);
    /* No post-copy without --postcopy-after-precopy, whatever the iteration. */
    g_assert_cmpuint(shell_migrate_watch_step(&w, 9000, 9), ==, SHELL_MIGRATE_ACT_NONE);
}

static void
test_watch_timeout_postcopy(void)
{
    ShellMigrateRequest req = {.flags = QV_MIGRATE_POSTCOPY,
                               .timeout_ms = 1000,
                               .timeout_action = SHELL_MIGRATE_TIMEOUT_POSTCOPY,
                               .postcopy_after_precopy = TRUE};
    ShellMigrateWatch w = {.req = &req};

    g_assert_cmpuint(shell_migrate_watch_step(&w, 500, 1), ==, SHELL_MIGRATE_ACT_NONE);
    g_assert_cmpuint(shell_migrate_watch_step(&w, 1000, 1), ==, SHELL_MIGRATE_ACT_POSTCOPY);
    /* Already switched: the end of the first iteration does nothing more. */
    g_assert_cmpuint(shell_migrate_watch_step(&w, 1500, 2), ==, SHELL_MIGRATE_ACT_NONE);
}

static void
test_watch_after_precopy(void)
{
    ShellMigrateRequest req = {.flags = QV_MIGRATE_POSTCOPY, .postcopy_after_precopy = TRUE};
    ShellMigrateWatch w = {.req = &req};

    /* Unknown, then the first pass: keep pre-copying. */
    g_assert_cmpuint(shell_migrate_watch_step(&w, 100, 0), ==, SHELL_MIGRATE_ACT_NONE);
    g_assert_cmpuint(shell_migrate_watch_step(&w, 600, 1), ==, SHELL_MIGRATE_ACT_NONE);
    /* The second pass began: the first is over. No timeout was asked. */
    g_assert_cmpuint(shell_migrate_watch_step(&w, 1100, 2), ==, SHELL_MIGRATE_ACT_POSTCOPY);
    g_assert_cmpuint(shell_migrate_watch_step(&w, 1600, 3), ==, SHELL_MIGRATE_ACT_NONE);
    g_assert_cmpuint(shell_migrate_watch_step(&w, 100000, 4), ==, SHELL_MIGRATE_ACT_NONE);
}

/* ---- domjobinfo's figures ---- */

static void
test_jobinfo_migration(ShellFixture *f, gconstpointer data)
{
    QvTypedParam *params = NULL;
    int n = 0;
    int max = 0;
    (void)data;

    qv_typed_params_add_ullong(&params, &n, &max, "time_elapsed", 5123);
    qv_typed_params_add_ullong(&params, &n, &max, "time_remaining", 77);
    qv_typed_params_add_ullong(&params, &n, &max, "downtime", 300);
    qv_typed_params_add_ullong(&params, &n, &max, "setup_time", 12);
    qv_typed_params_add_ullong(&params, &n, &max, "data_total", 1073741824ULL);
    qv_typed_params_add_ullong(&params, &n, &max, "data_processed", 536870912ULL);
    qv_typed_params_add_ullong(&params, &n, &max, "data_remaining", 536870912ULL);
    qv_typed_params_add_ullong(&params, &n, &max, "memory_total", 1073741824ULL);
    qv_typed_params_add_ullong(&params, &n, &max, "memory_processed", 536870912ULL);
    qv_typed_params_add_ullong(&params, &n, &max, "memory_remaining", 536870912ULL);
    qv_typed_params_add_ullong(&params, &n, &max, "memory_bps", 13107200);
    qv_typed_params_add_ullong(&params, &n, &max, "memory_dirty_rate", 1500);
    qv_typed_params_add_ullong(&params, &n, &max, "memory_page_size", 4096);
    qv_typed_params_add_ullong(&params, &n, &max, "memory_iteration", 3);
    qv_typed_params_add_ullong(&params, &n, &max, "disk_total", 0);
    qv_typed_params_add_ullong(&params, &n, &max, "disk_processed", 0);
    qv_typed_params_add_ullong(&params, &n, &max, "disk_remaining", 0);

    shell_fixture_rewind(f);
    shell_job_print_figures(f->sh, QV_DOMAIN_JOB_UNBOUNDED, params, n);
    shell_fixture_take(f);
    /* Unbounded: no "Time remaining"; no file figures while they are 0. */
    g_assert_cmpstr(f->out_buf, ==,
                    "Time elapsed:     5123         ms\n"
                    "Data processed:   512.000 MiB\n"
                    "Data remaining:   512.000 MiB\n"
                    "Data total:       1.000 GiB\n"
                    "Memory processed: 512.000 MiB\n"
                    "Memory remaining: 512.000 MiB\n"
                    "Memory total:     1.000 GiB\n"
                    "Memory bandwidth: 12.500 MiB/s\n"
                    "Dirty rate:       1500         pages/s\n"
                    "Page size:        4096         bytes\n"
                    "Iteration:        3           \n"
                    "Expected downtime: 300          ms\n"
                    "Setup time:       12           ms\n");

    /* A completed job: "Total downtime", and an error message. */
    qv_typed_params_add_ullong(&params, &n, &max, "disk_total", 2048);
    qv_typed_params_add_string(&params, &n, &max, "errmsg", "boom");
    shell_fixture_rewind(f);
    shell_job_print_figures(f->sh, QV_DOMAIN_JOB_COMPLETED, params, n);
    shell_fixture_take(f);
    g_assert_nonnull(strstr(f->out_buf, "Total downtime:   300          ms\n"));
    g_assert_null(strstr(f->out_buf, "Expected downtime"));
    /* The first disk_total (0) is the one read: still no file figures. */
    g_assert_null(strstr(f->out_buf, "File total"));
    g_assert_true(g_str_has_suffix(f->out_buf, "Error message:    boom\n"));
    qv_typed_params_free(params, n);

    /* Bounded, with file figures. */
    params = NULL;
    n = max = 0;
    qv_typed_params_add_ullong(&params, &n, &max, "time_elapsed", 1);
    qv_typed_params_add_ullong(&params, &n, &max, "time_remaining", 2);
    qv_typed_params_add_ullong(&params, &n, &max, "disk_total", 2048);
    qv_typed_params_add_ullong(&params, &n, &max, "disk_processed", 1024);
    qv_typed_params_add_ullong(&params, &n, &max, "disk_remaining", 1024);
    shell_fixture_rewind(f);
    shell_job_print_figures(f->sh, QV_DOMAIN_JOB_BOUNDED, params, n);
    shell_fixture_take(f);
    g_assert_cmpstr(f->out_buf, ==,
                    "Time elapsed:     1            ms\n"
                    "Time remaining:   2            ms\n"
                    "File processed:   1.000 KiB\n"
                    "File remaining:   1.000 KiB\n"
                    "File total:       2.000 KiB\n");
    qv_typed_params_free(params, n);
}

/* ---- whole migrations against a fake driver ---- */

/* What the fake driver saw and how its Perform ends. One migration runs at
 * a time; fake_reset() starts each test afresh. */
typedef struct {
    GMutex lock;
    GCond cond;
    /* How Perform ends (besides an abort, which fails it). */
    gboolean end_now;
    gboolean end_on_suspend;
    gboolean end_on_postcopy;
    /* What happened. */
    gboolean performing;
    int performs;
    unsigned int perform_flags;
    char *perform_dconnuri;
    char *perform_dname;
    int begins;
    int prepares;
    int finishes;
    int confirms;
    int aborts;
    int suspends;
    int postcopies;
    unsigned long long postcopy_iteration; /* the iteration last reported then */
    unsigned long long iteration;          /* the iteration last reported */
    int polls;                             /* job statistics read while performing */
} FakeMig;

static FakeMig fake;

static void
fake_reset(void)
{
    g_mutex_lock(&fake.lock);
    g_free(fake.perform_dconnuri);
    g_free(fake.perform_dname);
    fake.end_now = fake.end_on_suspend = fake.end_on_postcopy = FALSE;
    fake.performing = FALSE;
    fake.perform_dconnuri = fake.perform_dname = NULL;
    fake.performs = fake.begins = fake.prepares = fake.finishes = fake.confirms = 0;
    fake.aborts = fake.suspends = fake.postcopies = fake.polls = 0;
    fake.perform_flags = 0;
    fake.postcopy_iteration = fake.iteration = 0;
    g_mutex_unlock(&fake.lock);
}

static int
fake_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    (void)conn;
    (void)flags;
    return g_strcmp0(uri->driver, "fakemig") == 0 ? QVIRT_DRV_OPEN_SUCCESS
                                                  : QVIRT_DRV_OPEN_DECLINED;
}

static int
fake_supports_feature(QvConnect *conn, int feature)
{
    (void)conn;
    return feature == QV_DRV_FEATURE_MIGRATION_V3 || feature == QV_DRV_FEATURE_MIGRATION_P2P ||
           feature == QV_DRV_FEATURE_MIGRATION_PARAMS;
}

static char *
fake_begin(QvDomain *dom, const QvTypedParam *params, int nparams, char **ret_cookie_out,
           int *ret_cookie_outlen, unsigned int flags)
{
    (void)dom;
    (void)params;
    (void)nparams;
    (void)flags;
    g_mutex_lock(&fake.lock);
    fake.begins++;
    g_mutex_unlock(&fake.lock);
    *ret_cookie_out = g_strdup("begin");
    *ret_cookie_outlen = 6;
    return g_strdup("<domain type='test'><name>vm1</name></domain>");
}

static int
fake_prepare(QvConnect *dconn, const QvTypedParam *params, int nparams, const char *cookie_in,
             int cookie_inlen, char **ret_cookie_out, int *ret_cookie_outlen, char **ret_uri_out,
             unsigned int flags)
{
    (void)dconn;
    (void)params;
    (void)nparams;
    (void)cookie_in;
    (void)cookie_inlen;
    (void)flags;
    g_mutex_lock(&fake.lock);
    fake.prepares++;
    g_mutex_unlock(&fake.lock);
    *ret_cookie_out = NULL;
    *ret_cookie_outlen = 0;
    *ret_uri_out = g_strdup("tcp:127.0.0.1:49152");
    return 0;
}

/* Wait until told to end: 0, or -1 when the job was aborted. */
static int
fake_perform(QvDomain *dom, const char *dconnuri, const QvTypedParam *params, int nparams,
             const char *cookie_in, int cookie_inlen, char **ret_cookie_out, int *ret_cookie_outlen,
             unsigned int flags)
{
    gint64 deadline = g_get_monotonic_time() + 60 * G_TIME_SPAN_SECOND;
    const char *dname = NULL;
    int rc = 0;
    (void)dom;
    (void)cookie_in;
    (void)cookie_inlen;

    qv_typed_params_get_string(params, nparams, QV_MIGRATE_PARAM_DEST_NAME, &dname);
    g_mutex_lock(&fake.lock);
    fake.performs++;
    fake.perform_flags = flags;
    fake.perform_dconnuri = g_strdup(dconnuri);
    fake.perform_dname = g_strdup(dname);
    fake.performing = TRUE;
    g_cond_broadcast(&fake.cond);
    while (!fake.end_now && !fake.aborts && !(fake.end_on_suspend && fake.suspends) &&
           !(fake.end_on_postcopy && fake.postcopies)) {
        if (!g_cond_wait_until(&fake.cond, &fake.lock, deadline)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT, _("the fake Perform was never ended"));
            rc = -1;
            break;
        }
    }
    if (fake.aborts) {
        qvirt_report_error(QVIRT_ERR_OPERATION_ABORTED, _("migration out job: canceled by client"));
        rc = -1;
    }
    fake.performing = FALSE;
    g_mutex_unlock(&fake.lock);
    *ret_cookie_out = NULL;
    *ret_cookie_outlen = 0;
    return rc;
}

static QvDomain *
fake_finish(QvConnect *dconn, const QvTypedParam *params, int nparams, const char *cookie_in,
            int cookie_inlen, char **ret_cookie_out, int *ret_cookie_outlen, unsigned int flags,
            int cancelled)
{
    (void)params;
    (void)nparams;
    (void)cookie_in;
    (void)cookie_inlen;
    (void)flags;
    g_mutex_lock(&fake.lock);
    fake.finishes++;
    g_mutex_unlock(&fake.lock);
    *ret_cookie_out = NULL;
    *ret_cookie_outlen = 0;
    if (cancelled) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("migration was cancelled"));
        return NULL;
    }
    return shell_fixture_drv_lookup_vm1(dconn, "vm1");
}

static int
fake_confirm(QvDomain *dom, const QvTypedParam *params, int nparams, const char *cookie_in,
             int cookie_inlen, unsigned int flags, int cancelled)
{
    (void)dom;
    (void)params;
    (void)nparams;
    (void)cookie_in;
    (void)cookie_inlen;
    (void)flags;
    (void)cancelled;
    g_mutex_lock(&fake.lock);
    fake.confirms++;
    g_mutex_unlock(&fake.lock);
    return 0;
}

/* While Perform waits: an unbounded job 45 % done at the first look, 90 %
 * later, whose memory iteration is the number of looks. */
static int
fake_job_stats(QvDomain *dom, int *ret_type, QvTypedParam **ret_params, int *ret_nparams,
               unsigned int flags)
{
    QvTypedParam *params = NULL;
    int n = 0;
    int max = 0;
    int polls;
    (void)dom;
    (void)flags;

    g_mutex_lock(&fake.lock);
    if (!fake.performing) {
        g_mutex_unlock(&fake.lock);
        *ret_type = QV_DOMAIN_JOB_NONE;
        *ret_params = NULL;
        *ret_nparams = 0;
        return 0;
    }
    polls = ++fake.polls;
    fake.iteration = (unsigned long long)polls;
    g_mutex_unlock(&fake.lock);
    qv_typed_params_add_int(&params, &n, &max, "operation", 5);
    qv_typed_params_add_ullong(&params, &n, &max, "data_total", 1000);
    qv_typed_params_add_ullong(&params, &n, &max, "data_remaining", polls == 1 ? 550 : 100);
    qv_typed_params_add_ullong(&params, &n, &max, "memory_iteration", (unsigned long long)polls);
    *ret_type = QV_DOMAIN_JOB_UNBOUNDED;
    *ret_params = params;
    *ret_nparams = n;
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

static int
fake_suspend(QvDomain *dom)
{
    (void)dom;
    g_mutex_lock(&fake.lock);
    fake.suspends++;
    g_cond_broadcast(&fake.cond);
    g_mutex_unlock(&fake.lock);
    return 0;
}

static int
fake_start_post_copy(QvDomain *dom, unsigned int flags)
{
    (void)dom;
    (void)flags;
    g_mutex_lock(&fake.lock);
    fake.postcopies++;
    fake.postcopy_iteration = fake.iteration;
    g_cond_broadcast(&fake.cond);
    g_mutex_unlock(&fake.lock);
    return 0;
}

static const HypervisorDriver fake_driver = {
    .name = "fakemig",
    .connect_open = fake_open,
    .connect_close = shell_fixture_drv_close,
    .connect_supports_feature = fake_supports_feature,
    .domain_lookup_by_name = shell_fixture_drv_lookup_vm1,
    .domain_get_job_stats = fake_job_stats,
    .domain_abort_job_flags = fake_abort,
    .domain_suspend = fake_suspend,
    .domain_migrate_begin3_params = fake_begin,
    .domain_migrate_prepare3_params = fake_prepare,
    .domain_migrate_perform3_params = fake_perform,
    .domain_migrate_finish3_params = fake_finish,
    .domain_migrate_confirm3_params = fake_confirm,
    .domain_migrate_start_post_copy = fake_start_post_copy,
};

static void
fake_setup(ShellFixture *f, gconstpointer data)
{
    shell_fixture_setup_uri(f, data, "fakemig:///src");
    fake_reset();
}

static void
test_fake_client_driven(ShellFixture *f, gconstpointer data)
{
    (void)data;
    fake.end_now = TRUE;
    g_assert_true(shell_fixture_run(f, "migrate --live vm1 fakemig:///dst --dname vm9"));
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpstr(f->out_buf, ==, "");
    /* The five steps, over the two connections; no destination URI for
     * Perform: this process drives the destination itself. */
    g_assert_cmpint(fake.begins, ==, 1);
    g_assert_cmpint(fake.prepares, ==, 1);
    g_assert_cmpint(fake.performs, ==, 1);
    g_assert_cmpint(fake.finishes, ==, 1);
    g_assert_cmpint(fake.confirms, ==, 1);
    g_assert_null(fake.perform_dconnuri);
    g_assert_true(fake.perform_flags & QV_MIGRATE_LIVE);
    g_assert_false(fake.perform_flags & QV_MIGRATE_PEER2PEER);
    g_assert_cmpstr(fake.perform_dname, ==, "vm9");
    g_assert_cmpint(fake.aborts + fake.suspends + fake.postcopies, ==, 0);
}

static void
test_fake_p2p(ShellFixture *f, gconstpointer data)
{
    (void)data;
    fake.end_now = TRUE;
    g_assert_true(shell_fixture_run(
        f, "migrate --p2p --live --persistent vm1 qemu+tls://dst.example.org/system"));
    g_assert_cmpstr(f->err_buf, ==, "");
    /* One Perform, told where the destination is; the shell opened nothing
     * there (the URI would need a daemon). */
    g_assert_cmpint(fake.begins, ==, 0);
    g_assert_cmpint(fake.performs, ==, 1);
    g_assert_cmpstr(fake.perform_dconnuri, ==, "qemu+tls://dst.example.org/system");
    g_assert_cmpuint(fake.perform_flags, ==,
                     QV_MIGRATE_LIVE | QV_MIGRATE_PEER2PEER | QV_MIGRATE_PERSIST_DEST);
}

static void
test_fake_destination_missing(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_false(shell_fixture_run(f, "migrate vm1 nosuchdriver:///dst"));
    g_assert_true(g_str_has_suffix(f->err_buf, "error: failed to connect to the destination "
                                               "'nosuchdriver:///dst'\n"));
    g_assert_cmpint(fake.performs, ==, 0);
}

static gpointer
interrupt_thread(gpointer opaque)
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
    gboolean performing;
    (void)opaque;

    g_mutex_lock(&fake.lock);
    while (!fake.performing && g_cond_wait_until(&fake.cond, &fake.lock, deadline))
        ;
    performing = fake.performing;
    g_mutex_unlock(&fake.lock);
    /* As a user's Ctrl-C: the process gets SIGINT. */
    if (performing)
        kill(getpid(), SIGINT);
    return NULL;
}

static void
test_fake_ctrl_c(ShellFixture *f, gconstpointer data)
{
    GThread *thread;
    struct sigaction before;
    struct sigaction after;
    gboolean ok;
    (void)data;

    g_assert_cmpint(sigaction(SIGINT, NULL, &before), ==, 0);
    thread = g_thread_new("interrupt", interrupt_thread, NULL);
    ok = shell_fixture_run(f, "migrate --p2p --live vm1 qemu:///system");
    g_thread_join(thread);
    g_assert_false(ok);
    g_assert_cmpint(fake.performs, ==, 1);
    g_assert_cmpint(fake.aborts, ==, 1);
    g_assert_cmpstr(f->err_buf, ==,
                    "error: operation aborted: migration out job: canceled by client\n");
    /* The handler was only there during the migration. */
    g_assert_cmpint(sigaction(SIGINT, NULL, &after), ==, 0);
    g_assert_true(after.sa_handler == before.sa_handler);
}

static void
test_fake_timeout_suspend(ShellFixture *f, gconstpointer data)
{
    (void)data;
    fake.end_on_suspend = TRUE;
    g_assert_true(shell_fixture_run(f, "migrate --p2p --live --timeout 1 vm1 qemu:///system"));
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpint(fake.suspends, ==, 1);
    g_assert_cmpint(fake.postcopies, ==, 0);
    g_assert_cmpint(fake.aborts, ==, 0);
}

static void
test_fake_timeout_postcopy(ShellFixture *f, gconstpointer data)
{
    (void)data;
    fake.end_on_postcopy = TRUE;
    g_assert_true(shell_fixture_run(f,
                                    "migrate --live --postcopy --timeout 1 --timeout-postcopy vm1 "
                                    "fakemig:///dst"));
    g_assert_cmpstr(f->err_buf, ==, "");
    g_assert_cmpint(fake.postcopies, ==, 1);
    g_assert_cmpint(fake.suspends, ==, 0);
    g_assert_true(fake.perform_flags & QV_MIGRATE_POSTCOPY);
}

static void
test_fake_after_precopy_verbose(ShellFixture *f, gconstpointer data)
{
    (void)data;
    fake.end_on_postcopy = TRUE;
    g_assert_true(shell_fixture_run(
        f, "migrate --p2p --live --postcopy --postcopy-after-precopy --verbose vm1 "
           "qemu:///system"));
    /* Switched once, when the second pass was reported (the first was
     * over), not at the first look. */
    g_assert_cmpint(fake.postcopies, ==, 1);
    g_assert_cmpuint(fake.postcopy_iteration, ==, 2);
    /* The bar: 45 % at the first look, then the switch on its own line,
     * 100 % at the end. */
    g_assert_true(g_str_has_prefix(f->err_buf, "\rMigration: [ 45 %]"));
    g_assert_nonnull(strstr(f->err_buf, "\rMigration: [ 90 %]\n"));
    g_assert_true(g_str_has_suffix(f->err_buf, "\rMigration: [100 %]\n"));
    g_assert_null(strstr(f->err_buf, "error"));
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    g_assert_cmpint(qvirt_initialize(), ==, 0);
    g_assert_cmpint(qv_driver_register(&fake_driver, NULL), ==, 0);

#define ADD(path, fn)                                                                              \
    g_test_add(path, ShellFixture, NULL, shell_fixture_setup_tmp, fn, shell_fixture_teardown)
    ADD("/shell/migrate/request/plain", test_request_plain);
    ADD("/shell/migrate/request/flags", test_request_flags);
    ADD("/shell/migrate/request/params", test_request_params);
    ADD("/shell/migrate/request/options-by-name", test_request_options_by_name);
    ADD("/shell/migrate/request/timeout", test_request_timeout);
    ADD("/shell/migrate/request/errors", test_request_errors);
    ADD("/shell/migrate/needs-daemon", test_migrate_needs_daemon);
    ADD("/shell/migrate/help", test_help);
    ADD("/shell/migrate/jobinfo", test_jobinfo_migration);
#undef ADD
#define ADD(path, fn) g_test_add(path, ShellFixture, NULL, fake_setup, fn, shell_fixture_teardown)
    ADD("/shell/migrate/fake/client-driven", test_fake_client_driven);
    ADD("/shell/migrate/fake/p2p", test_fake_p2p);
    ADD("/shell/migrate/fake/destination-missing", test_fake_destination_missing);
    ADD("/shell/migrate/fake/ctrl-c", test_fake_ctrl_c);
    ADD("/shell/migrate/fake/timeout-suspend", test_fake_timeout_suspend);
    ADD("/shell/migrate/fake/timeout-postcopy", test_fake_timeout_postcopy);
    ADD("/shell/migrate/fake/after-precopy-verbose", test_fake_after_precopy_verbose);
#undef ADD
    g_test_add_func("/shell/migrate/progress", test_progress_percent);
    g_test_add_func("/shell/migrate/watch/timeout-suspend", test_watch_timeout_suspend);
    g_test_add_func("/shell/migrate/watch/timeout-postcopy", test_watch_timeout_postcopy);
    g_test_add_func("/shell/migrate/watch/after-precopy", test_watch_after_precopy);
    return g_test_run();
}

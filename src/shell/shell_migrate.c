/* shell_migrate.c: the shell's migration commands (see shell.h):
 * - migrate, with virsh's options: client-driven (qv_domain_migrate3 over a
 *   second connection, to the destination) or, with --p2p, peer-to-peer
 *   (qv_domain_migrate_to_uri3). The call runs in a worker thread while the
 *   main thread watches the job every 500 ms (shell_jobwatch.h): the
 *   progress bar of --verbose on the error stream, --timeout (suspend, or
 *   switch to post-copy), --postcopy-after-precopy, and Ctrl-C, which
 *   aborts the job;
 * - migrate-setmaxdowntime, migrate-getmaxdowntime, migrate-setspeed,
 *   migrate-getspeed and migrate-postcopy.
 *
 * Contract: option combinations are checked before connecting
 * (shell_migrate_priv.h). The worker's error is handed to the main thread,
 * which prints it; the destination connection stays open until the
 * migration call returned. The SIGINT handler is installed only while a
 * migration runs, and the previous one is put back. */
#include <config.h>

#include <string.h>

#include "shell/shell_jobwatch.h"
#include "shell/shell_migrate_priv.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* ---- numbers ---- */

/* The numeric option NAME within MIN..MAX: 1 with *RET_VALUE when given,
 * 0 when absent, -1 after printing the error. */
static int
shell_opt_number(Shell *sh, const ShellArgs *args, const char *name, guint64 min, guint64 max,
                 guint64 *ret_value)
{
    const char *str = shell_opt_str(args, name);
    guint64 value;

    if (!str)
        return 0;
    if (!g_ascii_string_to_unsigned(str, 10, min, max, &value, NULL)) {
        shell_error(sh, _("Numeric value '%s' for <%s> option is malformed or out of range"), str,
                    name);
        return -1;
    }
    *ret_value = value;
    return 1;
}

/* ---- the request ---- */

const ShellOpt opts_migrate[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"desturi", SHELL_OPT_STRING, TRUE, TRUE},
    {"migrateuri", SHELL_OPT_STRING, FALSE, TRUE},
    {"dname", SHELL_OPT_STRING, FALSE, TRUE},
    {"live", SHELL_OPT_BOOL, FALSE, FALSE},
    {"offline", SHELL_OPT_BOOL, FALSE, FALSE},
    {"p2p", SHELL_OPT_BOOL, FALSE, FALSE},
    {"direct", SHELL_OPT_BOOL, FALSE, FALSE},
    {"tunnelled", SHELL_OPT_BOOL, FALSE, FALSE},
    {"persistent", SHELL_OPT_BOOL, FALSE, FALSE},
    {"undefinesource", SHELL_OPT_BOOL, FALSE, FALSE},
    {"suspend", SHELL_OPT_BOOL, FALSE, FALSE},
    {"copy-storage-all", SHELL_OPT_BOOL, FALSE, FALSE},
    {"copy-storage-inc", SHELL_OPT_BOOL, FALSE, FALSE},
    {"copy-storage-synchronous-writes", SHELL_OPT_BOOL, FALSE, FALSE},
    {"change-protection", SHELL_OPT_BOOL, FALSE, FALSE},
    {"unsafe", SHELL_OPT_BOOL, FALSE, FALSE},
    {"verbose", SHELL_OPT_BOOL, FALSE, FALSE},
    {"compressed", SHELL_OPT_BOOL, FALSE, FALSE},
    {"auto-converge", SHELL_OPT_BOOL, FALSE, FALSE},
    {"abort-on-error", SHELL_OPT_BOOL, FALSE, FALSE},
    {"postcopy", SHELL_OPT_BOOL, FALSE, FALSE},
    {"postcopy-after-precopy", SHELL_OPT_BOOL, FALSE, FALSE},
    {"postcopy-resume", SHELL_OPT_BOOL, FALSE, FALSE},
    {"zerocopy", SHELL_OPT_BOOL, FALSE, FALSE},
    {"tls", SHELL_OPT_BOOL, FALSE, FALSE},
    {"parallel", SHELL_OPT_BOOL, FALSE, FALSE},
    {"graphicsuri", SHELL_OPT_STRING, FALSE, FALSE},
    {"listen-address", SHELL_OPT_STRING, FALSE, FALSE},
    {"timeout", SHELL_OPT_STRING, FALSE, FALSE},
    {"timeout-suspend", SHELL_OPT_BOOL, FALSE, FALSE},
    {"timeout-postcopy", SHELL_OPT_BOOL, FALSE, FALSE},
    {"xml", SHELL_OPT_STRING, FALSE, FALSE},
    {"persistent-xml", SHELL_OPT_STRING, FALSE, FALSE},
    {"migrate-disks", SHELL_OPT_STRING, FALSE, FALSE},
    {"disks-port", SHELL_OPT_STRING, FALSE, FALSE},
    {"disks-uri", SHELL_OPT_STRING, FALSE, FALSE},
    {"comp-methods", SHELL_OPT_STRING, FALSE, FALSE},
    {"comp-mt-level", SHELL_OPT_STRING, FALSE, FALSE},
    {"comp-mt-threads", SHELL_OPT_STRING, FALSE, FALSE},
    {"comp-mt-dthreads", SHELL_OPT_STRING, FALSE, FALSE},
    {"comp-xbzrle-cache", SHELL_OPT_STRING, FALSE, FALSE},
    {"auto-converge-initial", SHELL_OPT_STRING, FALSE, FALSE},
    {"auto-converge-increment", SHELL_OPT_STRING, FALSE, FALSE},
    {"tls-destination", SHELL_OPT_STRING, FALSE, FALSE},
    {"parallel-connections", SHELL_OPT_STRING, FALSE, FALSE},
    {"bandwidth", SHELL_OPT_STRING, FALSE, FALSE},
    {"postcopy-bandwidth", SHELL_OPT_STRING, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

/* Boolean options that are migration flags. */
static const struct {
    const char *opt;
    unsigned int flag;
} shell_migrate_flag_opts[] = {
    {"live", QV_MIGRATE_LIVE},
    {"offline", QV_MIGRATE_OFFLINE},
    {"p2p", QV_MIGRATE_PEER2PEER},
    {"tunnelled", QV_MIGRATE_TUNNELLED},
    {"persistent", QV_MIGRATE_PERSIST_DEST},
    {"undefinesource", QV_MIGRATE_UNDEFINE_SOURCE},
    {"suspend", QV_MIGRATE_PAUSED},
    {"copy-storage-all", QV_MIGRATE_NON_SHARED_DISK},
    {"copy-storage-inc", QV_MIGRATE_NON_SHARED_INC},
    {"copy-storage-synchronous-writes", QV_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES},
    {"change-protection", QV_MIGRATE_CHANGE_PROTECTION},
    {"unsafe", QV_MIGRATE_UNSAFE},
    {"compressed", QV_MIGRATE_COMPRESSED},
    {"auto-converge", QV_MIGRATE_AUTO_CONVERGE},
    {"abort-on-error", QV_MIGRATE_ABORT_ON_ERROR},
    {"postcopy", QV_MIGRATE_POSTCOPY},
    {"postcopy-resume", QV_MIGRATE_POSTCOPY_RESUME},
    {"zerocopy", QV_MIGRATE_ZEROCOPY},
    {"tls", QV_MIGRATE_TLS},
    {"parallel", QV_MIGRATE_PARALLEL},
};

/* Options that cannot be given together (shell_opt_bool() says whether
 * any option, boolean or not, was given). */
static const struct {
    const char *a;
    const char *b;
} shell_migrate_exclusive[] = {
    {"live", "offline"},
    {"copy-storage-all", "copy-storage-inc"},
    {"timeout-suspend", "timeout-postcopy"},
};

/* OPT is given only with NEEDS. */
static const struct {
    const char *opt;
    const char *needs;
} shell_migrate_requires[] = {
    {"timeout-suspend", "timeout"},
    {"timeout-postcopy", "timeout"},
    {"timeout", "live"},
    {"timeout-postcopy", "postcopy"},
    {"postcopy-after-precopy", "postcopy"},
    {"postcopy-resume", "postcopy"},
    {"tunnelled", "p2p"},
    {"persistent-xml", "persistent"},
    {"parallel-connections", "parallel"},
};

/* String options that are one typed parameter each. */
static const struct {
    const char *opt;
    const char *param;
} shell_migrate_string_opts[] = {
    {"migrateuri", QV_MIGRATE_PARAM_URI},
    {"dname", QV_MIGRATE_PARAM_DEST_NAME},
    {"graphicsuri", QV_MIGRATE_PARAM_GRAPHICS_URI},
    {"listen-address", QV_MIGRATE_PARAM_LISTEN_ADDRESS},
    {"disks-uri", QV_MIGRATE_PARAM_DISKS_URI},
    {"tls-destination", QV_MIGRATE_PARAM_TLS_DESTINATION},
};

/* Numeric options that are one int parameter each. */
static const struct {
    const char *opt;
    const char *param;
} shell_migrate_int_opts[] = {
    {"comp-mt-level", QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL},
    {"comp-mt-threads", QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS},
    {"comp-mt-dthreads", QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS},
    {"auto-converge-initial", QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL},
    {"auto-converge-increment", QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT},
    {"parallel-connections", QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS},
};

/* Numeric options that are one ullong parameter each. */
static const struct {
    const char *opt;
    const char *param;
} shell_migrate_ullong_opts[] = {
    {"bandwidth", QV_MIGRATE_PARAM_BANDWIDTH},
    {"postcopy-bandwidth", QV_MIGRATE_PARAM_BANDWIDTH_POSTCOPY},
    {"comp-xbzrle-cache", QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE},
};

void
shell_migrate_request_free(ShellMigrateRequest *req)
{
    if (!req)
        return;
    g_free(req->domain);
    g_free(req->desturi);
    qv_typed_params_free(req->params, req->nparams);
    g_free(req);
}

/* Adding a parameter with one of migrate.h's names cannot fail. */
static void
shell_migrate_add_string(ShellMigrateRequest *req, const char *param, const char *value)
{
    qv_typed_params_add_string(&req->params, &req->nparams, &req->maxparams, param, value);
}

/* The comma-separated list of option OPT, each item one PARAM. */
static gboolean
shell_migrate_add_list(Shell *sh, ShellMigrateRequest *req, const ShellArgs *args, const char *opt,
                       const char *param)
{
    const char *value = shell_opt_str(args, opt);
    g_auto(GStrv) items = NULL;

    if (!value)
        return TRUE;
    items = g_strsplit(value, ",", -1);
    for (int i = 0; items[i]; i++) {
        if (!*items[i]) {
            shell_error(sh, _("Invalid list '%s' for <%s> option: an item is empty"), value, opt);
            return FALSE;
        }
    }
    for (int i = 0; items[i]; i++)
        shell_migrate_add_string(req, param, items[i]);
    return TRUE;
}

/* The contents of the file named by option OPT as PARAM. */
static gboolean
shell_migrate_add_file(Shell *sh, ShellMigrateRequest *req, const ShellArgs *args, const char *opt,
                       const char *param)
{
    const char *path = shell_opt_str(args, opt);
    g_autoptr(GError) gerr = NULL;
    g_autofree char *contents = NULL;

    if (!path)
        return TRUE;
    if (!g_file_get_contents(path, &contents, NULL, &gerr)) {
        shell_error(sh, _("cannot read the file of --%s: %s"), opt, gerr->message);
        return FALSE;
    }
    shell_migrate_add_string(req, param, contents);
    return TRUE;
}

/* The checks of option combinations; FALSE after printing the first
 * problem. */
static gboolean
shell_migrate_check_options(Shell *sh, const ShellArgs *args)
{
    gboolean storage =
        shell_opt_bool(args, "copy-storage-all") || shell_opt_bool(args, "copy-storage-inc");

    if (shell_opt_bool(args, "direct")) {
        shell_error(sh, _("direct migration is not supported: use --p2p or a client-driven "
                          "migration"));
        return FALSE;
    }
    for (guint i = 0; i < G_N_ELEMENTS(shell_migrate_exclusive); i++) {
        if (!shell_opts_exclusive(sh, args, shell_migrate_exclusive[i].a,
                                  shell_migrate_exclusive[i].b))
            return FALSE;
    }
    for (guint i = 0; i < G_N_ELEMENTS(shell_migrate_requires); i++) {
        const char *opt = shell_migrate_requires[i].opt;
        const char *needs = shell_migrate_requires[i].needs;

        if (shell_opt_bool(args, opt) && !shell_opt_bool(args, needs)) {
            shell_error(sh, _("Option --%s is required by option --%s"), needs, opt);
            return FALSE;
        }
    }
    if (shell_opt_bool(args, "copy-storage-synchronous-writes") && !storage) {
        shell_error(sh, _("Option --copy-storage-synchronous-writes requires --copy-storage-all "
                          "or --copy-storage-inc"));
        return FALSE;
    }
    if (shell_opt_str(args, "migrate-disks") && !storage) {
        shell_error(sh, _("Option --migrate-disks requires --copy-storage-all or "
                          "--copy-storage-inc"));
        return FALSE;
    }
    return TRUE;
}

ShellMigrateRequest *
shell_migrate_request_new(Shell *sh, const ShellArgs *args)
{
    g_autoptr(ShellMigrateRequest) req = g_new0(ShellMigrateRequest, 1);
    guint64 value;
    int rc;

    if (!shell_migrate_check_options(sh, args))
        return NULL;

    req->domain = g_strdup(shell_opt_str(args, "domain"));
    req->desturi = g_strdup(shell_opt_str(args, "desturi"));
    if (!*req->desturi) {
        shell_error(sh, _("the destination URI (--desturi) is empty"));
        return NULL;
    }
    for (guint i = 0; i < G_N_ELEMENTS(shell_migrate_flag_opts); i++) {
        if (shell_opt_bool(args, shell_migrate_flag_opts[i].opt))
            req->flags |= shell_migrate_flag_opts[i].flag;
    }
    req->verbose = shell_opt_bool(args, "verbose");
    req->postcopy_after_precopy = shell_opt_bool(args, "postcopy-after-precopy");
    req->timeout_action = shell_opt_bool(args, "timeout-postcopy") ? SHELL_MIGRATE_TIMEOUT_POSTCOPY
                                                                   : SHELL_MIGRATE_TIMEOUT_SUSPEND;

    rc = shell_opt_number(sh, args, "timeout", 1, G_MAXINT32, &value);
    if (rc < 0)
        return NULL;
    if (rc > 0)
        req->timeout_ms = (gint64)value * 1000;

    for (guint i = 0; i < G_N_ELEMENTS(shell_migrate_string_opts); i++) {
        const char *str = shell_opt_str(args, shell_migrate_string_opts[i].opt);

        if (str)
            shell_migrate_add_string(req, shell_migrate_string_opts[i].param, str);
    }
    for (guint i = 0; i < G_N_ELEMENTS(shell_migrate_int_opts); i++) {
        rc = shell_opt_number(sh, args, shell_migrate_int_opts[i].opt, 0, G_MAXINT, &value);
        if (rc < 0)
            return NULL;
        if (rc > 0) {
            qv_typed_params_add_int(&req->params, &req->nparams, &req->maxparams,
                                    shell_migrate_int_opts[i].param, (int)value);
        }
    }
    for (guint i = 0; i < G_N_ELEMENTS(shell_migrate_ullong_opts); i++) {
        rc = shell_opt_number(sh, args, shell_migrate_ullong_opts[i].opt, 0, G_MAXUINT64, &value);
        if (rc < 0)
            return NULL;
        if (rc > 0) {
            qv_typed_params_add_ullong(&req->params, &req->nparams, &req->maxparams,
                                       shell_migrate_ullong_opts[i].param, value);
        }
    }
    /* As virsh: port 0 means "let the destination choose", so it is not sent. */
    rc = shell_opt_number(sh, args, "disks-port", 0, 65535, &value);
    if (rc < 0)
        return NULL;
    if (rc > 0 && value > 0) {
        qv_typed_params_add_int(&req->params, &req->nparams, &req->maxparams,
                                QV_MIGRATE_PARAM_DISKS_PORT, (int)value);
    }
    if (!shell_migrate_add_list(sh, req, args, "migrate-disks", QV_MIGRATE_PARAM_MIGRATE_DISKS) ||
        !shell_migrate_add_list(sh, req, args, "comp-methods", QV_MIGRATE_PARAM_COMPRESSION) ||
        !shell_migrate_add_file(sh, req, args, "xml", QV_MIGRATE_PARAM_DEST_XML) ||
        !shell_migrate_add_file(sh, req, args, "persistent-xml", QV_MIGRATE_PARAM_PERSIST_XML))
        return NULL;
    return g_steal_pointer(&req);
}

/* ---- the watch ---- */

int
shell_migrate_progress_percent(unsigned long long remaining, unsigned long long total)
{
    return shell_job_progress_percent(remaining, total);
}

unsigned int
shell_migrate_watch_step(ShellMigrateWatch *watch, gint64 elapsed_ms, unsigned long long iteration)
{
    const ShellMigrateRequest *req = watch->req;
    unsigned int actions = SHELL_MIGRATE_ACT_NONE;

    if (req->timeout_ms > 0 && !watch->timeout_fired && elapsed_ms >= req->timeout_ms) {
        watch->timeout_fired = TRUE;
        if (req->timeout_action == SHELL_MIGRATE_TIMEOUT_SUSPEND) {
            actions |= SHELL_MIGRATE_ACT_SUSPEND;
        } else if (!watch->postcopy_started) {
            watch->postcopy_started = TRUE;
            actions |= SHELL_MIGRATE_ACT_POSTCOPY;
        }
    }
    if (req->postcopy_after_precopy && !watch->postcopy_started &&
        iteration >= SHELL_MIGRATE_POSTCOPY_ITERATION) {
        watch->postcopy_started = TRUE;
        actions |= SHELL_MIGRATE_ACT_POSTCOPY;
    }
    return actions;
}

typedef struct {
    QvDomain *dom;
    QvConnect *dconn; /* NULL: peer-to-peer */
    const ShellMigrateRequest *req;
    ShellMigrateWatch watch;
} ShellMigrateRun;

/* The migration call, in the job watch's worker thread. */
static gboolean
shell_migrate_call(gpointer opaque)
{
    ShellMigrateRun *run = opaque;
    const ShellMigrateRequest *req = run->req;

    if (run->dconn) {
        QvDomain *ddom =
            qv_domain_migrate3(run->dom, run->dconn, req->params, req->nparams, req->flags);
        gboolean ok = ddom != NULL;

        qv_domain_unref(ddom);
        return ok;
    }
    return qv_domain_migrate_to_uri3(run->dom, req->desturi, req->params, req->nparams,
                                     req->flags) == 0;
}

/* After each look at the job: the watch's actions. */
static void
shell_migrate_poll(Shell *sh, QvDomain *dom, gint64 elapsed_ms, const QvTypedParam *params,
                   int nparams, gboolean *printed, gpointer opaque)
{
    ShellMigrateRun *run = opaque;
    unsigned long long iteration = 0;
    unsigned int actions;

    qv_typed_params_get_ullong(params, nparams, "memory_iteration", &iteration);
    qvirt_error_reset();
    actions = shell_migrate_watch_step(&run->watch, elapsed_ms, iteration);
    if (*printed && actions)
        fputc('\n', sh->err);
    if ((actions & SHELL_MIGRATE_ACT_SUSPEND) && qv_domain_suspend(dom) < 0) {
        shell_error(sh, _("failed to suspend the domain after the migration timeout"));
        shell_report_last(sh);
    }
    if ((actions & SHELL_MIGRATE_ACT_POSTCOPY) && qv_domain_migrate_start_post_copy(dom, 0) < 0) {
        shell_error(sh, _("failed to switch the migration to post-copy"));
        shell_report_last(sh);
    }
}

/* Run the migration in a worker and watch it until the call returns
 * (shell_jobwatch.h). */
static gboolean
shell_migrate_run(Shell *sh, QvDomain *dom, QvConnect *dconn, const ShellMigrateRequest *req)
{
    ShellMigrateRun run = {.dom = dom, .dconn = dconn, .req = req, .watch = {.req = req}};
    ShellJobWatch w = {
        .label = _("Migration"),
        .verbose = req->verbose,
        .watch = req->timeout_ms > 0 || req->postcopy_after_precopy,
        .call = shell_migrate_call,
        .poll = shell_migrate_poll,
        .opaque = &run,
    };

    if (!shell_job_watch_run(sh, dom, &w)) {
        shell_report_last(sh);
        return FALSE;
    }
    return TRUE;
}

gboolean
cmd_migrate(Shell *sh, ShellArgs *args)
{
    g_autoptr(ShellMigrateRequest) req = shell_migrate_request_new(sh, args);
    g_autoptr(QvDomain) dom = NULL;
    QvConnect *dconn = NULL;
    gboolean ok;

    if (!req || !shell_connect(sh))
        return FALSE;
    dom = shell_lookup_domain(sh, req->domain);
    if (!dom)
        return FALSE;
    if (!(req->flags & QV_MIGRATE_PEER2PEER)) {
        /* Client-driven: this process drives both daemons. */
        dconn = qv_connect_open(req->desturi, 0);
        if (!dconn) {
            shell_report_last(sh);
            shell_error(sh, _("failed to connect to the destination '%s'"), req->desturi);
            return FALSE;
        }
    }
    ok = shell_migrate_run(sh, dom, dconn, req);
    if (dconn)
        qv_connect_close(dconn);
    return ok;
}

/* ---- tuning a running migration ---- */

const ShellOpt opts_migrate_setmaxdowntime[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"downtime", SHELL_OPT_STRING, TRUE, TRUE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_migrate_setmaxdowntime(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = NULL;
    guint64 downtime;

    if (shell_opt_number(sh, args, "downtime", 1, G_MAXUINT64, &downtime) < 0 ||
        !shell_connect(sh))
        return FALSE;
    dom = shell_args_domain(sh, args);
    if (!dom)
        return FALSE;
    if (qv_domain_migrate_set_max_downtime(dom, downtime, 0) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    return TRUE;
}

gboolean
cmd_migrate_getmaxdowntime(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    unsigned long long downtime;

    if (!dom)
        return FALSE;
    if (qv_domain_migrate_get_max_downtime(dom, &downtime, 0) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    fprintf(sh->out, "%llu\n", downtime);
    return TRUE;
}

const ShellOpt opts_migrate_setspeed[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"bandwidth", SHELL_OPT_STRING, TRUE, TRUE},
    {"postcopy", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

static unsigned int
shell_migrate_speed_flags(const ShellArgs *args)
{
    return shell_opt_bool(args, "postcopy") ? QV_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY : 0;
}

gboolean
cmd_migrate_setspeed(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = NULL;
    guint64 bandwidth;

    if (shell_opt_number(sh, args, "bandwidth", 0, G_MAXUINT64, &bandwidth) < 0 ||
        !shell_connect(sh))
        return FALSE;
    dom = shell_args_domain(sh, args);
    if (!dom)
        return FALSE;
    if (qv_domain_migrate_set_max_speed(dom, bandwidth, shell_migrate_speed_flags(args)) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    return TRUE;
}

const ShellOpt opts_migrate_speed[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"postcopy", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_migrate_getspeed(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    unsigned long long bandwidth;

    if (!dom)
        return FALSE;
    if (qv_domain_migrate_get_max_speed(dom, &bandwidth, shell_migrate_speed_flags(args)) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    fprintf(sh->out, "%llu\n", bandwidth);
    return TRUE;
}

gboolean
cmd_migrate_postcopy(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);

    if (!dom)
        return FALSE;
    if (qv_domain_migrate_start_post_copy(dom, 0) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    return TRUE;
}

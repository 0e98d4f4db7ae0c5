/* shell_save.c: the shell's save, restore, managed save and dump commands
 * with virsh's names, options and messages (see shell_save_priv.h):
 * - save DOM FILE [--bypass-cache] [--xml FILE] [--running|--paused] [--verbose]
 * - restore FILE [--bypass-cache] [--xml FILE] [--running|--paused] [--reset-nvram]
 * - managedsave DOM [--bypass-cache] [--running|--paused] [--verbose]
 * - managedsave-remove DOM
 * - dump DOM FILE [--live] [--crash] [--bypass-cache] [--reset] [--verbose]
 *   [--memory-only] [--format elf|kdump-zlib|kdump-lzo|kdump-snappy|win-dmp]
 *
 * Contract: options are checked before connecting. Save, managedsave and
 * dump run their call in a worker thread watched from the shell's thread
 * (shell_jobwatch.h): --verbose prints the job's progress, Ctrl-C aborts
 * the job. A failure prints virsh's "error: Failed to ..." line and then
 * the call's error. */
#include <config.h>

#include <string.h>

#include "driver/save.h"
#include "shell/shell_jobwatch.h"
#include "shell/shell_save_priv.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* ---- options ---- */

const ShellOpt opts_save[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},       {"file", SHELL_OPT_STRING, TRUE, TRUE},
    {"bypass-cache", SHELL_OPT_BOOL, FALSE, FALSE}, {"xml", SHELL_OPT_STRING, FALSE, FALSE},
    {"running", SHELL_OPT_BOOL, FALSE, FALSE},      {"paused", SHELL_OPT_BOOL, FALSE, FALSE},
    {"verbose", SHELL_OPT_BOOL, FALSE, FALSE},      {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_restore[] = {
    {"file", SHELL_OPT_STRING, TRUE, TRUE},
    {"bypass-cache", SHELL_OPT_BOOL, FALSE, FALSE},
    {"xml", SHELL_OPT_STRING, FALSE, FALSE},
    {"running", SHELL_OPT_BOOL, FALSE, FALSE},
    {"paused", SHELL_OPT_BOOL, FALSE, FALSE},
    {"reset-nvram", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_managedsave[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},  {"bypass-cache", SHELL_OPT_BOOL, FALSE, FALSE},
    {"running", SHELL_OPT_BOOL, FALSE, FALSE}, {"paused", SHELL_OPT_BOOL, FALSE, FALSE},
    {"verbose", SHELL_OPT_BOOL, FALSE, FALSE}, {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_dump[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},       {"file", SHELL_OPT_STRING, TRUE, TRUE},
    {"live", SHELL_OPT_BOOL, FALSE, FALSE},         {"crash", SHELL_OPT_BOOL, FALSE, FALSE},
    {"bypass-cache", SHELL_OPT_BOOL, FALSE, FALSE}, {"reset", SHELL_OPT_BOOL, FALSE, FALSE},
    {"verbose", SHELL_OPT_BOOL, FALSE, FALSE},      {"memory-only", SHELL_OPT_BOOL, FALSE, FALSE},
    {"format", SHELL_OPT_STRING, FALSE, FALSE},     {NULL, 0, FALSE, FALSE},
};

/* ---- the request ---- */

static const char *const shell_dump_formats[] = {
    [QV_DOMAIN_CORE_DUMP_FORMAT_RAW] = "elf",
    [QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB] = "kdump-zlib",
    [QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO] = "kdump-lzo",
    [QV_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY] = "kdump-snappy",
    [QV_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP] = "win-dmp",
};
G_STATIC_ASSERT(G_N_ELEMENTS(shell_dump_formats) == QV_DOMAIN_CORE_DUMP_FORMAT_LAST);

int
shell_dump_format_from_string(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(shell_dump_formats); i++) {
        if (strcmp(shell_dump_formats[i], name) == 0)
            return (int)i;
    }
    return -1;
}

void
shell_save_request_free(ShellSaveRequest *req)
{
    if (!req)
        return;
    g_free(req->xml);
    g_free(req);
}

/* The flags of save, restore and managedsave. */
static gboolean
shell_save_flags(Shell *sh, const ShellArgs *args, ShellSaveRequest *req)
{
    if (!shell_opts_exclusive(sh, args, "running", "paused"))
        return FALSE;
    if (shell_opt_bool(args, "bypass-cache"))
        req->flags |= QV_DOMAIN_SAVE_BYPASS_CACHE;
    if (shell_opt_bool(args, "running"))
        req->flags |= QV_DOMAIN_SAVE_RUNNING;
    if (shell_opt_bool(args, "paused"))
        req->flags |= QV_DOMAIN_SAVE_PAUSED;
    if (req->kind == SHELL_SAVE_RESTORE && shell_opt_bool(args, "reset-nvram"))
        req->flags |= QV_DOMAIN_SAVE_RESET_NVRAM;
    return TRUE;
}

/* The dump flags and format. */
static gboolean
shell_save_dump_flags(Shell *sh, const ShellArgs *args, ShellSaveRequest *req)
{
    static const struct {
        const char *opt;
        unsigned int flag;
    } flags[] = {
        {"live", QV_DUMP_LIVE},
        {"crash", QV_DUMP_CRASH},
        {"bypass-cache", QV_DUMP_BYPASS_CACHE},
        {"reset", QV_DUMP_RESET},
        {"memory-only", QV_DUMP_MEMORY_ONLY},
    };
    const char *format = shell_opt_str(args, "format");

    if (!shell_opts_exclusive(sh, args, "live", "crash") ||
        !shell_opts_exclusive(sh, args, "live", "reset") ||
        !shell_opts_exclusive(sh, args, "crash", "reset"))
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(flags); i++) {
        if (shell_opt_bool(args, flags[i].opt))
            req->flags |= flags[i].flag;
    }
    if (format) {
        int f;

        if (!(req->flags & QV_DUMP_MEMORY_ONLY)) {
            shell_error(sh, _("--format only works with --memory-only"));
            return FALSE;
        }
        f = shell_dump_format_from_string(format);
        if (f < 0) {
            shell_error(sh,
                        _("format '%s' is not supported, expecting 'kdump-zlib', 'kdump-lzo', "
                          "'kdump-snappy', 'win-dmp' or 'elf'"),
                        format);
            return FALSE;
        }
        req->with_format = TRUE;
        req->dumpformat = (unsigned int)f;
    }
    return TRUE;
}

ShellSaveRequest *
shell_save_request_new(Shell *sh, ShellSaveKind kind, const ShellArgs *args)
{
    g_autoptr(ShellSaveRequest) req = g_new0(ShellSaveRequest, 1);
    const char *xmlfile;

    req->kind = kind;
    if (kind != SHELL_SAVE_RESTORE)
        req->domain = shell_opt_str(args, "domain");
    if (kind != SHELL_SAVE_MANAGED) {
        req->file = shell_opt_str(args, "file");
        if (!req->file || !*req->file) {
            shell_error(sh, _("the file name (--file) is empty"));
            return NULL;
        }
    }
    if (kind == SHELL_SAVE_DUMP) {
        if (!shell_save_dump_flags(sh, args, req))
            return NULL;
    } else if (!shell_save_flags(sh, args, req)) {
        return NULL;
    }
    if (kind != SHELL_SAVE_RESTORE)
        req->verbose = shell_opt_bool(args, "verbose");
    xmlfile =
        (kind == SHELL_SAVE_SAVE || kind == SHELL_SAVE_RESTORE) ? shell_opt_str(args, "xml") : NULL;
    if (xmlfile) {
        g_autoptr(GError) gerr = NULL;

        if (!g_file_get_contents(xmlfile, &req->xml, NULL, &gerr)) {
            shell_error(sh, _("Failed to read file '%s': %s"), xmlfile, gerr->message);
            return NULL;
        }
    }
    return g_steal_pointer(&req);
}

/* ---- running the calls ---- */

typedef struct {
    QvDomain *dom;
    const ShellSaveRequest *req;
} ShellSaveRun;

/* The call of a save, managed save or dump, in the watch's worker thread. */
static gboolean
shell_save_call(gpointer opaque)
{
    ShellSaveRun *run = opaque;
    const ShellSaveRequest *req = run->req;

    switch (req->kind) {
    case SHELL_SAVE_SAVE:
        if (req->xml || req->flags)
            return qv_domain_save_flags(run->dom, req->file, req->xml, req->flags) == 0;
        return qv_domain_save(run->dom, req->file) == 0;
    case SHELL_SAVE_MANAGED:
        return qv_domain_managed_save(run->dom, req->flags) == 0;
    case SHELL_SAVE_DUMP:
        if (req->with_format) {
            return qv_domain_core_dump_with_format(run->dom, req->file, req->dumpformat,
                                                   req->flags) == 0;
        }
        return qv_domain_core_dump(run->dom, req->file, req->flags) == 0;
    case SHELL_SAVE_RESTORE:
        break;
    }
    g_assert_not_reached();
    return FALSE;
}

/* Look DOM up, then run REQ's call under the job watch with the bar named
 * LABEL; FALSE after printing FAILED (formatted with the domain's name and
 * the file) and the error. */
static gboolean
shell_save_run(Shell *sh, const ShellSaveRequest *req, const char *label)
{
    g_autoptr(QvDomain) dom = NULL;
    ShellSaveRun run = {.req = req};
    ShellJobWatch w = {
        .label = label,
        .verbose = req->verbose,
        .call = shell_save_call,
        .opaque = &run,
    };

    if (!shell_connect(sh))
        return FALSE;
    if (!(dom = shell_lookup_domain(sh, req->domain)))
        return FALSE;
    run.dom = dom;
    if (shell_job_watch_run(sh, dom, &w))
        return TRUE;
    switch (req->kind) {
    case SHELL_SAVE_SAVE:
        shell_error(sh, _("Failed to save domain '%s' to %s"), req->domain, req->file);
        break;
    case SHELL_SAVE_MANAGED:
        shell_error(sh, _("Failed to save domain '%s' state"), req->domain);
        break;
    case SHELL_SAVE_DUMP:
        shell_error(sh, _("Failed to core dump domain '%s' to %s"), req->domain, req->file);
        break;
    case SHELL_SAVE_RESTORE:
        break;
    }
    shell_report_last(sh);
    return FALSE;
}

/* ---- the commands ---- */

gboolean
cmd_save(Shell *sh, ShellArgs *args)
{
    g_autoptr(ShellSaveRequest) req = shell_save_request_new(sh, SHELL_SAVE_SAVE, args);

    if (!req || !shell_save_run(sh, req, _("Save")))
        return FALSE;
    shell_print_extra(sh, _("\nDomain '%s' saved to %s\n"), req->domain, req->file);
    return TRUE;
}

gboolean
cmd_managedsave(Shell *sh, ShellArgs *args)
{
    g_autoptr(ShellSaveRequest) req = shell_save_request_new(sh, SHELL_SAVE_MANAGED, args);

    if (!req || !shell_save_run(sh, req, _("Managedsave")))
        return FALSE;
    shell_print_extra(sh, _("\nDomain '%s' state saved by qvirt\n"), req->domain);
    return TRUE;
}

gboolean
cmd_dump(Shell *sh, ShellArgs *args)
{
    g_autoptr(ShellSaveRequest) req = shell_save_request_new(sh, SHELL_SAVE_DUMP, args);

    if (!req || !shell_save_run(sh, req, _("Dump")))
        return FALSE;
    shell_print_extra(sh, _("\nDomain '%s' dumped to %s\n"), req->domain, req->file);
    return TRUE;
}

gboolean
cmd_restore(Shell *sh, ShellArgs *args)
{
    g_autoptr(ShellSaveRequest) req = shell_save_request_new(sh, SHELL_SAVE_RESTORE, args);
    int rc;

    if (!req || !shell_connect(sh))
        return FALSE;
    if (req->xml || req->flags)
        rc = qv_domain_restore_flags(sh->conn, req->file, req->xml, req->flags);
    else
        rc = qv_domain_restore(sh->conn, req->file);
    if (rc < 0) {
        shell_error(sh, _("Failed to restore domain from %s"), req->file);
        shell_report_last(sh);
        return FALSE;
    }
    shell_print_extra(sh, _("Domain restored from %s\n"), req->file);
    return TRUE;
}

gboolean
cmd_managedsave_remove(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    const char *name;
    int rc;

    if (!dom)
        return FALSE;
    name = qv_domain_get_name(dom);
    rc = qv_domain_has_managed_save_image(dom, 0);
    if (rc < 0) {
        shell_error(sh, _("Failed to check for domain managed save image"));
        shell_report_last(sh);
        return FALSE;
    }
    if (rc == 0) {
        shell_print_extra(sh, _("Domain '%s' has no manage save image; removal skipped\n"), name);
        return TRUE;
    }
    if (qv_domain_managed_save_remove(dom, 0) < 0) {
        shell_error(sh, _("Failed to remove managed save image for domain '%s'"), name);
        shell_report_last(sh);
        return FALSE;
    }
    shell_print_extra(sh, _("Removed managedsave image for domain '%s'\n"), name);
    return TRUE;
}

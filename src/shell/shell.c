/* shell.c: the core of the qvirt shell (see shell.h): option parsing,
 * virsh-style error printing, the connection, domain lookup, the command
 * table with help, and the connection and host commands (connect, uri,
 * version, hostname, capabilities). The other commands live in
 * shell_domain.c, shell_job.c, shell_event.c, shell_migrate.c,
 * shell_blockjob.c and shell_save.c. */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "shell/shell_blockjob_priv.h"
#include "shell/shell_priv.h"
#include "shell/shell_save_priv.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* ---- options ---- */

static int
shell_opt_index(const ShellCmd *cmd, const char *name)
{
    for (int i = 0; cmd->opts && cmd->opts[i].name; i++) {
        if (strcmp(cmd->opts[i].name, name) == 0)
            return i;
    }
    return -1;
}

void
shell_print_extra(Shell *sh, const char *fmt, ...)
{
    va_list ap;

    if (sh->quiet)
        return;
    va_start(ap, fmt);
    vfprintf(sh->out, fmt, ap);
    va_end(ap);
}

gboolean
shell_opt_bool(const ShellArgs *args, const char *name)
{
    int i = shell_opt_index(args->cmd, name);

    g_assert(i >= 0);
    return args->set[i];
}

const char *
shell_opt_str(const ShellArgs *args, const char *name)
{
    int i = shell_opt_index(args->cmd, name);

    g_assert(i >= 0);
    return args->value[i];
}

void shell_error(Shell *sh, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

void
shell_error(Shell *sh, const char *fmt, ...)
{
    va_list ap;

    fputs(_("error: "), sh->err);
    va_start(ap, fmt);
    vfprintf(sh->err, fmt, ap);
    va_end(ap);
    fputc('\n', sh->err);
    fflush(sh->err);
}

gboolean
shell_opts_exclusive(Shell *sh, const ShellArgs *args, const char *a, const char *b)
{
    if (shell_opt_bool(args, a) && shell_opt_bool(args, b)) {
        shell_error(sh, _("Options --%s and --%s are mutually exclusive"), a, b);
        return FALSE;
    }
    return TRUE;
}

/* virsh's prefix for an error code (libvirt's virErrorMsg wording), or NULL
 * for the codes whose message stands alone. */
static const char *
shell_error_prefix(int code)
{
    switch (code) {
    case QVIRT_ERR_INTERNAL_ERROR:
        return _("internal error");
    case QVIRT_ERR_NO_CONNECT:
        return _("no connection driver available");
    case QVIRT_ERR_INVALID_ARG:
        return _("invalid argument");
    case QVIRT_ERR_OPERATION_FAILED:
        return _("operation failed");
    case QVIRT_ERR_XML_ERROR:
        return _("XML error");
    case QVIRT_ERR_OPERATION_DENIED:
        return _("operation forbidden");
    case QVIRT_ERR_NO_DOMAIN:
        return _("Domain not found");
    case QVIRT_ERR_OPERATION_INVALID:
        return _("Requested operation is not valid");
    case QVIRT_ERR_CONFIG_UNSUPPORTED:
        return _("unsupported configuration");
    case QVIRT_ERR_OPERATION_TIMEOUT:
        return _("Timed out during operation");
    case QVIRT_ERR_ARGUMENT_UNSUPPORTED:
        return _("argument unsupported");
    case QVIRT_ERR_OPERATION_ABORTED:
        return _("operation aborted");
    case QVIRT_ERR_OPERATION_UNSUPPORTED:
        return _("Operation not supported");
    case QVIRT_ERR_AUTH_FAILED:
        return _("authentication failed");
    default:
        return NULL;
    }
}

/* Print the thread's last error, virsh style. */
void
shell_report_last(Shell *sh)
{
    const QvirtError *err = qvirt_error_get_last();
    const char *prefix;

    if (!err)
        return;
    prefix = shell_error_prefix(err->code);
    if (prefix && !g_str_has_prefix(err->message, prefix))
        shell_error(sh, "%s: %s", prefix, err->message);
    else
        shell_error(sh, "%s", err->message);
    qvirt_error_reset();
}

/* Fill ARGS from ARGV[1..]; prints virsh's errors and returns FALSE. */
static gboolean
shell_parse_args(Shell *sh, const ShellCmd *cmd, int argc, char **argv, ShellArgs *args)
{
    for (int i = 1; i < argc; i++) {
        const char *word = argv[i];
        int idx;

        if (g_str_has_prefix(word, "--") && word[2]) {
            g_autofree char *name = g_strdup(word + 2);
            char *eq = strchr(name, '=');
            const char *value = NULL;

            if (eq) {
                /* The value points into ARGV: NAME is freed at the end of
                 * this block. */
                value = word + 2 + (eq - name) + 1;
                *eq = '\0';
            }
            idx = shell_opt_index(cmd, name);
            if (idx < 0) {
                shell_error(sh, _("command '%s' doesn't support option --%s"), cmd->name, name);
                return FALSE;
            }
            if (cmd->opts[idx].type == SHELL_OPT_BOOL) {
                if (value) {
                    shell_error(sh, _("option --%s doesn't take a value"), name);
                    return FALSE;
                }
                args->set[idx] = TRUE;
                continue;
            }
            if (!value) {
                if (i + 1 >= argc) {
                    shell_error(sh, _("expected syntax: --%s <string>"), name);
                    return FALSE;
                }
                value = argv[++i];
            }
            if (cmd->opts[idx].type == SHELL_OPT_ARGV) {
                g_ptr_array_add(args->rest, (gpointer)value);
            } else {
                if (args->set[idx]) {
                    shell_error(sh, _("option --%s already provided"), name);
                    return FALSE;
                }
                args->value[idx] = value;
            }
            args->set[idx] = TRUE;
            continue;
        }
        if (strcmp(word, "--") == 0)
            continue;
        /* A positional word goes to the first positional option not set. */
        idx = -1;
        for (int j = 0; cmd->opts && cmd->opts[j].name; j++) {
            if (cmd->opts[j].positional && (cmd->opts[j].type == SHELL_OPT_ARGV || !args->set[j])) {
                idx = j;
                break;
            }
        }
        if (idx < 0) {
            shell_error(sh, _("unexpected data '%s'"), word);
            return FALSE;
        }
        if (cmd->opts[idx].type == SHELL_OPT_ARGV)
            g_ptr_array_add(args->rest, (gpointer)word);
        else
            args->value[idx] = word;
        args->set[idx] = TRUE;
    }
    for (int j = 0; cmd->opts && cmd->opts[j].name; j++) {
        if (cmd->opts[j].required && !args->set[j]) {
            shell_error(sh, _("command '%s' requires <%s> option"), cmd->name, cmd->opts[j].name);
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- connection and domains ---- */

char *
shell_default_uri(void)
{
    const char *env = g_getenv("QVIRT_DEFAULT_URI");

    if (env && *env)
        return g_strdup(env);
    return g_strdup(geteuid() == 0 ? "qemu:///system" : "qemu:///session");
}

gboolean
shell_connect(Shell *sh)
{
    g_autofree char *uri = NULL;

    if (sh->conn)
        return TRUE;
    uri = sh->uri ? g_strdup(sh->uri) : shell_default_uri();
    sh->conn = qv_connect_open(uri, sh->readonly ? QV_CONNECT_RO : 0);
    if (!sh->conn) {
        shell_report_last(sh);
        shell_error(sh, _("failed to connect to the hypervisor"));
        return FALSE;
    }
    return TRUE;
}

static gboolean
shell_parse_uuid(const char *str, unsigned char *ret_uuid)
{
    unsigned char uuid[16];
    int n = 0;

    for (const char *p = str; *p; p++) {
        int hi;
        int lo;

        if (*p == '-')
            continue;
        if (n >= 16 || !p[1])
            return FALSE;
        hi = g_ascii_xdigit_value(p[0]);
        lo = g_ascii_xdigit_value(p[1]);
        if (hi < 0 || lo < 0)
            return FALSE;
        uuid[n++] = (unsigned char)(hi << 4 | lo);
        p++;
    }
    if (n != 16)
        return FALSE;
    memcpy(ret_uuid, uuid, 16);
    return TRUE;
}

/* Look up NAME as virsh does: an id, then a UUID, then a name. */
QvDomain *
shell_lookup_domain(Shell *sh, const char *name)
{
    QvDomain *dom = NULL;
    unsigned char uuid[16];
    gint64 id;
    char *end = NULL;

    errno = 0;
    id = g_ascii_strtoll(name, &end, 10);
    if (*name && !*end && errno == 0 && id >= 0 && id <= G_MAXINT)
        dom = qv_domain_lookup_by_id(sh->conn, (int)id);
    if (!dom && shell_parse_uuid(name, uuid))
        dom = qv_domain_lookup_by_uuid(sh->conn, uuid);
    if (!dom) {
        qvirt_error_reset();
        dom = qv_domain_lookup_by_name(sh->conn, name);
    }
    if (!dom) {
        shell_error(sh, _("failed to get domain '%s'"), name);
        shell_report_last(sh);
    }
    return dom;
}

QvDomain *
shell_args_domain(Shell *sh, const ShellArgs *args)
{
    return shell_lookup_domain(sh, shell_opt_str(args, "domain"));
}

void
shell_uuid_format(const unsigned char *uuid, char *buf)
{
    g_snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8],
               uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
}

char *
shell_read_file(Shell *sh, const char *path)
{
    g_autoptr(GError) gerr = NULL;
    char *contents = NULL;

    if (!g_file_get_contents(path, &contents, NULL, &gerr)) {
        shell_error(sh, _("Failed to read file '%s' to define domain: %s"), path, gerr->message);
        return NULL;
    }
    return contents;
}

/* ---- connection and host commands ---- */

const ShellOpt opts_connect[] = {
    {"name", SHELL_OPT_STRING, FALSE, TRUE},
    {"readonly", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_connect(Shell *sh, ShellArgs *args)
{
    const char *name = shell_opt_str(args, "name");

    if (sh->conn) {
        qv_connect_close(sh->conn);
        sh->conn = NULL;
    }
    if (name) {
        g_free(sh->uri);
        sh->uri = g_strdup(name);
    }
    sh->readonly = shell_opt_bool(args, "readonly");
    return shell_connect(sh);
}

gboolean
cmd_uri(Shell *sh, ShellArgs *args)
{
    g_autofree char *uri = qv_connect_get_uri(sh->conn);
    (void)args;

    if (!uri)
        return FALSE;
    fprintf(sh->out, "%s\n", uri);
    return TRUE;
}

gboolean
cmd_version(Shell *sh, ShellArgs *args)
{
    const char *type = qv_connect_get_type(sh->conn);
    unsigned long long ver;
    (void)args;

    if (!type)
        return FALSE;
    fprintf(sh->out, _("Compiled against library: qvirt %s\n"), PACKAGE_VERSION);
    fprintf(sh->out, _("Using library: qvirt %s\n"), PACKAGE_VERSION);
    fprintf(sh->out, _("Using API: %s %s\n"), type, PACKAGE_VERSION);
    if (qv_connect_get_version(sh->conn, &ver) < 0)
        return FALSE;
    fprintf(sh->out, _("Running hypervisor: %s %llu.%llu.%llu\n"), type, ver / 1000000,
            (ver / 1000) % 1000, ver % 1000);
    return TRUE;
}

gboolean
cmd_hostname(Shell *sh, ShellArgs *args)
{
    g_autofree char *host = qv_connect_get_hostname(sh->conn);
    (void)args;

    if (!host) {
        shell_error(sh, _("failed to get hostname"));
        return FALSE;
    }
    fprintf(sh->out, "%s\n", host);
    return TRUE;
}

gboolean
cmd_capabilities(Shell *sh, ShellArgs *args)
{
    g_autofree char *caps = qv_connect_get_capabilities(sh->conn);
    (void)args;

    if (!caps) {
        shell_error(sh, _("failed to get capabilities"));
        return FALSE;
    }
    fprintf(sh->out, "%s", caps);
    if (!g_str_has_suffix(caps, "\n"))
        fputc('\n', sh->out);
    return TRUE;
}

/* ---- the shell itself ---- */

gboolean
cmd_quit(Shell *sh, ShellArgs *args)
{
    (void)args;
    sh->quit = TRUE;
    return TRUE;
}

gboolean
cmd_history(Shell *sh, ShellArgs *args)
{
    (void)args;
    for (guint i = 0; sh->history && i < sh->history->len; i++)
        fprintf(sh->out, "%5u  %s\n", i + 1, (const char *)sh->history->pdata[i]);
    return TRUE;
}

const ShellOpt opts_help[] = {
    {"command", SHELL_OPT_STRING, FALSE, TRUE},
    {NULL, 0, FALSE, FALSE},
};

static const ShellCmd shell_cmds[] = {
    {"autostart", cmd_autostart, opts_autostart, TRUE, N_("autostart a domain")},
    /* The block job commands check their options before they connect. */
    {"blockcommit", cmd_blockcommit, opts_blockcommit, FALSE,
     N_("start a block commit operation")},
    {"blockcopy", cmd_blockcopy, opts_blockcopy, FALSE, N_("start a block copy operation")},
    {"blockjob", cmd_blockjob, opts_blockjob, FALSE, N_("manage active block operations")},
    {"blockpull", cmd_blockpull, opts_blockpull, FALSE,
     N_("populate a disk from its backing image")},
    {"capabilities", cmd_capabilities, NULL, TRUE, N_("capabilities")},
    {"connect", cmd_connect, opts_connect, FALSE, N_("(re)connect to hypervisor")},
    {"create", cmd_create, opts_file, TRUE, N_("create a domain from an XML file")},
    {"define", cmd_define, opts_file, TRUE,
     N_("define (but don't start) a domain from an XML file")},
    {"destroy", cmd_destroy, opts_destroy, TRUE, N_("destroy (stop) a domain")},
    {"domid", cmd_domid, opts_dom, TRUE, N_("convert a domain name or UUID to domain id")},
    {"dominfo", cmd_dominfo, opts_dom, TRUE, N_("domain information")},
    {"domjobabort", cmd_domjobabort, opts_domjobabort, TRUE, N_("abort active domain job")},
    {"domjobinfo", cmd_domjobinfo, opts_domjobinfo, TRUE, N_("domain job information")},
    {"domname", cmd_domname, opts_dom, TRUE, N_("convert a domain id or UUID to domain name")},
    {"domstate", cmd_domstate, opts_domstate, TRUE, N_("domain state")},
    {"domuuid", cmd_domuuid, opts_dom, TRUE, N_("convert a domain name or id to domain UUID")},
    {"domxml-to-native", cmd_domxml_to_native, opts_xml_to_native, TRUE,
     N_("Convert domain XML to native config")},
    /* save, managedsave, dump and restore check their options before they connect. */
    {"dump", cmd_dump, opts_dump, FALSE, N_("dump the core of a domain to a file for analysis")},
    {"dumpxml", cmd_dumpxml, opts_dumpxml, TRUE, N_("domain information in XML")},
    {"event", cmd_event, opts_event, FALSE, N_("Domain Events")},
    {"exit", cmd_quit, NULL, FALSE, N_("quit this interactive terminal")},
    {"help", cmd_help, opts_help, FALSE, N_("print help")},
    {"history", cmd_history, NULL, FALSE, N_("show the lines typed in this session")},
    {"hostname", cmd_hostname, NULL, TRUE, N_("print the hypervisor hostname")},
    {"list", cmd_list, NULL, TRUE, N_("list domains")},
    {"managedsave", cmd_managedsave, opts_managedsave, FALSE, N_("managed save of a domain state")},
    {"managedsave-remove", cmd_managedsave_remove, opts_dom, TRUE,
     N_("Remove managed save of a domain")},
    /* migrate and the setters check their options before they connect. */
    {"migrate", cmd_migrate, opts_migrate, FALSE, N_("migrate domain to another host")},
    {"migrate-getmaxdowntime", cmd_migrate_getmaxdowntime, opts_dom, TRUE,
     N_("get maximum tolerable downtime")},
    {"migrate-getspeed", cmd_migrate_getspeed, opts_migrate_speed, TRUE,
     N_("Get the maximum migration bandwidth")},
    {"migrate-postcopy", cmd_migrate_postcopy, opts_dom, TRUE,
     N_("Switch running migration from pre-copy to post-copy")},
    {"migrate-setmaxdowntime", cmd_migrate_setmaxdowntime, opts_migrate_setmaxdowntime, FALSE,
     N_("set maximum tolerable downtime")},
    {"migrate-setspeed", cmd_migrate_setspeed, opts_migrate_setspeed, FALSE,
     N_("Set the maximum migration bandwidth")},
    {"qemu-monitor-command", cmd_qemu_monitor_command, opts_monitor, TRUE,
     N_("QEMU Monitor Command")},
    {"quit", cmd_quit, NULL, FALSE, N_("quit this interactive terminal")},
    {"reboot", cmd_reboot, opts_mode, TRUE, N_("reboot a domain")},
    {"reset", cmd_reset, opts_dom, TRUE, N_("reset a domain")},
    {"restore", cmd_restore, opts_restore, FALSE,
     N_("restore a domain from a saved state in a file")},
    {"resume", cmd_resume, opts_dom, TRUE, N_("resume a domain")},
    {"save", cmd_save, opts_save, FALSE, N_("save a domain state to a file")},
    {"shutdown", cmd_shutdown, opts_mode, TRUE, N_("gracefully shutdown a domain")},
    {"start", cmd_start, opts_start, TRUE, N_("start a (previously defined) inactive domain")},
    {"suspend", cmd_suspend, opts_dom, TRUE, N_("suspend a domain")},
    {"undefine", cmd_undefine, opts_undefine, TRUE, N_("undefine a domain")},
    {"uri", cmd_uri, NULL, TRUE, N_("print the hypervisor canonical URI")},
    {"version", cmd_version, NULL, TRUE, N_("show version")},
};

static const ShellCmd *
shell_find_cmd(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(shell_cmds); i++) {
        if (strcmp(shell_cmds[i].name, name) == 0)
            return &shell_cmds[i];
    }
    return NULL;
}

gboolean
cmd_help(Shell *sh, ShellArgs *args)
{
    const char *name = shell_opt_str(args, "command");
    const ShellCmd *cmd;

    if (!name) {
        fprintf(sh->out, _(" Commands:\n\n"));
        for (guint i = 0; i < G_N_ELEMENTS(shell_cmds); i++)
            fprintf(sh->out, "    %-20s %s\n", shell_cmds[i].name, _(shell_cmds[i].help));
        fputc('\n', sh->out);
        return TRUE;
    }
    cmd = shell_find_cmd(name);
    if (!cmd) {
        shell_error(sh, _("command or command group '%s' doesn't exist"), name);
        return FALSE;
    }
    fprintf(sh->out, _("  NAME\n    %s - %s\n\n  SYNOPSIS\n    %s"), cmd->name, _(cmd->help),
            cmd->name);
    for (int i = 0; cmd->opts && cmd->opts[i].name; i++) {
        const ShellOpt *o = &cmd->opts[i];

        if (o->type == SHELL_OPT_BOOL)
            fprintf(sh->out, " [--%s]", o->name);
        else if (o->required)
            fprintf(sh->out, " %s<%s>%s", o->positional ? "[--" : "--", o->name,
                    o->positional ? "]" : "");
        else
            fprintf(sh->out, " [--%s <%s>]", o->name, o->name);
    }
    fputs("\n\n", sh->out);
    return TRUE;
}

Shell *
shell_new(FILE *out, FILE *err)
{
    Shell *sh = g_new0(Shell, 1);

    sh->out = out;
    sh->err = err;
    sh->history = g_ptr_array_new_with_free_func(g_free);
    return sh;
}

void
shell_free(Shell *sh)
{
    if (!sh)
        return;
    if (sh->conn)
        qv_connect_close(sh->conn);
    g_free(sh->uri);
    g_ptr_array_unref(sh->history);
    g_free(sh);
}

/* The command named NAME with its options table, or NULL after printing
 * the error. */
static const ShellCmd *
shell_resolve_cmd(Shell *sh, const char *name)
{
    const ShellCmd *cmd = shell_find_cmd(name);
    int nopts = 0;

    if (!cmd) {
        shell_error(sh, _("unknown command: '%s'"), name);
        return NULL;
    }
    if (cmd->run == cmd_list && !cmd->opts) {
        static ShellCmd list_cmd;
        static gsize once;

        if (g_once_init_enter(&once)) {
            list_cmd = *cmd;
            list_cmd.opts = shell_list_opts();
            g_once_init_leave(&once, 1);
        }
        cmd = &list_cmd;
    }
    while (cmd->opts && cmd->opts[nopts].name)
        nopts++;
    g_assert(nopts <= SHELL_MAX_OPTS);
    return cmd;
}

gboolean
shell_args_parse(Shell *sh, int argc, char **argv, ShellArgs *ret_args)
{
    ShellArgs args = {0};

    g_assert(argc >= 1);
    args.cmd = shell_resolve_cmd(sh, argv[0]);
    if (!args.cmd)
        return FALSE;
    args.rest = g_ptr_array_new();
    if (!shell_parse_args(sh, args.cmd, argc, argv, &args)) {
        g_ptr_array_unref(args.rest);
        return FALSE;
    }
    *ret_args = args;
    return TRUE;
}

void
shell_args_clear(ShellArgs *args)
{
    if (args->rest)
        g_ptr_array_unref(args->rest);
    memset(args, 0, sizeof(*args));
}

gboolean
shell_run_argv(Shell *sh, int argc, char **argv)
{
    const ShellCmd *cmd;
    ShellArgs args = {0};
    gboolean ok;

    if (argc < 1)
        return TRUE;
    cmd = shell_resolve_cmd(sh, argv[0]);
    if (!cmd)
        return FALSE;
    args.cmd = cmd;
    args.rest = g_ptr_array_new();
    ok = shell_parse_args(sh, cmd, argc, argv, &args);
    if (ok && cmd->needs_conn)
        ok = shell_connect(sh);
    if (ok) {
        ok = cmd->run(sh, &args);
        /* virsh ends every command it ran with a blank line (not with -q). */
        if (!sh->quiet)
            fputc('\n', sh->out);
    }
    g_ptr_array_unref(args.rest);
    qvirt_error_reset();
    fflush(sh->out);
    return ok;
}

gboolean
shell_run_line(Shell *sh, const char *line)
{
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) gerr = NULL;
    int argc;

    if (!g_shell_parse_argv(line, &argc, &argv, &gerr)) {
        if (g_error_matches(gerr, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
            return TRUE;
        shell_error(sh, "%s", gerr->message);
        return FALSE;
    }
    return shell_run_argv(sh, argc, argv);
}

char **
shell_complete(const char *prefix)
{
    GPtrArray *names = g_ptr_array_new();

    for (guint i = 0; i < G_N_ELEMENTS(shell_cmds); i++) {
        if (g_str_has_prefix(shell_cmds[i].name, prefix))
            g_ptr_array_add(names, g_strdup(shell_cmds[i].name));
    }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

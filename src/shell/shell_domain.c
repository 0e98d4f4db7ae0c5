/* shell_domain.c: the shell's domain commands (see shell.h): list with
 * virsh's table, define, create, the lifecycle commands, autostart and the
 * information commands (dominfo, domstate with reasons, domid, domname,
 * domuuid, dumpxml). */
#include <config.h>

#include <string.h>

#include "shell/shell_priv.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* ---- state names (virsh's words) ---- */

static const char *const shell_state_names[] = {
    N_("no state"),    N_("running"),  N_("idle"),    N_("paused"),
    N_("in shutdown"), N_("shut off"), N_("crashed"), N_("pmsuspended"),
};

static const char *
shell_state_str(int state)
{
    if (state < 0 || state >= (int)G_N_ELEMENTS(shell_state_names))
        return _("no state");
    return _(shell_state_names[state]);
}

static const char *const shell_reason_running[] = {N_("unknown"),
                                                   N_("booted"),
                                                   N_("migrated"),
                                                   N_("restored"),
                                                   N_("from snapshot"),
                                                   N_("unpaused"),
                                                   N_("migration canceled"),
                                                   N_("save canceled"),
                                                   N_("event wakeup"),
                                                   N_("crashed"),
                                                   N_("post-copy"),
                                                   N_("post-copy failed"),
                                                   NULL};
static const char *const shell_reason_paused[] = {N_("unknown"),       N_("user"),
                                                  N_("migrating"),     N_("saving"),
                                                  N_("dumping"),       N_("I/O error"),
                                                  N_("watchdog"),      N_("from snapshot"),
                                                  N_("shutting down"), N_("creating snapshot"),
                                                  N_("crashed"),       N_("starting up"),
                                                  N_("post-copy"),     N_("post-copy failed"),
                                                  N_("api error"),     NULL};
static const char *const shell_reason_shutdown[] = {N_("unknown"), N_("user"), NULL};
static const char *const shell_reason_shutoff[] = {
    N_("unknown"), N_("shutdown"), N_("destroyed"),     N_("crashed"), N_("migrated"),
    N_("saved"),   N_("failed"),   N_("from snapshot"), N_("daemon"),  NULL};
static const char *const shell_reason_crashed[] = {N_("unknown"), N_("panicked"), NULL};
static const char *const shell_reason_other[] = {N_("unknown"), NULL};

static const char *
shell_reason_str(int state, int reason)
{
    const char *const *table;

    switch (state) {
    case 1:
        table = shell_reason_running;
        break;
    case 3:
        table = shell_reason_paused;
        break;
    case 4:
        table = shell_reason_shutdown;
        break;
    case 5:
        table = shell_reason_shutoff;
        break;
    case 6:
        table = shell_reason_crashed;
        break;
    default:
        table = shell_reason_other;
        break;
    }
    for (int i = 0; table[i]; i++) {
        if (i == reason)
            return _(table[i]);
    }
    return _("unknown");
}

/* ---- a table, as virsh prints it ---- */

typedef struct {
    guint ncols;
    GPtrArray *cells; /* row-major, ncols per row, the header first */
} ShellTable;

static void
shell_table_print(Shell *sh, ShellTable *table)
{
    g_autofree gsize *width = g_new0(gsize, table->ncols);
    guint nrows = table->cells->len / table->ncols;
    gsize total = 0;

    guint first = sh->quiet ? 1 : 0; /* -q: no header */

    for (guint i = first * table->ncols; i < table->cells->len; i++) {
        gsize len = g_utf8_strlen(table->cells->pdata[i], -1);

        width[i % table->ncols] = MAX(width[i % table->ncols], len);
    }
    for (guint c = 0; c < table->ncols; c++)
        total += width[c] + 3;
    for (guint r = first; r < nrows; r++) {
        GString *line = g_string_new(NULL);

        for (guint c = 0; c < table->ncols; c++) {
            const char *cell = table->cells->pdata[r * table->ncols + c];

            g_string_append_c(line, ' ');
            g_string_append(line, cell);
            if (c + 1 < table->ncols) {
                for (gsize k = g_utf8_strlen(cell, -1); k < width[c] + 2; k++)
                    g_string_append_c(line, ' ');
            }
        }
        fprintf(sh->out, "%s\n", line->str);
        g_string_free(line, TRUE);
        if (r == 0 && first == 0) {
            for (gsize k = 0; k < total; k++)
                fputc('-', sh->out);
            fputc('\n', sh->out);
        }
    }
    g_ptr_array_unref(table->cells);
}

/* ---- list ---- */

/* libvirt's virConnectListAllDomainsFlags. */
enum {
    LIST_ACTIVE = 1 << 0,
    LIST_INACTIVE = 1 << 1,
    LIST_PERSISTENT = 1 << 2,
    LIST_TRANSIENT = 1 << 3,
    LIST_RUNNING = 1 << 4,
    LIST_PAUSED = 1 << 5,
    LIST_SHUTOFF = 1 << 6,
    LIST_OTHER = 1 << 7,
    LIST_AUTOSTART = 1 << 10,
    LIST_NO_AUTOSTART = 1 << 11,
};

static const ShellOpt opts_list[] = {
    {"all", SHELL_OPT_BOOL, FALSE, FALSE},          {"inactive", SHELL_OPT_BOOL, FALSE, FALSE},
    {"name", SHELL_OPT_BOOL, FALSE, FALSE},         {"uuid", SHELL_OPT_BOOL, FALSE, FALSE},
    {"id", SHELL_OPT_BOOL, FALSE, FALSE},           {"state-running", SHELL_OPT_BOOL, FALSE, FALSE},
    {"state-paused", SHELL_OPT_BOOL, FALSE, FALSE}, {"state-shutoff", SHELL_OPT_BOOL, FALSE, FALSE},
    {"state-other", SHELL_OPT_BOOL, FALSE, FALSE},  {"persistent", SHELL_OPT_BOOL, FALSE, FALSE},
    {"transient", SHELL_OPT_BOOL, FALSE, FALSE},    {"autostart", SHELL_OPT_BOOL, FALSE, FALSE},
};

static const ShellOpt opts_list_more[] = {
    {"no-autostart", SHELL_OPT_BOOL, FALSE, FALSE},
    {"table", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

/* list has more options than one ShellArgs holds in opts_list; the table
 * is their concatenation, built once. */
const ShellOpt *
shell_list_opts(void)
{
    static ShellOpt all[G_N_ELEMENTS(opts_list) + G_N_ELEMENTS(opts_list_more)];
    static gsize once;

    if (g_once_init_enter(&once)) {
        memcpy(all, opts_list, sizeof(opts_list));
        memcpy(all + G_N_ELEMENTS(opts_list), opts_list_more, sizeof(opts_list_more));
        g_once_init_leave(&once, 1);
    }
    return all;
}

static int
shell_domain_cmp(gconstpointer a, gconstpointer b)
{
    QvDomain *da = *(QvDomain *const *)a;
    QvDomain *db = *(QvDomain *const *)b;
    int ia = qv_domain_get_id(da);
    int ib = qv_domain_get_id(db);

    /* Running domains first by id, then the others by name (virsh's order). */
    if (ia >= 0 && ib >= 0)
        return ia - ib;
    if (ia >= 0)
        return -1;
    if (ib >= 0)
        return 1;
    return g_strcmp0(qv_domain_get_name(da), qv_domain_get_name(db));
}

gboolean
cmd_list(Shell *sh, ShellArgs *args)
{
    unsigned int flags = LIST_ACTIVE;
    QvDomain **doms = NULL;
    gboolean only_name = shell_opt_bool(args, "name");
    gboolean only_uuid = shell_opt_bool(args, "uuid");
    gboolean only_id = shell_opt_bool(args, "id");
    gboolean table = shell_opt_bool(args, "table");
    int n;

    if (shell_opt_bool(args, "all"))
        flags = LIST_ACTIVE | LIST_INACTIVE;
    if (shell_opt_bool(args, "inactive"))
        flags = LIST_INACTIVE;
    if (shell_opt_bool(args, "state-running") || shell_opt_bool(args, "state-paused") ||
        shell_opt_bool(args, "state-shutoff") || shell_opt_bool(args, "state-other")) {
        flags &= ~(unsigned int)(LIST_ACTIVE | LIST_INACTIVE);
        flags |= shell_opt_bool(args, "state-running") ? LIST_RUNNING : 0;
        flags |= shell_opt_bool(args, "state-paused") ? LIST_PAUSED : 0;
        flags |= shell_opt_bool(args, "state-shutoff") ? LIST_SHUTOFF : 0;
        flags |= shell_opt_bool(args, "state-other") ? LIST_OTHER : 0;
    }
    flags |= shell_opt_bool(args, "persistent") ? LIST_PERSISTENT : 0;
    flags |= shell_opt_bool(args, "transient") ? LIST_TRANSIENT : 0;
    if (shell_opt_bool(args, "autostart") || shell_opt_bool(args, "no-autostart")) {
        flags |= shell_opt_bool(args, "autostart") ? LIST_AUTOSTART : 0;
        flags |= shell_opt_bool(args, "no-autostart") ? LIST_NO_AUTOSTART : 0;
    }
    if ((only_name || only_uuid || only_id) && table) {
        shell_error(sh, _("Options --table and --name/--uuid/--id are mutually exclusive"));
        return FALSE;
    }

    n = qv_connect_list_all_domains(sh->conn, &doms, flags);
    if (n < 0) {
        shell_error(sh, _("Failed to list domains"));
        shell_report_last(sh);
        return FALSE;
    }
    qsort(doms, n, sizeof(QvDomain *), shell_domain_cmp);

    if (only_name || only_uuid || only_id) {
        for (int i = 0; i < n; i++) {
            GString *line = g_string_new(NULL);
            int id = qv_domain_get_id(doms[i]);

            if (only_id && id < 0) {
                g_string_free(line, TRUE);
                continue;
            }
            if (only_id)
                g_string_append_printf(line, "%d", id);
            if (only_name) {
                if (line->len)
                    g_string_append_c(line, ' ');
                g_string_append_printf(line, "%-20s", qv_domain_get_name(doms[i]));
            }
            if (only_uuid) {
                char uuid[37];
                unsigned char raw[16];

                qv_domain_get_uuid(doms[i], raw);
                shell_uuid_format(raw, uuid);
                if (line->len)
                    g_string_append_c(line, ' ');
                g_string_append(line, uuid);
            }
            g_strchomp(line->str);
            fprintf(sh->out, "%s\n", line->str);
            g_string_free(line, TRUE);
        }
        qv_domain_list_free(doms);
        return TRUE;
    }

    ShellTable t = {.ncols = 3, .cells = g_ptr_array_new_with_free_func(g_free)};
    g_ptr_array_add(t.cells, g_strdup(_("Id")));
    g_ptr_array_add(t.cells, g_strdup(_("Name")));
    g_ptr_array_add(t.cells, g_strdup(_("State")));
    for (int i = 0; i < n; i++) {
        int id = qv_domain_get_id(doms[i]);
        int state;

        if (qv_domain_get_state(doms[i], &state, NULL, 0) < 0) {
            /* Gone since the listing: not an error, as in virsh. */
            qvirt_error_reset();
            continue;
        }
        g_ptr_array_add(t.cells, id >= 0 ? g_strdup_printf("%d", id) : g_strdup("-"));
        g_ptr_array_add(t.cells, g_strdup(qv_domain_get_name(doms[i])));
        g_ptr_array_add(t.cells, g_strdup(shell_state_str(state)));
    }
    shell_table_print(sh, &t);
    qv_domain_list_free(doms);
    return TRUE;
}

/* ---- define, create and lifecycle ---- */

const ShellOpt opts_file[] = {
    {"file", SHELL_OPT_STRING, TRUE, TRUE},
    {"validate", SHELL_OPT_BOOL, FALSE, FALSE},
    {"paused", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_define(Shell *sh, ShellArgs *args)
{
    const char *file = shell_opt_str(args, "file");
    g_autofree char *xml = shell_read_file(sh, file);
    g_autoptr(QvDomain) dom = NULL;

    if (!xml)
        return FALSE;
    dom = qv_domain_define_xml_flags(
        sh->conn, xml, shell_opt_bool(args, "validate") ? QV_DOMAIN_DEFINE_VALIDATE : 0);
    if (!dom) {
        shell_error(sh, _("Failed to define domain from %s"), file);
        shell_report_last(sh);
        return FALSE;
    }
    shell_print_extra(sh, _("Domain '%s' defined from %s\n"), qv_domain_get_name(dom), file);
    return TRUE;
}

gboolean
cmd_create(Shell *sh, ShellArgs *args)
{
    const char *file = shell_opt_str(args, "file");
    g_autofree char *xml = shell_read_file(sh, file);
    g_autoptr(QvDomain) dom = NULL;
    unsigned int flags = 0;

    if (!xml)
        return FALSE;
    if (shell_opt_bool(args, "paused"))
        flags |= QV_DOMAIN_START_PAUSED;
    if (shell_opt_bool(args, "validate"))
        flags |= QV_DOMAIN_START_VALIDATE;
    dom = qv_domain_create_xml(sh->conn, xml, flags);
    if (!dom) {
        shell_error(sh, _("Failed to create domain from %s"), file);
        shell_report_last(sh);
        return FALSE;
    }
    shell_print_extra(sh, _("Domain '%s' created from %s\n"), qv_domain_get_name(dom), file);
    return TRUE;
}

const ShellOpt opts_dom[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_start[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},      {"paused", SHELL_OPT_BOOL, FALSE, FALSE},
    {"autodestroy", SHELL_OPT_BOOL, FALSE, FALSE}, {"bypass-cache", SHELL_OPT_BOOL, FALSE, FALSE},
    {"force-boot", SHELL_OPT_BOOL, FALSE, FALSE},  {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_destroy[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"graceful", SHELL_OPT_BOOL, FALSE, FALSE},
    {"remove-logs", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_undefine[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"managed-save", SHELL_OPT_BOOL, FALSE, FALSE},
    {"snapshots-metadata", SHELL_OPT_BOOL, FALSE, FALSE},
    {"nvram", SHELL_OPT_BOOL, FALSE, FALSE},
    {"keep-nvram", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

const ShellOpt opts_mode[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"mode", SHELL_OPT_STRING, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

typedef enum {
    SHELL_LC_START,
    SHELL_LC_UNDEFINE,
    SHELL_LC_SHUTDOWN,
    SHELL_LC_REBOOT,
    SHELL_LC_RESET,
    SHELL_LC_DESTROY,
    SHELL_LC_SUSPEND,
    SHELL_LC_RESUME,
} ShellLifecycle;

static gboolean
shell_mode_flags(Shell *sh, const char *mode, unsigned int *ret_flags)
{
    static const char *const names[] = {"acpi", "agent", "initctl", "signal", "paravirt"};
    g_auto(GStrv) parts = NULL;
    unsigned int flags = 0;

    if (!mode) {
        *ret_flags = 0;
        return TRUE;
    }
    parts = g_strsplit(mode, ",", -1);
    for (int i = 0; parts[i]; i++) {
        gboolean found = FALSE;

        for (guint j = 0; j < G_N_ELEMENTS(names); j++) {
            if (strcmp(parts[i], names[j]) == 0) {
                flags |= 1U << j;
                found = TRUE;
            }
        }
        if (!found) {
            shell_error(sh,
                        _("Unknown mode %s value, expecting 'acpi', 'agent', 'initctl', "
                          "'signal' or 'paravirt'"),
                        parts[i]);
            return FALSE;
        }
    }
    *ret_flags = flags;
    return TRUE;
}

static gboolean
shell_lifecycle(Shell *sh, ShellArgs *args, ShellLifecycle op)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    unsigned int flags = 0;
    const char *name;
    int rc = -1;

    if (!dom)
        return FALSE;
    name = qv_domain_get_name(dom);
    switch (op) {
    case SHELL_LC_START:
        if (qv_domain_get_id(dom) >= 0 && qv_domain_is_active(dom) == 1) {
            shell_error(sh, _("Domain is already active"));
            return FALSE;
        }
        if (shell_opt_bool(args, "paused"))
            flags |= QV_DOMAIN_START_PAUSED;
        if (shell_opt_bool(args, "autodestroy"))
            flags |= QV_DOMAIN_START_AUTODESTROY;
        if (shell_opt_bool(args, "bypass-cache"))
            flags |= QV_DOMAIN_START_BYPASS_CACHE;
        if (shell_opt_bool(args, "force-boot"))
            flags |= QV_DOMAIN_START_FORCE_BOOT;
        rc = qv_domain_create_with_flags(dom, flags);
        if (rc < 0)
            shell_error(sh, _("Failed to start domain '%s'"), name);
        else
            shell_print_extra(sh, _("Domain '%s' started\n"), name);
        break;
    case SHELL_LC_UNDEFINE:
        if (shell_opt_bool(args, "managed-save"))
            flags |= QV_DOMAIN_UNDEFINE_MANAGED_SAVE;
        if (shell_opt_bool(args, "snapshots-metadata"))
            flags |= QV_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
        if (shell_opt_bool(args, "nvram"))
            flags |= QV_DOMAIN_UNDEFINE_NVRAM;
        if (shell_opt_bool(args, "keep-nvram"))
            flags |= QV_DOMAIN_UNDEFINE_KEEP_NVRAM;
        rc = qv_domain_undefine_flags(dom, flags);
        if (rc < 0)
            shell_error(sh, _("Failed to undefine domain '%s'"), name);
        else
            shell_print_extra(sh, _("Domain '%s' has been undefined\n"), name);
        break;
    case SHELL_LC_SHUTDOWN:
    case SHELL_LC_REBOOT:
        if (!shell_mode_flags(sh, shell_opt_str(args, "mode"), &flags))
            return FALSE;
        if (op == SHELL_LC_SHUTDOWN) {
            rc = qv_domain_shutdown_flags(dom, flags);
            if (rc < 0)
                shell_error(sh, _("Failed to shutdown domain '%s'"), name);
            else
                shell_print_extra(sh, _("Domain '%s' is being shutdown\n"), name);
        } else {
            rc = qv_domain_reboot(dom, flags);
            if (rc < 0)
                shell_error(sh, _("Failed to reboot domain '%s'"), name);
            else
                shell_print_extra(sh, _("Domain '%s' is being rebooted\n"), name);
        }
        break;
    case SHELL_LC_RESET:
        rc = qv_domain_reset(dom, 0);
        if (rc < 0)
            shell_error(sh, _("Failed to reset domain '%s'"), name);
        else
            shell_print_extra(sh, _("Domain '%s' was reset\n"), name);
        break;
    case SHELL_LC_DESTROY:
        if (shell_opt_bool(args, "graceful"))
            flags |= QV_DOMAIN_DESTROY_GRACEFUL;
        if (shell_opt_bool(args, "remove-logs"))
            flags |= QV_DOMAIN_DESTROY_REMOVE_LOGS;
        rc = qv_domain_destroy_flags(dom, flags);
        if (rc < 0)
            shell_error(sh, _("Failed to destroy domain '%s'"), name);
        else
            shell_print_extra(sh, _("Domain '%s' destroyed\n"), name);
        break;
    case SHELL_LC_SUSPEND:
        rc = qv_domain_suspend(dom);
        if (rc < 0)
            shell_error(sh, _("Failed to suspend domain '%s'"), name);
        else
            shell_print_extra(sh, _("Domain '%s' suspended\n"), name);
        break;
    case SHELL_LC_RESUME:
        rc = qv_domain_resume(dom);
        if (rc < 0)
            shell_error(sh, _("Failed to resume domain '%s'"), name);
        else
            shell_print_extra(sh, _("Domain '%s' resumed\n"), name);
        break;
    }
    if (rc < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    return TRUE;
}

gboolean
cmd_start(Shell *sh, ShellArgs *args)
{
    return shell_lifecycle(sh, args, SHELL_LC_START);
}

gboolean
cmd_undefine(Shell *sh, ShellArgs *args)
{
    return shell_lifecycle(sh, args, SHELL_LC_UNDEFINE);
}

gboolean
cmd_shutdown(Shell *sh, ShellArgs *args)
{
    return shell_lifecycle(sh, args, SHELL_LC_SHUTDOWN);
}

gboolean
cmd_reboot(Shell *sh, ShellArgs *args)
{
    return shell_lifecycle(sh, args, SHELL_LC_REBOOT);
}

gboolean
cmd_reset(Shell *sh, ShellArgs *args)
{
    return shell_lifecycle(sh, args, SHELL_LC_RESET);
}

gboolean
cmd_destroy(Shell *sh, ShellArgs *args)
{
    return shell_lifecycle(sh, args, SHELL_LC_DESTROY);
}

gboolean
cmd_suspend(Shell *sh, ShellArgs *args)
{
    return shell_lifecycle(sh, args, SHELL_LC_SUSPEND);
}

gboolean
cmd_resume(Shell *sh, ShellArgs *args)
{
    return shell_lifecycle(sh, args, SHELL_LC_RESUME);
}

const ShellOpt opts_autostart[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"disable", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_autostart(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    gboolean disable = shell_opt_bool(args, "disable");
    const char *name;

    if (!dom)
        return FALSE;
    name = qv_domain_get_name(dom);
    if (qv_domain_set_autostart(dom, !disable) < 0) {
        if (disable)
            shell_error(sh, _("Failed to unmark domain '%s' as autostarted"), name);
        else
            shell_error(sh, _("Failed to mark domain '%s' as autostarted"), name);
        shell_report_last(sh);
        return FALSE;
    }
    if (disable)
        shell_print_extra(sh, _("Domain '%s' unmarked as autostarted\n"), name);
    else
        shell_print_extra(sh, _("Domain '%s' marked as autostarted\n"), name);
    return TRUE;
}

/* ---- information ---- */

/* The text of the first <type> inside <os> of XML, or NULL. */
static char *
shell_xml_os_type(const char *xml)
{
    const char *os = xml ? strstr(xml, "<os") : NULL;
    const char *type = os ? strstr(os, "<type") : NULL;
    const char *start = type ? strchr(type, '>') : NULL;
    const char *end = start ? strchr(start, '<') : NULL;

    if (!end || start[-1] == '/')
        return NULL;
    return g_strndup(start + 1, end - start - 1);
}

static void shell_kv(Shell *sh, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
shell_kv(Shell *sh, const char *key, const char *fmt, ...)
{
    g_autofree char *label = g_strdup_printf("%s:", key);
    g_autofree char *value = NULL;
    va_list ap;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(sh->out, "%-15s %s\n", label, value);
}

gboolean
cmd_dominfo(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    g_autofree char *xml = NULL;
    g_autofree char *ostype = NULL;
    QvDomainInfo info;
    unsigned char raw[16];
    char uuid[37];
    int persistent;
    int autostart;
    int managed;

    if (!dom)
        return FALSE;
    if (qv_domain_get_info(dom, &info) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    if (info.state == 1 || info.state == 2 || info.state == 3 || info.state == 4 || info.state == 7)
        shell_kv(sh, _("Id"), "%d", qv_domain_get_id(dom));
    else
        shell_kv(sh, _("Id"), "-");
    shell_kv(sh, _("Name"), "%s", qv_domain_get_name(dom));
    qv_domain_get_uuid(dom, raw);
    shell_uuid_format(raw, uuid);
    shell_kv(sh, _("UUID"), "%s", uuid);
    xml = qv_domain_get_xml_desc(dom, 0);
    qvirt_error_reset();
    ostype = shell_xml_os_type(xml);
    if (ostype)
        shell_kv(sh, _("OS Type"), "%s", ostype);
    shell_kv(sh, _("State"), "%s", shell_state_str(info.state));
    shell_kv(sh, _("CPU(s)"), "%u", info.nr_virt_cpu);
    if (info.cpu_time_ns != 0)
        shell_kv(sh, _("CPU time"), "%.1lfs", (double)info.cpu_time_ns / 1e9);
    if (info.max_mem_kib != G_MAXULONG)
        shell_kv(sh, _("Max memory"), _("%llu KiB"), info.max_mem_kib);
    else
        shell_kv(sh, _("Max memory"), _("no limit"));
    shell_kv(sh, _("Used memory"), _("%llu KiB"), info.memory_kib);
    persistent = qv_domain_is_persistent(dom);
    if (persistent < 0)
        shell_kv(sh, _("Persistent"), _("unknown"));
    else
        shell_kv(sh, _("Persistent"), "%s", persistent ? _("yes") : _("no"));
    if (qv_domain_get_autostart(dom, &autostart) == 0)
        shell_kv(sh, _("Autostart"), "%s", autostart ? _("enable") : _("disable"));
    /* As virsh: only when the driver can tell. */
    managed = qv_domain_has_managed_save_image(dom, 0);
    if (managed >= 0)
        shell_kv(sh, _("Managed save"), "%s", managed ? _("yes") : _("no"));
    qvirt_error_reset();
    return TRUE;
}

const ShellOpt opts_domstate[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"reason", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_domstate(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    int state;
    int reason;

    if (!dom)
        return FALSE;
    if (qv_domain_get_state(dom, &state, &reason, 0) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    if (shell_opt_bool(args, "reason"))
        fprintf(sh->out, "%s (%s)\n", shell_state_str(state), shell_reason_str(state, reason));
    else
        fprintf(sh->out, "%s\n", shell_state_str(state));
    return TRUE;
}

gboolean
cmd_domid(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    int id;

    if (!dom)
        return FALSE;
    id = qv_domain_get_id(dom);
    if (id < 0)
        fprintf(sh->out, "-\n");
    else
        fprintf(sh->out, "%d\n", id);
    return TRUE;
}

gboolean
cmd_domname(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);

    if (!dom)
        return FALSE;
    fprintf(sh->out, "%s\n", qv_domain_get_name(dom));
    return TRUE;
}

gboolean
cmd_domuuid(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    unsigned char raw[16];
    char uuid[37];

    if (!dom)
        return FALSE;
    qv_domain_get_uuid(dom, raw);
    shell_uuid_format(raw, uuid);
    fprintf(sh->out, "%s\n", uuid);
    return TRUE;
}

const ShellOpt opts_dumpxml[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},        {"inactive", SHELL_OPT_BOOL, FALSE, FALSE},
    {"security-info", SHELL_OPT_BOOL, FALSE, FALSE}, {"update-cpu", SHELL_OPT_BOOL, FALSE, FALSE},
    {"migratable", SHELL_OPT_BOOL, FALSE, FALSE},    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_dumpxml(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    g_autofree char *xml = NULL;
    unsigned int flags = 0;

    if (!dom)
        return FALSE;
    if (shell_opt_bool(args, "inactive"))
        flags |= QV_DOMAIN_XML_INACTIVE;
    if (shell_opt_bool(args, "security-info"))
        flags |= QV_DOMAIN_XML_SECURE;
    if (shell_opt_bool(args, "update-cpu"))
        flags |= QV_DOMAIN_XML_UPDATE_CPU;
    if (shell_opt_bool(args, "migratable"))
        flags |= QV_DOMAIN_XML_MIGRATABLE;
    xml = qv_domain_get_xml_desc(dom, flags);
    if (!xml) {
        shell_report_last(sh);
        return FALSE;
    }
    fprintf(sh->out, "%s", xml);
    if (!g_str_has_suffix(xml, "\n"))
        fputc('\n', sh->out);
    return TRUE;
}

/* shell_job.c: the shell's job and monitor commands (see shell.h):
 * domjobinfo in virsh's layout, domjobabort, qemu-monitor-command (with
 * --hmp and --pretty) and domxml-to-native. */
#include <config.h>

#include <string.h>
#include <json-c/json.h>

#include "shell/shell_priv.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* ---- jobs and the monitor ---- */

static const char *
shell_job_type_str(int type)
{
    static const char *const names[] = {N_("None"),      N_("Bounded"), N_("Unbounded"),
                                        N_("Completed"), N_("Failed"),  N_("Cancelled")};

    if (type < 0 || type >= (int)G_N_ELEMENTS(names))
        return _("Unknown");
    return _(names[type]);
}

/* virsh's human sizes: the value scaled to the largest unit that keeps it >= 1. */
static void
shell_job_size(Shell *sh, const char *label, unsigned long long bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    guint u = 0;

    while (v >= 1024 && u + 1 < G_N_ELEMENTS(units)) {
        v /= 1024;
        u++;
    }
    fprintf(sh->out, "%-17s %-.3lf %s\n", label, v, units[u]);
}

const ShellOpt opts_domjobinfo[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"completed", SHELL_OPT_BOOL, FALSE, FALSE},
    {"keep-completed", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_domjobinfo(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);
    QvTypedParam *params = NULL;
    int nparams = 0;
    int type;
    unsigned int flags = 0;
    unsigned long long v;
    const char *op = NULL;

    if (!dom)
        return FALSE;
    if (shell_opt_bool(args, "completed"))
        flags |= QV_DOMAIN_JOB_STATS_COMPLETED;
    if (shell_opt_bool(args, "keep-completed"))
        flags |= QV_DOMAIN_JOB_STATS_KEEP_COMPLETED;
    if (qv_domain_get_job_stats(dom, &type, &params, &nparams, flags) < 0) {
        QvDomainJobInfo info;

        if (flags || qvirt_error_last_code() != QVIRT_ERR_NO_SUPPORT ||
            qv_domain_get_job_info(dom, &info) < 0) {
            shell_report_last(sh);
            return FALSE;
        }
        type = info.type;
        qv_typed_params_add_ullong(&params, &nparams, &(int){nparams}, "time_elapsed",
                                   info.time_elapsed_ms);
    }
    fprintf(sh->out, "%-17s %-12s\n", _("Job type:"), shell_job_type_str(type));
    if (type == QV_DOMAIN_JOB_NONE) {
        qv_typed_params_free(params, nparams);
        return TRUE;
    }
    if (qv_typed_params_get_string(params, nparams, "operation", &op) == 1)
        fprintf(sh->out, "%-17s %-12s\n", _("Operation:"), op);
    else {
        int iop;

        if (qv_typed_params_get_int(params, nparams, "operation", &iop) == 1) {
            static const char *const ops[] = {N_("Unknown"),
                                              N_("Start"),
                                              N_("Save"),
                                              N_("Restore"),
                                              N_("Incoming migration"),
                                              N_("Outgoing migration"),
                                              N_("Snapshot"),
                                              N_("Snapshot revert"),
                                              N_("Dump"),
                                              N_("Backup"),
                                              N_("Snapshot delete")};
            fprintf(sh->out, "%-17s %-12s\n", _("Operation:"),
                    iop >= 0 && iop < (int)G_N_ELEMENTS(ops) ? _(ops[iop]) : _("Unknown"));
        }
    }
    qvirt_error_reset();
    if (qv_typed_params_get_ullong(params, nparams, "time_elapsed", &v) == 1)
        fprintf(sh->out, "%-17s %-12llu ms\n", _("Time elapsed:"), v);
    if (qv_typed_params_get_ullong(params, nparams, "time_remaining", &v) == 1)
        fprintf(sh->out, "%-17s %-12llu ms\n", _("Time remaining:"), v);
    if (qv_typed_params_get_ullong(params, nparams, "data_processed", &v) == 1)
        shell_job_size(sh, _("Data processed:"), v);
    if (qv_typed_params_get_ullong(params, nparams, "data_remaining", &v) == 1)
        shell_job_size(sh, _("Data remaining:"), v);
    if (qv_typed_params_get_ullong(params, nparams, "data_total", &v) == 1)
        shell_job_size(sh, _("Data total:"), v);
    if (qv_typed_params_get_ullong(params, nparams, "memory_processed", &v) == 1)
        shell_job_size(sh, _("Memory processed:"), v);
    if (qv_typed_params_get_ullong(params, nparams, "memory_remaining", &v) == 1)
        shell_job_size(sh, _("Memory remaining:"), v);
    if (qv_typed_params_get_ullong(params, nparams, "memory_total", &v) == 1)
        shell_job_size(sh, _("Memory total:"), v);
    if (qv_typed_params_get_ullong(params, nparams, "memory_bps", &v) == 1)
        fprintf(sh->out, "%-17s %-.3lf MiB/s\n", _("Memory bandwidth:"),
                (double)v / (1024.0 * 1024.0));
    if (qv_typed_params_get_ullong(params, nparams, "downtime", &v) == 1)
        fprintf(sh->out, "%-17s %-12llu ms\n", _("Total downtime:"), v);
    {
        const char *errmsg = NULL;

        if (qv_typed_params_get_string(params, nparams, "errmsg", &errmsg) == 1)
            fprintf(sh->out, "%-17s %s\n", _("Error message:"), errmsg);
    }
    qvirt_error_reset();
    qv_typed_params_free(params, nparams);
    return TRUE;
}

const ShellOpt opts_domjobabort[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"postcopy", SHELL_OPT_BOOL, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_domjobabort(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = shell_args_domain(sh, args);

    if (!dom)
        return FALSE;
    if (qv_domain_abort_job_flags(
            dom, shell_opt_bool(args, "postcopy") ? QV_DOMAIN_ABORT_JOB_POSTCOPY : 0) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    return TRUE;
}

const ShellOpt opts_monitor[] = {
    {"domain", SHELL_OPT_STRING, TRUE, TRUE},
    {"hmp", SHELL_OPT_BOOL, FALSE, FALSE},
    {"pretty", SHELL_OPT_BOOL, FALSE, FALSE},
    {"cmd", SHELL_OPT_ARGV, TRUE, TRUE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_qemu_monitor_command(Shell *sh, ShellArgs *args)
{
    g_autoptr(QvDomain) dom = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *result = NULL;
    gboolean hmp = shell_opt_bool(args, "hmp");
    gboolean pretty = shell_opt_bool(args, "pretty");

    if (hmp && pretty) {
        shell_error(sh, _("Options --hmp and --pretty are mutually exclusive"));
        return FALSE;
    }
    dom = shell_args_domain(sh, args);
    if (!dom)
        return FALSE;
    g_ptr_array_add(args->rest, NULL);
    cmd = g_strjoinv(" ", (char **)args->rest->pdata);
    g_ptr_array_remove_index(args->rest, args->rest->len - 1);
    if (qv_domain_qemu_monitor_command(dom, cmd, &result,
                                       hmp ? QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP : 0) < 0) {
        shell_report_last(sh);
        return FALSE;
    }
    if (pretty) {
        json_object *obj = json_tokener_parse(result);

        if (obj) {
            fprintf(sh->out, "%s\n",
                    json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
                                                            JSON_C_TO_STRING_SPACED));
            json_object_put(obj);
            return TRUE;
        }
    }
    /* As virsh: the reply and a newline, whatever the reply ends with. */
    fprintf(sh->out, "%s\n", result);
    return TRUE;
}

const ShellOpt opts_xml_to_native[] = {
    {"format", SHELL_OPT_STRING, TRUE, TRUE},
    {"xml", SHELL_OPT_STRING, FALSE, TRUE},
    {"domain", SHELL_OPT_STRING, FALSE, FALSE},
    {NULL, 0, FALSE, FALSE},
};

gboolean
cmd_domxml_to_native(Shell *sh, ShellArgs *args)
{
    const char *file = shell_opt_str(args, "xml");
    const char *domname = shell_opt_str(args, "domain");
    g_autofree char *xml = NULL;
    g_autofree char *native = NULL;

    if ((file && domname) || (!file && !domname)) {
        shell_error(sh, _("Exactly one of --xml and --domain is required"));
        return FALSE;
    }
    if (domname) {
        g_autoptr(QvDomain) dom = shell_lookup_domain(sh, domname);

        if (!dom)
            return FALSE;
        xml = qv_domain_get_xml_desc(dom, 0);
        if (!xml) {
            shell_report_last(sh);
            return FALSE;
        }
    } else {
        xml = shell_read_file(sh, file);
        if (!xml)
            return FALSE;
    }
    native = qv_connect_domain_xml_to_native(sh->conn, shell_opt_str(args, "format"), xml, 0);
    if (!native) {
        shell_report_last(sh);
        return FALSE;
    }
    fprintf(sh->out, "%s", native);
    if (!g_str_has_suffix(native, "\n"))
        fputc('\n', sh->out);
    return TRUE;
}

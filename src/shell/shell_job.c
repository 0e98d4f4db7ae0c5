/* shell_job.c: the shell's job and monitor commands (see shell.h):
 * domjobinfo in virsh's layout (with the migration figures: data, memory,
 * dirty rate, iteration, downtime, setup time), domjobabort, qemu-monitor-command (with
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

/* The ullong FIELD of PARAMS into *RET_VALUE; FALSE when absent. */
static gboolean
shell_job_ull(const QvTypedParam *params, int nparams, const char *field,
              unsigned long long *ret_value)
{
    return qv_typed_params_get_ullong(params, nparams, field, ret_value) == 1;
}

/* A rate in virsh's human units ("12.500 MiB/s"). */
static void
shell_job_rate(Shell *sh, const char *label, unsigned long long bytes_per_s)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes_per_s;
    guint u = 0;

    while (v >= 1024 && u + 1 < G_N_ELEMENTS(units)) {
        v /= 1024;
        u++;
    }
    fprintf(sh->out, "%-17s %-.3lf %s/s\n", label, v, units[u]);
}

/* The figures of a job after its type and operation, in virsh's order and
 * layout: each group (data, memory, file) only when one of its totals is
 * not 0, the other fields when the statistics have them. */
void
shell_job_print_figures(Shell *sh, int type, const QvTypedParam *params, int nparams)
{
    unsigned long long v;
    unsigned long long total = 0;
    unsigned long long processed = 0;
    unsigned long long remaining = 0;
    const char *errmsg = NULL;
    int iv;

    if (shell_job_ull(params, nparams, "time_elapsed", &v))
        fprintf(sh->out, "%-17s %-12llu ms\n", _("Time elapsed:"), v);
    if (shell_job_ull(params, nparams, "time_elapsed_net", &v))
        fprintf(sh->out, "%-17s %-12llu ms\n", _("Time elapsed w/o network:"), v);
    if (type == QV_DOMAIN_JOB_BOUNDED && shell_job_ull(params, nparams, "time_remaining", &v))
        fprintf(sh->out, "%-17s %-12llu ms\n", _("Time remaining:"), v);

    shell_job_ull(params, nparams, "data_total", &total);
    shell_job_ull(params, nparams, "data_processed", &processed);
    shell_job_ull(params, nparams, "data_remaining", &remaining);
    if (total || processed || remaining) {
        shell_job_size(sh, _("Data processed:"), processed);
        shell_job_size(sh, _("Data remaining:"), remaining);
        shell_job_size(sh, _("Data total:"), total);
    }

    total = processed = remaining = 0;
    shell_job_ull(params, nparams, "memory_total", &total);
    shell_job_ull(params, nparams, "memory_processed", &processed);
    shell_job_ull(params, nparams, "memory_remaining", &remaining);
    if (total || processed || remaining) {
        shell_job_size(sh, _("Memory processed:"), processed);
        shell_job_size(sh, _("Memory remaining:"), remaining);
        shell_job_size(sh, _("Memory total:"), total);
        if (shell_job_ull(params, nparams, "memory_bps", &v) && v)
            shell_job_rate(sh, _("Memory bandwidth:"), v);
        if (shell_job_ull(params, nparams, "memory_dirty_rate", &v))
            fprintf(sh->out, "%-17s %-12llu pages/s\n", _("Dirty rate:"), v);
        if (shell_job_ull(params, nparams, "memory_page_size", &v))
            fprintf(sh->out, "%-17s %-12llu bytes\n", _("Page size:"), v);
        if (shell_job_ull(params, nparams, "memory_iteration", &v))
            fprintf(sh->out, "%-17s %-12llu\n", _("Iteration:"), v);
        if (shell_job_ull(params, nparams, "memory_postcopy_requests", &v))
            fprintf(sh->out, "%-17s %-12llu\n", _("Postcopy requests:"), v);
    }

    total = processed = remaining = 0;
    shell_job_ull(params, nparams, "disk_total", &total);
    shell_job_ull(params, nparams, "disk_processed", &processed);
    shell_job_ull(params, nparams, "disk_remaining", &remaining);
    if (total || processed || remaining) {
        shell_job_size(sh, _("File processed:"), processed);
        shell_job_size(sh, _("File remaining:"), remaining);
        shell_job_size(sh, _("File total:"), total);
        if (shell_job_ull(params, nparams, "disk_bps", &v) && v)
            shell_job_rate(sh, _("File bandwidth:"), v);
    }

    if (shell_job_ull(params, nparams, "memory_constant", &v))
        fprintf(sh->out, "%-17s %-12llu\n", _("Constant pages:"), v);
    if (shell_job_ull(params, nparams, "memory_normal", &v))
        fprintf(sh->out, "%-17s %-12llu\n", _("Normal pages:"), v);
    if (shell_job_ull(params, nparams, "memory_normal_bytes", &v))
        shell_job_size(sh, _("Normal data:"), v);
    if (shell_job_ull(params, nparams, "downtime", &v)) {
        fprintf(sh->out, "%-17s %-12llu ms\n",
                type == QV_DOMAIN_JOB_COMPLETED ? _("Total downtime:") : _("Expected downtime:"),
                v);
    }
    if (shell_job_ull(params, nparams, "downtime_net", &v))
        fprintf(sh->out, "%-17s %-12llu ms\n", _("Downtime w/o network:"), v);
    if (shell_job_ull(params, nparams, "setup_time", &v))
        fprintf(sh->out, "%-17s %-12llu ms\n", _("Setup time:"), v);
    if (shell_job_ull(params, nparams, "compression_cache", &v))
        shell_job_size(sh, _("Compression cache:"), v);
    if (shell_job_ull(params, nparams, "compression_bytes", &v))
        shell_job_size(sh, _("Compressed data:"), v);
    if (shell_job_ull(params, nparams, "compression_pages", &v))
        fprintf(sh->out, "%-17s %-13llu\n", _("Compressed pages:"), v);
    if (shell_job_ull(params, nparams, "compression_cache_misses", &v))
        fprintf(sh->out, "%-17s %-13llu\n", _("Compression cache misses:"), v);
    if (shell_job_ull(params, nparams, "compression_overflow", &v))
        fprintf(sh->out, "%-17s %-13llu\n", _("Compression overflows:"), v);
    if (qv_typed_params_get_int(params, nparams, "auto_converge_throttle", &iv) == 1)
        fprintf(sh->out, "%-17s %-13d %%\n", _("Auto converge throttle:"), iv);
    if (shell_job_ull(params, nparams, "disk_temp_used", &v))
        shell_job_size(sh, _("Temporary disk space use:"), v);
    if (shell_job_ull(params, nparams, "disk_temp_total", &v))
        shell_job_size(sh, _("Temporary disk space total:"), v);
    if (qv_typed_params_get_string(params, nparams, "errmsg", &errmsg) == 1)
        fprintf(sh->out, "%-17s %s\n", _("Error message:"), errmsg);
    /* A field of an unexpected type is left out, not an error. */
    qvirt_error_reset();
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
    const char *op = NULL;

    if (!dom)
        return FALSE;
    if (shell_opt_bool(args, "completed"))
        flags |= QV_DOMAIN_JOB_STATS_COMPLETED;
    if (shell_opt_bool(args, "keep-completed"))
        flags |= QV_DOMAIN_JOB_STATS_KEEP_COMPLETED;
    if (qv_domain_get_job_stats(dom, &type, &params, &nparams, flags) < 0) {
        QvDomainJobInfo info;
        int maxparams = 0;

        if (flags || qvirt_error_last_code() != QVIRT_ERR_NO_SUPPORT ||
            qv_domain_get_job_info(dom, &info) < 0) {
            shell_report_last(sh);
            return FALSE;
        }
        /* The same figures from the older call, under the names of the
         * statistics. */
        type = info.type;
        params = NULL;
        nparams = 0;
#define ADD_INFO(field, value)                                                                     \
    qv_typed_params_add_ullong(&params, &nparams, &maxparams, field, value)
        ADD_INFO("time_elapsed", info.time_elapsed_ms);
        ADD_INFO("time_remaining", info.time_remaining_ms);
        ADD_INFO("data_total", info.data_total);
        ADD_INFO("data_processed", info.data_processed);
        ADD_INFO("data_remaining", info.data_remaining);
        ADD_INFO("memory_total", info.mem_total);
        ADD_INFO("memory_processed", info.mem_processed);
        ADD_INFO("memory_remaining", info.mem_remaining);
        ADD_INFO("disk_total", info.file_total);
        ADD_INFO("disk_processed", info.file_processed);
        ADD_INFO("disk_remaining", info.file_remaining);
#undef ADD_INFO
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
    shell_job_print_figures(sh, type, params, nparams);
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

/* shell_priv.h: what the shell's command files share: option tables, parsed
 * arguments, error printing and domain lookup. Not for other layers. */
#pragma once

#include "shell/shell.h"

typedef enum {
    SHELL_OPT_BOOL,
    SHELL_OPT_STRING,
    SHELL_OPT_ARGV, /* positional; takes every remaining word */
} ShellOptType;

typedef struct {
    const char *name;
    ShellOptType type;
    gboolean required;
    gboolean positional; /* may be given without its --name */
} ShellOpt;

#define SHELL_MAX_OPTS 64 /* migrate has the most */

typedef struct _ShellCmd ShellCmd;

typedef struct {
    const ShellCmd *cmd;
    gboolean set[SHELL_MAX_OPTS];
    const char *value[SHELL_MAX_OPTS];
    GPtrArray *rest; /* words of the ARGV option */
} ShellArgs;

struct _ShellCmd {
    const char *name;
    gboolean (*run)(Shell *sh, ShellArgs *args);
    const ShellOpt *opts;
    gboolean needs_conn;
    const char *help;
};

gboolean shell_opt_bool(const ShellArgs *args, const char *name);
const char *shell_opt_str(const ShellArgs *args, const char *name);
/* Print "error: " and the formatted message to the shell's error stream. */
void shell_error(Shell *sh, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* FALSE after printing virsh's "Options --A and --B are mutually exclusive"
 * error when both options A and B are set; TRUE otherwise. */
gboolean shell_opts_exclusive(Shell *sh, const ShellArgs *args, const char *a, const char *b);
/* Print an informational message (virsh's "Domain 'x' started"): not with -q. */
void shell_print_extra(Shell *sh, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Print the thread's last error with virsh's prefix for its code, and reset it. */
void shell_report_last(Shell *sh);
/* Open the connection unless open; prints the errors. */
gboolean shell_connect(Shell *sh);
/* Look NAME up as virsh does (id, UUID, name); prints the errors. */
QvDomain *shell_lookup_domain(Shell *sh, const char *name);
/* The domain of the "domain" option. */
QvDomain *shell_args_domain(Shell *sh, const ShellArgs *args);
/* BUF holds 37 bytes. */
void shell_uuid_format(const unsigned char *uuid, char *buf);
char *shell_read_file(Shell *sh, const char *path);
/* Parse ARGV (ARGV[0] names the command) into RET_ARGS as shell_run_argv()
 * does, without connecting or running it: for tests of a command's options.
 * FALSE after printing the errors. RET_ARGS borrows ARGV's words; release it
 * with shell_args_clear(). */
gboolean shell_args_parse(Shell *sh, int argc, char **argv, ShellArgs *ret_args);
void shell_args_clear(ShellArgs *args);
/* domjobinfo's lines after "Job type:" and "Operation:" (shell_job.c): the
 * figures of a job of TYPE (QvDomainJobType) from its statistics, in virsh's
 * order and layout. */
void shell_job_print_figures(Shell *sh, int type, const QvTypedParam *params, int nparams);
/* The options of list (more than one static table holds). */
const ShellOpt *shell_list_opts(void);

/* The commands and their options (the table is in shell.c). */
extern const ShellOpt opts_autostart[];
extern const ShellOpt opts_connect[];
extern const ShellOpt opts_destroy[];
extern const ShellOpt opts_dom[];
extern const ShellOpt opts_domjobabort[];
extern const ShellOpt opts_domjobinfo[];
extern const ShellOpt opts_domstate[];
extern const ShellOpt opts_dumpxml[];
extern const ShellOpt opts_event[];
extern const ShellOpt opts_file[];
extern const ShellOpt opts_help[];
extern const ShellOpt opts_migrate[];
extern const ShellOpt opts_migrate_setmaxdowntime[];
extern const ShellOpt opts_migrate_setspeed[];
extern const ShellOpt opts_migrate_speed[];
extern const ShellOpt opts_mode[];
extern const ShellOpt opts_monitor[];
extern const ShellOpt opts_start[];
extern const ShellOpt opts_undefine[];
extern const ShellOpt opts_xml_to_native[];
gboolean cmd_autostart(Shell *sh, ShellArgs *args);
gboolean cmd_capabilities(Shell *sh, ShellArgs *args);
gboolean cmd_connect(Shell *sh, ShellArgs *args);
gboolean cmd_create(Shell *sh, ShellArgs *args);
gboolean cmd_define(Shell *sh, ShellArgs *args);
gboolean cmd_destroy(Shell *sh, ShellArgs *args);
gboolean cmd_domid(Shell *sh, ShellArgs *args);
gboolean cmd_dominfo(Shell *sh, ShellArgs *args);
gboolean cmd_domjobabort(Shell *sh, ShellArgs *args);
gboolean cmd_domjobinfo(Shell *sh, ShellArgs *args);
gboolean cmd_domname(Shell *sh, ShellArgs *args);
gboolean cmd_domstate(Shell *sh, ShellArgs *args);
gboolean cmd_domuuid(Shell *sh, ShellArgs *args);
gboolean cmd_domxml_to_native(Shell *sh, ShellArgs *args);
gboolean cmd_dumpxml(Shell *sh, ShellArgs *args);
gboolean cmd_event(Shell *sh, ShellArgs *args);
gboolean cmd_help(Shell *sh, ShellArgs *args);
gboolean cmd_history(Shell *sh, ShellArgs *args);
gboolean cmd_hostname(Shell *sh, ShellArgs *args);
gboolean cmd_list(Shell *sh, ShellArgs *args);
gboolean cmd_migrate(Shell *sh, ShellArgs *args);
gboolean cmd_migrate_getmaxdowntime(Shell *sh, ShellArgs *args);
gboolean cmd_migrate_getspeed(Shell *sh, ShellArgs *args);
gboolean cmd_migrate_postcopy(Shell *sh, ShellArgs *args);
gboolean cmd_migrate_setmaxdowntime(Shell *sh, ShellArgs *args);
gboolean cmd_migrate_setspeed(Shell *sh, ShellArgs *args);
gboolean cmd_qemu_monitor_command(Shell *sh, ShellArgs *args);
gboolean cmd_quit(Shell *sh, ShellArgs *args);
gboolean cmd_reboot(Shell *sh, ShellArgs *args);
gboolean cmd_reset(Shell *sh, ShellArgs *args);
gboolean cmd_resume(Shell *sh, ShellArgs *args);
gboolean cmd_shutdown(Shell *sh, ShellArgs *args);
gboolean cmd_start(Shell *sh, ShellArgs *args);
gboolean cmd_suspend(Shell *sh, ShellArgs *args);
gboolean cmd_undefine(Shell *sh, ShellArgs *args);
gboolean cmd_uri(Shell *sh, ShellArgs *args);
gboolean cmd_version(Shell *sh, ShellArgs *args);

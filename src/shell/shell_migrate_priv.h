/* shell_migrate_priv.h: the pieces of the shell's migrate command that
 * tests/shell/test-shell-migrate checks without a daemon: the request built
 * from the parsed options (flags and typed parameters, after the checks of
 * option combinations), virsh's progress percentage and the decisions the
 * progress watch takes at each poll. Not for other layers.
 *
 * Contract:
 * - shell_migrate_request_new() reads only the options (and the files of
 *   --xml and --persistent-xml); it never connects. It prints every error
 *   as "error: ..." on the shell's error stream and returns NULL.
 * - The parameter names and flag values are those of driver/migrate.h, as
 *   virsh builds them for virDomainMigrate3 / virDomainMigrateToURI3.
 * - shell_migrate_watch_step() is pure: it says what to do now and marks
 *   what it returned as done, so each action happens at most once. */
#pragma once

#include "shell/shell_priv.h"

typedef enum {
    SHELL_MIGRATE_TIMEOUT_SUSPEND,  /* --timeout-suspend (the default) */
    SHELL_MIGRATE_TIMEOUT_POSTCOPY, /* --timeout-postcopy */
} ShellMigrateTimeoutAction;

typedef struct {
    char *domain;
    char *desturi;
    unsigned int flags; /* QvMigrateFlags */
    QvTypedParam *params;
    int nparams;
    int maxparams;
    gboolean verbose;
    gint64 timeout_ms; /* 0: no --timeout */
    ShellMigrateTimeoutAction timeout_action;
    gboolean postcopy_after_precopy;
} ShellMigrateRequest;

/* The request of a parsed migrate command line, or NULL after printing
 * why the options do not make a migration. */
ShellMigrateRequest *shell_migrate_request_new(Shell *sh, const ShellArgs *args);
/* Accepts NULL. */
void shell_migrate_request_free(ShellMigrateRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShellMigrateRequest, shell_migrate_request_free)

/* virsh's progress figure: -1 while the total is unknown (0: nothing to
 * print yet), 100 when nothing remains, else the share done, at most 99. */
int shell_migrate_progress_percent(unsigned long long remaining, unsigned long long total);

typedef enum {
    SHELL_MIGRATE_ACT_NONE = 0,
    SHELL_MIGRATE_ACT_SUSPEND = 1 << 0,  /* qv_domain_suspend */
    SHELL_MIGRATE_ACT_POSTCOPY = 1 << 1, /* qv_domain_migrate_start_post_copy */
} ShellMigrateAction;

/* What the watch of one migration has already done. */
typedef struct {
    const ShellMigrateRequest *req;
    gboolean timeout_fired;
    gboolean postcopy_started;
} ShellMigrateWatch;

/* The first memory iteration is over once QEMU counts its second pass
 * (the dirty-sync count, "memory_iteration", starts at 1 with the first
 * pass); virsh switches to post-copy at that point. */
#define SHELL_MIGRATE_POSTCOPY_ITERATION 2

/* The actions (ShellMigrateAction bits) to take ELAPSED_MS after the
 * migration started, given the job's current memory ITERATION (0 when
 * unknown). */
unsigned int shell_migrate_watch_step(ShellMigrateWatch *watch, gint64 elapsed_ms,
                                      unsigned long long iteration);

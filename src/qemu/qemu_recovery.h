/* qemu_recovery.h: what a restarted daemon does with an async job that the
 * previous daemon left unfinished: one declarative table keyed by (async
 * job, persisted phase, what QEMU now reports) whose value is an action,
 * a pure lookup into it, and the code that carries each action out on a
 * reconnected domain.
 *
 * Contract:
 * - The table (qemu_recovery.c) is data: rows are matched in order, the
 *   first row whose job, phase, run state and migration status all match
 *   wins. Every async job ends its rows with a catch-all ("any other
 *   phase"), so a lookup of an async job always finds a row.
 *   docs/recovery.md holds the same table in words; a unit test checks the
 *   two row by row.
 * - qemu_recovery_lookup() is pure (no domain, no monitor, no logging).
 *   A persisted destroy job is outside the table: its key has destroy set
 *   and the answer is FINISH_DESTROY whatever the rest says. No async job
 *   and no destroy: NONE.
 * - qemu_recovery_apply() runs with VM locked, the monitor reconnected,
 *   the async job of the status file active with no owner (see
 *   domain_job_parse_status()). It takes the job over, talks to QEMU only
 *   through the Enter/Exit wrappers of that async job, and leaves the
 *   domain in the state the action names, with the job ended, dropped or
 *   kept (ownerless) as the action says; it emits the matching lifecycle
 *   event. A step that fails is logged and the action carries on: a
 *   recovery never kills a guest that the action does not kill. Returns 0,
 *   or -1 with one error reported when the action could not be completed
 *   (the domain is left as safe as it could be made).
 * - "Outcome unknown" (migration out, perform3_done, QEMU completed): the
 *   guest stays paused (reason migration), the job stays active and
 *   ownerless in phase perform3_done, and its current statistics read
 *   status hypervisor-completed with the error message
 *   QEMU_RECOVERY_OUTCOME_UNKNOWN_MSG, which domjobinfo shows as
 *   "Error message: outcome unknown: ...". Nothing new is persisted: the
 *   next restart looks the same row up again. The job's mask becomes the
 *   migration-out mask, so the operator can check the destination and then
 *   resume the source guest (only if the destination does not run it) or
 *   destroy it. domjobabort ends the job (the migration is given up,
 *   qemu_recovery_abandon_outcome_unknown()); a guest resumed without it
 *   keeps the job until the next daemon start (QEMU then reports running
 *   and completed: keep-and-end-job).
 * - qemu_recovery_run() is what reconnect calls: query-status and
 *   query-migrate (under the async job), lookup, one info log line
 *   "domain 'X': recovering job 'J' phase 'P' (QEMU: RUN/MIG): ACTION",
 *   apply. */
#pragma once

#include <glib.h>

#include "conf/domain_job.h"
#include "conf/domain_obj.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_monitor_json.h"

typedef enum {
    /* No job to recover. */
    QEMU_RECOVERY_ACTION_NONE = 0,
    /* Forget the job, touch nothing. */
    QEMU_RECOVERY_ACTION_DROP_JOB,
    /* migrate_cancel (and wait for it), force-cancel the mirrors and delete
     * their NBD nodes, restore the saved parameters, delete the TLS object,
     * cont if the job paused the guest (running/migration-canceled), end
     * the job. */
    QEMU_RECOVERY_ACTION_CANCEL_AND_RESUME,
    /* Leave the guest paused and the job ownerless; see the contract. */
    QEMU_RECOVERY_ACTION_KEEP_PAUSED_OUTCOME_UNKNOWN,
    /* As CANCEL_AND_RESUME without migrate_cancel. */
    QEMU_RECOVERY_ACTION_RESUME,
    /* Kill the source: shut off (migrated). */
    QEMU_RECOVERY_ACTION_STOP_SOURCE_MIGRATED,
    /* Phase postcopy_failed, state post-copy failed, job kept ownerless. */
    QEMU_RECOVERY_ACTION_KEEP_POSTCOPY_FAILED,
    /* Kill the incoming QEMU: shut off (failed); a transient domain goes. */
    QEMU_RECOVERY_ACTION_KILL_INCOMING,
    /* Keep the guest as it runs, end the job. */
    QEMU_RECOVERY_ACTION_KEEP_AND_END_JOB,
    /* migrate_cancel of the save (and wait), cont if the job paused the
     * guest (running/save-canceled), end the job. */
    QEMU_RECOVERY_ACTION_CANCEL_SAVE_AND_RESUME,
    /* QEMU 7.2 cannot cancel a dump: wait (with a deadline) until
     * query-dump leaves "active", then resume as above. */
    QEMU_RECOVERY_ACTION_WAIT_DUMP_AND_RESUME,
    /* Kill QEMU: shut off (failed). */
    QEMU_RECOVERY_ACTION_KILL,
    /* Outside the table: finish the persisted destroy. */
    QEMU_RECOVERY_ACTION_FINISH_DESTROY,
    QEMU_RECOVERY_ACTION_LAST
} QemuRecoveryAction;

/* Short names ("cancel-and-resume", ...) as docs/recovery.md writes them. */
const char *qemu_recovery_action_to_string(int action);
int qemu_recovery_action_from_string(const char *str);
/* What the info log line says ("cancel migration and resume", ...). */
const char *qemu_recovery_action_describe(int action);

/* The error message of an "outcome unknown" job (see the contract). */
#define QEMU_RECOVERY_OUTCOME_UNKNOWN_MSG                                                          \
    "outcome unknown: QEMU completed the migration but the daemon restarted before Confirm; "      \
    "check the destination, then resume or destroy this guest"

/* Phase wildcard of a row (also what a key carries for the jobs without
 * registered phases: save, dump, start). */
#define QEMU_RECOVERY_PHASE_ANY (-1)

/* What QEMU reports, as a row matches it. */
typedef enum {
    QEMU_RECOVERY_RUN_ANY = 0,
    QEMU_RECOVERY_RUN_RUNNING, /* query-status running: true */
    QEMU_RECOVERY_RUN_PAUSED,  /* running: false (any status reason) */
} QemuRecoveryRun;

/* Whether the migration job's API flags allowed post-copy. */
typedef enum {
    QEMU_RECOVERY_POSTCOPY_ANY = 0,
    QEMU_RECOVERY_POSTCOPY_ALLOWED,     /* QV_MIGRATE_POSTCOPY set */
    QEMU_RECOVERY_POSTCOPY_NOT_ALLOWED, /* not set */
} QemuRecoveryPostcopy;

/* A set of QemuMonitorMigrationStatus values (bit 1 << status). */
#define QEMU_RECOVERY_MIG(status) (1U << (status))
#define QEMU_RECOVERY_MIG_ANY ((1U << QEMU_MONITOR_MIGRATION_STATUS_LAST) - 1)
#define QEMU_RECOVERY_MIG_POSTCOPY                                                                 \
    (QEMU_RECOVERY_MIG(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE) |                            \
     QEMU_RECOVERY_MIG(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED) |                            \
     QEMU_RECOVERY_MIG(QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER))
#define QEMU_RECOVERY_MIG_COMPLETED QEMU_RECOVERY_MIG(QEMU_MONITOR_MIGRATION_STATUS_COMPLETED)

/* One row of the table. */
typedef struct {
    DomainAsyncJob job;
    int phase;                     /* QemuMigrationPhase, or QEMU_RECOVERY_PHASE_ANY */
    QemuRecoveryRun run;           /* what query-status must say */
    unsigned int mig;              /* the query-migrate statuses it matches */
    QemuRecoveryPostcopy postcopy; /* what the job's flags must say */
    QemuRecoveryAction action;
} QemuRecoveryRule;

/* The situation found after a reconnect. */
typedef struct {
    gboolean destroy;               /* a destroy job was persisted */
    DomainAsyncJob job;             /* the persisted async job (NONE: none) */
    int phase;                      /* its phase (0 "none" for the jobs without phases) */
    gboolean running;               /* query-status "running" */
    QemuMonitorVMStatus vm_status;  /* query-status "status" */
    QemuMonitorMigrationStatus mig; /* query-migrate "status" (NONE when absent) */
    gboolean postcopy;              /* the job's flags allowed post-copy */
} QemuRecoveryKey;

/* The table, for tests and the docs check. */
const QemuRecoveryRule *qemu_recovery_table(size_t *ret_count);

/* The action for KEY and, when it came from the table, the row (else NULL). */
QemuRecoveryAction qemu_recovery_lookup(const QemuRecoveryKey *key,
                                        const QemuRecoveryRule **ret_rule);

/* Carry ACTION out for VM (locked; see the contract). KEY is what the
 * lookup was given. */
int qemu_recovery_apply(QemuDriver *driver, DomainObj *vm, const QemuRecoveryKey *key,
                        QemuRecoveryAction action);

/* Query QEMU, look up and apply (VM locked, monitor reconnected, state
 * reconciled). A domain without an async job is left alone. Never fails:
 * problems are logged. */
void qemu_recovery_run(QemuDriver *driver, DomainObj *vm);

/* Whether VM's (locked) async job is an "outcome unknown" one left by
 * recovery (migration out, phase perform3_done, no owner, the message in
 * its statistics). */
gboolean qemu_recovery_is_outcome_unknown(DomainObj *vm);
/* domjobabort of an "outcome unknown" job: the operator has checked the
 * destination and gives the migration up. The job ends (completed
 * statistics: failed, "abandoned by the operator"); the guest stays
 * paused for the operator to resume or destroy. Returns TRUE when VM
 * (locked) had such a job, FALSE (nothing done) otherwise. */
gboolean qemu_recovery_abandon_outcome_unknown(QemuDriver *driver, DomainObj *vm);

/* What the peer of a p2p migration said about the guest (see
 * qemu_recovery_peer_decide()). */
typedef enum {
    QEMU_RECOVERY_PEER_UNREACHABLE = 0, /* it could not be asked */
    QEMU_RECOVERY_PEER_ABSENT,          /* it has no domain with the guest's UUID */
    QEMU_RECOVERY_PEER_FOUND,           /* it has one, in the state given */
} QemuRecoveryPeerAnswer;

/* Pure: what an "outcome unknown" source does given the peer's ANSWER and,
 * when FOUND, the domain's STATE and REASON there (DomainState and its
 * reason). Running, or paused for another reason than a migration
 * (migration, post-copy, starting up): the migration succeeded,
 * STOP_SOURCE_MIGRATED. Absent or shut off: it failed, CANCEL_AND_RESUME.
 * Anything else (unreachable, still paused by the incoming migration,
 * another state): KEEP_PAUSED_OUTCOME_UNKNOWN. RET_WHY (may be NULL) gets a
 * static phrase for the log line. */
QemuRecoveryAction qemu_recovery_peer_decide(QemuRecoveryPeerAnswer answer, int state, int reason,
                                             const char **ret_why);

/* After reconnect left VM (locked) "outcome unknown" with a p2p peer URI
 * recorded: ask the peer from a new thread, which the driver joins before
 * it goes away (reconnect never waits on the network; the connection is
 * bounded by the remote driver's open and call timeouts), then, with VM locked again and the job still ownerless and
 * outcome unknown, carry out qemu_recovery_peer_decide()'s action: stop
 * the source as Confirm does (shut off, migrated, job ended), or cancel
 * and resume (the cancel-and-resume row), or leave it as it is. Each
 * decision is logged at info level with the domain, the peer and the
 * answer. Returns TRUE when a resolution was started. */
gboolean qemu_recovery_ask_peer(QemuDriver *driver, DomainObj *vm);

/* Block jobs (issue #11): reconcile <blockjobs> with query-jobs (see
 * qemu_blockjob_reconcile()). VM locked. */
void qemu_recovery_block_jobs(QemuDriver *driver, DomainObj *vm);

/* qemu_process.h: one QEMU process of a domain: start (also as the
 * incoming side of a migration), stop, kill, the watch on its exit, the
 * monitor events that change the domain's state, and reconnecting to a
 * QEMU that a previous daemon started. qemu_process.c holds start and
 * stop, qemu_process_events.c the events and the work queue,
 * qemu_process_reconnect.c the reconnect.
 *
 * Contract:
 * - QEMU runs in its own session with stdout and stderr appended to
 *   <logDir>/<name>.log; its QMP socket (and HMP socket with hmp_monitor)
 *   is created by qvirt and passed as a descriptor, so there is no connect
 *   race. Start: spawn with -S, connect the monitor and send
 *   qmp_capabilities, lift QEMU's migration bandwidth cap (libvirt's
 *   default: unlimited), refresh the live XML (aliases, pty paths), write the
 *   status, cont, emit STARTED. Nothing per feature is asked at start.
 *   The tap devices of tap-backed interfaces are made before the spawn
 *   (also for an incoming start) and removed at stop (qemu_interface.h).
 * - An incoming start (QEMU_PROCESS_START_INCOMING) runs under the async
 *   job MIGRATION_IN with -incoming defer, leaves the vCPUs stopped and the
 *   domain paused with reason migration, and emits STARTED/MIGRATED, as
 *   libvirt's Prepare does; the migration code sends migrate-incoming and,
 *   in Finish, cont. A restore (QEMU_PROCESS_START_RESTORE) starts the same
 *   way under the async job START and emits no event: qemu_save.c feeds
 *   the stream, then emits STARTED/RESTORED and resumes the guest.
 * - Monitor events during an async job carry its meaning: a STOP during a
 *   migration out is paused/migration (postcopy once post-copy runs), during
 *   a save or dump paused/save or dump; a RESUME during a migration out is
 *   running/migration-canceled, during a migration in running/migrated. The
 *   MIGRATION and MIGRATION_PASS events go to qemu_migration_handle_event(),
 *   JOB_STATUS_CHANGE and BLOCK_JOB_* wake the job's event waiters.
 * - QEMU's exit is seen through its pidfd on the driver's event loop,
 *   whether or not this process is its parent; our children are reaped as
 *   soon as that happens. Without pidfds the monitor's EOF stands in.
 *   Liveness is never tested with kill(pid, 0).
 * - Monitor events and exits never take a job on the event-loop thread: the
 *   handlers update the domain under its mutex and queue the rest (status
 *   writes, stopping a QEMU that exited, the <on_poweroff> action) on the
 *   domain's own serial work queue, run by the driver's workers.
 * - An unexpected exit leaves the domain shut off with reason crashed (or
 *   shutdown after the guest powered off), a STOPPED event, and no status
 *   file. A destroy's exit is reason destroyed.
 * - The status XML is written (under the domain's mutex) on every state
 *   change and tracked job transition. When a write fails the operation
 *   fails before it acts, with the write's error; a running guest is never
 *   killed for it. Writes are skipped for a domain whose QEMU has exited
 *   (its status file is about to be removed).
 * - Reconnecting trusts a pid only with its start time, reconciles the
 *   state with query-status and emits only real changes. A QEMU found gone
 *   is cleaned up and its domain shut off (crashed, or shutdown when it was
 *   shutting down). A QEMU whose monitor cannot be reached is never killed:
 *   the domain stays active without a monitor. */
#pragma once

#include <glib.h>

#include "conf/domain_obj.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_driver.h"
#include "util/process.h"

/* A QvirtProcess shared by the threads that may wait for it or kill it:
 * every operation on the process runs under the handle's lock. */
typedef struct _QemuProcessHandle QemuProcessHandle;

typedef enum {
    QEMU_WORK_EXITED,         /* QEMU exited: stop the domain */
    QEMU_WORK_SAVE_STATUS,    /* an event changed the state: persist it */
    QEMU_WORK_GUEST_SHUTDOWN, /* the guest powered off: carry out <on_poweroff> */
    QEMU_WORK_BLOCK_JOBS,     /* block jobs: finalize, dismiss, poll (qemu_blockjob.c) */
    QEMU_WORK_LAST
} QemuWorkKind;

/* The QEMU driver's private data of a domain. The monitor part of
 * qemu_domain.h comes first, so qemu_domain_obj_private() and the
 * Enter/Exit wrappers see it. */
typedef struct {
    QemuDomainObjPrivate base; /* must stay first */
    QemuDriver *driver;        /* borrowed: outlives every domain */

    guint run;               /* changes at every start, reconnect and stop */
    QemuProcessHandle *proc; /* while active */
    guint exit_watch;        /* the pidfd watch on driver->loop, or 0 */
    QemuCaps *caps;          /* of the running QEMU (NULL after a reconnect) */

    char *monitor_path; /* QMP socket of the running QEMU */
    char *hmp_path;     /* HMP socket, or NULL */
    char *log_path;     /* where QEMU's output goes */
    char *lib_dir;      /* the domain's private folder */

    gboolean got_shutdown;      /* SHUTDOWN seen: the guest is going away */
    gboolean shutdown_is_reset; /* that SHUTDOWN was a reboot turned into one */
    int stop_reason;            /* DomainShutoffReason a destroy asked for, or -1 */
    gboolean starting;          /* qemu_process_start() runs: an exit now is its failure */

    /* An incoming migration (Prepare to Finish), see qemu_migration_dst.c. */
    const void *mig_lease; /* the QvConnect the incoming domain belongs to;
                            * compared only, never dereferenced; or NULL */
    int mig_port;          /* the migration port reserved for it, or 0 */

    GMutex work_lock;   /* guards the two fields below */
    GQueue work;        /* QemuWork items */
    gboolean work_busy; /* a worker drains the queue */

    struct _QemuBlockJobs *block_jobs; /* qemu_blockjob.c's; NULL while none ran */

    GHashTable *taps; /* qemu_interface.c's record of this run's taps; NULL: none */
} QemuDomainPrivate;

QemuDomainPrivate *qemu_domain_private(DomainObj *vm);
/* Attach a new private data to VM (which must have none). */
void qemu_domain_private_init(QemuDriver *driver, DomainObj *vm);

typedef enum {
    QEMU_PROCESS_START_PAUSED = 1 << 0,   /* leave the vCPUs stopped */
    QEMU_PROCESS_START_INCOMING = 1 << 1, /* -incoming defer (see the contract) */
    QEMU_PROCESS_START_RESTORE = 1 << 2,  /* -incoming defer for a restore from a file */
} QemuProcessStartFlags;

/* Start VM (locked, inactive, the caller holds the async job START, or
 * MIGRATION_IN with QEMU_PROCESS_START_INCOMING). With
 * QEMU_PROCESS_START_RESTORE (under START) the domain is left as an
 * incoming one, paused with reason migration, and no event is emitted. On failure the domain is
 * shut off again (reason failed) and a QEMU that was spawned is killed;
 * when QEMU itself gave up, the error quotes its log. */
int qemu_process_start(QemuDriver *driver, DomainObj *vm, unsigned int flags);

typedef enum {
    QEMU_PROCESS_STOP_NO_EVENT = 1 << 0, /* a start that failed: no STOPPED event */
} QemuProcessStopFlags;

/* Tear down the running VM (locked; the caller holds a job): kill QEMU if
 * it still runs (dropping the lock while it waits), reap it, close the
 * monitors, remove the status file and sockets, mark the domain shut off
 * with REASON (DomainShutoffReason), switch to the persistent definition,
 * release the migration port, emit STOPPED and wake job waiters. A no-op
 * for an inactive domain. */
void qemu_process_stop(QemuDriver *driver, DomainObj *vm, int reason, unsigned int flags);

/* Kill the QEMU of VM (locked): SIGTERM, then SIGKILL after GRACE_MS; with
 * GRACEFUL only SIGTERM and a wait of GRACE_MS. The lock is dropped while
 * waiting. Returns 0 once QEMU is gone (also when it was already), -1 with
 * an error (OPERATION_TIMEOUT when GRACEFUL and QEMU is still there). */
int qemu_process_kill(DomainObj *vm, gint64 grace_ms, gboolean graceful);

/* The last lines QEMU wrote to its log LOG_PATH after byte OFFSET, as one
 * line (qvirt's own notes left out); NULL when there are none. For errors
 * that explain why QEMU gave up. */
char *qemu_process_log_tail(const char *log_path, off_t offset);

/* Write VM's status XML now (VM locked). 0 when the domain is inactive or
 * its QEMU has exited. */
int qemu_process_save_status(QemuDriver *driver, DomainObj *vm);

/* Queue work of KIND for VM (any thread, any lock). */
void qemu_process_queue_work(DomainObj *vm, QemuWorkKind kind);
/* Run one domain's queued work (the driver's worker function; JOB is a
 * DomainObj reference, which it drops). */
void qemu_process_run_work(gpointer job, gpointer opaque);

/* Reconnect to the QEMU of VM (a reference, unlocked), loaded from its
 * status file, as the contract says. Never fails: problems are logged and
 * leave the domain shut off (QEMU gone) or without a monitor. */
void qemu_process_reconnect(QemuDriver *driver, DomainObj *vm);

/* At daemon start, after the status files were loaded: kill every QEMU a
 * previous daemon spawned for a domain of CFG's folders but never recorded
 * in a status file (see qemu_process_orphans.c for how one is known).
 * Each kill is logged as a warning; never fails. */
void qemu_process_kill_orphans(const QemuDriverConfig *cfg);

/* Stop watching VM (locked) without touching QEMU: remove the exit watch,
 * close the monitors. For a driver that goes away. */
void qemu_process_detach(DomainObj *vm);

/* CPU time used by the QEMU of PID with START_TIME, in ns; 0 when that
 * process is gone. */
unsigned long long qemu_process_cpu_time(pid_t pid, unsigned long long start_time);

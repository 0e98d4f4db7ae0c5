/* qemu_migration.h: live migration of a QEMU domain, libvirt's version 3
 * protocol: Begin, Perform and Confirm on the source, Prepare and Finish on
 * the destination, client-driven or peer-to-peer; the migration job
 * helpers and phases.
 *
 * Contract:
 * - The source holds the async job MIGRATION_OUT from Begin to Confirm, the
 *   destination MIGRATION_IN from Prepare to Finish. Between two API calls
 *   the job stays active without an owner (qemu_migration_job_continue());
 *   the next step takes it over (qemu_migration_job_start_phase()).
 * - Masks: migration out admits query, destroy, abort, suspend,
 *   migration-op and modify-migration-safe; migration in admits query,
 *   destroy and abort.
 * - Every phase is persisted in the status XML before the step it names
 *   acts (qemu_migration_job_set_phase() fails, and the step with it, when
 *   the write fails).
 * - Entry points take VM referenced and UNLOCKED, like qemu_driver.h, and
 *   report one error on failure. Cookies are byte strings; *RET_COOKIE_OUT
 *   is a new string (NUL included in *RET_COOKIE_OUTLEN) or NULL/0.
 * - Statistics are pushed into the job's current slot by the thread that
 *   runs the migration (query-migrate polled at least every 500 ms, and the
 *   MIGRATION/MIGRATION_PASS events); readers never touch the monitor. */
#pragma once

#include <glib.h>

#include "conf/domain_job.h"
#include "conf/domain_obj.h"
#include "driver/connect.h"
#include "driver/typedparams.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_json.h"

/* Phases of MIGRATION_OUT and MIGRATION_IN (one table for both, as in
 * libvirt's status XML). Order matters: phases never go backwards except
 * into the post-copy recovery ones. */
typedef enum {
    QEMU_MIGRATION_PHASE_NONE = 0,
    QEMU_MIGRATION_PHASE_PERFORM2, /* unused: version 2 */
    QEMU_MIGRATION_PHASE_BEGIN3,
    QEMU_MIGRATION_PHASE_PERFORM3,
    QEMU_MIGRATION_PHASE_PERFORM3_DONE,
    QEMU_MIGRATION_PHASE_CONFIRM3_CANCELLED,
    QEMU_MIGRATION_PHASE_CONFIRM3,
    QEMU_MIGRATION_PHASE_PREPARE,
    QEMU_MIGRATION_PHASE_FINISH2, /* unused: version 2 */
    QEMU_MIGRATION_PHASE_FINISH3,
    QEMU_MIGRATION_PHASE_POSTCOPY_FAILED,
    QEMU_MIGRATION_PHASE_BEGIN_RESUME,
    QEMU_MIGRATION_PHASE_PERFORM_RESUME,
    QEMU_MIGRATION_PHASE_CONFIRM_RESUME,
    QEMU_MIGRATION_PHASE_PREPARE_RESUME,
    QEMU_MIGRATION_PHASE_FINISH_RESUME,
    QEMU_MIGRATION_PHASE_LAST
} QemuMigrationPhase;

/* Register the phase names with the job layer (once, at driver load). */
void qemu_migration_register_phases(void);
const char *qemu_migration_phase_to_string(int phase);
/* -1 for an unknown name. */
int qemu_migration_phase_from_string(const char *name);
/* The allow_backwards rule registered for both jobs: TRUE for a move into a
 * resume phase from postcopy_failed or another resume phase, and for a
 * move from a resume phase back to postcopy_failed. */
gboolean qemu_migration_phase_allow_backwards(int from, int to);

/* The normal jobs each migration async job admits. */
#define QEMU_MIGRATION_OUT_MASK                                                                    \
    (DOMAIN_JOB_MASK(DOMAIN_JOB_QUERY) | DOMAIN_JOB_MASK(DOMAIN_JOB_DESTROY) |                     \
     DOMAIN_JOB_MASK(DOMAIN_JOB_ABORT) | DOMAIN_JOB_MASK(DOMAIN_JOB_SUSPEND) |                     \
     DOMAIN_JOB_MASK(DOMAIN_JOB_MIGRATION_OP) |                                                   \
     DOMAIN_JOB_MASK(DOMAIN_JOB_MODIFY_MIGRATION_SAFE))
#define QEMU_MIGRATION_IN_MASK DOMAIN_JOB_DEFAULT_MASK
/* The mask of JOB (QEMU_MIGRATION_OUT_MASK or QEMU_MIGRATION_IN_MASK). */
unsigned int qemu_migration_job_mask(DomainAsyncJob job);

/* ---- job helpers (VM locked) ---- */

/* Begin async JOB (MIGRATION_OUT or _IN) with its mask, API_FLAGS recorded. */
int qemu_migration_job_start(DomainObj *vm, DomainAsyncJob job, unsigned long long api_flags);
/* Persist PHASE (refuses going backwards). */
int qemu_migration_job_set_phase(DomainObj *vm, int phase);
/* Take over the ownerless JOB for the next step and set PHASE. */
int qemu_migration_job_start_phase(DomainObj *vm, DomainAsyncJob job, int phase);
/* Leave the job active without an owner until the next step. */
void qemu_migration_job_continue(DomainObj *vm);
/* Whether JOB is the active async job; else OPERATION_INVALID "domain 'X'
 * is not being migrated" reported and FALSE. */
gboolean qemu_migration_job_is_active(DomainObj *vm, DomainAsyncJob job);
/* End the migration job. */
void qemu_migration_job_finish(DomainObj *vm);

/* ---- the five steps (driver entry points; see driver/driver.h) ---- */

char *qemu_migration_src_begin(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                               int nparams, char **ret_cookie_out, int *ret_cookie_outlen,
                               unsigned int flags);
/* DCONN: the connection that called Prepare; the incoming domain is its
 * lease (killed when DCONN closes before Finish). Returns 0 or -1. */
int qemu_migration_dst_prepare(QemuDriver *driver, QvConnect *dconn, const QvTypedParam *params,
                               int nparams, const char *cookie_in, int cookie_inlen,
                               char **ret_cookie_out, int *ret_cookie_outlen, char **ret_uri_out,
                               unsigned int flags);
/* With QV_MIGRATE_PEER2PEER in FLAGS, DCONNURI names the destination daemon
 * and the whole protocol runs from here (qemu_migration_p2p.c). */
int qemu_migration_src_perform(QemuDriver *driver, DomainObj *vm, const char *dconnuri,
                               const QvTypedParam *params, int nparams, const char *cookie_in,
                               int cookie_inlen, char **ret_cookie_out, int *ret_cookie_outlen,
                               unsigned int flags);
/* The domain on success (a new reference, unlocked), NULL otherwise. */
DomainObj *qemu_migration_dst_finish(QemuDriver *driver, QvConnect *dconn,
                                     const QvTypedParam *params, int nparams,
                                     const char *cookie_in, int cookie_inlen,
                                     char **ret_cookie_out, int *ret_cookie_outlen,
                                     unsigned int flags, int cancelled);
int qemu_migration_src_confirm(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                               int nparams, const char *cookie_in, int cookie_inlen,
                               unsigned int flags, int cancelled);

/* A connection closed: kill the incoming domains whose lease it held. */
void qemu_migration_dst_connection_closed(QemuDriver *driver, QvConnect *conn);

/* Source lease: CONN drives the client-driven migration of the domain
 * UUID from Begin (the driver table records it after Begin succeeds) to
 * Confirm. When CONN closes first, qemu_migration_src_connection_closed()
 * aborts a running step or rolls the ownerless job back (after the
 * switch-over, ends it with the guest left paused). */
void qemu_migration_src_lease_take(const unsigned char *uuid, QvConnect *conn);
void qemu_migration_src_connection_closed(QemuDriver *driver, QvConnect *conn);

/* ---- tuning while running (migration-op job) ---- */

int qemu_migration_set_max_downtime(QemuDriver *driver, DomainObj *vm,
                                    unsigned long long downtime_ms, unsigned int flags);
int qemu_migration_get_max_downtime(QemuDriver *driver, DomainObj *vm,
                                    unsigned long long *ret_downtime_ms, unsigned int flags);
int qemu_migration_set_max_speed(QemuDriver *driver, DomainObj *vm,
                                 unsigned long long bandwidth_mibs, unsigned int flags);
int qemu_migration_get_max_speed(QemuDriver *driver, DomainObj *vm,
                                 unsigned long long *ret_bandwidth_mibs, unsigned int flags);
int qemu_migration_start_post_copy(QemuDriver *driver, DomainObj *vm, unsigned int flags);
/* domjobabort: cancel the migration (or save/dump) of VM. */
int qemu_migration_abort(QemuDriver *driver, DomainObj *vm, unsigned int flags);

/* ---- events (event-loop thread, VM locked; qemu_process.c calls it) ---- */

/* A MIGRATION or MIGRATION_PASS event of VM: update the job statistics and
 * the domain state (post-copy), emit MIGRATION_ITERATION, and wake the
 * thread waiting in the migration (domain_job_signal_event()). Never takes
 * a job, never talks to the monitor. */
void qemu_migration_handle_event(QemuDriver *driver, DomainObj *vm,
                                 const QemuMonitorEvent *event);

/* ---- shared by the migration files (qemu_migration_progress.c) ---- */

/* Fill STATS (a job's current slot) from query-migrate's MSTATS: status,
 * sizes, rates, iteration, downtime and setup time. Fields MSTATS does not
 * report keep their value; the time elapsed is the job layer's. */
void qemu_migration_progress_to_stats(const QemuMonitorMigrationStats *mstats,
                                      DomainJobStats *stats);
/* The DomainJobStatus of a QEMU migration status. */
int qemu_migration_progress_status(int qemu_status);
/* Update VM's (locked) current job statistics from MSTATS. */
void qemu_migration_progress_update(DomainObj *vm, const QemuMonitorMigrationStats *mstats);

/* The migration URI of the API ("tcp:HOST:PORT", "tcp://HOST:PORT[/]",
 * "unix:PATH", "unix://PATH") as QEMU's `migrate` wants it (new string),
 * and the host (new string; NULL for unix), or INVALID_ARG naming URI. */
int qemu_migration_src_parse_uri(const char *uri, char **ret_qemu_uri, char **ret_host);

/* Peer-to-peer Perform (qemu_migration_p2p.c): VM referenced, unlocked. */
int qemu_migration_p2p_perform(QemuDriver *driver, DomainObj *vm, const char *dconnuri,
                               const QvTypedParam *params, int nparams, unsigned int flags);

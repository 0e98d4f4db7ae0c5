/* qemu_blockjob.h: block jobs of a running domain (pull, copy, commit),
 * the QEMU driver's side of issue #11.
 *
 * Contract:
 * - Jobs run through QEMU's generic job API with auto-finalize and
 *   auto-dismiss off; the job id is "qvirt-<type>-<target>" (e.g.
 *   "qvirt-copy-vda"). One job per disk.
 * - Every job is a DomainBlockJobRecord in the domain's list, written to
 *   the status XML (<blockjobs>) at each transition. The record goes in
 *   (state new) before the job is started in QEMU, so no event is missed.
 * - States move as a table says (see qemu_blockjob.c), driven by
 *   JOB_STATUS_CHANGE: qemu_blockjob_handle_event() runs on the event-loop
 *   thread with the domain locked, updates the record and queues
 *   QEMU_WORK_BLOCK_JOBS; that work (a worker, a short MODIFY job) finalizes
 *   pending jobs, reads the outcome of concluded ones from query-jobs,
 *   dismisses them, updates the disk's source and backing chain in the live
 *   definition, emits BLOCK_JOB (source path) and BLOCK_JOB_2 (target)
 *   events, drops the record and wakes the waiters. A timer of the
 *   driver's loop queues the same work once a second while jobs run, which
 *   refreshes their progress.
 * - Starting, pivoting, aborting and changing the speed take a MODIFY job
 *   only while they talk to QEMU. A synchronous abort or pivot then waits,
 *   without any job, until the job is gone (or a deadline passes).
 * - qemu_blockjob_get_info() reads the record only: no job, no monitor.
 *   Before a job is ready or done, cur never equals end.
 * - Entry points take VM referenced and unlocked, as the driver's do. Each
 *   failure reports one error and returns -1. */
#pragma once

#include <glib.h>

#include "conf/domain_obj.h"
#include "driver/blockjob.h"
#include "driver/driver.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_monitor.h"

/* How long a synchronous abort or pivot waits for the job to go. */
#define QEMU_BLOCKJOB_WAIT_MS (120 * 1000)
/* Progress poll interval while jobs run. */
#define QEMU_BLOCKJOB_POLL_MS 1000

typedef struct _QemuBlockJobs QemuBlockJobs;

/* ---- entry points (driver table, see driver/driver.h) ---- */

int qemu_blockjob_pull(QemuDriver *driver, DomainObj *vm, const char *disk,
                       unsigned long long bandwidth, unsigned int flags);
int qemu_blockjob_rebase(QemuDriver *driver, DomainObj *vm, const char *disk, const char *base,
                         unsigned long long bandwidth, unsigned int flags);
int qemu_blockjob_commit(QemuDriver *driver, DomainObj *vm, const char *disk, const char *base,
                         const char *top, unsigned long long bandwidth, unsigned int flags);
int qemu_blockjob_copy(QemuDriver *driver, DomainObj *vm, const char *disk, const char *destxml,
                       const QvTypedParam *params, int nparams, unsigned int flags);
int qemu_blockjob_abort(QemuDriver *driver, DomainObj *vm, const char *disk, unsigned int flags);
/* 1 with *RET_INFO when DISK has a job, 0 (RET_INFO zeroed) when not. */
int qemu_blockjob_get_info(QemuDriver *driver, DomainObj *vm, const char *disk,
                           QvDomainBlockJobInfo *ret_info, unsigned int flags);
int qemu_blockjob_set_speed(QemuDriver *driver, DomainObj *vm, const char *disk,
                            unsigned long long bandwidth, unsigned int flags);

/* ---- hooks for qemu_process*.c ---- */

/* A JOB_STATUS_CHANGE or BLOCK_JOB_* event of VM (locked, event-loop
 * thread): update the record, queue work. Ignores jobs that are not ours. */
void qemu_blockjob_handle_event(QemuDriver *driver, DomainObj *vm, const QemuMonitorEvent *event);
/* The QEMU_WORK_BLOCK_JOBS work (worker thread, VM unlocked; RUN the
 * domain's run when it was queued). */
void qemu_blockjob_run_work(QemuDriver *driver, DomainObj *vm, guint run);
/* The records to persist (borrowed; NULL when none). VM locked. */
GPtrArray *qemu_blockjob_records(DomainObj *vm);
/* QEMU of VM (locked) is gone: every job fails (events emitted), the
 * records are dropped and waiters woken. */
void qemu_blockjob_domain_stopped(QemuDriver *driver, DomainObj *vm);
/* A status file was loaded: take RECORDS (its <blockjobs>; NULL is fine)
 * as VM's jobs, before the reconnect. */
void qemu_blockjob_restore(DomainObj *vm, GPtrArray *records);
/* After the reconnect (VM locked): reconcile the restored jobs with QEMU
 * through the queued work (query-jobs: finalize and dismiss what concluded
 * meanwhile, fail what vanished, with events) and restart the poll. */
void qemu_blockjob_reconcile(QemuDriver *driver, DomainObj *vm);
/* The state table: the state after STATE (DomainBlockJobState) when QEMU
 * reports job status QEMU_STATUS ("running", "ready", ...); -1 for a
 * status QEMU does not have. */
int qemu_blockjob_next_state(int state, const char *qemu_status);
/* Free the block job data of a domain's private data. NULL is accepted. */
void qemu_blockjobs_free(QemuBlockJobs *jobs);

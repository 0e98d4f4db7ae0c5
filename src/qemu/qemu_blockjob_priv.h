/* qemu_blockjob_priv.h: what qemu_blockjob.c (state machine, events,
 * work, abort, info) and qemu_blockjob_start.c (starting jobs) share.
 * Internal to the two files. */
#pragma once

#include "conf/domain_blockjob_record.h"
#include "qemu/qemu_blockjob.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process.h"

/* One job: its persisted record and what only this process knows. */
typedef struct {
    DomainBlockJobRecord *rec; /* owned */
    guint serial;              /* distinguishes jobs of one disk over time */
    int intent;                /* DOMAIN_BLOCKJOB_STATE_ABORTING, _PIVOTING, or -1 */
    unsigned long long cur;    /* progress from QEMU */
    unsigned long long end;
    char *mirror_storage;  /* copy: the nodes added for the destination, or NULL */
    char *mirror_format;   /* (node names) */
    char *base_format;     /* active commit: the base image's format ("qcow2", "raw") */
    GPtrArray *chain_drop; /* paths that leave the chain when the job completes */
    GPtrArray *drop_nodes; /* nodes qvirt added (blockdev) for the images that leave
                            * the chain when the job completes, top first; not
                            * persisted: planned again after a restart */
    gboolean plan_pending; /* restored after a restart: drop_nodes still to plan */
    gboolean waited;       /* a synchronous abort or pivot waits for the outcome */
} QemuBlockJob;

struct _QemuBlockJobs {
    GPtrArray *jobs;    /* QemuBlockJob *, owned */
    GPtrArray *records; /* the jobs' records, borrowed, for the status writer */
    guint timer;        /* the progress poll on the driver's loop, or 0 */
    GHashTable *ended;  /* serial -> outcome + 1, for a synchronous abort or pivot
                         * waiting for it (see QemuBlockJob.waited) */
};

/* The domain's job list, created on first use. VM locked. */
QemuBlockJobs *qemu_blockjob_list(DomainObj *vm);
QemuBlockJob *qemu_blockjob_find(QemuBlockJobs *jobs, const char *disk);
/* Add a job in state new for DISK (target) and persist it; NULL with the
 * save error (the job is not kept). VM locked. */
QemuBlockJob *qemu_blockjob_add(QemuDriver *driver, DomainObj *vm, const char *disk, int type,
                                unsigned int flags, unsigned long long bandwidth);
/* Drop JOB (VM locked) and wake waiters. */
void qemu_blockjob_remove(DomainObj *vm, QemuBlockJob *job);
/* After a start succeeded: running unless events moved it already, persist,
 * make sure the progress poll runs. VM locked. */
void qemu_blockjob_started(QemuDriver *driver, DomainObj *vm, QemuBlockJob *job);

/* The disk named by NAME (target or source path) in VM's live definition,
 * or NULL with INVALID_ARG. */
DomainDiskDef *qemu_blockjob_find_disk(DomainObj *vm, const char *name);
/* Lock VM, check it runs, take a MODIFY job and find DISK; 0 with the
 * disk, or -1 with VM unlocked and an error. */
int qemu_blockjob_begin(DomainObj *vm, const char *name, DomainDiskDef **ret_disk);
/* End the job and unlock. */
void qemu_blockjob_end(DomainObj *vm);

/* Bandwidth of the API (MiB/s unless BYTES) in bytes/s; -1 on overflow. */
int qemu_blockjob_bandwidth_bytes(unsigned long long bandwidth, gboolean bytes,
                                  unsigned long long *ret);

/* In the monitor: remove JOB's drop_nodes from QEMU after it completed,
 * so no stale node stays a parent of the disk's new root (a later mirror
 * needs the root to have no parent but the device). Failures are logged. */
void qemu_blockjob_drop_nodes(QemuMonitor *mon, const QemuBlockJob *job);

/* In the monitor, the domain's job held: plan drop_nodes of JOB, restored
 * after a daemon restart, from QEMU's nodes of its disk and its record.
 * Failures are logged (the nodes then stay). */
void qemu_blockjob_plan_restored(QemuMonitor *mon, DomainObj *vm, QemuBlockJob *job);

/* JOB completed (a pull, a commit, a pivot): update DISK (VM locked) and
 * delete committed images when asked (qemu_blockjob_disk.c). */
void qemu_blockjob_apply_completed(DomainObj *vm, DomainDiskDef *disk, const QemuBlockJob *job);

/* qemu_driver.h: the QEMU driver's state (QemuDriver) and its lifecycle
 * entry points as plain functions: define, undefine, start (create), create
 * from XML, destroy, shutdown, reboot, reset, suspend, resume, the readers
 * (info, state, XML, autostart), monitor passthrough and domxml-to-native.
 * qemu_module.c wires them into the framework's driver table; tests and the
 * helper programs may call them directly.
 *
 * Contract:
 * - A QemuDriver owns its domain list, an event-loop thread (monitor and
 *   process-exit watches), a pool of worker threads (the per-domain work
 *   queues), the capabilities cache and the lock of its state folder, so
 *   two drivers never share one state folder.
 * - qemu_driver_start() takes over what a previous run left: it loads every
 *   status file and reconnects to its QEMU (see qemu_process.h), then the
 *   persistent definitions, then starts the autostart domains. One domain
 *   that fails never stops the others.
 * - qemu_driver_free() stops watching and leaves every QEMU running: a
 *   later driver on the same folders finds them again.
 * - Entry points that take a DomainObj take it referenced and UNLOCKED (as
 *   the lookups return it) and leave it so. Mutating calls take a job
 *   (see conf/domain_job.h); readers take none and answer from the domain
 *   object under its mutex, never through the monitor.
 * - Every failure reports one error and returns -1 or NULL.
 * - Events (lifecycle, reboot) go to the event function set with
 *   qemu_driver_set_event_func(), called with the domain's mutex held: it
 *   must not block or call back into the driver. */
#pragma once

#include <glib.h>

#include "conf/domain_job.h"
#include "conf/domain_obj_list.h"
#include "conf/domain_status.h"
#include "driver/driver.h"
#include "driver/event.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_conf.h"
#include "util/eventloop.h"
#include "util/files.h"
#include "util/workerpool.h"

/* An event for the framework: lifecycle (TYPE and DETAIL of event.h),
 * reboot (TYPE and DETAIL 0), migration iteration (ITERATION) or job
 * completed (STATS, the completed job's statistics, borrowed for the
 * call). */
typedef struct {
    int event_id; /* QV_DOMAIN_EVENT_ID_LIFECYCLE, _REBOOT, _MIGRATION_ITERATION or
                   * _JOB_COMPLETED */
    const char *name;
    const unsigned char *uuid;
    int id; /* -1 when inactive */
    int type;
    int detail;
    int iteration;               /* MIGRATION_ITERATION */
    const DomainJobStats *stats; /* JOB_COMPLETED */
    const char *disk; /* BLOCK_JOB: source path, BLOCK_JOB_2: target; TYPE is the
                       * QvDomainBlockJobType, DETAIL the QvDomainBlockJobStatus */
} QemuDriverEvent;

typedef void (*QemuDriverEventFunc)(const QemuDriverEvent *event, gpointer opaque);

typedef struct _QemuDriver QemuDriver;
struct _QemuDriver {
    QemuDriverConfig *config; /* fixed for the driver's life */
    DomainObjList *domains;
    QvirtEventLoop *loop;
    QvirtWorkerPool *workers;
    QemuCapsCache *caps_cache;
    QvirtDirLock *state_lock;

    DomainJobCallbacks job_callbacks; /* set on every domain's job */
    DomainStatusHooks status_hooks;   /* the driver's part of the status XML */

    QemuDriverEventFunc event_func;
    gpointer event_opaque;

    GMutex helper_lock;        /* guards helper_threads */
    GPtrArray *helper_threads; /* of GThread *: joined by qemu_driver_free() */
};

/* A driver over the folders of CFG (a reference is taken): creates them,
 * locks the state folder, starts the event-loop thread and the workers.
 * Loads nothing yet. */
QemuDriver *qemu_driver_new(QemuDriverConfig *cfg);
/* Set before qemu_driver_start(). */
void qemu_driver_set_event_func(QemuDriver *driver, QemuDriverEventFunc func, gpointer opaque);
/* Reconnect, load definitions, then (with AUTOSTART) start the autostart
 * domains. Fails only when a folder cannot be read. */
int qemu_driver_start(QemuDriver *driver, gboolean autostart);
/* Stop watching every domain (QEMUs keep running), finish queued work,
 * free everything. NULL is accepted. */
void qemu_driver_free(QemuDriver *driver);

/* ---- lookups: a new reference, unlocked; NO_DOMAIN when unknown ---- */

DomainObj *qemu_driver_lookup_by_name(QemuDriver *driver, const char *name);
DomainObj *qemu_driver_lookup_by_uuid(QemuDriver *driver, const unsigned char *uuid);
DomainObj *qemu_driver_lookup_by_id(QemuDriver *driver, int id);

/* ---- lifecycle (flags are libvirt's, see driver/driver.h) ---- */

/* Define or redefine a persistent domain from XML; a new reference. */
DomainObj *qemu_driver_define_xml(QemuDriver *driver, const char *xml, unsigned int flags);
int qemu_driver_undefine(QemuDriver *driver, DomainObj *vm, unsigned int flags);
/* Start a defined domain (QV_DOMAIN_START_PAUSED, _FORCE_BOOT). */
int qemu_driver_create(QemuDriver *driver, DomainObj *vm, unsigned int flags);
/* Start a transient domain (or a defined inactive one) from XML. */
DomainObj *qemu_driver_create_xml(QemuDriver *driver, const char *xml, unsigned int flags);
int qemu_driver_destroy(QemuDriver *driver, DomainObj *vm, unsigned int flags);
int qemu_driver_shutdown(QemuDriver *driver, DomainObj *vm, unsigned int flags);
int qemu_driver_reboot(QemuDriver *driver, DomainObj *vm, unsigned int flags);
int qemu_driver_reset(QemuDriver *driver, DomainObj *vm, unsigned int flags);
int qemu_driver_suspend(QemuDriver *driver, DomainObj *vm);
int qemu_driver_resume(QemuDriver *driver, DomainObj *vm);

/* ---- readers (no job, no monitor) ---- */

int qemu_driver_get_info(QemuDriver *driver, DomainObj *vm, QvDomainInfo *ret_info);
int qemu_driver_get_state(QemuDriver *driver, DomainObj *vm, int *ret_state, int *ret_reason,
                          unsigned int flags);
char *qemu_driver_get_xml_desc(QemuDriver *driver, DomainObj *vm, unsigned int flags);
int qemu_driver_get_autostart(QemuDriver *driver, DomainObj *vm, int *ret_autostart);
int qemu_driver_set_autostart(QemuDriver *driver, DomainObj *vm, int autostart);

/* ---- monitor and command line ---- */

/* QMP (JSON text in, JSON text out) or, with
 * QV_DOMAIN_QEMU_MONITOR_COMMAND_HMP, an HMP command line. */
int qemu_driver_monitor_command(QemuDriver *driver, DomainObj *vm, const char *cmd,
                                char **ret_result, unsigned int flags);
/* FORMAT "qemu-argv": the command line a start of XML would run. */
char *qemu_driver_domain_xml_to_native(QemuDriver *driver, const char *format, const char *xml,
                                       unsigned int flags);

/* ---- for qemu_process.c and the module ---- */

/* Lock VM and check that it is still listed: 0, or -1 (NO_DOMAIN) with VM
 * unlocked again. */
int qemu_driver_lock_domain(DomainObj *vm);
/* 0 when VM (locked) runs, else -1 with OPERATION_INVALID. */
int qemu_driver_check_active(DomainObj *vm);
/* Lock VM, check that it runs and begin a modify job on it: 0, or -1 with
 * an error and VM unlocked again. */
int qemu_driver_begin_modify(DomainObj *vm);
/* Hand THREAD (a reference) to the driver, which joins it before it goes
 * away: for short-lived helper threads that use the driver. */
void qemu_driver_add_helper_thread(QemuDriver *driver, GThread *thread);
/* Give VM (locked) the driver's private data, job callbacks and job limits
 * if it has none yet. */
void qemu_driver_prepare_domain(QemuDriver *driver, DomainObj *vm);
/* Emit a lifecycle event of VM (locked). */
void qemu_driver_emit_lifecycle(QemuDriver *driver, DomainObj *vm, int type, int detail);
void qemu_driver_emit_reboot(QemuDriver *driver, DomainObj *vm);
/* Set VM's (locked) run state to STATE/REASON; emit the lifecycle event
 * TYPE/DETAIL only when the state itself changes. */
void qemu_driver_set_state(QemuDriver *driver, DomainObj *vm, int state, int reason, int type,
                           int detail);
/* Take a transient domain that stopped out of the list (VM locked, a job
 * held and ended only afterwards, so that a thread waiting for the job sees
 * the domain gone from the list; the lock is dropped and taken back). */
void qemu_driver_remove_inactive(QemuDriver *driver, DomainObj *vm);

/* event.h: domain events: what drivers emit and how connections receive them.
 *
 * Drivers build a QvEvent and push it into the framework's event queue. One
 * dispatch thread takes events off the queue in order and calls every
 * matching callback registered on a connection of the same driver, for that
 * event id and, when the registration names a domain, that domain's UUID.
 *
 * Contract:
 * - qv_event_queue_push() never blocks and never calls a callback, so
 *   drivers may push with any lock held. Callbacks run on the dispatch
 *   thread, with no driver lock held, one at a time, in push order.
 * - Event ids, lifecycle event types and their details keep libvirt's
 *   numbers (virDomainEventID, virDomainEventType and the detail enums).
 * - A registration holds a reference on its connection. Deregistering (or
 *   closing the connection) guarantees that the callback is not called
 *   again, except for a call already running on the dispatch thread; the
 *   opaque's free function runs after that call, exactly once.
 * - A callback receives only events pushed after it was registered (events
 *   still queued from before are not its business).
 * - Callback ids are unique in the process and never 0. */
#pragma once

#include <glib.h>

#include "driver/connect.h"
#include "driver/typedparams.h"

/* virDomainEventID. Only these are emitted; every id below
 * QV_DOMAIN_EVENT_ID_LAST may be registered. */
typedef enum {
    QV_DOMAIN_EVENT_ID_LIFECYCLE = 0,
    QV_DOMAIN_EVENT_ID_REBOOT = 1,
    QV_DOMAIN_EVENT_ID_BLOCK_JOB = 8,
    QV_DOMAIN_EVENT_ID_BLOCK_JOB_2 = 16,
    QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION = 20,
    QV_DOMAIN_EVENT_ID_JOB_COMPLETED = 21,
    QV_DOMAIN_EVENT_ID_LAST = 28, /* libvirt's ids run 0..27 */
} QvDomainEventId;

/* virDomainEventType. */
typedef enum {
    QV_DOMAIN_EVENT_DEFINED = 0,
    QV_DOMAIN_EVENT_UNDEFINED = 1,
    QV_DOMAIN_EVENT_STARTED = 2,
    QV_DOMAIN_EVENT_SUSPENDED = 3,
    QV_DOMAIN_EVENT_RESUMED = 4,
    QV_DOMAIN_EVENT_STOPPED = 5,
    QV_DOMAIN_EVENT_SHUTDOWN = 6,
    QV_DOMAIN_EVENT_PMSUSPENDED = 7,
    QV_DOMAIN_EVENT_CRASHED = 8,
    QV_DOMAIN_EVENT_LAST
} QvDomainEventType;

typedef enum {
    QV_DOMAIN_EVENT_DEFINED_ADDED = 0,
    QV_DOMAIN_EVENT_DEFINED_UPDATED = 1,
    QV_DOMAIN_EVENT_DEFINED_RENAMED = 2,
    QV_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT = 3,
} QvDomainEventDefinedDetail;

typedef enum {
    QV_DOMAIN_EVENT_UNDEFINED_REMOVED = 0,
    QV_DOMAIN_EVENT_UNDEFINED_RENAMED = 1,
} QvDomainEventUndefinedDetail;

typedef enum {
    QV_DOMAIN_EVENT_STARTED_BOOTED = 0,
    QV_DOMAIN_EVENT_STARTED_MIGRATED = 1,
    QV_DOMAIN_EVENT_STARTED_RESTORED = 2,
    QV_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT = 3,
    QV_DOMAIN_EVENT_STARTED_WAKEUP = 4,
} QvDomainEventStartedDetail;

typedef enum {
    QV_DOMAIN_EVENT_SUSPENDED_PAUSED = 0,
    QV_DOMAIN_EVENT_SUSPENDED_MIGRATED = 1,
    QV_DOMAIN_EVENT_SUSPENDED_IOERROR = 2,
    QV_DOMAIN_EVENT_SUSPENDED_WATCHDOG = 3,
    QV_DOMAIN_EVENT_SUSPENDED_RESTORED = 4,
    QV_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    QV_DOMAIN_EVENT_SUSPENDED_API_ERROR = 6,
    QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY = 7,
    QV_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED = 8,
} QvDomainEventSuspendedDetail;

typedef enum {
    QV_DOMAIN_EVENT_RESUMED_UNPAUSED = 0,
    QV_DOMAIN_EVENT_RESUMED_MIGRATED = 1,
    QV_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT = 2,
    QV_DOMAIN_EVENT_RESUMED_POSTCOPY = 3,
    QV_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED = 4,
} QvDomainEventResumedDetail;

typedef enum {
    QV_DOMAIN_EVENT_STOPPED_SHUTDOWN = 0,
    QV_DOMAIN_EVENT_STOPPED_DESTROYED = 1,
    QV_DOMAIN_EVENT_STOPPED_CRASHED = 2,
    QV_DOMAIN_EVENT_STOPPED_MIGRATED = 3,
    QV_DOMAIN_EVENT_STOPPED_SAVED = 4,
    QV_DOMAIN_EVENT_STOPPED_FAILED = 5,
    QV_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT = 6,
} QvDomainEventStoppedDetail;

typedef enum {
    QV_DOMAIN_EVENT_SHUTDOWN_FINISHED = 0,
    QV_DOMAIN_EVENT_SHUTDOWN_GUEST = 1,
    QV_DOMAIN_EVENT_SHUTDOWN_HOST = 2,
} QvDomainEventShutdownDetail;

typedef enum {
    QV_DOMAIN_EVENT_PMSUSPENDED_MEMORY = 0,
    QV_DOMAIN_EVENT_PMSUSPENDED_DISK = 1,
} QvDomainEventPMSuspendedDetail;

typedef enum {
    QV_DOMAIN_EVENT_CRASHED_PANICKED = 0,
    QV_DOMAIN_EVENT_CRASHED_CRASHLOADED = 1,
} QvDomainEventCrashedDetail;

/* virDomainBlockJobType. */
typedef enum {
    QV_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN = 0,
    QV_DOMAIN_BLOCK_JOB_TYPE_PULL = 1,
    QV_DOMAIN_BLOCK_JOB_TYPE_COPY = 2,
    QV_DOMAIN_BLOCK_JOB_TYPE_COMMIT = 3,
    QV_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT = 4,
    QV_DOMAIN_BLOCK_JOB_TYPE_BACKUP = 5,
} QvDomainBlockJobType;

/* virConnectDomainEventBlockJobStatus. */
typedef enum {
    QV_DOMAIN_BLOCK_JOB_COMPLETED = 0,
    QV_DOMAIN_BLOCK_JOB_FAILED = 1,
    QV_DOMAIN_BLOCK_JOB_CANCELED = 2,
    QV_DOMAIN_BLOCK_JOB_READY = 3,
} QvDomainBlockJobStatus;

typedef struct {
    guint64 seq;          /* set by qv_event_queue_push(): its place in the queue */
    gconstpointer source; /* the emitting driver (HypervisorDriver *) */
    int event_id;         /* QvDomainEventId */
    char *name;           /* the domain */
    unsigned char uuid[16];
    int id;
    union {
        struct {
            int type;   /* QvDomainEventType */
            int detail; /* the type's detail enum */
        } lifecycle;
        struct {
            char *disk; /* BLOCK_JOB: the source path; BLOCK_JOB_2: the target ("vda") */
            int type;   /* QvDomainBlockJobType */
            int status; /* QvDomainBlockJobStatus */
        } block_job;
        struct {
            int iteration;
        } migration_iteration;
        struct {
            QvTypedParam *params; /* the completed job's statistics */
            int nparams;
        } job_completed;
    } data;
} QvEvent;

/* Constructors: DRIVER is the emitting driver's table; NAME, UUID and ID
 * identify the domain (ID -1 when inactive). */
QvEvent *qv_event_new_lifecycle(gconstpointer driver, const char *name, const unsigned char *uuid,
                                int id, int type, int detail);
QvEvent *qv_event_new_reboot(gconstpointer driver, const char *name, const unsigned char *uuid,
                             int id);
/* EVENT_ID is QV_DOMAIN_EVENT_ID_BLOCK_JOB or _BLOCK_JOB_2. */
QvEvent *qv_event_new_block_job(gconstpointer driver, const char *name, const unsigned char *uuid,
                                int id, int event_id, const char *disk, int type, int status);
QvEvent *qv_event_new_migration_iteration(gconstpointer driver, const char *name,
                                          const unsigned char *uuid, int id, int iteration);
/* PARAMS is taken. */
QvEvent *qv_event_new_job_completed(gconstpointer driver, const char *name,
                                    const unsigned char *uuid, int id, QvTypedParam *params,
                                    int nparams);
void qv_event_free(QvEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvEvent, qv_event_free)

/* Queue EVENT (taken) for dispatch. Starts the dispatch thread if needed. */
void qv_event_queue_push(QvEvent *event);

/* Wait until every event pushed before the call has been dispatched and no
 * callback runs, or TIMEOUT_MS passes. Returns 0, or -1 with
 * OPERATION_TIMEOUT. Must not be called from a callback. */
int qv_event_flush(gint64 timeout_ms);

/* Called on the dispatch thread. DOM is a handle valid during the call (ref
 * it to keep it). EVENT is borrowed. */
typedef void (*QvDomainEventCallback)(QvConnect *conn, QvDomain *dom, const QvEvent *event,
                                      gpointer opaque);

/* Register CB on CONN for EVENT_ID, for every domain of CONN's driver or only
 * DOM (matched by UUID). Returns the callback id, or -1 with INVALID_ARG (bad
 * id, no callback) — OPAQUE is then not freed. */
int qv_event_register(QvConnect *conn, QvDomain *dom, int event_id, QvDomainEventCallback cb,
                      gpointer opaque, GDestroyNotify free_opaque);
/* Deregister CALLBACK_ID of CONN. -1 with INVALID_ARG when CONN has no such
 * registration. */
int qv_event_deregister(QvConnect *conn, int callback_id);
/* Deregister every callback of CONN (when the connection closes). */
void qv_event_deregister_all(QvConnect *conn);

/* Stop the dispatch thread after dispatching what is queued (daemon exit).
 * A later push starts a new one. Must not be called from a callback. */
void qv_event_shutdown(void);

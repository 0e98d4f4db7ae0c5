/* qemu_monitor.h: one QEMU monitor connection: socket I/O on the event loop,
 * commands sent by worker threads and matched to their replies, and QEMU's
 * events handed to the driver.
 *
 * Contract:
 * - One monitor per running domain (plus, optionally, one HMP monitor). Its
 *   socket is read and written only on the event-loop thread. A thread that
 *   sends a command queues it and waits on a condition, with a deadline
 *   (the monitor timeout, 30 s by default), for its reply. QMP replies are
 *   matched by "id": a late reply to a command that timed out is dropped
 *   with a warning. A timeout is OPERATION_TIMEOUT naming the command and
 *   the domain.
 * - EOF or an I/O error fails every waiter at once, closes the monitor and
 *   calls the eof or error callback: QEMU died or went away. A reply larger
 *   than the reply limit (10 MiB) or a line that is not a QMP message fails
 *   the command it answers, every other waiter, and closes the monitor
 *   cleanly; it never crashes the daemon.
 * - Events are parsed on the event-loop thread and passed to the event
 *   callback. Callbacks run on the event-loop thread without any monitor
 *   lock held; they may take the domain's mutex but never a job, and must
 *   not call qvirt_event_loop_remove() or qvirt_event_loop_invoke_sync().
 * - qemu_monitor_close() may be called from any thread, with or without the
 *   domain's mutex held: it never waits for the event-loop thread. After it
 *   returns no new callback starts; one already running may still finish,
 *   so handlers re-check the domain's state after taking its mutex.
 * - The monitor is reference counted. The owner (the domain) holds one
 *   reference and gives it up with qemu_monitor_close(); other holders use
 *   qemu_monitor_ref()/qemu_monitor_unref(). The socket is closed when the
 *   last reference goes. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/eventloop.h"
#include "util/json.h"

typedef struct _QemuMonitor QemuMonitor;

typedef enum {
    QEMU_MONITOR_PROTOCOL_QMP, /* JSON, -mon mode=control */
    QEMU_MONITOR_PROTOCOL_HMP, /* the human monitor on a readline chardev */
    QEMU_MONITOR_PROTOCOL_LAST
} QemuMonitorProtocol;

/* How long a command waits for its reply unless configured otherwise. */
#define QEMU_MONITOR_DEFAULT_TIMEOUT_MS (30 * 1000)
/* The largest reply (one QMP line, or one HMP output) accepted. */
#define QEMU_MONITOR_MAX_REPLY_SIZE (10 * 1024 * 1024)

/* The QMP events qvirt understands; any other is QEMU_MONITOR_EVENT_OTHER. */
typedef enum {
    QEMU_MONITOR_EVENT_OTHER,
    QEMU_MONITOR_EVENT_STOP,
    QEMU_MONITOR_EVENT_RESUME,
    QEMU_MONITOR_EVENT_SHUTDOWN,
    QEMU_MONITOR_EVENT_RESET,
    QEMU_MONITOR_EVENT_POWERDOWN,
    QEMU_MONITOR_EVENT_SUSPEND,
    QEMU_MONITOR_EVENT_WAKEUP,
    QEMU_MONITOR_EVENT_GUEST_PANICKED,
    QEMU_MONITOR_EVENT_MIGRATION,
    QEMU_MONITOR_EVENT_MIGRATION_PASS,
    QEMU_MONITOR_EVENT_JOB_STATUS_CHANGE,
    QEMU_MONITOR_EVENT_BLOCK_JOB_COMPLETED,
    QEMU_MONITOR_EVENT_BLOCK_JOB_CANCELLED,
    QEMU_MONITOR_EVENT_BLOCK_JOB_READY,
    QEMU_MONITOR_EVENT_BLOCK_JOB_ERROR,
    QEMU_MONITOR_EVENT_BLOCK_JOB_PENDING,
    QEMU_MONITOR_EVENT_BLOCK_IO_ERROR,
    QEMU_MONITOR_EVENT_DEVICE_DELETED,
    QEMU_MONITOR_EVENT_BALLOON_CHANGE,
    QEMU_MONITOR_EVENT_DUMP_COMPLETED,
    QEMU_MONITOR_EVENT_LAST
} QemuMonitorEventType;

/* The QMP name of TYPE ("STOP"); "" for OTHER. */
const char *qemu_monitor_event_type_to_string(int type);
/* The type of the QMP event NAME; OTHER for names qvirt does not know. */
int qemu_monitor_event_type_from_string(const char *name);

/* One event. Strings and DATA are borrowed: valid during the callback only.
 * Members an event does not carry are NULL, FALSE or 0. */
typedef struct {
    QemuMonitorEventType type;
    const char *name; /* QMP event name, e.g. "BLOCK_JOB_READY" */
    gint64 seconds;   /* QEMU's timestamp; -1 when it sent none */
    gint64 microseconds;
    QvirtJson *data; /* the "data" member, or NULL */

    gboolean guest;        /* SHUTDOWN, RESET: caused by the guest */
    const char *reason;    /* SHUTDOWN: reason; BLOCK_IO_ERROR, BLOCK_JOB_COMPLETED,
                            * DUMP_COMPLETED: error text */
    const char *status;    /* MIGRATION, JOB_STATUS_CHANGE, DUMP_COMPLETED(result status) */
    const char *id;        /* JOB_STATUS_CHANGE: job id */
    const char *device;    /* BLOCK_JOB_*: job id ("device", "id" for PENDING);
                            * BLOCK_IO_ERROR, DEVICE_DELETED: device */
    const char *node;      /* BLOCK_IO_ERROR: node name */
    const char *path;      /* DEVICE_DELETED: QOM path */
    const char *job_type;  /* BLOCK_JOB_*: "mirror", "stream", "commit", ... */
    const char *operation; /* BLOCK_IO_ERROR, BLOCK_JOB_ERROR: "read" or "write" */
    const char *action;    /* BLOCK_IO_ERROR, BLOCK_JOB_ERROR, GUEST_PANICKED: action taken */
    gboolean nospace;      /* BLOCK_IO_ERROR: the error was ENOSPC */
    gint64 pass;           /* MIGRATION_PASS */
    guint64 len;           /* BLOCK_JOB_*: job length; DUMP_COMPLETED: total */
    guint64 offset;        /* BLOCK_JOB_*: progress; DUMP_COMPLETED: completed */
    guint64 speed;         /* BLOCK_JOB_*: speed limit (bytes/s) */
    guint64 actual;        /* BALLOON_CHANGE: guest memory in bytes */
} QemuMonitorEvent;

/* Driver callbacks, all called on the event-loop thread (see the contract).
 * Any member may be NULL. */
typedef struct {
    void (*event)(QemuMonitor *mon, const QemuMonitorEvent *event, gpointer opaque);
    /* QEMU closed (or reset) the monitor connection: it exited or was killed.
     * Called once. */
    void (*eof)(QemuMonitor *mon, gpointer opaque);
    /* An I/O or protocol error closed the monitor. Called once, never after eof. */
    void (*error)(QemuMonitor *mon, const char *message, gpointer opaque);
} QemuMonitorCallbacks;

typedef struct {
    QemuMonitorProtocol protocol;
    const char *domain_name; /* names the domain in messages; NULL: "unknown" */
    gint64 timeout_ms;       /* reply deadline; <= 0: QEMU_MONITOR_DEFAULT_TIMEOUT_MS */
    size_t max_reply_size;   /* 0: QEMU_MONITOR_MAX_REPLY_SIZE */
    const QemuMonitorCallbacks *callbacks; /* may be NULL; must outlive the monitor */
    gpointer opaque;                       /* passed to the callbacks */
    GDestroyNotify opaque_free;            /* called on OPAQUE when the monitor is freed */
} QemuMonitorConfig;

/* Create the listening UNIX socket PATH (an old socket file there is
 * replaced) that is passed to QEMU as "-chardev socket,fd=N,server=on,
 * wait=off". Returns the descriptor (close-on-exec; the caller closes its
 * copy once QEMU has it), or -1 with an error reported. */
int qemu_monitor_listen_socket(const char *path);

/* Start a monitor on the connected socket FD, which is taken in all cases
 * (closed on failure), watched on LOOP. Commands sent before QEMU's greeting
 * (QMP) or first prompt (HMP) has arrived wait for it. Returns a monitor
 * with one reference (the owner's), or NULL with an error reported; on
 * failure CONFIG->opaque is not taken. */
QemuMonitor *qemu_monitor_open_fd(QvirtEventLoop *loop, int fd, const QemuMonitorConfig *config);

/* Connect to the UNIX socket PATH (QEMU listening on it) and start a monitor
 * there, as qemu_monitor_open_fd(). A socket nobody listens on is
 * OPERATION_FAILED naming PATH. */
QemuMonitor *qemu_monitor_open_path(QvirtEventLoop *loop, const char *path,
                                    const QemuMonitorConfig *config);

/* Close MON: fail every waiter ("monitor closed"), stop calling callbacks,
 * stop watching the socket, and release the owner's reference. NULL and a
 * monitor closed already by EOF or an error are accepted. */
void qemu_monitor_close(QemuMonitor *mon);

QemuMonitor *qemu_monitor_ref(QemuMonitor *mon);
void qemu_monitor_unref(QemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitor, qemu_monitor_unref)

/* Whether MON no longer accepts commands (closed by its owner, EOF, error). */
gboolean qemu_monitor_is_closed(QemuMonitor *mon);
QemuMonitorProtocol qemu_monitor_get_protocol(const QemuMonitor *mon);
const char *qemu_monitor_get_domain_name(const QemuMonitor *mon);
/* Change the reply deadline of later commands; <= 0 restores the default. */
void qemu_monitor_set_timeout(QemuMonitor *mon, gint64 timeout_ms);
gint64 qemu_monitor_get_timeout(QemuMonitor *mon);

/* Wait until QEMU's greeting (QMP) or first prompt (HMP) has arrived, up to
 * the monitor timeout. Commands do this by themselves; this is for callers
 * that want the greeting. Returns 0, or -1 with an error reported
 * (OPERATION_TIMEOUT, or the reason the monitor closed). */
int qemu_monitor_wait_ready(QemuMonitor *mon);
/* The greeting's "QMP" object (borrowed; NULL before it arrived or for HMP). */
QvirtJson *qemu_monitor_get_greeting(QemuMonitor *mon);
/* The HMP banner before the first prompt (new string; NULL for QMP or before
 * it arrived). */
char *qemu_monitor_get_banner(QemuMonitor *mon);

/* qemu_monitor_priv.h: what the monitor core (qemu_monitor.c) shares with
 * its two protocols (qemu_monitor_json.c, qemu_monitor_text.c) and with
 * tests. Not for use by the driver.
 *
 * The protocols format a command, hand it to qemu_monitor_send() and parse
 * the reply on the caller's thread. On the event-loop thread the core gives
 * every chunk of input to the protocol's input function, which splits it into
 * messages and calls back qemu_monitor_deliver_reply(),
 * qemu_monitor_deliver_event() or qemu_monitor_set_ready(). */
#pragma once

#include "qemu/qemu_monitor.h"
#include "util/threads.h"

/* A queued or in-flight command. */
typedef struct _QemuMonitorMessage QemuMonitorMessage;
struct _QemuMonitorMessage {
    char *cmdname; /* for messages: "query-status", "info status" */
    char *id;      /* QMP id; NULL for HMP */
    char *tx;      /* bytes to write */
    size_t txlen;
    size_t txoff;   /* bytes written so far */
    const int *fds; /* sent (SCM_RIGHTS) with the first byte; NULL once sent */
    size_t nfds;
    gboolean finished;  /* reply or error is set; the waiter owns the message */
    gboolean abandoned; /* the waiter gave up: the monitor frees the message */
    gpointer reply;     /* QvirtJson* (QMP) or char* (HMP) */
    int err_code;       /* when finished without reply: QvirtErrorCode */
    char *err_msg;
};

struct _QemuMonitor {
    gint refs; /* atomic */
    QvirtEventLoop *loop;
    QemuMonitorProtocol protocol;
    char *domain_name;
    size_t max_reply_size;
    const QemuMonitorCallbacks *callbacks;
    gpointer opaque;
    GDestroyNotify opaque_free;
    int fd; /* closed when the monitor is freed */

    QvirtMutex lock;
    QvirtCond cond; /* broadcast when a message finishes, on ready and on close */
    /* Under lock: */
    gint64 timeout_ms;
    guint watch; /* event-loop watch id; 0 once removed or being removed */
    GIOCondition watch_cond;
    gboolean ready;        /* greeting or first prompt seen */
    gboolean replied;      /* a reply to a command arrived */
    gboolean closed;       /* no further commands */
    gboolean owner_closed; /* qemu_monitor_close() was called: no more callbacks */
    int close_code;        /* error given to commands after the close */
    char *close_msg;
    guint64 serial;      /* last command id number */
    GQueue tx;           /* messages being written, in order; head is being written */
    GQueue sent;         /* written messages awaiting their reply, oldest first */
    QvirtJson *greeting; /* QMP */
    char *banner;        /* HMP */
    /* Under lock: called with each QMP command and reply (see qemu_monitor_set_recorder). */
    void (*recorder)(QemuMonitor *mon, QvirtJson *cmd, QvirtJson *reply, gpointer opaque);
    gpointer recorder_opaque;

    /* Event-loop thread only: */
    GByteArray *rx;         /* input not yet consumed */
    gboolean hmp_echo_done; /* HMP: the echo of the current command was skipped */
};

/* A monitor without a socket (for fuzzers and tests): input is given with
 * qemu_monitor_feed() on the caller's thread, which then plays the event
 * loop's part; commands cannot be sent. Free with qemu_monitor_unref(). */
QemuMonitor *qemu_monitor_new_detached(const QemuMonitorConfig *config);
/* Process DATA as if read from the socket. FALSE once the monitor failed. */
gboolean qemu_monitor_feed(QemuMonitor *mon, const char *data, size_t len);

/* Queue a command and wait for its reply, on the caller's thread. CMDNAME
 * names it in errors; ID (QMP, may be NULL for HMP) and TX are taken. FDS are
 * borrowed and must stay open until this returns. On success *ret_reply is
 * the reply (QvirtJson* for QMP, char* for HMP). On failure an error is
 * reported: OPERATION_TIMEOUT, or why the monitor closed. */
int qemu_monitor_send(QemuMonitor *mon, const char *cmdname, char *id, char *tx, size_t txlen,
                      const int *fds, size_t nfds, gpointer *ret_reply);

/* Have FUNC called on the sender's thread with every QMP command sent and
 * the reply it got (both borrowed), e.g. to record test fixtures. */
typedef void (*QemuMonitorRecorder)(QemuMonitor *mon, QvirtJson *cmd, QvirtJson *reply,
                                    gpointer opaque);
void qemu_monitor_set_recorder(QemuMonitor *mon, QemuMonitorRecorder func, gpointer opaque);

/* A fresh command id ("qvirt-17"); free with g_free. */
char *qemu_monitor_next_id(QemuMonitor *mon);

/* Event-loop thread: the reply to the command ID (QMP), or to the oldest
 * command sent (ID NULL). REPLY is taken. Returns FALSE when no command
 * waits for it (dropped with a warning). */
gboolean qemu_monitor_deliver_reply(QemuMonitor *mon, const char *id, gpointer reply);
/* Event-loop thread: call the event callback. */
void qemu_monitor_deliver_event(QemuMonitor *mon, const QemuMonitorEvent *event);
/* Event-loop thread: the greeting (QMP, GREETING taken) or banner (HMP,
 * BANNER taken) arrived; queued commands may now be written. */
void qemu_monitor_set_ready(QemuMonitor *mon, QvirtJson *greeting, char *banner);
/* Event-loop thread: whether a command has been (partly) written and waits
 * for its reply. */
gboolean qemu_monitor_has_command_in_flight(QemuMonitor *mon);
/* The name of the oldest command awaiting a reply, for error messages; new
 * string or NULL. */
char *qemu_monitor_oldest_command_name(QemuMonitor *mon);

/* Protocol input functions (event-loop thread). They consume complete
 * messages from DATA and return how many bytes they consumed, or -1 on a
 * protocol error with *ret_error set (new string). */
gssize qemu_monitor_json_io_process(QemuMonitor *mon, const char *data, size_t len,
                                    char **ret_error);
gssize qemu_monitor_text_io_process(QemuMonitor *mon, const char *data, size_t len,
                                    char **ret_error);

/* Parse one QMP line (without its line end) and act on it as the input
 * function does. Used by qemu_monitor_json_io_process and the fuzzer.
 * Returns 0, or -1 with *ret_error set. */
int qemu_monitor_json_io_process_line(QemuMonitor *mon, const char *line, size_t len,
                                      char **ret_error);

/* Fill EVENT from the QMP event message MSG. Returns 0, or -1 with
 * *ret_error set when a member the event needs is missing or mistyped. */
int qemu_monitor_json_parse_event(QvirtJson *msg, QemuMonitorEvent *event, char **ret_error);

/* ---- Helpers shared by the QMP wrapper files ---- */

/* Send CMD (taken; NULL means building it failed and is returned as -1) and
 * check its reply. On success *ret_reply is the reply (owned by the caller)
 * and *ret_data (may be NULL) its "return", borrowed from it, of type WANT
 * (json_type_null: any). */
int qemu_monitor_json_run(QemuMonitor *mon, QvirtJson *cmd, json_type want, QvirtJson **ret_reply,
                          QvirtJson **ret_data);
/* The same for a command whose "return" does not matter. */
int qemu_monitor_json_run_simple(QemuMonitor *mon, QvirtJson *cmd);

/* Typed reads of member KEY of OBJ from a reply to CMDNAME. A missing
 * REQUIRED member is INTERNAL_ERROR naming the command and the key; a
 * missing optional one leaves *ret at its zero value (NULL, false, 0) and
 * returns 0. Strings are duplicated (free with g_free). */
int qemu_monitor_json_read_string(QvirtJson *obj, const char *key, bool required,
                                  const char *cmdname, char **ret);
int qemu_monitor_json_read_bool(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                                bool *ret);
int qemu_monitor_json_read_ull(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                               unsigned long long *ret);
int qemu_monitor_json_read_ll(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                              long long *ret);
int qemu_monitor_json_read_int(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                               int *ret);
/* Check that element I of the array returned by CMDNAME is an object. */
QvirtJson *qemu_monitor_json_array_object(QvirtJson *array, size_t i, const char *cmdname);

/* A command NAME whose arguments are the members of PROPS (an object,
 * borrowed), which must have every member named in REQUIRED (NULL-ended,
 * may be NULL). NULL with INTERNAL_ERROR otherwise. */
QvirtJson *qemu_monitor_json_make_props_command(const char *name, QvirtJson *props,
                                                const char *const *required);
/* TEXT with "\r\n" and lone "\r" turned into "\n" (new string). */
char *qemu_monitor_normalize_newlines(const char *text);
/* Send CMD (taken), which returns an array of objects, and parse each item
 * with PARSE (which reports its errors and returns NULL) into a new array
 * freed with FREE_ITEM. */
int qemu_monitor_json_query_list(QemuMonitor *mon, QvirtJson *cmd, const char *cmdname,
                                 gpointer (*parse)(QvirtJson *item, const char *cmdname),
                                 GDestroyNotify free_item, GPtrArray **ret_list);

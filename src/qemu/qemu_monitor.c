/* qemu_monitor.c: the monitor core: the socket on the event loop, the queue
 * of commands, reply waits with deadlines, close and failure (the contract
 * is in qemu_monitor.h; the protocols plug in through qemu_monitor_priv.h).
 *
 * How it keeps the contract:
 * - mon->lock guards the queues and the state; the socket is only read and
 *   written in qemu_monitor_io() on the event-loop thread. A sender appends
 *   its message to mon->tx and asks the loop for G_IO_OUT; the loop writes
 *   messages in order and moves each written one to mon->sent, where the
 *   protocol finds it when its reply arrives. Senders wait on mon->cond.
 * - A sender that times out takes a message nothing was written of out of
 *   the queue; otherwise it marks it abandoned and the loop frees it when its
 *   reply (or the close) comes, logging the late reply.
 * - Closing never waits for the event-loop thread: off that thread the watch
 *   is removed by a zero-delay timer on the loop (a timer, not an invoke, so
 *   that an event loop freed first still releases its reference). The watch
 *   holds a reference, so the socket stays open until it is gone.
 * - Callbacks are called without mon->lock; whether to call them is decided
 *   under it (never after the owner closed the monitor). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_priv.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.monitor");

/* Bytes read from the socket at a time. */
#define QEMU_MONITOR_READ_CHUNK (64 * 1024)
/* Descriptors passed with one command at most (SCM_RIGHTS). */
#define QEMU_MONITOR_MAX_FDS 16

static const char *const qemu_monitor_event_names[QEMU_MONITOR_EVENT_LAST] = {
    [QEMU_MONITOR_EVENT_OTHER] = "",
    [QEMU_MONITOR_EVENT_STOP] = "STOP",
    [QEMU_MONITOR_EVENT_RESUME] = "RESUME",
    [QEMU_MONITOR_EVENT_SHUTDOWN] = "SHUTDOWN",
    [QEMU_MONITOR_EVENT_RESET] = "RESET",
    [QEMU_MONITOR_EVENT_POWERDOWN] = "POWERDOWN",
    [QEMU_MONITOR_EVENT_SUSPEND] = "SUSPEND",
    [QEMU_MONITOR_EVENT_WAKEUP] = "WAKEUP",
    [QEMU_MONITOR_EVENT_GUEST_PANICKED] = "GUEST_PANICKED",
    [QEMU_MONITOR_EVENT_MIGRATION] = "MIGRATION",
    [QEMU_MONITOR_EVENT_MIGRATION_PASS] = "MIGRATION_PASS",
    [QEMU_MONITOR_EVENT_JOB_STATUS_CHANGE] = "JOB_STATUS_CHANGE",
    [QEMU_MONITOR_EVENT_BLOCK_JOB_COMPLETED] = "BLOCK_JOB_COMPLETED",
    [QEMU_MONITOR_EVENT_BLOCK_JOB_CANCELLED] = "BLOCK_JOB_CANCELLED",
    [QEMU_MONITOR_EVENT_BLOCK_JOB_READY] = "BLOCK_JOB_READY",
    [QEMU_MONITOR_EVENT_BLOCK_JOB_ERROR] = "BLOCK_JOB_ERROR",
    [QEMU_MONITOR_EVENT_BLOCK_JOB_PENDING] = "BLOCK_JOB_PENDING",
    [QEMU_MONITOR_EVENT_BLOCK_IO_ERROR] = "BLOCK_IO_ERROR",
    [QEMU_MONITOR_EVENT_DEVICE_DELETED] = "DEVICE_DELETED",
    [QEMU_MONITOR_EVENT_BALLOON_CHANGE] = "BALLOON_CHANGE",
    [QEMU_MONITOR_EVENT_DUMP_COMPLETED] = "DUMP_COMPLETED",
};

const char *
qemu_monitor_event_type_to_string(int type)
{
    if (type < 0 || type >= QEMU_MONITOR_EVENT_LAST)
        return NULL;
    return qemu_monitor_event_names[type];
}

int
qemu_monitor_event_type_from_string(const char *name)
{
    if (!name || !*name)
        return QEMU_MONITOR_EVENT_OTHER;
    for (int i = 1; i < QEMU_MONITOR_EVENT_LAST; i++) {
        if (strcmp(qemu_monitor_event_names[i], name) == 0)
            return i;
    }
    return QEMU_MONITOR_EVENT_OTHER;
}

static void
qemu_monitor_message_free(QemuMonitor *mon, QemuMonitorMessage *msg)
{
    if (!msg)
        return;
    if (msg->reply) {
        if (mon->protocol == QEMU_MONITOR_PROTOCOL_QMP)
            json_object_put(msg->reply);
        else
            g_free(msg->reply);
    }
    g_free(msg->cmdname);
    g_free(msg->id);
    g_free(msg->tx);
    g_free(msg->err_msg);
    g_free(msg);
}

static const char *
qemu_monitor_name(const QemuMonitor *mon)
{
    return mon->domain_name;
}

QemuMonitorProtocol
qemu_monitor_get_protocol(const QemuMonitor *mon)
{
    return mon->protocol;
}

const char *
qemu_monitor_get_domain_name(const QemuMonitor *mon)
{
    return mon->domain_name;
}

/* ---- Creating and freeing ---- */

int
qemu_monitor_listen_socket(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("monitor socket path '%s' is longer than %zu bytes"), path,
                           sizeof(addr.sun_path) - 1);
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot create monitor socket '%s'"), path);
        return -1;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        qvirt_report_system_error(errno, _("cannot remove old monitor socket '%s'"), path);
        goto error;
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        qvirt_report_system_error(errno, _("cannot bind monitor socket '%s'"), path);
        goto error;
    }
    if (listen(fd, 1) < 0) {
        qvirt_report_system_error(errno, _("cannot listen on monitor socket '%s'"), path);
        goto error;
    }
    return fd;

error:
    close(fd);
    return -1;
}

static void
qemu_monitor_dispose(QemuMonitor *mon)
{
    QemuMonitorMessage *msg;

    QVIRT_DEBUG("freeing monitor %p of domain '%s'", mon, mon->domain_name);
    while ((msg = g_queue_pop_head(&mon->tx)))
        qemu_monitor_message_free(mon, msg);
    while ((msg = g_queue_pop_head(&mon->sent)))
        qemu_monitor_message_free(mon, msg);
    if (mon->fd >= 0)
        close(mon->fd);
    if (mon->opaque_free)
        mon->opaque_free(mon->opaque);
    if (mon->greeting)
        json_object_put(mon->greeting);
    if (mon->rx)
        g_byte_array_unref(mon->rx);
    g_free(mon->banner);
    g_free(mon->close_msg);
    g_free(mon->domain_name);
    qvirt_cond_clear(&mon->cond);
    qvirt_mutex_clear(&mon->lock);
    g_free(mon);
}

QemuMonitor *
qemu_monitor_ref(QemuMonitor *mon)
{
    g_atomic_int_inc(&mon->refs);
    return mon;
}

void
qemu_monitor_unref(QemuMonitor *mon)
{
    if (mon && g_atomic_int_dec_and_test(&mon->refs))
        qemu_monitor_dispose(mon);
}

static gboolean qemu_monitor_io(int fd, GIOCondition revents, gpointer opaque);

static void
qemu_monitor_watch_free(gpointer opaque)
{
    qemu_monitor_unref(opaque);
}

static gboolean qemu_monitor_process_input(QemuMonitor *mon);

/* A new monitor on FD (may be -1) with one reference and no watch. */
static QemuMonitor *
qemu_monitor_alloc(QvirtEventLoop *loop, int fd, const QemuMonitorConfig *config)
{
    QemuMonitor *mon = g_new0(QemuMonitor, 1);

    mon->refs = 1;
    mon->loop = loop;
    mon->protocol = config->protocol;
    mon->domain_name = g_strdup(config->domain_name ? config->domain_name : "unknown");
    mon->max_reply_size =
        config->max_reply_size ? config->max_reply_size : QEMU_MONITOR_MAX_REPLY_SIZE;
    mon->timeout_ms = config->timeout_ms > 0 ? config->timeout_ms : QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    mon->callbacks = config->callbacks;
    mon->fd = fd;
    mon->rx = g_byte_array_new();
    g_queue_init(&mon->tx);
    g_queue_init(&mon->sent);
    qvirt_mutex_init(&mon->lock);
    qvirt_cond_init(&mon->cond);
    return mon;
}

QemuMonitor *
qemu_monitor_new_detached(const QemuMonitorConfig *config)
{
    QemuMonitor *mon = qemu_monitor_alloc(NULL, -1, config);

    mon->opaque = config->opaque;
    mon->opaque_free = config->opaque_free;
    return mon;
}

gboolean
qemu_monitor_feed(QemuMonitor *mon, const char *data, size_t len)
{
    if (qemu_monitor_is_closed(mon))
        return FALSE;
    g_byte_array_append(mon->rx, (const guint8 *)data, len);
    return qemu_monitor_process_input(mon);
}

QemuMonitor *
qemu_monitor_open_fd(QvirtEventLoop *loop, int fd, const QemuMonitorConfig *config)
{
    QemuMonitor *mon;
    int flags;
    guint watch;

    g_return_val_if_fail(loop != NULL && config != NULL, NULL);

    if (config->protocol < 0 || config->protocol >= QEMU_MONITOR_PROTOCOL_LAST) {
        qvirt_report_internal(_("unknown monitor protocol %d"), (int)config->protocol);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (fd < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid monitor socket descriptor %d"), fd);
        return NULL;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        qvirt_report_system_error(errno, _("cannot set up monitor socket of domain '%s'"),
                                  config->domain_name ? config->domain_name : "unknown");
        close(fd);
        return NULL;
    }

    mon = qemu_monitor_alloc(loop, fd, config);
    /* The watch's reference; the lock orders this with the first dispatch. */
    qvirt_mutex_lock(&mon->lock);
    mon->watch_cond = G_IO_IN;
    watch = qvirt_event_loop_add_fd_watch(loop, fd, G_IO_IN, qemu_monitor_io, qemu_monitor_ref(mon),
                                          qemu_monitor_watch_free);
    if (watch == 0) {
        qvirt_mutex_unlock(&mon->lock);
        mon->refs = 0;
        qemu_monitor_dispose(mon);
        return NULL;
    }
    mon->watch = watch;
    /* Taken only now: a failed open leaves the opaque with the caller. */
    mon->opaque = config->opaque;
    mon->opaque_free = config->opaque_free;
    qvirt_mutex_unlock(&mon->lock);

    QVIRT_DEBUG("monitor %p (%s) of domain '%s' opened on fd %d", mon,
                mon->protocol == QEMU_MONITOR_PROTOCOL_QMP ? "QMP" : "HMP", mon->domain_name, fd);
    return mon;
}

QemuMonitor *
qemu_monitor_open_path(QvirtEventLoop *loop, const char *path, const QemuMonitorConfig *config)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("monitor socket path '%s' is longer than %zu bytes"), path,
                           sizeof(addr.sun_path) - 1);
        return NULL;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot create a socket for monitor '%s'"), path);
        return NULL;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        close(fd);
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("cannot connect to QEMU monitor '%s' of domain '%s': %s"), path,
                           config->domain_name ? config->domain_name : "unknown", g_strerror(err));
        return NULL;
    }
    return qemu_monitor_open_fd(loop, fd, config);
}

/* ---- Failing and closing ---- */

static void
qemu_monitor_finish_locked(QemuMonitor *mon, QemuMonitorMessage *msg, int code, const char *text)
{
    if (msg->abandoned) {
        QVIRT_DEBUG("dropping abandoned command '%s' of domain '%s'", msg->cmdname,
                    qemu_monitor_name(mon));
        qemu_monitor_message_free(mon, msg);
        return;
    }
    msg->finished = TRUE;
    msg->err_code = code;
    msg->err_msg = g_strdup(text);
}

/* Close MON for commands (lock held): FIRST, when not NULL, is the error of
 * the oldest command awaiting a reply; every other command fails with
 * CODE/TEXT, which later commands also get. Returns FALSE when MON was
 * already closed. */
static gboolean
qemu_monitor_fail_locked(QemuMonitor *mon, int code, const char *text, const char *first)
{
    QemuMonitorMessage *msg;
    gboolean is_first = TRUE;

    if (mon->closed)
        return FALSE;
    mon->closed = TRUE;
    mon->close_code = code;
    mon->close_msg = g_strdup(text);
    while ((msg = g_queue_pop_head(&mon->sent))) {
        qemu_monitor_finish_locked(mon, msg, code, is_first && first ? first : text);
        is_first = FALSE;
    }
    while ((msg = g_queue_pop_head(&mon->tx))) {
        qemu_monitor_finish_locked(mon, msg, code, is_first && first ? first : text);
        is_first = FALSE;
    }
    qvirt_cond_broadcast(&mon->cond);
    return TRUE;
}

static gboolean
qemu_monitor_remove_watch_cb(gpointer opaque)
{
    QemuMonitor *mon = opaque;
    guint watch;

    qvirt_mutex_lock(&mon->lock);
    watch = mon->watch;
    mon->watch = 0;
    qvirt_mutex_unlock(&mon->lock);
    qvirt_event_loop_remove(mon->loop, watch);
    return G_SOURCE_REMOVE;
}

void
qemu_monitor_close(QemuMonitor *mon)
{
    g_autofree char *text = NULL;
    guint watch = 0;

    if (!mon)
        return;

    text = g_strdup_printf(_("QEMU monitor of domain '%s' was closed"), qemu_monitor_name(mon));
    qvirt_mutex_lock(&mon->lock);
    qemu_monitor_fail_locked(mon, QVIRT_ERR_OPERATION_FAILED, text, NULL);
    mon->owner_closed = TRUE;
    if (qvirt_event_loop_is_current(mon->loop)) {
        watch = mon->watch;
        mon->watch = 0;
    }
    qvirt_mutex_unlock(&mon->lock);

    QVIRT_DEBUG("closing monitor %p of domain '%s'", mon, qemu_monitor_name(mon));
    /* QEMU sees the disconnection at once; the descriptor itself is closed
     * with the last reference, after the watch is gone. */
    if (!mon->loop) {
        /* Detached: no socket, no watch. */
        qemu_monitor_unref(mon);
        return;
    }
    shutdown(mon->fd, SHUT_RDWR);
    if (qvirt_event_loop_is_current(mon->loop)) {
        qvirt_event_loop_remove(mon->loop, watch);
    } else {
        /* Waiting here for the loop thread could deadlock with a callback
         * that waits for the domain's mutex held by our caller. */
        qvirt_event_loop_add_timeout(mon->loop, 0, qemu_monitor_remove_watch_cb,
                                     qemu_monitor_ref(mon), qemu_monitor_watch_free);
    }
    qemu_monitor_unref(mon);
}

gboolean
qemu_monitor_is_closed(QemuMonitor *mon)
{
    gboolean closed;

    qvirt_mutex_lock(&mon->lock);
    closed = mon->closed;
    qvirt_mutex_unlock(&mon->lock);
    return closed;
}

void
qemu_monitor_set_timeout(QemuMonitor *mon, gint64 timeout_ms)
{
    qvirt_mutex_lock(&mon->lock);
    mon->timeout_ms = timeout_ms > 0 ? timeout_ms : QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    qvirt_mutex_unlock(&mon->lock);
}

gint64
qemu_monitor_get_timeout(QemuMonitor *mon)
{
    gint64 ms;

    qvirt_mutex_lock(&mon->lock);
    ms = mon->timeout_ms;
    qvirt_mutex_unlock(&mon->lock);
    return ms;
}

/* The callbacks to call now, or FALSE when none may be called any more. */
static gboolean
qemu_monitor_get_callbacks(QemuMonitor *mon, const QemuMonitorCallbacks **ret_cb,
                           gpointer *ret_opaque)
{
    gboolean ok;

    qvirt_mutex_lock(&mon->lock);
    ok = !mon->owner_closed && mon->callbacks;
    *ret_cb = mon->callbacks;
    *ret_opaque = mon->opaque;
    qvirt_mutex_unlock(&mon->lock);
    return ok;
}

/* Event-loop thread: EOF, an I/O error or a protocol error. Fails every
 * waiter, stops the watch (the caller returns FALSE from its dispatch) and
 * tells the driver. */
static void
qemu_monitor_io_failed(QemuMonitor *mon, gboolean eof, int code, const char *text,
                       const char *first)
{
    const QemuMonitorCallbacks *cb;
    gpointer opaque;
    gboolean newly;

    qvirt_mutex_lock(&mon->lock);
    newly = qemu_monitor_fail_locked(mon, code, text, first);
    mon->watch = 0;
    qvirt_mutex_unlock(&mon->lock);

    if (!newly)
        return;
    if (eof)
        QVIRT_INFO("%s", text);
    else
        QVIRT_WARN("%s", first ? first : text);
    if (!qemu_monitor_get_callbacks(mon, &cb, &opaque))
        return;
    if (eof && cb->eof)
        cb->eof(mon, opaque);
    else if (!eof && cb->error)
        cb->error(mon, first ? first : text, opaque);
}

static void
qemu_monitor_protocol_error(QemuMonitor *mon, const char *reason)
{
    g_autofree char *cmdname = qemu_monitor_oldest_command_name(mon);
    g_autofree char *first = NULL;
    g_autofree char *text = NULL;

    if (cmdname) {
        first = g_strdup_printf(_("bad reply from QEMU monitor of domain '%s' to command "
                                  "'%s': %s"),
                                qemu_monitor_name(mon), cmdname, reason);
    }
    text = g_strdup_printf(_("QEMU monitor of domain '%s' was closed after a protocol "
                             "error: %s"),
                           qemu_monitor_name(mon), reason);
    qemu_monitor_io_failed(mon, FALSE, QVIRT_ERR_INTERNAL_ERROR, text, first);
}

/* ---- Writing ---- */

/* Watch for G_IO_OUT exactly while there is something to write (lock held). */
static void
qemu_monitor_update_watch_locked(QemuMonitor *mon)
{
    GIOCondition want = G_IO_IN;

    if (mon->ready && !g_queue_is_empty(&mon->tx))
        want |= G_IO_OUT;
    if (mon->watch == 0 || want == mon->watch_cond)
        return;
    if (qvirt_event_loop_update_fd_watch(mon->loop, mon->watch, want) < 0) {
        QVIRT_WARN("cannot update the watch of monitor of domain '%s': %s", qemu_monitor_name(mon),
                   qvirt_error_last_message());
        qvirt_error_reset();
        return;
    }
    mon->watch_cond = want;
}

/* Write as much of the queued messages as the socket takes (lock held).
 * Returns 0, or -1 with errno set on a write error. */
static int
qemu_monitor_write_locked(QemuMonitor *mon)
{
    QemuMonitorMessage *msg;

    while (mon->ready && (msg = g_queue_peek_head(&mon->tx))) {
        struct iovec iov = {msg->tx + msg->txoff, msg->txlen - msg->txoff};
        struct msghdr hdr = {.msg_iov = &iov, .msg_iovlen = 1};
        union {
            char buf[CMSG_SPACE(sizeof(int) * QEMU_MONITOR_MAX_FDS)];
            struct cmsghdr align;
        } control;
        ssize_t n;

        if (msg->fds && msg->nfds > 0) {
            struct cmsghdr *cmsg;

            memset(&control, 0, sizeof(control));
            hdr.msg_control = control.buf;
            hdr.msg_controllen = CMSG_SPACE(sizeof(int) * msg->nfds);
            cmsg = CMSG_FIRSTHDR(&hdr);
            cmsg->cmsg_level = SOL_SOCKET;
            cmsg->cmsg_type = SCM_RIGHTS;
            cmsg->cmsg_len = CMSG_LEN(sizeof(int) * msg->nfds);
            memcpy(CMSG_DATA(cmsg), msg->fds, sizeof(int) * msg->nfds);
        }
        do {
            n = sendmsg(mon->fd, &hdr, MSG_DONTWAIT | MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        msg->fds = NULL; /* sent with the first byte */
        msg->txoff += n;
        if (msg->txoff < msg->txlen)
            return 0; /* the socket is full */
        g_queue_pop_head(&mon->tx);
        g_queue_push_tail(&mon->sent, msg);
        QVIRT_DEBUG("sent command '%s' (id %s) to domain '%s'", msg->cmdname,
                    msg->id ? msg->id : "-", qemu_monitor_name(mon));
    }
    return 0;
}

/* ---- Reading ---- */

/* Hand the input to the protocol. Returns FALSE once the monitor failed. */
static gboolean
qemu_monitor_process_input(QemuMonitor *mon)
{
    g_autofree char *err = NULL;
    gssize consumed;

    if (mon->protocol == QEMU_MONITOR_PROTOCOL_QMP)
        consumed =
            qemu_monitor_json_io_process(mon, (const char *)mon->rx->data, mon->rx->len, &err);
    else
        consumed =
            qemu_monitor_text_io_process(mon, (const char *)mon->rx->data, mon->rx->len, &err);
    if (consumed < 0) {
        qemu_monitor_protocol_error(mon, err ? err : "unknown error");
        return FALSE;
    }
    if (consumed > 0)
        g_byte_array_remove_range(mon->rx, 0, consumed);
    if (qemu_monitor_is_closed(mon))
        return FALSE;
    if (mon->rx->len > mon->max_reply_size) {
        g_autofree char *reason =
            g_strdup_printf(_("reply exceeds %zu bytes"), mon->max_reply_size);

        qemu_monitor_protocol_error(mon, reason);
        return FALSE;
    }
    return TRUE;
}

/* Whether ERRNUM from the socket means that QEMU is gone (a killed QEMU
 * with unread input resets the connection instead of closing it). */
static gboolean
qemu_monitor_errno_is_hangup(int errnum)
{
    return errnum == ECONNRESET || errnum == EPIPE;
}

/* Event-loop thread: QEMU closed its end, or died. */
static void
qemu_monitor_hangup(QemuMonitor *mon)
{
    g_autofree char *text = g_strdup_printf(_("QEMU closed the monitor of domain '%s': "
                                              "the domain is no longer running"),
                                            qemu_monitor_name(mon));

    if (mon->rx->len > 0)
        QVIRT_DEBUG("%u bytes of an incomplete message before EOF", mon->rx->len);
    qemu_monitor_io_failed(mon, TRUE, QVIRT_ERR_OPERATION_FAILED, text, NULL);
}

/* Read what is there. Returns FALSE once the monitor failed or hit EOF. */
static gboolean
qemu_monitor_read(QemuMonitor *mon)
{
    guint8 buf[QEMU_MONITOR_READ_CHUNK];
    ssize_t n;

    do {
        n = recv(mon->fd, buf, sizeof(buf), MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
    if (n < 0 && !qemu_monitor_errno_is_hangup(errno)) {
        g_autofree char *text = g_strdup_printf(_("cannot read from QEMU monitor of domain "
                                                  "'%s': %s"),
                                                qemu_monitor_name(mon), g_strerror(errno));

        qemu_monitor_io_failed(mon, FALSE, QVIRT_ERR_OPERATION_FAILED, text, NULL);
        return FALSE;
    }
    if (n <= 0) {
        qemu_monitor_hangup(mon);
        return FALSE;
    }
    g_byte_array_append(mon->rx, buf, n);
    return qemu_monitor_process_input(mon);
}

static gboolean
qemu_monitor_io(int fd, GIOCondition revents, gpointer opaque)
{
    QemuMonitor *mon = opaque;
    int write_errno = 0;

    qvirt_mutex_lock(&mon->lock);
    if (mon->closed) {
        /* Closed elsewhere; stop watching unless a removal is under way. */
        gboolean keep = mon->watch == 0;

        mon->watch = 0;
        qvirt_mutex_unlock(&mon->lock);
        return keep;
    }
    qvirt_mutex_unlock(&mon->lock);

    if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        if (!qemu_monitor_read(mon))
            return G_SOURCE_REMOVE;
    }

    qvirt_mutex_lock(&mon->lock);
    if (mon->closed) {
        gboolean keep = mon->watch == 0;

        mon->watch = 0;
        qvirt_mutex_unlock(&mon->lock);
        return keep;
    }
    if (qemu_monitor_write_locked(mon) < 0)
        write_errno = errno;
    else
        qemu_monitor_update_watch_locked(mon);
    qvirt_mutex_unlock(&mon->lock);

    if (write_errno && qemu_monitor_errno_is_hangup(write_errno)) {
        qemu_monitor_hangup(mon);
        return G_SOURCE_REMOVE;
    }
    if (write_errno) {
        g_autofree char *text = g_strdup_printf(_("cannot write to QEMU monitor of domain "
                                                  "'%s': %s"),
                                                qemu_monitor_name(mon), g_strerror(write_errno));

        qemu_monitor_io_failed(mon, FALSE, QVIRT_ERR_OPERATION_FAILED, text, NULL);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

/* ---- For the protocols ---- */

char *
qemu_monitor_next_id(QemuMonitor *mon)
{
    guint64 serial;

    qvirt_mutex_lock(&mon->lock);
    serial = ++mon->serial;
    qvirt_mutex_unlock(&mon->lock);
    return g_strdup_printf("qvirt-%" G_GUINT64_FORMAT, serial);
}

gboolean
qemu_monitor_deliver_reply(QemuMonitor *mon, const char *id, gpointer reply)
{
    QemuMonitorMessage *msg = NULL;

    qvirt_mutex_lock(&mon->lock);
    mon->replied = TRUE;
    if (id) {
        for (GList *l = mon->sent.head; l; l = l->next) {
            QemuMonitorMessage *m = l->data;

            if (m->id && strcmp(m->id, id) == 0) {
                msg = m;
                g_queue_delete_link(&mon->sent, l);
                break;
            }
        }
    } else {
        msg = g_queue_pop_head(&mon->sent);
    }

    if (!msg) {
        qvirt_mutex_unlock(&mon->lock);
        QVIRT_WARN("dropping a QEMU monitor reply (id %s) of domain '%s' that no command "
                   "waits for",
                   id ? id : "none", qemu_monitor_name(mon));
        if (mon->protocol == QEMU_MONITOR_PROTOCOL_QMP)
            json_object_put(reply);
        else
            g_free(reply);
        return FALSE;
    }
    msg->reply = reply;
    if (msg->abandoned) {
        QVIRT_WARN("dropping late reply to QEMU monitor command '%s' (id %s) of domain '%s': "
                   "the command timed out",
                   msg->cmdname, msg->id ? msg->id : "-", qemu_monitor_name(mon));
        qemu_monitor_message_free(mon, msg);
        qvirt_mutex_unlock(&mon->lock);
        return FALSE;
    }
    msg->finished = TRUE;
    qvirt_cond_broadcast(&mon->cond);
    qvirt_mutex_unlock(&mon->lock);
    return TRUE;
}

void
qemu_monitor_deliver_event(QemuMonitor *mon, const QemuMonitorEvent *event)
{
    const QemuMonitorCallbacks *cb;
    gpointer opaque;

    QVIRT_DEBUG("event %s from domain '%s'", event->name, qemu_monitor_name(mon));
    if (!qemu_monitor_get_callbacks(mon, &cb, &opaque) || !cb->event)
        return;
    cb->event(mon, event, opaque);
}

void
qemu_monitor_set_ready(QemuMonitor *mon, QvirtJson *greeting, char *banner)
{
    qvirt_mutex_lock(&mon->lock);
    if (mon->greeting)
        json_object_put(mon->greeting);
    mon->greeting = greeting;
    g_free(mon->banner);
    mon->banner = banner;
    mon->ready = TRUE;
    qemu_monitor_update_watch_locked(mon);
    qvirt_cond_broadcast(&mon->cond);
    qvirt_mutex_unlock(&mon->lock);
}

gboolean
qemu_monitor_has_command_in_flight(QemuMonitor *mon)
{
    QemuMonitorMessage *head;
    gboolean ret;

    qvirt_mutex_lock(&mon->lock);
    head = g_queue_peek_head(&mon->tx);
    ret = !g_queue_is_empty(&mon->sent) || (head && head->txoff > 0);
    qvirt_mutex_unlock(&mon->lock);
    return ret;
}

char *
qemu_monitor_oldest_command_name(QemuMonitor *mon)
{
    QemuMonitorMessage *msg;
    char *name = NULL;

    qvirt_mutex_lock(&mon->lock);
    msg = g_queue_peek_head(&mon->sent);
    if (!msg)
        msg = g_queue_peek_head(&mon->tx);
    if (msg && (msg->txoff > 0 || !g_queue_is_empty(&mon->sent)))
        name = g_strdup(msg->cmdname);
    qvirt_mutex_unlock(&mon->lock);
    return name;
}

int
qemu_monitor_wait_ready(QemuMonitor *mon)
{
    gint64 deadline;
    gint64 timeout_ms;

    qvirt_mutex_lock(&mon->lock);
    timeout_ms = mon->timeout_ms;
    deadline = qvirt_deadline_after_ms(timeout_ms);
    while (!mon->ready && !mon->closed) {
        if (!qvirt_cond_wait_until(&mon->cond, &mon->lock, deadline) && !mon->ready &&
            !mon->closed) {
            qvirt_mutex_unlock(&mon->lock);
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               _("timed out after %" G_GINT64_FORMAT " ms waiting for the "
                                 "QEMU monitor of domain '%s' to greet"),
                               timeout_ms, qemu_monitor_name(mon));
            return -1;
        }
    }
    if (mon->closed) {
        int code = mon->close_code;
        g_autofree char *text = g_strdup(mon->close_msg);

        qvirt_mutex_unlock(&mon->lock);
        qvirt_report_error(code, "%s", text);
        return -1;
    }
    qvirt_mutex_unlock(&mon->lock);
    return 0;
}

QvirtJson *
qemu_monitor_get_greeting(QemuMonitor *mon)
{
    QvirtJson *greeting;

    qvirt_mutex_lock(&mon->lock);
    greeting = mon->greeting;
    qvirt_mutex_unlock(&mon->lock);
    return greeting;
}

char *
qemu_monitor_get_banner(QemuMonitor *mon)
{
    char *banner;

    qvirt_mutex_lock(&mon->lock);
    banner = g_strdup(mon->banner);
    qvirt_mutex_unlock(&mon->lock);
    return banner;
}

void
qemu_monitor_set_recorder(QemuMonitor *mon, QemuMonitorRecorder func, gpointer opaque)
{
    qvirt_mutex_lock(&mon->lock);
    mon->recorder = func;
    mon->recorder_opaque = opaque;
    qvirt_mutex_unlock(&mon->lock);
}

/* ---- Sending ---- */

int
qemu_monitor_send(QemuMonitor *mon, const char *cmdname, char *id, char *tx, size_t txlen,
                  const int *fds, size_t nfds, gpointer *ret_reply)
{
    QemuMonitorMessage *msg = g_new0(QemuMonitorMessage, 1);
    gint64 timeout_ms;
    gint64 deadline;
    gboolean timed_out = FALSE;
    int ret = -1;

    msg->cmdname = g_strdup(cmdname);
    msg->id = id;
    msg->tx = tx;
    msg->txlen = txlen;
    msg->fds = nfds > 0 ? fds : NULL;
    msg->nfds = nfds;

    if (nfds > QEMU_MONITOR_MAX_FDS) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("cannot pass %zu file descriptors with QEMU monitor command '%s' "
                             "(at most %d)"),
                           nfds, cmdname, QEMU_MONITOR_MAX_FDS);
        qemu_monitor_message_free(mon, msg);
        return -1;
    }

    qemu_monitor_ref(mon);
    qvirt_mutex_lock(&mon->lock);
    if (mon->closed) {
        int code = mon->close_code;
        g_autofree char *text = g_strdup(mon->close_msg);

        qvirt_mutex_unlock(&mon->lock);
        qvirt_report_error(code, "%s", text);
        qemu_monitor_message_free(mon, msg);
        qemu_monitor_unref(mon);
        return -1;
    }
    QVIRT_DEBUG("queueing command '%s' (id %s) for domain '%s'", cmdname, id ? id : "-",
                qemu_monitor_name(mon));
    g_queue_push_tail(&mon->tx, msg);
    qemu_monitor_update_watch_locked(mon);

    timeout_ms = mon->timeout_ms;
    deadline = qvirt_deadline_after_ms(timeout_ms);
    while (!msg->finished) {
        if (!qvirt_cond_wait_until(&mon->cond, &mon->lock, deadline) && !msg->finished) {
            timed_out = TRUE;
            break;
        }
    }

    if (timed_out) {
        if (msg->txoff == 0 && g_queue_remove(&mon->tx, msg)) {
            /* Nothing of it reached QEMU: forget it. */
            qemu_monitor_message_free(mon, msg);
            qemu_monitor_update_watch_locked(mon);
        } else {
            /* QEMU has it (or part of it): its reply is dropped when it comes. */
            msg->abandoned = TRUE;
            msg->fds = NULL;
        }
        qvirt_mutex_unlock(&mon->lock);
        qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                           _("timed out after %" G_GINT64_FORMAT " ms waiting for QEMU monitor "
                             "reply to command '%s' of domain '%s'"),
                           timeout_ms, cmdname, qemu_monitor_name(mon));
        qemu_monitor_unref(mon);
        return -1;
    }
    qvirt_mutex_unlock(&mon->lock);

    /* Finished: the message is ours alone now. */
    if (msg->reply) {
        *ret_reply = g_steal_pointer(&msg->reply);
        ret = 0;
    } else {
        qvirt_report_error(msg->err_code, "%s", msg->err_msg);
    }
    qemu_monitor_message_free(mon, msg);
    qemu_monitor_unref(mon);
    return ret;
}

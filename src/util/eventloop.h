/* eventloop.h: one GMainContext driven by its own thread (the "loop thread"),
 * with thread-safe helpers to watch file descriptors, run timers and run code
 * on that thread. Socket I/O for every QEMU monitor and RPC client runs here.
 *
 * Contract:
 * - qvirt_event_loop_new() starts the thread; qvirt_event_loop_free() stops
 *   it, joins it, then removes every watch and timer still present, calling
 *   their free functions on the freeing thread. Free must not be called from
 *   the loop thread, nor while another thread still uses the loop.
 * - Every other function may be called from any thread, including from a
 *   callback on the loop thread. Callbacks and invoked functions always run
 *   on the loop thread, one at a time.
 * - Ids are this loop's own (not GSource ids, never 0): unique among the live
 *   watches and timers of one loop and stable across
 *   qvirt_event_loop_update_fd_watch(). Remove each id once.
 * - After qvirt_event_loop_remove(id) returns, the callback of ID is not
 *   running and will never run again, and its free function has returned.
 *   The one exception is a callback removing its own id: it keeps running
 *   until it returns, and its free function runs right after that.
 * - A callback that returns FALSE is removed; its free function runs on the
 *   loop thread after the callback returned.
 * - The opaque's free function is called exactly once per successful add.
 *   When an add fails, nothing is taken: the caller still owns the opaque.
 * - Callbacks must not block waiting for a thread that may be inside
 *   qvirt_event_loop_remove() or qvirt_event_loop_invoke_sync() on the same
 *   loop: that thread is waiting for the loop thread. */
#pragma once

#include <glib.h>

typedef struct _QvirtEventLoop QvirtEventLoop;

/* Called on the loop thread with the events that occurred; return FALSE to
 * remove the watch (G_SOURCE_REMOVE), TRUE to keep it. */
typedef gboolean (*QvirtFdWatchFunc)(int fd, GIOCondition revents, gpointer opaque);

/* Start a loop thread named NAME. Never fails (thread creation failure aborts,
 * as GLib does). */
QvirtEventLoop *qvirt_event_loop_new(const char *name);
/* Stop and join the thread, remove remaining sources; NULL is accepted. */
void qvirt_event_loop_free(QvirtEventLoop *loop);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvirtEventLoop, qvirt_event_loop_free)

/* Watch FD for COND (G_IO_IN, G_IO_OUT, ...; G_IO_HUP and G_IO_ERR are always
 * reported). The loop does not own FD: remove the watch before closing it.
 * Returns the watch id, or 0 with an error reported (bad FD). */
guint qvirt_event_loop_add_fd_watch(QvirtEventLoop *loop, int fd, GIOCondition cond,
                                    QvirtFdWatchFunc func, gpointer opaque,
                                    GDestroyNotify free_opaque);

/* Change the events watched by fd watch ID, e.g. add G_IO_OUT while there is
 * data to send. The callback may still see one dispatch that was already
 * under way with the old events. Returns 0, or -1 with an error reported when
 * ID is not a live fd watch of LOOP. */
int qvirt_event_loop_update_fd_watch(QvirtEventLoop *loop, guint id, GIOCondition cond);

/* Call FUNC(opaque) every INTERVAL_MS milliseconds until it returns FALSE or
 * the timer is removed. Returns the timer id (never fails). */
guint qvirt_event_loop_add_timeout(QvirtEventLoop *loop, guint interval_ms, GSourceFunc func,
                                   gpointer opaque, GDestroyNotify free_opaque);

/* Remove watch or timer ID (see the contract above for the guarantee). An
 * id that is not live (already removed, or 0) is ignored. */
void qvirt_event_loop_remove(QvirtEventLoop *loop, guint id);

/* Queue FUNC(opaque) to run once on the loop thread, after the functions
 * queued before it; its return value is ignored. Also when called on the
 * loop thread, FUNC runs later, never from inside this call. */
void qvirt_event_loop_invoke(QvirtEventLoop *loop, GSourceFunc func, gpointer opaque);

/* Like qvirt_event_loop_invoke(), then wait until FUNC has returned. On the
 * loop thread itself FUNC is simply called (waiting would deadlock). There is
 * no deadline: FUNC and every callback are qvirt's own non-blocking code. */
void qvirt_event_loop_invoke_sync(QvirtEventLoop *loop, GSourceFunc func, gpointer opaque);

/* Whether the calling thread is LOOP's thread. */
gboolean qvirt_event_loop_is_current(QvirtEventLoop *loop);

/* LOOP's GMainContext, e.g. to attach GIO sources; use it only from the loop
 * thread or through GLib's thread-safe calls (g_source_attach). */
GMainContext *qvirt_event_loop_get_context(QvirtEventLoop *loop);

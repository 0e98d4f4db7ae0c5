/* eventloop.c: the event-loop thread and its watches, timers and invocations
 * (the contract is in eventloop.h).
 *
 * How it keeps the contract:
 * - Each watch or timer is a QvirtEventSource record, found by its id in
 *   loop->sources under loop->lock. The record holds its current GSource; the
 *   GSource's callback data holds a reference to the record. Ids are ours,
 *   not GSource ids, so that they survive an update.
 * - Updating an fd watch: GUnixFDSource keeps the tag that
 *   g_source_modify_unix_fd() needs to itself, and that call is not safe off
 *   the context's thread anyway. So an update builds a fresh
 *   g_unix_fd_source_new() with the new events, attaches it and destroys the
 *   old one, under loop->lock; the id and the record stay. GLib never
 *   dispatches a destroyed source, so at most a dispatch already under way
 *   still sees the old events.
 * - Removing: the loop thread records the id it is dispatching
 *   (loop->dispatching_id, set and cleared under loop->lock). A dispatch first
 *   checks, under the lock, that its record is not marked removed.
 *   qvirt_event_loop_remove() marks the record, destroys its GSource, and,
 *   when called from another thread, waits on loop->cond until the loop
 *   thread is no longer dispatching that id. Then the callback cannot be
 *   running nor start again, and remove frees the opaque itself. From inside
 *   the callback of the same id it cannot wait for itself: the dispatch frees
 *   the opaque once the callback returns.
 * Lock order: loop->lock may be held while calling GLib's thread-safe
 * main-context functions (attach, destroy). GLib never calls our code with
 * its context lock held, and the records' reference counts are atomic, so
 * the GSource callback-data free function never takes loop->lock. */
#include <config.h>

#include <glib-unix.h>

#include "util/error.h"
#include "util/eventloop.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_EVENT

QVIRT_LOG_INIT("util.eventloop");

typedef enum {
    QVIRT_EVENT_SOURCE_FD,
    QVIRT_EVENT_SOURCE_TIMEOUT,
} QvirtEventSourceKind;

/* A watch or timer. The reference count is kept here rather than in GLib's
 * atomic boxes so that the atomics sit in our (instrumented) code, where
 * ThreadSanitizer sees that the last release comes after every use. */
typedef struct {
    gint refs;            /* atomic */
    QvirtEventLoop *loop; /* not a reference: records never outlive their loop's sources */
    QvirtEventSourceKind kind;
    int fd;
    guint interval_ms;
    QvirtFdWatchFunc fd_func;
    GSourceFunc timer_func;

    /* Under loop->lock once the record is in loop->sources. */
    guint id;
    GIOCondition cond;
    GSource *source; /* current GSource (a reference), NULL once removed */
    gboolean removed;
    gboolean free_deferred; /* removed from its own callback: free after it returns */
    gpointer opaque;        /* read without the lock only by the dispatch */
    GDestroyNotify free_opaque;
} QvirtEventSource;

struct _QvirtEventLoop {
    char *name;
    GMainContext *ctx;
    GThread *thread;
    GThread *thread_self; /* the loop thread's GThread, set before new() returns */
    gint quit;            /* atomic: the thread stops iterating when set */

    QvirtMutex lock; /* pthread-based so that ThreadSanitizer sees it */
    QvirtCond cond;  /* broadcast on start, after each dispatch, and when a sync invoke ran */
    gboolean started;
    GHashTable *sources; /* id -> QvirtEventSource* (holds one reference) */
    guint next_id;
    guint dispatching_id; /* id whose callback the loop thread is running, or 0 */
};

/* A queued function; on the caller's stack for invoke_sync. */
typedef struct {
    QvirtEventLoop *loop;
    GSourceFunc func;
    gpointer opaque;
    gboolean sync;
    gboolean done; /* under loop->lock */
} QvirtEventInvoke;

static QvirtEventSource *
qvirt_event_source_new(QvirtEventLoop *loop, QvirtEventSourceKind kind)
{
    QvirtEventSource *rec = g_new0(QvirtEventSource, 1);

    rec->refs = 1;
    rec->loop = loop;
    rec->kind = kind;
    rec->fd = -1;
    return rec;
}

static QvirtEventSource *
qvirt_event_source_ref(QvirtEventSource *rec)
{
    g_atomic_int_inc(&rec->refs);
    return rec;
}

/* The opaque and the GSource have been handed over before the last release. */
static void
qvirt_event_source_release(gpointer data)
{
    QvirtEventSource *rec = data;

    if (g_atomic_int_dec_and_test(&rec->refs))
        g_free(rec);
}

static gboolean
qvirt_event_source_dispatch(QvirtEventSource *rec, GIOCondition revents)
{
    QvirtEventLoop *loop = rec->loop;
    GSource *dead = NULL;
    gpointer opaque = NULL;
    GDestroyNotify free_opaque = NULL;
    gboolean self_removed = FALSE;
    gboolean keep;

    qvirt_mutex_lock(&loop->lock);
    if (rec->removed) {
        /* Removed after GLib decided to dispatch this source. */
        qvirt_mutex_unlock(&loop->lock);
        return G_SOURCE_REMOVE;
    }
    loop->dispatching_id = rec->id;
    qvirt_mutex_unlock(&loop->lock);

    if (rec->kind == QVIRT_EVENT_SOURCE_FD)
        keep = rec->fd_func(rec->fd, revents, rec->opaque);
    else
        keep = rec->timer_func(rec->opaque);

    qvirt_mutex_lock(&loop->lock);
    if (!keep && !rec->removed) {
        /* The callback asked to be removed: the same steps as remove. */
        g_hash_table_steal(loop->sources, GUINT_TO_POINTER(rec->id));
        rec->removed = TRUE;
        dead = g_steal_pointer(&rec->source);
        g_source_destroy(dead);
        rec->free_deferred = TRUE;
        self_removed = TRUE;
    }
    if (rec->free_deferred) {
        rec->free_deferred = FALSE;
        opaque = g_steal_pointer(&rec->opaque);
        free_opaque = g_steal_pointer(&rec->free_opaque);
    }
    keep = !rec->removed;
    if (!dead && !free_opaque) {
        loop->dispatching_id = 0;
        qvirt_cond_broadcast(&loop->cond);
        qvirt_mutex_unlock(&loop->lock);
        return keep;
    }
    qvirt_mutex_unlock(&loop->lock);

    /* dispatching_id is still set: a remove of this id from another thread
     * waits until the free function below has returned too. */
    if (dead)
        g_source_unref(dead);
    if (free_opaque)
        free_opaque(opaque);
    if (self_removed)
        qvirt_event_source_release(rec); /* the table's reference; GLib still holds one */

    qvirt_mutex_lock(&loop->lock);
    loop->dispatching_id = 0;
    qvirt_cond_broadcast(&loop->cond);
    qvirt_mutex_unlock(&loop->lock);
    return keep;
}

static gboolean
qvirt_event_loop_fd_dispatch(int fd, GIOCondition revents, gpointer data)
{
    return qvirt_event_source_dispatch(data, revents);
}

static gboolean
qvirt_event_loop_timer_dispatch(gpointer data)
{
    return qvirt_event_source_dispatch(data, 0);
}

/* A new GSource for REC with its current settings (loop->lock held, or REC
 * not yet visible to other threads). */
static GSource *
qvirt_event_source_make(QvirtEventSource *rec)
{
    GSource *source;

    if (rec->kind == QVIRT_EVENT_SOURCE_FD) {
        source = g_unix_fd_source_new(rec->fd, rec->cond);
        g_source_set_callback(source, G_SOURCE_FUNC(qvirt_event_loop_fd_dispatch),
                              qvirt_event_source_ref(rec), qvirt_event_source_release);
        g_source_set_static_name(source, "qvirt-fd-watch");
    } else {
        source = g_timeout_source_new(rec->interval_ms);
        g_source_set_callback(source, qvirt_event_loop_timer_dispatch, qvirt_event_source_ref(rec),
                              qvirt_event_source_release);
        g_source_set_static_name(source, "qvirt-timeout");
    }
    return source;
}

/* Give REC an id, register it and attach its first GSource. Takes the
 * caller's reference to REC. */
static guint
qvirt_event_loop_add_source(QvirtEventLoop *loop, QvirtEventSource *rec)
{
    guint id;

    qvirt_mutex_lock(&loop->lock);
    do {
        id = loop->next_id++;
    } while (id == 0 || g_hash_table_contains(loop->sources, GUINT_TO_POINTER(id)));
    rec->id = id;
    rec->source = qvirt_event_source_make(rec);
    g_hash_table_insert(loop->sources, GUINT_TO_POINTER(id), rec);
    g_source_attach(rec->source, loop->ctx);
    qvirt_mutex_unlock(&loop->lock);
    return id;
}

guint
qvirt_event_loop_add_fd_watch(QvirtEventLoop *loop, int fd, GIOCondition cond,
                              QvirtFdWatchFunc func, gpointer opaque, GDestroyNotify free_opaque)
{
    QvirtEventSource *rec;

    g_return_val_if_fail(loop != NULL, 0);
    g_return_val_if_fail(func != NULL, 0);

    if (fd < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("cannot watch invalid file descriptor %d in event loop '%s'"), fd,
                           loop->name);
        return 0;
    }

    rec = qvirt_event_source_new(loop, QVIRT_EVENT_SOURCE_FD);
    rec->fd = fd;
    rec->cond = cond;
    rec->fd_func = func;
    rec->opaque = opaque;
    rec->free_opaque = free_opaque;
    return qvirt_event_loop_add_source(loop, rec);
}

int
qvirt_event_loop_update_fd_watch(QvirtEventLoop *loop, guint id, GIOCondition cond)
{
    QvirtEventSource *rec;
    GSource *old = NULL;

    g_return_val_if_fail(loop != NULL, -1);

    qvirt_mutex_lock(&loop->lock);
    rec = g_hash_table_lookup(loop->sources, GUINT_TO_POINTER(id));
    if (!rec || rec->kind != QVIRT_EVENT_SOURCE_FD) {
        qvirt_mutex_unlock(&loop->lock);
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("no file descriptor watch with id %u in event loop '%s'"), id,
                           loop->name);
        return -1;
    }
    if (rec->cond != cond) {
        old = rec->source;
        rec->cond = cond;
        rec->source = qvirt_event_source_make(rec);
        g_source_attach(rec->source, loop->ctx);
        g_source_destroy(old);
    }
    qvirt_mutex_unlock(&loop->lock);

    if (old)
        g_source_unref(old);
    return 0;
}

guint
qvirt_event_loop_add_timeout(QvirtEventLoop *loop, guint interval_ms, GSourceFunc func,
                             gpointer opaque, GDestroyNotify free_opaque)
{
    QvirtEventSource *rec;

    g_return_val_if_fail(loop != NULL, 0);
    g_return_val_if_fail(func != NULL, 0);

    rec = qvirt_event_source_new(loop, QVIRT_EVENT_SOURCE_TIMEOUT);
    rec->interval_ms = interval_ms;
    rec->timer_func = func;
    rec->opaque = opaque;
    rec->free_opaque = free_opaque;
    return qvirt_event_loop_add_source(loop, rec);
}

void
qvirt_event_loop_remove(QvirtEventLoop *loop, guint id)
{
    QvirtEventSource *rec = NULL;
    GSource *dead = NULL;
    gpointer opaque = NULL;
    GDestroyNotify free_opaque = NULL;
    gboolean current;

    g_return_if_fail(loop != NULL);
    if (id == 0)
        return;
    current = qvirt_event_loop_is_current(loop);

    qvirt_mutex_lock(&loop->lock);
    if (g_hash_table_steal_extended(loop->sources, GUINT_TO_POINTER(id), NULL, (gpointer *)&rec)) {
        rec->removed = TRUE;
        dead = g_steal_pointer(&rec->source);
        g_source_destroy(dead);
    }
    /* Also when ID was not found: it may have just removed itself and still
     * be running its free function on the loop thread. No deadline: the
     * callback is qvirt's own code and must not block (see eventloop.h). */
    if (!current) {
        while (loop->dispatching_id == id)
            qvirt_cond_wait(&loop->cond, &loop->lock);
    }
    if (rec) {
        if (current && loop->dispatching_id == id) {
            rec->free_deferred = TRUE; /* inside its own callback */
        } else {
            opaque = g_steal_pointer(&rec->opaque);
            free_opaque = g_steal_pointer(&rec->free_opaque);
        }
    }
    qvirt_mutex_unlock(&loop->lock);

    if (dead)
        g_source_unref(dead);
    if (free_opaque)
        free_opaque(opaque);
    if (rec)
        qvirt_event_source_release(rec);
}

static gboolean
qvirt_event_loop_invoke_dispatch(gpointer data)
{
    QvirtEventInvoke *inv = data;
    QvirtEventLoop *loop = inv->loop;
    GSourceFunc func;
    gpointer opaque;

    /* The lock pairs with the one around the attach (see queue). */
    qvirt_mutex_lock(&loop->lock);
    func = inv->func;
    opaque = inv->opaque;
    qvirt_mutex_unlock(&loop->lock);

    func(opaque);
    if (inv->sync) {
        /* INV lives on the waiter's stack: gone once the lock is released. */
        qvirt_mutex_lock(&loop->lock);
        inv->done = TRUE;
        qvirt_cond_broadcast(&loop->cond);
        qvirt_mutex_unlock(&loop->lock);
    }
    return G_SOURCE_REMOVE;
}

/* Queue INV as an idle source at default priority: sources of one priority
 * are dispatched in the order they were attached, so invocations keep their
 * order. g_main_context_invoke() is not used because it runs the function at
 * once when called on the loop thread. The attach happens under loop->lock,
 * which the dispatch takes before reading INV: GLib's own hand-over uses
 * futex-based locks that ThreadSanitizer cannot see, ours it can. */
static void
qvirt_event_loop_queue(QvirtEventLoop *loop, QvirtEventInvoke *inv, GDestroyNotify free_inv)
{
    GSource *source = g_idle_source_new();

    g_source_set_priority(source, G_PRIORITY_DEFAULT);
    g_source_set_callback(source, qvirt_event_loop_invoke_dispatch, inv, free_inv);
    g_source_set_static_name(source, "qvirt-invoke");
    qvirt_mutex_lock(&loop->lock);
    g_source_attach(source, loop->ctx);
    qvirt_mutex_unlock(&loop->lock);
    g_source_unref(source);
}

void
qvirt_event_loop_invoke(QvirtEventLoop *loop, GSourceFunc func, gpointer opaque)
{
    QvirtEventInvoke *inv;

    g_return_if_fail(loop != NULL);
    g_return_if_fail(func != NULL);

    inv = g_new0(QvirtEventInvoke, 1);
    inv->loop = loop;
    inv->func = func;
    inv->opaque = opaque;
    qvirt_event_loop_queue(loop, inv, g_free);
}

void
qvirt_event_loop_invoke_sync(QvirtEventLoop *loop, GSourceFunc func, gpointer opaque)
{
    QvirtEventInvoke inv = {.loop = loop, .func = func, .opaque = opaque, .sync = TRUE};

    g_return_if_fail(loop != NULL);
    g_return_if_fail(func != NULL);

    if (qvirt_event_loop_is_current(loop)) {
        func(opaque);
        return;
    }

    qvirt_event_loop_queue(loop, &inv, NULL);
    qvirt_mutex_lock(&loop->lock);
    while (!inv.done)
        qvirt_cond_wait(&loop->cond, &loop->lock);
    qvirt_mutex_unlock(&loop->lock);
}

gboolean
qvirt_event_loop_is_current(QvirtEventLoop *loop)
{
    return loop && loop->thread_self && loop->thread_self == g_thread_self();
}

GMainContext *
qvirt_event_loop_get_context(QvirtEventLoop *loop)
{
    g_return_val_if_fail(loop != NULL, NULL);
    return loop->ctx;
}

static gpointer
qvirt_event_loop_thread(gpointer data)
{
    QvirtEventLoop *loop = data;

    /* Makes LOOP's context the thread default (for GIO) and acquires it. */
    g_main_context_push_thread_default(loop->ctx);

    qvirt_mutex_lock(&loop->lock);
    loop->thread_self = g_thread_self();
    loop->started = TRUE;
    qvirt_cond_broadcast(&loop->cond);
    qvirt_mutex_unlock(&loop->lock);

    /* A quit flag rather than a GMainLoop: g_main_loop_quit() before
     * g_main_loop_run() starts would be lost, the flag and the context's
     * wake-up (which stays pending until the next poll) are not. */
    while (!g_atomic_int_get(&loop->quit))
        g_main_context_iteration(loop->ctx, TRUE);

    g_main_context_pop_thread_default(loop->ctx);
    return NULL;
}

QvirtEventLoop *
qvirt_event_loop_new(const char *name)
{
    QvirtEventLoop *loop = g_new0(QvirtEventLoop, 1);

    loop->name = g_strdup(name ? name : "event-loop");
    loop->ctx = g_main_context_new();
    qvirt_mutex_init(&loop->lock);
    qvirt_cond_init(&loop->cond);
    loop->sources = g_hash_table_new(g_direct_hash, g_direct_equal);
    loop->next_id = 1;
    loop->thread = g_thread_new(loop->name, qvirt_event_loop_thread, loop);

    /* Wait for thread_self so is_current() works from the first callback.
     * No deadline: the thread does nothing else before signalling. */
    qvirt_mutex_lock(&loop->lock);
    while (!loop->started)
        qvirt_cond_wait(&loop->cond, &loop->lock);
    qvirt_mutex_unlock(&loop->lock);

    QVIRT_DEBUG("event loop '%s' started", loop->name);
    return loop;
}

void
qvirt_event_loop_free(QvirtEventLoop *loop)
{
    g_autoptr(GPtrArray) left = NULL;
    GHashTableIter iter;
    gpointer value;

    if (!loop)
        return;
    g_return_if_fail(!qvirt_event_loop_is_current(loop));

    g_atomic_int_set(&loop->quit, 1);
    g_main_context_wakeup(loop->ctx);
    g_thread_join(loop->thread);
    loop->thread = NULL;
    loop->thread_self = NULL;

    /* Nothing dispatches any more: remove what is left, on this thread. */
    left = g_ptr_array_new();
    qvirt_mutex_lock(&loop->lock);
    g_hash_table_iter_init(&iter, loop->sources);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        g_ptr_array_add(left, value);
        g_hash_table_iter_steal(&iter);
    }
    qvirt_mutex_unlock(&loop->lock);

    for (guint i = 0; i < left->len; i++) {
        QvirtEventSource *rec = g_ptr_array_index(left, i);
        GSource *dead = g_steal_pointer(&rec->source);

        rec->removed = TRUE;
        g_source_destroy(dead);
        g_source_unref(dead);
        if (rec->free_opaque)
            rec->free_opaque(rec->opaque);
        qvirt_event_source_release(rec);
    }
    if (left->len > 0)
        QVIRT_DEBUG("event loop '%s' removed %u sources at exit", loop->name, left->len);

    /* Destroys the invocations that never ran (freeing their data). */
    g_main_context_unref(loop->ctx);
    g_hash_table_unref(loop->sources);
    qvirt_cond_clear(&loop->cond);
    qvirt_mutex_clear(&loop->lock);
    QVIRT_DEBUG("event loop '%s' stopped", loop->name);
    g_free(loop->name);
    g_free(loop);
}

/* test-eventloop.c: the event-loop thread: fd watches, updates, removal from
 * any thread (the callback never runs after remove returns), timers,
 * invocation order and freeing a loop that still has sources.
 *
 * Synchronisation is by QvirtMutex and QvirtCond (pthread-based, so a
 * --enable-tsan build checks it) with a generous deadline that only turns a
 * hang into a failure; nothing here measures time. "Flushing"
 * the loop means a sync invoke: once it returned, the loop thread has
 * finished the iteration that was under way and started a new one. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "suites.h"
#include "testutil.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/eventloop.h"
#include "util/threads.h"

/* Only guards against a hang; never a timing assertion. */
#define TEST_WAIT_MS (30 * 1000)

typedef struct {
    QvirtMutex lock;
    QvirtCond cond;
    QvirtEventLoop *loop;
    int fds[2];
    guint id;
    guint other_id;
    GString *data;
    guint calls;
    guint frees;
    guint in_events;
    guint out_events;
    guint limit;       /* timer: return FALSE on this call */
    guint other_frees; /* frees of the watch removed from inside a callback */
    GThread *cb_thread;
    GThread *free_thread;
    gboolean cb_was_current;
    gboolean free_was_deferred;
    gint after_remove; /* atomic: set once remove() has returned */
    gint violations;   /* atomic: callback runs after remove() returned */
    gint stop;         /* atomic: writer thread stops */
} TestWatch;

/* Wait, holding TW->lock, until EXPR holds; fail if it never does. */
#define TEST_WAIT_UNTIL(tw, expr)                                                                  \
    G_STMT_START                                                                                   \
    {                                                                                              \
        gint64 deadline_ = qvirt_deadline_from_now_ms(TEST_WAIT_MS);                               \
        qvirt_mutex_lock(&(tw)->lock);                                                             \
        while (!(expr) && qvirt_cond_wait_until(&(tw)->cond, &(tw)->lock, deadline_))              \
            ;                                                                                      \
        g_assert_true(expr);                                                                       \
        qvirt_mutex_unlock(&(tw)->lock);                                                           \
    }                                                                                              \
    G_STMT_END

static void
test_watch_init(TestWatch *tw, QvirtEventLoop *loop)
{
    memset(tw, 0, sizeof(*tw));
    qvirt_mutex_init(&tw->lock);
    qvirt_cond_init(&tw->cond);
    tw->loop = loop;
    tw->fds[0] = tw->fds[1] = -1;
    tw->data = g_string_new(NULL);
}

static void
test_watch_clear(TestWatch *tw)
{
    for (int i = 0; i < 2; i++) {
        if (tw->fds[i] >= 0)
            close(tw->fds[i]);
        tw->fds[i] = -1;
    }
    g_string_free(tw->data, TRUE);
    qvirt_cond_clear(&tw->cond);
    qvirt_mutex_clear(&tw->lock);
}

static void
test_watch_pipe(TestWatch *tw)
{
    g_assert_cmpint(pipe2(tw->fds, O_CLOEXEC), ==, 0);
}

static void
test_write(int fd, const char *text)
{
    g_assert_cmpint(write(fd, text, strlen(text)), ==, (gssize)strlen(text));
}

static guint
test_get(TestWatch *tw, const guint *field)
{
    guint value;

    qvirt_mutex_lock(&tw->lock);
    value = *field;
    qvirt_mutex_unlock(&tw->lock);
    return value;
}

static gboolean
test_noop(gpointer opaque)
{
    return G_SOURCE_REMOVE;
}

/* Let the loop thread finish what it was doing and poll again, twice. */
static void
test_flush(QvirtEventLoop *loop)
{
    qvirt_event_loop_invoke_sync(loop, test_noop, NULL);
    qvirt_event_loop_invoke_sync(loop, test_noop, NULL);
}

static gboolean
test_get_thread(gpointer opaque)
{
    *(GThread **)opaque = g_thread_self();
    return G_SOURCE_REMOVE;
}

static GThread *
test_loop_thread(QvirtEventLoop *loop)
{
    GThread *thread = NULL;

    qvirt_event_loop_invoke_sync(loop, test_get_thread, &thread);
    g_assert_nonnull(thread);
    return thread;
}

static void
test_watch_free_cb(gpointer opaque)
{
    TestWatch *tw = opaque;

    qvirt_mutex_lock(&tw->lock);
    tw->frees++;
    tw->free_thread = g_thread_self();
    qvirt_cond_broadcast(&tw->cond);
    qvirt_mutex_unlock(&tw->lock);
}

/* Reads what arrives; removes itself (returns FALSE) once 5 bytes came. */
static gboolean
test_read_cb(int fd, GIOCondition revents, gpointer opaque)
{
    TestWatch *tw = opaque;
    char buf[64];
    gssize n = read(fd, buf, sizeof(buf));
    gboolean keep;

    qvirt_mutex_lock(&tw->lock);
    tw->calls++;
    tw->cb_thread = g_thread_self();
    tw->cb_was_current = qvirt_event_loop_is_current(tw->loop);
    if (revents & G_IO_IN)
        tw->in_events++;
    if (n > 0)
        g_string_append_len(tw->data, buf, n);
    keep = tw->data->len < 5;
    qvirt_cond_broadcast(&tw->cond);
    qvirt_mutex_unlock(&tw->lock);
    return keep;
}

static void
test_eventloop_fd_watch(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("test-loop");
    GThread *loop_thread = test_loop_thread(loop);
    TestWatch tw;
    guint calls;

    test_watch_init(&tw, loop);
    test_watch_pipe(&tw);
    g_assert_false(qvirt_event_loop_is_current(loop));
    g_assert_true(loop_thread != g_thread_self());

    tw.id = qvirt_event_loop_add_fd_watch(loop, tw.fds[0], G_IO_IN, test_read_cb, &tw,
                                          test_watch_free_cb);
    g_assert_cmpuint(tw.id, !=, 0);

    test_write(tw.fds[1], "hel");
    TEST_WAIT_UNTIL(&tw, tw.data->len == 3);
    g_assert_cmpuint(test_get(&tw, &tw.frees), ==, 0);
    test_write(tw.fds[1], "lo");
    /* The callback returned FALSE after "hello": removed, freed once. */
    TEST_WAIT_UNTIL(&tw, tw.frees == 1);

    qvirt_mutex_lock(&tw.lock);
    g_assert_cmpstr(tw.data->str, ==, "hello");
    g_assert_true(tw.cb_thread == loop_thread);
    g_assert_true(tw.cb_was_current);
    g_assert_true(tw.free_thread == loop_thread);
    g_assert_cmpuint(tw.in_events, ==, tw.calls);
    calls = tw.calls;
    qvirt_mutex_unlock(&tw.lock);

    /* Removed: more data is never read. */
    test_write(tw.fds[1], "more");
    test_flush(loop);
    g_assert_cmpuint(test_get(&tw, &tw.calls), ==, calls);

    /* Its id is gone: remove ignores it, update fails. */
    qvirt_event_loop_remove(loop, tw.id);
    g_assert_cmpint(qvirt_event_loop_update_fd_watch(loop, tw.id, G_IO_IN), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "no file descriptor watch with id");

    g_clear_pointer(&loop, qvirt_event_loop_free);
    g_assert_cmpuint(tw.frees, ==, 1);
    g_assert_cmpuint(tw.calls, ==, calls);
    test_watch_clear(&tw);
}

/* Counts OUT and IN; on OUT it goes back to IN only, from the loop thread. */
static gboolean
test_update_cb(int fd, GIOCondition revents, gpointer opaque)
{
    TestWatch *tw = opaque;

    qvirt_mutex_lock(&tw->lock);
    tw->calls++;
    if (revents & G_IO_OUT) {
        tw->out_events++;
        g_assert_cmpint(qvirt_event_loop_update_fd_watch(tw->loop, tw->id, G_IO_IN), ==, 0);
    }
    if (revents & G_IO_IN) {
        char buf[64];
        gssize n = read(fd, buf, sizeof(buf));

        tw->in_events++;
        if (n > 0)
            g_string_append_len(tw->data, buf, n);
    }
    qvirt_cond_broadcast(&tw->cond);
    qvirt_mutex_unlock(&tw->lock);
    return G_SOURCE_CONTINUE;
}

static void
test_eventloop_fd_update(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("test-loop");
    TestWatch tw;
    guint id;

    test_watch_init(&tw, loop);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tw.fds), ==, 0);

    /* Writable but nothing to read: an IN-only watch stays quiet. */
    qvirt_mutex_lock(&tw.lock);
    id = qvirt_event_loop_add_fd_watch(loop, tw.fds[0], G_IO_IN, test_update_cb, &tw,
                                       test_watch_free_cb);
    g_assert_cmpuint(id, !=, 0);
    tw.id = id;
    qvirt_mutex_unlock(&tw.lock);
    test_flush(loop);
    g_assert_cmpuint(test_get(&tw, &tw.calls), ==, 0);

    /* Unchanged events: nothing to do, still fine. */
    g_assert_cmpint(qvirt_event_loop_update_fd_watch(loop, id, G_IO_IN), ==, 0);

    /* Add OUT from this thread: the socket is writable at once. */
    g_assert_cmpint(qvirt_event_loop_update_fd_watch(loop, id, G_IO_IN | G_IO_OUT), ==, 0);
    TEST_WAIT_UNTIL(&tw, tw.out_events >= 1);

    /* The callback dropped OUT again: only the data wakes it now. */
    test_write(tw.fds[1], "ping");
    TEST_WAIT_UNTIL(&tw, tw.data->len == 4);
    test_flush(loop);
    qvirt_mutex_lock(&tw.lock);
    g_assert_cmpuint(tw.out_events, ==, 1);
    g_assert_cmpstr(tw.data->str, ==, "ping");
    g_assert_cmpuint(tw.frees, ==, 0);
    qvirt_mutex_unlock(&tw.lock);

    qvirt_event_loop_remove(loop, id);
    g_assert_cmpuint(test_get(&tw, &tw.frees), ==, 1);
    g_clear_pointer(&loop, qvirt_event_loop_free);
    g_assert_cmpuint(tw.frees, ==, 1);
    test_watch_clear(&tw);
}

/* Reads one byte per call so that calls are many and short. */
static gboolean
test_count_cb(int fd, GIOCondition revents, gpointer opaque)
{
    TestWatch *tw = opaque;
    char byte;

    if (g_atomic_int_get(&tw->after_remove))
        g_atomic_int_inc(&tw->violations);
    if (read(fd, &byte, 1) < 0)
        g_assert_cmpint(errno, ==, EAGAIN);

    qvirt_mutex_lock(&tw->lock);
    tw->calls++;
    qvirt_cond_broadcast(&tw->cond);
    qvirt_mutex_unlock(&tw->lock);
    return G_SOURCE_CONTINUE;
}

static gpointer
test_writer_thread(gpointer opaque)
{
    TestWatch *tw = opaque;

    while (!g_atomic_int_get(&tw->stop)) {
        if (write(tw->fds[1], "x", 1) < 0) {
            struct pollfd pfd = {.fd = tw->fds[1], .events = POLLOUT};

            g_assert_cmpint(errno, ==, EAGAIN);
            /* The pipe is full once nobody reads: wait for room, but look
             * at the stop flag at least every 50 ms (bounded, not a sleep
             * for synchronisation: nothing else can wake us). */
            g_assert_cmpint(poll(&pfd, 1, 50), >=, 0);
        }
    }
    return NULL;
}

static void
test_eventloop_remove_other_thread(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("test-loop");

    /* Several rounds: remove lands at random points of the dispatch. */
    for (int round = 0; round < 20; round++) {
        TestWatch tw;
        GThread *writer;
        guint calls;

        test_watch_init(&tw, loop);
        test_watch_pipe(&tw);
        g_assert_true(g_unix_set_fd_nonblocking(tw.fds[0], TRUE, NULL));
        g_assert_true(g_unix_set_fd_nonblocking(tw.fds[1], TRUE, NULL));
        tw.id = qvirt_event_loop_add_fd_watch(loop, tw.fds[0], G_IO_IN, test_count_cb, &tw,
                                              test_watch_free_cb);
        g_assert_cmpuint(tw.id, !=, 0);
        writer = g_thread_new("test-writer", test_writer_thread, &tw);

        TEST_WAIT_UNTIL(&tw, tw.calls >= 20);
        qvirt_event_loop_remove(loop, tw.id);
        g_atomic_int_set(&tw.after_remove, 1);
        calls = test_get(&tw, &tw.calls);
        /* The free function has returned before remove did. */
        g_assert_cmpuint(test_get(&tw, &tw.frees), ==, 1);

        g_atomic_int_set(&tw.stop, 1);
        g_thread_join(writer);
        /* Data is still waiting in the pipe, yet nothing reads it. */
        (void)!write(tw.fds[1], "y", 1);
        test_flush(loop);
        g_assert_cmpuint(test_get(&tw, &tw.calls), ==, calls);
        g_assert_cmpint(g_atomic_int_get(&tw.violations), ==, 0);
        g_assert_cmpuint(test_get(&tw, &tw.frees), ==, 1);
        test_watch_clear(&tw);
    }
}

static void
test_other_free_cb(gpointer opaque)
{
    TestWatch *tw = opaque;

    qvirt_mutex_lock(&tw->lock);
    tw->other_frees++;
    qvirt_mutex_unlock(&tw->lock);
}

/* Removes another watch, then itself, from inside the callback. */
static gboolean
test_remove_self_cb(int fd, GIOCondition revents, gpointer opaque)
{
    TestWatch *tw = opaque;
    guint id;
    guint other_id;

    qvirt_mutex_lock(&tw->lock);
    tw->calls++;
    id = tw->id;
    other_id = tw->other_id;
    qvirt_mutex_unlock(&tw->lock);

    /* Another watch: freed before remove returns, even here. */
    qvirt_event_loop_remove(tw->loop, other_id);
    g_assert_cmpuint(test_get(tw, &tw->other_frees), ==, 1);

    /* Itself: the free waits until this callback has returned. */
    qvirt_event_loop_remove(tw->loop, id);
    qvirt_event_loop_remove(tw->loop, id);
    qvirt_mutex_lock(&tw->lock);
    tw->free_was_deferred = tw->frees == 0;
    qvirt_mutex_unlock(&tw->lock);
    return G_SOURCE_CONTINUE; /* ignored: already removed */
}

static gboolean
test_never_cb(int fd, GIOCondition revents, gpointer opaque)
{
    g_assert_not_reached();
    return G_SOURCE_REMOVE;
}

static void
test_eventloop_remove_inside_callback(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("test-loop");
    GThread *loop_thread = test_loop_thread(loop);
    TestWatch tw;
    int quiet[2];

    test_watch_init(&tw, loop);
    test_watch_pipe(&tw);
    g_assert_cmpint(pipe2(quiet, O_CLOEXEC), ==, 0);

    qvirt_mutex_lock(&tw.lock);
    tw.other_id = qvirt_event_loop_add_fd_watch(loop, quiet[0], G_IO_IN, test_never_cb, &tw,
                                                test_other_free_cb);
    tw.id = qvirt_event_loop_add_fd_watch(loop, tw.fds[0], G_IO_IN, test_remove_self_cb, &tw,
                                          test_watch_free_cb);
    g_assert_cmpuint(tw.other_id, !=, 0);
    g_assert_cmpuint(tw.id, !=, 0);
    g_assert_cmpuint(tw.id, !=, tw.other_id);
    qvirt_mutex_unlock(&tw.lock);

    test_write(tw.fds[1], "a");
    TEST_WAIT_UNTIL(&tw, tw.frees == 1);
    test_write(tw.fds[1], "b");
    test_write(quiet[1], "c");
    test_flush(loop);

    qvirt_mutex_lock(&tw.lock);
    g_assert_cmpuint(tw.calls, ==, 1);
    g_assert_cmpuint(tw.frees, ==, 1);
    g_assert_cmpuint(tw.other_frees, ==, 1);
    g_assert_true(tw.free_was_deferred);
    g_assert_true(tw.free_thread == loop_thread);
    qvirt_mutex_unlock(&tw.lock);

    g_clear_pointer(&loop, qvirt_event_loop_free);
    g_assert_cmpuint(tw.frees, ==, 1);
    g_assert_cmpuint(tw.other_frees, ==, 1);
    close(quiet[0]);
    close(quiet[1]);
    test_watch_clear(&tw);
}

/* Counts calls; returns FALSE on call number tw->limit (0: never). */
static gboolean
test_timer_cb(gpointer opaque)
{
    TestWatch *tw = opaque;
    gboolean keep;

    qvirt_mutex_lock(&tw->lock);
    tw->calls++;
    tw->cb_was_current = qvirt_event_loop_is_current(tw->loop);
    keep = tw->limit == 0 || tw->calls < tw->limit;
    qvirt_cond_broadcast(&tw->cond);
    qvirt_mutex_unlock(&tw->lock);
    return keep;
}

static void
test_eventloop_timeout(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("test-loop");
    TestWatch tw;
    TestWatch once;
    guint calls;
    guint id;

    /* Repeats until removed. */
    test_watch_init(&tw, loop);
    id = qvirt_event_loop_add_timeout(loop, 1, test_timer_cb, &tw, test_watch_free_cb);
    g_assert_cmpuint(id, !=, 0);
    TEST_WAIT_UNTIL(&tw, tw.calls >= 5);
    g_assert_true(tw.cb_was_current);
    qvirt_event_loop_remove(loop, id);
    calls = test_get(&tw, &tw.calls);
    g_assert_cmpuint(test_get(&tw, &tw.frees), ==, 1);
    test_flush(loop);
    g_assert_cmpuint(test_get(&tw, &tw.calls), ==, calls);

    /* Stops itself on the third call. */
    test_watch_init(&once, loop);
    once.limit = 3;
    id = qvirt_event_loop_add_timeout(loop, 1, test_timer_cb, &once, test_watch_free_cb);
    g_assert_cmpuint(id, !=, 0);
    TEST_WAIT_UNTIL(&once, once.frees == 1);
    test_flush(loop);
    g_assert_cmpuint(test_get(&once, &once.calls), ==, 3);

    /* A timer id is not an fd watch. */
    id = qvirt_event_loop_add_timeout(loop, 60 * 60 * 1000, test_timer_cb, &once, NULL);
    g_assert_cmpint(qvirt_event_loop_update_fd_watch(loop, id, G_IO_IN), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "no file descriptor watch");
    qvirt_event_loop_remove(loop, id);

    g_clear_pointer(&loop, qvirt_event_loop_free);
    g_assert_cmpuint(tw.frees, ==, 1);
    g_assert_cmpuint(once.frees, ==, 1);
    g_assert_cmpuint(once.calls, ==, 3);
    test_watch_clear(&tw);
    test_watch_clear(&once);
}

typedef struct {
    QvirtEventLoop *loop;
    GArray *order; /* touched only on the loop thread */
    gboolean all_on_loop;
} TestInvoke;

typedef struct {
    TestInvoke *ti;
    int value;
} TestInvokeStep;

static gboolean
test_push_cb(gpointer opaque)
{
    TestInvokeStep *step = opaque;

    if (!qvirt_event_loop_is_current(step->ti->loop))
        step->ti->all_on_loop = FALSE;
    g_array_append_val(step->ti->order, step->value);
    return G_SOURCE_CONTINUE; /* ignored: an invocation runs once */
}

static gboolean
test_nested_cb(gpointer opaque)
{
    TestInvokeStep *steps = opaque; /* 4, 5, 6 */
    TestInvoke *ti = steps[0].ti;

    /* Queued from the loop thread: runs later, not now. */
    qvirt_event_loop_invoke(ti->loop, test_push_cb, &steps[1]);
    test_push_cb(&steps[0]);
    /* Sync on the loop thread: runs right away. */
    qvirt_event_loop_invoke_sync(ti->loop, test_push_cb, &steps[2]);
    return G_SOURCE_REMOVE;
}

static void
test_eventloop_invoke_order(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("test-loop");
    TestInvoke ti = {
        .loop = loop, .order = g_array_new(FALSE, FALSE, sizeof(int)), .all_on_loop = TRUE};
    TestInvokeStep steps[] = {
        {&ti, 1}, {&ti, 2}, {&ti, 3}, {&ti, 4}, {&ti, 5}, {&ti, 6}, {&ti, 7},
    };
    const int expected[] = {1, 2, 3, 4, 6, 5, 7};

    qvirt_event_loop_invoke(loop, test_push_cb, &steps[0]);
    qvirt_event_loop_invoke(loop, test_push_cb, &steps[1]);
    qvirt_event_loop_invoke_sync(loop, test_push_cb, &steps[2]);
    g_assert_cmpuint(ti.order->len, ==, 3);

    qvirt_event_loop_invoke_sync(loop, test_nested_cb, &steps[3]);
    qvirt_event_loop_invoke_sync(loop, test_push_cb, &steps[6]);

    g_assert_cmpmem(ti.order->data, ti.order->len * sizeof(int), expected, sizeof(expected));
    g_assert_true(ti.all_on_loop);
    g_array_unref(ti.order);
}

/* Data never read: it fires on every iteration until the loop is freed. */
static gboolean
test_busy_cb(int fd, GIOCondition revents, gpointer opaque)
{
    TestWatch *tw = opaque;

    qvirt_mutex_lock(&tw->lock);
    tw->calls++;
    qvirt_cond_broadcast(&tw->cond);
    qvirt_mutex_unlock(&tw->lock);
    return G_SOURCE_CONTINUE;
}

static void
test_eventloop_free_with_sources(void)
{
    QvirtEventLoop *loop = qvirt_event_loop_new("test-loop");
    TestWatch quiet;
    TestWatch busy;
    TestWatch timer;

    test_watch_init(&quiet, loop);
    test_watch_init(&busy, loop);
    test_watch_init(&timer, loop);
    test_watch_pipe(&quiet);
    test_watch_pipe(&busy);

    g_assert_cmpuint(qvirt_event_loop_add_fd_watch(loop, quiet.fds[0], G_IO_IN, test_never_cb,
                                                   &quiet, test_watch_free_cb),
                     !=, 0);
    g_assert_cmpuint(qvirt_event_loop_add_fd_watch(loop, busy.fds[0], G_IO_IN, test_busy_cb, &busy,
                                                   test_watch_free_cb),
                     !=, 0);
    g_assert_cmpuint(qvirt_event_loop_add_timeout(loop, 60 * 60 * 1000, test_timer_cb, &timer,
                                                  test_watch_free_cb),
                     !=, 0);
    test_write(busy.fds[1], "z");
    TEST_WAIT_UNTIL(&busy, busy.calls >= 3);
    qvirt_event_loop_invoke(loop, test_noop, NULL);

    qvirt_event_loop_free(loop);
    g_assert_cmpuint(quiet.frees, ==, 1);
    g_assert_cmpuint(busy.frees, ==, 1);
    g_assert_cmpuint(timer.frees, ==, 1);
    g_assert_cmpuint(timer.calls, ==, 0);
    qvirt_event_loop_free(NULL);

    test_watch_clear(&quiet);
    test_watch_clear(&busy);
    test_watch_clear(&timer);
}

static void
test_eventloop_bad_input(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("bad-loop");
    TestWatch tw;

    test_watch_init(&tw, loop);
    qvirt_error_reset();
    g_assert_cmpuint(
        qvirt_event_loop_add_fd_watch(loop, -1, G_IO_IN, test_never_cb, &tw, test_watch_free_cb),
        ==, 0);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG,
                            "cannot watch invalid file descriptor -1 in event loop 'bad-loop'");
    /* A failed add takes nothing: the free function is not called. */
    g_assert_cmpuint(tw.frees, ==, 0);

    g_assert_cmpint(qvirt_event_loop_update_fd_watch(loop, 4242, G_IO_IN), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "id 4242 in event loop 'bad-loop'");
    g_assert_cmpint(qvirt_event_loop_update_fd_watch(loop, 0, G_IO_IN), ==, -1);

    /* Unknown ids are ignored. */
    qvirt_event_loop_remove(loop, 0);
    qvirt_event_loop_remove(loop, 4242);

    g_clear_pointer(&loop, qvirt_event_loop_free);
    g_assert_cmpuint(tw.frees, ==, 0);
    test_watch_clear(&tw);
}

void
test_eventloop_register(void)
{
    g_test_add_func("/util/eventloop/fd-watch", test_eventloop_fd_watch);
    g_test_add_func("/util/eventloop/fd-update", test_eventloop_fd_update);
    g_test_add_func("/util/eventloop/remove-other-thread", test_eventloop_remove_other_thread);
    g_test_add_func("/util/eventloop/remove-inside-callback",
                    test_eventloop_remove_inside_callback);
    g_test_add_func("/util/eventloop/timeout", test_eventloop_timeout);
    g_test_add_func("/util/eventloop/invoke-order", test_eventloop_invoke_order);
    g_test_add_func("/util/eventloop/free-with-sources", test_eventloop_free_with_sources);
    g_test_add_func("/util/eventloop/bad-input", test_eventloop_bad_input);
}

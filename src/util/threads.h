/* threads.h: mutexes and condition variables over pthreads.
 *
 * GLib's GMutex and GCond use raw futexes on Linux, which ThreadSanitizer
 * cannot see; the domain object and the job code use these instead so that
 * `--enable-tsan` builds check them for real. Condition deadlines are
 * absolute monotonic times in microseconds, as g_get_monotonic_time() gives. */
#pragma once

#include <pthread.h>
#include <glib.h>

typedef struct {
    pthread_mutex_t lock;
} QvirtMutex;

typedef struct {
    pthread_cond_t cond;
} QvirtCond;

void qvirt_mutex_init(QvirtMutex *mutex);
void qvirt_mutex_clear(QvirtMutex *mutex);
void qvirt_mutex_lock(QvirtMutex *mutex);
void qvirt_mutex_unlock(QvirtMutex *mutex);

void qvirt_cond_init(QvirtCond *cond);
void qvirt_cond_clear(QvirtCond *cond);
void qvirt_cond_wait(QvirtCond *cond, QvirtMutex *mutex);
/* Wait until signalled or DEADLINE (g_get_monotonic_time() scale) passes.
 * Returns FALSE on timeout. Spurious wake-ups return TRUE: re-check state. */
gboolean qvirt_cond_wait_until(QvirtCond *cond, QvirtMutex *mutex, gint64 deadline);
void qvirt_cond_signal(QvirtCond *cond);
void qvirt_cond_broadcast(QvirtCond *cond);

/* A monotonic deadline MS milliseconds from now, for qvirt_cond_wait_until. */
gint64 qvirt_deadline_after_ms(gint64 ms);

/* threads.c: pthread-backed mutexes and conditions (see threads.h). */
#include <config.h>

#include <errno.h>
#include <time.h>

#include "util/threads.h"

void
qvirt_mutex_init(QvirtMutex *mutex)
{
    pthread_mutexattr_t attr;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_NORMAL);
    if (pthread_mutex_init(&mutex->lock, &attr) != 0)
        g_error("cannot initialise a mutex");
    pthread_mutexattr_destroy(&attr);
}

void
qvirt_mutex_clear(QvirtMutex *mutex)
{
    pthread_mutex_destroy(&mutex->lock);
}

void
qvirt_mutex_lock(QvirtMutex *mutex)
{
    if (pthread_mutex_lock(&mutex->lock) != 0)
        g_error("cannot lock a mutex");
}

void
qvirt_mutex_unlock(QvirtMutex *mutex)
{
    if (pthread_mutex_unlock(&mutex->lock) != 0)
        g_error("cannot unlock a mutex");
}

void
qvirt_cond_init(QvirtCond *cond)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&cond->cond, &attr) != 0)
        g_error("cannot initialise a condition");
    pthread_condattr_destroy(&attr);
}

void
qvirt_cond_clear(QvirtCond *cond)
{
    pthread_cond_destroy(&cond->cond);
}

void
qvirt_cond_wait(QvirtCond *cond, QvirtMutex *mutex)
{
    pthread_cond_wait(&cond->cond, &mutex->lock);
}

gboolean
qvirt_cond_wait_until(QvirtCond *cond, QvirtMutex *mutex, gint64 deadline)
{
    struct timespec ts;

    /* g_get_monotonic_time() is CLOCK_MONOTONIC in microseconds. */
    ts.tv_sec = deadline / G_USEC_PER_SEC;
    ts.tv_nsec = (deadline % G_USEC_PER_SEC) * 1000;
    return pthread_cond_timedwait(&cond->cond, &mutex->lock, &ts) != ETIMEDOUT;
}

void
qvirt_cond_signal(QvirtCond *cond)
{
    pthread_cond_signal(&cond->cond);
}

void
qvirt_cond_broadcast(QvirtCond *cond)
{
    pthread_cond_broadcast(&cond->cond);
}

gint64
qvirt_deadline_after_ms(gint64 ms)
{
    return g_get_monotonic_time() + ms * 1000;
}

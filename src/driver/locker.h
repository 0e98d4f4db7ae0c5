/* locker.h: a scoped lock over QvirtMutex for the framework and drivers:
 *   g_autoptr(QvMutexLocker) locker = qv_mutex_locker_new(&mutex);
 * locks now and unlocks when LOCKER goes out of scope. QvirtMutex rather
 * than GMutex, so that ThreadSanitizer builds see the locking. */
#pragma once

#include <glib.h>

#include "util/threads.h"

typedef QvirtMutex QvMutexLocker;

static inline QvMutexLocker *
qv_mutex_locker_new(QvirtMutex *mutex)
{
    qvirt_mutex_lock(mutex);
    return mutex;
}

static inline void
qv_mutex_locker_free(QvMutexLocker *locker)
{
    if (locker)
        qvirt_mutex_unlock(locker);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvMutexLocker, qv_mutex_locker_free)

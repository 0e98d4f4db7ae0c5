/* deadline.h: absolute deadlines on the monotonic clock, for every wait in qvirt.
 *
 * Contract: a deadline is an absolute g_get_monotonic_time() value in
 * microseconds, the unit g_cond_wait_until() expects. It never moves with the
 * wall clock. Waits in qvirt always take one; a caller loops on its own
 * predicate (wake-ups may be spurious) and stops when the wait says time is up:
 *
 *     gint64 deadline = qvirt_deadline_from_now_ms(30 * 1000);
 *     g_mutex_lock(&mon->lock);
 *     while (!cmd->done) {
 *         if (!qvirt_cond_wait_deadline(&cmd->cond, &mon->lock, deadline))
 *             break;                           // timed out: report, give up
 *     }
 */
#pragma once

#include <glib.h>

/* The deadline MS milliseconds from now. Negative MS means now; a value too
 * large for the clock saturates to the far future instead of wrapping. */
static inline gint64
qvirt_deadline_from_now_ms(gint64 ms)
{
    gint64 now = g_get_monotonic_time();

    if (ms <= 0)
        return now;
    if (ms > (G_MAXINT64 - now) / G_TIME_SPAN_MILLISECOND)
        return G_MAXINT64;
    return now + ms * G_TIME_SPAN_MILLISECOND;
}

/* Whether DEADLINE has passed. */
static inline gboolean
qvirt_deadline_expired(gint64 deadline)
{
    return g_get_monotonic_time() >= deadline;
}

/* Milliseconds left until DEADLINE, rounded up, 0 once it has passed and
 * clamped to G_MAXINT (e.g. for poll()). */
static inline int
qvirt_deadline_remaining_ms(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    if (left <= 0)
        return 0;
    left = (left + G_TIME_SPAN_MILLISECOND - 1) / G_TIME_SPAN_MILLISECOND;
    return left > G_MAXINT ? G_MAXINT : (int)left;
}

/* Wait on COND (MUTEX held, as for g_cond_wait) until signalled or until
 * DEADLINE. Returns FALSE when the deadline has passed, TRUE otherwise (which
 * includes spurious wake-ups: re-check the predicate). */
static inline gboolean
qvirt_cond_wait_deadline(GCond *cond, GMutex *mutex, gint64 deadline)
{
    return g_cond_wait_until(cond, mutex, deadline);
}

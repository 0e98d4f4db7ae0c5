/* domain_job_priv.h: test-only hooks of the job code (see domain_job.h).
 *
 * Contract: set these only while no other thread uses the job code (before
 * starting test threads and after joining them); NULL restores the default. */
#pragma once

#include "conf/domain_job.h"

/* Clocks used for the durations in messages and for asyncStarted: MONO in
 * microseconds like g_get_monotonic_time(), REAL in microseconds since the
 * epoch like g_get_real_time(). Deadlines always use the real monotonic clock. */
void domain_job_priv_set_clocks(gint64 (*mono)(void), gint64 (*real)(void));

/* Called with the vm mutex held just before a thread starts waiting for a
 * job (each time it waits) or in domain_job_wait_event(), so tests can tell
 * that a waiter is blocked. */
void domain_job_priv_set_wait_hook(void (*hook)(DomainObj *vm, gpointer opaque), gpointer opaque);

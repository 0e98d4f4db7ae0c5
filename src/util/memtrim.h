/* memtrim.h: giving freed heap memory back to the kernel after a burst of
 * short-lived allocations (a QEMU capability probe, loading every
 * domain at start), so the daemon's resident size shows what it keeps,
 * not what it once used. */
#pragma once

/* Return the free memory at the top and inside every malloc arena to the
 * kernel where the C library can (glibc's malloc_trim); a no-op
 * elsewhere. Takes about as long as a walk over the heap: call it after
 * rare events, never per request. */
void qvirt_memory_trim(void);

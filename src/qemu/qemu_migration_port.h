/* qemu_migration_port.h: the TCP ports incoming migrations (and their NBD
 * servers) listen on, taken from the driver's range (migration_port_min
 * to migration_port_max in qemu.conf).
 *
 * Contract:
 * - Ports are reserved process-wide: two reservations never share a port
 *   until it is released, whichever driver asked. A port is handed out only
 *   if a socket could be bound to it just now (on ADDRESS, or on every
 *   address when ADDRESS is NULL or a wildcard), so ports other programs
 *   use are skipped. The socket is closed again: the caller's QEMU binds
 *   the port itself, a moment later.
 * - The search goes from the bottom of the range up (the NBD server of a
 *   storage migration searches from the top down).
 * - Thread-safe. */
#pragma once

#include <glib.h>

/* Reserve a free port in [MIN, MAX] (1 <= MIN <= MAX <= 65535) that
 * ADDRESS (an IP literal, or NULL) can listen on. 0 and *RET_PORT, or -1
 * with INVALID_ARG for a bad range or address, or OPERATION_FAILED naming
 * the range when no port is free. */
int qemu_migration_port_acquire(guint min, guint max, const char *address, int *ret_port);

/* Give PORT back; 0 and ports not reserved are ignored. */
void qemu_migration_port_release(int port);

/* Whether PORT is reserved (for tests). */
gboolean qemu_migration_port_is_reserved(int port);

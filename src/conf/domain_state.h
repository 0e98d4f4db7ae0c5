/* domain_state.h: domain states and their reasons, with libvirt's numbering
 * (virDomainState and the per-state reason enums) and the strings that the
 * status XML stores ("running"/"booted", "shutoff"/"crashed", ...). */
#pragma once

#include <glib.h>

#include "util/enum.h"

typedef enum {
    DOMAIN_STATE_NOSTATE = 0,
    DOMAIN_STATE_RUNNING = 1,
    DOMAIN_STATE_BLOCKED = 2,
    DOMAIN_STATE_PAUSED = 3,
    DOMAIN_STATE_SHUTDOWN = 4,
    DOMAIN_STATE_SHUTOFF = 5,
    DOMAIN_STATE_CRASHED = 6,
    DOMAIN_STATE_PMSUSPENDED = 7,
    DOMAIN_STATE_LAST
} DomainState;

typedef enum {
    DOMAIN_RUNNING_UNKNOWN = 0,
    DOMAIN_RUNNING_BOOTED = 1,
    DOMAIN_RUNNING_MIGRATED = 2,
    DOMAIN_RUNNING_RESTORED = 3,
    DOMAIN_RUNNING_FROM_SNAPSHOT = 4,
    DOMAIN_RUNNING_UNPAUSED = 5,
    DOMAIN_RUNNING_MIGRATION_CANCELED = 6,
    DOMAIN_RUNNING_SAVE_CANCELED = 7,
    DOMAIN_RUNNING_WAKEUP = 8,
    DOMAIN_RUNNING_CRASHED = 9,
    DOMAIN_RUNNING_POSTCOPY = 10,
    DOMAIN_RUNNING_POSTCOPY_FAILED = 11,
    DOMAIN_RUNNING_LAST
} DomainRunningReason;

typedef enum {
    DOMAIN_PAUSED_UNKNOWN = 0,
    DOMAIN_PAUSED_USER = 1,
    DOMAIN_PAUSED_MIGRATION = 2,
    DOMAIN_PAUSED_SAVE = 3,
    DOMAIN_PAUSED_DUMP = 4,
    DOMAIN_PAUSED_IOERROR = 5,
    DOMAIN_PAUSED_WATCHDOG = 6,
    DOMAIN_PAUSED_FROM_SNAPSHOT = 7,
    DOMAIN_PAUSED_SHUTTING_DOWN = 8,
    DOMAIN_PAUSED_SNAPSHOT = 9,
    DOMAIN_PAUSED_CRASHED = 10,
    DOMAIN_PAUSED_STARTING_UP = 11,
    DOMAIN_PAUSED_POSTCOPY = 12,
    DOMAIN_PAUSED_POSTCOPY_FAILED = 13,
    DOMAIN_PAUSED_API_ERROR = 14,
    DOMAIN_PAUSED_LAST
} DomainPausedReason;

typedef enum {
    DOMAIN_SHUTDOWN_UNKNOWN = 0,
    DOMAIN_SHUTDOWN_USER = 1,
    DOMAIN_SHUTDOWN_LAST
} DomainShutdownReason;

typedef enum {
    DOMAIN_SHUTOFF_UNKNOWN = 0,
    DOMAIN_SHUTOFF_SHUTDOWN = 1,
    DOMAIN_SHUTOFF_DESTROYED = 2,
    DOMAIN_SHUTOFF_CRASHED = 3,
    DOMAIN_SHUTOFF_MIGRATED = 4,
    DOMAIN_SHUTOFF_SAVED = 5,
    DOMAIN_SHUTOFF_FAILED = 6,
    DOMAIN_SHUTOFF_FROM_SNAPSHOT = 7,
    DOMAIN_SHUTOFF_DAEMON = 8,
    DOMAIN_SHUTOFF_LAST
} DomainShutoffReason;

typedef enum {
    DOMAIN_CRASHED_UNKNOWN = 0,
    DOMAIN_CRASHED_PANICKED = 1,
    DOMAIN_CRASHED_LAST
} DomainCrashedReason;

QVIRT_ENUM_DECL(domain_state);

/* Reason strings depend on the state; NULL / -1 when out of range. */
const char *domain_state_reason_to_string(int state, int reason);
int domain_state_reason_from_string(int state, const char *str);

/* Whether a domain in STATE has a QEMU process (anything but shutoff and nostate). */
gboolean domain_state_is_active(int state);

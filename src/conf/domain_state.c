/* domain_state.c: string tables for domain states and reasons (see domain_state.h). */
#include <config.h>

#include "conf/domain_state.h"
#include "util/enum.h"

QVIRT_ENUM_IMPL(domain_state, DOMAIN_STATE_LAST,
                "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed",
                "pmsuspended");

static const char *const domain_running_reason_names[DOMAIN_RUNNING_LAST] = {
    "unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
    "migration canceled", "save canceled", "wakeup", "crashed", "post-copy",
    "post-copy failed",
};

static const char *const domain_paused_reason_names[DOMAIN_PAUSED_LAST] = {
    "unknown", "user", "migration", "save", "dump", "ioerror", "watchdog", "from snapshot",
    "shutdown", "snapshot", "panicked", "starting up", "post-copy", "post-copy failed",
    "api error",
};

static const char *const domain_shutdown_reason_names[DOMAIN_SHUTDOWN_LAST] = {
    "unknown", "user",
};

static const char *const domain_shutoff_reason_names[DOMAIN_SHUTOFF_LAST] = {
    "unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
    "from snapshot", "daemon",
};

static const char *const domain_crashed_reason_names[DOMAIN_CRASHED_LAST] = {
    "unknown", "panicked",
};

static const char *const domain_unknown_only_names[1] = { "unknown" };

static const char *const *
domain_state_reason_table(int state, int *ret_len)
{
    switch (state) {
    case DOMAIN_STATE_RUNNING:
        *ret_len = DOMAIN_RUNNING_LAST;
        return domain_running_reason_names;
    case DOMAIN_STATE_PAUSED:
        *ret_len = DOMAIN_PAUSED_LAST;
        return domain_paused_reason_names;
    case DOMAIN_STATE_SHUTDOWN:
        *ret_len = DOMAIN_SHUTDOWN_LAST;
        return domain_shutdown_reason_names;
    case DOMAIN_STATE_SHUTOFF:
        *ret_len = DOMAIN_SHUTOFF_LAST;
        return domain_shutoff_reason_names;
    case DOMAIN_STATE_CRASHED:
        *ret_len = DOMAIN_CRASHED_LAST;
        return domain_crashed_reason_names;
    case DOMAIN_STATE_NOSTATE:
    case DOMAIN_STATE_BLOCKED:
    case DOMAIN_STATE_PMSUSPENDED:
        *ret_len = 1;
        return domain_unknown_only_names;
    default:
        *ret_len = 0;
        return NULL;
    }
}

const char *
domain_state_reason_to_string(int state, int reason)
{
    int len;
    const char *const *table = domain_state_reason_table(state, &len);

    return table ? qvirt_enum_to_string(table, len, reason) : NULL;
}

int
domain_state_reason_from_string(int state, const char *str)
{
    int len;
    const char *const *table = domain_state_reason_table(state, &len);

    if (!table)
        return -1;
    return qvirt_enum_from_string(table, len, str);
}

gboolean
domain_state_is_active(int state)
{
    return state != DOMAIN_STATE_SHUTOFF && state != DOMAIN_STATE_NOSTATE;
}

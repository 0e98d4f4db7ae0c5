/* crashpoint.c: the armed crash point and the check behind
 * qvirt_crash_point() (see crashpoint.h for the contract). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/crashpoint.h"
#include "util/crashpoint_priv.h"
#include "util/log.h"

QVIRT_LOG_INIT("util.crashpoint");

/* Until the environment is read the armed pointer holds this marker, so
 * that the first point reached takes the slow path and reads it. */
static const char crash_point_unread[] = "(QVIRT_CRASH_POINT not read yet)";

const char *volatile qvirt_crash_point_armed = crash_point_unread;

static GMutex crash_point_lock;
static char *crash_point_name; /* owned copy of the variable, or NULL */

/* Every documented point (docs/crashpoints.md). */
static const char *const crash_point_known[] = {
    /* right after a migration phase is persisted: "<async job>-<phase>" */
    "migration-out-begin3",
    "migration-out-perform3",
    "migration-out-perform3_done",
    "migration-out-confirm3_cancelled",
    "migration-out-confirm3",
    "migration-out-postcopy_failed",
    "migration-out-begin_resume",
    "migration-out-perform_resume",
    "migration-out-confirm_resume",
    "migration-in-prepare",
    "migration-in-finish3",
    "migration-in-postcopy_failed",
    "migration-in-prepare_resume",
    "migration-in-finish_resume",
    /* around the side effects */
    "migrate-before",
    "migrate-after",
    "mirrors-ready",
    "migrate-continue-before",
    "migrate-continue-after",
    "dst-cont-before",
    "dst-cont-after",
    "source-kill-before",
    "source-kill-after",
    "save-started",
    "save-renamed",
    "qemu-spawn-unrecorded",
    "qemu-spawned",
    NULL,
};

const char *const *
qvirt_crash_point_names(void)
{
    return crash_point_known;
}

static gboolean
crash_point_is_known(const char *name)
{
    for (size_t i = 0; crash_point_known[i]; i++) {
        if (strcmp(crash_point_known[i], name) == 0)
            return TRUE;
    }
    return FALSE;
}

void
qvirt_crash_point_init(void)
{
    const char *value;

    g_mutex_lock(&crash_point_lock);
    if (qvirt_crash_point_armed != crash_point_unread) {
        g_mutex_unlock(&crash_point_lock);
        return;
    }
    value = getenv("QVIRT_CRASH_POINT");
    if (value && *value) {
        crash_point_name = g_strdup(value);
        if (!crash_point_is_known(value))
            QVIRT_WARN("QVIRT_CRASH_POINT='%s' names no documented crash point "
                       "(docs/crashpoints.md)",
                       value);
        else
            QVIRT_INFO("crash point '%s' armed", value);
    }
    qvirt_crash_point_armed = crash_point_name;
    g_mutex_unlock(&crash_point_lock);
}

const char *
qvirt_crash_point_get(void)
{
    if (qvirt_crash_point_armed == crash_point_unread)
        qvirt_crash_point_init();
    return qvirt_crash_point_armed;
}

static G_GNUC_NORETURN void
crash_point_fire(const char *name)
{
    QVIRT_INFO("crash point '%s' reached: exiting with status 1 (QVIRT_CRASH_POINT)", name);
    _exit(1);
}

void
qvirt_crash_point_check(const char *name)
{
    const char *armed = qvirt_crash_point_get();

    if (armed && name && strcmp(armed, name) == 0)
        crash_point_fire(name);
}

void
qvirt_crash_point_check2(const char *first, const char *second)
{
    const char *armed = qvirt_crash_point_get();
    size_t len;

    if (!armed || !first || !second)
        return;
    len = strlen(first);
    if (strncmp(armed, first, len) == 0 && armed[len] == '-' &&
        strcmp(armed + len + 1, second) == 0)
        crash_point_fire(armed);
}

void
qvirt_crash_point_reset(void)
{
    g_mutex_lock(&crash_point_lock);
    qvirt_crash_point_armed = crash_point_unread;
    g_clear_pointer(&crash_point_name, g_free);
    g_mutex_unlock(&crash_point_lock);
}

/* crashpoint.h: named crash points, a testing aid for restart recovery.
 *
 * Contract:
 * - QVIRT_CRASH_POINT=<name> in qvirtd's environment arms one point. The
 *   variable is read once: by qvirt_crash_point_init() (qvirtd calls it
 *   early in main) or, failing that, by the first point reached.
 * - qvirt_crash_point("name") does nothing unless NAME is the armed point;
 *   then it writes one info-level line ("crash point 'NAME' reached") to
 *   the log outputs (written with write(2), so nothing is left in a buffer)
 *   and ends the process at once with _exit(1): no atexit handlers, no
 *   clean-up, no status written, as if the daemon had been killed there.
 * - When nothing is armed a point costs one pointer comparison.
 * - Every point is listed in qvirt_crash_point_names() and documented in
 *   docs/crashpoints.md (a unit test checks the two agree). Arming a name
 *   that is not listed logs a warning at init and otherwise works. */
#pragma once

#include <glib.h>

/* The armed state: NULL when no point is armed; internal, use the macros. */
extern const char *volatile qvirt_crash_point_armed;

/* Read QVIRT_CRASH_POINT (only the first call does anything). */
void qvirt_crash_point_init(void);

/* Slow paths of the inline checks below; internal. */
void qvirt_crash_point_check(const char *name);
void qvirt_crash_point_check2(const char *first, const char *second);

/* Crash here (see above) when NAME is the armed point. */
static inline void
qvirt_crash_point(const char *name)
{
    if (G_UNLIKELY(qvirt_crash_point_armed != NULL))
        qvirt_crash_point_check(name);
}

/* Crash here when "FIRST-SECOND" is the armed point (for names built from
 * two parts, e.g. a job and its phase); nothing is allocated. */
static inline void
qvirt_crash_point_join(const char *first, const char *second)
{
    if (G_UNLIKELY(qvirt_crash_point_armed != NULL))
        qvirt_crash_point_check2(first, second);
}

/* The armed point's name, or NULL (reads the environment if not done yet). */
const char *qvirt_crash_point_get(void);

/* The documented points, NULL-terminated. */
const char *const *qvirt_crash_point_names(void);

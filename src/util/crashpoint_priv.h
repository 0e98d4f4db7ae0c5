/* crashpoint_priv.h: test-only access to the crash points' state. */
#pragma once

#include "util/crashpoint.h"

/* Forget the armed point and whether QVIRT_CRASH_POINT was read, so that
 * the next init or point reads the environment again. Single-threaded
 * tests only. */
void qvirt_crash_point_reset(void);

/* driver_priv.h: framework-internal and test-only access to the driver
 * registry. Not for drivers. */
#pragma once

#include "driver/driver.h"

/* Offer CONN (its uri and flags set, no driver yet) to the registered
 * drivers as driver.h describes. On success conn->driver is set and 0 is
 * returned; otherwise -1 with the driver's error, or NO_CONNECT when no
 * driver accepted the URI. */
int qv_driver_open_connection(QvConnect *conn, unsigned int flags);

/* The URI to open when none is given: $QVIRT_DEFAULT_URI, else the first
 * local driver's connect_uri_probe answer. NULL with NO_CONNECT when there
 * is none. */
char *qv_driver_default_uri(void);

/* How many drivers are registered; drop those registered after the first
 * COUNT (a module whose registration function failed half-way). */
guint qv_driver_registry_count(void);
void qv_driver_registry_truncate(guint count);

/* Forget the loaded-module table (module.c). */
void qv_driver_module_forget_all(void);

/* Forget every registered driver, state driver and loaded module (modules
 * stay mapped: loading one again calls its registration function again).
 * Tests only; no connection may be open. */
void qv_driver_registry_reset(void);

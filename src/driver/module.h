/* module.h: loading hypervisor drivers from shared modules.
 *
 * A driver module NAME is the file "qvirt_driver_NAME.so" in the driver
 * folder: $QVIRT_DRIVER_DIR when set (the build tree uses it), else the
 * install folder ($(pkglibdir)/drivers). It exports one function,
 * "qvirt_driver_NAME_register", which registers its tables with
 * qv_driver_register() and returns 0, or -1 with an error reported.
 *
 * Contract:
 * - Loading is idempotent: a module already loaded is not loaded again.
 * - Every failure reports one error naming the file: a bad module name
 *   (INVALID_ARG), a missing file, a file the dynamic loader refuses (with
 *   its message), a missing registration symbol, or a failed registration
 *   (OPERATION_FAILED, or the registration function's own error). A module
 *   whose registration fails leaves nothing registered and is unloaded.
 * - Loaded modules stay mapped until the process exits. */
#pragma once

#include <glib.h>

/* Declares the registration function of driver module NAME, for the module
 * itself (it must have a prototype) and for tests. */
#define QV_DRIVER_MODULE_DECLARE(name) int qvirt_driver_##name##_register(void)

/* The folder modules are loaded from; a new string. */
char *qv_driver_module_dir(void);

/* Load module NAME ([a-z0-9_]+) and run its registration function. Returns
 * 0, or -1 with an error reported. */
int qv_driver_module_load(const char *name);

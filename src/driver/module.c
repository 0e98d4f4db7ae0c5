/* module.c: the driver module loader (see module.h for the contract). */
#include <config.h>

#include <gmodule.h>
#include <string.h>

#include "driver/driver_priv.h"
#include "driver/locker.h"
#include "driver/module.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("driver.module");

#ifndef QVIRT_DRIVER_INSTALL_DIR
#error "QVIRT_DRIVER_INSTALL_DIR must be defined by the build"
#endif

typedef int (*DriverModuleRegisterFunc)(void);

static QvirtMutex module_lock = {PTHREAD_MUTEX_INITIALIZER};
/* Names of the modules loaded and registered. */
static GHashTable *module_loaded;

char *
qv_driver_module_dir(void)
{
    const char *env = g_getenv("QVIRT_DRIVER_DIR");

    return g_strdup(env && *env ? env : QVIRT_DRIVER_INSTALL_DIR);
}

static gboolean
module_valid_name(const char *name)
{
    if (!name || !*name)
        return FALSE;
    for (const char *p = name; *p; p++) {
        if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_')
            return FALSE;
    }
    return TRUE;
}

/* Open PATH, find SYMBOL and run it. On failure the module is closed again. */
static int
module_open_and_register(const char *path, const char *symbol)
{
    GModule *module;
    gpointer func = NULL;
    guint before;
    int rc;

    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("driver module '%s' does not exist (QVIRT_DRIVER_DIR selects the "
                             "folder of the driver modules)"),
                           path);
        return -1;
    }
    module = g_module_open(path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
    if (!module) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("cannot load driver module '%s': %s"),
                           path, g_module_error());
        return -1;
    }
    if (!g_module_symbol(module, symbol, &func) || !func) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("driver module '%s' does not export '%s': %s"), path, symbol,
                           g_module_error());
        g_module_close(module);
        return -1;
    }

    before = qv_driver_registry_count();
    rc = ((DriverModuleRegisterFunc)func)();
    if (rc < 0) {
        g_autoptr(QvirtError) saved = NULL;

        if (!qvirt_error_get_last())
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("driver module '%s' failed to register its driver"), path);
        saved = qvirt_error_save();
        qv_driver_registry_truncate(before);
        g_module_close(module);
        qvirt_error_restore(g_steal_pointer(&saved));
        return -1;
    }
    g_module_make_resident(module);
    QVIRT_INFO("loaded driver module '%s'", path);
    return 0;
}

int
qv_driver_module_load(const char *name)
{
    g_autoptr(QvMutexLocker) locker = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *file = NULL;
    g_autofree char *path = NULL;
    g_autofree char *symbol = NULL;

    if (!module_valid_name(name)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("invalid driver module name '%s': expected lowercase letters, digits "
                             "and '_'"),
                           name ? name : "");
        return -1;
    }
    locker = qv_mutex_locker_new(&module_lock);
    if (!module_loaded)
        module_loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (g_hash_table_contains(module_loaded, name))
        return 0;

    dir = qv_driver_module_dir();
    file = g_strdup_printf("qvirt_driver_%s.so", name);
    path = g_build_filename(dir, file, NULL);
    symbol = g_strdup_printf("qvirt_driver_%s_register", name);
    if (module_open_and_register(path, symbol) < 0)
        return -1;
    g_hash_table_add(module_loaded, g_strdup(name));
    return 0;
}

void
qv_driver_module_forget_all(void)
{
    g_autoptr(QvMutexLocker) locker = qv_mutex_locker_new(&module_lock);

    if (module_loaded)
        g_hash_table_remove_all(module_loaded);
}

/* driver.c: the registry of hypervisor and state drivers, connection routing
 * and the state driver calls (see driver.h for the contract). */
#include <config.h>

#include <string.h>

#include "driver/driver_priv.h"
#include "driver/locker.h"
#include "driver/module.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("driver.registry");

#define DRIVER_REGISTRY_MAX 16

typedef struct {
    const HypervisorDriver *driver;
    const QvStateDriver *state;
    gboolean initialized; /* state_initialize succeeded */
} DriverEntry;

static QvirtMutex driver_lock = {PTHREAD_MUTEX_INITIALIZER};
static DriverEntry driver_entries[DRIVER_REGISTRY_MAX];
static guint driver_count;

int
qv_driver_register(const HypervisorDriver *driver, const QvStateDriver *state)
{
    g_autoptr(QvMutexLocker) locker = NULL;

    if (!driver || !driver->name || !*driver->name || !driver->connect_open) {
        qvirt_report_internal(_("a hypervisor driver needs a name and a connect_open function"));
        return -1;
    }
    locker = qv_mutex_locker_new(&driver_lock);
    for (guint i = 0; i < driver_count; i++) {
        if (g_ascii_strcasecmp(driver_entries[i].driver->name, driver->name) == 0) {
            qvirt_report_internal(_("driver '%s' is already registered"), driver->name);
            return -1;
        }
    }
    if (driver_count == DRIVER_REGISTRY_MAX) {
        qvirt_report_internal(_("cannot register driver '%s': already %d drivers registered"),
                              driver->name, DRIVER_REGISTRY_MAX);
        return -1;
    }
    driver_entries[driver_count].driver = driver;
    driver_entries[driver_count].state = state;
    driver_entries[driver_count].initialized = FALSE;
    driver_count++;
    QVIRT_DEBUG("registered driver '%s'%s", driver->name, state ? " with a state driver" : "");
    return 0;
}

const HypervisorDriver *
qv_driver_find(const char *name)
{
    g_autoptr(QvMutexLocker) locker = qv_mutex_locker_new(&driver_lock);

    if (!name)
        return NULL;
    for (guint i = 0; i < driver_count; i++) {
        if (g_ascii_strcasecmp(driver_entries[i].driver->name, name) == 0)
            return driver_entries[i].driver;
    }
    return NULL;
}

/* A snapshot of the registered tables, local drivers first, so that no
 * driver code runs with the registry lock held. */
static GPtrArray *
driver_snapshot(void)
{
    g_autoptr(QvMutexLocker) locker = qv_mutex_locker_new(&driver_lock);
    GPtrArray *drivers = g_ptr_array_new();

    for (guint i = 0; i < driver_count; i++) {
        if (!driver_entries[i].driver->remote)
            g_ptr_array_add(drivers, (gpointer)driver_entries[i].driver);
    }
    for (guint i = 0; i < driver_count; i++) {
        if (driver_entries[i].driver->remote)
            g_ptr_array_add(drivers, (gpointer)driver_entries[i].driver);
    }
    return drivers;
}

int
qv_driver_open_connection(QvConnect *conn, unsigned int flags)
{
    g_autoptr(GPtrArray) drivers = driver_snapshot();
    gboolean remote_uri = qv_uri_is_remote(conn->uri);

    for (guint i = 0; i < drivers->len; i++) {
        const HypervisorDriver *drv = drivers->pdata[i];
        int rc;

        if (remote_uri && !drv->remote)
            continue;
        rc = drv->connect_open(conn, conn->uri, flags);
        if (rc == QVIRT_DRV_OPEN_SUCCESS) {
            conn->driver = drv;
            QVIRT_DEBUG("driver '%s' opened '%s'", drv->name, conn->uri_str);
            return 0;
        }
        if (rc == QVIRT_DRV_OPEN_DECLINED)
            continue;
        if (!qvirt_error_get_last())
            qvirt_report_internal(_("driver '%s' failed to open '%s' without saying why"),
                                  drv->name, conn->uri_str);
        return -1;
    }
    qvirt_report_error(QVIRT_ERR_NO_CONNECT, _("no connection driver available for '%s'"),
                       conn->uri_str);
    return -1;
}

char *
qv_driver_default_uri(void)
{
    const char *env = g_getenv("QVIRT_DEFAULT_URI");
    g_autoptr(GPtrArray) drivers = NULL;

    if (env && *env)
        return g_strdup(env);
    drivers = driver_snapshot();
    for (guint i = 0; i < drivers->len; i++) {
        const HypervisorDriver *drv = drivers->pdata[i];
        char *uri;

        if (drv->remote || !drv->connect_uri_probe)
            continue;
        uri = drv->connect_uri_probe();
        if (uri)
            return uri;
    }
    qvirt_report_error(QVIRT_ERR_NO_CONNECT,
                       _("no connection URI given and no driver offers a default one"));
    return NULL;
}

/* ---- state drivers ---- */

int
qv_driver_state_initialize(gboolean privileged, const char *root_dir)
{
    guint count = qv_driver_registry_count();

    /* Registration is over once the daemon initializes state: the entries
     * below are not modified concurrently. */
    for (guint i = 0; i < count; i++) {
        DriverEntry *entry = &driver_entries[i];

        if (entry->initialized || !entry->state)
            continue;
        if (entry->state->state_initialize &&
            entry->state->state_initialize(privileged, root_dir) < 0) {
            g_autoptr(QvirtError) saved = NULL;

            if (!qvirt_error_get_last())
                qvirt_report_internal(_("state driver '%s' failed to initialize"),
                                      entry->state->name ? entry->state->name
                                                         : entry->driver->name);
            saved = qvirt_error_save();
            qv_driver_state_cleanup();
            qvirt_error_restore(g_steal_pointer(&saved));
            return -1;
        }
        entry->initialized = TRUE;
        QVIRT_DEBUG("initialized state of driver '%s'", entry->driver->name);
    }
    return 0;
}

int
qv_driver_state_cleanup(void)
{
    g_autoptr(QvirtError) first = NULL;

    for (guint i = qv_driver_registry_count(); i > 0; i--) {
        DriverEntry *entry = &driver_entries[i - 1];

        if (!entry->initialized)
            continue;
        entry->initialized = FALSE;
        if (entry->state->state_cleanup && entry->state->state_cleanup() < 0 && !first)
            first = qvirt_error_save();
    }
    if (first) {
        qvirt_error_restore(g_steal_pointer(&first));
        return -1;
    }
    return 0;
}

int
qv_driver_state_reload(void)
{
    g_autoptr(QvirtError) first = NULL;
    guint count = qv_driver_registry_count();

    for (guint i = 0; i < count; i++) {
        DriverEntry *entry = &driver_entries[i];

        if (!entry->initialized || !entry->state->state_reload)
            continue;
        if (entry->state->state_reload() < 0 && !first)
            first = qvirt_error_save();
    }
    if (first) {
        qvirt_error_restore(g_steal_pointer(&first));
        return -1;
    }
    return 0;
}

gboolean
qv_driver_check_flags(unsigned int flags, unsigned int supported, const char *func)
{
    if ((flags & ~supported) == 0)
        return TRUE;
    qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported flags (0x%x) in function %s"),
                       flags & ~supported, func);
    return FALSE;
}

/* Drop entries registered after the first COUNT (used when a module's
 * registration function fails half-way). */
void
qv_driver_registry_truncate(guint count)
{
    g_autoptr(QvMutexLocker) locker = qv_mutex_locker_new(&driver_lock);

    while (driver_count > count) {
        driver_count--;
        memset(&driver_entries[driver_count], 0, sizeof(DriverEntry));
    }
}

guint
qv_driver_registry_count(void)
{
    g_autoptr(QvMutexLocker) locker = qv_mutex_locker_new(&driver_lock);

    return driver_count;
}

void
qv_driver_registry_reset(void)
{
    qv_driver_registry_truncate(0);
    qv_driver_module_forget_all();
}

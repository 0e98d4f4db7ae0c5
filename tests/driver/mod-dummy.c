/* mod-dummy.c: a well-formed driver module for the loader tests: it
 * registers the driver "dummy", which serves dummy:///x. */
#include <config.h>

#include <string.h>

#include "driver/driver.h"
#include "driver/module.h"

QV_DRIVER_MODULE_DECLARE(dummy);

static int
dummy_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    return strcmp(uri->driver, "dummy") == 0 ? QVIRT_DRV_OPEN_SUCCESS : QVIRT_DRV_OPEN_DECLINED;
}

static const char *
dummy_connect_get_type(QvConnect *conn)
{
    return "DUMMY";
}

static const HypervisorDriver dummy_driver = {
    .name = "dummy",
    .connect_open = dummy_connect_open,
    .connect_get_type = dummy_connect_get_type,
};

int
qvirt_driver_dummy_register(void)
{
    return qv_driver_register(&dummy_driver, NULL);
}

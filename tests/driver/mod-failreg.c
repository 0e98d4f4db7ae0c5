/* mod-failreg.c: a driver module whose registration fails half-way: it
 * registers a driver, then reports an error. The loader must undo the
 * registration. */
#include <config.h>

#include "driver/driver.h"
#include "driver/module.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

QV_DRIVER_MODULE_DECLARE(failreg);

static int
failreg_connect_open(QvConnect *conn, const QvUri *uri, unsigned int flags)
{
    return QVIRT_DRV_OPEN_DECLINED;
}

static const HypervisorDriver failreg_driver = {
    .name = "failreg",
    .connect_open = failreg_connect_open,
};

int
qvirt_driver_failreg_register(void)
{
    if (qv_driver_register(&failreg_driver, NULL) < 0)
        return -1;
    qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "failreg refuses to register");
    return -1;
}

/* test_driver.h: the test driver module, an in-memory hypervisor behind the
 * driver table. It serves test:///default, which starts with one running
 * domain named "test", as libvirt's test driver does; everything it holds
 * is shared by the connections to it and forgotten when the last closes.
 * docs/drivers.md describes its behaviour and its fake jobs. */
#pragma once

#include "driver/module.h"

/* Registers the "test" driver (module qvirt_driver_test.so). */
QV_DRIVER_MODULE_DECLARE(test);

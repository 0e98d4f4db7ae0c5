/* remote_lib.c: what libqvirt.so adds when it is loaded: the remote driver
 * is registered before main() runs, so a program that links the library
 * can call qv_connect_open() at once. qvirt_initialize() (qvirt.h) does the
 * same explicitly and reports a failure. */
#include <config.h>

#include "qvirt/qvirt.h"
#include "remote/remote_driver.h"
#include "util/log.h"

QVIRT_LOG_INIT("remote.lib");

int
qvirt_initialize(void)
{
    return qv_remote_register();
}

static void qvirt_lib_constructor(void) __attribute__((constructor));

static void
qvirt_lib_constructor(void)
{
    if (qvirt_initialize() < 0) {
        QVIRT_WARN("cannot register the remote driver: %s", qvirt_error_last_message());
        qvirt_error_reset();
    }
}

/* main.c: entry point of the test driver suite (test-testdriver). It loads
 * the test driver module from $QVIRT_DRIVER_DIR (set by `make check`; the
 * build tree's module folder when run by hand), as qvirtd does. */
#include <config.h>

#include "driver/module.h"
#include "testdriver.h"

const char *data_dir;

int
main(int argc, char **argv)
{
    g_autofree char *dir = NULL;

    qvirt_test_init(&argc, &argv);
    if (!g_getenv("QVIRT_DRIVER_DIR"))
        g_setenv("QVIRT_DRIVER_DIR", TEST_DRIVER_DIR, TRUE);
    if (qv_driver_module_load("test") < 0)
        g_error("cannot load the test driver: %s", qvirt_error_last_message());
    dir = qvirt_test_srcpath("testdriver/data");
    data_dir = dir;
    test_testdriver_register_cases();
    test_jobs_register_cases();
    return g_test_run();
}

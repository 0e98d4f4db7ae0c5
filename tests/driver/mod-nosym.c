/* mod-nosym.c: a broken driver module for the loader tests: it loads, but
 * does not export qvirt_driver_nosym_register. */
#include <config.h>

int qvirt_driver_nosym_something_else(void);

int
qvirt_driver_nosym_something_else(void)
{
    return 0;
}

/* main.c: entry point of the monitor suite; each case file registers its
 * cases. */
#include <config.h>

#include <unistd.h>

#include "suites.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    /* A hang guard, not a timing check: a monitor bug that blocks a wait
     * forever fails the suite instead of stalling `make check`. */
    alarm(600);
    test_core_register();
    test_json_register();
    test_text_register();
    test_fakeserver_register();
    test_caps_register();
    test_domain_register();
    return g_test_run();
}

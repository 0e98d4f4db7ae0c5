/* main.c: entry point of the job control suite (tests/domainjob). */
#include <config.h>

#include "jobtest.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    test_register_phases();
    test_status_register();
    test_rules_register();
    test_stress_register();
    return g_test_run();
}

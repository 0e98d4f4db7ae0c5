/* main.c: entry point of the driver framework suite (test-driver): URIs,
 * typed parameters, the registry and routing, the public entry points'
 * checks, state drivers, the module loader and events. */
#include <config.h>

#include "suites.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    test_uri_register();
    test_typedparams_register();
    test_registry_register_cases();
    test_event_register_cases();
    test_migrate_register();
    test_blockjob_register();
    test_hostid_register();
    return g_test_run();
}

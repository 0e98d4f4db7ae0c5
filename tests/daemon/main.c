/* main.c: tests/daemon/test-daemon: qvirtd's configuration, folder layout,
 * and the daemon run as a process. */
#include <config.h>

#include "suites.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    test_daemon_config_register();
    test_daemon_run_register();
    test_daemon_tls_register();
    return g_test_run();
}

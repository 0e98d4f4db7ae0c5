/* params-main.c: entry point of test-params: migration parameters, the QEMU
 * job's private data in the status XML, and migration TLS. */
#include <config.h>

#include <unistd.h>

#include "params-suites.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    /* A hang guard, not a timing check: a monitor bug that blocks forever
     * fails the suite instead of stalling `make check`. */
    alarm(300);
    test_params_register();
    test_jobpriv_register();
    test_tls_register();
    return g_test_run();
}

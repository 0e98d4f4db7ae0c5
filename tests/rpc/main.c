/* main.c: entry point of the rpc suite; each case file registers its cases. */
#include <config.h>

#include <signal.h>

#include "suites.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    /* Peers that vanish must show up as errors, never as SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    test_message_register();
    test_keepalive_register();
    test_server_register();
    test_tls_register();
    test_virsh_register();
    return g_test_run();
}

/* main.c: entry point of the util suite; each case file registers its cases. */
#include <config.h>

#include "suites.h"
#include "testutil.h"

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    test_error_register();
    test_process_register();
    test_uuid_register();
    test_strnum_register();
    test_xml_register();
    test_json_register();
    test_eventloop_register();
    test_workerpool_register();
    test_files_register();
    test_log_register();
    test_crashpoint_register();
    return g_test_run();
}

/* xml2argvcase.c: the context flags of a qemuxml2argv case (see
 * xml2argvcase.h). */
#include <config.h>

#include <string.h>

#include "xml2argvcase.h"

void
xml2argv_case_flags(const char *name, Xml2ArgvCaseFlags *ret_flags)
{
    Xml2ArgvCaseFlags flags = {
        .hmp = strstr(name, "hmp") != NULL,
        .no_kvm = strstr(name, "nokvm") != NULL,
        .no_tap_fd = strstr(name, "notapfd") != NULL,
        .no_sandbox = strstr(name, "nosandbox") != NULL,
        .native = strstr(name, "native") != NULL,
        .incoming = strstr(name, "incoming") != NULL,
    };

    *ret_flags = flags;
}

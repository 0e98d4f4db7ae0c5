/* xml2argvcase.h: what the name of a case in tests/qemuxml2argv/data/
 * says about the runtime context it is built with, shared by
 * test-qemuxml2argv and the real-QEMU acceptance suite.
 *
 * A case NAME.xml is built with an HMP monitor when NAME contains "hmp",
 * as if KVM were unusable with "nokvm", without tap descriptors with
 * "notapfd", without -sandbox with "nosandbox", and for domxml-to-native
 * (monitor by path, taps by name) with "native", and as the incoming side
 * of a migration (-incoming defer) with "incoming". Test code only. */
#pragma once

#include <glib.h>

typedef struct {
    gboolean hmp;
    gboolean no_kvm;
    gboolean no_tap_fd;
    gboolean no_sandbox;
    gboolean native;
    gboolean incoming;
} Xml2ArgvCaseFlags;

void xml2argv_case_flags(const char *name, Xml2ArgvCaseFlags *ret_flags);

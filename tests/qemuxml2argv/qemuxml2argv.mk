## tests/qemuxml2argv: domain XML -> QEMU command line against the recorded
## capabilities of the installed QEMU (tests/qemucapabilities) and its
## recorded command line interface (qemu-cli.x86_64.json, from
## qemuxml2argvprobe via tools/regen-xml2argv --record); and the real-QEMU
## acceptance suite of the same cases (tests/integration/xml2argv).
check_PROGRAMS += tests/qemuxml2argv/test-qemuxml2argv tests/qemuxml2argv/qemuxml2argvprobe \
	tests/integration/xml2argv/test-xml2argv-qemu
TESTS += tests/qemuxml2argv/test-qemuxml2argv tests/integration/xml2argv/test-xml2argv-qemu
tests_qemuxml2argv_test_qemuxml2argv_SOURCES = tests/qemuxml2argv/test-qemuxml2argv.c \
	tests/qemuxml2argv/qmpschema.c tests/qemuxml2argv/qmpschema.h \
	tests/qemuxml2argv/xml2argvcase.c tests/qemuxml2argv/xml2argvcase.h
tests_qemuxml2argv_test_qemuxml2argv_LDADD = libqvirtqemu.la libqvirtconf.la $(TEST_LIBS)
tests_qemuxml2argv_qemuxml2argvprobe_SOURCES = tests/qemuxml2argv/qemuxml2argvprobe.c
tests_qemuxml2argv_qemuxml2argvprobe_LDADD = libqvirtqemu.la $(TEST_LIBS)
tests_integration_xml2argv_test_xml2argv_qemu_SOURCES = \
	tests/integration/xml2argv/test-xml2argv-qemu.c \
	tests/qemuxml2argv/xml2argvcase.c tests/qemuxml2argv/xml2argvcase.h
tests_integration_xml2argv_test_xml2argv_qemu_LDADD = libqvirtqemu.la libqvirtconf.la $(TEST_LIBS)
EXTRA_DIST += tests/qemuxml2argv/data tests/qemuxml2argv/qemu-cli.x86_64.json tools/regen-xml2argv

## tests/qemuconf: qemu.conf (data-driven, data/*.conf), the QEMU driver's
## folder layouts and its part of the status XML.
check_PROGRAMS += tests/qemuconf/test-qemuconf
TESTS += tests/qemuconf/test-qemuconf
tests_qemuconf_test_qemuconf_SOURCES = tests/qemuconf/test-qemuconf.c \
	tests/qemuconf/test-qemustatus.c tests/qemuconf/test-qemustatus.h
tests_qemuconf_test_qemuconf_LDADD = libqvirtqemu.la libqvirtconf.la $(TEST_LIBS)
EXTRA_DIST += tests/qemuconf/data

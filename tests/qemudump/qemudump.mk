## tests/qemudump/qemudump.mk: core dumps (test-dump): the argument checks,
## the image writer (copy, cancel, write error, no file left behind), and
## qemu_dump_core() against the scripted fake QEMU (libqvirtqemutest.la):
## commands, state, events, job statistics, refused format, failure,
## abort, crash.
check_PROGRAMS += tests/qemudump/test-dump
TESTS += tests/qemudump/test-dump
tests_qemudump_test_dump_SOURCES = tests/qemudump/test-dump.c
tests_qemudump_test_dump_LDADD = libqvirtqemutest.la libqvirtqemu.la libqvirtdriver.la \
	libqvirtconf.la $(TEST_LIBS) $(GNUTLS_LIBS)

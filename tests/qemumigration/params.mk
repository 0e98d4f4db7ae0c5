## tests/qemumigration/params.mk: migration parameters, the QEMU job's
## private data in the status XML, and migration TLS (test-params), driven
## through the scripted fake QEMU (libqvirtqemutest.la) and certtool.
check_PROGRAMS += tests/qemumigration/test-params
TESTS += tests/qemumigration/test-params
tests_qemumigration_test_params_SOURCES = \
	tests/qemumigration/params-main.c tests/qemumigration/params-suites.h \
	tests/qemumigration/test-params.c \
	tests/qemumigration/test-jobpriv.c \
	tests/qemumigration/test-tls.c
tests_qemumigration_test_params_LDADD = libqvirtqemutest.la libqvirtqemu.la libqvirtdriver.la \
	libqvirtconf.la $(TEST_LIBS) $(GNUTLS_LIBS)
EXTRA_DIST += tests/qemumigration/data/status-migration-out.xml \
	tests/qemumigration/data/status-migration-in.xml

## tests/qemumigration/dst.mk: the destination side of a migration and the
## migration port reservations (test-dst): URIs and ports as pure cases;
## Prepare, the lease, Finish and a whole migration between two QEMU driver
## objects of one process against real QEMU (skipped without it).
check_PROGRAMS += tests/qemumigration/test-dst
TESTS += tests/qemumigration/test-dst
tests_qemumigration_test_dst_SOURCES = tests/qemumigration/test-dst.c
tests_qemumigration_test_dst_LDADD = libqvirtqemu.la libqvirtdriver.la libqvirtconf.la \
	$(TEST_LIBS) $(GNUTLS_LIBS)

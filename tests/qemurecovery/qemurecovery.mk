## tests/qemurecovery/qemurecovery.mk: the recovery table of interrupted
## async jobs (test-recovery): one case per table cell, the check of
## docs/recovery.md against the code's table, and the recovery actions
## against the scripted fake QEMU (libqvirtqemutest.la).
check_PROGRAMS += tests/qemurecovery/test-recovery
TESTS += tests/qemurecovery/test-recovery
tests_qemurecovery_test_recovery_SOURCES = tests/qemurecovery/test-recovery.c
tests_qemurecovery_test_recovery_LDADD = libqvirtqemutest.la libqvirtqemu.la libqvirtdriver.la \
	libqvirtconf.la $(TEST_LIBS) $(GNUTLS_LIBS)

## tests/qemumigration/phases.mk: the migration phases and job helpers, the
## progress mapping (query-migrate from the scripted fake QEMU to the job
## statistics, the MIGRATION/MIGRATION_PASS events), the source's tuning
## calls, domjobabort, the source lease and the migration URIs
## (test-phases). The source's entry points reach the framework (flag
## checks, peer-to-peer), hence libqvirtdriver.la.
check_PROGRAMS += tests/qemumigration/test-phases
TESTS += tests/qemumigration/test-phases
tests_qemumigration_test_phases_SOURCES = tests/qemumigration/test-phases.c
tests_qemumigration_test_phases_LDADD = libqvirtqemutest.la libqvirtqemu.la libqvirtdriver.la \
	libqvirtconf.la $(TEST_LIBS) $(GNUTLS_LIBS)

## tests/integration/migration/migration.mk: placeholder, being written.

## test-storage-nbd: storage migration over NBD (qemu_migration_storage.c)
## between two QEMU processes started directly, no daemon. Skipped without
## qemu-system-x86_64 or qemu-img.
check_PROGRAMS += tests/integration/migration/test-storage-nbd
TESTS += tests/integration/migration/test-storage-nbd
tests_integration_migration_test_storage_nbd_SOURCES = \
	tests/integration/migration/test-storage-nbd.c tests/testqemu.c tests/testqemu.h
tests_integration_migration_test_storage_nbd_LDADD = libqvirtqemu.la libqvirtdriver.la \
	libqvirtconf.la $(TEST_LIBS)

## test-migration.sh: real live migrations of the test guest between two
## session qvirtd (qvirt shell and stock virsh; p2p, storage, post-copy,
## TLS, cancel, destination lease, reads under load, two network
## namespaces as root), as TAP; harness in lib.sh. Skipped without QEMU.
## A failed run keeps its logs in tests/integration/migration/test-migration.logs.
TESTS += tests/integration/migration/test-migration.sh
EXTRA_DIST += tests/integration/migration/test-migration.sh tests/integration/migration/lib.sh

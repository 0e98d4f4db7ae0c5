## tests/integration/dump: core dumps of the running test guest through a
## session qvirtd and the stock virsh (ELF and kdump headers, progress,
## live, reset, full dump, abort, bad requests, crash). TAP; harness
## ../migration/lib.sh. Skipped without QEMU, virsh or python3.
## A failed run keeps its logs in tests/integration/dump/test-dump.logs.
TESTS += tests/integration/dump/test-dump.sh
EXTRA_DIST += tests/integration/dump/test-dump.sh

## tests/integration/save: save, restore and managed save of the running
## test guest through a session qvirtd and the stock virsh (round trip with
## the heartbeat continuing, --paused, managed save across a daemon
## restart, reads and domjobabort during a throttled save, bad image
## files). TAP; harness ../migration/lib.sh. Skipped without QEMU, virsh or
## python3. A failed run keeps its logs in
## tests/integration/save/test-save.logs.
TESTS += tests/integration/save/test-save.sh
EXTRA_DIST += tests/integration/save/test-save.sh

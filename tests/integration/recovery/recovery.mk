## tests/integration/recovery: restart recovery proven by crashing a daemon.
## test-recovery.sh makes one of two session qvirtd die at each crash point
## (QVIRT_CRASH_POINT, docs/crashpoints.md) of a real migration of the test
## guest, client-driven and peer-to-peer, restarts it and checks both hosts;
## plus kill -9 at random moments, a read-only state folder and a corrupt
## status file. TAP; harness ../migration/lib.sh. Skipped without QEMU.
## A representative subset by default; QVIRT_TEST_LONG=1 runs everything.
## A failed run keeps its logs in tests/integration/recovery/test-recovery.logs.
TESTS += tests/integration/recovery/test-recovery.sh
## test-blockjob-recovery.sh: kill -9 of the daemon during a block copy
## (mirroring, ready, a job that left QEMU meanwhile), restart, reconcile.
TESTS += tests/integration/recovery/test-blockjob-recovery.sh
EXTRA_DIST += tests/integration/recovery/test-blockjob-recovery.sh
## test-save-dump-recovery.sh: the daemon dies during a save (crash point
## save-started, kill -9) and during a memory-only dump (kill -9); after the
## restart the guest runs once, no file and no job are left.
TESTS += tests/integration/recovery/test-save-dump-recovery.sh
EXTRA_DIST += tests/integration/recovery/test-save-dump-recovery.sh
EXTRA_DIST += tests/integration/recovery/test-recovery.sh docs/crashpoints.md

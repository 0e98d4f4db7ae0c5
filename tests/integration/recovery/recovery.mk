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
EXTRA_DIST += tests/integration/recovery/test-recovery.sh docs/crashpoints.md

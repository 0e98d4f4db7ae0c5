## tests/integration/blockjob: block jobs (pull, copy, commit, abort, pivot)
## through the QEMU driver's own entry points against real QEMU (TCG, a
## paused domain, no guest needed), with qcow2 chains made by qemu-img and
## qemu-io. Skipped without qemu-system-x86_64, qemu-img or qemu-io.
check_PROGRAMS += tests/integration/blockjob/test-blockjob
TESTS += tests/integration/blockjob/test-blockjob
tests_integration_blockjob_test_blockjob_SOURCES = \
	tests/integration/blockjob/test-blockjob.c \
	tests/integration/lifecycle/lifecycle-util.c tests/integration/lifecycle/lifecycle-util.h
tests_integration_blockjob_test_blockjob_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\"
tests_integration_blockjob_test_blockjob_LDADD = libqvirtqemu.la libqvirtconf.la \
	libqvirtdriver.la $(TEST_LIBS)
## test-blockjob-events.sh: block job events (BLOCK_JOB, BLOCK_JOB_2) of a
## copy of the test guest's qcow2 disk reach qvirt event, virsh event and
## python3-libvirt listeners of one session qvirtd. TAP; ../migration/lib.sh.
TESTS += tests/integration/blockjob/test-blockjob-events.sh
EXTRA_DIST += tests/integration/blockjob/test-blockjob-events.sh

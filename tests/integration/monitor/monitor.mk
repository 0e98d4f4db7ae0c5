## tests/integration/monitor: the monitor against the installed QEMU (TCG,
## "-machine none"). Fast enough to run with every `make check`; skipped
## when qemu-system-x86_64 is missing (QVIRT_TEST_QEMU names another binary).
check_PROGRAMS += tests/integration/monitor/test-monitor-qemu
TESTS += tests/integration/monitor/test-monitor-qemu
tests_integration_monitor_test_monitor_qemu_SOURCES = \
	tests/integration/monitor/test-monitor-qemu.c tests/testqemu.c tests/testqemu.h
tests_integration_monitor_test_monitor_qemu_LDADD = libqvirtqemu.la libqvirtconf.la $(TEST_LIBS)

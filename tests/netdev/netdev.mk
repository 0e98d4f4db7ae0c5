## tests/netdev: host network devices (taps, links, bridge ports), run as root
## inside a private network namespace the binary creates; skipped otherwise.
check_PROGRAMS += tests/netdev/test-netdev
TESTS += tests/netdev/test-netdev
tests_netdev_test_netdev_SOURCES = tests/netdev/test-netdev.c
tests_netdev_test_netdev_LDADD = $(TEST_LIBS) $(LIBNL_LIBS)

## test-qemuinterface: the taps of a domain's interfaces (qemu_interface.c),
## in a private network namespace as root; skipped otherwise.
check_PROGRAMS += tests/netdev/test-qemuinterface
TESTS += tests/netdev/test-qemuinterface
tests_netdev_test_qemuinterface_SOURCES = tests/netdev/test-qemuinterface.c
tests_netdev_test_qemuinterface_LDADD = libqvirtqemu.la libqvirtconf.la $(TEST_LIBS) \
	$(LIBNL_LIBS)

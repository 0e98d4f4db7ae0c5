## tests/netdev: host network devices (taps, links, bridge ports), run as root
## inside a private network namespace the binary creates; skipped otherwise.
check_PROGRAMS += tests/netdev/test-netdev
TESTS += tests/netdev/test-netdev
tests_netdev_test_netdev_SOURCES = tests/netdev/test-netdev.c
tests_netdev_test_netdev_LDADD = $(TEST_LIBS) $(LIBNL_LIBS)

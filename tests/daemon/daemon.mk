## tests/daemon: qvirtd's suite, one binary (test-daemon): configuration
## parsing, the folder layout, and the daemon run as a process (calls through
## the RPC client, the read-only socket, the state folder lock, bad
## configuration, SIGTERM).
check_PROGRAMS += tests/daemon/test-daemon
TESTS += tests/daemon/test-daemon
tests_daemon_test_daemon_SOURCES = \
	tests/daemon/main.c tests/daemon/suites.h \
	tests/daemon/test-config.c tests/daemon/test-run.c \
	tests/daemon/test-daemon.h tests/daemon/test-tls.c \
	$(DAEMON_CONFIG_SOURCES)
tests_daemon_test_daemon_CPPFLAGS = $(AM_CPPFLAGS) $(DAEMON_PATH_CPPFLAGS) \
	-DQVIRTD_PATH=\""$(abs_top_builddir)/src/daemon/qvirtd"\"
tests_daemon_test_daemon_LDADD = libqvirtrpc.la $(TEST_LIBS) $(GNUTLS_LIBS) $(TIRPC_LIBS)
EXTRA_tests_daemon_test_daemon_DEPENDENCIES = src/daemon/qvirtd src/drivers/qvirt_driver_test.la

## tests/rpc: the RPC layer's suite, one binary (test-rpc): messages,
## keepalive, server and client over UNIX sockets, TLS with certificates
## made by certtool, and the stock virsh as a client.
check_PROGRAMS += tests/rpc/test-rpc
TESTS += tests/rpc/test-rpc
tests_rpc_test_rpc_SOURCES = \
	tests/rpc/main.c tests/rpc/suites.h \
	tests/rpc/fixture.c tests/rpc/fixture.h \
	tests/rpc/test-message.c \
	tests/rpc/test-keepalive.c \
	tests/rpc/test-server.c \
	tests/rpc/test-tls.c \
	tests/rpc/test-virsh.c
tests_rpc_test_rpc_LDADD = libqvirtrpc.la $(TEST_LIBS) $(GNUTLS_LIBS) $(TIRPC_LIBS)
EXTRA_DIST += tests/rpc/tsan.supp

## tests/qemusave/qemusave.mk: the save image format and the parts of save
## and restore that need no real QEMU (test-save): header round trip and
## every bad file, restore's refusals before any state changes, and the
## migration stream into a descriptor against the scripted fake QEMU
## (libqvirtqemutest.la).
check_PROGRAMS += tests/qemusave/test-save
TESTS += tests/qemusave/test-save
tests_qemusave_test_save_SOURCES = tests/qemusave/test-save.c
tests_qemusave_test_save_LDADD = libqvirtqemutest.la libqvirtqemu.la libqvirtdriver.la \
	libqvirtconf.la $(TEST_LIBS) $(GNUTLS_LIBS)

## tests/remote: the client library's migration calls end to end against
## the build tree's qvirtd with the test driver (test-remote-migrate): XDR
## layouts of the migration structs, NO_SUPPORT coming back cleanly, the
## daemon refusing URIs of drivers it has not loaded, host_uuid, and the
## stock virsh's migration tuning commands (skipped without virsh).
check_PROGRAMS += tests/remote/test-remote-migrate
TESTS += tests/remote/test-remote-migrate
tests_remote_test_remote_migrate_SOURCES = tests/remote/test-remote-migrate.c \
	tests/remote/remote-testutil.c tests/remote/remote-testutil.h \
	tests/testutil.c tests/testutil.h tests/testdaemon.c tests/testdaemon.h
tests_remote_test_remote_migrate_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\" \
	-DQVIRTD_PATH=\""$(abs_top_builddir)/src/daemon/qvirtd"\"
tests_remote_test_remote_migrate_LDADD = libqvirt.la libqvirt_private.la libqvirtrpcgen.la $(GLIB_LIBS) $(TIRPC_LIBS)
EXTRA_tests_remote_test_remote_migrate_DEPENDENCIES = src/daemon/qvirtd \
	src/drivers/qvirt_driver_test.la

## test-remote-blockjob: the same for the block job procedures (XDR layouts
## of the argument structs, the info reply and the two event messages;
## NO_SUPPORT through the daemon; the stock virsh's block commands and the
## same calls through libvirt-python, each skipped without the tool).
check_PROGRAMS += tests/remote/test-remote-blockjob
TESTS += tests/remote/test-remote-blockjob
tests_remote_test_remote_blockjob_SOURCES = tests/remote/test-remote-blockjob.c \
	tests/remote/remote-testutil.c tests/remote/remote-testutil.h \
	tests/testutil.c tests/testutil.h tests/testdaemon.c tests/testdaemon.h
tests_remote_test_remote_blockjob_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\" \
	-DQVIRTD_PATH=\""$(abs_top_builddir)/src/daemon/qvirtd"\"
tests_remote_test_remote_blockjob_LDADD = libqvirt.la libqvirt_private.la libqvirtrpcgen.la $(GLIB_LIBS) $(TIRPC_LIBS)
EXTRA_tests_remote_test_remote_blockjob_DEPENDENCIES = src/daemon/qvirtd \
	src/drivers/qvirt_driver_test.la

## test-remote-save: save, restore, managed save and core dump through the
## daemon and its test driver (XDR layouts, round trips, relative paths made
## absolute on the client, refused flags and bad image files).
check_PROGRAMS += tests/remote/test-remote-save
TESTS += tests/remote/test-remote-save
tests_remote_test_remote_save_SOURCES = tests/remote/test-remote-save.c \
	tests/remote/remote-testutil.c tests/remote/remote-testutil.h \
	tests/testutil.c tests/testutil.h tests/testdaemon.c tests/testdaemon.h
tests_remote_test_remote_save_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\" \
	-DQVIRTD_PATH=\""$(abs_top_builddir)/src/daemon/qvirtd"\"
tests_remote_test_remote_save_LDADD = libqvirt.la libqvirt_private.la libqvirtrpcgen.la $(GLIB_LIBS) $(TIRPC_LIBS)
EXTRA_tests_remote_test_remote_save_DEPENDENCIES = src/daemon/qvirtd \
	src/drivers/qvirt_driver_test.la

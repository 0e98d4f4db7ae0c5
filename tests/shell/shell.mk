## tests/shell: the client library and the qvirt shell. test-client runs
## without a daemon (URI rules, open failures, the shell's parser);
## test-shell.sh drives the shell against the build tree's qvirtd and its
## test driver (a TAP script; skipped when qvirtd is not built).
check_PROGRAMS += tests/shell/test-client tests/shell/test-shell-migrate
TESTS += tests/shell/test-client tests/shell/test-shell-migrate tests/shell/test-shell.sh
tests_shell_test_client_SOURCES = tests/shell/test-client.c tests/shell/fixture.c \
	tests/shell/fixture.h tests/testutil.c tests/testutil.h
tests_shell_test_client_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\"
tests_shell_test_client_LDADD = libqvirtshell.la libqvirt.la $(GLIB_LIBS) $(JSONC_LIBS)
EXTRA_DIST += tests/shell/test-shell.sh tests/shell/data
tests_shell_test_shell_migrate_SOURCES = tests/shell/test-shell-migrate.c tests/shell/fixture.c \
	tests/shell/fixture.h tests/testutil.c tests/testutil.h
tests_shell_test_shell_migrate_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\"
tests_shell_test_shell_migrate_LDADD = libqvirtshell.la libqvirt.la $(GLIB_LIBS) $(JSONC_LIBS)
check_PROGRAMS += tests/shell/test-shell-blockjob
TESTS += tests/shell/test-shell-blockjob
tests_shell_test_shell_blockjob_SOURCES = tests/shell/test-shell-blockjob.c tests/shell/fixture.c \
	tests/shell/fixture.h tests/testutil.c tests/testutil.h
tests_shell_test_shell_blockjob_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\"
tests_shell_test_shell_blockjob_LDADD = libqvirtshell.la libqvirt.la $(GLIB_LIBS) $(JSONC_LIBS)
check_PROGRAMS += tests/shell/test-shell-save
TESTS += tests/shell/test-shell-save
tests_shell_test_shell_save_SOURCES = tests/shell/test-shell-save.c tests/shell/fixture.c \
	tests/shell/fixture.h tests/testutil.c tests/testutil.h
tests_shell_test_shell_save_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\"
tests_shell_test_shell_save_LDADD = libqvirtshell.la libqvirt.la $(GLIB_LIBS) $(JSONC_LIBS)

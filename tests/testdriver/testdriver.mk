## tests/testdriver: the test driver module through the public entry points,
## one binary (test-testdriver). Like the daemon it links the shared
## libqvirt_private.la and loads src/drivers/qvirt_driver_test.so.
check_PROGRAMS += tests/testdriver/test-testdriver
TESTS += tests/testdriver/test-testdriver
tests_testdriver_test_testdriver_SOURCES = \
	tests/testdriver/main.c tests/testdriver/testdriver.h \
	tests/testdriver/test-testdriver.c tests/testdriver/test-jobs.c \
	tests/testutil.c tests/testutil.h
tests_testdriver_test_testdriver_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\" \
	-DTEST_DRIVER_DIR=\"$(abs_top_builddir)/src/drivers/.libs\"
tests_testdriver_test_testdriver_LDADD = libqvirt_private.la \
	$(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)
EXTRA_tests_testdriver_test_testdriver_DEPENDENCIES = src/drivers/qvirt_driver_test.la
EXTRA_DIST += tests/testdriver/data

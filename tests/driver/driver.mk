## tests/driver: the driver framework's suite, one binary (test-driver).
## It links the shared libqvirt_private.la like the daemon does, and builds
## three tiny driver modules for the loader tests: a good one, one without
## the registration symbol and one whose registration fails. They are
## check-only libraries; -rpath makes libtool build them shared.
check_PROGRAMS += tests/driver/test-driver
TESTS += tests/driver/test-driver
tests_driver_test_driver_SOURCES = \
	tests/driver/main.c tests/driver/suites.h \
	tests/driver/fakedriver.c tests/driver/fakedriver.h \
	tests/driver/test-uri.c tests/driver/test-typedparams.c \
	tests/driver/test-registry.c tests/driver/test-event.c \
	tests/driver/test-migrate.c tests/driver/test-hostid.c \
	tests/driver/test-blockjob.c \
	tests/testutil.c tests/testutil.h
tests_driver_test_driver_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\" \
	-DTEST_MODULE_DIR=\"$(abs_top_builddir)/tests/driver/.libs\"
tests_driver_test_driver_LDADD = libqvirt_private.la $(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)
EXTRA_tests_driver_test_driver_DEPENDENCIES = $(tests_driver_modules)

tests_driver_modules = \
	tests/driver/qvirt_driver_dummy.la \
	tests/driver/qvirt_driver_nosym.la \
	tests/driver/qvirt_driver_failreg.la
check_LTLIBRARIES += $(tests_driver_modules)
tests_driver_module_ldflags = -module -avoid-version -no-undefined -rpath /nowhere
tests_driver_qvirt_driver_dummy_la_SOURCES = tests/driver/mod-dummy.c
tests_driver_qvirt_driver_dummy_la_LDFLAGS = $(tests_driver_module_ldflags)
tests_driver_qvirt_driver_dummy_la_LIBADD = libqvirt_private.la $(GLIB_LIBS)
tests_driver_qvirt_driver_nosym_la_SOURCES = tests/driver/mod-nosym.c
tests_driver_qvirt_driver_nosym_la_LDFLAGS = $(tests_driver_module_ldflags)
tests_driver_qvirt_driver_failreg_la_SOURCES = tests/driver/mod-failreg.c
tests_driver_qvirt_driver_failreg_la_LDFLAGS = $(tests_driver_module_ldflags)
tests_driver_qvirt_driver_failreg_la_LIBADD = libqvirt_private.la $(GLIB_LIBS)

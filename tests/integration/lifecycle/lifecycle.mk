## tests/integration/lifecycle: the QEMU driver against real QEMU (TCG) and
## the test guest (tests/guest/build-guest, cached; $QVIRT_GUEST_DIR names a
## prebuilt one). test-lifecycle loads the driver module through the
## framework's public API, as the daemon will; qemudrv-helper runs the
## driver's own entry points and stands in for a daemon that is stopped and
## started again (the reconnect test runs it twice). Skipped without QEMU.
check_PROGRAMS += tests/integration/lifecycle/test-lifecycle \
	tests/integration/lifecycle/qemudrv-helper
TESTS += tests/integration/lifecycle/test-lifecycle
tests_integration_lifecycle_test_lifecycle_SOURCES = \
	tests/integration/lifecycle/test-lifecycle.c \
	tests/integration/lifecycle/lifecycle-util.c tests/integration/lifecycle/lifecycle-util.h \
	tests/testutil.c tests/testutil.h
tests_integration_lifecycle_test_lifecycle_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\" \
	-DHELPER_PATH=\"$(abs_top_builddir)/tests/integration/lifecycle/qemudrv-helper\" \
	-DMODULE_DIR=\"$(abs_top_builddir)/src/drivers/.libs\"
tests_integration_lifecycle_test_lifecycle_LDADD = libqvirt_private.la \
	$(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)
EXTRA_tests_integration_lifecycle_test_lifecycle_DEPENDENCIES = \
	src/drivers/qvirt_driver_qemu.la tests/integration/lifecycle/qemudrv-helper$(EXEEXT)
tests_integration_lifecycle_qemudrv_helper_SOURCES = \
	tests/integration/lifecycle/qemudrv-helper.c \
	tests/integration/lifecycle/lifecycle-util.c tests/integration/lifecycle/lifecycle-util.h
tests_integration_lifecycle_qemudrv_helper_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\"
tests_integration_lifecycle_qemudrv_helper_LDADD = libqvirtqemu.la libqvirtconf.la \
	libqvirtutil.la $(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)

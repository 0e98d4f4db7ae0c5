## src/test: the test driver, an in-memory hypervisor, built as the loadable
## module qvirt_driver_test.so (see src/driver/driver.mk for where driver
## modules go). It links the shared libqvirt_private.la for the framework.
driver_LTLIBRARIES += src/drivers/qvirt_driver_test.la
src_drivers_qvirt_driver_test_la_SOURCES = \
	src/test/test_driver.c src/test/test_driver.h src/test/test_driver_priv.h \
	src/test/test_driver_job.c src/test/test_driver_save.c
src_drivers_qvirt_driver_test_la_LDFLAGS = -module -avoid-version -no-undefined \
	-export-symbols-regex '^qvirt_driver_test_register$$'
src_drivers_qvirt_driver_test_la_LIBADD = libqvirt_private.la \
	$(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)

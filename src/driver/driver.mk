## src/driver: the hypervisor-agnostic framework (driver table and registry,
## URIs, connections, events, module loader, public API), built as the
## convenience library libqvirtdriver.la.
##
## libqvirt_private.la is the shared library that joins util, conf and the
## framework. The daemon, the driver modules and every test that loads a
## module link it (and not the convenience libraries), so that the process
## holds one copy of the framework's state: the registry, the event queue,
## the error slot.
##
## Driver modules are built as src/drivers/qvirt_driver_NAME.la and
## installed into $(driverdir); in the build tree they are found through
## QVIRT_DRIVER_DIR, which the tests' environment points at
## src/drivers/.libs.
noinst_LTLIBRARIES += libqvirtdriver.la
libqvirtdriver_la_SOURCES = \
	src/driver/typedparams.c src/driver/typedparams.h \
	src/driver/uri.c src/driver/uri.h \
	src/driver/connect.c src/driver/connect.h \
	src/driver/driver.c src/driver/driver.h src/driver/driver_priv.h \
	src/driver/module.c src/driver/module.h \
	src/driver/event.c src/driver/event.h \
	src/driver/jobstats.c src/driver/jobstats.h src/driver/migrate.h src/driver/blockjob.h src/driver/save.h \
	src/driver/api.h src/driver/api_priv.h \
	src/driver/api_connect.c src/driver/api_domain.c src/driver/locker.h \
	src/driver/api_migrate.c src/driver/api_blockjob.c src/driver/api_save.c \
	src/driver/hostid.c src/driver/hostid.h src/driver/hostid_priv.h
libqvirtdriver_la_CPPFLAGS = $(AM_CPPFLAGS) -DQVIRT_DRIVER_INSTALL_DIR=\""$(driverdir)"\"
libqvirtdriver_la_LIBADD = $(GLIB_LIBS)

driverdir = $(pkglibdir)/drivers
driver_LTLIBRARIES =

lib_LTLIBRARIES += libqvirt_private.la
libqvirt_private_la_SOURCES =
libqvirt_private_la_LIBADD = libqvirtdriver.la libqvirtconf.la \
	$(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)
libqvirt_private_la_LDFLAGS = -version-info 0:0:0 -no-undefined

# The modules of a build tree, for tests (see above).
AM_TESTS_ENVIRONMENT += \
	QVIRT_DRIVER_DIR='$(abs_top_builddir)/src/drivers/.libs'; export QVIRT_DRIVER_DIR;

## src/daemon: qvirtd, the daemon: options, configuration (qvirtd.conf),
## folder layout and lock, driver modules, and the handlers of the REMOTE
## and QEMU programs. Like every driver module it links the shared
## libqvirt_private.la (one copy of the framework in the process); the RPC
## layer's sources are compiled into it directly because libqvirtrpc.la
## carries its own copy of the util convenience library.
DAEMON_PATH_CPPFLAGS = \
	-DQVIRT_SYSCONFDIR=\""$(sysconfdir)"\" \
	-DQVIRT_LOCALSTATEDIR=\""$(localstatedir)"\" \
	-DQVIRT_RUNSTATEDIR=\""$(runstatedir)"\" \
	-DSYSCONFDIR=\""$(sysconfdir)"\"

DAEMON_CONFIG_SOURCES = \
	src/daemon/daemon_config.c src/daemon/daemon_config.h \
	src/daemon/daemon_paths.c src/daemon/daemon_paths.h

sbin_PROGRAMS += src/daemon/qvirtd
src_daemon_qvirtd_SOURCES = \
	src/daemon/qvirtd.c \
	$(DAEMON_CONFIG_SOURCES) \
	src/daemon/remote_dispatch.c src/daemon/remote_dispatch.h \
	src/daemon/remote_dispatch_priv.h \
	src/daemon/remote_dispatch_connect.c \
	src/daemon/remote_dispatch_domain.c \
	src/daemon/remote_dispatch_event.c \
	src/daemon/remote_dispatch_migrate.c \
	src/daemon/remote_dispatch_blockjob.c \
	src/daemon/remote_dispatch_save.c \
	$(REMOTE_DRIVER_SOURCES) \
	$(libqvirtrpc_la_SOURCES)
src_daemon_qvirtd_CPPFLAGS = $(AM_CPPFLAGS) $(DAEMON_PATH_CPPFLAGS)
src_daemon_qvirtd_LDADD = libqvirtrpcgen.la libqvirt_private.la \
	$(GLIB_LIBS) $(GNUTLS_LIBS) $(TIRPC_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)

# The systemd unit and a sample configuration.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = data/qvirtd.service
qvirtconfdir = $(sysconfdir)/qvirt
dist_qvirtconf_DATA = data/qvirtd.conf
CLEANFILES += data/qvirtd.service
EXTRA_DIST += data/qvirtd.service.in

data/qvirtd.service: $(top_srcdir)/data/qvirtd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) data && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@runstatedir[@]|$(runstatedir)|g' \
	    $(top_srcdir)/data/qvirtd.service.in > $@

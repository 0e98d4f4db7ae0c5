## src/remote: the client library. libqvirt.la (installed) is the remote
## driver plus the framework: it links the shared libqvirt_private.la (util,
## conf, driver) and the generated XDR code, and compiles the RPC layer's
## sources itself rather than linking libqvirtrpc.la, which carries its own
## copy of util (two copies of the error slot in one process would lose
## errors). Keep RPC_CLIENT_SOURCES in step with src/rpc/rpc.mk.
RPC_CLIENT_SOURCES = \
	src/rpc/rpc_program.c src/rpc/rpc_message.c src/rpc/rpc_tls.c \
	src/rpc/rpc_socket.c src/rpc/rpc_keepalive.c src/rpc/rpc_conn.c \
	src/rpc/rpc_client.c src/rpc/rpc_typedparams.c

# The remote driver itself; qvirtd compiles these too (src/daemon/daemon.mk)
# so that its QEMU driver can open the destination daemon of a peer-to-peer
# migration.
REMOTE_DRIVER_SOURCES = \
	src/remote/remote_driver.c src/remote/remote_driver.h \
	src/remote/remote_driver_migrate.c src/remote/remote_driver_priv.h \
	src/remote/remote_driver_blockjob.c src/remote/remote_driver_save.c

lib_LTLIBRARIES += libqvirt.la
libqvirt_la_SOURCES = \
	$(REMOTE_DRIVER_SOURCES) \
	src/remote/remote_lib.c include/qvirt/qvirt.h \
	$(RPC_CLIENT_SOURCES)
libqvirt_la_CPPFLAGS = $(AM_CPPFLAGS)
libqvirt_la_LIBADD = libqvirtrpcgen.la libqvirt_private.la \
	$(GLIB_LIBS) $(GNUTLS_LIBS) $(TIRPC_LIBS)
libqvirt_la_LDFLAGS = -version-info 0:0:0 -no-undefined

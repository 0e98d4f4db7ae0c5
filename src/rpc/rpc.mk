## src/rpc: the RPC wire layer (libvirt's protocol): XDR definitions compiled
## by rpcgen at build time, messages, sockets, TLS, keepalive, connections,
## the server dispatch skeleton and the client. Two convenience libraries:
## libqvirtrpcgen.la holds rpcgen's output (not -Wall clean, so built with
## relaxed warnings), libqvirtrpc.la the layer itself.

RPC_X_FILES = \
	src/rpc/rpc_protocol.x src/rpc/remote_protocol.x \
	src/rpc/qemu_protocol.x src/rpc/keepalive_protocol.x
RPC_GENERATED_H = \
	src/rpc/rpc_protocol.h src/rpc/remote_protocol.h \
	src/rpc/qemu_protocol.h src/rpc/keepalive_protocol.h
RPC_GENERATED_C = $(RPC_GENERATED_H:.h=.c)
RPCGEN_SH = $(top_srcdir)/src/rpc/rpcgen.sh
RPCGEN_RUN = $(AM_V_GEN)$(MKDIR_P) src/rpc && $(SHELL) $(RPCGEN_SH) '$(RPCGEN)'

BUILT_SOURCES += $(RPC_GENERATED_H) $(RPC_GENERATED_C)
CLEANFILES += $(RPC_GENERATED_H) $(RPC_GENERATED_C)
EXTRA_DIST += $(RPC_X_FILES) src/rpc/rpcgen.sh

src/rpc/rpc_protocol.h: $(top_srcdir)/src/rpc/rpc_protocol.x $(RPCGEN_SH)
	$(RPCGEN_RUN) $(top_srcdir)/src/rpc/rpc_protocol.x $@
src/rpc/rpc_protocol.c: $(top_srcdir)/src/rpc/rpc_protocol.x $(RPCGEN_SH)
	$(RPCGEN_RUN) $(top_srcdir)/src/rpc/rpc_protocol.x $@
src/rpc/remote_protocol.h: $(top_srcdir)/src/rpc/remote_protocol.x $(RPCGEN_SH)
	$(RPCGEN_RUN) $(top_srcdir)/src/rpc/remote_protocol.x $@
src/rpc/remote_protocol.c: $(top_srcdir)/src/rpc/remote_protocol.x $(RPCGEN_SH)
	$(RPCGEN_RUN) $(top_srcdir)/src/rpc/remote_protocol.x $@
src/rpc/qemu_protocol.h: $(top_srcdir)/src/rpc/qemu_protocol.x $(RPCGEN_SH)
	$(RPCGEN_RUN) $(top_srcdir)/src/rpc/qemu_protocol.x $@
src/rpc/qemu_protocol.c: $(top_srcdir)/src/rpc/qemu_protocol.x $(RPCGEN_SH)
	$(RPCGEN_RUN) $(top_srcdir)/src/rpc/qemu_protocol.x $@
src/rpc/keepalive_protocol.h: $(top_srcdir)/src/rpc/keepalive_protocol.x $(RPCGEN_SH)
	$(RPCGEN_RUN) $(top_srcdir)/src/rpc/keepalive_protocol.x $@
src/rpc/keepalive_protocol.c: $(top_srcdir)/src/rpc/keepalive_protocol.x $(RPCGEN_SH)
	$(RPCGEN_RUN) $(top_srcdir)/src/rpc/keepalive_protocol.x $@

noinst_LTLIBRARIES += libqvirtrpcgen.la
nodist_libqvirtrpcgen_la_SOURCES = $(RPC_GENERATED_C) $(RPC_GENERATED_H)
libqvirtrpcgen_la_CFLAGS = $(AM_CFLAGS) -Wno-unused-variable -Wno-unused-parameter
libqvirtrpcgen_la_LIBADD = $(TIRPC_LIBS)

noinst_LTLIBRARIES += libqvirtrpc.la
libqvirtrpc_la_SOURCES = \
	src/rpc/rpc_program.c src/rpc/rpc_program.h \
	src/rpc/rpc_message.c src/rpc/rpc_message.h \
	src/rpc/rpc_tls.c src/rpc/rpc_tls.h \
	src/rpc/rpc_socket.c src/rpc/rpc_socket.h \
	src/rpc/rpc_keepalive.c src/rpc/rpc_keepalive.h \
	src/rpc/rpc_conn.c src/rpc/rpc_conn.h \
	src/rpc/rpc_server.c src/rpc/rpc_server.h \
	src/rpc/rpc_client.c src/rpc/rpc_client.h \
	src/rpc/rpc_typedparams.c src/rpc/rpc_typedparams.h
libqvirtrpc_la_LIBADD = libqvirtrpcgen.la libqvirtutil.la $(GLIB_LIBS) $(GNUTLS_LIBS) \
	$(TIRPC_LIBS)

EXTRA_DIST += fuzz/fuzz-rpcmsg.c fuzz/corpus-rpcmsg

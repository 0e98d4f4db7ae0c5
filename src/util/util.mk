## src/util: the utility layer, built as one convenience library.
noinst_LTLIBRARIES += libqvirtutil.la
libqvirtutil_la_SOURCES = \
	src/util/i18n.h src/util/enum.h \
	src/util/deadline.h src/util/eventloop.c src/util/eventloop.h \
	src/util/workerpool.c src/util/workerpool.h \
	src/util/files.c src/util/files.h src/util/files_priv.h \
	src/util/cachedrop.c src/util/cachedrop.h \
	src/util/memtrim.c src/util/memtrim.h \
	src/util/threads.c src/util/threads.h \
	src/util/uuid.c src/util/uuid.h src/util/strnum.c src/util/strnum.h \
	src/util/xml.c src/util/xml.h src/util/json.c src/util/json.h \
	src/util/process.c src/util/process.h src/util/process_priv.h \
	src/util/error.c src/util/error.h \
	src/util/netdev.c src/util/netdev.h \
	src/util/log.c src/util/log.h \
	src/util/crashpoint.c src/util/crashpoint.h src/util/crashpoint_priv.h
libqvirtutil_la_LIBADD = $(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS) $(LIBNL_LIBS)

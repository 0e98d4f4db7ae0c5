## src/util: the utility layer, built as one convenience library.
noinst_LTLIBRARIES += libqvirtutil.la
libqvirtutil_la_SOURCES = \
	src/util/i18n.h \
	src/util/error.c src/util/error.h \
	src/util/log.c src/util/log.h
libqvirtutil_la_LIBADD = $(GLIB_LIBS) $(LIBXML_LIBS) $(JSONC_LIBS)

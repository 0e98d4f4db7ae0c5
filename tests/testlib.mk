## tests/testutil: helpers shared by every GTest suite.
check_LTLIBRARIES += libqvirttest.la
libqvirttest_la_SOURCES = tests/testutil.c tests/testutil.h tests/testfixture.c tests/testfixture.h \
	tests/testcerts.c tests/testcerts.h tests/testdaemon.c tests/testdaemon.h
libqvirttest_la_CPPFLAGS = $(AM_CPPFLAGS) -DTESTS_SRCDIR_DEFAULT=\"$(abs_top_srcdir)/tests\" \
	-DQVIRTD_PATH=\""$(abs_top_builddir)/src/daemon/qvirtd"\"
libqvirttest_la_LIBADD = libqvirtutil.la $(GLIB_LIBS)

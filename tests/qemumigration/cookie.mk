## tests/qemumigration/cookie.mk: the migration cookie suite (test-cookie),
## driven by the files in tests/qemumigration/cookies/. It compiles the cookie
## source itself and links only conf and util, so it does not depend on the
## rest of the QEMU driver.
check_PROGRAMS += tests/qemumigration/test-cookie
TESTS += tests/qemumigration/test-cookie
tests_qemumigration_test_cookie_SOURCES = tests/qemumigration/test-cookie.c \
	src/qemu/qemu_migration_cookie.c src/qemu/qemu_migration_cookie.h
tests_qemumigration_test_cookie_CPPFLAGS = $(AM_CPPFLAGS)
tests_qemumigration_test_cookie_LDADD = libqvirtconf.la $(TEST_LIBS)
EXTRA_DIST += tests/qemumigration/cookies

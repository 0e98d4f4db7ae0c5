## tests/domainjob: job control rules (multi-threaded), the <job> status XML
## fragment and a stress run; one binary, also run under ThreadSanitizer by
## tools/check-suites.d/10-tsan.sh.
check_PROGRAMS += tests/domainjob/test-domainjob
TESTS += tests/domainjob/test-domainjob
tests_domainjob_test_domainjob_SOURCES = \
	tests/domainjob/main.c \
	tests/domainjob/jobtest.c tests/domainjob/jobtest.h \
	tests/domainjob/test-rules.c \
	tests/domainjob/test-status.c \
	tests/domainjob/test-stress.c
tests_domainjob_test_domainjob_LDADD = libqvirtconf.la $(TEST_LIBS)

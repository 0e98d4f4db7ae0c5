## tests/util: the utility layer's suite, one binary (test-util).
## Each helper's cases live in their own file and register from main.c.
check_PROGRAMS += tests/util/test-util
TESTS += tests/util/test-util
tests_util_test_util_SOURCES = \
	tests/util/main.c tests/util/suites.h \
	tests/util/test-error.c \
	tests/util/test-process.c \
	tests/util/test-uuid.c tests/util/test-strnum.c \
	tests/util/test-xml.c tests/util/test-json.c \
	tests/util/test-eventloop.c \
	tests/util/test-workerpool.c \
	tests/util/test-files.c \
	tests/util/test-log.c \
	tests/util/test-crashpoint.c
tests_util_test_util_LDADD = $(TEST_LIBS)

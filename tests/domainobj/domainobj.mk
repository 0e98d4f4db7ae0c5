## tests/domainobj: the domain object list, config and status folders, capabilities.
check_PROGRAMS += tests/domainobj/test-domainobj
TESTS += tests/domainobj/test-domainobj
tests_domainobj_test_domainobj_SOURCES = tests/domainobj/test-domainobj.c
tests_domainobj_test_domainobj_LDADD = libqvirtconf.la $(TEST_LIBS)
EXTRA_DIST += tests/domainobj/data

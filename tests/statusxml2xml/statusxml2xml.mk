## tests/statusxml2xml: status XML round trips and failures, driven by data/.
check_PROGRAMS += tests/statusxml2xml/test-statusxml2xml
TESTS += tests/statusxml2xml/test-statusxml2xml
tests_statusxml2xml_test_statusxml2xml_SOURCES = tests/statusxml2xml/test-statusxml2xml.c
tests_statusxml2xml_test_statusxml2xml_LDADD = libqvirtconf.la $(TEST_LIBS)
EXTRA_DIST += tests/statusxml2xml/data

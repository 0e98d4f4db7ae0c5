## tests/domainxml2xml: domain XML round trips and failures driven by data/,
## and libvirt's schema check (virt-xml-validate) of every expected output.
check_PROGRAMS += tests/domainxml2xml/test-domainxml2xml
TESTS += tests/domainxml2xml/test-domainxml2xml tests/domainxml2xml/validate.sh
tests_domainxml2xml_test_domainxml2xml_SOURCES = tests/domainxml2xml/test-domainxml2xml.c
tests_domainxml2xml_test_domainxml2xml_LDADD = libqvirtconf.la $(TEST_LIBS)
EXTRA_DIST += tests/domainxml2xml/validate.sh tests/domainxml2xml/data

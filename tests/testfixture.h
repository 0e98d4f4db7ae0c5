/* testfixture.h: helpers of the data-driven suites (a folder of input files
 * and expected outputs): reading fixtures, comparing with an expected file
 * (QVIRT_TEST_REGENERATE=1 rewrites it instead, for review), and the words
 * virsh prints before an error message. */
#pragma once

#include <glib.h>

/* tests/SUITE/data/NAME in the source tree; free with g_free. */
char *qvirt_test_fixture_path(const char *suite, const char *name);

/* The whole file at PATH; aborts the test when it cannot be read. */
char *qvirt_test_fixture_read(const char *path);

/* Compare ACTUAL with EXPECTED (the content of PATH): a difference fails the
 * test, or rewrites PATH when QVIRT_TEST_REGENERATE=1. */
void qvirt_test_fixture_compare(const char *path, const char *expected, const char *actual);

/* What virsh prints before the message of an error with CODE ("XML error",
 * "unsupported configuration", ...), or the code's name. */
const char *qvirt_test_error_kind(int code);

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

/* Call FUNC(DIR, NAME, OPAQUE) for every entry NAME of folder DIR, in
 * bytewise order of the names, so cases register in a stable order; aborts
 * the test when DIR cannot be read. */
typedef void (*QvirtTestFixtureFunc)(const char *dir, const char *name, gpointer opaque);
void qvirt_test_fixture_foreach(const char *dir, QvirtTestFixtureFunc func, gpointer opaque);

/* Register TEST_PATH as a case that fails naming fixture file NAME: a file
 * that no case of the suite reads. */
void qvirt_test_fixture_add_unused(const char *test_path, const char *name);

/* A bad-input fixture is a pair in one folder: STEM.xml (the input) and
 * STEM.err (the expected error). Register NAME, a file of folder DIR, as
 * such: for STEM.xml with its STEM.err, the case CASE_PREFIX followed by
 * STEM less its leading STRIP (may be ""), run by FUNC with STEM as its
 * data (a string the case owns no reference to); nothing for the STEM.err
 * of a whole pair; otherwise (a lone half, any other file) the failing case
 * UNUSED_PREFIX followed by NAME. */
void qvirt_test_fixture_add_pair(const char *dir, const char *name, const char *case_prefix,
                                 const char *strip, const char *unused_prefix, GTestDataFunc func);

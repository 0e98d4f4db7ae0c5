/* testutil.h: helpers shared by the GTest suites: start-up, fixture paths,
 * temporary folders and checks on the thread's last error. */
#pragma once

#include <glib.h>

/* g_test_init plus qvirt's defaults (C locale, logging to stderr at error). */
void qvirt_test_init(int *argc, char ***argv);

/* Absolute path of a file under tests/ in the source tree; free with g_free. */
char *qvirt_test_srcpath(const char *relative);

/* A new empty folder, removed with all its contents by qvirt_test_rmtree. */
char *qvirt_test_mkdtemp(void);
void qvirt_test_rmtree(const char *path);

/* Assert that the last error has CODE and that its message contains NEEDLE. */
#define qvirt_test_assert_error(code, needle) \
    qvirt_test_assert_error_full(__FILE__, __LINE__, (code), (needle))
void qvirt_test_assert_error_full(const char *file, int line, int code, const char *needle);

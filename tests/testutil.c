/* testutil.c: helpers shared by the GTest suites (see testutil.h). */
#include <config.h>

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "testutil.h"
#include "util/error.h"
#include "util/log.h"

void
qvirt_test_init(int *argc, char ***argv)
{
    /* automake's TAP driver reads the results: always speak TAP. GLib 2.74
     * needs --tap. The copy of argv lives as long as the program (static, so
     * leak checkers see it as reachable). */
    static char **args;

    args = g_new0(char *, *argc + 2);
    for (int i = 0; i < *argc; i++)
        args[i] = (*argv)[i];
    args[*argc] = (char *)"--tap";
    *argc += 1;
    *argv = args;
    setlocale(LC_ALL, "C");
    g_test_init(argc, argv, NULL);
    /* Tests provoke errors on purpose: they go to the test's log on stderr. */
    qvirt_log_reset();
    if (qvirt_log_init_from_env() < 0)
        g_error("bad logging environment: %s", qvirt_error_last_message());
}

char *
qvirt_test_srcpath(const char *relative)
{
    const char *srcdir = g_getenv("QVIRT_TEST_SRCDIR");

    if (!srcdir)
        srcdir = TESTS_SRCDIR_DEFAULT;
    return g_build_filename(srcdir, relative, NULL);
}

char *
qvirt_test_mkdtemp(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("qvirt-test-XXXXXX", &err);

    g_assert_no_error(err);
    return dir;
}

void
qvirt_test_rmtree(const char *path)
{
    GDir *dir;
    const char *name;

    if (!path)
        return;
    if (!g_file_test(path, G_FILE_TEST_IS_DIR) || g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        g_unlink(path);
        return;
    }
    dir = g_dir_open(path, 0, NULL);
    if (dir) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            qvirt_test_rmtree(child);
        }
        g_dir_close(dir);
    }
    g_rmdir(path);
}

void
qvirt_test_assert_error_full(const char *file, int line, int code, const char *needle)
{
    const QvirtError *err = qvirt_error_get_last();

    if (!err) {
        g_error("%s:%d: expected error %s, but none was reported", file, line,
                qvirt_error_code_name(code));
    }
    if (err->code != code) {
        g_error("%s:%d: expected error %s, got %s: %s", file, line, qvirt_error_code_name(code),
                qvirt_error_code_name(err->code), err->message);
    }
    if (needle && !strstr(err->message, needle)) {
        g_error("%s:%d: error message '%s' does not contain '%s'", file, line, err->message,
                needle);
    }
}

/* test-crashpoint.c: QVIRT_CRASH_POINT, read once, and the points that end
 * the process (in a forked child) or do nothing; the list of points agrees
 * with docs/crashpoints.md. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "util/crashpoint_priv.h"
#include "util/log.h"

static void
arm(const char *value)
{
    if (value)
        g_setenv("QVIRT_CRASH_POINT", value, TRUE);
    else
        g_unsetenv("QVIRT_CRASH_POINT");
    qvirt_crash_point_reset();
}

static void
test_crashpoint_unset(void)
{
    arm(NULL);
    qvirt_crash_point_init();
    g_assert_null(qvirt_crash_point_get());
    g_assert_null(qvirt_crash_point_armed);
    /* Reached here means they returned. */
    qvirt_crash_point("migrate-before");
    qvirt_crash_point_join("migration-out", "perform3");

    arm("");
    qvirt_crash_point_init();
    g_assert_null(qvirt_crash_point_get());
    qvirt_crash_point("");
}

static void
test_crashpoint_other_names(void)
{
    arm("migration-out-perform3");
    qvirt_crash_point_init();
    g_assert_cmpstr(qvirt_crash_point_get(), ==, "migration-out-perform3");
    qvirt_crash_point("migrate-before");
    qvirt_crash_point("migration-out-perform");
    qvirt_crash_point("migration-out-perform3_done");
    qvirt_crash_point(NULL);
    qvirt_crash_point_join("migration-out", "perform3_done");
    qvirt_crash_point_join("migration-in", "perform3");
    qvirt_crash_point_join("migration-out", "perform");
    qvirt_crash_point_join("migration-out-", "perform3");
    qvirt_crash_point_join("migration-outX", "perform3");
    qvirt_crash_point_join(NULL, "perform3");
    arm(NULL);
}

static void
test_crashpoint_read_once(void)
{
    arm("migrate-after");
    qvirt_crash_point_init();
    /* A later change of the environment is not seen. */
    g_setenv("QVIRT_CRASH_POINT", "migrate-before", TRUE);
    qvirt_crash_point_init();
    g_assert_cmpstr(qvirt_crash_point_get(), ==, "migrate-after");
    qvirt_crash_point("migrate-before");
    arm(NULL);
}

static void
test_crashpoint_lazy(void)
{
    /* Without init the first point reads the variable. */
    arm("dst-cont-after");
    g_assert_nonnull(qvirt_crash_point_armed);
    qvirt_crash_point("dst-cont-before");
    g_assert_cmpstr(qvirt_crash_point_armed, ==, "dst-cont-after");
    g_unsetenv("QVIRT_CRASH_POINT");
    g_assert_cmpstr(qvirt_crash_point_get(), ==, "dst-cont-after");
    arm(NULL);
    qvirt_crash_point("dst-cont-after");
    g_assert_null(qvirt_crash_point_armed);
}

/* Run POINT (or FIRST-SECOND through the join form) in a child with
 * QVIRT_CRASH_POINT=ARMED (initialised lazily when LAZY) and its log at
 * info level into a pipe; returns the child's wait status, its log in
 * RET_LOG. */
static int
run_child(const char *armed, gboolean lazy, const char *point, const char *first,
          const char *second, char **ret_log)
{
    int fds[2];
    pid_t pid;
    int status = 0;
    GString *log = g_string_new(NULL);
    char buf[512];
    ssize_t n;

    g_assert_cmpint(pipe(fds), ==, 0);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], STDERR_FILENO) < 0)
            _exit(3);
        qvirt_log_reset();
        qvirt_log_set_default_priority(QVIRT_LOG_INFO);
        arm(armed);
        if (!lazy)
            qvirt_crash_point_init();
        if (point)
            qvirt_crash_point(point);
        else
            qvirt_crash_point_join(first, second);
        /* Not reached when the point fires. */
        _exit(0);
    }
    close(fds[1]);
    while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        g_assert_cmpint(n, >, 0);
        g_string_append_len(log, buf, n);
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0)
        g_assert_cmpint(errno, ==, EINTR);
    *ret_log = g_string_free(log, FALSE);
    return status;
}

static void
test_crashpoint_fires(void)
{
    g_autofree char *log = NULL;
    g_autofree char *log2 = NULL;
    g_autofree char *log3 = NULL;
    int status;

    status = run_child("migrate-before", FALSE, "migrate-before", NULL, NULL, &log);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(log, ": info : util.crashpoint : crash_point_fire:"));
    g_assert_nonnull(strstr(log, "crash point 'migrate-before' reached"));

    /* Lazily initialised, through the two-part form. */
    status = run_child("migration-in-finish3", TRUE, NULL, "migration-in", "finish3", &log2);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(log2, "crash point 'migration-in-finish3' reached"));

    /* Another name: the child goes on and exits 0, without the line. */
    status = run_child("migrate-after", FALSE, "migrate-before", NULL, NULL, &log3);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_null(strstr(log3, "reached"));
}

static void
test_crashpoint_unknown_name(void)
{
    g_autofree char *log = NULL;
    int status;

    /* An undocumented name is reported, and still works. */
    status = run_child("no-such-point", FALSE, "no-such-point", NULL, NULL, &log);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(log, ": warning : util.crashpoint : "));
    g_assert_nonnull(strstr(log, "QVIRT_CRASH_POINT='no-such-point' names no documented"));
}

/* Every name in the code's list is documented, and every name the
 * document's table lists (first column, in backquotes) is in the code. */
static void
test_crashpoint_documented(void)
{
    g_autofree char *path = qvirt_test_srcpath("../docs/crashpoints.md");
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    const char *const *names = qvirt_crash_point_names();
    g_autoptr(GHashTable) documented = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint count = 0;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        const char *start;
        const char *end;

        if (!g_str_has_prefix(lines[i], "| `"))
            continue;
        start = lines[i] + 3;
        end = strchr(start, '`');
        g_assert_nonnull(end);
        g_hash_table_add(documented, g_strndup(start, end - start));
    }
    for (; names[count]; count++) {
        if (!g_hash_table_contains(documented, names[count]))
            g_error("crash point '%s' is not in docs/crashpoints.md", names[count]);
    }
    g_assert_cmpuint(count, >=, 20);
    g_assert_cmpuint(g_hash_table_size(documented), ==, count);
}

void
test_crashpoint_register(void)
{
    g_test_add_func("/util/crashpoint/unset", test_crashpoint_unset);
    g_test_add_func("/util/crashpoint/other-names", test_crashpoint_other_names);
    g_test_add_func("/util/crashpoint/read-once", test_crashpoint_read_once);
    g_test_add_func("/util/crashpoint/lazy", test_crashpoint_lazy);
    g_test_add_func("/util/crashpoint/fires", test_crashpoint_fires);
    g_test_add_func("/util/crashpoint/unknown-name", test_crashpoint_unknown_name);
    g_test_add_func("/util/crashpoint/documented", test_crashpoint_documented);
}

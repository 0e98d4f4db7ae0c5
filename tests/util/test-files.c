/* test-files.c: atomic writes (including a writer killed before the rename),
 * bounded reads, mkdir -p, the state folder lock and the small fd helpers. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"
#include "util/files_priv.h"

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in DIR, sorted, joined with ",": shows left-over temporary files. */
static char *
list_dir(const char *dir)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(",", (char **)names->pdata);
}

/* Assert that PATH holds exactly LEN bytes of EXPECTED. */
static void
assert_content(const char *path, const char *expected, size_t len)
{
    g_autofree char *data = NULL;
    gsize got = 0;

    g_assert_true(g_file_get_contents(path, &data, &got, NULL));
    g_assert_cmpmem(data, got, expected, len);
}

static mode_t
file_mode(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return st.st_mode & 07777;
}

static void
wait_child(pid_t pid, int *ret_status)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        g_assert_cmpint(errno, ==, EINTR);
    *ret_status = status;
}

/* How long a parent waits for its forked child to speak: a child stuck for
 * any reason fails the test instead of hanging it. */
#define CHILD_TIMEOUT_MS 30000

/* Read from FD, a pipe from a child, until end of file, LEN bytes, or (when
 * STOP_AT_NUL) a NUL byte. Returns the number of bytes read, or -1 when the
 * deadline passed or reading failed. */
static ssize_t
read_from_child(int fd, char *buf, size_t len, gboolean stop_at_nul)
{
    gint64 deadline = g_get_monotonic_time() + CHILD_TIMEOUT_MS * G_GINT64_CONSTANT(1000);
    size_t got = 0;

    while (got < len) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
        ssize_t n;
        int rc;

        if (left_ms <= 0)
            return -1;
        rc = poll(&pfd, 1, (int)left_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return -1;
        n = read(fd, buf + got, stop_at_nul ? 1 : len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
        if (stop_at_nul && buf[got - 1] == '\0')
            break;
    }
    return (ssize_t)got;
}

/* In a forked child: send the last error ("<code> <message>") to FD and exit. */
static void G_GNUC_NORETURN
child_report_and_exit(int fd, int rc)
{
    g_autofree char *msg =
        g_strdup_printf("%d %s", qvirt_error_last_code(), rc < 0 ? qvirt_error_last_message() : "");

    qvirt_fd_write_all(fd, msg, strlen(msg));
    _exit(rc < 0 ? 1 : 0);
}

/* In the parent: read what child_report_and_exit sent, reap the child and
 * return its exit code; *ret_code and *ret_msg get the child's last error. */
static int
parent_collect(pid_t pid, int fd, int *ret_code, char **ret_msg)
{
    char buf[1024];
    ssize_t n = read_from_child(fd, buf, sizeof(buf) - 1, FALSE);
    char *space;
    int status;

    close(fd);
    if (n < 0)
        kill(pid, SIGKILL); /* stuck: end it before failing */
    wait_child(pid, &status);
    g_assert_cmpint(n, >, 0);
    buf[n] = '\0';
    g_assert_true(WIFEXITED(status));
    *ret_code = (int)g_ascii_strtoll(buf, &space, 10);
    g_assert_true(*space == ' ');
    *ret_msg = g_strdup(space + 1);
    return WEXITSTATUS(status);
}

static void
test_files_atomic_write(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "state.xml", NULL);
    g_autofree char *names = NULL;
    mode_t old_umask;

    /* The umask must not take bits away from the requested mode. */
    old_umask = umask(027);
    g_assert_cmpint(qvirt_file_write_atomic(path, "first\n", 6, 0664), ==, 0);
    umask(old_umask);
    assert_content(path, "first\n", 6);
    g_assert_cmpint(file_mode(path), ==, 0664);

    /* Replace: new content, new mode, and data with an embedded NUL. */
    g_assert_cmpint(qvirt_file_write_atomic(path, "sec\0ond", 7, 0600), ==, 0);
    assert_content(path, "sec\0ond", 7);
    g_assert_cmpint(file_mode(path), ==, 0600);

    g_assert_cmpint(qvirt_file_write_atomic_str(path, "<domain/>", 0640), ==, 0);
    assert_content(path, "<domain/>", 9);
    g_assert_cmpint(file_mode(path), ==, 0640);

    g_assert_cmpint(qvirt_file_write_atomic(path, NULL, 0, 0640), ==, 0);
    assert_content(path, "", 0);

    /* No temporary file is ever left behind. */
    names = list_dir(dir);
    g_assert_cmpstr(names, ==, "state.xml");
    qvirt_test_rmtree(dir);
}

/* The crash test: the child stops at the hook (data written and synced,
 * not yet renamed), tells the parent the temporary name, and blocks until
 * the parent kills it. */
static int crash_ready_fd = -1;
static int crash_wait_fd = -1;

static void
crash_hook(const char *tmp_path, const char *path)
{
    char c;

    qvirt_fd_write_all(crash_ready_fd, tmp_path, strlen(tmp_path) + 1);
    /* The parent never writes: this read ends only with SIGKILL. */
    qvirt_fd_read_all(crash_wait_fd, &c, 1);
    _exit(3);
}

static void
test_files_atomic_write_crash(void)
{
    static const char old_content[] = "<domain><name>old</name></domain>\n";
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "web1.xml", NULL);
    g_autofree char *new_content = g_strnfill(64 * 1024, 'n');
    g_autofree char *tmp_name = NULL;
    char tmp_path[4096];
    int ready[2];
    int hold[2];
    int kill_rc;
    ssize_t n;
    int status;
    pid_t pid;

    g_assert_cmpint(qvirt_file_write_atomic_str(path, old_content, 0600), ==, 0);
    g_assert_cmpint(pipe2(ready, O_CLOEXEC), ==, 0);
    g_assert_cmpint(pipe2(hold, O_CLOEXEC), ==, 0);

    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        close(ready[0]);
        close(hold[1]);
        crash_ready_fd = ready[1];
        crash_wait_fd = hold[0];
        qvirt_files_test_before_rename = crash_hook;
        qvirt_file_write_atomic(path, new_content, strlen(new_content), 0600);
        _exit(2); /* the hook never returns */
    }
    close(ready[1]);
    close(hold[0]);

    /* The child sends the temporary name with its NUL and then stays alive:
     * read up to the NUL, not to end of file. */
    n = read_from_child(ready[0], tmp_path, sizeof(tmp_path), TRUE);
    /* Kill and reap before any assertion, so a failure leaves no child. */
    kill_rc = kill(pid, SIGKILL);
    wait_child(pid, &status);
    close(ready[0]);
    close(hold[1]);

    g_assert_cmpint(kill_rc, ==, 0);

    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);
    g_assert_cmpint(n, >, 0);
    g_assert_cmpint(tmp_path[n - 1], ==, '\0');

    /* The old file survives, byte for byte. */
    assert_content(path, old_content, strlen(old_content));
    g_assert_cmpint(file_mode(path), ==, 0600);

    /* The crash point really was after the full write and sync: the whole new
     * content sits in a temporary file in the same folder. */
    tmp_name = g_path_get_basename(tmp_path);
    g_assert_true(g_str_has_prefix(tmp_name, ".web1.xml."));
    g_assert_cmpstr(tmp_path + strlen(dir), ==, strrchr(tmp_path, '/'));
    assert_content(tmp_path, new_content, strlen(new_content));
    qvirt_test_rmtree(dir);
}

static void
test_files_atomic_write_no_folder(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "missing", "state.xml", NULL);
    g_autofree char *names = NULL;

    qvirt_error_reset();
    g_assert_cmpint(qvirt_file_write_atomic_str(path, "x", 0600), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, path);
    g_assert_nonnull(strstr(qvirt_error_last_message(), g_strerror(ENOENT)));
    names = list_dir(dir);
    g_assert_cmpstr(names, ==, "");
    qvirt_test_rmtree(dir);
}

static void
test_files_atomic_write_onto_folder(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "state.xml", NULL);
    g_autofree char *inner = g_build_filename(path, "keep", NULL);
    g_autofree char *names = NULL;

    /* PATH is a folder: the rename fails and nothing is harmed. */
    g_assert_cmpint(mkdir(path, 0700), ==, 0);
    g_assert_cmpint(qvirt_file_write_atomic_str(inner, "kept", 0600), ==, 0);
    qvirt_error_reset();
    g_assert_cmpint(qvirt_file_write_atomic_str(path, "new", 0600), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, path);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_DIR));
    assert_content(inner, "kept", 4);
    names = list_dir(dir);
    g_assert_cmpstr(names, ==, "state.xml");
    qvirt_test_rmtree(dir);
}

static void
test_files_atomic_write_fails_keeps_old(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "state.xml", NULL);
    g_autofree char *big = g_strnfill(4096, 'b');
    g_autofree char *names = NULL;
    g_autofree char *msg = NULL;
    int out[2];
    int code;
    pid_t pid;

    g_assert_cmpint(qvirt_file_write_atomic_str(path, "old content that stays", 0600), ==, 0);
    g_assert_cmpint(pipe2(out, O_CLOEXEC), ==, 0);

    /* A real write error: in a child whose file size limit is 16 bytes, the
     * write of the temporary file fails with EFBIG. The limit is set only in
     * the child, since it would also cut the test log. */
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        struct rlimit rl;
        int rc;

        close(out[0]);
        signal(SIGXFSZ, SIG_IGN);
        getrlimit(RLIMIT_FSIZE, &rl);
        rl.rlim_cur = 16;
        setrlimit(RLIMIT_FSIZE, &rl);
        rc = qvirt_file_write_atomic_str(path, big, 0600);
        child_report_and_exit(out[1], rc);
    }
    close(out[1]);
    g_assert_cmpint(parent_collect(pid, out[0], &code, &msg), ==, 1);

    g_assert_cmpint(code, ==, QVIRT_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(msg, "cannot write"));
    g_assert_nonnull(strstr(msg, path));
    g_assert_nonnull(strstr(msg, g_strerror(EFBIG)));
    assert_content(path, "old content that stays", 22);
    names = list_dir(dir);
    g_assert_cmpstr(names, ==, "state.xml");
    qvirt_test_rmtree(dir);
}

static void
test_files_read_limited(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "data", NULL);
    g_autofree char *big = g_strnfill(20000, 'x');
    char *data = NULL;
    size_t len = 0;

    g_assert_cmpint(qvirt_file_write_atomic_str(path, "0123456789", 0600), ==, 0);

    /* Exactly the limit is fine, and the data is NUL-terminated. */
    g_assert_cmpint(qvirt_file_read_limited(path, 10, &data, &len), ==, 0);
    g_assert_cmpuint(len, ==, 10);
    g_assert_cmpstr(data, ==, "0123456789");
    g_clear_pointer(&data, g_free);

    /* One byte over the limit fails, naming the file and the limit. */
    qvirt_error_reset();
    len = 77;
    g_assert_cmpint(qvirt_file_read_limited(path, 9, &data, &len), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_READ_FAILED, path);
    g_assert_nonnull(strstr(qvirt_error_last_message(), "9 bytes"));
    g_assert_null(data);
    g_assert_cmpuint(len, ==, 77);

    /* Larger than the first buffer; ret_len may be NULL. */
    g_assert_cmpint(qvirt_file_write_atomic_str(path, big, 0600), ==, 0);
    g_assert_cmpint(qvirt_file_read_limited(path, 20000, &data, NULL), ==, 0);
    g_assert_cmpstr(data, ==, big);
    g_clear_pointer(&data, g_free);
    g_assert_cmpint(qvirt_file_read_limited(path, 19999, &data, &len), ==, -1);
    g_assert_null(data);

    /* An empty file with a zero limit. */
    g_assert_cmpint(qvirt_file_write_atomic_str(path, "", 0600), ==, 0);
    g_assert_cmpint(qvirt_file_read_limited(path, 0, &data, &len), ==, 0);
    g_assert_cmpuint(len, ==, 0);
    g_assert_cmpstr(data, ==, "");
    g_clear_pointer(&data, g_free);
    qvirt_test_rmtree(dir);
}

static void
test_files_read_proc(void)
{
    g_autofree char *pid_prefix = g_strdup_printf("%d (", (int)getpid());
    g_autofree char *data = NULL;
    size_t len = 0;
    struct stat st;

    /* /proc files report size 0 but have content. */
    g_assert_cmpint(stat("/proc/self/stat", &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 0);
    g_assert_cmpint(qvirt_file_read_limited("/proc/self/stat", 64 * 1024, &data, &len), ==, 0);
    g_assert_cmpuint(len, >, 0);
    g_assert_cmpuint(strlen(data), ==, len);
    g_assert_true(g_str_has_prefix(data, pid_prefix));
}

typedef struct {
    const char *path;
    size_t len;
} FifoWriter;

static gpointer
fifo_writer(gpointer opaque)
{
    FifoWriter *w = opaque;
    g_autofree char *chunk = g_strnfill(w->len, 'f');
    int fd = open(w->path, O_WRONLY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return GINT_TO_POINTER(-1);
    /* EPIPE when the reader stops early is fine: only the reader's view counts. */
    rc = qvirt_fd_write_all(fd, chunk, w->len);
    close(fd);
    return GINT_TO_POINTER(rc < 0 && errno != EPIPE ? -1 : 0);
}

static void
test_files_read_stream(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "fifo", NULL);
    FifoWriter w = {path, 50000};
    g_autofree char *data = NULL;
    void (*old_pipe)(int);
    GThread *thread;
    size_t len = 0;

    /* A FIFO has no size at all: the buffer must grow while reading. */
    old_pipe = signal(SIGPIPE, SIG_IGN);
    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    thread = g_thread_new("fifo", fifo_writer, &w);
    g_assert_cmpint(qvirt_file_read_limited(path, 100000, &data, &len), ==, 0);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(thread)), ==, 0);
    g_assert_cmpuint(len, ==, 50000);
    g_assert_cmpuint(strspn(data, "f"), ==, 50000);
    g_clear_pointer(&data, g_free);

    /* And the limit holds for a stream too. */
    thread = g_thread_new("fifo", fifo_writer, &w);
    qvirt_error_reset();
    g_assert_cmpint(qvirt_file_read_limited(path, 49999, &data, &len), ==, -1);
    g_thread_join(thread);
    qvirt_test_assert_error(QVIRT_ERR_READ_FAILED, path);
    g_assert_null(data);
    signal(SIGPIPE, old_pipe);
    qvirt_test_rmtree(dir);
}

static void
test_files_read_missing(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "nope", NULL);
    char *data = NULL;

    qvirt_error_reset();
    g_assert_cmpint(qvirt_file_read_limited(path, 100, &data, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, path);
    g_assert_nonnull(strstr(qvirt_error_last_message(), g_strerror(ENOENT)));
    g_assert_null(data);
    qvirt_test_rmtree(dir);
}

static void
test_files_mkdir_parents(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *a = g_build_filename(dir, "a", NULL);
    g_autofree char *ab = g_build_filename(dir, "a", "b", NULL);
    g_autofree char *abc = g_build_filename(dir, "a", "b", "c", NULL);
    g_autofree char *messy = g_strdup_printf("%s//a/b//d/", dir);
    g_autofree char *abd = g_build_filename(dir, "a", "b", "d", NULL);
    mode_t dir_mode = file_mode(dir);
    mode_t old_umask;

    /* A umask that would strip group bits must not change the result. */
    old_umask = umask(077);
    g_assert_cmpint(qvirt_dir_make_parents(abc, 0750), ==, 0);
    umask(old_umask);
    g_assert_true(g_file_test(abc, G_FILE_TEST_IS_DIR));
    g_assert_cmpint(file_mode(a), ==, 0750);
    g_assert_cmpint(file_mode(ab), ==, 0750);
    g_assert_cmpint(file_mode(abc), ==, 0750);
    /* The existing top folder is left alone. */
    g_assert_cmpint(file_mode(dir), ==, dir_mode);

    /* Existing folders are fine, and their mode is kept. */
    g_assert_cmpint(qvirt_dir_make_parents(abc, 0700), ==, 0);
    g_assert_cmpint(file_mode(abc), ==, 0750);

    /* Repeated and trailing slashes. */
    g_assert_cmpint(qvirt_dir_make_parents(messy, 0711), ==, 0);
    g_assert_cmpint(file_mode(abd), ==, 0711);
    g_assert_cmpint(file_mode(ab), ==, 0750);

    g_assert_cmpint(qvirt_dir_make_parents("/", 0700), ==, 0);

    qvirt_error_reset();
    g_assert_cmpint(qvirt_dir_make_parents("", 0700), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "empty");
    qvirt_test_rmtree(dir);
}

static void
test_files_mkdir_parents_not_folder(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *file = g_build_filename(dir, "file", NULL);
    g_autofree char *below = g_build_filename(dir, "file", "x", "y", NULL);
    g_autofree char *quoted = g_strdup_printf("'%s' exists and is not a folder", file);
    g_autofree char *names = NULL;

    g_assert_cmpint(qvirt_file_write_atomic_str(file, "data", 0600), ==, 0);

    qvirt_error_reset();
    g_assert_cmpint(qvirt_dir_make_parents(below, 0755), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, quoted);
    g_assert_nonnull(strstr(qvirt_error_last_message(), below));

    /* The last component itself being a file fails too. */
    qvirt_error_reset();
    g_assert_cmpint(qvirt_dir_make_parents(file, 0755), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, quoted);
    assert_content(file, "data", 4);
    names = list_dir(dir);
    g_assert_cmpstr(names, ==, "file");
    qvirt_test_rmtree(dir);
}

/* Fork a child that tries to lock DIR; returns its exit code (0: it got the
 * lock) and the error it saw. */
static int
lock_in_child(const char *dir, int *ret_code, char **ret_msg)
{
    int out[2];
    pid_t pid;

    g_assert_cmpint(pipe2(out, O_CLOEXEC), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        QvirtDirLock *lock;

        close(out[0]);
        qvirt_error_reset();
        lock = qvirt_dir_lock_acquire(dir, "qvirtd");
        qvirt_dir_lock_release(lock);
        child_report_and_exit(out[1], lock ? 0 : -1);
    }
    close(out[1]);
    return parent_collect(pid, out[0], ret_code, ret_msg);
}

static void
test_files_dir_lock(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *lock_path = g_build_filename(dir, ".lock", NULL);
    g_autofree char *expect_pid = g_strdup_printf("(pid %d)", (int)getpid());
    g_autofree char *expect_content = g_strdup_printf("%d qvirtd\n", (int)getpid());
    g_autofree char *msg = NULL;
    QvirtDirLock *lock;
    QvirtDirLock *again;
    int code;

    /* Stale content of a dead holder does not matter: only the lock does. */
    g_assert_cmpint(qvirt_file_write_atomic_str(lock_path, "999999 ghost\n", 0644), ==, 0);
    lock = qvirt_dir_lock_acquire(dir, "qvirtd");
    g_assert_nonnull(lock);
    assert_content(lock_path, expect_content, strlen(expect_content));

    /* A second qvirtd, in another process, is refused and told who holds it. */
    g_assert_cmpint(lock_in_child(dir, &code, &msg), ==, 1);
    g_assert_cmpint(code, ==, QVIRT_ERR_OPERATION_INVALID);
    g_assert_nonnull(strstr(msg, "in use by another qvirtd"));
    g_assert_nonnull(strstr(msg, expect_pid));
    g_assert_nonnull(strstr(msg, dir));
    g_clear_pointer(&msg, g_free);

    /* OFD locks also conflict within one process; the holder's name comes
     * from the lock file, not from the caller. */
    qvirt_error_reset();
    again = qvirt_dir_lock_acquire(dir, "qvirt-tool");
    g_assert_null(again);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "in use by another qvirtd");
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, expect_pid);

    /* After release the child can take it, and then so can we again. */
    qvirt_dir_lock_release(lock);
    g_assert_cmpint(lock_in_child(dir, &code, &msg), ==, 0);
    g_assert_cmpint(code, ==, QVIRT_ERR_OK);
    g_clear_pointer(&msg, g_free);
    {
        g_autoptr(QvirtDirLock) relock = qvirt_dir_lock_acquire(dir, "qvirtd");
        g_assert_nonnull(relock);
    }
    qvirt_dir_lock_release(NULL);
    qvirt_test_rmtree(dir);
}

static void
test_files_dir_lock_bad_folder(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *missing = g_build_filename(dir, "missing", NULL);

    qvirt_error_reset();
    g_assert_null(qvirt_dir_lock_acquire(missing, "qvirtd"));
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, missing);
    qvirt_test_rmtree(dir);
}

static void
test_files_exists_remove(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "f", NULL);
    g_autofree char *sub = g_build_filename(dir, "sub", NULL);
    g_autofree char *inner = g_build_filename(sub, "g", NULL);

    g_assert_false(qvirt_file_exists(path));
    g_assert_cmpint(qvirt_file_write_atomic_str(path, "x", 0600), ==, 0);
    g_assert_true(qvirt_file_exists(path));
    g_assert_cmpint(qvirt_file_remove(path), ==, 0);
    g_assert_false(qvirt_file_exists(path));
    /* Already gone is success. */
    g_assert_cmpint(qvirt_file_remove(path), ==, 0);

    /* A folder cannot be removed as a file. */
    g_assert_cmpint(qvirt_dir_make_parents(sub, 0700), ==, 0);
    g_assert_cmpint(qvirt_file_write_atomic_str(inner, "y", 0600), ==, 0);
    qvirt_error_reset();
    g_assert_cmpint(qvirt_file_remove(sub), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_SYSTEM_ERROR, sub);
    g_assert_true(qvirt_file_exists(inner));
    qvirt_test_rmtree(dir);
}

static void
test_files_fd_helpers(void)
{
    char buf[16];
    int fds[2];

    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    g_assert_cmpint(qvirt_fd_write_all(fds[1], "hello", 5), ==, 0);
    g_assert_cmpint(qvirt_fd_write_all(fds[1], "", 0), ==, 0);
    close(fds[1]);
    /* Short only at end of file. */
    g_assert_cmpint(qvirt_fd_read_all(fds[0], buf, 3), ==, 3);
    g_assert_cmpmem(buf, 3, "hel", 3);
    g_assert_cmpint(qvirt_fd_read_all(fds[0], buf, sizeof(buf)), ==, 2);
    g_assert_cmpmem(buf, 2, "lo", 2);
    g_assert_cmpint(qvirt_fd_read_all(fds[0], buf, sizeof(buf)), ==, 0);
    close(fds[0]);

    /* Errors come back as -1 with errno. */
    errno = 0;
    g_assert_cmpint(qvirt_fd_write_all(fds[0], "x", 1), ==, -1);
    g_assert_cmpint(errno, ==, EBADF);
    errno = 0;
    g_assert_cmpint(qvirt_fd_read_all(fds[0], buf, 1), ==, -1);
    g_assert_cmpint(errno, ==, EBADF);
}

void
test_files_register(void)
{
    g_test_add_func("/util/files/atomic-write", test_files_atomic_write);
    g_test_add_func("/util/files/atomic-write-crash", test_files_atomic_write_crash);
    g_test_add_func("/util/files/atomic-write-no-folder", test_files_atomic_write_no_folder);
    g_test_add_func("/util/files/atomic-write-onto-folder", test_files_atomic_write_onto_folder);
    g_test_add_func("/util/files/atomic-write-fails-keeps-old",
                    test_files_atomic_write_fails_keeps_old);
    g_test_add_func("/util/files/read-limited", test_files_read_limited);
    g_test_add_func("/util/files/read-proc", test_files_read_proc);
    g_test_add_func("/util/files/read-stream", test_files_read_stream);
    g_test_add_func("/util/files/read-missing", test_files_read_missing);
    g_test_add_func("/util/files/mkdir-parents", test_files_mkdir_parents);
    g_test_add_func("/util/files/mkdir-parents-not-folder", test_files_mkdir_parents_not_folder);
    g_test_add_func("/util/files/dir-lock", test_files_dir_lock);
    g_test_add_func("/util/files/dir-lock-bad-folder", test_files_dir_lock_bad_folder);
    g_test_add_func("/util/files/exists-remove", test_files_exists_remove);
    g_test_add_func("/util/files/fd-helpers", test_files_fd_helpers);
}

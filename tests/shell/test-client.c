/* test-client.c: the client library and the shell without a daemon: which
 * socket a URI selects, the failures of opening (unsupported transport,
 * missing socket, a server that hangs up mid-call), the shell's option
 * parser and error output, completion and the default URI. The daemon-backed
 * checks are in test-shell.sh. */
#include <config.h>

#include <errno.h>
#include <pty.h>
#include <termios.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixture.h"
#include "qvirt/qvirt.h"
#include "remote/remote_driver.h"
#include "shell/shell.h"
#include "testutil.h"

/* ---- URI to socket ---- */

static char *
socket_for(const char *uri_str, unsigned int flags)
{
    g_autoptr(QvUri) uri = qv_uri_parse(uri_str);

    g_assert_nonnull(uri);
    return qv_remote_socket_path(uri, flags);
}

static void
test_socket_paths(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *expected = g_build_filename(dir, "qvirt", "qvirt-sock", NULL);
    g_autofree char *saved = g_strdup(g_getenv("XDG_RUNTIME_DIR"));
    char *path;

    g_setenv("XDG_RUNTIME_DIR", dir, TRUE);
    path = socket_for("qemu:///session", 0);
    g_assert_cmpstr(path, ==, expected);
    g_free(path);
    path = socket_for("test:///default", QV_CONNECT_RO);
    g_assert_cmpstr(path, ==, expected);
    g_free(path);
    path = socket_for("qemu:///system", 0);
    g_assert_cmpstr(path, ==, "/run/qvirt/qvirt-sock");
    g_free(path);
    path = socket_for("qemu:///system", QV_CONNECT_RO);
    g_assert_cmpstr(path, ==, "/run/qvirt/qvirt-sock-ro");
    g_free(path);
    path = socket_for("qemu+unix:///system?socket=/tmp/x/sock", 0);
    g_assert_cmpstr(path, ==, "/tmp/x/sock");
    g_free(path);

    /* Not a UNIX socket URI. */
    path = socket_for("qemu+tls://host.example.org/system", 0);
    g_assert_null(path);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "UNIX socket");

    if (saved)
        g_setenv("XDG_RUNTIME_DIR", saved, TRUE);
    else
        g_unsetenv("XDG_RUNTIME_DIR");
    qvirt_test_rmtree(dir);
}

/* ---- opening ---- */

static void
test_open_bad_transport(void)
{
    QvConnect *conn = qv_connect_open("qemu+ssh://host/system", 0);

    g_assert_null(conn);
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "ssh");
}

static void
test_open_missing_socket(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *uri = g_strdup_printf("test+unix:///default?socket=%s/none", dir);
    QvConnect *conn = qv_connect_open(uri, 0);

    g_assert_null(conn);
    g_assert_nonnull(qvirt_error_get_last());
    g_assert_nonnull(strstr(qvirt_error_last_message(), "none"));
    qvirt_test_rmtree(dir);
}

static void
test_open_bad_uri(void)
{
    g_assert_null(qv_connect_open("not a uri", 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "not a uri");
}

/* A server that accepts one client, reads part of its first call and hangs
 * up: the call in progress must fail with an RPC error, not hang. */
static gpointer
hangup_server(gpointer opaque)
{
    int lfd = GPOINTER_TO_INT(opaque);
    int fd = accept(lfd, NULL, NULL);
    char buf[28];
    size_t got = 0;

    if (fd >= 0) {
        /* The whole first call (AUTH_LIST: the length word and the header,
         * no payload), so that closing is a clean end of file. */
        while (got < sizeof(buf)) {
            ssize_t n = read(fd, buf + got, sizeof(buf) - got);

            if (n <= 0) {
                g_printerr("hangup server: read: %s\n", n < 0 ? g_strerror(errno) : "EOF");
                break;
            }
            got += n;
        }
        close(fd);
    }
    return NULL;
}

static void
test_open_server_hangs_up(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    g_autofree char *uri = g_strdup_printf("test+unix:///default?socket=%s", path);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    GThread *server;
    QvConnect *conn;

    g_assert_cmpint(lfd, >=, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    server = g_thread_new("hangup", hangup_server, GINT_TO_POINTER(lfd));

    conn = qv_connect_open(uri, 0);
    g_assert_null(conn);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "");

    g_thread_join(server);
    close(lfd);
    qvirt_test_rmtree(dir);
}

/* A server that accepts one client and never answers: opening must give
 * up at its deadline with OPERATION_TIMEOUT. The client end stays open
 * until the test has its answer. */
typedef struct {
    int lfd;
    int fd;
} SilentServer;

static gpointer
silent_server(gpointer opaque)
{
    SilentServer *s = opaque;

    s->fd = accept(s->lfd, NULL, NULL);
    return NULL;
}

static void
test_open_server_silent(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    g_autofree char *uri = g_strdup_printf("test+unix:///default?socket=%s", path);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    SilentServer s = {.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), .fd = -1};
    GThread *server;
    QvConnect *conn;

    g_assert_cmpint(s.lfd, >=, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(bind(s.lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(s.lfd, 1), ==, 0);
    server = g_thread_new("silent", silent_server, &s);

    g_setenv("QVIRT_REMOTE_OPEN_TIMEOUT_MS", "200", TRUE);
    conn = qv_connect_open(uri, 0);
    g_unsetenv("QVIRT_REMOTE_OPEN_TIMEOUT_MS");
    g_assert_null(conn);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, "");

    g_thread_join(server);
    if (s.fd >= 0)
        close(s.fd);
    close(s.lfd);
    qvirt_test_rmtree(dir);
}

/* ---- the shell without a connection ---- */

static void
test_shell_parse_errors(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_false(shell_fixture_run(f, "frobnicate"));
    g_assert_cmpstr(f->err_buf, ==, "error: unknown command: 'frobnicate'\n");

    g_assert_false(shell_fixture_run(f, "dominfo"));
    g_assert_cmpstr(f->err_buf, ==, "error: command 'dominfo' requires <domain> option\n");

    g_assert_false(shell_fixture_run(f, "list --bogus"));
    g_assert_cmpstr(f->err_buf, ==, "error: command 'list' doesn't support option --bogus\n");

    g_assert_false(shell_fixture_run(f, "domstate a b"));
    g_assert_cmpstr(f->err_buf, ==, "error: unexpected data 'b'\n");

    g_assert_false(shell_fixture_run(f, "domstate --domain a --domain b"));
    g_assert_cmpstr(f->err_buf, ==, "error: option --domain already provided\n");

    g_assert_false(shell_fixture_run(f, "shutdown --domain"));
    g_assert_cmpstr(f->err_buf, ==, "error: expected syntax: --domain <string>\n");

    g_assert_false(shell_fixture_run(f, "list --all=yes"));
    g_assert_cmpstr(f->err_buf, ==, "error: option --all doesn't take a value\n");

    g_assert_false(shell_fixture_run(f, "dominfo 'unterminated"));
    g_assert_true(g_str_has_prefix(f->err_buf, "error: "));

    /* Empty lines succeed and print nothing. */
    g_assert_true(shell_fixture_run(f, "   "));
    g_assert_cmpstr(f->out_buf, ==, "");
    g_assert_cmpstr(f->err_buf, ==, "");
}

static void
test_shell_no_daemon(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_false(shell_fixture_run(f, "list"));
    g_assert_true(g_str_has_suffix(f->err_buf, "error: failed to connect to the hypervisor\n"));
    g_assert_true(g_str_has_prefix(f->err_buf, "error: "));
    g_assert_cmpstr(f->out_buf, ==, "");
}

static void
test_shell_help(ShellFixture *f, gconstpointer data)
{
    (void)data;
    g_assert_true(shell_fixture_run(f, "help"));
    g_assert_nonnull(strstr(f->out_buf, "    dominfo "));
    g_assert_nonnull(strstr(f->out_buf, "    qemu-monitor-command "));
    g_assert_true(shell_fixture_run(f, "help domstate"));
    g_assert_nonnull(strstr(f->out_buf, "domstate - domain state"));
    g_assert_nonnull(strstr(f->out_buf, "[--reason]"));
    g_assert_false(shell_fixture_run(f, "help nosuch"));
    g_assert_cmpstr(f->err_buf, ==, "error: command or command group 'nosuch' doesn't exist\n");
    g_assert_true(shell_fixture_run(f, "event --list"));
    g_assert_nonnull(strstr(f->out_buf, "lifecycle\n"));
    g_assert_true(shell_fixture_run(f, "quit"));
    g_assert_true(f->sh->quit);
}

/* The line editor on a pseudo-terminal: keystrokes are written to the
 * master side before reading, so each read finds them all queued. */
static char *
edit(Shell *sh, int master, int slave, const char *keys)
{
    g_assert_cmpint(write(master, keys, strlen(keys)), ==, (ssize_t)strlen(keys));
    return shell_line_read(sh, slave, sh->out, "qvirt # ");
}

static void
test_shell_line_editor(ShellFixture *f, gconstpointer data)
{
    struct termios tio;
    int master;
    int slave;
    char *line;
    (void)data;

    /* A broken editor would wait for input for ever: fail instead. */
    alarm(60);
    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    /* Keys are queued before the editor switches the terminal to
     * non-canonical mode; queue them as a user typing at the editor would
     * (otherwise the line discipline would eat Ctrl-D as end of file). */
    g_assert_cmpint(tcgetattr(slave, &tio), ==, 0);
    tio.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    g_assert_cmpint(tcsetattr(slave, TCSANOW, &tio), ==, 0);

    line = edit(f->sh, master, slave, "domid test\n");
    g_assert_cmpstr(line, ==, "domid test");
    g_free(line);

    /* Backspace. */
    line = edit(f->sh, master, slave, "dox\x7fmname 1\r");
    g_assert_cmpstr(line, ==, "domname 1");
    g_free(line);

    /* TAB: a unique completion gets a space; an ambiguous one stops at the
     * common part ("domj" -> "domjob"), then more typing and TAB again. */
    line = edit(f->sh, master, slave, "hel\t\n");
    g_assert_cmpstr(line, ==, "help ");
    g_free(line);
    line = edit(f->sh, master, slave, "domj\tin\t\n");
    g_assert_cmpstr(line, ==, "domjobinfo ");
    g_free(line);
    /* Not the first word: nothing to complete. */
    line = edit(f->sh, master, slave, "list dom\t\n");
    g_assert_cmpstr(line, ==, "list dom");
    g_free(line);

    /* History: up twice goes to the older line, down comes back. */
    g_ptr_array_add(f->sh->history, g_strdup("list --all"));
    g_ptr_array_add(f->sh->history, g_strdup("uri"));
    line = edit(f->sh, master, slave, "\033[A\033[A\n");
    g_assert_cmpstr(line, ==, "list --all");
    g_free(line);
    line = edit(f->sh, master, slave, "\033[A\033[A\033[B\n");
    g_assert_cmpstr(line, ==, "uri");
    g_free(line);
    line = edit(f->sh, master, slave, "\033[A\033[B\n");
    g_assert_cmpstr(line, ==, "");
    g_free(line);

    /* Ctrl-D on an empty line ends the input; on a non-empty one it does
     * nothing. */
    line = edit(f->sh, master, slave, "ur\x04i\n");
    g_assert_cmpstr(line, ==, "uri");
    g_free(line);
    g_assert_null(edit(f->sh, master, slave, "\x04"));

    close(slave);
    close(master);
    alarm(0);
}

static void
test_shell_complete(void)
{
    g_auto(GStrv) dom = shell_complete("dom");
    g_auto(GStrv) none = shell_complete("zz");
    g_auto(GStrv) all = shell_complete("");

    g_assert_true(g_strv_contains((const char *const *)dom, "dominfo"));
    g_assert_true(g_strv_contains((const char *const *)dom, "domjobinfo"));
    g_assert_false(g_strv_contains((const char *const *)dom, "list"));
    g_assert_cmpuint(g_strv_length(none), ==, 0);
    g_assert_true(g_strv_contains((const char *const *)all, "list"));
}

static void
test_shell_default_uri(void)
{
    g_autofree char *saved = g_strdup(g_getenv("QVIRT_DEFAULT_URI"));
    char *uri;

    g_setenv("QVIRT_DEFAULT_URI", "test:///default", TRUE);
    uri = shell_default_uri();
    g_assert_cmpstr(uri, ==, "test:///default");
    g_free(uri);
    g_unsetenv("QVIRT_DEFAULT_URI");
    uri = shell_default_uri();
    g_assert_cmpstr(uri, ==, geteuid() == 0 ? "qemu:///system" : "qemu:///session");
    g_free(uri);
    if (saved)
        g_setenv("QVIRT_DEFAULT_URI", saved, TRUE);
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    g_assert_cmpint(qvirt_initialize(), ==, 0);
    /* Registering twice does nothing. */
    g_assert_cmpint(qvirt_initialize(), ==, 0);

    g_test_add_func("/client/socket-paths", test_socket_paths);
    g_test_add_func("/client/open/bad-transport", test_open_bad_transport);
    g_test_add_func("/client/open/missing-socket", test_open_missing_socket);
    g_test_add_func("/client/open/bad-uri", test_open_bad_uri);
    g_test_add_func("/client/open/server-hangs-up", test_open_server_hangs_up);
    g_test_add_func("/client/open/server-silent", test_open_server_silent);
    g_test_add("/client/shell/parse-errors", ShellFixture, NULL, shell_fixture_setup,
               test_shell_parse_errors, shell_fixture_teardown);
    g_test_add("/client/shell/no-daemon", ShellFixture, NULL, shell_fixture_setup,
               test_shell_no_daemon, shell_fixture_teardown);
    g_test_add("/client/shell/help", ShellFixture, NULL, shell_fixture_setup, test_shell_help,
               shell_fixture_teardown);
    g_test_add("/client/shell/line-editor", ShellFixture, NULL, shell_fixture_setup,
               test_shell_line_editor, shell_fixture_teardown);
    g_test_add_func("/client/shell/complete", test_shell_complete);
    g_test_add_func("/client/shell/default-uri", test_shell_default_uri);
    return g_test_run();
}

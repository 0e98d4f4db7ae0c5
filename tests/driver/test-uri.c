/* test-uri.c: connection URIs: local and remote forms, parameters, the URI
 * sent to the daemon, and every kind of bad URI. */
#include <config.h>

#include "driver/uri.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

typedef struct {
    const char *uri;
    const char *driver;
    const char *transport;
    const char *server;
    int port;
    const char *user;
    const char *path;
    const char *socket;
    gboolean remote;
    const char *formatted; /* NULL: same as uri */
    const char *daemon;
} UriGood;

static const UriGood uri_good[] = {
    {"qemu:///system", "qemu", NULL, NULL, 0, NULL, "/system", NULL, FALSE, NULL, "qemu:///system"},
    {"qemu:///session", "qemu", NULL, NULL, 0, NULL, "/session", NULL, FALSE, NULL,
     "qemu:///session"},
    {"test:///default", "test", NULL, NULL, 0, NULL, "/default", NULL, FALSE, NULL,
     "test:///default"},
    {"qemu+unix:///system?socket=/run/qvirt/qvirt-sock", "qemu", "unix", NULL, 0, NULL, "/system",
     "/run/qvirt/qvirt-sock", TRUE, NULL, "qemu:///system"},
    {"test+unix:///default?socket=/tmp/q%20s/sock", "test", "unix", NULL, 0, NULL, "/default",
     "/tmp/q s/sock", TRUE, NULL, "test:///default"},
    {"qemu:///system?socket=/run/x.sock", "qemu", NULL, NULL, 0, NULL, "/system", "/run/x.sock",
     TRUE, NULL, "qemu:///system"},
    {"qemu+tls://host.example.org/system", "qemu", "tls", "host.example.org", 0, NULL, "/system",
     NULL, TRUE, NULL, "qemu:///system"},
    {"qemu+tls://host.example.org:16514/system?no_verify=1&keep=yes", "qemu", "tls",
     "host.example.org", 16514, NULL, "/system", NULL, TRUE, NULL, "qemu:///system?keep=yes"},
    {"qemu+ssh://root@host/system", "qemu", "ssh", "host", 0, "root", "/system", NULL, TRUE, NULL,
     "qemu:///system"},
    {"qemu+tcp://[::1]:16509/system", "qemu", "tcp", "::1", 16509, NULL, "/system", NULL, TRUE,
     NULL, "qemu:///system"},
    {"qemu://host/system", "qemu", NULL, "host", 0, NULL, "/system", NULL, TRUE, NULL,
     "qemu:///system"},
    {"QEMU:///system", "qemu", NULL, NULL, 0, NULL, "/system", NULL, FALSE, "qemu:///system",
     "qemu:///system"},
    {"qemu+unix:///system?socket=/a&name=qemu:///session", "qemu", "unix", NULL, 0, NULL, "/system",
     "/a", TRUE, NULL, "qemu:///session"},
};

static void
test_uri_good(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(uri_good); i++) {
        const UriGood *t = &uri_good[i];
        g_autoptr(QvUri) uri = qv_uri_parse(t->uri);
        g_autofree char *formatted = NULL;
        g_autofree char *daemon = NULL;

        if (!uri)
            g_error("'%s' did not parse: %s", t->uri, qvirt_error_last_message());
        g_assert_cmpstr(uri->driver, ==, t->driver);
        g_assert_cmpstr(uri->transport, ==, t->transport);
        g_assert_cmpstr(uri->server, ==, t->server);
        g_assert_cmpint(uri->port, ==, t->port);
        g_assert_cmpstr(uri->user, ==, t->user);
        g_assert_cmpstr(uri->path, ==, t->path);
        g_assert_cmpstr(qv_uri_get_param(uri, "socket"), ==, t->socket);
        g_assert_cmpint(qv_uri_is_remote(uri), ==, t->remote);
        formatted = qv_uri_format(uri);
        g_assert_cmpstr(formatted, ==, t->formatted ? t->formatted : t->uri);
        daemon = qv_uri_daemon_uri(uri);
        g_assert_cmpstr(daemon, ==, t->daemon);
    }
}

static void
test_uri_params(void)
{
    g_autoptr(QvUri) uri = qv_uri_parse("test:///default?a=1&b&a=2;c=x%26y");
    g_autofree char *formatted = NULL;

    g_assert_nonnull(uri);
    g_assert_cmpuint(uri->nparams, ==, 4);
    g_assert_cmpstr(uri->params[0].name, ==, "a");
    g_assert_cmpstr(uri->params[0].value, ==, "1");
    g_assert_cmpstr(uri->params[1].name, ==, "b");
    g_assert_cmpstr(uri->params[1].value, ==, "");
    /* The last occurrence wins, as in libvirt. */
    g_assert_cmpstr(qv_uri_get_param(uri, "a"), ==, "2");
    g_assert_cmpstr(qv_uri_get_param(uri, "c"), ==, "x&y");
    g_assert_null(qv_uri_get_param(uri, "socket"));
    formatted = qv_uri_format(uri);
    g_assert_cmpstr(formatted, ==, "test:///default?a=1&b=&a=2&c=x%26y");
}

typedef struct {
    const char *uri;
    const char *needle;
} UriBad;

static const UriBad uri_bad[] = {
    {"system", "cannot parse URI 'system'"},
    {"/system", "cannot parse URI '/system'"},
    {"qemu:/system", "URI 'qemu:/system' has no '//'"},
    {"qemu:system", "URI 'qemu:system' has no '//'"},
    {"qemu+bogus:///system", "unknown transport 'bogus' in URI 'qemu+bogus:///system'"},
    {"qemu+unix+tls:///system", "unknown transport 'unix+tls'"},
    {"qe-mu:///system", "invalid driver name 'qe-mu'"},
    {"qemu+:///system", "unknown transport ''"},
    {"qemu+tls:///system?socket=/run/s", "the 'socket' parameter needs the unix or ssh"},
    {"qemu://host/system?socket=/run/s", "the 'socket' parameter needs the unix or ssh"},
    {"qemu+unix:///system?socket=run/s", "must be an absolute path, not 'run/s'"},
    {"qemu+unix://host/system", "remove host 'host'"},
    {"qemu:///system#frag", "must not have a fragment"},
    {"qemu:///system?=x", "invalid query parameter '=x'"},
    {"qemu:///system?a=%zz", "cannot parse URI 'qemu:///system?a=%zz'"},
    {"qemu+tls://host:99999/system", "cannot parse URI"},
    {"qemu:// bad/system", "invalid host name ' bad' in URI 'qemu:// bad/system'"},
    {"qemu+tls://ho$t/system", "invalid host name 'ho$t'"},
};

static void
test_uri_bad(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(uri_bad); i++) {
        QvUri *uri;

        qvirt_error_reset();
        uri = qv_uri_parse(uri_bad[i].uri);
        if (uri)
            g_error("'%s' parsed but must not", uri_bad[i].uri);
        qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, uri_bad[i].needle);
        g_assert_cmpint(qvirt_error_get_last()->domain, ==, QVIRT_FROM_URI);
    }

    qvirt_error_reset();
    g_assert_null(qv_uri_parse(NULL));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "empty connection URI");
    g_assert_null(qv_uri_parse(""));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "empty connection URI");
}

void
test_uri_register(void)
{
    g_test_add_func("/driver/uri/good", test_uri_good);
    g_test_add_func("/driver/uri/params", test_uri_params);
    g_test_add_func("/driver/uri/bad", test_uri_bad);
}

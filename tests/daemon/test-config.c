/* test-config.c: qvirtd.conf parsing and the folder layout of qvirtd.
 *
 * Config: the defaults, a file setting every key, and one bad input per
 * rule (syntax, unknown group, unknown key, each kind of bad value), each
 * failing with CONFIG_UNSUPPORTED naming the file, key and value and
 * leaving the config unchanged. Paths: the session layout from the XDG
 * variables (with HOME fallbacks), refusals of a missing or relative
 * $XDG_RUNTIME_DIR, and the system layout. */
#include <config.h>

#include <string.h>

#include "daemon/daemon_config.h"
#include "daemon/daemon_paths.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/log.h"

static void
test_config_defaults(void)
{
    g_autoptr(DaemonConfig) c = daemon_config_new();

    g_assert_cmpuint(c->max_clients, ==, 5000);
    g_assert_cmpuint(c->max_workers, ==, 20);
    g_assert_cmpuint(c->prio_workers, ==, 5);
    g_assert_cmpuint(c->max_client_requests, ==, 5);
    g_assert_cmpstr(c->tls_port, ==, "16514");
    g_assert_false(c->listen_tls);
    g_assert_null(c->drivers);
    g_assert_false(c->drivers_set);
    g_assert_null(c->host_uuid);
}

static void
test_config_good(void)
{
    g_autoptr(DaemonConfig) c = daemon_config_new();
    const char *text = "# a comment\n"
                       "[daemon]\n"
                       "listen_tls = true\n"
                       "listen_addr = 127.0.0.1\n"
                       "tls_port = 16600\n"
                       "tls_cert_dir = /srv/pki\n"
                       "unix_sock_dir = /srv/run\n"
                       "unix_sock_rw_perms = 0770\n"
                       "unix_sock_ro_perms = 0777\n"
                       "max_clients = 7\n"
                       "max_workers = 3\n"
                       "prio_workers = 2\n"
                       "max_client_requests = 9\n"
                       "keepalive_interval = 11\n"
                       "keepalive_count = 4\n"
                       "shutdown_timeout = 12\n"
                       "log_level = debug\n"
                       "log_filters = 1:daemon 3:util\n"
                       "log_outputs = 3:stderr\n"
                       "drivers = test;qemu\n"
                       "host_uuid = 6695EB01-F6A4-8304-79AA-97F3502E193F\n";

    g_assert_cmpint(daemon_config_load_data(c, text, "good.conf"), ==, 0);
    g_assert_true(c->listen_tls);
    g_assert_cmpstr(c->listen_addr, ==, "127.0.0.1");
    g_assert_cmpstr(c->tls_port, ==, "16600");
    g_assert_cmpstr(c->tls_cert_dir, ==, "/srv/pki");
    g_assert_cmpstr(c->unix_sock_dir, ==, "/srv/run");
    g_assert_cmpuint(c->unix_sock_rw_perms, ==, 0770);
    g_assert_cmpuint(c->unix_sock_ro_perms, ==, 0777);
    g_assert_cmpuint(c->max_clients, ==, 7);
    g_assert_cmpuint(c->max_workers, ==, 3);
    g_assert_cmpuint(c->prio_workers, ==, 2);
    g_assert_cmpuint(c->max_client_requests, ==, 9);
    g_assert_cmpuint(c->keepalive_interval, ==, 11);
    g_assert_cmpuint(c->keepalive_count, ==, 4);
    g_assert_cmpuint(c->shutdown_timeout, ==, 12);
    g_assert_cmpint(c->log_level, ==, QVIRT_LOG_DEBUG);
    g_assert_cmpstr(c->log_filters, ==, "1:daemon 3:util");
    g_assert_cmpstr(c->log_outputs, ==, "3:stderr");
    g_assert_nonnull(c->drivers);
    g_assert_cmpstr(c->drivers[0], ==, "test");
    g_assert_cmpstr(c->drivers[1], ==, "qemu");
    g_assert_null(c->drivers[2]);
    g_assert_true(c->drivers_set);
    g_assert_cmpstr(c->host_uuid, ==, "6695eb01-f6a4-8304-79aa-97f3502e193f");

    /* An empty file keeps everything. */
    g_assert_cmpint(daemon_config_load_data(c, "", "empty.conf"), ==, 0);
    g_assert_cmpuint(c->max_clients, ==, 7);
}

typedef struct {
    const char *text;
    const char *needle1;
    const char *needle2;
} BadConfig;

static void
test_config_bad(void)
{
    static const BadConfig cases[] = {
        {"[daemon\nmax_clients=1\n", "cannot parse", "bad.conf"},
        {"[server]\nmax_clients=1\n", "unknown group '[server]'", "bad.conf"},
        {"[daemon]\nmax_client=1\n", "unknown key 'max_client'", "bad.conf"},
        {"[daemon]\nmax_clients=lots\n", "'lots'", "'max_clients'"},
        {"[daemon]\nmax_clients=0\n", "'0'", "'max_clients'"},
        {"[daemon]\nmax_workers=-3\n", "'-3'", "'max_workers'"},
        {"[daemon]\nprio_workers=100000\n", "'100000'", "'prio_workers'"},
        {"[daemon]\nmax_client_requests=\n", "''", "'max_client_requests'"},
        {"[daemon]\nlisten_tls=maybe\n", "'maybe'", "'listen_tls'"},
        {"[daemon]\nunix_sock_rw_perms=0800\n", "'0800'", "'unix_sock_rw_perms'"},
        {"[daemon]\nlog_level=loud\n", "'loud'", "'log_level'"},
        {"[daemon]\ndrivers=test;../evil\n", "'test;../evil'", "'drivers'"},
        {"[daemon]\nhost_uuid=not-a-uuid\n", "'not-a-uuid'", "'host_uuid'"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(DaemonConfig) c = daemon_config_new();

        g_test_message("case %zu: %s", i, cases[i].text);
        /* Set something first: a failure must leave it as it was. */
        g_assert_cmpint(daemon_config_load_data(c, "[daemon]\nmax_workers=4\n", "ok.conf"), ==, 0);
        g_assert_cmpint(daemon_config_load_data(c, cases[i].text, "bad.conf"), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, cases[i].needle1);
        qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, cases[i].needle2);
        qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "bad.conf");
        g_assert_cmpuint(c->max_workers, ==, 4);
        g_assert_cmpuint(c->max_clients, ==, 5000);
    }
}

static void
test_config_file(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "qvirtd.conf", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.conf", NULL);
    g_autoptr(DaemonConfig) c = daemon_config_new();

    g_assert_true(g_file_set_contents(path, "[daemon]\nmax_clients = 42\n", -1, NULL));
    g_assert_cmpint(daemon_config_load_file(c, path), ==, 0);
    g_assert_cmpuint(c->max_clients, ==, 42);

    g_assert_cmpint(daemon_config_load_file(c, missing), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "missing.conf");
    g_assert_cmpuint(c->max_clients, ==, 42);
    qvirt_test_rmtree(dir);
}

/* The sample data/qvirtd.conf parses as shipped, and with every commented
 * "#key = value" line enabled (so each key it documents is real). */
static void
test_config_sample(void)
{
    g_autofree char *path = qvirt_test_srcpath("../data/qvirtd.conf");
    g_autofree char *text = NULL;
    g_autoptr(GString) enabled = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;
    g_autoptr(DaemonConfig) c = daemon_config_new();
    g_autoptr(GRegex) re = g_regex_new("^#[a-z_]+ =", 0, 0, NULL);
    guint keys = 0;

    g_assert_cmpint(daemon_config_load_file(c, path), ==, 0);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (g_regex_match(re, *l, 0, NULL)) {
            g_string_append(enabled, *l + 1);
            keys++;
        } else {
            g_string_append(enabled, *l);
        }
        g_string_append_c(enabled, '\n');
    }
    g_assert_cmpuint(keys, >=, 19);
    g_assert_cmpint(daemon_config_load_data(c, enabled->str, path), ==, 0);
    g_assert_cmpuint(c->max_clients, ==, 5000);
    g_assert_true(c->drivers_set);
}

/* Set or unset (VALUE NULL) an environment variable for one case. */
static void
test_setenv(const char *var, const char *value)
{
    if (value)
        g_setenv(var, value, TRUE);
    else
        g_unsetenv(var);
}

static void
test_paths_session(void)
{
    g_autofree char *old_run = g_strdup(g_getenv("XDG_RUNTIME_DIR"));
    g_autofree char *old_cfg = g_strdup(g_getenv("XDG_CONFIG_HOME"));
    g_autofree char *old_state = g_strdup(g_getenv("XDG_STATE_HOME"));
    g_autofree char *old_home = g_strdup(g_getenv("HOME"));
    g_autoptr(DaemonPaths) p = NULL;

    test_setenv("XDG_RUNTIME_DIR", "/r/u");
    test_setenv("XDG_CONFIG_HOME", "/c/u");
    test_setenv("XDG_STATE_HOME", "/s/u");
    p = daemon_paths_new(FALSE);
    g_assert_nonnull(p);
    g_assert_false(p->privileged);
    g_assert_cmpstr(p->runtime_dir, ==, "/r/u/qvirt");
    g_assert_cmpstr(p->sock_rw, ==, "/r/u/qvirt/qvirt-sock");
    g_assert_cmpstr(p->sock_ro, ==, "/r/u/qvirt/qvirt-sock-ro");
    g_assert_cmpstr(p->pid_file, ==, "/r/u/qvirt/qvirtd.pid");
    g_assert_cmpstr(p->state_dir, ==, "/s/u/qvirt");
    g_assert_cmpstr(p->config_dir, ==, "/c/u/qvirt");
    g_assert_cmpstr(p->config_file, ==, "/c/u/qvirt/qvirtd.conf");
    g_clear_pointer(&p, daemon_paths_free);

    /* Fallbacks under HOME. */
    test_setenv("XDG_CONFIG_HOME", NULL);
    test_setenv("XDG_STATE_HOME", NULL);
    test_setenv("HOME", "/home/u");
    p = daemon_paths_new(FALSE);
    g_assert_nonnull(p);
    g_assert_cmpstr(p->state_dir, ==, "/home/u/.local/state/qvirt");
    g_assert_cmpstr(p->config_file, ==, "/home/u/.config/qvirt/qvirtd.conf");
    g_clear_pointer(&p, daemon_paths_free);

    /* The runtime folder has no fallback; a relative one is refused. */
    test_setenv("XDG_RUNTIME_DIR", NULL);
    g_assert_null(daemon_paths_new(FALSE));
    qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "XDG_RUNTIME_DIR");
    test_setenv("XDG_RUNTIME_DIR", "run/u");
    g_assert_null(daemon_paths_new(FALSE));
    qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "'run/u'");

    test_setenv("XDG_RUNTIME_DIR", old_run);
    test_setenv("XDG_CONFIG_HOME", old_cfg);
    test_setenv("XDG_STATE_HOME", old_state);
    test_setenv("HOME", old_home);
}

static void
test_paths_system(void)
{
    g_autoptr(DaemonPaths) p = daemon_paths_new(TRUE);

    g_assert_nonnull(p);
    g_assert_true(p->privileged);
    g_assert_true(g_str_has_suffix(p->runtime_dir, "/qvirt"));
    g_assert_true(g_str_has_suffix(p->sock_rw, "/qvirt/qvirt-sock"));
    g_assert_true(g_str_has_suffix(p->sock_ro, "/qvirt/qvirt-sock-ro"));
    g_assert_true(g_str_has_suffix(p->state_dir, "/lib/qvirt"));
    g_assert_true(g_str_has_suffix(p->config_file, "/qvirt/qvirtd.conf"));
}

void
test_daemon_config_register(void)
{
    g_test_add_func("/daemon/config/defaults", test_config_defaults);
    g_test_add_func("/daemon/config/good", test_config_good);
    g_test_add_func("/daemon/config/bad", test_config_bad);
    g_test_add_func("/daemon/config/file", test_config_file);
    g_test_add_func("/daemon/config/sample", test_config_sample);
    g_test_add_func("/daemon/paths/session", test_paths_session);
    g_test_add_func("/daemon/paths/system", test_paths_system);
}

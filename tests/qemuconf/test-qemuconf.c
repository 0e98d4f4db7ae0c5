/* test-qemuconf.c: qemu.conf and the QEMU driver's folder layouts.
 *
 * The file cases are data-driven: every data/NAME.conf is loaded over the
 * defaults of a system config rooted at /ROOT; ok-*.conf must give
 * data/NAME.out (a dump of every setting), err-*.conf must fail with the
 * one-line message in data/NAME.err (a message ending in "..." is a prefix:
 * the rest is GLib's) and leave the config untouched. A file
 * in data/ that no case uses fails the suite. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qemu/qemu_command.h"
#include "qemu/qemu_conf.h"
#include "test-qemustatus.h"
#include "testutil.h"
#include "util/error.h"

static char *data_dir;

/* Every setting, one "key = value" per line. */
static int
compare_names(const void *a, const void *b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static char *
dump_config(const QemuDriverConfig *cfg)
{
    GString *out = g_string_new(NULL);

#define STR(field)                                                                                 \
    g_string_append_printf(out, "%s = %s\n", #field, cfg->field ? cfg->field : "(none)")
#define NUM(field) g_string_append_printf(out, "%s = %lld\n", #field, (long long)cfg->field)
    NUM(privileged);
    STR(root_dir);
    STR(config_file);
    STR(config_dir);
    STR(autostart_dir);
    STR(state_dir);
    STR(lib_dir);
    STR(log_dir);
    STR(cache_dir);
    STR(emulator);
    NUM(job_wait_timeout_ms);
    NUM(monitor_timeout_ms);
    NUM(destroy_grace_ms);
    NUM(max_queued_jobs);
    NUM(hmp_monitor);
    NUM(migration_port_min);
    NUM(migration_port_max);
    STR(migration_address);
    STR(tls_x509_cert_dir);
    NUM(tls_x509_verify);
    STR(vnc_listen);
    NUM(seccomp_sandbox);
    NUM(log_timestamp);
    NUM(log_append);
    STR(save_dir);
    NUM(save_max_bandwidth);
#undef STR
#undef NUM
    if (cfg->networks) {
        /* [networks], sorted by name; only when the file has the group. */
        g_autofree gpointer *names = g_hash_table_get_keys_as_array(cfg->networks, NULL);
        guint n = g_hash_table_size(cfg->networks);

        qsort(names, n, sizeof(gpointer), compare_names);
        for (guint i = 0; i < n; i++)
            g_string_append_printf(out, "network %s = %s\n", (char *)names[i],
                                   (char *)g_hash_table_lookup(cfg->networks, names[i]));
    }
    return g_string_free(out, FALSE);
}

/* [networks]: names resolve to bridges, unknown names to NULL, a bad
 * file leaves the table as it was, a later file adds to it. */
static void
test_networks_lookup(void)
{
    g_autoptr(QemuDriverConfig) cfg = qemu_driver_config_new(TRUE, "/ROOT");

    g_assert_null(qemu_driver_config_network_bridge(cfg, "default"));
    g_assert_cmpint(qemu_driver_config_load_data(
                        cfg, "[networks]\ndefault = virbr0\nlab = br-lab\n", "one.conf"),
                    ==, 0);
    g_assert_cmpstr(qemu_driver_config_network_bridge(cfg, "default"), ==, "virbr0");
    g_assert_cmpstr(qemu_driver_config_network_bridge(cfg, "lab"), ==, "br-lab");
    g_assert_null(qemu_driver_config_network_bridge(cfg, "Default"));
    g_assert_null(qemu_driver_config_network_bridge(cfg, NULL));

    g_assert_cmpint(
        qemu_driver_config_load_data(cfg, "[networks]\nwan = a-name-far-too-long\n", "two.conf"),
        ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_CONF_SYNTAX, "network 'wan' in 'two.conf'");
    g_assert_null(qemu_driver_config_network_bridge(cfg, "wan"));
    g_assert_cmpstr(qemu_driver_config_network_bridge(cfg, "lab"), ==, "br-lab");

    g_assert_cmpint(
        qemu_driver_config_load_data(cfg, "[networks]\nlab = br1\nwan = br2\n", "three.conf"), ==,
        0);
    g_assert_cmpstr(qemu_driver_config_network_bridge(cfg, "default"), ==, "virbr0");
    g_assert_cmpstr(qemu_driver_config_network_bridge(cfg, "lab"), ==, "br1");
    g_assert_cmpstr(qemu_driver_config_network_bridge(cfg, "wan"), ==, "br2");
}

static char *
read_data(const char *name)
{
    g_autofree char *path = g_build_filename(data_dir, name, NULL);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    g_file_get_contents(path, &text, NULL, &err);
    g_assert_no_error(err);
    return text;
}

/* ---- data-driven file cases ---- */

static void
test_file_case(gconstpointer data)
{
    const char *conf_name = data;
    g_autofree char *stem = g_strndup(conf_name, strlen(conf_name) - strlen(".conf"));
    g_autoptr(QemuDriverConfig) cfg = qemu_driver_config_new(TRUE, "/ROOT");
    g_autofree char *text = read_data(conf_name);
    g_autofree char *before = dump_config(cfg);
    int rc;

    rc = qemu_driver_config_load_data(cfg, text, conf_name);
    if (g_str_has_prefix(conf_name, "ok-")) {
        g_autofree char *out_name = g_strconcat(stem, ".out", NULL);
        g_autofree char *expected = read_data(out_name);
        g_autofree char *actual = NULL;

        if (rc < 0)
            g_error("%s: %s", conf_name, qvirt_error_last_message());
        actual = dump_config(cfg);
        g_assert_cmpstr(actual, ==, expected);
    } else {
        g_autofree char *err_name = g_strconcat(stem, ".err", NULL);
        g_autofree char *expected = read_data(err_name);
        g_autofree char *after = dump_config(cfg);

        g_assert_cmpint(rc, ==, -1);
        g_strchomp(expected);
        g_assert_cmpint(qvirt_error_last_code(), ==, QVIRT_ERR_CONF_SYNTAX);
        if (g_str_has_suffix(expected, "...")) {
            /* The rest is GLib's own wording, which varies between versions. */
            expected[strlen(expected) - 3] = '\0';
            g_assert_true(g_str_has_prefix(qvirt_error_last_message(), expected));
        } else {
            g_assert_cmpstr(qvirt_error_last_message(), ==, expected);
        }
        /* A bad file changes nothing, not even the keys before the bad one. */
        g_assert_cmpstr(after, ==, before);
        qvirt_error_reset();
    }
}

/* Register a case per .conf file; every other file must belong to one. */
static void
register_file_cases(void)
{
    g_autoptr(GDir) dir = g_dir_open(data_dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) used = g_hash_table_new(g_str_hash, g_str_equal);
    const char *name;

    g_assert_nonnull(dir);
    while ((name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
        const char *file = g_ptr_array_index(names, i);
        g_autofree char *stem = NULL;
        g_autofree char *partner = NULL;
        g_autofree char *path = NULL;
        g_autofree char *test = NULL;

        if (!g_str_has_suffix(file, ".conf"))
            continue;
        stem = g_strndup(file, strlen(file) - strlen(".conf"));
        if (g_str_has_prefix(file, "ok-"))
            partner = g_strconcat(stem, ".out", NULL);
        else if (g_str_has_prefix(file, "err-"))
            partner = g_strconcat(stem, ".err", NULL);
        else
            g_error("data file '%s' is neither ok-*.conf nor err-*.conf", file);
        path = g_build_filename(data_dir, partner, NULL);
        if (!g_file_test(path, G_FILE_TEST_EXISTS))
            g_error("data file '%s' has no '%s'", file, partner);
        g_hash_table_add(used, (gpointer)file);
        for (guint j = 0; j < names->len; j++) {
            if (g_str_equal(g_ptr_array_index(names, j), partner))
                g_hash_table_add(used, g_ptr_array_index(names, j));
        }
        test = g_strdup_printf("/qemuconf/file/%s", stem);
        g_test_add_data_func_full(test, g_strdup(file), test_file_case, g_free);
    }
    for (guint i = 0; i < names->len; i++) {
        if (!g_hash_table_contains(used, g_ptr_array_index(names, i)))
            g_error("unused data file '%s'", (char *)g_ptr_array_index(names, i));
    }
}

/* ---- layouts ---- */

static void
test_layout_system(void)
{
    g_autoptr(QemuDriverConfig) cfg = qemu_driver_config_new(TRUE, NULL);

    g_assert_nonnull(cfg);
    g_assert_cmpstr(cfg->config_file, ==, "/etc/qvirt/qemu.conf");
    g_assert_cmpstr(cfg->config_dir, ==, "/etc/qvirt/qemu");
    g_assert_cmpstr(cfg->autostart_dir, ==, "/etc/qvirt/qemu/autostart");
    g_assert_cmpstr(cfg->state_dir, ==, "/run/qvirt/qemu");
    g_assert_cmpstr(cfg->lib_dir, ==, "/var/lib/qvirt/qemu");
    g_assert_cmpstr(cfg->log_dir, ==, "/var/log/qvirt/qemu");
    g_assert_cmpstr(cfg->cache_dir, ==, "/var/cache/qvirt/qemu");
    g_assert_cmpint(cfg->job_wait_timeout_ms, ==, 30000);
    g_assert_cmpint(cfg->monitor_timeout_ms, ==, 30000);
    g_assert_cmpint(cfg->seccomp_sandbox, ==, QEMU_COMMAND_SANDBOX_DEFAULT);
}

/* A session config made with the XDG variables and HOME set as given (NULL:
 * unset); the environment is restored afterwards. */
static QemuDriverConfig *
session_config_with(const char *runtime, const char *config, const char *state, const char *home)
{
    const char *names[] = {"XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "HOME"};
    const char *values[] = {runtime, config, state, home};
    char *saved[G_N_ELEMENTS(names)];
    QemuDriverConfig *cfg;

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        saved[i] = g_strdup(g_getenv(names[i]));
        if (values[i])
            g_setenv(names[i], values[i], TRUE);
        else
            g_unsetenv(names[i]);
    }
    cfg = qemu_driver_config_new(FALSE, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (saved[i])
            g_setenv(names[i], saved[i], TRUE);
        else
            g_unsetenv(names[i]);
        g_free(saved[i]);
    }
    return cfg;
}

static void
test_layout_session(void)
{
    g_autoptr(QemuDriverConfig) a =
        session_config_with("/run/user/7", "/home/a/.cfg", "/home/a/.st", "/home/a");
    g_autoptr(QemuDriverConfig) b =
        session_config_with("/run/user/8", "/home/b/.cfg", "/home/b/.st", "/home/a");

    g_assert_nonnull(a);
    g_assert_cmpstr(a->config_file, ==, "/home/a/.cfg/qvirt/qemu.conf");
    g_assert_cmpstr(a->config_dir, ==, "/home/a/.cfg/qvirt/qemu");
    g_assert_cmpstr(a->state_dir, ==, "/run/user/7/qvirt/qemu");
    g_assert_cmpstr(a->lib_dir, ==, "/home/a/.st/qvirt/lib/qemu");
    g_assert_cmpstr(a->log_dir, ==, "/home/a/.st/qvirt/log/qemu");
    g_assert_cmpstr(a->cache_dir, ==, "/home/a/.st/qvirt/cache/qemu");
    /* Two daemons with different values share nothing, even with one HOME. */
    g_assert_nonnull(b);
    g_assert_cmpstr(b->state_dir, !=, a->state_dir);
    g_assert_cmpstr(b->config_dir, !=, a->config_dir);
    g_assert_cmpstr(b->lib_dir, !=, a->lib_dir);
    g_assert_false(a->privileged);
}

static void
test_layout_session_fallbacks(void)
{
    g_autoptr(QemuDriverConfig) cfg = session_config_with(NULL, NULL, NULL, "/home/c");
    g_autoptr(QemuDriverConfig) relative =
        session_config_with("relative/run", "rel/cfg", NULL, "/home/d");

    g_assert_nonnull(cfg);
    g_assert_cmpstr(cfg->config_dir, ==, "/home/c/.config/qvirt/qemu");
    g_assert_cmpstr(cfg->lib_dir, ==, "/home/c/.local/state/qvirt/lib/qemu");
    g_assert_cmpstr(cfg->state_dir, ==, "/home/c/.local/state/qvirt/run/qemu");
    /* Relative XDG values are ignored, as the XDG specification says. */
    g_assert_nonnull(relative);
    g_assert_cmpstr(relative->config_dir, ==, "/home/d/.config/qvirt/qemu");
    g_assert_cmpstr(relative->state_dir, ==, "/home/d/.local/state/qvirt/run/qemu");
}

static void
test_layout_root(void)
{
    g_autoptr(QemuDriverConfig) cfg = qemu_driver_config_new(FALSE, "/srv/q");
    g_autoptr(QemuDriverConfig) bad = NULL;

    g_assert_nonnull(cfg);
    g_assert_cmpstr(cfg->config_file, ==, "/srv/q/etc/qvirt/qemu.conf");
    g_assert_cmpstr(cfg->state_dir, ==, "/srv/q/run/qvirt/qemu");
    g_assert_cmpstr(cfg->lib_dir, ==, "/srv/q/var/lib/qvirt/qemu");

    bad = qemu_driver_config_new(TRUE, "srv/q");
    g_assert_null(bad);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'srv/q'");
}

static void
test_domain_paths(void)
{
    g_autoptr(QemuDriverConfig) cfg = qemu_driver_config_new(TRUE, "/R");
    g_autofree char *lib = qemu_driver_config_domain_lib_dir(cfg, "vm1");
    g_autofree char *log = qemu_driver_config_domain_log(cfg, "vm1");
    g_autofree char *mon = qemu_driver_config_monitor_path(cfg, "vm1");
    g_autofree char *hmp = qemu_driver_config_hmp_path(cfg, "vm1");

    g_assert_cmpstr(lib, ==, "/R/var/lib/qvirt/qemu/domain-vm1");
    g_assert_cmpstr(log, ==, "/R/var/log/qvirt/qemu/vm1.log");
    g_assert_cmpstr(mon, ==, "/R/run/qvirt/qemu/vm1.monitor");
    g_assert_cmpstr(hmp, ==, "/R/run/qvirt/qemu/vm1.hmp");
}

/* ---- files on disk ---- */

static void
test_load_file(void)
{
    g_autofree char *root = qvirt_test_mkdtemp();
    g_autoptr(QemuDriverConfig) cfg = qemu_driver_config_new(TRUE, root);
    g_autofree char *etc = g_build_filename(root, "etc", "qvirt", NULL);
    g_autoptr(GError) err = NULL;
    struct stat st;

    /* No qemu.conf: the defaults. */
    g_assert_cmpint(qemu_driver_config_load_file(cfg, NULL), ==, 0);
    g_assert_false(cfg->hmp_monitor);

    g_assert_cmpint(g_mkdir_with_parents(etc, 0755), ==, 0);
    g_file_set_contents(cfg->config_file, "[qemu]\nhmp_monitor = true\nmonitor_timeout = 5\n", -1,
                        &err);
    g_assert_no_error(err);
    g_assert_cmpint(qemu_driver_config_load_file(cfg, NULL), ==, 0);
    g_assert_true(cfg->hmp_monitor);
    g_assert_cmpint(cfg->monitor_timeout_ms, ==, 5000);

    /* Errors name the file. */
    g_file_set_contents(cfg->config_file, "[qemu]\nmonitor_timeout = soon\n", -1, &err);
    g_assert_no_error(err);
    g_assert_cmpint(qemu_driver_config_load_file(cfg, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_CONF_SYNTAX, cfg->config_file);
    qvirt_test_assert_error(QVIRT_ERR_CONF_SYNTAX, "'soon'");
    g_assert_cmpint(cfg->monitor_timeout_ms, ==, 5000);
    qvirt_error_reset();

    /* The folders the driver writes to. */
    g_assert_cmpint(qemu_driver_config_make_dirs(cfg), ==, 0);
    g_assert_cmpint(stat(cfg->state_dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0700);
    g_assert_cmpint(stat(cfg->log_dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0755);
    g_assert_true(g_file_test(cfg->autostart_dir, G_FILE_TEST_IS_DIR));
    g_assert_true(g_file_test(cfg->lib_dir, G_FILE_TEST_IS_DIR));
    g_assert_true(g_file_test(cfg->cache_dir, G_FILE_TEST_IS_DIR));

    qvirt_test_rmtree(root);
}

static void
test_ref(void)
{
    QemuDriverConfig *cfg = qemu_driver_config_new(TRUE, NULL);

    g_assert_true(qemu_driver_config_ref(cfg) == cfg);
    qemu_driver_config_unref(cfg);
    g_assert_cmpstr(cfg->state_dir, ==, "/run/qvirt/qemu");
    qemu_driver_config_unref(cfg);
    qemu_driver_config_unref(NULL);
}

int
main(int argc, char **argv)
{
    qvirt_test_init(&argc, &argv);
    data_dir = qvirt_test_srcpath("qemuconf/data");

    g_test_add_func("/qemuconf/layout/system", test_layout_system);
    g_test_add_func("/qemuconf/layout/session", test_layout_session);
    g_test_add_func("/qemuconf/layout/session-fallbacks", test_layout_session_fallbacks);
    g_test_add_func("/qemuconf/layout/root", test_layout_root);
    g_test_add_func("/qemuconf/layout/domain-paths", test_domain_paths);
    g_test_add_func("/qemuconf/load-file", test_load_file);
    g_test_add_func("/qemuconf/ref", test_ref);
    g_test_add_func("/qemuconf/networks/lookup", test_networks_lookup);
    register_file_cases();
    test_qemustatus_register();
    return g_test_run();
}

/* qemu_conf.c: qemu.conf and the QEMU driver's folder layout (the contract
 * is in qemu_conf.h; every key is described in docs/qemu.conf.md).
 *
 * The keys are a table: name, type, where the value goes and its range.
 * Loading parses every key of the file into a copy of the config and only
 * replaces the config when the whole file was good. */
#include <config.h>

#include <stddef.h>

#include "qemu/qemu_command.h"
#include "qemu/qemu_conf.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/netdev.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.conf");

#define QEMU_CONF_GROUP "qemu"
/* NAME = BRIDGE: the host bridge of each <interface type='network'> name. */
#define QEMU_CONF_NETWORKS_GROUP "networks"
/* Longest timeout accepted, in seconds (one day). */
#define QEMU_CONF_MAX_TIMEOUT_S (24 * 3600)

typedef enum {
    CONF_PATH,    /* an absolute path */
    CONF_STRING,  /* any non-empty string */
    CONF_BOOL,    /* true/false (or 1/0) */
    CONF_UINT,    /* an unsigned integer within [min, max] */
    CONF_SECONDS, /* seconds within [min, max], stored in milliseconds */
    CONF_SANDBOX, /* a boolean stored as QemuCommandSandbox */
} QemuConfType;

typedef struct {
    const char *key;
    QemuConfType type;
    size_t offset;
    guint64 min;
    guint64 max;
} QemuConfKey;

#define KEY(name, type, field, min, max)                                                           \
    {                                                                                              \
        name, type, offsetof(QemuDriverConfig, field), min, max                                    \
    }

static const QemuConfKey qemu_conf_keys[] = {
    KEY("emulator", CONF_PATH, emulator, 0, 0),
    KEY("config_dir", CONF_PATH, config_dir, 0, 0),
    KEY("state_dir", CONF_PATH, state_dir, 0, 0),
    KEY("lib_dir", CONF_PATH, lib_dir, 0, 0),
    KEY("log_dir", CONF_PATH, log_dir, 0, 0),
    KEY("cache_dir", CONF_PATH, cache_dir, 0, 0),
    KEY("job_wait_timeout", CONF_SECONDS, job_wait_timeout_ms, 1, QEMU_CONF_MAX_TIMEOUT_S),
    KEY("monitor_timeout", CONF_SECONDS, monitor_timeout_ms, 1, QEMU_CONF_MAX_TIMEOUT_S),
    KEY("destroy_grace_period", CONF_SECONDS, destroy_grace_ms, 0, 3600),
    KEY("max_queued_jobs", CONF_UINT, max_queued_jobs, 0, 1000000),
    KEY("hmp_monitor", CONF_BOOL, hmp_monitor, 0, 0),
    KEY("migration_port_min", CONF_UINT, migration_port_min, 1, 65535),
    KEY("migration_port_max", CONF_UINT, migration_port_max, 1, 65535),
    KEY("migration_address", CONF_STRING, migration_address, 0, 0),
    KEY("tls_x509_cert_dir", CONF_PATH, tls_x509_cert_dir, 0, 0),
    KEY("tls_x509_verify", CONF_BOOL, tls_x509_verify, 0, 0),
    KEY("vnc_listen", CONF_STRING, vnc_listen, 0, 0),
    KEY("seccomp_sandbox", CONF_SANDBOX, seccomp_sandbox, 0, 0),
    KEY("log_timestamp", CONF_BOOL, log_timestamp, 0, 0),
    KEY("log_append", CONF_BOOL, log_append, 0, 0),
    KEY("save_dir", CONF_PATH, save_dir, 0, 0),
    KEY("save_max_bandwidth", CONF_UINT, save_max_bandwidth, 0, 1048576),
};

#undef KEY

/* ---- the object ---- */

/* The string fields, for copying and freeing. */
static const size_t qemu_conf_string_fields[] = {
    offsetof(QemuDriverConfig, root_dir),          offsetof(QemuDriverConfig, config_file),
    offsetof(QemuDriverConfig, config_dir),        offsetof(QemuDriverConfig, autostart_dir),
    offsetof(QemuDriverConfig, state_dir),         offsetof(QemuDriverConfig, lib_dir),
    offsetof(QemuDriverConfig, log_dir),           offsetof(QemuDriverConfig, cache_dir),
    offsetof(QemuDriverConfig, emulator),          offsetof(QemuDriverConfig, migration_address),
    offsetof(QemuDriverConfig, tls_x509_cert_dir), offsetof(QemuDriverConfig, vnc_listen),
    offsetof(QemuDriverConfig, save_dir),
};

static char **
conf_string_field(QemuDriverConfig *cfg, size_t offset)
{
    return (char **)((char *)cfg + offset);
}

static void
conf_clear_strings(QemuDriverConfig *cfg)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_conf_string_fields); i++)
        g_clear_pointer(conf_string_field(cfg, qemu_conf_string_fields[i]), g_free);
    g_clear_pointer(&cfg->networks, g_hash_table_unref);
}

static GHashTable *
conf_networks_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

/* A deep copy of the settings of SRC into DST (whose strings are not owned). */
static void
conf_copy_into(QemuDriverConfig *dst, const QemuDriverConfig *src)
{
    *dst = *src;
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_conf_string_fields); i++) {
        char **field = conf_string_field(dst, qemu_conf_string_fields[i]);

        *field = g_strdup(*field);
    }
    if (src->networks) {
        GHashTableIter iter;
        gpointer name;
        gpointer bridge;

        dst->networks = conf_networks_new();
        g_hash_table_iter_init(&iter, src->networks);
        while (g_hash_table_iter_next(&iter, &name, &bridge))
            g_hash_table_insert(dst->networks, g_strdup(name), g_strdup(bridge));
    }
}

/* An XDG base folder: $VAR when set to an absolute path, else HOME/FALLBACK. */
static char *
conf_xdg_dir(const char *var, const char *fallback)
{
    const char *value = g_getenv(var);
    const char *home;

    if (value && g_path_is_absolute(value))
        return g_strdup(value);
    home = g_getenv("HOME");
    if (!home || !g_path_is_absolute(home))
        home = g_get_home_dir();
    if (!home || !g_path_is_absolute(home)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("cannot find the folders of the session daemon: neither $%s nor "
                             "$HOME is an absolute path"),
                           var);
        return NULL;
    }
    return g_build_filename(home, fallback, NULL);
}

static int
conf_set_session_layout(QemuDriverConfig *cfg)
{
    g_autofree char *config_home = conf_xdg_dir("XDG_CONFIG_HOME", ".config");
    g_autofree char *state_home = conf_xdg_dir("XDG_STATE_HOME", ".local/state");
    const char *runtime = g_getenv("XDG_RUNTIME_DIR");

    if (!config_home || !state_home)
        return -1;
    cfg->config_file = g_build_filename(config_home, "qvirt", "qemu.conf", NULL);
    cfg->config_dir = g_build_filename(config_home, "qvirt", "qemu", NULL);
    cfg->tls_x509_cert_dir = g_build_filename(config_home, "qvirt", "pki", "qemu", NULL);
    /* Without a runtime folder the status files go to the state folder:
     * they survive a reboot there, and reconnecting then finds their QEMUs
     * gone and cleans them up. */
    if (runtime && g_path_is_absolute(runtime))
        cfg->state_dir = g_build_filename(runtime, "qvirt", "qemu", NULL);
    else
        cfg->state_dir = g_build_filename(state_home, "qvirt", "run", "qemu", NULL);
    cfg->lib_dir = g_build_filename(state_home, "qvirt", "lib", "qemu", NULL);
    cfg->log_dir = g_build_filename(state_home, "qvirt", "log", "qemu", NULL);
    cfg->cache_dir = g_build_filename(state_home, "qvirt", "cache", "qemu", NULL);
    return 0;
}

static void
conf_set_system_layout(QemuDriverConfig *cfg, const char *root)
{
    const char *r = root ? root : "/";

    cfg->config_file = g_build_filename(r, "etc", "qvirt", "qemu.conf", NULL);
    cfg->config_dir = g_build_filename(r, "etc", "qvirt", "qemu", NULL);
    cfg->tls_x509_cert_dir = g_build_filename(r, "etc", "qvirt", "pki", "qemu", NULL);
    cfg->state_dir = g_build_filename(r, "run", "qvirt", "qemu", NULL);
    cfg->lib_dir = g_build_filename(r, "var", "lib", "qvirt", "qemu", NULL);
    cfg->log_dir = g_build_filename(r, "var", "log", "qvirt", "qemu", NULL);
    cfg->cache_dir = g_build_filename(r, "var", "cache", "qvirt", "qemu", NULL);
}

QemuDriverConfig *
qemu_driver_config_new(gboolean privileged, const char *root_dir)
{
    g_autoptr(QemuDriverConfig) cfg = g_new0(QemuDriverConfig, 1);

    cfg->refs = 1;
    cfg->privileged = privileged;
    if (root_dir) {
        if (!g_path_is_absolute(root_dir)) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("root folder '%s' of the QEMU driver is not an absolute path"),
                               root_dir);
            return NULL;
        }
        cfg->root_dir = g_strdup(root_dir);
    }
    if (privileged || root_dir)
        conf_set_system_layout(cfg, root_dir);
    else if (conf_set_session_layout(cfg) < 0)
        return NULL;
    cfg->autostart_dir = g_build_filename(cfg->config_dir, "autostart", NULL);

    cfg->emulator = g_strdup(QEMU_CONF_DEFAULT_EMULATOR);
    cfg->job_wait_timeout_ms = QEMU_CONF_DEFAULT_JOB_WAIT_TIMEOUT_S * 1000;
    cfg->monitor_timeout_ms = QEMU_CONF_DEFAULT_MONITOR_TIMEOUT_S * 1000;
    cfg->destroy_grace_ms = QEMU_CONF_DEFAULT_DESTROY_GRACE_S * 1000;
    cfg->max_queued_jobs = 0;
    cfg->hmp_monitor = FALSE;
    cfg->migration_port_min = QEMU_CONF_DEFAULT_MIGRATION_PORT_MIN;
    cfg->migration_port_max = QEMU_CONF_DEFAULT_MIGRATION_PORT_MAX;
    cfg->tls_x509_verify = TRUE;
    cfg->seccomp_sandbox = QEMU_COMMAND_SANDBOX_DEFAULT;
    cfg->log_timestamp = TRUE;
    cfg->log_append = TRUE;
    return g_steal_pointer(&cfg);
}

QemuDriverConfig *
qemu_driver_config_ref(QemuDriverConfig *cfg)
{
    g_atomic_int_inc(&cfg->refs);
    return cfg;
}

void
qemu_driver_config_unref(QemuDriverConfig *cfg)
{
    if (!cfg || !g_atomic_int_dec_and_test(&cfg->refs))
        return;
    conf_clear_strings(cfg);
    g_free(cfg);
}

/* ---- parsing ---- */

static void
conf_report_value(const QemuConfKey *key, const char *value, const char *file, const char *what)
{
    qvirt_report_error(QVIRT_ERR_CONF_SYNTAX, _("invalid value '%s' for key '%s' in '%s': %s"),
                       value, key->key, file, what);
}

static int
conf_parse_bool(const QemuConfKey *key, const char *value, const char *file, gboolean *ret)
{
    if (g_str_equal(value, "true") || g_str_equal(value, "1")) {
        *ret = TRUE;
        return 0;
    }
    if (g_str_equal(value, "false") || g_str_equal(value, "0")) {
        *ret = FALSE;
        return 0;
    }
    conf_report_value(key, value, file, _("expected true or false"));
    return -1;
}

static int
conf_parse_uint(const QemuConfKey *key, const char *value, const char *file, guint64 *ret)
{
    guint64 num;

    if (!g_ascii_string_to_unsigned(value, 10, key->min, key->max, &num, NULL)) {
        g_autofree char *what =
            g_strdup_printf(_("expected an integer from %llu to %llu"),
                            (unsigned long long)key->min, (unsigned long long)key->max);

        conf_report_value(key, value, file, what);
        return -1;
    }
    *ret = num;
    return 0;
}

/* Store the value of KEY, raw text VALUE (string values unescaped as
 * STRING), into CFG. */
static int
conf_apply_key(QemuDriverConfig *cfg, const QemuConfKey *key, const char *value, const char *string,
               const char *file)
{
    void *field = (char *)cfg + key->offset;
    gboolean flag;
    guint64 num;

    switch (key->type) {
    case CONF_PATH:
        if (!g_path_is_absolute(string)) {
            conf_report_value(key, string, file, _("expected an absolute path"));
            return -1;
        }
        g_free(*(char **)field);
        *(char **)field = g_canonicalize_filename(string, NULL);
        return 0;
    case CONF_STRING:
        if (!*string) {
            conf_report_value(key, string, file, _("expected a non-empty string"));
            return -1;
        }
        g_free(*(char **)field);
        *(char **)field = g_strdup(string);
        return 0;
    case CONF_BOOL:
        if (conf_parse_bool(key, value, file, &flag) < 0)
            return -1;
        *(gboolean *)field = flag;
        return 0;
    case CONF_SANDBOX:
        if (conf_parse_bool(key, value, file, &flag) < 0)
            return -1;
        *(int *)field = flag ? QEMU_COMMAND_SANDBOX_ON : QEMU_COMMAND_SANDBOX_OFF;
        return 0;
    case CONF_UINT:
        if (conf_parse_uint(key, value, file, &num) < 0)
            return -1;
        *(guint *)field = (guint)num;
        return 0;
    case CONF_SECONDS:
        if (conf_parse_uint(key, value, file, &num) < 0)
            return -1;
        *(gint64 *)field = (gint64)num * 1000;
        return 0;
    }
    qvirt_report_internal(_("key '%s' has no known type"), key->key);
    return -1;
}

static const QemuConfKey *
conf_find_key(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_conf_keys); i++) {
        if (g_str_equal(qemu_conf_keys[i].key, name))
            return &qemu_conf_keys[i];
    }
    return NULL;
}

static int
conf_check_groups(GKeyFile *kf, const char *file)
{
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

    for (size_t i = 0; groups[i]; i++) {
        if (!g_str_equal(groups[i], QEMU_CONF_GROUP) &&
            !g_str_equal(groups[i], QEMU_CONF_NETWORKS_GROUP)) {
            qvirt_report_error(QVIRT_ERR_CONF_SYNTAX,
                               _("unknown group [%s] in '%s': the groups are [qemu] and "
                                 "[networks]"),
                               groups[i], file);
            return -1;
        }
    }
    return 0;
}

/* The [networks] group: every key is a network name, its value a bridge. */
static int
conf_apply_networks(QemuDriverConfig *cfg, GKeyFile *kf, const char *file)
{
    g_auto(GStrv) names = g_key_file_get_keys(kf, QEMU_CONF_NETWORKS_GROUP, NULL, NULL);

    for (size_t i = 0; names && names[i]; i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *bridge =
            g_key_file_get_string(kf, QEMU_CONF_NETWORKS_GROUP, names[i], &err);

        if (!bridge) {
            qvirt_report_error(QVIRT_ERR_CONF_SYNTAX,
                               _("invalid bridge for network '%s' in '%s': %s"), names[i], file,
                               err ? err->message : _("cannot be read"));
            return -1;
        }
        g_strstrip(bridge);
        if (qvirt_netdev_check_name(bridge) < 0) {
            g_autofree char *why = g_strdup(qvirt_error_last_message());

            qvirt_error_reset();
            qvirt_report_error(QVIRT_ERR_CONF_SYNTAX,
                               _("invalid bridge '%s' for network '%s' in '%s': %s"), bridge,
                               names[i], file, why);
            return -1;
        }
        if (!cfg->networks)
            cfg->networks = conf_networks_new();
        g_hash_table_insert(cfg->networks, g_strdup(names[i]), g_steal_pointer(&bridge));
    }
    return 0;
}

static int
conf_apply_file(QemuDriverConfig *cfg, GKeyFile *kf, const char *file)
{
    g_auto(GStrv) keys = NULL;

    if (conf_check_groups(kf, file) < 0 || conf_apply_networks(cfg, kf, file) < 0)
        return -1;
    if (!g_key_file_has_group(kf, QEMU_CONF_GROUP))
        return 0;
    keys = g_key_file_get_keys(kf, QEMU_CONF_GROUP, NULL, NULL);
    for (size_t i = 0; keys && keys[i]; i++) {
        const QemuConfKey *key = conf_find_key(keys[i]);
        g_autoptr(GError) err = NULL;
        g_autofree char *raw = NULL;
        g_autofree char *string = NULL;

        if (!key) {
            qvirt_report_error(QVIRT_ERR_CONF_SYNTAX, _("unknown key '%s' in group [%s] of '%s'"),
                               keys[i], QEMU_CONF_GROUP, file);
            return -1;
        }
        raw = g_key_file_get_value(kf, QEMU_CONF_GROUP, keys[i], NULL);
        string = g_key_file_get_string(kf, QEMU_CONF_GROUP, keys[i], &err);
        if (!raw || !string) {
            qvirt_report_error(QVIRT_ERR_CONF_SYNTAX,
                               _("invalid value '%s' for key '%s' in '%s': %s"), raw ? raw : "",
                               keys[i], file, err ? err->message : _("cannot be read"));
            return -1;
        }
        g_strstrip(raw);
        if (conf_apply_key(cfg, key, raw, string, file) < 0)
            return -1;
    }

    if (cfg->migration_port_min > cfg->migration_port_max) {
        qvirt_report_error(QVIRT_ERR_CONF_SYNTAX,
                           _("migration_port_min %u is greater than migration_port_max %u in "
                             "'%s'"),
                           cfg->migration_port_min, cfg->migration_port_max, file);
        return -1;
    }
    g_free(cfg->autostart_dir);
    cfg->autostart_dir = g_build_filename(cfg->config_dir, "autostart", NULL);
    return 0;
}

int
qemu_driver_config_load_data(QemuDriverConfig *cfg, const char *data, const char *file_for_errors)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    QemuDriverConfig staged;

    if (!g_key_file_load_from_data(kf, data, (gsize)-1, G_KEY_FILE_NONE, &err)) {
        qvirt_report_error(QVIRT_ERR_CONF_SYNTAX, _("cannot parse '%s': %s"), file_for_errors,
                           err->message);
        return -1;
    }
    conf_copy_into(&staged, cfg);
    if (conf_apply_file(&staged, kf, file_for_errors) < 0) {
        conf_clear_strings(&staged);
        return -1;
    }
    staged.refs = cfg->refs;
    conf_clear_strings(cfg);
    *cfg = staged;
    return 0;
}

int
qemu_driver_config_load_file(QemuDriverConfig *cfg, const char *path)
{
    g_autofree char *data = NULL;

    if (!path)
        path = cfg->config_file;
    if (!qvirt_file_exists(path)) {
        QVIRT_DEBUG("no '%s': the QEMU driver uses its defaults", path);
        return 0;
    }
    if (qvirt_file_read_limited(path, 1024 * 1024, &data, NULL) < 0)
        return -1;
    return qemu_driver_config_load_data(cfg, data, path);
}

int
qemu_driver_config_make_dirs(const QemuDriverConfig *cfg)
{
    mode_t shared = cfg->privileged ? 0755 : 0700;
    const struct {
        const char *dir;
        mode_t mode;
    } dirs[] = {
        {cfg->config_dir, shared}, {cfg->autostart_dir, shared}, {cfg->state_dir, 0700},
        {cfg->lib_dir, 0700},      {cfg->log_dir, shared},       {cfg->cache_dir, shared},
    };
    g_autofree char *save_dir = qemu_driver_config_save_dir(cfg);

    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (qvirt_dir_make_parents(dirs[i].dir, dirs[i].mode) < 0)
            return -1;
    }
    return qvirt_dir_make_parents(save_dir, 0700);
}

char *
qemu_driver_config_save_dir(const QemuDriverConfig *cfg)
{
    if (cfg->save_dir)
        return g_strdup(cfg->save_dir);
    return g_build_filename(cfg->lib_dir, "save", NULL);
}

const char *
qemu_driver_config_network_bridge(const QemuDriverConfig *cfg, const char *name)
{
    if (!cfg->networks || !name)
        return NULL;
    return g_hash_table_lookup(cfg->networks, name);
}

/* ---- per-domain paths ---- */

char *
qemu_driver_config_domain_lib_dir(const QemuDriverConfig *cfg, const char *name)
{
    g_autofree char *base = g_strdup_printf("domain-%s", name);

    return g_build_filename(cfg->lib_dir, base, NULL);
}

char *
qemu_driver_config_domain_log(const QemuDriverConfig *cfg, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.log", name);

    return g_build_filename(cfg->log_dir, base, NULL);
}

char *
qemu_driver_config_monitor_path(const QemuDriverConfig *cfg, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.monitor", name);

    return g_build_filename(cfg->state_dir, base, NULL);
}

char *
qemu_driver_config_hmp_path(const QemuDriverConfig *cfg, const char *name)
{
    g_autofree char *base = g_strdup_printf("%s.hmp", name);

    return g_build_filename(cfg->state_dir, base, NULL);
}

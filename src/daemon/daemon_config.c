/* daemon_config.c: parsing qvirtd.conf (see daemon_config.h). */
#include <config.h>

#include <string.h>

#include "daemon/daemon_config.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_CONF

#define DAEMON_CONFIG_GROUP "daemon"

typedef enum {
    KEY_BOOL,
    KEY_STRING,
    KEY_UINT,
    KEY_PERMS,
    KEY_LOG_LEVEL,
    KEY_STRV,
    KEY_UUID,
} DaemonConfigKeyType;

typedef struct {
    const char *name;
    DaemonConfigKeyType type;
    size_t offset;
    guint min; /* KEY_UINT */
    guint max;
} DaemonConfigKey;

#define KEY(n, t, field, lo, hi)                                                                   \
    {                                                                                              \
        n, t, G_STRUCT_OFFSET(DaemonConfig, field), lo, hi                                         \
    }

static const DaemonConfigKey daemon_config_keys[] = {
    KEY("listen_tls", KEY_BOOL, listen_tls, 0, 0),
    KEY("listen_addr", KEY_STRING, listen_addr, 0, 0),
    KEY("tls_port", KEY_STRING, tls_port, 0, 0),
    KEY("tls_cert_dir", KEY_STRING, tls_cert_dir, 0, 0),
    KEY("unix_sock_dir", KEY_STRING, unix_sock_dir, 0, 0),
    KEY("unix_sock_rw_perms", KEY_PERMS, unix_sock_rw_perms, 0, 0777),
    KEY("unix_sock_ro_perms", KEY_PERMS, unix_sock_ro_perms, 0, 0777),
    KEY("max_clients", KEY_UINT, max_clients, 1, 100000),
    KEY("max_workers", KEY_UINT, max_workers, 1, 1000),
    KEY("prio_workers", KEY_UINT, prio_workers, 1, 1000),
    KEY("max_client_requests", KEY_UINT, max_client_requests, 1, 10000),
    KEY("keepalive_interval", KEY_UINT, keepalive_interval, 1, 3600),
    KEY("keepalive_count", KEY_UINT, keepalive_count, 1, 100),
    KEY("shutdown_timeout", KEY_UINT, shutdown_timeout, 1, 3600),
    KEY("log_level", KEY_LOG_LEVEL, log_level, 0, 0),
    KEY("log_filters", KEY_STRING, log_filters, 0, 0),
    KEY("log_outputs", KEY_STRING, log_outputs, 0, 0),
    KEY("drivers", KEY_STRV, drivers, 0, 0),
    KEY("host_uuid", KEY_UUID, host_uuid, 0, 0),
};

DaemonConfig *
daemon_config_new(void)
{
    DaemonConfig *config = g_new0(DaemonConfig, 1);

    config->tls_port = g_strdup("16514");
    config->max_clients = 5000;
    config->max_workers = 20;
    config->prio_workers = 5;
    config->max_client_requests = 5;
    config->keepalive_interval = 5;
    config->keepalive_count = 5;
    config->shutdown_timeout = 30;
    return config;
}

static void
daemon_config_clear(DaemonConfig *config)
{
    g_free(config->listen_addr);
    g_free(config->tls_port);
    g_free(config->tls_cert_dir);
    g_free(config->unix_sock_dir);
    g_free(config->log_filters);
    g_free(config->log_outputs);
    g_strfreev(config->drivers);
    g_free(config->host_uuid);
}

void
daemon_config_free(DaemonConfig *config)
{
    if (!config)
        return;
    daemon_config_clear(config);
    g_free(config);
}

static const DaemonConfigKey *
daemon_config_find_key(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(daemon_config_keys); i++) {
        if (strcmp(daemon_config_keys[i].name, name) == 0)
            return &daemon_config_keys[i];
    }
    return NULL;
}

static gboolean
daemon_config_valid_module_name(const char *name)
{
    if (!*name)
        return FALSE;
    for (const char *p = name; *p; p++) {
        if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_')
            return FALSE;
    }
    return TRUE;
}

/* Store one key's value into CONFIG. */
static int
daemon_config_set_key(DaemonConfig *config, GKeyFile *kf, const DaemonConfigKey *key,
                      const char *name)
{
    g_autofree char *raw = g_key_file_get_value(kf, DAEMON_CONFIG_GROUP, key->name, NULL);
    g_autofree char *value = g_key_file_get_string(kf, DAEMON_CONFIG_GROUP, key->name, NULL);
    gpointer field = G_STRUCT_MEMBER_P(config, key->offset);
    g_autoptr(GError) err = NULL;

    if (!value)
        value = g_strdup(raw ? raw : "");
    g_strstrip(value);

    switch (key->type) {
    case KEY_BOOL: {
        gboolean b = g_key_file_get_boolean(kf, DAEMON_CONFIG_GROUP, key->name, &err);

        if (err)
            goto invalid;
        *(gboolean *)field = b;
        return 0;
    }
    case KEY_STRING:
        g_free(*(char **)field);
        *(char **)field = *value ? g_strdup(value) : NULL;
        return 0;
    case KEY_UINT:
    case KEY_PERMS: {
        guint64 n;

        if (!g_ascii_string_to_unsigned(value, key->type == KEY_PERMS ? 8 : 10, key->min, key->max,
                                        &n, NULL))
            goto invalid;
        *(guint *)field = (guint)n;
        return 0;
    }
    case KEY_LOG_LEVEL: {
        int prio = qvirt_log_priority_from_string(value);

        if (prio < 0)
            goto invalid;
        *(int *)field = prio;
        return 0;
    }
    case KEY_STRV: {
        g_auto(GStrv) list =
            g_key_file_get_string_list(kf, DAEMON_CONFIG_GROUP, key->name, NULL, &err);

        if (err || !list || !list[0])
            goto invalid;
        for (char **p = list; *p; p++) {
            g_strstrip(*p);
            if (!daemon_config_valid_module_name(*p))
                goto invalid;
        }
        g_strfreev(*(char ***)field);
        *(char ***)field = g_steal_pointer(&list);
        config->drivers_set = TRUE;
        return 0;
    }
    case KEY_UUID:
        if (!g_uuid_string_is_valid(value))
            goto invalid;
        g_free(*(char **)field);
        *(char **)field = g_ascii_strdown(value, -1);
        return 0;
    }

invalid:
    qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                       _("invalid value '%s' for key '%s' in configuration file '%s'"),
                       raw ? raw : "", key->name, name);
    return -1;
}

int
daemon_config_load_data(DaemonConfig *config, const char *data, const char *name)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) groups = NULL;
    g_auto(GStrv) keys = NULL;
    DaemonConfig work;

    if (!g_key_file_load_from_data(kf, data, (gsize)-1, G_KEY_FILE_NONE, &err)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("cannot parse configuration file '%s': %s"), name, err->message);
        return -1;
    }
    groups = g_key_file_get_groups(kf, NULL);
    for (char **g = groups; *g; g++) {
        if (strcmp(*g, DAEMON_CONFIG_GROUP) != 0) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("unknown group '[%s]' in configuration file '%s' "
                                 "(expected '[%s]')"),
                               *g, name, DAEMON_CONFIG_GROUP);
            return -1;
        }
    }

    /* Work on a deep copy so that a failure leaves CONFIG unchanged. */
    work = *config;
    work.listen_addr = g_strdup(config->listen_addr);
    work.tls_port = g_strdup(config->tls_port);
    work.tls_cert_dir = g_strdup(config->tls_cert_dir);
    work.unix_sock_dir = g_strdup(config->unix_sock_dir);
    work.log_filters = g_strdup(config->log_filters);
    work.log_outputs = g_strdup(config->log_outputs);
    work.drivers = g_strdupv(config->drivers);
    work.host_uuid = g_strdup(config->host_uuid);

    keys = g_key_file_get_keys(kf, DAEMON_CONFIG_GROUP, NULL, NULL);
    for (char **k = keys; k && *k; k++) {
        const DaemonConfigKey *key = daemon_config_find_key(*k);

        if (!key) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("unknown key '%s' in configuration file '%s'"), *k, name);
            daemon_config_clear(&work);
            return -1;
        }
        if (daemon_config_set_key(&work, kf, key, name) < 0) {
            daemon_config_clear(&work);
            return -1;
        }
    }
    daemon_config_clear(config);
    *config = work;
    return 0;
}

int
daemon_config_load_file(DaemonConfig *config, const char *path)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("cannot read configuration file '%s': %s"), path, err->message);
        return -1;
    }
    return daemon_config_load_data(config, data, path);
}

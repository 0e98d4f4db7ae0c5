/* qemu_capabilities.c: probing a QEMU binary over QMP, the capabilities'
 * XML form, and the on-disk cache (the contract is in
 * qemu_capabilities.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_capabilities_priv.h"
#include "qemu/qemu_monitor_json.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/memtrim.h"
#include "util/process.h"
#include "util/threads.h"
#include "util/xml.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.capabilities");

/* Deadline of each probe QEMU's monitor commands, and of its exit. */
#define QEMU_CAPS_PROBE_TIMEOUT_MS (30 * 1000)
#define QEMU_CAPS_EXIT_GRACE_MS 2000
/* Largest cache file read. */
#define QEMU_CAPS_MAX_FILE (8 * 1024 * 1024)

typedef enum {
    CAPS_SRC_KVM,
    CAPS_SRC_COMMAND,
    CAPS_SRC_EVENT,
    CAPS_SRC_MIGRATION_CAP,
    CAPS_SRC_MIGRATION_PARAM,
    CAPS_SRC_COMMAND_ARG, /* "command/argument" in the QMP schema */
} QemuCapsSource;

/* Where each flag comes from: the table that derives the flags. */
static const struct {
    const char *name;
    QemuCapsSource source;
    const char *what;
} qemu_caps_flags[] = {
    [QEMU_CAPS_KVM] = {"kvm", CAPS_SRC_KVM, NULL},
    [QEMU_CAPS_BLOCKDEV_MIRROR] = {"blockdev-mirror", CAPS_SRC_COMMAND, "blockdev-mirror"},
    [QEMU_CAPS_BLOCK_EXPORT_ADD] = {"block-export-add", CAPS_SRC_COMMAND, "block-export-add"},
    [QEMU_CAPS_BLOCKDEV_REOPEN] = {"blockdev-reopen", CAPS_SRC_COMMAND, "blockdev-reopen"},
    [QEMU_CAPS_QUERY_JOBS] = {"query-jobs", CAPS_SRC_COMMAND, "query-jobs"},
    [QEMU_CAPS_QUERY_CPUS_FAST] = {"query-cpus-fast", CAPS_SRC_COMMAND, "query-cpus-fast"},
    [QEMU_CAPS_MIGRATE_RECOVER] = {"migrate-recover", CAPS_SRC_COMMAND, "migrate-recover"},
    [QEMU_CAPS_MIGRATE_PAUSE] = {"migrate-pause", CAPS_SRC_COMMAND, "migrate-pause"},
    [QEMU_CAPS_PAUSE_BEFORE_SWITCHOVER] = {"pause-before-switchover", CAPS_SRC_MIGRATION_CAP,
                                           "pause-before-switchover"},
    [QEMU_CAPS_POSTCOPY_RAM] = {"postcopy-ram", CAPS_SRC_MIGRATION_CAP, "postcopy-ram"},
    [QEMU_CAPS_MIGRATION_EVENTS] = {"migration-events", CAPS_SRC_MIGRATION_CAP, "events"},
    [QEMU_CAPS_RETURN_PATH] = {"return-path", CAPS_SRC_MIGRATION_CAP, "return-path"},
    [QEMU_CAPS_MULTIFD] = {"multifd", CAPS_SRC_MIGRATION_CAP, "multifd"},
    [QEMU_CAPS_MIGRATION_TLS] = {"migration-tls", CAPS_SRC_MIGRATION_PARAM, "tls-creds"},
    [QEMU_CAPS_NBD_SERVER_TLS] = {"nbd-server-tls", CAPS_SRC_COMMAND_ARG,
                                  "nbd-server-start/tls-creds"},
    [QEMU_CAPS_MIRROR_COPY_MODE] = {"blockdev-mirror-copy-mode", CAPS_SRC_COMMAND_ARG,
                                    "blockdev-mirror/copy-mode"},
    [QEMU_CAPS_JOB_STATUS_CHANGE] = {"job-status-change", CAPS_SRC_EVENT, "JOB_STATUS_CHANGE"},
    [QEMU_CAPS_DUMP_COMPLETED] = {"dump-completed", CAPS_SRC_EVENT, "DUMP_COMPLETED"},
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemu_caps_flags) == QEMU_CAPS_LAST);

struct _QemuCaps {
    gint refs; /* atomic */

    /* The cache key (NULL/0 when not set). */
    char *binary;
    unsigned long long binary_size;
    char *binary_mtime; /* "seconds.nanoseconds" */
    char *qvirt_version;

    int major, minor, micro;
    char *package;
    bool kvm_present;
    bool kvm_enabled;
    bool flags[QEMU_CAPS_LAST];
    GHashTable *commands; /* sets of names */
    GHashTable *events;
    GHashTable *migration_caps;
    GHashTable *migration_params;
    GHashTable *command_args; /* "command/argument" for the CAPS_SRC_COMMAND_ARG flags */
    GPtrArray *machines;      /* QemuCapsMachine */
    GPtrArray *cpu_models;    /* QemuCapsCpuModel */
};

static gint qemu_caps_spawned; /* atomic */

const char *
qemu_caps_flag_to_string(int flag)
{
    if (flag < 0 || flag >= QEMU_CAPS_LAST)
        return NULL;
    return qemu_caps_flags[flag].name;
}

int
qemu_caps_flag_from_string(const char *str)
{
    for (int i = 0; str && i < QEMU_CAPS_LAST; i++) {
        if (strcmp(qemu_caps_flags[i].name, str) == 0)
            return i;
    }
    return -1;
}

static void
qemu_caps_machine_free(gpointer data)
{
    QemuCapsMachine *m = data;

    g_free(m->name);
    g_free(m->alias);
    g_free(m->default_cpu_type);
    g_free(m);
}

static void
qemu_caps_cpu_model_free(gpointer data)
{
    QemuCapsCpuModel *c = data;

    g_free(c->name);
    g_free(c);
}

static GHashTable *
name_set_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

QemuCaps *
qemu_caps_new(void)
{
    QemuCaps *caps = g_new0(QemuCaps, 1);

    caps->refs = 1;
    caps->commands = name_set_new();
    caps->events = name_set_new();
    caps->migration_caps = name_set_new();
    caps->migration_params = name_set_new();
    caps->command_args = name_set_new();
    caps->machines = g_ptr_array_new_with_free_func(qemu_caps_machine_free);
    caps->cpu_models = g_ptr_array_new_with_free_func(qemu_caps_cpu_model_free);
    return caps;
}

QemuCaps *
qemu_caps_ref(QemuCaps *caps)
{
    g_atomic_int_inc(&caps->refs);
    return caps;
}

void
qemu_caps_unref(QemuCaps *caps)
{
    if (!caps || !g_atomic_int_dec_and_test(&caps->refs))
        return;
    g_free(caps->binary);
    g_free(caps->binary_mtime);
    g_free(caps->qvirt_version);
    g_free(caps->package);
    g_hash_table_unref(caps->commands);
    g_hash_table_unref(caps->events);
    g_hash_table_unref(caps->migration_caps);
    g_hash_table_unref(caps->migration_params);
    g_hash_table_unref(caps->command_args);
    g_ptr_array_unref(caps->machines);
    g_ptr_array_unref(caps->cpu_models);
    g_free(caps);
}

/* ---- Queries ---- */

bool
qemu_caps_get(const QemuCaps *caps, QemuCapsFlag flag)
{
    return flag >= 0 && flag < QEMU_CAPS_LAST && caps->flags[flag];
}

unsigned int
qemu_caps_get_version(const QemuCaps *caps)
{
    return caps->major * 1000000 + caps->minor * 1000 + caps->micro;
}

const char *
qemu_caps_get_package(const QemuCaps *caps)
{
    return caps->package;
}

const char *
qemu_caps_get_binary(const QemuCaps *caps)
{
    return caps->binary;
}

bool
qemu_caps_kvm_present(const QemuCaps *caps)
{
    return caps->kvm_present;
}

bool
qemu_caps_has_command(const QemuCaps *caps, const char *name)
{
    return g_hash_table_contains(caps->commands, name);
}

bool
qemu_caps_has_event(const QemuCaps *caps, const char *name)
{
    return g_hash_table_contains(caps->events, name);
}

bool
qemu_caps_has_migration_capability(const QemuCaps *caps, const char *name)
{
    return g_hash_table_contains(caps->migration_caps, name);
}

bool
qemu_caps_has_migration_parameter(const QemuCaps *caps, const char *name)
{
    return g_hash_table_contains(caps->migration_params, name);
}

const GPtrArray *
qemu_caps_get_machines(const QemuCaps *caps)
{
    return caps->machines;
}

const GPtrArray *
qemu_caps_get_cpu_models(const QemuCaps *caps)
{
    return caps->cpu_models;
}

const QemuCapsMachine *
qemu_caps_get_machine(const QemuCaps *caps, const char *name)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuCapsMachine *m = g_ptr_array_index(caps->machines, i);

        if (g_strcmp0(m->name, name) == 0 || g_strcmp0(m->alias, name) == 0)
            return m;
    }
    return NULL;
}

const char *
qemu_caps_get_default_machine(const QemuCaps *caps)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuCapsMachine *m = g_ptr_array_index(caps->machines, i);

        if (m->is_default)
            return m->name;
    }
    return NULL;
}

/* ---- Probing over a monitor ---- */

/* Set every flag from the data collected (the flags table). */
static void
qemu_caps_derive_flags(QemuCaps *caps)
{
    for (int i = 0; i < QEMU_CAPS_LAST; i++) {
        const char *what = qemu_caps_flags[i].what;

        switch (qemu_caps_flags[i].source) {
        case CAPS_SRC_KVM:
            caps->flags[i] = caps->kvm_enabled;
            break;
        case CAPS_SRC_COMMAND:
            caps->flags[i] = g_hash_table_contains(caps->commands, what);
            break;
        case CAPS_SRC_EVENT:
            caps->flags[i] = g_hash_table_contains(caps->events, what);
            break;
        case CAPS_SRC_MIGRATION_CAP:
            caps->flags[i] = g_hash_table_contains(caps->migration_caps, what);
            break;
        case CAPS_SRC_MIGRATION_PARAM:
            caps->flags[i] = g_hash_table_contains(caps->migration_params, what);
            break;
        case CAPS_SRC_COMMAND_ARG:
            caps->flags[i] = g_hash_table_contains(caps->command_args, what);
            break;
        }
    }
}

/* From the QMP schema: the event names, and for each CAPS_SRC_COMMAND_ARG
 * flag whether the command takes that argument. */
static int
qemu_caps_read_schema(QemuCaps *caps, QvirtJson *schema)
{
    g_autoptr(GHashTable) index = g_hash_table_new(g_str_hash, g_str_equal);
    size_t n = json_object_array_length(schema);

    for (size_t i = 0; i < n; i++) {
        QvirtJson *entry = json_object_array_get_idx(schema, i);
        const char *name = NULL;
        const char *meta = NULL;

        if (!json_object_is_type(entry, json_type_object) ||
            qvirt_json_get_string(entry, "name", &name) != 0 ||
            qvirt_json_get_string(entry, "meta-type", &meta) != 0) {
            qvirt_error_reset();
            qvirt_report_internal(_("malformed entry %zu of the QMP schema"), i);
            return -1;
        }
        g_hash_table_insert(index, (gpointer)name, entry);
        if (strcmp(meta, "event") == 0)
            g_hash_table_add(caps->events, g_strdup(name));
    }

    for (int f = 0; f < QEMU_CAPS_LAST; f++) {
        g_auto(GStrv) parts = NULL;
        QvirtJson *cmd;
        QvirtJson *args;
        QvirtJson *members = NULL;
        const char *arg_type = NULL;

        if (qemu_caps_flags[f].source != CAPS_SRC_COMMAND_ARG)
            continue;
        parts = g_strsplit(qemu_caps_flags[f].what, "/", 2);
        cmd = g_hash_table_lookup(index, parts[0]);
        if (!cmd || qvirt_json_get_string(cmd, "arg-type", &arg_type) != 0 ||
            !(args = g_hash_table_lookup(index, arg_type)) ||
            qvirt_json_get_array(args, "members", &members) != 0) {
            qvirt_error_reset();
            continue;
        }
        for (size_t i = 0; i < json_object_array_length(members); i++) {
            const char *mname = NULL;

            if (qvirt_json_get_string(json_object_array_get_idx(members, i), "name", &mname) == 0 &&
                strcmp(mname, parts[1]) == 0)
                g_hash_table_add(caps->command_args, g_strdup(qemu_caps_flags[f].what));
        }
        qvirt_error_reset();
    }
    return 0;
}

static int
qemu_caps_probe_machines(QemuCaps *caps, QemuMonitor *mon)
{
    g_autoptr(GPtrArray) machines = NULL;

    if (qemu_monitor_json_query_machines(mon, &machines) < 0)
        return -1;
    for (guint i = 0; i < machines->len; i++) {
        QemuMonitorMachineInfo *info = g_ptr_array_index(machines, i);
        QemuCapsMachine *m = g_new0(QemuCapsMachine, 1);

        m->name = g_strdup(info->name);
        m->alias = g_strdup(info->alias);
        m->is_default = info->is_default;
        m->max_cpus = info->max_cpus;
        m->hotpluggable_cpus = info->hotpluggable_cpus;
        m->deprecated = info->deprecated;
        m->default_cpu_type = g_strdup(info->default_cpu_type);
        g_ptr_array_add(caps->machines, m);
    }
    return 0;
}

static int
qemu_caps_probe_cpu_models(QemuCaps *caps, QemuMonitor *mon)
{
    g_autoptr(GPtrArray) models = NULL;

    if (qemu_monitor_json_query_cpu_definitions(mon, &models) < 0)
        return -1;
    for (guint i = 0; i < models->len; i++) {
        QemuMonitorCpuModel *info = g_ptr_array_index(models, i);
        QemuCapsCpuModel *c = g_new0(QemuCapsCpuModel, 1);

        c->name = g_strdup(info->name);
        c->usable = info->usable;
        c->deprecated = info->deprecated;
        g_ptr_array_add(caps->cpu_models, c);
    }
    return 0;
}

int
qemu_caps_probe_monitor(QemuCaps *caps, QemuMonitor *mon, bool kvm_pass)
{
    g_autoptr(QemuMonitorVersion) version = NULL;
    g_auto(GStrv) commands = NULL;
    g_autoptr(QvirtJson) schema = NULL;
    g_autoptr(GHashTable) mcaps = NULL;
    g_autoptr(QvirtJson) params = NULL;
    bool present;
    bool enabled;

    if (kvm_pass) {
        if (qemu_monitor_json_query_kvm(mon, &present, &enabled) < 0)
            return -1;
        caps->kvm_present = caps->kvm_present || present;
        caps->kvm_enabled = enabled;
        qemu_caps_derive_flags(caps);
        return 0;
    }

    if (qemu_monitor_json_query_version(mon, &version) < 0 ||
        qemu_monitor_json_query_commands(mon, &commands) < 0 ||
        qemu_monitor_json_query_qmp_schema(mon, &schema) < 0 ||
        qemu_monitor_json_query_kvm(mon, &present, &enabled) < 0 ||
        qemu_caps_probe_machines(caps, mon) < 0 || qemu_caps_probe_cpu_models(caps, mon) < 0 ||
        qemu_monitor_json_query_migrate_capabilities(mon, &mcaps) < 0 ||
        qemu_monitor_json_query_migrate_parameters(mon, &params) < 0)
        return -1;

    caps->major = version->major;
    caps->minor = version->minor;
    caps->micro = version->micro;
    g_free(caps->package);
    caps->package = g_strdup(version->package);
    caps->kvm_present = present;
    for (size_t i = 0; commands[i]; i++)
        g_hash_table_add(caps->commands, g_strdup(commands[i]));
    if (qemu_caps_read_schema(caps, schema) < 0)
        return -1;
    {
        GHashTableIter iter;
        gpointer key;

        g_hash_table_iter_init(&iter, mcaps);
        while (g_hash_table_iter_next(&iter, &key, NULL))
            g_hash_table_add(caps->migration_caps, g_strdup(key));
    }
    {
        json_object_object_foreach(params, key, val)
        {
            (void)val;
            g_hash_table_add(caps->migration_params, g_strdup(key));
        }
    }
    qemu_caps_derive_flags(caps);
    return 0;
}

/* ---- Probing a binary ---- */

unsigned int
qemu_caps_probe_count(void)
{
    return g_atomic_int_get(&qemu_caps_spawned);
}

/* The first line of the file PATH, for error messages ("" when none). */
static char *
first_line_of(const char *path)
{
    g_autofree char *text = NULL;
    char *nl;

    if (qvirt_file_read_limited(path, 64 * 1024, &text, NULL) < 0) {
        qvirt_error_reset();
        return g_strdup("");
    }
    nl = strchr(text, '\n');
    if (nl)
        *nl = '\0';
    return g_steal_pointer(&text);
}

/* Start BINARY (TCG, or KVM with KVM_PASS) with a QMP monitor in TMPDIR and
 * probe it. With KVM_PASS a QEMU that cannot start means KVM is unusable,
 * which is not an error. */
static int
qemu_caps_probe_one(QemuCaps *caps, const char *binary, QvirtEventLoop *loop, const char *tmpdir,
                    bool kvm_pass, QemuCapsProbeHook hook, gpointer opaque)
{
    const char *accel = kvm_pass ? "kvm" : "tcg";
    g_autofree char *sock = g_strdup_printf("%s/qmp-%s.sock", tmpdir, accel);
    g_autofree char *logpath = g_strdup_printf("%s/qemu-%s.log", tmpdir, accel);
    g_autofree char *chardev = NULL;
    g_autoptr(QvirtCommand) cmd = NULL;
    g_autoptr(QvirtProcess) proc = NULL;
    QemuMonitorConfig config = {
        .protocol = QEMU_MONITOR_PROTOCOL_QMP,
        .domain_name = kvm_pass ? "capabilities probe (kvm)" : "capabilities probe",
        .timeout_ms = QEMU_CAPS_PROBE_TIMEOUT_MS,
    };
    QemuMonitor *mon = NULL;
    int listen_fd;
    int log_fd;
    int ret = -1;

    listen_fd = qemu_monitor_listen_socket(sock);
    if (listen_fd < 0)
        return -1;
    log_fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) {
        qvirt_report_system_error(errno, _("cannot create '%s'"), logpath);
        close(listen_fd);
        return -1;
    }

    chardev = g_strdup_printf("socket,id=qmp,fd=%d,server=on,wait=off", listen_fd);
    cmd = qvirt_command_new(binary);
    qvirt_command_add_args(cmd, "-machine", "none", "-S", "-nodefaults", "-no-user-config",
                           "-display", "none", "-accel", accel, "-chardev", chardev, "-mon",
                           "chardev=qmp,mode=control", NULL);
    qvirt_command_add_env(cmd, "LC_ALL=C");
    qvirt_command_pass_fd(cmd, listen_fd);
    qvirt_command_set_stdout_fd(cmd, log_fd);
    qvirt_command_set_stderr_fd(cmd, log_fd);
    qvirt_command_set_working_dir(cmd, tmpdir);

    QVIRT_DEBUG("probing '%s' (%s)", binary, accel);
    if (qvirt_command_spawn(cmd, &proc) < 0) {
        close(listen_fd);
        close(log_fd);
        return -1;
    }
    g_atomic_int_inc(&qemu_caps_spawned);
    /* QEMU holds the socket now: when it dies, our connection fails. */
    close(listen_fd);
    close(log_fd);

    mon = qemu_monitor_open_path(loop, sock, &config);
    if (!mon || qemu_monitor_wait_ready(mon) < 0 || qemu_monitor_json_set_capabilities(mon) < 0)
        goto cleanup;
    if (hook)
        hook(mon, kvm_pass, opaque);
    if (qemu_caps_probe_monitor(caps, mon, kvm_pass) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    if (mon) {
        /* QEMU may exit before it answers: ignore how quit ends. */
        QvirtError *saved = qvirt_error_save();

        if (ret == 0 && qemu_monitor_json_quit(mon) < 0)
            QVIRT_DEBUG("quit: %s", qvirt_error_last_message());
        qemu_monitor_close(mon);
        qvirt_error_restore(saved);
    }
    if (ret < 0) {
        g_autofree char *why = g_strdup(qvirt_error_last_message());
        g_autofree char *said = first_line_of(logpath);

        if (kvm_pass) {
            QVIRT_INFO("KVM is not usable with '%s': %s %s", binary, why, said);
            qvirt_error_reset();
            caps->kvm_enabled = false;
            qemu_caps_derive_flags(caps);
            ret = 0;
        } else {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("cannot probe QEMU binary '%s': %s%s%s"), binary, why,
                               *said ? "; QEMU said: " : "", said);
        }
    }
    {
        QvirtError *saved = qvirt_error_save();

        if (qvirt_process_kill_graceful(proc, QEMU_CAPS_EXIT_GRACE_MS) < 0)
            QVIRT_WARN("probe QEMU %d: %s", (int)qvirt_process_pid(proc),
                       qvirt_error_last_message());
        qvirt_error_restore(saved);
    }
    return ret;
}

QemuCaps *
qemu_caps_probe_full(const char *binary, QvirtEventLoop *loop, QemuCapsProbeHook hook,
                     gpointer opaque)
{
    g_autoptr(QemuCaps) caps = qemu_caps_new();
    g_autoptr(GError) gerr = NULL;
    g_autofree char *tmpdir = NULL;
    int rc;

    if (!g_path_is_absolute(binary)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("QEMU binary '%s' is not an absolute path"),
                           binary);
        return NULL;
    }
    tmpdir = g_dir_make_tmp("qvirt-caps-XXXXXX", &gerr);
    if (!tmpdir) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("cannot create a folder to probe '%s': %s"), binary, gerr->message);
        return NULL;
    }
    rc = qemu_caps_probe_one(caps, binary, loop, tmpdir, false, hook, opaque);
    if (rc == 0)
        rc = qemu_caps_probe_one(caps, binary, loop, tmpdir, true, hook, opaque);

    /* The folder holds only our socket and log files. */
    {
        g_autoptr(GDir) dir = g_dir_open(tmpdir, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(tmpdir, name, NULL);

            unlink(path);
        }
        rmdir(tmpdir);
    }
    if (rc < 0)
        return NULL;
    if (qemu_caps_set_cache_key(caps, binary) < 0)
        return NULL;
    return g_steal_pointer(&caps);
}

QemuCaps *
qemu_caps_probe(const char *binary, QvirtEventLoop *loop)
{
    return qemu_caps_probe_full(binary, loop, NULL, NULL);
}

/* ---- XML ---- */

static const char *
yes_no(bool b)
{
    return b ? "yes" : "no";
}

static int
sort_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Add <ELEMENT name='...'/> for each name of SET, sorted. */
static void
format_name_set(QvirtBuffer *buf, const char *element, GHashTable *set)
{
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(set, NULL);
    guint n = g_hash_table_size(set);
    g_autofree char *fmt = g_strdup_printf("<%s name='%%s'/>\n", element);

    qsort(keys, n, sizeof(gpointer), sort_strings);
    for (guint i = 0; i < n; i++)
        qvirt_buffer_escape_string(buf, fmt, keys[i]);
}

char *
qemu_caps_format(const QemuCaps *caps, bool with_cache_key)
{
    g_auto(QvirtBuffer) buf = QVIRT_BUFFER_INIT;

    qvirt_buffer_add(&buf, "<qemuCaps>\n");
    qvirt_buffer_add_indent(&buf, 2);
    if (with_cache_key && caps->binary) {
        qvirt_buffer_escape_string(&buf, "<binary path='%s'", caps->binary);
        qvirt_buffer_printf(&buf, " size='%llu'", caps->binary_size);
        qvirt_buffer_escape_string(&buf, " mtime='%s'/>\n", caps->binary_mtime);
        qvirt_buffer_escape_string(&buf, "<qvirtVersion>%s</qvirtVersion>\n", caps->qvirt_version);
    }
    qvirt_buffer_printf(&buf, "<version major='%d' minor='%d' micro='%d'", caps->major, caps->minor,
                        caps->micro);
    qvirt_buffer_escape_string(&buf, " package='%s'", caps->package);
    qvirt_buffer_add(&buf, "/>\n");
    qvirt_buffer_printf(&buf, "<kvm present='%s' enabled='%s'/>\n", yes_no(caps->kvm_present),
                        yes_no(caps->kvm_enabled));
    for (int i = 0; i < QEMU_CAPS_LAST; i++) {
        if (caps->flags[i])
            qvirt_buffer_printf(&buf, "<flag name='%s'/>\n", qemu_caps_flags[i].name);
    }
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuCapsMachine *m = g_ptr_array_index(caps->machines, i);

        qvirt_buffer_escape_string(&buf, "<machine name='%s'", m->name);
        qvirt_buffer_escape_string(&buf, " alias='%s'", m->alias);
        if (m->is_default)
            qvirt_buffer_add(&buf, " default='yes'");
        qvirt_buffer_printf(&buf, " maxCpus='%d' hotplugCpus='%s'", m->max_cpus,
                            yes_no(m->hotpluggable_cpus));
        if (m->deprecated)
            qvirt_buffer_add(&buf, " deprecated='yes'");
        qvirt_buffer_escape_string(&buf, " defaultCpuType='%s'", m->default_cpu_type);
        qvirt_buffer_add(&buf, "/>\n");
    }
    for (guint i = 0; i < caps->cpu_models->len; i++) {
        const QemuCapsCpuModel *c = g_ptr_array_index(caps->cpu_models, i);

        qvirt_buffer_escape_string(&buf, "<cpu name='%s'", c->name);
        qvirt_buffer_printf(&buf, " usable='%s'", yes_no(c->usable));
        if (c->deprecated)
            qvirt_buffer_add(&buf, " deprecated='yes'");
        qvirt_buffer_add(&buf, "/>\n");
    }
    format_name_set(&buf, "migrationCapability", caps->migration_caps);
    format_name_set(&buf, "migrationParameter", caps->migration_params);
    format_name_set(&buf, "commandArgument", caps->command_args);
    format_name_set(&buf, "event", caps->events);
    format_name_set(&buf, "command", caps->commands);
    qvirt_buffer_add_indent(&buf, -2);
    qvirt_buffer_add(&buf, "</qemuCaps>\n");
    return qvirt_buffer_steal(&buf);
}

/* A yes/no attribute; absent is DEFAULT_VAL. */
static int
parse_yes_no(xmlNodePtr node, const char *name, bool default_val, const char *what, bool *ret)
{
    g_autofree char *val = qvirt_xml_prop(node, name);

    if (!val) {
        *ret = default_val;
        return 0;
    }
    if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%s' of attribute '%s' of <%s> in %s"), val, name,
                           (const char *)node->name, what);
        return -1;
    }
    *ret = strcmp(val, "yes") == 0;
    return 0;
}

/* A required integer attribute of <version>. */
static int
parse_version_part(xmlNodePtr node, const char *name, const char *what, int *ret)
{
    int rc = qvirt_xml_prop_int(node, name, ret);

    if (rc == -1)
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("%s: <version> has no '%s'"), what, name);
    return rc == 0 ? 0 : -1;
}

static int
parse_name_set(xmlXPathContextPtr ctxt, const char *xpath, GHashTable *set, const char *what)
{
    g_autofree xmlNodePtr *nodes = NULL;
    int n = qvirt_xpath_node_set(xpath, ctxt, &nodes);

    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        char *name = qvirt_xml_prop(nodes[i], "name");

        if (!name || !*name) {
            g_free(name);
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("<%s> without a name in %s"),
                               (const char *)nodes[i]->name, what);
            return -1;
        }
        g_hash_table_add(set, name);
    }
    return 0;
}

QemuCaps *
qemu_caps_parse(const char *xml, const char *what)
{
    g_autoptr(QemuCaps) caps = qemu_caps_new();
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autofree xmlNodePtr *nodes = NULL;
    xmlNodePtr node;
    int n;

    if (!what)
        what = _("QEMU capabilities");
    doc = qvirt_xml_parse_string(xml, what, &ctxt);
    if (!doc)
        return NULL;
    if (strcmp((const char *)ctxt->node->name, "qemuCaps") != 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("%s: expected root element <qemuCaps>"), what);
        return NULL;
    }

    if ((node = qvirt_xpath_node("./binary", ctxt))) {
        caps->binary = qvirt_xml_prop(node, "path");
        caps->binary_mtime = qvirt_xml_prop(node, "mtime");
        if (!caps->binary || !caps->binary_mtime ||
            qvirt_xml_prop_ullong(node, "size", &caps->binary_size) != 0) {
            qvirt_error_reset();
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("%s: incomplete <binary>"), what);
            return NULL;
        }
        caps->qvirt_version = qvirt_xpath_string("string(./qvirtVersion)", ctxt);
    }

    node = qvirt_xpath_node("./version", ctxt);
    if (!node) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("%s: missing <version>"), what);
        return NULL;
    }
    if (parse_version_part(node, "major", what, &caps->major) < 0 ||
        parse_version_part(node, "minor", what, &caps->minor) < 0 ||
        parse_version_part(node, "micro", what, &caps->micro) < 0)
        return NULL;
    caps->package = qvirt_xml_prop(node, "package");

    node = qvirt_xpath_node("./kvm", ctxt);
    if (node && (parse_yes_no(node, "present", false, what, &caps->kvm_present) < 0 ||
                 parse_yes_no(node, "enabled", false, what, &caps->kvm_enabled) < 0))
        return NULL;

    n = qvirt_xpath_node_set("./flag", ctxt, &nodes);
    if (n < 0)
        return NULL;
    for (int i = 0; i < n; i++) {
        g_autofree char *name = qvirt_xml_prop(nodes[i], "name");
        int flag = qemu_caps_flag_from_string(name);

        if (flag < 0) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("%s: unknown flag '%s'"), what,
                               name ? name : "");
            return NULL;
        }
        caps->flags[flag] = true;
    }
    g_clear_pointer(&nodes, g_free);

    n = qvirt_xpath_node_set("./machine", ctxt, &nodes);
    if (n < 0)
        return NULL;
    for (int i = 0; i < n; i++) {
        QemuCapsMachine *m = g_new0(QemuCapsMachine, 1);

        g_ptr_array_add(caps->machines, m);
        m->name = qvirt_xml_prop(nodes[i], "name");
        m->alias = qvirt_xml_prop(nodes[i], "alias");
        m->default_cpu_type = qvirt_xml_prop(nodes[i], "defaultCpuType");
        if (!m->name) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("%s: <machine> without a name"), what);
            return NULL;
        }
        if (qvirt_xml_prop_int(nodes[i], "maxCpus", &m->max_cpus) == -2 ||
            parse_yes_no(nodes[i], "default", false, what, &m->is_default) < 0 ||
            parse_yes_no(nodes[i], "hotplugCpus", false, what, &m->hotpluggable_cpus) < 0 ||
            parse_yes_no(nodes[i], "deprecated", false, what, &m->deprecated) < 0)
            return NULL;
    }
    g_clear_pointer(&nodes, g_free);

    n = qvirt_xpath_node_set("./cpu", ctxt, &nodes);
    if (n < 0)
        return NULL;
    for (int i = 0; i < n; i++) {
        QemuCapsCpuModel *c = g_new0(QemuCapsCpuModel, 1);

        g_ptr_array_add(caps->cpu_models, c);
        c->name = qvirt_xml_prop(nodes[i], "name");
        if (!c->name) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("%s: <cpu> without a name"), what);
            return NULL;
        }
        if (parse_yes_no(nodes[i], "usable", false, what, &c->usable) < 0 ||
            parse_yes_no(nodes[i], "deprecated", false, what, &c->deprecated) < 0)
            return NULL;
    }

    if (parse_name_set(ctxt, "./migrationCapability", caps->migration_caps, what) < 0 ||
        parse_name_set(ctxt, "./migrationParameter", caps->migration_params, what) < 0 ||
        parse_name_set(ctxt, "./commandArgument", caps->command_args, what) < 0 ||
        parse_name_set(ctxt, "./event", caps->events, what) < 0 ||
        parse_name_set(ctxt, "./command", caps->commands, what) < 0)
        return NULL;
    return g_steal_pointer(&caps);
}

/* ---- The cache ---- */

struct _QemuCapsCache {
    char *dir;
    QvirtEventLoop *loop;
    QvirtMutex lock;     /* held across a probe: one probe at a time */
    GHashTable *entries; /* binary path -> QemuCaps* */
};

/* BINARY's size and modification time as the cache key stores them. */
static int
qemu_caps_stat_binary(const char *binary, unsigned long long *ret_size, char **ret_mtime)
{
    struct stat sb;

    if (stat(binary, &sb) < 0) {
        qvirt_report_system_error(errno, _("cannot find QEMU binary '%s'"), binary);
        return -1;
    }
    *ret_size = sb.st_size;
    *ret_mtime =
        g_strdup_printf("%lld.%09ld", (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec);
    return 0;
}

int
qemu_caps_set_cache_key(QemuCaps *caps, const char *binary)
{
    unsigned long long size;
    g_autofree char *mtime = NULL;

    if (qemu_caps_stat_binary(binary, &size, &mtime) < 0)
        return -1;
    g_free(caps->binary);
    caps->binary = g_strdup(binary);
    caps->binary_size = size;
    g_free(caps->binary_mtime);
    caps->binary_mtime = g_steal_pointer(&mtime);
    g_free(caps->qvirt_version);
    caps->qvirt_version = g_strdup(PACKAGE_VERSION);
    return 0;
}

/* Whether CAPS's key still matches BINARY as it is (SIZE, MTIME) and this
 * qvirt. */
static bool
qemu_caps_key_matches(const QemuCaps *caps, const char *binary, unsigned long long size,
                      const char *mtime)
{
    return g_strcmp0(caps->binary, binary) == 0 && caps->binary_size == size &&
           g_strcmp0(caps->binary_mtime, mtime) == 0 &&
           g_strcmp0(caps->qvirt_version, PACKAGE_VERSION) == 0;
}

QemuCapsCache *
qemu_caps_cache_new(const char *dir, QvirtEventLoop *loop)
{
    QemuCapsCache *cache;

    if (qvirt_dir_make_parents(dir, 0755) < 0)
        return NULL;
    cache = g_new0(QemuCapsCache, 1);
    cache->dir = g_strdup(dir);
    cache->loop = loop;
    qvirt_mutex_init(&cache->lock);
    cache->entries =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)qemu_caps_unref);
    return cache;
}

void
qemu_caps_cache_free(QemuCapsCache *cache)
{
    if (!cache)
        return;
    g_hash_table_unref(cache->entries);
    qvirt_mutex_clear(&cache->lock);
    g_free(cache->dir);
    g_free(cache);
}

char *
qemu_caps_cache_file(QemuCapsCache *cache, const char *binary)
{
    g_autofree char *base = g_path_get_basename(binary);
    g_autofree char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    g_autofree char *name = NULL;

    hash[16] = '\0';
    name = g_strdup_printf("%s-%s.xml", base, hash);
    return g_build_filename(cache->dir, name, NULL);
}

/* The capabilities in the cache file of BINARY if its key matches; NULL
 * (nothing reported) otherwise. */
static QemuCaps *
qemu_caps_cache_load(QemuCapsCache *cache, const char *binary, unsigned long long size,
                     const char *mtime)
{
    g_autofree char *path = qemu_caps_cache_file(cache, binary);
    g_autofree char *xml = NULL;
    g_autoptr(QemuCaps) caps = NULL;

    if (!qvirt_file_exists(path))
        return NULL;
    if (qvirt_file_read_limited(path, QEMU_CAPS_MAX_FILE, &xml, NULL) < 0 ||
        !(caps = qemu_caps_parse(xml, path))) {
        QVIRT_WARN("ignoring QEMU capabilities cache '%s': %s", path, qvirt_error_last_message());
        qvirt_error_reset();
        return NULL;
    }
    if (!qemu_caps_key_matches(caps, binary, size, mtime)) {
        QVIRT_INFO("QEMU capabilities cache '%s' is stale", path);
        return NULL;
    }
    return g_steal_pointer(&caps);
}

QemuCaps *
qemu_caps_cache_lookup(QemuCapsCache *cache, const char *binary)
{
    g_autofree char *mtime = NULL;
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;
    unsigned long long size;
    QemuCaps *caps;

    qvirt_mutex_lock(&cache->lock);
    if (qemu_caps_stat_binary(binary, &size, &mtime) < 0)
        goto error;

    caps = g_hash_table_lookup(cache->entries, binary);
    if (caps && qemu_caps_key_matches(caps, binary, size, mtime))
        goto found;

    caps = qemu_caps_cache_load(cache, binary, size, mtime);
    if (!caps) {
        caps = qemu_caps_probe(binary, cache->loop);
        if (!caps)
            goto error;
        /* A probe racing a change of the binary gets the new key, and is
         * probed again at the next lookup: harmless. */
        path = qemu_caps_cache_file(cache, binary);
        xml = qemu_caps_format(caps, true);
        if (qvirt_file_write_atomic_str(path, xml, 0644) < 0) {
            QVIRT_WARN("cannot cache QEMU capabilities: %s", qvirt_error_last_message());
            qvirt_error_reset();
        }
    }
    /* The probe or the cache file's parse left megabytes of freed JSON
     * and XML behind (the QMP schema alone is several). */
    g_clear_pointer(&xml, g_free);
    qvirt_memory_trim();
    g_hash_table_replace(cache->entries, g_strdup(binary), caps);

found:
    qemu_caps_ref(caps);
    qvirt_mutex_unlock(&cache->lock);
    return caps;

error:
    qvirt_mutex_unlock(&cache->lock);
    return NULL;
}

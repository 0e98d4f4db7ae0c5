/* qemu_monitor_json_migration.c: the QMP migration wrappers: start, cancel,
 * continue, incoming, post-copy, capabilities, parameters and statistics.
 * The contract is in qemu_monitor_json.h. */
#include <config.h>

#include <string.h>

#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_monitor_priv.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.monitor.json");

static const char *const qemu_monitor_migration_status_names[] = {
    [QEMU_MONITOR_MIGRATION_STATUS_NONE] = "none",
    [QEMU_MONITOR_MIGRATION_STATUS_SETUP] = "setup",
    [QEMU_MONITOR_MIGRATION_STATUS_CANCELLING] = "cancelling",
    [QEMU_MONITOR_MIGRATION_STATUS_CANCELLED] = "cancelled",
    [QEMU_MONITOR_MIGRATION_STATUS_ACTIVE] = "active",
    [QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_ACTIVE] = "postcopy-active",
    [QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_PAUSED] = "postcopy-paused",
    [QEMU_MONITOR_MIGRATION_STATUS_POSTCOPY_RECOVER] = "postcopy-recover",
    [QEMU_MONITOR_MIGRATION_STATUS_COMPLETED] = "completed",
    [QEMU_MONITOR_MIGRATION_STATUS_FAILED] = "failed",
    [QEMU_MONITOR_MIGRATION_STATUS_COLO] = "colo",
    [QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER] = "pre-switchover",
    [QEMU_MONITOR_MIGRATION_STATUS_DEVICE] = "device",
    [QEMU_MONITOR_MIGRATION_STATUS_WAIT_UNPLUG] = "wait-unplug",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qemu_monitor_migration_status_names) ==
                QEMU_MONITOR_MIGRATION_STATUS_LAST);

const char *
qemu_monitor_migration_status_to_string(int status)
{
    if (status < 0 || status >= QEMU_MONITOR_MIGRATION_STATUS_LAST)
        return NULL;
    return qemu_monitor_migration_status_names[status];
}

int
qemu_monitor_migration_status_from_string(const char *str)
{
    for (int i = 0; str && i < QEMU_MONITOR_MIGRATION_STATUS_LAST; i++) {
        if (strcmp(qemu_monitor_migration_status_names[i], str) == 0)
            return i;
    }
    return -1;
}

void
qemu_monitor_migration_stats_clear(QemuMonitorMigrationStats *stats)
{
    if (!stats)
        return;
    g_free(stats->error_desc);
    memset(stats, 0, sizeof(*stats));
}

/* Read the optional unsigned member KEY into *RET, noting in *RET_SET
 * (may be NULL) whether it was there. */
static int
read_opt_ull(QvirtJson *obj, const char *key, unsigned long long *ret, bool *ret_set)
{
    if (!obj)
        return 0;
    if (ret_set)
        *ret_set = json_object_object_get_ex(obj, key, NULL);
    return qemu_monitor_json_read_ull(obj, key, false, "query-migrate", ret);
}

static int
parse_migration_ram(QvirtJson *ram, QemuMonitorMigrationStats *st)
{
    double mbps = 0;

    if (!ram)
        return 0;
    if (read_opt_ull(ram, "transferred", &st->ram_transferred, NULL) < 0 ||
        read_opt_ull(ram, "remaining", &st->ram_remaining, NULL) < 0 ||
        read_opt_ull(ram, "total", &st->ram_total, NULL) < 0 ||
        read_opt_ull(ram, "duplicate", &st->ram_duplicate, NULL) < 0 ||
        read_opt_ull(ram, "normal", &st->ram_normal, NULL) < 0 ||
        read_opt_ull(ram, "normal-bytes", &st->ram_normal_bytes, NULL) < 0 ||
        read_opt_ull(ram, "dirty-pages-rate", &st->ram_dirty_rate, NULL) < 0 ||
        read_opt_ull(ram, "page-size", &st->ram_page_size, NULL) < 0 ||
        read_opt_ull(ram, "dirty-sync-count", &st->ram_iteration, NULL) < 0 ||
        read_opt_ull(ram, "postcopy-requests", &st->ram_postcopy_requests, NULL) < 0)
        return -1;
    if (qvirt_json_get_double(ram, "mbps", &mbps) == -2)
        return -1;
    st->ram_mbps = mbps;
    return 0;
}

int
qemu_monitor_json_query_migrate(QemuMonitor *mon, QemuMonitorMigrationStats *ret_stats)
{
    g_autoptr(QvirtJson) reply = NULL;
    g_autofree char *status = NULL;
    QemuMonitorMigrationStats st = {0};
    QvirtJson *data;
    QvirtJson *ram = NULL;
    QvirtJson *disk = NULL;
    int rc;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-migrate", NULL),
                              json_type_object, &reply, &data) < 0)
        return -1;

    /* Before any migration QEMU returns {}: status "none". */
    if (qemu_monitor_json_read_string(data, "status", false, "query-migrate", &status) < 0)
        return -1;
    if (status) {
        rc = qemu_monitor_migration_status_from_string(status);
        if (rc < 0) {
            qvirt_report_internal(_("unknown migration status '%s' reported by domain '%s'"),
                                  status, qemu_monitor_get_domain_name(mon));
            return -1;
        }
        st.status = rc;
    }

    if (qvirt_json_get_object(data, "ram", &ram) == -2 ||
        qvirt_json_get_object(data, "disk", &disk) == -2 ||
        read_opt_ull(data, "total-time", &st.total_time, NULL) < 0 ||
        read_opt_ull(data, "setup-time", &st.setup_time, &st.setup_time_set) < 0 ||
        read_opt_ull(data, "downtime", &st.downtime, &st.downtime_set) < 0 ||
        read_opt_ull(data, "expected-downtime", &st.expected_downtime, &st.expected_downtime_set) <
            0 ||
        qemu_monitor_json_read_int(data, "cpu-throttle-percentage", false, "query-migrate",
                                   &st.cpu_throttle_percentage) < 0 ||
        parse_migration_ram(ram, &st) < 0 ||
        read_opt_ull(disk, "transferred", &st.disk_transferred, NULL) < 0 ||
        read_opt_ull(disk, "remaining", &st.disk_remaining, NULL) < 0 ||
        read_opt_ull(disk, "total", &st.disk_total, NULL) < 0 ||
        qemu_monitor_json_read_string(data, "error-desc", false, "query-migrate", &st.error_desc) <
            0) {
        qemu_monitor_migration_stats_clear(&st);
        return -1;
    }

    /* An active migration always reports its RAM progress. */
    if (st.status == QEMU_MONITOR_MIGRATION_STATUS_ACTIVE && !ram) {
        qemu_monitor_migration_stats_clear(&st);
        qvirt_report_internal(_("QEMU command '%s' returned no '%s'"), "query-migrate", "ram");
        return -1;
    }
    *ret_stats = st;
    return 0;
}

int
qemu_monitor_json_migrate(QemuMonitor *mon, const char *uri, bool resume)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("migrate", "b:detach", 1, "s:uri", uri, "B:resume",
                                            (int)resume, NULL));
}

int
qemu_monitor_json_migrate_cancel(QemuMonitor *mon)
{
    return qemu_monitor_json_run_simple(mon,
                                        qemu_monitor_json_make_command("migrate_cancel", NULL));
}

int
qemu_monitor_json_migrate_continue(QemuMonitor *mon, QemuMonitorMigrationStatus status)
{
    const char *state = qemu_monitor_migration_status_to_string(status);

    if (!state) {
        qvirt_report_internal(_("invalid migration status %d"), (int)status);
        return -1;
    }
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("migrate-continue", "s:state", state, NULL));
}

int
qemu_monitor_json_migrate_incoming(QemuMonitor *mon, const char *uri)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("migrate-incoming", "s:uri", uri, NULL));
}

int
qemu_monitor_json_migrate_start_postcopy(QemuMonitor *mon)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("migrate-start-postcopy", NULL));
}

int
qemu_monitor_json_migrate_recover(QemuMonitor *mon, const char *uri)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("migrate-recover", "s:uri", uri, NULL));
}

int
qemu_monitor_json_migrate_pause(QemuMonitor *mon)
{
    return qemu_monitor_json_run_simple(mon, qemu_monitor_json_make_command("migrate-pause", NULL));
}

int
qemu_monitor_json_migrate_set_capabilities(QemuMonitor *mon, const char *const *names,
                                           const bool *states, size_t n)
{
    g_autoptr(QvirtJson) caps = json_object_new_array();

    for (size_t i = 0; i < n; i++) {
        QvirtJson *cap = json_object_new_object();

        json_object_object_add(cap, "capability", json_object_new_string(names[i]));
        json_object_object_add(cap, "state", json_object_new_boolean(states[i]));
        json_object_array_add(caps, cap);
    }
    return qemu_monitor_json_run_simple(
        mon,
        qemu_monitor_json_make_command("migrate-set-capabilities", "a:capabilities", caps, NULL));
}

int
qemu_monitor_json_query_migrate_capabilities(QemuMonitor *mon, GHashTable **ret_caps)
{
    static const char *cmdname = "query-migrate-capabilities";
    g_autoptr(QvirtJson) reply = NULL;
    g_autoptr(GHashTable) caps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    QvirtJson *data;
    size_t n;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command(cmdname, NULL), json_type_array,
                              &reply, &data) < 0)
        return -1;
    n = json_object_array_length(data);
    for (size_t i = 0; i < n; i++) {
        QvirtJson *item = qemu_monitor_json_array_object(data, i, cmdname);
        char *name;
        bool state;

        if (!item || qemu_monitor_json_read_bool(item, "state", true, cmdname, &state) < 0 ||
            qemu_monitor_json_read_string(item, "capability", true, cmdname, &name) < 0)
            return -1;
        g_hash_table_replace(caps, name, GINT_TO_POINTER(state));
    }
    *ret_caps = g_steal_pointer(&caps);
    return 0;
}

int
qemu_monitor_json_migrate_set_parameters(QemuMonitor *mon, QvirtJson *params)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_props_command("migrate-set-parameters", params, NULL));
}

int
qemu_monitor_json_query_migrate_parameters(QemuMonitor *mon, QvirtJson **ret_params)
{
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *data;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-migrate-parameters", NULL),
                              json_type_object, &reply, &data) < 0)
        return -1;
    *ret_params = json_object_get(data);
    return 0;
}

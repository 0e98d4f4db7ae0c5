/* qemu_monitor_json_block.c: the QMP wrappers for NBD, block devices and
 * block jobs. The contract is in qemu_monitor_json.h. */
#include <config.h>

#include <string.h>

#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_monitor_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

/* ---- NBD ---- */

int
qemu_monitor_json_nbd_server_start(QemuMonitor *mon, const char *host, unsigned int port,
                                   const char *path, const char *tls_creds, const char *tls_authz)
{
    g_autoptr(QvirtJson) addr = json_object_new_object();
    g_autoptr(QvirtJson) data = json_object_new_object();

    if (path) {
        json_object_object_add(addr, "type", json_object_new_string("unix"));
        json_object_object_add(data, "path", json_object_new_string(path));
    } else {
        g_autofree char *portstr = g_strdup_printf("%u", port);

        if (!host || port == 0 || port > 65535) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid NBD server address '%s:%u'"),
                               host ? host : "", port);
            return -1;
        }
        json_object_object_add(addr, "type", json_object_new_string("inet"));
        json_object_object_add(data, "host", json_object_new_string(host));
        json_object_object_add(data, "port", json_object_new_string(portstr));
    }
    /* nbd-server-start takes the legacy form of SocketAddress. */
    json_object_object_add(addr, "data", g_steal_pointer(&data));
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("nbd-server-start", "a:addr", addr, "S:tls-creds",
                                            tls_creds, "S:tls-authz", tls_authz, NULL));
}

int
qemu_monitor_json_nbd_server_stop(QemuMonitor *mon)
{
    return qemu_monitor_json_run_simple(mon,
                                        qemu_monitor_json_make_command("nbd-server-stop", NULL));
}

int
qemu_monitor_json_block_export_add_nbd(QemuMonitor *mon, const char *id, const char *node_name,
                                       const char *export_name, bool writable, const char *bitmap)
{
    g_autoptr(QvirtJson) bitmaps = NULL;

    if (bitmap) {
        bitmaps = json_object_new_array();
        json_object_array_add(bitmaps, json_object_new_string(bitmap));
    }
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command(
                 "block-export-add", "s:type", "nbd", "s:id", id, "s:node-name", node_name,
                 "S:name", export_name, "b:writable", (int)writable, "A:bitmaps", bitmaps, NULL));
}

int
qemu_monitor_json_block_export_del(QemuMonitor *mon, const char *id, bool hard)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("block-export-del", "s:id", id, "S:mode",
                                            hard ? "hard" : NULL, NULL));
}

/* ---- Block devices ---- */

int
qemu_monitor_json_blockdev_add(QemuMonitor *mon, QvirtJson *props)
{
    static const char *const required[] = {"driver", NULL};

    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_props_command("blockdev-add", props, required));
}

int
qemu_monitor_json_blockdev_del(QemuMonitor *mon, const char *node_name)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("blockdev-del", "s:node-name", node_name, NULL));
}

/* An empty string as NULL (QEMU reports "" for nameless devices). */
static void
empty_to_null(char **str)
{
    if (*str && !**str)
        g_clear_pointer(str, g_free);
}

void
qemu_monitor_block_info_free(QemuMonitorBlockInfo *info)
{
    if (!info)
        return;
    g_free(info->device);
    g_free(info->qdev);
    g_free(info->io_status);
    g_free(info->node_name);
    g_free(info->filename);
    g_free(info->format);
    g_free(info);
}

static gpointer
parse_block(QvirtJson *item, const char *cmdname)
{
    g_autoptr(QemuMonitorBlockInfo) info = g_new0(QemuMonitorBlockInfo, 1);
    QvirtJson *inserted = NULL;
    int rc;

    if (qemu_monitor_json_read_string(item, "device", true, cmdname, &info->device) < 0 ||
        qemu_monitor_json_read_string(item, "qdev", false, cmdname, &info->qdev) < 0 ||
        qemu_monitor_json_read_bool(item, "removable", true, cmdname, &info->removable) < 0 ||
        qemu_monitor_json_read_bool(item, "locked", true, cmdname, &info->locked) < 0 ||
        qemu_monitor_json_read_bool(item, "tray_open", false, cmdname, &info->tray_open) < 0 ||
        qemu_monitor_json_read_string(item, "io-status", false, cmdname, &info->io_status) < 0)
        return NULL;
    empty_to_null(&info->device);
    rc = qvirt_json_get_object(item, "inserted", &inserted);
    if (rc == -2)
        return NULL;
    if (rc == 0) {
        info->inserted = true;
        if (qemu_monitor_json_read_string(inserted, "node-name", false, cmdname, &info->node_name) <
                0 ||
            qemu_monitor_json_read_string(inserted, "file", true, cmdname, &info->filename) < 0 ||
            qemu_monitor_json_read_string(inserted, "drv", true, cmdname, &info->format) < 0 ||
            qemu_monitor_json_read_bool(inserted, "ro", true, cmdname, &info->read_only) < 0)
            return NULL;
    }
    return g_steal_pointer(&info);
}

int
qemu_monitor_json_query_block(QemuMonitor *mon, GPtrArray **ret_blocks)
{
    return qemu_monitor_json_query_list(mon, qemu_monitor_json_make_command("query-block", NULL),
                                        "query-block", parse_block,
                                        (GDestroyNotify)qemu_monitor_block_info_free, ret_blocks);
}

void
qemu_monitor_block_node_free(QemuMonitorBlockNode *node)
{
    if (!node)
        return;
    g_free(node->node_name);
    g_free(node->driver);
    g_free(node->filename);
    g_free(node->backing_file);
    g_free(node);
}

static gpointer
parse_block_node(QvirtJson *item, const char *cmdname)
{
    g_autoptr(QemuMonitorBlockNode) node = g_new0(QemuMonitorBlockNode, 1);
    QvirtJson *image = NULL;

    if (qemu_monitor_json_read_string(item, "node-name", true, cmdname, &node->node_name) < 0 ||
        qemu_monitor_json_read_string(item, "drv", true, cmdname, &node->driver) < 0 ||
        qemu_monitor_json_read_string(item, "file", true, cmdname, &node->filename) < 0 ||
        qemu_monitor_json_read_string(item, "backing_file", false, cmdname, &node->backing_file) <
            0 ||
        qemu_monitor_json_read_bool(item, "ro", true, cmdname, &node->read_only) < 0)
        return NULL;
    if (qvirt_json_get_object(item, "image", &image) == -2)
        return NULL;
    if (image &&
        (qemu_monitor_json_read_ull(image, "virtual-size", true, cmdname, &node->virtual_size) <
             0 ||
         qemu_monitor_json_read_ull(image, "actual-size", false, cmdname, &node->actual_size) < 0))
        return NULL;
    return g_steal_pointer(&node);
}

int
qemu_monitor_json_query_named_block_nodes(QemuMonitor *mon, GPtrArray **ret_nodes)
{
    return qemu_monitor_json_query_list(
        mon, qemu_monitor_json_make_command("query-named-block-nodes", "b:flat", 1, NULL),
        "query-named-block-nodes", parse_block_node, (GDestroyNotify)qemu_monitor_block_node_free,
        ret_nodes);
}

/* ---- Block jobs ---- */

/* Add the common job options to the arguments of CMD. */
static QvirtJson *
add_job_options(QvirtJson *cmd, const QemuMonitorJobOptions *opts)
{
    QvirtJson *args;

    if (!cmd || !opts)
        return cmd;
    if (!json_object_object_get_ex(cmd, "arguments", &args)) {
        args = json_object_new_object();
        json_object_object_add(cmd, "arguments", args);
    }
    if (opts->job_id)
        json_object_object_add(args, "job-id", json_object_new_string(opts->job_id));
    if (opts->speed)
        json_object_object_add(args, "speed", json_object_new_uint64(opts->speed));
    if (opts->manual_finalize)
        json_object_object_add(args, "auto-finalize", json_object_new_boolean(0));
    if (opts->manual_dismiss)
        json_object_object_add(args, "auto-dismiss", json_object_new_boolean(0));
    return cmd;
}

int
qemu_monitor_json_blockdev_mirror(QemuMonitor *mon, const QemuMonitorJobOptions *opts,
                                  const char *device, const char *target, const char *sync,
                                  unsigned int granularity, unsigned long long buf_size,
                                  bool write_blocking)
{
    QvirtJson *cmd = qemu_monitor_json_make_command(
        "blockdev-mirror", "s:device", device, "s:target", target, "s:sync", sync, "U:granularity",
        (unsigned long long)granularity, "U:buf-size", buf_size, "S:copy-mode",
        write_blocking ? "write-blocking" : NULL, NULL);

    return qemu_monitor_json_run_simple(mon, add_job_options(cmd, opts));
}

int
qemu_monitor_json_block_stream(QemuMonitor *mon, const QemuMonitorJobOptions *opts,
                               const char *device, const char *base_node, const char *backing_file)
{
    QvirtJson *cmd =
        qemu_monitor_json_make_command("block-stream", "s:device", device, "S:base-node", base_node,
                                       "S:backing-file", backing_file, NULL);

    return qemu_monitor_json_run_simple(mon, add_job_options(cmd, opts));
}

int
qemu_monitor_json_block_commit(QemuMonitor *mon, const QemuMonitorJobOptions *opts,
                               const char *device, const char *top_node, const char *base_node,
                               const char *backing_file)
{
    QvirtJson *cmd = qemu_monitor_json_make_command(
        "block-commit", "s:device", device, "S:top-node", top_node, "S:base-node", base_node,
        "S:backing-file", backing_file, NULL);

    return qemu_monitor_json_run_simple(mon, add_job_options(cmd, opts));
}

int
qemu_monitor_json_block_job_cancel(QemuMonitor *mon, const char *device, bool force)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("block-job-cancel", "s:device", device, "B:force",
                                            (int)force, NULL));
}

int
qemu_monitor_json_block_job_complete(QemuMonitor *mon, const char *device)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("block-job-complete", "s:device", device, NULL));
}

int
qemu_monitor_json_block_job_set_speed(QemuMonitor *mon, const char *device,
                                      unsigned long long speed)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("block-job-set-speed", "s:device", device, "u:speed",
                                            speed, NULL));
}

void
qemu_monitor_block_job_info_free(QemuMonitorBlockJobInfo *info)
{
    if (!info)
        return;
    g_free(info->device);
    g_free(info->type);
    g_free(info->status);
    g_free(info->io_status);
    g_free(info->error);
    g_free(info);
}

static gpointer
parse_block_job(QvirtJson *item, const char *cmdname)
{
    g_autoptr(QemuMonitorBlockJobInfo) info = g_new0(QemuMonitorBlockJobInfo, 1);

    if (qemu_monitor_json_read_string(item, "device", true, cmdname, &info->device) < 0 ||
        qemu_monitor_json_read_string(item, "type", true, cmdname, &info->type) < 0 ||
        qemu_monitor_json_read_string(item, "status", false, cmdname, &info->status) < 0 ||
        qemu_monitor_json_read_ull(item, "len", true, cmdname, &info->len) < 0 ||
        qemu_monitor_json_read_ull(item, "offset", true, cmdname, &info->offset) < 0 ||
        qemu_monitor_json_read_ull(item, "speed", false, cmdname, &info->speed) < 0 ||
        qemu_monitor_json_read_bool(item, "busy", false, cmdname, &info->busy) < 0 ||
        qemu_monitor_json_read_bool(item, "paused", false, cmdname, &info->paused) < 0 ||
        qemu_monitor_json_read_bool(item, "ready", false, cmdname, &info->ready) < 0 ||
        qemu_monitor_json_read_bool(item, "auto-finalize", false, cmdname, &info->auto_finalize) <
            0 ||
        qemu_monitor_json_read_bool(item, "auto-dismiss", false, cmdname, &info->auto_dismiss) <
            0 ||
        qemu_monitor_json_read_string(item, "io-status", false, cmdname, &info->io_status) < 0 ||
        qemu_monitor_json_read_string(item, "error", false, cmdname, &info->error) < 0)
        return NULL;
    return g_steal_pointer(&info);
}

int
qemu_monitor_json_query_block_jobs(QemuMonitor *mon, GPtrArray **ret_jobs)
{
    return qemu_monitor_json_query_list(
        mon, qemu_monitor_json_make_command("query-block-jobs", NULL), "query-block-jobs",
        parse_block_job, (GDestroyNotify)qemu_monitor_block_job_info_free, ret_jobs);
}

void
qemu_monitor_job_info_free(QemuMonitorJobInfo *info)
{
    if (!info)
        return;
    g_free(info->id);
    g_free(info->type);
    g_free(info->status);
    g_free(info->error);
    g_free(info);
}

static gpointer
parse_job(QvirtJson *item, const char *cmdname)
{
    g_autoptr(QemuMonitorJobInfo) info = g_new0(QemuMonitorJobInfo, 1);

    if (qemu_monitor_json_read_string(item, "id", true, cmdname, &info->id) < 0 ||
        qemu_monitor_json_read_string(item, "type", true, cmdname, &info->type) < 0 ||
        qemu_monitor_json_read_string(item, "status", true, cmdname, &info->status) < 0 ||
        qemu_monitor_json_read_ull(item, "current-progress", true, cmdname,
                                   &info->current_progress) < 0 ||
        qemu_monitor_json_read_ull(item, "total-progress", true, cmdname, &info->total_progress) <
            0 ||
        qemu_monitor_json_read_string(item, "error", false, cmdname, &info->error) < 0)
        return NULL;
    return g_steal_pointer(&info);
}

int
qemu_monitor_json_query_jobs(QemuMonitor *mon, GPtrArray **ret_jobs)
{
    return qemu_monitor_json_query_list(mon, qemu_monitor_json_make_command("query-jobs", NULL),
                                        "query-jobs", parse_job,
                                        (GDestroyNotify)qemu_monitor_job_info_free, ret_jobs);
}

int
qemu_monitor_json_job_dismiss(QemuMonitor *mon, const char *id)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("job-dismiss", "s:id", id, NULL));
}

int
qemu_monitor_json_job_finalize(QemuMonitor *mon, const char *id)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("job-finalize", "s:id", id, NULL));
}

int
qemu_monitor_json_job_complete(QemuMonitor *mon, const char *id)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("job-complete", "s:id", id, NULL));
}

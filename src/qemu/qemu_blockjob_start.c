/* qemu_blockjob_start.c: starting block jobs: pull (block-stream), commit
 * (block-commit, active or not) and copy (blockdev-mirror to a new or
 * reused image added with blockdev-add). Images named by path are mapped
 * to QEMU's nodes with query-block and query-named-block-nodes. The
 * contract is in qemu_blockjob.h. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "qemu/qemu_blockjob_priv.h"
#include "qemu/qemu_domain.h"
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"
#include "util/process.h"
#include "util/xml.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.blockjob.start");

/* How long qemu-img may take to create a copy's destination. */
#define BLOCKJOB_QEMU_IMG_TIMEOUT_MS (60 * 1000)

typedef struct {
    int type; /* DomainBlockJobType */
    unsigned int flags;
    unsigned long long bandwidth; /* bytes/s */
    const char *base;             /* pull, commit: path or NULL */
    const char *top;              /* commit: path or NULL */
    const char *dest;             /* copy */
    const char *dest_format;      /* copy: "qcow2" or "raw" */
    gboolean shallow;
    gboolean reuse;
    gboolean sync_writes;
    unsigned int granularity;
    unsigned long long buf_size;
} StartArgs;

/* What QEMU says about a disk: its active node and the image chain. */
typedef struct {
    char *top_node;
    GPtrArray *nodes; /* QemuMonitorBlockNode * */
    GPtrArray *chain; /* paths, active image first */
} DiskNodes;

static void
disk_nodes_clear(DiskNodes *dn)
{
    g_free(dn->top_node);
    if (dn->nodes)
        g_ptr_array_unref(dn->nodes);
    if (dn->chain)
        g_ptr_array_unref(dn->chain);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(DiskNodes, disk_nodes_clear)

static gboolean
node_is_format(const QemuMonitorBlockNode *node)
{
    return g_strcmp0(node->driver, "qcow2") == 0 || g_strcmp0(node->driver, "raw") == 0;
}

static const QemuMonitorBlockNode *
node_by_name(GPtrArray *nodes, const char *name)
{
    for (guint i = 0; name && i < nodes->len; i++) {
        const QemuMonitorBlockNode *node = g_ptr_array_index(nodes, i);

        if (g_strcmp0(node->node_name, name) == 0)
            return node;
    }
    return NULL;
}

static const QemuMonitorBlockNode *
node_by_path(GPtrArray *nodes, const char *path)
{
    for (guint i = 0; path && i < nodes->len; i++) {
        const QemuMonitorBlockNode *node = g_ptr_array_index(nodes, i);

        if (node_is_format(node) && g_strcmp0(node->filename, path) == 0)
            return node;
    }
    return NULL;
}

static gboolean
qdev_is(const char *qdev, const char *alias)
{
    g_autofree char *prefix = NULL;

    if (!qdev || !alias)
        return FALSE;
    if (g_str_equal(qdev, alias))
        return TRUE;
    prefix = g_strdup_printf("/machine/peripheral/%s/", alias);
    return g_str_has_prefix(qdev, prefix);
}

/* In the monitor: the nodes of DISK. */
static int
disk_nodes_read(QemuMonitor *mon, DomainObj *vm, const DomainDiskDef *disk, DiskNodes *dn)
{
    g_autoptr(GPtrArray) blocks = NULL;
    const QemuMonitorBlockNode *node;

    if (qemu_monitor_json_query_block(mon, &blocks) < 0 ||
        qemu_monitor_json_query_named_block_nodes(mon, &dn->nodes) < 0)
        return -1;
    for (guint i = 0; i < blocks->len; i++) {
        const QemuMonitorBlockInfo *info = g_ptr_array_index(blocks, i);

        if (info->inserted && qdev_is(info->qdev, disk->info.alias)) {
            dn->top_node = g_strdup(info->node_name);
            break;
        }
    }
    if (!dn->top_node && (node = node_by_path(dn->nodes, disk->src->path)))
        dn->top_node = g_strdup(node->node_name);
    /* A job's filter (mirror_top, commit_top) is above the image while
     * the job runs: the chain starts at the disk's image. */
    if (dn->top_node && (node = node_by_name(dn->nodes, dn->top_node)) && !node_is_format(node) &&
        (node = node_by_path(dn->nodes, disk->src->path))) {
        g_free(dn->top_node);
        dn->top_node = g_strdup(node->node_name);
    }
    if (!dn->top_node || !(node = node_by_name(dn->nodes, dn->top_node))) {
        qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR,
                           _("no QEMU block node found for disk '%s' of domain '%s'"), disk->dst,
                           domain_obj_get_name(vm));
        return -1;
    }
    dn->chain = g_ptr_array_new_with_free_func(g_free);
    while (node && dn->chain->len < 256) {
        g_ptr_array_add(dn->chain, g_strdup(node->filename));
        node = node_by_path(dn->nodes, node->backing_file);
    }
    return 0;
}

static int
chain_index(GPtrArray *chain, const char *path)
{
    for (guint i = 0; path && i < chain->len; i++) {
        if (g_str_equal(g_ptr_array_index(chain, i), path))
            return (int)i;
    }
    return -1;
}

static int
report_not_in_chain(DomainObj *vm, const char *disk, const char *path)
{
    qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                       _("image '%s' is not in the backing chain of disk '%s' of domain '%s'"),
                       path, disk, domain_obj_get_name(vm));
    return -1;
}

/* The plan of a job from the chain: fills JOB's record and data. Returns
 * the base and top indexes in the chain (-1: none). */
static int
plan_job(DomainObj *vm, const char *target, const StartArgs *a, DiskNodes *dn, int *ret_base,
         int *ret_top)
{
    int base = -1;
    int top = 0;

    if (a->type == DOMAIN_BLOCKJOB_TYPE_COPY) {
        *ret_base = dn->chain->len > 1 ? 1 : -1;
        *ret_top = 0;
        return 0;
    }
    if (a->base && ((base = chain_index(dn->chain, a->base)) <= 0))
        return report_not_in_chain(vm, target, a->base);
    if (a->type == DOMAIN_BLOCKJOB_TYPE_PULL) {
        *ret_base = base;
        *ret_top = 0;
        return 0;
    }
    /* Commit. */
    if (a->top && (top = chain_index(dn->chain, a->top)) < 0)
        return report_not_in_chain(vm, target, a->top);
    if (dn->chain->len < 2) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("disk '%s' of domain '%s' has no backing image to commit into"),
                           target, domain_obj_get_name(vm));
        return -1;
    }
    if (base < 0)
        base = (a->flags & QV_DOMAIN_BLOCK_COMMIT_SHALLOW) ? top + 1 : (int)dn->chain->len - 1;
    if (base <= top || base >= (int)dn->chain->len) {
        qvirt_report_error(
            QVIRT_ERR_INVALID_ARG, _("base '%s' is not below top '%s' in the chain of disk '%s'"),
            a->base ? a->base : "", (const char *)g_ptr_array_index(dn->chain, top), target);
        return -1;
    }
    if (top == 0 && !(a->flags & QV_DOMAIN_BLOCK_COMMIT_ACTIVE)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("commit of the active image of disk '%s' needs the active flag"),
                           target);
        return -1;
    }
    *ret_base = base;
    *ret_top = top;
    return 0;
}

/* The nodes qvirt added for the images at chain indexes FROM..TO-1 (a
 * format node "qvirt-...-format" over its "qvirt-...-storage"), top
 * first: once the job completed these images left the chain, and their
 * nodes would stay in QEMU, the top one still a parent of the new root.
 * Nodes QEMU opened itself ("#...") go with their last parent. */
static GPtrArray *
plan_drop_nodes(const DiskNodes *dn, int from, int to)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

    for (int i = MAX(from, 0); i < to && i < (int)dn->chain->len; i++) {
        const QemuMonitorBlockNode *node =
            i == 0 ? node_by_name(dn->nodes, dn->top_node)
                   : node_by_path(dn->nodes, g_ptr_array_index(dn->chain, i));
        const char *name = node ? node->node_name : NULL;

        if (!name || !g_str_has_prefix(name, "qvirt-") || !g_str_has_suffix(name, "-format"))
            continue;
        g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_add(
            names, g_strdup_printf("%.*s-storage", (int)(strlen(name) - strlen("-format")), name));
    }
    return names;
}

void
qemu_blockjob_plan_restored(QemuMonitor *mon, DomainObj *vm, QemuBlockJob *job)
{
    DomainDiskDef *disk = domain_def_find_disk(vm->def, job->rec->disk);
    g_auto(DiskNodes) dn = {0};
    int base;
    int top;

    job->plan_pending = FALSE;
    if (!disk || !disk->src || !disk->src->path)
        return;
    if (disk_nodes_read(mon, vm, disk, &dn) < 0) {
        QVIRT_WARN("block job %s: nodes of the images it drops not known: %s", job->rec->job_id,
                   qvirt_error_last_message());
        qvirt_error_reset();
        return;
    }
    base = job->rec->base ? chain_index(dn.chain, job->rec->base) : -1;
    top = job->rec->top ? chain_index(dn.chain, job->rec->top) : 0;
    switch ((DomainBlockJobType)job->rec->type) {
    case DOMAIN_BLOCKJOB_TYPE_PULL:
        job->drop_nodes = plan_drop_nodes(&dn, 1, base >= 0 ? base : (int)dn.chain->len);
        break;
    case DOMAIN_BLOCKJOB_TYPE_COMMIT:
    case DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT:
        if (base > 0 && top >= 0)
            job->drop_nodes = plan_drop_nodes(&dn, top, base);
        break;
    case DOMAIN_BLOCKJOB_TYPE_COPY:
        job->drop_nodes = plan_drop_nodes(
            &dn, 0, (job->rec->flags & QV_DOMAIN_BLOCK_COPY_SHALLOW) ? 1 : (int)dn.chain->len);
        /* The destination's nodes, for an abort to remove. */
        for (guint i = 0; !job->mirror_format && i < dn.nodes->len; i++) {
            const QemuMonitorBlockNode *node = g_ptr_array_index(dn.nodes, i);
            const char *name = node->node_name;

            if (node_is_format(node) && g_strcmp0(node->filename, job->rec->mirror_path) == 0 &&
                name && g_str_has_prefix(name, "qvirt-m") && g_str_has_suffix(name, "-format")) {
                job->mirror_format = g_strdup(name);
                job->mirror_storage =
                    g_strdup_printf("%.*s-storage", (int)(strlen(name) - strlen("-format")), name);
            }
        }
        break;
    case DOMAIN_BLOCKJOB_TYPE_LAST:
        break;
    }
}

/* Create the copy's destination with qemu-img (VM unlocked by the caller). */
static int
create_image(const char *path, const char *format, unsigned long long size, const char *backing,
             const char *backing_format)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("qemu-img");
    g_autofree char *size_str = g_strdup_printf("%llu", size);

    qvirt_command_add_args(cmd, "create", "-q", "-f", format, NULL);
    if (backing)
        qvirt_command_add_args(cmd, "-b", backing, "-F", backing_format, NULL);
    qvirt_command_add_args(cmd, path, size_str, NULL);
    return qvirt_process_run_sync(cmd, BLOCKJOB_QEMU_IMG_TIMEOUT_MS, NULL, NULL, NULL);
}

/* In the monitor: add the destination nodes of a copy. */
static int
add_mirror_nodes(QemuMonitor *mon, const StartArgs *a, const QemuBlockJob *job,
                 const char *backing_node)
{
    QvirtJson *storage = json_object_new_object();
    QvirtJson *format = json_object_new_object();
    int rc;

    json_object_object_add(storage, "driver", json_object_new_string("file"));
    json_object_object_add(storage, "filename", json_object_new_string(a->dest));
    json_object_object_add(storage, "node-name", json_object_new_string(job->mirror_storage));
    rc = qemu_monitor_json_blockdev_add(mon, storage);
    json_object_put(storage);
    if (rc < 0) {
        json_object_put(format);
        return -1;
    }
    json_object_object_add(format, "driver", json_object_new_string(a->dest_format));
    json_object_object_add(format, "node-name", json_object_new_string(job->mirror_format));
    json_object_object_add(format, "file", json_object_new_string(job->mirror_storage));
    if (g_str_equal(a->dest_format, "qcow2")) {
        if (a->shallow && backing_node)
            json_object_object_add(format, "backing", json_object_new_string(backing_node));
        else if (!a->shallow)
            json_object_object_add(format, "backing", NULL);
    }
    rc = qemu_monitor_json_blockdev_add(mon, format);
    json_object_put(format);
    if (rc < 0) {
        if (qemu_monitor_json_blockdev_del(mon, job->mirror_storage) < 0)
            qvirt_error_reset();
        return -1;
    }
    return 0;
}

/* In the monitor: start JOB in QEMU. */
static int
start_in_qemu(QemuMonitor *mon, const StartArgs *a, QemuBlockJob *job, DiskNodes *dn, int base,
              int top)
{
    QemuMonitorJobOptions opts = {
        .job_id = job->rec->job_id,
        .speed = a->bandwidth,
        .manual_finalize = true,
        .manual_dismiss = true,
    };
    const QemuMonitorBlockNode *base_node =
        base >= 0 ? node_by_path(dn->nodes, g_ptr_array_index(dn->chain, base)) : NULL;
    const QemuMonitorBlockNode *top_node =
        top > 0 ? node_by_path(dn->nodes, g_ptr_array_index(dn->chain, top)) : NULL;
    int rc;

    switch ((DomainBlockJobType)a->type) {
    case DOMAIN_BLOCKJOB_TYPE_PULL:
        return qemu_monitor_json_block_stream(mon, &opts, dn->top_node,
                                              base_node ? base_node->node_name : NULL, NULL);
    case DOMAIN_BLOCKJOB_TYPE_COMMIT:
    case DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT:
        return qemu_monitor_json_block_commit(mon, &opts, dn->top_node,
                                              top_node ? top_node->node_name : NULL,
                                              base_node ? base_node->node_name : NULL, NULL);
    case DOMAIN_BLOCKJOB_TYPE_COPY:
        if (add_mirror_nodes(mon, a, job, base_node ? base_node->node_name : NULL) < 0)
            return -1;
        rc = qemu_monitor_json_blockdev_mirror(mon, &opts, dn->top_node, job->mirror_format,
                                               a->shallow ? "top" : "full", a->granularity,
                                               a->buf_size, a->sync_writes);
        if (rc < 0) {
            QvirtError *saved = qvirt_error_save();

            /* Keep the mirror's error, not the clean-up's. */
            if (qemu_monitor_json_blockdev_del(mon, job->mirror_format) == 0)
                (void)qemu_monitor_json_blockdev_del(mon, job->mirror_storage);
            qvirt_error_restore(saved);
        }
        return rc;
    case DOMAIN_BLOCKJOB_TYPE_LAST:
        break;
    }
    return -1;
}

/* Re-lock check after the domain was unlocked: still the same run, and
 * the disk. NULL with an error otherwise. */
static DomainDiskDef *
recheck(DomainObj *vm, guint run, const char *target)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    if (priv->run != run || !domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("domain '%s' stopped while starting a block job"),
                           domain_obj_get_name(vm));
        return NULL;
    }
    return qemu_blockjob_find_disk(vm, target);
}

static int
blockjob_start(QemuDriver *driver, DomainObj *vm, const char *name, const StartArgs *a)
{
    QemuDomainPrivate *priv;
    g_auto(DiskNodes) dn = {0};
    DomainDiskDef *disk;
    QemuBlockJob *job;
    QemuMonitor *mon;
    g_autofree char *target = NULL;
    const QemuMonitorBlockNode *topn;
    int base = -1;
    int top = 0;
    guint run;
    guint serial;
    int type;
    int rc;

    if (qemu_blockjob_begin(vm, name, &disk) < 0)
        return -1;
    priv = qemu_domain_private(vm);
    run = priv->run;
    target = g_strdup(disk->dst);
    if (disk->device != DOMAIN_DISK_DEVICE_DISK || !disk->src->path) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("disk '%s' of domain '%s' cannot run block jobs"), target,
                           domain_obj_get_name(vm));
        goto endjob;
    }
    if (qemu_blockjob_find(priv->block_jobs, target)) {
        qvirt_report_error(QVIRT_ERR_BLOCK_COPY_ACTIVE,
                           _("disk '%s' of domain '%s' already has an active block job"), target,
                           domain_obj_get_name(vm));
        goto endjob;
    }
    if (!(mon = qemu_domain_obj_enter_monitor(vm)))
        goto endjob;
    rc = disk_nodes_read(mon, vm, disk, &dn);
    qemu_domain_obj_exit_monitor(vm);
    if (rc < 0 || !(disk = recheck(vm, run, target)))
        goto endjob;
    if (plan_job(vm, target, a, &dn, &base, &top) < 0)
        goto endjob;

    if (a->type == DOMAIN_BLOCKJOB_TYPE_COPY) {
        gboolean exists = g_file_test(a->dest, G_FILE_TEST_EXISTS);

        if (a->reuse && !exists) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("copy destination '%s' does not exist (reuse requested)"),
                               a->dest);
            goto endjob;
        }
        if (!a->reuse && exists) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("copy destination '%s' exists already"), a->dest);
            goto endjob;
        }
        if (!a->reuse) {
            const QemuMonitorBlockNode *backn =
                base >= 0 ? node_by_path(dn.nodes, g_ptr_array_index(dn.chain, base)) : NULL;

            topn = node_by_name(dn.nodes, dn.top_node);
            domain_obj_unlock(vm);
            rc = create_image(a->dest, a->dest_format, topn->virtual_size,
                              a->shallow && backn ? backn->filename : NULL,
                              backn ? backn->driver : NULL);
            domain_obj_lock(vm);
            if (rc < 0 || !(disk = recheck(vm, run, target)))
                goto endjob;
        }
    }

    /* Active or not is the chain's answer, not the caller's. */
    type = a->type;
    if (type == DOMAIN_BLOCKJOB_TYPE_COMMIT || type == DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT)
        type = top == 0 ? DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT : DOMAIN_BLOCKJOB_TYPE_COMMIT;
    if (!(job = qemu_blockjob_add(driver, vm, target, type, a->flags, a->bandwidth)))
        goto endjob;
    serial = job->serial;
    if (base >= 0 && a->type != DOMAIN_BLOCKJOB_TYPE_COPY) {
        const QemuMonitorBlockNode *bn = node_by_path(dn.nodes, g_ptr_array_index(dn.chain, base));

        job->rec->base = g_strdup(g_ptr_array_index(dn.chain, base));
        job->base_format = g_strdup(bn ? bn->driver : NULL);
    }
    if (type == DOMAIN_BLOCKJOB_TYPE_COMMIT || type == DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT) {
        job->rec->top = g_strdup(g_ptr_array_index(dn.chain, top));
        job->chain_drop = g_ptr_array_new_with_free_func(g_free);
        for (int i = top; i < base; i++)
            g_ptr_array_add(job->chain_drop, g_strdup(g_ptr_array_index(dn.chain, i)));
    }
    switch ((DomainBlockJobType)type) {
    case DOMAIN_BLOCKJOB_TYPE_PULL:
        job->drop_nodes = plan_drop_nodes(&dn, 1, base >= 0 ? base : (int)dn.chain->len);
        break;
    case DOMAIN_BLOCKJOB_TYPE_COMMIT:
    case DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT:
        job->drop_nodes = plan_drop_nodes(&dn, top, base);
        break;
    case DOMAIN_BLOCKJOB_TYPE_COPY:
        job->drop_nodes = plan_drop_nodes(&dn, 0, a->shallow ? 1 : (int)dn.chain->len);
        break;
    case DOMAIN_BLOCKJOB_TYPE_LAST:
        break;
    }
    if (a->type == DOMAIN_BLOCKJOB_TYPE_COPY) {
        /* QEMU allows 31 characters; the time tells runs of the daemon apart. */
        g_autofree char *stem = g_strdup_printf(
            "qvirt-m%08x-%x", (guint32)(g_get_real_time() / G_USEC_PER_SEC), job->serial);

        job->rec->mirror_path = g_strdup(a->dest);
        job->rec->mirror_format = g_strdup(a->dest_format);
        job->mirror_storage = g_strdup_printf("%s-storage", stem);
        job->mirror_format = g_strdup_printf("%s-format", stem);
    }
    /* Persist the record with its paths before QEMU acts. */
    if (qemu_process_save_status(driver, vm) < 0) {
        qemu_blockjob_remove(vm, job);
        goto endjob;
    }

    if (!(mon = qemu_domain_obj_enter_monitor(vm))) {
        if ((job = qemu_blockjob_find(priv->block_jobs, target)) && job->serial == serial)
            qemu_blockjob_remove(vm, job);
        goto endjob;
    }
    rc = start_in_qemu(mon, a, job, &dn, base, top);
    qemu_domain_obj_exit_monitor(vm);
    job = qemu_blockjob_find(priv->block_jobs, target);
    if (job && job->serial != serial)
        job = NULL;
    if (rc < 0) {
        if (job) {
            qemu_blockjob_remove(vm, job);
            if (qemu_process_save_status(driver, vm) < 0) {
                QVIRT_WARN("domain '%s': status not saved: %s", domain_obj_get_name(vm),
                           qvirt_error_last_message());
            }
        }
        goto endjob;
    }
    if (job)
        qemu_blockjob_started(driver, vm, job);
    qemu_blockjob_end(vm);
    return 0;

endjob:
    qemu_blockjob_end(vm);
    return -1;
}

/* ---- entry points ---- */

int
qemu_blockjob_pull(QemuDriver *driver, DomainObj *vm, const char *disk,
                   unsigned long long bandwidth, unsigned int flags)
{
    if (flags & ~QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported flags 0x%x"),
                           flags & ~QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES);
        return -1;
    }
    return qemu_blockjob_rebase(driver, vm, disk, NULL, bandwidth,
                                (flags & QV_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES)
                                    ? QV_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES
                                    : 0);
}

int
qemu_blockjob_rebase(QemuDriver *driver, DomainObj *vm, const char *disk, const char *base,
                     unsigned long long bandwidth, unsigned int flags)
{
    const unsigned int known = QV_DOMAIN_BLOCK_REBASE_SHALLOW | QV_DOMAIN_BLOCK_REBASE_REUSE_EXT |
                               QV_DOMAIN_BLOCK_REBASE_COPY_RAW | QV_DOMAIN_BLOCK_REBASE_COPY |
                               QV_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES;
    StartArgs a = {.type = DOMAIN_BLOCKJOB_TYPE_PULL, .base = base};

    if (flags & ~known) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported flags 0x%x"), flags & ~known);
        return -1;
    }
    if (qemu_blockjob_bandwidth_bytes(bandwidth, flags & QV_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES,
                                      &a.bandwidth) < 0)
        return -1;
    if (flags & QV_DOMAIN_BLOCK_REBASE_COPY) {
        if (!base) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("a block copy needs a destination"));
            return -1;
        }
        a.type = DOMAIN_BLOCKJOB_TYPE_COPY;
        a.base = NULL;
        a.dest = base;
        a.dest_format = (flags & QV_DOMAIN_BLOCK_REBASE_COPY_RAW) ? "raw" : "qcow2";
        a.shallow = (flags & QV_DOMAIN_BLOCK_REBASE_SHALLOW) != 0;
        a.reuse = (flags & QV_DOMAIN_BLOCK_REBASE_REUSE_EXT) != 0;
        a.flags = (a.shallow ? QV_DOMAIN_BLOCK_COPY_SHALLOW : 0) |
                  (a.reuse ? QV_DOMAIN_BLOCK_COPY_REUSE_EXT : 0);
    } else if (flags & ~QV_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("flags 0x%x are only valid with a block copy"),
                           flags);
        return -1;
    }
    if (a.dest && !g_path_is_absolute(a.dest)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("copy destination '%s' is not absolute"),
                           a.dest);
        return -1;
    }
    return blockjob_start(driver, vm, disk, &a);
}

int
qemu_blockjob_commit(QemuDriver *driver, DomainObj *vm, const char *disk, const char *base,
                     const char *top, unsigned long long bandwidth, unsigned int flags)
{
    const unsigned int known = QV_DOMAIN_BLOCK_COMMIT_SHALLOW | QV_DOMAIN_BLOCK_COMMIT_DELETE |
                               QV_DOMAIN_BLOCK_COMMIT_ACTIVE |
                               QV_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES;
    StartArgs a = {.type = DOMAIN_BLOCKJOB_TYPE_COMMIT, .base = base, .top = top, .flags = flags};

    if (flags & ~known) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported flags 0x%x"), flags & ~known);
        return -1;
    }
    if (qemu_blockjob_bandwidth_bytes(bandwidth, flags & QV_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES,
                                      &a.bandwidth) < 0)
        return -1;
    /* Which kind it is depends on TOP; blockjob_start checks it against
     * the chain. Without TOP it is the active image. */
    if (!top || (flags & QV_DOMAIN_BLOCK_COMMIT_ACTIVE))
        a.type = DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT;
    return blockjob_start(driver, vm, disk, &a);
}

int
qemu_blockjob_copy(QemuDriver *driver, DomainObj *vm, const char *disk, const char *destxml,
                   const QvTypedParam *params, int nparams, unsigned int flags)
{
    const unsigned int known = QV_DOMAIN_BLOCK_COPY_SHALLOW | QV_DOMAIN_BLOCK_COPY_REUSE_EXT |
                               QV_DOMAIN_BLOCK_COPY_TRANSIENT_JOB |
                               QV_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES;
    StartArgs a = {.type = DOMAIN_BLOCKJOB_TYPE_COPY, .flags = flags};
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autofree char *path = NULL;
    g_autofree char *format = NULL;

    if (flags & ~known) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("unsupported flags 0x%x"), flags & ~known);
        return -1;
    }
    if (qv_typed_params_get_ullong(params, nparams, QV_DOMAIN_BLOCK_COPY_BANDWIDTH, &a.bandwidth) <
            0 ||
        qv_typed_params_get_uint(params, nparams, QV_DOMAIN_BLOCK_COPY_GRANULARITY,
                                 &a.granularity) < 0 ||
        qv_typed_params_get_ullong(params, nparams, QV_DOMAIN_BLOCK_COPY_BUF_SIZE, &a.buf_size) < 0)
        return -1;
    if (!destxml)
        goto bad_xml;
    if (!(doc = qvirt_xml_parse_string(destxml, _("(block copy destination)"), &ctxt)))
        return -1;
    path = qvirt_xpath_string("string(/disk/source/@file)", ctxt);
    format = qvirt_xpath_string("string(/disk/driver/@type)", ctxt);
    if (!path || !*path || !g_path_is_absolute(path))
        goto bad_xml;
    if (format && *format && !g_str_equal(format, "qcow2") && !g_str_equal(format, "raw")) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("copy destination format '%s' is not supported"), format);
        return -1;
    }
    a.dest = path;
    a.dest_format = format && *format ? format : "qcow2";
    a.shallow = (flags & QV_DOMAIN_BLOCK_COPY_SHALLOW) != 0;
    a.reuse = (flags & QV_DOMAIN_BLOCK_COPY_REUSE_EXT) != 0;
    a.sync_writes = (flags & QV_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES) != 0;
    return blockjob_start(driver, vm, disk, &a);

bad_xml:
    qvirt_report_error(QVIRT_ERR_XML_ERROR,
                       _("block copy destination needs <disk type='file'> with an absolute "
                         "<source file=.../>"));
    return -1;
}

/* qemu_blockjob_disk.c: what a completed block job changes in the live
 * definition: a pull or commit cuts the disk's backing chain, an active
 * commit or a copy that pivoted changes the disk's source; a commit with
 * the delete flag removes the committed images; the QEMU nodes qvirt
 * added for the images that left the chain are removed, so none stays a
 * parent of the disk's new root. The contract is in qemu_blockjob.h. */
#include <config.h>

#include <errno.h>
#include <unistd.h>

#include "qemu/qemu_blockjob_priv.h"
#include "util/error.h"
#include "util/log.h"

QVIRT_LOG_INIT("qemu.blockjob.disk");

/* Make ABOVE's backing the image BASE_PATH of its chain (NULL: no backing
 * at all), freeing the images in between. A chain the definition does not
 * give stays as it is: QEMU reads it from the images. */
static void
chain_cut(DomainStorageSource *above, const char *base_path)
{
    DomainStorageSource *cur;
    gboolean found = FALSE;

    if (!base_path) {
        domain_storage_source_free(above->backing);
        above->backing = NULL;
        above->backing_end = TRUE;
        return;
    }
    for (cur = above->backing; cur; cur = cur->backing) {
        if (g_strcmp0(cur->path, base_path) == 0)
            found = TRUE;
    }
    if (!found)
        return;
    cur = above->backing;
    while (cur && g_strcmp0(cur->path, base_path) != 0) {
        DomainStorageSource *next = cur->backing;

        cur->backing = NULL;
        domain_storage_source_free(cur);
        cur = next;
    }
    above->backing = cur;
}

static int
format_from_string(const char *fmt)
{
    return g_strcmp0(fmt, "raw") == 0 ? DOMAIN_DISK_FORMAT_RAW : DOMAIN_DISK_FORMAT_QCOW2;
}

/* The disk's source becomes NEW_TOP (taken). */
static void
disk_set_source(DomainDiskDef *disk, DomainStorageSource *new_top)
{
    domain_storage_source_free(disk->src);
    disk->src = new_top;
}

/* Active commit pivoted: the disk's source becomes the base. */
static void
apply_active_commit(DomainDiskDef *disk, const QemuBlockJob *job)
{
    DomainStorageSource *prev = NULL;
    DomainStorageSource *base;

    for (base = disk->src; base; prev = base, base = base->backing) {
        if (g_strcmp0(base->path, job->rec->base) == 0)
            break;
    }
    if (base && prev) {
        prev->backing = NULL;
    } else {
        base = g_new0(DomainStorageSource, 1);
        base->type = DOMAIN_DISK_TYPE_FILE;
        base->path = g_strdup(job->rec->base);
        base->format = format_from_string(job->base_format);
    }
    disk_set_source(disk, base);
}

/* A copy pivoted: the disk's source becomes the destination. */
static void
apply_copy_pivot(DomainDiskDef *disk, const QemuBlockJob *job)
{
    DomainStorageSource *dst = g_new0(DomainStorageSource, 1);

    dst->type = DOMAIN_DISK_TYPE_FILE;
    dst->path = g_strdup(job->rec->mirror_path);
    dst->format = format_from_string(job->rec->mirror_format);
    if (job->rec->flags & QV_DOMAIN_BLOCK_COPY_SHALLOW) {
        dst->backing = g_steal_pointer(&disk->src->backing);
        dst->backing_end = disk->src->backing_end;
    } else {
        dst->backing_end = TRUE;
    }
    disk_set_source(disk, dst);
}

static void
apply_commit(DomainDiskDef *disk, const QemuBlockJob *job)
{
    for (DomainStorageSource *s = disk->src; s; s = s->backing) {
        if (s->backing && g_strcmp0(s->backing->path, job->rec->top) == 0) {
            chain_cut(s, job->rec->base);
            return;
        }
    }
}

static void
delete_images(DomainObj *vm, const QemuBlockJob *job)
{
    for (guint i = 0; job->chain_drop && i < job->chain_drop->len; i++) {
        const char *path = g_ptr_array_index(job->chain_drop, i);

        if (unlink(path) < 0 && errno != ENOENT)
            QVIRT_WARN("domain '%s': cannot delete committed image '%s': %s",
                       domain_obj_get_name(vm), path, g_strerror(errno));
    }
}

void
qemu_blockjob_drop_nodes(QemuMonitor *mon, const QemuBlockJob *job)
{
    for (guint i = 0; job->drop_nodes && i < job->drop_nodes->len; i++) {
        const char *node = g_ptr_array_index(job->drop_nodes, i);

        if (qemu_monitor_json_blockdev_del(mon, node) < 0) {
            QVIRT_WARN("block job %s: node '%s' of an image that left the chain not removed: %s",
                       job->rec->job_id, node, qvirt_error_last_message());
            qvirt_error_reset();
        }
    }
}

void
qemu_blockjob_apply_completed(DomainObj *vm, DomainDiskDef *disk, const QemuBlockJob *job)
{
    switch ((DomainBlockJobType)job->rec->type) {
    case DOMAIN_BLOCKJOB_TYPE_PULL:
        chain_cut(disk->src, job->rec->base);
        break;
    case DOMAIN_BLOCKJOB_TYPE_COMMIT:
        apply_commit(disk, job);
        break;
    case DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT:
        apply_active_commit(disk, job);
        break;
    case DOMAIN_BLOCKJOB_TYPE_COPY:
        apply_copy_pivot(disk, job);
        break;
    case DOMAIN_BLOCKJOB_TYPE_LAST:
        break;
    }
    if ((job->rec->type == DOMAIN_BLOCKJOB_TYPE_COMMIT ||
         job->rec->type == DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT) &&
        (job->rec->flags & QV_DOMAIN_BLOCK_COMMIT_DELETE))
        delete_images(vm, job);
}

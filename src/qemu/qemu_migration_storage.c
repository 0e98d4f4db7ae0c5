/* qemu_migration_storage.c: storage migration over NBD: the destination's
 * image pre-creation, NBD server and exports; the source's NBD client nodes
 * and blockdev-mirror jobs, the wait for every mirror to be ready, and
 * their graceful completion or cancellation. The contract is in
 * qemu_migration_storage.h.
 *
 * Names of what this file adds to QEMU, all derived from the disk target:
 * the destination exports node qvirt-N-format of disk T under the export
 * name T (export id "qvirt-nbd-T"); the source adds the NBD client node
 * "qvirt-migrate-T" and the mirror job "qvirt-mirror-T". Mirrors run with
 * auto-finalize and manual dismiss, so a failed mirror stays visible in
 * query-jobs with its error until this file dismisses it. */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu_alias.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration_storage.h"
#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_process.h"
#include "util/error.h"
#include "util/log.h"
#include "util/process.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration_storage");

/* How often the mirrors are polled when no event wakes us. */
#define STORAGE_POLL_MS 200
/* How long qemu-img may take to create one image. */
#define STORAGE_QEMU_IMG_TIMEOUT_MS 60000
/* How long a graceful completion may take (the guest is paused by then). */
#define STORAGE_COMPLETE_TIMEOUT_MS 300000
/* How long cancel waits for the mirrors to stop before giving up on them. */
#define STORAGE_CANCEL_TIMEOUT_MS 30000
#define STORAGE_CANCEL_FORCE_TIMEOUT_MS 10000

/* ---- names ---- */

static char *
storage_job_id(const char *target)
{
    return g_strdup_printf("qvirt-mirror-%s", target);
}

static char *
storage_client_node(const char *target)
{
    return g_strdup_printf("qvirt-migrate-%s", target);
}

static char *
storage_export_id(const char *target)
{
    return g_strdup_printf("qvirt-nbd-%s", target);
}

/* The top format node of DISK of DEF, or NULL with an error. */
static char *
storage_disk_node(const DomainDef *def, const DomainDiskDef *disk)
{
    unsigned int index = disk->src->path ? qemu_alias_block_node_index(def, disk->src) : 0;

    if (index == 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("disk '%s' of domain '%s' has no image"),
                           disk->dst, def->name);
        return NULL;
    }
    return qemu_alias_format_node(index);
}

static gboolean
storage_disk_is_migratable(const DomainDiskDef *disk)
{
    return disk->device == DOMAIN_DISK_DEVICE_DISK && disk->src && disk->src->path &&
           !disk->readonly && !disk->shareable;
}

/* The disk of VM's definition named TARGET in a cookie, or NULL with an
 * error. */
static DomainDiskDef *
storage_find_disk(DomainObj *vm, const char *target)
{
    DomainDiskDef *disk = domain_def_find_disk(vm->def, target);

    if (!disk) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("disk '%s' of the migration cookie is not a disk of domain '%s'"),
                           target, domain_obj_get_name(vm));
        return NULL;
    }
    if (!storage_disk_is_migratable(disk)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("disk '%s' of domain '%s' cannot be migrated: it is read-only, "
                             "shareable or empty"),
                           target, domain_obj_get_name(vm));
        return NULL;
    }
    return disk;
}

/* HOST without the brackets of a URI's IPv6 literal ("[::1]" is "::1" for
 * QEMU). A new string. */
static char *
storage_bare_host(const char *host)
{
    size_t len = strlen(host);

    if (host[0] == '[' && len > 2 && host[len - 1] == ']')
        return g_strndup(host + 1, len - 2);
    return g_strdup(host);
}

/* ---- monitor helpers ---- */

/* Leave the monitor; RC is the command's result. A domain that stopped
 * meanwhile turns success into an error. */
static int
storage_exit_monitor(DomainObj *vm, int rc)
{
    qemu_domain_obj_exit_monitor(vm);
    if (!domain_obj_is_active(vm)) {
        if (rc >= 0)
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("domain '%s' stopped during storage migration"),
                               domain_obj_get_name(vm));
        return -1;
    }
    return rc;
}

static int
storage_query_jobs(DomainObj *vm, DomainAsyncJob async_job, GPtrArray **ret_jobs)
{
    QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async_job);
    GPtrArray *jobs = NULL;
    int rc;

    if (!mon)
        return -1;
    rc = qemu_monitor_json_query_jobs(mon, &jobs);
    if (storage_exit_monitor(vm, rc) < 0) {
        if (jobs)
            g_ptr_array_unref(jobs);
        return -1;
    }
    *ret_jobs = jobs;
    return 0;
}

static QemuMonitorJobInfo *
storage_find_job(GPtrArray *jobs, const char *id)
{
    for (guint i = 0; i < jobs->len; i++) {
        QemuMonitorJobInfo *job = g_ptr_array_index(jobs, i);

        if (g_strcmp0(job->id, id) == 0)
            return job;
    }
    return NULL;
}

/* Whether a job in STATUS has stopped running for good. */
static gboolean
storage_job_is_over(const char *status)
{
    return g_strcmp0(status, "concluded") == 0 || g_strcmp0(status, "null") == 0;
}

/* The targets being migrated (a copy: the list may change while the
 * monitor is entered). */
static GPtrArray *
storage_migrating_copy(DomainObj *vm)
{
    QemuDomainJobPrivate *jp = qemu_domain_job_private(vm);
    GPtrArray *copy = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < jp->migrating_disks->len; i++)
        g_ptr_array_add(copy, g_strdup(g_ptr_array_index(jp->migrating_disks, i)));
    return copy;
}

static gboolean
storage_str_array_has(GPtrArray *array, const char *str)
{
    for (guint i = 0; i < array->len; i++) {
        if (g_strcmp0(g_ptr_array_index(array, i), str) == 0)
            return TRUE;
    }
    return FALSE;
}

static int
storage_save_status(DomainObj *vm)
{
    QemuDomainPrivate *priv = qemu_domain_private(vm);

    return qemu_process_save_status(priv ? priv->driver : NULL, vm);
}

/* ---- the disks and the source's cookie ---- */

GPtrArray *
qemu_migration_storage_disks(DomainObj *vm, const char *const *migrate_disks)
{
    g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; migrate_disks && migrate_disks[i]; i++) {
        const DomainDiskDef *disk = domain_def_find_disk(vm->def, migrate_disks[i]);

        if (!disk) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("disk target '%s' to migrate is not a disk of domain '%s'"),
                               migrate_disks[i], domain_obj_get_name(vm));
            return NULL;
        }
        if (!storage_disk_is_migratable(disk)) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("disk '%s' of domain '%s' cannot be migrated: it is read-only, "
                                 "shareable or empty"),
                               migrate_disks[i], domain_obj_get_name(vm));
            return NULL;
        }
    }
    for (size_t i = 0; i < vm->def->ndisks; i++) {
        const DomainDiskDef *disk = vm->def->disks[i];

        if (!storage_disk_is_migratable(disk))
            continue;
        if (migrate_disks && !g_strv_contains(migrate_disks, disk->dst))
            continue;
        g_ptr_array_add(disks, g_strdup(disk->dst));
    }
    return g_steal_pointer(&disks);
}

int
qemu_migration_storage_src_cookie(DomainObj *vm, const GPtrArray *disks,
                                  QemuMigrationCookie *cookie)
{
    g_autoptr(GPtrArray) nodes = NULL;
    g_autoptr(GPtrArray) node_names = g_ptr_array_new_with_free_func(g_free);
    QemuMonitor *mon;
    int rc;

    if (!domain_obj_is_active(vm)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain '%s' is not running"),
                           domain_obj_get_name(vm));
        return -1;
    }
    if (disks->len == 0)
        return 0;
    for (guint i = 0; i < disks->len; i++) {
        DomainDiskDef *disk = storage_find_disk(vm, g_ptr_array_index(disks, i));
        char *node;

        if (!disk || !(node = storage_disk_node(vm->def, disk)))
            return -1;
        g_ptr_array_add(node_names, node);
    }

    mon = qemu_domain_obj_enter_monitor_async(vm, domain_job_get_async(vm->job));
    if (!mon)
        return -1;
    rc = qemu_monitor_json_query_named_block_nodes(mon, &nodes);
    if (storage_exit_monitor(vm, rc) < 0)
        return -1;

    for (guint i = 0; i < disks->len; i++) {
        const char *target = g_ptr_array_index(disks, i);
        const char *node_name = g_ptr_array_index(node_names, i);
        const QemuMonitorBlockNode *found = NULL;

        for (guint j = 0; j < nodes->len && !found; j++) {
            const QemuMonitorBlockNode *node = g_ptr_array_index(nodes, j);

            if (g_strcmp0(node->node_name, node_name) == 0)
                found = node;
        }
        if (!found) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("QEMU has no block node '%s' for disk '%s' of domain '%s'"),
                               node_name, target, domain_obj_get_name(vm));
            return -1;
        }
        qemu_migration_cookie_add_nbd_disk(cookie, target, found->virtual_size);
    }
    return 0;
}

/* ---- destination: images ---- */

typedef struct {
    char *path;
    const char *format;
    unsigned long long capacity;
} StorageImage;

static void
storage_image_free(gpointer data)
{
    StorageImage *img = data;

    g_free(img->path);
    g_free(img);
}

static int
storage_create_image(const StorageImage *img)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new("qemu-img");
    g_autofree char *size = g_strdup_printf("%llu", img->capacity);

    qvirt_command_add_args(cmd, "create", "-q", "-f", img->format, img->path, size, NULL);
    qvirt_command_add_env(cmd, "LC_ALL=C");
    QVIRT_INFO("creating image '%s' (%s, %llu bytes) for an incoming migration", img->path,
               img->format, img->capacity);
    return qvirt_process_run_sync(cmd, STORAGE_QEMU_IMG_TIMEOUT_MS, NULL, NULL, NULL);
}

int
qemu_migration_storage_dst_precreate(DomainObj *vm, const QemuMigrationCookie *cookie)
{
    g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func(storage_image_free);
    guint created = 0;
    int ret = 0;

    for (guint i = 0; i < cookie->nbd_disks->len; i++) {
        const QemuMigrationCookieDisk *cd = g_ptr_array_index(cookie->nbd_disks, i);
        DomainDiskDef *disk = storage_find_disk(vm, cd->target);
        StorageImage *img;
        struct stat sb;

        if (!disk)
            return -1;
        if (stat(disk->src->path, &sb) == 0)
            continue;
        if (errno != ENOENT) {
            qvirt_report_system_error(errno, _("cannot check image '%s' of disk '%s'"),
                                      disk->src->path, cd->target);
            return -1;
        }
        if (disk->src->type != DOMAIN_DISK_TYPE_FILE) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("block device '%s' of disk '%s' does not exist and cannot be "
                                 "created"),
                               disk->src->path, cd->target);
            return -1;
        }
        if (cd->capacity == 0) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("cannot create image '%s' of disk '%s': the source gave no "
                                 "capacity"),
                               disk->src->path, cd->target);
            return -1;
        }
        img = g_new0(StorageImage, 1);
        img->path = g_strdup(disk->src->path);
        img->format = disk->src->format == DOMAIN_DISK_FORMAT_QCOW2 ? "qcow2" : "raw";
        img->capacity = cd->capacity;
        g_ptr_array_add(todo, img);
    }
    if (todo->len == 0)
        return 0;

    /* qemu-img may take a while: do not hold the domain's mutex meanwhile
     * (the caller's job keeps the definition). */
    domain_obj_unlock(vm);
    for (; created < todo->len; created++) {
        if (storage_create_image(g_ptr_array_index(todo, created)) < 0) {
            ret = -1;
            break;
        }
    }
    if (ret < 0) {
        /* Leave nothing half done behind. */
        for (guint i = 0; i < created; i++) {
            const StorageImage *img = g_ptr_array_index(todo, i);

            if (unlink(img->path) < 0)
                QVIRT_WARN("cannot remove image '%s': %s", img->path, g_strerror(errno));
        }
    }
    domain_obj_lock(vm);
    return ret;
}

/* ---- destination: NBD server ---- */

/* Whether nothing listens on TCP PORT (IPv4 or IPv6 wildcard). Bound the
 * way QEMU binds (SO_REUSEADDR), so a port with connections in TIME_WAIT
 * counts as free. */
static gboolean
storage_port_is_free(unsigned int port)
{
    static const int families[] = {AF_INET, AF_INET6};
    int one = 1;

    for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
        int fd = socket(families[i], SOCK_STREAM | SOCK_CLOEXEC, 0);
        int rc;

        if (fd < 0)
            continue; /* no IPv6 here */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (families[i] == AF_INET) {
            struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

            sa.sin_addr.s_addr = htonl(INADDR_ANY);
            rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        } else {
            struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
            sa6.sin6_addr = in6addr_any;
            rc = bind(fd, (struct sockaddr *)&sa6, sizeof(sa6));
        }
        close(fd);
        if (rc < 0 && errno != EADDRNOTAVAIL)
            return FALSE;
    }
    return TRUE;
}

static int
storage_nbd_server_start(DomainObj *vm, DomainAsyncJob async_job, const char *host,
                         unsigned int port, const char *tls_creds)
{
    QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async_job);
    int rc;

    if (!mon)
        return -1;
    rc = qemu_monitor_json_nbd_server_start(mon, host, port, NULL, tls_creds, NULL);
    return storage_exit_monitor(vm, rc);
}

/* Start the server on a free port of the driver's migration range, from the
 * top down (the migration stream's allocator starts at the bottom). A port
 * taken between the probe and QEMU's bind is skipped too. */
static int
storage_nbd_server_start_any(QemuDriver *driver, DomainObj *vm, DomainAsyncJob async_job,
                             const char *host, const char *tls_creds, unsigned int *ret_port)
{
    unsigned int min = driver ? driver->config->migration_port_min : 0;
    unsigned int max = driver ? driver->config->migration_port_max : 0;

    if (min == 0 || max < min || max > 65535) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("invalid migration port range %u-%u for the NBD server"), min, max);
        return -1;
    }
    for (unsigned int port = max; port >= min; port--) {
        if (!storage_port_is_free(port))
            continue;
        if (storage_nbd_server_start(vm, async_job, host, port, tls_creds) == 0) {
            *ret_port = port;
            return 0;
        }
        if (!domain_obj_is_active(vm) || !strstr(qvirt_error_last_message(), "in use"))
            return -1;
        QVIRT_DEBUG("NBD port %u was taken meanwhile, trying the next one", port);
    }
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                       _("no free port for the NBD server of domain '%s' in the migration port "
                         "range %u-%u"),
                       domain_obj_get_name(vm), min, max);
    return -1;
}

static void
storage_nbd_server_stop(DomainObj *vm, DomainAsyncJob async_job)
{
    QemuMonitor *mon;

    if (!domain_obj_is_active(vm))
        return;
    mon = qemu_domain_obj_enter_monitor_async(vm, async_job);
    if (!mon)
        return;
    qemu_monitor_json_nbd_server_stop(mon);
    qemu_domain_obj_exit_monitor(vm);
}

int
qemu_migration_storage_dst_start_tls(QemuDriver *driver, DomainObj *vm, DomainAsyncJob async_job,
                                     const char *listen_address, int port,
                                     const QemuMigrationCookie *cookie_in,
                                     QemuMigrationCookie *cookie_out, const char *tls_creds)
{
    g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *host = NULL;
    unsigned int used_port = port;

    if (cookie_in->nbd_disks->len == 0)
        return 0;
    if (port < 0 || port > 65535) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid NBD port %d"), port);
        return -1;
    }
    if (listen_address && *listen_address)
        host = storage_bare_host(listen_address);
    else if (driver && driver->config->migration_address)
        host = storage_bare_host(driver->config->migration_address);
    else
        host = g_strdup("0.0.0.0");
    for (guint i = 0; i < cookie_in->nbd_disks->len; i++) {
        const QemuMigrationCookieDisk *cd = g_ptr_array_index(cookie_in->nbd_disks, i);
        DomainDiskDef *disk = storage_find_disk(vm, cd->target);
        char *node;

        if (!disk || !(node = storage_disk_node(vm->def, disk)))
            return -1;
        g_ptr_array_add(nodes, node);
    }

    if (port == 0) {
        if (storage_nbd_server_start_any(driver, vm, async_job, host, tls_creds, &used_port) < 0)
            return -1;
    } else if (storage_nbd_server_start(vm, async_job, host, used_port, tls_creds) < 0) {
        return -1;
    }
    QVIRT_INFO("domain '%s': NBD server on %s:%u", domain_obj_get_name(vm), host, used_port);

    for (guint i = 0; i < cookie_in->nbd_disks->len; i++) {
        const QemuMigrationCookieDisk *cd = g_ptr_array_index(cookie_in->nbd_disks, i);
        g_autofree char *id = storage_export_id(cd->target);
        QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async_job);
        int rc;

        if (!mon)
            goto error;
        rc = qemu_monitor_json_block_export_add_nbd(mon, id, g_ptr_array_index(nodes, i),
                                                    cd->target, true, NULL);
        if (storage_exit_monitor(vm, rc) < 0)
            goto error;
    }

    cookie_out->nbd_port = used_port;
    for (guint i = 0; i < cookie_in->nbd_disks->len; i++) {
        const QemuMigrationCookieDisk *cd = g_ptr_array_index(cookie_in->nbd_disks, i);

        qemu_migration_cookie_add_nbd_disk(cookie_out, cd->target, cd->capacity);
    }
    return 0;

error:
    /* Stopping the server removes the exports added so far. */
    qemu_migration_storage_dst_stop(vm, async_job);
    return -1;
}

int
qemu_migration_storage_dst_start(QemuDriver *driver, DomainObj *vm, DomainAsyncJob async_job,
                                 const char *listen_address, int port,
                                 const QemuMigrationCookie *cookie_in,
                                 QemuMigrationCookie *cookie_out)
{
    return qemu_migration_storage_dst_start_tls(driver, vm, async_job, listen_address, port,
                                                cookie_in, cookie_out, NULL);
}

void
qemu_migration_storage_dst_stop(DomainObj *vm, DomainAsyncJob async_job)
{
    QvirtError *saved = qvirt_error_save();

    /* nbd-server-stop also closes every NBD export. Without a server QEMU
     * says so: nothing to do then. */
    storage_nbd_server_stop(vm, async_job);
    qvirt_error_restore(saved);
}

/* ---- source: mirrors ---- */

/* Add the NBD client node of TARGET and start its mirror. */
static int
storage_src_start_disk(DomainObj *vm, DomainAsyncJob async_job, const char *host, int port,
                       const char *target, const char *tls_creds, gboolean incremental,
                       unsigned long long bandwidth_bytes)
{
    DomainDiskDef *disk = storage_find_disk(vm, target);
    g_autofree char *source_node = NULL;
    g_autofree char *client_node = storage_client_node(target);
    g_autofree char *job_id = storage_job_id(target);
    g_autofree char *port_str = g_strdup_printf("%d", port);
    g_autoptr(QvirtJson) props = NULL;
    QvirtJson *server;
    QemuDomainJobPrivate *jp;
    QemuMonitorJobOptions opts = {
        .job_id = job_id,
        .speed = bandwidth_bytes,
        .manual_dismiss = true,
    };
    QemuMonitor *mon;
    int rc;

    if (!disk || !(source_node = storage_disk_node(vm->def, disk)))
        return -1;

    /* Persist before acting: a restart finds what to clean up. */
    jp = qemu_domain_job_private(vm);
    if (!storage_str_array_has(jp->migrating_disks, target)) {
        g_ptr_array_add(jp->migrating_disks, g_strdup(target));
        if (storage_save_status(vm) < 0)
            return -1;
    }

    server = json_object_new_object();
    json_object_object_add(server, "type", json_object_new_string("inet"));
    json_object_object_add(server, "host", json_object_new_string(host));
    json_object_object_add(server, "port", json_object_new_string(port_str));
    props = json_object_new_object();
    json_object_object_add(props, "driver", json_object_new_string("nbd"));
    json_object_object_add(props, "node-name", json_object_new_string(client_node));
    json_object_object_add(props, "server", server);
    json_object_object_add(props, "export", json_object_new_string(target));
    if (tls_creds)
        json_object_object_add(props, "tls-creds", json_object_new_string(tls_creds));

    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
        return -1;
    rc = qemu_monitor_json_blockdev_add(mon, props);
    if (storage_exit_monitor(vm, rc) < 0)
        return -1;

    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
        return -1;
    rc = qemu_monitor_json_blockdev_mirror(mon, &opts, source_node, client_node,
                                           incremental ? "top" : "full", 0, 0, false);
    if (storage_exit_monitor(vm, rc) < 0)
        return -1;
    QVIRT_INFO("domain '%s': mirroring disk '%s' to %s:%d", domain_obj_get_name(vm), target, host,
               port);
    return 0;
}

int
qemu_migration_storage_src_start_tls(DomainObj *vm, DomainAsyncJob async_job, const char *host,
                                     const QemuMigrationCookie *cookie, gboolean incremental,
                                     unsigned long long bandwidth_bytes, const char *tls_creds)
{
    g_autofree char *bare_host = NULL;

    if (cookie->nbd_disks->len == 0)
        return 0;
    if (cookie->nbd_port <= 0 || cookie->nbd_port > 65535) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("the destination of domain '%s' gave no NBD port for storage "
                             "migration"),
                           domain_obj_get_name(vm));
        return -1;
    }
    if (!host || !*host) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("no destination host for the storage migration of domain '%s'"),
                           domain_obj_get_name(vm));
        return -1;
    }
    bare_host = storage_bare_host(host);

    for (guint i = 0; i < cookie->nbd_disks->len; i++) {
        const QemuMigrationCookieDisk *cd = g_ptr_array_index(cookie->nbd_disks, i);

        if (storage_src_start_disk(vm, async_job, bare_host, cookie->nbd_port, cd->target,
                                   tls_creds, incremental, bandwidth_bytes) < 0) {
            /* cancel() keeps this error. */
            qemu_migration_storage_src_cancel(vm, async_job, TRUE);
            return -1;
        }
    }
    return 0;
}

int
qemu_migration_storage_src_start(DomainObj *vm, DomainAsyncJob async_job, const char *host,
                                 const QemuMigrationCookie *cookie, gboolean incremental,
                                 unsigned long long bandwidth_bytes)
{
    return qemu_migration_storage_src_start_tls(vm, async_job, host, cookie, incremental,
                                                bandwidth_bytes, NULL);
}

typedef enum {
    STORAGE_WAIT_READY,    /* every mirror in "ready" */
    STORAGE_WAIT_FINISHED, /* every mirror concluded without error */
} StorageWaitGoal;

/* Look at the mirrors of TARGETS once: update the disk statistics and tell
 * whether GOAL is reached (*ret_done). A mirror that failed or vanished is
 * an error naming its disk. */
static int
storage_check_mirrors(DomainObj *vm, DomainAsyncJob async_job, GPtrArray *targets,
                      StorageWaitGoal goal, gboolean *ret_done)
{
    g_autoptr(GPtrArray) jobs = NULL;
    DomainJobStats *stats;
    guint64 total = 0;
    guint64 processed = 0;
    gboolean done = TRUE;

    if (storage_query_jobs(vm, async_job, &jobs) < 0)
        return -1;
    for (guint i = 0; i < targets->len; i++) {
        const char *target = g_ptr_array_index(targets, i);
        g_autofree char *id = storage_job_id(target);
        const QemuMonitorJobInfo *job = storage_find_job(jobs, id);

        if (!job) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("the mirror of disk '%s' of domain '%s' disappeared"), target,
                               domain_obj_get_name(vm));
            return -1;
        }
        if (job->error) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("the mirror of disk '%s' of domain '%s' failed: %s"), target,
                               domain_obj_get_name(vm), job->error);
            return -1;
        }
        if (goal == STORAGE_WAIT_READY) {
            if (storage_job_is_over(job->status) || g_strcmp0(job->status, "aborting") == 0) {
                qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                                   _("the mirror of disk '%s' of domain '%s' ended early (%s)"),
                                   target, domain_obj_get_name(vm), job->status);
                return -1;
            }
            if (g_strcmp0(job->status, "ready") != 0)
                done = FALSE;
        } else if (!storage_job_is_over(job->status)) {
            done = FALSE;
        }
        total += job->total_progress;
        processed += MIN(job->current_progress, job->total_progress);
    }
    if ((stats = domain_job_current_stats(vm))) {
        stats->disk_total = total;
        stats->disk_processed = processed;
        stats->disk_remaining = total - processed;
    }
    *ret_done = done;
    return 0;
}

/* Wait for GOAL on the mirrors of TARGETS until DEADLINE (monotonic µs; 0:
 * none; -1: check once, not reached is a timeout), polling at least every
 * STORAGE_POLL_MS. An abort request fails the wait when CHECK_ABORT. */
static int
storage_wait_mirrors(DomainObj *vm, DomainAsyncJob async_job, GPtrArray *targets,
                     StorageWaitGoal goal, gint64 deadline, gboolean check_abort)
{
    for (;;) {
        gboolean done = FALSE;
        gint64 now;
        gint64 until;

        if (check_abort && domain_job_abort_requested(vm->job)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_ABORTED,
                               _("storage migration of domain '%s' was canceled by the client"),
                               domain_obj_get_name(vm));
            return -1;
        }
        if (storage_check_mirrors(vm, async_job, targets, goal, &done) < 0)
            return -1;
        if (done)
            return 0;
        now = g_get_monotonic_time();
        if (deadline < 0) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("the disk mirrors of domain '%s' are not in sync yet"),
                               domain_obj_get_name(vm));
            return -1;
        }
        if (deadline > 0 && now >= deadline) {
            qvirt_report_error(QVIRT_ERR_OPERATION_TIMEOUT,
                               goal == STORAGE_WAIT_READY
                                   ? _("the disk mirrors of domain '%s' did not become ready in "
                                       "time")
                                   : _("the disk mirrors of domain '%s' did not finish in time"),
                               domain_obj_get_name(vm));
            return -1;
        }
        until = now + STORAGE_POLL_MS * G_TIME_SPAN_MILLISECOND;
        if (deadline > 0 && until > deadline)
            until = deadline;
        if (domain_job_wait_event(vm, until) < 0)
            return -1;
    }
}

int
qemu_migration_storage_src_wait_ready(DomainObj *vm, DomainAsyncJob async_job, gint64 timeout_ms)
{
    g_autoptr(GPtrArray) targets = storage_migrating_copy(vm);
    gint64 deadline = timeout_ms > 0 ? qvirt_deadline_after_ms(timeout_ms) : 0;

    if (targets->len == 0)
        return 0;
    return storage_wait_mirrors(vm, async_job, targets, STORAGE_WAIT_READY, deadline, TRUE);
}

int
qemu_migration_storage_src_check(DomainObj *vm, DomainAsyncJob async_job)
{
    g_autoptr(GPtrArray) targets = storage_migrating_copy(vm);
    gboolean ready = FALSE;

    if (targets->len == 0)
        return 0;
    return storage_check_mirrors(vm, async_job, targets, STORAGE_WAIT_READY, &ready);
}

/* Dismiss the concluded mirror of TARGET (if any) and delete its client
 * node (if any). Returns 0, or -1 with an error when something is left. */
static int
storage_src_remove_disk(DomainObj *vm, DomainAsyncJob async_job, const char *target,
                        GPtrArray *jobs, GPtrArray *nodes)
{
    g_autofree char *job_id = storage_job_id(target);
    g_autofree char *client_node = storage_client_node(target);
    const QemuMonitorJobInfo *job = jobs ? storage_find_job(jobs, job_id) : NULL;
    gboolean has_node = TRUE;
    QemuMonitor *mon;
    int rc = 0;

    if (nodes) {
        has_node = FALSE;
        for (guint i = 0; i < nodes->len && !has_node; i++) {
            const QemuMonitorBlockNode *node = g_ptr_array_index(nodes, i);

            has_node = g_strcmp0(node->node_name, client_node) == 0;
        }
    }
    if (job) {
        if (!storage_job_is_over(job->status)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("the mirror of disk '%s' of domain '%s' is still %s"), target,
                               domain_obj_get_name(vm), job->status);
            return -1;
        }
        if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
            return -1;
        rc = qemu_monitor_json_job_dismiss(mon, job_id);
        if (storage_exit_monitor(vm, rc) < 0)
            return -1;
    }
    if (has_node) {
        if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
            return -1;
        rc = qemu_monitor_json_blockdev_del(mon, client_node);
        if (storage_exit_monitor(vm, rc) < 0)
            return -1;
    }
    return 0;
}

static void
storage_forget_disk(DomainObj *vm, const char *target)
{
    QemuDomainJobPrivate *jp = qemu_domain_job_private(vm);

    for (guint i = 0; i < jp->migrating_disks->len; i++) {
        if (g_strcmp0(g_ptr_array_index(jp->migrating_disks, i), target) == 0) {
            g_ptr_array_remove_index(jp->migrating_disks, i);
            break;
        }
    }
}

/* Query both jobs and nodes; NULL members on failure (error left set). */
static void
storage_query_state(DomainObj *vm, DomainAsyncJob async_job, GPtrArray **ret_jobs,
                    GPtrArray **ret_nodes)
{
    QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async_job);

    *ret_jobs = NULL;
    *ret_nodes = NULL;
    if (!mon)
        return;
    if (qemu_monitor_json_query_jobs(mon, ret_jobs) < 0)
        *ret_jobs = NULL;
    if (qemu_monitor_json_query_named_block_nodes(mon, ret_nodes) < 0)
        *ret_nodes = NULL;
    qemu_domain_obj_exit_monitor(vm);
}

int
qemu_migration_storage_src_complete(DomainObj *vm, DomainAsyncJob async_job)
{
    g_autoptr(GPtrArray) targets = storage_migrating_copy(vm);
    g_autoptr(GPtrArray) jobs = NULL;
    g_autoptr(GPtrArray) nodes = NULL;
    DomainJobStats *stats;

    if (targets->len == 0)
        return 0;

    /* A mirror that failed meanwhile is reported as such, not as a
     * refused cancel. */
    if (storage_wait_mirrors(vm, async_job, targets, STORAGE_WAIT_READY, -1, FALSE) < 0)
        goto error;
    /* block-job-cancel of a ready mirror finishes the copy and leaves the
     * guest on its source image. */
    for (guint i = 0; i < targets->len; i++) {
        g_autofree char *job_id = storage_job_id(g_ptr_array_index(targets, i));
        QemuMonitor *mon = qemu_domain_obj_enter_monitor_async(vm, async_job);
        int rc;

        if (!mon)
            goto error;
        rc = qemu_monitor_json_block_job_cancel(mon, job_id, false);
        if (storage_exit_monitor(vm, rc) < 0)
            goto error;
    }
    if (storage_wait_mirrors(vm, async_job, targets, STORAGE_WAIT_FINISHED,
                             qvirt_deadline_after_ms(STORAGE_COMPLETE_TIMEOUT_MS), TRUE) < 0)
        goto error;

    storage_query_state(vm, async_job, &jobs, &nodes);
    if (!jobs || !nodes || !domain_obj_is_active(vm))
        goto error;
    for (guint i = 0; i < targets->len; i++) {
        const char *target = g_ptr_array_index(targets, i);

        if (storage_src_remove_disk(vm, async_job, target, jobs, nodes) < 0)
            goto error;
        storage_forget_disk(vm, target);
    }
    if ((stats = domain_job_current_stats(vm))) {
        stats->disk_processed = stats->disk_total;
        stats->disk_remaining = 0;
    }
    if (storage_save_status(vm) < 0)
        QVIRT_WARN("domain '%s': cannot record that its disk mirrors ended: %s",
                   domain_obj_get_name(vm), qvirt_error_last_message());
    QVIRT_INFO("domain '%s': %u disk mirror(s) completed", domain_obj_get_name(vm), targets->len);
    return 0;

error:
    qemu_migration_storage_src_cancel(vm, async_job, TRUE);
    return -1;
}

void
qemu_migration_storage_src_cancel(DomainObj *vm, DomainAsyncJob async_job, gboolean force)
{
    QvirtError *saved = qvirt_error_save();
    g_autoptr(GPtrArray) targets = storage_migrating_copy(vm);
    g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) jobs = NULL;
    g_autoptr(GPtrArray) nodes = NULL;

    if (targets->len == 0 || !domain_obj_is_active(vm))
        goto done;

    storage_query_state(vm, async_job, &jobs, &nodes);
    if (!domain_obj_is_active(vm))
        goto done;
    for (guint i = 0; jobs && i < targets->len; i++) {
        const char *target = g_ptr_array_index(targets, i);
        g_autofree char *job_id = storage_job_id(target);
        const QemuMonitorJobInfo *job = storage_find_job(jobs, job_id);
        QemuMonitor *mon;

        if (!job || storage_job_is_over(job->status))
            continue;
        g_ptr_array_add(running, g_strdup(target));
        if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
            goto done;
        if (qemu_monitor_json_block_job_cancel(mon, job_id, force) < 0)
            QVIRT_WARN("domain '%s': cannot cancel the mirror of disk '%s': %s",
                       domain_obj_get_name(vm), target, qvirt_error_last_message());
        qemu_domain_obj_exit_monitor(vm);
        if (!domain_obj_is_active(vm))
            goto done;
    }
    if (running->len > 0) {
        gint64 deadline = qvirt_deadline_after_ms(force ? STORAGE_CANCEL_FORCE_TIMEOUT_MS
                                                        : STORAGE_CANCEL_TIMEOUT_MS);

        /* A cancelled mirror ends with an error ("cancelled"), which is
         * what we asked for: wait until every job is over, whatever its
         * end. */
        while (TRUE) {
            g_autoptr(GPtrArray) now_jobs = NULL;
            gboolean over = TRUE;
            gint64 poll_until;

            if (storage_query_jobs(vm, async_job, &now_jobs) < 0)
                break;
            for (guint i = 0; i < running->len && over; i++) {
                g_autofree char *job_id = storage_job_id(g_ptr_array_index(running, i));
                const QemuMonitorJobInfo *job = storage_find_job(now_jobs, job_id);

                over = !job || storage_job_is_over(job->status);
            }
            if (over || g_get_monotonic_time() >= deadline)
                break;
            poll_until = MIN(deadline, qvirt_deadline_after_ms(STORAGE_POLL_MS));
            if (domain_job_wait_event(vm, poll_until) < 0)
                break;
        }
        if (!domain_obj_is_active(vm))
            goto done;
        g_clear_pointer(&jobs, g_ptr_array_unref);
        g_clear_pointer(&nodes, g_ptr_array_unref);
        storage_query_state(vm, async_job, &jobs, &nodes);
    }
    for (guint i = 0; i < targets->len && domain_obj_is_active(vm); i++) {
        const char *target = g_ptr_array_index(targets, i);

        if (storage_src_remove_disk(vm, async_job, target, jobs, nodes) < 0)
            QVIRT_WARN("domain '%s': disk '%s' may keep its migration mirror or NBD node: %s",
                       domain_obj_get_name(vm), target, qvirt_error_last_message());
    }

done:
    for (guint i = 0; i < targets->len; i++)
        storage_forget_disk(vm, g_ptr_array_index(targets, i));
    if (targets->len > 0 && storage_save_status(vm) < 0)
        QVIRT_WARN("domain '%s': cannot record that its disk mirrors ended: %s",
                   domain_obj_get_name(vm), qvirt_error_last_message());
    qvirt_error_restore(saved);
}

/* qemu_migration_storage.h: storage migration (--copy-storage-all/-inc):
 * the destination's NBD server and exports, the source's mirrors to it,
 * and the graceful switch-over with QEMU's pause-before-switchover.
 *
 * Contract (VM locked, the migration async job ASYNC_JOB held; monitor
 * work goes through the Enter/Exit wrappers; every wait has a deadline and
 * drops the lock):
 * - Destination: qemu_migration_storage_dst_precreate() creates each
 *   missing image named in the cookie's NBD disks (qcow2 or raw as the
 *   disk's driver says, the cookie's capacity) before QEMU starts;
 *   qemu_migration_storage_dst_start() starts the NBD server on
 *   LISTEN_ADDRESS:PORT (PORT 0: from the driver's migration port range)
 *   and exports each of those disks writable under its target name; the
 *   port goes into the cookie. stop() removes the exports and the server.
 * - Source: start() adds, per disk in the cookie, an NBD client node to the
 *   destination's export and a blockdev-mirror job (sync full, or top for
 *   incremental) with id "qvirt-mirror-<target>", recording the disk as
 *   migrating in the job private data (persisted). wait_ready() waits
 *   until every mirror is ready, a mirror failed (error naming the disk),
 *   or an abort was requested. complete() finishes every mirror
 *   gracefully (block-job-cancel of a ready mirror keeps the guest on its
 *   source image) and deletes the NBD nodes. cancel() aborts them
 *   (FORCE: without waiting for a clean stop) and deletes the nodes; it
 *   never fails the caller.
 * - Progress goes into the job's disk_* statistics. */
#pragma once

#include <glib.h>

#include "conf/domain_obj.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_migration_cookie.h"

/* The disks of VM that storage migration copies: writable disks with a
 * source, limited to MIGRATE_DISKS (NULL-terminated, or NULL for all). */
GPtrArray *qemu_migration_storage_disks(DomainObj *vm, const char *const *migrate_disks);

/* Add each of DISKS (targets) of VM with its capacity to COOKIE's NBD
 * section (source, Begin). */
int qemu_migration_storage_src_cookie(DomainObj *vm, const GPtrArray *disks,
                                      QemuMigrationCookie *cookie);

int qemu_migration_storage_dst_precreate(DomainObj *vm, const QemuMigrationCookie *cookie);
int qemu_migration_storage_dst_start(QemuDriver *driver, DomainObj *vm, DomainAsyncJob async_job,
                                     const char *listen_address, int port,
                                     const QemuMigrationCookie *cookie_in,
                                     QemuMigrationCookie *cookie_out);
void qemu_migration_storage_dst_stop(DomainObj *vm, DomainAsyncJob async_job);

/* HOST: the destination's address; the port is COOKIE's NBD port. */
int qemu_migration_storage_src_start(DomainObj *vm, DomainAsyncJob async_job, const char *host,
                                     const QemuMigrationCookie *cookie, gboolean incremental,
                                     unsigned long long bandwidth_bytes);
int qemu_migration_storage_src_wait_ready(DomainObj *vm, DomainAsyncJob async_job,
                                          gint64 timeout_ms);
int qemu_migration_storage_src_complete(DomainObj *vm, DomainAsyncJob async_job);
void qemu_migration_storage_src_cancel(DomainObj *vm, DomainAsyncJob async_job, gboolean force);

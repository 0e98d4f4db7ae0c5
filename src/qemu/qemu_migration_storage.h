/* qemu_migration_storage.h: storage migration (--copy-storage-all/-inc):
 * the destination's NBD server and exports, the source's mirrors to it,
 * and the graceful switch-over with QEMU's pause-before-switchover.
 *
 * Contract (VM locked, the migration async job ASYNC_JOB held; monitor
 * work goes through the Enter/Exit wrappers; every wait has a deadline and
 * drops the lock):
 * - Destination: qemu_migration_storage_dst_precreate() creates each
 *   missing image named in the cookie's NBD disks (qcow2 or raw as the
 *   disk's driver says, the cookie's capacity; a missing block device or
 *   an unknown capacity is an error, and a failure removes the images it
 *   created) before QEMU starts;
 *   qemu_migration_storage_dst_start() starts the NBD server on
 *   LISTEN_ADDRESS:PORT (PORT 0: from the driver's migration port range)
 *   and exports each of those disks writable under its target name; the
 *   port goes into the cookie. stop() removes the exports and the server.
 * - Source: start() adds, per disk in the cookie, an NBD client node to the
 *   destination's export and a blockdev-mirror job (sync full, or top for
 *   incremental) with id "qvirt-mirror-<target>", recording the disk as
 *   migrating in the job private data (persisted); a failure undoes what
 *   it added as cancel(FORCE) does. wait_ready() waits
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

/* The disks of VM that storage migration copies: writable, not shareable
 * disks with a source, limited to MIGRATE_DISKS (NULL-terminated, or NULL
 * for all). A new array of target names (g_free'd), in document order,
 * possibly empty; NULL with INVALID_ARG when MIGRATE_DISKS names a disk VM
 * lacks or one that cannot be copied. */
GPtrArray *qemu_migration_storage_disks(DomainObj *vm, const char *const *migrate_disks);

/* Add each of DISKS (targets) of VM with its capacity to COOKIE's NBD
 * section (source, Begin). The capacity is the virtual size QEMU reports
 * for the disk's top node, asked through the running async job (or a
 * normal job the caller holds). */
int qemu_migration_storage_src_cookie(DomainObj *vm, const GPtrArray *disks,
                                      QemuMigrationCookie *cookie);

int qemu_migration_storage_dst_precreate(DomainObj *vm, const QemuMigrationCookie *cookie);
int qemu_migration_storage_dst_start(QemuDriver *driver, DomainObj *vm, DomainAsyncJob async_job,
                                     const char *listen_address, int port,
                                     const QemuMigrationCookie *cookie_in,
                                     QemuMigrationCookie *cookie_out);
/* The same, the server requiring TLS with the tls-creds-x509 object
 * TLS_CREDS (e.g. QEMU_MIGRATION_TLS_ALIAS, added beforehand), or NULL. */
int qemu_migration_storage_dst_start_tls(QemuDriver *driver, DomainObj *vm,
                                         DomainAsyncJob async_job, const char *listen_address,
                                         int port, const QemuMigrationCookie *cookie_in,
                                         QemuMigrationCookie *cookie_out, const char *tls_creds);
void qemu_migration_storage_dst_stop(DomainObj *vm, DomainAsyncJob async_job);

/* HOST: the destination's address; the port is COOKIE's NBD port. */
int qemu_migration_storage_src_start(DomainObj *vm, DomainAsyncJob async_job, const char *host,
                                     const QemuMigrationCookie *cookie, gboolean incremental,
                                     unsigned long long bandwidth_bytes);
/* The same, the NBD clients using the tls-creds-x509 object TLS_CREDS. */
int qemu_migration_storage_src_start_tls(DomainObj *vm, DomainAsyncJob async_job, const char *host,
                                         const QemuMigrationCookie *cookie, gboolean incremental,
                                         unsigned long long bandwidth_bytes, const char *tls_creds);
/* TIMEOUT_MS <= 0: no overall limit (the mirrors are still polled every
 * 200 ms and an abort request ends the wait with OPERATION_ABORTED). */
int qemu_migration_storage_src_wait_ready(DomainObj *vm, DomainAsyncJob async_job,
                                          gint64 timeout_ms);
/* One look at the mirrors while the RAM migration runs: refresh the disk
 * statistics. 0 while every mirror runs (or there is none); -1 with an
 * error naming the disk when one failed or ended. */
int qemu_migration_storage_src_check(DomainObj *vm, DomainAsyncJob async_job);
int qemu_migration_storage_src_complete(DomainObj *vm, DomainAsyncJob async_job);
void qemu_migration_storage_src_cancel(DomainObj *vm, DomainAsyncJob async_job, gboolean force);

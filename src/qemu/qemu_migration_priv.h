/* qemu_migration_priv.h: helpers of the two sides of a migration
 * (qemu_migration_dst.c, qemu_migration_src.c) that the other side and
 * the post-copy recovery (qemu_migration_resume.c) use too, so that each
 * piece exists once. Defined in qemu_migration_dst.c unless said. Not
 * for use outside src/qemu/qemu_migration*.c, except the two stream
 * helpers at the end, which save and dump (qemu_save.c) share. */
#pragma once

#include "conf/domain_job.h"
#include "conf/domain_obj.h"
#include "driver/migrate.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_migration_cookie.h"

/* What the source supports (libvirt's flags; tunnelled and offline are
 * not), QV_MIGRATE_POSTCOPY_RESUME included. */
#define QEMU_MIGRATION_SRC_FLAGS                                                                   \
    (QV_MIGRATE_LIVE | QV_MIGRATE_PEER2PEER | QV_MIGRATE_PERSIST_DEST |                            \
     QV_MIGRATE_UNDEFINE_SOURCE | QV_MIGRATE_PAUSED | QV_MIGRATE_NON_SHARED_DISK |                 \
     QV_MIGRATE_NON_SHARED_INC | QV_MIGRATE_CHANGE_PROTECTION | QV_MIGRATE_UNSAFE |                \
     QV_MIGRATE_COMPRESSED | QV_MIGRATE_ABORT_ON_ERROR | QV_MIGRATE_AUTO_CONVERGE |                \
     QV_MIGRATE_POSTCOPY | QV_MIGRATE_TLS | QV_MIGRATE_PARALLEL |                                  \
     QV_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES | QV_MIGRATE_POSTCOPY_RESUME)

/* "::" when this host can listen on IPv6, else "0.0.0.0". */
const char *qemu_migration_any_address(void);

/* A new cookie naming VM (locked) and this host. */
QemuMigrationCookie *qemu_migration_local_cookie_new(DomainObj *vm);

/* COOKIE formatted into *RET_COOKIE_OUT / *RET_COOKIE_OUTLEN (the length
 * with the NUL), or dropped when either is NULL. */
void qemu_migration_cookie_give(QemuMigrationCookie *cookie, char **ret_cookie_out,
                                int *ret_cookie_outlen);

/* The definition Begin sends for VM (locked): DEST_XML when it describes
 * the same domain (same UUID), else VM's inactive one (a new string); NULL
 * with an error for XML that does not parse or names another UUID.
 * Defined in qemu_migration_src.c. */
char *qemu_migration_src_begin_xml(DomainObj *vm, const char *dest_xml);

/* The cookie Perform sends for VM (locked): the job's statistics and, with
 * QV_MIGRATE_PERSIST_DEST in FLAGS, PERSIST_XML or VM's persistent
 * definition. Defined in qemu_migration_src.c. */
QemuMigrationCookie *qemu_migration_src_perform_cookie(DomainObj *vm, unsigned int flags,
                                                       const char *persist_xml);

/* Ask QEMU where the incoming stream stands (VM locked, async JOB held):
 * the status of query-migrate and its error text (a new string, or NULL).
 * Not qemu_monitor_json_query_migrate(): the destination reports no "ram"
 * while active, which that parser (made for the source) refuses. */
int qemu_migration_dst_query(DomainObj *vm, DomainAsyncJob job, int *ret_status, char **ret_error);

/* The incoming migration of VM (locked, the job held) succeeded: release
 * its port, complete its statistics (COOKIE: the source's, may be NULL) and
 * finish the job. The cookie to send back (with the statistics). */
QemuMigrationCookie *qemu_migration_dst_finished(QemuDriver *driver, DomainObj *vm,
                                                 const QemuMigrationCookie *cookie);

/* The completed statistics of the incoming job (VM locked): the source's
 * (from COOKIE, may be NULL), else what the job gathered here; and the
 * JOB_COMPLETED event. */
void qemu_migration_dst_complete_stats(QemuDriver *driver, DomainObj *vm,
                                       const QemuMigrationCookie *cookie);

/* Watch the outgoing migration stream of async JOB (VM locked, the job
 * held; `migrate` already sent, no post-copy, no mirrors) until QEMU
 * completes it (0), it fails or the job's abort is requested (-1,
 * OPERATION_ABORTED for an abort). query-migrate is polled at least every
 * 500 ms and fills the job's statistics. Defined in qemu_migration_src.c. */
int qemu_migration_src_wait_stream(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job);

/* Cancel QEMU's outgoing migration of async JOB (VM locked, the job held)
 * and wait, bounded, until QEMU has left it. Never fails: problems are
 * logged. Defined in qemu_migration_src.c. */
void qemu_migration_src_cancel_stream(DomainObj *vm, DomainAsyncJob job);

/* qemu_migration_tls.h: TLS for migration and NBD: QEMU's tls-creds-x509
 * objects made from the driver's certificate folder (tls_x509_cert_dir in
 * qemu.conf: ca-cert.pem, server-cert.pem/server-key.pem,
 * client-cert.pem/client-key.pem), and a check of those files with gnutls
 * before anything starts, so a missing, unreadable, not yet valid or
 * expired certificate is a clear error (OPERATION_INVALID naming the file
 * and the reason) rather than a QEMU failure.
 *
 * Contract: check() is pure file work. add()/remove() talk to QEMU through
 * the Enter/Exit wrappers of ASYNC_JOB (VM locked, the job held). The
 * object's id is "objlibvirt_migrate_tls0"-like: qvirt uses
 * "qvirt-migrate-tls". remove() never fails the caller. */
#pragma once

#include <glib.h>

#include "conf/domain_job.h"
#include "conf/domain_obj.h"
#include "qemu/qemu_conf.h"

#define QEMU_MIGRATION_TLS_ALIAS "qvirt-migrate-tls"

/* SERVER: the destination's side (server-cert), else the client's. */
int qemu_migration_tls_check(const QemuDriverConfig *cfg, gboolean server);
int qemu_migration_tls_add(DomainObj *vm, DomainAsyncJob async_job, const QemuDriverConfig *cfg,
                           gboolean server);
void qemu_migration_tls_remove(DomainObj *vm, DomainAsyncJob async_job);

/* qemu_migration_resume.h: recovery of a post-copy migration that broke
 * off (QV_MIGRATE_POSTCOPY_RESUME), and what the source and destination
 * files hand to it.
 *
 * Contract: the entry points have the signatures and locking rules of the
 * five steps in qemu_migration.h (VM referenced and unlocked, one error
 * reported on failure); qemu_migration_src.c and qemu_migration_dst.c call
 * them first when the flag is given. Both sides work on the migration job
 * they kept in phase postcopy_failed; a failed or cancelled step puts its
 * side back in postcopy_failed, the job kept (ownerless) for another
 * attempt. */
#pragma once

#include <glib.h>

#include "qemu/qemu_migration.h"
#include "qemu/qemu_migration_cookie.h"

/* Source: Begin (phase begin_resume). */
char *qemu_migration_resume_src_begin(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                                      int nparams, char **ret_cookie_out, int *ret_cookie_outlen,
                                      unsigned int flags);
/* Source: Perform (phase perform_resume): `migrate` with resume, waits
 * until QEMU reports completed. */
int qemu_migration_resume_src_perform(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                                      int nparams, const char *cookie_in, int cookie_inlen,
                                      char **ret_cookie_out, int *ret_cookie_outlen,
                                      unsigned int flags);
/* Source: Confirm (phase confirm_resume): stops the source, ends the job;
 * CANCELLED (or a Perform that did not complete): back to postcopy_failed. */
int qemu_migration_resume_src_confirm(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                                      int nparams, const char *cookie_in, int cookie_inlen,
                                      unsigned int flags, int cancelled);
/* Destination: Prepare (phase prepare_resume): migrate-recover. */
int qemu_migration_resume_dst_prepare(QemuDriver *driver, QvConnect *dconn,
                                      const QvTypedParam *params, int nparams,
                                      const char *cookie_in, int cookie_inlen,
                                      char **ret_cookie_out, int *ret_cookie_outlen,
                                      char **ret_uri_out, unsigned int flags);
/* Destination: Finish (phase finish_resume): waits for completed, ends
 * the job; the domain (a new reference, unlocked) or NULL. */
DomainObj *qemu_migration_resume_dst_finish(QemuDriver *driver, QvConnect *dconn,
                                            const QvTypedParam *params, int nparams,
                                            const char *cookie_in, int cookie_inlen,
                                            char **ret_cookie_out, int *ret_cookie_outlen,
                                            unsigned int flags, int cancelled);

/* domjobabort with QV_DOMAIN_ABORT_JOB_POSTCOPY (VM referenced, unlocked):
 * break the outgoing post-copy migration of VM off with QMP migrate-pause
 * (the source's wait then leaves both sides post-copy-failed, ready for a
 * recovery). OPERATION_INVALID unless VM migrates out in post-copy. */
int qemu_migration_resume_pause(QemuDriver *driver, DomainObj *vm, unsigned int flags);

/* Destination, a normal Finish that is about to kill the incoming QEMU
 * (VM locked, MIGRATION_IN held): when that QEMU is already in post-copy
 * (the guest's state lives only here now), keep the domain instead, as it
 * is (paused, as the guest has not run here yet, or running) with reason
 * postcopy-failed and no lease; the job stays ownerless in
 * postcopy_failed, an OPERATION_FAILED error is reported and TRUE is
 * returned. FALSE (nothing changed, no error) otherwise. */
gboolean qemu_migration_resume_dst_keep(QemuDriver *driver, DomainObj *vm);

/* qemu_migration_dst.c: QV_MIGRATE_PERSIST_DEST at the end of Finish (VM
 * locked, running): the definition from "persistent_xml", COOKIE's
 * persistent section, or the running one, saved and made persistent. */
int qemu_migration_dst_persist(QemuDriver *driver, DomainObj *vm, const QvTypedParam *params,
                               int nparams, const QemuMigrationCookie *cookie);

/* qemu_migration_src.c: the end of a successful Confirm (VM locked, the
 * job held): completed statistics, JOB_COMPLETED, QEMU stopped (shut off,
 * migrated), undefined with QV_MIGRATE_UNDEFINE_SOURCE in FLAGS. */
int qemu_migration_src_stop_migrated(QemuDriver *driver, DomainObj *vm, const char *cookie_in,
                                     int cookie_inlen, unsigned int flags);

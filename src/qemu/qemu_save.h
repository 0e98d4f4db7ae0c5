/* qemu_save.h: saving a QEMU domain's memory and device state to a file
 * (save, managed save), restoring it (restore, start from a managed save
 * image), and the one piece they share with a full core dump: sending the
 * migration stream of a running QEMU into a file descriptor.
 *
 * Contract:
 * - A save is the async job SAVE (default mask: queries, destroy and abort
 *   are admitted), operation SAVE in the job statistics. The guest is
 *   paused (reason save, by the job), the image is written to a temporary
 *   name in the target's folder (qemu_save_image.h header, the domain XML,
 *   then QEMU's stream), synced and renamed: a partial save never looks
 *   valid. On success QEMU is stopped (shut off, reason saved) and a
 *   transient domain goes away. On failure or domjobabort the migration is
 *   cancelled, the temporary file removed and a guest the job paused
 *   resumed (reason save-canceled).
 * - A restore validates the image's header and XML before anything runs (a
 *   bad file starts nothing and changes no definition), then starts QEMU
 *   with `-incoming defer` under the async job START (operation RESTORE),
 *   feeds it the stream and resumes the guest unless the image or the
 *   flags say paused.
 * - Managed save images live in the driver's save folder as NAME.save.
 * - Entry points take VM referenced and UNLOCKED (like qemu_driver.h) and
 *   report one error on failure. */
#pragma once

#include <glib.h>

#include "conf/domain_job.h"
#include "conf/domain_obj.h"
#include "driver/save.h"
#include "qemu/qemu_driver.h"

/* Send VM's migration stream into FD (VM locked, async JOB held; FD stays
 * the caller's and is written from its current offset): set QEMU's
 * max-bandwidth to the config's save_max_bandwidth (0: unlimited), keeping
 * the original in the job (<migParams>), pass FD to QEMU (getfd), run
 * `migrate fd:NAME`, wait with progress in the job's statistics (the
 * migration source's loop), cancel QEMU's migration when the job's abort is
 * requested or anything fails, and put the bandwidth back. 0 once QEMU
 * reports completed, else -1 with one error (OPERATION_ABORTED, "JOB of
 * domain 'X' was cancelled on request", after an abort). With JOB SAVE the
 * crash point save-started fires right after `migrate`. The guest's run
 * state is the caller's business (QEMU leaves a completed guest paused). */
int qemu_save_migrate_to_fd(QemuDriver *driver, DomainObj *vm, DomainAsyncJob job, int fd);

/* ---- entry points (VM referenced and unlocked) ---- */

/* Save VM into the file TO (DXML: another definition of the same domain to
 * store in the image, may be NULL; flags QV_DOMAIN_SAVE_*). */
int qemu_save_domain(QemuDriver *driver, DomainObj *vm, const char *to, const char *dxml,
                     unsigned int flags);
/* Restore a domain from the file FROM (DXML may replace the stored
 * definition of the same domain). */
int qemu_save_restore(QemuDriver *driver, const char *from, const char *dxml, unsigned int flags);

/* The managed save image path of the domain named NAME (a new string). */
char *qemu_save_managed_path(QemuDriver *driver, const char *name);
int qemu_save_managed_save(QemuDriver *driver, DomainObj *vm, unsigned int flags);
/* 1 when VM has a managed save image, 0 when not. */
int qemu_save_has_managed_image(QemuDriver *driver, DomainObj *vm, unsigned int flags);
int qemu_save_managed_remove(QemuDriver *driver, DomainObj *vm, unsigned int flags);

/* ---- for qemu_driver.c (VM locked, no job held) ---- */

/* Start VM from its managed save image: 1 when it was restored (the image
 * is then removed), 0 when there is nothing to restore (no image, VM
 * running, or QV_DOMAIN_START_FORCE_BOOT in START_FLAGS, which removes
 * the image), -1 when the image cannot be restored (the image is kept and
 * the error says so). QV_DOMAIN_START_PAUSED keeps the guest paused. */
int qemu_save_managed_start(QemuDriver *driver, DomainObj *vm, unsigned int start_flags);
/* Undefining VM (the caller holds a modify job): OPERATION_INVALID while a
 * managed save image exists, unless QV_DOMAIN_UNDEFINE_MANAGED_SAVE is in
 * UNDEFINE_FLAGS, which removes it. */
int qemu_save_managed_undefine(QemuDriver *driver, DomainObj *vm, unsigned int undefine_flags);

/* qemu_migration_params.h: migration parameters: what the API's flags and
 * typed parameters (driver/migrate.h) mean for QEMU's migration
 * capabilities and parameters, applying them, and saving and restoring the
 * values a domain had before the migration (<migParams> in the job of the
 * status XML).
 *
 * Contract:
 * - qemu_migration_params_from_api() is pure: it validates types and
 *   values (INVALID_ARG naming the parameter) and maps:
 *     BANDWIDTH (MiB/s) -> max-bandwidth (bytes/s); BANDWIDTH_POSTCOPY ->
 *     max-postcopy-bandwidth; COMPRESSED / COMPRESSION "xbzrle" -> xbzrle
 *     capability, "mt" -> compress capability, with the compression.*
 *     values -> compress-level/-threads/decompress-threads/xbzrle-cache-size;
 *     AUTO_CONVERGE -> auto-converge (+ cpu-throttle-initial/-increment);
 *     POSTCOPY -> postcopy-ram; PARALLEL -> multifd (+ multifd-channels
 *     from PARALLEL_CONNECTIONS); TLS -> tls-creds/tls-hostname (set by
 *     qemu_migration_params_set_tls()); storage migration ->
 *     pause-before-switchover when QEMU has it (set by the caller with
 *     qemu_migration_params_set_cap()).
 *   Source-only and destination-only parameters follow libvirt: the
 *   destination ignores bandwidth, downtime and auto-converge.
 * - qemu_migration_params_check() refuses (OPERATION_UNSUPPORTED, naming it)
 *   a capability or parameter the running QEMU does not have.
 * - apply/save/restore talk to QEMU through the Enter/Exit wrappers of the
 *   async job ASYNC_JOB (VM locked, the async job held). restore never
 *   fails the caller: problems are logged.
 * - The saved original values live in the job's private data (see
 *   qemu_domain_job.h) and are written into <migParams> with every status
 *   write, so recovery after a restart can restore them. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "conf/domain_job.h"
#include "conf/domain_obj.h"
#include "driver/typedparams.h"
#include "qemu/qemu_capabilities.h"
#include "util/json.h"

typedef enum {
    QEMU_MIGRATION_SOURCE = 1,
    QEMU_MIGRATION_DESTINATION = 2,
} QemuMigrationParty;

typedef struct _QemuMigrationParams QemuMigrationParams;

QemuMigrationParams *qemu_migration_params_new(void);
void qemu_migration_params_free(QemuMigrationParams *params);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMigrationParams, qemu_migration_params_free)

/* From the API's typed parameters and QvMigrateFlags, for PARTY. */
QemuMigrationParams *qemu_migration_params_from_api(const QvTypedParam *params, int nparams,
                                                    unsigned int flags,
                                                    QemuMigrationParty party);

/* Set a capability / an integer or string parameter by QEMU's name. */
/* QEMU's max-bandwidth (bytes/s) for "no limit", as libvirt sets it: what a
 * guest starts with (QEMU's own default is a 128 MiB/s cap) and what a save
 * runs at unless throttled. */
#define QEMU_MIGRATION_BANDWIDTH_UNLIMITED ((G_MAXINT64 >> 20) << 20)

void qemu_migration_params_set_cap(QemuMigrationParams *params, const char *name, gboolean on);
void qemu_migration_params_set_int(QemuMigrationParams *params, const char *name,
                                   long long value);
void qemu_migration_params_set_string(QemuMigrationParams *params, const char *name,
                                      const char *value);
/* 1 and *RET_ON when the capability is set, 0 when it is not mentioned. */
int qemu_migration_params_get_cap(const QemuMigrationParams *params, const char *name,
                                  gboolean *ret_on);
/* 1 and *RET_VALUE when the parameter is set, 0 when not. */
int qemu_migration_params_get_int(const QemuMigrationParams *params, const char *name,
                                  long long *ret_value);
/* 1 and *RET_VALUE (borrowed) when the string parameter is set, 0 when not. */
int qemu_migration_params_get_string(const QemuMigrationParams *params, const char *name,
                                     const char **ret_value);
/* Whether PARAMS (may be NULL) sets nothing. */
gboolean qemu_migration_params_is_empty(const QemuMigrationParams *params);
/* TLS: tls-creds = CREDS_ALIAS and tls-hostname = HOSTNAME (may be NULL:
 * "" is sent, as QEMU wants). */
void qemu_migration_params_set_tls(QemuMigrationParams *params, const char *creds_alias,
                                   const char *hostname);

/* OPERATION_UNSUPPORTED when CAPS (the running QEMU) lacks one of them. */
int qemu_migration_params_check(const QemuMigrationParams *params, const QemuCaps *caps);

/* The migrate-set-parameters argument (a new object, possibly empty) and the
 * capability names/states for migrate-set-capabilities (new arrays, *RET_N
 * entries; NULL arrays when none). */
QvirtJson *qemu_migration_params_to_json(const QemuMigrationParams *params);
void qemu_migration_params_caps_to_arrays(const QemuMigrationParams *params,
                                          const char ***ret_names, bool **ret_states,
                                          size_t *ret_n);

/* Query QEMU's current capabilities and parameters and keep them in VM's
 * job private data as the originals (only the ones PARAMS touches). */
int qemu_migration_params_save_original(DomainObj *vm, DomainAsyncJob async_job,
                                        const QemuMigrationParams *params);
/* Send PARAMS to QEMU (capabilities first, then parameters). */
int qemu_migration_params_apply(DomainObj *vm, DomainAsyncJob async_job,
                                const QemuMigrationParams *params);
/* Put back the saved originals (if any) and forget them. */
void qemu_migration_params_restore(DomainObj *vm, DomainAsyncJob async_job);

/* <migParams> in the job of the status XML: write (nothing when PARAMS is
 * NULL or empty) and read (NULL with XML_ERROR on bad content; a missing
 * element gives an empty set through *RET_PARAMS = NULL and 0). */
void qemu_migration_params_format(const QemuMigrationParams *params, GString *buf, int indent);
int qemu_migration_params_parse(xmlXPathContextPtr ctxt, QemuMigrationParams **ret_params);

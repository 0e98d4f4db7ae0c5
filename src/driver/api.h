/* api.h: the in-process public API: what the RPC server dispatches into and
 * what tests call. One function per driver table entry (driver.h), named
 * after libvirt's call (qv_domain_suspend ~ virDomainSuspend).
 *
 * Contract of every function here:
 * - It resets the calling thread's error first, so after a failure the
 *   thread's last error is this call's.
 * - It checks what does not need the driver: a NULL connection is
 *   INVALID_CONN, a NULL domain handle INVALID_DOMAIN, a NULL argument or
 *   result pointer and flags outside the set libvirt defines for the call
 *   are INVALID_ARG ("unsupported flags (0x..) in function F"); calls that
 *   change anything fail with OPERATION_DENIED on a read-only connection.
 * - A NULL driver entry fails with NO_SUPPORT "this function is not
 *   supported by the connection driver: F". Two exceptions, as in libvirt:
 *   qv_connect_get_type() then answers the driver's name and
 *   qv_connect_supports_feature() answers 0.
 * - Then it calls the driver and returns its result; a failure the driver
 *   forgot to report becomes an INTERNAL_ERROR naming the call.
 * - Handles returned are new references (qv_domain_unref); strings and
 *   arrays are the caller's. */
#pragma once

#include <glib.h>

#include "driver/connect.h"
#include "driver/driver.h"
#include "driver/event.h"
#include "driver/migrate.h"
#include "driver/typedparams.h"

/* ---- connections ---- */

/* Open URI (NULL or "": $QVIRT_DEFAULT_URI, else a driver's default) with
 * FLAGS (QV_CONNECT_RO, QV_CONNECT_NO_ALIASES). A bad URI is INVALID_ARG;
 * no driver for it is NO_CONNECT; a driver's refusal is its own error. */
QvConnect *qv_connect_open(const char *uri, unsigned int flags);
/* Deregister CONN's event callbacks and close callback, and give back the
 * opener's reference. Returns the references left (0: closed), or -1. */
int qv_connect_close(QvConnect *conn);

/* The canonical URI of CONN; a new string. */
char *qv_connect_get_uri(QvConnect *conn);
/* Register CB as CONN's close callback; OPERATION_INVALID when one is
 * already registered. */
int qv_connect_register_close_callback(QvConnect *conn, QvConnectCloseFunc cb, gpointer opaque,
                                       GDestroyNotify free_opaque);
/* OPERATION_INVALID when CB is not the registered one. */
int qv_connect_unregister_close_callback(QvConnect *conn, QvConnectCloseFunc cb);

const char *qv_connect_get_type(QvConnect *conn);
int qv_connect_get_version(QvConnect *conn, unsigned long long *ret_version);
char *qv_connect_get_hostname(QvConnect *conn);
char *qv_connect_get_capabilities(QvConnect *conn);
/* TYPE may be NULL. */
int qv_connect_get_max_vcpus(QvConnect *conn, const char *type);
int qv_node_get_info(QvConnect *conn, QvNodeInfo *ret_info);
/* 1 supported, 0 not, -1 error. */
int qv_connect_supports_feature(QvConnect *conn, int feature);
char *qv_connect_domain_xml_to_native(QvConnect *conn, const char *format, const char *xml,
                                      unsigned int flags);

/* Count of domains and a NULL-terminated array (qv_domain_list_free);
 * RET_DOMAINS may be NULL to count only. */
int qv_connect_list_all_domains(QvConnect *conn, QvDomain ***ret_domains, unsigned int flags);
int qv_connect_num_of_domains(QvConnect *conn);
/* Ids of up to MAXIDS running domains. */
int qv_connect_list_domains(QvConnect *conn, int *ids, int maxids);
int qv_connect_num_of_defined_domains(QvConnect *conn);
/* Names (new strings) of up to MAXNAMES defined, inactive domains. */
int qv_connect_list_defined_domains(QvConnect *conn, char **names, int maxnames);

/* ---- events ---- */

/* Register CB for EVENT_ID on CONN, for every domain or only DOM (may be
 * NULL). Returns a callback id (> 0) or -1. OPAQUE is freed with
 * FREE_OPAQUE after deregistration, never on failure. */
int qv_connect_domain_event_register_any(QvConnect *conn, QvDomain *dom, int event_id,
                                         QvDomainEventCallback cb, gpointer opaque,
                                         GDestroyNotify free_opaque);
int qv_connect_domain_event_deregister_any(QvConnect *conn, int callback_id);

/* ---- domains ---- */

const char *qv_domain_get_name(QvDomain *dom);
/* Copies the 16 bytes into RET_UUID. */
int qv_domain_get_uuid(QvDomain *dom, unsigned char *ret_uuid);
/* The id the handle was made with; -1 when inactive. */
int qv_domain_get_id(QvDomain *dom);
/* The handle's connection (borrowed). */
QvConnect *qv_domain_get_connect(QvDomain *dom);

QvDomain *qv_domain_lookup_by_id(QvConnect *conn, int id);
QvDomain *qv_domain_lookup_by_name(QvConnect *conn, const char *name);
QvDomain *qv_domain_lookup_by_uuid(QvConnect *conn, const unsigned char *uuid);
/* UUID in text form; a malformed one is INVALID_ARG. */
QvDomain *qv_domain_lookup_by_uuid_string(QvConnect *conn, const char *uuid);

QvDomain *qv_domain_define_xml(QvConnect *conn, const char *xml);
QvDomain *qv_domain_define_xml_flags(QvConnect *conn, const char *xml, unsigned int flags);
int qv_domain_undefine(QvDomain *dom);
int qv_domain_undefine_flags(QvDomain *dom, unsigned int flags);
int qv_domain_create(QvDomain *dom);
int qv_domain_create_with_flags(QvDomain *dom, unsigned int flags);
QvDomain *qv_domain_create_xml(QvConnect *conn, const char *xml, unsigned int flags);
int qv_domain_destroy(QvDomain *dom);
int qv_domain_destroy_flags(QvDomain *dom, unsigned int flags);
int qv_domain_shutdown(QvDomain *dom);
int qv_domain_shutdown_flags(QvDomain *dom, unsigned int flags);
int qv_domain_reboot(QvDomain *dom, unsigned int flags);
int qv_domain_reset(QvDomain *dom, unsigned int flags);
int qv_domain_suspend(QvDomain *dom);
int qv_domain_resume(QvDomain *dom);

int qv_domain_get_info(QvDomain *dom, QvDomainInfo *ret_info);
/* RET_REASON may be NULL. */
int qv_domain_get_state(QvDomain *dom, int *ret_state, int *ret_reason, unsigned int flags);
/* QV_DOMAIN_XML_SECURE is refused on a read-only connection. */
char *qv_domain_get_xml_desc(QvDomain *dom, unsigned int flags);
int qv_domain_get_autostart(QvDomain *dom, int *ret_autostart);
int qv_domain_set_autostart(QvDomain *dom, int autostart);
/* 1 or 0, -1 on error. */
int qv_domain_is_active(QvDomain *dom);
int qv_domain_is_persistent(QvDomain *dom);

int qv_domain_get_job_info(QvDomain *dom, QvDomainJobInfo *ret_info);
/* *RET_PARAMS: free with qv_typed_params_free(*RET_PARAMS, *RET_NPARAMS). */
int qv_domain_get_job_stats(QvDomain *dom, int *ret_type, QvTypedParam **ret_params,
                            int *ret_nparams, unsigned int flags);
int qv_domain_abort_job(QvDomain *dom);
int qv_domain_abort_job_flags(QvDomain *dom, unsigned int flags);

/* ---- migration (driver/migrate.h; libvirt's virDomainMigrate*) ---- */

/* The five steps, one per driver entry; refused on read-only connections. */
char *qv_domain_migrate_begin3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                      char **ret_cookie_out, int *ret_cookie_outlen,
                                      unsigned int flags);
int qv_domain_migrate_prepare3_params(QvConnect *dconn, const QvTypedParam *params, int nparams,
                                      const char *cookie_in, int cookie_inlen,
                                      char **ret_cookie_out, int *ret_cookie_outlen,
                                      char **ret_uri_out, unsigned int flags);
int qv_domain_migrate_perform3_params(QvDomain *dom, const char *dconnuri,
                                      const QvTypedParam *params, int nparams,
                                      const char *cookie_in, int cookie_inlen,
                                      char **ret_cookie_out, int *ret_cookie_outlen,
                                      unsigned int flags);
QvDomain *qv_domain_migrate_finish3_params(QvConnect *dconn, const QvTypedParam *params,
                                           int nparams, const char *cookie_in, int cookie_inlen,
                                           char **ret_cookie_out, int *ret_cookie_outlen,
                                           unsigned int flags, int cancelled);
int qv_domain_migrate_confirm3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                      const char *cookie_in, int cookie_inlen, unsigned int flags,
                                      int cancelled);

/* virDomainMigrate3: migrate DOM to the daemon of DCONN. Without
 * QV_MIGRATE_PEER2PEER the caller drives Begin, Prepare, Perform, Finish and
 * Confirm over the two connections, handing the cookies on; with it, DCONN
 * only names the destination (its URI) and the source daemon runs the steps
 * itself. Returns the domain on the destination (a new handle) or NULL. */
QvDomain *qv_domain_migrate3(QvDomain *dom, QvConnect *dconn, const QvTypedParam *params,
                             int nparams, unsigned int flags);
/* virDomainMigrateToURI3: peer-to-peer to DCONNURI (QV_MIGRATE_PEER2PEER
 * required). */
int qv_domain_migrate_to_uri3(QvDomain *dom, const char *dconnuri, const QvTypedParam *params,
                              int nparams, unsigned int flags);

int qv_domain_migrate_set_max_downtime(QvDomain *dom, unsigned long long downtime_ms,
                                       unsigned int flags);
int qv_domain_migrate_get_max_downtime(QvDomain *dom, unsigned long long *ret_downtime_ms,
                                       unsigned int flags);
int qv_domain_migrate_set_max_speed(QvDomain *dom, unsigned long long bandwidth_mibs,
                                    unsigned int flags);
int qv_domain_migrate_get_max_speed(QvDomain *dom, unsigned long long *ret_bandwidth_mibs,
                                    unsigned int flags);
int qv_domain_migrate_start_post_copy(QvDomain *dom, unsigned int flags);

/* ---- save, restore, managed save, core dump (driver/save.h; libvirt's
 * virDomainSave*, virDomainRestore*, virDomainManagedSave*,
 * virDomainCoreDump*) ---- */
int qv_domain_save(QvDomain *dom, const char *to);
int qv_domain_save_flags(QvDomain *dom, const char *to, const char *dxml, unsigned int flags);
int qv_domain_restore(QvConnect *conn, const char *from);
int qv_domain_restore_flags(QvConnect *conn, const char *from, const char *dxml,
                            unsigned int flags);
int qv_domain_managed_save(QvDomain *dom, unsigned int flags);
/* 1 or 0, -1 on error. */
int qv_domain_has_managed_save_image(QvDomain *dom, unsigned int flags);
int qv_domain_managed_save_remove(QvDomain *dom, unsigned int flags);
int qv_domain_core_dump(QvDomain *dom, const char *to, unsigned int flags);
int qv_domain_core_dump_with_format(QvDomain *dom, const char *to, unsigned int dumpformat,
                                    unsigned int flags);

/* ---- block jobs (driver/blockjob.h; libvirt's virDomainBlock*) ----
 * All but the info call are refused on read-only connections. */
int qv_domain_block_pull(QvDomain *dom, const char *disk, unsigned long long bandwidth,
                         unsigned int flags);
int qv_domain_block_rebase(QvDomain *dom, const char *disk, const char *base,
                           unsigned long long bandwidth, unsigned int flags);
int qv_domain_block_commit(QvDomain *dom, const char *disk, const char *base, const char *top,
                           unsigned long long bandwidth, unsigned int flags);
int qv_domain_block_copy(QvDomain *dom, const char *disk, const char *destxml,
                         const QvTypedParam *params, int nparams, unsigned int flags);
int qv_domain_block_job_abort(QvDomain *dom, const char *disk, unsigned int flags);
/* 1 with *RET_INFO when DISK has a job, 0 when not, -1 on error. */
int qv_domain_get_block_job_info(QvDomain *dom, const char *disk, QvDomainBlockJobInfo *ret_info,
                                 unsigned int flags);
int qv_domain_block_job_set_speed(QvDomain *dom, const char *disk, unsigned long long bandwidth,
                                  unsigned int flags);

/* *RET_RESULT is a new string. Refused on read-only connections. */
int qv_domain_qemu_monitor_command(QvDomain *dom, const char *cmd, char **ret_result,
                                   unsigned int flags);

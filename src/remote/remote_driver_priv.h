/* remote_driver_priv.h: what the remote driver's files share (see
 * remote_driver.h): the call helper, the domain handle conversions and the
 * migration entries of remote_driver_migrate.c. Not for other layers. */
#pragma once

#include "rpc/rpc_message.h"

#include "driver/api.h"
#include "rpc/remote_protocol.h"
#include "rpc/rpc_typedparams.h"

/* Call REMOTE procedure PROC on CONN's daemon (see remote_driver.c). */
int remote_call(QvConnect *conn, int proc, xdrproc_t args_proc, void *args, xdrproc_t ret_proc,
                void *ret);

/* DOM as a wire handle; RET_WIRE borrows DOM's name. */
void remote_dom_to_wire(QvDomain *dom, remote_nonnull_domain *ret_wire);
/* A new handle on CONN for the wire handle WIRE. */
QvDomain *remote_dom_from_wire(QvConnect *conn, const remote_nonnull_domain *wire);
/* Call REMOTE procedure PROC on DOM's connection with the arguments
 * {dom, flags} (the layout of every remote_domain_X_args holding just `dom`
 * and `flags`) and no return payload; 0 on success, -1 with the error set. */
int remote_dom_flags_call(QvDomain *dom, int proc, unsigned int flags);
/* The migration entries (remote_driver_migrate.c). */
char *remote_domain_migrate_begin3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                          char **ret_cookie_out, int *ret_cookie_outlen,
                                          unsigned int flags);
int remote_domain_migrate_prepare3_params(QvConnect *dconn, const QvTypedParam *params, int nparams,
                                          const char *cookie_in, int cookie_inlen,
                                          char **ret_cookie_out, int *ret_cookie_outlen,
                                          char **ret_uri_out, unsigned int flags);
int remote_domain_migrate_perform3_params(QvDomain *dom, const char *dconnuri,
                                          const QvTypedParam *params, int nparams,
                                          const char *cookie_in, int cookie_inlen,
                                          char **ret_cookie_out, int *ret_cookie_outlen,
                                          unsigned int flags);
QvDomain *remote_domain_migrate_finish3_params(QvConnect *dconn, const QvTypedParam *params,
                                               int nparams, const char *cookie_in, int cookie_inlen,
                                               char **ret_cookie_out, int *ret_cookie_outlen,
                                               unsigned int flags, int cancelled);
int remote_domain_migrate_confirm3_params(QvDomain *dom, const QvTypedParam *params, int nparams,
                                          const char *cookie_in, int cookie_inlen,
                                          unsigned int flags, int cancelled);
int remote_domain_migrate_set_max_downtime(QvDomain *dom, unsigned long long downtime_ms,
                                           unsigned int flags);
int remote_domain_migrate_get_max_downtime(QvDomain *dom, unsigned long long *ret_downtime_ms,
                                           unsigned int flags);
int remote_domain_migrate_set_max_speed(QvDomain *dom, unsigned long long bandwidth_mibs,
                                        unsigned int flags);
int remote_domain_migrate_get_max_speed(QvDomain *dom, unsigned long long *ret_bandwidth_mibs,
                                        unsigned int flags);
int remote_domain_migrate_start_post_copy(QvDomain *dom, unsigned int flags);
/* The block job entries (remote_driver_blockjob.c). */
int remote_domain_block_pull(QvDomain *dom, const char *disk, unsigned long long bandwidth,
                             unsigned int flags);
int remote_domain_block_rebase(QvDomain *dom, const char *disk, const char *base,
                               unsigned long long bandwidth, unsigned int flags);
int remote_domain_block_commit(QvDomain *dom, const char *disk, const char *base,
                               const char *top, unsigned long long bandwidth, unsigned int flags);
int remote_domain_block_copy(QvDomain *dom, const char *disk, const char *destxml,
                             const QvTypedParam *params, int nparams, unsigned int flags);
int remote_domain_block_job_abort(QvDomain *dom, const char *disk, unsigned int flags);
int remote_domain_get_block_job_info(QvDomain *dom, const char *disk,
                                     QvDomainBlockJobInfo *ret_info, unsigned int flags);
int remote_domain_block_job_set_speed(QvDomain *dom, const char *disk,
                                      unsigned long long bandwidth, unsigned int flags);
/* The save, restore, managed save and core dump entries
 * (remote_driver_save.c). */
int remote_domain_save_flags(QvDomain *dom, const char *to, const char *dxml, unsigned int flags);
int remote_domain_restore_flags(QvConnect *conn, const char *from, const char *dxml,
                                unsigned int flags);
int remote_domain_managed_save(QvDomain *dom, unsigned int flags);
int remote_domain_has_managed_save_image(QvDomain *dom, unsigned int flags);
int remote_domain_managed_save_remove(QvDomain *dom, unsigned int flags);
int remote_domain_core_dump_with_format(QvDomain *dom, const char *to, unsigned int dumpformat,
                                        unsigned int flags);

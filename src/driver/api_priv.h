/* api_priv.h: checks shared by the public entry points (api_connect.c,
 * api_domain.c). Each check reports its error and returns FALSE. */
#pragma once

#include "driver/api.h"

gboolean qv_api_check_conn(QvConnect *conn, const char *api);
gboolean qv_api_check_domain(QvDomain *dom, const char *api);
gboolean qv_api_check_arg(gconstpointer arg, const char *name, const char *api);
gboolean qv_api_check_flags(unsigned int flags, unsigned int known, const char *api);
/* OPERATION_DENIED on a read-only connection. */
gboolean qv_api_check_writable(QvConnect *conn, const char *api);
/* Reports NO_SUPPORT and returns -1. */
int qv_api_no_support(const char *api);
/* After a driver call that failed: report INTERNAL_ERROR if the driver did
 * not report anything. */
void qv_api_failed(QvConnect *conn, const char *api);

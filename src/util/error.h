/* error.h: the thread-local last-error slot and the reporting macros.
 *
 * Contract: a function that fails reports exactly one error, at the place that
 * knows why, then returns -1 or NULL; callers propagate without reporting
 * again. Codes and domains keep libvirt's numbers (virterror.h) so remote
 * clients print the right message. Every file that reports defines
 * QVIRT_FROM_THIS (an error domain) before using the macros. */
#pragma once

#include <glib.h>

#include "util/i18n.h"

/* libvirt's virErrorNumber values; only those qvirt uses are named. */
typedef enum {
    QVIRT_ERR_OK = 0,
    QVIRT_ERR_INTERNAL_ERROR = 1,
    QVIRT_ERR_NO_MEMORY = 2,
    QVIRT_ERR_NO_SUPPORT = 3,
    QVIRT_ERR_NO_CONNECT = 5,
    QVIRT_ERR_INVALID_CONN = 6,
    QVIRT_ERR_INVALID_DOMAIN = 7,
    QVIRT_ERR_INVALID_ARG = 8,
    QVIRT_ERR_OPERATION_FAILED = 9,
    QVIRT_ERR_XML_ERROR = 27,
    QVIRT_ERR_DOM_EXIST = 28,
    QVIRT_ERR_OPERATION_DENIED = 29,
    QVIRT_ERR_OPEN_FAILED = 30,
    QVIRT_ERR_READ_FAILED = 31,
    QVIRT_ERR_PARSE_FAILED = 32,
    QVIRT_ERR_CONF_SYNTAX = 33,
    QVIRT_ERR_WRITE_FAILED = 34,
    QVIRT_ERR_XML_DETAIL = 35,
    QVIRT_ERR_SYSTEM_ERROR = 38,
    QVIRT_ERR_RPC = 39,
    QVIRT_ERR_GNUTLS_ERROR = 40,
    QVIRT_ERR_NO_DOMAIN = 42,
    QVIRT_ERR_INVALID_MAC = 44,
    QVIRT_ERR_AUTH_FAILED = 45,
    QVIRT_ERR_OPERATION_INVALID = 55,
    QVIRT_ERR_CONFIG_UNSUPPORTED = 67,
    QVIRT_ERR_OPERATION_TIMEOUT = 68,
    QVIRT_ERR_ARGUMENT_UNSUPPORTED = 74,
    QVIRT_ERR_OPERATION_ABORTED = 78,
    QVIRT_ERR_OVERFLOW = 82,
    QVIRT_ERR_BLOCK_COPY_ACTIVE = 83,
    QVIRT_ERR_OPERATION_UNSUPPORTED = 84,
    QVIRT_ERR_RESOURCE_BUSY = 87,
    QVIRT_ERR_XML_INVALID_SCHEMA = 92,
    QVIRT_ERR_MIGRATE_FINISH_OK = 93,
    QVIRT_ERR_NO_SERVER = 95,
    QVIRT_ERR_NO_CLIENT = 96,
    QVIRT_ERR_DEVICE_MISSING = 99,
} QvirtErrorCode;

/* libvirt's virErrorDomain values; only those qvirt uses are named. */
typedef enum {
    QVIRT_FROM_NONE = 0,
    QVIRT_FROM_XML = 5,
    QVIRT_FROM_DOM = 6,
    QVIRT_FROM_RPC = 7,
    QVIRT_FROM_CONF = 9,
    QVIRT_FROM_QEMU = 10,
    QVIRT_FROM_NET = 11,
    QVIRT_FROM_TEST = 12,
    QVIRT_FROM_REMOTE = 13,
    QVIRT_FROM_DOMAIN = 20,
    QVIRT_FROM_EVENT = 40,
    QVIRT_FROM_CAPABILITIES = 44,
    QVIRT_FROM_URI = 45,
    QVIRT_FROM_AUTH = 46,
    QVIRT_FROM_DEVICE = 49,
    QVIRT_FROM_THREAD = 61,
    QVIRT_FROM_LOGGING = 63,
} QvirtErrorDomain;

/* libvirt's virErrorLevel. */
typedef enum {
    QVIRT_ERR_LEVEL_NONE = 0,
    QVIRT_ERR_LEVEL_WARNING = 1,
    QVIRT_ERR_LEVEL_ERROR = 2,
} QvirtErrorLevel;

typedef struct {
    int code;     /* QvirtErrorCode */
    int domain;   /* QvirtErrorDomain */
    int level;    /* QvirtErrorLevel */
    char *message;
} QvirtError;

void qvirt_error_report_full(int domain, int code, const char *file, const char *func,
                             int line, const char *fmt, ...) G_GNUC_PRINTF(6, 7);
void qvirt_error_report_system_full(int domain, int errnum, const char *file, const char *func,
                                    int line, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* Report CODE with a printf-style, already translated message. */
#define qvirt_report_error(code, ...) \
    qvirt_error_report_full(QVIRT_FROM_THIS, (code), __FILE__, __func__, __LINE__, __VA_ARGS__)

/* Report SYSTEM_ERROR; ": strerror(errnum)" is appended to the message. */
#define qvirt_report_system_error(errnum, ...) \
    qvirt_error_report_system_full(QVIRT_FROM_THIS, (errnum), __FILE__, __func__, __LINE__, \
                                   __VA_ARGS__)

/* Report a broken internal invariant (INTERNAL_ERROR). */
#define qvirt_report_internal(...) qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR, __VA_ARGS__)

/* The calling thread's last error, or NULL when none is set. */
const QvirtError *qvirt_error_get_last(void);
/* The last error's code, or QVIRT_ERR_OK. */
int qvirt_error_last_code(void);
/* The last error's message, or a generic text when none is set; never NULL. */
const char *qvirt_error_last_message(void);
void qvirt_error_reset(void);

/* Set the slot from an error received from elsewhere (e.g. a remote reply). */
void qvirt_error_set(int domain, int code, int level, const char *message);

/* Keep the current error across cleanup code that may report its own. */
QvirtError *qvirt_error_save(void);
void qvirt_error_restore(QvirtError *saved); /* takes ownership */

QvirtError *qvirt_error_copy(const QvirtError *err);
void qvirt_error_free(QvirtError *err);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvirtError, qvirt_error_free)

/* libvirt-style name of a code, e.g. "OPERATION_TIMEOUT", for logs and tests. */
const char *qvirt_error_code_name(int code);

/* error.c: the thread-local last-error slot (see error.h for the contract). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "util/error.h"
#include "util/log.h"

QVIRT_LOG_INIT("util.error");

static void
qvirt_error_slot_free(gpointer data)
{
    qvirt_error_free(data);
}

static GPrivate qvirt_error_slot = G_PRIVATE_INIT(qvirt_error_slot_free);

void
qvirt_error_free(QvirtError *err)
{
    if (!err)
        return;
    g_free(err->message);
    g_free(err);
}

QvirtError *
qvirt_error_copy(const QvirtError *err)
{
    QvirtError *copy;

    if (!err)
        return NULL;
    copy = g_new0(QvirtError, 1);
    copy->code = err->code;
    copy->domain = err->domain;
    copy->level = err->level;
    copy->message = g_strdup(err->message);
    return copy;
}

void
qvirt_error_set(int domain, int code, int level, const char *message)
{
    QvirtError *err = g_new0(QvirtError, 1);

    err->domain = domain;
    err->code = code;
    err->level = level;
    err->message = g_strdup(message ? message : _("unknown error"));
    g_private_replace(&qvirt_error_slot, err);
}

static void
qvirt_error_store(int domain, int code, const char *file, const char *func, int line,
                  char *message)
{
    qvirt_log_message(QVIRT_LOG_ERROR, qvirt_log_module, file, line, func, "%s", message);
    qvirt_error_set(domain, code, QVIRT_ERR_LEVEL_ERROR, message);
    g_free(message);
}

void
qvirt_error_report_full(int domain, int code, const char *file, const char *func, int line,
                        const char *fmt, ...)
{
    va_list args;
    char *message;

    va_start(args, fmt);
    message = g_strdup_vprintf(fmt, args);
    va_end(args);
    qvirt_error_store(domain, code, file, func, line, message);
}

void
qvirt_error_report_system_full(int domain, int errnum, const char *file, const char *func,
                               int line, const char *fmt, ...)
{
    va_list args;
    g_autofree char *prefix = NULL;

    va_start(args, fmt);
    prefix = g_strdup_vprintf(fmt, args);
    va_end(args);
    qvirt_error_store(domain, QVIRT_ERR_SYSTEM_ERROR, file, func, line,
                      g_strdup_printf("%s: %s", prefix, g_strerror(errnum)));
}

const QvirtError *
qvirt_error_get_last(void)
{
    return g_private_get(&qvirt_error_slot);
}

int
qvirt_error_last_code(void)
{
    const QvirtError *err = qvirt_error_get_last();

    return err ? err->code : QVIRT_ERR_OK;
}

const char *
qvirt_error_last_message(void)
{
    const QvirtError *err = qvirt_error_get_last();

    return err && err->message ? err->message : _("an error occurred, but the cause is unknown");
}

void
qvirt_error_reset(void)
{
    g_private_replace(&qvirt_error_slot, NULL);
}

QvirtError *
qvirt_error_save(void)
{
    return qvirt_error_copy(qvirt_error_get_last());
}

void
qvirt_error_restore(QvirtError *saved)
{
    g_private_replace(&qvirt_error_slot, saved);
}

static const struct {
    int code;
    const char *name;
} qvirt_error_names[] = {
    { QVIRT_ERR_OK, "OK" },
    { QVIRT_ERR_INTERNAL_ERROR, "INTERNAL_ERROR" },
    { QVIRT_ERR_NO_MEMORY, "NO_MEMORY" },
    { QVIRT_ERR_NO_SUPPORT, "NO_SUPPORT" },
    { QVIRT_ERR_NO_CONNECT, "NO_CONNECT" },
    { QVIRT_ERR_INVALID_CONN, "INVALID_CONN" },
    { QVIRT_ERR_INVALID_DOMAIN, "INVALID_DOMAIN" },
    { QVIRT_ERR_INVALID_ARG, "INVALID_ARG" },
    { QVIRT_ERR_OPERATION_FAILED, "OPERATION_FAILED" },
    { QVIRT_ERR_XML_ERROR, "XML_ERROR" },
    { QVIRT_ERR_DOM_EXIST, "DOM_EXIST" },
    { QVIRT_ERR_OPERATION_DENIED, "OPERATION_DENIED" },
    { QVIRT_ERR_OPEN_FAILED, "OPEN_FAILED" },
    { QVIRT_ERR_READ_FAILED, "READ_FAILED" },
    { QVIRT_ERR_PARSE_FAILED, "PARSE_FAILED" },
    { QVIRT_ERR_CONF_SYNTAX, "CONF_SYNTAX" },
    { QVIRT_ERR_WRITE_FAILED, "WRITE_FAILED" },
    { QVIRT_ERR_XML_DETAIL, "XML_DETAIL" },
    { QVIRT_ERR_SYSTEM_ERROR, "SYSTEM_ERROR" },
    { QVIRT_ERR_RPC, "RPC" },
    { QVIRT_ERR_GNUTLS_ERROR, "GNUTLS_ERROR" },
    { QVIRT_ERR_NO_DOMAIN, "NO_DOMAIN" },
    { QVIRT_ERR_INVALID_MAC, "INVALID_MAC" },
    { QVIRT_ERR_AUTH_FAILED, "AUTH_FAILED" },
    { QVIRT_ERR_OPERATION_INVALID, "OPERATION_INVALID" },
    { QVIRT_ERR_CONFIG_UNSUPPORTED, "CONFIG_UNSUPPORTED" },
    { QVIRT_ERR_OPERATION_TIMEOUT, "OPERATION_TIMEOUT" },
    { QVIRT_ERR_ARGUMENT_UNSUPPORTED, "ARGUMENT_UNSUPPORTED" },
    { QVIRT_ERR_OPERATION_ABORTED, "OPERATION_ABORTED" },
    { QVIRT_ERR_OVERFLOW, "OVERFLOW" },
    { QVIRT_ERR_BLOCK_COPY_ACTIVE, "BLOCK_COPY_ACTIVE" },
    { QVIRT_ERR_OPERATION_UNSUPPORTED, "OPERATION_UNSUPPORTED" },
    { QVIRT_ERR_RESOURCE_BUSY, "RESOURCE_BUSY" },
    { QVIRT_ERR_XML_INVALID_SCHEMA, "XML_INVALID_SCHEMA" },
    { QVIRT_ERR_MIGRATE_FINISH_OK, "MIGRATE_FINISH_OK" },
    { QVIRT_ERR_NO_SERVER, "NO_SERVER" },
    { QVIRT_ERR_NO_CLIENT, "NO_CLIENT" },
    { QVIRT_ERR_DEVICE_MISSING, "DEVICE_MISSING" },
};

const char *
qvirt_error_code_name(int code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qvirt_error_names); i++) {
        if (qvirt_error_names[i].code == code)
            return qvirt_error_names[i].name;
    }
    return "UNKNOWN";
}

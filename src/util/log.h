/* log.h: levelled logging with per-module filters and configurable outputs.
 *
 * Filters and outputs use libvirt's syntax:
 *   QVIRT_LOG_FILTERS="1:qemu.monitor 3:util"   level:module-prefix, first match wins
 *   QVIRT_LOG_OUTPUTS="2:stderr 1:file:/var/log/qvirtd.log"
 *   QVIRT_LOG_LEVEL=3                           default level for unfiltered modules
 * Each line carries a UTC timestamp, the thread id, level, module, function and line.
 * Logging is thread safe and never reports errors into the error slot. */
#pragma once

#include <glib.h>

typedef enum {
    QVIRT_LOG_DEBUG = 1,
    QVIRT_LOG_INFO = 2,
    QVIRT_LOG_WARN = 3,
    QVIRT_LOG_ERROR = 4,
} QvirtLogPriority;

/* Declare the module name of a source file, e.g. QVIRT_LOG_INIT("qemu.monitor"). */
#define QVIRT_LOG_INIT(name) static const char *const qvirt_log_module G_GNUC_UNUSED = (name)

void qvirt_log_message(QvirtLogPriority prio, const char *module, const char *file, int line,
                       const char *func, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* Whether a message of PRIO from MODULE would be written anywhere. */
gboolean qvirt_log_enabled(QvirtLogPriority prio, const char *module);

#define QVIRT_LOG_AT(prio, ...) \
    qvirt_log_message((prio), qvirt_log_module, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define QVIRT_DEBUG(...) QVIRT_LOG_AT(QVIRT_LOG_DEBUG, __VA_ARGS__)
#define QVIRT_INFO(...) QVIRT_LOG_AT(QVIRT_LOG_INFO, __VA_ARGS__)
#define QVIRT_WARN(...) QVIRT_LOG_AT(QVIRT_LOG_WARN, __VA_ARGS__)
#define QVIRT_ERROR(...) QVIRT_LOG_AT(QVIRT_LOG_ERROR, __VA_ARGS__)

/* Each setter returns 0, or -1 with an error reported (the old setting stays). */
int qvirt_log_set_default_priority(int prio);
int qvirt_log_set_filters(const char *spec);
int qvirt_log_set_outputs(const char *spec);
/* Reads QVIRT_LOG_LEVEL, QVIRT_LOG_FILTERS and QVIRT_LOG_OUTPUTS; -1 on a bad value. */
int qvirt_log_init_from_env(void);
/* Back to the defaults: level WARN, no filters, output to stderr. */
void qvirt_log_reset(void);

/* Parse a priority: "1".."4" or "debug", "info", "warning", "error"; -1 if invalid. */
int qvirt_log_priority_from_string(const char *str);

/* log.c: log filters, outputs and the line format (see log.h for the syntax). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_LOGGING

typedef struct {
    int prio;
    char *match; /* module prefix */
} QvirtLogFilter;

typedef struct {
    int prio;
    int fd;        /* STDERR_FILENO or a file we opened */
    gboolean owned;
} QvirtLogOutput;

static GMutex qvirt_log_lock;
static int qvirt_log_default_prio = QVIRT_LOG_WARN;
static GPtrArray *qvirt_log_filters;  /* QvirtLogFilter*, NULL when none */
static GArray *qvirt_log_outputs;     /* QvirtLogOutput, NULL means plain stderr */

static const char *const qvirt_log_prio_names[] = { NULL, "debug", "info", "warning", "error" };

int
qvirt_log_priority_from_string(const char *str)
{
    if (!str || !*str)
        return -1;
    if (str[0] >= '1' && str[0] <= '4' && str[1] == '\0')
        return str[0] - '0';
    for (int i = QVIRT_LOG_DEBUG; i <= QVIRT_LOG_ERROR; i++) {
        if (g_ascii_strcasecmp(str, qvirt_log_prio_names[i]) == 0)
            return i;
    }
    if (g_ascii_strcasecmp(str, "warn") == 0)
        return QVIRT_LOG_WARN;
    return -1;
}

static void
qvirt_log_filter_free(gpointer data)
{
    QvirtLogFilter *filter = data;

    g_free(filter->match);
    g_free(filter);
}

static void
qvirt_log_outputs_free(GArray *outputs)
{
    if (!outputs)
        return;
    for (guint i = 0; i < outputs->len; i++) {
        QvirtLogOutput *out = &g_array_index(outputs, QvirtLogOutput, i);
        if (out->owned)
            close(out->fd);
    }
    g_array_unref(outputs);
}

/* Must be called with qvirt_log_lock held. */
static int
qvirt_log_threshold_locked(const char *module)
{
    if (qvirt_log_filters && module) {
        for (guint i = 0; i < qvirt_log_filters->len; i++) {
            QvirtLogFilter *filter = g_ptr_array_index(qvirt_log_filters, i);
            if (g_str_has_prefix(module, filter->match))
                return filter->prio;
        }
    }
    return qvirt_log_default_prio;
}

gboolean
qvirt_log_enabled(QvirtLogPriority prio, const char *module)
{
    gboolean enabled;

    g_mutex_lock(&qvirt_log_lock);
    enabled = (int)prio >= qvirt_log_threshold_locked(module);
    g_mutex_unlock(&qvirt_log_lock);
    return enabled;
}

static void
qvirt_log_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* logging never fails its caller */
        }
        buf += n;
        len -= (size_t)n;
    }
}

void
qvirt_log_message(QvirtLogPriority prio, const char *module, const char *file, int line,
                  const char *func, const char *fmt, ...)
{
    va_list args;
    g_autofree char *message = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GDateTime) now = NULL;
    g_autofree char *stamp = NULL;
    int saved_errno = errno;

    if (prio < QVIRT_LOG_DEBUG || prio > QVIRT_LOG_ERROR)
        prio = QVIRT_LOG_ERROR;
    if (!qvirt_log_enabled(prio, module)) {
        errno = saved_errno;
        return;
    }

    va_start(args, fmt);
    message = g_strdup_vprintf(fmt, args);
    va_end(args);

    now = g_date_time_new_now_utc();
    stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    text = g_strdup_printf("%s.%03d+0000: %ld: %s : %s : %s:%d : %s\n", stamp,
                           g_date_time_get_microsecond(now) / 1000, (long)syscall(SYS_gettid),
                           qvirt_log_prio_names[prio], module ? module : "-", func ? func : "-",
                           line, message);
    (void)file;

    g_mutex_lock(&qvirt_log_lock);
    if (!qvirt_log_outputs) {
        qvirt_log_write_all(STDERR_FILENO, text, strlen(text));
    } else {
        for (guint i = 0; i < qvirt_log_outputs->len; i++) {
            QvirtLogOutput *out = &g_array_index(qvirt_log_outputs, QvirtLogOutput, i);
            if ((int)prio >= out->prio)
                qvirt_log_write_all(out->fd, text, strlen(text));
        }
    }
    g_mutex_unlock(&qvirt_log_lock);
    errno = saved_errno;
}

int
qvirt_log_set_default_priority(int prio)
{
    if (prio < QVIRT_LOG_DEBUG || prio > QVIRT_LOG_ERROR) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid log level %d: expected 1 to 4"),
                           prio);
        return -1;
    }
    g_mutex_lock(&qvirt_log_lock);
    qvirt_log_default_prio = prio;
    g_mutex_unlock(&qvirt_log_lock);
    return 0;
}

/* Split "LEVEL:REST" into its level and REST; -1 with an error on bad input. */
static int
qvirt_log_split_level(const char *item, const char *what, int *ret_prio, const char **ret_rest)
{
    const char *colon = strchr(item, ':');
    g_autofree char *level = NULL;
    int prio;

    if (!colon || colon[1] == '\0') {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("invalid log %s '%s': expected LEVEL:VALUE"), what, item);
        return -1;
    }
    level = g_strndup(item, colon - item);
    prio = qvirt_log_priority_from_string(level);
    if (prio < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("invalid log %s '%s': level must be 1 to 4"), what, item);
        return -1;
    }
    *ret_prio = prio;
    *ret_rest = colon + 1;
    return 0;
}

int
qvirt_log_set_filters(const char *spec)
{
    g_auto(GStrv) items = g_strsplit_set(spec ? spec : "", " \t\n", -1);
    g_autoptr(GPtrArray) filters = g_ptr_array_new_with_free_func(qvirt_log_filter_free);
    GPtrArray *old;

    for (char **item = items; *item; item++) {
        QvirtLogFilter *filter;
        const char *match;
        int prio;

        if (**item == '\0')
            continue;
        if (qvirt_log_split_level(*item, "filter", &prio, &match) < 0)
            return -1;
        filter = g_new0(QvirtLogFilter, 1);
        filter->prio = prio;
        filter->match = g_strdup(match);
        g_ptr_array_add(filters, filter);
    }

    g_mutex_lock(&qvirt_log_lock);
    old = qvirt_log_filters;
    qvirt_log_filters = filters->len ? g_steal_pointer(&filters) : NULL;
    g_mutex_unlock(&qvirt_log_lock);
    if (old)
        g_ptr_array_unref(old);
    return 0;
}

int
qvirt_log_set_outputs(const char *spec)
{
    g_auto(GStrv) items = g_strsplit_set(spec ? spec : "", " \t\n", -1);
    GArray *outputs = g_array_new(FALSE, TRUE, sizeof(QvirtLogOutput));
    GArray *old;

    for (char **item = items; *item; item++) {
        QvirtLogOutput out = { 0 };
        const char *target;

        if (**item == '\0')
            continue;
        if (qvirt_log_split_level(*item, "output", &out.prio, &target) < 0)
            goto error;
        if (g_str_equal(target, "stderr")) {
            out.fd = STDERR_FILENO;
        } else if (g_str_has_prefix(target, "file:") && target[5] != '\0') {
            out.fd = open(target + 5, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
            if (out.fd < 0) {
                qvirt_report_system_error(errno, _("cannot open log file '%s'"), target + 5);
                goto error;
            }
            out.owned = TRUE;
        } else {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("invalid log output '%s': expected stderr or file:PATH"),
                               *item);
            goto error;
        }
        g_array_append_val(outputs, out);
    }

    g_mutex_lock(&qvirt_log_lock);
    old = qvirt_log_outputs;
    qvirt_log_outputs = outputs->len ? outputs : NULL;
    g_mutex_unlock(&qvirt_log_lock);
    if (!outputs->len)
        g_array_unref(outputs);
    qvirt_log_outputs_free(old);
    return 0;

error:
    qvirt_log_outputs_free(outputs);
    return -1;
}

int
qvirt_log_init_from_env(void)
{
    const char *level = g_getenv("QVIRT_LOG_LEVEL");
    const char *filters = g_getenv("QVIRT_LOG_FILTERS");
    const char *outputs = g_getenv("QVIRT_LOG_OUTPUTS");

    if (level && *level) {
        int prio = qvirt_log_priority_from_string(level);
        if (prio < 0) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("invalid QVIRT_LOG_LEVEL '%s': expected 1 to 4"), level);
            return -1;
        }
        qvirt_log_set_default_priority(prio);
    }
    if (filters && qvirt_log_set_filters(filters) < 0)
        return -1;
    if (outputs && qvirt_log_set_outputs(outputs) < 0)
        return -1;
    return 0;
}

void
qvirt_log_reset(void)
{
    qvirt_log_set_filters(NULL);
    qvirt_log_set_outputs(NULL);
    qvirt_log_set_default_priority(QVIRT_LOG_WARN);
}

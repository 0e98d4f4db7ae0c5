/* qemu_monitor_json.c: the QMP protocol: splitting input into messages
 * (greeting, replies, events), building commands and checking replies, and
 * the wrappers for process control, descriptors, probing, memory, dump,
 * objects and passthrough. Migration wrappers are in
 * qemu_monitor_json_migration.c, block wrappers in qemu_monitor_json_block.c.
 * The contract is in qemu_monitor_json.h. */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_monitor_priv.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.monitor.json");

/* ---- Input: greeting, replies and events ---- */

/* Report into *RET_ERROR the thread's last error (set by a getter or the
 * parser on the event-loop thread) and clear it. */
static int
qemu_monitor_json_take_error(const char *prefix, char **ret_error)
{
    *ret_error = g_strdup_printf("%s%s", prefix, qvirt_error_last_message());
    qvirt_error_reset();
    return -1;
}

/* Reads of event members: a missing member is an error only if REQUIRED. */
static int
event_string(QvirtJson *data, const char *key, bool required, const char **ret)
{
    int rc = qvirt_json_get_string(data, key, ret);

    if (rc == -1 && required) {
        qvirt_report_internal(_("event has no member '%s'"), key);
        return -1;
    }
    return rc == -2 ? -1 : 0;
}

static int
event_uint(QvirtJson *data, const char *key, bool required, guint64 *ret)
{
    uint64_t val;
    int rc = qvirt_json_get_uint64(data, key, &val);

    if (rc == -1 && required) {
        qvirt_report_internal(_("event has no member '%s'"), key);
        return -1;
    }
    if (rc == 0)
        *ret = val;
    return rc == -2 ? -1 : 0;
}

static int
event_bool(QvirtJson *data, const char *key, gboolean *ret)
{
    bool val;
    int rc = qvirt_json_get_bool(data, key, &val);

    if (rc == 0)
        *ret = val;
    return rc == -2 ? -1 : 0;
}

/* The members of EVENT's data (lock-free, event-loop thread). */
static int
qemu_monitor_json_parse_event_data(QvirtJson *data, QemuMonitorEvent *ev)
{
    QvirtJson *result;
    int rc;

    switch (ev->type) {
    case QEMU_MONITOR_EVENT_SHUTDOWN:
    case QEMU_MONITOR_EVENT_RESET:
        if (event_bool(data, "guest", &ev->guest) < 0 ||
            event_string(data, "reason", false, &ev->reason) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_GUEST_PANICKED:
        if (event_string(data, "action", false, &ev->action) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_MIGRATION:
        if (event_string(data, "status", true, &ev->status) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_MIGRATION_PASS: {
        int64_t pass;

        rc = qvirt_json_get_int64(data, "pass", &pass);
        if (rc == -1)
            qvirt_report_internal(_("event has no member '%s'"), "pass");
        if (rc != 0)
            return -1;
        ev->pass = pass;
        break;
    }
    case QEMU_MONITOR_EVENT_JOB_STATUS_CHANGE:
        if (event_string(data, "id", true, &ev->id) < 0 ||
            event_string(data, "status", true, &ev->status) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_BLOCK_JOB_PENDING:
        if (event_string(data, "type", true, &ev->job_type) < 0 ||
            event_string(data, "id", true, &ev->device) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_BLOCK_JOB_COMPLETED:
    case QEMU_MONITOR_EVENT_BLOCK_JOB_CANCELLED:
    case QEMU_MONITOR_EVENT_BLOCK_JOB_READY:
        if (event_string(data, "type", true, &ev->job_type) < 0 ||
            event_string(data, "device", true, &ev->device) < 0 ||
            event_uint(data, "len", false, &ev->len) < 0 ||
            event_uint(data, "offset", false, &ev->offset) < 0 ||
            event_uint(data, "speed", false, &ev->speed) < 0 ||
            event_string(data, "error", false, &ev->reason) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_BLOCK_JOB_ERROR:
        if (event_string(data, "device", true, &ev->device) < 0 ||
            event_string(data, "operation", false, &ev->operation) < 0 ||
            event_string(data, "action", false, &ev->action) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_BLOCK_IO_ERROR:
        if (event_string(data, "device", true, &ev->device) < 0 ||
            event_string(data, "node-name", false, &ev->node) < 0 ||
            event_string(data, "operation", false, &ev->operation) < 0 ||
            event_string(data, "action", false, &ev->action) < 0 ||
            event_bool(data, "nospace", &ev->nospace) < 0 ||
            event_string(data, "reason", false, &ev->reason) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_DEVICE_DELETED:
        if (event_string(data, "device", false, &ev->device) < 0 ||
            event_string(data, "path", true, &ev->path) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_BALLOON_CHANGE:
        if (event_uint(data, "actual", true, &ev->actual) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_DUMP_COMPLETED:
        rc = qvirt_json_get_object(data, "result", &result);
        if (rc == -1)
            qvirt_report_internal(_("event has no member '%s'"), "result");
        if (rc != 0)
            return -1;
        if (event_string(result, "status", true, &ev->status) < 0 ||
            event_uint(result, "completed", false, &ev->offset) < 0 ||
            event_uint(result, "total", false, &ev->len) < 0 ||
            event_string(data, "error", false, &ev->reason) < 0)
            return -1;
        break;
    case QEMU_MONITOR_EVENT_OTHER:
    case QEMU_MONITOR_EVENT_STOP:
    case QEMU_MONITOR_EVENT_RESUME:
    case QEMU_MONITOR_EVENT_POWERDOWN:
    case QEMU_MONITOR_EVENT_SUSPEND:
    case QEMU_MONITOR_EVENT_WAKEUP:
    case QEMU_MONITOR_EVENT_LAST:
        break;
    }
    return 0;
}

int
qemu_monitor_json_parse_event(QvirtJson *msg, QemuMonitorEvent *event, char **ret_error)
{
    QemuMonitorEvent ev = {.seconds = -1, .microseconds = -1};
    g_autoptr(QvirtJson) empty = NULL;
    QvirtJson *stamp = NULL;
    QvirtJson *data = NULL;
    int64_t num;

    if (qvirt_json_get_string(msg, "event", &ev.name) != 0 || !*ev.name) {
        qvirt_error_reset();
        *ret_error = g_strdup(_("event without a name"));
        return -1;
    }
    ev.type = qemu_monitor_event_type_from_string(ev.name);
    if (qvirt_json_get_object(msg, "timestamp", &stamp) == -2 ||
        qvirt_json_get_object(msg, "data", &data) == -2)
        return qemu_monitor_json_take_error("", ret_error);
    if (stamp) {
        if (qvirt_json_get_int64(stamp, "seconds", &num) == 0)
            ev.seconds = num;
        if (qvirt_json_get_int64(stamp, "microseconds", &num) == 0)
            ev.microseconds = num;
        qvirt_error_reset();
    }
    ev.data = data;
    /* No "data" reads as an empty one: optional members are simply absent. */
    if (!data)
        empty = json_object_new_object();
    if (qemu_monitor_json_parse_event_data(data ? data : empty, &ev) < 0) {
        g_autofree char *prefix = g_strdup_printf("%s: ", ev.name);

        return qemu_monitor_json_take_error(prefix, ret_error);
    }
    *event = ev;
    return 0;
}

int
qemu_monitor_json_io_process_line(QemuMonitor *mon, const char *line, size_t len, char **ret_error)
{
    g_autoptr(QvirtJson) msg = NULL;
    QvirtJson *greeting = NULL;
    bool ready;
    bool replied;

    msg = qvirt_json_parse(line, len, _("QMP message"));
    if (!msg)
        return qemu_monitor_json_take_error("", ret_error);
    if (!json_object_is_type(msg, json_type_object)) {
        *ret_error = g_strdup(_("QMP message is not a JSON object"));
        return -1;
    }

    qvirt_mutex_lock(&mon->lock);
    ready = mon->ready;
    replied = mon->replied;
    qvirt_mutex_unlock(&mon->lock);

    if (json_object_object_get_ex(msg, "QMP", &greeting)) {
        /* QEMU 7.2 may greet twice when the client connected before its
         * monitor was set up (the chardev reports the connection twice).
         * Before any reply, QEMU has read no command yet, so the repeat
         * changes nothing; after one, it would be a reset of the session. */
        if (ready && !replied) {
            QVIRT_DEBUG("ignoring a repeated QMP greeting from domain '%s'",
                        qemu_monitor_get_domain_name(mon));
            return 0;
        }
        if (ready) {
            *ret_error = g_strdup(_("unexpected second QMP greeting"));
            return -1;
        }
        if (!json_object_is_type(greeting, json_type_object)) {
            *ret_error = g_strdup(_("malformed QMP greeting"));
            return -1;
        }
        qemu_monitor_set_ready(mon, json_object_get(greeting), NULL);
        return 0;
    }
    if (!ready) {
        *ret_error = g_strdup(_("QEMU sent a message before its QMP greeting"));
        return -1;
    }

    if (json_object_object_get_ex(msg, "event", NULL)) {
        QemuMonitorEvent event;
        g_autofree char *err = NULL;

        if (qemu_monitor_json_parse_event(msg, &event, &err) < 0) {
            /* Events are hints: a malformed one is logged, not fatal. */
            QVIRT_WARN("ignoring malformed QMP event from domain '%s': %s",
                       qemu_monitor_get_domain_name(mon), err);
            return 0;
        }
        qemu_monitor_deliver_event(mon, &event);
        return 0;
    }

    if (json_object_object_get_ex(msg, "return", NULL) ||
        json_object_object_get_ex(msg, "error", NULL)) {
        const char *id = NULL;

        if (qvirt_json_get_string(msg, "id", &id) == -2)
            return qemu_monitor_json_take_error("", ret_error);
        qemu_monitor_deliver_reply(mon, id, g_steal_pointer(&msg));
        return 0;
    }

    *ret_error = g_strdup(_("QMP message is neither a reply nor an event"));
    return -1;
}

gssize
qemu_monitor_json_io_process(QemuMonitor *mon, const char *data, size_t len, char **ret_error)
{
    size_t off = 0;

    while (off < len) {
        const char *start = data + off;
        const char *nl = memchr(start, '\n', len - off);
        size_t linelen;

        if (!nl)
            break;
        linelen = nl - start;
        if (linelen > mon->max_reply_size) {
            *ret_error = g_strdup_printf(_("reply exceeds %zu bytes"), mon->max_reply_size);
            return -1;
        }
        off += linelen + 1;
        while (linelen > 0 && g_ascii_isspace(start[linelen - 1]))
            linelen--;
        if (linelen == 0)
            continue;
        if (qemu_monitor_json_io_process_line(mon, start, linelen, ret_error) < 0)
            return -1;
        if (qemu_monitor_is_closed(mon))
            break; /* a callback closed it */
    }
    return off;
}

/* ---- Commands ---- */

QvirtJson *
qemu_monitor_json_make_command(const char *name, ...)
{
    g_autoptr(QvirtJson) cmd = json_object_new_object();
    g_autoptr(QvirtJson) args = json_object_new_object();
    const char *key;
    va_list ap;

    json_object_object_add(cmd, "execute", json_object_new_string(name));

    va_start(ap, name);
    while ((key = va_arg(ap, const char *))) {
        char type = key[0];
        QvirtJson *val = NULL;

        if (strlen(key) < 3 || key[1] != ':') {
            va_end(ap);
            qvirt_report_internal(_("malformed argument '%s' of QEMU command '%s'"), key, name);
            return NULL;
        }
        key += 2;
        switch (type) {
        case 's':
        case 'S': {
            const char *s = va_arg(ap, const char *);

            if (!s && type == 's') {
                va_end(ap);
                qvirt_report_internal(_("argument '%s' of QEMU command '%s' is missing"), key,
                                      name);
                return NULL;
            }
            if (s)
                val = json_object_new_string(s);
            break;
        }
        case 'b':
        case 'B': {
            int b = va_arg(ap, int);

            if (b || type == 'b')
                val = json_object_new_boolean(b);
            break;
        }
        case 'i':
        case 'I': {
            int i = va_arg(ap, int);

            if (i || type == 'i')
                val = json_object_new_int64(i);
            break;
        }
        case 'j':
        case 'J': {
            long long j = va_arg(ap, long long);

            if (j || type == 'j')
                val = json_object_new_int64(j);
            break;
        }
        case 'u':
        case 'U': {
            unsigned long long u = va_arg(ap, unsigned long long);

            if (u || type == 'u')
                val = json_object_new_uint64(u);
            break;
        }
        case 'a':
        case 'A': {
            QvirtJson *v = va_arg(ap, QvirtJson *);

            if (!v && type == 'a') {
                va_end(ap);
                qvirt_report_internal(_("argument '%s' of QEMU command '%s' is missing"), key,
                                      name);
                return NULL;
            }
            if (v)
                val = json_object_get(v);
            break;
        }
        default:
            va_end(ap);
            qvirt_report_internal(_("malformed argument '%s' of QEMU command '%s'"), key - 2, name);
            return NULL;
        }
        if (val)
            json_object_object_add(args, key, val);
    }
    va_end(ap);

    if (json_object_object_length(args) > 0)
        json_object_object_add(cmd, "arguments", g_steal_pointer(&args));
    return g_steal_pointer(&cmd);
}

int
qemu_monitor_json_command_with_fds(QemuMonitor *mon, QvirtJson *cmd, const int *fds, size_t nfds,
                                   QvirtJson **ret_reply)
{
    const char *cmdname = NULL;
    gpointer reply = NULL;
    QemuMonitorRecorder recorder;
    gpointer recorder_opaque;
    char *id;
    g_autofree char *text = NULL;
    char *tx;
    size_t txlen;

    if (qemu_monitor_get_protocol(mon) != QEMU_MONITOR_PROTOCOL_QMP) {
        qvirt_report_internal(_("QMP command sent to the HMP monitor of domain '%s'"),
                              qemu_monitor_get_domain_name(mon));
        return -1;
    }
    if (qvirt_json_get_string(cmd, "execute", &cmdname) != 0) {
        qvirt_error_reset();
        qvirt_report_internal(_("QEMU command without 'execute'"));
        return -1;
    }

    id = qemu_monitor_next_id(mon);
    json_object_object_add(cmd, "id", json_object_new_string(id));
    text = qvirt_json_to_string(cmd);
    txlen = strlen(text) + 2;
    tx = g_strconcat(text, "\r\n", NULL);
    if (qemu_monitor_send(mon, cmdname, id, tx, txlen, fds, nfds, &reply) < 0)
        return -1;

    qvirt_mutex_lock(&mon->lock);
    recorder = mon->recorder;
    recorder_opaque = mon->recorder_opaque;
    qvirt_mutex_unlock(&mon->lock);
    if (recorder)
        recorder(mon, cmd, reply, recorder_opaque);
    *ret_reply = reply;
    return 0;
}

int
qemu_monitor_json_command(QemuMonitor *mon, QvirtJson *cmd, QvirtJson **ret_reply)
{
    return qemu_monitor_json_command_with_fds(mon, cmd, NULL, 0, ret_reply);
}

const char *
qemu_monitor_json_reply_error_class(QvirtJson *reply)
{
    QvirtJson *error;
    const char *klass = NULL;

    if (!json_object_object_get_ex(reply, "error", &error) ||
        qvirt_json_get_string(error, "class", &klass) != 0) {
        qvirt_error_reset();
        return NULL;
    }
    return klass;
}

static const char *
json_type_label(json_type type)
{
    switch (type) {
    case json_type_object:
        return "object";
    case json_type_array:
        return "array";
    case json_type_string:
        return "string";
    case json_type_int:
        return "integer";
    case json_type_boolean:
        return "boolean";
    case json_type_double:
        return "number";
    case json_type_null:
        break;
    }
    return "null";
}

int
qemu_monitor_json_check_reply(QemuMonitor *mon, const char *cmdname, QvirtJson *reply,
                              json_type want)
{
    QvirtJson *error;
    QvirtJson *ret;

    if (json_object_object_get_ex(reply, "error", &error)) {
        const char *desc = NULL;

        if (qvirt_json_get_string(error, "desc", &desc) != 0) {
            qvirt_error_reset();
            desc = _("unknown error");
        }
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("unable to execute QEMU command '%s': %s"),
                           cmdname, desc);
        return -1;
    }
    if (!json_object_object_get_ex(reply, "return", &ret)) {
        qvirt_report_internal(_("QEMU command '%s' returned neither a result nor an error"),
                              cmdname);
        return -1;
    }
    if (want != json_type_null && !json_object_is_type(ret, want)) {
        qvirt_report_internal(_("unexpected reply to QEMU command '%s' of domain '%s': "
                                "expected a JSON %s"),
                              cmdname, mon ? qemu_monitor_get_domain_name(mon) : "unknown",
                              json_type_label(want));
        return -1;
    }
    return 0;
}

int
qemu_monitor_json_run(QemuMonitor *mon, QvirtJson *cmd, json_type want, QvirtJson **ret_reply,
                      QvirtJson **ret_data)
{
    g_autoptr(QvirtJson) owned = cmd;
    g_autoptr(QvirtJson) reply = NULL;
    g_autofree char *cmdname = NULL;
    const char *name = NULL;
    QvirtJson *data = NULL;

    if (!owned)
        return -1;
    if (qvirt_json_get_string(owned, "execute", &name) == 0)
        cmdname = g_strdup(name);
    qvirt_error_reset();
    if (qemu_monitor_json_command(mon, owned, &reply) < 0)
        return -1;
    if (qemu_monitor_json_check_reply(mon, cmdname ? cmdname : "?", reply, want) < 0)
        return -1;
    json_object_object_get_ex(reply, "return", &data);
    if (ret_data)
        *ret_data = data;
    *ret_reply = g_steal_pointer(&reply);
    return 0;
}

int
qemu_monitor_json_run_simple(QemuMonitor *mon, QvirtJson *cmd)
{
    g_autoptr(QvirtJson) reply = NULL;

    return qemu_monitor_json_run(mon, cmd, json_type_null, &reply, NULL);
}

/* ---- Reading replies ---- */

static int
read_missing(const char *key, bool required, const char *cmdname)
{
    if (!required)
        return 0;
    qvirt_report_internal(_("QEMU command '%s' returned no '%s'"), cmdname, key);
    return -1;
}

int
qemu_monitor_json_read_string(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                              char **ret)
{
    const char *s;
    int rc = qvirt_json_get_string(obj, key, &s);

    *ret = NULL;
    if (rc == -2)
        return -1;
    if (rc == -1)
        return read_missing(key, required, cmdname);
    *ret = g_strdup(s);
    return 0;
}

int
qemu_monitor_json_read_bool(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                            bool *ret)
{
    int rc = qvirt_json_get_bool(obj, key, ret);

    if (rc == -2)
        return -1;
    if (rc == -1) {
        *ret = false;
        return read_missing(key, required, cmdname);
    }
    return 0;
}

int
qemu_monitor_json_read_ull(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                           unsigned long long *ret)
{
    uint64_t val = 0;
    int rc = qvirt_json_get_uint64(obj, key, &val);

    *ret = 0;
    if (rc == -2)
        return -1;
    if (rc == -1)
        return read_missing(key, required, cmdname);
    *ret = val;
    return 0;
}

int
qemu_monitor_json_read_ll(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                          long long *ret)
{
    int64_t val = 0;
    int rc = qvirt_json_get_int64(obj, key, &val);

    *ret = 0;
    if (rc == -2)
        return -1;
    if (rc == -1)
        return read_missing(key, required, cmdname);
    *ret = val;
    return 0;
}

int
qemu_monitor_json_read_int(QvirtJson *obj, const char *key, bool required, const char *cmdname,
                           int *ret)
{
    long long val;

    if (qemu_monitor_json_read_ll(obj, key, required, cmdname, &val) < 0)
        return -1;
    if (val < G_MININT || val > G_MAXINT) {
        qvirt_report_internal(_("value %lld of '%s' returned by QEMU command '%s' is out of "
                                "range"),
                              val, key, cmdname);
        return -1;
    }
    *ret = (int)val;
    return 0;
}

QvirtJson *
qemu_monitor_json_array_object(QvirtJson *array, size_t i, const char *cmdname)
{
    QvirtJson *item = json_object_array_get_idx(array, i);

    if (!item || !json_object_is_type(item, json_type_object)) {
        qvirt_report_internal(_("item %zu of the reply to QEMU command '%s' is not an object"), i,
                              cmdname);
        return NULL;
    }
    return item;
}

/* ---- Process and status ---- */

static const char *const qemu_monitor_vm_status_names[QEMU_MONITOR_VM_STATUS_LAST] = {
    [QEMU_MONITOR_VM_STATUS_UNKNOWN] = "unknown",
    [QEMU_MONITOR_VM_STATUS_DEBUG] = "debug",
    [QEMU_MONITOR_VM_STATUS_INMIGRATE] = "inmigrate",
    [QEMU_MONITOR_VM_STATUS_INTERNAL_ERROR] = "internal-error",
    [QEMU_MONITOR_VM_STATUS_IO_ERROR] = "io-error",
    [QEMU_MONITOR_VM_STATUS_PAUSED] = "paused",
    [QEMU_MONITOR_VM_STATUS_POSTMIGRATE] = "postmigrate",
    [QEMU_MONITOR_VM_STATUS_PRELAUNCH] = "prelaunch",
    [QEMU_MONITOR_VM_STATUS_FINISH_MIGRATE] = "finish-migrate",
    [QEMU_MONITOR_VM_STATUS_RESTORE_VM] = "restore-vm",
    [QEMU_MONITOR_VM_STATUS_RUNNING] = "running",
    [QEMU_MONITOR_VM_STATUS_SAVE_VM] = "save-vm",
    [QEMU_MONITOR_VM_STATUS_SHUTDOWN] = "shutdown",
    [QEMU_MONITOR_VM_STATUS_SUSPENDED] = "suspended",
    [QEMU_MONITOR_VM_STATUS_WATCHDOG] = "watchdog",
    [QEMU_MONITOR_VM_STATUS_GUEST_PANICKED] = "guest-panicked",
    [QEMU_MONITOR_VM_STATUS_COLO] = "colo",
};

const char *
qemu_monitor_vm_status_to_string(int status)
{
    if (status < 0 || status >= QEMU_MONITOR_VM_STATUS_LAST)
        return NULL;
    return qemu_monitor_vm_status_names[status];
}

int
qemu_monitor_vm_status_from_string(const char *str)
{
    for (int i = 0; str && i < QEMU_MONITOR_VM_STATUS_LAST; i++) {
        if (strcmp(qemu_monitor_vm_status_names[i], str) == 0)
            return i;
    }
    return -1;
}

int
qemu_monitor_json_set_capabilities(QemuMonitor *mon)
{
    return qemu_monitor_json_run_simple(mon,
                                        qemu_monitor_json_make_command("qmp_capabilities", NULL));
}

int
qemu_monitor_json_query_status(QemuMonitor *mon, bool *ret_running, QemuMonitorVMStatus *ret_status)
{
    g_autoptr(QvirtJson) reply = NULL;
    g_autofree char *status = NULL;
    QvirtJson *data;
    bool running;
    int st;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-status", NULL),
                              json_type_object, &reply, &data) < 0)
        return -1;
    if (qemu_monitor_json_read_bool(data, "running", true, "query-status", &running) < 0 ||
        qemu_monitor_json_read_string(data, "status", true, "query-status", &status) < 0)
        return -1;
    st = qemu_monitor_vm_status_from_string(status);
    if (st < 0) {
        /* A state from a newer QEMU: the driver treats it as paused. */
        QVIRT_WARN("unknown VM status '%s' of domain '%s'", status,
                   qemu_monitor_get_domain_name(mon));
        st = QEMU_MONITOR_VM_STATUS_UNKNOWN;
    }
    *ret_running = running;
    if (ret_status)
        *ret_status = st;
    return 0;
}

#define SIMPLE_COMMAND(func, cmdname)                                                              \
    int func(QemuMonitor *mon)                                                                     \
    {                                                                                              \
        return qemu_monitor_json_run_simple(mon, qemu_monitor_json_make_command(cmdname, NULL));   \
    }

SIMPLE_COMMAND(qemu_monitor_json_cont, "cont")
SIMPLE_COMMAND(qemu_monitor_json_stop, "stop")
SIMPLE_COMMAND(qemu_monitor_json_system_powerdown, "system_powerdown")
SIMPLE_COMMAND(qemu_monitor_json_system_reset, "system_reset")
SIMPLE_COMMAND(qemu_monitor_json_quit, "quit")

/* ---- File descriptors ---- */

int
qemu_monitor_json_send_fd(QemuMonitor *mon, const char *fdname, int fd)
{
    g_autoptr(QvirtJson) cmd = qemu_monitor_json_make_command("getfd", "s:fdname", fdname, NULL);
    g_autoptr(QvirtJson) reply = NULL;

    if (!cmd)
        return -1;
    if (fd < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid file descriptor %d for '%s'"), fd,
                           fdname);
        return -1;
    }
    if (qemu_monitor_json_command_with_fds(mon, cmd, &fd, 1, &reply) < 0)
        return -1;
    return qemu_monitor_json_check_reply(mon, "getfd", reply, json_type_null);
}

int
qemu_monitor_json_close_fd(QemuMonitor *mon, const char *fdname)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("closefd", "s:fdname", fdname, NULL));
}

int
qemu_monitor_json_add_fd(QemuMonitor *mon, int fdset_id, int fd, const char *opaque,
                         int *ret_fdset_id, int *ret_fd)
{
    g_autoptr(QvirtJson) cmd = NULL;
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *data = NULL;
    int set;
    int qemu_fd;

    if (fd < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid file descriptor %d for add-fd"), fd);
        return -1;
    }
    if (fdset_id >= 0)
        cmd = qemu_monitor_json_make_command("add-fd", "i:fdset-id", fdset_id, "S:opaque", opaque,
                                             NULL);
    else
        cmd = qemu_monitor_json_make_command("add-fd", "S:opaque", opaque, NULL);
    if (!cmd)
        return -1;
    if (qemu_monitor_json_command_with_fds(mon, cmd, &fd, 1, &reply) < 0 ||
        qemu_monitor_json_check_reply(mon, "add-fd", reply, json_type_object) < 0)
        return -1;
    json_object_object_get_ex(reply, "return", &data);
    if (qemu_monitor_json_read_int(data, "fdset-id", true, "add-fd", &set) < 0 ||
        qemu_monitor_json_read_int(data, "fd", true, "add-fd", &qemu_fd) < 0)
        return -1;
    if (ret_fdset_id)
        *ret_fdset_id = set;
    if (ret_fd)
        *ret_fd = qemu_fd;
    return 0;
}

int
qemu_monitor_json_remove_fd(QemuMonitor *mon, int fdset_id, int fd)
{
    QvirtJson *cmd;

    if (fd >= 0)
        cmd = qemu_monitor_json_make_command("remove-fd", "i:fdset-id", fdset_id, "i:fd", fd, NULL);
    else
        cmd = qemu_monitor_json_make_command("remove-fd", "i:fdset-id", fdset_id, NULL);
    return qemu_monitor_json_run_simple(mon, cmd);
}

/* ---- Probing ---- */

void
qemu_monitor_version_free(QemuMonitorVersion *ver)
{
    if (!ver)
        return;
    g_free(ver->package);
    g_free(ver);
}

int
qemu_monitor_json_query_version(QemuMonitor *mon, QemuMonitorVersion **ret_version)
{
    g_autoptr(QvirtJson) reply = NULL;
    g_autoptr(QemuMonitorVersion) ver = g_new0(QemuMonitorVersion, 1);
    QvirtJson *data;
    QvirtJson *qemu = NULL;
    int rc;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-version", NULL),
                              json_type_object, &reply, &data) < 0)
        return -1;
    rc = qvirt_json_get_object(data, "qemu", &qemu);
    if (rc == -1)
        read_missing("qemu", true, "query-version");
    if (rc != 0)
        return -1;
    if (qemu_monitor_json_read_int(qemu, "major", true, "query-version", &ver->major) < 0 ||
        qemu_monitor_json_read_int(qemu, "minor", true, "query-version", &ver->minor) < 0 ||
        qemu_monitor_json_read_int(qemu, "micro", true, "query-version", &ver->micro) < 0 ||
        qemu_monitor_json_read_string(data, "package", false, "query-version", &ver->package) < 0)
        return -1;
    *ret_version = g_steal_pointer(&ver);
    return 0;
}

int
qemu_monitor_json_query_commands(QemuMonitor *mon, char ***ret_names)
{
    g_autoptr(QvirtJson) reply = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    QvirtJson *data;
    size_t n;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-commands", NULL),
                              json_type_array, &reply, &data) < 0)
        return -1;
    n = json_object_array_length(data);
    for (size_t i = 0; i < n; i++) {
        QvirtJson *item = qemu_monitor_json_array_object(data, i, "query-commands");
        char *name;

        if (!item || qemu_monitor_json_read_string(item, "name", true, "query-commands", &name) < 0)
            return -1;
        g_ptr_array_add(names, name);
    }
    g_ptr_array_add(names, NULL);
    *ret_names = (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
    return 0;
}

int
qemu_monitor_json_query_qmp_schema(QemuMonitor *mon, QvirtJson **ret_schema)
{
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *data;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-qmp-schema", NULL),
                              json_type_array, &reply, &data) < 0)
        return -1;
    *ret_schema = json_object_get(data);
    return 0;
}

int
qemu_monitor_json_query_kvm(QemuMonitor *mon, bool *ret_present, bool *ret_enabled)
{
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *data;
    bool present;
    bool enabled;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-kvm", NULL),
                              json_type_object, &reply, &data) < 0)
        return -1;
    if (qemu_monitor_json_read_bool(data, "present", true, "query-kvm", &present) < 0 ||
        qemu_monitor_json_read_bool(data, "enabled", true, "query-kvm", &enabled) < 0)
        return -1;
    *ret_present = present;
    *ret_enabled = enabled;
    return 0;
}

void
qemu_monitor_machine_info_free(QemuMonitorMachineInfo *info)
{
    if (!info)
        return;
    g_free(info->name);
    g_free(info->alias);
    g_free(info->default_cpu_type);
    g_free(info->default_ram_id);
    g_free(info);
}

int
qemu_monitor_json_query_list(QemuMonitor *mon, QvirtJson *cmd, const char *cmdname,
                             gpointer (*parse)(QvirtJson *item, const char *cmdname),
                             GDestroyNotify free_item, GPtrArray **ret_list)
{
    g_autoptr(QvirtJson) reply = NULL;
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(free_item);
    QvirtJson *data;
    size_t n;

    if (qemu_monitor_json_run(mon, cmd, json_type_array, &reply, &data) < 0)
        return -1;
    n = json_object_array_length(data);
    for (size_t i = 0; i < n; i++) {
        QvirtJson *item = qemu_monitor_json_array_object(data, i, cmdname);
        gpointer parsed;

        if (!item || !(parsed = parse(item, cmdname)))
            return -1;
        g_ptr_array_add(list, parsed);
    }
    *ret_list = g_steal_pointer(&list);
    return 0;
}

static gpointer
parse_machine(QvirtJson *item, const char *cmdname)
{
    g_autoptr(QemuMonitorMachineInfo) info = g_new0(QemuMonitorMachineInfo, 1);

    if (qemu_monitor_json_read_string(item, "name", true, cmdname, &info->name) < 0 ||
        qemu_monitor_json_read_string(item, "alias", false, cmdname, &info->alias) < 0 ||
        qemu_monitor_json_read_bool(item, "is-default", false, cmdname, &info->is_default) < 0 ||
        qemu_monitor_json_read_int(item, "cpu-max", true, cmdname, &info->max_cpus) < 0 ||
        qemu_monitor_json_read_bool(item, "hotpluggable-cpus", false, cmdname,
                                    &info->hotpluggable_cpus) < 0 ||
        qemu_monitor_json_read_bool(item, "deprecated", false, cmdname, &info->deprecated) < 0 ||
        qemu_monitor_json_read_string(item, "default-cpu-type", false, cmdname,
                                      &info->default_cpu_type) < 0 ||
        qemu_monitor_json_read_string(item, "default-ram-id", false, cmdname,
                                      &info->default_ram_id) < 0)
        return NULL;
    return g_steal_pointer(&info);
}

int
qemu_monitor_json_query_machines(QemuMonitor *mon, GPtrArray **ret_machines)
{
    return qemu_monitor_json_query_list(
        mon, qemu_monitor_json_make_command("query-machines", NULL), "query-machines",
        parse_machine, (GDestroyNotify)qemu_monitor_machine_info_free, ret_machines);
}

void
qemu_monitor_cpu_info_free(QemuMonitorCpuInfo *info)
{
    if (!info)
        return;
    g_free(info->qom_path);
    g_free(info->target);
    g_free(info);
}

/* Optional integer member KEY of OBJ, or DEFAULT_VAL when absent. */
static int
read_int_or(QvirtJson *obj, const char *key, int default_val, const char *cmdname, int *ret)
{
    if (!json_object_object_get_ex(obj, key, NULL)) {
        *ret = default_val;
        return 0;
    }
    return qemu_monitor_json_read_int(obj, key, true, cmdname, ret);
}

static gpointer
parse_cpu(QvirtJson *item, const char *cmdname)
{
    g_autoptr(QemuMonitorCpuInfo) info = g_new0(QemuMonitorCpuInfo, 1);
    QvirtJson *props = NULL;

    info->socket_id = info->core_id = info->thread_in_core_id = -1;
    if (qemu_monitor_json_read_int(item, "cpu-index", true, cmdname, &info->cpu_index) < 0 ||
        qemu_monitor_json_read_string(item, "qom-path", true, cmdname, &info->qom_path) < 0 ||
        qemu_monitor_json_read_ll(item, "thread-id", true, cmdname, &info->thread_id) < 0 ||
        qemu_monitor_json_read_string(item, "target", false, cmdname, &info->target) < 0)
        return NULL;
    if (qvirt_json_get_object(item, "props", &props) == -2)
        return NULL;
    if (props && (read_int_or(props, "socket-id", -1, cmdname, &info->socket_id) < 0 ||
                  read_int_or(props, "core-id", -1, cmdname, &info->core_id) < 0 ||
                  read_int_or(props, "thread-id", -1, cmdname, &info->thread_in_core_id) < 0))
        return NULL;
    return g_steal_pointer(&info);
}

int
qemu_monitor_json_query_cpus_fast(QemuMonitor *mon, GPtrArray **ret_cpus)
{
    return qemu_monitor_json_query_list(
        mon, qemu_monitor_json_make_command("query-cpus-fast", NULL), "query-cpus-fast", parse_cpu,
        (GDestroyNotify)qemu_monitor_cpu_info_free, ret_cpus);
}

void
qemu_monitor_cpu_model_free(QemuMonitorCpuModel *model)
{
    if (!model)
        return;
    g_free(model->name);
    g_free(model->type_name);
    g_free(model->alias_of);
    g_strfreev(model->blockers);
    g_free(model);
}

static gpointer
parse_cpu_model(QvirtJson *item, const char *cmdname)
{
    g_autoptr(QemuMonitorCpuModel) model = g_new0(QemuMonitorCpuModel, 1);
    g_autoptr(GPtrArray) blockers = g_ptr_array_new_with_free_func(g_free);
    QvirtJson *features = NULL;
    int rc;

    if (qemu_monitor_json_read_string(item, "name", true, cmdname, &model->name) < 0 ||
        qemu_monitor_json_read_string(item, "typename", false, cmdname, &model->type_name) < 0 ||
        qemu_monitor_json_read_string(item, "alias-of", false, cmdname, &model->alias_of) < 0 ||
        qemu_monitor_json_read_bool(item, "static", false, cmdname, &model->is_static) < 0 ||
        qemu_monitor_json_read_bool(item, "migration-safe", false, cmdname,
                                    &model->migration_safe) < 0 ||
        qemu_monitor_json_read_bool(item, "deprecated", false, cmdname, &model->deprecated) < 0)
        return NULL;
    rc = qvirt_json_get_array(item, "unavailable-features", &features);
    if (rc == -2)
        return NULL;
    for (size_t i = 0; features && i < json_object_array_length(features); i++) {
        QvirtJson *f = json_object_array_get_idx(features, i);

        if (!json_object_is_type(f, json_type_string)) {
            qvirt_report_internal(_("unavailable feature of CPU model '%s' is not a string"),
                                  model->name);
            return NULL;
        }
        g_ptr_array_add(blockers, g_strdup(json_object_get_string(f)));
    }
    model->usable = blockers->len == 0;
    g_ptr_array_add(blockers, NULL);
    model->blockers = (char **)g_ptr_array_free(g_steal_pointer(&blockers), FALSE);
    return g_steal_pointer(&model);
}

int
qemu_monitor_json_query_cpu_definitions(QemuMonitor *mon, GPtrArray **ret_models)
{
    return qemu_monitor_json_query_list(
        mon, qemu_monitor_json_make_command("query-cpu-definitions", NULL), "query-cpu-definitions",
        parse_cpu_model, (GDestroyNotify)qemu_monitor_cpu_model_free, ret_models);
}

/* ---- Memory, dump and objects ---- */

int
qemu_monitor_json_balloon(QemuMonitor *mon, unsigned long long bytes)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("balloon", "u:value", bytes, NULL));
}

int
qemu_monitor_json_query_balloon(QemuMonitor *mon, unsigned long long *ret_actual)
{
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *data;
    unsigned long long actual;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-balloon", NULL),
                              json_type_object, &reply, &data) < 0 ||
        qemu_monitor_json_read_ull(data, "actual", true, "query-balloon", &actual) < 0)
        return -1;
    *ret_actual = actual;
    return 0;
}

int
qemu_monitor_json_dump_guest_memory(QemuMonitor *mon, const char *protocol, const char *format,
                                    bool paging)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("dump-guest-memory", "b:paging", paging, "s:protocol",
                                            protocol, "b:detach", 1, "S:format", format, NULL));
}

void
qemu_monitor_dump_stats_clear(QemuMonitorDumpStats *stats)
{
    if (!stats)
        return;
    g_clear_pointer(&stats->status, g_free);
    stats->completed = stats->total = 0;
}

int
qemu_monitor_json_query_dump(QemuMonitor *mon, QemuMonitorDumpStats *ret_stats)
{
    g_autoptr(QvirtJson) reply = NULL;
    QemuMonitorDumpStats stats = {0};
    QvirtJson *data;

    if (qemu_monitor_json_run(mon, qemu_monitor_json_make_command("query-dump", NULL),
                              json_type_object, &reply, &data) < 0)
        return -1;
    if (qemu_monitor_json_read_string(data, "status", true, "query-dump", &stats.status) < 0 ||
        qemu_monitor_json_read_ull(data, "completed", true, "query-dump", &stats.completed) < 0 ||
        qemu_monitor_json_read_ull(data, "total", true, "query-dump", &stats.total) < 0) {
        qemu_monitor_dump_stats_clear(&stats);
        return -1;
    }
    *ret_stats = stats;
    return 0;
}

QvirtJson *
qemu_monitor_json_make_props_command(const char *name, QvirtJson *props,
                                     const char *const *required)
{
    QvirtJson *cmd;

    if (!props || !json_object_is_type(props, json_type_object)) {
        qvirt_report_internal(_("arguments of QEMU command '%s' must be a JSON object"), name);
        return NULL;
    }
    for (size_t i = 0; required && required[i]; i++) {
        if (!json_object_object_get_ex(props, required[i], NULL)) {
            qvirt_report_internal(_("arguments of QEMU command '%s' lack '%s'"), name, required[i]);
            return NULL;
        }
    }
    cmd = json_object_new_object();
    json_object_object_add(cmd, "execute", json_object_new_string(name));
    json_object_object_add(cmd, "arguments", json_object_get(props));
    return cmd;
}

int
qemu_monitor_json_object_add(QemuMonitor *mon, QvirtJson *props)
{
    static const char *const required[] = {"qom-type", "id", NULL};

    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_props_command("object-add", props, required));
}

int
qemu_monitor_json_object_del(QemuMonitor *mon, const char *id)
{
    return qemu_monitor_json_run_simple(
        mon, qemu_monitor_json_make_command("object-del", "s:id", id, NULL));
}

/* ---- Passthrough ---- */

char *
qemu_monitor_normalize_newlines(const char *text)
{
    GString *out = g_string_sized_new(strlen(text));

    for (const char *p = text; *p; p++) {
        if (*p == '\r') {
            if (p[1] != '\n')
                g_string_append_c(out, '\n');
            continue;
        }
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

int
qemu_monitor_json_human_command(QemuMonitor *mon, const char *cmdline, char **ret_output)
{
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *data;

    if (qemu_monitor_json_run(mon,
                              qemu_monitor_json_make_command("human-monitor-command",
                                                             "s:command-line", cmdline, NULL),
                              json_type_string, &reply, &data) < 0)
        return -1;
    *ret_output = qemu_monitor_normalize_newlines(json_object_get_string(data));
    return 0;
}

int
qemu_monitor_json_raw_command(QemuMonitor *mon, const char *cmd, char **ret_reply)
{
    g_autoptr(QvirtJson) obj = NULL;
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *user_id = NULL;
    const char *execute = NULL;

    obj = qvirt_json_parse(cmd, strlen(cmd), _("QEMU monitor command"));
    if (!obj)
        return -1;
    if (!json_object_is_type(obj, json_type_object) ||
        qvirt_json_get_string(obj, "execute", &execute) != 0) {
        qvirt_error_reset();
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("QEMU monitor command must be a JSON object with 'execute': %s"), cmd);
        return -1;
    }
    if (json_object_object_get_ex(obj, "id", &user_id)) {
        user_id = json_object_get(user_id);
        json_object_object_del(obj, "id");
    }
    if (qemu_monitor_json_command(mon, obj, &reply) < 0) {
        json_object_put(user_id);
        return -1;
    }
    json_object_object_del(reply, "id");
    if (user_id)
        json_object_object_add(reply, "id", user_id);
    *ret_reply = qvirt_json_to_string(reply);
    return 0;
}

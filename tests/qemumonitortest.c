/* qemumonitortest.c: the scripted fake QEMU monitor (see qemumonitortest.h).
 *
 * The server thread owns the sockets. It waits in poll() on the client and
 * on a wake-up pipe, which the test writes to release a gate or stop the
 * server, so no wait depends on timing. A test that goes wrong cannot hang:
 * every wait of the test thread has a deadline. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemumonitortest.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"
#include "util/threads.h"

#define QMP_GREETING                                                                               \
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "             \
    "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define HMP_BANNER "QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) "

/* How long the test waits for the script to play out. */
#define SCRIPT_DEADLINE_MS 10000

typedef enum {
    ITEM_EXPECT,
    ITEM_REPLY,
    ITEM_HMP,
    ITEM_RAW,
    ITEM_PARTIAL,
    ITEM_DELAY,
    ITEM_GATE,
    ITEM_EOF,
} ItemKind;

typedef struct {
    ItemKind kind;
    char *cmd;         /* EXPECT, HMP: command name or line */
    QvirtJson *args;   /* EXPECT: exact arguments, or NULL */
    int nfds;          /* EXPECT: descriptors required, -1: any */
    char *reply;       /* EXPECT, REPLY: JSON text, NULL: none now; HMP: output */
    gboolean no_reply; /* EXPECT: answered by a later REPLY item */
    QemuMonitorTestHandler func;
    gpointer opaque;
    int which;  /* REPLY */
    char *data; /* RAW, PARTIAL */
    size_t len;
    size_t chunk;    /* PARTIAL */
    unsigned int ms; /* DELAY */
} Item;

/* A command received and not answered yet. */
typedef struct {
    QvirtJson *id; /* may be NULL */
    char *cmd;
    QvirtJson *args;
} Pending;

struct _QemuMonitorTest {
    QemuMonitorProtocol protocol;
    unsigned int flags;
    char *dir;
    char *path;
    int listen_fd;
    int client_fd; /* server thread only */
    int wake[2];   /* pipe: the test writes, the server polls */
    GThread *thread;
    GByteArray *in;      /* server thread only: input not yet split */
    unsigned int in_fds; /* descriptors received with the pending input */
    GPtrArray *pending;  /* Pending*, server thread only */

    QvirtMutex lock;
    QvirtCond cond;
    GPtrArray *items; /* Item* */
    guint next;       /* index of the next item to play */
    gboolean done;    /* the server thread ended its script */
    gboolean stop;
    guint releases; /* gates released in advance */
    char *failure;
};

static void
item_free(gpointer data)
{
    Item *item = data;

    g_free(item->cmd);
    if (item->args)
        json_object_put(item->args);
    g_free(item->reply);
    g_free(item->data);
    g_free(item);
}

static void
pending_free(gpointer data)
{
    Pending *p = data;

    if (p->id)
        json_object_put(p->id);
    if (p->args)
        json_object_put(p->args);
    g_free(p->cmd);
    g_free(p);
}

static void test_fail(QemuMonitorTest *test, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
test_fail(QemuMonitorTest *test, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_test_message("fake monitor: %s", msg);
    qvirt_mutex_lock(&test->lock);
    if (!test->failure)
        test->failure = g_steal_pointer(&msg);
    qvirt_mutex_unlock(&test->lock);
}

/* ---- The QMP schema ---- */

static QvirtJson *schema_loaded;
static GHashTable *schema_index; /* name -> entry, for schema_loaded */
static pthread_mutex_t schema_lock = PTHREAD_MUTEX_INITIALIZER;

static GHashTable *
schema_build_index(QvirtJson *schema)
{
    GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);
    size_t n = json_object_array_length(schema);

    for (size_t i = 0; i < n; i++) {
        QvirtJson *entry = json_object_array_get_idx(schema, i);
        const char *name;

        if (qvirt_json_get_string(entry, "name", &name) == 0)
            g_hash_table_insert(index, (gpointer)name, entry);
    }
    return index;
}

QvirtJson *
qemu_monitor_test_get_schema(void)
{
    pthread_mutex_lock(&schema_lock);
    if (!schema_loaded) {
        g_autofree char *path = qvirt_test_srcpath("qemucapabilities/qmp-schema.json");
        g_autofree char *text = NULL;
        size_t len;

        if (qvirt_file_read_limited(path, 64 * 1024 * 1024, &text, &len) < 0)
            g_error("cannot read the QMP schema: %s", qvirt_error_last_message());
        schema_loaded = qvirt_json_parse(text, len, "QMP schema");
        if (!schema_loaded || !json_object_is_type(schema_loaded, json_type_array))
            g_error("bad QMP schema '%s': %s", path, qvirt_error_last_message());
        schema_index = schema_build_index(schema_loaded);
    }
    pthread_mutex_unlock(&schema_lock);
    return schema_loaded;
}

static char *schema_check_value(GHashTable *index, QvirtJson *value, const char *type,
                                const char *path);

static const char *
entry_meta(QvirtJson *entry)
{
    const char *meta = "";

    qvirt_json_get_string(entry, "meta-type", &meta);
    return meta;
}

/* Check the members of the object VALUE against object type ENTRY (and the
 * variant its tag selects). SEEN collects the member names checked. */
static char *
schema_check_members(GHashTable *index, QvirtJson *value, QvirtJson *entry, const char *path,
                     GHashTable *seen)
{
    QvirtJson *members = NULL;
    QvirtJson *variants = NULL;
    const char *tag = NULL;

    qvirt_json_get_array(entry, "members", &members);
    for (size_t i = 0; members && i < json_object_array_length(members); i++) {
        QvirtJson *m = json_object_array_get_idx(members, i);
        const char *mname = NULL;
        const char *mtype = NULL;
        QvirtJson *v = NULL;

        qvirt_json_get_string(m, "name", &mname);
        qvirt_json_get_string(m, "type", &mtype);
        if (!mname || !mtype)
            return g_strdup_printf("%s: malformed schema entry", path);
        g_hash_table_add(seen, (gpointer)mname);
        if (!json_object_object_get_ex(value, mname, &v)) {
            if (!json_object_object_get_ex(m, "default", NULL))
                return g_strdup_printf("%s: missing required member '%s'", path, mname);
            continue;
        }
        {
            g_autofree char *sub = g_strdup_printf("%s.%s", path, mname);
            char *err = schema_check_value(index, v, mtype, sub);

            if (err)
                return err;
        }
    }

    if (qvirt_json_get_string(entry, "tag", &tag) == 0 &&
        qvirt_json_get_array(entry, "variants", &variants) == 0) {
        const char *tagval = NULL;

        if (qvirt_json_get_string(value, tag, &tagval) != 0) {
            qvirt_error_reset();
            return g_strdup_printf("%s: no string tag '%s'", path, tag);
        }
        for (size_t i = 0; i < json_object_array_length(variants); i++) {
            QvirtJson *var = json_object_array_get_idx(variants, i);
            const char *vcase = NULL;
            const char *vtype = NULL;
            QvirtJson *ventry;

            qvirt_json_get_string(var, "case", &vcase);
            qvirt_json_get_string(var, "type", &vtype);
            if (!vcase || !vtype || strcmp(vcase, tagval) != 0)
                continue;
            ventry = g_hash_table_lookup(index, vtype);
            if (!ventry)
                return g_strdup_printf("%s: unknown variant type '%s'", path, vtype);
            return schema_check_members(index, value, ventry, path, seen);
        }
    }
    qvirt_error_reset();
    return NULL;
}

static char *
schema_check_value(GHashTable *index, QvirtJson *value, const char *type, const char *path)
{
    QvirtJson *entry = g_hash_table_lookup(index, type);
    const char *meta;

    if (!entry)
        return g_strdup_printf("%s: unknown schema type '%s'", path, type);
    meta = entry_meta(entry);

    if (strcmp(meta, "builtin") == 0) {
        const char *jt = "";
        gboolean ok;

        qvirt_json_get_string(entry, "json-type", &jt);
        if (strcmp(jt, "string") == 0)
            ok = json_object_is_type(value, json_type_string);
        else if (strcmp(jt, "int") == 0)
            ok = json_object_is_type(value, json_type_int);
        else if (strcmp(jt, "number") == 0)
            ok = json_object_is_type(value, json_type_int) ||
                 json_object_is_type(value, json_type_double);
        else if (strcmp(jt, "boolean") == 0)
            ok = json_object_is_type(value, json_type_boolean);
        else if (strcmp(jt, "null") == 0)
            ok = value == NULL || json_object_is_type(value, json_type_null);
        else
            ok = TRUE; /* "value": anything */
        if (!ok)
            return g_strdup_printf("%s: expected a JSON %s", path, jt);
        return NULL;
    }
    if (strcmp(meta, "enum") == 0) {
        QvirtJson *values = NULL;
        const char *s;

        if (!json_object_is_type(value, json_type_string))
            return g_strdup_printf("%s: expected an enum string", path);
        s = json_object_get_string(value);
        qvirt_json_get_array(entry, "values", &values);
        for (size_t i = 0; values && i < json_object_array_length(values); i++) {
            if (strcmp(json_object_get_string(json_object_array_get_idx(values, i)), s) == 0)
                return NULL;
        }
        return g_strdup_printf("%s: '%s' is not a valid value", path, s);
    }
    if (strcmp(meta, "array") == 0) {
        const char *elem = NULL;

        if (!json_object_is_type(value, json_type_array))
            return g_strdup_printf("%s: expected an array", path);
        qvirt_json_get_string(entry, "element-type", &elem);
        for (size_t i = 0; elem && i < json_object_array_length(value); i++) {
            g_autofree char *sub = g_strdup_printf("%s[%zu]", path, i);
            char *err = schema_check_value(index, json_object_array_get_idx(value, i), elem, sub);

            if (err)
                return err;
        }
        return NULL;
    }
    if (strcmp(meta, "alternate") == 0) {
        QvirtJson *members = NULL;

        qvirt_json_get_array(entry, "members", &members);
        for (size_t i = 0; members && i < json_object_array_length(members); i++) {
            const char *mtype = NULL;
            char *err;

            qvirt_json_get_string(json_object_array_get_idx(members, i), "type", &mtype);
            if (!mtype)
                continue;
            err = schema_check_value(index, value, mtype, path);
            if (!err)
                return NULL;
            g_free(err);
        }
        return g_strdup_printf("%s: matches no alternative", path);
    }
    if (strcmp(meta, "object") == 0) {
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
        char *err;

        if (!json_object_is_type(value, json_type_object))
            return g_strdup_printf("%s: expected an object", path);
        err = schema_check_members(index, value, entry, path, seen);
        if (err)
            return err;
        json_object_object_foreach(value, key, val)
        {
            (void)val;
            if (!g_hash_table_contains(seen, key))
                return g_strdup_printf("%s: unknown member '%s'", path, key);
        }
        return NULL;
    }
    return g_strdup_printf("%s: unsupported schema meta-type '%s'", path, meta);
}

char *
qemu_monitor_test_check_schema(QvirtJson *schema, const char *cmd, QvirtJson *args)
{
    g_autoptr(GHashTable) own_index = NULL;
    g_autoptr(QvirtJson) empty = NULL;
    GHashTable *index;
    QvirtJson *entry;
    const char *arg_type = NULL;

    if (schema == qemu_monitor_test_get_schema()) {
        index = schema_index;
    } else {
        own_index = schema_build_index(schema);
        index = own_index;
    }
    entry = g_hash_table_lookup(index, cmd);
    if (!entry || strcmp(entry_meta(entry), "command") != 0)
        return g_strdup_printf("'%s' is not a command of the QMP schema", cmd);
    if (qvirt_json_get_string(entry, "arg-type", &arg_type) != 0) {
        qvirt_error_reset();
        return g_strdup_printf("command '%s' has no arg-type in the schema", cmd);
    }
    if (!args) {
        empty = json_object_new_object();
        args = empty;
    }
    return schema_check_value(index, args, arg_type, cmd);
}

/* ---- Server I/O ---- */

/* Wait until FD is readable or the wake-up pipe is written; with TIMEOUT_MS
 * >= 0, at most that long. Returns 1 readable, 0 timeout or gate released,
 * -1 stop. */
static int
server_wait(QemuMonitorTest *test, int fd, int timeout_ms)
{
    for (;;) {
        struct pollfd fds[2] = {{test->wake[0], POLLIN, 0}, {fd, POLLIN, 0}};
        int n = poll(fds, fd >= 0 ? 2 : 1, timeout_ms);

        if (n < 0 && errno == EINTR)
            continue;
        qvirt_mutex_lock(&test->lock);
        if (test->stop) {
            qvirt_mutex_unlock(&test->lock);
            return -1;
        }
        qvirt_mutex_unlock(&test->lock);
        if (n <= 0)
            return 0;
        if (fds[0].revents) {
            char c;

            if (read(test->wake[0], &c, 1) < 0 && errno != EAGAIN)
                return -1;
            if (fd < 0)
                return 0;
        }
        if (fd >= 0 && fds[1].revents)
            return 1;
    }
}

static void
server_write(QemuMonitorTest *test, const char *data, size_t len)
{
    size_t off = 0;

    while (test->client_fd >= 0 && off < len) {
        /* MSG_NOSIGNAL: a client that went away must not kill the test. */
        ssize_t n = send(test->client_fd, data + off, len - off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_test_message("fake monitor: write failed: %s", g_strerror(errno));
            return;
        }
        off += n;
    }
}

/* Read one command into *RET_LINE (without its end: "\n" for QMP, "\r" for
 * HMP) and the count of descriptors that came with it. Returns 1, 0 on EOF,
 * -1 on stop. */
static int
server_read_command(QemuMonitorTest *test, char **ret_line, unsigned int *ret_nfds)
{
    char end = test->protocol == QEMU_MONITOR_PROTOCOL_QMP ? '\n' : '\r';

    for (;;) {
        guint8 *p = test->in->len ? memchr(test->in->data, end, test->in->len) : NULL;
        char buf[4096];
        union {
            char buf[CMSG_SPACE(sizeof(int) * 16)];
            struct cmsghdr align;
        } control;
        struct iovec iov = {buf, sizeof(buf)};
        struct msghdr hdr = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf)};
        ssize_t n;
        int rc;

        if (p) {
            size_t len = p - test->in->data;

            *ret_line = g_strndup((const char *)test->in->data, len);
            g_byte_array_remove_range(test->in, 0, len + 1);
            *ret_nfds = test->in_fds;
            test->in_fds = 0;
            g_strchomp(*ret_line);
            return 1;
        }
        rc = server_wait(test, test->client_fd, -1);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        n = recvmsg(test->client_fd, &hdr, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&hdr); c; c = CMSG_NXTHDR(&hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int fds[16];

                memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
                for (size_t i = 0; i < nfds; i++)
                    close(fds[i]);
                test->in_fds += nfds;
            }
        }
        g_byte_array_append(test->in, (guint8 *)buf, n);
    }
}

/* Send REPLY (JSON text) to the command whose id is ID. */
static void
server_send_reply(QemuMonitorTest *test, QvirtJson *id, const char *reply)
{
    g_autoptr(QvirtJson) obj = qvirt_json_parse(reply, strlen(reply), "canned reply");
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;

    if (!obj) {
        test_fail(test, "canned reply is not JSON: %s", reply);
        return;
    }
    if (id)
        json_object_object_add(obj, "id", json_object_get(id));
    text = qvirt_json_to_string(obj);
    line = g_strconcat(text, "\r\n", NULL);
    server_write(test, line, strlen(line));
}

static void
server_send_error(QemuMonitorTest *test, QvirtJson *id, const char *desc)
{
    g_autoptr(QvirtJson) err = json_object_new_object();
    g_autoptr(QvirtJson) body = json_object_new_object();
    g_autofree char *text = NULL;

    json_object_object_add(body, "class", json_object_new_string("GenericError"));
    json_object_object_add(body, "desc", json_object_new_string(desc));
    json_object_object_add(err, "error", g_steal_pointer(&body));
    text = qvirt_json_to_string(err);
    server_send_reply(test, id, text);
}

/* Read one QMP command and check it against ITEM (NULL: none expected). */
static int
server_handle_qmp(QemuMonitorTest *test, Item *item)
{
    g_autofree char *line = NULL;
    g_autoptr(QvirtJson) cmd = NULL;
    QvirtJson *id = NULL;
    QvirtJson *args = NULL;
    const char *name = NULL;
    unsigned int nfds = 0;
    int rc = server_read_command(test, &line, &nfds);

    if (rc <= 0) {
        if (item)
            test_fail(test, "connection ended while expecting '%s'", item->cmd);
        return -1;
    }
    cmd = qvirt_json_parse(line, strlen(line), "command");
    if (!cmd || qvirt_json_get_string(cmd, "execute", &name) != 0) {
        qvirt_error_reset();
        test_fail(test, "malformed command: %s", line);
        server_send_error(test, NULL, "fake monitor: malformed command");
        return 0;
    }
    json_object_object_get_ex(cmd, "id", &id);
    json_object_object_get_ex(cmd, "arguments", &args);

    if (!item) {
        test_fail(test, "unexpected command '%s': %s", name, line);
        server_send_error(test, id, "fake monitor: unexpected command");
        return 0;
    }
    if (strcmp(name, item->cmd) != 0) {
        test_fail(test, "expected command '%s', got '%s': %s", item->cmd, name, line);
        server_send_error(test, id, "fake monitor: unexpected command");
        return 0;
    }
    if (!(test->flags & QEMU_MONITOR_TEST_NO_SCHEMA_CHECK)) {
        g_autofree char *err =
            qemu_monitor_test_check_schema(qemu_monitor_test_get_schema(), name, args);

        if (err) {
            test_fail(test, "command does not match the QMP schema: %s: %s", err, line);
            server_send_error(test, id, "fake monitor: invalid arguments");
            return 0;
        }
    }
    if (item->args) {
        g_autoptr(QvirtJson) empty = json_object_new_object();

        if (!json_object_equal(item->args, args ? args : empty)) {
            g_autofree char *want = qvirt_json_to_string(item->args);

            test_fail(test, "arguments of '%s' differ: expected %s, got: %s", name, want, line);
            server_send_error(test, id, "fake monitor: unexpected arguments");
            return 0;
        }
    }
    if (item->nfds >= 0 && (unsigned int)item->nfds != nfds) {
        test_fail(test, "command '%s' came with %u descriptors, expected %d", name, nfds,
                  item->nfds);
    }

    if (item->no_reply) {
        Pending *p = g_new0(Pending, 1);

        p->id = id ? json_object_get(id) : NULL;
        p->cmd = g_strdup(name);
        p->args = args ? json_object_get(args) : NULL;
        g_ptr_array_add(test->pending, p);
    } else if (item->func) {
        g_autofree char *reply = item->func(name, args, item->opaque);

        server_send_reply(test, id, reply);
    } else {
        server_send_reply(test, id, item->reply);
    }
    return 0;
}

/* QEMU's readline echo of CMDLINE: the line redrawn after each character. */
static void
server_send_hmp_echo(QemuMonitorTest *test, const char *cmdline)
{
    g_autoptr(GString) echo = g_string_new(NULL);
    size_t len = strlen(cmdline);

    for (size_t i = 1; i <= len; i++) {
        for (size_t j = 1; j < i; j++)
            g_string_append(echo, "\033[D");
        g_string_append_len(echo, cmdline, i);
        g_string_append(echo, "\033[K");
    }
    g_string_append(echo, "\r\n");
    server_write(test, echo->str, echo->len);
}

static int
server_handle_hmp(QemuMonitorTest *test, Item *item)
{
    g_autofree char *line = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    unsigned int nfds = 0;
    int rc = server_read_command(test, &line, &nfds);

    if (rc <= 0) {
        if (item)
            test_fail(test, "connection ended while expecting '%s'", item->cmd);
        return -1;
    }
    server_send_hmp_echo(test, line);
    if (!item || strcmp(item->cmd, line) != 0) {
        test_fail(test, "unexpected HMP command '%s' (expected '%s')", line,
                  item ? item->cmd : "none");
        g_string_append_printf(out, "unknown command: '%s'\r\n", line);
    } else {
        for (const char *p = item->reply; p && *p; p++) {
            if (*p == '\n')
                g_string_append_c(out, '\r');
            g_string_append_c(out, *p);
        }
    }
    g_string_append(out, "(qemu) ");
    server_write(test, out->str, out->len);
    return 0;
}

static void
server_play_reply(QemuMonitorTest *test, Item *item)
{
    Pending *p;
    guint idx;

    if (test->pending->len == 0) {
        test_fail(test, "no command waits for a reply");
        return;
    }
    if (item->which < 0)
        idx = test->pending->len - 1;
    else
        idx = MIN((guint)item->which, test->pending->len - 1);
    p = g_ptr_array_index(test->pending, idx);
    if (item->func) {
        g_autofree char *reply = item->func(p->cmd, p->args, item->opaque);

        server_send_reply(test, p->id, reply);
    } else {
        server_send_reply(test, p->id, item->reply);
    }
    g_ptr_array_remove_index(test->pending, idx);
}

/* Play ITEM. Returns -1 when the script must end (EOF, stop, connection lost). */
static int
server_play(QemuMonitorTest *test, Item *item)
{
    switch (item->kind) {
    case ITEM_EXPECT:
        return server_handle_qmp(test, item);
    case ITEM_HMP:
        return server_handle_hmp(test, item);
    case ITEM_REPLY:
        server_play_reply(test, item);
        return 0;
    case ITEM_RAW:
        server_write(test, item->data, item->len);
        return 0;
    case ITEM_PARTIAL:
        for (size_t off = 0; off < item->len; off += item->chunk) {
            server_write(test, item->data + off, MIN(item->chunk, item->len - off));
            /* A deliberate pause (fault injection, not synchronisation): it
             * makes the client read each piece on its own. */
            if (server_wait(test, -1, 2) < 0)
                return -1;
        }
        return 0;
    case ITEM_DELAY: {
        gint64 deadline = g_get_monotonic_time() + (gint64)item->ms * 1000;

        while (g_get_monotonic_time() < deadline) {
            int left = (deadline - g_get_monotonic_time()) / 1000 + 1;

            if (server_wait(test, -1, left) < 0)
                return -1;
        }
        return 0;
    }
    case ITEM_GATE:
        for (;;) {
            qvirt_mutex_lock(&test->lock);
            if (test->releases > 0) {
                test->releases--;
                qvirt_mutex_unlock(&test->lock);
                return 0;
            }
            qvirt_mutex_unlock(&test->lock);
            if (server_wait(test, -1, -1) < 0)
                return -1;
        }
    case ITEM_EOF:
        shutdown(test->client_fd, SHUT_RDWR);
        close(test->client_fd);
        test->client_fd = -1;
        return -1;
    }
    return -1;
}

static gpointer
server_thread(gpointer data)
{
    QemuMonitorTest *test = data;
    int rc;

    rc = server_wait(test, test->listen_fd, -1);
    if (rc > 0)
        test->client_fd = accept4(test->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (test->client_fd < 0)
        goto done;

    if (!(test->flags & QEMU_MONITOR_TEST_NO_GREETING)) {
        if (test->protocol == QEMU_MONITOR_PROTOCOL_QMP)
            server_write(test, QMP_GREETING, strlen(QMP_GREETING));
        else
            server_write(test, HMP_BANNER, strlen(HMP_BANNER));
    }

    for (;;) {
        Item *item = NULL;

        qvirt_mutex_lock(&test->lock);
        if (test->next < test->items->len)
            item = g_ptr_array_index(test->items, test->next);
        qvirt_mutex_unlock(&test->lock);
        if (!item)
            break;
        rc = server_play(test, item);
        qvirt_mutex_lock(&test->lock);
        test->next++;
        qvirt_cond_broadcast(&test->cond);
        qvirt_mutex_unlock(&test->lock);
        if (rc < 0)
            goto done;
    }

    qvirt_mutex_lock(&test->lock);
    test->done = TRUE;
    qvirt_cond_broadcast(&test->cond);
    qvirt_mutex_unlock(&test->lock);

    /* The script is over: every further command is unexpected. */
    while (test->client_fd >= 0) {
        if (test->protocol == QEMU_MONITOR_PROTOCOL_QMP)
            rc = server_handle_qmp(test, NULL);
        else
            rc = server_handle_hmp(test, NULL);
        if (rc < 0)
            break;
    }

done:
    qvirt_mutex_lock(&test->lock);
    test->done = TRUE;
    qvirt_cond_broadcast(&test->cond);
    qvirt_mutex_unlock(&test->lock);
    return NULL;
}

/* ---- Set-up ---- */

QemuMonitorTest *
qemu_monitor_test_new_full(QemuMonitorProtocol protocol, unsigned int flags)
{
    QemuMonitorTest *test = g_new0(QemuMonitorTest, 1);

    test->protocol = protocol;
    test->flags = flags;
    test->dir = qvirt_test_mkdtemp();
    test->path = g_build_filename(test->dir, "monitor.sock", NULL);
    test->client_fd = -1;
    test->items = g_ptr_array_new_with_free_func(item_free);
    test->pending = g_ptr_array_new_with_free_func(pending_free);
    test->in = g_byte_array_new();
    qvirt_mutex_init(&test->lock);
    qvirt_cond_init(&test->cond);
    if (!(flags & QEMU_MONITOR_TEST_NO_SCHEMA_CHECK) && protocol == QEMU_MONITOR_PROTOCOL_QMP)
        qemu_monitor_test_get_schema();

    test->listen_fd = qemu_monitor_listen_socket(test->path);
    if (test->listen_fd < 0)
        g_error("fake monitor: %s", qvirt_error_last_message());
    if (!g_unix_open_pipe(test->wake, FD_CLOEXEC, NULL))
        g_error("fake monitor: cannot create a pipe");
    g_unix_set_fd_nonblocking(test->wake[0], TRUE, NULL);
    test->thread = g_thread_new("fake-monitor", server_thread, test);
    return test;
}

QemuMonitorTest *
qemu_monitor_test_new(QemuMonitorProtocol protocol)
{
    return qemu_monitor_test_new_full(protocol, 0);
}

static void
test_wake(QemuMonitorTest *test)
{
    char c = 'w';

    if (write(test->wake[1], &c, 1) < 0)
        g_test_message("fake monitor: cannot wake the server: %s", g_strerror(errno));
}

/* Stop the server thread (once). */
static void
server_stop(QemuMonitorTest *test)
{
    if (!test->thread)
        return;
    qvirt_mutex_lock(&test->lock);
    test->stop = TRUE;
    qvirt_mutex_unlock(&test->lock);
    test_wake(test);
    g_thread_join(test->thread);
    test->thread = NULL;
}

void
qemu_monitor_test_free(QemuMonitorTest *test)
{
    if (!test)
        return;
    server_stop(test);

    if (test->client_fd >= 0)
        close(test->client_fd);
    close(test->listen_fd);
    close(test->wake[0]);
    close(test->wake[1]);
    qvirt_test_rmtree(test->dir);
    g_free(test->dir);
    g_free(test->path);
    g_ptr_array_unref(test->items);
    g_ptr_array_unref(test->pending);
    g_byte_array_unref(test->in);
    g_free(test->failure);
    qvirt_cond_clear(&test->cond);
    qvirt_mutex_clear(&test->lock);
    g_free(test);
}

const char *
qemu_monitor_test_get_path(QemuMonitorTest *test)
{
    return test->path;
}

QemuMonitor *
qemu_monitor_test_open(QemuMonitorTest *test, QvirtEventLoop *loop, const QemuMonitorConfig *config)
{
    QemuMonitorConfig def = {.protocol = test->protocol, .domain_name = "fake"};
    QemuMonitor *mon = qemu_monitor_open_path(loop, test->path, config ? config : &def);

    if (!mon)
        g_error("cannot open the fake monitor: %s", qvirt_error_last_message());
    return mon;
}

static Item *
test_add(QemuMonitorTest *test, ItemKind kind)
{
    Item *item = g_new0(Item, 1);

    item->kind = kind;
    item->nfds = -1;
    qvirt_mutex_lock(&test->lock);
    g_ptr_array_add(test->items, item);
    qvirt_mutex_unlock(&test->lock);
    return item;
}

static QvirtJson *
parse_or_die(const char *text)
{
    QvirtJson *obj = qvirt_json_parse(text, strlen(text), "test JSON");

    if (!obj)
        g_error("bad JSON in a test: %s: %s", text, qvirt_error_last_message());
    return obj;
}

static void
test_expect(QemuMonitorTest *test, const char *cmd, const char *args, int nfds, const char *reply)
{
    Item *item;

    g_assert(test->protocol == QEMU_MONITOR_PROTOCOL_QMP);
    if (reply)
        json_object_put(parse_or_die(reply));
    item = test_add(test, ITEM_EXPECT);
    item->cmd = g_strdup(cmd);
    item->args = args ? parse_or_die(args) : NULL;
    item->reply = g_strdup(reply ? reply : "{\"return\": {}}");
    item->nfds = nfds;
}

void
qemu_monitor_test_expect_fds(QemuMonitorTest *test, const char *cmd, const char *args,
                             unsigned int nfds, const char *reply)
{
    test_expect(test, cmd, args, nfds, reply);
}

void
qemu_monitor_test_expect(QemuMonitorTest *test, const char *cmd, const char *args,
                         const char *reply)
{
    test_expect(test, cmd, args, 0, reply);
}

void
qemu_monitor_test_expect_error(QemuMonitorTest *test, const char *cmd, const char *klass,
                               const char *desc)
{
    g_autoptr(QvirtJson) err = json_object_new_object();
    g_autoptr(QvirtJson) body = json_object_new_object();
    g_autofree char *text = NULL;

    json_object_object_add(body, "class", json_object_new_string(klass));
    json_object_object_add(body, "desc", json_object_new_string(desc));
    json_object_object_add(err, "error", g_steal_pointer(&body));
    text = qvirt_json_to_string(err);
    test_expect(test, cmd, NULL, -1, text);
}

void
qemu_monitor_test_expect_no_reply(QemuMonitorTest *test, const char *cmd)
{
    Item *item = test_add(test, ITEM_EXPECT);

    g_assert(test->protocol == QEMU_MONITOR_PROTOCOL_QMP);
    item->cmd = g_strdup(cmd);
    item->no_reply = TRUE;
}

void
qemu_monitor_test_expect_func(QemuMonitorTest *test, const char *cmd, QemuMonitorTestHandler func,
                              gpointer opaque)
{
    Item *item = test_add(test, ITEM_EXPECT);

    g_assert(test->protocol == QEMU_MONITOR_PROTOCOL_QMP);
    item->cmd = g_strdup(cmd);
    item->func = func;
    item->opaque = opaque;
}

void
qemu_monitor_test_add_reply(QemuMonitorTest *test, int which, const char *reply)
{
    Item *item;

    json_object_put(parse_or_die(reply));
    item = test_add(test, ITEM_REPLY);
    item->which = which;
    item->reply = g_strdup(reply);
}

void
qemu_monitor_test_add_reply_func(QemuMonitorTest *test, int which, QemuMonitorTestHandler func,
                                 gpointer opaque)
{
    Item *item = test_add(test, ITEM_REPLY);

    item->which = which;
    item->func = func;
    item->opaque = opaque;
}

void
qemu_monitor_test_expect_hmp(QemuMonitorTest *test, const char *cmdline, const char *output)
{
    Item *item;

    g_assert(test->protocol == QEMU_MONITOR_PROTOCOL_HMP);
    item = test_add(test, ITEM_HMP);
    item->cmd = g_strdup(cmdline);
    item->reply = g_strdup(output ? output : "");
}

void
qemu_monitor_test_add_event(QemuMonitorTest *test, const char *name, const char *data)
{
    g_autofree char *text = NULL;
    static gint64 seconds = 1700000000;

    if (data)
        json_object_put(parse_or_die(data));
    text = g_strdup_printf("{\"timestamp\": {\"seconds\": %" G_GINT64_FORMAT ", "
                           "\"microseconds\": 123456}, \"event\": \"%s\"%s%s}\r\n",
                           seconds++, name, data ? ", \"data\": " : "", data ? data : "");
    qemu_monitor_test_add_raw(test, text, -1);
}

void
qemu_monitor_test_add_raw(QemuMonitorTest *test, const char *data, gssize len)
{
    Item *item = test_add(test, ITEM_RAW);

    item->len = len < 0 ? strlen(data) : (size_t)len;
    item->data = g_memdup2(data, item->len);
}

void
qemu_monitor_test_add_partial(QemuMonitorTest *test, const char *data, size_t chunk)
{
    Item *item = test_add(test, ITEM_PARTIAL);

    item->len = strlen(data);
    item->data = g_strdup(data);
    item->chunk = chunk > 0 ? chunk : 1;
}

void
qemu_monitor_test_add_delay(QemuMonitorTest *test, unsigned int ms)
{
    test_add(test, ITEM_DELAY)->ms = ms;
}

void
qemu_monitor_test_add_gate(QemuMonitorTest *test)
{
    test_add(test, ITEM_GATE);
}

void
qemu_monitor_test_add_eof(QemuMonitorTest *test)
{
    test_add(test, ITEM_EOF);
}

void
qemu_monitor_test_release(QemuMonitorTest *test)
{
    qvirt_mutex_lock(&test->lock);
    test->releases++;
    qvirt_mutex_unlock(&test->lock);
    test_wake(test);
}

gboolean
qemu_monitor_test_wait_done(QemuMonitorTest *test)
{
    gint64 deadline = g_get_monotonic_time() + SCRIPT_DEADLINE_MS * G_TIME_SPAN_MILLISECOND;
    gboolean done;

    qvirt_mutex_lock(&test->lock);
    while (!test->done && test->next < test->items->len) {
        if (!qvirt_cond_wait_until(&test->cond, &test->lock, deadline))
            break;
    }
    done = test->done || test->next >= test->items->len;
    qvirt_mutex_unlock(&test->lock);
    return done;
}

char *
qemu_monitor_test_get_failure(QemuMonitorTest *test)
{
    char *failure;

    qvirt_mutex_lock(&test->lock);
    failure = g_strdup(test->failure);
    qvirt_mutex_unlock(&test->lock);
    return failure;
}

void
qemu_monitor_test_finish(QemuMonitorTest *test)
{
    g_autofree char *failure = NULL;
    guint unused;

    if (!qemu_monitor_test_wait_done(test))
        test_fail(test, "the script did not end within %d ms", SCRIPT_DEADLINE_MS);
    server_stop(test);

    failure = g_strdup(test->failure);
    unused = test->items->len - test->next;
    if (unused > 0 && !failure) {
        Item *item = g_ptr_array_index(test->items, test->next);

        failure = g_strdup_printf("%u script items left unused, the first of kind %d (%s)", unused,
                                  item->kind, item->cmd ? item->cmd : "-");
    }
    qemu_monitor_test_free(test);
    if (failure)
        g_test_fail_printf("fake monitor: %s", failure);
}

/* test-core.c: the monitor core against the fake QEMU: greeting, timeouts
 * and late replies, EOF, concurrent senders, oversized and garbage input,
 * partial writes, events, descriptor passing and closing. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "qemu/qemu_monitor_json.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

#define KVM_OFF "{\"return\": {\"enabled\": false, \"present\": true}}"
#define KVM_ON "{\"return\": {\"enabled\": true, \"present\": true}}"
#define STATUS_RUNNING                                                                             \
    "{\"return\": {\"status\": \"running\", \"singlestep\": false, "                               \
    "\"running\": true}}"

/* ---- Greeting ---- */

static void
test_core_greeting(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    QvirtJson *greeting;
    QvirtJson *version = NULL;

    qemu_monitor_test_expect(f->server, "qmp_capabilities", NULL, NULL);
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_wait_ready(f->mon), ==, 0);
    greeting = qemu_monitor_get_greeting(f->mon);
    g_assert_nonnull(greeting);
    g_assert_cmpint(qvirt_json_get_object(greeting, "version", &version), ==, 0);
    g_assert_cmpint(qemu_monitor_json_set_capabilities(f->mon), ==, 0);
    g_assert_cmpint(qemu_monitor_get_timeout(f->mon), ==, QEMU_MONITOR_DEFAULT_TIMEOUT_MS);
    g_assert_cmpint(qemu_monitor_get_protocol(f->mon), ==, QEMU_MONITOR_PROTOCOL_QMP);
    mon_fixture_finish(f);
}

/* Commands sent before the greeting wait for it, then go out. */
static void
test_core_greeting_late(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, QEMU_MONITOR_TEST_NO_GREETING);
    bool present = false;
    bool enabled = true;

    qemu_monitor_test_add_delay(f->server, 50);
    qemu_monitor_test_add_partial(f->server,
                                  "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n", 7);
    qemu_monitor_test_expect(f->server, "query-kvm", NULL, KVM_OFF);
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_kvm(f->mon, &present, &enabled), ==, 0);
    g_assert_true(present);
    g_assert_false(enabled);
    mon_fixture_finish(f);
}

static void
test_core_no_greeting(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, QEMU_MONITOR_TEST_NO_GREETING);
    bool present;
    bool enabled;

    mon_fixture_connect(f, 100);
    g_assert_cmpint(qemu_monitor_wait_ready(f->mon), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, "'fake'");
    g_assert_cmpint(qemu_monitor_json_query_kvm(f->mon, &present, &enabled), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT, "command 'query-kvm' of domain 'fake'");
    /* The command never reached the socket: nothing is left queued. */
    g_assert_false(qemu_monitor_is_closed(f->mon));
    mon_fixture_finish(f);
}

/* ---- Timeouts and late replies ---- */

static void
test_core_timeout_late_reply(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    bool present = false;
    bool enabled = true;

    qemu_monitor_test_expect_no_reply(f->server, "query-kvm");
    qemu_monitor_test_add_gate(f->server);
    /* The late reply says "enabled"; the next command's own reply does not. */
    qemu_monitor_test_add_reply(f->server, 0, KVM_ON);
    qemu_monitor_test_expect(f->server, "query-kvm", NULL, KVM_OFF);
    mon_fixture_connect(f, 150);

    g_assert_cmpint(qemu_monitor_json_query_kvm(f->mon, &present, &enabled), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_TIMEOUT,
                            "reply to command 'query-kvm' of domain 'fake'");
    g_assert_false(qemu_monitor_is_closed(f->mon));

    qemu_monitor_set_timeout(f->mon, 10000);
    qemu_monitor_test_release(f->server);
    g_assert_cmpint(qemu_monitor_json_query_kvm(f->mon, &present, &enabled), ==, 0);
    g_assert_false(enabled);
    mon_fixture_finish(f);
}

/* A reply whose id no command has is dropped; the real one still comes. */
static void
test_core_unknown_id(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    bool present;
    bool enabled = true;

    qemu_monitor_test_add_raw(f->server,
                              "{\"return\": {\"enabled\": true, \"present\": true}, "
                              "\"id\": \"someone-else\"}\r\n",
                              -1);
    qemu_monitor_test_expect(f->server, "query-kvm", NULL, KVM_OFF);
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_kvm(f->mon, &present, &enabled), ==, 0);
    g_assert_false(enabled);
    mon_fixture_finish(f);
}

/* ---- EOF ---- */

typedef struct {
    MonFixture *f;
    int rc;
    int code;
    char *message;
} Sender;

static gpointer
send_query_status(gpointer data)
{
    Sender *s = data;
    bool running;

    s->rc = qemu_monitor_json_query_status(s->f->mon, &running, NULL);
    s->code = qvirt_error_last_code();
    s->message = g_strdup(qvirt_error_last_message());
    return NULL;
}

static void
test_core_eof_during_command(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    Sender senders[4] = {{0}};
    GThread *threads[4];
    bool running;

    for (size_t i = 0; i < G_N_ELEMENTS(senders); i++)
        qemu_monitor_test_expect_no_reply(f->server, "query-status");
    qemu_monitor_test_add_eof(f->server);
    mon_fixture_connect(f, 0);

    for (size_t i = 0; i < G_N_ELEMENTS(senders); i++) {
        senders[i].f = f;
        threads[i] = g_thread_new("sender", send_query_status, &senders[i]);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(senders); i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(senders[i].rc, ==, -1);
        g_assert_cmpint(senders[i].code, ==, QVIRT_ERR_OPERATION_FAILED);
        g_assert_nonnull(strstr(senders[i].message, "no longer running"));
        g_free(senders[i].message);
    }
    g_assert_true(mon_fixture_wait_closed(f));
    g_assert_cmpint(f->eofs, ==, 1);
    g_assert_cmpint(f->errors, ==, 0);
    g_assert_true(qemu_monitor_is_closed(f->mon));

    /* Later commands fail at once with the same reason. */
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "no longer running");
    mon_fixture_finish(f);
}

/* ---- Concurrent senders ---- */

#define SENDERS 6
#define COMMANDS_PER_SENDER 25

static char *
echo_handler(const char *cmd, QvirtJson *args, gpointer opaque)
{
    const char *line = NULL;
    g_autoptr(QvirtJson) reply = json_object_new_object();

    g_assert_cmpint(qvirt_json_get_string(args, "command-line", &line), ==, 0);
    json_object_object_add(reply, "return", json_object_new_string(line));
    return qvirt_json_to_string(reply);
}

typedef struct {
    MonFixture *f;
    int index;
    int ok;
} EchoSender;

static gpointer
echo_sender(gpointer data)
{
    EchoSender *s = data;

    for (int i = 0; i < COMMANDS_PER_SENDER; i++) {
        g_autofree char *line = g_strdup_printf("info sender-%d-%d", s->index, i);
        g_autofree char *out = NULL;

        if (qemu_monitor_json_human_command(s->f->mon, line, &out) == 0 &&
            g_strcmp0(out, line) == 0)
            s->ok++;
    }
    return NULL;
}

static void
test_core_concurrent_senders(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    EchoSender senders[SENDERS] = {{0}};
    GThread *threads[SENDERS];

    for (int i = 0; i < SENDERS * COMMANDS_PER_SENDER; i++)
        qemu_monitor_test_expect_func(f->server, "human-monitor-command", echo_handler, NULL);
    mon_fixture_connect(f, 0);
    for (int i = 0; i < SENDERS; i++) {
        senders[i].f = f;
        senders[i].index = i;
        threads[i] = g_thread_new("sender", echo_sender, &senders[i]);
    }
    for (int i = 0; i < SENDERS; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(senders[i].ok, ==, COMMANDS_PER_SENDER);
    }
    mon_fixture_finish(f);
}

typedef struct {
    MonFixture *f;
    const char *line;
    char *out;
    int rc;
} HumanSender;

static gpointer
human_sender(gpointer data)
{
    HumanSender *s = data;

    s->rc = qemu_monitor_json_human_command(s->f->mon, s->line, &s->out);
    return NULL;
}

/* QEMU answering out of order: each reply still reaches its own sender. */
static void
test_core_out_of_order(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    HumanSender a = {f, "info first", NULL, -1};
    HumanSender b = {f, "info second", NULL, -1};
    GThread *ta;
    GThread *tb;

    qemu_monitor_test_expect_no_reply(f->server, "human-monitor-command");
    qemu_monitor_test_expect_no_reply(f->server, "human-monitor-command");
    qemu_monitor_test_add_reply_func(f->server, -1, echo_handler, NULL);
    qemu_monitor_test_add_reply_func(f->server, 0, echo_handler, NULL);
    mon_fixture_connect(f, 0);
    ta = g_thread_new("a", human_sender, &a);
    tb = g_thread_new("b", human_sender, &b);
    g_thread_join(ta);
    g_thread_join(tb);
    g_assert_cmpint(a.rc, ==, 0);
    g_assert_cmpint(b.rc, ==, 0);
    g_assert_cmpstr(a.out, ==, "info first");
    g_assert_cmpstr(b.out, ==, "info second");
    g_free(a.out);
    g_free(b.out);
    mon_fixture_finish(f);
}

/* ---- Limits and garbage ---- */

static char *
huge_handler(const char *cmd, QvirtJson *args, gpointer opaque)
{
    size_t size = GPOINTER_TO_SIZE(opaque);
    GString *s = g_string_sized_new(size + 32);

    g_string_append(s, "{\"return\": \"");
    while (s->len < size)
        g_string_append_c(s, 'x');
    g_string_append(s, "\"}");
    return g_string_free(s, FALSE);
}

static void
test_core_large_reply_ok(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *out = NULL;

    qemu_monitor_test_expect_func(f->server, "human-monitor-command", huge_handler,
                                  GSIZE_TO_POINTER(2 * 1024 * 1024));
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_human_command(f->mon, "info big", &out), ==, 0);
    g_assert_cmpuint(strlen(out), >=, 2 * 1024 * 1024 - 16);
    mon_fixture_finish(f);
}

static void
test_core_oversized_reply(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *out = NULL;
    bool running;

    qemu_monitor_test_expect_func(f->server, "human-monitor-command", huge_handler,
                                  GSIZE_TO_POINTER(QEMU_MONITOR_MAX_REPLY_SIZE + 1));
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_human_command(f->mon, "info big", &out), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "to command 'human-monitor-command': "
                                                      "reply exceeds 10485760 bytes");
    g_assert_null(out);
    g_assert_true(mon_fixture_wait_closed(f));
    g_assert_cmpint(f->errors, ==, 1);
    g_assert_cmpint(f->eofs, ==, 0);
    g_assert_nonnull(strstr(f->error_message, "exceeds"));
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "closed after a protocol error");
    mon_fixture_finish(f);
}

/* A reply that never ends its line also hits the limit (a small one here). */
static void
test_core_oversized_unterminated(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *junk = g_strnfill(8192, 'a');
    bool running;

    qemu_monitor_test_expect_no_reply(f->server, "query-status");
    qemu_monitor_test_add_raw(f->server, junk, -1);
    mon_fixture_connect_full(f, 0, 4096);
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "reply exceeds 4096 bytes");
    g_assert_true(qemu_monitor_is_closed(f->mon));
    mon_fixture_finish(f);
}

typedef struct {
    const char *name;
    const char *data; /* sent while query-status waits */
    size_t len;       /* 0: strlen */
    const char *error;
} GarbageCase;

static const GarbageCase garbage_cases[] = {
    {"text", "this is not JSON\r\n", 0, "cannot parse QMP message"},
    {"truncated", "{\"return\": {\"status\": \r\n", 0, "cannot parse QMP message"},
    {"nul", "{\"return\": {}}\0\r\n", 17, "NUL byte"},
    {"utf8", "{\"return\": \"\xff\xfe\"}\r\n", 0, "cannot parse QMP message"},
    {"array", "[1, 2, 3]\r\n", 0, "not a JSON object"},
    {"number", "42\r\n", 0, "not a JSON object"},
    {"neither", "{\"hello\": 1}\r\n", 0, "neither a reply nor an event"},
    {"greeting", "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n", 0,
     "second QMP greeting"},
    {"bad-id", "{\"return\": {}, \"id\": 7}\r\n", 0, "'id'"},
    {"two-values", "{\"return\": {}} {\"return\": {}}\r\n", 0, "cannot parse QMP message"},
    {"deep", NULL, 0, "cannot parse QMP message"},
};

static void
test_core_garbage(gconstpointer data)
{
    const GarbageCase *gc = data;
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    g_autofree char *deep = NULL;
    bool running;

    /* One good round trip first: a repeated greeting before any reply is
     * tolerated (see repeated-greeting), after one it is garbage. */
    qemu_monitor_test_expect(f->server, "query-status", NULL,
                             "{\"return\": {\"status\": \"running\", \"running\": true}}");
    qemu_monitor_test_expect_no_reply(f->server, "query-status");
    if (gc->data) {
        qemu_monitor_test_add_raw(f->server, gc->data, gc->len ? (gssize)gc->len : -1);
    } else {
        /* Nested deeper than the parser allows. */
        g_autofree char *open = g_strnfill(200, '[');
        g_autofree char *close = g_strnfill(200, ']');

        deep = g_strdup_printf("{\"return\": %s%s}\r\n", open, close);
        qemu_monitor_test_add_raw(f->server, deep, -1);
    }
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, NULL), ==, 0);
    g_assert_true(running);
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, gc->error);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'query-status'");
    g_assert_true(mon_fixture_wait_closed(f));
    g_assert_cmpint(f->errors, ==, 1);
    g_assert_true(qemu_monitor_is_closed(f->mon));
    mon_fixture_finish(f);
}

/* QEMU 7.2 may greet twice when the client connected early: a repeat
 * before any reply is ignored and the command gets its answer. */
static void
test_core_repeated_greeting(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    bool running = false;

    qemu_monitor_test_add_raw(f->server, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n",
                              -1);
    qemu_monitor_test_expect(f->server, "query-status", NULL,
                             "{\"return\": {\"status\": \"running\", \"running\": true}}");
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, NULL), ==, 0);
    g_assert_true(running);
    g_assert_false(qemu_monitor_is_closed(f->mon));
    mon_fixture_finish(f);
}

/* Garbage with no command waiting: the monitor closes and tells the driver. */
static void
test_core_garbage_idle(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);

    qemu_monitor_test_add_raw(f->server, "\x01\x02garbage\r\n", -1);
    mon_fixture_connect(f, 0);
    g_assert_true(mon_fixture_wait_closed(f));
    g_assert_cmpint(f->errors, ==, 1);
    g_assert_nonnull(strstr(f->error_message, "closed after a protocol error"));
    mon_fixture_finish(f);
}

static void
test_core_partial_reply(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    bool running = false;
    QemuMonitorVMStatus status;

    qemu_monitor_test_expect_no_reply(f->server, "query-status");
    qemu_monitor_test_add_event(f->server, "STOP", NULL);
    qemu_monitor_test_add_partial(f->server,
                                  "{\"timestamp\": {\"seconds\": 1, \"microseconds\":"
                                  " 2}, \"event\": \"RESUME\"}\r\n",
                                  5);
    qemu_monitor_test_add_reply(f->server, 0, STATUS_RUNNING);
    mon_fixture_connect(f, 0);
    g_assert_cmpint(qemu_monitor_json_query_status(f->mon, &running, &status), ==, 0);
    g_assert_true(running);
    g_assert_cmpint(status, ==, QEMU_MONITOR_VM_STATUS_RUNNING);
    g_assert_true(mon_fixture_wait_events(f, 2));
    g_assert_cmpstr(mon_fixture_event(f, 0), ==, "STOP");
    g_assert_cmpstr(mon_fixture_event(f, 1), ==, "RESUME");
    mon_fixture_finish(f);
}

/* ---- Events ---- */

static void
test_core_events(void)
{
    static const struct {
        const char *name;
        const char *data;
        const char *summary;
    } events[] = {
        {"STOP", NULL, "STOP"},
        {"RESUME", NULL, "RESUME"},
        {"SHUTDOWN", "{\"guest\": true, \"reason\": \"guest-shutdown\"}",
         "SHUTDOWN guest reason=guest-shutdown"},
        {"RESET", "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}",
         "RESET reason=host-qmp-system-reset"},
        {"POWERDOWN", NULL, "POWERDOWN"},
        {"GUEST_PANICKED", "{\"action\": \"pause\"}", "GUEST_PANICKED action=pause"},
        {"MIGRATION", "{\"status\": \"active\"}", "MIGRATION status=active"},
        {"MIGRATION_PASS", "{\"pass\": 3}", "MIGRATION_PASS pass=3"},
        {"JOB_STATUS_CHANGE", "{\"status\": \"ready\", \"id\": \"copy-vda\"}",
         "JOB_STATUS_CHANGE status=ready id=copy-vda"},
        {"BLOCK_JOB_READY",
         "{\"device\": \"copy-vda\", \"len\": 1048576, \"offset\": 1048576, \"speed\": 0, "
         "\"type\": \"mirror\"}",
         "BLOCK_JOB_READY device=copy-vda job_type=mirror len=1048576 offset=1048576"},
        {"BLOCK_JOB_COMPLETED",
         "{\"device\": \"pull-vda\", \"len\": 10, \"offset\": 5, \"speed\": 7, "
         "\"type\": \"stream\", \"error\": \"Input/output error\"}",
         "BLOCK_JOB_COMPLETED reason=Input/output error device=pull-vda job_type=stream "
         "len=10 offset=5 speed=7"},
        {"BLOCK_JOB_CANCELLED",
         "{\"device\": \"commit-vda\", \"len\": 10, \"offset\": 1, \"speed\": 0, "
         "\"type\": \"commit\"}",
         "BLOCK_JOB_CANCELLED device=commit-vda job_type=commit len=10 offset=1"},
        {"BLOCK_JOB_ERROR",
         "{\"device\": \"copy-vda\", \"operation\": \"write\", \"action\": \"report\"}",
         "BLOCK_JOB_ERROR device=copy-vda operation=write action=report"},
        {"BLOCK_JOB_PENDING", "{\"type\": \"mirror\", \"id\": \"copy-vda\"}",
         "BLOCK_JOB_PENDING device=copy-vda job_type=mirror"},
        {"BLOCK_IO_ERROR",
         "{\"device\": \"\", \"node-name\": \"libvirt-1-format\", \"reason\": \"No space left "
         "on device\", \"operation\": \"write\", \"action\": \"stop\", \"nospace\": true}",
         "BLOCK_IO_ERROR reason=No space left on device device= node=libvirt-1-format "
         "operation=write action=stop nospace"},
        {"DEVICE_DELETED", "{\"device\": \"net1\", \"path\": \"/machine/peripheral/net1\"}",
         "DEVICE_DELETED device=net1 path=/machine/peripheral/net1"},
        {"BALLOON_CHANGE", "{\"actual\": 1073741824}", "BALLOON_CHANGE actual=1073741824"},
        {"DUMP_COMPLETED",
         "{\"result\": {\"total\": 100, \"status\": \"completed\", \"completed\": 100}}",
         "DUMP_COMPLETED status=completed len=100 offset=100"},
        {"RTC_CHANGE", "{\"offset\": 1}", "RTC_CHANGE (other)"},
        {"SHUTDOWN", NULL, "SHUTDOWN"},
    };
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);

    for (size_t i = 0; i < G_N_ELEMENTS(events); i++)
        qemu_monitor_test_add_event(f->server, events[i].name, events[i].data);
    /* Malformed events are dropped without closing the monitor. */
    qemu_monitor_test_add_event(f->server, "MIGRATION", "{\"state\": \"active\"}");
    qemu_monitor_test_add_event(f->server, "MIGRATION_PASS", "{\"pass\": \"three\"}");
    qemu_monitor_test_add_event(f->server, "MIGRATION", NULL);
    qemu_monitor_test_add_raw(f->server, "{\"event\": 5}\r\n", -1);
    qemu_monitor_test_add_raw(f->server, "{\"event\": \"STOP\", \"data\": []}\r\n", -1);
    qemu_monitor_test_add_event(f->server, "RESUME", NULL);
    mon_fixture_connect(f, 0);

    g_assert_true(mon_fixture_wait_events(f, G_N_ELEMENTS(events) + 1));
    for (size_t i = 0; i < G_N_ELEMENTS(events); i++)
        g_assert_cmpstr(mon_fixture_event(f, i), ==, events[i].summary);
    g_assert_cmpstr(mon_fixture_event(f, G_N_ELEMENTS(events)), ==, "RESUME");
    g_assert_false(qemu_monitor_is_closed(f->mon));
    mon_fixture_finish(f);
}

static void
test_core_event_names(void)
{
    for (int i = 1; i < QEMU_MONITOR_EVENT_LAST; i++) {
        const char *name = qemu_monitor_event_type_to_string(i);

        g_assert_nonnull(name);
        g_assert_cmpint(qemu_monitor_event_type_from_string(name), ==, i);
    }
    g_assert_cmpint(qemu_monitor_event_type_from_string("NO_SUCH_EVENT"), ==,
                    QEMU_MONITOR_EVENT_OTHER);
    g_assert_null(qemu_monitor_event_type_to_string(QEMU_MONITOR_EVENT_LAST));
}

/* ---- Descriptors ---- */

static void
test_core_pass_fds(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    int pipefd[2];
    int set = -1;
    int qemu_fd = -1;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    qemu_monitor_test_expect_fds(f->server, "getfd", "{\"fdname\": \"migrate\"}", 1, NULL);
    qemu_monitor_test_expect_fds(f->server, "add-fd", "{\"fdset-id\": 3, \"opaque\": \"disk\"}", 1,
                                 "{\"return\": {\"fdset-id\": 3, \"fd\": 27}}");
    qemu_monitor_test_expect_fds(f->server, "add-fd", "{}", 1,
                                 "{\"return\": {\"fdset-id\": 0, \"fd\": 28}}");
    qemu_monitor_test_expect(f->server, "closefd", "{\"fdname\": \"migrate\"}", NULL);
    qemu_monitor_test_expect(f->server, "remove-fd", "{\"fdset-id\": 3, \"fd\": 27}", NULL);
    qemu_monitor_test_expect(f->server, "remove-fd", "{\"fdset-id\": 0}", NULL);
    mon_fixture_connect(f, 0);

    g_assert_cmpint(qemu_monitor_json_send_fd(f->mon, "migrate", pipefd[1]), ==, 0);
    g_assert_cmpint(qemu_monitor_json_add_fd(f->mon, 3, pipefd[0], "disk", &set, &qemu_fd), ==, 0);
    g_assert_cmpint(set, ==, 3);
    g_assert_cmpint(qemu_fd, ==, 27);
    g_assert_cmpint(qemu_monitor_json_add_fd(f->mon, -1, pipefd[0], NULL, &set, NULL), ==, 0);
    g_assert_cmpint(set, ==, 0);
    g_assert_cmpint(qemu_monitor_json_close_fd(f->mon, "migrate"), ==, 0);
    g_assert_cmpint(qemu_monitor_json_remove_fd(f->mon, 3, 27), ==, 0);
    g_assert_cmpint(qemu_monitor_json_remove_fd(f->mon, 0, -1), ==, 0);
    g_assert_cmpint(qemu_monitor_json_send_fd(f->mon, "bad", -1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid file descriptor -1");
    close(pipefd[0]);
    close(pipefd[1]);
    mon_fixture_finish(f);
}

/* ---- Closing ---- */

static void
test_core_close_wakes_waiter(void)
{
    MonFixture *f = mon_fixture_new(QEMU_MONITOR_PROTOCOL_QMP, 0);
    Sender s = {f, 0, 0, NULL};
    GThread *t;

    qemu_monitor_test_expect_no_reply(f->server, "query-status");
    mon_fixture_connect(f, 0);
    qemu_monitor_ref(f->mon);
    t = g_thread_new("sender", send_query_status, &s);
    g_assert_true(qemu_monitor_test_wait_done(f->server)); /* the command arrived */
    qemu_monitor_close(f->mon);
    g_thread_join(t);
    g_assert_cmpint(s.rc, ==, -1);
    g_assert_cmpint(s.code, ==, QVIRT_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(s.message, "QEMU monitor of domain 'fake' was closed"));
    g_free(s.message);
    /* An owner's close calls no callback. */
    g_assert_cmpint(f->eofs + f->errors, ==, 0);
    qemu_monitor_unref(f->mon);
    f->mon = NULL;
    mon_fixture_finish(f);
}

/* Closing from a thread that holds a lock the event callback waits for
 * (the domain's mutex) must not deadlock. */
typedef struct {
    QvirtMutex domain_lock;
    QvirtMutex lock;
    QvirtCond cond;
    gboolean entered;
    int events;
} BlockingHandler;

static void
blocking_event(QemuMonitor *mon, const QemuMonitorEvent *event, gpointer opaque)
{
    BlockingHandler *h = opaque;

    qvirt_mutex_lock(&h->lock);
    h->entered = TRUE;
    qvirt_cond_broadcast(&h->cond);
    qvirt_mutex_unlock(&h->lock);

    qvirt_mutex_lock(&h->domain_lock);
    h->events++;
    qvirt_mutex_unlock(&h->domain_lock);
}

static const QemuMonitorCallbacks blocking_callbacks = {.event = blocking_event};

static void
test_core_close_no_deadlock(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("close-loop");
    QemuMonitorTest *server = qemu_monitor_test_new(QEMU_MONITOR_PROTOCOL_QMP);
    BlockingHandler h = {0};
    QemuMonitorConfig config = {
        .protocol = QEMU_MONITOR_PROTOCOL_QMP,
        .domain_name = "blocking",
        .callbacks = &blocking_callbacks,
        .opaque = &h,
    };
    QemuMonitor *mon;
    gint64 deadline = qvirt_deadline_after_ms(10000);
    bool running;

    qvirt_mutex_init(&h.domain_lock);
    qvirt_mutex_init(&h.lock);
    qvirt_cond_init(&h.cond);
    qemu_monitor_test_add_gate(server);
    qemu_monitor_test_add_event(server, "STOP", NULL);
    mon = qemu_monitor_test_open(server, loop, &config);

    qvirt_mutex_lock(&h.domain_lock);
    qemu_monitor_test_release(server);
    qvirt_mutex_lock(&h.lock);
    while (!h.entered && qvirt_cond_wait_until(&h.cond, &h.lock, deadline))
        ;
    g_assert_true(h.entered);
    qvirt_mutex_unlock(&h.lock);

    /* The loop thread is stuck in the callback; close must not wait for it. */
    qemu_monitor_ref(mon);
    qemu_monitor_close(mon);
    g_assert_cmpint(qemu_monitor_json_query_status(mon, &running, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "was closed");
    qvirt_mutex_unlock(&h.domain_lock);

    qemu_monitor_test_finish(server);
    qvirt_event_loop_free(g_steal_pointer(&loop));
    g_assert_cmpint(h.events, ==, 1);
    qemu_monitor_unref(mon);
    qvirt_cond_clear(&h.cond);
    qvirt_mutex_clear(&h.lock);
    qvirt_mutex_clear(&h.domain_lock);
}

/* A callback may close the monitor from the event-loop thread. */
static void
closing_eof(QemuMonitor *mon, gpointer opaque)
{
    QemuMonitor **slot = opaque;

    qemu_monitor_close(g_steal_pointer(slot));
}

static const QemuMonitorCallbacks closing_callbacks = {.eof = closing_eof};

static void
test_core_close_from_callback(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("close-cb-loop");
    QemuMonitorTest *server = qemu_monitor_test_new(QEMU_MONITOR_PROTOCOL_QMP);
    QemuMonitor *slot = NULL;
    QemuMonitorConfig config = {
        .protocol = QEMU_MONITOR_PROTOCOL_QMP,
        .domain_name = "cb",
        .callbacks = &closing_callbacks,
        .opaque = &slot,
    };
    QemuMonitor *mon;
    bool running;

    qemu_monitor_test_expect_no_reply(server, "query-status");
    qemu_monitor_test_add_eof(server);
    mon = qemu_monitor_test_open(server, loop, &config);
    slot = mon;
    qemu_monitor_ref(mon);
    g_assert_cmpint(qemu_monitor_json_query_status(mon, &running, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "no longer running");
    qemu_monitor_test_finish(server);
    qvirt_event_loop_free(g_steal_pointer(&loop));
    g_assert_null(slot);
    qemu_monitor_unref(mon);
}

static void
test_core_open_errors(void)
{
    g_autoptr(QvirtEventLoop) loop = qvirt_event_loop_new("open-loop");
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "nobody.sock", NULL);
    g_autofree char *longpath = g_strnfill(200, 'x');
    QemuMonitorConfig config = {.protocol = QEMU_MONITOR_PROTOCOL_QMP, .domain_name = "d1"};
    int fd;

    g_assert_null(qemu_monitor_open_path(loop, path, &config));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "of domain 'd1'");
    g_assert_null(qemu_monitor_open_path(loop, longpath, &config));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "longer than");
    g_assert_null(qemu_monitor_open_fd(loop, -1, &config));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid monitor socket");

    /* A listening socket made twice replaces the old one. */
    fd = qemu_monitor_listen_socket(path);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    fd = qemu_monitor_listen_socket(path);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_cmpint(qemu_monitor_listen_socket(longpath), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "longer than");
    qvirt_test_rmtree(dir);
}

void
test_core_register(void)
{
    g_test_add_func("/qemumonitor/core/greeting", test_core_greeting);
    g_test_add_func("/qemumonitor/core/greeting-late", test_core_greeting_late);
    g_test_add_func("/qemumonitor/core/no-greeting", test_core_no_greeting);
    g_test_add_func("/qemumonitor/core/timeout-late-reply", test_core_timeout_late_reply);
    g_test_add_func("/qemumonitor/core/unknown-id", test_core_unknown_id);
    g_test_add_func("/qemumonitor/core/eof-during-command", test_core_eof_during_command);
    g_test_add_func("/qemumonitor/core/concurrent-senders", test_core_concurrent_senders);
    g_test_add_func("/qemumonitor/core/out-of-order", test_core_out_of_order);
    g_test_add_func("/qemumonitor/core/large-reply-ok", test_core_large_reply_ok);
    g_test_add_func("/qemumonitor/core/oversized-reply", test_core_oversized_reply);
    g_test_add_func("/qemumonitor/core/oversized-unterminated", test_core_oversized_unterminated);
    for (size_t i = 0; i < G_N_ELEMENTS(garbage_cases); i++) {
        g_autofree char *name =
            g_strdup_printf("/qemumonitor/core/garbage/%s", garbage_cases[i].name);

        g_test_add_data_func(name, &garbage_cases[i], test_core_garbage);
    }
    g_test_add_func("/qemumonitor/core/garbage-idle", test_core_garbage_idle);
    g_test_add_func("/qemumonitor/core/repeated-greeting", test_core_repeated_greeting);
    g_test_add_func("/qemumonitor/core/partial-reply", test_core_partial_reply);
    g_test_add_func("/qemumonitor/core/events", test_core_events);
    g_test_add_func("/qemumonitor/core/event-names", test_core_event_names);
    g_test_add_func("/qemumonitor/core/pass-fds", test_core_pass_fds);
    g_test_add_func("/qemumonitor/core/close-wakes-waiter", test_core_close_wakes_waiter);
    g_test_add_func("/qemumonitor/core/close-no-deadlock", test_core_close_no_deadlock);
    g_test_add_func("/qemumonitor/core/close-from-callback", test_core_close_from_callback);
    g_test_add_func("/qemumonitor/core/open-errors", test_core_open_errors);
}

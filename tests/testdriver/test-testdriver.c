/* test-testdriver.c: the test driver module, loaded like the daemon loads
 * it, through the public entry points only: the default domain, lifecycle
 * transitions with their states, reasons and events in order, errors, the
 * shared state of test:///default, listing, and the XML round trip of every
 * fixture in data/ (NAME.xml defines, NAME.out.xml is what must come back;
 * any other file fails the suite). Jobs are in test-jobs.c. */
#include <config.h>

#include <string.h>

#include "conf/domain_state.h"
#include "testdriver.h"
#include "util/uuid.h"

static const char *const test_fixtures[] = {
    "minimal.xml", "minimal.out.xml", "devices.xml", "devices.out.xml", NULL,
};

/* ---- helpers shared with test-jobs.c ---- */

Recorder *
recorder_new(void)
{
    Recorder *rec = g_new0(Recorder, 1);

    qvirt_mutex_init(&rec->lock);
    qvirt_cond_init(&rec->cond);
    rec->lines = g_ptr_array_new_with_free_func(g_free);
    return rec;
}

void
recorder_free(Recorder *rec)
{
    g_ptr_array_unref(rec->lines);
    qvirt_mutex_clear(&rec->lock);
    qvirt_cond_clear(&rec->cond);
    g_free(rec);
}

void
recorder_event(QvConnect *conn, QvDomain *dom, const QvEvent *event, gpointer opaque)
{
    Recorder *rec = opaque;
    char *line;

    switch (event->event_id) {
    case QV_DOMAIN_EVENT_ID_LIFECYCLE:
        line = g_strdup_printf("%s:%d:%d", dom->name, event->data.lifecycle.type,
                               event->data.lifecycle.detail);
        break;
    case QV_DOMAIN_EVENT_ID_REBOOT:
        line = g_strdup_printf("%s:reboot", dom->name);
        break;
    case QV_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        line = g_strdup_printf("%s:iteration:%d", dom->name,
                               event->data.migration_iteration.iteration);
        break;
    case QV_DOMAIN_EVENT_ID_JOB_COMPLETED: {
        unsigned long long processed = 0;
        gboolean success = FALSE;

        qv_typed_params_get_ullong(event->data.job_completed.params,
                                   event->data.job_completed.nparams, "data_processed", &processed);
        qv_typed_params_get_boolean(event->data.job_completed.params,
                                    event->data.job_completed.nparams, "success", &success);
        line = g_strdup_printf("%s:completed:%llu:%d", dom->name, processed, success);
        break;
    }
    default:
        line = g_strdup_printf("%s:id%d", dom->name, event->event_id);
        break;
    }
    qvirt_mutex_lock(&rec->lock);
    g_ptr_array_add(rec->lines, line);
    qvirt_cond_broadcast(&rec->cond);
    qvirt_mutex_unlock(&rec->lock);
}

char *
recorder_take(Recorder *rec)
{
    GString *out = g_string_new(NULL);

    g_assert_cmpint(qv_event_flush(TEST_WAIT_MS), ==, 0);
    qvirt_mutex_lock(&rec->lock);
    for (guint i = 0; i < rec->lines->len; i++)
        g_string_append_printf(out, "%s%s", i ? "|" : "", (char *)rec->lines->pdata[i]);
    g_ptr_array_set_size(rec->lines, 0);
    qvirt_mutex_unlock(&rec->lock);
    return g_string_free(out, FALSE);
}

void
recorder_wait(Recorder *rec, guint count)
{
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_MS * G_TIME_SPAN_MILLISECOND;

    qvirt_mutex_lock(&rec->lock);
    while (rec->lines->len < count) {
        if (!qvirt_cond_wait_until(&rec->cond, &rec->lock, deadline) && rec->lines->len < count)
            g_error("waited %d ms for %u events, got %u", TEST_WAIT_MS, count, rec->lines->len);
    }
    qvirt_mutex_unlock(&rec->lock);
}

void
recorder_watch(QvConnect *conn, Recorder *rec, int event_id)
{
    g_assert_cmpint(
        qv_connect_domain_event_register_any(conn, NULL, event_id, recorder_event, rec, NULL), >,
        0);
}

QvConnect *
open_default(unsigned int flags)
{
    QvConnect *conn = qv_connect_open("test:///default", flags);

    if (!conn)
        g_error("cannot open test:///default: %s", qvirt_error_last_message());
    return conn;
}

void
close_last(QvConnect *conn)
{
    /* Every handle was dropped: this closes the driver state, so the next
     * case starts from the default again. */
    g_assert_cmpint(qv_connect_close(conn), ==, 0);
}

char *
replace_once(const char *text, const char *old, const char *new_text)
{
    const char *at = strstr(text, old);

    if (!at)
        g_error("'%s' is not in the text", old);
    return g_strdup_printf("%.*s%s%s", (int)(at - text), text, new_text, at + strlen(old));
}

char *
load_fixture(const char *name)
{
    g_autofree char *path = g_build_filename(data_dir, name, NULL);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        g_error("cannot read fixture '%s'", path);
    return text;
}

QvDomain *
define_fixture(QvConnect *conn, const char *name)
{
    g_autofree char *xml = load_fixture(name);
    QvDomain *dom = qv_domain_define_xml(conn, xml);

    if (!dom)
        g_error("cannot define '%s': %s", name, qvirt_error_last_message());
    return dom;
}

void
assert_state(QvDomain *dom, int state, int reason)
{
    int got_state = -1;
    int got_reason = -1;

    g_assert_cmpint(qv_domain_get_state(dom, &got_state, &got_reason, 0), ==, 0);
    g_assert_cmpstr(domain_state_to_string(got_state), ==, domain_state_to_string(state));
    g_assert_cmpstr(domain_state_reason_to_string(got_state, got_reason), ==,
                    domain_state_reason_to_string(state, reason));
}

/* ---- the default domain and the connection ---- */

static void
test_default_domain(void)
{
    QvConnect *conn = open_default(0);
    QvDomain **doms = NULL;
    QvDomain *dom;
    QvDomainInfo info;
    QvNodeInfo node;
    unsigned long long version = 0;
    char uuid[QVIRT_UUID_STRING_BUFLEN];
    unsigned char raw[16];
    int ids[4];
    char *caps;
    char *hostname;
    char *uri;

    g_assert_cmpint(qv_connect_list_all_domains(conn, &doms, 0), ==, 1);
    dom = doms[0];
    g_assert_null(doms[1]);
    g_assert_cmpstr(qv_domain_get_name(dom), ==, "test");
    g_assert_cmpint(qv_domain_get_id(dom), ==, 1);
    g_assert_cmpint(qv_domain_get_uuid(dom, raw), ==, 0);
    qvirt_uuid_format(raw, uuid);
    g_assert_cmpstr(uuid, ==, "6695eb01-f6a4-8304-79aa-97f3502e193f");
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(qv_domain_get_info(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpuint(info.max_mem_kib, ==, 8388608);
    g_assert_cmpuint(info.memory_kib, ==, 2097152);
    g_assert_cmpuint(info.nr_virt_cpu, ==, 2);
    g_assert_cmpint(qv_domain_is_active(dom), ==, 1);
    g_assert_cmpint(qv_domain_is_persistent(dom), ==, 1);
    qv_domain_list_free(doms);

    /* Every way to find it. */
    dom = qv_domain_lookup_by_id(conn, 1);
    g_assert_cmpstr(qv_domain_get_name(dom), ==, "test");
    qv_domain_unref(dom);
    dom = qv_domain_lookup_by_uuid_string(conn, "6695eb01-f6a4-8304-79aa-97f3502e193f");
    g_assert_cmpstr(qv_domain_get_name(dom), ==, "test");
    qv_domain_unref(dom);
    dom = qv_domain_lookup_by_uuid(conn, raw);
    g_assert_cmpint(qv_domain_get_id(dom), ==, 1);
    qv_domain_unref(dom);

    g_assert_cmpint(qv_connect_num_of_domains(conn), ==, 1);
    g_assert_cmpint(qv_connect_list_domains(conn, ids, 4), ==, 1);
    g_assert_cmpint(ids[0], ==, 1);
    g_assert_cmpint(qv_connect_num_of_defined_domains(conn), ==, 0);

    /* The connection's facts. */
    g_assert_cmpstr(qv_connect_get_type(conn), ==, "TEST");
    g_assert_cmpint(qv_connect_get_version(conn, &version), ==, 0);
    g_assert_cmpuint(version, >, 0);
    hostname = qv_connect_get_hostname(conn);
    g_assert_true(hostname && *hostname);
    g_free(hostname);
    uri = qv_connect_get_uri(conn);
    g_assert_cmpstr(uri, ==, "test:///default");
    g_free(uri);
    caps = qv_connect_get_capabilities(conn);
    g_assert_nonnull(strstr(caps, "<domain type='test'"));
    g_assert_nonnull(strstr(caps, "<arch name='x86_64'>"));
    g_free(caps);
    g_assert_cmpint(qv_connect_get_max_vcpus(conn, NULL), ==, 32);
    g_assert_cmpint(qv_node_get_info(conn, &node), ==, 0);
    g_assert_cmpuint(node.cpus, ==, 16);
    g_assert_cmpint(qv_connect_supports_feature(conn, QV_DRV_FEATURE_TYPED_PARAM_STRING), ==, 1);
    g_assert_cmpint(qv_connect_supports_feature(conn, QV_DRV_FEATURE_MIGRATION_V3), ==, 0);
    g_assert_null(qv_connect_domain_xml_to_native(conn, "qemu-argv", "<domain/>", 0));
    qvirt_test_assert_error(QVIRT_ERR_NO_SUPPORT, "qv_connect_domain_xml_to_native");
    close_last(conn);
}

static void
test_open_errors(void)
{
    g_assert_null(qv_connect_open("test:///other", 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "only test:///default is available");
    g_assert_null(qv_connect_open("test://", 0));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported test driver URI path ''");
    /* A remote form needs the client library's remote driver. */
    g_assert_null(qv_connect_open("test+unix:///default?socket=/run/none", 0));
    qvirt_test_assert_error(QVIRT_ERR_NO_CONNECT, "no connection driver available");
    g_assert_null(qv_connect_open("qemu:///system", 0));
    qvirt_test_assert_error(QVIRT_ERR_NO_CONNECT, "'qemu:///system'");
}

/* ---- lifecycle ---- */

static void
test_lifecycle(void)
{
    QvConnect *conn = open_default(0);
    Recorder *rec = recorder_new();
    QvDomain *dom;
    g_autofree char *events = NULL;
    QvDomainInfo info;
    int id;

    recorder_watch(conn, rec, QV_DOMAIN_EVENT_ID_LIFECYCLE);
    recorder_watch(conn, rec, QV_DOMAIN_EVENT_ID_REBOOT);

    dom = define_fixture(conn, "minimal.xml");
    assert_state(dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_UNKNOWN);
    g_assert_cmpint(qv_domain_get_id(dom), ==, -1);
    g_assert_cmpint(qv_domain_is_active(dom), ==, 0);
    g_assert_cmpint(qv_domain_get_info(dom, &info), ==, 0);
    g_assert_cmpuint(info.cpu_time_ns, ==, 0);

    g_assert_cmpint(qv_domain_create(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    id = qv_domain_get_id(dom);
    g_assert_cmpint(id, >, 1);
    g_assert_cmpint(qv_domain_create(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is already running");

    g_assert_cmpint(qv_domain_suspend(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_cmpint(qv_domain_suspend(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is already paused");
    g_assert_cmpint(qv_domain_resume(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);
    g_assert_cmpint(qv_domain_resume(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is not paused");

    g_assert_cmpint(qv_domain_reboot(dom, 0), ==, 0);
    g_assert_cmpint(qv_domain_reset(dom, 0), ==, 0);
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_UNPAUSED);

    g_assert_cmpint(qv_domain_shutdown(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SHUTDOWN);
    g_assert_cmpint(qv_domain_get_id(dom), ==, -1);
    g_assert_cmpint(qv_domain_shutdown(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is not running");
    g_assert_cmpint(qv_domain_destroy(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is not running");
    g_assert_cmpint(qv_domain_suspend(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is not running");
    g_assert_cmpint(qv_domain_reboot(dom, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain is not running");

    /* Started paused: booted, then suspended; ids are never reused. */
    g_assert_cmpint(qv_domain_create_with_flags(dom, QV_DOMAIN_START_PAUSED), ==, 0);
    assert_state(dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_cmpint(qv_domain_get_id(dom), >, id);
    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
    assert_state(dom, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_DESTROYED);

    /* Defining again updates; undefining removes. */
    qv_domain_unref(dom);
    dom = define_fixture(conn, "minimal.xml");
    g_assert_cmpint(qv_domain_undefine(dom), ==, 0);
    g_assert_cmpint(qv_domain_get_info(dom, &info), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching uuid");
    qv_domain_unref(dom);
    g_assert_null(qv_domain_lookup_by_name(conn, "minimal"));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name 'minimal'");

    events = recorder_take(rec);
    g_assert_cmpstr(events, ==,
                    "minimal:0:0"              /* defined, added */
                    "|minimal:2:0"             /* started, booted */
                    "|minimal:3:0|minimal:4:0" /* suspended, resumed */
                    "|minimal:reboot|minimal:reboot"
                    "|minimal:5:0"             /* stopped, shutdown */
                    "|minimal:2:0|minimal:3:0" /* started, suspended (paused start) */
                    "|minimal:5:1"             /* stopped, destroyed */
                    "|minimal:0:1"             /* defined, updated */
                    "|minimal:1:0");           /* undefined, removed */
    close_last(conn);
    recorder_free(rec);
}

static void
test_transient(void)
{
    QvConnect *conn = open_default(0);
    Recorder *rec = recorder_new();
    g_autofree char *xml = load_fixture("minimal.xml");
    g_autofree char *events = NULL;
    QvDomain *dom;
    int autostart = -1;

    recorder_watch(conn, rec, QV_DOMAIN_EVENT_ID_LIFECYCLE);
    dom = qv_domain_create_xml(conn, xml, 0);
    g_assert_nonnull(dom);
    g_assert_cmpint(qv_domain_get_id(dom), >, 0);
    assert_state(dom, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(qv_domain_is_persistent(dom), ==, 0);
    g_assert_cmpint(qv_domain_undefine(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "cannot undefine transient domain");
    g_assert_cmpint(qv_domain_set_autostart(dom, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "transient");
    g_assert_cmpint(qv_domain_get_autostart(dom, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 0);
    /* A running domain of that name cannot be created twice. */
    g_assert_null(qv_domain_create_xml(conn, xml, 0));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "already active");

    /* Stopping a transient domain makes it vanish. */
    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
    g_assert_cmpint(qv_domain_is_active(dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN,
                            "no domain with matching uuid '2c8e5e32-8d83-4c43-9b4f-2d0b1c6f3a10'");
    qv_domain_unref(dom);
    g_assert_cmpint(qv_connect_num_of_defined_domains(conn), ==, 0);

    /* Started paused. */
    dom = qv_domain_create_xml(conn, xml, QV_DOMAIN_START_PAUSED);
    assert_state(dom, DOMAIN_STATE_PAUSED, DOMAIN_PAUSED_USER);
    g_assert_cmpint(qv_domain_shutdown(dom), ==, 0);
    qv_domain_unref(dom);

    events = recorder_take(rec);
    g_assert_cmpstr(events, ==, "minimal:2:0|minimal:5:1|minimal:2:0|minimal:3:0|minimal:5:0");
    close_last(conn);
    recorder_free(rec);
}

static void
test_redefine_running(void)
{
    QvConnect *conn = open_default(0);
    g_autofree char *xml = load_fixture("minimal.xml");
    g_autofree char *bigger = NULL;
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;
    g_autofree char *after = NULL;
    QvDomain *dom;
    QvDomain *updated;
    QvDomainInfo info;

    dom = qv_domain_define_xml(conn, xml);
    g_assert_cmpint(qv_domain_create(dom), ==, 0);

    /* A new definition while running waits for the next start. */
    bigger =
        replace_once(xml, "<memory unit='MiB'>512</memory>", "<memory unit='MiB'>1024</memory>");
    updated = qv_domain_define_xml(conn, bigger);
    g_assert_nonnull(updated);
    g_assert_cmpint(qv_domain_get_id(updated), ==, qv_domain_get_id(dom));
    qv_domain_unref(updated);
    g_assert_cmpint(qv_domain_get_info(dom, &info), ==, 0);
    g_assert_cmpuint(info.max_mem_kib, ==, 524288);
    live = qv_domain_get_xml_desc(dom, 0);
    inactive = qv_domain_get_xml_desc(dom, QV_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(strstr(live, "<memory unit='KiB'>524288</memory>"));
    g_assert_nonnull(strstr(inactive, "<memory unit='KiB'>1048576</memory>"));

    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
    after = qv_domain_get_xml_desc(dom, 0);
    g_assert_nonnull(strstr(after, "<memory unit='KiB'>1048576</memory>"));

    /* Undefining a running domain leaves it running, transient. */
    g_assert_cmpint(qv_domain_create(dom), ==, 0);
    g_assert_cmpint(qv_domain_undefine(dom), ==, 0);
    g_assert_cmpint(qv_domain_is_active(dom), ==, 1);
    g_assert_cmpint(qv_domain_is_persistent(dom), ==, 0);
    g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
    g_assert_null(qv_domain_lookup_by_name(conn, "minimal"));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name 'minimal'");
    qv_domain_unref(dom);
    close_last(conn);
}

static void
test_errors(void)
{
    QvConnect *conn = open_default(0);
    QvConnect *ro = open_default(QV_CONNECT_RO);
    g_autofree char *xml = load_fixture("minimal.xml");
    QvDomain *dom;
    QvDomain *ro_dom;
    char *kvm;
    char *clash;

    g_assert_null(qv_domain_lookup_by_name(conn, "x"));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name 'x'");
    g_assert_null(qv_domain_lookup_by_id(conn, 99));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching id 99");
    g_assert_null(qv_domain_lookup_by_uuid_string(conn, "11111111-2222-3333-4444-555555555555"));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "11111111-2222-3333-4444-555555555555");

    /* Only domains of type 'test'; bad XML is the parser's error. */
    kvm = replace_once(xml, "type='test'", "type='kvm'");
    g_assert_null(qv_domain_define_xml(conn, kvm));
    qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "type 'test', not 'kvm'");
    g_free(kvm);
    g_assert_null(qv_domain_define_xml(conn, "<domain type='test'><name>a</name>"));
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "");
    /* The default domain's name with another UUID. */
    clash = replace_once(xml, "<name>minimal</name>", "<name>test</name>");
    g_assert_null(qv_domain_define_xml(conn, clash));
    qvirt_test_assert_error(QVIRT_ERR_DOM_EXIST, "domain 'test' already exists");
    g_free(clash);

    /* Flags the test driver does not support. */
    dom = qv_domain_define_xml(conn, xml);
    g_assert_cmpint(qv_domain_create_with_flags(dom, QV_DOMAIN_START_AUTODESTROY), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x2)");
    g_assert_cmpint(qv_domain_create_with_flags(dom, 0x100), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x100)");
    g_assert_cmpint(qv_domain_is_active(dom), ==, 0);

    /* A read-only connection reads but never changes. */
    ro_dom = qv_domain_lookup_by_name(ro, "test");
    g_assert_nonnull(ro_dom);
    g_assert_cmpint(qv_domain_destroy(ro_dom), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    g_assert_cmpint(qv_domain_is_active(ro_dom), ==, 1);
    g_assert_null(qv_domain_define_xml(ro, xml));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_DENIED, "read only access prevents");
    qv_domain_unref(ro_dom);

    g_assert_cmpint(qv_domain_undefine(dom), ==, 0);
    qv_domain_unref(dom);
    g_assert_cmpint(qv_connect_close(ro), ==, 0);
    close_last(conn);
}

static void
test_shared_state(void)
{
    QvConnect *a = open_default(0);
    QvConnect *b = open_default(0);
    Recorder *rec = recorder_new();
    g_autofree char *events = NULL;
    QvDomain *dom;

    /* Connections to test:///default share one hypervisor... */
    recorder_watch(b, rec, QV_DOMAIN_EVENT_ID_LIFECYCLE);
    dom = define_fixture(a, "minimal.xml");
    qv_domain_unref(dom);
    dom = qv_domain_lookup_by_name(b, "minimal");
    g_assert_nonnull(dom);
    g_assert_cmpint(qv_domain_create(dom), ==, 0);
    qv_domain_unref(dom);
    events = recorder_take(rec);
    g_assert_cmpstr(events, ==, "minimal:0:0|minimal:2:0");
    g_assert_cmpint(qv_connect_close(a), ==, 0);
    close_last(b);

    /* ...which is forgotten when the last one closes. */
    a = open_default(0);
    g_assert_null(qv_domain_lookup_by_name(a, "minimal"));
    g_assert_cmpint(qv_connect_num_of_domains(a), ==, 1);
    close_last(a);
    recorder_free(rec);
}

static void
test_listing(void)
{
    QvConnect *conn = open_default(0);
    g_autofree char *xml = load_fixture("minimal.xml");
    QvDomain **doms = NULL;
    QvDomain *d1;
    QvDomain *d2;
    char *names[4] = {NULL};
    int autostart = -1;

    d1 = define_fixture(conn, "minimal.xml");
    d2 = define_fixture(conn, "devices.xml");
    g_assert_cmpint(qv_connect_num_of_defined_domains(conn), ==, 2);
    g_assert_cmpint(qv_connect_list_defined_domains(conn, names, 4), ==, 2);
    g_assert_cmpstr(names[0], ==, "devices");
    g_assert_cmpstr(names[1], ==, "minimal");
    g_free(names[0]);
    g_free(names[1]);
    g_assert_cmpint(qv_connect_list_defined_domains(conn, names, 1), ==, 1);
    g_free(names[0]);

    g_assert_cmpint(qv_connect_list_all_domains(conn, &doms, DOMAIN_LIST_INACTIVE), ==, 2);
    g_assert_cmpstr(doms[0]->name, ==, "devices");
    g_assert_cmpstr(doms[1]->name, ==, "minimal");
    qv_domain_list_free(doms);
    g_assert_cmpint(qv_connect_list_all_domains(conn, &doms, DOMAIN_LIST_ACTIVE), ==, 1);
    g_assert_cmpstr(doms[0]->name, ==, "test");
    qv_domain_list_free(doms);
    g_assert_cmpint(qv_connect_list_all_domains(conn, NULL, 0), ==, 3);

    /* Autostart is remembered. */
    g_assert_cmpint(qv_domain_set_autostart(d1, 1), ==, 0);
    g_assert_cmpint(qv_domain_get_autostart(d1, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 1);
    g_assert_cmpint(qv_connect_list_all_domains(conn, &doms, DOMAIN_LIST_AUTOSTART), ==, 1);
    g_assert_cmpstr(doms[0]->name, ==, "minimal");
    qv_domain_list_free(doms);

    g_assert_cmpint(qv_domain_undefine(d1), ==, 0);
    g_assert_cmpint(qv_domain_undefine(d2), ==, 0);
    qv_domain_unref(d1);
    qv_domain_unref(d2);
    close_last(conn);
}

/* ---- XML round trip over data/ ---- */

static void
test_xml_roundtrip(void)
{
    QvConnect *conn = open_default(0);
    g_autoptr(GDir) dir = g_dir_open(data_dir, 0, NULL);
    const char *entry;
    guint checked = 0;

    g_assert_nonnull(dir);
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *base = NULL;
        g_autofree char *out_name = NULL;
        g_autofree char *expected = NULL;
        g_autofree char *inactive = NULL;
        g_autofree char *live = NULL;
        g_autofree char *running = NULL;
        g_autofree char *with_id = NULL;
        g_autofree char *again = NULL;
        QvDomain *dom;

        if (!g_strv_contains(test_fixtures, entry))
            g_error("unexpected file '%s' in %s: list it in test_fixtures or remove it", entry,
                    data_dir);
        if (g_str_has_suffix(entry, ".out.xml"))
            continue;
        base = g_strndup(entry, strlen(entry) - strlen(".xml"));
        out_name = g_strdup_printf("%s.out.xml", base);
        g_assert_true(g_strv_contains(test_fixtures, out_name));
        expected = load_fixture(out_name);

        dom = define_fixture(conn, entry);
        inactive = qv_domain_get_xml_desc(dom, QV_DOMAIN_XML_INACTIVE);
        live = qv_domain_get_xml_desc(dom, 0);
        g_assert_cmpstr(inactive, ==, expected);
        g_assert_cmpstr(live, ==, expected);

        /* Running, the live XML carries the id, the inactive one does not. */
        g_assert_cmpint(qv_domain_create(dom), ==, 0);
        running = qv_domain_get_xml_desc(dom, 0);
        with_id = g_strdup_printf("<domain type='test' id='%d'>%s", qv_domain_get_id(dom),
                                  expected + strlen("<domain type='test'>"));
        g_assert_cmpstr(running, ==, with_id);
        g_free(inactive);
        inactive = qv_domain_get_xml_desc(dom, QV_DOMAIN_XML_INACTIVE);
        g_assert_cmpstr(inactive, ==, expected);
        g_assert_cmpint(qv_domain_destroy(dom), ==, 0);
        qv_domain_unref(dom);

        /* The output defines back to itself. */
        dom = qv_domain_define_xml(conn, expected);
        g_assert_nonnull(dom);
        again = qv_domain_get_xml_desc(dom, QV_DOMAIN_XML_INACTIVE);
        g_assert_cmpstr(again, ==, expected);
        g_assert_cmpint(qv_domain_undefine(dom), ==, 0);
        qv_domain_unref(dom);
        checked++;
    }
    g_assert_cmpuint(checked, ==, g_strv_length((char **)test_fixtures) / 2);
    close_last(conn);
}

void
test_testdriver_register_cases(void)
{
    g_test_add_func("/testdriver/default-domain", test_default_domain);
    g_test_add_func("/testdriver/open-errors", test_open_errors);
    g_test_add_func("/testdriver/lifecycle", test_lifecycle);
    g_test_add_func("/testdriver/transient", test_transient);
    g_test_add_func("/testdriver/redefine-running", test_redefine_running);
    g_test_add_func("/testdriver/errors", test_errors);
    g_test_add_func("/testdriver/shared-state", test_shared_state);
    g_test_add_func("/testdriver/listing", test_listing);
    g_test_add_func("/testdriver/xml-roundtrip", test_xml_roundtrip);
}

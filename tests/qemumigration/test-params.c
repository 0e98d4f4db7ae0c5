/* test-params.c: qemu_migration_params.h: the API's flags and typed
 * parameters mapped to QEMU's capabilities and parameters for each party,
 * bad types and values, the check against the recorded capabilities of the
 * installed QEMU, the JSON checked against its recorded QMP schema, and
 * save_original/apply/restore against a scripted fake QEMU asserting the
 * exact commands sent. */
#include <config.h>

#include <string.h>

#include "conf/domain_job.h"
#include "driver/migrate.h"
#include "params-suites.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration_params.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

/* ---- the fake domain (shared with test-tls.c) ---- */

ParamsDom *
params_dom_new(void)
{
    ParamsDom *d = g_new0(ParamsDom, 1);
    DomainDef *def = domain_def_new();
    DomainJobCallbacks cb = {0};

    def->name = g_strdup("dom1");
    def->id = 1;
    d->vm = domain_obj_new(def);
    d->vm->pid = 1;
    qemu_domain_obj_init_private(d->vm);
    qemu_domain_job_set_callbacks(&cb);
    domain_job_obj_set_callbacks(d->vm->job, &cb, NULL);
    d->loop = qvirt_event_loop_new("params-loop");
    d->server = qemu_monitor_test_new(QEMU_MONITOR_PROTOCOL_QMP);
    return d;
}

void
params_dom_connect(ParamsDom *d)
{
    qemu_domain_obj_private(d->vm)->mon = qemu_monitor_test_open(d->server, d->loop, NULL);
}

void
params_dom_finish(ParamsDom *d)
{
    domain_obj_unref(d->vm); /* closes the monitor */
    qemu_monitor_test_finish(d->server);
    qvirt_event_loop_free(d->loop);
    g_free(d);
}

/* ---- typed parameter lists ---- */

typedef struct {
    QvTypedParam *params;
    int n;
    int max;
} TP;

static void
tp_clear(TP *tp)
{
    qv_typed_params_free(tp->params, tp->n);
    memset(tp, 0, sizeof(*tp));
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TP, tp_clear)

#define TP_ULL(tp, f, v)                                                                           \
    g_assert_cmpint(qv_typed_params_add_ullong(&(tp)->params, &(tp)->n, &(tp)->max, f, v), ==, 0)
#define TP_INT(tp, f, v)                                                                           \
    g_assert_cmpint(qv_typed_params_add_int(&(tp)->params, &(tp)->n, &(tp)->max, f, v), ==, 0)
#define TP_STR(tp, f, v)                                                                           \
    g_assert_cmpint(qv_typed_params_add_string(&(tp)->params, &(tp)->n, &(tp)->max, f, v), ==, 0)

#define ALL_FLAGS                                                                                  \
    (QV_MIGRATE_LIVE | QV_MIGRATE_COMPRESSED | QV_MIGRATE_AUTO_CONVERGE | QV_MIGRATE_POSTCOPY |    \
     QV_MIGRATE_PARALLEL)

/* Every typed parameter the mapping reads, plus two it leaves alone. */
static void
tp_fill_all(TP *tp)
{
    TP_STR(tp, QV_MIGRATE_PARAM_URI, "tcp://dst:49152");
    TP_ULL(tp, QV_MIGRATE_PARAM_BANDWIDTH, 100);
    TP_ULL(tp, QV_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, 50);
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "xbzrle");
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "mt");
    TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, 5);
    TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS, 4);
    TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, 3);
    TP_ULL(tp, QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, 67108864);
    TP_INT(tp, QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, 20);
    TP_INT(tp, QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, 10);
    TP_INT(tp, QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS, 8);
    TP_STR(tp, QV_MIGRATE_PARAM_TLS_DESTINATION, "dst.example.org");
}

static char *
caps_summary(const QemuMigrationParams *params)
{
    g_autofree const char **names = NULL;
    g_autofree bool *states = NULL;
    size_t n = 99;
    GString *s = g_string_new(NULL);

    qemu_migration_params_caps_to_arrays(params, &names, &states, &n);
    for (size_t i = 0; i < n; i++)
        g_string_append_printf(s, "%s%s=%s", i ? " " : "", names[i], states[i] ? "on" : "off");
    if (n == 0)
        g_assert_null(names);
    return g_string_free(s, FALSE);
}

static void
assert_json(const QemuMigrationParams *params, const char *expected)
{
    g_autoptr(QvirtJson) obj = qemu_migration_params_to_json(params);
    g_autoptr(QvirtJson) want = qvirt_json_parse(expected, strlen(expected), "expected");
    g_autofree char *got = qvirt_json_to_string(obj);

    g_assert_nonnull(want);
    if (!json_object_equal(obj, want))
        g_error("parameters: expected %s, got %s", expected, got);
}

/* ---- mapping ---- */

static void
test_map_source(void)
{
    g_auto(TP) tp = {0};
    g_autoptr(QemuMigrationParams) params = NULL;
    g_autofree char *caps = NULL;
    long long v = 0;
    gboolean on = FALSE;

    tp_fill_all(&tp);
    params = qemu_migration_params_from_api(tp.params, tp.n, ALL_FLAGS, QEMU_MIGRATION_SOURCE);
    g_assert_nonnull(params);
    caps = caps_summary(params);
    g_assert_cmpstr(caps, ==,
                    "xbzrle=on compress=on auto-converge=on postcopy-ram=on return-path=on "
                    "multifd=on");
    assert_json(params, "{\"max-bandwidth\": 104857600, \"max-postcopy-bandwidth\": 52428800,"
                        " \"compress-level\": 5, \"compress-threads\": 4,"
                        " \"xbzrle-cache-size\": 67108864, \"cpu-throttle-initial\": 20,"
                        " \"cpu-throttle-increment\": 10, \"multifd-channels\": 8}");
    g_assert_cmpint(qemu_migration_params_get_int(params, "max-bandwidth", &v), ==, 1);
    g_assert_cmpint(v, ==, 100LL * 1024 * 1024);
    g_assert_cmpint(qemu_migration_params_get_cap(params, "multifd", &on), ==, 1);
    g_assert_true(on);
    /* Destination-only and unmentioned ones are absent. */
    g_assert_cmpint(qemu_migration_params_get_int(params, "decompress-threads", &v), ==, 0);
    g_assert_cmpint(qemu_migration_params_get_cap(params, "pause-before-switchover", &on), ==, 0);
    g_assert_cmpint(qemu_migration_params_get_string(params, "tls-creds", NULL), ==, 0);
}

static void
test_map_destination(void)
{
    g_auto(TP) tp = {0};
    g_autoptr(QemuMigrationParams) params = NULL;
    g_autofree char *caps = NULL;

    tp_fill_all(&tp);
    params = qemu_migration_params_from_api(tp.params, tp.n, ALL_FLAGS, QEMU_MIGRATION_DESTINATION);
    g_assert_nonnull(params);
    caps = caps_summary(params);
    /* No auto-converge, bandwidth or throttling on the destination. */
    g_assert_cmpstr(caps, ==, "xbzrle=on compress=on postcopy-ram=on return-path=on multifd=on");
    assert_json(params, "{\"decompress-threads\": 3, \"multifd-channels\": 8}");
}

static void
test_map_flags_alone(void)
{
    g_autoptr(QemuMigrationParams) none = NULL;
    g_autoptr(QemuMigrationParams) comp = NULL;
    g_autoptr(QemuMigrationParams) conv = NULL;
    g_autofree char *caps = NULL;
    g_autofree char *caps2 = NULL;

    none = qemu_migration_params_from_api(NULL, 0, QV_MIGRATE_LIVE | QV_MIGRATE_PEER2PEER,
                                          QEMU_MIGRATION_SOURCE);
    g_assert_nonnull(none);
    g_assert_true(qemu_migration_params_is_empty(none));
    assert_json(none, "{}");

    /* COMPRESSED alone means xbzrle. */
    comp = qemu_migration_params_from_api(NULL, 0, QV_MIGRATE_COMPRESSED, QEMU_MIGRATION_SOURCE);
    caps = caps_summary(comp);
    g_assert_cmpstr(caps, ==, "xbzrle=on");

    conv = qemu_migration_params_from_api(NULL, 0, QV_MIGRATE_AUTO_CONVERGE, QEMU_MIGRATION_SOURCE);
    caps2 = caps_summary(conv);
    g_assert_cmpstr(caps2, ==, "auto-converge=on");
    assert_json(conv, "{}");
}

static void
test_setters(void)
{
    g_autoptr(QemuMigrationParams) params = qemu_migration_params_new();
    const char *s = NULL;
    long long v = 0;
    gboolean on = TRUE;

    qemu_migration_params_set_int(params, "downtime-limit", 300);
    qemu_migration_params_set_int(params, "downtime-limit", 500); /* replaces */
    qemu_migration_params_set_cap(params, "pause-before-switchover", FALSE);
    qemu_migration_params_set_tls(params, "qvirt-migrate-tls", NULL);
    g_assert_cmpint(qemu_migration_params_get_int(params, "downtime-limit", &v), ==, 1);
    g_assert_cmpint(v, ==, 500);
    g_assert_cmpint(qemu_migration_params_get_cap(params, "pause-before-switchover", &on), ==, 1);
    g_assert_false(on);
    g_assert_cmpint(qemu_migration_params_get_string(params, "tls-hostname", &s), ==, 1);
    g_assert_cmpstr(s, ==, "");
    /* A string parameter is not an integer one. */
    g_assert_cmpint(qemu_migration_params_get_int(params, "tls-creds", &v), ==, 0);
    assert_json(params, "{\"downtime-limit\": 500, \"tls-creds\": \"qvirt-migrate-tls\","
                        " \"tls-hostname\": \"\"}");
}

/* ---- bad input ---- */

typedef struct {
    const char *name;
    unsigned int flags;
    void (*fill)(TP *tp);
    const char *needle; /* in the INVALID_ARG message */
} BadCase;

#define BAD_FILL(fn, body)                                                                         \
    static void fn(TP *tp)                                                                         \
    {                                                                                              \
        body;                                                                                      \
    }

BAD_FILL(bad_bw_type, TP_INT(tp, QV_MIGRATE_PARAM_BANDWIDTH, 10))
BAD_FILL(bad_bwpc_type, TP_STR(tp, QV_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, "10"))
BAD_FILL(bad_comp_type, TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION, 1))
BAD_FILL(bad_level_type, TP_ULL(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, 1))
BAD_FILL(bad_threads_type, TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS, "2"))
BAD_FILL(bad_dthreads_type, TP_ULL(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, 2))
BAD_FILL(bad_cache_type, TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, 4096))
BAD_FILL(bad_initial_type, TP_ULL(tp, QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, 20))
BAD_FILL(bad_increment_type, TP_STR(tp, QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, "5"))
BAD_FILL(bad_conn_type, TP_ULL(tp, QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS, 2))
BAD_FILL(bad_tlsdest_type, TP_INT(tp, QV_MIGRATE_PARAM_TLS_DESTINATION, 1))
BAD_FILL(bad_bw_range, TP_ULL(tp, QV_MIGRATE_PARAM_BANDWIDTH, G_MAXUINT64 / 2))
BAD_FILL(bad_bwpc_range, TP_ULL(tp, QV_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, 1ULL << 44))
BAD_FILL(bad_level_range, {
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "mt");
    TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, 10);
})
BAD_FILL(bad_threads_range, {
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "mt");
    TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS, 0);
})
BAD_FILL(bad_dthreads_range, {
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "mt");
    TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, 256);
})
BAD_FILL(bad_cache_range, {
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "xbzrle");
    TP_ULL(tp, QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, 0);
})
BAD_FILL(bad_initial_range, TP_INT(tp, QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, 100))
BAD_FILL(bad_increment_range, TP_INT(tp, QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, -1))
BAD_FILL(bad_conn_range, TP_INT(tp, QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS, 0))
BAD_FILL(bad_method, TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "lz4"))
BAD_FILL(bad_method_twice, {
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "xbzrle");
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "xbzrle");
})
BAD_FILL(bad_bw_twice, {
    TP_ULL(tp, QV_MIGRATE_PARAM_BANDWIDTH, 1);
    TP_ULL(tp, QV_MIGRATE_PARAM_BANDWIDTH, 2);
})
BAD_FILL(bad_cache_without_xbzrle, {
    TP_STR(tp, QV_MIGRATE_PARAM_COMPRESSION, "mt");
    TP_ULL(tp, QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, 4096);
})
BAD_FILL(bad_level_without_mt, TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, 1))
BAD_FILL(bad_dthreads_without_mt, TP_INT(tp, QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, 1))
BAD_FILL(bad_initial_without_flag, TP_INT(tp, QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, 20))
BAD_FILL(bad_conn_without_flag, TP_INT(tp, QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS, 2))

static const BadCase bad_cases[] = {
    {"bandwidth-type", 0, bad_bw_type, "'bandwidth' must be of type ullong, not int"},
    {"bandwidth-postcopy-type", 0, bad_bwpc_type, "'bandwidth.postcopy' must be of type ullong"},
    {"compression-type", 0, bad_comp_type, "'compression' must be of type string"},
    {"mt-level-type", 0, bad_level_type, "'compression.mt.level' must be of type int"},
    {"mt-threads-type", 0, bad_threads_type, "'compression.mt.threads' must be of type int"},
    {"mt-dthreads-type", 0, bad_dthreads_type, "'compression.mt.dthreads' must be of type int"},
    {"xbzrle-cache-type", 0, bad_cache_type, "'compression.xbzrle.cache' must be of type ullong"},
    {"converge-initial-type", QV_MIGRATE_AUTO_CONVERGE, bad_initial_type,
     "'auto_converge.initial' must be of type int"},
    {"converge-increment-type", QV_MIGRATE_AUTO_CONVERGE, bad_increment_type,
     "'auto_converge.increment' must be of type int"},
    {"connections-type", QV_MIGRATE_PARALLEL, bad_conn_type,
     "'parallel.connections' must be of type int"},
    {"tls-destination-type", QV_MIGRATE_TLS, bad_tlsdest_type,
     "'tls.destination' must be of type string"},
    {"bandwidth-range", 0, bad_bw_range, "of migration parameter 'bandwidth' is out of range"},
    {"bandwidth-postcopy-range", 0, bad_bwpc_range, "'bandwidth.postcopy' is out of range"},
    {"mt-level-range", 0, bad_level_range,
     "value 10 of migration parameter "
     "'compression.mt.level' is out of range 0-9"},
    {"mt-threads-range", 0, bad_threads_range, "'compression.mt.threads' is out of range"},
    {"mt-dthreads-range", 0, bad_dthreads_range, "'compression.mt.dthreads' is out of range"},
    {"xbzrle-cache-range", 0, bad_cache_range, "'compression.xbzrle.cache' is out of range"},
    {"converge-initial-range", QV_MIGRATE_AUTO_CONVERGE, bad_initial_range,
     "'auto_converge.initial' is out of range 1-99"},
    {"converge-increment-range", QV_MIGRATE_AUTO_CONVERGE, bad_increment_range,
     "'auto_converge.increment' is out of range"},
    {"connections-range", QV_MIGRATE_PARALLEL, bad_conn_range,
     "'parallel.connections' is out of range 1-255"},
    {"unknown-method", QV_MIGRATE_COMPRESSED, bad_method,
     "unsupported value 'lz4' of migration parameter 'compression'"},
    {"method-twice", QV_MIGRATE_COMPRESSED, bad_method_twice,
     "compression method 'xbzrle' is given twice"},
    {"bandwidth-twice", 0, bad_bw_twice, "'bandwidth' is given more than once"},
    {"cache-without-xbzrle", QV_MIGRATE_COMPRESSED, bad_cache_without_xbzrle,
     "'compression.xbzrle.cache' needs compression method 'xbzrle'"},
    {"level-without-mt", QV_MIGRATE_COMPRESSED, bad_level_without_mt,
     "'compression.mt.level' needs compression method 'mt'"},
    {"dthreads-without-mt", 0, bad_dthreads_without_mt,
     "'compression.mt.dthreads' needs compression method 'mt'"},
    {"initial-without-flag", 0, bad_initial_without_flag,
     "'auto_converge.initial' needs flag auto-converge"},
    {"connections-without-flag", 0, bad_conn_without_flag,
     "'parallel.connections' needs flag parallel"},
};

static void
test_bad(gconstpointer data)
{
    const BadCase *c = data;
    g_auto(TP) tp = {0};

    c->fill(&tp);
    /* Refused for both parties, even when the party ignores the value. */
    for (int party = QEMU_MIGRATION_SOURCE; party <= QEMU_MIGRATION_DESTINATION; party++) {
        qvirt_error_reset();
        g_assert_null(qemu_migration_params_from_api(tp.params, tp.n, c->flags, party));
        qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, c->needle);
    }
}

/* ---- the recorded QEMU ---- */

static QemuCaps *
load_recorded_caps(void)
{
    g_autofree char *path = qvirt_test_srcpath("qemucapabilities/caps.x86_64.xml");
    g_autofree char *xml = NULL;
    QemuCaps *caps;

    g_assert_cmpint(qvirt_file_read_limited(path, 1 << 22, &xml, NULL), ==, 0);
    caps = qemu_caps_parse(xml, path);
    g_assert_nonnull(caps);
    return caps;
}

/* Every name qvirt uses, through the API and the setters. */
static QemuMigrationParams *
params_everything(void)
{
    g_auto(TP) tp = {0};
    QemuMigrationParams *params;

    tp_fill_all(&tp);
    params = qemu_migration_params_from_api(tp.params, tp.n, ALL_FLAGS, QEMU_MIGRATION_SOURCE);
    g_assert_nonnull(params);
    qemu_migration_params_set_cap(params, "pause-before-switchover", TRUE);
    qemu_migration_params_set_int(params, "downtime-limit", 300);
    qemu_migration_params_set_int(params, "decompress-threads", 2);
    qemu_migration_params_set_tls(params, "qvirt-migrate-tls", "dst.example.org");
    return params;
}

static void
test_check_recorded(void)
{
    g_autoptr(QemuCaps) caps = load_recorded_caps();
    g_autoptr(QemuMigrationParams) params = params_everything();
    g_autoptr(QemuMigrationParams) bad_cap = qemu_migration_params_new();
    g_autoptr(QemuMigrationParams) bad_param = qemu_migration_params_new();

    g_assert_cmpint(qemu_migration_params_check(params, caps), ==, 0);
    g_assert_cmpint(qemu_migration_params_check(NULL, caps), ==, 0);

    qemu_migration_params_set_cap(bad_cap, "xbzrle", TRUE);
    qemu_migration_params_set_cap(bad_cap, "x-no-such-capability", TRUE);
    g_assert_cmpint(qemu_migration_params_check(bad_cap, caps), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_UNSUPPORTED,
                            "migration capability 'x-no-such-capability' is not supported");

    /* A parameter name is not a capability name. */
    qemu_migration_params_set_int(bad_param, "xbzrle", 1);
    g_assert_cmpint(qemu_migration_params_check(bad_param, caps), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_UNSUPPORTED,
                            "migration parameter 'xbzrle' is not supported");
}

static void
test_schema(void)
{
    QvirtJson *schema = qemu_monitor_test_get_schema();
    g_autoptr(QemuMigrationParams) params = params_everything();
    g_autoptr(QvirtJson) obj = qemu_migration_params_to_json(params);
    g_autoptr(QvirtJson) caps_args = json_object_new_object();
    g_autoptr(QvirtJson) bad = NULL;
    QvirtJson *list = json_object_new_array();
    g_autofree const char **names = NULL;
    g_autofree bool *states = NULL;
    g_autofree char *why = NULL;
    g_autofree char *why_caps = NULL;
    g_autofree char *why_bad = NULL;
    size_t n = 0;

    g_assert_nonnull(schema);
    /* Every parameter of the list in the brief is there. */
    g_assert_cmpint(json_object_object_length(obj), ==, 12);
    why = qemu_monitor_test_check_schema(schema, "migrate-set-parameters", obj);
    g_assert_cmpstr(why, ==, NULL);

    qemu_migration_params_caps_to_arrays(params, &names, &states, &n);
    g_assert_cmpuint(n, ==, 7);
    for (size_t i = 0; i < n; i++) {
        QvirtJson *cap = json_object_new_object();

        json_object_object_add(cap, "capability", json_object_new_string(names[i]));
        json_object_object_add(cap, "state", json_object_new_boolean(states[i]));
        json_object_array_add(list, cap);
    }
    json_object_object_add(caps_args, "capabilities", list);
    why_caps = qemu_monitor_test_check_schema(schema, "migrate-set-capabilities", caps_args);
    g_assert_cmpstr(why_caps, ==, NULL);

    /* The check can fail: a string where QEMU wants an integer. */
    bad = qemu_migration_params_to_json(params);
    json_object_object_add(bad, "max-bandwidth", json_object_new_string("fast"));
    why_bad = qemu_monitor_test_check_schema(schema, "migrate-set-parameters", bad);
    g_assert_nonnull(why_bad);
}

/* ---- save, apply and restore against the fake QEMU ---- */

#define QUERY_CAPS_REPLY                                                                           \
    "{\"return\": [{\"capability\": \"xbzrle\", \"state\": false},"                                \
    " {\"capability\": \"postcopy-ram\", \"state\": false},"                                       \
    " {\"capability\": \"return-path\", \"state\": true},"                                         \
    " {\"capability\": \"events\", \"state\": true}]}"
#define QUERY_PARAMS_REPLY                                                                         \
    "{\"return\": {\"max-bandwidth\": 134217728, \"downtime-limit\": 300,"                         \
    " \"tls-creds\": \"old-creds\", \"tls-hostname\": \"old-host\", \"tls-authz\": \"\","          \
    " \"multifd-compression\": \"none\", \"block-incremental\": false}}"

static QemuMigrationParams *
params_for_qmp(void)
{
    g_auto(TP) tp = {0};
    QemuMigrationParams *params;

    TP_ULL(&tp, QV_MIGRATE_PARAM_BANDWIDTH, 10);
    params = qemu_migration_params_from_api(
        tp.params, tp.n, QV_MIGRATE_COMPRESSED | QV_MIGRATE_POSTCOPY, QEMU_MIGRATION_SOURCE);
    g_assert_nonnull(params);
    qemu_migration_params_set_tls(params, "qvirt-migrate-tls", "dst");
    return params;
}

static void
begin_migration_job(ParamsDom *d)
{
    domain_obj_lock(d->vm);
    g_assert_cmpint(domain_job_begin_async(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT,
                                           DOMAIN_JOB_OPERATION_MIGRATION_OUT, 0),
                    ==, 0);
}

static void
end_migration_job(ParamsDom *d)
{
    domain_job_end_async(d->vm);
    domain_obj_unlock(d->vm);
}

static void
test_qmp_save_apply_restore(void)
{
    ParamsDom *d = params_dom_new();
    g_autoptr(QemuMigrationParams) params = params_for_qmp();
    g_autoptr(GString) xml = g_string_new(NULL);
    QemuDomainJobPrivate *jpriv;
    gboolean on = TRUE;
    long long v = 0;
    const char *s = NULL;

    qemu_monitor_test_expect(d->server, "query-migrate-capabilities", NULL, QUERY_CAPS_REPLY);
    qemu_monitor_test_expect(d->server, "query-migrate-parameters", NULL, QUERY_PARAMS_REPLY);
    qemu_monitor_test_expect(d->server, "migrate-set-capabilities",
                             "{\"capabilities\": [{\"capability\": \"xbzrle\", \"state\": true},"
                             " {\"capability\": \"postcopy-ram\", \"state\": true},"
                             " {\"capability\": \"return-path\", \"state\": true}]}",
                             "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "migrate-set-parameters",
                             "{\"max-bandwidth\": 10485760, \"tls-creds\": \"qvirt-migrate-tls\","
                             " \"tls-hostname\": \"dst\"}",
                             "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "migrate-set-capabilities",
                             "{\"capabilities\": [{\"capability\": \"xbzrle\", \"state\": false},"
                             " {\"capability\": \"postcopy-ram\", \"state\": false},"
                             " {\"capability\": \"return-path\", \"state\": true}]}",
                             "{\"return\": {}}");
    qemu_monitor_test_expect(d->server, "migrate-set-parameters",
                             "{\"max-bandwidth\": 134217728, \"tls-creds\": \"\","
                             " \"tls-hostname\": \"\"}",
                             "{\"return\": {}}");
    params_dom_connect(d);

    begin_migration_job(d);
    g_assert_cmpint(
        qemu_migration_params_save_original(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, params), ==, 0);
    jpriv = qemu_domain_job_private(d->vm);
    g_assert_nonnull(jpriv->mig_params);
    g_assert_cmpint(qemu_migration_params_get_cap(jpriv->mig_params, "xbzrle", &on), ==, 1);
    g_assert_false(on);
    g_assert_cmpint(qemu_migration_params_get_cap(jpriv->mig_params, "return-path", &on), ==, 1);
    g_assert_true(on);
    g_assert_cmpint(qemu_migration_params_get_int(jpriv->mig_params, "max-bandwidth", &v), ==, 1);
    g_assert_cmpint(v, ==, 134217728);
    /* TLS goes back to "" whatever QEMU had. */
    g_assert_cmpint(qemu_migration_params_get_string(jpriv->mig_params, "tls-creds", &s), ==, 1);
    g_assert_cmpstr(s, ==, "");

    /* The originals are in the job's status. */
    domain_job_format_status(d->vm->job, xml, 0);
    g_assert_nonnull(strstr(xml->str, "    <cap name='xbzrle' enabled='no'/>\n"));
    g_assert_nonnull(strstr(xml->str, "    <param name='max-bandwidth' value='134217728'/>\n"));
    g_assert_nonnull(strstr(xml->str, "    <param name='tls-hostname' value=''/>\n"));

    g_assert_cmpint(qemu_migration_params_apply(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, params), ==,
                    0);
    qemu_migration_params_restore(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_null(qemu_domain_job_private(d->vm)->mig_params);
    /* Nothing left to restore: no command. */
    qemu_migration_params_restore(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    g_assert_true(qemu_monitor_test_wait_done(d->server));
    end_migration_job(d);
    params_dom_finish(d);
}

static void
test_qmp_save_unknown_cap(void)
{
    ParamsDom *d = params_dom_new();
    g_autoptr(QemuMigrationParams) params = qemu_migration_params_new();

    qemu_migration_params_set_cap(params, "multifd", TRUE);
    qemu_monitor_test_expect(d->server, "query-migrate-capabilities", NULL, QUERY_CAPS_REPLY);
    qemu_monitor_test_expect(d->server, "query-migrate-parameters", NULL, QUERY_PARAMS_REPLY);
    params_dom_connect(d);

    begin_migration_job(d);
    g_assert_cmpint(
        qemu_migration_params_save_original(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, params), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_UNSUPPORTED, "'multifd'");
    g_assert_null(qemu_domain_job_private(d->vm)->mig_params);
    end_migration_job(d);
    params_dom_finish(d);
}

static void
test_qmp_apply_error(void)
{
    ParamsDom *d = params_dom_new();
    g_autoptr(QemuMigrationParams) params = params_for_qmp();

    qemu_monitor_test_expect_error(d->server, "migrate-set-capabilities", "GenericError",
                                   "Postcopy is not supported");
    params_dom_connect(d);

    begin_migration_job(d);
    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_params_apply(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT, params), ==,
                    -1);
    g_assert_nonnull(strstr(qvirt_error_last_message(), "Postcopy is not supported"));
    /* Not applied: no job private data was made for it. */
    end_migration_job(d);
    params_dom_finish(d);
}

/* A restore that fails is logged; the caller's error stays. */
static void
test_qmp_restore_error(void)
{
    ParamsDom *d = params_dom_new();
    g_autoptr(QemuMigrationParams) orig = qemu_migration_params_new();

    qemu_migration_params_set_cap(orig, "xbzrle", FALSE);
    qemu_migration_params_set_int(orig, "max-bandwidth", 1);
    qemu_monitor_test_expect_error(d->server, "migrate-set-capabilities", "GenericError",
                                   "There's a migration process in progress");
    params_dom_connect(d);

    begin_migration_job(d);
    qemu_domain_job_private(d->vm)->mig_params = g_steal_pointer(&orig);
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "migration of domain 'dom1' failed");
    qemu_migration_params_restore(d->vm, DOMAIN_ASYNC_JOB_MIGRATION_OUT);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "migration of domain 'dom1' failed");
    g_assert_null(qemu_domain_job_private(d->vm)->mig_params);
    g_assert_true(qemu_monitor_test_wait_done(d->server));
    end_migration_job(d);
    params_dom_finish(d);
}

void
test_params_register(void)
{
    g_test_add_func("/qemumigration/params/map/source", test_map_source);
    g_test_add_func("/qemumigration/params/map/destination", test_map_destination);
    g_test_add_func("/qemumigration/params/map/flags-alone", test_map_flags_alone);
    g_test_add_func("/qemumigration/params/setters", test_setters);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *path = g_strdup_printf("/qemumigration/params/bad/%s", bad_cases[i].name);

        g_test_add_data_func(path, &bad_cases[i], test_bad);
    }
    g_test_add_func("/qemumigration/params/check-recorded", test_check_recorded);
    g_test_add_func("/qemumigration/params/schema", test_schema);
    g_test_add_func("/qemumigration/params/qmp/save-apply-restore", test_qmp_save_apply_restore);
    g_test_add_func("/qemumigration/params/qmp/save-unknown-cap", test_qmp_save_unknown_cap);
    g_test_add_func("/qemumigration/params/qmp/apply-error", test_qmp_apply_error);
    g_test_add_func("/qemumigration/params/qmp/restore-error", test_qmp_restore_error);
}

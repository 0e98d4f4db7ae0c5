/* test-domainobj.c: the domain object list (lookups, libvirt's conflict
 * rules, removal, ids, list-all filters), loading the config and status
 * folders with bad files among good ones, config files and autostart links,
 * and the capabilities formatters (compared with data/, and checked against
 * libvirt's schemas when virt-xml-validate is installed). */
#include <config.h>

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/capabilities.h"
#include "conf/domain_job.h"
#include "conf/domain_job_priv.h"
#include "conf/domain_obj_list.h"
#include "conf/domain_status.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

/* A bound for things that must happen; reaching it fails the test. */
#define TEST_WAIT_MS 20000

static char *data_dir;

static const char *const test_fixtures[] = {
    "caps-host.xml",
    "domaincaps-kvm.xml",
    NULL,
};

/* A definition named NAME with a UUID ending in the byte N. */
static DomainDef *
test_def(const char *name, int n)
{
    DomainDef *def = domain_def_new();

    def->name = g_strdup(name);
    def->virt_type = DOMAIN_VIRT_KVM;
    memset(def->uuid, 0x11, sizeof(def->uuid));
    def->uuid[15] = (unsigned char)n;
    return def;
}

static void
test_uuid(unsigned char uuid[QVIRT_UUID_BUFLEN], int n)
{
    memset(uuid, 0x11, QVIRT_UUID_BUFLEN);
    uuid[15] = (unsigned char)n;
}

/* Add DEF (taken) and return the object with the caller's reference, unlocked. */
static DomainObj *
test_add(DomainObjList *list, DomainDef *def, unsigned int flags)
{
    DomainObj *vm = domain_obj_list_add(list, &def, flags, NULL);

    if (!vm)
        g_error("adding a domain failed: %s", qvirt_error_last_message());
    g_assert_null(def);
    domain_obj_unlock(vm);
    return vm;
}

/* Make VM look running with id ID (or shut off when ID is -1). */
static void
test_set_running(DomainObj *vm, int id, int state)
{
    domain_obj_lock(vm);
    vm->def->id = id;
    if (id >= 0) {
        vm->pid = 1000 + id;
        domain_obj_set_state(vm, state, 1);
    } else {
        vm->pid = 0;
        domain_obj_set_state(vm, DOMAIN_STATE_SHUTOFF, DOMAIN_SHUTOFF_SHUTDOWN);
    }
    domain_obj_unlock(vm);
}

/* ---- lookups and conflicts ---- */

static void
test_list_add_lookup(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) vm = test_add(list, test_def("web1", 1), 0);
    g_autoptr(DomainObj) by_name = NULL;
    g_autoptr(DomainObj) by_uuid = NULL;
    unsigned char uuid[QVIRT_UUID_BUFLEN];

    g_assert_true(vm->persistent);
    by_name = domain_obj_list_find_by_name(list, "web1");
    g_assert_true(by_name == vm);
    test_uuid(uuid, 1);
    by_uuid = domain_obj_list_find_by_uuid(list, uuid);
    g_assert_true(by_uuid == vm);

    g_assert_null(domain_obj_list_find_by_name(list, "web2"));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "'web2'");
    test_uuid(uuid, 2);
    g_assert_null(domain_obj_list_find_by_uuid(list, uuid));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "11111111-1111-1111-1111-111111111102");
    g_assert_null(domain_obj_list_find_by_id(list, 1));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "id 1");
}

static void
test_list_conflicts(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) vm = test_add(list, test_def("web1", 1), 0);
    g_autoptr(DomainDef) other_uuid = test_def("web1", 2);
    g_autoptr(DomainDef) other_name = test_def("web9", 1);
    g_autoptr(DomainObj) still = NULL;

    /* Same name, other UUID. */
    g_assert_null(domain_obj_list_add(list, &other_uuid, 0, NULL));
    qvirt_test_assert_error(QVIRT_ERR_DOM_EXIST, "domain 'web1' already exists with uuid "
                                                 "11111111-1111-1111-1111-111111111101");
    g_assert_nonnull(other_uuid); /* still the caller's */

    /* Same UUID, other name. */
    g_assert_null(domain_obj_list_add(list, &other_name, 0, NULL));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED,
                            "domain 'web1' is already defined with uuid "
                            "11111111-1111-1111-1111-111111111101");
    g_assert_nonnull(other_name);

    /* Nothing changed. */
    g_assert_null(domain_obj_list_find_by_name(list, "web9"));
    still = domain_obj_list_find_by_name(list, "web1");
    g_assert_true(still == vm);
    g_assert_cmpint(domain_obj_list_num_of_domains(list, FALSE), ==, 1);
}

static void
test_list_redefine(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) vm = test_add(list, test_def("web1", 1), 0);
    DomainDef *first = vm->def;
    DomainDef *second = test_def("web1", 1);
    DomainDef *third = test_def("web1", 1);
    DomainDef *keep = second;
    DomainDef *old = NULL;
    DomainObj *again;

    /* Inactive: the definition is replaced and the old one handed back. */
    again = domain_obj_list_add(list, &second, 0, &old);
    g_assert_true(again == vm);
    g_assert_null(second);
    g_assert_true(old == first);
    g_assert_true(vm->def == keep);
    g_assert_true(vm->persistent);
    domain_obj_unlock(again);
    domain_obj_unref(again);
    domain_def_free(old);

    /* Running: the new definition waits in new_def; def stays the live one. */
    test_set_running(vm, 3, DOMAIN_STATE_RUNNING);
    again = domain_obj_list_add(list, &third, 0, &old);
    g_assert_nonnull(again);
    g_assert_null(old);
    g_assert_true(vm->def == keep);
    g_assert_nonnull(vm->new_def);
    g_assert_true(domain_obj_get_persistent_def(vm) == vm->new_def);
    domain_obj_unlock(again);
    domain_obj_unref(again);
}

static void
test_list_add_live(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) transient = test_add(list, test_def("t1", 7), DOMAIN_OBJ_LIST_ADD_LIVE);
    g_autoptr(DomainObj) vm = test_add(list, test_def("web1", 1), 0);
    DomainDef *persistent_def = vm->def;
    DomainDef *live = test_def("web1", 1);
    DomainDef *again_live = test_def("web1", 1);
    DomainDef *t1_again = test_def("t1", 7);
    DomainObj *started;

    g_assert_false(transient->persistent);

    /* Starting a defined domain with a live definition keeps the persistent one. */
    started = domain_obj_list_add(list, &live,
                                  DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL);
    g_assert_true(started == vm);
    g_assert_true(vm->new_def == persistent_def);
    g_assert_true(vm->persistent);
    vm->def->id = 5;
    domain_obj_unlock(started);
    domain_obj_unref(started);

    /* A running domain cannot be started again. */
    g_assert_null(domain_obj_list_add(
        list, &again_live, DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain 'web1' is already active");
    domain_def_free(again_live);

    /* Nor a transient one that is being started. */
    g_assert_null(domain_obj_list_add(
        list, &t1_again, DOMAIN_OBJ_LIST_ADD_LIVE | DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "domain 't1' is already being started");
    domain_def_free(t1_again);
}

static void
test_list_remove(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) vm = test_add(list, test_def("web1", 1), 0);
    g_autoptr(DomainObj) fresh = NULL;
    DomainDef *same_name = test_def("web1", 2);
    unsigned char uuid[QVIRT_UUID_BUFLEN];

    domain_obj_lock(vm);
    domain_obj_list_remove(list, vm);
    g_assert_true(vm->removing);
    /* The caller's lock and reference are still the caller's. */
    domain_obj_unlock(vm);
    g_assert_cmpstr(domain_obj_get_name(vm), ==, "web1");

    g_assert_null(domain_obj_list_find_by_name(list, "web1"));
    test_uuid(uuid, 1);
    g_assert_null(domain_obj_list_find_by_uuid(list, uuid));
    g_assert_cmpint(domain_obj_list_num_of_domains(list, FALSE), ==, 0);

    /* The name is free again, even with another UUID. */
    fresh = test_add(list, same_name, 0);
    g_assert_true(fresh != vm);

    /* Removing twice is harmless. */
    domain_obj_lock(vm);
    domain_obj_list_remove(list, vm);
    domain_obj_unlock(vm);
    g_assert_cmpint(domain_obj_list_num_of_domains(list, FALSE), ==, 1);
}

/* Threads racing to add: one name, many UUIDs -> exactly one wins; distinct
 * names -> all get in. */
#define TEST_RACERS 8

typedef struct {
    DomainObjList *list;
    int n;
    gboolean same_name;
    int rc;
    int code;
} TestRacer;

static gpointer
test_racer_thread(gpointer opaque)
{
    TestRacer *r = opaque;
    g_autofree char *name = r->same_name ? g_strdup("race") : g_strdup_printf("race%d", r->n);
    DomainDef *def = test_def(name, 100 + r->n);
    DomainObj *vm = domain_obj_list_add(r->list, &def, 0, NULL);

    r->rc = vm ? 0 : -1;
    r->code = qvirt_error_last_code();
    if (vm) {
        domain_obj_unlock(vm);
        domain_obj_unref(vm);
    }
    domain_def_free(def);
    return NULL;
}

static void
test_list_concurrent_add(void)
{
    for (int round = 0; round < 2; round++) {
        g_autoptr(DomainObjList) list = domain_obj_list_new();
        TestRacer racers[TEST_RACERS];
        GThread *threads[TEST_RACERS];
        int wins = 0;

        for (int i = 0; i < TEST_RACERS; i++) {
            racers[i] = (TestRacer){.list = list, .n = i, .same_name = round == 0};
            threads[i] = g_thread_new("racer", test_racer_thread, &racers[i]);
        }
        for (int i = 0; i < TEST_RACERS; i++) {
            g_thread_join(threads[i]);
            if (racers[i].rc == 0)
                wins++;
            else
                g_assert_cmpint(racers[i].code, ==, QVIRT_ERR_DOM_EXIST);
        }
        g_assert_cmpint(wins, ==, round == 0 ? 1 : TEST_RACERS);
        g_assert_cmpint(domain_obj_list_num_of_domains(list, FALSE), ==, wins);
    }
}

/* A thread waiting for a job gives up with NO_DOMAIN when the domain goes. */
typedef struct {
    DomainObj *vm;
    QvirtCond cond; /* vm->lock */
    guint waits;
    int rc;
    int code;
} TestWaiter;

static void
test_waiter_hook(DomainObj *vm, gpointer opaque)
{
    TestWaiter *w = opaque;

    w->waits++;
    qvirt_cond_broadcast(&w->cond);
}

static gpointer
test_waiter_thread(gpointer opaque)
{
    TestWaiter *w = opaque;

    domain_obj_lock(w->vm);
    w->rc = domain_job_begin(w->vm, DOMAIN_JOB_MODIFY);
    w->code = qvirt_error_last_code();
    if (w->rc == 0)
        domain_job_end(w->vm);
    domain_obj_unlock(w->vm);
    return NULL;
}

static void
test_list_remove_wakes_waiters(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) vm = test_add(list, test_def("web1", 1), 0);
    TestWaiter w = {.vm = vm, .rc = 1};
    gint64 deadline = qvirt_deadline_after_ms(TEST_WAIT_MS);
    GThread *thread;

    qvirt_cond_init(&w.cond);
    domain_job_priv_set_wait_hook(test_waiter_hook, &w);

    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_begin(vm, DOMAIN_JOB_MODIFY), ==, 0);
    thread = g_thread_new("waiter", test_waiter_thread, &w);
    while (w.waits == 0) {
        if (!qvirt_cond_wait_until(&w.cond, &vm->lock, deadline))
            break;
    }
    g_assert_cmpuint(w.waits, >=, 1);
    domain_obj_list_remove(list, vm);
    domain_job_end(vm);
    domain_obj_unlock(vm);

    g_thread_join(thread);
    domain_job_priv_set_wait_hook(NULL, NULL);
    qvirt_cond_clear(&w.cond);
    g_assert_cmpint(w.rc, ==, -1);
    g_assert_cmpint(w.code, ==, QVIRT_ERR_NO_DOMAIN);
}

static void
test_list_ids(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) a = test_add(list, test_def("a", 1), 0);
    g_autoptr(DomainObj) b = test_add(list, test_def("b", 2), 0);
    g_autoptr(DomainObj) found = NULL;
    int id1 = domain_obj_list_next_id(list);
    int id2 = domain_obj_list_next_id(list);

    g_assert_cmpint(id1, ==, 1);
    g_assert_cmpint(id2, ==, 2);
    test_set_running(b, id2, DOMAIN_STATE_RUNNING);
    found = domain_obj_list_find_by_id(list, id2);
    g_assert_true(found == b);
    g_assert_null(domain_obj_list_find_by_id(list, id1));
    g_assert_null(domain_obj_list_find_by_id(list, -1));
    g_assert_cmpint(domain_obj_list_num_of_domains(list, TRUE), ==, 1);
    g_assert_cmpint(domain_obj_list_num_of_domains(list, FALSE), ==, 1);
}

/* ---- list-all filters ---- */

static gboolean
test_has_managed_save(DomainObj *vm, gpointer opaque)
{
    return g_str_equal(domain_obj_get_name(vm), "off-saved");
}

static int
test_num_snapshots(DomainObj *vm, gpointer opaque)
{
    return g_str_equal(domain_obj_get_name(vm), "run") ? 2 : 0;
}

static gboolean
test_hide_secret(DomainObj *vm, gpointer opaque)
{
    return !g_str_equal(domain_obj_get_name(vm), (const char *)opaque);
}

static char *
test_collect_names(DomainObjList *list, unsigned int flags, const DomainObjListFilterHooks *hooks)
{
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(list, flags, hooks);
    g_autoptr(GString) names = g_string_new(NULL);

    g_assert_nonnull(vms);
    for (guint i = 0; i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);

        domain_obj_lock(vm);
        g_string_append_printf(names, "%s%s", i ? " " : "", domain_obj_get_name(vm));
        domain_obj_unlock(vm);
    }
    return g_string_free(g_steal_pointer(&names), FALSE);
}

static void
test_list_filters(void)
{
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(DomainObj) run = test_add(list, test_def("run", 1), 0);
    g_autoptr(DomainObj) paused = test_add(list, test_def("paused", 2), 0);
    g_autoptr(DomainObj) off = test_add(list, test_def("off", 3), 0);
    g_autoptr(DomainObj) saved = test_add(list, test_def("off-saved", 4), 0);
    g_autoptr(DomainObj) trans = test_add(list, test_def("transient", 5), DOMAIN_OBJ_LIST_ADD_LIVE);
    g_autoptr(DomainObj) crashed = test_add(list, test_def("crashed", 6), 0);
    DomainObjListFilterHooks hooks = {
        .has_managed_save = test_has_managed_save,
        .num_snapshots = test_num_snapshots,
    };
    DomainObjListFilterHooks hide = {.filter = test_hide_secret, .opaque = (gpointer) "run"};
    struct {
        unsigned int flags;
        const char *names;
    } cases[] = {
        {0, "crashed off off-saved paused run transient"},
        {DOMAIN_LIST_ACTIVE, "crashed paused run transient"},
        {DOMAIN_LIST_INACTIVE, "off off-saved"},
        {DOMAIN_LIST_ACTIVE | DOMAIN_LIST_INACTIVE, "crashed off off-saved paused run transient"},
        {DOMAIN_LIST_PERSISTENT, "crashed off off-saved paused run"},
        {DOMAIN_LIST_TRANSIENT, "transient"},
        {DOMAIN_LIST_RUNNING, "run transient"},
        {DOMAIN_LIST_PAUSED, "paused"},
        {DOMAIN_LIST_SHUTOFF, "off off-saved"},
        {DOMAIN_LIST_OTHER, "crashed"},
        {DOMAIN_LIST_RUNNING | DOMAIN_LIST_PAUSED, "paused run transient"},
        {DOMAIN_LIST_MANAGEDSAVE, "off-saved"},
        {DOMAIN_LIST_NO_MANAGEDSAVE, "crashed off paused run transient"},
        {DOMAIN_LIST_AUTOSTART, "off"},
        {DOMAIN_LIST_NO_AUTOSTART, "crashed off-saved paused run transient"},
        {DOMAIN_LIST_HAS_SNAPSHOT, "run"},
        {DOMAIN_LIST_NO_SNAPSHOT, "crashed off off-saved paused transient"},
        {DOMAIN_LIST_HAS_CHECKPOINT, ""},
        {DOMAIN_LIST_NO_CHECKPOINT, "crashed off off-saved paused run transient"},
        /* Groups are ANDed. */
        {DOMAIN_LIST_PERSISTENT | DOMAIN_LIST_RUNNING, "run"},
        {DOMAIN_LIST_INACTIVE | DOMAIN_LIST_NO_MANAGEDSAVE | DOMAIN_LIST_AUTOSTART, "off"},
        {DOMAIN_LIST_ACTIVE | DOMAIN_LIST_SHUTOFF, ""},
    };

    test_set_running(run, 1, DOMAIN_STATE_RUNNING);
    test_set_running(paused, 2, DOMAIN_STATE_PAUSED);
    test_set_running(trans, 3, DOMAIN_STATE_RUNNING);
    test_set_running(crashed, 4, DOMAIN_STATE_CRASHED);
    off->autostart = TRUE;

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *names = test_collect_names(list, cases[i].flags, &hooks);

        if (!g_str_equal(names, cases[i].names)) {
            g_test_message("flags 0x%x: expected '%s', got '%s'", cases[i].flags, cases[i].names,
                           names);
            g_test_fail();
        }
    }

    /* Without hooks: no managed save and no snapshots anywhere. */
    {
        g_autofree char *names = test_collect_names(list, DOMAIN_LIST_MANAGEDSAVE, NULL);
        g_autofree char *none = test_collect_names(list, DOMAIN_LIST_HAS_SNAPSHOT, NULL);
        g_autofree char *visible = test_collect_names(list, DOMAIN_LIST_ACTIVE, &hide);

        g_assert_cmpstr(names, ==, "");
        g_assert_cmpstr(none, ==, "");
        g_assert_cmpstr(visible, ==, "crashed paused transient");
    }

    /* A removed domain is not listed even while referenced. */
    domain_obj_lock(paused);
    domain_obj_list_remove(list, paused);
    domain_obj_unlock(paused);
    {
        g_autofree char *names = test_collect_names(list, DOMAIN_LIST_ACTIVE, NULL);

        g_assert_cmpstr(names, ==, "crashed run transient");
    }

    g_assert_null(domain_obj_list_collect(list, 1U << 20, NULL));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "unsupported flags (0x100000)");
}

/* ---- files ---- */

static const char test_domain_xml_fmt[] = "<domain type='kvm'>\n"
                                          "  <name>%s</name>\n"
                                          "  <uuid>%s</uuid>\n"
                                          "  <memory unit='KiB'>524288</memory>\n"
                                          "  <vcpu>1</vcpu>\n"
                                          "  <os>\n"
                                          "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                                          "  </os>\n"
                                          "</domain>\n";

static char *
test_domain_xml(const char *name, int n)
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    char uuidstr[QVIRT_UUID_STRING_BUFLEN];

    test_uuid(uuid, n);
    qvirt_uuid_format(uuid, uuidstr);
    return g_strdup_printf(test_domain_xml_fmt, name, uuidstr);
}

static void
test_write(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);

    g_assert_cmpint(qvirt_dir_make_parents(dir, 0700), ==, 0);
    g_assert_cmpint(qvirt_file_write_atomic_str(path, text, 0600), ==, 0);
}

/* The status XML of domain NAME running with ID, from the real formatter. */
static char *
test_status_xml(const char *name, int n, int id)
{
    g_autofree char *xml = test_domain_xml(name, n);
    DomainDef *def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_STATUS);
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainStatusExtra) extra = domain_status_extra_new();
    char *out;

    if (!def)
        g_error("test domain XML does not parse: %s", qvirt_error_last_message());
    def->id = id;
    vm = domain_obj_new(def);
    domain_obj_lock(vm);
    vm->pid = 4000 + id;
    vm->pid_start_time = 777;
    domain_obj_set_state(vm, DOMAIN_STATE_RUNNING, DOMAIN_RUNNING_BOOTED);
    extra->monitor_path = g_strdup_printf("/run/qvirt/%s/monitor.sock", name);
    out = domain_status_format(vm, extra, NULL);
    domain_obj_unlock(vm);
    g_assert_nonnull(out);
    return out;
}

static int
test_count_prefix(const char *dir, const char *prefix)
{
    GDir *gdir = g_dir_open(dir, 0, NULL);
    const char *entry;
    int count = 0;

    g_assert_nonnull(gdir);
    while ((entry = g_dir_read_name(gdir))) {
        if (g_str_has_prefix(entry, prefix))
            count++;
    }
    g_dir_close(gdir);
    return count;
}

typedef struct {
    GPtrArray *monitors;
    const char *refuse;
} TestLoaded;

static int
test_loaded_cb(DomainObj *vm, DomainStatusExtra *extra, gpointer opaque)
{
    TestLoaded *t = opaque;

    g_ptr_array_add(t->monitors, g_strdup(extra->monitor_path));
    domain_status_extra_free(extra);
    if (t->refuse && g_str_equal(domain_obj_get_name(vm), t->refuse)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, "driver refuses '%s'", t->refuse);
        return -1;
    }
    return 0;
}

static void
test_load_folders(void)
{
    g_autofree char *top = qvirt_test_mkdtemp();
    g_autofree char *config_dir = g_build_filename(top, "etc", NULL);
    g_autofree char *state_dir = g_build_filename(top, "run", NULL);
    g_autoptr(DomainObjList) list = domain_obj_list_new();
    g_autoptr(GPtrArray) monitors = g_ptr_array_new_with_free_func(g_free);
    TestLoaded loaded = {.monitors = monitors, .refuse = "refused"};
    g_autofree char *xml = NULL;
    g_autofree char *corrupt_path = g_build_filename(state_dir, "corrupt.xml", NULL);
    g_autofree char *bad_config = g_build_filename(config_dir, "broken.xml", NULL);
    g_autoptr(DomainObj) running = NULL;
    g_autoptr(DomainObj) transient = NULL;
    g_autoptr(DomainObj) stopped = NULL;
    g_autoptr(DomainObj) clash = NULL;
    g_autoptr(GPtrArray) all = NULL;

    /* Configs: two good ones, one broken, one whose name does not match, one
     * that clashes (same name, other UUID) with a running domain. */
    xml = test_domain_xml("running", 1);
    test_write(config_dir, "running.xml", xml);
    g_clear_pointer(&xml, g_free);
    xml = test_domain_xml("stopped", 2);
    test_write(config_dir, "stopped.xml", xml);
    g_clear_pointer(&xml, g_free);
    test_write(config_dir, "broken.xml", "<domain type='kvm'><name>broken</name>");
    xml = test_domain_xml("someone-else", 3);
    test_write(config_dir, "misnamed.xml", xml);
    g_clear_pointer(&xml, g_free);
    xml = test_domain_xml("transient", 9);
    test_write(config_dir, "transient.xml", xml);
    g_clear_pointer(&xml, g_free);
    g_assert_cmpint(domain_obj_list_set_autostart(config_dir, "stopped", TRUE), ==, 0);
    /* Leftovers of an interrupted atomic write are ignored. */
    test_write(config_dir, ".stopped.xml.AbC123", "partial");

    /* Status files: two running domains, a corrupt file, a misnamed file,
     * and one the driver refuses. */
    xml = test_status_xml("running", 1, 4);
    test_write(state_dir, "running.xml", xml);
    g_clear_pointer(&xml, g_free);
    xml = test_status_xml("transient", 5, 7);
    test_write(state_dir, "transient.xml", xml);
    g_clear_pointer(&xml, g_free);
    test_write(state_dir, "corrupt.xml", "<domstatus state='running' reason='booted' pid='1'>");
    xml = test_status_xml("inside", 6, 2);
    test_write(state_dir, "outside.xml", xml);
    g_clear_pointer(&xml, g_free);
    xml = test_status_xml("refused", 8, 3);
    test_write(state_dir, "refused.xml", xml);
    g_clear_pointer(&xml, g_free);

    g_assert_cmpint(domain_obj_list_load_status(list, state_dir, NULL, test_loaded_cb, &loaded), ==,
                    2);
    g_assert_cmpint(domain_obj_list_load_configs(list, config_dir), ==, 2);

    /* The corrupt and misnamed status files were moved aside; the refused one stays. */
    g_assert_false(qvirt_file_exists(corrupt_path));
    g_assert_cmpint(test_count_prefix(state_dir, "corrupt.xml.corrupt-"), ==, 1);
    g_assert_cmpint(test_count_prefix(state_dir, "outside.xml.corrupt-"), ==, 1);
    g_assert_cmpint(test_count_prefix(state_dir, "refused.xml"), ==, 1);
    /* A broken config is the user's file: left where it is. */
    g_assert_true(qvirt_file_exists(bad_config));
    g_assert_cmpint(monitors->len, ==, 3);

    all = domain_obj_list_collect(list, 0, NULL);
    g_assert_cmpint(all->len, ==, 3);

    running = domain_obj_list_find_by_name(list, "running");
    g_assert_nonnull(running);
    domain_obj_lock(running);
    g_assert_true(domain_obj_is_active(running));
    g_assert_true(running->persistent);
    g_assert_nonnull(running->new_def); /* the config's definition */
    g_assert_cmpint(running->def->id, ==, 4);
    g_assert_cmpint(running->pid, ==, 4004);
    g_assert_cmpuint(running->pid_start_time, ==, 777);
    g_assert_cmpint(running->state, ==, DOMAIN_STATE_RUNNING);
    domain_obj_unlock(running);

    transient = domain_obj_list_find_by_name(list, "transient");
    g_assert_nonnull(transient);
    g_assert_false(transient->persistent); /* its clashing config was skipped */
    clash = domain_obj_list_find_by_id(list, 7);
    g_assert_true(clash == transient);

    stopped = domain_obj_list_find_by_name(list, "stopped");
    g_assert_nonnull(stopped);
    g_assert_false(domain_obj_is_active(stopped));
    g_assert_true(stopped->persistent);
    g_assert_true(stopped->autostart);
    g_assert_false(running->autostart);

    g_assert_null(domain_obj_list_find_by_name(list, "refused"));
    g_assert_null(domain_obj_list_find_by_name(list, "broken"));
    g_assert_null(domain_obj_list_find_by_name(list, "someone-else"));

    /* New ids start above the highest one loaded. */
    g_assert_cmpint(domain_obj_list_next_id(list), ==, 8);

    /* Missing folders are empty, not errors. */
    {
        g_autofree char *missing = g_build_filename(top, "nothing", NULL);

        g_assert_cmpint(domain_obj_list_load_configs(list, missing), ==, 0);
        g_assert_cmpint(domain_obj_list_load_status(list, missing, NULL, NULL, NULL), ==, 0);
    }
    qvirt_test_rmtree(top);
}

static void
test_config_save(void)
{
    g_autofree char *top = qvirt_test_mkdtemp();
    g_autofree char *config_dir = g_build_filename(top, "qemu", NULL);
    g_autofree char *xml = test_domain_xml("web1", 1);
    g_autoptr(DomainDef) def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);
    g_autofree char *path = domain_obj_list_config_path(config_dir, "web1");
    g_autofree char *expected = NULL;
    g_autofree char *written = NULL;
    g_autofree char *not_dir = g_build_filename(top, "file", NULL);
    g_autoptr(DomainDef) back = NULL;
    struct stat sb;

    g_assert_nonnull(def);
    def->id = 3; /* live data never reaches the config */
    g_assert_cmpint(domain_obj_list_save_config(config_dir, def), ==, 0);
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0600);
    g_assert_cmpint(stat(config_dir, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0700);
    expected = domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE);
    g_assert_cmpint(qvirt_file_read_limited(path, 1 << 20, &written, NULL), ==, 0);
    g_assert_cmpstr(written, ==, expected);
    g_assert_null(strstr(written, "id='3'"));
    back = domain_def_parse_string(written, DOMAIN_DEF_PARSE_INACTIVE);
    g_assert_nonnull(back);
    g_assert_cmpstr(back->name, ==, "web1");

    /* Overwriting leaves exactly one file: no temporary files behind. */
    g_assert_cmpint(domain_obj_list_save_config(config_dir, def), ==, 0);
    g_assert_cmpint(test_count_prefix(config_dir, ""), ==, 1);

    /* A failed write is reported and leaves nothing. */
    test_write(top, "file", "not a folder");
    g_assert_cmpint(domain_obj_list_save_config(not_dir, def), ==, -1);
    g_assert_cmpint(qvirt_error_last_code(), !=, QVIRT_ERR_OK);
    g_assert_nonnull(strstr(qvirt_error_last_message(), not_dir));

    /* Autostart links and deletion. */
    g_assert_cmpint(domain_obj_list_set_autostart(config_dir, "web1", TRUE), ==, 0);
    g_assert_cmpint(domain_obj_list_set_autostart(config_dir, "web1", TRUE), ==, 0);
    {
        g_autofree char *link = domain_obj_list_autostart_path(config_dir, "web1");
        g_autofree char *target = g_file_read_link(link, NULL);

        g_assert_cmpstr(target, ==, path);
        g_assert_cmpint(domain_obj_list_set_autostart(config_dir, "web1", FALSE), ==, 0);
        g_assert_false(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
        g_assert_cmpint(domain_obj_list_set_autostart(config_dir, "web1", FALSE), ==, 0);
        g_assert_cmpint(domain_obj_list_set_autostart(config_dir, "web1", TRUE), ==, 0);
        g_assert_cmpint(domain_obj_list_delete_config(config_dir, "web1"), ==, 0);
        g_assert_false(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
        g_assert_false(qvirt_file_exists(path));
        g_assert_cmpint(domain_obj_list_delete_config(config_dir, "web1"), ==, 0);
    }
    g_assert_cmpint(domain_obj_list_delete_config(config_dir, "../x"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "must not contain '/'");
    qvirt_test_rmtree(top);
}

/* ---- capabilities ---- */

static Capabilities *
test_host_caps(void)
{
    Capabilities *caps = capabilities_new("x86_64");
    CapsGuest *guest;
    CapsGuestMachine *machine;

    test_uuid(caps->host_uuid, 0x42);
    caps->have_host_uuid = TRUE;
    caps->host_cpu_model = g_strdup("Skylake-Client-IBRS");
    caps->host_cpu_vendor = g_strdup("Intel");
    caps->live_migration = TRUE;
    g_ptr_array_add(caps->migration_transports, g_strdup("tcp"));
    g_ptr_array_add(caps->migration_transports, g_strdup("rdma"));

    guest = capabilities_add_guest(caps, "hvm", "x86_64", 64, "/usr/bin/qemu-system-x86_64");
    capabilities_guest_add_machine(guest, "pc-i440fx-8.2", NULL, 255);
    capabilities_guest_add_machine(guest, "pc", "pc-i440fx-8.2", 255);
    capabilities_guest_add_machine(guest, "pc-q35-8.2", NULL, 1024);
    capabilities_guest_add_machine(guest, "q35", "pc-q35-8.2", 1024);
    machine = capabilities_guest_add_machine(guest, "pc-i440fx-2.4", NULL, 255);
    machine->deprecated = TRUE;
    capabilities_guest_add_domain(guest, DOMAIN_VIRT_QEMU, NULL);
    capabilities_guest_add_domain(guest, DOMAIN_VIRT_KVM, NULL);
    capabilities_guest_add_feature(guest, "acpi", TRUE, TRUE, TRUE);
    capabilities_guest_add_feature(guest, "apic", TRUE, TRUE, FALSE);
    capabilities_guest_add_feature(guest, "cpuselection", FALSE, FALSE, FALSE);
    capabilities_guest_add_feature(guest, "deviceboot", FALSE, FALSE, FALSE);
    capabilities_guest_add_feature(guest, "disksnapshot", TRUE, TRUE, FALSE);
    return caps;
}

static DomainCaps *
test_domain_caps(void)
{
    DomainCaps *caps =
        domain_caps_new("/usr/bin/qemu-system-x86_64", DOMAIN_VIRT_KVM, "pc-q35-8.2", "x86_64");
    static const char *const firmware[] = {"bios", "efi", NULL};
    static const char *const loader_type[] = {"rom", "pflash", NULL};
    static const char *const yes_no[] = {"yes", "no", NULL};
    static const char *const disk_device[] = {"disk", "cdrom", NULL};
    static const char *const disk_bus[] = {"virtio", "sata", "scsi", "usb", NULL};
    static const char *const graphics_type[] = {"vnc", NULL};
    static const char *const video_model[] = {"vga", "virtio", "none", NULL};
    static const char *const rng_model[] = {"virtio", NULL};
    static const char *const rng_backend[] = {"random", "builtin", NULL};
    DomainCapsItem *item;

    caps->max_vcpus = 1024;
    caps->iothreads = TRUE;
    caps->os_supported = TRUE;
    domain_caps_enum_add(caps->os_enums, "firmware", firmware);
    caps->have_loader = TRUE;
    caps->loader_supported = TRUE;
    g_ptr_array_add(caps->loader_values, g_strdup("/usr/share/OVMF/OVMF_CODE_4M.fd"));
    domain_caps_enum_add(caps->loader_enums, "type", loader_type);
    domain_caps_enum_add(caps->loader_enums, "readonly", yes_no);
    domain_caps_enum_add(caps->loader_enums, "secure", yes_no);

    caps->cpu_host_passthrough = TRUE;
    caps->cpu_maximum = TRUE;
    caps->cpu_host_model = TRUE;
    caps->cpu_host_model_name = g_strdup("Skylake-Client-IBRS");
    caps->cpu_host_model_vendor = g_strdup("Intel");
    caps->cpu_custom = TRUE;
    domain_caps_add_cpu_model(caps, "qemu64", "unknown", DOMAIN_CAPS_CPU_USABLE_YES);
    domain_caps_add_cpu_model(caps, "Skylake-Server", "Intel", DOMAIN_CAPS_CPU_USABLE_NO);
    domain_caps_add_cpu_model(caps, "Opteron_G1", "AMD", DOMAIN_CAPS_CPU_USABLE_UNKNOWN)
        ->deprecated = TRUE;

    item = domain_caps_item_add(caps->devices, "disk", TRUE);
    domain_caps_enum_add(item->enums, "diskDevice", disk_device);
    domain_caps_enum_add(item->enums, "bus", disk_bus);
    item = domain_caps_item_add(caps->devices, "graphics", TRUE);
    domain_caps_enum_add(item->enums, "type", graphics_type);
    item = domain_caps_item_add(caps->devices, "video", TRUE);
    domain_caps_enum_add(item->enums, "modelType", video_model);
    item = domain_caps_item_add(caps->devices, "hostdev", FALSE);
    item = domain_caps_item_add(caps->devices, "rng", TRUE);
    domain_caps_enum_add(item->enums, "model", rng_model);
    domain_caps_enum_add(item->enums, "backendModel", rng_backend);

    domain_caps_item_add(caps->features, "vmcoreinfo", TRUE);
    domain_caps_item_add(caps->features, "genid", TRUE);
    domain_caps_item_add(caps->features, "backingStoreInput", TRUE);
    domain_caps_item_add(caps->features, "backup", FALSE);
    return caps;
}

/* Validate FILE with libvirt's schema SCHEMA when the validator is installed. */
static void
test_validate_schema(const char *file, const char *schema)
{
    g_autofree char *tool = g_find_program_in_path("virt-xml-validate");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) gerr = NULL;
    int status = 0;
    const char *argv[] = {NULL, file, schema, NULL};

    if (!tool) {
        g_test_message("virt-xml-validate is not installed: schema check skipped");
        return;
    }
    argv[0] = tool;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &gerr));
    g_assert_no_error(gerr);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_test_message("%s does not validate as %s:\n%s%s", file, schema, out, err);
        g_test_fail();
    }
}

static void
test_compare_fixture(const char *fixture, const char *actual, const char *schema)
{
    g_autofree char *path = g_build_filename(data_dir, fixture, NULL);
    g_autofree char *expected = NULL;

    g_assert_cmpint(qvirt_file_read_limited(path, 1 << 20, &expected, NULL), ==, 0);
    if (!g_str_equal(expected, actual)) {
        g_test_message("%s: expected:\n%s\nactual:\n%s", path, expected, actual);
        g_test_fail();
    }
    test_validate_schema(path, schema);
}

static void
test_caps_host(void)
{
    g_autoptr(Capabilities) caps = test_host_caps();
    g_autofree char *xml = capabilities_format(caps);
    CapsGuest *guest;

    test_compare_fixture("caps-host.xml", xml, "capability");

    guest = capabilities_find_guest(caps, "hvm", "x86_64");
    g_assert_nonnull(guest);
    g_assert_null(capabilities_find_guest(caps, "hvm", "aarch64"));
    g_assert_true(capabilities_guest_has_domain(guest, DOMAIN_VIRT_KVM));
    g_assert_false(capabilities_guest_has_domain(guest, DOMAIN_VIRT_TEST));
    g_assert_cmpstr(capabilities_guest_find_machine(guest, "q35")->canonical, ==, "pc-q35-8.2");
    g_assert_null(capabilities_guest_find_machine(guest, "virt"));
}

static void
test_caps_escaping(void)
{
    g_autoptr(Capabilities) caps = capabilities_new("x86_64");
    CapsGuest *guest = capabilities_add_guest(caps, "hvm", "x86_64", 64, "/opt/q<&>'\"/qemu");
    g_autofree char *xml = NULL;

    capabilities_guest_add_domain(guest, DOMAIN_VIRT_QEMU, NULL);
    xml = capabilities_format(caps);
    g_assert_nonnull(strstr(xml, "<emulator>/opt/q&lt;&amp;&gt;&apos;&quot;/qemu</emulator>"));
    g_assert_null(strstr(xml, "<uuid>")); /* no host UUID given */
}

static void
test_caps_domain(void)
{
    g_autoptr(DomainCaps) caps = test_domain_caps();
    g_autofree char *xml = domain_caps_format(caps);

    test_compare_fixture("domaincaps-kvm.xml", xml, "domaincaps");
}

static void
test_fixtures_used(void)
{
    GDir *dir = g_dir_open(data_dir, 0, NULL);
    const char *entry;

    g_assert_nonnull(dir);
    while ((entry = g_dir_read_name(dir))) {
        if (!g_strv_contains(test_fixtures, entry)) {
            g_test_message("unused fixture file: %s", entry);
            g_test_fail();
        }
    }
    g_dir_close(dir);
}

int
main(int argc, char **argv)
{
    int ret;

    qvirt_test_init(&argc, &argv);
    data_dir = qvirt_test_srcpath("domainobj/data");

    g_test_add_func("/domainobj/list/add-lookup", test_list_add_lookup);
    g_test_add_func("/domainobj/list/conflicts", test_list_conflicts);
    g_test_add_func("/domainobj/list/redefine", test_list_redefine);
    g_test_add_func("/domainobj/list/add-live", test_list_add_live);
    g_test_add_func("/domainobj/list/remove", test_list_remove);
    g_test_add_func("/domainobj/list/concurrent-add", test_list_concurrent_add);
    g_test_add_func("/domainobj/list/remove-wakes-waiters", test_list_remove_wakes_waiters);
    g_test_add_func("/domainobj/list/ids", test_list_ids);
    g_test_add_func("/domainobj/list/filters", test_list_filters);
    g_test_add_func("/domainobj/files/load-folders", test_load_folders);
    g_test_add_func("/domainobj/files/config-save", test_config_save);
    g_test_add_func("/domainobj/caps/host", test_caps_host);
    g_test_add_func("/domainobj/caps/escaping", test_caps_escaping);
    g_test_add_func("/domainobj/caps/domain", test_caps_domain);
    g_test_add_func("/domainobj/fixtures-used", test_fixtures_used);
    ret = g_test_run();
    g_free(data_dir);
    return ret;
}

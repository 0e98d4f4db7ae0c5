/* test-status.c: the string tables, the phase registry and the <job>
 * fragment of the status XML: format, strict parse, driver-private children
 * and the ownerless job a restarted daemon recovers. */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "jobtest.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

#define MIG_OUT DOMAIN_ASYNC_JOB_MIGRATION_OUT

static void
test_strings_tables(void)
{
    static const char *const jobs[] = {
        "none",
        "query",
        "destroy",
        "suspend",
        "modify",
        "abort",
        "migration operation",
        "modify migration safe",
        "async nested",
    };
    static const char *const asyncs[] = {
        "none", "migration out", "migration in", "save", "dump", "start", "backup",
    };
    static const char *const bad_table[] = {"begin3", "perform3"};
    static const char *const dup_table[] = {"none", "begin3", "begin3"};

    G_STATIC_ASSERT(G_N_ELEMENTS(jobs) == DOMAIN_JOB_LAST);
    G_STATIC_ASSERT(G_N_ELEMENTS(asyncs) == DOMAIN_ASYNC_JOB_LAST);
    for (int i = 0; i < DOMAIN_JOB_LAST; i++) {
        g_assert_cmpstr(domain_job_type_to_string(i), ==, jobs[i]);
        g_assert_cmpint(domain_job_type_from_string(jobs[i]), ==, i);
    }
    for (int i = 0; i < DOMAIN_ASYNC_JOB_LAST; i++) {
        g_assert_cmpstr(domain_async_job_to_string(i), ==, asyncs[i]);
        g_assert_cmpint(domain_async_job_from_string(asyncs[i]), ==, i);
    }
    for (int i = 0; i < DOMAIN_JOB_STATUS_LAST; i++)
        g_assert_cmpint(domain_job_status_from_string(domain_job_status_to_string(i)), ==, i);
    g_assert_null(domain_job_type_to_string(DOMAIN_JOB_LAST));
    g_assert_null(domain_job_type_to_string(-1));
    g_assert_null(domain_async_job_to_string(DOMAIN_ASYNC_JOB_LAST));
    g_assert_cmpint(domain_job_type_from_string("migration-op"), ==, -1);
    g_assert_cmpint(domain_job_type_from_string(NULL), ==, -1);
    g_assert_cmpint(domain_async_job_from_string("snapshot"), ==, -1);
    g_assert_cmpint(domain_async_job_from_string("Migration out"), ==, -1);

    /* Phases: registered names, and "none" for phase 0 of any type. */
    g_assert_cmpstr(domain_job_phase_to_string(MIG_OUT, TPH_PERFORM3), ==, "perform3");
    g_assert_cmpint(domain_job_phase_from_string(MIG_OUT, "confirm3"), ==, TPH_CONFIRM3);
    g_assert_cmpint(domain_job_phase_from_string(MIG_OUT, "perform9"), ==, -1);
    g_assert_null(domain_job_phase_to_string(MIG_OUT, TPH_LAST));
    g_assert_cmpstr(domain_job_phase_to_string(DOMAIN_ASYNC_JOB_SAVE, 0), ==, "none");
    g_assert_null(domain_job_phase_to_string(DOMAIN_ASYNC_JOB_SAVE, 1));
    g_assert_cmpint(domain_job_phase_from_string(DOMAIN_ASYNC_JOB_SAVE, "none"), ==, 0);
    g_assert_cmpint(domain_job_phase_from_string(DOMAIN_ASYNC_JOB_SAVE, "perform3"), ==, -1);

    /* Bad tables are refused and leave the registered one alone. */
    g_assert_cmpint(domain_job_register_phases(MIG_OUT, bad_table, 2, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "must start with 'none'");
    g_assert_cmpint(domain_job_register_phases(MIG_OUT, dup_table, 3, NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "repeated name at index 2");
    g_assert_cmpint(domain_job_register_phases(DOMAIN_ASYNC_JOB_NONE, dup_table, 1, NULL), ==, -1);
    g_assert_cmpint(domain_job_register_phases(MIG_OUT, NULL, 0, NULL), ==, -1);
    g_assert_cmpstr(domain_job_phase_to_string(MIG_OUT, TPH_PERFORM3), ==, "perform3");
}

/* Driver-private children: private_data is a string kept in <migParams>. */
static guint private_frees;

static void
test_format_private(const DomainJobObj *job, GString *buf, int indent,
                    gpointer opaque G_GNUC_UNUSED)
{
    const char *value = domain_job_get_private(job);

    if (value)
        g_string_append_printf(buf, "%*s<migParams tls='%s'/>\n", indent, "", value);
}

static int
test_parse_private(DomainJobObj *job, xmlXPathContextPtr ctxt, xmlNodePtr node,
                   gpointer opaque G_GNUC_UNUSED)
{
    xmlXPathObjectPtr obj;

    g_assert_true(ctxt->node == node);
    obj = xmlXPathEval((const xmlChar *)"string(./migParams/@tls)", ctxt);
    g_assert_nonnull(obj);
    if (obj->stringval && g_str_equal((const char *)obj->stringval, "broken")) {
        xmlXPathFreeObject(obj);
        qvirt_report_error(QVIRT_ERR_XML_ERROR, "bad migration parameters");
        return -1;
    }
    if (obj->stringval && *obj->stringval)
        domain_job_set_private(job, g_strdup((const char *)obj->stringval));
    xmlXPathFreeObject(obj);
    return 0;
}

static void
test_reset_private(DomainJobObj *job, gpointer opaque G_GNUC_UNUSED)
{
    domain_job_set_private(job, NULL);
}

static void
test_free_private(gpointer data, gpointer opaque G_GNUC_UNUSED)
{
    private_frees++;
    g_free(data);
}

static void
test_set_private_callbacks(TestVm *t)
{
    DomainJobCallbacks cb = {
        .format_private = test_format_private,
        .parse_private = test_parse_private,
        .reset_private = test_reset_private,
        .free_private = test_free_private,
    };

    domain_job_obj_set_callbacks(t->vm->job, &cb, t);
}

static char *
format_job(TestVm *t)
{
    GString *buf = g_string_new(NULL);

    domain_obj_lock(t->vm);
    domain_job_format_status(t->vm->job, buf, 2);
    domain_obj_unlock(t->vm);
    return g_string_free(buf, FALSE);
}

/* Parse XML's root element into T's job; returns the parse result. */
static int
parse_job(TestVm *t, const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, strlen(xml), "job.xml", NULL, XML_PARSE_NONET);
    int rc;

    g_assert_nonnull(doc);
    domain_obj_lock(t->vm);
    rc = domain_job_parse_status(t->vm->job, xmlDocGetRootElement(doc), "/run/qvirt/web1.xml");
    domain_obj_unlock(t->vm);
    xmlFreeDoc(doc);
    return rc;
}

static void
test_status_format(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    g_autofree char *idle = NULL;
    g_autofree char *destroy = NULL;
    g_autofree char *async = NULL;
    g_autofree char *with_private = NULL;

    test_clock_install();
    test_set_private_callbacks(t);

    idle = format_job(t);
    g_assert_cmpstr(idle, ==, "");
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_MODIFY), ==, 0);
    g_free(idle);
    idle = format_job(t); /* only destroy among normal jobs is tracked */
    g_assert_cmpstr(idle, ==, "");
    vm_end(t);

    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_DESTROY), ==, 0);
    destroy = format_job(t);
    g_assert_cmpstr(destroy, ==, "  <job type='destroy' async='none'/>\n");
    vm_end(t);

    domain_obj_lock(t->vm);
    g_assert_cmpint(
        domain_job_begin_async(t->vm, MIG_OUT, DOMAIN_JOB_OPERATION_MIGRATION_OUT, 0x1a), ==, 0);
    domain_obj_unlock(t->vm);
    g_assert_cmpint(vm_set_phase(t, TPH_PERFORM3), ==, 0);
    async = format_job(t);
    g_assert_cmpstr(async, ==,
                    "  <job type='none' async='migration out' phase='perform3' flags='0x1a' "
                    "asyncStarted='1700000000000'/>\n");

    domain_obj_lock(t->vm);
    domain_job_set_private(t->vm->job, g_strdup("yes"));
    domain_obj_unlock(t->vm);
    g_assert_cmpint(vm_begin(t, DOMAIN_JOB_DESTROY), ==, 0);
    with_private = format_job(t);
    g_assert_cmpstr(with_private, ==,
                    "  <job type='destroy' async='migration out' phase='perform3' flags='0x1a' "
                    "asyncStarted='1700000000000'>\n"
                    "    <migParams tls='yes'/>\n"
                    "  </job>\n");
    vm_end(t);

    /* Ending the async job resets the private state through the driver. */
    private_frees = 0;
    vm_end_async(t);
    g_assert_cmpuint(private_frees, ==, 1);
    g_assert_null(domain_job_get_private(t->vm->job));
    test_clock_uninstall();
    test_vm_free(t);
}

static void
test_status_round_trip(void)
{
    static const char *const docs[] = {
        "  <job type='destroy' async='none'/>\n",
        "  <job type='none' async='migration out' phase='confirm3_cancelled' flags='0x0' "
        "asyncStarted='1699999990000'/>\n",
        "  <job type='destroy' async='migration in' flags='0xffffffffffffffff' "
        "asyncStarted='1'/>\n",
        "  <job type='none' async='backup' flags='0x2' asyncStarted='1699999999999'>\n"
        "    <migParams tls='no'/>\n"
        "  </job>\n",
    };

    test_clock_install();
    for (guint i = 0; i < G_N_ELEMENTS(docs); i++) {
        TestVm *t = test_vm_new("web1", TRUE);
        g_autofree char *again = NULL;

        test_set_private_callbacks(t);
        private_frees = 0;
        g_assert_cmpint(parse_job(t, docs[i]), ==, 0);
        again = format_job(t);
        g_assert_cmpstr(again, ==, docs[i]);
        test_vm_free(t);
        g_assert_cmpuint(private_frees, ==, strstr(docs[i], "migParams") ? 1 : 0);
    }
    test_clock_uninstall();
}

static void
test_status_recovered_job(void)
{
    TestVm *t = test_vm_new("web1", TRUE);
    Actor *q = actor_new(t, "dominfo");
    Actor *m = actor_new(t, "setvcpus");
    Actor *confirm = actor_new(t, "migrate-confirm");
    guint saves;

    test_clock_install();
    domain_job_obj_set_config(t->vm->job, 50, 0);
    /* Saved by an earlier daemon 10 s before "now". */
    g_assert_cmpint(parse_job(t, "<job type='none' async='migration out' phase='perform3' "
                                 "flags='0x3' asyncStarted='1699999990000'/>"),
                    ==, 0);
    g_assert_cmpint(vm_async(t), ==, MIG_OUT);
    g_assert_cmpint(vm_phase(t), ==, TPH_PERFORM3);
    g_assert_false(vm_has_owner(t));
    g_assert_cmpuint(domain_job_get_async_flags(t->vm->job), ==, 3);
    g_assert_cmpuint(domain_job_get_mask(t->vm->job), ==, DOMAIN_JOB_DEFAULT_MASK);
    g_assert_cmpuint(t->save_count, ==, 0); /* parsing saves nothing */

    /* It behaves like a live async job with no owner. */
    g_assert_cmpint(actor_do(q, ACT_BEGIN, DOMAIN_JOB_QUERY, 0), ==, 0);
    g_assert_cmpint(actor_do(q, ACT_END, 0, 0), ==, 0);
    g_assert_cmpint(actor_do(m, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0), ==, -1);
    g_assert_cmpstr(actor_error_message(m), ==,
                    "cannot acquire state change lock: domain 'web1' is busy with async job "
                    "'migration out' (phase perform3, started 10.0 s ago, no owner between API "
                    "calls)");
    g_assert_cmpint(actor_do(confirm, ACT_START_PHASE, MIG_OUT, TPH_BEGIN3), ==, -1);
    g_assert_cmpint(actor_do(confirm, ACT_START_PHASE, MIG_OUT, TPH_CONFIRM3), ==, 0);
    g_assert_true(actor_seen_owner(confirm));
    g_assert_cmpint(actor_do(confirm, ACT_END_ASYNC, 0, 0), ==, 0);

    /* A parsed destroy job holds the normal slot until recovery ends it. */
    g_assert_cmpint(parse_job(t, "<job type='destroy' async='none'/>"), ==, 0);
    g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_DESTROY);
    g_assert_cmpint(actor_do(m, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0), ==, -1);
    g_assert_cmpint(actor_error_code(m), ==, QVIRT_ERR_OPERATION_TIMEOUT);
    vm_end(t);
    g_assert_cmpint(actor_do(m, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0), ==, 0);

    g_assert_cmpint(actor_do(m, ACT_END, 0, 0), ==, 0);

    /* Recovery may also give a recovered async job up. */
    g_assert_cmpint(parse_job(t, "<job type='none' async='dump' flags='0x0' asyncStarted='1'/>"),
                    ==, 0);
    saves = t->save_count;
    domain_obj_lock(t->vm);
    domain_job_discard_async(t->vm);
    domain_job_discard_async(t->vm); /* nothing left: no-op */
    domain_obj_unlock(t->vm);
    g_assert_cmpint(vm_async(t), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_cmpuint(t->save_count, ==, saves + 1);
    g_assert_cmpint(actor_do(m, ACT_BEGIN, DOMAIN_JOB_MODIFY, 0), ==, 0);

    /* Only an idle job object can be loaded. */
    g_assert_cmpint(parse_job(t, "<job type='none' async='save'/>"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "busy job object");
    g_assert_cmpint(actor_do(m, ACT_END, 0, 0), ==, 0);

    actor_free(confirm);
    actor_free(m);
    actor_free(q);
    test_clock_uninstall();
    test_vm_free(t);
}

static void
test_status_parse_errors(void)
{
    static const struct {
        const char *xml;
        const char *error;
    } cases[] = {
        {"<job type='bogus' async='none'/>",
         "unknown job type 'bogus' in status file '/run/qvirt/web1.xml'"},
        {"<job type='modify' async='save'/>",
         "job type 'modify' in status file '/run/qvirt/web1.xml' is never saved"},
        {"<job type='async nested' async='save'/>", "job type 'async nested'"},
        {"<job type='none' async='snapshot'/>",
         "unknown async job 'snapshot' in status file '/run/qvirt/web1.xml'"},
        {"<job type='none' async='migration out' phase='perform9'/>",
         "unknown phase 'perform9' of async job 'migration out' in status file "
         "'/run/qvirt/web1.xml'"},
        {"<job type='none' async='save' phase='perform3'/>",
         "unknown phase 'perform3' of async job 'save'"},
        {"<job type='destroy' async='none' phase='perform3'/>",
         "unknown phase 'perform3' of async job 'none'"},
        {"<job async='none'/>", "missing attribute 'type' of <job> in status file"},
        {"<job type='none'/>", "missing attribute 'async' of <job>"},
        {"<job type='' async='none'/>", "unknown job type ''"},
        {"<job type='none' async='save' flags='5'/>", "invalid job flags '5'"},
        {"<job type='none' async='save' flags='0x'/>", "invalid job flags '0x'"},
        {"<job type='none' async='save' flags='0xzz'/>", "invalid job flags '0xzz'"},
        {"<job type='none' async='save' flags='0x-1'/>", "invalid job flags '0x-1'"},
        {"<job type='none' async='save' flags='0x1ffffffffffffffff'/>",
         "invalid job flags '0x1ffffffffffffffff'"},
        {"<job type='none' async='save' asyncStarted='-1'/>", "invalid asyncStarted '-1'"},
        {"<job type='none' async='save' asyncStarted='12abc'/>", "invalid asyncStarted '12abc'"},
        {"<job type='none' async='save' asyncStarted=''/>", "invalid asyncStarted ''"},
        {"<job type='none' async='save' asyncStarted='99999999999999999999'/>",
         "invalid asyncStarted"},
        {"<job type='destroy' async='none' flags='0x1'/>",
         "job flags or asyncStarted without an async job"},
        {"<jobs type='none' async='none'/>",
         "expected a <job> element in status file '/run/qvirt/web1.xml'"},
        {"<job type='none' async='backup'><migParams tls='broken'/></job>",
         "bad migration parameters"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        TestVm *t = test_vm_new("web1", TRUE);

        test_set_private_callbacks(t);
        qvirt_error_reset();
        if (parse_job(t, cases[i].xml) != -1)
            g_error("'%s' was accepted", cases[i].xml);
        qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, cases[i].error);
        /* Nothing half-loaded. */
        g_assert_cmpint(vm_async(t), ==, DOMAIN_ASYNC_JOB_NONE);
        g_assert_cmpint(vm_active(t), ==, DOMAIN_JOB_NONE);
        g_assert_null(domain_job_get_private(t->vm->job));
        test_vm_free(t);
    }
}

void
test_status_register(void)
{
    g_test_add_func("/domainjob/strings/tables", test_strings_tables);
    g_test_add_func("/domainjob/status/format", test_status_format);
    g_test_add_func("/domainjob/status/round-trip", test_status_round_trip);
    g_test_add_func("/domainjob/status/recovered-job", test_status_recovered_job);
    g_test_add_func("/domainjob/status/parse-errors", test_status_parse_errors);
}

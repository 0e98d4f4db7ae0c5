/* test-statusxml2xml.c: the status XML, driven by the files in data/:
 *
 *   NAME.xml              parse, format, and the output must equal the file
 *   bad-NAME.xml          must fail to parse, with the error in bad-NAME.err:
 *   bad-NAME.err            line 1 the error code name (XML_ERROR), line 2
 *                           the exact message, where @FILE@ stands for the
 *                           fixture's path (every message must name the file)
 *   job-template.xml.in   a status file with @ASYNC@ and @PHASE@: round trip
 *                         for every async job type and every phase of each
 *
 * Any other file, or half of a pair, is an unused fixture and fails the suite.
 *
 * The hooks stand in for a driver: its job callbacks keep the migration
 * parameters and per-disk migration state as <job> children, and one
 * driver-private element (<testPrivate>) exercises the status hooks. */
#include <config.h>

#include <string.h>
#include <sys/stat.h>

#include "conf/domain_blockjob_record.h"
#include "conf/domain_job.h"
#include "conf/domain_status.h"
#include "testfixture.h"
#include "testutil.h"
#include "util/error.h"
#include "util/files.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

/* libvirt's migration phases (without the v2 protocol's perform2/finish2). */
static const char *const test_migration_phases[] = {
    "none",           "begin3",         "perform3",       "perform3_done",   "confirm3_cancelled",
    "confirm3",       "prepare",        "finish3",        "postcopy_failed", "begin_resume",
    "perform_resume", "confirm_resume", "prepare_resume", "finish_resume",
};

static char *data_dir;

/* ---- a stand-in driver ---- */

/* Private data of the job: what <job> children the QEMU driver will keep. */
typedef struct {
    GPtrArray *disks;  /* "dev=yes|no" */
    GPtrArray *params; /* "name=value" */
} TestJobPriv;

static void
test_job_priv_free(gpointer data, gpointer opaque)
{
    TestJobPriv *priv = data;

    if (!priv)
        return;
    g_ptr_array_unref(priv->disks);
    g_ptr_array_unref(priv->params);
    g_free(priv);
}

static TestJobPriv *
test_job_priv_get(DomainJobObj *job)
{
    TestJobPriv *priv = domain_job_get_private(job);

    if (!priv) {
        priv = g_new0(TestJobPriv, 1);
        priv->disks = g_ptr_array_new_with_free_func(g_free);
        priv->params = g_ptr_array_new_with_free_func(g_free);
        domain_job_set_private(job, priv);
    }
    return priv;
}

static void
test_job_format_private(const DomainJobObj *job, GString *buf, int indent, gpointer opaque)
{
    TestJobPriv *priv = domain_job_get_private(job);

    if (!priv)
        return;
    for (guint i = 0; i < priv->disks->len; i++) {
        g_auto(GStrv) kv = g_strsplit(g_ptr_array_index(priv->disks, i), "=", 2);

        g_string_append_printf(buf, "%*s<disk dev='%s' migrating='%s'/>\n", indent, "", kv[0],
                               kv[1]);
    }
    if (priv->params->len == 0)
        return;
    g_string_append_printf(buf, "%*s<migParams>\n", indent, "");
    for (guint i = 0; i < priv->params->len; i++) {
        g_auto(GStrv) kv = g_strsplit(g_ptr_array_index(priv->params, i), "=", 2);

        g_string_append_printf(buf, "%*s<param name='%s' value='%s'/>\n", indent + 2, "", kv[0],
                               kv[1]);
    }
    g_string_append_printf(buf, "%*s</migParams>\n", indent, "");
}

/* The file being parsed, for messages of the job callbacks (no opaque
 * carries it there). Tests run on one thread. */
static const char *test_current_file;

static int
test_job_parse_params(xmlNodePtr node, TestJobPriv *priv)
{
    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;

        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!g_str_equal((const char *)cur->name, "param") ||
            !(name = qvirt_xml_prop(cur, "name")) || !(value = qvirt_xml_prop(cur, "value"))) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, "bad <migParams> in status file '%s'",
                               test_current_file);
            return -1;
        }
        g_ptr_array_add(priv->params, g_strdup_printf("%s=%s", name, value));
    }
    return 0;
}

static int
test_job_parse_private(DomainJobObj *job, xmlXPathContextPtr ctxt, xmlNodePtr node, gpointer opaque)
{
    TestJobPriv *priv = test_job_priv_get(job);

    for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal((const char *)cur->name, "disk")) {
            g_autofree char *dev = qvirt_xml_prop(cur, "dev");
            g_autofree char *migrating = qvirt_xml_prop(cur, "migrating");

            if (!dev || !migrating ||
                (!g_str_equal(migrating, "yes") && !g_str_equal(migrating, "no"))) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR, "bad <disk> in <job> of status file '%s'",
                                   test_current_file);
                return -1;
            }
            g_ptr_array_add(priv->disks, g_strdup_printf("%s=%s", dev, migrating));
        } else if (g_str_equal((const char *)cur->name, "migParams")) {
            if (test_job_parse_params(cur, priv) < 0)
                return -1;
        } else {
            domain_status_xml_report_unexpected(cur, test_current_file);
            return -1;
        }
    }
    return 0;
}

static void
test_job_reset_private(DomainJobObj *job, gpointer opaque)
{
    domain_job_set_private(job, NULL);
}

static const DomainJobCallbacks test_job_callbacks = {
    .format_private = test_job_format_private,
    .parse_private = test_job_parse_private,
    .reset_private = test_job_reset_private,
    .free_private = test_job_priv_free,
};

static void
test_status_init(DomainObj *vm, const char *file, gpointer opaque)
{
    test_current_file = file;
    domain_job_obj_set_callbacks(vm->job, &test_job_callbacks, NULL);
    vm->private_data_free = g_free;
}

static void
test_status_format(DomainObj *vm, QvirtBuffer *buf, gpointer opaque)
{
    qvirt_buffer_escape_string(buf, "<testPrivate note='%s'/>\n", vm->private_data);
}

static int
test_status_parse_element(DomainObj *vm, xmlNodePtr node, const char *file, gpointer opaque)
{
    if (!g_str_equal((const char *)node->name, "testPrivate"))
        return 0;
    if (vm->private_data || !(vm->private_data = qvirt_xml_prop(node, "note"))) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, "bad <testPrivate> in status file '%s'", file);
        return -1;
    }
    return 1;
}

static const DomainStatusHooks test_hooks = {
    .init = test_status_init,
    .format = test_status_format,
    .parse_element = test_status_parse_element,
};

/* ---- cases ---- */

static void
test_assert_same_text(const char *what, const char *expected, const char *actual)
{
    if (g_strcmp0(expected, actual) != 0) {
        g_test_message("%s: expected:\n%s\nactual:\n%s", what, expected, actual);
        g_test_fail();
    }
}

static void
test_round_trip_text(const char *file, const char *xml)
{
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainObj) vm2 = NULL;
    g_autoptr(DomainStatusExtra) extra = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    vm = domain_status_parse_string(xml, file, &test_hooks, &extra);
    if (!vm) {
        g_test_message("%s: %s", file, qvirt_error_last_message());
        g_test_fail();
        return;
    }
    domain_obj_lock(vm);
    out = domain_status_format(vm, extra, &test_hooks);
    domain_obj_unlock(vm);
    g_assert_nonnull(out);
    test_assert_same_text(file, xml, out);

    /* The output parses again to the same thing. */
    vm2 = domain_status_parse_string(out, file, &test_hooks, NULL);
    g_assert_nonnull(vm2);
    g_assert_cmpint(vm2->state, ==, vm->state);
    g_assert_cmpint(vm2->state_reason, ==, vm->state_reason);
    g_assert_cmpint(vm2->pid, ==, vm->pid);
    g_assert_cmpuint(vm2->pid_start_time, ==, vm->pid_start_time);
    g_assert_cmpint(domain_job_get_async(vm2->job), ==, domain_job_get_async(vm->job));
    g_assert_cmpint(domain_job_get_phase(vm2->job), ==, domain_job_get_phase(vm->job));
    domain_obj_lock(vm2);
    out2 = domain_status_format(vm2, extra, &test_hooks);
    domain_obj_unlock(vm2);
    test_assert_same_text(file, out, out2);
}

static void
test_round_trip(gconstpointer data)
{
    const char *name = data;
    g_autofree char *path = g_build_filename(data_dir, name, NULL);
    g_autofree char *xml = NULL;

    g_assert_cmpint(qvirt_file_read_limited(path, 1 << 20, &xml, NULL), ==, 0);
    test_round_trip_text(path, xml);
}

static void
test_bad(gconstpointer data)
{
    const char *name = data; /* "bad-NAME" */
    g_autofree char *xml_name = g_strdup_printf("%s.xml", name);
    g_autofree char *err_name = g_strdup_printf("%s.err", name);
    g_autofree char *path = g_build_filename(data_dir, xml_name, NULL);
    g_autofree char *err_path = g_build_filename(data_dir, err_name, NULL);
    g_autofree char *expected_raw = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *expected = NULL;
    g_autoptr(DomainObj) vm = NULL;
    const QvirtError *err;

    g_assert_cmpint(qvirt_file_read_limited(err_path, 1 << 16, &expected_raw, NULL), ==, 0);
    lines = g_strsplit(expected_raw, "\n", 3);
    g_assert_nonnull(lines[0]);
    g_assert_nonnull(lines[1]);
    {
        g_auto(GStrv) parts = g_strsplit(lines[1], "@FILE@", -1);

        expected = g_strjoinv(path, parts);
    }

    qvirt_error_reset();
    vm = domain_status_parse_file(path, &test_hooks, NULL);
    g_assert_null(vm);
    err = qvirt_error_get_last();
    g_assert_nonnull(err);
    g_assert_cmpstr(qvirt_error_code_name(err->code), ==, lines[0]);
    g_assert_cmpstr(err->message, ==, expected);
    /* Whatever went wrong, the message says which file. */
    g_assert_nonnull(strstr(err->message, path));
}

static char *
test_replace(const char *text, const char *token, const char *value)
{
    g_auto(GStrv) parts = g_strsplit(text, token, -1);

    return g_strjoinv(value, parts);
}

/* Every async job type with every phase registered for it. */
static void
test_every_job_and_phase(void)
{
    g_autofree char *path = g_build_filename(data_dir, "job-template.xml.in", NULL);
    g_autofree char *tmpl = NULL;
    guint cases = 0;

    g_assert_cmpint(qvirt_file_read_limited(path, 1 << 20, &tmpl, NULL), ==, 0);
    for (int type = DOMAIN_ASYNC_JOB_NONE + 1; type < DOMAIN_ASYNC_JOB_LAST; type++) {
        for (int phase = 0;; phase++) {
            const char *phase_name = domain_job_phase_to_string(type, phase);
            g_autofree char *phase_attr = NULL;
            g_autofree char *step = NULL;
            g_autofree char *xml = NULL;
            g_autofree char *what = NULL;

            if (!phase_name)
                break;
            phase_attr = phase ? g_strdup_printf(" phase='%s'", phase_name) : g_strdup("");
            step = test_replace(tmpl, "@ASYNC@", domain_async_job_to_string(type));
            xml = test_replace(step, "@PHASE@", phase_attr);
            what =
                g_strdup_printf("%s [%s/%s]", path, domain_async_job_to_string(type), phase_name);
            test_round_trip_text(what, xml);
            cases++;
        }
    }
    /* 13 phases + none for each migration direction, none for the others. */
    g_assert_cmpuint(cases, ==, 2 * G_N_ELEMENTS(test_migration_phases) + 4);
}

static void
test_assert_same_record(const DomainBlockJobRecord *a, const DomainBlockJobRecord *b)
{
    g_assert_cmpstr(a->disk, ==, b->disk);
    g_assert_cmpstr(a->job_id, ==, b->job_id);
    g_assert_cmpint(a->type, ==, b->type);
    g_assert_cmpint(a->state, ==, b->state);
    g_assert_cmpuint(a->flags, ==, b->flags);
    g_assert_cmpuint(a->bandwidth, ==, b->bandwidth);
    g_assert_cmpstr(a->mirror_path, ==, b->mirror_path);
    g_assert_cmpstr(a->mirror_format, ==, b->mirror_format);
    g_assert_cmpstr(a->base, ==, b->base);
    g_assert_cmpstr(a->top, ==, b->top);
    g_assert_cmpstr(a->error, ==, b->error);
}

/* Every block job type in every state survives a round trip, field by field. */
static void
test_blockjob_every_type_and_state(void)
{
    g_autofree char *path = g_build_filename(data_dir, "running-basic.xml", NULL);
    g_autoptr(DomainObj) vm = domain_status_parse_file(path, &test_hooks, NULL);
    g_autoptr(DomainStatusExtra) extra = domain_status_extra_new();
    g_autoptr(DomainStatusExtra) extra2 = NULL;
    g_autoptr(DomainObj) back = NULL;
    g_autoptr(GPtrArray) copy = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    int n = 0;

    g_assert_nonnull(vm);
    extra->monitor_path = g_strdup("/run/m.sock");
    extra->block_jobs = domain_blockjob_record_list_new();
    for (int type = 0; type < DOMAIN_BLOCKJOB_TYPE_LAST; type++) {
        for (int state = 0; state < DOMAIN_BLOCKJOB_STATE_LAST; state++) {
            DomainBlockJobRecord *rec = domain_blockjob_record_new();

            rec->disk = g_strdup_printf("vd%c%c", 'a' + type, 'a' + state);
            rec->job_id = g_strdup_printf("job-%d", n++);
            rec->type = type;
            rec->state = state;
            rec->flags = (unsigned int)n;
            rec->bandwidth = state % 2 ? 1048576ULL * n : 0;
            if (type == DOMAIN_BLOCKJOB_TYPE_COPY) {
                rec->mirror_path = g_strdup_printf("/images/%s-copy.qcow2", rec->disk);
                rec->mirror_format = state % 2 ? g_strdup("qcow2") : NULL;
            } else if (state % 3) {
                rec->base = g_strdup("/images/base.img");
            }
            if ((type == DOMAIN_BLOCKJOB_TYPE_COMMIT ||
                 type == DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT) &&
                state % 2)
                rec->top = g_strdup("/images/top.img");
            if (state == DOMAIN_BLOCKJOB_STATE_FAILED)
                rec->error = g_strdup("I/O error <&> 'x'");
            g_ptr_array_add(extra->block_jobs, rec);
        }
    }

    domain_obj_lock(vm);
    xml = domain_status_format(vm, extra, &test_hooks);
    domain_obj_unlock(vm);
    back = domain_status_parse_string(xml, "generated", &test_hooks, &extra2);
    if (!back)
        g_error("%s\n%s", qvirt_error_last_message(), xml);
    g_assert_nonnull(extra2->block_jobs);
    g_assert_cmpuint(extra2->block_jobs->len, ==, extra->block_jobs->len);
    for (guint i = 0; i < extra->block_jobs->len; i++)
        test_assert_same_record(g_ptr_array_index(extra->block_jobs, i),
                                g_ptr_array_index(extra2->block_jobs, i));
    domain_obj_lock(back);
    xml2 = domain_status_format(back, extra2, &test_hooks);
    domain_obj_unlock(back);
    g_assert_cmpstr(xml, ==, xml2);

    /* The list helpers. */
    copy = domain_blockjob_record_list_copy(extra->block_jobs);
    for (guint i = 0; i < copy->len; i++)
        test_assert_same_record(g_ptr_array_index(extra->block_jobs, i),
                                g_ptr_array_index(copy, i));
    g_assert_true(domain_blockjob_record_list_find(copy, "vdcb") == g_ptr_array_index(copy, 19));
    g_assert_null(domain_blockjob_record_list_find(copy, "sda"));
    g_assert_null(domain_blockjob_record_list_find(NULL, "vda"));
    g_assert_cmpint(domain_blockjob_type_from_string("active-commit"), ==,
                    DOMAIN_BLOCKJOB_TYPE_ACTIVE_COMMIT);
    g_assert_cmpint(domain_blockjob_state_from_string("cancelled"), ==,
                    DOMAIN_BLOCKJOB_STATE_CANCELLED);
    g_assert_cmpint(domain_blockjob_state_from_string("canceled"), ==, -1);
    g_assert_null(domain_blockjob_state_to_string(DOMAIN_BLOCKJOB_STATE_LAST));
}

/* Save writes the same text atomically, with mode 0600, and it loads back. */
static void
test_save_and_load(void)
{
    g_autofree char *dir = qvirt_test_mkdtemp();
    g_autofree char *state_dir = g_build_filename(dir, "state", "qemu", NULL);
    g_autofree char *src = g_build_filename(data_dir, "migration-out-perform3.xml", NULL);
    g_autofree char *xml = NULL;
    g_autofree char *written = NULL;
    g_autofree char *path = NULL;
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainObj) back = NULL;
    g_autoptr(DomainStatusExtra) extra = NULL;
    struct stat sb;

    g_assert_cmpint(qvirt_file_read_limited(src, 1 << 20, &xml, NULL), ==, 0);
    vm = domain_status_parse_string(xml, src, &test_hooks, &extra);
    g_assert_nonnull(vm);
    domain_obj_lock(vm);
    g_assert_cmpint(domain_status_save(vm, state_dir, extra, &test_hooks), ==, 0);
    domain_obj_unlock(vm);

    path = domain_status_path(state_dir, domain_obj_get_name(vm));
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0600);
    g_assert_cmpint(qvirt_file_read_limited(path, 1 << 20, &written, NULL), ==, 0);
    g_assert_cmpstr(written, ==, xml);
    back = domain_status_parse_file(path, &test_hooks, NULL);
    g_assert_nonnull(back);
    g_assert_cmpstr(domain_obj_get_name(back), ==, domain_obj_get_name(vm));

    g_assert_cmpint(domain_status_remove(state_dir, domain_obj_get_name(vm)), ==, 0);
    g_assert_false(qvirt_file_exists(path));
    g_assert_cmpint(domain_status_remove(state_dir, domain_obj_get_name(vm)), ==, 0);

    /* A name that is not a file name is refused before any write. */
    g_assert_cmpint(domain_status_write(state_dir, "../escape", xml), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "must not contain '/'");
    qvirt_test_rmtree(dir);
}

/* Without hooks, the driver's elements are unknown, and so an error. */
static void
test_no_hooks(void)
{
    g_autofree char *path = g_build_filename(data_dir, "migration-out-perform3.xml", NULL);
    g_autoptr(DomainObj) vm = NULL;

    vm = domain_status_parse_file(path, NULL, NULL);
    g_assert_null(vm);
    qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, path);
}

static void
test_register_fixture(const char *dir, const char *name, gpointer opaque G_GNUC_UNUSED)
{
    g_autofree char *stem = NULL;
    g_autofree char *test_path = NULL;

    if (g_str_equal(name, "job-template.xml.in"))
        return;
    if (g_str_has_prefix(name, "bad-")) {
        qvirt_test_fixture_add_pair(dir, name, "/statusxml2xml/bad/", "bad-",
                                    "/statusxml2xml/unused/", test_bad);
        return;
    }
    if (g_str_has_suffix(name, ".xml")) {
        stem = g_strndup(name, strlen(name) - 4);
        test_path = g_strdup_printf("/statusxml2xml/round-trip/%s", stem);
        g_test_add_data_func_full(test_path, g_strdup(name), test_round_trip, g_free);
        return;
    }
    test_path = g_strdup_printf("/statusxml2xml/unused/%s", name);
    qvirt_test_fixture_add_unused(test_path, name);
}

int
main(int argc, char **argv)
{
    int ret;

    qvirt_test_init(&argc, &argv);
    data_dir = qvirt_test_srcpath("statusxml2xml/data");

    /* The job code leaves phase names to the driver. */
    if (domain_job_register_phases(DOMAIN_ASYNC_JOB_MIGRATION_OUT, test_migration_phases,
                                   G_N_ELEMENTS(test_migration_phases), NULL) < 0 ||
        domain_job_register_phases(DOMAIN_ASYNC_JOB_MIGRATION_IN, test_migration_phases,
                                   G_N_ELEMENTS(test_migration_phases), NULL) < 0)
        g_error("cannot register migration phases: %s", qvirt_error_last_message());

    qvirt_test_fixture_foreach(data_dir, test_register_fixture, NULL);
    g_test_add_func("/statusxml2xml/every-job-and-phase", test_every_job_and_phase);
    g_test_add_func("/statusxml2xml/blockjob-every-type-and-state",
                    test_blockjob_every_type_and_state);
    g_test_add_func("/statusxml2xml/save-and-load", test_save_and_load);
    g_test_add_func("/statusxml2xml/no-hooks", test_no_hooks);
    ret = g_test_run();
    g_free(data_dir);
    return ret;
}

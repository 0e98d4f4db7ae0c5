/* test-typedparams.c: typed parameter lists (add, get, validate, copy,
 * free) and the conversion of job statistics to job info and job stats. */
#include <config.h>

#include <string.h>

#include "driver/jobstats.h"
#include "driver/typedparams.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"

static void
test_typedparams_numbers(void)
{
    /* They travel on the wire: libvirt's numbers, never to move. */
    g_assert_cmpint(QV_TYPED_PARAM_INT, ==, 1);
    g_assert_cmpint(QV_TYPED_PARAM_UINT, ==, 2);
    g_assert_cmpint(QV_TYPED_PARAM_LLONG, ==, 3);
    g_assert_cmpint(QV_TYPED_PARAM_ULLONG, ==, 4);
    g_assert_cmpint(QV_TYPED_PARAM_DOUBLE, ==, 5);
    g_assert_cmpint(QV_TYPED_PARAM_BOOLEAN, ==, 6);
    g_assert_cmpint(QV_TYPED_PARAM_STRING, ==, 7);
    g_assert_cmpint(QV_TYPED_PARAM_FIELD_LENGTH, ==, 80);
    g_assert_cmpstr(qv_typed_param_type_to_string(QV_TYPED_PARAM_ULLONG), ==, "ullong");
    g_assert_null(qv_typed_param_type_to_string(0));
    g_assert_null(qv_typed_param_type_to_string(8));
}

static void
test_typedparams_add_get(void)
{
    QvTypedParam *params = NULL;
    int n = 0;
    int max = 0;
    int i;
    unsigned int ui;
    long long l;
    unsigned long long ul;
    double d;
    gboolean b;
    const char *s;

    g_assert_cmpint(qv_typed_params_add_int(&params, &n, &max, "i", -5), ==, 0);
    g_assert_cmpint(qv_typed_params_add_uint(&params, &n, &max, "ui", 4000000000U), ==, 0);
    g_assert_cmpint(qv_typed_params_add_llong(&params, &n, &max, "l", -(1LL << 40)), ==, 0);
    g_assert_cmpint(qv_typed_params_add_ullong(&params, &n, &max, "ul", G_MAXUINT64), ==, 0);
    g_assert_cmpint(qv_typed_params_add_double(&params, &n, &max, "d", 2.5), ==, 0);
    g_assert_cmpint(qv_typed_params_add_boolean(&params, &n, &max, "b", 42), ==, 0);
    g_assert_cmpint(qv_typed_params_add_string(&params, &n, &max, "s", "text"), ==, 0);
    g_assert_cmpint(n, ==, 7);

    g_assert_cmpint(qv_typed_params_get_int(params, n, "i", &i), ==, 1);
    g_assert_cmpint(i, ==, -5);
    g_assert_cmpint(qv_typed_params_get_uint(params, n, "ui", &ui), ==, 1);
    g_assert_cmpuint(ui, ==, 4000000000U);
    g_assert_cmpint(qv_typed_params_get_llong(params, n, "l", &l), ==, 1);
    g_assert_cmpint(l, ==, -(1LL << 40));
    g_assert_cmpint(qv_typed_params_get_ullong(params, n, "ul", &ul), ==, 1);
    g_assert_cmpuint(ul, ==, G_MAXUINT64);
    g_assert_cmpint(qv_typed_params_get_double(params, n, "d", &d), ==, 1);
    g_assert_cmpfloat(d, ==, 2.5);
    g_assert_cmpint(qv_typed_params_get_boolean(params, n, "b", &b), ==, 1);
    g_assert_true(b);
    g_assert_cmpint(params[5].value.b, ==, 1); /* stored as 0 or 1 */
    g_assert_cmpint(qv_typed_params_get_string(params, n, "s", &s), ==, 1);
    g_assert_cmpstr(s, ==, "text");

    /* Absent: 0, nothing written, nothing reported. */
    qvirt_error_reset();
    i = 99;
    g_assert_cmpint(qv_typed_params_get_int(params, n, "nope", &i), ==, 0);
    g_assert_cmpint(i, ==, 99);
    g_assert_null(qvirt_error_get_last());
    /* Wrong type: -1, INVALID_ARG naming both types. */
    g_assert_cmpint(qv_typed_params_get_int(params, n, "s", &i), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'s' has type 'string', expected 'int'");
    g_assert_cmpint(i, ==, 99);

    qv_typed_params_free(params, n);
}

static void
test_typedparams_bad_add(void)
{
    QvTypedParam *params = NULL;
    int n = 0;
    int max = 0;
    char longname[QV_TYPED_PARAM_FIELD_LENGTH + 1];

    memset(longname, 'x', QV_TYPED_PARAM_FIELD_LENGTH);
    longname[QV_TYPED_PARAM_FIELD_LENGTH] = '\0';
    g_assert_cmpint(qv_typed_params_add_int(&params, &n, &max, longname, 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "is longer than 79 bytes");
    g_assert_cmpint(n, ==, 0);
    /* 79 bytes fit. */
    longname[QV_TYPED_PARAM_FIELD_LENGTH - 1] = '\0';
    g_assert_cmpint(qv_typed_params_add_int(&params, &n, &max, longname, 1), ==, 0);
    g_assert_cmpint(qv_typed_params_add_string(&params, &n, &max, "s", NULL), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'s' has no value");
    g_assert_cmpint(qv_typed_params_add_int(&params, &n, &max, "", 1), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "needs a field name");
    g_assert_cmpint(n, ==, 1);
    qv_typed_params_free(params, n);
}

static void
test_typedparams_grow_copy(void)
{
    QvTypedParam *params = NULL;
    QvTypedParam *copy;
    int n = 0;
    int max = 0;
    const char *s;

    for (int i = 0; i < 50; i++) {
        g_autofree char *field = g_strdup_printf("f%d", i);
        g_autofree char *value = g_strdup_printf("v%d", i);

        g_assert_cmpint(qv_typed_params_add_string(&params, &n, &max, field, value), ==, 0);
    }
    g_assert_cmpint(n, ==, 50);
    g_assert_cmpint(max, >=, 50);

    copy = qv_typed_params_copy(params, n);
    g_free(params[49].value.s);
    params[49].value.s = g_strdup("changed");
    g_assert_cmpint(qv_typed_params_get_string(copy, n, "f49", &s), ==, 1);
    g_assert_cmpstr(s, ==, "v49");
    g_assert_true(copy[10].value.s != params[10].value.s);
    g_assert_null(qv_typed_params_copy(params, 0));

    qv_typed_params_clear(copy, n);
    g_assert_cmpint(copy[3].type, ==, 0);
    g_free(copy);
    qv_typed_params_free(params, n);
    qv_typed_params_free(NULL, 0);
}

static const QvTypedParamSpec test_spec[] = {
    {"bandwidth", QV_TYPED_PARAM_ULLONG, FALSE},
    {"migrate_disks", QV_TYPED_PARAM_STRING, TRUE},
    {"persistent_xml", QV_TYPED_PARAM_STRING, FALSE},
    {NULL, 0, FALSE},
};

static void
test_typedparams_validate(void)
{
    QvTypedParam *params = NULL;
    int n = 0;
    int max = 0;

    qv_typed_params_add_ullong(&params, &n, &max, "bandwidth", 100);
    qv_typed_params_add_string(&params, &n, &max, "migrate_disks", "vda");
    qv_typed_params_add_string(&params, &n, &max, "migrate_disks", "vdb");
    g_assert_cmpint(qv_typed_params_validate(params, n, test_spec), ==, 0);
    g_assert_cmpint(qv_typed_params_validate(NULL, 0, test_spec), ==, 0);

    /* A repeated single-valued field. */
    qv_typed_params_add_ullong(&params, &n, &max, "bandwidth", 200);
    g_assert_cmpint(qv_typed_params_validate(params, n, test_spec), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "parameter 'bandwidth' occurs more than once");
    n--;

    /* A wrong type. */
    qv_typed_params_add_int(&params, &n, &max, "persistent_xml", 1);
    g_assert_cmpint(qv_typed_params_validate(params, n, test_spec), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG,
                            "invalid type 'int' for parameter 'persistent_xml', expected 'string'");
    n--;

    /* An unknown field. */
    qv_typed_params_add_int(&params, &n, &max, "bogus", 1);
    g_assert_cmpint(qv_typed_params_validate(params, n, test_spec), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED, "parameter 'bogus' not supported");
    n--;

    /* A type number off the table (e.g. from a bad wire message). */
    qv_typed_params_add_ullong(&params, &n, &max, "bandwidth", 1);
    params[0].type = 9;
    g_assert_cmpint(qv_typed_params_validate(params, 1, test_spec), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "has invalid type 9");
    params[0].type = QV_TYPED_PARAM_ULLONG;

    qv_typed_params_free(params, n);
}

static void
test_jobstats_convert(void)
{
    DomainJobStats stats;
    QvDomainJobInfo info;
    QvTypedParam *params = NULL;
    int nparams = -1;
    int type = -1;
    unsigned long long ul;
    int op;
    gboolean success;
    const char *errmsg;

    memset(&stats, 0, sizeof(stats));
    qv_job_stats_to_info(&stats, &info);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_JOB_NONE);
    qv_job_stats_to_params(&stats, &type, &params, &nparams);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_NONE);
    g_assert_null(params);
    g_assert_cmpint(nparams, ==, 0);

    stats.status = DOMAIN_JOB_STATUS_MIGRATING;
    stats.operation = DOMAIN_JOB_OPERATION_MIGRATION_OUT;
    stats.time_elapsed_ms = 1500;
    stats.data_total = 1000;
    stats.data_processed = 400;
    stats.data_remaining = 600;
    stats.mem_total = 800;
    stats.mem_processed = 300;
    stats.mem_remaining = 500;
    stats.mem_iteration = 2;
    stats.disk_total = 200;
    stats.disk_processed = 100;
    stats.disk_remaining = 100;
    qv_job_stats_to_info(&stats, &info);
    g_assert_cmpint(info.type, ==, QV_DOMAIN_JOB_UNBOUNDED);
    g_assert_cmpuint(info.time_elapsed_ms, ==, 1500);
    g_assert_cmpuint(info.data_processed, ==, 400);
    g_assert_cmpuint(info.mem_remaining, ==, 500);
    g_assert_cmpuint(info.file_total, ==, 200);
    g_assert_cmpuint(info.file_processed, ==, 100);

    qv_job_stats_to_params(&stats, &type, &params, &nparams);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_UNBOUNDED);
    g_assert_cmpint(qv_typed_params_get_int(params, nparams, "operation", &op), ==, 1);
    g_assert_cmpint(op, ==, 5);
    g_assert_cmpint(qv_typed_params_get_ullong(params, nparams, "time_elapsed", &ul), ==, 1);
    g_assert_cmpuint(ul, ==, 1500);
    g_assert_cmpint(qv_typed_params_get_ullong(params, nparams, "data_processed", &ul), ==, 1);
    g_assert_cmpuint(ul, ==, 400);
    g_assert_cmpint(qv_typed_params_get_ullong(params, nparams, "memory_iteration", &ul), ==, 1);
    g_assert_cmpuint(ul, ==, 2);
    g_assert_cmpint(qv_typed_params_get_ullong(params, nparams, "disk_remaining", &ul), ==, 1);
    g_assert_cmpuint(ul, ==, 100);
    /* Optional zeros and the end-of-job fields are left out. */
    g_assert_null(qv_typed_params_get(params, nparams, "memory_bps"));
    g_assert_null(qv_typed_params_get(params, nparams, "downtime"));
    g_assert_null(qv_typed_params_get(params, nparams, "success"));
    qv_typed_params_free(params, nparams);

    stats.status = DOMAIN_JOB_STATUS_FAILED;
    g_strlcpy(stats.error_message, "disk full", sizeof(stats.error_message));
    stats.downtime_set = TRUE;
    stats.downtime_ms = 30;
    qv_job_stats_to_params(&stats, &type, &params, &nparams);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_FAILED);
    g_assert_cmpint(qv_typed_params_get_boolean(params, nparams, "success", &success), ==, 1);
    g_assert_false(success);
    g_assert_cmpint(qv_typed_params_get_string(params, nparams, "errmsg", &errmsg), ==, 1);
    g_assert_cmpstr(errmsg, ==, "disk full");
    g_assert_cmpint(qv_typed_params_get_ullong(params, nparams, "downtime", &ul), ==, 1);
    g_assert_cmpuint(ul, ==, 30);
    qv_typed_params_free(params, nparams);

    stats.status = DOMAIN_JOB_STATUS_COMPLETED;
    stats.error_message[0] = '\0';
    qv_job_stats_to_params(&stats, &type, &params, &nparams);
    g_assert_cmpint(type, ==, QV_DOMAIN_JOB_COMPLETED);
    g_assert_cmpint(qv_typed_params_get_boolean(params, nparams, "success", &success), ==, 1);
    g_assert_true(success);
    g_assert_null(qv_typed_params_get(params, nparams, "errmsg"));
    qv_typed_params_free(params, nparams);

    stats.status = DOMAIN_JOB_STATUS_CANCELED;
    g_assert_cmpint(qv_job_stats_type(&stats), ==, QV_DOMAIN_JOB_CANCELLED);
    stats.status = DOMAIN_JOB_STATUS_POSTCOPY;
    g_assert_cmpint(qv_job_stats_type(&stats), ==, QV_DOMAIN_JOB_UNBOUNDED);
}

void
test_typedparams_register(void)
{
    g_test_add_func("/driver/typedparams/numbers", test_typedparams_numbers);
    g_test_add_func("/driver/typedparams/add-get", test_typedparams_add_get);
    g_test_add_func("/driver/typedparams/bad-add", test_typedparams_bad_add);
    g_test_add_func("/driver/typedparams/grow-copy", test_typedparams_grow_copy);
    g_test_add_func("/driver/typedparams/validate", test_typedparams_validate);
    g_test_add_func("/driver/jobstats/convert", test_jobstats_convert);
}

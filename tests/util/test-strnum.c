/* test-strnum.c: strict string to number conversion and memory units. */
#include <config.h>

#include <float.h>
#include <limits.h>

#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/strnum.h"

/* Strings that no conversion accepts, whatever the type. */
static const char *const strnum_junk[] = {
    "", " ", "12abc", " 12", "12 ", "\t12", "12\n", "abc", "-", "+", "1 2", "12.", "0x",
    "1e3", "--1", "+-1", "1,000",
};

static void
test_strnum_int(void)
{
    int v = 0;

    g_assert_cmpint(qvirt_strtoi("0", 10, &v), ==, 0);
    g_assert_cmpint(v, ==, 0);
    g_assert_cmpint(qvirt_strtoi("-42", 10, &v), ==, 0);
    g_assert_cmpint(v, ==, -42);
    g_assert_cmpint(qvirt_strtoi("+7", 10, &v), ==, 0);
    g_assert_cmpint(v, ==, 7);
    g_assert_cmpint(qvirt_strtoi("2147483647", 10, &v), ==, 0);
    g_assert_cmpint(v, ==, INT_MAX);
    g_assert_cmpint(qvirt_strtoi("-2147483648", 10, &v), ==, 0);
    g_assert_cmpint(v, ==, INT_MIN);
    g_assert_cmpint(qvirt_strtoi("0x1f", 16, &v), ==, 0);
    g_assert_cmpint(v, ==, 31);
    g_assert_cmpint(qvirt_strtoi("0x10", 0, &v), ==, 0);
    g_assert_cmpint(v, ==, 16);
    g_assert_cmpint(qvirt_strtoi("010", 0, &v), ==, 0);
    g_assert_cmpint(v, ==, 8);
    g_assert_cmpint(qvirt_strtoi("010", 10, &v), ==, 0);
    g_assert_cmpint(v, ==, 10);

    v = 99;
    g_assert_cmpint(qvirt_strtoi("2147483648", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoi("-2147483649", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoi("99999999999999999999", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoi("0x10", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoi("12", 1, &v), ==, -1);   /* bad base */
    g_assert_cmpint(qvirt_strtoi("12", 37, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoi(NULL, 10, &v), ==, -1);
    for (size_t i = 0; i < G_N_ELEMENTS(strnum_junk); i++) {
        g_test_message("junk '%s'", strnum_junk[i]);
        g_assert_cmpint(qvirt_strtoi(strnum_junk[i], 10, &v), ==, -1);
    }
    /* Output untouched on failure. */
    g_assert_cmpint(v, ==, 99);
}

static void
test_strnum_uint(void)
{
    unsigned int v = 0;

    g_assert_cmpint(qvirt_strtoui("4294967295", 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT_MAX);
    g_assert_cmpint(qvirt_strtoui("0", 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(qvirt_strtoui("ff", 16, &v), ==, 0);
    g_assert_cmpuint(v, ==, 255);

    v = 99;
    g_assert_cmpint(qvirt_strtoui("4294967296", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoui("-1", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoui("-0", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoui("18446744073709551615", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoui("99999999999999999999", 10, &v), ==, -1);
    for (size_t i = 0; i < G_N_ELEMENTS(strnum_junk); i++)
        g_assert_cmpint(qvirt_strtoui(strnum_junk[i], 10, &v), ==, -1);
    g_assert_cmpuint(v, ==, 99);
}

static void
test_strnum_llong(void)
{
    long long v = 0;
    unsigned long long u = 0;

    g_assert_cmpint(qvirt_strtoll("9223372036854775807", 10, &v), ==, 0);
    g_assert_cmpint(v, ==, LLONG_MAX);
    g_assert_cmpint(qvirt_strtoll("-9223372036854775808", 10, &v), ==, 0);
    g_assert_cmpint(v, ==, LLONG_MIN);
    g_assert_cmpint(qvirt_strtoll("9223372036854775808", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoll("-9223372036854775809", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtoll("99999999999999999999", 10, &v), ==, -1);

    g_assert_cmpint(qvirt_strtoull("18446744073709551615", 10, &u), ==, 0);
    g_assert_cmpuint(u, ==, ULLONG_MAX);
    g_assert_cmpint(qvirt_strtoull("0xffffffffffffffff", 0, &u), ==, 0);
    g_assert_cmpuint(u, ==, ULLONG_MAX);
    u = 99;
    g_assert_cmpint(qvirt_strtoull("18446744073709551616", 10, &u), ==, -1);
    g_assert_cmpint(qvirt_strtoull("99999999999999999999", 10, &u), ==, -1);
    /* C's strtoull would give ULLONG_MAX for "-1". */
    g_assert_cmpint(qvirt_strtoull("-1", 10, &u), ==, -1);
    g_assert_cmpint(qvirt_strtoull("-18446744073709551615", 10, &u), ==, -1);
    for (size_t i = 0; i < G_N_ELEMENTS(strnum_junk); i++) {
        g_assert_cmpint(qvirt_strtoll(strnum_junk[i], 10, &v), ==, -1);
        g_assert_cmpint(qvirt_strtoull(strnum_junk[i], 10, &u), ==, -1);
    }
    g_assert_cmpuint(u, ==, 99);
}

static void
test_strnum_double(void)
{
    static const char *const bad[] = {
        "", " 1.5", "1.5 ", "1.5x", "1,5", "abc", "nan", "inf", "-inf", "1e999", "-1e999",
        "1e-400", ".", "e5",
    };
    double d = 0;

    g_assert_cmpint(qvirt_strtod("1.5", &d), ==, 0);
    g_assert_cmpfloat(d, ==, 1.5);
    g_assert_cmpint(qvirt_strtod("-2.25e2", &d), ==, 0);
    g_assert_cmpfloat(d, ==, -225.0);
    g_assert_cmpint(qvirt_strtod("0", &d), ==, 0);
    g_assert_cmpfloat(d, ==, 0.0);
    g_assert_cmpint(qvirt_strtod("1.7976931348623157e308", &d), ==, 0);
    g_assert_cmpfloat(d, ==, DBL_MAX);

    d = 99;
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("bad '%s'", bad[i]);
        g_assert_cmpint(qvirt_strtod(bad[i], &d), ==, -1);
    }
    g_assert_cmpfloat(d, ==, 99);
}

static void
test_strnum_no_error_reported(void)
{
    int v;

    /* The pure conversions leave reporting to the caller. */
    qvirt_error_reset();
    g_assert_cmpint(qvirt_strtoi("12abc", 10, &v), ==, -1);
    g_assert_cmpint(qvirt_strtod("x", (double[]){ 0 }), ==, -1);
    g_assert_null(qvirt_error_get_last());
}

static void
test_strnum_scale_units(void)
{
    static const struct {
        const char *unit;
        unsigned long long factor;
    } units[] = {
        { "b", 1ULL },
        { "B", 1ULL },
        { "bytes", 1ULL },
        { "byte", 1ULL },
        { "KB", 1000ULL },
        { "kb", 1000ULL },
        { "k", 1024ULL },
        { "K", 1024ULL },
        { "KiB", 1024ULL },
        { "kib", 1024ULL },
        { "MB", 1000ULL * 1000 },
        { "M", 1024ULL * 1024 },
        { "MiB", 1024ULL * 1024 },
        { "GB", 1000ULL * 1000 * 1000 },
        { "G", 1024ULL * 1024 * 1024 },
        { "GiB", 1024ULL * 1024 * 1024 },
        { "TB", 1000ULL * 1000 * 1000 * 1000 },
        { "T", 1024ULL * 1024 * 1024 * 1024 },
        { "TiB", 1024ULL * 1024 * 1024 * 1024 },
        { "PB", 1000ULL * 1000 * 1000 * 1000 * 1000 },
        { "P", 1024ULL * 1024 * 1024 * 1024 * 1024 },
        { "PiB", 1024ULL * 1024 * 1024 * 1024 * 1024 },
        { "EB", 1000ULL * 1000 * 1000 * 1000 * 1000 * 1000 },
        { "E", 1024ULL * 1024 * 1024 * 1024 * 1024 * 1024 },
        { "EiB", 1024ULL * 1024 * 1024 * 1024 * 1024 * 1024 },
        { "eib", 1024ULL * 1024 * 1024 * 1024 * 1024 * 1024 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        unsigned long long value = 3;

        g_test_message("unit '%s'", units[i].unit);
        g_assert_cmpint(qvirt_scale_integer(&value, units[i].unit, 1024, ULLONG_MAX), ==, 0);
        g_assert_cmpuint(value, ==, 3 * units[i].factor);
    }
}

static void
test_strnum_scale_default(void)
{
    unsigned long long value = 512;

    g_assert_cmpint(qvirt_scale_integer(&value, NULL, 1024, ULLONG_MAX), ==, 0);
    g_assert_cmpuint(value, ==, 512 * 1024);
    value = 512;
    g_assert_cmpint(qvirt_scale_integer(&value, "", 1, ULLONG_MAX), ==, 0);
    g_assert_cmpuint(value, ==, 512);
    value = 0;
    g_assert_cmpint(qvirt_scale_integer(&value, "EiB", 1, 1), ==, 0);
    g_assert_cmpuint(value, ==, 0);
}

static void
test_strnum_scale_errors(void)
{
    static const char *const unknown[] = {
        "kilobytes", "KiBB", "xB", "iB", "Ki", "Kib2", " K", "K ", "bit", "Q",
    };
    unsigned long long value;

    for (size_t i = 0; i < G_N_ELEMENTS(unknown); i++) {
        g_autofree char *needle = g_strdup_printf("unknown unit '%s'", unknown[i]);

        value = 5;
        qvirt_error_reset();
        g_assert_cmpint(qvirt_scale_integer(&value, unknown[i], 1, ULLONG_MAX), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, needle);
        g_assert_cmpuint(value, ==, 5);
    }

    /* 16 EiB does not fit in 64 bits. */
    value = 16;
    g_assert_cmpint(qvirt_scale_integer(&value, "EiB", 1, ULLONG_MAX), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OVERFLOW, "value too large");
    qvirt_test_assert_error(QVIRT_ERR_OVERFLOW, "18446744073709551615");
    g_assert_cmpuint(value, ==, 16);
    value = 15;
    g_assert_cmpint(qvirt_scale_integer(&value, "EiB", 1, ULLONG_MAX), ==, 0);
    g_assert_cmpuint(value, ==, 15ULL << 60);

    /* Exactly at the limit passes; one unit above fails and names the limit. */
    value = 4;
    g_assert_cmpint(qvirt_scale_integer(&value, "KiB", 1, 4096), ==, 0);
    g_assert_cmpuint(value, ==, 4096);
    value = 5;
    g_assert_cmpint(qvirt_scale_integer(&value, "KiB", 1, 4096), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OVERFLOW, "limit of 4096");
    value = ULLONG_MAX;
    g_assert_cmpint(qvirt_scale_integer(&value, NULL, 1024, ULLONG_MAX), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OVERFLOW, "value too large");

    /* A default scale of 0 is a bug in the caller. */
    value = 1;
    g_assert_cmpint(qvirt_scale_integer(&value, NULL, 0, ULLONG_MAX), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "scale");
}

void
test_strnum_register(void)
{
    g_test_add_func("/util/strnum/int", test_strnum_int);
    g_test_add_func("/util/strnum/uint", test_strnum_uint);
    g_test_add_func("/util/strnum/llong", test_strnum_llong);
    g_test_add_func("/util/strnum/double", test_strnum_double);
    g_test_add_func("/util/strnum/no-error-reported", test_strnum_no_error_reported);
    g_test_add_func("/util/strnum/scale-units", test_strnum_scale_units);
    g_test_add_func("/util/strnum/scale-default", test_strnum_scale_default);
    g_test_add_func("/util/strnum/scale-errors", test_strnum_scale_errors);
}

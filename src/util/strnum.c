/* strnum.c: strict string to number conversion and memory units (see strnum.h). */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/strnum.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* The checks shared by every conversion, before calling the C library: the
 * C functions skip leading whitespace and accept an empty digit string. */
static gboolean
strnum_start_ok(const char *s, int base)
{
    if (!s || *s == '\0' || g_ascii_isspace(*s))
        return FALSE;
    if (base != 0 && (base < 2 || base > 36))
        return FALSE;
    return TRUE;
}

int
qvirt_strtoll(const char *s, int base, long long *ret)
{
    char *end = NULL;
    long long val;

    if (!strnum_start_ok(s, base))
        return -1;
    errno = 0;
    val = strtoll(s, &end, base);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *ret = val;
    return 0;
}

int
qvirt_strtoull(const char *s, int base, unsigned long long *ret)
{
    char *end = NULL;
    unsigned long long val;

    if (!strnum_start_ok(s, base) || *s == '-')
        return -1;
    errno = 0;
    val = strtoull(s, &end, base);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *ret = val;
    return 0;
}

int
qvirt_strtoi(const char *s, int base, int *ret)
{
    long long val;

    if (qvirt_strtoll(s, base, &val) < 0 || val < INT_MIN || val > INT_MAX)
        return -1;
    *ret = (int)val;
    return 0;
}

int
qvirt_strtoui(const char *s, int base, unsigned int *ret)
{
    unsigned long long val;

    if (qvirt_strtoull(s, base, &val) < 0 || val > UINT_MAX)
        return -1;
    *ret = (unsigned int)val;
    return 0;
}

int
qvirt_strtod(const char *s, double *ret)
{
    char *end = NULL;
    double val;

    if (!strnum_start_ok(s, 10))
        return -1;
    errno = 0;
    val = g_ascii_strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(val))
        return -1;
    *ret = val;
    return 0;
}

/* The factor of UNIT, or 0 when UNIT is not a known unit. */
static unsigned long long
strnum_unit_factor(const char *unit)
{
    static const char prefixes[] = "kmgtpe";
    const char *prefix;
    unsigned long long base;
    unsigned long long factor = 1;

    if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "byte") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0)
        return 1;

    prefix = strchr(prefixes, g_ascii_tolower(unit[0]));
    if (!prefix || unit[0] == '\0')
        return 0;
    if (unit[1] == '\0' || g_ascii_strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (g_ascii_strcasecmp(unit + 1, "B") == 0)
        base = 1000;
    else
        return 0;

    /* At most 1024^6 = 2^60: no overflow. */
    for (const char *p = prefixes; p <= prefix; p++)
        factor *= base;
    return factor;
}

int
qvirt_scale_integer(unsigned long long *value, const char *unit,
                    unsigned long long scale_default, unsigned long long limit)
{
    unsigned long long scale;

    if (!unit || *unit == '\0') {
        if (scale_default == 0) {
            qvirt_report_internal(_("invalid default scale 0 for value %llu"), *value);
            return -1;
        }
        scale = scale_default;
    } else {
        scale = strnum_unit_factor(unit);
        if (scale == 0) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("unknown unit '%s': expected one of b, bytes, KB, k, KiB, "
                                 "MB, M, MiB, GB, G, GiB, TB, T, TiB, PB, P, PiB, EB, E, EiB"),
                               unit);
            return -1;
        }
    }

    if (*value > limit / scale) {
        qvirt_report_error(QVIRT_ERR_OVERFLOW,
                           _("value too large: %llu%s%s exceeds the limit of %llu"),
                           *value, unit && *unit ? " " : "", unit ? unit : "", limit);
        return -1;
    }
    *value *= scale;
    return 0;
}

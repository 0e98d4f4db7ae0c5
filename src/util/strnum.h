/* strnum.h: strict conversion of strings to numbers, and libvirt's scaled
 * memory units.
 *
 * Contract of the qvirt_strto* functions: the whole of S must be the number
 * (an optional sign, then digits in BASE: 0 means C's prefixes 0x and 0).
 * Rejected are: an empty string, any whitespace (leading or trailing), any
 * other character after the number, values out of the type's range, and a
 * '-' sign for the unsigned variants (C's strtoull would wrap "-1" to the
 * largest value). On success *RET is written and 0 returned.
 *
 * EXCEPTION to the project's error rule: on failure they return -1 WITHOUT
 * reporting an error and leave *RET untouched, because only the caller knows
 * what the number was for ("invalid vcpu count '%s'"). The caller reports.
 *
 * qvirt_scale_integer follows the normal rule: it reports its errors. */
#pragma once

#include <glib.h>

int qvirt_strtoi(const char *s, int base, int *ret);
int qvirt_strtoui(const char *s, int base, unsigned int *ret);
int qvirt_strtoll(const char *s, int base, long long *ret);
int qvirt_strtoull(const char *s, int base, unsigned long long *ret);

/* A decimal or hex floating point number, in the C locale's syntax whatever
 * the current locale. Also rejected: overflow and underflow (ERANGE), and
 * infinities and NaN. */
int qvirt_strtod(const char *s, double *ret);

/* Multiply *VALUE by the factor of UNIT, libvirt's memory units, compared
 * without regard to case:
 *   "b", "byte", "bytes": 1
 *   "k", "KiB": 1024        "KB": 1000
 *   "M", "MiB": 1024^2      "MB": 1000^2
 *   and likewise G, T, P and E for the powers 3 to 6.
 * A NULL or empty UNIT means SCALE_DEFAULT (e.g. 1024 for a <memory> in KiB).
 * The result must not exceed LIMIT. Returns 0 with *VALUE updated, or -1 with
 * *VALUE untouched and an error reported: INVALID_ARG naming an unknown unit,
 * or OVERFLOW ("value too large") naming the limit. */
int qvirt_scale_integer(unsigned long long *value, const char *unit,
                        unsigned long long scale_default, unsigned long long limit);

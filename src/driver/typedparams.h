/* typedparams.h: typed parameters, libvirt's (field, type, value) triples used
 * by job statistics, migration parameters and events.
 *
 * Contract:
 * - Type numbers are libvirt's (INT 1 ... STRING 7) because they travel on the
 *   wire unchanged. A field name has at most QV_TYPED_PARAM_FIELD_LENGTH - 1
 *   bytes.
 * - A parameter list is an array plus a count (and, while it grows, an
 *   allocated size): the qv_typed_params_add_*() functions append to
 *   (*params, *nparams, *maxparams), copying strings; *params may start NULL
 *   with both counts 0. They report INVALID_ARG for a field name that is too
 *   long and then leave the list unchanged.
 * - Getters return 1 and write *ret_value when the field is present with the
 *   asked type, 0 when it is absent (nothing written, nothing reported), and
 *   -1 with INVALID_ARG when it is present with another type.
 * - qv_typed_params_free() frees the strings and the array; it accepts NULL. */
#pragma once

#include <glib.h>

#define QV_TYPED_PARAM_FIELD_LENGTH 80

/* libvirt's virTypedParameterType numbers. */
typedef enum {
    QV_TYPED_PARAM_INT = 1,
    QV_TYPED_PARAM_UINT = 2,
    QV_TYPED_PARAM_LLONG = 3,
    QV_TYPED_PARAM_ULLONG = 4,
    QV_TYPED_PARAM_DOUBLE = 5,
    QV_TYPED_PARAM_BOOLEAN = 6,
    QV_TYPED_PARAM_STRING = 7,
    QV_TYPED_PARAM_LAST
} QvTypedParamType;

typedef struct {
    char field[QV_TYPED_PARAM_FIELD_LENGTH];
    int type; /* QvTypedParamType */
    union {
        int i;
        unsigned int ui;
        long long l;
        unsigned long long ul;
        double d;
        int b;   /* 0 or 1 */
        char *s; /* owned by the list */
    } value;
} QvTypedParam;

/* "int", "uint", "llong", "ullong", "double", "boolean", "string"; NULL when
 * out of range. */
const char *qv_typed_param_type_to_string(int type);

int qv_typed_params_add_int(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                            int value);
int qv_typed_params_add_uint(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                             unsigned int value);
int qv_typed_params_add_llong(QvTypedParam **params, int *nparams, int *maxparams,
                              const char *field, long long value);
int qv_typed_params_add_ullong(QvTypedParam **params, int *nparams, int *maxparams,
                               const char *field, unsigned long long value);
int qv_typed_params_add_double(QvTypedParam **params, int *nparams, int *maxparams,
                               const char *field, double value);
/* VALUE is stored as 0 or 1. */
int qv_typed_params_add_boolean(QvTypedParam **params, int *nparams, int *maxparams,
                                const char *field, gboolean value);
/* VALUE is copied; NULL is an INVALID_ARG. */
int qv_typed_params_add_string(QvTypedParam **params, int *nparams, int *maxparams,
                               const char *field, const char *value);

/* The first parameter named FIELD, or NULL (nothing reported). */
const QvTypedParam *qv_typed_params_get(const QvTypedParam *params, int nparams, const char *field);

int qv_typed_params_get_int(const QvTypedParam *params, int nparams, const char *field,
                            int *ret_value);
int qv_typed_params_get_uint(const QvTypedParam *params, int nparams, const char *field,
                             unsigned int *ret_value);
int qv_typed_params_get_llong(const QvTypedParam *params, int nparams, const char *field,
                              long long *ret_value);
int qv_typed_params_get_ullong(const QvTypedParam *params, int nparams, const char *field,
                               unsigned long long *ret_value);
int qv_typed_params_get_double(const QvTypedParam *params, int nparams, const char *field,
                               double *ret_value);
int qv_typed_params_get_boolean(const QvTypedParam *params, int nparams, const char *field,
                                gboolean *ret_value);
/* *RET_VALUE is borrowed from the list. */
int qv_typed_params_get_string(const QvTypedParam *params, int nparams, const char *field,
                               const char **ret_value);

/* One allowed parameter of qv_typed_params_validate(). */
typedef struct {
    const char *field;
    int type;          /* QvTypedParamType */
    gboolean multiple; /* may appear more than once */
} QvTypedParamSpec;

/* Check PARAMS against SPEC (terminated by an entry whose field is NULL):
 * a field SPEC does not name is ARGUMENT_UNSUPPORTED, a wrong type, a
 * repeated field that is not "multiple", or a bad type number is
 * INVALID_ARG. Returns 0 or -1. */
int qv_typed_params_validate(const QvTypedParam *params, int nparams, const QvTypedParamSpec *spec);

/* A deep copy of NPARAMS parameters (NULL when NPARAMS is 0). */
QvTypedParam *qv_typed_params_copy(const QvTypedParam *params, int nparams);

/* Free the strings of NPARAMS parameters, then the array. */
void qv_typed_params_free(QvTypedParam *params, int nparams);
/* Free the strings only and zero the entries (the array stays). */
void qv_typed_params_clear(QvTypedParam *params, int nparams);

/* typedparams.c: typed parameter lists (see typedparams.h for the contract). */
#include <config.h>

#include <string.h>

#include "driver/typedparams.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

static const char *const typed_param_type_names[] = {
    [QV_TYPED_PARAM_INT] = "int",       [QV_TYPED_PARAM_UINT] = "uint",
    [QV_TYPED_PARAM_LLONG] = "llong",   [QV_TYPED_PARAM_ULLONG] = "ullong",
    [QV_TYPED_PARAM_DOUBLE] = "double", [QV_TYPED_PARAM_BOOLEAN] = "boolean",
    [QV_TYPED_PARAM_STRING] = "string",
};

const char *
qv_typed_param_type_to_string(int type)
{
    if (type < QV_TYPED_PARAM_INT || type >= QV_TYPED_PARAM_LAST)
        return NULL;
    return typed_param_type_names[type];
}

/* A new zeroed entry named FIELD of TYPE at the end of the list, or NULL
 * with INVALID_ARG when FIELD does not fit. */
static QvTypedParam *
typed_params_append(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                    int type)
{
    QvTypedParam *param;

    if (!field || !*field) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("a typed parameter needs a field name"));
        return NULL;
    }
    if (strlen(field) >= QV_TYPED_PARAM_FIELD_LENGTH) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("typed parameter field name '%s' is longer than %d bytes"), field,
                           QV_TYPED_PARAM_FIELD_LENGTH - 1);
        return NULL;
    }
    if (*nparams >= *maxparams) {
        int grown = MAX(*maxparams * 2, 8);

        *params = g_renew(QvTypedParam, *params, grown);
        memset(*params + *maxparams, 0, sizeof(QvTypedParam) * (grown - *maxparams));
        *maxparams = grown;
    }
    param = *params + *nparams;
    memset(param, 0, sizeof(*param));
    g_strlcpy(param->field, field, sizeof(param->field));
    param->type = type;
    (*nparams)++;
    return param;
}

int
qv_typed_params_add_int(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                        int value)
{
    QvTypedParam *p = typed_params_append(params, nparams, maxparams, field, QV_TYPED_PARAM_INT);

    if (!p)
        return -1;
    p->value.i = value;
    return 0;
}

int
qv_typed_params_add_uint(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                         unsigned int value)
{
    QvTypedParam *p = typed_params_append(params, nparams, maxparams, field, QV_TYPED_PARAM_UINT);

    if (!p)
        return -1;
    p->value.ui = value;
    return 0;
}

int
qv_typed_params_add_llong(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                          long long value)
{
    QvTypedParam *p = typed_params_append(params, nparams, maxparams, field, QV_TYPED_PARAM_LLONG);

    if (!p)
        return -1;
    p->value.l = value;
    return 0;
}

int
qv_typed_params_add_ullong(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                           unsigned long long value)
{
    QvTypedParam *p = typed_params_append(params, nparams, maxparams, field, QV_TYPED_PARAM_ULLONG);

    if (!p)
        return -1;
    p->value.ul = value;
    return 0;
}

int
qv_typed_params_add_double(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                           double value)
{
    QvTypedParam *p = typed_params_append(params, nparams, maxparams, field, QV_TYPED_PARAM_DOUBLE);

    if (!p)
        return -1;
    p->value.d = value;
    return 0;
}

int
qv_typed_params_add_boolean(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                            gboolean value)
{
    QvTypedParam *p =
        typed_params_append(params, nparams, maxparams, field, QV_TYPED_PARAM_BOOLEAN);

    if (!p)
        return -1;
    p->value.b = value ? 1 : 0;
    return 0;
}

int
qv_typed_params_add_string(QvTypedParam **params, int *nparams, int *maxparams, const char *field,
                           const char *value)
{
    QvTypedParam *p;

    if (!value) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("string typed parameter '%s' has no value"),
                           field ? field : "");
        return -1;
    }
    p = typed_params_append(params, nparams, maxparams, field, QV_TYPED_PARAM_STRING);
    if (!p)
        return -1;
    p->value.s = g_strdup(value);
    return 0;
}

const QvTypedParam *
qv_typed_params_get(const QvTypedParam *params, int nparams, const char *field)
{
    if (!params || !field)
        return NULL;
    for (int i = 0; i < nparams; i++) {
        if (strcmp(params[i].field, field) == 0)
            return &params[i];
    }
    return NULL;
}

/* 1 with *RET_PARAM when FIELD is present with TYPE, 0 when absent, -1 with
 * INVALID_ARG when its type differs. */
static int
typed_params_lookup(const QvTypedParam *params, int nparams, const char *field, int type,
                    const QvTypedParam **ret_param)
{
    const QvTypedParam *p = qv_typed_params_get(params, nparams, field);

    if (!p)
        return 0;
    if (p->type != type) {
        const char *have = qv_typed_param_type_to_string(p->type);

        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("typed parameter '%s' has type '%s', expected '%s'"), field,
                           have ? have : "unknown", qv_typed_param_type_to_string(type));
        return -1;
    }
    *ret_param = p;
    return 1;
}

int
qv_typed_params_get_int(const QvTypedParam *params, int nparams, const char *field, int *ret_value)
{
    const QvTypedParam *p = NULL;
    int rc = typed_params_lookup(params, nparams, field, QV_TYPED_PARAM_INT, &p);

    if (rc == 1)
        *ret_value = p->value.i;
    return rc;
}

int
qv_typed_params_get_uint(const QvTypedParam *params, int nparams, const char *field,
                         unsigned int *ret_value)
{
    const QvTypedParam *p = NULL;
    int rc = typed_params_lookup(params, nparams, field, QV_TYPED_PARAM_UINT, &p);

    if (rc == 1)
        *ret_value = p->value.ui;
    return rc;
}

int
qv_typed_params_get_llong(const QvTypedParam *params, int nparams, const char *field,
                          long long *ret_value)
{
    const QvTypedParam *p = NULL;
    int rc = typed_params_lookup(params, nparams, field, QV_TYPED_PARAM_LLONG, &p);

    if (rc == 1)
        *ret_value = p->value.l;
    return rc;
}

int
qv_typed_params_get_ullong(const QvTypedParam *params, int nparams, const char *field,
                           unsigned long long *ret_value)
{
    const QvTypedParam *p = NULL;
    int rc = typed_params_lookup(params, nparams, field, QV_TYPED_PARAM_ULLONG, &p);

    if (rc == 1)
        *ret_value = p->value.ul;
    return rc;
}

int
qv_typed_params_get_double(const QvTypedParam *params, int nparams, const char *field,
                           double *ret_value)
{
    const QvTypedParam *p = NULL;
    int rc = typed_params_lookup(params, nparams, field, QV_TYPED_PARAM_DOUBLE, &p);

    if (rc == 1)
        *ret_value = p->value.d;
    return rc;
}

int
qv_typed_params_get_boolean(const QvTypedParam *params, int nparams, const char *field,
                            gboolean *ret_value)
{
    const QvTypedParam *p = NULL;
    int rc = typed_params_lookup(params, nparams, field, QV_TYPED_PARAM_BOOLEAN, &p);

    if (rc == 1)
        *ret_value = p->value.b ? TRUE : FALSE;
    return rc;
}

int
qv_typed_params_get_string(const QvTypedParam *params, int nparams, const char *field,
                           const char **ret_value)
{
    const QvTypedParam *p = NULL;
    int rc = typed_params_lookup(params, nparams, field, QV_TYPED_PARAM_STRING, &p);

    if (rc == 1)
        *ret_value = p->value.s;
    return rc;
}

int
qv_typed_params_validate(const QvTypedParam *params, int nparams, const QvTypedParamSpec *spec)
{
    for (int i = 0; i < nparams; i++) {
        const QvTypedParamSpec *s = spec;

        while (s->field && strcmp(s->field, params[i].field) != 0)
            s++;
        if (!s->field) {
            qvirt_report_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED, _("parameter '%s' not supported"),
                               params[i].field);
            return -1;
        }
        if (!qv_typed_param_type_to_string(params[i].type)) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("parameter '%s' has invalid type %d"),
                               params[i].field, params[i].type);
            return -1;
        }
        if (params[i].type != s->type) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("invalid type '%s' for parameter '%s', expected '%s'"),
                               qv_typed_param_type_to_string(params[i].type), params[i].field,
                               qv_typed_param_type_to_string(s->type));
            return -1;
        }
        if (params[i].type == QV_TYPED_PARAM_STRING && !params[i].value.s) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("string parameter '%s' has no value"),
                               params[i].field);
            return -1;
        }
        if (s->multiple)
            continue;
        for (int j = 0; j < i; j++) {
            if (strcmp(params[j].field, params[i].field) == 0) {
                qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("parameter '%s' occurs more than once"),
                                   params[i].field);
                return -1;
            }
        }
    }
    return 0;
}

QvTypedParam *
qv_typed_params_copy(const QvTypedParam *params, int nparams)
{
    QvTypedParam *copy;

    if (!params || nparams <= 0)
        return NULL;
    copy = g_new0(QvTypedParam, nparams);
    memcpy(copy, params, sizeof(QvTypedParam) * nparams);
    for (int i = 0; i < nparams; i++) {
        if (copy[i].type == QV_TYPED_PARAM_STRING)
            copy[i].value.s = g_strdup(params[i].value.s);
    }
    return copy;
}

void
qv_typed_params_clear(QvTypedParam *params, int nparams)
{
    if (!params)
        return;
    for (int i = 0; i < nparams; i++) {
        if (params[i].type == QV_TYPED_PARAM_STRING)
            g_free(params[i].value.s);
        memset(&params[i], 0, sizeof(params[i]));
    }
}

void
qv_typed_params_free(QvTypedParam *params, int nparams)
{
    qv_typed_params_clear(params, nparams);
    g_free(params);
}

/* rpc_typedparams.c: typed parameters on the wire (see rpc_typedparams.h). */
#include <config.h>

#include "rpc/rpc_typedparams.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_RPC

static int
add_from_wire(QvTypedParam **params, int *nparams, int *maxparams, const remote_typed_param *w)
{
    const remote_typed_param_value *v = &w->value;
    const char *f = w->field;

    switch (v->type) {
    case REMOTE_TYPED_PARAM_INT:
        return qv_typed_params_add_int(params, nparams, maxparams, f,
                                       v->remote_typed_param_value_u.i);
    case REMOTE_TYPED_PARAM_UINT:
        return qv_typed_params_add_uint(params, nparams, maxparams, f,
                                        v->remote_typed_param_value_u.ui);
    case REMOTE_TYPED_PARAM_LLONG:
        return qv_typed_params_add_llong(params, nparams, maxparams, f,
                                         v->remote_typed_param_value_u.l);
    case REMOTE_TYPED_PARAM_ULLONG:
        return qv_typed_params_add_ullong(params, nparams, maxparams, f,
                                          v->remote_typed_param_value_u.ul);
    case REMOTE_TYPED_PARAM_DOUBLE:
        return qv_typed_params_add_double(params, nparams, maxparams, f,
                                          v->remote_typed_param_value_u.d);
    case REMOTE_TYPED_PARAM_BOOLEAN:
        return qv_typed_params_add_boolean(params, nparams, maxparams, f,
                                           v->remote_typed_param_value_u.b != 0);
    case REMOTE_TYPED_PARAM_STRING:
        return qv_typed_params_add_string(params, nparams, maxparams, f,
                                          v->remote_typed_param_value_u.s);
    default:
        qvirt_report_error(QVIRT_ERR_RPC, _("unknown typed parameter type %d for '%s'"), v->type,
                           f);
        return -1;
    }
}

int
rpc_typed_params_from_wire(const remote_typed_param *wire, u_int n, QvTypedParam **ret_params,
                           int *ret_nparams)
{
    QvTypedParam *params = NULL;
    int nparams = 0;
    int maxparams = 0;

    for (u_int i = 0; i < n; i++) {
        if (add_from_wire(&params, &nparams, &maxparams, &wire[i]) < 0) {
            qv_typed_params_free(params, nparams);
            return -1;
        }
    }
    *ret_params = params;
    *ret_nparams = nparams;
    return 0;
}

int
rpc_typed_params_to_wire(const QvTypedParam *params, int nparams, int max,
                         gboolean copy_strings, remote_typed_param **ret_val, u_int *ret_len)
{
    remote_typed_param *val;

    if (max > 0 && nparams > max) {
        qvirt_report_error(QVIRT_ERR_RPC, _("too many parameters: %d (at most %d)"), nparams, max);
        return -1;
    }
    val = g_new0(remote_typed_param, MAX(nparams, 1));
    for (int i = 0; i < nparams; i++) {
        const QvTypedParam *p = &params[i];
        remote_typed_param_value *v = &val[i].value;
        char *s = p->type == QV_TYPED_PARAM_STRING && p->value.s ? p->value.s : (char *)"";

        v->type = p->type;
        switch (p->type) {
        case QV_TYPED_PARAM_INT:
            v->remote_typed_param_value_u.i = p->value.i;
            break;
        case QV_TYPED_PARAM_UINT:
            v->remote_typed_param_value_u.ui = p->value.ui;
            break;
        case QV_TYPED_PARAM_LLONG:
            v->remote_typed_param_value_u.l = p->value.l;
            break;
        case QV_TYPED_PARAM_ULLONG:
            v->remote_typed_param_value_u.ul = p->value.ul;
            break;
        case QV_TYPED_PARAM_DOUBLE:
            v->remote_typed_param_value_u.d = p->value.d;
            break;
        case QV_TYPED_PARAM_BOOLEAN:
            v->remote_typed_param_value_u.b = p->value.b;
            break;
        case QV_TYPED_PARAM_STRING:
            v->remote_typed_param_value_u.s = copy_strings ? g_strdup(s) : s;
            break;
        default:
            qvirt_report_error(QVIRT_ERR_RPC, _("unknown typed parameter type %d for '%s'"),
                               p->type, p->field);
            for (int j = 0; copy_strings && j < i; j++) {
                g_free(val[j].field);
                if (val[j].value.type == QV_TYPED_PARAM_STRING)
                    g_free(val[j].value.remote_typed_param_value_u.s);
            }
            g_free(val);
            return -1;
        }
        val[i].field = copy_strings ? g_strdup(p->field) : (char *)p->field;
    }
    *ret_val = val;
    *ret_len = (u_int)nparams;
    return 0;
}

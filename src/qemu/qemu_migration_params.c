/* qemu_migration_params.c: migration capabilities and parameters: from the
 * API's flags and typed parameters to QEMU's names, checked against the
 * running QEMU, applied, saved and restored, and kept in <migParams> of the
 * status XML (the contract is in qemu_migration_params.h).
 *
 * A QemuMigrationParams is an ordered list of entries, each a capability
 * (on/off), an integer parameter or a string parameter named as QEMU names
 * it. The order is the order they were first set in, so the commands sent
 * and the XML written are the same for the same input. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "driver/migrate.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_domain_job.h"
#include "qemu/qemu_migration_params.h"
#include "qemu/qemu_monitor_json.h"
#include "util/error.h"
#include "util/log.h"
#include "util/xml.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration_params");

typedef enum {
    MIG_ENTRY_CAP,
    MIG_ENTRY_INT,
    MIG_ENTRY_STRING,
} MigEntryKind;

typedef struct {
    char *name;
    MigEntryKind kind;
    gboolean on;     /* MIG_ENTRY_CAP */
    long long value; /* MIG_ENTRY_INT */
    char *str;       /* MIG_ENTRY_STRING */
} MigEntry;

struct _QemuMigrationParams {
    GPtrArray *entries; /* of MigEntry, capabilities and parameters mixed */
};

/* The string-valued parameters qvirt knows (every other parameter it sets
 * is an integer): needed to read <migParams> back. */
static const char *const mig_string_params[] = {"tls-creds", "tls-hostname", "tls-authz",
                                                "multifd-compression"};

/* The parameters restored to "" whatever QEMU reported. */
static const char *const mig_reset_to_empty[] = {"tls-creds", "tls-hostname"};

static gboolean
mig_name_in(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (g_str_equal(name, list[i]))
            return TRUE;
    }
    return FALSE;
}

static void
mig_entry_free(gpointer data)
{
    MigEntry *e = data;

    g_free(e->name);
    g_free(e->str);
    g_free(e);
}

QemuMigrationParams *
qemu_migration_params_new(void)
{
    QemuMigrationParams *params = g_new0(QemuMigrationParams, 1);

    params->entries = g_ptr_array_new_with_free_func(mig_entry_free);
    return params;
}

void
qemu_migration_params_free(QemuMigrationParams *params)
{
    if (!params)
        return;
    g_ptr_array_unref(params->entries);
    g_free(params);
}

static MigEntry *
mig_find(const QemuMigrationParams *params, const char *name, gboolean cap)
{
    for (guint i = 0; i < params->entries->len; i++) {
        MigEntry *e = g_ptr_array_index(params->entries, i);

        if ((e->kind == MIG_ENTRY_CAP) == cap && g_str_equal(e->name, name))
            return e;
    }
    return NULL;
}

/* The entry NAME of KIND, made (at the end) when missing; a parameter set
 * with another type than before changes type. */
static MigEntry *
mig_get(QemuMigrationParams *params, const char *name, MigEntryKind kind)
{
    MigEntry *e = mig_find(params, name, kind == MIG_ENTRY_CAP);

    if (!e) {
        e = g_new0(MigEntry, 1);
        e->name = g_strdup(name);
        g_ptr_array_add(params->entries, e);
    }
    e->kind = kind;
    g_clear_pointer(&e->str, g_free);
    return e;
}

void
qemu_migration_params_set_cap(QemuMigrationParams *params, const char *name, gboolean on)
{
    mig_get(params, name, MIG_ENTRY_CAP)->on = !!on;
}

void
qemu_migration_params_set_int(QemuMigrationParams *params, const char *name, long long value)
{
    mig_get(params, name, MIG_ENTRY_INT)->value = value;
}

void
qemu_migration_params_set_string(QemuMigrationParams *params, const char *name, const char *value)
{
    mig_get(params, name, MIG_ENTRY_STRING)->str = g_strdup(value ? value : "");
}

int
qemu_migration_params_get_cap(const QemuMigrationParams *params, const char *name, gboolean *ret_on)
{
    MigEntry *e = params ? mig_find(params, name, TRUE) : NULL;

    if (!e)
        return 0;
    if (ret_on)
        *ret_on = e->on;
    return 1;
}

int
qemu_migration_params_get_int(const QemuMigrationParams *params, const char *name,
                              long long *ret_value)
{
    MigEntry *e = params ? mig_find(params, name, FALSE) : NULL;

    if (!e || e->kind != MIG_ENTRY_INT)
        return 0;
    if (ret_value)
        *ret_value = e->value;
    return 1;
}

int
qemu_migration_params_get_string(const QemuMigrationParams *params, const char *name,
                                 const char **ret_value)
{
    MigEntry *e = params ? mig_find(params, name, FALSE) : NULL;

    if (!e || e->kind != MIG_ENTRY_STRING)
        return 0;
    if (ret_value)
        *ret_value = e->str;
    return 1;
}

gboolean
qemu_migration_params_is_empty(const QemuMigrationParams *params)
{
    return !params || params->entries->len == 0;
}

void
qemu_migration_params_set_tls(QemuMigrationParams *params, const char *creds_alias,
                              const char *hostname)
{
    qemu_migration_params_set_string(params, "tls-creds", creds_alias);
    qemu_migration_params_set_string(params, "tls-hostname", hostname);
}

/* ---- from the API ------------------------------------------------------ */

/* The typed parameters this file reads, with their types and limits. */
typedef struct {
    const char *field;
    int type;           /* QvTypedParamType */
    long long min, max; /* for the integer ones */
} MigApiParam;

static const MigApiParam mig_api_params[] = {
    {QV_MIGRATE_PARAM_BANDWIDTH, QV_TYPED_PARAM_ULLONG, 0, G_MAXINT64 / (1024 * 1024)},
    {QV_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, QV_TYPED_PARAM_ULLONG, 0, G_MAXINT64 / (1024 * 1024)},
    {QV_MIGRATE_PARAM_COMPRESSION, QV_TYPED_PARAM_STRING, 0, 0},
    {QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, QV_TYPED_PARAM_INT, 0, 9},
    {QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS, QV_TYPED_PARAM_INT, 1, 255},
    {QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, QV_TYPED_PARAM_INT, 1, 255},
    {QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, QV_TYPED_PARAM_ULLONG, 1, G_MAXINT64},
    {QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, QV_TYPED_PARAM_INT, 1, 99},
    {QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, QV_TYPED_PARAM_INT, 1, 99},
    {QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS, QV_TYPED_PARAM_INT, 1, 255},
    {QV_MIGRATE_PARAM_TLS_DESTINATION, QV_TYPED_PARAM_STRING, 0, 0},
};

/* The first parameter FIELD of the list, or NULL. (Local, so that this
 * file needs nothing of the driver framework's library.) */
static const QvTypedParam *
mig_api_get(const QvTypedParam *params, int nparams, const char *field)
{
    for (int i = 0; i < nparams; i++) {
        if (g_str_equal(params[i].field, field))
            return &params[i];
    }
    return NULL;
}

static const char *
mig_api_type_name(int type)
{
    static const char *const names[] = {"int",    "uint",    "llong", "ullong",
                                        "double", "boolean", "string"};

    if (type < QV_TYPED_PARAM_INT || type >= QV_TYPED_PARAM_LAST)
        return "unknown";
    return names[type - QV_TYPED_PARAM_INT];
}

static const MigApiParam *
mig_api_param(const char *field)
{
    for (size_t i = 0; i < G_N_ELEMENTS(mig_api_params); i++) {
        if (g_str_equal(mig_api_params[i].field, field))
            return &mig_api_params[i];
    }
    return NULL;
}

/* Type, repetition and range of every parameter this file reads. */
static int
mig_api_validate(const QvTypedParam *params, int nparams)
{
    for (int i = 0; i < nparams; i++) {
        const QvTypedParam *p = &params[i];
        const MigApiParam *spec = mig_api_param(p->field);
        long long value;

        if (!spec)
            continue;
        if (p->type != spec->type) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("migration parameter '%s' must be of type %s, not %s"), p->field,
                               mig_api_type_name(spec->type), mig_api_type_name(p->type));
            return -1;
        }
        if (!g_str_equal(p->field, QV_MIGRATE_PARAM_COMPRESSION)) {
            for (int j = 0; j < i; j++) {
                if (g_str_equal(params[j].field, p->field)) {
                    qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                                       _("migration parameter '%s' is given more than once"),
                                       p->field);
                    return -1;
                }
            }
        }
        if (spec->type == QV_TYPED_PARAM_STRING)
            continue;
        if (spec->type == QV_TYPED_PARAM_ULLONG) {
            if (p->value.ul > (unsigned long long)spec->max || p->value.ul < (guint64)spec->min) {
                qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                                   _("value %llu of migration parameter '%s' is out of range "
                                     "%lld-%lld"),
                                   p->value.ul, p->field, spec->min, spec->max);
                return -1;
            }
            continue;
        }
        value = p->value.i;
        if (value < spec->min || value > spec->max) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("value %lld of migration parameter '%s' is out of range "
                                 "%lld-%lld"),
                               value, p->field, spec->min, spec->max);
            return -1;
        }
    }
    return 0;
}

/* Tuning parameter FIELD was given without what turns its feature on. */
static int
mig_api_needs(const QvTypedParam *params, int nparams, const char *field, gboolean enabled,
              const char *what)
{
    if (enabled || !mig_api_get(params, nparams, field))
        return 0;
    qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                       _("migration parameter '%s' needs %s to be turned on"), field, what);
    return -1;
}

static int
mig_api_compression(const QvTypedParam *params, int nparams, unsigned int flags,
                    gboolean *ret_xbzrle, gboolean *ret_mt)
{
    gboolean xbzrle = FALSE;
    gboolean mt = FALSE;
    gboolean any = FALSE;

    for (int i = 0; i < nparams; i++) {
        const char *method = params[i].value.s;
        gboolean *slot;

        if (!g_str_equal(params[i].field, QV_MIGRATE_PARAM_COMPRESSION))
            continue;
        if (g_str_equal(method, "xbzrle")) {
            slot = &xbzrle;
        } else if (g_str_equal(method, "mt")) {
            slot = &mt;
        } else {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("unsupported value '%s' of migration parameter '%s': expected "
                                 "'xbzrle' or 'mt'"),
                               method, QV_MIGRATE_PARAM_COMPRESSION);
            return -1;
        }
        if (*slot) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("compression method '%s' is given twice in migration "
                                 "parameter '%s'"),
                               method, QV_MIGRATE_PARAM_COMPRESSION);
            return -1;
        }
        *slot = TRUE;
        any = TRUE;
    }
    /* The flag alone means libvirt's default method. */
    if (!any && (flags & QV_MIGRATE_COMPRESSED))
        xbzrle = TRUE;

    if (mig_api_needs(params, nparams, QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, xbzrle,
                      _("compression method 'xbzrle'")) < 0 ||
        mig_api_needs(params, nparams, QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, mt,
                      _("compression method 'mt'")) < 0 ||
        mig_api_needs(params, nparams, QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS, mt,
                      _("compression method 'mt'")) < 0 ||
        mig_api_needs(params, nparams, QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, mt,
                      _("compression method 'mt'")) < 0)
        return -1;
    *ret_xbzrle = xbzrle;
    *ret_mt = mt;
    return 0;
}

/* Integer typed parameter FIELD (int or ullong, already validated) times
 * UNIT into QEMU parameter NAME, when given. */
static void
mig_api_map_int(QemuMigrationParams *out, const QvTypedParam *params, int nparams,
                const char *field, long long unit, const char *name)
{
    const QvTypedParam *p = mig_api_get(params, nparams, field);

    if (!p)
        return;
    if (p->type == QV_TYPED_PARAM_ULLONG)
        qemu_migration_params_set_int(out, name, (long long)p->value.ul * unit);
    else
        qemu_migration_params_set_int(out, name, (long long)p->value.i * unit);
}

QemuMigrationParams *
qemu_migration_params_from_api(const QvTypedParam *params, int nparams, unsigned int flags,
                               QemuMigrationParty party)
{
    g_autoptr(QemuMigrationParams) out = qemu_migration_params_new();
    gboolean src = party == QEMU_MIGRATION_SOURCE;
    gboolean xbzrle = FALSE;
    gboolean mt = FALSE;
    gboolean converge = !!(flags & QV_MIGRATE_AUTO_CONVERGE);
    gboolean parallel = !!(flags & QV_MIGRATE_PARALLEL);

    if (party != QEMU_MIGRATION_SOURCE && party != QEMU_MIGRATION_DESTINATION) {
        qvirt_report_internal(_("invalid migration party %d"), (int)party);
        return NULL;
    }
    if (nparams < 0 || (nparams > 0 && !params)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid migration parameter list"));
        return NULL;
    }
    if (mig_api_validate(params, nparams) < 0 ||
        mig_api_compression(params, nparams, flags, &xbzrle, &mt) < 0 ||
        mig_api_needs(params, nparams, QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, converge,
                      _("flag auto-converge")) < 0 ||
        mig_api_needs(params, nparams, QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, converge,
                      _("flag auto-converge")) < 0 ||
        mig_api_needs(params, nparams, QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS, parallel,
                      _("flag parallel")) < 0)
        return NULL;

    /* Capabilities first, in a fixed order; then parameters. */
    if (xbzrle)
        qemu_migration_params_set_cap(out, "xbzrle", TRUE);
    if (mt)
        qemu_migration_params_set_cap(out, "compress", TRUE);
    if (converge && src)
        qemu_migration_params_set_cap(out, "auto-converge", TRUE);
    if (flags & QV_MIGRATE_POSTCOPY) {
        qemu_migration_params_set_cap(out, "postcopy-ram", TRUE);
        qemu_migration_params_set_cap(out, "return-path", TRUE);
    }
    if (parallel)
        qemu_migration_params_set_cap(out, "multifd", TRUE);

    if (src) {
        mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_BANDWIDTH, 1024 * 1024,
                        "max-bandwidth");
        mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, 1024 * 1024,
                        "max-postcopy-bandwidth");
        mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, 1,
                        "compress-level");
        mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_COMPRESSION_MT_THREADS, 1,
                        "compress-threads");
        mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE, 1,
                        "xbzrle-cache-size");
        mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL, 1,
                        "cpu-throttle-initial");
        mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT, 1,
                        "cpu-throttle-increment");
    } else {
        mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS, 1,
                        "decompress-threads");
    }
    mig_api_map_int(out, params, nparams, QV_MIGRATE_PARAM_PARALLEL_CONNECTIONS, 1,
                    "multifd-channels");
    return g_steal_pointer(&out);
}

/* ---- QEMU -------------------------------------------------------------- */

int
qemu_migration_params_check(const QemuMigrationParams *params, const QemuCaps *caps)
{
    if (!params)
        return 0;
    for (guint i = 0; i < params->entries->len; i++) {
        MigEntry *e = g_ptr_array_index(params->entries, i);

        if (e->kind == MIG_ENTRY_CAP) {
            if (!qemu_caps_has_migration_capability(caps, e->name)) {
                qvirt_report_error(QVIRT_ERR_OPERATION_UNSUPPORTED,
                                   _("migration capability '%s' is not supported by this QEMU"),
                                   e->name);
                return -1;
            }
        } else if (!qemu_caps_has_migration_parameter(caps, e->name)) {
            qvirt_report_error(QVIRT_ERR_OPERATION_UNSUPPORTED,
                               _("migration parameter '%s' is not supported by this QEMU"),
                               e->name);
            return -1;
        }
    }
    return 0;
}

QvirtJson *
qemu_migration_params_to_json(const QemuMigrationParams *params)
{
    QvirtJson *obj = json_object_new_object();

    for (guint i = 0; params && i < params->entries->len; i++) {
        MigEntry *e = g_ptr_array_index(params->entries, i);

        if (e->kind == MIG_ENTRY_INT)
            json_object_object_add(obj, e->name, json_object_new_int64(e->value));
        else if (e->kind == MIG_ENTRY_STRING)
            json_object_object_add(obj, e->name, json_object_new_string(e->str));
    }
    return obj;
}

void
qemu_migration_params_caps_to_arrays(const QemuMigrationParams *params, const char ***ret_names,
                                     bool **ret_states, size_t *ret_n)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autoptr(GArray) states = g_array_new(FALSE, FALSE, sizeof(bool));

    for (guint i = 0; params && i < params->entries->len; i++) {
        MigEntry *e = g_ptr_array_index(params->entries, i);
        bool on;

        if (e->kind != MIG_ENTRY_CAP)
            continue;
        on = e->on;
        g_ptr_array_add(names, e->name);
        g_array_append_val(states, on);
    }
    *ret_n = names->len;
    if (names->len == 0) {
        *ret_names = NULL;
        *ret_states = NULL;
        return;
    }
    *ret_names = (const char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
    *ret_states = (bool *)(void *)g_array_free(g_steal_pointer(&states), FALSE);
}

/* Copy into ORIG what QEMU reported (CAPS, VALUES) for the entries of
 * PARAMS that ORIG does not have yet (the first saved value wins). */
static int
mig_collect_originals(QemuMigrationParams *orig, const QemuMigrationParams *params,
                      GHashTable *caps, QvirtJson *values)
{
    for (guint i = 0; i < params->entries->len; i++) {
        MigEntry *e = g_ptr_array_index(params->entries, i);
        gpointer state;
        QvirtJson *value;

        if (mig_find(orig, e->name, e->kind == MIG_ENTRY_CAP))
            continue;
        if (e->kind == MIG_ENTRY_CAP) {
            if (!g_hash_table_lookup_extended(caps, e->name, NULL, &state)) {
                qvirt_report_error(QVIRT_ERR_OPERATION_UNSUPPORTED,
                                   _("migration capability '%s' is not supported by this QEMU"),
                                   e->name);
                return -1;
            }
            qemu_migration_params_set_cap(orig, e->name, GPOINTER_TO_INT(state) != 0);
            continue;
        }
        if (mig_name_in(e->name, mig_reset_to_empty, G_N_ELEMENTS(mig_reset_to_empty))) {
            qemu_migration_params_set_string(orig, e->name, "");
            continue;
        }
        if (!json_object_object_get_ex(values, e->name, &value) || !value) {
            /* Nothing to put back: QEMU did not report it. */
            QVIRT_DEBUG("QEMU reports no value of migration parameter '%s'", e->name);
            continue;
        }
        if (json_object_is_type(value, json_type_int)) {
            qemu_migration_params_set_int(orig, e->name, json_object_get_int64(value));
        } else if (json_object_is_type(value, json_type_string)) {
            qemu_migration_params_set_string(orig, e->name, json_object_get_string(value));
        } else {
            qvirt_report_error(QVIRT_ERR_INTERNAL_ERROR,
                               _("unexpected type of migration parameter '%s' in the reply to "
                                 "query-migrate-parameters"),
                               e->name);
            return -1;
        }
    }
    return 0;
}

int
qemu_migration_params_save_original(DomainObj *vm, DomainAsyncJob async_job,
                                    const QemuMigrationParams *params)
{
    g_autoptr(GHashTable) caps = NULL;
    g_autoptr(QvirtJson) values = NULL;
    QemuDomainJobPrivate *jpriv;
    QemuMonitor *mon;
    int rc;

    if (qemu_migration_params_is_empty(params))
        return 0;
    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
        return -1;
    rc = qemu_monitor_json_query_migrate_capabilities(mon, &caps);
    if (rc == 0)
        rc = qemu_monitor_json_query_migrate_parameters(mon, &values);
    qemu_domain_obj_exit_monitor(vm);
    if (rc < 0)
        return -1;

    jpriv = qemu_domain_job_private(vm);
    if (!jpriv->mig_params) {
        g_autoptr(QemuMigrationParams) orig = qemu_migration_params_new();

        if (mig_collect_originals(orig, params, caps, values) < 0)
            return -1;
        jpriv->mig_params = g_steal_pointer(&orig);
        return 0;
    }
    return mig_collect_originals(jpriv->mig_params, params, caps, values);
}

/* Send PARAMS over the entered monitor MON. */
static int
mig_send(QemuMonitor *mon, const QemuMigrationParams *params)
{
    g_autofree const char **names = NULL;
    g_autofree bool *states = NULL;
    g_autoptr(QvirtJson) obj = NULL;
    size_t n = 0;

    qemu_migration_params_caps_to_arrays(params, &names, &states, &n);
    if (n > 0 && qemu_monitor_json_migrate_set_capabilities(mon, names, states, n) < 0)
        return -1;
    obj = qemu_migration_params_to_json(params);
    if (json_object_object_length(obj) > 0 &&
        qemu_monitor_json_migrate_set_parameters(mon, obj) < 0)
        return -1;
    return 0;
}

int
qemu_migration_params_apply(DomainObj *vm, DomainAsyncJob async_job,
                            const QemuMigrationParams *params)
{
    QemuMonitor *mon;
    int rc;

    if (qemu_migration_params_is_empty(params))
        return 0;
    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job)))
        return -1;
    rc = mig_send(mon, params);
    qemu_domain_obj_exit_monitor(vm);
    return rc;
}

void
qemu_migration_params_restore(DomainObj *vm, DomainAsyncJob async_job)
{
    QemuDomainJobPrivate *jpriv = qemu_domain_job_private(vm);
    g_autoptr(QemuMigrationParams) orig = g_steal_pointer(&jpriv->mig_params);
    g_autoptr(QvirtError) saved = NULL;
    QemuMonitor *mon;
    int rc;

    if (qemu_migration_params_is_empty(orig))
        return;
    if (!domain_obj_is_active(vm)) {
        QVIRT_DEBUG("domain '%s' is not running: no migration parameters to restore",
                    domain_obj_get_name(vm));
        return;
    }
    /* The caller's error (a failed migration) is what its caller must see. */
    saved = qvirt_error_save();
    if (!(mon = qemu_domain_obj_enter_monitor_async(vm, async_job))) {
        rc = -1;
    } else {
        rc = mig_send(mon, orig);
        qemu_domain_obj_exit_monitor(vm);
    }
    if (rc < 0)
        QVIRT_WARN("cannot restore the migration parameters of domain '%s': %s",
                   domain_obj_get_name(vm), qvirt_error_last_message());
    qvirt_error_restore(g_steal_pointer(&saved));
}

/* ---- <migParams> ------------------------------------------------------- */

void
qemu_migration_params_format(const QemuMigrationParams *params, GString *buf, int indent)
{
    if (qemu_migration_params_is_empty(params))
        return;
    g_string_append_printf(buf, "%*s<migParams>\n", indent, "");
    for (guint i = 0; i < params->entries->len; i++) {
        MigEntry *e = g_ptr_array_index(params->entries, i);
        g_autofree char *name = g_markup_escape_text(e->name, -1);
        g_autofree char *value = NULL;

        if (e->kind == MIG_ENTRY_CAP) {
            g_string_append_printf(buf, "%*s<cap name='%s' enabled='%s'/>\n", indent + 2, "", name,
                                   e->on ? "yes" : "no");
            continue;
        }
        if (e->kind == MIG_ENTRY_INT)
            value = g_strdup_printf("%lld", e->value);
        else
            value = g_markup_escape_text(e->str, -1);
        g_string_append_printf(buf, "%*s<param name='%s' value='%s'/>\n", indent + 2, "", name,
                               value);
    }
    g_string_append_printf(buf, "%*s</migParams>\n", indent, "");
}

/* Only the attributes in ALLOWED (NULL-terminated) on NODE. */
static int
mig_xml_check_attrs(xmlNodePtr node, const char *const *allowed, const char *where)
{
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        if (!g_strv_contains(allowed, (const char *)attr->name)) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("unexpected attribute '%s' of <%s> in <migParams> of %s"),
                               (const char *)attr->name, (const char *)node->name, where);
            return -1;
        }
    }
    return 0;
}

static gboolean
mig_parse_ll(const char *str, long long *ret_value)
{
    char *end = NULL;
    gint64 value;

    if (!str || !(g_ascii_isdigit(*str) || (*str == '-' && g_ascii_isdigit(str[1]))))
        return FALSE;
    errno = 0;
    value = g_ascii_strtoll(str, &end, 10);
    if (errno != 0 || !end || *end != '\0')
        return FALSE;
    *ret_value = value;
    return TRUE;
}

static int
mig_parse_entry(QemuMigrationParams *params, xmlNodePtr node, const char *where)
{
    static const char *const cap_attrs[] = {"name", "enabled", NULL};
    static const char *const param_attrs[] = {"name", "value", NULL};
    gboolean cap = xmlStrEqual(node->name, (const xmlChar *)"cap");
    g_autofree char *name = NULL;
    g_autofree char *value = NULL;
    long long num;

    if (mig_xml_check_attrs(node, cap ? cap_attrs : param_attrs, where) < 0)
        return -1;
    name = qvirt_xml_prop(node, "name");
    value = qvirt_xml_prop(node, cap ? "enabled" : "value");
    if (!name || !*name || !value) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("missing attribute '%s' of <%s> in <migParams> of %s"),
                           (!name || !*name) ? "name" : (cap ? "enabled" : "value"),
                           (const char *)node->name, where);
        return -1;
    }
    if (mig_find(params, name, cap)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("migration %s '%s' appears twice in <migParams> of %s"),
                           cap ? "capability" : "parameter", name, where);
        return -1;
    }
    if (cap) {
        if (!g_str_equal(value, "yes") && !g_str_equal(value, "no")) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("invalid value '%s' of 'enabled' of capability '%s' in "
                                 "<migParams> of %s: expected 'yes' or 'no'"),
                               value, name, where);
            return -1;
        }
        qemu_migration_params_set_cap(params, name, g_str_equal(value, "yes"));
        return 0;
    }
    if (mig_name_in(name, mig_string_params, G_N_ELEMENTS(mig_string_params))) {
        qemu_migration_params_set_string(params, name, value);
    } else if (mig_parse_ll(value, &num)) {
        qemu_migration_params_set_int(params, name, num);
    } else {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid value '%s' of migration parameter '%s' in <migParams> of "
                             "%s: expected an integer"),
                           value, name, where);
        return -1;
    }
    return 0;
}

int
qemu_migration_params_parse(xmlXPathContextPtr ctxt, QemuMigrationParams **ret_params)
{
    g_autoptr(QemuMigrationParams) params = NULL;
    g_autofree char *where = NULL;
    xmlNodePtr found = NULL;

    for (xmlNodePtr cur = ctxt->node ? ctxt->node->children : NULL; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE || !xmlStrEqual(cur->name, (const xmlChar *)"migParams"))
            continue;
        if (found) {
            where = qemu_domain_job_status_where(cur);
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("more than one <migParams> in %s"), where);
            return -1;
        }
        found = cur;
    }
    if (!found) {
        *ret_params = NULL;
        return 0;
    }

    where = qemu_domain_job_status_where(found);
    if (found->properties) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("unexpected attribute '%s' of <migParams> in %s"),
                           (const char *)found->properties->name, where);
        return -1;
    }
    params = qemu_migration_params_new();
    for (xmlNodePtr cur = found->children; cur; cur = cur->next) {
        if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
            xmlChar *content = xmlNodeGetContent(cur);
            g_autofree char *text = g_strdup((const char *)content);

            xmlFree(content);
            if (text && *g_strstrip(text)) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR, _("unexpected text in <migParams> of %s"),
                                   where);
                return -1;
            }
            continue;
        }
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (!xmlStrEqual(cur->name, (const xmlChar *)"cap") &&
            !xmlStrEqual(cur->name, (const xmlChar *)"param")) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR,
                               _("unexpected element <%s> in <migParams> of %s"),
                               (const char *)cur->name, where);
            return -1;
        }
        if (mig_parse_entry(params, cur, where) < 0)
            return -1;
    }
    *ret_params = g_steal_pointer(&params);
    return 0;
}

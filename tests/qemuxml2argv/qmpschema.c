/* qmpschema.c: a checker of JSON values against QEMU's introspected QMP
 * schema (see qmpschema.h). */
#include <config.h>

#include <stdarg.h>
#include <string.h>

#include "qmpschema.h"
#include "util/error.h"

struct _QmpSchema {
    QvirtJson *root;     /* the array of entities */
    GHashTable *by_name; /* name -> entity (borrowed from root) */
};

QmpSchema *
qmp_schema_load(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;
    QmpSchema *schema;

    if (!g_file_get_contents(path, &text, &len, &err))
        g_error("cannot read the QMP schema: %s", err->message);
    schema = g_new0(QmpSchema, 1);
    schema->root = qvirt_json_parse(text, len, path);
    if (!schema->root || !json_object_is_type(schema->root, json_type_array))
        g_error("%s is not a QMP schema: %s", path, qvirt_error_last_message());
    schema->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < json_object_array_length(schema->root); i++) {
        QvirtJson *entity = json_object_array_get_idx(schema->root, i);
        const char *name = NULL;

        if (qvirt_json_get_string(entity, "name", &name) == 0)
            g_hash_table_insert(schema->by_name, (gpointer)name, entity);
    }
    return schema;
}

void
qmp_schema_free(QmpSchema *schema)
{
    if (!schema)
        return;
    g_hash_table_unref(schema->by_name);
    json_object_put(schema->root);
    g_free(schema);
}

static QvirtJson *
schema_entity(QmpSchema *schema, const char *name)
{
    return g_hash_table_lookup(schema->by_name, name);
}

static const char *
schema_meta(QvirtJson *entity)
{
    const char *meta = "";

    qvirt_json_get_string(entity, "meta-type", &meta);
    return meta;
}

static gboolean schema_check(QmpSchema *schema, const char *type, QvirtJson *value,
                             const char *where, char **ret_error);

static gboolean schema_fail(char **ret_error, const char *where, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean
schema_fail(char **ret_error, const char *where, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_free(*ret_error);
    *ret_error = g_strdup_printf("%s: %s", *where ? where : "(top)", msg);
    return FALSE;
}

static gboolean
schema_check_builtin(QvirtJson *entity, QvirtJson *value, const char *where, char **ret_error)
{
    const char *jtype = "";
    json_type actual = value ? json_object_get_type(value) : json_type_null;
    gboolean ok;

    qvirt_json_get_string(entity, "json-type", &jtype);
    if (strcmp(jtype, "value") == 0)
        return TRUE;
    if (strcmp(jtype, "string") == 0)
        ok = actual == json_type_string;
    else if (strcmp(jtype, "int") == 0)
        ok = actual == json_type_int;
    else if (strcmp(jtype, "number") == 0)
        ok = actual == json_type_int || actual == json_type_double;
    else if (strcmp(jtype, "boolean") == 0)
        ok = actual == json_type_boolean;
    else if (strcmp(jtype, "null") == 0)
        ok = actual == json_type_null;
    else
        return schema_fail(ret_error, where, "unknown builtin JSON type '%s'", jtype);
    if (!ok)
        return schema_fail(ret_error, where, "expected %s, got %s", jtype,
                           json_type_to_name(actual));
    return TRUE;
}

static gboolean
schema_check_enum(QvirtJson *entity, QvirtJson *value, const char *where, char **ret_error)
{
    QvirtJson *values = NULL;
    const char *str;

    if (!value || !json_object_is_type(value, json_type_string))
        return schema_fail(ret_error, where, "expected an enum string");
    str = json_object_get_string(value);
    if (qvirt_json_get_array(entity, "values", &values) == 0) {
        for (size_t i = 0; i < json_object_array_length(values); i++) {
            if (strcmp(json_object_get_string(json_object_array_get_idx(values, i)), str) == 0)
                return TRUE;
        }
    }
    return schema_fail(ret_error, where, "'%s' is not a value of the enum", str);
}

/* Check the members of object type ENTITY (and of its variant, for a
 * union) found in VALUE, recording the keys checked in SEEN. */
static gboolean
schema_check_members(QmpSchema *schema, QvirtJson *entity, QvirtJson *value, GHashTable *seen,
                     const char *where, char **ret_error)
{
    QvirtJson *members = NULL;
    QvirtJson *variants = NULL;
    const char *tag = NULL;

    if (qvirt_json_get_array(entity, "members", &members) == 0) {
        for (size_t i = 0; i < json_object_array_length(members); i++) {
            QvirtJson *member = json_object_array_get_idx(members, i);
            const char *name = NULL;
            const char *type = NULL;
            QvirtJson *item = NULL;
            g_autofree char *sub = NULL;

            qvirt_json_get_string(member, "name", &name);
            qvirt_json_get_string(member, "type", &type);
            if (!name || !type)
                continue;
            sub = *where ? g_strdup_printf("%s.%s", where, name) : g_strdup(name);
            if (!json_object_object_get_ex(value, name, &item)) {
                if (!json_object_object_get_ex(member, "default", NULL))
                    return schema_fail(ret_error, sub, "required member is missing");
                continue;
            }
            g_hash_table_add(seen, (gpointer)name);
            if (!schema_check(schema, type, item, sub, ret_error))
                return FALSE;
        }
    }
    if (qvirt_json_get_string(entity, "tag", &tag) == 0 &&
        qvirt_json_get_array(entity, "variants", &variants) == 0) {
        const char *kind = NULL;

        if (qvirt_json_get_string(value, tag, &kind) < 0)
            return schema_fail(ret_error, where, "union tag '%s' is missing", tag);
        for (size_t i = 0; i < json_object_array_length(variants); i++) {
            QvirtJson *variant = json_object_array_get_idx(variants, i);
            const char *c = NULL;
            const char *type = NULL;

            qvirt_json_get_string(variant, "case", &c);
            qvirt_json_get_string(variant, "type", &type);
            if (c && type && strcmp(c, kind) == 0) {
                QvirtJson *vent = schema_entity(schema, type);

                if (!vent)
                    return schema_fail(ret_error, where, "unknown type '%s'", type);
                return schema_check_members(schema, vent, value, seen, where, ret_error);
            }
        }
        /* The tag enum was checked with the members: a case without a
         * variant has no further members. */
    }
    return TRUE;
}

static gboolean
schema_check_object(QmpSchema *schema, QvirtJson *entity, QvirtJson *value, const char *where,
                    char **ret_error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    if (!value || !json_object_is_type(value, json_type_object))
        return schema_fail(ret_error, where, "expected an object");
    if (!schema_check_members(schema, entity, value, seen, where, ret_error))
        return FALSE;
    json_object_object_foreach(value, key, item)
    {
        (void)item;
        if (!g_hash_table_contains(seen, key))
            return schema_fail(ret_error, where, "unknown member '%s'", key);
    }
    return TRUE;
}

static gboolean
schema_check(QmpSchema *schema, const char *type, QvirtJson *value, const char *where,
             char **ret_error)
{
    QvirtJson *entity = schema_entity(schema, type);
    const char *meta;

    if (!entity)
        return schema_fail(ret_error, where, "unknown type '%s'", type);
    meta = schema_meta(entity);
    if (strcmp(meta, "builtin") == 0)
        return schema_check_builtin(entity, value, where, ret_error);
    if (strcmp(meta, "enum") == 0)
        return schema_check_enum(entity, value, where, ret_error);
    if (strcmp(meta, "object") == 0)
        return schema_check_object(schema, entity, value, where, ret_error);
    if (strcmp(meta, "array") == 0) {
        const char *element = NULL;

        qvirt_json_get_string(entity, "element-type", &element);
        if (!value || !json_object_is_type(value, json_type_array) || !element)
            return schema_fail(ret_error, where, "expected an array");
        for (size_t i = 0; i < json_object_array_length(value); i++) {
            g_autofree char *sub = g_strdup_printf("%s[%zu]", where, i);

            if (!schema_check(schema, element, json_object_array_get_idx(value, i), sub, ret_error))
                return FALSE;
        }
        return TRUE;
    }
    if (strcmp(meta, "alternate") == 0) {
        QvirtJson *members = NULL;
        g_autofree char *last = NULL;

        qvirt_json_get_array(entity, "members", &members);
        for (size_t i = 0; members && i < json_object_array_length(members); i++) {
            const char *alt = NULL;
            char *err = NULL;

            qvirt_json_get_string(json_object_array_get_idx(members, i), "type", &alt);
            if (alt && schema_check(schema, alt, value, where, &err)) {
                g_free(err);
                return TRUE;
            }
            g_free(last);
            last = err;
        }
        return schema_fail(ret_error, where, "no alternative matches (last: %s)",
                           last ? last : "none");
    }
    return schema_fail(ret_error, where, "unexpected meta-type '%s'", meta);
}

static QvirtJson *
schema_command_args(QmpSchema *schema, const char *command)
{
    QvirtJson *cmd = schema_entity(schema, command);
    const char *arg_type = NULL;

    if (!cmd || strcmp(schema_meta(cmd), "command") != 0 ||
        qvirt_json_get_string(cmd, "arg-type", &arg_type) < 0)
        return NULL;
    return schema_entity(schema, arg_type);
}

gboolean
qmp_schema_check_command_args(QmpSchema *schema, const char *command, QvirtJson *value,
                              char **ret_error)
{
    QvirtJson *args = schema_command_args(schema, command);
    const char *name = NULL;

    *ret_error = NULL;
    if (!args) {
        *ret_error = g_strdup_printf("no command '%s' in the schema", command);
        return FALSE;
    }
    qvirt_json_get_string(args, "name", &name);
    return schema_check(schema, name, value, "", ret_error);
}

GPtrArray *
qmp_schema_union_kinds(QmpSchema *schema, const char *command, const char *member)
{
    QvirtJson *args = schema_command_args(schema, command);
    QvirtJson *members = NULL;
    QvirtJson *variants = NULL;
    QvirtJson *type = NULL;
    GPtrArray *kinds;

    if (!args || qvirt_json_get_array(args, "members", &members) < 0)
        return NULL;
    for (size_t i = 0; i < json_object_array_length(members); i++) {
        QvirtJson *m = json_object_array_get_idx(members, i);
        const char *name = NULL;
        const char *tname = NULL;

        qvirt_json_get_string(m, "name", &name);
        qvirt_json_get_string(m, "type", &tname);
        if (name && tname && strcmp(name, member) == 0)
            type = schema_entity(schema, tname);
    }
    if (!type || qvirt_json_get_array(type, "variants", &variants) < 0)
        return NULL;
    kinds = g_ptr_array_new();
    for (size_t i = 0; i < json_object_array_length(variants); i++) {
        const char *c = NULL;

        if (qvirt_json_get_string(json_object_array_get_idx(variants, i), "case", &c) == 0)
            g_ptr_array_add(kinds, (gpointer)c);
    }
    return kinds;
}

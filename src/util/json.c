/* json.c: strict JSON parsing and typed getters over json-c (see json.h). */
#include <config.h>

#include <limits.h>
#include <string.h>

#include "util/error.h"
#include "util/json.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

struct json_object *
qvirt_json_parse(const char *text, size_t len, const char *what)
{
    struct json_tokener *tok;
    struct json_object *obj;
    enum json_tokener_error jerr;
    const char *nul;
    size_t end;

    if (!what)
        what = _("JSON text");
    if (!text) {
        qvirt_report_internal(_("cannot parse %s: no text given"), what);
        return NULL;
    }
    if (len >= INT_MAX) {
        qvirt_report_internal(_("cannot parse %s: %zu bytes is too large"), what, len);
        return NULL;
    }
    /* json-c would take a NUL as the end of the input. */
    nul = memchr(text, '\0', len);
    if (nul) {
        qvirt_report_internal(_("cannot parse %s: NUL byte at offset %zu"), what,
                              (size_t)(nul - text));
        return NULL;
    }

    tok = json_tokener_new_ex(QVIRT_JSON_MAX_DEPTH);
    if (!tok)
        g_error("%s", "out of memory creating a JSON tokener");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

    obj = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* All input was consumed: a final NUL tells json-c that the text
         * ends here, which completes a top-level number or reports the
         * truncation of anything else. */
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
    }
    json_tokener_free(tok);

    if (jerr != json_tokener_success) {
        json_object_put(obj);
        qvirt_report_internal(_("cannot parse %s: %s at offset %zu"), what,
                              json_tokener_error_desc(jerr), MIN(end, len));
        return NULL;
    }
    for (size_t i = end; i < len; i++) {
        if (!g_ascii_isspace(text[i])) {
            json_object_put(obj);
            qvirt_report_internal(_("cannot parse %s: unexpected data after the value "
                                    "at offset %zu"),
                                  what, i);
            return NULL;
        }
    }
    if (!obj) {
        qvirt_report_internal(_("cannot parse %s: unexpected null value"), what);
        return NULL;
    }
    return obj;
}

/* A short name of OBJ's JSON type for messages. */
static const char *
json_type_name(struct json_object *obj)
{
    switch (json_object_get_type(obj)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return _("a boolean");
    case json_type_double:
        return _("a floating point number");
    case json_type_int:
        return _("an integer");
    case json_type_object:
        return _("an object");
    case json_type_array:
        return _("an array");
    case json_type_string:
        return _("a string");
    }
    return _("of unknown type");
}

/* Look KEY up in OBJ: 0 with *ret set, -1 when absent or null, -2 when OBJ
 * is not an object (reported). */
static int
json_lookup(struct json_object *obj, const char *key, struct json_object **ret)
{
    struct json_object *val = NULL;

    if (!json_object_is_type(obj, json_type_object)) {
        qvirt_report_internal(_("cannot look up JSON member '%s' in %s"), key,
                              json_type_name(obj));
        return -2;
    }
    if (!json_object_object_get_ex(obj, key, &val) || !val)
        return -1;
    *ret = val;
    return 0;
}

static int
json_wrong_type(const char *key, struct json_object *val, const char *expected)
{
    qvirt_report_internal(_("JSON member '%s' is %s, expected %s"), key, json_type_name(val),
                          expected);
    return -2;
}

int
qvirt_json_get_string(struct json_object *obj, const char *key, const char **ret)
{
    struct json_object *val;
    const char *str;
    int rc = json_lookup(obj, key, &val);

    if (rc < 0)
        return rc;
    if (!json_object_is_type(val, json_type_string))
        return json_wrong_type(key, val, _("a string"));
    str = json_object_get_string(val);
    if (strlen(str) != (size_t)json_object_get_string_len(val)) {
        qvirt_report_internal(_("JSON member '%s' is a string with a NUL character"), key);
        return -2;
    }
    *ret = str;
    return 0;
}

int
qvirt_json_get_int64(struct json_object *obj, const char *key, int64_t *ret)
{
    struct json_object *val;
    int64_t num;
    int rc = json_lookup(obj, key, &val);

    if (rc < 0)
        return rc;
    if (!json_object_is_type(val, json_type_int))
        return json_wrong_type(key, val, _("an integer"));
    num = json_object_get_int64(val);
    /* json-c keeps values above INT64_MAX as unsigned and clamps them here. */
    if (num == INT64_MAX && json_object_get_uint64(val) > (uint64_t)INT64_MAX) {
        qvirt_report_internal(_("JSON member '%s' is out of range: %" G_GUINT64_FORMAT),
                              key, (guint64)json_object_get_uint64(val));
        return -2;
    }
    *ret = num;
    return 0;
}

int
qvirt_json_get_uint64(struct json_object *obj, const char *key, uint64_t *ret)
{
    struct json_object *val;
    int rc = json_lookup(obj, key, &val);

    if (rc < 0)
        return rc;
    if (!json_object_is_type(val, json_type_int))
        return json_wrong_type(key, val, _("a non-negative integer"));
    if (json_object_get_int64(val) < 0) {
        qvirt_report_internal(_("JSON member '%s' is negative: %" G_GINT64_FORMAT), key,
                              (gint64)json_object_get_int64(val));
        return -2;
    }
    *ret = json_object_get_uint64(val);
    return 0;
}

int
qvirt_json_get_double(struct json_object *obj, const char *key, double *ret)
{
    struct json_object *val;
    int rc = json_lookup(obj, key, &val);

    if (rc < 0)
        return rc;
    if (!json_object_is_type(val, json_type_double) && !json_object_is_type(val, json_type_int))
        return json_wrong_type(key, val, _("a number"));
    *ret = json_object_get_double(val);
    return 0;
}

int
qvirt_json_get_bool(struct json_object *obj, const char *key, bool *ret)
{
    struct json_object *val;
    int rc = json_lookup(obj, key, &val);

    if (rc < 0)
        return rc;
    if (!json_object_is_type(val, json_type_boolean))
        return json_wrong_type(key, val, _("a boolean"));
    *ret = json_object_get_boolean(val);
    return 0;
}

int
qvirt_json_get_object(struct json_object *obj, const char *key, struct json_object **ret)
{
    struct json_object *val;
    int rc = json_lookup(obj, key, &val);

    if (rc < 0)
        return rc;
    if (!json_object_is_type(val, json_type_object))
        return json_wrong_type(key, val, _("an object"));
    *ret = val;
    return 0;
}

int
qvirt_json_get_array(struct json_object *obj, const char *key, struct json_object **ret)
{
    struct json_object *val;
    int rc = json_lookup(obj, key, &val);

    if (rc < 0)
        return rc;
    if (!json_object_is_type(val, json_type_array))
        return json_wrong_type(key, val, _("an array"));
    *ret = val;
    return 0;
}

char *
qvirt_json_to_string(struct json_object *obj)
{
    return g_strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
}

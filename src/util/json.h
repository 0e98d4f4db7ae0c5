/* json.h: strict JSON parsing and typed member getters over json-c, for QMP
 * replies and events from QEMU and other JSON read from outside.
 *
 * Contract:
 * - qvirt_json_parse accepts exactly one JSON value, optionally surrounded by
 *   whitespace, of valid UTF-8, nested at most QVIRT_JSON_MAX_DEPTH deep.
 *   Anything else (trailing data, truncation, a NUL byte, bad UTF-8) fails
 *   with INTERNAL_ERROR naming WHAT and the reason. INTERNAL_ERROR is the
 *   code libvirt uses for unparsable monitor replies, which remote clients
 *   already know how to show.
 * - The getters look up KEY in the object OBJ and return 0 with *ret written
 *   when found with the right type, -1 when absent or JSON null (nothing
 *   reported), and -2 when present with the wrong type (INTERNAL_ERROR naming
 *   the key and the expected type). A non-object OBJ is also -2.
 * - Returned objects and strings are borrowed from OBJ: they live as long as
 *   OBJ does. json-c clamps integers beyond 64 bits to the nearest limit. */
#pragma once

#include <glib.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct json_object QvirtJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvirtJson, json_object_put)

/* Deeper nesting than this is rejected by qvirt_json_parse. */
#define QVIRT_JSON_MAX_DEPTH 64

/* Parse LEN bytes of TEXT (need not be NUL-terminated). WHAT names the text
 * in errors ("QMP reply"). Returns a new reference (release with
 * json_object_put or g_autoptr(QvirtJson)), or NULL with INTERNAL_ERROR.
 * The JSON text "null" is a valid value but returns NULL too: it fails with
 * "unexpected null value", since no qvirt input is a bare null. */
struct json_object *qvirt_json_parse(const char *text, size_t len, const char *what);

/* A string member without NUL characters (a string holding "\u0000" is the
 * wrong type: it would be cut short as a C string). */
int qvirt_json_get_string(struct json_object *obj, const char *key, const char **ret);
/* An integer member (a floating point number is the wrong type). */
int qvirt_json_get_int64(struct json_object *obj, const char *key, int64_t *ret);
/* A non-negative integer member. */
int qvirt_json_get_uint64(struct json_object *obj, const char *key, uint64_t *ret);
/* Any number member. */
int qvirt_json_get_double(struct json_object *obj, const char *key, double *ret);
int qvirt_json_get_bool(struct json_object *obj, const char *key, bool *ret);
int qvirt_json_get_object(struct json_object *obj, const char *key, struct json_object **ret);
int qvirt_json_get_array(struct json_object *obj, const char *key, struct json_object **ret);

/* OBJ as compact JSON without escaping '/' (NULL gives "null"); free with g_free. */
char *qvirt_json_to_string(struct json_object *obj);

/* test-json.c: strict JSON parsing and the typed member getters. */
#include <config.h>

#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/json.h"

static struct json_object *
json_parse_str(const char *text)
{
    return qvirt_json_parse(text, strlen(text), "QMP reply");
}

/* Assert that TEXT (LEN bytes) is rejected with an error containing NEEDLE. */
static void
json_assert_rejected(const char *text, size_t len, const char *needle)
{
    qvirt_error_reset();
    g_assert_null(qvirt_json_parse(text, len, "QMP reply"));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "cannot parse QMP reply: ");
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, needle);
}

static void
test_json_parse(void)
{
    static const char *const good[] = {
        "{\"return\": {}}",
        "  {\"return\": {}}\r\n",
        "[1, 2.5, \"x\", true, false, null]",
        "42",
        "-1.5e3",
        "\"just a string\"",
        "true",
        "{\"a\": \"caf\xc3\xa9\"}",
    };
    g_autoptr(QvirtJson) obj = NULL;
    g_autoptr(QvirtJson) partial = NULL;
    struct json_object *ret = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autoptr(QvirtJson) val = json_parse_str(good[i]);

        g_test_message("good '%s'", good[i]);
        g_assert_nonnull(val);
    }

    obj = json_parse_str("{\"return\": {\"status\": \"running\"}, \"id\": \"libvirt-1\"}");
    g_assert_nonnull(obj);
    g_assert_cmpint(qvirt_json_get_object(obj, "return", &ret), ==, 0);
    g_assert_true(json_object_is_type(ret, json_type_object));

    /* LEN bounds the text: no NUL terminator is needed at LEN. */
    partial = qvirt_json_parse("123456", 3, "QMP reply");
    g_assert_nonnull(partial);
    g_assert_cmpint(json_object_get_int64(partial), ==, 123);
}

static void
test_json_rejected(void)
{
    json_assert_rejected("{\"a\": 1} x", 10, "offset");
    json_assert_rejected("{\"a\": 1}{\"b\": 2}", 16, "offset 8");
    json_assert_rejected("[1] ]", 5, "offset");
    json_assert_rejected("1 2", 3, "offset");
    json_assert_rejected("{\"a\": ", 6, "unexpected end of data");
    json_assert_rejected("{\"return\": {\"status\": \"runn", 27, "unexpected end of data");
    json_assert_rejected("[1, 2", 5, "unexpected end of data");
    json_assert_rejected("\"abc", 4, "unexpected end of data");
    json_assert_rejected("", 0, "unexpected end of data");
    json_assert_rejected("   ", 3, "unexpected end of data");
    json_assert_rejected("[1, 2,]", 7, "QMP reply");
    json_assert_rejected("{\"a\": 'b'}", 10, "QMP reply");
    json_assert_rejected("[01]", 4, "QMP reply");
    json_assert_rejected("[TRUE]", 6, "QMP reply");
    json_assert_rejected("{\"a\": 1}\0", 9, "NUL byte at offset 8");
    json_assert_rejected("null", 4, "unexpected null value");
    json_assert_rejected(NULL, 0, "no text");
}

static void
test_json_nesting_bomb(void)
{
    const size_t n = 100000;
    g_autofree char *bomb = g_malloc(n);
    g_autofree char *objs = NULL;
    GString *ok = g_string_new(NULL);
    g_autoptr(QvirtJson) val = NULL;

    memset(bomb, '[', n);
    json_assert_rejected(bomb, n, "QMP reply");

    objs = g_strnfill(n, '{');
    json_assert_rejected(objs, n, "QMP reply");

    /* Nesting below the limit is fine. */
    for (int i = 0; i < QVIRT_JSON_MAX_DEPTH - 1; i++)
        g_string_append_c(ok, '[');
    for (int i = 0; i < QVIRT_JSON_MAX_DEPTH - 1; i++)
        g_string_append_c(ok, ']');
    val = qvirt_json_parse(ok->str, ok->len, "QMP reply");
    g_assert_nonnull(val);
    g_string_free(ok, TRUE);
}

static void
test_json_non_utf8(void)
{
    static const char *const bad[] = {
        "\"\xff\"",
        "{\"a\": \"\xc3\"}",
        "{\"\xfe\xff\": 1}",
        "\xef\xbb\xbf{}",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("bad %zu", i);
        json_assert_rejected(bad[i], strlen(bad[i]), "QMP reply");
    }
}

static void
test_json_getters(void)
{
    g_autoptr(QvirtJson) obj = json_parse_str("{\"s\": \"text\", \"i\": -5,"
                                              " \"u\": 18446744073709551615,"
                                              " \"big\": 9223372036854775807, \"d\": 2.5,"
                                              " \"b\": true, \"o\": {\"x\": 1}, \"a\": [1, 2],"
                                              " \"n\": null, \"z\": \"a\\u0000b\"}");
    const char *s = NULL;
    int64_t i = 0;
    uint64_t u = 0;
    double d = 0;
    bool b = false;
    struct json_object *o = NULL;
    struct json_object *a = NULL;

    g_assert_nonnull(obj);
    g_assert_cmpint(qvirt_json_get_string(obj, "s", &s), ==, 0);
    g_assert_cmpstr(s, ==, "text");
    g_assert_cmpint(qvirt_json_get_int64(obj, "i", &i), ==, 0);
    g_assert_cmpint(i, ==, -5);
    g_assert_cmpint(qvirt_json_get_int64(obj, "big", &i), ==, 0);
    g_assert_cmpint(i, ==, G_MAXINT64);
    g_assert_cmpint(qvirt_json_get_uint64(obj, "u", &u), ==, 0);
    g_assert_cmpuint(u, ==, G_MAXUINT64);
    g_assert_cmpint(qvirt_json_get_uint64(obj, "big", &u), ==, 0);
    g_assert_cmpuint(u, ==, (uint64_t)G_MAXINT64);
    g_assert_cmpint(qvirt_json_get_double(obj, "d", &d), ==, 0);
    g_assert_cmpfloat(d, ==, 2.5);
    g_assert_cmpint(qvirt_json_get_double(obj, "i", &d), ==, 0);
    g_assert_cmpfloat(d, ==, -5.0);
    g_assert_cmpint(qvirt_json_get_bool(obj, "b", &b), ==, 0);
    g_assert_true(b);
    g_assert_cmpint(qvirt_json_get_object(obj, "o", &o), ==, 0);
    g_assert_cmpint(json_object_object_length(o), ==, 1);
    g_assert_cmpint(qvirt_json_get_array(obj, "a", &a), ==, 0);
    g_assert_cmpuint(json_object_array_length(a), ==, 2);

    /* Absent or null: -1, untouched, nothing reported. */
    qvirt_error_reset();
    s = "unchanged";
    g_assert_cmpint(qvirt_json_get_string(obj, "missing", &s), ==, -1);
    g_assert_cmpint(qvirt_json_get_string(obj, "n", &s), ==, -1);
    g_assert_cmpint(qvirt_json_get_int64(obj, "missing", &i), ==, -1);
    g_assert_cmpint(qvirt_json_get_uint64(obj, "n", &u), ==, -1);
    g_assert_cmpint(qvirt_json_get_double(obj, "missing", &d), ==, -1);
    g_assert_cmpint(qvirt_json_get_bool(obj, "missing", &b), ==, -1);
    g_assert_cmpint(qvirt_json_get_object(obj, "n", &o), ==, -1);
    g_assert_cmpint(qvirt_json_get_array(obj, "missing", &a), ==, -1);
    g_assert_null(qvirt_error_get_last());
    g_assert_cmpstr(s, ==, "unchanged");

    /* Wrong type: -2 naming the key and the expected type. */
    g_assert_cmpint(qvirt_json_get_string(obj, "i", &s), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "JSON member 'i' is an integer, "
                                                      "expected a string");
    g_assert_cmpint(qvirt_json_get_int64(obj, "d", &i), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'d' is a floating point number, "
                                                      "expected an integer");
    g_assert_cmpint(qvirt_json_get_int64(obj, "s", &i), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'s' is a string, expected an integer");
    g_assert_cmpint(qvirt_json_get_int64(obj, "u", &i), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'u' is out of range");
    g_assert_cmpint(qvirt_json_get_uint64(obj, "i", &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'i' is negative");
    g_assert_cmpint(qvirt_json_get_uint64(obj, "d", &u), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "expected a non-negative integer");
    g_assert_cmpint(qvirt_json_get_double(obj, "b", &d), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'b' is a boolean, expected a number");
    g_assert_cmpint(qvirt_json_get_bool(obj, "s", &b), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "expected a boolean");
    g_assert_cmpint(qvirt_json_get_object(obj, "a", &o), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'a' is an array, expected an object");
    g_assert_cmpint(qvirt_json_get_array(obj, "o", &a), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'o' is an object, expected an array");
    g_assert_cmpint(qvirt_json_get_string(obj, "z", &s), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "'z' is a string with a NUL character");
    g_assert_cmpstr(s, ==, "unchanged");
    g_assert_cmpint(i, ==, G_MAXINT64);

    /* Looking up in something that is not an object. */
    g_assert_cmpint(qvirt_json_get_string(a, "x", &s), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "cannot look up JSON member 'x' in an array");
    g_assert_cmpint(qvirt_json_get_string(NULL, "x", &s), ==, -2);
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "cannot look up JSON member 'x'");
}

static void
test_json_to_string(void)
{
    g_autoptr(QvirtJson) obj = json_object_new_object();
    g_autoptr(QvirtJson) parsed = NULL;
    g_autofree char *text = NULL;
    g_autofree char *again = NULL;
    g_autofree char *null_text = qvirt_json_to_string(NULL);

    json_object_object_add(obj, "execute", json_object_new_string("blockdev-add"));
    json_object_object_add(obj, "path", json_object_new_string("/var/lib/a \"b\".img"));
    json_object_object_add(obj, "size", json_object_new_uint64(G_MAXUINT64));
    text = qvirt_json_to_string(obj);
    g_assert_cmpstr(text, ==,
                    "{\"execute\":\"blockdev-add\",\"path\":\"/var/lib/a \\\"b\\\".img\","
                    "\"size\":18446744073709551615}");
    g_assert_cmpstr(null_text, ==, "null");

    parsed = qvirt_json_parse(text, strlen(text), "round trip");
    g_assert_nonnull(parsed);
    again = qvirt_json_to_string(parsed);
    g_assert_cmpstr(again, ==, text);
}

void
test_json_register(void)
{
    g_test_add_func("/util/json/parse", test_json_parse);
    g_test_add_func("/util/json/rejected", test_json_rejected);
    g_test_add_func("/util/json/nesting-bomb", test_json_nesting_bomb);
    g_test_add_func("/util/json/non-utf8", test_json_non_utf8);
    g_test_add_func("/util/json/getters", test_json_getters);
    g_test_add_func("/util/json/to-string", test_json_to_string);
}

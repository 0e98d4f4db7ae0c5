/* test-uuid.c: UUID parsing (canonical and lenient forms), formatting and
 * random generation. */
#include <config.h>

#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/uuid.h"

static const unsigned char uuid_bytes[QVIRT_UUID_BUFLEN] = {
    0xc7, 0xa5, 0xfd, 0xbd, 0xed, 0xaf, 0x9c, 0x4e, 0x92, 0x3b, 0x4f, 0x5e, 0x1a, 0xb5, 0x0e, 0x7d,
};

static void
test_uuid_round_trip(void)
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    char str[QVIRT_UUID_STRING_BUFLEN];

    g_assert_cmpint(qvirt_uuid_parse("c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d", uuid), ==, 0);
    g_assert_cmpmem(uuid, sizeof(uuid), uuid_bytes, sizeof(uuid_bytes));
    qvirt_uuid_format(uuid, str);
    g_assert_cmpstr(str, ==, "c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d");
    g_assert_cmpuint(strlen(str), ==, QVIRT_UUID_STRING_BUFLEN - 1);

    /* Upper case is accepted; the output is always lower case. */
    g_assert_cmpint(qvirt_uuid_parse("C7A5FDBD-EDAF-9C4E-923B-4F5E1AB50E7D", uuid), ==, 0);
    g_assert_cmpmem(uuid, sizeof(uuid), uuid_bytes, sizeof(uuid_bytes));
    qvirt_uuid_format(uuid, str);
    g_assert_cmpstr(str, ==, "c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d");
}

static void
test_uuid_lenient(void)
{
    static const char *const forms[] = {
        "c7a5fdbdedaf9c4e923b4f5e1ab50e7d",
        "  c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d\n",
        "\tc7-a5-fd-bd-ed-af-9c-4e-92-3b-4f-5e-1a-b5-0e-7d ",
        "c7a5-fdbd-edaf-9c4e-923b-4f5e-1ab5-0e7d",
        "C7a5FdbdEdaf9c4e923b4f5e1aB50e7D",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
        unsigned char uuid[QVIRT_UUID_BUFLEN] = { 0 };

        g_test_message("form '%s'", forms[i]);
        g_assert_cmpint(qvirt_uuid_parse(forms[i], uuid), ==, 0);
        g_assert_cmpmem(uuid, sizeof(uuid), uuid_bytes, sizeof(uuid_bytes));
    }
}

static void
test_uuid_invalid(void)
{
    static const char *const bad[] = {
        "",
        "   ",
        "c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7",         /* one digit short */
        "c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e",          /* one byte short */
        "c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d00",      /* one byte long */
        "c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d-",       /* trailing dash */
        "g7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d",        /* non-hex */
        "c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d junk",   /* trailing junk */
        "c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7dx",
        "-c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d",       /* leading dash */
        "c7a5fdbd--edaf-9c4e-923b-4f5e1ab50e7d",       /* two dashes */
        "c7a5fdb-dedaf-9c4e-923b-4f5e1ab50e7d",        /* dash inside a byte */
        "0xc7a5fdbdedaf9c4e923b4f5e1ab50e7d",
        "{c7a5fdbd-edaf-9c4e-923b-4f5e1ab50e7d}",
    };
    unsigned char uuid[QVIRT_UUID_BUFLEN];

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *needle = g_strdup_printf("invalid UUID '%s'", bad[i]);

        g_test_message("bad '%s'", bad[i]);
        memset(uuid, 0xaa, sizeof(uuid));
        qvirt_error_reset();
        g_assert_cmpint(qvirt_uuid_parse(bad[i], uuid), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, needle);
        /* The output is written only on success. */
        for (size_t j = 0; j < sizeof(uuid); j++)
            g_assert_cmpuint(uuid[j], ==, 0xaa);
    }

    qvirt_error_reset();
    g_assert_cmpint(qvirt_uuid_parse(NULL, uuid), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "missing UUID");
}

static void
test_uuid_generate(void)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (int i = 0; i < 100; i++) {
        unsigned char uuid[QVIRT_UUID_BUFLEN];
        unsigned char parsed[QVIRT_UUID_BUFLEN];
        char str[QVIRT_UUID_STRING_BUFLEN];

        qvirt_uuid_generate(uuid);
        g_assert_cmpuint(uuid[6] >> 4, ==, 4);       /* version 4 */
        g_assert_cmpuint(uuid[8] & 0xc0, ==, 0x80);  /* RFC 4122 variant */
        g_assert_false(qvirt_uuid_is_nil(uuid));
        qvirt_uuid_format(uuid, str);
        g_assert_cmpint(str[14], ==, '4');
        g_assert_true(strchr("89ab", str[19]) != NULL);
        g_assert_cmpint(qvirt_uuid_parse(str, parsed), ==, 0);
        g_assert_cmpmem(parsed, sizeof(parsed), uuid, sizeof(uuid));
        g_assert_true(g_hash_table_add(seen, g_strdup(str)));
    }
    g_assert_cmpuint(g_hash_table_size(seen), ==, 100);
}

static void
test_uuid_nil(void)
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    char str[QVIRT_UUID_STRING_BUFLEN];

    g_assert_cmpint(qvirt_uuid_parse("00000000-0000-0000-0000-000000000000", uuid), ==, 0);
    g_assert_true(qvirt_uuid_is_nil(uuid));
    qvirt_uuid_format(uuid, str);
    g_assert_cmpstr(str, ==, "00000000-0000-0000-0000-000000000000");
    uuid[15] = 1;
    g_assert_false(qvirt_uuid_is_nil(uuid));
    g_assert_false(qvirt_uuid_is_nil(uuid_bytes));
}

void
test_uuid_register(void)
{
    g_test_add_func("/util/uuid/round-trip", test_uuid_round_trip);
    g_test_add_func("/util/uuid/lenient", test_uuid_lenient);
    g_test_add_func("/util/uuid/invalid", test_uuid_invalid);
    g_test_add_func("/util/uuid/generate", test_uuid_generate);
    g_test_add_func("/util/uuid/nil", test_uuid_nil);
}

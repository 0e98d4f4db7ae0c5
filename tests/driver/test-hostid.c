/* test-hostid.c: the host UUID (driver/hostid.h): a UUID set wins; else
 * the machine id file (good, malformed, all zero, missing); else a UUID
 * derived from the host name (stable, different per name, version 5);
 * a nil UUID refused; NULL forgetting the set one. */
#include <config.h>

#include <glib/gstdio.h>
#include <string.h>

#include "driver/hostid.h"
#include "driver/hostid_priv.h"
#include "suites.h"
#include "testutil.h"
#include "util/error.h"
#include "util/uuid.h"

typedef struct {
    char *dir;
    char *machine_id;
} HostidFixture;

static void
hostid_setup(HostidFixture *f, gconstpointer data)
{
    f->dir = qvirt_test_mkdtemp();
    f->machine_id = g_build_filename(f->dir, "machine-id", NULL);
    qv_host_uuid_reset_for_tests(f->machine_id, "host-a.example");
}

static void
hostid_teardown(HostidFixture *f, gconstpointer data)
{
    qv_host_uuid_reset_for_tests(NULL, NULL);
    qvirt_test_rmtree(f->dir);
    g_free(f->dir);
    g_free(f->machine_id);
}

static void
hostid_format(char ret_str[QVIRT_UUID_STRING_BUFLEN])
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];

    g_assert_cmpint(qv_host_uuid_get(uuid), ==, 0);
    qvirt_uuid_format(uuid, ret_str);
}

static void
test_hostid_set(HostidFixture *f, gconstpointer data)
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];
    unsigned char nil[QVIRT_UUID_BUFLEN] = {0};
    char str[QVIRT_UUID_STRING_BUFLEN];

    g_assert_true(
        g_file_set_contents(f->machine_id, "0123456789abcdef0123456789abcdef\n", -1, NULL));
    g_assert_cmpint(qvirt_uuid_parse("6695eb01-f6a4-8304-79aa-97f3502e193f", uuid), ==, 0);
    g_assert_cmpint(qv_host_uuid_set(uuid), ==, 0);
    hostid_format(str);
    g_assert_cmpstr(str, ==, "6695eb01-f6a4-8304-79aa-97f3502e193f");

    /* A nil UUID is refused and changes nothing. */
    g_assert_cmpint(qv_host_uuid_set(nil), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "must not be all zero");
    hostid_format(str);
    g_assert_cmpstr(str, ==, "6695eb01-f6a4-8304-79aa-97f3502e193f");

    /* NULL forgets it: the machine id answers again. */
    g_assert_cmpint(qv_host_uuid_set(NULL), ==, 0);
    hostid_format(str);
    g_assert_cmpstr(str, ==, "01234567-89ab-cdef-0123-456789abcdef");
}

static void
test_hostid_machine_id(HostidFixture *f, gconstpointer data)
{
    char str[QVIRT_UUID_STRING_BUFLEN];

    g_assert_true(
        g_file_set_contents(f->machine_id, "FEDCBA98765432100123456789ABCDEF\n", -1, NULL));
    hostid_format(str);
    g_assert_cmpstr(str, ==, "fedcba98-7654-3210-0123-456789abcdef");
    /* Computed once: a changed file is not read again. */
    g_assert_true(g_file_set_contents(f->machine_id, "11111111111111111111111111111111", -1, NULL));
    hostid_format(str);
    g_assert_cmpstr(str, ==, "fedcba98-7654-3210-0123-456789abcdef");
}

/* The UUID for machine-id content TEXT (NULL: no file) and host NAME. */
static void
hostid_fallback(HostidFixture *f, const char *text, const char *name,
                char ret_str[QVIRT_UUID_STRING_BUFLEN])
{
    g_unlink(f->machine_id);
    if (text)
        g_assert_true(g_file_set_contents(f->machine_id, text, -1, NULL));
    qv_host_uuid_reset_for_tests(f->machine_id, name);
    hostid_format(ret_str);
}

static void
test_hostid_hostname(HostidFixture *f, gconstpointer data)
{
    char a[QVIRT_UUID_STRING_BUFLEN];
    char b[QVIRT_UUID_STRING_BUFLEN];
    char c[QVIRT_UUID_STRING_BUFLEN];
    static const char *const bad[] = {
        "00000000000000000000000000000000\n", /* all zero */
        "0123456789abcdef0123456789abcde\n",  /* too short */
        "0123456789abcdef0123456789abcdeg\n", /* not hex */
        "",
    };

    hostid_fallback(f, NULL, "host-a.example", a);
    hostid_fallback(f, NULL, "host-a.example", b);
    hostid_fallback(f, NULL, "host-b.example", c);
    g_assert_cmpstr(a, ==, b);
    g_assert_cmpstr(a, !=, c);
    /* Version 5, RFC 4122 variant. */
    g_assert_cmpint(a[14], ==, '5');
    g_assert_nonnull(strchr("89ab", a[19]));
    g_assert_cmpstr(a, !=, "00000000-0000-0000-0000-000000000000");

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        hostid_fallback(f, bad[i], "host-a.example", b);
        g_assert_cmpstr(a, ==, b);
    }
}

static void
test_hostid_real_host(HostidFixture *f, gconstpointer data)
{
    unsigned char uuid[QVIRT_UUID_BUFLEN];

    /* Whatever this machine has, the answer is never nil. */
    qv_host_uuid_reset_for_tests(NULL, NULL);
    g_assert_cmpint(qv_host_uuid_get(uuid), ==, 0);
    g_assert_false(qvirt_uuid_is_nil(uuid));
}

#define HOSTID_CASE(path, fn)                                                                      \
    g_test_add("/driver/hostid/" path, HostidFixture, NULL, hostid_setup, fn, hostid_teardown)

void
test_hostid_register(void)
{
    HOSTID_CASE("set", test_hostid_set);
    HOSTID_CASE("machine-id", test_hostid_machine_id);
    HOSTID_CASE("hostname", test_hostid_hostname);
    HOSTID_CASE("real-host", test_hostid_real_host);
}

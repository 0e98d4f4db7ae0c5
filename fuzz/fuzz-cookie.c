/* fuzz-cookie.c: libFuzzer target for the migration cookie parser.
 *
 * Feeds arbitrary bytes to qemu_migration_cookie_parse(), with every section
 * accepted and a fixed local host UUID (so the same-host refusal is
 * reachable), and again with only some sections accepted and no host check.
 * Whatever the input, the parser must not crash or leak. A cookie it accepts
 * must format to text that parses again and formats identically (the fixed
 * point), and its <domain> and <cpu> texts must parse on their own;
 * otherwise the target aborts. */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/qemu_migration_cookie.h"
#include "util/log.h"
#include "util/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same host UUID as tests/qemumigration/test-cookie.c. */
static unsigned char fuzz_local_host_uuid[QVIRT_UUID_BUFLEN];

static void
fuzz_init_once(void)
{
    static gboolean done;

    if (done)
        return;
    done = TRUE;
    /* Rejected inputs log errors; keep the fuzzer's output readable. */
    qvirt_log_set_outputs("4:file:/dev/null");
    if (qvirt_uuid_parse("7a1d3a6e-0c0a-4b8e-9a39-1c2b3d4e5f60", fuzz_local_host_uuid) < 0)
        abort();
}

static void
fuzz_check_standalone(const char *xml)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!xml)
        return;
    if (!(doc = qvirt_xml_parse_string(xml, "fuzz section", NULL)))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    g_autoptr(QemuMigrationCookie) again = NULL;
    g_autoptr(QemuMigrationCookie) partial = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;

    fuzz_init_once();
    if (size > INT_MAX)
        return 0;

    partial =
        qemu_migration_cookie_parse((const char *)data, (int)size,
                                    QEMU_MIGRATION_COOKIE_NBD | QEMU_MIGRATION_COOKIE_CAPS, NULL);

    cookie = qemu_migration_cookie_parse((const char *)data, (int)size, QEMU_MIGRATION_COOKIE_ALL,
                                         fuzz_local_host_uuid);
    if (!cookie)
        return 0;
    fuzz_check_standalone(cookie->persistent_xml);
    fuzz_check_standalone(cookie->cpu_xml);
    out = qemu_migration_cookie_format(cookie);
    /* Escaping may grow a cookie past the parser's limit. */
    if (strlen(out) > QEMU_MIGRATION_COOKIE_MAX_LEN)
        return 0;
    again = qemu_migration_cookie_parse(out, (int)strlen(out), QEMU_MIGRATION_COOKIE_ALL,
                                        fuzz_local_host_uuid);
    if (!again)
        abort();
    out2 = qemu_migration_cookie_format(again);
    if (strcmp(out, out2) != 0)
        abort();
    return 0;
}

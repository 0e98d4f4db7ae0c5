/* test-qemustatus.c: the QEMU driver's elements of the status XML
 * (qemu_domain_status.h): formatting, the round trip through the parser,
 * and the strict parsing of bad elements. */
#include <config.h>

#include <string.h>

#include "conf/domain_status.h"
#include "qemu/qemu_domain_status.h"
#include "qemu/qemu_process.h"
#include "testutil.h"
#include "util/error.h"

#include "test-qemustatus.h"

static const char *status_domain =
    "  <domain type='qemu' id='3'>\n"
    "    <name>vm1</name>\n"
    "    <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
    "    <memory unit='KiB'>262144</memory>\n"
    "    <vcpu>1</vcpu>\n"
    "    <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
    "  </domain>\n";

/* A status document with EXTRA as the driver's elements. */
static char *
status_doc(const char *extra)
{
    return g_strdup_printf("<domstatus state='running' reason='booted' pid='4242' "
                           "pidStartTime='77'>\n"
                           "  <monitor path='/run/q/vm1.monitor' type='unix'/>\n"
                           "%s%s</domstatus>\n",
                           extra, status_domain);
}

static DomainObj *
parse(QemuDriver *driver, const char *extra, DomainStatusExtra **ret_extra)
{
    DomainStatusHooks hooks;
    g_autofree char *xml = status_doc(extra);

    qemu_domain_status_hooks_init(&hooks, driver);
    return domain_status_parse_string(xml, "vm1.xml", &hooks, ret_extra);
}

static void
test_round_trip(void)
{
    QemuDriver driver = {0};
    DomainStatusHooks hooks;
    g_autoptr(DomainStatusExtra) extra = NULL;
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainObj) again = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    QemuDomainPrivate *priv;

    vm = parse(&driver,
               "  <hmpMonitor path='/run/q/vm1.hmp'/>\n"
               "  <logFile path='/var/log/q/vm1.log'/>\n"
               "  <libDir path='/var/lib/q/domain-vm1'/>\n",
               &extra);
    if (!vm)
        g_error("%s", qvirt_error_last_message());
    priv = qemu_domain_private(vm);
    g_assert_nonnull(priv);
    g_assert_true(priv->driver == &driver);
    g_assert_cmpstr(priv->hmp_path, ==, "/run/q/vm1.hmp");
    g_assert_cmpstr(priv->log_path, ==, "/var/log/q/vm1.log");
    g_assert_cmpstr(priv->lib_dir, ==, "/var/lib/q/domain-vm1");
    g_assert_cmpstr(extra->monitor_path, ==, "/run/q/vm1.monitor");

    qemu_domain_status_hooks_init(&hooks, &driver);
    domain_obj_lock(vm);
    first = domain_status_format(vm, extra, &hooks);
    domain_obj_unlock(vm);
    g_assert_nonnull(strstr(first, "  <hmpMonitor path='/run/q/vm1.hmp'/>\n"
                                   "  <logFile path='/var/log/q/vm1.log'/>\n"
                                   "  <libDir path='/var/lib/q/domain-vm1'/>\n"
                                   "  <domain"));
    again = domain_status_parse_string(first, "again.xml", &hooks, NULL);
    g_assert_nonnull(again);
    domain_obj_lock(again);
    second = domain_status_format(again, extra, &hooks);
    domain_obj_unlock(again);
    g_assert_cmpstr(second, ==, first);
}

static void
test_optional(void)
{
    QemuDriver driver = {0};
    g_autoptr(DomainObj) vm = parse(&driver, "", NULL);
    QemuDomainPrivate *priv;

    g_assert_nonnull(vm);
    priv = qemu_domain_private(vm);
    g_assert_null(priv->hmp_path);
    g_assert_null(priv->log_path);
}

static void
test_bad(void)
{
    static const struct {
        const char *extra;
        const char *error;
    } cases[] = {
        {"  <logFile path='/a'/>\n  <logFile path='/b'/>\n", "duplicate element <logFile>"},
        {"  <hmpMonitor path='run/vm1.hmp'/>\n", "'run/vm1.hmp' of <hmpMonitor>"},
        {"  <libDir/>\n", "libDir"},
        {"  <logFile path='/a' mode='x'/>\n", "mode"},
        {"  <qemuCaps/>\n", "qemuCaps"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        QemuDriver driver = {0};
        g_autoptr(DomainObj) vm = parse(&driver, cases[i].extra, NULL);

        g_assert_null(vm);
        qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, cases[i].error);
        qvirt_test_assert_error(QVIRT_ERR_XML_ERROR, "vm1.xml");
        qvirt_error_reset();
    }
}

void
test_qemustatus_register(void)
{
    g_test_add_func("/qemuconf/status/round-trip", test_round_trip);
    g_test_add_func("/qemuconf/status/optional", test_optional);
    g_test_add_func("/qemuconf/status/bad", test_bad);
}

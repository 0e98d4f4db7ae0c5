/* test-qemuinterface.c: the taps of a domain's interfaces
 * (qemu/qemu_interface.c) against the real kernel.
 *
 * Like test-netdev, the binary moves itself into a private network
 * namespace first (unshare(CLONE_NEWNET), needs root), so every device it
 * makes lives and dies there. Without root every case is skipped. A bridge
 * "qvibr0" (MTU 1400) exists for all cases; [networks] maps "lan" to it. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu/qemu_interface.h"
#include "testutil.h"
#include "util/error.h"
#include "util/netdev.h"

#define TEST_BRIDGE "qvibr0"
#define TEST_BRIDGE_MTU 1400

static char *skip_reason;

static gboolean
iface_test_skip(void)
{
    if (skip_reason) {
        g_test_skip(skip_reason);
        return TRUE;
    }
    qvirt_error_reset();
    return FALSE;
}

static QemuDriverConfig *
iface_config(gboolean privileged)
{
    QemuDriverConfig *cfg = qemu_driver_config_new(TRUE, "/ROOT");

    cfg->privileged = privileged;
    g_assert_cmpint(
        qemu_driver_config_load_data(cfg, "[networks]\nlan = " TEST_BRIDGE "\n", "test.conf"), ==,
        0);
    return cfg;
}

/* A domain "g" with the interfaces IFACES (XML). */
static DomainDef *
iface_def(const char *ifaces)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'><name>g</name><memory unit='MiB'>64</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>%s</devices></domain>",
        ifaces);
    DomainDef *def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);

    g_assert_nonnull(def);
    return def;
}

/* Devices whose name starts with PREFIX (checked by trying a range). */
static guint
count_devices(const char *prefix)
{
    guint n = 0;

    for (int i = 0; i < 32; i++) {
        g_autofree char *name = g_strdup_printf("%s%d", prefix, i);

        n += qvirt_netdev_exists(name);
    }
    return n;
}

static void
test_bridge_and_network(void)
{
    g_autoptr(QemuDriverConfig) cfg = iface_config(TRUE);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuInterfaceTaps) taps = NULL;
    g_autoptr(GHashTable) record = NULL;
    unsigned char mac[6];
    const int *fds;
    size_t nfds = 0;
    int br_index = 0;
    int master = 0;
    int mtu = 0;
    gboolean up = FALSE;

    if (iface_test_skip())
        return;
    def = iface_def("<interface type='user'/>"
                    "<interface type='bridge'><mac address='52:54:00:aa:bb:01'/>"
                    "<source bridge='" TEST_BRIDGE "'/></interface>"
                    "<interface type='network'><source network='lan'/>"
                    "<target dev='mytap3'/><mtu size='1300'/></interface>");
    taps = qemu_interface_prepare(cfg, def);
    g_assert_nonnull(taps);
    g_assert_null(qvirt_error_get_last());

    fds = qemu_interface_taps_fds(taps, &nfds);
    g_assert_cmpuint(nfds, ==, 3);
    g_assert_cmpint(fds[0], ==, -1);
    g_assert_cmpint(fds[1], >, 2);
    g_assert_cmpint(fds[2], >, 2);

    /* The live definition names the taps. */
    g_assert_null(def->nets[0]->ifname);
    g_assert_true(g_str_has_prefix(def->nets[1]->ifname, "qvnet"));
    g_assert_cmpstr(def->nets[2]->ifname, ==, "mytap3");

    /* Host MAC, MTU of the bridge or of <mtu>, up, port of the bridge. */
    g_assert_cmpint(qvirt_netdev_get_mac(def->nets[1]->ifname, mac), ==, 0);
    g_assert_cmpmem(mac, 6, ((unsigned char[]){0xfe, 0x54, 0x00, 0xaa, 0xbb, 0x01}), 6);
    g_assert_cmpint(qvirt_netdev_get_mtu(def->nets[1]->ifname, &mtu), ==, 0);
    g_assert_cmpint(mtu, ==, TEST_BRIDGE_MTU);
    g_assert_cmpint(qvirt_netdev_get_mtu("mytap3", &mtu), ==, 0);
    g_assert_cmpint(mtu, ==, 1300);
    g_assert_cmpint(qvirt_netdev_get_up("mytap3", &up), ==, 0);
    g_assert_true(up);
    g_assert_cmpint(qvirt_netdev_get_index(TEST_BRIDGE, &br_index), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_master(def->nets[1]->ifname, &master), ==, 0);
    g_assert_cmpint(master, ==, br_index);
    g_assert_cmpint(qvirt_netdev_get_master("mytap3", &master), ==, 0);
    g_assert_cmpint(master, ==, br_index);

    /* Commit: our descriptors close; nobody else holds them here, so the
     * non-persistent taps go away, and the record removes nothing else. */
    record = qemu_interface_taps_commit(taps);
    g_assert_cmpuint(g_hash_table_size(record), ==, 2);
    g_assert_true(g_hash_table_contains(record, "mytap3"));
    g_assert_false(qvirt_netdev_exists("mytap3"));
    qemu_interface_remove_taps(record, "g");
    g_assert_null(qvirt_error_get_last());
}

/* A failure on the second interface removes the first one's tap and names
 * net1. */
static void
test_failed_prepare_leaves_nothing(void)
{
    g_autoptr(QemuDriverConfig) cfg = iface_config(TRUE);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) def2 = NULL;
    g_autoptr(DomainDef) def3 = NULL;

    if (iface_test_skip())
        return;
    def = iface_def("<interface type='bridge'><source bridge='" TEST_BRIDGE "'/>"
                    "<target dev='first0'/></interface>"
                    "<interface type='bridge'><source bridge='nobr0'/></interface>");
    g_assert_null(qemu_interface_prepare(cfg, def));
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING,
                            "interface 'net1' of domain 'g': bridge 'nobr0' does not exist");
    g_assert_false(qvirt_netdev_exists("first0"));
    g_assert_cmpuint(count_devices("qvnet"), ==, 0);

    def2 = iface_def("<interface type='ethernet'><target dev='first1'/></interface>"
                     "<interface type='network'><source network='wan'/></interface>");
    g_assert_null(qemu_interface_prepare(cfg, def2));
    qvirt_test_assert_error(QVIRT_ERR_CONFIG_UNSUPPORTED, "network 'wan' is unknown");
    g_assert_false(qvirt_netdev_exists("first1"));

    def3 = iface_def("<interface type='ethernet'><target dev='pre0' managed='no'/>"
                     "</interface>");
    g_assert_null(qemu_interface_prepare(cfg, def3));
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "tap device 'pre0' does not exist");
}

/* A name somebody else holds: refused, and that device is left alone. */
static void
test_name_taken(void)
{
    g_autoptr(QemuDriverConfig) cfg = iface_config(TRUE);
    g_autoptr(DomainDef) def = NULL;

    if (iface_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_bridge_create("taken0"), ==, 0);
    def = iface_def("<interface type='bridge'><source bridge='" TEST_BRIDGE "'/>"
                    "<target dev='taken0'/></interface>");
    g_assert_null(qemu_interface_prepare(cfg, def));
    qvirt_test_assert_error(QVIRT_ERR_RESOURCE_BUSY,
                            "interface 'net0' of domain 'g': cannot create tap device 'taken0'");
    g_assert_true(qvirt_netdev_exists("taken0"));
    g_assert_cmpint(qvirt_netdev_delete("taken0"), ==, 0);
}

/* A persistent tap nobody holds, as `ip tuntap add` makes it. */
static void
make_persistent_tap(const char *name)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

    g_assert_cmpint(fd, >=, 0);
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
    g_assert_cmpint(ioctl(fd, TUNSETIFF, &ifr), ==, 0);
    g_assert_cmpint(ioctl(fd, TUNSETPERSIST, 1), ==, 0);
    close(fd);
}

/* managed='no': the existing tap is opened, not changed, never removed. */
static void
test_unmanaged(void)
{
    g_autoptr(QemuDriverConfig) cfg = iface_config(FALSE);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuInterfaceTaps) taps = NULL;
    g_autoptr(GHashTable) record = NULL;
    g_autoptr(GHashTable) found = NULL;
    gboolean up = TRUE;
    const int *fds;
    size_t nfds = 0;
    int master = -1;

    if (iface_test_skip())
        return;
    make_persistent_tap("pre1");
    def = iface_def("<interface type='ethernet'><target dev='pre1' managed='no'/></interface>");
    taps = qemu_interface_prepare(cfg, def);
    g_assert_nonnull(taps);
    fds = qemu_interface_taps_fds(taps, &nfds);
    g_assert_cmpuint(nfds, ==, 1);
    g_assert_cmpint(fds[0], >, 2);
    g_assert_cmpstr(def->nets[0]->ifname, ==, "pre1");
    /* Left as the user made it: down, no master. */
    g_assert_cmpint(qvirt_netdev_get_up("pre1", &up), ==, 0);
    g_assert_false(up);
    g_assert_cmpint(qvirt_netdev_get_master("pre1", &master), ==, 0);
    g_assert_cmpint(master, ==, 0);

    record = qemu_interface_taps_commit(taps);
    g_assert_cmpuint(g_hash_table_size(record), ==, 0);
    g_clear_pointer(&taps, qemu_interface_taps_free);
    found = qemu_interface_find_taps(def);
    g_assert_cmpuint(g_hash_table_size(found), ==, 0);
    g_assert_true(qvirt_netdev_exists("pre1"));
    g_assert_cmpint(qvirt_netdev_delete("pre1"), ==, 0);
}

/* Removal deletes only a device with the recorded ifindex. */
static void
test_remove_checks_index(void)
{
    g_autoptr(GHashTable) record = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(GHashTable) found = NULL;
    int index = 0;

    if (iface_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_bridge_create("other0"), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_index("other0", &index), ==, 0);
    g_hash_table_insert(record, g_strdup("other0"), GINT_TO_POINTER(index + 1000));
    g_hash_table_insert(record, g_strdup("gone0"), GINT_TO_POINTER(5));
    qemu_interface_remove_taps(record, "g");
    g_assert_true(qvirt_netdev_exists("other0"));
    g_assert_null(qvirt_error_get_last());

    /* Found again by name (a restart), then removed at stop. */
    def = iface_def("<interface type='ethernet'><target dev='other0'/></interface>"
                    "<interface type='ethernet'><target dev='gone1'/></interface>");
    found = qemu_interface_find_taps(def);
    g_assert_cmpuint(g_hash_table_size(found), ==, 1);
    g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(found, "other0")), ==, index);
    qemu_interface_remove_taps(found, "g");
    g_assert_false(qvirt_netdev_exists("other0"));
}

/* Drop CAP_NET_ADMIN from this (child) process's effective set. */
static int
drop_net_admin(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &hdr, data) < 0)
        return -1;
    data[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
    return (int)syscall(SYS_capset, &hdr, data);
}

/* In a child without CAP_NET_ADMIN: 0 when a session config refuses a
 * bridge interface with the clear error and a system config lets the
 * kernel refuse it (OPERATION_DENIED too). */
static int
session_child(void)
{
    g_autoptr(QemuDriverConfig) session = iface_config(FALSE);
    g_autoptr(DomainDef) def =
        iface_def("<interface type='bridge'><source bridge='" TEST_BRIDGE "'/></interface>");

    if (drop_net_admin() < 0 || qvirt_netdev_have_net_admin())
        return 2;
    if (qemu_interface_prepare(session, def) ||
        qvirt_error_last_code() != QVIRT_ERR_OPERATION_DENIED ||
        !strstr(qvirt_error_last_message(), "bridge interfaces need the system daemon (root)"))
        return 3;
    return count_devices("qvnet") == 0 ? 0 : 4;
}

static void
test_session_refused(void)
{
    int status = 0;
    pid_t pid;

    if (iface_test_skip())
        return;
    g_assert_true(qvirt_netdev_have_net_admin());
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0)
        _exit(session_child());
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void
iface_test_setup(void)
{
    if (unshare(CLONE_NEWNET) < 0) {
        skip_reason = g_strdup_printf("cannot enter a private network namespace "
                                      "(unshare(CLONE_NEWNET) needs root): %s",
                                      g_strerror(errno));
        return;
    }
    if (qvirt_netdev_bridge_create(TEST_BRIDGE) < 0 ||
        qvirt_netdev_set_mtu(TEST_BRIDGE, TEST_BRIDGE_MTU) < 0 ||
        qvirt_netdev_set_up(TEST_BRIDGE, TRUE) < 0) {
        skip_reason = g_strdup_printf("cannot set up bridge %s in the test namespace: %s",
                                      TEST_BRIDGE, qvirt_error_last_message());
        return;
    }
}

int
main(int argc, char **argv)
{
    int rc;

    /* Before anything can start a thread: unshare applies to this thread. */
    iface_test_setup();
    qvirt_test_init(&argc, &argv);

    g_test_add_func("/qemuinterface/bridge-and-network", test_bridge_and_network);
    g_test_add_func("/qemuinterface/failed-prepare", test_failed_prepare_leaves_nothing);
    g_test_add_func("/qemuinterface/name-taken", test_name_taken);
    g_test_add_func("/qemuinterface/unmanaged", test_unmanaged);
    g_test_add_func("/qemuinterface/remove-checks-index", test_remove_checks_index);
    g_test_add_func("/qemuinterface/session-refused", test_session_refused);

    rc = g_test_run();
    g_free(skip_reason);
    return rc;
}

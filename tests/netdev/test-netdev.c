/* test-netdev.c: tap devices, links and bridge ports (util/netdev.c).
 *
 * The binary moves itself into a private network namespace first
 * (unshare(CLONE_NEWNET), needs root), so every device it creates lives and
 * dies there and nothing touches the host's network. Without root every case
 * is skipped with the reason. A bridge "qvtbr0" is created once at start. */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "util/error.h"
#include "util/netdev.h"

#define TEST_BRIDGE "qvtbr0"

static char *skip_reason;

static gboolean
netdev_test_skip(void)
{
    if (skip_reason) {
        g_test_skip(skip_reason);
        return TRUE;
    }
    qvirt_error_reset();
    return FALSE;
}

static void
test_tap_template(void)
{
    g_autofree char *name = NULL;
    int fd = -1;
    int index = 0;

    if (netdev_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_tap_create("qvnet%d", TRUE, &name, &fd), ==, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(g_str_has_prefix(name, "qvnet"));
    g_assert_cmpuint(strlen(name), >, strlen("qvnet"));
    g_assert_true(qvirt_netdev_exists(name));
    g_assert_cmpint(qvirt_netdev_get_index(name, &index), ==, 0);
    g_assert_cmpint(index, >, 0);

    /* Not persistent: closing the only fd removes the device. */
    g_assert_cmpint(close(fd), ==, 0);
    g_assert_false(qvirt_netdev_exists(name));
    g_assert_null(qvirt_error_get_last());
}

static void
test_tap_explicit(void)
{
    g_autofree char *name = NULL;
    g_autofree char *name2 = NULL;
    int fd = -1;
    int fd2 = -1;

    if (netdev_test_skip())
        return;
    g_assert_false(qvirt_netdev_exists("mytap0"));
    g_assert_cmpint(qvirt_netdev_tap_create("mytap0", FALSE, &name, &fd), ==, 0);
    g_assert_cmpstr(name, ==, "mytap0");
    g_assert_true(qvirt_netdev_exists("mytap0"));

    /* A second open of an attached tap is refused, naming it. */
    g_assert_cmpint(qvirt_netdev_tap_create("mytap0", FALSE, &name2, &fd2), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RESOURCE_BUSY, "'mytap0'");
    g_assert_null(name2);
    g_assert_cmpint(fd2, ==, -1);

    close(fd);
    g_assert_false(qvirt_netdev_exists("mytap0"));
}

static void
test_tap_name_taken_by_bridge(void)
{
    g_autofree char *name = NULL;
    int fd = -1;

    if (netdev_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_tap_create(TEST_BRIDGE, FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "'" TEST_BRIDGE "'");
    g_assert_cmpint(fd, ==, -1);
    g_assert_true(qvirt_netdev_exists(TEST_BRIDGE));
}

/* 0 when creating a tap fails with a clear "permission" error. */
static int
tap_create_denied(void)
{
    g_autofree char *name = NULL;
    const QvirtError *err;
    int fd = -1;

    qvirt_error_reset();
    if (qvirt_netdev_tap_create("qvperm0", FALSE, &name, &fd) == 0) {
        close(fd);
        return 1;
    }
    err = qvirt_error_get_last();
    if (!err || err->code != QVIRT_ERR_OPERATION_DENIED || !strstr(err->message, "'qvperm0'") ||
        !strstr(err->message, "CAP_NET_ADMIN"))
        return 2;
    return 0;
}

static void
test_tap_no_permission(void)
{
    int status = 0;
    pid_t pid;

    if (geteuid() != 0) {
        g_assert_cmpint(tap_create_denied(), ==, 0);
        return;
    }
    /* As root: check it from a child that drops to an unprivileged user. */
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
            _exit(3);
        _exit(tap_create_denied());
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void
test_tap_mac_mtu_up(void)
{
    const unsigned char mac[6] = { 0xfe, 0x54, 0x00, 0x12, 0x34, 0x56 };
    unsigned char got[6] = { 0 };
    g_autofree char *name = NULL;
    gboolean up = TRUE;
    int fd = -1;
    int mtu = 0;

    if (netdev_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_tap_create("qvmac%d", TRUE, &name, &fd), ==, 0);

    g_assert_cmpint(qvirt_netdev_set_mac(name, mac), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_mac(name, got), ==, 0);
    g_assert_cmpmem(got, 6, mac, 6);

    g_assert_cmpint(qvirt_netdev_set_mtu(name, 1280), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_mtu(name, &mtu), ==, 0);
    g_assert_cmpint(mtu, ==, 1280);

    g_assert_cmpint(qvirt_netdev_get_up(name, &up), ==, 0);
    g_assert_false(up);
    g_assert_cmpint(qvirt_netdev_set_up(name, TRUE), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_up(name, &up), ==, 0);
    g_assert_true(up);
    g_assert_cmpint(qvirt_netdev_set_up(name, FALSE), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_up(name, &up), ==, 0);
    g_assert_false(up);

    /* Bad MTUs are refused, by the helper or by the kernel. */
    g_assert_cmpint(qvirt_netdev_set_mtu(name, 0), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid MTU 0");
    g_assert_cmpint(qvirt_netdev_set_mtu(name, 10), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, name);
    g_assert_cmpint(qvirt_netdev_get_mtu(name, &mtu), ==, 0);
    g_assert_cmpint(mtu, ==, 1280);

    close(fd);
}

static void
test_bridge_port(void)
{
    g_autofree char *name = NULL;
    int fd = -1;
    int br_index = 0;
    int master = -1;

    if (netdev_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_get_index(TEST_BRIDGE, &br_index), ==, 0);
    g_assert_cmpint(qvirt_netdev_tap_create("qvport%d", FALSE, &name, &fd), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_master(name, &master), ==, 0);
    g_assert_cmpint(master, ==, 0);

    /* Removing a device that is not a port is refused. */
    g_assert_cmpint(qvirt_netdev_bridge_remove_port(TEST_BRIDGE, name), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "is not a port of bridge");

    g_assert_cmpint(qvirt_netdev_set_up(name, TRUE), ==, 0);
    g_assert_cmpint(qvirt_netdev_bridge_add_port(TEST_BRIDGE, name), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_master(name, &master), ==, 0);
    g_assert_cmpint(master, ==, br_index);

    g_assert_cmpint(qvirt_netdev_bridge_remove_port(TEST_BRIDGE, name), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_master(name, &master), ==, 0);
    g_assert_cmpint(master, ==, 0);

    close(fd);
    g_assert_false(qvirt_netdev_exists(name));
}

static void
test_bridge_missing(void)
{
    g_autofree char *name = NULL;
    int fd = -1;

    if (netdev_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_tap_create("qvmiss%d", FALSE, &name, &fd), ==, 0);

    g_assert_cmpint(qvirt_netdev_bridge_add_port("nobr0", name), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "bridge 'nobr0' does not exist");
    g_assert_cmpint(qvirt_netdev_bridge_remove_port("nobr0", name), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "bridge 'nobr0' does not exist");

    /* A device that exists but is not a bridge. */
    g_assert_cmpint(qvirt_netdev_bridge_add_port("lo", name), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "'lo' is not a bridge");

    /* A missing port on an existing bridge. */
    g_assert_cmpint(qvirt_netdev_bridge_add_port(TEST_BRIDGE, "nosuchdev0"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "'nosuchdev0' does not exist");

    close(fd);
}

static void
test_bridge_mtu_to_tap(void)
{
    g_autofree char *name = NULL;
    int fd = -1;
    int br_mtu = 0;
    int mtu = 0;
    int br_index = 0;
    int master = 0;

    if (netdev_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_set_mtu(TEST_BRIDGE, 1400), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_mtu(TEST_BRIDGE, &br_mtu), ==, 0);
    g_assert_cmpint(br_mtu, ==, 1400);

    g_assert_cmpint(qvirt_netdev_tap_create("qvmtu%d", TRUE, &name, &fd), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_mtu(name, &mtu), ==, 0);
    g_assert_cmpint(mtu, ==, 1500);
    g_assert_cmpint(qvirt_netdev_set_mtu(name, br_mtu), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_mtu(name, &mtu), ==, 0);
    g_assert_cmpint(mtu, ==, 1400);

    g_assert_cmpint(qvirt_netdev_bridge_add_port(TEST_BRIDGE, name), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_index(TEST_BRIDGE, &br_index), ==, 0);
    g_assert_cmpint(qvirt_netdev_get_master(name, &master), ==, 0);
    g_assert_cmpint(master, ==, br_index);
    g_assert_cmpint(qvirt_netdev_get_mtu(TEST_BRIDGE, &br_mtu), ==, 0);
    g_assert_cmpint(br_mtu, ==, 1400);

    close(fd);
}

static void
test_missing_device(void)
{
    const unsigned char mac[6] = { 0xfe, 0, 0, 0, 0, 1 };
    int value = 0;

    if (netdev_test_skip())
        return;
    g_assert_false(qvirt_netdev_exists("nosuchdev0"));
    g_assert_null(qvirt_error_get_last());
    g_assert_cmpint(qvirt_netdev_get_mtu("nosuchdev0", &value), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "network device 'nosuchdev0' does not exist");
    g_assert_cmpint(qvirt_netdev_set_mtu("nosuchdev0", 1500), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "'nosuchdev0'");
    g_assert_cmpint(qvirt_netdev_set_mac("nosuchdev0", mac), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "'nosuchdev0'");
    g_assert_cmpint(qvirt_netdev_set_up("nosuchdev0", TRUE), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "'nosuchdev0'");
    g_assert_cmpint(qvirt_netdev_get_index("nosuchdev0", &value), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "'nosuchdev0'");
    g_assert_cmpint(qvirt_netdev_delete("nosuchdev0"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_DEVICE_MISSING, "'nosuchdev0'");
    g_assert_cmpint(value, ==, 0);
}

static void
test_bridge_create_delete(void)
{
    if (netdev_test_skip())
        return;
    g_assert_cmpint(qvirt_netdev_bridge_create("qvtmpbr0"), ==, 0);
    g_assert_true(qvirt_netdev_exists("qvtmpbr0"));
    g_assert_cmpint(qvirt_netdev_bridge_create("qvtmpbr0"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "'qvtmpbr0'");
    g_assert_cmpint(qvirt_netdev_delete("qvtmpbr0"), ==, 0);
    g_assert_false(qvirt_netdev_exists("qvtmpbr0"));
}

static void
test_bad_names(void)
{
    const unsigned char mac[6] = { 0xfe, 0, 0, 0, 0, 1 };
    g_autofree char *name = NULL;
    int fd = -1;
    int value = 0;

    /* Checked before any system call: no namespace needed. */
    qvirt_error_reset();
    g_assert_cmpint(qvirt_netdev_tap_create("averyveryverylongname", FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'averyveryverylongname' is too long");
    g_assert_cmpint(qvirt_netdev_tap_create("tap/0", FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'tap/0' contains a forbidden character");
    g_assert_cmpint(qvirt_netdev_tap_create("tap 0", FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'tap 0' contains a forbidden character");
    g_assert_cmpint(qvirt_netdev_tap_create("", FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "name is empty");
    g_assert_cmpint(qvirt_netdev_tap_create(NULL, FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "name is empty");
    g_assert_cmpint(qvirt_netdev_tap_create("..", FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'..' is not allowed");
    g_assert_cmpint(qvirt_netdev_tap_create("t%d%d", FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'t%d%d'");
    g_assert_cmpint(qvirt_netdev_tap_create("t%s", FALSE, &name, &fd), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'t%s'");
    g_assert_null(name);
    g_assert_cmpint(fd, ==, -1);

    /* Exactly 15 bytes is fine for the check; 16 is not. */
    g_assert_cmpint(qvirt_netdev_get_mtu("abcdefghijklmnop", &value), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "at most 15");
    g_assert_cmpint(qvirt_netdev_set_mac("a/b", mac), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'a/b'");
    g_assert_cmpint(qvirt_netdev_set_mtu("qv%d", 1500), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'qv%d'");
    g_assert_cmpint(qvirt_netdev_bridge_add_port("br/0", "tap0"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'br/0'");
    g_assert_cmpint(qvirt_netdev_bridge_add_port("br0", "averyveryverylongname"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'averyveryverylongname'");
    g_assert_cmpint(qvirt_netdev_delete("x/y"), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "'x/y'");
    g_assert_false(qvirt_netdev_exists("x/y"));
    g_assert_cmpint(value, ==, 0);
}

static void
test_host_mac(void)
{
    const unsigned char guest[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
    const unsigned char want[6] = { 0xfe, 0x54, 0x00, 0xab, 0xcd, 0xef };
    unsigned char host[6] = { 0 };

    qvirt_netdev_host_mac(guest, host);
    g_assert_cmpmem(host, 6, want, 6);
    g_assert_cmpint(guest[0], ==, 0x52);
}

/* Enter a private network namespace and create the test bridge; on failure
 * remember why so every namespace case skips. */
static void
netdev_test_setup(void)
{
    if (unshare(CLONE_NEWNET) < 0) {
        skip_reason = g_strdup_printf("cannot enter a private network namespace "
                                      "(unshare(CLONE_NEWNET) needs root): %s",
                                      g_strerror(errno));
        return;
    }
    if (qvirt_netdev_bridge_create(TEST_BRIDGE) < 0) {
        skip_reason = g_strdup_printf("cannot create bridge %s in the test namespace: %s",
                                      TEST_BRIDGE, qvirt_error_last_message());
        return;
    }
}

int
main(int argc, char **argv)
{
    int rc;

    /* Before anything can start a thread: unshare applies to this thread. */
    netdev_test_setup();
    qvirt_test_init(&argc, &argv);

    g_test_add_func("/netdev/names/bad", test_bad_names);
    g_test_add_func("/netdev/mac/host", test_host_mac);
    g_test_add_func("/netdev/tap/template", test_tap_template);
    g_test_add_func("/netdev/tap/explicit", test_tap_explicit);
    g_test_add_func("/netdev/tap/name-taken", test_tap_name_taken_by_bridge);
    g_test_add_func("/netdev/tap/no-permission", test_tap_no_permission);
    g_test_add_func("/netdev/tap/mac-mtu-up", test_tap_mac_mtu_up);
    g_test_add_func("/netdev/device/missing", test_missing_device);
    g_test_add_func("/netdev/bridge/port", test_bridge_port);
    g_test_add_func("/netdev/bridge/missing", test_bridge_missing);
    g_test_add_func("/netdev/bridge/mtu-to-tap", test_bridge_mtu_to_tap);
    g_test_add_func("/netdev/bridge/create-delete", test_bridge_create_delete);

    rc = g_test_run();
    g_free(skip_reason);
    return rc;
}

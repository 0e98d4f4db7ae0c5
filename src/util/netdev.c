/* netdev.c: host network devices through /dev/net/tun and rtnetlink
 * (libnl-3 route). See netdev.h for the contract. Each call opens its own
 * NETLINK_ROUTE socket and frees it before returning: no shared state, so
 * the helpers are safe from any thread. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "util/error.h"
#include "util/log.h"
#include "util/netdev.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

QVIRT_LOG_INIT("util.netdev");

#define NETDEV_TUN_PATH "/dev/net/tun"

typedef struct nl_sock NetdevNlSock;
typedef struct rtnl_link NetdevLink;
typedef struct nl_addr NetdevAddr;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetdevNlSock, nl_socket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetdevLink, rtnl_link_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetdevAddr, nl_addr_put)

typedef enum {
    NETDEV_NAME_OK,
    NETDEV_NAME_EMPTY,
    NETDEV_NAME_TOO_LONG,
    NETDEV_NAME_DOTS,
    NETDEV_NAME_BAD_CHAR,
    NETDEV_NAME_BAD_PERCENT,
} NetdevNameProblem;

/* What is wrong with NAME, without reporting. A template may hold one "%d". */
static NetdevNameProblem
netdev_name_problem(const char *name, gboolean allow_template)
{
    const char *pct;

    if (!name || !*name)
        return NETDEV_NAME_EMPTY;
    if (strlen(name) > QVIRT_NETDEV_NAME_MAX)
        return NETDEV_NAME_TOO_LONG;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return NETDEV_NAME_DOTS;
    for (const char *p = name; *p; p++) {
        if (*p == '/' || *p == ':' || g_ascii_isspace(*p) || !g_ascii_isprint(*p))
            return NETDEV_NAME_BAD_CHAR;
    }
    pct = strchr(name, '%');
    if (pct && (!allow_template || pct[1] != 'd' || strchr(pct + 2, '%')))
        return NETDEV_NAME_BAD_PERCENT;
    return NETDEV_NAME_OK;
}

/* Check NAME before any system call; report what is wrong with it. */
static gboolean
netdev_name_valid(const char *name, gboolean allow_template)
{
    switch (netdev_name_problem(name, allow_template)) {
    case NETDEV_NAME_OK:
        return TRUE;
    case NETDEV_NAME_EMPTY:
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("network device name is empty"));
        break;
    case NETDEV_NAME_TOO_LONG:
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("network device name '%s' is too long (%zu bytes, at most %d)"),
                           name, strlen(name), QVIRT_NETDEV_NAME_MAX);
        break;
    case NETDEV_NAME_DOTS:
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("network device name '%s' is not allowed"),
                           name);
        break;
    case NETDEV_NAME_BAD_CHAR:
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("network device name '%s' contains a forbidden character"), name);
        break;
    case NETDEV_NAME_BAD_PERCENT:
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("network device name '%s' has a '%%' that is not a single '%%d'"),
                           name);
        break;
    }
    return FALSE;
}

int
qvirt_netdev_check_name(const char *name)
{
    return netdev_name_valid(name, FALSE) ? 0 : -1;
}

gboolean
qvirt_netdev_have_net_admin(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &hdr, data) < 0) {
        QVIRT_DEBUG("capget: %s", g_strerror(errno));
        return FALSE;
    }
    return (data[CAP_NET_ADMIN / 32].effective & (1U << (CAP_NET_ADMIN % 32))) != 0;
}

/* Report a libnl error ERR (negative NLE_* code) about IFNAME. */
static void
netdev_report_nl(int err, const char *what, const char *ifname)
{
    int code = QVIRT_ERR_OPERATION_FAILED;

    switch (-err) {
    case NLE_PERM:
    case NLE_NOACCESS:
        code = QVIRT_ERR_OPERATION_DENIED;
        break;
    case NLE_BUSY:
        code = QVIRT_ERR_RESOURCE_BUSY;
        break;
    case NLE_OBJ_NOTFOUND:
    case NLE_NODEV:
        code = QVIRT_ERR_DEVICE_MISSING;
        break;
    default:
        break;
    }
    qvirt_report_error(code, _("cannot %s network device '%s': %s"), what, ifname,
                       nl_geterror(err));
}

/* A connected NETLINK_ROUTE socket, or NULL with an error reported. */
static struct nl_sock *
netdev_connect(const char *ifname)
{
    g_autoptr(NetdevNlSock) sock = nl_socket_alloc();
    int rc;

    if (!sock)
        g_error("nl_socket_alloc: out of memory");
    rc = nl_connect(sock, NETLINK_ROUTE);
    if (rc < 0) {
        qvirt_report_error(QVIRT_ERR_SYSTEM_ERROR,
                           _("cannot open a netlink socket for network device '%s': %s"), ifname,
                           nl_geterror(rc));
        return NULL;
    }
    return g_steal_pointer(&sock);
}

/* Fetch IFNAME's link from the kernel. When QUIET, a missing device is not
 * reported (the caller reports its own message); returns -2 in that case. */
static int
netdev_get_link(struct nl_sock *sock, const char *ifname, gboolean quiet,
                struct rtnl_link **ret_link)
{
    struct rtnl_link *link = NULL;
    int rc = rtnl_link_get_kernel(sock, 0, ifname, &link);

    if (rc < 0) {
        if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV) {
            if (quiet)
                return -2;
            qvirt_report_error(QVIRT_ERR_DEVICE_MISSING, _("network device '%s' does not exist"),
                               ifname);
            return -1;
        }
        netdev_report_nl(rc, "look up", ifname);
        return -1;
    }
    *ret_link = link;
    return 0;
}

/* Look up IFNAME on a fresh socket. */
static int
netdev_lookup(const char *ifname, struct rtnl_link **ret_link)
{
    g_autoptr(NetdevNlSock) sock = NULL;

    if (!netdev_name_valid(ifname, FALSE))
        return -1;
    if (!(sock = netdev_connect(ifname)))
        return -1;
    return netdev_get_link(sock, ifname, FALSE, ret_link);
}

/* Apply CHANGE to IFNAME; WHAT names the operation in errors. */
static int
netdev_change(const char *ifname, struct rtnl_link *change, const char *what)
{
    g_autoptr(NetdevNlSock) sock = NULL;
    g_autoptr(NetdevLink) orig = NULL;
    int rc;

    if (!netdev_name_valid(ifname, FALSE))
        return -1;
    if (!(sock = netdev_connect(ifname)))
        return -1;
    if (netdev_get_link(sock, ifname, FALSE, &orig) < 0)
        return -1;
    rc = rtnl_link_change(sock, orig, change, 0);
    if (rc < 0) {
        netdev_report_nl(rc, what, ifname);
        return -1;
    }
    return 0;
}

int
qvirt_netdev_tap_create(const char *name_or_template, gboolean vnet_hdr, char **ret_name,
                        int *ret_fd)
{
    struct ifreq ifr;
    int fd;

    if (!netdev_name_valid(name_or_template, TRUE))
        return -1;

    fd = open(NETDEV_TUN_PATH, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;

        if (err == EACCES || err == EPERM) {
            qvirt_report_error(QVIRT_ERR_OPERATION_DENIED,
                               _("cannot create tap device '%s': no permission to open %s "
                                 "(needs root or CAP_NET_ADMIN)"),
                               name_or_template, NETDEV_TUN_PATH);
        } else {
            qvirt_report_system_error(err, _("cannot create tap device '%s': cannot open %s"),
                                      name_or_template, NETDEV_TUN_PATH);
        }
        return -1;
    }

    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (vnet_hdr)
        ifr.ifr_flags |= IFF_VNET_HDR;
    g_strlcpy(ifr.ifr_name, name_or_template, sizeof(ifr.ifr_name));

    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int err = errno;

        switch (err) {
        case EBUSY:
            qvirt_report_error(QVIRT_ERR_RESOURCE_BUSY,
                               _("cannot create tap device '%s': a tap of that name exists and "
                                 "is in use"),
                               name_or_template);
            break;
        case EINVAL:
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("cannot create tap device '%s': the name is taken by a device "
                                 "that is not a tap, or the flags are not supported"),
                               name_or_template);
            break;
        case EPERM:
        case EACCES:
            qvirt_report_error(QVIRT_ERR_OPERATION_DENIED,
                               _("cannot create tap device '%s': permission denied "
                                 "(needs root or CAP_NET_ADMIN)"),
                               name_or_template);
            break;
        default:
            qvirt_report_system_error(err, _("cannot create tap device '%s'"),
                                      name_or_template);
            break;
        }
        close(fd);
        return -1;
    }
    /* TUNSETPERSIST is left off: the device goes away with its last fd. */

    QVIRT_DEBUG("created tap device %s (fd %d, vnet_hdr %d)", ifr.ifr_name, fd, vnet_hdr);
    *ret_name = g_strndup(ifr.ifr_name, sizeof(ifr.ifr_name));
    *ret_fd = fd;
    return 0;
}

int
qvirt_netdev_set_mac(const char *ifname, const unsigned char mac[6])
{
    g_autoptr(NetdevLink) change = rtnl_link_alloc();
    g_autoptr(NetdevAddr) addr = nl_addr_build(AF_LLC, mac, 6);

    rtnl_link_set_addr(change, addr);
    return netdev_change(ifname, change, "set the MAC address of");
}

int
qvirt_netdev_get_mac(const char *ifname, unsigned char ret_mac[6])
{
    g_autoptr(NetdevLink) link = NULL;
    struct nl_addr *addr;

    if (netdev_lookup(ifname, &link) < 0)
        return -1;
    addr = rtnl_link_get_addr(link);
    if (!addr || nl_addr_get_len(addr) != 6) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("network device '%s' has no Ethernet address"), ifname);
        return -1;
    }
    memcpy(ret_mac, nl_addr_get_binary_addr(addr), 6);
    return 0;
}

int
qvirt_netdev_set_mtu(const char *ifname, int mtu)
{
    g_autoptr(NetdevLink) change = NULL;

    if (mtu <= 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid MTU %d for network device '%s'"),
                           mtu, ifname ? ifname : "");
        return -1;
    }
    change = rtnl_link_alloc();
    rtnl_link_set_mtu(change, (unsigned int)mtu);
    return netdev_change(ifname, change, "set the MTU of");
}

int
qvirt_netdev_get_mtu(const char *ifname, int *ret)
{
    g_autoptr(NetdevLink) link = NULL;

    if (netdev_lookup(ifname, &link) < 0)
        return -1;
    *ret = (int)rtnl_link_get_mtu(link);
    return 0;
}

int
qvirt_netdev_set_up(const char *ifname, gboolean up)
{
    g_autoptr(NetdevLink) change = rtnl_link_alloc();

    if (up)
        rtnl_link_set_flags(change, IFF_UP);
    else
        rtnl_link_unset_flags(change, IFF_UP);
    return netdev_change(ifname, change, up ? "bring up" : "bring down");
}

int
qvirt_netdev_get_up(const char *ifname, gboolean *ret)
{
    g_autoptr(NetdevLink) link = NULL;

    if (netdev_lookup(ifname, &link) < 0)
        return -1;
    *ret = (rtnl_link_get_flags(link) & IFF_UP) != 0;
    return 0;
}

int
qvirt_netdev_get_index(const char *ifname, int *ret)
{
    g_autoptr(NetdevLink) link = NULL;

    if (netdev_lookup(ifname, &link) < 0)
        return -1;
    *ret = rtnl_link_get_ifindex(link);
    return 0;
}

int
qvirt_netdev_get_master(const char *ifname, int *ret)
{
    g_autoptr(NetdevLink) link = NULL;

    if (netdev_lookup(ifname, &link) < 0)
        return -1;
    *ret = rtnl_link_get_master(link);
    return 0;
}

gboolean
qvirt_netdev_exists(const char *ifname)
{
    g_autoptr(NetdevNlSock) sock = NULL;
    g_autoptr(NetdevLink) link = NULL;

    /* Reports nothing: a bad name or a failed socket just means "no". */
    if (netdev_name_problem(ifname, FALSE) != NETDEV_NAME_OK)
        return FALSE;
    sock = nl_socket_alloc();
    if (!sock)
        g_error("nl_socket_alloc: out of memory");
    if (nl_connect(sock, NETLINK_ROUTE) < 0)
        return FALSE;
    return rtnl_link_get_kernel(sock, 0, ifname, &link) == 0;
}

int
qvirt_netdev_delete(const char *ifname)
{
    g_autoptr(NetdevNlSock) sock = NULL;
    g_autoptr(NetdevLink) link = NULL;
    int rc;

    if (!netdev_name_valid(ifname, FALSE))
        return -1;
    if (!(sock = netdev_connect(ifname)))
        return -1;
    if (netdev_get_link(sock, ifname, FALSE, &link) < 0)
        return -1;
    rc = rtnl_link_delete(sock, link);
    if (rc < 0) {
        netdev_report_nl(rc, "delete", ifname);
        return -1;
    }
    QVIRT_DEBUG("deleted network device %s", ifname);
    return 0;
}

/* Look up BRIDGE on SOCK and check it is a bridge; return its index. */
static int
netdev_bridge_index(struct nl_sock *sock, const char *bridge, int *ret_index)
{
    g_autoptr(NetdevLink) link = NULL;
    int rc = netdev_get_link(sock, bridge, TRUE, &link);

    if (rc == -2) {
        qvirt_report_error(QVIRT_ERR_DEVICE_MISSING, _("bridge '%s' does not exist"), bridge);
        return -1;
    }
    if (rc < 0)
        return -1;
    if (!rtnl_link_is_bridge(link)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("network device '%s' is not a bridge"), bridge);
        return -1;
    }
    *ret_index = rtnl_link_get_ifindex(link);
    return 0;
}

/* Set IFNAME's master to BRIDGE (ADD) or to none after checking that BRIDGE
 * is its master (!ADD). */
static int
netdev_bridge_port(const char *bridge, const char *ifname, gboolean add)
{
    g_autoptr(NetdevNlSock) sock = NULL;
    g_autoptr(NetdevLink) port = NULL;
    g_autoptr(NetdevLink) change = NULL;
    int br_index;
    int rc;

    if (!netdev_name_valid(bridge, FALSE) || !netdev_name_valid(ifname, FALSE))
        return -1;
    if (!(sock = netdev_connect(ifname)))
        return -1;
    if (netdev_bridge_index(sock, bridge, &br_index) < 0)
        return -1;
    if (netdev_get_link(sock, ifname, FALSE, &port) < 0)
        return -1;
    if (!add && rtnl_link_get_master(port) != br_index) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("network device '%s' is not a port of bridge '%s'"), ifname, bridge);
        return -1;
    }

    change = rtnl_link_alloc();
    rtnl_link_set_master(change, add ? br_index : 0);
    rc = rtnl_link_change(sock, port, change, 0);
    if (rc < 0) {
        qvirt_report_error(rc == -NLE_PERM || rc == -NLE_NOACCESS ? QVIRT_ERR_OPERATION_DENIED
                                                                   : QVIRT_ERR_OPERATION_FAILED,
                           add ? _("cannot add network device '%s' to bridge '%s': %s")
                               : _("cannot remove network device '%s' from bridge '%s': %s"),
                           ifname, bridge, nl_geterror(rc));
        return -1;
    }
    QVIRT_DEBUG("%s %s %s bridge %s", add ? "added" : "removed", ifname, add ? "to" : "from",
                bridge);
    return 0;
}

int
qvirt_netdev_bridge_add_port(const char *bridge, const char *ifname)
{
    return netdev_bridge_port(bridge, ifname, TRUE);
}

int
qvirt_netdev_bridge_remove_port(const char *bridge, const char *ifname)
{
    return netdev_bridge_port(bridge, ifname, FALSE);
}

int
qvirt_netdev_bridge_create(const char *bridge)
{
    g_autoptr(NetdevNlSock) sock = NULL;
    g_autoptr(NetdevLink) link = NULL;
    int rc;

    if (!netdev_name_valid(bridge, FALSE))
        return -1;
    if (!(sock = netdev_connect(bridge)))
        return -1;
    link = rtnl_link_bridge_alloc();
    rtnl_link_set_name(link, bridge);
    rc = rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL);
    if (rc < 0) {
        if (rc == -NLE_EXIST) {
            qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                               _("cannot create bridge '%s': a network device of that name "
                                 "exists"),
                               bridge);
        } else {
            netdev_report_nl(rc, "create bridge", bridge);
        }
        return -1;
    }
    QVIRT_DEBUG("created bridge %s", bridge);
    return 0;
}

void
qvirt_netdev_host_mac(const unsigned char guest[6], unsigned char ret_host[6])
{
    memcpy(ret_host, guest, 6);
    ret_host[0] = 0xFE;
}

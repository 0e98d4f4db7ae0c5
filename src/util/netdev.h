/* netdev.h: host network devices (tap devices, links, bridge ports) driven
 * through /dev/net/tun and rtnetlink (libnl-3), never by running `ip`.
 *
 * Contract: every function acts on the calling process's network namespace,
 * opens its own netlink socket and frees it before returning, so all of them
 * are thread safe. Interface names are checked before any system call: 1 to
 * 15 bytes, no '/', no whitespace, not "." or "..". A failing function
 * reports one error naming the interface and the reason, and returns -1;
 * ret_* parameters are written only on success. Most operations need root
 * or CAP_NET_ADMIN; without it they fail with OPERATION_DENIED. */
#pragma once

#include <glib.h>

/* Longest interface name the kernel accepts (IFNAMSIZ - 1). */
#define QVIRT_NETDEV_NAME_MAX 15

/* Check NAME as an interface name (the rules above; no template), reporting
 * INVALID_ARG naming it when it breaks one. */
int qvirt_netdev_check_name(const char *name);

/* Whether this process may create and configure network devices in its
 * network namespace: CAP_NET_ADMIN is in its effective set. */
gboolean qvirt_netdev_have_net_admin(void);

/* Create a tap device and return its open file descriptor (O_CLOEXEC) and
 * name. NAME_OR_TEMPLATE is either a name ("mytap0") or a template with one
 * "%d" ("qvnet%d") that the kernel fills with the first free number. The
 * device is opened IFF_TAP|IFF_NO_PI, plus IFF_VNET_HDR when VNET_HDR.
 * The device is NOT made persistent: it disappears when the last descriptor
 * on it is closed. A name already used by another kind of device, or by a
 * tap that is attached, is an error naming it. */
int qvirt_netdev_tap_create(const char *name_or_template, gboolean vnet_hdr, char **ret_name,
                            int *ret_fd);

int qvirt_netdev_set_mac(const char *ifname, const unsigned char mac[6]);
int qvirt_netdev_get_mac(const char *ifname, unsigned char ret_mac[6]);
int qvirt_netdev_set_mtu(const char *ifname, int mtu);
int qvirt_netdev_get_mtu(const char *ifname, int *ret);
/* Set or clear IFF_UP (administrative state). */
int qvirt_netdev_set_up(const char *ifname, gboolean up);
int qvirt_netdev_get_up(const char *ifname, gboolean *ret);
int qvirt_netdev_get_index(const char *ifname, int *ret);
/* Index of the device's master (its bridge), 0 when it has none. */
int qvirt_netdev_get_master(const char *ifname, int *ret);
/* TRUE when the device exists; never reports an error (a bad name or a
 * netlink failure gives FALSE). */
gboolean qvirt_netdev_exists(const char *ifname);
/* Delete a device (a persistent tap, a veth, a bridge). */
int qvirt_netdev_delete(const char *ifname);

/* Make IFNAME a port of BRIDGE, or remove it from BRIDGE. A missing bridge,
 * a device that is not a bridge, or (on removal) a device that is not a port
 * of that bridge is an error naming it. */
int qvirt_netdev_bridge_add_port(const char *bridge, const char *ifname);
int qvirt_netdev_bridge_remove_port(const char *bridge, const char *ifname);
/* Create an empty bridge device (used by tests and future network code). */
int qvirt_netdev_bridge_create(const char *bridge);

/* The host side MAC of a guest's tap: the guest MAC with its first byte set
 * to 0xFE, so the bridge never picks the tap's address as its own and the
 * host side never collides with the guest. */
void qvirt_netdev_host_mac(const unsigned char guest[6], unsigned char ret_host[6]);

/* qemu_interface.c: the tap devices of a domain's bridge, network and
 * ethernet interfaces (the contract is in qemu_interface.h). The device
 * work itself is util/netdev.c's (tun ioctls and rtnetlink through
 * libnl-3); this file decides names, MAC, MTU and bridge, checks the
 * privilege and keeps the record of what it made. */
#include <config.h>

#include <unistd.h>

#include "qemu/qemu_alias.h"
#include "qemu/qemu_interface.h"
#include "util/error.h"
#include "util/log.h"
#include "util/netdev.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.interface");

/* The kernel fills "%d" with the first free number. */
#define QEMU_INTERFACE_TAP_TEMPLATE "qvnet%d"

struct _QemuInterfaceTaps {
    size_t n;
    int *fds;            /* by def->nets index; -1: no tap */
    GHashTable *created; /* name -> ifindex (GINT_TO_POINTER) of the taps made */
};

static GHashTable *
taps_record_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* Whether NET is backed by a tap device. */
static gboolean
iface_has_tap(const DomainNetDef *net)
{
    return net->type == DOMAIN_NET_TYPE_ETHERNET || net->type == DOMAIN_NET_TYPE_BRIDGE ||
           net->type == DOMAIN_NET_TYPE_NETWORK;
}

/* Whether qvirt makes (and removes) NET's tap, rather than opening one the
 * user made. */
static gboolean
iface_tap_managed(const DomainNetDef *net)
{
    return iface_has_tap(net) && net->managed_tap != DOMAIN_TRISTATE_NO;
}

static const char *
iface_label(const DomainNetDef *net)
{
    return net->info.alias ? net->info.alias : "?";
}

/* Put the interface and the domain in front of the error just reported
 * (keeping its code): the netdev helpers name only the device. */
static void
iface_rewrite_error(const DomainDef *def, const DomainNetDef *net)
{
    int code = qvirt_error_last_code();
    g_autofree char *msg = g_strdup(qvirt_error_last_message());

    qvirt_error_reset();
    qvirt_report_error(code ? code : QVIRT_ERR_OPERATION_FAILED,
                       _("interface '%s' of domain '%s': %s"), iface_label(net), def->name,
                       msg ? msg : _("unknown error"));
}

/* The bridge NET joins: <source bridge>, or the bridge of its network from
 * [networks]; NULL for an ethernet interface (no error). -1 with an error
 * for an unknown network. */
static int
iface_bridge(const QemuDriverConfig *cfg, const DomainDef *def, const DomainNetDef *net,
             const char **ret_bridge)
{
    const char *bridge = NULL;

    if (net->type == DOMAIN_NET_TYPE_BRIDGE) {
        bridge = net->source;
    } else if (net->type == DOMAIN_NET_TYPE_NETWORK) {
        if (!(bridge = qemu_driver_config_network_bridge(cfg, net->source))) {
            qvirt_report_error(
                QVIRT_ERR_CONFIG_UNSUPPORTED,
                _("interface '%s' of domain '%s': network '%s' is unknown: qemu.conf "
                  "has no line '%s = BRIDGE' in its [networks] group"),
                iface_label(net), def->name, net->source, net->source);
            return -1;
        }
    }
    *ret_bridge = bridge;
    return 0;
}

/* A daemon that may not create taps says so before trying. */
static int
iface_check_privilege(const QemuDriverConfig *cfg, const DomainDef *def, const DomainNetDef *net)
{
    if (!iface_tap_managed(net) || cfg->privileged || qvirt_netdev_have_net_admin())
        return 0;
    if (net->type == DOMAIN_NET_TYPE_ETHERNET) {
        qvirt_report_error(QVIRT_ERR_OPERATION_DENIED,
                           _("interface '%s' of domain '%s': tap interfaces need the system "
                             "daemon (root): this session daemon has no CAP_NET_ADMIN to create "
                             "a tap (use an existing one with <target dev='NAME' managed='no'/>)"),
                           iface_label(net), def->name);
    } else {
        qvirt_report_error(QVIRT_ERR_OPERATION_DENIED,
                           _("interface '%s' of domain '%s': %s interfaces need the system daemon "
                             "(root): this session daemon has no CAP_NET_ADMIN to create a tap "
                             "and add it to a bridge"),
                           iface_label(net), def->name, domain_net_type_to_string(net->type));
    }
    return -1;
}

/* Open the tap a managed='no' interface names: it must exist. */
static int
iface_open_unmanaged(const DomainDef *def, const DomainNetDef *net, int *ret_fd)
{
    g_autofree char *name = NULL;

    if (!qvirt_netdev_exists(net->ifname)) {
        qvirt_report_error(QVIRT_ERR_DEVICE_MISSING,
                           _("interface '%s' of domain '%s': tap device '%s' does not exist "
                             "(with managed='no' it must be created beforehand)"),
                           iface_label(net), def->name, net->ifname);
        return -1;
    }
    if (qvirt_netdev_tap_create(net->ifname, TRUE, &name, ret_fd) < 0) {
        iface_rewrite_error(def, net);
        return -1;
    }
    QVIRT_DEBUG("domain '%s': %s opened the existing tap %s", def->name, iface_label(net), name);
    return 0;
}

/* Make NET's tap, configure it and join BRIDGE (may be NULL). On success
 * the name is in net->ifname and in TAPS->created. */
static int
iface_make_tap(QemuInterfaceTaps *taps, DomainDef *def, DomainNetDef *net, const char *bridge,
               int *ret_fd)
{
    g_autofree char *name = NULL;
    unsigned char host_mac[6];
    int mtu = (int)net->mtu;
    int index = 0;
    int fd = -1;

    if (net->ifname && qvirt_netdev_exists(net->ifname)) {
        qvirt_report_error(QVIRT_ERR_RESOURCE_BUSY,
                           _("interface '%s' of domain '%s': cannot create tap device '%s': a "
                             "network device of that name exists already"),
                           iface_label(net), def->name, net->ifname);
        return -1;
    }
    /* The bridge first: a missing one fails before any device exists. */
    if (bridge && !qvirt_netdev_exists(bridge)) {
        qvirt_report_error(QVIRT_ERR_DEVICE_MISSING, _("bridge '%s' does not exist"), bridge);
        goto error;
    }
    if (bridge && mtu == 0 && qvirt_netdev_get_mtu(bridge, &mtu) < 0)
        goto error;
    if (qvirt_netdev_tap_create(net->ifname ? net->ifname : QEMU_INTERFACE_TAP_TEMPLATE, TRUE,
                                &name, &fd) < 0)
        goto error;
    if (qvirt_netdev_get_index(name, &index) < 0) {
        close(fd);
        goto error;
    }
    g_hash_table_insert(taps->created, g_strdup(name), GINT_TO_POINTER(index));
    *ret_fd = fd; /* owned by TAPS from here on */

    qvirt_netdev_host_mac(net->mac, host_mac);
    if (qvirt_netdev_set_mac(name, host_mac) < 0 ||
        (mtu > 0 && qvirt_netdev_set_mtu(name, mtu) < 0) || qvirt_netdev_set_up(name, TRUE) < 0 ||
        (bridge && qvirt_netdev_bridge_add_port(bridge, name) < 0))
        goto error;

    g_free(net->ifname);
    net->ifname = g_steal_pointer(&name);
    QVIRT_INFO("domain '%s': %s uses tap %s (ifindex %d, MTU %d%s%s)", def->name, iface_label(net),
               net->ifname, index, mtu, bridge ? ", bridge " : "", bridge ? bridge : "");
    return 0;

error:
    iface_rewrite_error(def, net);
    return -1;
}

QemuInterfaceTaps *
qemu_interface_prepare(const QemuDriverConfig *cfg, DomainDef *def)
{
    g_autoptr(QemuInterfaceTaps) taps = g_new0(QemuInterfaceTaps, 1);

    taps->n = def->nnets;
    taps->fds = g_new(int, def->nnets ? def->nnets : 1);
    taps->created = taps_record_new();
    for (size_t i = 0; i < def->nnets; i++)
        taps->fds[i] = -1;
    qemu_assign_aliases(def);

    for (size_t i = 0; i < def->nnets; i++) {
        DomainNetDef *net = def->nets[i];
        const char *bridge = NULL;

        if (!iface_has_tap(net))
            continue;
        if (iface_bridge(cfg, def, net, &bridge) < 0 || iface_check_privilege(cfg, def, net) < 0)
            return NULL;
        if (!iface_tap_managed(net)) {
            if (iface_open_unmanaged(def, net, &taps->fds[i]) < 0)
                return NULL;
        } else if (iface_make_tap(taps, def, net, bridge, &taps->fds[i]) < 0) {
            return NULL;
        }
    }
    return g_steal_pointer(&taps);
}

const int *
qemu_interface_taps_fds(const QemuInterfaceTaps *taps, size_t *ret_n)
{
    *ret_n = taps->n;
    return taps->fds;
}

static void
taps_close_fds(QemuInterfaceTaps *taps)
{
    for (size_t i = 0; i < taps->n; i++) {
        if (taps->fds[i] >= 0)
            close(taps->fds[i]);
        taps->fds[i] = -1;
    }
}

GHashTable *
qemu_interface_taps_commit(QemuInterfaceTaps *taps)
{
    GHashTable *record = g_steal_pointer(&taps->created);

    taps_close_fds(taps);
    return record;
}

void
qemu_interface_taps_free(QemuInterfaceTaps *taps)
{
    if (!taps)
        return;
    /* Closing the only descriptors already removes non-persistent taps;
     * the explicit removal covers one somebody made persistent. */
    taps_close_fds(taps);
    if (taps->created && g_hash_table_size(taps->created) > 0) {
        QvirtError *saved = qvirt_error_save();

        qemu_interface_remove_taps(taps->created, NULL);
        qvirt_error_restore(saved);
    }
    g_clear_pointer(&taps->created, g_hash_table_unref);
    g_free(taps->fds);
    g_free(taps);
}

GHashTable *
qemu_interface_find_taps(const DomainDef *def)
{
    GHashTable *record = taps_record_new();

    for (size_t i = 0; i < def->nnets; i++) {
        const DomainNetDef *net = def->nets[i];
        int index = 0;

        if (!iface_tap_managed(net) || !net->ifname)
            continue;
        if (!qvirt_netdev_exists(net->ifname) || qvirt_netdev_get_index(net->ifname, &index) < 0) {
            QVIRT_WARN("domain '%s': the tap %s of interface %s is gone", def->name, net->ifname,
                       iface_label(net));
            qvirt_error_reset();
            continue;
        }
        QVIRT_INFO("domain '%s': found its tap %s again (ifindex %d)", def->name, net->ifname,
                   index);
        g_hash_table_insert(record, g_strdup(net->ifname), GINT_TO_POINTER(index));
    }
    return record;
}

void
qemu_interface_remove_taps(GHashTable *taps, const char *domname)
{
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    if (!taps)
        return;
    g_hash_table_iter_init(&iter, taps);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const char *name = key;
        int index = 0;

        /* A non-persistent tap went away with QEMU; a device of the same
         * name and another index is somebody else's. */
        if (!qvirt_netdev_exists(name) || qvirt_netdev_get_index(name, &index) < 0 ||
            index != GPOINTER_TO_INT(value)) {
            qvirt_error_reset();
            QVIRT_DEBUG("domain '%s': tap %s is gone already", domname ? domname : "-", name);
            continue;
        }
        /* Deleting the device also takes it out of its bridge. */
        if (qvirt_netdev_delete(name) < 0) {
            QVIRT_WARN("domain '%s': cannot remove tap %s: %s", domname ? domname : "-", name,
                       qvirt_error_last_message());
            qvirt_error_reset();
            continue;
        }
        QVIRT_INFO("domain '%s': removed tap %s", domname ? domname : "-", name);
    }
}

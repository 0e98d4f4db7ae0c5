/* qemu_command_net.c: the -netdev backend and the -device NIC of every
 * interface.
 *
 * Contract: an interface of type 'user' gets QEMU's user-mode network; the
 * types ethernet, network and bridge get a tap backend on the open tap
 * descriptor the driver passes in the context (creating the tap device is
 * the networking code's job). Without a descriptor only domxml-to-native
 * (context 'native') names the device instead (its target dev, or vnetN);
 * a start without one is INTERNAL_ERROR. The NIC is virtio-net-pci, e1000,
 * e1000e or rtl8139 (the default model, as in libvirt), with the MAC
 * address, the PCI address, the boot index and, for virtio with <mtu>,
 * host_mtu. */
#include <config.h>

#include "qemu/qemu_command_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

static const char *const net_model_drivers[DOMAIN_NET_MODEL_LAST] = {
    [DOMAIN_NET_MODEL_DEFAULT] = "rtl8139", [DOMAIN_NET_MODEL_VIRTIO] = "virtio-net-pci",
    [DOMAIN_NET_MODEL_E1000] = "e1000",     [DOMAIN_NET_MODEL_E1000E] = "e1000e",
    [DOMAIN_NET_MODEL_RTL8139] = "rtl8139",
};

static int
net_tap_fd(QemuCommandBuild *b, size_t index)
{
    if (!b->ctx->tap_fds || index >= b->ctx->ntap_fds)
        return -1;
    return b->ctx->tap_fds[index];
}

static QvirtJson *
net_build_backend(QemuCommandBuild *b, size_t index, const char *id)
{
    const DomainNetDef *net = b->def->nets[index];
    QvirtJson *netdev = json_object_new_object();
    int fd;

    if (net->type == DOMAIN_NET_TYPE_USER) {
        qemu_command_json_str(netdev, "type", "user");
        qemu_command_json_str(netdev, "id", id);
        return netdev;
    }

    qemu_command_json_str(netdev, "type", "tap");
    fd = net_tap_fd(b, index);
    if (QEMU_COMMAND_FD_VALID(fd)) {
        g_autofree char *fdstr = g_strdup_printf("%d", fd);

        qemu_command_json_str(netdev, "fd", fdstr);
        qemu_command_add_fd(b, fd);
    } else if (b->ctx->native) {
        g_autofree char *ifname =
            net->ifname ? g_strdup(net->ifname) : g_strdup_printf("vnet%zu", index);

        qemu_command_json_str(netdev, "ifname", ifname);
        qemu_command_json_str(netdev, "script", "no");
        qemu_command_json_str(netdev, "downscript", "no");
    } else {
        qvirt_report_internal(_("no tap device was opened for interface '%s' (type '%s') of "
                                "domain '%s'"),
                              net->info.alias, domain_net_type_to_string(net->type), b->def->name);
        json_object_put(netdev);
        return NULL;
    }
    qemu_command_json_str(netdev, "id", id);
    return netdev;
}

int
qemu_command_build_nets(QemuCommandBuild *b)
{
    for (size_t i = 0; i < b->def->nnets; i++) {
        const DomainNetDef *net = b->def->nets[i];
        g_autofree char *id = qemu_alias_prefixed("host", &net->info);
        char mac[DOMAIN_MAC_STRING_BUFLEN];
        QvirtJson *netdev = net_build_backend(b, i, id);
        QvirtJson *dev;

        if (!netdev)
            return -1;
        qemu_command_add_json(b, "-netdev", netdev);

        domain_mac_format(net->mac, mac);
        dev = qemu_command_device_new(net_model_drivers[net->model], net->info.alias);
        qemu_command_json_str(dev, "netdev", id);
        qemu_command_json_str(dev, "mac", mac);
        /* virtio-net tells the guest the MTU of the host side. */
        if (net->mtu && net->model == DOMAIN_NET_MODEL_VIRTIO)
            qemu_command_json_int(dev, "host_mtu", net->mtu);
        qemu_command_device_add_pci(b, dev, &net->info);
        qemu_command_device_add_bootindex(dev, &net->info);
        qemu_command_add_json(b, "-device", dev);
    }
    return 0;
}

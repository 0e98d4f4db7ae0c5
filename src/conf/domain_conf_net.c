/* domain_conf_net.c: <interface> of types user, ethernet, network and
 * bridge: parse and format.
 *
 * Contract: a parsed interface always has a unicast MAC address (generated
 * as 52:54:00:xx:xx:xx when not given) and, for the network and bridge
 * types, a source. A target name starting with "vnet", "qvnet" (qvirt's
 * own tap names) or "macvtap" is the daemon's own choice and is kept only
 * by a STATUS parse. <mtu size='N'/> (68 to 65535) sets the MTU of the host
 * side of a tap-backed interface. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

/* Host interface names (tap devices, bridges): 1-15 bytes (Linux's limit)
 * of letters, digits, '_', '.' and '-' (within libvirt's schema). */
static gboolean
net_ifname_valid(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > 15 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return FALSE;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
           len;
}

/* Whether the target name is one the daemon generates (libvirt's vnetN and
 * macvtapN, qvirt's qvnetN): live data, like an alias. */
static gboolean
net_ifname_generated(const DomainNetDef *net)
{
    return net->ifname && net->managed_tap != DOMAIN_TRISTATE_NO &&
           (g_str_has_prefix(net->ifname, "vnet") || g_str_has_prefix(net->ifname, "qvnet") ||
            g_str_has_prefix(net->ifname, "macvtap"));
}

/* <mtu size='N'/>: the MTU of the host side (Ethernet's 68 to 65535). */
static int
net_parse_mtu(xmlNodePtr node, DomainNetDef *net)
{
    xmlNodePtr child;
    int rc;

    if ((rc = domain_xml_child(node, "mtu", &child)) <= 0)
        return rc;
    if (net->type == DOMAIN_NET_TYPE_USER) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("<mtu> is not supported for interfaces of type 'user'"));
        return -1;
    }
    rc = domain_xml_attr_uint(child, "size", 10, &net->mtu);
    if (rc == -2)
        return -1;
    if (rc == -1 || net->mtu < 68 || net->mtu > 65535) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("<mtu> of an interface needs a size from 68 to 65535"));
        return -1;
    }
    return 0;
}

static int
net_parse_mac(xmlNodePtr node, DomainNetDef *net)
{
    g_autofree char *mac = NULL;
    xmlNodePtr child;
    int rc;

    if ((rc = domain_xml_child(node, "mac", &child)) < 0)
        return -1;
    if (rc > 0 && (rc = domain_xml_attr_string(child, "address", FALSE, &mac)) == -2)
        return -1;
    if (!mac) {
        /* QEMU's own prefix, like libvirt's generated addresses. */
        net->mac[0] = 0x52;
        net->mac[1] = 0x54;
        net->mac[2] = 0x00;
        domain_conf_random_bytes(net->mac + 3, 3);
        return 0;
    }
    if (domain_mac_parse(mac, net->mac) < 0) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("invalid MAC address '%s'"), mac);
        return -1;
    }
    if (net->mac[0] & 0x01) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("expected unicast mac address, found multicast '%s'"), mac);
        return -1;
    }
    return 0;
}

static int
net_parse_source(xmlNodePtr node, DomainNetDef *net)
{
    const char *attr;
    xmlNodePtr source = NULL;
    int rc;

    if (net->type == DOMAIN_NET_TYPE_NETWORK)
        attr = "network";
    else if (net->type == DOMAIN_NET_TYPE_BRIDGE)
        attr = "bridge";
    else
        return 0; /* user and ethernet have no source */

    if ((rc = domain_xml_child(node, "source", &source)) < 0)
        return -1;
    if (rc > 0 && domain_xml_attr_string(source, attr, FALSE, &net->source) == -2)
        return -1;
    if (!net->source) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("interface of type '%s' needs <source %s='...'/>"),
                           domain_net_type_to_string(net->type), attr);
        return -1;
    }
    if (net->type == DOMAIN_NET_TYPE_BRIDGE && !net_ifname_valid(net->source)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid bridge name '%s': expected 1 to 15 letters, digits, "
                             "'_', '.' or '-'"),
                           net->source);
        return -1;
    }
    return 0;
}

DomainNetDef *
domain_net_parse(xmlNodePtr node, unsigned int flags)
{
    g_autoptr(DomainNetDef) net = g_new0(DomainNetDef, 1);
    xmlNodePtr child;
    int rc;

    rc = domain_xml_attr_enum(node, "type", domain_net_type_to_string, 0, DOMAIN_NET_TYPE_LAST,
                              &net->type);
    if (rc == -2)
        return NULL;
    if (rc == -1) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <interface>"));
        return NULL;
    }
    if (net_parse_mac(node, net) < 0 || net_parse_source(node, net) < 0)
        return NULL;

    /* User networking has no host interface: a <target> there is refused. */
    if (net->type == DOMAIN_NET_TYPE_USER)
        rc = 0;
    else if ((rc = domain_xml_child(node, "target", &child)) < 0)
        return NULL;
    if (rc > 0 && domain_xml_attr_string(child, "dev", FALSE, &net->ifname) == -2)
        return NULL;
    if (rc > 0 && net->type == DOMAIN_NET_TYPE_ETHERNET &&
        domain_xml_attr_tristate(child, "managed", FALSE, &net->managed_tap) == -2)
        return NULL;
    if (net->managed_tap == DOMAIN_TRISTATE_NO && !net->ifname) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("an unmanaged tap device (managed='no') needs a target dev name"));
        return NULL;
    }
    if (net->ifname && !net_ifname_valid(net->ifname)) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR,
                           _("invalid interface target name '%s': expected 1 to 15 letters, "
                             "digits, '_', '.' or '-'"),
                           net->ifname);
        return NULL;
    }
    if (!(flags & DOMAIN_DEF_PARSE_STATUS) && net_ifname_generated(net))
        g_clear_pointer(&net->ifname, g_free);

    if ((rc = domain_xml_child(node, "model", &child)) < 0)
        return NULL;
    if (rc > 0) {
        rc = domain_xml_attr_enum(child, "type", domain_net_model_to_string, 1,
                                  DOMAIN_NET_MODEL_LAST, &net->model);
        if (rc == -2)
            return NULL;
        if (rc == -1) {
            qvirt_report_error(QVIRT_ERR_XML_ERROR, _("missing attribute 'type' of <model>"));
            return NULL;
        }
    }
    if (net_parse_mtu(node, net) < 0)
        return NULL;
    if (domain_device_info_parse(node, &net->info,
                                 DOMAIN_INFO_BOOT | DOMAIN_INFO_PCI | DOMAIN_INFO_ALIAS, flags) < 0)
        return NULL;
    return g_steal_pointer(&net);
}

void
domain_net_format(QvirtBuffer *buf, const DomainNetDef *net, unsigned int flags)
{
    char mac[DOMAIN_MAC_STRING_BUFLEN];

    qvirt_buffer_printf(buf, "<interface type='%s'>\n", domain_net_type_to_string(net->type));
    qvirt_buffer_add_indent(buf, 2);
    domain_mac_format(net->mac, mac);
    qvirt_buffer_printf(buf, "<mac address='%s'/>\n", mac);
    if (net->type == DOMAIN_NET_TYPE_NETWORK)
        qvirt_buffer_escape_string(buf, "<source network='%s'/>\n", net->source);
    else if (net->type == DOMAIN_NET_TYPE_BRIDGE)
        qvirt_buffer_escape_string(buf, "<source bridge='%s'/>\n", net->source);
    if (net->ifname && !((flags & DOMAIN_DEF_FORMAT_INACTIVE) && net_ifname_generated(net))) {
        qvirt_buffer_escape_string(buf, "<target dev='%s'", net->ifname);
        if (net->managed_tap)
            qvirt_buffer_printf(buf, " managed='%s'",
                                domain_tristate_bool_to_string(net->managed_tap));
        qvirt_buffer_add(buf, "/>\n");
    }
    if (net->model)
        qvirt_buffer_printf(buf, "<model type='%s'/>\n", domain_net_model_to_string(net->model));
    if (net->mtu)
        qvirt_buffer_printf(buf, "<mtu size='%u'/>\n", net->mtu);
    domain_device_info_format(buf, &net->info, flags);
    qvirt_buffer_add_indent(buf, -2);
    qvirt_buffer_add(buf, "</interface>\n");
}

/* domain_conf_defaults.c: the rules that span several parts of a domain,
 * applied once everything is read: unique disk targets, boot order, and
 * the device defaults and addresses filled in by the other files.
 *
 * Contract: domain_def_post_parse() either completes DEF (every default
 * explicit, every address assigned) or reports one error and returns -1.
 * Applied to a definition it completed before, it changes nothing. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf_priv.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

static int
defaults_check_disks(const DomainDef *def)
{
    for (size_t i = 0; i < def->ndisks; i++) {
        for (size_t j = i + 1; j < def->ndisks; j++) {
            if (strcmp(def->disks[i]->dst, def->disks[j]->dst) == 0) {
                qvirt_report_error(QVIRT_ERR_XML_ERROR, _("duplicate disk target '%s'"),
                                   def->disks[i]->dst);
                return -1;
            }
        }
    }
    return 0;
}

/* Per-device <boot order> excludes <os><boot dev>; without either, the
 * first hard disk boots (libvirt's default). */
static int
defaults_add_boot_order(GHashTable *orders, unsigned int order)
{
    if (order && !g_hash_table_add(orders, GUINT_TO_POINTER(order))) {
        qvirt_report_error(QVIRT_ERR_XML_ERROR, _("boot order %u is used by more than one device"),
                           order);
        return -1;
    }
    return 0;
}

static int
defaults_boot_order(DomainDef *def)
{
    g_autoptr(GHashTable) orders = g_hash_table_new(g_direct_hash, g_direct_equal);

    for (size_t i = 0; i < def->ndisks; i++) {
        if (defaults_add_boot_order(orders, def->disks[i]->info.boot_order) < 0)
            return -1;
    }
    for (size_t i = 0; i < def->nnets; i++) {
        if (defaults_add_boot_order(orders, def->nets[i]->info.boot_order) < 0)
            return -1;
    }
    if (g_hash_table_size(orders) > 0 && def->os.nboot_devs > 0) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("per-device boot elements cannot be used together with os/boot "
                             "elements"));
        return -1;
    }
    if (g_hash_table_size(orders) == 0 && def->os.nboot_devs == 0) {
        def->os.boot_devs[0] = DOMAIN_BOOT_HD;
        def->os.nboot_devs = 1;
    }
    return 0;
}

int
domain_def_post_parse(DomainDef *def)
{
    if (domain_xml_check_path(def->os.kernel, "<kernel>") < 0 ||
        domain_xml_check_path(def->os.initrd, "<initrd>") < 0 ||
        domain_xml_check_path(def->emulator, "<emulator>") < 0)
        return -1;
    if (defaults_check_disks(def) < 0 || defaults_boot_order(def) < 0)
        return -1;
    if (domain_chr_post_parse(def) < 0 || domain_devices_post_parse(def) < 0)
        return -1;
    return domain_addr_assign(def);
}

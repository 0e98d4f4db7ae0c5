/* remote_driver_save.c: the remote driver's save, restore, managed save and
 * core dump entries (see remote_driver.h), each one REMOTE procedure with
 * libvirt's number and layout.
 *
 * Contract: a save or restore without an alternative XML and without flags
 * travels as the first-generation procedure (SAVE, RESTORE), and a RAW dump
 * as CORE_DUMP, as libvirt's virDomainSave / virDomainRestore /
 * virDomainCoreDump do; anything else as SAVE_FLAGS, RESTORE_FLAGS or
 * CORE_DUMP_WITH_FORMAT. An absent XML travels as an absent string. The
 * paths are sent as given: the API made them absolute already. */
#include <config.h>

#include "driver/save.h"
#include "remote/remote_driver_priv.h"

int
remote_domain_save_flags(QvDomain *dom, const char *to, const char *dxml, unsigned int flags)
{
    char *x = (char *)dxml;

    if (!dxml && flags == 0) {
        remote_domain_save_args args = {0};

        remote_dom_to_wire(dom, &args.dom);
        args.to = (char *)to;
        return remote_call(dom->conn, REMOTE_PROC_DOMAIN_SAVE,
                           (xdrproc_t)xdr_remote_domain_save_args, &args, RPC_XDR_VOID, NULL);
    } else {
        remote_domain_save_flags_args args = {0};

        remote_dom_to_wire(dom, &args.dom);
        args.to = (char *)to;
        args.dxml = dxml ? &x : NULL;
        args.flags = flags;
        return remote_call(dom->conn, REMOTE_PROC_DOMAIN_SAVE_FLAGS,
                           (xdrproc_t)xdr_remote_domain_save_flags_args, &args, RPC_XDR_VOID, NULL);
    }
}

int
remote_domain_restore_flags(QvConnect *conn, const char *from, const char *dxml, unsigned int flags)
{
    char *x = (char *)dxml;

    if (!dxml && flags == 0) {
        remote_domain_restore_args args = {.from = (char *)from};

        return remote_call(conn, REMOTE_PROC_DOMAIN_RESTORE,
                           (xdrproc_t)xdr_remote_domain_restore_args, &args, RPC_XDR_VOID, NULL);
    } else {
        remote_domain_restore_flags_args args = {0};

        args.from = (char *)from;
        args.dxml = dxml ? &x : NULL;
        args.flags = flags;
        return remote_call(conn, REMOTE_PROC_DOMAIN_RESTORE_FLAGS,
                           (xdrproc_t)xdr_remote_domain_restore_flags_args, &args, RPC_XDR_VOID,
                           NULL);
    }
}

int
remote_domain_managed_save(QvDomain *dom, unsigned int flags)
{
    return remote_dom_flags_call(dom, REMOTE_PROC_DOMAIN_MANAGED_SAVE, flags);
}

int
remote_domain_has_managed_save_image(QvDomain *dom, unsigned int flags)
{
    remote_domain_has_managed_save_image_args args = {0};
    remote_domain_has_managed_save_image_ret ret = {0};

    remote_dom_to_wire(dom, &args.dom);
    args.flags = flags;
    if (remote_call(dom->conn, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
                    (xdrproc_t)xdr_remote_domain_has_managed_save_image_args, &args,
                    (xdrproc_t)xdr_remote_domain_has_managed_save_image_ret, &ret) < 0)
        return -1;
    return ret.result ? 1 : 0;
}

int
remote_domain_managed_save_remove(QvDomain *dom, unsigned int flags)
{
    return remote_dom_flags_call(dom, REMOTE_PROC_DOMAIN_MANAGED_SAVE_REMOVE, flags);
}

int
remote_domain_core_dump_with_format(QvDomain *dom, const char *to, unsigned int dumpformat,
                                    unsigned int flags)
{
    if (dumpformat == QV_DOMAIN_CORE_DUMP_FORMAT_RAW) {
        remote_domain_core_dump_args args = {0};

        remote_dom_to_wire(dom, &args.dom);
        args.to = (char *)to;
        args.flags = flags;
        return remote_call(dom->conn, REMOTE_PROC_DOMAIN_CORE_DUMP,
                           (xdrproc_t)xdr_remote_domain_core_dump_args, &args, RPC_XDR_VOID, NULL);
    } else {
        remote_domain_core_dump_with_format_args args = {0};

        remote_dom_to_wire(dom, &args.dom);
        args.to = (char *)to;
        args.dumpformat = dumpformat;
        args.flags = flags;
        return remote_call(dom->conn, REMOTE_PROC_DOMAIN_CORE_DUMP_WITH_FORMAT,
                           (xdrproc_t)xdr_remote_domain_core_dump_with_format_args, &args,
                           RPC_XDR_VOID, NULL);
    }
}

/* qemucapsprobe.c: record the capability fixtures of a QEMU binary.
 *
 *   qemucapsprobe BINARY OUTDIR
 *
 * Probes BINARY as the daemon does (qemu_caps_probe) and writes into OUTDIR,
 * for ARCH taken from the binary's name (qemu-system-ARCH):
 *   qmp-schema.json          the reply to query-qmp-schema
 *   caps.ARCH.tcg.json       every command of the TCG probe and its reply
 *   caps.ARCH.kvm.json       the same for the KVM probe
 *   caps.ARCH.xml            the capabilities XML (without the cache key)
 * In the replies files the schema's reply is the string "qmp-schema.json".
 * Run through tools/record-qemu-caps. */
#include <config.h>

#include <locale.h>
#include <string.h>

#include "qemu/qemu_capabilities_priv.h"
#include "qemu/qemu_monitor_priv.h"
#include "util/error.h"
#include "util/files.h"

#define SCHEMA_FILE "qmp-schema.json"

typedef struct {
    QvirtJson *tcg;
    QvirtJson *kvm;
    QvirtJson *schema;
} Recording;

typedef struct {
    Recording *rec;
    QvirtJson *list;
} Pass;

static Pass pass_tcg;
static Pass pass_kvm;

static void
record_command(QemuMonitor *mon, QvirtJson *cmd, QvirtJson *reply, gpointer opaque)
{
    Pass *pass = opaque;
    QvirtJson *entry = json_object_new_object();
    QvirtJson *copy = NULL;
    QvirtJson *args = NULL;
    QvirtJson *ret = NULL;
    const char *name = NULL;

    qvirt_json_get_string(cmd, "execute", &name);
    if (!name || strcmp(name, "quit") == 0) {
        json_object_put(entry);
        return;
    }
    json_object_object_add(entry, "execute", json_object_new_string(name));
    if (json_object_object_get_ex(cmd, "arguments", &args))
        json_object_object_add(entry, "arguments", json_object_get(args));
    if (strcmp(name, "query-qmp-schema") == 0 && json_object_object_get_ex(reply, "return", &ret)) {
        if (!pass->rec->schema)
            pass->rec->schema = json_object_get(ret);
        json_object_object_add(entry, "reply", json_object_new_string(SCHEMA_FILE));
    } else {
        json_object_deep_copy(reply, &copy, NULL);
        json_object_object_del(copy, "id");
        json_object_object_add(entry, "reply", copy);
    }
    json_object_array_add(pass->list, entry);
}

static void
probe_hook(QemuMonitor *mon, bool kvm_pass, gpointer opaque)
{
    qemu_monitor_set_recorder(mon, record_command, kvm_pass ? &pass_kvm : &pass_tcg);
}

static int
write_json(const char *dir, const char *name, QvirtJson *obj)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *text = g_strconcat(
        json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                JSON_C_TO_STRING_NOSLASHESCAPE),
        "\n", NULL);

    return qvirt_file_write_atomic_str(path, text, 0644);
}

int
main(int argc, char **argv)
{
    g_autoptr(QvirtEventLoop) loop = NULL;
    g_autoptr(QemuCaps) caps = NULL;
    g_autofree char *base = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *name = NULL;
    g_autofree char *path = NULL;
    Recording rec = {json_object_new_array(), json_object_new_array(), NULL};
    const char *arch;

    setlocale(LC_ALL, "C");
    if (argc != 3) {
        g_printerr("usage: %s BINARY OUTDIR\n", argv[0]);
        return 2;
    }
    base = g_path_get_basename(argv[1]);
    if (!g_str_has_prefix(base, "qemu-system-")) {
        g_printerr("%s: '%s' is not a qemu-system-ARCH binary\n", argv[0], argv[1]);
        return 2;
    }
    arch = base + strlen("qemu-system-");

    pass_tcg = (Pass){&rec, rec.tcg};
    pass_kvm = (Pass){&rec, rec.kvm};
    loop = qvirt_event_loop_new("caps-probe");
    caps = qemu_caps_probe_full(argv[1], loop, probe_hook, NULL);
    if (!caps || !rec.schema) {
        g_printerr("%s: %s\n", argv[0], qvirt_error_last_message());
        return 1;
    }

    name = g_strdup_printf("caps.%s.tcg.json", arch);
    if (write_json(argv[2], SCHEMA_FILE, rec.schema) < 0 || write_json(argv[2], name, rec.tcg) < 0)
        goto error;
    g_free(name);
    name = g_strdup_printf("caps.%s.kvm.json", arch);
    if (write_json(argv[2], name, rec.kvm) < 0)
        goto error;
    g_free(name);
    name = g_strdup_printf("caps.%s.xml", arch);
    path = g_build_filename(argv[2], name, NULL);
    xml = qemu_caps_format(caps, false);
    if (qvirt_file_write_atomic_str(path, xml, 0644) < 0)
        goto error;
    g_print("recorded QEMU %u (%s) into %s\n", qemu_caps_get_version(caps),
            qemu_caps_get_package(caps) ? qemu_caps_get_package(caps) : "", argv[2]);
    json_object_put(rec.tcg);
    json_object_put(rec.kvm);
    json_object_put(rec.schema);
    return 0;

error:
    g_printerr("%s: %s\n", argv[0], qvirt_error_last_message());
    return 1;
}

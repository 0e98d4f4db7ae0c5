/* qemuxml2argvprobe.c: record what the command line checks of
 * test-qemuxml2argv need to know about a QEMU binary and that the
 * capability fixtures do not hold.
 *
 *   qemuxml2argvprobe BINARY OUTFILE
 *
 * Starts BINARY with "-machine none" and a QMP monitor and writes OUTFILE,
 * a JSON object:
 *   "version"               QEMU's version and package
 *   "command-line-options"  option -> its QemuOpts parameter names
 *                           (query-command-line-options)
 *   "accelerators"          the accelerator types ("tcg-accel", ...)
 *   "device-types"          every device type (qom-list-types)
 *   "device-properties"     for each device qvirt emits: property -> type
 *   "machine-properties"    for the machines "pc" and "q35" stand for:
 *                           property -> type
 * Everything is sorted, so a re-recording of the same QEMU is identical.
 * Run through tools/regen-xml2argv --record. */
#include <config.h>

#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "qemu/qemu_monitor_json.h"
#include "util/error.h"
#include "util/files.h"
#include "util/process.h"

/* Every -device driver qvirt can emit. qemu_command*.c and this list
 * change together: the test fails on a driver missing here. */
static const char *const probe_devices[] = {
    "cirrus-vga",
    "e1000",
    "e1000e",
    "ich9-ahci",
    "ide-cd",
    "ide-hd",
    "isa-serial",
    "nec-usb-xhci",
    "piix3-usb-uhci",
    "qemu-xhci",
    "rtl8139",
    "scsi-cd",
    "scsi-hd",
    "usb-kbd",
    "usb-mouse",
    "usb-storage",
    "usb-tablet",
    "VGA",
    "virtconsole",
    "virtio-balloon-pci",
    "virtio-blk-pci",
    "virtio-gpu-pci",
    "virtio-keyboard-pci",
    "virtio-mouse-pci",
    "virtio-net-pci",
    "virtio-rng-pci",
    "virtio-scsi-pci",
    "virtio-serial-pci",
    "virtio-tablet-pci",
    "virtio-vga",
};

#define PROBE_TIMEOUT_MS 30000

static int
probe_compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Order JSON objects by their string member KEY. */
static int
probe_compare_members(gconstpointer a, gconstpointer b, gpointer key)
{
    const char *x = NULL;
    const char *y = NULL;

    qvirt_json_get_string(*(QvirtJson *const *)a, key, &x);
    qvirt_json_get_string(*(QvirtJson *const *)b, key, &y);
    return g_strcmp0(x, y);
}

static QvirtJson *
probe_command(QemuMonitor *mon, const char *name, const char *arg_key, const char *arg_value,
              json_type want)
{
    g_autoptr(QvirtJson) cmd = NULL;
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *ret = NULL;

    if (arg_key)
        cmd = qemu_monitor_json_make_command(name, arg_key, arg_value, NULL);
    else
        cmd = qemu_monitor_json_make_command(name, NULL);
    if (!cmd || qemu_monitor_json_command(mon, cmd, &reply) < 0 ||
        qemu_monitor_json_check_reply(mon, name, reply, want) < 0)
        return NULL;
    json_object_object_get_ex(reply, "return", &ret);
    return json_object_get(ret);
}

/* A sorted array of the "name" members of the objects of LIST. */
static QvirtJson *
probe_sorted_names(QvirtJson *list)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    QvirtJson *out = json_object_new_array();

    for (size_t i = 0; i < json_object_array_length(list); i++) {
        QvirtJson *item = json_object_array_get_idx(list, i);
        const char *name = NULL;

        if (qvirt_json_get_string(item, "name", &name) == 0)
            g_ptr_array_add(names, (gpointer)name);
    }
    g_ptr_array_sort(names, probe_compare_strings);
    for (guint i = 0; i < names->len; i++)
        json_object_array_add(out, json_object_new_string(g_ptr_array_index(names, i)));
    return out;
}

/* {name: type} of a list of ObjectPropertyInfo, sorted by name. */
static QvirtJson *
probe_sorted_properties(QvirtJson *list)
{
    g_autoptr(GPtrArray) items = g_ptr_array_new();
    QvirtJson *out = json_object_new_object();

    for (size_t i = 0; i < json_object_array_length(list); i++)
        g_ptr_array_add(items, json_object_array_get_idx(list, i));
    g_ptr_array_sort_with_data(items, probe_compare_members, (gpointer) "name");
    for (guint i = 0; i < items->len; i++) {
        const char *name = NULL;
        const char *type = NULL;

        qvirt_json_get_string(g_ptr_array_index(items, i), "name", &name);
        qvirt_json_get_string(g_ptr_array_index(items, i), "type", &type);
        if (name)
            json_object_object_add(out, name, json_object_new_string(type ? type : ""));
    }
    return out;
}

static QvirtJson *
probe_command_line_options(QemuMonitor *mon)
{
    g_autoptr(QvirtJson) list =
        probe_command(mon, "query-command-line-options", NULL, NULL, json_type_array);
    g_autoptr(GPtrArray) options = g_ptr_array_new();
    QvirtJson *out;

    if (!list)
        return NULL;
    for (size_t i = 0; i < json_object_array_length(list); i++)
        g_ptr_array_add(options, json_object_array_get_idx(list, i));
    out = json_object_new_object();
    /* query-command-line-options lists options in QEMU's order; sort them. */
    g_ptr_array_sort_with_data(options, probe_compare_members, (gpointer) "option");
    for (guint i = 0; i < options->len; i++) {
        QvirtJson *opt = g_ptr_array_index(options, i);
        QvirtJson *params = NULL;
        const char *name = NULL;

        if (qvirt_json_get_string(opt, "option", &name) < 0 || !*name ||
            qvirt_json_get_array(opt, "parameters", &params) < 0)
            continue;
        json_object_object_add(out, name, probe_sorted_names(params));
    }
    return out;
}

static QvirtJson *
probe_machines(QemuMonitor *mon)
{
    g_autoptr(QvirtJson) machines =
        probe_command(mon, "query-machines", NULL, NULL, json_type_array);
    QvirtJson *out = json_object_new_object();

    for (size_t i = 0; machines && i < json_object_array_length(machines); i++) {
        QvirtJson *machine = json_object_array_get_idx(machines, i);
        const char *alias = NULL;
        const char *name = NULL;
        g_autofree char *type = NULL;
        g_autoptr(QvirtJson) props = NULL;

        if (qvirt_json_get_string(machine, "alias", &alias) < 0 ||
            (strcmp(alias, "pc") != 0 && strcmp(alias, "q35") != 0) ||
            qvirt_json_get_string(machine, "name", &name) < 0)
            continue;
        type = g_strdup_printf("%s-machine", name);
        props = probe_command(mon, "qom-list-properties", "s:typename", type, json_type_array);
        if (!props) {
            json_object_put(out);
            return NULL;
        }
        json_object_object_add(out, alias, probe_sorted_properties(props));
    }
    return out;
}

static QvirtJson *
probe_types(QemuMonitor *mon, const char *implements)
{
    g_autoptr(QvirtJson) cmd = qemu_monitor_json_make_command("qom-list-types", "s:implements",
                                                              implements, "b:abstract", 0, NULL);
    g_autoptr(QvirtJson) reply = NULL;
    QvirtJson *ret = NULL;

    if (!cmd || qemu_monitor_json_command(mon, cmd, &reply) < 0 ||
        qemu_monitor_json_check_reply(mon, "qom-list-types", reply, json_type_array) < 0)
        return NULL;
    json_object_object_get_ex(reply, "return", &ret);
    return probe_sorted_names(ret);
}

static QvirtJson *
probe_all(QemuMonitor *mon)
{
    g_autoptr(QvirtJson) out = json_object_new_object();
    g_autoptr(QvirtJson) version =
        probe_command(mon, "query-version", NULL, NULL, json_type_object);
    QvirtJson *options;
    QvirtJson *accels;
    QvirtJson *devices;
    QvirtJson *machines;
    g_autoptr(QvirtJson) props = json_object_new_object();

    if (!version || !(options = probe_command_line_options(mon)))
        return NULL;
    json_object_object_add(out, "version", json_object_get(version));
    json_object_object_add(out, "command-line-options", options);
    if (!(accels = probe_types(mon, "accel")))
        return NULL;
    json_object_object_add(out, "accelerators", accels);
    if (!(devices = probe_types(mon, "device")))
        return NULL;
    json_object_object_add(out, "device-types", devices);
    for (size_t i = 0; i < G_N_ELEMENTS(probe_devices); i++) {
        g_autoptr(QvirtJson) list = probe_command(mon, "device-list-properties", "s:typename",
                                                  probe_devices[i], json_type_array);

        if (!list)
            return NULL;
        json_object_object_add(props, probe_devices[i], probe_sorted_properties(list));
    }
    if (!(machines = probe_machines(mon)))
        return NULL;
    json_object_object_add(out, "machine-properties", machines);
    json_object_object_add(out, "device-properties", g_steal_pointer(&props));
    return g_steal_pointer(&out);
}

int
main(int argc, char **argv)
{
    g_autoptr(QvirtEventLoop) loop = NULL;
    g_autoptr(QvirtCommand) cmd = NULL;
    g_autoptr(QvirtProcess) proc = NULL;
    g_autoptr(QvirtJson) result = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *chardev = NULL;
    g_autofree char *text = NULL;
    QemuMonitorConfig config = {.protocol = QEMU_MONITOR_PROTOCOL_QMP, .domain_name = "probe"};
    QemuMonitor *mon = NULL;
    int status = 1;
    int fd;

    setlocale(LC_ALL, "C");
    if (argc != 3) {
        g_printerr("usage: %s BINARY OUTFILE\n", argv[0]);
        return 2;
    }
    dir = g_dir_make_tmp("qvirt-probe-XXXXXX", NULL);
    if (!dir) {
        g_printerr("%s: cannot create a temporary folder\n", argv[0]);
        return 1;
    }
    sock = g_build_filename(dir, "qmp.sock", NULL);
    loop = qvirt_event_loop_new("xml2argv-probe");
    if ((fd = qemu_monitor_listen_socket(sock)) < 0)
        goto cleanup;
    chardev = g_strdup_printf("socket,id=qmp,fd=%d,server=on,wait=off", fd);
    cmd = qvirt_command_new(argv[1]);
    qvirt_command_add_args(cmd, "-machine", "none", "-S", "-nodefaults", "-no-user-config",
                           "-display", "none", "-accel", "tcg", "-chardev", chardev, "-mon",
                           "chardev=qmp,mode=control", NULL);
    qvirt_command_add_env(cmd, "LC_ALL=C");
    qvirt_command_pass_fd(cmd, fd);
    if (qvirt_command_spawn(cmd, &proc) < 0) {
        close(fd);
        goto cleanup;
    }
    close(fd);
    if (!(mon = qemu_monitor_open_path(loop, sock, &config)) ||
        qemu_monitor_json_set_capabilities(mon) < 0 || !(result = probe_all(mon)))
        goto cleanup;

    text = g_strconcat(json_object_to_json_string_ext(result, JSON_C_TO_STRING_PRETTY |
                                                                  JSON_C_TO_STRING_SPACED |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE),
                       "\n", NULL);
    if (qvirt_file_write_atomic_str(argv[2], text, 0644) < 0)
        goto cleanup;
    status = 0;

cleanup:
    if (status != 0)
        g_printerr("%s: %s\n", argv[0], qvirt_error_last_message());
    qemu_monitor_close(mon);
    if (proc)
        qvirt_process_kill_graceful(proc, PROBE_TIMEOUT_MS);
    if (sock)
        unlink(sock);
    rmdir(dir);
    return status;
}

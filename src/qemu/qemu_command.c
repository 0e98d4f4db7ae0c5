/* qemu_command.c: the QEMU command line of a domain: the process-wide
 * options (name, machine, accelerator, CPU, memory, clock, lifecycle, boot,
 * sandbox), the controllers and the smaller devices (input, graphics,
 * video, balloon, RNG), in libvirt's order. Disks, interfaces and
 * character devices are built by qemu_command_disk.c, qemu_command_net.c
 * and qemu_command_chardev.c. The contract is in qemu_command.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu/qemu_command_priv.h"
#include "util/error.h"
#include "util/log.h"
#include "util/uuid.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.command");

#define VNC_PORT_MIN 5900
#define TCG_VCPUS_MAX 255
/* The PC's CMOS holds at most this many boot devices (-boot order). */
#define BOOT_ORDER_MAX 3
#define VNC_PORT_MAX 65535
/* The search path QEMU gets: it runs helpers (e.g. for networking) by name. */
#define COMMAND_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_LIB_DIR "/var/lib/qvirt/qemu"

/* ---- The command line and its helpers ---- */

static QemuCommandLine *
command_line_new(void)
{
    QemuCommandLine *cl = g_new0(QemuCommandLine, 1);

    cl->env = g_ptr_array_new_with_free_func(g_free);
    cl->args = g_ptr_array_new_with_free_func(g_free);
    cl->fds = g_array_new(FALSE, FALSE, sizeof(int));
    return cl;
}

void
qemu_command_line_free(QemuCommandLine *cl)
{
    if (!cl)
        return;
    g_ptr_array_unref(cl->env);
    g_ptr_array_unref(cl->args);
    g_array_unref(cl->fds);
    g_free(cl);
}

void
qemu_command_add_arg(QemuCommandBuild *b, const char *arg)
{
    g_ptr_array_add(b->cl->args, g_strdup(arg));
}

void
qemu_command_add_opt(QemuCommandBuild *b, const char *opt, const char *value)
{
    qemu_command_add_arg(b, opt);
    qemu_command_add_arg(b, value);
}

void
qemu_command_add_opt_printf(QemuCommandBuild *b, const char *opt, const char *fmt, ...)
{
    va_list ap;

    qemu_command_add_arg(b, opt);
    va_start(ap, fmt);
    g_ptr_array_add(b->cl->args, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

void
qemu_command_add_json(QemuCommandBuild *b, const char *opt, QvirtJson *obj)
{
    qemu_command_add_arg(b, opt);
    g_ptr_array_add(b->cl->args, qvirt_json_to_string(obj));
    json_object_put(obj);
}

void
qemu_command_add_fd(QemuCommandBuild *b, int fd)
{
    for (guint i = 0; i < b->cl->fds->len; i++) {
        if (g_array_index(b->cl->fds, int, i) == fd)
            return;
    }
    g_array_append_val(b->cl->fds, fd);
}

void
qemu_command_json_str(QvirtJson *obj, const char *key, const char *value)
{
    json_object_object_add(obj, key, json_object_new_string(value));
}

void
qemu_command_json_int(QvirtJson *obj, const char *key, gint64 value)
{
    json_object_object_add(obj, key, json_object_new_int64(value));
}

void
qemu_command_json_bool(QvirtJson *obj, const char *key, gboolean value)
{
    json_object_object_add(obj, key, json_object_new_boolean(value));
}

char *
qemu_command_escape_comma(const char *str)
{
    GString *out = g_string_sized_new(strlen(str) + 8);

    for (const char *p = str; *p; p++) {
        if (*p == ',')
            g_string_append_c(out, ',');
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

QvirtJson *
qemu_command_device_new(const char *driver, const char *alias)
{
    QvirtJson *dev = json_object_new_object();

    qemu_command_json_str(dev, "driver", driver);
    if (alias)
        qemu_command_json_str(dev, "id", alias);
    return dev;
}

void
qemu_command_device_add_pci(QemuCommandBuild *b, QvirtJson *dev, const DomainDeviceInfo *info)
{
    g_autofree char *addr = NULL;

    if (info->addr_type != DOMAIN_ADDRESS_PCI)
        return;
    if (info->pci.function == 0)
        addr = g_strdup_printf("0x%x", info->pci.slot);
    else
        addr = g_strdup_printf("0x%x.0x%x", info->pci.slot, info->pci.function);
    qemu_command_json_str(dev, "bus", qemu_alias_pci_root_bus(b->def));
    qemu_command_json_str(dev, "addr", addr);
    if (info->pci.multifunction == DOMAIN_TRISTATE_YES)
        qemu_command_json_bool(dev, "multifunction", TRUE);
    else if (info->pci.multifunction == DOMAIN_TRISTATE_NO)
        qemu_command_json_bool(dev, "multifunction", FALSE);
}

void
qemu_command_device_add_bootindex(QvirtJson *dev, const DomainDeviceInfo *info)
{
    if (info->boot_order > 0)
        qemu_command_json_int(dev, "bootindex", info->boot_order);
}

/* ---- Process-wide options ---- */

static const char *
command_emulator(QemuCommandBuild *b)
{
    if (b->def->emulator)
        return b->def->emulator;
    if (b->ctx->emulator)
        return b->ctx->emulator;
    return qemu_caps_get_binary(b->caps);
}

static int
command_build_env(QemuCommandBuild *b)
{
    const char *lib = b->ctx->lib_dir;

    if (!lib) {
        qvirt_report_internal(_("no private folder given for QEMU of domain '%s'"), b->def->name);
        return -1;
    }
    g_ptr_array_add(b->cl->env, g_strdup("LC_ALL=C"));
    g_ptr_array_add(b->cl->env, g_strdup("PATH=" COMMAND_PATH));
    g_ptr_array_add(b->cl->env, g_strdup_printf("HOME=%s", lib));
    g_ptr_array_add(b->cl->env, g_strdup_printf("XDG_DATA_HOME=%s/.local/share", lib));
    g_ptr_array_add(b->cl->env, g_strdup_printf("XDG_CACHE_HOME=%s/.cache", lib));
    g_ptr_array_add(b->cl->env, g_strdup_printf("XDG_CONFIG_HOME=%s/.config", lib));
    return 0;
}

static int
command_check_virt_type(QemuCommandBuild *b)
{
    switch ((DomainVirtType)b->def->virt_type) {
    case DOMAIN_VIRT_QEMU:
        return 0;
    case DOMAIN_VIRT_KVM:
        if (b->ctx->kvm_usable)
            return 0;
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("domain '%s' has type 'kvm' but KVM is not usable on this host "
                             "with emulator '%s' (use type 'qemu' to run it with TCG)"),
                           b->def->name, command_emulator(b));
        return -1;
    case DOMAIN_VIRT_TEST:
    case DOMAIN_VIRT_LAST:
        break;
    }
    qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                       _("domain type '%s' of domain '%s' is not supported by the QEMU driver"),
                       domain_virt_to_string(b->def->virt_type), b->def->name);
    return -1;
}

/* The machine type must be one the binary has, of the i440FX or Q35 family
 * (the device placement of domain_addr.c knows only these two), and able to
 * run the vCPUs asked for with the accelerator. */
static int
command_check_machine(QemuCommandBuild *b)
{
    const DomainDef *def = b->def;
    const QemuCapsMachine *machine = qemu_caps_get_machine(b->caps, def->os.machine);

    if (!machine) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("machine type '%s' is not supported by emulator '%s'"),
                           def->os.machine, command_emulator(b));
        return -1;
    }
    if (!g_str_has_prefix(machine->name, "pc-i440fx-") &&
        !g_str_has_prefix(machine->name, "pc-q35-")) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("machine type '%s' is not supported: qvirt runs the i440FX ('pc') "
                             "and Q35 ('q35') machine types"),
                           def->os.machine);
        return -1;
    }
    if (machine->max_cpus > 0 && def->vcpus > (unsigned int)machine->max_cpus) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("%u vCPUs are more than the %d that machine type '%s' supports"),
                           def->vcpus, machine->max_cpus, def->os.machine);
        return -1;
    }
    /* libvirt asks numad where to place such vCPUs; qvirt does not pin. */
    if (def->vcpu_placement == DOMAIN_VCPU_PLACEMENT_AUTO) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("vCPU placement 'auto' of domain '%s' is not supported (numad is "
                             "not available): use placement 'static'"),
                           def->name);
        return -1;
    }
    /* TCG has no x2APIC emulation, which more than 255 vCPUs need. */
    if (def->virt_type != DOMAIN_VIRT_KVM && def->vcpus > TCG_VCPUS_MAX) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("%u vCPUs need KVM: a domain of type 'qemu' (TCG) has at most %d"),
                           def->vcpus, TCG_VCPUS_MAX);
        return -1;
    }
    if (machine->deprecated)
        QVIRT_WARN("domain '%s' uses machine type '%s', which QEMU deprecated", def->name,
                   machine->name);
    return 0;
}

static void
command_build_name(QemuCommandBuild *b)
{
    g_autofree char *name = qemu_command_escape_comma(b->def->name);

    qemu_command_add_opt_printf(b, "-name", "guest=%s,debug-threads=on", name);
}

static void
command_build_machine(QemuCommandBuild *b)
{
    g_autofree char *type = qemu_command_escape_comma(b->def->os.machine);
    GString *opt = g_string_new(type);

    /* USB controllers are added as devices; a guest core is not dumped with
     * the host's (it would hold the guest's memory). */
    g_string_append(opt, ",usb=off,dump-guest-core=off");
    if (!b->def->features[DOMAIN_FEATURE_ACPI])
        g_string_append(opt, ",acpi=off");
    qemu_command_add_arg(b, "-machine");
    g_ptr_array_add(b->cl->args, g_string_free(opt, FALSE));
    qemu_command_add_opt(b, "-accel", b->def->virt_type == DOMAIN_VIRT_KVM ? "kvm" : "tcg");
}

static const QemuCapsCpuModel *
command_find_cpu_model(QemuCommandBuild *b, const char *name)
{
    const GPtrArray *models = qemu_caps_get_cpu_models(b->caps);

    for (guint i = 0; models && i < models->len; i++) {
        const QemuCapsCpuModel *model = g_ptr_array_index(models, i);

        if (strcmp(model->name, name) == 0)
            return model;
    }
    return NULL;
}

static int
command_build_cpu(QemuCommandBuild *b)
{
    const DomainCpuDef *cpu = b->def->cpu;
    gboolean kvm = b->def->virt_type == DOMAIN_VIRT_KVM;
    const QemuCapsCpuModel *model;
    g_autofree char *name = NULL;

    if (!cpu)
        return 0; /* QEMU's default model of the machine */

    switch ((DomainCpuMode)cpu->mode) {
    case DOMAIN_CPU_MODE_HOST_PASSTHROUGH:
        if (!kvm) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("CPU mode 'host-passthrough' of domain '%s' needs KVM, but "
                                 "a domain of type 'qemu' runs with TCG"),
                               b->def->name);
            return -1;
        }
        qemu_command_add_opt(b, "-cpu", "host,migratable=on");
        return 0;
    case DOMAIN_CPU_MODE_HOST_MODEL:
        /* Every feature the accelerator offers, migratable ones only. */
        qemu_command_add_opt(b, "-cpu", "max");
        return 0;
    case DOMAIN_CPU_MODE_CUSTOM:
    case DOMAIN_CPU_MODE_LAST:
        break;
    }
    if (!cpu->model)
        return 0; /* a topology only */

    if (!kvm && strcmp(cpu->model, "host") == 0) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("CPU model 'host' of domain '%s' needs KVM, but a domain of type "
                             "'qemu' runs with TCG"),
                           b->def->name);
        return -1;
    }
    model = command_find_cpu_model(b, cpu->model);
    if (!model) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("CPU model '%s' is not supported by emulator '%s'"), cpu->model,
                           command_emulator(b));
        return -1;
    }
    if (!kvm && !model->usable && cpu->fallback == DOMAIN_CPU_FALLBACK_FORBID) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("CPU model '%s' is not usable with TCG and its fallback is "
                             "forbidden"),
                           cpu->model);
        return -1;
    }
    name = qemu_command_escape_comma(cpu->model);
    qemu_command_add_opt(b, "-cpu", name);
    return 0;
}

static void
command_build_memory_smp(QemuCommandBuild *b)
{
    const DomainDef *def = b->def;
    const DomainCpuDef *cpu = def->cpu;

    qemu_command_add_opt_printf(b, "-m", "size=%lluk", def->memory_kib);
    if (cpu && cpu->sockets > 0) {
        GString *smp = g_string_new(NULL);

        g_string_printf(smp, "%u,sockets=%u", def->vcpus, cpu->sockets);
        if (cpu->dies > 1)
            g_string_append_printf(smp, ",dies=%u", cpu->dies);
        g_string_append_printf(smp, ",cores=%u,threads=%u", cpu->cores, cpu->threads);
        qemu_command_add_arg(b, "-smp");
        g_ptr_array_add(b->cl->args, g_string_free(smp, FALSE));
    } else {
        qemu_command_add_opt_printf(b, "-smp", "%u,sockets=%u,cores=1,threads=1", def->vcpus,
                                    def->vcpus);
    }
}

static void
command_build_uuid(QemuCommandBuild *b)
{
    char uuid[QVIRT_UUID_STRING_BUFLEN];

    qvirt_uuid_format(b->def->uuid, uuid);
    qemu_command_add_opt(b, "-uuid", uuid);
}

/* QEMU stays after the guest powers off (-no-shutdown), so that the driver
 * carries out <on_poweroff> itself and sees why the guest stopped. */
static int
command_build_lifecycle(QemuCommandBuild *b)
{
    const DomainDef *def = b->def;
    const struct {
        const char *element;
        int action;
    } actions[] = {
        {"on_poweroff", def->on_poweroff},
        {"on_reboot", def->on_reboot},
        {"on_crash", def->on_crash},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(actions); i++) {
        if (actions[i].action == DOMAIN_LIFECYCLE_RENAME_RESTART) {
            qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                               _("<%s> action 'rename-restart' is not supported by the QEMU "
                                 "driver"),
                               actions[i].element);
            return -1;
        }
    }
    if (def->on_reboot == DOMAIN_LIFECYCLE_PRESERVE) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("<on_reboot> action 'preserve' is not supported by the QEMU driver"));
        return -1;
    }
    qemu_command_add_arg(b, "-no-shutdown");
    /* A reboot the guest asks for becomes a shutdown, which the driver
     * turns into the destroy it was configured as. */
    if (def->on_reboot == DOMAIN_LIFECYCLE_DESTROY)
        qemu_command_add_opt(b, "-action", "reboot=shutdown");
    return 0;
}

static int
command_build_boot(QemuCommandBuild *b)
{
    const DomainDef *def = b->def;
    GString *opt = g_string_new(NULL);

    if (def->os.nboot_devs > BOOT_ORDER_MAX) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("domain '%s' has %zu <boot dev> elements, but x86 machines boot "
                             "from at most %d device types (use <boot order> on the devices)"),
                           def->name, def->os.nboot_devs, BOOT_ORDER_MAX);
        g_string_free(opt, TRUE);
        return -1;
    }
    if (def->os.nboot_devs > 0) {
        g_string_append(opt, "order=");
        for (size_t i = 0; i < def->os.nboot_devs; i++) {
            switch ((DomainBootDev)def->os.boot_devs[i]) {
            case DOMAIN_BOOT_FLOPPY:
                g_string_append_c(opt, 'a');
                break;
            case DOMAIN_BOOT_CDROM:
                g_string_append_c(opt, 'd');
                break;
            case DOMAIN_BOOT_NETWORK:
                g_string_append_c(opt, 'n');
                break;
            case DOMAIN_BOOT_HD:
            case DOMAIN_BOOT_LAST:
                g_string_append_c(opt, 'c');
                break;
            }
        }
    } else {
        /* Devices carry bootindex; boot only from those. */
        g_string_append(opt, "strict=on");
    }
    if (def->os.bootmenu == DOMAIN_TRISTATE_YES) {
        g_string_append(opt, ",menu=on");
        if (def->os.bootmenu_timeout >= 0)
            g_string_append_printf(opt, ",splash-time=%d", def->os.bootmenu_timeout);
    } else if (def->os.bootmenu == DOMAIN_TRISTATE_NO) {
        g_string_append(opt, ",menu=off");
    }
    qemu_command_add_arg(b, "-boot");
    g_ptr_array_add(b->cl->args, g_string_free(opt, FALSE));
    return 0;
}

static int
command_build_kernel(QemuCommandBuild *b)
{
    const DomainDef *def = b->def;

    if (!def->os.kernel && (def->os.initrd || def->os.cmdline)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED, _("<%s> of domain '%s' needs a <kernel>"),
                           def->os.initrd ? "initrd" : "cmdline", def->name);
        return -1;
    }
    /* These options take their value verbatim: no comma escaping. */
    if (def->os.kernel)
        qemu_command_add_opt(b, "-kernel", def->os.kernel);
    if (def->os.initrd)
        qemu_command_add_opt(b, "-initrd", def->os.initrd);
    if (def->os.cmdline)
        qemu_command_add_opt(b, "-append", def->os.cmdline);
    return 0;
}

/* ---- Controllers ---- */

static void
command_add_usb_ports(QvirtJson *dev, const DomainControllerDef *cont)
{
    if (cont->ports == 0)
        return;
    /* An xHCI controller has as many USB 2 as USB 3 ports. */
    qemu_command_json_int(dev, "p2", cont->ports);
    qemu_command_json_int(dev, "p3", cont->ports);
}

static int
command_build_controllers(QemuCommandBuild *b)
{
    gboolean q35 = domain_def_is_q35(b->def);

    for (size_t i = 0; i < b->def->ncontrollers; i++) {
        const DomainControllerDef *cont = b->def->controllers[i];
        const char *driver = NULL;
        QvirtJson *dev;

        switch ((DomainControllerType)cont->type) {
        case DOMAIN_CONTROLLER_TYPE_PCI:
        case DOMAIN_CONTROLLER_TYPE_IDE:
            break; /* built into the machine */
        case DOMAIN_CONTROLLER_TYPE_SATA:
            if (!(q35 && cont->index == 0))
                driver = "ich9-ahci";
            break;
        case DOMAIN_CONTROLLER_TYPE_SCSI:
            driver = "virtio-scsi-pci";
            break;
        case DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
            driver = "virtio-serial-pci";
            break;
        case DOMAIN_CONTROLLER_TYPE_USB:
            switch ((DomainControllerModelUsb)cont->model) {
            case DOMAIN_CONTROLLER_MODEL_USB_PIIX3_UHCI:
                driver = "piix3-usb-uhci";
                break;
            case DOMAIN_CONTROLLER_MODEL_USB_QEMU_XHCI:
                driver = "qemu-xhci";
                break;
            case DOMAIN_CONTROLLER_MODEL_USB_NEC_XHCI:
                driver = "nec-usb-xhci";
                break;
            case DOMAIN_CONTROLLER_MODEL_USB_NONE:
            case DOMAIN_CONTROLLER_MODEL_USB_LAST:
                break;
            }
            break;
        case DOMAIN_CONTROLLER_TYPE_LAST:
            break;
        }
        if (!driver)
            continue;
        dev = qemu_command_device_new(driver, cont->info.alias);
        if (cont->type == DOMAIN_CONTROLLER_TYPE_USB)
            command_add_usb_ports(dev, cont);
        qemu_command_device_add_pci(b, dev, &cont->info);
        qemu_command_add_json(b, "-device", dev);
    }
    return 0;
}

/* How many ports the root hub of a USB controller has. */
static unsigned int
command_usb_ports(const DomainControllerDef *cont)
{
    switch ((DomainControllerModelUsb)cont->model) {
    case DOMAIN_CONTROLLER_MODEL_USB_PIIX3_UHCI:
        return 2;
    case DOMAIN_CONTROLLER_MODEL_USB_QEMU_XHCI:
    case DOMAIN_CONTROLLER_MODEL_USB_NEC_XHCI:
        /* Each port takes USB 2 and USB 3 devices; QEMU's default is 4. */
        return cont->ports ? cont->ports : 4;
    case DOMAIN_CONTROLLER_MODEL_USB_NONE:
    case DOMAIN_CONTROLLER_MODEL_USB_LAST:
        break;
    }
    return 0;
}

/* The bus of a USB device: the root hub of the controller its address names
 * (controller 0 without an address), and the port when given. qvirt adds no
 * USB hubs, so a port is a port of the root hub. */
int
qemu_command_device_add_usb(QemuCommandBuild *b, QvirtJson *dev, const DomainDeviceInfo *info)
{
    unsigned int index = info->addr_type == DOMAIN_ADDRESS_USB ? info->usb.bus : 0;
    const DomainControllerDef *cont =
        domain_def_find_controller(b->def, DOMAIN_CONTROLLER_TYPE_USB, index);
    const char *port = info->addr_type == DOMAIN_ADDRESS_USB ? info->usb.port : NULL;
    g_autofree char *bus = NULL;

    /* domain_addr.c adds the controller every USB device needs. */
    if (!cont || !cont->info.alias) {
        qvirt_report_internal(_("USB device '%s' has no USB controller %u"), info->alias, index);
        return -1;
    }
    bus = g_strdup_printf("%s.0", cont->info.alias);
    qemu_command_json_str(dev, "bus", bus);
    if (!port)
        return 0;
    if (strchr(port, '.')) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("USB port '%s' of device '%s' is behind a hub, but qvirt adds no "
                             "USB hubs"),
                           port, info->alias);
        return -1;
    }
    if ((unsigned int)atoi(port) > command_usb_ports(cont)) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("USB port '%s' of device '%s' does not exist: controller '%s' has "
                             "%u ports"),
                           port, info->alias, cont->info.alias, command_usb_ports(cont));
        return -1;
    }
    qemu_command_json_str(dev, "port", port);
    return 0;
}

/* ---- Input, graphics, video ---- */

static int
command_build_inputs(QemuCommandBuild *b)
{
    static const char *const usb_drivers[DOMAIN_INPUT_TYPE_LAST] = {
        [DOMAIN_INPUT_TYPE_MOUSE] = "usb-mouse",
        [DOMAIN_INPUT_TYPE_TABLET] = "usb-tablet",
        [DOMAIN_INPUT_TYPE_KEYBOARD] = "usb-kbd",
    };
    static const char *const virtio_drivers[DOMAIN_INPUT_TYPE_LAST] = {
        [DOMAIN_INPUT_TYPE_MOUSE] = "virtio-mouse-pci",
        [DOMAIN_INPUT_TYPE_TABLET] = "virtio-tablet-pci",
        [DOMAIN_INPUT_TYPE_KEYBOARD] = "virtio-keyboard-pci",
    };

    for (size_t i = 0; i < b->def->ninputs; i++) {
        const DomainInputDef *input = b->def->inputs[i];
        QvirtJson *dev;

        switch ((DomainInputBus)input->bus) {
        case DOMAIN_INPUT_BUS_USB:
            dev = qemu_command_device_new(usb_drivers[input->type], input->info.alias);
            if (qemu_command_device_add_usb(b, dev, &input->info) < 0) {
                json_object_put(dev);
                return -1;
            }
            break;
        case DOMAIN_INPUT_BUS_VIRTIO:
            dev = qemu_command_device_new(virtio_drivers[input->type], input->info.alias);
            qemu_command_device_add_pci(b, dev, &input->info);
            break;
        case DOMAIN_INPUT_BUS_PS2:
        case DOMAIN_INPUT_BUS_LAST:
        default:
            continue; /* the i8042 of the machine */
        }
        qemu_command_add_json(b, "-device", dev);
    }
    return 0;
}

static void
command_build_graphics(QemuCommandBuild *b)
{
    const DomainGraphicsDef *graphics = b->def->ngraphics > 0 ? b->def->graphics[0] : NULL;
    const char *listen;
    g_autofree char *host = NULL;

    if (!graphics) {
        qemu_command_add_opt(b, "-display", "none");
        return;
    }
    listen = graphics->listen ? graphics->listen
                              : (b->ctx->vnc_listen ? b->ctx->vnc_listen : "127.0.0.1");
    if (strchr(listen, ':'))
        host = g_strdup_printf("[%s]", listen); /* IPv6 */
    else
        host = qemu_command_escape_comma(listen);
    if (graphics->port >= VNC_PORT_MIN) {
        qemu_command_add_opt_printf(b, "-vnc", "%s:%d", host, graphics->port - VNC_PORT_MIN);
    } else {
        /* autoport and no port chosen yet: QEMU takes the first free
         * display, which the driver reads back with query-vnc. */
        qemu_command_add_opt_printf(b, "-vnc", "%s:0,to=%d", host, VNC_PORT_MAX - VNC_PORT_MIN);
    }
}

static int
command_check_vram(const DomainVideoDef *video)
{
    unsigned int mib = video->vram / 1024;
    gboolean ok;

    if (video->model == DOMAIN_VIDEO_MODEL_CIRRUS)
        ok = video->vram % 1024 == 0 && (mib == 4 || mib == 8 || mib == 16);
    else
        ok = video->vram % 1024 == 0 && mib >= 1 && mib <= 512 && (mib & (mib - 1)) == 0;
    if (!ok) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("vram of %u KiB is not supported for video model '%s' (%s)"),
                           video->vram, domain_video_model_to_string(video->model),
                           video->model == DOMAIN_VIDEO_MODEL_CIRRUS
                               ? _("4, 8 or 16 MiB")
                               : _("a power of two from 1 to 512 MiB"));
        return -1;
    }
    if (video->heads > 1) {
        qvirt_report_error(QVIRT_ERR_CONFIG_UNSUPPORTED,
                           _("video model '%s' supports one head, not %u"),
                           domain_video_model_to_string(video->model), video->heads);
        return -1;
    }
    return 0;
}

static int
command_build_videos(QemuCommandBuild *b)
{
    for (size_t i = 0; i < b->def->nvideos; i++) {
        const DomainVideoDef *video = b->def->videos[i];
        QvirtJson *dev;

        switch ((DomainVideoModel)video->model) {
        case DOMAIN_VIDEO_MODEL_VGA:
        case DOMAIN_VIDEO_MODEL_CIRRUS:
            if (command_check_vram(video) < 0)
                return -1;
            dev = qemu_command_device_new(
                video->model == DOMAIN_VIDEO_MODEL_VGA ? "VGA" : "cirrus-vga", video->info.alias);
            qemu_command_json_int(dev, "vgamem_mb", video->vram / 1024);
            break;
        case DOMAIN_VIDEO_MODEL_VIRTIO:
            dev = qemu_command_device_new(video->primary ? "virtio-vga" : "virtio-gpu-pci",
                                          video->info.alias);
            if (video->heads > 0)
                qemu_command_json_int(dev, "max_outputs", video->heads);
            break;
        case DOMAIN_VIDEO_MODEL_NONE:
        case DOMAIN_VIDEO_MODEL_LAST:
        default:
            continue;
        }
        qemu_command_device_add_pci(b, dev, &video->info);
        qemu_command_add_json(b, "-device", dev);
    }
    return 0;
}

/* ---- Balloon and RNG ---- */

static void
command_build_memballoon(QemuCommandBuild *b)
{
    const DomainMemballoonDef *balloon = b->def->memballoon;
    QvirtJson *dev;

    if (!balloon || balloon->model != DOMAIN_MEMBALLOON_MODEL_VIRTIO)
        return;
    dev = qemu_command_device_new("virtio-balloon-pci", balloon->info.alias);
    qemu_command_device_add_pci(b, dev, &balloon->info);
    qemu_command_add_json(b, "-device", dev);
}

static void
command_build_rngs(QemuCommandBuild *b)
{
    for (size_t i = 0; i < b->def->nrngs; i++) {
        const DomainRngDef *rng = b->def->rngs[i];
        g_autofree char *id = qemu_alias_prefixed("obj", &rng->info);
        QvirtJson *obj = json_object_new_object();
        QvirtJson *dev;

        if (rng->backend == DOMAIN_RNG_BACKEND_BUILTIN) {
            qemu_command_json_str(obj, "qom-type", "rng-builtin");
            qemu_command_json_str(obj, "id", id);
        } else {
            qemu_command_json_str(obj, "qom-type", "rng-random");
            qemu_command_json_str(obj, "id", id);
            qemu_command_json_str(obj, "filename", rng->path ? rng->path : DOMAIN_RNG_DEFAULT_PATH);
        }
        qemu_command_add_json(b, "-object", obj);

        dev = qemu_command_device_new("virtio-rng-pci", rng->info.alias);
        qemu_command_json_str(dev, "rng", id);
        qemu_command_device_add_pci(b, dev, &rng->info);
        qemu_command_add_json(b, "-device", dev);
    }
}

static void
command_build_sandbox(QemuCommandBuild *b)
{
    /* The capabilities carry no seccomp flag yet; every QEMU qvirt supports
     * (Debian's) is built with seccomp, so DEFAULT means on. */
    if (b->ctx->sandbox == QEMU_COMMAND_SANDBOX_OFF)
        return;
    qemu_command_add_opt(b, "-sandbox",
                         "on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
                         "resourcecontrol=deny");
}

/* ---- Entry points ---- */

QemuCommandLine *
qemu_command_build(DomainDef *def, QemuCaps *caps, const QemuCommandContext *ctx)
{
    g_autoptr(QemuCommandLine) cl = command_line_new();
    QemuCommandBuild build = {cl, def, caps, ctx};
    QemuCommandBuild *b = &build;
    const char *emulator = command_emulator(b);

    if (!emulator) {
        qvirt_report_internal(_("no QEMU binary for domain '%s'"), def->name);
        return NULL;
    }
    if (command_check_virt_type(b) < 0 || command_check_machine(b) < 0 || command_build_env(b) < 0)
        return NULL;
    qemu_assign_aliases(def);

    qemu_command_add_arg(b, emulator);
    command_build_name(b);
    qemu_command_add_arg(b, "-S");
    command_build_machine(b);
    if (command_build_cpu(b) < 0)
        return NULL;
    command_build_memory_smp(b);
    command_build_uuid(b);
    if (def->ngraphics == 0)
        command_build_graphics(b); /* -display none */
    qemu_command_add_arg(b, "-no-user-config");
    qemu_command_add_arg(b, "-nodefaults");
    if (qemu_command_build_monitors(b) < 0)
        return NULL;
    qemu_command_add_opt(b, "-rtc",
                         def->clock_offset == DOMAIN_CLOCK_OFFSET_LOCALTIME ? "base=localtime"
                                                                            : "base=utc");
    if (command_build_lifecycle(b) < 0)
        return NULL;
    if (command_build_boot(b) < 0 || command_build_kernel(b) < 0 ||
        command_build_controllers(b) < 0 || qemu_command_build_disks(b) < 0 ||
        qemu_command_build_nets(b) < 0 || qemu_command_build_chardevs(b) < 0)
        return NULL;
    if (command_build_inputs(b) < 0)
        return NULL;
    if (def->ngraphics > 0)
        command_build_graphics(b);
    if (command_build_videos(b) < 0)
        return NULL;
    command_build_memballoon(b);
    command_build_rngs(b);
    command_build_sandbox(b);
    qemu_command_add_opt(b, "-msg", "timestamp=on");
    if (ctx->incoming)
        qemu_command_add_opt(b, "-incoming", ctx->incoming);
    return g_steal_pointer(&cl);
}

QvirtCommand *
qemu_command_line_to_command(const QemuCommandLine *cl)
{
    QvirtCommand *cmd = qvirt_command_new(g_ptr_array_index(cl->args, 0));

    for (guint i = 1; i < cl->args->len; i++)
        qvirt_command_add_arg(cmd, g_ptr_array_index(cl->args, i));
    for (guint i = 0; i < cl->env->len; i++)
        qvirt_command_add_env(cmd, g_ptr_array_index(cl->env, i));
    for (guint i = 0; i < cl->fds->len; i++)
        qvirt_command_pass_fd(cmd, g_array_index(cl->fds, int, i));
    return cmd;
}

char *
qemu_command_to_native(DomainDef *def, QemuCaps *caps, const QemuCommandContext *ctx)
{
    g_autofree char *lib_dir = g_strdup_printf(DEFAULT_LIB_DIR "/domain-%s", def->name);
    g_autofree char *monitor = g_strdup_printf("%s/monitor.sock", lib_dir);
    QemuCommandContext native = {
        .lib_dir = lib_dir,
        .monitor_path = monitor,
        .monitor_fd = -1,
        .hmp_fd = -1,
        .kvm_usable = qemu_caps_get(caps, QEMU_CAPS_KVM),
    };
    g_autoptr(QemuCommandLine) cl = NULL;
    g_autoptr(QvirtCommand) cmd = NULL;

    if (ctx)
        native = *ctx;
    native.native = TRUE;
    /* Only printed: without a known binary, name QEMU's usual one. */
    if (!native.emulator && !def->emulator && !qemu_caps_get_binary(caps))
        native.emulator = "qemu-system-x86_64";
    if (!(cl = qemu_command_build(def, caps, &native)))
        return NULL;
    cmd = qemu_command_line_to_command(cl);
    return qvirt_command_to_string(cmd);
}

gboolean
qemu_command_kvm_usable(const QemuCaps *caps)
{
    int fd;

    if (!qemu_caps_get(caps, QEMU_CAPS_KVM))
        return FALSE;
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        QVIRT_DEBUG("/dev/kvm is not usable: %s", g_strerror(errno));
        return FALSE;
    }
    close(fd);
    return TRUE;
}

/* test-qemuxml2argv.c: domain XML to QEMU command line against the
 * recorded capabilities of the installed QEMU (tests/qemucapabilities) and
 * its recorded command line interface (qemu-cli.x86_64.json), and unit
 * tests of the builder's helpers.
 *
 * For every data/NAME.xml there is exactly one of:
 * - NAME.args: the expected command line, one argument per line, the
 *   environment first, then the emulator and its arguments. The case is
 *   built twice (the same XML must give the same argv), and every
 *   argument is checked: JSON of -blockdev, -netdev and -object against
 *   the QMP schema (blockdev-add, netdev_add, object-add), -device against
 *   the recorded device types and their properties, key=value options
 *   against QEMU's option parameters, and every reference (drive, netdev,
 *   chardev, rng, backing, bus) against what was defined before it.
 * - NAME.err: the expected error as virsh shows it, "<kind>: <message>".
 * Any other file in data/ fails the suite. The runtime context is fixed
 * (see test_context; xml2argvcase.h for what a case's name changes).
 * QVIRT_TEST_REGENERATE=1 (tools/regen-xml2argv) rewrites the expected
 * files from the results, for review. */
#include <config.h>

#include <string.h>

#include "conf/domain_conf_priv.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_command.h"
#include "qmpschema.h"
#include "testfixture.h"
#include "testutil.h"
#include "util/error.h"
#include "util/uuid.h"
#include "xml2argvcase.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

#define TEST_EMULATOR "/usr/bin/qemu-system-x86_64"
#define TEST_MONITOR_FD 1729
#define TEST_HMP_FD 1730
#define TEST_TAP_FD_BASE 100

static QemuCaps *test_caps;
static QmpSchema *test_schema;
static QvirtJson *test_cli; /* qemu-cli.x86_64.json */

static guint32 test_random_state;

/* A fixed sequence, so generated UUIDs and MACs are the same every run. */
static void
test_random_bytes(unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        test_random_state = test_random_state * 1103515245u + 12345u;
        buf[i] = (unsigned char)(test_random_state >> 16);
    }
}

/* ---- The fixed runtime context ---- */

typedef struct {
    QemuCommandContext ctx;
    char *lib_dir;
    char *monitor_path;
    char *hmp_path;
    int *tap_fds;
} TestContext;

static void
test_context_clear(TestContext *tc)
{
    g_free(tc->lib_dir);
    g_free(tc->monitor_path);
    g_free(tc->hmp_path);
    g_free(tc->tap_fds);
}

/* Fake, fixed paths and descriptors: the output must not depend on the
 * machine. Taps get descriptors TEST_TAP_FD_BASE + interface index. */
static void
test_context(const char *name, const DomainDef *def, TestContext *tc)
{
    Xml2ArgvCaseFlags flags;

    xml2argv_case_flags(name, &flags);
    memset(tc, 0, sizeof(*tc));
    tc->lib_dir = g_strdup_printf("/var/lib/qvirt/qemu/domain-%s", def->name);
    tc->ctx.emulator = TEST_EMULATOR;
    tc->ctx.lib_dir = tc->lib_dir;
    tc->ctx.monitor_fd = TEST_MONITOR_FD;
    tc->ctx.hmp_fd = -1;
    if (flags.hmp)
        tc->ctx.hmp_fd = TEST_HMP_FD;
    if (flags.native) {
        tc->monitor_path = g_strdup_printf("/run/qvirt/qemu/domain-%s/monitor.sock", def->name);
        tc->ctx.monitor_fd = -1;
        tc->ctx.monitor_path = tc->monitor_path;
        if (flags.hmp) {
            tc->hmp_path = g_strdup_printf("/run/qvirt/qemu/domain-%s/hmp.sock", def->name);
            tc->ctx.hmp_fd = -1;
            tc->ctx.hmp_path = tc->hmp_path;
        }
        tc->ctx.native = TRUE;
    }
    tc->ctx.kvm_usable = !flags.no_kvm;
    tc->ctx.sandbox = flags.no_sandbox ? QEMU_COMMAND_SANDBOX_OFF : QEMU_COMMAND_SANDBOX_DEFAULT;
    tc->ctx.incoming = flags.incoming ? "defer" : NULL;
    if (!flags.no_tap_fd && !flags.native) {
        tc->tap_fds = g_new0(int, def->nnets + 1);
        for (size_t i = 0; i < def->nnets; i++)
            tc->tap_fds[i] =
                def->nets[i]->type == DOMAIN_NET_TYPE_USER ? -1 : TEST_TAP_FD_BASE + (int)i;
        tc->ctx.tap_fds = tc->tap_fds;
        tc->ctx.ntap_fds = def->nnets;
    }
}

static char *
test_format_args(const QemuCommandLine *cl)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < cl->env->len; i++)
        g_string_append_printf(out, "%s\n", (const char *)g_ptr_array_index(cl->env, i));
    for (guint i = 0; i < cl->args->len; i++)
        g_string_append_printf(out, "%s\n", (const char *)g_ptr_array_index(cl->args, i));
    return g_string_free(out, FALSE);
}

/* ---- Checking every argument ---- */

typedef struct {
    const DomainDef *def;
    GHashTable *nodes;    /* -blockdev node names */
    GHashTable *netdevs;  /* -netdev ids */
    GHashTable *chardevs; /* -chardev ids */
    GHashTable *objects;  /* -object ids */
    GHashTable *ids;      /* -device ids */
    GHashTable *buses;    /* bus names devices may name */
    GHashTable *opts;     /* options seen once (those QEMU takes once) */
    GString *problems;
} ArgCheck;

static void check_problem(ArgCheck *ck, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
check_problem(ArgCheck *ck, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(ck->problems, fmt, ap);
    va_end(ap);
    g_string_append_c(ck->problems, '\n');
}

/* Add NAME to SET; a name defined twice is a problem. */
static void
check_define(ArgCheck *ck, GHashTable *set, const char *what, const char *name)
{
    if (!g_hash_table_add(set, g_strdup(name)))
        check_problem(ck, "%s '%s' is defined twice", what, name);
}

static void
check_refers(ArgCheck *ck, GHashTable *set, const char *what, const char *name, const char *by)
{
    if (!g_hash_table_contains(set, name))
        check_problem(ck, "%s names %s '%s', which is not defined before it", by, what, name);
}

/* Split a QemuOpts value "a,b=c,d=e,,f" into keys and values ("a" under
 * IMPLIED). Doubled commas are part of the value. */
static GHashTable *
check_parse_keyval(ArgCheck *ck, const char *opt, const char *value, const char *implied)
{
    GHashTable *kv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    const char *p = value;
    gboolean first = TRUE;

    while (*p) {
        GString *item = g_string_new(NULL);
        const char *eq;
        char *text;

        for (; *p; p++) {
            if (*p == ',' && p[1] == ',') {
                g_string_append_c(item, ',');
                p++;
            } else if (*p == ',') {
                p++;
                break;
            } else {
                g_string_append_c(item, *p);
            }
        }
        text = g_string_free(item, FALSE);
        eq = strchr(text, '=');
        if (!eq && first && implied) {
            g_hash_table_insert(kv, g_strdup(implied), text);
        } else if (!eq) {
            check_problem(ck, "%s %s: '%s' has no value", opt, value, text);
            g_free(text);
        } else {
            char *key = g_strndup(text, eq - text);

            if (!g_hash_table_insert(kv, key, g_strdup(eq + 1)))
                check_problem(ck, "%s %s: key '%s' is given twice", opt, value, key);
            g_free(text);
        }
        first = FALSE;
    }
    return kv;
}

static gboolean
check_json_array_has(QvirtJson *array, const char *name)
{
    for (size_t i = 0; array && i < json_object_array_length(array); i++) {
        if (strcmp(json_object_get_string(json_object_array_get_idx(array, i)), name) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Every key of KV must be a parameter of QEMU's option QEMUOPTS (or the
 * implied one). */
static void
check_keyval_params(ArgCheck *ck, const char *opt, const char *value, GHashTable *kv,
                    const char *qemuopts, const char *implied)
{
    QvirtJson *options = NULL;
    QvirtJson *params = NULL;
    GHashTableIter iter;
    gpointer key;

    json_object_object_get_ex(test_cli, "command-line-options", &options);
    if (!json_object_object_get_ex(options, qemuopts, &params)) {
        check_problem(ck, "%s: QEMU has no option '%s'", opt, qemuopts);
        return;
    }
    g_hash_table_iter_init(&iter, kv);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        /* "id" is a parameter of every QemuOpts option. */
        if (g_strcmp0(key, implied) != 0 && strcmp(key, "id") != 0 &&
            !check_json_array_has(params, key))
            check_problem(ck, "%s %s: '%s' is not a parameter of QEMU's -%s", opt, value,
                          (const char *)key, qemuopts);
    }
}

static void
check_machine(ArgCheck *ck, const char *value)
{
    g_autoptr(GHashTable) kv = check_parse_keyval(ck, "-machine", value, "type");
    const char *type = g_hash_table_lookup(kv, "type");
    const QemuCapsMachine *machine = type ? qemu_caps_get_machine(test_caps, type) : NULL;
    QvirtJson *all = NULL;
    QvirtJson *props = NULL;
    GHashTableIter iter;
    gpointer key;

    if (!machine) {
        check_problem(ck, "-machine %s: no such machine type", value);
        return;
    }
    json_object_object_get_ex(test_cli, "machine-properties", &all);
    json_object_object_get_ex(all, g_str_has_prefix(machine->name, "pc-q35-") ? "q35" : "pc",
                              &props);
    g_hash_table_iter_init(&iter, kv);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        if (!json_object_object_get_ex(props, key, NULL))
            check_problem(ck, "-machine %s: '%s' is not a property of machine '%s'", value,
                          (const char *)key, machine->name);
    }
}

static void
check_accel(ArgCheck *ck, const char *value)
{
    g_autofree char *type = g_strdup_printf("%s-accel", value);
    QvirtJson *accels = NULL;

    json_object_object_get_ex(test_cli, "accelerators", &accels);
    if (!check_json_array_has(accels, type))
        check_problem(ck, "-accel %s: no such accelerator", value);
}

static void
check_cpu(ArgCheck *ck, const char *value)
{
    g_auto(GStrv) parts = g_strsplit(value, ",", -1);
    const GPtrArray *models = qemu_caps_get_cpu_models(test_caps);
    gboolean found = FALSE;

    for (guint i = 0; models && i < models->len; i++) {
        const QemuCapsCpuModel *model = g_ptr_array_index(models, i);

        found = found || strcmp(model->name, parts[0]) == 0;
    }
    if (!found)
        check_problem(ck, "-cpu %s: no such CPU model", value);
    for (guint i = 1; parts[i]; i++) {
        if (strcmp(parts[i], "migratable=on") != 0)
            check_problem(ck, "-cpu %s: unexpected property '%s'", value, parts[i]);
    }
}

static void
check_chardev(ArgCheck *ck, const char *value)
{
    g_autoptr(GHashTable) kv = check_parse_keyval(ck, "-chardev", value, "backend");
    g_autoptr(GPtrArray) kinds = qmp_schema_union_kinds(test_schema, "chardev-add", "backend");
    const char *backend = g_hash_table_lookup(kv, "backend");
    const char *id = g_hash_table_lookup(kv, "id");
    gboolean known = FALSE;

    check_keyval_params(ck, "-chardev", value, kv, "chardev", "backend");
    for (guint i = 0; kinds && backend && i < kinds->len; i++)
        known = known || strcmp(g_ptr_array_index(kinds, i), backend) == 0;
    if (!known)
        check_problem(ck, "-chardev %s: unknown backend", value);
    if (!id)
        check_problem(ck, "-chardev %s: no id", value);
    else
        check_define(ck, ck->chardevs, "chardev", id);
}

static void
check_keyval_option(ArgCheck *ck, const char *opt, const char *value, const char *qemuopts,
                    const char *implied)
{
    g_autoptr(GHashTable) kv = check_parse_keyval(ck, opt, value, implied);

    check_keyval_params(ck, opt, value, kv, qemuopts, implied);
    if (strcmp(opt, "-mon") == 0) {
        const char *chardev = g_hash_table_lookup(kv, "chardev");

        check_refers(ck, ck->chardevs, "chardev", chardev ? chardev : "", "-mon");
    }
}

/* The JSON type a QOM property type takes. */
static json_type
check_qom_json_type(const char *type)
{
    if (strcmp(type, "bool") == 0)
        return json_type_boolean;
    if (g_str_has_prefix(type, "int") || g_str_has_prefix(type, "uint") ||
        strcmp(type, "size") == 0)
        return json_type_int;
    return json_type_string;
}

/* The buses a new device DRIVER with id ID provides. */
static void
check_add_child_buses(ArgCheck *ck, const char *driver, const char *id)
{
    static const struct {
        const char *driver;
        int nbuses;
    } providers[] = {
        {"ich9-ahci", 6},      {"virtio-scsi-pci", 1}, {"virtio-serial-pci", 1},
        {"piix3-usb-uhci", 1}, {"qemu-xhci", 1},       {"nec-usb-xhci", 1},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(providers); i++) {
        if (strcmp(providers[i].driver, driver) != 0)
            continue;
        for (int n = 0; n < providers[i].nbuses; n++)
            g_hash_table_add(ck->buses, g_strdup_printf("%s.%d", id, n));
    }
}

static void
check_device(ArgCheck *ck, const char *text, QvirtJson *dev)
{
    QvirtJson *types = NULL;
    QvirtJson *all = NULL;
    QvirtJson *props = NULL;
    const char *driver = NULL;
    const char *id = NULL;
    const char *ref = NULL;

    if (qvirt_json_get_string(dev, "driver", &driver) < 0) {
        check_problem(ck, "-device %s: no driver", text);
        return;
    }
    json_object_object_get_ex(test_cli, "device-types", &types);
    if (!check_json_array_has(types, driver))
        check_problem(ck, "-device %s: QEMU has no device '%s'", text, driver);
    json_object_object_get_ex(test_cli, "device-properties", &all);
    if (!json_object_object_get_ex(all, driver, &props)) {
        check_problem(ck,
                      "-device %s: the properties of '%s' are not recorded: add it to "
                      "qemuxml2argvprobe.c and run tools/regen-xml2argv --record",
                      text, driver);
        return;
    }
    json_object_object_foreach(dev, key, val)
    {
        QvirtJson *type = NULL;
        json_type want;

        if (strcmp(key, "driver") == 0 || strcmp(key, "id") == 0 || strcmp(key, "bus") == 0) {
            if (!json_object_is_type(val, json_type_string))
                check_problem(ck, "-device %s: '%s' is not a string", text, key);
            continue;
        }
        if (!json_object_object_get_ex(props, key, &type)) {
            check_problem(ck, "-device %s: '%s' is not a property of '%s'", text, key, driver);
            continue;
        }
        want = check_qom_json_type(json_object_get_string(type));
        /* A PCI address is given as "0xSLOT[.0xFUNCTION]". */
        if (strcmp(key, "addr") == 0)
            want = json_type_string;
        if (!json_object_is_type(val, want))
            check_problem(ck, "-device %s: '%s' (%s) must be a JSON %s", text, key,
                          json_object_get_string(type), json_type_to_name(want));
    }

    if (qvirt_json_get_string(dev, "id", &id) < 0) {
        check_problem(ck, "-device %s: no id (alias)", text);
    } else {
        check_define(ck, ck->ids, "device id", id);
        check_add_child_buses(ck, driver, id);
    }
    if (qvirt_json_get_string(dev, "bus", &ref) == 0)
        check_refers(ck, ck->buses, "bus", ref, text);
    if (qvirt_json_get_string(dev, "drive", &ref) == 0)
        check_refers(ck, ck->nodes, "block node", ref, text);
    if (qvirt_json_get_string(dev, "netdev", &ref) == 0)
        check_refers(ck, ck->netdevs, "netdev", ref, text);
    if (qvirt_json_get_string(dev, "chardev", &ref) == 0)
        check_refers(ck, ck->chardevs, "chardev", ref, text);
    if (qvirt_json_get_string(dev, "rng", &ref) == 0)
        check_refers(ck, ck->objects, "object", ref, text);
}

static void
check_json_option(ArgCheck *ck, const char *opt, const char *text)
{
    g_autoptr(QvirtJson) obj = qvirt_json_parse(text, strlen(text), opt);
    g_autofree char *err = NULL;
    const char *name = NULL;

    if (!obj || !json_object_is_type(obj, json_type_object)) {
        check_problem(ck, "%s %s: not a JSON object", opt, text);
        return;
    }
    if (strcmp(opt, "-device") == 0) {
        check_device(ck, text, obj);
        return;
    }
    if (strcmp(opt, "-blockdev") == 0) {
        if (!qmp_schema_check_command_args(test_schema, "blockdev-add", obj, &err))
            check_problem(ck, "-blockdev %s: %s", text, err);
        if (qvirt_json_get_string(obj, "file", &name) == 0)
            check_refers(ck, ck->nodes, "block node", name, text);
        if (qvirt_json_get_string(obj, "backing", &name) == 0)
            check_refers(ck, ck->nodes, "block node", name, text);
        if (qvirt_json_get_string(obj, "node-name", &name) == 0)
            check_define(ck, ck->nodes, "block node", name);
        else
            check_problem(ck, "-blockdev %s: no node-name", text);
    } else if (strcmp(opt, "-netdev") == 0) {
        if (!qmp_schema_check_command_args(test_schema, "netdev_add", obj, &err))
            check_problem(ck, "-netdev %s: %s", text, err);
        if (qvirt_json_get_string(obj, "id", &name) == 0)
            check_define(ck, ck->netdevs, "netdev", name);
    } else {
        if (!qmp_schema_check_command_args(test_schema, "object-add", obj, &err))
            check_problem(ck, "-object %s: %s", text, err);
        if (qvirt_json_get_string(obj, "id", &name) == 0)
            check_define(ck, ck->objects, "object", name);
    }
}

/* How each option qvirt emits is checked. */
typedef enum {
    OPT_FLAG,     /* no value */
    OPT_KEYVAL,   /* QemuOpts key=value, parameters from query-command-line-options */
    OPT_JSON,     /* -blockdev, -netdev, -object, -device */
    OPT_MACHINE,  /* key=value, properties of the machine type */
    OPT_ACCEL,    /* an accelerator name */
    OPT_CPU,      /* a CPU model of the capabilities */
    OPT_CHARDEV,  /* key=value and the backend kind of the schema */
    OPT_UUID,     /* a UUID */
    OPT_VERBATIM, /* a path or text taken as it is */
    OPT_DISPLAY,  /* -display none */
} OptKind;

static const struct {
    const char *opt;
    OptKind kind;
    const char *qemuopts; /* OPT_KEYVAL: the option's name in query-command-line-options */
    const char *implied;  /* OPT_KEYVAL: the key of a leading value without '=' */
    gboolean once;        /* may appear only once */
} check_options[] = {
    {"-S", OPT_FLAG, NULL, NULL, TRUE},
    {"-no-user-config", OPT_FLAG, NULL, NULL, TRUE},
    {"-nodefaults", OPT_FLAG, NULL, NULL, TRUE},
    {"-no-shutdown", OPT_FLAG, NULL, NULL, TRUE},
    {"-name", OPT_KEYVAL, "name", NULL, TRUE},
    {"-machine", OPT_MACHINE, NULL, NULL, TRUE},
    {"-accel", OPT_ACCEL, NULL, NULL, TRUE},
    {"-cpu", OPT_CPU, NULL, NULL, TRUE},
    {"-m", OPT_KEYVAL, "memory", "size", TRUE},
    {"-smp", OPT_KEYVAL, "smp-opts", "cpus", TRUE},
    {"-uuid", OPT_UUID, NULL, NULL, TRUE},
    {"-display", OPT_DISPLAY, NULL, NULL, TRUE},
    {"-chardev", OPT_CHARDEV, NULL, NULL, FALSE},
    {"-mon", OPT_KEYVAL, "mon", NULL, FALSE},
    {"-rtc", OPT_KEYVAL, "rtc", NULL, TRUE},
    {"-action", OPT_KEYVAL, "action", NULL, TRUE},
    {"-boot", OPT_KEYVAL, "boot-opts", "order", TRUE},
    {"-kernel", OPT_VERBATIM, NULL, NULL, TRUE},
    {"-initrd", OPT_VERBATIM, NULL, NULL, TRUE},
    {"-append", OPT_VERBATIM, NULL, NULL, TRUE},
    {"-blockdev", OPT_JSON, NULL, NULL, FALSE},
    {"-netdev", OPT_JSON, NULL, NULL, FALSE},
    {"-object", OPT_JSON, NULL, NULL, FALSE},
    {"-device", OPT_JSON, NULL, NULL, FALSE},
    {"-vnc", OPT_KEYVAL, "vnc", "vnc", TRUE},
    {"-sandbox", OPT_KEYVAL, "sandbox", "enable", TRUE},
    {"-msg", OPT_KEYVAL, "msg", NULL, TRUE},
    {"-incoming", OPT_VERBATIM, NULL, NULL, TRUE},
};

static void
check_arg(ArgCheck *ck, const char *opt, const char *value)
{
    for (size_t i = 0; i < G_N_ELEMENTS(check_options); i++) {
        if (strcmp(check_options[i].opt, opt) != 0)
            continue;
        if (check_options[i].once && !g_hash_table_add(ck->opts, g_strdup(opt)))
            check_problem(ck, "%s is given twice", opt);
        switch (check_options[i].kind) {
        case OPT_FLAG:
        case OPT_VERBATIM:
            return;
        case OPT_KEYVAL:
            check_keyval_option(ck, opt, value, check_options[i].qemuopts,
                                check_options[i].implied);
            return;
        case OPT_JSON:
            check_json_option(ck, opt, value);
            return;
        case OPT_MACHINE:
            check_machine(ck, value);
            return;
        case OPT_ACCEL:
            check_accel(ck, value);
            return;
        case OPT_CPU:
            check_cpu(ck, value);
            return;
        case OPT_CHARDEV:
            check_chardev(ck, value);
            return;
        case OPT_UUID: {
            unsigned char uuid[QVIRT_UUID_BUFLEN];

            if (qvirt_uuid_parse(value, uuid) < 0)
                check_problem(ck, "-uuid %s: not a UUID", value);
            return;
        }
        case OPT_DISPLAY:
            if (strcmp(value, "none") != 0)
                check_problem(ck, "-display %s: only 'none' is expected", value);
            return;
        }
    }
    check_problem(ck, "option %s is unknown to the checks: teach test-qemuxml2argv.c", opt);
}

static gboolean
check_option_has_value(const char *opt)
{
    for (size_t i = 0; i < G_N_ELEMENTS(check_options); i++) {
        if (strcmp(check_options[i].opt, opt) == 0)
            return check_options[i].kind != OPT_FLAG;
    }
    return TRUE;
}

/* The device aliases of DEF must be unique, and every -device id one of
 * them (live XML records what QEMU calls its devices). */
static void
check_aliases(ArgCheck *ck, const DomainDef *def)
{
    g_autoptr(GHashTable) aliases = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) infos = g_ptr_array_new();
    GHashTableIter iter;
    gpointer id;

    for (size_t i = 0; i < def->ndisks; i++)
        g_ptr_array_add(infos, &def->disks[i]->info);
    for (size_t i = 0; i < def->ncontrollers; i++)
        g_ptr_array_add(infos, &def->controllers[i]->info);
    for (size_t i = 0; i < def->nnets; i++)
        g_ptr_array_add(infos, &def->nets[i]->info);
    for (size_t i = 0; i < def->nserials; i++)
        g_ptr_array_add(infos, &def->serials[i]->info);
    for (size_t i = 0; i < def->nconsoles; i++) {
        /* The serial console shares the first serial port's alias. */
        if (!(i == 0 && def->consoles[0]->target_type == DOMAIN_CHR_CONSOLE_TARGET_SERIAL))
            g_ptr_array_add(infos, &def->consoles[i]->info);
    }
    for (size_t i = 0; i < def->ninputs; i++)
        g_ptr_array_add(infos, &def->inputs[i]->info);
    for (size_t i = 0; i < def->nvideos; i++)
        g_ptr_array_add(infos, &def->videos[i]->info);
    g_ptr_array_add(infos, &def->memballoon->info);
    for (size_t i = 0; i < def->nrngs; i++)
        g_ptr_array_add(infos, &def->rngs[i]->info);

    for (guint i = 0; i < infos->len; i++) {
        const DomainDeviceInfo *info = g_ptr_array_index(infos, i);

        if (!info->alias)
            check_problem(ck, "a device has no alias");
        else if (!g_hash_table_add(aliases, info->alias))
            check_problem(ck, "alias '%s' is given to two devices", info->alias);
    }
    g_hash_table_iter_init(&iter, ck->ids);
    while (g_hash_table_iter_next(&iter, &id, NULL)) {
        if (!g_hash_table_contains(aliases, id))
            check_problem(ck, "-device id '%s' is not the alias of a device", (const char *)id);
    }
}

static char *
check_command_line(const DomainDef *def, const QemuCommandLine *cl)
{
    ArgCheck ck = {
        .def = def,
        .nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .netdevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .chardevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .buses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .opts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .problems = g_string_new(NULL),
    };
    gboolean q35 = domain_def_is_q35(def);

    /* The buses the machine has built in. */
    g_hash_table_add(ck.buses, g_strdup(q35 ? "pcie.0" : "pci.0"));
    for (int i = 0; i < (q35 ? 6 : 2); i++)
        g_hash_table_add(ck.buses, g_strdup_printf("ide.%d", i));

    for (guint i = 0; i < cl->env->len; i++) {
        const char *env = g_ptr_array_index(cl->env, i);

        if (!strchr(env, '='))
            check_problem(&ck, "environment entry '%s' has no '='", env);
    }
    for (guint i = 1; i < cl->args->len; i++) {
        const char *opt = g_ptr_array_index(cl->args, i);
        const char *value = NULL;

        if (opt[0] != '-') {
            check_problem(&ck, "'%s' is not an option", opt);
            continue;
        }
        if (check_option_has_value(opt)) {
            if (i + 1 >= cl->args->len) {
                check_problem(&ck, "%s has no value", opt);
                break;
            }
            value = g_ptr_array_index(cl->args, ++i);
        }
        check_arg(&ck, opt, value);
    }
    check_aliases(&ck, def);
    for (guint i = 0; i < cl->fds->len; i++) {
        g_autofree char *needle = g_strdup_printf("fd=%d,", g_array_index(cl->fds, int, i));
        g_autofree char *json = g_strdup_printf("\"fd\":\"%d\"", g_array_index(cl->fds, int, i));
        gboolean named = FALSE;

        for (guint j = 0; j < cl->args->len && !named; j++) {
            const char *arg = g_ptr_array_index(cl->args, j);

            named = strstr(arg, needle) || strstr(arg, json);
        }
        if (!named)
            check_problem(&ck, "descriptor %d is passed but not named",
                          g_array_index(cl->fds, int, i));
    }

    g_hash_table_unref(ck.nodes);
    g_hash_table_unref(ck.netdevs);
    g_hash_table_unref(ck.chardevs);
    g_hash_table_unref(ck.objects);
    g_hash_table_unref(ck.ids);
    g_hash_table_unref(ck.buses);
    g_hash_table_unref(ck.opts);
    if (ck.problems->len == 0) {
        g_string_free(ck.problems, TRUE);
        return NULL;
    }
    return g_string_free(ck.problems, FALSE);
}

/* ---- Fixture cases ---- */

typedef struct {
    char *name;
    gboolean error;
} FixtureCase;

static void
fixture_case_free(gpointer data)
{
    FixtureCase *fc = data;

    g_free(fc->name);
    g_free(fc);
}

static DomainDef *
test_parse_case(const char *name)
{
    g_autofree char *in_name = g_strdup_printf("%s.xml", name);
    g_autofree char *in_path = qvirt_test_fixture_path("qemuxml2argv", in_name);
    g_autofree char *input = qvirt_test_fixture_read(in_path);
    DomainDef *def;

    test_random_state = 1;
    def = domain_def_parse_string(input, DOMAIN_DEF_PARSE_INACTIVE);
    if (!def)
        g_error("%s: the domain XML does not parse: %s", in_name, qvirt_error_last_message());
    return def;
}

static void
test_fixture_args(const FixtureCase *fc)
{
    g_autofree char *args_name = g_strdup_printf("%s.args", fc->name);
    g_autofree char *args_path = qvirt_test_fixture_path("qemuxml2argv", args_name);
    g_autofree char *expected = qvirt_test_fixture_read(args_path);
    g_autoptr(DomainDef) def = test_parse_case(fc->name);
    g_autoptr(DomainDef) again = test_parse_case(fc->name);
    g_autoptr(QemuCommandLine) cl = NULL;
    g_autoptr(QemuCommandLine) cl2 = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *actual2 = NULL;
    g_autofree char *problems = NULL;
    TestContext tc;

    test_context(fc->name, def, &tc);
    cl = qemu_command_build(def, test_caps, &tc.ctx);
    if (!cl)
        g_error("%s: building failed: %s", fc->name, qvirt_error_last_message());
    actual = test_format_args(cl);
    qvirt_test_fixture_compare(args_path, expected, actual);

    /* The same XML gives the same argv. */
    cl2 = qemu_command_build(again, test_caps, &tc.ctx);
    g_assert_nonnull(cl2);
    actual2 = test_format_args(cl2);
    g_assert_cmpstr(actual2, ==, actual);
    test_context_clear(&tc);

    problems = check_command_line(def, cl);
    if (problems) {
        g_test_message("%s: the command line breaks QEMU's interface:\n%s", fc->name, problems);
        g_test_fail();
    }
}

static void
test_fixture_error(const FixtureCase *fc)
{
    g_autofree char *err_name = g_strdup_printf("%s.err", fc->name);
    g_autofree char *err_path = qvirt_test_fixture_path("qemuxml2argv", err_name);
    g_autofree char *expected = qvirt_test_fixture_read(err_path);
    g_autoptr(DomainDef) def = test_parse_case(fc->name);
    g_autoptr(QemuCommandLine) cl = NULL;
    g_autofree char *actual = NULL;
    TestContext tc;

    test_context(fc->name, def, &tc);
    qvirt_error_reset();
    cl = qemu_command_build(def, test_caps, &tc.ctx);
    test_context_clear(&tc);
    if (cl) {
        g_autofree char *out = test_format_args(cl);

        g_error("%s: built, but should fail with: %s\ngot:\n%s", fc->name, expected, out);
    }
    actual = g_strdup_printf("%s: %s\n", qvirt_test_error_kind(qvirt_error_last_code()),
                             qvirt_error_last_message());
    qvirt_test_fixture_compare(err_path, expected, actual);
}

static void
test_fixture(gconstpointer data)
{
    const FixtureCase *fc = data;

    if (fc->error)
        test_fixture_error(fc);
    else
        test_fixture_args(fc);
}

static GPtrArray *unused_fixtures;

static void
test_unused_fixtures(void)
{
    for (guint i = 0; i < unused_fixtures->len; i++)
        g_test_message("unused fixture file: data/%s",
                       (const char *)g_ptr_array_index(unused_fixtures, i));
    g_assert_cmpuint(unused_fixtures->len, ==, 0);
}

static int
test_compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
test_register_fixtures(GPtrArray *cases)
{
    g_autofree char *dir_path = qvirt_test_fixture_path("qemuxml2argv", "");
    g_autoptr(GError) err = NULL;
    g_autoptr(GHashTable) files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(dir_path, 0, &err);
    const char *entry;
    guint ngood = 0;

    if (!dir)
        g_error("cannot open %s: %s", dir_path, err->message);
    while ((entry = g_dir_read_name(dir))) {
        g_hash_table_add(files, g_strdup(entry));
        g_ptr_array_add(names, g_strdup(entry));
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, test_compare_names);

    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *base = NULL;
        g_autofree char *args = NULL;
        g_autofree char *err_file = NULL;
        gboolean has_args;
        gboolean has_err;
        FixtureCase *fc;
        g_autofree char *path = NULL;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        base = g_strndup(name, strlen(name) - strlen(".xml"));
        args = g_strdup_printf("%s.args", base);
        err_file = g_strdup_printf("%s.err", base);
        has_args = g_hash_table_remove(files, args);
        has_err = g_hash_table_remove(files, err_file);
        g_hash_table_remove(files, name);
        if (has_args == has_err) {
            /* Both or neither: the case is wrong; report it as unused. */
            g_ptr_array_add(unused_fixtures, g_strdup(name));
            continue;
        }
        fc = g_new0(FixtureCase, 1);
        fc->name = g_strdup(base);
        fc->error = has_err;
        ngood += !has_err;
        g_ptr_array_add(cases, fc);
        path = g_strdup_printf("/qemuxml2argv/%s/%s", has_err ? "err" : "args", base);
        g_test_add_data_func(path, fc, test_fixture);
    }
    {
        GHashTableIter iter;
        gpointer key;

        g_hash_table_iter_init(&iter, files);
        while (g_hash_table_iter_next(&iter, &key, NULL))
            g_ptr_array_add(unused_fixtures, g_strdup(key));
    }
    g_ptr_array_sort(unused_fixtures, test_compare_names);
}

/* ---- Unit tests ---- */

static DomainDef *
test_parse(const char *xml)
{
    DomainDef *def = domain_def_parse_string(xml, DOMAIN_DEF_PARSE_INACTIVE);

    if (!def)
        g_error("cannot parse test XML: %s", qvirt_error_last_message());
    return def;
}

static const char minimal_xml[] = "<domain type='qemu'><name>a,b</name>"
                                  "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
                                  "<memory>262144</memory><vcpu>1</vcpu>"
                                  "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                                  "<devices><interface type='bridge'><source bridge='br0'/>"
                                  "<mac address='52:54:00:00:00:01'/></interface>"
                                  "</devices></domain>";

static void
test_escape_comma(void)
{
    g_autofree char *a = qemu_command_escape_comma("/a,b,,c");
    g_autofree char *b = qemu_command_escape_comma("");
    g_autofree char *c = qemu_command_escape_comma(",");

    g_assert_cmpstr(a, ==, "/a,,b,,,,c");
    g_assert_cmpstr(b, ==, "");
    g_assert_cmpstr(c, ==, ",,");
}

static void
test_native(void)
{
    g_autoptr(DomainDef) def = test_parse(minimal_xml);
    g_autofree char *native = qemu_command_to_native(def, test_caps, NULL);

    g_assert_nonnull(native);
    g_assert_true(g_str_has_prefix(native, "LC_ALL=C PATH="));
    g_assert_nonnull(strstr(native, " HOME=/var/lib/qvirt/qemu/domain-a,b "));
    /* The name's comma is doubled; JSON arguments are shell-quoted. */
    g_assert_nonnull(strstr(native, "-name guest=a,,b,debug-threads=on "));
    g_assert_nonnull(strstr(native, "path=/var/lib/qvirt/qemu/domain-a,,b/monitor.sock,server=on"));
    /* The bridge interface names its tap device. */
    g_assert_nonnull(
        strstr(native, "-netdev '{\"type\":\"tap\",\"ifname\":\"vnet0\",\"script\":\"no\""));
    g_assert_null(strstr(native, "fd="));
    /* Aliases were assigned to the definition. */
    g_assert_cmpstr(def->nets[0]->info.alias, ==, "net0");
}

static void
test_native_kvm_from_caps(void)
{
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(QemuCaps) empty = qemu_caps_new();
    g_autofree char *xml = g_strdup(minimal_xml);
    g_autofree char *native = NULL;

    memcpy(strstr(xml, "type='qemu'"), "type='kvm' ", strlen("type='kvm' "));
    def = test_parse(xml);
    native = qemu_command_to_native(def, test_caps, NULL);
    g_assert_nonnull(strstr(native, "-accel kvm"));
    g_clear_pointer(&native, g_free);

    /* A binary without KVM refuses the domain. */
    g_assert_null(qemu_command_to_native(def, empty, NULL));
    g_assert_false(qemu_command_kvm_usable(empty));
}

static void
test_line_to_command(void)
{
    g_autoptr(DomainDef) def = test_parse(minimal_xml);
    int taps[] = {42};
    QemuCommandContext ctx = {
        .emulator = TEST_EMULATOR,
        .lib_dir = "/var/lib/qvirt/qemu/domain-x",
        .monitor_fd = 7,
        .hmp_fd = -1,
        .tap_fds = taps,
        .ntap_fds = 1,
        .sandbox = QEMU_COMMAND_SANDBOX_OFF,
    };
    g_autoptr(QemuCommandLine) cl = qemu_command_build(def, test_caps, &ctx);
    g_autoptr(QvirtCommand) cmd = NULL;
    g_autofree char *str = NULL;

    g_assert_nonnull(cl);
    g_assert_cmpuint(cl->fds->len, ==, 2);
    g_assert_cmpint(g_array_index(cl->fds, int, 0), ==, 7);
    g_assert_cmpint(g_array_index(cl->fds, int, 1), ==, 42);
    cmd = qemu_command_line_to_command(cl);
    str = qvirt_command_to_string(cmd);
    g_assert_true(g_str_has_prefix(str, "LC_ALL=C PATH=/usr/local/sbin:"));
    g_assert_nonnull(strstr(str, " " TEST_EMULATOR " -name "));
    g_assert_null(strstr(str, "-sandbox"));
    g_assert_true(g_str_has_suffix(str, "-msg timestamp=on"));
}

static void
test_missing_context(void)
{
    g_autoptr(DomainDef) def = test_parse(minimal_xml);
    QemuCommandContext ctx = {
        .emulator = TEST_EMULATOR,
        .lib_dir = "/var/lib/qvirt/qemu/domain-x",
        .monitor_fd = -1,
        .hmp_fd = -1,
    };

    /* No monitor socket. */
    g_assert_null(qemu_command_build(def, test_caps, &ctx));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "no QMP monitor socket");
    /* No private folder. */
    ctx.monitor_fd = 3;
    ctx.lib_dir = NULL;
    g_assert_null(qemu_command_build(def, test_caps, &ctx));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "no private folder");
    /* No tap descriptor for the bridge interface. */
    ctx.lib_dir = "/var/lib/qvirt/qemu/domain-x";
    g_assert_null(qemu_command_build(def, test_caps, &ctx));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "no tap device was opened for interface "
                                                      "'net0'");
    /* No emulator at all. */
    ctx.emulator = NULL;
    g_assert_null(qemu_command_build(def, test_caps, &ctx));
    qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "no QEMU binary");
}

/* A zeroed context names no descriptors: fd 0 is stdin, never a socket. */
static void
test_zeroed_context(void)
{
    g_autoptr(DomainDef) def = test_parse(minimal_xml);
    QemuCommandContext ctx = {0};
    g_autoptr(QemuCommandLine) cl = NULL;
    g_autofree char *args = NULL;

    ctx.emulator = TEST_EMULATOR;
    ctx.lib_dir = "/var/lib/qvirt/qemu/domain-x";
    ctx.monitor_path = "/run/qvirt/x.monitor";
    ctx.native = TRUE;
    cl = qemu_command_build(def, test_caps, &ctx);
    g_assert_nonnull(cl);
    g_assert_cmpuint(cl->fds->len, ==, 0);
    args = test_format_args(cl);
    g_assert_nonnull(strstr(args, "socket,id=charmonitor,path=/run/qvirt/x.monitor,server=on"));
    g_assert_null(strstr(args, "fd="));
    g_assert_null(strstr(args, "charhmp"));
}

static void
test_block_node_index(void)
{
    g_autoptr(DomainDef) def =
        test_parse("<domain type='qemu'><name>n</name><memory>262144</memory>"
                   "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                   "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                   "<source file='/top.qcow2'/><backingStore type='file'><format type='qcow2'/>"
                   "<source file='/mid.qcow2'/><backingStore type='file'><format type='raw'/>"
                   "<source file='/base.raw'/><backingStore/></backingStore></backingStore>"
                   "<target dev='vda' bus='virtio'/></disk>"
                   "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"
                   "<disk type='file' device='disk'><source file='/other.raw'/>"
                   "<target dev='vdb' bus='virtio'/></disk>"
                   "</devices></domain>");
    g_autofree char *storage = qemu_alias_storage_node(3);
    g_autofree char *format = qemu_alias_format_node(3);
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;

    /* The base of the first chain is 1, its top 3; the empty cdrom takes none. */
    g_assert_cmpuint(qemu_alias_block_node_index(def, def->disks[0]->src), ==, 3);
    g_assert_cmpuint(qemu_alias_block_node_index(def, def->disks[0]->src->backing), ==, 2);
    g_assert_cmpuint(qemu_alias_block_node_index(def, def->disks[0]->src->backing->backing), ==, 1);
    g_assert_cmpuint(qemu_alias_block_node_index(def, def->disks[1]->src), ==, 0);
    g_assert_cmpuint(qemu_alias_block_node_index(def, def->disks[2]->src), ==, 4);
    g_assert_cmpstr(storage, ==, "qvirt-3-storage");
    g_assert_cmpstr(format, ==, "qvirt-3-format");

    qemu_assign_aliases(def);
    g_assert_cmpstr(def->disks[0]->info.alias, ==, "virtio-disk0");
    g_assert_cmpstr(def->disks[1]->info.alias, ==, "ide0-1-0");
    g_assert_cmpstr(def->disks[2]->info.alias, ==, "virtio-disk1");

    /* The live XML records the aliases; the inactive XML does not. */
    live = domain_def_format(def, 0);
    inactive = domain_def_format(def, DOMAIN_DEF_FORMAT_INACTIVE);
    g_assert_nonnull(strstr(live, "<alias name='virtio-disk1'/>"));
    g_assert_nonnull(strstr(live, "<alias name='balloon0'/>"));
    g_assert_null(strstr(inactive, "<alias "));
}

/* The checks must be able to fail: feed them broken command lines. */
static void
test_checks_fail(void)
{
    static const char *const bad[][2] = {
        {"-blockdev", "{\"driver\":\"file\",\"filename\":\"/x\",\"node-name\":\"a\",\"bogus\":1}"},
        {"-blockdev", "{\"driver\":\"qcow2\",\"node-name\":\"b\",\"file\":\"nowhere\"}"},
        {"-blockdev", "{\"driver\":\"file\",\"filename\":\"/x\",\"node-name\":\"c\","
                      "\"read-only\":\"yes\"}"},
        {"-blockdev", "{\"driver\":\"nosuchdriver\",\"node-name\":\"d\"}"},
        {"-netdev", "{\"type\":\"tap\",\"id\":\"n\",\"fd\":3}"},
        {"-object", "{\"qom-type\":\"rng-random\",\"id\":\"o\",\"file\":\"/dev/urandom\"}"},
        {"-device", "{\"driver\":\"virtio-blk-pci\",\"id\":\"d1\",\"drive\":\"missing\"}"},
        {"-device", "{\"driver\":\"virtio-blk-pci\",\"id\":\"d2\",\"bootindex\":\"1\"}"},
        {"-device", "{\"driver\":\"virtio-blk-pci\",\"id\":\"d3\",\"nosuchprop\":true}"},
        {"-device", "{\"driver\":\"nosuchdevice\",\"id\":\"d4\"}"},
        {"-device", "{\"driver\":\"e1000\",\"id\":\"d5\",\"bus\":\"pci.7\"}"},
        {"-chardev", "pty,id=c1,nosuchparam=on"},
        {"-chardev", "nosuchbackend,id=c2"},
        {"-mon", "chardev=undefined,mode=control"},
        {"-machine", "pc,nosuchprop=on"},
        {"-machine", "nosuchmachine"},
        {"-accel", "xen"},
        {"-cpu", "Nehalem-nosuch"},
        {"-boot", "strict=on,nosuch=1"},
        {"-nosuchoption", "x"},
    };
    g_autoptr(DomainDef) def = test_parse(minimal_xml);

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(QemuCommandLine) cl = g_new0(QemuCommandLine, 1);
        g_autofree char *problems = NULL;

        cl->env = g_ptr_array_new_with_free_func(g_free);
        cl->args = g_ptr_array_new_with_free_func(g_free);
        cl->fds = g_array_new(FALSE, FALSE, sizeof(int));
        g_ptr_array_add(cl->args, g_strdup(TEST_EMULATOR));
        g_ptr_array_add(cl->args, g_strdup(bad[i][0]));
        g_ptr_array_add(cl->args, g_strdup(bad[i][1]));
        problems = check_command_line(def, cl);
        if (!problems)
            g_error("the checks accept %s %s", bad[i][0], bad[i][1]);
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(fixture_case_free);
    g_autofree char *caps_path = NULL;
    g_autofree char *caps_xml = NULL;
    g_autofree char *schema_path = NULL;
    g_autofree char *cli_path = NULL;
    g_autofree char *cli_text = NULL;
    int ret;

    qvirt_test_init(&argc, &argv);
    domain_conf_set_random_func(test_random_bytes);
    caps_path = qvirt_test_srcpath("qemucapabilities/caps.x86_64.xml");
    caps_xml = qvirt_test_fixture_read(caps_path);
    test_caps = qemu_caps_parse(caps_xml, caps_path);
    if (!test_caps)
        g_error("cannot load %s: %s", caps_path, qvirt_error_last_message());
    schema_path = qvirt_test_srcpath("qemucapabilities/qmp-schema.json");
    test_schema = qmp_schema_load(schema_path);
    cli_path = qvirt_test_srcpath("qemuxml2argv/qemu-cli.x86_64.json");
    cli_text = qvirt_test_fixture_read(cli_path);
    test_cli = qvirt_json_parse(cli_text, strlen(cli_text), cli_path);
    if (!test_cli)
        g_error("cannot load %s: %s", cli_path, qvirt_error_last_message());

    unused_fixtures = g_ptr_array_new_with_free_func(g_free);
    test_register_fixtures(cases);
    g_test_add_func("/qemuxml2argv/unused-fixtures", test_unused_fixtures);
    g_test_add_func("/qemuxml2argv/unit/escape-comma", test_escape_comma);
    g_test_add_func("/qemuxml2argv/unit/native", test_native);
    g_test_add_func("/qemuxml2argv/unit/native-kvm-from-caps", test_native_kvm_from_caps);
    g_test_add_func("/qemuxml2argv/unit/line-to-command", test_line_to_command);
    g_test_add_func("/qemuxml2argv/unit/missing-context", test_missing_context);
    g_test_add_func("/qemuxml2argv/unit/zeroed-context", test_zeroed_context);
    g_test_add_func("/qemuxml2argv/unit/block-node-index", test_block_node_index);
    g_test_add_func("/qemuxml2argv/unit/checks-fail", test_checks_fail);

    ret = g_test_run();
    g_ptr_array_unref(unused_fixtures);
    qemu_caps_unref(test_caps);
    qmp_schema_free(test_schema);
    json_object_put(test_cli);
    return ret;
}

/* qemu_process_orphans.c: killing, at daemon start, the QEMU processes that
 * a killed daemon spawned but never recorded (the daemon died between the
 * spawn and the first status write, see qemu_process_start()).
 *
 * Such a QEMU is known by what every QEMU qvirt starts has: its working
 * folder is a domain folder "domain-NAME" under the driver's lib_dir, its
 * executable is a QEMU system emulator and its command line names the
 * guest ("-name guest=NAME..."). It is an orphan when no status file, not
 * even one moved aside as corrupt ("NAME.xml.corrupt-*"), accounts for
 * NAME: a QEMU with a status file is reconnect's business, and one whose
 * status file is corrupt is left alone on purpose. The contract is in
 * qemu_process.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu/qemu_command.h"
#include "qemu/qemu_process.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/process.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.process.orphans");

/* A command line longer than this is not one qvirt wrote for QEMU. */
#define ORPHAN_CMDLINE_MAX (1024 * 1024)

/* The domain names the files of STATE_DIR account for: "NAME.xml" and
 * "NAME.xml.corrupt-*". */
static GHashTable *
orphans_accounted_names(const char *state_dir)
{
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GDir) dir = g_dir_open(state_dir, 0, NULL);
    const char *entry;

    while (dir && (entry = g_dir_read_name(dir))) {
        const char *xml = strstr(entry, ".xml");

        if (!xml || xml == entry || (xml[4] != '\0' && !g_str_has_prefix(xml + 4, ".corrupt-")))
            continue;
        g_hash_table_add(names, g_strndup(entry, xml - entry));
    }
    return names;
}

/* Whether the command line of PID is a QEMU system emulator's for guest
 * NAME. */
static gboolean
orphans_is_qemu_of(pid_t pid, const char *name)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *escaped = qemu_command_escape_comma(name);
    g_autofree char *guest = g_strdup_printf("guest=%s", escaped);
    g_autofree char *args = NULL;
    g_autofree char *argv0 = NULL;
    size_t len = 0;
    gboolean named = FALSE;

    if (qvirt_file_read_limited(path, ORPHAN_CMDLINE_MAX, &args, &len) < 0) {
        qvirt_error_reset();
        return FALSE;
    }
    if (len == 0)
        return FALSE;
    argv0 = g_path_get_basename(args);
    if (!g_str_has_prefix(argv0, "qemu-system-"))
        return FALSE;
    for (size_t off = 0; off < len; off += strlen(args + off) + 1) {
        const char *arg = args + off;

        if (strcmp(arg, "-name") != 0 || off + strlen(arg) + 1 >= len)
            continue;
        arg += strlen(arg) + 1;
        /* "guest=NAME" alone or followed by ",option" (QEMU doubles a
         * comma inside the name, so ",," never ends it). */
        named = g_str_has_prefix(arg, guest) &&
                (arg[strlen(guest)] == '\0' ||
                 (arg[strlen(guest)] == ',' && arg[strlen(guest) + 1] != ','));
        break;
    }
    return named;
}

/* Kill the orphan PID of domain NAME. */
static void
orphans_kill(pid_t pid, const char *name)
{
    unsigned long long start = 0;
    g_autoptr(QvirtProcess) proc = NULL;

    if (qvirt_process_get_start_time(pid, &start) < 0 || !(proc = qvirt_process_open(pid, start))) {
        qvirt_error_reset();
        return; /* gone meanwhile */
    }
    QVIRT_WARN("domain '%s': killing QEMU pid %d, which a previous daemon started but never "
               "recorded (it died while starting it)",
               name, (int)pid);
    if (qvirt_process_kill_graceful(proc, 0) < 0) {
        QVIRT_ERROR("domain '%s': QEMU pid %d did not go: %s", name, (int)pid,
                    qvirt_error_last_message());
        qvirt_error_reset();
    }
}

void
qemu_process_kill_orphans(const QemuDriverConfig *cfg)
{
    g_autoptr(GHashTable) accounted = NULL;
    g_autofree char *lib_dir = realpath(cfg->lib_dir, NULL);
    g_autofree char *prefix = NULL;
    g_autoptr(GDir) proc_dir = NULL;
    const char *entry;

    /* No lib folder yet: no QEMU was ever started from it. The kernel
     * gives working folders resolved, so the prefix is too. */
    if (!lib_dir)
        return;
    accounted = orphans_accounted_names(cfg->state_dir);
    prefix = g_build_filename(lib_dir, "domain-", NULL);
    proc_dir = g_dir_open("/proc", 0, NULL);

    while (proc_dir && (entry = g_dir_read_name(proc_dir))) {
        g_autofree char *cwd_link = NULL;
        g_autofree char *cwd = NULL;
        const char *name;
        char *end = NULL;
        long pid = strtol(entry, &end, 10);

        if (pid <= 0 || *end != '\0' || pid == (long)getpid())
            continue;
        cwd_link = g_strdup_printf("/proc/%ld/cwd", pid);
        if (!(cwd = g_file_read_link(cwd_link, NULL)) || !g_str_has_prefix(cwd, prefix))
            continue;
        name = cwd + strlen(prefix);
        if (*name == '\0' || strchr(name, '/') || g_hash_table_contains(accounted, name) ||
            !orphans_is_qemu_of((pid_t)pid, name))
            continue;
        orphans_kill((pid_t)pid, name);
    }
}

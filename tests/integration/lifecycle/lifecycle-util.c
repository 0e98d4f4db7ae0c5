/* lifecycle-util.c: helpers of the lifecycle suite (see lifecycle-util.h). */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lifecycle-util.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/process.h"

char *
lifecycle_domain_xml(const char *name, const char *guest_dir, const char *serial,
                     const char *kernel)
{
    g_autofree char *vmlinuz = g_build_filename(guest_dir, "vmlinuz", NULL);
    g_autofree char *initrd = g_build_filename(guest_dir, "initrd.gz", NULL);

    return g_strdup_printf("<domain type='qemu'>\n"
                           "  <name>%s</name>\n"
                           "  <memory unit='KiB'>262144</memory>\n"
                           "  <vcpu>1</vcpu>\n"
                           "  <os>\n"
                           "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                           "    <kernel>%s</kernel>\n"
                           "    <initrd>%s</initrd>\n"
                           "    <cmdline>console=ttyS0 quiet pti=on panic=-1 dirty_mb=0</cmdline>\n"
                           "  </os>\n"
                           "  <features><acpi/></features>\n"
                           "  <devices>\n"
                           "    <serial type='file'>\n"
                           "      <source path='%s'/>\n"
                           "      <target port='0'/>\n"
                           "    </serial>\n"
                           "  </devices>\n"
                           "</domain>\n",
                           name, kernel ? kernel : vmlinuz, initrd, serial);
}

guint
lifecycle_count_text(const char *path, const char *needle)
{
    g_autofree char *data = NULL;
    const char *p;
    guint count = 0;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return 0;
    for (p = data; (p = strstr(p, needle)); p += strlen(needle))
        count++;
    return count;
}

gboolean
lifecycle_wait_for_text(const char *path, const char *needle, guint count, gint64 timeout_ms)
{
    g_autofree char *dir = g_path_get_dirname(path);
    gint64 deadline = qvirt_deadline_from_now_ms(timeout_ms);
    gboolean found = FALSE;
    int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

    g_assert(fd >= 0);
    /* Watch first, then look, so that no write falls in between. */
    g_assert(inotify_add_watch(fd, dir, IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO) >= 0);
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        char buf[4096];

        if (lifecycle_count_text(path, needle) >= count) {
            found = TRUE;
            break;
        }
        if (qvirt_deadline_expired(deadline))
            break;
        if (poll(&pfd, 1, qvirt_deadline_remaining_ms(deadline)) < 0 && errno != EINTR)
            break;
        while (read(fd, buf, sizeof(buf)) > 0)
            ;
    }
    close(fd);
    return found;
}

gboolean
lifecycle_status_pid(const char *state_dir, const char *name, pid_t *ret_pid,
                     unsigned long long *ret_start)
{
    g_autofree char *base = g_strdup_printf("%s.xml", name);
    g_autofree char *path = g_build_filename(state_dir, base, NULL);
    g_autofree char *data = NULL;
    const char *pid;
    const char *start;

    if (!g_file_get_contents(path, &data, NULL, NULL) || !(pid = strstr(data, " pid='")) ||
        !(start = strstr(data, " pidStartTime='")))
        return FALSE;
    *ret_pid = (pid_t)g_ascii_strtoll(pid + strlen(" pid='"), NULL, 10);
    *ret_start = g_ascii_strtoull(start + strlen(" pidStartTime='"), NULL, 10);
    return *ret_pid > 0;
}

gboolean
lifecycle_pid_alive(pid_t pid, unsigned long long start)
{
    g_autoptr(QvirtProcess) proc = NULL;
    unsigned long long actual = 0;
    gboolean alive;

    if (pid <= 0)
        return FALSE;
    if (start == 0 && qvirt_process_get_start_time(pid, &actual) < 0) {
        qvirt_error_reset();
        return FALSE;
    }
    proc = qvirt_process_open(pid, start ? start : actual);
    alive = proc && qvirt_process_is_alive(proc);
    qvirt_error_reset();
    return alive;
}

gboolean
lifecycle_kill_pid(pid_t pid, unsigned long long start)
{
    g_autoptr(QvirtProcess) proc = NULL;
    unsigned long long actual = 0;
    gboolean gone;

    if (pid <= 0)
        return TRUE;
    if (start == 0 && qvirt_process_get_start_time(pid, &actual) < 0) {
        qvirt_error_reset();
        return TRUE;
    }
    if (!(proc = qvirt_process_open(pid, start ? start : actual))) {
        qvirt_error_reset();
        return TRUE; /* gone, or the pid is someone else's now */
    }
    gone = qvirt_process_kill_graceful(proc, 2000) == 0;
    qvirt_error_reset();
    return gone;
}

void
lifecycle_kill_all(const char *state_dir)
{
    g_autoptr(GDir) dir = state_dir ? g_dir_open(state_dir, 0, NULL) : NULL;
    const char *file;

    while (dir && (file = g_dir_read_name(dir))) {
        g_autofree char *name = NULL;
        unsigned long long start;
        pid_t pid;

        if (!g_str_has_suffix(file, ".xml"))
            continue;
        name = g_strndup(file, strlen(file) - 4);
        if (lifecycle_status_pid(state_dir, name, &pid, &start))
            lifecycle_kill_pid(pid, start);
    }
}

char *
lifecycle_find_guest(char **ret_why)
{
    const char *env = g_getenv("QVIRT_GUEST_DIR");
    const char *srcdir = g_getenv("QVIRT_TEST_SRCDIR");
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *script = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *kernel = NULL;
    g_autoptr(GError) error = NULL;
    const char *argv[3] = {NULL, NULL, NULL};
    int status = 0;

    if (!qemu && !g_file_test("/usr/bin/qemu-system-x86_64", G_FILE_TEST_IS_EXECUTABLE)) {
        *ret_why = g_strdup("qemu-system-x86_64 is not installed");
        return NULL;
    }
    if (env) {
        kernel = g_build_filename(env, "vmlinuz", NULL);
        if (g_file_test(kernel, G_FILE_TEST_EXISTS))
            return g_strdup(env);
    }
    script = g_build_filename(srcdir ? srcdir : TESTS_SRCDIR_DEFAULT, "guest", "build-guest", NULL);
    argv[0] = script;
    argv[1] = env;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                      &error) ||
        !g_spawn_check_wait_status(status, NULL)) {
        *ret_why = g_strdup_printf("cannot build the test guest: %s",
                                   error ? error->message : g_strstrip(err));
        return NULL;
    }
    return g_strdup(g_strstrip(out));
}

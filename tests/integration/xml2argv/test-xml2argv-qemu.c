/* test-xml2argv-qemu.c: the real-QEMU acceptance suite of the command line
 * builder. Every case of tests/qemuxml2argv/data with an expected .args is
 * built again, against the same recorded capabilities, with a real runtime
 * context (a private temporary folder, monitor sockets qvirt creates and
 * passes as descriptors), and started on the installed QEMU: it must start
 * paused (-S), answer query-status over QMP with "prelaunch", and quit
 * cleanly. A case QEMU rejects fails, with QEMU's error in the log, and the
 * last test lists every rejected case.
 *
 * What a case needs is made first: the paths of the fixtures (under
 * /var/lib/qvirt/ and /run/qvirt/) are moved into the temporary folder,
 * disk images are made with qemu-img (qcow2 chains with their backing
 * files), a direct-boot kernel is a minimal bzImage header (QEMU only
 * loads it: the guest never runs), a unix socket a serial port connects
 * to is listening, and a fixed VNC port becomes a free one. Skipped, with
 * the reason in the TAP output: cases with tap interfaces (a tap needs a
 * real tap device, which the networking code opens and its own suite
 * tests), with host block devices, type 'kvm' cases where KVM is not
 * usable, and cache modes that need O_DIRECT on a folder that has none.
 * Where KVM is nested (as on the project's test machines) QEMU aborts with
 * -cpu host ("failed to set MSR"): such a KVM case is skipped naming that;
 * any other failure of a KVM case still fails.
 *
 * Every QEMU started here is killed by pid in the case's cleanup, and by a
 * signal handler should the suite abort. QVIRT_TEST_QEMU names another
 * binary; without one every case is skipped. */
#include <config.h>

#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu/qemu_command.h"
#include "qemu/qemu_monitor_json.h"
#include "testutil.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/process.h"
#include "qemuxml2argv/xml2argvcase.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

/* Hang guard of each wait (QEMU with hundreds of TCG vCPUs starts slowly). */
#define WAIT_MS 60000
#define IMAGE_SIZE "1M"

static char *qemu_binary;
static char *qemu_img;
static QemuCaps *test_caps;
static gboolean kvm_usable;
static QvirtEventLoop *test_loop;
static GPtrArray *rejected; /* names of the cases QEMU rejected */

static volatile sig_atomic_t live_pid;

static void
kill_on_signal(int sig)
{
    if (live_pid > 0)
        kill(live_pid, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static char *
test_read(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("cannot read %s: %s", path, err->message);
    return text;
}

static char *
replace_all(const char *text, const char *from, const char *to)
{
    g_auto(GStrv) parts = g_strsplit(text, from, -1);

    return g_strjoinv(to, parts);
}

/* ---- What a case needs ---- */

static void
make_parent(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);

    if (g_mkdir_with_parents(dir, 0755) < 0)
        g_error("cannot create %s: %s", dir, g_strerror(errno));
}

static void
run_qemu_img(const char *const *args)
{
    g_autoptr(QvirtCommand) cmd = qvirt_command_new(qemu_img);

    for (size_t i = 0; args[i]; i++)
        qvirt_command_add_arg(cmd, args[i]);
    qvirt_command_add_env(cmd, "LC_ALL=C");
    if (qvirt_process_run_sync(cmd, WAIT_MS, NULL, NULL, NULL) < 0)
        g_error("qemu-img failed: %s", qvirt_error_last_message());
}

/* The images of SRC's chain, base first. */
static void
make_images(const DomainStorageSource *src)
{
    const char *fmt;

    if (!src || !src->path || g_file_test(src->path, G_FILE_TEST_EXISTS))
        return;
    make_images(src->backing);
    make_parent(src->path);
    fmt = domain_disk_format_to_string(src->format);
    if (src->format == DOMAIN_DISK_FORMAT_QCOW2 && src->backing && src->backing->path) {
        const char *args[] = {"create",  "-q",
                              "-f",      fmt,
                              "-F",      domain_disk_format_to_string(src->backing->format),
                              "-b",      src->backing->path,
                              src->path, IMAGE_SIZE,
                              NULL};

        run_qemu_img(args);
    } else {
        const char *args[] = {"create", "-q", "-f", fmt, src->path, IMAGE_SIZE, NULL};

        run_qemu_img(args);
    }
}

/* A minimal Linux boot protocol header (version 2.15): QEMU loads it as a
 * bzImage; the guest never runs it. */
static void
make_kernel(const char *path)
{
    g_autofree guint8 *image = g_new0(guint8, 8192);
    g_autoptr(GError) err = NULL;

    image[0x1f1] = 1;    /* setup_sects */
    image[0x1fe] = 0x55; /* boot_flag */
    image[0x1ff] = 0xaa;
    memcpy(image + 0x202, "HdrS", 4); /* header magic */
    image[0x206] = 0x0f;              /* version 2.15 */
    image[0x207] = 0x02;
    image[0x211] = 0x01;                          /* loadflags: LOADED_HIGH */
    memcpy(image + 0x22c, "\xff\xff\xff\x37", 4); /* initrd_addr_max */
    make_parent(path);
    if (!g_file_set_contents(path, (const char *)image, 8192, &err))
        g_error("cannot write %s: %s", path, err->message);
}

static void
make_file(const char *path)
{
    g_autoptr(GError) err = NULL;

    make_parent(path);
    if (!g_file_set_contents(path, "qvirt test initrd\n", -1, &err))
        g_error("cannot write %s: %s", path, err->message);
}

/* Whether DIR's file system takes O_DIRECT (cache modes none, directsync). */
static gboolean
dir_has_odirect(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "odirect-probe", NULL);
    int fd = open(path, O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);

    if (fd < 0)
        return FALSE;
    close(fd);
    unlink(path);
    return TRUE;
}

/* A TCP port of 127.0.0.1 free right now, for a case's fixed VNC port:
 * two runs of the suite at once (or anything else on the host) must not
 * collide on the fixture's port. Only the display number changes. */
static int
free_local_port(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
    close(fd);
    return ntohs(addr.sin_port);
}

/* Why the case cannot run here, or NULL. */
static const char *
case_skip_reason(const DomainDef *def, const char *dir)
{
    for (size_t i = 0; i < def->nnets; i++) {
        if (def->nets[i]->type != DOMAIN_NET_TYPE_USER)
            return "tap interface: a tap needs a real tap device, which the networking code "
                   "opens; its suite tests tap interfaces";
    }
    for (size_t i = 0; i < def->ndisks; i++) {
        const DomainDiskDef *disk = def->disks[i];

        if (disk->src->type == DOMAIN_DISK_TYPE_BLOCK)
            return "host block device: the test makes no block devices on the host";
        if ((disk->cache == DOMAIN_DISK_CACHE_NONE ||
             disk->cache == DOMAIN_DISK_CACHE_DIRECTSYNC) &&
            !dir_has_odirect(dir))
            return "cache mode needs O_DIRECT, which the temporary folder's file system lacks";
    }
    if (def->virt_type == DOMAIN_VIRT_KVM && !kvm_usable)
        return "domain type 'kvm' but KVM is not usable here (/dev/kvm)";
    return NULL;
}

/* ---- Running QEMU ---- */

typedef struct {
    char *dir;
    QvirtProcess *proc;
    QemuMonitor *mon;
    int fds[2];       /* our copies of the monitor sockets, -1 once closed */
    GPtrArray *socks; /* listening sockets serial ports connect to (int) */
} CaseRun;

static void
case_run_clear(CaseRun *run)
{
    if (run->proc) {
        qvirt_process_kill_graceful(run->proc, 0);
        live_pid = 0;
        g_clear_pointer(&run->proc, qvirt_process_free);
    }
    qemu_monitor_close(g_steal_pointer(&run->mon));
    for (int i = 0; i < 2; i++) {
        if (run->fds[i] >= 0)
            close(run->fds[i]);
        run->fds[i] = -1;
    }
    for (guint i = 0; run->socks && i < run->socks->len; i++)
        close(GPOINTER_TO_INT(g_ptr_array_index(run->socks, i)));
    g_clear_pointer(&run->socks, g_ptr_array_unref);
    qvirt_test_rmtree(run->dir);
    g_clear_pointer(&run->dir, g_free);
}

/* Wait until QEMU created the socket PATH (native cases: QEMU listens on a
 * path itself). Wakes on the folder's inotify events and on QEMU's exit. */
static gboolean
wait_for_socket(CaseRun *run, const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    gint64 deadline = qvirt_deadline_from_now_ms(WAIT_MS);
    int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    gboolean found = FALSE;

    g_assert_cmpint(ifd, >=, 0);
    g_assert_cmpint(inotify_add_watch(ifd, dir, IN_CREATE | IN_MOVED_TO), >=, 0);
    while (!(found = g_file_test(path, G_FILE_TEST_EXISTS)) && !qvirt_deadline_expired(deadline) &&
           qvirt_process_is_alive(run->proc)) {
        struct pollfd pfd[2] = {{ifd, POLLIN, 0}, {qvirt_process_pidfd(run->proc), POLLIN, 0}};
        char buf[4096];

        if (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, (int)qvirt_deadline_remaining_ms(deadline)) > 0 &&
            (pfd[0].revents & POLLIN))
            while (read(ifd, buf, sizeof(buf)) > 0)
                ;
    }
    close(ifd);
    return found;
}

static char *
qemu_log(CaseRun *run)
{
    g_autofree char *path = g_build_filename(run->dir, "qemu.log", NULL);
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return g_strdup("(no log)");
    return text;
}

/* Start the case, talk to its monitor, quit. NULL, or why it failed. */
static char *
case_run_qemu(CaseRun *run, const char *name, DomainDef *def)
{
    Xml2ArgvCaseFlags flags;
    g_autofree char *lib_dir = g_build_filename(run->dir, "domain", NULL);
    g_autofree char *qmp_path = g_build_filename(run->dir, "run", "qmp.sock", NULL);
    g_autofree char *hmp_path = g_build_filename(run->dir, "run", "hmp.sock", NULL);
    g_autofree char *log_path = g_build_filename(run->dir, "qemu.log", NULL);
    QemuCommandContext ctx = {
        .emulator = qemu_binary,
        .lib_dir = lib_dir,
        .monitor_fd = -1,
        .hmp_fd = -1,
        .kvm_usable = kvm_usable,
    };
    QemuMonitorConfig config = {.protocol = QEMU_MONITOR_PROTOCOL_QMP, .domain_name = name};
    g_autoptr(QemuCommandLine) cl = NULL;
    g_autoptr(QvirtCommand) cmd = NULL;
    bool running = true;
    QemuMonitorVMStatus status = QEMU_MONITOR_VM_STATUS_UNKNOWN;
    int exit_status = -1;
    int log_fd;

    xml2argv_case_flags(name, &flags);
    g_assert_cmpint(g_mkdir_with_parents(lib_dir, 0700), ==, 0);
    make_parent(qmp_path);
    ctx.sandbox = flags.no_sandbox ? QEMU_COMMAND_SANDBOX_OFF : QEMU_COMMAND_SANDBOX_DEFAULT;
    if (flags.native) {
        ctx.native = TRUE;
        ctx.monitor_path = qmp_path;
        if (flags.hmp)
            ctx.hmp_path = hmp_path;
    } else {
        ctx.monitor_fd = run->fds[0] = qemu_monitor_listen_socket(qmp_path);
        g_assert_cmpint(ctx.monitor_fd, >=, 0);
        if (flags.hmp) {
            ctx.hmp_fd = run->fds[1] = qemu_monitor_listen_socket(hmp_path);
            g_assert_cmpint(ctx.hmp_fd, >=, 0);
        }
    }
    if (!(cl = qemu_command_build(def, test_caps, &ctx)))
        return g_strdup_printf("the command line does not build: %s", qvirt_error_last_message());

    cmd = qemu_command_line_to_command(cl);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(log_fd, >=, 0);
    qvirt_command_set_stdout_fd(cmd, log_fd);
    qvirt_command_set_stderr_fd(cmd, log_fd);
    if (qvirt_command_spawn(cmd, &run->proc) < 0) {
        close(log_fd);
        return g_strdup_printf("QEMU does not start: %s", qvirt_error_last_message());
    }
    close(log_fd);
    live_pid = qvirt_process_pid(run->proc);
    for (int i = 0; i < 2; i++) {
        if (run->fds[i] >= 0)
            close(run->fds[i]);
        run->fds[i] = -1;
    }

    if (flags.native && !wait_for_socket(run, qmp_path))
        goto rejected;
    if (!(run->mon = qemu_monitor_open_path(test_loop, qmp_path, &config)) ||
        qemu_monitor_json_set_capabilities(run->mon) < 0 ||
        qemu_monitor_json_query_status(run->mon, &running, &status) < 0)
        goto rejected;
    if (running || status != QEMU_MONITOR_VM_STATUS_PRELAUNCH)
        return g_strdup_printf("QEMU is not paused before launch (status %s)",
                               qemu_monitor_vm_status_to_string(status));
    if (qemu_monitor_json_quit(run->mon) < 0 && qvirt_process_is_alive(run->proc))
        goto rejected;
    if (qvirt_process_wait_exit(run->proc, WAIT_MS, &exit_status) < 0)
        return g_strdup_printf("QEMU does not quit: %s", qvirt_error_last_message());
    live_pid = 0;
    if (!WIFEXITED(exit_status) || WEXITSTATUS(exit_status) != 0) {
        g_autofree char *how = qvirt_process_status_to_string(exit_status);
        g_autofree char *log = qemu_log(run);

        return g_strdup_printf("QEMU %s after quit:\n%s", how, log);
    }
    return NULL;

rejected : {
    g_autofree char *monitor_error = g_strdup(qvirt_error_last_message());
    g_autofree char *log = NULL;

    /* Let QEMU finish writing why it stopped. */
    qvirt_process_wait_exit(run->proc, WAIT_MS, NULL);
    live_pid = 0;
    log = qemu_log(run);
    return g_strdup_printf("QEMU rejected the command line (%s):\n%s", monitor_error, log);
}
}

static void
test_case(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_strdup_printf("qemuxml2argv/data/%s.xml", name);
    g_autofree char *path = qvirt_test_srcpath(rel);
    g_autofree char *xml = test_read(path);
    g_autofree char *lib_prefix = NULL;
    g_autofree char *run_prefix = NULL;
    g_autofree char *moved = NULL;
    g_autofree char *moved2 = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autofree char *failure = NULL;
    CaseRun run = {.fds = {-1, -1}};
    const char *skip;

    if (!qemu_binary || !qemu_img) {
        g_test_skip("qemu-system-x86_64 or qemu-img is not installed");
        return;
    }
    run.dir = qvirt_test_mkdtemp();
    run.socks = g_ptr_array_new();
    lib_prefix = g_strdup_printf("%s/lib/", run.dir);
    run_prefix = g_strdup_printf("%s/run/", run.dir);
    moved = replace_all(xml, "/var/lib/qvirt/", lib_prefix);
    moved2 = replace_all(moved, "/run/qvirt/", run_prefix);
    def = domain_def_parse_string(moved2, DOMAIN_DEF_PARSE_INACTIVE);
    if (!def)
        g_error("%s: the XML does not parse: %s", name, qvirt_error_last_message());

    if ((skip = case_skip_reason(def, run.dir))) {
        case_run_clear(&run);
        g_test_skip(skip);
        return;
    }
    if (def->ngraphics > 0 && !def->graphics[0]->autoport) {
        g_assert_null(def->graphics[0]->listen);
        def->graphics[0]->port = free_local_port();
    }
    for (size_t i = 0; i < def->ndisks; i++)
        make_images(def->disks[i]->src);
    if (def->os.kernel)
        make_kernel(def->os.kernel);
    if (def->os.initrd)
        make_file(def->os.initrd);
    for (size_t i = 0; i < def->nserials + def->nconsoles; i++) {
        const DomainChrDef *chr =
            i < def->nserials ? def->serials[i] : def->consoles[i - def->nserials];

        if (!chr->source.path)
            continue;
        make_parent(chr->source.path);
        if (chr->source.type == DOMAIN_CHR_TYPE_UNIX && !chr->source.listen &&
            !g_file_test(chr->source.path, G_FILE_TEST_EXISTS)) {
            int fd = qemu_monitor_listen_socket(chr->source.path);

            g_assert_cmpint(fd, >=, 0);
            g_ptr_array_add(run.socks, GINT_TO_POINTER(fd));
        }
    }

    failure = case_run_qemu(&run, name, def);
    if (failure && def->virt_type == DOMAIN_VIRT_KVM && strstr(failure, "failed to set MSR")) {
        case_run_clear(&run);
        g_test_skip("nested KVM on this host aborts QEMU ('failed to set MSR'): a known quirk "
                    "of nested KVM, not of the command line");
        return;
    }
    case_run_clear(&run);
    if (failure) {
        g_ptr_array_add(rejected, g_strdup(name));
        g_test_message("%s: %s", name, failure);
        g_test_fail();
    }
}

static void
test_summary(void)
{
    for (guint i = 0; i < rejected->len; i++)
        g_test_message("QEMU rejected case %s", (const char *)g_ptr_array_index(rejected, i));
    g_assert_cmpuint(rejected->len, ==, 0);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
    const char *env = g_getenv("QVIRT_TEST_QEMU");
    g_autofree char *found = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *caps_path = NULL;
    g_autofree char *caps_xml = NULL;
    g_autofree char *data_dir = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    GDir *dir;
    const char *entry;
    int ret;

    qvirt_test_init(&argc, &argv);
    if (env && *env)
        qemu_binary = g_strdup(env);
    else if (found)
        qemu_binary = g_canonicalize_filename(found, NULL);
    qemu_img = g_find_program_in_path("qemu-img");

    caps_path = qvirt_test_srcpath("qemucapabilities/caps.x86_64.xml");
    caps_xml = test_read(caps_path);
    if (!(test_caps = qemu_caps_parse(caps_xml, caps_path)))
        g_error("cannot load %s: %s", caps_path, qvirt_error_last_message());
    kvm_usable = qemu_command_kvm_usable(test_caps);
    test_loop = qvirt_event_loop_new("xml2argv-qemu");
    rejected = g_ptr_array_new_with_free_func(g_free);

    signal(SIGABRT, kill_on_signal);
    signal(SIGALRM, kill_on_signal);
    signal(SIGSEGV, kill_on_signal);
    signal(SIGTERM, kill_on_signal);
    alarm(1800); /* hang guard for the whole suite */

    data_dir = qvirt_test_srcpath("qemuxml2argv/data");
    if (!(dir = g_dir_open(data_dir, 0, &err)))
        g_error("cannot open %s: %s", data_dir, err->message);
    while ((entry = g_dir_read_name(dir))) {
        if (g_str_has_suffix(entry, ".args"))
            g_ptr_array_add(names, g_strndup(entry, strlen(entry) - strlen(".args")));
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *test_path = g_strdup_printf("/xml2argv-qemu/%s", name);

        g_test_add_data_func(test_path, name, test_case);
    }
    /* Cases of one suite run in the order they are added: this one last. */
    g_test_add_func("/xml2argv-qemu/summary", test_summary);

    ret = g_test_run();
    g_ptr_array_unref(rejected);
    qvirt_event_loop_free(test_loop);
    qemu_caps_unref(test_caps);
    g_free(qemu_binary);
    g_free(qemu_img);
    return ret;
}

/* test-dst.c: the destination side of a migration (qemu_migration_dst.c)
 * and the migration port reservations (qemu_migration_port.c).
 *
 * Pure cases: the migration URIs Prepare accepts and the URI it answers
 * with; the port allocator (range, ports in use skipped, exhaustion,
 * release). Real-QEMU cases (skipped without qemu-system-x86_64), with
 * QEMU driver objects in temporary folders and a guest without disks (its
 * firmware keeps the vCPUs busy, which is all a migration needs):
 * Prepare's refusals; Prepare starting QEMU with -incoming defer and
 * listening on the reserved port, the lease expiring when its connection
 * closes; Finish of a cancelled migration; an incoming QEMU that dies
 * before Finish; an incoming domain over an inactive persistent definition
 * (and a Prepare that fails before QEMU starts giving it back); and a
 * whole migration between two drivers of this process
 * (Begin, Prepare, Perform, Finish, Confirm). Every QEMU started is killed
 * by pid should the suite abort. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "driver/connect.h"
#include "driver/hostid.h"
#include "qemu/qemu_migration.h"
#include "qemu/qemu_migration_cookie.h"
#include "qemu/qemu_migration_dst_priv.h"
#include "qemu/qemu_migration_port.h"
#include "qemu/qemu_process.h"
#include "testutil.h"
#include "util/error.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_NONE

#define TEST_QEMU "/usr/bin/qemu-system-x86_64"
#define WAIT_MS (60 * 1000)

static const unsigned char uuid_src[16] = {0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x43, 0x33,
                                           0x84, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x01};
static const unsigned char uuid_dst[16] = {0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x43, 0x33,
                                           0x84, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x02};

/* ---- URIs ---- */

typedef struct {
    const char *uri;
    gboolean is_unix;
    const char *host;
    int port;
    const char *path;
} UriCase;

static const UriCase uri_good[] = {
    {"tcp:example.org", FALSE, "example.org", 0, NULL},
    {"tcp:example.org:49160", FALSE, "example.org", 49160, NULL},
    {"tcp://example.org", FALSE, "example.org", 0, NULL},
    {"tcp://example.org:1/", FALSE, "example.org", 1, NULL},
    {"tcp:10.0.0.2:65535", FALSE, "10.0.0.2", 65535, NULL},
    {"tcp:[fe80::1]:4444", FALSE, "fe80::1", 4444, NULL},
    {"tcp://[::1]", FALSE, "::1", 0, NULL},
    {"tcp:", FALSE, NULL, 0, NULL},
    {"tcp::5000", FALSE, NULL, 5000, NULL},
    {"unix:/run/mig.sock", TRUE, NULL, 0, "/run/mig.sock"},
    {"unix:///run/mig.sock", TRUE, NULL, 0, "/run/mig.sock"},
};

static const char *const uri_bad[] = {
    "",
    "rdma:host:1",
    "host:4444",
    "tcp:host:0",
    "tcp:host:65536",
    "tcp:host:12ab",
    "tcp:host:",
    "tcp:fe80::1:4444",
    "tcp:[fe80::1",
    "tcp:[]:1",
    "tcp:[::1]x",
    "tcp://host:1/path",
    "unix:relative.sock",
    "unix:",
};

static void
test_uri_parse(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(uri_good); i++) {
        const UriCase *c = &uri_good[i];
        g_autoptr(QemuMigrationDstUri) uri = qemu_migration_dst_uri_parse(c->uri);

        g_test_message("%s", c->uri);
        g_assert_nonnull(uri);
        g_assert_cmpint(uri->is_unix, ==, c->is_unix);
        g_assert_cmpstr(uri->host, ==, c->host);
        g_assert_cmpint(uri->port, ==, c->port);
        g_assert_cmpstr(uri->path, ==, c->path);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(uri_bad); i++) {
        g_test_message("%s", uri_bad[i]);
        g_assert_null(qemu_migration_dst_uri_parse(uri_bad[i]));
        qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, uri_bad[i][0] ? uri_bad[i] : "missing");
        qvirt_error_reset();
    }
    g_assert_null(qemu_migration_dst_uri_parse(NULL));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "missing migration URI");
    qvirt_error_reset();
}

static void
test_uri_out(void)
{
    g_autoptr(QemuMigrationDstUri) with_host = qemu_migration_dst_uri_parse("tcp:10.1.1.1");
    g_autoptr(QemuMigrationDstUri) v6_host = qemu_migration_dst_uri_parse("tcp:[fd00::5]:7000");
    g_autoptr(QemuMigrationDstUri) no_host = qemu_migration_dst_uri_parse("tcp::7000");
    g_autoptr(QemuMigrationDstUri) unix_uri = qemu_migration_dst_uri_parse("unix:/tmp/m.sock");
    struct {
        const QemuMigrationDstUri *uri;
        const char *listen;
        const char *expected;
    } cases[] = {
        {with_host, "::", "tcp:10.1.1.1:49152"},
        {with_host, "192.168.0.9", "tcp:10.1.1.1:49152"},
        {v6_host, NULL, "tcp:[fd00::5]:49152"},
        {no_host, "192.168.0.9", "tcp:192.168.0.9:49152"},
        {no_host, "[fd00::9]", "tcp:[fd00::9]:49152"},
        {no_host, "0.0.0.0", "tcp:desthost:49152"},
        {NULL, NULL, "tcp:desthost:49152"},
        {NULL, "", "tcp:desthost:49152"},
        {NULL, "[::]", "tcp:desthost:49152"},
        {NULL, "::1", "tcp:[::1]:49152"},
        {unix_uri, "::", "unix:/tmp/m.sock"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *out =
            qemu_migration_dst_uri_out(cases[i].uri, cases[i].listen, 49152, "desthost");

        g_assert_cmpstr(out, ==, cases[i].expected);
    }
}

static void
test_address(void)
{
    g_autofree char *a = qemu_migration_dst_address_bare("[::1]");
    g_autofree char *b = qemu_migration_dst_address_bare("10.0.0.1");
    g_autofree char *c = qemu_migration_dst_tcp_uri("[::]", 5);
    g_autofree char *d = qemu_migration_dst_tcp_uri("0.0.0.0", 6);

    g_assert_cmpstr(a, ==, "::1");
    g_assert_cmpstr(b, ==, "10.0.0.1");
    g_assert_null(qemu_migration_dst_address_bare(NULL));
    g_assert_cmpstr(c, ==, "tcp:[::]:5");
    g_assert_cmpstr(d, ==, "tcp:0.0.0.0:6");
    g_assert_true(qemu_migration_dst_address_is_wildcard(NULL));
    g_assert_true(qemu_migration_dst_address_is_wildcard(""));
    g_assert_true(qemu_migration_dst_address_is_wildcard("::"));
    g_assert_true(qemu_migration_dst_address_is_wildcard("[::]"));
    g_assert_true(qemu_migration_dst_address_is_wildcard("0.0.0.0"));
    g_assert_false(qemu_migration_dst_address_is_wildcard("::1"));
    g_assert_false(qemu_migration_dst_address_is_wildcard("127.0.0.1"));
}

/* ---- ports ---- */

/* A listening TCP socket on 127.0.0.1 at a port the kernel picks. */
static int
listen_any_port(int *ret_port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sin, &len), ==, 0);
    *ret_port = ntohs(sin.sin_port);
    return fd;
}

/* Whether a socket can be bound on every address at PORT now. */
static gboolean
port_bindable(int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    gboolean ok;

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
    close(fd);
    return ok;
}

/* The first of COUNT consecutive bindable ports at or above 20000. */
static guint
find_free_range(guint count)
{
    guint base = 20000 + (guint)(getpid() % 20000);

    for (guint tries = 0; tries < 2000; tries++, base += count) {
        gboolean all = TRUE;

        if (base + count > 60000)
            base = 20000;
        for (guint p = base; p < base + count && all; p++)
            all = port_bindable((int)p) && !qemu_migration_port_is_reserved((int)p);
        if (all)
            return base;
    }
    g_assert_not_reached();
}

static void
test_port_range(void)
{
    guint base = find_free_range(3);
    int ports[3];
    int again;

    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(qemu_migration_port_acquire(base, base + 2, NULL, &ports[i]), ==, 0);
        g_assert_cmpint(ports[i], ==, (int)base + i); /* from the bottom up */
        g_assert_true(qemu_migration_port_is_reserved(ports[i]));
    }
    g_assert_cmpint(qemu_migration_port_acquire(base, base + 2, NULL, &again), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "no free migration port");
    qvirt_error_reset();

    qemu_migration_port_release(ports[1]);
    g_assert_false(qemu_migration_port_is_reserved(ports[1]));
    g_assert_cmpint(qemu_migration_port_acquire(base, base + 2, "127.0.0.1", &again), ==, 0);
    g_assert_cmpint(again, ==, ports[1]);
    for (int i = 0; i < 3; i++)
        qemu_migration_port_release(ports[i]);
    qemu_migration_port_release(0);        /* ignored */
    qemu_migration_port_release(ports[0]); /* twice: ignored */
    g_assert_false(qemu_migration_port_is_reserved(ports[0]));
}

static void
test_port_in_use(void)
{
    int used;
    int fd = listen_any_port(&used);
    int port;

    /* A port another socket listens on is skipped, on every address and on
     * the one it uses. */
    g_assert_cmpint(qemu_migration_port_acquire(used, used, NULL, &port), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "no free migration port");
    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_port_acquire(used, used, "127.0.0.1", &port), ==, -1);
    qvirt_error_reset();
    g_assert_false(qemu_migration_port_is_reserved(used));
    close(fd);
    if (port_bindable(used)) {
        g_assert_cmpint(qemu_migration_port_acquire(used, used, "[::]", &port), ==, 0);
        g_assert_cmpint(port, ==, used);
        qemu_migration_port_release(port);
    }
}

static void
test_port_bad_range(void)
{
    int port = -7;

    g_assert_cmpint(qemu_migration_port_acquire(0, 10, NULL, &port), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "invalid migration port range 0-10");
    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_port_acquire(5000, 4999, NULL, &port), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "5000-4999");
    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_port_acquire(65535, 65536, NULL, &port), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "65535-65536");
    qvirt_error_reset();
    g_assert_cmpint(port, ==, -7); /* untouched */
}

/* ---- real QEMU: drivers, events, QEMUs to kill on abort ---- */

#define MAX_PIDS 64
static volatile pid_t started_pids[MAX_PIDS];
static volatile int nstarted_pids;

static void
abort_handler(int sig)
{
    for (int i = 0; i < nstarted_pids; i++) {
        if (started_pids[i] > 0)
            kill(started_pids[i], SIGKILL);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
remember_pid(DomainObj *vm)
{
    domain_obj_lock(vm);
    if (vm->pid > 0 && nstarted_pids < MAX_PIDS)
        started_pids[nstarted_pids++] = vm->pid;
    domain_obj_unlock(vm);
}

/* QvirtMutex/QvirtCond, which ThreadSanitizer builds see (util/threads.h). */
static QvirtMutex ev_lock;
static QvirtCond ev_cond;
static GPtrArray *ev_log; /* "NAME TYPE DETAIL" of lifecycle events */

static void
record_event(const QemuDriverEvent *event, gpointer opaque)
{
    if (event->event_id != QV_DOMAIN_EVENT_ID_LIFECYCLE)
        return;
    qvirt_mutex_lock(&ev_lock);
    g_ptr_array_add(ev_log, g_strdup_printf("%s %d %d", event->name, event->type, event->detail));
    qvirt_cond_broadcast(&ev_cond);
    qvirt_mutex_unlock(&ev_lock);
}

static gboolean
event_seen_locked(const char *name, int type, int detail)
{
    g_autofree char *want = g_strdup_printf("%s %d %d", name, type, detail);

    for (guint i = 0; i < ev_log->len; i++) {
        if (strcmp(g_ptr_array_index(ev_log, i), want) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Wait (a deadline, no sleep) for the lifecycle event NAME TYPE DETAIL. */
static gboolean
wait_event(const char *name, int type, int detail)
{
    gint64 deadline = qvirt_deadline_after_ms(WAIT_MS);
    gboolean seen;

    qvirt_mutex_lock(&ev_lock);
    while (!(seen = event_seen_locked(name, type, detail)) &&
           qvirt_cond_wait_until(&ev_cond, &ev_lock, deadline))
        ;
    qvirt_mutex_unlock(&ev_lock);
    return seen;
}

static gboolean
event_seen(const char *name, int type, int detail)
{
    gboolean seen;

    qvirt_mutex_lock(&ev_lock);
    seen = event_seen_locked(name, type, detail);
    qvirt_mutex_unlock(&ev_lock);
    return seen;
}

typedef struct {
    char *root;
    QemuDriver *driver;
    guint port_min;
} TestDriver;

static void
test_driver_open(TestDriver *t, guint nports)
{
    g_autoptr(QemuDriverConfig) cfg = NULL;

    t->root = qvirt_test_mkdtemp();
    cfg = qemu_driver_config_new(FALSE, t->root);
    g_assert_nonnull(cfg);
    t->port_min = find_free_range(nports);
    cfg->migration_port_min = t->port_min;
    cfg->migration_port_max = t->port_min + nports - 1;
    cfg->job_wait_timeout_ms = 30000;
    t->driver = qemu_driver_new(cfg);
    g_assert_nonnull(t->driver);
    qemu_driver_set_event_func(t->driver, record_event, NULL);
    g_assert_cmpint(qemu_driver_start(t->driver, FALSE), ==, 0);
}

/* Destroy what still runs, free the driver, remove the folder. */
static void
test_driver_close(TestDriver *t)
{
    g_autoptr(GPtrArray) vms = NULL;

    if (!t->driver)
        return;
    vms = domain_obj_list_collect(t->driver->domains, DOMAIN_LIST_ACTIVE, NULL);
    for (guint i = 0; vms && i < vms->len; i++) {
        if (qemu_driver_destroy(t->driver, g_ptr_array_index(vms, i), 0) < 0)
            qvirt_error_reset();
    }
    qemu_driver_free(t->driver);
    t->driver = NULL;
    qvirt_test_rmtree(t->root);
    g_clear_pointer(&t->root, g_free);
}

static char *
guest_xml(const char *name, const char *uuid)
{
    return g_strdup_printf("<domain type='qemu'>\n"
                           "  <name>%s</name>\n"
                           "  <uuid>%s</uuid>\n"
                           "  <memory unit='KiB'>65536</memory>\n"
                           "  <vcpu placement='static'>1</vcpu>\n"
                           "  <os>\n"
                           "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                           "  </os>\n"
                           "  <on_poweroff>destroy</on_poweroff>\n"
                           "</domain>\n",
                           name, uuid);
}

/* A Begin cookie as a source on another host (uuid_src) writes it. */
static char *
source_cookie(const char *name, const char *uuid_str, int *ret_len)
{
    unsigned char uuid[16];
    g_autoptr(QemuMigrationCookie) cookie = NULL;
    char *text;

    g_assert_cmpint(qvirt_uuid_parse(uuid_str, uuid), ==, 0);
    cookie = qemu_migration_cookie_new(name, uuid, "srchost", uuid_src);
    text = qemu_migration_cookie_format(cookie);
    *ret_len = (int)strlen(text) + 1;
    return text;
}

typedef struct {
    QvTypedParam *params;
    int n;
    int max;
} Params;

static void
params_clear(Params *p)
{
    qv_typed_params_free(p->params, p->n);
    memset(p, 0, sizeof(*p));
}

static void
params_add(Params *p, const char *field, const char *value)
{
    g_assert_cmpint(qv_typed_params_add_string(&p->params, &p->n, &p->max, field, value), ==, 0);
}

static QvConnect *
test_conn(void)
{
    QvUri *uri = qv_uri_parse("qemu:///session");

    g_assert_nonnull(uri);
    return qv_connect_new(uri, 0);
}

static gboolean
qemu_available(void)
{
    if (g_file_test(TEST_QEMU, G_FILE_TEST_IS_EXECUTABLE))
        return TRUE;
    g_test_skip(TEST_QEMU " is not installed");
    return FALSE;
}

/* Whether DRIVER knows no domain NAME. */
static gboolean
domain_gone(QemuDriver *driver, const char *name)
{
    DomainObj *vm = qemu_driver_lookup_by_name(driver, name);

    if (!vm) {
        qvirt_error_reset();
        return TRUE;
    }
    domain_obj_unref(vm);
    return FALSE;
}

/* Wait until DRIVER knows no domain NAME. The exit watch's worker takes a
 * transient domain out of the list just after the STOPPED event, and
 * nothing signals the end of that removal: a bounded poll is all there is
 * (it normally ends at the first or second look). */
static gboolean
wait_domain_gone(QemuDriver *driver, const char *name)
{
    gint64 deadline = qvirt_deadline_after_ms(WAIT_MS);

    while (!domain_gone(driver, name)) {
        if (g_get_monotonic_time() >= deadline)
            return FALSE;
        g_usleep(2000);
    }
    return TRUE;
}

/* ---- real QEMU: Prepare's refusals ---- */

static void
test_prepare_refused(void)
{
    TestDriver t = {0};
    g_autoptr(QvConnect) conn = NULL;
    g_autofree char *xml = guest_xml("dst-refused", "6b2c1f00-0000-4000-8000-000000000001");
    g_autofree char *cookie = NULL;
    g_autofree char *own_cookie = NULL;
    g_autoptr(QemuMigrationCookie) own = NULL;
    char *cookie_out = NULL;
    int cookie_outlen = 0;
    char *uri_out = NULL;
    int len = 0;
    Params p = {0};

    test_driver_open(&t, 4);
    conn = test_conn();
    g_assert_cmpint(qv_host_uuid_set(uuid_dst), ==, 0);
    cookie = source_cookie("dst-refused", "6b2c1f00-0000-4000-8000-000000000001", &len);

    /* No destination XML. */
    g_assert_cmpint(qemu_migration_dst_prepare(t.driver, conn, NULL, 0, cookie, len, &cookie_out,
                                               &cookie_outlen, &uri_out, QV_MIGRATE_LIVE),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, QV_MIGRATE_PARAM_DEST_XML);
    qvirt_error_reset();

    /* A cookie from this very host. */
    params_add(&p, QV_MIGRATE_PARAM_DEST_XML, xml);
    own = qemu_migration_cookie_new("dst-refused", uuid_src, "here", uuid_dst);
    own_cookie = qemu_migration_cookie_format(own);
    g_assert_cmpint(qemu_migration_dst_prepare(t.driver, conn, p.params, p.n, own_cookie,
                                               (int)strlen(own_cookie) + 1, &cookie_out,
                                               &cookie_outlen, &uri_out, QV_MIGRATE_LIVE),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, NULL);
    qvirt_error_reset();

    /* A bad migration URI and an unsupported flag. */
    params_add(&p, QV_MIGRATE_PARAM_URI, "rdma:somewhere:1");
    g_assert_cmpint(qemu_migration_dst_prepare(t.driver, conn, p.params, p.n, cookie, len,
                                               &cookie_out, &cookie_outlen, &uri_out,
                                               QV_MIGRATE_LIVE),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, "rdma:somewhere:1");
    qvirt_error_reset();
    g_assert_cmpint(qemu_migration_dst_prepare(t.driver, conn, p.params, 1, cookie, len,
                                               &cookie_out, &cookie_outlen, &uri_out,
                                               QV_MIGRATE_TUNNELLED),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_ARGUMENT_UNSUPPORTED, NULL);
    qvirt_error_reset();

    /* Nothing was left behind, nothing given out. */
    g_assert_null(cookie_out);
    g_assert_null(uri_out);
    g_assert_true(domain_gone(t.driver, "dst-refused"));
    for (guint port = t.port_min; port < t.port_min + 4; port++)
        g_assert_false(qemu_migration_port_is_reserved((int)port));
    params_clear(&p);
    test_driver_close(&t);
}

/* ---- real QEMU: Prepare, and the lease ---- */

/* Prepare NAME on T with PARAMS; checks what every successful Prepare
 * promises and returns the domain (a reference). */
static DomainObj *
prepare_ok_full(TestDriver *t, QvConnect *conn, const char *name, const char *uuid, Params *p,
                gboolean persistent, char **ret_uri_out)
{
    g_autofree char *cookie = NULL;
    g_autofree char *cookie_out = NULL;
    g_autoptr(QemuMigrationCookie) parsed = NULL;
    int cookie_outlen = 0;
    int len = 0;
    int reason = -1;
    DomainObj *vm;

    g_assert_cmpint(qv_host_uuid_set(uuid_dst), ==, 0);
    cookie = source_cookie(name, uuid, &len);
    if (qemu_migration_dst_prepare(t->driver, conn, p->params, p->n, cookie, len, &cookie_out,
                                   &cookie_outlen, ret_uri_out, QV_MIGRATE_LIVE) < 0)
        g_error("Prepare of '%s' failed: %s", name, qvirt_error_last_message());
    vm = qemu_driver_lookup_by_name(t->driver, name);
    g_assert_nonnull(vm);
    remember_pid(vm);

    /* The cookie names the domain and this host. */
    g_assert_nonnull(cookie_out);
    g_assert_cmpint(cookie_outlen, ==, (int)strlen(cookie_out) + 1);
    g_assert_cmpint(qv_host_uuid_set(uuid_src), ==, 0);
    parsed =
        qemu_migration_cookie_parse(cookie_out, cookie_outlen, QEMU_MIGRATION_COOKIE_ALL, uuid_src);
    g_assert_nonnull(parsed);
    g_assert_cmpstr(parsed->name, ==, name);
    g_assert_cmpmem(parsed->host_uuid, 16, uuid_dst, 16);

    /* Running QEMU, paused for the incoming migration, job in prepare. */
    domain_obj_lock(vm);
    g_assert_true(domain_obj_is_active(vm));
    g_assert_cmpint(domain_obj_get_state(vm, &reason), ==, DOMAIN_STATE_PAUSED);
    g_assert_cmpint(reason, ==, DOMAIN_PAUSED_MIGRATION);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_MIGRATION_IN);
    g_assert_cmpint(domain_job_get_phase(vm->job), ==, QEMU_MIGRATION_PHASE_PREPARE);
    g_assert_false(domain_job_async_has_owner(vm->job));
    g_assert_cmpint(vm->persistent, ==, persistent);
    domain_obj_unlock(vm);
    g_assert_true(event_seen(name, QV_DOMAIN_EVENT_STARTED, QV_DOMAIN_EVENT_STARTED_MIGRATED));
    return vm;
}

static DomainObj *
prepare_ok(TestDriver *t, QvConnect *conn, const char *name, const char *uuid, Params *p,
           char **ret_uri_out)
{
    return prepare_ok_full(t, conn, name, uuid, p, FALSE, ret_uri_out);
}

static DomainObj *
prepare_ok_persistent(TestDriver *t, QvConnect *conn, const char *name, const char *uuid, Params *p,
                      char **ret_uri_out)
{
    return prepare_ok_full(t, conn, name, uuid, p, TRUE, ret_uri_out);
}

static void
test_prepare_lease(void)
{
    TestDriver t = {0};
    g_autoptr(QvConnect) conn = NULL;
    g_autoptr(QvConnect) other = NULL;
    g_autofree char *xml = guest_xml("dst-lease", "6b2c1f00-0000-4000-8000-000000000002");
    g_autofree char *uri_out = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *cookie = NULL;
    char *cookie_out = NULL;
    int cookie_outlen = 0;
    char *uri2 = NULL;
    int len = 0;
    g_autoptr(DomainObj) vm = NULL;
    Params p = {0};
    int port;

    if (!qemu_available())
        return;
    test_driver_open(&t, 4);
    conn = test_conn();
    other = test_conn();
    params_add(&p, QV_MIGRATE_PARAM_DEST_XML, xml);
    params_add(&p, QV_MIGRATE_PARAM_URI, "tcp:127.0.0.1");
    vm = prepare_ok(&t, conn, "dst-lease", "6b2c1f00-0000-4000-8000-000000000002", &p, &uri_out);

    /* The first port of the range, reserved, QEMU listening on it. */
    port = (int)t.port_min;
    expected = g_strdup_printf("tcp:127.0.0.1:%d", port);
    g_assert_cmpstr(uri_out, ==, expected);
    g_assert_true(qemu_migration_port_is_reserved(port));
    /* QEMU listens there (connecting would start, and break, the migration). */
    g_assert_false(port_bindable(port));

    /* The same domain again: it runs here. */
    g_assert_cmpint(qv_host_uuid_set(uuid_dst), ==, 0);
    cookie = source_cookie("dst-lease", "6b2c1f00-0000-4000-8000-000000000002", &len);
    g_assert_cmpint(qemu_migration_dst_prepare(t.driver, other, p.params, p.n, cookie, len,
                                               &cookie_out, &cookie_outlen, &uri2, QV_MIGRATE_LIVE),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_INVALID, "already running");
    qvirt_error_reset();
    g_assert_null(uri2);

    /* Another connection closing changes nothing; the lease holder's does. */
    qemu_migration_dst_connection_closed(t.driver, other);
    g_assert_false(domain_gone(t.driver, "dst-lease"));
    qemu_migration_dst_connection_closed(t.driver, conn);
    g_assert_true(domain_gone(t.driver, "dst-lease"));
    g_assert_true(event_seen("dst-lease", QV_DOMAIN_EVENT_STOPPED, QV_DOMAIN_EVENT_STOPPED_FAILED));
    domain_obj_lock(vm);
    g_assert_false(domain_obj_is_active(vm));
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(vm);
    g_assert_false(qemu_migration_port_is_reserved(port));

    params_clear(&p);
    test_driver_close(&t);
}

/* Finish with CANCELLED kills the incoming QEMU; without a name it finds the
 * domain by the lease of its connection; a unix URI is used as is. */
static void
test_finish_cancelled(void)
{
    TestDriver t = {0};
    g_autoptr(QvConnect) conn = NULL;
    g_autoptr(QvConnect) other = NULL;
    g_autofree char *xml = guest_xml("dst-cancel", "6b2c1f00-0000-4000-8000-000000000003");
    g_autofree char *uri_out = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *sock_uri = NULL;
    g_autoptr(DomainObj) vm = NULL;
    char *cookie_out = NULL;
    int cookie_outlen = 0;
    Params p = {0};
    Params fp = {0};

    if (!qemu_available())
        return;
    test_driver_open(&t, 2);
    conn = test_conn();
    other = test_conn();
    sock = g_build_filename(t.root, "mig.sock", NULL);
    sock_uri = g_strdup_printf("unix:%s", sock);
    params_add(&p, QV_MIGRATE_PARAM_DEST_XML, xml);
    params_add(&p, QV_MIGRATE_PARAM_URI, sock_uri);
    vm = prepare_ok(&t, conn, "dst-cancel", "6b2c1f00-0000-4000-8000-000000000003", &p, &uri_out);
    g_assert_cmpstr(uri_out, ==, sock_uri);
    g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS)); /* QEMU listens there */
    g_assert_false(qemu_migration_port_is_reserved((int)t.port_min));

    /* Nothing names the domain: another connection holds no lease... */
    g_assert_cmpint(qv_host_uuid_set(uuid_dst), ==, 0);
    g_assert_null(qemu_migration_dst_finish(t.driver, other, NULL, 0, NULL, 0, &cookie_out,
                                            &cookie_outlen, QV_MIGRATE_LIVE, 1));
    qvirt_test_assert_error(QVIRT_ERR_INVALID_ARG, QV_MIGRATE_PARAM_DEST_NAME);
    qvirt_error_reset();
    g_assert_false(domain_gone(t.driver, "dst-cancel"));
    /* ...the one that prepared it finds it by its lease. */
    g_assert_null(qemu_migration_dst_finish(t.driver, conn, NULL, 0, NULL, 0, &cookie_out,
                                            &cookie_outlen, QV_MIGRATE_LIVE, 1));
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "cancelled");
    qvirt_error_reset();
    g_assert_null(cookie_out);
    g_assert_true(domain_gone(t.driver, "dst-cancel"));
    g_assert_true(
        event_seen("dst-cancel", QV_DOMAIN_EVENT_STOPPED, QV_DOMAIN_EVENT_STOPPED_FAILED));

    /* Finish of a domain that is not here (any more). */
    params_add(&fp, QV_MIGRATE_PARAM_DEST_NAME, "dst-cancel");
    g_assert_null(qemu_migration_dst_finish(t.driver, conn, fp.params, fp.n, NULL, 0, &cookie_out,
                                            &cookie_outlen, QV_MIGRATE_LIVE, 0));
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, NULL);
    qvirt_error_reset();

    params_clear(&p);
    params_clear(&fp);
    test_driver_close(&t);
}

/* The incoming QEMU dies between Prepare and Finish: the domain goes, with
 * its ownerless job, and its port. */
static void
test_incoming_crash(void)
{
    TestDriver t = {0};
    g_autoptr(QvConnect) conn = NULL;
    g_autofree char *xml = guest_xml("dst-crash", "6b2c1f00-0000-4000-8000-000000000004");
    g_autofree char *uri_out = NULL;
    g_autoptr(DomainObj) vm = NULL;
    Params p = {0};
    pid_t pid;

    if (!qemu_available())
        return;
    test_driver_open(&t, 2);
    conn = test_conn();
    params_add(&p, QV_MIGRATE_PARAM_DEST_XML, xml);
    params_add(&p, QV_MIGRATE_PARAM_LISTEN_ADDRESS, "127.0.0.1");
    vm = prepare_ok(&t, conn, "dst-crash", "6b2c1f00-0000-4000-8000-000000000004", &p, &uri_out);
    g_assert_true(g_str_has_prefix(uri_out, "tcp:127.0.0.1:"));
    domain_obj_lock(vm);
    pid = vm->pid;
    domain_obj_unlock(vm);
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    g_assert_true(wait_event("dst-crash", QV_DOMAIN_EVENT_STOPPED, QV_DOMAIN_EVENT_STOPPED_FAILED));
    g_assert_true(wait_domain_gone(t.driver, "dst-crash"));
    domain_obj_lock(vm);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(vm);
    g_assert_false(qemu_migration_port_is_reserved((int)t.port_min));
    params_clear(&p);
    test_driver_close(&t);
}

/* An incoming domain over an inactive persistent definition of the same
 * UUID: it stays persistent, runs the incoming definition, and gets its
 * own definition back when the migration is given up. */
static void
test_prepare_over_persistent(void)
{
    TestDriver t = {0};
    g_autoptr(QvConnect) conn = NULL;
    g_autofree char *xml = guest_xml("dst-persist", "6b2c1f00-0000-4000-8000-000000000006");
    g_autofree char *uri_out = NULL;
    g_autofree char *incoming_xml = NULL;
    g_autoptr(DomainObj) defined = NULL;
    g_autoptr(DomainObj) vm = NULL;
    g_autofree char *cookie = NULL;
    char *cookie_out = NULL;
    char *uri2 = NULL;
    int cookie_outlen = 0;
    int len = 0;
    int ports[2];
    Params p = {0};

    if (!qemu_available())
        return;
    test_driver_open(&t, 2);
    conn = test_conn();
    defined = qemu_driver_define_xml(t.driver, xml, 0);
    g_assert_nonnull(defined);
    /* The incoming definition has twice the memory. */
    incoming_xml = g_strdup(xml);
    {
        char *at = strstr(incoming_xml, "65536");

        g_assert_nonnull(at);
        memcpy(at, "98304", 5);
    }
    params_add(&p, QV_MIGRATE_PARAM_DEST_XML, incoming_xml);
    params_add(&p, QV_MIGRATE_PARAM_URI, "tcp:127.0.0.1");

    /* No free port: Prepare fails before QEMU starts and puts the
     * persistent definition back. */
    g_assert_cmpint(qemu_migration_port_acquire(t.port_min, t.port_min + 1, NULL, &ports[0]), ==,
                    0);
    g_assert_cmpint(qemu_migration_port_acquire(t.port_min, t.port_min + 1, NULL, &ports[1]), ==,
                    0);
    g_assert_cmpint(qv_host_uuid_set(uuid_dst), ==, 0);
    cookie = source_cookie("dst-persist", "6b2c1f00-0000-4000-8000-000000000006", &len);
    g_assert_cmpint(qemu_migration_dst_prepare(t.driver, conn, p.params, p.n, cookie, len,
                                               &cookie_out, &cookie_outlen, &uri2, QV_MIGRATE_LIVE),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_OPERATION_FAILED, "no free migration port");
    qvirt_error_reset();
    g_assert_null(uri2);
    domain_obj_lock(defined);
    g_assert_false(domain_obj_is_active(defined));
    g_assert_true(defined->persistent);
    g_assert_null(defined->new_def);
    g_assert_cmpuint(defined->def->memory_kib, ==, 65536);
    g_assert_cmpint(domain_job_get_async(defined->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(defined);
    qemu_migration_port_release(ports[0]);
    qemu_migration_port_release(ports[1]);

    vm = prepare_ok_persistent(&t, conn, "dst-persist", "6b2c1f00-0000-4000-8000-000000000006", &p,
                               &uri_out);
    g_assert_true(vm == defined);
    domain_obj_lock(vm);
    g_assert_true(vm->persistent);
    g_assert_cmpuint(vm->def->memory_kib, ==, 98304);
    g_assert_nonnull(vm->new_def);
    g_assert_cmpuint(vm->new_def->memory_kib, ==, 65536);
    domain_obj_unlock(vm);

    qemu_migration_dst_connection_closed(t.driver, conn);
    g_assert_false(domain_gone(t.driver, "dst-persist"));
    domain_obj_lock(vm);
    g_assert_false(domain_obj_is_active(vm));
    g_assert_true(vm->persistent);
    g_assert_null(vm->new_def);
    g_assert_cmpuint(vm->def->memory_kib, ==, 65536);
    g_assert_cmpint(domain_job_get_async(vm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    domain_obj_unlock(vm);
    params_clear(&p);
    test_driver_close(&t);
}

/* ---- real QEMU: a whole migration between two drivers ---- */

static void
test_migrate(void)
{
    TestDriver src = {0};
    TestDriver dst = {0};
    g_autoptr(QvConnect) conn = NULL;
    g_autofree char *xml = guest_xml("mig-full", "6b2c1f00-0000-4000-8000-000000000005");
    g_autofree char *dxml = NULL;
    g_autofree char *cookie1 = NULL;
    g_autofree char *cookie2 = NULL;
    g_autofree char *cookie3 = NULL;
    g_autofree char *cookie4 = NULL;
    g_autofree char *uri_out = NULL;
    int len1 = 0, len2 = 0, len3 = 0, len4 = 0;
    g_autoptr(DomainObj) vm = NULL;
    g_autoptr(DomainObj) dvm = NULL;
    Params p = {0};
    Params perform = {0};
    int rc;
    int reason = -1;
    unsigned int flags = QV_MIGRATE_LIVE | QV_MIGRATE_PERSIST_DEST;

    if (!qemu_available())
        return;
    test_driver_open(&src, 2);
    test_driver_open(&dst, 2);
    conn = test_conn();
    vm = qemu_driver_create_xml(src.driver, xml, 0);
    g_assert_nonnull(vm);
    remember_pid(vm);

    g_assert_cmpint(qv_host_uuid_set(uuid_src), ==, 0);
    dxml = qemu_migration_src_begin(src.driver, vm, NULL, 0, &cookie1, &len1, flags);
    if (!dxml)
        g_error("Begin: %s", qvirt_error_last_message());

    g_assert_cmpint(qv_host_uuid_set(uuid_dst), ==, 0);
    params_add(&p, QV_MIGRATE_PARAM_DEST_XML, dxml);
    params_add(&p, QV_MIGRATE_PARAM_LISTEN_ADDRESS, "127.0.0.1");
    if (qemu_migration_dst_prepare(dst.driver, conn, p.params, p.n, cookie1, len1, &cookie2, &len2,
                                   &uri_out, flags) < 0)
        g_error("Prepare: %s", qvirt_error_last_message());
    dvm = qemu_driver_lookup_by_name(dst.driver, "mig-full");
    g_assert_nonnull(dvm);
    remember_pid(dvm);

    g_assert_cmpint(qv_host_uuid_set(uuid_src), ==, 0);
    params_add(&perform, QV_MIGRATE_PARAM_URI, uri_out);
    rc = qemu_migration_src_perform(src.driver, vm, NULL, perform.params, perform.n, cookie2, len2,
                                    &cookie3, &len3, flags);
    if (rc < 0)
        g_error("Perform: %s", qvirt_error_last_message());

    g_assert_cmpint(qv_host_uuid_set(uuid_dst), ==, 0);
    params_clear(&p);
    params_add(&p, QV_MIGRATE_PARAM_DEST_NAME, "mig-full");
    {
        DomainObj *done = qemu_migration_dst_finish(dst.driver, conn, p.params, p.n, cookie3, len3,
                                                    &cookie4, &len4, flags, 0);

        if (!done)
            g_error("Finish: %s", qvirt_error_last_message());
        g_assert_true(done == dvm);
        domain_obj_unref(done);
    }
    g_assert_cmpint(qv_host_uuid_set(uuid_src), ==, 0);
    if (qemu_migration_src_confirm(src.driver, vm, NULL, 0, cookie4, len4, flags, 0) < 0)
        g_error("Confirm: %s", qvirt_error_last_message());

    /* The guest runs on the destination, persistent there, gone here. */
    domain_obj_lock(dvm);
    g_assert_true(domain_obj_is_active(dvm));
    g_assert_cmpint(domain_obj_get_state(dvm, &reason), ==, DOMAIN_STATE_RUNNING);
    g_assert_cmpint(reason, ==, DOMAIN_RUNNING_MIGRATED);
    g_assert_cmpint(domain_job_get_async(dvm->job), ==, DOMAIN_ASYNC_JOB_NONE);
    g_assert_true(dvm->persistent);
    domain_obj_unlock(dvm);
    g_assert_true(
        event_seen("mig-full", QV_DOMAIN_EVENT_RESUMED, QV_DOMAIN_EVENT_RESUMED_MIGRATED));
    /* QEMU stopped the source at the switch-over: a migration pause, not a
     * user's (only the source emits a SUSPENDED here). */
    g_assert_true(
        event_seen("mig-full", QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_MIGRATED));
    g_assert_false(
        event_seen("mig-full", QV_DOMAIN_EVENT_SUSPENDED, QV_DOMAIN_EVENT_SUSPENDED_PAUSED));
    g_assert_true(event_seen("mig-full", QV_DOMAIN_EVENT_DEFINED, QV_DOMAIN_EVENT_DEFINED_ADDED));
    g_assert_true(
        wait_event("mig-full", QV_DOMAIN_EVENT_STOPPED, QV_DOMAIN_EVENT_STOPPED_MIGRATED));
    g_assert_true(wait_domain_gone(src.driver, "mig-full"));
    g_assert_false(qemu_migration_port_is_reserved((int)dst.port_min));
    {
        g_autofree char *config =
            g_strdup_printf("%s/mig-full.xml", dst.driver->config->config_dir);

        g_assert_true(g_file_test(config, G_FILE_TEST_EXISTS));
    }

    params_clear(&p);
    params_clear(&perform);
    test_driver_close(&dst);
    test_driver_close(&src);
}

int
main(int argc, char **argv)
{
    int rc;

    qvirt_test_init(&argc, &argv);
    qemu_migration_register_phases();
    ev_log = g_ptr_array_new_with_free_func(g_free);
    qvirt_mutex_init(&ev_lock);
    qvirt_cond_init(&ev_cond);
    signal(SIGABRT, abort_handler);
    signal(SIGTERM, abort_handler);
    g_test_add_func("/qemumigration/dst/uri-parse", test_uri_parse);
    g_test_add_func("/qemumigration/dst/uri-out", test_uri_out);
    g_test_add_func("/qemumigration/dst/address", test_address);
    g_test_add_func("/qemumigration/dst/port-range", test_port_range);
    g_test_add_func("/qemumigration/dst/port-in-use", test_port_in_use);
    g_test_add_func("/qemumigration/dst/port-bad-range", test_port_bad_range);
    g_test_add_func("/qemumigration/dst/prepare-refused", test_prepare_refused);
    g_test_add_func("/qemumigration/dst/prepare-lease", test_prepare_lease);
    g_test_add_func("/qemumigration/dst/finish-cancelled", test_finish_cancelled);
    g_test_add_func("/qemumigration/dst/incoming-crash", test_incoming_crash);
    g_test_add_func("/qemumigration/dst/prepare-over-persistent", test_prepare_over_persistent);
    g_test_add_func("/qemumigration/dst/migrate", test_migrate);
    rc = g_test_run();
    g_ptr_array_unref(ev_log);
    return rc;
}

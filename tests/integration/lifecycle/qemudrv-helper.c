/* qemudrv-helper.c: a stand-in for the daemon in the reconnect test. It
 * runs the QEMU driver (qemu_driver.h) over the folders under ROOT, does
 * one thing and exits, leaving every QEMU running:
 *
 *   qemudrv-helper start ROOT GUEST_DIR N
 *       define and start domains rc1..rcN, wait until each guest has
 *       booted, print "domain NAME PID START" for each
 *   qemudrv-helper check ROOT
 *       start the driver (it reconnects), then print for each domain
 *       "domain NAME STATE REASON PID QMP-STATUS" (QMP-STATUS from
 *       query-status through the monitor, "-" when inactive) and each event
 *       the driver emitted: "event NAME TYPE DETAIL", then "events N"
 *
 * Exit status 0 on success; on failure 1 with the error on stderr. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle-util.h"
#include "qemu/qemu_driver.h"
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"

static GMutex events_lock;
static GPtrArray *events;

static void
record_event(const QemuDriverEvent *event, gpointer opaque)
{
    g_mutex_lock(&events_lock);
    g_ptr_array_add(events, g_strdup_printf("event %s %d %d %d", event->name, event->event_id,
                                            event->type, event->detail));
    g_mutex_unlock(&events_lock);
}

static G_NORETURN void
fail(const char *what)
{
    fprintf(stderr, "qemudrv-helper: %s: %s\n", what, qvirt_error_last_message());
    exit(1);
}

static QemuDriver *
open_driver(const char *root)
{
    g_autoptr(QemuDriverConfig) cfg = qemu_driver_config_new(FALSE, root);
    QemuDriver *driver;

    if (!cfg || qemu_driver_config_load_file(cfg, NULL) < 0)
        fail("config");
    if (!(driver = qemu_driver_new(cfg)))
        fail("driver");
    qemu_driver_set_event_func(driver, record_event, NULL);
    if (qemu_driver_start(driver, TRUE) < 0)
        fail("driver start");
    return driver;
}

static int
cmd_start(const char *root, const char *guest_dir, int n)
{
    QemuDriver *driver = open_driver(root);
    g_autoptr(GPtrArray) serials = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *state_dir = g_strdup(driver->config->state_dir);

    for (int i = 1; i <= n; i++) {
        g_autofree char *name = g_strdup_printf("rc%d", i);
        g_autofree char *serial = g_strdup_printf("%s/serial-%s.log", root, name);
        g_autofree char *xml = lifecycle_domain_xml(name, guest_dir, serial, NULL);
        g_autoptr(DomainObj) vm = qemu_driver_define_xml(driver, xml, 0);

        if (!vm || qemu_driver_create(driver, vm, 0) < 0)
            fail(name);
        g_ptr_array_add(serials, g_steal_pointer(&serial));
    }
    for (int i = 1; i <= n; i++) {
        g_autofree char *name = g_strdup_printf("rc%d", i);
        unsigned long long start;
        pid_t pid;

        if (!lifecycle_wait_for_text(g_ptr_array_index(serials, i - 1), LIFECYCLE_BOOTED, 1,
                                     LIFECYCLE_BOOT_TIMEOUT_MS)) {
            fprintf(stderr, "qemudrv-helper: %s did not boot\n", name);
            return 1;
        }
        if (!lifecycle_status_pid(state_dir, name, &pid, &start)) {
            fprintf(stderr, "qemudrv-helper: no status for %s\n", name);
            return 1;
        }
        printf("domain %s %d %llu\n", name, (int)pid, start);
    }
    qemu_driver_free(driver);
    return 0;
}

/* query-status through the driver's monitor: the "status" member. */
static char *
query_status(QemuDriver *driver, DomainObj *vm)
{
    g_autofree char *reply = NULL;
    g_autoptr(QvirtJson) json = NULL;
    QvirtJson *ret;
    const char *status;

    if (qemu_driver_monitor_command(driver, vm, "{\"execute\":\"query-status\"}", &reply, 0) < 0)
        fail("query-status");
    if (!(json = qvirt_json_parse(reply, strlen(reply), "query-status reply")) ||
        qvirt_json_get_object(json, "return", &ret) < 0 ||
        qvirt_json_get_string(ret, "status", &status) < 0)
        fail("query-status reply");
    return g_strdup(status);
}

static int
cmd_check(const char *root)
{
    QemuDriver *driver = open_driver(root);
    g_autoptr(GPtrArray) vms = domain_obj_list_collect(driver->domains, 0, NULL);

    for (guint i = 0; i < vms->len; i++) {
        DomainObj *vm = g_ptr_array_index(vms, i);
        g_autofree char *status = NULL;
        gboolean active;
        int state;
        int reason;
        pid_t pid;

        domain_obj_lock(vm);
        state = domain_obj_get_state(vm, &reason);
        active = domain_obj_is_active(vm);
        pid = vm->pid;
        domain_obj_unlock(vm);
        status = active ? query_status(driver, vm) : g_strdup("-");
        printf("domain %s %s %s %d %s\n", domain_obj_get_name(vm), domain_state_to_string(state),
               domain_state_reason_to_string(state, reason), (int)pid, status);
    }
    g_mutex_lock(&events_lock);
    for (guint i = 0; i < events->len; i++)
        printf("%s\n", (char *)g_ptr_array_index(events, i));
    printf("events %u\n", events->len);
    g_mutex_unlock(&events_lock);
    qemu_driver_free(driver);
    return 0;
}

int
main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    qvirt_log_reset();
    if (qvirt_log_init_from_env() < 0)
        fail("logging");
    events = g_ptr_array_new_with_free_func(g_free);
    if (argc == 5 && g_str_equal(argv[1], "start"))
        return cmd_start(argv[2], argv[3], atoi(argv[4]));
    if (argc == 3 && g_str_equal(argv[1], "check"))
        return cmd_check(argv[2]);
    fprintf(stderr, "usage: qemudrv-helper start ROOT GUEST_DIR N | check ROOT\n");
    return 2;
}

/* lifecycle-util.h: helpers shared by the lifecycle suite and its helper
 * program: the test guest's domain XML, waiting for lines on its serial
 * console (inotify, with a deadline; never a fixed sleep), reading a
 * domain's pid from its status file, and killing QEMUs by pid. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Boot and event deadlines: generous for TCG on two busy cores. */
#define LIFECYCLE_BOOT_TIMEOUT_MS (180 * 1000)
#define LIFECYCLE_WAIT_TIMEOUT_MS (90 * 1000)

/* The line the test guest prints once it is up (its power button works). */
#define LIFECYCLE_BOOTED "qvirt-guest: booted"
#define LIFECYCLE_HEARTBEAT "qvirt-guest: heartbeat"

/* The domain XML of the test guest NAME from GUEST_DIR (vmlinuz, initrd.gz),
 * TCG, 256 MiB, its console in the file SERIAL. With KERNEL non-NULL that
 * file is used as the kernel (e.g. a missing one, for a start that fails). */
char *lifecycle_domain_xml(const char *name, const char *guest_dir, const char *serial,
                           const char *kernel);

/* Wait until PATH holds NEEDLE at least COUNT times, or TIMEOUT_MS. The file
 * may not exist yet. Returns TRUE when found. */
gboolean lifecycle_wait_for_text(const char *path, const char *needle, guint count,
                                 gint64 timeout_ms);
/* How many times PATH holds NEEDLE now (0 when PATH does not exist). */
guint lifecycle_count_text(const char *path, const char *needle);

/* The pid and start time recorded in STATE_DIR/NAME.xml; FALSE when the
 * file is missing or has none. */
gboolean lifecycle_status_pid(const char *state_dir, const char *name, pid_t *ret_pid,
                              unsigned long long *ret_start);

/* Kill PID if it is still the process that started at START (0: any), and
 * wait for it to go. Reports nothing; TRUE when it is gone. */
gboolean lifecycle_kill_pid(pid_t pid, unsigned long long start);
/* Kill the QEMU of every status file in STATE_DIR. */
void lifecycle_kill_all(const char *state_dir);

/* Whether PID exists (zombies included) with START. */
gboolean lifecycle_pid_alive(pid_t pid, unsigned long long start);

/* The test guest's folder: $QVIRT_GUEST_DIR when it holds a guest, else
 * what tests/guest/build-guest builds (cached). NULL with *RET_WHY set when
 * there is no guest or no QEMU: the caller skips. */
char *lifecycle_find_guest(char **ret_why);

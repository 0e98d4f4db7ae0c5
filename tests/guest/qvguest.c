/* qvguest.c: the test guest's own program, linked statically into its initramfs.
 *
 *   qvguest dirty        rewrite dirty_mb= MiB (kernel command line, default 16)
 *                        of memory in a loop and print a heartbeat line to the
 *                        console every second: "qvirt-guest: heartbeat N pass P"
 *   qvguest powerbutton  watch the ACPI power button on /dev/input/event*,
 *                        print "qvirt-guest: booted" once it is watched, and on
 *                        a press sync and power off, so ACPI shutdown works
 *
 * Migration tests use the dirtying loop to move real dirty pages. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

static long
cmdline_dirty_mb(void)
{
    char buf[4096] = { 0 };
    int fd = open("/proc/cmdline", O_RDONLY);
    const char *found;

    if (fd < 0)
        return 16;
    if (read(fd, buf, sizeof(buf) - 1) < 0)
        buf[0] = '\0';
    close(fd);
    found = strstr(buf, "dirty_mb=");
    if (!found)
        return 16;
    return strtol(found + strlen("dirty_mb="), NULL, 10);
}

static int
run_dirty(void)
{
    long mb = cmdline_dirty_mb();
    size_t len = (size_t)(mb > 0 ? mb : 0) * 1024 * 1024;
    uint64_t *mem = len ? malloc(len) : NULL;
    uint64_t pass = 0, beat = 0;
    time_t last = 0;

    printf("qvirt-guest: dirtying %ld MiB\n", mb);
    fflush(stdout);
    for (;;) {
        for (size_t i = 0; mem && i < len / sizeof(*mem); i += 512)
            mem[i] = pass ^ i;
        pass++;
        if (time(NULL) != last) {
            last = time(NULL);
            printf("qvirt-guest: heartbeat %llu pass %llu\n", (unsigned long long)beat++,
                   (unsigned long long)pass);
            fflush(stdout);
        }
        if (!mem)
            sleep(1); /* nothing to dirty: just keep the heartbeat */
    }
    return 0; /* not reached */
}

static int
run_powerbutton(void)
{
    struct pollfd fds[32];
    int nfds = 0;
    DIR *dir = opendir("/dev/input");
    struct dirent *ent;

    while (dir && (ent = readdir(dir)) && nfds < 32) {
        char path[300];
        if (strncmp(ent->d_name, "event", 5) != 0)
            continue;
        snprintf(path, sizeof(path), "/dev/input/%s", ent->d_name);
        fds[nfds].fd = open(path, O_RDONLY);
        fds[nfds].events = POLLIN;
        if (fds[nfds].fd >= 0)
            nfds++;
    }
    if (dir)
        closedir(dir);
    /* "booted" means ready for everything a test does next, ACPI shutdown
     * included: it is printed only once the power button is watched. */
    if (nfds == 0)
        printf("qvirt-guest: no input devices: ACPI power button unavailable\n");
    printf("qvirt-guest: booted\n");
    fflush(stdout);
    if (nfds == 0)
        return 1;
    for (;;) {
        if (poll(fds, nfds, -1) < 0)
            continue;
        for (int i = 0; i < nfds; i++) {
            struct input_event ev;
            if (!(fds[i].revents & POLLIN))
                continue;
            if (read(fds[i].fd, &ev, sizeof(ev)) != sizeof(ev))
                continue;
            if (ev.type == EV_KEY && ev.code == KEY_POWER && ev.value == 1) {
                printf("qvirt-guest: power button pressed, powering off\n");
                fflush(stdout);
                sync();
                reboot(RB_POWER_OFF);
            }
        }
    }
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "dirty") == 0)
        return run_dirty();
    if (argc == 2 && strcmp(argv[1], "powerbutton") == 0)
        return run_powerbutton();
    fprintf(stderr, "usage: qvguest dirty|powerbutton\n");
    return 2;
}

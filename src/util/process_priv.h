/* process_priv.h: test-only access to process.c: the /proc/PID/stat parser
 * and switches that force the fallbacks used on kernels without pidfds or
 * close_range(2). Not for use outside tests. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* The fields of /proc/PID/stat that process.c uses. */
typedef struct {
    char state;                    /* field 3: R, S, D, Z, X, ... */
    pid_t ppid;                    /* field 4 */
    pid_t pgrp;                    /* field 5 */
    pid_t session;                 /* field 6 */
    unsigned long long start_time; /* field 22, clock ticks after boot */
} QvirtProcessStat;

/* Parse one /proc/PID/stat line. The command name (field 2) may hold spaces
 * and ')', so the fields after it are found from the LAST ')'. A malformed
 * line is an INTERNAL_ERROR; nothing is written then. */
int qvirt_process_parse_stat_line(const char *line, unsigned long long *ret_start,
                                  char *ret_state);
int qvirt_process_parse_stat(const char *line, QvirtProcessStat *ret_stat);

/* Read and parse /proc/PID/stat; a gone pid is OPERATION_FAILED. */
int qvirt_process_read_stat(pid_t pid, QvirtProcessStat *ret_stat);

/* With FALSE, act as on a kernel without pidfd_open(2) (processes get no
 * pidfd and waits fall back to polling /proc) or without close_range(2) (the
 * child closes descriptors by listing /proc/self/fd). Both start TRUE. */
void qvirt_process_test_set_pidfd_enabled(gboolean enabled);
void qvirt_process_test_set_close_range_enabled(gboolean enabled);

/* qemu_monitor_text.h: the human monitor (HMP) on a readline chardev
 * ("-mon chardev=...,mode=readline"), a second monitor a domain may have for
 * text commands and "--hmp" passthrough.
 *
 * Contract: the monitor waits for QEMU's banner and first "(qemu) " prompt
 * before it sends anything. A command is written followed by a carriage
 * return; QEMU's echo of it (with its line-editing escapes) is skipped, and
 * the output up to the next prompt is the reply, with terminal escape
 * sequences removed and line ends turned into "\n". Commands run one after
 * the other, each with the monitor's deadline (see qemu_monitor.h). */
#pragma once

#include <glib.h>

#include "qemu/qemu_monitor.h"

/* The longest command line accepted (QEMU's readline buffer is 4 KiB). */
#define QEMU_MONITOR_TEXT_MAX_COMMAND 4000

/* Run CMDLINE on the HMP monitor MON; *ret_output gets its output (new
 * string, "" when it printed nothing). A command line that is empty, too
 * long or holds control characters is INVALID_ARG. HMP reports its own
 * errors as output: they are returned, not reported. */
int qemu_monitor_text_command(QemuMonitor *mon, const char *cmdline, char **ret_output);

/* HMP passthrough for qemu-monitor-command --hmp: through the HMP monitor
 * HMP when the domain has one, else through QMP's human-monitor-command on
 * QMP. Output as for qemu_monitor_text_command. */
int qemu_monitor_hmp_passthrough(QemuMonitor *qmp, QemuMonitor *hmp, const char *cmdline,
                                 char **ret_output);

/* qemu_process_priv.h: what the qemu_process*.c files share: the process
 * handle, the work queue, the monitors' opening and closing and the
 * lifecycle event of a state change. Not for use outside
 * src/qemu/qemu_process*.c (the contract is in qemu_process.h). */
#pragma once

#include "qemu/qemu_process.h"

struct _QemuProcessHandle {
    gint refs;   /* atomic */
    gint exited; /* atomic: the exit was seen */
    GMutex lock; /* serializes the QvirtProcess calls */
    QvirtProcess *proc;
    int pidfd; /* fixed for the handle's life */
};

/* qemu_process.c */

/* A handle owning PROC, with one reference. */
QemuProcessHandle *qemu_process_handle_new(QvirtProcess *proc);
QemuProcessHandle *qemu_process_handle_ref(QemuProcessHandle *h);
/* Accepts NULL. */
void qemu_process_handle_unref(QemuProcessHandle *h);
/* Whether the process still runs, without waiting for anyone (a zombie
 * counts as gone). */
gboolean qemu_process_handle_is_alive(QemuProcessHandle *h);
/* Watch the exit of VM's (locked) process on the driver's loop. */
void qemu_process_watch_exit(QemuDriver *driver, DomainObj *vm);

/* qemu_process_events.c */

/* Queue work of KIND for the run RUN of VM (any thread, any lock). */
void qemu_process_queue_work_run(DomainObj *vm, QemuWorkKind kind, guint run);
/* Emit the lifecycle event that announces VM (locked) entering STATE/REASON. */
void qemu_process_emit_state_change(QemuDriver *driver, DomainObj *vm, int state, int reason);
/* Open the monitor of PROTOCOL on PATH for VM (locked); the QMP one gets
 * the event callbacks. NULL with an error reported. */
QemuMonitor *qemu_process_open_monitor(QemuDriver *driver, DomainObj *vm,
                                       QemuMonitorProtocol protocol, const char *path);
void qemu_process_close_monitors(QemuDomainPrivate *priv);

/* qemu_dump.h: core dumps of a running QEMU domain (virsh dump): the
 * guest's memory through QEMU's dump-guest-memory (--memory-only, ELF or
 * kdump or Windows dump), or QEMU's whole migration stream; and the image
 * writer both use (qemu_dump_writer.c).
 *
 * Contract (docs/dump.md says it for users):
 * - A dump is the async job DUMP with the default mask (queries, destroy
 *   and abort are admitted), operation DUMP in the job statistics, whose
 *   memory and data figures follow QEMU's progress (query-dump, or
 *   query-migrate for the stream), polled at least every 500 ms.
 * - Unless QV_DUMP_LIVE, a running guest is paused first (paused/dump, by
 *   the job, persisted so that restart recovery resumes it). A guest that
 *   ran before the dump runs again afterwards (running/unpaused), whether
 *   the dump worked or not, except after QV_DUMP_CRASH succeeded (shut off,
 *   reason crashed, STOPPED/CRASHED). QV_DUMP_RESET resets the guest after
 *   a successful dump.
 * - QEMU writes into a pipe; a thread of the daemon copies it into an
 *   unnamed file in the target's folder, which is synced and renamed over
 *   the target only once QEMU reported success and the pipe reached EOF.
 *   A failed, aborted or interrupted dump leaves no file.
 * - domjobabort closes the daemon's end of the pipe: QEMU's next write
 *   fails and its dump ends with an error (QEMU 7.2 cannot cancel
 *   dump-guest-memory otherwise). A dump whose progress stalls for
 *   QEMU_DUMP_STALL_TIMEOUT_MS is cancelled the same way.
 * - Entry points take VM referenced and UNLOCKED (like qemu_driver.h) and
 *   report one error on failure. */
#pragma once

#include <glib.h>

#include "conf/domain_obj.h"
#include "driver/save.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_monitor.h"

/* No progress for this long cancels a dump. */
#define QEMU_DUMP_STALL_TIMEOUT_MS (60 * 1000)

/* virsh dump: dump VM into the file TO (absolute) in DUMPFORMAT (a
 * QvDomainCoreDumpFormat; anything but RAW needs QV_DUMP_MEMORY_ONLY) with
 * FLAGS (QvDomainCoreDumpFlags). */
int qemu_dump_core(QemuDriver *driver, DomainObj *vm, const char *to, unsigned int dumpformat,
                   unsigned int flags);

/* The QMP name of a QvDomainCoreDumpFormat ("elf", "kdump-zlib", ...), or
 * NULL for a number outside the enum. */
const char *qemu_dump_format_to_qmp(unsigned int dumpformat);
/* Check the arguments of qemu_dump_core() that need no domain: flags,
 * their combinations, the format and the path. 0, or -1 with INVALID_ARG
 * (ARGUMENT_UNSUPPORTED for a format without QV_DUMP_MEMORY_ONLY). */
int qemu_dump_check_args(const char *to, unsigned int dumpformat, unsigned int flags);

/* A DUMP_COMPLETED event of VM (event-loop thread, VM locked): keep QEMU's
 * error text in the job statistics and wake the job's waiter. Takes no job,
 * sends nothing to QEMU. */
void qemu_dump_handle_event(QemuDriver *driver, DomainObj *vm, const QemuMonitorEvent *event);

/* ---- the image writer ---- */

typedef struct _QemuDumpWriter QemuDumpWriter;

/* An unnamed file (mode 0600) in the folder of PATH (absolute; INVALID_ARG
 * otherwise, or when PATH is a folder), a pipe, and the copy thread.
 * BYPASS_CACHE: the written data is flushed and dropped from the page cache
 * every few MiB. MAX_BPS (bytes/s, 0: no limit) throttles the copy, and so
 * QEMU. */
QemuDumpWriter *qemu_dump_writer_new(const char *path, gboolean bypass_cache, guint64 max_bps);
/* The pipe's write end, for QEMU (getfd sends a copy); -1 once closed. */
int qemu_dump_writer_input_fd(QemuDumpWriter *w);
/* Close the daemon's copy of the write end (qemu_dump_writer_finish()
 * does it too). */
void qemu_dump_writer_close_input(QemuDumpWriter *w);
const char *qemu_dump_writer_get_path(QemuDumpWriter *w);
/* The hidden named file the dump goes to on a file system without
 * O_TMPFILE (the job records it, so a restart removes it), else NULL. */
const char *qemu_dump_writer_get_temp_path(QemuDumpWriter *w);
/* Stop copying: the copy thread closes the read end, so QEMU's writes fail
 * with EPIPE. Any thread; a no-op once the copy ended. */
void qemu_dump_writer_cancel(QemuDumpWriter *w);
/* Bytes written to the file so far (any thread). */
guint64 qemu_dump_writer_get_bytes(QemuDumpWriter *w);
/* Whether the copy thread has ended. */
gboolean qemu_dump_writer_is_done(QemuDumpWriter *w);
/* Close the input and wait (until DEADLINE, monotonic µs) for the copy to
 * end: 0 when it reached EOF without error, else -1 with the write error
 * (SYSTEM_ERROR naming the file), OPERATION_ABORTED after a cancel, or
 * OPERATION_TIMEOUT. Call without any domain lock held. */
int qemu_dump_writer_finish(QemuDumpWriter *w, gint64 deadline);
/* After a successful finish (else INTERNAL_ERROR): sync the file, give it its name (replacing
 * what was there) and sync the folder. */
int qemu_dump_writer_commit(QemuDumpWriter *w);
/* Cancel a copy still running, wait for the thread, close everything and
 * remove an uncommitted file. NULL is accepted. */
void qemu_dump_writer_free(QemuDumpWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuDumpWriter, qemu_dump_writer_free)

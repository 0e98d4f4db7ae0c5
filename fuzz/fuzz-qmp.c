/* fuzz-qmp.c: libFuzzer target for the QEMU monitor's input parsers.
 *
 * The first byte of the input chooses the protocol (bit 0: HMP, else QMP),
 * whether QEMU has already greeted (bit 1) and the size of the pieces the
 * rest is fed in (bits 2-7, plus one), so that messages split across reads
 * are covered. The rest is fed to a monitor without a socket, exactly as if
 * read from QEMU: line splitting, JSON parsing, the greeting, replies
 * (commands "qvirt-1" and "qvirt-2" wait for theirs), events with their
 * typed members, the HMP banner, echo and prompt, and the reply limit
 * (lowered to 64 KiB). Whatever the input, nothing may crash or leak, and
 * once the monitor failed it must stay closed. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/qemu_monitor_priv.h"
#include "util/error.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t fuzz_sink;

/* Touch every member of each event, as a driver handler would. */
static void
fuzz_event(QemuMonitor *mon, const QemuMonitorEvent *ev, gpointer opaque)
{
    const char *strs[] = {ev->name, ev->reason, ev->status,   ev->id,        ev->device,
                          ev->node, ev->path,   ev->job_type, ev->operation, ev->action};

    for (size_t i = 0; i < G_N_ELEMENTS(strs); i++)
        fuzz_sink += strs[i] ? strlen(strs[i]) : 0;
    fuzz_sink += ev->type + ev->guest + ev->nospace + ev->pass + ev->len + ev->offset + ev->speed +
                 ev->actual + (ev->data ? 1 : 0);
}

static void
fuzz_eof(QemuMonitor *mon, gpointer opaque)
{
    abort(); /* a detached monitor never sees EOF */
}

static void
fuzz_error(QemuMonitor *mon, const char *message, gpointer opaque)
{
    fuzz_sink += strlen(message);
}

static const QemuMonitorCallbacks fuzz_callbacks = {
    .event = fuzz_event,
    .eof = fuzz_eof,
    .error = fuzz_error,
};

/* A command that was written and waits for its reply. */
static void
fuzz_add_sent(QemuMonitor *mon, const char *id, const char *name)
{
    QemuMonitorMessage *msg = g_new0(QemuMonitorMessage, 1);

    msg->cmdname = g_strdup(name);
    msg->id = id ? g_strdup(id) : NULL;
    msg->abandoned = TRUE; /* nobody waits: the monitor frees it */
    g_queue_push_tail(&mon->sent, msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gboolean init_done;
    QemuMonitorConfig config = {
        .domain_name = "fuzz", .callbacks = &fuzz_callbacks, .max_reply_size = 64 * 1024};
    QemuMonitor *mon;
    size_t chunk;
    size_t off = 1;
    gboolean ok = TRUE;

    if (!init_done) {
        init_done = TRUE;
        /* Rejected input logs errors; keep the fuzzer's output readable. */
        qvirt_log_set_outputs("4:file:/dev/null");
    }
    if (size < 1)
        return 0;
    config.protocol = (data[0] & 1) ? QEMU_MONITOR_PROTOCOL_HMP : QEMU_MONITOR_PROTOCOL_QMP;
    chunk = (data[0] >> 2) + 1;

    mon = qemu_monitor_new_detached(&config);
    if (config.protocol == QEMU_MONITOR_PROTOCOL_QMP) {
        fuzz_add_sent(mon, "qvirt-1", "query-status");
        fuzz_add_sent(mon, "qvirt-2", "query-migrate");
    } else {
        fuzz_add_sent(mon, NULL, "info status");
    }
    if (data[0] & 2)
        qemu_monitor_set_ready(mon, json_object_new_object(), g_strdup("banner"));

    while (off < size) {
        size_t n = MIN(chunk, size - off);

        ok = qemu_monitor_feed(mon, (const char *)data + off, n);
        off += n;
        if (!ok)
            break;
    }
    if (!ok && !qemu_monitor_is_closed(mon))
        abort();
    qvirt_error_reset();
    qemu_monitor_close(mon);
    return 0;
}

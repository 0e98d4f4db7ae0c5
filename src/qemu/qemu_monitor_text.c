/* qemu_monitor_text.c: the HMP protocol: banner, prompt, echo and escapes
 * (the contract is in qemu_monitor_text.h).
 *
 * What QEMU's readline sends back for "info status\r": the echo, which
 * redraws the line after every character ("i\e[K\e[Din\e[K..."), then
 * "\r\n", then the output lines ("VM status: running\r\n"), then the prompt
 * "(qemu) " without a line end. So a reply is: skip everything up to the
 * first "\n" after the command was sent (the echo, which holds no line end),
 * then collect up to a "(qemu) " at the start of a line. */
#include <config.h>

#include <string.h>

#include "qemu/qemu_monitor_json.h"
#include "qemu/qemu_monitor_priv.h"
#include "qemu/qemu_monitor_text.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.monitor.text");

#define HMP_PROMPT "(qemu) "
#define HMP_PROMPT_LEN (sizeof(HMP_PROMPT) - 1)

/* TEXT[0..LEN) without terminal escape sequences and carriage returns. */
static char *
hmp_clean_output(const char *text, size_t len)
{
    GString *out = g_string_sized_new(len);
    size_t i = 0;

    while (i < len) {
        char c = text[i];

        if (c == '\033') {
            /* CSI: ESC [ parameters final-byte (0x40..0x7e); else ESC + one. */
            i++;
            if (i < len && text[i] == '[') {
                i++;
                while (i < len && !(text[i] >= 0x40 && text[i] <= 0x7e))
                    i++;
            }
            i++;
            continue;
        }
        if (c != '\r')
            g_string_append_c(out, c);
        i++;
    }
    return g_string_free(out, FALSE);
}

/* The offset of the first prompt at the start of a line in DATA[FROM..LEN),
 * or -1. */
static gssize
hmp_find_prompt(const char *data, size_t from, size_t len)
{
    size_t p = from; /* always at the start of a line */

    while (p + HMP_PROMPT_LEN <= len) {
        const char *nl;

        if (memcmp(data + p, HMP_PROMPT, HMP_PROMPT_LEN) == 0)
            return p;
        nl = memchr(data + p, '\n', len - p);
        if (!nl)
            return -1;
        p = (nl - data) + 1;
    }
    return -1;
}

gssize
qemu_monitor_text_io_process(QemuMonitor *mon, const char *data, size_t len, char **ret_error)
{
    size_t off = 0;

    while (off < len) {
        gboolean ready;
        gssize prompt;

        qvirt_mutex_lock(&mon->lock);
        ready = mon->ready;
        qvirt_mutex_unlock(&mon->lock);

        if (!ready) {
            /* The banner may hold "(qemu)" anywhere; the prompt ends it. */
            const char *p = g_strstr_len(data + off, len - off, HMP_PROMPT);

            if (!p)
                return off;
            qemu_monitor_set_ready(mon, NULL,
                                   g_strchomp(hmp_clean_output(data + off, p - (data + off))));
            off = (p - data) + HMP_PROMPT_LEN;
            continue;
        }

        if (!qemu_monitor_has_command_in_flight(mon)) {
            QVIRT_DEBUG("dropping %zu bytes of unsolicited HMP output of domain '%s'", len - off,
                        qemu_monitor_get_domain_name(mon));
            return len;
        }

        if (!mon->hmp_echo_done) {
            const char *nl = memchr(data + off, '\n', len - off);

            if (!nl)
                return len; /* all echo so far: nothing to keep */
            off = (nl - data) + 1;
            mon->hmp_echo_done = TRUE;
        }

        prompt = hmp_find_prompt(data, off, len);
        if (prompt < 0) {
            if (len - off > mon->max_reply_size) {
                *ret_error = g_strdup_printf(_("reply exceeds %zu bytes"), mon->max_reply_size);
                return -1;
            }
            return off;
        }
        mon->hmp_echo_done = FALSE;
        qemu_monitor_deliver_reply(mon, NULL, hmp_clean_output(data + off, prompt - off));
        off = prompt + HMP_PROMPT_LEN;
        if (qemu_monitor_is_closed(mon))
            break;
    }
    return off;
}

int
qemu_monitor_text_command(QemuMonitor *mon, const char *cmdline, char **ret_output)
{
    gpointer reply = NULL;
    size_t len = strlen(cmdline);

    if (qemu_monitor_get_protocol(mon) != QEMU_MONITOR_PROTOCOL_HMP) {
        qvirt_report_internal(_("HMP command sent to the QMP monitor of domain '%s'"),
                              qemu_monitor_get_domain_name(mon));
        return -1;
    }
    if (len == 0 || len > QEMU_MONITOR_TEXT_MAX_COMMAND) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("HMP command line must have 1 to %d characters, not %zu"),
                           QEMU_MONITOR_TEXT_MAX_COMMAND, len);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = cmdline[i];

        if (c < 0x20 || c == 0x7f) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("HMP command line holds control character 0x%02x at "
                                 "offset %zu"),
                               c, i);
            return -1;
        }
    }

    if (qemu_monitor_send(mon, cmdline, NULL, g_strconcat(cmdline, "\r", NULL), len + 1, NULL, 0,
                          &reply) < 0)
        return -1;
    *ret_output = reply;
    return 0;
}

int
qemu_monitor_hmp_passthrough(QemuMonitor *qmp, QemuMonitor *hmp, const char *cmdline,
                             char **ret_output)
{
    if (hmp)
        return qemu_monitor_text_command(hmp, cmdline, ret_output);
    if (!qmp) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, _("domain has no QEMU monitor"));
        return -1;
    }
    return qemu_monitor_json_human_command(qmp, cmdline, ret_output);
}

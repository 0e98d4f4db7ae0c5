/* shell_line.c: the interactive shell's line editor for terminals (see
 * shell.h): a prompt, typing and backspace, the history with the up and
 * down arrows, and TAB completion of command names. No line editing
 * library is a build dependency, so this small one covers what the shell
 * needs; input that is not a terminal is read as plain lines instead. */
#include <config.h>

#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "shell/shell.h"

/* Redraw the whole line: carriage return, clear to the end, prompt, text. */
static void
shell_line_redraw(FILE *out, const char *prompt, const GString *buf)
{
    fprintf(out, "\r\033[K%s%s", prompt, buf->str);
    fflush(out);
}

/* TAB: complete the command name being typed (the first word only). */
static void
shell_line_complete(FILE *out, const char *prompt, GString *buf)
{
    g_auto(GStrv) names = NULL;
    guint n;
    size_t common;

    if (strchr(buf->str, ' '))
        return;
    names = shell_complete(buf->str);
    n = g_strv_length(names);
    if (n == 0)
        return;
    if (n == 1) {
        g_string_assign(buf, names[0]);
        g_string_append_c(buf, ' ');
        shell_line_redraw(out, prompt, buf);
        return;
    }
    common = strlen(names[0]);
    for (guint i = 1; i < n; i++) {
        size_t k = 0;

        while (k < common && names[i][k] == names[0][k])
            k++;
        common = k;
    }
    if (common > buf->len) {
        g_string_assign(buf, names[0]);
        g_string_truncate(buf, common);
    } else {
        fputc('\n', out);
        for (guint i = 0; i < n; i++)
            fprintf(out, "%s%s", i ? "  " : "", names[i]);
        fputc('\n', out);
    }
    shell_line_redraw(out, prompt, buf);
}

char *
shell_line_read(Shell *sh, int fd, FILE *out, const char *prompt)
{
    struct termios saved;
    struct termios raw;
    gboolean restore = FALSE;
    GString *buf = g_string_new(NULL);
    guint hist = sh->history->len;
    char *result = NULL;

    if (tcgetattr(fd, &saved) == 0) {
        raw = saved;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        restore = tcsetattr(fd, TCSANOW, &raw) == 0;
    }
    fputs(prompt, out);
    fflush(out);
    for (;;) {
        unsigned char c;
        unsigned char seq[2];

        if (read(fd, &c, 1) != 1) {
            if (buf->len)
                result = g_strdup(buf->str);
            break;
        }
        if (c == '\r' || c == '\n') {
            fputc('\n', out);
            result = g_strdup(buf->str);
            break;
        }
        if (c == 4) { /* Ctrl-D: end of input on an empty line */
            if (buf->len == 0) {
                fputc('\n', out);
                break;
            }
            continue;
        }
        if (c == 127 || c == 8) {
            if (buf->len) {
                g_string_truncate(buf, buf->len - 1);
                fputs("\b \b", out);
            }
        } else if (c == '\t') {
            shell_line_complete(out, prompt, buf);
        } else if (c == 27) {
            /* Arrows: ESC [ A (up) and ESC [ B (down); others are ignored. */
            if (read(fd, &seq[0], 1) != 1 || seq[0] != '[' || read(fd, &seq[1], 1) != 1)
                continue;
            if (seq[1] == 'A' && hist > 0) {
                hist--;
                g_string_assign(buf, sh->history->pdata[hist]);
            } else if (seq[1] == 'B' && hist < sh->history->len) {
                hist++;
                g_string_assign(
                    buf, hist < sh->history->len ? (const char *)sh->history->pdata[hist] : "");
            }
            shell_line_redraw(out, prompt, buf);
        } else if (c >= 32) {
            g_string_append_c(buf, (char)c);
            fputc(c, out);
        }
        fflush(out);
    }
    if (restore)
        tcsetattr(fd, TCSANOW, &saved);
    fflush(out);
    g_string_free(buf, TRUE);
    return result;
}

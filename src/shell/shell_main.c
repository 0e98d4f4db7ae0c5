/* shell_main.c: the qvirt program's command line (see shell.h): global
 * options, one command from the arguments or an interactive session that
 * reads lines from standard input (edited with shell_line.c's editor on a
 * terminal: arrows walk the history, TAB completes command names) and
 * keeps them in an in-memory history ("history" prints it).
 * Exit code: 0 when every command succeeded, 1 otherwise. */
#include <config.h>

#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "shell/shell.h"
#include "util/log.h"

static void
shell_usage(FILE *out, const char *prog)
{
    fprintf(out,
            _("\n%s [options]... [<command_string>]\n%s [options]... <command> [args...]\n\n"
              "  options:\n"
              "    -c | --connect=URI      hypervisor connection URI\n"
              "    -h | --help             this help\n"
              "    -q | --quiet            quiet mode\n"
              "    -r | --readonly         connect readonly\n"
              "    -v | --version          program version\n\n"
              "  commands (non interactive mode):\n\n"),
            prog, prog);
}

/* Read commands from standard input until end of file or "quit". */
static int
shell_interactive(Shell *sh)
{
    gboolean tty = isatty(STDIN_FILENO);
    gboolean all_ok = TRUE;
    char *line = NULL;
    size_t size = 0;

    if (tty && !sh->quiet) {
        fprintf(sh->out, _("Welcome to qvirt, the virtualization interactive terminal.\n\n"
                           "Type:  'help' for help with commands\n"
                           "       'quit' to quit\n\n"));
    }
    while (!sh->quit) {
        g_autofree char *stripped = NULL;

        if (tty) {
            g_autofree char *typed = shell_line_read(sh, STDIN_FILENO, sh->out, "qvirt # ");

            if (!typed)
                break;
            stripped = g_strstrip(g_strdup(typed));
        } else {
            ssize_t len = getline(&line, &size, stdin);

            if (len < 0)
                break;
            stripped = g_strstrip(g_strdup(line));
        }
        if (!*stripped)
            continue;
        g_ptr_array_add(sh->history, g_strdup(stripped));
        if (!shell_run_line(sh, stripped))
            all_ok = FALSE;
    }
    free(line);
    return all_ok ? 0 : 1;
}

int
shell_main(int argc, char **argv)
{
    g_autoptr(Shell) sh = NULL;
    int i;

    setlocale(LC_ALL, "");
    bindtextdomain(PACKAGE, LOCALEDIR);
    textdomain(PACKAGE);

    sh = shell_new(stdout, stderr);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-c") == 0 || strcmp(a, "--connect") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, _("error: option '%s' requires an argument\n"), a);
                return 1;
            }
            g_free(sh->uri);
            sh->uri = g_strdup(argv[++i]);
        } else if (g_str_has_prefix(a, "--connect=")) {
            g_free(sh->uri);
            sh->uri = g_strdup(a + strlen("--connect="));
        } else if (strcmp(a, "-r") == 0 || strcmp(a, "--readonly") == 0) {
            sh->readonly = TRUE;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            sh->quiet = TRUE;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            shell_usage(stdout, argv[0]);
            return 0;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
            printf("%s\n", PACKAGE_VERSION);
            return 0;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-') {
            fprintf(stderr, _("error: unsupported option '%s'. See --help.\n"), a);
            return 1;
        } else {
            break;
        }
    }
    /* Errors reach the user as "error: ..." lines; the library's own log
     * lines stay out of the way unless QVIRT_LOG_OUTPUTS asks for them. */
    if (!g_getenv("QVIRT_LOG_OUTPUTS"))
        qvirt_log_set_outputs("4:file:/dev/null");
    if (qvirt_log_init_from_env() < 0 || qvirt_initialize() < 0) {
        fprintf(stderr, _("error: %s\n"), qvirt_error_last_message());
        return 1;
    }
    if (i >= argc)
        return shell_interactive(sh);
    /* One argument holding spaces is a command string, as virsh takes it. */
    if (argc - i == 1 && strchr(argv[i], ' '))
        return shell_run_line(sh, argv[i]) ? 0 : 1;
    return shell_run_argv(sh, argc - i, argv + i) ? 0 : 1;
}

/* shell.h: the qvirt shell (a virsh work-alike): its state, the command
 * dispatcher and the program's entry point. main.c only calls shell_main();
 * tests drive shell_run_argv() against any connection.
 *
 * Contract:
 * - Commands keep virsh's names, options and output formats, so scripts
 *   written for virsh work. Output goes to Shell.out, errors to Shell.err as
 *   "error: MESSAGE" lines (virsh's wording and prefixes).
 * - shell_run_argv() runs one command and returns TRUE on success, FALSE
 *   after printing its errors. The connection is opened on first need with
 *   Shell.uri (or the default URI) and Shell.readonly.
 * - shell_main() returns the process exit code: 0 when every command
 *   succeeded, 1 otherwise. */
#pragma once

#include <stdio.h>

#include "qvirt/qvirt.h"

typedef struct {
    QvConnect *conn;
    char *uri; /* what to connect to; NULL: the default URI */
    gboolean readonly;
    gboolean quiet; /* no informational messages (-q) */
    gboolean quit;  /* "quit" or "exit" ran (interactive mode) */
    FILE *out;
    FILE *err;
    GPtrArray *history; /* interactive lines, in order */
} Shell;

/* A shell writing to OUT and ERR, not connected. */
Shell *shell_new(FILE *out, FILE *err);
/* Closes the connection. Accepts NULL. */
void shell_free(Shell *sh);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Shell, shell_free)

/* The URI used when none is given: $QVIRT_DEFAULT_URI, else qemu:///system
 * for root and qemu:///session for others. A new string. */
char *shell_default_uri(void);

/* Run one command (ARGV[0] is its name). */
gboolean shell_run_argv(Shell *sh, int argc, char **argv);
/* Split LINE as a POSIX shell would (quotes, backslashes) and run it; an
 * empty line does nothing and succeeds. */
gboolean shell_run_line(Shell *sh, const char *line);

/* The names of the commands that start with PREFIX (completion), a new
 * NULL-terminated array. */
char **shell_complete(const char *prefix);

/* Read one line from the terminal FD with PROMPT on OUT: editing, history
 * (Shell.history) with the arrow keys, TAB completion of the command name.
 * Returns the line (a new string, without the newline), or NULL at the end
 * of input (Ctrl-D on an empty line). */
char *shell_line_read(Shell *sh, int fd, FILE *out, const char *prompt);

int shell_main(int argc, char **argv);

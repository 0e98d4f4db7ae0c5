/* fixture.h: the shell suites' fixture (test-client, test-shell-migrate): a
 * Shell writing to memory streams, pointed at a socket nobody listens on,
 * and running one command line at a time with the text each run wrote. */
#pragma once

#include <stdio.h>

#include "shell/shell.h"

typedef struct {
    char *out_buf; /* what the last run wrote to stdout, NUL-terminated */
    size_t out_len;
    char *err_buf; /* and to stderr */
    size_t err_len;
    FILE *out;
    FILE *err;
    Shell *sh;
    char *dir; /* a temporary folder when the suite makes one; removed by teardown */
} ShellFixture;

/* The streams and the shell; reaching the connection is a failure. */
void shell_fixture_setup(ShellFixture *f, gconstpointer data);
/* Free the shell and the streams, remove F->dir if set. */
void shell_fixture_teardown(ShellFixture *f, gconstpointer data);

/* Start both streams again at their beginning. */
void shell_fixture_rewind(ShellFixture *f);
/* Cut both buffers at the streams' current position (open_memstream keeps
 * the size at the furthest write), so they hold only this run's text. */
void shell_fixture_take(ShellFixture *f);

/* Run LINE in the shell; its result, with its output in F->out_buf and
 * F->err_buf. */
gboolean shell_fixture_run(ShellFixture *f, const char *line);

/* fixture.h: the shell suites' fixture (test-client, test-shell-migrate,
 * test-shell-blockjob): a Shell writing to memory streams, pointed at a
 * socket nobody listens on, and running one command line at a time with
 * the text each run wrote; and pieces the suites' fake drivers share. */
#pragma once

#include <stdio.h>

#include "driver/connect.h"
#include "shell/shell.h"
#include "shell/shell_priv.h"

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

/* shell_fixture_setup() for suites that parse requests: the shell quiet
 * (no blank line after each command) and F->dir a temporary folder for the
 * files options name. */
void shell_fixture_setup_tmp(ShellFixture *f, gconstpointer data);

/* shell_fixture_setup_tmp() with the shell's URI set to URI (a suite's
 * fake driver). */
void shell_fixture_setup_uri(ShellFixture *f, gconstpointer data, const char *uri);

/* Builds a command's request from its parsed ARGS (NULL with its errors
 * written to the shell's stderr); OPAQUE is the caller's. */
typedef void *(*ShellFixtureMakeRequest)(Shell *sh, ShellArgs *args, gconstpointer opaque);

/* The request MAKE builds from LINE, or NULL (its errors are in
 * F->err_buf). The words of LINE are kept in *RET_ARGV because the parsed
 * options borrow them. */
void *shell_fixture_request(ShellFixture *f, const char *line, GStrv *ret_argv,
                            ShellFixtureMakeRequest make, gconstpointer opaque);

/* For the suites' fake hypervisor drivers: connect_close doing nothing,
 * and domain_lookup_by_name knowing only "vm1" (id 1, UUID
 * shell_fixture_vm1_uuid), else NO_DOMAIN. */
extern const unsigned char shell_fixture_vm1_uuid[16];
int shell_fixture_drv_close(QvConnect *conn);
QvDomain *shell_fixture_drv_lookup_vm1(QvConnect *conn, const char *name);

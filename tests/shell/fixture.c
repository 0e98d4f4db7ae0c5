/* fixture.c: the shell suites' fixture (see fixture.h). */
#include <config.h>

#include <string.h>

#include "fixture.h"
#include "testutil.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_TEST

void
shell_fixture_setup(ShellFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    f->out = open_memstream(&f->out_buf, &f->out_len);
    f->err = open_memstream(&f->err_buf, &f->err_len);
    f->sh = shell_new(f->out, f->err);
    /* Nothing listens there: a command that needs the connection fails. */
    f->sh->uri = g_strdup("test+unix:///default?socket=/nonexistent/qvirt-sock");
}

void
shell_fixture_teardown(ShellFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    shell_free(f->sh);
    fclose(f->out);
    fclose(f->err);
    g_free(f->out_buf);
    g_free(f->err_buf);
    if (f->dir)
        qvirt_test_rmtree(f->dir);
    g_free(f->dir);
}

void
shell_fixture_rewind(ShellFixture *f)
{
    rewind(f->out);
    rewind(f->err);
}

void
shell_fixture_take(ShellFixture *f)
{
    fflush(f->out);
    fflush(f->err);
    f->out_buf[ftell(f->out)] = '\0';
    f->err_buf[ftell(f->err)] = '\0';
}

gboolean
shell_fixture_run(ShellFixture *f, const char *line)
{
    gboolean ok;

    shell_fixture_rewind(f);
    ok = shell_run_line(f->sh, line);
    shell_fixture_take(f);
    return ok;
}

void
shell_fixture_setup_tmp(ShellFixture *f, gconstpointer data)
{
    shell_fixture_setup(f, data);
    f->sh->quiet = TRUE;
    f->dir = qvirt_test_mkdtemp();
}

void
shell_fixture_setup_uri(ShellFixture *f, gconstpointer data, const char *uri)
{
    shell_fixture_setup_tmp(f, data);
    g_free(f->sh->uri);
    f->sh->uri = g_strdup(uri);
}

void *
shell_fixture_request(ShellFixture *f, const char *line, GStrv *ret_argv,
                      ShellFixtureMakeRequest make, gconstpointer opaque)
{
    g_autoptr(GError) gerr = NULL;
    ShellArgs args = {0};
    void *req = NULL;
    int argc;

    shell_fixture_rewind(f);
    g_assert_true(g_shell_parse_argv(line, &argc, ret_argv, &gerr));
    if (shell_args_parse(f->sh, argc, *ret_argv, &args)) {
        req = make(f->sh, &args, opaque);
        shell_args_clear(&args);
    }
    shell_fixture_take(f);
    return req;
}

const unsigned char shell_fixture_vm1_uuid[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

int
shell_fixture_drv_close(QvConnect *conn G_GNUC_UNUSED)
{
    return 0;
}

QvDomain *
shell_fixture_drv_lookup_vm1(QvConnect *conn, const char *name)
{
    if (strcmp(name, "vm1") != 0) {
        qvirt_report_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name '%s'", name);
        return NULL;
    }
    return qv_domain_new(conn, name, shell_fixture_vm1_uuid, 1);
}

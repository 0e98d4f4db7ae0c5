/* fixture.c: the shell suites' fixture (see fixture.h). */
#include <config.h>

#include "fixture.h"
#include "testutil.h"

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

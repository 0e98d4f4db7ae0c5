/* remote-testutil.c: the helpers the tests/remote suites share (see
 * remote-testutil.h). */
#include <config.h>

#include <string.h>
#include <sys/wait.h>

#include "remote-testutil.h"

const guint8 remote_test_uuid[16] = {0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
                                     0x79, 0xaa, 0x97, 0xf3, 0x50, 0x2e, 0x19, 0x3f};

GByteArray *
remote_test_xdr_encode(xdrproc_t proc, void *data)
{
    GByteArray *out = g_byte_array_new();
    char buf[4096];
    XDR xdr;

    xdrmem_create(&xdr, buf, sizeof(buf), XDR_ENCODE);
    g_assert_true(proc(&xdr, data));
    g_byte_array_append(out, (const guint8 *)buf, xdr_getpos(&xdr));
    xdr_destroy(&xdr);
    return out;
}

void
remote_test_put_u32(GByteArray *b, guint32 v)
{
    guint8 w[4] = {v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff};

    g_byte_array_append(b, w, 4);
}

void
remote_test_put_u64(GByteArray *b, guint64 v)
{
    remote_test_put_u32(b, (guint32)(v >> 32));
    remote_test_put_u32(b, (guint32)v);
}

void
remote_test_put_opaque(GByteArray *b, const void *data, guint32 len)
{
    static const guint8 zero[4] = {0};

    remote_test_put_u32(b, len);
    g_byte_array_append(b, data, len);
    g_byte_array_append(b, zero, (4 - len % 4) % 4);
}

void
remote_test_put_string(GByteArray *b, const char *s)
{
    remote_test_put_opaque(b, s, strlen(s));
}

void
remote_test_put_domain(GByteArray *b, const char *name, int id)
{
    remote_test_put_string(b, name);
    g_byte_array_append(b, remote_test_uuid, 16);
    remote_test_put_u32(b, (guint32)id);
}

void
remote_test_daemon_setup(TestDaemon *td, gconstpointer data)
{
    g_autofree char *text = NULL;

    qvirt_test_daemon_init(td);
    td->config = g_build_filename(td->dir, "qvirtd.conf", NULL);
    text = g_strdup_printf("[daemon]\ndrivers = test\nhost_uuid = %s\n",
                           data ? (const char *)data : "6695eb01-f6a4-8304-79aa-97f3502e193f");
    g_assert_true(g_file_set_contents(td->config, text, -1, NULL));
}

void
remote_test_daemon_teardown(TestDaemon *td, gconstpointer data G_GNUC_UNUSED)
{
    qvirt_test_daemon_clear(td);
}

void
remote_test_assert_alive(QvDomain *dom)
{
    QvDomainInfo info;

    g_assert_cmpint(qv_domain_get_info(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, 1);
}

void
remote_test_virsh_no_support(TestDaemon *td, const RemoteTestVirshCmd *cmds, size_t n)
{
    g_autofree char *virsh = g_find_program_in_path("virsh");
    g_autofree char *uri = NULL;
    g_auto(GStrv) env = NULL;

    if (!virsh) {
        g_test_skip("virsh is not installed");
        return;
    }
    qvirt_test_daemon_start(td, NULL);
    env = qvirt_test_daemon_env(td);
    uri = g_strdup_printf("test+unix:///default?socket=%s", td->sock_rw);
    for (size_t i = 0; i < n; i++) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autoptr(GError) err = NULL;
        g_autofree char *out = NULL;
        g_autofree char *err_text = NULL;
        int status = 0;

        g_ptr_array_add(argv, (gpointer) "timeout");
        g_ptr_array_add(argv, (gpointer) "30");
        g_ptr_array_add(argv, virsh);
        g_ptr_array_add(argv, (gpointer) "-c");
        g_ptr_array_add(argv, uri);
        for (int j = 0; cmds[i].args[j]; j++)
            g_ptr_array_add(argv, (gpointer)cmds[i].args[j]);
        g_ptr_array_add(argv, NULL);
        g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   &out, &err_text, &status, &err));
        g_assert_no_error(err);
        g_test_message("virsh %s: %s", cmds[i].args[0], err_text);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert_nonnull(strstr(err_text, "not supported by the connection driver"));
        g_assert_nonnull(strstr(err_text, cmds[i].api));
    }
}

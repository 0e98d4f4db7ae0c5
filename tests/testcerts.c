/* testcerts.c: certificates made by certtool for the TLS suites (see
 * testcerts.h). */
#include <config.h>

#include "testcerts.h"

gboolean
qvirt_test_certs_available(void)
{
    g_autofree char *certtool = g_find_program_in_path("certtool");

    if (!certtool) {
        g_test_skip("certtool (Debian package gnutls-bin) is not installed");
        return FALSE;
    }
    return TRUE;
}

/* Run certtool with ARGS (NULL-terminated) in DIR. */
static void
cert_certtool(const char *dir, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_ptr_array_add(argv, (char *)"certtool");
    for (size_t i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(dir, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                      &status, &error))
        g_error("cannot run certtool: %s", error->message);
    if (!g_spawn_check_wait_status(status, &error))
        g_error("certtool %s failed: %s\n%s", args[0], error->message, err);
}

void
qvirt_test_cert_make(const char *dir, const char *stem, const char *ca_stem, const char *template)
{
    g_autofree char *key = g_strdup_printf("%skey.pem", stem);
    g_autofree char *cert = g_strdup_printf("%scert.pem", stem);
    g_autofree char *info = g_strdup_printf("%stemplate.info", stem);
    g_autofree char *cakey = ca_stem ? g_strdup_printf("%skey.pem", ca_stem) : NULL;
    g_autofree char *cacert = ca_stem ? g_strdup_printf("%scert.pem", ca_stem) : NULL;
    const char *genkey[] = {"--generate-privkey", "--key-type=ecdsa", "--outfile", key, NULL};
    const char *self[] = {"--generate-self-signed",
                          "--load-privkey",
                          key,
                          "--template",
                          info,
                          "--outfile",
                          cert,
                          NULL};
    const char *sign[] = {"--generate-certificate",
                          "--load-privkey",
                          key,
                          "--load-ca-certificate",
                          cacert,
                          "--load-ca-privkey",
                          cakey,
                          "--template",
                          info,
                          "--outfile",
                          cert,
                          NULL};

    qvirt_test_cert_write(dir, info, template);
    cert_certtool(dir, genkey);
    cert_certtool(dir, ca_stem ? sign : self);
}

char *
qvirt_test_cert_ca_template(const char *cn, const char *dates)
{
    return g_strdup_printf("cn = %s\nca\ncert_signing_key\n%s", cn, dates);
}

void
qvirt_test_cert_write(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;

    if (!g_file_set_contents(path, text, -1, &err))
        g_error("cannot write %s: %s", path, err->message);
}

void
qvirt_test_cert_copy(const char *from_dir, const char *from, const char *to_dir, const char *to)
{
    g_autofree char *src = g_build_filename(from_dir, from, NULL);
    g_autofree char *dst = g_build_filename(to_dir, to, NULL);
    g_autofree char *data = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    if (!g_file_get_contents(src, &data, &len, &err) || !g_file_set_contents(dst, data, len, &err))
        g_error("cannot copy %s to %s: %s", src, dst, err->message);
}

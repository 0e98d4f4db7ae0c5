/* uri.c: connection URI parsing and formatting (see uri.h for the contract). */
#include <config.h>

#include <string.h>

#include "driver/uri.h"
#include "util/error.h"

#define QVIRT_FROM_THIS QVIRT_FROM_URI

static const char *const uri_transports[] = {
    "unix", "tls", "tcp", "ssh", "libssh", "libssh2", "ext", NULL,
};

/* Parameters only the client side uses; never sent to the daemon. */
static const char *const uri_client_params[] = {
    "socket",
    "no_verify",
    "no_tty",
    "pkipath",
    "keyfile",
    "command",
    "netcat",
    "mode",
    "proxy",
    "tls_priority",
    "name",
    "known_hosts",
    "known_hosts_verify",
    "sshauth",
    NULL,
};

void
qv_uri_free(QvUri *uri)
{
    if (!uri)
        return;
    g_free(uri->driver);
    g_free(uri->transport);
    g_free(uri->user);
    g_free(uri->server);
    g_free(uri->path);
    for (size_t i = 0; i < uri->nparams; i++) {
        g_free(uri->params[i].name);
        g_free(uri->params[i].value);
    }
    g_free(uri->params);
    g_free(uri);
}

static gboolean
uri_valid_driver_name(const char *name)
{
    if (!g_ascii_islower(name[0]))
        return FALSE;
    for (const char *p = name; *p; p++) {
        if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_')
            return FALSE;
    }
    return TRUE;
}

/* Split SCHEME into driver and transport. */
static int
uri_parse_scheme(QvUri *uri, const char *str, const char *scheme)
{
    const char *plus = strchr(scheme, '+');
    g_autofree char *driver = plus ? g_strndup(scheme, plus - scheme) : g_strdup(scheme);

    if (!uri_valid_driver_name(driver)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("invalid driver name '%s' in URI '%s': expected lowercase letters, "
                             "digits and '_'"),
                           driver, str);
        return -1;
    }
    if (plus) {
        const char *transport = plus + 1;

        if (!g_strv_contains(uri_transports, transport)) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                               _("unknown transport '%s' in URI '%s': expected one of unix, tls, "
                                 "tcp, ssh, libssh, libssh2, ext"),
                               transport, str);
            return -1;
        }
        uri->transport = g_strdup(transport);
    }
    uri->driver = g_steal_pointer(&driver);
    return 0;
}

/* Split the still %-encoded QUERY into parameters. */
static int
uri_parse_query(QvUri *uri, const char *str, const char *query)
{
    g_auto(GStrv) parts = NULL;
    GArray *params = g_array_new(FALSE, TRUE, sizeof(QvUriParam));

    parts = g_strsplit_set(query, "&;", -1);
    for (size_t i = 0; parts[i]; i++) {
        const char *eq;
        g_autofree char *name = NULL;
        QvUriParam param = {NULL, NULL};

        if (!*parts[i])
            continue;
        eq = strchr(parts[i], '=');
        name = eq ? g_strndup(parts[i], eq - parts[i]) : g_strdup(parts[i]);
        param.name = g_uri_unescape_string(name, NULL);
        param.value = g_uri_unescape_string(eq ? eq + 1 : "", NULL);
        if (!param.name || !param.value || !*param.name) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid query parameter '%s' in URI '%s'"),
                               parts[i], str);
            g_free(param.name);
            g_free(param.value);
            uri->nparams = params->len;
            uri->params = (QvUriParam *)(void *)g_array_free(params, FALSE);
            return -1;
        }
        g_array_append_val(params, param);
    }
    uri->nparams = params->len;
    uri->params = (QvUriParam *)(void *)g_array_free(params, FALSE);
    return 0;
}

static int
uri_check_socket(const QvUri *uri, const char *str)
{
    const char *socket = qv_uri_get_param(uri, "socket");

    if (uri->transport && strcmp(uri->transport, "unix") == 0 && uri->server) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the unix transport connects to this host: remove host '%s' from "
                             "URI '%s'"),
                           uri->server, str);
        return -1;
    }
    if (!socket)
        return 0;
    if (uri->transport ? strcmp(uri->transport, "unix") != 0 && strcmp(uri->transport, "ssh") != 0
                       : uri->server != NULL) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the 'socket' parameter needs the unix or ssh transport in URI '%s'"),
                           str);
        return -1;
    }
    if (!g_path_is_absolute(socket)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("the 'socket' parameter must be an absolute path, not '%s', in "
                             "URI '%s'"),
                           socket, str);
        return -1;
    }
    return 0;
}

QvUri *
qv_uri_parse(const char *str)
{
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GUri) guri = NULL;
    g_autoptr(QvUri) uri = NULL;
    const char *host;

    if (!str || !*str) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("empty connection URI"));
        return NULL;
    }
    guri = g_uri_parse(str, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, &gerr);
    if (!guri) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("cannot parse URI '%s': %s"), str,
                           gerr->message);
        return NULL;
    }
    host = g_uri_get_host(guri);
    if (!host) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG,
                           _("URI '%s' has no '//' after the scheme: expected a form like "
                             "'qemu:///system'"),
                           str);
        return NULL;
    }
    if (g_uri_get_fragment(guri)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("URI '%s' must not have a fragment"), str);
        return NULL;
    }

    for (const char *p = host; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr(".-_:%", *p)) {
            qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid host name '%s' in URI '%s'"), host,
                               str);
            return NULL;
        }
    }

    uri = g_new0(QvUri, 1);
    if (uri_parse_scheme(uri, str, g_uri_get_scheme(guri)) < 0)
        return NULL;
    uri->user = g_strdup(g_uri_get_user(guri));
    uri->server = *host ? g_strdup(host) : NULL;
    uri->port = g_uri_get_port(guri) > 0 ? g_uri_get_port(guri) : 0;
    uri->path = g_strdup(g_uri_get_path(guri));
    if (uri->port && !uri->server) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("URI '%s' has a port but no host"), str);
        return NULL;
    }
    if (g_uri_get_query(guri) && uri_parse_query(uri, str, g_uri_get_query(guri)) < 0)
        return NULL;
    if (uri_check_socket(uri, str) < 0)
        return NULL;
    return g_steal_pointer(&uri);
}

const char *
qv_uri_get_param(const QvUri *uri, const char *name)
{
    for (size_t i = uri->nparams; i > 0; i--) {
        if (strcmp(uri->params[i - 1].name, name) == 0)
            return uri->params[i - 1].value;
    }
    return NULL;
}

gboolean
qv_uri_is_remote(const QvUri *uri)
{
    return uri->transport || uri->server || qv_uri_get_param(uri, "socket");
}

/* Characters left as they are in parameter names and values. */
#define URI_PARAM_ALLOWED "/:@!$'()*,"

static char *
uri_format_filtered(const QvUri *uri, gboolean daemon)
{
    GString *buf = g_string_new(uri->driver);
    gboolean first = TRUE;

    if (!daemon) {
        if (uri->transport)
            g_string_append_printf(buf, "+%s", uri->transport);
    }
    g_string_append(buf, "://");
    if (!daemon && uri->server) {
        if (uri->user) {
            g_string_append_uri_escaped(buf, uri->user,
                                        G_URI_RESERVED_CHARS_SUBCOMPONENT_DELIMITERS, TRUE);
            g_string_append_c(buf, '@');
        }
        if (strchr(uri->server, ':'))
            g_string_append_printf(buf, "[%s]", uri->server);
        else
            g_string_append_uri_escaped(buf, uri->server,
                                        G_URI_RESERVED_CHARS_SUBCOMPONENT_DELIMITERS, TRUE);
        if (uri->port)
            g_string_append_printf(buf, ":%d", uri->port);
    }
    g_string_append_uri_escaped(buf, uri->path, G_URI_RESERVED_CHARS_ALLOWED_IN_PATH, TRUE);
    for (size_t i = 0; i < uri->nparams; i++) {
        if (daemon && g_strv_contains(uri_client_params, uri->params[i].name))
            continue;
        g_string_append_c(buf, first ? '?' : '&');
        first = FALSE;
        g_string_append_uri_escaped(buf, uri->params[i].name, URI_PARAM_ALLOWED, TRUE);
        g_string_append_c(buf, '=');
        g_string_append_uri_escaped(buf, uri->params[i].value, URI_PARAM_ALLOWED, TRUE);
    }
    return g_string_free(buf, FALSE);
}

char *
qv_uri_format(const QvUri *uri)
{
    return uri_format_filtered(uri, FALSE);
}

char *
qv_uri_daemon_uri(const QvUri *uri)
{
    const char *name = qv_uri_get_param(uri, "name");

    if (name && *name)
        return g_strdup(name);
    return uri_format_filtered(uri, TRUE);
}

/* uri.h: connection URIs: "DRIVER[+TRANSPORT]://[USER@][HOST[:PORT]]/PATH[?QUERY]".
 *
 * Local forms name a driver and a path: qemu:///system, qemu:///session,
 * test:///default. Remote forms, used by the client library, add a
 * transport, a host or client-side parameters:
 *   qemu+unix:///system?socket=/run/qvirt/qvirt-sock
 *   qemu+tls://host.example.org/system
 *   test+unix:///default?socket=/tmp/qvirt-sock
 *
 * Contract:
 * - qv_uri_parse() accepts only well-formed URIs whose scheme is a driver
 *   name ([a-z][a-z0-9_]*) with an optional known transport (unix, tls, tcp,
 *   ssh, libssh, libssh2, ext). Anything else fails with INVALID_ARG naming
 *   the URI and what is wrong with it, and returns NULL.
 * - The "socket" parameter needs an absolute path and the unix or ssh
 *   transport (or no transport and no host, which implies unix). A unix URI
 *   has no host. A parameter name is never empty.
 * - Query parameters keep their order; names and values are %-decoded.
 *   Parsing does not validate the path: that is the driver's business. */
#pragma once

#include <glib.h>

typedef struct {
    char *name;  /* %-decoded */
    char *value; /* %-decoded; "" when the parameter had no '=' */
} QvUriParam;

typedef struct {
    char *driver;    /* "qemu", "test" */
    char *transport; /* "unix", "tls", ...; NULL when absent */
    char *user;      /* NULL when absent */
    char *server;    /* host name; NULL when absent */
    int port;        /* 0 when absent */
    char *path;      /* "/system"; "" when absent */
    QvUriParam *params;
    size_t nparams;
} QvUri;

/* Parse STR. Returns a new QvUri, or NULL with INVALID_ARG reported. */
QvUri *qv_uri_parse(const char *str);
void qv_uri_free(QvUri *uri);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QvUri, qv_uri_free)

/* The value of the last parameter NAME (libvirt uses the last), or NULL. */
const char *qv_uri_get_param(const QvUri *uri, const char *name);

/* Whether URI needs a remote (client-side) driver: it has a transport, a
 * host or a "socket" parameter. Local drivers are offered only the others. */
gboolean qv_uri_is_remote(const QvUri *uri);

/* The URI as text, canonical: parameters re-encoded in their order. */
char *qv_uri_format(const QvUri *uri);

/* What a remote client asks the daemon to open for URI: the driver and path
 * alone ("qemu:///system"), without transport, host or client-side
 * parameters (socket, no_verify, no_tty, pkipath, keyfile, command, netcat,
 * mode, proxy, tls_priority, name); other parameters are kept. A "name"
 * parameter, when given, is returned instead, as libvirt does. */
char *qv_uri_daemon_uri(const QvUri *uri);

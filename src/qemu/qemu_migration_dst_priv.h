/* qemu_migration_dst_priv.h: the pure helpers of the destination side of a
 * migration (qemu_migration_dst.c), for its unit tests: the migration URI
 * a client gives Prepare, the URI QEMU listens on and the one the source
 * is told to use. Not for use outside qemu_migration_dst.c and tests. */
#pragma once

#include <glib.h>

/* A parsed "migrate_uri": tcp:HOST[:PORT], tcp://HOST[:PORT][/],
 * tcp:[IPV6][:PORT] (also with //), or unix:PATH / unix://PATH. */
typedef struct {
    gboolean is_unix;
    char *host; /* tcp: NULL when the URI names none; an IPv6 address without brackets */
    int port;   /* tcp: 0 when the URI names none */
    char *path; /* unix: the absolute socket path */
} QemuMigrationDstUri;

void qemu_migration_dst_uri_free(QemuMigrationDstUri *uri);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMigrationDstUri, qemu_migration_dst_uri_free)

/* NULL with INVALID_ARG naming URI when it is not one of the forms above
 * (another scheme, a port that is not 1-65535, an IPv6 address without
 * brackets, a relative socket path). */
QemuMigrationDstUri *qemu_migration_dst_uri_parse(const char *uri);

/* Whether ADDRESS (NULL, "", "::", "[::]", "0.0.0.0") listens everywhere. */
gboolean qemu_migration_dst_address_is_wildcard(const char *address);
/* ADDRESS without the brackets of an IPv6 literal (new string; NULL for NULL). */
char *qemu_migration_dst_address_bare(const char *address);
/* "tcp:HOST:PORT", HOST in brackets when it is an IPv6 address (new string). */
char *qemu_migration_dst_tcp_uri(const char *host, int port);

/* Where the source sends the stream (new string): for a unix URI the same
 * URI; else tcp: with the URI's host, else LISTEN_ADDRESS when it is not a
 * wildcard, else HOSTNAME; and PORT. URI may be NULL. */
char *qemu_migration_dst_uri_out(const QemuMigrationDstUri *uri, const char *listen_address,
                                 int port, const char *hostname);

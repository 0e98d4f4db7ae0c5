/* qemu_migration_port.c: the process-wide reservations of migration ports
 * (the contract is in qemu_migration_port.h). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu/qemu_migration_port.h"
#include "util/error.h"
#include "util/log.h"
#include "util/threads.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

QVIRT_LOG_INIT("qemu.migration.port");

/* pthreads, not GMutex, so that ThreadSanitizer builds see it (util/threads.h). */
static QvirtMutex port_lock = {PTHREAD_MUTEX_INITIALIZER};
static GHashTable *port_reserved; /* GINT_TO_POINTER(port) set, under port_lock */

/* What a test bind says about a port. */
typedef enum {
    PORT_FREE,
    PORT_IN_USE,
    PORT_ERROR,     /* error reported */
    PORT_NO_FAMILY, /* the address family is not available here: nothing reported */
} PortProbe;

/* Bind a TCP socket of FAMILY to ADDR (LEN bytes), then close it. */
static PortProbe
port_probe_addr(int family, const struct sockaddr *addr, socklen_t len)
{
    int one = 1;
    int zero = 0;
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    PortProbe ret = PORT_FREE;

    if (fd < 0 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
        return PORT_NO_FAMILY;
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot create a socket to test a migration port"));
        return PORT_ERROR;
    }
    /* As QEMU does for its listening socket: TIME_WAIT leftovers are fine. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    if (bind(fd, addr, len) < 0) {
        if (errno == EADDRINUSE || errno == EACCES) {
            ret = PORT_IN_USE;
        } else if (errno == EADDRNOTAVAIL && family == AF_INET6) {
            ret = PORT_NO_FAMILY; /* IPv6 disabled */
        } else {
            qvirt_report_system_error(errno, _("cannot bind a socket to test a migration port"));
            ret = PORT_ERROR;
        }
    }
    close(fd);
    return ret;
}

/* Whether ADDRESS names every address (or nothing). */
static gboolean
port_address_is_wildcard(const char *address)
{
    return !address || !*address || strcmp(address, "::") == 0 || strcmp(address, "[::]") == 0 ||
           strcmp(address, "0.0.0.0") == 0;
}

static PortProbe
port_probe(const char *address, guint port)
{
    g_autofree char *bare = NULL;
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    PortProbe probe;

    if (!port_address_is_wildcard(address)) {
        size_t len = strlen(address);

        if (address[0] == '[' && len > 2 && address[len - 1] == ']')
            bare = g_strndup(address + 1, len - 2);
        else
            bare = g_strdup(address);
        if (inet_pton(AF_INET6, bare, &sin6.sin6_addr) == 1)
            return port_probe_addr(AF_INET6, (struct sockaddr *)&sin6, sizeof(sin6));
        if (inet_pton(AF_INET, bare, &sin.sin_addr) == 1)
            return port_probe_addr(AF_INET, (struct sockaddr *)&sin, sizeof(sin));
        /* A host name: the wildcard test is the strictest. */
    }
    sin6.sin6_addr = in6addr_any;
    probe = port_probe_addr(AF_INET6, (struct sockaddr *)&sin6, sizeof(sin6));
    if (probe != PORT_NO_FAMILY)
        return probe;
    /* No IPv6 here: the IPv4 wildcard. */
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    return port_probe_addr(AF_INET, (struct sockaddr *)&sin, sizeof(sin));
}

int
qemu_migration_port_acquire(guint min, guint max, const char *address, int *ret_port)
{
    int ret = -1;

    if (min == 0 || min > max || max > 65535) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid migration port range %u-%u"), min,
                           max);
        return -1;
    }
    qvirt_mutex_lock(&port_lock);
    if (!port_reserved)
        port_reserved = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint port = min; port <= max; port++) {
        if (g_hash_table_contains(port_reserved, GINT_TO_POINTER(port)))
            continue;
        switch (port_probe(address, port)) {
        case PORT_FREE:
            g_hash_table_add(port_reserved, GINT_TO_POINTER(port));
            *ret_port = (int)port;
            QVIRT_DEBUG("migration port %u reserved", port);
            ret = 0;
            goto unlock;
        case PORT_IN_USE:
            QVIRT_DEBUG("migration port %u is in use, skipped", port);
            break;
        case PORT_NO_FAMILY:
            qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                               _("cannot listen on migration address '%s' here"),
                               address ? address : "0.0.0.0");
            goto unlock;
        case PORT_ERROR:
            goto unlock;
        }
    }
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("no free migration port in the range %u-%u"),
                       min, max);
unlock:
    qvirt_mutex_unlock(&port_lock);
    return ret;
}

void
qemu_migration_port_release(int port)
{
    if (port <= 0)
        return;
    qvirt_mutex_lock(&port_lock);
    if (port_reserved && g_hash_table_remove(port_reserved, GINT_TO_POINTER(port)))
        QVIRT_DEBUG("migration port %d released", port);
    qvirt_mutex_unlock(&port_lock);
}

gboolean
qemu_migration_port_is_reserved(int port)
{
    gboolean ret;

    qvirt_mutex_lock(&port_lock);
    ret = port_reserved && g_hash_table_contains(port_reserved, GINT_TO_POINTER(port));
    qvirt_mutex_unlock(&port_lock);
    return ret;
}

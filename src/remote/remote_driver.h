/* remote_driver.h: the client side of qvirt: a HypervisorDriver (marked
 * `remote`) that forwards every public API call to a qvirtd over libvirt's
 * RPC protocol.
 *
 * Contract:
 * - qv_remote_register() registers the driver once per process (later calls
 *   do nothing) and returns 0, or -1 with an error. libqvirt.so calls it from
 *   a constructor, so programs linking the library never need to.
 * - URI to socket: an explicit "socket" parameter; else for a path of
 *   "/system" the system socket (the read-only one for QV_CONNECT_RO); else
 *   the session socket $XDG_RUNTIME_DIR/qvirt/qvirt-sock. A "tls" transport,
 *   or a host without a transport, connects to HOST:PORT (default 16514)
 *   with the certificates of the "pkipath" parameter's folder, else
 *   $XDG_CONFIG_HOME/qvirt/pki (non-root) or /etc/pki/qvirt (root).
 * - The daemon is asked to open the URI without transport, host and
 *   client-side parameters (qv_uri_daemon_uri()).
 * - Keepalive runs when the daemon supports it. Domain events of every id
 *   the framework emits are registered with the daemon at open (when it
 *   supports REMOTE_EVENT_CALLBACK) and pushed into the framework's event
 *   queue, so qv_connect_domain_event_register_any() works unchanged.
 *   Known limit: the framework matches events to connections by driver, so
 *   a process with two remote connections sees each one's events on both.
 * - When the daemon goes away, calls in progress and later calls fail with
 *   QVIRT_ERR_RPC and the connection's close callback runs once (from the
 *   RPC loop thread, with the driver's lock held: it must not close the
 *   connection itself). */
#pragma once

#include "driver/driver.h"

/* Where the daemons listen. */
#define QV_REMOTE_SYSTEM_SOCKET "/run/qvirt/qvirt-sock"
#define QV_REMOTE_SYSTEM_SOCKET_RO "/run/qvirt/qvirt-sock-ro"
#define QV_REMOTE_TLS_PORT "16514"

int qv_remote_register(void);

/* The socket path the driver would use for URI and FLAGS (no transport or
 * the unix transport); a new string, or NULL with INVALID_ARG for a URI
 * that is not served over a UNIX socket. */
char *qv_remote_socket_path(const QvUri *uri, unsigned int flags);

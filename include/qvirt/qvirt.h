/* qvirt.h: the public header of libqvirt, the client library.
 *
 * A program includes this one header and links -lqvirt. It re-exports the
 * framework's public API (driver/api.h: qv_connect_*, qv_domain_*, events,
 * typed parameters) and the error slot (util/error.h), whose names and
 * semantics are the stable surface of the library:
 *
 *   QvConnect *conn = qv_connect_open("qemu:///session", 0);
 *   if (!conn) { fprintf(stderr, "%s\n", qvirt_error_last_message()); ... }
 *   QvDomain *dom = qv_domain_lookup_by_name(conn, "vm1");
 *   qv_domain_create(dom);
 *   qv_domain_unref(dom);
 *   qv_connect_close(conn);
 *
 * URIs: qemu:///session, qemu:///system, qemu+unix:///system?socket=PATH,
 * qemu+tls://host/system, test:///default (the daemon's test driver). Every
 * URI is served by a qvirtd (remote_driver.h says which socket is used).
 *
 * Contract:
 * - Every call follows driver/api.h: it resets the thread's error, fails
 *   with -1 or NULL and one error in the thread's slot (qvirt_error_get_last,
 *   qvirt_error_last_code, qvirt_error_last_message), codes as libvirt's.
 * - A daemon that goes away makes calls fail with QVIRT_ERR_RPC (also the
 *   calls already waiting), and runs the connection's close callback.
 * - Event callbacks (qv_connect_domain_event_register_any) run on the
 *   library's event thread, one at a time.
 * - The library registers its remote driver when it is loaded;
 *   qvirt_initialize() does it explicitly (idempotent). */
#pragma once

#include "driver/api.h"
#include "util/error.h"

/* Register the remote driver (done automatically at load time). Returns 0,
 * or -1 with an error. */
int qvirt_initialize(void);

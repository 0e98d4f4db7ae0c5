/* remote-testutil.h: what the tests/remote suites share: hand-written XDR
 * as libvirt's remote_protocol.x lays it out, the daemon fixture (qvirtd
 * with only the test driver, see testdaemon.h) and the stock virsh run
 * against it expecting NO_SUPPORT. */
#pragma once

#include <glib.h>

#include "driver/api.h"
#include "rpc/remote_protocol.h"
#include "testdaemon.h"

/* The UUID remote_test_put_domain() writes (and the daemon's default
 * host_uuid): 6695eb01-f6a4-8304-79aa-97f3502e193f. */
extern const guint8 remote_test_uuid[16];

/* DATA encoded by PROC (a new array). */
GByteArray *remote_test_xdr_encode(xdrproc_t proc, void *data);

void remote_test_put_u32(GByteArray *b, guint32 v);
void remote_test_put_u64(GByteArray *b, guint64 v);
/* Variable opaque or string: length, bytes, zero padding to 4. */
void remote_test_put_opaque(GByteArray *b, const void *data, guint32 len);
void remote_test_put_string(GByteArray *b, const char *s);
/* remote_nonnull_domain: NAME, remote_test_uuid, ID. */
void remote_test_put_domain(GByteArray *b, const char *name, int id);

/* Fixture setup: TD with a qvirtd.conf loading only the test driver, with
 * the host_uuid in DATA (a string), or remote_test_uuid's when NULL. */
void remote_test_daemon_setup(TestDaemon *td, gconstpointer data);
void remote_test_daemon_teardown(TestDaemon *td, gconstpointer data);

/* The connection of DOM (the test driver's running "test") still answers. */
void remote_test_assert_alive(QvDomain *dom);

/* One virsh command (ARGS NULL-terminated) and the API call its
 * NO_SUPPORT error must name. */
typedef struct {
    const char *args[8];
    const char *api;
} RemoteTestVirshCmd;

/* Start TD's daemon and run each of the N commands of CMDS with the stock
 * virsh against it: each must fail (exit 1) with NO_SUPPORT naming its
 * API call. Skips the case when virsh is not installed. */
void remote_test_virsh_no_support(TestDaemon *td, const RemoteTestVirshCmd *cmds, size_t n);

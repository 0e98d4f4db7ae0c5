/* fixture.h: a test RPC server on UNIX sockets in a temporary folder, with
 * a small dispatch table of dummy handlers, and helpers to talk to it with
 * raw sockets (to send exactly the bytes a test wants).
 *
 * Dummy handlers (REMOTE program unless noted):
 *   CONNECT_GET_HOSTNAME  -> "test-host" (read-only, priority)
 *   DOMAIN_LOOKUP_BY_NAME -> the domain NAME, id strlen(NAME), uuid bytes 0..15;
 *                            "missing" fails with NO_DOMAIN (read-only, priority)
 *   DOMAIN_DEFINE_XML     -> the domain named by the XML text, id -1 (mutating)
 *   CONNECT_GET_CAPABILITIES -> RPC_TEST_BIG_LEN bytes of 'x' (read-only)
 *   DOMAIN_SUSPEND        -> waits for the gate to open (mutating, normal pool)
 *   CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY -> sends a lifecycle event
 *                            (callback 7, domain "evdom", 2/3) first, returns 7
 *   RPC_TEST_PROC_FDS (9001) -> writes "hello" into the descriptor it got,
 *                            replies with the read end of a pipe holding "world" */
#pragma once

#include <glib.h>

#include "rpc/rpc_client.h"
#include "rpc/rpc_server.h"
#include "util/eventloop.h"
#include "util/threads.h"

/* Only guards against hangs; never a timing assertion. */
#define RPC_TEST_WAIT_MS (30 * 1000)
#define RPC_TEST_BIG_LEN (3 * 1024 * 1024 + 17)
#define RPC_TEST_PROC_FDS 9001
#define RPC_TEST_PROC_UNKNOWN 4242

typedef struct {
    char *dir;
    char *rw_path;
    char *ro_path;
    QvirtEventLoop *loop;
    RpcServer *server;

    QvirtMutex lock;
    QvirtCond cond;
    gboolean gate_open;
    guint blocked_now;    /* DOMAIN_SUSPEND handlers waiting at the gate */
    guint blocked_max;    /* the most seen at once */
    guint blocked_total;  /* DOMAIN_SUSPEND handlers that started */
    guint closed_clients; /* clients the server saw go */
} RpcTestServer;

/* CONFIG may be NULL. */
RpcTestServer *rpc_test_server_new(const RpcServerConfig *config);
void rpc_test_server_free(RpcTestServer *ts);

void rpc_test_server_open_gate(RpcTestServer *ts);
/* Wait until at least N DOMAIN_SUSPEND handlers are at the gate. */
void rpc_test_server_wait_blocked(RpcTestServer *ts, guint n);
/* Wait until the server saw at least N clients go. */
void rpc_test_server_wait_closed(RpcTestServer *ts, guint n);

RpcClient *rpc_test_client_new(RpcTestServer *ts, gboolean readonly);

/* A blocking raw connection to the read-write socket. */
int rpc_test_raw_connect(RpcTestServer *ts);
void rpc_test_raw_write(int fd, const void *buf, size_t len);
/* Write the packet HDR + payload. */
void rpc_test_raw_send(int fd, const RpcHeader *hdr, xdrproc_t proc, void *data);
/* Read one whole packet (header decoded), failing the test after the wait. */
RpcMessage *rpc_test_raw_read(int fd);
/* The same, but NULL at end of file. */
RpcMessage *rpc_test_raw_read_or_eof(int fd);
/* Whether the peer closed FD (end of file or reset) before the wait ends. */
gboolean rpc_test_raw_wait_eof(int fd);

/* A header of a CALL with SERIAL. */
RpcHeader rpc_test_call_header(guint32 prog, int proc, guint32 serial);

/* GET_HOSTNAME through CLIENT; asserts it works. */
void rpc_test_assert_hostname(RpcClient *client);

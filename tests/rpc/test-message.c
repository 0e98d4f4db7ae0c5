/* test-message.c: packets on their own: header layout and round trips,
 * every malformed length, program, version, type and status rejected, error
 * payloads, typed parameters, the exact wire layout of a few libvirt
 * structures, size limits, and the procedure catalog. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "rpc/rpc_keepalive.h"
#include "rpc/rpc_message.h"
#include "rpc/rpc_program.h"
#include "suites.h"
#include "testutil.h"

#define QVIRT_FROM_THIS QVIRT_FROM_DOMAIN

static void
put_be32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}

static guint32
get_be32(const guint8 *p)
{
    guint32 v;

    memcpy(&v, p, 4);
    return GUINT32_FROM_BE(v);
}

static RpcHeader
test_header(guint32 prog, int proc, int type, guint32 serial, int status)
{
    RpcHeader hdr = {
        .prog = prog,
        .vers = 1,
        .proc = proc,
        .type = type,
        .serial = serial,
        .status = status,
    };

    return hdr;
}

/* A packet holding exactly BYTES (length word included). */
static RpcMessage *
test_packet(const guint8 *bytes, size_t len)
{
    RpcMessage *msg = rpc_message_new();

    msg->buffer = g_memdup2(bytes, len);
    msg->length = len;
    return msg;
}

static void
test_header_layout(void)
{
    RpcHeader hdr = test_header(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN, RPC_WIRE_CALL, 0x01020304,
                                RPC_WIRE_OK);
    const guint8 expected[24] = {0x20, 0x00, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 1,
                                 0,    0,    0,    0,    1, 2, 3, 4, 0, 0, 0, 0};
    guint8 buf[24];
    RpcHeader back;

    rpc_header_encode(&hdr, buf);
    g_assert_cmpmem(buf, 24, expected, 24);
    g_assert_cmpint(rpc_header_decode(buf, &back), ==, 0);
    g_assert_cmpuint(back.prog, ==, REMOTE_PROGRAM);
    g_assert_cmpuint(back.vers, ==, 1);
    g_assert_cmpint(back.proc, ==, REMOTE_PROC_CONNECT_OPEN);
    g_assert_cmpint(back.type, ==, RPC_WIRE_CALL);
    g_assert_cmpuint(back.serial, ==, 0x01020304);
    g_assert_cmpint(back.status, ==, RPC_WIRE_OK);
}

static void
test_header_round_trip(void)
{
    const guint32 progs[] = {REMOTE_PROGRAM, QEMU_PROGRAM, KEEPALIVE_PROGRAM};

    for (size_t p = 0; p < G_N_ELEMENTS(progs); p++) {
        for (int type = RPC_WIRE_CALL; type <= RPC_WIRE_STREAM_HOLE; type++) {
            for (int status = RPC_WIRE_OK; status <= RPC_WIRE_CONTINUE; status++) {
                RpcHeader hdr =
                    test_header(progs[p], 1000 + type, type, 0xfffffff0 + status, status);
                RpcHeader back;
                guint8 buf[24];

                rpc_header_encode(&hdr, buf);
                g_assert_cmpint(rpc_header_decode(buf, &back), ==, 0);
                g_assert_cmpmem(&back, sizeof(back), &hdr, sizeof(hdr));
            }
        }
    }
}

static void
test_header_bad(void)
{
    struct {
        guint32 prog, vers;
        gint32 type, status;
        const char *error;
    } cases[] = {
        {0x12345678, 1, RPC_WIRE_CALL, RPC_WIRE_OK, "unknown RPC program 0x12345678"},
        {0, 1, RPC_WIRE_CALL, RPC_WIRE_OK, "unknown RPC program 0x0"},
        {REMOTE_PROGRAM, 2, RPC_WIRE_CALL, RPC_WIRE_OK, "unsupported version 2"},
        {REMOTE_PROGRAM, 0, RPC_WIRE_CALL, RPC_WIRE_OK, "unsupported version 0"},
        {KEEPALIVE_PROGRAM, 7, RPC_WIRE_MESSAGE, RPC_WIRE_OK, "unsupported version 7"},
        {REMOTE_PROGRAM, 1, 7, RPC_WIRE_OK, "unknown RPC message type 7"},
        {REMOTE_PROGRAM, 1, -1, RPC_WIRE_OK, "unknown RPC message type -1"},
        {QEMU_PROGRAM, 1, RPC_WIRE_CALL, 3, "unknown RPC message status 3"},
        {QEMU_PROGRAM, 1, RPC_WIRE_CALL, -2, "unknown RPC message status -2"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        guint8 buf[24] = {0};
        RpcHeader back = {.serial = 99};

        put_be32(buf, cases[i].prog);
        put_be32(buf + 4, cases[i].vers);
        put_be32(buf + 12, (guint32)cases[i].type);
        put_be32(buf + 20, (guint32)cases[i].status);
        qvirt_error_reset();
        g_assert_cmpint(rpc_header_decode(buf, &back), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_RPC, cases[i].error);
        g_assert_cmpuint(back.serial, ==, 99); /* untouched */
    }
}

static void
test_length_limits(void)
{
    const guint32 bad[] = {0, 4, 27, RPC_MESSAGE_MAX_LENGTH + 1, 0x7fffffff, 0xffffffff};
    const guint32 good[] = {28, 29, 65536, RPC_MESSAGE_MAX_LENGTH};

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        guint8 buf[4];
        size_t len = 1234;

        put_be32(buf, bad[i]);
        qvirt_error_reset();
        g_assert_cmpint(rpc_message_decode_length(buf, &len), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_RPC, bad[i] < 28 ? "too short" : "too large");
        g_assert_cmpuint(len, ==, 1234);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        guint8 buf[4];
        size_t len = 0;

        put_be32(buf, good[i]);
        g_assert_cmpint(rpc_message_decode_length(buf, &len), ==, 0);
        g_assert_cmpuint(len, ==, good[i]);
    }
    /* 32 MiB after the length word, as libvirt counts. */
    g_assert_cmpuint(RPC_MESSAGE_MAX_LENGTH, ==, 4 + 32 * 1024 * 1024);
}

static void
test_packet_round_trip(void)
{
    g_autoptr(RpcMessage) msg = rpc_message_new();
    g_autoptr(RpcMessage) in = NULL;
    remote_domain_lookup_by_name_args args = {.name = (char *)"guest-1"};
    remote_domain_lookup_by_name_args back = {0};
    RpcHeader hdr = test_header(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, RPC_WIRE_CALL,
                                42, RPC_WIRE_OK);

    g_assert_cmpint(
        rpc_message_encode(msg, &hdr, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &args), ==,
        0);
    /* length, header, then the string: length 7, "guest-1", one byte of padding */
    g_assert_cmpuint(msg->length, ==, 4 + 24 + 4 + 8);
    g_assert_cmpuint(get_be32(msg->buffer), ==, msg->length);
    g_assert_cmpuint(get_be32(msg->buffer + 28), ==, 7);
    g_assert_cmpmem(msg->buffer + 32, 7, "guest-1", 7);
    g_assert_cmpint(msg->buffer[39], ==, 0);

    in = test_packet(msg->buffer, msg->length);
    g_assert_cmpint(rpc_message_decode_header(in), ==, 0);
    g_assert_cmpmem(&in->header, sizeof(in->header), &hdr, sizeof(hdr));
    g_assert_cmpuint(in->offset, ==, 28);
    g_assert_cmpint(
        rpc_message_decode_payload(in, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &back), ==,
        0);
    g_assert_cmpstr(back.name, ==, "guest-1");
    xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_name_args, (char *)&back);
}

static void
test_packet_bad(void)
{
    g_autoptr(RpcMessage) msg = rpc_message_new();
    remote_domain_lookup_by_name_args args = {.name = (char *)"guest-1"};
    remote_domain_lookup_by_name_args back = {0};
    RpcHeader hdr = test_header(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, RPC_WIRE_CALL, 1,
                                RPC_WIRE_OK);
    g_autoptr(RpcMessage) cut = NULL;
    g_autoptr(RpcMessage) longer = NULL;
    g_autoptr(RpcMessage) huge_string = NULL;
    guint8 *bytes;

    g_assert_cmpint(
        rpc_message_encode(msg, &hdr, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &args), ==,
        0);

    /* The length word disagrees with the bytes received. */
    longer = test_packet(msg->buffer, msg->length);
    put_be32(longer->buffer, msg->length + 4);
    qvirt_error_reset();
    g_assert_cmpint(rpc_message_decode_header(longer), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "incomplete RPC packet");

    /* Truncated payload: the string claims more than is there. */
    cut = test_packet(msg->buffer, msg->length - 4);
    put_be32(cut->buffer, msg->length - 4);
    g_assert_cmpint(rpc_message_decode_header(cut), ==, 0);
    qvirt_error_reset();
    g_assert_cmpint(
        rpc_message_decode_payload(cut, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &back),
        ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "cannot decode the payload");
    xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_name_args, (char *)&back);

    /* A string length over 4 MiB is refused before anything is allocated. */
    bytes = g_malloc0(32);
    put_be32(bytes, 32);
    rpc_header_encode(&hdr, bytes + 4);
    put_be32(bytes + 28, 5 * 1024 * 1024);
    huge_string = test_packet(bytes, 32);
    g_free(bytes);
    g_assert_cmpint(rpc_message_decode_header(huge_string), ==, 0);
    memset(&back, 0, sizeof(back));
    qvirt_error_reset();
    g_assert_cmpint(rpc_message_decode_payload(
                        huge_string, (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &back),
                    ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "cannot decode the payload");
    g_assert_null(back.name);
}

static void
test_fds_count(void)
{
    RpcHeader hdr = test_header(REMOTE_PROGRAM, 9001, RPC_WIRE_CALL_WITH_FDS, 5, RPC_WIRE_OK);
    guint8 bytes[36];
    int pipefd[2];

    /* Encoding puts the count before the payload. */
    {
        g_autoptr(RpcMessage) msg = rpc_message_new();
        g_autoptr(RpcMessage) in = NULL;

        g_assert_cmpint(pipe(pipefd), ==, 0);
        g_assert_cmpint(rpc_message_add_fd(msg, pipefd[0]), ==, 0);
        g_assert_cmpint(rpc_message_add_fd(msg, pipefd[1]), ==, 0);
        g_assert_cmpint(rpc_message_encode(msg, &hdr, RPC_XDR_VOID, NULL), ==, 0);
        g_assert_cmpuint(msg->length, ==, 32);
        g_assert_cmpuint(get_be32(msg->buffer + 28), ==, 2);

        in = test_packet(msg->buffer, msg->length);
        g_assert_cmpint(rpc_message_decode_header(in), ==, 0);
        g_assert_cmpuint(in->nfds, ==, 2);
        g_assert_cmpint(in->fds[0], ==, -1);
        g_assert_cmpuint(in->offset, ==, 32);
    }

    /* Descriptors need a *_WITH_FDS type. */
    {
        g_autoptr(RpcMessage) msg = rpc_message_new();
        RpcHeader plain = test_header(REMOTE_PROGRAM, 9001, RPC_WIRE_CALL, 5, RPC_WIRE_OK);

        g_assert_cmpint(pipe(pipefd), ==, 0);
        close(pipefd[1]);
        g_assert_cmpint(rpc_message_add_fd(msg, pipefd[0]), ==, 0);
        qvirt_error_reset();
        g_assert_cmpint(rpc_message_encode(msg, &plain, RPC_XDR_VOID, NULL), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_INTERNAL_ERROR, "cannot carry descriptors");
        g_assert_cmpint(rpc_message_steal_fd(msg, 0), ==, pipefd[0]);
        g_assert_cmpint(rpc_message_steal_fd(msg, 0), ==, -1);
        g_assert_cmpint(rpc_message_steal_fd(msg, 1), ==, -1);
        close(pipefd[0]);
    }

    /* At most 32 descriptors, both ways. */
    {
        g_autoptr(RpcMessage) msg = rpc_message_new();
        g_autoptr(RpcMessage) in = NULL;

        for (int i = 0; i < RPC_WIRE_NUM_FDS_MAX; i++)
            g_assert_cmpint(rpc_message_add_fd(msg, open("/dev/null", O_RDONLY | O_CLOEXEC)), ==,
                            0);
        qvirt_error_reset();
        g_assert_cmpint(rpc_message_add_fd(msg, 0), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_RPC, "at most 32 descriptors");

        put_be32(bytes, 32);
        rpc_header_encode(&hdr, bytes + 4);
        put_be32(bytes + 28, 33);
        in = test_packet(bytes, 32);
        qvirt_error_reset();
        g_assert_cmpint(rpc_message_decode_header(in), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_RPC, "announces 33 descriptors");
    }

    /* A *_WITH_FDS packet without room for the count. */
    {
        g_autoptr(RpcMessage) in = NULL;

        put_be32(bytes, 28);
        rpc_header_encode(&hdr, bytes + 4);
        in = test_packet(bytes, 28);
        qvirt_error_reset();
        g_assert_cmpint(rpc_message_decode_header(in), ==, -1);
        qvirt_test_assert_error(QVIRT_ERR_RPC, "lacks its descriptor count");
    }
}

static void
test_error_round_trip(void)
{
    RpcHeader call = test_header(QEMU_PROGRAM, QEMU_PROC_DOMAIN_MONITOR_COMMAND,
                                 RPC_WIRE_CALL_WITH_FDS, 77, RPC_WIRE_OK);
    QvirtError err = {
        .code = QVIRT_ERR_NO_DOMAIN,
        .domain = QVIRT_FROM_DOMAIN,
        .level = QVIRT_ERR_LEVEL_ERROR,
        .message = (char *)"Domain not found: no domain with matching name 'x'",
    };
    g_autoptr(RpcMessage) msg = rpc_message_new();
    g_autoptr(RpcMessage) in = NULL;
    g_autoptr(QvirtError) back = NULL;
    size_t off;

    rpc_message_encode_error(msg, &call, &err);
    in = test_packet(msg->buffer, msg->length);
    g_assert_cmpint(rpc_message_decode_header(in), ==, 0);
    g_assert_cmpint(in->header.type, ==, RPC_WIRE_REPLY); /* never WITH_FDS */
    g_assert_cmpint(in->header.status, ==, RPC_WIRE_ERROR);
    g_assert_cmpuint(in->header.serial, ==, 77);
    g_assert_cmpint(in->header.proc, ==, QEMU_PROC_DOMAIN_MONITOR_COMMAND);

    /* Layout: code, domain, message present (1) + string, level, dom absent
     * (0), str1..3 absent, int1, int2, net absent. */
    off = 28;
    g_assert_cmpuint(get_be32(in->buffer + off), ==, QVIRT_ERR_NO_DOMAIN);
    g_assert_cmpuint(get_be32(in->buffer + off + 4), ==, QVIRT_FROM_DOMAIN);
    g_assert_cmpuint(get_be32(in->buffer + off + 8), ==, 1);
    g_assert_cmpuint(get_be32(in->buffer + off + 12), ==, strlen(err.message));
    off += 16 + ((strlen(err.message) + 3) & ~3u);
    g_assert_cmpuint(get_be32(in->buffer + off), ==, QVIRT_ERR_LEVEL_ERROR);
    for (int i = 1; i <= 7; i++)
        g_assert_cmpuint(get_be32(in->buffer + off + 4 * i), ==, 0);
    g_assert_cmpuint(in->length, ==, off + 32);

    back = rpc_message_decode_error(in);
    g_assert_nonnull(back);
    g_assert_cmpint(back->code, ==, err.code);
    g_assert_cmpint(back->domain, ==, err.domain);
    g_assert_cmpint(back->level, ==, err.level);
    g_assert_cmpstr(back->message, ==, err.message);

    /* raise_error puts it in the thread's slot. */
    in->offset = 28;
    qvirt_error_reset();
    g_assert_cmpint(rpc_message_raise_error(in), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_NO_DOMAIN, "no domain with matching name 'x'");
    g_assert_cmpint(qvirt_error_get_last()->domain, ==, QVIRT_FROM_DOMAIN);
}

static void
test_error_from_thread(void)
{
    RpcHeader call = test_header(REMOTE_PROGRAM, 3, RPC_WIRE_CALL, 5, RPC_WIRE_OK);
    g_autoptr(RpcMessage) msg = rpc_message_new();
    g_autoptr(RpcMessage) none = rpc_message_new();
    g_autoptr(QvirtError) back = NULL;
    g_autoptr(QvirtError) unknown = NULL;

    qvirt_report_error(QVIRT_ERR_OPERATION_INVALID, "domain is not running");
    rpc_message_encode_error(msg, &call, NULL);
    msg->offset = 28;
    back = rpc_message_decode_error(msg);
    g_assert_cmpint(back->code, ==, QVIRT_ERR_OPERATION_INVALID);
    g_assert_cmpint(back->domain, ==, QVIRT_FROM_DOMAIN);
    g_assert_cmpstr(back->message, ==, "domain is not running");

    /* No error set at all: still a valid error reply. */
    qvirt_error_reset();
    rpc_message_encode_error(none, &call, NULL);
    none->offset = 28;
    unknown = rpc_message_decode_error(none);
    g_assert_cmpint(unknown->code, ==, QVIRT_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(unknown->message, "unknown"));
}

static void
test_error_malformed(void)
{
    RpcHeader hdr = test_header(REMOTE_PROGRAM, 3, RPC_WIRE_REPLY, 5, RPC_WIRE_ERROR);
    guint8 bytes[40] = {0};
    g_autoptr(RpcMessage) in = NULL;

    /* code, domain, then a "present" message whose length runs past the end */
    put_be32(bytes, 40);
    rpc_header_encode(&hdr, bytes + 4);
    put_be32(bytes + 28, 1);
    put_be32(bytes + 32, 7);
    put_be32(bytes + 36, 1);
    in = test_packet(bytes, 40);
    g_assert_cmpint(rpc_message_decode_header(in), ==, 0);
    qvirt_error_reset();
    g_assert_null(rpc_message_decode_error(in));
    qvirt_test_assert_error(QVIRT_ERR_RPC, "cannot decode the payload");
    in->offset = 28;
    qvirt_error_reset();
    g_assert_cmpint(rpc_message_raise_error(in), ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "cannot decode the payload");
}

static void
test_typed_params(void)
{
    remote_typed_param params[7] = {0};
    remote_domain_get_job_stats_ret ret = {0};
    remote_domain_get_job_stats_ret back = {0};
    RpcHeader hdr = test_header(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_JOB_STATS, RPC_WIRE_REPLY, 9,
                                RPC_WIRE_OK);
    g_autoptr(RpcMessage) msg = rpc_message_new();
    g_autoptr(RpcMessage) in = NULL;
    g_autoptr(RpcMessage) bad = NULL;
    const char *names[7] = {"i", "ui", "l", "ul", "d", "b", "s"};

    for (int i = 0; i < 7; i++) {
        params[i].field = (char *)names[i];
        params[i].value.type = i + 1;
    }
    params[0].value.remote_typed_param_value_u.i = -5;
    params[1].value.remote_typed_param_value_u.ui = 4000000000u;
    params[2].value.remote_typed_param_value_u.l = -(1LL << 40);
    params[3].value.remote_typed_param_value_u.ul = G_MAXUINT64;
    params[4].value.remote_typed_param_value_u.d = 0.25;
    params[5].value.remote_typed_param_value_u.b = 1;
    params[6].value.remote_typed_param_value_u.s = (char *)"tcp://dst:49152";
    ret.type = 2;
    ret.params.params_len = 7;
    ret.params.params_val = params;

    g_assert_cmpint(
        rpc_message_encode(msg, &hdr, (xdrproc_t)xdr_remote_domain_get_job_stats_ret, &ret), ==, 0);
    /* The first parameter: field "i" (length 1 + 3 padding), type 1, value -5. */
    g_assert_cmpuint(get_be32(msg->buffer + 28), ==, 2);
    g_assert_cmpuint(get_be32(msg->buffer + 32), ==, 7);
    g_assert_cmpuint(get_be32(msg->buffer + 36), ==, 1);
    g_assert_cmpint(msg->buffer[40], ==, 'i');
    g_assert_cmpuint(get_be32(msg->buffer + 44), ==, REMOTE_TYPED_PARAM_INT);
    g_assert_cmpuint(get_be32(msg->buffer + 48), ==, (guint32)-5);

    in = test_packet(msg->buffer, msg->length);
    g_assert_cmpint(rpc_message_decode_header(in), ==, 0);
    g_assert_cmpint(
        rpc_message_decode_payload(in, (xdrproc_t)xdr_remote_domain_get_job_stats_ret, &back), ==,
        0);
    g_assert_cmpint(back.type, ==, 2);
    g_assert_cmpuint(back.params.params_len, ==, 7);
    for (int i = 0; i < 7; i++) {
        g_assert_cmpstr(back.params.params_val[i].field, ==, names[i]);
        g_assert_cmpint(back.params.params_val[i].value.type, ==, i + 1);
    }
    g_assert_cmpint(back.params.params_val[0].value.remote_typed_param_value_u.i, ==, -5);
    g_assert_cmpuint(back.params.params_val[1].value.remote_typed_param_value_u.ui, ==,
                     4000000000u);
    g_assert_cmpint(back.params.params_val[2].value.remote_typed_param_value_u.l, ==, -(1LL << 40));
    g_assert_cmpuint(back.params.params_val[3].value.remote_typed_param_value_u.ul, ==,
                     G_MAXUINT64);
    g_assert_cmpfloat(back.params.params_val[4].value.remote_typed_param_value_u.d, ==, 0.25);
    g_assert_cmpint(back.params.params_val[5].value.remote_typed_param_value_u.b, ==, 1);
    g_assert_cmpstr(back.params.params_val[6].value.remote_typed_param_value_u.s, ==,
                    "tcp://dst:49152");
    xdr_free((xdrproc_t)xdr_remote_domain_get_job_stats_ret, (char *)&back);

    /* An unknown parameter type cannot be decoded. */
    bad = test_packet(msg->buffer, msg->length);
    put_be32(bad->buffer + 44, 8);
    g_assert_cmpint(rpc_message_decode_header(bad), ==, 0);
    memset(&back, 0, sizeof(back));
    qvirt_error_reset();
    g_assert_cmpint(
        rpc_message_decode_payload(bad, (xdrproc_t)xdr_remote_domain_get_job_stats_ret, &back), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "cannot decode");
    xdr_free((xdrproc_t)xdr_remote_domain_get_job_stats_ret, (char *)&back);
}

/* Layouts whose C types are narrower than their XDR encoding. */
static void
test_wire_layouts(void)
{
    remote_domain_get_info_ret info = {
        .state = 1, .maxMem = 2, .memory = 3, .nrVirtCpu = 4, .cpuTime = 5};
    remote_node_get_info_ret node = {.memory = 7, .cpus = 8};
    RpcHeader hdr =
        test_header(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_GET_INFO, RPC_WIRE_REPLY, 1, RPC_WIRE_OK);
    g_autoptr(RpcMessage) msg = rpc_message_new();
    g_autoptr(RpcMessage) msg2 = rpc_message_new();

    g_assert_cmpint(rpc_message_encode(msg, &hdr, (xdrproc_t)xdr_remote_domain_get_info_ret, &info),
                    ==, 0);
    /* state: one word; three hypers; nrVirtCpu: one word */
    g_assert_cmpuint(msg->length, ==, 28 + 4 + 8 + 8 + 4 + 8);
    g_assert_cmpuint(get_be32(msg->buffer + 28), ==, 1);
    g_assert_cmpuint(get_be32(msg->buffer + 48), ==, 4);

    memcpy(node.model, "x86_64", 6);
    hdr.proc = REMOTE_PROC_NODE_GET_INFO;
    g_assert_cmpint(rpc_message_encode(msg2, &hdr, (xdrproc_t)xdr_remote_node_get_info_ret, &node),
                    ==, 0);
    /* model: 32 chars of one word each, then memory and six ints */
    g_assert_cmpuint(msg2->length, ==, 28 + 32 * 4 + 8 + 6 * 4);
    g_assert_cmpuint(get_be32(msg2->buffer + 28), ==, 'x');
    g_assert_cmpuint(get_be32(msg2->buffer + 28 + 4 * 5), ==, '4');
    g_assert_cmpuint(get_be32(msg2->buffer + 28 + 128 + 8), ==, 8);
}

static void
test_size_limits(void)
{
    remote_connect_list_defined_domains_ret ret = {0};
    char *names[9];
    g_autofree char *four_mib = g_malloc(REMOTE_STRING_MAX + 2);
    RpcHeader hdr = test_header(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
                                RPC_WIRE_REPLY, 3, RPC_WIRE_OK);
    g_autoptr(RpcMessage) msg = rpc_message_new();
    remote_connect_get_hostname_ret host = {0};

    memset(four_mib, 'a', REMOTE_STRING_MAX);
    four_mib[REMOTE_STRING_MAX] = '\0';
    for (int i = 0; i < 9; i++)
        names[i] = four_mib;

    /* Seven 4 MiB strings: far beyond the first buffer, within the limit. */
    ret.names.names_len = 7;
    ret.names.names_val = names;
    g_assert_cmpint(
        rpc_message_encode(msg, &hdr, (xdrproc_t)xdr_remote_connect_list_defined_domains_ret, &ret),
        ==, 0);
    g_assert_cmpuint(msg->length, ==, 28 + 4 + 7 * (4 + REMOTE_STRING_MAX));

    /* Nine: over 32 MiB. */
    ret.names.names_len = 9;
    qvirt_error_reset();
    g_assert_cmpint(
        rpc_message_encode(msg, &hdr, (xdrproc_t)xdr_remote_connect_list_defined_domains_ret, &ret),
        ==, -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "too large or invalid");
    g_assert_null(msg->buffer);

    /* A string one byte over its bound. */
    four_mib[REMOTE_STRING_MAX] = 'a';
    four_mib[REMOTE_STRING_MAX + 1] = '\0';
    host.hostname = four_mib;
    hdr.proc = REMOTE_PROC_CONNECT_GET_HOSTNAME;
    qvirt_error_reset();
    g_assert_cmpint(
        rpc_message_encode(msg, &hdr, (xdrproc_t)xdr_remote_connect_get_hostname_ret, &host), ==,
        -1);
    qvirt_test_assert_error(QVIRT_ERR_RPC, "too large or invalid");
}

static void
test_catalog(void)
{
    /* Every procedure number issue 8 and rpc-compat.md name. */
    const int remote[] = {1,   2,   3,   4,   5,   6,   7,   59,  60,  66,  110, 149, 157, 203, 273,
                          342, 344, 360, 361, 51,  37,  25,  21,  22,  23,  24,  11,  350, 35,  231,
                          9,   196, 10,  12,  234, 33,  258, 27,  245, 34,  28,  16,  212, 14,  15,
                          29,  150, 151, 163, 298, 164, 442, 55,  232, 54,  233, 182, 183, 184, 53,
                          334, 237, 238, 239, 240, 266, 290, 345, 302, 303, 305, 306, 307, 166, 387,
                          207, 242, 364, 316, 317, 318, 319, 326, 339, 359, 363, 136};
    const int events[] = {318, 319, 326, 339, 359, 363};
    const int qemu[] = {1, 4, 5, 6};
    size_t count;
    const RpcProcInfo *all = rpc_program_list(&count);

    for (size_t i = 0; i < G_N_ELEMENTS(remote); i++) {
        const RpcProcInfo *info = rpc_program_lookup(REMOTE_PROGRAM, remote[i]);

        if (!info)
            g_error("REMOTE procedure %d is missing from the catalog", remote[i]);
        g_assert_cmpint(info->proc, ==, remote[i]);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(events); i++)
        g_assert_true(rpc_program_lookup(REMOTE_PROGRAM, events[i])->flags & RPC_PROC_EVENT);
    for (size_t i = 0; i < G_N_ELEMENTS(qemu); i++)
        g_assert_nonnull(rpc_program_lookup(QEMU_PROGRAM, qemu[i]));
    g_assert_nonnull(rpc_program_lookup(KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PING));
    g_assert_nonnull(rpc_program_lookup(KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PONG));
    g_assert_null(rpc_program_lookup(REMOTE_PROGRAM, 8));
    g_assert_null(rpc_program_lookup(REMOTE_PROGRAM, 0));
    g_assert_null(rpc_program_lookup(0x1234, 1));
    g_assert_cmpstr(rpc_program_lookup(REMOTE_PROGRAM, 136)->name, ==,
                    "CONNECT_DOMAIN_XML_TO_NATIVE");

    for (size_t i = 0; i < count; i++) {
        const RpcProcInfo *p = &all[i];

        /* sorted and unique, so lookup finds every entry */
        if (i > 0)
            g_assert_true(p[-1].prog < p->prog || (p[-1].prog == p->prog && p[-1].proc < p->proc));
        g_assert_true(rpc_program_lookup(p->prog, p->proc) == p);
        g_assert_true((p->args_proc == RPC_XDR_VOID) == (p->args_size == 0));
        g_assert_true((p->ret_proc == RPC_XDR_VOID) == (p->ret_size == 0));
        if (p->flags & RPC_PROC_EVENT)
            g_assert_true(p->ret_proc == RPC_XDR_VOID && !(p->flags & RPC_PROC_PRIORITY));
        g_assert_nonnull(p->name);
    }
    /* What the virsh connection sequence needs on a read-only socket. */
    g_assert_true(rpc_program_lookup(REMOTE_PROGRAM, REMOTE_PROC_CONNECT_OPEN)->flags &
                  RPC_PROC_READONLY_OK);
    g_assert_false(rpc_program_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY)->flags &
                   RPC_PROC_READONLY_OK);
    g_assert_true(rpc_program_lookup(REMOTE_PROGRAM, REMOTE_PROC_DOMAIN_DESTROY)->flags &
                  RPC_PROC_PRIORITY);
    g_assert_cmpstr(rpc_program_name(QEMU_PROGRAM), ==, "QEMU");
    g_assert_null(rpc_program_name(1));
    g_assert_cmpuint(rpc_program_version(KEEPALIVE_PROGRAM), ==, 1);
    g_assert_cmpuint(rpc_program_version(77), ==, 0);
}

/* The fuzzer's seed corpus was written byte by byte from libvirt's layouts,
 * independently of the .x files: every packet in it must decode with the
 * catalog's types and use up its payload exactly. bad.bin is the one seed
 * that must not decode (a truncated packet). */
static void
test_seed_corpus(void)
{
    g_autofree char *dir = qvirt_test_srcpath("../fuzz/corpus-rpcmsg");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    guint files = 0;
    guint packets = 0;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *data = NULL;
        gsize len;
        gsize pos = 0;
        gboolean bad = g_str_equal(name, "bad.bin");

        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        files++;
        while (pos < len) {
            g_autoptr(RpcMessage) msg = NULL;
            const RpcProcInfo *info;
            size_t length;
            xdrproc_t proc;
            size_t size;
            g_autofree void *storage = NULL;

            g_assert_cmpint(rpc_message_decode_length((const guint8 *)data + pos, &length), ==, 0);
            if (bad) {
                g_assert_cmpuint(pos + length, >, len);
                break;
            }
            g_assert_cmpuint(pos + length, <=, len);
            msg = test_packet((const guint8 *)data + pos, length);
            pos += length;
            packets++;
            g_assert_cmpint(rpc_message_decode_header(msg), ==, 0);
            if (msg->header.prog == KEEPALIVE_PROGRAM) {
                g_assert_cmpint(rpc_keepalive_check_message(msg), >, 0);
                continue;
            }
            if (msg->header.status == RPC_WIRE_ERROR) {
                g_autoptr(QvirtError) err = rpc_message_decode_error(msg);

                g_assert_nonnull(err);
                g_assert_cmpuint(msg->offset, ==, msg->length);
                continue;
            }
            info = rpc_program_lookup(msg->header.prog, msg->header.proc);
            if (!info)
                g_error("%s: procedure %d is not in the catalog", name, msg->header.proc);
            if (msg->header.type == RPC_WIRE_REPLY || msg->header.type == RPC_WIRE_REPLY_WITH_FDS) {
                proc = info->ret_proc;
                size = info->ret_size;
            } else {
                proc = info->args_proc;
                size = info->args_size;
            }
            storage = g_malloc0(MAX(size, 1));
            if (rpc_message_decode_payload(msg, proc, storage) < 0)
                g_error("%s: %s: %s", name, info->name, qvirt_error_last_message());
            if (msg->offset != msg->length)
                g_error("%s: %s: %zu bytes left over", name, info->name, msg->length - msg->offset);
            xdr_free(proc, storage);
        }
    }
    g_assert_cmpuint(files, >=, 5);
    g_assert_cmpuint(packets, >=, 30);
}

void
test_message_register(void)
{
    g_test_add_func("/rpc/message/header-layout", test_header_layout);
    g_test_add_func("/rpc/message/header-round-trip", test_header_round_trip);
    g_test_add_func("/rpc/message/header-bad", test_header_bad);
    g_test_add_func("/rpc/message/length-limits", test_length_limits);
    g_test_add_func("/rpc/message/packet-round-trip", test_packet_round_trip);
    g_test_add_func("/rpc/message/packet-bad", test_packet_bad);
    g_test_add_func("/rpc/message/fds-count", test_fds_count);
    g_test_add_func("/rpc/message/error-round-trip", test_error_round_trip);
    g_test_add_func("/rpc/message/error-from-thread", test_error_from_thread);
    g_test_add_func("/rpc/message/error-malformed", test_error_malformed);
    g_test_add_func("/rpc/message/typed-params", test_typed_params);
    g_test_add_func("/rpc/message/wire-layouts", test_wire_layouts);
    g_test_add_func("/rpc/message/size-limits", test_size_limits);
    g_test_add_func("/rpc/message/catalog", test_catalog);
    g_test_add_func("/rpc/message/seed-corpus", test_seed_corpus);
}

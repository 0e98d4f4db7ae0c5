/* rpc_socket.c: stream sockets for RPC (the contract is in rpc_socket.h). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/rpc_socket.h"
#include "util/deadline.h"
#include "util/error.h"
#include "util/log.h"

#define QVIRT_FROM_THIS QVIRT_FROM_RPC

QVIRT_LOG_INIT("rpc.socket");

struct _RpcSocket {
    int fd;
    gboolean is_unix;
    char *unix_path; /* a listener's path, removed when freed... */
    dev_t unix_dev;  /* ...if the socket there is still this one */
    ino_t unix_ino;
    char *peer_name;
    gboolean have_creds;
    struct ucred creds; /* taken at accept/connect */
    RpcTlsSession *tls;
};

static RpcSocket *
rpc_socket_wrap(int fd, gboolean is_unix)
{
    RpcSocket *sock = g_new0(RpcSocket, 1);

    sock->fd = fd;
    sock->is_unix = is_unix;
    return sock;
}

void
rpc_socket_free(RpcSocket *sock)
{
    if (!sock)
        return;
    rpc_tls_session_free(sock->tls);
    if (sock->fd >= 0)
        close(sock->fd);
    if (sock->unix_path) {
        struct stat sb;

        if (lstat(sock->unix_path, &sb) == 0 && sb.st_dev == sock->unix_dev &&
            sb.st_ino == sock->unix_ino)
            unlink(sock->unix_path);
    }
    g_free(sock->unix_path);
    g_free(sock->peer_name);
    g_free(sock);
}

static int
rpc_socket_set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        qvirt_report_system_error(errno, _("cannot make socket %d non-blocking"), fd);
        return -1;
    }
    return 0;
}

/* Fill in the peer's name and, on UNIX sockets, its credentials. */
static void
rpc_socket_learn_peer(RpcSocket *sock)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    char host[NI_MAXHOST];
    char serv[NI_MAXSERV];

    if (sock->is_unix) {
        socklen_t len = sizeof(sock->creds);

        sock->peer_name = g_strdup("unix");
        if (getsockopt(sock->fd, SOL_SOCKET, SO_PEERCRED, &sock->creds, &len) == 0)
            sock->have_creds = TRUE;
        return;
    }
    if (getpeername(sock->fd, (struct sockaddr *)&ss, &sslen) == 0 &&
        getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        sock->peer_name = g_strdup_printf("%s;%s", host, serv);
    else
        sock->peer_name = g_strdup("tcp");
}

RpcSocket *
rpc_socket_new_fd(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    RpcSocket *sock;

    if (fd < 0) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("invalid socket descriptor %d"), fd);
        return NULL;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0) {
        qvirt_report_system_error(errno, _("descriptor %d is not a socket"), fd);
        close(fd);
        return NULL;
    }
    if (rpc_socket_set_nonblock(fd) < 0) {
        close(fd);
        return NULL;
    }
    sock = rpc_socket_wrap(fd, ss.ss_family == AF_UNIX);
    rpc_socket_learn_peer(sock);
    return sock;
}

static int
rpc_socket_unix_addr(const char *path, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr->sun_path)) {
        qvirt_report_error(QVIRT_ERR_INVALID_ARG, _("socket path '%s' is longer than %zu bytes"),
                           path, sizeof(addr->sun_path) - 1);
        return -1;
    }
    memcpy(addr->sun_path, path, strlen(path) + 1);
    return 0;
}

RpcSocket *
rpc_socket_listen_unix(const char *path, mode_t mode)
{
    g_autofree char *tmp = g_strdup_printf("%s.%d.new", path, (int)getpid());
    struct sockaddr_un addr;
    struct stat sb;
    RpcSocket *sock;
    int fd;

    if (rpc_socket_unix_addr(tmp, &addr) < 0)
        return NULL;
    if (lstat(path, &sb) == 0 && !S_ISSOCK(sb.st_mode)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("cannot listen on '%s': it exists and is not a socket"), path);
        return NULL;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot create a socket for '%s'"), path);
        return NULL;
    }
    unlink(tmp);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        qvirt_report_system_error(errno, _("cannot bind socket '%s'"), tmp);
        close(fd);
        return NULL;
    }
    if (chmod(tmp, mode) < 0 || rename(tmp, path) < 0) {
        qvirt_report_system_error(errno, _("cannot set up socket '%s'"), path);
        unlink(tmp);
        close(fd);
        return NULL;
    }
    if (listen(fd, SOMAXCONN) < 0) {
        qvirt_report_system_error(errno, _("cannot listen on socket '%s'"), path);
        unlink(path);
        close(fd);
        return NULL;
    }
    sock = rpc_socket_wrap(fd, TRUE);
    if (lstat(path, &sb) == 0) {
        sock->unix_path = g_strdup(path);
        sock->unix_dev = sb.st_dev;
        sock->unix_ino = sb.st_ino;
    }
    sock->peer_name = g_strdup(path);
    QVIRT_DEBUG("listening on '%s' (mode %04o)", path, (unsigned int)mode);
    return sock;
}

RpcSocket *
rpc_socket_listen_tcp(const char *host, const char *service)
{
    struct addrinfo hints = {
        .ai_flags = AI_PASSIVE | AI_ADDRCONFIG,
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
    };
    struct addrinfo *ai = NULL;
    int saved = 0;
    int rc;
    int fd = -1;
    RpcSocket *sock;

    rc = getaddrinfo(host, service, &hints, &ai);
    if (rc != 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("cannot resolve '%s' port '%s': %s"),
                           host ? host : "*", service, gai_strerror(rc));
        return NULL;
    }
    for (struct addrinfo *cur = ai; cur; cur = cur->ai_next) {
        int on = 1;

        fd = socket(cur->ai_family, cur->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    cur->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (bind(fd, cur->ai_addr, cur->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        qvirt_report_system_error(saved, _("cannot listen on '%s' port '%s'"), host ? host : "*",
                                  service);
        return NULL;
    }
    sock = rpc_socket_wrap(fd, FALSE);
    sock->peer_name = g_strdup_printf("%s;%s", host ? host : "*", service);
    return sock;
}

int
rpc_socket_accept(RpcSocket *listener, RpcSocket **ret_sock)
{
    RpcSocket *sock;
    int fd;

    do {
        fd = accept4(listener->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
            return RPC_IO_AGAIN;
        qvirt_report_system_error(errno, _("cannot accept a connection on '%s'"),
                                  listener->peer_name);
        return RPC_IO_ERROR;
    }
    sock = rpc_socket_wrap(fd, listener->is_unix);
    if (!sock->is_unix) {
        int on = 1;

        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    }
    rpc_socket_learn_peer(sock);
    *ret_sock = sock;
    return 0;
}

RpcSocket *
rpc_socket_connect_unix(const char *path)
{
    struct sockaddr_un addr;
    RpcSocket *sock;
    int fd;

    if (rpc_socket_unix_addr(path, &addr) < 0)
        return NULL;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        qvirt_report_system_error(errno, _("cannot create a socket for '%s'"), path);
        return NULL;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        close(fd);
        qvirt_report_system_error(err, _("cannot connect to socket '%s'"), path);
        return NULL;
    }
    if (rpc_socket_set_nonblock(fd) < 0) {
        close(fd);
        return NULL;
    }
    sock = rpc_socket_wrap(fd, TRUE);
    rpc_socket_learn_peer(sock);
    return sock;
}

/* Connect FD to ADDR, waiting at most until DEADLINE. */
static int
rpc_socket_connect_wait(int fd, const struct sockaddr *addr, socklen_t len, gint64 deadline)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t errlen = sizeof(err);
    int rc;

    if (connect(fd, addr, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return errno;
    do {
        rc = poll(&pfd, 1, qvirt_deadline_remaining_ms(deadline));
    } while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return errno;
    if (rc == 0)
        return ETIMEDOUT;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
        return errno;
    return err;
}

RpcSocket *
rpc_socket_connect_tcp(const char *host, const char *service, gint64 timeout_ms)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    gint64 deadline = qvirt_deadline_from_now_ms(timeout_ms);
    int saved = ENOENT;
    int fd = -1;
    int rc;
    RpcSocket *sock;

    rc = getaddrinfo(host, service, &hints, &ai);
    if (rc != 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("cannot resolve '%s' port '%s': %s"), host,
                           service, gai_strerror(rc));
        return NULL;
    }
    for (struct addrinfo *cur = ai; cur; cur = cur->ai_next) {
        fd = socket(cur->ai_family, cur->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    cur->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        saved = rpc_socket_connect_wait(fd, cur->ai_addr, cur->ai_addrlen, deadline);
        if (saved == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        qvirt_report_system_error(saved, _("cannot connect to '%s' port '%s'"), host, service);
        return NULL;
    }
    sock = rpc_socket_wrap(fd, FALSE);
    {
        int on = 1;

        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    }
    rpc_socket_learn_peer(sock);
    return sock;
}

int
rpc_socket_get_fd(RpcSocket *sock)
{
    return sock->fd;
}

gboolean
rpc_socket_is_unix(RpcSocket *sock)
{
    return sock->is_unix;
}

int
rpc_socket_get_port(RpcSocket *sock)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (sock->is_unix || getsockname(sock->fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

const char *
rpc_socket_get_peer_name(RpcSocket *sock)
{
    return sock->peer_name ? sock->peer_name : "?";
}

int
rpc_socket_get_peer_creds(RpcSocket *sock, uid_t *ret_uid, gid_t *ret_gid, pid_t *ret_pid)
{
    if (!sock->is_unix || !sock->have_creds) {
        qvirt_report_error(QVIRT_ERR_OPERATION_INVALID,
                           _("peer credentials are only known on UNIX sockets"));
        return -1;
    }
    if (ret_uid)
        *ret_uid = sock->creds.uid;
    if (ret_gid)
        *ret_gid = sock->creds.gid;
    if (ret_pid)
        *ret_pid = sock->creds.pid;
    return 0;
}

void
rpc_socket_set_tls(RpcSocket *sock, RpcTlsSession *sess)
{
    rpc_tls_session_free(sock->tls);
    sock->tls = sess;
}

RpcTlsSession *
rpc_socket_get_tls(RpcSocket *sock)
{
    return sock->tls;
}

ssize_t
rpc_socket_read(RpcSocket *sock, void *buf, size_t len)
{
    ssize_t n;

    if (sock->tls)
        return rpc_tls_session_read(sock->tls, buf, len);
    do {
        n = recv(sock->fd, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return RPC_IO_AGAIN;
    /* A peer that closed with our data unread resets the connection: for
     * RPC that is the end of the connection like any other. */
    if (errno == ECONNRESET)
        return 0;
    qvirt_report_system_error(errno, _("cannot read from connection with %s"),
                              rpc_socket_get_peer_name(sock));
    return RPC_IO_ERROR;
}

ssize_t
rpc_socket_write(RpcSocket *sock, const void *buf, size_t len)
{
    ssize_t n;

    if (sock->tls)
        return rpc_tls_session_write(sock->tls, buf, len);
    do {
        n = send(sock->fd, buf, len, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return RPC_IO_AGAIN;
    if (errno == EPIPE || errno == ECONNRESET) {
        qvirt_report_error(QVIRT_ERR_RPC, _("connection with %s was closed by the peer"),
                           rpc_socket_get_peer_name(sock));
        return RPC_IO_ERROR;
    }
    qvirt_report_system_error(errno, _("cannot write to connection with %s"),
                              rpc_socket_get_peer_name(sock));
    return RPC_IO_ERROR;
}

size_t
rpc_socket_pending(RpcSocket *sock)
{
    return sock->tls ? rpc_tls_session_pending(sock->tls) : 0;
}

static int
rpc_socket_check_fd_passing(RpcSocket *sock)
{
    if (!sock->is_unix || sock->tls) {
        qvirt_report_error(QVIRT_ERR_OPERATION_UNSUPPORTED,
                           _("descriptors can only be passed over UNIX sockets"));
        return -1;
    }
    return 0;
}

int
rpc_socket_send_fd(RpcSocket *sock, int fd)
{
    char byte = 0;
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr hdr = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cmsg;
    ssize_t n;

    if (rpc_socket_check_fd_passing(sock) < 0)
        return RPC_IO_ERROR;
    memset(&control, 0, sizeof(control));
    cmsg = CMSG_FIRSTHDR(&hdr);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    do {
        n = sendmsg(sock->fd, &hdr, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n == 1)
        return 0;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return RPC_IO_AGAIN;
    qvirt_report_system_error(n < 0 ? errno : EIO, _("cannot send a descriptor to %s"),
                              rpc_socket_get_peer_name(sock));
    return RPC_IO_ERROR;
}

int
rpc_socket_recv_fd(RpcSocket *sock, int *ret_fd)
{
    char byte;
    struct iovec iov = {&byte, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr hdr = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cmsg;
    ssize_t n;
    int fd = -1;

    if (rpc_socket_check_fd_passing(sock) < 0)
        return RPC_IO_ERROR;
    memset(&control, 0, sizeof(control));
    do {
        n = recvmsg(sock->fd, &hdr, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return RPC_IO_AGAIN;
    if (n < 0) {
        qvirt_report_system_error(errno, _("cannot receive a descriptor from %s"),
                                  rpc_socket_get_peer_name(sock));
        return RPC_IO_ERROR;
    }
    for (cmsg = CMSG_FIRSTHDR(&hdr); cmsg; cmsg = CMSG_NXTHDR(&hdr, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
            cmsg->cmsg_len >= CMSG_LEN(sizeof(int))) {
            size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int *fds = (int *)CMSG_DATA(cmsg);

            for (size_t i = 0; i < count; i++) {
                if (fd < 0)
                    fd = fds[i];
                else
                    close(fds[i]); /* more than announced: keep only the first */
            }
        }
    }
    if (n == 0 || fd < 0) {
        if (fd >= 0)
            close(fd);
        qvirt_report_error(QVIRT_ERR_RPC, _("%s did not send the descriptor it announced"),
                           rpc_socket_get_peer_name(sock));
        return RPC_IO_ERROR;
    }
    *ret_fd = fd;
    return 0;
}

void
rpc_socket_shutdown(RpcSocket *sock)
{
    shutdown(sock->fd, SHUT_RDWR);
}

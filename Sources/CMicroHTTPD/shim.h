// C helpers for Swift over libmicrohttpd. Everything here is `static inline` because a
// system-library target cannot carry .c files; each helper says why Swift needs it.
#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <microhttpd.h>

/// MHD_SIZE_UNKNOWN is a macro Swift does not import.
static const uint64_t CMicroHTTPD_SIZE_UNKNOWN = MHD_SIZE_UNKNOWN;
/// MHD_CONTENT_READER_END_OF_STREAM / _WITH_ERROR are macros of a cast Swift does not import.
static const ssize_t CMicroHTTPD_END_OF_STREAM = MHD_CONTENT_READER_END_OF_STREAM;
static const ssize_t CMicroHTTPD_END_WITH_ERROR = MHD_CONTENT_READER_END_WITH_ERROR;

/// Settings for `CMicroHTTPD_start_daemon`; plain C so Swift fills it without varargs.
struct CMicroHTTPD_DaemonSettings {
    unsigned int flags;
    const char *host;            // IPv4 or IPv6 literal
    uint16_t port;               // 0 picks a free port
    unsigned int thread_pool_size;
    unsigned int connection_limit;
    unsigned int connection_timeout_s;
    size_t connection_memory_limit;  // 0 keeps MHD's default
    unsigned int listen_backlog;     // 0 keeps MHD's default
    MHD_AccessHandlerCallback handler;
    void *handler_cls;
    MHD_RequestCompletedCallback completed;
    void *completed_cls;
    MHD_NotifyConnectionCallback notify_connection;  // NULL: none
    void *notify_connection_cls;
    MHD_LogCallback logger;
    void *logger_cls;
    const char *tls_key_pem;     // both set: serve HTTPS (MHD's GnuTLS support)
    const char *tls_cert_pem;
};

/// `MHD_start_daemon` is variadic and cannot be called from Swift: this builds the options as an
/// `MHD_OPTION_ARRAY` and the bind address as a sockaddr (MHD copies it during start).
/// Returns NULL when the host is not an IP literal or MHD cannot start.
static inline struct MHD_Daemon *CMicroHTTPD_start_daemon(const struct CMicroHTTPD_DaemonSettings *s) {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    const struct sockaddr *addr;
    unsigned int flags = s->flags;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, s->host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(s->port);
        addr = (const struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, s->host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(s->port);
        addr = (const struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        return NULL;
    }
    struct MHD_OptionItem ops[14];
    int i = 0;
    ops[i++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)addr};
    ops[i++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)s->completed, s->completed_cls};
    ops[i++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)s->connection_limit, NULL};
    if (s->notify_connection != NULL)
        ops[i++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)s->notify_connection,
                                           s->notify_connection_cls};
    ops[i++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->connection_timeout_s, NULL};
    /* Strict: HTTP/1.1 requests without Host and URLs with spaces get 400, as a client under test should learn. */
    ops[i++] = (struct MHD_OptionItem){MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL};
    if (s->thread_pool_size > 1)
        ops[i++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->thread_pool_size, NULL};
    if (s->connection_memory_limit > 0)
        ops[i++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)s->connection_memory_limit, NULL};
    if (s->listen_backlog > 0)
        ops[i++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, (intptr_t)s->listen_backlog, NULL};
    if (s->tls_key_pem != NULL && s->tls_cert_pem != NULL) {
        flags |= MHD_USE_TLS;
        ops[i++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)s->tls_key_pem};
        ops[i++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)s->tls_cert_pem};
    }
    if (s->logger != NULL)
        ops[i++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)s->logger, s->logger_cls};
    ops[i++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return MHD_start_daemon(flags, 0, NULL, NULL, s->handler, s->handler_cls,
                            MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

/// `MHD_get_daemon_info` is variadic: the port the daemon listens on (after binding port 0).
static inline uint16_t CMicroHTTPD_bound_port(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/// `MHD_get_daemon_info` is variadic: connections the daemon holds now.
static inline unsigned int CMicroHTTPD_current_connections(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

/// `MHD_get_connection_info` is variadic: the pointer the connection-notify callback stored for this
/// connection when it was accepted (NULL if none).
static inline void *CMicroHTTPD_socket_context(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/// `MHD_get_connection_info` is variadic: the client's address as bytes, not text. Returns 4 for
/// IPv4 (4 bytes to `out`), 6 for IPv6 (16 bytes), 0 when unknown.
static inline int CMicroHTTPD_client_address_bytes(struct MHD_Connection *c, unsigned char out[16]) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return 0;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET) {
        memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return 4;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        return 6;
    }
    return 0;
}

/// Milliseconds since the kernel last received data on the connection's socket (TCP_INFO's
/// `tcpi_last_data_recv`, in steps of the kernel tick), or -1 when unknown. A request that waited
/// in the server's queues shows the wait here.
static inline long CMicroHTTPD_last_data_age_ms(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info == NULL) return -1;
    struct tcp_info ti;
    socklen_t n = sizeof ti;
    if (getsockopt(info->connect_fd, IPPROTO_TCP, TCP_INFO, &ti, &n) != 0) return -1;
    return (long)ti.tcpi_last_data_recv;
}

/// Asks the kernel to stamp the bytes each connection receives (`SO_TIMESTAMPNS` on the listening
/// socket; accepted sockets inherit it), for `CMicroHTTPD_recv_stamped`. Returns 0 on success.
static inline int CMicroHTTPD_stamp_received_data(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    if (info == NULL || info->listen_fd < 0) return -1;
    int on = 1;
    return setsockopt(info->listen_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

/// `recv(2)`, as `recvmsg` with room for the kernel's receive stamp: when bytes were read from a
/// socket that stamps them, `*stamp_ns` becomes the wall-clock (CLOCK_REALTIME) nanoseconds at
/// which the kernel received the last of them (TCP reports the last segment a read took from),
/// else 0. `*stamp_ns` is left alone when nothing was read.
static inline ssize_t CMicroHTTPD_recv_stamped(int fd, void *buffer, size_t count, int flags, uint64_t *stamp_ns) {
    /* a struct timespec, spelled out: naming the libc type here makes this module its owner, and
       Swift then refuses `timespec` in @inlinable code of files that do not import this module */
    struct { long tv_sec; long tv_nsec; } at;
    struct iovec iov = {buffer, count};
    union {
        char bytes[CMSG_SPACE(sizeof at)];
        struct cmsghdr align;
    } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    ssize_t n = recvmsg(fd, &msg, flags);
    if (n <= 0) return n;
    *stamp_ns = 0;
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h != NULL; h = CMSG_NXTHDR(&msg, h)) {
        if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_TIMESTAMPNS) continue;
        memcpy(&at, CMSG_DATA(h), sizeof at);
        *stamp_ns = (uint64_t)at.tv_sec * 1000000000ULL + (uint64_t)at.tv_nsec;
    }
    return n;
}

/// `MHD_get_connection_info` is variadic: the connection's socket, -1 when unknown.
static inline int CMicroHTTPD_connection_fd(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

/// The logger callback receives a va_list; formatting it in C keeps Swift away from varargs.
static inline void CMicroHTTPD_format_log(char *out, size_t size, const char *fmt, va_list ap) {
    vsnprintf(out, size, fmt, ap);
}

#endif

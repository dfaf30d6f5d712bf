// C helpers for Swift over libmicrohttpd. Everything here is `static inline` because a
// system-library target cannot carry .c files; each helper says why Swift needs it.
#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <string.h>
#include <time.h>
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

/// Lets each connection's first request be timed from its arrival exactly: the kernel stamps the
/// bytes it receives (`SO_TIMESTAMPNS` on the listening socket; accepted sockets inherit it), and
/// hands over a new connection only once its first bytes are in (`TCP_DEFER_ACCEPT`), so that
/// they are waiting, stamped, when the connection is accepted (`CMicroHTTPD_queued_arrival_ns`).
/// A client that sends nothing is handed over anyway after about a second (the first SYN-ACK
/// retransmission), and the connection timeout runs from then. Returns 0 when the stamps are on.
static inline int CMicroHTTPD_stamp_arrivals(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    if (info == NULL || info->listen_fd < 0) return -1;
    int on = 1, defer_seconds = 1;
    setsockopt(info->listen_fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_seconds, sizeof defer_seconds);
    return setsockopt(info->listen_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

/// The bytes waiting unread on a TCP socket, and when the kernel received the last of
/// them (CLOCK_MONOTONIC nanoseconds). Peeks without copying (`MSG_PEEK | MSG_TRUNC` walks the
/// whole queue, and the timestamp it reports is the last segment's); consumes nothing. Returns 0
/// when nothing is waiting or the kernel did not stamp it (then `*bytes` is 0 too).
static inline uint64_t CMicroHTTPD_socket_queued_arrival_ns(int fd, size_t *bytes) {
    *bytes = 0;
    char unused;
    const size_t most = (size_t)1 << 30;  /* with MSG_TRUNC nothing is copied: this only bounds the walk */
    struct iovec iov = {&unused, most};
    union {
        char bytes[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    ssize_t n = recvmsg(fd, &msg, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (n <= 0 || (size_t)n >= most) return 0;
    struct timespec real, mono;
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h != NULL; h = CMSG_NXTHDR(&msg, h)) {
        if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_TIMESTAMPNS) continue;
        struct timespec stamp;
        memcpy(&stamp, CMSG_DATA(h), sizeof stamp);
        int64_t age = ((int64_t)real.tv_sec - stamp.tv_sec) * 1000000000LL + (real.tv_nsec - stamp.tv_nsec);
        uint64_t now = (uint64_t)mono.tv_sec * 1000000000ULL + (uint64_t)mono.tv_nsec;
        if (age < 0) age = 0;  /* the wall clock stepped back since */
        if ((uint64_t)age >= now) return 0;
        *bytes = (size_t)n;
        return now - (uint64_t)age;
    }
    return 0;
}

/// `CMicroHTTPD_socket_queued_arrival_ns` for a connection's socket.
static inline uint64_t CMicroHTTPD_queued_arrival_ns(struct MHD_Connection *c, size_t *bytes) {
    *bytes = 0;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? 0 : CMicroHTTPD_socket_queued_arrival_ns(info->connect_fd, bytes);
}

/// `MHD_get_connection_info` is variadic: the size of the request's head as received (request
/// line, header lines and the blank line), 0 when unknown.
static inline size_t CMicroHTTPD_request_head_size(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    return info ? info->header_size : 0;
}

/// The logger callback receives a va_list; formatting it in C keeps Swift away from varargs.
static inline void CMicroHTTPD_format_log(char *out, size_t size, const char *fmt, va_list ap) {
    vsnprintf(out, size, fmt, ap);
}

#endif

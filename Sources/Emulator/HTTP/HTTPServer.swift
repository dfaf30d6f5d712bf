#if canImport(Glibc)
import Glibc
#endif
import CMicroHTTPD
import Logging

/// Owns the libmicrohttpd daemon: starts it, and shuts it down gracefully (quiesce, let streams
/// finish, resume whatever is still suspended, then stop). The only type that starts or stops MHD.
public final class HTTPServer: Sendable {
    /// How the daemon is set up.
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var threads: Int
        public var maxConnections: Int
        public var connectionTimeoutSeconds: Int
        public var connectionMemoryLimit: Int
        public var limits: TransportLimits
        /// PEM private key and certificate: when both are set the server speaks HTTPS.
        public var tlsKeyPEM: String?
        public var tlsCertificatePEM: String?

        public init(
            host: String = "127.0.0.1", port: Int = 8383, threads: Int = 2, maxConnections: Int = 10_000,
            connectionTimeoutSeconds: Int = 60, connectionMemoryLimit: Int = 8192, limits: TransportLimits = .init()
        ) {
            self.host = host
            self.port = port
            self.threads = threads
            self.maxConnections = maxConnections
            self.connectionTimeoutSeconds = connectionTimeoutSeconds
            self.connectionMemoryLimit = connectionMemoryLimit
            self.limits = limits
        }
    }

    private enum State {
        case initial
        case running(DaemonHandle, Unmanaged<ServerContext>)
        case stopped
    }

    private let state = Locked(State.initial)
    /// Connections libmicrohttpd accepts beyond `maxConnections`: enough for health and metrics
    /// probes to be answered, and for other requests to get a quick 503, while the server is full.
    /// Past this many more, clients wait in the listen queue.
    public static let connectionReserve = 64
    private let settings: Settings
    private let context: ServerContext
    private let logger: Logger

    public init(settings: Settings, handler: any HTTPHandler, logger: Logger, ids: IDGenerator = IDGenerator()) {
        self.settings = settings
        self.logger = logger
        self.context = ServerContext(
            handler: handler, pacer: Pacer(), logger: logger, limits: settings.limits, ids: ids,
            maxConnections: max(1, settings.maxConnections))
    }

    /// Starts listening and returns the bound port (useful with port 0).
    /// - Throws: `ServerError.startFailed` when the address cannot be bound.
    public func start() throws -> Int {
        try state.withLock { state in
            guard case .initial = state else { throw ServerError.alreadyStarted }
            context.pacer.start()
            let retained = Unmanaged.passRetained(context)
            let flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
                | MHD_USE_ERROR_LOG.rawValue | MHD_USE_TURBO.rawValue
            let key = settings.tlsKeyPEM.map { strdup($0) } ?? nil
            let certificate = settings.tlsCertificatePEM.map { strdup($0) } ?? nil
            defer {
                free(key)
                free(certificate)
            }
            let daemon: OpaquePointer? = settings.host.withCString { host in
                var s = CMicroHTTPD_DaemonSettings(
                    flags: UInt32(flags), host: host, port: UInt16(clamping: settings.port),
                    thread_pool_size: UInt32(max(1, settings.threads)),
                    connection_limit: UInt32(clamping: max(1, settings.maxConnections) + HTTPServer.connectionReserve),
                    connection_timeout_s: UInt32(max(0, settings.connectionTimeoutSeconds)),
                    connection_memory_limit: settings.connectionMemoryLimit, listen_backlog: 4096,
                    handler: Trampolines.access, handler_cls: retained.toOpaque(),
                    completed: Trampolines.completed, completed_cls: retained.toOpaque(),
                    notify_connection: Trampolines.notifyConnection, notify_connection_cls: retained.toOpaque(),
                    logger: Trampolines.log, logger_cls: retained.toOpaque(),
                    tls_key_pem: UnsafePointer(key), tls_cert_pem: UnsafePointer(certificate))
                return CMicroHTTPD_start_daemon(&s)
            }
            guard let daemon else {
                retained.release()
                context.pacer.stop()
                state = .stopped
                throw ServerError.startFailed(host: settings.host, port: settings.port, errno: errno)
            }
            if !ReceiveStamps.isActive || CMicroHTTPD_stamp_received_data(daemon) != 0 {
                logger.debug("no kernel receive stamps: request arrivals are estimated to the kernel tick")
            }
            state = .running(DaemonHandle(pointer: daemon), retained)
            return Int(CMicroHTTPD_bound_port(daemon))
        }
    }

    /// Streams and held-back answers in flight.
    public var activeStreams: Int { context.suspendable.load(ordering: .relaxed) }

    /// Connections the daemon holds now.
    public var currentConnections: Int {
        state.withLock { s in
            if case .running(let d, _) = s { return Int(CMicroHTTPD_current_connections(d.pointer)) }
            return 0
        }
    }

    /// Stops accepting, lets streams in flight finish for up to `grace` seconds, cuts the rest,
    /// then stops the daemon. Blocks the calling thread; safe to call more than once.
    public func shutdown(graceSeconds: Double) {
        let running: (DaemonHandle, Unmanaged<ServerContext>)? = state.withLock { s in
            guard case .running(let d, let c) = s else { return nil }
            s = .stopped
            return (d, c)
        }
        guard let (daemon, retained) = running else { return }
        let listenFD = MHD_quiesce_daemon(daemon.pointer)
        let graceEnd = MonotonicClock.now() &+ UInt64(max(0, graceSeconds) * 1e9)
        while context.suspendable.load(ordering: .relaxed) > 0 && MonotonicClock.now() < graceEnd {
            usleep(10_000)
        }
        let cut = context.suspendable.load(ordering: .relaxed)
        if cut > 0 { logger.info("cutting streams still open after the grace period", metadata: ["streams": "\(cut)"]) }
        context.startAborting()
        context.releaseWaiting(with: HTTPResponse(status: 503, body: .closeConnection))
        // A stream may suspend again between two passes, so keep waking until none is left.
        let cutEnd = MonotonicClock.now() &+ 10_000_000_000
        while context.suspendable.load(ordering: .relaxed) > 0 && MonotonicClock.now() < cutEnd {
            context.pacer.wakeAll()
            usleep(5_000)
        }
        MHD_stop_daemon(daemon.pointer)
        if listenFD >= 0 { close(listenFD) }
        context.pacer.stop()
        retained.release()
    }
}

/// Why the server could not start.
public enum ServerError: Error, CustomStringConvertible {
    case startFailed(host: String, port: Int, errno: Int32)
    case alreadyStarted

    public var description: String {
        switch self {
        case .startFailed(let host, let port, let code):
            let reason = code == EADDRINUSE ? "address already in use" : String(cString: strerror(code))
            return "could not listen on \(host):\(port): \(reason)"
        case .alreadyStarted: return "the server was already started"
        }
    }
}

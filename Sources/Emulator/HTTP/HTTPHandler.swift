/// What the transport hands complete requests to. Implementations are pure and synchronous.
public protocol HTTPHandler: Sendable {
    /// Answers one request.
    /// - Warning: Called on an MHD thread: must not block or sleep. Latency is expressed through
    ///   `HTTPResponse.delayNanos` or stream event delays, which the pacer honours.
    func handle(_ request: consuming HTTPRequest) -> HTTPResponse

    /// The answer when a body exceeds `limit` bytes (`request.body` is empty then).
    func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse

    /// The answer to a request on a connection accepted while `limit` connections were already open
    /// (`request.body` is empty then), or nil to serve it anyway (health and metrics probes).
    /// The answer should close the connection.
    func overConnectionLimit(_ request: HTTPRequest, limit: Int) -> HTTPResponse?

    /// Called once per finished request, after the answer went out or the client left.
    /// - Warning: Called on an MHD thread.
    func completed(_ summary: RequestSummary)
}

extension HTTPHandler {
    public func completed(_ summary: RequestSummary) {}
}

/// What happened to one request, for access logs and metrics.
public struct RequestSummary: Sendable {
    public var id: String
    public var method: String
    public var path: String
    public var status: Int
    public var bytes: Int
    public var durationNanos: UInt64
    public var streamed: Bool
    public var streamOutcome: StreamOutcome?
    public var framesSent: Int
    /// What the handler attached to its answer (`HTTPResponse.note`).
    public var note: (any AnyObject & Sendable)? = nil
}

/// Limits the transport enforces itself.
public struct TransportLimits: Sendable {
    public var maxBodyBytes: Int
    /// An idle paced stream sends `: ping` this often so dead clients are noticed.
    public var pingIntervalNanos: UInt64
    /// A stalled stream is cut after this long.
    public var stallLimitNanos: UInt64

    public init(maxBodyBytes: Int = 32 << 20, pingIntervalNanos: UInt64 = 10_000_000_000,
                stallLimitNanos: UInt64 = 300_000_000_000) {
        self.maxBodyBytes = maxBodyBytes
        self.pingIntervalNanos = pingIntervalNanos
        self.stallLimitNanos = stallLimitNanos
    }
}

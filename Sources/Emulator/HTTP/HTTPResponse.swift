/// An answer, independent of libmicrohttpd.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        /// A complete body.
        case bytes([UInt8])
        /// A paced stream (server-sent events), sent with chunked transfer encoding.
        case stream(StreamBox)
        /// No answer at all: the connection is closed (the `reset` fault).
        case closeConnection
        /// An answer decided later (a request waiting for capacity): the connection is suspended
        /// until the deferred response is resolved, from any thread.
        case deferred(DeferredResponse)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body
    /// For `.bytes` and `.closeConnection`: hold the answer back this long (simulated generation
    /// time), in nanoseconds, counted from the request's arrival.
    public var delayNanos: UInt64
    /// Called once when the answer has gone out, or the client left, on a transport thread.
    public var onFinish: (@Sendable (FinishedResponse) -> Void)?
    /// Given back to the handler in `RequestSummary.note` when the request completes.
    public var note: (any AnyObject & Sendable)?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body, delayNanos: UInt64 = 0,
                onFinish: (@Sendable (FinishedResponse) -> Void)? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delayNanos = delayNanos
        self.onFinish = onFinish
    }

    /// The body length for `.bytes`, 0 otherwise.
    public var byteCount: Int {
        if case .bytes(let b) = body { return b.count }
        return 0
    }
}

/// How an answer ended, for metrics and the request journal.
public struct FinishedResponse: Sendable {
    public var status: Int
    public var outcome: StreamOutcome
    /// When the request arrived and when it finished (monotonic ns).
    public var receivedAt: UInt64
    public var finishedAt: UInt64
}

/// One step of a paced stream.
public enum StreamEvent: Sendable {
    /// Bytes to send once `afterNanos` have passed since the previous event was due
    /// (since the stream started, for the first event). `token` marks frames that carry
    /// generated tokens, whose delivery times are measured.
    case frame([UInt8], afterNanos: UInt64, token: Bool = false)
    /// Stop sending after `afterNanos` but keep the connection open until the client leaves or
    /// the server shuts down (the `stall` fault).
    case stall(afterNanos: UInt64)
    /// Close the connection abruptly after `afterNanos` (the `disconnect` fault).
    case abort(afterNanos: UInt64)
}

/// Produces a stream's events one at a time, so a paced stream holds only its generator state.
public protocol StreamSource: Sendable {
    /// The next event, or nil when the stream is complete.
    mutating func next() -> StreamEvent?
    /// Called when a frame is handed to the socket, with the time (monotonic ns).
    mutating func delivered(token: Bool, at now: UInt64)
    /// Called once when the stream ends, with the reason, on a transport thread.
    mutating func finished(_ outcome: StreamOutcome)
}

extension StreamSource {
    public mutating func delivered(token: Bool, at now: UInt64) {}
    public mutating func finished(_ outcome: StreamOutcome) {}
}

/// How a stream ended.
public enum StreamOutcome: Sendable, Equatable {
    case completed
    case clientGone
    case aborted
}

/// A type-erased, sendable holder for a stream source.
public struct StreamBox: Sendable {
    public var source: any StreamSource
    /// When generation began (monotonic ns), if earlier than the moment the stream is queued: the
    /// first event's delay counts from here.
    public var startAt: UInt64?
    public init(_ source: any StreamSource, startAt: UInt64? = nil) {
        self.source = source
        self.startAt = startAt
    }
}

/// An answer, independent of libmicrohttpd.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        /// A complete body.
        case bytes([UInt8])
        /// A paced stream (server-sent events), sent with chunked transfer encoding.
        case stream(StreamBox)
        /// No answer at all: the connection is closed (the `reset` fault).
        case closeConnection
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body
    /// For `.bytes`: hold the answer back this long (simulated generation time), in nanoseconds.
    public var delayNanos: UInt64

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body, delayNanos: UInt64 = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delayNanos = delayNanos
    }

    /// The body length for `.bytes`, 0 otherwise.
    public var byteCount: Int {
        if case .bytes(let b) = body { return b.count }
        return 0
    }
}

/// One step of a paced stream.
public enum StreamEvent: Sendable {
    /// Bytes to send once `afterNanos` have passed since the previous event was due
    /// (since the stream started, for the first event).
    case frame([UInt8], afterNanos: UInt64)
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
    /// Called once when the stream ends, with the reason, on a transport thread.
    mutating func finished(_ outcome: StreamOutcome)
}

extension StreamSource {
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
    public init(_ source: any StreamSource) { self.source = source }
}

import CMicroHTTPD

/// What the server noted about a connection when it accepted it, kept in MHD's socket context
/// until the connection closes.
/// - Warning: Touched only on the MHD thread that owns the connection.
final class ConnectionNote {
    /// Bytes that were already waiting on the socket when it was accepted, and when the kernel
    /// received the last of them.
    struct QueuedData: Equatable {
        var bytes: Int
        var lastArrival: UInt64
    }

    /// Accepted beyond `--max-connections`: its requests get the over-limit answer.
    let overLimit: Bool
    /// Until the first request takes it.
    private var queued: QueuedData?

    init(overLimit: Bool, queued: QueuedData?) {
        self.overLimit = overLimit
        self.queued = queued
    }

    /// The note stored for the connection, if any.
    static func of(_ connection: OpaquePointer) -> ConnectionNote? {
        CMicroHTTPD_socket_context(connection).map { Unmanaged<ConnectionNote>.fromOpaque($0).takeUnretainedValue() }
    }

    /// What was waiting at accept, once: only the connection's first request can be made of it.
    func takeQueued() -> QueuedData? {
        defer { queued = nil }
        return queued
    }

    /// Looks at the connection just accepted: the bytes already waiting and the kernel's stamp of
    /// the last, when it stamped them.
    static func queuedData(on connection: OpaquePointer) -> QueuedData? {
        var bytes = 0
        let at = CMicroHTTPD_queued_arrival_ns(connection, &bytes)
        return at > 0 ? QueuedData(bytes: bytes, lastArrival: at) : nil
    }

    /// When a connection's first request arrived, if the bytes waiting at accept held all of it
    /// (`requestBytes`, its head and body as received): the kernel's stamp of the last byte
    /// waiting then. More bytes than the request (a second request behind it) make that stamp
    /// late, never early; fewer mean the rest came later, and then nil.
    static func arrival(of requestBytes: Int, from queued: QueuedData) -> UInt64? {
        requestBytes > 0 && queued.bytes >= requestBytes ? queued.lastArrival : nil
    }
}

import CMicroHTTPD

/// Per-request state that lives in MHD's `con_cls` from the first access-handler call until the
/// request-completed callback.
/// - Warning: Touched only on the MHD thread that owns the connection.
final class RequestContext {
    let id: String
    let method: String
    let path: String
    var receivedAt: UInt64
    var body: [UInt8] = []
    var tooLarge = false
    /// An answer held back until the pacer resumes the connection.
    var delayed: HTTPResponse?
    /// An answer decided later; the connection is suspended until it is resolved.
    var deferred: DeferredResponse?
    var onFinish: (@Sendable (FinishedResponse) -> Void)?
    /// The handler's note from its answer, for the completion summary.
    var note: (any AnyObject & Sendable)?
    var status = 0
    var bytes = 0
    var stream: SSEStream?

    init(id: String, method: String, path: String, receivedAt: UInt64) {
        self.id = id
        self.method = method
        self.path = path
        self.receivedAt = receivedAt
    }
}

/// Resumes a connection whose answer was held back. Holds only the borrowed connection pointer:
/// the connection stays alive while it is suspended.
final class DelayedWake: PacerClient {
    private let connection: ConnectionHandle

    init(connection: ConnectionHandle) { self.connection = connection }

    func pacerWake() { MHD_resume_connection(connection.pointer) }
}

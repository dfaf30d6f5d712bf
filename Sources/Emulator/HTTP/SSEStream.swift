import CMicroHTTPD

/// One streaming response in flight: the bridge between libmicrohttpd's content reader (MHD
/// threads) and the pacer (timer thread). The pacer owns time, this object owns bytes, MHD owns
/// the socket.
final class SSEStream: PacerClient {
    private let machine: Locked<StreamStateMachine>
    private let connection: ConnectionHandle
    let server: ServerContext
    private let status: Int
    private let receivedAt: UInt64
    private let onFinish: (@Sendable (FinishedResponse) -> Void)?

    init(source: any StreamSource, connection: ConnectionHandle, server: ServerContext, start: UInt64, status: Int,
         receivedAt: UInt64, onFinish: (@Sendable (FinishedResponse) -> Void)?) {
        self.status = status
        self.receivedAt = receivedAt
        self.onFinish = onFinish
        self.machine = Locked(
            StreamStateMachine(
                source: source, start: start, pingIntervalNanos: server.limits.pingIntervalNanos,
                stallLimitNanos: server.limits.stallLimitNanos))
        self.connection = connection
        self.server = server
    }

    /// The content reader: copies due bytes into `buffer` or suspends the connection.
    /// - Warning: Called on an MHD thread. Takes the stream lock; calls `MHD_suspend_connection`
    ///   under it so that our phase and MHD's stay in step.
    func read(into buffer: UnsafeMutablePointer<CChar>, max: Int) -> Int {
        let now = MonotonicClock.now()
        return machine.withLock { m -> Int in
            if server.isAborting { m.abortRequested = true }
            switch m.read(max: max, now: now) {
            case .copy(let n):
                m.pending.withUnsafeBufferPointer { src in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: src.baseAddress! + m.cursor, byteCount: n)
                }
                m.didCopy(count: n, now: now)
                return n
            case .suspend(let wakeAt):
                MHD_suspend_connection(connection.pointer)
                server.pacer.schedule(self, at: wakeAt)
                return 0
            case .endOfStream:
                return CMicroHTTPD_END_OF_STREAM
            case .endWithError:
                return CMicroHTTPD_END_WITH_ERROR
            }
        }
    }

    /// Resumes the connection when its next frame is due (or a ping, or shutdown).
    /// - Warning: Called on the pacer thread; never blocks beyond the stream lock.
    func pacerWake() {
        machine.withLock { m in
            if server.isAborting { m.abortRequested = true }
            if m.wake(now: MonotonicClock.now()) {
                MHD_resume_connection(connection.pointer)
            }
        }
    }

    /// MHD freed the response: the connection is gone or done. Called exactly once, on an MHD thread.
    func freed() -> (outcome: StreamOutcome, frames: Int) {
        let result = machine.withLock { m in
            let outcome = m.outcome
            m.notifySource(outcome)
            return (outcome, m.framesSent)
        }
        onFinish?(FinishedResponse(status: status, outcome: result.0, receivedAt: receivedAt,
                                   finishedAt: MonotonicClock.now()))
        return result
    }
}

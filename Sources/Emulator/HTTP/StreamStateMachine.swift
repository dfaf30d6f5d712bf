/// The pure logic of one paced stream: which bytes the content reader copies next, when it must
/// suspend, and what a pacer wake-up does. `SSEStream` carries out the actions under its lock.
/// No sockets and no MHD here, so every interleaving can be unit-tested as a sequence of calls.
struct StreamStateMachine {
    enum Phase: Equatable {
        case running
        case suspended
        case finished
    }

    enum ReadAction: Equatable {
        /// Copy `count` bytes from `pending[cursor...]`, then call `didCopy(count:now:)`.
        case copy(Int)
        /// Suspend the connection; the pacer must wake the stream at the given instant.
        case suspend(wakeAt: UInt64)
        case endOfStream
        case endWithError
    }

    private(set) var source: any StreamSource
    private(set) var phase = Phase.running
    private(set) var pending: [UInt8] = []
    private(set) var cursor = 0
    /// When the last event was due; the next one is due `afterNanos` later.
    private var lastDue: UInt64
    private var staged: (event: StreamEvent, due: UInt64)?
    private var sourceDone = false
    private var lastWrite: UInt64
    private var stalled = false
    /// Whether a delayed frame has gone out yet.
    private var paced = false
    private(set) var framesSent = 0
    /// Set when the server shuts down and will not wait any longer.
    var abortRequested = false

    let pingIntervalNanos: UInt64
    let stallLimitNanos: UInt64
    /// Frames due within this much of now are sent now (the pacer wakes a stream as early).
    let slackNanos = Pacer.slackNanos

    init(source: any StreamSource, start: UInt64, pingIntervalNanos: UInt64, stallLimitNanos: UInt64) {
        self.source = source
        self.lastDue = start
        self.lastWrite = start
        self.pingIntervalNanos = pingIntervalNanos
        self.stallLimitNanos = stallLimitNanos
    }

    /// The content reader asks for at most `max` bytes at `now`.
    mutating func read(max: Int, now: UInt64) -> ReadAction {
        if abortRequested { return .endWithError }
        if cursor < pending.count { return .copy(Swift.min(max, pending.count - cursor)) }
        // A paced stream waits between frames far more than it sends: it lets go of the buffer (and
        // sends its next frame's own bytes). An unpaced one gathers many frames per read into it.
        if paced { pending = [] } else { pending.removeAll(keepingCapacity: true) }
        cursor = 0
        if stalled {
            // Woken after a stall: only the stall limit (or shutdown) ends it.
            if now >= lastDue &+ stallLimitNanos { return .endWithError }
            return suspend(wakeAt: lastDue &+ stallLimitNanos)
        }
        // Gather every event that is due, up to `max` bytes, so that unpaced streams go out in
        // few writes.
        while pending.count < max {
            if staged == nil {
                if sourceDone { break }
                guard let event = source.next() else {
                    sourceDone = true
                    break
                }
                // The first delayed frame is due a slack later: sent up to a slack early, it still
                // never comes before the configured time to first token.
                let guardNanos: UInt64 = if case .frame = event, !paced, event.afterNanos > 0 { slackNanos } else { 0 }
                staged = (event, lastDue &+ event.afterNanos &+ guardNanos)
            }
            guard let (event, due) = staged, due <= now &+ slackNanos else { break }
            switch event {
            case .frame(let bytes, let after, let token):
                if pending.capacity == 0 { pending = bytes } else { pending.append(contentsOf: bytes) }
                // The first delayed frame, if already overdue (the stream started late), sets the
                // pace from now: the frames after it keep their spacing instead of bursting out.
                if after > 0 && !paced {
                    paced = true
                    lastDue = Swift.max(due, now)
                } else {
                    lastDue = due
                }
                staged = nil
                framesSent += 1
                source.delivered(token: token, at: now)
            case .abort:
                if pending.isEmpty { return .endWithError }
                return .copy(Swift.min(max, pending.count))
            case .stall:
                if !pending.isEmpty { return .copy(Swift.min(max, pending.count)) }
                lastDue = due
                staged = nil
                stalled = true
                return suspend(wakeAt: due &+ stallLimitNanos)
            }
        }
        if !pending.isEmpty { return .copy(Swift.min(max, pending.count)) }
        guard let (_, due) = staged else {
            phase = .finished
            return .endOfStream
        }
        return suspend(wakeAt: Swift.min(due, lastWrite &+ pingIntervalNanos))
    }

    private mutating func suspend(wakeAt: UInt64) -> ReadAction {
        phase = .suspended
        return .suspend(wakeAt: wakeAt)
    }

    /// Records that the reader copied `count` bytes.
    mutating func didCopy(count: Int, now: UInt64) {
        cursor += count
        lastWrite = now
    }

    /// The pacer's wake-up: returns true when the connection must be resumed. A wake with no
    /// frame due sends a `: ping` comment once the ping interval has passed, so that an idle
    /// stream notices a client that left.
    mutating func wake(now: UInt64) -> Bool {
        guard phase == .suspended else { return false }
        phase = .running
        if abortRequested { return true }
        let frameDue = staged.map { $0.due <= now &+ slackNanos } ?? true
        if !frameDue && !stalled && now &+ slackNanos >= lastWrite &+ pingIntervalNanos {
            pending.append(contentsOf: StreamStateMachine.ping)
        }
        return true
    }

    /// How the stream ended, judged when MHD frees it.
    var outcome: StreamOutcome {
        if abortRequested { return .aborted }
        return phase == .finished && cursor >= pending.count ? .completed : .clientGone
    }

    mutating func notifySource(_ outcome: StreamOutcome) {
        source.finished(outcome)
    }

    static let ping: [UInt8] = Array(": ping\n\n".utf8)
}

extension StreamEvent {
    var afterNanos: UInt64 {
        switch self {
        case .frame(_, let n, _), .stall(let n), .abort(let n): return n
        }
    }
}

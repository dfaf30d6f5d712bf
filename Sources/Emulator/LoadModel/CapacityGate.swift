/// At most N generations at once per profile; others wait in a FIFO queue of bounded length.
/// A slot is a lease, released when the answer has gone out or the client left.
public final class CapacityGate: Sendable {
    /// Called with the time the request waited when it gets its slot (from the releasing thread).
    public typealias Grant = @Sendable (_ waitedNanos: UInt64) -> Void

    private struct Pool {
        var running = 0
        var queue: [(enqueuedAt: UInt64, grant: Grant)] = []
        var head = 0
        var waiting: Int { queue.count - head }
    }

    private let pools = Locked<[String: Pool]>([:])
    /// Generations running across all pools (for gauges and slowdown).
    public let running = RunningCount()
    public let waiting = RunningCount()

    public init() {}

    public enum Admission {
        case run
        case queued
        case rejected
    }

    /// Takes a slot now, queues `grant` for later, or rejects when the queue is full.
    public func admit(pool key: String, limit: Int?, maxQueue: Int, grant: @escaping Grant) -> Admission {
        guard let limit else {
            running.add(1)
            return .run
        }
        let result = pools.withLock { pools -> Admission in
            var pool = pools[key, default: Pool()]
            defer { pools[key] = pool }
            if pool.running < limit && pool.waiting == 0 {
                pool.running += 1
                return .run
            }
            guard pool.waiting < maxQueue else { return .rejected }
            pool.queue.append((MonotonicClock.now(), grant))
            return .queued
        }
        switch result {
        case .run: running.add(1)
        case .queued: waiting.add(1)
        case .rejected: break
        }
        return result
    }

    /// Gives the slot back; the next waiter (if any) gets it at once.
    public func release(pool key: String, limited: Bool) {
        running.add(-1)
        guard limited else { return }
        let next: (UInt64, Grant)? = pools.withLock { pools in
            guard var pool = pools[key] else { return nil }
            defer { pools[key] = pool }
            if pool.waiting > 0 {
                let w = pool.queue[pool.head]
                pool.head += 1
                if pool.head > 256 && pool.head * 2 > pool.queue.count {
                    pool.queue.removeFirst(pool.head)
                    pool.head = 0
                }
                return (w.enqueuedAt, w.grant)
            }
            pool.running -= 1
            return nil
        }
        if let (enqueuedAt, grant) = next {
            waiting.add(-1)
            running.add(1)
            grant(MonotonicClock.now() &- enqueuedAt)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Something the pacer wakes at a deadline: a suspended stream whose next frame is due, or a
/// delayed answer whose simulated generation time is over.
public protocol PacerClient: AnyObject, Sendable {
    /// Called on the pacer thread once the deadline passed. Must not block.
    func pacerWake()
}

/// The one timer thread: a min-heap of deadlines, woken by a condition variable with a monotonic
/// timeout. Every paced stream and delayed answer costs a heap entry, never a thread.
public final class Pacer: Sendable {
    private struct Entry {
        var deadline: UInt64
        var sequence: UInt64
        var client: any PacerClient
    }

    private struct State {
        var heap = MinHeap()
        var sequence: UInt64 = 0
        var stopping = false
    }

    private struct MinHeap {
        var items: [Entry] = []

        mutating func push(_ e: Entry) {
            items.append(e)
            var i = items.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if less(items[i], items[p]) { items.swapAt(i, p); i = p } else { break }
            }
        }

        mutating func pop() -> Entry? {
            guard !items.isEmpty else { return nil }
            items.swapAt(0, items.count - 1)
            let top = items.removeLast()
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && less(items[l], items[m]) { m = l }
                if r < items.count && less(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
            return top
        }

        func less(_ a: Entry, _ b: Entry) -> Bool {
            a.deadline < b.deadline || (a.deadline == b.deadline && a.sequence < b.sequence)
        }
    }

    private let state = Locked(State())
    private let signal = ConditionSignal()
    /// Entries due within this many nanoseconds are woken together, saving a sleep: a client is
    /// woken up to this much before its deadline.
    public static let slackNanos: UInt64 = 200_000

    public init() {}

    /// Starts the timer thread.
    public func start() {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let pacer = Unmanaged<Pacer>.fromOpaque(raw!).takeRetainedValue()
            pacer.run()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "could not start the pacer thread")
        pthread_detach(thread)
    }

    /// Asks for `client.pacerWake()` at `deadline` (monotonic ns). Callable from any thread.
    public func schedule(_ client: any PacerClient, at deadline: UInt64) {
        let wakeThread = state.withLock { s -> Bool in
            s.sequence &+= 1
            let wasEarliest = s.heap.items.first.map { deadline < $0.deadline } ?? true
            s.heap.push(Entry(deadline: deadline, sequence: s.sequence, client: client))
            return wasEarliest
        }
        if wakeThread { signal.notify() }
    }

    /// Wakes every scheduled client now (used when shutting down) and keeps running.
    public func wakeAll() {
        let all = state.withLock { s -> [Entry] in
            let items = s.heap.items
            s.heap.items.removeAll()
            return items
        }
        for entry in all { entry.client.pacerWake() }
    }

    /// Ends the timer thread after waking everything still scheduled.
    public func stop() {
        state.withLock { $0.stopping = true }
        signal.notify()
    }

    /// The number of clients waiting for a deadline.
    public var scheduledCount: Int { state.withLock { $0.heap.items.count } }

    private func run() {
        var due: [any PacerClient] = []
        while true {
            let now = MonotonicClock.now()
            var sleepUntil: UInt64 = 0
            let stopping = state.withLock { s -> Bool in
                while let first = s.heap.items.first, first.deadline <= now + Pacer.slackNanos {
                    due.append(s.heap.pop()!.client)
                }
                if s.stopping {
                    while let e = s.heap.pop() { due.append(e.client) }
                    return true
                }
                sleepUntil = s.heap.items.first?.deadline ?? now + 1_000_000_000
                return false
            }
            for client in due { client.pacerWake() }
            due.removeAll(keepingCapacity: true)
            if stopping { return }
            signal.wait(untilMonotonic: sleepUntil)
        }
    }
}

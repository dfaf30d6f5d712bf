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
    /// A deadline in the heap: plain values only, so that moving entries around the heap costs no
    /// reference counting. The client waits in `State.clients` at `slot`.
    struct Entry: Equatable {
        var deadline: UInt64
        var sequence: UInt64
        var slot: Int32
    }

    private struct State {
        var heap = DeadlineHeap()
        /// The clients of the entries in the heap, by slot; nil where a slot is free.
        var clients: [(any PacerClient)?] = []
        var freeSlots: [Int32] = []
        var sequence: UInt64 = 0
        var stopping = false

        mutating func push(_ client: any PacerClient, at deadline: UInt64) {
            sequence &+= 1
            let slot: Int32
            if let free = freeSlots.popLast() {
                slot = free
                clients[Int(slot)] = client
            } else {
                slot = Int32(clients.count)
                clients.append(client)
            }
            heap.push(Entry(deadline: deadline, sequence: sequence, slot: slot))
        }

        /// Takes the earliest client out and frees its slot.
        mutating func pop() -> (any PacerClient)? {
            guard let entry = heap.pop() else { return nil }
            freeSlots.append(entry.slot)
            return clients[Int(entry.slot)].take()
        }
    }

    /// A binary min-heap of deadlines (ties in the order they were scheduled). Sifting moves one hole
    /// instead of swapping, so each level costs a compare and a copy.
    struct DeadlineHeap {
        private(set) var items: [Entry] = []

        var first: Entry? { items.first }
        var count: Int { items.count }

        mutating func push(_ entry: Entry) {
            var i = items.count
            items.append(entry)
            while i > 0 {
                let parent = (i - 1) / 2
                guard DeadlineHeap.less(entry, items[parent]) else { break }
                items[i] = items[parent]
                i = parent
            }
            items[i] = entry
        }

        mutating func pop() -> Entry? {
            guard let last = items.popLast() else { return nil }
            guard !items.isEmpty else { return last }
            let top = items[0]
            let n = items.count
            var i = 0
            while true {
                let left = 2 * i + 1
                if left >= n { break }
                var child = left
                if left + 1 < n && DeadlineHeap.less(items[left + 1], items[left]) { child = left + 1 }
                guard DeadlineHeap.less(items[child], last) else { break }
                items[i] = items[child]
                i = child
            }
            items[i] = last
            return top
        }

        static func less(_ a: Entry, _ b: Entry) -> Bool {
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
            let wasEarliest = s.heap.first.map { deadline < $0.deadline } ?? true
            s.push(client, at: deadline)
            return wasEarliest
        }
        if wakeThread { signal.notify() }
    }

    /// Wakes every scheduled client now (used when shutting down) and keeps running.
    public func wakeAll() {
        let all = state.withLock { s -> [any PacerClient] in
            var clients: [any PacerClient] = []
            while let client = s.pop() { clients.append(client) }
            return clients
        }
        for client in all { client.pacerWake() }
    }

    /// Ends the timer thread after waking everything still scheduled.
    public func stop() {
        state.withLock { $0.stopping = true }
        signal.notify()
    }

    /// The number of clients waiting for a deadline.
    public var scheduledCount: Int { state.withLock { $0.heap.count } }

    private func run() {
        var due: [any PacerClient] = []
        while true {
            let now = MonotonicClock.now()
            var sleepUntil: UInt64 = 0
            let stopping = state.withLock { s -> Bool in
                while let first = s.heap.first, first.deadline <= now + Pacer.slackNanos, let client = s.pop() {
                    due.append(client)
                }
                if s.stopping {
                    while let client = s.pop() { due.append(client) }
                    return true
                }
                sleepUntil = s.heap.first?.deadline ?? now + 1_000_000_000
                return false
            }
            for client in due { client.pacerWake() }
            due.removeAll(keepingCapacity: true)
            if stopping { return }
            signal.wait(untilMonotonic: sleepUntil)
        }
    }
}

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
        /// Clients waiting for a moment with no burst of deadlines close (`scheduleWhenIdle`), oldest
        /// first from `idleHead`, with when they asked.
        var idle: [(client: any PacerClient, since: UInt64)?] = []
        var idleHead = 0

        var idleCount: Int { idle.count - idleHead }

        /// Takes out the idle clients, oldest first: all of them when `all`, else at most `budget`
        /// of those waiting since `since` or before.
        mutating func takeIdle(all: Bool, waitingSince since: UInt64 = 0, budget: Int = 0,
                               into out: inout [any PacerClient]) {
            var taken = 0
            while idleHead < idle.count, let entry = idle[idleHead], all || (entry.since <= since && taken < budget) {
                out.append(entry.client)
                idle[idleHead] = nil
                idleHead += 1
                taken += 1
            }
            if idleHead == idle.count {
                idle.removeAll(keepingCapacity: true)
                idleHead = 0
            } else if idleHead >= 1024 && idleHead * 2 >= idle.count {
                // Under steady load the queue may never run empty: drop the taken places.
                idle.removeFirst(idleHead)
                idleHead = 0
            }
        }

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

        /// Takes the earliest client out, with its deadline.
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

        /// How many deadlines fall at or before `limit`, counting no further than `cap`: only the
        /// entries counted and their children are looked at.
        func count(dueBy limit: UInt64, upTo cap: Int) -> Int {
            var n = 0
            countFrom(0, limit: limit, cap: cap, into: &n)
            return n
        }

        private func countFrom(_ i: Int, limit: UInt64, cap: Int, into n: inout Int) {
            guard n < cap, i < items.count, items[i].deadline <= limit else { return }
            n += 1
            countFrom(2 * i + 1, limit: limit, cap: cap, into: &n)
            countFrom(2 * i + 2, limit: limit, cap: cap, into: &n)
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
    /// `scheduleWhenIdle` clients wait while `busyDeadlines` or more deadlines fall within this
    /// much of now (a burst of frames due together)...
    public static let idleMarginNanos: UInt64 = 1_000_000
    public static let busyDeadlines = 32
    /// ...but once they have waited this long, a few (`idleBudgetPerPass`) go with every pass.
    public static let maxIdleWaitNanos: UInt64 = 5_000_000
    public static let idleBudgetPerPass = 4

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

    /// Asks for `client.pacerWake()` at once, unless a burst of deadlines is close (`busyDeadlines`
    /// within `idleMarginNanos`): then after it, or, once it has waited `maxIdleWaitNanos`, among a
    /// few at each pass. For work that can wait for the frames due around it (a stream's end).
    /// Callable from any thread.
    public func scheduleWhenIdle(_ client: any PacerClient) {
        let now = MonotonicClock.now()
        let wakeThread = state.withLock { s -> Bool in
            s.idle.append((client, now))
            return s.idleCount == 1
        }
        if wakeThread { signal.notify() }
    }

    /// Wakes every scheduled client now (used when shutting down) and keeps running.
    public func wakeAll() {
        let all = state.withLock { s -> [any PacerClient] in
            var clients: [any PacerClient] = []
            while let client = s.pop() { clients.append(client) }
            s.takeIdle(all: true, into: &clients)
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
    public var scheduledCount: Int { state.withLock { $0.heap.count + $0.idleCount } }

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
                    s.takeIdle(all: true, into: &due)
                    return true
                }
                let next = s.heap.first?.deadline ?? UInt64.max
                if s.idleCount > 0 {
                    // After the frames due now: idle clients go unless a burst of deadlines is close;
                    // then only a few of those that waited their longest each time, so that what they
                    // let loose does not make the burst late.
                    let quiet = s.heap.count(dueBy: now &+ Pacer.idleMarginNanos, upTo: Pacer.busyDeadlines)
                        < Pacer.busyDeadlines
                    s.takeIdle(all: quiet, waitingSince: now &- min(now, Pacer.maxIdleWaitNanos),
                               budget: Pacer.idleBudgetPerPass, into: &due)
                }
                // Idle clients still waiting are looked at again after the next deadline, or when the
                // oldest has waited its longest (a slack from now, for the budget's next share).
                sleepUntil = min(next, now + 1_000_000_000)
                if s.idleCount > 0, let oldest = s.idle[s.idleHead] {
                    sleepUntil = min(sleepUntil, max(oldest.since &+ Pacer.maxIdleWaitNanos, now &+ Pacer.slackNanos))
                }
                return false
            }
            for client in due { client.pacerWake() }
            due.removeAll(keepingCapacity: true)
            if stopping { return }
            signal.wait(untilMonotonic: sleepUntil)
        }
    }
}

import Synchronization
import Testing

@testable import Emulator

/// The pacer's deadline heap, and the timer thread waking real clients.
@Suite struct PacerTests {
    /// Pops every entry of a heap filled in the given order.
    func drained(_ entries: [Pacer.Entry]) -> [Pacer.Entry] {
        var heap = Pacer.DeadlineHeap()
        for e in entries { heap.push(e) }
        var out: [Pacer.Entry] = []
        while let e = heap.pop() { out.append(e) }
        return out
    }

    @Test func theHeapGivesDeadlinesInOrderAndTiesInTheOrderScheduled() {
        var rng = SeededRandom(seed: 7)
        var entries: [Pacer.Entry] = []
        for i in 0..<2_000 {
            // Few distinct deadlines, so that many entries tie.
            entries.append(Pacer.Entry(deadline: rng.next() % 50, sequence: UInt64(i), slot: Int32(i)))
        }
        let out = drained(entries)
        #expect(out.count == entries.count)
        let expected = entries.sorted { ($0.deadline, $0.sequence) < ($1.deadline, $1.sequence) }
        #expect(out == expected)
    }

    @Test func theHeapStaysOrderedWhenPushesAndPopsInterleave() {
        var rng = SeededRandom(seed: 11)
        var heap = Pacer.DeadlineHeap()
        var model: [Pacer.Entry] = []
        var sequence: UInt64 = 0
        for _ in 0..<5_000 {
            if rng.next() % 3 != 0 || model.isEmpty {
                sequence += 1
                let e = Pacer.Entry(deadline: rng.next() % 1_000, sequence: sequence, slot: 0)
                heap.push(e)
                model.append(e)
            } else {
                let smallest = model.min { ($0.deadline, $0.sequence) < ($1.deadline, $1.sequence) }!
                model.removeAll { $0 == smallest }
                #expect(heap.pop() == smallest)
            }
            #expect(heap.count == model.count)
        }
    }

    /// Records when it was woken.
    final class Recorder: PacerClient {
        let name: Int
        let log: Log
        init(name: Int, log: Log) {
            self.name = name
            self.log = log
        }
        func pacerWake() {
            let now = MonotonicClock.now()
            log.entries.withLock { $0.append((name, now)) }
        }
    }

    final class Log: Sendable {
        let entries = Mutex<[(name: Int, at: UInt64)]>([])
    }

    @Test func clientsAreWokenInDeadlineOrderNeverBeforeTheirSlackAndThenLetGo() async throws {
        let pacer = Pacer()
        pacer.start()
        defer { pacer.stop() }
        let log = Log()
        let ms: UInt64 = 1_000_000
        let start = MonotonicClock.now()
        var rng = SeededRandom(seed: 3)
        var deadlines: [UInt64] = []
        weak var firstClient: Recorder?
        do {
            for i in 0..<300 {
                let deadline = start + 5 * ms + (rng.next() % 40) * ms
                deadlines.append(deadline)
                let client = Recorder(name: i, log: log)
                if i == 0 { firstClient = client }
                pacer.schedule(client, at: deadline)
            }
        }
        var waited = 0
        while log.entries.withLock({ $0.count }) < 300 && waited < 400 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
        }
        let woken = log.entries.withLock { $0 }
        #expect(woken.count == 300)
        #expect(pacer.scheduledCount == 0)
        for (name, at) in woken {
            #expect(at + Pacer.slackNanos >= deadlines[name], "client \(name) woken before its deadline's slack")
        }
        // In deadline order, ties in the order scheduled.
        let expected = deadlines.indices.sorted { (deadlines[$0], $0) < (deadlines[$1], $1) }
        #expect(woken.map(\.name) == expected)
        #expect(firstClient == nil, "the pacer still holds a client it woke")
    }

    /// Waits (up to 2 s) until the log holds `count` wakes.
    func waitForWakes(_ log: Log, _ count: Int) async throws {
        var waited = 0
        while log.entries.withLock({ $0.count }) < count && waited < 400 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
        }
    }

    @Test func anIdleClientIsWokenAtOnceWhenNoDeadlineIsClose() async throws {
        let pacer = Pacer()
        pacer.start()
        defer { pacer.stop() }
        let log = Log()
        let start = MonotonicClock.now()
        pacer.scheduleWhenIdle(Recorder(name: 1, log: log))
        try await waitForWakes(log, 1)
        let woken = log.entries.withLock { $0 }
        #expect(woken.map(\.name) == [1])
        #expect(woken[0].at - start < Pacer.maxIdleWaitNanos, "woken without waiting for the longest wait")
    }

    @Test func anIdleClientWaitsForABurstOfDeadlinesButNotLongerThanTheMaximum() async throws {
        let pacer = Pacer()
        pacer.start()
        defer { pacer.stop() }
        let log = Log()
        let ms: UInt64 = 1_000_000
        let start = MonotonicClock.now()
        // 100 deadlines a millisecond for 40 ms from now: a burst all along.
        for i in 0..<4_000 { pacer.schedule(Recorder(name: 100 + i, log: log), at: start + UInt64(i) * 10_000) }
        pacer.scheduleWhenIdle(Recorder(name: 1, log: log))
        try await waitForWakes(log, 4_001)
        let woken = log.entries.withLock { $0 }
        #expect(woken.count == 4_001)
        guard let idle = woken.first(where: { $0.name == 1 }) else { return }
        let waited = idle.at - start
        #expect(waited + Pacer.slackNanos >= Pacer.maxIdleWaitNanos, "woken during the burst")
        #expect(waited < Pacer.maxIdleWaitNanos + 30 * ms, "not woken by the longest wait but after the burst")
        #expect(pacer.scheduledCount == 0)
    }

    @Test func idleClientsThatWaitedTheirLongestGoAFewAtATimeBetweenTheBurstsDeadlines() async throws {
        let pacer = Pacer()
        pacer.start()
        defer { pacer.stop() }
        let log = Log()
        let start = MonotonicClock.now()
        for i in 0..<4_000 { pacer.schedule(Recorder(name: 100 + i, log: log), at: start + UInt64(i) * 10_000) }
        for i in 0..<40 { pacer.scheduleWhenIdle(Recorder(name: i, log: log)) }
        try await waitForWakes(log, 4_040)
        let order = log.entries.withLock { $0.map(\.name) }
        #expect(order.count == 4_040)
        guard let first = order.firstIndex(where: { $0 < 40 }), let last = order.lastIndex(where: { $0 < 40 }) else {
            return
        }
        let between = order[first...last].filter { $0 >= 100 }.count
        #expect(between >= 40, "the idle clients went out all at once")
        #expect(order[first...last].filter { $0 < 40 } == Array(0..<40), "oldest first")
    }

    @Test func anIdleClientDoesNotWaitForSparseDeadlines() async throws {
        let pacer = Pacer()
        pacer.start()
        defer { pacer.stop() }
        let log = Log()
        let ms: UInt64 = 1_000_000
        let start = MonotonicClock.now()
        // One deadline every 0.5 ms: streams that are not bursting.
        for i in 0..<40 { pacer.schedule(Recorder(name: 100 + i, log: log), at: start + 5 * ms + UInt64(i) * ms / 2) }
        pacer.scheduleWhenIdle(Recorder(name: 1, log: log))
        try await waitForWakes(log, 1)
        let woken = log.entries.withLock { $0 }
        #expect(woken.first?.name == 1, "the idle client came first, before any deadline")
    }

    @Test func wakeAllWakesEveryClientAtOnce() {
        let pacer = Pacer()
        let log = Log()
        let far = MonotonicClock.now() + 3_600_000_000_000
        for i in 0..<10 { pacer.schedule(Recorder(name: i, log: log), at: far + UInt64(10 - i)) }
        #expect(pacer.scheduledCount == 10)
        pacer.wakeAll()
        #expect(pacer.scheduledCount == 0)
        #expect(log.entries.withLock { $0.map(\.name) } == Array((0..<10).reversed()))
        // Slots freed by the wake are used again.
        pacer.schedule(Recorder(name: 99, log: log), at: far)
        #expect(pacer.scheduledCount == 1)
        pacer.wakeAll()
        #expect(log.entries.withLock { $0.last?.name } == 99)
        // Idle clients too.
        pacer.scheduleWhenIdle(Recorder(name: 7, log: log))
        #expect(pacer.scheduledCount == 1)
        pacer.wakeAll()
        #expect(pacer.scheduledCount == 0)
        #expect(log.entries.withLock { $0.last?.name } == 7)
    }
}

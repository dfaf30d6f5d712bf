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
    }
}

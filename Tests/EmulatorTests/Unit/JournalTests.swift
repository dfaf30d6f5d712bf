import Testing

@testable import Emulator

/// The journal's streams: entries added as a stream starts and finished when it ends, found by
/// their slot, never finishing another request's entry.
@Suite struct JournalTests {
    func request(_ id: String) -> HTTPRequest { HTTPRequest(method: "POST", path: "/v1/chat/completions", id: id) }

    func start(_ journal: Journal, _ id: String, scope: String = "") {
        journal.start(journal.draft(request(id), scope: scope))
    }

    func statuses(_ journal: Journal, scope: String = "") -> [String: Int] {
        var out: [String: Int] = [:]
        for e in journal.entries(scope: scope) { out[e.id] = e.status }
        return out
    }

    @Test func streamsEndingInAnyOrderAreEachFinished() {
        let journal = Journal(capacity: 2_000, bodyCap: 1_024)
        for i in 0..<1_000 { start(journal, "req_\(i)") }
        #expect(journal.entries(scope: "").isEmpty, "unfinished streams are not listed")
        var rng = SeededRandom(seed: 5)
        for i in Array(0..<1_000).shuffled(using: &rng) {
            journal.finishStarted("req_\(i)", status: 200 + i % 3, durationMs: Double(i))
        }
        let entries = journal.entries(scope: "")
        #expect(entries.count == 1_000)
        #expect(entries.map(\.id) == (0..<1_000).map { "req_\($0)" }, "listed in arrival order")
        for (i, e) in entries.enumerated() {
            #expect(e.status == 200 + i % 3)
            #expect(e.durationMs == Double(i))
        }
    }

    @Test func aStreamPushedOutBeforeItEndsFinishesNothingElse() {
        let journal = Journal(capacity: 2, bodyCap: 1_024)
        start(journal, "stream")
        journal.publish(journal.draft(request("b"), scope: ""), status: 201, durationMs: 1)
        // The ring is full: "c" takes the slot the stream's entry had.
        journal.publish(journal.draft(request("c"), scope: ""), status: 202, durationMs: 2)
        journal.finishStarted("stream", status: 500, durationMs: 9)
        #expect(statuses(journal) == ["b": 201, "c": 202])
    }

    @Test func aStreamWhoseSlotAnotherStreamTookFinishesOnlyItself() {
        let journal = Journal(capacity: 1, bodyCap: 1_024)
        start(journal, "first")
        start(journal, "second")  // pushes the first out of the only slot
        journal.finishStarted("first", status: 500, durationMs: 1)
        #expect(statuses(journal).isEmpty, "the second stream is still under way")
        journal.finishStarted("second", status: 200, durationMs: 2)
        #expect(statuses(journal) == ["second": 200])
    }

    @Test func aStreamUnderWayWhenItsScopeIsClearedStaysCleared() {
        let journal = Journal(capacity: 4, bodyCap: 1_024)
        start(journal, "old", scope: "s")
        journal.clear(scope: "s")
        start(journal, "new", scope: "s")  // the same slot of a new ring
        journal.finishStarted("old", status: 500, durationMs: 1)
        #expect(statuses(journal, scope: "s").isEmpty)
        journal.finishStarted("new", status: 200, durationMs: 2)
        #expect(statuses(journal, scope: "s") == ["new": 200])
    }
}

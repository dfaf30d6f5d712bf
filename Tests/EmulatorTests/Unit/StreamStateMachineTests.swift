import Testing

@testable import Emulator

/// `StreamStateMachine` driven by step lists: each step is a reader call, a copy, or a pacer wake, at a
/// given instant, with the action it must produce.
@Suite struct StreamStateMachineTests {
    /// Replays a fixed list of events.
    struct ListSource: StreamSource {
        var events: [StreamEvent]
        mutating func next() -> StreamEvent? { events.isEmpty ? nil : events.removeFirst() }
    }

    static let ms: UInt64 = 1_000_000
    static let ping: UInt64 = 10_000 * ms
    static let stallLimit: UInt64 = 60_000 * ms
    /// The first delayed frame is due this much after its time, so that the pacer's early wake
    /// never sends it early.
    static let slack = Pacer.slackNanos

    func machine(_ events: [StreamEvent], start: UInt64 = 0) -> StreamStateMachine {
        StreamStateMachine(source: ListSource(events: events), start: start, pingIntervalNanos: Self.ping,
                           stallLimitNanos: Self.stallLimit)
    }

    func frame(_ text: String, after: UInt64 = 0) -> StreamEvent { .frame(Array(text.utf8), afterNanos: after) }

    /// Reads at `now` and, when told to copy, copies; returns the action and the copied text.
    func read(_ m: inout StreamStateMachine, max: Int = 1 << 16, now: UInt64) -> (StreamStateMachine.ReadAction, String) {
        let action = m.read(max: max, now: now)
        guard case .copy(let n) = action else { return (action, "") }
        let text = String(decoding: m.pending[m.cursor..<(m.cursor + n)], as: UTF8.self)
        m.didCopy(count: n, now: now)
        return (action, text)
    }

    /// The pacer's wake-up (a function so `#expect` can take the mutation).
    func wake(_ m: inout StreamStateMachine, _ now: UInt64) -> Bool { m.wake(now: now) }

    @Test func unpacedFramesGoOutTogetherThenTheStreamEnds() {
        var m = machine([frame("a\n\n"), frame("b\n\n"), frame("c\n\n")])
        let (action, text) = read(&m, now: 0)
        #expect(action == .copy(9))
        #expect(text == "a\n\nb\n\nc\n\n")
        #expect(m.framesSent == 3)
        #expect(read(&m, now: 0).0 == .endOfStream)
        #expect(m.phase == .finished)
        #expect(m.outcome == .completed)
    }

    @Test func copiesAtMostMaxBytesAndKeepsACursor() {
        var m = machine([frame("0123456789")])
        #expect(read(&m, max: 4, now: 0) == (.copy(4), "0123"))
        #expect(read(&m, max: 4, now: 0) == (.copy(4), "4567"))
        #expect(read(&m, max: 4, now: 0) == (.copy(2), "89"))
        #expect(read(&m, max: 4, now: 0).0 == .endOfStream)
    }

    @Test func pacedFramesSuspendUntilDueAndWakeResumes() {
        let ms = Self.ms
        var m = machine([frame("role"), frame("t1", after: 50 * ms), frame("t2", after: 50 * ms)], start: 1000 * ms)
        // step: read at start → the role frame
        #expect(read(&m, now: 1000 * ms) == (.copy(4), "role"))
        // step: read again → nothing due: suspend until t1 is due
        #expect(read(&m, now: 1001 * ms).0 == .suspend(wakeAt: 1050 * ms + Self.slack))
        #expect(m.phase == .suspended)
        // step: the pacer wakes it at the deadline → resume
        #expect(wake(&m, 1050 * ms))
        #expect(m.phase == .running)
        #expect(read(&m, now: 1050 * ms) == (.copy(2), "t1"))
        // t2 is due 50 ms after t1 was *due*, not after it was sent: no drift
        #expect(read(&m, now: 1060 * ms).0 == .suspend(wakeAt: 1100 * ms + Self.slack))
        #expect(wake(&m, 1100 * ms))
        #expect(read(&m, now: 1100 * ms) == (.copy(2), "t2"))
        #expect(read(&m, now: 1100 * ms).0 == .endOfStream)
        #expect(m.framesSent == 3)
    }

    @Test func aLateReaderCatchesUpWithEveryDueFrame() {
        let ms = Self.ms
        var m = machine([frame("a", after: 10 * ms), frame("b", after: 10 * ms), frame("c", after: 10 * ms)])
        #expect(read(&m, now: 10 * ms) == (.copy(1), "a"))
        #expect(read(&m, now: 35 * ms) == (.copy(2), "bc"))
    }

    @Test func aStreamStartedBeforeItWasQueuedKeepsItsFirstDeadline() {
        let ms = Self.ms
        // The request arrived at 0 but its stream was queued at 90 ms: the first token is still due at 200 ms.
        var m = machine([frame("role"), frame("t1", after: 200 * ms), frame("t2", after: 20 * ms)], start: 0)
        #expect(read(&m, now: 90 * ms) == (.copy(4), "role"))
        #expect(read(&m, now: 90 * ms).0 == .suspend(wakeAt: 200 * ms + Self.slack))
        #expect(wake(&m, 200 * ms))
        #expect(read(&m, now: 200 * ms) == (.copy(2), "t1"))
        #expect(read(&m, now: 200 * ms).0 == .suspend(wakeAt: 220 * ms + Self.slack))
    }

    @Test func anOverdueFirstTokenSetsThePaceFromNowInsteadOfBursting() {
        let ms = Self.ms
        var m = machine([frame("t1", after: 200 * ms), frame("t2", after: 20 * ms), frame("t3", after: 20 * ms)], start: 0)
        // First read at 250 ms: t1 is 50 ms late; t2 and t3 keep their 20 ms spacing from now.
        #expect(read(&m, now: 250 * ms) == (.copy(2), "t1"))
        #expect(read(&m, now: 250 * ms).0 == .suspend(wakeAt: 270 * ms))
    }

    @Test func framesDueWithinTheSlackGoOutNow() {
        let ms = Self.ms
        // b is due 0.1 ms after a: less than the 0.2 ms slack
        var m = machine([frame("a", after: 10 * ms), frame("b", after: 100_000)])
        #expect(read(&m, now: 10 * ms + Self.slack) == (.copy(2), "ab"))
    }

    /// The pacer wakes a stream up to a slack early; the first token still never comes before its
    /// time, wherever in the slack the reader runs.
    @Test func theFirstDelayedFrameIsNeverEarly() {
        let ms = Self.ms
        for now in stride(from: 100 * ms - 2 * Self.slack, to: 100 * ms, by: 10_000) {
            var m = machine([frame("role"), frame("t1", after: 100 * ms), frame("t2", after: 100_000)])
            #expect(read(&m, now: 0) == (.copy(4), "role"))
            #expect(read(&m, now: now).0 == .suspend(wakeAt: 100 * ms + Self.slack))
        }
        var m = machine([frame("t1", after: 100 * ms)])
        #expect(read(&m, now: 100 * ms) == (.copy(2), "t1"))
    }

    @Test func wakeWithoutASuspendDoesNothing() {
        var m = machine([frame("a", after: Self.ms)])
        #expect(!wake(&m, 0))
        #expect(m.phase == .running)
        _ = read(&m, now: 0)
        #expect(m.phase == .suspended)
        #expect(wake(&m, Self.ms))
        #expect(!wake(&m, Self.ms), "a second wake of a running stream is ignored")
    }

    @Test func anEarlyWakeResumesButTheReaderSuspendsAgain() {
        let ms = Self.ms
        var m = machine([frame("a", after: 100 * ms)])
        #expect(read(&m, now: 0).0 == .suspend(wakeAt: 100 * ms + Self.slack))
        #expect(wake(&m, 40 * ms))
        #expect(m.pending.isEmpty, "no ping before the ping interval")
        #expect(read(&m, now: 40 * ms).0 == .suspend(wakeAt: 100 * ms + Self.slack))
    }

    @Test func anIdleStreamSendsAPingAtTheInterval() {
        let ms = Self.ms
        var m = machine([frame("late", after: 25_000 * ms)])
        #expect(read(&m, now: 0).0 == .suspend(wakeAt: Self.ping))
        #expect(wake(&m, Self.ping))
        #expect(read(&m, now: Self.ping) == (.copy(8), ": ping\n\n"))
        #expect(read(&m, now: Self.ping).0 == .suspend(wakeAt: 2 * Self.ping))
        #expect(wake(&m, 2 * Self.ping))
        #expect(read(&m, now: 2 * Self.ping) == (.copy(8), ": ping\n\n"))
        #expect(read(&m, now: 2 * Self.ping).0 == .suspend(wakeAt: 25_000 * ms + Self.slack))
        #expect(wake(&m, 25_000 * ms))
        #expect(read(&m, now: 25_000 * ms) == (.copy(4), "late"))
        #expect(m.framesSent == 1, "pings are not frames")
    }

    @Test func abortRequestedEndsWithAnError() {
        var m = machine([frame("a"), frame("b", after: Self.ms * 1000)])
        _ = read(&m, now: 0)
        _ = read(&m, now: 0)
        #expect(m.phase == .suspended)
        m.abortRequested = true
        #expect(wake(&m, 1), "shutdown resumes the stream")
        #expect(read(&m, now: 1).0 == .endWithError)
        #expect(m.outcome == .aborted)
    }

    @Test func abortEventFlushesPendingBytesFirst() {
        var m = machine([frame("a"), frame("b"), .abort(afterNanos: 0), frame("never")])
        #expect(read(&m, now: 0) == (.copy(2), "ab"))
        #expect(read(&m, now: 0).0 == .endWithError)
        #expect(m.outcome == .clientGone)
    }

    @Test func stallKeepsTheConnectionUntilTheStallLimit() {
        let ms = Self.ms
        var m = machine([frame("a"), .stall(afterNanos: 5 * ms), frame("never")])
        #expect(read(&m, now: 0) == (.copy(1), "a"))
        #expect(read(&m, now: 5 * ms).0 == .suspend(wakeAt: 5 * ms + Self.stallLimit))
        #expect(wake(&m, 1000 * ms))
        #expect(m.pending.isEmpty, "a stalled stream sends no pings")
        #expect(read(&m, now: 1000 * ms).0 == .suspend(wakeAt: 5 * ms + Self.stallLimit))
        #expect(wake(&m, 5 * ms + Self.stallLimit))
        #expect(read(&m, now: 5 * ms + Self.stallLimit).0 == .endWithError)
    }

    @Test func clientGoneWhenFreedMidStream() {
        var m = machine([frame("a"), frame("b", after: Self.ms)])
        _ = read(&m, now: 0)
        #expect(m.outcome == .clientGone)
    }

    @Test func unsentBytesAtTheEndMeanTheClientLeft() {
        var m = machine([frame("abcdef")])
        #expect(read(&m, max: 2, now: 0).0 == .copy(2))
        #expect(m.outcome == .clientGone)
    }

    @Test func emptyStreamEndsAtOnce() {
        var m = machine([])
        #expect(read(&m, now: 0).0 == .endOfStream)
        #expect(m.outcome == .completed)
    }
}

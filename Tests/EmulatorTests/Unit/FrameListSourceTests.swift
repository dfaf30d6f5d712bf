import Testing

@testable import Emulator

@Suite struct FrameListSourceTests {
    static func pieces(_ texts: [String]) -> [TokenPiece] { texts.map { TokenPiece(text: Substring($0), tokens: 1) } }

    func drain(_ source: FrameListSource) -> [(text: String, delay: UInt64, token: Bool)] {
        var source = source
        var out: [(String, UInt64, Bool)] = []
        while let event = source.next() {
            guard case .frame(let bytes, let delay, let token) = event else {
                Issue.record("not a frame: \(event)")
                break
            }
            out.append((String(decoding: bytes, as: UTF8.self), delay, token))
        }
        return out
    }

    @Test func tokenRunsAreWrittenWhenDueAndPacedLikeTokenFrames() {
        var source = FrameListSource(latency: LatencyPlan(ttftMs: 200, itlMs: 20))
        source.add(event: "start", data: ["n": 0])
        source.add(FrameListSource.TokenRun(
            head: Array("event: d\ndata: {\"delta\":".utf8), tail: Array(",\"sequence_number\":".utf8), firstNumber: 1,
            pieces: Self.pieces(["He", " said \"", "é\n中"])))
        source.add(FrameListSource.TokenRun(head: Array("event: e\ndata: {\"t\":".utf8), tail: Array("}".utf8),
                                            firstNumber: nil, pieces: []))
        source.add(event: "end", data: ["n": 4])
        let events = drain(source)
        #expect(events.map(\.text) == [
            "event: start\ndata: {\"n\":0}\n\n",
            "event: d\ndata: {\"delta\":\"He\",\"sequence_number\":1}\n\n",
            "event: d\ndata: {\"delta\":\" said \\\"\",\"sequence_number\":2}\n\n",
            "event: d\ndata: {\"delta\":\"é\\n中\",\"sequence_number\":3}\n\n",
            "event: end\ndata: {\"n\":4}\n\n",
        ])
        #expect(events.map(\.delay) == [0, 200_000_000, 20_000_000, 20_000_000, 0])
        #expect(events.map(\.token) == [false, true, true, true, false])
    }

    @Test func unnumberedRunsCloseWithTheirTail() {
        var source = FrameListSource(latency: LatencyPlan())
        source.add(FrameListSource.TokenRun(head: Array("data: {\"t\":".utf8), tail: Array("}}".utf8), firstNumber: nil,
                                            pieces: Self.pieces(["a", "b"])))
        #expect(drain(source).map(\.text) == ["data: {\"t\":\"a\"}}\n\n", "data: {\"t\":\"b\"}}\n\n"])
    }

    @Test func withoutTokensTheLastFrameWaitsForTheFirstTokenTime() {
        var source = FrameListSource(latency: LatencyPlan(ttftMs: 50, itlMs: 10))
        source.add(event: "a", data: [:])
        source.add(event: "b", data: [:])
        #expect(drain(source).map(\.delay) == [0, 50_000_000])
    }
}

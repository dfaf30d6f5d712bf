#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import Testing

@testable import Emulator

/// Stress for the C-interop layer: thousands of paced streams whose clients leave at random moments
/// (close or reset, before the answer, mid-stream, after reading a little) while the pacer is resuming them. The
/// server must keep serving and its stream registry must drain to zero. Run it under
/// `swift test --sanitize=thread` / `--sanitize=address` (scripts/sanitizers.sh) to catch races and
/// use-after-free on suspended connections.
///
/// `EMULATOR_CHURN_STREAMS` overrides the number of streams (default 2,000); new streams stop being
/// started after `EMULATOR_CHURN_SECONDS` (default 30), so slow (sanitized) builds stay bounded.
@Suite(.serialized) struct StreamChurnTests {
    static let streams = environment("EMULATOR_CHURN_STREAMS").flatMap { Int($0) } ?? 2_000
    static let budgetSeconds = environment("EMULATOR_CHURN_SECONDS").flatMap { Double($0) } ?? 30
    static let workers = 48
    /// Streams held open at once by `hundredsOfSuspendedStreamsDroppedAtOnce`.
    static let held = 200

    static let words = Array(repeating: "churn", count: 120).joined(separator: " ")
    /// Streaming requests of every endpoint that streams.
    static let bodies: [(path: String, body: String)] = [
        ("/v1/chat/completions", #"{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"#),
        ("/v1/responses", #"{"model":"gpt-4o-mini","stream":true,"input":"hi"}"#),
        ("/v1/completions", #"{"model":"gpt-3.5-turbo-instruct","stream":true,"prompt":"hi"}"#),
        ("/v1/messages", #"{"model":"claude-3-5-sonnet-latest","max_tokens":200,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#),
    ]

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// How one client leaves.
    enum Exit: Int, CaseIterable {
        case closeBeforeAnswer, resetBeforeAnswer, closeMidStream, resetMidStream, closeAfterSomeFrames, readToTheEnd
    }

    final class Tally: Sendable {
        let started = Atomic<Int>(0)
        let completed = Atomic<Int>(0)
        let errors = Locked<[String]>([])
        let byExit = Locked<[Int]>(Array(repeating: 0, count: Exit.allCases.count))

        func fail(_ what: String) {
            errors.withLock { if $0.count < 20 { $0.append(what) } }
        }
    }

    /// One client: sends a streaming request and leaves the way `exit` says, after `delayMicros`.
    static func churn(port: Int, index: Int, exit: Exit, delayMicros: UInt32, tally: Tally) {
        let (path, body) = bodies[index % bodies.count]
        do {
            let client = try RawHTTPClient(port: port, timeoutSeconds: 20)
            // `Connection: close`: a short stream that ended before a read is then an end of file, not a wait.
            try client.send(RawHTTPClient.requestBytes(
                "POST", path, body: Array(body.utf8), headers: exit == .closeAfterSomeFrames ? [("Connection", "close")] : []))
            switch exit {
            case .closeBeforeAnswer:
                client.close()
            case .resetBeforeAnswer:
                client.reset()
            case .closeMidStream, .resetMidStream:
                let head = try client.readHead()
                if head.status != 200 { tally.fail("\(path): status \(head.status)") }
                usleep(delayMicros)
                exit == .closeMidStream ? client.close() : client.reset()
            case .closeAfterSomeFrames:
                _ = try client.readHead()
                usleep(delayMicros / 2)
                try client.fill()
                client.close()
            case .readToTheEnd:
                let response = try client.readResponse(method: "POST")
                if response.status != 200 || !response.text.hasSuffix("\n\n") {
                    tally.fail("\(path): full stream ended with status \(response.status), \(response.body.count) bytes")
                } else {
                    tally.completed.add(1, ordering: .relaxed)
                }
                client.close()
            }
            tally.byExit.withLock { $0[exit.rawValue] += 1 }
        } catch {
            tally.fail("\(path) \(exit): \(error)")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func thousandsOfStreamsLeftAtRandomMomentsDrainTheRegistry() throws {
        let config = TestServer.configuration {
            $0.itlMs = 1
            $0.ttftMs = 2
            $0.responseText = Self.words
            $0.server.maxConnections = 1_000
        }
        try TestServer.withRunningApp(config) { app, port in
            let tally = Tally()
            let deadline = MonotonicClock.now() + UInt64(Self.budgetSeconds * 1e9)
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: Self.workers) { worker in
                var rng = SeededRandom(seed: UInt64(worker) &+ 0xC0FFEE)
                while MonotonicClock.now() < deadline {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    if index >= Self.streams { break }
                    tally.started.add(1, ordering: .relaxed)
                    let exit = Exit.allCases[Int(rng.next() % UInt64(Exit.allCases.count))]
                    let delay = UInt32(rng.next() % 40_000)  // 0–40 ms: between the pacer's 1 ms frames
                    Self.churn(port: port, index: index, exit: exit, delayMicros: delay, tally: tally)
                }
            }
            let started = tally.started.load(ordering: .relaxed)
            let errors = tally.errors.withLock { $0 }
            #expect(errors.isEmpty, "\(errors.count) client errors, first: \(errors.prefix(5))")
            // ThreadSanitizer builds run about ten times slower: a few hundred streams still churn the pacer.
            #expect(started >= min(Self.streams, 100), "only \(started) streams started in \(Self.budgetSeconds) s")
            #expect(tally.completed.load(ordering: .relaxed) > 0)
            #expect(TestServer.eventually(timeoutSeconds: 15) { app.server.activeStreams == 0 },
                    "streams left in the registry: \(app.server.activeStreams) after \(started) streams")

            // Still serving: a plain answer and a complete stream.
            let plain = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: ChatEndToEndTests.chat)
            #expect(plain.status == 200)
            let stream = try RawHTTPClient.request(port: port, "POST", Self.bodies[0].path, body: Self.bodies[0].body)
            #expect(stream.sseFrames.last?.text == "data: [DONE]")
            #expect(TestServer.eventually { app.server.activeStreams == 0 })
        }
    }

    /// Many streams suspended at once, all dropped in the same instant while the pacer is resuming them.
    @Test(.timeLimit(.minutes(2)))
    func hundredsOfSuspendedStreamsDroppedAtOnce() throws {
        let config = TestServer.configuration {
            $0.itlMs = 50
            $0.responseText = Array(repeating: "held", count: 1_000).joined(separator: " ")
        }
        try TestServer.withRunningApp(config) { app, port in
            for round in 0..<3 {
                var clients: [RawHTTPClient] = []
                for i in 0..<Self.held {
                    let (path, body) = Self.bodies[i % 2]  // chat and responses: no token cap, 50 s of frames
                    let c = try RawHTTPClient(port: port)
                    try c.send(RawHTTPClient.requestBytes("POST", path, body: Array(body.utf8)))
                    clients.append(c)
                }
                for (i, c) in clients.enumerated() {
                    do {
                        #expect(try c.readHead().status == 200)
                    } catch {
                        Issue.record("round \(round), stream \(i): \(error); \(app.server.activeStreams) active")
                    }
                }
                #expect(TestServer.eventually { app.server.activeStreams == Self.held },
                        "round \(round): \(app.server.activeStreams) active")
                for (i, c) in clients.enumerated() { i % 2 == 0 ? c.reset() : c.close() }
                #expect(TestServer.eventually(timeoutSeconds: 10) { app.server.activeStreams == 0 },
                        "round \(round): \(app.server.activeStreams) streams left")
            }
            // A plain answer is held back for its simulated generation time: keep it short.
            let short = #"{"model":"gpt-4o-mini","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}"#
            let ok = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: short)
            #expect(ok.status == 200)
            #expect(try RawHTTPClient.request(port: port, "GET", "/health").status == 200)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import Emulator

/// Streams that end early, shutdown with streams in flight, and the connection limit.
@Suite struct LifecycleEndToEndTests {
    static let longText = Array(repeating: "word", count: 200).joined(separator: " ")

    @Test(.timeLimit(.minutes(1)))
    func clientLeavingMidStreamFreesTheStream() throws {
        let config = TestServer.configuration {
            $0.itlMs = 20
            $0.responseText = Self.longText
        }
        try TestServer.withRunningApp(config) { app, port in
            var clients: [RawHTTPClient] = []
            for _ in 0..<6 {
                let c = try RawHTTPClient(port: port)
                try c.send(RawHTTPClient.requestBytes(
                    "POST", "/v1/chat/completions", body: Array(ChatEndToEndTests.streamChat.utf8)))
                #expect(try c.readHead().status == 200)
                clients.append(c)
            }
            #expect(TestServer.eventually { app.server.activeStreams == 6 })
            usleep(100_000)
            for (i, c) in clients.enumerated() {
                if i % 2 == 0 { c.close() } else { c.reset() }
            }
            // A suspended connection notices the client at its next frame (20 ms away).
            #expect(TestServer.eventually { app.server.activeStreams == 0 }, "streams left: \(app.server.activeStreams)")
            let ok = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: ChatEndToEndTests.chat)
            #expect(ok.status == 200)
            #expect(app.server.activeStreams == 0)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func completedStreamsDrainTheRegistry() throws {
        let config = TestServer.configuration { $0.itlMs = 2 }
        try TestServer.withRunningApp(config) { app, port in
            for _ in 0..<5 {
                let r = try RawHTTPClient.request(
                    port: port, "POST", "/v1/chat/completions", body: ChatEndToEndTests.streamChat)
                #expect(r.sseFrames.last?.text == "data: [DONE]")
            }
            #expect(TestServer.eventually { app.server.activeStreams == 0 })
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func shutdownWhileAStreamIsSuspendedDoesNotAbort() throws {
        var config = TestServer.configuration {
            $0.itlMs = 200
            $0.responseText = Self.longText
        }
        config.shutdownGraceSeconds = 0.3
        let app = try EmulatorApp(configuration: config, logger: TestServer.quietLogger)
        let port = try app.start()
        let client = try RawHTTPClient(port: port)
        defer { client.close() }
        try client.send(RawHTTPClient.requestBytes(
            "POST", "/v1/chat/completions", body: Array(ChatEndToEndTests.streamChat.utf8)))
        #expect(try client.readHead().status == 200)
        #expect(TestServer.eventually { app.server.activeStreams == 1 })
        usleep(50_000)  // the stream is now suspended, waiting for its next token
        let start = MonotonicClock.now()
        app.shutdown()  // MHD_stop_daemon with a suspended connection would abort the process
        let took = Double(MonotonicClock.now() - start) / 1e9
        #expect(took < 3, "shutdown took \(took) s with a 0.3 s grace")
        #expect(app.server.activeStreams == 0)
        #expect(client.waitForClose(), "the client's connection is closed")
        app.shutdown()  // a second call is harmless
    }

    @Test(.timeLimit(.minutes(1)))
    func shutdownLetsAShortStreamFinishWithinTheGrace() throws {
        var config = TestServer.configuration {
            $0.itlMs = 20
            $0.responseText = (1...20).map { "t\($0)" }.joined(separator: " ")
        }
        config.shutdownGraceSeconds = 5
        let app = try EmulatorApp(configuration: config, logger: TestServer.quietLogger)
        let port = try app.start()
        let client = try RawHTTPClient(port: port)
        defer { client.close() }
        try client.send(RawHTTPClient.requestBytes(
            "POST", "/v1/chat/completions", body: Array(ChatEndToEndTests.streamChat.utf8)))
        #expect(TestServer.eventually { app.server.activeStreams == 1 })
        app.shutdown()
        let r = try client.readResponse()
        #expect(r.status == 200)
        #expect(r.sseFrames.last?.text == "data: [DONE]", "the stream completed during the grace period")
    }

    @Test(.timeLimit(.minutes(1)))
    func overTheConnectionLimitProbesAreServedAndOtherRequestsRefused() throws {
        let config = TestServer.configuration {
            $0.server.maxConnections = 8
            $0.server.threads = 1
        }
        try TestServer.withRunningApp(config) { app, port in
            var held: [RawHTTPClient] = []
            for _ in 0..<8 {
                let c = try RawHTTPClient(port: port)
                #expect(try c.request("GET", "/health").status == 200)  // accepted and kept alive
                held.append(c)
            }
            #expect(app.server.currentConnections == 8)
            // A ninth connection is still answered for the probes…
            let probe = try RawHTTPClient(port: port, timeoutSeconds: 5)
            defer { probe.close() }
            #expect(try probe.request("GET", "/health").status == 200)
            #expect(try probe.request("GET", "/metrics").status == 200)
            // …and refused with a 503 for anything else, its connection closed.
            let extra = try RawHTTPClient(port: port, timeoutSeconds: 5)
            defer { extra.close() }
            let refused = try extra.request(
                "POST", "/v1/chat/completions", body: ChatEndToEndTests.chat)
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(refused.header("Connection")?.lowercased() == "close")
            #expect(refused.text.contains("--max-connections"))
            // The held connections are still served.
            let chat = try held[0].request("POST", "/v1/chat/completions", body: ChatEndToEndTests.chat)
            #expect(chat.status == 200)
            for c in held { c.close() }
            probe.close()
            #expect(TestServer.eventually { app.server.currentConnections <= 1 })
            let later = try RawHTTPClient.request(
                port: port, "POST", "/v1/chat/completions", body: ChatEndToEndTests.chat)
            #expect(later.status == 200, "clients are served again once others closed")
        }
    }
}

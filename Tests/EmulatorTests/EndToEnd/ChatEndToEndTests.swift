#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import Emulator

/// Chat completions against the real server over plain HTTP.
@Suite struct ChatEndToEndTests {
    static let chat = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello."}]}"#
    static let streamChat =
        #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello."}],"stream":true}"#

    @Test(.timeLimit(.minutes(1)))
    func nonStreamCompletion() throws {
        try TestServer.withRunning { port in
            let r = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: Self.chat)
            #expect(r.status == 200)
            #expect(r.header("content-type")?.hasPrefix("application/json") == true)
            #expect(r.header("access-control-allow-origin") == "*")
            #expect(r.header("x-request-id")?.isEmpty == false)
            #expect(r.header("openai-processing-ms").flatMap { Int($0) } != nil)
            let json = try JSONParser.parse(r.body)
            let id = try #require(json["id"]?.stringValue)
            #expect(id.hasPrefix("chatcmpl-") && id.count == "chatcmpl-".count + 29)
            #expect(id.dropFirst(9).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(json["object"] == "chat.completion")
            #expect(json["model"] == "gpt-4o-mini")
            #expect(json["created"]?.intValue.map { abs($0 - WallClock.unixSeconds()) < 60 } == true)
            #expect(json["system_fingerprint"]?.stringValue?.hasPrefix("fp_") == true)
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["index"] == 0)
            #expect(choice["finish_reason"] == "stop")
            #expect(choice["logprobs"] == .null)
            #expect(choice["message"]?["role"] == "assistant")
            #expect(choice["message"]?["content"] == .string(EmulatorConfiguration.defaultResponseText))
            #expect(choice["message"]?["refusal"] == .null)
            let usage = try #require(json["usage"])
            let prompt = try #require(usage["prompt_tokens"]?.intValue)
            let completion = try #require(usage["completion_tokens"]?.intValue)
            #expect(prompt > 0 && completion > 0)
            #expect(usage["total_tokens"]?.intValue == prompt + completion)
            #expect(usage["prompt_tokens_details"]?["cached_tokens"] == 0)
            #expect(usage["completion_tokens_details"]?["reasoning_tokens"] == 0)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func streamSendsFramesInOrderAndOnTime() throws {
        let words = "one two three four five six seven eight nine ten"
        let config = TestServer.configuration {
            $0.itlMs = 30
            $0.responseText = words
        }
        try TestServer.withRunning(config) { port in
            let client = try RawHTTPClient(port: port)
            defer { client.close() }
            let start = MonotonicClock.now()
            let r = try client.request("POST", "/v1/chat/completions", body: Self.streamChat)
            #expect(r.status == 200)
            #expect(r.isChunked)
            #expect(r.header("content-type")?.hasPrefix("text/event-stream") == true)
            #expect(r.header("cache-control") == "no-cache")
            let frames = r.sseFrames
            #expect(frames.allSatisfy { $0.text.hasPrefix("data: ") && !$0.text.contains("\n") })
            #expect(frames.last?.text == "data: [DONE]")
            let chunks = try frames.dropLast().map { try JSONParser.parse(String($0.text.dropFirst(6))) }
            #expect(chunks.first?["choices"]?[0]?["delta"]?["role"] == "assistant")
            #expect(chunks.last?["choices"]?[0]?["finish_reason"] == "stop")
            let ids = Set(chunks.compactMap { $0["id"]?.stringValue })
            #expect(ids.count == 1)
            var text = ""
            var arrivals: [UInt64] = []
            for (frame, chunk) in zip(frames, chunks) {
                if let piece = chunk["choices"]?[0]?["delta"]?["content"]?.stringValue, !piece.isEmpty {
                    text += piece
                    arrivals.append(frame.at - start)
                }
            }
            #expect(text == words)
            // One content frame per completion token, as the non-stream answer counts them.
            let plain = try client.request("POST", "/v1/chat/completions", body: Self.chat)
            let tokens = try #require(try JSONParser.parse(plain.body)["usage"]?["completion_tokens"]?.intValue)
            #expect(arrivals.count == tokens)
            try #require(arrivals.count >= 5)
            let gaps = zip(arrivals.dropFirst(), arrivals).map { Double($0 - $1) / 1e6 }
            let spread = Double(arrivals.last! - arrivals.first!) / 1e6
            let expected = Double(arrivals.count - 1) * 30
            #expect(spread >= expected * 0.8, "\(arrivals.count) tokens 30 ms apart arrived within \(spread) ms")
            #expect(spread <= expected + 400, "took \(spread) ms")
            #expect(gaps.max()! < 200, "largest gap \(gaps.max()!) ms")
            #expect(gaps.sorted()[gaps.count / 2] >= 20, "median gap \(gaps.sorted()[gaps.count / 2]) ms")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func streamWithUsageEndsWithAUsageChunk() throws {
        try TestServer.withRunning { port in
            let body = #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"#
            let r = try RawHTTPClient.request(port: port, "POST", "/v1/chat/completions", body: body)
            let frames = r.sseFrames.map(\.text)
            #expect(frames.last == "data: [DONE]")
            let chunks = try frames.dropLast().map { try JSONParser.parse(String($0.dropFirst(6))) }
            let final = try #require(chunks.last)
            #expect(final["choices"] == .array([]))
            #expect(final["usage"]?["total_tokens"]?.intValue ?? 0 > 0)
            #expect(chunks.dropLast().allSatisfy { $0["usage"] == .null })
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func twoRequestsOnOneKeepAliveConnection() throws {
        try TestServer.withRunning { port in
            let client = try RawHTTPClient(port: port)
            defer { client.close() }
            let first = try client.request("POST", "/v1/chat/completions", body: Self.chat)
            let second = try client.request("POST", "/v1/chat/completions", body: Self.streamChat)
            let third = try client.request("GET", "/health")
            #expect(first.status == 200 && second.status == 200 && third.status == 200)
            #expect(second.sseFrames.last?.text == "data: [DONE]")
            #expect(third.text == #"{"status":"ok"}"#)
            #expect(first.header("x-request-id") != second.header("x-request-id"))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func bodySentInSeveralWrites() throws {
        try TestServer.withRunning { port in
            let client = try RawHTTPClient(port: port)
            defer { client.close() }
            let bytes = RawHTTPClient.requestBytes("POST", "/v1/chat/completions", body: Array(Self.chat.utf8))
            var i = 0
            while i < bytes.count {
                let end = min(bytes.count, i + 11)
                try client.send(Array(bytes[i..<end]))
                usleep(5_000)
                i = end
            }
            let r = try client.readResponse()
            #expect(r.status == 200)
            #expect(try JSONParser.parse(r.body)["object"] == "chat.completion")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func pipelinedRequestsAreAnsweredInOrder() throws {
        try TestServer.withRunning { port in
            let client = try RawHTTPClient(port: port)
            defer { client.close() }
            try client.send(
                RawHTTPClient.requestBytes("GET", "/health")
                    + RawHTTPClient.requestBytes("GET", "/nowhere")
                    + RawHTTPClient.requestBytes("POST", "/v1/chat/completions", body: Array(Self.chat.utf8)))
            #expect(try client.readResponse().status == 200)
            #expect(try client.readResponse().status == 404)
            #expect(try client.readResponse().status == 200)
        }
    }
}

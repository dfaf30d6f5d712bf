import Testing

@testable import Emulator

struct CompletionsEndpointTests {
    static let staticText = "Blank response from OpenAI API emulator."

    private func endpoint(ttftMs: Double = 0, itlMs: Double = 0) -> CompletionsEndpoint {
        CompletionsEndpoint(
            generator: Generator(settings: GenerationSettings(), ids: IDGenerator(seed: 7)),
            tokenizers: EndpointTestSupport.tokenizers, ids: IDGenerator(seed: 8),
            models: EndpointTestSupport.anyModel, load: EndpointTestSupport.load(ttftMs: ttftMs, itlMs: itlMs))
    }

    private func call(_ body: String) throws -> JSONValue {
        try EndpointTestSupport.json(try endpoint().handle(EndpointTestSupport.post("/v1/completions", body)))
    }

    private func texts(_ answer: JSONValue) -> [String] {
        (answer["choices"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
    }

    /// The JSON payloads of a stream's frames, and whether it ended with `[DONE]`.
    private func stream(_ body: String, ttftMs: Double = 0, itlMs: Double = 0) throws -> (
        chunks: [JSONValue], delays: [UInt64], done: Bool
    ) {
        let response = try endpoint(ttftMs: ttftMs, itlMs: itlMs).handle(EndpointTestSupport.post("/v1/completions", body))
        guard case .stream(var box) = response.body else { throw EndpointTestFailure("not a stream") }
        #expect(response.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("text/event-stream") })
        var chunks: [JSONValue] = []
        var delays: [UInt64] = []
        var done = false
        for _ in 0..<10_000 {
            guard let event = box.source.next() else { break }
            guard case .frame(let bytes, let after, _) = event else { throw EndpointTestFailure("unexpected event") }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("data: ") && text.hasSuffix("\n\n"))
            let payload = text.dropFirst(6).dropLast(2)
            if payload == "[DONE]" {
                done = true
            } else {
                #expect(!done, "frame after [DONE]")
                chunks.append(try JSONParser.parse(String(payload)))
                delays.append(after)
            }
        }
        return (chunks, delays, done)
    }

    @Test func answersTheRealShape() throws {
        let answer = try call(#"{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test"}"#)
        let id = try #require(answer["id"]?.stringValue)
        #expect(id.hasPrefix("cmpl-") && id.count == 34)
        #expect(answer["object"]?.stringValue == "text_completion")
        #expect(answer["model"]?.stringValue == "gpt-3.5-turbo-instruct")
        #expect(answer["created"]?.intValue ?? 0 > 1_600_000_000)
        #expect(answer["system_fingerprint"]?.stringValue?.hasPrefix("fp_") == true)
        let choice = try #require(answer["choices"]?.arrayValue?.first)
        #expect(choice["text"]?.stringValue == Self.staticText)
        #expect(choice["index"]?.intValue == 0)
        #expect(choice["logprobs"]?.isNull == true)
        #expect(choice["finish_reason"]?.stringValue == "stop")
        #expect(answer["usage"]?["prompt_tokens"]?.intValue == 5)
        #expect(answer["usage"]?["completion_tokens"]?.intValue == 6)
        #expect(answer["usage"]?["total_tokens"]?.intValue == 11)
    }

    @Test func maxTokensCaps() throws {
        let answer = try call(#"{"model":"m","prompt":"hi","max_tokens":2}"#)
        #expect(texts(answer) == ["Blank response"])
        #expect(answer["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "length")
        #expect(answer["usage"]?["completion_tokens"]?.intValue == 2)
        let zero = try call(#"{"model":"m","prompt":"score me","max_tokens":0,"echo":true}"#)
        #expect(texts(zero) == ["score me"])
        #expect(zero["usage"]?["completion_tokens"]?.intValue == 0)
    }

    @Test func stopSequencesCut() throws {
        let answer = try call(#"{"model":"m","prompt":"hi","stop":[" from"]}"#)
        #expect(texts(answer) == ["Blank response"])
        #expect(answer["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop")
    }

    @Test func echoPrependsThePrompt() throws {
        let answer = try call(#"{"model":"m","prompt":"Once upon a time","echo":true}"#)
        #expect(texts(answer) == ["Once upon a time" + Self.staticText])
    }

    @Test func suffixIsAcceptedAndNotAnswered() throws {
        let answer = try call(#"{"model":"m","prompt":"def f():","suffix":"return 1"}"#)
        #expect(texts(answer) == [Self.staticText])
    }

    @Test func promptsAndNMakeChoices() throws {
        let answer = try call(#"{"model":"m","prompt":["one","two words"],"n":3}"#)
        let choices = try #require(answer["choices"]?.arrayValue)
        #expect(choices.map { $0["index"]?.intValue } == [0, 1, 2, 3, 4, 5])
        #expect(answer["usage"]?["prompt_tokens"]?.intValue == 3)
        #expect(answer["usage"]?["completion_tokens"]?.intValue == 36)
        let tokens = try call(#"{"model":"m","prompt":[[1,2,3],[4,5]]}"#)
        #expect(tokens["choices"]?.arrayValue?.count == 2)
        #expect(tokens["usage"]?["prompt_tokens"]?.intValue == 5)
        let flat = try call(#"{"model":"m","prompt":[1,2,3]}"#)
        #expect(flat["choices"]?.arrayValue?.count == 1)
        #expect(flat["usage"]?["prompt_tokens"]?.intValue == 3)
    }

    @Test func bestOfReturnsNAndBillsAllCandidates() throws {
        let answer = try call(#"{"model":"m","prompt":"hi","best_of":3}"#)
        #expect(answer["choices"]?.arrayValue?.count == 1)
        #expect(answer["usage"]?["completion_tokens"]?.intValue == 18)
    }

    @Test func echoModeRepeatsThePrompt() throws {
        var settings = GenerationSettings()
        settings.mode = .echo
        let endpoint = CompletionsEndpoint(
            generator: Generator(settings: settings, ids: IDGenerator(seed: 1)),
            tokenizers: EndpointTestSupport.tokenizers, ids: IDGenerator(seed: 2), models: EndpointTestSupport.anyModel,
            load: EndpointTestSupport.load())
        let answer = try EndpointTestSupport.json(
            try endpoint.handle(EndpointTestSupport.post("/v1/completions", #"{"model":"m","prompt":"parrot this"}"#)))
        #expect(texts(answer) == ["parrot this"])
    }

    @Test func logprobsHaveTheLegacyShape() throws {
        let answer = try call(#"{"model":"m","prompt":"ab cd","logprobs":3,"max_tokens":3}"#)
        let lp = try #require(answer["choices"]?.arrayValue?.first?["logprobs"])
        let tokens = try #require(lp["tokens"]?.arrayValue).compactMap(\.stringValue)
        #expect(tokens == ["Blank", " response", " from"])
        #expect(lp["token_logprobs"]?.arrayValue?.allSatisfy { ($0.doubleValue ?? 1) <= 0 } == true)
        let top = try #require(lp["top_logprobs"]?.arrayValue)
        #expect(top.count == 3)
        for entry in top { #expect(entry.objectValue?.count == 3) }
        #expect(lp["text_offset"]?.arrayValue?.compactMap(\.intValue) == [5, 10, 19])

        let echoed = try call(#"{"model":"m","prompt":"ab cd","logprobs":0,"max_tokens":1,"echo":true}"#)
        let elp = try #require(echoed["choices"]?.arrayValue?.first?["logprobs"])
        #expect(elp["tokens"]?.arrayValue?.compactMap(\.stringValue) == ["ab", " cd", "Blank"])
        #expect(elp["token_logprobs"]?.arrayValue?.first?.isNull == true)
        #expect(elp["top_logprobs"]?.arrayValue?.first?.isNull == true)
        #expect(elp["text_offset"]?.arrayValue?.compactMap(\.intValue) == [0, 2, 5])
    }

    @Test func streamsTokensThenFinishThenDone() throws {
        let (chunks, delays, done) = try stream(#"{"model":"m","prompt":"hi","stream":true}"#, ttftMs: 5, itlMs: 1)
        #expect(done)
        #expect(chunks.count == 7)
        var text = ""
        for chunk in chunks {
            #expect(chunk["object"]?.stringValue == "text_completion")
            #expect(chunk["model"]?.stringValue == "m")
            #expect(chunk["id"]?.stringValue?.hasPrefix("cmpl-") == true)
            let choice = try #require(chunk["choices"]?.arrayValue?.first)
            #expect(choice["index"]?.intValue == 0)
            #expect(choice["logprobs"]?.isNull == true)
            text += choice["text"]?.stringValue ?? ""
        }
        #expect(text == Self.staticText)
        #expect(chunks.dropLast().allSatisfy { $0["choices"]?.arrayValue?.first?["finish_reason"]?.isNull == true })
        #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop")
        #expect(delays == [5_000_000] + Array(repeating: 1_000_000, count: 5) + [0])
        #expect(Set(chunks.compactMap { $0["id"]?.stringValue }).count == 1)
    }

    @Test func streamsChoicesEchoLogprobsAndUsage() throws {
        let body = #"""
            {"model":"m","prompt":"hey you","stream":true,"n":2,"max_tokens":2,"echo":true,"logprobs":1,
             "stream_options":{"include_usage":true}}
            """#
        let (chunks, _, done) = try stream(body)
        #expect(done)
        let usage = try #require(chunks.last)
        #expect(usage["choices"]?.arrayValue?.isEmpty == true)
        #expect(usage["usage"]?["completion_tokens"]?.intValue == 4)
        #expect(usage["usage"]?["prompt_tokens"]?.intValue == 2)
        var texts = ["", ""]
        var finishes: [String?] = [nil, nil]
        for chunk in chunks.dropLast() {
            let choice = try #require(chunk["choices"]?.arrayValue?.first)
            let index = try #require(choice["index"]?.intValue)
            texts[index] += choice["text"]?.stringValue ?? ""
            if let reason = choice["finish_reason"]?.stringValue { finishes[index] = reason }
            if choice["finish_reason"]?.isNull == true {
                #expect(choice["logprobs"]?["tokens"]?.arrayValue?.isEmpty == false)
            }
        }
        #expect(texts == ["hey youBlank response", "hey youBlank response"])
        #expect(finishes == ["length", "length"])
    }

    static let badRows: [(body: String, param: String?, message: String)] = [
        (#"{"model":"m"}"#, "prompt", "Missing required parameter: 'prompt'."),
        (#"{"prompt":"x"}"#, "model", "Missing required parameter: 'model'."),
        (#"{"model":"m","prompt":5}"#, "prompt", "Invalid type for 'prompt'"),
        (#"{"model":"m","prompt":[]}"#, "prompt", "Invalid 'prompt': empty array."),
        (#"{"model":"m","prompt":["a",1]}"#, "prompt[1]", "Invalid type for 'prompt[1]'"),
        (#"{"model":"m","prompt":[1,"a"]}"#, "prompt[1]", "Invalid type for 'prompt[1]'"),
        (#"{"model":"m","prompt":[[1],2]}"#, "prompt[1]", "Invalid type for 'prompt[1]'"),
        (#"{"model":"m","prompt":"x","n":0}"#, "n", "Invalid 'n': integer below minimum value."),
        (#"{"model":"m","prompt":"x","n":129}"#, "n", "Invalid 'n': integer above maximum value."),
        (#"{"model":"m","prompt":"x","n":3,"best_of":2}"#, "best_of", "best_of must be greater than or equal to n."),
        (#"{"model":"m","prompt":"x","best_of":21}"#, "best_of", "Invalid 'best_of': integer above maximum value."),
        (#"{"model":"m","prompt":"x","logprobs":6}"#, "logprobs", "Invalid 'logprobs': integer above maximum value."),
        (#"{"model":"m","prompt":"x","logprobs":true}"#, "logprobs", "Invalid type for 'logprobs'"),
        (#"{"model":"m","prompt":"x","max_tokens":-1}"#, "max_tokens", "Invalid 'max_tokens': integer below minimum"),
        (#"{"model":"m","prompt":"x","max_tokens":"5"}"#, "max_tokens", "Invalid type for 'max_tokens'"),
        (#"{"model":"m","prompt":"x","temperature":3}"#, "temperature", "Invalid 'temperature': decimal out of range."),
        (#"{"model":"m","prompt":"x","echo":"yes"}"#, "echo", "Invalid type for 'echo'"),
        (#"{"model":"m","prompt":"x","suffix":1}"#, "suffix", "Invalid type for 'suffix'"),
        (#"{"model":"m","prompt":"x","stop":["a","b","c","d","e"]}"#, "stop", "Invalid 'stop': array too long."),
        (#"{"model":"m","prompt":"x","stream_options":{"include_usage":true}}"#, "stream_options",
         "The 'stream_options' parameter is only allowed when 'stream' is enabled."),
        (#"{"model":"m","prompt":"x","stream":true,"best_of":2}"#, "best_of", "Cannot stream results"),
        ("not json", nil, "We could not parse the JSON body of your request"),
    ]

    @Test(arguments: badRows)
    func rejectsBadInput(row: (body: String, param: String?, message: String)) throws {
        let error = try #require(
            EndpointTestSupport.failure { () throws(APIError) in
                try endpoint().handle(EndpointTestSupport.post("/v1/completions", row.body))
            })
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.param == row.param)
        #expect(error.message.hasPrefix(row.message), "\(error.message)")
    }
}

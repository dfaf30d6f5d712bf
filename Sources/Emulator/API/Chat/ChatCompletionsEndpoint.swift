/// `POST /v1/chat/completions`: validates, generates, and answers as JSON or as a paced stream.
struct ChatCompletionsEndpoint: Sendable {
    let generator: Generator
    let tokenizers: TokenizerChoice
    let ids: IDGenerator
    let models: ModelPolicy
    let load: LoadPipeline
    let mock: MockEngine

    func handle(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let chat = try ChatRequest(body: request.body)
        try models.check(chat.model)
        var (generation, legacy) = try chat.generationRequest(settings: generator.settings)
        let script = try mock.script(endpoint: "chat", model: chat.model, request: request) {
            var query = FixtureQuery(endpoint: "chat", model: chat.model, chatMessages: chat.messages, body: request.body,
                                     request: request)
            query.toolNames = generation.tools.map(\.name)
            query.responseFormatType = chat.responseFormat?["type"]?.stringValue
            query.responseFormatName = chat.responseFormat?["json_schema"]?["name"]?.stringValue
            return query
        }
        if let raw = script?.answer.raw { return raw.response(request) }
        generation.scripted = script?.content
        let tokenizer = tokenizers.tokenizer(forModel: chat.model)
        let promptTokens = PromptCounter.chat(messages: chat.messages, tools: chat.tools, tokenizer: tokenizer)
        var ticket = GenerationTicket(
            endpoint: "chat", model: chat.model, promptTokens: promptTokens, maxTokens: chat.maxTokens.map { $0 * chat.n },
            stream: chat.stream)
        ticket.apply(script)
        let generator = self.generator, ids = self.ids, mock = self.mock, prepared = generation, isLegacy = legacy
        return try load.serve(ticket, request) { plan throws(APIError) in
            var answer = try generator.answer(prepared, outputTokens: plan.outputTokens, promptTokens: promptTokens,
                                              tokenizer: tokenizer)
            if isLegacy {
                for i in answer.choices.indices where !answer.choices[i].toolCalls.isEmpty {
                    answer.choices[i].legacyFunctionCall = true
                    answer.choices[i].finishReason = "function_call"
                }
            }
            let writer = ChatChunkWriter(
                id: ids.alphanumeric(prefix: "chatcmpl-", count: 29), created: WallClock.unixSeconds(),
                model: chat.model, fingerprint: Fingerprint.of(model: chat.model), includeUsage: chat.includeUsage,
                stream: chat.stream)
            let longest = answer.choices.map(\.completionTokens).max() ?? 0
            if chat.stream {
                mock.noteAnswer(request, answer.transcript, stream: true)
                let source = ChatStreamSource(writer: writer, answer: answer, latency: plan.latency, tokenizer: tokenizer)
                return PlannedAnswer(body: .stream(source), completionTokens: answer.completionTokens, pacedTokens: longest)
            }
            return PlannedAnswer(body: .json(writer.completion(answer)), completionTokens: answer.completionTokens,
                                 pacedTokens: longest)
        }
    }
}

/// `system_fingerprint` values: stable per model, shaped like the real ones (`fp_` + 10 hex).
enum Fingerprint {
    private static let cache = Locked<[String: String]>([:])

    static func of(model: String) -> String {
        if let known = cache.withLock({ $0[model] }) { return known }
        let value = compute(model)
        cache.withLock { c in
            if c.count < 1000 { c[model] = value }
        }
        return value
    }

    private static func compute(_ model: String) -> String {
        var h = SeededRandom.seed(from: model, salt: 0x6670)
        var out = "fp_"
        let digits = Array("0123456789abcdef")
        for _ in 0..<10 {
            out.append(digits[Int(h & 15)])
            h >>= 4
        }
        return out
    }
}

/// Picks the tokenizer for a model.
public struct TokenizerChoice: Sendable {
    private let pick: @Sendable (String) -> any Tokenizer

    public init(_ pick: @escaping @Sendable (String) -> any Tokenizer) { self.pick = pick }

    public func tokenizer(forModel model: String) -> any Tokenizer { pick(model) }
}

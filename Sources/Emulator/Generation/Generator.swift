/// Makes up answers: text in the configured mode, tool calls whose arguments satisfy their
/// schemas, JSON for structured output, log-probabilities, reasoning tokens. Deterministic for a
/// given seed; every endpoint shares it.
public struct Generator: Sendable {
    public var settings: GenerationSettings
    public var ids: IDGenerator

    public init(settings: GenerationSettings, ids: IDGenerator) {
        self.settings = settings
        self.ids = ids
    }

    /// The answer to `request`.
    /// - Throws: `APIError` 400 for a strict schema that structured outputs would reject.
    public func answer(_ request: GenerationRequest, promptTokens: Int, tokenizer: any Tokenizer) throws(APIError)
        -> ChatAnswer
    {
        try validateStrictSchemas(request)
        let reasoning = settings.isReasoningModel(request.model)
        var choices: [GeneratedChoice] = []
        choices.reserveCapacity(request.n)
        var reasoningTokens = 0
        for index in 0..<request.n {
            var rng = random(for: request, choice: index)
            var choice = makeChoice(request, index: index, rng: &rng, tokenizer: tokenizer)
            if reasoning {
                let r = reasoningTokenCount(effort: request.reasoningEffort, rng: &rng)
                let room = request.maxTokens.map { max(0, $0 - choice.completionTokens) } ?? r
                reasoningTokens += min(r, room)
            }
            if request.logprobs, choice.content != nil {
                choice.logprobs = LogprobSampler.sample(choice.pieces, top: request.topLogprobs, rng: &rng)
            }
            choices.append(choice)
        }
        return ChatAnswer(choices: choices, promptTokens: promptTokens, reasoningTokens: reasoningTokens)
    }

    /// A generator seeded from the request's seed (or the configured one) and its content, or
    /// fresh randomness when neither is given.
    func random(for request: GenerationRequest, choice: Int) -> SeededRandom {
        let base: UInt64
        if let seed = request.seed {
            base = UInt64(bitPattern: Int64(seed))
        } else if let seed = settings.seed {
            base = seed
        } else {
            return SeededRandom(seed: ids.next())
        }
        let salt = SeededRandom.seed(from: request.model + "\u{1}" + request.lastUserText + "\u{1}" + request.seedSalt)
        var x = base ^ salt &+ UInt64(choice) &* 0x9E37_79B9_7F4A_7C15
        return SeededRandom(seed: SeededRandom.splitMix(&x))
    }

    private func makeChoice(_ request: GenerationRequest, index: Int, rng: inout SeededRandom,
                            tokenizer: any Tokenizer) -> GeneratedChoice {
        if let scripted = request.scripted { return scriptedChoice(scripted, request, index: index, rng: &rng, tokenizer: tokenizer) }
        let calls = ToolPlanner.calls(for: request, rng: &rng, ids: ids)
        if !calls.isEmpty {
            let tokens = calls.reduce(0) { $0 + tokenizer.count($1.name) + tokenizer.count($1.arguments) + 3 }
            return GeneratedChoice(
                index: index, content: nil, pieces: [], toolCalls: calls, finishReason: "tool_calls",
                completionTokens: tokens)
        }
        let text = content(for: request, rng: &rng, tokenizer: tokenizer)
        let cut = TextCutter.cut(text, stop: request.stop, maxTokens: request.maxTokens, tokenizer: tokenizer)
        return GeneratedChoice(
            index: index, content: cut.text, pieces: cut.pieces, finishReason: cut.finishReason,
            stopSequence: cut.stopSequence, completionTokens: cut.tokens)
    }

    /// A fixture's answer: its tool calls (arguments given, or generated from the tool's schema)
    /// and its text, cut by stop sequences and caps like any other.
    private func scriptedChoice(_ s: GenerationRequest.Scripted, _ request: GenerationRequest, index: Int,
                                rng: inout SeededRandom, tokenizer: any Tokenizer) -> GeneratedChoice {
        let calls = s.toolCalls.map { call -> GeneratedToolCall in
            let arguments = call.arguments
                ?? request.tools.first { $0.name == call.name }.map { SchemaGenerator(schema: $0.parameters).generate(using: &rng) }
                ?? .object(JSONObject())
            return GeneratedToolCall(
                id: ToolPlanner.callID(&rng, seeded: request.seed != nil, ids: ids), name: call.name,
                arguments: arguments.stringValue ?? arguments.jsonString)
        }
        let callTokens = calls.reduce(0) { $0 + tokenizer.count($1.name) + tokenizer.count($1.arguments) + 3 }
        guard let text = s.text ?? (calls.isEmpty ? settings.responseText : nil) else {
            return GeneratedChoice(index: index, content: nil, pieces: [], toolCalls: calls,
                                   finishReason: s.finishReason ?? "tool_calls", completionTokens: callTokens)
        }
        let cut = TextCutter.cut(text, stop: request.stop, maxTokens: request.maxTokens, tokenizer: tokenizer)
        return GeneratedChoice(
            index: index, content: cut.text, pieces: cut.pieces, toolCalls: calls,
            finishReason: s.finishReason ?? (calls.isEmpty ? cut.finishReason : "tool_calls"),
            stopSequence: cut.stopSequence, completionTokens: cut.tokens + callTokens)
    }

    /// The answer text before stop sequences and caps.
    func content(for request: GenerationRequest, rng: inout SeededRandom, tokenizer: any Tokenizer) -> String {
        switch request.format {
        case .jsonSchema(_, let schema, _):
            return SchemaGenerator(schema: schema).generate(using: &rng).jsonString
        case .jsonObject:
            return JSONValue.object(JSONObject([("response", .string(plainText(request, rng: &rng, tokenizer: tokenizer)))]))
                .jsonString
        case .text:
            return plainText(request, rng: &rng, tokenizer: tokenizer)
        }
    }

    private func plainText(_ request: GenerationRequest, rng: inout SeededRandom, tokenizer: any Tokenizer) -> String {
        switch settings.mode {
        case .static:
            return settings.responseText
        case .echo:
            return request.lastUserText.isEmpty ? settings.responseText : request.lastUserText
        case .lorem:
            let range = request.outputTokens ?? settings.outputTokens
            let target = range.lowerBound == range.upperBound
                ? range.lowerBound : Int.random(in: range, using: &rng)
            return Generator.lorem(tokens: target, rng: &rng, tokenizer: tokenizer)
        }
    }

    /// Filler text of exactly `tokens` tokens.
    static func lorem(tokens: Int, rng: inout SeededRandom, tokenizer: any Tokenizer) -> String {
        guard tokens > 0 else { return "" }
        var text = LoremGenerator.text(approximateWords: tokens + tokens / 3 + 4, using: &rng)
        var pieces = tokenizer.pieces(text)
        while pieces.reduce(0, { $0 + $1.tokens }) < tokens {
            text += " " + LoremGenerator.text(approximateWords: tokens / 2 + 4, using: &rng)
            pieces = tokenizer.pieces(text)
        }
        // The pieces are consecutive slices of `text`: keep it up to the end of the last one that fits.
        var end = text.startIndex
        var used = 0
        for piece in pieces {
            if used + piece.tokens > tokens { break }
            end = piece.text.endIndex
            used += piece.tokens
        }
        return String(text[..<end])
    }

    private func reasoningTokenCount(effort: String?, rng: inout SeededRandom) -> Int {
        let range: ClosedRange<Int>
        switch effort ?? "medium" {
        case "none", "minimal": return 0
        case "low": range = 64...256
        case "high", "xhigh": range = 1024...4096
        default: range = 256...1024
        }
        return Int.random(in: range, using: &rng) / 64 * 64
    }

    private func validateStrictSchemas(_ request: GenerationRequest) throws(APIError) {
        if case .jsonSchema(let name, let schema, true) = request.format,
            let problem = StrictSchemaValidator.check(schema, context: "response_format '\(name)'")
        {
            throw .invalidRequest(problem.description, param: "response_format", code: "invalid_json_schema")
        }
        for (i, tool) in request.tools.enumerated() where tool.strict {
            if let problem = StrictSchemaValidator.check(tool.parameters, context: "function '\(tool.name)'") {
                throw .invalidRequest(problem.description, param: "tools[\(i)].function.parameters",
                                      code: "invalid_function_parameters")
            }
        }
    }
}

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

    /// The answer to `request` with the output length the load model planned (nil: the request's
    /// own); the request is copied only when that length differs.
    public func answer(_ request: GenerationRequest, outputTokens: ClosedRange<Int>?, promptTokens: Int,
                       tokenizer: any Tokenizer) throws(APIError) -> ChatAnswer
    {
        guard outputTokens != request.outputTokens else {
            return try answer(request, promptTokens: promptTokens, tokenizer: tokenizer)
        }
        var planned = request
        planned.outputTokens = outputTokens
        return try answer(planned, promptTokens: promptTokens, tokenizer: tokenizer)
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
        let (text, pieces) = content(for: request, rng: &rng, tokenizer: tokenizer)
        let cut = TextCutter.cut(text, stop: request.stop, maxTokens: request.maxTokens, tokenizer: tokenizer,
                                 pieces: pieces)
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

    /// The answer text before stop sequences and caps, and its token pieces when making it
    /// needed them anyway (`lorem`).
    func content(for request: GenerationRequest, rng: inout SeededRandom, tokenizer: any Tokenizer)
        -> (text: String, pieces: [TokenPiece]?)
    {
        switch request.format {
        case .jsonSchema(_, let schema, _):
            return (SchemaGenerator(schema: schema).generate(using: &rng).jsonString, nil)
        case .jsonObject:
            let text = plainText(request, rng: &rng, tokenizer: tokenizer).text
            return (JSONValue.object(JSONObject([("response", .string(text))])).jsonString, nil)
        case .text:
            return plainText(request, rng: &rng, tokenizer: tokenizer)
        }
    }

    private func plainText(_ request: GenerationRequest, rng: inout SeededRandom, tokenizer: any Tokenizer)
        -> (text: String, pieces: [TokenPiece]?)
    {
        switch settings.mode {
        case .static:
            return (settings.responseText, nil)
        case .echo:
            return (request.lastUserText.isEmpty ? settings.responseText : request.lastUserText, nil)
        case .lorem:
            let range = request.outputTokens ?? settings.outputTokens
            let target = range.lowerBound == range.upperBound
                ? range.lowerBound : Int.random(in: range, using: &rng)
            let lorem = Generator.loremWithPieces(tokens: target, rng: &rng, tokenizer: tokenizer)
            return (lorem.text, lorem.pieces)
        }
    }

    /// Filler text of exactly `tokens` tokens.
    static func lorem(tokens: Int, rng: inout SeededRandom, tokenizer: any Tokenizer) -> String {
        loremWithPieces(tokens: tokens, rng: &rng, tokenizer: tokenizer).text
    }

    /// Filler text of exactly `tokens` tokens as `tokenizer` counts it, with its pieces.
    ///
    /// Prose somewhat longer than needed is cut after its first `tokens` tokens. When that cut falls
    /// inside a word, the shortened word can count differently on its own (" sta" of " station"),
    /// so the cut text is counted again and, if it is off, the cut is moved to a nearby character
    /// boundary that counts exactly (or, failing that, the closest count under `tokens`).
    static func loremWithPieces(tokens: Int, rng: inout SeededRandom, tokenizer: any Tokenizer)
        -> (text: String, pieces: [TokenPiece])
    {
        guard tokens > 0 else { return ("", []) }
        var text = LoremGenerator.text(approximateWords: tokens + tokens / 3 + 4, using: &rng)
        var pieces = tokenizer.pieces(text)
        while pieces.reduce(0, { $0 + $1.tokens }) < tokens {
            text += " " + LoremGenerator.text(approximateWords: tokens / 2 + 4, using: &rng)
            pieces = tokenizer.pieces(text)
        }
        // The pieces are consecutive slices of `text`: the first k of them end at end(k). The cut
        // starts after the most pieces whose tokens fit.
        let end = { (k: Int) in k == 0 ? text.startIndex : pieces[k - 1].text.endIndex }
        var cut = 0
        var used = 0
        while cut < pieces.count && used + pieces[cut].tokens <= tokens {
            used += pieces[cut].tokens
            cut += 1
        }
        let counted = { (limit: String.Index) -> (text: String, pieces: [TokenPiece], tokens: Int) in
            let candidate = String(text[..<limit])
            let candidatePieces = tokenizer.pieces(candidate)
            return (candidate, candidatePieces, candidatePieces.reduce(0) { $0 + $1.tokens })
        }
        let first = end(cut)
        let firstTry = counted(first)
        if firstTry.tokens == tokens { return (firstTry.text, firstTry.pieces) }
        // Rarely off by one: then try the other character boundaries within two pieces, nearest
        // first. With the estimator's rounding, whole pieces alone can step from one under to one
        // over (" the" 99, " the air" 101, " the ai" 100).
        var candidates: [String.Index] = []
        var i = end(max(0, cut - 2))
        let upper = end(min(pieces.count, cut + 2))
        while i <= upper {
            if i != first { candidates.append(i) }
            guard i < upper else { break }
            text.formIndex(after: &i)
        }
        let utf8 = text.utf8
        candidates.sort { abs(utf8.distance(from: first, to: $0)) < abs(utf8.distance(from: first, to: $1)) }
        var closestUnder = firstTry.tokens < tokens ? firstTry : nil
        for candidate in candidates.prefix(24) {
            let attempt = counted(candidate)
            if attempt.tokens == tokens { return (attempt.text, attempt.pieces) }
            if attempt.tokens < tokens, attempt.tokens > closestUnder?.tokens ?? -1 { closestUnder = attempt }
        }
        return closestUnder.map { ($0.text, $0.pieces) } ?? ("", [])
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

/// Legacy `POST /v1/completions`: validates, generates one or more choices per prompt with the
/// shared generator, and answers as JSON or as a paced stream.
struct CompletionsEndpoint: Sendable {
    let generator: Generator
    let tokenizers: TokenizerChoice
    let ids: IDGenerator
    let models: ModelPolicy
    let load: LoadPipeline
    var mock: MockEngine?

    func handle(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let completion = try CompletionsRequest(body: request.body)
        try models.check(completion.model)
        let script = try mock?.script(endpoint: "completions", model: completion.model, request: request) {
            FixtureQuery(
                endpoint: "completions", model: completion.model,
                chatMessages: completion.prompts.map { ["role": "user", "content": .string($0.text)] }, body: request.body,
                request: request)
        }
        if let raw = script?.answer.raw { return raw.response(request) }
        let tokenizer = tokenizers.tokenizer(forModel: completion.model)
        let promptTokens = completion.prompts.reduce(0) { total, prompt in
            switch prompt {
            case .text(let text): return total + tokenizer.count(text)
            case .tokens(let tokens): return total + tokens.count
            }
        }
        var ticket = GenerationTicket(
            endpoint: "completions", model: completion.model, promptTokens: promptTokens,
            maxTokens: completion.maxTokens * completion.bestOf * completion.prompts.count, stream: completion.stream)
        ticket.apply(script)
        let ids = self.ids
        return try load.serve(ticket, request) { [self] plan throws(APIError) in
            let answer = try self.answer(completion, tokenizer: tokenizer, outputTokens: plan.outputTokens,
                                         scripted: script?.content)
            let writer = CompletionsWriter(
                id: ids.alphanumeric(prefix: "cmpl-", count: 29), created: WallClock.unixSeconds(),
                model: completion.model, fingerprint: Fingerprint.of(model: completion.model))
            if completion.stream {
                let source = CompletionStreamSource(
                    writer: writer, answer: answer, latency: plan.latency, includeUsage: completion.includeUsage)
                return PlannedAnswer(body: .stream(source), completionTokens: answer.completionTokens)
            }
            let longest = answer.choices.map(\.pieces.count).max() ?? 0
            return PlannedAnswer(body: .json(writer.completion(answer)), completionTokens: answer.completionTokens,
                                 pacedTokens: longest)
        }
    }

    /// The choices for every prompt: `n` per prompt, indexed prompt by prompt.
    func answer(_ request: CompletionsRequest, tokenizer: any Tokenizer, outputTokens: ClosedRange<Int>? = nil,
                scripted: GenerationRequest.Scripted? = nil) throws(APIError) -> CompletionAnswer
    {
        var choices: [CompletionAnswer.Choice] = []
        var promptTokens = 0
        var completionTokens = 0
        for (p, prompt) in request.prompts.enumerated() {
            switch prompt {
            case .text(let text): promptTokens += tokenizer.count(text)
            case .tokens(let tokens): promptTokens += tokens.count
            }
            var g = GenerationRequest(model: request.model, lastUserText: prompt.text)
            g.n = request.bestOf
            g.maxTokens = request.maxTokens
            g.stop = request.stop
            g.seed = request.seed
            g.logprobs = request.logprobs != nil
            g.topLogprobs = request.logprobs ?? 0
            g.seedSalt = "completion\u{1}\(p)"
            g.outputTokens = outputTokens
            g.scripted = scripted.map { GenerationRequest.Scripted(text: $0.text ?? "", toolCalls: []) }
            let generated = try generator.answer(g, promptTokens: 0, tokenizer: tokenizer)
            completionTokens += generated.choices.reduce(0) { $0 + $1.completionTokens }
            for (k, c) in generated.choices.prefix(request.n).enumerated() {
                let echo = request.echo ? prompt.text : ""
                var logprobs: LegacyLogprobs?
                if let top = request.logprobs {
                    logprobs = legacyLogprobs(prompt: prompt.text, echo: request.echo, choice: c, top: top, tokenizer: tokenizer)
                }
                choices.append(
                    CompletionAnswer.Choice(
                        index: p * request.n + k, echo: echo, pieces: c.pieces, finishReason: c.finishReason,
                        logprobs: logprobs))
            }
        }
        return CompletionAnswer(choices: choices, promptTokens: promptTokens, completionTokens: completionTokens)
    }

    /// Echoed prompt tokens (the first without a log-probability, as the real API answers) and
    /// then the completion's tokens, at their character offsets in the prompt and completion.
    private func legacyLogprobs(prompt: String, echo: Bool, choice: GeneratedChoice, top: Int,
                                tokenizer: any Tokenizer) -> LegacyLogprobs {
        var out = LegacyLogprobs()
        var offset = prompt.unicodeScalars.count
        if echo && !prompt.isEmpty {
            var rng = SeededRandom(seed: SeededRandom.seed(from: prompt, salt: 0x6563_686F))
            let entries = LogprobSampler.sample(tokenizer.pieces(prompt), top: top, rng: &rng)
            offset = out.append(entries, from: 0, firstHasContext: false)
            out.echoed = entries.count
        }
        out.append(choice.logprobs ?? [], from: offset, firstHasContext: true)
        return out
    }
}

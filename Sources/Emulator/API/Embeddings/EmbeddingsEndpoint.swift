/// `POST /v1/embeddings`: validates the inputs and answers with made-up but well-behaved vectors
/// (see `HashingEmbedder`), as float arrays or base64 float32.
struct EmbeddingsEndpoint: Sendable {
    /// Native vector sizes of the real embedding models.
    static let nativeSizes = ["text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536]
    /// The size of models not listed.
    static let defaultSize = 1536
    /// The most tokens one input may have.
    static let maxInputTokens = 8192

    let tokenizers: TokenizerChoice
    private let sizes: [String: Int]

    /// - Parameters:
    ///   - tokenizers: counts `usage.prompt_tokens` and enforces the per-input limit.
    ///   - dimensions: native vector sizes of further models (or different sizes for known ones).
    init(tokenizers: TokenizerChoice, dimensions: [String: Int] = [:]) {
        self.tokenizers = tokenizers
        sizes = Self.nativeSizes.merging(dimensions) { _, configured in configured }
    }

    /// The native vector size of `model`.
    func nativeDimensions(of model: String) -> Int { max(1, sizes[model] ?? Self.defaultSize) }

    func handle(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        ResponseFactory.json(200, try answer(body: request.body).body, request: request)
    }

    /// Answers through the load model: latency (the time to first token), rate limits, faults.
    func handle(_ request: HTTPRequest, models: ModelPolicy, load: LoadPipeline, mock: MockEngine) throws(APIError)
        -> HTTPResponse
    {
        let (parsed, promptTokens) = try prepare(body: request.body)
        try models.check(parsed.model)
        let script = try mock.script(endpoint: "embeddings", model: parsed.model, request: request) {
            let texts = parsed.inputs.map { input -> String in
                if case .text(let t) = input { return t }
                return ""
            }
            return FixtureQuery(
                endpoint: "embeddings", model: parsed.model,
                chatMessages: texts.map { ["role": "user", "content": .string($0)] }, body: request.body, request: request)
        }
        if let raw = script?.answer.raw { return raw.response(request) }
        var ticket = GenerationTicket(endpoint: "embeddings", model: parsed.model, promptTokens: promptTokens,
                                      maxTokens: 0, stream: false)
        ticket.apply(script)
        let vector = script?.answer.embedding
        return try load.serve(ticket, request) { [self] _ throws(APIError) in
            let body = vector.map { EmbeddingsEndpoint.scripted($0, count: parsed.inputs.count, model: parsed.model,
                                                                promptTokens: promptTokens, base64: parsed.base64) }
                ?? render(parsed, promptTokens: promptTokens)
            return PlannedAnswer(body: .json(body), completionTokens: 0, pacedTokens: 1)
        }
    }

    /// The same scripted vector for every input.
    static func scripted(_ vector: [Double], count: Int, model: String, promptTokens: Int, base64: Bool) -> [UInt8] {
        let encoded: JSONValue
        if base64 {
            var w = JSONWriter(capacity: (vector.count * 4 + 2) / 3 * 4)
            vector.map(Float.init).withUnsafeBufferPointer { Base64Encoder.appendLittleEndian($0, to: &w) }
            encoded = .string(w.withBytes { String(decoding: $0, as: UTF8.self) })
        } else {
            encoded = .array(vector.map { .number($0) })
        }
        let data: [JSONValue] = (0..<count).map { i in
            ["object": "embedding", "index": .number(Double(i)), "embedding": encoded]
        }
        let body: JSONValue = [
            "object": "list", "data": .array(data), "model": .string(model),
            "usage": ["prompt_tokens": .number(Double(promptTokens)), "total_tokens": .number(Double(promptTokens))],
        ]
        return body.jsonBytes
    }

    /// The answer body to a request body.
    /// - Throws: `APIError` 400 for inputs and parameters the real API rejects.
    func answer(body: [UInt8]) throws(APIError) -> (body: [UInt8], promptTokens: Int) {
        let (request, promptTokens) = try prepare(body: body)
        return (render(request, promptTokens: promptTokens), promptTokens)
    }

    /// Validates a body and counts its tokens.
    func prepare(body: [UInt8]) throws(APIError) -> (EmbeddingsRequest, Int) {
        let request = try EmbeddingsRequest(body: body, nativeDimensions: nativeDimensions(of:))
        let tokenizer = tokenizers.tokenizer(forModel: request.model)
        var promptTokens = 0
        for input in request.inputs {
            let count: Int
            switch input {
            case .text(let text): count = tokenizer.count(text)
            case .tokens(let tokens): count = tokens.count
            }
            guard count <= Self.maxInputTokens else { throw .inputTooLong(limit: Self.maxInputTokens) }
            promptTokens += count
        }
        return (request, promptTokens)
    }

    func render(_ request: EmbeddingsRequest, promptTokens: Int) -> [UInt8] {
        let native = nativeDimensions(of: request.model)
        var embedder = HashingEmbedder(model: request.model, nativeDimensions: native)
        return EmbeddingsWriter.body(
            request, dimensions: request.dimensions ?? native, promptTokens: promptTokens, embedder: &embedder)
    }
}

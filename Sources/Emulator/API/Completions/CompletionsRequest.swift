/// A validated legacy `POST /v1/completions` request.
struct CompletionsRequest: Sendable {
    /// One prompt: text, or a prompt already tokenized.
    enum Prompt: Sendable, Equatable {
        case text(String)
        case tokens([Int])

        /// The text the generator reads and `echo` repeats (token prompts have none: the
        /// emulator does not decode tokens).
        var text: String {
            if case .text(let s) = self { return s }
            return ""
        }
    }

    /// The real API's default for `max_tokens`.
    static let defaultMaxTokens = 16

    var model: String
    var prompts: [Prompt]
    var suffix: String?
    var echo = false
    var maxTokens = CompletionsRequest.defaultMaxTokens
    var n = 1
    var bestOf = 1
    var stop: [String] = []
    /// How many alternatives per token `logprobs` lists, or nil for no log-probabilities.
    var logprobs: Int?
    var stream = false
    var includeUsage = false
    var seed: Int?

    /// Decodes and validates a body as the real API does.
    /// - Throws: `APIError` 400 naming the offending parameter.
    init(body: [UInt8]) throws(APIError) {
        let p = try Params.body(body)
        self.model = try p.requiredString("model")
        guard let prompt = p.value("prompt") else { throw .missing("prompt") }
        prompts = try CompletionsRequest.prompts(prompt)
        suffix = try p.string("suffix")
        echo = try p.bool("echo") ?? false
        maxTokens = try p.int("max_tokens", in: 0...Int(Int32.max)) ?? CompletionsRequest.defaultMaxTokens
        n = try p.int("n", in: 1...128) ?? 1
        let bestOf = try p.int("best_of", in: 0...20) ?? 0
        self.bestOf = bestOf == 0 ? n : bestOf
        guard self.bestOf >= n else {
            throw .invalidRequest("best_of must be greater than or equal to n.", param: "best_of")
        }
        stop = try ChatRequest.stopSequences(p)
        logprobs = try p.int("logprobs", in: 0...5)
        stream = try p.bool("stream") ?? false
        if let options = try p.object("stream_options") {
            guard stream else {
                throw .invalidRequest(
                    "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: "stream_options")
            }
            includeUsage = try options.bool("include_usage") ?? false
        }
        if stream && self.bestOf > n {
            throw .invalidRequest("Cannot stream results when best_of is greater than n.", param: "best_of")
        }
        seed = try p.int("seed")
        _ = try p.double("temperature", in: 0...2)
        _ = try p.double("top_p", in: 0...1)
        _ = try p.double("presence_penalty", in: -2...2)
        _ = try p.double("frequency_penalty", in: -2...2)
        _ = try p.object("logit_bias")
        _ = try p.string("user")
    }

    /// The prompts of `prompt`: a string, strings, one token array or token arrays.
    private static func prompts(_ value: JSONValue) throws(APIError) -> [Prompt] {
        let expected = "one of a string, array of strings, array of integers, or array of arrays of integers"
        switch value {
        case .string(let s):
            return [.text(s)]
        case .array(let items):
            guard let first = items.first else {
                throw .invalidRequest(
                    "Invalid 'prompt': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                    param: "prompt", code: "empty_array")
            }
            switch first {
            case .string:
                var out: [Prompt] = []
                for (i, item) in items.enumerated() {
                    guard case .string(let s) = item else {
                        throw .invalidType(param: "prompt[\(i)]", expected: "a string", got: item)
                    }
                    out.append(.text(s))
                }
                return out
            case .number:
                return [.tokens(try tokens(items, path: "prompt"))]
            case .array:
                var out: [Prompt] = []
                for (i, item) in items.enumerated() {
                    guard case .array(let inner) = item else {
                        throw .invalidType(param: "prompt[\(i)]", expected: "an array of integers", got: item)
                    }
                    out.append(.tokens(try tokens(inner, path: "prompt[\(i)]")))
                }
                return out
            default:
                throw .invalidType(param: "prompt", expected: expected, got: value)
            }
        default:
            throw .invalidType(param: "prompt", expected: expected, got: value)
        }
    }

    private static func tokens(_ items: [JSONValue], path: String) throws(APIError) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let t = item.intValue, t >= 0, t <= Int(Int32.max) else {
                throw .invalidType(param: "\(path)[\(i)]", expected: "a non-negative integer", got: item)
            }
            out.append(t)
        }
        return out
    }
}

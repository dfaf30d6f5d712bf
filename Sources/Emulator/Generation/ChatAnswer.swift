/// What the generator decided to answer, before it is encoded as JSON or as a stream. Both
/// encodings read the same value, so content and usage are identical in both modes.
public struct ChatAnswer: Sendable {
    public var choices: [GeneratedChoice]
    public var promptTokens: Int
    public var reasoningTokens: Int = 0

    /// Completion tokens of all choices (reasoning tokens included).
    public var completionTokens: Int { choices.reduce(reasoningTokens) { $0 + $1.completionTokens } }
}

/// One choice of an answer.
public struct GeneratedChoice: Sendable {
    public var index: Int
    /// nil when the choice only calls tools.
    public var content: String?
    /// The content cut into tokens, as streamed.
    public var pieces: [TokenPiece]
    public var toolCalls: [GeneratedToolCall] = []
    /// Legacy `function_call` answers put their one call here instead of `toolCalls`.
    public var legacyFunctionCall = false
    public var finishReason: String
    /// The stop sequence that ended the content, if one did.
    public var stopSequence: String? = nil
    public var completionTokens: Int
    public var logprobs: [TokenLogprob]? = nil
}

/// A tool call with its arguments already serialised.
public struct GeneratedToolCall: Sendable {
    public var id: String
    public var name: String
    public var arguments: String
}

/// A token's log-probability and its alternatives.
public struct TokenLogprob: Sendable {
    public var token: Substring
    public var logprob: Double
    public var top: [(token: String, logprob: Double)]
}

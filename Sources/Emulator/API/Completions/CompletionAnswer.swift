/// What a legacy completion answers, before it is encoded as JSON or as a stream.
struct CompletionAnswer: Sendable {
    struct Choice: Sendable {
        var index: Int
        /// The prompt text repeated before the completion (`echo`), or "".
        var echo: String
        /// The completion cut into tokens.
        var pieces: [TokenPiece]
        var finishReason: String
        var logprobs: LegacyLogprobs?

        var text: String { pieces.reduce(into: echo) { $0 += $1.text } }
    }

    var choices: [Choice]
    var promptTokens: Int
    /// Tokens of every candidate generated (`best_of` candidates are billed too).
    var completionTokens: Int
}

/// Log-probabilities in the legacy completions shape: parallel lists, one entry per token,
/// echoed prompt tokens first.
struct LegacyLogprobs: Sendable {
    var tokens: [Substring] = []
    /// nil for the first prompt token, which has no context.
    var tokenLogprobs: [Double?] = []
    var topLogprobs: [[(token: String, logprob: Double)]?] = []
    /// Character offsets of each token in the prompt followed by the completion.
    var textOffsets: [Int] = []
    /// How many leading entries belong to the echoed prompt.
    var echoed = 0

    /// Appends tokens that start at character `offset`; returns the offset after them.
    @discardableResult
    mutating func append(_ entries: [TokenLogprob], from offset: Int, firstHasContext: Bool) -> Int {
        var offset = offset
        for (i, lp) in entries.enumerated() {
            let first = i == 0 && !firstHasContext
            tokens.append(lp.token)
            tokenLogprobs.append(first ? nil : lp.logprob)
            topLogprobs.append(first ? nil : lp.top)
            textOffsets.append(offset)
            offset += lp.token.unicodeScalars.count
        }
        return offset
    }
}

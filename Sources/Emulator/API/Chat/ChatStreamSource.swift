/// The events of a streamed chat completion, produced one at a time: the role chunk, one chunk
/// per token (choices interleaved, each with its own `index`), tool-call deltas, the finish
/// chunks, the optional usage chunk and `[DONE]`.
struct ChatStreamSource: StreamSource {
    private enum Step {
        case role
        case content(Int)
        case toolStart(Int)
        case toolArguments(Int, Substring)
        case finish

        var isToken: Bool {
            switch self {
            case .content, .toolArguments: return true
            default: return false
            }
        }
    }

    /// One choice's frames in order: the role, one per content token, each tool call (its start,
    /// then one per token of its arguments), the finish. Worked out by position rather than kept
    /// as a list: a held stream keeps only the token boundaries.
    private struct ChoiceFrames {
        let hasRole: Bool
        /// Where each content token ends, as a UTF-8 offset into the content.
        let contentEnds: [UInt32]
        /// Each tool call's arguments cut into tokens (empty without tool calls).
        let toolArguments: [[Substring]]
        let count: Int

        init(_ c: GeneratedChoice, tokenizer: any Tokenizer) {
            hasRole = c.content != nil || c.toolCalls.isEmpty
            let ends = TokenPiece.utf8Ends(c.pieces)
            contentEnds = ends
            toolArguments = c.toolCalls.map { tokenizer.pieces($0.arguments).map(\.text) }
            count = (hasRole ? 1 : 0) + ends.count + toolArguments.reduce(0) { $0 + 1 + $1.count } + 1
        }

        func step(_ position: Int) -> Step {
            var r = position
            if hasRole {
                if r == 0 { return .role }
                r -= 1
            }
            if r < contentEnds.count { return .content(r) }
            r -= contentEnds.count
            for (k, arguments) in toolArguments.enumerated() {
                if r == 0 { return .toolStart(k) }
                r -= 1
                if r < arguments.count { return .toolArguments(k, arguments[r]) }
                r -= arguments.count
            }
            return .finish
        }

        /// Where content token `i` lies in the content's UTF-8.
        func span(_ i: Int) -> Range<Int> { (i == 0 ? 0 : Int(contentEnds[i - 1]))..<Int(contentEnds[i]) }
    }

    private let writer: ChatChunkWriter
    /// The answer without its token pieces (`frames` keeps their boundaries).
    private let answer: ChatAnswer
    private var latency: LatencyPlan
    private let frames: [ChoiceFrames]
    private let rounds: Int
    private var round = 0
    private var choice = 0
    private var tail = 0
    private var tokenRounds = 0
    private var pendingDelay: UInt64 = 0

    init(writer: ChatChunkWriter, answer: ChatAnswer, latency: LatencyPlan, tokenizer: any Tokenizer) {
        self.writer = writer
        self.latency = latency
        let frames = answer.choices.map { ChoiceFrames($0, tokenizer: tokenizer) }
        var kept = answer
        for i in kept.choices.indices { kept.choices[i].pieces = [] }
        self.answer = kept
        self.frames = frames
        self.rounds = frames.map(\.count).max() ?? 0
    }

    mutating func next() -> StreamEvent? {
        while round < rounds {
            if choice == 0 { pendingDelay = delay(forRound: round) }
            let c = choice
            let r = round
            choice += 1
            if choice == frames.count {
                choice = 0
                round += 1
            }
            guard r < frames[c].count else { continue }
            let after = pendingDelay
            pendingDelay = 0
            let step = frames[c].step(r)
            return .frame(bytes(step, choice: c), afterNanos: after, token: step.isToken)
        }
        switch tail {
        case 0:
            tail = 1
            if writer.includeUsage { return .frame(writer.usageFrame(answer), afterNanos: 0) }
            fallthrough
        case 1:
            tail = 2
            return .frame(ChatChunkWriter.done, afterNanos: 0)
        default:
            return nil
        }
    }

    /// The first round waits for the time to first token; the first tokens follow at once and
    /// each later round of tokens waits one inter-token interval; finish chunks follow at once.
    private mutating func delay(forRound r: Int) -> UInt64 {
        let hasToken = frames.contains { r < $0.count && $0.step(r).isToken }
        if r == 0 {
            if hasToken { tokenRounds = 1 }
            return latency.ttftNanos
        }
        guard hasToken else { return 0 }
        tokenRounds += 1
        return tokenRounds == 1 ? 0 : latency.nextITLNanos()
    }

    /// Reads the choice's fields one by one: copying the whole `GeneratedChoice` for every frame
    /// retained and released each of its references.
    private func bytes(_ step: Step, choice c: Int) -> [UInt8] {
        let index = answer.choices[c].index
        switch step {
        case .role:
            return writer.roleFrame(index: index)
        case .content(let i):
            let logprob = answer.choices[c].logprobs.flatMap { i < $0.count ? $0[i] : nil }
            let span = frames[c].span(i)
            var content = answer.choices[c].content ?? ""
            return content.withUTF8 {
                writer.contentFrame(index: index, utf8: UnsafeBufferPointer(rebasing: $0[span]), logprob: logprob)
            }
        case .toolStart(let k):
            return writer.toolCallStartFrame(index: index, callIndex: k, call: answer.choices[c].toolCalls[k],
                                             legacy: answer.choices[c].legacyFunctionCall)
        case .toolArguments(let k, let fragment):
            return writer.toolArgumentsFrame(index: index, callIndex: k, fragment: fragment,
                                             legacy: answer.choices[c].legacyFunctionCall)
        case .finish:
            return writer.finishFrame(index: index, reason: answer.choices[c].finishReason)
        }
    }
}

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

    private let writer: ChatChunkWriter
    private let answer: ChatAnswer
    private var latency: LatencyPlan
    private let steps: [[Step]]
    private let rounds: Int
    private var round = 0
    private var choice = 0
    private var tail = 0
    private var tokenRounds = 0
    private var pendingDelay: UInt64 = 0

    init(writer: ChatChunkWriter, answer: ChatAnswer, latency: LatencyPlan, tokenizer: any Tokenizer) {
        self.writer = writer
        self.answer = answer
        self.latency = latency
        var steps: [[Step]] = []
        for c in answer.choices {
            var s: [Step] = []
            if c.content != nil || c.toolCalls.isEmpty { s.append(.role) }
            for i in c.pieces.indices { s.append(.content(i)) }
            for (k, call) in c.toolCalls.enumerated() {
                s.append(.toolStart(k))
                for piece in tokenizer.pieces(call.arguments) { s.append(.toolArguments(k, piece.text)) }
            }
            s.append(.finish)
            steps.append(s)
        }
        self.steps = steps
        self.rounds = steps.map(\.count).max() ?? 0
    }

    mutating func next() -> StreamEvent? {
        while round < rounds {
            if choice == 0 { pendingDelay = delay(forRound: round) }
            let c = choice
            let r = round
            choice += 1
            if choice == steps.count {
                choice = 0
                round += 1
            }
            guard r < steps[c].count else { continue }
            let after = pendingDelay
            pendingDelay = 0
            return .frame(bytes(steps[c][r], choice: c), afterNanos: after, token: steps[c][r].isToken)
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
        let hasToken = steps.contains { r < $0.count && $0[r].isToken }
        if r == 0 {
            if hasToken { tokenRounds = 1 }
            return latency.ttftNanos
        }
        guard hasToken else { return 0 }
        tokenRounds += 1
        return tokenRounds == 1 ? 0 : latency.nextITLNanos()
    }

    private func bytes(_ step: Step, choice c: Int) -> [UInt8] {
        let generated = answer.choices[c]
        switch step {
        case .role:
            return writer.roleFrame(index: generated.index)
        case .content(let i):
            return writer.contentFrame(index: generated.index, text: generated.pieces[i].text,
                                       logprob: generated.logprobs.flatMap { i < $0.count ? $0[i] : nil })
        case .toolStart(let k):
            return writer.toolCallStartFrame(index: generated.index, callIndex: k, call: generated.toolCalls[k],
                                             legacy: generated.legacyFunctionCall)
        case .toolArguments(let k, let fragment):
            return writer.toolArgumentsFrame(index: generated.index, callIndex: k, fragment: fragment,
                                             legacy: generated.legacyFunctionCall)
        case .finish:
            return writer.finishFrame(index: generated.index, reason: generated.finishReason)
        }
    }
}

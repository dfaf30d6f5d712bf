/// The events of a streamed legacy completion, produced one at a time: the echoed prompt (with
/// `echo`), one chunk per token (choices interleaved, each with its own `index`), the finish
/// chunks, the optional usage chunk and `[DONE]`.
struct CompletionStreamSource: StreamSource {
    private enum Step {
        case echo
        case token(Int)
        case finish
    }

    private let writer: CompletionsWriter
    private let answer: CompletionAnswer
    private var latency: LatencyPlan
    private let includeUsage: Bool
    /// Frames per choice: the echo (when there is one), one per token, the finish. A frame is worked
    /// out from its position (`step`) rather than kept in a list for the stream's whole life.
    private let counts: [Int]
    private let rounds: Int
    private var round = 0
    private var choice = 0
    private var tail = 0
    private var pendingDelay: UInt64 = 0

    init(writer: CompletionsWriter, answer: CompletionAnswer, latency: LatencyPlan, includeUsage: Bool) {
        self.writer = writer
        self.answer = answer
        self.latency = latency
        self.includeUsage = includeUsage
        counts = answer.choices.map { ($0.echo.isEmpty ? 0 : 1) + $0.pieces.count + 1 }
        rounds = counts.max() ?? 0
    }

    private func step(_ position: Int, choice c: Int) -> Step {
        let echoes = answer.choices[c].echo.isEmpty ? 0 : 1
        if position < echoes { return .echo }
        let token = position - echoes
        return token < answer.choices[c].pieces.count ? .token(token) : .finish
    }

    mutating func next() -> StreamEvent? {
        while round < rounds {
            if choice == 0 { pendingDelay = delay(forRound: round) }
            let c = choice
            let r = round
            choice += 1
            if choice == counts.count {
                choice = 0
                round += 1
            }
            guard r < counts[c] else { continue }
            let after = pendingDelay
            pendingDelay = 0
            let step = step(r, choice: c)
            var isToken = false
            if case .token = step { isToken = true }
            return .frame(bytes(step, choice: c), afterNanos: after, token: isToken)
        }
        switch tail {
        case 0:
            tail = 1
            if includeUsage { return .frame(writer.usageFrame(answer), afterNanos: 0) }
            fallthrough
        case 1:
            tail = 2
            return .frame(CompletionsWriter.done, afterNanos: 0)
        default:
            return nil
        }
    }

    /// The first round waits for the time to first token; each later round that carries a token
    /// waits one inter-token interval; rounds of finish chunks follow at once.
    private mutating func delay(forRound r: Int) -> UInt64 {
        if r == 0 { return latency.ttftNanos }
        let hasToken = counts.indices.contains { c in
            guard r < counts[c], case .token = step(r, choice: c) else { return false }
            return true
        }
        return hasToken ? latency.nextITLNanos() : 0
    }

    private func bytes(_ step: Step, choice c: Int) -> [UInt8] {
        let generated = answer.choices[c]
        let echoed = generated.logprobs?.echoed ?? 0
        switch step {
        case .echo:
            return writer.textFrame(
                index: generated.index, text: Substring(generated.echo), logprobs: generated.logprobs,
                tokens: 0..<echoed)
        case .token(let i):
            return writer.textFrame(
                index: generated.index, text: generated.pieces[i].text, logprobs: generated.logprobs,
                tokens: (echoed + i)..<(echoed + i + 1))
        case .finish:
            return writer.finishFrame(index: generated.index, reason: generated.finishReason)
        }
    }
}

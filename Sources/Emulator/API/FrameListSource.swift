/// The frames of a stream whose events are known up front (Responses and Anthropic events): token
/// frames are paced by the latency plan (the first after the time to first token), the others
/// follow at once.
///
/// Token frames are not kept as bytes: a run of them keeps its text, where each token ends, and
/// the bytes around a token, and each frame is written when it is due. A frame's bytes are let go
/// once sent. A held stream so keeps little more than its text and its closing frames.
struct FrameListSource: StreamSource {
    /// Token frames worked out one at a time: `head`, the token as a JSON string, `tail`, then
    /// (when numbered) the frame's sequence number and `}`, then the blank line that ends a frame.
    struct TokenRun {
        let head: [UInt8]
        let tail: [UInt8]
        /// The sequence number of the first frame, when frames carry one.
        let firstNumber: Int?
        let text: String
        /// Where each token ends, as a UTF-8 offset into `text`.
        let ends: [UInt32]

        /// A run of the given token pieces, in order.
        init(head: [UInt8], tail: [UInt8], firstNumber: Int?, pieces: [TokenPiece]) {
            self.head = head
            self.tail = tail
            self.firstNumber = firstNumber
            var text = ""
            for piece in pieces { text += piece.text }
            self.text = text
            ends = TokenPiece.utf8Ends(pieces)
        }

        func frame(_ k: Int) -> [UInt8] {
            let start = k == 0 ? 0 : Int(ends[k - 1])
            let end = Int(ends[k])
            var text = self.text
            return text.withUTF8 { utf8 in
                var w = JSONWriter(capacity: head.count + (end - start) + 8 + tail.count + 24)
                w.raw(head)
                w.string(utf8: UnsafeBufferPointer(rebasing: utf8[start..<end]))
                w.raw(tail)
                if let firstNumber {
                    w.int(firstNumber + k)
                    w.raw("}")
                }
                w.raw("\n\n")
                return w.finish()
            }
        }
    }

    private enum Entry {
        case frame([UInt8], isToken: Bool)
        case tokens(TokenRun)
        /// A frame or run already sent.
        case sent
    }

    private var entries: [Entry] = []
    private var position = 0
    /// The next token of the run at `position`.
    private var token = 0
    private var tokenFrames = 0
    private var latency: LatencyPlan

    init(latency: LatencyPlan) { self.latency = latency }

    /// Adds one `event:`/`data:` frame.
    mutating func add(event type: String, data: JSONValue, token: Bool = false) {
        var w = JSONWriter(capacity: 256)
        w.raw("event: "); w.raw(type); w.raw("\ndata: ")
        w.value(data)
        w.raw("\n\n")
        entries.append(.frame(w.finish(), isToken: token))
    }

    /// Adds a run of token frames (none when it has no tokens).
    mutating func add(_ run: TokenRun) {
        if !run.ends.isEmpty { entries.append(.tokens(run)) }
    }

    mutating func next() -> StreamEvent? {
        while position < entries.count {
            switch entries[position] {
            case .frame(let bytes, let isToken):
                entries[position] = .sent
                position += 1
                var delay: UInt64 = 0
                if isToken {
                    delay = nextTokenDelay()
                } else if position == entries.count && tokenFrames == 0 {
                    delay = latency.ttftNanos
                }
                return .frame(bytes, afterNanos: delay, token: isToken)
            case .tokens(let run):
                if token < run.ends.count {
                    let bytes = run.frame(token)
                    token += 1
                    return .frame(bytes, afterNanos: nextTokenDelay(), token: true)
                }
                entries[position] = .sent
                position += 1
                token = 0
            case .sent:
                position += 1
            }
        }
        return nil
    }

    private mutating func nextTokenDelay() -> UInt64 {
        tokenFrames += 1
        return tokenFrames == 1 ? latency.ttftNanos : latency.nextITLNanos()
    }
}

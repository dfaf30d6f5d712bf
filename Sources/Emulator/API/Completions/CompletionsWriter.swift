/// Writes the bytes of `text_completion` answers and their SSE frames.
struct CompletionsWriter: Sendable {
    let id: String
    let created: Int
    let model: String
    let fingerprint: String
    /// `data: {"id":…,"created":…,"choices":[` — the same for every chunk of a stream.
    private let prefix: [UInt8]
    /// `],"model":…,"system_fingerprint":…}` and the frame terminator.
    private let suffix: [UInt8]

    init(id: String, created: Int, model: String, fingerprint: String) {
        self.id = id
        self.created = created
        self.model = model
        self.fingerprint = fingerprint
        var w = JSONWriter(capacity: 96)
        w.raw("data: {\"id\":")
        w.string(id)
        w.raw(",\"object\":\"text_completion\",\"created\":")
        w.int(created)
        w.raw(",\"choices\":[")
        prefix = w.finish()
        var s = JSONWriter(capacity: 96)
        s.raw("],\"model\":")
        s.string(model)
        s.raw(",\"system_fingerprint\":")
        s.string(fingerprint)
        s.raw("}\n\n")
        suffix = s.finish()
    }

    static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)

    /// A chunk carrying `text`, with the log-probabilities of `tokens` when asked for.
    func textFrame(index: Int, text: Substring, logprobs: LegacyLogprobs?, tokens: Range<Int>) -> [UInt8] {
        frame { w in
            w.raw("{\"text\":")
            w.string(text)
            w.raw(",\"index\":")
            w.int(index)
            w.raw(",\"logprobs\":")
            if let logprobs { CompletionsWriter.write(logprobs, tokens, &w) } else { w.raw("null") }
            w.raw(",\"finish_reason\":null}")
        }
    }

    func finishFrame(index: Int, reason: String) -> [UInt8] {
        frame { w in
            w.raw("{\"text\":\"\",\"index\":")
            w.int(index)
            w.raw(",\"logprobs\":null,\"finish_reason\":")
            w.string(reason)
            w.raw("}")
        }
    }

    /// The last chunk of a stream with `stream_options.include_usage`: no choices, the usage.
    func usageFrame(_ answer: CompletionAnswer) -> [UInt8] {
        var w = JSONWriter(capacity: prefix.count + suffix.count + 96)
        w.raw(prefix)
        w.raw("],\"model\":")
        w.string(model)
        w.raw(",\"system_fingerprint\":")
        w.string(fingerprint)
        w.raw(",\"usage\":")
        CompletionsWriter.writeUsage(answer, &w)
        w.raw("}\n\n")
        return w.finish()
    }

    /// The non-streaming `text_completion` body.
    func completion(_ answer: CompletionAnswer) -> [UInt8] {
        var w = JSONWriter(capacity: 256 + answer.choices.count * 160)
        w.raw("{\"id\":")
        w.string(id)
        w.raw(",\"object\":\"text_completion\",\"created\":")
        w.int(created)
        w.raw(",\"model\":")
        w.string(model)
        w.raw(",\"system_fingerprint\":")
        w.string(fingerprint)
        w.raw(",\"choices\":[")
        for (i, choice) in answer.choices.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"text\":")
            w.string(choice.text)
            w.raw(",\"index\":")
            w.int(choice.index)
            w.raw(",\"logprobs\":")
            if let lp = choice.logprobs {
                CompletionsWriter.write(lp, 0..<lp.tokens.count, &w)
            } else {
                w.raw("null")
            }
            w.raw(",\"finish_reason\":")
            w.string(choice.finishReason)
            w.raw("}")
        }
        w.raw("],\"usage\":")
        CompletionsWriter.writeUsage(answer, &w)
        w.raw("}")
        return w.finish()
    }

    private func frame(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var w = JSONWriter(capacity: prefix.count + suffix.count + 128)
        w.raw(prefix)
        body(&w)
        w.raw(suffix)
        return w.finish()
    }

    static func writeUsage(_ answer: CompletionAnswer, _ w: inout JSONWriter) {
        w.raw("{\"prompt_tokens\":")
        w.int(answer.promptTokens)
        w.raw(",\"completion_tokens\":")
        w.int(answer.completionTokens)
        w.raw(",\"total_tokens\":")
        w.int(answer.promptTokens + answer.completionTokens)
        w.raw("}")
    }

    /// `{"tokens":[…],"token_logprobs":[…],"top_logprobs":[{token: logprob}…],"text_offset":[…]}`
    /// for the entries in `range`.
    static func write(_ lp: LegacyLogprobs, _ range: Range<Int>, _ w: inout JSONWriter) {
        w.raw("{\"tokens\":[")
        for i in range {
            if i > range.lowerBound { w.raw(",") }
            w.string(lp.tokens[i])
        }
        w.raw("],\"token_logprobs\":[")
        for i in range {
            if i > range.lowerBound { w.raw(",") }
            if let v = lp.tokenLogprobs[i] { w.double(v) } else { w.raw("null") }
        }
        w.raw("],\"top_logprobs\":[")
        for i in range {
            if i > range.lowerBound { w.raw(",") }
            guard let top = lp.topLogprobs[i] else {
                w.raw("null")
                continue
            }
            w.raw("{")
            for (k, entry) in top.enumerated() {
                if k > 0 { w.raw(",") }
                w.string(entry.token)
                w.raw(":")
                w.double(entry.logprob)
            }
            w.raw("}")
        }
        w.raw("],\"text_offset\":[")
        for i in range {
            if i > range.lowerBound { w.raw(",") }
            w.int(lp.textOffsets[i])
        }
        w.raw("]}")
    }
}

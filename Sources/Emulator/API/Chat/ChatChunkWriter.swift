/// Writes the bytes of `chat.completion` answers and `chat.completion.chunk` SSE frames.
/// Hand-written JSON: this is the hottest code of the server.
struct ChatChunkWriter: Sendable {
    let id: String
    let created: Int
    let model: String
    let fingerprint: String
    let includeUsage: Bool
    /// A token chunk of choice 0 without log-probabilities, the frame sent most, around its text:
    /// `prefix{"index":0,"delta":{"content":` and `},"logprobs":null,"finish_reason":null}]}\n\n`,
    /// where the prefix, `data: {"id":…,"choices":[`, begins every chunk of the stream (its first
    /// `prefixCount` bytes). Empty when `stream` is false. Kept at their exact sizes: a held stream
    /// keeps them for its whole life.
    private let contentHead: [UInt8]
    private let prefixCount: Int
    private let contentTail: [UInt8]

    /// `stream: false` when only `completion` will be asked for: the frame prefix is not built.
    init(id: String, created: Int, model: String, fingerprint: String, includeUsage: Bool, stream: Bool = true) {
        self.id = id
        self.created = created
        self.model = model
        self.fingerprint = fingerprint
        self.includeUsage = includeUsage
        guard stream else {
            prefixCount = 0
            contentHead = []
            contentTail = []
            return
        }
        var w = JSONWriter(capacity: 160)
        w.raw("data: {\"id\":")
        w.string(id)
        w.raw(",\"object\":\"chat.completion.chunk\",\"created\":")
        w.int(created)
        w.raw(",\"model\":")
        w.string(model)
        w.raw(",\"service_tier\":\"default\",\"system_fingerprint\":")
        w.string(fingerprint)
        w.raw(",\"choices\":[")
        prefixCount = w.count
        w.raw("{\"index\":0,\"delta\":{\"content\":")
        contentHead = w.finish()
        var tail = JSONWriter(capacity: 64)
        tail.raw("},\"logprobs\":null,\"finish_reason\":null}]")
        if includeUsage { tail.raw(",\"usage\":null") }
        tail.raw("}\n\n")
        contentTail = tail.finish()
    }

    private func writePrefix(_ w: inout JSONWriter) {
        contentHead.withUnsafeBytes { w.append(UnsafeRawBufferPointer(rebasing: $0[..<prefixCount])) }
    }

    private func frame(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var w = JSONWriter(capacity: prefixCount + 128)
        writePrefix(&w)
        body(&w)
        w.raw("]")
        if includeUsage { w.raw(",\"usage\":null") }
        w.raw("}\n\n")
        return w.finish()
    }

    func roleFrame(index: Int) -> [UInt8] {
        frame { w in
            w.raw("{\"index\":"); w.int(index)
            w.raw(",\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}")
        }
    }

    func contentFrame(index: Int, text: Substring, logprob: TokenLogprob?) -> [UInt8] {
        if let frame = text.utf8.withContiguousStorageIfAvailable({ contentFrame(index: index, utf8: $0, logprob: logprob) }) {
            return frame
        }
        return Array(text.utf8).withUnsafeBufferPointer { contentFrame(index: index, utf8: $0, logprob: logprob) }
    }

    /// A content chunk whose text is given as UTF-8 (a token of the answer, cut from its bytes).
    func contentFrame(index: Int, utf8 text: UnsafeBufferPointer<UInt8>, logprob: TokenLogprob?) -> [UInt8] {
        if index == 0 && logprob == nil {
            return JSONWriter.bytes(contentHead, quoting: text, contentTail)
        }
        return frame { w in
            w.raw("{\"index\":"); w.int(index)
            w.raw(",\"delta\":{\"content\":"); w.string(utf8: text)
            w.raw("},\"logprobs\":")
            if let logprob {
                w.raw("{\"content\":[")
                ChatChunkWriter.writeLogprob(logprob, &w)
                w.raw("],\"refusal\":null}")
            } else {
                w.raw("null")
            }
            w.raw(",\"finish_reason\":null}")
        }
    }

    /// The first delta of a tool call: id, type and name with empty arguments.
    func toolCallStartFrame(index: Int, callIndex: Int, call: GeneratedToolCall, legacy: Bool) -> [UInt8] {
        frame { w in
            w.raw("{\"index\":"); w.int(index)
            if legacy {
                w.raw(",\"delta\":{\"role\":\"assistant\",\"content\":null,\"function_call\":{\"name\":"); w.string(call.name)
                w.raw(",\"arguments\":\"\"}}")
            } else {
                w.raw(",\"delta\":{")
                if callIndex == 0 { w.raw("\"role\":\"assistant\",\"content\":null,") }
                w.raw("\"tool_calls\":[{\"index\":"); w.int(callIndex)
                w.raw(",\"id\":"); w.string(call.id)
                w.raw(",\"type\":\"function\",\"function\":{\"name\":"); w.string(call.name)
                w.raw(",\"arguments\":\"\"}}]}")
            }
            w.raw(",\"logprobs\":null,\"finish_reason\":null}")
        }
    }

    func toolArgumentsFrame(index: Int, callIndex: Int, fragment: Substring, legacy: Bool) -> [UInt8] {
        frame { w in
            w.raw("{\"index\":"); w.int(index)
            if legacy {
                w.raw(",\"delta\":{\"function_call\":{\"arguments\":"); w.string(fragment); w.raw("}}")
            } else {
                w.raw(",\"delta\":{\"tool_calls\":[{\"index\":"); w.int(callIndex)
                w.raw(",\"function\":{\"arguments\":"); w.string(fragment); w.raw("}}]}")
            }
            w.raw(",\"logprobs\":null,\"finish_reason\":null}")
        }
    }

    func finishFrame(index: Int, reason: String) -> [UInt8] {
        frame { w in
            w.raw("{\"index\":"); w.int(index)
            w.raw(",\"delta\":{},\"logprobs\":null,\"finish_reason\":"); w.string(reason); w.raw("}")
        }
    }

    func usageFrame(_ answer: ChatAnswer) -> [UInt8] {
        var w = JSONWriter(capacity: prefixCount + 300)
        writePrefix(&w)
        w.raw("],\"usage\":")
        ChatChunkWriter.writeUsage(answer, &w)
        w.raw("}\n\n")
        return w.finish()
    }

    static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)

    /// The non-streaming `chat.completion` body.
    func completion(_ answer: ChatAnswer) -> [UInt8] {
        // Sized for the whole answer (the default one is about 620 bytes): one allocation, where
        // growing from a guess reallocates, and at 1 KiB takes the allocator's slower large-block path.
        let texts = answer.choices.reduce(0) { $0 + ($1.content?.utf8.count ?? 0) + 96 }
        var w = JSONWriter(capacity: 560 + model.utf8.count + texts)
        w.raw("{\"id\":"); w.string(id)
        w.raw(",\"object\":\"chat.completion\",\"created\":"); w.int(created)
        w.raw(",\"model\":"); w.string(model)
        w.raw(",\"choices\":[")
        for (i, choice) in answer.choices.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"index\":"); w.int(choice.index)
            w.raw(",\"message\":{\"role\":\"assistant\",\"content\":"); w.optionalString(choice.content)
            w.raw(",\"refusal\":null")
            if choice.legacyFunctionCall, let call = choice.toolCalls.first {
                w.raw(",\"function_call\":{\"name\":"); w.string(call.name)
                w.raw(",\"arguments\":"); w.string(call.arguments); w.raw("}")
            } else if !choice.toolCalls.isEmpty {
                w.raw(",\"tool_calls\":[")
                for (k, call) in choice.toolCalls.enumerated() {
                    if k > 0 { w.raw(",") }
                    w.raw("{\"id\":"); w.string(call.id)
                    w.raw(",\"type\":\"function\",\"function\":{\"name\":"); w.string(call.name)
                    w.raw(",\"arguments\":"); w.string(call.arguments); w.raw("}}")
                }
                w.raw("]")
            }
            w.raw(",\"annotations\":[]},\"logprobs\":")
            if let logprobs = choice.logprobs {
                w.raw("{\"content\":[")
                for (k, lp) in logprobs.enumerated() {
                    if k > 0 { w.raw(",") }
                    ChatChunkWriter.writeLogprob(lp, &w)
                }
                w.raw("],\"refusal\":null}")
            } else {
                w.raw("null")
            }
            w.raw(",\"finish_reason\":"); w.string(choice.finishReason); w.raw("}")
        }
        w.raw("],\"usage\":")
        ChatChunkWriter.writeUsage(answer, &w)
        w.raw(",\"service_tier\":\"default\",\"system_fingerprint\":"); w.string(fingerprint)
        w.raw("}")
        return w.finish()
    }

    static func writeUsage(_ answer: ChatAnswer, _ w: inout JSONWriter) {
        let completion = answer.completionTokens
        w.raw("{\"prompt_tokens\":"); w.int(answer.promptTokens)
        w.raw(",\"completion_tokens\":"); w.int(completion)
        w.raw(",\"total_tokens\":"); w.int(answer.promptTokens + completion)
        w.raw(",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0}")
        w.raw(",\"completion_tokens_details\":{\"reasoning_tokens\":"); w.int(answer.reasoningTokens)
        w.raw(",\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}")
    }

    static func writeLogprob(_ lp: TokenLogprob, _ w: inout JSONWriter) {
        w.raw("{\"token\":"); w.string(lp.token)
        w.raw(",\"logprob\":"); w.double(lp.logprob)
        w.raw(",\"bytes\":["); writeBytes(lp.token.utf8, &w)
        w.raw("],\"top_logprobs\":[")
        for (i, t) in lp.top.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"token\":"); w.string(t.token)
            w.raw(",\"logprob\":"); w.double(t.logprob)
            w.raw(",\"bytes\":["); writeBytes(t.token.utf8, &w); w.raw("]}")
        }
        w.raw("]}")
    }

    private static func writeBytes<C: Collection<UInt8>>(_ bytes: C, _ w: inout JSONWriter) {
        for (i, b) in bytes.enumerated() {
            if i > 0 { w.raw(",") }
            w.int(b)
        }
    }
}

/// The Anthropic `message` object for one generated answer, and its stream events.
struct MessagesBuilder {
    let id: String
    let model: String
    let answer: ChatAnswer
    let blocks: [JSONValue]

    init(id: String, model: String, answer: ChatAnswer) {
        self.id = id
        self.model = model
        self.answer = answer
        let choice = answer.choices[0]
        var blocks: [JSONValue] = []
        if let text = choice.content, !text.isEmpty || choice.toolCalls.isEmpty {
            blocks.append(["type": "text", "text": .string(text)])
        }
        for call in choice.toolCalls {
            let input = (try? JSONParser.parse(call.arguments)) ?? .object(JSONObject())
            blocks.append(["type": "tool_use", "id": .string(MessagesBuilder.toolUseID(call.id)),
                           "name": .string(call.name), "input": input])
        }
        self.blocks = blocks
    }

    /// `toolu_01` + 22 letters and digits, derived from the generated call id.
    static func toolUseID(_ callID: String) -> String { "toolu_01" + callID.dropFirst(5).prefix(22) }

    var stopReason: String {
        let choice = answer.choices[0]
        if !choice.toolCalls.isEmpty { return "tool_use" }
        if choice.finishReason == "length" { return "max_tokens" }
        return choice.stopSequence != nil ? "stop_sequence" : "end_turn"
    }

    func usage(outputTokens: Int) -> JSONValue {
        ["input_tokens": .number(Double(answer.promptTokens)), "cache_creation_input_tokens": 0,
         "cache_read_input_tokens": 0, "output_tokens": .number(Double(outputTokens)), "service_tier": "standard"]
    }

    func message(final: Bool) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["type"] = "message"
        o["role"] = "assistant"
        o["model"] = .string(model)
        o["content"] = final ? .array(blocks) : []
        o["stop_reason"] = final ? .string(stopReason) : .null
        o["stop_sequence"] = final ? (answer.choices[0].stopSequence.map { .string($0) } ?? .null) : .null
        o["usage"] = usage(outputTokens: final ? answer.completionTokens : 1)
        return .object(o)
    }
}

/// Anthropic's named stream events: `message_start`, per block `content_block_start`, deltas
/// (`text_delta`, `input_json_delta`), `content_block_stop`, then `message_delta` and `message_stop`.
struct MessagesStreamSource: StreamSource {
    private var frames: FrameListSource

    init(builder: MessagesBuilder, latency: LatencyPlan, tokenizer: any Tokenizer) {
        var frames = FrameListSource(latency: latency)
        func add(_ type: String, _ value: JSONObject, token: Bool = false) {
            var o = JSONObject([("type", .string(type))])
            o.entries.append(contentsOf: value.entries)
            frames.add(event: type, data: .object(o), token: token)
        }
        /// `{"type":"content_block_delta","index":i,"delta":{"type":<kind>,<field>:…}}` per token.
        func addDeltas(index: JSONValue, kind: StaticString, field: StaticString, text: String) {
            var head = JSONWriter(capacity: 128)
            head.raw("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"); head.value(index)
            head.raw(",\"delta\":{\"type\":\""); head.raw(kind); head.raw("\",\""); head.raw(field); head.raw("\":")
            frames.add(FrameListSource.TokenRun(head: head.finish(), tail: Array("}}".utf8), firstNumber: nil,
                                                pieces: tokenizer.pieces(text)))
        }
        add("message_start", JSONObject([("message", builder.message(final: false))]))
        for (index, block) in builder.blocks.enumerated() {
            let i = JSONValue.number(Double(index))
            if block["type"]?.stringValue == "text" {
                add("content_block_start", JSONObject([("index", i), ("content_block", ["type": "text", "text": ""])]))
                if index == 0 { add("ping", JSONObject()) }
                addDeltas(index: i, kind: "text_delta", field: "text", text: block["text"]?.stringValue ?? "")
            } else {
                var start = block.objectValue ?? JSONObject()
                start["input"] = .object(JSONObject())
                add("content_block_start", JSONObject([("index", i), ("content_block", .object(start))]))
                if index == 0 { add("ping", JSONObject()) }
                addDeltas(index: i, kind: "input_json_delta", field: "partial_json",
                          text: block["input"]?.jsonString ?? "{}")
            }
            add("content_block_stop", JSONObject([("index", i)]))
        }
        let final = builder.message(final: true)
        add("message_delta", JSONObject([
            ("delta", ["stop_reason": final["stop_reason"] ?? .null, "stop_sequence": final["stop_sequence"] ?? .null]),
            ("usage", ["output_tokens": .number(Double(builder.answer.completionTokens))]),
        ]))
        add("message_stop", JSONObject())
        self.frames = frames
    }

    mutating func next() -> StreamEvent? { frames.next() }
}

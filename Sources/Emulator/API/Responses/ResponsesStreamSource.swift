/// The typed event stream of a response: `response.created`, `response.in_progress`, the items
/// with their parts and deltas, and `response.completed` (or `response.incomplete`), each frame
/// carrying `event:` and `data:` and a `sequence_number` counting up from 0.
struct ResponsesStreamSource: StreamSource {
    private var frames: FrameListSource

    init(builder: ResponseBuilder, latency: LatencyPlan, tokenizer: any Tokenizer) {
        var frames = FrameListSource(latency: latency)
        var sequence = 0
        func add(_ type: String, _ fields: JSONObject, token: Bool = false) {
            var o = JSONObject([("type", .string(type))])
            o.entries.append(contentsOf: fields.entries)
            o["sequence_number"] = .number(Double(sequence))
            sequence += 1
            frames.add(event: type, data: .object(o), token: token)
        }
        /// Deltas of an item: `{"type":…,"item_id":…,"output_index":…,<extra>"delta":…,<tail>"sequence_number":N}`.
        func addDeltas(_ type: String, itemID: JSONValue, outputIndex: JSONValue, extra: StaticString, tail: StaticString,
                       text: String) {
            let pieces = tokenizer.pieces(text)
            var head = JSONWriter(capacity: 160)
            head.raw("event: "); head.raw(type); head.raw("\ndata: {\"type\":"); head.string(type)
            head.raw(",\"item_id\":"); head.value(itemID)
            head.raw(",\"output_index\":"); head.value(outputIndex)
            head.raw(extra); head.raw(",\"delta\":")
            var after = JSONWriter(capacity: 48)
            after.raw(tail); after.raw(",\"sequence_number\":")
            frames.add(FrameListSource.TokenRun(head: head.finish(), tail: after.finish(), firstNumber: sequence,
                                                pieces: pieces))
            sequence += pieces.count
        }
        add("response.created", JSONObject([("response", builder.object(final: false))]))
        add("response.in_progress", JSONObject([("response", builder.object(final: false))]))
        for (index, item) in builder.items.enumerated() {
            let outputIndex = JSONValue.number(Double(index))
            let itemID = item["id"] ?? .null
            switch item["type"]?.stringValue {
            case "message":
                let text = item["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
                var shell = item.objectValue ?? JSONObject()
                shell["status"] = "in_progress"
                shell["content"] = []
                add("response.output_item.added", JSONObject([("output_index", outputIndex), ("item", .object(shell))]))
                let part = JSONObject([("item_id", itemID), ("output_index", outputIndex), ("content_index", 0)])
                var added = part
                added["part"] = ["type": "output_text", "text": "", "annotations": [], "logprobs": []]
                add("response.content_part.added", added)
                addDeltas("response.output_text.delta", itemID: itemID, outputIndex: outputIndex,
                          extra: ",\"content_index\":0", tail: ",\"logprobs\":[]", text: text)
                var done = part
                done["text"] = .string(text)
                done["logprobs"] = []
                add("response.output_text.done", done)
                var partDone = part
                partDone["part"] = ResponseBuilder.outputText(text)
                add("response.content_part.done", partDone)
            case "function_call":
                var shell = item.objectValue ?? JSONObject()
                shell["status"] = "in_progress"
                shell["arguments"] = ""
                add("response.output_item.added", JSONObject([("output_index", outputIndex), ("item", .object(shell))]))
                let arguments = item["arguments"]?.stringValue ?? ""
                addDeltas("response.function_call_arguments.delta", itemID: itemID, outputIndex: outputIndex,
                          extra: "", tail: "", text: arguments)
                add("response.function_call_arguments.done",
                    JSONObject([("item_id", itemID), ("output_index", outputIndex), ("name", item["name"] ?? .null),
                                ("arguments", .string(arguments))]))
            default:
                add("response.output_item.added", JSONObject([("output_index", outputIndex), ("item", item)]))
            }
            add("response.output_item.done", JSONObject([("output_index", outputIndex), ("item", item)]))
        }
        add(builder.incomplete ? "response.incomplete" : "response.completed",
            JSONObject([("response", builder.object(final: true))]))
        self.frames = frames
    }

    mutating func next() -> StreamEvent? { frames.next() }
}

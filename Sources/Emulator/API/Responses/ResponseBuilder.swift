/// Builds the `response` object and its output items for one generated answer.
struct ResponseBuilder {
    let request: ResponsesRequest
    let id: String
    let createdAt: Int
    let answer: ChatAnswer
    let items: [JSONValue]
    let incomplete: Bool

    init(request: ResponsesRequest, id: String, createdAt: Int, answer: ChatAnswer, reasoning: Bool, ids: IDGenerator) {
        self.request = request
        self.id = id
        self.createdAt = createdAt
        self.answer = answer
        let choice = answer.choices[0]
        var items: [JSONValue] = []
        if reasoning {
            items.append(["id": .string(ids.hex(prefix: "rs_", count: 48)), "type": "reasoning", "summary": []])
        }
        if !request.builtInTools.isEmpty && choice.toolCalls.isEmpty && !request.lastIsToolResult {
            items.append([
                "id": .string(ids.hex(prefix: "ws_", count: 48)), "type": "web_search_call", "status": "completed",
                "action": ["type": "search", "query": .string(String(request.lastUserText.prefix(200)))],
            ])
        }
        for call in choice.toolCalls {
            items.append([
                "id": .string(ids.hex(prefix: "fc_", count: 48)), "type": "function_call", "status": "completed",
                "arguments": .string(call.arguments), "call_id": .string(call.id), "name": .string(call.name),
            ])
        }
        incomplete = choice.finishReason == "length"
        if let text = choice.content {
            items.append(ResponseBuilder.message(
                id: ids.hex(prefix: "msg_", count: 48), text: text, status: incomplete ? "incomplete" : "completed"))
        }
        self.items = items
    }

    static func message(id: String, text: String, status: String) -> JSONValue {
        ["id": .string(id), "type": "message", "status": .string(status), "role": "assistant",
         "content": [outputText(text)]]
    }

    static func outputText(_ text: String) -> JSONValue {
        ["type": "output_text", "text": .string(text), "annotations": [], "logprobs": []]
    }

    var status: String { incomplete ? "incomplete" : "completed" }

    var usage: JSONValue {
        let output = answer.completionTokens
        return [
            "input_tokens": .number(Double(answer.promptTokens)), "input_tokens_details": ["cached_tokens": 0, "cache_write_tokens": 0],
            "output_tokens": .number(Double(output)),
            "output_tokens_details": ["reasoning_tokens": .number(Double(answer.reasoningTokens))],
            "total_tokens": .number(Double(answer.promptTokens + output)),
        ]
    }

    /// The response object; `final` false gives the in-progress shape of the first stream events.
    func object(final: Bool) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["object"] = "response"
        o["created_at"] = .number(Double(createdAt))
        o["status"] = .string(final ? status : "in_progress")
        o["background"] = false
        o["error"] = .null
        o["incomplete_details"] = final && incomplete ? ["reason": "max_output_tokens"] : .null
        o["instructions"] = request.instructions.map { .string($0) } ?? .null
        o["max_output_tokens"] = request.maxOutputTokens.map { .number(Double($0)) } ?? .null
        o["max_tool_calls"] = .null
        o["model"] = .string(request.model)
        o["output"] = final ? .array(items) : []
        o["parallel_tool_calls"] = .bool(request.parallelToolCalls)
        o["previous_response_id"] = request.previousResponseID.map { .string($0) } ?? .null
        o["reasoning"] = ["effort": request.reasoningEffort.map { .string($0) } ?? .null, "summary": .null]
        o["service_tier"] = "default"
        o["store"] = .bool(request.store)
        o["temperature"] = .number(request.temperature ?? 1)
        o["text"] = ["format": request.textFormat, "verbosity": "medium"]
        o["tool_choice"] = request.toolChoice ?? "auto"
        o["tools"] = .array(request.tools)
        o["top_logprobs"] = 0
        o["top_p"] = .number(request.topP ?? 1)
        o["truncation"] = "disabled"
        o["usage"] = final ? usage : .null
        o["user"] = request.user.map { .string($0) } ?? .null
        o["metadata"] = request.metadata
        return .object(o)
    }
}

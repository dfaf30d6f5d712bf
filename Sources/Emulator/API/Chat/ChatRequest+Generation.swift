extension ChatRequest {
    /// What to ask the generator for. Legacy `functions` become tools answered as `function_call`.
    /// - Throws: `APIError` for combinations the real API rejects.
    func generationRequest(settings: GenerationSettings) throws(APIError) -> (GenerationRequest, legacy: Bool) {
        if settings.isReasoningModel(model) && usedLegacyMaxTokens {
            throw .invalidRequest(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                param: "max_tokens", code: "unsupported_parameter")
        }
        var g = GenerationRequest(model: model, lastUserText: lastUserText)
        g.lastTurnIsToolResult = lastRole == "tool" || lastRole == "function"
        g.n = n
        g.maxTokens = maxTokens
        g.stop = stop
        g.seed = seed
        g.parallelToolCalls = parallelToolCalls
        g.logprobs = logprobs
        g.topLogprobs = topLogprobs
        g.reasoningEffort = reasoningEffort
        g.seedSalt = String(messages.count)
        var legacy = false
        if !tools.isEmpty {
            g.tools = tools.compactMap { t in
                guard let f = t["function"] else { return nil }
                return GenerationRequest.Tool(
                    name: f["name"]?.stringValue ?? "", description: f["description"]?.stringValue ?? "",
                    parameters: f["parameters"] ?? ["type": "object", "properties": [:]],
                    strict: f["strict"]?.boolValue ?? false)
            }
            g.toolChoice = ChatRequest.toolChoice(toolChoice)
        } else if !functions.isEmpty {
            legacy = true
            g.tools = functions.map { f in
                GenerationRequest.Tool(
                    name: f["name"]?.stringValue ?? "", description: f["description"]?.stringValue ?? "",
                    parameters: f["parameters"] ?? ["type": "object", "properties": [:]])
            }
            g.toolChoice = ChatRequest.toolChoice(functionCall)
            g.parallelToolCalls = false
        }
        if let format = responseFormat {
            switch format["type"]?.stringValue {
            case "json_object": g.format = .jsonObject
            case "json_schema":
                let js = format["json_schema"]
                g.format = .jsonSchema(
                    name: js?["name"]?.stringValue ?? "response", schema: js?["schema"] ?? ["type": "object"],
                    strict: js?["strict"]?.boolValue ?? false)
            default: break
            }
        }
        return (g, legacy)
    }

    /// `tool_choice` / `function_call` as the generator's choice (`auto` when absent).
    static func toolChoice(_ value: JSONValue?) -> GenerationRequest.ToolChoice {
        switch value {
        case .string("none"): return .none
        case .string("required"): return .required
        case .object(let o):
            if let name = o["function"]?["name"]?.stringValue ?? o["name"]?.stringValue { return .named(name) }
            return .auto
        default: return .auto
        }
    }
}

/// A validated Anthropic `POST /v1/messages` (or `count_tokens`) request.
struct MessagesRequest: Sendable {
    var model: String
    var maxTokens: Int
    /// The conversation as chat-style messages (system first), for counting and generation.
    var chatMessages: [JSONValue] = []
    var tools: [GenerationRequest.Tool] = []
    var toolChoice: GenerationRequest.ToolChoice = .auto
    var parallelToolUse = true
    var stopSequences: [String] = []
    var stream = false
    var lastIsToolResult = false
    var lastUserText = ""

    /// - Parameter countOnly: `count_tokens` requests have no `max_tokens`.
    init(body: [UInt8], countOnly: Bool = false) throws(APIError) {
        let p = try Params.body(body)
        guard let model = try p.string("model") else { throw MessagesRequest.required("model") }
        self.model = model
        if countOnly {
            maxTokens = 0
        } else {
            guard p.has("max_tokens") else { throw MessagesRequest.required("max_tokens") }
            maxTokens = try p.int("max_tokens", in: 1...Int(Int32.max)) ?? 1
        }
        if let system = p.value("system") {
            switch system {
            case .string(let s): chatMessages.append(["role": "system", "content": .string(s)])
            case .array(let blocks):
                chatMessages.append(["role": "system", "content": .string(MessagesRequest.text(of: blocks))])
            default: throw .invalidType(param: "system", expected: "a string or an array of text blocks", got: system)
            }
        }
        guard let messages = try p.array("messages") else { throw MessagesRequest.required("messages") }
        guard !messages.isEmpty else {
            throw .invalidRequest("messages: at least one message is required", param: "messages")
        }
        for (i, m) in messages.enumerated() { try absorb(m, at: i) }
        for (i, t) in (try p.array("tools") ?? []).enumerated() {
            guard case .object(let o) = t else { throw .invalidType(param: "tools.\(i)", expected: "an object", got: t) }
            let tp = Params(o, path: "tools.\(i)")
            let name = try tp.requiredString("name")
            if let type = try tp.string("type"), type != "custom" {
                continue  // server tools (web_search, bash, …) are accepted and never called
            }
            guard let schema = tp.value("input_schema") else { throw MessagesRequest.required("tools.\(i).input_schema") }
            tools.append(GenerationRequest.Tool(name: name, description: try tp.string("description") ?? "",
                                                parameters: schema))
        }
        if let choice = try p.object("tool_choice") {
            switch try choice.choice("type", ["auto", "any", "tool", "none"]) {
            case "any": toolChoice = .required
            case "none": toolChoice = .none
            case "tool": toolChoice = .named(try choice.requiredString("name"))
            default: toolChoice = .auto
            }
            parallelToolUse = !(try choice.bool("disable_parallel_tool_use") ?? false)
        }
        if let stops = try p.array("stop_sequences") {
            stopSequences = stops.compactMap(\.stringValue)
        }
        stream = try p.bool("stream") ?? false
        _ = try p.double("temperature", in: 0...1)
        _ = try p.double("top_p", in: 0...1)
        _ = try p.int("top_k", in: 0...Int(Int32.max))
        _ = try p.object("metadata")
        _ = try p.object("thinking")
    }

    private mutating func absorb(_ message: JSONValue, at i: Int) throws(APIError) {
        guard case .object(let o) = message else {
            throw .invalidType(param: "messages.\(i)", expected: "an object", got: message)
        }
        let m = Params(o, path: "messages.\(i)")
        guard let role = try m.string("role") else { throw MessagesRequest.required("messages.\(i).role") }
        guard role == "user" || role == "assistant" else {
            throw .invalidRequest(
                "messages.\(i).role: Input should be 'user' or 'assistant'", param: "messages.\(i).role")
        }
        guard let content = m.value("content") else { throw MessagesRequest.required("messages.\(i).content") }
        var text = ""
        var toolResult = false
        switch content {
        case .string(let s): text = s
        case .array(let blocks):
            for (j, block) in blocks.enumerated() {
                guard let type = block["type"]?.stringValue else {
                    throw MessagesRequest.required("messages.\(i).content.\(j).type")
                }
                switch type {
                case "text": text += block["text"]?.stringValue ?? ""
                case "tool_use": text += (block["name"]?.stringValue ?? "") + (block["input"]?.jsonString ?? "")
                case "tool_result":
                    toolResult = true
                    let c = block["content"]
                    text += c?.stringValue ?? MessagesRequest.text(of: c?.arrayValue ?? [])
                case "image", "document", "thinking", "redacted_thinking", "search_result", "server_tool_use",
                    "web_search_tool_result":
                    break
                default:
                    throw .invalidRequest("messages.\(i).content.\(j).type: Input tag '\(type)' found using 'type' does not match any of the expected tags",
                                          param: "messages.\(i).content.\(j).type")
                }
            }
        default:
            throw .invalidType(param: "messages.\(i).content", expected: "a string or an array of content blocks", got: content)
        }
        chatMessages.append(["role": .string(toolResult ? "tool" : role), "content": .string(text)])
        lastIsToolResult = toolResult
        if role == "user" && !toolResult { lastUserText = text }
    }

    static func text(of blocks: [JSONValue]) -> String {
        blocks.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined()
    }

    static func required(_ field: String) -> APIError {
        .invalidRequest("\(field): Field required", param: field)
    }

    /// The generator's view of this request.
    func generationRequest() -> GenerationRequest {
        var g = GenerationRequest(model: model, lastUserText: lastUserText)
        g.lastTurnIsToolResult = lastIsToolResult
        g.maxTokens = maxTokens
        g.stop = stopSequences
        g.tools = tools
        g.toolChoice = toolChoice
        g.parallelToolCalls = parallelToolUse
        g.seedSalt = String(chatMessages.count)
        return g
    }
}

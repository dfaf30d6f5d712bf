/// A validated `POST /v1/responses` request.
struct ResponsesRequest: Sendable {
    var model: String
    /// The input as chat-style messages (for token counting and the generator).
    var messages: [JSONValue] = []
    /// The input items as given, with ids added (for `input_items`).
    var inputItems: [JSONValue] = []
    var instructions: String?
    var tools: [JSONValue] = []
    var functionTools: [GenerationRequest.Tool] = []
    var builtInTools: [String] = []
    var toolChoice: JSONValue?
    var format: GenerationRequest.OutputFormat = .text
    var textFormat: JSONValue = ["type": "text"]
    var maxOutputTokens: Int?
    var temperature: Double?
    var topP: Double?
    var stream = false
    var store = true
    var previousResponseID: String?
    var metadata: JSONValue = .object(JSONObject())
    var reasoningEffort: String?
    var parallelToolCalls = true
    var user: String?

    static let builtInToolTypes = [
        "web_search", "web_search_preview", "web_search_preview_2025_03_11", "file_search", "code_interpreter",
        "image_generation", "computer_use_preview", "mcp", "local_shell",
    ]

    init(body: [UInt8], ids: IDGenerator) throws(APIError) {
        let p = try Params.body(body)
        model = try p.requiredString("model")
        instructions = try p.string("instructions")
        if let instructions { messages.append(["role": "system", "content": .string(instructions)]) }
        guard let input = p.value("input") else { throw .missing("input") }
        switch input {
        case .string(let s):
            messages.append(["role": "user", "content": .string(s)])
            inputItems.append(ResponsesRequest.messageItem(role: "user", text: s, id: ids.hex(prefix: "msg_", count: 48)))
        case .array(let items):
            for (i, item) in items.enumerated() {
                try absorb(item, at: "input[\(i)]", ids: ids)
            }
        default:
            throw .invalidType(param: "input", expected: "a string or an array of input items", got: input)
        }
        tools = try p.array("tools") ?? []
        try ChatRequest.checkToolCount(tools.count)
        for (i, tool) in tools.enumerated() {
            let t = Params(tool.objectValue ?? JSONObject(), path: "tools[\(i)]")
            guard tool.objectValue != nil else { throw .invalidType(param: "tools[\(i)]", expected: "an object", got: tool) }
            let type = try t.requiredString("type")
            if type == "function" {
                let name = try t.requiredString("name")
                functionTools.append(GenerationRequest.Tool(
                    name: name, description: try t.string("description") ?? "",
                    parameters: t.value("parameters") ?? ["type": "object", "properties": [:]],
                    // Without `strict`, the real API makes a schema strict when it can and otherwise
                    // calls the function without it: only an explicit `strict: true` is checked.
                    strict: try t.bool("strict") ?? false))
            } else if type == "web_search" || type == "web_search_preview" || type == "web_search_preview_2025_03_11" {
                builtInTools.append(type)
            } else if ResponsesRequest.builtInToolTypes.contains(type) {
                throw .invalidRequest(
                    "Tool type '\(type)' is not supported by this emulator; supported tool types are 'function' and 'web_search'.",
                    param: "tools[\(i)].type", code: "unsupported_tool")
            } else {
                throw .invalidValue(param: "tools[\(i)].type", value: type, allowed: ["function"] + ResponsesRequest.builtInToolTypes)
            }
        }
        toolChoice = p.value("tool_choice")
        switch toolChoice {
        case .string(let s)?:
            guard ["none", "auto", "required"].contains(s) else {
                throw .invalidValue(param: "tool_choice", value: s, allowed: ["none", "auto", "required"])
            }
        case .object?, nil:
            break
        case .some(let other):
            throw .invalidType(param: "tool_choice", expected: "a string or an object", got: other)
        }
        if let text = try p.object("text"), let format = try text.object("format") {
            textFormat = .object(format.object)
            switch try format.choice("type", ["text", "json_object", "json_schema"]) {
            case "json_object": self.format = .jsonObject
            case "json_schema":
                let name = try format.requiredString("name")
                guard let schema = format.value("schema") else { throw .missing("text.format.schema") }
                self.format = .jsonSchema(name: name, schema: schema, strict: try format.bool("strict") ?? false)
            default: break
            }
        }
        maxOutputTokens = try p.int("max_output_tokens", in: 16...Int(Int32.max))
        temperature = try p.double("temperature", in: 0...2)
        topP = try p.double("top_p", in: 0...1)
        stream = try p.bool("stream") ?? false
        store = try p.bool("store") ?? true
        previousResponseID = try p.string("previous_response_id")
        if let m = try p.object("metadata") { metadata = .object(m.object) }
        if let r = try p.object("reasoning") {
            reasoningEffort = try r.choice("effort", ["none", "minimal", "low", "medium", "high", "xhigh"])
        }
        parallelToolCalls = try p.bool("parallel_tool_calls") ?? true
        user = try p.string("user")
        _ = try p.array("include")
        _ = try p.choice("truncation", ["auto", "disabled"])
        _ = try p.string("service_tier")
        _ = try p.int("max_tool_calls", in: 1...Int(Int32.max))
        _ = try p.int("top_logprobs", in: 0...20)
        _ = try p.bool("background")
        _ = try p.object("stream_options")
        _ = try p.object("prompt")
        _ = try p.string("prompt_cache_key")
        _ = try p.string("safety_identifier")
        _ = p.value("conversation")
    }

    /// Adds one input item to the messages and the recorded items.
    private mutating func absorb(_ item: JSONValue, at path: String, ids: IDGenerator) throws(APIError) {
        guard case .object(var o) = item else { throw .invalidType(param: path, expected: "an object", got: item) }
        let p = Params(o, path: path)
        let type = try p.string("type") ?? (o["role"] != nil ? "message" : nil)
        switch type {
        case "message":
            let role = try p.requiredString("role")
            let roles = ["user", "assistant", "system", "developer"]
            guard roles.contains(role) else { throw .invalidValue(param: "\(path).role", value: role, allowed: roles) }
            guard let content = p.value("content") else { throw .missing("\(path).content") }
            let text: String
            switch content {
            case .string(let s): text = s
            case .array(let parts):
                var joined = ""
                for (j, part) in parts.enumerated() {
                    let pp = Params(part.objectValue ?? JSONObject(), path: "\(path).content[\(j)]")
                    guard part.objectValue != nil else {
                        throw .invalidType(param: "\(path).content[\(j)]", expected: "an object", got: part)
                    }
                    let partType = try pp.requiredString("type")
                    let partTypes = ["input_text", "input_image", "input_file", "input_audio", "output_text", "refusal"]
                    guard partTypes.contains(partType) else {
                        throw .invalidValue(param: "\(path).content[\(j)].type", value: partType, allowed: partTypes)
                    }
                    if partType == "input_text" || partType == "output_text" { joined += try pp.requiredString("text") }
                }
                text = joined
            default:
                throw .invalidType(param: "\(path).content", expected: "a string or an array of content parts", got: content)
            }
            messages.append(["role": .string(role == "developer" ? "system" : role), "content": .string(text)])
            if o["id"] == nil { o["id"] = .string(ids.hex(prefix: "msg_", count: 48)) }
            o["type"] = "message"
        case "function_call":
            let name = try p.requiredString("name")
            let arguments = try p.requiredString("arguments")
            _ = try p.requiredString("call_id")
            messages.append(["role": "assistant", "content": .string(name + arguments)])
            if o["id"] == nil { o["id"] = .string(ids.hex(prefix: "fc_", count: 48)) }
        case "function_call_output":
            _ = try p.requiredString("call_id")
            let output = p.value("output")
            messages.append(["role": "tool", "content": .string(output?.stringValue ?? output?.jsonString ?? "")])
            if o["id"] == nil { o["id"] = .string(ids.hex(prefix: "fco_", count: 48)) }
        case "reasoning", "item_reference", "web_search_call", "file_search_call", "computer_call",
            "computer_call_output", "image_generation_call", "code_interpreter_call", "mcp_call":
            break
        case nil:
            throw .missing("\(path).type")
        case .some(let other):
            throw .invalidValue(param: "\(path).type", value: other,
                                allowed: ["message", "function_call", "function_call_output", "reasoning", "item_reference"])
        }
        inputItems.append(.object(o))
    }

    static func messageItem(role: String, text: String, id: String) -> JSONValue {
        ["id": .string(id), "type": "message", "role": .string(role),
         "content": [["type": "input_text", "text": .string(text)]]]
    }

    /// True when the newest input is a tool result, so `auto` answers with text.
    var lastIsToolResult: Bool { messages.last?["role"]?.stringValue == "tool" }

    var lastUserText: String {
        for m in messages.reversed() where m["role"]?.stringValue == "user" { return m["content"]?.stringValue ?? "" }
        return ""
    }
}

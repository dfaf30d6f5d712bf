/// A validated chat completions request: what the generator and encoders need, plus the raw
/// messages for token counting.
public struct ChatRequest: Sendable {
    public var model: String
    public var messages: [JSONValue]
    public var stream = false
    public var includeUsage = false
    public var n = 1
    /// `max_completion_tokens`, or else `max_tokens`.
    public var maxTokens: Int?
    public var usedLegacyMaxTokens = false
    public var stop: [String] = []
    public var seed: Int?
    public var tools: [JSONValue] = []
    public var toolChoice: JSONValue?
    public var parallelToolCalls = true
    public var functions: [JSONValue] = []
    public var functionCall: JSONValue?
    public var responseFormat: JSONObject?
    public var logprobs = false
    public var topLogprobs = 0
    public var reasoningEffort: String?

    /// The role of the last message.
    public var lastRole: String {
        messages.last?["role"]?.stringValue ?? "user"
    }

    /// The text of the last user message (content parts joined).
    public var lastUserText: String {
        for m in messages.reversed() where m["role"]?.stringValue == "user" {
            return ChatRequest.text(of: m["content"])
        }
        return ""
    }

    /// The text of a message's content: a string, or the text parts of an array joined.
    public static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let s): return s
        case .array(let parts):
            var out = ""
            for p in parts where p["type"]?.stringValue == "text" || p["type"]?.stringValue == "input_text" {
                out += p["text"]?.stringValue ?? ""
            }
            return out
        default: return ""
        }
    }

    static let roles = ["system", "assistant", "user", "function", "tool", "developer"]

    /// Decodes and validates a body as the real API does.
    /// - Throws: `APIError` 400 naming the offending parameter.
    public init(body: [UInt8]) throws(APIError) {
        let p = try Params.body(body)
        self.model = try p.requiredString("model")
        guard let messagesValue = p.value("messages") else { throw .missing("messages") }
        guard case .array(let messages) = messagesValue else {
            throw .invalidType(param: "messages", expected: "an array", got: messagesValue)
        }
        guard !messages.isEmpty else {
            throw .invalidRequest(
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                param: "messages", code: "empty_array")
        }
        for (i, m) in messages.enumerated() { try ChatRequest.validate(message: m, at: i) }
        self.messages = messages

        stream = try p.bool("stream") ?? false
        if let options = try p.object("stream_options") {
            guard stream else {
                throw .invalidRequest(
                    "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: "stream_options")
            }
            includeUsage = try options.bool("include_usage") ?? false
        }
        n = try p.int("n", in: 1...128) ?? 1
        let legacyMax = try p.int("max_tokens", in: 1...Int(Int32.max))
        let newMax = try p.int("max_completion_tokens", in: 1...Int(Int32.max))
        maxTokens = newMax ?? legacyMax
        usedLegacyMaxTokens = legacyMax != nil
        stop = try ChatRequest.stopSequences(p)
        seed = try p.int("seed")
        _ = try p.double("temperature", in: 0...2)
        _ = try p.double("top_p", in: 0...1)
        _ = try p.double("presence_penalty", in: -2...2)
        _ = try p.double("frequency_penalty", in: -2...2)
        _ = try p.object("logit_bias")
        _ = try p.object("metadata")
        _ = try p.bool("store")
        _ = try p.string("user")
        _ = try p.string("service_tier")
        _ = try p.array("modalities")
        _ = try p.object("prediction")
        _ = try p.object("audio")
        _ = try p.object("web_search_options")
        _ = try p.string("safety_identifier")
        _ = try p.string("prompt_cache_key")
        _ = try p.choice("verbosity", ["low", "medium", "high"])
        reasoningEffort = try p.choice("reasoning_effort", ["none", "minimal", "low", "medium", "high", "xhigh"])
        logprobs = try p.bool("logprobs") ?? false
        if let top = try p.int("top_logprobs", in: 0...20) {
            guard logprobs else {
                throw .invalidRequest(
                    "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
                    param: "top_logprobs")
            }
            topLogprobs = top
        }
        tools = try p.array("tools") ?? []
        try ChatRequest.checkToolCount(tools.count)
        for (i, tool) in tools.enumerated() { try ChatRequest.validate(tool: tool, at: i) }
        toolChoice = p.value("tool_choice")
        if let choice = toolChoice { try ChatRequest.validate(toolChoice: choice, tools: tools) }
        parallelToolCalls = try p.bool("parallel_tool_calls") ?? true
        functions = try p.array("functions") ?? []
        functionCall = p.value("function_call")
        if let format = try p.object("response_format") {
            let type = try format.choice("type", ["text", "json_object", "json_schema"])
            guard type != nil else { throw .missing("response_format.type") }
            if type == "json_schema" {
                guard let js = try format.object("json_schema") else { throw .missing("response_format.json_schema") }
                _ = try js.requiredString("name")
                _ = try js.object("schema")
                _ = try js.bool("strict")
            }
            responseFormat = format.object
        }
    }

    /// The real API takes at most 128 tools.
    static func checkToolCount(_ count: Int) throws(APIError) {
        guard count <= 128 else {
            throw .invalidRequest(
                "Invalid 'tools': array too long. Expected an array with maximum length 128, but got an array with length \(count) instead.",
                param: "tools", code: "array_above_max_length")
        }
    }

    /// `stop` as a string or up to 4 strings (chat and legacy completions alike).
    static func stopSequences(_ p: Params) throws(APIError) -> [String] {
        guard let v = p.value("stop") else { return [] }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            guard items.count <= 4 else {
                throw .invalidRequest(
                    "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length \(items.count) instead.",
                    param: "stop", code: "array_above_max_length")
            }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    throw .invalidType(param: "stop[\(i)]", expected: "a string", got: item)
                }
                out.append(s)
            }
            return out
        default:
            throw .invalidType(param: "stop", expected: "a string or an array of strings", got: v)
        }
    }

    private static func validate(message: JSONValue, at i: Int) throws(APIError) {
        guard case .object(let o) = message else {
            throw .invalidType(param: "messages[\(i)]", expected: "an object", got: message)
        }
        // The path is written only where an error or a nested element needs it.
        let m = Params(o, element: i, of: "messages")
        guard let roleValue = m.value("role") else { throw .missing(m.name("role")) }
        guard case .string(let role) = roleValue else {
            throw .invalidType(param: m.name("role"), expected: "a string", got: roleValue)
        }
        guard roles.contains(role) else {
            throw .invalidValue(param: m.name("role"), value: role, allowed: roles)
        }
        let content = m.value("content")
        switch content {
        case nil:
            let hasCalls = m.has("tool_calls") || m.has("function_call")
            if !(role == "assistant" && hasCalls) {
                throw .invalidRequest(
                    "Invalid value for '\(m.name("content"))': expected a string, got null.", param: m.name("content"),
                    code: "invalid_value")
            }
        case .string: break
        case .array(let parts):
            let path = m.path
            for (j, part) in parts.enumerated() { try validate(part: part, at: "\(path).content[\(j)]") }
        case .some(let other):
            throw .invalidType(
                param: m.name("content"), expected: "one of a string or array of objects", got: other)
        }
        _ = try m.string("name")
        if role == "tool" { _ = try m.requiredString("tool_call_id") }
        if role == "function" { _ = try m.requiredString("name") }
        if let calls = try m.array("tool_calls") {
            let path = m.path
            for (j, call) in calls.enumerated() {
                guard case .object(let co) = call else {
                    throw .invalidType(param: "\(path).tool_calls[\(j)]", expected: "an object", got: call)
                }
                let c = Params(co, path: "\(path).tool_calls[\(j)]")
                _ = try c.requiredString("id")
                guard let f = try c.object("function") else { throw .missing("\(path).tool_calls[\(j)].function") }
                _ = try f.requiredString("name")
                _ = try f.string("arguments")
            }
        }
    }

    static let partTypes = ["text", "image_url", "input_audio", "file", "refusal"]

    private static func validate(part: JSONValue, at path: String) throws(APIError) {
        guard case .object(let o) = part else { throw .invalidType(param: path, expected: "an object", got: part) }
        let p = Params(o, path: path)
        guard let type = try p.string("type") else { throw .missing("\(path).type") }
        guard partTypes.contains(type) else { throw .invalidValue(param: "\(path).type", value: type, allowed: partTypes) }
        switch type {
        case "text": _ = try p.requiredString("text")
        case "refusal": _ = try p.requiredString("refusal")
        case "image_url":
            guard let image = try p.object("image_url") else { throw .missing("\(path).image_url") }
            _ = try image.requiredString("url")
        case "input_audio":
            guard let audio = try p.object("input_audio") else { throw .missing("\(path).input_audio") }
            _ = try audio.requiredString("data")
        default: _ = try p.object("file")
        }
    }

    private static func validate(tool: JSONValue, at i: Int) throws(APIError) {
        let path = "tools[\(i)]"
        guard case .object(let o) = tool else { throw .invalidType(param: path, expected: "an object", got: tool) }
        let t = Params(o, path: path)
        let type = try t.string("type") ?? "function"
        guard type == "function" || type == "custom" else {
            throw .invalidValue(param: "\(path).type", value: type, allowed: ["function", "custom"])
        }
        if type == "function" {
            guard let f = try t.object("function") else { throw .missing("\(path).function") }
            let name = try f.requiredString("name")
            guard !name.isEmpty, name.count <= 64,
                name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" })
            else {
                throw .invalidRequest(
                    "Invalid '\(path).function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                    param: "\(path).function.name", code: "invalid_value")
            }
            _ = try f.object("parameters")
            _ = try f.bool("strict")
        }
    }

    private static func validate(toolChoice: JSONValue, tools: [JSONValue]) throws(APIError) {
        switch toolChoice {
        case .string(let s):
            guard ["none", "auto", "required"].contains(s) else {
                throw .invalidValue(param: "tool_choice", value: s, allowed: ["none", "auto", "required"])
            }
            if s == "required" && tools.isEmpty {
                throw .invalidRequest(
                    "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                    param: "tool_choice")
            }
        case .object(let o):
            let p = Params(o, path: "tool_choice")
            if let f = try p.object("function") {
                let name = try f.requiredString("name")
                let names = tools.compactMap { $0["function"]?["name"]?.stringValue }
                guard names.contains(name) else {
                    throw .invalidRequest(
                        "Invalid value for 'tool_choice': function '\(name)' is not among the provided tools.",
                        param: "tool_choice")
                }
            } else if try p.string("type") == "allowed_tools" {
                break
            } else {
                throw .missing("tool_choice.function")
            }
        default:
            throw .invalidType(param: "tool_choice", expected: "a string or an object", got: toolChoice)
        }
    }
}

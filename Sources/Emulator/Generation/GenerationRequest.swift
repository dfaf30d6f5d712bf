/// What any endpoint asks the generator for, independent of its wire format: chat completions,
/// responses, legacy completions and Anthropic messages all reduce to this.
public struct GenerationRequest: Sendable {
    public enum ToolChoice: Sendable, Equatable {
        case none
        case auto
        case required
        case named(String)
    }

    public enum OutputFormat: Sendable {
        case text
        case jsonObject
        case jsonSchema(name: String, schema: JSONValue, strict: Bool)
    }

    /// A callable function.
    public struct Tool: Sendable {
        public var name: String
        public var description: String
        public var parameters: JSONValue
        public var strict: Bool

        public init(name: String, description: String = "", parameters: JSONValue = ["type": "object", "properties": [:]],
                    strict: Bool = false) {
            self.name = name
            self.description = description
            self.parameters = parameters
            self.strict = strict
        }
    }

    public var model: String
    /// The text the `echo` mode repeats and tool selection reads: the last user message.
    public var lastUserText: String
    /// True when the conversation's last turn is a tool result, so `auto` answers with text.
    public var lastTurnIsToolResult = false
    public var n = 1
    public var maxTokens: Int?
    public var stop: [String] = []
    public var seed: Int?
    public var tools: [Tool] = []
    public var toolChoice: ToolChoice = .auto
    public var parallelToolCalls = true
    public var format: OutputFormat = .text
    public var logprobs = false
    public var topLogprobs = 0
    public var reasoningEffort: String?
    /// Content a fixture prescribes: text and/or tool calls (arguments nil: generated).
    public struct Scripted: Sendable {
        public var text: String?
        public var toolCalls: [(name: String, arguments: JSONValue?)]
        /// Overrides the finish reason the answer would have.
        public var finishReason: String? = nil
    }

    public var scripted: Scripted?
    /// Output length for filler text, overriding the configured one.
    public var outputTokens: ClosedRange<Int>?
    /// Extra input that makes seeded answers differ between different prompts.
    public var seedSalt = ""

    public init(model: String, lastUserText: String) {
        self.model = model
        self.lastUserText = lastUserText
    }
}

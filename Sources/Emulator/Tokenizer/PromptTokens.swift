/// Prompt token counts for chat requests, framed as OpenAI frames them.
///
/// Each message costs 3 tokens plus the tokens of every string field (role, content, name, …;
/// content-part arrays count their text parts; `tool_calls` count each function's name and
/// arguments), 1 more for a `name`, and 3 prime the reply. Tool definitions are rendered as the
/// TypeScript-like `namespace functions` block the model sees (`PromptTokens.renderTools`), which
/// costs its tokens plus 9, less 4 when a system message is present (whose first one also gains a
/// trailing newline).
public enum PromptTokens {
    /// Tokens every message costs before its fields.
    static let perMessage = 3
    /// Extra tokens for a `name` field.
    static let perName = 1
    /// Tokens that prime the assistant's reply.
    static let replyPriming = 3

    /// The prompt tokens of a chat request.
    /// - Parameters:
    ///   - messages: the request's `messages` array items.
    ///   - tools: the request's `tools` array items, if any.
    ///   - tokenizer: the model's tokenizer.
    public static func chat(messages: [JSONValue], tools: [JSONValue]? = nil, tokenizer: any Tokenizer) -> Int {
        let tools = tools ?? []
        var total = replyPriming
        var systemPadded = tools.isEmpty
        var hasSystem = false
        for message in messages {
            total += perMessage
            guard let fields = message.objectValue else { continue }
            let isSystem = fields["role"]?.stringValue == "system"
            hasSystem = hasSystem || isSystem
            for (key, value) in fields.entries {
                if key == "tool_calls" {
                    total += toolCallTokens(value, tokenizer: tokenizer)
                    continue
                }
                forEachString(in: value) { text in
                    if key == "content" && isSystem && !systemPadded {
                        total += tokenizer.count(text + "\n")
                        systemPadded = true
                    } else {
                        total += tokenizer.count(text)
                    }
                }
                if key == "name" { total += perName }
            }
        }
        if !tools.isEmpty {
            total += tokenizer.count(renderTools(tools)) + 9
            if hasSystem { total -= 4 }
        }
        return total
    }

    /// The tokens of plain text (a completion, an embedding input).
    public static func text(_ text: String, tokenizer: any Tokenizer) -> Int {
        tokenizer.count(text)
    }

    /// Each of a field's strings: the string itself, or the text parts of a content-part array
    /// (no array is built for them: most fields are one string).
    static func forEachString(in value: JSONValue, _ body: (String) -> Void) {
        switch value {
        case .string(let s):
            body(s)
        case .array(let parts):
            for part in parts {
                if case .string(let s) = part {
                    body(s)
                } else if part["type"]?.stringValue ?? "text" == "text", let text = part["text"]?.stringValue {
                    body(text)
                }
            }
        default:
            break
        }
    }

    private static func toolCallTokens(_ calls: JSONValue, tokenizer: any Tokenizer) -> Int {
        var total = 0
        for call in calls.arrayValue ?? [] {
            let function = call["function"]
            total += tokenizer.count(function?["name"]?.stringValue ?? "")
            total += tokenizer.count(function?["arguments"]?.stringValue ?? "")
        }
        return total
    }
}

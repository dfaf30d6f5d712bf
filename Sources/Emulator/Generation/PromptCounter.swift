/// Prompt token counts with OpenAI's chat framing: 3 per message, 1 per name, 3 to prime the reply.
enum PromptCounter {
    static func chat(messages: [JSONValue], tools: [JSONValue] = [], tokenizer: any Tokenizer) -> Int {
        var total = 3
        for m in messages {
            total += 3
            guard case .object(let o) = m else { continue }
            for (key, value) in o.entries {
                switch value {
                case .string(let s): total += tokenizer.count(s)
                case .array where key == "content": total += tokenizer.count(ChatRequest.text(of: value))
                default: break
                }
                if key == "name" { total += 1 }
            }
        }
        return total
    }
}

/// Decides the answer to a chat request: its choices, their text and token counts.
public struct ChatGenerator: Sendable {
    public var responseText: String
    public var tokenizer: any Tokenizer
    public var ids: IDGenerator

    public init(responseText: String, tokenizer: any Tokenizer, ids: IDGenerator) {
        self.responseText = responseText
        self.tokenizer = tokenizer
        self.ids = ids
    }

    public func answer(_ request: ChatRequest) -> ChatAnswer {
        let promptTokens = PromptCounter.chat(messages: request.messages, tokenizer: tokenizer)
        var choices: [GeneratedChoice] = []
        choices.reserveCapacity(request.n)
        for index in 0..<request.n {
            let cut = TextCutter.cut(responseText, stop: request.stop, maxTokens: request.maxTokens, tokenizer: tokenizer)
            choices.append(GeneratedChoice(
                index: index, content: cut.text, pieces: cut.pieces, finishReason: cut.finishReason,
                completionTokens: cut.tokens))
        }
        return ChatAnswer(choices: choices, promptTokens: promptTokens)
    }
}

/// Prompt token counts with OpenAI's chat framing: 3 per message, 1 per name, 3 to prime the reply.
enum PromptCounter {
    static func chat(messages: [JSONValue], tokenizer: any Tokenizer) -> Int {
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

/// Prompt token counts as the real API reports them (chat framing, names, tool definitions).
enum PromptCounter {
    static func chat(messages: [JSONValue], tools: [JSONValue] = [], tokenizer: any Tokenizer) -> Int {
        PromptTokens.chat(messages: messages, tools: tools.isEmpty ? nil : tools, tokenizer: tokenizer)
    }
}

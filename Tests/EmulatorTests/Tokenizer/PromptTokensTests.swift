import Testing

@testable import Emulator

struct PromptTokensTests {
    @Test func matchesTiktokenFraming() throws {
        let tokenizer = try TokenizerFixtures.cl100k()
        let cases = try TokenizerFixtures.prompts()
        #expect(cases.count >= 5)
        for testCase in cases {
            let messages = try #require(testCase["messages"]?.arrayValue)
            let expected = try #require(testCase["cl100k"]?.intValue)
            let count = PromptTokens.chat(messages: messages, tools: testCase["tools"]?.arrayValue, tokenizer: tokenizer)
            #expect(count == expected)
        }
    }

    @Test func singleUserMessage() throws {
        let tokenizer = try TokenizerFixtures.cl100k()
        let text = "What's the weather like in Paris today?"
        let messages: [JSONValue] = [["role": "user", "content": .string(text)]]
        // 3 per message + "user" (1 token) + the content + 3 priming the reply.
        #expect(PromptTokens.chat(messages: messages, tokenizer: tokenizer) == 7 + tokenizer.count(text))
        #expect(PromptTokens.text(text, tokenizer: tokenizer) == tokenizer.count(text))
    }

    @Test func rendersToolNamespace() {
        let tools: [JSONValue] = [
            [
                "type": "function",
                "function": [
                    "name": "get_weather", "description": "Get the weather",
                    "parameters": [
                        "type": "object",
                        "properties": [
                            "location": ["type": "string", "description": "The city"],
                            "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
                            "days": ["type": "array", "items": ["type": "integer"]],
                        ],
                        "required": ["location"],
                    ],
                ],
            ],
            ["type": "function", "function": ["name": "ping"]],
        ]
        let expected = """
            namespace functions {

            // Get the weather
            type get_weather = (_: {
            // The city
            location: string,
            unit?: "celsius" | "fahrenheit",
            days?: number[],
            }) => any;

            type ping = () => any;

            } // namespace functions
            """
        #expect(PromptTokens.renderTools(tools) == expected)
    }
}

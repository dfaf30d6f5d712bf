import Testing

@testable import Emulator

@Suite struct ChatRequestTests {
    func parse(_ json: String) throws(APIError) -> ChatRequest { try ChatRequest(body: Array(json.utf8)) }

    /// The error a body produces; records an issue when it is accepted.
    func failure(_ json: String) -> APIError? {
        do {
            _ = try parse(json)
            Issue.record("accepted: \(json)")
            return nil
        } catch {
            return error
        }
    }

    @Test func validRequest() throws {
        let r = try parse(#"""
            {"model":"gpt-4o","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],
             "stream":true,"stream_options":{"include_usage":true},"n":2,"max_completion_tokens":5,"stop":"x","seed":3,
             "unknown_field":{"x":[1]}}
            """#)
        #expect(r.model == "gpt-4o")
        #expect(r.messages.count == 2)
        #expect(r.stream && r.includeUsage)
        #expect(r.n == 2 && r.maxTokens == 5 && r.stop == ["x"] && r.seed == 3)
        #expect(r.lastUserText == "ab")
        #expect(ChatRequest.text(of: r.messages[1]["content"]) == "ab")
    }

    @Test func nullsCountAsAbsent() throws {
        let r = try parse(#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":null,"n":null}"#)
        #expect(!r.stream && r.n == 1)
    }

    @Test(arguments: [
        // body, param, code, words the message must contain
        (#"{"model":"m","messages":["#, nil, nil, ["JSON"]),
        (#"[{"model":"m"}]"#, nil, nil, ["object"]),
        (#""just a string""#, nil, nil, ["object"]),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model", "missing_required_parameter", ["model"]),
        (#"{"model":null,"messages":[{"role":"user","content":"x"}]}"#, "model", "missing_required_parameter", ["model"]),
        (#"{"model":42,"messages":[{"role":"user","content":"x"}]}"#, "model", "invalid_type", ["model", "string"]),
        (#"{"model":"m"}"#, "messages", "missing_required_parameter", ["messages"]),
        (#"{"model":"m","messages":[]}"#, "messages", "empty_array", ["messages", "empty"]),
        (#"{"model":"m","messages":"hi"}"#, "messages", "invalid_type", ["messages", "array"]),
        (#"{"model":"m","messages":[3]}"#, "messages[0]", "invalid_type", ["messages[0]", "object"]),
        (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role", "missing_required_parameter", ["messages[0].role"]),
        (#"{"model":"m","messages":[{"role":7,"content":"x"}]}"#, "messages[0].role", "invalid_type", ["messages[0].role"]),
        (#"{"model":"m","messages":[{"role":"user","content":"x"},{"role":"wizard","content":"x"}]}"#, "messages[1].role", "invalid_value", ["wizard", "developer"]),
        (#"{"model":"m","messages":[{"role":"user","content":42}]}"#, "messages[0].content", "invalid_type", ["messages[0].content"]),
        (#"{"model":"m","messages":[{"role":"user","content":{"a":1}}]}"#, "messages[0].content", "invalid_type", ["messages[0].content"]),
        (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages[0].content", "invalid_value", ["messages[0].content"]),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"video"}]}]}"#, "messages[0].content[0].type", "invalid_value", ["video"]),
        (#"{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}"#, "messages[0].content[0].type", "missing_required_parameter", ["type"]),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text", "missing_required_parameter", ["text"]),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}"#, "messages[0].content[0].image_url.url", "missing_required_parameter", ["url"]),
        (#"{"model":"m","messages":[{"role":"tool","content":"x"}]}"#, "messages[0].tool_call_id", "missing_required_parameter", ["tool_call_id"]),
        (#"{"model":"m","messages":[{"role":"function","content":"x"}]}"#, "messages[0].name", "missing_required_parameter", ["name"]),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "stream", "invalid_type", ["stream", "boolean"]),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true}}"#, "stream_options", nil, ["stream_options", "stream"]),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":0}"#, "n", "integer_below_min_value", ["n"]),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":1.5}"#, "n", "invalid_type", ["n", "integer"]),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":2.5}"#, "temperature", "decimal_out_of_range", ["temperature"]),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]}"#, "stop", "array_above_max_length", ["stop"]),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":[1]}"#, "stop[0]", "invalid_type", ["stop[0]"]),
    ] as [(String, String?, String?, [String])])
    func invalidRequestsNameTheParameter(body: String, param: String?, code: String?, words: [String]) throws {
        let error = try #require(failure(body))
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.param == param)
        if let code { #expect(error.code == code) }
        for w in words { #expect(error.message.contains(w), "\(error.message) lacks \(w)") }
    }

    @Test func assistantWithToolCallsMayOmitContent() throws {
        let r = try parse(#"""
            {"model":"m","messages":[{"role":"user","content":"x"},
             {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"c1","content":"ok"}]}
            """#)
        #expect(r.messages.count == 3)
    }

    @Test func theErrorBodyIsTheOpenAIEnvelope() throws {
        let error = try #require(failure(#"{"model":"m","messages":[]}"#))
        let json = try JSONParser.parse(error.body)
        #expect(json.objectValue?.keys == ["error"])
        #expect(json["error"]?.objectValue?.keys == ["message", "type", "param", "code"])
        #expect(json["error"]?["param"] == "messages")
        #expect(json["error"]?["type"] == "invalid_request_error")
    }
}

import Testing

@testable import Emulator

@Suite struct ChatChunkWriterTests {
    let prefix = #"data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","service_tier":"default","system_fingerprint":"fp_0123456789","choices":["#

    func writer(includeUsage: Bool = false, model: String = "gpt-4o") -> ChatChunkWriter {
        ChatChunkWriter(id: "chatcmpl-abc", created: 1_700_000_000, model: model, fingerprint: "fp_0123456789",
                        includeUsage: includeUsage)
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    var answer: ChatAnswer {
        ChatAnswer(
            choices: [GeneratedChoice(index: 0, content: "Hi there", pieces: [TokenPiece(text: "Hi", tokens: 1), TokenPiece(text: " there", tokens: 1)],
                                      finishReason: "stop", completionTokens: 2)],
            promptTokens: 9)
    }

    @Test func roleFrame() {
        #expect(text(writer().roleFrame(index: 0)) == prefix
            + #"{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}"#
            + "\n\n")
    }

    @Test func contentFrameEscapesTheText() {
        #expect(text(writer().contentFrame(index: 0, text: "say \"hi\"\n\\", logprob: nil)) == prefix
            + #"{"index":0,"delta":{"content":"say \"hi\"\n\\"},"logprobs":null,"finish_reason":null}]}"# + "\n\n")
    }

    @Test func contentFrameOfAnotherChoiceWithUsage() {
        #expect(text(writer(includeUsage: true).contentFrame(index: 2, text: "é\u{1}", logprob: nil)) == prefix
            + #"{"index":2,"delta":{"content":"é\u0001"},"logprobs":null,"finish_reason":null}],"usage":null}"# + "\n\n")
        #expect(text(writer(includeUsage: true).contentFrame(index: 0, text: "é\u{1}", logprob: nil)) == prefix
            + #"{"index":0,"delta":{"content":"é\u0001"},"logprobs":null,"finish_reason":null}],"usage":null}"# + "\n\n")
    }

    @Test func finishFrame() {
        #expect(text(writer().finishFrame(index: 1, reason: "length")) == prefix
            + #"{"index":1,"delta":{},"logprobs":null,"finish_reason":"length"}]}"# + "\n\n")
    }

    @Test func includeUsageAddsUsageNullToEveryChunk() {
        let w = writer(includeUsage: true)
        for frame in [w.roleFrame(index: 0), w.contentFrame(index: 0, text: "x", logprob: nil), w.finishFrame(index: 0, reason: "stop")] {
            #expect(text(frame).hasSuffix(#"]"# + #","usage":null}"# + "\n\n"))
        }
    }

    @Test func usageFrame() {
        #expect(text(writer(includeUsage: true).usageFrame(answer)) == prefix
            + #"],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"#
            + "\n\n")
    }

    @Test func doneFrame() {
        #expect(text(ChatChunkWriter.done) == "data: [DONE]\n\n")
    }

    @Test func everyFrameIsOneDataLineOfValidJSON() throws {
        let w = writer(includeUsage: true, model: "we\"ird\nmodel")
        for frame in [w.roleFrame(index: 0), w.contentFrame(index: 0, text: "a\nb", logprob: nil), w.finishFrame(index: 0, reason: "stop"), w.usageFrame(answer)] {
            let t = text(frame)
            #expect(t.hasPrefix("data: ") && t.hasSuffix("\n\n"))
            #expect(!t.dropLast(2).contains("\n"))
            let json = try JSONParser.parse(String(t.dropFirst(6)))
            #expect(json["model"] == "we\"ird\nmodel")
            #expect(json["object"] == "chat.completion.chunk")
        }
    }

    @Test func completionBody() throws {
        let json = try JSONParser.parse(writer().completion(answer))
        #expect(json.objectValue?.keys == ["id", "object", "created", "model", "choices", "usage", "service_tier", "system_fingerprint"])
        #expect(json["object"] == "chat.completion")
        #expect(json["choices"]?[0]?["message"]?["content"] == "Hi there")
        #expect(json["choices"]?[0]?["message"]?["refusal"] == .null)
        #expect(json["choices"]?[0]?["logprobs"] == .null)
        #expect(json["choices"]?[0]?["finish_reason"] == "stop")
        #expect(json["usage"]?["total_tokens"] == 11)
    }
}

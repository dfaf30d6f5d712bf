import Foundation
import Testing

@testable import Emulator

/// The frames of a streamed chat answer, read back as a client would.
@Suite struct ChatStreamSourceTests {
    let tokenizer = EstimatingTokenizer()

    func writer() -> ChatChunkWriter {
        ChatChunkWriter(id: "chatcmpl-abc", created: 1_700_000_000, model: "gpt-4o", fingerprint: "fp_0123456789",
                        includeUsage: true)
    }

    func choice(_ index: Int, _ text: String) -> GeneratedChoice {
        let pieces = tokenizer.pieces(text)
        return GeneratedChoice(index: index, content: text, pieces: pieces, finishReason: "stop",
                               completionTokens: pieces.reduce(0) { $0 + $1.tokens })
    }

    /// Every event's chunk JSON (nil for `[DONE]`), with whether it was marked as a token frame.
    func drain(_ source: ChatStreamSource) -> [(chunk: [String: Any]?, token: Bool)] {
        var source = source
        var out: [(chunk: [String: Any]?, token: Bool)] = []
        while let event = source.next() {
            guard case .frame(let bytes, _, let token) = event else {
                Issue.record("unexpected event \(event)")
                return out
            }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("data: ") && text.hasSuffix("\n\n"))
            let payload = text.dropFirst(6).dropLast(2)
            if payload == "[DONE]" {
                out.append((nil, token))
            } else {
                let json = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any]
                #expect(json != nil, "not JSON: \(payload)")
                out.append((json, token))
            }
        }
        return out
    }

    func delta(_ chunk: [String: Any]?) -> (index: Int, delta: [String: Any])? {
        guard let choices = chunk?["choices"] as? [[String: Any]], let first = choices.first,
            let index = first["index"] as? Int, let delta = first["delta"] as? [String: Any]
        else { return nil }
        return (index, delta)
    }

    @Test func tokensOfTwoChoicesReassembleTheirContent() {
        let texts = ["Héllo wörld, ça va? 👋🏽 日本語のテキスト.", "A second, shorter choice."]
        let answer = ChatAnswer(choices: [choice(0, texts[0]), choice(1, texts[1])], promptTokens: 5)
        let events = drain(ChatStreamSource(writer: writer(), answer: answer, latency: LatencyPlan(), tokenizer: tokenizer))
        var content = ["", ""]
        var roles = 0, finishes = 0, tokenFrames = 0
        for (chunk, token) in events {
            guard let (index, delta) = delta(chunk) else { continue }
            if delta["role"] != nil { roles += 1 }
            if let text = delta["content"] as? String, !text.isEmpty {
                content[index] += text
                #expect(token)
                tokenFrames += 1
            }
            if let choices = chunk?["choices"] as? [[String: Any]], choices.first?["finish_reason"] is String { finishes += 1 }
        }
        #expect(content == texts)
        #expect(roles == 2 && finishes == 2)
        #expect(tokenFrames == answer.choices.reduce(0) { $0 + $1.pieces.count })
        #expect(events.last?.chunk == nil)  // [DONE]
        #expect((events[events.count - 2].chunk?["usage"] as? [String: Any])?["completion_tokens"] as? Int
            == answer.completionTokens)
    }

    @Test func toolCallArgumentsStreamInTokens() {
        let arguments = #"{"city":"Zürich","days":3}"#
        var call = choice(0, "")
        call.content = nil
        call.pieces = []
        call.completionTokens = tokenizer.count(arguments)
        call.finishReason = "tool_calls"
        call.toolCalls = [GeneratedToolCall(id: "call_1", name: "weather", arguments: arguments),
                          GeneratedToolCall(id: "call_2", name: "time", arguments: "{}")]
        let answer = ChatAnswer(choices: [call], promptTokens: 5)
        let events = drain(ChatStreamSource(writer: writer(), answer: answer, latency: LatencyPlan(), tokenizer: tokenizer))
        var argumentsByCall: [Int: String] = [:]
        var names: [String] = []
        for (chunk, _) in events {
            guard let (_, delta) = delta(chunk), let calls = delta["tool_calls"] as? [[String: Any]] else { continue }
            for c in calls {
                let k = c["index"] as? Int ?? -1
                let function = c["function"] as? [String: Any] ?? [:]
                if let name = function["name"] as? String { names.append(name) }
                argumentsByCall[k, default: ""] += function["arguments"] as? String ?? ""
            }
        }
        #expect(names == ["weather", "time"])
        #expect(argumentsByCall == [0: arguments, 1: "{}"])
        #expect(!events.contains { delta($0.chunk)?.delta["role"] != nil && delta($0.chunk)?.delta["tool_calls"] == nil })
    }
}

/// One request as the journal keeps it.
public struct JournalEntry: Sendable {
    public var sequence: Int
    public var id: String
    public var scope: String
    public var time: Double
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    /// Headers as received; shown only through `headers`.
    var receivedHeaders: [(name: String, value: String)]
    /// Headers with API keys masked (masked when read, not on every request).
    public var headers: [(name: String, value: String)] { JournalEntry.mask(receivedHeaders) }
    /// The body as received (cut at the body cap); parsed only when someone looks at it.
    public var rawBody: [UInt8]
    public var bodyTruncated: Bool
    public var endpoint: String?
    public var model: String?
    public var matchedRule: String?
    public var status: Int?
    public var durationMs: Double?
    /// The answer: its JSON body (kept as bytes), or the assembled content of a stream.
    public var rawAnswer: [UInt8]?
    public var answer: JSONValue?
    public var stream = false

    /// The parsed body, or its text when it is not JSON (or was cut).
    public var body: JSONValue {
        if !bodyTruncated, let parsed = try? JSONParser.parse(rawBody) { return parsed }
        return .string(String(decoding: rawBody, as: UTF8.self))
    }

    /// The answer for display: the transcript of a stream, or the parsed body.
    var answerValue: JSONValue? {
        if let answer { return answer }
        guard let rawAnswer else { return nil }
        return (try? JSONParser.parse(rawAnswer)) ?? .string(String(decoding: rawAnswer, as: UTF8.self))
    }

    var json: JSONValue {
        var o = JSONObject()
        o["sequence"] = .number(Double(sequence))
        o["id"] = .string(id)
        o["scope"] = .string(scope)
        o["time"] = .number(time)
        o["method"] = .string(method)
        o["path"] = .string(path)
        o["query"] = .object(JSONObject(query.map { (key: $0.name, value: JSONValue.string($0.value)) }))
        o["headers"] = .object(JSONObject(headers.map { (key: $0.name, value: JSONValue.string($0.value)) }))
        o["body"] = body
        o["body_truncated"] = .bool(bodyTruncated)
        o["endpoint"] = endpoint.map { .string($0) } ?? .null
        o["model"] = model.map { .string($0) } ?? .null
        o["matched_rule"] = matchedRule.map { .string($0) } ?? .null
        o["status"] = status.map { .number(Double($0)) } ?? .null
        o["duration_ms"] = durationMs.map { .number($0) } ?? .null
        o["stream"] = .bool(stream)
        o["answer"] = answerValue ?? .null
        return .object(o)
    }

    /// Masks credentials: `Authorization: Bearer sk-a…` → `Bearer sk-a****wxyz`.
    static func mask(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers.map { h in
            switch h.name {
            case "authorization":
                let parts = h.value.split(separator: " ", maxSplits: 1)
                if parts.count == 2 { return (h.name, "\(parts[0]) \(APIError.mask(String(parts[1])))") }
                return (h.name, APIError.mask(h.value))
            case "api-key", "x-api-key", "x-admin-key", "cookie", "proxy-authorization":
                return (h.name, APIError.mask(h.value))
            default:
                return h
            }
        }
    }
}

/// One request as the journal keeps it.
public struct JournalEntry: Sendable {
    public var sequence: Int
    public var id: String
    public var scope: String
    public var time: Double
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    /// Headers with API keys masked.
    public var headers: [(name: String, value: String)]
    /// The parsed body, or the text (cut at the body cap) when it is not JSON.
    public var body: JSONValue
    public var bodyTruncated: Bool
    public var endpoint: String?
    public var model: String?
    public var matchedRule: String?
    public var status: Int?
    public var durationMs: Double?
    /// The answer: its JSON body, or the assembled content of a stream.
    public var answer: JSONValue?
    public var stream = false

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
        o["answer"] = answer ?? .null
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

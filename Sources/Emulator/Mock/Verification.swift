/// `POST /_emulator/verify`: asserts how many journal entries match a rule, and explains misses.
///
/// ```json
/// {"match": {"endpoint": "chat", "last_user": {"contains": "weather"}}, "count": {"exactly": 1}}
/// ```
enum Verification {
    static func run(_ request: HTTPRequest, mock: MockEngine) throws(APIError) -> HTTPResponse {
        let p = try Params.body(request.body)
        let match = try p.object("match").map(FixtureMatch.parse) ?? FixtureMatch()
        let (kind, expected) = try expectation(p)
        let entries = mock.journal.entries(scope: mock.scope(of: request))
        var matched: [JournalEntry] = []
        var lines: [String] = []
        for e in entries {
            let failures = match.failures(query(for: e))
            if failures.isEmpty {
                matched.append(e)
                lines.append("+ \(e.id) \(e.method) \(e.path)")
            } else {
                lines.append("- \(e.id) \(e.method) \(e.path): " + failures.joined(separator: "; "))
            }
        }
        let ok: Bool
        switch kind {
        case "exactly": ok = matched.count == expected
        case "at_least": ok = matched.count >= expected
        default: ok = matched.count <= expected
        }
        let summary = "expected \(kind.replacingUnderscores) \(expected) matching request\(expected == 1 ? "" : "s"), received \(matched.count) (of \(entries.count) recorded)"
        var body = JSONObject()
        body["matched"] = .number(Double(matched.count))
        body["expected"] = [kind: .number(Double(expected))]
        body["requests"] = .array(matched.map(\.json))
        body["diff"] = .string(([summary] + lines).joined(separator: "\n"))
        if !ok {
            body["error"] = ["message": .string(summary), "type": "verification_failed", "param": .null, "code": "verification_failed"]
        }
        return ResponseFactory.json(ok ? 200 : 409, JSONValue.object(body).jsonBytes, request: request)
    }

    static func expectation(_ p: Params) throws(APIError) -> (String, Int) {
        guard let count = p.value("count") else { return ("at_least", 1) }
        if let n = count.intValue { return ("exactly", n) }
        guard let o = try p.object("count") else { throw .invalidType(param: "count", expected: "an object", got: count) }
        for kind in ["exactly", "at_least", "at_most"] {
            if let n = try o.int(kind, in: 0...Int(Int32.max)) { return (kind, n) }
        }
        throw .invalidRequest("'count' must give one of 'exactly', 'at_least' or 'at_most'.", param: "count")
    }

    /// A journal entry seen as a fixture query, whatever its dialect.
    static func query(for e: JournalEntry) -> FixtureQuery {
        let request = HTTPRequest(method: e.method, path: e.path, query: e.query, headers: e.headers, id: e.id)
        let body = e.body
        var q = FixtureQuery(endpoint: e.endpoint ?? endpoint(of: e.path), model: e.model ?? body["model"]?.stringValue ?? "",
                             body: body, request: request)
        var messages: [(role: String, text: String)] = []
        if let system = body["system"]?.stringValue { messages.append(("system", system)) }
        if let instructions = body["instructions"]?.stringValue { messages.append(("system", instructions)) }
        for m in body["messages"]?.arrayValue ?? body["input"]?.arrayValue ?? [] {
            messages.append((m["role"]?.stringValue ?? "user", ChatRequest.text(of: m["content"])))
        }
        if let input = body["input"]?.stringValue ?? body["prompt"]?.stringValue { messages.append(("user", input)) }
        q.messages = messages
        q.toolNames = (body["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue ?? $0["name"]?.stringValue }
        q.responseFormatType = body["response_format"]?["type"]?.stringValue ?? body["text"]?["format"]?["type"]?.stringValue
        q.responseFormatName = body["response_format"]?["json_schema"]?["name"]?.stringValue
            ?? body["text"]?["format"]?["name"]?.stringValue
        return q
    }

    static func endpoint(of path: String) -> String {
        if path.hasSuffix("/chat/completions") { return "chat" }
        if path.hasSuffix("/completions") { return "completions" }
        if path.hasSuffix("/embeddings") { return "embeddings" }
        if path.hasSuffix("/responses") { return "responses" }
        if path.hasSuffix("/messages") { return "messages" }
        return path
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}

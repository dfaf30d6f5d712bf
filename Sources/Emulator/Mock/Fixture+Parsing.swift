/// Reads fixtures from JSON/YAML:
///
/// ```yaml
/// fixtures:
///   - name: weather
///     priority: 10
///     match: {endpoint: chat, model: "gpt-4o*", last_user: {contains: weather}, tools: [get_weather]}
///     respond: {tool_calls: [{name: get_weather, arguments: {city: Oslo}}]}
///     times: 1
/// ```
extension Fixture {
    /// Parses a list of rules: `{"fixtures": [...]}`, an array, or one rule object.
    static func parseList(_ value: JSONValue, source: String, ids: IDGenerator) throws(APIError) -> [Fixture] {
        let items: [JSONValue]
        if let list = value["fixtures"]?.arrayValue {
            items = list
        } else if let list = value.arrayValue {
            items = list
        } else if value.objectValue != nil {
            items = [value]
        } else {
            throw .invalidRequest("Fixtures must be a rule object, an array of rules, or {\"fixtures\": [...]}.")
        }
        var out: [Fixture] = []
        for (i, item) in items.enumerated() {
            out.append(try parse(item, path: "fixtures[\(i)]", source: source, ids: ids))
        }
        return out
    }

    static func parse(_ value: JSONValue, path: String, source: String, ids: IDGenerator) throws(APIError) -> Fixture {
        guard case .object(let o) = value else { throw .invalidType(param: path, expected: "an object", got: value) }
        let p = Params(o, path: path)
        var f = Fixture(id: try p.string("id") ?? ids.hex(prefix: "fx_", count: 16))
        f.name = try p.string("name")
        f.priority = try p.int("priority") ?? 0
        f.times = try p.int("times", in: 1...Int(Int32.max))
        f.after = try p.int("after", in: 0...Int(Int32.max)) ?? 0
        f.source = source
        f.definition = value
        if let m = try p.object("match") { f.match = try FixtureMatch.parse(m) }
        if let r = p.value("respond") ?? p.value("response") {
            if let sequence = r["sequence"]?.arrayValue ?? r.arrayValue {
                for (i, item) in sequence.enumerated() {
                    f.answers.append(try FixtureAnswer.parse(item, path: "\(path).respond.sequence[\(i)]"))
                }
            } else {
                f.answers = [try FixtureAnswer.parse(r, path: "\(path).respond")]
            }
        }
        guard !f.answers.isEmpty else { throw .missing("\(path).respond") }
        return f
    }
}

extension FixtureMatch {
    static func parse(_ p: Params) throws(APIError) -> FixtureMatch {
        var m = FixtureMatch()
        if let e = p.value("endpoint") {
            m.endpoints = e.stringValue.map { [$0] } ?? e.arrayValue?.compactMap(\.stringValue)
        }
        m.model = try p.string("model")
        if let v = p.value("last_user") { m.lastUser = try TextMatch.parse(v, param: p.name("last_user")) }
        if let v = p.value("any_message") { m.anyMessage = try TextMatch.parse(v, param: p.name("any_message")) }
        if let v = p.value("system") { m.system = try TextMatch.parse(v, param: p.name("system")) }
        if let v = p.value("tools") {
            switch v {
            case .bool(let b): m.toolsPresent = b
            case .string(let s): m.toolNames = [s]
            case .array(let a): m.toolNames = a.compactMap(\.stringValue)
            default: throw .invalidType(param: p.name("tools"), expected: "a boolean, a tool name or a list of names", got: v)
            }
        }
        if let v = p.value("response_format") {
            if let s = v.stringValue {
                m.responseFormatType = s
            } else {
                m.responseFormatType = v["type"]?.stringValue
                m.responseFormatName = v["name"]?.stringValue
            }
        }
        var headerObject = try p.object("headers")
        if headerObject == nil { headerObject = try p.object("header") }
        if let h = headerObject {
            m.headers = h.object.entries.map { ($0.key.lowercased(), $0.value.stringValue ?? $0.value.jsonString) }
        }
        var pathObject = try p.object("json_path")
        if pathObject == nil { pathObject = try p.object("body") }
        if let j = pathObject {
            m.jsonPaths = j.object.entries.map { ($0.key, $0.value) }
        }
        m.turn = try p.int("turn", in: 0...Int(Int32.max))
        m.path = try p.string("path")
        m.method = try p.string("method")?.uppercased()
        return m
    }
}

extension FixtureAnswer {
    static func parse(_ value: JSONValue, path: String) throws(APIError) -> FixtureAnswer {
        guard case .object(let o) = value else { throw .invalidType(param: path, expected: "an object", got: value) }
        let p = Params(o, path: path)
        var a = FixtureAnswer()
        a.text = try p.string("text")
        if a.text == nil { a.text = try p.string("content") }
        if let calls = try p.array("tool_calls") {
            for (i, call) in calls.enumerated() {
                guard let name = call["name"]?.stringValue ?? call["function"]?["name"]?.stringValue else {
                    throw .missing("\(path).tool_calls[\(i)].name")
                }
                var arguments = call["arguments"] ?? call["function"]?["arguments"]
                if let text = arguments?.stringValue {
                    arguments = text == "generate" ? JSONValue?.none : ((try? JSONParser.parse(text)) ?? .string(text))
                }
                a.toolCalls.append((name, arguments))
            }
        }
        a.json = p.value("json")
        if let e = try p.object("error") {
            let status = try e.int("status", in: 400...599) ?? 400
            a.error = APIError(
                status: status, type: try e.string("type") ?? (status >= 500 ? "server_error" : "invalid_request_error"),
                message: try e.string("message") ?? "Scripted error.", param: try e.string("param"),
                code: try e.string("code"))
        }
        if let f = try p.string("fault") {
            guard let fault = Fault.parse(f) else {
                throw .invalidRequest("Invalid fault '\(f)' in '\(path).fault': expected one of \(Fault.kindList), optionally @N.",
                                      param: "\(path).fault")
            }
            a.fault = fault
        }
        if let e = try p.array("embedding") {
            a.embedding = e.compactMap(\.doubleValue)
        }
        if let l = try p.object("latency") {
            a.ttftMs = try LoadSettings.distribution(l, "ttft_ms")
            a.itlMs = try LoadSettings.distribution(l, "itl_ms")
        }
        a.finishReason = try p.string("finish_reason")
        if let raw = p.value("raw") { a.raw = try RawAnswer.parse(raw, path: "\(path).raw") }
        guard a.text != nil || !a.toolCalls.isEmpty || a.json != nil || a.error != nil || a.fault != nil
            || a.embedding != nil || a.ttftMs != nil || a.itlMs != nil || a.raw != nil
        else {
            throw .invalidRequest("'\(path)' says nothing to answer: give text, tool_calls, json, error, fault, embedding or latency.",
                                  param: path)
        }
        return a
    }
}

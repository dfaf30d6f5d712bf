extension FixtureMatch {
    /// The conditions that do not hold for `q` (empty when the rule matches).
    func failures(_ q: FixtureQuery) -> [String] {
        var out: [String] = []
        if let endpoints, !endpoints.contains(q.endpoint) {
            out.append("endpoint is \(q.endpoint), not \(endpoints.joined(separator: "/"))")
        }
        if let model, !Glob.matches(model, q.model) { out.append("model \"\(q.model)\" does not match \"\(model)\"") }
        if let lastUser, !lastUser.matches(q.lastUser) {
            out.append("last user message \"\(q.lastUser.prefix(80))\" does not match (\(lastUser.description))")
        }
        if let anyMessage, !q.messages.contains(where: { anyMessage.matches($0.text) }) {
            out.append("no message matches (\(anyMessage.description))")
        }
        if let system, !system.matches(q.system) {
            out.append("system prompt \"\(q.system.prefix(80))\" does not match (\(system.description))")
        }
        if let toolsPresent, toolsPresent == q.toolNames.isEmpty {
            out.append(toolsPresent ? "the request has no tools" : "the request has tools")
        }
        if let toolNames, !toolNames.allSatisfy(q.toolNames.contains) {
            out.append("tools [\(q.toolNames.joined(separator: ", "))] lack [\(toolNames.joined(separator: ", "))]")
        }
        if let responseFormatType, responseFormatType != (q.responseFormatType ?? "text") {
            out.append("response_format is \(q.responseFormatType ?? "text"), not \(responseFormatType)")
        }
        if let responseFormatName, responseFormatName != q.responseFormatName {
            out.append("schema name is \(q.responseFormatName ?? "none"), not \(responseFormatName)")
        }
        for (name, value) in headers where q.request.header(name) != value {
            out.append("header \(name) is \(q.request.header(name).map { "\"\($0)\"" } ?? "absent"), not \"\(value)\"")
        }
        let body = jsonPaths.isEmpty ? JSONValue.null : q.body
        for (path, value) in jsonPaths {
            let found = JSONPath.value(at: path, in: body)
            if found != value { out.append("\(path) is \(found?.jsonString ?? "absent"), not \(value.jsonString)") }
        }
        if let turn, turn != q.turn { out.append("turn is \(q.turn), not \(turn)") }
        if let path, path != q.request.path { out.append("path is \(q.request.path), not \(path)") }
        if let method, method != q.request.method { out.append("method is \(q.request.method), not \(method)") }
        return out
    }
}

/// `$.a.b[0].c` paths into a JSON value.
enum JSONPath {
    static func value(at path: String, in root: JSONValue) -> JSONValue? {
        var current: JSONValue? = root
        var rest = Substring(path)
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        while !rest.isEmpty, let value = current {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let key = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(key.count)
                current = value[String(key)]
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                if let i = Int(inside) {
                    guard let items = value.arrayValue else { return nil }
                    let index = i < 0 ? items.count + i : i
                    current = items.indices.contains(index) ? items[index] : nil
                } else {
                    current = value[String(inside.trimmingCharacters(in: "\"").trimmingCharacters(in: "'"))]
                }
            } else {
                let key = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(key.count)
                current = value[String(key)]
            }
        }
        return current
    }
}

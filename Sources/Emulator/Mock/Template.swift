/// Fills `{{last_user}}`, `{{model}}`, `{{endpoint}}`, `{{turn}}` and `{{header.NAME}}` in
/// scripted answers with values from the request.
enum Template {
    static func render(_ text: String, _ q: FixtureQuery) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = after[..<close.lowerBound].trimmingCharacters(in: " ")
            out += value(String(name), q) ?? "{{\(name)}}"
            rest = after[close.upperBound...]
        }
        return out + rest
    }

    static func value(_ name: String, _ q: FixtureQuery) -> String? {
        switch name {
        case "last_user", "last_user_message": return q.lastUser
        case "model": return q.model
        case "endpoint": return q.endpoint
        case "turn": return String(q.turn)
        case "system": return q.system
        default:
            if name.hasPrefix("header.") { return q.request.header(String(name.dropFirst(7))) ?? "" }
            if name.hasPrefix("body.") { return JSONPath.value(at: "$." + name.dropFirst(5), in: q.body).map { $0.stringValue ?? $0.jsonString } }
            return nil
        }
    }

    static func render(_ value: JSONValue, _ q: FixtureQuery) -> JSONValue {
        switch value {
        case .string(let s): return .string(render(s, q))
        case .array(let a): return .array(a.map { render($0, q) })
        case .object(let o): return .object(JSONObject(o.entries.map { (key: $0.key, value: render($0.value, q)) }))
        default: return value
        }
    }
}

extension Substring {
    func range(of needle: String) -> Range<Substring.Index>? {
        let n = Array(needle.utf8)
        guard !n.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].utf8.starts(with: n) {
                return i..<self.utf8.index(i, offsetBy: n.count)
            }
            i = index(after: i)
        }
        return nil
    }
}

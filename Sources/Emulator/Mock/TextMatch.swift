/// How a fixture matches a piece of text: exactly, by substring, or by regular expression.
enum TextMatch: Sendable {
    case equals(String)
    case contains(String)
    case regex(String, SafeRegex)

    /// Reads `"text"` (contains), `{"equals": …}`, `{"contains": …}` or `{"regex": …}`.
    static func parse(_ value: JSONValue, param: String) throws(APIError) -> TextMatch {
        if let s = value.stringValue { return .contains(s) }
        if let s = value["equals"]?.stringValue { return .equals(s) }
        if let s = value["contains"]?.stringValue { return .contains(s) }
        if let s = value["regex"]?.stringValue {
            do {
                return .regex(s, try SafeRegex(s))
            } catch {
                throw .invalidRequest("Invalid regex in '\(param)': \(error)", param: param)
            }
        }
        throw .invalidRequest("'\(param)' must be a string or an object with 'equals', 'contains' or 'regex'.", param: param)
    }

    func matches(_ text: String) -> Bool {
        switch self {
        case .equals(let s): return text == s
        case .contains(let s): return s.isEmpty || text.contains(s)
        case .regex(_, let r): return r.matches(text)
        }
    }

    var description: String {
        switch self {
        case .equals(let s): return "equals \"\(s)\""
        case .contains(let s): return "contains \"\(s)\""
        case .regex(let s, _): return "matches /\(s)/"
        }
    }

    var json: JSONValue {
        switch self {
        case .equals(let s): return ["equals": .string(s)]
        case .contains(let s): return ["contains": .string(s)]
        case .regex(let s, _): return ["regex": .string(s)]
        }
    }
}

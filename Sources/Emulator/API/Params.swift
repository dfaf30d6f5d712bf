/// Typed, validated access to a request object's members, producing OpenAI's 400s (with `param`
/// naming the member, e.g. `messages[2].role`) for missing members and wrong types.
public struct Params {
    public let object: JSONObject
    /// The path of this object inside the body ("" for the body itself, "messages[2]" …).
    public let path: String

    public init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    /// Parses a body that must be a JSON object.
    public static func body(_ bytes: [UInt8]) throws(APIError) -> Params {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .notJSON(error.description)
        }
        guard case .object(let o) = value else {
            throw .invalidRequest(
                "Invalid request body: expected a JSON object, but got \(value.typeName == "integer" ? "a number" : "an \(value.typeName)") instead.")
        }
        return Params(o)
    }

    public func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member, treating JSON `null` as absent.
    public func value(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    public func has(_ key: String) -> Bool { value(key) != nil }

    public func string(_ key: String) throws(APIError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw .invalidType(param: name(key), expected: "a string", got: v) }
        return s
    }

    public func requiredString(_ key: String) throws(APIError) -> String {
        guard let s = try string(key) else { throw .missing(name(key)) }
        return s
    }

    public func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw .invalidType(param: name(key), expected: "a boolean", got: v) }
        return b
    }

    public func int(_ key: String, in range: ClosedRange<Int>? = nil) throws(APIError) -> Int? {
        guard let v = value(key) else { return nil }
        guard case .number(let d) = v, d.rounded() == d, abs(d) < 9e15 else {
            throw .invalidType(param: name(key), expected: "an integer", got: v)
        }
        let i = Int(d)
        if let range, !range.contains(i) { throw APIError.outOfRange(param: name(key), value: v, range: range) }
        return i
    }

    public func double(_ key: String, in range: ClosedRange<Double>? = nil) throws(APIError) -> Double? {
        guard let v = value(key) else { return nil }
        guard case .number(let d) = v else { throw .invalidType(param: name(key), expected: "a decimal", got: v) }
        if let range, !range.contains(d) {
            throw .invalidRequest(
                "Invalid '\(name(key))': decimal out of range. Expected a value between \(range.lowerBound.compact) and \(range.upperBound.compact), but got \(d.compact) instead.",
                param: name(key), code: "decimal_out_of_range")
        }
        return d
    }

    public func object(_ key: String) throws(APIError) -> Params? {
        guard let v = value(key) else { return nil }
        guard case .object(let o) = v else { throw .invalidType(param: name(key), expected: "an object", got: v) }
        return Params(o, path: name(key))
    }

    public func array(_ key: String) throws(APIError) -> [JSONValue]? {
        guard let v = value(key) else { return nil }
        guard case .array(let a) = v else { throw .invalidType(param: name(key), expected: "an array", got: v) }
        return a
    }

    /// A string that must be one of `allowed`.
    public func choice(_ key: String, _ allowed: [String]) throws(APIError) -> String? {
        guard let s = try string(key) else { return nil }
        guard allowed.contains(s) else { throw APIError.invalidValue(param: name(key), value: s, allowed: allowed) }
        return s
    }
}

extension APIError {
    static func outOfRange(param: String, value: JSONValue, range: ClosedRange<Int>) -> APIError {
        let v = value.intValue.map(String.init) ?? value.jsonString
        if v.hasPrefix("-") || (value.intValue ?? 0) < range.lowerBound {
            return .invalidRequest(
                "Invalid '\(param)': integer below minimum value. Expected a value >= \(range.lowerBound), but got \(v) instead.",
                param: param, code: "integer_below_min_value")
        }
        return .invalidRequest(
            "Invalid '\(param)': integer above maximum value. Expected a value <= \(range.upperBound), but got \(v) instead.",
            param: param, code: "integer_above_max_value")
    }

    static func invalidValue(param: String, value: String, allowed: [String]) -> APIError {
        let quoted = allowed.map { "'\($0)'" }
        let list = quoted.count > 1 ? quoted.dropLast().joined(separator: ", ") + ", and " + quoted.last! : quoted.joined()
        return .invalidRequest(
            "Invalid value: '\(value)'. Supported values are: \(list).", param: param, code: "invalid_value")
    }
}

extension Double {
    /// "2" for 2.0, "0.5" for 0.5.
    var compact: String { rounded() == self && abs(self) < 1e15 ? String(Int64(self)) : description }
}

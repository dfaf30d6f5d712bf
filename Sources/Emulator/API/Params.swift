/// Typed, validated access to a request object's members, producing OpenAI's 400s (with `param`
/// naming the member, e.g. `messages[2].role`) for missing members and wrong types.
public struct Params {
    public let object: JSONObject
    private let base: String
    private let index: Int
    /// The path of this object inside the body ("" for the body itself, "messages[2]" …).
    public var path: String { index < 0 ? base : "\(base)[\(index)]" }

    /// One bit per member name, from its length and first byte: a request is validated by dozens
    /// of lookups of members it does not have, and most are turned away by this mask alone.
    private let names: UInt64

    public init(_ object: JSONObject, path: String = "") {
        self.init(object, base: path, index: -1)
    }

    /// Element `index` of the array at `array`: its path, `array[index]`, is written only for an error.
    public init(_ object: JSONObject, element index: Int, of array: String) {
        self.init(object, base: array, index: index)
    }

    private init(_ object: JSONObject, base: String, index: Int) {
        self.object = object
        self.base = base
        self.index = index
        var names: UInt64 = 0
        for entry in object.entries { names |= Params.bit(entry.key) }
        self.names = names
    }

    @inline(__always)
    private static func bit(_ key: String) -> UInt64 {
        let utf8 = key.utf8
        return 1 &<< ((UInt64(utf8.count) &* 7 &+ UInt64(utf8.first ?? 0)) & 63)
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
        guard names & Params.bit(key) != 0, let v = object[key], !v.isNull else { return nil }
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

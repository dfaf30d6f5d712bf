import Foundation

@testable import Emulator

/// A small JSON Schema validator for tests: checks generated values against the keyword subset
/// `SchemaGenerator` supports, independently of the generator's own code (patterns go through
/// `NSRegularExpression`, not Swift's `Regex`).
///
/// `format` is not checked (as in Python's `jsonschema` by default); `nullable: true` allows
/// `null` as OpenAPI means it. References deeper than 64 hops count as valid, so a cycle such as
/// `{"$ref": "#"}` ends.
struct SchemaValidator {
    let root: JSONValue

    init(schema: JSONValue) { root = schema }

    /// Every violation found, as "path: reason"; empty when the value is valid.
    func errors(_ value: JSONValue) -> [String] {
        var errors: [String] = []
        validate(value, root, path: "$", depth: 0, into: &errors)
        return errors
    }

    func isValid(_ value: JSONValue) -> Bool { errors(value).isEmpty }

    private func validate(
        _ value: JSONValue, _ schema: JSONValue, path: String, depth: Int, into errors: inout [String]
    ) {
        guard depth < 64 else { return }
        switch schema {
        case .bool(false): return errors.append("\(path): false schema")
        case .object(let s): validateObject(value, s, path: path, depth: depth, into: &errors)
        default: return
        }
    }

    private func validateObject(
        _ value: JSONValue, _ s: JSONObject, path: String, depth: Int, into errors: inout [String]
    ) {
        func fail(_ reason: String) { errors.append("\(path): \(reason)") }
        if case .string(let reference)? = s["$ref"] {
            if let target = SchemaResolver.resolve(reference, in: root) {
                validate(value, target, path: path, depth: depth + 1, into: &errors)
            } else {
                fail("unresolvable $ref \(reference)")
            }
        }
        var types = s["type"].map(SchemaMerge.typeNames) ?? []
        if s["nullable"] == .bool(true), !types.isEmpty { types.append("null") }
        if !types.isEmpty, !types.contains(where: { Self.has(value, type: $0) }) {
            fail("type \(value.typeName) not in \(types)")
        }
        if let constant = s["const"], constant != value { fail("not const") }
        if case .array(let options)? = s["enum"], !options.contains(value) { fail("not in enum") }

        for sub in s["allOf"]?.arrayValue ?? [] { validate(value, sub, path: path, depth: depth + 1, into: &errors) }
        if case .array(let branches)? = s["anyOf"] {
            if !branches.contains(where: { matches(value, $0, depth: depth + 1) }) { fail("no anyOf branch matches") }
        }
        if case .array(let branches)? = s["oneOf"] {
            let count = branches.filter { matches(value, $0, depth: depth + 1) }.count
            if count != 1 { fail("\(count) oneOf branches match") }
        }
        if let forbidden = s["not"], matches(value, forbidden, depth: depth + 1) { fail("matches not") }

        switch value {
        case .number(let d): checkNumber(d, s, fail: fail)
        case .string(let text): checkString(text, s, fail: fail)
        case .array(let items): checkArray(items, s, path: path, depth: depth, into: &errors)
        case .object(let object): checkObject(object, s, path: path, depth: depth, into: &errors)
        default: break
        }
    }

    private func matches(_ value: JSONValue, _ schema: JSONValue, depth: Int) -> Bool {
        var errors: [String] = []
        validate(value, schema, path: "", depth: depth, into: &errors)
        return errors.isEmpty
    }

    static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array),
            ("object", .object):
            return true
        case ("integer", .number(let d)): return d.rounded() == d
        default: return false
        }
    }

    private func checkNumber(_ d: Double, _ s: JSONObject, fail: (String) -> Void) {
        if let low = s["minimum"]?.doubleValue, d < low { fail("\(d) < minimum \(low)") }
        if let high = s["maximum"]?.doubleValue, d > high { fail("\(d) > maximum \(high)") }
        if let low = s["exclusiveMinimum"]?.doubleValue, d <= low { fail("\(d) <= exclusiveMinimum \(low)") }
        if let high = s["exclusiveMaximum"]?.doubleValue, d >= high { fail("\(d) >= exclusiveMaximum \(high)") }
        if s["exclusiveMinimum"] == .bool(true), let low = s["minimum"]?.doubleValue, d <= low { fail("not > \(low)") }
        if s["exclusiveMaximum"] == .bool(true), let high = s["maximum"]?.doubleValue, d >= high {
            fail("not < \(high)")
        }
        if let m = s["multipleOf"]?.doubleValue, m > 0 {
            let quotient = d / m
            if quotient.rounded() != quotient { fail("\(d) not a multiple of \(m)") }
        }
    }

    private func checkString(_ text: String, _ s: JSONObject, fail: (String) -> Void) {
        let length = text.unicodeScalars.count
        if let low = s["minLength"]?.intValue, length < low { fail("length \(length) < \(low)") }
        if let high = s["maxLength"]?.intValue, length > high { fail("length \(length) > \(high)") }
        if case .string(let pattern)? = s["pattern"] {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return fail("bad pattern \(pattern)") }
            let range = NSRange(text.startIndex..<text.endIndex, in: text)
            if regex.firstMatch(in: text, range: range) == nil { fail("\(text.debugDescription) !~ \(pattern)") }
        }
    }

    private func checkArray(
        _ items: [JSONValue], _ s: JSONObject, path: String, depth: Int, into errors: inout [String]
    ) {
        if let low = s["minItems"]?.intValue, items.count < low { errors.append("\(path): \(items.count) < minItems") }
        if let high = s["maxItems"]?.intValue, items.count > high {
            errors.append("\(path): \(items.count) > maxItems")
        }
        if s["uniqueItems"] == .bool(true) {
            for i in items.indices where items[..<i].contains(items[i]) {
                errors.append("\(path): duplicate item \(i)")
            }
        }
        var prefix = s["prefixItems"]?.arrayValue ?? []
        var rest = s["items"]
        if case .array(let tuple)? = s["items"] {
            prefix = tuple
            rest = s["additionalItems"]
        }
        for (i, item) in items.enumerated() {
            if i < prefix.count {
                validate(item, prefix[i], path: "\(path)[\(i)]", depth: depth + 1, into: &errors)
            } else if let rest {
                validate(item, rest, path: "\(path)[\(i)]", depth: depth + 1, into: &errors)
            }
        }
    }

    private func checkObject(
        _ object: JSONObject, _ s: JSONObject, path: String, depth: Int, into errors: inout [String]
    ) {
        if Set(object.keys).count != object.count { errors.append("\(path): duplicate keys") }
        for case .string(let key) in s["required"]?.arrayValue ?? [] where object[key] == nil {
            errors.append("\(path): missing required \(key)")
        }
        if let low = s["minProperties"]?.intValue, object.count < low { errors.append("\(path): < minProperties") }
        if let high = s["maxProperties"]?.intValue, object.count > high { errors.append("\(path): > maxProperties") }
        let properties = s["properties"]?.objectValue ?? JSONObject()
        for (key, member) in object.entries {
            if let sub = properties[key] {
                validate(member, sub, path: "\(path).\(key)", depth: depth + 1, into: &errors)
            } else if let extra = s["additionalProperties"] {
                validate(member, extra, path: "\(path).\(key)", depth: depth + 1, into: &errors)
            }
        }
    }
}

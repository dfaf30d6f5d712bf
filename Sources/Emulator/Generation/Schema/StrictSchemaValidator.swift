/// Checks a schema sent with `strict: true` the way OpenAI's structured outputs do, with the same
/// kind of error message.
///
/// The rules and limits follow OpenAI's "Supported schemas" documentation:
/// - the root is an object schema (so not a bare `anyOf`);
/// - every object sets `additionalProperties: false` and lists every property in `required`;
/// - `allOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentRequired` and `dependentSchemas` are
///   rejected (OpenAI answers "'oneOf' is not permitted");
/// - local `$ref`s must resolve;
/// - at most 10 levels of object nesting, 5,000 object properties, 1,000 enum values, and
///   120,000 characters of property names, definition names, enum and const strings; a string
///   enum of more than 250 values may hold at most 15,000 characters.
///
/// Anything else (string `pattern`/`format`, numeric bounds, `minItems`/`maxItems`, `$defs`,
/// recursion through `$ref`, `anyOf` below the root, `type` lists with `"null"`) is accepted.
public enum StrictSchemaValidator {
    /// Why a strict schema is rejected.
    public struct Problem: Error, Equatable, CustomStringConvertible, Sendable {
        /// The whole message, as OpenAI words it: "Invalid schema for function 'f': In context=(…), …".
        public var message: String
        /// Where in the schema: keys and array indices from the root, e.g. `["properties", "address"]`.
        public var location: [String]

        public var description: String { message }
    }

    public static let maxNestingDepth = 10
    public static let maxProperties = 5_000
    public static let maxEnumValues = 1_000
    public static let maxTotalStringLength = 120_000
    public static let largeEnumThreshold = 250
    public static let largeEnumMaxStringLength = 15_000
    public static let unsupportedKeywords = [
        "allOf", "oneOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
    ]

    /// The first problem found in `schema`, or `nil` when OpenAI would accept it in strict mode.
    /// - Parameters:
    ///   - schema: the `json_schema.schema` of a response format or a function's `parameters`.
    ///   - context: what the schema belongs to, as the message names it: `response_format 'thing'`
    ///     or `function 'get_weather'`.
    public static func check(_ schema: JSONValue, context: String) -> Problem? {
        let prefix = "Invalid schema for \(context): "
        guard case .object(let root) = schema, root["type"] == .string("object") else {
            let got: String
            switch schema["type"] {
            case .string(let name)?: got = "\"\(name)\""
            case .array(let names)?: got = JSONValue.array(names).jsonString
            default: got = "\"None\""
            }
            return Problem(
                message: prefix + "schema must be a JSON Schema of 'type: \"object\"', got 'type: \(got)'.",
                location: [])
        }
        var walk = StrictSchemaWalk(root: schema)
        walk.visit(.object(root), path: [], objectDepth: 0)
        walk.checkTotals()
        guard let (message, path) = walk.problem else { return nil }
        let location = path.map(\.text)
        if message.hasPrefix("Expected") { return Problem(message: prefix + message, location: location) }
        return Problem(message: prefix + "In context=\(contextTuple(path)), " + message, location: location)
    }

    /// A path as Python prints a tuple: `()`, `('properties',)`, `('properties', 'a', 'anyOf', 0)`.
    static func contextTuple(_ path: [StrictSchemaWalk.Step]) -> String {
        let parts = path.map { step in
            switch step {
            case .key(let key): return "'\(key)'"
            case .index(let index): return "\(index)"
            }
        }
        if parts.count == 1 { return "(\(parts[0]),)" }
        return "(" + parts.joined(separator: ", ") + ")"
    }
}

/// The state of one `SchemaGenerator.generate(using:)` call: the random generator, the `$ref`
/// resolver, the node count and the compiled patterns.
///
/// Values are made top-down. Each schema is first flattened (`$ref` and `allOf` folded in), then
/// `const`, `oneOf`/`anyOf` and `enum` are tried in that order, and finally one of the allowed types
/// is picked and built by the type-specific extensions.
struct SchemaGeneration {
    let limits: SchemaGenerator.Limits
    var rng: SeededRandom
    let resolver: SchemaResolver
    var nodes = 0
    var patterns = PatternCache()

    /// Most composition branches followed in a row without making a value.
    private static let maxHops = 16

    init(root: JSONValue, limits: SchemaGenerator.Limits, rng: SeededRandom) {
        self.limits = limits
        self.rng = rng
        self.resolver = SchemaResolver(root: root)
    }

    /// Past this point only what the schema requires is made, preferring `null` and short branches.
    func isMinimal(depth: Int) -> Bool { depth >= max(2, limits.maxDepth / 4) || nodes >= limits.maxNodes / 2 }

    /// Past this point objects and arrays are left empty, valid or not.
    func isExhausted(depth: Int) -> Bool { depth >= limits.maxDepth || nodes >= limits.maxNodes }

    /// A value for `schema` at `depth` levels below the root; `hint` is the property name it goes under.
    mutating func value(for schema: JSONValue, depth: Int, hint: String?, hops: Int = 0) -> JSONValue {
        nodes += 1
        guard let flat = resolver.flatten(schema) else { return .null }
        return value(flat: flat, depth: depth, hint: hint, hops: hops)
    }

    private mutating func value(flat schema: JSONObject, depth: Int, hint: String?, hops: Int) -> JSONValue {
        if let constant = schema["const"] { return constant }
        if hops < Self.maxHops {
            for key in ["oneOf", "anyOf"] {
                if case .array(let branches)? = schema[key], !branches.isEmpty {
                    return fromBranches(branches, of: schema, key: key, depth: depth, hint: hint, hops: hops)
                }
            }
        }
        let types = Self.allowedTypes(schema)
        if case .array(let options)? = schema["enum"] { return pickEnum(options, types: types, schema: schema) }
        var result = JSONValue.null
        for _ in 0..<16 {
            result = typed(schema, types: types, depth: depth, hint: hint)
            guard let forbidden = schema["not"], quickMatch(result, forbidden) else { return result }
        }
        return result
    }

    private mutating func typed(_ schema: JSONObject, types: [String], depth: Int, hint: String?) -> JSONValue {
        switch chooseType(types, minimal: isMinimal(depth: depth)) {
        case "null": return .null
        case "boolean": return .bool(rng.unit() < 0.5)
        case "integer": return number(schema, integer: true, hint: hint)
        case "number": return number(schema, integer: false, hint: hint)
        case "array": return array(schema, depth: depth, hint: hint)
        case "object": return object(schema, depth: depth)
        default: return string(schema, hint: hint)
        }
    }

    /// The JSON types a schema allows, from `type` and `nullable`, else guessed from its keywords.
    /// Empty means anything goes.
    static func allowedTypes(_ schema: JSONObject) -> [String] {
        var types = schema["type"].map(SchemaMerge.typeNames) ?? []
        if types.isEmpty {
            func has(_ keys: [String]) -> Bool { keys.contains { schema[$0] != nil } }
            if has(["properties", "required", "additionalProperties", "minProperties", "maxProperties"]) {
                types.append("object")
            }
            if has(["items", "prefixItems", "minItems", "maxItems", "uniqueItems"]) { types.append("array") }
            if has(["minLength", "maxLength", "pattern", "format"]) { types.append("string") }
            if has(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]) {
                types.append("number")
            }
        }
        if schema["nullable"] == .bool(true), !types.isEmpty, !types.contains("null") { types.append("null") }
        return types
    }

    private mutating func chooseType(_ types: [String], minimal: Bool) -> String {
        if types.isEmpty { return "string" }
        if minimal {
            for preferred in ["null", "boolean", "integer", "number", "string", "array"] where types.contains(preferred)
            {
                return preferred
            }
            return types[0]
        }
        let concrete = types.filter { $0 != "null" }
        if concrete.isEmpty || (concrete.count < types.count && rng.unit() < 0.2) { return "null" }
        return concrete[Int.random(in: 0..<concrete.count, using: &rng)]
    }

    private mutating func pickEnum(_ options: [JSONValue], types: [String], schema: JSONObject) -> JSONValue {
        var fitting = options.filter { Self.value($0, hasOneOf: types) }
        if let forbidden = schema["not"] { fitting = fitting.filter { !quickMatch($0, forbidden) } }
        if fitting.isEmpty { return options.first ?? .null }
        return fitting[Int.random(in: 0..<fitting.count, using: &rng)]
    }

    /// Whether `value` has one of the JSON types named (any type when `types` is empty).
    static func value(_ value: JSONValue, hasOneOf types: [String]) -> Bool {
        if types.isEmpty { return true }
        switch value {
        case .null: return types.contains("null")
        case .bool: return types.contains("boolean")
        case .number(let d): return types.contains("number") || (types.contains("integer") && d.rounded() == d)
        case .string: return types.contains("string")
        case .array: return types.contains("array")
        case .object: return types.contains("object")
        }
    }

    /// Whether `value` matches `schema` as far as a shallow check can tell (see `SchemaQuickMatch`).
    func quickMatch(_ value: JSONValue, _ schema: JSONValue) -> Bool {
        SchemaQuickMatch.matches(value, schema, resolver: resolver)
    }
}

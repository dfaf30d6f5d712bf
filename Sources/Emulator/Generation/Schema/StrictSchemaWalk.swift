/// One pass over a strict schema for `StrictSchemaValidator`: stops at the first structural problem
/// and counts what the size limits are about.
struct StrictSchemaWalk {
    /// One step of a location inside the schema.
    enum Step: Equatable {
        case key(String)
        case index(Int)

        var text: String {
            switch self {
            case .key(let key): return key
            case .index(let index): return String(index)
            }
        }
    }

    let root: JSONValue
    private(set) var problem: (message: String, path: [Step])?
    private var properties = 0
    private var enumValues = 0
    private var stringLength = 0
    private var visited = 0

    init(root: JSONValue) { self.root = root }

    mutating func visit(_ schema: JSONValue, path: [Step], objectDepth: Int) {
        visited += 1
        guard problem == nil, visited < 200_000, path.count < 400, case .object(let s) = schema else { return }

        for keyword in StrictSchemaValidator.unsupportedKeywords where s[keyword] != nil {
            return fail("'\(keyword)' is not permitted.", path)
        }
        if case .string(let reference)? = s["$ref"], SchemaResolver.resolve(reference, in: root) == nil {
            return fail("reference to component '\(reference)' which was not found in the schema.", path)
        }

        var depth = objectDepth
        let types = SchemaMerge.typeNames(s["type"] ?? .null)
        if types.contains("object") || (s["type"] == nil && s["properties"] != nil) {
            depth += 1
            if depth > StrictSchemaValidator.maxNestingDepth {
                return fail(
                    "the schema is nested \(depth) levels deep, but at most \(StrictSchemaValidator.maxNestingDepth) "
                        + "levels of object nesting are allowed.", path)
            }
            checkObject(s, path: path)
            guard problem == nil else { return }
        }

        checkEnum(s, path: path)
        if case .string(let constant)? = s["const"] { stringLength += constant.unicodeScalars.count }

        if case .object(let members)? = s["properties"] {
            for (key, sub) in members.entries {
                visit(sub, path: path + [.key("properties"), .key(key)], objectDepth: depth)
            }
        }
        if let items = s["items"] { visit(items, path: path + [.key("items")], objectDepth: depth) }
        for key in ["prefixItems", "anyOf"] {
            for (i, sub) in (s[key]?.arrayValue ?? []).enumerated() {
                visit(sub, path: path + [.key(key), .index(i)], objectDepth: depth)
            }
        }
        for key in ["$defs", "definitions"] {
            for (name, sub) in s[key]?.objectValue?.entries ?? [] {
                stringLength += name.unicodeScalars.count
                visit(sub, path: path + [.key(key), .key(name)], objectDepth: 0)
            }
        }
    }

    private mutating func checkObject(_ s: JSONObject, path: [Step]) {
        guard s["additionalProperties"] == .bool(false) else {
            return fail("'additionalProperties' is required to be supplied and to be false.", path)
        }
        let members = s["properties"]?.objectValue ?? JSONObject()
        properties += members.count
        for key in members.keys { stringLength += key.unicodeScalars.count }
        let requirement = "'required' is required to be supplied and to be an array including every key in properties."
        guard case .array(let list)? = s["required"] ?? (members.isEmpty ? .array([]) : nil) else {
            let missing = members.keys.first.map { " Missing '\($0)'." } ?? ""
            return fail(requirement + missing, path)
        }
        let required = list.compactMap(\.stringValue)
        let requiredSet = Set(required)
        let listed = Set(members.keys)
        if let missing = members.keys.first(where: { !requiredSet.contains($0) }) {
            return fail(requirement + " Missing '\(missing)'.", path)
        }
        if let extra = required.first(where: { !listed.contains($0) }) {
            return fail(requirement + " Extra required key '\(extra)' supplied.", path)
        }
    }

    private mutating func checkEnum(_ s: JSONObject, path: [Step]) {
        guard case .array(let options)? = s["enum"] else { return }
        enumValues += options.count
        var length = 0
        for case .string(let option) in options { length += option.unicodeScalars.count }
        stringLength += length
        if options.count > StrictSchemaValidator.largeEnumThreshold,
            length > StrictSchemaValidator.largeEnumMaxStringLength
        {
            fail(
                "Expected at most \(StrictSchemaValidator.largeEnumMaxStringLength) total characters in the values of "
                    + "an enum with more than \(StrictSchemaValidator.largeEnumThreshold) values, but received "
                    + "\(length). Consider reducing the enum, or use 'strict: false' to opt out of structured outputs.",
                path)
        }
    }

    /// Records a problem with a limit on the whole schema, if no structural problem came first.
    mutating func checkTotals() {
        let optOut = "or use 'strict: false' to opt out of structured outputs."
        if properties > StrictSchemaValidator.maxProperties {
            fail(
                "Expected at most \(StrictSchemaValidator.maxProperties) object properties in total within a single "
                    + "schema when using structured outputs, but received \(properties). Consider reducing the "
                    + "number of properties, " + optOut, [])
        } else if enumValues > StrictSchemaValidator.maxEnumValues {
            fail(
                "Expected at most \(StrictSchemaValidator.maxEnumValues) enum values in total within a single schema "
                    + "when using structured outputs, but received \(enumValues). Consider reducing the number of "
                    + "enums, " + optOut, [])
        } else if stringLength > StrictSchemaValidator.maxTotalStringLength {
            fail(
                "Expected the total string length of property names, definition names, enum values and const "
                    + "values to be at most \(StrictSchemaValidator.maxTotalStringLength) characters, but received "
                    + "\(stringLength). Consider shortening them, " + optOut, [])
        }
    }

    private mutating func fail(_ message: String, _ path: [Step]) {
        if problem == nil { problem = (message, path) }
    }
}

/// A shallow, forgiving check of a value against a schema, used to keep `oneOf` answers inside one
/// branch and to retry values that match `not`.
///
/// It looks at `const`, `enum`, types, `required`, closed objects, numeric and length bounds, and
/// `anyOf`/`oneOf`, three levels deep; anything it doesn't look at counts as matching. So "doesn't
/// match" is reliable, "matches" only likely: enough to tell the branches of a tagged union apart.
enum SchemaQuickMatch {
    static func matches(_ value: JSONValue, _ schema: JSONValue, resolver: SchemaResolver, depth: Int = 0) -> Bool {
        guard depth < 3 else { return true }
        guard let s = resolver.flatten(schema) else { return false }
        if let constant = s["const"], constant != value { return false }
        if case .array(let options)? = s["enum"], !options.contains(value) { return false }
        let types = SchemaGeneration.allowedTypes(s)
        if !SchemaGeneration.value(value, hasOneOf: types) { return false }
        switch value {
        case .object(let object):
            for case .string(let key) in s["required"]?.arrayValue ?? [] where object[key] == nil { return false }
            let properties = s["properties"]?.objectValue ?? JSONObject()
            for (key, member) in object.entries {
                if let sub = properties[key] {
                    if !matches(member, sub, resolver: resolver, depth: depth + 1) { return false }
                } else if s["additionalProperties"] == .bool(false) {
                    return false
                }
            }
        case .number(let d):
            if !SchemaGeneration.NumericBounds(s, integer: false).admits(d) { return false }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let low = s["minLength"]?.intValue, length < low { return false }
            if let high = s["maxLength"]?.intValue, length > high { return false }
        case .array(let items):
            if let low = s["minItems"]?.intValue, items.count < low { return false }
            if let high = s["maxItems"]?.intValue, items.count > high { return false }
        default:
            break
        }
        for key in ["anyOf", "oneOf"] {
            if case .array(let branches)? = s[key], !branches.isEmpty,
                !branches.contains(where: { matches(value, $0, resolver: resolver, depth: depth + 1) })
            {
                return false
            }
        }
        return true
    }
}

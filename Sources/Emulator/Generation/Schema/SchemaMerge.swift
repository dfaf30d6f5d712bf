/// Combines two schema objects into one that a value must satisfy both of (the meaning of `allOf`).
///
/// Exact for the keywords generation looks at: types intersect, bounds tighten, `required` unions,
/// `enum`s intersect, shared properties and `items` become `allOf` pairs, and a closed object
/// (`additionalProperties: false`) keeps only the keys it allows. When both sides carry `anyOf` (or
/// both `oneOf`) the branches are paired up, up to 64 pairs. A second, different `pattern` goes into
/// `allOf` only as a check, so a value may miss it.
enum SchemaMerge {
    static func merge(_ a: JSONObject, _ b: JSONObject) -> JSONObject {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var out = a
        for (key, value) in b.entries {
            guard let existing = out[key] else {
                out[key] = value
                continue
            }
            switch key {
            case "type": out[key] = mergedType(existing, value)
            case "required": out[key] = .array(unique((existing.arrayValue ?? []) + (value.arrayValue ?? [])))
            case "enum":
                let other = value.arrayValue ?? []
                let both = (existing.arrayValue ?? []).filter { other.contains($0) }
                out[key] = .array(both.isEmpty ? (existing.arrayValue ?? []) : both)
            case "minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties":
                out[key] = pick(existing, value, larger: true)
            case "maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties":
                out[key] = pick(existing, value, larger: false)
            case "nullable": out[key] = .bool(existing.boolValue == true && value.boolValue == true)
            case "uniqueItems": out[key] = .bool(existing.boolValue == true || value.boolValue == true)
            case "items", "not", "additionalItems", "pattern":
                if existing != value { out[key] = key == "pattern" ? existing : both(existing, value) }
                if key == "pattern", existing != value { out = appendCheck(out, ["pattern": value]) }
            case "prefixItems": out[key] = mergedPrefix(existing, value)
            case "anyOf", "oneOf": out[key] = paired(existing, value)
            case "properties", "additionalProperties": break
            default: break
            }
        }
        return mergedObjectShape(into: out, a, b)
    }

    /// `{"allOf": [x, y]}`, flattened later when the value for it is made.
    static func both(_ x: JSONValue, _ y: JSONValue) -> JSONValue {
        if x == .bool(true) || x == .object(JSONObject()) { return y }
        if y == .bool(true) || y == .object(JSONObject()) { return x }
        return ["allOf": [x, y]]
    }

    private static func appendCheck(_ schema: JSONObject, _ check: JSONValue) -> JSONObject {
        var out = schema
        out["allOf"] = .array((schema["allOf"]?.arrayValue ?? []) + [check])
        return out
    }

    private static func mergedObjectShape(into merged: JSONObject, _ a: JSONObject, _ b: JSONObject) -> JSONObject {
        let aProps = a["properties"]?.objectValue
        let bProps = b["properties"]?.objectValue
        let aExtra = a["additionalProperties"]
        let bExtra = b["additionalProperties"]
        guard aProps != nil || bProps != nil || aExtra != nil || bExtra != nil else { return merged }
        var out = merged
        var props = JSONObject()
        let keys = unique((aProps?.keys ?? []).map(JSONValue.string) + (bProps?.keys ?? []).map(JSONValue.string))
        for case .string(let key) in keys {
            // A key one side doesn't list must satisfy that side's additionalProperties.
            let left = aProps?[key] ?? aExtra ?? .bool(true)
            let right = bProps?[key] ?? bExtra ?? .bool(true)
            if left == .bool(false) || right == .bool(false) { continue }
            props[key] = both(left, right)
        }
        if !props.isEmpty || aProps != nil || bProps != nil { out["properties"] = .object(props) }
        switch (aExtra, bExtra) {
        case (nil, nil): out["additionalProperties"] = nil
        case (let x?, nil), (nil, let x?): out["additionalProperties"] = x
        case (let x?, let y?):
            out["additionalProperties"] = x == .bool(false) || y == .bool(false) ? .bool(false) : both(x, y)
        }
        return out
    }

    private static func mergedType(_ x: JSONValue, _ y: JSONValue) -> JSONValue {
        let left = typeNames(x)
        let right = typeNames(y)
        var result: [String] = []
        for name in left {
            if right.contains(name) {
                result.append(name)
            } else if name == "number" && right.contains("integer") {
                result.append("integer")
            } else if name == "integer" && right.contains("number") {
                result.append("integer")
            }
        }
        if result.isEmpty { return x }
        return result.count == 1 ? .string(result[0]) : .array(result.map(JSONValue.string))
    }

    static func typeNames(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let name): return [name]
        case .array(let names): return names.compactMap(\.stringValue)
        default: return []
        }
    }

    private static func pick(_ x: JSONValue, _ y: JSONValue, larger: Bool) -> JSONValue {
        // Draft-4 boolean exclusive bounds can't be compared with numbers; keep the number.
        guard let u = x.doubleValue else { return y }
        guard let v = y.doubleValue else { return x }
        return larger ? (u >= v ? x : y) : (u <= v ? x : y)
    }

    private static func mergedPrefix(_ x: JSONValue, _ y: JSONValue) -> JSONValue {
        let left = x.arrayValue ?? []
        let right = y.arrayValue ?? []
        var out: [JSONValue] = []
        for i in 0..<max(left.count, right.count) {
            let l: JSONValue? = i < left.count ? left[i] : nil
            let r: JSONValue? = i < right.count ? right[i] : nil
            switch (l, r) {
            case (let l?, let r?): out.append(both(l, r))
            case (let l?, nil): out.append(l)
            case (nil, let r?): out.append(r)
            case (nil, nil): break
            }
        }
        return .array(out)
    }

    private static func paired(_ x: JSONValue, _ y: JSONValue) -> JSONValue {
        let left = x.arrayValue ?? []
        let right = y.arrayValue ?? []
        guard !left.isEmpty, !right.isEmpty, left.count * right.count <= 64 else { return x }
        var out: [JSONValue] = []
        for l in left { for r in right { out.append(both(l, r)) } }
        return .array(out)
    }

    private static func unique(_ values: [JSONValue]) -> [JSONValue] {
        var out: [JSONValue] = []
        for value in values where !out.contains(value) { out.append(value) }
        return out
    }
}

extension SchemaGeneration {
    /// An object with every required member, about half the optional listed ones, and extra members
    /// (from `additionalProperties`) only when `minProperties` asks for more than are listed.
    mutating func object(_ schema: JSONObject, depth: Int) -> JSONValue {
        if isExhausted(depth: depth) { return .object(JSONObject()) }
        let properties = schema["properties"]?.objectValue ?? JSONObject()
        let required = Self.uniqueStrings(schema["required"])
        let extra = schema["additionalProperties"] ?? .bool(true)
        let minimal = isMinimal(depth: depth)
        let minCount = max(0, schema["minProperties"]?.intValue ?? 0)
        let maxCount = max(0, schema["maxProperties"]?.intValue ?? Int.max)

        let requiredSet = Set(required)
        var lookup: [String: JSONValue] = [:]  // lookup only; order comes from the schema
        for (key, sub) in properties.entries { lookup[key] = sub }
        var chosen: [String] = []
        var seen = Set<String>()
        var optional: [String] = []
        for (key, sub) in properties.entries where sub != .bool(false) && seen.insert(key).inserted {
            if requiredSet.contains(key) {
                chosen.append(key)
            } else {
                optional.append(key)
                if !minimal && rng.unit() < 0.5 { chosen.append(key) }
            }
        }
        var picked = Set(chosen)
        for key in required where lookup[key] == nil && picked.insert(key).inserted { chosen.append(key) }
        for key in optional where chosen.count < minCount && picked.insert(key).inserted { chosen.append(key) }
        var extraIndex = 0
        while chosen.count < minCount && extra != .bool(false) && extraIndex < 1_000 {
            extraIndex += 1
            let key = "extra_\(extraIndex)"
            if lookup[key] == nil && picked.insert(key).inserted { chosen.append(key) }
        }
        while chosen.count > maxCount, let drop = chosen.lastIndex(where: { !requiredSet.contains($0) }) {
            chosen.remove(at: drop)
        }

        var out = JSONObject()
        for key in chosen {
            let sub = lookup[key] ?? extra
            out.entries.append((key, value(for: sub, depth: depth + 1, hint: key)))
        }
        return .object(out)
    }

    /// An array of 1–3 items unless `minItems`/`maxItems` say otherwise, distinct if `uniqueItems`.
    mutating func array(_ schema: JSONObject, depth: Int, hint: String?) -> JSONValue {
        if isExhausted(depth: depth) { return .array([]) }
        let prefix: [JSONValue]
        let rest: JSONValue
        if case .array(let tuple)? = schema["items"] {
            prefix = tuple
            rest = schema["additionalItems"] ?? .bool(true)
        } else {
            prefix = schema["prefixItems"]?.arrayValue ?? []
            rest = schema["items"] ?? .bool(true)
        }
        let low = max(0, schema["minItems"]?.intValue ?? 0)
        var high = max(0, schema["maxItems"]?.intValue ?? Int.max)
        if rest == .bool(false) { high = min(high, prefix.count) }
        if let stop = prefix.firstIndex(of: .bool(false)) { high = min(high, stop) }

        var count: Int
        if isMinimal(depth: depth) {
            count = min(low, high)
        } else {
            let from = max(low, min(1, high))
            let upTo = max(from, min(high, max(low, 3)))
            count = Int.random(in: from...upTo, using: &rng)
        }
        count = min(count, limits.maxArrayItems)

        let unique = schema["uniqueItems"] == .bool(true)
        let itemHint = hint.map(Self.singular)
        var items: [JSONValue] = []
        for index in 0..<count {
            let sub = index < prefix.count ? prefix[index] : rest
            var item = value(for: sub, depth: depth + 1, hint: itemHint)
            var tries = 0
            while unique && items.contains(item) && tries < 16 {
                item = value(for: sub, depth: depth + 1, hint: itemHint)
                tries += 1
            }
            if unique && items.contains(item) && items.count >= low { break }
            items.append(item)
        }
        return .array(items)
    }

    static func uniqueStrings(_ value: JSONValue?) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        for case .string(let s) in value?.arrayValue ?? [] where seen.insert(s).inserted { out.append(s) }
        return out
    }

    /// "cities" → "city", "tags" → "tag": the hint for the items of an array property.
    static func singular(_ word: String) -> String {
        if word.hasSuffix("ies") && word.count > 4 { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("sses") || word.hasSuffix("ches") || word.hasSuffix("shes") || word.hasSuffix("xes") {
            return String(word.dropLast(2))
        }
        if word.hasSuffix("s") && !word.hasSuffix("ss") && !word.hasSuffix("us") && word.count > 3 {
            return String(word.dropLast())
        }
        return word
    }
}

extension SchemaGeneration {
    /// A value for one branch of `anyOf` or `oneOf`, merged with the keywords beside it.
    ///
    /// Deep in the value (or once the node budget is half spent) the cheapest branch is taken: one
    /// allowing `null`, then a scalar, then one without `$ref`s, which is what ends recursive schemas.
    /// For `oneOf`, a value that also matches another branch (by `SchemaQuickMatch`) is made again:
    /// four tries per branch, sixteen in all.
    mutating func fromBranches(
        _ branches: [JSONValue], of schema: JSONObject, key: String, depth: Int, hint: String?, hops: Int
    ) -> JSONValue {
        var rest = schema
        rest[key] = nil
        let order = branchOrder(branches, minimal: isMinimal(depth: depth))
        var result = JSONValue.null
        for attempt in 0..<(key == "oneOf" ? 16 : 1) {
            let index = order[(attempt / 4) % order.count]
            guard let flat = resolver.flatten(branches[index]) else { continue }
            let merged = SchemaMerge.merge(rest, flat)
            result = value(for: .object(merged), depth: depth, hint: hint, hops: hops + 1)
            nodes -= 1  // the branch's value stands for this one
            guard key == "oneOf" else { return result }
            let others = branches.indices.filter { $0 != index }
            if !others.contains(where: { quickMatch(result, branches[$0]) }) { return result }
        }
        return result
    }

    /// Branch indices in the order to try them: a random start when there's room, cheapest first otherwise.
    private mutating func branchOrder(_ branches: [JSONValue], minimal: Bool) -> [Int] {
        let satisfiable = branches.indices.filter { branches[$0] != .bool(false) }
        guard !satisfiable.isEmpty else { return Array(branches.indices) }
        if minimal {
            var costs: [(index: Int, cost: Int)] = []
            for index in satisfiable { costs.append((index, cost(of: branches[index]))) }
            return costs.sorted { $0.cost != $1.cost ? $0.cost < $1.cost : $0.index < $1.index }.map(\.index)
        }
        let start = Int.random(in: 0..<satisfiable.count, using: &rng)
        return Array(satisfiable[start...] + satisfiable[..<start])
    }

    /// A rough price for a branch: low for `null` and scalars, high for objects and `$ref`s.
    private mutating func cost(of branch: JSONValue) -> Int {
        guard let flat = resolver.flatten(branch) else { return 100 }
        if flat["const"] != nil || flat["enum"] != nil { return 1 }
        let types = Self.allowedTypes(flat)
        if types.contains("null") { return 0 }
        var cost = 2
        if types.isEmpty && flat["anyOf"] == nil && flat["oneOf"] == nil {
            cost = 1
        } else if types.allSatisfy({ ["boolean", "integer", "number", "string"].contains($0) }) {
            cost = 1
        } else if !(flat["required"]?.arrayValue?.isEmpty ?? true) || (flat["minItems"]?.intValue ?? 0) > 0 {
            cost = 4
        }
        var budget = 400
        if Self.containsReference(.object(flat), budget: &budget) { cost += 8 }
        return cost
    }

    private static func containsReference(_ value: JSONValue, budget: inout Int) -> Bool {
        budget -= 1
        guard budget > 0 else { return true }
        switch value {
        case .object(let object):
            if object["$ref"] != nil { return true }
            return object.entries.contains { containsReference($0.value, budget: &budget) }
        case .array(let items):
            return items.contains { containsReference($0, budget: &budget) }
        default:
            return false
        }
    }
}

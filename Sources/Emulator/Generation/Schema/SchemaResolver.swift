/// Follows local `$ref`s and turns `$ref` plus `allOf` into one flat schema object.
///
/// Only references into the same document are understood: `#`, and JSON pointers such as
/// `#/$defs/Item`, `#/definitions/Item` or `#/properties/a/items` (with `~0`, `~1` and `%XX` escapes).
struct SchemaResolver {
    let root: JSONValue
    /// Most `$ref`/`allOf` expansions one flattening may make; guards against cycles and blow-ups.
    let expansionBudget: Int

    init(root: JSONValue, expansionBudget: Int = 256) {
        self.root = root
        self.expansionBudget = expansionBudget
    }

    /// The schema a local reference points to, or `nil` when it points nowhere.
    static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        let pointer = reference.dropFirst()
        if pointer.isEmpty { return root }
        guard pointer.hasPrefix("/") else { return nil }
        var node = root
        for rawToken in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = percentDecoded(String(rawToken))
                .replacing("~1", with: "/")
                .replacing("~0", with: "~")
            switch node {
            case .object(let object):
                guard let next = object[token] else { return nil }
                node = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                node = items[index]
            default:
                return nil
            }
        }
        return node
    }

    private static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
                let byte = UInt8(String(decoding: utf8[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(byte)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The schema with its `$ref` and `allOf` folded in, or `nil` for a schema nothing satisfies.
    ///
    /// A boolean `true` (and anything that is not a schema) becomes `{}`. Expansions past the budget
    /// are dropped, so a cycle such as `{"$ref": "#"}` ends as `{}`.
    func flatten(_ schema: JSONValue) -> JSONObject? {
        var budget = expansionBudget
        return flatten(schema, hops: 0, budget: &budget)
    }

    private func flatten(_ schema: JSONValue, hops: Int, budget: inout Int) -> JSONObject? {
        switch schema {
        case .bool(false): return nil
        case .object(let object):
            guard object["$ref"] != nil || object["allOf"] != nil else { return object }
            var base = object
            base["$ref"] = nil
            base["allOf"] = nil
            if case .string(let reference)? = object["$ref"], let target = Self.resolve(reference, in: root),
                spend(hops: hops, budget: &budget)
            {
                guard let flat = flatten(target, hops: hops + 1, budget: &budget) else { return nil }
                base = SchemaMerge.merge(flat, base)
            }
            if case .array(let branches)? = object["allOf"] {
                for branch in branches where spend(hops: hops, budget: &budget) {
                    guard let flat = flatten(branch, hops: hops + 1, budget: &budget) else { return nil }
                    base = SchemaMerge.merge(base, flat)
                }
            }
            return base
        default:
            return JSONObject()
        }
    }

    private func spend(hops: Int, budget: inout Int) -> Bool {
        guard hops < 64, budget > 0 else { return false }
        budget -= 1
        return true
    }
}

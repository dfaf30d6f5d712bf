/// Makes up a JSON value that validates against a JSON Schema: what a fake model answers for structured
/// outputs and function-call arguments.
///
/// The supported subset is the one OpenAI function tools and structured outputs use (draft 2020-12):
/// - `type` (one name or a list, including `"null"`), `nullable`, boolean schemas, `enum`, `const`;
/// - objects: `properties`, `required`, `additionalProperties`, `minProperties`, `maxProperties`.
///   Required properties are always written, optional ones about half the time, and only listed
///   properties are written unless more are needed to reach `minProperties`;
/// - arrays: `items`, `prefixItems` (and the older array form of `items`), `minItems`, `maxItems`
///   (1–3 items by default), `uniqueItems`;
/// - numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numbers, or the draft-4
///   booleans), `multipleOf`;
/// - strings: `minLength`, `maxLength`, `pattern` (see `PatternSampler` for the regex subset), and the
///   formats date, date-time, time, duration, email, uuid, uri/url/uri-reference, hostname, ipv4, ipv6;
/// - `anyOf` and `oneOf` (one branch is picked; for `oneOf` a value that also matches another branch
///   is retried), `allOf` (branches are merged), `not` (a value that matches it is retried),
///   `$ref` to `#`, `#/$defs/…`, `#/definitions/…` or any other JSON pointer into the root.
///
/// Ignored: `if`/`then`/`else`, `dependentRequired`, `dependentSchemas`, `patternProperties`,
/// `propertyNames`, `contains`, `unevaluated*`, remote `$ref`s, `$anchor`/`$dynamicRef`.
/// `description`, `title`, `examples` and `default` don't constrain the value.
///
/// Strings look plausible: the property name is a hint (`city` gives a city, `email` an address,
/// `description` a sentence…). Generation is deterministic for a given generator state and always
/// finishes: `Limits` bounds depth, node count, string and array length, and `$ref` cycles are cut
/// by preferring `null`, a branch without references, or an object with only its required members.
/// A schema that can't be satisfied (`false`, `minimum` above `maximum`, …) still yields valid JSON.
public struct SchemaGenerator: Sendable {
    /// Bounds on the size of a generated value and on the work spent making it.
    public struct Limits: Sendable, Equatable {
        /// Deepest nesting of arrays and objects; past a quarter of it only required members are made.
        public var maxDepth: Int
        /// Values made in one call; past half of it only required members are made.
        public var maxNodes: Int
        /// Longest string made, even when `minLength` asks for more.
        public var maxStringLength: Int
        /// Most items in one array, even when `minItems` asks for more.
        public var maxArrayItems: Int

        public init(maxDepth: Int = 32, maxNodes: Int = 10_000, maxStringLength: Int = 2_000, maxArrayItems: Int = 200)
        {
            self.maxDepth = max(1, maxDepth)
            self.maxNodes = max(1, maxNodes)
            self.maxStringLength = max(1, maxStringLength)
            self.maxArrayItems = max(0, maxArrayItems)
        }

        public static let `default` = Limits()
    }

    public let schema: JSONValue
    public let limits: Limits

    public init(schema: JSONValue, limits: Limits = .default) {
        self.schema = schema
        self.limits = limits
    }

    /// Makes one value; the same generator state always gives the same value.
    /// - Parameter rng: advanced by the draws made.
    /// - Returns: a value valid against the schema whenever the schema can be satisfied within `limits`.
    public func generate(using rng: inout SeededRandom) -> JSONValue {
        var run = SchemaGeneration(root: schema, limits: limits, rng: rng)
        let value = run.value(for: schema, depth: 0, hint: nil)
        rng = run.rng
        return value
    }
}

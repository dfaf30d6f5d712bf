import Testing

@testable import Emulator

/// Very wide schemas finish: a client can send a schema of several megabytes, and a quadratic step
/// would turn it into a request that holds a worker for minutes (100,000 required members once took
/// 41 s when `required` was deduplicated by linear search). The suite's time limit is the bound;
/// speed itself is measured by benchmarks, not here.
@Suite(.timeLimit(.minutes(1))) struct SchemaScalingTests {
    static func wideObject(properties: Int, required: Bool) -> JSONValue {
        var props = JSONObject()
        for i in 0..<properties { props.entries.append(("p\(i)", .object(JSONObject([("type", .string("string"))])))) }
        var schema = JSONObject([("type", .string("object")), ("properties", .object(props))])
        if required { schema.entries.append(("required", .array((0..<properties).map { .string("p\($0)") }))) }
        return .object(schema)
    }

    @Test func manyRequiredPropertiesAreAllGenerated() {
        var rng = SeededRandom(seed: 1)
        let value = SchemaGenerator(schema: Self.wideObject(properties: 8_000, required: true)).generate(using: &rng)
        let keys = value.objectValue?.keys ?? []
        #expect(keys.count == 8_000)
        #expect(Set(keys).count == 8_000)
    }

    @Test func manyOptionalPropertiesGiveAValidSubset() {
        var rng = SeededRandom(seed: 2)
        let value = SchemaGenerator(schema: Self.wideObject(properties: 8_000, required: false)).generate(using: &rng)
        let keys = value.objectValue?.keys ?? []
        #expect(keys.count <= 8_000)
        #expect(keys.allSatisfy { $0.hasPrefix("p") })
        #expect(value.objectValue?.entries.allSatisfy { $0.value.stringValue != nil } == true)
    }
}

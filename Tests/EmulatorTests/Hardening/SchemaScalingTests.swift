import Testing

@testable import Emulator

/// Generation time must grow about linearly with the size of a schema: a client can send a schema of
/// several megabytes, and a quadratic step turns that into a request that holds a worker for minutes.
@Suite struct SchemaScalingTests {
    static func wideObject(properties: Int, required: Bool) -> JSONValue {
        var props = JSONObject()
        for i in 0..<properties { props.entries.append(("p\(i)", .object(JSONObject([("type", .string("string"))])))) }
        var schema = JSONObject([("type", .string("object")), ("properties", .object(props))])
        if required { schema.entries.append(("required", .array((0..<properties).map { .string("p\($0)") }))) }
        return .object(schema)
    }

    static func seconds(_ body: () -> Void) -> Double {
        let start = MonotonicClock.now()
        body()
        return Double(MonotonicClock.now() - start) / 1e9
    }

    /// 30,000 required members: the `required` list must not be deduplicated by linear search.
    @Test func manyRequiredPropertiesAreGeneratedInLinearTime() {
        let small = Self.wideObject(properties: 3_000, required: true)
        let large = Self.wideObject(properties: 30_000, required: true)
        var rng = SeededRandom(seed: 1)
        let smallTime = Self.seconds { _ = SchemaGenerator(schema: small).generate(using: &rng) }
        let largeTime = Self.seconds { _ = SchemaGenerator(schema: large).generate(using: &rng) }
        // Ten times the members: allow thirty times the time (linear with noise), not a hundred.
        #expect(largeTime < max(0.5, smallTime * 30),
                "3,000 required members: \(smallTime) s; 30,000: \(largeTime) s")
    }

    @Test func manyOptionalPropertiesAreGeneratedInLinearTime() {
        let large = Self.wideObject(properties: 30_000, required: false)
        var rng = SeededRandom(seed: 1)
        #expect(Self.seconds { _ = SchemaGenerator(schema: large).generate(using: &rng) } < 2)
    }
}

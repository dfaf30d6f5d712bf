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

    /// Generation time for 800 and for 8,000 members: ten times the members may take about ten times the
    /// time (thirty allowed, for noise), not a hundred. In a release build 100,000 required members took
    /// 41 s when the `required` list was deduplicated by linear search.
    static func ratio(required: Bool) -> (small: Double, large: Double) {
        let small = Self.wideObject(properties: 800, required: required)
        let large = Self.wideObject(properties: 8_000, required: required)
        var rng = SeededRandom(seed: 1)
        _ = SchemaGenerator(schema: small).generate(using: &rng)  // warm up
        let smallTime = Self.seconds { _ = SchemaGenerator(schema: small).generate(using: &rng) }
        let largeTime = Self.seconds { _ = SchemaGenerator(schema: large).generate(using: &rng) }
        return (smallTime, largeTime)
    }

    @Test func manyRequiredPropertiesAreGeneratedInLinearTime() {
        let t = Self.ratio(required: true)
        #expect(t.large < max(0.05, t.small * 30), "800 required members: \(t.small) s; 8,000: \(t.large) s")
    }

    @Test func manyOptionalPropertiesAreGeneratedInLinearTime() {
        let t = Self.ratio(required: false)
        #expect(t.large < max(0.05, t.small * 30), "800 optional members: \(t.small) s; 8,000: \(t.large) s")
    }
}

// libFuzzer target: the JSON-schema-driven generator and the strict-mode schema checks.
//
// The input is parsed as JSON (inputs that are not JSON are skipped) and used as a schema. The
// generator must return within its limits, its output must be valid JSON that parses back, the
// same seed must give the same value, and the strict checker must answer without crashing.
@testable import Emulator

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let schema = try? JSONParser.parse(bytes) else { return 0 }

    _ = StrictSchemaValidator.check(schema, context: "fuzz")

    let generator = SchemaGenerator(schema: schema)
    let seed = UInt64(size) &* 0x9E37_79B9_7F4A_7C15
    var first = SeededRandom(seed: seed)
    let value = generator.generate(using: &first)
    let text = value.jsonBytes
    do {
        _ = try JSONParser.parse(text, maxDepth: 100_000)
    } catch {
        preconditionFailure("generated value is not JSON: \(String(decoding: text.prefix(300), as: UTF8.self))")
    }
    var second = SeededRandom(seed: seed)
    precondition(generator.generate(using: &second).jsonBytes == text, "the same seed gave another value")
    return 0
}

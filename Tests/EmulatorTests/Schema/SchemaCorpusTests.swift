import Foundation
import Testing

@testable import Emulator

struct SchemaCorpusTests {
    static let seeds: [UInt64] = Array(0..<20)

    @Test func corpusIsThere() {
        #expect(SchemaCorpus.names.count >= 50, "found \(SchemaCorpus.names.count) in \(SchemaCorpus.directory.path)")
    }

    @Test(arguments: SchemaCorpus.names)
    func generatedValuesValidate(name: String) throws {
        let schema = try SchemaCorpus.schema(named: name)
        let generator = SchemaGenerator(schema: schema)
        let validator = SchemaValidator(schema: schema)
        for seed in Self.seeds {
            var rng = SeededRandom(seed: seed)
            let value = generator.generate(using: &rng)
            let bytes = value.jsonBytes

            var again = SeededRandom(seed: seed)
            #expect(generator.generate(using: &again).jsonBytes == bytes, "\(name) seed \(seed) is not deterministic")
            #expect(rng.next() == again.next(), "\(name) seed \(seed) left the generator in different states")

            #expect((try? JSONParser.parse(bytes)) == value, "\(name) seed \(seed) doesn't round-trip")
            #expect(bytes.count < 3_000_000, "\(name) seed \(seed) made \(bytes.count) bytes")
            #expect(Self.nodeCount(value) <= 12_000, "\(name) seed \(seed) made \(Self.nodeCount(value)) nodes")

            if let folder = ProcessInfo.processInfo.environment["SCHEMA_CORPUS_DUMP"] {
                // For cross-checking with another validator (see tests/e2e/test_schema_corpus.py).
                let file = URL(fileURLWithPath: folder).appendingPathComponent("\(name).\(seed).json")
                try Data(bytes).write(to: file)
            }
            if SchemaCorpus.expectsValidValues(name) {
                let errors = validator.errors(value)
                #expect(
                    errors.isEmpty,
                    "\(name) seed \(seed): \(errors.prefix(5)) in \(String(value.jsonString.prefix(600)))")
            }
        }
    }

    @Test func differentSeedsGiveDifferentValues() throws {
        let generator = SchemaGenerator(schema: try SchemaCorpus.schema(named: "tool-hotel-booking"))
        var outputs = Set<String>()
        for seed in Self.seeds {
            var rng = SeededRandom(seed: seed)
            outputs.insert(generator.generate(using: &rng).jsonString)
        }
        #expect(outputs.count > 15)
    }

    static func nodeCount(_ value: JSONValue) -> Int {
        switch value {
        case .array(let items): return 1 + items.reduce(0) { $0 + nodeCount($1) }
        case .object(let object): return 1 + object.entries.reduce(0) { $0 + nodeCount($1.value) }
        default: return 1
        }
    }
}

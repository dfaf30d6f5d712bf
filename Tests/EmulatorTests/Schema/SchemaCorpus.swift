import Foundation

@testable import Emulator

/// The JSON Schema files in `Fixtures/schemas/`.
///
/// Names say what to expect: `contradictory-*` schemas can't be satisfied and `pathological-*`
/// ones (reference cycles, nesting past the depth limit, sizes past the limits, patterns the
/// sampler can't read) may not be; for both, only termination, size and determinism are checked.
enum SchemaCorpus {
    /// The fixture folder: from the test bundle when resources are there, else next to this file.
    static let directory: URL = {
        if let bundled = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
            .appendingPathComponent("schemas"), FileManager.default.fileExists(atPath: bundled.path)
        {
            return bundled
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/schemas")
    }()

    /// File names without `.json`, sorted.
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    static func schema(named name: String) throws -> JSONValue {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        return try JSONParser.parse([UInt8](data), maxDepth: 1_000)
    }

    /// Whether values for this schema are expected to validate.
    static func expectsValidValues(_ name: String) -> Bool {
        !name.hasPrefix("contradictory-") && !name.hasPrefix("pathological-")
    }
}

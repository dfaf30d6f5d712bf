import Foundation
import Testing

@testable import Emulator

struct BPETokenizerTests {
    @Test func matchesTiktokenExactly() throws {
        let tokenizer = try TokenizerFixtures.cl100k()
        #expect(tokenizer.name == "cl100k_base")
        var mismatches = 0
        for testCase in try TokenizerFixtures.corpus().cases {
            let ids = tokenizer.encode(testCase.text)
            if ids != testCase.cl100k {
                mismatches += 1
                Issue.record("token ids differ for \(testCase.text.debugDescription.prefix(80))")
            }
            #expect(tokenizer.count(testCase.text) == testCase.cl100k.count)
        }
        #expect(mismatches == 0)
    }

    @Test func piecesCoverTextAndCount() throws {
        let tokenizer = try TokenizerFixtures.cl100k()
        for testCase in try TokenizerFixtures.corpus().cases {
            let pieces = tokenizer.pieces(testCase.text)
            #expect(pieces.map { String($0.text) }.joined() == testCase.text)
            #expect(pieces.reduce(0) { $0 + $1.tokens } == testCase.cl100k.count)
            #expect(pieces.allSatisfy { $0.tokens >= 1 && !$0.text.isEmpty })
        }
        let emoji = tokenizer.pieces("🎉")
        #expect(emoji.count == 1)
        #expect(emoji.first?.tokens == tokenizer.count("🎉"))
    }

    @Test func specialTokensAreText() throws {
        let tokenizer = try TokenizerFixtures.cl100k()
        #expect(!tokenizer.encode("<|endoftext|>").contains(100257))
        #expect(tokenizer.count("<|endoftext|>") > 1)
    }

    @Test func o200kSplitMatchesPattern() throws {
        for testCase in try TokenizerFixtures.corpus().cases {
            var text = testCase.text
            let lengths = text.withUTF8 { bytes -> [Int] in
                let scalars = ScalarText(bytes)
                var start = 0
                return PreTokenizer.o200k.split(scalars).map { end in
                    defer { start = end }
                    return scalars.offsets[end] - scalars.offsets[start]
                }
            }
            #expect(lengths == testCase.o200kPieceBytes, "\(testCase.text.debugDescription.prefix(80))")
        }
    }

    @Test func loadRejectsBadFiles() throws {
        let directory = FileManager.default.temporaryDirectory
        #expect(throws: TokenizerError.unreadableFile(path: "/nonexistent/cl100k.tiktoken")) {
            try BPETokenizer.load(path: "/nonexistent/cl100k.tiktoken")
        }
        let bad = directory.appendingPathComponent("tokenizer-test-\(UInt32.random(in: 0...UInt32.max)).tiktoken")
        try Data("IQ== 0\nnot-base64!! 1\n".utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        #expect {
            try BPETokenizer.load(path: bad.path)
        } throws: { error in
            guard case TokenizerError.malformedFile(_, let line, _) = error else { return false }
            return line == 2
        }
        // Well-formed, but most single bytes have no rank.
        try Data("IQ== 0\nIg== 1\n".utf8).write(to: bad)
        #expect(throws: TokenizerError.self) { try BPETokenizer.load(path: bad.path) }
    }

    @Test func encodingNameFromFileOrSize() throws {
        #expect(try BPETokenizer.encodingName(path: "/x/o200k_base.tiktoken", ranks: 5) == "o200k_base")
        #expect(try BPETokenizer.encodingName(path: "/x/CL100K.tiktoken", ranks: 5) == "cl100k_base")
        #expect(try BPETokenizer.encodingName(path: "/x/ranks", ranks: 100_256) == "cl100k_base")
        #expect(try BPETokenizer.encodingName(path: "/x/ranks", ranks: 199_998) == "o200k_base")
        #expect(throws: TokenizerError.self) { try BPETokenizer.encodingName(path: "/x/ranks", ranks: 50_257) }
    }

    /// Prints the time to count 1 MB of mixed text (informational; no assertion on speed).
    @Test func countsOneMegabyte() throws {
        let tokenizer = try TokenizerFixtures.cl100k()
        let corpus = try TokenizerFixtures.corpus().cases.map(\.text).joined(separator: "\n")
        var text = ""
        while text.utf8.count < 1_000_000 { text += corpus }
        let clock = ContinuousClock()
        var tokens = 0
        let elapsed = clock.measure { tokens = tokenizer.count(text) }
        let estimator = EstimatingTokenizer()
        var estimated = 0
        let estimateElapsed = clock.measure { estimated = estimator.count(text) }
        print("cl100k_base: \(text.utf8.count) bytes, \(tokens) tokens in \(elapsed)")
        print("estimate: \(estimated) tokens in \(estimateElapsed)")
        #expect(tokens > 0)
    }
}

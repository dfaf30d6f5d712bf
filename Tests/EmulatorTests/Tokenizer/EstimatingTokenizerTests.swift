import Testing

@testable import Emulator

struct EstimatingTokenizerTests {
    /// The estimate's relative error against tiktoken's cl100k_base counts, per corpus message.
    static func errors() throws -> [(error: Double, text: String)] {
        let estimator = EstimatingTokenizer()
        return try TokenizerFixtures.corpus().cases.compactMap { testCase in
            let expected = testCase.cl100k.count
            guard expected > 0 else { return nil }
            let estimate = estimator.count(testCase.text)
            return (Double(abs(estimate - expected)) / Double(expected), testCase.text)
        }
    }

    @Test func meanErrorWithinFivePercent() throws {
        let errors = try Self.errors()
        let mean = errors.reduce(0) { $0 + $1.error } / Double(errors.count)
        let worst = errors.max { $0.error < $1.error }
        print("estimate vs cl100k_base over \(errors.count) messages: mean error \(mean * 100)%, worst \((worst?.error ?? 0) * 100)%")
        for entry in errors.sorted(by: { $0.error > $1.error }).prefix(5) {
            print(String(format: "  %5.1f%% ", entry.error * 100) + entry.text.debugDescription.prefix(70))
        }
        #expect(mean <= 0.05)
    }

    @Test func piecesCoverTextAndCount() throws {
        let estimator = EstimatingTokenizer()
        for testCase in try TokenizerFixtures.corpus().cases {
            let pieces = estimator.pieces(testCase.text)
            #expect(pieces.map { String($0.text) }.joined() == testCase.text)
            #expect(pieces.reduce(0) { $0 + $1.tokens } == estimator.count(testCase.text))
            #expect(pieces.allSatisfy { $0.tokens >= 1 && !$0.text.isEmpty })
        }
    }

    @Test func emptyAndSimpleText() {
        let estimator = EstimatingTokenizer()
        #expect(estimator.count("") == 0)
        #expect(estimator.pieces("").isEmpty)
        #expect(estimator.count("Hello world") == 2)
        #expect(estimator.pieces("👨‍👩‍👧").count >= 1)
    }

    @Test func deterministic() throws {
        let estimator = EstimatingTokenizer()
        let texts = try TokenizerFixtures.corpus().cases.map(\.text)
        let first = texts.map(estimator.count)
        #expect(texts.map(EstimatingTokenizer().count) == first)
        #expect(texts.map { estimator.pieces($0).map(\.tokens) } == texts.map { estimator.pieces($0).map(\.tokens) })
    }
}

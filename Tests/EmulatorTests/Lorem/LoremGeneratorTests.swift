import Testing

@testable import Emulator

struct LoremGeneratorTests {
    private func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count
    }

    @Test(arguments: [1, 7, 50, 400, 5_000])
    func makesAtLeastTheWordsAsked(words: Int) {
        var rng = SeededRandom(seed: UInt64(words))
        let text = LoremGenerator.text(approximateWords: words, using: &rng)
        #expect(wordCount(text) >= words)
        #expect(wordCount(text) <= words + 30)
        #expect(text.hasSuffix("."))
    }

    @Test func looksLikeEnglishProse() {
        var rng = SeededRandom(seed: 3)
        let text = LoremGenerator.text(approximateWords: 600, using: &rng)
        #expect(text.contains("\n\n"))
        #expect(text.contains(", "))
        #expect(!text.lowercased().contains("lorem"))
        for sentence in text.split(separator: ".") {
            let trimmed = sentence.drop(while: { $0 == " " || $0 == "\n" })
            guard let first = trimmed.first else { continue }
            #expect(first.isUppercase, "\(trimmed)")
        }
    }

    @Test func isDeterministic() {
        var a = SeededRandom(seed: 99)
        var b = SeededRandom(seed: 99)
        #expect(
            LoremGenerator.text(approximateWords: 200, using: &a)
                == LoremGenerator.text(approximateWords: 200, using: &b))
        var c = SeededRandom(seed: 100)
        var d = SeededRandom(seed: 99)
        #expect(
            LoremGenerator.text(approximateWords: 200, using: &c)
                != LoremGenerator.text(approximateWords: 200, using: &d))
    }

    @Test func handlesEdgeCounts() {
        var rng = SeededRandom(seed: 1)
        #expect(LoremGenerator.text(approximateWords: 0, using: &rng) == "")
        #expect(LoremGenerator.text(approximateWords: -5, using: &rng) == "")
        #expect(LoremGenerator.words(3, using: &rng).split(separator: " ").count == 3)
    }
}

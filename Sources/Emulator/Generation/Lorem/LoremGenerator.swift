/// English-looking filler text: grammatical sentences built from a few hundred common words, with
/// capitals, commas, full stops and a paragraph break every few sentences.
///
/// The sentences mean nothing in particular ("The quiet team reviewed the new plan before the
/// meeting.") but read like prose, which is what a fake chat answer needs.
public enum LoremGenerator {
    /// Most words one call makes, whatever is asked.
    public static let maxWords = 200_000

    /// At least `approximateWords` words (up to `maxWords`) of prose, ending with a full stop.
    /// Callers cut it to an exact length; the last sentence may run a dozen words over.
    /// - Returns: an empty string when `approximateWords` is 0 or less.
    public static func text(approximateWords: Int, using rng: inout SeededRandom) -> String {
        let target = min(approximateWords, maxWords)
        guard target > 0 else { return "" }
        var out = SentenceBuilder(capacity: target * 7)
        var words = 0
        var sentencesInParagraph = 0
        var paragraphLength = Int.random(in: 3...6, using: &rng)
        while words < target {
            let paragraphBreak = !out.bytes.isEmpty && sentencesInParagraph >= paragraphLength
            if !out.bytes.isEmpty { out.separate(paragraph: paragraphBreak) }
            let start = out.bytes.count
            appendSentence(to: &out, using: &rng)
            if paragraphBreak {
                sentencesInParagraph = 0
                paragraphLength = Int.random(in: 3...6, using: &rng)
            }
            sentencesInParagraph += 1
            words += out.bytes[start...].reduce(1) { $1 == UInt8(ascii: " ") ? $0 + 1 : $0 }
        }
        return out.text
    }

    /// One capitalised sentence ending in a full stop.
    public static func sentence(using rng: inout SeededRandom) -> String {
        var out = SentenceBuilder(capacity: 96)
        appendSentence(to: &out, using: &rng)
        return out.text
    }

    /// Appends one sentence, word by word, drawing from `rng` in a fixed order so that a seed
    /// always gives the same text.
    private static func appendSentence(to s: inout SentenceBuilder, using rng: inout SeededRandom) {
        s.startSentence()
        switch Int.random(in: 0..<7, using: &rng) {
        case 0:
            s.nounPhrase(&rng); s.word(LoremWords.pastVerbs, &rng); s.nounPhrase(&rng)
            s.prepositionalPhrase(&rng)
        case 1:
            s.nounPhrase(&rng); s.word(LoremWords.pastVerbs, &rng); s.nounPhrase(&rng)
            s.comma()
            s.word("and"); s.nounPhrase(&rng); s.word(LoremWords.pastVerbs, &rng); s.nounPhrase(&rng)
        case 2:
            s.word(LoremWords.timePhrases, &rng); s.comma()
            s.nounPhrase(&rng); s.word(LoremWords.pastVerbs, &rng); s.nounPhrase(&rng)
        case 3:
            s.nounPhrase(&rng); s.word(LoremWords.modals, &rng); s.word(LoremWords.baseVerbs, &rng)
            s.nounPhrase(&rng); s.prepositionalPhrase(&rng)
        case 4:
            s.word("we"); s.word(LoremWords.baseVerbs, &rng); s.nounPhrase(&rng); s.word(LoremWords.adverbs, &rng)
            s.comma()
            s.word("so"); s.nounPhrase(&rng); s.word(LoremWords.modals, &rng); s.word(LoremWords.baseVerbs, &rng)
            s.nounPhrase(&rng)
        case 5:
            s.nounPhrase(&rng); s.word("was"); s.word(LoremWords.adjectives, &rng)
            s.prepositionalPhrase(&rng)
        default:
            s.word(LoremWords.adverbs, &rng); s.comma()
            s.nounPhrase(&rng); s.word(LoremWords.pastVerbs, &rng); s.nounPhrase(&rng); s.prepositionalPhrase(&rng)
        }
        s.bytes.append(UInt8(ascii: "."))
    }

    /// `count` lowercase words (adjectives, then a noun), such as a tag or a short label.
    public static func words(_ count: Int, using rng: inout SeededRandom) -> String {
        var out: [String] = []
        for _ in 1..<max(1, min(count, 64)) { out.append(pick(LoremWords.adjectives, &rng)) }
        out.append(pick(LoremWords.nouns, &rng))
        return out.joined(separator: " ")
    }

    /// One common noun.
    public static func word(using rng: inout SeededRandom) -> String { pick(LoremWords.nouns, &rng) }

    /// Text used to pad strings up to a minimum length.
    static let fillerWords = "and the team reviewed the plan before the next meeting "

    static func pick(_ list: [String], _ rng: inout SeededRandom) -> String {
        list[Int.random(in: 0..<list.count, using: &rng)]
    }
}

/// Writes sentences straight into the bytes of the text being built: words separated by single
/// spaces, the first word of each sentence capitalised.
private struct SentenceBuilder {
    var bytes: [UInt8] = []
    private var startsSentence = true

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func startSentence() { startsSentence = true }

    mutating func separate(paragraph: Bool) {
        if paragraph {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(UInt8(ascii: "\n"))
        } else {
            bytes.append(UInt8(ascii: " "))
        }
    }

    mutating func word(_ w: String) {
        if startsSentence {
            startsSentence = false
            // Every word in the vocabulary is lowercase ASCII.
            let first = bytes.count
            bytes.append(contentsOf: w.utf8)
            bytes[first] &-= 0x20
        } else {
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: w.utf8)
        }
    }

    mutating func word(_ list: [String], _ rng: inout SeededRandom) { word(LoremGenerator.pick(list, &rng)) }

    mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    mutating func nounPhrase(_ rng: inout SeededRandom) {
        word(LoremWords.determiners, &rng)
        if rng.unit() < 0.6 { word(LoremWords.adjectives, &rng) }
        word(LoremWords.nouns, &rng)
    }

    mutating func prepositionalPhrase(_ rng: inout SeededRandom) {
        if rng.unit() < 0.35 { return word(LoremWords.timePhrases, &rng) }
        word(LoremWords.prepositions, &rng)
        nounPhrase(&rng)
    }
}

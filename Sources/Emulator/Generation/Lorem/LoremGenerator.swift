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
        var out = ""
        var words = 0
        var sentencesInParagraph = 0
        var paragraphLength = Int.random(in: 3...6, using: &rng)
        while words < target {
            let next = sentence(using: &rng)
            if !out.isEmpty {
                if sentencesInParagraph >= paragraphLength {
                    out += "\n\n"
                    sentencesInParagraph = 0
                    paragraphLength = Int.random(in: 3...6, using: &rng)
                } else {
                    out += " "
                }
            }
            out += next
            sentencesInParagraph += 1
            words += next.utf8.reduce(1) { $1 == UInt8(ascii: " ") ? $0 + 1 : $0 }
        }
        return out
    }

    /// One capitalised sentence ending in a full stop.
    public static func sentence(using rng: inout SeededRandom) -> String {
        var parts: [String]
        switch Int.random(in: 0..<7, using: &rng) {
        case 0:
            parts =
                nounPhrase(using: &rng) + [pick(LoremWords.pastVerbs, &rng)] + nounPhrase(using: &rng)
                + prepositionalPhrase(using: &rng)
        case 1:
            parts = nounPhrase(using: &rng) + [pick(LoremWords.pastVerbs, &rng)] + nounPhrase(using: &rng)
            parts[parts.count - 1] += ","
            parts += ["and"] + nounPhrase(using: &rng) + [pick(LoremWords.pastVerbs, &rng)] + nounPhrase(using: &rng)
        case 2:
            parts =
                [pick(LoremWords.timePhrases, &rng) + ","] + nounPhrase(using: &rng)
                + [pick(LoremWords.pastVerbs, &rng)] + nounPhrase(using: &rng)
        case 3:
            parts =
                nounPhrase(using: &rng) + [pick(LoremWords.modals, &rng), pick(LoremWords.baseVerbs, &rng)]
                + nounPhrase(using: &rng) + prepositionalPhrase(using: &rng)
        case 4:
            parts =
                ["we", pick(LoremWords.baseVerbs, &rng)] + nounPhrase(using: &rng)
                + [pick(LoremWords.adverbs, &rng)]
            parts[parts.count - 1] += ","
            parts +=
                ["so"] + nounPhrase(using: &rng) + [pick(LoremWords.modals, &rng), pick(LoremWords.baseVerbs, &rng)]
                + nounPhrase(using: &rng)
        case 5:
            parts =
                nounPhrase(using: &rng) + ["was", pick(LoremWords.adjectives, &rng)]
                + prepositionalPhrase(using: &rng)
        default:
            parts =
                [pick(LoremWords.adverbs, &rng) + ","] + nounPhrase(using: &rng)
                + [pick(LoremWords.pastVerbs, &rng)] + nounPhrase(using: &rng) + prepositionalPhrase(using: &rng)
        }
        var text = parts.joined(separator: " ")
        text = text.prefix(1).uppercased() + text.dropFirst()
        return text + "."
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

    private static func nounPhrase(using rng: inout SeededRandom) -> [String] {
        var phrase = [pick(LoremWords.determiners, &rng)]
        if rng.unit() < 0.6 { phrase.append(pick(LoremWords.adjectives, &rng)) }
        phrase.append(pick(LoremWords.nouns, &rng))
        return phrase
    }

    private static func prepositionalPhrase(using rng: inout SeededRandom) -> [String] {
        if rng.unit() < 0.35 { return [pick(LoremWords.timePhrases, &rng)] }
        return [pick(LoremWords.prepositions, &rng)] + nounPhrase(using: &rng)
    }

    static func pick(_ list: [String], _ rng: inout SeededRandom) -> String {
        list[Int.random(in: 0..<list.count, using: &rng)]
    }
}

/// A close, deterministic estimate of cl100k_base token counts that needs no data file.
///
/// Text is split with the exact cl100k_base pattern (`PreTokenizer.cl100k`); each piece then gets an
/// expected token count from its shape (letters by script, case and length; digits; punctuation;
/// whitespace), fitted against tiktoken. Fractions carry over from piece to piece, so a message's
/// count is its rounded expected total and every piece still counts at least one token.
public struct EstimatingTokenizer: Tokenizer {
    public var name: String { "estimate" }

    public init() {}

    public func count(_ text: String) -> Int {
        let place = EstimatingTokenizer.recent.place(text)
        if let place, let hit = EstimatingTokenizer.recent.count(at: place) { return hit }
        var total = 0
        forEachPiece(text) { _, _, tokens in total += tokens }
        if let place { EstimatingTokenizer.recent.store(at: place, count: total) }
        return total
    }

    public func pieces(_ text: String) -> [TokenPiece] {
        let place = EstimatingTokenizer.recent.place(text)
        if let place, let hit = EstimatingTokenizer.recent.pieces(at: place) { return hit }
        let result = slice(text)
        if let place { EstimatingTokenizer.recent.store(at: place, pieces: result) }
        return result
    }

    /// Texts seen recently (a load test repeats its prompts and a static answer is the same every
    /// time): looking one up costs a hash and a compare instead of a pre-tokenizer pass.
    static let recent = RecentTexts()

    private func slice(_ text: String) -> [TokenPiece] {
        var runs: [(end: Int, tokens: Int)] = []
        var copy = text
        let scalars = copy.withUTF8 { ScalarText($0) }
        forEachPiece(scalars) { start, end, tokens in
            EstimatingTokenizer.cut(scalars, start: start, end: end, tokens: tokens, into: &runs)
        }
        return TokenPiece.slicing(text, runs: runs)
    }

    /// Calls `body` with each pre-tokenizer piece (start and end scalar index) and its token count.
    func forEachPiece(_ text: String, _ body: (Int, Int, Int) -> Void) {
        var copy = text
        forEachPiece(copy.withUTF8 { ScalarText($0) }, body)
    }

    private func forEachPiece(_ scalars: ScalarText, _ body: (Int, Int, Int) -> Void) {
        let ends = PreTokenizer.cl100k.split(scalars)
        var carried = 0.0
        var emitted = 0
        scalars.values.withUnsafeBufferPointer { values in
            scalars.classes.withUnsafeBufferPointer { classes in
                let shape = PieceShape(values: values, classes: classes)
                var start = 0
                for end in ends {
                    carried += max(0, shape.expectedTokens(start, end) - 1)
                    let whole = Int(carried + 0.5)
                    body(start, end, 1 + whole - emitted)
                    emitted = whole
                    start = end
                }
            }
        }
    }

    /// Splits one piece of `tokens` tokens into up to `tokens` runs at scalar boundaries that do not
    /// break a combining sequence, spreading the tokens over them.
    static func cut(_ scalars: ScalarText, start: Int, end: Int, tokens: Int, into runs: inout [(end: Int, tokens: Int)]) {
        let length = end - start
        if tokens <= 1 || length <= 1 {
            runs.append((scalars.offsets[end], tokens))
            return
        }
        let parts = min(tokens, length)
        var given = 0
        var previousCut = start
        for part in 1...parts {
            var cut = part == parts ? end : start + (length * part) / parts
            while cut < end && (cut <= previousCut || !breakable(scalars, before: cut)) { cut += 1 }
            let share = part == parts ? tokens - given : tokens * part / parts - given
            if cut >= end || part == parts {
                runs.append((scalars.offsets[end], tokens - given))
                return
            }
            runs.append((scalars.offsets[cut], share))
            given += share
            previousCut = cut
        }
    }

    /// Whether a piece may be cut before scalar `i`: not before a mark, joiner, variation selector
    /// or skin-tone modifier, and not after a joiner.
    static func breakable(_ scalars: ScalarText, before i: Int) -> Bool {
        let value = scalars.values[i]
        if scalars.classes[i].contains(.mark) || value == 0x200D || (0xFE00...0xFE0F).contains(value)
            || (0x1F3FB...0x1F3FF).contains(value) || (0xE0020...0xE007F).contains(value)
        {
            return false
        }
        return scalars.values[i - 1] != 0x200D
    }
}


/// A small two-way cache of token counts and token pieces for short texts, shared by all threads.
/// Each text may sit in one of two slots; a new text takes its first and moves the text that had
/// it there first on to that text's second slot, so two hot texts that hash to the same slot do not
/// keep evicting each other. Each slot has its own lock, so two threads rarely wait for each other.
/// A text is hashed once per lookup-and-store (`place`). Results are the same with or without the cache.
final class RecentTexts: Sendable {
    /// A text with its two slot numbers.
    struct Place {
        let text: String
        let first: Int
        let second: Int
    }

    private final class Slot: Sendable {
        let count = Locked<(place: Place, tokens: Int)?>(nil)
        let pieces = Locked<(place: Place, pieces: [TokenPiece])?>(nil)
    }

    /// Longer texts are not kept: they are rarely repeated and would hold memory.
    static let maxBytes = 2048
    private static let slotCount = 128
    private let slots: [Slot] = (0..<RecentTexts.slotCount).map { _ in Slot() }

    /// Where the text may be kept, or nil for a text too long to keep.
    func place(_ text: String) -> Place? {
        guard text.utf8.count <= RecentTexts.maxBytes else { return nil }
        let h = UInt(bitPattern: text.hashValue), n = UInt(RecentTexts.slotCount)
        let first = Int(h % n)
        return Place(text: text, first: first, second: (first + 1 + Int((h / n) % (n - 1))) % Int(n))
    }

    /// The two different slot numbers of `text`, or nil for a text too long to keep.
    func slotIndexes(_ text: String) -> (first: Int, second: Int)? {
        place(text).map { ($0.first, $0.second) }
    }

    func count(at place: Place) -> Int? {
        let lookup = { (entry: inout (place: Place, tokens: Int)?) -> Int? in
            guard let entry, entry.place.text == place.text else { return nil }
            return entry.tokens
        }
        return slots[place.first].count.withLock(lookup) ?? slots[place.second].count.withLock(lookup)
    }

    func store(at place: Place, count: Int) {
        let displaced = slots[place.first].count.withLock { entry in
            defer { entry = (place, count) }
            return entry
        }
        // A text pushed out of its first slot moves to its second.
        if let displaced, displaced.place.text != place.text, displaced.place.first == place.first {
            slots[displaced.place.second].count.withLock { $0 = displaced }
        }
    }

    func pieces(at place: Place) -> [TokenPiece]? {
        let lookup = { (entry: inout (place: Place, pieces: [TokenPiece])?) -> [TokenPiece]? in
            guard let entry, entry.place.text == place.text else { return nil }
            return entry.pieces
        }
        return slots[place.first].pieces.withLock(lookup) ?? slots[place.second].pieces.withLock(lookup)
    }

    func store(at place: Place, pieces: [TokenPiece]) {
        let displaced = slots[place.first].pieces.withLock { entry in
            defer { entry = (place, pieces) }
            return entry
        }
        if let displaced, displaced.place.text != place.text, displaced.place.first == place.first {
            slots[displaced.place.second].pieces.withLock { $0 = displaced }
        }
    }

    func count(_ text: String) -> Int? { place(text).flatMap { count(at: $0) } }
    func store(_ text: String, count: Int) { if let p = place(text) { store(at: p, count: count) } }
    func pieces(_ text: String) -> [TokenPiece]? { place(text).flatMap { pieces(at: $0) } }
    func store(_ text: String, pieces: [TokenPiece]) { if let p = place(text) { store(at: p, pieces: pieces) } }
}

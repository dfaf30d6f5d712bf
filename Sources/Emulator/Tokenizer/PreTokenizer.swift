/// The split patterns that cut text into pieces before byte-pair merging, written out by hand over
/// unicode scalars (no regular-expression engine on the hot path).
///
/// `cl100k` follows tiktoken's
/// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
/// and `o200k` follows the o200k_base pattern (letters split by case, contractions glued to the word,
/// `/` glued to punctuation runs). Both pick the first alternative that matches, as the regex does.
enum PreTokenizer: Sendable {
    case cl100k
    case o200k

    /// Splits `text` into pieces.
    /// - Returns: the scalar index where each piece ends, in order; the last one is `text.count`.
    func split(_ text: ScalarText) -> [Int] {
        var ends: [Int] = []
        ends.reserveCapacity(text.count / 3 + 1)
        text.values.withUnsafeBufferPointer { values in
            text.classes.withUnsafeBufferPointer { classes in
                let scan = PatternScan(values: values, classes: classes)
                var i = 0
                switch self {
                case .cl100k:
                    while i < values.count {
                        i = scan.cl100kPieceEnd(at: i)
                        ends.append(i)
                    }
                case .o200k:
                    while i < values.count {
                        i = scan.o200kPieceEnd(at: i)
                        ends.append(i)
                    }
                }
            }
        }
        return ends
    }
}

/// One pass of a split pattern over decoded text. Each `…PieceEnd(at:)` returns where the match
/// starting at a scalar index ends.
struct PatternScan {
    let values: UnsafeBufferPointer<UInt32>
    let classes: UnsafeBufferPointer<ScalarClass>

    var count: Int { values.count }

    /// The end of the run of scalars, starting at `start`, whose classes intersect `set`.
    @inline(__always) func run(from start: Int, _ set: ScalarClass) -> Int {
        var i = start
        while i < count && !classes[i].isDisjoint(with: set) { i += 1 }
        return i
    }

    /// The end of the run of `[^\s\p{L}\p{N}]` starting at `start`.
    @inline(__always) func symbolRun(from start: Int) -> Int {
        var i = start
        while i < count && classes[i].isSymbol { i += 1 }
        return i
    }

    /// Whitespace handling shared by both patterns, for a whitespace scalar at `i`:
    /// `\s*[\r\n]+`, then `\s+(?!\S)`, then `\s+`. With `wholeRunAtEnd` (cl100k's `\s++$`), a run
    /// that reaches the end of the text is taken whole first.
    @inline(__always) func whitespaceEnd(at i: Int, wholeRunAtEnd: Bool) -> Int {
        let end = run(from: i, .space)
        if wholeRunAtEnd && end == count { return end }
        var k = end - 1
        while k >= i {
            if classes[k].contains(.newline) { return k + 1 }
            k -= 1
        }
        if end == count { return end }
        return end - i >= 2 ? end - 1 : i + 1
    }

    /// `'(?i:[sdmt]|ll|ve|re)` at `i` (an apostrophe): the end of the contraction, if there is one.
    @inline(__always) func contractionEnd(at i: Int) -> Int? {
        guard i < count, values[i] == 0x27, i + 1 < count else { return nil }
        let a = PatternScan.folded(values[i + 1])
        if a == 0x73 || a == 0x64 || a == 0x6D || a == 0x74 { return i + 2 }
        guard i + 2 < count else { return nil }
        let b = PatternScan.folded(values[i + 2])
        if (a == 0x6C && b == 0x6C) || (a == 0x76 && b == 0x65) || (a == 0x72 && b == 0x65) { return i + 3 }
        return nil
    }

    /// ASCII letters lowered, and U+017F (long s) folded to `s` as Unicode case-insensitive matching does.
    @inline(__always) static func folded(_ value: UInt32) -> UInt32 {
        if value >= 0x41 && value <= 0x5A { return value | 0x20 }
        return value == 0x17F ? 0x73 : value
    }
}

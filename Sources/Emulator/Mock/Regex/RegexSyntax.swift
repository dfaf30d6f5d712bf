/// Syntax tree, character sets, Unicode helpers and the error type shared by the regex parser, compiler and VM.

/// Why a pattern was rejected, and where: `position` is a 0-based offset in Unicode scalars.
struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    let message: String
    let position: Int?

    init(_ message: String, at position: Int?) {
        self.message = message
        self.position = position
    }

    var description: String { position.map { "\(message) at \($0)" } ?? message }
}

/// Inline flags: `(?i)`, `(?s)`, `(?m)`.
struct RxFlags: Sendable, Equatable {
    var ignoreCase = false
    var dotAll = false
    var multiline = false
}

/// Zero-width tests.
enum RxAssertion: Sendable, Equatable {
    /// `\A`, or `^` without `(?m)`.
    case textStart
    /// `^` with `(?m)`: start of text or just after a newline.
    case lineStart
    /// `\Z` (and `\z`): end of text.
    case textEnd
    /// `$` without `(?m)`: end of text, or just before a newline that ends the text.
    case textEndOrFinalNewline
    /// `$` with `(?m)`: end of text or just before a newline.
    case lineEnd
    case wordBoundary
    case notWordBoundary
}

/// The shorthand classes `\d`, `\w`, `\s`.
enum RxClassKind: Sendable, Equatable {
    case digit, word, space

    func contains(_ c: UInt32) -> Bool {
        switch self {
        case .digit: return RxUnicode.isDigit(c)
        case .word: return RxUnicode.isWord(c)
        case .space: return RxUnicode.isSpace(c)
        }
    }
}

/// A character class: scalar ranges plus shorthand classes, possibly negated.
struct RxCharSet: Sendable, Equatable {
    struct Shorthand: Sendable, Equatable {
        let kind: RxClassKind
        let negated: Bool
    }

    /// Sorted and merged once `normalize()` has run.
    var ranges: [ClosedRange<UInt32>] = []
    var shorthands: [Shorthand] = []
    var negated = false

    static func shorthand(_ kind: RxClassKind, negated: Bool) -> RxCharSet {
        RxCharSet(shorthands: [Shorthand(kind: kind, negated: negated)])
    }

    mutating func normalize() {
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for r in ranges {
            if let last = merged.last, r.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        ranges = merged
    }

    /// Membership before negation.
    private func containsRaw(_ c: UInt32) -> Bool {
        var lo = 0
        var hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < c {
                lo = mid + 1
            } else {
                hi = mid
            }
        }
        if lo < ranges.count && ranges[lo].contains(c) { return true }
        for s in shorthands where s.kind.contains(c) != s.negated { return true }
        return false
    }

    func contains(_ c: UInt32) -> Bool { containsRaw(c) != negated }

    /// Case-insensitive membership: the scalar or any of its case variants is in the set.
    func contains(_ c: UInt32, lower: UInt32, upper: UInt32, folded: UInt32) -> Bool {
        let hit = containsRaw(c) || containsRaw(lower) || containsRaw(upper) || containsRaw(folded)
        return hit != negated
    }
}

/// A parsed pattern.
indirect enum RxNode: Sendable {
    case empty
    case scalar(UInt32, ignoreCase: Bool)
    /// `.`; with `dotAll` it also matches a newline.
    case any(dotAll: Bool)
    case set(RxCharSet, ignoreCase: Bool)
    case assertion(RxAssertion)
    case concat([RxNode])
    case alternation([RxNode])
    /// `max == nil` is unbounded.
    case repetition(RxNode, min: Int, max: Int?, lazy: Bool)
}

/// Character properties with the meaning Python's `re` gives them for `str` patterns.
enum RxUnicode {
    /// `\w`: letters, numbers and underscore.
    static func isWord(_ c: UInt32) -> Bool {
        if c < 0x80 {
            return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
        }
        guard let s = Unicode.Scalar(c) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return s.properties.numericType != nil
        }
    }

    /// `\d`: decimal digits in any script.
    static func isDigit(_ c: UInt32) -> Bool {
        if c < 0x80 { return c >= 0x30 && c <= 0x39 }
        guard let s = Unicode.Scalar(c) else { return false }
        return s.properties.generalCategory == .decimalNumber
    }

    /// `\s`: ASCII whitespace (including the separators 0x1C–0x1F) and Unicode white space.
    static func isSpace(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) }
        guard let s = Unicode.Scalar(c) else { return false }
        return s.properties.isWhitespace
    }

    /// Simple lowercase mapping (the scalar itself when the mapping is not a single scalar).
    static func lower(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return (c >= 0x41 && c <= 0x5A) ? c + 0x20 : c }
        if c == 0x130 { return 0x69 }  // İ → i, as in the simple mapping
        guard let s = Unicode.Scalar(c) else { return c }
        return single(s.properties.lowercaseMapping) ?? c
    }

    /// Simple uppercase mapping (the scalar itself when the mapping is not a single scalar).
    static func upper(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return (c >= 0x61 && c <= 0x7A) ? c - 0x20 : c }
        guard let s = Unicode.Scalar(c) else { return c }
        return single(s.properties.uppercaseMapping) ?? c
    }

    /// Case fold used for case-insensitive comparison: equal folds compare equal (`ſ`, `s`, `S` all fold to `s`).
    static func fold(_ c: UInt32) -> UInt32 { lower(upper(c)) }

    private static func single(_ s: String) -> UInt32? {
        var it = s.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return nil }
        return first.value
    }
}

/// Recursive-descent parser from pattern text (Python `re` syntax) to an `RxNode` tree.
struct RxParser {
    static let maxPatternLength = 10_000
    static let maxRepeat = 1000
    static let maxNesting = 100

    private let s: [Unicode.Scalar]
    private var pos = 0
    private var flags = RxFlags()
    /// Global flag groups are accepted only while nothing else has been parsed.
    private var globalFlagsEnd = 0
    private var groupNames: Set<String> = []

    init(_ pattern: String) {
        s = Array(pattern.unicodeScalars)
    }

    mutating func parse() throws(RegexSyntaxError) -> RxNode {
        guard s.count <= Self.maxPatternLength else {
            throw RegexSyntaxError(
                "pattern is too long (\(s.count) characters; the limit is \(Self.maxPatternLength))", at: nil)
        }
        let node = try parseAlternation(depth: 0)
        if pos < s.count { throw RegexSyntaxError("unbalanced ')'", at: pos) }
        return node
    }

    // MARK: - Structure

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = pos + offset
        return i < s.count ? s[i] : nil
    }

    private mutating func parseAlternation(depth: Int) throws(RegexSyntaxError) -> RxNode {
        var branches = [try parseConcat(depth: depth)]
        while peek() == "|" {
            pos += 1
            branches.append(try parseConcat(depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcat(depth: Int) throws(RegexSyntaxError) -> RxNode {
        var items: [RxNode] = []
        while let c = peek(), c != "|", c != ")" {
            if quantifierAhead() { throw RegexSyntaxError("nothing to repeat", at: pos) }
            guard let atom = try parseAtom(depth: depth) else { continue }
            var node = atom.node
            let quantifierPosition = pos
            if let q = try parseQuantifier() {
                guard atom.repeatable else { throw RegexSyntaxError("nothing to repeat", at: quantifierPosition) }
                node = .repetition(node, min: q.min, max: q.max, lazy: q.lazy)
                if quantifierAhead() { throw RegexSyntaxError("multiple repeat", at: pos) }
            }
            if case .concat(let inner) = node {
                items.append(contentsOf: inner)
            } else {
                items.append(node)
            }
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// One atom, or nil for constructs that match nothing (global flags, comments).
    private mutating func parseAtom(depth: Int) throws(RegexSyntaxError) -> (node: RxNode, repeatable: Bool)? {
        let c = s[pos]
        switch c {
        case "(":
            return try parseGroup(depth: depth)
        case "[":
            return (try parseClass(), true)
        case ".":
            pos += 1
            return (.any(dotAll: flags.dotAll), true)
        case "^":
            pos += 1
            return (.assertion(flags.multiline ? .lineStart : .textStart), false)
        case "$":
            pos += 1
            return (.assertion(flags.multiline ? .lineEnd : .textEndOrFinalNewline), false)
        case "\\":
            return try parseEscape()
        default:
            pos += 1
            return (literal(c.value), true)
        }
    }

    private func literal(_ c: UInt32) -> RxNode { .scalar(c, ignoreCase: flags.ignoreCase) }

    // MARK: - Quantifiers

    private struct Quantifier {
        let min: Int
        let max: Int?
        let lazy: Bool
    }

    /// The extent of a `{m}`, `{m,}`, `{,n}`, `{m,n}` quantifier at `i`, or nil when the brace is a literal.
    private func scanBrace(at i: Int) -> (lo: String, hi: String?, end: Int)? {
        guard i < s.count, s[i] == "{" else { return nil }
        var j = i + 1
        var lo = ""
        while j < s.count, s[j] >= "0", s[j] <= "9" {
            lo.unicodeScalars.append(s[j])
            j += 1
        }
        var hi: String? = nil
        if j < s.count, s[j] == "," {
            j += 1
            var h = ""
            while j < s.count, s[j] >= "0", s[j] <= "9" {
                h.unicodeScalars.append(s[j])
                j += 1
            }
            hi = h
        } else if lo.isEmpty {
            return nil  // "{}" and "{x" are literal braces
        }
        guard j < s.count, s[j] == "}" else { return nil }
        return (lo, hi, j + 1)
    }

    private func quantifierAhead() -> Bool {
        switch peek() {
        case "*", "+", "?": return true
        case "{": return scanBrace(at: pos) != nil
        default: return false
        }
    }

    private func count(_ digits: String, at position: Int) throws(RegexSyntaxError) -> Int {
        guard digits.count <= 4, let n = Int(digits), n <= Self.maxRepeat else {
            throw RegexSyntaxError(
                "repetition count \(digits) is larger than the limit of \(Self.maxRepeat)", at: position)
        }
        return n
    }

    private mutating func parseQuantifier() throws(RegexSyntaxError) -> Quantifier? {
        let start = pos
        let min: Int
        let max: Int?
        switch peek() {
        case "*":
            (min, max) = (0, nil)
            pos += 1
        case "+":
            (min, max) = (1, nil)
            pos += 1
        case "?":
            (min, max) = (0, 1)
            pos += 1
        case "{":
            guard let brace = scanBrace(at: pos) else { return nil }
            min = brace.lo.isEmpty ? 0 : try count(brace.lo, at: start + 1)
            if let hi = brace.hi {
                max = hi.isEmpty ? nil : try count(hi, at: start + 2 + brace.lo.count)
            } else {
                max = min
            }
            if let max, max < min { throw RegexSyntaxError("min repeat greater than max repeat", at: start) }
            pos = brace.end
        default:
            return nil
        }
        var lazy = false
        if peek() == "?" {
            lazy = true
            pos += 1
        } else if peek() == "+" {
            throw RegexSyntaxError("possessive quantifiers are not supported", at: pos)
        }
        return Quantifier(min: min, max: max, lazy: lazy)
    }

    // MARK: - Groups

    private mutating func parseGroup(depth: Int) throws(RegexSyntaxError) -> (node: RxNode, repeatable: Bool)? {
        let open = pos
        guard depth < Self.maxNesting else {
            throw RegexSyntaxError("too many nested groups (the limit is \(Self.maxNesting))", at: open)
        }
        pos += 1
        if peek() == "?" {
            pos += 1
            guard let k = peek() else { throw RegexSyntaxError("unexpected end of pattern", at: pos) }
            switch k {
            case ":":
                pos += 1
            case "P":
                pos += 1
                if peek() == "<" {
                    pos += 1
                    try parseGroupName()
                } else if peek() == "=" {
                    throw RegexSyntaxError("backreferences are not supported", at: open)
                } else {
                    throw RegexSyntaxError("unknown extension ?P", at: open)
                }
            case "<":
                if peek(1) == "=" || peek(1) == "!" {
                    throw RegexSyntaxError("lookbehind is not supported", at: open)
                }
                pos += 1
                try parseGroupName()
            case "=", "!":
                throw RegexSyntaxError("lookahead is not supported", at: open)
            case ">":
                throw RegexSyntaxError("atomic groups are not supported", at: open)
            case "(":
                throw RegexSyntaxError("conditional groups are not supported", at: open)
            case "#":
                while let c = peek(), c != ")" { pos += 1 }
                guard peek() == ")" else { throw RegexSyntaxError("missing ), unterminated comment", at: open) }
                pos += 1
                return nil
            default:
                return try parseFlagGroup(open: open, depth: depth)
            }
        }
        let inner = try parseAlternation(depth: depth + 1)
        guard peek() == ")" else { throw RegexSyntaxError("missing ), unterminated subpattern", at: open) }
        pos += 1
        return (inner, true)
    }

    /// `(?ims)` at the start of the pattern, or a scoped `(?i:…)` / `(?-i:…)` anywhere.
    private mutating func parseFlagGroup(open: Int, depth: Int) throws(RegexSyntaxError) -> (
        node: RxNode, repeatable: Bool
    )? {
        var on = RxFlags()
        var off = RxFlags()
        var negative = false
        while true {
            guard let c = peek() else { throw RegexSyntaxError("missing -, : or )", at: pos) }
            switch c {
            case "i", "s", "m":
                var target = negative ? off : on
                if c == "i" { target.ignoreCase = true }
                if c == "s" { target.dotAll = true }
                if c == "m" { target.multiline = true }
                if negative { off = target } else { on = target }
                pos += 1
            case "u":
                pos += 1  // Unicode matching is the default
            case "x":
                throw RegexSyntaxError("verbose flag (?x) is not supported", at: pos)
            case "a", "L":
                throw RegexSyntaxError("flag '\(c)' is not supported", at: pos)
            case "-":
                if negative { throw RegexSyntaxError("bad inline flags", at: pos) }
                negative = true
                pos += 1
            case ")":
                if negative { throw RegexSyntaxError("missing :", at: pos) }
                guard open == globalFlagsEnd else {
                    throw RegexSyntaxError("global flags not at the start of the expression", at: open)
                }
                pos += 1
                globalFlagsEnd = pos
                flags = apply(on, off, to: flags)
                return nil
            case ":":
                pos += 1
                let saved = flags
                flags = apply(on, off, to: flags)
                let inner = try parseAlternation(depth: depth + 1)
                guard peek() == ")" else { throw RegexSyntaxError("missing ), unterminated subpattern", at: open) }
                pos += 1
                flags = saved
                return (inner, true)
            default:
                if pos == open + 2 { throw RegexSyntaxError("unknown extension ?\(c)", at: open) }
                throw RegexSyntaxError("unknown flag", at: pos)
            }
        }
    }

    private func apply(_ on: RxFlags, _ off: RxFlags, to f: RxFlags) -> RxFlags {
        var f = f
        if on.ignoreCase { f.ignoreCase = true }
        if on.dotAll { f.dotAll = true }
        if on.multiline { f.multiline = true }
        if off.ignoreCase { f.ignoreCase = false }
        if off.dotAll { f.dotAll = false }
        if off.multiline { f.multiline = false }
        return f
    }

    /// The `name>` of `(?<name>…)` / `(?P<name>…)`; names are identifiers and must be unique.
    private mutating func parseGroupName() throws(RegexSyntaxError) {
        let start = pos
        while let c = peek(), c != ">" { pos += 1 }
        guard peek() == ">" else { throw RegexSyntaxError("missing >, unterminated name", at: start) }
        var name = ""
        name.unicodeScalars.append(contentsOf: s[start..<pos])
        pos += 1
        guard !name.isEmpty else { throw RegexSyntaxError("missing group name", at: start) }
        let first = name.unicodeScalars.first!
        let valid =
            (first == "_" || (RxUnicode.isWord(first.value) && !RxUnicode.isDigit(first.value)))
            && name.unicodeScalars.allSatisfy { RxUnicode.isWord($0.value) }
        guard valid else { throw RegexSyntaxError("bad character in group name '\(name)'", at: start) }
        guard groupNames.insert(name).inserted else {
            throw RegexSyntaxError("redefinition of group name '\(name)'", at: start)
        }
    }

    // MARK: - Escapes

    private mutating func parseEscape() throws(RegexSyntaxError) -> (node: RxNode, repeatable: Bool) {
        let start = pos
        pos += 1
        guard let c = peek() else { throw RegexSyntaxError("bad escape (end of pattern)", at: start) }
        pos += 1
        let ic = flags.ignoreCase
        switch c {
        case "d": return (.set(.shorthand(.digit, negated: false), ignoreCase: ic), true)
        case "D": return (.set(.shorthand(.digit, negated: true), ignoreCase: ic), true)
        case "w": return (.set(.shorthand(.word, negated: false), ignoreCase: ic), true)
        case "W": return (.set(.shorthand(.word, negated: true), ignoreCase: ic), true)
        case "s": return (.set(.shorthand(.space, negated: false), ignoreCase: ic), true)
        case "S": return (.set(.shorthand(.space, negated: true), ignoreCase: ic), true)
        case "b": return (.assertion(.wordBoundary), false)
        case "B": return (.assertion(.notWordBoundary), false)
        case "A": return (.assertion(.textStart), false)
        case "Z", "z": return (.assertion(.textEnd), false)
        case "1"..."9":
            // Three octal digits make an octal escape; anything else is a group reference.
            if isOctal(c), let d2 = peek(), isOctal(d2), let d3 = peek(1), isOctal(d3) {
                pos += 2
                return (literal(try octal([c, d2, d3], at: start)), true)
            }
            throw RegexSyntaxError("backreferences are not supported", at: start)
        default:
            return (literal(try commonEscape(c, start: start)), true)
        }
    }

    private func isOctal(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "7" }

    private func octal(_ digits: [Unicode.Scalar], at position: Int) throws(RegexSyntaxError) -> UInt32 {
        let value = digits.reduce(UInt32(0)) { $0 * 8 + ($1.value - 0x30) }
        guard value <= 0o377 else {
            throw RegexSyntaxError("octal escape value outside of range 0-0o377", at: position)
        }
        return value
    }

    /// Escapes with the same meaning inside and outside classes; `pos` is just after `c`.
    private mutating func commonEscape(_ c: Unicode.Scalar, start: Int) throws(RegexSyntaxError) -> UInt32 {
        switch c {
        case "n": return 0x0A
        case "t": return 0x09
        case "r": return 0x0D
        case "f": return 0x0C
        case "v": return 0x0B
        case "a": return 0x07
        case "0":
            var digits: [Unicode.Scalar] = [c]
            while digits.count < 3, let d = peek(), isOctal(d) {
                digits.append(d)
                pos += 1
            }
            return try octal(digits, at: start)
        case "x": return try hexEscape(c, digits: 2, start: start)
        case "u": return try hexEscape(c, digits: 4, start: start)
        case "U": return try hexEscape(c, digits: 8, start: start)
        case "N": throw RegexSyntaxError("named character escapes (\\N{...}) are not supported", at: start)
        default:
            if c.isASCII && c.properties.isAlphabetic || (c >= "0" && c <= "9") {
                throw RegexSyntaxError("bad escape \\\(c)", at: start)
            }
            return c.value  // escaped punctuation and non-ASCII characters are literal
        }
    }

    private mutating func hexEscape(_ c: Unicode.Scalar, digits: Int, start: Int) throws(RegexSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        var text = "\\\(c)"
        for _ in 0..<digits {
            guard let d = peek(), d.isASCII, let v = UInt32(String(d), radix: 16) else {
                throw RegexSyntaxError("incomplete escape \(text)", at: start)
            }
            text.unicodeScalars.append(d)
            value = value * 16 + v
            pos += 1
        }
        guard Unicode.Scalar(value) != nil else { throw RegexSyntaxError("bad escape \(text)", at: start) }
        return value
    }

    // MARK: - Classes

    private enum ClassItem {
        case scalar(UInt32)
        case shorthand(RxClassKind, negated: Bool)
    }

    private mutating func parseClass() throws(RegexSyntaxError) -> RxNode {
        let open = pos
        pos += 1
        var set = RxCharSet()
        if peek() == "^" {
            set.negated = true
            pos += 1
        }
        var first = true
        while true {
            guard let c = peek() else { throw RegexSyntaxError("unterminated character set", at: open) }
            if c == "]" && !first {
                pos += 1
                break
            }
            first = false
            let itemStart = pos
            let lo = try classItem()
            if peek() == "-" {
                guard let next = peek(1) else { throw RegexSyntaxError("unterminated character set", at: open) }
                if next == "]" {
                    add(lo, to: &set)
                    add(.scalar(0x2D), to: &set)
                    pos += 2
                    break
                }
                pos += 1
                let hi = try classItem()
                guard case .scalar(let a) = lo, case .scalar(let b) = hi, a <= b else {
                    var text = ""
                    text.unicodeScalars.append(contentsOf: s[itemStart..<pos])
                    throw RegexSyntaxError("bad character range \(text)", at: itemStart)
                }
                set.ranges.append(a...b)
            } else {
                add(lo, to: &set)
            }
        }
        set.normalize()
        return .set(set, ignoreCase: flags.ignoreCase)
    }

    private func add(_ item: ClassItem, to set: inout RxCharSet) {
        switch item {
        case .scalar(let c): set.ranges.append(c...c)
        case .shorthand(let kind, let negated): set.shorthands.append(.init(kind: kind, negated: negated))
        }
    }

    private mutating func classItem() throws(RegexSyntaxError) -> ClassItem {
        let c = s[pos]
        pos += 1
        guard c == "\\" else { return .scalar(c.value) }
        let start = pos - 1
        guard let e = peek() else { throw RegexSyntaxError("bad escape (end of pattern)", at: start) }
        pos += 1
        switch e {
        case "d": return .shorthand(.digit, negated: false)
        case "D": return .shorthand(.digit, negated: true)
        case "w": return .shorthand(.word, negated: false)
        case "W": return .shorthand(.word, negated: true)
        case "s": return .shorthand(.space, negated: false)
        case "S": return .shorthand(.space, negated: true)
        case "b": return .scalar(0x08)
        case "1"..."7":
            var digits: [Unicode.Scalar] = [e]
            while digits.count < 3, let d = peek(), isOctal(d) {
                digits.append(d)
                pos += 1
            }
            return .scalar(try octal(digits, at: start))
        default:
            return .scalar(try commonEscape(e, start: start))
        }
    }
}

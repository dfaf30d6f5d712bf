/// A recursive-descent reader of the regular-expression subset `PatternSampler` documents.
/// Every method returns `nil` for syntax outside that subset.
struct PatternParser {
    typealias Node = PatternSampler.Node

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var depth = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { index >= scalars.count }
    private var peek: Unicode.Scalar? { atEnd ? nil : scalars[index] }

    private static let digits: [ClosedRange<UInt32>] = [0x30...0x39]
    private static let word: [ClosedRange<UInt32>] = [0x61...0x7A, 0x41...0x5A, 0x30...0x39, 0x5F...0x5F]
    private static let lower: [ClosedRange<UInt32>] = [0x61...0x7A]

    mutating func alternation() -> Node? {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64, var branch = sequence() else { return nil }
        var branches: [Node] = []
        while peek == "|" {
            index += 1
            branches.append(branch)
            guard let next = sequence() else { return nil }
            branch = next
        }
        if branches.isEmpty { return branch }
        return .alternation(branches + [branch])
    }

    private mutating func sequence() -> Node? {
        var items: [Node] = []
        while let c = peek, c != "|", c != ")" {
            guard var atom = atom() else { return nil }
            while let (low, high) = quantifier() {
                guard high.map({ $0 >= low }) ?? true else { return nil }
                atom = .repetition(atom, min: low, max: high)
            }
            items.append(atom)
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private mutating func atom() -> Node? {
        guard let c = peek else { return nil }
        index += 1
        switch c {
        case "(":
            if peek == "?" {
                index += 1
                if peek == ":" {
                    index += 1
                } else if peek == "<" || peek == "P" {
                    if peek == "P" { index += 1 }
                    guard peek == "<" else { return nil }
                    index += 1
                    guard let c = peek, c != "=", c != "!" else { return nil }  // lookbehind
                    while let c = peek, c != ">" { index += 1 }
                    index += 1
                } else {
                    return nil  // lookahead, flags, conditionals
                }
            }
            guard let inner = alternation(), peek == ")" else { return nil }
            index += 1
            return inner
        case "[": return characterClass()
        case ".": return .set(Self.lower, negated: false)
        case "^", "$": return .empty
        case "\\":
            guard let escaped = escape(inClass: false) else { return nil }
            return escaped.ranges.isEmpty ? .empty : .set(escaped.ranges, negated: escaped.negated)
        case "*", "+", "?", ")": return nil
        case "{":
            index -= 1
            if quantifier() != nil { return nil }
            index += 1
            return .literal(c)
        default: return .literal(c)
        }
    }

    /// `(min, max)` of a quantifier at the cursor (consumed with any lazy/possessive suffix), else `nil`.
    private mutating func quantifier() -> (Int, Int?)? {
        guard let c = peek else { return nil }
        var result: (Int, Int?)
        switch c {
        case "*":
            result = (0, nil)
            index += 1
        case "+":
            result = (1, nil)
            index += 1
        case "?":
            result = (0, 1)
            index += 1
        case "{":
            let start = index
            index += 1
            guard let low = number() else {
                index = start
                return nil
            }
            var high: Int? = low
            if peek == "," {
                index += 1
                high = number()
            }
            guard peek == "}" else {
                index = start
                return nil
            }
            index += 1
            result = (low, high)
        default: return nil
        }
        if peek == "?" || peek == "+" { index += 1 }
        return result
    }

    private mutating func number() -> Int? {
        var value: Int?
        while let c = peek, let digit = Int(String(c)), (value ?? 0) < 100_000 {
            value = (value ?? 0) * 10 + digit
            index += 1
        }
        return value
    }

    private mutating func characterClass() -> Node? {
        var negated = false
        if peek == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while let c = peek, c != "]" || first {
            first = false
            index += 1
            var low: UInt32
            if c == "\\" {
                guard let escaped = escape(inClass: true), !escaped.negated else { return nil }
                guard escaped.ranges.count == 1, escaped.ranges[0].count == 1 else {
                    ranges += escaped.ranges
                    continue
                }
                low = escaped.ranges[0].lowerBound
            } else {
                low = c.value
            }
            if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                index += 1
                guard let d = peek else { return nil }
                index += 1
                var high = d.value
                if d == "\\" {
                    guard let escaped = escape(inClass: true), escaped.ranges.count == 1 else { return nil }
                    high = escaped.ranges[0].lowerBound
                }
                guard high >= low else { return nil }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        guard peek == "]" else { return nil }
        index += 1
        return .set(ranges, negated: negated)
    }

    /// The characters an escape after `\` stands for; `nil` for back-references and unknown forms.
    private mutating func escape(inClass: Bool) -> (ranges: [ClosedRange<UInt32>], negated: Bool)? {
        guard let c = peek else { return nil }
        index += 1
        func one(_ v: UInt32) -> ([ClosedRange<UInt32>], Bool) { ([v...v], false) }
        switch c {
        case "d": return (Self.digits, false)
        case "D": return inClass ? (Self.digits, true) : (Self.lower, false)
        case "w": return (Self.word, false)
        case "W": return inClass ? (Self.word, true) : one(0x2D)
        case "s": return one(0x20)
        case "S": return inClass ? ([0x20...0x20, 0x09...0x0D], true) : (Self.lower, false)
        case "t": return one(0x09)
        case "n": return one(0x0A)
        case "r": return one(0x0D)
        case "f": return one(0x0C)
        case "v": return one(0x0B)
        case "0": return one(0)
        case "b", "B": return inClass ? one(0x08) : ([], false)
        case "x": return hex(count: 2).map(one)
        case "u":
            if peek == "{" {
                index += 1
                var value: UInt32 = 0
                while let d = peek, d != "}", let digit = UInt32(String(d), radix: 16), value < 0x10FFFF {
                    value = value * 16 + digit
                    index += 1
                }
                guard peek == "}" else { return nil }
                index += 1
                return one(value)
            }
            return hex(count: 4).map(one)
        case "p", "P":
            guard peek == "{" else { return nil }
            var name = ""
            index += 1
            while let d = peek, d != "}" {
                name.unicodeScalars.append(d)
                index += 1
            }
            index += 1
            let ranges: [ClosedRange<UInt32>] =
                name.hasPrefix("N") || name == "Nd" ? Self.digits : name == "Lu" ? [0x41...0x5A] : Self.lower
            return (ranges, c == "P")
        case "1"..."9", "k", "c": return nil
        default: return one(c.value)
        }
    }

    private mutating func hex(count: Int) -> UInt32? {
        guard index + count <= scalars.count else { return nil }
        var text = ""
        for i in index..<(index + count) { text.unicodeScalars.append(scalars[i]) }
        guard let value = UInt32(text, radix: 16) else { return nil }
        index += count
        return value
    }
}

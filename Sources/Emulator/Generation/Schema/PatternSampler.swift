/// Makes strings that match a regular expression, for the `pattern` keyword.
///
/// Supported: literals and escaped metacharacters; `.`; classes `[a-z0-9_]` and `[^…]`; `\d \w \s`
/// and their negations; `\t \n \r \xHH \uHHHH \u{…}`; `\p{L}`-style properties (as letters or
/// digits); groups `(…)`, `(?:…)`, `(?<name>…)`, `(?P<name>…)`; alternation `|`; quantifiers
/// `* + ? {n} {n,} {n,m}` (lazy and possessive forms too); anchors `^ $ \b \B` (ignored, since the
/// whole sample is the match). Unbounded quantifiers repeat a few times; `stretch` adds more.
///
/// Not supported (the pattern is then treated as unknown and the caller falls back): lookaround,
/// back-references, and anything else `PatternSampler.parse(_:)` rejects. Samples are checked
/// with Swift's `Regex` by the caller, since a class such as `[^a]` or a pattern mixing anchors
/// inside alternations may still produce a string that doesn't match.
enum PatternSampler {
    indirect enum Node: Equatable {
        case empty
        case literal(Unicode.Scalar)
        case set([ClosedRange<UInt32>], negated: Bool)
        case sequence([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)
    }

    /// The pattern's syntax tree, or `nil` for syntax this sampler doesn't handle.
    static func parse(_ pattern: String) -> Node? {
        var parser = PatternParser(Array(pattern.unicodeScalars))
        guard let node = parser.alternation(), parser.atEnd else { return nil }
        return node
    }

    /// One string matching `node`, at most `maxLength` scalars long.
    static func sample(_ node: Node, stretch: Int, maxLength: Int, using rng: inout SeededRandom) -> String {
        var out = String.UnicodeScalarView()
        var budget = max(0, maxLength)
        emit(node, stretch: stretch, into: &out, budget: &budget, using: &rng)
        return String(out)
    }

    private static func emit(
        _ node: Node, stretch: Int, into out: inout String.UnicodeScalarView, budget: inout Int,
        using rng: inout SeededRandom
    ) {
        guard budget > 0 else { return }
        switch node {
        case .empty:
            break
        case .literal(let scalar):
            out.append(scalar)
            budget -= 1
        case .set(let ranges, let negated):
            out.append(pick(ranges, negated: negated, using: &rng))
            budget -= 1
        case .sequence(let nodes):
            for child in nodes { emit(child, stretch: stretch, into: &out, budget: &budget, using: &rng) }
        case .alternation(let branches):
            guard !branches.isEmpty else { return }
            let branch = branches[Int.random(in: 0..<branches.count, using: &rng)]
            emit(branch, stretch: stretch, into: &out, budget: &budget, using: &rng)
        case .repetition(let child, let low, let high):
            let spread = 3 + stretch * 2
            let top = high.map { min($0, low + spread) } ?? (low + spread)
            let count = top > low ? Int.random(in: low...top, using: &rng) : low
            for _ in 0..<min(count, budget) {
                emit(child, stretch: stretch, into: &out, budget: &budget, using: &rng)
            }
        }
    }

    private static let printable: [UInt32] =
        Array(0x61...0x7A) + Array(0x41...0x5A) + Array(0x30...0x39) + [0x5F, 0x2D, 0x2E, 0x20]

    private static func pick(_ ranges: [ClosedRange<UInt32>], negated: Bool, using rng: inout SeededRandom)
        -> Unicode.Scalar
    {
        if negated || ranges.isEmpty {
            let allowed = printable.filter { code in !ranges.contains { $0.contains(code) } }
            guard !allowed.isEmpty else { return "~" }
            return Unicode.Scalar(allowed[Int.random(in: 0..<allowed.count, using: &rng)]) ?? "~"
        }
        // Prefer readable characters inside wide ranges such as \u0000-\uFFFF.
        let total = ranges.reduce(0) { $0 + min(Int($1.upperBound - $1.lowerBound) + 1, 64) }
        var draw = Int.random(in: 0..<max(1, total), using: &rng)
        for range in ranges {
            let width = min(Int(range.upperBound - range.lowerBound) + 1, 64)
            if draw < width {
                if range.count > 64, let readable = printable.first(where: { range.contains($0) }) {
                    let inside = printable.filter { range.contains($0) }
                    return Unicode.Scalar(inside[draw % inside.count]) ?? Unicode.Scalar(readable) ?? "a"
                }
                let code = range.lowerBound + UInt32(draw)
                return Unicode.Scalar(code) ?? Unicode.Scalar(range.lowerBound) ?? "a"
            }
            draw -= width
        }
        return Unicode.Scalar(ranges[0].lowerBound) ?? "a"
    }
}

/// Compiled patterns and parsed samplers for one generation, keyed by pattern text.
struct PatternCache {
    private var trees: [String: PatternSampler.Node?] = [:]
    private var regexes: [String: Regex<AnyRegexOutput>?] = [:]

    /// A sample for `pattern`, or `nil` when the sampler can't read it.
    mutating func sample(_ pattern: String, stretch: Int, maxLength: Int, using rng: inout SeededRandom) -> String? {
        if trees[pattern] == nil { trees[pattern] = .some(PatternSampler.parse(pattern)) }
        guard let tree = trees[pattern] ?? nil else { return nil }
        return PatternSampler.sample(tree, stretch: stretch, maxLength: maxLength, using: &rng)
    }

    /// Whether `pattern` finds a match anywhere in `text` (JSON Schema patterns aren't anchored).
    /// A pattern Swift's `Regex` can't compile counts as matching.
    mutating func matches(_ text: String, _ pattern: String) -> Bool {
        if regexes[pattern] == nil { regexes[pattern] = .some(try? Regex(pattern)) }
        guard let regex = regexes[pattern] ?? nil else { return true }
        return ((try? regex.firstMatch(in: text)) ?? nil) != nil
    }
}

/// How answers are made up: content mode, lengths, seed, reasoning models.
public struct GenerationSettings: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case `static`
        case echo
        case lorem
    }

    public var mode: Mode = .static
    public var responseText = EmulatorConfiguration.defaultResponseText
    /// Output length of `lorem` answers, in tokens (inclusive range).
    public var outputTokens: ClosedRange<Int> = 100...100
    /// A default seed for requests without one: makes every answer reproducible.
    public var seed: UInt64?
    /// Model-name globs that behave as reasoning models.
    public var reasoningModels: [String] = ["o1*", "o3*", "o4*", "gpt-5*"]

    public init() {}

    public func isReasoningModel(_ model: String) -> Bool {
        reasoningModels.contains { Glob.matches($0, model) }
    }
}

/// Shell-style wildcards (`*`, `?`) for model names.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        // Most patterns tried against a model name differ in their first, literal, character.
        if let first = pattern.utf8.first, first != UInt8(ascii: "*"), first != UInt8(ascii: "?"),
            first != text.utf8.first
        {
            return false
        }
        var pattern = pattern, text = text
        // Native strings hand out their UTF-8 in place: no arrays on this per-request path.
        return pattern.withUTF8 { p in text.withUTF8 { t in matches(p, t) } }
    }

    static func matches(_ p: UnsafeBufferPointer<UInt8>, _ t: UnsafeBufferPointer<UInt8>) -> Bool {
        let star = UInt8(ascii: "*"), question = UInt8(ascii: "?")
        var pi = 0, ti = 0, lastStar = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == question || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == star {
                lastStar = pi
                mark = ti
                pi += 1
            } else if lastStar >= 0 {
                pi = lastStar + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == star { pi += 1 }
        return pi == p.count
    }
}

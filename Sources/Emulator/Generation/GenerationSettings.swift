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
        if pattern == "*" { return true }
        if !pattern.utf8.contains(UInt8(ascii: "*")) && !pattern.utf8.contains(UInt8(ascii: "?")) { return pattern == text }
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}

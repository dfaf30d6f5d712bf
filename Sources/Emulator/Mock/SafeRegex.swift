/// A regular expression for fixture matching.
struct SafeRegex: Sendable {
    let pattern: String

    init(_ pattern: String) throws {
        self.pattern = pattern
        _ = try Regex(pattern)
    }

    func matches(_ text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.firstMatch(in: text)) != nil
    }
}

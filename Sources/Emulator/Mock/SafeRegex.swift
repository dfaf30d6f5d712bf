/// A regular expression for fixture matching: Python `re` syntax, searched in linear time (no backtracking).
///
/// Patterns compile to a Thompson NFA (see `Regex/`) that is simulated over Unicode scalars, so hostile patterns such
/// as `(a+)+$` cannot blow up. Backreferences, lookaround, atomic groups and possessive quantifiers are rejected.
struct SafeRegex: Sendable {
    let pattern: String
    private let program: RxProgram

    /// Throws `RegexSyntaxError` ("unbalanced ')' at 7") for invalid or unsupported patterns.
    init(_ pattern: String) throws {
        self.pattern = pattern
        var parser = RxParser(pattern)
        program = try RxCompiler.compile(try parser.parse())
    }

    /// True when the pattern matches anywhere in `text` (like Python's `re.search`).
    func matches(_ text: String) -> Bool { program.search(text) }
}

/// Cross-checks SafeRegex against Python's `re.search` and checks errors and pathological patterns.
import Testing

@testable import Emulator

@Suite(.timeLimit(.minutes(1))) struct SafeRegexTests {
    /// (pattern, text, expected) with `expected` computed once by Python 3.11's `re.search(pattern, text) is not None`
    /// (`(?<name>…)` was given to Python as `(?P<name>…)`).
    static let pythonTable: [(String, String, Bool)] = [
        ("abc", "xxabcxx", true),
        ("abc", "abxc", false),
        ("", "", true),
        ("", "abc", true),
        ("a", "", false),
        ("hello world", "say hello world!", true),
        ("é", "café", true),
        ("日本", "こんにちは日本語", true),
        ("😀+", "ok 😀😀", true),
        ("a.c", "abc", true),
        ("a.c", "a\nc", false),
        ("(?s)a.c", "a\nc", true),
        ("a.c", "a\rc", true),
        ("...", "ab", false),
        ("^.$", "é", true),
        ("[abc]", "xxbxx", true),
        ("[abc]", "xyz", false),
        (#"[a-z]+\d"#, "ABC abc1", true),
        ("[^a-z]", "abc", false),
        ("[^a-z]", "abC", true),
        ("[]a]", "]", true),
        ("[^]a]", "]a", false),
        ("[a-]", "-", true),
        ("[-a]", "-", true),
        (#"[a\-z]"#, "-", true),
        (#"[a\]b]"#, "]", true),
        (#"[\[]"#, "[", true),
        (#"[\d]"#, "x9", true),
        (#"[\D]"#, "123", false),
        (#"[\w-]+@"#, "user-name@x", true),
        (#"[\s]"#, "a\tb", true),
        (#"[^\s]"#, "  \n", false),
        ("[.]", "a", false),
        ("[.]", ".", true),
        (#"[\b]"#, "\u{8}", true),
        ("[à-ÿ]", "voilà", true),
        ("[a-c-e]", "d", false),
        ("[a-c-e]", "-", true),
        (#"[\x41-\x43]"#, "B", true),
        (#"[\u00e0]"#, "à", true),
        (#"\d+"#, "abc 123", true),
        (#"\d"#, "abc", false),
        (#"\D"#, "123", false),
        (#"\w+"#, "!!!", false),
        (#"\w"#, "_", true),
        (#"\W"#, "abc_123", false),
        (#"\s"#, "a b", true),
        (#"\S"#, "   ", false),
        (#"\."#, "a.b", true),
        (#"\."#, "ab", false),
        (#"\\"#, "a\\b", true),
        (#"\/"#, "a/b", true),
        (#"a\tb"#, "a\tb", true),
        (#"a\nb"#, "a\nb", true),
        (#"\r\n"#, "x\r\ny", true),
        (#"\-"#, "-", true),
        (#"\[x\]"#, "[x]", true),
        (#"\x41"#, "A", true),
        (#"\u00e9"#, "é", true),
        (#"\U0001F600"#, "😀", true),
        (#"\0"#, "\u{0}", true),
        (#"\101"#, "A", true),
        (#"\*\+\?"#, "*+?", true),
        (#"\{\}"#, "{}", true),
        (#"\(\)"#, "()", true),
        (#"\^\$"#, "^$", true),
        (#"\|"#, "|", true),
        (#"\d"#, "٣", true),
        (#"\w"#, "é", true),
        (#"\s"#, "\u{a0}", true),
        (#"\s"#, "\u{1c}", true),
        (#"\w"#, "²", true),
        (#"\bcat\b"#, "the cat sat", true),
        (#"\bcat\b"#, "concatenate", false),
        (#"\Bcat\B"#, "concatenate", true),
        (#"\bé"#, "café", false),
        (#"\b"#, "   ", false),
        (#"\B"#, "ab", true),
        (#"\B"#, " ", true),
        (#"cat\b"#, "cat", true),
        (#"\b\w+\b"#, "!x!", true),
        ("^abc", "abcdef", true),
        ("^abc", "xabc", false),
        ("abc$", "xxabc", true),
        ("abc$", "abc\n", true),
        ("abc$", "abc\n\n", false),
        (#"abc\Z"#, "abc\n", false),
        (#"\Aabc"#, "abc", true),
        (#"\Aabc"#, "xabc", false),
        ("^b", "a\nb", false),
        ("(?m)^b", "a\nb", true),
        ("a$", "a\nb", false),
        ("(?m)a$", "a\nb", true),
        ("(?m)^$", "a\n\nb", true),
        ("^$", "", true),
        ("^$", "\n", true),
        ("$", "x", true),
        ("x^", "x", false),
        (#"(?m)b$\n^c"#, "ab\ncd", true),
        ("(ab)+", "ababab", true),
        ("(ab)+c", "abababd", false),
        ("(?:ab|cd)+e", "abcdcde", true),
        (#"(?P<year>\d{4})-(?P<m>\d\d)"#, "on 2024-05-01", true),
        (#"(?<word>\w+)!"#, "hi!", true),
        ("cat|dog", "hotdog", true),
        ("cat|dog", "bird", false),
        ("a(b|c|)d", "ad", true),
        ("a(|b)c", "abc", true),
        ("(a|ab)(c|bcd)(d*)", "abcd", true),
        ("()", "x", true),
        ("(a|)+b", "b", true),
        ("x(?:)y", "xy", true),
        ("(?#comment)ab", "ab", true),
        ("ab*c", "ac", true),
        ("ab+c", "ac", false),
        ("ab?c", "abbc", false),
        ("a{3}", "aa", false),
        ("a{3}", "aaa", true),
        ("a{2,}", "a", false),
        ("a{2,}", "aaaa", true),
        ("^a{2,3}$", "aaaa", false),
        ("^a{2,3}$", "aaa", true),
        ("^a{,2}$", "aa", true),
        ("^a{,2}$", "aaa", false),
        ("a{0}b", "b", true),
        ("^(ab){2}$", "abab", true),
        ("x{", "x{", true),
        ("x{a}", "x{a}", true),
        ("x{1,a}", "x{1,a}", true),
        ("{", "{", true),
        ("x{}", "x{}", true),
        ("a{,}", "aaa", true),
        ("^a*?$", "aaa", true),
        ("a+?b", "aaab", true),
        ("a??b", "b", true),
        ("^(a{1,3}?){2}$", "aaaa", true),
        ("^(?:a{2}){3}$", "aaaaaa", true),
        ("^(?:a{2}){3}$", "aaaaa", false),
        ("^a{1000}$", String(repeating: "a", count: 1000), true),
        ("^a{1000}$", String(repeating: "a", count: 999), false),
        ("(a*)*b", "aaab", true),
        ("(a*)+$", "b", true),
        (#"^(\d{3}-)?\d{4}$"#, "555-1234", true),
        (#"^(\d{3}-)?\d{4}$"#, "55-1234", false),
        ("(?i)hello", "HeLLo", true),
        ("(?i)[a-z]+$", "ABC", true),
        ("(?i)[^a-z]", "ABC", false),
        ("(?i)é", "É", true),
        ("(?i)σ", "Σ", true),
        ("(?i)ς", "σ", true),
        ("(?i)straße", "STRASSE", false),
        ("(?i)k", "\u{212a}", true),
        ("(?i)s", "\u{17f}", true),
        ("(?i:a)b", "Ab", true),
        ("(?i:a)b", "AB", false),
        (#"(?i)\w"#, "É", true),
        ("(?i)[A-Z]", "ß", false),
        ("(?i)i", "\u{130}", true),
        ("(?i)\u{131}", "I", true),
        ("(?is)a.b", "A\nB", true),
        ("(?ms)^a.b$", "x\na\nb\ny", true),
        ("(?si)^A.B$", "a\nb", true),
        ("(?i)(?m)^b", "A\nB", true),
        ("(?s:.)", "\n", true),
        ("(?-i:a)", "A", false),
        (#"(?i)\bweather\b.*\b(today|tomorrow)\b"#, "What's the WEATHER like tomorrow?", true),
        (#"^\s*(hi|hello|hey)\b"#, "  hey there", true),
        (#"\b\d{3}-\d{2}-\d{4}\b"#, "ssn 123-45-6789 ok", true),
        (#"^[\w.+-]+@[\w-]+\.[\w.]+$"#, "john.doe+tag@example.co.uk", true),
        (#""role":\s*"system""#, "{\"role\": \"system\"}", true),
        (#"https?://[^\s/]+/v1/"#, "see https://api.openai.com/v1/chat", true),
        ("translate .* into (French|German)", "translate this into German please", true),
        (#"^Summarize:?\s"#, "Summarize the following", true),
    ]

    @Test func matchesLikePythonSearch() throws {
        #expect(Self.pythonTable.count >= 80)
        for (pattern, text, expected) in Self.pythonTable {
            let regex = try SafeRegex(pattern)
            #expect(regex.matches(text) == expected, "/\(pattern)/ on \(text.debugDescription)")
        }
    }

    @Test func keepsThePattern() throws {
        #expect(try SafeRegex(#"a\d+"#).pattern == #"a\d+"#)
    }

    @Test func lazyQuantifiersGiveTheSameAnswer() throws {
        for (greedy, lazy) in [
            ("a*b", "a*?b"), ("a+b", "a+?b"), ("a?b", "a??b"), ("a{2,5}b", "a{2,5}?b"), ("a{2,}b", "a{2,}?b"),
        ] {
            for text in ["", "b", "ab", "aab", "aaaaaab", "aaaa", "xaaabx"] {
                #expect(try SafeRegex(greedy).matches(text) == SafeRegex(lazy).matches(text), "\(lazy) on \(text)")
            }
        }
    }

    @Test func bDoesNotMatchInsideEmptyTextButWorksAtEdges() throws {
        #expect(try !SafeRegex(#"\b"#).matches(""))
        #expect(try SafeRegex(#"\b"#).matches("a"))
        #expect(try SafeRegex(#"^\B$"#).matches(""))  // consistent with other engines (Python >= 3.14)
    }

    // MARK: - Invalid patterns

    /// (pattern, the error's full description)
    static let invalid: [(String, String)] = [
        ("a)", "unbalanced ')' at 1"),
        ("(a))", "unbalanced ')' at 3"),
        ("(ab", "missing ), unterminated subpattern at 0"),
        ("x(?:a|b", "missing ), unterminated subpattern at 1"),
        ("[abc", "unterminated character set at 0"),
        ("[]", "unterminated character set at 0"),
        ("*a", "nothing to repeat at 0"),
        ("a|+", "nothing to repeat at 2"),
        ("(*)", "nothing to repeat at 1"),
        ("^*", "nothing to repeat at 1"),
        (#"\b+"#, "nothing to repeat at 2"),
        ("{2}", "nothing to repeat at 0"),
        ("a**", "multiple repeat at 2"),
        ("a{2}{3}", "multiple repeat at 4"),
        ("a*?+", "multiple repeat at 3"),
        ("a++", "possessive quantifiers are not supported at 2"),
        ("a{3,2}", "min repeat greater than max repeat at 1"),
        ("a{1001}", "repetition count 1001 is larger than the limit of 1000 at 2"),
        ("a{2,99999}", "repetition count 99999 is larger than the limit of 1000 at 4"),
        (#"(a)\1"#, "backreferences are not supported at 3"),
        ("(?P<n>a)(?P=n)", "backreferences are not supported at 8"),
        ("x(?=a)", "lookahead is not supported at 1"),
        ("(?!a)", "lookahead is not supported at 0"),
        ("(?<=a)b", "lookbehind is not supported at 0"),
        ("(?<!a)b", "lookbehind is not supported at 0"),
        ("(?>a)", "atomic groups are not supported at 0"),
        ("(?(1)a|b)", "conditional groups are not supported at 0"),
        (#"\q"#, #"bad escape \q at 0"#),
        (#"[\B]"#, #"bad escape \B at 1"#),
        (#"ab\"#, "bad escape (end of pattern) at 2"),
        (#"\x4"#, #"incomplete escape \x4 at 0"#),
        (#"\N{EM DASH}"#, #"named character escapes (\N{...}) are not supported at 0"#),
        ("[z-a]", "bad character range z-a at 1"),
        (#"[\d-z]"#, #"bad character range \d-z at 1"#),
        ("a(?i)b", "global flags not at the start of the expression at 1"),
        ("(?i", "missing -, : or ) at 3"),
        ("(?x)a", "verbose flag (?x) is not supported at 2"),
        ("(?Q)", "unknown extension ?Q at 0"),
        ("(?<1a>x)", "bad character in group name '1a' at 3"),
        ("(?P<a>x)(?P<a>y)", "redefinition of group name 'a' at 12"),
        ("(?<a", "missing >, unterminated name at 3"),
        ("(?#abc", "missing ), unterminated comment at 0"),
    ]

    @Test func rejectsInvalidPatternsSayingWhatAndWhere() {
        for (pattern, message) in Self.invalid {
            do {
                _ = try SafeRegex(pattern)
                Issue.record("/\(pattern)/ should be rejected")
            } catch {
                #expect("\(error)" == message, "/\(pattern)/")
            }
        }
    }

    @Test func enforcesSizeLimits() throws {
        #expect(throws: RegexSyntaxError.self) { try SafeRegex(String(repeating: "a", count: 10_001)) }
        let distinct = String(String.UnicodeScalarView((0..<10_000).compactMap { Unicode.Scalar(0x4E00 + $0) }))
        #expect(try SafeRegex(distinct).matches("<" + distinct + ">"))
        // Counted repetitions are expanded by copying, so nesting them multiplies the NFA size.
        #expect(throws: RegexSyntaxError.self) { try SafeRegex("(a{1000}){1000}") }
        #expect(throws: RegexSyntaxError.self) { try SafeRegex("((((a{1000}){1000}){1000}){1000}){1000}") }
        #expect(try SafeRegex("^(a{100}){100}$").matches(String(repeating: "a", count: 10_000)))
        #expect(try !SafeRegex("^(a{100}){100}$").matches(String(repeating: "a", count: 9_999)))
        let deep = String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)
        #expect(try SafeRegex(deep).matches("a"))
        #expect(throws: RegexSyntaxError.self) { try SafeRegex("(" + deep + ")") }
    }

    // MARK: - Pathological patterns (exponential for backtracking engines)

    static let longA = String(repeating: "a", count: 30_000)

    @Test func nestedPlusAgainstAlmostMatchingText() throws {
        #expect(try !SafeRegex("(a+)+$").matches(Self.longA + "!"))
        #expect(try SafeRegex("(a+)+$").matches(Self.longA))
        #expect(try !SafeRegex("^(a+)+$").matches(Self.longA + "!"))
    }

    @Test func overlappingAlternativesUnderStar() throws {
        #expect(try !SafeRegex("(a|aa)*b").matches(Self.longA))
        #expect(try SafeRegex("(a|aa)*b").matches(Self.longA + "b"))
        #expect(try !SafeRegex("^(a|a?)+$").matches(Self.longA + "b"))
    }

    @Test func repeatedDotStar() throws {
        #expect(try SafeRegex("(.*a){20}").matches(Self.longA))
        let nineteen = String(repeating: "ab", count: 19) + String(repeating: "b", count: 30_000)
        #expect(try !SafeRegex("(.*a){20}").matches(nineteen))
    }

    @Test func otherClassicBlowups() throws {
        #expect(try !SafeRegex("(x+x+)+y").matches(String(repeating: "x", count: 30_000)))
        #expect(try SafeRegex("^(a?){25}a{25}$").matches(String(repeating: "a", count: 25)))
        #expect(try !SafeRegex(#"^(\w+\s?)+$"#).matches(String(repeating: "word ", count: 6_000) + "!"))
        #expect(try !SafeRegex("((a{1,10}){1,10}){1,10}b").matches(String(repeating: "a", count: 3_000)))
        #expect(try !SafeRegex("(?i)(A|a)*(a|A)*c").matches(Self.longA))
    }
}

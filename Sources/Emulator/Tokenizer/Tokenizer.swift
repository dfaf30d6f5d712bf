/// A run of text that is one or more whole tokens, cut at character boundaries.
public struct TokenPiece: Sendable, Equatable {
    public var text: Substring
    public var tokens: Int

    public init(text: Substring, tokens: Int) {
        self.text = text
        self.tokens = tokens
    }
}

/// Counts and splits text into tokens. One tokenizer serves a request from start to end, so
/// `completion_tokens`, stream chunks and `max_tokens` cuts all agree.
public protocol Tokenizer: Sendable {
    /// The encoding's name ("cl100k_base", "o200k_base", "estimate").
    var name: String { get }

    /// The number of tokens in `text`.
    func count(_ text: String) -> Int

    /// Splits `text` into pieces whose concatenation is `text` and whose `tokens` add up to
    /// `count(text)`. Each piece is one token except where a token boundary falls inside a
    /// character (emoji, some CJK): then the piece spans the tokens up to the next boundary.
    func pieces(_ text: String) -> [TokenPiece]
}

/// The loaded encodings, and the choice of one per model name.
///
/// o200k_base serves gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3, o4 and chatgpt-4o models; cl100k_base
/// serves gpt-4, gpt-3.5 and text-embedding models. Other models get whichever encoding is loaded
/// (o200k_base first), and with no ranks file at all every model gets the `EstimatingTokenizer`.
public struct TokenizerSet: Sendable {
    /// The loaded exact encodings, by name.
    public let encodings: [String: BPETokenizer]
    /// Used when no encoding is loaded.
    public let estimator = EstimatingTokenizer()

    private static let o200kPrefixes = ["gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o"]
    private static let cl100kPrefixes = ["gpt-4", "gpt-3.5", "text-embedding-"]

    /// A set of already loaded encodings (the later of two with one name wins).
    public init(_ tokenizers: [BPETokenizer] = []) {
        var encodings: [String: BPETokenizer] = [:]
        for tokenizer in tokenizers { encodings[tokenizer.name] = tokenizer }
        self.encodings = encodings
    }

    /// Loads each ranks file given with `--tokenizer`.
    /// - Throws: `TokenizerError` for a file that is unreadable, malformed or of unknown encoding.
    public init(files: [String]) throws {
        self.init(try files.map { try BPETokenizer.load(path: $0) })
    }

    /// The tokenizer that counts for `model`.
    public func tokenizer(forModel model: String) -> any Tokenizer {
        if encodings.isEmpty { return estimator }
        if let name = TokenizerSet.encodingName(forModel: model), let tokenizer = encodings[name] {
            return tokenizer
        }
        if let fallback = encodings["o200k_base"] ?? encodings["cl100k_base"] { return fallback }
        return estimator
    }

    /// The encoding OpenAI uses for `model`, or `nil` when the name is not a known family.
    public static func encodingName(forModel model: String) -> String? {
        var name = model.lowercased()
        if name.hasPrefix("ft:") { name.removeFirst(3) }
        if o200kPrefixes.contains(where: { name.hasPrefix($0) }) { return "o200k_base" }
        if cl100kPrefixes.contains(where: { name.hasPrefix($0) }) { return "cl100k_base" }
        return nil
    }
}

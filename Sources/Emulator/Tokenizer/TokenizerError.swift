/// Why a ranks file could not be loaded.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadableFile(path: String)
    /// A line is not `base64-bytes rank`, or the file lacks something every encoding needs.
    case malformedFile(path: String, line: Int, reason: String)
    /// The vocabulary size matches neither cl100k_base (~100k) nor o200k_base (~200k).
    case unknownEncoding(path: String, ranks: Int)

    public var description: String {
        switch self {
        case .unreadableFile(let path):
            return "cannot read tokenizer file '\(path)'"
        case .malformedFile(let path, let line, let reason):
            return "tokenizer file '\(path)' is not a tiktoken ranks file (line \(line): \(reason))"
        case .unknownEncoding(let path, let ranks):
            return "tokenizer file '\(path)' has \(ranks) ranks: expected cl100k_base (~100k) or o200k_base (~200k)"
        }
    }
}

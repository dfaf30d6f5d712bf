/// Applies stop sequences and token caps to an answer text, the way a model's decoder stops.
public enum TextCutter {
    public struct Result: Sendable {
        public var text: String
        public var pieces: [TokenPiece]
        public var tokens: Int
        /// "stop" or "length".
        public var finishReason: String
        /// The stop sequence that ended the text, if one did.
        public var stopSequence: String?
    }

    /// Cuts `text` before the earliest stop sequence, then to at most `maxTokens` tokens. When the
    /// cap cuts, the reported token count is the cap exactly.
    /// - Parameter known: `tokenizer.pieces(text)`, when the caller has them already.
    public static func cut(_ text: String, stop: [String], maxTokens: Int?, tokenizer: any Tokenizer,
                           pieces known: [TokenPiece]? = nil) -> Result {
        var kept = Substring(text)
        var earliest = text.endIndex
        var matched: String?
        for s in stop where !s.isEmpty {
            if let r = text.range(of: s), r.lowerBound < earliest {
                earliest = r.lowerBound
                matched = s
            }
        }
        kept = kept[..<earliest]
        let pieces = earliest == text.endIndex ? known ?? tokenizer.pieces(text) : tokenizer.pieces(String(kept))
        let total = pieces.reduce(0) { $0 + $1.tokens }
        guard let cap = maxTokens, total > cap else {
            return Result(text: String(kept), pieces: pieces, tokens: total, finishReason: "stop", stopSequence: matched)
        }
        var out: [TokenPiece] = []
        var used = 0
        for p in pieces {
            if used + p.tokens > cap { break }
            out.append(p)
            used += p.tokens
        }
        let cutText = out.reduce(into: "") { $0 += $1.text }
        return Result(text: cutText, pieces: out, tokens: cap, finishReason: "length", stopSequence: nil)
    }
}

extension String {
    /// The first range of `needle`, by UTF-8 bytes (no Foundation).
    func range(of needle: String) -> Range<String.Index>? {
        let h = Array(utf8), n = Array(needle.utf8)
        guard !n.isEmpty, n.count <= h.count else { return nil }
        var i = 0
        while i + n.count <= h.count {
            if h[i] == n[0] && Array(h[i..<i + n.count]) == n {
                let lower = utf8.index(startIndex, offsetBy: i)
                // Only accept matches on character boundaries.
                if lower.samePosition(in: unicodeScalars) != nil {
                    return lower..<utf8.index(lower, offsetBy: n.count)
                }
            }
            i += 1
        }
        return nil
    }
}

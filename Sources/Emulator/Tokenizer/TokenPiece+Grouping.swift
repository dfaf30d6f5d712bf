extension TokenPiece {
    /// Where each of these consecutive pieces ends, as a UTF-8 offset from the first one's start:
    /// 4 bytes a token, which is all a stream needs to keep to cut its text into frames.
    static func utf8Ends(_ pieces: [TokenPiece]) -> [UInt32] {
        var ends: [UInt32] = []
        ends.reserveCapacity(pieces.count)
        var end = 0
        for piece in pieces {
            end += piece.text.utf8.count
            ends.append(UInt32(end))
        }
        return ends
    }

    /// Groups single tokens into pieces that end on character boundaries.
    ///
    /// - Parameters:
    ///   - text: the text the tokens cover.
    ///   - tokenEnds: the byte offset where each token ends, in order; the last is the byte count.
    ///   - utf8: the bytes of `text`.
    /// - Returns: pieces whose concatenation is `text`; a token that ends inside a UTF-8 sequence is
    ///   joined with the tokens after it up to the next boundary.
    static func grouping(_ text: String, tokenEnds: [Int], utf8: [UInt8]) -> [TokenPiece] {
        var runs: [(end: Int, tokens: Int)] = []
        runs.reserveCapacity(tokenEnds.count)
        var pending = 0
        for end in tokenEnds {
            pending += 1
            if end < utf8.count && utf8[end] & 0xC0 == 0x80 { continue }
            runs.append((end, pending))
            pending = 0
        }
        return slicing(text, runs: runs)
    }

    /// Cuts `text` at the given byte offsets, which must fall on unicode scalar boundaries.
    /// - Parameters:
    ///   - runs: each piece's end byte offset and token count, in order; the last end is the byte count.
    static func slicing(_ text: String, runs: [(end: Int, tokens: Int)]) -> [TokenPiece] {
        var result: [TokenPiece] = []
        result.reserveCapacity(runs.count)
        let view = text.utf8
        var startIndex = view.startIndex
        var startOffset = 0
        for run in runs {
            let endIndex = view.index(startIndex, offsetBy: run.end - startOffset)
            result.append(TokenPiece(text: text[startIndex..<endIndex], tokens: run.tokens))
            startIndex = endIndex
            startOffset = run.end
        }
        return result
    }
}

/// An exact tiktoken encoding (cl100k_base or o200k_base) driven by a `.tiktoken` ranks file.
///
/// Text is split with the encoding's pattern and each piece is byte-pair merged by rank, as
/// tiktoken's `encode_ordinary` does. Special tokens such as `<|endoftext|>` are plain text here.
public struct BPETokenizer: Tokenizer {
    public let name: String
    let table: RankTable
    let pattern: PreTokenizer

    init(name: String, table: RankTable, pattern: PreTokenizer) {
        self.name = name
        self.table = table
        self.pattern = pattern
    }

    /// The number of ranks in the vocabulary.
    public var vocabularySize: Int { table.count }

    public func count(_ text: String) -> Int {
        var total = 0
        forEachToken(text) { _, _, _ in total += 1 }
        return total
    }

    public func pieces(_ text: String) -> [TokenPiece] {
        var ends: [Int] = []
        forEachToken(text) { _, end, _ in ends.append(end) }
        return TokenPiece.grouping(text, tokenEnds: ends, utf8: Array(text.utf8))
    }

    /// The token ids of `text`, as `tiktoken`'s `encode_ordinary` returns them.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        forEachToken(text) { _, _, rank in ids.append(Int(rank)) }
        return ids
    }

    /// Calls `body` with each token's byte range in `text` and its rank, in order.
    func forEachToken(_ text: String, _ body: (Int, Int, UInt32) -> Void) {
        var copy = text
        copy.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            let scalars = ScalarText(bytes)
            let ends = pattern.split(scalars)
            var merge = BytePairMerge()
            var startScalar = 0
            for endScalar in ends {
                let start = scalars.offsets[startScalar]
                let end = scalars.offsets[endScalar]
                startScalar = endScalar
                let length = end - start
                let whole = table.rank(base + start, length)
                if whole != RankTable.missing {
                    body(start, end, whole)
                    continue
                }
                merge.merge(base + start, length, table: table) { a, b in
                    body(start + a, start + b, table.rank(base + start + a, b - a))
                }
            }
        }
    }
}

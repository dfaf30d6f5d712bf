import Foundation

extension BPETokenizer {
    /// Loads a tiktoken ranks file (each line: base64 token bytes, a space, the rank).
    ///
    /// The encoding is named after the file when its name contains `cl100k` or `o200k`, otherwise
    /// after its vocabulary size.
    /// - Throws: `TokenizerError` when the file is unreadable, malformed or of an unknown encoding.
    public static func load(path: String) throws -> BPETokenizer {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError.unreadableFile(path: path)
        }
        let table = try parseRanks([UInt8](data), path: path)
        let name = try encodingName(path: path, ranks: table.count)
        return BPETokenizer(name: name, table: table, pattern: name == "o200k_base" ? .o200k : .cl100k)
    }

    /// The encoding a ranks file holds, from its name or else its size.
    static func encodingName(path: String, ranks: Int) throws -> String {
        let file = path.split(separator: "/").last.map(String.init)?.lowercased() ?? ""
        if file.contains("o200k") { return "o200k_base" }
        if file.contains("cl100k") { return "cl100k_base" }
        switch ranks {
        case 90_000..<120_000: return "cl100k_base"
        case 180_000..<230_000: return "o200k_base"
        default: throw TokenizerError.unknownEncoding(path: path, ranks: ranks)
        }
    }

    /// Parses the lines of a ranks file into a table.
    static func parseRanks(_ data: [UInt8], path: String) throws -> RankTable {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.count)
        var entries: [(start: Int, length: Int, rank: UInt32)] = []
        entries.reserveCapacity(data.count / 12)
        var line = 0
        var i = 0
        while i < data.count {
            line += 1
            var end = i
            while end < data.count && data[end] != 0x0A { end += 1 }
            var stop = end
            if stop > i && data[stop - 1] == 0x0D { stop -= 1 }
            defer { i = end + 1 }
            if stop == i { continue }
            guard let space = data[i..<stop].firstIndex(of: 0x20) else {
                throw TokenizerError.malformedFile(path: path, line: line, reason: "no space before the rank")
            }
            let start = bytes.count
            guard Base64.decode(data[i..<space], into: &bytes), bytes.count > start else {
                throw TokenizerError.malformedFile(path: path, line: line, reason: "bad base64 token")
            }
            var rank: UInt64 = 0
            var j = space + 1
            guard j < stop else { throw TokenizerError.malformedFile(path: path, line: line, reason: "missing rank") }
            while j < stop {
                let digit = data[j] &- 0x30
                guard digit < 10, rank < UInt64(UInt32.max) / 10 else {
                    throw TokenizerError.malformedFile(path: path, line: line, reason: "bad rank")
                }
                rank = rank * 10 + UInt64(digit)
                j += 1
            }
            entries.append((start, bytes.count - start, UInt32(rank)))
        }
        guard !entries.isEmpty else {
            throw TokenizerError.malformedFile(path: path, line: line, reason: "no ranks")
        }
        let table = RankTable(bytes: bytes, entries: entries)
        if let missing = table.byteRanks.firstIndex(of: RankTable.missing) {
            throw TokenizerError.malformedFile(path: path, line: line, reason: "no rank for byte \(missing)")
        }
        return table
    }
}

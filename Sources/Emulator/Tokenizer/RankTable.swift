/// A read-only map from byte sequences to BPE ranks: an open-addressing hash table over one
/// contiguous arena of token bytes, built once when a ranks file is loaded.
///
/// Immutable after `init`, so sharing it between threads is safe.
final class RankTable: @unchecked Sendable {
    /// Rank returned for byte sequences that are not in the table.
    static let missing = UInt32.max

    private let arena: UnsafeMutablePointer<UInt8>
    /// Per entry: start in `arena`, length and rank.
    private let starts: UnsafeMutablePointer<UInt32>
    private let lengths: UnsafeMutablePointer<UInt32>
    private let ranks: UnsafeMutablePointer<UInt32>
    /// Per slot: entry index + 1, or 0 when empty.
    private let slots: UnsafeMutablePointer<UInt32>
    private let mask: Int
    private let entryCount: Int

    /// The rank of each single byte (every byte must have one for BPE to cover all text).
    let byteRanks: [UInt32]

    /// The number of entries.
    var count: Int { entryCount }

    /// Builds the table.
    /// - Parameters:
    ///   - bytes: all token byte sequences laid end to end.
    ///   - entries: where each token lies in `bytes`, with its rank; byte sequences must be distinct.
    init(bytes: [UInt8], entries: [(start: Int, length: Int, rank: UInt32)]) {
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        bytes.withUnsafeBufferPointer { arena.initialize(from: $0.baseAddress!, count: bytes.count) }
        self.arena = arena
        entryCount = entries.count
        let starts = UnsafeMutablePointer<UInt32>.allocate(capacity: max(entries.count, 1))
        let lengths = UnsafeMutablePointer<UInt32>.allocate(capacity: max(entries.count, 1))
        let ranks = UnsafeMutablePointer<UInt32>.allocate(capacity: max(entries.count, 1))
        self.starts = starts
        self.lengths = lengths
        self.ranks = ranks
        var slotCount = 16
        while slotCount < entries.count * 2 { slotCount <<= 1 }
        let mask = slotCount - 1
        self.mask = mask
        let slots = UnsafeMutablePointer<UInt32>.allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
        self.slots = slots
        var singles = [UInt32](repeating: RankTable.missing, count: 256)
        for (index, entry) in entries.enumerated() {
            starts[index] = UInt32(entry.start)
            lengths[index] = UInt32(entry.length)
            ranks[index] = entry.rank
            if entry.length == 1 { singles[Int(bytes[entry.start])] = entry.rank }
            var slot = RankTable.hash(arena + entry.start, entry.length) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index + 1)
        }
        byteRanks = singles
    }

    deinit {
        arena.deallocate()
        starts.deallocate()
        lengths.deallocate()
        ranks.deallocate()
        slots.deallocate()
    }

    /// The rank of the `length` bytes at `bytes`, or `RankTable.missing`.
    @inline(__always) func rank(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        if length == 1 { return byteRanks[Int(bytes[0])] }
        var slot = RankTable.hash(bytes, length) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return RankTable.missing }
            let index = entry - 1
            if Int(lengths[index]) == length && equal(arena + Int(starts[index]), bytes, length) {
                return ranks[index]
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always) private func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// FNV-1a over the bytes, with a final mix so the low bits spread well.
    @inline(__always) static func hash(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        var i = 0
        while i < length {
            h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01B3
            i += 1
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }
}

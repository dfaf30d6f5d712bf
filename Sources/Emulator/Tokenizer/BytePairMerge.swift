/// tiktoken's byte-pair merge: repeatedly joins the adjacent pair whose joined bytes have the lowest
/// rank (the leftmost one on ties) until no joined pair is in the vocabulary.
///
/// Short pieces use tiktoken's own quadratic scan; long ones (a minified blob, a huge run of one
/// character) use a heap, which makes the same choices in the same order.
struct BytePairMerge {
    /// Pieces at most this long use the quadratic scan.
    static let scanLimit = 256

    private var starts: [Int] = []
    private var ranks: [UInt32] = []
    private var heap: [UInt64] = []
    private var next: [Int32] = []
    private var previous: [Int32] = []
    private var pairRank: [UInt32] = []

    /// Merges the `length` bytes at `piece` (at least two) and reports each token's byte range.
    /// - Parameters:
    ///   - emit: called once per token, in order, with its start and end offsets within the piece.
    mutating func merge(
        _ piece: UnsafePointer<UInt8>, _ length: Int, table: RankTable, emit: (Int, Int) -> Void
    ) {
        if length <= BytePairMerge.scanLimit {
            scan(piece, length, table: table, emit: emit)
        } else {
            heapMerge(piece, length, table: table, emit: emit)
        }
    }

    private mutating func scan(
        _ piece: UnsafePointer<UInt8>, _ length: Int, table: RankTable, emit: (Int, Int) -> Void
    ) {
        starts.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
        var minRank = RankTable.missing
        var minIndex = 0
        for i in 0..<(length - 1) {
            let rank = table.rank(piece + i, 2)
            if rank < minRank {
                minRank = rank
                minIndex = i
            }
            starts.append(i)
            ranks.append(rank)
        }
        starts.append(length - 1)
        ranks.append(RankTable.missing)
        starts.append(length)
        ranks.append(RankTable.missing)

        while minRank != RankTable.missing {
            let i = minIndex
            if i > 0 { ranks[i - 1] = rankOfSpan(piece, from: i - 1, table: table) }
            ranks[i] = rankOfSpan(piece, from: i, table: table)
            starts.remove(at: i + 1)
            ranks.remove(at: i + 1)
            minRank = RankTable.missing
            for j in 0..<(ranks.count - 1) where ranks[j] < minRank {
                minRank = ranks[j]
                minIndex = j
            }
        }
        for j in 0..<(starts.count - 1) { emit(starts[j], starts[j + 1]) }
    }

    /// The rank of parts `i` and `i + 1` joined with `i + 2` (tiktoken's `get_rank`), as seen
    /// before part `i + 1` is removed.
    @inline(__always) private func rankOfSpan(_ piece: UnsafePointer<UInt8>, from i: Int, table: RankTable) -> UInt32 {
        guard i + 3 < starts.count else { return RankTable.missing }
        return table.rank(piece + starts[i], starts[i + 3] - starts[i])
    }

    private mutating func heapMerge(
        _ piece: UnsafePointer<UInt8>, _ length: Int, table: RankTable, emit: (Int, Int) -> Void
    ) {
        // Parts are named by their start offset; `next[length]` closes the list.
        next = (0...length).map { Int32($0 + 1) }
        previous = (0...length).map { Int32($0 - 1) }
        pairRank = [UInt32](repeating: RankTable.missing, count: length + 1)
        heap.removeAll(keepingCapacity: true)
        for i in 0..<(length - 1) {
            let rank = table.rank(piece + i, 2)
            pairRank[i] = rank
            if rank != RankTable.missing { push(UInt64(rank) << 32 | UInt64(i)) }
        }
        while let top = pop() {
            let start = Int(top & 0xFFFF_FFFF)
            let rank = UInt32(top >> 32)
            guard pairRank[start] == rank, previous[start] != -2 else { continue }
            // Join `start` with the part after it.
            let removed = Int(next[start])
            let after = Int(next[removed])
            next[start] = Int32(after)
            previous[after] = Int32(start)
            previous[removed] = -2
            pairRank[removed] = RankTable.missing
            updatePair(at: start, piece, length, table: table)
            let before = Int(previous[start])
            if before >= 0 { updatePair(at: before, piece, length, table: table) }
        }
        var start = 0
        while start < length {
            let end = Int(next[start])
            emit(start, end)
            start = end
        }
    }

    /// Recomputes the rank of joining the part at `start` with the one after it.
    private mutating func updatePair(at start: Int, _ piece: UnsafePointer<UInt8>, _ length: Int, table: RankTable) {
        let second = Int(next[start])
        guard second < length else {
            pairRank[start] = RankTable.missing
            return
        }
        let end = Int(next[second])
        let rank = table.rank(piece + start, end - start)
        pairRank[start] = rank
        if rank != RankTable.missing { push(UInt64(rank) << 32 | UInt64(start)) }
    }

    private mutating func push(_ key: UInt64) {
        heap.append(key)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent] <= heap[i] { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private mutating func pop() -> UInt64? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return first }
        heap[0] = last
        var i = 0
        while true {
            let left = 2 * i + 1
            if left >= heap.count { break }
            var child = left
            if left + 1 < heap.count && heap[left + 1] < heap[left] { child = left + 1 }
            if heap[i] <= heap[child] { break }
            heap.swapAt(i, child)
            i = child
        }
        return first
    }
}

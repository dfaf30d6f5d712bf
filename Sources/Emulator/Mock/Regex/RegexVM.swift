/// Simulates an `RxProgram` over the text's Unicode scalars in lockstep (Pike VM): O(states × text), no backtracking.

extension RxProgram {
    /// True when the pattern matches somewhere in `text` (a search, not an anchored match).
    func search(_ text: String) -> Bool {
        RxVM(program: self, text: text).run()
    }
}

/// A set of program counters with O(1) insert, membership and clear.
private struct RxStateSet {
    var dense: [Int]
    var sparse: [Int]
    var count = 0

    init(capacity: Int) {
        dense = Array(repeating: 0, count: capacity)
        sparse = Array(repeating: 0, count: capacity)
    }

    /// Inserts `pc`; false when it was already present.
    mutating func insert(_ pc: Int) -> Bool {
        let i = sparse[pc]
        if i < count && dense[i] == pc { return false }
        sparse[pc] = count
        dense[count] = pc
        count += 1
        return true
    }

    mutating func clear() { count = 0 }
}

private struct RxVM {
    let insts: [RxInst]
    let sets: [RxCharSet]
    let anchored: Bool
    let text: [UInt32]
    /// Case variants of each text scalar, filled only for case-insensitive programs.
    var folded: [UInt32] = []
    var lower: [UInt32] = []
    var upper: [UInt32] = []

    init(program: RxProgram, text: String) {
        insts = program.insts
        sets = program.sets
        anchored = program.anchoredAtStart
        self.text = text.unicodeScalars.map(\.value)
        if program.usesCaseFolding {
            lower = self.text.map(RxUnicode.lower)
            upper = self.text.map(RxUnicode.upper)
            folded = upper.map(RxUnicode.lower)
        }
    }

    func run() -> Bool {
        var current = RxStateSet(capacity: insts.count)
        var next = RxStateSet(capacity: insts.count)
        var stack: [Int] = []
        if addThread(to: &current, pc: 0, at: 0, stack: &stack) { return true }
        let n = text.count
        var i = 0
        while i < n {
            if anchored && current.count == 0 { return false }
            let c = text[i]
            for k in 0..<current.count {
                let pc = current.dense[k]
                let ok: Bool
                switch insts[pc] {
                case .scalar(let x): ok = c == x
                case .foldedScalar(let x): ok = folded[i] == x
                case .anyButNewline: ok = c != 0x0A
                case .anyScalar: ok = true
                case .set(let s): ok = sets[s].contains(c)
                case .foldedSet(let s): ok = sets[s].contains(c, lower: lower[i], upper: upper[i], folded: folded[i])
                case .split, .jump, .assert, .match: ok = false
                }
                if ok && addThread(to: &next, pc: pc + 1, at: i + 1, stack: &stack) { return true }
            }
            i += 1
            // A search starts a new attempt at every offset.
            if !anchored && addThread(to: &next, pc: 0, at: i, stack: &stack) { return true }
            swap(&current, &next)
            next.clear()
        }
        return false
    }

    /// Adds `pc` and everything reachable from it by epsilon moves at text offset `i`; true on reaching `match`.
    private func addThread(to set: inout RxStateSet, pc start: Int, at i: Int, stack: inout [Int]) -> Bool {
        stack.append(start)
        while let pc = stack.popLast() {
            guard set.insert(pc) else { continue }
            switch insts[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assert(let assertion):
                if holds(assertion, at: i) { stack.append(pc + 1) }
            case .match:
                stack.removeAll(keepingCapacity: true)
                return true
            default:
                break
            }
        }
        return false
    }

    private func isWord(at i: Int) -> Bool { i >= 0 && i < text.count && RxUnicode.isWord(text[i]) }

    private func holds(_ assertion: RxAssertion, at i: Int) -> Bool {
        let n = text.count
        switch assertion {
        case .textStart: return i == 0
        case .lineStart: return i == 0 || text[i - 1] == 0x0A
        case .textEnd: return i == n
        case .textEndOrFinalNewline: return i == n || (i == n - 1 && text[i] == 0x0A)
        case .lineEnd: return i == n || text[i] == 0x0A
        case .wordBoundary: return isWord(at: i - 1) != isWord(at: i)
        case .notWordBoundary: return isWord(at: i - 1) == isWord(at: i)
        }
    }
}

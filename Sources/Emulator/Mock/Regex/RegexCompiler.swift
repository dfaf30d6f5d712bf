/// Compiles an `RxNode` tree to a Thompson NFA program, expanding counted repetition and enforcing the state limit.

/// One NFA state. Consuming states advance to `pc + 1`.
enum RxInst: Sendable {
    case scalar(UInt32)
    /// Compares the text scalar's case fold with this (already folded) scalar.
    case foldedScalar(UInt32)
    /// `.` without `(?s)`: anything but a newline.
    case anyButNewline
    case anyScalar
    /// Index into `RxProgram.sets`.
    case set(Int)
    case foldedSet(Int)
    /// Epsilon transitions: both targets, the first preferred.
    case split(Int, Int)
    case jump(Int)
    case assert(RxAssertion)
    case match
}

/// A compiled pattern; program counter 0 is the start state.
struct RxProgram: Sendable {
    var insts: [RxInst] = []
    var sets: [RxCharSet] = []
    /// Every match must start at offset 0 (the pattern begins with `\A` or `^` without `(?m)`).
    var anchoredAtStart = false
    /// Some state compares case-insensitively, so the VM precomputes case variants of the text.
    var usesCaseFolding = false
}

enum RxCompiler {
    static let maxStates = 100_000

    static func compile(_ root: RxNode) throws(RegexSyntaxError) -> RxProgram {
        let states = size(root) + 1
        guard states <= maxStates else {
            throw RegexSyntaxError(
                "pattern is too large: it needs more than \(maxStates) NFA states (counted repetitions are expanded)",
                at: nil)
        }
        var program = RxProgram()
        program.insts.reserveCapacity(states)
        emit(root, into: &program)
        program.insts.append(.match)
        switch root {
        case .assertion(.textStart): program.anchoredAtStart = true
        case .concat(let items):
            if case .assertion(.textStart) = items.first { program.anchoredAtStart = true }
        default: break
        }
        return program
    }

    /// Number of states `emit` produces for `node`, saturating just above the limit.
    static func size(_ node: RxNode) -> Int {
        let cap = maxStates + 1
        switch node {
        case .empty:
            return 0
        case .scalar, .any, .set, .assertion:
            return 1
        case .concat(let items):
            return items.reduce(0) { min(cap, $0 + size($1)) }
        case .alternation(let branches):
            return min(cap, branches.reduce(0) { min(cap, $0 + size($1)) } + 2 * (branches.count - 1))
        case .repetition(let body, let lo, let hi, _):
            let s = size(body)
            let total: Int
            if let hi {
                total = lo * s + (hi - lo) * (s + 1)
            } else {
                total = lo == 0 ? s + 2 : lo * s + 1
            }
            return min(cap, total)
        }
    }

    @discardableResult
    private static func append(_ inst: RxInst, to program: inout RxProgram) -> Int {
        program.insts.append(inst)
        return program.insts.count - 1
    }

    private static func emit(_ node: RxNode, into p: inout RxProgram) {
        switch node {
        case .empty:
            break
        case .scalar(let c, let ignoreCase):
            let folded = RxUnicode.fold(c)
            if ignoreCase && (folded != c || RxUnicode.upper(c) != c || RxUnicode.lower(c) != c) {
                p.usesCaseFolding = true
                append(.foldedScalar(folded), to: &p)
            } else {
                append(.scalar(c), to: &p)
            }
        case .any(let dotAll):
            append(dotAll ? .anyScalar : .anyButNewline, to: &p)
        case .set(let set, let ignoreCase):
            p.sets.append(set)
            if ignoreCase {
                p.usesCaseFolding = true
                append(.foldedSet(p.sets.count - 1), to: &p)
            } else {
                append(.set(p.sets.count - 1), to: &p)
            }
        case .assertion(let a):
            append(.assert(a), to: &p)
        case .concat(let items):
            for item in items { emit(item, into: &p) }
        case .alternation(let branches):
            var exits: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i == branches.count - 1 {
                    emit(branch, into: &p)
                } else {
                    let split = append(.split(0, 0), to: &p)
                    emit(branch, into: &p)
                    exits.append(append(.jump(0), to: &p))
                    p.insts[split] = .split(split + 1, p.insts.count)
                }
            }
            for e in exits { p.insts[e] = .jump(p.insts.count) }
        case .repetition(let body, let lo, let hi, let lazy):
            func split(_ preferred: Int, _ other: Int) -> RxInst {
                lazy ? .split(other, preferred) : .split(preferred, other)
            }
            guard let hi else {
                if lo == 0 {
                    // L: split(body, end); body; jump L; end:
                    let loop = append(.split(0, 0), to: &p)
                    emit(body, into: &p)
                    append(.jump(loop), to: &p)
                    p.insts[loop] = split(loop + 1, p.insts.count)
                } else {
                    // lo - 1 copies, then body+ (L: body; split(L, next)).
                    for _ in 0..<(lo - 1) { emit(body, into: &p) }
                    let start = p.insts.count
                    emit(body, into: &p)
                    let at = p.insts.count
                    append(split(start, at + 1), to: &p)
                }
                return
            }
            for _ in 0..<lo { emit(body, into: &p) }
            // Nested optionals (body (body (…)?)?)? keep the program linear in hi - lo.
            var splits: [Int] = []
            for _ in 0..<(hi - lo) {
                splits.append(append(.split(0, 0), to: &p))
                emit(body, into: &p)
            }
            let end = p.insts.count
            for s in splits { p.insts[s] = split(s + 1, end) }
        }
    }
}

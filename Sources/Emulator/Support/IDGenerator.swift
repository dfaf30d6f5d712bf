import Synchronization

/// Unique random identifiers (`chatcmpl-…`, `call_…`, `req_…`): a per-process random key mixed
/// with an atomic counter, so ids never repeat within a process and differ across restarts.
public final class IDGenerator: Sendable {
    private let key: UInt64
    private let counter = Atomic<UInt64>(0)

    public init(seed: UInt64? = nil) {
        var system = SystemRandomNumberGenerator()
        key = seed ?? system.next()
    }

    /// A fresh 64-bit value, distinct from every other this generator returned.
    public func next() -> UInt64 {
        var x = key &+ counter.wrappingAdd(1, ordering: .relaxed).newValue &* 0x9E37_79B9_7F4A_7C15
        return SeededRandom.splitMix(&x)
    }

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `prefix` followed by `count` random letters and digits.
    public func alphanumeric(prefix: String, count: Int) -> String {
        var out = Array(prefix.utf8)
        out.reserveCapacity(out.count + count)
        var word = next()
        var left = 10
        var seed = word
        for _ in 0..<count {
            if left == 0 {
                word = SeededRandom.splitMix(&seed)
                left = 10
            }
            out.append(IDGenerator.alphabet[Int(word % 62)])
            word /= 62
            left -= 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `prefix` followed by `count` lowercase hex digits.
    public func hex(prefix: String, count: Int) -> String {
        var out = Array(prefix.utf8)
        var word = next()
        var seed = word
        for i in 0..<count {
            if i > 0 && i % 16 == 0 { word = SeededRandom.splitMix(&seed) }
            out.append(IDGenerator.hexDigits[Int(word & 15)])
            word >>= 4
        }
        return String(decoding: out, as: UTF8.self)
    }
}

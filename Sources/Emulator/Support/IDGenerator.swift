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

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    private static let hexDigits: StaticString = "0123456789abcdef"

    /// `prefix` followed by `count` random letters and digits.
    public func alphanumeric(prefix: String, count: Int) -> String {
        var seed = next()
        return IDGenerator.compose(prefix, count) { out in
            let letters = IDGenerator.alphabet.utf8Start
            var word = seed
            var left = 10
            for i in 0..<count {
                if left == 0 {
                    word = SeededRandom.splitMix(&seed)
                    left = 10
                }
                out[i] = letters[Int(word % 62)]
                word /= 62
                left -= 1
            }
        }
    }

    /// `prefix` followed by `count` lowercase hex digits.
    public func hex(prefix: String, count: Int) -> String {
        var seed = next()
        return IDGenerator.compose(prefix, count) { out in
            let digits = IDGenerator.hexDigits.utf8Start
            var word = seed
            for i in 0..<count {
                if i > 0 && i % 16 == 0 { word = SeededRandom.splitMix(&seed) }
                out[i] = digits[Int(word & 15)]
                word >>= 4
            }
        }
    }

    /// The prefix, then `count` bytes written by `fill`, built in place in the string's storage.
    private static func compose(_ prefix: String, _ count: Int,
                                _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Void) -> String {
        var prefix = prefix
        return prefix.withUTF8 { head in
            String(unsafeUninitializedCapacity: head.count + count) { out in
                _ = out.initialize(fromContentsOf: head)
                fill(UnsafeMutableBufferPointer(rebasing: out[head.count...]))
                return head.count + count
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Appends JSON to a byte buffer. Answers are built with it directly (no intermediate tree) because
/// answer encoding is on the hot path; `JSONValue.jsonBytes` uses it for generated values.
///
/// The buffer is its own heap block written through a pointer: appending a literal is a bounds
/// check and a `memcpy`, where appending to an `Array` went through its generic sequence copy
/// (about 150 instructions a call, dozens of calls an answer). `finish()` hands the bytes out.
public struct JSONWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0

    public init(capacity: Int = 512) {
        self.capacity = Swift.max(capacity, 16)
        base = malloc(self.capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(base) }

    public var isEmpty: Bool { count == 0 }

    /// A copy of the bytes written so far. (`Array(unsafeUninitializedCapacity:)` would go through
    /// the standard library's unspecialised allocation, which looks up the storage class's generic
    /// metadata on every call; copying a buffer into an array is compiled here for bytes.)
    public var bytes: [UInt8] { [UInt8](UnsafeBufferPointer(start: base, count: count)) }

    /// The bytes written, as an array sized to them; the writer ends.
    public consuming func finish() -> [UInt8] { bytes }

    /// Lends the bytes written so far.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The byte at `offset` (below `count`).
    public subscript(offset: Int) -> UInt8 {
        precondition(offset >= 0 && offset < count)
        return base[offset]
    }

    /// Room for `n` more bytes: the pointer to write them at (then `advance(by:)`).
    @inline(__always)
    mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity &- count < n { grow(toFit: n) }
        return base + count
    }

    /// Counts `n` bytes written at the pointer `reserve` gave.
    @inline(__always)
    mutating func advance(by n: Int) { count &+= n }

    @inline(never)
    private mutating func grow(toFit n: Int) {
        capacity = Swift.max(capacity &* 2, count &+ n)
        base = realloc(base, capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    /// Appends one byte.
    @inline(__always)
    public mutating func byte(_ b: UInt8) {
        if count == capacity { grow(toFit: 1) }
        base[count] = b
        count &+= 1
    }

    /// Appends bytes.
    @inline(__always)
    public mutating func append(_ p: UnsafeRawBufferPointer) {
        let n = p.count
        guard n > 0 else { return }
        memcpy(reserve(n), p.baseAddress!, n)
        count &+= n
    }

    @inline(__always)
    public mutating func append(_ p: UnsafeBufferPointer<UInt8>) { append(UnsafeRawBufferPointer(p)) }

    /// Appends bytes that are already JSON (or JSON punctuation).
    @inline(__always)
    public mutating func raw(_ s: StaticString) {
        append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// String literals land here too (String is a literal's preferred type): copy the UTF-8 in one
    /// go rather than byte by byte through the generic `UTF8View` path.
    @inline(__always)
    public mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }
    @inline(__always)
    public mutating func raw(_ b: [UInt8]) { b.withUnsafeBytes { append($0) } }

    /// Appends `"key":`.
    @inlinable public mutating func key(_ k: StaticString) {
        byte(UInt8(ascii: "\""))
        raw(k)
        byte(UInt8(ascii: "\""))
        byte(UInt8(ascii: ":"))
    }

    /// Appends a quoted, escaped string. Runs of bytes that need no escaping are copied in one go
    /// (the common case: answers are mostly plain text).
    public mutating func string<S: StringProtocol>(_ s: S) {
        byte(UInt8(ascii: "\""))
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        if done == nil {
            var copy = String(s)
            copy.withUTF8 { appendEscaped($0) }
        }
        byte(UInt8(ascii: "\""))
    }

    /// Appends a quoted, escaped string given as UTF-8.
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        byte(UInt8(ascii: "\""))
        appendEscaped(utf8)
        byte(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\")
    }

    /// The most bytes `escape` writes for `n` bytes of text.
    @inline(__always)
    static func maxEscapedCount(_ n: Int) -> Int { n &* 6 }

    /// Writes the escaped text (no quotes) at `out`, which has room for `maxEscapedCount` bytes;
    /// returns the number written. Runs that need no escaping are copied in one go.
    static func escape(_ utf8: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        var start = 0
        var i = 0
        let n = utf8.count
        while i < n {
            let b = utf8[i]
            if !needsEscape(b) {
                i &+= 1
                continue
            }
            if start < i {
                (out + written).update(from: utf8.baseAddress! + start, count: i &- start)
                written &+= i &- start
            }
            out[written] = 0x5C
            switch b {
            case UInt8(ascii: "\""): out[written &+ 1] = 0x22
            case UInt8(ascii: "\\"): out[written &+ 1] = 0x5C
            case 0x0A: out[written &+ 1] = UInt8(ascii: "n")
            case 0x0D: out[written &+ 1] = UInt8(ascii: "r")
            case 0x09: out[written &+ 1] = UInt8(ascii: "t")
            default:
                let hex: StaticString = "0123456789abcdef"
                out[written &+ 1] = UInt8(ascii: "u"); out[written &+ 2] = 0x30; out[written &+ 3] = 0x30
                out[written &+ 4] = hex.utf8Start[Int(b >> 4)]; out[written &+ 5] = hex.utf8Start[Int(b & 15)]
                written &+= 4
            }
            written &+= 2
            i &+= 1
            start = i
        }
        if start < n {
            (out + written).update(from: utf8.baseAddress! + start, count: n &- start)
            written &+= n &- start
        }
        return written
    }

    /// `head`, `text` as a JSON string, then `tail`, written straight into one array (no writer
    /// buffer to copy out of): a stream's token frame.
    static func bytes(_ head: [UInt8], quoting text: UnsafeBufferPointer<UInt8>, _ tail: [UInt8]) -> [UInt8] {
        let most = head.count + maxEscapedCount(text.count) + 2 + tail.count
        // Written in scratch space (on the stack when small), then copied once into an exact array.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: most) { frame in
            var out = frame.baseAddress!
            head.withUnsafeBufferPointer { if let base = $0.baseAddress { out.update(from: base, count: $0.count) } }
            out += head.count
            out.pointee = UInt8(ascii: "\"")
            out += 1
            out += escape(text, into: out)
            out.pointee = UInt8(ascii: "\"")
            out += 1
            tail.withUnsafeBufferPointer { if let base = $0.baseAddress { out.update(from: base, count: $0.count) } }
            out += tail.count
            return [UInt8](UnsafeBufferPointer(start: frame.baseAddress!, count: out - frame.baseAddress!))
        }
    }

    /// Escapes in pieces of at most 4 KiB, so a long string never reserves six times its size.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var offset = 0
        while offset < utf8.count {
            let piece = Swift.min(utf8.count &- offset, 4096)
            let out = reserve(JSONWriter.maxEscapedCount(piece))
            advance(by: JSONWriter.escape(UnsafeBufferPointer(rebasing: utf8[offset..<(offset &+ piece)]), into: out))
            offset &+= piece
        }
    }

    public mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    public mutating func int<I: BinaryInteger>(_ v: I) {
        var n = Int64(v)
        if n < 0 {
            if n == Int64.min {
                raw("-9223372036854775808")
                return
            }
            byte(UInt8(ascii: "-"))
            n = -n
        }
        var u = UInt64(n)
        var digits = 1
        var rest = u
        while rest >= 10 {
            rest /= 10
            digits &+= 1
        }
        let p = reserve(digits)
        var i = digits
        repeat {
            i &-= 1
            p[i] = UInt8(truncatingIfNeeded: 48 &+ u % 10)
            u /= 10
        } while u > 0
        advance(by: digits)
    }

    /// Appends a number; integral values are written without a fraction, non-finite ones as `null`.
    public mutating func double(_ d: Double) {
        if !d.isFinite {
            raw("null")
        } else if d.rounded() == d && abs(d) < 1e15 {
            int(Int64(d))
        } else {
            raw(d.description)
        }
    }

    public mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }

    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): bool(b)
        case .number(let d): double(d)
        case .string(let s): string(s)
        case .array(let items):
            byte(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { byte(UInt8(ascii: ",")) }
                value(item)
            }
            byte(UInt8(ascii: "]"))
        case .object(let o):
            byte(UInt8(ascii: "{"))
            for (i, entry) in o.entries.enumerated() {
                if i > 0 { byte(UInt8(ascii: ",")) }
                string(entry.key)
                byte(UInt8(ascii: ":"))
                value(entry.value)
            }
            byte(UInt8(ascii: "}"))
        }
    }
}

extension JSONValue {
    /// Compact JSON text of this value.
    public var jsonBytes: [UInt8] {
        var w = JSONWriter(capacity: 64)
        w.value(self)
        return w.finish()
    }

    public var jsonString: String { String(decoding: jsonBytes, as: UTF8.self) }
}

/// Appends JSON to a byte buffer. Answers are built with it directly (no intermediate tree) because
/// answer encoding is on the hot path; `JSONValue.jsonBytes` uses it for generated values.
public struct JSONWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends bytes that are already JSON (or JSON punctuation).
    @inlinable public mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// String literals land here too (String is a literal's preferred type): copy the UTF-8 in one
    /// go rather than byte by byte through the generic `UTF8View` path.
    @inlinable public mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }
    @inlinable public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    /// Appends `"key":`.
    @inlinable public mutating func key(_ k: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(k)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends a quoted, escaped string. Runs of bytes that need no escaping are copied in one go
    /// (the common case: answers are mostly plain text).
    public mutating func string<S: StringProtocol>(_ s: S) {
        bytes.append(UInt8(ascii: "\""))
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        if done == nil {
            var copy = String(s)
            copy.withUTF8 { appendEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a quoted, escaped string given as UTF-8.
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\")
    }

    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var start = 0
        var i = 0
        let n = utf8.count
        while i < n {
            let b = utf8[i]
            if !JSONWriter.needsEscape(b) {
                i += 1
                continue
            }
            if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
            switch b {
            case UInt8(ascii: "\""): bytes.append(0x5C); bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            default:
                let hex: StaticString = "0123456789abcdef"
                bytes.append(0x5C); bytes.append(UInt8(ascii: "u")); bytes.append(0x30); bytes.append(0x30)
                bytes.append(hex.utf8Start[Int(b >> 4)]); bytes.append(hex.utf8Start[Int(b & 15)])
            }
            i += 1
            start = i
        }
        if start < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<n])) }
    }

    public mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    public mutating func int<I: BinaryInteger>(_ v: I) {
        if v == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var n = Int64(v)
        if n < 0 {
            bytes.append(UInt8(ascii: "-"))
            if n == Int64.min {
                raw("9223372036854775808")
                return
            }
            n = -n
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 24 digits of scratch
        withUnsafeMutableBytes(of: &digits) { scratch in
            var i = scratch.count
            while n > 0 {
                i -= 1
                scratch[i] = UInt8(48 + n % 10)
                n /= 10
            }
            let digits = UnsafeBufferPointer(scratch.bindMemory(to: UInt8.self))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i...]))
        }
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
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                value(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            for (i, entry) in o.entries.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                string(entry.key)
                bytes.append(UInt8(ascii: ":"))
                value(entry.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

extension JSONValue {
    /// Compact JSON text of this value.
    public var jsonBytes: [UInt8] {
        var w = JSONWriter(capacity: 64)
        w.value(self)
        return w.bytes
    }

    public var jsonString: String { String(decoding: jsonBytes, as: UTF8.self) }
}

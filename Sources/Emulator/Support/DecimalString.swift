extension String {
    /// `n` in decimal. Header values are made on every answer, and `String(n)` goes through the
    /// generic `description` path, about five times the work of writing the digits directly.
    init(decimal n: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: Int.min takes 20
        self = Swift.withUnsafeMutableBytes(of: &digits) { raw in
            var i = raw.count
            var m = n.magnitude
            repeat {
                i -= 1
                raw[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10)
                m /= 10
            } while m > 0
            if n < 0 {
                i -= 1
                raw[i] = UInt8(ascii: "-")
            }
            return String(decoding: UnsafeRawBufferPointer(rebasing: raw[i...]), as: UTF8.self)
        }
    }
}

extension JSONWriter {
    /// Appends the shortest decimal that reads back as exactly `f` when parsed the way JSON
    /// readers parse numbers (to the nearest `Double`, then to the nearest `Float`); `null` for
    /// non-finite values. Writes no intermediate strings: embeddings write millions of these.
    mutating func float(_ f: Float) {
        guard f.isFinite else {
            raw("null")
            return
        }
        if f == 0 {
            if f.sign == .minus { raw("-0.0") } else { raw("0.0") }
            return
        }
        if f < 0 { byte(UInt8(ascii: "-")) }
        let target = f.magnitude
        let a = Double(target)
        var e10 = Int((Double(target.exponent) * 0.301_029_995_663_981_2).rounded(.down))
        while e10 < FloatDigits.maxExponent && a >= FloatDigits.power(e10 + 1) { e10 += 1 }
        while e10 > FloatDigits.minExponent && a < FloatDigits.power(e10) { e10 -= 1 }
        // Beyond 10^±22 the powers of ten are inexact: leave those (never in embeddings) to Swift.
        guard e10 >= -14 && e10 <= 26 else {
            raw(target.description)
            return
        }
        for n in 6...9 {
            guard let (digits, exponent) = FloatDigits.roundTrip(a, target: target, e10: e10, count: n) else {
                continue
            }
            writeDecimal(digits, count: n, exponent: exponent)
            return
        }
        raw(target.description)
    }

    /// Writes `digits` (exactly `count` decimal digits, the first at 10^`exponent`) without
    /// trailing zeros, in fixed notation near 1 and in scientific notation otherwise.
    private mutating func writeDecimal(_ digits: UInt64, count: Int, exponent: Int) {
        var scratch: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &scratch) { d in
            var v = digits
            for i in stride(from: count - 1, through: 0, by: -1) {
                d[i] = UInt8(48 + v % 10)
                v /= 10
            }
            var length = count
            while length > 1 && d[length - 1] == 48 { length -= 1 }
            if exponent >= 0 && exponent < 9 {
                for i in 0...exponent { byte(i < length ? d[i] : 48) }
                byte(UInt8(ascii: "."))
                if length > exponent + 1 {
                    for i in (exponent + 1)..<length { byte(d[i]) }
                } else {
                    byte(48)
                }
            } else if exponent < 0 && exponent >= -5 {
                byte(48)
                byte(UInt8(ascii: "."))
                for _ in 0..<(-exponent - 1) { byte(48) }
                for i in 0..<length { byte(d[i]) }
            } else {
                byte(d[0])
                byte(UInt8(ascii: "."))
                if length > 1 {
                    for i in 1..<length { byte(d[i]) }
                } else {
                    byte(48)
                }
                byte(UInt8(ascii: "e"))
                int(exponent)
            }
        }
    }
}

/// Decimal digit search for `JSONWriter.float`.
private enum FloatDigits {
    static let minExponent = -50
    static let maxExponent = 50
    /// 10^k for k in minExponent...maxExponent, each the nearest `Double`.
    private static let powers: [Double] = (minExponent...maxExponent).map { Double("1e\($0)")! }

    static func power(_ k: Int) -> Double { powers[k - minExponent] }

    /// The `count`-digit decimal nearest to `a` (whose leading digit is at 10^`e10`), when it
    /// reads back as `target`: its digits and the exponent of its leading digit.
    static func roundTrip(_ a: Double, target: Float, e10: Int, count: Int) -> (UInt64, Int)? {
        var scale = count - 1 - e10
        guard abs(scale) <= 22 else { return nil }  // 10^22 is the largest exact power
        var m = (scale >= 0 ? a * power(scale) : a / power(-scale)).rounded()
        var exponent = e10
        if m >= power(count) {
            m = (m / 10).rounded()
            exponent += 1
            scale -= 1
            guard abs(scale) <= 22 else { return nil }
        }
        let back = scale >= 0 ? m / power(scale) : m * power(-scale)
        guard Float(back) == target else { return nil }
        return (UInt64(m), exponent)
    }
}

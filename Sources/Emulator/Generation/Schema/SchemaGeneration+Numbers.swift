extension SchemaGeneration {
    /// The numeric keywords of one schema, with draft-4 boolean exclusive bounds understood.
    struct NumericBounds {
        var low = -Double.infinity, high = Double.infinity
        var lowExclusive = false, highExclusive = false
        var multipleOf: Double?
        var integer: Bool

        init(_ schema: JSONObject, integer: Bool) {
            self.integer = integer
            if let v = schema["minimum"]?.doubleValue { low = v }
            if let v = schema["maximum"]?.doubleValue { high = v }
            switch schema["exclusiveMinimum"] {
            case .number(let v)? where v >= low: (low, lowExclusive) = (v, true)
            case .bool(true)?: lowExclusive = true
            default: break
            }
            switch schema["exclusiveMaximum"] {
            case .number(let v)? where v <= high: (high, highExclusive) = (v, true)
            case .bool(true)?: highExclusive = true
            default: break
            }
            if let m = schema["multipleOf"]?.doubleValue, m > 0, m.isFinite { multipleOf = m }
        }

        /// The same test a JSON Schema validator makes (a `multipleOf` quotient must be integral
        /// in floating point, as Python's `jsonschema` checks it).
        func admits(_ v: Double) -> Bool {
            guard v.isFinite else { return false }
            if lowExclusive ? v <= low : v < low { return false }
            if highExclusive ? v >= high : v > high { return false }
            if integer && v.rounded() != v { return false }
            if let m = multipleOf {
                let quotient = v / m
                if !quotient.isFinite || quotient.rounded() != quotient { return false }
            }
            return true
        }
    }

    /// A number inside the bounds, in a range that suits the property name when the bounds allow it
    /// (ages, prices, years, coordinates, ratings…), with few decimals.
    mutating func number(_ schema: JSONObject, integer: Bool, hint: String?) -> JSONValue {
        let bounds = NumericBounds(schema, integer: integer)
        let plausible = PlausibleText.numberRange(for: hint, integer: integer)
        let limit = 1e15
        var from = max(bounds.low, plausible.low)
        var upTo = min(bounds.high, plausible.high)
        if from > upTo {
            from = bounds.low.isFinite ? bounds.low : bounds.high - 100
            upTo = bounds.high.isFinite ? bounds.high : bounds.low + 100
        }
        from = min(max(from, -limit), limit)
        upTo = min(max(upTo, from), limit)

        for _ in 0..<24 {
            let candidate: Double
            if let m = bounds.multipleOf {
                let kLow = (from / m).rounded(.up)
                let kHigh = (upTo / m).rounded(.down)
                guard kLow <= kHigh, kHigh - kLow < 9e15 else { break }
                let k = kLow + (rng.unit() * (kHigh - kLow + 1)).rounded(.down)
                candidate = Self.tidy(min(k, kHigh) * m, decimals: Self.decimals(of: m))
            } else if integer {
                let a = from.rounded(.up)
                let b = upTo.rounded(.down)
                guard a <= b else { break }
                candidate = a + (rng.unit() * (b - a + 1)).rounded(.down)
            } else {
                candidate = Self.tidy(from + rng.unit() * (upTo - from), decimals: plausible.decimals)
            }
            if bounds.admits(candidate) { return .number(candidate) }
        }
        return .number(fallback(bounds, from: from, upTo: upTo))
    }

    /// A value that fits when random draws didn't: the range ends, their midpoint, multiples near them.
    private func fallback(_ bounds: NumericBounds, from: Double, upTo: Double) -> Double {
        let low = bounds.low.isFinite ? max(bounds.low, -1e15) : from
        let high = bounds.high.isFinite ? min(bounds.high, 1e15) : upTo
        var candidates = [
            from, upTo, from.rounded(.up), upTo.rounded(.down), (low + high) / 2, ((low + high) / 2).rounded(), 0,
        ]
        candidates += [low.rounded(.up), high.rounded(.down), low.rounded(.up) + 1, high.rounded(.down) - 1]
        if let m = bounds.multipleOf {
            for k in [(low / m).rounded(.up), (high / m).rounded(.down), ((low + high) / 2 / m).rounded()] {
                for step in [0.0, 1, -1, 2] {
                    candidates.append((k + step) * m)
                    candidates.append(Self.tidy((k + step) * m, decimals: Self.decimals(of: m)))
                }
            }
            // Whole numbers pass a fractional multipleOf check far more often than its own multiples.
            let start = low.rounded(.up)
            for i in 0..<64 { candidates.append(start + Double(i) * max(1, m.rounded(.up))) }
        }
        return candidates.first(where: bounds.admits) ?? (low.isFinite ? low : 0)
    }

    /// `v` rounded to `decimals` places, which keeps 0.1 * 3 from printing as 0.30000000000000004.
    static func tidy(_ v: Double, decimals: Int) -> Double {
        guard decimals < 12, abs(v) < 1e12 else { return v }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (v * scale).rounded() / scale
    }

    /// Decimal places of a `multipleOf` such as 0.25 (2) or 5 (0).
    static func decimals(of step: Double) -> Int {
        var places = 0
        var scaled = step
        while scaled.rounded() != scaled && places < 12 {
            scaled *= 10
            places += 1
        }
        return places
    }
}

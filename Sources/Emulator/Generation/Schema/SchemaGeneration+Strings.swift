extension SchemaGeneration {
    /// A string that fits `pattern` (and any further patterns from merged `allOf` branches),
    /// `minLength`/`maxLength` and, when the length allows, `format`; otherwise a plausible string
    /// for the property name.
    ///
    /// Lengths count Unicode scalars, as JSON Schema validators do. A string never exceeds
    /// `Limits.maxStringLength`, even when `minLength` asks for more.
    mutating func string(_ schema: JSONObject, hint: String?) -> JSONValue {
        let minLength = min(max(0, schema["minLength"]?.intValue ?? 0), limits.maxStringLength)
        let maxLength = min(max(0, schema["maxLength"]?.intValue ?? Int.max), limits.maxStringLength)
        var expressions: [String] = []
        if case .string(let p)? = schema["pattern"] { expressions.append(p) }
        for case .object(let extra) in schema["allOf"]?.arrayValue ?? [] {
            if case .string(let p)? = extra["pattern"] { expressions.append(p) }
        }
        let format = schema["format"]?.stringValue

        if expressions.isEmpty {
            if let format, let formatted = StringFormats.value(for: format, using: &rng) {
                let length = formatted.unicodeScalars.count
                if length >= minLength && length <= maxLength { return .string(formatted) }
            }
            let text = PlausibleText.string(for: hint, using: &rng)
            return .string(fitted(text, minLength: minLength, maxLength: maxLength))
        }

        var last = ""
        var stretch = 0
        for _ in 0..<16 {
            let candidate: String
            if let sampled = patterns.sample(expressions[0], stretch: stretch, maxLength: maxLength, using: &rng) {
                candidate = sampled
            } else {
                candidate = fitted(
                    PlausibleText.string(for: hint, using: &rng), minLength: minLength, maxLength: maxLength)
            }
            last = candidate
            let length = candidate.unicodeScalars.count
            if length < minLength { stretch += 2 }
            guard length >= minLength && length <= maxLength else { continue }
            if expressions.allSatisfy({ patterns.matches(candidate, $0) }) { return .string(candidate) }
        }
        return .string(last)
    }

    /// `text` cut to `maxLength` scalars, or padded with more words up to `minLength`.
    func fitted(_ text: String, minLength: Int, maxLength: Int) -> String {
        var scalars = Array(text.unicodeScalars)
        if scalars.count < minLength {
            var filler = Array(LoremGenerator.fillerWords.unicodeScalars)
            if filler.isEmpty { filler = ["x"] }
            var i = 0
            if !scalars.isEmpty { scalars.append(" ") }
            while scalars.count < minLength {
                scalars.append(filler[i % filler.count])
                i += 1
            }
        }
        if scalars.count > maxLength {
            scalars.removeLast(scalars.count - maxLength)
            while let tail = scalars.last, tail == " " || tail == ",", scalars.count > minLength {
                scalars.removeLast()
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }
}

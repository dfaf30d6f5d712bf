/// The expected cl100k_base token count of one pre-tokenizer piece, from its shape alone.
///
/// The tables were fitted against tiktoken on English prose, code, JSON and text in a dozen scripts.
struct PieceShape {
    let values: UnsafeBufferPointer<UInt32>
    let classes: UnsafeBufferPointer<ScalarClass>

    /// Expected tokens for ASCII words of 1...14 letters, by what precedes the letters (nothing,
    /// a space, another character) and case (lower, capitalised, all capitals).
    private static let words: [[[Double]]] = [
        [
            [1.00, 1.01, 1.04, 1.08, 1.12, 1.15, 1.20, 1.15, 1.35, 1.60, 1.74, 2.02, 2.24, 2.29],
            [1.00, 1.02, 1.04, 1.12, 1.31, 1.08, 1.43, 1.38, 1.26, 1.81, 2.04, 2.45, 2.41, 2.40],
            [1.00, 1.12, 1.22, 1.50, 1.80, 1.50, 2.47, 2.34, 2.44, 3.00, 3.00, 3.20, 3.50, 3.80],
        ],
        [
            [1.00, 1.00, 1.01, 1.01, 1.03, 1.04, 1.06, 1.08, 1.05, 1.04, 1.10, 1.28, 1.33, 1.40],
            [1.00, 1.01, 1.01, 1.05, 1.13, 1.07, 1.10, 1.19, 1.30, 1.36, 1.55, 1.87, 1.91, 2.00],
            [1.00, 1.03, 1.18, 1.38, 1.49, 1.66, 2.00, 1.80, 1.90, 2.00, 2.98, 3.00, 3.20, 3.50],
        ],
        [
            [1.01, 1.09, 1.11, 1.12, 1.21, 1.20, 1.75, 1.83, 2.31, 2.72, 2.60, 3.00, 3.14, 3.40],
            [1.03, 1.50, 1.43, 1.38, 1.42, 1.94, 1.78, 2.18, 2.14, 2.26, 2.47, 3.05, 3.20, 3.40],
            [1.10, 1.26, 1.47, 1.48, 2.05, 1.70, 2.44, 2.25, 2.90, 2.82, 3.40, 3.50, 3.70, 4.00],
        ],
    ]
    /// `words` in one flat array (rows of `wordRow`): one lookup without nested-array traffic.
    private static let wordTable: [Double] = words.flatMap { $0.flatMap { $0 } }
    private static let wordRow = 14
    /// Extra tokens per letter past 14, by case.
    private static let longWordSlope: [Double] = [0.35, 0.4, 0.45]

    /// Expected tokens for ASCII punctuation runs of 1...8 characters, without and with a leading space.
    private static let punctuation: [[Double]] = [
        [1.0, 1.01, 1.18, 1.82, 1.96, 2.8, 3.6, 4.0],
        [1.0, 1.0, 1.0, 1.27, 1.69, 2.49, 2.46, 3.5],
    ]

    /// Expected tokens of scalars `start..<end`, one piece of the cl100k_base split.
    func expectedTokens(_ start: Int, _ end: Int) -> Double {
        let first = classes[start]
        if first.contains(.letter) || (end - start > 1 && classes[start + 1].contains(.letter)) {
            return word(start, end)
        }
        if first.contains(.number) { return values[start] < 0x80 ? 1 : Double(end - start) }
        if first.contains(.space) && classes[end - 1].contains(.space) { return whitespace(start, end) }
        return symbols(start, end)
    }

    private func word(_ start: Int, _ end: Int) -> Double {
        let prefix = classes[start].contains(.letter) ? 0 : (values[start] == 0x20 ? 1 : 2)
        let first = prefix == 0 ? start : start + 1
        for i in first..<end where values[i] >= 0x80 {
            return otherScript(first, end, prefix: prefix)
        }
        // Sub-words at case changes ("CamelCase", "HTTPServer") are tokenized apart.
        var total = 0.0
        var part = first
        var i = first + 1
        while i <= end {
            let boundary: Bool
            if i == end {
                boundary = true
            } else {
                let upperHere = values[i] < 0x61
                let lowerBefore = values[i - 1] >= 0x61
                let upperThenLower = upperHere && i + 1 < end && values[i - 1] < 0x61 && values[i + 1] >= 0x61
                boundary = (upperHere && lowerBefore) || (upperThenLower && i - part > 1)
            }
            if boundary {
                total += asciiWord(part, i, prefix: part == first ? prefix : 0)
                part = i
            }
            i += 1
        }
        return total
    }

    /// One ASCII sub-word of a single case shape.
    private func asciiWord(_ start: Int, _ end: Int, prefix: Int) -> Double {
        let length = end - start
        var uppercase = 0
        var same = true
        var ascending = true
        for i in start..<end {
            if values[i] < 0x61 { uppercase += 1 }
            if values[i] != values[start] { same = false }
            if i > start && values[i] != values[i - 1] + 1 { ascending = false }
        }
        if same && length > 8 { return Double(length) / 8 }
        // Alphabet runs ("abcdefg…", "ABCDEF…") are single tokens in the vocabulary.
        if ascending && length > 3 { return 1 }
        let letterCase = length > 1 && uppercase == length ? 2 : (values[start] < 0x61 ? 1 : 0)
        let row = (prefix * 3 + letterCase) * PieceShape.wordRow
        if length <= PieceShape.wordRow { return PieceShape.wordTable[row + length - 1] }
        return PieceShape.wordTable[row + PieceShape.wordRow - 1]
            + Double(length - PieceShape.wordRow) * PieceShape.longWordSlope[letterCase]
    }

    /// Letters outside ASCII: a rate per letter for each script.
    private func otherScript(_ first: Int, _ end: Int, prefix: Int) -> Double {
        var total = prefix == 2 ? 0.3 : 0
        var ascii = 0
        var latin = 0
        for i in first..<end {
            let v = values[i]
            if v < 0x80 {
                ascii += 1
            } else if v < 0x250 || (0x1E00..<0x1F00).contains(v) {
                latin += 1
            } else {
                total += PieceShape.letterRate(v)
            }
        }
        if latin > 0 || total == 0 {
            // Accented Latin words: the plain letters merge well, each accented one costs more.
            total += 1 + Double(latin) * 1.1 + Double(max(0, ascii - 3)) / 5
        } else {
            total += Double(ascii) * 0.46
        }
        return max(1, total)
    }

    @inline(__always) static func letterRate(_ v: UInt32) -> Double {
        switch v {
        case 0..<0x80: return 0.46
        case 0x80..<0x370, 0x1E00..<0x1F00: return 0.76
        case 0x370..<0x400, 0x1F00..<0x2000: return 1.1
        case 0x400..<0x530: return 0.52
        case 0x590..<0x600: return 1.16
        case 0x600..<0x700: return 0.8
        case 0x900..<0xE00: return 1.57
        case 0xE00..<0xE80: return 1.3
        case 0x3040..<0x3100: return 0.92
        case 0x4E00..<0xA000: return 1.03
        case 0xAC00..<0xD7B0: return 1.1
        default: return 1.2
        }
    }

    private func whitespace(_ start: Int, _ end: Int) -> Double {
        let length = Double(end - start)
        var newlines = 0
        var lastNewline = -1
        for i in start..<end where classes[i].contains(.newline) {
            newlines += 1
            lastNewline = i
        }
        // A run that ends the text keeps the spaces after its last newline, a token of their own.
        let mixed = lastNewline >= 0 && lastNewline < end - 1 ? 1.0 : 0
        switch values[end - 1] {
        case 0x0A, 0x0D: return 1 + mixed + max(0, length - 16) / 16
        case 0x09: return 1 + mixed + max(0, length - 16) / 12
        default: return 1 + mixed + max(0, length - 80) / 125
        }
    }

    private func symbols(_ start: Int, _ end: Int) -> Double {
        var last = end
        while last > start + 1 && classes[last - 1].contains(.newline) { last -= 1 }
        let newlines = Double(end - last)
        var allASCII = true
        var sameCharacter = true
        for i in start..<last {
            if values[i] >= 0x80 { allASCII = false }
            if i > start && values[i] != values[last - 1] { sameCharacter = false }
        }
        let extraNewlines = max(0, newlines - 1) * 0.3
        if allASCII {
            let length = last - start
            let spaced = values[start] == 0x20 ? 1 : 0
            if sameCharacter && length > 3 { return 1 + Double(length) / 64 + extraNewlines }
            let row = PieceShape.punctuation[spaced]
            var base = length <= row.count ? row[length - 1] : row[row.count - 1] + Double(length - row.count) * 0.5
            if length >= 4 {
                var runs = 1
                for i in (start + 1 + spaced)..<last where values[i] != values[i - 1] { runs += 1 }
                base = min(base, Double(runs))
            }
            return base + extraNewlines
        }
        var total = 0.0
        for i in start..<last {
            let v = values[i]
            switch v {
            case 0..<0x80: total += v == 0x20 && i == start ? 0 : 0.5
            case 0x200D: total += 2
            case 0xFE00...0xFE0F: total += 1
            case 0x80..<0x800: total += 1
            case 0x3000..<0x3040, 0xFF00..<0xFFF0, 0x2000..<0x2070: total += 1
            case 0x800..<0x1_0000: total += classes[i].contains(.mark) ? 1 : 1.5
            default: total += 2.5
            }
        }
        return max(1, total) + extraNewlines
    }
}

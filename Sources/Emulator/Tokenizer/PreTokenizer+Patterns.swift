extension PatternScan {
    /// The end of the cl100k_base piece that starts at `i`.
    func cl100kPieceEnd(at i: Int) -> Int {
        let c = classes[i]
        // '(?i:[sdmt]|ll|ve|re)
        if values[i] == 0x27, let end = contractionEnd(at: i) { return end }
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        let letterStart = c.isNotLetterNumberNewline ? i + 1 : i
        if letterStart < count && classes[letterStart].contains(.letter) {
            return run(from: letterStart, .letter)
        }
        // \p{N}{1,3}+
        if c.contains(.number) { return numberEnd(at: i) }
        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
        let symbolStart = values[i] == 0x20 ? i + 1 : i
        if symbolStart < count && classes[symbolStart].isSymbol {
            return run(from: symbolRun(from: symbolStart), .newline)
        }
        // \s++$|\s*[\r\n]|\s+(?!\S)|\s
        if c.contains(.space) { return whitespaceEnd(at: i, wholeRunAtEnd: true) }
        return i + 1
    }

    /// The end of the o200k_base piece that starts at `i`.
    func o200kPieceEnd(at i: Int) -> Int {
        let c = classes[i]
        let optionalFirst = c.isNotLetterNumberNewline
        // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
        if optionalFirst, let end = lowerWordEnd(from: i + 1) { return contractionEnd(at: end) ?? end }
        if let end = lowerWordEnd(from: i) { return contractionEnd(at: end) ?? end }
        // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
        if optionalFirst, let end = upperWordEnd(from: i + 1) { return contractionEnd(at: end) ?? end }
        if let end = upperWordEnd(from: i) { return contractionEnd(at: end) ?? end }
        // \p{N}{1,3}
        if c.contains(.number) { return numberEnd(at: i) }
        // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
        let symbolStart = values[i] == 0x20 ? i + 1 : i
        if symbolStart < count && classes[symbolStart].isSymbol {
            var end = symbolRun(from: symbolStart)
            while end < count && (classes[end].contains(.newline) || values[end] == 0x2F) { end += 1 }
            return end
        }
        // \s*[\r\n]+|\s+(?!\S)|\s+
        if c.contains(.space) { return whitespaceEnd(at: i, wholeRunAtEnd: false) }
        return i + 1
    }

    /// `\p{N}{1,3}` at `i`.
    @inline(__always) private func numberEnd(at i: Int) -> Int {
        var end = i + 1
        while end < count && end < i + 3 && classes[end].contains(.number) { end += 1 }
        return end
    }

    /// `[upper]*[lower]+` from `start`, backtracking the greedy upper run as the regex does.
    @inline(__always) private func lowerWordEnd(from start: Int) -> Int? {
        guard start < count else { return nil }
        let upperEnd = run(from: start, .upper)
        var p = upperEnd
        while p >= start {
            if p < count && classes[p].contains(.lower) { return run(from: p, .lower) }
            p -= 1
        }
        return nil
    }

    /// `[upper]+[lower]*` from `start`.
    @inline(__always) private func upperWordEnd(from start: Int) -> Int? {
        guard start < count, classes[start].contains(.upper) else { return nil }
        return run(from: run(from: start, .upper), .lower)
    }
}

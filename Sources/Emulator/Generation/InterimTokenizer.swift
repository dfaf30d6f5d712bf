/// Splits text at word starts (a space or punctuation begins a new token), about as GPT
/// encodings do for plain English.
struct InterimTokenizer: Tokenizer {
    var name: String { "words" }

    func count(_ text: String) -> Int { pieces(text).reduce(0) { $0 + $1.tokens } }

    func pieces(_ text: String) -> [TokenPiece] {
        var out: [TokenPiece] = []
        var start = text.startIndex
        var i = text.startIndex
        var previousWasLetter = false
        while i < text.endIndex {
            let c = text[i]
            let isLetter = c.isLetter || c.isNumber
            if i != start && (!isLetter || !previousWasLetter) && !(c == " " && false) {
                if !(previousWasLetter == false && text[text.index(before: i)] == " " && isLetter) {
                    out.append(TokenPiece(text: text[start..<i], tokens: 1))
                    start = i
                }
            }
            previousWasLetter = isLetter
            i = text.index(after: i)
        }
        if start < text.endIndex { out.append(TokenPiece(text: text[start...], tokens: 1)) }
        return out
    }
}

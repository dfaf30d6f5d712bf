/// Plausible log-probabilities for generated tokens: the chosen token is the most likely, the
/// alternatives are common tokens with lower values, sorted.
enum LogprobSampler {
    static let alternatives = [
        " the", " a", " and", " to", " of", ",", ".", " is", " in", " that", " it", " for", " on", " with",
        " as", " this", " be", " I", " you", " are", " was", " not", " but", " or", " an", " at", " by",
        " from", " have", " can", "\n", " we", " they", " will", " more", " one", " all", " so", " if",
    ]

    static func sample(_ pieces: [TokenPiece], top: Int, rng: inout SeededRandom) -> [TokenLogprob] {
        pieces.map { piece in
            let chosen = -(rng.unit() * rng.unit() * 1.5)
            var used: Set<String> = [String(piece.text)]
            var others: [(token: String, logprob: Double)] = []
            var value = chosen
            while others.count < max(0, top - 1) {
                let token = alternatives[Int(rng.next() % UInt64(alternatives.count))]
                if used.contains(token) {
                    if used.count >= alternatives.count { break }
                    continue
                }
                used.insert(token)
                value -= 0.5 + rng.unit() * 3
                others.append((token, value))
            }
            let topList = top > 0 ? [(String(piece.text), chosen)] + others : []
            return TokenLogprob(token: piece.text, logprob: chosen, top: topList)
        }
    }
}

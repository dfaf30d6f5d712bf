import Glibc

/// Makes up embedding vectors that behave like real ones for retrieval code under test: a
/// deterministic function of (model, input), of unit length, where texts sharing words and
/// character trigrams are closer than unrelated texts.
///
/// Each input becomes a bag of hashed features (lowercased word unigrams and character trigrams
/// for text; token unigrams and bigrams for token arrays), weighted by sublinear term frequency
/// (`1 + ln(count)`). Each feature adds its weight with a pseudo-random sign to
/// `bucketsPerFeature` pseudo-random dimensions chosen by the model's seed. Shorter vectors are
/// the native vector truncated and re-normalised, as the real `dimensions` parameter behaves.
struct HashingEmbedder {
    static let bucketsPerFeature = 24
    private static let wordWeight: Float = 1
    private static let gramWeight: Float = 0.5

    /// The model's native vector size.
    let nativeDimensions: Int
    private let modelSeed: UInt64
    /// The native vector of the last input, reused between inputs.
    private var vector: [Float]
    /// Feature hashes of the last input, reused between inputs.
    private var features: [UInt64] = []

    init(model: String, nativeDimensions: Int) {
        self.nativeDimensions = max(1, nativeDimensions)
        modelSeed = SeededRandom.seed(from: model, salt: 0x656D_6265_6464)
        vector = [Float](repeating: 0, count: self.nativeDimensions)
        features.reserveCapacity(256)
    }

    /// Computes the vector of `input`, truncated to `dimensions` and normalised, and hands it to
    /// `body` without copying.
    mutating func embed<R>(_ input: EmbeddingsRequest.Input, dimensions: Int,
                           _ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        features.removeAll(keepingCapacity: true)
        switch input {
        case .text(let text): collectTextFeatures(text)
        case .tokens(let tokens): collectTokenFeatures(tokens)
        }
        features.sort()
        let d = min(max(1, dimensions), nativeDimensions)
        var native: [Float] = []
        swap(&native, &vector)  // borrow the buffer without copying it
        defer { swap(&native, &vector) }
        return native.withUnsafeMutableBufferPointer { v in
            v.update(repeating: 0)
            project(into: v)
            normalise(v, count: d)
            return body(UnsafeBufferPointer(rebasing: v[0..<d]))
        }
    }

    /// Adds every distinct feature, weighted by `1 + ln(count)`, to its signed buckets.
    private func project(into v: UnsafeMutableBufferPointer<Float>) {
        let n = UInt64(v.count)
        var i = 0
        while i < features.count {
            let h = features[i]
            var j = i + 1
            while j < features.count && features[j] == h { j += 1 }
            let tf = j == i + 1 ? 1 : 1 + Float(log(Double(j - i)))
            let w = tf * (h & 1 == 1 ? Self.wordWeight : Self.gramWeight)
            var x = h ^ modelSeed
            for _ in 0..<Self.bucketsPerFeature {
                let r = SeededRandom.splitMix(&x)
                let index = Int(((r >> 32) &* n) >> 32)
                v[index] += r & 1 == 0 ? w : -w
            }
            i = j
        }
    }

    private func normalise(_ v: UnsafeMutableBufferPointer<Float>, count d: Int) {
        var sum: Double = 0
        for k in 0..<d { sum += Double(v[k]) * Double(v[k]) }
        guard sum > 0 else {
            // No feature reached the kept dimensions: fall back to a deterministic axis.
            let axis = features.first.map { Int($0 % UInt64(d)) } ?? 0
            v[axis] = 1
            return
        }
        let scale = Float(1 / sum.squareRoot())
        for k in 0..<d { v[k] *= scale }
    }

    /// Word unigrams (odd hashes) and character trigrams (even hashes) of lowercased text, with
    /// runs of whitespace read as one space and a space before and after the text.
    private mutating func collectTextFeatures(_ text: String) {
        var p2: UInt8 = 0x20, p1: UInt8 = 0x20
        var word: UInt64 = Self.fnvBasis
        var inWord = false
        for raw in text.utf8 {
            var b = raw
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            let space = b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
            if space {
                if p1 == 0x20 { continue }
                b = 0x20
            }
            features.append(Self.gram(p2, p1, b))
            p2 = p1
            p1 = b
            if Self.isWordByte(b) {
                word = (word ^ UInt64(b)) &* Self.fnvPrime
                inWord = true
            } else if inWord {
                features.append(Self.mix(word) | 1)
                word = Self.fnvBasis
                inWord = false
            }
        }
        if inWord { features.append(Self.mix(word) | 1) }
        if p1 != 0x20 { features.append(Self.gram(p2, p1, 0x20)) }
    }

    /// Token unigrams (odd hashes) and bigrams (even hashes).
    private mutating func collectTokenFeatures(_ tokens: [Int]) {
        var previous: UInt64 = 0xFFFF_FFFF
        for t in tokens {
            let token = UInt64(UInt32(truncatingIfNeeded: t))
            features.append(Self.mix(token ^ 0x746F_6B65_6E00_0000) | 1)
            features.append(Self.mix(previous << 32 | token ^ 0x6269_6772_616D_0000) & ~1)
            previous = token
        }
    }

    private static let fnvBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let fnvPrime: UInt64 = 0x100_0000_01B3

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) || b >= 0x80
    }

    private static func gram(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt64 {
        mix(UInt64(a) << 16 | UInt64(b) << 8 | UInt64(c) | 0x6772_0000_0000_0000) & ~1
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        return SeededRandom.splitMix(&x)
    }
}

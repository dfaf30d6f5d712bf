/// A failure to inject, as a real provider or network fails.
public struct Fault: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case tooManyRequests = "429"
        case internalError = "500"
        case badGateway = "502"
        case unavailable = "503"
        case gatewayTimeout = "504"
        case timeout
        case reset
        case disconnect
        case stall
        case errorEvent = "error-event"
        case malformed
        case noDone = "no-done"

        /// Kinds that break a stream after some chunks.
        public var isMidStream: Bool {
            switch self {
            case .disconnect, .stall, .errorEvent, .malformed, .noDone: return true
            default: return false
            }
        }
    }

    public var kind: Kind
    /// For mid-stream kinds: how many chunks go out first (nil: a random number).
    public var afterChunks: Int?

    public init(kind: Kind, afterChunks: Int? = nil) {
        self.kind = kind
        self.afterChunks = afterChunks
    }

    /// Parses `KIND` or `KIND@N` (the `X-Emulator-Fault` header).
    public static func parse(_ text: String) -> Fault? {
        let parts = text.trimmingCharacters(in: " ").split(separator: "@", maxSplits: 1)
        guard let first = parts.first, let kind = Kind(rawValue: first.lowercased()) else { return nil }
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0 else { return nil }
            return Fault(kind: kind, afterChunks: n)
        }
        return Fault(kind: kind)
    }

    public static var kindList: String { Kind.allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Global fault probabilities: `--fault-rate 500=0.01,disconnect=0.02`.
public struct FaultRates: Sendable, Equatable {
    public var rates: [(kind: Fault.Kind, probability: Double)] = []

    public init() {}

    public static func == (a: FaultRates, b: FaultRates) -> Bool {
        a.rates.map(\.kind) == b.rates.map(\.kind) && a.rates.map(\.probability) == b.rates.map(\.probability)
    }

    /// Parses `KIND=P,KIND=P`; nil when malformed.
    public static func parse(_ text: String) -> FaultRates? {
        var r = FaultRates()
        for item in text.split(separator: ",") where !item.trimmingCharacters(in: " ").isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let kind = Fault.Kind(rawValue: kv[0].trimmingCharacters(in: " ").lowercased()),
                let p = Double(kv[1].trimmingCharacters(in: " ")), p >= 0, p <= 1
            else { return nil }
            r.rates.append((kind, p))
        }
        return r
    }

    /// Draws at most one fault.
    func draw(_ rng: inout SeededRandom) -> Fault? {
        guard !rates.isEmpty else { return nil }
        var u = rng.unit()
        for (kind, p) in rates {
            if u < p { return Fault(kind: kind) }
            u -= p
        }
        return nil
    }

    var description: String { rates.map { "\($0.kind.rawValue)=\($0.probability)" }.joined(separator: ",") }
}

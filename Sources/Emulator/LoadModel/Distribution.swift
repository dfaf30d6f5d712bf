#if canImport(Glibc)
import Glibc
#endif

/// A random quantity (milliseconds, tokens …) written `X`, `uniform:MIN-MAX`, `normal:MEAN,SD`,
/// `lognormal:MEDIAN,SIGMA` or `p50:X,p99:Y` (a lognormal through those two percentiles).
/// Samples are clamped at 0.
public enum Distribution: Sendable, Equatable, CustomStringConvertible {
    case constant(Double)
    case uniform(Double, Double)
    case normal(mean: Double, sd: Double)
    case lognormal(median: Double, sigma: Double)

    /// z of the 99th percentile of the standard normal.
    static let z99 = 2.326_347_874

    /// Parses the flag syntax; nil when malformed.
    public static func parse(_ text: String) -> Distribution? {
        let t = text.trimmingCharacters(in: " ")
        func numbers(_ s: Substring, _ separator: Character) -> [Double]? {
            let parts = s.split(separator: separator, omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: " ")) }
            guard parts.allSatisfy({ $0 != nil && $0!.isFinite }) else { return nil }
            return parts.map { $0! }
        }
        if let colon = t.firstIndex(of: ":") {
            let kind = t[..<colon].lowercased()
            let rest = t[t.index(after: colon)...]
            switch kind {
            case "uniform":
                guard let v = numbers(rest, "-"), v.count == 2, v[0] >= 0, v[1] >= v[0] else { return nil }
                return .uniform(v[0], v[1])
            case "normal":
                guard let v = numbers(rest, ","), v.count == 2, v[1] >= 0 else { return nil }
                return .normal(mean: v[0], sd: v[1])
            case "lognormal":
                guard let v = numbers(rest, ","), v.count == 2, v[0] > 0, v[1] >= 0 else { return nil }
                return .lognormal(median: v[0], sigma: v[1])
            case "p50":
                // "p50:X,p99:Y"
                let parts = rest.split(separator: ",")
                guard parts.count == 2, let p50 = Double(parts[0].trimmingCharacters(in: " ")),
                    parts[1].lowercased().hasPrefix("p99:"),
                    let p99 = Double(parts[1].dropFirst(4).trimmingCharacters(in: " ")), p50 > 0, p99 >= p50
                else { return nil }
                return .lognormal(median: p50, sigma: log(p99 / p50) / z99)
            default:
                return nil
            }
        }
        guard let v = Double(t), v.isFinite, v >= 0 else { return nil }
        return .constant(v)
    }

    public func sample(_ rng: inout SeededRandom) -> Double {
        let v: Double
        switch self {
        case .constant(let c): return c
        case .uniform(let lo, let hi): v = lo + (hi - lo) * rng.unit()
        case .normal(let mean, let sd): v = mean + sd * Distribution.standardNormal(&rng)
        case .lognormal(let median, let sigma): v = median * exp(sigma * Distribution.standardNormal(&rng))
        }
        return max(0, v)
    }

    /// The expected value (before clamping).
    public var mean: Double {
        switch self {
        case .constant(let c): return c
        case .uniform(let lo, let hi): return (lo + hi) / 2
        case .normal(let mean, _): return max(0, mean)
        case .lognormal(let median, let sigma): return median * exp(sigma * sigma / 2)
        }
    }

    public var isZero: Bool { self == .constant(0) }

    public var description: String {
        switch self {
        case .constant(let c): return c.compact
        case .uniform(let lo, let hi): return "uniform:\(lo.compact)-\(hi.compact)"
        case .normal(let m, let s): return "normal:\(m.compact),\(s.compact)"
        case .lognormal(let m, let s): return "lognormal:\(m.compact),\(s)"
        }
    }

    static func standardNormal(_ rng: inout SeededRandom) -> Double {
        // Box–Muller; 1 - unit() keeps the argument of log above 0.
        let u1 = 1 - rng.unit(), u2 = rng.unit()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }
}

import Synchronization

/// Counters, gauges and histograms in Prometheus's text format. Hand-written and lock-light:
/// one short critical section per update, label sets fixed by the caller, model names capped.
public final class MetricsRegistry: Sendable {
    public enum Kind: String, Sendable {
        case counter
        case gauge
        case histogram
    }

    struct Family {
        var help: String
        var kind: Kind
        var buckets: [Double]
        /// Label text (`a="b",c="d"`) to value, or to bucket counts + sum + count.
        var values: [String: Double] = [:]
        var histograms: [String: Histogram] = [:]
    }

    struct Histogram {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    private let families = Mutex<[String: Family]>([:])
    private let order = Mutex<[String]>([])
    private let gauges = Mutex<[(name: String, help: String, read: @Sendable () -> Double)]>([])
    private let knownModels = Mutex<Set<String>>([])
    static let maxModels = 200

    public init() {}

    public static let latencyBuckets: [Double] = [
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
    ]

    /// Declares a family once, at start-up.
    public func declare(_ name: String, _ kind: Kind, help: String, buckets: [Double] = MetricsRegistry.latencyBuckets) {
        families.withLock { f in
            guard f[name] == nil else { return }
            f[name] = Family(help: help, kind: kind, buckets: kind == .histogram ? buckets : [])
        }
        order.withLock { $0.append(name) }
    }

    /// A gauge read when scraped.
    public func gauge(_ name: String, help: String, read: @escaping @Sendable () -> Double) {
        gauges.withLock { $0.append((name, help, read)) }
    }

    public func increment(_ name: String, _ labels: String = "", by amount: Double = 1) {
        families.withLock { f in f[name]?.values[labels, default: 0] += amount }
    }

    public func observe(_ name: String, _ labels: String = "", _ value: Double) {
        families.withLock { f in
            guard var family = f[name] else { return }
            var h = family.histograms[labels] ?? Histogram(counts: Array(repeating: 0, count: family.buckets.count))
            if let i = family.buckets.firstIndex(where: { value <= $0 }) { h.counts[i] += 1 }
            h.sum += value
            h.count += 1
            family.histograms[labels] = h
            f[name] = family
        }
    }

    /// The model name as a label value: the first 200 distinct names, then "other".
    public func modelLabel(_ model: String) -> String {
        knownModels.withLock { known in
            if known.contains(model) { return MetricsRegistry.escape(model) }
            guard known.count < MetricsRegistry.maxModels else { return "other" }
            known.insert(model)
            return MetricsRegistry.escape(model)
        }
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// The exposition text.
    public func render() -> [UInt8] {
        var out = ""
        let names = order.withLock { $0 }
        let snapshot = families.withLock { $0 }
        for name in names {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
            switch family.kind {
            case .histogram:
                for (labels, h) in family.histograms.sorted(by: { $0.key < $1.key }) {
                    var cumulative: UInt64 = 0
                    let prefix = labels.isEmpty ? "" : labels + ","
                    for (i, bound) in family.buckets.enumerated() {
                        cumulative += h.counts[i]
                        out += "\(name)_bucket{\(prefix)le=\"\(MetricsRegistry.number(bound))\"} \(cumulative)\n"
                    }
                    out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(h.count)\n"
                    let braces = labels.isEmpty ? "" : "{\(labels)}"
                    out += "\(name)_sum\(braces) \(MetricsRegistry.number(h.sum))\n"
                    out += "\(name)_count\(braces) \(h.count)\n"
                }
            default:
                for (labels, v) in family.values.sorted(by: { $0.key < $1.key }) {
                    out += labels.isEmpty ? "\(name) \(MetricsRegistry.number(v))\n" : "\(name){\(labels)} \(MetricsRegistry.number(v))\n"
                }
            }
        }
        for g in gauges.withLock({ $0 }) {
            out += "# HELP \(g.name) \(g.help)\n# TYPE \(g.name) gauge\n\(g.name) \(MetricsRegistry.number(g.read()))\n"
        }
        return Array(out.utf8)
    }

    static func number(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}

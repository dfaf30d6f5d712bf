/// Counters, gauges and histograms in Prometheus's text format. Hand-written and lock-light: each
/// series has its own small lock, and callers on the hot path keep the `Series` they update (see
/// `EmulatorMetrics`), so an update is one uncontended lock and an add: no label text is built
/// and no shared map is touched per request.
public final class MetricsRegistry: Sendable {
    public enum Kind: String, Sendable {
        case counter
        case gauge
        case histogram
    }

    /// One labelled time series: a counter value, or histogram buckets with sum and count.
    public final class Series: Sendable {
        struct Cell {
            var value: Double = 0
            var counts: [UInt64]
            var sum: Double = 0
            var count: UInt64 = 0
        }

        private let buckets: [Double]
        private let cell: Locked<Cell>

        init(buckets: [Double]) {
            self.buckets = buckets
            self.cell = Locked(Cell(counts: Array(repeating: 0, count: buckets.count)))
        }

        /// Adds to a counter.
        public func add(_ amount: Double) { cell.withLock { $0.value += amount } }

        /// Records one histogram observation.
        public func observe(_ value: Double) {
            var i = 0
            while i < buckets.count && value > buckets[i] { i += 1 }
            cell.withLock { c in
                if i < c.counts.count { c.counts[i] += 1 }
                c.sum += value
                c.count += 1
            }
        }

        var snapshot: Cell { cell.withLock { $0 } }
    }

    final class Family: Sendable {
        let name: String
        let help: String
        let kind: Kind
        let buckets: [Double]
        /// Label text (`a="b",c="d"`) to series.
        let series = Locked<[String: Series]>([:])

        init(name: String, help: String, kind: Kind, buckets: [Double]) {
            self.name = name
            self.help = help
            self.kind = kind
            self.buckets = buckets
        }

        func series(_ labels: String) -> Series {
            series.withLock { s in
                if let existing = s[labels] { return existing }
                let created = Series(buckets: buckets)
                s[labels] = created
                return created
            }
        }
    }

    private let families = Locked<(byName: [String: Family], order: [Family])>(([:], []))
    private let gauges = Locked<[(name: String, help: String, read: @Sendable () -> Double)]>([])
    /// Model name to its label value; past `maxModels` names, "other".
    private let knownModels = Locked<[String: String]>([:])
    static let maxModels = 200

    public init() {}

    public static let latencyBuckets: [Double] = [
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
    ]

    /// Declares a family once, at start-up.
    public func declare(_ name: String, _ kind: Kind, help: String, buckets: [Double] = MetricsRegistry.latencyBuckets) {
        families.withLock { f in
            guard f.byName[name] == nil else { return }
            let family = Family(name: name, help: help, kind: kind, buckets: kind == .histogram ? buckets : [])
            f.byName[name] = family
            f.order.append(family)
        }
    }

    /// A gauge read when scraped.
    public func gauge(_ name: String, help: String, read: @escaping @Sendable () -> Double) {
        gauges.withLock { $0.append((name, help, read)) }
    }

    /// The series of a declared family with these labels (created on first use); nil for an
    /// undeclared family. Keep it to update it without any lookup.
    public func series(_ name: String, _ labels: String = "") -> Series? {
        let family = families.withLock { $0.byName[name] }
        return family?.series(labels)
    }

    public func increment(_ name: String, _ labels: String = "", by amount: Double = 1) {
        series(name, labels)?.add(amount)
    }

    public func observe(_ name: String, _ labels: String = "", _ value: Double) {
        series(name, labels)?.observe(value)
    }

    /// The model name as a label value: the first 200 distinct names, then "other".
    public func modelLabel(_ model: String) -> String {
        knownModels.withLock { known in
            if let label = known[model] { return label }
            guard known.count < MetricsRegistry.maxModels else { return "other" }
            let label = MetricsRegistry.escape(model)
            known[model] = label
            return label
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
        for family in families.withLock({ $0.order }) {
            let name = family.name
            out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
            let series = family.series.withLock { $0 }.sorted(by: { $0.key < $1.key })
            switch family.kind {
            case .histogram:
                for (labels, s) in series {
                    let h = s.snapshot
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
                for (labels, s) in series {
                    let v = s.snapshot.value
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

/// Deterministic fault scripts for retry tests: "the first 3 requests get 429", "every 10th
/// request gets 500", "between 30 s and 60 s after start, 503 to all" — counted per API key, per
/// model, or over all requests.
public struct FaultRule: Sendable, Equatable {
    public enum When: Sendable, Equatable {
        case first(Int)
        case every(Int)
        case window(fromSeconds: Double, toSeconds: Double)
    }

    public enum Counting: String, Sendable {
        case all
        case key
        case model
    }

    public var kind: Fault.Kind
    public var when: When
    public var per: Counting = .key
    /// Only requests for models matching this glob count.
    public var model = "*"
    public var afterChunks: Int?

    public init(kind: Fault.Kind, when: When, per: Counting = .key, model: String = "*", afterChunks: Int? = nil) {
        self.kind = kind
        self.when = when
        self.per = per
        self.model = model
        self.afterChunks = afterChunks
    }

    /// Parses one rule: `first 3 429`, `every 10 500`, `30s-60s 503`, optionally ending with
    /// `per key|model|all` and `model GLOB`.
    public static func parse(_ text: String) -> FaultRule? {
        var words = text.split(separator: " ").map(String.init)
        var per = Counting.key
        var model = "*"
        while words.count >= 2 {
            if words[words.count - 2] == "per", let c = Counting(rawValue: words.last!) {
                per = c
            } else if words[words.count - 2] == "model" {
                model = words.last!
            } else {
                break
            }
            words.removeLast(2)
        }
        guard let last = words.last, let fault = Fault.parse(last) else { return nil }
        let kind = fault.kind
        if words.count == 3, let n = Int(words[1]), n > 0 {
            switch words[0] {
            case "first": return FaultRule(kind: kind, when: .first(n), per: per, model: model, afterChunks: fault.afterChunks)
            case "every": return FaultRule(kind: kind, when: .every(n), per: per, model: model, afterChunks: fault.afterChunks)
            default: return nil
            }
        }
        if words.count == 2 {
            let range = words[0].split(separator: "-")
            func seconds(_ s: Substring) -> Double? { Double(s.hasSuffix("s") ? s.dropLast() : s) }
            guard range.count == 2, let a = seconds(range[0]), let b = seconds(range[1]), b >= a else { return nil }
            return FaultRule(kind: kind, when: .window(fromSeconds: a, toSeconds: b), per: per, model: model,
                             afterChunks: fault.afterChunks)
        }
        return nil
    }
}

/// Counts requests for the script's rules.
public final class FaultScriptCounter: Sendable {
    private let counts = Locked<[String: Int]>([:])
    public let startedAt: UInt64

    public init(startedAt: UInt64 = MonotonicClock.now()) { self.startedAt = startedAt }

    /// The first rule that fires for this request, counting it against every matching rule.
    func fire(_ rules: [FaultRule], key: String, model: String, now: UInt64) -> Fault? {
        var fired: Fault?
        for (i, rule) in rules.enumerated() where Glob.matches(rule.model, model) {
            switch rule.when {
            case .window(let from, let to):
                let t = Double(now &- startedAt) / 1e9
                if fired == nil && t >= from && t < to { fired = Fault(kind: rule.kind, afterChunks: rule.afterChunks) }
            case .first(let n), .every(let n):
                let counter: String
                switch rule.per {
                case .all: counter = "\(i)"
                case .key: counter = "\(i)\u{1}\(key)"
                case .model: counter = "\(i)\u{2}\(model)"
                }
                let count = counts.withLock { c -> Int in
                    c[counter, default: 0] += 1
                    return c[counter]!
                }
                let hit: Bool
                if case .first = rule.when { hit = count <= n } else { hit = count % n == 0 }
                if hit && fired == nil { fired = Fault(kind: rule.kind, afterChunks: rule.afterChunks) }
            }
        }
        return fired
    }

    public func reset(prefix: String = "") {
        counts.withLock { c in
            if prefix.isEmpty { c.removeAll() } else { c = c.filter { !$0.key.contains(prefix) } }
        }
    }
}

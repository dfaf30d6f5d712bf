/// OpenAI-style rate limits: token buckets for requests and tokens per minute (and requests per
/// day), refilled continuously, one set per API key and profile.
public final class RateLimiter: Sendable {
    struct Bucket {
        var capacity: Double
        var level: Double
        var updated: UInt64
        /// Refill per nanosecond.
        var rate: Double

        mutating func refill(_ now: UInt64) {
            level = min(capacity, level + Double(now &- updated) * rate)
            updated = now
        }

        /// Nanoseconds until `amount` is available.
        func wait(for amount: Double) -> UInt64 {
            level >= amount ? 0 : UInt64((amount - level) / rate)
        }

        /// Nanoseconds until the bucket is full again.
        var untilFull: UInt64 { UInt64(max(0, capacity - level) / rate) }
    }

    struct Buckets {
        var requests: Bucket?
        var tokens: Bucket?
        var daily: Bucket?
    }

    /// The outcome of one check.
    public struct Decision: Sendable {
        /// nil when allowed; "requests" or "tokens" when over a limit.
        public var exceeded: String?
        public var retryAfterNanos: UInt64 = 0
        /// The `x-ratelimit-*` headers.
        public var headers: [(name: String, value: String)] = []
        public var limit = 0
        public var used = 0
    }

    private let buckets = Locked<[String: Buckets]>([:])

    public init() {}

    /// Charges one request and `tokens` tokens to `key` under the profile's limits.
    public func check(key: String, profile: ModelProfile, tokens: Int, now: UInt64 = MonotonicClock.now()) -> Decision {
        guard profile.rpm != nil || profile.tpm != nil || profile.rpd != nil else { return Decision() }
        return buckets.withLock { all -> Decision in
            var b = all[key] ?? RateLimiter.make(profile, now)
            defer { all[key] = b }
            b.requests?.refill(now)
            b.tokens?.refill(now)
            b.daily?.refill(now)
            var d = Decision()
            if let r = b.requests, r.level < 1 {
                d.exceeded = "requests"; d.retryAfterNanos = r.wait(for: 1); d.limit = Int(r.capacity)
            } else if let day = b.daily, day.level < 1 {
                d.exceeded = "requests"; d.retryAfterNanos = day.wait(for: 1); d.limit = Int(day.capacity)
            } else if let t = b.tokens, t.level < Double(tokens) {
                d.exceeded = "tokens"; d.limit = Int(t.capacity); d.used = Int(t.capacity - t.level)
                d.retryAfterNanos = Double(tokens) > t.capacity ? t.untilFull : t.wait(for: Double(tokens))
            } else {
                b.requests?.level -= 1
                b.daily?.level -= 1
                b.tokens?.level -= Double(tokens)
            }
            d.headers = RateLimiter.headers(b)
            return d
        }
    }

    /// Forgets every bucket (reset) or the buckets of keys with a prefix (a scope).
    public func reset(prefix: String = "") {
        buckets.withLock { all in
            if prefix.isEmpty { all.removeAll() } else { all = all.filter { !$0.key.hasPrefix(prefix) } }
        }
    }

    static func make(_ p: ModelProfile, _ now: UInt64) -> Buckets {
        func bucket(_ limit: Int?, perNanos: Double) -> Bucket? {
            guard let limit, limit > 0 else { return nil }
            return Bucket(capacity: Double(limit), level: Double(limit), updated: now, rate: Double(limit) / perNanos)
        }
        return Buckets(requests: bucket(p.rpm, perNanos: 60e9), tokens: bucket(p.tpm, perNanos: 60e9),
                       daily: bucket(p.rpd, perNanos: 86_400e9))
    }

    static func headers(_ b: Buckets) -> [(name: String, value: String)] {
        var h: [(name: String, value: String)] = []
        h.reserveCapacity(6)
        if let r = b.requests ?? b.daily {
            h.append(("x-ratelimit-limit-requests", String(decimal: Int(r.capacity))))
            h.append(("x-ratelimit-remaining-requests", String(decimal: max(0, Int(r.level)))))
            h.append(("x-ratelimit-reset-requests", RateLimiter.duration(r.untilFull)))
        }
        if let t = b.tokens {
            h.append(("x-ratelimit-limit-tokens", String(decimal: Int(t.capacity))))
            h.append(("x-ratelimit-remaining-tokens", String(decimal: max(0, Int(t.level)))))
            h.append(("x-ratelimit-reset-tokens", RateLimiter.duration(t.untilFull)))
        }
        return h
    }

    /// OpenAI's duration strings: `120ms`, `1s`, `6m0s`, `1h2m3s`.
    public static func duration(_ nanos: UInt64) -> String {
        let ms = (nanos + 999_999) / 1_000_000
        if ms < 1000 { return String(decimal: Int(ms)) + "ms" }
        let totalSeconds = Double(ms) / 1000
        if totalSeconds < 60 {
            let rounded = (totalSeconds * 1000).rounded() / 1000
            return rounded == rounded.rounded() ? "\(Int(rounded))s" : "\(rounded)s"
        }
        let s = Int(totalSeconds.rounded(.up))
        let h = s / 3600, m = (s % 3600) / 60, sec = s % 60
        return h > 0 ? "\(h)h\(m)m\(sec)s" : "\(m)m\(sec)s"
    }
}

import Synchronization

/// When each part of one answer is due: the one place that decides pacing. Holds the sampled
/// time to first token and draws each inter-token gap from its distribution, slowed down by the
/// number of generations running when a slowdown is configured.
public struct LatencyPlan: Sendable {
    /// Delay before the first token (already including prefill and sampling).
    public var ttftNanos: UInt64
    /// Inter-token latency in milliseconds.
    public var itl: Distribution
    var rng: SeededRandom
    /// ITL grows by this fraction for each running generation beyond the first.
    var slowdownPerRunning: Double = 0
    var running: RunningCount?

    public init(ttftNanos: UInt64 = 0, itl: Distribution = .constant(0), rng: SeededRandom = SeededRandom(seed: 1)) {
        self.ttftNanos = ttftNanos
        self.itl = itl
        self.rng = rng
    }

    public init(ttftMs: Double, itlMs: Double) {
        self.init(ttftNanos: UInt64(max(0, ttftMs) * 1e6), itl: .constant(max(0, itlMs)))
    }

    /// The gap before the next token.
    public mutating func nextITLNanos() -> UInt64 {
        var ms = itl.sample(&rng)
        if slowdownPerRunning > 0, let running {
            ms *= 1 + slowdownPerRunning * Double(max(0, running.value - 1))
        }
        return UInt64(ms * 1e6)
    }

    /// The simulated generation time of a non-streaming answer of `tokens` tokens.
    public mutating func totalNanos(tokens: Int) -> UInt64 {
        var total = ttftNanos
        if !itl.isZero {
            for _ in 0..<max(0, tokens - 1) { total &+= nextITLNanos() }
        }
        return total
    }
}

/// A shared count of running generations (for the slowdown model and gauges).
public final class RunningCount: Sendable {
    private let count = Atomic<Int>(0)
    public init() {}
    public var value: Int { count.load(ordering: .relaxed) }
    public func add(_ n: Int) { count.add(n, ordering: .relaxed) }
}

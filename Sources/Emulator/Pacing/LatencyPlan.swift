/// When each part of one answer is due: the one place that decides pacing.
public struct LatencyPlan: Sendable, Equatable {
    /// Delay before the first token.
    public var ttftNanos: UInt64
    /// Delay between tokens.
    public var itlNanos: UInt64

    public init(ttftNanos: UInt64 = 0, itlNanos: UInt64 = 0) {
        self.ttftNanos = ttftNanos
        self.itlNanos = itlNanos
    }

    public init(ttftMs: Double, itlMs: Double) {
        self.init(ttftNanos: UInt64(max(0, ttftMs) * 1e6), itlNanos: UInt64(max(0, itlMs) * 1e6))
    }

    /// The simulated generation time of a non-streaming answer of `tokens` tokens.
    public func totalNanos(tokens: Int) -> UInt64 {
        ttftNanos &+ itlNanos &* UInt64(max(0, tokens - 1))
    }
}

/// How one model (or glob of models) behaves under load: latency, output length, capacity and
/// rate limits. The defaults come from flags; a config file adds per-model profiles.
public struct ModelProfile: Sendable, Equatable {
    /// A model-name glob; "*" for the defaults.
    public var model = "*"
    /// Time to first token, in milliseconds.
    public var ttftMs: Distribution = .constant(0)
    /// Inter-token latency, in milliseconds.
    public var itlMs: Distribution = .constant(0)
    /// Added to the time to first token for each prompt token, in microseconds.
    public var prefillUsPerToken: Double = 0
    /// Output length for `lorem` answers, in tokens (nil: the generation setting).
    public var outputTokens: Distribution?
    /// Generations running at once (nil: unlimited) and how many may wait for a slot.
    public var maxConcurrency: Int?
    public var maxQueue = 0
    /// ITL grows by this percentage for each running generation beyond the first.
    public var slowdownPerRunningPercent: Double = 0
    /// Requests and tokens per minute and requests per day, per API key (nil: unlimited).
    public var rpm: Int?
    public var tpm: Int?
    public var rpd: Int?
    /// Answers every request with 429 `insufficient_quota`.
    public var quotaExhausted = false

    public init() {}
}

/// The default profile and the per-model ones; the first matching per-model profile wins,
/// falling back to the defaults field by field.
public struct ProfileSet: Sendable, Equatable {
    public var defaults = ModelProfile()
    public var profiles: [ModelProfile] = []

    public init() {}

    public func profile(for model: String) -> ModelProfile {
        profiles.first { Glob.matches($0.model, model) } ?? defaults
    }
}

/// The load-test behaviour that can change while running (`PATCH /_emulator/config`): profiles,
/// faults and overload answers.
public struct LoadSettings: Sendable, Equatable {
    public var profiles = ProfileSet()
    public var faultRates = FaultRates()
    public var faultScript: [FaultRule] = []
    /// 429 (default) or 503 when the capacity queue is full.
    public var overloadStatus = 429
    /// How long a `504` fault waits before answering, and how long a `timeout` fault holds the
    /// connection before closing it.
    public var gatewayTimeoutMs: Double = 3000
    public var timeoutHoldSeconds: Double = 600
    /// Seeds latency sampling and fault draws for reproducible runs.
    public var seed: UInt64?

    public init() {}
}

/// The current `LoadSettings`, swapped atomically as a whole.
public final class LoadSettingsBox: Sendable {
    private let current: Locked<LoadSettings>

    public init(_ settings: LoadSettings) { current = Locked(settings) }

    public var value: LoadSettings { current.withLock { $0 } }

    public func update(_ change: (inout LoadSettings) throws(APIError) -> Void) throws(APIError) {
        try current.withLock { (s: inout LoadSettings) throws(APIError) in
            var copy = s
            try change(&copy)
            s = copy
        }
    }
}

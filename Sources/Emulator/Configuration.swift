/// Everything the emulator is told at start: transport, authentication, generation and pacing.
/// A plain value, validated by the command line and used to build the server.
public struct EmulatorConfiguration: Sendable {
    public var server = HTTPServer.Settings()
    /// Accepted API keys; empty accepts any key or none.
    public var apiKeys: [String] = []
    /// The answer text in `static` mode.
    public var responseText: String {
        get { generation.responseText }
        set { generation.responseText = newValue }
    }
    /// Content mode, lengths, seed and reasoning models.
    public var generation = GenerationSettings()
    /// tiktoken ranks files (`.tiktoken`) for exact token counts; empty uses the estimator.
    public var tokenizerFiles: [String] = []
    /// Latency, capacity, rate limits and faults (changeable at runtime through the admin API).
    public var load = LoadSettings()
    /// Constant time to first token of the default profile, in milliseconds.
    public var ttftMs: Double {
        get { load.profiles.defaults.ttftMs.mean }
        set { load.profiles.defaults.ttftMs = .constant(max(0, newValue)) }
    }
    /// Constant inter-token latency of the default profile, in milliseconds.
    public var itlMs: Double {
        get { load.profiles.defaults.itlMs.mean }
        set { load.profiles.defaults.itlMs = .constant(max(0, newValue)) }
    }
    /// Also exports vLLM's metric names.
    public var vllmMetrics = false
    /// The admin API (`/_emulator/…`): off entirely, or protected by a key when one is set.
    public var adminEnabled = true
    public var adminKey: String?
    /// Client addresses or networks allowed to use the admin API (empty: any).
    public var adminFrom: [AddressRange] = []
    /// A YAML or JSON file with load settings (`defaults`, `profiles`, `faults`, …), applied over the flags.
    public var configFile: String?
    /// Seconds that open streams may take to finish on shutdown.
    public var shutdownGraceSeconds: Double = 10
    /// Responses kept for `GET /v1/responses/{id}` and `previous_response_id` (least recently used go first).
    public var responseStoreSize = 10_000
    /// The models `GET /v1/models` lists (a file given by `--models`, or the built-in list).
    public var modelsFile: String?
    /// Rejects requests for models not in the catalogue with 404 `model_not_found`.
    public var strictModels = false
    /// Native embedding sizes for model names beyond the built-in ones.
    public var embeddingDimensions: [String: Int] = [:]
    /// A YAML or JSON fixtures file (hot-reloaded), and whether unmatched requests are errors.
    public var fixturesFile: String?
    public var fixturesStrict = false
    /// Journal bounds: entries kept per scope, and bytes of each body kept.
    public var journalSize = 1000
    public var journalBodyBytes = 64 * 1024
    /// Use the API key as the scope when no `X-Emulator-Scope` header is sent.
    public var scopeByKey = false
    /// Forwards API requests to this upstream base URL instead of answering them.
    public var proxyTo: String?
    /// Writes proxied exchanges to this file as replayable fixtures.
    public var recordFile: String?
    /// Logs every request and answer body.
    public var verbose = false

    public static let defaultResponseText = "Blank response from OpenAI API emulator."
    public static let version = "0.1.0"

    public init() {}
}

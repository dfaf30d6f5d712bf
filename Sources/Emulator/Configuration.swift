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
    /// Delay before the first content token, in milliseconds.
    public var ttftMs: Double = 0
    /// Delay between tokens, in milliseconds.
    public var itlMs: Double = 0
    /// Seconds that open streams may take to finish on shutdown.
    public var shutdownGraceSeconds: Double = 10
    /// Responses kept for `GET /v1/responses/{id}` and `previous_response_id` (least recently used go first).
    public var responseStoreSize = 10_000
    /// The models `GET /v1/models` lists (a file given by `--models`, or the built-in list).
    public var modelsFile: String?
    /// Rejects requests for models not in the catalogue with 404 `model_not_found`.
    public var strictModels = false
    /// Logs every request and answer body.
    public var verbose = false

    public static let defaultResponseText = "Blank response from OpenAI API emulator."
    public static let version = "0.1.0"

    public init() {}
}

import ArgumentParser
import Emulator
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The command's options, each also readable from an `EMULATOR_*` environment variable.
struct EmulatorOptions: ParsableArguments {
    @Option(help: "Address to listen on (an IPv4 or IPv6 literal).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port (printed on start).")
    var port = 8383

    @Option(help: "Worker threads serving connections (default: number of cores).")
    var threads: Int = EmulatorOptions.coreCount

    @Option(help: "Connections served at once; on up to 64 more, only /health, /ready and /metrics are answered and other requests get 503.")
    var maxConnections = 10_000

    @Option(help: "Seconds an idle connection is kept open.")
    var connectionTimeout = 60

    @Option(help: "Largest accepted request body in bytes; larger ones get 413.")
    var maxBodyBytes = 32 * 1024 * 1024

    @Option(help: "Memory each connection may use for its request head and buffers, in bytes (0: libmicrohttpd's default, 32 KiB). Request line and headers must fit in it.")
    var connectionMemoryLimit = 8192

    @Option(name: .customLong("api-key"), help: "Accepted API key (repeatable). Without any, every key is accepted.")
    var apiKeys: [String] = []

    @Option(help: "The answer text.")
    var responseText = EmulatorConfiguration.defaultResponseText

    @Option(help: "What answers say: static (--response-text), echo (the last user message) or lorem (filler text of --output-tokens).")
    var responseMode: GenerationSettings.Mode = .static

    @Option(help: "Length of lorem answers in tokens: N or MIN-MAX (uniform).")
    var outputTokens = "100"

    @Option(help: "Seed for every request without its own: makes answers reproducible.")
    var seed: UInt64?

    @Option(name: .customLong("tokenizer"), help: "A tiktoken ranks file (.tiktoken) for exact token counts (repeatable: cl100k_base, o200k_base).")
    var tokenizerFiles: [String] = []

    @Option(help: "Comma-separated model-name globs that behave as reasoning models.")
    var reasoningModels = "o1*,o3*,o4*,gpt-5*"

    @Option(help: "A model catalogue file (JSON list of {id, owned_by, created}, or one id per line) for GET /v1/models.")
    var models: String?

    @Flag(help: "Reject requests for models not in the catalogue (404 model_not_found).")
    var strictModels = false

    @Option(help: "Responses kept for GET /v1/responses/{id} and previous_response_id.")
    var responseStoreSize = 10_000

    @Option(help: "Milliseconds before the first token: X, uniform:MIN-MAX, normal:MEAN,SD, lognormal:MEDIAN,SIGMA or p50:X,p99:Y.")
    var ttftMs = "0"

    @Option(help: "Milliseconds between tokens (same syntax as --ttft-ms).")
    var itlMs = "0"

    @Option(help: "Microseconds added to the time to first token per prompt token.")
    var prefillUsPerToken: Double = 0

    @Option(help: "Generations running at once (default: unlimited); others wait in a queue.")
    var maxConcurrency: Int?

    @Option(help: "Generations that may wait for a slot; past that, --overload-status.")
    var maxQueue = 0

    @Option(help: "Status when the queue is full: 429 or 503.")
    var overloadStatus = 429

    @Option(help: "Percent by which the inter-token latency grows for each running generation beyond the first.")
    var slowdownPerRunning: Double = 0

    @Option(help: "Requests per minute per API key (default: unlimited).")
    var rpm: Int?

    @Option(help: "Tokens per minute per API key (prompt + max_tokens or estimated output).")
    var tpm: Int?

    @Option(help: "Requests per day per API key.")
    var rpd: Int?

    @Flag(help: "Answer every generation with 429 insufficient_quota.")
    var quotaExhausted = false

    @Option(help: "Fault probabilities: KIND=P,... with kinds \(Fault.kindList).")
    var faultRate = ""

    @Option(help: "Fault script rule (repeatable, or ';'-separated): 'first 3 429', 'every 10 500', '30s-60s 503', optionally 'per key|model|all'.")
    var faultScript: [String] = []

    @Option(help: "A YAML or JSON file of load settings: defaults, per-model profiles, faults.")
    var config: String?

    @Flag(help: "Also export vLLM's metric names (vllm:num_requests_running, …).")
    var vllmMetrics = false

    @Option(help: "Key required by the admin API (/_emulator/…).")
    var adminKey: String?

    @Flag(help: "Turn the admin API off.")
    var noAdmin = false

    @Option(help: "PEM certificate file: with --tls-key, serve HTTPS.")
    var tlsCert: String?

    @Option(help: "PEM private key file for --tls-cert.")
    var tlsKey: String?

    @Option(help: "Comma-separated addresses or networks allowed to use the admin API: 'loopback', '10.0.0.0/8', '::1' (default: any).")
    var adminBind = ""

    @Option(help: "A YAML or JSON fixtures file, reloaded when it changes.")
    var fixtures: String?

    @Flag(help: "Answer requests no fixture matches with 404 fixture_not_found, naming the closest rule.")
    var fixturesStrict = false

    @Option(help: "Requests the journal keeps per scope.")
    var journalSize = 1000

    @Option(help: "Bytes of each request body the journal keeps.")
    var journalBodyBytes = 64 * 1024

    @Flag(help: "Use the API key as the scope when no X-Emulator-Scope header is sent.")
    var scopeByKey = false

    @Option(help: "Forward API requests unchanged to this OpenAI-compatible base URL (e.g. https://api.openai.com).")
    var proxyTo: String?

    @Option(help: "With --proxy-to: write each exchange to this file as a fixture that replays it.")
    var record: String?

    @Option(help: "Serve the exchanges recorded in this file (a fixtures file).")
    var replay: String?

    @Option(help: "Seconds that open streams may take to finish on shutdown.")
    var shutdownGrace: Double = 10

    @Option(help: "Seconds after SIGTERM during which /ready answers 503 but requests are still served (SIGINT skips it).")
    var drainDelay: Double = 5

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log format: text or json.")
    var logFormat: LogFormat = .text

    @Flag(help: "Log every request and answer body.")
    var verbose = false

    var adminRanges: [AddressRange]? {
        var out: [AddressRange] = []
        for item in adminBind.split(separator: ",") where !item.trimmingSpaces.isEmpty {
            guard let ranges = AddressRange.parse(String(item.trimmingSpaces)) else { return nil }
            out += ranges
        }
        return out
    }

    var faultRules: [String] {
        faultScript.flatMap { $0.split(separator: ";") }.map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
    }

    static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024.") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1.") }
        guard connectionTimeout >= 0 else { throw ValidationError("--connection-timeout cannot be negative.") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be at least 1.") }
        guard connectionMemoryLimit == 0 || connectionMemoryLimit >= 4096 else {
            throw ValidationError("--connection-memory-limit must be 0 or at least 4096.")
        }
        for (flag, value) in [("--ttft-ms", ttftMs), ("--itl-ms", itlMs)] where Distribution.parse(value) == nil {
            throw ValidationError("\(flag) must be a number or a distribution (uniform:MIN-MAX, normal:MEAN,SD, lognormal:MEDIAN,SIGMA, p50:X,p99:Y), got '\(value)'.")
        }
        guard overloadStatus == 429 || overloadStatus == 503 else { throw ValidationError("--overload-status must be 429 or 503.") }
        guard FaultRates.parse(faultRate) != nil else {
            throw ValidationError("--fault-rate must be KIND=P,... with P in 0...1 and kinds \(Fault.kindList).")
        }
        for rule in faultRules where FaultRule.parse(rule) == nil {
            throw ValidationError("--fault-script rule '\(rule)' is not 'first N KIND', 'every N KIND' or 'As-Bs KIND'.")
        }
        guard adminRanges != nil else {
            throw ValidationError("--admin-bind takes addresses or networks like loopback, 127.0.0.1, 10.0.0.0/8, ::1, got '\(adminBind)'.")
        }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together.") }
        if record != nil && proxyTo == nil { throw ValidationError("--record needs --proxy-to.") }
        if replay != nil && fixtures != nil { throw ValidationError("--replay and --fixtures both name a fixtures file; give one.") }
        guard journalSize >= 1, journalBodyBytes >= 0 else {
            throw ValidationError("--journal-size must be at least 1 and --journal-body-bytes at least 0.")
        }
        if let maxConcurrency, maxConcurrency < 1 { throw ValidationError("--max-concurrency must be at least 1.") }
        guard responseStoreSize >= 0 else { throw ValidationError("--response-store-size cannot be negative.") }
        guard drainDelay >= 0 else { throw ValidationError("--drain-delay cannot be negative.") }
        guard shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace cannot be negative.") }
        guard TokenRange.parse(outputTokens) != nil else {
            throw ValidationError("--output-tokens must be N or MIN-MAX with 0 <= MIN <= MAX, got '\(outputTokens)'.")
        }
    }

    func configuration() throws -> EmulatorConfiguration {
        var c = EmulatorConfiguration()
        c.server.host = host
        c.server.port = port
        c.server.threads = threads
        c.server.maxConnections = maxConnections
        c.server.connectionTimeoutSeconds = connectionTimeout
        c.server.connectionMemoryLimit = connectionMemoryLimit
        c.server.limits.maxBodyBytes = maxBodyBytes
        c.apiKeys = apiKeys.flatMap { $0.split(separator: ",").map { String($0.trimmingSpaces) } }.filter { !$0.isEmpty }
        c.responseText = responseText
        c.generation.mode = responseMode
        c.generation.outputTokens = TokenRange.parse(outputTokens) ?? 100...100
        c.generation.seed = seed
        c.generation.reasoningModels = reasoningModels.split(separator: ",").map { String($0.trimmingSpaces) }
        c.tokenizerFiles = tokenizerFiles
        c.modelsFile = models
        c.strictModels = strictModels
        c.responseStoreSize = responseStoreSize
        var load = LoadSettings()
        load.profiles.defaults.ttftMs = Distribution.parse(ttftMs) ?? .constant(0)
        load.profiles.defaults.itlMs = Distribution.parse(itlMs) ?? .constant(0)
        load.profiles.defaults.prefillUsPerToken = prefillUsPerToken
        load.profiles.defaults.maxConcurrency = maxConcurrency
        load.profiles.defaults.maxQueue = maxQueue
        load.profiles.defaults.slowdownPerRunningPercent = slowdownPerRunning
        load.profiles.defaults.rpm = rpm
        load.profiles.defaults.tpm = tpm
        load.profiles.defaults.rpd = rpd
        load.profiles.defaults.quotaExhausted = quotaExhausted
        load.overloadStatus = overloadStatus
        load.faultRates = FaultRates.parse(faultRate) ?? FaultRates()
        load.faultScript = faultRules.compactMap(FaultRule.parse)
        load.seed = seed
        c.load = load
        c.configFile = config
        c.vllmMetrics = vllmMetrics
        c.adminKey = adminKey
        c.adminEnabled = !noAdmin
        c.adminFrom = adminRanges ?? []
        if let tlsCert, let tlsKey {
            guard let cert = FileReader.read(tlsCert), let key = FileReader.read(tlsKey) else {
                throw ValidationError("cannot read --tls-cert \(tlsCert) or --tls-key \(tlsKey).")
            }
            c.server.tlsCertificatePEM = String(decoding: cert, as: UTF8.self)
            c.server.tlsKeyPEM = String(decoding: key, as: UTF8.self)
        }
        c.fixturesFile = fixtures
        c.fixturesStrict = fixturesStrict
        c.journalSize = journalSize
        c.journalBodyBytes = journalBodyBytes
        c.scopeByKey = scopeByKey
        c.proxyTo = proxyTo
        c.recordFile = record
        if let replay { c.fixturesFile = replay }
        c.shutdownGraceSeconds = shutdownGrace
        c.verbose = verbose
        return c
    }

    /// Which environment variable feeds which option.
    static let environmentSpecs: [EnvironmentArguments.Spec] = [
        .init("host"), .init("port"), .init("threads"), .init("max-connections"), .init("connection-timeout"),
        .init("max-body-bytes"), .init("connection-memory-limit"),
        .init("api-key", variable: "EMULATOR_API_KEYS", list: true), .init("api-key", list: true),
        .init("response-text"), .init("response-mode"), .init("output-tokens"), .init("seed"),
        .init("tokenizer", variable: "EMULATOR_TOKENIZERS", list: true), .init("tokenizer", list: true),
        .init("reasoning-models"), .init("prefill-us-per-token"), .init("max-concurrency"), .init("max-queue"),
        .init("overload-status"), .init("slowdown-per-running"), .init("rpm"), .init("tpm"), .init("rpd"),
        .init("quota-exhausted", isFlag: true), .init("fault-rate"), .init("fault-script", list: true),
        .init("config"), .init("vllm-metrics", isFlag: true), .init("admin-key"), .init("admin-bind"), .init("tls-cert"), .init("tls-key"), .init("no-admin", isFlag: true),
        .init("fixtures"), .init("fixtures-strict", isFlag: true), .init("journal-size"), .init("journal-body-bytes"),
        .init("scope-by-key", isFlag: true), .init("proxy-to"), .init("record"), .init("replay"), .init("models"), .init("strict-models", isFlag: true), .init("response-store-size"), .init("ttft-ms"), .init("itl-ms"), .init("shutdown-grace"), .init("drain-delay"), .init("log-level"),
        .init("log-format"), .init("verbose", isFlag: true),
    ]
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension GenerationSettings.Mode: ExpressibleByArgument {}

/// How log lines are written.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}

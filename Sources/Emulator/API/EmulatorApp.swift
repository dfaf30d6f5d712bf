import Logging
import Synchronization

/// Assembles the emulator from a configuration: the endpoints, the router and the server.
public final class EmulatorApp: Sendable {
    public let configuration: EmulatorConfiguration
    public let server: HTTPServer
    public let load: LoadPipeline
    public let mock: MockEngine
    /// The load settings given by flags alone; a reload applies the config file on top of them again.
    private let flagSettings: LoadSettings
    /// False until listening, and again while draining: what `GET /ready` reports.
    public let readiness: Readiness
    let router: Router

    /// - Throws: when a tokenizer, models or config file cannot be read or is invalid.
    public init(configuration: EmulatorConfiguration, logger: Logger) throws {
        var c = configuration
        flagSettings = configuration.load
        if let file = c.configFile {
            let json = try ConfigFile.load(file)
            let applied = Result { () throws(APIError) in try c.load.apply(json) }
            if case .failure(let error) = applied { throw ConfigurationError.invalid(file, error.message) }
        }
        self.configuration = c
        let ids = IDGenerator()
        self.readiness = Readiness()
        self.load = LoadPipeline(settings: c.load, vllmMetrics: c.vllmMetrics, ids: ids)
        let fixtures = FixtureStore(path: c.fixturesFile, strict: c.fixturesStrict, ids: ids, logger: logger)
        try fixtures.reload()
        self.mock = MockEngine(
            fixtures: fixtures, journal: Journal(capacity: c.journalSize, bodyCap: c.journalBodyBytes),
            scopeByKey: c.scopeByKey)
        self.router = try EmulatorApp.makeRouter(c, logger: logger, ids: ids, load: load, mock: mock, readiness: readiness)
        self.server = HTTPServer(settings: c.server, handler: router, logger: logger, ids: ids)
    }

    /// Starts listening; returns the bound port.
    public func start() throws -> Int {
        let port = try server.start()
        mock.fixtures.watch()
        readiness.set(true)
        return port
    }

    /// Graceful shutdown with the configured grace period.
    public func shutdown() {
        readiness.set(false)
        server.shutdown(graceSeconds: configuration.shutdownGraceSeconds)
    }

    /// Reloads the config and fixtures files (SIGHUP). Problems are reported, and the old settings kept.
    public func reload() throws {
        try mock.fixtures.reload()
        if let file = configuration.configFile {
            let json = try ConfigFile.load(file)
            var settings = flagSettings
            let applied = Result { () throws(APIError) in try settings.apply(json) }
            if case .failure(let error) = applied { throw ConfigurationError.invalid(file, error.message) }
            try? load.settings.update { (s: inout LoadSettings) throws(APIError) in s = settings }
            try? load.configured.update { (s: inout LoadSettings) throws(APIError) in s = settings }
        }
    }

    static func makeRouter(_ c: EmulatorConfiguration, logger: Logger, ids: IDGenerator, load: LoadPipeline,
                           mock: MockEngine, readiness: Readiness) throws -> Router {
        let proxy = try c.proxyTo.map { base throws(ConfigurationError) in
            try UpstreamProxy(base: base, recorder: c.recordFile.map(Recorder.init))
        }
        var router = Router(apiKeys: c.apiKeys, adminKey: c.adminKey, adminFrom: c.adminFrom, logger: logger,
                            verbose: c.verbose, mock: mock, proxy: proxy)
        let tokenizers = try TokenizerSetup.choice(files: c.tokenizerFiles)
        let generator = Generator(settings: c.generation, ids: ids)
        let catalogue = try c.modelsFile.map(ModelCatalogue.load) ?? ModelCatalogue()
        let models = ModelPolicy(catalogue: catalogue, strict: c.strictModels)
        let chat = ChatCompletionsEndpoint(
            generator: generator, tokenizers: tokenizers, ids: ids, models: models, load: load, mock: mock)
        let responses = ResponsesEndpoint(
            generator: generator, tokenizers: tokenizers, ids: ids, store: ResponseStore(capacity: c.responseStoreSize),
            models: models, load: load, mock: mock)
        let messages = MessagesEndpoint(
            generator: generator, tokenizers: tokenizers, ids: ids, models: models, load: load, mock: mock)
        let completions = CompletionsEndpoint(
            generator: generator, tokenizers: tokenizers, ids: ids, models: models, load: load, mock: mock)
        let embeddings = EmbeddingsEndpoint(tokenizers: tokenizers, dimensions: c.embeddingDimensions)

        router.add("GET", "/health", auth: .none) { request, _ in
            ResponseFactory.json(200, Array(#"{"status":"ok"}"#.utf8), request: request)
        }
        router.add("GET", "/ready", auth: .none) { request, _ in
            readiness.isReady
                ? ResponseFactory.json(200, Array(#"{"status":"ready"}"#.utf8), request: request)
                : ResponseFactory.json(503, Array(#"{"status":"not ready"}"#.utf8), request: request)
        }
        router.add("GET", "/metrics", auth: .none) { request, _ in
            var r = ResponseFactory.json(200, load.metrics.registry.render(), request: request)
            r.headers[0] = ("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            return r
        }
        router.add("POST", "/v1/chat/completions") { request, _ throws(APIError) in try chat.handle(request) }
        router.add("POST", "/v1/responses") { request, _ throws(APIError) in try responses.create(request) }
        router.add("POST", "/v1/completions") { request, _ throws(APIError) in try completions.handle(request) }
        router.add("POST", "/v1/embeddings") { request, _ throws(APIError) in
            try embeddings.handle(request, models: models, load: load, mock: mock)
        }
        router.add("GET", "/v1/responses/{id}") { request, c throws(APIError) in try responses.retrieve(request, id: c[0]) }
        router.add("DELETE", "/v1/responses/{id}") { request, c throws(APIError) in try responses.delete(request, id: c[0]) }
        router.add("GET", "/v1/responses/{id}/input_items") { request, c throws(APIError) in
            try responses.inputItems(request, id: c[0])
        }
        router.add("POST", "/v1/messages", style: .anthropic) { request, _ throws(APIError) in
            try messages.create(request)
        }
        router.add("POST", "/v1/messages/count_tokens", style: .anthropic) { request, _ throws(APIError) in
            try messages.countTokens(request)
        }
        AzureDialect.addRoutes(to: &router, endpoints: [
            ("chat/completions", { request, _ throws(APIError) in try chat.handle(request) }),
            ("responses", { request, _ throws(APIError) in try responses.create(request) }),
            ("completions", { request, _ throws(APIError) in try completions.handle(request) }),
            ("embeddings", { request, _ throws(APIError) in try embeddings.handle(request, models: models, load: load, mock: mock) }),
        ])
        router.add("GET", "/openai/v1/models") { request, _ in
            ResponseFactory.json(200, catalogue.listBody(), request: request)
        }
        router.add("GET", "/v1/models") { request, _ in
            ResponseFactory.json(200, catalogue.listBody(), request: request)
        }
        router.add("GET", "/v1/models/{model}") { request, captures throws(APIError) in
            guard let entry = catalogue.entry(captures[0]) else { throw .modelNotFound(captures[0]) }
            return ResponseFactory.json(200, catalogue.body(entry), request: request)
        }
        if c.adminEnabled {
            AdminRoutes.add(to: &router, load: load)
            MockRoutes.add(to: &router, mock: mock, load: load, ids: ids)
        }
        return router
    }
}

/// Whether the server should receive traffic (`GET /ready`).
public final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)
    public init() {}
    public var isReady: Bool { ready.load(ordering: .relaxed) }
    public func set(_ value: Bool) { ready.store(value, ordering: .relaxed) }
}

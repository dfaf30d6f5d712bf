import Logging

/// Assembles the emulator from a configuration: the endpoints, the router and the server.
public final class EmulatorApp: Sendable {
    public let configuration: EmulatorConfiguration
    public let server: HTTPServer
    let router: Router

    /// - Throws: when a tokenizer file cannot be read.
    public init(configuration: EmulatorConfiguration, logger: Logger) throws {
        self.configuration = configuration
        let ids = IDGenerator()
        self.router = try EmulatorApp.makeRouter(configuration, logger: logger, ids: ids)
        self.server = HTTPServer(settings: configuration.server, handler: router, logger: logger, ids: ids)
    }

    /// Starts listening; returns the bound port.
    public func start() throws -> Int { try server.start() }

    /// Graceful shutdown with the configured grace period.
    public func shutdown() { server.shutdown(graceSeconds: configuration.shutdownGraceSeconds) }

    static func makeRouter(_ c: EmulatorConfiguration, logger: Logger, ids: IDGenerator) throws -> Router {
        var router = Router(apiKeys: c.apiKeys, logger: logger, verbose: c.verbose)
        let tokenizers = try TokenizerSetup.choice(files: c.tokenizerFiles)
        let generator = Generator(settings: c.generation, ids: ids)
        let catalogue = try c.modelsFile.map(ModelCatalogue.load) ?? ModelCatalogue()
        let models = ModelPolicy(catalogue: catalogue, strict: c.strictModels)
        let chat = ChatCompletionsEndpoint(
            generator: generator, tokenizers: tokenizers, latency: LatencyPlan(ttftMs: c.ttftMs, itlMs: c.itlMs),
            ids: ids, models: models)
        let responses = ResponsesEndpoint(
            generator: generator, tokenizers: tokenizers, latency: LatencyPlan(ttftMs: c.ttftMs, itlMs: c.itlMs),
            ids: ids, store: ResponseStore(capacity: c.responseStoreSize), models: models)

        router.add("GET", "/health", authenticated: false) { request, _ in
            ResponseFactory.json(200, Array(#"{"status":"ok"}"#.utf8), request: request)
        }
        router.add("POST", "/v1/chat/completions") { request, _ throws(APIError) in try chat.handle(request) }
        router.add("POST", "/v1/responses") { request, _ throws(APIError) in try responses.create(request) }
        router.add("GET", "/v1/responses/{id}") { request, c throws(APIError) in try responses.retrieve(request, id: c[0]) }
        router.add("DELETE", "/v1/responses/{id}") { request, c throws(APIError) in try responses.delete(request, id: c[0]) }
        router.add("GET", "/v1/responses/{id}/input_items") { request, c throws(APIError) in
            try responses.inputItems(request, id: c[0])
        }
        let messages = MessagesEndpoint(
            generator: generator, tokenizers: tokenizers, latency: LatencyPlan(ttftMs: c.ttftMs, itlMs: c.itlMs),
            ids: ids, models: models)
        router.add("POST", "/v1/messages", style: .anthropic) { request, _ throws(APIError) in
            try messages.create(request)
        }
        router.add("POST", "/v1/messages/count_tokens", style: .anthropic) { request, _ throws(APIError) in
            try messages.countTokens(request)
        }
        AzureDialect.addRoutes(to: &router, endpoints: [
            ("chat/completions", { request, _ throws(APIError) in try chat.handle(request) }),
            ("responses", { request, _ throws(APIError) in try responses.create(request) }),
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
        return router
    }
}

import Synchronization

/// What the load model needs to know about one generation request.
public struct GenerationTicket: Sendable {
    /// "chat", "responses", "completions", "embeddings" or "messages".
    public var endpoint: String
    public var model: String
    public var promptTokens: Int
    public var maxTokens: Int?
    public var stream: Bool
    public var style: Router.ErrorStyle = .openAI
    /// A fixture's fault and latency, which win over headers, scripts and rates.
    public var fault: Fault?
    public var ttftMs: Distribution?
    public var itlMs: Distribution?

    public init(endpoint: String, model: String, promptTokens: Int, maxTokens: Int?, stream: Bool,
                style: Router.ErrorStyle = .openAI) {
        self.endpoint = endpoint
        self.model = model
        self.promptTokens = promptTokens
        self.maxTokens = maxTokens
        self.stream = stream
        self.style = style
    }
}

/// What the endpoint must honour when it generates: pacing and output length.
public struct AnswerPlan: Sendable {
    public var latency: LatencyPlan
    public var outputTokens: ClosedRange<Int>?
}

/// What the endpoint produced.
public struct PlannedAnswer: Sendable {
    public enum Body: Sendable {
        case json([UInt8])
        case stream(any StreamSource)
    }

    public var body: Body
    public var completionTokens: Int
    /// Tokens that set a non-streaming answer's duration (the longest choice).
    public var pacedTokens: Int

    public init(body: Body, completionTokens: Int, pacedTokens: Int? = nil) {
        self.body = body
        self.completionTokens = completionTokens
        self.pacedTokens = pacedTokens ?? completionTokens
    }
}

/// The load-test model around every generating endpoint: faults, rate limits, capacity and
/// queueing, latency sampling, and metrics as delivered.
public final class LoadPipeline: Sendable {
    public let settings: LoadSettingsBox
    /// The settings as configured by flags and the config file (what reset restores).
    public let configured: LoadSettingsBox
    public let gate = CapacityGate()
    public let limiter = RateLimiter()
    public let script = FaultScriptCounter()
    public let metrics: EmulatorMetrics
    private let ids: IDGenerator
    private let counter = Atomic<UInt64>(0)

    public init(settings: LoadSettings, vllmMetrics: Bool, ids: IDGenerator) {
        self.settings = LoadSettingsBox(settings)
        self.configured = LoadSettingsBox(settings)
        self.metrics = EmulatorMetrics(vllm: vllmMetrics, gate: gate)
        self.ids = ids
    }

    public typealias Answer = @Sendable (AnswerPlan) throws(APIError) -> PlannedAnswer

    /// Answers a generation request through the load model.
    /// - Throws: `APIError` for rate limits, quota and overload, rendered by the router.
    public func serve(_ ticket: GenerationTicket, _ request: HTTPRequest, answer: @escaping Answer) throws(APIError)
        -> HTTPResponse
    {
        do {
            return try admit(ticket, request, answer: answer)
        } catch {
            // Refusals (rate limits, quota, overload, injected status faults) count like any answer.
            metrics.requestFinished(endpoint: ticket.endpoint, model: ticket.model, status: error.status,
                                    seconds: Double(MonotonicClock.now() &- request.receivedAt) / 1e9)
            throw error
        }
    }

    private func admit(_ ticket: GenerationTicket, _ request: HTTPRequest, answer: @escaping Answer) throws(APIError)
        -> HTTPResponse
    {
        let s = settings.value
        let profile = s.profiles.profile(for: ticket.model)
        var rng = random(s)
        // The caller's key (within its scope) counts requests for rate limits and fault scripts; without
        // either, as by default, it is not worked out.
        let rateLimited = profile.rpm != nil || profile.tpm != nil || profile.rpd != nil
        let key = rateLimited || !s.faultScript.isEmpty
            ? (request.emulatorHeader("x-emulator-scope").map { $0 + "\u{0}" } ?? "") + (Router.presentedKey(request) ?? "")
            : ""
        let azure = request.path.hasPrefix("/openai/")

        let headerFault = request.emulatorHeader("x-emulator-fault")
        if let headerFault, Fault.parse(headerFault) == nil {
            throw .invalidRequest("Invalid X-Emulator-Fault '\(headerFault)': expected one of \(Fault.kindList), optionally followed by @N.",
                                  param: "X-Emulator-Fault")
        }
        if profile.quotaExhausted {
            metrics.rejected("insufficient_quota")
            throw APIError(status: 429, type: "insufficient_quota",
                           message: "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
                           param: nil, code: "insufficient_quota", headers: [("x-should-retry", "false")])
        }
        // A fault asked for explicitly (a fixture, or the X-Emulator-Fault header) comes first; faults
        // from scripts and rates come after quota and rate limits, as a backend fails after the
        // gateway counted the request.
        let explicitFault = ticket.fault ?? headerFault.flatMap(Fault.parse)
        if let f = explicitFault, !f.kind.isMidStream {
            return try injectEarly(f, ticket: ticket, request: request, settings: s)
        }
        let estimatedOutput = ticket.maxTokens ?? Int(profile.outputTokens?.mean ?? 16)
        let decision = rateLimited
            ? limiter.check(key: key + "\u{1}" + profile.model, profile: profile, tokens: ticket.promptTokens + estimatedOutput)
            : RateLimiter.Decision()
        var limitHeaders = decision.headers
        if azure { limitHeaders = limitHeaders.filter { $0.name.hasPrefix("x-ratelimit-remaining") } }
        if let exceeded = decision.exceeded {
            metrics.rejected(exceeded)
            throw LoadPipeline.rateLimited(exceeded, decision: decision, model: ticket.model, headers: limitHeaders)
        }

        let fault = explicitFault
            ?? script.fire(s.faultScript, key: key, model: ticket.model, now: MonotonicClock.now())
            ?? s.faultRates.draw(&rng)
        if let f = fault, !f.kind.isMidStream {
            return try injectEarly(f, ticket: ticket, request: request, settings: s)
        }

        let limited = profile.maxConcurrency != nil
        let pool = profile.model
        let plan = makePlan(profile, ticket: ticket, request: request, rng: rng)
        guard limited else {
            // No capacity model (the default): the request runs at once, so there is nothing to queue,
            // and no waiting answer or queued closure is made for it.
            // Without a limit the gate only counts running requests; it does not look at the pool.
            let gate = self.gate
            _ = gate.admit(pool: pool, limit: nil, maxQueue: 0, grant: { _ in })
            return respond(ticket, request, plan: plan, waited: 0, fault: fault, limitHeaders: limitHeaders,
                           release: { gate.release(pool: "", limited: false) }, answer: answer, rng: rng)
        }
        let deferred = DeferredResponse()
        let (chosenFault, headers, drawn) = (fault, limitHeaders, rng)
        let run: @Sendable (UInt64) -> HTTPResponse = { [self] waited in
            let (fault, limitHeaders, rng) = (chosenFault, headers, drawn)
            if waited > 0 { metrics.queued(model: ticket.model, seconds: Double(waited) / 1e9) }
            return respond(ticket, request, plan: plan, waited: waited, fault: fault, limitHeaders: limitHeaders,
                           release: { self.gate.release(pool: pool, limited: limited) }, answer: answer, rng: rng)
        }
        switch gate.admit(pool: pool, limit: profile.maxConcurrency, maxQueue: profile.maxQueue,
                          grant: { waited in deferred.resolve(run(waited)) }) {
        case .run:
            return run(0)
        case .queued:
            return HTTPResponse(status: 200, body: .deferred(deferred))
        case .rejected:
            metrics.rejected("capacity")
            throw LoadPipeline.overloaded(status: s.overloadStatus)
        }
    }

    private func random(_ s: LoadSettings) -> SeededRandom {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        guard let seed = s.seed else { return SeededRandom(seed: ids.next()) }
        var x = seed &+ n &* 0x9E37_79B9_7F4A_7C15
        return SeededRandom(seed: SeededRandom.splitMix(&x))
    }

    /// Latency and length for this answer: the profile, then `X-Emulator-*` headers.
    private func makePlan(_ profile: ModelProfile, ticket: GenerationTicket, request: HTTPRequest,
                          rng: SeededRandom) -> AnswerPlan {
        var rng = rng
        let ttft = ticket.ttftMs ?? request.emulatorHeader("x-emulator-ttft-ms").flatMap(Distribution.parse) ?? profile.ttftMs
        let itl = ticket.itlMs ?? request.emulatorHeader("x-emulator-itl-ms").flatMap(Distribution.parse) ?? profile.itlMs
        let ttftMs = ttft.sample(&rng) + profile.prefillUsPerToken * Double(ticket.promptTokens) / 1000
        var latency = LatencyPlan(ttftNanos: UInt64(ttftMs * 1e6), itl: itl, rng: SeededRandom(seed: rng.next()))
        if profile.slowdownPerRunningPercent > 0 {
            latency.slowdownPerRunning = profile.slowdownPerRunningPercent / 100
            latency.running = gate.running
        }
        var output: ClosedRange<Int>?
        if let header = request.emulatorHeader("x-emulator-output-tokens") {
            output = TokenRange.parse(header) ?? Distribution.parse(header).map { d in
                let n = Int(d.sample(&rng).rounded())
                return n...n
            }
        } else if let d = profile.outputTokens {
            let n = Int(d.sample(&rng).rounded())
            output = n...n
        }
        return AnswerPlan(latency: latency, outputTokens: output)
    }

    private func respond(_ ticket: GenerationTicket, _ request: HTTPRequest, plan: AnswerPlan, waited: UInt64,
                         fault: Fault?, limitHeaders: [(name: String, value: String)],
                         release: @escaping @Sendable () -> Void, answer: Answer, rng: SeededRandom) -> HTTPResponse {
        var plan = plan
        let produced: PlannedAnswer
        do {
            produced = try answer(plan)
        } catch {
            release()
            return ResponseFactory.error(error, request: request, style: ticket.style)
        }
        metrics.tokens(model: ticket.model, prompt: ticket.promptTokens, generated: produced.completionTokens)
        let metrics = self.metrics
        let onFinish: @Sendable (FinishedResponse) -> Void = { finished in
            release()
            metrics.requestFinished(endpoint: ticket.endpoint, model: ticket.model, status: finished.status,
                                    seconds: Double(finished.finishedAt &- finished.receivedAt) / 1e9)
        }
        switch produced.body {
        case .stream(let source):
            var midStream = fault
            if var f = midStream, f.afterChunks == nil {
                var r = rng
                f.afterChunks = Int.random(in: 1...max(1, produced.completionTokens), using: &r)
                midStream = f
            }
            if let f = midStream, f.kind.isMidStream { self.metrics.fault(f.kind) }
            let metered = MeteredSource(
                inner: source, metrics: metrics, endpoint: ticket.endpoint, model: ticket.model,
                receivedAt: request.receivedAt, fault: midStream, errorFrame: LoadPipeline.errorFrame(ticket.style, ticket.endpoint))
            // Time to first token counts from the request's arrival (plus its wait for capacity),
            // not from the moment this answer was built.
            var response = ResponseFactory.eventStream(metered, request: request, extraHeaders: limitHeaders,
                                                       startAt: request.receivedAt &+ waited)
            response.onFinish = onFinish
            return response
        case .json(let bytes):
            let generation = plan.latency.totalNanos(tokens: produced.pacedTokens)
            let delay = waited &+ generation
            var response = ResponseFactory.json(200, bytes, request: request, extraHeaders: limitHeaders, delayNanos: delay)
            if let f = fault, f.kind.isMidStream {
                self.metrics.fault(f.kind)
                switch f.kind {
                case .disconnect: response.body = .closeConnection
                case .stall: response.body = .closeConnection; response.delayNanos = waited &+ 600_000_000_000
                case .errorEvent:
                    response = ResponseFactory.error(.serverError(), request: request, style: ticket.style)
                    response.delayNanos = delay
                case .malformed: response.body = .bytes(Array(bytes.prefix(bytes.count / 2)))
                default: break
                }
            }
            response.onFinish = onFinish
            return response
        }
    }

    /// Counts and answers a fault that needs no generation.
    private func injectEarly(_ f: Fault, ticket: GenerationTicket, request: HTTPRequest, settings s: LoadSettings)
        throws(APIError) -> HTTPResponse
    {
        metrics.fault(f.kind)
        guard var early = try earlyFault(f, ticket: ticket, request: request, settings: s) else {
            preconditionFailure("every fault that is not mid-stream answers early")
        }
        let metrics = self.metrics
        early.onFinish = { finished in
            metrics.requestFinished(endpoint: ticket.endpoint, model: ticket.model, status: finished.status,
                                    seconds: Double(finished.finishedAt &- finished.receivedAt) / 1e9)
        }
        return early
    }

    /// Faults answered before any generation: status codes, timeouts and resets.
    private func earlyFault(_ f: Fault, ticket: GenerationTicket, request: HTTPRequest, settings s: LoadSettings)
        throws(APIError) -> HTTPResponse?
    {
        switch f.kind {
        case .tooManyRequests:
            throw APIError(status: 429, type: "requests", message: "Rate limit reached for requests (injected fault).",
                           param: nil, code: "rate_limit_exceeded", headers: [("Retry-After", "1"), ("retry-after-ms", "1000")])
        case .internalError:
            throw .serverError()
        case .badGateway:
            throw APIError(status: 502, type: "server_error", message: "Bad gateway.", param: nil, code: nil)
        case .unavailable:
            throw APIError(status: 503, type: "server_error", message: "The server is overloaded or not ready yet.",
                           param: nil, code: nil, headers: [("Retry-After", "1")])
        case .gatewayTimeout:
            let e = APIError(status: 504, type: "server_error", message: "Gateway timeout.", param: nil, code: nil)
            var r = ResponseFactory.error(e, request: request, style: ticket.style)
            r.delayNanos = UInt64(s.gatewayTimeoutMs * 1e6)
            return r
        case .timeout:
            return HTTPResponse(status: 0, body: .closeConnection, delayNanos: UInt64(s.timeoutHoldSeconds * 1e9))
        case .reset:
            return HTTPResponse(status: 0, body: .closeConnection)
        default:
            return nil
        }
    }

    static func rateLimited(_ kind: String, decision: RateLimiter.Decision, model: String,
                            headers: [(name: String, value: String)]) -> APIError {
        let seconds = Double(decision.retryAfterNanos) / 1e9
        let message = kind == "tokens"
            ? "Rate limit reached for \(model) on tokens per min (TPM): Limit \(decision.limit), Used \(decision.used), Requested more. Please try again in \(RateLimiter.duration(decision.retryAfterNanos))."
            : "Rate limit reached for \(model) on requests per min (RPM): Limit \(decision.limit), Used \(decision.limit), Requested 1. Please try again in \(RateLimiter.duration(decision.retryAfterNanos))."
        var h = headers
        h.append(("Retry-After", String(max(1, Int(seconds.rounded(.up))))))
        h.append(("retry-after-ms", String(Int((seconds * 1000).rounded(.up)))))
        return APIError(status: 429, type: kind, message: message, param: nil, code: "rate_limit_exceeded", headers: h)
    }

    static func overloaded(status: Int) -> APIError {
        if status == 503 {
            return APIError(status: 503, type: "server_error", message: "The server is overloaded or not ready yet.",
                            param: nil, code: nil, headers: [("Retry-After", "1")])
        }
        return APIError(status: 429, type: "requests", message: "Too many requests in flight: the queue is full. Please retry later.",
                        param: nil, code: "rate_limit_exceeded", headers: [("Retry-After", "1"), ("retry-after-ms", "1000")])
    }

    /// The mid-stream error frame of each dialect (shared: every stream carries one in case of an
    /// `error-event` fault).
    static func errorFrame(_ style: Router.ErrorStyle, _ endpoint: String) -> [UInt8] {
        if style == .anthropic { return anthropicErrorFrame }
        return endpoint == "responses" ? responsesErrorFrame : chatErrorFrame
    }

    private static let anthropicErrorFrame = Array(
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n".utf8)
    private static let responsesErrorFrame = Array(
        "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"The server had an error while processing your request. Sorry about that!\",\"param\":null,\"sequence_number\":0}\n\n".utf8)
    private static let chatErrorFrame = Array(
        "data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n".utf8)
}

extension GenerationTicket {
    /// Takes a fixture's fault and latency.
    mutating func apply(_ script: FixtureStore.Script?) {
        guard let a = script?.answer else { return }
        fault = a.fault ?? fault
        ttftMs = a.ttftMs ?? ttftMs
        itlMs = a.itlMs ?? itlMs
    }
}

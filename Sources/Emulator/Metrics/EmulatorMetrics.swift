/// The emulator's metrics, recorded as delivered (token frames are timed when handed to the
/// socket), with optional vLLM-compatible names for autoscalers and dashboards built for vLLM.
public final class EmulatorMetrics: Sendable {
    public let registry = MetricsRegistry()
    let vllm: Bool

    public init(vllm: Bool, gate: CapacityGate) {
        self.vllm = vllm
        let r = registry
        r.declare("emulator_requests_total", .counter, help: "Requests answered, by endpoint, model and status.")
        r.declare("emulator_request_duration_seconds", .histogram, help: "Time from request to the end of the answer.")
        r.declare("emulator_queue_time_seconds", .histogram, help: "Time generations waited for a capacity slot.")
        r.declare("emulator_time_to_first_token_seconds", .histogram, help: "Time from request to the first token frame written, as delivered.")
        r.declare("emulator_inter_token_latency_seconds", .histogram, help: "Time between token frames written, as delivered.")
        r.declare("emulator_prompt_tokens_total", .counter, help: "Prompt tokens of answered generations.")
        r.declare("emulator_generation_tokens_total", .counter, help: "Tokens generated.")
        r.declare("emulator_faults_total", .counter, help: "Faults injected, by kind.")
        r.declare("emulator_rate_limited_total", .counter, help: "Requests refused by a rate limit or capacity, by reason.")
        r.declare("emulator_streams_total", .counter, help: "Streams ended, by outcome (completed, client_gone, aborted).")
        r.gauge("emulator_requests_running", help: "Generations running now.") { Double(gate.running.value) }
        r.gauge("emulator_requests_waiting", help: "Generations waiting for a capacity slot.") { Double(gate.waiting.value) }
        if vllm {
            r.declare("vllm:time_to_first_token_seconds", .histogram, help: "Histogram of time to first token in seconds.")
            r.declare("vllm:inter_token_latency_seconds", .histogram, help: "Histogram of inter-token latency in seconds.")
            r.declare("vllm:time_per_output_token_seconds", .histogram, help: "Histogram of time per output token in seconds.")
            r.declare("vllm:e2e_request_latency_seconds", .histogram, help: "Histogram of end to end request latency in seconds.")
            r.declare("vllm:request_queue_time_seconds", .histogram, help: "Histogram of time spent waiting in the queue.")
            r.declare("vllm:prompt_tokens_total", .counter, help: "Number of prefill tokens processed.")
            r.declare("vllm:generation_tokens_total", .counter, help: "Number of generation tokens processed.")
            r.declare("vllm:request_success_total", .counter, help: "Count of successfully processed requests.")
            r.gauge("vllm:num_requests_running", help: "Number of requests in model execution batches.") {
                Double(gate.running.value)
            }
            r.gauge("vllm:num_requests_waiting", help: "Number of requests waiting to be processed.") {
                Double(gate.waiting.value)
            }
        }
    }

    /// The series one kind of event updates, found once per distinct label values and then kept.
    private struct SeriesKey: Hashable {
        var event: UInt8
        var endpoint: String
        var model: String
        var status: Int
    }

    private let cache = Locked<[SeriesKey: [MetricsRegistry.Series]]>([:])
    /// Distinct label combinations kept; past this (a flood of model names), series are looked up
    /// by label text each time, which is slower but bounded in memory.
    private static let maxCached = 4096

    private func cached(_ key: SeriesKey, _ make: () -> [MetricsRegistry.Series?]) -> [MetricsRegistry.Series] {
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let made = make().compactMap { $0 }
        cache.withLock { c in if c.count < EmulatorMetrics.maxCached { c[key] = made } }
        return made
    }

    public func requestFinished(endpoint: String, model: String, status: Int, seconds: Double) {
        let key = SeriesKey(event: 0, endpoint: endpoint, model: model, status: status)
        let s = cached(key) {
            let m = registry.modelLabel(model)
            var list = [
                registry.series("emulator_requests_total", "endpoint=\"\(endpoint)\",model=\"\(m)\",status=\"\(status)\""),
                registry.series("emulator_request_duration_seconds", "endpoint=\"\(endpoint)\""),
            ]
            if vllm && status < 400 {
                list.append(registry.series("vllm:e2e_request_latency_seconds", "model_name=\"\(m)\""))
                list.append(registry.series("vllm:request_success_total", "model_name=\"\(m)\""))
            }
            return list
        }
        s[0].add(1)
        s[1].observe(seconds)
        if s.count == 4 {
            s[2].observe(seconds)
            s[3].add(1)
        }
    }

    public func tokens(model: String, prompt: Int, generated: Int) {
        let s = cached(SeriesKey(event: 1, endpoint: "", model: model, status: 0)) {
            let m = registry.modelLabel(model)
            var list = [
                registry.series("emulator_prompt_tokens_total", "model=\"\(m)\""),
                registry.series("emulator_generation_tokens_total", "model=\"\(m)\""),
            ]
            if vllm {
                list.append(registry.series("vllm:prompt_tokens_total", "model_name=\"\(m)\""))
                list.append(registry.series("vllm:generation_tokens_total", "model_name=\"\(m)\""))
            }
            return list
        }
        s[0].add(Double(prompt))
        s[1].add(Double(generated))
        if s.count == 4 {
            s[2].add(Double(prompt))
            s[3].add(Double(generated))
        }
    }

    public func queued(model: String, seconds: Double) {
        let s = cached(SeriesKey(event: 2, endpoint: "", model: model, status: 0)) {
            var list = [registry.series("emulator_queue_time_seconds", "")]
            if vllm {
                list.append(registry.series("vllm:request_queue_time_seconds", "model_name=\"\(registry.modelLabel(model))\""))
            }
            return list
        }
        for series in s { series.observe(seconds) }
    }

    public func firstToken(endpoint: String, model: String, seconds: Double) {
        for series in firstTokenSeries(endpoint: endpoint, model: model) { series.observe(seconds) }
    }

    public func interToken(model: String, seconds: Double) {
        for series in interTokenSeries(model: model) { series.observe(seconds) }
    }

    /// The histograms `firstToken` feeds: a stream looks them up once, not once per token.
    func firstTokenSeries(endpoint: String, model: String) -> [MetricsRegistry.Series] {
        cached(SeriesKey(event: 3, endpoint: endpoint, model: model, status: 0)) {
            var list = [registry.series("emulator_time_to_first_token_seconds", "endpoint=\"\(endpoint)\"")]
            if vllm {
                list.append(registry.series("vllm:time_to_first_token_seconds", "model_name=\"\(registry.modelLabel(model))\""))
            }
            return list
        }
    }

    /// The histograms `interToken` feeds.
    func interTokenSeries(model: String) -> [MetricsRegistry.Series] {
        cached(SeriesKey(event: 4, endpoint: "", model: model, status: 0)) {
            var list = [registry.series("emulator_inter_token_latency_seconds", "")]
            if vllm {
                let m = registry.modelLabel(model)
                list.append(registry.series("vllm:inter_token_latency_seconds", "model_name=\"\(m)\""))
                list.append(registry.series("vllm:time_per_output_token_seconds", "model_name=\"\(m)\""))
            }
            return list
        }
    }

    public func fault(_ kind: Fault.Kind) { registry.increment("emulator_faults_total", "kind=\"\(kind.rawValue)\"") }

    public func rejected(_ reason: String) { registry.increment("emulator_rate_limited_total", "reason=\"\(reason)\"") }

    public func streamEnded(_ outcome: StreamOutcome) {
        let name: String
        switch outcome {
        case .completed: name = "completed"
        case .clientGone: name = "client_gone"
        case .aborted: name = "aborted"
        }
        let s = cached(SeriesKey(event: 5, endpoint: name, model: "", status: 0)) {
            [registry.series("emulator_streams_total", "outcome=\"\(name)\"")]
        }
        for series in s { series.add(1) }
    }
}

/// Wraps a stream to time its token frames as they are handed to the socket and to apply a
/// mid-stream fault after a number of chunks.
struct MeteredSource: StreamSource {
    var inner: any StreamSource
    let metrics: EmulatorMetrics
    let endpoint: String
    let model: String
    let receivedAt: UInt64
    var fault: Fault?
    /// The error frame this dialect sends for `error-event`.
    let errorFrame: [UInt8]
    /// The timing histograms, looked up once per stream (every token feeds them).
    private let firstTokenSeries: [MetricsRegistry.Series]
    private let interTokenSeries: [MetricsRegistry.Series]
    private var lastToken: UInt64 = 0
    private var chunks = 0
    private var ended = false
    private var lookahead: StreamEvent?

    init(inner: any StreamSource, metrics: EmulatorMetrics, endpoint: String, model: String, receivedAt: UInt64,
         fault: Fault?, errorFrame: [UInt8]) {
        self.inner = inner
        self.metrics = metrics
        self.endpoint = endpoint
        self.model = model
        self.receivedAt = receivedAt
        self.fault = fault
        self.errorFrame = errorFrame
        firstTokenSeries = metrics.firstTokenSeries(endpoint: endpoint, model: model)
        interTokenSeries = metrics.interTokenSeries(model: model)
    }

    mutating func next() -> StreamEvent? {
        if ended { return nil }
        let event = lookahead ?? inner.next()
        lookahead = nil
        guard let event else { return nil }
        guard let fault, chunks >= (fault.afterChunks ?? 0) else {
            chunks += 1
            return event
        }
        let after: UInt64
        if case .frame(_, let n, _) = event { after = n } else { after = 0 }
        switch fault.kind {
        case .disconnect:
            ended = true
            return .abort(afterNanos: after)
        case .stall:
            ended = true
            return .stall(afterNanos: after)
        case .errorEvent:
            ended = true
            return .frame(errorFrame, afterNanos: after)
        case .malformed:
            ended = true
            guard case .frame(let bytes, _, _) = event else { return nil }
            return .frame(Array(bytes.prefix(max(8, bytes.count / 2))) + Array("\n\n".utf8), afterNanos: after)
        case .noDone:
            // Send everything but the last frame.
            let following = inner.next()
            if following == nil {
                ended = true
                return nil
            }
            lookahead = following
            return event
        default:
            return event
        }
    }

    mutating func delivered(token: Bool, at now: UInt64) {
        inner.delivered(token: token, at: now)
        guard token else { return }
        if lastToken == 0 {
            let seconds = Double(now &- receivedAt) / 1e9
            for series in firstTokenSeries { series.observe(seconds) }
        } else {
            let seconds = Double(now &- lastToken) / 1e9
            for series in interTokenSeries { series.observe(seconds) }
        }
        lastToken = now
    }

    mutating func finished(_ outcome: StreamOutcome) {
        inner.finished(outcome)
        metrics.streamEnded(outcome)
    }
}

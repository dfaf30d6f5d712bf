/// Forwards API requests unchanged to an OpenAI-compatible upstream (`--proxy-to`) and returns its
/// answers, streaming included; with a recorder, writes each exchange as a replayable fixture.
final class UpstreamProxy: Sendable {
    let base: String
    let recorder: Recorder?
    private let transfers: CurlTransfers

    /// - Throws: `ConfigurationError.invalid` when `base` is not an http(s) URL or libcurl
    ///   (which carries the upstream calls) cannot be loaded.
    init(base: String, recorder: Recorder?) throws(ConfigurationError) {
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw .invalid("--proxy-to", "\(base) is not an http:// or https:// URL")
        }
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.recorder = recorder
        do {
            transfers = try CurlTransfers()
        } catch {
            throw .invalid("--proxy-to", "the upstream proxy needs libcurl (package libcurl4): \(error.message)")
        }
    }

    /// Sends the request upstream; the answer comes back deferred (whole, or as a stream).
    func forward(_ request: HTTPRequest) -> HTTPResponse {
        var url = base + request.path
        if !request.query.isEmpty {
            url += "?" + request.query.map { "\(percentEncoded($0.name))=\(percentEncoded($0.value))" }.joined(separator: "&")
        }
        let headers = request.headers.filter { !UpstreamProxy.hopByHop.contains($0.name) }
        let exchange = ProxyExchange(request: request, recorder: recorder)
        transfers.start(OutgoingRequest(method: request.method, url: url, headers: headers, body: request.body),
                        observer: exchange)
        return HTTPResponse(status: 200, body: .deferred(exchange.deferred))
    }

    static let hopByHop: Set<String> = [
        "host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length",
        "accept-encoding", "proxy-connection", "expect",
    ]
}

/// A query component as it goes on the wire: every byte but letters, digits and `-._~` as `%XX`.
private func percentEncoded(_ text: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(byte)
        default:
            out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// One request in flight upstream: its deferred answer, and for streams the chunks received so far.
final class ProxyExchange: TransferObserver {
    struct State {
        var status = 0
        var contentType = "application/json"
        var streaming = false
        var chunks: [(at: UInt64, bytes: [UInt8])] = []
        var body: [UInt8] = []
        var done = false
        var started: UInt64 = MonotonicClock.now()
    }

    let request: HTTPRequest
    let recorder: Recorder?
    let deferred = DeferredResponse()
    let state = Locked(State())

    init(request: HTTPRequest, recorder: Recorder?) {
        self.request = request
        self.recorder = recorder
    }

    func transferHead(status: Int, contentType: String) {
        let streaming = contentType.hasPrefix("text/event-stream")
        state.withLock { s in
            s.status = status
            s.contentType = contentType
            s.streaming = streaming
        }
        if streaming {
            let headers: [(name: String, value: String)] = [
                ("Content-Type", contentType), ("Cache-Control", "no-cache"), ("x-request-id", request.id),
                ("Access-Control-Allow-Origin", "*"),
            ]
            deferred.resolve(HTTPResponse(status: status, headers: headers, body: .stream(StreamBox(ProxyStreamSource(exchange: self)))))
        }
    }

    func transferBody(_ data: [UInt8]) {
        state.withLock { s in
            if s.streaming { s.chunks.append((MonotonicClock.now(), data)) } else { s.body.append(contentsOf: data) }
        }
    }

    func transferEnd(error: String?) {
        let s = state.withLock { s -> State in
            s.done = true
            return s
        }
        if let error, s.status == 0 {
            let e = APIError(status: 502, type: "server_error", message: "The upstream could not be reached: \(error)",
                             param: nil, code: "upstream_error")
            deferred.resolve(ResponseFactory.error(e, request: request))
            return
        }
        if !s.streaming {
            let headers: [(name: String, value: String)] = [
                ("Content-Type", s.contentType), ("x-request-id", request.id), ("Access-Control-Allow-Origin", "*"),
            ]
            deferred.resolve(HTTPResponse(status: s.status, headers: headers, body: .bytes(s.body)))
        }
        recorder?.record(request, state: s)
    }
}

/// Streams an upstream answer as it arrives: checks for new chunks every few milliseconds.
struct ProxyStreamSource: StreamSource {
    let exchange: ProxyExchange
    var sent = 0
    static let pollNanos: UInt64 = 5_000_000

    mutating func next() -> StreamEvent? {
        let (chunk, done) = exchange.state.withLock { s -> ([UInt8]?, Bool) in
            sent < s.chunks.count ? (s.chunks[sent].bytes, false) : (nil, s.done)
        }
        if let chunk {
            sent += 1
            return .frame(chunk, afterNanos: 0, token: true)
        }
        return done ? nil : .frame([], afterNanos: ProxyStreamSource.pollNanos)
    }
}

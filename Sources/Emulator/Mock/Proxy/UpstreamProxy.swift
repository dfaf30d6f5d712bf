import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Forwards API requests unchanged to an OpenAI-compatible upstream (`--proxy-to`) and returns its
/// answers, streaming included; with a recorder, writes each exchange as a replayable fixture.
final class UpstreamProxy: Sendable {
    let base: String
    let recorder: Recorder?
    private let session: URLSession

    init(base: String, recorder: Recorder?) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.recorder = recorder
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 600
        configuration.timeoutIntervalForResource = 3600
        session = URLSession(configuration: configuration, delegate: ProxyDelegate.shared, delegateQueue: nil)
    }

    /// Sends the request upstream; the answer comes back deferred (whole, or as a stream).
    func forward(_ request: HTTPRequest) -> HTTPResponse {
        var path = request.path
        if !request.query.isEmpty {
            path += "?" + request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        }
        guard let url = URL(string: base + path) else {
            return ResponseFactory.error(.serverError("The --proxy-to URL is not valid."), request: request)
        }
        var upstream = URLRequest(url: url)
        upstream.httpMethod = request.method
        for (name, value) in request.headers where !UpstreamProxy.hopByHop.contains(name) {
            upstream.addValue(value, forHTTPHeaderField: name)
        }
        if !request.body.isEmpty { upstream.httpBody = Data(request.body) }
        let exchange = ProxyExchange(request: request, recorder: recorder)
        let task = session.dataTask(with: upstream)
        ProxyDelegate.shared.register(task, exchange)
        task.resume()
        return HTTPResponse(status: 200, body: .deferred(exchange.deferred))
    }

    static let hopByHop: Set<String> = [
        "host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length",
        "accept-encoding", "proxy-connection",
    ]
}

/// One request in flight upstream: its deferred answer, and for streams the chunks received so far.
final class ProxyExchange: Sendable {
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

    func received(status: Int, contentType: String) {
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

    func received(_ data: [UInt8]) {
        state.withLock { s in
            if s.streaming { s.chunks.append((MonotonicClock.now(), data)) } else { s.body.append(contentsOf: data) }
        }
    }

    func finished(error: String?) {
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

/// Routes URLSession's callbacks to the exchange of each task.
final class ProxyDelegate: NSObject, URLSessionDataDelegate, Sendable {
    static let shared = ProxyDelegate()
    private let exchanges = Locked<[Int: ProxyExchange]>([:])

    func register(_ task: URLSessionTask, _ exchange: ProxyExchange) {
        exchanges.withLock { $0[task.taskIdentifier] = exchange }
    }

    private func exchange(_ task: URLSessionTask) -> ProxyExchange? {
        exchanges.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        exchange(dataTask)?.received(
            status: http?.statusCode ?? 502,
            contentType: http?.value(forHTTPHeaderField: "Content-Type") ?? "application/json")
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        exchange(dataTask)?.received([UInt8](data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let ex = exchanges.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        ex?.finished(error: error.map { "\($0.localizedDescription)" })
    }
}

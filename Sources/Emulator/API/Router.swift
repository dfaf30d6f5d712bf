import Logging

/// Routes requests to endpoint handlers, enforces API keys, and maps every failure to OpenAI's
/// error envelope. The one place where errors become answers.
public struct Router: HTTPHandler {
    /// An endpoint: answers a request whose path matched, with the path's captured parameters.
    public typealias Endpoint = @Sendable (HTTPRequest, [String]) throws(APIError) -> HTTPResponse

    /// Which envelope a route's errors use.
    public enum ErrorStyle: Sendable {
        case openAI
        case anthropic
    }

    /// Which key a route needs.
    public enum Auth: Sendable {
        case none
        case api
        case admin
    }

    struct Route: Sendable {
        /// Path segments; "*" captures one segment.
        var pattern: [Substring]
        var method: String
        var auth: Auth
        var style: ErrorStyle
        var endpoint: Endpoint
    }

    private var routes: [Route] = []
    /// Indexes into `routes` of the routes without captures, by their exact path, where no earlier
    /// route with captures could also match: the common request is found with one lookup.
    private var literalRoutes: [String: [Int]] = [:]
    private let apiKeys: Set<String>
    private let adminKey: String?
    /// Client addresses allowed to use the admin API (empty: any).
    private let adminFrom: [AddressRange]
    private let logger: Logger
    /// The logger's own handler when it can write access-log lines directly (the server's usual one).
    private let accessLog: BufferedLogHandler?
    private let verbose: Bool
    /// Records API requests in the journal when set.
    private let mock: MockEngine?
    /// Forwards API requests upstream when set.
    let proxy: UpstreamProxy?

    init(apiKeys: [String], adminKey: String? = nil, adminFrom: [AddressRange] = [], logger: Logger,
         verbose: Bool = false, mock: MockEngine? = nil, proxy: UpstreamProxy? = nil) {
        self.adminFrom = adminFrom
        self.proxy = proxy
        self.apiKeys = Set(apiKeys)
        self.adminKey = adminKey
        self.mock = mock
        self.logger = logger
        self.accessLog = (logger.handler as? BufferedLogHandler).flatMap { $0.canLogRequestsDirectly ? $0 : nil }
        self.verbose = verbose
    }

    /// Adds a route; `pattern` segments written `{name}` capture one segment.
    public mutating func add(_ method: String, _ pattern: String, auth: Auth = .api,
                             style: ErrorStyle = .openAI, _ endpoint: @escaping Endpoint) {
        let segments = pattern.split(separator: "/").map { $0.hasPrefix("{") ? Substring("*") : $0 }
        if !segments.contains("*") {
            let path = "/" + segments.joined(separator: "/")
            let shadowed = routes.contains { $0.pattern.contains("*") && match($0.pattern, segments) != nil }
            if !shadowed { literalRoutes[path, default: []].append(routes.count) }
        }
        routes.append(Route(pattern: segments, method: method, auth: auth, style: style, endpoint: endpoint))
    }

    public func handle(_ request: consuming HTTPRequest) -> HTTPResponse {
        if verbose {
            logger.info("request body", metadata: [
                "request.id": "\(request.id)", "http.method": "\(request.method)", "http.path": "\(request.path)",
                "body": "\(String(decoding: request.body.prefix(65536), as: UTF8.self))",
            ])
        }
        let journaled = mock != nil && request.method != "OPTIONS" && MockEngine.isAPIPath(request.path)
        if journaled, let mock { request.journalDraft = mock.journal.draft(request, scope: mock.scope(of: request)) }
        var response = journaled && proxy != nil ? proxy!.forward(request) : route(request)
        if let draft = request.journalDraft, let mock {
            switch response.body {
            case .stream:
                mock.journal.start(draft)  // not held by the stream: see `Journal`
            case .bytes(let b):
                // In the journal before the answer goes out, so a client that reads the journal as soon as
                // it has its answer finds the request. Its duration runs to when the answer is due.
                if draft.entry.answer == nil {
                    draft.entry.rawAnswer = b.count <= mock.journal.bodyCap ? b : Array(b.prefix(mock.journal.bodyCap))
                }
                let nanos = max(MonotonicClock.now() &- request.receivedAt, response.delayNanos)
                mock.journal.publish(draft, status: response.status, durationMs: Double(nanos / 1000) / 1000)
            default:
                response.note = draft
            }
        }
        if verbose, case .bytes(let b) = response.body {
            logger.info("response body", metadata: [
                "request.id": "\(request.id)", "http.status": "\(response.status)",
                "body": "\(String(decoding: b.prefix(65536), as: UTF8.self))",
            ])
        }
        return response
    }

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        if request.method == "OPTIONS" { return ResponseFactory.preflight(request: request) }
        if let candidates = literalRoutes[request.path],
            let i = candidates.first(where: { accepts(routes[$0], request.method) })
        {
            return answer(request, routes[i], captures: [])
        }
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed: [String] = []
        for route in routes {
            guard let captures = match(route.pattern, segments) else { continue }
            guard accepts(route, request.method) else {
                if !allowed.contains(route.method) { allowed.append(route.method) }
                continue
            }
            return answer(request, route, captures: captures)
        }
        if !allowed.isEmpty {
            return ResponseFactory.error(
                .methodNotAllowed(method: request.method, path: request.path, allowed: allowed + ["OPTIONS"]),
                request: request)
        }
        return ResponseFactory.error(.unknownRoute(method: request.method, path: request.path), request: request)
    }

    private func accepts(_ route: Route, _ method: String) -> Bool {
        route.method == method || (route.method == "GET" && method == "HEAD")
    }

    private func answer(_ request: HTTPRequest, _ route: Route, captures: [String]) -> HTTPResponse {
        if let failure = authenticate(request, route.auth) {
            return ResponseFactory.error(failure, request: request, style: route.style)
        }
        do {
            return try route.endpoint(request, captures)
        } catch {
            return ResponseFactory.error(error, request: request, style: route.style)
        }
    }

    private func match(_ pattern: [Substring], _ segments: [Substring]) -> [String]? {
        guard pattern.count == segments.count else { return nil }
        var captures: [String] = []
        for (p, s) in zip(pattern, segments) {
            if p == "*" {
                captures.append(String(s).removingPercentEncoding)
            } else if p != s {
                return nil
            }
        }
        return captures
    }

    /// nil when the request may pass; the 401 otherwise.
    func authenticate(_ request: HTTPRequest, _ auth: Auth) -> APIError? {
        switch auth {
        case .none:
            return nil
        case .api:
            guard !apiKeys.isEmpty else { return nil }
            let key = Router.presentedKey(request)
            if let key, apiKeys.contains(key) { return nil }
            return .invalidAPIKey(key)
        case .admin:
            if !adminFrom.isEmpty && !adminFrom.contains(where: { $0.contains(request.clientAddress) }) {
                return APIError(status: 403, type: "invalid_request_error",
                                message: "The admin API is not open to \(request.clientAddress.isEmpty ? "this address" : request.clientAddress) (see --admin-bind).",
                                param: nil, code: "admin_forbidden")
            }
            guard let adminKey else { return nil }
            let key = request.header("x-admin-key") ?? Router.presentedKey(request)
            if key == adminKey { return nil }
            return APIError(status: 401, type: "invalid_request_error",
                            message: "The admin API needs the admin key (Authorization: Bearer KEY or X-Admin-Key).",
                            param: nil, code: "invalid_admin_key")
        }
    }

    /// The API key a request presents: `Authorization: Bearer`, `api-key` (Azure) or `x-api-key`.
    public static func presentedKey(_ request: HTTPRequest) -> String? {
        if let auth = request.header("authorization") {
            let trimmed = auth.drop { $0 == " " }
            // "Bearer " in any case, compared in place (no lowercased copy of the whole value).
            let scheme = trimmed.utf8.prefix(7)
            if scheme.count == 7, zip(scheme, "bearer ".utf8).allSatisfy({ ($0 | 0x20) == $1 }) {
                return String(trimmed.dropFirst(7).trimmingCharacters(in: " "))
            }
            return String(trimmed)
        }
        return request.header("api-key") ?? request.header("x-api-key")
    }

    public func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse {
        ResponseFactory.error(.bodyTooLarge(limit: limit), request: request, extraHeaders: [("Connection", "close")])
    }

    /// Over the connection limit the probes (`/health`, `/ready`, `/metrics`: the routes without a key) are
    /// still served; every other request gets 503 and its connection is closed.
    public func overConnectionLimit(_ request: HTTPRequest, limit: Int) -> HTTPResponse? {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
        let matching = routes.first { match($0.pattern, segments) != nil }
        if let matching, matching.auth == .none { return nil }
        return ResponseFactory.error(
            .overConnectionLimit(limit), request: request, style: matching?.style ?? .openAI,
            extraHeaders: [("Connection", "close")])
    }

    public func completed(_ summary: RequestSummary) {
        if let mock {
            let durationMs = Double(summary.durationNanos / 1000) / 1000
            if let draft = summary.note as? JournalDraft {
                mock.journal.publish(draft, status: summary.status, durationMs: durationMs)
            } else if summary.streamed {
                mock.journal.finishStarted(summary.id, status: summary.status, durationMs: durationMs)
            }
        }
        guard logger.logLevel <= .info else { return }
        if let accessLog { return accessLog.logRequest(summary) }
        logger.info("request", metadata: [
            "request.id": "\(summary.id)", "http.method": "\(summary.method)", "http.path": "\(summary.path)",
            "http.status": "\(summary.status)", "http.bytes": "\(summary.bytes)",
            "duration_ms": "\(Double(summary.durationNanos / 1000) / 1000)",
        ])
    }
}

extension String {
    /// Decodes `%XX` escapes (invalid escapes are kept as they are).
    var removingPercentEncoding: String {
        guard contains("%") else { return self }
        var out: [UInt8] = []
        var bytes = Array(utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
                let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func trimmingCharacters(in set: Character) -> Substring {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}

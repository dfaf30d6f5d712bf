/// Builds answers with the headers every answer carries.
public enum ResponseFactory {
    public static let corsHeaders: [(name: String, value: String)] = [("Access-Control-Allow-Origin", "*")]

    /// A JSON answer.
    public static func json(_ status: Int, _ body: [UInt8], request: HTTPRequest,
                            extraHeaders: [(name: String, value: String)] = [], delayNanos: UInt64 = 0) -> HTTPResponse {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(3 + extraHeaders.count)
        headers.append(("Content-Type", "application/json"))
        headers.append(("x-request-id", request.id))
        headers.append(("Access-Control-Allow-Origin", "*"))
        headers.append(contentsOf: extraHeaders)
        return HTTPResponse(status: status, headers: headers, body: .bytes(body), delayNanos: delayNanos)
    }

    /// An error in OpenAI's envelope.
    public static func error(_ error: APIError, request: HTTPRequest, style: Router.ErrorStyle = .openAI,
                             extraHeaders: [(name: String, value: String)] = []) -> HTTPResponse {
        let body = style == .anthropic ? error.anthropicBody : error.body
        return json(error.status, body, request: request, extraHeaders: error.headers + extraHeaders)
    }

    /// A server-sent-events answer.
    /// `startAt`: when generation began, if the first event's delay counts from before the answer is queued.
    public static func eventStream(_ source: any StreamSource, request: HTTPRequest,
                                   extraHeaders: [(name: String, value: String)] = [],
                                   startAt: UInt64? = nil) -> HTTPResponse {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(4 + extraHeaders.count)
        headers.append(("Content-Type", "text/event-stream; charset=utf-8"))
        headers.append(("Cache-Control", "no-cache"))
        headers.append(("x-request-id", request.id))
        headers.append(("Access-Control-Allow-Origin", "*"))
        headers.append(contentsOf: extraHeaders)
        return HTTPResponse(status: 200, headers: headers, body: .stream(StreamBox(source, startAt: startAt)))
    }

    /// The answer to a CORS preflight.
    public static func preflight(request: HTTPRequest) -> HTTPResponse {
        let requested = request.header("access-control-request-headers")
        return HTTPResponse(
            status: 204,
            headers: [
                ("Content-Type", "text/plain"), ("x-request-id", request.id), ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
                ("Access-Control-Allow-Headers", requested ?? "*"),
                ("Access-Control-Max-Age", "86400"),
            ], body: .bytes([]))
    }
}

/// An error answer in OpenAI's envelope: `{"error":{"message","type","param","code"}}`.
public struct APIError: Error, Sendable, Equatable {
    public var status: Int
    public var type: String
    public var message: String
    public var param: String?
    public var code: String?
    /// Extra headers (`Allow`, `Retry-After`, …).
    public var headers: [(name: String, value: String)] = []

    public init(status: Int, type: String, message: String, param: String? = nil, code: String? = nil,
                headers: [(name: String, value: String)] = []) {
        self.status = status
        self.type = type
        self.message = message
        self.param = param
        self.code = code
        self.headers = headers
    }

    public static func == (a: APIError, b: APIError) -> Bool {
        a.status == b.status && a.type == b.type && a.message == b.message && a.param == b.param && a.code == b.code
    }

    /// 400 `invalid_request_error` about one parameter.
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: 400, type: "invalid_request_error", message: message, param: param, code: code)
    }

    public static func invalidType(param: String, expected: String, got: JSONValue) -> APIError {
        .invalidRequest(
            "Invalid type for '\(param)': expected \(expected), but got \(got.typeName) instead.", param: param,
            code: "invalid_type")
    }

    public static func missing(_ param: String) -> APIError {
        .invalidRequest("Missing required parameter: '\(param)'.", param: param, code: "missing_required_parameter")
    }

    public static func notJSON(_ detail: String) -> APIError {
        .invalidRequest(
            "We could not parse the JSON body of your request: \(detail). (HINT: This likely means you aren't using "
                + "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)")
    }

    public static func unknownRoute(method: String, path: String) -> APIError {
        APIError(
            status: 404, type: "invalid_request_error",
            message: "Invalid URL (\(method) \(path))", param: nil, code: "unknown_url")
    }

    public static func methodNotAllowed(method: String, path: String, allowed: [String]) -> APIError {
        APIError(
            status: 405, type: "invalid_request_error",
            message: "Method \(method) is not allowed for \(path). Allowed: \(allowed.joined(separator: ", ")).",
            param: nil, code: "method_not_allowed", headers: [("Allow", allowed.joined(separator: ", "))])
    }

    public static func invalidAPIKey(_ key: String?) -> APIError {
        let message: String
        if let key, !key.isEmpty {
            message = "Incorrect API key provided: \(APIError.mask(key)). You can find your API key at https://platform.openai.com/account/api-keys."
        } else {
            message = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        }
        return APIError(status: 401, type: "invalid_request_error", message: message, param: nil, code: "invalid_api_key")
    }

    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            status: 413, type: "invalid_request_error",
            message: "Request body too large: the limit is \(limit) bytes.", param: nil, code: "request_too_large")
    }

    /// A request on a connection beyond `--max-connections`: OpenAI's 503, naming the limit.
    public static func overConnectionLimit(_ limit: Int) -> APIError {
        APIError(
            status: 503, type: "server_error",
            message: "The server is overloaded or not ready yet: it holds its limit of \(limit) connections (--max-connections).",
            param: nil, code: nil, headers: [("Retry-After", "1")])
    }

    public static func modelNotFound(_ model: String) -> APIError {
        APIError(
            status: 404, type: "invalid_request_error",
            message: "The model `\(model)` does not exist or you do not have access to it.", param: "model",
            code: "model_not_found")
    }

    public static func serverError(_ message: String = "The server had an error while processing your request. Sorry about that!") -> APIError {
        APIError(status: 500, type: "server_error", message: message, param: nil, code: nil)
    }

    /// A key as OpenAI shows it in errors: the first and last four characters.
    public static func mask(_ key: String) -> String {
        guard key.count > 8 else { return String(repeating: "*", count: key.count) }
        return "\(key.prefix(4))\(String(repeating: "*", count: min(key.count - 8, 24)))\(key.suffix(4))"
    }

    /// The envelope's bytes.
    public var body: [UInt8] {
        var w = JSONWriter(capacity: 128 + message.utf8.count)
        w.raw("{\"error\":{")
        w.key("message"); w.string(message)
        w.raw(","); w.key("type"); w.string(type)
        w.raw(","); w.key("param"); w.optionalString(param)
        w.raw(","); w.key("code"); w.optionalString(code)
        w.raw("}}")
        return w.finish()
    }
}

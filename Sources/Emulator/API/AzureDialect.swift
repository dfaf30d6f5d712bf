/// Azure OpenAI's URL layouts: `/openai/deployments/{deployment}/…?api-version=…`, where the
/// deployment names the model, and the v1 layout `/openai/v1/…`.
enum AzureDialect {
    /// The request with the deployment as its body's `model`, after checking `api-version`.
    /// - Throws: 404 like Azure when `api-version` is missing; 400 when the body is not an object.
    static func deploymentRequest(_ request: HTTPRequest, deployment: String) throws(APIError) -> HTTPRequest {
        guard let version = request.queryValue("api-version"), !version.isEmpty else {
            throw APIError(
                status: 404, type: "invalid_request_error",
                message: "Resource not found: the 'api-version' query parameter is required on the deployments layout.",
                param: "api-version", code: "404")
        }
        var p = try Params.body(request.body)
        var object = p.object
        object["model"] = .string(deployment)
        p = Params(object)
        var rewritten = request
        rewritten.body = JSONValue.object(p.object).jsonBytes
        return rewritten
    }

    /// Adds the Azure routes for the endpoints that exist under `/v1/…`.
    static func addRoutes(to router: inout Router, endpoints: [(path: String, handle: Router.Endpoint)]) {
        for (path, handle) in endpoints {
            router.add("POST", "/openai/deployments/{deployment}/" + path) { request, captures throws(APIError) in
                try handle(try deploymentRequest(request, deployment: captures[0]), [])
            }
            router.add("POST", "/openai/v1/" + path) { request, captures throws(APIError) in
                try handle(request, captures)
            }
        }
    }
}

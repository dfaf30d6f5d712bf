/// Anthropic's Messages API: `POST /v1/messages` and `POST /v1/messages/count_tokens`.
struct MessagesEndpoint: Sendable {
    let generator: Generator
    let tokenizers: TokenizerChoice
    let latency: LatencyPlan
    let ids: IDGenerator
    let models: ModelPolicy

    func create(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try MessagesRequest(body: request.body)
        try models.check(body.model)
        let tokenizer = tokenizers.tokenizer(forModel: body.model)
        let promptTokens = PromptTokens.chat(messages: body.chatMessages, tokenizer: tokenizer)
        let answer = try generator.answer(body.generationRequest(), promptTokens: promptTokens, tokenizer: tokenizer)
        let builder = MessagesBuilder(id: ids.alphanumeric(prefix: "msg_01", count: 22), model: body.model, answer: answer)
        if body.stream {
            return ResponseFactory.eventStream(
                MessagesStreamSource(builder: builder, latency: latency, tokenizer: tokenizer), request: request)
        }
        return ResponseFactory.json(
            200, builder.message(final: true).jsonBytes, request: request,
            delayNanos: latency.totalNanos(tokens: answer.completionTokens))
    }

    func countTokens(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try MessagesRequest(body: request.body, countOnly: true)
        let tokenizer = tokenizers.tokenizer(forModel: body.model)
        let count = PromptTokens.chat(messages: body.chatMessages, tokenizer: tokenizer)
        let answer: JSONValue = ["input_tokens": .number(Double(count))]
        return ResponseFactory.json(200, answer.jsonBytes, request: request)
    }
}

extension APIError {
    /// This error in Anthropic's envelope: `{"type":"error","error":{"type","message"}}`.
    var anthropicBody: [UInt8] {
        let type: String
        switch status {
        case 401: type = "authentication_error"
        case 403: type = "permission_error"
        case 404: type = "not_found_error"
        case 413: type = "request_too_large"
        case 429: type = "rate_limit_error"
        case 503, 529: type = "overloaded_error"
        case 500...: type = "api_error"
        default: type = "invalid_request_error"
        }
        let body: JSONValue = ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
        return body.jsonBytes
    }
}

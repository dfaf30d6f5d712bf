/// Anthropic's Messages API: `POST /v1/messages` and `POST /v1/messages/count_tokens`.
struct MessagesEndpoint: Sendable {
    let generator: Generator
    let tokenizers: TokenizerChoice
    let ids: IDGenerator
    let models: ModelPolicy
    let load: LoadPipeline
    let mock: MockEngine

    func create(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try MessagesRequest(body: request.body)
        try models.check(body.model)
        let tokenizer = tokenizers.tokenizer(forModel: body.model)
        let promptTokens = PromptTokens.chat(messages: body.chatMessages, tokenizer: tokenizer)
        let script = try mock.script(endpoint: "messages", model: body.model, request: request) {
            var query = FixtureQuery(endpoint: "messages", model: body.model, chatMessages: body.chatMessages,
                                     body: request.body, request: request)
            query.toolNames = body.tools.map(\.name)
            return query
        }
        if let raw = script?.answer.raw { return raw.response(request) }
        var ticket = GenerationTicket(
            endpoint: "messages", model: body.model, promptTokens: promptTokens, maxTokens: body.maxTokens,
            stream: body.stream, style: .anthropic)
        ticket.apply(script)
        let generator = self.generator, ids = self.ids, mock = self.mock
        return try load.serve(ticket, request) { plan throws(APIError) in
            var g = body.generationRequest()
            g.scripted = script?.content
            g.outputTokens = plan.outputTokens
            let answer = try generator.answer(g, promptTokens: promptTokens, tokenizer: tokenizer)
            let builder = MessagesBuilder(id: ids.alphanumeric(prefix: "msg_01", count: 22), model: body.model, answer: answer)
            if body.stream {
                mock.noteAnswer(request, answer.transcript, stream: true)
                return PlannedAnswer(
                    body: .stream(MessagesStreamSource(builder: builder, latency: plan.latency, tokenizer: tokenizer)),
                    completionTokens: answer.completionTokens)
            }
            return PlannedAnswer(body: .json(builder.message(final: true).jsonBytes), completionTokens: answer.completionTokens)
        }
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

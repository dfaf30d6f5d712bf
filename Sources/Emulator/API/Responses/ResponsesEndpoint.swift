/// The Responses API: `POST /v1/responses`, and stored responses by id.
struct ResponsesEndpoint: Sendable {
    let generator: Generator
    let tokenizers: TokenizerChoice
    let ids: IDGenerator
    let store: ResponseStore
    let models: ModelPolicy
    let load: LoadPipeline
    let mock: MockEngine

    func create(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try ResponsesRequest(body: request.body, ids: ids)
        try models.check(body.model)
        var conversation: [JSONValue] = []
        if let previousID = body.previousResponseID {
            guard let previous = store.get(previousID) else { throw ResponsesEndpoint.notFound(previousID) }
            conversation = previous.conversation
        }
        conversation.append(contentsOf: body.messages)
        let tokenizer = tokenizers.tokenizer(forModel: body.model)
        var generation = GenerationRequest(model: body.model, lastUserText: body.lastUserText)
        generation.lastTurnIsToolResult = body.lastIsToolResult
        generation.maxTokens = body.maxOutputTokens
        generation.tools = body.functionTools
        generation.toolChoice = ChatRequest.toolChoice(body.toolChoice)
        if case .object(let o) = body.toolChoice, let name = o["name"]?.stringValue { generation.toolChoice = .named(name) }
        generation.parallelToolCalls = body.parallelToolCalls
        generation.format = body.format
        generation.reasoningEffort = body.reasoningEffort
        generation.seedSalt = String(conversation.count)
        let script = try mock.script(endpoint: "responses", model: body.model, request: request) {
            var query = FixtureQuery(endpoint: "responses", model: body.model, chatMessages: conversation,
                                     body: request.body, request: request)
            query.toolNames = body.functionTools.map(\.name)
            query.responseFormatType = body.textFormat["type"]?.stringValue
            query.responseFormatName = body.textFormat["name"]?.stringValue
            return query
        }
        if let raw = script?.answer.raw { return raw.response(request) }
        generation.scripted = script?.content
        let promptTokens = PromptCounter.chat(messages: conversation, tools: body.tools, tokenizer: tokenizer)
        var ticket = GenerationTicket(
            endpoint: "responses", model: body.model, promptTokens: promptTokens, maxTokens: body.maxOutputTokens,
            stream: body.stream)
        ticket.apply(script)
        let generator = self.generator, ids = self.ids, store = self.store, mock = self.mock
        let (prepared, history) = (generation, conversation)
        return try load.serve(ticket, request) { plan throws(APIError) in
            let answer = try generator.answer(prepared, outputTokens: plan.outputTokens, promptTokens: promptTokens,
                                              tokenizer: tokenizer)
            let builder = ResponseBuilder(
                request: body, id: ids.hex(prefix: "resp_", count: 48), createdAt: WallClock.unixSeconds(),
                answer: answer, reasoning: generator.settings.isReasoningModel(body.model), ids: ids)
            if body.store { ResponsesEndpoint.keep(builder, conversation: history, inputItems: body.inputItems, in: store) }
            if body.stream {
                mock.noteAnswer(request, answer.transcript, stream: true)
                return PlannedAnswer(
                    body: .stream(ResponsesStreamSource(builder: builder, latency: plan.latency, tokenizer: tokenizer)),
                    completionTokens: answer.completionTokens)
            }
            return PlannedAnswer(body: .json(builder.object(final: true).jsonBytes), completionTokens: answer.completionTokens)
        }
    }

    /// Stores a response with the conversation it continues, for `previous_response_id`.
    static func keep(_ builder: ResponseBuilder, conversation: [JSONValue], inputItems: [JSONValue], in store: ResponseStore) {
        var full = conversation
        for item in builder.items {
            if let text = item["content"]?.arrayValue?.first?["text"]?.stringValue {
                full.append(["role": "assistant", "content": .string(text)])
            } else if let args = item["arguments"]?.stringValue {
                full.append(["role": "assistant", "content": .string((item["name"]?.stringValue ?? "") + args)])
            }
        }
        store.put(builder.id, .init(response: builder.object(final: true), inputItems: inputItems, conversation: full))
    }

    func retrieve(_ request: HTTPRequest, id: String) throws(APIError) -> HTTPResponse {
        guard let stored = store.get(id) else { throw ResponsesEndpoint.notFound(id) }
        return ResponseFactory.json(200, stored.response.jsonBytes, request: request)
    }

    func delete(_ request: HTTPRequest, id: String) throws(APIError) -> HTTPResponse {
        guard store.remove(id) else { throw ResponsesEndpoint.notFound(id) }
        let body: JSONValue = ["id": .string(id), "object": "response", "deleted": true]
        return ResponseFactory.json(200, body.jsonBytes, request: request)
    }

    func inputItems(_ request: HTTPRequest, id: String) throws(APIError) -> HTTPResponse {
        guard let stored = store.get(id) else { throw ResponsesEndpoint.notFound(id) }
        var items = stored.inputItems
        if request.queryValue("order") != "asc" { items.reverse() }
        if let limit = request.queryValue("limit").flatMap(Int.init), limit >= 1 { items = Array(items.prefix(min(limit, 100))) }
        let body: JSONValue = [
            "object": "list", "data": .array(items), "first_id": items.first?["id"] ?? .null,
            "last_id": items.last?["id"] ?? .null, "has_more": .bool(items.count < stored.inputItems.count),
        ]
        return ResponseFactory.json(200, body.jsonBytes, request: request)
    }

    static func notFound(_ id: String) -> APIError {
        APIError(status: 404, type: "invalid_request_error", message: "Response with id '\(id)' not found.",
                 param: nil, code: nil)
    }
}

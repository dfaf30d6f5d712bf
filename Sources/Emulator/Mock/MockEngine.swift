/// The developer-facing mock: fixtures, the request journal and scopes.
public final class MockEngine: Sendable {
    public let fixtures: FixtureStore
    public let journal: Journal
    /// Use the API key as the scope when no `X-Emulator-Scope` header is sent.
    public let scopeByKey: Bool

    public init(fixtures: FixtureStore, journal: Journal, scopeByKey: Bool) {
        self.fixtures = fixtures
        self.journal = journal
        self.scopeByKey = scopeByKey
    }

    /// The caller's scope: `X-Emulator-Scope`, else (with `--scope-by-key`) its API key, else "".
    public func scope(of request: HTTPRequest) -> String {
        if let s = request.emulatorHeader("x-emulator-scope") { return s }
        if scopeByKey, let key = Router.presentedKey(request) { return key }
        return ""
    }

    /// Matches fixtures for a generation request and notes the rule in the journal. The query is
    /// built only when some rule could match (or strict fixtures need it for their 404).
    /// - Throws: the scripted error, or 404 under strict fixtures when nothing matches.
    func script(endpoint: String, model: String, request: HTTPRequest, query: () -> FixtureQuery)
        throws(APIError) -> FixtureStore.Script?
    {
        let scope = self.scope(of: request)
        let script = fixtures.mayMatch(scope: scope) ? try fixtures.script(for: query(), scope: scope) : nil
        if let draft = request.journalDraft {
            draft.entry.endpoint = endpoint
            draft.entry.model = model
            draft.entry.matchedRule = script?.rule
        }
        if let error = script?.answer.error { throw error }
        return script
    }

    /// Records what a stream sent (its content), since its bytes are not kept.
    func noteAnswer(_ request: HTTPRequest, _ answer: JSONValue, stream: Bool) {
        guard let draft = request.journalDraft else { return }
        draft.entry.answer = answer
        draft.entry.stream = stream
    }

    /// True for the routes the journal records.
    static func isAPIPath(_ path: String) -> Bool { path.hasPrefix("/v1/") || path.hasPrefix("/openai/") }
}

extension FixtureStore.Script {
    /// The scripted content for the generator.
    var content: GenerationRequest.Scripted? {
        let a = answer
        guard a.text != nil || a.json != nil || !a.toolCalls.isEmpty || a.finishReason != nil else { return nil }
        return GenerationRequest.Scripted(text: a.text ?? a.json?.jsonString, toolCalls: a.toolCalls,
                                          finishReason: a.finishReason)
    }
}

extension ChatAnswer {
    /// The content of every choice, as the journal shows a streamed answer.
    var transcript: JSONValue {
        .array(choices.map { c in
            var o = JSONObject()
            o["index"] = .number(Double(c.index))
            o["content"] = c.content.map { .string($0) } ?? .null
            if !c.toolCalls.isEmpty {
                o["tool_calls"] = .array(c.toolCalls.map { ["id": .string($0.id), "name": .string($0.name), "arguments": .string($0.arguments)] })
            }
            o["finish_reason"] = .string(c.finishReason)
            return .object(o)
        })
    }
}

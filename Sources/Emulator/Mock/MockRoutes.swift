import Dispatch

/// The test-suite API under `/_emulator/`: fixtures, the request journal, verification,
/// scopes and reset. Every call acts on the caller's scope (`X-Emulator-Scope`).
enum MockRoutes {
    static func add(to router: inout Router, mock: MockEngine, load: LoadPipeline, ids: IDGenerator) {
        router.add("POST", "/_emulator/fixtures", auth: .admin) { request, _ throws(APIError) in
            guard let value = try? JSONParser.parse(request.body) else { throw .notJSON("the fixtures body is not JSON") }
            let added = mock.fixtures.add(try Fixture.parseList(value, source: "runtime", ids: ids), scope: mock.scope(of: request))
            return ResponseFactory.json(201, list(added.map { ($0, 0) }).jsonBytes, request: request)
        }
        router.add("GET", "/_emulator/fixtures", auth: .admin) { request, _ in
            ResponseFactory.json(200, list(mock.fixtures.list(scope: mock.scope(of: request))).jsonBytes, request: request)
        }
        router.add("DELETE", "/_emulator/fixtures", auth: .admin) { request, _ in
            mock.fixtures.clear(scope: mock.scope(of: request))
            return ResponseFactory.json(200, Array(#"{"deleted":true}"#.utf8), request: request)
        }
        router.add("DELETE", "/_emulator/fixtures/{id}", auth: .admin) { request, c throws(APIError) in
            guard mock.fixtures.remove(id: c[0], scope: mock.scope(of: request)) else {
                throw APIError(status: 404, type: "invalid_request_error", message: "No runtime fixture '\(c[0])' in this scope.",
                               param: nil, code: "fixture_not_found")
            }
            return ResponseFactory.json(200, (["id": .string(c[0]), "deleted": true] as JSONValue).jsonBytes, request: request)
        }
        router.add("GET", "/_emulator/requests", auth: .admin) { request, _ in
            var entries = mock.journal.entries(scope: mock.scope(of: request), filter: JournalFilter(query: request))
            if let limit = request.queryValue("limit").flatMap(Int.init), limit >= 0 { entries = Array(entries.suffix(limit)) }
            return ResponseFactory.json(200, journalList(entries).jsonBytes, request: request)
        }
        router.add("DELETE", "/_emulator/requests", auth: .admin) { request, _ in
            mock.journal.clear(scope: mock.scope(of: request))
            return ResponseFactory.json(200, Array(#"{"deleted":true}"#.utf8), request: request)
        }
        router.add("GET", "/_emulator/requests/wait", auth: .admin) { request, _ throws(APIError) in
            try wait(request, mock: mock)
        }
        router.add("POST", "/_emulator/verify", auth: .admin) { request, _ throws(APIError) in
            try Verification.run(request, mock: mock)
        }
        router.add("DELETE", "/_emulator/scopes/{name}", auth: .admin) { request, c in
            mock.fixtures.clear(scope: c[0])
            mock.journal.clear(scope: c[0])
            load.limiter.reset(prefix: c[0] + "\u{0}")
            load.script.reset(prefix: c[0] + "\u{0}")
            return ResponseFactory.json(200, (["scope": .string(c[0]), "deleted": true] as JSONValue).jsonBytes, request: request)
        }
        router.add("POST", "/_emulator/reset", auth: .admin) { request, _ in
            mock.fixtures.clear(scope: nil)
            mock.journal.clear()
            load.limiter.reset()
            load.script.reset()
            let configured = load.configured.value
            try? load.settings.update { (s: inout LoadSettings) throws(APIError) in s = configured }
            return ResponseFactory.json(200, Array(#"{"reset":true}"#.utf8), request: request)
        }
    }

    static func list(_ fixtures: [(Fixture, Int)]) -> JSONValue {
        ["object": "list", "data": .array(fixtures.map { f, hits in
            ["id": .string(f.id), "name": f.name.map { .string($0) } ?? .null, "source": .string(f.source),
             "priority": .number(Double(f.priority)), "hits": .number(Double(hits)), "rule": f.definition]
        })]
    }

    static func journalList(_ entries: [JournalEntry]) -> JSONValue {
        ["object": "list", "data": .array(entries.map(\.json)), "count": .number(Double(entries.count))]
    }

    /// `GET /_emulator/requests/wait?count=N&timeout_ms=T&…filters`: answers once N matching
    /// requests have finished, or 408 with what arrived when the time is up.
    static func wait(_ request: HTTPRequest, mock: MockEngine) throws(APIError) -> HTTPResponse {
        let count = request.queryValue("count").flatMap(Int.init) ?? 1
        let timeout = min(max(request.queryValue("timeout_ms").flatMap(Double.init) ?? 5000, 0), 600_000)
        let filter = JournalFilter(query: request)
        let scope = mock.scope(of: request)
        let deferred = DeferredResponse()
        let ready = mock.journal.wait(scope: scope, filter: filter, count: count, deferred: deferred) { matches in
            ResponseFactory.json(200, journalList(matches).jsonBytes, request: request)
        }
        if let ready { return ResponseFactory.json(200, journalList(ready).jsonBytes, request: request) }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout))) {
            mock.journal.cancelWait(deferred)
            let got = mock.journal.entries(scope: scope, filter: filter)
            let body: JSONValue = [
                "error": ["message": .string("Timed out after \(Int(timeout)) ms waiting for \(count) matching requests; \(got.count) arrived."),
                          "type": "timeout", "param": .null, "code": "wait_timeout"],
                "count": .number(Double(got.count)), "data": .array(got.map(\.json)),
            ]
            deferred.resolve(ResponseFactory.json(408, body.jsonBytes, request: request))
        }
        return HTTPResponse(status: 200, body: .deferred(deferred))
    }
}

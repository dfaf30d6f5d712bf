import Synchronization

/// Every request to the API routes, per scope, bounded: the oldest go first.
public final class Journal: Sendable {
    private struct Ring {
        var entries: [JournalEntry] = []
        var start = 0
        var all: [JournalEntry] { Array(entries[start...]) }
    }

    private struct State: ~Copyable {
        var rings: [String: Ring] = [:]
        var index: [String: String] = [:]  // request id → scope
        var sequence = 0
        var waiters: [Waiter] = []
    }

    struct Waiter {
        var filter: JournalFilter
        var scope: String
        var count: Int
        var deferred: DeferredResponse
        var respond: @Sendable ([JournalEntry]) -> HTTPResponse
    }

    private let state = Mutex(State())
    public let capacity: Int
    public let bodyCap: Int
    static let maxScopes = 1000

    public init(capacity: Int, bodyCap: Int) {
        self.capacity = max(1, capacity)
        self.bodyCap = max(0, bodyCap)
    }

    /// Records a request as it arrives.
    func begin(_ request: HTTPRequest, scope: String) {
        let truncated = request.body.count > bodyCap
        let bytes = truncated ? Array(request.body.prefix(bodyCap)) : request.body
        let body: JSONValue
        if !truncated, let parsed = try? JSONParser.parse(bytes) {
            body = parsed
        } else {
            body = .string(String(decoding: bytes, as: UTF8.self))
        }
        var entry = JournalEntry(
            sequence: 0, id: request.id, scope: scope, time: Double(WallClock.unixMilliseconds()) / 1000,
            method: request.method, path: request.path, query: request.query,
            headers: JournalEntry.mask(request.headers), body: body, bodyTruncated: truncated)
        entry.model = body["model"]?.stringValue
        state.withLock { s in
            s.sequence += 1
            entry.sequence = s.sequence
            if s.rings[scope] == nil && s.rings.count >= Journal.maxScopes { return }
            var ring = s.rings[scope] ?? Ring()
            ring.entries.append(entry)
            if ring.entries.count - ring.start > capacity {
                s.index[ring.entries[ring.start].id] = nil
                ring.start += 1
                if ring.start > 1024 && ring.start * 2 > ring.entries.count {
                    ring.entries.removeFirst(ring.start)
                    ring.start = 0
                }
            }
            s.rings[scope] = ring
            s.index[entry.id] = scope
        }
    }

    /// Adds what the endpoint decided (endpoint, matched rule, answer).
    func annotate(_ id: String, _ change: (inout JournalEntry) -> Void) {
        state.withLock { s in
            guard let scope = s.index[id], var ring = s.rings[scope],
                let i = ring.entries[ring.start...].lastIndex(where: { $0.id == id })
            else { return }
            change(&ring.entries[i])
            s.rings[scope] = ring
        }
    }

    /// Records the final status and duration; wakes waiters whose count is reached.
    func finish(_ id: String, status: Int, durationMs: Double) {
        let ready: [(Waiter, [JournalEntry])] = state.withLock { s in
            guard let scope = s.index[id], var ring = s.rings[scope],
                let i = ring.entries[ring.start...].lastIndex(where: { $0.id == id })
            else { return [] }
            if ring.entries[i].status == nil || ring.entries[i].status == 0 { ring.entries[i].status = status }
            ring.entries[i].durationMs = durationMs
            s.rings[scope] = ring
            var fired: [(Waiter, [JournalEntry])] = []
            s.waiters.removeAll { w in
                guard w.scope == scope else { return false }
                let matches = ring.all.filter { $0.status != nil && w.filter.matches($0) }
                guard matches.count >= w.count else { return false }
                fired.append((w, matches))
                return true
            }
            return fired
        }
        for (w, matches) in ready { w.deferred.resolve(w.respond(matches)) }
    }

    /// Finished entries of a scope that pass the filter, oldest first.
    func entries(scope: String, filter: JournalFilter = JournalFilter()) -> [JournalEntry] {
        state.withLock { s in (s.rings[scope]?.all ?? []).filter { $0.status != nil && filter.matches($0) } }
    }

    /// Waits until `count` finished entries pass the filter; `respond` builds the answer.
    func wait(scope: String, filter: JournalFilter, count: Int, deferred: DeferredResponse,
              respond: @escaping @Sendable ([JournalEntry]) -> HTTPResponse) -> [JournalEntry]? {
        state.withLock { s in
            let matches = (s.rings[scope]?.all ?? []).filter { $0.status != nil && filter.matches($0) }
            if matches.count >= count { return matches }
            s.waiters.append(Waiter(filter: filter, scope: scope, count: count, deferred: deferred, respond: respond))
            return nil
        }
    }

    /// Drops a waiter that timed out.
    func cancelWait(_ deferred: DeferredResponse) {
        state.withLock { s in s.waiters.removeAll { $0.deferred === deferred } }
    }

    public func clear(scope: String? = nil) {
        state.withLock { s in
            if let scope {
                for e in s.rings[scope]?.all ?? [] { s.index[e.id] = nil }
                s.rings[scope] = nil
            } else {
                s.rings.removeAll()
                s.index.removeAll()
            }
        }
    }
}

/// Which journal entries a query or a wait selects.
struct JournalFilter: Sendable {
    var path: String?
    var method: String?
    var model: String?
    var rule: String?
    var since: Double?
    var text: String?
    var status: Int?

    func matches(_ e: JournalEntry) -> Bool {
        if let path, e.path != path { return false }
        if let method, e.method != method.uppercased() { return false }
        if let model, !Glob.matches(model, e.model ?? "") { return false }
        if let rule, e.matchedRule != rule { return false }
        if let since, e.time < since { return false }
        if let status, e.status != status { return false }
        if let text, !e.body.jsonString.lowercased().contains(text.lowercased()) { return false }
        return true
    }

    init() {}

    init(query request: HTTPRequest) {
        path = request.queryValue("path")
        method = request.queryValue("method")
        model = request.queryValue("model")
        rule = request.queryValue("rule")
        since = request.queryValue("since").flatMap(Double.init)
        text = request.queryValue("q") ?? request.queryValue("text")
        status = request.queryValue("status").flatMap(Int.init)
    }
}

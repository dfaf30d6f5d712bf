/// Every request to the API routes, per scope, bounded: the oldest go first.
public final class Journal: Sendable {
    /// A scope's entries in a fixed circle: once full, each new entry takes the oldest one's slot.
    private struct Ring {
        var slots: [JournalEntry] = []
        /// The slot the next entry goes to (the oldest entry's, once full).
        var next = 0

        /// Oldest first.
        var all: [JournalEntry] { next == slots.count || next == 0 ? slots : Array(slots[next...] + slots[..<next]) }

        /// The slot of the entry with this id, searched newest first (the one asked for is nearly always recent).
        func lastIndex(of id: String) -> Int? {
            let n = slots.count
            guard n > 0 else { return nil }
            for back in 1...n {
                let i = (next - back + n) % n
                if slots[i].id == id { return i }
            }
            return nil
        }

        /// Changes the entry with this id in place; false when it is no longer kept.
        mutating func update(_ id: String, _ change: (inout JournalEntry) -> Void) -> Bool {
            guard let i = lastIndex(of: id) else { return false }
            change(&slots[i])
            return true
        }

        /// Stores an entry; returns the id of the entry it replaced, if the ring was full.
        mutating func add(_ entry: JournalEntry, capacity: Int) -> String? {
            var dropped: String?
            if slots.count < capacity {
                slots.append(entry)
            } else {
                dropped = slots[next].id
                slots[next] = entry
            }
            next = (next + 1) % capacity
            return dropped
        }
    }

    private struct State {
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

    private let state = Locked(State())
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
        var entry = JournalEntry(
            sequence: 0, id: request.id, scope: scope, time: Double(WallClock.unixMilliseconds()) / 1000,
            method: request.method, path: request.path, query: request.query,
            receivedHeaders: request.headers, rawBody: bytes, bodyTruncated: truncated)
        state.withLock { s in
            s.sequence += 1
            entry.sequence = s.sequence
            if s.rings[scope] == nil && s.rings.count >= Journal.maxScopes { return }
            // In place: copying the ring out and back would copy every entry on each request.
            if let dropped = s.rings[scope, default: Ring()].add(entry, capacity: capacity) { s.index[dropped] = nil }
            s.index[entry.id] = scope
        }
    }

    /// Adds what the endpoint decided (endpoint, matched rule, answer).
    func annotate(_ id: String, _ change: (inout JournalEntry) -> Void) {
        state.withLock { s in
            guard let scope = s.index[id] else { return }
            _ = s.rings[scope]?.update(id, change)
        }
    }

    /// Records the final status and duration; wakes waiters whose count is reached.
    func finish(_ id: String, status: Int, durationMs: Double) {
        let ready: [(Waiter, [JournalEntry])] = state.withLock { s in
            guard let scope = s.index[id],
                s.rings[scope]?.update(id, { $0.finish(status: status, durationMs: durationMs) }) == true
            else { return [] }
            var fired: [(Waiter, [JournalEntry])] = []
            guard !s.waiters.isEmpty, let ring = s.rings[scope] else { return fired }
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

extension JournalEntry {
    mutating func finish(status: Int, durationMs: Double) {
        if self.status == nil || self.status == 0 { self.status = status }
        self.durationMs = durationMs
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
        if let text, !String(decoding: e.rawBody, as: UTF8.self).lowercased().contains(text.lowercased()) { return false }
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

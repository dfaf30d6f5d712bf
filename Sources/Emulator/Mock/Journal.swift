import Synchronization

/// Every request to the API routes, per scope, bounded: the oldest go first.
///
/// A request's entry is drafted when it arrives (`draft`) and filled in by the endpoint without a lock
/// (`JournalDraft`). It goes in, in one locked step (`publish`), as soon as its answer is decided: a
/// complete answer before it is sent, so that a client reading the journal right after its answer
/// finds the request; an answer decided later (a queued request) when the request completes.
/// Readers see only finished requests, so nothing else needs the lock while a request is answered.
/// A stream's entry goes in when the stream starts (`start`, then `finishStarted`): thousands of held
/// streams would otherwise each keep a draft, where the journal keeps only its capacity.
public final class Journal: Sendable {
    /// A scope's entries in a fixed circle: once full, each new entry takes the oldest one's slot.
    private struct Ring {
        var slots: [JournalEntry] = []
        /// The slot the next entry goes to (the oldest entry's, once full).
        var next = 0

        /// The finished entries in arrival order (most are added as they finish, so a long request
        /// can come after a later short one).
        var finished: [JournalEntry] {
            slots.filter { $0.status != nil }.sorted { $0.sequence < $1.sequence }
        }

        /// Stores an entry (moved in, not copied); returns its slot, and the id of the entry it
        /// pushed out if that one was unfinished.
        mutating func add(_ entry: consuming JournalEntry, capacity: Int) -> (slot: Int, pushedOut: String?) {
            var pushedOut: String?
            let slot: Int
            if slots.count < capacity {
                slot = slots.count
                slots.append(entry)
            } else {
                slot = next
                if slots[next].status == nil { pushedOut = slots[next].id }
                slots[next] = entry
            }
            next = (next + 1) % capacity
            return (slot, pushedOut)
        }

        /// Finishes the under-way entry kept at `slot`, if that slot still holds it (its request's
        /// number); false when it is gone.
        mutating func finish(slot: Int, sequence: Int, status: Int, durationMs: Double) -> Bool {
            guard slot < slots.count, slots[slot].sequence == sequence else { return false }
            slots[slot].finish(status: status, durationMs: durationMs)
            return true
        }
    }

    /// Where a stream's unfinished entry is kept: found at once when the stream ends, where searching
    /// the ring by id made a burst of endings cost the square of the streams.
    private struct StartedEntry {
        var scope: String
        var slot: Int
        var sequence: Int
    }

    private struct State {
        var rings: [String: Ring] = [:]
        /// Requests numbered up to this arrived before the last clear of all scopes.
        var clearedThrough = 0
        /// The same, per scope cleared on its own.
        var scopeClearedThrough: [String: Int] = [:]
        /// Streams under way (by request id), whose entries are in the rings unfinished.
        var started: [String: StartedEntry] = [:]
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
    /// The number of the last request drafted.
    private let sequence = Atomic<Int>(0)
    public let capacity: Int
    public let bodyCap: Int
    static let maxScopes = 1000

    public init(capacity: Int, bodyCap: Int) {
        self.capacity = max(1, capacity)
        self.bodyCap = max(0, bodyCap)
    }

    /// The entry of a request that has just arrived, numbered in arrival order.
    func draft(_ request: HTTPRequest, scope: String) -> JournalDraft {
        let truncated = request.body.count > bodyCap
        let bytes = truncated ? Array(request.body.prefix(bodyCap)) : request.body
        let number = sequence.add(1, ordering: .relaxed).newValue
        return JournalDraft(JournalEntry(
            sequence: number, id: request.id, scope: scope, time: Double(WallClock.unixMilliseconds()) / 1000,
            method: request.method, path: request.path, query: request.query,
            receivedHeaders: request.headers, rawBody: bytes, bodyTruncated: truncated))
    }

    /// Adds a request whose answer is decided, with its status and duration; wakes waiters whose count
    /// is reached. A request that was under way when its scope was cleared is dropped with the rest.
    func publish(_ draft: JournalDraft, status: Int, durationMs: Double) {
        var entry = draft.take()
        entry.finish(status: status, durationMs: durationMs)
        let scope = entry.scope
        let ready: [(Waiter, [JournalEntry])] = state.withLock { s in
            guard Journal.insert(entry, into: &s, capacity: capacity) != nil else { return [] }
            return Journal.fire(&s, scope: scope)
        }
        for (w, matches) in ready { w.deferred.resolve(w.respond(matches)) }
    }

    /// Adds a stream's entry as the stream starts, unfinished (readers skip it until `finishStarted`).
    func start(_ draft: JournalDraft) {
        let entry = draft.take()
        let id = entry.id, scope = entry.scope, sequence = entry.sequence
        state.withLock { s in
            if let slot = Journal.insert(entry, into: &s, capacity: capacity) {
                s.started[id] = StartedEntry(scope: scope, slot: slot, sequence: sequence)
            }
        }
    }

    /// Finishes a stream's entry added by `start`, if it is still kept.
    func finishStarted(_ id: String, status: Int, durationMs: Double) {
        let ready: [(Waiter, [JournalEntry])] = state.withLock { s in
            guard let started = s.started.removeValue(forKey: id),
                s.rings[started.scope]?.finish(
                    slot: started.slot, sequence: started.sequence, status: status, durationMs: durationMs) == true
            else { return [] }
            return Journal.fire(&s, scope: started.scope)
        }
        for (w, matches) in ready { w.deferred.resolve(w.respond(matches)) }
    }

    /// Puts an entry in its scope's ring unless the scope was cleared since it arrived or there are
    /// too many scopes, and returns its slot; an unfinished entry it pushes out is forgotten.
    private static func insert(_ entry: consuming JournalEntry, into s: inout State, capacity: Int) -> Int? {
        let scope = entry.scope
        if entry.sequence <= s.clearedThrough { return nil }
        if !s.scopeClearedThrough.isEmpty && entry.sequence <= s.scopeClearedThrough[scope, default: 0] { return nil }
        if s.rings.count >= Journal.maxScopes && s.rings[scope] == nil { return nil }
        // In place: copying the ring out and back would copy every entry on each request.
        let (slot, pushedOut) = s.rings[scope, default: Ring()].add(entry, capacity: capacity)
        if let pushedOut { s.started[pushedOut] = nil }
        return slot
    }

    /// Takes out the waiters of a scope whose count of matching finished entries is reached.
    private static func fire(_ s: inout State, scope: String) -> [(Waiter, [JournalEntry])] {
        var fired: [(Waiter, [JournalEntry])] = []
        guard !s.waiters.isEmpty, let ring = s.rings[scope] else { return fired }
        s.waiters.removeAll { w in
            guard w.scope == scope else { return false }
            let matches = ring.finished.filter { w.filter.matches($0) }
            guard matches.count >= w.count else { return false }
            fired.append((w, matches))
            return true
        }
        return fired
    }

    /// Completed entries of a scope that pass the filter, in arrival order.
    func entries(scope: String, filter: JournalFilter = JournalFilter()) -> [JournalEntry] {
        state.withLock { s in (s.rings[scope]?.finished ?? []).filter { filter.matches($0) } }
    }

    /// Waits until `count` completed entries pass the filter; `respond` builds the answer.
    func wait(scope: String, filter: JournalFilter, count: Int, deferred: DeferredResponse,
              respond: @escaping @Sendable ([JournalEntry]) -> HTTPResponse) -> [JournalEntry]? {
        state.withLock { s in
            let matches = (s.rings[scope]?.finished ?? []).filter { filter.matches($0) }
            if matches.count >= count { return matches }
            s.waiters.append(Waiter(filter: filter, scope: scope, count: count, deferred: deferred, respond: respond))
            return nil
        }
    }

    /// Drops a waiter that timed out.
    func cancelWait(_ deferred: DeferredResponse) {
        state.withLock { s in s.waiters.removeAll { $0.deferred === deferred } }
    }

    /// Forgets a scope's entries (or every scope's), including those of requests still under way.
    public func clear(scope: String? = nil) {
        let through = sequence.load(ordering: .relaxed)
        state.withLock { s in
            if let scope {
                for e in s.rings[scope]?.slots ?? [] where e.status == nil { s.started[e.id] = nil }
                s.rings[scope] = nil
                if s.scopeClearedThrough.count >= Journal.maxScopes, s.scopeClearedThrough[scope] == nil,
                    let oldest = s.scopeClearedThrough.min(by: { $0.value < $1.value })
                {
                    s.scopeClearedThrough[oldest.key] = nil  // long past: its requests have finished
                }
                s.scopeClearedThrough[scope] = through
            } else {
                s.rings.removeAll()
                s.started.removeAll()
                s.scopeClearedThrough.removeAll()
                s.clearedThrough = through
            }
        }
    }
}

/// A request's journal entry while the request is answered. Only the thread answering the request
/// writes it, and the transport hands it on to completion after the last write.
final class JournalDraft: @unchecked Sendable {
    var entry: JournalEntry

    init(_ entry: JournalEntry) { self.entry = entry }

    /// Moves the entry out (into the journal), leaving an empty one: no field is copied.
    func take() -> JournalEntry {
        var taken = JournalEntry(
            sequence: 0, id: "", scope: "", time: 0, method: "", path: "", query: [], receivedHeaders: [], rawBody: [],
            bodyTruncated: false)
        swap(&taken, &entry)
        return taken
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

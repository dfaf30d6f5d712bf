/// Stored responses for `GET/DELETE /v1/responses/{id}` and `previous_response_id`: a bounded
/// least-recently-used map, shared by all threads.
final class ResponseStore: Sendable {
    struct Stored: Sendable {
        /// The response object as answered.
        var response: JSONValue
        var inputItems: [JSONValue]
        /// The conversation up to and including this response's output, as chat messages.
        var conversation: [JSONValue]
    }

    private struct State {
        var entries: [String: (value: Stored, stamp: UInt64)] = [:]
        /// Access order with stamps; stale pairs are skipped when evicting.
        var order: [(id: String, stamp: UInt64)] = []
        var head = 0
        var clock: UInt64 = 0
    }

    private let state = Locked(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = max(0, capacity) }

    func put(_ id: String, _ value: Stored) {
        guard capacity > 0 else { return }
        state.withLock { s in
            s.clock += 1
            s.entries[id] = (value, s.clock)
            s.order.append((id, s.clock))
            while s.entries.count > capacity, s.head < s.order.count {
                let (oldest, stamp) = s.order[s.head]
                s.head += 1
                if s.entries[oldest]?.stamp == stamp { s.entries[oldest] = nil }
            }
            if s.head > 1024 && s.head * 2 > s.order.count {
                s.order.removeFirst(s.head)
                s.head = 0
            }
        }
    }

    func get(_ id: String) -> Stored? {
        state.withLock { s in
            guard let entry = s.entries[id] else { return nil }
            s.clock += 1
            s.entries[id]?.stamp = s.clock
            s.order.append((id, s.clock))
            return entry.value
        }
    }

    @discardableResult
    func remove(_ id: String) -> Bool {
        state.withLock { $0.entries.removeValue(forKey: id) != nil }
    }

    var count: Int { state.withLock { $0.entries.count } }
}

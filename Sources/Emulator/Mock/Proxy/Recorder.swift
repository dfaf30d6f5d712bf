import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes proxied exchanges as fixtures (`--record FILE`): each matches the request's path,
/// model, last user message and turn, and answers with the recorded bytes and stream timing.
final class Recorder: Sendable {
    let path: String
    private let rules = Locked<[JSONValue]>([])

    init(path: String) { self.path = path }

    func record(_ request: HTTPRequest, state: ProxyExchange.State) {
        let body = (try? JSONParser.parse(request.body)) ?? .null
        var q = FixtureQuery(endpoint: Verification.endpoint(of: request.path), model: body["model"]?.stringValue ?? "",
                             body: body, request: request)
        let entry = JournalEntry(sequence: 0, id: request.id, scope: "", time: 0, method: request.method,
                                 path: request.path, query: [], receivedHeaders: [], rawBody: request.body, bodyTruncated: false)
        q.messages = Verification.query(for: entry).messages
        var match = JSONObject()
        match["path"] = .string(request.path)
        match["method"] = .string(request.method)
        if !q.model.isEmpty { match["model"] = .string(q.model) }
        if !q.lastUser.isEmpty { match["last_user"] = ["equals": .string(q.lastUser)] }
        match["turn"] = .number(Double(q.turn))
        var raw = RawAnswer(status: state.status, contentType: state.contentType, body: state.body)
        if state.streaming {
            var previous = state.started
            raw.events = state.chunks.map { chunk in
                defer { previous = chunk.at }
                return (Double(chunk.at &- previous) / 1e6, chunk.bytes)
            }
        }
        let rule: JSONValue = [
            "name": .string("recorded \(request.method) \(request.path) \(request.id)"),
            "match": .object(match), "respond": ["raw": raw.json],
        ]
        let all = rules.withLock { r -> [JSONValue] in
            r.append(rule)
            return r
        }
        let document: JSONValue = ["fixtures": .array(all)]
        let temporary = path + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: Data(document.jsonBytes)) {
            _ = rename(temporary, path)
        }
    }
}

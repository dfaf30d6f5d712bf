/// An answer recorded from an upstream, replayed byte for byte: a JSON body, or the events of a
/// stream with the delays observed between them, so replay reproduces TTFT and ITL.
struct RawAnswer: Sendable {
    var status: Int
    var contentType: String
    var body: [UInt8] = []
    /// For streams: each chunk of bytes and the delay before it (after the previous one), in ms.
    var events: [(delayMs: Double, bytes: [UInt8])]?

    static func parse(_ value: JSONValue, path: String) throws(APIError) -> RawAnswer {
        guard case .object(let o) = value else { throw .invalidType(param: path, expected: "an object", got: value) }
        let p = Params(o, path: path)
        var raw = RawAnswer(status: try p.int("status", in: 100...599) ?? 200,
                            contentType: try p.string("content_type") ?? "application/json")
        if let events = try p.array("events") {
            raw.events = events.map { e in
                (e["delay_ms"]?.doubleValue ?? 0, Array((e["data"]?.stringValue ?? "").utf8))
            }
            if o["content_type"] == nil { raw.contentType = "text/event-stream; charset=utf-8" }
        } else if let body = p.value("body") {
            raw.body = body.stringValue.map { Array($0.utf8) } ?? body.jsonBytes
        }
        return raw
    }

    var json: JSONValue {
        var o = JSONObject()
        o["status"] = .number(Double(status))
        o["content_type"] = .string(contentType)
        if let events {
            o["events"] = .array(events.map { ["delay_ms": .number(($0.delayMs * 10).rounded() / 10),
                                               "data": .string(String(decoding: $0.bytes, as: UTF8.self))] })
        } else {
            o["body"] = (try? JSONParser.parse(body)) ?? .string(String(decoding: body, as: UTF8.self))
        }
        return .object(o)
    }

    /// The recorded answer as a response: the body at once, or the events at their delays.
    func response(_ request: HTTPRequest) -> HTTPResponse {
        let headers: [(name: String, value: String)] = [
            ("Content-Type", contentType), ("x-request-id", request.id), ("Access-Control-Allow-Origin", "*"),
        ]
        guard let events else { return HTTPResponse(status: status, headers: headers, body: .bytes(body)) }
        let source = ReplaySource(events: events)
        return HTTPResponse(status: status, headers: headers + [("Cache-Control", "no-cache")],
                            body: .stream(StreamBox(source)))
    }
}

/// Replays recorded stream events with their delays.
struct ReplaySource: StreamSource {
    let events: [(delayMs: Double, bytes: [UInt8])]
    var position = 0

    mutating func next() -> StreamEvent? {
        guard position < events.count else { return nil }
        let e = events[position]
        position += 1
        return .frame(e.bytes, afterNanos: UInt64(max(0, e.delayMs) * 1e6), token: true)
    }
}

// libFuzzer target: every request-decoding and validation path of the emulator, through the real router.
//
// The first byte of an input picks the route, the rest is the request body. Answers are checked:
// a status in 200..<600, never a 5xx on an API route (no faults are configured), JSON bodies that
// parse, and streams that end. Streams are drained so generation runs too.
import Logging

@testable import Emulator

/// Routes that take a request body, indexed by the first input byte (modulo the count).
let routes: [(method: String, path: String, query: [(name: String, value: String)], admin: Bool)] = [
    ("POST", "/v1/chat/completions", [], false),
    ("POST", "/v1/responses", [], false),
    ("POST", "/v1/completions", [], false),
    ("POST", "/v1/embeddings", [], false),
    ("POST", "/v1/messages", [], false),
    ("POST", "/v1/messages/count_tokens", [], false),
    ("POST", "/openai/deployments/gpt-4o-mini/chat/completions", [("api-version", "2024-10-21")], false),
    ("POST", "/openai/v1/responses", [], false),
    ("POST", "/_emulator/fixtures", [], true),
    ("POST", "/_emulator/verify", [], true),
    ("PATCH", "/_emulator/config", [], true),
]

let app: EmulatorApp = {
    var c = EmulatorConfiguration()
    c.server.host = "127.0.0.1"
    c.server.port = 0
    c.journalSize = 64
    let quiet = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
    do {
        return try EmulatorApp(configuration: c, logger: quiet)
    } catch {
        fatalError("cannot build the emulator: \(error)")
    }
}()

func request(_ route: Int, body: [UInt8]) -> HTTPRequest {
    let r = routes[route]
    var headers: [(name: String, value: String)] = [("host", "127.0.0.1"), ("content-type", "application/json")]
    if r.path.hasPrefix("/v1/messages") { headers.append(("anthropic-version", "2023-06-01")) }
    return HTTPRequest(method: r.method, path: r.path, query: r.query, headers: headers, body: body,
                       id: "req_fuzz", receivedAt: MonotonicClock.now(), clientAddress: "127.0.0.1")
}

func isJSON(_ response: HTTPResponse) -> Bool {
    response.headers.contains { $0.name.lowercased() == "content-type" && $0.value.hasPrefix("application/json") }
}

/// Answers one request like the transport would, minus the socket: drains streams, reports the end.
func exercise(_ route: Int, body: [UInt8]) {
    let response = app.router.handle(request(route, body: body))
    precondition((200..<600).contains(response.status), "status \(response.status) for \(routes[route].path)")
    if !routes[route].admin {
        precondition(response.status < 500, "\(response.status) for \(routes[route].path): \(response.body)")
    }
    var outcome = StreamOutcome.completed
    switch response.body {
    case .bytes(let bytes):
        if isJSON(response) && !bytes.isEmpty {
            do { _ = try JSONParser.parse(bytes) } catch {
                preconditionFailure("answer is not JSON: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
            }
        }
    case .stream(var box):
        var events = 0
        loop: while let event = box.source.next() {
            events += 1
            precondition(events < 1_000_000, "a stream that does not end")
            switch event {
            case .frame(_, _, let token): box.source.delivered(token: token, at: MonotonicClock.now())
            case .stall, .abort:
                outcome = .aborted
                break loop
            }
        }
        box.source.finished(outcome)
    case .closeConnection, .deferred:
        outcome = .aborted
    }
    let now = MonotonicClock.now()
    response.onFinish?(FinishedResponse(status: response.status, outcome: outcome, receivedAt: now, finishedAt: now))
    if routes[route].admin {
        // fixtures and settings must not leak into the next input
        _ = app.router.handle(HTTPRequest(method: "POST", path: "/_emulator/reset", id: "req_fuzz_reset"))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    exercise(Int(bytes[0]) % routes.count, body: Array(bytes.dropFirst()))
    return 0
}

/// A fully read request, independent of libmicrohttpd.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query string, as sent ("/v1/chat/completions").
    public var path: String
    /// Query arguments in order.
    public var query: [(name: String, value: String)]
    /// Headers in order; names lowercased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The unique id sent back as `x-request-id`.
    public var id: String
    /// When the request head arrived (monotonic ns).
    public var receivedAt: UInt64
    /// The client's address, as the socket gave it.
    public var client: ClientAddress
    /// The client's address ("127.0.0.1"), empty when unknown.
    public var clientAddress: String {
        get { client.text }
        set { client = ClientAddress(text: newValue) }
    }
    /// False when the transport saw no `X-Emulator-*` header: `emulatorHeader` then answers at once.
    public var mayHaveEmulatorHeaders = true
    /// The journal entry being written for this request, when the journal records it.
    var journalDraft: JournalDraft?

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = [], id: String = "req_test",
        receivedAt: UInt64 = 0, clientAddress: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.id = id
        self.receivedAt = receivedAt
        self.client = clientAddress.isEmpty ? .unknown : ClientAddress(text: clientAddress)
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        for h in headers where HTTPRequest.sameName(h.name, name) { return h.value }
        return nil
    }

    /// An `x-emulator-…` control header (name in lowercase); nil without scanning when the request
    /// carries none, as almost every request does.
    public func emulatorHeader(_ lowercasedName: String) -> String? {
        mayHaveEmulatorHeaders ? header(lowercasedName) : nil
    }

    /// ASCII case-insensitive comparison of a stored (lowercase) header name with a wanted one,
    /// without building a lowercased copy: called several times per request.
    static func sameName(_ stored: String, _ wanted: String) -> Bool {
        guard stored.utf8.count == wanted.utf8.count else { return false }
        var a = stored, b = wanted
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                for i in 0..<x.count {
                    var c = y[i]
                    if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") { c |= 0x20 }
                    if x[i] != c { return false }
                }
                return true
            }
        }
    }

    /// The first query argument with this name.
    public func queryValue(_ name: String) -> String? {
        for q in query where q.name == name { return q.value }
        return nil
    }
}

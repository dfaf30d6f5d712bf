/// What fixtures can match on, the same for every endpoint and dialect.
public struct FixtureQuery: Sendable {
    public var endpoint: String
    public var model: String
    /// The conversation as (role, text); system and developer messages included.
    public var messages: [(role: String, text: String)] = []
    public var toolNames: [String] = []
    public var responseFormatType: String?
    public var responseFormatName: String?
    public var request: HTTPRequest
    private var parsedBody: JSONValue?

    /// The request body; parsed only when a rule or template looks into it.
    public var body: JSONValue { parsedBody ?? (try? JSONParser.parse(request.body)) ?? .null }

    public init(endpoint: String, model: String, body: JSONValue, request: HTTPRequest) {
        self.endpoint = endpoint
        self.model = model
        self.parsedBody = body
        self.request = request
    }

    /// From chat-style messages (`role` and `content`, content parts joined).
    init(endpoint: String, model: String, chatMessages: [JSONValue], body: [UInt8], request: HTTPRequest) {
        self.endpoint = endpoint
        self.model = model
        self.request = request
        messages = chatMessages.map { m in
            (m["role"]?.stringValue ?? "", ChatRequest.text(of: m["content"]))
        }
    }

    public var lastUser: String { messages.last { $0.role == "user" }?.text ?? "" }
    public var system: String {
        messages.filter { $0.role == "system" || $0.role == "developer" }.map(\.text).joined(separator: "\n")
    }
    /// The number of assistant messages so far.
    public var turn: Int { messages.filter { $0.role == "assistant" }.count }
}

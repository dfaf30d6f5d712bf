/// A scripted answer: when a request matches `match`, answer with `answers` (one, or a
/// sequence consumed in order), at most `times` times, after skipping the first `after` matches.
public struct Fixture: Sendable {
    public var id: String
    public var name: String?
    public var priority = 0
    /// Later rules win ties: the order in which rules were added.
    var order = 0
    var match = FixtureMatch()
    var answers: [FixtureAnswer] = []
    var times: Int?
    var after = 0
    /// "file" or "runtime".
    var source = "runtime"
    var definition: JSONValue = .null

    var label: String { name ?? id }
}

/// The conditions of a fixture; all given ones must hold.
struct FixtureMatch: Sendable {
    var endpoints: [String]?
    var model: String?
    var lastUser: TextMatch?
    var anyMessage: TextMatch?
    var system: TextMatch?
    var toolsPresent: Bool?
    var toolNames: [String]?
    var responseFormatType: String?
    var responseFormatName: String?
    var headers: [(name: String, value: String)] = []
    var jsonPaths: [(path: String, value: JSONValue)] = []
    var turn: Int?
    var path: String?
    var method: String?

    /// How many conditions the rule states: more conditions, more specific.
    var specificity: Int {
        [endpoints != nil, model != nil, lastUser != nil, anyMessage != nil, system != nil, toolsPresent != nil,
         toolNames != nil, responseFormatType != nil, responseFormatName != nil, turn != nil, path != nil,
         method != nil].filter { $0 }.count + headers.count + jsonPaths.count
    }
}

/// One answer of a fixture.
struct FixtureAnswer: Sendable {
    var text: String?
    /// Tool calls: a name and the arguments (nil: generated from the tool's schema).
    var toolCalls: [(name: String, arguments: JSONValue?)] = []
    var json: JSONValue?
    var error: APIError?
    var fault: Fault?
    var embedding: [Double]?
    var ttftMs: Distribution?
    var itlMs: Distribution?
    var finishReason: String?
    /// A recorded answer, replayed byte for byte.
    var raw: RawAnswer?
}

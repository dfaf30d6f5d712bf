/// A validated `POST /v1/embeddings` request.
struct EmbeddingsRequest: Sendable {
    /// One input to embed: text, or a prompt already tokenized.
    enum Input: Sendable, Equatable {
        case text(String)
        case tokens([Int])
    }

    static let maxInputs = 2048

    var model: String
    var inputs: [Input]
    /// The requested size, or nil for the model's native size.
    var dimensions: Int?
    var base64 = false

    /// Decodes and validates a body as the real API does.
    /// - Parameters:
    ///   - body: the request body.
    ///   - nativeDimensions: the vector size of a model.
    /// - Throws: `APIError` 400 naming the offending parameter.
    init(body: [UInt8], nativeDimensions: (String) -> Int) throws(APIError) {
        let p = try Params.body(body)
        self.model = try p.requiredString("model")
        guard let input = p.value("input") else { throw .missing("input") }
        inputs = try EmbeddingsRequest.inputs(input)
        if p.has("dimensions") {
            guard EmbeddingsRequest.supportsDimensions(model) else {
                throw .invalidRequest("This model does not support specifying dimensions.", param: "dimensions")
            }
            dimensions = try p.int("dimensions", in: 1...nativeDimensions(model))
        }
        base64 = try p.choice("encoding_format", ["float", "base64"]) == "base64"
        _ = try p.string("user")
    }

    /// Only the `text-embedding-3` family can shorten its vectors.
    /// Only the older fixed-size models refuse `dimensions`; other names (Azure deployments, custom
    /// models) may stand for a text-embedding-3 model, so they accept it.
    static func supportsDimensions(_ model: String) -> Bool {
        !(model.hasPrefix("text-embedding-ada") || model.hasPrefix("text-similarity") || model.hasPrefix("text-search"))
    }

    /// The inputs of `input`: a string, strings, one token array or token arrays.
    private static func inputs(_ value: JSONValue) throws(APIError) -> [Input] {
        switch value {
        case .string(let s):
            guard !s.isEmpty else { throw .invalidInput }
            return [.text(s)]
        case .array(let items):
            guard let first = items.first else { throw .invalidInput }
            guard items.count <= maxInputs || first.intValue != nil else {
                throw .invalidRequest(
                    "Invalid 'input': array length must be \(maxInputs) or less.", param: "input",
                    code: "array_above_max_length")
            }
            switch first {
            case .string:
                var out: [Input] = []
                out.reserveCapacity(items.count)
                for item in items {
                    guard case .string(let s) = item, !s.isEmpty else { throw .invalidInput }
                    out.append(.text(s))
                }
                return out
            case .number:
                return [.tokens(try tokens(items))]
            case .array:
                var out: [Input] = []
                out.reserveCapacity(items.count)
                for item in items {
                    guard case .array(let inner) = item, !inner.isEmpty else { throw .invalidInput }
                    out.append(.tokens(try tokens(inner)))
                }
                return out
            default:
                throw .invalidInput
            }
        default:
            throw .invalidInput
        }
    }

    private static func tokens(_ items: [JSONValue]) throws(APIError) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let t = item.intValue, t >= 0, t <= Int(Int32.max) else { throw .invalidInput }
            out.append(t)
        }
        return out
    }
}

extension APIError {
    /// The real API's answer to an `input` its schema rejects (empty, of the wrong type, mixed).
    static let invalidInput = APIError.invalidRequest(
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
        param: "input")

    /// An input longer than an embedding model reads.
    static func inputTooLong(limit: Int) -> APIError {
        .invalidRequest("Invalid 'input': maximum context length is \(limit) tokens.", param: "input")
    }
}
